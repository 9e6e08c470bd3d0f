#!/usr/bin/env bash
# Session 15 call 15: a serving-like batch, one long prompt and many short ones (4000 + 200 x 20 tokens, and 3000, 2000 +
# 150 x 30) with host lengths: the planner picks no segments and no phases (N x HV > SMs, average < 64 tokens: 16-token
# records). Forced segments against auto. And H = 12 4000,1000 x 4 with C32=0 (call 14: 0.269 ms, segments L = 56).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15h/lib/libflashkda.so
L1=4000$(python3 -c "print(',20'*200)")
L2=3000,2000$(python3 -c "print(',30'*150)")
pc() { timeout 100 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn | sed 's/lens=[0-9,]*/lens=.../'; }
pc --H 16 --lens $L1 --graph --profile --knobs auto SEG=32 SEG=64 SEG=128 C32=1 C32=1,SEG=32 C32=1,SEG=64
pc --H 8 --lens $L1 --graph --knobs auto SEG=32 SEG=64 C32=1,SEG=32
pc --H 16 --lens $L2 --graph --knobs auto SEG=32 SEG=64 C32=1,SEG=32
pc --H 12 --lens 4000,1000,1000,1000,1000 --graph --knobs C32=0 C32=0,SEG=0 auto
