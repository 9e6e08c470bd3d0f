#!/usr/bin/env bash
# Session 13 call 3: phases with plain events (.carry/s13c): mode 0 = phase i in stream i, the chain a PDL dependent
# of its prep, an event recorded between them for the next phase's stream; mode 1 = chains in streams of the greatest
# priority waiting for their prep's event. Timings only (cu_seqlens_host), against PHASES=1 and 0348823 (.carry/s12e)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
FLASHKDA_LIBRARY=$PWD/.carry/s12e/lib/libflashkda.so $PC --H 16 --lens $BIG --knobs SEG=0 2>&1 | grep -v -i warn
export FLASHKDA_LIBRARY=$PWD/.carry/s13c/lib/libflashkda.so
for H in 16 8; do
  $PC --H $H --lens $BIG --knobs SEG=0,PHASES=1 SEG=0,PHASES=2,PMODE=0 SEG=0,PHASES=3,PMODE=0 SEG=0,PHASES=2,PMODE=1 \
    SEG=0,PHASES=3,PMODE=1 2>&1 | grep -v -i warn
done
$PC --H 16 --lens $BIG --knobs SEG=0,PHASES=3,PMODE=0 SEG=0,PHASES=3,PMODE=1 --profile 2>&1 | grep -v -i warn
