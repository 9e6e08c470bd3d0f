#!/usr/bin/env bash
# Session 15 call 6: v4.1 with 4 chain warps of 32 value columns (chain_chunk2: the B fragments loaded once for two
# tiles of S^T; producers at 136 registers) against 8 of 16 (FKDA_PREFILL_CW=4 / 8). .carry/s15f = the change (CW=8
# default, its SASS identical to call 4's). Suite (CW=4, C32 default), sanitizers (CW=4), A/B in one process.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_CW=4 FKDA_PREFILL_C32=1 TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s15f
grep worst $OUT/test.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15f/lib/libflashkda.so
pc() { timeout 100 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn; }
pc --H 16 --T 1024 --B 8 --graph --knobs auto CW=4 V2=5 V2=5,CW=4 V2=6 V2=6,CW=4 CW=4
pc --H 96 --T 8192 --graph --knobs auto CW=4
pc --H 96 --T 1024 --B 8 --graph --knobs auto CW=4
pc --H 32 --T 256 --B 64 --graph --knobs auto CW=4
pc --H 96 --lens 1300,547,2048,963,271,3063 --no-host --graph --knobs auto CW=4
