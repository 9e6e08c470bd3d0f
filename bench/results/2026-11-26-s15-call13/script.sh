#!/usr/bin/env bash
# Session 15 call 13: kernel timeline of 6 back-to-back eager calls, C32 against 16-token records (loop_timeline.py).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python:$PWD/bench PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15h/lib/libflashkda.so
timeout 200 python3 bench/results/2026-11-26-s15-call13/loop_timeline.py 2>&1 | grep -v -i warn
