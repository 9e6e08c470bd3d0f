#!/usr/bin/env bash
# Session 22 call 5: racecheck of HEAD's small GPU suite again (call 4's timed out in the stream-order case, since
# moved to the full suite) beside the Python GPU suite (tests/gpu/run_python_gpu.sh: the package built and installed
# on the device, fla-core 0.6.0 and 0.5.2).
#   run(command="bash bench/experiments/eager-gap/run5.sh", carry=[".carry/hd", ".whl"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
(timeout 250 "$CS" --tool racecheck --error-exitcode 3 .carry/hd/bin/test_cuda_prefill small > "$OUT/racecheck.log" 2>&1
 echo "racecheck rc=$?" >> "$OUT/racecheck.log") &
SUITE_LIMIT=400 OVERHEAD=0 bash tests/gpu/run_python_gpu.sh
wait
grep -hE "SUMMARY|rc=" "$OUT/racecheck.log"
