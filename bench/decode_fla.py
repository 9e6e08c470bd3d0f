"""FLA's fused_recurrent_kda_fwd under the settings of bench/decode_bench.c, for comparison in the same run.

H = HV = 32, K = V = 128, one token per sequence, bf16 inputs, bounded gate (lower_bound -5, A_log and
dt_bias), in-kernel L2 norm and beta sigmoid, fp32 state pool [N, HV, V, K] (state_v_first) updated in place
through int32 slot indices. "graph": 20 calls captured in one CUDA graph, median replay time per call.
"eager": the plain Python call, host overhead included (median of single synchronised calls).
Prints one JSON object per line. Set FLA_FLASH_KDA=0 so FLA runs its own Triton kernel.
"""
import json
import os
import sys
import time

import torch

os.environ.setdefault("FLA_FLASH_KDA", "0")
from fla.ops.kda.fused_recurrent import fused_recurrent_kda_fwd  # noqa: E402

H, K, V, CALLS, REPLAYS = 32, 128, 128, 20, 25


def make(N, dev="cuda"):
    g = torch.Generator(device=dev).manual_seed(N)
    r = lambda *s, lo=-1.0, hi=1.0: (torch.rand(*s, device=dev, generator=g) * (hi - lo) + lo)
    q = r(N, 1, H, K).bfloat16()
    k = r(N, 1, H, K).bfloat16()
    v = r(N, 1, H, V).bfloat16()
    gg = r(N, 1, H, K, lo=-3, hi=3).bfloat16()
    beta = r(N, 1, H, lo=-3, hi=3).bfloat16()
    A_log = r(H, lo=-1.5, hi=0.5)
    dt_bias = r(H * K)
    pool = r(N, H, V, K, lo=-0.5, hi=0.5)
    idx = ((torch.arange(N, device=dev) * 7 + 3) % N).int() if N % 7 else torch.arange(N - 1, -1, -1, device=dev).int()
    out = torch.empty_like(v)
    return q, k, v, gg, beta, A_log, dt_bias, pool, idx, out


def call(t):
    q, k, v, g, beta, A_log, dt_bias, pool, idx, out = t
    fused_recurrent_kda_fwd(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, initial_state=pool,
                            inplace_final_state=True, state_v_first=True, ssm_state_indices=idx,
                            use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                            use_beta_sigmoid_in_kernel=True, lower_bound=-5.0, out=out)


def copy_bandwidth():
    a = torch.empty(1 << 28, device="cuda")  # 1 GiB
    b = torch.empty_like(a)
    ts = []
    for i in range(12):
        e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        e0.record()
        b.copy_(a)
        e1.record()
        e1.synchronize()
        if i >= 2:
            ts.append(e0.elapsed_time(e1))
    ts.sort()
    return 2 * a.numel() * 4 / (ts[len(ts) // 2] * 1e-3)


def main():
    Ns = [int(x) for x in sys.argv[1:]] or [1, 8, 64, 256, 1024]
    bw = copy_bandwidth()
    print(json.dumps({"fla_copy_bandwidth_GBps": round(bw * 1e-9, 1)}), flush=True)
    for N in Ns:
        t = make(N)
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                call(t)
        torch.cuda.current_stream().wait_stream(s)
        torch.cuda.synchronize()
        # eager: single synchronised calls
        eager = []
        for _ in range(20):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            call(t)
            torch.cuda.synchronize()
            eager.append((time.perf_counter() - t0) * 1e6)
        eager.sort()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            for _ in range(CALLS):
                call(t)
        for _ in range(3):
            graph.replay()
        ts = []
        for _ in range(REPLAYS):
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record()
            graph.replay()
            e1.record()
            e1.synchronize()
            ts.append(e0.elapsed_time(e1) * 1e3 / CALLS)
        ts.sort()
        us = ts[len(ts) // 2]
        state_bytes = 2 * N * H * V * K * 4
        print(json.dumps({"fla": True, "N": N, "graph_us": round(us, 2), "bw_fraction": round(state_bytes / (us * 1e-6) / bw, 4),
                          "eager_us": round(eager[len(eager) // 2], 1)}), flush=True)
        del graph, t
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
