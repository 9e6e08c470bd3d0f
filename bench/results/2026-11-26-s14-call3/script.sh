#!/usr/bin/env bash
# Session 14 call 3: .carry/s14d = v4.1 loaders, each loader warp the norms of its own rows (__syncwarp, no loader barrier: call 2 racecheck reported 30 hazards with it)
# GPU suite (default and C32=0: every "ov" case bit-identical to v2), memcheck and racecheck
# (small: "small varlen overlap"); A/B against .carry/s14a (v4.1 as before) on the v4.1 shapes (0, 1, 2, 7, 9), eager
# and graph, alternated; the v4.1 halves alone (V2=5 producers, V2=6 chain) at H = 16 8 x 1024
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s14d
grep -c "bit-identical\|identical" $OUT/test.log; grep -iE "differ|mismatch|FAIL" $OUT/test.log | head -5
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in s14a s14d s14a s14d; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 90 python3 bench/prefill_bench.py --only 0,1,2,7,9 \
    --no-fla --graph --variants auto:4 | grep "^H=" | cut -c1-110
done
for L in s14a s14d; do
  echo "== $L halves"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --H 16 --T 1024 --B 8 \
    --knobs auto V2=5 V2=6 2>&1 | grep -v -i warn | cut -c1-60
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --H 96 --T 8192 \
    --knobs auto V2=5 V2=6 2>&1 | grep -v -i warn | cut -c1-60
done
