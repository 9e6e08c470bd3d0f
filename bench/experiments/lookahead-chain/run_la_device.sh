#!/usr/bin/env bash
# Session 19: the look-ahead C32 chain (FKDA_PREFILL_LA=1, .carry/la) against HEAD's library (.carry/h): the GPU suite
# with the knob (memcheck and racecheck on its small cases), then A/B timings; logs in $OUT/r.tgz
set -u
OUT=${OUT:-/tmp/out}; R=$OUT/r; mkdir -p "$R"
trap 'cd "$OUT" && tar czf r.tgz r && rm -rf r' EXIT
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
FKDA_PREFILL_LA=1 FKDA_PREFILL_C32=1 OUT=$R TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/la
grep -E "T=8192 H=16|C32 deep|T=65536|worst" $R/test.log | head -8
SH=${SH:-"16:1300,547,2048,963,271,3063 16:3063 16:8192 8:8192 20:8192 16:65536"}
for round in 1 2; do for t in h la; do
  FKDA_PREFILL_LA=1 FLASHKDA_LIBRARY=.carry/$t/lib/libflashkda.so PYTHONPATH=python timeout 90 python3 bench/ab_shapes.py \
    --tag $t --json "$R/ab.json" $SH > "$R/ab-$t-$round.log" 2>&1 || echo "ab $t rc=$?"
done; done
python3 bench/ab_shapes.py --summary "$R/ab.json"
