#!/usr/bin/env bash
# Build, test and benchmark the CUDA decode on a GPU machine, then time FLA's fused_recurrent_kda_fwd in
# the same run. Results (logs, JSON lines) go to $OUT (default ./decode-out).
#
#   bench/run_decode_device.sh                configure + build the library (build-decode/), compile the
#                                             test and the bench against it, run everything
#   PREBUILT=dir bench/run_decode_device.sh   use test_cuda_decode and decode_bench already built in dir
#   FLA_WHEEL_DIR=.whl-fla                    where FLA's wheel is (installed with pip --target /tmp/site)
#   FLA=0                                     skip FLA
#   TESTS="ROWS=8 ROWS=16 PAIR=1"             kernel variants run through the whole suite (this default)
#   MEMCHECK="ROWS=8 ROWS=16 PAIR=1"          variants run under compute-sanitizer memcheck (small cases)
#   SWEEP="auto;ROWS=8;ROWS=16;PAIR=1"        variants timed by decode_bench (FKDA_BENCH_VARIANTS), both pools;
#   SWEEP_F32=..., SWEEP_BF16=...             or per pool. A variant sets FKDA_DECODE_<KEY>=<VALUE> knobs.
#   BASELINE=path/decode_bench                another build's bench (the previous commit, say) timed in the same
#                                             run: fp32 all N, bf16 N = 256; shown as variant "baseline"
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

# "ROWS=16,CPL=8" -> "FKDA_DECODE_ROWS=16 FKDA_DECODE_CPL=8" (for env); "auto" -> nothing
knobs() { [ "$1" = auto ] && return; echo "$1" | sed 's/\([A-Z]*\)=/FKDA_DECODE_\1=/g; s/,/ /g'; }

test_rc=0
: >"$OUT/test.log"
for v in ${TESTS:-ROWS=8 ROWS=16 PAIR=1}; do
  echo "== test_cuda_decode ($v)" >>"$OUT/test.log"
  env $(knobs $v) timeout 120 "$BIN/test_cuda_decode" >>"$OUT/test.log" 2>&1
  rc=$?; [ $rc -ne 0 ] && test_rc=$rc
  echo "test $v: rc $rc, $(tail -1 "$OUT/test.log")"
done
memcheck_rc=0
: >"$OUT/memcheck.log"
for v in ${MEMCHECK:-ROWS=8 ROWS=16 PAIR=1}; do
  echo "== compute-sanitizer memcheck (small cases, $v)" >>"$OUT/memcheck.log"
  env $(knobs $v) compute-sanitizer --tool memcheck --leak-check full --error-exitcode 3 \
    "$BIN/test_cuda_decode" small >>"$OUT/memcheck.log" 2>&1 || memcheck_rc=$?
  echo "memcheck $v: $(grep -h 'ERROR SUMMARY' "$OUT/memcheck.log" | tail -1)"
done

echo "== decode_bench"
: >"$OUT/bench.jsonl"
FKDA_BENCH_VARIANTS="${SWEEP_F32:-${SWEEP:-auto;ROWS=8;ROWS=16;PAIR=1}}" FKDA_BENCH_ACCURACY=1 "$BIN/decode_bench" f32 >>"$OUT/bench.jsonl" 2>&1
FKDA_BENCH_VARIANTS="${SWEEP_BF16:-${SWEEP:-auto;ROWS=8;ROWS=16;PAIR=1}}" FKDA_BENCH_ACCURACY=1 "$BIN/decode_bench" bf16 >>"$OUT/bench.jsonl" 2>&1
if [ -n "${BASELINE:-}" ]; then
  { "$BASELINE" f32; "$BASELINE" bf16 256; } 2>&1 | sed 's/"variant": "[^"]*"/"variant": "baseline"/' >>"$OUT/bench.jsonl"
fi
: >"$OUT/fla.jsonl"
if [ "${FLA:-1}" != 0 ]; then
  echo "== FLA fused_recurrent_kda_fwd"
  if [ -d "${FLA_WHEEL_DIR:-.whl-fla}" ]; then
    python3 -m pip install -q --no-index --no-deps --target /tmp/site "${FLA_WHEEL_DIR:-.whl-fla}"/*.whl >/dev/null 2>&1
    export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
  fi
  FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1 python3 bench/decode_fla.py >"$OUT/fla.jsonl" 2>"$OUT/fla.err" || tail -20 "$OUT/fla.err"
fi

echo "== summary (test rc $test_rc, memcheck rc $memcheck_rc)"
python3 - "$OUT" <<'PYEOF'
import json, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/bench.jsonl") if l.startswith("{")]
fla = {r["N"]: r for r in (json.loads(l) for l in open(f"{out}/fla.jsonl") if l.startswith("{")) if "N" in r}
bw = [r["copy_bandwidth_GBps"] for r in rows if "copy_bandwidth_GBps" in r]
print("copy bandwidth (GB/s, read+write):", bw)
Ns = sorted({r["N"] for r in rows if "N" in r})
for pool in ("f32", "bf16"):
    vs = []
    for r in rows:
        if r.get("pool") == pool and r["variant"] not in vs: vs.append(r["variant"])
    if not vs: continue
    print(f"{pool:5} {'variant':28}" + "".join(f"{'N=' + str(n):>16}" for n in Ns) + "   (us / % of copy BW)")
    for v in vs:
        cells = {r["N"]: r for r in rows if r.get("pool") == pool and r["variant"] == v}
        print(f"{'':5} {v:28}" + "".join(f"{cells[n]['graph_us']:>9.2f} {100*cells[n]['bw_fraction']:>5.1f}%" if n in cells else f"{'':>16}" for n in Ns))
    if pool == "f32" and fla:
        print(f"{'':5} {'FLA':28}" + "".join(f"{fla[n]['graph_us']:>9.2f} {100*fla[n]['bw_fraction']:>5.1f}%" if n in fla else f"{'':>16}" for n in Ns))
for r in rows:
    if r.get("err_out", -1) >= 0:
        print(f"accuracy {r['pool']} N={r['N']} {r['variant']}: err_out {r['err_out']:.2e} err_state {r['err_state']:.2e}, host us/eager call {r['host_us_per_eager_call']:.1f}")
PYEOF
exit $test_rc
