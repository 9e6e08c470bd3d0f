#!/usr/bin/env bash
# v5 cluster kernel (FKDA_PREFILL_CLUSTER=2/4/24) on the device: the GPU suite's small cases (a hang shows as rc=124
# and stops the run), the whole suite, a clock64 trace (.carry/k5t, built with -DK5_TRACE), then A/B timings against
# the library in .carry/h; logs in $OUT/r.tgz
set -u
OUT=${OUT:-/tmp/out}; R=$OUT/r; mkdir -p "$R"
trap 'cd "$OUT" && tar czf r.tgz r && rm -rf r' EXIT
nvidia-smi --query-gpu=name --format=csv,noheader > "$R/card.txt"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
B=.carry/k5/bin/test_cuda_prefill
for cs in ${SMALL:-4 24 2}; do
  FKDA_PREFILL_CLUSTER=$cs timeout 30 $B small > "$R/c$cs-small.log" 2>&1; rc=$?
  echo "c$cs small rc=$rc"; grep -E "^FAIL" "$R/c$cs-small.log" | head -3
  [ $rc = 124 ] && exit 1
done
for cs in ${FULL:-4 24}; do
  (FKDA_PREFILL_CLUSTER=$cs timeout 150 $B > "$R/c$cs-full.log" 2>&1; echo "rc=$?" >> "$R/c$cs-full.log") &
done
wait
for cs in ${FULL:-4 24}; do echo "== c$cs full"; grep -E "^FAIL" "$R/c$cs-full.log" | head -4; tail -3 "$R/c$cs-full.log"; done
if [ -d .carry/k5t ]; then
  for cs in ${TRACE:-4}; do
    FKDA_PREFILL_CLUSTER=$cs FLASHKDA_LIBRARY=.carry/k5t/lib/libflashkda.so PYTHONPATH=python timeout 60 \
      python3 bench/experiments/one_call.py 16:3063 > "$R/trace-c$cs.log" 2>&1
    awk '/^K5 CS/{n++} n==3' "$R/trace-c$cs.log" | head -${TRACE_LINES:-22}
  done
fi
SH=${SH:-"16:1300,547,2048,963,271,3063 16:3063"}
for round in 1 2; do
  for t in ${TAGS:-h c24 c4 c2}; do
    lib=.carry/k5/lib/libflashkda.so; cl=${t#c}; [ $t = h ] && { lib=.carry/h/lib/libflashkda.so; cl=0; }
    FKDA_PREFILL_CLUSTER=$cl FLASHKDA_LIBRARY=$lib PYTHONPATH=python timeout 60 python3 bench/ab_shapes.py --tag $t \
      --json "$R/ab.json" $SH > "$R/ab-$t-$round.log" 2>&1 || echo "ab $t rc=$?"
  done
done
python3 bench/ab_shapes.py --summary "$R/ab.json"
