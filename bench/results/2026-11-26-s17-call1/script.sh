#!/usr/bin/env bash
# Session 17 call 1: the fused kernel with 4 chain warps of 32 value columns and three producer groups
# (FKDA_PREFILL_CW=4, .carry/g3) against the default 8 chain warps and two groups (CW=8, same library, SASS identical
# to HEAD 1d6bfdd): smoke test, A/B on the fused shapes (8 4 8 4), then suite / memcheck / racecheck with CW=4.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
FKDA_PREFILL_CW=4 timeout 60 .carry/g3/bin/test_cuda_prefill small > $OUT/smoke.log 2>&1; echo "smoke rc=$?"; tail -n 3 $OUT/smoke.log
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063 64:1024*8"
for L in 8 4 8 4; do
  FKDA_PREFILL_CW=$L FLASHKDA_LIBRARY=$PWD/.carry/g3/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag cw$L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "cw$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
TEST_LIMIT=240 SAN_LIMIT=240 FKDA_PREFILL_CW=4 bash bench/run_gpu_checks.sh .carry/g3
