#!/usr/bin/env bash
# Session 24 calls 1-2: the discard A/B (discard_ab.py) on HEAD's library (.carry/s23 in call 1, the same src/ as
# .carry/s24), a list of shapes, then the prep alone (FKDA_PREFILL_V2=2) at H = 16 varlen.
#   call 1: run(command="bash bench/experiments/s24/run1.sh", carry=[".carry/s23", ".carry/s24"])
#   call 2: run(command="ROUNDS=3 SHAPES=16:1300,547,2048,963,271,3063 bash bench/experiments/s24/run1.sh", ...)
# (discard_ab.py timed the discard alone, its mode 3, from call 2 on.)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/${LIB:-.carry/s23}/lib/libflashkda.so PYTHONPATH=$PWD/python
S=bench/experiments/s24/discard_ab.py
L=1300,547,2048,963,271,3063
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv,noheader
# shellcheck disable=SC2086
timeout 200 python3 $S --so .carry/s24/discard.so --rounds "${ROUNDS:-4}" ${SHAPES:-16:$L 16:8192 16:1024*8 64:8192 8:$L} \
  2>&1 | tee "$OUT/ab.txt"
timeout 100 python3 $S --so .carry/s24/discard.so --rounds 3 --env FKDA_PREFILL_V2=2 16:$L 2>&1 | tee "$OUT/ab-prep.txt"
