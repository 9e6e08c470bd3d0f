#!/usr/bin/env bash
# Session 15 call 16: the serving-like batches of call 15 (one or two long prompts + many short ones, N x HV > SMs: the
# generic V-split rule, no longest-first order) under forced splits. .carry/s15h = HEAD.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15h/lib/libflashkda.so
L1=4000$(python3 -c "print(',20'*200)")
L2=3000,2000$(python3 -c "print(',30'*150)")
L3=$(python3 -c "print(','.join(['30']*150)+',3000,2000')")
pc() { timeout 100 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn | sed 's/lens=[0-9,]*/lens=.../'; }
for H in 16 8 32; do pc --H $H --lens $L1 --graph --knobs auto SPLIT=1 SPLIT=2 SPLIT=4 SPLIT=8 C32=1,SPLIT=2 C32=1,SPLIT=4; done
pc --H 16 --lens $L2 --graph --knobs auto SPLIT=2 SPLIT=4 C32=1,SPLIT=4
pc --H 16 --lens $L3 --graph --knobs auto SPLIT=2 SPLIT=4 C32=1,SPLIT=4
