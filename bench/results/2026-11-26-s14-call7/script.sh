#!/usr/bin/env bash
# Session 14 call 7: ncu of the fused kernel (v4.1 with the loaders, .carry/s14d = ece0e54's kernels) at H = 16
# 1024 x 8: stall reasons and pipe use, for the chain warps and the producer warps (split by SASS address locally)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s14d/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || ls /opt/nvidia/nsight-compute/*/ncu | head -1)
timeout 240 $NCU -k regex:kda_fused --launch-skip 4 --launch-count 1 \
  --section SpeedOfLight --section Occupancy --section WarpStateStats --section SourceCounters \
  --section MemoryWorkloadAnalysis --section SchedulerStats --section InstructionStats --section ComputeWorkloadAnalysis \
  --import-source no -f -o $OUT/fused python3 bench/prefill_bench.py --only 7 --no-fla --variants auto:4 > $OUT/ncu-run.txt 2>&1
echo "ncu rc=$?"
$NCU -i $OUT/fused.ncu-rep > $OUT/ncu.txt 2>&1
$NCU -i $OUT/fused.ncu-rep --page source --csv --print-source sass > $OUT/fused-sass.csv 2>&1
rm -f $OUT/fused.ncu-rep
grep -E "Duration|Warp Cycles Per Issued|Issued Ipc|No Eligible|Executed Instructions  |Shared Memory|Pipe|Bank" $OUT/ncu.txt | head -40
