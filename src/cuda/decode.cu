/* CUDA KDA decode: a few tokens per sequence against a state pool updated in place (continuous batching,
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
 * for fp32, 8 bytes for bf16), so decay, both dots, the update and the output stay in registers. All R row
 * loads are issued before the per-token preprocessing (gate, L2 norms, beta), which each warp recomputes from
 * L1/L2-resident inputs and which hides behind the state loads. The state is touched once, so its loads and
 * stores use streaming cache hints. Each row is read and written by the same warp, so updating the pool in
 * place is safe. The 2R row dots go through one warp reduce-scatter
 * (lane r ends with one row's sum: 31 shuffles for 32 values, then lane r computes that row's u and output
 * and broadcasts u), |q|^2, |k|^2, <k, q> through a butterfly; the L2 norms and the scale are applied to
 * the sums afterwards. The measured ceiling of this layout (the same loads and stores without arithmetic)
 * is 96-99% of copy bandwidth (bench/results/2026-11-25-h100-decode-v2.md): the arithmetic per warp is what
 * costs, so it is kept to the fewest instructions (a butterfly per value took 32% more).
 *
 * Pair kernel (bf16 pool, many sequences: decode_shape): kda_decode with P = 2 gives each warp two consecutive
 * 8-row items of one (n, hv) and issues both items' row loads up front, so the second item's loads are in
 * flight while the first one computes (half the grid, twice the bytes per warp).
 *
 * Shapes (decode_shape, measured on an H100 at 9e9132d, bench/results/2026-11-25-s5-call2): the fp32 pool
 * runs 8-row items at every N (1474 us at N = 1024 against 1512 for pairs and 1478 for 16 rows); the bf16
 * pool runs 8 rows below 2048 (sequence, head) pairs, 16 rows from there and pairs from 8192 (772 us at
 * N = 1024 against 842 for 16 rows).
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

static __device__ __forceinline__ void store4(char *base, int64_t off, int dt, float4 x)
{
    char *p = base + off * dt_size(dt);
    if (dt == DT_F32) {
        *(float4 *)p = x;
        return;
    }
    uint2 raw;
    if (dt == DT_BF16) {
        __nv_bfloat162 a = __floats2bfloat162_rn(x.x, x.y), b = __floats2bfloat162_rn(x.z, x.w);
        raw.x = *(const unsigned *)&a;
        raw.y = *(const unsigned *)&b;
    } else {
        __half2 a = __floats2half2_rn(x.x, x.y), b = __floats2half2_rn(x.z, x.w);
        raw.x = *(const unsigned *)&a;
        raw.y = *(const unsigned *)&b;
    }
    *(uint2 *)p = raw;
}

static __device__ __forceinline__ float load1(const char *base, int64_t off, int dt)
{
    if (dt == DT_F32) return ((const float *)base)[off];
    if (dt == DT_BF16) return __bfloat162float(((const __nv_bfloat16 *)base)[off]);
    return __half2float(((const __half *)base)[off]);
}

static __device__ __forceinline__ void store1(char *base, int64_t off, int dt, float x)
{
    if (dt == DT_F32) ((float *)base)[off] = x;
    else if (dt == DT_BF16) ((__nv_bfloat16 *)base)[off] = __float2bfloat16(x);
    else ((__half *)base)[off] = __float2half(x);
}

/* One reduce-scatter step over the first 2H values: a lane keeps the half its bit M selects and adds the other
 * half from lane ^ M. */
template <int H, int M, int NV>
static __device__ __forceinline__ void rs_step(float (&x)[NV], int lane)
{
    const bool up = (lane & M) != 0;
#pragma unroll
    for (int i = 0; i < H; i++) {
        const float lo = x[i], hi = x[i + H];
        const float send = up ? lo : hi, keep = up ? hi : lo;
        x[i] = keep + __shfl_xor_sync(0xffffffffu, send, M);
    }
}

/* Warp reduce-scatter of NV (16 or 32) values per lane: lane l returns the warp-wide sum of
 * x[l >> (5 - log2 NV)]. Each step halves the values a lane holds; the lane bits left over after log2 NV
 * steps take a plain butterfly. x is clobbered. */
template <int NV>
static __device__ __forceinline__ float reduce_scatter(float (&x)[NV], int lane)
{
    static_assert(NV == 16 || NV == 32, "reduce_scatter: 16 or 32 values");
    if constexpr (NV == 32) rs_step<16, 16>(x, lane);
    rs_step<8, 32 * 8 / NV>(x, lane);
    rs_step<4, 32 * 4 / NV>(x, lane);
    rs_step<2, 32 * 2 / NV>(x, lane);
    rs_step<1, 32 / NV>(x, lane);
    float v = x[0];
#pragma unroll
    for (int m = 16 / NV; m > 0; m >>= 1) v += __shfl_xor_sync(0xffffffffu, v, m);
    return v;
}

static __device__ __forceinline__ int64_t load_index(const void *p, int is64, int64_t off)
{
    return is64 ? ((const int64_t *)p)[off] : (int64_t)((const int32_t *)p)[off];
}

/* State rows: fp32 (16 bytes per lane) or bf16 (8 bytes per lane), streamed (.cs: touched once).
 * state_load_raw returns a row as stored (float4 or uint2), state_cvt widens it to float4: the pair kernel
 * keeps its second item's rows raw until they are needed (half the registers for bf16). */
static __device__ __forceinline__ float4 state_load_raw(const float *p) { return __ldcs((const float4 *)p); }
static __device__ __forceinline__ uint2 state_load_raw(const __nv_bfloat16 *p) { return __ldcs((const uint2 *)p); }
static __device__ __forceinline__ float4 state_cvt(float4 x) { return x; }
static __device__ __forceinline__ float4 state_cvt(uint2 raw)
{
    float2 a = __bfloat1622float2(*(const __nv_bfloat162 *)&raw.x);
    float2 b = __bfloat1622float2(*(const __nv_bfloat162 *)&raw.y);
    return make_float4(a.x, a.y, b.x, b.y);
}
static __device__ __forceinline__ float4 state_load(const float *p) { return state_cvt(state_load_raw(p)); }
static __device__ __forceinline__ float4 state_load(const __nv_bfloat16 *p) { return state_cvt(state_load_raw(p)); }
static __device__ __forceinline__ void state_store(float *p, float4 x) { __stcs((float4 *)p, x); }
static __device__ __forceinline__ void state_store(__nv_bfloat16 *p, float4 x)
{
    __nv_bfloat162 a = __floats2bfloat162_rn(x.x, x.y), b = __floats2bfloat162_rn(x.z, x.w);
    uint2 raw;
    raw.x = *(const unsigned *)&a;
    raw.y = *(const unsigned *)&b;
    __stcs((uint2 *)p, raw);
}

static __device__ __forceinline__ float dot4(float4 a, float4 b) { return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w; }

static __device__ __forceinline__ float sigmoidf_(float x) { return 1.0f / (1.0f + __expf(-x)); }

/* exp(a) for this lane's 4 channels: the per-channel decay of one token. */
static __device__ __forceinline__ float decay1(const dec_params &p, int gate, float x, float A)
{
    float a;
    if (gate == GATE_BOUNDED) a = p.lower_bound * sigmoidf_(A * x);
    else if (gate == GATE_SOFTPLUS) a = -A * (x > 20.0f ? x : log1pf(__expf(x)));
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

/* Padding: zeros for every token of the item's rows, the pool untouched. */
static __device__ __forceinline__ void item_zero_out(const dec_params &p, const dec_item &it, int R, int lane)
{
    if (lane != 0) return;
    for (int64_t t = it.bos; t < it.eos; t++)
        for (int r = 0; r < R; r += 4)
            store4(p.out, it.b * p.out_s[0] + t * p.out_s[1] + it.hv * p.out_s[2] + it.row0 + r, p.out_dt,
                   make_float4(0.f, 0.f, 0.f, 0.f));
}

static __device__ __forceinline__ int64_t row_offset(const dec_params &p, const dec_item &it, int64_t slot, int lane)
{
    return slot * p.pool_s[0] + (int64_t)it.hv * p.pool_s[1] + (int64_t)it.row0 * p.pool_s[2] + lane * 4;
}

/* The recurrence over the item's tokens, state rows s[] in registers (this lane's 4 channels of each). */
/* BF: the common serving case known at compile time (q, k, v, g, beta and out bf16, bounded gate): the dtype and
 * gate dispatch of every load, store and decay folds away. */
template <int R, typename S, int BF>
static __device__ __forceinline__ void item_run(const dec_params &p, const dec_item &it, float4 (&s)[R], int lane)
{
    const int q_dt = BF ? DT_BF16 : p.q_dt, k_dt = BF ? DT_BF16 : p.k_dt, v_dt = BF ? DT_BF16 : p.v_dt;
    const int g_dt = BF ? DT_BF16 : p.g_dt, beta_dt = BF ? DT_BF16 : p.beta_dt, out_dt = BF ? DT_BF16 : p.out_dt;
    const int gate = BF ? GATE_BOUNDED : p.gate;
    S *pool = (S *)p.pool;
    const int kc = lane * 4;
    float A = 1.0f;
    if (p.has_A) A = __expf(p.A_log[it.hv * p.A_s]);
    float4 bias = make_float4(0.f, 0.f, 0.f, 0.f);
    if (p.has_bias) {
        const float *bp = p.dt_bias + it.hv * p.bias_s + kc;
        bias = make_float4(bp[0], bp[1], bp[2], bp[3]);
    }

    for (int64_t t = it.bos; t < it.eos; t++) {
        const float4 q = load4(p.q, it.b * p.q_s[0] + t * p.q_s[1] + it.h * p.q_s[2] + kc, q_dt);
        const float4 k = load4(p.k, it.b * p.k_s[0] + t * p.k_s[1] + it.h * p.k_s[2] + kc, k_dt);
        const float4 g = load4(p.g, it.b * p.g_s[0] + t * p.g_s[1] + it.hv * p.g_s[2] + kc, g_dt);
        float beta = load1(p.beta, it.b * p.beta_s[0] + t * p.beta_s[1] + it.hv * p.beta_s[2], beta_dt);
        /* v of this lane's row (lane r < 16 owns row r >> SH after the reduce-scatter below), loaded with q, k, g:
         * issued after the reduction it sat on the serial path of every token (one more L2 round trip) */
        constexpr int SH = R == 16 ? 0 : 1;
        const int row = (lane & 15) >> SH;
        const float vr = load1(p.v, it.b * p.v_s[0] + t * p.v_s[1] + it.hv * p.v_s[2] + it.row0 + row, v_dt);
        if (p.beta_sigmoid) beta = sigmoidf_(beta);
        if (p.neg_eig) beta *= 2.0f;

        float4 e;
        e.x = decay1(p, gate, g.x + bias.x, A);
        e.y = decay1(p, gate, g.y + bias.y, A);
        e.z = decay1(p, gate, g.z + bias.z, A);
        e.w = decay1(p, gate, g.w + bias.w, A);

        /* Per row the two dots <S', k> and <S', q> on the raw q, k (the L2 norms and the scale are applied to
         * the sums afterwards), reduced over the warp by a reduce-scatter: lane l ends with the sum of value
         * l >> SH (31 shuffles for 32 values instead of 160 for a butterfly per value), so lane r < 16 owns row
         * r >> SH: its k-dot, and its q-dot from lane r + 16. |q|^2, |k|^2 and <k, q> take a butterfly. */
        float red[2 * R];
#pragma unroll
        for (int r = 0; r < R; r++) {
            s[r].x *= e.x; s[r].y *= e.y; s[r].z *= e.z; s[r].w *= e.w;
            red[r] = dot4(s[r], k);
            red[R + r] = dot4(s[r], q);
        }
        float qq = dot4(q, q), kk = dot4(k, k), kq = dot4(k, q);
#pragma unroll
        for (int m = 16; m > 0; m >>= 1) {
            qq += __shfl_xor_sync(0xffffffffu, qq, m);
            kk += __shfl_xor_sync(0xffffffffu, kk, m);
            kq += __shfl_xor_sync(0xffffffffu, kq, m);
        }
        const float mine = reduce_scatter<2 * R>(red, lane);
        float qs = p.scale, kinv = 1.0f;
        if (p.l2norm) {
            qs *= rsqrtf(qq + 1e-6f);
            kinv = rsqrtf(kk + 1e-6f);
        }
        const float qdot = __shfl_down_sync(0xffffffffu, mine, 16);
        const float u = beta * (vr - mine * kinv);  /* meaningful on lanes < 16 */
        const float o = qdot * qs + u * (kq * kinv * qs);
        if (lane < 16 && (lane & ((1 << SH) - 1)) == 0)
            store1(p.out, it.b * p.out_s[0] + t * p.out_s[1] + it.hv * p.out_s[2] + it.row0 + row, out_dt, o);
        const float uk = u * kinv; /* the update adds u * (k * kinv) */
#pragma unroll
        for (int r = 0; r < R; r++) {
            const float ukr = __shfl_sync(0xffffffffu, uk, r << SH);
            s[r].x += ukr * k.x; s[r].y += ukr * k.y; s[r].z += ukr * k.z; s[r].w += ukr * k.w;
        }

        /* Speculative decoding: the state after token t goes to slot idx[n, t]. */
        if (p.idx_spec) {
            const int64_t j = t - it.bos;
            if (j < p.idx_cols) {
                const int64_t ws = load_index(p.idx, p.idx64, it.n * p.idx_s[0] + j * p.idx_s[1]);
                if (ws >= 0 && ws < p.slots) {
                    S *dst = pool + row_offset(p, it, ws, lane);
#pragma unroll
                    for (int r = 0; r < R; r++) state_store(dst + r * p.pool_s[2], s[r]);
                }
            }
        }
    }
    if (!p.idx_spec) { /* the state after the last token goes back to the slot it came from */
        S *dst = pool + row_offset(p, it, it.slot, lane);
#pragma unroll
        for (int r = 0; r < R; r++) state_store(dst + r * p.pool_s[2], s[r]);
    }
}

/* ---- the kernel: P (1 or 2) consecutive R-row items of one (n, hv) per warp, state straight into registers --
 * With P = 2 (the pair kernel) both items' row loads are issued up front, the second item's rows kept raw, and
 * the first item runs while the second one's loads complete. The items of a warp differ only in row0 (DEC_V / R
 * is even), so they share the lookup and the slot validity. */
template <int R, typename S, int P, int BF>
__global__ void __launch_bounds__(32 * DEC_WARPS, P == 2 ? 4 : 0) kda_decode(const dec_params p, unsigned warps)
{
    static_assert(P == 1 || (P == 2 && (DEC_V / R) % 2 == 0), "kda_decode: 1 item per warp, or 2 of one head");
    const int lane = threadIdx.x & 31;
    const unsigned w = blockIdx.x * DEC_WARPS + (threadIdx.x >> 5);
    if (w >= warps) return;
    const dec_item it = item_lookup(p, P * w, R);
    if (it.skip) {
#pragma unroll
        for (int i = 0; i < P; i++) {
            dec_item iz = it;
            iz.row0 += i * R;
            item_zero_out(p, iz, R, lane);
        }
    }
    if (!it.live) return;
    const S *src = (const S *)p.pool + row_offset(p, it, it.slot, lane);
    float4 s[R];
#pragma unroll
    for (int r = 0; r < R; r++) s[r] = state_load(src + r * p.pool_s[2]);
    if constexpr (P == 1) {
        item_run<R, S, BF>(p, it, s, lane);
    } else {
        decltype(state_load_raw(src)) raw[R]; /* float4 (fp32 pool) or uint2 (bf16 pool) */
#pragma unroll
        for (int r = 0; r < R; r++) raw[r] = state_load_raw(src + (R + r) * p.pool_s[2]);
        item_run<R, S, BF>(p, it, s, lane);
#pragma unroll
        for (int r = 0; r < R; r++) s[r] = state_cvt(raw[r]);
        dec_item it1 = it;
        it1.row0 += R;
        item_run<R, S, BF>(p, it1, s, lane);
    }
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

/* The kernel of a call: R rows per item and one or two items per warp (the rule and its measurements: the file
 * comment, "Shapes"). FKDA_DECODE_ROWS (8, 16: single items of that many rows) and FKDA_DECODE_PAIR (0, 1;
 * 1 = pairs of 8-row items) override the choice; they exist for the benchmarks. */
typedef struct dec_shape {
    int R, pair;
} dec_shape;

static dec_shape decode_shape(const fkda_dims *d, int bf16)
{
    const int64_t heads = d->N * d->HV;
    const char *r = getenv("FKDA_DECODE_ROWS"), *pr = getenv("FKDA_DECODE_PAIR");
    dec_shape sh;
    const int rows = r != NULL && (atoi(r) == 8 || atoi(r) == 16) ? atoi(r) : 0;
    if (pr != NULL && (atoi(pr) == 0 || atoi(pr) == 1)) sh.pair = atoi(pr);
    else sh.pair = !rows && bf16 && heads >= 8192; /* FKDA_DECODE_ROWS alone means single items */
    sh.R = sh.pair ? 8 : rows ? rows : bf16 && heads >= 2048 ? 16 : 8;
    return sh;
}

extern "C" size_t fkda_cuda_decode_workspace(const fkda_decode_args *a, const fkda_dims *d)
{
    (void)a; (void)d;
    return 0;
}

extern "C" fkda_status fkda_cuda_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                                        void *stream)
{
    fkda_status st = fkda_check_workspace(ws, ws_bytes, fkda_cuda_decode_workspace(a, d));
    if (st != FKDA_SUCCESS) return st;
    if (d->K != DEC_K || d->V != DEC_V)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "the CUDA decode supports K = V = 128 only (got K = %lld, V = %lld)",
                         (long long)d->K, (long long)d->V);
    if (a->state_layout != FKDA_STATE_V_FIRST)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "state_layout: the CUDA decode supports the V-first pool only");

    dec_params p;
    memset(&p, 0, sizeof p);
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

    if (d->N * d->HV * (DEC_V / 8) >= ((int64_t)1 << 31))
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "the CUDA decode handles fewer than 2^27 (sequence, head) pairs");
    const bool bf16 = sp->dtype == FKDA_BFLOAT16;
    const dec_shape sh = decode_shape(d, bf16);
    const unsigned items = (unsigned)(d->N * d->HV * (DEC_V / sh.R));
    const dim3 block(32 * DEC_WARPS);
    cudaStream_t s = (cudaStream_t)stream;
    /* the common serving case: every token tensor bf16 and the bounded gate (item_run's BF) */
    const bool bf = p.q_dt == DT_BF16 && p.k_dt == DT_BF16 && p.v_dt == DT_BF16 && p.g_dt == DT_BF16 &&
                    p.beta_dt == DT_BF16 && p.out_dt == DT_BF16 && p.gate == GATE_BOUNDED;
#define DEC_LAUNCH(R, P, n)                                                                                        \
    do {                                                                                                           \
        if (bf16) {                                                                                                \
            if (bf) kda_decode<R, __nv_bfloat16, P, 1><<<grid, block, 0, s>>>(p, n);                                \
            else kda_decode<R, __nv_bfloat16, P, 0><<<grid, block, 0, s>>>(p, n);                                   \
        } else {                                                                                                   \
            if (bf) kda_decode<R, float, P, 1><<<grid, block, 0, s>>>(p, n);                                        \
            else kda_decode<R, float, P, 0><<<grid, block, 0, s>>>(p, n);                                           \
        }                                                                                                          \
    } while (0)
    if (sh.pair) { /* items is even: DEC_V / 8 items per (n, hv) */
        const unsigned pairs = items / 2;
        const dim3 grid((pairs + DEC_WARPS - 1) / DEC_WARPS);
        DEC_LAUNCH(8, 2, pairs);
    } else {
        const dim3 grid((items + DEC_WARPS - 1) / DEC_WARPS);
        if (sh.R == 8) DEC_LAUNCH(8, 1, items);
        else DEC_LAUNCH(16, 1, items);
    }
#undef DEC_LAUNCH
    const cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess)
        return fkda_fail(FKDA_ERROR_CUDA, "CUDA decode launch: %s", cudaGetErrorString(err));
    return FKDA_SUCCESS;
}
