#!/usr/bin/env bash
# One device call for a candidate prefill build against a reference build, both built here and carried:
#   .carry/$CAND/{lib/libflashkda.so*, bin/test_cuda_prefill} and .carry/$REF/lib (defaults cand and ref).
# Build one of them here (nvcc 13.0 is the device's) from the commit to test, D = .carry/cand or .carry/ref:
#   cmake -S . -B build-prefill -G Ninja -DFKDA_BUILD_TESTS=OFF -DFKDA_BUILD_CLI=OFF -DFKDA_BUILD_BENCH=OFF && \
#   ninja -C build-prefill && mkdir -p D/lib D/bin && cp -a build-prefill/libflashkda.so* D/lib/ && \
#   gcc -O2 -std=c11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -I include -I /usr/local/cuda/include \
#     tests/gpu/test_cuda_prefill.c -o D/bin/test_cuda_prefill build-prefill/libflashkda.a \
#     -L/usr/local/cuda/lib64 -lcudart_static -ldl -lrt -lpthread -fopenmp -lm -lstdc++
# 1. the candidate's GPU test (all cases), memcheck and racecheck (small cases), in parallel (run_gpu_checks.sh);
# 2. A/B without FLA on the v2 shapes (AB_SHAPES; AB_VARIANTS, e.g. auto:4,auto:4:2 adds the prep kernel alone, with
#    AB_COLS=120 to see it), reference then candidate;
# 3. the candidate against FLA (fla-core 0.6.0 from .whl) on every shape, same process: the report table.
#   run(command="bash bench/run_ab_fla_device.sh", carry=[".carry/ref", ".carry/cand", ".whl", ".fla-cache"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
CAND=.carry/${CAND:-cand}; REF=.carry/${REF:-ref}
SAN_LIMIT=${SAN_LIMIT:-90} bash bench/run_gpu_checks.sh $CAND
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
for L in $REF $CAND $REF $CAND; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/$L/lib/libflashkda.so timeout ${AB_TIMEOUT:-60} python3 bench/prefill_bench.py --only ${AB_SHAPES:-3,4,5,6,8,10} \
    --no-fla --variants ${AB_VARIANTS:-auto:4} | grep "^H=" | cut -c1-${AB_COLS:-75}
done
[ "${NO_FLA:-0}" = 1 ] && exit 0 # A/B only
source bench/device_env.sh
FLA_LIMIT=280 fla_table "$CAND"
