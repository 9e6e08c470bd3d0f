"""One phased call at H = 16 varlen 6 with the CLK build (clk-exit.patch): warm-up, then one call whose chain CTAs
print entry / loop start / loop end / exit (%globaltimer); prints per sequence the spans relative to the call's first
chain entry. Run with FLASHKDA_LIBRARY at the CLK build; stdout of the kernels is parsed from a file (argv[1])."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402

lens = [int(t) for t in os.environ.get("LENS", "1300,547,2048,963,271,3063").split(",")]
x = pb.make_inputs(int(os.environ.get("H", "16")), lens)
x["cu_cpu"] = x["cu"].cpu()
out = torch.empty_like(x["v"])
ht = torch.empty_like(x["h0"])
for _ in range(int(os.environ.get("CALLS", "4"))):
    pb.run_ours(x, out, ht)
    torch.cuda.synchronize()
