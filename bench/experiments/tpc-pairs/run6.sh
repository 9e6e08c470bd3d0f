#!/usr/bin/env bash
# Session 21 call 6: prep prologue (slot_bounds: the host's sequence for single-sequence phases, one cu_seqlens round
# trip for N < nt) as .carry/pl against .carry/gp (HEAD): GPU suite + sanitizers of pl, A/B of whole calls, then the
# preps alone (FKDA_PREFILL_V2=2) alternated.
#   run(command="bash bench/experiments/tpc-pairs/run6.sh", carry=[".carry/pl", ".carry/gp", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
CAND=pl REF=gp ROUNDS=2 SHAPES="16:1300,547,2048,963,271,3063 8:1300,547,2048,963,271,3063 12:1300,547,2048,963,271,3063 16:4000,1000*4 16:4000,200*20 16:1300,547,2048,963,271,3063/nohost 4:1300,547,2048,963,271,3063 16:8192" \
  bash bench/run_ab_shapes_device.sh
V6=1300,547,2048,963,271,3063
for r in 1 2; do for t in gp pl; do
  FLASHKDA_LIBRARY=$PWD/.carry/$t/lib/libflashkda.so PYTHONPATH=python timeout 60 python3 bench/plan_check.py --H 16 \
    --lens $V6 --no-host --knobs V2=2 2>&1 | grep -v -i warn | sed "s/^/$t prep alone: /"
  FLASHKDA_LIBRARY=$PWD/.carry/$t/lib/libflashkda.so PYTHONPATH=python timeout 60 python3 bench/plan_check.py --H 64 \
    --lens $V6 --no-host --knobs V2=2,OVERLAP=0 2>&1 | grep -v -i warn | sed "s/^/$t prep alone: /"
done; done
