#!/usr/bin/env bash
# Session 16 call 2: .carry/v4 = HEAD (e68c873); .carry/f1 = v4 + the fused kernel's initial state loaded after its v
# prefetch (chain loop 421 -> 398 SASS); .carry/ta = f1 + the 16-token chains' state by key pairs after the prefetch
# (loops VS = 128 393 -> 375, VS = 64 384 -> 392). Checks of ta (suite default and C32=0, memcheck, racecheck), then
# A/B v4 f1 ta v4 f1 ta on the fused (v4.1) shapes and 16-token batches.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/ta
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063 16:4000,20*200 16:20*300 32:4000,20*200 4:4000,20*200 4:40*30 8:50*40"
for L in v4 f1 ta v4 f1 ta; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
