"""Runs three prefill calls of one shape with the library FLASHKDA_LIBRARY points to, then synchronizes: the program
to profile (ncu -k regex:kda_chain_kernel -s 2 -c 1 ...) or, with a library built from
v5-cluster/prefill-v5-cluster.patch with -DK5_TRACE and FKDA_PREFILL_CLUSTER set, to print the cluster kernel's
clock64 stamps. The shape is bench/ab_shapes.py's (H:lengths; mixed lengths pass a host copy of cu_seqlens).

    FLASHKDA_LIBRARY=.carry/h/lib/libflashkda.so PYTHONPATH=python \\
        python3 bench/experiments/one_call.py 16:1300,547,2048,963,271,3063"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ab_shapes  # noqa: E402
import prefill_bench as pb  # noqa: E402

x, out, ht = ab_shapes.setup(sys.argv[1])
for _ in range(3):
    pb.run_ours(x, out, ht)
torch.cuda.synchronize()
