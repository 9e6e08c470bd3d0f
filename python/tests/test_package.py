"""The flashkda Python package on the CPU backend (numpy arrays), against the NumPy fp64 recurrence."""
import ctypes
import inspect
import os
import shutil
import subprocess

import numpy as np
import pytest

import flashkda
from flashkda import _lib
from kda_ref import err_ratio, kda_prefill, preprocess, run_sequence, to_kv

TOL = 2e-5  # fp32 CPU backend against fp64


def make(B=2, T=19, H=2, HV=4, K=32, V=16, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((B, T, H, K)).astype(dtype)
    k = rng.standard_normal((B, T, H, K)).astype(dtype)
    v = rng.standard_normal((B, T, HV, V)).astype(dtype)
    g = rng.standard_normal((B, T, HV, K)).astype(dtype)
    beta = rng.standard_normal((B, T, HV)).astype(dtype)
    A_log = rng.uniform(-1.0, 1.0, HV).astype(np.float32)
    dt_bias = (0.5 * rng.standard_normal((HV, K))).astype(np.float32)
    return q, k, v, g, beta, A_log, dt_bias


def state(N, HV, K, V, seed=1):
    return (0.3 * np.random.default_rng(seed).standard_normal((N, HV, V, K))).astype(np.float32)


# ---- the ABI: ctypes structs must match the C header ---------------------------------------------------
HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "include", "flashkda.h")


@pytest.mark.skipif(shutil.which("cc") is None or not os.path.exists(HEADER), reason="needs a C compiler and the header")
def test_struct_layout_matches_header(tmp_path):
    fields = []
    for struct, ctype in (("fkda_prefill_args", _lib.PrefillArgs), ("fkda_decode_args", _lib.DecodeArgs)):
        fields.append((struct, None, ctypes.sizeof(ctype)))
        fields += [(struct, name, getattr(ctype, name).offset) for name, _ in ctype._fields_]
    fields.append(("fkda_tensor", None, ctypes.sizeof(_lib.Tensor)))
    fields += [("fkda_tensor", name, getattr(_lib.Tensor, name).offset) for name, _ in _lib.Tensor._fields_]
    lines = [f'printf("%zu\\n", {"sizeof(" + s + ")" if f is None else "offsetof(" + s + ", " + f + ")"});'
             for s, f, _ in fields]
    src = tmp_path / "layout.c"
    src.write_text('#include <stddef.h>\n#include <stdio.h>\n#include "flashkda.h"\nint main(void) {\n'
                   + "\n".join(lines) + "\nreturn 0;\n}\n")
    exe = tmp_path / "layout"
    subprocess.run(["cc", "-std=c11", "-I", os.path.dirname(HEADER), str(src), "-o", str(exe)], check=True)
    got = [int(x) for x in subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()]
    assert got == [want for _, _, want in fields]


def test_version_and_library():
    assert flashkda.version().startswith("0.1.0")
    assert os.path.exists(flashkda.library_path)
    assert isinstance(flashkda.cuda_available(), bool)


# ---- prefill against the fp64 recurrence --------------------------------------------------------------
@pytest.mark.parametrize("gate", ["bounded", "softplus", "precomputed"])
@pytest.mark.parametrize("layout", ["v_first", "k_first"])
def test_prefill_gates_and_layouts(gate, layout):
    q, k, v, g, beta, A_log, dt_bias = make()
    if gate == "precomputed":
        g = -np.abs(g) * 0.3
        A_log = dt_bias = None
    h0 = state(2, 4, 32, 16)
    if layout == "k_first":
        h0 = np.ascontiguousarray(np.swapaxes(h0, -1, -2))
    ht = np.full_like(h0, np.nan)
    o = flashkda.prefill(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, initial_state=h0, final_state=ht,
                         gate=gate, lower_bound=-3.0, state_layout=layout)
    ro, rt = kda_prefill(q, k, v, g, beta, initial_state=h0, state_v_first=layout == "v_first", gate=gate,
                         lower_bound=-3.0, A_log=A_log, dt_bias=dt_bias)
    assert err_ratio(o, ro) < TOL
    assert err_ratio(ht, rt) < TOL


@pytest.mark.parametrize("flags", [(False, False, False), (True, False, False), (True, True, True), (False, True, False)])
def test_prefill_flags(flags):
    l2, sig, neg = flags
    q, k, v, g, beta, A_log, dt_bias = make(seed=3)
    if not sig:
        beta = 1.0 / (1.0 + np.exp(-beta))
    o = flashkda.prefill(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, qk_l2norm=l2, beta_sigmoid=sig,
                         allow_neg_eigval=neg, scale=0.25)
    ro, _ = kda_prefill(q, k, v, g, beta, scale=0.25, A_log=A_log, dt_bias=dt_bias, qk_l2norm=l2, beta_sigmoid=sig,
                        allow_neg_eigval=neg)
    assert err_ratio(o, ro) < TOL


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_prefill_varlen(index_dtype):
    q, k, v, g, beta, A_log, dt_bias = make(B=1, T=40, seed=5)
    cu = np.array([0, 7, 7, 30, 40], dtype=index_dtype)  # one empty sequence
    h0 = state(4, 4, 32, 16)
    ht = np.zeros_like(h0)
    o = flashkda.prefill(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, initial_state=h0, final_state=ht, cu_seqlens=cu)
    ro, rt = kda_prefill(q, k, v, g, beta, initial_state=h0, cu_seqlens=cu, A_log=A_log, dt_bias=dt_bias)
    assert err_ratio(o, ro) < TOL
    assert err_ratio(ht, rt) < TOL
    assert np.array_equal(ht[1], h0[1])  # the empty sequence passes its state through


def test_prefill_strided_beta_and_in_place_state():
    q, k, v, g, beta, A_log, dt_bias = make(seed=7)
    wide = np.random.default_rng(8).standard_normal((2, 19, 9)).astype(np.float32)
    beta_view = wide[:, :, 2:6]  # a column slice: strides (171, 9, 1), no copy
    assert not beta_view.flags.c_contiguous
    h = state(2, 4, 32, 16)
    ro, rt = kda_prefill(q, k, v, g, beta_view, initial_state=h, A_log=A_log, dt_bias=dt_bias)
    o = flashkda.prefill(q, k, v, g, beta_view, A_log=A_log, dt_bias=dt_bias, initial_state=h, final_state=h)
    assert err_ratio(o, ro) < TOL
    assert err_ratio(h, rt) < TOL


def test_prefill_reference_backend_and_caller_buffers():
    q, k, v, g, beta, A_log, dt_bias = make(seed=9)
    out = np.full(v.shape, np.nan, np.float32)
    ws = np.zeros(1 << 20, np.uint8)
    res = flashkda.prefill(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, out=out, workspace=ws, num_threads=1)
    assert res is out
    ref = flashkda.prefill(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias, backend="reference")
    assert err_ratio(out, ref) < TOL


# ---- errors -------------------------------------------------------------------------------------------------
def test_errors_name_the_argument():
    q, k, v, g, beta, A_log, dt_bias = make()
    with pytest.raises(flashkda.InvalidArgumentError) as e:
        flashkda.prefill(q, k[:, :, :1], v, g, beta)
    assert isinstance(e.value, ValueError)
    assert e.value.status == _lib.ERROR_BAD_SHAPE and "k:" in e.value.detail
    assert "FKDA_ERROR_BAD_SHAPE" in str(e.value)
    with pytest.raises(flashkda.InvalidArgumentError, match="v: dtype"):
        flashkda.prefill(q, k, v.astype(np.float64), g, beta)
    with pytest.raises(flashkda.InvalidArgumentError, match="lower_bound"):
        flashkda.prefill(q, k, v, g, beta, lower_bound=-6.0)
    with pytest.raises(flashkda.InvalidArgumentError, match="HV"):
        q3, k3 = (np.ascontiguousarray(np.concatenate([x] * 3, axis=2)) for x in (q, k))
        flashkda.prefill(q3, k3, v, g, beta)
    with pytest.raises(TypeError, match="beta"):
        flashkda.prefill(q, k, v, g, [1.0])
    with pytest.raises(ValueError, match="backend"):
        flashkda.prefill(q, k, v, g, beta, backend="tpu")
    with pytest.raises(flashkda.InvalidArgumentError, match="out"):
        flashkda.prefill(q, k, v, g, beta, out=v)  # aliases an input


def _workspace_size(inputs, backend):
    args = _lib.PrefillArgs()
    for name, x in zip(("q", "k", "v", "g", "beta"), inputs[:5]):
        _lib.pack(args, _lib.PREFILL_OFFSETS[name], x, name)
    _lib.pack(args, _lib.PREFILL_OFFSETS["out"], np.empty_like(inputs[2]), "out")
    _lib.pack_options(args, _lib.PREFILL_OPTIONS_OFFSET, 0.0, -5.0, 3, 0, 0, _lib.BACKENDS[backend], 0)
    size = ctypes.c_size_t()
    assert _lib.lib.fkda_prefill_workspace_size(ctypes.addressof(args), ctypes.addressof(size)) == 0
    return size.value


@pytest.mark.parametrize("backend", ["cpu", "reference"])
def test_workspace_too_small(backend):
    inputs = make(T=64)
    need = _workspace_size(inputs, backend)
    if need == 0:
        pytest.skip(f"the {backend} backend needs no workspace here")
    with pytest.raises(flashkda.InvalidArgumentError, match="workspace"):
        flashkda.prefill(*inputs[:5], workspace=np.zeros(need - 1, np.uint8), backend=backend)
    with pytest.raises(flashkda.InvalidArgumentError, match="16-byte aligned"):  # a view off the 16-byte grid
        flashkda.prefill(*inputs[:5], workspace=np.zeros(need + 64, np.uint8)[4:], backend=backend)
    flashkda.prefill(*inputs[:5], workspace=np.zeros(need, np.uint8), backend=backend)


def test_workspace_miss_is_retried():
    """Without a caller workspace the binding first calls without one while this thread's calls of the kind
    needed none; a miss (here forced) must cost a size query and a second call, never an error or a wrong
    result, and later calls of the kind then ask for the size first."""
    from flashkda import ops
    inputs = make(T=64)
    want = flashkda.prefill(*inputs[:5], backend="cpu")
    if _workspace_size(inputs, "cpu") == 0:
        pytest.skip("the cpu backend needs no workspace here")
    ops._tls.prefill_needs_ws = False
    got = flashkda.prefill(*inputs[:5], backend="cpu")
    assert np.array_equal(got, want)
    assert ops._tls.prefill_needs_ws is True
    assert np.array_equal(flashkda.prefill(*inputs[:5], backend="cpu"), want)


def test_cuda_backend_on_host_memory_is_rejected():
    q, k, v, g, beta, A_log, dt_bias = make()
    with pytest.raises(flashkda.FlashKDAError):
        flashkda.prefill(q, k, v, g, beta, backend="cuda")


# ---- FlashKDA's fwd ------------------------------------------------------------------------------------------
def test_fwd_flashkda_signature_and_semantics():
    names = list(inspect.signature(flashkda.fwd).parameters)
    assert names == ["q", "k", "v", "g", "beta", "scale", "out", "A_log", "dt_bias", "lower_bound", "initial_state",
                     "final_state", "cu_seqlens"]
    q, k, v, g, beta, A_log, dt_bias = make(HV=2, K=32, V=32, seed=11)
    out = np.zeros_like(v)
    h0 = state(2, 2, 32, 32)
    ht = np.zeros_like(h0)
    assert flashkda.fwd(q, k, v, g, beta, 0.125, out, A_log, dt_bias, -4.0, initial_state=h0, final_state=ht) is None
    ro, rt = kda_prefill(q, k, v, g, beta, scale=0.125, initial_state=h0, lower_bound=-4.0, A_log=A_log, dt_bias=dt_bias)
    assert err_ratio(out, ro) < TOL and err_ratio(ht, rt) < TOL


# ---- FLA's chunk_kda -------------------------------------------------------------------------------------------
FLA_CHUNK_PARAMS = ["q", "k", "v", "g", "beta", "scale", "initial_state", "output_final_state", "use_qk_l2norm_in_kernel",
                    "use_gate_in_kernel", "use_beta_sigmoid_in_kernel", "allow_neg_eigval", "safe_gate", "lower_bound",
                    "disable_recompute", "return_intermediate_states", "state_v_first", "cu_seqlens", "cu_seqlens_cpu",
                    "cp_context", "use_graph", "max_num_seqs", "kwargs"]


def test_chunk_kda_signature_matches_fla():
    assert list(inspect.signature(flashkda.chunk_kda).parameters) == FLA_CHUNK_PARAMS


@pytest.mark.parametrize("state_v_first", [True, False])
def test_chunk_kda_like_fla(state_v_first):
    q, k, v, g, beta, A_log, dt_bias = make(seed=13)
    h0 = state(2, 4, 32, 16)
    if not state_v_first:
        h0 = np.ascontiguousarray(np.swapaxes(h0, -1, -2))
    common = dict(initial_state=h0, output_final_state=True, use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                  use_beta_sigmoid_in_kernel=True, safe_gate=True, lower_bound=-5.0, state_v_first=state_v_first,
                  A_log=A_log)
    o1, ht1 = flashkda.chunk_kda(q, k, v, g, beta, dt_bias=dt_bias.reshape(-1), **common)  # FLA's [HV*K]
    o2, ht2 = flashkda.chunk_kda(q, k, v, g, beta, dt_bias=dt_bias, **common)  # [HV, K]
    assert np.array_equal(o1, o2) and np.array_equal(ht1, ht2)
    assert ht1.dtype == np.float32
    assert ht1.shape == ((2, 4, 16, 32) if state_v_first else (2, 4, 32, 16))
    ro, rt = kda_prefill(q, k, v, g, beta, initial_state=h0, state_v_first=state_v_first, A_log=A_log, dt_bias=dt_bias)
    assert err_ratio(o1, ro) < TOL and err_ratio(ht1, rt) < TOL


def test_chunk_kda_softplus_and_precomputed_gates():
    q, k, v, g, beta, A_log, dt_bias = make(seed=17)
    o, ht = flashkda.chunk_kda(q, k, v, g, beta, use_gate_in_kernel=True, A_log=A_log, dt_bias=dt_bias.reshape(-1),
                               use_qk_l2norm_in_kernel=True)
    assert ht is None
    ro, _ = kda_prefill(q, k, v, g, beta, gate="softplus", A_log=A_log, dt_bias=dt_bias, beta_sigmoid=False)
    assert err_ratio(o, ro) < TOL
    a = -np.abs(g) * 0.2
    b = 1.0 / (1.0 + np.exp(-beta))
    o, _ = flashkda.chunk_kda(q, k, v, a, b, scale=0.3, A_log=A_log)  # A_log ignored without the gate in kernel
    ro, _ = kda_prefill(q, k, v, a, b, scale=0.3, gate="precomputed", qk_l2norm=False, beta_sigmoid=False)
    assert err_ratio(o, ro) < TOL


def test_chunk_kda_transpose_state_layout_alias_and_varlen():
    q, k, v, g, beta, A_log, dt_bias = make(B=1, T=33, seed=19)
    cu = np.array([0, 10, 33], np.int64)
    kw = dict(output_final_state=True, use_gate_in_kernel=True, lower_bound=-2.0, A_log=A_log, dt_bias=dt_bias,
              cu_seqlens=cu, use_beta_sigmoid_in_kernel=True)
    o1, ht1 = flashkda.chunk_kda(q, k, v, g, beta, state_v_first=True, **kw)
    o2, ht2 = flashkda.chunk_kda(q, k, v, g, beta, transpose_state_layout=True, **kw)
    assert np.array_equal(o1, o2) and np.array_equal(ht1, ht2) and ht1.shape == (2, 4, 16, 32)
    ro, rt = kda_prefill(q, k, v, g, beta, cu_seqlens=cu, lower_bound=-2.0, A_log=A_log, dt_bias=dt_bias, qk_l2norm=False)
    assert err_ratio(o1, ro) < TOL and err_ratio(ht1, rt) < TOL
    with pytest.raises(ValueError, match="transpose_state_layout"):
        flashkda.chunk_kda(q, k, v, g, beta, state_v_first=True, transpose_state_layout=True)


@pytest.mark.parametrize("kwargs,option", [
    (dict(cp_context=object()), "cp_context"),
    (dict(return_intermediate_states=True), "return_intermediate_states"),
    (dict(allow_neg_eigval=True), "allow_neg_eigval"),
    (dict(chunk_size=16), "chunk_size"),
    (dict(use_gate_in_kernel=True), "A_log"),
    (dict(use_gate_in_kernel=True, safe_gate=True, A_log=np.zeros(4, np.float32)), "safe_gate"),
    (dict(use_gate_in_kernel=True, lower_bound=-7.0), "lower_bound"),
    (dict(frobnicate=1), "frobnicate"),
])
def test_chunk_kda_rejects_with_the_option_named(kwargs, option):
    q, k, v, g, beta, _, _ = make(T=4)
    with pytest.raises(ValueError, match=option):
        flashkda.chunk_kda(q, k, v, g, beta, **kwargs)


def test_chunk_kda_varlen_needs_batch_one():
    q, k, v, g, beta, _, _ = make(B=2, T=4)
    with pytest.raises(ValueError, match="cu_seqlens"):
        flashkda.chunk_kda(q, k, v, g, beta, cu_seqlens=np.array([0, 4], np.int64))


# ---- decode and FLA's fused_recurrent_kda -----------------------------------------------------------------------
def test_fused_recurrent_kda_matches_chunk_and_keeps_initial_state():
    q, k, v, g, beta, A_log, dt_bias = make(T=5, seed=23)
    h0 = state(2, 4, 32, 16)
    h0_copy = h0.copy()
    kw = dict(A_log=A_log, dt_bias=dt_bias.reshape(-1), initial_state=h0, output_final_state=True,
              use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True, use_beta_sigmoid_in_kernel=True, lower_bound=-5.0,
              state_v_first=True)
    o, ht = flashkda.fused_recurrent_kda(q, k, v, g, beta, **kw)
    assert np.array_equal(h0, h0_copy)
    ro, rt = kda_prefill(q, k, v, g, beta, initial_state=h0, A_log=A_log, dt_bias=dt_bias)
    assert err_ratio(o, ro) < TOL and err_ratio(ht, rt) < TOL
    assert list(inspect.signature(flashkda.fused_recurrent_kda).parameters)[:17] == [
        "q", "k", "v", "g", "beta", "A_log", "dt_bias", "scale", "initial_state", "output_final_state",
        "use_qk_l2norm_in_kernel", "use_gate_in_kernel", "use_beta_sigmoid_in_kernel", "allow_neg_eigval",
        "lower_bound", "state_v_first", "cu_seqlens"]


def test_decode_pool_indices_and_padding():
    N, HV, K, V, slots = 3, 4, 32, 16, 6
    q, k, v, g, beta, A_log, dt_bias = make(B=N, T=1, seed=29)
    pool = (0.3 * np.random.default_rng(30).standard_normal((slots, HV, V, K))).astype(np.float32)
    before = pool.copy()
    idx = np.array([4, -1, 1], np.int32)  # sequence 1 is padding
    out = np.full(v.shape, np.nan, np.float32)
    flashkda.decode(q, k, v, g, beta, pool, ssm_state_indices=idx, out=out, A_log=A_log, dt_bias=dt_bias)
    qq, kk, vv, a, b = preprocess(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias)
    for n, s in enumerate(idx):
        if s < 0:
            assert np.all(out[n] == 0)
            continue
        o, states = run_sequence(qq[n], kk[n], vv[n], a[n], b[n], to_kv(before[s], True).copy(), K ** -0.5)
        assert err_ratio(out[n], o) < TOL
        assert err_ratio(pool[s], np.swapaxes(states[-1], -1, -2)) < TOL
    untouched = [s for s in range(slots) if s not in (4, 1)]
    assert np.array_equal(pool[untouched], before[untouched])  # bit-identical


def test_decode_speculative_writes_every_position():
    N, T, HV, K, V, slots = 2, 3, 4, 32, 16, 10
    q, k, v, g, beta, A_log, dt_bias = make(B=N, T=T, seed=31)
    pool = (0.3 * np.random.default_rng(32).standard_normal((slots, HV, V, K))).astype(np.float32)
    before = pool.copy()
    idx = np.array([[0, 1, 2], [5, 6, -1]], np.int64)
    accepted = np.array([2, 1], np.int64)  # sequence 0 reads slot 1, sequence 1 reads slot 5
    out = flashkda.decode(q, k, v, g, beta, pool, ssm_state_indices=idx, num_accepted_tokens=accepted, A_log=A_log,
                          dt_bias=dt_bias)
    qq, kk, vv, a, b = preprocess(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias)
    for n in range(N):
        s0 = idx[n, accepted[n] - 1]
        o, states = run_sequence(qq[n], kk[n], vv[n], a[n], b[n], to_kv(before[s0], True).copy(), K ** -0.5)
        assert err_ratio(out[n], o) < TOL
        for t in range(T):
            if idx[n, t] >= 0:
                assert err_ratio(pool[idx[n, t]], np.swapaxes(states[t], -1, -2)) < TOL
    assert np.array_equal(pool[[3, 4, 7, 8, 9]], before[[3, 4, 7, 8, 9]])


def test_decode_steps_match_prefill():
    q, k, v, g, beta, A_log, dt_bias = make(B=2, T=16, seed=37)
    ro, rt = kda_prefill(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias)
    pool = np.zeros((2, 4, 16, 32), np.float32)
    outs = [flashkda.decode(q[:, t:t + 1], k[:, t:t + 1], v[:, t:t + 1], g[:, t:t + 1], beta[:, t:t + 1], pool,
                            A_log=A_log, dt_bias=dt_bias) for t in range(16)]
    assert err_ratio(np.concatenate(outs, axis=1), ro) < TOL
    assert err_ratio(pool, rt) < TOL


def test_fused_recurrent_kda_fwd_in_place_pool():
    q, k, v, g, beta, A_log, dt_bias = make(B=2, T=1, seed=41)
    pool = state(4, 4, 32, 16)
    before = pool.copy()
    idx = np.array([3, 0], np.int32)
    o, ht = flashkda.fused_recurrent_kda_fwd(q, k, v, g, beta, A_log=A_log, dt_bias=dt_bias.reshape(-1),
                                             initial_state=pool, state_v_first=True, ssm_state_indices=idx,
                                             use_qk_l2norm_in_kernel=True, use_gate_in_kernel=True,
                                             use_beta_sigmoid_in_kernel=True, lower_bound=-5.0)
    assert ht is pool
    ro, rt = kda_prefill(q, k, v, g, beta, initial_state=before[idx], A_log=A_log, dt_bias=dt_bias)
    assert err_ratio(o, ro) < TOL and err_ratio(pool[idx], rt) < TOL
    assert np.array_equal(pool[[1, 2]], before[[1, 2]])


def test_fla_names_need_fla():
    try:
        import fla  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError):
            flashkda.KDACudaBackend  # noqa: B018
        return
    assert issubclass(flashkda.KDACudaBackend, object)
