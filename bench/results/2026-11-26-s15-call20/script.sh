#!/usr/bin/env bash
# Session 15 call 20: the closing FLA table on HEAD's kernels (.carry/s15p: + state by key pairs), fla-core 0.6.0 in
# the same process, eager and graph, --host-cu; then the Python GPU suite built from this checkout.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export FLASHKDA_LIBRARY=$PWD/.carry/s15p/lib/libflashkda.so PYTHONUNBUFFERED=1
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python timeout 300 \
  python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json $OUT/prefill.json \
  --plot $OUT/prefill.png > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; grep -E "^\|" $OUT/prefill.log
unset FLASHKDA_LIBRARY
OUT=$OUT OVERHEAD=0 SUITE_LIMIT=250 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -12
