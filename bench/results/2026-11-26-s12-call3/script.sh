#!/usr/bin/env bash
# Session 12 call 3: kda_chain_wide_kernel (the longest sequence's deep C32 chain split four ways where the rest fits
# beside it; .carry/s12b) against da4ac78 (.carry/s12a): suite (default and C32=0), memcheck and racecheck (small
# cases, two of them on the wide kernel), A/B on the varlen shapes, WIDE=0 / auto on one library
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/s12b
grep -E "C32 wide|HV=40" $OUT/test.log | head -4
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in s12a s12b s12a s12b; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6,3,4 --no-fla \
    --variants auto:4 | grep "^H=" | cut -c1-75
done
export FLASHKDA_LIBRARY=$PWD/.carry/s12b/lib/libflashkda.so
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
$PC --no-host --H 16 --lens $BIG --knobs auto WIDE=0 --profile 2>&1 | grep -v -i warn
$PC --H 16 --lens 3063,16 --knobs auto WIDE=0 --profile 2>&1 | grep -v -i warn
$PC --no-host --H 8 --lens $BIG --knobs auto WIDE=0 2>&1 | grep -v -i warn
$PC --H 8 --lens $BIG --knobs auto WIDE=0 2>&1 | grep -v -i warn
$PC --no-host --H 2 --lens $BIG --knobs auto WIDE=0 2>&1 | grep -v -i warn
$PC --no-host --H 32 --lens 3000,3000 --knobs auto WIDE=0 2>&1 | grep -v -i warn
$PC --no-host --H 4 --lens 300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890 --knobs auto WIDE=0 2>&1 | grep -v -i warn
$PC --no-host --H 16 --lens 4000,1000,1000,1000,1000 --knobs auto WIDE=0 2>&1 | grep -v -i warn
