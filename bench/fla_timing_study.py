"""Why FLA's chunk_kda time at H = 16 varlen moves between processes (0.86-1.95 ms over sessions 3-6).

For the shapes given (indices into prefill_bench.SHAPES), in one process:
  harness     prefill_bench.time_ms as the report uses it (CUDA events around 30 back-to-back calls, median of 5)
  cpu_cu      the same, FLA also given cu_seqlens_cpu (a host copy made once), so it needs no device sync per call
  inference   the same as harness, under torch.inference_mode()
  kernels     the sum of the GPU kernel durations of one call (torch.profiler over 30 calls), no host gaps
  launches    kernels per call
  wall        host wall time per call (perf_counter around 30 calls, then a synchronize)
  graph       one call captured in a CUDA graph (FLA with use_graph=True, its capture-safe varlen mode), the
              graph replayed between CUDA events 30 times, median of 5: GPU time without host gaps
for FLA and for ours. Prints one line per (shape, method) and writes --json.

Usage: FLA_FLASH_KDA=0 PYTHONPATH=python:<fla> FLASHKDA_LIBRARY=... python3 bench/fla_timing_study.py --only 5,6
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402


def kernel_time(fn, calls=30):
    """(GPU kernel ms per call, kernels per call), from prefill_bench.kernel_times"""
    k = pb.kernel_times(fn, calls)
    return sum(us for us, _ in k.values()) / 1e3, sum(n for _, n in k.values())


def wall_ms(fn, calls=30, reps=5):
    fn()
    torch.cuda.synchronize()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
        t.append((time.perf_counter() - t0) * 1e3 / calls)
    return statistics.median(t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="6")
    ap.add_argument("--json", default=None)
    ap.add_argument("--tag", default="")
    ap.add_argument("--quick", action="store_true", help="harness, kernels and graph only")
    args = ap.parse_args()
    rows = []
    for i in [int(s) for s in args.only.split(",")]:
        H, lens, _ = pb.SHAPES[i]
        x = pb.make_inputs(H, lens)
        out = torch.empty_like(x["v"])
        ht = torch.empty_like(x["h0"])
        cu_cpu = x["cu"].cpu() if x["cu"] is not None else None
        ours = lambda: pb.run_ours(x, out, ht)  # noqa: E731
        fla = lambda: pb.run_fla(x)  # noqa: E731
        fla_cpu = lambda: pb.run_fla(x, cu_seqlens_cpu=cu_cpu)  # noqa: E731
        r = dict(H=H, sequences=pb.seq_label(lens), tag=args.tag)
        r["ours_harness"] = pb.time_ms(ours)
        r["fla_harness"] = pb.time_ms(fla)
        if not args.quick:
            r["fla_cpu_cu"] = pb.time_ms(fla_cpu)
            with torch.inference_mode():
                r["fla_inference"] = pb.time_ms(fla)
                r["ours_inference"] = pb.time_ms(ours)
        r["ours_kernels"], r["ours_launches"] = kernel_time(ours)
        r["fla_kernels"], r["fla_launches"] = kernel_time(fla)
        if not args.quick:
            r["fla_cpu_cu_kernels"], _ = kernel_time(fla_cpu)
            r["ours_wall"] = wall_ms(ours)
            r["fla_wall"] = wall_ms(fla)
            r["fla_cpu_cu_wall"] = wall_ms(fla_cpu)
        try:
            r["fla_graph"] = pb.graph_ms(lambda: pb.run_fla(x, graph=True))
        except Exception as e:  # noqa: BLE001 (reported, the other columns still count)
            print(f"FLA graph capture failed: {e}", flush=True)
        r["ours_graph"] = pb.graph_ms(ours)
        r["fla_harness_again"] = pb.time_ms(fla)
        r["ours_harness_again"] = pb.time_ms(ours)
        rows.append(r)
        print(f"{args.tag} H={H} {r['sequences']}: " + " ".join(
            f"{k}={v:.3f}" for k, v in r.items() if isinstance(v, float)), flush=True)
        del x, out, ht
        torch.cuda.empty_cache()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(card=torch.cuda.get_device_name(), rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
