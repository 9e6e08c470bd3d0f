#!/usr/bin/env bash
# One device call that checks everything but speed: the GPU prefill test program built here (carried in
# .carry/bin, all cases, then compute-sanitizer memcheck and racecheck on the small ones) while the Python
# package is pip-installed from the checkout (offline; the carried scikit-build-core wheel if the machine
# lacks it); then the Python GPU suite on fla-core 0.6.0 (all) and 0.5.2 (dispatch, verifier, layer), and
# last, alone on the machine, the eager host overhead of a tiny call (C hot path and pure-Python path).
#   run(command="bash bench/run_check_device.sh", carry=[".carry", ".whl"], timeout_s=600)
set -u -o pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
ROOT=$(pwd)
log() { echo "== $* ($(date +%T), ${SECONDS}s)"; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"
python3 -c "import sys, torch; print('python', sys.version.split()[0], 'torch', torch.__version__)" | tee -a "$OUT/gpu.txt"
export TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-$HOME/.triton/cache}; mkdir -p "$TRITON_CACHE_DIR"
for f in bench/fla-autotune/*.tgz; do tar xzf "$f" -C "$TRITON_CACHE_DIR"; done

if [ -x .carry/bin/test_cuda_prefill ]; then
  ( CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
    timeout "${TEST_LIMIT:-240}" .carry/bin/test_cuda_prefill >"$OUT/test_cuda_prefill.log" 2>&1
    echo "test_cuda_prefill rc=$?" >>"$OUT/test_cuda_prefill.log"
    for tool in memcheck racecheck; do
      timeout 90 "$CS" --tool $tool --error-exitcode 3 .carry/bin/test_cuda_prefill small >"$OUT/$tool.log" 2>&1
      echo "$tool rc=$?" >>"$OUT/$tool.log"
    done ) &
  TESTPID=$!
fi

log "pip install"
python3 -c "import scikit_build_core" 2>/dev/null || {
  echo "scikit-build-core missing: the carried wheel"
  python3 -m pip install -q --no-index --no-deps --target /tmp/sbc .whl/build/*.whl && export PYTHONPATH=/tmp/sbc; }
timeout 300 python3 -m pip install --no-build-isolation --no-deps . >"$OUT/pip.log" 2>&1; echo "pip rc=$?"
unset PYTHONPATH
(cd /tmp && python3 -c "import torch, flashkda, flashkda.ops as o; print(flashkda.version(), 'cuda', flashkda.cuda_available(), 'fastcall', o._fast_path() is not None)") 2>&1
for v in 0.6.0 0.5.2; do
  python3 -m pip install -q --no-index --no-deps --target /tmp/fla$v .whl/fla_core-$v-*.whl \
    .whl/flash_linear_attention-$v-*.whl .whl/einops-*.whl >/dev/null 2>&1
done

log "Python GPU suite"
export FLA_FLASH_KDA=0
mkdir -p /tmp/t060 /tmp/t052; cp tests/gpu/test_python_gpu.py /tmp/t060/; cp tests/gpu/test_python_gpu.py /tmp/t052/
(cd /tmp/t060 && PYTHONPATH=/tmp/fla0.6.0 timeout "${SUITE_LIMIT:-330}" python3 -m pytest -q -s -rs -p no:cacheprovider \
  test_python_gpu.py >"$OUT/pytest-fla0.6.0.log" 2>&1; echo "rc=$?" >>"$OUT/pytest-fla0.6.0.log") &
(cd /tmp/t052 && PYTHONPATH=/tmp/fla0.5.2 timeout "${SUITE_LIMIT:-330}" python3 -m pytest -q -s -rs -p no:cacheprovider \
  -k "dispatch or verifier or layer" test_python_gpu.py >"$OUT/pytest-fla0.5.2.log" 2>&1; echo "rc=$?" >>"$OUT/pytest-fla0.5.2.log") &
wait
log "results"
for f in test_cuda_prefill memcheck racecheck; do echo "-- $f"; tail -3 "$OUT/$f.log" 2>/dev/null | cut -c1-200; done
for v in 0.6.0 0.5.2; do echo "-- pytest fla-core $v"; grep -E "err_ratio|passed|failed|Error|SKIP|rc=" "$OUT/pytest-fla$v.log" | cut -c1-220 | tail -25; done

log "eager host overhead (alone)"
(cd /tmp && timeout 120 python3 "$ROOT/bench/python_overhead.py" --calls 3000 --no-fla --json "$OUT/python_overhead.json") 2>&1 | tail -12
log done
