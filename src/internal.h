/* Internal interface between the API front end (src/api.c: validation, backend choice) and the backends
 * (src/cpu, src/cuda). A backend receives arguments that src/api.c has fully validated, plus the
 * derived dimensions below; it only checks what is specific to it (and answers FKDA_ERROR_UNSUPPORTED). */
#ifndef FKDA_INTERNAL_H
#define FKDA_INTERNAL_H

#include "flashkda.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Dimensions derived from validated arguments (prefill and decode). */
typedef struct fkda_dims {
    int64_t B, T;        /* q is [B, T, H, K]; with cu_seqlens B == 1 and T is the total token count   */
    int64_t H, HV, K, V; /* heads, value heads, key dim, value dim                                    */
    int64_t N;           /* number of sequences: B, or cu_seqlens.shape[0] - 1                         */
    int64_t group;       /* HV / H: value head hv reads q/k head hv / group                              */
    int varlen;          /* cu_seqlens present                                                          */
    float scale;         /* resolved: K^-0.5 when the caller passed FKDA_DEFAULT_SCALE                  */
    /* decode only */
    int64_t slots;       /* state_pool.shape[0]                                                         */
    int64_t idx_cols;    /* 0: no indices; 1: indices [N]; Tmax: indices [N, Tmax]                       */
} fkda_dims;

/* Records a formatted message for fkda_last_error() and returns status. */
fkda_status fkda_fail(fkda_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void fkda_clear_error(void);

/* Sequence n of a (validated, host-side) problem covers tokens [bos, eos) of the flattened B*T axis. */
void fkda_seq_bounds(const fkda_tensor *cu_seqlens, const fkda_dims *d, int64_t n, int64_t *bos, int64_t *eos);

/* FKDA_ERROR_WORKSPACE unless ws holds need bytes. Every backend's run function checks its own workspace with
 * it, against the size its *_workspace function answers for the same arguments (the CUDA prefill plans once). */
fkda_status fkda_check_workspace(const void *ws, size_t have, size_t need);

/* ---- CPU backends (src/cpu) ---------------------------------------------------------------------- */
size_t fkda_cpu_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d);
fkda_status fkda_cpu_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes);
size_t fkda_cpu_decode_workspace(const fkda_decode_args *a, const fkda_dims *d);
fkda_status fkda_cpu_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes);

size_t fkda_ref_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d);
fkda_status fkda_ref_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes);
size_t fkda_ref_decode_workspace(const fkda_decode_args *a, const fkda_dims *d);
fkda_status fkda_ref_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes);

/* ---- CUDA backend (src/cuda; stubs in src/cuda_stub.c when built without CUDA) ------------------- */
int fkda_cuda_compiled(void);
int fkda_cuda_device_count(void);
/* 1 if p is device (or managed) memory, 0 if host memory or unknown. */
int fkda_cuda_is_device_pointer(const void *p);
size_t fkda_cuda_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d);
fkda_status fkda_cuda_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                              void *stream);
/* The CUDA prefill's plan for validated arguments: what fkda_cuda_prefill would launch on a GPU of sms SMs (0: the
 * current device's count, 132 without one) under the FKDA_PREFILL_* knobs of the environment. Host code only, no GPU
 * needed: tests/test_prefill_plan.c pins the plans of the bar shapes and checks invariants on many more. Returns 0
 * (and a zeroed plan) in a build without CUDA. */
typedef struct fkda_prefill_plan_info {
    int overlap;     /* 1: v4.1, the prep in producer warps of the chain CTA (no workspace) */
    int c32;         /* 1: records of 32-token pairs of chunks, 32-token chain steps */
    int64_t seg_len; /* v3: sequences cut in segments of seg_len 16-token chunks; 0: no segments */
    int phases;      /* 1, or the phases of the longest-first deep chains (varlen with cu_seqlens_host) */
    int phase0_seqs; /* sequences in the first of those phases: 1, or 2 (the two longest) */
    size_t ws_bytes; /* the workspace the call needs (fkda_cuda_prefill_workspace) */
} fkda_prefill_plan_info;
int fkda_cuda_prefill_plan(const fkda_prefill_args *a, const fkda_dims *d, int sms, fkda_prefill_plan_info *out);
size_t fkda_cuda_decode_workspace(const fkda_decode_args *a, const fkda_dims *d);
fkda_status fkda_cuda_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                             void *stream);

#ifdef __cplusplus
}
#endif

#endif
