"""Host time of one eager Python call of flashkda (the per-call overhead target: < 30 us).

A tiny call does almost no GPU work, so a loop of calls without synchronisation is bound by the host: the
loop's wall time per call is the Python + ctypes + launch cost. Measured for:
  decode N=1, H=HV=32, K=V=128 (the serving step of bench/decode_bench.c), with a caller-provided out,
  chunk_kda T=64, H=HV=1 (FLA's signature, allocating out),
and, where fla-core is importable, FLA's own eager fused_recurrent_kda_fwd / chunk_kda on the same inputs.
Without a GPU (or a CUDA build) it times the CPU backend on numpy arrays instead (then compute is included).

    python3 bench/python_overhead.py [--calls 2000] [--no-fla] [--json bench/results/<name>.json]
"""
import argparse
import json
import os
import statistics
import time

import ctypes

import numpy as np

import flashkda
from flashkda import _lib, ops


def per_call_us(fn, calls, repeats=5, sync=None):
    """Median over repeats of (wall time of `calls` back-to-back calls) / calls, in microseconds."""
    for _ in range(max(10, calls // 20)):
        fn()
    if sync:
        sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        t1 = time.perf_counter()
        if sync:
            sync()
        times.append((t1 - t0) / calls * 1e6)
    return statistics.median(times)


class _Capture:
    """Stands in for the ctypes library inside flashkda.ops: records the args struct of one call (and
    optionally skips the C calls), so the Python part and the C part of a call can be timed apart."""

    def __init__(self, real, call_through):
        self.real, self.call_through, self.args = real, call_through, None

    def __getattr__(self, name):
        fn = getattr(self.real, name)
        size = ctypes.sizeof(_lib.DecodeArgs if "decode" in name else _lib.PrefillArgs)

        def wrapped(addr, *rest):
            if self.args is None:
                self.args = ctypes.create_string_buffer(ctypes.string_at(addr, size), size)
            return fn(addr, *rest) if self.call_through else 0
        return wrapped


class _PythonPath:
    """Within it, flashkda.ops takes its pure-Python path (the C hot path flashkda._fastcall switched off)."""

    def __enter__(self):
        self.saved = ops._fast, ops._fast_module
        ops._fast, ops._fast_module = None, None

    def __exit__(self, *exc):
        ops._fast, ops._fast_module = self.saved


def breakdown(call, stream, calls, sync=None):
    """On the pure-Python path: {python: host us of a call whose C functions return at once, c: us of
    fkda_decode alone, ...}, and the whole call on that path."""
    real = ops.lib
    try:
        ops.lib = _Capture(real, call_through=False)
        py = per_call_us(call, calls)
        ops.lib = cap = _Capture(real, call_through=True)
        call()
    finally:
        ops.lib = real
    addr = ctypes.addressof(cap.args)
    c = per_call_us(lambda: real.fkda_decode(addr, None, 0, stream), calls, sync=sync)
    size = ctypes.c_size_t(0)
    q = per_call_us(lambda: real.fkda_decode_workspace_size(addr, ctypes.addressof(size)), calls)
    # the same call without FKDA_TRUSTED_LOCATIONS: the library asks the runtime where each pointer lives
    flags_at = addr + _lib.DECODE_OPTIONS_OFFSET + 8
    flags = ctypes.c_uint.from_address(flags_at)
    flags.value &= ~_lib.TRUSTED_LOCATIONS
    u = per_call_us(lambda: real.fkda_decode(addr, None, 0, stream), calls, sync=sync)
    return {"python part": py, "fkda_decode C call alone": c, "fkda_decode_workspace_size alone": q,
            "fkda_decode C call alone, pointer locations checked": u}


def cuda_cases(calls, with_fla=True):
    import torch

    dev = "cuda"
    torch.manual_seed(0)
    H, K = 32, 128
    q, k, v = (torch.randn(1, 1, H, K, device=dev).bfloat16() for _ in range(3))
    g = torch.randn(1, 1, H, K, device=dev).bfloat16()
    beta = torch.randn(1, 1, H, device=dev).bfloat16()
    A_log, dt_bias = torch.randn(H, device=dev), torch.randn(H * K, device=dev)
    pool = torch.zeros(4, H, K, K, device=dev)
    idx = torch.tensor([1], device=dev, dtype=torch.int32)
    out = torch.empty_like(v)
    sync = torch.cuda.synchronize
    results = {}
    with torch.inference_mode():
        def decode():
            flashkda.decode(q, k, v, g, beta, pool, ssm_state_indices=idx, out=out, A_log=A_log, dt_bias=dt_bias)
        hot = "C hot path" if ops._fast_path() is not None else "pure-Python path, no C hot path built"
        results[f"flashkda.decode N=1 H=32 (out given), {hot}"] = per_call_us(decode, calls, sync=sync)
        with _PythonPath():
            results["flashkda.decode N=1 H=32 (out given), pure-Python path"] = per_call_us(decode, calls, sync=sync)
        stream = torch.cuda.current_stream().cuda_stream or None
        with _PythonPath():
            for part, us in breakdown(decode, stream, calls, sync).items():
                results[f"  of which {part}"] = us

        c = [torch.randn(1, 64, 1, K, device=dev).bfloat16() for _ in range(4)]
        cb = torch.randn(1, 64, 1, device=dev).bfloat16()
        cA, cdt = torch.randn(1, device=dev), torch.randn(K, device=dev)
        kw = dict(A_log=cA, dt_bias=cdt, use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                  use_beta_sigmoid_in_kernel=True, safe_gate=True, lower_bound=-5.0, state_v_first=True)

        def chunk():
            flashkda.chunk_kda(c[0], c[1], c[2], c[3], cb, **kw)
        results["flashkda.chunk_kda T=64 H=1"] = per_call_us(chunk, calls, sync=sync)

        if not with_fla:
            return results
        try:
            os.environ.setdefault("FLA_FLASH_KDA", "0")
            from fla.ops.kda import chunk_kda as fla_chunk
            from fla.ops.kda.fused_recurrent import fused_recurrent_kda_fwd
        except ImportError:
            return results

        def fla_decode():
            fused_recurrent_kda_fwd(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, initial_state=pool,
                                    inplace_final_state=True, state_v_first=True, ssm_state_indices=idx,
                                    use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                                    use_beta_sigmoid_in_kernel=True, lower_bound=-5.0, out=out)
        os.environ["FLASHKDA_FLA"] = "0"  # FLA's own kernels, even if a flashkda backend is registered
        results["FLA fused_recurrent_kda_fwd N=1 H=32"] = per_call_us(fla_decode, calls // 4, sync=sync)
        results["FLA chunk_kda T=64 H=1"] = per_call_us(lambda: fla_chunk(c[0], c[1], c[2], c[3], cb, **kw),
                                                        calls // 4, sync=sync)
        os.environ.pop("FLASHKDA_FLA")
    return results


def cpu_cases(calls):
    rng = np.random.default_rng(0)
    H, K = 4, 32
    arr = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    q, k, v, g = arr(1, 1, H, K), arr(1, 1, H, K), arr(1, 1, H, K), arr(1, 1, H, K)
    beta, A_log, dt_bias = arr(1, 1, H), arr(H), arr(H * K)
    pool, out = np.zeros((2, H, K, K), np.float32), np.empty_like(v)

    def decode():
        flashkda.decode(q, k, v, g, beta, pool, out=out, A_log=A_log, dt_bias=dt_bias, num_threads=1)
    results = {f"flashkda.decode CPU N=1 H={H} K=V={K} (compute included)": per_call_us(decode, calls)}
    with _PythonPath():
        for part, us in breakdown(decode, None, calls).items():
            results[f"  of which {part}"] = us
    try:
        import torch
    except ImportError:
        return results
    t = {n: torch.from_numpy(x) for n, x in dict(q=q, k=k, v=v, g=g, beta=beta, A_log=A_log, dt_bias=dt_bias,
                                                  pool=pool, out=out).items()}

    def decode_torch():
        flashkda.decode(t["q"], t["k"], t["v"], t["g"], t["beta"], t["pool"], out=t["out"], A_log=t["A_log"],
                        dt_bias=t["dt_bias"], num_threads=1)
    hot = "C hot path" if ops._fast_path() is not None else "pure-Python path, no C hot path built"
    results[f"same on torch CPU tensors, {hot}"] = per_call_us(decode_torch, calls)
    with _PythonPath():
        results["same on torch CPU tensors, pure-Python path"] = per_call_us(decode_torch, calls)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--no-fla", action="store_true", help="skip FLA's eager calls")
    args = ap.parse_args()
    try:
        import torch
        gpu = torch.cuda.is_available() and flashkda.cuda_available()
    except ImportError:
        gpu = False
    results = cuda_cases(args.calls, not args.no_fla) if gpu else cpu_cases(args.calls)
    device = "cpu"
    if gpu:
        import torch
        device = torch.cuda.get_device_name()
    print(f"host time per eager call ({device}, flashkda {flashkda.version()}):")
    for name, us in results.items():
        print(f"  {name:48s} {us:8.1f} us")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": device, "library": flashkda.version(), "us_per_call": results,
                       "date": time.strftime("%Y-%m-%d")}, f, indent=1)


if __name__ == "__main__":
    main()
