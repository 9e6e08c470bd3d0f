"""Times one prefill shape under forced plan knobs against the automatic plan (no FLA), for plan changes that the
report's shapes do not cover. Usage: python3 bench/plan_check.py --H 32 --T 65536 --knobs "auto" "SEG=2048,SPLIT=1"
A knob set is comma-separated NAME=VALUE for FKDA_PREFILL_NAME (the library reads them at every call)."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402

NAMES = {"SEG": "FKDA_PREFILL_SEGMENTS", "SPLIT": "FKDA_PREFILL_SPLIT"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--H", type=int, required=True)
    ap.add_argument("--T", type=int, required=True)
    ap.add_argument("--B", type=int, default=1)
    ap.add_argument("--knobs", nargs="+", default=["auto"])
    a = ap.parse_args()
    x = pb.make_inputs(a.H, [a.T] * a.B)
    out = torch.empty_like(x["v"])
    ht = torch.empty_like(x["h0"])
    ref = None
    for ks in a.knobs + a.knobs[:1]:
        for n in NAMES.values():
            os.environ.pop(n, None)
        if ks != "auto":
            for kv in ks.split(","):
                k, v = kv.split("=")
                os.environ[NAMES[k]] = v
        out.fill_(float("nan"))
        pb.run_ours(x, out, ht)
        torch.cuda.synchronize()
        if ref is None:
            ref = out.clone()
        diff = (out.float() - ref.float()).abs().max().item()
        print(f"H={a.H} B={a.B} T={a.T} {ks:>22s}: {pb.time_ms(lambda: pb.run_ours(x, out, ht)):.3f} ms"
              f"  max |out - first| {diff:.2e}", flush=True)


if __name__ == "__main__":
    main()
