/* CANDIDATE, NOT MEASURED (kept in history for one device run; the shipped kernel is the one of 8a2db8f):
 * the generalised kernel of bc5bacf (rows per warp R, channels per lane CPL with interleaved 16-byte pieces, PDL
 * knob) without the runtime cache-hint switch, the probe and the pipelined kernel, plus compile-time dtypes
 * when q, k, v, g, beta and out are all bf16 (no per-access dtype switches). See
 * bench/results/2026-11-25-h100-decode-v2.md for why.
 *
 * CUDA KDA decode: a few tokens per sequence against a state pool updated in place (continuous batching,
 * speculative decoding).
 *
 * The math, per sequence n, value head hv (q/k head h = hv / group), token t, with the state stored
 * V-first (row v of the pool slot is S[:, v], K = 128 channels):
 *
 *     S'[v, :] = exp(a_t) * S[v, :]                        a_t from the gate (bounded, softplus, given)
 *     u[v]     = beta_t * (v_t[v] - <S'[v, :], k_t>)
 *     S[v, :]  = S'[v, :] + u[v] * k_t
 *     o_t[v]   = scale * <S[v, :], q_t> = <S'[v, :], qs> + u[v] * <k_t, qs>     (qs = scale * q_t)
 *
 * The second form of o_t lets both dot products run over S' in the same pass.
 *
 * Work split: the state dominates the bytes (64 KB fp32 per sequence and head against ~1 KB of q, k, v,
 * g), so the kernel is a streaming copy with arithmetic on the way. One warp owns R consecutive rows v of
 * one (n, hv); lane l holds channels 4l..4l+3 of each of its rows in registers (one 16-byte load per row
 * for fp32, 8 bytes for bf16), so decay, both dots (a warp butterfly reduction), the update and the output
 * stay in registers. All R row loads are issued before the per-token preprocessing (gate, L2 norms, beta),
 * which each warp recomputes from L1/L2-resident inputs and which hides behind the state loads. The state
 * is touched once, so its loads and stores use streaming cache hints. Each row is read and written by the
 * same warp, so updating the pool in place is safe. All sums of a token (the two dots of every row, |q|^2,
 * |k|^2, <k, q>) go through one butterfly; the L2 norms and the scale are applied to the sums afterwards.
 *
 * Tried and dropped (bench/REPORT.md, "CUDA decode"): a persistent kernel staging the state through a cp.async
 * ring in shared memory (no faster: more bytes in flight did not help), and eight lanes per row with 3-level
 * reductions (much slower).
 *
 * Slot indices live on the device and are never checked on the host: a read slot outside [0, slots)
 * skips the sequence (zeros out, nothing read or written), a write slot outside it skips that write.
 * cu_seqlens bounds are clamped into [0, T] and num_accepted_tokens into [1, Tmax]. No allocation, no
 * host synchronisation, no atomics: graph-capturable and deterministic.
 */
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define DEC_K 128
#define DEC_V 128
#define DEC_WARPS 4 /* warps per CTA */

enum { DT_BF16 = 0, DT_F16 = 1, DT_F32 = 2 };
enum { GATE_BOUNDED = 0, GATE_SOFTPLUS = 1, GATE_GIVEN = 2 };

/* Everything the kernel needs: pointers, strides in elements, dimensions, flags. */
typedef struct dec_params {
    const char *q, *k, *v, *g, *beta;
    char *out;
    char *pool;
    const float *A_log, *dt_bias;
    const void *idx, *nacc, *cu;
    int64_t q_s[3], k_s[3], v_s[3], g_s[3], beta_s[3], out_s[3]; /* [b, t, head] strides */
    int64_t pool_s[3];                                            /* [slot, hv, v] strides */
    int64_t idx_s[2], nacc_s, cu_s, A_s, bias_s;                  /* bias_s: stride of dt_bias between heads */
    int64_t N, T, HV, group, slots, idx_cols;
    int q_dt, k_dt, v_dt, g_dt, beta_dt, out_dt;
    int idx64, nacc64, cu64;
    int has_idx, idx_spec, has_nacc, varlen, has_A, has_bias;
    int gate, l2norm, beta_sigmoid, neg_eig;
    float scale, lower_bound;
} dec_params;

/* ---- element access ------------------------------------------------------------------------------ */
static __device__ __forceinline__ int dt_size(int dt) { return dt == DT_F32 ? 4 : 2; }

/* Four consecutive elements at element offset off (caller guarantees 4-element alignment). */
static __device__ __forceinline__ float4 load4(const char *base, int64_t off, int dt)
{
    const char *p = base + off * dt_size(dt);
    if (dt == DT_F32) return *(const float4 *)p;
    uint2 raw = *(const uint2 *)p;
    float2 a, b;
    if (dt == DT_BF16) {
        a = __bfloat1622float2(*(const __nv_bfloat162 *)&raw.x);
        b = __bfloat1622float2(*(const __nv_bfloat162 *)&raw.y);
    } else {
        a = __half22float2(*(const __half2 *)&raw.x);
        b = __half22float2(*(const __half2 *)&raw.y);
    }
    return make_float4(a.x, a.y, b.x, b.y);
}

static __device__ __forceinline__ float load1(const char *base, int64_t off, int dt)
{
    if (dt == DT_F32) return ((const float *)base)[off];
    if (dt == DT_BF16) return __bfloat162float(((const __nv_bfloat16 *)base)[off]);
    return __half2float(((const __half *)base)[off]);
}

static __device__ __forceinline__ int64_t load_index(const void *p, int is64, int64_t off)
{
    return is64 ? ((const int64_t *)p)[off] : (int64_t)((const int32_t *)p)[off];
}

/* ---- the state: 16-byte pieces of a row (8 bytes for bf16 with 4 channels per piece) --------------- */
/* Cache hints (FKDA_DECODE_HINT, exploration): 0 loads and stores .cs; 1 both default; 2 loads .cs, stores
 * default; 3 loads L1::no_allocate, stores .cs. */
static __device__ __forceinline__ uint4 ld16(const void *p, int hint)
{
    uint4 r;
    if (hint == 1)
        asm volatile("ld.global.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w) : "l"(p));
    else if (hint == 3)
        asm volatile("ld.global.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w) : "l"(p));
    else
        asm volatile("ld.global.cs.v4.u32 {%0, %1, %2, %3}, [%4];"
                     : "=r"(r.x), "=r"(r.y), "=r"(r.z), "=r"(r.w) : "l"(p));
    return r;
}
static __device__ __forceinline__ uint2 ld8(const void *p, int hint)
{
    uint2 r;
    if (hint == 1) asm volatile("ld.global.v2.u32 {%0, %1}, [%2];" : "=r"(r.x), "=r"(r.y) : "l"(p));
    else if (hint == 3) asm volatile("ld.global.L1::no_allocate.v2.u32 {%0, %1}, [%2];" : "=r"(r.x), "=r"(r.y) : "l"(p));
    else asm volatile("ld.global.cs.v2.u32 {%0, %1}, [%2];" : "=r"(r.x), "=r"(r.y) : "l"(p));
    return r;
}
static __device__ __forceinline__ void st16(void *p, uint4 r, int hint)
{
    if (hint == 1 || hint == 2)
        asm volatile("st.global.v4.u32 [%0], {%1, %2, %3, %4};" ::"l"(p), "r"(r.x), "r"(r.y), "r"(r.z), "r"(r.w) : "memory");
    else
        asm volatile("st.global.cs.v4.u32 [%0], {%1, %2, %3, %4};" ::"l"(p), "r"(r.x), "r"(r.y), "r"(r.z), "r"(r.w)
                     : "memory");
}
static __device__ __forceinline__ void st8(void *p, uint2 r, int hint)
{
    if (hint == 1 || hint == 2) asm volatile("st.global.v2.u32 [%0], {%1, %2};" ::"l"(p), "r"(r.x), "r"(r.y) : "memory");
    else asm volatile("st.global.cs.v2.u32 [%0], {%1, %2};" ::"l"(p), "r"(r.x), "r"(r.y) : "memory");
}

/* Words of a piece <-> floats: fp32 one per word, bf16 two per word (low half first). */
template <typename S>
static __device__ __forceinline__ void unpack(const unsigned *w, int nw, float *x)
{
    for (int i = 0; i < nw; i++) {
        if (sizeof(S) == 4) {
            x[i] = __uint_as_float(w[i]);
        } else {
            x[2 * i] = __uint_as_float(w[i] << 16);
            x[2 * i + 1] = __uint_as_float(w[i] & 0xffff0000u);
        }
    }
}
template <typename S>
static __device__ __forceinline__ void pack(const float *x, int nw, unsigned *w)
{
    for (int i = 0; i < nw; i++) {
        if (sizeof(S) == 4) {
            w[i] = __float_as_uint(x[i]);
        } else {
            const __nv_bfloat162 b = __floats2bfloat162_rn(x[2 * i], x[2 * i + 1]);
            w[i] = *(const unsigned *)&b;
        }
    }
}

/* VE channels of a row: 16 bytes, or 8 bytes for bf16 with VE = 4. */
template <typename S, int VE>
static __device__ __forceinline__ void piece_load(const S *p, float *x, int hint)
{
    if (sizeof(S) * VE == 16) {
        const uint4 r = ld16(p, hint);
        const unsigned w[4] = {r.x, r.y, r.z, r.w};
        unpack<S>(w, 4, x);
    } else {
        const uint2 r = ld8(p, hint);
        const unsigned w[2] = {r.x, r.y};
        unpack<S>(w, 2, x);
    }
}
template <typename S, int VE>
static __device__ __forceinline__ void piece_store(S *p, const float *x, int hint)
{
    if (sizeof(S) * VE == 16) {
        unsigned w[4];
        pack<S>(x, 4, w);
        st16(p, make_uint4(w[0], w[1], w[2], w[3]), hint);
    } else {
        unsigned w[2];
        pack<S>(x, 2, w);
        st8(p, make_uint2(w[0], w[1]), hint);
    }
}

static __device__ __forceinline__ float sigmoidf_(float x) { return 1.0f / (1.0f + __expf(-x)); }

/* exp(a) for one channel: the per-channel decay of one token. */
static __device__ __forceinline__ float decay1(const dec_params &p, float x, float A)
{
    float a;
    if (p.gate == GATE_BOUNDED) a = p.lower_bound * sigmoidf_(A * x);
    else if (p.gate == GATE_SOFTPLUS) a = -A * (x > 20.0f ? x : log1pf(__expf(x)));
    else a = x;
    return __expf(a);
}

/* ---- one work item: R consecutive rows of one (sequence, value head) ----------------------------- */
typedef struct dec_item {
    int n, hv, h, row0;
    int64_t b, bos, eos; /* batch row and token range */
    int64_t slot;        /* slot read (and written without speculative indices) */
    int live;            /* tokens to run and a valid slot: state traffic happens */
    int skip;            /* tokens to run but an invalid read slot: zeros out */
} dec_item;

static __device__ __forceinline__ dec_item item_lookup(const dec_params &p, unsigned item, int R)
{
    dec_item it;
    const unsigned per_head = DEC_V / R, nh = item / per_head;
    it.n = (int)(nh / (unsigned)p.HV);
    it.hv = (int)(nh % (unsigned)p.HV);
    it.h = it.hv / (int)p.group;
    it.row0 = (int)(item % per_head) * R;
    it.b = it.n;
    it.bos = 0;
    it.eos = p.T;
    if (p.varlen) {
        it.b = 0;
        int64_t bos = load_index(p.cu, p.cu64, it.n * p.cu_s), eos = load_index(p.cu, p.cu64, (it.n + 1) * p.cu_s);
        bos = bos < 0 ? 0 : (bos > p.T ? p.T : bos);
        it.bos = bos;
        it.eos = eos < bos ? bos : (eos > p.T ? p.T : eos);
    }
    int64_t slot = it.n;
    if (p.has_idx) {
        int64_t col = 0;
        if (p.has_nacc) {
            col = load_index(p.nacc, p.nacc64, it.n * p.nacc_s) - 1;
            col = col < 0 ? 0 : (col >= p.idx_cols ? p.idx_cols - 1 : col);
        }
        slot = load_index(p.idx, p.idx64, it.n * p.idx_s[0] + col * p.idx_s[1]);
    }
    it.slot = slot;
    const int valid = slot >= 0 && slot < p.slots, has_tokens = it.eos > it.bos;
    it.live = has_tokens && valid;
    it.skip = has_tokens && !valid;
    return it;
}

/* Layout of a warp's R rows. A lane holds CPL channels of each of RPL rows, as NP pieces of VE consecutive
 * channels; LPR lanes share a row, so one warp instruction covers RPI = 32 / LPR rows. Piece m of lane l
 * starts at channel (l % LPR + m * LPR) * VE: the pieces of one instruction are contiguous, so every
 * access is a full run of 32-byte sectors (contiguous pieces per lane would leave gaps in each instruction
 * and waste sectors). Lane l's row i is row0 + i * RPI + l / LPR. */
template <typename S, int R, int CPL>
struct dec_shape {
    static constexpr int VE = (sizeof(S) == 4 || CPL == 4) ? 4 : 8;
    static constexpr int NP = CPL / VE, LPR = DEC_K / CPL, RPI = 32 / LPR, RPL = R / RPI;
    /* CTAs per SM the registers must allow: ptxas would otherwise take up to 255 registers and halve the
     * warps per SM for no gain. */
    static constexpr int MINB = RPL * CPL >= 128 ? 2 : RPL * CPL >= 64 ? 3 : 4;
    static constexpr int MINB2 = RPL * CPL >= 64 ? 2 : 3; /* two buffers */
};

static __device__ __forceinline__ void store1(char *base, int64_t off, int dt, float x)
{
    if (dt == DT_F32) ((float *)base)[off] = x;
    else if (dt == DT_BF16) ((__nv_bfloat16 *)base)[off] = __float2bfloat16_rn(x);
    else ((__half *)base)[off] = __float2half_rn(x);
}

/* The recurrence over the item's tokens, this lane's part of the state rows in s. */
template <typename S, int R, int CPL, bool BF>
static __device__ __forceinline__ void item_run(const dec_params &p, const dec_item &it, float (&s)[dec_shape<S, R, CPL>::RPL][CPL], int lane)
{
    typedef dec_shape<S, R, CPL> sh;
    constexpr int VE = sh::VE, NP = sh::NP, LPR = sh::LPR, RPI = sh::RPI, RPL = sh::RPL;
    const int li = lane % LPR, sub = lane / LPR;
    S *pool = (S *)p.pool;
    /* All-bf16 inputs and output (BF): constant dtypes, so the element accessors compile to single accesses. */
    const int q_dt = BF ? DT_BF16 : p.q_dt, k_dt = BF ? DT_BF16 : p.k_dt, g_dt = BF ? DT_BF16 : p.g_dt;
    const int v_dt = BF ? DT_BF16 : p.v_dt, beta_dt = BF ? DT_BF16 : p.beta_dt, out_dt = BF ? DT_BF16 : p.out_dt;
    int ch[NP]; /* first channel of each piece */
#pragma unroll
    for (int m = 0; m < NP; m++) ch[m] = (li + m * LPR) * VE;
    float A = 1.0f;
    if (p.has_A) A = __expf(p.A_log[it.hv * p.A_s]);
    float bias[CPL];
#pragma unroll
    for (int c = 0; c < CPL; c++) bias[c] = 0.0f;
    if (p.has_bias) {
        const float *bp = p.dt_bias + it.hv * p.bias_s;
#pragma unroll
        for (int m = 0; m < NP; m++)
#pragma unroll
            for (int e = 0; e < VE; e++) bias[m * VE + e] = bp[ch[m] + e];
    }

    for (int64_t t = it.bos; t < it.eos; t++) {
        float q[CPL], k[CPL], g[CPL];
        const int64_t qo = it.b * p.q_s[0] + t * p.q_s[1] + it.h * p.q_s[2];
        const int64_t ko = it.b * p.k_s[0] + t * p.k_s[1] + it.h * p.k_s[2];
        const int64_t go = it.b * p.g_s[0] + t * p.g_s[1] + it.hv * p.g_s[2];
#pragma unroll
        for (int m = 0; m < NP; m++)
#pragma unroll
            for (int e = 0; e < VE; e += 4) {
                const float4 a = load4(p.q, qo + ch[m] + e, q_dt), b = load4(p.k, ko + ch[m] + e, k_dt);
                const float4 c = load4(p.g, go + ch[m] + e, g_dt);
                const int j = m * VE + e;
                q[j] = a.x; q[j + 1] = a.y; q[j + 2] = a.z; q[j + 3] = a.w;
                k[j] = b.x; k[j + 1] = b.y; k[j + 2] = b.z; k[j + 3] = b.w;
                g[j] = c.x; g[j + 1] = c.y; g[j + 2] = c.z; g[j + 3] = c.w;
            }
        const int64_t vo = it.b * p.v_s[0] + t * p.v_s[1] + it.hv * p.v_s[2] + it.row0 + sub;
        float vv[RPL];
#pragma unroll
        for (int i = 0; i < RPL; i++) vv[i] = load1(p.v, vo + i * RPI, v_dt);
        float beta = load1(p.beta, it.b * p.beta_s[0] + t * p.beta_s[1] + it.hv * p.beta_s[2], beta_dt);
        if (p.beta_sigmoid) beta = sigmoidf_(beta);
        if (p.neg_eig) beta *= 2.0f;

        /* Every sum of the token in one butterfly over the LPR lanes of a row: per row <S', k>, <S', q>,
         * and |q|^2, |k|^2, <k, q> on the raw q, k; the L2 norms and the scale are applied to the sums
         * afterwards (one reduction depth on the critical path instead of three). */
        float red[2 * RPL + 3];
#pragma unroll
        for (int i = 0; i < 2 * RPL + 3; i++) red[i] = 0.0f;
#pragma unroll
        for (int c = 0; c < CPL; c++) {
            const float e = decay1(p, g[c] + bias[c], A);
#pragma unroll
            for (int i = 0; i < RPL; i++) {
                s[i][c] *= e;
                red[i] += s[i][c] * k[c];
                red[RPL + i] += s[i][c] * q[c];
            }
            red[2 * RPL] += q[c] * q[c];
            red[2 * RPL + 1] += k[c] * k[c];
            red[2 * RPL + 2] += k[c] * q[c];
        }
#pragma unroll
        for (int m = LPR / 2; m > 0; m >>= 1) {
#pragma unroll
            for (int i = 0; i < 2 * RPL + 3; i++) red[i] += __shfl_xor_sync(0xffffffffu, red[i], m);
        }
        float qs = p.scale, kinv = 1.0f;
        if (p.l2norm) {
            qs *= rsqrtf(red[2 * RPL] + 1e-6f);
            kinv = rsqrtf(red[2 * RPL + 1] + 1e-6f);
        }
        const float kq = red[2 * RPL + 2] * kinv * qs;
        const int64_t oo = it.b * p.out_s[0] + t * p.out_s[1] + it.hv * p.out_s[2] + it.row0 + sub;
#pragma unroll
        for (int i = 0; i < RPL; i++) {
            const float u = beta * (vv[i] - red[i] * kinv);
            const float uk = u * kinv; /* the update adds u * (k * kinv) */
#pragma unroll
            for (int c = 0; c < CPL; c++) s[i][c] += uk * k[c];
            if (li == i % LPR) store1(p.out, oo + i * RPI, out_dt, red[RPL + i] * qs + u * kq);
        }

        /* Speculative decoding: the state after token t goes to slot idx[n, t]. */
        if (p.idx_spec) {
            const int64_t j = t - it.bos;
            if (j < p.idx_cols) {
                const int64_t ws = load_index(p.idx, p.idx64, it.n * p.idx_s[0] + j * p.idx_s[1]);
                if (ws >= 0 && ws < p.slots) {
                    S *dst = pool + ws * p.pool_s[0] + (int64_t)it.hv * p.pool_s[1] + (int64_t)(it.row0 + sub) * p.pool_s[2];
#pragma unroll
                    for (int i = 0; i < RPL; i++)
#pragma unroll
                        for (int m = 0; m < NP; m++)
                            piece_store<S, VE>(dst + i * RPI * p.pool_s[2] + ch[m], &s[i][m * VE], 0);
                }
            }
        }
    }
}

/* ---- the kernels ------------------------------------------------------------------------------------ */
/* This lane's pieces of the item's rows, in the slot it reads. */
template <typename S, int R, int CPL>
static __device__ __forceinline__ S *item_rows(const dec_params &p, const dec_item &it, int lane)
{
    typedef dec_shape<S, R, CPL> sh;
    const int64_t slot = it.slot;
    return (S *)p.pool + slot * p.pool_s[0] + (int64_t)it.hv * p.pool_s[1] +
           (int64_t)(it.row0 + lane / sh::LPR) * p.pool_s[2] + (lane % sh::LPR) * sh::VE;
}

template <typename S, int R, int CPL>
static __device__ __forceinline__ void item_load(const dec_params &p, const dec_item &it, float (&s)[dec_shape<S, R, CPL>::RPL][CPL], int lane)
{
    typedef dec_shape<S, R, CPL> sh;
    const S *base = item_rows<S, R, CPL>(p, it, lane);
#pragma unroll
    for (int i = 0; i < sh::RPL; i++)
#pragma unroll
        for (int m = 0; m < sh::NP; m++)
            piece_load<S, sh::VE>(base + i * sh::RPI * p.pool_s[2] + m * sh::LPR * sh::VE, &s[i][m * sh::VE], 0);
}

/* Everything after the state load: zeros for a skipped item; else the tokens and the final store. */
template <typename S, int R, int CPL, bool BF>
static __device__ __forceinline__ void item_finish(const dec_params &p, const dec_item &it, float (&s)[dec_shape<S, R, CPL>::RPL][CPL], int lane)
{
    typedef dec_shape<S, R, CPL> sh;
    if (it.skip) {
        for (int64_t t = it.bos; t < it.eos; t++)
            if (lane < R) store1(p.out, it.b * p.out_s[0] + t * p.out_s[1] + it.hv * p.out_s[2] + it.row0 + lane, p.out_dt, 0.0f);
    }
    if (!it.live) return;
    item_run<S, R, CPL, BF>(p, it, s, lane);
    if (p.idx_spec) return;
    /* The state after the last token goes back to the slot it came from. */
    S *base = item_rows<S, R, CPL>(p, it, lane);
#pragma unroll
    for (int i = 0; i < sh::RPL; i++)
#pragma unroll
        for (int m = 0; m < sh::NP; m++)
            piece_store<S, sh::VE>(base + i * sh::RPI * p.pool_s[2] + m * sh::LPR * sh::VE, &s[i][m * sh::VE], 0);
}

/* Programmatic dependent launch: let the next call's CTAs start now, and touch no memory before the
 * previous grid (whoever wrote our inputs, or the previous call's pool and out) has completed. Both are
 * no-ops for a plain launch. */
static __device__ __forceinline__ void pdl_start(void)
{
    asm volatile("griddepcontrol.launch_dependents;");
    asm volatile("griddepcontrol.wait;" ::: "memory");
}

/* One item per warp, state loaded straight into registers. */
template <typename S, int R, int CPL, bool BF>
__global__ void __launch_bounds__(32 * DEC_WARPS, (dec_shape<S, R, CPL>::MINB)) kda_decode(const dec_params p, unsigned items)
{
    pdl_start();
    const int lane = threadIdx.x & 31;
    const unsigned item = blockIdx.x * DEC_WARPS + (threadIdx.x >> 5);
    if (item >= items) return;
    const dec_item it = item_lookup(p, item, R);
    float s[dec_shape<S, R, CPL>::RPL][CPL];
    if (it.live) item_load<S, R, CPL>(p, it, s, lane);
    item_finish<S, R, CPL, BF>(p, it, s, lane);
}

/* ---- host side ----------------------------------------------------------------------------------- */
static int dtype_code(fkda_dtype dt)
{
    switch (dt) {
    case FKDA_BFLOAT16: return DT_BF16;
    case FKDA_FLOAT16: return DT_F16;
    case FKDA_FLOAT32: return DT_F32;
    default: return -1;
    }
}

/* A token-major tensor [B, T, heads, inner] read 4 elements at a time: float dtype, unit inner stride,
 * every other stride and the base address a multiple of 4 elements. Fills code and the outer strides. */
static fkda_status vector_operand(const char *name, const fkda_tensor *t, int *code, int64_t s[3])
{
    *code = dtype_code(t->dtype);
    if (*code < 0) return fkda_fail(FKDA_ERROR_UNSUPPORTED, "%s: dtype %s not supported by the CUDA decode", name,
                                    fkda_dtype_name(t->dtype));
    if (t->rank != 4 || t->stride[3] != 1)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "%s: the CUDA decode needs a unit stride in the last dimension",
                         name);
    const size_t bytes = fkda_dtype_size(t->dtype) * 4;
    for (int i = 0; i < 3; i++) {
        s[i] = t->stride[i];
        if (t->stride[i] % 4 != 0 && t->shape[i] > 1)
            return fkda_fail(FKDA_ERROR_UNSUPPORTED, "%s: stride %d (%lld) must be a multiple of 4 elements",
                             name, i, (long long)t->stride[i]);
    }
    if ((uintptr_t)t->data % bytes != 0)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "%s: data must be aligned to %zu bytes", name, bytes);
    return FKDA_SUCCESS;
}

/* The kernel variants: pool type, rows per warp, channels per lane. */
template <typename S, int R, int CPL>
static cudaError_t launch(const dec_params &p, unsigned items, cudaStream_t s, int pdl, int bf)
{
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3((items + DEC_WARPS - 1) / DEC_WARPS);
    cfg.blockDim = dim3(32 * DEC_WARPS);
    cfg.stream = s;
    cudaLaunchAttribute attr = {};
    attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attr.val.programmaticStreamSerializationAllowed = 1;
    cfg.attrs = &attr;
    cfg.numAttrs = pdl ? 1 : 0;
    if (bf) return cudaLaunchKernelEx(&cfg, kda_decode<S, R, CPL, true>, p, items);
    return cudaLaunchKernelEx(&cfg, kda_decode<S, R, CPL, false>, p, items);
}

typedef struct dec_variant {
    int bf16, R, CPL;
    cudaError_t (*fn)(const dec_params &, unsigned, cudaStream_t, int, int);
} dec_variant;

static const dec_variant VARIANTS[] = {
    {0, 4, 4, launch<float, 4, 4>},          {0, 8, 4, launch<float, 8, 4>},
    {0, 16, 4, launch<float, 16, 4>},        {0, 32, 4, launch<float, 32, 4>},
    {0, 2, 8, launch<float, 2, 8>},          {0, 4, 8, launch<float, 4, 8>},
    {0, 8, 8, launch<float, 8, 8>},          {0, 16, 8, launch<float, 16, 8>},
    {0, 32, 8, launch<float, 32, 8>},        {1, 8, 4, launch<__nv_bfloat16, 8, 4>},
    {1, 16, 4, launch<__nv_bfloat16, 16, 4>}, {1, 8, 8, launch<__nv_bfloat16, 8, 8>},
    {1, 16, 8, launch<__nv_bfloat16, 16, 8>}, {1, 32, 8, launch<__nv_bfloat16, 32, 8>},
    {1, 16, 16, launch<__nv_bfloat16, 16, 16>}, {1, 32, 16, launch<__nv_bfloat16, 32, 16>},
};

static int env_int(const char *name, int fallback)
{
    const char *v = getenv(name);
    return v != NULL && *v ? atoi(v) : fallback;
}

/* The variant for a call (CANDIDATE defaults, not measured as a whole): fp32 pool 32 rows per warp and 16 lanes
 * per row from 2048 (sequence, head) pairs on, else 8 rows and 32 lanes per row; bf16 pool 16 or 8 rows with
 * 16-byte pieces. FKDA_DECODE_ROWS, FKDA_DECODE_CPL and FKDA_DECODE_PDL override it; read per call. 16-byte bf16
 * pieces need 16-byte aligned rows (wide = 1); otherwise a 4-channel variant runs. */
static const dec_variant *pick_variant(const fkda_dims *d, int bf16, int wide)
{
    const int big = d->N * d->HV >= 2048;
    const int Rdef = bf16 ? (big ? 16 : 8) : (big ? 32 : 8), Cdef = bf16 ? (wide ? 8 : 4) : (big ? 8 : 4);
    const int R = env_int("FKDA_DECODE_ROWS", Rdef), CPL = env_int("FKDA_DECODE_CPL", Cdef);
    const dec_variant *fallback = NULL;
    for (size_t i = 0; i < sizeof VARIANTS / sizeof VARIANTS[0]; i++) {
        const dec_variant *v = &VARIANTS[i];
        if (v->bf16 != bf16) continue;
        if (v->R == R && v->CPL == CPL && (wide || !bf16 || CPL == 4)) return v;
        if (v->R == 8 && v->CPL == 4) fallback = v;
    }
    return fallback;
}

extern "C" size_t fkda_cuda_decode_workspace(const fkda_decode_args *a, const fkda_dims *d)
{
    (void)a; (void)d;
    return 0;
}

extern "C" fkda_status fkda_cuda_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                                        void *stream)
{
    (void)ws; (void)ws_bytes;
    if (d->K != DEC_K || d->V != DEC_V)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "the CUDA decode supports K = V = 128 only (got K = %lld, V = %lld)",
                         (long long)d->K, (long long)d->V);
    if (a->state_layout != FKDA_STATE_V_FIRST)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "state_layout: the CUDA decode supports the V-first pool only");

    dec_params p;
    memset(&p, 0, sizeof p);
    fkda_status st;
    if ((st = vector_operand("q", &a->q, &p.q_dt, p.q_s)) != FKDA_SUCCESS) return st;
    if ((st = vector_operand("k", &a->k, &p.k_dt, p.k_s)) != FKDA_SUCCESS) return st;
    if ((st = vector_operand("v", &a->v, &p.v_dt, p.v_s)) != FKDA_SUCCESS) return st;
    if ((st = vector_operand("g", &a->g, &p.g_dt, p.g_s)) != FKDA_SUCCESS) return st;
    if ((st = vector_operand("out", &a->out, &p.out_dt, p.out_s)) != FKDA_SUCCESS) return st;
    p.beta_dt = dtype_code(a->beta.dtype);
    if (p.beta_dt < 0 || a->beta.rank != 3)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "beta: dtype %s or rank %d not supported by the CUDA decode",
                         fkda_dtype_name(a->beta.dtype), a->beta.rank);
    for (int i = 0; i < 3; i++) p.beta_s[i] = a->beta.stride[i];

    /* The pool: f32 or bf16, [slots, HV, V, K] with unit K stride and 4-element aligned rows. */
    const fkda_tensor *sp = &a->state_pool;
    if (sp->dtype != FKDA_FLOAT32 && sp->dtype != FKDA_BFLOAT16)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "state_pool: dtype %s not supported by the CUDA decode",
                         fkda_dtype_name(sp->dtype));
    if (sp->rank != 4 || sp->stride[3] != 1 || (uintptr_t)sp->data % (fkda_dtype_size(sp->dtype) * 4) != 0)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "state_pool: the CUDA decode needs a unit K stride and "
                                                 "%zu-byte alignment", fkda_dtype_size(sp->dtype) * 4);
    for (int i = 0; i < 3; i++) {
        p.pool_s[i] = sp->stride[i];
        if (sp->stride[i] % 4 != 0)
            return fkda_fail(FKDA_ERROR_UNSUPPORTED, "state_pool: stride %d (%lld) must be a multiple of 4", i,
                             (long long)sp->stride[i]);
    }

    p.q = (const char *)a->q.data;
    p.k = (const char *)a->k.data;
    p.v = (const char *)a->v.data;
    p.g = (const char *)a->g.data;
    p.beta = (const char *)a->beta.data;
    p.out = (char *)a->out.data;
    p.pool = (char *)sp->data;

    if (a->A_log.rank > 0) {
        if (a->A_log.dtype != FKDA_FLOAT32)
            return fkda_fail(FKDA_ERROR_UNSUPPORTED, "A_log: the CUDA decode needs f32");
        p.has_A = 1;
        p.A_log = (const float *)a->A_log.data;
        p.A_s = a->A_log.stride[0];
    }
    if (a->dt_bias.rank > 0) {
        const fkda_tensor *bt = &a->dt_bias;
        if (bt->dtype != FKDA_FLOAT32 || bt->stride[bt->rank - 1] != 1)
            return fkda_fail(FKDA_ERROR_UNSUPPORTED, "dt_bias: the CUDA decode needs f32 with a unit inner stride");
        p.has_bias = 1;
        p.dt_bias = (const float *)bt->data;
        p.bias_s = bt->rank == 2 ? bt->stride[0] : DEC_K;
    }
    if (a->ssm_state_indices.rank > 0) {
        const fkda_tensor *it = &a->ssm_state_indices;
        p.has_idx = 1;
        p.idx = it->data;
        p.idx64 = it->dtype == FKDA_INT64;
        p.idx_spec = d->idx_cols > 1; /* [N, 1] behaves like [N], as in the reference */
        p.idx_s[0] = it->stride[0];
        p.idx_s[1] = it->rank == 2 ? it->stride[1] : 0;
    }
    if (a->num_accepted_tokens.rank > 0) {
        p.has_nacc = 1;
        p.nacc = a->num_accepted_tokens.data;
        p.nacc64 = a->num_accepted_tokens.dtype == FKDA_INT64;
        p.nacc_s = a->num_accepted_tokens.stride[0];
    }
    if (d->varlen) {
        p.varlen = 1;
        p.cu = a->cu_seqlens.data;
        p.cu64 = a->cu_seqlens.dtype == FKDA_INT64;
        p.cu_s = a->cu_seqlens.stride[0];
    }
    p.N = d->N;
    p.T = d->T;
    p.HV = d->HV;
    p.group = d->group;
    p.slots = d->slots;
    p.idx_cols = d->idx_cols > 0 ? d->idx_cols : 1;
    p.gate = a->gate == FKDA_GATE_BOUNDED ? GATE_BOUNDED : a->gate == FKDA_GATE_SOFTPLUS ? GATE_SOFTPLUS : GATE_GIVEN;
    p.l2norm = (a->flags & FKDA_QK_L2NORM) != 0;
    p.beta_sigmoid = (a->flags & FKDA_BETA_SIGMOID) != 0;
    p.neg_eig = (a->flags & FKDA_ALLOW_NEG_EIGVAL) != 0;
    p.scale = d->scale;
    p.lower_bound = a->lower_bound;

    if (d->N == 0 || d->T == 0) return FKDA_SUCCESS;

    if (d->N * d->HV * (DEC_V / 2) >= ((int64_t)1 << 31))
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "the CUDA decode handles fewer than 2^31 / 64 sequence-heads");
    int wide = (uintptr_t)sp->data % 16 == 0;
    for (int i = 0; i < 3; i++) wide = wide && (sp->stride[i] * (int64_t)fkda_dtype_size(sp->dtype)) % 16 == 0;
    const dec_variant *var = pick_variant(d, sp->dtype == FKDA_BFLOAT16, wide);
    const int bf = p.q_dt == DT_BF16 && p.k_dt == DT_BF16 && p.v_dt == DT_BF16 && p.g_dt == DT_BF16 &&
                   p.beta_dt == DT_BF16 && p.out_dt == DT_BF16;
    const unsigned items = (unsigned)(d->N * d->HV * (DEC_V / var->R));
    cudaError_t err = var->fn(p, items, (cudaStream_t)stream, env_int("FKDA_DECODE_PDL", 0), bf);
    if (err == cudaSuccess) err = cudaGetLastError();
    if (err != cudaSuccess)
        return fkda_fail(FKDA_ERROR_CUDA, "CUDA decode launch: %s", cudaGetErrorString(err));
    return FKDA_SUCCESS;
}
