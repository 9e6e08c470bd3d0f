#!/usr/bin/env bash
# Session 16 call 10: HEAD's kernels (e9f8bf8 = .carry/ea): the GPU suite (default and C32=0), memcheck, racecheck;
# beside it the Python GPU suite built and installed from this checkout (fla-core 0.6.0 and 0.5.2).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
(OUT=$OUT/c TEST_LIMIT=300 SAN_LIMIT=300 bash bench/run_gpu_checks.sh .carry/ea > $OUT/checks.txt 2>&1) &
OUT=$OUT/py OVERHEAD=0 SUITE_LIMIT=400 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -14
wait
cat $OUT/checks.txt
