#!/usr/bin/env bash
# Session 10 call 9: chain step beside prep CTAs (probe.py), .carry/ppad = 4f83c52 + ../2026-11-26-s10-call8/prep_pad.diff
export PYTHONPATH=$PWD/python PYTHONUNBUFFERED=1 FLASHKDA_LIBRARY=$PWD/.carry/ppad/lib/libflashkda.so
nvidia-smi --query-gpu=name --format=csv,noheader
timeout 200 python3 bench/results/2026-11-26-s10-call9/probe.py 2>&1 | grep -v -i warn
