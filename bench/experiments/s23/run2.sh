#!/usr/bin/env bash
# Session 23 call 2: the rest's last record slots in the prep of the phase before the rest (FKDA_PREFILL_XS):
# GPU suite + sanitizers of the build, then forced XS values against auto (XS = 0) at H = 16 / 8 varlen 6.
set -u
LIB=${LIB:-.carry/xs}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
OUT=$OUT TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh "$LIB"
grep -E "rest's last|worst" "$OUT/test.log" | head -8
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
L=1300,547,2048,963,271,3063
for r in 1 2; do
  timeout 100 python3 bench/plan_check.py --H 16 --lens $L --graph --knobs auto XS=4 XS=8 XS=12 XS=16 XS=24 2>&1 | tee -a "$OUT/xs16.txt"
done
timeout 60 python3 bench/plan_check.py --H 8 --lens $L --graph --knobs auto XS=4 XS=8 XS=16 2>&1 | tee -a "$OUT/xs8.txt"
timeout 60 python3 bench/plan_check.py --H 16 --lens 4000,1000,1000,1000,1000 --graph --knobs auto XS=8 XS=16 XS=32 2>&1 | tee -a "$OUT/xs16b.txt"
timeout 120 python3 bench/eager_gap.py --H 16 --lens $L --knobs auto XS=12 > "$OUT/gap.txt" 2>&1; grep -A13 "graph x3" "$OUT/gap.txt" | head -40
