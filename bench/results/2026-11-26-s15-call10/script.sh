#!/usr/bin/env bash
# Session 15 call 10, after the review (f6976ed: the 16-token chain kernels without the C32 mbarrier prologue; every
# other kernel's SASS identical to fefeddb's): .carry/s15h = HEAD's library and GPU test. Suite (default and C32=0),
# memcheck, racecheck; a few shapes against fefeddb's build (.carry/s15e) in alternation.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s15h
grep -hE "worst|two threads|cudaDeviceReset" $OUT/test.log $OUT/test-c16.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for lib in s15e s15h; do echo "== $lib"; for a in "--H 16 --T 8192" "--H 16 --T 1024 --B 8" "--H 16 --lens 1300,547,2048,963,271,3063"; do
  FLASHKDA_LIBRARY=$PWD/.carry/$lib/lib/libflashkda.so timeout 60 python3 bench/plan_check.py $a --graph --knobs auto C32=0 2>&1 | grep -v -i warn; done; done
