#!/usr/bin/env bash
# Session 10 call 10: v6 (branch wip-v6, .carry/v6): suite + sanitizers with FKDA_PREFILL_V6=1, then timings
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/v6/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
PC="timeout 60 python3 bench/plan_check.py --profile --no-host"
$PC --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto V6=1 auto V6=1 V6=1,PDL=0 2>&1 | grep -v -i warn
FKDA_PREFILL_V6=1 TEST_LIMIT=150 SAN_LIMIT=120 bash bench/run_gpu_checks.sh .carry/v6
$PC --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto V6=1 2>&1 | grep -v -i warn
$PC --H 4 --lens 727,2005,372,872,1397,162,212,1745,1161,256,812,1257,182,1927,1103,503,140,240,952,920,207,556,249,1192,933,185,1757,1222,317,2004 --knobs auto V6=1 2>&1 | grep -v -i warn
$PC --H 16 --lens 4096,2048,512,512,256,256,128,128 --knobs auto V6=1 2>&1 | grep -v -i warn
