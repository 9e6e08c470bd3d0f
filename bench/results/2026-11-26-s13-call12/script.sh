#!/usr/bin/env bash
# Session 13 call 12: HEAD's GPU test (set_knob) with HEAD's library (.carry/s13i): suite (default and C32=0),
# memcheck and racecheck
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s13i
grep -hE "two threads|worst" $OUT/test.log
