#!/usr/bin/env bash
# Session 18 call 2: the FLA table at HEAD (3b8ac50, .carry/h) in three separate processes, to give the spread of every
# ratio (eager and graph) rather than one process's draw: auto:4 (the default) everywhere, --graph --host-cu; the
# first process also times auto:0 (precision mask 0: U not split) as a second variant and runs the fp64 error checks.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/res
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
fla_autotune_restore
fla_install 0.6.0 /tmp/site
LIB=$PWD/.carry/h/lib/libflashkda.so
for i in 1 2 3; do
  if [ $i = 1 ]; then extra="--variants auto:4,auto:0 --err-only 0,6,7 --err-variants"; else extra="--variants auto:4 --err-only 99"; fi
  FLASHKDA_LIBRARY=$LIB PYTHONUNBUFFERED=1 FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python \
    timeout 250 python3 bench/prefill_bench.py $extra --graph --host-cu --json /tmp/res/p$i.json \
    $( [ $i = 1 ] && echo --plot /tmp/res/p1.png ) > /tmp/res/p$i.log 2>&1
  echo "== p$i rc=$?"; head -1 /tmp/res/p$i.log; grep -E "^\|" /tmp/res/p$i.log | cut -c1-200
done
tar czf $OUT/res.tgz -C /tmp/res .
