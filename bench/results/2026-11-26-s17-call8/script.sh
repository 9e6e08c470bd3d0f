#!/usr/bin/env bash
# Session 17 call 8 (HEAD's library f26ede5 = .carry/ph): use_overlap's boundary after the three-group fused kernel
# (auto against OVERLAP=0 and =1 on shapes around tokens x HV = 1200 x longest chunks), then ncu of the three-group
# fused kernel at H = 16 1024 x 8 (stall reasons by role, split locally at USETMAXREG.DEALLOC).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/ph/lib/libflashkda.so
for sh in "--H 16 --T 1024 --B 4" "--H 16 --T 1024 --B 6" "--H 16 --T 1024 --B 12" "--H 16 --T 2048 --B 4" \
          "--H 8 --T 2048 --B 8" "--H 32 --T 1024 --B 4" "--H 32 --T 2048 --B 2" "--H 64 --T 2048 --B 2" \
          "--H 48 --T 8192" "--H 16 --lens 500,700,900,1100,1300,1500,1700,1900"; do
  timeout 60 python3 bench/plan_check.py $sh --graph --knobs auto OVERLAP=0 OVERLAP=1 2>&1 | tee -a $OUT/overlap.log
done
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || ls /opt/nvidia/nsight-compute/*/ncu | head -1)
timeout 240 $NCU -k regex:kda_fused --launch-skip 4 --launch-count 1 \
  --section SpeedOfLight --section Occupancy --section WarpStateStats --section SourceCounters \
  --section MemoryWorkloadAnalysis --section SchedulerStats --section InstructionStats --section ComputeWorkloadAnalysis \
  --import-source no -f -o $OUT/fused python3 bench/prefill_bench.py --only 7 --no-fla --variants auto:4 > $OUT/ncu-run.txt 2>&1
echo "ncu rc=$?"
$NCU -i $OUT/fused.ncu-rep > $OUT/ncu.txt 2>&1
$NCU -i $OUT/fused.ncu-rep --page source --csv --print-source sass > $OUT/fused-sass.csv 2>&1
rm -f $OUT/fused.ncu-rep; gzip -f $OUT/fused-sass.csv
grep -E "Duration|Warp Cycles Per Issued|Issued Ipc|No Eligible|Executed Instructions  |Shared Memory|Pipe|Bank" $OUT/ncu.txt | head -40
