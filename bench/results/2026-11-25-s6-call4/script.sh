#!/usr/bin/env bash
# session 6 call 4: ncu of ref (wip-lpt) chain at H16 varlen, then the branchless pipe vs ref on shapes 6, 3
set -u
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in ref cand; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6,3,5 \
    --no-fla --variants auto:4,1:4 | grep "^H=" | cut -c1-120
done
LIB=.carry/ref/lib bash bench/profile_chain_device.sh 2>&1 | tail -45
