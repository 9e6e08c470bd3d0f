#!/usr/bin/env bash
# Session 15 call 14: phased varlen batches (host lengths), C32 (auto) against 16-token records (C32=0), eager and graph,
# over H and length mixes: is call 11-13's eager gain of 16-token records at H = 16 a rule or one shape? .carry/s15h = HEAD.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15h/lib/libflashkda.so
pc() { timeout 60 python3 bench/plan_check.py "$@" --graph --knobs auto C32=0 auto C32=0 2>&1 | grep -v -i warn; }
for H in 8 12 16 20; do
  pc --H $H --lens 1300,547,2048,963,271,3063
  pc --H $H --lens 4000,1000,1000,1000,1000
done
pc --H 16 --lens 3063,16
pc --H 16 --lens 2500,2100,1800,900,500,300,70,22
pc --H 16 --lens 6000,700,700,500
