#!/usr/bin/env bash
# Session 18 call 7: HEAD after the segment model refit (library .carry/n; kernels' SASS identical to 3b8ac50): the GPU
# suite (default and C32=0) with memcheck and racecheck on its small cases, then the closing FLA table (fla-core
# 0.6.0 in the same process, eager and graph, --host-cu), then the auto plan against the old one on H = 16 and 20
# 1 x 65536 once more.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/res
nvidia-smi --query-gpu=name --format=csv,noheader
OUT=/tmp/res TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/n
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
fla_autotune_restore
fla_install 0.6.0 /tmp/site
FLASHKDA_LIBRARY=$PWD/.carry/n/lib/libflashkda.so PYTHONUNBUFFERED=1 FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python \
  timeout 300 python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json /tmp/res/prefill.json \
  --plot /tmp/res/prefill.png > /tmp/res/prefill.log 2>&1
echo "prefill_bench rc=$?"; head -1 /tmp/res/prefill.log; grep -E "^\|" /tmp/res/prefill.log
export FLASHKDA_LIBRARY=$PWD/.carry/n/lib/libflashkda.so PYTHONPATH=$PWD/python
python3 bench/plan_check.py --H 16 --T 65536 --knobs auto SEG=1024 auto SEG=1024 --graph 2>&1 | tee /tmp/res/plan16.log
python3 bench/plan_check.py --H 20 --T 65536 --knobs auto SEG=2048 auto SEG=2048 --graph 2>&1 | tee /tmp/res/plan20.log
tar czf $OUT/res.tgz -C /tmp/res .
