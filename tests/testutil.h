/* Shared helpers of the C tests: random problems with realistic gates, host tensors, error metrics.
 * No cmocka here, so plain test programs (tests/gpu) can use it too.
 *
 * Typical use:
 *     tu_case c = tu_case_default();          // then set T, H, K, dtype, gate, ...
 *     tu_prefill p;  tu_prefill_make(&p, &c);  // random inputs, NaN-filled outputs
 *     tu_result fast, ref;
 *     tu_prefill_run(&p, FKDA_BACKEND_CPU, 0, &fast);
 *     tu_prefill_run(&p, FKDA_BACKEND_REFERENCE, 0, &ref);
 *     tu_err_ratio(&fast.out, &ref.out) < 1e-5 ...
 *     tu_result_free(&fast); tu_result_free(&ref); tu_prefill_free(&p);
 */
#ifndef FKDA_TESTUTIL_H
#define FKDA_TESTUTIL_H

#include <stdint.h>

#include "flashkda.h"

/* ---- random numbers (xoshiro-style, deterministic per seed) --------------------------------------- */
typedef struct tu_rng {
    uint64_t s;
} tu_rng;
tu_rng tu_rng_make(uint64_t seed);
uint64_t tu_rand_u64(tu_rng *r);
double tu_rand_uniform(tu_rng *r);                      /* [0, 1)     */
double tu_rand_normal(tu_rng *r);                       /* N(0, 1)    */
int64_t tu_rand_int(tu_rng *r, int64_t lo, int64_t hi); /* [lo, hi] */

/* ---- host tensors (malloc-owned; free with tu_tensor_free) ---------------------------------------- */
/* stride == NULL: contiguous. Memory covers the largest offset; it starts zeroed. */
fkda_tensor tu_tensor_new(fkda_dtype dtype, int rank, const int64_t *shape, const int64_t *stride);
/* A contiguous copy (same dtype and shape). */
fkda_tensor tu_tensor_copy(const fkda_tensor *t);
/* Copies src's elements into dst (same shape; any strides and dtypes). */
void tu_tensor_assign(fkda_tensor *dst, const fkda_tensor *src);
void tu_tensor_free(fkda_tensor *t);
int64_t tu_numel(const fkda_tensor *t);
int64_t tu_offset(const fkda_tensor *t, int64_t linear); /* element offset of the linear (row-major) index */
double tu_get(const fkda_tensor *t, int64_t linear);
void tu_set(fkda_tensor *t, int64_t linear, double x); /* rounds to nearest even for bf16/f16 */
void tu_fill_normal(fkda_tensor *t, tu_rng *r, double mean, double std);
void tu_fill_nan(fkda_tensor *t);
int64_t tu_count_nan(const fkda_tensor *t);
/* RMS(x - ref) / RMS(ref) over all elements (same shape), computed in double. NaN anywhere gives NaN;
 * both all-zero gives 0. */
double tu_err_ratio(const fkda_tensor *x, const fkda_tensor *ref);
/* 1 if both hold bitwise identical elements (same shape and dtype). */
int tu_bitwise_equal(const fkda_tensor *a, const fkda_tensor *b);

/* ---- a prefill problem ---------------------------------------------------------------------------- */
typedef enum tu_state_mode { TU_STATE_NONE = 0, TU_STATE_IN = 1, TU_STATE_OUT = 2, TU_STATE_BOTH = 3, TU_STATE_IN_PLACE = 4 } tu_state_mode;

typedef struct tu_case {
    int64_t B, T, H, HV, K, V;  /* fixed-length problem: B sequences of T tokens                      */
    int64_t nseq;               /* > 0: varlen, B = 1, sequence lengths in seqlens[0..nseq)           */
    const int64_t *seqlens;     /* (copied by tu_prefill_make)                                        */
    fkda_dtype dtype;           /* q, k, v, g, beta and out                                           */
    fkda_dtype state_dtype;     /* f32 or bf16                                                        */
    fkda_dtype cu_dtype;        /* int32 or int64                                                     */
    tu_state_mode states;
    fkda_state_layout layout;
    fkda_gate_mode gate;
    float lower_bound;          /* bounded gate                                                       */
    int A_log, dt_bias;         /* present (ignored for the precomputed gate)                         */
    int dt_bias_flat;           /* dt_bias as [HV*K] instead of [HV, K]                               */
    unsigned flags;             /* fkda_flags; without FKDA_QK_L2NORM q and k are stored normalised   */
    int extreme;                /* gates at their limits (lower bound reached, decay ~0 or 1), beta logits +-30 */
    int strided;                /* q, k, v, g, beta as views into wider buffers (non-contiguous)       */
    int state_strided;          /* states as transposed views (last two strides swapped)              */
    float scale;                /* FKDA_DEFAULT_SCALE = K^-0.5                                         */
    uint64_t seed;
} tu_case;

/* B = 1, T = 16, H = HV = 2, K = V = 32, f32 everything, int64 cu_seqlens, states in and out V-first,
 * bounded gate (lb -5) with A_log and dt_bias, L2 norm and beta sigmoid, seed 1. */
tu_case tu_case_default(void);

typedef struct tu_prefill {
    tu_case c;
    int64_t N, T;      /* sequences, tokens per row (the total with varlen) */
    int64_t *seqlens;  /* varlen only */
    fkda_tensor q, k, v, g, beta, A_log, dt_bias, initial_state, final_state, cu_seqlens, out;
    fkda_tensor initial_copy; /* initial_state as made, to restore it between in-place runs */
    fkda_prefill_args args;   /* backend AUTO, num_threads 0 */
} tu_prefill;

void tu_prefill_make(tu_prefill *p, const tu_case *c);
void tu_prefill_free(tu_prefill *p);

/* Copies of the outputs of a run (state absent when the problem writes none). */
typedef struct tu_result {
    fkda_tensor out, state;
} tu_result;
void tu_result_free(tu_result *r);

/* Restores initial_state, NaN-fills out and final_state, runs the backend with a fresh workspace and
 * copies the outputs into res (may be NULL). */
fkda_status tu_prefill_run(tu_prefill *p, fkda_backend backend, int num_threads, tu_result *res);

/* ---- a decode problem ----------------------------------------------------------------------------- */
typedef enum tu_index_mode { TU_INDEX_NONE = 0, TU_INDEX_N = 1, TU_INDEX_N_TMAX = 2 } tu_index_mode;

typedef struct tu_decode_case {
    tu_case base;       /* B = sequences, T = tokens each (or nseq/seqlens); states/final fields unused */
    int64_t slots;      /* state pool size; must cover the distinct slots the indices need */
    tu_index_mode index;
    int64_t Tmax;       /* TU_INDEX_N_TMAX: columns (>= longest sequence)  */
    int accepted;       /* num_accepted_tokens present (TU_INDEX_N_TMAX)    */
    int skip;           /* some sequences read a negative slot, some writes go to negative slots */
} tu_decode_case;

typedef struct tu_decode {
    tu_decode_case c;
    tu_prefill in;      /* q, k, v, g, beta, A_log, dt_bias, cu_seqlens, out (no states) */
    fkda_tensor state_pool, pool_copy, ssm_state_indices, num_accepted_tokens;
    fkda_decode_args args;
} tu_decode;

void tu_decode_make(tu_decode *p, const tu_decode_case *c);
void tu_decode_free(tu_decode *p);
/* Restores the pool, NaN-fills out, runs; res->state is a copy of the whole pool after the run. */
fkda_status tu_decode_run(tu_decode *p, fkda_backend backend, int num_threads, tu_result *res);

#endif
