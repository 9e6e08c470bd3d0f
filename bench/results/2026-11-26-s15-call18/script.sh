#!/usr/bin/env bash
# Session 15 call 18: kernel timelines of the serving-like batch (4000 + 200 x 20, H = 16) with wide phases (auto) and
# in one phase; and 6000,1200 + 40 x 60. .carry/s15w.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15w/lib/libflashkda.so
L1=4000$(python3 -c "print(',20'*200)")
L4=6000,1200$(python3 -c "print(',60'*40)")
timeout 100 python3 bench/phase_timeline.py --H 16 --lens $L1 --knobs auto PHASES=1 C32=1 C32=1,PHASES=1 2>&1 | grep -v -i warn | sed 's/lens=[0-9,]*/lens=.../'
timeout 100 python3 bench/phase_timeline.py --H 16 --lens $L4 --knobs auto PHASES=1 2>&1 | grep -v -i warn | sed 's/lens=[0-9,]*/lens=.../'
