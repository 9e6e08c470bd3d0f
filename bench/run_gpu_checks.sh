#!/usr/bin/env bash
# The GPU suite of one carried build (all cases; a second time with FKDA_PREFILL_C32=0 for the 16-token chains, unless
# the caller sets FKDA_PREFILL_C32) with compute-sanitizer memcheck and racecheck on its `small` cases, in parallel, on
# the device; logs to $OUT/{test,test-c16,memcheck,racecheck}.log and the verdict lines to stdout.
#   bash bench/run_gpu_checks.sh .carry/cand      (the folder holding bin/test_cuda_prefill)
# Environment: TEST_LIMIT (s, default 180: the suite takes ~65 s on an H100), SAN_LIMIT (s, default 150); the
# library's knobs (FKDA_PREFILL_*) pass through to the test binary.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
BIN=$1/bin/test_cuda_prefill
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(timeout "${TEST_LIMIT:-180}" "$BIN" > "$OUT/test.log" 2>&1; echo "test rc=$?" >> "$OUT/test.log") &
if [ -z "${FKDA_PREFILL_C32+x}" ]; then
  (FKDA_PREFILL_C32=0 timeout "${TEST_LIMIT:-180}" "$BIN" > "$OUT/test-c16.log" 2>&1
   echo "test (C32 off) rc=$?" >> "$OUT/test-c16.log") &
fi
for tool in memcheck racecheck; do
  (timeout "${SAN_LIMIT:-150}" "$CS" --tool $tool --error-exitcode 3 "$BIN" small > "$OUT/$tool.log" 2>&1
   echo "$tool rc=$?" >> "$OUT/$tool.log") &
done
wait
tail -n 2 "$OUT/test.log"; [ -f "$OUT/test-c16.log" ] && tail -n 2 "$OUT/test-c16.log"; grep -hE "SUMMARY|rc=" "$OUT/memcheck.log" "$OUT/racecheck.log"
