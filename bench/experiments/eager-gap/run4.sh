#!/usr/bin/env bash
# Session 22 call 4 (closing checks of HEAD's library, .carry/hd): GPU suite (also C32 off) and sanitizers, then the
# FLA table (fla-core 0.6.0, --graph --host-cu).
#   run(command="bash bench/experiments/eager-gap/run4.sh", carry=[".carry/hd", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
nvidia-smi --query-gpu=name,clocks.max.sm,driver_version --format=csv,noheader
OUT=$OUT/r TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/hd
grep -E "stream order|varlen 6 H=16|worst" "$OUT/r/test.log" | head -6
fla_table .carry/hd --host-cu
