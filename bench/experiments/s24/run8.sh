#!/usr/bin/env bash
# Session 24 call 8 (review): the bench helpers ab_shapes.workspace / host_setup through the scripts that use them
# (ab_shapes.py, discard_ab.py, the session 23 host scripts), briefly.
#   run(command="bash bench/experiments/s24/run8.sh", carry=[".carry/s24"])
set -u
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/.carry/s24/lib/libflashkda.so PYTHONPATH=$PWD/python
L=1300,547,2048,963,271,3063
timeout 60 python3 bench/ab_shapes.py --tag r 16:$L 16:1024*8 2>&1 | tail -2
timeout 60 python3 bench/experiments/s24/discard_ab.py --so .carry/s24/discard.so --rounds 1 16:$L 2>&1 | tail -5
timeout 90 python3 bench/experiments/s23/host_split.py 16:1024*8 2>&1 | head -6
timeout 60 python3 bench/experiments/s23/host_probe.py 2>&1 | head -4
timeout 45 python3 bench/experiments/s23/host_delay.py 2>&1 | head -3
echo done
