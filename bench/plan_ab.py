"""A/B of two segment lengths per shape (a planner change checked on the device without two builds): each line of
--cases is "H,B,T,L_a,L_b" (segment lengths in 16-token chunks, 0 = no segments); both are forced through
FKDA_PREFILL_SEGMENTS and timed as CUDA graph replays in two alternating passes (the best of each is kept). Prints
b / a per shape and writes one JSON line per shape. Usage: python3 bench/plan_ab.py --cases FILE --json out.jsonl"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plan_check as pc  # noqa: E402
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    cases = [[int(v) for v in line.split(",")] for line in open(a.cases) if line.strip()]
    with open(a.json, "a") as f:
        for H, B, T, la, lb in cases:
            x = pb.make_inputs(H, [T] * B)
            out = torch.empty_like(x["v"])
            ht = torch.empty_like(x["h0"])
            best = pc.best_graph_ms(x, out, ht, [f"SEG={la}", f"SEG={lb}"], calls=10)
            ta, tb = best[f"SEG={la}"], best[f"SEG={lb}"]
            f.write(json.dumps(dict(H=H, B=B, T=T, L_a=la, L_b=lb, ms_a=ta, ms_b=tb)) + "\n")
            f.flush()
            print(f"H={H:2d} B={B} T={T:6d}  L {la:4d}: {ta:.3f}  L {lb:4d}: {tb:.3f}  b/a {tb / ta:.3f}", flush=True)
            del x, out, ht
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
