/* libFuzzer target for argument validation (and the CPU backends behind it).
 *
 * The input bytes choose dimensions (consistent or not), dtypes, strides, flags, gate, scalars, cu_seqlens
 * and slot-index values. Every tensor gets a buffer exactly as large as its descriptor spans, so under
 * ASan any read or write outside a described tensor is caught. The library must either reject the call
 * with a status and a message, or compute without touching memory outside the descriptors. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flashkda.h"

typedef struct bytes {
    const uint8_t *p;
    size_t n;
} bytes;

static unsigned take(bytes *b)
{
    if (b->n == 0) return 0;
    b->n--;
    return *b->p++;
}

static const fkda_dtype DTYPES[] = {FKDA_BFLOAT16, FKDA_FLOAT16, FKDA_FLOAT32, FKDA_FLOAT64, FKDA_INT32, FKDA_INT64, FKDA_DTYPE_INVALID};

typedef struct pool {
    void *ptr[16];
    int n;
} pool;

/* A tensor of the given shape whose strides may be padded (stride multiplier from the input), with a
 * buffer covering exactly its extent, filled with small values. */
static fkda_tensor make(bytes *b, pool *P, int rank, const int64_t *shape, fkda_dtype dtype)
{
    int64_t stride[FKDA_MAX_RANK];
    int64_t s = 1;
    unsigned pad = take(b) % 4 == 0 ? 1 + take(b) % 3 : 0;
    for (int i = rank - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i] + (i == rank - 1 ? 0 : (int64_t)pad);
    }
    if (take(b) % 16 == 0 && rank > 1) stride[0] = 0; /* broadcast view along the first axis */
    int64_t last = 0, empty = 0;
    for (int i = 0; i < rank; i++) {
        if (shape[i] <= 0) empty = 1; /* negative extents are rejected by validation before any access */
        else last += (shape[i] - 1) * stride[i];
    }
    size_t esz = fkda_dtype_size(dtype) ? fkda_dtype_size(dtype) : 1;
    size_t bytes_needed = empty ? 0 : (size_t)(last + 1) * esz;
    void *data = NULL;
    if (bytes_needed) {
        data = malloc(bytes_needed);
        unsigned char v = (unsigned char)take(b);
        for (size_t i = 0; i < bytes_needed; i++) ((unsigned char *)data)[i] = (unsigned char)(v + i * 7) & 0x3f; /* small finite */
        P->ptr[P->n++] = data;
    }
    return fkda_tensor_strided(data, dtype, rank, shape, stride);
}

static int64_t dim(bytes *b, int64_t base, int64_t spread) { return base + (int64_t)(take(b) % (unsigned)spread) - (take(b) % 8 == 0); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bytes b = {data, size};
    pool P = {{0}, 0};
    int64_t Bn = dim(&b, 1, 3), T = dim(&b, 0, 20), H = dim(&b, 1, 3), group = 1 + take(&b) % 3, K = dim(&b, 1, 9), V = dim(&b, 1, 9);
    int64_t HV = H * group + (take(&b) % 10 == 0);
    int varlen = take(&b) % 2;
    int64_t N = varlen ? take(&b) % 5 : Bn;
    if (varlen && take(&b) % 4) Bn = 1;
    fkda_dtype in = DTYPES[take(&b) % 3];
    if (take(&b) % 16 == 0) in = DTYPES[take(&b) % 7];

    fkda_prefill_args a = fkda_prefill_args_default();
    int64_t qs[4] = {Bn, T, H, K}, vs[4] = {Bn, T, HV, V}, gs[4] = {Bn, T, HV, K}, bs[3] = {Bn, T, HV};
    a.q = make(&b, &P, 4, qs, in);
    a.k = make(&b, &P, 4, qs, take(&b) % 16 ? in : DTYPES[take(&b) % 7]);
    a.v = make(&b, &P, 4, vs, in);
    a.g = make(&b, &P, 4, gs, DTYPES[take(&b) % 3]);
    a.beta = make(&b, &P, 3, bs, DTYPES[take(&b) % 3]);
    a.out = make(&b, &P, 4, vs, take(&b) % 16 ? in : DTYPES[take(&b) % 7]);
    if (take(&b) % 2) { int64_t s1[1] = {HV}; a.A_log = make(&b, &P, 1, s1, FKDA_FLOAT32); }
    if (take(&b) % 2) { int64_t s2[2] = {HV, K}; a.dt_bias = make(&b, &P, 2, s2, FKDA_FLOAT32); }
    a.state_layout = (fkda_state_layout)(take(&b) % 3);
    int64_t ss[4] = {N, HV, a.state_layout == FKDA_STATE_K_FIRST ? K : V, a.state_layout == FKDA_STATE_K_FIRST ? V : K};
    if (take(&b) % 2) a.initial_state = make(&b, &P, 4, ss, take(&b) % 2 ? FKDA_FLOAT32 : FKDA_BFLOAT16);
    unsigned fs = take(&b) % 3;
    if (fs == 1) a.final_state = make(&b, &P, 4, ss, take(&b) % 2 ? FKDA_FLOAT32 : FKDA_BFLOAT16);
    if (fs == 2) a.final_state = a.initial_state;
    if (varlen) {
        int64_t cs[1] = {N + 1};
        fkda_dtype cd = take(&b) % 2 ? FKDA_INT32 : FKDA_INT64;
        a.cu_seqlens = make(&b, &P, 1, cs, cd);
        int64_t acc = 0;
        for (int64_t i = 0; i <= N; i++) {
            if (i > 0) acc += take(&b) % 8;
            if (i == N && take(&b) % 4) acc = Bn * T; /* usually valid */
            if (take(&b) % 32 == 0) acc -= 3;
            int64_t at = i * a.cu_seqlens.stride[0];
            if (cd == FKDA_INT32) ((int32_t *)a.cu_seqlens.data)[at] = (int32_t)acc;
            else ((int64_t *)a.cu_seqlens.data)[at] = acc;
        }
    }
    static const float bounds[] = {-5.0f, -1.0f, -0.001f, 0.0f, -5.5f, NAN, 1.0f};
    a.lower_bound = bounds[take(&b) % 7];
    static const float scales[] = {0.0f, 0.25f, -1.0f, INFINITY, NAN};
    a.scale = scales[take(&b) % 5];
    a.flags = take(&b) % 9;
    a.gate = (fkda_gate_mode)(take(&b) % 4);
    a.backend = take(&b) % 3 ? FKDA_BACKEND_CPU : FKDA_BACKEND_REFERENCE;
    if (take(&b) % 32 == 0) a.backend = (fkda_backend)(take(&b) % 6);
    a.num_threads = (int)(take(&b) % 3) - (take(&b) % 32 == 0);

    size_t ws_bytes = 0;
    if (fkda_prefill_workspace_size(&a, &ws_bytes) == FKDA_SUCCESS) {
        void *ws = ws_bytes ? malloc(ws_bytes) : NULL;
        if (fkda_prefill(&a, ws, ws_bytes, NULL) != FKDA_SUCCESS && fkda_last_error()[0] == '\0') abort();
        free(ws);
    } else if (fkda_last_error()[0] == '\0') {
        abort(); /* every failure must explain itself */
    }

    /* decode over the same token tensors, with a pool and slot indices */
    fkda_decode_args d = fkda_decode_args_default();
    d.q = a.q; d.k = a.k; d.v = a.v; d.g = a.g; d.beta = a.beta; d.out = a.out; d.A_log = a.A_log; d.dt_bias = a.dt_bias;
    d.cu_seqlens = a.cu_seqlens;
    d.gate = a.gate; d.flags = a.flags; d.lower_bound = a.lower_bound; d.scale = a.scale; d.backend = a.backend;
    d.state_layout = a.state_layout;
    int64_t slots = take(&b) % 6;
    int64_t ps[4] = {slots, HV, ss[2], ss[3]};
    d.state_pool = make(&b, &P, 4, ps, take(&b) % 2 ? FKDA_FLOAT32 : FKDA_BFLOAT16);
    unsigned ik = take(&b) % 3;
    int64_t cols = ik == 2 ? (int64_t)(take(&b) % 20) : 1;
    if (ik) {
        int64_t is[2] = {N, cols};
        fkda_dtype idt = take(&b) % 2 ? FKDA_INT32 : FKDA_INT64;
        d.ssm_state_indices = make(&b, &P, ik == 2 ? 2 : 1, is, idt);
        for (int64_t n = 0; n < N; n++)
            for (int64_t j = 0; j < cols; j++) {
                int64_t v = (int64_t)(take(&b) % 8) - 2;
                int64_t at = n * d.ssm_state_indices.stride[0] + (ik == 2 ? j * d.ssm_state_indices.stride[1] : 0);
                if (idt == FKDA_INT32) ((int32_t *)d.ssm_state_indices.data)[at] = (int32_t)v;
                else ((int64_t *)d.ssm_state_indices.data)[at] = v;
            }
        if (ik == 2 && take(&b) % 2) {
            int64_t as[1] = {N};
            d.num_accepted_tokens = make(&b, &P, 1, as, FKDA_INT32);
            for (int64_t n = 0; n < N; n++) ((int32_t *)d.num_accepted_tokens.data)[n * d.num_accepted_tokens.stride[0]] = (int32_t)(take(&b) % 5);
        }
    }
    if (fkda_decode_workspace_size(&d, &ws_bytes) == FKDA_SUCCESS) {
        void *ws = ws_bytes ? malloc(ws_bytes) : NULL;
        if (fkda_decode(&d, ws, ws_bytes, NULL) != FKDA_SUCCESS && fkda_last_error()[0] == '\0') abort();
        free(ws);
    } else if (fkda_last_error()[0] == '\0') {
        abort();
    }
    for (int i = 0; i < P.n; i++) free(P.ptr[i]);
    return 0;
}
