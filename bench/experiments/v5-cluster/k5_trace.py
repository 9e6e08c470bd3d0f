"""Runs one prefill call of H heads over one sequence of L tokens three times with the library FLASHKDA_LIBRARY points
to; with a library built from prefill-v5-cluster.patch with -DK5_TRACE and FKDA_PREFILL_CLUSTER set, the cluster
kernel prints the clock64 stamps of its first CTA (producer phases and chain waits) at the end of each call.

    FKDA_PREFILL_CLUSTER=4 FLASHKDA_LIBRARY=.carry/k5t/lib/libflashkda.so PYTHONPATH=python \\
        python3 bench/experiments/v5-cluster/k5_trace.py 16 3063"""
import sys

import torch

sys.path.insert(0, "bench")
import prefill_bench as pb  # noqa: E402

H, L = int(sys.argv[1]), int(sys.argv[2])
x = pb.make_inputs(H, [L])
out = torch.empty_like(x["v"])
ht = torch.empty_like(x["h0"])
for _ in range(3):
    pb.run_ours(x, out, ht)
torch.cuda.synchronize()
