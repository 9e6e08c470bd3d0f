#!/usr/bin/env bash
# Session 10 call 14 (review): the single chain launch path (.carry/rev = main after the review commit): suite +
# sanitizers, then the deep path with and without PDL and a fixed-length shape
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/rev/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
bash bench/run_gpu_checks.sh .carry/rev
PC="timeout 60 python3 bench/plan_check.py --no-host"
$PC --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto PDL=0 DEEP=0 auto 2>&1 | grep -v -i warn
timeout 60 python3 bench/plan_check.py --H 16 --T 8192 --knobs auto 2>&1 | grep -v -i warn
