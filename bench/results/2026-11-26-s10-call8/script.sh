#!/usr/bin/env bash
# Session 10 call 8: the prep kernel alone (FKDA_PREFILL_V2=2) at limited occupancy (dynamic shared memory padding:
# PPAD bytes per CTA on top of its 33 KB static), to model a prep running beside resident chain CTAs; .carry/ppad
set -u
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/ppad/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
# 7 / 6 / 5 / 4 / 3 / 2 CTAs an SM: static 30.7 KB + pad + 1 KB reserved per CTA within 228 KB
timeout 120 python3 bench/plan_check.py --profile --no-host --H 16 --lens 1300,547,2048,963,271,3063 \
  --knobs V2=2 V2=2,PPAD=4000 V2=2,PPAD=12000 V2=2,PPAD=22000 V2=2,PPAD=40000 V2=2,PPAD=80000 V2=2 2>&1 | grep -v -i warn
