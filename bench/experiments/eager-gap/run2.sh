#!/bin/bash
# session 22 call 2: one stream of programmatic launches for the phases (FKDA_PREFILL_FORK=0) against the phase
# streams: the small GPU suite (with the stream-order case), then eager / graph at the phased shapes
source bench/device_env.sh
fastcall_build || exit 1
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 .carry/fk/bin/test_cuda_prefill small > $OUT/suite_small.log 2>&1; echo "suite small rc=$?"
grep -E "stream order|FAIL|PASSED|phases" $OUT/suite_small.log | tail -20
L=$PWD/.carry/fk/lib/libflashkda.so
PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/eager_gap.py --H 16 --lens 1300,547,2048,963,271,3063 \
    --knobs auto FORK=0 2>&1 | grep -v Warn | tee $OUT/gap16.log
for s in "8 1300,547,2048,963,271,3063" "12 1300,547,2048,963,271,3063" "16 4000,1000,1000,1000,1000" "4 1300,547,2048,963,271,3063"; do
  set -- $s
  PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/eager_gap.py --H $1 --lens $2 --knobs auto FORK=0 --no-timeline 2>&1 | grep -v Warn | tee -a $OUT/gap_other.log
done
