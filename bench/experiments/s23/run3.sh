#!/usr/bin/env bash
# Session 23 call 3: where an eager prefill call's host time goes (host_split.py through the binding, host_c in C).
set -u
LIB=${LIB:-.carry/s23}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
timeout 60 "$LIB/bin/host_c" auto PHASES=1 V2=2 PAIR=0 auto 2>&1 | tee "$OUT/host_c.txt"
timeout 150 python3 bench/experiments/s23/host_split.py 2>&1 | tee "$OUT/host_split.txt"
timeout 100 python3 bench/experiments/s23/host_split.py 16:1024*8 2>&1 | tee -a "$OUT/host_split.txt"
