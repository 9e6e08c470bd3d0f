#!/usr/bin/env bash
# Session 13 call 9: SM clock and power (bench/clock_probe.py) with the lone 3063-token chain, one phase and phases at
# H = 16 varlen 6 (host lengths), and H = 16 1 x 8192 (HEAD's library, .carry/s13f)
set -u
nvidia-smi --query-gpu=name,clocks.max.sm,power.limit --format=csv,noheader
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/s13f/lib/libflashkda.so
CP="timeout 60 python3 bench/clock_probe.py --seconds 3"
BIG=1300,547,2048,963,271,3063
$CP --H 16 --lens 3063,16 --knobs SEG=0,PHASES=1 2>&1 | grep -v -i warn
$CP --H 16 --lens $BIG --knobs SEG=0,PHASES=1 2>&1 | grep -v -i warn
$CP --H 16 --lens $BIG --knobs SEG=0,PHASES=3 2>&1 | grep -v -i warn
$CP --H 16 --lens 8192 2>&1 | grep -v -i warn
$CP --H 96 --lens 8192 2>&1 | grep -v -i warn
$CP --H 16 --lens 3063,16 --knobs SEG=0,PHASES=1 2>&1 | grep -v -i warn
