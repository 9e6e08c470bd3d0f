/* Element access for the CPU backends: reading any accepted dtype through shape and strides, storing with
 * round-to-nearest-even, and the per-token preprocessing formulas of docs/semantics.md written once:
 *   l2norm: x / sqrt(sum x^2 + 1e-6); beta: sigmoid(b) (x2 with allow_neg_eigval);
 *   bounded gate a = lb * sigmoid(exp(A_log) * x); softplus gate a = -exp(A_log) * softplus(x); x = g + dt_bias. */
#ifndef FKDA_CPU_LOAD_H
#define FKDA_CPU_LOAD_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* The arguments prefill and decode share, for code that serves both. */
typedef struct fkda_cpu_inputs {
    const fkda_tensor *q, *k, *v, *g, *beta, *A_log, *dt_bias, *out;
    const fkda_dims *d;
    float scale, lower_bound;
    unsigned flags;
    fkda_gate_mode gate;
} fkda_cpu_inputs;

#define FKDA_CPU_INPUTS(a, dims)                                                                          \
    ((fkda_cpu_inputs){&(a)->q, &(a)->k, &(a)->v, &(a)->g, &(a)->beta, &(a)->A_log, &(a)->dt_bias,        \
                       &(a)->out, (dims), (dims)->scale, (a)->lower_bound, (a)->flags, (a)->gate})

/* ---- scalar conversions ---------------------------------------------------------------------------- */
static inline float fkda_bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint16_t fkda_f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u); /* NaN stays a (quiet) NaN */
    u += 0x7fffu + ((u >> 16) & 1u);                                             /* round to nearest even */
    return (uint16_t)(u >> 16);
}

static inline float fkda_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu, u;
    if (e == 0) {
        float x = (float)m * 5.9604644775390625e-8f; /* subnormal: m * 2^-24 */
        return sign ? -x : x;
    }
    u = sign | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112u) << 23) | (m << 13));
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static inline uint16_t fkda_f32_to_f16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
    if (a >= 0x7f800000u) return (uint16_t)(sign | 0x7c00u | (a > 0x7f800000u ? 0x200u : 0u));
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 rounds to infinity */
    if (a < 0x38800000u) {                                    /* below 2^-14: subnormal half, unit 2^-24 */
        float x;
        memcpy(&x, &a, 4);
        return (uint16_t)(sign | (uint32_t)lrintf(x * 16777216.0f));
    }
    uint32_t r = a - (112u << 23); /* rebias the exponent 127 -> 15 */
    r += 0xfffu + ((r >> 13) & 1u);
    return (uint16_t)(sign | (r >> 13));
}

/* ---- tensor elements ------------------------------------------------------------------------------- */
static inline double fkda_get(const fkda_tensor *t, int64_t off)
{
    switch (t->dtype) {
    case FKDA_BFLOAT16: return fkda_bf16_to_f32(((const uint16_t *)t->data)[off]);
    case FKDA_FLOAT16: return fkda_f16_to_f32(((const uint16_t *)t->data)[off]);
    case FKDA_FLOAT32: return ((const float *)t->data)[off];
    case FKDA_FLOAT64: return ((const double *)t->data)[off];
    case FKDA_INT32: return ((const int32_t *)t->data)[off];
    case FKDA_INT64: return (double)((const int64_t *)t->data)[off];
    default: return 0.0;
    }
}

static inline int64_t fkda_get_index(const fkda_tensor *t, int64_t off)
{
    return t->dtype == FKDA_INT32 ? ((const int32_t *)t->data)[off] : ((const int64_t *)t->data)[off];
}

/* Stores x rounded to t's dtype (doubles go through float first: the rounding of fp32 results). */
static inline void fkda_put(const fkda_tensor *t, int64_t off, double x)
{
    switch (t->dtype) {
    case FKDA_BFLOAT16: ((uint16_t *)t->data)[off] = fkda_f32_to_bf16((float)x); break;
    case FKDA_FLOAT16: ((uint16_t *)t->data)[off] = fkda_f32_to_f16((float)x); break;
    case FKDA_FLOAT32: ((float *)t->data)[off] = (float)x; break;
    case FKDA_FLOAT64: ((double *)t->data)[off] = x; break;
    default: break;
    }
}

/* Offset of [b, t, head, 0] of a token-major tensor ([B, T, heads, ...] or [B, T, heads]) for the flattened
 * token index tok of the B*T axis. */
static inline int64_t fkda_token_off(const fkda_tensor *x, const fkda_dims *d, int64_t tok, int64_t head)
{
    return (tok / d->T) * x->stride[0] + (tok % d->T) * x->stride[1] + head * x->stride[2];
}

/* Offset of state element (key i, value j) of [slot, hv] in either layout. */
static inline int64_t fkda_state_off(const fkda_tensor *s, fkda_state_layout layout, int64_t slot, int64_t hv,
                                     int64_t i, int64_t j)
{
    int64_t base = slot * s->stride[0] + hv * s->stride[1];
    return layout == FKDA_STATE_V_FIRST ? base + j * s->stride[2] + i * s->stride[3]
                                        : base + i * s->stride[2] + j * s->stride[3];
}

/* dt_bias is [HV, K] or [HV*K]. */
static inline int64_t fkda_dt_bias_off(const fkda_tensor *b, int64_t K, int64_t hv, int64_t i)
{
    return b->rank == 2 ? hv * b->stride[0] + i * b->stride[1] : (hv * K + i) * b->stride[0];
}

static inline int fkda_present(const fkda_tensor *t) { return t->rank > 0; }

#endif
