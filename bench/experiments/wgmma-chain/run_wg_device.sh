#!/usr/bin/env bash
# Session 19 call 8: the wgmma chain step (prefill-wgmma-chain.patch built into .carry/wg) against HEAD's library
# (.carry/h): the GPU suite with memcheck and racecheck (bench/run_gpu_checks.sh), then A/B timings; logs in $OUT/r.tgz
set -u
OUT=${OUT:-/tmp/out}; R=$OUT/r; mkdir -p "$R"
trap 'cd "$OUT" && tar czf r.tgz r && rm -rf r' EXIT
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
OUT=$R TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/wg
grep -E "T=8192 H=16|varlen 6 seqs|C32 deep|worst" $R/test.log | head -8
SH="16:1300,547,2048,963,271,3063 16:3063 16:8192 8:8192 64:8192 32:8192 16:65536"
for round in 1 2; do for t in h wg; do
  FLASHKDA_LIBRARY=.carry/$t/lib/libflashkda.so PYTHONPATH=python timeout 90 python3 bench/ab_shapes.py --tag $t --json "$R/ab.json" $SH > "$R/ab-$t-$round.log" 2>&1 || echo "ab $t rc=$?"
done; done
python3 bench/ab_shapes.py --summary "$R/ab.json"
