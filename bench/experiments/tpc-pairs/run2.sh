#!/usr/bin/env bash
# Session 21 call 2: chain clusters of 2 / 4 / 8 / 16 CTAs (FKDA_PREFILL_CPAIR; >= 100: single-sequence phases only),
# per-CTA clocks (the CLK build of diag-defines.patch) and kernel timelines.
#   run(command="bash bench/experiments/tpc-pairs/run2.sh", carry=[".carry/cp", ".carry/cpclk", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export PYTHONPATH=python
V6=1300,547,2048,963,271,3063
for c in 0 2 8 16 116; do
  FKDA_PREFILL_CPAIR=$c FLASHKDA_LIBRARY=$PWD/.carry/cpclk/lib/libflashkda.so timeout 60 python3 \
    bench/experiments/one_call.py 16:$V6 > "$OUT/clk-$c.txt" 2>&1
  echo "== CPAIR=$c"; python3 bench/results/2026-11-27-s20/clk_post.py "$OUT/clk-$c.txt" 192
done
export FLASHKDA_LIBRARY=$PWD/.carry/cp/lib/libflashkda.so
K="auto CPAIR=2 CPAIR=8 CPAIR=16 CPAIR=116 CPAIR=108 auto CPAIR=8 CPAIR=16 CPAIR=116"
{
for s in "--H 16 --lens $V6" "--H 8 --lens $V6"; do
  timeout 150 python3 bench/plan_check.py $s --graph --knobs $K 2>&1 | grep -v -i warn
done
timeout 90 python3 bench/phase_timeline.py --H 16 --lens $V6 --knobs auto CPAIR=8 CPAIR=16 CPAIR=116 2>&1 | grep -v -i warn
} | tee "$OUT/ab.txt"
