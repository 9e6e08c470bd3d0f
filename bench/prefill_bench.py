"""Prefill benchmark: flashkda's CUDA kernel against FLA Triton chunk_kda, timed in the same run.

Settings of ../shared/notes/h100-anchors.md: bf16 inputs, K = V = 128, bounded gate (lower_bound -5, A_log and
dt_bias given), in-kernel L2 norm and beta sigmoid, fp32 initial and final state in the V-first layout; CUDA
events around 30 back-to-back calls, median of 5, after a warm-up. Per shape it prints both times, the speed-up
ours/FLA against the bar of issue 3, the bytes that must move and the fraction of the memory floor reached
(bytes / 2.99 TB/s), and the err_ratio = RMS(x - ref) / RMS(ref) of both outputs and final states against an
fp64 recurrence on the same inputs (token by token on the GPU, for sequences up to --err-max-tokens).

Usage: FLASHKDA_LIBRARY=build/libflashkda.so PYTHONPATH=python:<fla> FLA_FLASH_KDA=0 \
       python3 bench/prefill_bench.py --json out.json --plot out.png [--variants auto:1,8:1] [--only 0,3]
A variant "SPLIT:PRECISE[:V2]" sets FKDA_PREFILL_SPLIT / FKDA_PREFILL_PRECISE (the chain's precision mask: 0, 4, 7) and
FKDA_PREFILL_V2 when given (2 = prep kernel alone; src/cuda/prefill.cu) for our kernel; the first variant is "ours". --err-variants
measures the error of every variant.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys

import torch

K = V = 128
COPY_BW = 2.99e12  # bytes/s, device-to-device copy measured on the H100 (h100-anchors.md)

# (H, sequences, bar ours/FLA) from issue 3
SHAPES = [
    (96, [8192], 3.27),
    (96, [1300, 547, 2048, 963, 271, 3063], 3.10),
    (96, [1024] * 8, 3.51),
    (64, [8192], 2.03),
    (32, [8192], 1.51),
    (16, [8192], 2.32),
    (16, [1300, 547, 2048, 963, 271, 3063], 4.99),
    (16, [1024] * 8, 5.02),
    (8, [8192], 2.28),
    (32, [256] * 64, 2.66),
    (16, [65536], 2.00),
]


def seq_label(lens):
    if len(set(lens)) == 1:
        return f"{len(lens)}x{lens[0]}"
    return ",".join(str(x) for x in lens)


def make_inputs(H, lens, seed=0):
    """Fixed-length shapes as [B, T] (each row one sequence), mixed lengths as varlen [1, total]."""
    torch.manual_seed(seed)
    dev = "cuda"
    fixed = len(set(lens)) == 1
    B, T = (len(lens), lens[0]) if fixed else (1, sum(lens))
    N = len(lens)
    q = torch.randn(B, T, H, K, device=dev, dtype=torch.bfloat16)
    k = torch.randn(B, T, H, K, device=dev, dtype=torch.bfloat16)
    v = torch.randn(B, T, H, V, device=dev, dtype=torch.bfloat16)
    g = torch.randn(B, T, H, K, device=dev, dtype=torch.bfloat16)
    beta = torch.randn(B, T, H, device=dev, dtype=torch.bfloat16)
    A_log = torch.log(torch.empty(H, device=dev).uniform_(1, 16))
    dt_bias = 0.5 * torch.randn(H * K, device=dev)
    h0 = 0.1 * torch.randn(N, H, V, K, device=dev)
    cu = None
    if not fixed:
        cu = torch.tensor([0] + list(torch.tensor(lens).cumsum(0).tolist()), device=dev, dtype=torch.int64)
    return dict(q=q, k=k, v=v, g=g, beta=beta, A_log=A_log, dt_bias=dt_bias, h0=h0, cu=cu, N=N, H=H, lens=lens)


def bytes_moved(x):
    q = x["q"]
    n_tok = q.shape[0] * q.shape[1]
    H = x["H"]
    per_tok = H * (K * 2 * 2 + V * 2 * 2 + K * 2 + 2)  # q, k, v, out, g, beta (bf16)
    return n_tok * per_tok + 2 * x["N"] * H * K * V * 4  # + fp32 state in and out


def flops(x):
    """Multiply-adds of the chunk-16 form, x2: Kd S, Qd S, Kr^T U (K x V per token) and the 16-wide blocks."""
    q = x["q"]
    n_tok = q.shape[0] * q.shape[1]
    return 2 * n_tok * x["H"] * (3 * K * V + 2 * 16 * K + 2 * 16 * V)


def run_ours(x, out, ht, workspace=None):
    """One call of ours on inputs x; workspace: None (the binding takes one from torch's allocator) or a caller buffer"""
    import flashkda
    if x.get("cu_cpu") is not None or workspace is not None:  # --host-cu: cu_seqlens_host too
        flashkda.prefill(x["q"], x["k"], x["v"], x["g"], x["beta"], out=out, A_log=x["A_log"], dt_bias=x["dt_bias"],
                         initial_state=x["h0"], final_state=ht, cu_seqlens=x["cu"], cu_seqlens_host=x.get("cu_cpu"),
                         scale=K ** -0.5, workspace=workspace)
        return
    flashkda.fwd(x["q"], x["k"], x["v"], x["g"], x["beta"], K ** -0.5, out, x["A_log"], x["dt_bias"], -5.0,
                 initial_state=x["h0"], final_state=ht, cu_seqlens=x["cu"])


def run_fla(x, graph=False, **kw):
    """graph: FLA's capture-safe varlen mode (use_graph: chunk indices built on the device, no host read of
    cu_seqlens), which --graph captures in a CUDA graph; kw: more chunk_kda arguments (fla_timing_study.py)"""
    from fla.ops.kda import chunk_kda
    if graph:
        kw["use_graph"] = True
    if x.get("cu_cpu") is not None:  # --host-cu: FLA gets the same host copy (its cu_seqlens_cpu)
        kw["cu_seqlens_cpu"] = x["cu_cpu"]
    o, ht = chunk_kda(x["q"], x["k"], x["v"], x["g"], x["beta"], scale=K ** -0.5, initial_state=x["h0"],
                      output_final_state=True, use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                      use_beta_sigmoid_in_kernel=True, safe_gate=True, lower_bound=-5.0, state_v_first=True,
                      cu_seqlens=x["cu"], A_log=x["A_log"], dt_bias=x["dt_bias"], **kw)
    return o, ht


def hot_path():
    """Whether flashkda's eager calls take the C hot path (flashkda._fastcall, what an installed package uses) or
    the slower ctypes path of a checkout where it was not built: the eager times include that host cost."""
    import flashkda.ops
    return flashkda.ops._fast_path() is not None


def set_variant(var):
    """Environment knobs of src/cuda/prefill.cu (read by the library at every call)."""
    f = var.split(":")
    os.environ["FKDA_PREFILL_SPLIT"] = "0" if f[0] == "auto" else f[0]
    os.environ["FKDA_PREFILL_PRECISE"] = f[1]
    if len(f) > 2:
        os.environ["FKDA_PREFILL_V2"] = f[2]
    else:
        os.environ.pop("FKDA_PREFILL_V2", None)


def time_ms(fn, calls=30, reps=5):
    fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(calls):
            fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) / calls)
    return statistics.median(times)


def capture_graph(fn):
    """One call of fn captured in a CUDA graph, after eager warm-up calls on a side stream (returns the graph)"""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    torch.cuda.synchronize()
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    return g


def graph_ms(fn, calls=30, reps=5):
    """capture_graph(fn) replayed with time_ms: the GPU time of the call without the host's launch gaps"""
    return time_ms(capture_graph(fn).replay, calls, reps)


def _cuda_events(fn, calls, warmup):
    """The CUDA events (torch.profiler, device timestamps) of `calls` back-to-back calls of fn after `warmup` calls"""
    from torch.profiler import ProfilerActivity, profile
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
    return [e for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA]


def _kernel_name(e):
    return e.name.split("(")[0].split("<")[0].replace("void ", "")


def kernel_timeline(fn, calls=1):
    """[(kernel name, start, end)] in us from the first kernel's start, sorted by start, of `calls` back-to-back
    calls of fn after a warm-up (torch.profiler, device timestamps)"""
    ev = _cuda_events(fn, calls, warmup=3)
    if not ev:
        return []
    t0 = min(e.time_range.start for e in ev)
    return sorted(((_kernel_name(e), e.time_range.start - t0, e.time_range.end - t0) for e in ev), key=lambda r: r[1])


def kernel_times(fn, calls=30):
    """{kernel name: (device us per call, launches per call)} of the CUDA kernels fn launches (torch.profiler over
    `calls` calls): GPU time without host gaps, per kernel"""
    out = {}
    for e in _cuda_events(fn, calls, warmup=1):
        us, n = out.get(_kernel_name(e), (0.0, 0.0))
        out[_kernel_name(e)] = (us + e.device_time / calls, n + 1 / calls)
    return out


@torch.no_grad()
def reference(x):
    """fp64 token-by-token recurrence on the GPU (docs/semantics.md), all sequences at once (padded)."""
    lens = x["lens"]
    H, N = x["H"], x["N"]
    Tm = max(lens)
    q0, k0, v0, g0, b0 = x["q"], x["k"], x["v"], x["g"], x["beta"]

    def per_seq(t):  # [B, T, H, ...] -> [N, Tmax, H, ...] padded with zeros
        if x["cu"] is None:
            return t.double()
        outp = torch.zeros((N, Tm) + tuple(t.shape[2:]), dtype=torch.float64, device=t.device)
        s = 0
        for n, L in enumerate(lens):
            outp[n, :L] = t[0, s:s + L].double()
            s += L
        return outp

    q, k, v, g, beta = (per_seq(t) for t in (q0, k0, v0, g0, b0))
    q = q / torch.sqrt((q * q).sum(-1, keepdim=True) + 1e-6)
    k = k / torch.sqrt((k * k).sum(-1, keepdim=True) + 1e-6)
    beta = torch.sigmoid(beta)
    xg = g + x["dt_bias"].double().view(H, K)
    a = -5.0 * torch.sigmoid(torch.exp(x["A_log"].double()).view(H, 1) * xg)
    valid = torch.zeros(N, Tm, dtype=torch.bool, device=q.device)
    for n, L in enumerate(lens):
        valid[n, :L] = True
    a = torch.where(valid[:, :, None, None], a, torch.zeros_like(a))
    beta = torch.where(valid[:, :, None], beta, torch.zeros_like(beta))
    S = x["h0"].double().transpose(-1, -2).clone()  # [N, H, K, V]
    o = torch.empty(N, Tm, H, V, dtype=torch.float64, device=q.device)
    scale = K ** -0.5
    for t in range(Tm):
        S.mul_(torch.exp(a[:, t]).unsqueeze(-1))
        kt = k[:, t]
        u = beta[:, t].unsqueeze(-1) * (v[:, t] - torch.einsum("nhkv,nhk->nhv", S, kt))
        S.add_(kt.unsqueeze(-1) * u.unsqueeze(-2))
        o[:, t] = scale * torch.einsum("nhkv,nhk->nhv", S, q[:, t])
    if x["cu"] is not None:
        o = torch.cat([o[n, :L] for n, L in enumerate(lens)], 0).unsqueeze(0)
    return o, S.transpose(-1, -2)


def err_ratio(x, ref):
    d = x.double() - ref
    return (d.pow(2).mean().sqrt() / ref.pow(2).mean().sqrt()).item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=None)
    ap.add_argument("--plot", default=None)
    ap.add_argument("--variants", default="auto:1")
    ap.add_argument("--only", default=None, help="comma-separated shape indices")
    ap.add_argument("--err-max-tokens", type=int, default=8192)
    ap.add_argument("--no-fla", action="store_true")
    ap.add_argument("--fla-only", default=None, help="time FLA only on these shape indices (its autotuning "
                    "costs minutes per head count)")
    ap.add_argument("--err-only", default=None, help="fp64 reference only on these shape indices")
    ap.add_argument("--err-variants", action="store_true", help="err_ratio of every variant, not only the first")
    ap.add_argument("--graph", action="store_true", help="also time both sides as a CUDA graph replay (FLA with "
                    "use_graph=True): GPU time without host launch gaps, the comparison FLA's host overhead cannot move")
    ap.add_argument("--host-cu", action="store_true", help="varlen shapes: pass a host copy of cu_seqlens to both "
                    "(ours: cu_seqlens_host, which lets the planner see the lengths; FLA: cu_seqlens_cpu)")
    ap.add_argument("--plot-from", default=None, help="only draw --plot from a JSON this script wrote (no GPU needed)")
    args = ap.parse_args()
    if args.plot_from:
        with open(args.plot_from) as f:
            meta = json.load(f)
        plot(meta["rows"], meta["card"], meta["date"], args.plot or "prefill.png")
        return

    card = torch.cuda.get_device_name()
    hot = hot_path()
    print(f"# {card}, torch {torch.__version__}, {datetime.date.today()}, flashkda calls through "
          f"{'the C hot path' if hot else 'ctypes (flashkda._fastcall not built: bench/device_env.sh fastcall_build)'}",
          flush=True)
    variants = args.variants.split(",")
    idx = range(len(SHAPES)) if args.only is None else [int(i) for i in args.only.split(",")]
    rows = []
    for i in idx:
        H, lens, bar = SHAPES[i]
        x = make_inputs(H, lens)
        if args.host_cu and x["cu"] is not None:
            x["cu_cpu"] = x["cu"].cpu()
        out = torch.empty_like(x["v"])
        ht = torch.empty_like(x["h0"])
        row = dict(H=H, sequences=seq_label(lens), bar=bar, bytes=bytes_moved(x), flops=flops(x),
                   host_cu=x.get("cu_cpu") is not None)
        row["floor_ms"] = row["bytes"] / COPY_BW * 1e3
        ours = {}
        for var in variants + variants[:1]:  # ends on the first variant: the error check runs it
            set_variant(var)
            if var not in ours:
                ours[var] = time_ms(lambda: run_ours(x, out, ht))
        row["ours_ms_variants"] = ours
        row["ours_ms"] = ours[variants[0]]
        fla_on = not args.no_fla and (args.fla_only is None or i in [int(j) for j in args.fla_only.split(",")])
        err_on = args.err_only is None or i in [int(j) for j in args.err_only.split(",")]
        if fla_on:
            row["fla_ms"] = time_ms(lambda: run_fla(x))
            row["speedup"] = row["fla_ms"] / row["ours_ms"]
        if args.graph:
            set_variant(variants[0])
            row["ours_graph_ms"] = graph_ms(lambda: run_ours(x, out, ht))
            if fla_on:
                row["fla_graph_ms"] = graph_ms(lambda: run_fla(x, graph=True))
                row["speedup_graph"] = row["fla_graph_ms"] / row["ours_graph_ms"]
        row["floor_fraction"] = row["floor_ms"] / row["ours_ms"]
        if err_on and max(lens) <= args.err_max_tokens:
            o_ref, s_ref = reference(x)
            if args.err_variants:  # every variant's error, then the first one's again for the columns below
                row["err_variants"] = {}
                for var in variants:
                    set_variant(var)
                    out.fill_(float("nan"))
                    run_ours(x, out, ht)
                    row["err_variants"][var] = [err_ratio(out, o_ref), err_ratio(ht, s_ref)]
                set_variant(variants[0])
            out.fill_(float("nan"))
            ht.fill_(float("nan"))
            run_ours(x, out, ht)
            row["ours_err_out"] = err_ratio(out, o_ref)
            row["ours_err_state"] = err_ratio(ht, s_ref)
            if fla_on:
                o_f, s_f = run_fla(x)
                row["fla_err_out"] = err_ratio(o_f, o_ref)
                row["fla_err_state"] = err_ratio(s_f, s_ref)
            del o_ref, s_ref
        rows.append(row)
        v_str = " ".join(f"{k}={t:.3f}" for k, t in ours.items())
        if "ours_graph_ms" in row:
            v_str += f" graph ours {row['ours_graph_ms']:.3f} FLA {row.get('fla_graph_ms', 0):.3f}"
        if "err_variants" in row:
            v_str += " | err " + " ".join(f"{k}={e[0]:.2e}/{e[1]:.2e}" for k, e in row["err_variants"].items())
        print(f"H={H:3d} {row['sequences']:>26s}  ours {row['ours_ms']:.3f} ms ({v_str})  FLA {row.get('fla_ms', 0):.3f} ms"
              f"  x{row.get('speedup', 0):.2f} (bar {bar:.2f})  floor {100 * row['floor_fraction']:.0f}%"
              f"  err ours {row.get('ours_err_out', float('nan')):.2e}/{row.get('ours_err_state', float('nan')):.2e}"
              f"  FLA {row.get('fla_err_out', float('nan')):.2e}/{row.get('fla_err_state', float('nan')):.2e}",
              flush=True)
        del x, out, ht
        torch.cuda.empty_cache()
        if args.json:  # after every shape, so a run cut short still leaves its rows
            with open(args.json, "w") as f:
                json.dump(dict(card=card, date=str(datetime.date.today()), partial=True, rows=rows), f, indent=1)

    print()
    g = any("ours_graph_ms" in r for r in rows)
    gh = " ours graph (ms) | FLA graph (ms) | graph ratio | met (graph) |" if g else ""
    print("| H | sequences | ours (ms) | FLA (ms) | ours/FLA | bar | met |" + gh +
          " floor | err out ours/FLA | err state ours/FLA |")
    print("|---:|---|---:|---:|---:|---:|:-:|" + ("---:|---:|---:|:-:|" if g else "") + "---:|---|---|")
    nan = float("nan")
    for r in rows:
        met = "yes" if r.get("speedup", 0) >= r["bar"] else "no"
        gc = ""
        if g:
            gmet = "yes" if r.get("speedup_graph", 0) >= r["bar"] else "no"
            gc = (f" {r.get('ours_graph_ms', nan):.3f} | {r.get('fla_graph_ms', nan):.3f} | "
                  f"{r.get('speedup_graph', nan):.2f}x | {gmet} |")
        print(f"| {r['H']} | {r['sequences']} | {r['ours_ms']:.3f} | {r.get('fla_ms', nan):.3f} | "
              f"{r.get('speedup', nan):.2f}x | {r['bar']:.2f}x | {met} |{gc} {100 * r['floor_fraction']:.0f}% | "
              f"{r.get('ours_err_out', nan):.2e} / {r.get('fla_err_out', nan):.2e} | "
              f"{r.get('ours_err_state', nan):.2e} / {r.get('fla_err_state', nan):.2e} |")
    meta = dict(card=card, date=str(datetime.date.today()), torch=torch.__version__,
                settings="bf16, K=V=128, bounded gate lb=-5 with A_log and dt_bias, qk l2norm, beta sigmoid, "
                         "fp32 V-first states in and out; CUDA events, 30 calls, median of 5" +
                         ("; varlen rows with a host copy of cu_seqlens for both (--host-cu)" if args.host_cu else ""),
                python_path="C hot path (flashkda._fastcall)" if hot else "ctypes", variants=variants, rows=rows)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(meta, f, indent=1)
    if args.plot:
        plot(rows, card, str(datetime.date.today()), args.plot)


def plot(rows, card, date, path):
    """Bar chart of the same-run speed-ups against the bars (a convenience: the table and JSON are the record)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        labels = [f"H{r['H']}\n{r['sequences'][:14]}" for r in rows]
        xs = range(len(rows))
        fig, ax = plt.subplots(figsize=(12, 4.5))
        g = any("speedup_graph" in r for r in rows)
        w = 0.27 if g else 0.4
        ax.bar([i - w / 2 - (w / 2 if g else 0) for i in xs], [r.get("speedup", 0) for r in rows], w,
               label="ours / FLA, eager (measured)")
        if g:
            ax.bar(list(xs), [r.get("speedup_graph", 0) for r in rows], w, label="ours / FLA, CUDA graphs (measured)")
        ax.bar([i + w / 2 + (w / 2 if g else 0) for i in xs], [r["bar"] for r in rows], w, label="bar (issue 3)",
               alpha=0.6)
        ax.set_xticks(list(xs))
        ax.set_xticklabels(labels, fontsize=7)
        ax.set_ylabel("speed-up over FLA chunk_kda")
        ax.set_title(f"KDA prefill, {card}, {date}")
        ax.legend()
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    except Exception as e:
        print(f"plot skipped: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
