# s8 call 9: the correct pass with its S_in prologue loads 8 at a time and fixed-count tile copies (corr2, CG = 16;
# corr3 the same with CG = 32) against main (prep = 6650af5). Suite + sanitizers on corr2, then plan_check --profile.
# (the suite and sanitizer block that ran here is bench/run_gpu_checks.sh since the session-8 review)
export OUT=${OUT:-/tmp/out}; TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/corr2 >/dev/null
tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in prep corr2 corr3; do
  echo "== $L"; export FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so
  P="timeout 100 python3 bench/plan_check.py --profile"
  $P --H 16 --T 8192 --knobs auto SEG=256 2>&1 | grep -v -i warn
  $P --H 16 --T 65536 --knobs auto 2>&1 | grep -v -i warn
  $P --H 8 --T 8192 --knobs auto 2>&1 | grep -v -i warn
  $P --H 2 --T 65536 --knobs auto 2>&1 | grep -v -i warn
done
