#!/usr/bin/env bash
# Device run of the Python package: offline build + install, the GPU suite under fla-core 0.5.2 and 0.6.0,
# and the eager host overhead of a tiny call. Run from the repository root on the device, with the wheels
# carried in .whl/ (fla_core-*, flash_linear_attention-*, einops-*; see the device README), e.g.
#   run(command="bash tests/gpu/run_python_gpu.sh", carry=[".whl"])
# Logs and bench/results-style JSON go to $OUT (or ./python-gpu-out).
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-python-gpu-out}
mkdir -p "$OUT"
log=$OUT/python_gpu.log

python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name())" 2>&1 | tee -a "$log"
timeout 300 python3 -m pip install --no-build-isolation --no-deps . > "$OUT/pip.log" 2>&1
echo "pip install rc=$?" | tee -a "$log"
(cd /tmp && python3 -c "import flashkda; print(flashkda.version(), 'cuda', flashkda.cuda_available())") 2>&1 | tee -a "$log"

for v in 0.6.0 0.5.2; do
    if ls .whl/fla_core-$v-*.whl > /dev/null 2>&1; then
        python3 -m pip install -q --no-index --no-deps --target /tmp/fla$v \
            .whl/fla_core-$v-*.whl .whl/flash_linear_attention-$v-*.whl .whl/einops-*.whl
        site=/tmp/fla$v
    else
        site=""
        echo "no fla-core $v wheel in .whl: FLA tests skip" | tee -a "$log"
    fi
    echo "== fla-core $v" | tee -a "$log"
    PYTHONPATH=$site${PYTHONPATH:+:$PYTHONPATH} timeout 600 python3 -m pytest -q -s -rs -p no:cacheprovider \
        tests/gpu/test_python_gpu.py 2>&1 | tee "$OUT/pytest-fla$v.log" | grep -E "err_ratio|passed|failed|Error|SKIP" | tee -a "$log"
done

PYTHONPATH=/tmp/fla0.6.0${PYTHONPATH:+:$PYTHONPATH} timeout 120 python3 bench/python_overhead.py --calls 2000 \
    --json "$OUT/python_overhead.json" 2>&1 | tee -a "$log"
