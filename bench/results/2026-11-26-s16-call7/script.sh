#!/usr/bin/env bash
# Session 16 call 7: the fused kernel's loaders arrive on FULL before they issue the next loads and wait for the norms'
# rows (.carry/ea), against HEAD dfe19f4 (.carry/f1): timeline of the globaltimer build with the change (.carry/prof4 =
# prof2.diff + the change), suite / memcheck / racecheck of ea, A/B f1 ea f1 ea on the fused shapes.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
D=bench/results/2026-11-26-s16-call6
FLASHKDA_LIBRARY=$PWD/.carry/prof4/lib/libflashkda.so python3 $D/fused_tl2.py 2>&1 | tee $OUT/tl16.log | grep -v "warp pw"
TEST_LIMIT=240 SAN_LIMIT=240 FKDA_PREFILL_C32=1 bash bench/run_gpu_checks.sh .carry/ea
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063 64:1024*8"
for L in f1 ea f1 ea; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
