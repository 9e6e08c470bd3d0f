#!/usr/bin/env bash
# Session 11 call 10: the Python package built and installed on the device from the checkout (kernels fc97436, docs
# commit on top), its GPU suite under fla-core 0.6.0 (all) and 0.5.2 (dispatch, verifier, layer)
OUT=$OUT OVERHEAD=0 SUITE_LIMIT=300 bash tests/gpu/run_python_gpu.sh 2>&1 | tail -30
