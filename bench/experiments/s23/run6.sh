#!/usr/bin/env bash
# Session 23 call 6: FKDA_PREFILL_XS (xs.patch) against auto, alternated over 8 rounds in one process, eager and graph.
set -u
LIB=${LIB:-.carry/xs}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
timeout 250 python3 bench/experiments/s23/ab_knobs.py --H 16 --lens 1300,547,2048,963,271,3063 --rounds 8 auto XS=6 XS=10 XS=14 2>&1 | tee "$OUT/ab16.txt"
timeout 120 python3 bench/experiments/s23/ab_knobs.py --H 8 --lens 1300,547,2048,963,271,3063 --rounds 5 auto XS=6 XS=12 2>&1 | tee "$OUT/ab8.txt"
