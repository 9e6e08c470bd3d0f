#!/usr/bin/env bash
# Session 24 call 2: the discard A/B with the discard alone timed too (mode 3), H = 16 varlen and the prep alone.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/.carry/s23/lib/libflashkda.so PYTHONPATH=$PWD/python
S=bench/experiments/s24/discard_ab.py
L=1300,547,2048,963,271,3063
timeout 100 python3 $S --so .carry/s24/discard.so --rounds 3 16:$L 2>&1 | tee "$OUT/ab.txt"
timeout 100 python3 $S --so .carry/s24/discard.so --rounds 3 --env FKDA_PREFILL_V2=2 16:$L 2>&1 | tee "$OUT/ab-prep.txt"
