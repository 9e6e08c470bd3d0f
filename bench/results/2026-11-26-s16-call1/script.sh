#!/usr/bin/env bash
# Session 16 call 1: C32 chain kernels with the initial state by key pairs after the prologue's prefetch (loop 654 ->
# 588 SASS instructions at VS = 64) = .carry/v4, against HEAD's kernels = .carry/base. GPU suite (default and forced
# C32), memcheck and racecheck of v4; then A/B base v4 base v4 (+ base through ctypes) with bench/ab_shapes.py.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build && echo "fastcall built: $(ls python/flashkda/*.so)"
BIN=.carry/v4/bin/test_cuda_prefill
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(timeout 240 $BIN > $OUT/test.log 2>&1; echo "test rc=$?" >> $OUT/test.log) &
(FKDA_PREFILL_C32=1 timeout 240 $BIN > $OUT/test-c32.log 2>&1; echo "test C32=1 rc=$?" >> $OUT/test-c32.log) &
for tool in memcheck racecheck; do
  (timeout 240 $CS --tool $tool --error-exitcode 3 $BIN small > $OUT/$tool.log 2>&1; echo "$tool rc=$?" >> $OUT/$tool.log) &
done
wait
tail -n 2 $OUT/test.log $OUT/test-c32.log; grep -hE "SUMMARY|rc=" $OUT/memcheck.log $OUT/racecheck.log
export PYTHONUNBUFFERED=1
cp -r python /tmp/pyct && rm -f /tmp/pyct/flashkda/_fastcall*.so
V6=1300,547,2048,963,271,3063
SH="16:$V6 16:$V6/nohost 8:$V6 16:8192 8:8192 4:8192 32:8192 64:8192 16:65536 16:1024*8 16:4000,20*200"
for L in base v4 base v4; do
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so PYTHONPATH=$PWD/python timeout 150 \
    python3 bench/ab_shapes.py --tag $L --json $OUT/ab.jsonl $SH > $OUT/ab-$L.log 2>&1 || echo "$L rc=$?"
done
FLASHKDA_LIBRARY=$PWD/.carry/base/lib/libflashkda.so PYTHONPATH=/tmp/pyct timeout 100 \
  python3 bench/ab_shapes.py --tag ctypes --json $OUT/ab.jsonl 16:$V6 16:1024*8 > $OUT/ab-ctypes.log 2>&1 || echo "ctypes rc=$?"
python3 bench/ab_shapes.py --summary $OUT/ab.jsonl
