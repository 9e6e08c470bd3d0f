#!/usr/bin/env bash
# Session 12 call 8 (H100): the Python GPU suite on main 0348823 (built on the device by the script), fla-core 0.6.0
# and 0.5.2 from .whl; carry [".whl", ".fla-cache"]
OUT=$OUT OVERHEAD=0 SUITE_LIMIT=300 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -15
