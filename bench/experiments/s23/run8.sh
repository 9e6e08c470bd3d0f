#!/usr/bin/env bash
# Session 23 call 8: prep32's L2 prefetch of a later CTA's rows (FKDA_PREFILL_PF, pf.patch): small suite and memcheck
# with the prefetch on, then PF values against 0, alternated, on the prep alone and whole calls.
set -u
LIB=${LIB:-.carry/pf}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(FKDA_PREFILL_PF=300 timeout 100 $LIB/bin/test_cuda_prefill small > "$OUT/test-small-pf.log" 2>&1; echo "small PF=300 rc=$?") &
(FKDA_PREFILL_PF=300 timeout 150 $CS --tool memcheck --error-exitcode 3 $LIB/bin/test_cuda_prefill small > "$OUT/memcheck-pf.log" 2>&1; echo "memcheck PF=300 rc=$?") &
wait; tail -n 1 "$OUT/test-small-pf.log"; grep -h SUMMARY "$OUT/memcheck-pf.log"
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
L=1300,547,2048,963,271,3063
A="python3 bench/experiments/s23/ab_knobs.py"
timeout 90 $A --H 16 --lens $L --rounds 4 V2=2 V2=2,PF=132 V2=2,PF=264 V2=2,PF=528 2>&1 | tail -4 | tee "$OUT/prep16.txt"
timeout 90 $A --H 64 --lens 8192 --rounds 4 V2=2 V2=2,PF=264 V2=2,PF=528 2>&1 | tail -3 | tee "$OUT/prep64.txt"
timeout 150 $A --H 16 --lens $L --rounds 6 auto PF=132 PF=264 PF=528 2>&1 | tail -4 | tee "$OUT/call16.txt"
timeout 120 $A --H 64 --lens 8192 --rounds 4 auto PF=264 PF=528 2>&1 | tail -3 | tee "$OUT/call64.txt"
timeout 120 $A --H 16 --lens 8192 --rounds 4 auto PF=264 PF=528 2>&1 | tail -3 | tee "$OUT/call16f.txt"
