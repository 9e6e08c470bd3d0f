#!/usr/bin/env bash
# Session 16 call 5: (1) kernel timelines of H = 16 varlen 6 with host lengths, before (.carry/base = 7996049) and
# after (.carry/f1 = HEAD's kernels) the C32 state-pair change, auto and forced phase counts; (2) the segment plan
# against forced segment lengths on HEAD's kernels (C32 chains ~5-7% faster than the model's constants).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD/python
V6=1300,547,2048,963,271,3063
for L in base f1; do
  echo "== $L timelines"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so python3 bench/phase_timeline.py --H 16 --lens $V6 \
    --knobs auto SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 2>&1 | tail -n 30
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so python3 bench/plan_check.py --H 16 --lens $V6 --graph \
    --knobs auto SEG=0,PHASES=1 SEG=0,PHASES=2 SEG=0,PHASES=3 2>&1 | grep "^H="
done
export FLASHKDA_LIBRARY=$PWD/.carry/f1/lib/libflashkda.so
echo "== segment sweeps (HEAD kernels)"
python3 bench/plan_check.py --H 16 --T 8192 --graph --knobs auto SEG=0 SEG=32 SEG=48 SEG=64 SEG=80 SEG=96 SEG=128 | grep "^H="
python3 bench/plan_check.py --H 32 --T 8192 --graph --knobs auto SEG=0 SEG=64 SEG=96 SEG=128 SEG=192 SEG=256 | grep "^H="
python3 bench/plan_check.py --H 8 --T 8192 --graph --knobs auto SEG=24 SEG=32 SEG=48 SEG=64 | grep "^H="
python3 bench/plan_check.py --H 4 --T 8192 --graph --knobs auto SEG=16 SEG=24 SEG=32 SEG=48 SEG=64 | grep "^H="
python3 bench/plan_check.py --H 16 --T 65536 --graph --knobs auto SEG=192 SEG=256 SEG=320 SEG=384 SEG=512 | grep "^H="
python3 bench/plan_check.py --H 64 --T 8192 --graph --knobs auto SEG=0 SEG=128 SEG=256 | grep "^H="
