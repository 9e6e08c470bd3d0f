#!/usr/bin/env bash
# Session 13 call 6: the merged phases (.carry/s13f = HEAD's library and GPU test): suite (default and C32=0),
# memcheck and racecheck (small cases; the first phased call there is captured in a graph and runs in one phase), then
# the Python GPU suite (fla-core 0.6.0 all, 0.5.2 dispatch/verifier/layer) with the new phases test
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/s13f
grep -E "phases" $OUT/test.log | head -12
OUT=$OUT OVERHEAD=0 SUITE_LIMIT=330 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -30
grep -E "phases|passed|failed" $OUT/pytest-fla0.6.0.log | tail -5
