#!/usr/bin/env bash
# One device call for the CUDA prefill: build the library, build and run the GPU test (plus
# compute-sanitizer memcheck/racecheck on a small case), then the benchmark against FLA chunk_kda.
# Results land in $OUT (log, JSON, plot). Usage: bash bench/run_prefill_device.sh [test|bench|all] [bench args...]
set -u -o pipefail
MODE=${1:-all}; shift || true
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
ROOT=$(pwd); BUILD=${BUILD:-$ROOT/build-dev-prefill}
CUDA=$(dirname "$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")")
log() { echo "== $*"; }

log "build"
if [ -z "${SKIP_BUILD:-}" ] || [ ! -f "$BUILD/libflashkda.so" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DFKDA_BUILD_TESTS=OFF -DFKDA_BUILD_CLI=OFF -DFKDA_BUILD_BENCH=OFF -DFKDA_CUDA=ON \
    >"$OUT/build.log" 2>&1 && ninja -C "$BUILD" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
fi
[ "$MODE" = bench ] || gcc -O2 -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I include -I "$CUDA/include" \
  tests/gpu/test_cuda_prefill.c -o "$BUILD/test_cuda_prefill" "$BUILD/libflashkda.a" -L"$CUDA/lib64" \
  -lcudart_static -ldl -lrt -lpthread -fopenmp -lm -lstdc++ || exit 1

rc=0
if [ "$MODE" = test ] || [ "$MODE" = all ]; then
  log "GPU test"
  "$BUILD/test_cuda_prefill" 2>&1 | tee "$OUT/test.log"; rc=${PIPESTATUS[0]}
  if command -v compute-sanitizer >/dev/null || [ -x "$CUDA/bin/compute-sanitizer" ]; then
    CS=$(command -v compute-sanitizer || echo "$CUDA/bin/compute-sanitizer")
    for tool in memcheck racecheck; do
      log "compute-sanitizer $tool"
      "$CS" --tool $tool --error-exitcode 3 "$BUILD/test_cuda_prefill" small 2>&1 | tail -4 | tee -a "$OUT/test.log"
      [ "${PIPESTATUS[0]}" = 0 ] || rc=1
    done
  fi
fi
if [ "$MODE" = bench ] || [ "$MODE" = all ]; then
  log "benchmark"
  python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl-fla/*.whl >/dev/null 2>&1
  export PYTHONPATH=/tmp/site:$ROOT/python FLASHKDA_LIBRARY=$BUILD/libflashkda.so FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1
  card=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '-' | tr -cd 'A-Za-z0-9-')
  python3 bench/prefill_bench.py --json "$OUT/prefill-$card.json" --plot "$OUT/prefill-$card.png" "$@" 2>&1 \
    | tee "$OUT/bench.log"
fi
exit $rc
