#!/usr/bin/env bash
# Session 14 call 8: .carry/s14g = the v4.1 gate without bank conflicts (raw rows at pitch PD, the upper half-warp's
# tokens in the order 12-15, 8-11, the loaders' norm rows paired 4 apart; call 7's ncu: all raw loads and tile stores
# of the gate were 2-way conflicts). GPU suite (ov cases bit-identical to v2), memcheck and racecheck small; outputs
# bit-identical to .carry/s14d_lib (bits.py, two processes); A/B on the v4.1 shapes, alternated
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
B=.carry/s14g/bin/test_cuda_prefill
(timeout 200 $B > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
for tool in memcheck racecheck; do
  (timeout 200 $CS --tool $tool --error-exitcode 3 $B small > $OUT/$tool.log 2>&1; echo "$tool rc=$?" >> $OUT/$tool.log) &
done
wait
tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
FLASHKDA_LIBRARY=$PWD/.carry/s14d_lib/lib/libflashkda.so timeout 120 python3 bench/results/2026-11-26-s12-call6/bits.py save $OUT/ref.pt
FLASHKDA_LIBRARY=$PWD/.carry/s14g/lib/libflashkda.so timeout 120 python3 bench/results/2026-11-26-s12-call6/bits.py cmp $OUT/ref.pt
rm -f $OUT/ref.pt
for L in s14d_lib s14g s14d_lib s14g; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 90 python3 bench/prefill_bench.py --only 0,1,2,7,9 \
    --no-fla --graph --variants auto:4 | grep "^H=" | cut -c1-110
done
FLASHKDA_LIBRARY=$PWD/.carry/s14g/lib/libflashkda.so timeout 60 python3 bench/plan_check.py --H 16 --T 1024 --B 8 \
  --knobs auto V2=5 V2=6 2>&1 | grep -v -i warn | cut -c1-60
