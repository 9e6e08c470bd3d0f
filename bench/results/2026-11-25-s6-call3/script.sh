#!/usr/bin/env bash
# session 6 call 3: candidate wip-pipe (pipelined chain) vs ref wip-lpt: checks, split sweep, FLA table if the suite passes
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
grep -iE "fail|error" $OUT/test.log | head -5; tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in ref cand; do
  echo "== sweep $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 120 python3 bench/prefill_bench.py --only 6,3,4,5,8,10 \
    --no-fla --variants auto:4,1:4,2:4,4:4,8:4 --err-only 6,5 | grep "^H=" | cut -c1-190 | tee -a $OUT/sweep-$L.log
done
grep -q "test rc=0" $OUT/test.log || exit 0
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/$CAND/lib/libflashkda.so timeout 200 \
  python3 bench/prefill_bench.py --variants auto:4 --err-only 0,6,7 --json $OUT/prefill.json --plot $OUT/prefill.png \
  > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; grep -E "^\|" $OUT/prefill.log
