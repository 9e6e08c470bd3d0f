#!/usr/bin/env bash
# Session 17 call 7: the closing FLA table on HEAD's library (9ec5a78 = .carry/ph: three producer groups, phase refit), fla-core 0.6.0 in the same
# process, eager and graph, --host-cu; our eager calls through the C hot path (fastcall_build).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export FLASHKDA_LIBRARY=$PWD/.carry/ph/lib/libflashkda.so PYTHONUNBUFFERED=1
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python timeout 420 \
  python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json $OUT/prefill.json \
  --plot $OUT/prefill.png > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; head -1 $OUT/prefill.log; grep -E "^\|" $OUT/prefill.log
