#!/usr/bin/env bash
# Session 18 call 6: the segment model refit (fit.py on calls 3-4: chain_model_us without the 0.25 occ^2 term, the
# 1.75 band from occ 0.88 instead of 0.92, C32_CHAIN 0.80 instead of 0.87; call 5's profiles show 120 chain CTAs of 4
# warps running at ~1.7x the step of 112 or fewer). The host probe lists 94 fixed-length shapes whose plan changes
# (cases.txt: H,B,T,L_old,L_new): both lengths forced on HEAD's library (.carry/h), bench/plan_ab.py.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export FLASHKDA_LIBRARY=$PWD/.carry/h/lib/libflashkda.so PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
timeout 480 python3 bench/plan_ab.py --cases bench/results/2026-11-26-s18-call6/cases.txt --json $OUT/ab.jsonl 2>&1 | tee $OUT/ab.log | tail -100
