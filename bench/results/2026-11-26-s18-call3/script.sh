#!/usr/bin/env bash
# Session 18 call 3: segment-length sweep for one long sequence at H = 1-16 on HEAD (3b8ac50, .carry/h): the automatic
# plan against no segments and forced L (bench/seg_sweep.py, graph replays, best of two alternating passes), to refit
# the segment model where it misjudges (H = 4 1 x 8192 in sessions 16-17).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export FLASHKDA_LIBRARY=$PWD/.carry/h/lib/libflashkda.so PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
timeout 280 python3 bench/seg_sweep.py --H 1,2,4,8 --T 4096,8192,16384,32768 --json $OUT/sweep.jsonl 2>&1 | tee $OUT/sweep.log
timeout 150 python3 bench/seg_sweep.py --H 16 --T 8192,16384,32768 --json $OUT/sweep.jsonl 2>&1 | tee -a $OUT/sweep.log
timeout 100 python3 bench/seg_sweep.py --H 4,2 --T 65536 --json $OUT/sweep.jsonl 2>&1 | tee -a $OUT/sweep.log
