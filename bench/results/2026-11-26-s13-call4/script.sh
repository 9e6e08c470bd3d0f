#!/usr/bin/env bash
# Session 13 call 4: phases (mode 0 only, the model of plan_phases; .carry/s13d): PHASES=1/2/3 and auto on varlen
# batches with cu_seqlens_host, to check the model's picks; then the suite (default and C32=0), memcheck, racecheck
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
export FLASHKDA_LIBRARY=$PWD/.carry/s13d/lib/libflashkda.so
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
L30=300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890
K="SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 auto"
for H in 16 8 4 2; do $PC --H $H --lens $BIG --knobs $K 2>&1 | grep -v -i warn; done
$PC --H 4 --lens $L30 --knobs $K 2>&1 | grep -v -i warn
$PC --H 16 --lens 4000,1000,1000,1000,1000 --knobs $K 2>&1 | grep -v -i warn
$PC --H 16 --lens 3063,16 --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 auto 2>&1 | grep -v -i warn
$PC --H 32 --lens 3000,3000 --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 auto 2>&1 | grep -v -i warn
$PC --H 20 --lens $BIG --knobs $K 2>&1 | grep -v -i warn
$PC --H 16 --lens $BIG --no-host --knobs auto 2>&1 | grep -v -i warn
TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/s13d
