"""flashkda as a backend of flash-linear-attention (FLA): fla.ops.kda.chunk_kda (and, on fla-core >= 0.6,
the engine-level fused_recurrent_kda_fwd) run on our CUDA kernels whenever the verifier accepts the call;
anything else falls through to FLA's Triton path.

    from flashkda import KDACudaBackend, set_backend
    set_backend(KDACudaBackend())        # or flashkda.enable(); opt out with FLASHKDA_FLA=0

FLA's dispatch: a backend is a BaseBackend subclass with a priority (lower wins; FlashKDA's is 3, ours 2), an
env_var switch, and per function a `<name>_verifier(...) -> (ok, reason)` and `<name>(...)`. fla-core 0.6 keeps
a registry per dispatched function (fla.backends); 0.5.x keeps one per operation (fla.ops.backends), and its
releases 0.5.0-0.5.2 lose the whole-op dispatch of chunk_kda (FLA issue #1110: @dispatch above
@torch.compiler.disable is unwrapped away). There set_backend re-applies FLA's own dispatch decorator to the
raw function and rebinds the names that hold the broken one (fla.ops.kda.chunk_kda, fla.layers.kda, ...),
without touching FLA's files.

What the verifier accepts is the table CUDA_PREFILL_SUPPORT / CUDA_DECODE_SUPPORT below: edit it as the CUDA
kernels grow. A call that the kernel still refuses at run time (FKDA_ERROR_UNSUPPORTED) runs FLA's own
implementation instead, with one warning.
"""
from __future__ import annotations

import collections
import inspect
import logging
import os
import sys

import torch

from . import _lib, ops

try:  # fla-core >= 0.6
    from fla.backends import BaseBackend
    _FLA_06 = True
except ImportError:  # fla-core 0.5.x
    from fla.ops.backends import BaseBackend
    _FLA_06 = False

logger = logging.getLogger("flashkda")

# ---- what the CUDA kernels accept (edit here) -------------------------------------------------------------
# gate: 'bounded'  = use_gate_in_kernel with lower_bound in [-5, 0) (A_log optional),
#       'softplus' = use_gate_in_kernel without lower_bound, 'precomputed' = use_gate_in_kernel=False.
CUDA_PREFILL_SUPPORT = {
    "dtypes": (torch.bfloat16,),             # q, k, v, g (out has v's dtype)
    "beta_dtypes": (torch.bfloat16, torch.float16, torch.float32),
    "head_dims": ((128, 128),),              # (K, V)
    "gates": ("bounded",),
    "qk_l2norm": (True, False),              # use_qk_l2norm_in_kernel
    "beta_sigmoid": (True, False),           # use_beta_sigmoid_in_kernel
    "allow_neg_eigval": (False, True),
    "state_v_first": (True, False),          # True: [N, HV, V, K]; False: FLA's default [N, HV, K, V]
    "state_dtypes": (torch.float32, torch.bfloat16),
    "param_dtypes": (torch.float32,),        # A_log, dt_bias
    "index_dtypes": (torch.int32, torch.int64),  # cu_seqlens
    "gva": True,                             # HV a multiple of H
    "unit_inner_stride": True,               # q, k, v, g need stride 1 in the last dimension
}
CUDA_DECODE_SUPPORT = {
    "dtypes": (torch.bfloat16, torch.float16, torch.float32),
    "beta_dtypes": (torch.bfloat16, torch.float16, torch.float32),
    "head_dims": ((128, 128),),
    "gates": ("bounded", "softplus", "precomputed"),
    "qk_l2norm": (True, False),
    "beta_sigmoid": (True, False),
    "allow_neg_eigval": (False, True),
    "state_v_first": (True,),                # the pool [slots, HV, V, K]
    "state_dtypes": (torch.float32, torch.bfloat16),
    "param_dtypes": (torch.float32,),
    "index_dtypes": (torch.int32, torch.int64),  # cu_seqlens, ssm_state_indices, num_accepted_tokens
    "gva": True,
    "unit_inner_stride": True,
}

_CHUNK_KWARGS = frozenset(("A_log", "dt_bias", "transpose_state_layout", "chunk_size"))
_RECURRENT_KWARGS = frozenset()
_ENV = "FLASHKDA_FLA"


def _fla_gate(use_gate_in_kernel, lower_bound):
    if not use_gate_in_kernel:
        return "precomputed"
    return "softplus" if lower_bound is None else "bounded"


def _check(p, table, tensors):
    """(ok, reason) of a call with bound arguments p against a support table."""
    if not _lib.cuda_available():
        return False, "flashkda: this build has no CUDA backend or no GPU is visible"
    q, v = p["q"], p["v"]
    if not (isinstance(q, torch.Tensor) and q.is_cuda):
        return False, f"flashkda: q is not a CUDA tensor ({getattr(q, 'device', type(q).__name__)})"
    if torch.is_grad_enabled():
        for name in tensors:
            t = p.get(name)
            if isinstance(t, torch.Tensor) and t.requires_grad:
                return False, f"flashkda: {name} requires grad (forward only; FLA's path does training)"
    for name in ("q", "k", "v", "g", "beta"):
        allowed = table["beta_dtypes" if name == "beta" else "dtypes"]
        if p[name].dtype not in allowed:
            return False, f"flashkda: {name} dtype {p[name].dtype} (CUDA kernel takes {allowed})"
    if q.dim() != 4 or v.dim() != 4:
        return False, "flashkda: q and v must be 4-d [B, T, H, D]"
    K, V, H, HV = q.shape[3], v.shape[3], q.shape[2], v.shape[2]
    if (K, V) not in table["head_dims"]:
        return False, f"flashkda: head dims K={K}, V={V} (CUDA kernel takes {table['head_dims']})"
    if HV != H and not (table["gva"] and HV % H == 0):
        return False, f"flashkda: HV={HV} value heads with H={H} q/k heads"
    if table["unit_inner_stride"]:
        for name in ("q", "k", "v", "g"):
            if p[name].stride(-1) != 1:
                return False, f"flashkda: {name} has stride {p[name].stride(-1)} in its last dimension"
    gate = _fla_gate(p.get("use_gate_in_kernel", False), p.get("lower_bound"))
    if gate not in table["gates"]:
        return False, f"flashkda: the {gate} gate (CUDA kernel takes {table['gates']})"
    if gate == "bounded" and not -5.0 <= p["lower_bound"] < 0.0:
        return False, f"flashkda: lower_bound {p['lower_bound']} outside [-5, 0)"
    for option, key in (("use_qk_l2norm_in_kernel", "qk_l2norm"), ("use_beta_sigmoid_in_kernel", "beta_sigmoid"),
                        ("allow_neg_eigval", "allow_neg_eigval"), ("state_v_first", "state_v_first")):
        if bool(p.get(option, False)) not in table[key]:
            return False, f"flashkda: {option}={bool(p.get(option, False))} is not supported"
    if p.get("allow_neg_eigval") and not p.get("use_beta_sigmoid_in_kernel"):
        return False, "flashkda: allow_neg_eigval needs use_beta_sigmoid_in_kernel"
    if gate != "precomputed":
        for name in ("A_log", "dt_bias"):
            t = p.get(name)
            if t is not None and (t.dtype not in table["param_dtypes"] or not t.is_cuda):
                return False, f"flashkda: {name} must be a CUDA tensor of {table['param_dtypes']} (got {t.dtype}, {t.device})"
        if gate == "softplus" and p.get("A_log") is None:
            return False, "flashkda: A_log is required by the softplus gate"
    for name in ("initial_state",):
        t = p.get(name)
        if t is not None and t.dtype not in table["state_dtypes"]:
            return False, f"flashkda: {name} dtype {t.dtype}"
    for name in ("cu_seqlens", "ssm_state_indices", "num_accepted_tokens"):
        t = p.get(name)
        if t is not None and t.dtype not in table["index_dtypes"]:
            return False, f"flashkda: {name} dtype {t.dtype}"
    if p.get("cu_seqlens") is not None and q.shape[0] != 1:
        return False, "flashkda: cu_seqlens with batch size != 1"
    return True, None


class _Binder:
    """Turns (*args, **kwargs) of a call of an FLA function into one dict of its parameters (fast path
    when only q, k, v, g, beta are positional, which is how FLA's own callers pass them)."""

    def __init__(self, fn):
        self.sig = inspect.signature(fn)
        self.names = [n for n, prm in self.sig.parameters.items()
                      if prm.kind in (prm.POSITIONAL_ONLY, prm.POSITIONAL_OR_KEYWORD)]

    def __call__(self, args, kwargs):
        if len(args) <= 5:
            p = dict(zip(self.names, args))
            p.update(kwargs)
            return p
        bound = self.sig.bind(*args, **kwargs)
        p = dict(bound.arguments)
        p.update(p.pop("kwargs", {}))
        return p


class KDACudaBackend(BaseBackend):
    """FLA backend running chunk_kda (and fused_recurrent_kda_fwd) on flashkda's CUDA kernels.

    calls counts the calls that reached our kernels, per function name (for tests and logs)."""

    backend_type = "flashkda"
    package_name = None
    env_var = _ENV
    default_enable = True
    priority = 2  # FlashKDA's backend has 3; lower wins

    def __init__(self, **kwargs):
        if _FLA_06:
            super().__init__(**kwargs)
        self.calls = collections.Counter()
        self._warned = set()
        self._chunk_default = None  # FLA's own implementations, set by set_backend
        self._recurrent_default = None
        self._bind_chunk = _Binder(ops.chunk_kda)
        self._bind_recurrent = _Binder(ops.fused_recurrent_kda_fwd)

    # -- chunk_kda ------------------------------------------------------------------------------------------
    def chunk_kda_verifier(self, *args, **kwargs):
        p = self._bind_chunk(args, kwargs)
        if p.get("cp_context") is not None:
            return False, "flashkda: cp_context (context parallelism) is not supported"
        if p.get("return_intermediate_states"):
            return False, "flashkda: return_intermediate_states is not supported"
        if p.get("chunk_size", 64) not in (32, 64):
            return False, "flashkda: chunk_size must be 32 or 64"
        if "transpose_state_layout" in p:
            if p.get("state_v_first"):
                return False, "flashkda: both state_v_first and transpose_state_layout given"
            p["state_v_first"] = p["transpose_state_layout"]
        extra = set(p) - set(self._bind_chunk.names) - _CHUNK_KWARGS
        if extra:
            return False, f"flashkda: unknown option {sorted(extra)[0]}"
        return _check(p, CUDA_PREFILL_SUPPORT, ("q", "k", "v", "g", "beta", "A_log", "dt_bias", "initial_state"))

    def chunk_kda(self, *args, **kwargs):
        p = self._bind_chunk(args, kwargs)
        try:
            result = ops.chunk_kda(**p)
        except _lib.UnsupportedError as e:
            return self._fallback("chunk_kda", self._chunk_default, e, args, kwargs)
        self.calls["chunk_kda"] += 1
        return result

    # -- fused_recurrent_kda_fwd (fla-core >= 0.6 dispatches it) ---------------------------------------------
    def fused_recurrent_kda_fwd_verifier(self, *args, **kwargs):
        p = self._bind_recurrent(args, kwargs)
        extra = set(p) - set(self._bind_recurrent.names) - _RECURRENT_KWARGS
        if extra:
            return False, f"flashkda: unknown option {sorted(extra)[0]}"
        if p["beta"].dim() == p["v"].dim():
            return False, "flashkda: per-channel beta [.., HV, V] is not supported"
        if not p.get("inplace_final_state", True) and p.get("ssm_state_indices") is not None:
            return False, "flashkda: ssm_state_indices without inplace_final_state"
        if p.get("inplace_final_state", True) and p.get("initial_state") is None:
            return False, "flashkda: inplace_final_state without initial_state"
        return _check(p, CUDA_DECODE_SUPPORT, ("q", "k", "v", "g", "beta", "A_log", "dt_bias"))

    def fused_recurrent_kda_fwd(self, *args, **kwargs):
        p = self._bind_recurrent(args, kwargs)
        try:
            result = ops.fused_recurrent_kda_fwd(**p)
        except _lib.UnsupportedError as e:
            return self._fallback("fused_recurrent_kda_fwd", self._recurrent_default, e, args, kwargs)
        self.calls["fused_recurrent_kda_fwd"] += 1
        return result

    def _fallback(self, name, default, error, args, kwargs):
        if default is None:
            raise error
        if name not in self._warned:
            self._warned.add(name)
            logger.warning("flashkda: %s fell back to FLA (%s); narrow CUDA_*_SUPPORT in flashkda/fla_backend.py",
                           name, error.detail)
        self.calls[name + ":fallback"] += 1
        return default(*args, **kwargs)


# ---- registration -------------------------------------------------------------------------------------------
_active = None


def _innermost(fn):
    """The function a torch.compiler.disable wrapper really calls (it follows _torchdynamo_orig_callable)."""
    seen = 0
    while hasattr(fn, "_torchdynamo_orig_callable") and seen < 16:
        fn = fn._torchdynamo_orig_callable
        seen += 1
    return fn


def _rebind(old, new):
    """Points every module attribute that holds old (fla.ops.kda, fla.layers.kda, user modules) at new."""
    count = 0
    for mod in list(sys.modules.values()):
        d = getattr(mod, "__dict__", None)
        if not isinstance(d, dict):
            continue
        for attr, val in list(d.items()):
            if val is old:
                d[attr] = new
                count += 1
    return count


def _register_06(backend):
    import fla.backends as fb
    import fla.ops.kda.chunk as chunk_mod
    import fla.ops.kda.fused_recurrent as rec_mod

    raw = inspect.unwrap(chunk_mod.chunk_kda)
    registry = getattr(fb, "_function_registries", {}).get(raw)
    if registry is None:
        logger.warning("flashkda: FLA's dispatch of chunk_kda is off (FLA_DISABLE_BACKEND_DISPATCH?); not registered")
        return False
    registry.register(backend)
    backend._chunk_default = raw
    backend._recurrent_default = inspect.unwrap(rec_mod.fused_recurrent_kda_fwd)
    try:  # operation registry of 'kda' (fused_recurrent_kda_fwd is dispatched through it)
        fb._load_operation_registry("kda").register(backend)
    except Exception as e:  # noqa: BLE001 - an FLA internal; chunk_kda still works without it
        logger.info("flashkda: fused_recurrent_kda_fwd not registered (%s)", e)
    return True


def _register_05(backend):
    from fla.ops import backends as fb
    import fla.ops.kda.chunk as chunk_mod

    fb.BackendRegistry.ensure_initialized("kda")
    registry = fb.BackendRegistry._registries.get("kda")
    if registry is None:
        logger.warning("flashkda: FLA's kda backend registry is missing; not registered")
        return False
    registry.register(backend)
    current = chunk_mod.chunk_kda
    raw = inspect.unwrap(current)
    backend._chunk_default = raw
    if getattr(current, "_flashkda_dispatch", False):
        return True
    if _innermost(current) is raw:
        # FLA #1110: calling chunk_kda runs raw directly and the dispatch wrapper is dead. Re-apply FLA's own
        # dispatch decorator (it adds torch.compiler.disable itself, outside, which is the fixed order).
        fixed = fb.dispatch("kda")(raw)
        fixed._flashkda_dispatch = True
        n = _rebind(current, fixed)
        logger.info("flashkda: restored FLA's chunk_kda dispatch (FLA issue #1110), %d references rebound", n)
    return True


def set_backend(backend: KDACudaBackend | None = None) -> bool:
    """Registers backend (a KDACudaBackend, by default a new one) with FLA for chunk_kda (and
    fused_recurrent_kda_fwd on fla-core >= 0.6). Returns whether it was registered."""
    global _active
    if backend is None:
        backend = KDACudaBackend()
    ok = _register_06(backend) if _FLA_06 else _register_05(backend)
    if ok:
        _active = backend
    return ok


def enable() -> KDACudaBackend | None:
    """Registers a KDACudaBackend with FLA unless FLASHKDA_FLA=0; returns it (None when opted out)."""
    if os.environ.get(_ENV, "1") == "0":
        return None
    backend = KDACudaBackend()
    return backend if set_backend(backend) else None


def active_backend() -> KDACudaBackend | None:
    return _active
