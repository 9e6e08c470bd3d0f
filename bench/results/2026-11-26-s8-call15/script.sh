# s8 call 15: the review commits (seg_plan loop merged, shared bench helpers) on the device: main at the commit named
# in summary.md (.carry/head): GPU suite + sanitizers, plan_check --profile / --lens, FLA table for the H = 16 shapes
# (eager and graph), the FLA timing study in its quick form (prefill_bench.kernel_times).
export OUT=${OUT:-/tmp/out}
bash bench/run_gpu_checks.sh .carry/head
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export PYTHONPATH=/tmp/site:$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/head/lib/libflashkda.so FLA_FLASH_KDA=0
P="timeout 100 python3 bench/plan_check.py"
$P --H 16 --T 8192 --knobs auto SEG=128 --profile 2>&1 | grep -v -i warn
$P --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto SEG=130 2>&1 | grep -v -i warn
$P --H 2 --T 65536 --knobs auto 2>&1 | grep -v -i warn
timeout 200 python3 bench/prefill_bench.py --only 5,6,7 --variants auto:4 --graph --err-only 6 --json $OUT/prefill.json > $OUT/prefill.log 2>&1
echo "prefill_bench rc=$?"; grep -E "^H=|^\|" $OUT/prefill.log
timeout 100 python3 bench/fla_timing_study.py --only 6 --quick 2>&1 | grep -v -i warn | tail -2
