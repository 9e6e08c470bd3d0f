#!/usr/bin/env bash
# Session 17 call 11: the Python GPU suite's fla-core 0.5.2 part (dispatch, verifier, layer) alone on HEAD's checkout
# (call 10's ran out of its 280 s beside the 0.6.0 part: 2 passed, none failed).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fla_autotune_restore
(build_backend_ready && timeout 300 python3 -m pip install --no-build-isolation --no-deps . > "$OUT/pip.log" 2>&1); echo "pip rc=$?"
fla_install 0.5.2 /tmp/fla0.5.2
mkdir -p /tmp/t052 && cp tests/gpu/test_python_gpu.py /tmp/t052/ && cd /tmp/t052 && PYTHONPATH=/tmp/fla0.5.2 \
  timeout 420 python3 -m pytest -q -s -rs -p no:cacheprovider -k "dispatch or verifier or layer" test_python_gpu.py \
  > "$OUT/pytest-fla0.5.2.log" 2>&1; echo "fla-core 0.5.2 suite rc=$?"; tail -3 "$OUT/pytest-fla0.5.2.log"
