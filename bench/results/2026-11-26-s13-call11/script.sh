#!/usr/bin/env bash
# Session 13 call 11, after the review refactor (host code and tests only; SASS of every kernel unchanged):
# .carry/s13i = HEAD's library and GPU test: suite (default and C32=0), memcheck, racecheck; the automatic plans with
# host lengths against forced ones (the same picks as in calls 4-5 expected)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s13i
grep -hE "two threads" $OUT/test.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s13i/lib/libflashkda.so
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
L30=300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890
for H in 16 8 4 2; do $PC --H $H --lens $BIG --knobs auto SEG=0,PHASES=1 2>&1 | grep -v -i warn; done
$PC --H 4 --lens $L30 --knobs auto SEG=0,PHASES=1 SEG=0,PHASES=2 2>&1 | grep -v -i warn
timeout 60 python3 bench/phase_timeline.py --H 8 --lens $BIG --knobs auto 2>&1 | grep -v -i warn
