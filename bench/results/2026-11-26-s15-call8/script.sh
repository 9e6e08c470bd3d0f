#!/usr/bin/env bash
# Session 15 call 8: the closing FLA table on HEAD's kernels (.carry/s15e: bulk records, mma row norms), fla-core 0.6.0 in the same
# process, eager and graph, host lengths for both sides (--host-cu), as in session 13's call 5
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export FLASHKDA_LIBRARY=$PWD/.carry/s15e/lib/libflashkda.so PYTHONUNBUFFERED=1
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python timeout 420 \
  python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json $OUT/prefill.json \
  --plot $OUT/prefill.png > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; grep -E "^\|" $OUT/prefill.log
