#!/usr/bin/env bash
# Session 22 call 7: the fork as a programmatic event of the phase's chain (FKDA_PREFILL_PEVENT=1: the next phase's
# stream waits until every CTA of the chain has started, cudaLaunchAttributeProgrammaticEvent with
# triggerAtBlockStart) against the event after the prep: the full GPU suite with the knob, then eager / graph A/B.
#   run(command="bash bench/experiments/eager-gap/run7.sh", carry=[".carry/pe"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
FKDA_PREFILL_PEVENT=1 timeout 200 .carry/pe/bin/test_cuda_prefill > "$OUT/suite-pevent.log" 2>&1; echo "suite (PEVENT=1) rc=$?"
grep -E "stream order|phases|worst|PASSED|FAIL" "$OUT/suite-pevent.log" | tail -16
L=$PWD/.carry/pe/lib/libflashkda.so
PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/eager_gap.py --H 16 --lens 1300,547,2048,963,271,3063 \
    --knobs auto PEVENT=1 2>&1 | grep -v -i warn | tee "$OUT/gap16.log"
for s in "8 1300,547,2048,963,271,3063" "12 1300,547,2048,963,271,3063" "16 4000,1000,1000,1000,1000" "4 1300,547,2048,963,271,3063"; do
  set -- $s
  PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/eager_gap.py --H $1 --lens $2 --knobs auto PEVENT=1 --no-timeline 2>&1 | grep -v -i warn | tee -a "$OUT/gap_other.log"
done
