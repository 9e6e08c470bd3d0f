#!/usr/bin/env bash
# Session 11 call 3: prep32 record writes, two builds of wip-c32: .carry/c32s (P32_STAGE=1: the record rows staged in
# raw, 16-byte copies) and .carry/c32d (P32_STAGE=0: 4-byte stores from the gate); suite + sanitizers of c32s with C32,
# then per-kernel times of both
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_C32=1 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/c32s
PC="timeout 60 python3 bench/plan_check.py"
for L in c32s c32d c32s c32d; do
  echo "== $L"
  export FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so
  $PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs C32=1 auto --profile 2>&1 | grep -v -i warn | head -4
  $PC --H 32 --T 8192 --knobs SEG=0,C32=1 --profile 2>&1 | grep -v -i warn | head -2
done
