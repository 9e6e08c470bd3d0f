#!/bin/bash
# session 22 call 3: per-CTA stamps of the chains (CLK build of clk-exit.patch) at H = 16 varlen 6, auto and PAIR=0
source bench/device_env.sh
fastcall_build || exit 1
L=$PWD/.carry/clk2/lib/libflashkda.so
PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/experiments/eager-gap/clk_run.py > $OUT/clk-auto.txt 2>&1
python3 bench/experiments/eager-gap/clk_post.py $OUT/clk-auto.txt 192
FKDA_PREFILL_PAIR=0 PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/experiments/eager-gap/clk_run.py > $OUT/clk-pair0.txt 2>&1
python3 bench/experiments/eager-gap/clk_post.py $OUT/clk-pair0.txt 192
FKDA_PREFILL_PHASES=1 PYTHONPATH=python FLASHKDA_LIBRARY=$L python3 bench/experiments/eager-gap/clk_run.py > $OUT/clk-p1.txt 2>&1
python3 bench/experiments/eager-gap/clk_post.py $OUT/clk-p1.txt 192
PYTHONPATH=python FLASHKDA_LIBRARY=$PWD/.carry/hd/lib/libflashkda.so python3 bench/phase_timeline.py --H 16 \
    --lens 1300,547,2048,963,271,3063 --knobs auto 2>&1 | grep -v -i warn
