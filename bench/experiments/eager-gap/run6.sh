#!/usr/bin/env bash
# Session 22 call 6: the H = 16 varlen row (shape 6) of the FLA table in three more processes (HEAD's library
# .carry/hd, fla-core 0.6.0, --graph --host-cu): how FLA's eager time, and with it the eager ratio, moves by process.
#   run(command="bash bench/experiments/eager-gap/run6.sh", carry=[".carry/hd", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
fla_autotune_restore
fla_install 0.6.0 /tmp/site
for i in 1 2 3; do
  FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/hd/lib/libflashkda.so timeout 150 \
    python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --only 6 --err-only 6 \
    --json "$OUT/only6-p$i.json" > "$OUT/only6-p$i.log" 2>&1
  echo "process $i rc=$?"; grep -E "^\| 16" "$OUT/only6-p$i.log"
done
