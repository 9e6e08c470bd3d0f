#!/usr/bin/env bash
# Session 12 call 2: prep32 with cross_block (Ab21 by one warp in split-bf16 mma, two CTA-wide barriers fewer) and
# the gate's record rows specialised per chunk (.carry/s12a) against fc97436 (.carry/cand): suite (default and
# C32=0), memcheck, racecheck, A/B; the prep kernels' times; the C32 chain at split 2 / 4 on one long chain
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
REF=cand CAND=s12a NO_FLA=1 AB_SHAPES=3,4,5,6,8,10 bash bench/run_ab_fla_device.sh
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
PC="timeout 60 python3 bench/plan_check.py"
for L in cand s12a cand s12a; do
  echo "== $L"
  export FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so
  $PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto --profile 2>&1 | grep -v -i warn | head -2
  $PC --H 32 --T 8192 --knobs auto --profile 2>&1 | grep -v -i warn | head -2
done
$PC --H 16 --lens 3063,16 --knobs C32=1 C32=1,SEG=0,SPLIT=2 C32=1,SEG=0,SPLIT=4 --profile 2>&1 | grep -v -i warn
