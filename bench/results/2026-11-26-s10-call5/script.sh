#!/usr/bin/env bash
# Session 10 call 5: the deep chain as the prep kernel's programmatic dependent (.carry/pdl; FKDA_PREFILL_PDL=0 = the
# plain launch): suite + sanitizers, then A/B on the varlen batches that take the deep path
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/pdl/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
bash bench/run_gpu_checks.sh .carry/pdl
PC="timeout 100 python3 bench/plan_check.py --profile --no-host"
$PC --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto PDL=0 auto PDL=0 DEEP=0 2>&1 | grep -v -i warn
$PC --H 4 --lens 727,2005,372,872,1397,162,212,1745,1161,256,812,1257,182,1927,1103,503,140,240,952,920,207,556,249,1192,933,185,1757,1222,317,2004 --knobs auto PDL=0 2>&1 | grep -v -i warn
$PC --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto PDL=0 2>&1 | grep -v -i warn
