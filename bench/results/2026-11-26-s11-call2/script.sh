#!/usr/bin/env bash
# Session 11 call 2: C32 after call 1 (prep32's Ab21 by all 256 threads instead of one warp's serial loops; chain_pair
# with -Kd in the record and V^T through an identity mma, stmatrix output staging: loop 640 -> 602 SASS): suite and
# sanitizers with FKDA_PREFILL_C32=1, then C32 off / on with per-kernel times
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/c32/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_C32=1 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/c32
PC="timeout 60 python3 bench/plan_check.py"
$PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 --profile 2>&1 | grep -v -i warn
$PC --no-host --H 16 --lens 3063,16 --knobs auto C32=1 --profile 2>&1 | grep -v -i warn
$PC --no-host --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --H 16 --T 8192 --knobs SEG=0 SEG=0,C32=1 auto 2>&1 | grep -v -i warn
$PC --H 32 --T 8192 --knobs SEG=0 SEG=0,C32=1 auto --profile 2>&1 | grep -v -i warn
$PC --H 16 --T 1024 --B 8 --knobs auto V2=3 V2=3,C32=1 --profile 2>&1 | grep -v -i warn
