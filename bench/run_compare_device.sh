#!/usr/bin/env bash
# Compare carried library builds on the device in one call: the GPU prefill test and racecheck (small) of each
# candidate build present (.carry/binN/test_cuda_prefill, N = 2, 3), then prefill_bench.py (with FLA in the same process) for
# the candidates (.carry/libN) on shapes 0-2 (CAND_ONLY=3,5,6: those) and for the reference build (.carry/lib) on every
# shape (REF_ONLY=0,1,2: those).
# Build here (nvcc 13.0 is the same as the device's), copy libflashkda.so* and test_cuda_prefill into .carry, then
#   run(command="bash bench/run_compare_device.sh", carry=[".carry", ".whl"], timeout_s=420)
set -u
source bench/device_env.sh
fla_autotune_restore
fla_install 0.6.0 /tmp/site
export PYTHONPATH=/tmp/site:$PWD/python FLA_FLASH_KDA=0 PYTHONUNBUFFERED=1
CS=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
for v in 2 3; do
  [ -x .carry/bin$v/test_cuda_prefill ] || continue
  (timeout 80 .carry/bin$v/test_cuda_prefill > $OUT/test$v.log 2>&1; echo "test$v rc=$?" >> $OUT/test$v.log) &
  (timeout 80 $CS --tool racecheck --error-exitcode 3 .carry/bin$v/test_cuda_prefill small > $OUT/race$v.log 2>&1; echo "race$v rc=$?" >> $OUT/race$v.log) &
done
wait
for v in 2 3; do [ -f $OUT/test$v.log ] || continue; tail -2 $OUT/test$v.log; grep -E "SUMMARY|rc=" $OUT/race$v.log; done
for L in lib2 lib3; do
  [ -d .carry/$L ] || continue
  FLASHKDA_LIBRARY=$PWD/.carry/$L/libflashkda.so timeout 90 python3 bench/prefill_bench.py --only ${CAND_ONLY:-0,1,2} --variants auto:4 --json $OUT/bench-$L.json > $OUT/bench-$L.log 2>&1
  echo "== $L"; grep -E "^H=" $OUT/bench-$L.log | cut -c1-110
done
FLASHKDA_LIBRARY=$PWD/.carry/lib/libflashkda.so timeout 150 python3 bench/prefill_bench.py ${REF_ONLY:+--only $REF_ONLY} --variants auto:4 --err-only 0,7 --json $OUT/final.json --plot $OUT/final.png > $OUT/final.log 2>&1
echo "== lib (the reference build), all shapes"; grep -E "^\|" $OUT/final.log
