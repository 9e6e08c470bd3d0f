"""Knob sets of one shape alternated over several rounds in one process (session 23): eager ms (prefill_bench.time_ms)
and graph ms (graph_ms) of each set in every round, then the median and range per set.
Usage: python3 bench/experiments/s23/ab_knobs.py --H 16 --lens 1300,547,2048,963,271,3063 --rounds 6 auto XS=8"""
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402
from plan_check import set_knobs  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--H", type=int, required=True)
ap.add_argument("--lens", required=True)
ap.add_argument("--rounds", type=int, default=6)
ap.add_argument("knobs", nargs="+")
a = ap.parse_args()
lens = [int(t) for t in a.lens.split(",")]
x = pb.make_inputs(a.H, lens)
x["cu_cpu"] = x["cu"].cpu() if x["cu"] is not None else None
out = torch.empty_like(x["v"])
ht = torch.empty_like(x["h0"])


def run():
    pb.run_ours(x, out, ht)


res = {k: ([], []) for k in a.knobs}
for r in range(a.rounds):
    for ks in a.knobs:
        set_knobs(ks)
        res[ks][0].append(pb.time_ms(run))
        res[ks][1].append(pb.graph_ms(run))
    print(f"round {r}: " + "  ".join(f"{k} {res[k][0][-1]:.4f}/{res[k][1][-1]:.4f}" for k in a.knobs), flush=True)
set_knobs("auto")
for k, (e, g) in res.items():
    print(f"H={a.H} lens={a.lens} {k:>10s}: eager median {statistics.median(e):.4f} ({min(e):.4f}-{max(e):.4f})  "
          f"graph median {statistics.median(g):.4f} ({min(g):.4f}-{max(g):.4f})")
