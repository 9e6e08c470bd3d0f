"""Device suite of the flashkda Python package (pytest, needs a CUDA GPU and a CUDA build of flashkda).

    pip install --no-build-isolation .          # or FLASHKDA_LIBRARY=build/libflashkda.so PYTHONPATH=python
    PYTHONPATH=<fla-core 0.6.0 or 0.5.2>:$PYTHONPATH python3 -m pytest -q tests/gpu/test_python_gpu.py

Checks, on torch CUDA tensors: our chunk_kda / fwd / decode against a float64 recurrence and against FLA's
Triton kernels (err_ratio < 0.005 fixed length, 0.006 varlen); that FLA's chunk_kda really reaches our kernel
through KDACudaBackend under torch.inference_mode() (calls counted, on fla-core 0.5.2 and 0.6.0); FLA's
KimiDeltaAttention layer with random weights agrees with and without our backend; CUDA-graph capture and
replay reproduces eager outputs bit for bit. FLA tests skip when fla is not importable.
"""
import importlib
import os

import pytest

torch = pytest.importorskip("torch")
import flashkda  # noqa: E402

if not torch.cuda.is_available() or not flashkda.cuda_available():
    pytest.skip("needs a CUDA GPU and flashkda built with CUDA", allow_module_level=True)

try:
    import fla  # noqa: F401
    import fla.ops.kda  # noqa: F401
    HAVE_FLA = True
except ImportError:
    HAVE_FLA = False
needs_fla = pytest.mark.skipif(not HAVE_FLA, reason="needs fla-core")

DEV = "cuda"
K = V = 128
FIXED, VARLEN = 0.005, 0.006


def err_ratio(x, ref):
    x, ref = x.double(), ref.double()
    return ((x - ref).pow(2).mean().sqrt() / ref.pow(2).mean().sqrt().clamp_min(1e-30)).item()


def make(B, T, H, HV, seed=0, lower_bound=-5.0):
    g = torch.Generator(device=DEV).manual_seed(seed)
    r = lambda *s, scale=1.0: torch.randn(*s, device=DEV, generator=g) * scale  # noqa: E731
    return dict(
        q=r(B, T, H, K).bfloat16(), k=r(B, T, H, K).bfloat16(), v=r(B, T, HV, V).bfloat16(),
        g=r(B, T, HV, K, scale=2.0).bfloat16(), beta=r(B, T, HV, scale=2.0).bfloat16(),
        A_log=r(HV, scale=0.5).float(), dt_bias=r(HV * K, scale=0.5).float(), lower_bound=lower_bound)


def reference(d, initial_state=None, cu_seqlens=None, gate="bounded"):
    """float64 token-by-token recurrence on the GPU (docs/semantics.md); states V-first [N, HV, V, K]."""
    q, k, v, g, beta = (d[n].double() for n in ("q", "k", "v", "g", "beta"))
    B, T, H, _ = q.shape
    HV = v.shape[2]
    q = q / (q.pow(2).sum(-1, keepdim=True) + 1e-6).sqrt()
    k = k / (k.pow(2).sum(-1, keepdim=True) + 1e-6).sqrt()
    b = torch.sigmoid(beta)
    x = g + d["dt_bias"].double().view(HV, K)
    A = d["A_log"].double().exp().view(HV, 1)
    a = d["lower_bound"] * torch.sigmoid(A * x) if gate == "bounded" else -A * torch.nn.functional.softplus(x)
    flat = lambda t: t.reshape((B * T,) + t.shape[2:])  # noqa: E731
    q, k, v, a, b = map(flat, (q, k, v, a, b))
    bounds = ([(n * T, (n + 1) * T) for n in range(B)] if cu_seqlens is None else
              [(int(cu_seqlens[n]), int(cu_seqlens[n + 1])) for n in range(len(cu_seqlens) - 1)])
    grp = HV // H
    o = torch.zeros(B * T, HV, V, dtype=torch.float64, device=DEV)
    final = []
    for n, (bos, eos) in enumerate(bounds):
        S = (torch.zeros(HV, K, V, dtype=torch.float64, device=DEV) if initial_state is None
             else initial_state[n].double().transpose(-1, -2).clone())
        for t in range(bos, eos):
            qq, kk = q[t].repeat_interleave(grp, 0), k[t].repeat_interleave(grp, 0)
            S = a[t].exp()[:, :, None] * S
            u = b[t][:, None] * (v[t] - torch.einsum("hkv,hk->hv", S, kk))
            S = S + kk[:, :, None] * u[:, None, :]
            o[t] = K ** -0.5 * torch.einsum("hkv,hk->hv", S, qq)
        final.append(S.transpose(-1, -2))
    return o.view(B, T, HV, V), torch.stack(final)


def fla_kwargs(d, **extra):
    kw = dict(A_log=d["A_log"], dt_bias=d["dt_bias"], use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
              use_beta_sigmoid_in_kernel=True, safe_gate=True, lower_bound=d["lower_bound"], state_v_first=True)
    kw.update(extra)
    return kw


CASES = [  # B, T, H, HV, cu_seqlens
    (2, 300, 4, 4, None),
    (1, 1024, 2, 4, None),  # GVA
    (1, 1000, 4, 4, [0, 100, 357, 357, 1000]),  # varlen with an empty sequence
    (1, 77, 2, 2, [0, 1, 17, 77]),
]


# ---- accuracy ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"B{c[0]}T{c[1]}H{c[2]}HV{c[3]}{'var' if c[4] else ''}")
@torch.inference_mode()
def test_chunk_kda_vs_fp64_and_fla(case):
    B, T, H, HV, cu = case
    d = make(B, T, H, HV, seed=T)
    N = B if cu is None else len(cu) - 1
    h0 = torch.randn(N, HV, V, K, device=DEV) * 0.1
    cu_t = None if cu is None else torch.tensor(cu, device=DEV, dtype=torch.int64)
    ro, rt = reference(d, h0, cu)
    o, ht = flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0, output_final_state=True,
                               cu_seqlens=cu_t, **fla_kwargs(d))
    tol = FIXED if cu is None else VARLEN
    eo, et = err_ratio(o, ro), err_ratio(ht, rt)
    line = f"flashkda err_ratio out {eo:.2e} state {et:.2e}"
    if HAVE_FLA:
        from fla.ops.kda import chunk_kda as fla_chunk_kda
        os.environ["FLASHKDA_FLA"] = "0"
        try:
            fo, ft = fla_chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0.clone(),
                                   output_final_state=True, cu_seqlens=cu_t, **fla_kwargs(d))
        finally:
            os.environ.pop("FLASHKDA_FLA")
        line += f" | FLA out {err_ratio(fo, ro):.2e} state {err_ratio(ft, rt):.2e}"
    print(line)
    assert eo < tol and et < tol, line


@torch.inference_mode()
def test_fwd_flashkda_signature():
    d = make(2, 200, 4, 4, seed=5)
    out = torch.empty_like(d["v"])
    h0 = torch.randn(2, 4, V, K, device=DEV) * 0.1
    ht = torch.empty_like(h0)
    flashkda.fwd(d["q"], d["k"], d["v"], d["g"], d["beta"], K ** -0.5, out, d["A_log"], d["dt_bias"].view(4, K),
                 d["lower_bound"], initial_state=h0, final_state=ht)
    ro, rt = reference(d, h0)
    assert err_ratio(out, ro) < FIXED and err_ratio(ht, rt) < FIXED


@torch.inference_mode()
def test_strided_beta_no_copy():
    d = make(1, 256, 4, 4, seed=9)
    wide = torch.randn(1, 256, 4 + 3, device=DEV).bfloat16()
    wide[..., :4] = d["beta"]
    d2 = dict(d, beta=wide[..., :4])
    o1, _ = flashkda.chunk_kda(**{n: d[n] for n in "q k v g beta".split()}, **fla_kwargs(d))
    o2, _ = flashkda.chunk_kda(**{n: d2[n] for n in "q k v g beta".split()}, **fla_kwargs(d))
    assert torch.equal(o1, o2)


@torch.inference_mode()
def test_decode_vs_cpu_backend():
    N, HV, slots = 8, 4, 12
    d = make(N, 1, 2, HV, seed=11)
    pool = torch.randn(slots, HV, V, K, device=DEV) * 0.1
    idx = torch.tensor([3, -1, 0, 7, 11, 2, -1, 5], device=DEV, dtype=torch.int32)
    before = pool.clone()
    out = flashkda.decode(d["q"], d["k"], d["v"], d["g"], d["beta"], pool, ssm_state_indices=idx,
                          A_log=d["A_log"], dt_bias=d["dt_bias"], lower_bound=-5.0)
    cpu = {n: d[n].float().cpu() for n in "q k v g beta A_log dt_bias".split()}
    pool_c = before.cpu()
    out_c = flashkda.decode(cpu["q"], cpu["k"], cpu["v"], cpu["g"], cpu["beta"], pool_c, ssm_state_indices=idx.cpu(),
                            A_log=cpu["A_log"], dt_bias=cpu["dt_bias"], lower_bound=-5.0)
    assert err_ratio(out.float().cpu(), out_c) < FIXED
    touched = [3, 0, 7, 11, 2, 5]
    assert err_ratio(pool[touched].cpu(), pool_c[touched]) < FIXED
    untouched = [s for s in range(slots) if s not in touched]
    assert torch.equal(pool[untouched], before[untouched])
    assert torch.all(out[[1, 6]] == 0)


@needs_fla
@torch.inference_mode()
def test_fused_recurrent_kda_vs_fla():
    d = make(4, 3, 2, 4, seed=13)
    h0 = torch.randn(4, 4, V, K, device=DEV) * 0.1
    kw = fla_kwargs(d)
    kw.pop("safe_gate")
    o, ht = flashkda.fused_recurrent_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0,
                                         output_final_state=True, **kw)
    ro, rt = reference(d, h0)
    from fla.ops.kda import fused_recurrent_kda as fla_rec
    os.environ["FLASHKDA_FLA"] = "0"
    try:
        fo, ft = fla_rec(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0.clone(), output_final_state=True, **kw)
    finally:
        os.environ.pop("FLASHKDA_FLA")
    print(f"decode err_ratio ours {err_ratio(o, ro):.2e}/{err_ratio(ht, rt):.2e} FLA {err_ratio(fo, ro):.2e}/{err_ratio(ft, rt):.2e}")
    assert err_ratio(o, ro) < FIXED and err_ratio(ht, rt) < FIXED


# ---- FLA dispatch ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def backend():
    if not HAVE_FLA:
        pytest.skip("needs fla-core")
    from flashkda import KDACudaBackend, set_backend
    b = KDACudaBackend()
    assert set_backend(b)
    return b


@torch.inference_mode()
def test_dispatch_reaches_our_kernel(backend):
    import fla.ops.kda
    d = make(1, 256, 4, 4, seed=17)
    before = backend.calls["chunk_kda"]
    o, _ = fla.ops.kda.chunk_kda(q=d["q"], k=d["k"], v=d["v"], g=d["g"], beta=d["beta"], **fla_kwargs(d))
    assert backend.calls["chunk_kda"] == before + 1, f"FLA {fla.__version__}: dispatch did not reach flashkda"
    mine, _ = flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], **fla_kwargs(d))
    assert torch.equal(o, mine)
    # a call outside the supported table goes to Triton
    fla.ops.kda.chunk_kda(q=d["q"].float(), k=d["k"].float(), v=d["v"].float(), g=d["g"].float(),
                          beta=d["beta"].float(), **fla_kwargs(d))
    assert backend.calls["chunk_kda"] == before + 1
    # opt-out
    os.environ["FLASHKDA_FLA"] = "0"
    try:
        fla.ops.kda.chunk_kda(q=d["q"], k=d["k"], v=d["v"], g=d["g"], beta=d["beta"], **fla_kwargs(d))
    finally:
        os.environ.pop("FLASHKDA_FLA")
    assert backend.calls["chunk_kda"] == before + 1


def test_verifier_reasons(backend):
    d = make(1, 16, 2, 2)
    ok, why = backend.chunk_kda_verifier(d["q"], d["k"], d["v"], d["g"], d["beta"], **fla_kwargs(d))
    assert ok, why
    trained = dict(d, A_log=d["A_log"].clone().requires_grad_(True))
    with torch.enable_grad():
        ok, why = backend.chunk_kda_verifier(d["q"], d["k"], d["v"], d["g"], d["beta"], **fla_kwargs(trained))
    assert not ok and "A_log requires grad" in why
    ok, why = backend.chunk_kda_verifier(d["q"], d["k"], d["v"], d["g"], d["beta"],
                                         **fla_kwargs(d, use_gate_in_kernel=False))
    assert not ok and "precomputed gate" in why
    ok, why = backend.chunk_kda_verifier(d["q"], d["k"], d["v"], d["g"], d["beta"],
                                         **fla_kwargs(d, return_intermediate_states=True))
    assert not ok and "return_intermediate_states" in why


def _kda_layer(safe_gate):
    KimiDeltaAttention = pytest.importorskip("fla.layers.kda").KimiDeltaAttention
    torch.manual_seed(0)
    layer = KimiDeltaAttention(hidden_size=1024, head_dim=128, num_heads=8, mode="chunk", safe_gate=safe_gate,
                               lower_bound=-5.0 if safe_gate else None).to(DEV, torch.bfloat16).eval()
    layer.A_log.data = layer.A_log.data.float()  # the gate parameters stay fp32, as in Kimi Linear
    layer.dt_bias.data = layer.dt_bias.data.float()
    return layer


def _fp64_op(fn):
    """An FLA-signature KDA op computed by flashkda's fp64 reference backend on the host (inputs are bf16 values,
    exact in fp32), its output rounded to the dtype of v like every other path's: the layer's exact twin up to
    that rounding and the bf16 ops around the op."""
    def op(**kw):
        host = {n: (x.detach().cpu().float() if torch.is_tensor(x) and x.is_floating_point() else
                    x.detach().cpu() if torch.is_tensor(x) else x) for n, x in kw.items()}
        o, st = fn(**host, backend="reference")
        return o.to(DEV, kw["v"].dtype), (None if st is None else st.to(DEV))
    return op


@pytest.mark.parametrize("T", [256, 16], ids=["prefill", "decode"])
def test_kimi_delta_attention_layer(backend, T, monkeypatch):
    """FLA's layer with our backend vs the same layer with an fp64 KDA op (err_ratio < 0.006), FLA's own Triton
    path printed next to it. Comparing ours with FLA directly adds both errors (~4e-3 each)."""
    import fla.layers.kda as fla_layer
    layer = _kda_layer(safe_gate=True)
    x = torch.randn(2, T, 1024, device=DEV).bfloat16()
    with torch.inference_mode():
        os.environ["FLASHKDA_FLA"] = "0"
        try:
            fla_out = layer(x)[0]
        finally:
            os.environ.pop("FLASHKDA_FLA")
        before = sum(backend.calls.values())
        ours = layer(x)[0]
        used = sum(backend.calls.values()) - before
        monkeypatch.setattr(fla_layer, "chunk_kda", _fp64_op(flashkda.chunk_kda))
        monkeypatch.setattr(fla_layer, "fused_recurrent_kda", _fp64_op(flashkda.fused_recurrent_kda))
        exact = layer(x)[0]
    e, ef, eo = err_ratio(ours, exact), err_ratio(fla_out, exact), err_ratio(ours, fla_out)
    print(f"KimiDeltaAttention T={T}: err_ratio vs fp64 op: ours {e:.2e}, FLA {ef:.2e}; ours vs FLA {eo:.2e}; "
          f"flashkda calls {dict(backend.calls)}")
    if T > 64 or importlib.util.find_spec("fla.backends") is not None:  # decode dispatch needs fla-core >= 0.6
        assert used >= 1
    assert e < VARLEN


# ---- CUDA graphs -------------------------------------------------------------------------------------------
@torch.inference_mode()
def test_cuda_graph_capture_and_replay():
    d = make(1, 512, 4, 4, seed=23)
    cu = torch.tensor([0, 100, 512], device=DEV, dtype=torch.int64)
    h0 = torch.randn(2, 4, V, K, device=DEV) * 0.1
    pool = torch.randn(4, 4, V, K, device=DEV) * 0.1
    dd = make(2, 1, 4, 4, seed=29)
    idx = torch.tensor([2, 0], device=DEV, dtype=torch.int32)

    def step():
        o, ht = flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0, output_final_state=True,
                                   cu_seqlens=cu, **fla_kwargs(d))
        od = flashkda.decode(dd["q"], dd["k"], dd["v"], dd["g"], dd["beta"], pool, ssm_state_indices=idx,
                             A_log=dd["A_log"], dt_bias=dd["dt_bias"])
        return o, ht, od

    pool0 = pool.clone()
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        eager = [t.clone() for t in step()]
    torch.cuda.current_stream().wait_stream(s)
    pool_eager = pool.clone()
    pool.copy_(pool0)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        captured = step()
    for _ in range(2):
        pool.copy_(pool0)
        graph.replay()
        torch.cuda.synchronize()
        for a, b in zip(captured, eager):
            assert torch.equal(a, b)
        assert torch.equal(pool, pool_eager)
    # new inputs copied into the captured buffers change the replayed result like an eager call would
    d["v"].mul_(-1)
    pool.copy_(pool0)
    graph.replay()
    o_new, _, _ = step()
    assert torch.equal(captured[0], o_new)


@torch.inference_mode()
def test_phases_with_host_lengths(monkeypatch):
    """cu_seqlens_cpu lets the CUDA planner run in phases (forced here: FKDA_PREFILL_PHASES=3): the same bits as the
    one-phase plan without host lengths, eager and as a CUDA graph replay (the library's own streams join the
    capture)."""
    d = make(1, 700, 2, 4, seed=31)
    lens = [300, 40, 0, 200, 5, 155]
    cu_cpu = torch.tensor([0] + torch.tensor(lens).cumsum(0).tolist(), dtype=torch.int64)
    cu = cu_cpu.to(DEV)
    h0 = torch.randn(len(lens), 4, V, K, device=DEV) * 0.1

    def run(host):
        return flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0,
                                  output_final_state=True, cu_seqlens=cu, cu_seqlens_cpu=cu_cpu if host else None,
                                  **fla_kwargs(d))
    one = [t.clone() for t in run(False)]
    monkeypatch.setenv("FKDA_PREFILL_PHASES", "3")
    monkeypatch.setenv("FKDA_PREFILL_SEGMENTS", "0")
    phased = run(True)
    torch.cuda.synchronize()
    for a, b in zip(phased, one):
        assert torch.equal(a, b)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph, stream=s):
        captured = run(True)
    for _ in range(2):
        for t in captured:
            t.fill_(float("nan"))
        graph.replay()
        torch.cuda.synchronize()
        for a, b in zip(captured, one):
            assert torch.equal(a, b)


# ---- pointer locations ---------------------------------------------------------------------------------------
@torch.inference_mode()
def test_wrong_device_is_refused():
    """Torch CUDA tensors on their natural backend skip the library's pointer queries (FKDA_TRUSTED_LOCATIONS);
    anything else is still checked: host tensors sent to the CUDA backend, or CPU and CUDA tensors mixed."""
    d = make(1, 32, 2, 2, seed=31)
    cpu = {n: (d[n].cpu() if torch.is_tensor(d[n]) else d[n]) for n in d}
    with pytest.raises(flashkda.InvalidArgumentError, match="host memory passed to the CUDA backend"):
        flashkda.chunk_kda(cpu["q"], cpu["k"], cpu["v"], cpu["g"], cpu["beta"], backend="cuda", **fla_kwargs(cpu))
    with pytest.raises(ValueError, match="while q is on CUDA"):
        flashkda.chunk_kda(d["q"], d["k"], cpu["v"], d["g"], d["beta"], **fla_kwargs(d))
