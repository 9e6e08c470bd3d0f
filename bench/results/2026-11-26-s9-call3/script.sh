#!/usr/bin/env bash
# Session 9 call 3: why the streamed prep is slow. .carry/v5 = wip-stream2 (st.release flags; STREAM=2 = prep alone).
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/v5/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
LENS=1300,547,2048,963,271,3063
timeout 100 python3 bench/plan_check.py --H 16 --lens $LENS --profile \
  --knobs STREAM=0 STREAM=2,STREAM_R=32 STREAM=2,STREAM_R=64 STREAM=2,STREAM_R=100 STREAM=1,STREAM_R=32 STREAM=1,STREAM_R=64 2>&1 | grep -v -i warn
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || ls /opt/nvidia/nsight-compute/*/ncu | head -1)
timeout 200 $NCU -k regex:"kda_prep" --launch-skip 2 --launch-count 1 \
  --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis \
  --section SchedulerStats -f -o $OUT/prof python3 bench/plan_check.py --H 16 --lens $LENS --knobs STREAM=2,STREAM_R=32 > $OUT/ncu-run.txt 2>&1
timeout 200 $NCU -k regex:"kda_prep" --launch-skip 2 --launch-count 1 \
  --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis \
  --section SchedulerStats -f -o $OUT/prof0 python3 bench/plan_check.py --H 16 --lens $LENS --knobs STREAM=0 >> $OUT/ncu-run.txt 2>&1
$NCU -i $OUT/prof.ncu-rep > $OUT/ncu-stream.txt 2>&1
$NCU -i $OUT/prof0.ncu-rep > $OUT/ncu-prep.txt 2>&1
rm -f $OUT/*.ncu-rep
for f in $OUT/ncu-stream.txt $OUT/ncu-prep.txt; do echo "== $f"; grep -E "kda_|Duration|DRAM Throughput|Memory Throughput|Warp Cycles Per Issued|Issued Ipc|No Eligible|Achieved Occupancy|Grid Size|Stall|L2 Hit|L1/TEX Hit|Mem Busy|Max Bandwidth" $f | head -30; done
