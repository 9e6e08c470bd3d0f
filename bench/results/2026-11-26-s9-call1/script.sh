#!/usr/bin/env bash
# Session 9 call 1: v5b (wip-stream2 9c9c02b) correctness with the streamed prep forced, then H = 16 varlen timings.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_STREAM=1 TEST_LIMIT=150 SAN_LIMIT=120 bash bench/run_gpu_checks.sh .carry/v5
grep -c "v5\|stream" $OUT/test.log
LENS=1300,547,2048,963,271,3063
for L in final v5; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 100 python3 bench/plan_check.py --H 16 --lens $LENS --profile \
    --knobs STREAM=0 auto STREAM=1,STREAM_R=16 STREAM=1,STREAM_R=32 STREAM=1,STREAM_R=48 STREAM=1,STREAM_R=64 2>&1 | tail -14
done
FLASHKDA_LIBRARY=$PWD/.carry/v5/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --H 8 --lens $LENS --knobs STREAM=0 auto 2>&1 | tail -3
FLASHKDA_LIBRARY=$PWD/.carry/v5/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --H 4 --lens $LENS --knobs STREAM=0 auto 2>&1 | tail -3
FLASHKDA_LIBRARY=$PWD/.carry/v5/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --H 64 --T 8192 --knobs auto SEG=0,OVERLAP=0 SEG=0,OVERLAP=0,STREAM=1,STREAM_R=64 SEG=0,OVERLAP=0,STREAM=1,STREAM_R=32 2>&1 | tail -5
