#!/usr/bin/env bash
# Session 15 call 12: the host time of one eager call at H = 16 varlen 6 (hosttime.py), C32 against 16-token records.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python:$PWD/bench PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15h/lib/libflashkda.so
timeout 200 python3 bench/results/2026-11-26-s15-call12/hosttime.py 2>&1 | grep -v -i warn
