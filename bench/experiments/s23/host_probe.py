"""Where an eager prefill call's host time goes, and how much of the eager time per call is the first call's start
latency (session 23). H = 16 varlen 6 with host lengths by default.
(1) eager ms per call for 10 / 30 / 90 back-to-back calls (prefill_bench.time_ms): total(n) = gap + n * per_call,
    so the start gap is what the 30-call figure carries beyond the 90-call slope;
(2) the host's enqueue time per call (the GPU kept behind) of flashkda.prefill with workspace=None (the binding
    queries the size and takes a fresh buffer from torch's allocator each call) and with a caller workspace;
(3) the pieces alone: fkda_prefill_workspace_size through the hot path, torch.empty of that size.
Usage: FLASHKDA_LIBRARY=... PYTHONPATH=python python3 bench/experiments/s23/host_probe.py [H:lens]"""
import os
import statistics
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import ab_shapes  # noqa: E402
import eager_gap  # noqa: E402
import prefill_bench as pb  # noqa: E402
import flashkda.ops as ops  # noqa: E402

x, out, ht, call, ws = ab_shapes.host_setup()
print("hot path:", pb.hot_path())
need = ws.numel()
print("workspace bytes:", need)


def host_us(fn, calls=12, reps=7):
    return eager_gap.host_us(fn, calls, reps)


for label, fn in (("ws=None", lambda: call()), ("ws=given", lambda: call(ws))):
    ms = {n: pb.time_ms(fn, calls=n, reps=7) for n in (10, 30, 90)}
    slope = (ms[90] * 90 - ms[10] * 10) / 80
    gap = ms[30] * 30 - slope * 30
    print(f"{label:9s} eager ms/call n=10 {ms[10]:.4f} n=30 {ms[30]:.4f} n=90 {ms[90]:.4f}  slope {slope:.4f}  "
          f"start gap ~{gap * 1e3:.0f} us ({gap * 1e3 / 30:.1f} us a call at n=30)  host enqueue {host_us(fn):.1f} us/call")
    print(f"{label:9s} graph ms/call {pb.graph_ms(fn):.4f}")


def first_launch_us(fn, reps=20):
    """GPU time from an event recorded right before fn() to one recorded by a tiny kernel... approximated by the
    event pair around one call after an idle GPU, minus the call's graph time"""
    r = []
    for _ in range(reps):
        torch.cuda.synchronize()
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        r.append(a.elapsed_time(b) * 1e3)
    return statistics.median(r)


for label, fn in (("ws=None", lambda: call()), ("ws=given", lambda: call(ws))):
    print(f"{label:9s} one call after an idle GPU: {first_launch_us(fn):.1f} us (events around it)")
if ops._fast is not None:
    ops._fast.pack(0, (x["q"], x["k"], x["v"], x["g"], x["beta"], x["A_log"], x["dt_bias"], x["h0"], ht, x["cu"],
                       x.get("cu_cpu"), out), 10, 0.0, -5.0, ops._flags(True, True, False), 0, 0, -1, 0)
    print(f"fkda_prefill_workspace_size (hot path): {host_us(lambda: ops._fast.size(0), calls=200):.2f} us")
print(f"torch.empty({need}) uint8: {host_us(lambda: torch.empty(need, dtype=torch.uint8, device='cuda'), calls=200):.2f} us")
print(f"torch.cuda.Event().record(): {host_us(lambda: torch.cuda.Event(enable_timing=True).record(), calls=200):.2f} us")
