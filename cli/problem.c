/* A KDA prefill problem for the command-line tool: generation of random but realistic inputs, import
 * and export through safetensors, a timed run on one backend, and the error check against the fp64
 * reference on a few value heads:  err_ratio(x, ref) = RMS(x - ref) / RMS(ref). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli.h"
#include "safetensors.h"

#define ERR(...) (snprintf(err, CLI_ERRLEN, __VA_ARGS__), -1)

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cli_max_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void cli_opts_default(cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->dtype = FKDA_BFLOAT16;
    o->gate = FKDA_GATE_BOUNDED;
    o->scale = FKDA_DEFAULT_SCALE;
    o->lower_bound = -5.0f;
    o->flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    o->layout = FKDA_STATE_V_FIRST;
    o->initial_state = 1;
    o->seed = 42;
}

/* ---- names and shapes ------------------------------------------------------------------------------ */
int cli_parse_dtype(const char *name, fkda_dtype *d)
{
    static const fkda_dtype all[] = {FKDA_BFLOAT16, FKDA_FLOAT16, FKDA_FLOAT32};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, fkda_dtype_name(all[i])) == 0) {
            *d = all[i];
            return 0;
        }
    return -1;
}

static const char *gate_names[] = {"bounded", "softplus", "precomputed"};

int cli_parse_gate(const char *name, fkda_gate_mode *g)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, gate_names[i]) == 0) {
            *g = (fkda_gate_mode)i;
            return 0;
        }
    return -1;
}

const char *cli_gate_name(fkda_gate_mode g)
{
    return (unsigned)g < 3 ? gate_names[g] : "?";
}

static int parse_pos(const char **s, int64_t *v)
{
    char *end;
    if (**s < '0' || **s > '9')
        return -1;
    long long x = strtoll(*s, &end, 10);
    if (x < 0 || x > 0x7fffffffll) /* keeps products of extents within int64 */
        return -1;
    *v = x;
    *s = end;
    return 0;
}

int cli_parse_shape(const char *spec, cli_shape *s, char *err)
{
    memset(s, 0, sizeof *s);
    const char *p = spec;
    int ok = parse_pos(&p, &s->H) == 0;
    s->HV = s->H;
    if (ok && *p == '/')
        p++, ok = parse_pos(&p, &s->HV) == 0;
    ok = ok && *p++ == 'x' && parse_pos(&p, &s->K) == 0 && *p++ == 'x' && parse_pos(&p, &s->V) == 0 && *p++ == '@';
    int64_t first = 0;
    ok = ok && parse_pos(&p, &first) == 0;
    if (ok && *p == 'x') { /* BxT: B rows of T tokens */
        p++;
        s->B = first;
        ok = parse_pos(&p, &s->T) == 0 && *p == 0;
    } else if (ok) {
        s->seqlens[s->nseq++] = first;
        s->T = first;
        while (ok && *p == '+') {
            p++;
            ok = s->nseq < CLI_MAX_SEQS && parse_pos(&p, &s->seqlens[s->nseq]) == 0;
            s->T += s->seqlens[s->nseq++];
        }
        ok = ok && *p == 0;
        s->varlen = s->nseq > 1;
        s->B = 1;
    }
    if (!ok || s->H <= 0 || s->HV <= 0 || s->K <= 0 || s->V <= 0 || s->B <= 0)
        return ERR("bad shape '%s': expected H[/HV]xKxV@T1+T2+... or H[/HV]xKxV@BxT, e.g. %s", spec,
                   CLI_DEFAULT_SHAPE);
    return 0;
}

void cli_format_shape(const cli_shape *s, char *buf, size_t len)
{
    int n = s->HV == s->H ? snprintf(buf, len, "%" PRId64, s->H) : snprintf(buf, len, "%" PRId64 "/%" PRId64, s->H, s->HV);
    n += snprintf(buf + n, len - (size_t)n, "x%" PRId64 "x%" PRId64 "@", s->K, s->V);
    if (!s->varlen)
        n += s->B == 1 ? snprintf(buf + n, len - (size_t)n, "%" PRId64, s->T)
                       : snprintf(buf + n, len - (size_t)n, "%" PRId64 "x%" PRId64, s->B, s->T);
    for (int i = 0; s->varlen && i < s->nseq && (size_t)n < len; i++)
        n += snprintf(buf + n, len - (size_t)n, "%s%" PRId64, i ? "+" : "", s->seqlens[i]);
}

/* ---- element conversions --------------------------------------------------------------------------- */
static uint16_t f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)(x >> 16 | 0x40); /* quiet NaN */
    return (uint16_t)((x + 0x7fffu + (x >> 16 & 1)) >> 16); /* round to nearest even */
}

static float bf16_to_f32(uint16_t h)
{
    uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

static uint16_t f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = x >> 16 & 0x8000, e = x >> 23 & 0xff, m = x & 0x7fffff;
    if (e == 0xff)
        return (uint16_t)(sign | 0x7c00 | (m ? 0x200 : 0));
    int ne = (int)e - 127 + 15;
    if (ne >= 31)
        return (uint16_t)(sign | 0x7c00);
    if (ne <= 0) { /* subnormal half: value = h * 2^-24 */
        if (ne < -10)
            return (uint16_t)sign;
        m |= 0x800000;
        int shift = 14 - ne;
        uint32_t h = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        h += rem > half || (rem == half && (h & 1));
        return (uint16_t)(sign | h);
    }
    uint32_t h = (uint32_t)ne << 10 | m >> 13, rem = m & 0x1fff;
    h += rem > 0x1000 || (rem == 0x1000 && (h & 1)); /* a carry into the exponent is still correct */
    return (uint16_t)(sign | h);
}

static float f16_to_f32(uint16_t h)
{
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    float f = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 0x400), e - 25);
    return h & 0x8000 ? -f : f;
}

static double load(const void *base, fkda_dtype d, int64_t i)
{
    switch (d) {
    case FKDA_BFLOAT16: return bf16_to_f32(((const uint16_t *)base)[i]);
    case FKDA_FLOAT16: return f16_to_f32(((const uint16_t *)base)[i]);
    case FKDA_FLOAT32: return ((const float *)base)[i];
    case FKDA_FLOAT64: return ((const double *)base)[i];
    case FKDA_INT32: return ((const int32_t *)base)[i];
    case FKDA_INT64: return (double)((const int64_t *)base)[i];
    default: return NAN;
    }
}

static void store(void *base, fkda_dtype d, int64_t i, float x)
{
    switch (d) {
    case FKDA_BFLOAT16: ((uint16_t *)base)[i] = f32_to_bf16(x); break;
    case FKDA_FLOAT16: ((uint16_t *)base)[i] = f32_to_f16(x); break;
    case FKDA_FLOAT32: ((float *)base)[i] = x; break;
    default: break;
    }
}

/* ---- random inputs ---------------------------------------------------------------------------------- */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static float uniform(uint64_t *s) /* in [0, 1) */
{
    return (float)(splitmix64(s) >> 40) * (1.0f / 16777216.0f);
}

/* Irwin-Hall: the sum of four uniforms, centred and scaled to unit variance. Close enough to a normal
 * for test data and several times cheaper than Box-Muller on the 10^8 values of a large problem. */
static float normal(uint64_t *s)
{
    return (uniform(s) + uniform(s) + uniform(s) + uniform(s) - 2.0f) * 1.7320508f;
}

static int numel(const fkda_tensor *t, int64_t *n)
{
    int64_t c = 1;
    for (int d = 0; d < t->rank; d++) {
        if (t->shape[d] < 0 || (t->shape[d] > 0 && c > (INT64_C(1) << 40) / t->shape[d]))
            return -1;
        c *= t->shape[d];
    }
    *n = c;
    return 0;
}

/* A zeroed contiguous host tensor owned by p. */
static int alloc_tensor(cli_problem *p, fkda_tensor *t, fkda_dtype d, int rank, const int64_t *shape, const char *name,
                        char *err)
{
    int64_t n;
    *t = fkda_tensor_contiguous(NULL, d, rank, shape);
    if (numel(t, &n) != 0)
        return ERR("%s: shape too large", name);
    if (p->nmem == (int)(sizeof p->mem / sizeof p->mem[0]))
        return ERR("internal: too many tensors");
    t->data = calloc((size_t)(n ? n : 1), fkda_dtype_size(d));
    if (!t->data)
        return ERR("%s: out of memory (%" PRId64 " elements)", name, n);
    p->mem[p->nmem++] = t->data;
    return 0;
}

static void fill(fkda_tensor *t, uint64_t seed, float mean, float sd)
{
    int64_t n = 0;
    numel(t, &n);
    for (int64_t i = 0; i < n; i++)
        store(t->data, t->dtype, i, mean + sd * normal(&seed));
}

static void set_options(cli_problem *p, const cli_opts *o)
{
    p->args = fkda_prefill_args_default();
    p->args.scale = o->scale;
    p->args.lower_bound = o->lower_bound;
    p->args.flags = o->flags;
    p->args.gate = o->gate;
    p->args.state_layout = o->layout;
    p->args.num_threads = o->num_threads;
}

static int alloc_outputs(cli_problem *p, char *err)
{
    fkda_prefill_args *a = &p->args;
    int64_t os[4] = {p->B, p->T, p->HV, p->V};
    int64_t ss[4] = {p->N, p->HV, p->V, p->K};
    if (a->state_layout == FKDA_STATE_K_FIRST)
        ss[2] = p->K, ss[3] = p->V;
    if (alloc_tensor(p, &a->out, a->v.dtype, 4, os, "out", err) || alloc_tensor(p, &a->final_state, FKDA_FLOAT32, 4, ss, "final_state", err))
        return -1;
    return 0;
}

int cli_problem_generate(cli_problem *p, const cli_shape *s, const cli_opts *o, char *err)
{
    memset(p, 0, sizeof *p);
    set_options(p, o);
    fkda_prefill_args *a = &p->args;
    p->B = s->B, p->T = s->T, p->H = s->H, p->HV = s->HV, p->K = s->K, p->V = s->V;
    p->N = s->varlen ? s->nseq : s->B;
    int64_t qs[4] = {p->B, p->T, p->H, p->K}, vs[4] = {p->B, p->T, p->HV, p->V}, gs[4] = {p->B, p->T, p->HV, p->K};
    int64_t hk[2] = {p->HV, p->K}, ns[1] = {p->N + 1};
    int64_t ss[4] = {p->N, p->HV, p->V, p->K};
    if (o->layout == FKDA_STATE_K_FIRST)
        ss[2] = p->K, ss[3] = p->V;
    uint64_t seed = o->seed * 0x100000001b3ull;
    if (alloc_tensor(p, &a->q, o->dtype, 4, qs, "q", err) || alloc_tensor(p, &a->k, o->dtype, 4, qs, "k", err) ||
        alloc_tensor(p, &a->v, o->dtype, 4, vs, "v", err) || alloc_tensor(p, &a->g, o->dtype, 4, gs, "g", err) ||
        alloc_tensor(p, &a->beta, o->dtype, 3, vs, "beta", err))
        return -1;
    /* Without the in-kernel L2 norm the delta rule is stable only for |k| <= about 1: scale by K^-0.5. */
    float qk_sd = o->flags & FKDA_QK_L2NORM ? 1.0f : 1.0f / sqrtf((float)p->K);
    fill(&a->q, seed + 1, 0.0f, qk_sd);
    fill(&a->k, seed + 2, 0.0f, qk_sd);
    fill(&a->v, seed + 3, 0.0f, 1.0f);
    /* beta: logits around 0 (sigmoid in the kernel) or values in (0, 1). */
    fill(&a->beta, seed + 4, o->flags & FKDA_BETA_SIGMOID ? 0.0f : 0.5f, o->flags & FKDA_BETA_SIGMOID ? 1.0f : 0.25f);
    if (!(o->flags & FKDA_BETA_SIGMOID)) { /* keep beta in [0.01, 1] */
        int64_t n = p->B * p->T * p->HV;
        for (int64_t i = 0; i < n; i++)
            store(a->beta.data, a->beta.dtype, i, fminf(1.0f, fmaxf(0.01f, (float)load(a->beta.data, a->beta.dtype, i))));
    }
    if (o->gate == FKDA_GATE_PRECOMPUTED) {
        /* log-decays -exp(N(-3, 1)): mostly slow (about -0.05), a few fast channels */
        uint64_t sd = seed + 5;
        for (int64_t i = 0; i < p->B * p->T * p->HV * p->K; i++)
            store(a->g.data, a->g.dtype, i, -expf(-3.0f + normal(&sd)));
    } else {
        /* Realistic gates: x = g + dt_bias with dt_bias around -2 makes most channels decay slowly
         * (a about -0.1 per token with the bounded gate) and a few fast; A_log = log U(0.5, 4). */
        fill(&a->g, seed + 5, 0.0f, 1.0f);
        if (alloc_tensor(p, &a->A_log, FKDA_FLOAT32, 1, &p->HV, "A_log", err) ||
            alloc_tensor(p, &a->dt_bias, FKDA_FLOAT32, 2, hk, "dt_bias", err))
            return -1;
        uint64_t sd = seed + 6;
        for (int64_t h = 0; h < p->HV; h++)
            ((float *)a->A_log.data)[h] = logf(0.5f + 3.5f * uniform(&sd));
        fill(&a->dt_bias, seed + 7, -2.0f, 1.0f);
    }
    if (s->varlen) {
        if (alloc_tensor(p, &a->cu_seqlens, FKDA_INT64, 1, ns, "cu_seqlens", err))
            return -1;
        int64_t *cu = a->cu_seqlens.data;
        for (int i = 0; i < s->nseq; i++)
            cu[i + 1] = cu[i] + s->seqlens[i];
    }
    if (o->initial_state) {
        if (alloc_tensor(p, &a->initial_state, FKDA_FLOAT32, 4, ss, "initial_state", err))
            return -1;
        fill(&a->initial_state, seed + 8, 0.0f, 0.5f);
    }
    return alloc_outputs(p, err);
}

/* ---- safetensors import / export -------------------------------------------------------------------- */
static const char *input_names[] = {"q", "k", "v", "g", "beta", "A_log", "dt_bias", "cu_seqlens", "initial_state"};
#define N_INPUTS 9
#define N_REQUIRED 5

static fkda_tensor *input_slot(fkda_prefill_args *a, int i)
{
    fkda_tensor *slots[N_INPUTS] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens,
                                    &a->initial_state};
    return slots[i];
}

/* Replaces a floating-point host tensor by an f32 copy (A_log and dt_bias are f32-only in the API, but a
 * model may keep them in bf16). */
static int to_f32(cli_problem *p, fkda_tensor *t, const char *name, char *err)
{
    if (t->dtype == FKDA_FLOAT32 || t->rank == 0)
        return 0;
    if (t->dtype == FKDA_INT32 || t->dtype == FKDA_INT64)
        return ERR("%s: integer dtype %s, expected floating point", name, fkda_dtype_name(t->dtype));
    fkda_tensor src = *t;
    int64_t n = 0;
    if (alloc_tensor(p, t, FKDA_FLOAT32, src.rank, src.shape, name, err))
        return -1;
    numel(&src, &n);
    for (int64_t i = 0; i < n; i++)
        ((float *)t->data)[i] = (float)load(src.data, src.dtype, i);
    return 0;
}

int cli_problem_load(cli_problem *p, const char *path, const cli_opts *o, char *err)
{
    memset(p, 0, sizeof *p);
    set_options(p, o);
    fkda_prefill_args *a = &p->args;
    st_file f;
    if (st_load(path, &f, err, CLI_ERRLEN))
        return -1;
    int rc = 0;
    for (int i = 0; i < f.count; i++) {
        int known = 0;
        for (int j = 0; j < N_INPUTS; j++)
            known |= strcmp(f.tensors[i].name, input_names[j]) == 0;
        if (!known)
            fprintf(stderr, "flashkda: %s: ignoring tensor '%s'\n", path, f.tensors[i].name);
    }
    for (int i = 0; i < N_INPUTS && rc == 0; i++) {
        st_tensor *t = st_get(&f, input_names[i]);
        if (!t) {
            if (i < N_REQUIRED)
                rc = ERR("%s: tensor '%s' is missing (q, k, v, g and beta are required)", path, input_names[i]);
            continue;
        }
        if (t->fdtype == FKDA_DTYPE_INVALID)
            rc = ERR("%s: tensor '%s': dtype %s is not supported (BF16, F16, F32, I32 or I64)", path, t->name, t->dtype);
        else if (t->rank > FKDA_MAX_RANK || t->rank == 0)
            rc = ERR("%s: tensor '%s': rank %d is not supported", path, t->name, t->rank);
        if (rc)
            break;
        /* Token-major tensors without the batch axis ([T, H, K], as vLLM keeps them) get B = 1. */
        int64_t shape[FKDA_MAX_RANK + 1] = {1};
        int promote = (i < 4 && t->rank == 3) || (i == 4 && t->rank == 2);
        memcpy(shape + promote, t->shape, sizeof(int64_t) * (size_t)t->rank);
        fkda_tensor *slot = input_slot(a, i);
        *slot = fkda_tensor_contiguous(t->data, t->fdtype, t->rank + promote, shape);
        p->mem[p->nmem++] = t->data; /* p now owns the bytes */
        t->data = NULL;
    }
    st_free(&f);
    if (rc)
        return -1;
    if (to_f32(p, &a->A_log, "A_log", err) || to_f32(p, &a->dt_bias, "dt_bias", err))
        return -1;
    if (a->q.rank != 4 || a->v.rank != 4)
        return ERR("%s: q and v must be [B, T, H, K] / [B, T, HV, V] (or [T, H, K] / [T, HV, V])", path);
    p->B = a->q.shape[0], p->T = a->q.shape[1], p->H = a->q.shape[2], p->K = a->q.shape[3];
    p->HV = a->v.shape[2], p->V = a->v.shape[3];
    p->N = p->B;
    if (a->cu_seqlens.rank) {
        if (a->cu_seqlens.rank != 1 || a->cu_seqlens.shape[0] < 1)
            return ERR("%s: cu_seqlens must be [N+1]", path);
        p->N = a->cu_seqlens.shape[0] - 1;
    }
    return alloc_outputs(p, err);
}

static int save(const char *path, const fkda_tensor *const *ts, const char *const *names, int n, char *err)
{
    st_entry e[N_INPUTS];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (ts[i]->rank)
            e[m++] = (st_entry){names[i], ts[i]->dtype, ts[i]->rank, ts[i]->shape, ts[i]->data};
    return st_save(path, e, m, "format", "pt", err, CLI_ERRLEN);
}

int cli_problem_save_inputs(const cli_problem *p, const char *path, char *err)
{
    const fkda_prefill_args *a = &p->args;
    const fkda_tensor *ts[N_INPUTS] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens,
                                       &a->initial_state};
    return save(path, ts, input_names, N_INPUTS, err);
}

int cli_problem_save_outputs(const cli_problem *p, const char *path, char *err)
{
    const fkda_tensor *ts[2] = {&p->args.out, &p->args.final_state};
    const char *names[2] = {"out", "final_state"};
    return save(path, ts, names, 2, err);
}

void cli_problem_free(cli_problem *p)
{
    for (int i = 0; i < p->nmem; i++)
        free(p->mem[i]);
    memset(p, 0, sizeof *p);
}

/* ---- running ----------------------------------------------------------------------------------------- */
/* Bytes from the first to one past the last element of a (possibly strided) view. */
static size_t span_bytes(const fkda_tensor *t)
{
    if (t->rank == 0)
        return 0;
    int64_t last = 0;
    for (int d = 0; d < t->rank; d++) {
        if (t->shape[d] == 0)
            return 0;
        last += (t->shape[d] - 1) * t->stride[d];
    }
    return (size_t)(last + 1) * fkda_dtype_size(t->dtype);
}

static fkda_tensor *arg_tensors(fkda_prefill_args *a, int i)
{
    fkda_tensor *all[] = {&a->q, &a->k, &a->v, &a->g, &a->beta, &a->A_log, &a->dt_bias, &a->cu_seqlens,
                          &a->initial_state, &a->out, &a->final_state};
    return i < 11 ? all[i] : NULL;
}

/* Device copies of every tensor of h in d (outputs allocated, not copied). */
static int mirror_to_device(const fkda_prefill_args *h, fkda_prefill_args *d, char *err)
{
    for (int i = 0; i < 11; i++) {
        fkda_tensor *t = arg_tensors(d, i);
        size_t bytes = span_bytes(t);
        t->data = NULL;
        if (bytes == 0)
            continue;
        if (cli_dev_alloc(&t->data, bytes, err) ||
            (i < 9 && cli_dev_copy(t->data, arg_tensors((fkda_prefill_args *)h, i)->data, bytes, 1, err)))
            return -1;
    }
    d->cu_seqlens_host = h->cu_seqlens; /* lets the library check the sequence bounds on the host */
    return 0;
}

static void free_device(fkda_prefill_args *d)
{
    for (int i = 0; i < 11; i++)
        cli_dev_free(arg_tensors(d, i)->data);
}

int cli_problem_run(cli_problem *p, fkda_backend backend, int warmup, int repeats, double *seconds, char *err)
{
    fkda_prefill_args a = p->args;
    a.backend = backend;
    int cuda = backend == FKDA_BACKEND_CUDA;
    if (cuda && !cli_cuda_usable())
        return ERR("the CUDA backend is not available (not compiled in or no device)");
    int rc = 0;
    void *ws = NULL;
    size_t ws_bytes = 0;
    if (cuda) {
        for (int i = 0; i < 11; i++)
            arg_tensors(&a, i)->data = NULL;
        rc = mirror_to_device(&p->args, &a, err);
    }
    fkda_status st = FKDA_SUCCESS;
    if (rc == 0 && (st = fkda_prefill_workspace_size(&a, &ws_bytes)) != FKDA_SUCCESS)
        rc = ERR("%s backend: %s", fkda_backend_name(backend), fkda_last_error());
    if (rc == 0 && ws_bytes) {
        if (cuda)
            rc = cli_dev_alloc(&ws, ws_bytes, err);
        else if (!(ws = malloc(ws_bytes)))
            rc = ERR("out of memory for a %zu-byte workspace", ws_bytes);
    }
    for (int i = 0; i < warmup && rc == 0; i++)
        if ((st = fkda_prefill(&a, ws, ws_bytes, NULL)) != FKDA_SUCCESS)
            rc = ERR("%s backend: %s", fkda_backend_name(backend), fkda_last_error());
    if (rc == 0 && cuda)
        rc = cli_dev_sync(err);
    double t0 = cli_now();
    for (int i = 0; i < repeats && rc == 0; i++)
        if ((st = fkda_prefill(&a, ws, ws_bytes, NULL)) != FKDA_SUCCESS)
            rc = ERR("%s backend: %s", fkda_backend_name(backend), fkda_last_error());
    if (rc == 0 && cuda)
        rc = cli_dev_sync(err);
    *seconds = (cli_now() - t0) / (repeats > 0 ? repeats : 1);
    if (rc == 0 && cuda) {
        rc = cli_dev_copy(p->args.out.data, a.out.data, span_bytes(&a.out), 0, err);
        if (rc == 0)
            rc = cli_dev_copy(p->args.final_state.data, a.final_state.data, span_bytes(&a.final_state), 0, err);
    }
    if (cuda) {
        cli_dev_free(ws);
        free_device(&a);
    } else {
        free(ws);
    }
    return rc;
}

/* ---- the reference check ---------------------------------------------------------------------------- */
/* A view of the first n entries of axis `axis`: same data and strides, no copy. */
static fkda_tensor head_view(const fkda_tensor *t, int axis, int64_t n)
{
    fkda_tensor v = *t;
    if (v.rank > axis)
        v.shape[axis] = n;
    return v;
}

/* An f32 copy of a [B, T, heads, D] view (q, k, v): the reference then writes an f32 out, so the
 * oracle is not rounded to bf16. */
static int gather_f32(cli_problem *tmp, const fkda_tensor *src, fkda_tensor *dst, const char *name, char *err)
{
    if (alloc_tensor(tmp, dst, FKDA_FLOAT32, 4, src->shape, name, err))
        return -1;
    float *o = dst->data;
    for (int64_t b = 0; b < src->shape[0]; b++)
        for (int64_t t = 0; t < src->shape[1]; t++)
            for (int64_t h = 0; h < src->shape[2]; h++)
                for (int64_t c = 0; c < src->shape[3]; c++)
                    *o++ = (float)load(src->data, src->dtype,
                                       b * src->stride[0] + t * src->stride[1] + h * src->stride[2] + c * src->stride[3]);
    return 0;
}

/* err_ratio of the first heads of axis `axis` of x (full tensor) against ref (contiguous, heads cut). */
static double err_ratio(const fkda_tensor *x, const fkda_tensor *ref)
{
    double num = 0.0, den = 0.0;
    int64_t n = 0;
    numel(ref, &n);
    for (int64_t i = 0; i < n; i++) {
        int64_t r = i, off = 0;
        for (int d = ref->rank - 1; d >= 0; d--) {
            off += (r % ref->shape[d]) * x->stride[d];
            r /= ref->shape[d];
        }
        double y = load(ref->data, ref->dtype, i), e = load(x->data, x->dtype, off) - y;
        num += e * e;
        den += y * y;
    }
    return den > 0.0 ? sqrt(num / den) : sqrt(num);
}

int cli_problem_check(const cli_problem *p, int heads, double *err_out, double *err_state, int *used_heads,
                      double *seconds, char *err)
{
    const fkda_prefill_args *a = &p->args;
    int64_t group = p->HV / (p->H > 0 ? p->H : 1);
    if (group < 1)
        group = 1;
    int64_t hq = (heads + group - 1) / group;
    if (hq > p->H)
        hq = p->H;
    if (hq < 1)
        hq = 1;
    int64_t hv = hq * group; /* value heads hv < hq * group read only q/k heads < hq */
    *used_heads = (int)hv;

    cli_problem tmp; /* owns the f32 copies and the reference outputs */
    memset(&tmp, 0, sizeof tmp);
    fkda_prefill_args r = *a;
    r.backend = FKDA_BACKEND_REFERENCE;
    fkda_tensor qv = head_view(&a->q, 2, hq), kv = head_view(&a->k, 2, hq), vv = head_view(&a->v, 2, hv);
    int rc = gather_f32(&tmp, &qv, &r.q, "q", err) || gather_f32(&tmp, &kv, &r.k, "k", err) ||
             gather_f32(&tmp, &vv, &r.v, "v", err) ? -1 : 0;
    r.g = head_view(&a->g, 2, hv);
    r.beta = head_view(&a->beta, 2, hv);
    r.A_log = head_view(&a->A_log, 0, hv);
    /* dt_bias is [HV, K] or [HV*K] */
    r.dt_bias = head_view(&a->dt_bias, 0, a->dt_bias.rank == 1 ? hv * p->K : hv);
    r.initial_state = head_view(&a->initial_state, 1, hv);
    int64_t os[4] = {p->B, p->T, hv, p->V};
    int64_t ss[4] = {a->final_state.shape[0], hv, a->final_state.shape[2], a->final_state.shape[3]};
    if (rc == 0)
        rc = alloc_tensor(&tmp, &r.out, FKDA_FLOAT32, 4, os, "reference out", err);
    if (rc == 0)
        rc = alloc_tensor(&tmp, &r.final_state, FKDA_FLOAT32, 4, ss, "reference final_state", err);
    size_t ws_bytes = 0;
    void *ws = NULL;
    double t0 = cli_now();
    if (rc == 0 && fkda_prefill_workspace_size(&r, &ws_bytes) != FKDA_SUCCESS)
        rc = ERR("reference backend: %s", fkda_last_error());
    if (rc == 0 && ws_bytes && !(ws = malloc(ws_bytes)))
        rc = ERR("out of memory for the reference workspace");
    if (rc == 0 && fkda_prefill(&r, ws, ws_bytes, NULL) != FKDA_SUCCESS)
        rc = ERR("reference backend: %s", fkda_last_error());
    *seconds = cli_now() - t0;
    free(ws);
    if (rc == 0) {
        *err_out = err_ratio(&a->out, &r.out);
        *err_state = err_ratio(&a->final_state, &r.final_state);
    }
    cli_problem_free(&tmp);
    return rc;
}
