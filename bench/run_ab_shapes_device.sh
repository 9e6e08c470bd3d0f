#!/usr/bin/env bash
# One device call for a candidate build against a reference build, both carried (.carry/$CAND and .carry/$REF, as
# bench/run_ab_fla_device.sh builds them): the candidate's GPU suite with memcheck and racecheck (run_gpu_checks.sh),
# then bench/ab_shapes.py on SHAPES, reference and candidate alternated for ROUNDS rounds; FKDA_PREFILL_* knobs in
# the environment reach both (the reference ignores those it lacks). Logs in $OUT/r.tgz, the A/B table last.
#   run(command="CAND=wg bash bench/run_ab_shapes_device.sh", carry=[".carry/wg", ".carry/h", ".whl"])
set -u
CAND=${CAND:-cand}; REF=${REF:-h}; ROUNDS=${ROUNDS:-2}
SHAPES=${SHAPES:-"16:1300,547,2048,963,271,3063 16:3063 16:8192 8:8192 64:8192 32:8192 16:65536"}
OUT=${OUT:-/tmp/out}; R=$OUT/r; mkdir -p "$R"
trap 'cd "$OUT" && tar czf r.tgz r && rm -rf r' EXIT
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
OUT=$R TEST_LIMIT=${TEST_LIMIT:-200} SAN_LIMIT=${SAN_LIMIT:-200} bash bench/run_gpu_checks.sh ".carry/$CAND"
grep -E "T=8192 H=16|C32 deep|T=65536|worst" "$R/test.log" | head -8
for round in $(seq "$ROUNDS"); do
  for t in "$REF" "$CAND"; do
    FLASHKDA_LIBRARY=".carry/$t/lib/libflashkda.so" PYTHONPATH=python timeout 90 python3 bench/ab_shapes.py --tag "$t" \
      --json "$R/ab.json" $SHAPES > "$R/ab-$t-$round.log" 2>&1 || echo "ab $t rc=$?"
  done
done
python3 bench/ab_shapes.py --summary "$R/ab.json"
