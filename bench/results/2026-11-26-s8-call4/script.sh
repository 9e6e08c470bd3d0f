# s8 call 4: suite (with the new N = 5000 / 20000 cases) + memcheck/racecheck small on cand; A/B of
# prep (6650af5), p6 (6650af5 without the prep's 7-CTA bound), cand (ecs float4 + chain launch bound (2 VS, 1)),
# pipe1 (wip-pipe-py + chain launch bound (2 VS, 1)), two rounds; then plan_check on H = 16 1 x 8192.
# (the suite and sanitizer block that ran here is bench/run_gpu_checks.sh since the session-8 review)
export OUT=${OUT:-/tmp/out}; TEST_LIMIT=200 SAN_LIMIT=120 bash bench/run_gpu_checks.sh .carry/cand >/dev/null
grep -E "N=20000|N=5000" $OUT/test.log | cut -c1-150; tail -n 2 $OUT/test.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in prep p6 cand pipe1 prep p6 cand pipe1; do echo "== $L"; FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 100 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 --no-fla --variants auto:4 | grep "^H=" | cut -c1-60; done
FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so timeout 100 python3 bench/plan_check.py --H 16 --T 8192 --knobs auto SEG=256 SEG=171 SEG=128 SEG=103 2>&1 | tail -8
