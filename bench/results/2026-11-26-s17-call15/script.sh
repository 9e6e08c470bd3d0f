#!/usr/bin/env bash
# Session 17 call 15: the closing FLA table on HEAD's library after the review (883c17a = .carry/fin2: chain_tiles, the
# f32 state branches in load_state / store_final_state<ROWS>), fla-core 0.6.0 in the same process, eager and graph, --host-cu, our eager
# calls through the C hot path; then the Python GPU suite built and installed from this checkout (0.6.0 and 0.5.2).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
fla_autotune_restore
fla_install 0.6.0 /tmp/site
FLASHKDA_LIBRARY=$PWD/.carry/fin2/lib/libflashkda.so PYTHONUNBUFFERED=1 FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python \
  timeout 300 python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json $OUT/prefill.json \
  --plot $OUT/prefill.png > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; head -1 $OUT/prefill.log; grep -E "^\|" $OUT/prefill.log
OUT=$OUT/py OVERHEAD=0 SUITE_LIMIT=330 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -8
