#!/usr/bin/env bash
# Device run of the Python package: offline build + install, the GPU suite under fla-core 0.6.0 (all of it)
# and 0.5.2 (dispatch, verifier and layer tests) side by side, then the eager host overhead of a tiny call.
# Run from the repository root on the device, with the wheels in .whl/ (fla_core-*, flash_linear_attention-*,
# einops-*; see the device README) and FLA's Triton autotune results from bench/run_fla_warm.sh in .fla-cache/:
#   run(command="bash tests/gpu/run_python_gpu.sh", carry=[".whl", ".fla-cache"])
# Logs and bench/results-style JSON go to $OUT (or ./python-gpu-out). OVERHEAD=0 skips the overhead step (for a
# caller that times it alone later, as bench/run_check_device.sh does).
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-python-gpu-out}
mkdir -p "$OUT"
log=$OUT/python_gpu.log
source bench/device_env.sh
fla_autotune_restore

python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())" 2>&1 | tee -a "$log"
(build_backend_ready && timeout 300 python3 -m pip install --no-build-isolation --no-deps . > "$OUT/pip.log" 2>&1)
echo "pip install rc=$?" | tee -a "$log"
(cd /tmp && python3 -c "import torch, flashkda, flashkda.ops as o
print(flashkda.version(), 'cuda', flashkda.cuda_available(), 'C hot path', o._fast_path() is not None)") 2>&1 | tee -a "$log"

for v in 0.6.0 0.5.2; do
    if ls .whl/fla_core-$v-*.whl > /dev/null 2>&1; then fla_install $v /tmp/fla$v; fi
done
# The installed package, not python/ of the checkout: run from /tmp.
cp tests/gpu/test_python_gpu.py /tmp/
(cd /tmp && PYTHONPATH=/tmp/fla0.6.0 timeout "${SUITE_LIMIT:-420}" python3 -m pytest -q -s -rs -p no:cacheprovider \
    test_python_gpu.py > "$OUT/pytest-fla0.6.0.log" 2>&1; echo "fla-core 0.6.0 suite rc=$?" >> "$OUT/pytest-fla0.6.0.log") &
(mkdir -p /tmp/t052 && cp tests/gpu/test_python_gpu.py /tmp/t052/ && cd /tmp/t052 && PYTHONPATH=/tmp/fla0.5.2 \
    timeout "${SUITE_LIMIT:-420}" python3 -m pytest -q -s -rs -p no:cacheprovider -k "dispatch or verifier or layer" \
    test_python_gpu.py > "$OUT/pytest-fla0.5.2.log" 2>&1; echo "fla-core 0.5.2 suite rc=$?" >> "$OUT/pytest-fla0.5.2.log") &
wait
for v in 0.6.0 0.5.2; do
    echo "== fla-core $v" | tee -a "$log"
    grep -E "err_ratio|passed|failed|Error|SKIP|rc=" "$OUT/pytest-fla$v.log" | tee -a "$log"
done

[ "${OVERHEAD:-1}" = 0 ] && exit 0
(cd /tmp && PYTHONPATH=/tmp/fla0.6.0 FLA_FLASH_KDA=0 timeout 120 python3 "$OLDPWD/bench/python_overhead.py" --calls 2000 \
    --json "$OUT/python_overhead.json") 2>&1 | tee -a "$log"
