#!/usr/bin/env bash
# Session 18 call 8: experiment FKDA_PREFILL_DEEP=2 (library .carry/d2 = 0d4c09f + the knob): the deep C32 chain
# (6 stages, one CTA an SM) wherever split-2 chain CTAs fit the SMs, not only for the longest-first varlen chains.
# Question: call 5 saw 120 split-2 CTAs at H = 12 1 x 16384 (SEG=342) step at ~1.7x the time of 112 at H = 8; if the
# block scheduler doubles CTAs up on SMs, one CTA an SM should remove it. Suite with the knob on (correctness), then
# A/B (alternated, graph replays) on shapes whose chain grid is 96-132 split-2 CTAs.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/res
nvidia-smi --query-gpu=name --format=csv,noheader
(FKDA_PREFILL_DEEP=2 timeout 200 .carry/d2/bin/test_cuda_prefill > /tmp/res/test-deep2.log 2>&1; echo "suite DEEP=2 rc=$?") 
tail -2 /tmp/res/test-deep2.log
export FLASHKDA_LIBRARY=$PWD/.carry/d2/lib/libflashkda.so PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
{
python3 bench/plan_check.py --H 12 --T 16384 --knobs SEG=342 SEG=342,DEEP=2 SEG=342 SEG=342,DEEP=2 auto DEEP=2 --graph --profile
python3 bench/plan_check.py --H 4 --B 4 --T 16384 --knobs SEG=128 SEG=128,DEEP=2 SEG=128 SEG=128,DEEP=2 --graph
python3 bench/plan_check.py --H 64 --T 8192 --knobs auto DEEP=2 auto DEEP=2 --graph --profile
python3 bench/plan_check.py --H 16 --T 8192 --knobs auto DEEP=2 auto DEEP=2 --graph
python3 bench/plan_check.py --H 8 --T 16384 --knobs SEG=256 SEG=256,DEEP=2 SEG=256 SEG=256,DEEP=2 --graph
python3 bench/plan_check.py --H 3 --B 4 --T 12000 --knobs SEG=250 SEG=250,DEEP=2 SEG=250 SEG=250,DEEP=2 --graph
python3 bench/plan_check.py --H 16 --T 65536 --knobs auto DEEP=2 auto DEEP=2 --graph
python3 bench/plan_check.py --H 60 --T 8192 --knobs auto DEEP=2 auto DEEP=2 --graph
python3 bench/plan_check.py --H 48 --T 8192 --knobs auto DEEP=2 auto DEEP=2 --graph
} 2>&1 | grep -v -i warn | tee /tmp/res/ab.log
tar czf $OUT/res.tgz -C /tmp/res .
