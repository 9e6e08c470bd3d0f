#!/usr/bin/env bash
# Session 23 call 5: host delay before each eager call against the eager time per call (host_delay.py); lscpu.
set -u
LIB=${LIB:-.carry/s23}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
lscpu | grep -E "Model name|^CPU\(s\)|MHz" | head -4
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
timeout 150 python3 bench/experiments/s23/host_delay.py 2>&1 | tee "$OUT/host_delay.txt"
timeout 100 python3 bench/experiments/s23/host_delay.py 16:1024*8 2>&1 | tee -a "$OUT/host_delay.txt"
