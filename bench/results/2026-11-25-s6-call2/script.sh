#!/usr/bin/env bash
# session 6 call 2: candidate wip-lpt (PDL + longest-first order) checks, then the split sweep ref vs cand
set -u
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
CAND=.carry/cand
(timeout 90 $CAND/bin/test_cuda_prefill > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
for tool in memcheck racecheck; do
  (timeout 90 $CS --tool $tool --error-exitcode 3 $CAND/bin/test_cuda_prefill small > $OUT/$tool.log 2>&1
   echo "$tool rc=$?" >> $OUT/$tool.log) &
done
wait
tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in ref cand; do
  echo "== sweep $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 150 python3 bench/prefill_bench.py --only 6,3,4,5,8,10,7,9,1 \
    --no-fla --variants auto:4,1:4,2:4,4:4,8:4 | grep "^H=" | cut -c1-150 | tee -a $OUT/sweep-$L.log
done
echo "== cand H16 varlen knobs: PDL off, ORDER off"
for env in FKDA_PREFILL_PDL=0 FKDA_PREFILL_ORDER=0 "FKDA_PREFILL_PDL=0 FKDA_PREFILL_ORDER=0"; do
  echo "-- $env"
  env $env FLASHKDA_LIBRARY=$PWD/$CAND/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6,3 --no-fla \
    --variants auto:4,2:4,4:4,8:4 | grep "^H=" | cut -c1-150
done
