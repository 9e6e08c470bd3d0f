"""One call per knob set with the clock64-instrumented fused kernel (prof.diff): per-chunk cycles of each warp's phases,
printed by CTAs 0 and grid/2 (device printf)."""
import os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import prefill_bench as pb
import torch
from plan_check import set_knobs
for H, lens in ((16, [1024] * 8), (96, [8192])):
    x = pb.make_inputs(H, lens)
    out = torch.empty_like(x["v"]); ht = torch.empty_like(x["h0"])
    for ks in ("auto", "V2=5", "V2=6"):
        set_knobs(ks)
        print(f"=== H={H} lens={lens[0]}x{len(lens)} {ks}", flush=True)
        pb.run_ours(x, out, ht); torch.cuda.synchronize()
        sys.stdout.flush()
