/* Bad input: every validation error of the API gives its status and a message that names the argument,
 * and nothing is written. Each test starts from a valid small problem and breaks one thing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flashkda.h"

enum { B = 1, T = 8, H = 2, HV = 4, K = 16, V = 16, N = 2 };

typedef struct problem {
    float q[B * T * H * K], k[B * T * H * K], v[B * T * HV * V], g[B * T * HV * K], beta[B * T * HV];
    float A_log[HV], dt_bias[HV * K];
    float s0[N * HV * V * K], s1[N * HV * V * K];
    int32_t cu[N + 1];
    float out[B * T * HV * V];
    fkda_prefill_args a;
    _Alignas(16) unsigned char ws[1 << 20];
} problem;

static problem *P;

static void fill(float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++) x[i] = scale * (float)((int)((i * 2654435761u) % 1000) - 500) / 500.0f;
}

static int setup(void **state)
{
    (void)state;
    P = calloc(1, sizeof *P);
    fill(P->q, sizeof P->q / 4, 1);
    fill(P->k, sizeof P->k / 4, 1);
    fill(P->v, sizeof P->v / 4, 1);
    fill(P->g, sizeof P->g / 4, 2);
    fill(P->beta, sizeof P->beta / 4, 3);
    fill(P->dt_bias, sizeof P->dt_bias / 4, 0.5f);
    fill(P->s0, sizeof P->s0 / 4, 0.1f);
    for (size_t i = 0; i < sizeof P->out / 4; i++) P->out[i] = NAN;
    P->cu[0] = 0; P->cu[1] = 3; P->cu[2] = T;
    fkda_prefill_args *a = &P->a;
    *a = fkda_prefill_args_default();
    int64_t qs[4] = {B, T, H, K}, vs[4] = {B, T, HV, V}, gs[4] = {B, T, HV, K}, bs[3] = {B, T, HV};
    int64_t hs[1] = {HV}, ds[2] = {HV, K}, ss[4] = {N, HV, V, K}, cs[1] = {N + 1};
    a->q = fkda_tensor_contiguous(P->q, FKDA_FLOAT32, 4, qs);
    a->k = fkda_tensor_contiguous(P->k, FKDA_FLOAT32, 4, qs);
    a->v = fkda_tensor_contiguous(P->v, FKDA_FLOAT32, 4, vs);
    a->g = fkda_tensor_contiguous(P->g, FKDA_FLOAT32, 4, gs);
    a->beta = fkda_tensor_contiguous(P->beta, FKDA_FLOAT32, 3, bs);
    a->A_log = fkda_tensor_contiguous(P->A_log, FKDA_FLOAT32, 1, hs);
    a->dt_bias = fkda_tensor_contiguous(P->dt_bias, FKDA_FLOAT32, 2, ds);
    a->initial_state = fkda_tensor_contiguous(P->s0, FKDA_FLOAT32, 4, ss);
    a->final_state = fkda_tensor_contiguous(P->s1, FKDA_FLOAT32, 4, ss);
    a->cu_seqlens = fkda_tensor_contiguous(P->cu, FKDA_INT32, 1, cs);
    a->out = fkda_tensor_contiguous(P->out, FKDA_FLOAT32, 4, vs);
    a->flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    a->backend = FKDA_BACKEND_CPU;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(P);
    return 0;
}

static int out_untouched(void)
{
    for (size_t i = 0; i < sizeof P->out / 4; i++)
        if (!isnan(P->out[i])) return 0;
    return 1;
}

/* Runs the (broken) problem through both the size query and the call; both must fail alike. */
static void expect_error(fkda_status want, const char *needle)
{
    size_t bytes = 123;
    fkda_status s = fkda_prefill_workspace_size(&P->a, &bytes);
    assert_int_equal(s, want);
    assert_non_null(strstr(fkda_last_error(), needle));
    s = fkda_prefill(&P->a, P->ws, sizeof P->ws, NULL);
    if (s != want || strstr(fkda_last_error(), needle) == NULL)
        fail_msg("status %d message '%s', wanted %d with '%s'", s, fkda_last_error(), want, needle);
    assert_true(out_untouched());
    assert_non_null(strstr(fkda_status_string(s), "FKDA_ERROR_"));
}

static void test_valid_baseline(void **state)
{
    (void)state;
    size_t bytes = 0;
    assert_int_equal(fkda_prefill_workspace_size(&P->a, &bytes), FKDA_SUCCESS);
    assert_true(bytes <= sizeof P->ws);
    assert_int_equal(fkda_prefill(&P->a, P->ws, sizeof P->ws, NULL), FKDA_SUCCESS);
    assert_string_equal(fkda_last_error(), "");
    for (size_t i = 0; i < sizeof P->out / 4; i++) assert_false(isnan(P->out[i]));
    for (size_t i = 0; i < sizeof P->out / 4; i++) P->out[i] = NAN;
}

static void test_null_args(void **state)
{
    (void)state;
    size_t bytes;
    assert_int_equal(fkda_prefill(NULL, NULL, 0, NULL), FKDA_ERROR_NULL_POINTER);
    assert_non_null(strstr(fkda_last_error(), "args"));
    assert_int_equal(fkda_prefill_workspace_size(&P->a, NULL), FKDA_ERROR_NULL_POINTER);
    assert_non_null(strstr(fkda_last_error(), "bytes"));
    assert_int_equal(fkda_decode_workspace_size(NULL, &bytes), FKDA_ERROR_NULL_POINTER);
}

static void test_missing_tensor(void **state)
{
    (void)state;
    memset(&P->a.k, 0, sizeof P->a.k);
    expect_error(FKDA_ERROR_NULL_POINTER, "k: required tensor is missing");
}

static void test_null_data(void **state)
{
    (void)state;
    P->a.v.data = NULL;
    expect_error(FKDA_ERROR_NULL_POINTER, "v: data is NULL");
}

static void test_shape_mismatch(void **state)
{
    (void)state;
    P->a.k.shape[2] = 1;
    expect_error(FKDA_ERROR_BAD_SHAPE, "k: shape [1, 8, 1, 16] does not match the expected [1, 8, 2, 16]");
}

static void test_rank(void **state)
{
    (void)state;
    P->a.q.rank = 3;
    expect_error(FKDA_ERROR_BAD_SHAPE, "q: rank 3");
}

static void test_negative_stride(void **state)
{
    (void)state;
    P->a.g.stride[1] = -5;
    expect_error(FKDA_ERROR_BAD_SHAPE, "g: negative stride");
}

static void test_beta_shape(void **state)
{
    (void)state;
    P->a.beta.shape[2] = H;
    expect_error(FKDA_ERROR_BAD_SHAPE, "beta: shape");
}

static void test_dtype(void **state)
{
    (void)state;
    P->a.k.dtype = FKDA_BFLOAT16;
    expect_error(FKDA_ERROR_BAD_DTYPE, "k: dtype bf16 differs from q's f32");
}

static void test_dtype_int(void **state)
{
    (void)state;
    P->a.g.dtype = FKDA_INT32;
    expect_error(FKDA_ERROR_BAD_DTYPE, "g: dtype i32 not accepted");
}

static void test_dtype_invalid_code(void **state)
{
    (void)state;
    P->a.beta.dtype = (fkda_dtype)99;
    expect_error(FKDA_ERROR_BAD_DTYPE, "beta: invalid dtype code 99");
}

static void test_out_dtype(void **state)
{
    (void)state;
    P->a.out.dtype = FKDA_BFLOAT16;
    expect_error(FKDA_ERROR_BAD_DTYPE, "out: dtype bf16 differs from v's f32");
}

static void test_gva_not_multiple(void **state)
{
    (void)state;
    /* H = 3 query heads against HV = 4 value heads (only the extents change; validation stops first) */
    P->a.q.shape[2] = 3;
    P->a.k.shape[2] = 3;
    expect_error(FKDA_ERROR_BAD_VALUE, "HV = 4 value heads is not a multiple of H = 3");
}

static void test_lower_bound(void **state)
{
    (void)state;
    P->a.lower_bound = -6.0f;
    expect_error(FKDA_ERROR_BAD_VALUE, "lower_bound: -6 outside [-5, 0)");
    P->a.lower_bound = 0.0f;
    expect_error(FKDA_ERROR_BAD_VALUE, "lower_bound: 0 outside [-5, 0)");
    P->a.lower_bound = NAN;
    expect_error(FKDA_ERROR_BAD_VALUE, "lower_bound");
}

static void test_lower_bound_ignored_for_softplus(void **state)
{
    (void)state;
    P->a.lower_bound = 7.0f;
    P->a.gate = FKDA_GATE_SOFTPLUS;
    size_t bytes;
    assert_int_equal(fkda_prefill_workspace_size(&P->a, &bytes), FKDA_SUCCESS);
}

static void test_gate_mode(void **state)
{
    (void)state;
    P->a.gate = (fkda_gate_mode)7;
    expect_error(FKDA_ERROR_BAD_VALUE, "gate: invalid mode 7");
    P->a.gate = FKDA_GATE_PRECOMPUTED;
    expect_error(FKDA_ERROR_BAD_VALUE, "A_log: given with the precomputed gate");
}

static void test_A_log_shape_dtype(void **state)
{
    (void)state;
    P->a.A_log.shape[0] = H;
    expect_error(FKDA_ERROR_BAD_SHAPE, "A_log: shape [2]");
    P->a.A_log.shape[0] = HV;
    P->a.A_log.dtype = FKDA_BFLOAT16;
    expect_error(FKDA_ERROR_BAD_DTYPE, "A_log: dtype bf16 not accepted (expected f32)");
}

static void test_dt_bias_flat_ok_and_bad(void **state)
{
    (void)state;
    int64_t flat[1] = {HV * K};
    P->a.dt_bias = fkda_tensor_contiguous(P->dt_bias, FKDA_FLOAT32, 1, flat);
    size_t bytes;
    assert_int_equal(fkda_prefill_workspace_size(&P->a, &bytes), FKDA_SUCCESS);
    P->a.dt_bias.shape[0] = HV * K - 1;
    expect_error(FKDA_ERROR_BAD_SHAPE, "dt_bias: shape [63]");
}

static void test_flags_scale_threads(void **state)
{
    (void)state;
    P->a.flags = 1u << 9;
    expect_error(FKDA_ERROR_BAD_VALUE, "flags: unknown bits 0x200");
    P->a.flags = FKDA_TRUSTED_LOCATIONS; /* not math: accepted, changes no result */
    size_t bytes;
    assert_int_equal(fkda_prefill_workspace_size(&P->a, &bytes), FKDA_SUCCESS);
    P->a.flags = 0;
    P->a.scale = INFINITY;
    expect_error(FKDA_ERROR_BAD_VALUE, "scale: inf is not finite");
    P->a.scale = 0.5f;
    P->a.num_threads = -1;
    expect_error(FKDA_ERROR_BAD_VALUE, "num_threads: -1 is negative");
}

static void test_cu_seqlens_not_increasing(void **state)
{
    (void)state;
    P->cu[1] = 5;
    P->cu[2] = 4;
    expect_error(FKDA_ERROR_BAD_VALUE, "cu_seqlens: not non-decreasing");
}

static void test_cu_seqlens_end(void **state)
{
    (void)state;
    P->cu[2] = T - 1;
    expect_error(FKDA_ERROR_BAD_VALUE, "cu_seqlens: last value 7 does not equal the token count T = 8");
    P->cu[2] = T;
    P->cu[0] = 1;
    expect_error(FKDA_ERROR_BAD_VALUE, "cu_seqlens: cu_seqlens[0] = 1, must be 0");
}

static void test_cu_seqlens_dtype_rank(void **state)
{
    (void)state;
    P->a.cu_seqlens.dtype = FKDA_FLOAT32;
    expect_error(FKDA_ERROR_BAD_DTYPE, "cu_seqlens: dtype f32 not accepted (expected i32 or i64)");
    P->a.cu_seqlens.dtype = FKDA_INT32;
    P->a.cu_seqlens.rank = 2;
    P->a.cu_seqlens.shape[1] = 1;
    expect_error(FKDA_ERROR_BAD_SHAPE, "cu_seqlens: must have shape [N + 1]");
}

static void test_cu_seqlens_with_batch(void **state)
{
    (void)state;
    /* B = 2 rows of 4 tokens viewed over the same buffers */
    fkda_tensor *ts[] = {&P->a.q, &P->a.k, &P->a.v, &P->a.g, &P->a.beta, &P->a.out};
    for (int i = 0; i < 6; i++) {
        ts[i]->shape[0] = 2;
        ts[i]->shape[1] = T / 2;
        ts[i]->stride[0] = ts[i]->stride[1] * (T / 2);
    }
    expect_error(FKDA_ERROR_BAD_SHAPE, "cu_seqlens: given with B = 2");
}

static void test_state_shape(void **state)
{
    (void)state;
    P->a.initial_state.shape[0] = N + 1;
    expect_error(FKDA_ERROR_BAD_SHAPE, "initial_state: shape [3, 4, 16, 16] does not match the expected [2, 4, 16, 16]");
    P->a.initial_state.shape[0] = N;
    P->a.final_state.dtype = FKDA_FLOAT16;
    expect_error(FKDA_ERROR_BAD_DTYPE, "final_state: dtype f16 not accepted (expected f32 or bf16)");
}

static void test_state_layout(void **state)
{
    (void)state;
    P->a.state_layout = (fkda_state_layout)5;
    expect_error(FKDA_ERROR_BAD_VALUE, "state_layout: invalid value 5");
}

static void test_unsupported_dims(void **state)
{
    (void)state;
    /* K = 512 is valid KDA but beyond what the CPU backend implements; the shapes are consistent, the
     * buffers far too small, so the backend must refuse before touching memory. */
    fkda_tensor *ts[] = {&P->a.q, &P->a.k, &P->a.g};
    for (int i = 0; i < 3; i++) ts[i]->shape[3] = 512;
    memset(&P->a.dt_bias, 0, sizeof P->a.dt_bias);
    memset(&P->a.initial_state, 0, sizeof P->a.initial_state);
    memset(&P->a.final_state, 0, sizeof P->a.final_state);
    for (int i = 0; i < 3; i++) {
        int64_t s = 1;
        for (int d = 3; d >= 0; d--) { ts[i]->stride[d] = s; s *= ts[i]->shape[d]; }
    }
    /* keep the extents inside our buffers: point every view at a big scratch area */
    static float big[B * T * HV * 512 * 3];
    P->a.q.data = big;
    P->a.k.data = big;
    P->a.g.data = big;
    fkda_status s = fkda_prefill(&P->a, P->ws, sizeof P->ws, NULL);
    assert_int_equal(s, FKDA_ERROR_UNSUPPORTED);
    assert_non_null(strstr(fkda_last_error(), "K"));
    assert_true(out_untouched());
}

static void test_workspace_too_small(void **state)
{
    (void)state;
    size_t bytes = 0;
    assert_int_equal(fkda_prefill_workspace_size(&P->a, &bytes), FKDA_SUCCESS);
    if (bytes == 0) skip();
    assert_int_equal(fkda_prefill(&P->a, P->ws, bytes - 1, NULL), FKDA_ERROR_WORKSPACE);
    assert_non_null(strstr(fkda_last_error(), "workspace_bytes"));
    assert_int_equal(fkda_prefill(&P->a, NULL, bytes, NULL), FKDA_ERROR_WORKSPACE);
    assert_non_null(strstr(fkda_last_error(), "workspace: NULL"));
    /* a workspace off the 16-byte grid (the CUDA kernels copy it in 16-byte pieces) */
    assert_int_equal(fkda_prefill(&P->a, (unsigned char *)P->ws + 4, bytes, NULL), FKDA_ERROR_WORKSPACE);
    assert_non_null(strstr(fkda_last_error(), "16-byte aligned"));
    assert_true(out_untouched());
}

static void test_overlap(void **state)
{
    (void)state;
    P->a.out.data = P->v; /* out written over v */
    expect_error(FKDA_ERROR_OVERLAP, "out: overlaps the memory of v");
}

static void test_output_zero_stride(void **state)
{
    (void)state;
    P->a.out.stride[1] = 0; /* every token written to the same place */
    expect_error(FKDA_ERROR_OVERLAP, "out: stride 0 of dimension 1 makes elements share memory");
}

static void test_overlap_state(void **state)
{
    (void)state;
    P->a.final_state.data = P->s0 + 1; /* shifted view of initial_state: neither disjoint nor in place */
    expect_error(FKDA_ERROR_OVERLAP, "final_state: overlaps the memory of initial_state");
}

static void test_in_place_state_ok(void **state)
{
    (void)state;
    P->a.final_state = P->a.initial_state;
    assert_int_equal(fkda_prefill(&P->a, P->ws, sizeof P->ws, NULL), FKDA_SUCCESS);
    for (size_t i = 0; i < sizeof P->out / 4; i++) P->out[i] = NAN;
}

static void test_backend(void **state)
{
    (void)state;
    P->a.backend = (fkda_backend)9;
    expect_error(FKDA_ERROR_BAD_VALUE, "backend: invalid value 9");
    if (!fkda_cuda_available()) {
        P->a.backend = FKDA_BACKEND_CUDA;
        expect_error(FKDA_ERROR_NO_BACKEND, "backend: CUDA requested");
    }
}

/* ---- decode -------------------------------------------------------------------------------------- */
typedef struct dproblem {
    float q[N * 2 * H * K], k[N * 2 * H * K], v[N * 2 * HV * V], g[N * 2 * HV * K], beta[N * 2 * HV], out[N * 2 * HV * V];
    float pool[4 * HV * V * K];
    int32_t idx[N * 2];
    int32_t acc[N];
    fkda_decode_args a;
} dproblem;

static void make_decode(dproblem *D)
{
    memset(D, 0, sizeof *D);
    fill(D->q, sizeof D->q / 4, 1);
    fill(D->k, sizeof D->k / 4, 1);
    fill(D->v, sizeof D->v / 4, 1);
    for (size_t i = 0; i < sizeof D->out / 4; i++) D->out[i] = NAN;
    fkda_decode_args *a = &D->a;
    *a = fkda_decode_args_default();
    int64_t qs[4] = {N, 2, H, K}, vs[4] = {N, 2, HV, V}, gs[4] = {N, 2, HV, K}, bs[3] = {N, 2, HV};
    int64_t ps[4] = {4, HV, V, K}, is[2] = {N, 2}, as[1] = {N};
    a->q = fkda_tensor_contiguous(D->q, FKDA_FLOAT32, 4, qs);
    a->k = fkda_tensor_contiguous(D->k, FKDA_FLOAT32, 4, qs);
    a->v = fkda_tensor_contiguous(D->v, FKDA_FLOAT32, 4, vs);
    a->g = fkda_tensor_contiguous(D->g, FKDA_FLOAT32, 4, gs);
    a->beta = fkda_tensor_contiguous(D->beta, FKDA_FLOAT32, 3, bs);
    a->out = fkda_tensor_contiguous(D->out, FKDA_FLOAT32, 4, vs);
    a->state_pool = fkda_tensor_contiguous(D->pool, FKDA_FLOAT32, 4, ps);
    a->ssm_state_indices = fkda_tensor_contiguous(D->idx, FKDA_INT32, 2, is);
    a->num_accepted_tokens = fkda_tensor_contiguous(D->acc, FKDA_INT32, 1, as);
    D->idx[0] = 0; D->idx[1] = 1; D->idx[2] = 2; D->idx[3] = -1;
    D->acc[0] = 2; D->acc[1] = 1;
    a->backend = FKDA_BACKEND_CPU;
}

static void expect_decode_error(dproblem *D, fkda_status want, const char *needle)
{
    static _Alignas(16) unsigned char ws[1 << 20];
    fkda_status s = fkda_decode(&D->a, ws, sizeof ws, NULL);
    if (s != want || strstr(fkda_last_error(), needle) == NULL)
        fail_msg("status %d message '%s', wanted %d with '%s'", s, fkda_last_error(), want, needle);
    for (size_t i = 0; i < sizeof D->out / 4; i++) assert_true(isnan(D->out[i]));
}

static void test_decode_errors(void **state)
{
    (void)state;
    static dproblem D;
    static _Alignas(16) unsigned char ws[1 << 20];
    make_decode(&D);
    size_t bytes;
    assert_int_equal(fkda_decode_workspace_size(&D.a, &bytes), FKDA_SUCCESS);
    assert_int_equal(fkda_decode(&D.a, ws, sizeof ws, NULL), FKDA_SUCCESS);

    make_decode(&D);
    D.idx[1] = 4;
    expect_decode_error(&D, FKDA_ERROR_BAD_VALUE, "ssm_state_indices: entry [0, 1] = 4 is not below slots = 4");
    make_decode(&D);
    D.acc[1] = 3;
    expect_decode_error(&D, FKDA_ERROR_BAD_VALUE, "num_accepted_tokens: entry 1 = 3 outside [1, 2]");
    make_decode(&D);
    D.acc[0] = 0;
    expect_decode_error(&D, FKDA_ERROR_BAD_VALUE, "num_accepted_tokens: entry 0 = 0");
    make_decode(&D);
    int64_t one[1] = {N};
    D.a.ssm_state_indices = fkda_tensor_contiguous(D.idx, FKDA_INT32, 1, one);
    expect_decode_error(&D, FKDA_ERROR_BAD_VALUE, "num_accepted_tokens: needs ssm_state_indices of shape [N, Tmax]");
    make_decode(&D);
    D.a.ssm_state_indices.shape[1] = 1;
    expect_decode_error(&D, FKDA_ERROR_BAD_SHAPE, "ssm_state_indices: shape [2, 1], expected [N = 2, Tmax >= 2]");
    make_decode(&D);
    D.a.state_pool.shape[2] = V + 1;
    expect_decode_error(&D, FKDA_ERROR_BAD_SHAPE, "state_pool: shape [4, 4, 17, 16]");
    make_decode(&D);
    memset(&D.a.state_pool, 0, sizeof D.a.state_pool);
    expect_decode_error(&D, FKDA_ERROR_NULL_POINTER, "state_pool: required tensor is missing");
    make_decode(&D);
    D.a.ssm_state_indices.dtype = FKDA_FLOAT32;
    expect_decode_error(&D, FKDA_ERROR_BAD_DTYPE, "ssm_state_indices: dtype f32 not accepted");
    make_decode(&D);
    D.a.out.data = D.pool;
    expect_decode_error(&D, FKDA_ERROR_OVERLAP, "out: overlaps the memory of state_pool");
    make_decode(&D);
    memset(&D.a.ssm_state_indices, 0, sizeof D.a.ssm_state_indices);
    memset(&D.a.num_accepted_tokens, 0, sizeof D.a.num_accepted_tokens);
    D.a.state_pool.shape[0] = 1;
    expect_decode_error(&D, FKDA_ERROR_BAD_SHAPE, "state_pool: 1 slots for 2 sequences");
}

static void test_strings(void **state)
{
    (void)state;
    for (int s = 0; s <= 11; s++) assert_non_null(fkda_status_string((fkda_status)s));
    assert_non_null(strstr(fkda_status_string((fkda_status)1234), "UNKNOWN"));
    assert_string_equal(fkda_dtype_name(FKDA_BFLOAT16), "bf16");
    assert_int_equal(fkda_dtype_size(FKDA_INT64), 8);
    assert_int_equal(fkda_dtype_size((fkda_dtype)77), 0);
    assert_string_equal(fkda_backend_name(FKDA_BACKEND_REFERENCE), "reference");
    assert_non_null(strstr(fkda_version(), "0.1.0"));
}

#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T_(test_valid_baseline), T_(test_null_args), T_(test_missing_tensor), T_(test_null_data), T_(test_shape_mismatch),
        T_(test_rank), T_(test_negative_stride), T_(test_beta_shape), T_(test_dtype), T_(test_dtype_int),
        T_(test_dtype_invalid_code), T_(test_out_dtype), T_(test_gva_not_multiple), T_(test_lower_bound),
        T_(test_lower_bound_ignored_for_softplus), T_(test_gate_mode), T_(test_A_log_shape_dtype), T_(test_dt_bias_flat_ok_and_bad),
        T_(test_flags_scale_threads), T_(test_cu_seqlens_not_increasing), T_(test_cu_seqlens_end), T_(test_cu_seqlens_dtype_rank),
        T_(test_cu_seqlens_with_batch), T_(test_state_shape), T_(test_state_layout), T_(test_unsupported_dims),
        T_(test_workspace_too_small), T_(test_overlap), T_(test_output_zero_stride), T_(test_overlap_state), T_(test_in_place_state_ok), T_(test_backend),
        T_(test_decode_errors), T_(test_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
