#!/usr/bin/env bash
# Session 10 call 3: run(command="REF=final CAND=deep bash bench/run_ab_fla_device.sh",
#   carry=[".carry/final", ".carry/deep", ".whl", ".fla-cache"]); .carry/final = 6bb09ac, .carry/deep = 8840066
REF=final CAND=deep bash bench/run_ab_fla_device.sh
