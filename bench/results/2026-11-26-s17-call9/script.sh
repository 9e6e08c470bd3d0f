#!/usr/bin/env bash
# Session 17 call 9: the fused kernel's compact f32 state load and store (.carry/rows) against HEAD before it
# (.carry/ph, f26ede5): suite / memcheck / racecheck of rows, then A/B ph rows ph rows on the fused shapes.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063 16:1024*6"
for L in ph rows ph rows; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/rows
