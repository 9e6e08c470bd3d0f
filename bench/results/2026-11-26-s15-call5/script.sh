#!/usr/bin/env bash
# Session 15 call 5: where a v4.1 step's time goes. .carry/prof = HEAD (ac0... mma norms) + prof.diff (clock64 around
# each phase of the producer and chain loops, device printf of per-chunk cycles for CTAs 0 and grid / 2).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python:$PWD/bench PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/prof/lib/libflashkda.so
timeout 120 python3 bench/results/2026-11-26-s15-call5/prof.py 2>&1 | grep -v -i warn
