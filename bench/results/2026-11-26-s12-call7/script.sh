#!/usr/bin/env bash
# Session 12 call 7 (closing, on an H100): main 0348823 (.carry/s12e: prep32 with cross_block, right-looking
# store_inverse) against session 11's fc97436 (.carry/cand): suite, sanitizers, A/B on all 11 shapes, then the FLA
# table (fla-core 0.6.0, eager and CUDA graph) for the report
set -u
nvidia-smi --query-gpu=name --format=csv,noheader
REF=cand CAND=s12e AB_SHAPES=0,1,2,3,4,5,6,7,8,9,10 AB_TIMEOUT=120 bash bench/run_ab_fla_device.sh
