#!/usr/bin/env bash
# Session 18 call 9: FKDA_PREFILL_DEEP=2 again, now gated on the working chain CTAs (units x 2 <= SMs) instead of the
# grid (.carry/d3). Call 8's gate used the grid, which with segments holds idle CTAs (role 1 of each sequence's
# first segment): at H = 12 1 x 16384, SEG=342, 144 CTAs for 120 working ones, so the gate was off there. Question:
# do split-2 chains at ns = 3 (0.84 us a chunk against 0.50 at ns = 2 or 4) run at 0.5 with one CTA an SM?
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT" /tmp/res
nvidia-smi --query-gpu=name --format=csv,noheader
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(FKDA_PREFILL_DEEP=2 timeout 200 .carry/d3/bin/test_cuda_prefill > /tmp/res/test-deep2.log 2>&1; echo "suite DEEP=2 rc=$?" >> /tmp/res/test-deep2.log) &
(FKDA_PREFILL_DEEP=2 timeout 200 $CS --tool memcheck --error-exitcode 3 .carry/d3/bin/test_cuda_prefill small > /tmp/res/memcheck-deep2.log 2>&1; echo "memcheck rc=$?" >> /tmp/res/memcheck-deep2.log) &
wait
tail -2 /tmp/res/test-deep2.log; grep -E "SUMMARY|rc=" /tmp/res/memcheck-deep2.log
export FLASHKDA_LIBRARY=$PWD/.carry/d3/lib/libflashkda.so PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
{
python3 bench/plan_check.py --H 12 --T 16384 --knobs SEG=342 SEG=342,DEEP=2 SEG=342 SEG=342,DEEP=2 auto --graph --profile
python3 bench/plan_check.py --H 3 --B 4 --T 12000 --knobs SEG=250 SEG=250,DEEP=2 SEG=250 SEG=250,DEEP=2 SEG=126 --graph
python3 bench/plan_check.py --H 6 --B 2 --T 24000 --knobs SEG=500 SEG=500,DEEP=2 SEG=500 SEG=500,DEEP=2 SEG=250 --graph
python3 bench/plan_check.py --H 8 --T 12000 --knobs SEG=250 SEG=250,DEEP=2 SEG=250 SEG=250,DEEP=2 SEG=376 --graph
python3 bench/plan_check.py --H 16 --T 8192 --knobs auto DEEP=2 auto DEEP=2 --graph
python3 bench/plan_check.py --H 64 --T 8192 --knobs auto DEEP=2 auto DEEP=2 --graph
} 2>&1 | grep -v -i warn | tee /tmp/res/ab.log
tar czf $OUT/res.tgz -C /tmp/res .
