/* The fp32 recurrence engine shared by the fast CPU prefill and decode (src/cpu/recurrent.c). */
#ifndef FKDA_CPU_RECURRENT_H
#define FKDA_CPU_RECURRENT_H

#include "load.h"

#define FKDA_CPU_MAX_DIM 256 /* largest K and V the fast backend takes          */
#define FKDA_CPU_CHUNK 64    /* tokens preprocessed into fp32 at a time          */
#define FKDA_CPU_TILE 32     /* value columns advanced together over a chunk      */

/* Per-thread scratch (carved from the caller's workspace, 64-byte aligned). */
typedef struct fkda_cpu_scratch {
    int64_t K, V, Kp, Vp; /* Kp: K rounded up to 16, Vp: V rounded up to FKDA_CPU_TILE           */
    int v_first;          /* S stored V x Kp (row j = value column j): decode with V-first pools  */
    float *S;             /* K x Vp, K-first (row i = key channel i); columns V..Vp-1 stay zero  */
    float *q, *k, *d;     /* CHUNK x Kp: scale * q, k (both after the L2 norm), decay exp(a)    */
    float *v, *o;         /* CHUNK x Vp: values (zero padded), outputs                           */
    float *beta, *kq;     /* CHUNK: activated beta, k . (scale q)                                */
    float *dt_bias;       /* Kp: dt_bias of the current value head (zeros when absent)           */
    /* rows of the next chunk to prefetch while the current one runs: CHUNK x 4 (q, k, g, v) */
    const char *pf_row[FKDA_CPU_CHUNK * 4];
    int pf_lines[4]; /* cache lines per row of q, k, g, v */
    int pf_count;    /* tokens of the next chunk */
} fkda_cpu_scratch;

/* Threads a call will use: num_threads, or OpenMP's default, at most one per work item. */
int fkda_cpu_threads(int num_threads, int64_t items);
/* FKDA_ERROR_UNSUPPORTED (with the message) when K or V exceeds FKDA_CPU_MAX_DIM. */
fkda_status fkda_cpu_check_dims(const fkda_dims *d);
size_t fkda_cpu_scratch_bytes(int64_t K, int64_t V);
/* Carves thread t's scratch out of mem (mem 64-byte aligned, thread scratches one after the other). */
void fkda_cpu_scratch_bind(fkda_cpu_scratch *s, void *mem, int t, int64_t K, int64_t V);
/* A 64-byte aligned pointer into ws, which was sized with 64 bytes of slack. */
void *fkda_cpu_align(void *ws);

/* S <- state [slot, hv] of st (zeros if st is NULL); S -> [slot, hv] of st. S is stored as s->v_first says. */
void fkda_cpu_state_load(fkda_cpu_scratch *s, const fkda_tensor *st, fkda_state_layout layout, int64_t slot, int64_t hv);
void fkda_cpu_state_store(const fkda_cpu_scratch *s, const fkda_tensor *st, fkda_state_layout layout, int64_t slot,
                          int64_t hv);

/* Advances S over tokens [bos, eos) of value head hv, writing their outputs. */
void fkda_cpu_run(const fkda_cpu_inputs *in, int64_t hv, int64_t bos, int64_t eos, fkda_cpu_scratch *s);
/* Writes zeros to the outputs of tokens [bos, eos), value head hv. */
void fkda_cpu_zero_out(const fkda_cpu_inputs *in, int64_t hv, int64_t bos, int64_t eos);

#endif
