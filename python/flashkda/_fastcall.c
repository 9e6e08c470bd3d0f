/* flashkda._fastcall: the per-call hot path of the Python binding in C (optional; flashkda/ops.py falls back
 * to its pure-Python path when this module is missing).
 *
 * A Python call spends most of its host time reading five attributes of each torch tensor (dtype, is_cuda,
 * shape, stride(), data_ptr()) and writing its descriptor; in Python that is about 1 us per tensor and ten
 * tensors per decode call. Here the same reads cost what torch's getters cost, and the call into the library
 * follows directly. The library is the one flashkda/_lib.py loaded with ctypes: its entry points arrive as
 * addresses through init(), so this module does not link against it and builds against Python alone (no
 * torch headers, any torch version).
 *
 * Scope: torch tensors of a dtype the library takes, on the CPU or CUDA, rank 1..5. Anything else (numpy
 * arrays, other devices, mixed devices, odd ranks) makes pack() answer None, and the Python path handles the
 * call and its error message. The args structs are per thread, so calls from several threads do not meet.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

#include "flashkda.h"

typedef fkda_status (*prefill_fn)(const fkda_prefill_args *, void *, size_t, void *);
typedef fkda_status (*prefill_size_fn)(const fkda_prefill_args *, size_t *);
typedef fkda_status (*decode_fn)(const fkda_decode_args *, void *, size_t, void *);
typedef fkda_status (*decode_size_fn)(const fkda_decode_args *, size_t *);

enum { KIND_PREFILL = 0, KIND_DECODE = 1, NTENSORS = 12 };

static PyObject *dtype_codes; /* dict: torch dtype -> fkda_dtype */
static prefill_fn run_prefill;
static prefill_size_fn size_prefill;
static decode_fn run_decode;
static decode_size_fn size_decode;
static PyObject *s_dtype, *s_is_cuda, *s_is_cpu, *s_shape, *s_stride, *s_data_ptr;

static _Thread_local fkda_prefill_args prefill_args;
static _Thread_local fkda_decode_args decode_args;

/* The descriptors of an entry point in the order flashkda/_lib.py names them (PREFILL_TENSORS, DECODE_TENSORS). */
static void tensor_slots(int kind, fkda_tensor *t[NTENSORS])
{
    if (kind == KIND_PREFILL) {
        fkda_prefill_args *a = &prefill_args;
        fkda_tensor *s[NTENSORS] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias,
                                    &a->initial_state, &a->final_state, &a->cu_seqlens, &a->cu_seqlens_host, &a->out};
        for (int i = 0; i < NTENSORS; i++) t[i] = s[i];
    } else {
        fkda_decode_args *a = &decode_args;
        fkda_tensor *s[NTENSORS] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->state_pool,
                                    &a->ssm_state_indices, &a->num_accepted_tokens, &a->cu_seqlens, &a->out};
        for (int i = 0; i < NTENSORS; i++) t[i] = s[i];
    }
}

/* Fills *t from a torch tensor. Returns 1 = done (*cuda set), 0 = not for this path, -1 = Python error set. */
static int describe(PyObject *x, fkda_tensor *t, int *cuda)
{
    int ok = 0;
    PyObject *dt = NULL, *flag = NULL, *shape = NULL, *stride = NULL, *ptr = NULL;
    if (!(dt = PyObject_GetAttr(x, s_dtype))) goto not_ours;
    PyObject *code = PyDict_GetItemWithError(dtype_codes, dt); /* borrowed */
    if (!code) goto not_ours;
    if (!(flag = PyObject_GetAttr(x, s_is_cuda))) goto not_ours;
    *cuda = flag == Py_True;
    if (!*cuda) {
        Py_DECREF(flag);
        if (!(flag = PyObject_GetAttr(x, s_is_cpu)) || flag != Py_True) goto not_ours;
    }
    if (!(shape = PyObject_GetAttr(x, s_shape)) || !PyTuple_Check(shape)) goto not_ours;
    const Py_ssize_t rank = PyTuple_GET_SIZE(shape);
    if (rank < 1 || rank > FKDA_MAX_RANK) goto not_ours;
    if (!(stride = PyObject_CallMethodNoArgs(x, s_stride)) || !PyTuple_Check(stride) || PyTuple_GET_SIZE(stride) != rank)
        goto not_ours;
    if (!(ptr = PyObject_CallMethodNoArgs(x, s_data_ptr))) goto not_ours;
    fkda_tensor d = {0};
    d.data = PyLong_AsVoidPtr(ptr);
    d.dtype = (fkda_dtype)PyLong_AsLong(code);
    d.rank = (int)rank;
    for (Py_ssize_t i = 0; i < rank; i++) {
        d.shape[i] = PyLong_AsLongLong(PyTuple_GET_ITEM(shape, i));
        d.stride[i] = PyLong_AsLongLong(PyTuple_GET_ITEM(stride, i));
    }
    if (PyErr_Occurred()) goto not_ours;
    *t = d;
    ok = 1;
not_ours:
    if (!ok && PyErr_Occurred()) {
        /* an attribute torch tensors have was missing: not a tensor, let the Python path say so */
        if (PyErr_ExceptionMatches(PyExc_AttributeError) || PyErr_ExceptionMatches(PyExc_TypeError) ||
            PyErr_ExceptionMatches(PyExc_OverflowError))
            PyErr_Clear();
        else
            ok = -1;
    }
    Py_XDECREF(dt);
    Py_XDECREF(flag);
    Py_XDECREF(shape);
    Py_XDECREF(stride);
    Py_XDECREF(ptr);
    return ok;
}

/* pack(kind, tensors, host_only, scale, lower_bound, flags, gate, layout, backend, num_threads)
 * backend: -1 = the natural one (CUDA for CUDA tensors, else the CPU). Returns True/False (the tensors are on
 * CUDA / on the host) or None when the call is not for this path. Sets FKDA_TRUSTED_LOCATIONS when every tensor's
 * device matches the backend. */
static PyObject *pack(PyObject *self, PyObject *args)
{
    (void)self;
    int kind, host_only, gate, layout, backend, threads;
    unsigned flags;
    float scale, lower_bound;
    PyObject *tensors;
    if (!PyArg_ParseTuple(args, "iO!iffIiiii", &kind, &PyTuple_Type, &tensors, &host_only, &scale, &lower_bound, &flags,
                          &gate, &layout, &backend, &threads))
        return NULL;
    if ((kind != KIND_PREFILL && kind != KIND_DECODE) || PyTuple_GET_SIZE(tensors) != NTENSORS) {
        PyErr_SetString(PyExc_ValueError, "pack: bad kind or tensor count");
        return NULL;
    }
    fkda_tensor *slot[NTENSORS];
    tensor_slots(kind, slot);
    int on_cuda = -1;
    for (int i = 0; i < NTENSORS; i++) {
        PyObject *x = PyTuple_GET_ITEM(tensors, i);
        if (x == Py_None) {
            const fkda_tensor absent = {0};
            *slot[i] = absent;
            continue;
        }
        int cuda = 0;
        const int r = describe(x, slot[i], &cuda);
        if (r < 0) return NULL;
        if (r == 0) Py_RETURN_NONE;
        if (i == host_only) {
            if (cuda) Py_RETURN_NONE; /* the Python path raises the message */
        } else if (on_cuda < 0) {
            on_cuda = cuda;
        } else if (cuda != on_cuda) {
            Py_RETURN_NONE;
        }
    }
    const int natural = on_cuda > 0 ? FKDA_BACKEND_CUDA : FKDA_BACKEND_CPU;
    if (backend < 0) backend = natural;
    if (backend == natural || (on_cuda <= 0 && backend == FKDA_BACKEND_REFERENCE)) flags |= FKDA_TRUSTED_LOCATIONS;
    if (kind == KIND_PREFILL) {
        fkda_prefill_args *a = &prefill_args;
        a->scale = scale; a->lower_bound = lower_bound; a->flags = flags; a->gate = (fkda_gate_mode)gate;
        a->state_layout = (fkda_state_layout)layout; a->backend = (fkda_backend)backend; a->num_threads = threads;
    } else {
        fkda_decode_args *a = &decode_args;
        a->scale = scale; a->lower_bound = lower_bound; a->flags = flags; a->gate = (fkda_gate_mode)gate;
        a->state_layout = (fkda_state_layout)layout; a->backend = (fkda_backend)backend; a->num_threads = threads;
    }
    return PyBool_FromLong(on_cuda > 0);
}

/* call(kind, workspace address, workspace bytes, stream address) -> fkda_status, on this thread's packed args.
 * The GIL is released around the library call (a CPU-backend call may run for long). */
static PyObject *call(PyObject *self, PyObject *args)
{
    (void)self;
    int kind;
    unsigned long long ws, bytes, stream;
    if (!PyArg_ParseTuple(args, "iKKK", &kind, &ws, &bytes, &stream)) return NULL;
    fkda_status st;
    const fkda_prefill_args *pa = &prefill_args;
    const fkda_decode_args *da = &decode_args;
    Py_BEGIN_ALLOW_THREADS
    if (kind == KIND_PREFILL)
        st = run_prefill(pa, (void *)(uintptr_t)ws, (size_t)bytes, (void *)(uintptr_t)stream);
    else
        st = run_decode(da, (void *)(uintptr_t)ws, (size_t)bytes, (void *)(uintptr_t)stream);
    Py_END_ALLOW_THREADS
    return PyLong_FromLong((long)st);
}

/* size(kind) -> (fkda_status, workspace bytes) for this thread's packed args */
static PyObject *size(PyObject *self, PyObject *args)
{
    (void)self;
    int kind;
    if (!PyArg_ParseTuple(args, "i", &kind)) return NULL;
    size_t bytes = 0;
    const fkda_status st = kind == KIND_PREFILL ? size_prefill(&prefill_args, &bytes) : size_decode(&decode_args, &bytes);
    return Py_BuildValue("(iK)", (int)st, (unsigned long long)bytes);
}

/* init(dtype_codes, fkda_prefill, fkda_prefill_workspace_size, fkda_decode, fkda_decode_workspace_size) */
static PyObject *init(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *codes;
    unsigned long long f[4];
    if (!PyArg_ParseTuple(args, "O!KKKK", &PyDict_Type, &codes, &f[0], &f[1], &f[2], &f[3])) return NULL;
    Py_INCREF(codes);
    Py_XSETREF(dtype_codes, codes);
    run_prefill = (prefill_fn)(uintptr_t)f[0];
    size_prefill = (prefill_size_fn)(uintptr_t)f[1];
    run_decode = (decode_fn)(uintptr_t)f[2];
    size_decode = (decode_size_fn)(uintptr_t)f[3];
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"init", init, METH_VARARGS, "init(dtype_codes, prefill, prefill_size, decode, decode_size): library entry points"},
    {"pack", pack, METH_VARARGS, "pack(kind, tensors, host_only, scale, lower_bound, flags, gate, layout, backend, "
                                 "num_threads) -> on_cuda, or None when the Python path must take the call"},
    {"call", call, METH_VARARGS, "call(kind, workspace, workspace_bytes, stream) -> fkda_status"},
    {"size", size, METH_VARARGS, "size(kind) -> (fkda_status, workspace bytes)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fastcall", "flashkda's per-call hot path in C", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__fastcall(void)
{
    s_dtype = PyUnicode_InternFromString("dtype");
    s_is_cuda = PyUnicode_InternFromString("is_cuda");
    s_is_cpu = PyUnicode_InternFromString("is_cpu");
    s_shape = PyUnicode_InternFromString("shape");
    s_stride = PyUnicode_InternFromString("stride");
    s_data_ptr = PyUnicode_InternFromString("data_ptr");
    if (!s_dtype || !s_is_cuda || !s_is_cpu || !s_shape || !s_stride || !s_data_ptr) return NULL;
    return PyModule_Create(&module);
}
