#!/usr/bin/env bash
# Session 13 call 8: L2 eviction hints in the phase preps (.carry/s13g, knob FKDA_PREFILL_L2HINT: bit 0 evict_first
# for the q, k, g loads of every phase prep, bit 1 for the rest phase's record stores), so that the longest chain's
# records stay in L2 while the other preps stream; timelines and timings with host lengths; prep32's stores now take a
# cache policy everywhere (evict_normal outside phases): A/B against HEAD (.carry/s13f) on prep32-heavy shapes
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
export FLASHKDA_LIBRARY=$PWD/.carry/s13g/lib/libflashkda.so
for H in 16 8; do
  $PC --H $H --lens $BIG --knobs auto L2=1 L2=2 L2=3 SEG=0,PHASES=2 SEG=0,PHASES=2,L2=3 auto 2>&1 | grep -v -i warn
done
timeout 120 python3 bench/phase_timeline.py --H 16 --lens $BIG --knobs SEG=0,PHASES=3 SEG=0,PHASES=3,L2=3 2>&1 | grep -v -i warn
for L in s13f s13g s13f s13g; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 3,4,5,6 \
    --no-fla --variants auto:4 | grep "^H=" | cut -c1-75
done
