#!/usr/bin/env bash
# Session 15 call 2: the C32 chain's records by one bulk copy a stage (FKDA_PREFILL_BULK=1: cp.async.bulk by thread 0,
# completing on the stage's mbarrier; v rows stay cp.async) against 16-byte cp.async by every thread (default).
# Question: do the chains slow beside the preps (111 -> 136 us for the 3063-token chain at H = 16 varlen) because
# their cp.async issue stalls under memory load? .carry/s15b = HEAD + knobs COLOC and BULK (both off by default).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_BULK=1 TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s15b
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15b/lib/libflashkda.so
BIG=1300,547,2048,963,271,3063
pc() { timeout 150 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn; }
pc --H 16 --lens 3063,16 --profile --knobs auto BULK=1 PHASES=1 BULK=1,PHASES=1
pc --H 16 --lens $BIG --graph --knobs auto BULK=1 PHASES=2,COLOC=114 PHASES=2,COLOC=114,BULK=1 PHASES=1 BULK=1,PHASES=1
pc --H 16 --lens $BIG --no-host --graph --knobs auto BULK=1
pc --H 8 --lens $BIG --graph --knobs auto BULK=1
pc --H 16 --T 8192 --graph --knobs auto BULK=1
pc --H 32 --T 8192 --graph --knobs auto BULK=1
pc --H 64 --T 8192 --graph --knobs auto BULK=1
pc --H 16 --T 65536 --graph --knobs auto BULK=1
timeout 120 python3 bench/phase_timeline.py --H 16 --lens $BIG --knobs auto BULK=1 2>&1 | grep -v -i warn
