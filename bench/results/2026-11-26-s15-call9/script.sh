#!/usr/bin/env bash
# Session 15 call 9: the Python GPU suite on HEAD (built from this checkout on the device: bulk records, mma row
# norms, the aligned-workspace check); fla-core 0.6.0 all tests, 0.5.2 dispatch / verifier / layer
set -u
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name --format=csv,noheader
OUT=$OUT OVERHEAD=0 SUITE_LIMIT=330 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -30
