#!/usr/bin/env bash
# Session 11 call 4: prep32 at four CTAs an SM (.carry/c32f: 55 KB, 64 registers) against three (.carry/c32d: 80
# registers); suite + sanitizers of c32f with C32; then C32 off / on over the shapes where v2 runs without segments
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_C32=1 SAN_LIMIT=150 bash bench/run_gpu_checks.sh .carry/c32f
PC="timeout 60 python3 bench/plan_check.py"
for L in c32f c32d; do
  echo "== $L"
  export FLASHKDA_LIBRARY=$PWD/.carry/$L/lib/libflashkda.so
  $PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs C32=1 --profile 2>&1 | grep -v -i warn | head -2
  $PC --H 32 --T 8192 --knobs SEG=0,C32=1 --profile 2>&1 | grep -v -i warn | head -2
done
export FLASHKDA_LIBRARY=$PWD/.carry/c32f/lib/libflashkda.so
$PC --no-host --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --no-host --H 8 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --no-host --H 4 --lens 300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --no-host --H 32 --lens 1300,547,2048,963,271,3063 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --H 32 --T 8192 --knobs auto SEG=0,C32=1 2>&1 | grep -v -i warn
$PC --H 64 --T 8192 --knobs auto C32=1 2>&1 | grep -v -i warn
$PC --H 8 --T 8192 --knobs auto SEG=0,C32=1 2>&1 | grep -v -i warn
$PC --H 16 --T 8192 --knobs auto SEG=0,C32=1 2>&1 | grep -v -i warn
$PC --H 32 --T 256 --B 64 --knobs auto V2=3 V2=3,C32=1 2>&1 | grep -v -i warn
