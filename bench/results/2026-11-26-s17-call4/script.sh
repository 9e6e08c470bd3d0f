#!/usr/bin/env bash
# Session 17 call 4: the fused kernel's final state through shared memory (built with -DFKDA_FUSED_SMEM_STORE,
# .carry/ss) against HEAD's default (.carry/s17): suite / memcheck / racecheck of ss, then A/B s17 ss s17 ss.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/ss
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063 64:1024*8"
for L in s17 ss s17 ss; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
