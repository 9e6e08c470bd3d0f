#!/usr/bin/env bash
# Session 13 call 2: phases in streams of their own (phase i > 0 waits for the launch-completion event of the chain
# before it; .carry/s13b) against 0348823 (.carry/s12e): timings with cu_seqlens_host first, then the suite (default and
# C32=0, with the phase cases, one of them a graph replay), memcheck and racecheck (small cases)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
L30=300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890
for round in 1 2; do
  echo "== round $round: 0348823"
  FLASHKDA_LIBRARY=$PWD/.carry/s12e/lib/libflashkda.so $PC --H 16 --lens $BIG --knobs SEG=0 2>&1 | grep -v -i warn
  echo "== round $round: phases"
  FLASHKDA_LIBRARY=$PWD/.carry/s13b/lib/libflashkda.so $PC --H 16 --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 SEG=0,PHASES=4 SEG=0 auto 2>&1 | grep -v -i warn
done
export FLASHKDA_LIBRARY=$PWD/.carry/s13b/lib/libflashkda.so
$PC --H 16 --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=3 --profile 2>&1 | grep -v -i warn
$PC --H 8 --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 SEG=0 auto 2>&1 | grep -v -i warn
$PC --H 4 --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 SEG=0 auto 2>&1 | grep -v -i warn
$PC --H 4 --lens $L30 --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 auto 2>&1 | grep -v -i warn
$PC --H 16 --lens 4000,1000,1000,1000,1000 --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0 auto 2>&1 | grep -v -i warn
$PC --H 16 --lens 3063,16 --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 2>&1 | grep -v -i warn
TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/s13b
grep -E "phases" $OUT/test.log | head -8
