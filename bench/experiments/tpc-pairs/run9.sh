#!/usr/bin/env bash
# Session 21 call 9: a first phase of the two longest sequences (FKDA_PREFILL_PAIR) as .carry/pr: GPU suite and
# sanitizers, then (if they pass) PAIR on / off alternated in one process at H = 16 varlen 6 with a timeline, then the
# FLA table (fla-core 0.6.0, --graph --host-cu).
#   run(command="bash bench/experiments/tpc-pairs/run9.sh", carry=[".carry/pr", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
OUT=$OUT/r TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/pr
grep -E "two longest|varlen 6 H=16|worst" "$OUT/r/test.log" | head -6
grep -q "^test rc=0" "$OUT/r/test.log" && grep -q "rc=0" "$OUT/r/test-c16.log" || { echo "suite failed: stop"; exit 1; }
export FLASHKDA_LIBRARY=$PWD/.carry/pr/lib/libflashkda.so
V6=1300,547,2048,963,271,3063
PYTHONPATH=python timeout 100 python3 bench/plan_check.py --H 16 --lens $V6 --graph \
  --knobs auto PAIR=0 auto PAIR=0 auto PAIR=0 2>&1 | grep -v -i warn | tee "$OUT/pair-ab.txt"
PYTHONPATH=python timeout 60 python3 bench/phase_timeline.py --H 16 --lens $V6 --knobs auto PAIR=0 2>&1 \
  | grep -v -i warn | tee "$OUT/pair-timeline.txt"
fla_table .carry/pr --host-cu
