"""torch CPU tensors through the package, and FLA's dispatch plumbing on the CPU (skipped without torch / fla).

The FLA test registers a KDACudaBackend whose verifier also accepts CPU tensors, so that a call of FLA's own
fla.ops.kda.chunk_kda reaches flashkda (CPU backend) without a GPU: it checks that the registration, and on
fla-core 0.5.0-0.5.2 the dispatch repair, really route FLA's public function to us.
"""
import os

import pytest

torch = pytest.importorskip("torch")
import flashkda  # noqa: E402
from kda_ref import err_ratio, kda_prefill  # noqa: E402

TOL = 2e-5


def make(B=1, T=24, H=2, HV=4, K=32, V=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    return dict(q=r(B, T, H, K), k=r(B, T, H, K), v=r(B, T, HV, V), g=r(B, T, HV, K), beta=r(B, T, HV),
                A_log=r(HV) * 0.5, dt_bias=r(HV * K) * 0.5)


def fla_kw(d, **kw):
    base = dict(A_log=d["A_log"], dt_bias=d["dt_bias"], use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                use_beta_sigmoid_in_kernel=True, safe_gate=True, lower_bound=-5.0, state_v_first=True)
    base.update(kw)
    return base


def ref(d, **kw):
    n = {k: v.numpy() for k, v in d.items()}
    return kda_prefill(n["q"], n["k"], n["v"], n["g"], n["beta"], A_log=n["A_log"], dt_bias=n["dt_bias"], **kw)


def test_chunk_kda_torch_cpu():
    d = make()
    h0 = torch.randn(1, 4, 16, 32) * 0.3
    o, ht = flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0, output_final_state=True,
                               **fla_kw(d))
    assert isinstance(o, torch.Tensor) and ht.dtype == torch.float32
    ro, rt = ref(d, initial_state=h0.numpy())
    assert err_ratio(o.numpy(), ro) < TOL and err_ratio(ht.numpy(), rt) < TOL


def test_bf16_and_strided_torch_inputs():
    d = make(seed=1)
    wide = torch.randn(1, 24, 7)
    beta = wide[..., 1:5]
    assert not beta.is_contiguous()
    b16 = {n: d[n].bfloat16() for n in ("q", "k", "v", "g")}
    o, _ = flashkda.chunk_kda(b16["q"], b16["k"], b16["v"], b16["g"], beta, **fla_kw(d))
    assert o.dtype == torch.bfloat16
    d2 = dict(d, beta=beta.contiguous(), **{n: b16[n].float() for n in b16})
    ro, _ = ref(d2)
    assert err_ratio(o.float().numpy(), ro) < 1e-2  # output rounded to bf16


def test_c_hot_path_matches_python_path(monkeypatch):
    """flashkda._fastcall (built by `pip install .`) and the pure-Python path hand the library the same call:
    results identical bit for bit, decode and prefill, with a state, a workspace miss and the error wording of
    the Python path for what the hot path declines."""
    from flashkda import ops
    if ops._fast_path() is None:
        pytest.skip("the C hot path is not built here (development checkout on PYTHONPATH)")
    d = make(seed=3)
    h0 = torch.randn(1, 4, 16, 32) * 0.3

    def both():
        o, ht = flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0,
                                   output_final_state=True, **fla_kw(d))
        pool = h0.clone()
        od = flashkda.decode(d["q"][:, :3], d["k"][:, :3], d["v"][:, :3], d["g"][:, :3], d["beta"][:, :3], pool,
                             A_log=d["A_log"], dt_bias=d["dt_bias"])
        return o, ht, od, pool
    ops._tls.prefill_needs_ws = False  # force a workspace miss on the first call
    fast = both()
    monkeypatch.setattr(ops, "_fast", None)
    monkeypatch.setattr(ops, "_fast_module", None)
    slow = both()
    for a, b in zip(fast, slow):
        assert torch.equal(a, b)
    monkeypatch.undo()
    with pytest.raises(TypeError, match="beta: expected a numpy array or a torch tensor"):
        flashkda.chunk_kda(d["q"], d["k"], d["v"], d["g"], [1.0], **fla_kw(d))


def test_requires_grad_is_rejected():
    d = make()
    q = d["q"].clone().requires_grad_(True)
    with pytest.raises(ValueError, match="autograd"):
        flashkda.chunk_kda(q, d["k"], d["v"], d["g"], d["beta"], **fla_kw(d))
    with torch.no_grad():
        flashkda.chunk_kda(q, d["k"], d["v"], d["g"], d["beta"], **fla_kw(d))


def test_mixed_devices_are_rejected():
    if not torch.cuda.is_available():
        pytest.skip("needs a GPU")
    d = make()
    with pytest.raises(ValueError, match="k"):
        flashkda.chunk_kda(d["q"].cuda(), d["k"], d["v"], d["g"], d["beta"], **fla_kw(d))


# ---- FLA dispatch, on the CPU -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cpu_backend():
    pytest.importorskip("fla.ops.kda")
    from flashkda import KDACudaBackend, set_backend

    class CPUTestBackend(KDACudaBackend):
        def chunk_kda_verifier(self, *args, **kwargs):
            return True, None

        def fused_recurrent_kda_fwd_verifier(self, *args, **kwargs):
            return True, None

    b = CPUTestBackend()
    assert set_backend(b)
    return b


def test_fla_chunk_kda_dispatches_to_flashkda(cpu_backend):
    import fla
    import fla.ops.kda

    d = make(seed=3)
    before = cpu_backend.calls["chunk_kda"]
    with torch.inference_mode():
        o, ht = fla.ops.kda.chunk_kda(q=d["q"], k=d["k"], v=d["v"], g=d["g"], beta=d["beta"], output_final_state=True,
                                      **fla_kw(d))
    assert cpu_backend.calls["chunk_kda"] == before + 1, f"fla {getattr(fla, '__version__', '?')}: not dispatched"
    ro, rt = ref(d)
    assert err_ratio(o.numpy(), ro) < TOL and err_ratio(ht.numpy(), rt) < TOL
    os.environ["FLASHKDA_FLA"] = "0"  # opt-out: FLA runs its own implementation (which needs a GPU here)
    try:
        with torch.inference_mode():
            try:
                fla.ops.kda.chunk_kda(q=d["q"], k=d["k"], v=d["v"], g=d["g"], beta=d["beta"], **fla_kw(d))
            except Exception:  # noqa: BLE001 - Triton without a GPU
                pass
    finally:
        os.environ.pop("FLASHKDA_FLA")
    assert cpu_backend.calls["chunk_kda"] == before + 1


def test_fla_names_imported_earlier_are_rebound(cpu_backend):
    from fla.ops.kda import chunk_kda  # the name as model code imports it
    d = make(seed=4)
    before = cpu_backend.calls["chunk_kda"]
    with torch.inference_mode():
        chunk_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], **fla_kw(d))  # positional q..beta
    assert cpu_backend.calls["chunk_kda"] == before + 1


def test_fla_fused_recurrent_dispatches_to_flashkda(cpu_backend):
    pytest.importorskip("fla.backends", reason="fla-core >= 0.6 dispatches fused_recurrent_kda_fwd")
    from fla.ops.kda import fused_recurrent_kda

    d = make(B=2, T=3, seed=5)
    h0 = torch.randn(2, 4, 16, 32) * 0.3
    kw = fla_kw(d)
    kw.pop("safe_gate")
    before = cpu_backend.calls["fused_recurrent_kda_fwd"]
    with torch.inference_mode():
        o, ht = fused_recurrent_kda(d["q"], d["k"], d["v"], d["g"], d["beta"], initial_state=h0,
                                    output_final_state=True, **kw)
    assert cpu_backend.calls["fused_recurrent_kda_fwd"] == before + 1
    ro, rt = ref(d, initial_state=h0.numpy())
    assert err_ratio(o.numpy(), ro) < TOL and err_ratio(ht.numpy(), rt) < TOL


def test_real_verifier_rejects_cpu_tensors():
    pytest.importorskip("fla.ops.kda")
    from flashkda import KDACudaBackend
    d = make()
    ok, why = KDACudaBackend().chunk_kda_verifier(d["q"], d["k"], d["v"], d["g"], d["beta"], **fla_kw(d))
    assert not ok and why.startswith("flashkda:")
