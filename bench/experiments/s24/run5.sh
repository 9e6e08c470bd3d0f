#!/usr/bin/env bash
# Session 24 call 5: the Python package's GPU suite on HEAD (installed offline, fla-core 0.6.0 and 0.5.2), then the
# report table of HEAD's library (.carry/s24) against fla-core 0.6.0 again with its JSON and plot kept (call 4's did
# not come back: at most 8 files return), everything packed into $OUT/call5.tgz.
#   run(command="bash bench/experiments/s24/run5.sh", carry=[".carry/s24", ".whl"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
FINAL=$OUT; OUT=/tmp/c5; mkdir -p $OUT
export OUT
OVERHEAD=0 SUITE_LIMIT=300 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -12
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
fla_table .carry/s24 --host-cu
tar czf "$FINAL/call5.tgz" -C /tmp c5
cp "$OUT/prefill.json" "$OUT/prefill.png" "$FINAL/" 2>/dev/null
