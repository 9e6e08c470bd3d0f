#!/usr/bin/env bash
# Session 23 call 7 (closing): HEAD's library (.carry/s23) against fla-core 0.6.0, the report table (--graph --host-cu),
# then the H = 16 varlen row (shape 6) in two more processes.
#   run(command="bash bench/experiments/s23/run7.sh", carry=[".carry/s23", ".whl"])
exec bash bench/run_table_device.sh .carry/s23 2
