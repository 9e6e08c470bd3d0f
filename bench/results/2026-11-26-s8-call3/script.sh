OUT=${OUT:-/tmp/out}; mkdir -p $OUT
(timeout 90 .carry/cand/bin/test_cuda_prefill > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
wait; tail -2 $OUT/test.log
for L in prep cand s5 l2 prep cand s5 l2; do echo "== $L"; FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 100 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 --no-fla --variants auto:4 | grep "^H=" | cut -c1-60; done
