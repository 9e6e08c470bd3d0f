#!/usr/bin/env bash
# Session 13 call 10: HEAD's GPU test with the two-thread case (two host threads, phased calls on their own streams,
# 40 each, bits against a call made alone): suite (default and C32=0), memcheck and racecheck (small cases, which run
# the two-thread case too); .carry/s13h = HEAD's library and test binary
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s13h
grep -hE "two threads" $OUT/test.log $OUT/test-c16.log $OUT/memcheck.log $OUT/racecheck.log
