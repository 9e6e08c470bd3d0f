#!/usr/bin/env bash
# Session 10 call 4: the chain step of one long sequence alone by split (VS = 64 deep vs VS = 32 / 16), .carry/deep
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/deep/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
PC="timeout 100 python3 bench/plan_check.py --profile --no-host"
$PC --H 16 --lens 3063,16 --knobs auto DEEP=0 SPLIT=2 SPLIT=4 SPLIT=8 SPLIT=1 2>&1 | grep -v -i warn
$PC --H 8 --lens 3063,16 --knobs auto SPLIT=4 2>&1 | grep -v -i warn
$PC --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto SPLIT=4 2>&1 | grep -v -i warn
