"""Segment-length sweep for single long sequences at low head counts (no FLA): for each (H, T) it times the
automatic plan, no segments (SEG=0) and forced segment lengths L (in 16-token chunks; even, as C32 rounds them) for
ns = 2 .. 32 segments, as CUDA graph replays, in two alternating passes (the best of the two is kept). Writes one
JSON line per (H, T, knobs). Usage: python3 bench/seg_sweep.py --H 1,2,4,8 --T 4096,8192 --json out.jsonl"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plan_check as pc  # noqa: E402
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402


def knob_sets(T):
    maxch = (T + 15) // 16
    ls = []
    for ns in (2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32):
        L = -(-maxch // ns)
        L += L & 1
        if L >= 8 and L not in ls:
            ls.append(L)
    return ["auto", "SEG=0"] + [f"SEG={L}" for L in ls]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--H", default="1,2,4,8")
    ap.add_argument("--T", default="4096,8192,16384,32768")
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    with open(a.json, "a") as f:
        for H in [int(h) for h in a.H.split(",")]:
            for T in [int(t) for t in a.T.split(",")]:
                x = pb.make_inputs(H, [T])
                out = torch.empty_like(x["v"])
                ht = torch.empty_like(x["h0"])
                best = pc.best_graph_ms(x, out, ht, knob_sets(T))
                for ks, ms in best.items():
                    f.write(json.dumps(dict(H=H, T=T, knobs=ks, graph_ms=ms)) + "\n")
                top = min(best, key=best.get)
                print(f"H={H:2d} T={T:6d} auto {best['auto']:.3f}  off {best['SEG=0']:.3f}  best {top} {best[top]:.3f}"
                      f"  auto/best {best['auto'] / best[top]:.3f}", flush=True)
                del x, out, ht
                torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
