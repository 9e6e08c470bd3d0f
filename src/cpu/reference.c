/* The fp64 reference: the KDA recurrence of docs/semantics.md, token by token, written to be obviously
 * correct (it is the test oracle, not a fast path). For one sequence and value head, S in R^{K x V}:
 *
 *     S'  = diag(exp(a_t)) S_{t-1}
 *     u_t = beta_t * (v_t - S'^T k_t)
 *     S_t = S' + k_t u_t^T
 *     o_t = scale * S_t^T q_t
 *
 * Everything (preprocessing included) is computed in double from the inputs as stored; results are
 * rounded once, to the dtype of the output tensor. Sequence-heads run one after the other, so in-place
 * state updates are trivially safe: a state is read completely before it is written. */
#include <stdlib.h>

#include "load.h"

/* Scratch of one sequence-head: S [K][V] then q, k, a [K] and v, u [V]. */
typedef struct ref_scratch {
    double *S, *q, *k, *a, *v, *u;
} ref_scratch;

static size_t ref_scratch_bytes(const fkda_dims *d)
{
    return (size_t)(d->K * d->V + 3 * d->K + 2 * d->V) * sizeof(double);
}

static ref_scratch ref_bind(void *ws, const fkda_dims *d)
{
    ref_scratch s;
    s.S = ws;
    s.q = s.S + d->K * d->V;
    s.k = s.q + d->K;
    s.a = s.k + d->K;
    s.v = s.a + d->K;
    s.u = s.v + d->V;
    return s;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

static void l2norm(double *x, int64_t n)
{
    double ss = 0.0;
    for (int64_t i = 0; i < n; i++) ss += x[i] * x[i];
    double r = 1.0 / sqrt(ss + 1e-6);
    for (int64_t i = 0; i < n; i++) x[i] *= r;
}

/* Natural-log decay a of key channel i of token tok, value head hv. */
static double log_decay(const fkda_cpu_inputs *in, int64_t tok, int64_t hv, int64_t i)
{
    const fkda_dims *d = in->d;
    double x = fkda_get(in->g, fkda_token_off(in->g, d, tok, hv) + i * in->g->stride[3]);
    if (in->gate == FKDA_GATE_PRECOMPUTED) return x;
    if (fkda_present(in->dt_bias)) x += fkda_get(in->dt_bias, fkda_dt_bias_off(in->dt_bias, d->K, hv, i));
    double A = fkda_present(in->A_log) ? exp(fkda_get(in->A_log, hv * in->A_log->stride[0])) : 1.0;
    if (in->gate == FKDA_GATE_BOUNDED) return in->lower_bound * sigmoid(A * x);
    return -A * (x > 20.0 ? x : log1p(exp(x)));
}

/* Advances S over token tok of value head hv and writes its output. */
static void ref_token(const fkda_cpu_inputs *in, int64_t tok, int64_t hv, ref_scratch *s)
{
    const fkda_dims *d = in->d;
    const int64_t K = d->K, V = d->V, h = hv / d->group;
    int64_t qo = fkda_token_off(in->q, d, tok, h), ko = fkda_token_off(in->k, d, tok, h);
    int64_t vo = fkda_token_off(in->v, d, tok, hv), oo = fkda_token_off(in->out, d, tok, hv);
    for (int64_t i = 0; i < K; i++) {
        s->q[i] = fkda_get(in->q, qo + i * in->q->stride[3]);
        s->k[i] = fkda_get(in->k, ko + i * in->k->stride[3]);
        s->a[i] = log_decay(in, tok, hv, i);
    }
    for (int64_t j = 0; j < V; j++) s->v[j] = fkda_get(in->v, vo + j * in->v->stride[3]);
    if (in->flags & FKDA_QK_L2NORM) {
        l2norm(s->q, K);
        l2norm(s->k, K);
    }
    double beta = fkda_get(in->beta, fkda_token_off(in->beta, d, tok, hv));
    if (in->flags & FKDA_BETA_SIGMOID) beta = sigmoid(beta);
    if (in->flags & FKDA_ALLOW_NEG_EIGVAL) beta *= 2.0;

    double *S = s->S;
    for (int64_t i = 0; i < K; i++) { /* S' = diag(exp(a)) S */
        double e = exp(s->a[i]);
        for (int64_t j = 0; j < V; j++) S[i * V + j] *= e;
    }
    for (int64_t j = 0; j < V; j++) { /* u = beta (v - S'^T k) */
        double dot = 0.0;
        for (int64_t i = 0; i < K; i++) dot += S[i * V + j] * s->k[i];
        s->u[j] = beta * (s->v[j] - dot);
    }
    for (int64_t i = 0; i < K; i++) /* S = S' + k u^T */
        for (int64_t j = 0; j < V; j++) S[i * V + j] += s->k[i] * s->u[j];
    for (int64_t j = 0; j < V; j++) { /* o = scale S^T q */
        double o = 0.0;
        for (int64_t i = 0; i < K; i++) o += S[i * V + j] * s->q[i];
        fkda_put(in->out, oo + j * in->out->stride[3], (double)in->scale * o);
    }
}

static void ref_load_state(double *S, const fkda_tensor *st, fkda_state_layout layout, int64_t slot, int64_t hv,
                           const fkda_dims *d)
{
    for (int64_t i = 0; i < d->K; i++)
        for (int64_t j = 0; j < d->V; j++)
            S[i * d->V + j] = st ? fkda_get(st, fkda_state_off(st, layout, slot, hv, i, j)) : 0.0;
}

static void ref_store_state(const double *S, const fkda_tensor *st, fkda_state_layout layout, int64_t slot,
                            int64_t hv, const fkda_dims *d)
{
    for (int64_t i = 0; i < d->K; i++)
        for (int64_t j = 0; j < d->V; j++) fkda_put(st, fkda_state_off(st, layout, slot, hv, i, j), S[i * d->V + j]);
}

size_t fkda_ref_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d)
{
    (void)a;
    return ref_scratch_bytes(d);
}

fkda_status fkda_ref_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes)
{
    const fkda_status st = fkda_check_workspace(ws, ws_bytes, fkda_ref_prefill_workspace(a, d));
    if (st != FKDA_SUCCESS) return st;
    fkda_cpu_inputs in = FKDA_CPU_INPUTS(a, d);
    ref_scratch s = ref_bind(ws, d);
    const fkda_tensor *h0 = fkda_present(&a->initial_state) ? &a->initial_state : NULL;
    const fkda_tensor *ht = fkda_present(&a->final_state) ? &a->final_state : NULL;
    for (int64_t n = 0; n < d->N; n++) {
        int64_t bos, eos;
        fkda_seq_bounds(&a->cu_seqlens, d, n, &bos, &eos);
        for (int64_t hv = 0; hv < d->HV; hv++) {
            ref_load_state(s.S, h0, a->state_layout, n, hv, d);
            for (int64_t tok = bos; tok < eos; tok++) ref_token(&in, tok, hv, &s);
            if (ht) ref_store_state(s.S, ht, a->state_layout, n, hv, d);
        }
    }
    return FKDA_SUCCESS;
}

size_t fkda_ref_decode_workspace(const fkda_decode_args *a, const fkda_dims *d)
{
    (void)a;
    return ref_scratch_bytes(d);
}

fkda_status fkda_ref_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes)
{
    const fkda_status st = fkda_check_workspace(ws, ws_bytes, fkda_ref_decode_workspace(a, d));
    if (st != FKDA_SUCCESS) return st;
    fkda_cpu_inputs in = FKDA_CPU_INPUTS(a, d);
    ref_scratch s = ref_bind(ws, d);
    const fkda_tensor *pool = &a->state_pool, *idx = &a->ssm_state_indices;
    for (int64_t n = 0; n < d->N; n++) {
        int64_t bos, eos;
        fkda_seq_bounds(&a->cu_seqlens, d, n, &bos, &eos);
        /* The slot read: n, idx[n], or idx[n, accepted - 1]. */
        int64_t read = n;
        if (d->idx_cols == 1) {
            read = fkda_get_index(idx, n * idx->stride[0]);
        } else if (d->idx_cols > 1) {
            int64_t acc = fkda_present(&a->num_accepted_tokens)
                              ? fkda_get_index(&a->num_accepted_tokens, n * a->num_accepted_tokens.stride[0])
                              : 1;
            read = fkda_get_index(idx, n * idx->stride[0] + (acc - 1) * idx->stride[1]);
        }
        for (int64_t hv = 0; hv < d->HV; hv++) {
            if (read < 0) { /* padding: zero outputs, no state traffic */
                for (int64_t tok = bos; tok < eos; tok++)
                    for (int64_t j = 0; j < d->V; j++)
                        fkda_put(&a->out, fkda_token_off(&a->out, d, tok, hv) + j * a->out.stride[3], 0.0);
                continue;
            }
            ref_load_state(s.S, pool, a->state_layout, read, hv, d);
            for (int64_t tok = bos; tok < eos; tok++) {
                ref_token(&in, tok, hv, &s);
                if (d->idx_cols > 1) {
                    int64_t w = fkda_get_index(idx, n * idx->stride[0] + (tok - bos) * idx->stride[1]);
                    if (w >= 0) ref_store_state(s.S, pool, a->state_layout, w, hv, d);
                }
            }
            if (d->idx_cols <= 1 && eos > bos) ref_store_state(s.S, pool, a->state_layout, read, hv, d);
        }
    }
    return FKDA_SUCCESS;
}
