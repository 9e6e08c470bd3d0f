#!/usr/bin/env bash
# Session 16 call 6: the fused kernel's first step in detail (H = 16 and 96 1024 x 8): each producer warp's first
# full_arrive, the chain's first FULL wait (globaltimer build .carry/prof2, prof2.diff on dfe19f4).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/prof2/lib/libflashkda.so
D=bench/results/2026-11-26-s16-call6
python3 $D/fused_tl2.py 2>&1 | tee $OUT/tl16.log
TL_H=96 python3 $D/fused_tl2.py 2>&1 | tee $OUT/tl96.log
