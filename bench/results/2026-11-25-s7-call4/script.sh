#!/usr/bin/env bash
# Segment length (FKDA_PREFILL_SEGMENTS) and V-split sweep of the v3 path on the single-sequence shapes, no FLA:
#   run(command="bash bench/run_seg_sweep_device.sh", carry=[".carry/ref"])
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/${LIB:-ref}/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
run() { timeout 60 python3 bench/prefill_bench.py --no-fla --err-only 99 "$@" 2>&1 | grep "^H=" | sed 's/  floor.*//'; }
echo "== automatic plan"; run --only 4,5,8,10,7 --variants auto:4,1:4,2:4,4:4,8:4
echo "== H16 8x1024 v2/v3 instead of v4.1"; run --only 7 --variants auto:4:3,1:4:3,2:4:3
for L in ${LS:-32 43 52 64 74 86 103 128 171 256 512 1024}; do
  echo "== L=$L"; FKDA_PREFILL_SEGMENTS=$L run --only ${SHAPES:-4,5,8,10} --variants auto:4,1:4,2:4,4:4,8:4
done 2>&1 | tee $OUT/sweep.log
