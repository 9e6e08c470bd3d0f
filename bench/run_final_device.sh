#!/usr/bin/env bash
# The closing device call of a session: prefill vs FLA on every shape (same run), the Python layer, graph
# and device tests, and the eager host overhead, with the package pip-installed there (the C hot path needs
# that machine's Python) and the GPU test program built here (.carry/bin/test_cuda_prefill, optional).
# Carry .carry, .whl (FLA 0.6.0 wheels) and .fla-cache (the Triton autotune results of bench/run_fla_warm.sh):
#   run(command="bash bench/run_final_device.sh", carry=[".carry", ".whl", ".fla-cache"], timeout_s=600)
set -u -o pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
ROOT=$(pwd)
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
# The package as users get it (library + the C hot path, built for this machine's Python): ~1 minute.
(build_backend_ready && timeout 300 python3 -m pip install -q --no-build-isolation --no-deps --target /tmp/fk . \
  >"$OUT/pip.log" 2>&1) || { echo "pip install failed"; tail -20 "$OUT/pip.log"; }
export PYTHONPATH=/tmp/site:/tmp/fk FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1
log() { echo "== $* ($(date +%T), ${SECONDS}s)"; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"

log "GPU prefill test, small cases"
[ -x .carry/bin/test_cuda_prefill ] && timeout 60 .carry/bin/test_cuda_prefill small >"$OUT/test_small.log" 2>&1; echo "rc=$?"; tail -2 "$OUT/test_small.log"
log "prefill: ours (precision masks 4 = default, 0, 7) and FLA, same run"
timeout "${PREFILL_LIMIT:-260}" python3 bench/prefill_bench.py --variants auto:4,auto:0,auto:7 --err-variants \
  --json "$OUT/prefill.json" --plot "$OUT/prefill.png" >"$OUT/prefill.log" 2>&1; echo "rc=$?"
grep -E "^\|" "$OUT/prefill.log"
log "Python eager overhead"
(cd /tmp && timeout 90 python3 "$ROOT/bench/python_overhead.py" --calls 2000 --no-fla --json "$OUT/python_overhead.json") 2>&1 | tail -9
log "Python GPU tests: layer, graphs, wrong devices"
cp tests/gpu/test_python_gpu.py /tmp/ && (cd /tmp && timeout "${SUITE_LIMIT:-200}" python3 -m pytest -q -s -rs -p no:cacheprovider \
  -k "layer or graph or wrong_device or dispatch" test_python_gpu.py >"$OUT/pytest.log" 2>&1; echo "rc=$?")
grep -E "KimiDelta|passed|failed|Error" "$OUT/pytest.log" | cut -c1-220
(cd "$TRITON_CACHE_DIR" && find . -name '*.autotune.json' | tar czf "$OUT/autotune-final.tgz" -T -)
log done
