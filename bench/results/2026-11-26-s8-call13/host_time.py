"""s8 call 13: host time of one eager prefill call (perf_counter around each call, no sync) and the event time of 30
back-to-back calls, for ours at H = 16 varlen 6 and 1024 x 8, before and after FLA ran in the same process."""
import statistics
import sys
import time

import torch

sys.path.insert(0, "bench")
import prefill_bench as pb  # noqa: E402


def host_us(fn, calls=30, reps=5):
    fn()
    torch.cuda.synchronize()
    out = []
    for _ in range(reps):
        t = []
        for _ in range(calls):
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
        torch.cuda.synchronize()
        out.append(statistics.median(t) * 1e6)
    return statistics.median(out)


def report(tag):
    for H, lens in ((16, [1300, 547, 2048, 963, 271, 3063]), (16, [1024] * 8)):
        x = pb.make_inputs(H, lens)
        out = torch.empty_like(x["v"])
        ht = torch.empty_like(x["h0"])
        f = lambda: pb.run_ours(x, out, ht)  # noqa: E731
        print(f"{tag:>10s} H={H} {'varlen' if len(set(lens)) > 1 else '8x1024'}: host {host_us(f):.1f} us/call, "
              f"eager {pb.time_ms(f):.3f} ms, graph {pb.graph_ms(f):.3f} ms", flush=True)


report("no FLA")
if len(sys.argv) > 1:
    for H, lens in ((16, [1300, 547, 2048, 963, 271, 3063]), (16, [1024] * 8)):
        x = pb.make_inputs(H, lens)
        for _ in range(3):
            pb.run_fla(x)
    torch.cuda.synchronize()
    report("after FLA")
