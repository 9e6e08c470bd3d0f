"""SM clock and power while one prefill shape runs back to back (nvidia-smi sampled every 50 ms in a second process):
does a latency-bound chain run at a lower clock when the memory-bound prep fills the other SMs? Usage (device):
  python3 bench/clock_probe.py --H 16 --lens 1300,547,2048,963,271,3063 --knobs SEG=0,PHASES=3 --seconds 3"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402
from plan_check import set_knobs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--H", type=int, required=True)
    ap.add_argument("--lens", required=True)
    ap.add_argument("--knobs", default="auto")
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()
    x = pb.make_inputs(a.H, [int(t) for t in a.lens.split(",")])
    x["cu_cpu"] = x["cu"].cpu() if x["cu"] is not None else None
    out, ht = torch.empty_like(x["v"]), torch.empty_like(x["h0"])
    set_knobs(a.knobs)
    pb.run_ours(x, out, ht)
    torch.cuda.synchronize()
    smi = subprocess.Popen(["nvidia-smi", "--query-gpu=clocks.sm,power.draw", "--format=csv,noheader,nounits",
                            "-lms", "50"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    t0, calls = time.time(), 0
    while time.time() - t0 < a.seconds:
        for _ in range(20):
            pb.run_ours(x, out, ht)
        calls += 20
        torch.cuda.synchronize()
    dt = time.time() - t0
    smi.terminate()
    rows = [r.split(",") for r in smi.communicate()[0].strip().splitlines()]
    vals = [(float(c), float(p)) for c, p in rows[len(rows) // 4:]]  # the first quarter: ramp
    clk = sorted(v[0] for v in vals)
    pw = sorted(v[1] for v in vals)
    print(f"H={a.H} lens={a.lens} {a.knobs}: {1e3 * dt / calls:.3f} ms a call (wall), SM clock median "
          f"{clk[len(clk) // 2]:.0f} MHz (min {clk[0]:.0f}), power median {pw[len(pw) // 2]:.0f} W, {len(vals)} samples")


if __name__ == "__main__":
    main()
