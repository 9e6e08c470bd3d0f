import sys, torch
sys.path.insert(0, "bench")
import prefill_bench as pb
x = pb.make_inputs(16, [1300, 547, 2048, 963, 271, 3063])
x["cu_cpu"] = x["cu"].cpu()
out = torch.empty_like(x["v"]); ht = torch.empty_like(x["h0"])
for _ in range(3):
    pb.run_ours(x, out, ht)
torch.cuda.synchronize()
