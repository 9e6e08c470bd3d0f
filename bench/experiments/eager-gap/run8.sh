#!/usr/bin/env bash
# Session 22 call 8 (review): gate_coefs written through gate_load / gate_coefs_of (.carry/gc) against HEAD's library
# (.carry/hd): the GPU suite and sanitizers on gc, then the shapes whose kernels changed SASS (the v4.1 fused kernel,
# the 16-token prep) A/B; then the refactored timeline scripts (prefill_bench.kernel_timeline / capture_graph).
#   run(command="bash bench/experiments/eager-gap/run8.sh", carry=[".carry/gc", ".carry/hd"])
set -u
OUT=${OUT:-/tmp/out}
CAND=gc REF=hd ROUNDS=3 SHAPES="96:8192 96:1300,547,2048,963,271,3063 96:1024*8 16:1024*8 32:256*64 32:40*300 16:50*200" \
  bash bench/run_ab_shapes_device.sh
L=$PWD/.carry/gc/lib/libflashkda.so
PYTHONPATH=python FLASHKDA_LIBRARY=$L timeout 100 python3 bench/eager_gap.py --H 16 --lens 1300,547,2048,963,271,3063 \
  --knobs auto 2>&1 | grep -v -i warn | head -14
PYTHONPATH=python FLASHKDA_LIBRARY=$L timeout 60 python3 bench/phase_timeline.py --H 16 --lens 1300,547,2048,963,271,3063 \
  2>&1 | grep -v -i warn
