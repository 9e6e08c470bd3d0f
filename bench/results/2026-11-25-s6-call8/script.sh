#!/usr/bin/env bash
# session 6 call 8: key-split chain (wip-ksplit) vs main 90691f1: suite (default and KSPLIT=1 forced), sanitizers,
# A/B, FLA on H16 varlen
set -u
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
CAND=.carry/cand
(timeout 100 $CAND/bin/test_cuda_prefill > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
(FKDA_PREFILL_KSPLIT=1 timeout 100 $CAND/bin/test_cuda_prefill > $OUT/test-ks1.log 2>&1; echo "test rc=$?" >> $OUT/test-ks1.log) &
for tool in memcheck racecheck; do
  (FKDA_PREFILL_KSPLIT=1 timeout 120 $CS --tool $tool --error-exitcode 3 $CAND/bin/test_cuda_prefill small > $OUT/$tool.log 2>&1
   echo "$tool rc=$?" >> $OUT/$tool.log) &
done
wait
for f in test test-ks1; do grep -E "FAIL" $OUT/$f.log | head -4; tail -n 2 $OUT/$f.log; done
grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in ref cand; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6 --no-fla \
    --variants auto:4,auto:0 --err-only 6 | grep "^H=" | cut -c1-170 | tee -a $OUT/ab.log
done
echo "== cand, key split forced on at split 2"
FKDA_PREFILL_KSPLIT=1 FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so timeout 90 python3 bench/prefill_bench.py \
  --only 3,4,5,8,10 --no-fla --variants 2:4,auto:4 | grep "^H=" | cut -c1-120 | tee -a $OUT/ab.log
grep -q "test rc=0" $OUT/test.log || exit 0
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
for r in 1 2; do
  FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/$CAND/lib/libflashkda.so timeout 60 \
    python3 bench/prefill_bench.py --only 6 --variants auto:4 --err-only 99 | grep "^H=" | cut -c1-110 | tee -a $OUT/fla.log
done
