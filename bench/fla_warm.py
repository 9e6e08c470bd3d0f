"""Runs FLA's Triton chunk_kda once on benchmark shapes so that Triton autotunes (and caches) its kernels.

FLA autotunes per head count (and varlen flag) and a fresh machine needs minutes per shape, mostly compiling.
bench/run_fla_warm.sh runs this in parallel processes (compiles), then again serially after deleting the
autotune results (re-times the configs on an idle GPU, compile cache hits), and keeps Triton's
*.autotune.json files, which later calls carry back so that the timed runs skip autotuning.

    python3 bench/fla_warm.py --only 0,1,2     # shape indices of bench/prefill_bench.py SHAPES
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=None, help="comma-separated shape indices (default: all)")
    args = ap.parse_args()
    idx = range(len(pb.SHAPES)) if args.only is None else [int(i) for i in args.only.split(",")]
    for i in idx:
        H, lens, _ = pb.SHAPES[i]
        x = pb.make_inputs(H, lens)
        t0 = time.time()
        with torch.no_grad():
            pb.run_fla(x)
        torch.cuda.synchronize()
        print(f"warm shape {i} (H={H}, {pb.seq_label(lens)}): {time.time() - t0:.1f} s", flush=True)
        del x
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
