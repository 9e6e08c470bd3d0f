#!/usr/bin/env bash
# Session 18 call 10: one_sm_chains by default (split-2 C32 chains whose working CTAs fit the SMs run the deep stages,
# one CTA an SM; call 9) and the segment model that knows it (no 1.75 band there), library .carry/v3 (kernels' SASS
# identical to 0d4c09f's). GPU suite (default and C32=0), memcheck, racecheck; then A/B against 0d4c09f (.carry/n),
# alternated n v3 n v3, eager and graph (bench/ab_shapes.py): the bar shapes the change reaches (H = 8, 16, 64
# 1 x 8192, H = 16 1 x 65536) and shapes whose plan changes (host probe: plans-v3.txt).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/res
nvidia-smi --query-gpu=name --format=csv,noheader
OUT=/tmp/res TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/v3
source bench/device_env.sh; fastcall_build || echo "fastcall_build failed"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
SH="16:8192 64:8192 8:8192 16:65536 12:16384 20:65536 20:8192 20:16384 6:16384*2 3:12000*4 4:8192 4:65536 1:32768*4 12:4096 2:16384*2"
for L in n v3 n v3; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 python3 bench/ab_shapes.py --tag $L --json /tmp/res/ab.jsonl $SH > /tmp/res/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary /tmp/res/ab.jsonl | tee /tmp/res/ab-summary.txt
tar czf $OUT/res.tgz -C /tmp/res .
