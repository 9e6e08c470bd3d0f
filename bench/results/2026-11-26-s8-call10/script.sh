# s8 call 10: plan = main + the correct pass's prologue fix (corr2 of call 9) + the re-fitted segment model.
# Suite + sanitizers on plan; A/B against main (prep = 6650af5) on the v2 shapes; plan_check of the automatic plan
# against forced lengths (the old model's choice among them) on fixed and host-known varlen shapes.
# (the suite and sanitizer block that ran here is bench/run_gpu_checks.sh since the session-8 review)
export OUT=${OUT:-/tmp/out}; TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/plan >/dev/null
grep "^seg auto" $OUT/test.log | cut -c1-100; tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in prep plan prep plan; do echo "== $L"; FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 100 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 --no-fla --variants auto:4 | grep "^H=" | cut -c1-60; done
export FLASHKDA_LIBRARY=$PWD/.carry/plan/lib/libflashkda.so
P="timeout 100 python3 bench/plan_check.py"
$P --H 16 --T 8192 --knobs auto SEG=128 2>&1 | grep " ms"
$P --H 2 --T 65536 --knobs auto SEG=241 SEG=293 2>&1 | grep " ms"
$P --H 4 --T 65536 --knobs auto SEG=256 2>&1 | grep " ms"
$P --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=130 SEG=64 SEG=0 2>&1 | grep " ms"
$P --H 4 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=64 SEG=0 2>&1 | grep " ms"
$P --H 8 --T 20000 --knobs auto SEG=0 2>&1 | grep " ms"
