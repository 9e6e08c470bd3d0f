#!/usr/bin/env bash
# Session 17 call 3 (HEAD's kernels = bdc0d3a's, .carry/s17): the Python GPU suite built and installed from this
# checkout (fla-core 0.6.0 and 0.5.2); then the fused kernel's halves alone (V2=5 producers, V2=6 consumers) with three
# groups (default) and with two (CW=8) on H = 16 1024 x 8 and H = 96 1 x 8192.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
OUT=$OUT/py OVERHEAD=0 SUITE_LIMIT=400 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -14
source bench/device_env.sh
export PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/s17/lib/libflashkda.so PYTHONUNBUFFERED=1
for args in "--H 16 --T 1024 --B 8" "--H 96 --T 8192"; do
  timeout 100 python3 bench/plan_check.py $args --graph --knobs auto V2=5 V2=6 CW=8 CW=8,V2=5 CW=8,V2=6 2>&1 | tee -a $OUT/halves.log
done
