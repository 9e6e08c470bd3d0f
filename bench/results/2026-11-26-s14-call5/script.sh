#!/usr/bin/env bash
# Session 14 call 5: two candidates on top of the loaders (.carry/s14d): s14e = FSTAGES 8 (a deeper ring between the
# producer groups and the chain), s14f = s14e + tile_product with two accumulator chains (even / odd k steps, summed at
# the end: the 16 x 16 products' dependent mma chain halved; changes the bits of every prep path alike). GPU suite
# on s14f (and s14e, C32 default) and racecheck of s14e's small cases; A/B/C on the v4.1 shapes and the prep32 shapes
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(timeout 200 .carry/s14f/bin/test_cuda_prefill > $OUT/test-f.log 2>&1; echo "test s14f rc=$?" >> $OUT/test-f.log) &
(timeout 200 .carry/s14e/bin/test_cuda_prefill > $OUT/test-e.log 2>&1; echo "test s14e rc=$?" >> $OUT/test-e.log) &
(timeout 200 $CS --tool racecheck --error-exitcode 3 .carry/s14e/bin/test_cuda_prefill small > $OUT/racecheck-e.log 2>&1; echo "racecheck s14e rc=$?" >> $OUT/racecheck-e.log) &
wait
tail -n 3 $OUT/test-f.log $OUT/test-e.log; grep -E "SUMMARY|rc=" $OUT/racecheck-e.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in s14d_lib s14e s14f s14d_lib s14e s14f; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 90 python3 bench/prefill_bench.py --only 0,1,2,7,9,5,6 \
    --no-fla --graph --variants auto:4 | grep "^H=" | cut -c1-110
done
