#!/usr/bin/env bash
# Session 12 call 4: the wide kernel with 3 stages for its VS = 32 slices (.carry/s12c) and also for its VS = 64 ones
# (.carry/s12d), against da4ac78 (.carry/s12a); WIDE=0 is main's deep chain (6 stages)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
L30=300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890
for L in s12c s12d; do
  echo "== $L"
  export FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so
  $PC --no-host --H 16 --lens $BIG --knobs auto WIDE=0 --profile 2>&1 | grep -v -i warn
  $PC --H 16 --lens 3063,16 --knobs auto WIDE=0 --profile 2>&1 | grep -v -i warn
  $PC --no-host --H 8 --lens $BIG --knobs auto WIDE=0 2>&1 | grep -v -i warn
  $PC --no-host --H 4 --lens $L30 --knobs auto WIDE=0 2>&1 | grep -v -i warn
  $PC --no-host --H 16 --lens 4000,1000,1000,1000,1000 --knobs auto WIDE=0 2>&1 | grep -v -i warn
done
