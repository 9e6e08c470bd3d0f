#!/usr/bin/env bash
# Session 11 call 6: C32 with segments (.carry/cand, wip-c32seg) against C32 without (.carry/c32main = main 50724d4):
# suite (default plan; forced-segment cases now run C32 segments) + sanitizers, the suite with FKDA_PREFILL_C32=0, A/B on
# the segment shapes, plan checks
set -u
OUT=${OUT:-/tmp/out}
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
mkdir -p $OUT/c16
(FKDA_PREFILL_C32=0 timeout 200 .carry/cand/bin/test_cuda_prefill > $OUT/c16/test.log 2>&1; echo "test rc=$?" >> $OUT/c16/test.log) &
C16=$!
AB_SHAPES=5,6,8,10 REF=c32main CAND=cand NO_FLA=1 bash bench/run_ab_fla_device.sh
wait $C16; echo "16-token suite:"; tail -n 2 $OUT/c16/test.log
export FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so
PC="timeout 60 python3 bench/plan_check.py"
$PC --H 16 --T 8192 --knobs auto C32=0 --profile 2>&1 | grep -v -i warn
$PC --H 2 --T 65536 --knobs auto C32=0 2>&1 | grep -v -i warn
$PC --H 4 --T 8192 --knobs auto C32=0 2>&1 | grep -v -i warn
$PC --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 C32=0 2>&1 | grep -v -i warn
$PC --H 4 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=0 C32=0 2>&1 | grep -v -i warn
