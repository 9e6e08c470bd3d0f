#!/usr/bin/env bash
# Tests of the flashkda command-line tool: the default run (its err_ratio against the fp64 reference must
# be small), safetensors round trips (with itself, and with Python's safetensors when it is installed),
# malformed safetensors files (each must give a clear error and exit status 1, never a crash), bench.
# usage: bash test_cli.sh BUILD_DIR      (FKDA_CLI_WRAPPER="valgrind -q --error-exitcode=99" to check memory)
set -u
BUILD=${1:?usage: test_cli.sh BUILD_DIR}
FKDA="$(cd "$BUILD" && pwd)/cli/flashkda"
WRAP=${FKDA_CLI_WRAPPER:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
FAILS=0
SMALL="4/8x64x64@100+0+57+30"   # varlen with an empty sequence, GVA group 2

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok:   $*"; }

# expect_ok NAME CMD...: exit status 0
expect_ok() {
    local name=$1; shift
    if $WRAP "$FKDA" "$@" >"$TMP/stdout" 2>"$TMP/stderr"; then pass "$name"
    else fail "$name (exit $?): $(cat "$TMP/stderr")"; fi
}

# expect_error NAME STATUS PATTERN CMD...: exit status STATUS and PATTERN (grep -E) in stderr
expect_error() {
    local name=$1 want=$2 pattern=$3; shift 3
    $WRAP "$FKDA" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    local rc=$?
    if [ "$rc" != "$want" ]; then fail "$name: exit status $rc, expected $want: $(cat "$TMP/stderr")"
    elif ! grep -Eq -- "$pattern" "$TMP/stderr"; then fail "$name: stderr lacks /$pattern/: $(cat "$TMP/stderr")"
    else pass "$name: $(head -c 160 "$TMP/stderr" | head -n 1)"; fi
}

# mkst FILE HEADER_JSON DATA_BYTES: a safetensors file with the given header and DATA_BYTES zero bytes.
mkst() {
    local n=${#2} i hex=""
    for i in 0 1 2 3 4 5 6 7; do hex+=$(printf '\\x%02x' $(((n >> (8 * i)) & 255))); done
    { printf "$hex"; printf '%s' "$2"; head -c "$3" /dev/zero; } >"$1"
}

# ---- help and version --------------------------------------------------------------------------------
expect_ok "--version" --version
grep -q "flashkda 0" "$TMP/stdout" || fail "--version output: $(cat "$TMP/stdout")"
expect_ok "--help" --help
expect_ok "run --help" run --help
grep -q -- "--save-inputs" "$TMP/stdout" || fail "run --help lacks --save-inputs"
expect_ok "bench --help" bench --help
expect_error "unknown command" 2 "unknown command" frobnicate
expect_error "bad option value" 2 "invalid value 'f64' for --dtype" run --dtype f64
expect_error "bad shape" 2 "bad shape" run --shape 16x128

# ---- the default run: what ran, time, throughput and a small error ------------------------------------
expect_ok "default run" run --repeats 1
cat "$TMP/stdout"
for key in backend shape dtype gate flags time throughput err_ratio; do
    grep -q "^$key " "$TMP/stdout" || fail "default run prints no '$key' line"
done
grep -q "T=8192 H=16 HV=16 K=128 V=128, 6 sequences: 1300 547 2048 963 271 3063" "$TMP/stdout" ||
    fail "default run: unexpected shape line"
err=$(awk '/^err_ratio/ { gsub(",", ""); print $3, $5 }' "$TMP/stdout")
if awk -v e="$err" 'BEGIN { split(e, x, " "); exit !(x[1] + 0 > 0 && x[1] + 0 < 0.006 && x[2] + 0 < 0.006) }'; then
    pass "default run err_ratio out/final_state = $err"
else fail "default run err_ratio '$err' not in (0, 0.006)"; fi

# Other gates, flags and layouts on a small shape, held to the FLA tolerance by --max-err.
expect_ok "softplus gate, k-first" run -s "$SMALL" --gate softplus --state-layout k --max-err 0.006 --check-heads 8
expect_ok "precomputed gate, no l2norm, f32" run -s "$SMALL" --gate precomputed --no-l2norm -t f32 --max-err 0.006
expect_ok "f16, neg eigval, no initial state, fixed length" run -s 2x64x64@3x40 -t f16 --neg-eigval --no-initial-state --max-err 0.006
expect_ok "reference backend" run -s "$SMALL" -b reference
grep -q "this is the reference" "$TMP/stdout" || fail "reference backend: no 'not checked' line"
if "$FKDA" --version | grep -q "cuda device: no"; then
    expect_error "no CUDA device" 1 "no CUDA device" run -s "$SMALL" -b cuda
fi
expect_error "API error is reported" 1 "lower_bound" run -s "$SMALL" --lower-bound -7

# ---- safetensors round trip through flashkda itself ------------------------------------------------------
expect_ok "save inputs and outputs" run -s "$SMALL" --save-inputs in.safetensors -o out1.safetensors
expect_ok "replay saved inputs" run -i in.safetensors -o out2.safetensors --max-err 0.006
if cmp -s out1.safetensors out2.safetensors; then pass "replayed outputs are identical"
else fail "replayed outputs differ"; fi
expect_error "--in and --shape" 2 "exclude" run -i in.safetensors -s "$SMALL"

# ---- malformed files: a clear error naming the file and the problem, exit status 1 ---------------------
size=$(stat -c %s in.safetensors)
head -c $((size / 2)) in.safetensors >truncated.safetensors
expect_error "truncated file" 1 "truncated.safetensors: .*(outside the data section|exceeds the file)" run -i truncated.safetensors
head -c 5 in.safetensors >tiny.safetensors
expect_error "file shorter than 8 bytes" 1 "too short" run -i tiny.safetensors
expect_error "missing file" 1 "cannot open" run -i does-not-exist.safetensors
printf '\xff\xff\xff\xff\x00\x00\x00\x00{}' >hugeheader.safetensors
expect_error "header size beyond the file" 1 "exceeds the file" run -i hugeheader.safetensors
mkst badjson.safetensors '{"q": {"dtype": "F32", "shape": [2], ' 8
expect_error "bad JSON" 1 "badjson.safetensors: header is not valid JSON" run -i badjson.safetensors
mkst notobject.safetensors '[1, 2, 3]' 0
expect_error "header not an object" 1 "not a JSON object" run -i notobject.safetensors
mkst range.safetensors '{"q": {"dtype": "F32", "shape": [250], "data_offsets": [0, 1000]}}' 16
expect_error "offsets out of range" 1 "tensor 'q': data_offsets \[0, 1000\] lie outside the data section" run -i range.safetensors
mkst dtype.safetensors '{"q": {"dtype": "F33", "shape": [4], "data_offsets": [0, 16]}}' 16
expect_error "unknown dtype" 1 "tensor 'q': unknown dtype \"F33\"" run -i dtype.safetensors
mkst u8.safetensors '{"q": {"dtype": "U8", "shape": [16], "data_offsets": [0, 16]}}' 16
expect_error "unsupported dtype" 1 "tensor 'q': dtype U8 is not supported" run -i u8.safetensors
mkst shape.safetensors '{"q": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]}}' 16
expect_error "shape mismatch" 1 "tensor 'q': shape and dtype F32 need 24 bytes but data_offsets span 16" run -i shape.safetensors
mkst bigshape.safetensors '{"q": {"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296], "data_offsets": [0, 16]}}' 16
expect_error "overflowing shape" 1 "tensor 'q': shape and dtype F32 need more than" run -i bigshape.safetensors
mkst negshape.safetensors '{"q": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}}' 16
expect_error "negative extent" 1 "shape\[0\] is not a non-negative integer" run -i negshape.safetensors
mkst overlap.safetensors '{"q": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "k": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}' 24
expect_error "overlapping offsets" 1 "tensor 'k': data_offsets \[8, 24\] overlap tensor 'q'" run -i overlap.safetensors
mkst order.safetensors '{"q": {"dtype": "F32", "shape": [0], "data_offsets": [16, 0]}}' 16
expect_error "out-of-order offsets" 1 "data_offsets \[16, 0\] are out of order" run -i order.safetensors
mkst hole.safetensors '{"q": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}' 16
expect_error "hole in the data" 1 "leave a hole" run -i hole.safetensors
mkst dup.safetensors '{"q": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "q": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}}' 16
expect_error "duplicate tensor" 1 "tensor 'q' appears twice" run -i dup.safetensors
mkst trailing.safetensors '{"q": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}} xyz' 8
expect_error "garbage after the JSON" 1 "unexpected bytes after the JSON header" run -i trailing.safetensors
mkst meta.safetensors '{"__metadata__": {"a": 1}}' 0
expect_error "bad __metadata__" 1 "__metadata__ value of 'a' is not a string" run -i meta.safetensors
mkst missing.safetensors '{"__metadata__": {"format": "pt"}, "q": {"dtype": "F32", "shape": [1, 1, 1, 4], "data_offsets": [0, 16]}}' 16
expect_error "missing tensor" 1 "tensor 'k' is missing" run -i missing.safetensors
# A well-formed file whose shapes disagree: the library's validation message comes through.
Q='"dtype": "F32", "shape": [1, 2, 1, 4]'
mkst api.safetensors "{\"q\": {$Q, \"data_offsets\": [0, 32]}, \"k\": {$Q, \"data_offsets\": [32, 64]}, \"v\": {$Q, \"data_offsets\": [64, 96]}, \"g\": {$Q, \"data_offsets\": [96, 128]}, \"beta\": {\"dtype\": \"F32\", \"shape\": [1, 3, 1], \"data_offsets\": [128, 140]}}" 140
expect_error "shapes the API rejects" 1 "beta" run -i api.safetensors
expect_error "unwritable output" 1 "cannot open for writing" run -s 1x16x16@8 -o /nonexistent-dir/out.safetensors

# ---- interoperability with Python's safetensors ---------------------------------------------------------------
if python3 -c "import safetensors, numpy" 2>/dev/null; then
    expect_ok "write f16 inputs" run -s "$SMALL" -t f16 --save-inputs in16.safetensors -o out16.safetensors
    cat >interop.py <<'EOF'
import sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

step = sys.argv[1]
if step == "read":  # Python reads what flashkda wrote (bf16: header only, numpy has no bfloat16)
    for path in ["in16.safetensors", "out16.safetensors", "in.safetensors", "out1.safetensors"]:
        with safe_open(path, framework="np") as f:
            info = {k: (f.get_slice(k).get_dtype(), f.get_slice(k).get_shape()) for k in f.keys()}
        print(path, info)
    d = load_file("in16.safetensors")
    assert d["q"].dtype == np.float16 and d["q"].shape == (1, 187, 4, 64), d["q"].shape
    assert d["cu_seqlens"].tolist() == [0, 100, 100, 157, 187], d["cu_seqlens"]
    assert d["A_log"].dtype == np.float32 and d["A_log"].shape == (8,)
    o = load_file("out16.safetensors")
    assert o["out"].shape == (1, 187, 8, 64) and o["final_state"].shape == (4, 8, 64, 64)
    assert np.isfinite(o["out"]).all() and np.abs(o["out"]).max() > 0
elif step == "write":  # flashkda reads what Python wrote: vLLM-style [T, H, K] tensors, int32 cu_seqlens
    rng = np.random.default_rng(0)
    T, H, HV, K, V = 50, 2, 4, 32, 16
    t = {
        "q": rng.standard_normal((T, H, K)).astype(np.float32),
        "k": rng.standard_normal((T, H, K)).astype(np.float16),
        "v": rng.standard_normal((T, HV, V)).astype(np.float32),
        "g": rng.standard_normal((T, HV, K)).astype(np.float32),
        "beta": rng.standard_normal((T, HV)).astype(np.float16),
        "A_log": rng.standard_normal(HV).astype(np.float16),
        "dt_bias": rng.standard_normal(HV * K).astype(np.float32),
        "cu_seqlens": np.array([0, 20, 50], dtype=np.int32),
        "initial_state": rng.standard_normal((2, HV, V, K)).astype(np.float32),
        "extra": np.zeros(3, dtype=np.uint8),
    }
    t["k"] = t["k"].astype(np.float32)  # q and k must share a dtype; keep the f16 values
    save_file(t, "py.safetensors", metadata={"source": "test_cli.sh"})
    np.savez("py.npz", **t)
elif step == "check":  # and writes back exactly the same values
    t = np.load("py.npz")
    b = load_file("back.safetensors")
    for name in ["q", "k", "v", "g", "beta", "dt_bias", "cu_seqlens", "initial_state"]:
        assert b[name].dtype == t[name].dtype, (name, b[name].dtype)
        assert np.array_equal(b[name].reshape(t[name].shape), t[name]), name
    assert b["q"].shape == (1, 50, 2, 32)  # the batch axis was added
    assert b["A_log"].dtype == np.float32 and np.array_equal(b["A_log"], t["A_log"].astype(np.float32))
    o = load_file("pyout.safetensors")
    assert o["out"].shape == (1, 50, 4, 16) and o["final_state"].shape == (2, 4, 16, 32)
print("python", step, "ok")
EOF
    if python3 interop.py read; then pass "python reads flashkda's files"; else fail "python reads flashkda's files"; fi
    if python3 interop.py write; then pass "python writes inputs"; else fail "python writes inputs"; fi
    expect_ok "flashkda reads python's file" run -i py.safetensors --save-inputs back.safetensors -o pyout.safetensors --max-err 0.006
    grep -q "ignoring tensor 'extra'" "$TMP/stderr" || fail "no warning about the extra tensor"
    if python3 interop.py check; then pass "values survive python -> flashkda -> python"; else fail "python round trip"; fi
else
    echo "skip: python3 with safetensors and numpy not found: no interoperability test"
fi

# ---- bench -----------------------------------------------------------------------------------------------
expect_ok "bench table" bench -s 2x64x64@2x32,2/4x64x64@20+30 -r 1 -w 0
grep -q "tokens/s" "$TMP/stdout" && grep -q "reference" "$TMP/stdout" || fail "bench table: $(cat "$TMP/stdout")"
expect_ok "bench json" bench -s 2x64x64@2x32 -b cpu -r 1 --json
if python3 -c "import json, sys; d = json.load(open(sys.argv[1])); assert d['results'][0]['ok'] and d['results'][0]['tokens'] == 64" "$TMP/stdout" 2>/dev/null ||
    { ! command -v python3 >/dev/null && grep -q '"tokens_per_s"' "$TMP/stdout"; }; then pass "bench json parses"
else fail "bench json: $(cat "$TMP/stdout")"; fi
expect_error "bench bad backend" 2 "unknown backend" bench -b gpu

if [ "$FAILS" != 0 ]; then echo "$FAILS failure(s)"; exit 1; fi
echo "all CLI tests passed"
