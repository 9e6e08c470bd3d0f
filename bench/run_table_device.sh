#!/usr/bin/env bash
# The report table of one carried library against fla-core 0.6.0 in one process (fla_table: --graph --host-cu), then
# the H = 16 varlen row (shape 6), the one whose eager ratio moves most with FLA's host time, in N more processes
# (fla_rows, numbered from 2). Into $OUT (prefill.{json,png,log}, only6-p<i>.{json,log}: keep N <= 3, since the device
# returns at most 8 files a call, or pack $OUT into one archive).
#   run(command="bash bench/run_table_device.sh .carry/s24 4", carry=[".carry/s24", ".whl"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
nvidia-smi --query-gpu=name,clocks.max.sm,driver_version --format=csv,noheader
fla_table "$1" --host-cu
fla_rows "$1" 6 "${2:-2}" 2
