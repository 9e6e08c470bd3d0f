#!/usr/bin/env bash
# Session 11 call 9: recheck of call 8's one outlier (H = 8 varlen 6 with host lengths, auto 0.161 then 0.452 ms)
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
timeout 60 python3 bench/plan_check.py --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto C32=0 auto auto 2>&1 | grep -v -i warn
