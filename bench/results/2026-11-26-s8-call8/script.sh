# s8 call 8: the correct pass with double-buffered loads and A fragments in registers (corr) against main (prep =
# 6650af5): suite + memcheck/racecheck small on corr, then plan_check --profile on the segmented shapes for both.
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(timeout 200 .carry/corr/bin/test_cuda_prefill > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
for tool in memcheck racecheck; do
  (timeout 150 $CS --tool $tool --error-exitcode 3 .carry/corr/bin/test_cuda_prefill small > $OUT/$tool.log 2>&1
   echo "$tool rc=$?" >> $OUT/$tool.log) &
done
wait
grep -E "^seg" $OUT/test.log | cut -c1-110; tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in prep corr; do
  echo "== $L"; export FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so
  P="timeout 100 python3 bench/plan_check.py --profile"
  $P --H 16 --T 8192 --knobs auto SEG=256 2>&1 | grep -v -i warn
  $P --H 16 --T 65536 --knobs auto SEG=2048 2>&1 | grep -v -i warn
  $P --H 8 --T 8192 --knobs auto 2>&1 | grep -v -i warn
  $P --H 2 --T 65536 --knobs auto SEG=293 2>&1 | grep -v -i warn
  $P --H 4 --T 65536 --knobs auto 2>&1 | grep -v -i warn
done
