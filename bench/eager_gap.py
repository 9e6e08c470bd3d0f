"""Where an eager call loses time against the same call as a CUDA graph replay (no FLA). For each knob set (as in
plan_check.py): eager and graph ms per call (prefill_bench.time_ms / graph_ms), the host's enqueue time per call (wall
time of `calls` back-to-back calls without synchronisation, with the GPU behind), and the device timeline of three
back-to-back calls, eager and replayed (prefill_bench.kernel_timeline): each kernel's start and end and the idle gaps between calls.
Usage (on the device): python3 bench/eager_gap.py --H 16 --lens 1300,547,2048,963,271,3063 --knobs auto PHASES=1"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402
from plan_check import set_knobs  # noqa: E402


def host_us(fn, calls=12, reps=5):
    """Median wall time per call of `calls` calls enqueued back to back (the GPU still busy with them), in us"""
    out = []
    for _ in range(reps):
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        out.append((time.perf_counter() - t) / calls * 1e6)
        torch.cuda.synchronize()
    return sorted(out)[len(out) // 2]


def show(label, tl):
    print(f"  {label}: {len(tl)} kernels, first start to last end {max(r[2] for r in tl) if tl else 0:.1f} us")
    for name, s, e in tl:
        print(f"    {name:24s} {s:7.1f} .. {e:7.1f}  ({e - s:6.1f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--H", type=int, required=True)
    ap.add_argument("--lens", required=True)
    ap.add_argument("--knobs", nargs="+", default=["auto"])
    ap.add_argument("--no-timeline", action="store_true")
    a = ap.parse_args()
    lens = [int(t) for t in a.lens.split(",")]
    x = pb.make_inputs(a.H, lens)
    x["cu_cpu"] = x["cu"].cpu()
    out = torch.empty_like(x["v"])
    ht = torch.empty_like(x["h0"])

    def run():
        pb.run_ours(x, out, ht)
    rows = []
    for _ in range(2):  # two rounds, alternated
        for ks in a.knobs:
            set_knobs(ks)
            rows.append((ks, pb.time_ms(run), pb.graph_ms(run), host_us(run)))
    for ks, e, g, h in rows:
        print(f"H={a.H} lens={a.lens} {ks:>16s}: eager {e:.4f} ms  graph {g:.4f} ms  gap {1e3 * (e - g):5.1f} us  "
              f"host enqueue {h:6.1f} us/call", flush=True)
    if a.no_timeline:
        return
    for ks in a.knobs:
        set_knobs(ks)
        show(f"{ks} eager x3", pb.kernel_timeline(run, 3))
        show(f"{ks} graph x3", pb.kernel_timeline(pb.capture_graph(run).replay, 3))
    set_knobs("auto")


if __name__ == "__main__":
    main()
