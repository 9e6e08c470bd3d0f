#!/usr/bin/env bash
# Session 17 call 12: HEAD's kernels (c37ef1b = .carry/rows' static test) with the fused kernel's two-group form
# (FKDA_PREFILL_CW=8): suite (and C32=0), memcheck, racecheck.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 FKDA_PREFILL_CW=8 bash bench/run_gpu_checks.sh .carry/rows
