#!/usr/bin/env bash
# Session 17 call 6: the phase model refit (.carry/ph) against the plan before it (.carry/s17), alternated s17 ph s17 ph
# with host lengths on the batches whose plan changed (H = 16 varlen 6: 3 -> 2 phases; H = 8 4000,1000 x 4: segments
# L = 44 -> 2 phases) and controls whose plan did not; then suite / memcheck / racecheck of ph.
# plans-before.txt / plans-after.txt: plan_probe.cu (plan_prefill on the host, no GPU) before and after the refit.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
SH="16:1300,547,2048,963,271,3063 8:4000,1000*4 12:4000,1000*4 16:4000,1000*4 8:1300,547,2048,963,271,3063 12:1300,547,2048,963,271,3063"
for L in s17 ph s17 ph; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/ph
