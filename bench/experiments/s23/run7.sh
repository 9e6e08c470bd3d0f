#!/usr/bin/env bash
# Session 23 call 7 (closing): HEAD's library (.carry/s23) against fla-core 0.6.0, the report table (--graph --host-cu),
# then the H = 16 varlen row (shape 6) in two more processes.
#   run(command="bash bench/experiments/s23/run7.sh", carry=[".carry/s23", ".whl"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
nvidia-smi --query-gpu=name,clocks.max.sm,driver_version --format=csv,noheader
fla_table .carry/s23 --host-cu
for i in 2 3; do
  FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/s23/lib/libflashkda.so timeout 150 \
    python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --only 6 --err-only 6 \
    --json "$OUT/only6-p$i.json" > "$OUT/only6-p$i.log" 2>&1
  echo "process $i rc=$?"; grep -E "^\| 16" "$OUT/only6-p$i.log"
done
