/* Shared helpers of the C tests (see testutil.h). Inputs are drawn so that the recurrence behaves as in a
 * trained model: unit-norm keys, log-decays spread from about -1e-3 to -3 (state memory of a few to a
 * thousand tokens), beta in (0, 1). The "extreme" flavour pushes every gate to its limits. */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- random numbers ---------------------------------------------------------------------------- */
tu_rng tu_rng_make(uint64_t seed)
{
    tu_rng r = {seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull};
    return r;
}

uint64_t tu_rand_u64(tu_rng *r) /* splitmix64 */
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double tu_rand_uniform(tu_rng *r) { return (double)(tu_rand_u64(r) >> 11) * 0x1.0p-53; }

double tu_rand_normal(tu_rng *r)
{
    double u1 = tu_rand_uniform(r), u2 = tu_rand_uniform(r);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}

int64_t tu_rand_int(tu_rng *r, int64_t lo, int64_t hi) { return lo + (int64_t)(tu_rand_u64(r) % (uint64_t)(hi - lo + 1)); }

/* ---- element conversion ------------------------------------------------------------------------ */
static uint16_t f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static float bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, u;
    if (e == 0) return (sign ? -1.0f : 1.0f) * (float)m * 5.9604644775390625e-8f;
    u = sign | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13));
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Round to nearest even through frexp/ldexp: slow and simple, independent of the library's version. */
static uint16_t f32_to_f16(float f)
{
    if (isnan(f)) return 0x7e00;
    uint16_t sign = signbit(f) ? 0x8000 : 0;
    double a = fabs((double)f);
    if (a >= 65520.0) return sign | 0x7c00;
    if (a < 0x1.0p-14) return sign | (uint16_t)nearbyint(a * 0x1.0p24);
    int e;
    double m = frexp(a, &e);                     /* a = m 2^e, m in [0.5, 1) */
    double mant = nearbyint(m * 2048.0);         /* 11 significant bits      */
    if (mant == 2048.0) { mant = 1024.0; e++; }
    return sign | (uint16_t)((e + 14) << 10) | (uint16_t)((int)mant - 1024);
}

/* ---- host tensors ------------------------------------------------------------------------------ */
int64_t tu_numel(const fkda_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++) n *= t->shape[i];
    return t->rank ? n : 0;
}

fkda_tensor tu_tensor_new(fkda_dtype dtype, int rank, const int64_t *shape, const int64_t *stride)
{
    fkda_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = dtype;
    t.rank = rank;
    int64_t span = 1, empty = 0;
    for (int i = rank - 1; i >= 0; i--) {
        t.shape[i] = shape[i];
        t.stride[i] = stride ? stride[i] : (i == rank - 1 ? 1 : t.stride[i + 1] * t.shape[i + 1]);
        if (shape[i] == 0) empty = 1;
        span += (shape[i] - 1) * t.stride[i];
    }
    size_t bytes = empty ? 0 : (size_t)span * fkda_dtype_size(dtype);
    t.data = bytes ? calloc(1, bytes) : NULL;
    return t;
}

void tu_tensor_free(fkda_tensor *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

int64_t tu_offset(const fkda_tensor *t, int64_t linear)
{
    int64_t off = 0;
    for (int i = t->rank - 1; i >= 0; i--) {
        off += (linear % t->shape[i]) * t->stride[i];
        linear /= t->shape[i];
    }
    return off;
}

double tu_get(const fkda_tensor *t, int64_t linear)
{
    int64_t o = tu_offset(t, linear);
    switch (t->dtype) {
    case FKDA_BFLOAT16: return bf16_to_f32(((const uint16_t *)t->data)[o]);
    case FKDA_FLOAT16: return f16_to_f32(((const uint16_t *)t->data)[o]);
    case FKDA_FLOAT32: return ((const float *)t->data)[o];
    case FKDA_FLOAT64: return ((const double *)t->data)[o];
    case FKDA_INT32: return ((const int32_t *)t->data)[o];
    case FKDA_INT64: return (double)((const int64_t *)t->data)[o];
    default: return NAN;
    }
}

void tu_set(fkda_tensor *t, int64_t linear, double x)
{
    int64_t o = tu_offset(t, linear);
    switch (t->dtype) {
    case FKDA_BFLOAT16: ((uint16_t *)t->data)[o] = f32_to_bf16((float)x); break;
    case FKDA_FLOAT16: ((uint16_t *)t->data)[o] = f32_to_f16((float)x); break;
    case FKDA_FLOAT32: ((float *)t->data)[o] = (float)x; break;
    case FKDA_FLOAT64: ((double *)t->data)[o] = x; break;
    case FKDA_INT32: ((int32_t *)t->data)[o] = (int32_t)x; break;
    case FKDA_INT64: ((int64_t *)t->data)[o] = (int64_t)x; break;
    default: break;
    }
}

void tu_tensor_assign(fkda_tensor *dst, const fkda_tensor *src)
{
    int64_t n = tu_numel(src);
    size_t es = fkda_dtype_size(src->dtype);
    for (int64_t i = 0; i < n; i++) { /* bytewise when the dtypes agree: keeps NaN payloads and -0 */
        if (dst->dtype == src->dtype)
            memcpy((char *)dst->data + tu_offset(dst, i) * es, (const char *)src->data + tu_offset(src, i) * es, es);
        else
            tu_set(dst, i, tu_get(src, i));
    }
}

fkda_tensor tu_tensor_copy(const fkda_tensor *t)
{
    fkda_tensor c = tu_tensor_new(t->dtype, t->rank, t->shape, NULL);
    if (t->rank) tu_tensor_assign(&c, t);
    return c;
}

void tu_fill_normal(fkda_tensor *t, tu_rng *r, double mean, double std)
{
    for (int64_t i = 0, n = tu_numel(t); i < n; i++) tu_set(t, i, mean + std * tu_rand_normal(r));
}

void tu_fill_nan(fkda_tensor *t)
{
    for (int64_t i = 0, n = tu_numel(t); i < n; i++) tu_set(t, i, NAN);
}

int64_t tu_count_nan(const fkda_tensor *t)
{
    int64_t c = 0;
    for (int64_t i = 0, n = tu_numel(t); i < n; i++) c += isnan(tu_get(t, i)) != 0;
    return c;
}

double tu_err_ratio(const fkda_tensor *x, const fkda_tensor *ref)
{
    double num = 0.0, den = 0.0;
    for (int64_t i = 0, n = tu_numel(ref); i < n; i++) {
        double a = tu_get(x, i), b = tu_get(ref, i);
        num += (a - b) * (a - b);
        den += b * b;
    }
    if (isnan(num) || isnan(den)) return NAN;
    if (den == 0.0) return num == 0.0 ? 0.0 : INFINITY;
    return sqrt(num / den);
}

int tu_bitwise_equal(const fkda_tensor *a, const fkda_tensor *b)
{
    if (a->dtype != b->dtype || a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->shape[i] != b->shape[i]) return 0;
    size_t es = fkda_dtype_size(a->dtype);
    for (int64_t i = 0, n = tu_numel(a); i < n; i++)
        if (memcmp((const char *)a->data + tu_offset(a, i) * es, (const char *)b->data + tu_offset(b, i) * es, es)) return 0;
    return 1;
}

/* ---- problems ---------------------------------------------------------------------------------- */
tu_case tu_case_default(void)
{
    tu_case c;
    memset(&c, 0, sizeof c);
    c.B = 1;
    c.T = 16;
    c.H = c.HV = 2;
    c.K = c.V = 32;
    c.dtype = c.state_dtype = FKDA_FLOAT32;
    c.cu_dtype = FKDA_INT64;
    c.states = TU_STATE_BOTH;
    c.layout = FKDA_STATE_V_FIRST;
    c.gate = FKDA_GATE_BOUNDED;
    c.lower_bound = -5.0f;
    c.A_log = c.dt_bias = 1;
    c.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    c.scale = FKDA_DEFAULT_SCALE;
    c.seed = 1;
    return c;
}

/* A token-major input [B, T, heads, dim] (dim 0: [B, T, heads]); strided: a view into a wider buffer. */
static fkda_tensor token_tensor(const tu_case *c, int64_t B, int64_t T, int64_t heads, int64_t dim, int which)
{
    int rank = dim ? 4 : 3;
    int64_t shape[4] = {B, T, heads, dim};
    if (!c->strided) return tu_tensor_new(c->dtype, rank, shape, NULL);
    int64_t st[4];
    if (dim) { /* which 0: padded rows of heads; 1: every other element */
        int64_t inner = which ? 2 : 1, hs = which ? 2 * dim : dim + 5;
        st[3] = inner;
        st[2] = hs;
        st[1] = hs * heads + 3;
        st[0] = st[1] * T;
    } else { /* beta as a column of [B, T, heads, 3] */
        st[2] = 3;
        st[1] = 3 * heads;
        st[0] = st[1] * T;
    }
    return tu_tensor_new(c->dtype, rank, shape, st);
}

/* Fills a [B, T, heads, dim] tensor with unit-norm rows of dim elements. */
static void fill_unit_rows(fkda_tensor *t, tu_rng *r)
{
    int64_t dim = t->shape[3], rows = tu_numel(t) / dim;
    double *x = malloc(sizeof(double) * (size_t)dim);
    for (int64_t row = 0; row < rows; row++) {
        double ss = 0.0;
        for (int64_t i = 0; i < dim; i++) {
            x[i] = tu_rand_normal(r);
            ss += x[i] * x[i];
        }
        for (int64_t i = 0; i < dim; i++) tu_set(t, row * dim + i, x[i] / sqrt(ss));
    }
    free(x);
}

static double gate_value(const tu_case *c, tu_rng *r)
{
    if (c->extreme) {
        int kind = (int)tu_rand_int(r, 0, 2); /* 0: decay ~1, 1: fastest decay, 2: ordinary */
        switch (c->gate) {
        case FKDA_GATE_BOUNDED: return kind == 0 ? -60.0 : kind == 1 ? 60.0 : tu_rand_normal(r); /* a -> lb */
        case FKDA_GATE_SOFTPLUS: return kind == 0 ? -40.0 : kind == 1 ? 20.0 + 40.0 * tu_rand_uniform(r) : tu_rand_normal(r);
        case FKDA_GATE_PRECOMPUTED: return kind == 0 ? -0.0 : kind == 1 ? -200.0 : -exp(tu_rand_normal(r));
        }
    }
    if (c->gate == FKDA_GATE_PRECOMPUTED) return -exp(-3.0 + 1.5 * tu_rand_normal(r));
    return -4.0 + 2.0 * tu_rand_normal(r);
}

void tu_prefill_make(tu_prefill *p, const tu_case *c)
{
    memset(p, 0, sizeof *p);
    p->c = *c;
    tu_rng r = tu_rng_make(c->seed);
    int64_t B = c->B, T = c->T;
    if (c->nseq > 0) {
        B = 1;
        T = 0;
        p->seqlens = malloc(sizeof(int64_t) * (size_t)c->nseq);
        for (int64_t n = 0; n < c->nseq; n++) T += (p->seqlens[n] = c->seqlens[n]);
        p->c.seqlens = p->seqlens;
        int64_t cs[1] = {c->nseq + 1};
        p->cu_seqlens = tu_tensor_new(c->cu_dtype, 1, cs, NULL);
        for (int64_t n = 0, acc = 0; n <= c->nseq; n++) {
            tu_set(&p->cu_seqlens, n, (double)acc);
            if (n < c->nseq) acc += c->seqlens[n];
        }
    }
    p->c.B = B;
    p->T = p->c.T = T;
    p->N = c->nseq > 0 ? c->nseq : B;
    const int64_t H = c->H, HV = c->HV, K = c->K, V = c->V, N = p->N;

    p->q = token_tensor(c, B, T, H, K, 0);
    p->k = token_tensor(c, B, T, H, K, 0);
    p->v = token_tensor(c, B, T, HV, V, 1);
    p->g = token_tensor(c, B, T, HV, K, 0);
    p->beta = token_tensor(c, B, T, HV, 0, 0);
    int64_t oshape[4] = {B, T, HV, V};
    p->out = tu_tensor_new(c->dtype, 4, oshape, NULL);

    if (c->flags & FKDA_QK_L2NORM) {
        tu_fill_normal(&p->q, &r, 0.0, 1.0);
        tu_fill_normal(&p->k, &r, 0.0, 1.0);
    } else {
        fill_unit_rows(&p->q, &r);
        fill_unit_rows(&p->k, &r);
    }
    tu_fill_normal(&p->v, &r, 0.0, 1.0);
    for (int64_t i = 0, n = tu_numel(&p->g); i < n; i++) tu_set(&p->g, i, gate_value(c, &r));
    for (int64_t i = 0, n = tu_numel(&p->beta); i < n; i++) {
        double b = (c->flags & FKDA_BETA_SIGMOID) ? (c->extreme ? (tu_rand_int(&r, 0, 1) ? 30.0 : -30.0) : 1.5 * tu_rand_normal(&r))
                                                  : 0.05 + 0.9 * tu_rand_uniform(&r);
        tu_set(&p->beta, i, b);
    }
    if (c->gate != FKDA_GATE_PRECOMPUTED) {
        if (c->A_log) {
            int64_t s[1] = {HV};
            p->A_log = tu_tensor_new(FKDA_FLOAT32, 1, s, NULL);
            for (int64_t h = 0; h < HV; h++)
                tu_set(&p->A_log, h, log(c->gate == FKDA_GATE_BOUNDED ? 0.5 + 1.5 * tu_rand_uniform(&r) : 0.1 + 0.9 * tu_rand_uniform(&r)));
        }
        if (c->dt_bias) {
            int64_t s2[2] = {HV, K}, s1[1] = {HV * K};
            p->dt_bias = c->dt_bias_flat ? tu_tensor_new(FKDA_FLOAT32, 1, s1, NULL) : tu_tensor_new(FKDA_FLOAT32, 2, s2, NULL);
            tu_fill_normal(&p->dt_bias, &r, 0.0, 0.5);
        }
    }
    int64_t sshape[4] = {N, HV, c->layout == FKDA_STATE_V_FIRST ? V : K, c->layout == FKDA_STATE_V_FIRST ? K : V};
    int64_t sstride[4] = {HV * sshape[2] * sshape[3], sshape[2] * sshape[3], 1, sshape[2]};
    const int64_t *st = c->state_strided ? sstride : NULL;
    if (c->states == TU_STATE_IN || c->states == TU_STATE_BOTH || c->states == TU_STATE_IN_PLACE) {
        p->initial_state = tu_tensor_new(c->state_dtype, 4, sshape, st);
        tu_fill_normal(&p->initial_state, &r, 0.0, 0.3);
        p->initial_copy = tu_tensor_copy(&p->initial_state);
    }
    if (c->states == TU_STATE_OUT || c->states == TU_STATE_BOTH) p->final_state = tu_tensor_new(c->state_dtype, 4, sshape, st);
    if (c->states == TU_STATE_IN_PLACE) p->final_state = p->initial_state;

    fkda_prefill_args a = fkda_prefill_args_default();
    a.q = p->q;
    a.k = p->k;
    a.v = p->v;
    a.g = p->g;
    a.beta = p->beta;
    a.A_log = p->A_log;
    a.dt_bias = p->dt_bias;
    a.initial_state = p->initial_state;
    a.final_state = p->final_state;
    a.cu_seqlens = p->cu_seqlens;
    a.out = p->out;
    a.scale = c->scale;
    a.lower_bound = c->lower_bound;
    a.flags = c->flags;
    a.gate = c->gate;
    a.state_layout = c->layout;
    p->args = a;
}

void tu_prefill_free(tu_prefill *p)
{
    int in_place = p->c.states == TU_STATE_IN_PLACE;
    fkda_tensor *ts[] = {&p->q, &p->k, &p->v, &p->g, &p->beta, &p->A_log, &p->dt_bias, &p->initial_state, &p->cu_seqlens,
                         &p->out, &p->initial_copy};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) tu_tensor_free(ts[i]);
    if (!in_place) tu_tensor_free(&p->final_state);
    free(p->seqlens);
    memset(p, 0, sizeof *p);
}

void tu_result_free(tu_result *r)
{
    tu_tensor_free(&r->out);
    tu_tensor_free(&r->state);
}

static void *workspace_for(fkda_status st, size_t bytes) { return st == FKDA_SUCCESS && bytes ? malloc(bytes) : NULL; }

fkda_status tu_prefill_run(tu_prefill *p, fkda_backend backend, int num_threads, tu_result *res)
{
    if (p->initial_state.rank) tu_tensor_assign(&p->initial_state, &p->initial_copy);
    tu_fill_nan(&p->out);
    if (p->final_state.rank && p->c.states != TU_STATE_IN_PLACE) tu_fill_nan(&p->final_state);
    p->args.backend = backend;
    p->args.num_threads = num_threads;
    size_t bytes = 0;
    fkda_status st = fkda_prefill_workspace_size(&p->args, &bytes);
    void *ws = workspace_for(st, bytes);
    if (st == FKDA_SUCCESS) st = fkda_prefill(&p->args, ws, bytes, NULL);
    free(ws);
    if (res) {
        memset(res, 0, sizeof *res);
        res->out = tu_tensor_copy(&p->out);
        if (p->final_state.rank) res->state = tu_tensor_copy(&p->final_state);
    }
    return st;
}

/* ---- decode -------------------------------------------------------------------------------------- */
void tu_decode_make(tu_decode *p, const tu_decode_case *c)
{
    memset(p, 0, sizeof *p);
    p->c = *c;
    tu_case base = c->base;
    base.states = TU_STATE_NONE;
    tu_prefill_make(&p->in, &base);
    tu_rng r = tu_rng_make(c->base.seed ^ 0xdec0deull);
    const int64_t N = p->in.N, HV = base.HV, K = base.K, V = base.V;
    int64_t pshape[4] = {c->slots, HV, base.layout == FKDA_STATE_V_FIRST ? V : K, base.layout == FKDA_STATE_V_FIRST ? K : V};
    p->state_pool = tu_tensor_new(base.state_dtype, 4, pshape, NULL);
    tu_fill_normal(&p->state_pool, &r, 0.0, 0.3);
    p->pool_copy = tu_tensor_copy(&p->state_pool);

    /* distinct slots for every entry: a random permutation of the pool */
    int64_t *perm = malloc(sizeof(int64_t) * (size_t)c->slots);
    for (int64_t i = 0; i < c->slots; i++) perm[i] = i;
    for (int64_t i = c->slots - 1; i > 0; i--) {
        int64_t j = tu_rand_int(&r, 0, i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    if (c->index == TU_INDEX_N) {
        int64_t s[1] = {N};
        p->ssm_state_indices = tu_tensor_new(base.cu_dtype, 1, s, NULL);
        for (int64_t n = 0; n < N; n++) tu_set(&p->ssm_state_indices, n, c->skip && n % 3 == 1 ? -1.0 : (double)perm[n]);
    } else if (c->index == TU_INDEX_N_TMAX) {
        int64_t s[2] = {N, c->Tmax}, s1[1] = {N};
        p->ssm_state_indices = tu_tensor_new(base.cu_dtype, 2, s, NULL);
        if (c->accepted) p->num_accepted_tokens = tu_tensor_new(base.cu_dtype, 1, s1, NULL);
        for (int64_t n = 0; n < N; n++) {
            int64_t acc = c->accepted ? tu_rand_int(&r, 1, c->Tmax) : 1;
            if (c->accepted) tu_set(&p->num_accepted_tokens, n, (double)acc);
            for (int64_t t = 0; t < c->Tmax; t++) {
                double slot = (double)perm[n * c->Tmax + t];
                if (c->skip && t != acc - 1 && tu_rand_int(&r, 0, 3) == 0) slot = -1.0; /* skipped write */
                if (c->skip && n % 3 == 1 && t == acc - 1) slot = -1.0;                 /* skipped sequence */
                tu_set(&p->ssm_state_indices, n * c->Tmax + t, slot);
            }
        }
    }
    free(perm);

    fkda_decode_args a = fkda_decode_args_default();
    const fkda_prefill_args *pa = &p->in.args;
    a.q = pa->q;
    a.k = pa->k;
    a.v = pa->v;
    a.g = pa->g;
    a.beta = pa->beta;
    a.A_log = pa->A_log;
    a.dt_bias = pa->dt_bias;
    a.cu_seqlens = pa->cu_seqlens;
    a.out = pa->out;
    a.scale = pa->scale;
    a.lower_bound = pa->lower_bound;
    a.flags = pa->flags;
    a.gate = pa->gate;
    a.state_layout = pa->state_layout;
    a.state_pool = p->state_pool;
    a.ssm_state_indices = p->ssm_state_indices;
    a.num_accepted_tokens = p->num_accepted_tokens;
    p->args = a;
}

void tu_decode_free(tu_decode *p)
{
    tu_prefill_free(&p->in);
    tu_tensor_free(&p->state_pool);
    tu_tensor_free(&p->pool_copy);
    tu_tensor_free(&p->ssm_state_indices);
    tu_tensor_free(&p->num_accepted_tokens);
    memset(p, 0, sizeof *p);
}

fkda_status tu_decode_run(tu_decode *p, fkda_backend backend, int num_threads, tu_result *res)
{
    tu_tensor_assign(&p->state_pool, &p->pool_copy);
    tu_fill_nan(&p->in.out);
    p->args.backend = backend;
    p->args.num_threads = num_threads;
    size_t bytes = 0;
    fkda_status st = fkda_decode_workspace_size(&p->args, &bytes);
    void *ws = workspace_for(st, bytes);
    if (st == FKDA_SUCCESS) st = fkda_decode(&p->args, ws, bytes, NULL);
    free(ws);
    if (res) {
        memset(res, 0, sizeof *res);
        res->out = tu_tensor_copy(&p->in.out);
        res->state = tu_tensor_copy(&p->state_pool);
    }
    return st;
}
