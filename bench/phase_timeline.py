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
    for ks in a.knobs:
        set_knobs(ks)
        tl = pb.kernel_timeline(lambda: pb.run_ours(x, out, ht))
        print(f"H={a.H} lens={a.lens} {ks}: {max(e for _, _, e in tl):.1f} us, first kernel to last end")
        for name, s, e in tl:
            print(f"    {name:24s} {s:7.1f} .. {e:7.1f} us")


if __name__ == "__main__":
    main()
