#!/usr/bin/env bash
# Session 17 call 14 (review): .carry/rv2 = call 13's rv (chain_tiles<MT>, the f32 load path inside load_state)
# plus store_final_state<ROWS> for the fused kernel, against c37ef1b (.carry/fin): suite / memcheck / racecheck of
# rv2, then A/B fin rv2 fin rv2 on fused and C32 shapes.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/rv2
SH="16:1024*8 96:8192 96:1024*8 32:256*64 16:8192 32:8192 16:1300,547,2048,963,271,3063"
for L in fin rv2 fin rv2; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
