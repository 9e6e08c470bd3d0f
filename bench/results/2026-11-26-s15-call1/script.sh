#!/usr/bin/env bash
# Session 15 call 1: prep32 CTAs beside the phased chains (FKDA_PREFILL_COLOC = KB of a phased C32 chain CTA: 3 stages
# padded, so that two prep32 CTAs (55 KB each) fit beside a chain CTA and a second chain CTA does not; carveouts at max
# shared). .carry/s15a = HEAD + the knob (off by default). plan_check eager and graph, and kernel timelines.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s15a/lib/libflashkda.so
BIG=1300,547,2048,963,271,3063
pc() { timeout 120 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn; }
pc --H 16 --lens $BIG --graph --knobs auto COLOC=114 COLOC=115 COLOC=150 PHASES=2 PHASES=2,COLOC=114 PHASES=3 PHASES=3,COLOC=114 PHASES=4 PHASES=4,COLOC=114 PHASES=1 PHASES=1,COLOC=114
pc --H 8 --lens $BIG --graph --knobs auto COLOC=114 PHASES=3,COLOC=114 PHASES=4,COLOC=114
pc --H 4 --lens $BIG --graph --knobs auto COLOC=114 PHASES=2,COLOC=114
pc --H 32 --lens $BIG --graph --knobs auto COLOC=114
timeout 120 python3 bench/phase_timeline.py --H 16 --lens $BIG --knobs auto COLOC=114 PHASES=4,COLOC=114 2>&1 | grep -v -i warn
