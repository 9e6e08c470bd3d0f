#!/usr/bin/env bash
# Session 17 call 2 (library bdc0d3a = .carry/s17, three producer groups by default): suite (default and C32=0),
# memcheck, racecheck; the FLA table (fla-core 0.6.0 in the same process, eager and graph, --host-cu, our eager calls
# through the C hot path); plan_check of use_overlap's boundary (fused forced on against auto).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
source bench/device_env.sh
fastcall_build || echo "fastcall_build failed"
TEST_LIMIT=240 SAN_LIMIT=240 bash bench/run_gpu_checks.sh .carry/s17
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export FLASHKDA_LIBRARY=$PWD/.carry/s17/lib/libflashkda.so PYTHONUNBUFFERED=1
FLA_FLASH_KDA=0 PYTHONPATH=/tmp/site:$PWD/python timeout 420 \
  python3 bench/prefill_bench.py --variants auto:4 --graph --host-cu --err-only 0,6,7 --json $OUT/prefill.json \
  --plot $OUT/prefill.png > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; head -1 $OUT/prefill.log; grep -E "^\|" $OUT/prefill.log
export PYTHONPATH=$PWD/python
for args in "--H 64 --T 8192" "--H 32 --T 8192" "--H 48 --T 8192" "--H 16 --lens 1300,547,2048,963,271,3063" "--H 24 --lens 1300,547,2048,963,271,3063"; do
  timeout 100 python3 bench/plan_check.py $args --graph --knobs auto OVERLAP=1 2>&1 | tee -a $OUT/plan.log
done
