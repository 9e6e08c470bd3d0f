"""Session 10 call 9: how much slower is a chain step when prep CTAs share its SM? Call A (H = 16, lens 3063,16,
FKDA_PREFILL_DEEP=0: 32 four-warp chain CTAs of 66 KB, one an SM) on stream 1; after a GPU sleep, call B on stream 2:
the prep kernel alone (FKDA_PREFILL_V2=2) on a large batch with PREP_PAD bytes of padding (3 prep CTAs fit beside a
chain CTA, 4 on an SM without one). A's chain kernel time (torch.profiler) alone vs with B running."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

xa = pb.make_inputs(16, [3063, 16])
xb = pb.make_inputs(64, [16384, 8], seed=1)
oa, ha = torch.empty_like(xa["v"]), torch.empty_like(xa["h0"])
ob, hb = torch.empty_like(xb["v"]), torch.empty_like(xb["h0"])
s1, s2 = torch.cuda.Stream(), torch.cuda.Stream()
KN = ["FKDA_PREFILL_DEEP", "FKDA_PREFILL_V2", "FKDA_PREFILL_PREP_PAD"]


def call(x, o, h, env):
    for k in KN:
        os.environ.pop(k, None)
    os.environ.update(env)
    pb.run_ours(x, o, h)


def trial(with_b, pad, sleep_cycles):
    torch.cuda.synchronize()
    with torch.cuda.stream(s1):
        call(xa, oa, ha, {"FKDA_PREFILL_DEEP": "0"})
    if with_b:
        with torch.cuda.stream(s2):
            torch.cuda._sleep(sleep_cycles)
            call(xb, ob, hb, {"FKDA_PREFILL_V2": "2", "FKDA_PREFILL_PREP_PAD": str(pad)})
    torch.cuda.synchronize()


for with_b, pad, sl in [(0, 0, 0), (1, 20000, 90000), (1, 20000, 90000), (1, 40000, 90000), (0, 0, 0)]:
    for _ in range(3):
        trial(with_b, pad, sl)
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(5):
            trial(with_b, pad, sl)
    ev = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
    chain = sorted(e.device_time for e in ev if "chain" in e.name)
    prep = sorted(e.device_time for e in ev if "prep" in e.name)
    print(f"B={'on ' if with_b else 'off'} pad={pad:6d}: A chain us {chain}  prep kernels us (A and B) {prep[:3]} .. {prep[-3:]}",
          flush=True)
