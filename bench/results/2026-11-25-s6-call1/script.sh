#!/usr/bin/env bash
# session 6 call 1: the vldsm A/B, then H16 varlen variants (split, precision, prep alone) and repeated FLA timings
set -u
OUT=${OUT:-/tmp/out}
bash bench/run_ab_fla_device.sh
export PYTHONPATH=/tmp/site:$PWD/python PYTHONUNBUFFERED=1 FLA_FLASH_KDA=0
for L in ref cand; do
  echo "== variants $L (shape 6: H16 varlen; auto:4:2 = prep alone)"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6 --no-fla \
    --variants auto:4,2:4,4:4,auto:0,auto:4:2 | grep "^H=" | cut -c1-140
done
for r in 1 2 3; do
  FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6,5 \
    --variants auto:4 --err-only 99 | grep "^H=" | cut -c1-110
done
