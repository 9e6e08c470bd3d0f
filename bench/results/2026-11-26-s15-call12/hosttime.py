"""Host time of one eager prefill call (the enqueue, no synchronisation) at H = 16 varlen 6 with host lengths, by knob
set: if it nears the GPU time (~0.184 ms), the eager timing is host-bound."""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import prefill_bench as pb
import torch
from plan_check import set_knobs
lens = [1300, 547, 2048, 963, 271, 3063]
x = pb.make_inputs(16, lens)
x["cu_cpu"] = x["cu"].cpu()
out = torch.empty_like(x["v"]); ht = torch.empty_like(x["h0"])
for ks in ("auto", "C32=0", "PHASES=1", "C32=0,PHASES=1", "auto", "C32=0"):
    set_knobs(ks)
    for _ in range(5):
        pb.run_ours(x, out, ht)
    torch.cuda.synchronize()
    res = []
    for rep in range(5):
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(10):  # 10 calls: the GPU queue never fills
            pb.run_ours(x, out, ht)
        t1 = time.perf_counter()
        res.append((t1 - t0) / 10 * 1e6)
        torch.cuda.synchronize()
    res.sort()
    print(f"{ks:>16s}: host us per call {res[2]:.1f} (min {res[0]:.1f}, max {res[-1]:.1f}); eager {pb.time_ms(lambda: pb.run_ours(x, out, ht)):.3f} ms", flush=True)
