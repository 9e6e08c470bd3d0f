#!/usr/bin/env bash
# Session 16 call 3: where the fused kernel's time goes outside its steady state (H = 16 and 96, 1024 x 8): a
# globaltimer build (.carry/prof, prof.diff on dfe19f4) records each CTA's entry, end of chunk 0, loop end, final-state
# store and fence, the producers' first record; fused_tl.py summarises the last of three calls. Then the graph time of
# the same build and of HEAD's (.carry/v4 = e68c873's library has the same fused kernel as HEAD but for the state
# placement) for scale.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/prof/lib/libflashkda.so
D=bench/results/2026-11-26-s16-call3
python3 $D/fused_tl.py 2>&1 | tee $OUT/tl16.log
TL_H=96 python3 $D/fused_tl.py 2>&1 | tee $OUT/tl96.log
python3 bench/ab_shapes.py --tag prof 16:1024*8 96:1024*8
