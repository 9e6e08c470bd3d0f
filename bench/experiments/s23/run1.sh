#!/usr/bin/env bash
# Session 23 call 1: host probe of an eager call (host_probe.py) and ncu source counters of prep32 alone
# (FKDA_PREFILL_V2=2) at H = 16 varlen 6. LIB = the carried library folder.
set -u
LIB=${LIB:-.carry/s23}; OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
export FLASHKDA_LIBRARY=$PWD/$LIB/lib/libflashkda.so PYTHONPATH=$PWD/python
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv,noheader
timeout 150 python3 bench/experiments/s23/host_probe.py 2>&1 | tee "$OUT/host_probe.txt"
FKDA_PREFILL_V2=2 timeout 200 ncu --clock-control none -k regex:kda_prep32 -s 2 -c 1 --section SourceCounters \
    --section WarpStateStats --section LaunchStats --section Occupancy -o "$OUT/prep32" \
    python3 bench/experiments/one_call.py 16:1300,547,2048,963,271,3063 > "$OUT/ncu.log" 2>&1
echo "ncu rc=$?"; tail -3 "$OUT/ncu.log"
ncu -i "$OUT/prep32.ncu-rep" --page source --print-source sass --csv > "$OUT/prep32-sass.csv" 2> "$OUT/export.err" ||
    echo "source export failed: $(head -c 300 "$OUT/export.err")"
ncu -i "$OUT/prep32.ncu-rep" --page details --print-details all > "$OUT/prep32-details.txt" 2>&1
wc -c "$OUT"/prep32-sass.csv; head -c 600 "$OUT/prep32-sass.csv"; echo
gzip -f "$OUT/prep32-sass.csv"; rm -f "$OUT/prep32.ncu-rep"
