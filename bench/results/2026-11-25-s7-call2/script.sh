#!/usr/bin/env bash
# FLA timing study (bench/fla_timing_study.py): carry [".carry/ref", ".whl", ".fla-cache"]
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/ref/lib/libflashkda.so PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv,noheader
nproc; cat /proc/loadavg
# ALL=1: every shape of the report, --quick, in two processes; otherwise the three H = 16 shapes in full, three processes
if [ "${ALL:-0}" = 1 ]; then
  for p in 1 2; do
    timeout 280 python3 bench/fla_timing_study.py --quick --only 0,1,2,3,4,5,6,7,8,9,10 --tag all-p$p --json $OUT/all-p$p.json 2>&1 |
      grep -v -i warn | tee -a $OUT/all.log
  done
else
  for p in 1 2 3; do
    timeout 170 python3 bench/fla_timing_study.py --only 6,5,7 --tag p$p --json $OUT/study-p$p.json 2>&1 | grep -v Warning | tee -a $OUT/study.log
  done
fi
