#!/usr/bin/env bash
# Session 14 call 1: .carry/s14a = seg_plan over distinct lengths (skipping candidates that repeat a plan) and phase
# streams kept per CUDA context (kernels' SASS identical to s13i). GPU suite (default and C32=0, with the new
# cudaDeviceReset case), memcheck, racecheck; the host cost of cudaFuncSetAttribute; plan_check A/B of s13i and s14a
# (same kernels: eager differences are host time)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s14a
grep -hE "two threads|cudaDeviceReset" $OUT/test.log $OUT/memcheck.log
.carry/s14a/bin/setattr
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
BIG=1300,547,2048,963,271,3063
L30=300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890
for rep in 1 2; do
  for LIB in s13i s14a; do
    export FLASHKDA_LIBRARY=$PWD/.carry/$LIB/lib/libflashkda.so
    PC="timeout 60 python3 bench/plan_check.py"
    echo "== $LIB (rep $rep)"
    $PC --H 4 --lens $L30 --knobs auto SEG=0,PHASES=1 2>&1 | grep -v -i warn
    $PC --H 16 --lens $BIG --knobs auto 2>&1 | grep -v -i warn
    $PC --H 4 --lens $BIG --knobs auto 2>&1 | grep -v -i warn
    $PC --H 16 --T 8192 --knobs auto 2>&1 | grep -v -i warn
  done
done
