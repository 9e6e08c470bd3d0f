#!/usr/bin/env bash
# Session 10 call 13: v6 (wip-v6 85e2538) with flag windows of 8 / 16 / 32 chunks (.carry/v6w8, v6w16, v6w32: V6_WIN
# edited before each build); main's deep chain (auto) in each process for reference
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
for w in 8 16 32; do
  echo "== V6_WIN=$w"
  FLASHKDA_LIBRARY=$PWD/.carry/v6w$w/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --profile --no-host \
    --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto V6=1 V6=1,PDL=0 V6=1 2>&1 | grep -v -i warn
done
