/* The fast CPU backend against the fp64 reference (err_ratio = RMS(x - ref) / RMS(ref) below 1e-5 with fp32
 * inputs, 5e-3 with bf16), over shapes, varlen, GVA, gate modes, flags, state options, layouts and decode
 * index modes; plus the reference itself against a hand-computed case, and two invariants of the recurrence
 * (splitting a sequence, decoding token by token). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flashkda.h"
#include "testutil.h"

static double tolerance(const tu_case *c)
{
    return c->dtype == FKDA_FLOAT32 && c->state_dtype == FKDA_FLOAT32 ? 1e-5 : 5e-3;
}

/* Runs c on the fast backend and the reference and compares outputs and final states. */
static void check_prefill(const tu_case *c)
{
    tu_prefill p;
    tu_prefill_make(&p, c);
    tu_result fast, ref;
    fkda_status s1 = tu_prefill_run(&p, FKDA_BACKEND_CPU, 0, &fast);
    if (s1 != FKDA_SUCCESS) fail_msg("cpu: %s", fkda_last_error());
    fkda_status s2 = tu_prefill_run(&p, FKDA_BACKEND_REFERENCE, 0, &ref);
    if (s2 != FKDA_SUCCESS) fail_msg("reference: %s", fkda_last_error());
    double tol = tolerance(c), eo = tu_err_ratio(&fast.out, &ref.out);
    double es = fast.state.rank ? tu_err_ratio(&fast.state, &ref.state) : 0.0;
    if (getenv("FKDA_TEST_VERBOSE"))
        printf("prefill T=%lld N=%lld HV=%lld K=%lld V=%lld %s/%s gate %d extreme %d: err out %.2e state %.2e\n", (long long)p.T,
               (long long)p.N, (long long)c->HV, (long long)c->K, (long long)c->V, fkda_dtype_name(c->dtype),
               fkda_dtype_name(c->state_dtype), c->gate, c->extreme, eo, es);
    if (!(eo < tol) || !(es < tol) || tu_count_nan(&fast.out) || tu_count_nan(&ref.out))
        fail_msg("T=%lld N=%lld H=%lld HV=%lld K=%lld V=%lld dtype=%s state=%s gate=%d flags=%u states=%d layout=%d extreme=%d: "
                 "err out %.3g state %.3g (tol %.1g), NaN left: cpu %lld ref %lld",
                 (long long)p.T, (long long)p.N, (long long)c->H, (long long)c->HV, (long long)c->K, (long long)c->V,
                 fkda_dtype_name(c->dtype), fkda_dtype_name(c->state_dtype), c->gate, c->flags, c->states, c->layout, c->extreme,
                 eo, es, tol, (long long)tu_count_nan(&fast.out), (long long)tu_count_nan(&ref.out));
    tu_result_free(&fast);
    tu_result_free(&ref);
    tu_prefill_free(&p);
}

/* ---- the reference against hand computation ------------------------------------------------------ */
static void ref_hand_case(void **state)
{
    (void)state;
    /* K = V = 2, T = 2, precomputed gate, no flags, scale 1, zero initial state:
     * t=1: a = (ln .5, ln .5), k = (1, 0), q = (1, 1), v = (2, 4), beta = .5:
     *      u = (1, 2), S1 = [[1, 2], [0, 0]], o1 = (1, 2)
     * t=2: a = (ln .5, 0), k = (1, 1), q = (1, -1), v = (1, 1), beta = 1:
     *      S' = [[.5, 1], [0, 0]], S'^T k = (.5, 1), u = (.5, 0), S2 = [[1, 1], [.5, 0]], o2 = (.5, 1)
     * final state V-first (S2^T) = [[1, .5], [1, 0]]. */
    float q[8] = {1, 1, 1, -1}, k[4] = {1, 0, 1, 1}, v[4] = {2, 4, 1, 1}, beta[2] = {0.5f, 1.0f};
    float g[4] = {-0.69314718f, -0.69314718f, -0.69314718f, 0.0f}, out[4], ht[4];
    int64_t qs[4] = {1, 2, 1, 2}, bs[3] = {1, 2, 1}, ss[4] = {1, 1, 2, 2};
    fkda_prefill_args a = fkda_prefill_args_default();
    a.q = fkda_tensor_contiguous(q, FKDA_FLOAT32, 4, qs);
    a.k = fkda_tensor_contiguous(k, FKDA_FLOAT32, 4, qs);
    a.v = fkda_tensor_contiguous(v, FKDA_FLOAT32, 4, qs);
    a.g = fkda_tensor_contiguous(g, FKDA_FLOAT32, 4, qs);
    a.beta = fkda_tensor_contiguous(beta, FKDA_FLOAT32, 3, bs);
    a.out = fkda_tensor_contiguous(out, FKDA_FLOAT32, 4, qs);
    a.final_state = fkda_tensor_contiguous(ht, FKDA_FLOAT32, 4, ss);
    a.gate = FKDA_GATE_PRECOMPUTED;
    a.scale = 1.0f;
    fkda_backend backends[2] = {FKDA_BACKEND_REFERENCE, FKDA_BACKEND_CPU};
    for (int b = 0; b < 2; b++) {
        a.backend = backends[b];
        _Alignas(16) unsigned char ws[1 << 18];
        size_t bytes;
        assert_int_equal(fkda_prefill_workspace_size(&a, &bytes), FKDA_SUCCESS);
        assert_true(bytes <= sizeof ws);
        assert_int_equal(fkda_prefill(&a, ws, bytes, NULL), FKDA_SUCCESS);
        const float want_out[4] = {1, 2, 0.5f, 1}, want_ht[4] = {1, 0.5f, 1, 0};
        for (int i = 0; i < 4; i++) {
            assert_true(fabsf(out[i] - want_out[i]) < 1e-6f);
            assert_true(fabsf(ht[i] - want_ht[i]) < 1e-6f);
        }
    }
}

/* One token from a given state, every preprocessing step on: checks the gate, L2 norm, sigmoid and
 * allow_neg_eigval formulas of the reference against a direct evaluation here. */
static void ref_one_token_formulas(void **state)
{
    (void)state;
    tu_case c = tu_case_default();
    c.B = 1;
    c.T = 1;
    c.H = c.HV = 1;
    c.K = 3;
    c.V = 2;
    c.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID | FKDA_ALLOW_NEG_EIGVAL;
    c.lower_bound = -3.0f;
    c.scale = 0.7f;
    tu_prefill p;
    tu_prefill_make(&p, &c);
    tu_result r;
    assert_int_equal(tu_prefill_run(&p, FKDA_BACKEND_REFERENCE, 0, &r), FKDA_SUCCESS);
    double q[3], k[3], nq = 0, nk = 0, S[3][2], u[2];
    for (int i = 0; i < 3; i++) {
        q[i] = tu_get(&p.q, i);
        k[i] = tu_get(&p.k, i);
        nq += q[i] * q[i];
        nk += k[i] * k[i];
    }
    for (int i = 0; i < 3; i++) {
        q[i] /= sqrt(nq + 1e-6);
        k[i] /= sqrt(nk + 1e-6);
    }
    double beta = 2.0 / (1.0 + exp(-tu_get(&p.beta, 0))), A = exp(tu_get(&p.A_log, 0));
    for (int i = 0; i < 3; i++) {
        double x = tu_get(&p.g, i) + tu_get(&p.dt_bias, i);
        double decay = exp(-3.0 / (1.0 + exp(-A * x)));
        for (int j = 0; j < 2; j++) S[i][j] = decay * tu_get(&p.initial_copy, j * 3 + i); /* V-first [1,1,V,K] */
    }
    for (int j = 0; j < 2; j++) {
        double dot = 0;
        for (int i = 0; i < 3; i++) dot += S[i][j] * k[i];
        u[j] = beta * (tu_get(&p.v, j) - dot);
    }
    for (int j = 0; j < 2; j++) {
        double o = 0;
        for (int i = 0; i < 3; i++) {
            S[i][j] += k[i] * u[j];
            o += S[i][j] * q[i];
        }
        assert_true(fabs(tu_get(&r.out, j) - (float)(0.7 * o)) <= 1e-6 * fabs(o) + 1e-7);
        for (int i = 0; i < 3; i++) assert_true(fabs(tu_get(&r.state, j * 3 + i) - S[i][j]) <= 1e-6 * fabs(S[i][j]) + 1e-7);
    }
    tu_result_free(&r);
    tu_prefill_free(&p);
}

/* ---- prefill: fast vs reference --------------------------------------------------------------------- */
static void prefill_lengths(void **state)
{
    (void)state;
    const int64_t Ts[] = {1, 15, 16, 17, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof Ts / sizeof Ts[0]; i++) {
        tu_case c = tu_case_default();
        c.B = 2;
        c.T = Ts[i];
        c.K = c.V = 64;
        c.seed = 100 + i;
        check_prefill(&c);
        c.dtype = FKDA_BFLOAT16;
        check_prefill(&c);
    }
}

static void prefill_varlen(void **state)
{
    (void)state;
    static int64_t lens[300];
    tu_rng r = tu_rng_make(7);
    for (int i = 0; i < 300; i++) lens[i] = tu_rand_int(&r, 0, 3) == 0 ? 0 : tu_rand_int(&r, 1, 20);
    lens[0] = 0;
    lens[299] = 0;
    int64_t nseqs[] = {1, 2, 5, 300};
    for (size_t i = 0; i < 4; i++) {
        tu_case c = tu_case_default();
        c.nseq = nseqs[i];
        c.seqlens = nseqs[i] == 300 ? lens : lens + 100;
        c.cu_dtype = i % 2 ? FKDA_INT32 : FKDA_INT64;
        c.H = c.HV = 4;
        c.seed = 200 + i;
        check_prefill(&c);
    }
    int64_t lens2[] = {0, 0, 0}; /* all empty: final state = initial state */
    tu_case c = tu_case_default();
    c.nseq = 3;
    c.seqlens = lens2;
    check_prefill(&c);
}

static void prefill_heads_gva(void **state)
{
    (void)state;
    const int64_t Hs[] = {1, 4, 32};
    for (size_t i = 0; i < 3; i++)
        for (int64_t m = 1; m <= 4; m *= 2) {
            tu_case c = tu_case_default();
            c.H = Hs[i];
            c.HV = m * Hs[i];
            c.T = 40;
            c.K = 16;
            c.V = 48;
            c.seed = 300 + i * 10 + m;
            check_prefill(&c);
        }
}

/* Every gate mode x state option x state dtype x layout, small. */
static void prefill_options(void **state)
{
    (void)state;
    uint64_t seed = 400;
    for (int gate = 0; gate < 3; gate++)
        for (int st = 0; st < 5; st++)
            for (int sd = 0; sd < 2; sd++)
                for (int layout = 0; layout < 2; layout++) {
                    tu_case c = tu_case_default();
                    c.gate = (fkda_gate_mode)gate;
                    c.states = (tu_state_mode)st;
                    c.state_dtype = sd ? FKDA_BFLOAT16 : FKDA_FLOAT32;
                    c.layout = (fkda_state_layout)layout;
                    c.T = 37;
                    c.B = 2;
                    c.K = 32;
                    c.V = 16;
                    c.seed = seed++;
                    c.A_log = (int)(seed % 2);
                    c.dt_bias = (int)(seed / 2 % 2);
                    c.dt_bias_flat = (int)(seed / 4 % 2);
                    c.flags = (unsigned)(seed % 8);
                    check_prefill(&c);
                }
}

static void prefill_dtypes_strides(void **state)
{
    (void)state;
    fkda_dtype dts[3] = {FKDA_FLOAT32, FKDA_BFLOAT16, FKDA_FLOAT16};
    for (int d = 0; d < 3; d++)
        for (int strided = 0; strided < 2; strided++) {
            tu_case c = tu_case_default();
            c.dtype = dts[d];
            c.strided = strided;
            c.T = 70;
            c.H = 2;
            c.HV = 4;
            c.seed = 500 + d * 2 + strided;
            check_prefill(&c);
        }
}

/* States as transposed views, in both layouts, f32 and bf16, in place too. */
static void prefill_state_strides(void **state)
{
    (void)state;
    for (int layout = 0; layout < 2; layout++)
        for (int sd = 0; sd < 2; sd++)
            for (int st = TU_STATE_BOTH; st <= TU_STATE_IN_PLACE; st++) {
                tu_case c = tu_case_default();
                c.layout = (fkda_state_layout)layout;
                c.state_dtype = sd ? FKDA_BFLOAT16 : FKDA_FLOAT32;
                c.states = (tu_state_mode)st;
                c.state_strided = 1;
                c.K = 32;
                c.V = 48;
                c.T = 20;
                c.seed = 550 + layout * 4 + sd * 2 + st;
                check_prefill(&c);
            }
}

/* The benchmark's shape at a smaller scale: K = V = 128, bf16 inputs, long varlen sequences. */
static void prefill_realistic_128(void **state)
{
    (void)state;
    static const int64_t lens[] = {700, 0, 129, 1, 1100};
    for (int layout = 0; layout < 2; layout++) {
        tu_case c = tu_case_default();
        c.nseq = 5;
        c.seqlens = lens;
        c.H = 2;
        c.HV = 4;
        c.K = c.V = 128;
        c.dtype = FKDA_BFLOAT16;
        c.layout = (fkda_state_layout)layout;
        c.seed = 580 + layout;
        check_prefill(&c);
    }
}

static void prefill_odd_dims(void **state)
{
    (void)state;
    const int64_t dims[][2] = {{1, 1}, {3, 5}, {48, 40}, {128, 128}, {256, 256}, {100, 256}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        tu_case c = tu_case_default();
        c.K = dims[i][0];
        c.V = dims[i][1];
        c.T = 33;
        c.H = c.HV = 1;
        c.seed = 600 + i;
        check_prefill(&c);
    }
    tu_case c = tu_case_default(); /* beyond 256: unsupported, nothing written */
    c.K = 272;
    c.T = 2;
    tu_prefill p;
    tu_prefill_make(&p, &c);
    assert_int_equal(tu_prefill_run(&p, FKDA_BACKEND_CPU, 0, NULL), FKDA_ERROR_UNSUPPORTED);
    assert_int_equal(tu_count_nan(&p.out), tu_numel(&p.out));
    assert_int_equal(tu_prefill_run(&p, FKDA_BACKEND_REFERENCE, 0, NULL), FKDA_SUCCESS);
    tu_prefill_free(&p);
}

static void prefill_extreme(void **state)
{
    (void)state;
    for (int gate = 0; gate < 3; gate++)
        for (int bf = 0; bf < 2; bf++) {
            tu_case c = tu_case_default();
            c.gate = (fkda_gate_mode)gate;
            c.extreme = 1;
            c.T = 80;
            c.lower_bound = gate == 0 && bf ? -0.5f : -5.0f;
            c.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID | (bf ? FKDA_ALLOW_NEG_EIGVAL : 0);
            c.dtype = bf ? FKDA_BFLOAT16 : FKDA_FLOAT32;
            c.seed = 700 + gate * 2 + bf;
            check_prefill(&c);
        }
}

/* Same results, bit for bit, whatever the thread count (each pair is computed by one thread). */
static void prefill_threads_deterministic(void **state)
{
    (void)state;
    tu_case c = tu_case_default();
    c.B = 3;
    c.T = 50;
    c.H = 3;
    c.HV = 6;
    tu_prefill p;
    tu_prefill_make(&p, &c);
    tu_result a, b;
    assert_int_equal(tu_prefill_run(&p, FKDA_BACKEND_CPU, 1, &a), FKDA_SUCCESS);
    assert_int_equal(tu_prefill_run(&p, FKDA_BACKEND_CPU, 2, &b), FKDA_SUCCESS);
    assert_true(tu_bitwise_equal(&a.out, &b.out));
    assert_true(tu_bitwise_equal(&a.state, &b.state));
    tu_result_free(&a);
    tu_result_free(&b);
    tu_prefill_free(&p);
}

/* A sequence run in two halves, the state passed between them, equals one run. */
static void prefill_split_invariant(void **state)
{
    (void)state;
    tu_case c = tu_case_default();
    c.T = 100;
    c.K = c.V = 64;
    c.H = c.HV = 2;
    tu_prefill whole;
    tu_prefill_make(&whole, &c);
    tu_result w;
    assert_int_equal(tu_prefill_run(&whole, FKDA_BACKEND_CPU, 0, &w), FKDA_SUCCESS);

    /* halves as views into the whole problem's tensors: tokens [0, 37) and [37, 100) */
    const int64_t cut = 37;
    fkda_tensor *parts[6] = {&whole.args.q, &whole.args.k, &whole.args.v, &whole.args.g, &whole.args.beta, &whole.args.out};
    fkda_prefill_args h1 = whole.args, h2 = whole.args;
    fkda_tensor *p1[6] = {&h1.q, &h1.k, &h1.v, &h1.g, &h1.beta, &h1.out}, *p2[6] = {&h2.q, &h2.k, &h2.v, &h2.g, &h2.beta, &h2.out};
    for (int i = 0; i < 6; i++) {
        size_t es = fkda_dtype_size(parts[i]->dtype);
        p1[i]->shape[1] = cut;
        p2[i]->shape[1] = c.T - cut;
        p2[i]->data = (char *)parts[i]->data + (size_t)(cut * parts[i]->stride[1]) * es;
    }
    fkda_tensor mid = tu_tensor_copy(&whole.final_state);
    tu_tensor_assign(&whole.initial_state, &whole.initial_copy);
    tu_fill_nan(&whole.out);
    h1.final_state = mid;
    h2.initial_state = mid;
    h2.final_state = mid; /* in place */
    h1.backend = h2.backend = FKDA_BACKEND_CPU;
    size_t bytes;
    assert_int_equal(fkda_prefill_workspace_size(&h1, &bytes), FKDA_SUCCESS);
    void *ws = malloc(bytes);
    assert_int_equal(fkda_prefill(&h1, ws, bytes, NULL), FKDA_SUCCESS);
    free(ws);
    assert_int_equal(fkda_prefill_workspace_size(&h2, &bytes), FKDA_SUCCESS);
    ws = malloc(bytes);
    assert_int_equal(fkda_prefill(&h2, ws, bytes, NULL), FKDA_SUCCESS);
    free(ws);
    assert_true(tu_err_ratio(&whole.out, &w.out) < 1e-6);
    assert_true(tu_err_ratio(&mid, &w.state) < 1e-6);
    assert_int_equal(tu_count_nan(&whole.out), 0);
    tu_tensor_free(&mid);
    tu_result_free(&w);
    tu_prefill_free(&whole);
}

/* ---- decode ------------------------------------------------------------------------------------------ */
static void check_decode(const tu_decode_case *dc)
{
    tu_decode p;
    tu_decode_make(&p, dc);
    tu_result fast, ref;
    if (tu_decode_run(&p, FKDA_BACKEND_CPU, 0, &fast) != FKDA_SUCCESS) fail_msg("cpu: %s", fkda_last_error());
    if (tu_decode_run(&p, FKDA_BACKEND_REFERENCE, 0, &ref) != FKDA_SUCCESS) fail_msg("reference: %s", fkda_last_error());
    double tol = tolerance(&dc->base), eo = tu_err_ratio(&fast.out, &ref.out), es = tu_err_ratio(&fast.state, &ref.state);
    if (getenv("FKDA_TEST_VERBOSE"))
        printf("decode index %d accepted %d skip %d %s: err out %.2e pool %.2e\n", dc->index, dc->accepted, dc->skip,
               fkda_dtype_name(dc->base.state_dtype), eo, es);
    if (!(eo < tol) || !(es < tol) || tu_count_nan(&fast.out))
        fail_msg("decode index=%d accepted=%d skip=%d state=%s layout=%d: err out %.3g pool %.3g, NaN %lld", dc->index, dc->accepted,
                 dc->skip, fkda_dtype_name(dc->base.state_dtype), dc->base.layout, eo, es, (long long)tu_count_nan(&fast.out));

    /* slots nobody writes are bit-identical to the pool as made; skipped sequences output zeros */
    const int64_t slots = dc->slots, per = tu_numel(&p.state_pool) / slots, N = p.in.N;
    char *written = calloc((size_t)slots, 1);
    const fkda_tensor *idx = &p.ssm_state_indices;
    for (int64_t n = 0; n < N; n++) {
        int64_t bos = p.in.cu_seqlens.rank ? (int64_t)tu_get(&p.in.cu_seqlens, n) : n * p.in.T;
        int64_t eos = p.in.cu_seqlens.rank ? (int64_t)tu_get(&p.in.cu_seqlens, n + 1) : bos + p.in.T;
        int64_t read = n;
        if (dc->index == TU_INDEX_N) read = (int64_t)tu_get(idx, n);
        if (dc->index == TU_INDEX_N_TMAX)
            read = (int64_t)tu_get(idx, n * dc->Tmax + (dc->accepted ? (int64_t)tu_get(&p.num_accepted_tokens, n) - 1 : 0));
        if (read < 0) {
            for (int64_t i = bos * dc->base.HV * dc->base.V; i < eos * dc->base.HV * dc->base.V; i++)
                assert_true(tu_get(&fast.out, i) == 0.0);
            continue;
        }
        if (eos == bos) continue;
        if (dc->index == TU_INDEX_N_TMAX) {
            for (int64_t t = 0; t < eos - bos; t++) {
                int64_t w = (int64_t)tu_get(idx, n * dc->Tmax + t);
                if (w >= 0) written[w] = 1;
            }
        } else {
            written[read] = 1;
        }
    }
    for (int64_t s = 0; s < slots; s++) {
        if (written[s]) continue;
        size_t es_ = fkda_dtype_size(p.state_pool.dtype);
        assert_memory_equal((char *)fast.state.data + (size_t)(s * per) * es_, (char *)p.pool_copy.data + (size_t)(s * per) * es_,
                            (size_t)per * es_);
    }
    free(written);
    tu_result_free(&fast);
    tu_result_free(&ref);
    tu_decode_free(&p);
}

static void decode_modes(void **state)
{
    (void)state;
    static const int64_t lens[] = {1, 0, 3, 2, 4, 1, 0, 2};
    uint64_t seed = 800;
    for (int index = 0; index < 3; index++)
        for (int skip = 0; skip < 2; skip++)
            for (int varlen = 0; varlen < 2; varlen++)
                for (int sd = 0; sd < 2; sd++) {
                    if (index == 0 && skip) continue;
                    tu_decode_case dc;
                    memset(&dc, 0, sizeof dc);
                    dc.base = tu_case_default();
                    dc.base.B = 8;
                    dc.base.T = index == 2 ? 3 : 1;
                    if (varlen) {
                        dc.base.nseq = 8;
                        dc.base.seqlens = lens;
                    }
                    dc.base.H = 2;
                    dc.base.HV = 4;
                    dc.base.state_dtype = sd ? FKDA_BFLOAT16 : FKDA_FLOAT32;
                    dc.base.layout = (fkda_state_layout)((seed / 2) % 2);
                    dc.base.cu_dtype = seed % 2 ? FKDA_INT32 : FKDA_INT64;
                    dc.base.seed = seed++;
                    dc.index = (tu_index_mode)index;
                    dc.Tmax = 4;
                    dc.accepted = index == 2 && (seed % 2);
                    dc.skip = skip;
                    dc.slots = 8 * 4 + 5;
                    check_decode(&dc);
                }
}

/* Decoding 64 tokens one call at a time equals prefilling them. */
static void decode_equals_prefill(void **state)
{
    (void)state;
    tu_case c = tu_case_default();
    c.T = 64;
    c.H = 2;
    c.HV = 4;
    c.K = c.V = 64;
    c.states = TU_STATE_BOTH;
    tu_prefill p;
    tu_prefill_make(&p, &c);
    tu_result pre;
    assert_int_equal(tu_prefill_run(&p, FKDA_BACKEND_CPU, 0, &pre), FKDA_SUCCESS);

    fkda_tensor pool = tu_tensor_copy(&p.initial_copy), out = tu_tensor_copy(&p.out);
    tu_fill_nan(&out);
    fkda_decode_args d = fkda_decode_args_default();
    d.A_log = p.args.A_log;
    d.dt_bias = p.args.dt_bias;
    d.state_pool = pool;
    d.flags = c.flags;
    d.backend = FKDA_BACKEND_CPU;
    fkda_tensor *src[6] = {&p.args.q, &p.args.k, &p.args.v, &p.args.g, &p.args.beta, &out};
    fkda_tensor *dst[6] = {&d.q, &d.k, &d.v, &d.g, &d.beta, &d.out};
    for (int64_t t = 0; t < c.T; t++) {
        for (int i = 0; i < 6; i++) {
            *dst[i] = *src[i];
            dst[i]->shape[1] = 1;
            dst[i]->data = (char *)src[i]->data + (size_t)(t * src[i]->stride[1]) * fkda_dtype_size(src[i]->dtype);
        }
        size_t bytes;
        assert_int_equal(fkda_decode_workspace_size(&d, &bytes), FKDA_SUCCESS);
        void *ws = malloc(bytes);
        assert_int_equal(fkda_decode(&d, ws, bytes, NULL), FKDA_SUCCESS);
        free(ws);
    }
    assert_true(tu_err_ratio(&out, &pre.out) < 1e-6);
    assert_true(tu_err_ratio(&pool, &pre.state) < 1e-6);
    tu_tensor_free(&pool);
    tu_tensor_free(&out);
    tu_result_free(&pre);
    tu_prefill_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ref_hand_case),
        cmocka_unit_test(ref_one_token_formulas),
        cmocka_unit_test(prefill_lengths),
        cmocka_unit_test(prefill_varlen),
        cmocka_unit_test(prefill_heads_gva),
        cmocka_unit_test(prefill_options),
        cmocka_unit_test(prefill_dtypes_strides),
        cmocka_unit_test(prefill_state_strides),
        cmocka_unit_test(prefill_realistic_128),
        cmocka_unit_test(prefill_odd_dims),
        cmocka_unit_test(prefill_extreme),
        cmocka_unit_test(prefill_threads_deterministic),
        cmocka_unit_test(prefill_split_invariant),
        cmocka_unit_test(decode_modes),
        cmocka_unit_test(decode_equals_prefill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
