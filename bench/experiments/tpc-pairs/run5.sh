#!/usr/bin/env bash
# Session 21 call 5: the GPC clusters (FKDA_PREFILL_GPC, default on) against GPC=0 in one process, eager and graph,
# repeated; then the FLA table (fla-core 0.6.0, --graph --host-cu) with the candidate build.
#   run(command="bash bench/experiments/tpc-pairs/run5.sh", carry=[".carry/gp", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/.carry/gp/lib/libflashkda.so
V6=1300,547,2048,963,271,3063
K="auto GPC=0 auto GPC=0 auto GPC=0"
for s in "--H 12 --lens $V6" "--H 16 --lens $V6" "--H 16 --lens 4000,1000,1000,1000,1000"; do
  PYTHONPATH=python timeout 100 python3 bench/plan_check.py $s --graph --knobs $K 2>&1 | grep -v -i warn
done | tee "$OUT/gpc-ab.txt"
fla_table .carry/gp --host-cu
