#!/usr/bin/env bash
# Session 22 call 6: the H = 16 varlen row (shape 6) of the FLA table in three more processes (HEAD's library
# .carry/hd, fla-core 0.6.0, --graph --host-cu): how FLA's eager time, and with it the eager ratio, moves by process.
#   run(command="bash bench/experiments/eager-gap/run6.sh", carry=[".carry/hd", ".whl"])
set -u
OUT=${OUT:-/tmp/out}
source bench/device_env.sh
fastcall_build > /dev/null 2>&1 || echo "fastcall build failed"
fla_rows .carry/hd 6 3
