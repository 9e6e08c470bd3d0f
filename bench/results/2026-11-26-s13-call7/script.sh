#!/usr/bin/env bash
# Session 13 call 7: kernel timelines (bench/phase_timeline.py) of one call with one phase and with phases, H = 16 and
# 8 varlen 6 with host lengths (HEAD's library, .carry/s13f)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s13f/lib/libflashkda.so
BIG=1300,547,2048,963,271,3063
timeout 120 python3 bench/phase_timeline.py --H 16 --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 2>&1 | grep -v -i warn
timeout 120 python3 bench/phase_timeline.py --H 8 --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=2 2>&1 | grep -v -i warn
