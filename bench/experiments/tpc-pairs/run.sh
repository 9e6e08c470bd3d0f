#!/usr/bin/env bash
# Session 21: chain CTAs paired on TPCs (clusters of two). One device call:
#   run(command="bash bench/experiments/tpc-pairs/run.sh", carry=[".carry/cp", ".whl"])
# .carry/cp: the library with the FKDA_PREFILL_CPAIR knob and bin/tpc_probe (tpc_probe.cu).
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv,noheader
.carry/cp/bin/tpc_probe | tee "$OUT/probe.txt"
export FLASHKDA_LIBRARY=$PWD/.carry/cp/lib/libflashkda.so PYTHONPATH=python
V6=1300,547,2048,963,271,3063
L20=4000$(printf ',200%.0s' $(seq 20))
K="auto CPAIR=1 auto CPAIR=1"
{
for s in "--H 16 --lens $V6" "--H 8 --lens $V6" "--H 16 --lens 3063,16" "--H 16 --lens $L20" "--H 16 --T 8192" \
         "--H 8 --T 8192" "--H 12 --T 16384" "--H 16 --T 65536" "--H 32 --T 8192" "--H 64 --T 8192"; do
  timeout 120 python3 bench/plan_check.py $s --graph --knobs $K 2>&1 | grep -v Warning
done
timeout 60 python3 bench/phase_timeline.py --H 16 --lens $V6 --knobs auto CPAIR=1 2>&1 | grep -v Warning
} | tee "$OUT/ab.txt"
