#!/usr/bin/env bash
# Session 10 call 1: is the H = 16 varlen chain slowed by co-resident chain CTAs or by memory? (.carry/pad = main +
# FKDA_PREFILL_CHAIN_PAD: the chain's dynamic shared memory padded so that one chain CTA fits an SM)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/pad/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
PC="timeout 90 python3 bench/plan_check.py --profile"
$PC --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto PAD=120000 ORDER=0 ORDER=0,PAD=120000 SPLIT=1 SPLIT=4,PAD=120000 2>&1 | grep -v -i warn
# the long chain alone, and the batch without it
$PC --H 16 --lens 3063,1 --knobs auto PAD=120000 2>&1 | grep -v -i warn
$PC --H 16 --lens 1300,547,2048,963,271 --knobs auto PAD=120000 2>&1 | grep -v -i warn
# fixed-length shapes on the v2 chain with and without the pad
$PC --H 16 --T 8192 --knobs auto PAD=120000 SEG=0 SEG=0,PAD=120000 2>&1 | grep -v -i warn
$PC --H 8 --T 8192 --knobs auto PAD=120000 2>&1 | grep -v -i warn
$PC --H 32 --T 8192 --knobs auto PAD=120000 2>&1 | grep -v -i warn
