#!/usr/bin/env bash
# One device call that checks everything but speed: the GPU prefill test program built here (carried in
# .carry/bin, all cases, then compute-sanitizer memcheck and racecheck on the small ones) runs while
# tests/gpu/run_python_gpu.sh installs the package from the checkout and runs the Python GPU suite (fla-core 0.6.0
# all, 0.5.2 dispatch/verifier/layer); last, alone on the machine, the eager host overhead of a tiny call (C hot
# path and pure-Python path).
#   run(command="bash bench/run_check_device.sh", carry=[".carry", ".whl"], timeout_s=600)
set -u -o pipefail
export PYTHONUNBUFFERED=1 FLA_FLASH_KDA=0
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
ROOT=$(pwd)
log() { echo "== $* ($(date +%T), ${SECONDS}s)"; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"

if [ -x .carry/bin/test_cuda_prefill ]; then
  ( CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
    timeout "${TEST_LIMIT:-240}" .carry/bin/test_cuda_prefill >"$OUT/test_cuda_prefill.log" 2>&1
    echo "test_cuda_prefill rc=$?" >>"$OUT/test_cuda_prefill.log"
    for tool in memcheck racecheck; do
      timeout 90 "$CS" --tool $tool --error-exitcode 3 .carry/bin/test_cuda_prefill small >"$OUT/$tool.log" 2>&1
      echo "$tool rc=$?" >>"$OUT/$tool.log"
    done ) &
fi

log "package install and Python GPU suite"
OVERHEAD=0 OUT="$OUT" SUITE_LIMIT=${SUITE_LIMIT:-330} bash tests/gpu/run_python_gpu.sh
wait
log "GPU prefill test"
for f in test_cuda_prefill memcheck racecheck; do echo "-- $f"; tail -3 "$OUT/$f.log" 2>/dev/null | cut -c1-200; done

log "eager host overhead (alone)"
(cd /tmp && FLA_FLASH_KDA=0 timeout 120 python3 "$ROOT/bench/python_overhead.py" --calls 3000 --no-fla \
  --json "$OUT/python_overhead.json") 2>&1 | tail -12
log done
