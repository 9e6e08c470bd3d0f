#!/usr/bin/env bash
# Session 17 call 5 (HEAD's kernels, .carry/s17): the H = 16 varlen 6 plan against forced phase counts and 16-token
# records, eager and graph, with host lengths (the bar's setting) and without; H = 8 varlen 6 and H = 4 1 x 8192 too.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/s17/lib/libflashkda.so PYTHONUNBUFFERED=1
L=1300,547,2048,963,271,3063
for rep in 1 2; do
  timeout 120 python3 bench/plan_check.py --H 16 --lens $L --graph --knobs auto PHASES=1 PHASES=2 PHASES=3 PHASES=4 C32=0 C32=0,PHASES=2 2>&1 | tee -a $OUT/plan.log
done
timeout 60 python3 bench/plan_check.py --H 16 --lens $L --no-host --graph --knobs auto C32=0 2>&1 | tee -a $OUT/plan.log
timeout 60 python3 bench/plan_check.py --H 8 --lens $L --graph --knobs auto PHASES=1 PHASES=2 PHASES=3 C32=0 2>&1 | tee -a $OUT/plan.log
timeout 60 python3 bench/plan_check.py --H 4 --T 8192 --graph --knobs auto SEG=32 SEG=64 SEG=96 SEG=128 2>&1 | tee -a $OUT/plan.log
