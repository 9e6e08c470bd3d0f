#!/usr/bin/env bash
# Session 10 call 7 (closing table): run(command="AB_SHAPES=1,3,4,5,6,7,8,10 REF=final CAND=pdl bash bench/run_ab_fla_device.sh",
#   carry=[".carry/final", ".carry/pdl", ".whl", ".fla-cache"]); .carry/final = 6bb09ac, .carry/pdl = 4f83c52
AB_SHAPES=1,3,4,5,6,7,8,10 REF=final CAND=pdl bash bench/run_ab_fla_device.sh
