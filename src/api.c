/* The API front end: error reporting, tensor descriptors, argument validation and backend choice.
 *
 * Every public entry point validates all of its arguments here, once, before any backend runs, so a
 * backend can trust shapes, dtypes, ranges and (host-visible) index values. A failed check records a
 * message naming the argument (fkda_last_error) and returns a status; nothing is written. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* ---- errors ------------------------------------------------------------------------------------- */
static _Thread_local char g_last_error[512];

fkda_status fkda_fail(fkda_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g_last_error, sizeof g_last_error, fmt, ap);
    va_end(ap);
    return status;
}

void fkda_clear_error(void) { g_last_error[0] = '\0'; }

const char *fkda_last_error(void) { return g_last_error; }

const char *fkda_status_string(fkda_status status)
{
    switch (status) {
    case FKDA_SUCCESS: return "FKDA_SUCCESS: no error";
    case FKDA_ERROR_NULL_POINTER: return "FKDA_ERROR_NULL_POINTER: a required pointer is NULL";
    case FKDA_ERROR_BAD_SHAPE: return "FKDA_ERROR_BAD_SHAPE: rank or shape mismatch";
    case FKDA_ERROR_BAD_DTYPE: return "FKDA_ERROR_BAD_DTYPE: element type not accepted";
    case FKDA_ERROR_BAD_VALUE: return "FKDA_ERROR_BAD_VALUE: value out of range";
    case FKDA_ERROR_OVERLAP: return "FKDA_ERROR_OVERLAP: an output overlaps another tensor";
    case FKDA_ERROR_WORKSPACE: return "FKDA_ERROR_WORKSPACE: workspace missing or too small";
    case FKDA_ERROR_UNSUPPORTED: return "FKDA_ERROR_UNSUPPORTED: not supported by this backend";
    case FKDA_ERROR_NO_BACKEND: return "FKDA_ERROR_NO_BACKEND: backend not available";
    case FKDA_ERROR_CUDA: return "FKDA_ERROR_CUDA: CUDA runtime error";
    case FKDA_ERROR_INTERNAL: return "FKDA_ERROR_INTERNAL: internal error";
    }
    return "FKDA_ERROR_UNKNOWN: unknown status code";
}

/* ---- small public helpers ------------------------------------------------------------------------ */
const char *fkda_version(void)
{
    return fkda_cuda_compiled() ? "0.1.0 (cpu, cuda sm_90a)" : "0.1.0 (cpu)";
}

const char *fkda_dtype_name(fkda_dtype dtype)
{
    switch (dtype) {
    case FKDA_BFLOAT16: return "bf16";
    case FKDA_FLOAT16: return "f16";
    case FKDA_FLOAT32: return "f32";
    case FKDA_FLOAT64: return "f64";
    case FKDA_INT32: return "i32";
    case FKDA_INT64: return "i64";
    case FKDA_DTYPE_INVALID: break;
    }
    return "invalid";
}

size_t fkda_dtype_size(fkda_dtype dtype)
{
    switch (dtype) {
    case FKDA_BFLOAT16: case FKDA_FLOAT16: return 2;
    case FKDA_FLOAT32: case FKDA_INT32: return 4;
    case FKDA_FLOAT64: case FKDA_INT64: return 8;
    case FKDA_DTYPE_INVALID: break;
    }
    return 0;
}

const char *fkda_backend_name(fkda_backend backend)
{
    switch (backend) {
    case FKDA_BACKEND_AUTO: return "auto";
    case FKDA_BACKEND_CPU: return "cpu";
    case FKDA_BACKEND_CUDA: return "cuda";
    case FKDA_BACKEND_REFERENCE: return "reference";
    }
    return "invalid";
}

int fkda_cuda_available(void) { return fkda_cuda_compiled() && fkda_cuda_device_count() > 0; }

fkda_tensor fkda_tensor_strided(void *data, fkda_dtype dtype, int rank, const int64_t *shape, const int64_t *stride)
{
    fkda_tensor t;
    memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.rank = rank;
    if (rank < 0 || rank > FKDA_MAX_RANK || shape == NULL) return t; /* validation reports it */
    int64_t s = 1;
    for (int i = rank - 1; i >= 0; i--) {
        t.shape[i] = shape[i];
        t.stride[i] = stride ? stride[i] : s;
        s *= shape[i];
    }
    return t;
}

fkda_tensor fkda_tensor_contiguous(void *data, fkda_dtype dtype, int rank, const int64_t *shape)
{
    return fkda_tensor_strided(data, dtype, rank, shape, NULL);
}

fkda_prefill_args fkda_prefill_args_default(void)
{
    fkda_prefill_args a;
    memset(&a, 0, sizeof a);
    a.scale = FKDA_DEFAULT_SCALE;
    a.lower_bound = -5.0f;
    a.gate = FKDA_GATE_BOUNDED;
    a.state_layout = FKDA_STATE_V_FIRST;
    a.backend = FKDA_BACKEND_AUTO;
    return a;
}

fkda_decode_args fkda_decode_args_default(void)
{
    fkda_decode_args a;
    memset(&a, 0, sizeof a);
    a.scale = FKDA_DEFAULT_SCALE;
    a.lower_bound = -5.0f;
    a.gate = FKDA_GATE_BOUNDED;
    a.state_layout = FKDA_STATE_V_FIRST;
    a.backend = FKDA_BACKEND_AUTO;
    return a;
}

/* ---- descriptor checks ---------------------------------------------------------------------------- */
#define DT(x) (1u << (x))
static const unsigned FLOAT_IN = DT(FKDA_BFLOAT16) | DT(FKDA_FLOAT16) | DT(FKDA_FLOAT32);
static const unsigned STATE_DT = DT(FKDA_BFLOAT16) | DT(FKDA_FLOAT32);
static const unsigned INDEX_DT = DT(FKDA_INT32) | DT(FKDA_INT64);

static int present(const fkda_tensor *t) { return t->rank != 0 || t->data != NULL; }

static int64_t numel(const fkda_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) n *= t->shape[i];
    return n;
}

static void fmt_shape(char *buf, size_t size, int rank, const int64_t *shape)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (used < size) snprintf(buf + used, size - used, "]");
}

/* Structural sanity of one descriptor: rank, extents, strides, dtype, data pointer. */
static fkda_status check_descriptor(const fkda_tensor *t, const char *name, int required)
{
    if (!present(t)) {
        if (required) return fkda_fail(FKDA_ERROR_NULL_POINTER, "%s: required tensor is missing (rank 0, data NULL)", name);
        return FKDA_SUCCESS;
    }
    if (t->rank < 1 || t->rank > FKDA_MAX_RANK)
        return fkda_fail(FKDA_ERROR_BAD_SHAPE, "%s: rank %d outside [1, %d]", name, t->rank, FKDA_MAX_RANK);
    if (fkda_dtype_size(t->dtype) == 0)
        return fkda_fail(FKDA_ERROR_BAD_DTYPE, "%s: invalid dtype code %d", name, (int)t->dtype);
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) {
        if (t->shape[i] < 0)
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "%s: negative extent %lld in dimension %d", name, (long long)t->shape[i], i);
        if (t->stride[i] < 0)
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "%s: negative stride %lld in dimension %d", name, (long long)t->stride[i], i);
        if (t->shape[i] > ((int64_t)1 << 40) || (n > 0 && t->shape[i] > ((int64_t)1 << 48) / (n ? n : 1)))
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "%s: extents too large", name);
        if (t->stride[i] > ((int64_t)1 << 44) || (t->shape[i] > 1 && t->shape[i] - 1 > ((int64_t)1 << 50) / (t->stride[i] ? t->stride[i] : 1)))
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "%s: stride %lld in dimension %d spans too much memory", name, (long long)t->stride[i], i);
        n *= t->shape[i];
    }
    if (n > 0 && t->data == NULL)
        return fkda_fail(FKDA_ERROR_NULL_POINTER, "%s: data is NULL but the tensor has %lld elements", name, (long long)n);
    return FKDA_SUCCESS;
}

static fkda_status check_dtype(const fkda_tensor *t, const char *name, unsigned allowed, const char *allowed_text)
{
    if (!(allowed & DT(t->dtype)))
        return fkda_fail(FKDA_ERROR_BAD_DTYPE, "%s: dtype %s not accepted (expected %s)", name, fkda_dtype_name(t->dtype), allowed_text);
    return FKDA_SUCCESS;
}

static fkda_status check_shape(const fkda_tensor *t, const char *name, int rank, const int64_t *want, const char *why)
{
    char got[160], exp[160];
    int same = t->rank == rank;
    for (int i = 0; same && i < rank; i++) same = t->shape[i] == want[i];
    if (same) return FKDA_SUCCESS;
    fmt_shape(got, sizeof got, t->rank, t->shape);
    fmt_shape(exp, sizeof exp, rank, want);
    return fkda_fail(FKDA_ERROR_BAD_SHAPE, "%s: shape %s does not match the expected %s (%s)", name, got, exp, why);
}

/* Byte extent [lo, hi) spanned by a tensor; empty tensors span nothing. */
static void extent(const fkda_tensor *t, uintptr_t *lo, uintptr_t *hi)
{
    *lo = *hi = 0;
    if (!present(t) || t->data == NULL || numel(t) == 0) return;
    int64_t last = 0;
    for (int i = 0; i < t->rank; i++) last += (t->shape[i] - 1) * t->stride[i];
    *lo = (uintptr_t)t->data;
    *hi = *lo + (uintptr_t)(last + 1) * fkda_dtype_size(t->dtype);
}

static int overlaps(const fkda_tensor *a, const fkda_tensor *b)
{
    uintptr_t alo, ahi, blo, bhi;
    extent(a, &alo, &ahi);
    extent(b, &blo, &bhi);
    return alo < ahi && blo < bhi && alo < bhi && blo < ahi;
}

static int same_view(const fkda_tensor *a, const fkda_tensor *b)
{
    if (a->data != b->data || a->dtype != b->dtype || a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->shape[i] != b->shape[i] || a->stride[i] != b->stride[i]) return 0;
    return 1;
}

static int64_t read_index(const fkda_tensor *t, int64_t i)
{
    const char *p = (const char *)t->data;
    int64_t off = i * t->stride[0];
    return t->dtype == FKDA_INT32 ? (int64_t)((const int32_t *)p)[off] : ((const int64_t *)p)[off];
}

void fkda_seq_bounds(const fkda_tensor *cu_seqlens, const fkda_dims *d, int64_t n, int64_t *bos, int64_t *eos)
{
    if (d->varlen) {
        *bos = read_index(cu_seqlens, n);
        *eos = read_index(cu_seqlens, n + 1);
    } else {
        *bos = n * d->T;
        *eos = *bos + d->T;
    }
}

/* cu_seqlens values (host memory): starts at 0, never decreases, ends at T. */
static fkda_status check_cu_values(const fkda_tensor *cu, const char *name, int64_t T, int64_t *max_len)
{
    int64_t n1 = cu->shape[0];
    *max_len = 0;
    if (read_index(cu, 0) != 0)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "%s: cu_seqlens[0] = %lld, must be 0", name, (long long)read_index(cu, 0));
    for (int64_t i = 1; i < n1; i++) {
        int64_t a = read_index(cu, i - 1), b = read_index(cu, i);
        if (b < a)
            return fkda_fail(FKDA_ERROR_BAD_VALUE, "%s: not non-decreasing: cu_seqlens[%lld] = %lld < cu_seqlens[%lld] = %lld", name,
                             (long long)i, (long long)b, (long long)(i - 1), (long long)a);
        if (b - a > *max_len) *max_len = b - a;
    }
    if (read_index(cu, n1 - 1) != T)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "%s: last value %lld does not equal the token count T = %lld", name,
                         (long long)read_index(cu, n1 - 1), (long long)T);
    return FKDA_SUCCESS;
}

/* Everything that prefill and decode share: q, k, v, g, beta, A_log, dt_bias, out, cu_seqlens, scalars. */
typedef struct common_view {
    const fkda_tensor *q, *k, *v, *g, *beta, *A_log, *dt_bias, *cu_seqlens, *cu_seqlens_host, *out;
    float scale, lower_bound;
    unsigned flags;
    fkda_gate_mode gate;
    fkda_state_layout layout;
    fkda_backend backend;
    int num_threads;
} common_view;

#define TRY(expr)                                                                                                  \
    do {                                                                                                           \
        fkda_status s_ = (expr);                                                                                   \
        if (s_ != FKDA_SUCCESS) return s_;                                                                         \
    } while (0)

static fkda_status resolve_backend(const common_view *c, fkda_backend *out_backend)
{
    fkda_backend b = c->backend;
    if (b != FKDA_BACKEND_AUTO && b != FKDA_BACKEND_CPU && b != FKDA_BACKEND_CUDA && b != FKDA_BACKEND_REFERENCE)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "backend: invalid value %d", (int)b);
    if (b == FKDA_BACKEND_AUTO)
        b = fkda_cuda_compiled() && fkda_cuda_is_device_pointer(c->q->data) ? FKDA_BACKEND_CUDA : FKDA_BACKEND_CPU;
    if (b == FKDA_BACKEND_CUDA && !fkda_cuda_compiled())
        return fkda_fail(FKDA_ERROR_NO_BACKEND, "backend: CUDA requested but this build of flashkda has no CUDA backend");
    if (b == FKDA_BACKEND_CUDA && fkda_cuda_device_count() == 0)
        return fkda_fail(FKDA_ERROR_NO_BACKEND, "backend: CUDA requested but no CUDA device is visible");
    *out_backend = b;
    return FKDA_SUCCESS;
}

/* Pointers must live where the backend computes: host memory for the CPU backends, device memory for CUDA.
 * Checked only when a CUDA runtime is present (otherwise every pointer is a host pointer). */
static fkda_status check_location(const fkda_tensor *t, const char *name, fkda_backend b, unsigned flags)
{
    if ((flags & FKDA_TRUSTED_LOCATIONS) || !present(t) || t->data == NULL || !fkda_cuda_compiled() ||
        fkda_cuda_device_count() == 0)
        return FKDA_SUCCESS;
    int dev = fkda_cuda_is_device_pointer(t->data);
    if (b == FKDA_BACKEND_CUDA && !dev)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "%s: host memory passed to the CUDA backend (all tensors must be device memory)", name);
    if (b != FKDA_BACKEND_CUDA && dev)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "%s: device memory passed to the %s backend (needs host memory)", name, fkda_backend_name(b));
    return FKDA_SUCCESS;
}

static fkda_status validate_common(const common_view *c, fkda_dims *d, fkda_backend *backend, int64_t *max_len)
{
    memset(d, 0, sizeof *d);
    TRY(check_descriptor(c->q, "q", 1));
    TRY(check_descriptor(c->k, "k", 1));
    TRY(check_descriptor(c->v, "v", 1));
    TRY(check_descriptor(c->g, "g", 1));
    TRY(check_descriptor(c->beta, "beta", 1));
    TRY(check_descriptor(c->out, "out", 1));
    TRY(check_descriptor(c->A_log, "A_log", 0));
    TRY(check_descriptor(c->dt_bias, "dt_bias", 0));
    TRY(check_descriptor(c->cu_seqlens, "cu_seqlens", 0));
    TRY(check_descriptor(c->cu_seqlens_host, "cu_seqlens_host", 0));

    if (c->q->rank != 4) return fkda_fail(FKDA_ERROR_BAD_SHAPE, "q: rank %d, expected 4 ([B, T, H, K])", c->q->rank);
    if (c->v->rank != 4) return fkda_fail(FKDA_ERROR_BAD_SHAPE, "v: rank %d, expected 4 ([B, T, HV, V])", c->v->rank);
    d->B = c->q->shape[0];
    d->T = c->q->shape[1];
    d->H = c->q->shape[2];
    d->K = c->q->shape[3];
    d->HV = c->v->shape[2];
    d->V = c->v->shape[3];
    if (d->H == 0 || d->K == 0) return fkda_fail(FKDA_ERROR_BAD_SHAPE, "q: H and K must be positive (shape has a zero head or key dimension)");
    if (d->HV == 0 || d->V == 0) return fkda_fail(FKDA_ERROR_BAD_SHAPE, "v: HV and V must be positive");
    if (c->v->shape[0] != d->B || c->v->shape[1] != d->T) {
        int64_t want[4] = {d->B, d->T, d->HV, d->V};
        return check_shape(c->v, "v", 4, want, "B and T of q");
    }
    if (d->HV % d->H != 0)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "v: HV = %lld value heads is not a multiple of H = %lld query/key heads (GVA needs HV %% H == 0)",
                         (long long)d->HV, (long long)d->H);
    d->group = d->HV / d->H;

    int64_t qshape[4] = {d->B, d->T, d->H, d->K};
    int64_t gshape[4] = {d->B, d->T, d->HV, d->K};
    int64_t oshape[4] = {d->B, d->T, d->HV, d->V};
    int64_t bshape[3] = {d->B, d->T, d->HV};
    TRY(check_shape(c->k, "k", 4, qshape, "same as q: [B, T, H, K]"));
    TRY(check_shape(c->g, "g", 4, gshape, "[B, T, HV, K]"));
    TRY(check_shape(c->beta, "beta", 3, bshape, "[B, T, HV]"));
    TRY(check_shape(c->out, "out", 4, oshape, "same as v: [B, T, HV, V]"));

    TRY(check_dtype(c->q, "q", FLOAT_IN, "bf16, f16 or f32"));
    if (c->k->dtype != c->q->dtype)
        return fkda_fail(FKDA_ERROR_BAD_DTYPE, "k: dtype %s differs from q's %s", fkda_dtype_name(c->k->dtype), fkda_dtype_name(c->q->dtype));
    if (c->v->dtype != c->q->dtype)
        return fkda_fail(FKDA_ERROR_BAD_DTYPE, "v: dtype %s differs from q's %s", fkda_dtype_name(c->v->dtype), fkda_dtype_name(c->q->dtype));
    TRY(check_dtype(c->g, "g", FLOAT_IN, "bf16, f16 or f32"));
    TRY(check_dtype(c->beta, "beta", FLOAT_IN, "bf16, f16 or f32"));
    if (c->out->dtype != c->v->dtype)
        return fkda_fail(FKDA_ERROR_BAD_DTYPE, "out: dtype %s differs from v's %s", fkda_dtype_name(c->out->dtype), fkda_dtype_name(c->v->dtype));

    /* gate */
    if (c->gate != FKDA_GATE_BOUNDED && c->gate != FKDA_GATE_SOFTPLUS && c->gate != FKDA_GATE_PRECOMPUTED)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "gate: invalid mode %d (expected bounded, softplus or precomputed)", (int)c->gate);
    if (c->gate == FKDA_GATE_BOUNDED && !(c->lower_bound >= -5.0f && c->lower_bound < 0.0f))
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "lower_bound: %g outside [-5, 0) (bounded gate)", (double)c->lower_bound);
    if (c->gate == FKDA_GATE_PRECOMPUTED && (present(c->A_log) || present(c->dt_bias)))
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "%s: given with the precomputed gate, where g already is the log-decay",
                         present(c->A_log) ? "A_log" : "dt_bias");
    if (present(c->A_log)) {
        int64_t want[1] = {d->HV};
        TRY(check_shape(c->A_log, "A_log", 1, want, "[HV]"));
        TRY(check_dtype(c->A_log, "A_log", DT(FKDA_FLOAT32), "f32"));
    }
    if (present(c->dt_bias)) {
        if (c->dt_bias->rank == 1) {
            int64_t want[1] = {d->HV * d->K};
            TRY(check_shape(c->dt_bias, "dt_bias", 1, want, "[HV * K] or [HV, K]"));
        } else {
            int64_t want[2] = {d->HV, d->K};
            TRY(check_shape(c->dt_bias, "dt_bias", 2, want, "[HV, K] or [HV * K]"));
        }
        TRY(check_dtype(c->dt_bias, "dt_bias", DT(FKDA_FLOAT32), "f32"));
    }
    const unsigned known = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID | FKDA_ALLOW_NEG_EIGVAL | FKDA_TRUSTED_LOCATIONS;
    if (c->flags & ~known) return fkda_fail(FKDA_ERROR_BAD_VALUE, "flags: unknown bits 0x%x", c->flags & ~known);
    if (!isfinite(c->scale)) return fkda_fail(FKDA_ERROR_BAD_VALUE, "scale: %g is not finite", (double)c->scale);
    d->scale = c->scale == FKDA_DEFAULT_SCALE ? (float)(1.0 / sqrt((double)d->K)) : c->scale;
    if (c->layout != FKDA_STATE_V_FIRST && c->layout != FKDA_STATE_K_FIRST)
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "state_layout: invalid value %d", (int)c->layout);
    if (c->num_threads < 0) return fkda_fail(FKDA_ERROR_BAD_VALUE, "num_threads: %d is negative (0 = default)", c->num_threads);

    TRY(resolve_backend(c, backend));

    /* sequences */
    d->N = d->B;
    *max_len = d->T;
    if (present(c->cu_seqlens)) {
        d->varlen = 1;
        if (c->cu_seqlens->rank != 1 || c->cu_seqlens->shape[0] < 1)
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "cu_seqlens: must have shape [N + 1] with N >= 0 (got rank %d)", c->cu_seqlens->rank);
        TRY(check_dtype(c->cu_seqlens, "cu_seqlens", INDEX_DT, "i32 or i64"));
        if (d->B != 1)
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "cu_seqlens: given with B = %lld; variable-length batches need B == 1 (q [1, T, H, K])",
                             (long long)d->B);
        d->N = c->cu_seqlens->shape[0] - 1;
        if (*backend != FKDA_BACKEND_CUDA) {
            TRY(check_cu_values(c->cu_seqlens, "cu_seqlens", d->T, max_len));
        } else if (present(c->cu_seqlens_host)) {
            if (c->cu_seqlens_host->rank != 1 || c->cu_seqlens_host->shape[0] != c->cu_seqlens->shape[0])
                return fkda_fail(FKDA_ERROR_BAD_SHAPE, "cu_seqlens_host: must have the shape of cu_seqlens [%lld]",
                                 (long long)c->cu_seqlens->shape[0]);
            TRY(check_dtype(c->cu_seqlens_host, "cu_seqlens_host", INDEX_DT, "i32 or i64"));
            if (!(c->flags & FKDA_TRUSTED_LOCATIONS) && fkda_cuda_is_device_pointer(c->cu_seqlens_host->data))
                return fkda_fail(FKDA_ERROR_BAD_VALUE, "cu_seqlens_host: is device memory; it must be the host copy");
            TRY(check_cu_values(c->cu_seqlens_host, "cu_seqlens_host", d->T, max_len));
        } else {
            *max_len = -1; /* unknown without a synchronisation */
        }
    } else if (present(c->cu_seqlens_host)) {
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "cu_seqlens_host: given without cu_seqlens");
    }

    const fkda_tensor *located[] = {c->q, c->k, c->v, c->g, c->beta, c->A_log, c->dt_bias, c->cu_seqlens, c->out};
    const char *names[] = {"q", "k", "v", "g", "beta", "A_log", "dt_bias", "cu_seqlens", "out"};
    for (size_t i = 0; i < sizeof located / sizeof located[0]; i++)
        TRY(check_location(located[i], names[i], *backend, c->flags));
    return FKDA_SUCCESS;
}

/* An output whose elements share memory (a zero or too small stride) would be written twice. */
static fkda_status check_distinct_elements(const fkda_tensor *t, const char *name)
{
    int order[FKDA_MAX_RANK], n = 0;
    for (int i = 0; i < t->rank; i++)
        if (t->shape[i] > 1) order[n++] = i;
    for (int i = 1; i < n; i++) /* insertion sort by stride */
        for (int j = i; j > 0 && t->stride[order[j]] < t->stride[order[j - 1]]; j--) {
            int x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    int64_t span = 0; /* elements spanned by the dimensions so far, minus one */
    for (int i = 0; i < n; i++) {
        if (t->stride[order[i]] <= span)
            return fkda_fail(FKDA_ERROR_OVERLAP, "%s: stride %lld of dimension %d makes elements share memory (outputs need distinct elements)",
                             name, (long long)t->stride[order[i]], order[i]);
        span += (t->shape[order[i]] - 1) * t->stride[order[i]];
    }
    return FKDA_SUCCESS;
}

/* out (and other outputs) must not share memory with any input or with each other. */
static fkda_status check_no_overlap(const fkda_tensor *outp, const char *oname, const fkda_tensor *const *ins, const char *const *inames,
                                    size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (overlaps(outp, ins[i]))
            return fkda_fail(FKDA_ERROR_OVERLAP, "%s: overlaps the memory of %s (outputs must not alias inputs)", oname, inames[i]);
    return FKDA_SUCCESS;
}

static fkda_status check_state(const fkda_tensor *s, const char *name, int64_t lead, const char *lead_name, const fkda_dims *d,
                               fkda_state_layout layout)
{
    int64_t want[4] = {lead, d->HV, layout == FKDA_STATE_V_FIRST ? d->V : d->K, layout == FKDA_STATE_V_FIRST ? d->K : d->V};
    char why[96];
    snprintf(why, sizeof why, "[%s, HV, %s] in the %s layout", lead_name, layout == FKDA_STATE_V_FIRST ? "V, K" : "K, V",
             layout == FKDA_STATE_V_FIRST ? "V-first" : "K-first");
    TRY(check_shape(s, name, 4, want, why));
    return check_dtype(s, name, STATE_DT, "f32 or bf16");
}

/* ---- prefill -------------------------------------------------------------------------------------- */
static fkda_status validate_prefill(const fkda_prefill_args *a, fkda_dims *d, fkda_backend *backend)
{
    if (a == NULL) return fkda_fail(FKDA_ERROR_NULL_POINTER, "args: NULL");
    common_view c = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens, &a->cu_seqlens_host, &a->out,
                     a->scale, a->lower_bound, a->flags, a->gate, a->state_layout, a->backend, a->num_threads};
    int64_t max_len;
    TRY(validate_common(&c, d, backend, &max_len));
    TRY(check_descriptor(&a->initial_state, "initial_state", 0));
    TRY(check_descriptor(&a->final_state, "final_state", 0));
    if (present(&a->initial_state)) {
        TRY(check_state(&a->initial_state, "initial_state", d->N, "N", d, a->state_layout));
        TRY(check_location(&a->initial_state, "initial_state", *backend, a->flags));
    }
    if (present(&a->final_state)) {
        TRY(check_state(&a->final_state, "final_state", d->N, "N", d, a->state_layout));
        TRY(check_location(&a->final_state, "final_state", *backend, a->flags));
    }

    const fkda_tensor *ins[] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens, &a->initial_state};
    const char *inames[] = {"q", "k", "v", "g", "beta", "A_log", "dt_bias", "cu_seqlens", "initial_state"};
    TRY(check_distinct_elements(&a->out, "out"));
    TRY(check_no_overlap(&a->out, "out", ins, inames, 9));
    if (present(&a->final_state)) {
        TRY(check_distinct_elements(&a->final_state, "final_state"));
        int in_place = present(&a->initial_state) && same_view(&a->final_state, &a->initial_state);
        TRY(check_no_overlap(&a->final_state, "final_state", ins, inames, in_place ? 8 : 9));
        if (overlaps(&a->final_state, &a->out)) return fkda_fail(FKDA_ERROR_OVERLAP, "final_state: overlaps the memory of out");
    }
    return FKDA_SUCCESS;
}

static size_t prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d, fkda_backend b)
{
    switch (b) {
    case FKDA_BACKEND_CPU: return fkda_cpu_prefill_workspace(a, d);
    case FKDA_BACKEND_REFERENCE: return fkda_ref_prefill_workspace(a, d);
    case FKDA_BACKEND_CUDA: return fkda_cuda_prefill_workspace(a, d);
    case FKDA_BACKEND_AUTO: break;
    }
    return 0;
}

fkda_status fkda_prefill_workspace_size(const fkda_prefill_args *args, size_t *bytes)
{
    fkda_clear_error();
    fkda_dims d;
    fkda_backend b;
    if (bytes == NULL) return fkda_fail(FKDA_ERROR_NULL_POINTER, "bytes: NULL");
    *bytes = 0;
    TRY(validate_prefill(args, &d, &b));
    *bytes = prefill_workspace(args, &d, b);
    return FKDA_SUCCESS;
}

fkda_status fkda_check_workspace(const void *ws, size_t have, size_t need)
{
    if (have < need)
        return fkda_fail(FKDA_ERROR_WORKSPACE, "workspace_bytes: %zu bytes given, %zu needed (ask *_workspace_size)", have, need);
    if (need > 0 && ws == NULL) return fkda_fail(FKDA_ERROR_WORKSPACE, "workspace: NULL but %zu bytes are needed", need);
    if (need > 0 && (uintptr_t)ws % 16 != 0) /* the CUDA kernels copy it in 16-byte pieces */
        return fkda_fail(FKDA_ERROR_WORKSPACE, "workspace: %p is not 16-byte aligned (malloc's and cudaMalloc's are)", ws);
    return FKDA_SUCCESS;
}

fkda_status fkda_prefill(const fkda_prefill_args *args, void *workspace, size_t workspace_bytes, void *stream)
{
    fkda_clear_error();
    fkda_dims d;
    fkda_backend b;
    TRY(validate_prefill(args, &d, &b));
    switch (b) { /* each backend checks the workspace against its own size (fkda_check_workspace) */
    case FKDA_BACKEND_CPU: return fkda_cpu_prefill(args, &d, workspace, workspace_bytes);
    case FKDA_BACKEND_REFERENCE: return fkda_ref_prefill(args, &d, workspace, workspace_bytes);
    case FKDA_BACKEND_CUDA: return fkda_cuda_prefill(args, &d, workspace, workspace_bytes, stream);
    case FKDA_BACKEND_AUTO: break;
    }
    return fkda_fail(FKDA_ERROR_INTERNAL, "backend: unresolved");
}

/* ---- decode --------------------------------------------------------------------------------------- */
static fkda_status validate_decode(const fkda_decode_args *a, fkda_dims *d, fkda_backend *backend)
{
    if (a == NULL) return fkda_fail(FKDA_ERROR_NULL_POINTER, "args: NULL");
    common_view c = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens, NULL, &a->out,
                     a->scale, a->lower_bound, a->flags, a->gate, a->state_layout, a->backend, a->num_threads};
    static const fkda_tensor absent;
    c.cu_seqlens_host = &absent;
    int64_t max_len;
    TRY(validate_common(&c, d, backend, &max_len));
    TRY(check_descriptor(&a->state_pool, "state_pool", 1));
    TRY(check_descriptor(&a->ssm_state_indices, "ssm_state_indices", 0));
    TRY(check_descriptor(&a->num_accepted_tokens, "num_accepted_tokens", 0));
    if (a->state_pool.rank != 4)
        return fkda_fail(FKDA_ERROR_BAD_SHAPE, "state_pool: rank %d, expected 4 ([slots, HV, V, K] or [slots, HV, K, V])", a->state_pool.rank);
    d->slots = a->state_pool.shape[0];
    TRY(check_state(&a->state_pool, "state_pool", d->slots, "slots", d, a->state_layout));
    TRY(check_location(&a->state_pool, "state_pool", *backend, a->flags));

    const fkda_tensor *idx = &a->ssm_state_indices;
    int host = *backend != FKDA_BACKEND_CUDA;
    if (present(idx)) {
        TRY(check_dtype(idx, "ssm_state_indices", INDEX_DT, "i32 or i64"));
        TRY(check_location(idx, "ssm_state_indices", *backend, a->flags));
        if (idx->rank == 1) {
            int64_t want[1] = {d->N};
            TRY(check_shape(idx, "ssm_state_indices", 1, want, "[N] or [N, Tmax]"));
            d->idx_cols = 1;
        } else if (idx->rank == 2) {
            if (idx->shape[0] != d->N || idx->shape[1] < max_len || idx->shape[1] < 1) /* max_len -1: unknown */
                return fkda_fail(FKDA_ERROR_BAD_SHAPE,
                                 "ssm_state_indices: shape [%lld, %lld], expected [N = %lld, Tmax >= %lld] (one slot per token)",
                                 (long long)idx->shape[0], (long long)idx->shape[1], (long long)d->N, (long long)(max_len > 1 ? max_len : 1));
            /* with device cu_seqlens and no host copy the CUDA kernel skips writes for tokens t >= Tmax */
            d->idx_cols = idx->shape[1];
        } else {
            return fkda_fail(FKDA_ERROR_BAD_SHAPE, "ssm_state_indices: rank %d, expected 1 ([N]) or 2 ([N, Tmax])", idx->rank);
        }
        if (host) {
            for (int64_t n = 0; n < idx->shape[0]; n++)
                for (int64_t j = 0; j < (idx->rank == 2 ? idx->shape[1] : 1); j++) {
                    const char *p = (const char *)idx->data;
                    int64_t off = n * idx->stride[0] + (idx->rank == 2 ? j * idx->stride[1] : 0);
                    int64_t s = idx->dtype == FKDA_INT32 ? ((const int32_t *)p)[off] : ((const int64_t *)p)[off];
                    if (s >= d->slots)
                        return fkda_fail(FKDA_ERROR_BAD_VALUE, "ssm_state_indices: entry [%lld, %lld] = %lld is not below slots = %lld",
                                         (long long)n, (long long)j, (long long)s, (long long)d->slots);
                }
        }
    } else if (d->slots < d->N) {
        return fkda_fail(FKDA_ERROR_BAD_SHAPE, "state_pool: %lld slots for %lld sequences (without ssm_state_indices sequence n uses slot n)",
                         (long long)d->slots, (long long)d->N);
    }
    const fkda_tensor *acc = &a->num_accepted_tokens;
    if (present(acc)) {
        if (d->idx_cols < 2 && !(present(idx) && idx->rank == 2))
            return fkda_fail(FKDA_ERROR_BAD_VALUE, "num_accepted_tokens: needs ssm_state_indices of shape [N, Tmax]");
        int64_t want[1] = {d->N};
        TRY(check_shape(acc, "num_accepted_tokens", 1, want, "[N]"));
        TRY(check_dtype(acc, "num_accepted_tokens", INDEX_DT, "i32 or i64"));
        TRY(check_location(acc, "num_accepted_tokens", *backend, a->flags));
        if (host)
            for (int64_t n = 0; n < d->N; n++) {
                int64_t v = read_index(acc, n);
                if (v < 1 || v > d->idx_cols)
                    return fkda_fail(FKDA_ERROR_BAD_VALUE, "num_accepted_tokens: entry %lld = %lld outside [1, %lld]", (long long)n,
                                     (long long)v, (long long)d->idx_cols);
            }
    }

    const fkda_tensor *ins[] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens, &a->ssm_state_indices,
                                &a->num_accepted_tokens, &a->state_pool};
    const char *inames[] = {"q", "k", "v", "g", "beta", "A_log", "dt_bias", "cu_seqlens", "ssm_state_indices", "num_accepted_tokens",
                            "state_pool"};
    TRY(check_distinct_elements(&a->out, "out"));
    TRY(check_distinct_elements(&a->state_pool, "state_pool"));
    TRY(check_no_overlap(&a->out, "out", ins, inames, 11));
    TRY(check_no_overlap(&a->state_pool, "state_pool", ins, inames, 10));
    return FKDA_SUCCESS;
}

static size_t decode_workspace(const fkda_decode_args *a, const fkda_dims *d, fkda_backend b)
{
    switch (b) {
    case FKDA_BACKEND_CPU: return fkda_cpu_decode_workspace(a, d);
    case FKDA_BACKEND_REFERENCE: return fkda_ref_decode_workspace(a, d);
    case FKDA_BACKEND_CUDA: return fkda_cuda_decode_workspace(a, d);
    case FKDA_BACKEND_AUTO: break;
    }
    return 0;
}

fkda_status fkda_decode_workspace_size(const fkda_decode_args *args, size_t *bytes)
{
    fkda_clear_error();
    fkda_dims d;
    fkda_backend b;
    if (bytes == NULL) return fkda_fail(FKDA_ERROR_NULL_POINTER, "bytes: NULL");
    *bytes = 0;
    TRY(validate_decode(args, &d, &b));
    *bytes = decode_workspace(args, &d, b);
    return FKDA_SUCCESS;
}

fkda_status fkda_decode(const fkda_decode_args *args, void *workspace, size_t workspace_bytes, void *stream)
{
    fkda_clear_error();
    fkda_dims d;
    fkda_backend b;
    TRY(validate_decode(args, &d, &b));
    switch (b) { /* each backend checks the workspace against its own size (fkda_check_workspace) */
    case FKDA_BACKEND_CPU: return fkda_cpu_decode(args, &d, workspace, workspace_bytes);
    case FKDA_BACKEND_REFERENCE: return fkda_ref_decode(args, &d, workspace, workspace_bytes);
    case FKDA_BACKEND_CUDA: return fkda_cuda_decode(args, &d, workspace, workspace_bytes, stream);
    case FKDA_BACKEND_AUTO: break;
    }
    return fkda_fail(FKDA_ERROR_INTERNAL, "backend: unresolved");
}
