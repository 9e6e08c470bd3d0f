#!/usr/bin/env bash
# Session 12 call 1: where prep32's 86 us go against the 16-token prep kernel's 77 (ncu, H = 16 varlen 6), and the
# C32 chain at split 2 / 4 / 8 on one long chain (lens 3063,16), library .carry/cand (fc97436, kernels = main's)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/cand/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null || ls /opt/nvidia/nsight-compute/*/ncu | head -1)
for c in 1 0; do
  FKDA_PREFILL_C32=$c timeout 200 $NCU -k regex:kda_prep --launch-skip 4 --launch-count 1 \
    --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section SourceCounters \
    --section MemoryWorkloadAnalysis --section SchedulerStats --section InstructionStats \
    --import-source no -f -o $OUT/prep-c32-$c python3 bench/prefill_bench.py --only 6 --no-fla --variants auto:4 > $OUT/ncu-run-$c.txt 2>&1
  echo "ncu rc=$?"
  $NCU -i $OUT/prep-c32-$c.ncu-rep > $OUT/ncu-$c.txt 2>&1
  $NCU -i $OUT/prep-c32-$c.ncu-rep --page source --csv --print-source sass > $OUT/prep-sass-$c.csv 2>&1
  $NCU -i $OUT/prep-c32-$c.ncu-rep --page details --csv > $OUT/details-$c.csv 2>&1
  rm -f $OUT/prep-c32-$c.ncu-rep
done
PC="timeout 60 python3 bench/plan_check.py"
$PC --H 16 --lens 3063,16 --knobs C32=1 C32=1,SPLIT=2 C32=1,SPLIT=4 C32=1,SPLIT=8 --profile 2>&1 | grep -v -i warn
$PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1,SPLIT=4 --profile 2>&1 | grep -v -i warn
for c in 1 0; do echo "== C32=$c"; grep -E "kda_|Duration|Warp Cycles Per Issued|Issued Ipc|No Eligible|Achieved Occupancy|Registers Per|Theoretical Occ|Memory Throughput|DRAM Throughput|Executed Instructions  |Stall" $OUT/ncu-$c.txt | head -40; done
