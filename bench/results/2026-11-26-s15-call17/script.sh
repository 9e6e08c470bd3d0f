#!/usr/bin/env bash
# Session 15 call 17: phases for batches with N x HV > SMs ("wide": single-sequence phases with deep chains, the last
# phase with the generic chain; phase_pick's last-phase chain term x PH_CROWD = 1.9 where its units exceed the SMs
# left). .carry/s15w = the change. Suite (new cases: phases wide 16-token / C32, auto serving H = 16), sanitizers on
# the small ones; timings against one phase (PHASES=1 = the previous plan) in one process.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=250 SAN_LIMIT=250 bash bench/run_gpu_checks.sh .carry/s15w
grep -hE "worst|phases wide|serving|FAIL" $OUT/test.log | head -12
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15w/lib/libflashkda.so
L1=4000$(python3 -c "print(',20'*200)")
L2=3000,2000$(python3 -c "print(',30'*150)")
L4=6000,1200$(python3 -c "print(',60'*40)")
pc() { timeout 100 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn | sed 's/lens=[0-9,]*/lens=.../'; }
for H in 4 8 16 32; do pc --H $H --lens $L1 --graph --knobs auto PHASES=1 auto PHASES=1; done
pc --H 16 --lens $L2 --graph --knobs auto PHASES=1 auto PHASES=1
pc --H 32 --lens $L2 --graph --knobs auto PHASES=1
pc --H 16 --lens $L4 --graph --knobs auto PHASES=1
pc --H 40 --lens 1300,547,2048,963,271 --graph --knobs auto PHASES=1
pc --H 16 --lens 1300,547,2048,963,271,3063 --graph --knobs auto PHASES=1
pc --H 32 --lens 1300,547,2048,963,271,3063 --graph --knobs auto PHASES=1
