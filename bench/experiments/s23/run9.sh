#!/usr/bin/env bash
# Session 23 call 9 (review): the refactored bench helpers on the device: prefill_bench.kernel_timeline /
# kernel_times (one profiler helper), run_ours with a caller workspace, ab_shapes.setup (ab_shapes, one_call.py, the
# s23 host scripts).
set -u
LIB=${LIB:-.carry/s23}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
L=1300,547,2048,963,271,3063
timeout 60 python3 bench/plan_check.py --H 16 --lens $L --profile --knobs auto 2>&1 | tail -2
timeout 60 python3 bench/eager_gap.py --H 16 --lens $L --knobs auto 2>&1 | grep -v Warn | head -12
timeout 60 python3 bench/ab_shapes.py --tag r 16:$L 16:1024*8 2>&1 | tail -2
timeout 30 python3 bench/experiments/one_call.py 16:$L && echo "one_call ok"
timeout 90 python3 bench/experiments/s23/host_split.py 16:1024*8 2>&1 | head -9
timeout 60 python3 bench/experiments/s23/host_probe.py 2>&1 | tail -6
