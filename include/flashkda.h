/*
 * flashkda: Kimi Delta Attention (KDA) forward kernels, C API.
 *
 * KDA is a gated delta rule with a per-channel decay. For one sequence and one value head, with state
 * S in R^{K x V} (S_0 = initial_state or zeros), for t = 1..T:
 *
 *     S'  = diag(exp(a_t)) S_{t-1}
 *     u_t = beta_t * (v_t - S'^T k_t)
 *     S_t = S' + k_t u_t^T
 *     o_t = scale * S_t^T q_t
 *
 * a_t (the log-decay, one value per key channel) comes from the gate input g (see fkda_gate_mode);
 * q, k may be L2-normalised and beta passed through a sigmoid inside the kernel (see the flags).
 * The full contract, shapes and precision rules: docs/semantics.md.
 *
 * Conventions of this API:
 *  - Tensors are described, not owned: fkda_tensor is a pointer plus dtype, shape and strides (in
 *    elements), so strided views (a column slice for beta, say) need no copy.
 *  - Nothing is allocated on the hot path: ask for the workspace size, pass a 16-byte aligned workspace of at
 *    least that many bytes (may be NULL when the size is 0) and, for CUDA, a stream (cudaStream_t passed as
 *    void *).
 *  - Every call returns an fkda_status; fkda_last_error() says which argument was wrong and why.
 *  - The header includes no CUDA header and is usable from C and C++.
 */
#ifndef FLASHKDA_H
#define FLASHKDA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define FKDA_API __declspec(dllexport)
#elif defined(__GNUC__)
#define FKDA_API __attribute__((visibility("default")))
#else
#define FKDA_API
#endif

#define FKDA_VERSION_MAJOR 0
#define FKDA_VERSION_MINOR 1
#define FKDA_VERSION_PATCH 0

/* Returns "MAJOR.MINOR.PATCH" plus the backends compiled in, e.g. "0.1.0 (cpu, cuda sm_90a)". */
FKDA_API const char *fkda_version(void);

/* ---------------------------------------------------------------------------------------------------
 * Status and errors
 * ------------------------------------------------------------------------------------------------- */
typedef enum fkda_status {
    FKDA_SUCCESS = 0,
    FKDA_ERROR_NULL_POINTER = 1,      /* a required tensor (or its data) or argument is NULL          */
    FKDA_ERROR_BAD_SHAPE = 2,         /* rank or extents disagree with the other tensors               */
    FKDA_ERROR_BAD_DTYPE = 3,         /* element type not accepted for this argument                   */
    FKDA_ERROR_BAD_VALUE = 4,         /* a scalar or index value is out of range (lower_bound, cu_seqlens,
                                         HV % H, flags, ...)                                             */
    FKDA_ERROR_OVERLAP = 5,           /* an output overlaps an input or another output                 */
    FKDA_ERROR_WORKSPACE = 6,         /* workspace NULL, smaller than the size query returned, unaligned */
    FKDA_ERROR_UNSUPPORTED = 7,       /* valid KDA, but this backend does not implement it (K, V, layout,
                                         dtype, strides...); nothing was written                       */
    FKDA_ERROR_NO_BACKEND = 8,        /* the requested backend is not compiled in or no device found   */
    FKDA_ERROR_CUDA = 9,              /* the CUDA runtime reported an error (message has its text)     */
    FKDA_ERROR_INTERNAL = 10
} fkda_status;

/* Fixed English name of a status ("FKDA_ERROR_BAD_SHAPE: shape mismatch"). Never NULL. */
FKDA_API const char *fkda_status_string(fkda_status status);

/* Detailed message of the last failing call on this thread ("" if the last call succeeded).
 * Names the argument and the reason, e.g. "k: shape [1, 64, 4, 128] does not match q [1, 64, 8, 128]".
 * The pointer stays valid until the next fkda_* call on the same thread. */
FKDA_API const char *fkda_last_error(void);

/* ---------------------------------------------------------------------------------------------------
 * Tensor descriptors
 * ------------------------------------------------------------------------------------------------- */
typedef enum fkda_dtype {
    FKDA_DTYPE_INVALID = 0,
    FKDA_BFLOAT16 = 1,
    FKDA_FLOAT16 = 2,
    FKDA_FLOAT32 = 3,
    FKDA_FLOAT64 = 4,
    FKDA_INT32 = 5,
    FKDA_INT64 = 6
} fkda_dtype;

FKDA_API const char *fkda_dtype_name(fkda_dtype dtype); /* "bf16", "f16", "f32", ...       */
FKDA_API size_t fkda_dtype_size(fkda_dtype dtype);      /* bytes per element, 0 if invalid */

#define FKDA_MAX_RANK 5

/* A strided view. A zero-initialised descriptor (rank 0) means "absent" for optional arguments.
 * data may be NULL only when the tensor has no elements. Strides are in elements and may be any
 * non-negative values (a backend that needs unit inner strides answers FKDA_ERROR_UNSUPPORTED). */
typedef struct fkda_tensor {
    void *data;
    fkda_dtype dtype;
    int rank;
    int64_t shape[FKDA_MAX_RANK];
    int64_t stride[FKDA_MAX_RANK];
} fkda_tensor;

/* A descriptor for a row-major contiguous tensor. */
FKDA_API fkda_tensor fkda_tensor_contiguous(void *data, fkda_dtype dtype, int rank, const int64_t *shape);
/* A descriptor with explicit strides (in elements); strides == NULL means contiguous. */
FKDA_API fkda_tensor fkda_tensor_strided(void *data, fkda_dtype dtype, int rank, const int64_t *shape,
                                         const int64_t *stride);

/* ---------------------------------------------------------------------------------------------------
 * Options shared by prefill and decode
 * ------------------------------------------------------------------------------------------------- */
typedef enum fkda_backend {
    FKDA_BACKEND_AUTO = 0,      /* CUDA if the tensors live in device memory, else the CPU backend  */
    FKDA_BACKEND_CPU = 1,       /* fast fp32 CPU backend (OpenMP over sequence x head, SIMD)        */
    FKDA_BACKEND_CUDA = 2,      /* CUDA kernels; all tensors in device memory                       */
    FKDA_BACKEND_REFERENCE = 3  /* fp64 token-by-token recurrence on the CPU: slow, the test oracle */
} fkda_backend;

/* How the per-channel log-decay a (natural log, a <= 0) is obtained from g, with x = g + dt_bias[hv]. */
typedef enum fkda_gate_mode {
    /* a = lower_bound * sigmoid(exp(A_log[hv]) * x); without A_log: a = lower_bound * sigmoid(x).
     * lower_bound must lie in [-5, 0). The gate of Kimi Linear / K2 and FlashKDA. */
    FKDA_GATE_BOUNDED = 0,
    /* a = -exp(A_log[hv]) * softplus(x) (softplus(x) = x for x > 20); without A_log: a = -softplus(x).
     * Unbounded below: Kimi-Linear-48B's original gate. */
    FKDA_GATE_SOFTPLUS = 1,
    /* a = g as given (caller guarantees g <= 0); A_log and dt_bias must be absent. */
    FKDA_GATE_PRECOMPUTED = 2
} fkda_gate_mode;

typedef enum fkda_state_layout {
    FKDA_STATE_V_FIRST = 0, /* [N, HV, V, K]: S^T stored row-major (FlashKDA, FLA state_v_first=True) */
    FKDA_STATE_K_FIRST = 1  /* [N, HV, K, V]: S stored row-major (FLA's default layout)              */
} fkda_state_layout;

enum fkda_flags {
    FKDA_QK_L2NORM = 1u << 0,        /* q, k <- x / sqrt(sum(x^2) + 1e-6) per token and head         */
    FKDA_BETA_SIGMOID = 1u << 1,     /* beta holds logits: beta <- sigmoid(beta)                      */
    FKDA_ALLOW_NEG_EIGVAL = 1u << 2, /* beta <- 2 * beta after the (optional) sigmoid: beta in (0, 2) */
    /* Not math: the caller guarantees that every tensor lives where the backend computes (device memory
     * for CUDA, host memory for the CPU backends; cu_seqlens_host on the host), so the call skips asking
     * the CUDA runtime where each pointer lives (~1 us per tensor). For bindings that know their tensors'
     * devices (the Python package sets it for torch tensors). A wrong guarantee is undefined behaviour. */
    FKDA_TRUSTED_LOCATIONS = 1u << 8
};

/* scale == FKDA_DEFAULT_SCALE selects K^-0.5. */
#define FKDA_DEFAULT_SCALE 0.0f

/* ---------------------------------------------------------------------------------------------------
 * Prefill: the chunked forward over whole sequences
 *
 *   q, k           [B, T, H, K]    bf16, f16 or f32
 *   v              [B, T, HV, V]   same dtype as q; HV % H == 0 (GVA: value head hv uses head hv/(HV/H))
 *   g              [B, T, HV, K]   bf16, f16 or f32 (raw gate input, or the log-decay when precomputed)
 *   beta           [B, T, HV]      bf16, f16 or f32 (logits with FKDA_BETA_SIGMOID)
 *   A_log          [HV]            f32, optional
 *   dt_bias        [HV, K] or [HV*K] f32, optional
 *   initial_state  [N, HV, V, K] (V-first) or [N, HV, K, V] (K-first), f32 or bf16, optional
 *   final_state    same shape as initial_state, f32 or bf16, optional; may be the very same tensor as
 *                  initial_state (updated in place), any other overlap is an error
 *   cu_seqlens     [N+1] int32 or int64, optional. With it B must be 1, cu_seqlens[0] = 0, it never
 *                  decreases and ends at T; sequence n is tokens [cu[n], cu[n+1]) (empty ones allowed).
 *                  Without it each of the B rows is one sequence of length T (N = B).
 *                  For the CUDA backend cu_seqlens lives on the device and its values are not checked
 *                  on the host (that would need a synchronisation); pass cu_seqlens_host (the same
 *                  values in host memory) to have them checked, and to let the CUDA backend plan with
 *                  the lengths (segments of long sequences; phases, where the longest sequences' chains
 *                  start while the rest is still being prepared). Invalid device values never cause an
 *                  out-of-bounds access: sequence bounds are clamped into [0, T].
 *   out            [B, T, HV, V]   dtype of v
 * ------------------------------------------------------------------------------------------------- */
typedef struct fkda_prefill_args {
    fkda_tensor q, k, v, g, beta;
    fkda_tensor A_log, dt_bias;
    fkda_tensor initial_state, final_state;
    fkda_tensor cu_seqlens;
    fkda_tensor cu_seqlens_host; /* optional host mirror of a device cu_seqlens (CUDA backend)        */
    fkda_tensor out;
    float scale;                 /* FKDA_DEFAULT_SCALE (0) selects K^-0.5                           */
    float lower_bound;           /* bounded gate only, in [-5, 0)                                   */
    unsigned flags;              /* fkda_flags                                                      */
    fkda_gate_mode gate;
    fkda_state_layout state_layout;
    fkda_backend backend;
    int num_threads;             /* CPU backends: 0 = OpenMP's default                              */
} fkda_prefill_args;

/* Default-initialised arguments: all tensors absent, default scale, bounded gate with lower_bound -5,
 * V-first states, backend AUTO, no flags. */
FKDA_API fkda_prefill_args fkda_prefill_args_default(void);

/* Validates args and writes the workspace size (bytes) the chosen backend needs. */
FKDA_API fkda_status fkda_prefill_workspace_size(const fkda_prefill_args *args, size_t *bytes);

/* Runs the forward. stream: cudaStream_t for the CUDA backend (NULL = legacy default stream), ignored
 * on the CPU. The CUDA backend does not synchronise the host and does not allocate memory: graph-capturable.
 * A call planned in phases (varlen with cu_seqlens_host) forks from stream into up to three streams of the
 * library's own and joins back before it returns: stream waits for all of the call's work. The first such
 * call in a CUDA context makes those streams and six events (kept for the life of the context; after a
 * cudaDeviceReset the next phased call makes new ones); a call that finds none while stream is being
 * captured runs in one phase instead. */
FKDA_API fkda_status fkda_prefill(const fkda_prefill_args *args, void *workspace, size_t workspace_bytes,
                                  void *stream);

/* ---------------------------------------------------------------------------------------------------
 * Decode: a few tokens per sequence against a state pool updated in place (continuous batching,
 * speculative decoding). Same recurrence, token by token.
 *
 *   q, k, v, g, beta, out   as for prefill: [N, T, ...] (each row one sequence of T tokens), or
 *                           [1, total, ...] with cu_seqlens (int32/int64 [N+1])
 *   state_pool              [slots, HV, V, K] (V-first) or [slots, HV, K, V], f32 or bf16, in place
 *   ssm_state_indices       optional, int32 or int64, [N] or [N, Tmax] (Tmax >= longest sequence).
 *                           Absent: sequence n uses slot n.
 *                           [N]: read slot idx[n], write the state after the last token to idx[n].
 *                           [N, Tmax]: read slot idx[n, num_accepted_tokens[n] - 1] (idx[n, 0] without
 *                           num_accepted_tokens); write the state after token t to idx[n, t].
 *                           A negative read index skips the sequence: nothing read or written, its
 *                           outputs are zeros. A negative write index skips that write. Indices >= slots
 *                           are treated like negative ones by the CUDA backend (no host check).
 *                           With cu_seqlens on the device (CUDA) the longest sequence is unknown on the
 *                           host: Tmax is not checked and the states of tokens t >= Tmax are not written.
 *   num_accepted_tokens     optional, int32 or int64 [N], values in [1, Tmax]; needs [N, Tmax] indices.
 * ------------------------------------------------------------------------------------------------- */
typedef struct fkda_decode_args {
    fkda_tensor q, k, v, g, beta;
    fkda_tensor A_log, dt_bias;
    fkda_tensor state_pool;
    fkda_tensor ssm_state_indices;
    fkda_tensor num_accepted_tokens;
    fkda_tensor cu_seqlens;
    fkda_tensor out;
    float scale;
    float lower_bound;
    unsigned flags;
    fkda_gate_mode gate;
    fkda_state_layout state_layout;
    fkda_backend backend;
    int num_threads;
} fkda_decode_args;

FKDA_API fkda_decode_args fkda_decode_args_default(void);
FKDA_API fkda_status fkda_decode_workspace_size(const fkda_decode_args *args, size_t *bytes);
FKDA_API fkda_status fkda_decode(const fkda_decode_args *args, void *workspace, size_t workspace_bytes,
                                 void *stream);

/* ---------------------------------------------------------------------------------------------------
 * Backends
 * ------------------------------------------------------------------------------------------------- */
/* 1 if the CUDA backend is compiled in and a device is visible, else 0. */
FKDA_API int fkda_cuda_available(void);
/* Name of a backend ("auto", "cpu", "cuda", "reference"). */
FKDA_API const char *fkda_backend_name(fkda_backend backend);

#ifdef __cplusplus
}
#endif

#endif /* FLASHKDA_H */
