#!/usr/bin/env bash
# ncu of v2's prep and chain kernels on one prefill_bench.py shape (default 6: H = 16 varlen), on the device:
#   run(command="bash bench/profile_chain_device.sh", carry=[".carry/ref"])   (LIB: the carried libflashkda.so's folder)
# Writes the ncu report, its text pages and the per-instruction SASS tables (csv: stall samples, executed counts) to
# $OUT; the summary lines are printed last. Session 5 read chain-sass.csv with a few lines of Python (bench/NOTES.md).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/${LIB:-.carry/ref/lib}/libflashkda.so
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || ls /opt/nvidia/nsight-compute/*/ncu | head -1)
echo "ncu: $NCU"
timeout 280 $NCU -k regex:"${KREGEX:-kda_chain_kernel|kda_prep_kernel}" --launch-skip 4 --launch-count 2 \
  --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section SourceCounters \
  --section ComputeWorkloadAnalysis --section MemoryWorkloadAnalysis --section SchedulerStats --section InstructionStats \
  --import-source no -f -o $OUT/prof python3 bench/prefill_bench.py --only ${SHAPE:-6} --no-fla --variants auto:4 > $OUT/ncu-run.txt 2>&1
echo rc=$?
$NCU -i $OUT/prof.ncu-rep > $OUT/ncu.txt 2>&1
$NCU -i $OUT/prof.ncu-rep -k regex:kda_chain --page source --csv --print-source sass > $OUT/chain-sass.csv 2>&1
$NCU -i $OUT/prof.ncu-rep -k regex:kda_prep --page source --csv --print-source sass > $OUT/prep-sass.csv 2>&1
[ -n "${KREGEX:-}" ] && $NCU -i $OUT/prof.ncu-rep --page source --csv --print-source sass > $OUT/k-sass.csv 2>&1
for f in $OUT/chain-sass.csv $OUT/prep-sass.csv $OUT/k-sass.csv; do [ -s $f ] && python3 bench/ncu_smem_top.py $f --top 25 > ${f%.csv}-smem.txt 2>&1; done
rm -f $OUT/*.csv $OUT/prof.ncu-rep; ls -la $OUT
grep -E "kda_|Duration|Warp Cycles Per Issued|Issued Ipc|No Eligible|Achieved Occupancy|Registers Per|Block Size|Grid Size|Compute \(SM\) Throughput|Memory Throughput|Stall|stall" $OUT/ncu.txt | head -80
for f in $OUT/*-smem.txt; do echo "== $f"; cut -c1-200 $f | head -40; done
