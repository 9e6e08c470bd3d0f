#!/usr/bin/env bash
# Session 24 call 3: HEAD's library (.carry/s24, built from 4ab8128's src/) through the GPU suite (also with C32 off),
# memcheck and racecheck of the small cases.
#   run(command="bash bench/experiments/s24/run3.sh", carry=[".carry/s24"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm,driver_version --format=csv,noheader
SAN_LIMIT=230 TEST_LIMIT=230 bash bench/run_gpu_checks.sh .carry/s24
grep -E "worst|err_ratio max|PASS|FAIL" "$OUT/test.log" | tail -5
