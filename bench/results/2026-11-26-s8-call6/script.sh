# s8 call 6: the CW = 8 chain (8 value columns a warp). Suite with FKDA_PREFILL_CW=8 (the "ov" cases compare v4.1 with
# v2 bit for bit, so they are expected to differ there), memcheck/racecheck small with it; then A/B main (prep =
# 6650af5) against cw8 with and without the knob, and cw8 with splits 1 / 2 / 4 on the v2 shapes.
# (the suite and sanitizer block that ran here is bench/run_gpu_checks.sh since the session-8 review)
export OUT=${OUT:-/tmp/out}; FKDA_PREFILL_CW=8 TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/cw8 >/dev/null
grep -E "FAIL|fail|mismatch|differ" $OUT/test.log | grep -v "^ov " | head -20; grep -c "^ov " $OUT/test.log; tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for r in 1 2; do
  echo "== main"; FLASHKDA_LIBRARY=$PWD/.carry/prep/lib/libflashkda.so timeout 100 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 --no-fla --variants auto:4 | grep "^H=" | cut -c1-60
  echo "== cw8 lib, knob off"; FLASHKDA_LIBRARY=$PWD/.carry/cw8/lib/libflashkda.so timeout 100 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 --no-fla --variants auto:4 | grep "^H=" | cut -c1-60
  echo "== cw8 (auto:4,1:4,2:4,4:4)"; FKDA_PREFILL_CW=8 FLASHKDA_LIBRARY=$PWD/.carry/cw8/lib/libflashkda.so timeout 150 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 --no-fla --variants auto:4,1:4,2:4,4:4 | grep "^H=" | cut -c1-110
done
