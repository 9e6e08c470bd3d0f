#!/usr/bin/env bash
# Session 12 call 5: where v4.1 (overlap) runs today, v2 with C32 and the faster prep32 (da4ac78, .carry/s12a = main's
# kernels) as the alternative: plan_check auto (v4.1) against V2=3 (overlap off) with and without segments / splits
set -u
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s12a/lib/libflashkda.so
PC="timeout 90 python3 bench/plan_check.py"
$PC --H 16 --T 1024 --B 8 --knobs auto V2=3 V2=3,SEG=0 V2=3,SEG=0,SPLIT=1 V2=3,SEG=0,SPLIT=2 V2=3,SEG=0,SPLIT=4 --profile 2>&1 | grep -v -i warn
$PC --H 96 --T 1024 --B 8 --knobs auto V2=3 V2=3,SEG=0,SPLIT=1 2>&1 | grep -v -i warn
$PC --H 32 --T 256 --B 64 --knobs auto V2=3 V2=3,SEG=0,SPLIT=1 2>&1 | grep -v -i warn
$PC --H 96 --T 8192 --knobs auto V2=3 2>&1 | grep -v -i warn
$PC --no-host --H 96 --lens 1300,547,2048,963,271,3063 --knobs auto V2=3 2>&1 | grep -v -i warn
$PC --no-host --H 16 --lens 1024,1024,1024,1024,1024,1024,1024,1024 --knobs auto V2=3 V2=3,DEEP=0 2>&1 | grep -v -i warn
