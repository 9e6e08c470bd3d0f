#!/usr/bin/env bash
# Session 18 call 4: the segment model's occupancy factor beyond one chain warp a scheduler, 0.95 ceil(occ) -> 1.15
# ceil(occ) (fitted on call 3's sweep). The host probe (plan_probe.cu, no GPU) lists 93 fixed-length shapes (H = 1-48,
# B = 1-4, T = 1024-131072) whose plan changes (cases.txt: H,B,T,L_old,L_new). Both lengths forced through
# FKDA_PREFILL_SEGMENTS on HEAD's library (.carry/h), graph replays, best of two alternating passes (bench/plan_ab.py).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export FLASHKDA_LIBRARY=$PWD/.carry/h/lib/libflashkda.so PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
timeout 480 python3 bench/plan_ab.py --cases bench/results/2026-11-26-s18-call4/cases.txt --json $OUT/ab.jsonl 2>&1 | tee $OUT/ab.log | tail -100
