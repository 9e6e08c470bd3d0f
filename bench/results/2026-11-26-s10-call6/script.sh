#!/usr/bin/env bash
# Session 10 call 6: programmatic dependent launches for every kernel after the prep (FKDA_PREFILL_PDL=2: chain,
# segment combine, correct) against the default (1: the deep chain only); .carry/pdl2
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/pdl2/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
FKDA_PREFILL_PDL=2 bash bench/run_gpu_checks.sh .carry/pdl2
PC="timeout 100 python3 bench/plan_check.py --profile"
$PC --H 16 --T 8192 --knobs auto PDL=2 PDL=0 2>&1 | grep -v -i warn
$PC --H 8 --T 8192 --knobs auto PDL=2 2>&1 | grep -v -i warn
$PC --H 32 --T 8192 --knobs auto PDL=2 2>&1 | grep -v -i warn
$PC --H 64 --T 8192 --knobs auto PDL=2 2>&1 | grep -v -i warn
$PC --H 2 --T 65536 --knobs auto PDL=2 2>&1 | grep -v -i warn
$PC --H 16 --T 65536 --knobs auto PDL=2 2>&1 | grep -v -i warn
