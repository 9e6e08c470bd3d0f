#!/usr/bin/env bash
# One device call for the CUDA prefill: build the library, run the GPU test (plus compute-sanitizer
# memcheck/racecheck on a small case), time our kernel on every shape (all variants, no FLA), then FLA on
# the shapes of FLA_SHAPES under a hard time limit (its Triton autotuning costs minutes per head count),
# so that our results always come back. Results land in $OUT as they are made.
# Usage: bash bench/run_prefill_device.sh [all|test|bench]
# Knobs (environment): VARIANTS (ours, first = "ours"), FLA_SHAPES (shape indices, in order), TEST_LIMIT and
# OURS_LIMIT (seconds), DEADLINE (seconds from the start by which FLA must stop: FLA gets what is left),
# ERR_SHAPES (shapes that get the fp64 error check), SANITIZE=0 to skip the sanitizers.
set -u -o pipefail
MODE=${1:-all}
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
ROOT=$(pwd); BUILD=${BUILD:-$ROOT/build-dev-prefill}
CUDA=$(dirname "$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")")
VARIANTS=${VARIANTS:-auto:1}; FLA_SHAPES=${FLA_SHAPES:-0,4,8,3,5}; DEADLINE=${DEADLINE:-280}
TEST_LIMIT=${TEST_LIMIT:-180}; OURS_LIMIT=${OURS_LIMIT:-90}; ERR_SHAPES=${ERR_SHAPES:-5,6}
log() { echo "== $* ($(date +%T))"; }

log "build"
cmake -S . -B "$BUILD" -G Ninja -DFKDA_BUILD_TESTS=OFF -DFKDA_BUILD_CLI=OFF -DFKDA_BUILD_BENCH=OFF -DFKDA_CUDA=ON \
  >"$OUT/build.log" 2>&1 && ninja -C "$BUILD" >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
gcc -O2 -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I include -I "$CUDA/include" \
  tests/gpu/test_cuda_prefill.c -o "$BUILD/test_cuda_prefill" "$BUILD/libflashkda.a" -L"$CUDA/lib64" \
  -lcudart_static -ldl -lrt -lpthread -fopenmp -lm -lstdc++ || exit 1

rc=0
if [ "$MODE" != bench ]; then
  log "GPU test"
  timeout "$TEST_LIMIT" "$BUILD/test_cuda_prefill" >"$OUT/test.log" 2>&1; rc=$?
  tail -40 "$OUT/test.log" | cut -c1-130; echo "test rc=$rc"
  CS=$(command -v compute-sanitizer || echo "$CUDA/bin/compute-sanitizer")
  if [ "${SANITIZE:-1}" = 1 ] && [ -x "$CS" ]; then
    for tool in memcheck racecheck; do
      log "compute-sanitizer $tool"
      timeout 30 "$CS" --tool $tool --error-exitcode 3 "$BUILD/test_cuda_prefill" small 2>&1 | tail -3 | tee -a "$OUT/test.log"
      [ "${PIPESTATUS[0]}" = 0 ] || rc=1
    done
  fi
fi
if [ "$MODE" != test ]; then
  python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl-fla/*.whl >/dev/null 2>&1
  export PYTHONPATH=/tmp/site:$ROOT/python FLASHKDA_LIBRARY=$BUILD/libflashkda.so FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1
  log "ours, all shapes"
  timeout "$OURS_LIMIT" python3 bench/prefill_bench.py --no-fla --variants "$VARIANTS" --err-only "$ERR_SHAPES" --json "$OUT/ours.json" \
    >"$OUT/ours.log" 2>&1
  grep -E "^H=" "$OUT/ours.log"
  FLA_LIMIT=$((DEADLINE - SECONDS))
  [ "$FLA_LIMIT" -ge 20 ] || { log "no time left for FLA"; exit $rc; }
  log "FLA on shapes $FLA_SHAPES, at most $FLA_LIMIT s"
  timeout "$FLA_LIMIT" python3 bench/prefill_bench.py --only "$FLA_SHAPES" --variants "${VARIANTS%%,*}" --err-only 5 \
    --json "$OUT/fla.json" >"$OUT/fla.log" 2>&1
  grep -E "^H=" "$OUT/fla.log"; log "done"
fi
exit $rc
