"""Saves (or compares with a saved file) the output and final state of one prefill call per shape, so that two
libraries run in two processes can be compared bit for bit: python3 bits.py save|cmp FILE"""
import sys
import os
sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402

res = {}
for H, lens in [(16, [1300, 547, 2048, 963, 271, 3063]), (16, [1024] * 8), (32, [8192]), (96, [1024] * 8),
                (4, [300, 200, 100, 50, 800, 1200, 90, 70])]:
    x = pb.make_inputs(H, lens)
    out = torch.full_like(x["v"], float("nan"))
    ht = torch.full_like(x["h0"], float("nan"))
    pb.run_ours(x, out, ht)
    torch.cuda.synchronize()
    res[f"H{H} {len(lens)}x{lens[0]}"] = (out.cpu(), ht.cpu())
if sys.argv[1] == "save":
    torch.save(res, sys.argv[2])
else:
    ref = torch.load(sys.argv[2])
    for k, (o, s) in res.items():
        eq = torch.equal(o.view(torch.int16), ref[k][0].view(torch.int16)) and torch.equal(s, ref[k][1])
        print(f"{k}: {'bit-identical' if eq else 'DIFFERENT'} (max |out diff| "
              f"{(o.float() - ref[k][0].float()).abs().max().item():.2e})")
