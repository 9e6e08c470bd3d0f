# s8 call 8: the correct pass with double-buffered loads and A fragments in registers (corr) against main (prep =
# 6650af5): suite + memcheck/racecheck small on corr, then plan_check --profile on the segmented shapes for both.
# (the suite and sanitizer block that ran here is bench/run_gpu_checks.sh since the session-8 review)
export OUT=${OUT:-/tmp/out}; TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/corr >/dev/null
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
