#!/usr/bin/env bash
# Session 15 call 19: the final state stored as 8-byte (f32) / 4-byte (bf16) key pairs where the state is contiguous
# V-first (store_final_state), the fused kernel's initial state loaded the same way (load_state); the chain kernels keep
# scalar loads (pair loads there moved ptxas to 167 registers and a longer 16-token loop). .carry/s15p = the change,
# .carry/s15h = HEAD. Suite + sanitizers on s15p; A/B in alternation.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=250 SAN_LIMIT=250 bash bench/run_gpu_checks.sh .carry/s15p
grep -h worst $OUT/test.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
L1=4000$(python3 -c "print(',20'*200)")
ab() { for lib in s15h s15p s15h s15p; do echo "== $lib"; FLASHKDA_LIBRARY=$PWD/.carry/$lib/lib/libflashkda.so timeout 100 python3 bench/plan_check.py "$@" --graph 2>&1 | grep -v -i warn | sed 's/lens=[0-9,]*/lens=.../'; done; }
ab --H 16 --lens $L1 --knobs auto
ab --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto
ab --H 16 --T 8192 --knobs auto
ab --H 16 --T 1024 --B 8 --knobs auto
ab --H 32 --T 256 --B 64 --knobs auto
ab --H 64 --T 8192 --knobs auto
