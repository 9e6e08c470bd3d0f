"""Start and end of every kernel of one prefill call (torch.profiler, device timestamps), relative to the call's first
kernel: where a phased call's time goes. Usage (on the device):
  python3 bench/phase_timeline.py --H 16 --lens 1300,547,2048,963,271,3063 --knobs SEG=0,PHASES=1 SEG=0,PHASES=3
A knob set is as in plan_check.py; the lengths go to the library as cu_seqlens_host too."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402
from plan_check import set_knobs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--H", type=int, required=True)
    ap.add_argument("--lens", required=True)
    ap.add_argument("--knobs", nargs="+", default=["auto"])
    a = ap.parse_args()
    lens = [int(t) for t in a.lens.split(",")]
    x = pb.make_inputs(a.H, lens)
    if x["cu"] is not None:
        x["cu_cpu"] = x["cu"].cpu()
    out = torch.empty_like(x["v"])
    ht = torch.empty_like(x["h0"])
    from torch.profiler import ProfilerActivity, profile
    for ks in a.knobs:
        set_knobs(ks)
        for _ in range(3):
            pb.run_ours(x, out, ht)
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            pb.run_ours(x, out, ht)
            torch.cuda.synchronize()
        ev = [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]
        t0 = min(e.time_range.start for e in ev)
        print(f"H={a.H} lens={a.lens} {ks}: {(max(e.time_range.end for e in ev) - t0):.1f} us, first kernel to last end")
        for e in sorted(ev, key=lambda e: e.time_range.start):
            name = e.name.split("(")[0].split("<")[0].replace("void ", "")
            print(f"    {name:24s} {e.time_range.start - t0:7.1f} .. {e.time_range.end - t0:7.1f} us")


if __name__ == "__main__":
    main()
