"""ctypes binding of the flashkda C API (include/flashkda.h).

The structs below mirror fkda_tensor, fkda_prefill_args and fkda_decode_args field for field (the tests
compile a C program that prints sizeof/offsetof and compare). This is the pure-Python call path (the C hot
path flashkda._fastcall takes torch tensors when it is built): it does not go through ctypes attribute access,
a tensor descriptor is written with one struct.pack_into at the field's offset.

Arrays are accepted from numpy (host memory) and torch (CPU or CUDA); torch is never imported here, a
torch tensor is recognised through sys.modules. The library is libflashkda.so next to this file, or the
file named by the environment variable FLASHKDA_LIBRARY (for development against a build directory).
"""
from __future__ import annotations

import ctypes
import os
import struct
import sys

import numpy as np

# ---- enums of flashkda.h ---------------------------------------------------------------------------
SUCCESS = 0
ERROR_NULL_POINTER = 1
ERROR_BAD_SHAPE = 2
ERROR_BAD_DTYPE = 3
ERROR_BAD_VALUE = 4
ERROR_OVERLAP = 5
ERROR_WORKSPACE = 6
ERROR_UNSUPPORTED = 7
ERROR_NO_BACKEND = 8
ERROR_CUDA = 9
ERROR_INTERNAL = 10

DTYPE_INVALID, BFLOAT16, FLOAT16, FLOAT32, FLOAT64, INT32, INT64 = range(7)
BACKENDS = {"auto": 0, "cpu": 1, "cuda": 2, "reference": 3}
GATES = {"bounded": 0, "softplus": 1, "precomputed": 2}
STATE_LAYOUTS = {"v_first": 0, "k_first": 1}
QK_L2NORM, BETA_SIGMOID, ALLOW_NEG_EIGVAL = 1, 2, 4
TRUSTED_LOCATIONS = 1 << 8  # not math: every tensor's device is known to match the backend (set by ops._run)
MAX_RANK = 5


class Tensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int),
        ("rank", ctypes.c_int),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("stride", ctypes.c_int64 * MAX_RANK),
    ]


_OPTIONS = [
    ("scale", ctypes.c_float),
    ("lower_bound", ctypes.c_float),
    ("flags", ctypes.c_uint),
    ("gate", ctypes.c_int),
    ("state_layout", ctypes.c_int),
    ("backend", ctypes.c_int),
    ("num_threads", ctypes.c_int),
]

PREFILL_TENSORS = ("q", "k", "v", "g", "beta", "A_log", "dt_bias", "initial_state", "final_state",
                   "cu_seqlens", "cu_seqlens_host", "out")
DECODE_TENSORS = ("q", "k", "v", "g", "beta", "A_log", "dt_bias", "state_pool", "ssm_state_indices",
                  "num_accepted_tokens", "cu_seqlens", "out")


class PrefillArgs(ctypes.Structure):
    _fields_ = [(n, Tensor) for n in PREFILL_TENSORS] + _OPTIONS


class DecodeArgs(ctypes.Structure):
    _fields_ = [(n, Tensor) for n in DECODE_TENSORS] + _OPTIONS


# One descriptor: data, dtype, rank, shape[5], stride[5] in native layout (same as the C struct).
_TENSOR_PACK = struct.Struct("@Pii5q5q")
_OPTIONS_PACK = struct.Struct("@ffIiiii")
assert _TENSOR_PACK.size == ctypes.sizeof(Tensor)
PREFILL_OFFSETS = {n: getattr(PrefillArgs, n).offset for n in PREFILL_TENSORS}
DECODE_OFFSETS = {n: getattr(DecodeArgs, n).offset for n in DECODE_TENSORS}
PREFILL_OFFSET_LIST = tuple(PREFILL_OFFSETS[n] for n in PREFILL_TENSORS)
DECODE_OFFSET_LIST = tuple(DECODE_OFFSETS[n] for n in DECODE_TENSORS)
PREFILL_OPTIONS_OFFSET = PrefillArgs.scale.offset
DECODE_OPTIONS_OFFSET = DecodeArgs.scale.offset


def names_of(kind: str):
    """Tensor names of an entry point ('prefill' or 'decode'), in descriptor order."""
    return PREFILL_TENSORS if kind == "prefill" else DECODE_TENSORS


# ---- errors -----------------------------------------------------------------------------------------
class FlashKDAError(RuntimeError):
    """A flashkda call failed. .status is the fkda_status code, .status_name its fixed text and
    .detail the library's message naming the argument (fkda_last_error)."""

    def __init__(self, status: int, status_name: str, detail: str):
        self.status = status
        self.status_name = status_name
        self.detail = detail
        super().__init__(f"{status_name}: {detail}" if detail else status_name)


class InvalidArgumentError(FlashKDAError, ValueError):
    """An argument was rejected (shape, dtype, value, overlap, workspace)."""


class UnsupportedError(InvalidArgumentError):
    """Valid KDA, but the chosen backend does not implement this combination; nothing was written."""


_INVALID = (ERROR_NULL_POINTER, ERROR_BAD_SHAPE, ERROR_BAD_DTYPE, ERROR_BAD_VALUE, ERROR_OVERLAP, ERROR_WORKSPACE)


# ---- loading ------------------------------------------------------------------------------------------
def _library_path() -> str:
    env = os.environ.get("FLASHKDA_LIBRARY")
    if env:
        return env
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "libflashkda.so")


def _load():
    path = _library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"flashkda: the C library was not found at {path}. Install the package with `pip install .` "
            f"from the repository root, or point FLASHKDA_LIBRARY at a built libflashkda.so.")
    lib = ctypes.CDLL(path)
    c_p = ctypes.c_void_p
    sigs = {
        "fkda_version": ([], ctypes.c_char_p),
        "fkda_status_string": ([ctypes.c_int], ctypes.c_char_p),
        "fkda_last_error": ([], ctypes.c_char_p),
        "fkda_dtype_name": ([ctypes.c_int], ctypes.c_char_p),
        "fkda_cuda_available": ([], ctypes.c_int),
        "fkda_backend_name": ([ctypes.c_int], ctypes.c_char_p),
        "fkda_prefill_args_default": ([], PrefillArgs),
        "fkda_decode_args_default": ([], DecodeArgs),
        # The args are passed as plain addresses: the hot path hands in ctypes.addressof().
        "fkda_prefill_workspace_size": ([c_p, c_p], ctypes.c_int),
        "fkda_prefill": ([c_p, c_p, ctypes.c_size_t, c_p], ctypes.c_int),
        "fkda_decode_workspace_size": ([c_p, c_p], ctypes.c_int),
        "fkda_decode": ([c_p, c_p, ctypes.c_size_t, c_p], ctypes.c_int),
    }
    for name, (argtypes, restype) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype
    return lib, path


lib, library_path = _load()


def raise_for(status: int):
    """Raises the Python exception for a failed status, with the library's message."""
    name = lib.fkda_status_string(status).decode()
    detail = lib.fkda_last_error().decode()
    if status == ERROR_UNSUPPORTED:
        raise UnsupportedError(status, name, detail)
    if status in _INVALID:
        raise InvalidArgumentError(status, name, detail)
    raise FlashKDAError(status, name, detail)


def version() -> str:
    return lib.fkda_version().decode()


def cuda_available() -> bool:
    return bool(lib.fkda_cuda_available())


# ---- array description ---------------------------------------------------------------------------------
_NP_DTYPES = {
    np.dtype(np.float16): FLOAT16,
    np.dtype(np.float32): FLOAT32,
    np.dtype(np.float64): FLOAT64,
    np.dtype(np.int32): INT32,
    np.dtype(np.int64): INT64,
}
_torch_dtypes = None  # filled on the first torch tensor


def _torch_dtype_map(torch):
    global _torch_dtypes
    _torch_dtypes = {
        torch.bfloat16: BFLOAT16,
        torch.float16: FLOAT16,
        torch.float32: FLOAT32,
        torch.float64: FLOAT64,
        torch.int32: INT32,
        torch.int64: INT64,
    }
    return _torch_dtypes


def describe(x, name: str):
    """(data address, dtype code, shape, strides in elements, is_cuda) of a numpy array or torch tensor."""
    if isinstance(x, np.ndarray):
        code = _NP_DTYPES.get(x.dtype)
        if code is None:
            raise TypeError(f"{name}: numpy dtype {x.dtype} is not accepted by flashkda")
        if not x.flags.aligned:  # aligned also means every stride is a multiple of the item size
            raise ValueError(f"{name}: unaligned numpy array (strides {x.strides} bytes)")
        item = x.itemsize
        return x.ctypes.data, code, x.shape, tuple([s // item for s in x.strides]), False
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: expected a numpy array or a torch tensor, got {type(x).__name__}")
    table = _torch_dtypes or _torch_dtype_map(torch)
    code = table.get(x.dtype)
    if code is None:
        raise TypeError(f"{name}: torch dtype {x.dtype} is not accepted by flashkda")
    is_cuda = x.is_cuda
    if not is_cuda and x.device.type != "cpu":
        raise ValueError(f"{name}: tensors on {x.device} are not supported (CPU or CUDA only)")
    return x.data_ptr(), code, x.shape, x.stride(), is_cuda


_PADS = [(0,) * (MAX_RANK - r) for r in range(MAX_RANK + 1)]


def pack(buf, offset: int, x, name: str) -> bool:
    """Writes the descriptor of x (numpy array or torch tensor) at offset of the args struct buf. Returns
    whether x lives in CUDA memory."""
    table = _torch_dtypes
    if table is not None and not isinstance(x, np.ndarray):  # the common case: a torch tensor
        code = table.get(getattr(x, "dtype", None))
        if code is not None:
            is_cuda = x.is_cuda
            if is_cuda or x.device.type == "cpu":
                shape = x.shape
                rank = len(shape)
                if 0 < rank <= MAX_RANK:
                    pad = _PADS[rank]
                    _TENSOR_PACK.pack_into(buf, offset, x.data_ptr(), code, rank, *shape, *pad, *x.stride(), *pad)
                    return is_cuda
    ptr, code, shape, strides, is_cuda = describe(x, name)
    rank = len(shape)
    if rank == 0 or rank > MAX_RANK:
        raise ValueError(f"{name}: rank {rank} is outside [1, {MAX_RANK}]")
    pad = _PADS[rank]
    _TENSOR_PACK.pack_into(buf, offset, ptr, code, rank, *shape, *pad, *strides, *pad)
    return is_cuda


def pack_options(buf, offset: int, scale: float, lower_bound: float, flags: int, gate: int, layout: int,
                 backend: int, num_threads: int):
    _OPTIONS_PACK.pack_into(buf, offset, scale, lower_bound, flags, gate, layout, backend, num_threads)
