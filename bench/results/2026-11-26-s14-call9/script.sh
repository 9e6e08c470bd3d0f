#!/usr/bin/env bash
# Session 14 call 9, after the review (host code, the GPU test and plan_check only; every kernel's SASS identical to
# ece0e54): .carry/s14r = HEAD's library and GPU test. Suite (default and C32=0), memcheck, racecheck; plan_check with
# and without host lengths (its run now goes through prefill_bench.run_ours)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s14r
grep -hE "two threads|cudaDeviceReset" $OUT/test.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s14r/lib/libflashkda.so
BIG=1300,547,2048,963,271,3063
timeout 60 python3 bench/plan_check.py --H 16 --lens $BIG --knobs auto SEG=0,PHASES=1 2>&1 | grep -v -i warn
timeout 60 python3 bench/plan_check.py --H 16 --lens $BIG --no-host --knobs auto 2>&1 | grep -v -i warn
timeout 60 python3 bench/plan_check.py --H 16 --T 1024 --B 8 --knobs auto 2>&1 | grep -v -i warn
