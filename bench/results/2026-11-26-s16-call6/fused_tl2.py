"""Start / end of every CTA of the fused kernel, from a globaltimer build (prof2.diff: each CTA writes its entry, end of
chunk 0, loop end, final-state store issued and fenced, and the two producer groups' first record, into a device
array that fkda_prof_read copies out). Runs one shape (TL_H, TL_LENS) three times and summarises the last call."""
import ctypes
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.getcwd(), "bench"))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402

H = int(os.environ.get("TL_H", "16"))
lens = [int(v) for v in os.environ.get("TL_LENS", ",".join(["1024"] * 8)).split(",")]
x = pb.make_inputs(H, lens)
out = torch.empty_like(x["v"])
ht = torch.empty_like(x["h0"])
for _ in range(3):
    pb.run_ours(x, out, ht)
    torch.cuda.synchronize()
lib = ctypes.CDLL(os.environ["FLASHKDA_LIBRARY"])
ncta = len(lens) * H
buf = (ctypes.c_ulonglong * (ncta * 16))()
assert lib.fkda_prof_read(buf, ncta * 16) == 0
r = [list(buf[i * 16:(i + 1) * 16]) for i in range(ncta)]
t0 = min(v[0] for v in r)
med = statistics.median


def show(name, xs):
    xs = [v / 1000 for v in xs]
    print(f"  {name:40s} median {med(xs):8.2f} us  min {min(xs):8.2f}  max {max(xs):8.2f}")


print(f"H = {H}, {len(lens)} sequences, {ncta} CTAs (us)")
show("entry (from the first CTA's)", [v[0] - t0 for v in r])
for g in range(2):
    for pw in range(4):
        show(f"group {g} warp pw {pw}: first full_arrive", [v[8 + 4 * g + pw] - v[0] for v in r])
show("chain: first FULL wait done", [v[5] - v[0] for v in r])
show("chain: chunk 0 done", [v[1] - v[0] for v in r])
show("chain: loop after chunk 0", [v[2] - v[1] for v in r])
show("final state: stores issued", [v[3] - v[2] for v in r])
show("final state: fence", [v[4] - v[3] for v in r])
show("CTA span", [v[4] - v[0] for v in r])
show("end (from the first CTA's entry)", [v[4] - t0 for v in r])
print(f"  per chunk in the loop: {med([v[2] - v[1] for v in r]) / 1000 / (max(lens) / 16 - 1):.3f} us")
