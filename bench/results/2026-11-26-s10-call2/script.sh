#!/usr/bin/env bash
# Session 10 call 2: one chain CTA an SM (PAD) and deeper record rings (ST = 6 / 8 / 12 stages, split-2 chain) on
# the varlen shapes that take the longest-first split-2 path (.carry/st = main + the two knobs)
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/st/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
PC="timeout 100 python3 bench/plan_check.py --profile --no-host"
L6=1300,547,2048,963,271,3063
$PC --H 16 --lens $L6 --knobs auto PAD=120000 ST=6 ST=6,PAD=120000 ST=8 ST=12 2>&1 | grep -v -i warn
$PC --H 8 --lens $L6 --knobs auto PAD=120000 ST=8 ST=12 2>&1 | grep -v -i warn
$PC --H 16 --lens 4096,2048,512,512,256,256,128,128 --knobs auto PAD=120000 ST=8 2>&1 | grep -v -i warn
$PC --H 4 --lens 727,2005,372,872,1397,162,212,1745,1161,256,812,1257,182,1927,1103,503,140,240,952,920,207,556,249,1192,933,185,1757,1222,317,2004 --knobs auto PAD=120000 ST=8 2>&1 | grep -v -i warn
$PC --H 2 --lens 930,2599,2585,2403,269,2379,2414,1640,219,921,206,2296,561,1202,1732,606,2230,498,2354,1279,2310,2809,756,438,2398,2355,2632,785,1541,415,2259,2932,273,2327,260,2551,859,2049,2802,2193,1767,1302,1923,2414,1872,1497,1243,1033,752,2879,1015,351,2368,1245,2167,2043,1422,1854,1195,2510 --knobs auto PAD=120000 ST=8 2>&1 | grep -v -i warn
timeout 60 python3 bench/plan_check.py --profile --H 16 --lens $L6 --knobs auto ST=8 ST=12 2>&1 | grep -v -i warn
