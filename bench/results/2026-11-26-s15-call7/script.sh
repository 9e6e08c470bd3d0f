#!/usr/bin/env bash
# Session 15 call 7: prep_gate_v4 loads the q, k pairs of its 8 tokens before the gate's sums (their latency beside the
# chain's ldmatrix traffic hidden behind the sigmoids; call 5 measured the gate at ~3200 cycles a group step with the
# chain running, ~1750 without). .carry/s15g = the change, .carry/s15e = HEAD's kernels (mma norms). Suite +
# sanitizers on s15g, A/B in alternation.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s15g
grep worst $OUT/test.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
ab() { for lib in s15e s15g s15e s15g; do echo "== $lib"; FLASHKDA_LIBRARY=$PWD/.carry/$lib/lib/libflashkda.so timeout 100 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn; done; }
ab --H 16 --T 1024 --B 8 --graph --knobs auto V2=5
ab --H 96 --T 8192 --graph --knobs auto
ab --H 96 --T 1024 --B 8 --graph --knobs auto
ab --H 32 --T 256 --B 64 --graph --knobs auto
