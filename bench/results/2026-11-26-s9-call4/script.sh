#!/usr/bin/env bash
# Session 9 call 4: v5b with the 32-bit item walk (.carry/v5): suite forced on, then H = 16 varlen R sweep.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/v5/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
LENS=1300,547,2048,963,271,3063
timeout 100 python3 bench/plan_check.py --H 16 --lens $LENS --profile \
  --knobs STREAM=0 auto STREAM=2,STREAM_R=32 STREAM=1,STREAM_R=16 STREAM=1,STREAM_R=24 STREAM=1,STREAM_R=32 STREAM=1,STREAM_R=40 STREAM=1,STREAM_R=48 STREAM=1,STREAM_R=64 2>&1 | grep -v -i warn
for H in 8 32; do timeout 60 python3 bench/plan_check.py --H $H --lens $LENS --knobs STREAM=0 auto 2>&1 | grep -v -i warn; done
FKDA_PREFILL_STREAM=1 TEST_LIMIT=150 SAN_LIMIT=120 bash bench/run_gpu_checks.sh .carry/v5
