"""Kernel timeline of 6 back-to-back eager prefill calls (torch.profiler device timestamps) at H = 16 varlen 6 with host
lengths, C32 (default) against 16-token records: where the eager loop loses the ~6-11 us a call that graphs do not."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import prefill_bench as pb
import torch
from plan_check import set_knobs
from torch.profiler import ProfilerActivity, profile
lens = [1300, 547, 2048, 963, 271, 3063]
x = pb.make_inputs(16, lens)
x["cu_cpu"] = x["cu"].cpu()
out = torch.empty_like(x["v"]); ht = torch.empty_like(x["h0"])
for ks in ("auto", "C32=0", "auto"):
    set_knobs(ks)
    for _ in range(5):
        pb.run_ours(x, out, ht)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(6):
            pb.run_ours(x, out, ht)
        torch.cuda.synchronize()
    ev = sorted((e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA),
                key=lambda e: e.time_range.start)
    t0 = ev[0].time_range.start
    print(f"== {ks}: {(max(e.time_range.end for e in ev) - t0) / 6:.1f} us a call over 6 calls")
    for e in ev:
        name = e.name.split("(")[0].split("<")[0].replace("void ", "")
        print(f"    {name:22s} {e.time_range.start - t0:8.1f} .. {e.time_range.end - t0:8.1f}")
