"""Times one prefill shape under forced plan knobs against the automatic plan (no FLA), for plan changes that the
report's shapes do not cover. Usage: python3 bench/plan_check.py --H 32 --T 65536 --knobs "auto" "SEG=2048,SPLIT=1"
A knob set is comma-separated NAME=VALUE for FKDA_PREFILL_NAME (the library reads them at every call).
--profile adds each kernel's mean device time per call (prefill_bench.kernel_times over 5 calls): prep, chain,
combine, correct."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prefill_bench as pb  # noqa: E402
import torch  # noqa: E402

NAMES = {"SEG": "FKDA_PREFILL_SEGMENTS", "SPLIT": "FKDA_PREFILL_SPLIT", "ORDER": "FKDA_PREFILL_ORDER",
         "DEEP": "FKDA_PREFILL_DEEP", "PDL": "FKDA_PREFILL_PDL", "V2": "FKDA_PREFILL_V2",
         "C32": "FKDA_PREFILL_C32", "PHASES": "FKDA_PREFILL_PHASES",
         "BULK": "FKDA_PREFILL_BULK", "CW": "FKDA_PREFILL_CW", "OVERLAP": "FKDA_PREFILL_OVERLAP",
         "GPC": "FKDA_PREFILL_GPC", "PAIR": "FKDA_PREFILL_PAIR"}


def set_knobs(ks):
    """A knob set ("auto", or comma-separated NAME=VALUE) into the environment, every other knob of NAMES unset."""
    for n in NAMES.values():
        os.environ.pop(n, None)
    if ks != "auto":
        for kv in ks.split(","):
            k, v = kv.split("=")
            os.environ[NAMES[k]] = v


def best_graph_ms(x, out, ht, knob_sets, passes=2, calls=20, reps=5):
    """Each knob set's call on inputs x as a CUDA graph replay, the sets timed in turn `passes` times (alternated, so
    drift falls on all of them), the best time of each kept: {knob set: ms}. Leaves the knobs at "auto"."""
    best = {}
    for _ in range(passes):
        for ks in knob_sets:
            set_knobs(ks)
            ms = pb.graph_ms(lambda: pb.run_ours(x, out, ht), calls=calls, reps=reps)
            best[ks] = min(best.get(ks, float("inf")), ms)
    set_knobs("auto")
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--H", type=int, required=True)
    ap.add_argument("--T", type=int, default=0)
    ap.add_argument("--B", type=int, default=1)
    ap.add_argument("--knobs", nargs="+", default=["auto"])
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--graph", action="store_true", help="also time the call as a CUDA graph replay")
    ap.add_argument("--lens", help="comma-separated sequence lengths: a varlen batch with cu_seqlens_host (--T ignored)")
    ap.add_argument("--no-host", action="store_true", help="with --lens: no cu_seqlens_host (as prefill_bench.py runs)")
    a = ap.parse_args()
    lens = [int(t) for t in a.lens.split(",")] if a.lens else [a.T] * a.B
    x = pb.make_inputs(a.H, lens)
    out = torch.empty_like(x["v"])
    ht = torch.empty_like(x["h0"])
    if a.lens and not a.no_host:  # the host copy of cu_seqlens lets the planner see the lengths (run_ours)
        x["cu_cpu"] = x["cu"].cpu()

    def run():
        pb.run_ours(x, out, ht)
    ref = None
    for ks in a.knobs + a.knobs[:1]:
        set_knobs(ks)
        out.fill_(float("nan"))
        run()
        torch.cuda.synchronize()
        if ref is None:
            ref = out.clone()
        diff = (out.float() - ref.float()).abs().max().item()
        shape = (f"lens={a.lens}" + (" (no host)" if a.no_host else "")) if a.lens else f"B={a.B} T={a.T}"
        g = f"  graph {pb.graph_ms(run):.3f} ms" if a.graph else ""
        print(f"H={a.H} {shape} {ks:>22s}: {pb.time_ms(run):.3f} ms{g}  max |out - first| {diff:.2e}", flush=True)
        if a.profile:
            kt = pb.kernel_times(run, calls=5)
            print("    " + "  ".join(f"{n} {us:.1f}" for n, (us, _) in sorted(kt.items(), key=lambda i: -i[1][0])),
                  flush=True)


if __name__ == "__main__":
    main()
