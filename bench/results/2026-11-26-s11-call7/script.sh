#!/usr/bin/env bash
# Session 11 call 7: where C32 segments lose (call 6): varlen 6 with host lengths at H = 2, 4, 8 and 1 x 8192 at H = 2, 4;
# plans of .carry/cand (wip-c32seg 5552700) under forced knobs
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
PC="timeout 60 python3 bench/plan_check.py"
for H in 2 4 8; do
  $PC --H $H --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 C32=0 C32=0,SEG=0 2>&1 | grep -v -i warn
done
$PC --H 4 --T 8192 --knobs auto C32=0 SEG=64 SEG=0 2>&1 | grep -v -i warn
$PC --H 2 --T 8192 --knobs auto C32=0 SEG=0 2>&1 | grep -v -i warn
$PC --H 8 --T 8192 --knobs auto C32=0 2>&1 | grep -v -i warn
