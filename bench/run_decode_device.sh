#!/usr/bin/env bash
# Build, test and benchmark the CUDA decode on a GPU machine, then time FLA's fused_recurrent_kda_fwd in
# the same run. Results (logs, JSON lines) go to $OUT (default ./decode-out).
#
#   bench/run_decode_device.sh            configure + build the library (build-decode/), compile the
#                                         test and the bench against it, run everything
#   PREBUILT=dir bench/run_decode_device.sh   use test_cuda_decode and decode_bench already built in dir
#   FLA_WHEEL_DIR=.whl-fla                where FLA's wheel is (installed with pip --target /tmp/site)
#   SWEEP="8 16"                          rows-per-warp variants to time besides the default choice
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/decode-out}
mkdir -p "$OUT"
CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
export PATH=$CUDA_HOME/bin:$PATH

if [ -n "${PREBUILT:-}" ]; then
  BIN=$PREBUILT
else
  BIN=build-decode/gpu
  cmake -S . -B build-decode -G Ninja -DFKDA_BUILD_TESTS=OFF -DFKDA_BUILD_CLI=OFF -DFKDA_BUILD_BENCH=OFF \
    >"$OUT/build.log" 2>&1 && cmake --build build-decode >>"$OUT/build.log" 2>&1 || { tail -30 "$OUT/build.log"; exit 1; }
  mkdir -p "$BIN"
  CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Iinclude -I$CUDA_HOME/include"
  for p in tests/gpu/test_cuda_decode bench/decode_bench; do
    n=$(basename $p)
    gcc $CFLAGS -c $p.c -o "$BIN/$n.o" && nvcc -o "$BIN/$n" "$BIN/$n.o" build-decode/libflashkda.a -Xcompiler -fopenmp -lm \
      || { echo "build of $n failed"; exit 1; }
  done
fi
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem --format=csv,noheader | tee "$OUT/gpu.txt"

# Every kernel variant through the whole suite.
test_rc=0
: >"$OUT/test.log"
for v in 8 16; do
  echo "== test_cuda_decode (rows per warp $v)" | tee -a "$OUT/test.log"
  FKDA_DECODE_ROWS=$v "$BIN/test_cuda_decode" >>"$OUT/test.log" 2>&1
  rc=$?; [ $rc -ne 0 ] && test_rc=$rc
  tail -1 "$OUT/test.log"
done
memcheck_rc=0
: >"$OUT/memcheck.log"
for v in 8 16; do
  echo "== compute-sanitizer memcheck (small cases, rows per warp $v)" | tee -a "$OUT/memcheck.log"
  FKDA_DECODE_ROWS=$v compute-sanitizer --tool memcheck --leak-check full --error-exitcode 3 \
    "$BIN/test_cuda_decode" small >>"$OUT/memcheck.log" 2>&1 || memcheck_rc=$?
  tail -2 "$OUT/memcheck.log"
done

echo "== decode_bench"
: >"$OUT/bench.jsonl"
for v in ${SWEEP-8 16}; do
  FKDA_DECODE_ROWS=$v "$BIN/decode_bench" >>"$OUT/bench.jsonl" 2>&1
done
FKDA_BENCH_ACCURACY=1 "$BIN/decode_bench" >>"$OUT/bench.jsonl" 2>&1

echo "== FLA fused_recurrent_kda_fwd"
if [ -d "${FLA_WHEEL_DIR:-.whl-fla}" ]; then
  python3 -m pip install -q --no-index --no-deps --target /tmp/site "${FLA_WHEEL_DIR:-.whl-fla}"/*.whl >/dev/null 2>&1
  export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1 python3 bench/decode_fla.py >"$OUT/fla.jsonl" 2>"$OUT/fla.err" || tail -20 "$OUT/fla.err"

echo "== summary (test rc $test_rc, memcheck rc $memcheck_rc)"
python3 - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/bench.jsonl") if l.startswith("{")]
fla = {r["N"]: r for r in (json.loads(l) for l in open(f"{out}/fla.jsonl") if l.startswith("{")) if "N" in r}
bw = [r["copy_bandwidth_GBps"] for r in rows if "copy_bandwidth_GBps" in r]
print("copy bandwidth (GB/s, read+write):", bw)
print(f"{'pool':5} {'variant':>8} {'N':>5} {'us':>9} {'bw%':>6} {'host us':>8} {'FLA us':>8} {'FLA bw%':>7} {'FLA eager us':>12} {'err out':>9} {'err state':>9}")
for r in rows:
    if "N" not in r: continue
    f = fla.get(r["N"], {}) if r["pool"] == "f32" else {}
    print(f"{r['pool']:5} {r['variant']:>8} {r['N']:>5} {r['graph_us']:>9.2f} {100*r['bw_fraction']:>6.1f} "
          f"{r['host_us_per_eager_call']:>8.2f} {f.get('graph_us', float('nan')):>8.2f} "
          f"{100*f.get('bw_fraction', float('nan')):>7.1f} {f.get('eager_us', float('nan')):>12.1f} "
          f"{r['err_out']:>9.2e} {r['err_state']:>9.2e}")
EOF
exit $test_rc
