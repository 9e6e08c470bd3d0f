#!/usr/bin/env bash
# Session 10 call 12: v6 with acquire-load flag windows (wip-v6, .carry/v6): timings, then the suite with V6=1
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/v6/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
PC="timeout 60 python3 bench/plan_check.py --profile --no-host"
$PC --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto V6=1 auto V6=1 V6=1,PDL=0 2>&1 | grep -v -i warn
$PC --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto V6=1 2>&1 | grep -v -i warn
FKDA_PREFILL_V6=1 TEST_LIMIT=150 SAN_LIMIT=120 bash bench/run_gpu_checks.sh .carry/v6
