#!/usr/bin/env bash
# Session 13 call 5: .carry/s13e (phase_pick: phases in seg_plan's unsegmented estimate; prefill_bench --host-cu):
# suite (default and C32=0), memcheck, racecheck; plan checks where segments and phases compete (H = 4, 2 varlen 6 with
# host lengths); A/B against 0348823 (.carry/s12e) on the v2 shapes without FLA; then the FLA table with --host-cu and
# --graph (fla-core 0.6.0), same process
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
TEST_LIMIT=200 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/s13e
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
PC="timeout 60 python3 bench/plan_check.py"
BIG=1300,547,2048,963,271,3063
export FLASHKDA_LIBRARY=$PWD/.carry/s13e/lib/libflashkda.so
for H in 4 2 16 8; do $PC --H $H --lens $BIG --knobs auto SEG=0,PHASES=1 SEG=0 2>&1 | grep -v -i warn; done
for L in s12e s13e s12e s13e; do
  echo "== $L"
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 3,4,5,6,8,10 \
    --no-fla --variants auto:4 | grep "^H=" | cut -c1-75
  FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so timeout 60 python3 bench/prefill_bench.py --only 6 --host-cu \
    --no-fla --variants auto:4 | grep "^H=" | cut -c1-75
done
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python timeout 300 \
  python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json $OUT/prefill.json \
  --plot $OUT/prefill.png > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; grep -E "^\|" $OUT/prefill.log
