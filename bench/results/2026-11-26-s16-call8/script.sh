#!/usr/bin/env bash
# Session 16 call 8: the fused kernel's loaders issue their second chunk only after the first one's norms (less DRAM
# traffic ahead of the first records at the synchronized start) = .carry/df3, against HEAD e9f8bf8 (.carry/ea);
# timeline of the globaltimer build with it (.carry/prof5), suite / sanitizers of df3, A/B ea df3 ea df3.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
D=bench/results/2026-11-26-s16-call6
FLASHKDA_LIBRARY=$PWD/.carry/prof5/lib/libflashkda.so python3 $D/fused_tl2.py 2>&1 | tee $OUT/tl16.log | grep -v "warp pw"
TEST_LIMIT=240 SAN_LIMIT=240 FKDA_PREFILL_C32=1 bash bench/run_gpu_checks.sh .carry/df3
SH="16:1024*8 96:8192 96:1024*8 32:256*64 16:1024*8"
for L in ea df3 ea df3; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
