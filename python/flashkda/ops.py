"""The KDA forward on numpy arrays and torch tensors: prefill, decode, and the FlashKDA / FLA-compatible
entry points built on them.

KDA, per sequence and value head, state S in R^{K x V} (S_0 = initial state or zeros), t = 1..T:

    S'  = diag(exp(a_t)) S_{t-1},   u_t = beta_t (v_t - S'^T k_t),   S_t = S' + k_t u_t^T,   o_t = scale S_t^T q_t

with the log-decay a_t from the gate input g (bounded: a = lower_bound * sigmoid(exp(A_log) (g + dt_bias));
softplus: a = -exp(A_log) softplus(g + dt_bias); precomputed: a = g). docs/semantics.md is the contract.

Every call fills one C args struct and calls fkda_prefill / fkda_decode once. torch CUDA tensors run on the
CUDA backend on the current stream, with the workspace (if any) from torch's caching allocator, and no host
synchronisation: the calls can be captured in a CUDA graph. Host arrays run on the CPU backend.
"""
from __future__ import annotations

import ctypes
import struct
import sys
import threading

import numpy as np

from . import _lib
from ._lib import BACKENDS, GATES, STATE_LAYOUTS, lib

__all__ = ["prefill", "decode", "fwd", "chunk_kda", "fused_recurrent_kda", "fused_recurrent_kda_fwd"]


# ---- shared plumbing ------------------------------------------------------------------------------------
def _code(table: dict, value, name: str) -> int:
    if isinstance(value, int):
        return value
    try:
        return table[value]
    except KeyError:
        raise ValueError(f"{name}: {value!r} is not one of {sorted(table)}") from None


def _flags(qk_l2norm: bool, beta_sigmoid: bool, allow_neg_eigval: bool) -> int:
    return ((_lib.QK_L2NORM if qk_l2norm else 0) | (_lib.BETA_SIGMOID if beta_sigmoid else 0)
            | (_lib.ALLOW_NEG_EIGVAL if allow_neg_eigval else 0))


def _empty(like, shape, dtype=None):
    """An uninitialised array on like's device (torch: through the caching allocator)."""
    if isinstance(like, np.ndarray):
        return np.empty(shape, dtype if dtype is not None else like.dtype)
    return sys.modules["torch"].empty(shape, dtype=dtype if dtype is not None else like.dtype, device=like.device)


def _zeros(like, shape, dtype=None):
    if isinstance(like, np.ndarray):
        return np.zeros(shape, dtype if dtype is not None else like.dtype)
    return sys.modules["torch"].zeros(shape, dtype=dtype if dtype is not None else like.dtype, device=like.device)


def _f32(like):
    return np.float32 if isinstance(like, np.ndarray) else sys.modules["torch"].float32


def _nbytes(ws) -> int:
    if isinstance(ws, np.ndarray):
        return ws.nbytes
    return ws.numel() * ws.element_size()


def _address(ws) -> int:
    """Data address of a workspace buffer (any dtype; it is raw bytes to the library)."""
    if isinstance(ws, np.ndarray):
        return ws.ctypes.data
    return ws.data_ptr()


# One args struct per thread and entry point, reused: a call rewrites every descriptor (absent ones get a zero
# header), so nothing of the previous call survives, and building a ctypes struct per call costs ~1 us.
_tls = threading.local()
_HEADER_PACK = struct.Struct("@Pii")  # data, dtype, rank: an absent tensor is NULL with rank 0


def _args_struct(kind: str, cls):
    buf = getattr(_tls, kind, None)
    if buf is None:
        buf = cls()
        setattr(_tls, kind, buf)
    return buf


def _run(kind, cls, offsets, tensors, host_only, options_offset, options, size_fn, run_fn, backend, workspace, q):
    """Describes the tensors and options to the library, picks the backend and stream, gets a workspace, calls.

    tensors are in the order of offsets (the descriptor offsets in the args struct); host_only is the index of a
    tensor that must be host memory (cu_seqlens_host) or -1. Torch tensors take the C hot path
    (flashkda._fastcall) when it was built; everything else, and every call the hot path declines, takes the
    Python path below, which also words the errors. Either way, when every tensor's device is known and matches
    the backend, the call carries FKDA_TRUSTED_LOCATIONS: the library then skips asking the CUDA runtime where
    each pointer lives."""
    fast = _fast_path() if not isinstance(q, np.ndarray) else None
    if fast is not None:
        k = _KINDS[kind]
        on_cuda = fast.pack(k, tensors, host_only, options[0], options[1], options[2], options[3], options[4],
                            -1 if backend is None else _code(BACKENDS, backend, "backend"), options[6])
        if on_cuda is not None:
            def invoke(ws_ptr, ws_bytes, stream):
                return fast.call(k, ws_ptr or 0, ws_bytes, stream or 0)

            def query():
                return fast.size(k)
            return _invoke_with_workspace(kind, invoke, query, workspace, on_cuda, q)

    args = _args_struct(kind, cls)
    header_pack = _HEADER_PACK.pack_into
    names = _lib.names_of(kind)
    on_cuda = None
    for i, x in enumerate(tensors):
        if x is None:
            header_pack(args, offsets[i], 0, 0, 0)
            continue
        cuda = _lib.pack(args, offsets[i], x, names[i])
        if i == host_only:
            if cuda:
                raise ValueError("cu_seqlens_host: must be a host (CPU) tensor")
        elif on_cuda is None:
            on_cuda = cuda
        elif cuda != on_cuda:
            raise ValueError(f"{names[i]}: on {'CUDA' if cuda else 'the CPU'} while q is on "
                             f"{'CUDA' if on_cuda else 'the CPU'}")
    natural = 2 if on_cuda else 1  # BACKENDS["cuda"], BACKENDS["cpu"]
    backend_code = natural if backend is None else _code(BACKENDS, backend, "backend")
    if backend_code == natural or (not on_cuda and backend_code == 3):  # 3: the reference, on the host
        options[2] |= _lib.TRUSTED_LOCATIONS
    options[5] = backend_code
    _lib._OPTIONS_PACK.pack_into(args, options_offset, *options)
    addr = ctypes.addressof(args)

    def invoke(ws_ptr, ws_bytes, stream):
        return run_fn(addr, ws_ptr, ws_bytes, stream)

    def query():
        size = _size_out()
        return size_fn(addr, ctypes.addressof(size)), size.value
    _invoke_with_workspace(kind, invoke, query, workspace, on_cuda, q)


def _invoke_with_workspace(kind, invoke, query, workspace, on_cuda, q):
    """invoke(workspace address, bytes, stream) with the caller's workspace, or else with one of the size the
    library asks for (query() -> (status, bytes)). While this thread's calls of this kind need none (every
    decode so far), the call goes first without one: the library checks the size before it computes anything,
    so a miss costs one query and a second call, while a hit saves the query, a full validation, on the hot
    path. Raises for a failed status."""
    if workspace is not None:  # the call checks that it is large enough and 16-byte aligned
        status = _on_stream(invoke, _address(workspace), _nbytes(workspace), on_cuda, q)
    else:
        flag = kind + "_needs_ws"
        status = _lib.ERROR_WORKSPACE if getattr(_tls, flag, False) else _on_stream(invoke, None, 0, on_cuda, q)
        if status == _lib.ERROR_WORKSPACE:
            status, need = query()
            if status:
                _lib.raise_for(status)
            setattr(_tls, flag, need > 0)
            ws = _workspace_for(q, need)
            status = _on_stream(invoke, ws[0], ws[1], on_cuda, q)
    if status:
        _lib.raise_for(status)


def _workspace_for(q, need):
    """(address, bytes, buffer) of a fresh workspace of need bytes on q's device (torch: caching allocator);
    the caller keeps the tuple, and so the buffer, alive over the call."""
    if not need:
        return None, 0, None
    ws = _empty(q, (need,), np.uint8 if isinstance(q, np.ndarray) else sys.modules["torch"].uint8)
    return _address(ws), need, ws


def _on_stream(invoke, ws_ptr, ws_bytes, on_cuda, q):
    """invoke on the current stream of q's device (CUDA) or on the host."""
    if not on_cuda:
        return invoke(ws_ptr, ws_bytes, None)
    torch = sys.modules["torch"]
    index = q.get_device()
    if index != _current_device(torch):
        with torch.cuda.device(index):
            return invoke(ws_ptr, ws_bytes, _current_stream(torch, index))
    return invoke(ws_ptr, ws_bytes, _current_stream(torch, index))


def _size_out():
    size = getattr(_tls, "size", None)
    if size is None:
        size = _tls.size = ctypes.c_size_t(0)
    return size


# ---- the optional C hot path (flashkda/_fastcall.c) ----------------------------------------------------------
try:
    from . import _fastcall as _fast_module
except ImportError:  # not built (a development checkout on PYTHONPATH, or no Python headers at install time)
    _fast_module = None
_fast = None
_KINDS = {"prefill": 0, "decode": 1}


def _fast_path():
    """The initialised C hot path, or None (not built, or torch not imported yet)."""
    global _fast
    if _fast is not None or _fast_module is None:
        return _fast
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    table = _lib._torch_dtypes or _lib._torch_dtype_map(torch)
    addr = lambda f: ctypes.cast(f, ctypes.c_void_p).value  # noqa: E731
    _fast_module.init(dict(table), addr(_lib.lib.fkda_prefill), addr(_lib.lib.fkda_prefill_workspace_size),
                      addr(_lib.lib.fkda_decode), addr(_lib.lib.fkda_decode_workspace_size))
    _fast = _fast_module
    return _fast


def _current_device(torch):
    raw = getattr(torch._C, "_cuda_getDevice", None)
    return raw() if raw is not None else torch.cuda.current_device()


def _current_stream(torch, index):
    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    if raw is not None:
        return raw(index) or None
    return torch.cuda.current_stream(index).cuda_stream or None


def _scale_value(scale) -> float:
    return 0.0 if scale is None else float(scale)  # 0 = FKDA_DEFAULT_SCALE, K^-0.5


# ---- the two C entry points ----------------------------------------------------------------------------
def prefill(q, k, v, g, beta, *, out=None, A_log=None, dt_bias=None, initial_state=None, final_state=None,
            cu_seqlens=None, cu_seqlens_host=None, scale=None, lower_bound=-5.0, gate="bounded",
            state_layout="v_first", qk_l2norm=True, beta_sigmoid=True, allow_neg_eigval=False, backend=None,
            num_threads=0, workspace=None):
    """The chunked KDA forward over whole sequences (fkda_prefill). Returns out [B, T, HV, V].

    q, k [B, T, H, K]; v [B, T, HV, V]; g [B, T, HV, K]; beta [B, T, HV] (strided views are fine);
    A_log [HV] and dt_bias [HV, K] or [HV*K] fp32; states [N, HV, V, K] (state_layout 'v_first') or
    [N, HV, K, V] ('k_first'), fp32 or bf16 (final_state may be initial_state itself: updated in place);
    cu_seqlens [N+1] int32/int64 with B == 1; cu_seqlens_host: the same values in a CPU tensor (optional: checked,
    and the CUDA planner uses the lengths, e.g. to start the longest sequences' chains early).
    gate: 'bounded' | 'softplus' | 'precomputed'.
    backend: None (CUDA for CUDA tensors, else CPU), 'cpu', 'cuda', 'reference' or 'auto'.
    workspace: None (one from torch's caching allocator when the call needs one) or a caller buffer of any dtype,
    at least the size fkda_prefill_workspace_size answers and 16-byte aligned (fresh torch and numpy buffers are).
    """
    if out is None:
        out = _empty(v, tuple(v.shape))
    options = [_scale_value(scale), float(lower_bound), _flags(qk_l2norm, beta_sigmoid, allow_neg_eigval),
               _code(GATES, gate, "gate"), _code(STATE_LAYOUTS, state_layout, "state_layout"), 0, int(num_threads)]
    tensors = (q, k, v, g, beta, A_log, dt_bias, initial_state, final_state, cu_seqlens, cu_seqlens_host, out)
    _run("prefill", _lib.PrefillArgs, _lib.PREFILL_OFFSET_LIST, tensors, 10, _lib.PREFILL_OPTIONS_OFFSET, options,
         lib.fkda_prefill_workspace_size, lib.fkda_prefill, backend, workspace, q)
    return out


def decode(q, k, v, g, beta, state_pool, ssm_state_indices=None, num_accepted_tokens=None, cu_seqlens=None,
           out=None, A_log=None, dt_bias=None, scale=None, lower_bound=-5.0, *, gate="bounded",
           state_layout="v_first", qk_l2norm=True, beta_sigmoid=True, allow_neg_eigval=False, backend=None,
           num_threads=0, workspace=None):
    """A few tokens per sequence against a state pool updated in place (fkda_decode). Returns out.

    q, k [N, T, H, K] (or [1, total, H, K] with cu_seqlens [N+1]); v, out [.., HV, V]; g [.., HV, K];
    beta [.., HV]; state_pool [slots, HV, V, K] (v_first) or [slots, HV, K, V], fp32 or bf16.
    ssm_state_indices: None (sequence n uses slot n), [N] (read and write slot idx[n]) or [N, Tmax]
    (read idx[n, num_accepted_tokens[n] - 1], write the state after token t to idx[n, t]); a negative
    read index skips the sequence (zeros out, nothing written), a negative write index skips that write.
    The defaults are the serving configuration: bounded gate, in-kernel L2 norm and beta sigmoid.
    """
    if out is None:
        out = _empty(v, tuple(v.shape))
    options = [_scale_value(scale), float(lower_bound), _flags(qk_l2norm, beta_sigmoid, allow_neg_eigval),
               _code(GATES, gate, "gate"), _code(STATE_LAYOUTS, state_layout, "state_layout"), 0, int(num_threads)]
    tensors = (q, k, v, g, beta, A_log, dt_bias, state_pool, ssm_state_indices, num_accepted_tokens, cu_seqlens, out)
    _run("decode", _lib.DecodeArgs, _lib.DECODE_OFFSET_LIST, tensors, -1, _lib.DECODE_OPTIONS_OFFSET, options,
         lib.fkda_decode_workspace_size, lib.fkda_decode, backend, workspace, q)
    return out


# ---- FlashKDA --------------------------------------------------------------------------------------------
def fwd(q, k, v, g, beta, scale, out, A_log, dt_bias, lower_bound, initial_state=None, final_state=None,
        cu_seqlens=None):
    """FlashKDA's flash_kda.fwd: bounded gate, q/k L2 norm and beta sigmoid in the kernel, V-first states
    [N, H, V, K], out written in place (returns None). Unlike FlashKDA it also takes GVA, int32
    cu_seqlens, strided inputs and host arrays (CPU backend)."""
    prefill(q, k, v, g, beta, out=out, A_log=A_log, dt_bias=dt_bias, initial_state=initial_state,
            final_state=final_state, cu_seqlens=cu_seqlens, scale=float(scale), lower_bound=lower_bound,
            gate="bounded", state_layout="v_first", qk_l2norm=True, beta_sigmoid=True)


# ---- FLA ---------------------------------------------------------------------------------------------------
_CHUNK_EXTRA = frozenset(("A_log", "dt_bias", "transpose_state_layout", "chunk_size", "out", "workspace", "backend"))


def _fla_gate(use_gate_in_kernel, lower_bound, A_log, dt_bias, safe_gate=False):
    """FLA's gate options -> (gate, lower_bound, A_log, dt_bias) of the C API."""
    if not use_gate_in_kernel:
        return "precomputed", -5.0, None, None  # FLA ignores A_log/dt_bias here
    if lower_bound is None:
        if safe_gate:
            raise ValueError("safe_gate: `lower_bound` must be specified when `safe_gate=True` and `use_gate_in_kernel=True`.")
        return "softplus", -5.0, A_log, dt_bias
    if not -5.0 <= lower_bound < 0.0:
        raise ValueError(f"lower_bound: must be in [-5, 0), got {lower_bound}")
    return "bounded", float(lower_bound), A_log, dt_bias


def _state_v_first(state_v_first, kwargs) -> bool:
    """FLA's state_v_first with its deprecated alias transpose_state_layout (one or the other)."""
    if "transpose_state_layout" in kwargs:
        if state_v_first:
            raise ValueError("transpose_state_layout: cannot pass both `state_v_first` and the deprecated "
                             "`transpose_state_layout`.")
        return bool(kwargs["transpose_state_layout"])
    return state_v_first


def _check_neg_eigval(allow_neg_eigval, use_beta_sigmoid_in_kernel):
    if allow_neg_eigval and not use_beta_sigmoid_in_kernel:
        raise ValueError("allow_neg_eigval: `allow_neg_eigval=True` requires `use_beta_sigmoid_in_kernel=True`.")


def _check_varlen_batch(q, cu_seqlens):
    if cu_seqlens is not None and q.shape[0] != 1:
        raise ValueError(f"cu_seqlens: the batch size is expected to be 1 rather than {q.shape[0]} when using "
                         "`cu_seqlens`.")


def _forward_only(*tensors):
    torch = sys.modules.get("torch")
    if torch is None or not torch.is_grad_enabled():
        return
    for t in tensors:
        if t is not None and getattr(t, "requires_grad", False):
            raise ValueError("autograd: flashkda is forward-only and an input requires grad; "
                             "call it under torch.no_grad() or torch.inference_mode()")


def _num_sequences(q, cu_seqlens) -> int:
    return q.shape[0] if cu_seqlens is None else cu_seqlens.shape[0] - 1


def _state_shape(N, HV, K, V, state_v_first):
    return (N, HV, V, K) if state_v_first else (N, HV, K, V)


def chunk_kda(q, k, v, g, beta, scale=None, initial_state=None, output_final_state=False,
              use_qk_l2norm_in_kernel=False, use_gate_in_kernel=False, use_beta_sigmoid_in_kernel=False,
              allow_neg_eigval=False, safe_gate=False, lower_bound=None, disable_recompute=False,
              return_intermediate_states=False, state_v_first=False, cu_seqlens=None, cu_seqlens_cpu=None,
              cp_context=None, use_graph=False, max_num_seqs=None, **kwargs):
    """FLA's fla.ops.kda.chunk_kda (fla-core 0.6.0 signature), forward only. Returns (o, final_state).

    A_log [HV] and dt_bias [HV*K] or [HV, K] come as keyword arguments (used with use_gate_in_kernel);
    with lower_bound the gate is the bounded one, else -exp(A_log) * softplus(g + dt_bias).
    final_state is fp32 [N, HV, K, V], or [N, HV, V, K] with state_v_first (transpose_state_layout is its
    deprecated alias). Extra keywords: out, workspace (caller buffers), backend.
    Combinations this library does not compute raise ValueError naming the option.
    """
    unknown = set(kwargs) - _CHUNK_EXTRA
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: unknown option for flashkda.chunk_kda")
    state_v_first = _state_v_first(state_v_first, kwargs)
    if cp_context is not None:
        raise ValueError("cp_context: context parallelism is not supported by flashkda")
    if return_intermediate_states:
        raise ValueError("return_intermediate_states: not supported by flashkda")
    _check_neg_eigval(allow_neg_eigval, use_beta_sigmoid_in_kernel)
    chunk_size = kwargs.get("chunk_size", 64)
    if chunk_size not in (32, 64):
        raise ValueError(f"chunk_size: must be either 32 or 64 for KDA, got {chunk_size}.")
    A_log, dt_bias = kwargs.get("A_log"), kwargs.get("dt_bias")
    if use_gate_in_kernel and A_log is None and lower_bound is None:
        raise ValueError("A_log: `A_log` must be provided when `use_gate_in_kernel=True` and `lower_bound` is not set.")
    gate, lb, A_log, dt_bias = _fla_gate(use_gate_in_kernel, lower_bound, A_log, dt_bias, safe_gate)
    _check_varlen_batch(q, cu_seqlens)
    _forward_only(q, k, v, g, beta, A_log, dt_bias, initial_state)

    final_state = None
    if output_final_state:
        N, HV, K, V = _num_sequences(q, cu_seqlens), v.shape[2], q.shape[3], v.shape[3]
        final_state = _empty(q, _state_shape(N, HV, K, V, state_v_first), _f32(q))
    o = prefill(q, k, v, g, beta, out=kwargs.get("out"), A_log=A_log, dt_bias=dt_bias, initial_state=initial_state,
                final_state=final_state, cu_seqlens=cu_seqlens,
                cu_seqlens_host=cu_seqlens_cpu if cu_seqlens is not None and _on_cuda(q) else None,
                scale=scale, lower_bound=lb, gate=gate, state_layout="v_first" if state_v_first else "k_first",
                qk_l2norm=use_qk_l2norm_in_kernel, beta_sigmoid=use_beta_sigmoid_in_kernel,
                allow_neg_eigval=allow_neg_eigval, backend=kwargs.get("backend"), workspace=kwargs.get("workspace"))
    return o, final_state


def _on_cuda(x) -> bool:
    return not isinstance(x, np.ndarray) and x.is_cuda


def _private_pool(like, initial_state, N, HV, K, V, state_v_first):
    """A fp32 state pool [N, ...] holding a copy of initial_state (or zeros): decode updates it in place."""
    shape = _state_shape(N, HV, K, V, state_v_first)
    if initial_state is None:
        return _zeros(like, shape, _f32(like))
    if isinstance(initial_state, np.ndarray):
        return np.array(initial_state, dtype=np.float32, copy=True)
    return initial_state.to(dtype=_f32(like), copy=True)


def fused_recurrent_kda(q, k, v, g, beta, A_log=None, dt_bias=None, scale=None, initial_state=None,
                        output_final_state=False, use_qk_l2norm_in_kernel=False, use_gate_in_kernel=False,
                        use_beta_sigmoid_in_kernel=False, allow_neg_eigval=False, lower_bound=None,
                        state_v_first=False, cu_seqlens=None, **kwargs):
    """FLA's fla.ops.kda.fused_recurrent_kda (fla-core 0.6.0 signature), token by token through the decode
    kernel. Returns (o, final_state) with final_state fp32 (None unless output_final_state)."""
    unknown = set(kwargs) - {"transpose_state_layout", "out", "workspace", "backend"}
    if unknown:
        raise ValueError(f"{sorted(unknown)[0]}: unknown option for flashkda.fused_recurrent_kda")
    state_v_first = _state_v_first(state_v_first, kwargs)
    _check_varlen_batch(q, cu_seqlens)
    _check_neg_eigval(allow_neg_eigval, use_beta_sigmoid_in_kernel)
    gate, lb, A_log, dt_bias = _fla_gate(use_gate_in_kernel, lower_bound, A_log, dt_bias)
    _forward_only(q, k, v, g, beta, A_log, dt_bias, initial_state)
    N, HV, K, V = _num_sequences(q, cu_seqlens), v.shape[2], q.shape[3], v.shape[3]
    pool = _private_pool(q, initial_state, N, HV, K, V, state_v_first)
    o = decode(q, k, v, g, beta, pool, cu_seqlens=cu_seqlens, out=kwargs.get("out"), A_log=A_log, dt_bias=dt_bias,
               scale=scale, lower_bound=lb, gate=gate, state_layout="v_first" if state_v_first else "k_first",
               qk_l2norm=use_qk_l2norm_in_kernel, beta_sigmoid=use_beta_sigmoid_in_kernel,
               allow_neg_eigval=allow_neg_eigval, backend=kwargs.get("backend"), workspace=kwargs.get("workspace"))
    return o, (pool if output_final_state else None)


def fused_recurrent_kda_fwd(q, k, v, g, beta, A_log=None, dt_bias=None, initial_state=None, scale=None,
                            output_final_state=False, inplace_final_state=True, state_v_first=False,
                            cu_seqlens=None, ssm_state_indices=None, num_accepted_tokens=None,
                            use_qk_l2norm_in_kernel=False, use_gate_in_kernel=False,
                            use_beta_sigmoid_in_kernel=False, allow_neg_eigval=False, lower_bound=None, out=None,
                            **kwargs):
    """FLA's engine-level fla.ops.kda.fused_recurrent.fused_recurrent_kda_fwd (fla-core 0.6.0): with
    inplace_final_state (the default) initial_state is the state pool, read through ssm_state_indices /
    num_accepted_tokens and updated in place. Returns (out, final_state)."""
    if beta.ndim == v.ndim:
        raise ValueError("beta: a per-channel beta [.., HV, V] is not supported by flashkda (use [.., HV])")
    _check_neg_eigval(allow_neg_eigval, use_beta_sigmoid_in_kernel)
    gate, lb, A_log, dt_bias = _fla_gate(use_gate_in_kernel, lower_bound, A_log, dt_bias)
    layout = "v_first" if state_v_first else "k_first"
    if out is None:
        out = _zeros(v, tuple(v.shape))
    if inplace_final_state:
        if initial_state is None:
            raise ValueError("initial_state: required with inplace_final_state=True (it is the state pool)")
        pool = initial_state
    else:
        if ssm_state_indices is not None or num_accepted_tokens is not None:
            raise ValueError("ssm_state_indices: needs inplace_final_state=True in flashkda")
        N, HV, K, V = _num_sequences(q, cu_seqlens), v.shape[2], q.shape[3], v.shape[3]
        pool = _private_pool(q, initial_state, N, HV, K, V, state_v_first)
    decode(q, k, v, g, beta, pool, ssm_state_indices=ssm_state_indices, num_accepted_tokens=num_accepted_tokens,
           cu_seqlens=cu_seqlens, out=out, A_log=A_log, dt_bias=dt_bias, scale=scale, lower_bound=lb, gate=gate,
           state_layout=layout, qk_l2norm=use_qk_l2norm_in_kernel, beta_sigmoid=use_beta_sigmoid_in_kernel,
           allow_neg_eigval=allow_neg_eigval, backend=kwargs.get("backend"), workspace=kwargs.get("workspace"))
    if inplace_final_state:
        return out, pool
    return out, (pool if output_final_state else None)
