#!/usr/bin/env bash
# Session 11 call 8 (closing): wip-c32seg (C32 with segments + the deep factor in the segment model; .carry/cand) against
# main's kernels of session 10 (.carry/rev = 930cc34): suite + sanitizers, the suite with FKDA_PREFILL_C32=0, A/B on all
# 11 shapes, varlen plans with host lengths, then the FLA table
set -u
OUT=${OUT:-/tmp/out}
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
mkdir -p $OUT/c16
(FKDA_PREFILL_C32=0 timeout 200 .carry/cand/bin/test_cuda_prefill > $OUT/c16/test.log 2>&1; echo "test rc=$?" >> $OUT/c16/test.log) &
C16=$!
AB_SHAPES=0,1,2,3,4,5,6,7,8,9,10 REF=rev CAND=cand NO_FLA=1 bash bench/run_ab_fla_device.sh
wait $C16; echo "16-token suite:"; tail -n 2 $OUT/c16/test.log
export FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so
for H in 2 4 8; do
  timeout 60 python3 bench/plan_check.py --H $H --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 C32=0 2>&1 | grep -v -i warn
done
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python timeout 300 \
  python3 bench/prefill_bench.py --variants auto:4 --graph --err-only 0,6,7 --json $OUT/prefill.json --plot $OUT/prefill.png \
  > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; grep -E "^\|" $OUT/prefill.log
