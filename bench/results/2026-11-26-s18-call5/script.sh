#!/usr/bin/env bash
# Session 18 call 5: why halving the segment count wins at HV x B = 16 and loses at 12 (call 4): per-kernel device
# times (plan_check --profile) of both lengths on four shapes, HEAD's library (.carry/h).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export FLASHKDA_LIBRARY=$PWD/.carry/h/lib/libflashkda.so PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
{
python3 bench/plan_check.py --H 12 --T 16384 --knobs SEG=172 SEG=342 SEG=172,SPLIT=2 SEG=342,SPLIT=1 --profile --graph
python3 bench/plan_check.py --H 16 --T 16384 --knobs SEG=256 SEG=512 SEG=256,SPLIT=2 SEG=512,SPLIT=1 --profile --graph
python3 bench/plan_check.py --H 8 --T 16384 --knobs SEG=128 SEG=256 --profile --graph
python3 bench/plan_check.py --H 24 --T 32768 --knobs SEG=684 SEG=0 --profile --graph
python3 bench/plan_check.py --H 3 --B 4 --T 12000 --knobs SEG=126 SEG=250 --profile --graph
} 2>&1 | tee $OUT/profile.log
