"""Times one prefill shape under forced plan knobs against the automatic plan (no FLA), for plan changes that the
report's shapes do not cover. Usage: python3 bench/plan_check.py --H 32 --T 65536 --knobs "auto" "SEG=2048,SPLIT=1"
A knob set is comma-separated NAME=VALUE for FKDA_PREFILL_NAME (the library reads them at every call).
--profile adds each kernel's mean device time per call (torch.profiler over 5 calls): prep, chain, combine, correct."""
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
    ap.add_argument("--T", type=int, default=0)
    ap.add_argument("--B", type=int, default=1)
    ap.add_argument("--knobs", nargs="+", default=["auto"])
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--lens", help="comma-separated sequence lengths: a varlen batch with cu_seqlens_host (--T ignored)")
    a = ap.parse_args()
    lens = [int(t) for t in a.lens.split(",")] if a.lens else [a.T] * a.B
    x = pb.make_inputs(a.H, lens)
    if a.lens:  # the host copy of cu_seqlens lets the planner see the lengths
        import flashkda
        cu_host = x["cu"].cpu()
        run = lambda x, out, ht: flashkda.prefill(  # noqa: E731
            x["q"], x["k"], x["v"], x["g"], x["beta"], out=out, A_log=x["A_log"], dt_bias=x["dt_bias"],
            initial_state=x["h0"], final_state=ht, cu_seqlens=x["cu"], cu_seqlens_host=cu_host, scale=pb.K ** -0.5)
        pb.run_ours = run
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
        print(f"H={a.H} {'lens=' + a.lens if a.lens else f'B={a.B} T={a.T}'} {ks:>22s}: {pb.time_ms(lambda: pb.run_ours(x, out, ht)):.3f} ms"
              f"  max |out - first| {diff:.2e}", flush=True)
        if a.profile:
            print("    " + kernel_times(lambda: pb.run_ours(x, out, ht)), flush=True)


def kernel_times(fn, calls=5):
    """mean device time per call of each kernel fn launches, by name (us)"""
    from torch.profiler import ProfilerActivity, profile
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
    tot = {}
    for e in prof.key_averages():
        if e.device_type.name == "CUDA" or getattr(e, "self_device_time_total", 0) > 0:
            name = e.key.split("(")[0].split("<")[0].replace("void ", "")
            tot[name] = tot.get(name, 0.0) + getattr(e, "self_device_time_total", 0.0) / calls
    return "  ".join(f"{k} {v:.1f}" for k, v in sorted(tot.items(), key=lambda kv: -kv[1]) if v > 0.05)


if __name__ == "__main__":
    main()
