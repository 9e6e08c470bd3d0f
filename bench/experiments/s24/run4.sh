#!/usr/bin/env bash
# Session 24 call 4 (closing table): HEAD's library (.carry/s24) against fla-core 0.6.0, the report table
# (--graph --host-cu), then the H = 16 varlen row (shape 6) in four more processes.
#   run(command="bash bench/experiments/s24/run4.sh", carry=[".carry/s24", ".whl"])
exec bash bench/run_table_device.sh .carry/s24 4
