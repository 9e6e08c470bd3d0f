"""flashkda: Kimi Delta Attention (KDA) forward kernels, CPU and CUDA, from Python.

Three ways in:
  * FlashKDA style:  flashkda.fwd(q, k, v, g, beta, scale, out, A_log, dt_bias, lower_bound, ...)
  * FLA style:       o, ht = flashkda.chunk_kda(...), flashkda.fused_recurrent_kda(...), and the engine-style
                     flashkda.decode(q, k, v, g, beta, state_pool, ssm_state_indices, ...)
  * FLA backend:     from flashkda import KDACudaBackend, set_backend; set_backend(KDACudaBackend())
                     (or flashkda.enable()): fla.ops.kda.chunk_kda then runs on our CUDA kernel where it can.

Importing flashkda needs only numpy; torch and FLA are optional (the FLA names load FLA on first use).
"""
from ._lib import FlashKDAError, InvalidArgumentError, UnsupportedError, cuda_available, library_path, version
from .ops import chunk_kda, decode, fused_recurrent_kda, fused_recurrent_kda_fwd, fwd, prefill

__version__ = "0.1.0"

_FLA_NAMES = ("KDACudaBackend", "set_backend", "enable", "active_backend", "CUDA_PREFILL_SUPPORT", "CUDA_DECODE_SUPPORT")

__all__ = ["fwd", "chunk_kda", "fused_recurrent_kda", "fused_recurrent_kda_fwd", "decode", "prefill",
           "FlashKDAError", "InvalidArgumentError", "UnsupportedError", "cuda_available", "version",
           "library_path", *_FLA_NAMES]


def __getattr__(name):
    # The FLA backend subclasses FLA's BaseBackend, so it is defined only when asked for.
    if name in _FLA_NAMES:
        from . import fla_backend
        return getattr(fla_backend, name)
    raise AttributeError(f"module 'flashkda' has no attribute {name!r}")
