#!/usr/bin/env bash
# One device call that warms FLA's Triton autotuning for the prefill benchmark and then times FLA against our
# kernel (all precision variants, with errors) in the same run. Carry .whl (FLA 0.6.0 wheels) and, when a
# previous call brought them back, .fla-cache (Triton *.autotune.json files):
#   run(command="bash bench/run_fla_warm.sh", carry=[".whl", ".fla-cache"], timeout_s=600)
# Phase A: our build, FLA on every shape in parallel processes (Triton compiles every config: minutes, CPU
#          bound) and the GPU Python suite. Their autotune choices were timed on a shared GPU, so
# phase C: deletes them and runs bench/prefill_bench.py, whose first FLA call per shape re-times the configs on
#          an idle GPU (compile cache hits), then times FLA and ours. The autotune files of A and C come back
#          in $OUT as tarballs.
set -u -o pipefail
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
ROOT=$(pwd); BUILD=${BUILD:-/tmp/bw}
source bench/device_env.sh
VARIANTS=${VARIANTS:-auto:7,auto:4,auto:5,auto:6,auto:0}; END=${END:-580}
log() { echo "== $* ($(date +%T), ${SECONDS}s)"; }
save() { (cd "$TRITON_CACHE_DIR" && find . -name '*.autotune.json' | tar czf "$OUT/$1" -T -) ; }

fla_install 0.6.0 /tmp/site
export PYTHONPATH=/tmp/site:$ROOT/python FLASHKDA_LIBRARY=$BUILD/libflashkda.so FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1
fla_autotune_restore
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$OUT/gpu.txt"

log "phase A: build + GPU Python suite, FLA warm-up on every shape in parallel"
( ( cmake -S . -B "$BUILD" -G Ninja -DFKDA_BUILD_TESTS=OFF -DFKDA_BUILD_CLI=OFF -DFKDA_BUILD_BENCH=OFF -DFKDA_CUDA=ON \
    && ninja -C "$BUILD" -j 8 ) >"$OUT/build.log" 2>&1 || echo "BUILD FAILED"
  timeout "${SUITE_LIMIT:-300}" python3 -m pytest -q -s -rs -p no:cacheprovider tests/gpu/test_python_gpu.py \
    >"$OUT/pytest.log" 2>&1; echo "python suite rc=$?" ) &
for i in ${WARM_SHAPES:-0 1 2 3 4 5 6 7 8 9 10}; do
  timeout "${WARM_LIMIT:-300}" python3 bench/fla_warm.py --only "$i" >"$OUT/warm.log.$i" 2>&1 &
done
wait
cat "$OUT"/warm.log.* | grep -h "warm shape"; grep -E "passed|failed|error" "$OUT/pytest.log" | tail -3
save autotune-A.tgz
log "phase C: FLA re-tunes on an idle GPU, then FLA and ours timed in the same run"
find "$TRITON_CACHE_DIR" -name '*.autotune.json' -delete
timeout $((END - SECONDS)) python3 bench/prefill_bench.py --variants "$VARIANTS" --err-variants \
  --json "$OUT/prefill.json" --plot "$OUT/prefill.png" >"$OUT/prefill.log" 2>&1
echo "prefill_bench rc=$?"
save autotune-C.tgz
grep -E "^H=|^\|" "$OUT/prefill.log" | cut -c1-250
log done
