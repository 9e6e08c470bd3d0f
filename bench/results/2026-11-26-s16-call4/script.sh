#!/usr/bin/env bash
# Session 16 call 4: START_BAR, the fused kernel's chain warps issue their initial-state loads and v prefetch only after
# the loaders have issued their first chunk's q, k, g (.carry/sb), against HEAD dfe19f4 (.carry/f1). Timeline of the
# globaltimer build with START_BAR (.carry/profsb; FKDA_PROF_NOSTART=1 switches it off in the same build); suite,
# memcheck, racecheck of sb; A/B f1 sb f1 sb on the fused shapes.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
D=bench/results/2026-11-26-s16-call3
for nostart in 1 0; do
  for h in 16 96; do
    echo "== FKDA_PROF_NOSTART=$nostart"
    if [ $nostart = 1 ]; then export FKDA_PROF_NOSTART=1; else unset FKDA_PROF_NOSTART; fi
    FLASHKDA_LIBRARY=$PWD/.carry/profsb/lib/libflashkda.so TL_H=$h python3 $D/fused_tl.py 2>&1 | tee -a $OUT/tl.log
  done
done
unset FKDA_PROF_NOSTART
TEST_LIMIT=240 SAN_LIMIT=240 FKDA_PREFILL_C32=1 bash bench/run_gpu_checks.sh .carry/sb
SH="16:1024*8 96:8192 96:1024*8 32:256*64 96:1300,547,2048,963,271,3063 64:1024*8"
for L in f1 sb f1 sb; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
