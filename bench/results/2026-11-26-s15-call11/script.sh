#!/usr/bin/env bash
# Session 15 call 11: H = 16 varlen 6 with host lengths, eager against graph by phase count and record size. Call 10
# saw C32=0 at 0.186-0.189 ms eager against 0.197-0.199 for the default (C32), both ~0.183 as graphs. .carry/s15h = HEAD.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15h/lib/libflashkda.so
BIG=1300,547,2048,963,271,3063
timeout 200 python3 bench/plan_check.py --H 16 --lens $BIG --graph --knobs auto PHASES=1 PHASES=2 PHASES=3 C32=0 C32=0,PHASES=1 C32=0,PHASES=2 C32=0,PHASES=3 auto PHASES=2 C32=0 C32=0,PHASES=2 2>&1 | grep -v -i warn
timeout 100 python3 bench/phase_timeline.py --H 16 --lens $BIG --knobs auto C32=0 2>&1 | grep -v -i warn
timeout 100 python3 bench/plan_check.py --H 8 --lens $BIG --graph --knobs auto C32=0 auto C32=0 2>&1 | grep -v -i warn
