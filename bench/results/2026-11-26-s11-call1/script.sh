#!/usr/bin/env bash
# Session 11 call 1: C32 (pair records, 32-token chain steps; branch wip-c32, .carry/c32): the GPU suite, memcheck and
# racecheck with FKDA_PREFILL_C32=1, then C32 off / on in one process on the shapes whose chain runs without segments
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/c32/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_C32=1 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/c32
grep -c "FAIL" $OUT/test.log
PC="timeout 60 python3 bench/plan_check.py"
$PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 --profile 2>&1 | grep -v -i warn
$PC --no-host --H 16 --lens 3063,16 --knobs auto C32=1 --profile 2>&1 | grep -v -i warn
$PC --no-host --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --H 16 --T 8192 --knobs SEG=0 SEG=0,C32=1 auto 2>&1 | grep -v -i warn
$PC --H 32 --T 8192 --knobs SEG=0 SEG=0,C32=1 auto 2>&1 | grep -v -i warn
$PC --H 64 --T 8192 --knobs SEG=0 SEG=0,C32=1 auto 2>&1 | grep -v -i warn
$PC --H 16 --T 1024 --B 8 --knobs auto V2=3 V2=3,C32=1 --profile 2>&1 | grep -v -i warn
$PC --H 96 --T 8192 --knobs auto V2=3 V2=3,C32=1 2>&1 | grep -v -i warn
