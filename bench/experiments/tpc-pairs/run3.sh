#!/usr/bin/env bash
# Session 21 call 3: GPC-sized clusters for the single-sequence phases' chains with 2 and 3 phases.
#   run(command="bash bench/experiments/tpc-pairs/run3.sh", carry=[".carry/cp", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export PYTHONPATH=python FLASHKDA_LIBRARY=$PWD/.carry/cp/lib/libflashkda.so
V6=1300,547,2048,963,271,3063
{
K="auto CPAIR=116 PHASES=3 PHASES=3,CPAIR=116 PHASES=3,CPAIR=108 PHASES=2,CPAIR=108 PHASES=1,CPAIR=16 PHASES=4,CPAIR=116 auto PHASES=3,CPAIR=116"
for s in "--H 16 --lens $V6" "--H 8 --lens $V6" "--H 16 --lens 4000,1000,1000,1000,1000"; do
  timeout 150 python3 bench/plan_check.py $s --graph --knobs $K 2>&1 | grep -v -i warn
done
timeout 90 python3 bench/phase_timeline.py --H 16 --lens $V6 --knobs PHASES=3 PHASES=3,CPAIR=116 PHASES=3,CPAIR=108 PHASES=4,CPAIR=116 2>&1 | grep -v -i warn
timeout 90 python3 bench/phase_timeline.py --H 8 --lens $V6 --knobs auto CPAIR=116 PHASES=3,CPAIR=116 2>&1 | grep -v -i warn
} | tee "$OUT/ab.txt"
