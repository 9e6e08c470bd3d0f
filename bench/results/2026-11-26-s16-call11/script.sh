#!/usr/bin/env bash
# Session 16 call 11: START_BAR again, now that FULL no longer waits for the loaders' second chunk (e9f8bf8): the
# fused kernel's chain issues its initial-state loads and v prefetch after the loaders have issued both of their first
# chunks (.carry/sb2), against HEAD's kernels (.carry/ea). Timeline of the globaltimer build with it (.carry/prof6),
# suite / memcheck / racecheck of sb2, A/B ea sb2 x 3 on the fused shapes.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
D=bench/results/2026-11-26-s16-call6
FLASHKDA_LIBRARY=$PWD/.carry/prof6/lib/libflashkda.so python3 $D/fused_tl2.py 2>&1 | tee $OUT/tl16.log | grep -v "warp pw"
FLASHKDA_LIBRARY=$PWD/.carry/prof6/lib/libflashkda.so TL_H=96 python3 $D/fused_tl2.py 2>&1 | tee $OUT/tl96.log | grep -v "warp pw"
TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/sb2
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063"
for L in ea sb2 ea sb2 ea sb2; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
