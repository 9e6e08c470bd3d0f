#!/usr/bin/env bash
# Session 15 call 4: row norms by mma (tile_row_norms: the diagonal of T T^T, one warp a tile; the v4.1 loaders
# each load a whole q or k tile). .carry/s15e = the change, .carry/s15d = 5d563cd (HEAD: bulk records).
# Suite + sanitizers on s15e, then A/B (two alternations) on the v4.1 shapes and the prep-heavy ones.
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=200 bash bench/run_gpu_checks.sh .carry/s15e
grep -E "worst|err" $OUT/test.log | tail -3
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
BIG=1300,547,2048,963,271,3063
ab() { for lib in s15d s15e s15d s15e; do echo "== $lib"; FLASHKDA_LIBRARY=$PWD/.carry/$lib/lib/libflashkda.so timeout 100 python3 bench/plan_check.py "$@" 2>&1 | grep -v -i warn; done; }
ab --H 16 --T 1024 --B 8 --graph --knobs auto V2=5
ab --H 96 --T 8192 --graph --knobs auto
ab --H 32 --T 256 --B 64 --graph --knobs auto
ab --H 96 --T 1024 --B 8 --graph --knobs auto
ab --H 16 --lens $BIG --graph --knobs auto
ab --H 16 --T 8192 --graph --knobs auto
