# Sourced by the device scripts (bench/run_*_device.sh, bench/run_fla_warm.sh, tests/gpu/run_python_gpu.sh) from the
# repository root: the setup they share on the device machine, which has no network.
#   fla_autotune_restore   FLA's Triton autotune results (bench/fla-autotune/*.tgz, and .fla-cache/*.tgz when carried)
#                          into TRITON_CACHE_DIR, so FLA skips minutes of autotuning
#   fla_install V DIR      fla-core V (and flash-linear-attention, einops) from the carried wheels in .whl into DIR
#   fastcall_build         flashkda._fastcall (the Python binding's C hot path) built in place in python/flashkda, so
#                          that a script running the checkout's python/ times the calls an installed package makes
#                          (the flags of python/CMakeLists.txt, without configuring the CUDA build)
#   build_backend_ready    scikit-build-core for `pip install --no-build-isolation .`: the machine's, else the
#                          carried wheel (.whl/build) on PYTHONPATH
#   fla_table LIB [ARGS]   the report table: the library folder LIB (lib/libflashkda.so) against fla-core 0.6.0 in one
#                          process (prefill_bench.py --variants auto:4 --graph --err-only 0,6,7 ARGS, e.g. --host-cu),
#                          into $OUT/prefill.{json,png,log}; prints the table
#   fla_rows LIB ROWS N [FIRST]  the report table's rows ROWS (prefill_bench.py --only, e.g. 6) in N fresh processes
#                          of their own, numbered from FIRST (default 1), each into $OUT/only<ROWS>-p<i>.{json,log};
#                          prints their table rows (how FLA's eager time, and with it the eager ratio, moves by process)
export TRITON_CACHE_DIR=${TRITON_CACHE_DIR:-$HOME/.triton/cache}
mkdir -p "$TRITON_CACHE_DIR"

fla_autotune_restore() {
    local f
    for f in bench/fla-autotune/*.tgz .fla-cache/*.tgz; do
        [ -f "$f" ] && tar xzf "$f" -C "$TRITON_CACHE_DIR"
    done
    return 0
}

fla_install() {
    python3 -m pip install -q --no-index --no-deps --target "$2" .whl/fla_core-"$1"-*.whl \
        .whl/flash_linear_attention-"$1"-*.whl .whl/einops-*.whl >/dev/null 2>&1
}

build_backend_ready() {
    python3 -c "import scikit_build_core" 2>/dev/null && return 0
    echo "scikit-build-core missing: the carried wheel (.whl/build)"
    python3 -m pip install -q --no-index --no-deps --target /tmp/sbc .whl/build/*.whl &&
        export PYTHONPATH=/tmp/sbc${PYTHONPATH:+:$PYTHONPATH}
}

fastcall_build() {
    local inc suffix
    inc=$(python3 -c "import sysconfig; print(sysconfig.get_paths()['include'])") &&
        suffix=$(python3 -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))") &&
        gcc -O2 -std=c11 -shared -fPIC -fvisibility=hidden -Wall -Wextra -Werror -I "$inc" -I include python/flashkda/_fastcall.c \
            -o "python/flashkda/_fastcall$suffix"
}

fla_table() {
    local lib=$1
    shift
    fla_autotune_restore
    fla_install 0.6.0 /tmp/site
    FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/$lib/lib/libflashkda.so timeout "${FLA_LIMIT:-300}" \
        python3 bench/prefill_bench.py --variants auto:4 --graph --err-only 0,6,7 "$@" --json "$OUT/prefill.json" \
        --plot "$OUT/prefill.png" > "$OUT/prefill.log" 2>&1
    echo "prefill_bench rc=$?"
    grep -E "^\|" "$OUT/prefill.log"
}

fla_rows() {
    local lib=$1 rows=$2 n=$3 first=${4:-1} i
    fla_autotune_restore
    fla_install 0.6.0 /tmp/site
    for i in $(seq "$first" $((first + n - 1))); do
        FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python FLASHKDA_LIBRARY=$PWD/$lib/lib/libflashkda.so timeout 150 \
            python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --only "$rows" --err-only "$rows" \
            --json "$OUT/only$rows-p$i.json" > "$OUT/only$rows-p$i.log" 2>&1
        echo "process $i rc=$?"
        grep -E "^\| [0-9]" "$OUT/only$rows-p$i.log"
    done
}
