#!/usr/bin/env bash
# Session 15 call 3: BULK = B > 1 adds a bulk prefetch into L2 of the record B chunks past the one copied (thread 0).
# Question: is the 3063-token chain's slowdown beside the preps (117 -> 141 us, call 2) load latency beyond the six
# stages? And BULK=1 over more shapes. .carry/s15c = HEAD + knobs COLOC and BULK (off by default).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_BULK=8 FKDA_PREFILL_C32=1 TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s15c
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15c/lib/libflashkda.so
BIG=1300,547,2048,963,271,3063
pc() { timeout 150 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn; }
pc --H 16 --lens $BIG --graph --knobs auto BULK=1 BULK=4 BULK=8 BULK=16 BULK=32
timeout 120 python3 bench/phase_timeline.py --H 16 --lens $BIG --knobs BULK=1 BULK=8 BULK=16 2>&1 | grep -v -i warn
pc --H 16 --T 8192 --graph --knobs auto BULK=1 BULK=8
pc --H 8 --T 8192 --graph --knobs auto BULK=1 BULK=8
pc --H 4 --T 8192 --graph --knobs auto BULK=1 BULK=8
pc --H 32 --T 8192 --graph --knobs auto BULK=1 BULK=8
pc --H 64 --T 8192 --graph --knobs auto BULK=1 BULK=8
pc --H 16 --T 65536 --graph --knobs auto BULK=1 BULK=8
pc --H 8 --lens $BIG --graph --knobs auto BULK=1 BULK=8
pc --H 16 --lens $BIG --no-host --graph --knobs auto BULK=1 BULK=8
pc --H 96 --lens $BIG --no-host --graph --knobs auto BULK=1
