# s8 call 14: what bounds the chain step? ncu of main's chain kernel (6bb09ac) on H = 16 varlen (prefill_bench shape 6)
# and on H = 16 1 x 8192 without segments (128 chain warps, at most one a sub-partition): pipe utilizations
# (ComputeWorkloadAnalysis with all details), shared-memory pipe, warp states.
OUT=${OUT:-/tmp/out}; mkdir -p $OUT
export PYTHONPATH=$PWD/python FLASHKDA_LIBRARY=$PWD/.carry/final/lib/libflashkda.so
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || ls /opt/nvidia/nsight-compute/*/ncu | head -1)
for run in "6 -1" "5 0"; do
  set -- $run
  FKDA_PREFILL_SEGMENTS=$2 timeout 200 $NCU -k regex:kda_chain_kernel --launch-skip 2 --launch-count 1 \
    --section ComputeWorkloadAnalysis --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis \
    --section SpeedOfLight --section Occupancy --section LaunchStats \
    -f -o $OUT/chain-s$1 python3 bench/prefill_bench.py --only $1 --no-fla --variants auto:4 > $OUT/run-s$1.txt 2>&1
  $NCU -i $OUT/chain-s$1.ncu-rep --page details --print-details all > $OUT/chain-s$1.txt 2>&1
  rm -f $OUT/chain-s$1.ncu-rep
  echo "=== shape $1 segments $2"
  grep -E "Grid Size|Block Size|Registers|Duration|Issue Slots Busy|Issued Ipc|SM Busy|Tensor|Shared|Pipe|pipe|Eligible|No Eligible|Warp Cycles Per Issued|Stall|Achieved Occupancy|Theoretical Occupancy|L1/TEX Hit|Mem Busy|Max Bandwidth|Mem Pipes" $OUT/chain-s$1.txt | head -60
done
