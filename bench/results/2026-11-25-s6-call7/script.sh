#!/usr/bin/env bash
# session 6 call 7 (closing): main 90691f1 (order + CTA-wide slot search) checks, A/B against wip-lpt 1aff73c,
# the closing run (bench/run_final_device.sh: FLA table, Python tests), then two more FLA timings of the H = 16 shapes
set -u
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
CAND=.carry/cand
(timeout 100 $CAND/bin/test_cuda_prefill > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
for tool in memcheck racecheck; do
  (timeout 100 $CS --tool $tool --error-exitcode 3 $CAND/bin/test_cuda_prefill small > $OUT/$tool.log 2>&1
   echo "$tool rc=$?" >> $OUT/$tool.log) &
done
wait
grep -E "FAIL" $OUT/test.log | head -5; tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
for L in ref cand; do
  echo "== $L"
  PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py \
    --only 6,3,5 --no-fla --variants auto:4,auto:4:2 | grep "^H=" | cut -c1-110 | tee -a $OUT/ab.log
done
bash bench/run_final_device.sh
for r in 1 2; do
  FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:/tmp/fk PYTHONUNBUFFERED=1 timeout 60 python3 bench/prefill_bench.py --only 6,5 \
    --variants auto:4 --err-only 99 | grep "^H=" | cut -c1-110 | tee -a $OUT/fla-repeat.log
done
