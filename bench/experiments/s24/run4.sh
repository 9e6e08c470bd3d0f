#!/usr/bin/env bash
# Session 24 call 4 (closing table): HEAD's library (.carry/s24) against fla-core 0.6.0, the report table
# (--graph --host-cu), then the H = 16 varlen row (shape 6) in four more processes.
#   run(command="bash bench/experiments/s24/run4.sh", carry=[".carry/s24", ".whl"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
nvidia-smi --query-gpu=name,clocks.max.sm,driver_version --format=csv,noheader
fla_table .carry/s24 --host-cu
for i in 2 3 4 5; do
  FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/s24/lib/libflashkda.so timeout 100 \
    python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --only 6 --err-only 6 \
    --json "$OUT/only6-p$i.json" > "$OUT/only6-p$i.log" 2>&1
  echo "process $i rc=$?"; grep -E "^\| 16" "$OUT/only6-p$i.log"
done
