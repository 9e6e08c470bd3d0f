#!/usr/bin/env bash
# Session 9 call 2: v5b with the flag released after the next record's loads (cc70810: .carry/v5, PSG 7; .carry/v5p6, PSG 6).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
LENS=1300,547,2048,963,271,3063
for L in v5 v5p6; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 100 python3 bench/plan_check.py --H 16 --lens $LENS --profile \
    --knobs STREAM=0 STREAM=1,STREAM_R=32 STREAM=1,STREAM_R=48 STREAM=1,STREAM_R=64 STREAM=1,STREAM_R=80 2>&1 | grep -v warn
done
