#!/bin/bash
# session 22 call 1: eager against graph at H = 16 varlen 6 (bench/eager_gap.py), HEAD's library in .carry/hd
source bench/device_env.sh
fastcall_build || exit 1
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
L=$PWD/.carry/hd/lib/libflashkda.so
PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/eager_gap.py --H 16 --lens 1300,547,2048,963,271,3063 \
    --knobs auto PHASES=1 PAIR=0 2>&1 | tee $OUT/gap16.log
PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/eager_gap.py --H 16 --lens 1024,1024,1024,1024,1024,1024,1024,1024 \
    --knobs auto --no-timeline 2>&1 | tee $OUT/gap16x8.log
