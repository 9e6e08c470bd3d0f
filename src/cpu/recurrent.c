/* The fp32 KDA recurrence of the fast CPU backend. For one sequence and value head, S in R^{K x V}:
 *
 *     S'  = diag(exp(a_t)) S_{t-1},   u_t = beta_t (v_t - S'^T k_t),   S_t = S' + k_t u_t^T,   o_t = scale S_t^T q_t
 *
 * Two observations shape the loop:
 *  - Column j of S only ever meets column j of v, u and o: the V axis splits into independent tiles. A tile of
 *    FKDA_CPU_TILE = 32 columns (K x 32 floats, 16 KiB at K = 128) stays in L1 while it advances over a whole
 *    chunk of tokens; the chunk's preprocessed q, k, exp(a) are shared by all tiles.
 *  - o_t = scale S'^T q_t + scale (k_t . q_t) u_t, so both dot products read S' and the rank-1 update of token
 *    t can be applied while S' of token t+1 is formed: row i of the tile becomes
 *        s <- (s + k_{t-1,i} u_{t-1}) * exp(a_{t,i});   acc_k += k_{t,i} s;   acc_q += q_{t,i} s
 *    one read and one write of the state per token, vectorised along V, no horizontal sums. The last update
 *    of a chunk is applied at its end.
 * Decode with a V-first pool instead keeps S V-first (advance_rows_v_first): copying a slot as it is beats
 * two transposes when only a token or two runs per copy.
 * Per-token preprocessing (L2 norm, gate, beta) is done in fp32 with a polynomial exp (about 1 ulp). */
#pragma GCC optimize("fp-contract=fast") /* -std=c11 turns FMA contraction off; the kernels want it */

#include <omp.h>
#include <stdlib.h>

#include "recurrent.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FKDA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FKDA_CLONES
#endif

typedef float f32x16 __attribute__((vector_size(64)));

fkda_status fkda_cpu_check_dims(const fkda_dims *d)
{
    if (d->K > FKDA_CPU_MAX_DIM || d->V > FKDA_CPU_MAX_DIM)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "K = %lld, V = %lld: the CPU backend supports K and V up to %d (use the reference backend)",
                         (long long)d->K, (long long)d->V, FKDA_CPU_MAX_DIM);
    return FKDA_SUCCESS;
}

int fkda_cpu_threads(int num_threads, int64_t items)
{
    int64_t t = num_threads > 0 ? num_threads : omp_get_max_threads();
    if (t > items) t = items;
    return t < 1 ? 1 : (int)t;
}

static int64_t round_up(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

size_t fkda_cpu_scratch_bytes(int64_t K, int64_t V)
{
    int64_t Kp = round_up(K, 16), Vp = round_up(V, FKDA_CPU_TILE);
    int64_t floats = (K * Vp > V * Kp ? K * Vp : V * Kp) + FKDA_CPU_CHUNK * (3 * Kp + 2 * Vp + 2) + Kp;
    return (size_t)round_up(floats, 16) * sizeof(float);
}

void *fkda_cpu_align(void *ws) { return (void *)(((uintptr_t)ws + 63) & ~(uintptr_t)63); }

void fkda_cpu_scratch_bind(fkda_cpu_scratch *s, void *mem, int t, int64_t K, int64_t V)
{
    s->K = K;
    s->V = V;
    s->Kp = round_up(K, 16);
    s->Vp = round_up(V, FKDA_CPU_TILE);
    float *p = (float *)((char *)mem + (size_t)t * fkda_cpu_scratch_bytes(K, V));
    s->v_first = 0;
    s->S = p;
    p += K * s->Vp > V * s->Kp ? K * s->Vp : V * s->Kp;
    s->q = p;
    p += FKDA_CPU_CHUNK * s->Kp;
    s->k = p;
    p += FKDA_CPU_CHUNK * s->Kp;
    s->d = p;
    p += FKDA_CPU_CHUNK * s->Kp;
    s->v = p;
    p += FKDA_CPU_CHUNK * s->Vp;
    s->o = p;
    p += FKDA_CPU_CHUNK * s->Vp;
    s->beta = p;
    p += FKDA_CPU_CHUNK;
    s->kq = p;
    p += FKDA_CPU_CHUNK;
    s->dt_bias = p;
    memset(s->v, 0, sizeof(float) * FKDA_CPU_CHUNK * s->Vp); /* padding columns of v stay zero */
}

/* ---- state in and out ------------------------------------------------------------------------------ */
/* dst[c][r] = src[r][c] for an R x C src, in 16 x 16 blocks so that both sides stay in cache lines. */
static void transpose(float *dst, int64_t ld_dst, const float *src, int64_t ld_src, int64_t R, int64_t C)
{
    for (int64_t r0 = 0; r0 < R; r0 += 16)
        for (int64_t c0 = 0; c0 < C; c0 += 16) {
            int64_t r1 = r0 + 16 < R ? r0 + 16 : R, c1 = c0 + 16 < C ? c0 + 16 : C;
            for (int64_t c = c0; c < c1; c++)
                for (int64_t r = r0; r < r1; r++) dst[c * ld_dst + r] = src[r * ld_src + c];
        }
}

void fkda_cpu_state_load(fkda_cpu_scratch *s, const fkda_tensor *st, fkda_state_layout layout, int64_t slot, int64_t hv)
{
    const int64_t K = s->K, V = s->V, Vp = s->Vp;
    float *S = s->S;
    memset(S, 0, sizeof(float) * (K * Vp > V * s->Kp ? K * Vp : V * s->Kp));
    if (!st) return;
    if (s->v_first) {
        for (int64_t j = 0; j < V; j++)
            if (layout == FKDA_STATE_V_FIRST && st->dtype == FKDA_FLOAT32 && st->stride[3] == 1)
                memcpy(S + j * s->Kp, (const float *)st->data + fkda_state_off(st, layout, slot, hv, 0, j), sizeof(float) * K);
            else
                for (int64_t i = 0; i < K; i++) S[j * s->Kp + i] = (float)fkda_get(st, fkda_state_off(st, layout, slot, hv, i, j));
        return;
    }
    if (st->dtype == FKDA_FLOAT32 && st->stride[3] == 1) {
        const float *base = (const float *)st->data + slot * st->stride[0] + hv * st->stride[1];
        if (layout == FKDA_STATE_K_FIRST) {
            for (int64_t i = 0; i < K; i++) memcpy(S + i * Vp, base + i * st->stride[2], sizeof(float) * V);
        } else {
            transpose(S, Vp, base, st->stride[2], V, K);
        }
        return;
    }
    for (int64_t i = 0; i < K; i++)
        for (int64_t j = 0; j < V; j++) S[i * Vp + j] = (float)fkda_get(st, fkda_state_off(st, layout, slot, hv, i, j));
}

void fkda_cpu_state_store(const fkda_cpu_scratch *s, const fkda_tensor *st, fkda_state_layout layout, int64_t slot,
                          int64_t hv)
{
    const int64_t K = s->K, V = s->V, Vp = s->Vp;
    const float *S = s->S;
    if (s->v_first) {
        for (int64_t j = 0; j < V; j++)
            if (layout == FKDA_STATE_V_FIRST && st->dtype == FKDA_FLOAT32 && st->stride[3] == 1)
                memcpy((float *)st->data + fkda_state_off(st, layout, slot, hv, 0, j), S + j * s->Kp, sizeof(float) * K);
            else
                for (int64_t i = 0; i < K; i++) fkda_put(st, fkda_state_off(st, layout, slot, hv, i, j), S[j * s->Kp + i]);
        return;
    }
    if (st->dtype == FKDA_FLOAT32 && st->stride[3] == 1) {
        float *base = (float *)st->data + slot * st->stride[0] + hv * st->stride[1];
        if (layout == FKDA_STATE_K_FIRST) {
            for (int64_t i = 0; i < K; i++) memcpy(base + i * st->stride[2], S + i * Vp, sizeof(float) * V);
        } else {
            transpose(base, st->stride[2], S, Vp, K, V);
        }
        return;
    }
    for (int64_t i = 0; i < K; i++)
        for (int64_t j = 0; j < V; j++) fkda_put(st, fkda_state_off(st, layout, slot, hv, i, j), S[i * Vp + j]);
}

/* ---- per-token preprocessing ----------------------------------------------------------------------- */
/* exp(x) = 2^n exp(r), n = round(x / ln 2), |r| <= ln(2) / 2, exp(r) by a degree-7 polynomial (Cephes'
 * expf coefficients); branch-free so that loops over it vectorise. Below -87 (under the smallest normal
 * float) it answers 0. */
static inline float exp_fast(float x)
{
    float xc = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest via 1.5 * 2^23 */
    float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;            /* ln 2 split in two parts      */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float two_n;
    memcpy(&two_n, &bits, 4);
    return x < -87.0f ? 0.0f : p * two_n;
}

typedef uint16_t u16x16 __attribute__((vector_size(32)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));

/* bf16 -> f32 is a 16-bit shift: done 16 at a time with vector extensions (memcpy keeps it legal C). */
FKDA_CLONES static void load_row(const fkda_tensor *t, int64_t off, int64_t stride, int64_t n, float *dst)
{
    if (stride == 1 && t->dtype == FKDA_BFLOAT16) {
        const uint16_t *p = (const uint16_t *)t->data + off;
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            u16x16 h;
            memcpy(&h, p + i, sizeof h);
            u32x16 w = __builtin_convertvector(h, u32x16) << 16;
            memcpy(dst + i, &w, sizeof w);
        }
        for (; i < n; i++) dst[i] = fkda_bf16_to_f32(p[i]);
    } else if (stride == 1 && t->dtype == FKDA_FLOAT32) {
        memcpy(dst, (const float *)t->data + off, sizeof(float) * n);
    } else {
        for (int64_t i = 0; i < n; i++) dst[i] = (float)fkda_get(t, off + i * stride);
    }
}

/* f32 -> bf16 with round to nearest even (NaN kept a quiet NaN), 16 at a time. */
FKDA_CLONES static void store_row(const fkda_tensor *t, int64_t off, int64_t stride, int64_t n, const float *src)
{
    if (stride == 1 && t->dtype == FKDA_BFLOAT16) {
        uint16_t *p = (uint16_t *)t->data + off;
        int64_t i = 0;
        for (; i + 16 <= n; i += 16) {
            u32x16 u;
            memcpy(&u, src + i, sizeof u);
            u32x16 nan = (u & 0x7fffffffu) > 0x7f800000u;
            u32x16 r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
            r = (nan & ((u >> 16) | 0x40u)) | (~nan & r);
            u16x16 h = __builtin_convertvector(r, u16x16);
            memcpy(p + i, &h, sizeof h);
        }
        for (; i < n; i++) p[i] = fkda_f32_to_bf16(src[i]);
    } else if (stride == 1 && t->dtype == FKDA_FLOAT32) {
        memcpy((float *)t->data + off, src, sizeof(float) * n);
    } else {
        for (int64_t i = 0; i < n; i++) fkda_put(t, off + i * stride, src[i]);
    }
}

/* Token c of the chunk: raw q, k, g are in s->q, s->k, s->d; turns them into scale * q, k, exp(a) and the
 * scalars beta and k . q. A = exp(A_log[hv]) (1 without A_log). */
FKDA_CLONES static void prepare_token(fkda_cpu_scratch *s, int c, const fkda_cpu_inputs *in, float A, float beta)
{
    const int64_t K = s->K;
    float *q = s->q + c * s->Kp, *k = s->k + c * s->Kp, *d = s->d + c * s->Kp;
    const float *dtb = s->dt_bias;
    float rq = 1.0f, rk = 1.0f;
    if (in->flags & FKDA_QK_L2NORM) {
        float sq = 0.0f, sk = 0.0f;
#pragma omp simd reduction(+ : sq, sk)
        for (int64_t i = 0; i < K; i++) {
            sq += q[i] * q[i];
            sk += k[i] * k[i];
        }
        rq = 1.0f / sqrtf(sq + 1e-6f);
        rk = 1.0f / sqrtf(sk + 1e-6f);
    }
    rq *= in->scale;
    float kq = 0.0f;
#pragma omp simd reduction(+ : kq)
    for (int64_t i = 0; i < K; i++) {
        q[i] *= rq;
        k[i] *= rk;
        kq += k[i] * q[i];
    }
    s->kq[c] = kq;

    const float lb = in->lower_bound;
    switch (in->gate) {
    case FKDA_GATE_BOUNDED:
        for (int64_t i = 0; i < K; i++) d[i] = exp_fast(lb / (1.0f + exp_fast(-A * (d[i] + dtb[i]))));
        break;
    case FKDA_GATE_SOFTPLUS:
        for (int64_t i = 0; i < K; i++) {
            float x = d[i] + dtb[i];
            d[i] = exp_fast(-A * (x > 20.0f ? x : log1pf(expf(x))));
        }
        break;
    case FKDA_GATE_PRECOMPUTED:
        for (int64_t i = 0; i < K; i++) d[i] = exp_fast(d[i]);
        break;
    }

    if (in->flags & FKDA_BETA_SIGMOID) beta = 1.0f / (1.0f + expf(-beta));
    if (in->flags & FKDA_ALLOW_NEG_EIGVAL) beta *= 2.0f;
    s->beta[c] = beta;
}

/* ---- the hot loop ---------------------------------------------------------------------------------- */
/* Advances columns [j0, j0 + 32) of S over the C (>= 1) tokens of the chunk and writes their outputs.
 * With prefetch set, token c also asks for the input rows of token c of the next chunk: in the token-major
 * inputs one head's rows lie H*K elements apart, a page or more, where the hardware prefetcher stops. */
FKDA_CLONES static void advance_tile(const fkda_cpu_scratch *s, int C, int64_t j0, int prefetch)
{
    const int64_t K = s->K, Kp = s->Kp, Vp = s->Vp;
    float *S = s->S + j0;
    f32x16 u0 = {0}, u1 = {0}; /* u of the previous token, whose rank-1 update is still pending */
    for (int c = 0; c < C; c++) {
        const float *q = s->q + c * Kp, *k = s->k + c * Kp, *d = s->d + c * Kp;
        if (prefetch && c < s->pf_count)
            for (int r = 0; r < 4; r++)
                for (int l = 0; l < s->pf_lines[r]; l++) __builtin_prefetch(s->pf_row[4 * c + r] + 64 * l, 0, 2);
        f32x16 ak0 = {0}, ak1 = {0}, aq0 = {0}, aq1 = {0};
        if (c == 0) {
            for (int64_t i = 0; i < K; i++) {
                f32x16 *row = (f32x16 *)(S + i * Vp);
                f32x16 s0 = row[0] * d[i], s1 = row[1] * d[i];
                ak0 += k[i] * s0;
                ak1 += k[i] * s1;
                aq0 += q[i] * s0;
                aq1 += q[i] * s1;
                row[0] = s0;
                row[1] = s1;
            }
        } else {
            const float *kp = k - Kp;
            for (int64_t i = 0; i < K; i++) {
                f32x16 *row = (f32x16 *)(S + i * Vp);
                f32x16 s0 = (row[0] + kp[i] * u0) * d[i], s1 = (row[1] + kp[i] * u1) * d[i];
                ak0 += k[i] * s0;
                ak1 += k[i] * s1;
                aq0 += q[i] * s0;
                aq1 += q[i] * s1;
                row[0] = s0;
                row[1] = s1;
            }
        }
        const f32x16 *v = (const f32x16 *)(s->v + c * Vp + j0);
        f32x16 *o = (f32x16 *)(s->o + c * Vp + j0);
        u0 = s->beta[c] * (v[0] - ak0);
        u1 = s->beta[c] * (v[1] - ak1);
        o[0] = aq0 + s->kq[c] * u0;
        o[1] = aq1 + s->kq[c] * u1;
    }
    const float *kl = s->k + (C - 1) * Kp;
    for (int64_t i = 0; i < K; i++) {
        f32x16 *row = (f32x16 *)(S + i * Vp);
        row[0] += kl[i] * u0;
        row[1] += kl[i] * u1;
    }
}

/* Token c of the chunk on a V-first S (row j = column j of the math's S, K contiguous floats): the textbook
 * order, two short passes over each row while it sits in L1. For decode, where the state is read from and
 * written to a V-first pool once per token or two and a K-first copy would cost two transposes. */
FKDA_CLONES static void advance_rows_v_first(const fkda_cpu_scratch *s, int c)
{
    const int64_t K = s->K, Kp = s->Kp;
    const float *q = s->q + c * Kp, *k = s->k + c * Kp, *d = s->d + c * Kp, *v = s->v + c * s->Vp;
    const float beta = s->beta[c];
    float *o = s->o + c * s->Vp;
    for (int64_t j = 0; j < s->V; j++) {
        float *row = s->S + j * Kp, dk = 0.0f, dq = 0.0f;
#pragma omp simd reduction(+ : dk)
        for (int64_t i = 0; i < K; i++) {
            row[i] *= d[i];
            dk += row[i] * k[i];
        }
        const float u = beta * (v[j] - dk);
#pragma omp simd reduction(+ : dq)
        for (int64_t i = 0; i < K; i++) {
            row[i] += k[i] * u;
            dq += row[i] * q[i];
        }
        o[j] = dq;
    }
}

void fkda_cpu_run(const fkda_cpu_inputs *in, int64_t hv, int64_t bos, int64_t eos, fkda_cpu_scratch *s)
{
    const fkda_dims *d = in->d;
    const int64_t K = s->K, V = s->V, h = hv / d->group;
    const int derived = in->gate != FKDA_GATE_PRECOMPUTED;
    float A = derived && fkda_present(in->A_log) ? expf((float)fkda_get(in->A_log, hv * in->A_log->stride[0])) : 1.0f;
    for (int64_t i = 0; i < K; i++)
        s->dt_bias[i] = derived && fkda_present(in->dt_bias) ? (float)fkda_get(in->dt_bias, fkda_dt_bias_off(in->dt_bias, K, hv, i))
                                                             : 0.0f;
    const fkda_tensor *rows[4] = {in->q, in->k, in->g, in->v};
    for (int r = 0; r < 4; r++) {
        int64_t n = r == 3 ? V : K, bytes = ((n - 1) * rows[r]->stride[3] + 1) * (int64_t)fkda_dtype_size(rows[r]->dtype);
        s->pf_lines[r] = (int)((bytes + 63) / 64 + 1); /* + 1: rows need not start on a line */
    }
    for (int64_t t0 = bos; t0 < eos; t0 += FKDA_CPU_CHUNK) {
        int C = eos - t0 < FKDA_CPU_CHUNK ? (int)(eos - t0) : FKDA_CPU_CHUNK;
        int64_t next = t0 + C;
        s->pf_count = eos - next < FKDA_CPU_CHUNK ? (int)(eos - next) : FKDA_CPU_CHUNK;
        for (int c = 0; c < s->pf_count; c++)
            for (int r = 0; r < 4; r++)
                s->pf_row[4 * c + r] = (const char *)rows[r]->data +
                                       fkda_token_off(rows[r], d, next + c, r < 2 ? h : hv) * (int64_t)fkda_dtype_size(rows[r]->dtype);
        for (int c = 0; c < C; c++) {
            int64_t tok = t0 + c;
            load_row(in->q, fkda_token_off(in->q, d, tok, h), in->q->stride[3], K, s->q + c * s->Kp);
            load_row(in->k, fkda_token_off(in->k, d, tok, h), in->k->stride[3], K, s->k + c * s->Kp);
            load_row(in->g, fkda_token_off(in->g, d, tok, hv), in->g->stride[3], K, s->d + c * s->Kp);
            load_row(in->v, fkda_token_off(in->v, d, tok, hv), in->v->stride[3], V, s->v + c * s->Vp);
            float beta = (float)fkda_get(in->beta, fkda_token_off(in->beta, d, tok, hv));
            prepare_token(s, c, in, A, beta);
        }
        if (s->v_first)
            for (int c = 0; c < C; c++) advance_rows_v_first(s, c);
        else
            for (int64_t j0 = 0; j0 < s->Vp; j0 += FKDA_CPU_TILE) advance_tile(s, C, j0, j0 == 0);
        for (int c = 0; c < C; c++)
            store_row(in->out, fkda_token_off(in->out, d, t0 + c, hv), in->out->stride[3], V, s->o + c * s->Vp);
    }
}

void fkda_cpu_zero_out(const fkda_cpu_inputs *in, int64_t hv, int64_t bos, int64_t eos)
{
    for (int64_t tok = bos; tok < eos; tok++) {
        int64_t off = fkda_token_off(in->out, in->d, tok, hv);
        for (int64_t j = 0; j < in->d->V; j++) fkda_put(in->out, off + j * in->out->stride[3], 0.0);
    }
}
