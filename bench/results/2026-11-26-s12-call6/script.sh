#!/usr/bin/env bash
# Session 12 call 6: store_inverse right-looking (x[m + 1] one FMA after x[m]; same FMAs in the same order) in
# .carry/s12e against da4ac78 (.carry/s12a): suite (default and C32=0), memcheck, racecheck, bits against s12a, A/B on
# every shape (v4.1's producers and both prep kernels use it)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
B=bench/results/2026-11-26-s12-call6/bits.py
FLASHKDA_LIBRARY=$PWD/.carry/s12a/lib/libflashkda.so python3 $B save /tmp/bits.pt 2>&1 | grep -v -i warn
FLASHKDA_LIBRARY=$PWD/.carry/s12e/lib/libflashkda.so python3 $B cmp /tmp/bits.pt 2>&1 | grep -v -i warn
REF=s12a CAND=s12e NO_FLA=1 AB_SHAPES=0,1,2,3,4,5,6,7,8,9,10 AB_TIMEOUT=120 bash bench/run_ab_fla_device.sh
