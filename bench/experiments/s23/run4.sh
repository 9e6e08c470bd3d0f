#!/usr/bin/env bash
# Session 23 call 4: runtime call costs (api_cost), and the host time of HEAD's library against the SM count cached
# per device (.carry/sc), in C (host_c) and through the binding (host_split.py), alternated.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
.carry/s23/bin/api_cost 2>&1 | tee "$OUT/api_cost.txt"
for r in 1 2; do
  for t in s23 sc; do
    echo "== $t"; timeout 60 .carry/$t/bin/host_c auto PHASES=1 2>&1
  done
done | tee "$OUT/host_c.txt"
for r in 1 2; do
  for t in s23 sc; do
    echo "== $t"
    FLASHKDA_LIBRARY=$PWD/.carry/$t/lib/libflashkda.so PYTHONPATH=$PWD/python timeout 100 python3 bench/experiments/s23/host_split.py 2>&1
  done
done | tee "$OUT/host_split.txt"
