#!/usr/bin/env bash
# Session 18 call 11: call 10's change with the deep stages only where idle segment CTAs push the grid past the SMs
# (call 10: deep stages where the grid fits cost H = 8 1 x 8192 4%), library .carry/v4 (same plans as v3 on the host
# probe, kernels' SASS identical to 0d4c09f). GPU suite (default and C32=0), memcheck, racecheck; A/B against 0d4c09f
# (.carry/n), alternated.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/res
nvidia-smi --query-gpu=name --format=csv,noheader
OUT=/tmp/res TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/v4
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
SH="8:8192 16:8192 64:8192 16:65536 20:8192 20:65536 12:4096 12:16384 4:8192 6:16384*2"
for L in n v4 n v4; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 python3 bench/ab_shapes.py --tag $L --json /tmp/res/ab.jsonl $SH > /tmp/res/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary /tmp/res/ab.jsonl | tee /tmp/res/ab-summary.txt
tar czf $OUT/res.tgz -C /tmp/res .
