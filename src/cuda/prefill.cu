/* CUDA KDA prefill for Hopper (sm_90a): chunk C = 16, state kept in registers in fp32.
 *   v2: a prep kernel computes the K-side of all chunks in parallel into the workspace (864 bytes per token
 *       and value head) and a chain kernel only streams it through the state step (see "v2" further down).
 *       It replaced v1, one fused kernel per (sequence, head, V-slice) that did the K-side work of every
 *       chunk on its serial path: 1.2x-2.2x slower (bench/NOTES.md; removed from the code).
 *   v3 segments (on top of v2, planned per call; FKDA_PREFILL_SEGMENTS): long sequences are cut into
 *       segments whose chains run in parallel, then joined by a combine and an output-correction pass
 *       (see "v3" further down). 1 x 65536 at H = 16: 5.72 -> 2.74 ms on the H100 (bench/NOTES.md).
 *   v4 overlap: the prep runs in producer warps of the chain CTA through a shared-memory ring (see "v4"
 *       further down); bit-identical to v2, no workspace. Its first cut was slower than v2: one group of
 *       producers took ~2.7 us per chunk, the chain fed from shared memory only ~1.15 (bench/NOTES.md, v4).
 *       v4.1 runs several producer groups (three beside 4 chain warps since session 17, chunk c by group c % 3)
 *       and is the default where many chains run and no segments are planned (use_overlap;
 *       FKDA_PREFILL_OVERLAP forces it on or off).
 *   C32 (v2 and v3, the default where sequences average 64 tokens or more; FKDA_PREFILL_C32): records of 32-token
 *       pairs of chunks built by kda_prep32_kernel, and chain steps of 32 tokens (chain_pair), which pay the decay
 *       and packing of the state once per 32 tokens: the chain -11 to -15%, the prep +8 to +12% in session 11, before
 *       cross_block took 5-8% off kda_prep32_kernel (session 12; see "C32" below).
 *
 * Math (docs/semantics.md, chunked form). For a chunk of 16 tokens entering with state S (K x V):
 *   G   = cumsum(a) inside the chunk,  Kd = K e^G,  Qd = scale Q e^G,  Ki = K e^-G,  Kr = K e^(G_C - G)
 *   L   = strict_lower(diag(beta) Kd Ki^T),  Ab = (I + L)^-1 diag(beta),  M = tril(Qd Ki^T)
 *   X   = V - Kd S,  U = Ab X,  O = Qd S + M U,  S <- diag(e^G_C) S + Kr^T U
 * The factored exponentials are safe only because the bounded gate keeps |G| <= 5 * 16 = 80 inside a
 * chunk (e^80 fits fp32 and bf16); the softplus and precomputed gates are therefore refused.
 *
 * Matrix operands are bf16 with fp32 accumulation (mma.sync m16n8k16); the chain splits chosen operands into
 * bf16 hi + lo parts (PM_* below; by default U, which gives the state fp32-like accuracy).
 */
#include <cuda.h> /* driver types only (CUcontext, CUresult): the entry points come through the runtime */
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KD 128       /* key dim (= value dim) supported by this kernel                    */
#define NTHREADS 128
#define PD 136       /* pitch (bf16) of the 16 x 128 decayed tiles: 272 B rows, ldmatrix conflict-free */
#define PS 24        /* pitch (bf16) of 16 x 16 tiles                                               */

/* a state tensor as the kernels see it: data, dtype (f32 or bf16) and the strides of (n, hv, v, k) whatever the
 * layout (state_view_of) */
typedef struct state_view {
    void *data;
    int dtype;
    int64_t n, h, v, k;
} state_view;

#define PH_MAX 4 /* phases of one call: at most 3 single sequences, then the rest */
typedef struct prefill_params {
    const __nv_bfloat16 *q, *k, *v, *g;
    __nv_bfloat16 *out;
    int64_t q_sb, q_st, q_sh, k_sb, k_st, k_sh, v_sb, v_st, v_sh, g_sb, g_st, g_sh, o_sb, o_st, o_sh;
    const void *beta;
    int beta_dtype;
    int64_t b_sb, b_st, b_sh;
    const float *A_log;
    int64_t alog_s;
    const float *dt_bias;
    int64_t dtb_sh, dtb_sk;
    state_view s_in, s_out; /* initial and final state; data NULL where absent */
    const void *cu;
    int cu_is64;
    int *order; /* varlen, no segments, 2 <= N <= LPT_MAX: sequences by descending length (written by the prep kernel's
                 * CTA (0, 0), read by the chain kernel: its CTAs start in the order of the longest work first) */
    int64_t T;
    int N, HV, group, NS;
    /* v3 segments (see "v3" below): segment length in chunks (0 = off), segments per fixed-length row,
     * segment slots, chunk slots; virtual-column outputs [hv][slot][16][128] bf16 and the segment states
     * [hv][segment slot][E or X^T][128][128] f32 in the workspace */
    int64_t segL, seg_fixed, nsegmax, nslots;
    __nv_bfloat16 *wsA;
    float *wsSeg;
    float scale, lb;
    int l2norm, beta_sigmoid, neg_eig;
    int fdbg; /* v4 bench knob (FKDA_PREFILL_V2 = 5 / 6): 1 = producers alone, 2 = consumers alone */
    int bulk; /* C32 chain kernel: each record by one bulk copy (cp.async.bulk, an mbarrier a stage), not cp.async */
    /* phases (launch_phases): one launch of a prep kernel covers the record slots blockIdx.x + ps_first, each past
     * ps_at[i] moved on by ps_len[i] (ascending ranges of slots that other launches cover); rank_order ranks the
     * ph_nexcl sequences ph_excl last; a chain launch with unit_seq >= 0 runs that one sequence (unit 0), and
     * unit_seq2 too (unit 1) where it is >= 0 (a first phase of two sequences) */
    int64_t ps_first, ps_at[PH_MAX - 1], ps_len[PH_MAX - 1];
    int ps_n, ph_nexcl, ph_excl[PH_MAX - 1], unit_seq, unit_seq2;
} prefill_params;

/* ---- small device helpers -------------------------------------------------------------------- */
static __device__ __forceinline__ uint32_t smem_u32(const void *p)
{
    return (uint32_t)__cvta_generic_to_shared(p);
}

static __device__ __forceinline__ void cp_async16(void *dst, const void *src, int bytes)
{
    /* bytes = 0 zero-fills the destination (rows past the end of the sequence) */
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem_u32(dst)), "l"(src), "r"(bytes));
}
static __device__ __forceinline__ void cp_async_commit(void) { asm volatile("cp.async.commit_group;\n" ::); }
static __device__ __forceinline__ void cp_async_wait_all(void) { asm volatile("cp.async.wait_group 0;\n" ::); }

/* mbarriers (the fused kernel's FULL(s), the chain's bulk-copied records): init with a count of arrivals, arrive
 * (release), wait for a phase (acquire) */
static __device__ __forceinline__ void full_init(uint64_t *b, int count)
{
    asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"((unsigned)__cvta_generic_to_shared(b)), "r"(count)
                 : "memory");
}
static __device__ __forceinline__ void full_arrive(uint64_t *b)
{
    asm volatile("mbarrier.arrive.release.cta.shared::cta.b64 _, [%0];\n" ::"r"((unsigned)__cvta_generic_to_shared(b))
                 : "memory");
}
static __device__ __forceinline__ void full_wait(uint64_t *b, uint32_t parity)
{
    asm volatile("{\n.reg .pred p;\nWAIT_%=:\n"
                 "mbarrier.try_wait.parity.acquire.cta.shared::cta.b64 p, [%0], %1;\n"
                 "@!p bra WAIT_%=;\n}\n" ::"r"((unsigned)__cvta_generic_to_shared(b)), "r"(parity)
                 : "memory");
}

/* a bulk copy of `bytes` (a multiple of 16) from global to shared memory, completing on mbarrier bar (one thread) */
static __device__ __forceinline__ void bulk_load(void *dst, const void *src, unsigned bytes, uint64_t *bar)
{
    asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(smem_u32(bar)), "r"(bytes) : "memory");
    asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];\n" ::"r"(
                     smem_u32(dst)),
                 "l"(src), "r"(bytes), "r"(smem_u32(bar))
                 : "memory");
}
static __device__ __forceinline__ void ldsm_x4(uint32_t r[4], const void *p)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_u32(p)));
}
static __device__ __forceinline__ void ldsm_x4_t(uint32_t r[4], const void *p)
{
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_u32(p)));
}

/* four 8 x 8 b16 matrices from their mma fragments, each stored transposed (row j of matrix i at the address of lane
 * 8 i + j) */
static __device__ __forceinline__ void stsm_x4_t(void *p, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3)
{
    asm volatile("stmatrix.sync.aligned.m8n8.x4.trans.shared.b16 [%0], {%1,%2,%3,%4};\n" ::"r"(smem_u32(p)), "r"(r0),
                 "r"(r1), "r"(r2), "r"(r3)
                 : "memory");
}

/* D += A B, m16n8k16, bf16 operands, fp32 accumulators */
static __device__ __forceinline__ void mma16816(float d[4], const uint32_t a[4], uint32_t b0, uint32_t b1)
{
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
                 "{%0,%1,%2,%3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

/* D0 += A B[:, 0:8] and D1 += A B[:, 8:16] for the 16 x 16 B of one ldmatrix x4 (b); with lo (the low part of a
 * split A), the same products of lo after those of A */
static __device__ __forceinline__ void mma_n16(float d0[4], float d1[4], const uint32_t a[4], const uint32_t b[4],
                                               const uint32_t *lo = nullptr)
{
    mma16816(d0, a, b[0], b[1]);
    mma16816(d1, a, b[2], b[3]);
    if (lo) {
        mma16816(d0, lo, b[0], b[1]);
        mma16816(d1, lo, b[2], b[3]);
    }
}

/* One warp, one chunk. tile_product: P = A B^T (16 x 16, mma accumulator layout) for two 16 x 128 bf16 tiles
 * of row pitch PD. Then either store_tril: M = tril(P) (diagonal included) -> out, or store_inverse:
 * L = strict_lower(diag(beta) P) into Ls (f32, transposed, pitch FLP: its columns read back as float4 rows) and
 * Ab = (I + L)^-1 diag(beta) -> out, column j by forward substitution in fp32 (exact: L is nilpotent). Shared by
 * the v2 prep kernel and the v4.1 producers. */
static __device__ __forceinline__ void tile_product(float acc[2][4], const __nv_bfloat16 *Aop, const __nv_bfloat16 *Bop,
                                                    int lane)
{
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        uint32_t a[4], bb[4];
        ldsm_x4(a, Aop + ((lane & 7) + ((lane >> 3) & 1) * 8) * PD + kk * 16 + (lane >> 4) * 8);
        ldsm_x4(bb, Bop + ((lane >> 4) * 8 + (lane & 7)) * PD + kk * 16 + ((lane >> 3) & 1) * 8);
        mma_n16(acc[0], acc[1], a, bb);
    }
}

static __device__ __forceinline__ void store_tril(const float acc[2][4], __nv_bfloat16 *out, int out_pitch, int lane,
                                                  bool lower = true /* false: the whole block (C32's M21) */)
{
    const int gq = lane >> 2, qq = lane & 3; /* mma fragment coordinates */
#pragma unroll
    for (int tl = 0; tl < 2; ++tl)
#pragma unroll
        for (int r = 0; r < 4; ++r) {
            const int i = gq + (r >> 1) * 8, j = tl * 8 + 2 * qq + (r & 1);
            out[i * out_pitch + j] = __float2bfloat16(j <= i || !lower ? acc[tl][r] : 0.f);
        }
}

#define FLP 20 /* pitch (f32) of L^T in store_inverse: 80-byte rows, 16-byte aligned for float4 row loads */
static __device__ __forceinline__ void store_inverse(const float acc[2][4], const float *beta, float *Ls,
                                                     __nv_bfloat16 *out, int out_pitch, int lane,
                                                     float *outf = nullptr /* also Ab in f32, pitch 16 (C32) */)
{
    const int gq = lane >> 2, qq = lane & 3;
#pragma unroll
    for (int tl = 0; tl < 2; ++tl)
#pragma unroll
        for (int r = 0; r < 4; ++r) {
            const int i = gq + (r >> 1) * 8, j = tl * 8 + 2 * qq + (r & 1);
            Ls[j * FLP + i] = j < i ? beta[i] * acc[tl][r] : 0.f; /* L^T: column j of L is row j here */
        }
    __syncwarp();
    if (lane < 16) {
        /* column j of (I + L)^-1, right-looking: once x[m] is final, x[i] -= L[i][m] x[m] for every i > m. Each x[i]
         * takes the same FMAs in the same order as the row-by-row sum x[i] = e_j[i] - sum_m L[i][m] x[m] (so the
         * same bits), but x[m + 1] waits for one FMA after x[m], not for a chain of m + 1 */
        const int j = lane;
        float x[16];
#pragma unroll
        for (int i = 0; i < 16; ++i) x[i] = i == j ? 1.f : 0.f;
#pragma unroll
        for (int m = 0; m < 15; ++m) {
#pragma unroll
            for (int q4 = (m + 1) / 4; q4 < 4; ++q4) {
                const float4 v = *(const float4 *)(Ls + m * FLP + 4 * q4);
                const float col[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
                for (int e = 0; e < 4; ++e)
                    if (4 * q4 + e > m) x[4 * q4 + e] -= col[e] * x[m];
            }
        }
        const float bj = beta[j];
#pragma unroll
        for (int m = 0; m < 16; ++m) {
            out[m * out_pitch + j] = __float2bfloat16(x[m] * bj);
            if (outf) outf[m * 16 + j] = x[m] * bj;
        }
    }
}

static __device__ __forceinline__ uint32_t pack_bf16(float lo, float hi)
{
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *(uint32_t *)&h;
}
/* hi part and the rounding remainder as a second bf16 pair */
static __device__ __forceinline__ void split_bf16(float x0, float x1, uint32_t *hi, uint32_t *lo)
{
    __nv_bfloat162 h = __floats2bfloat162_rn(x0, x1);
    float2 f = __bfloat1622float2(h);
    *hi = *(uint32_t *)&h;
    *lo = pack_bf16(x0 - f.x, x1 - f.y);
}

/* A fragment (16 x 16) from two adjacent 16x8 accumulator tiles c0 (cols 0-7) and c1 (cols 8-15) */
static __device__ __forceinline__ void acc_to_a(uint32_t a[4], const float c0[4], const float c1[4])
{
    a[0] = pack_bf16(c0[0], c0[1]);
    a[1] = pack_bf16(c0[2], c0[3]);
    a[2] = pack_bf16(c1[0], c1[1]);
    a[3] = pack_bf16(c1[2], c1[3]);
}
static __device__ __forceinline__ void acc_to_a_split(uint32_t hi[4], uint32_t lo[4], const float c0[4],
                                                      const float c1[4])
{
    split_bf16(c0[0], c0[1], &hi[0], &lo[0]);
    split_bf16(c0[2], c0[3], &hi[1], &lo[1]);
    split_bf16(c1[0], c1[1], &hi[2], &lo[2]);
    split_bf16(c1[2], c1[3], &hi[3], &lo[3]);
}

/* element i of an f32, f16 or bf16 array: its stored bits (f32, or the 16 bits in the low half), then the value.
 * Split so that a load can be issued early and converted where it is used (the v4.1 producers' beta); load_scalar
 * does both at once (written as typed loads: built on these two, its SASS changes in every kernel). */
static __device__ __forceinline__ uint32_t load_bits(const void *p, int dtype, int64_t i)
{
    return dtype == FKDA_FLOAT32 ? __float_as_uint(((const float *)p)[i]) : (uint32_t)((const unsigned short *)p)[i];
}
static __device__ __forceinline__ float bits_value(uint32_t u, int dtype)
{
    const unsigned short u16 = (unsigned short)u;
    return dtype == FKDA_FLOAT32   ? __uint_as_float(u)
           : dtype == FKDA_FLOAT16 ? __half2float(__ushort_as_half(u16))
                                   : __bfloat162float(__ushort_as_bfloat16(u16));
}
static __device__ __forceinline__ float load_scalar(const void *p, int dtype, int64_t i)
{
    if (dtype == FKDA_FLOAT32) return ((const float *)p)[i];
    if (dtype == FKDA_FLOAT16) return __half2float(((const __half *)p)[i]);
    return __bfloat162float(((const __nv_bfloat16 *)p)[i]);
}

static __device__ __forceinline__ int64_t state_index(const state_view &s, int64_t n, int hv, int64_t v, int64_t k)
{
    return n * s.n + hv * s.h + v * s.v + k * s.k;
}
/* writes element i of an f32 or bf16 state */
static __device__ __forceinline__ void store_state(const state_view &s, int64_t i, float x)
{
    if (s.dtype == FKDA_FLOAT32)
        ((float *)s.data)[i] = x;
    else
        ((__nv_bfloat16 *)s.data)[i] = __float2bfloat16(x);
}
/* entry i of cu_seqlens (int32 or int64): the device copy in the kernels, the host copy in the planner */
static __host__ __device__ __forceinline__ int64_t load_cu(const void *cu, int is64, int64_t i)
{
    return is64 ? ((const int64_t *)cu)[i] : (int64_t)((const int32_t *)cu)[i];
}

/* ---- v2: K-side per chunk in parallel (prep), then a chain kernel that streams it --------------
 * Workspace record of one (value head, chunk slot), 13824 bytes, copied as it is into a chain stage (16-byte
 * cp.async, SST_AB below), so it is stored in the stage's swizzled layout:
 *   Kd, Qd, Kr: [16][128] bf16 each, 16-byte piece c of row r at piece c ^ (r % 8) of the row;
 *   Ab, M: [16][16] bf16 each, piece c (0, 1) of row r at c ^ ((r / 4) % 2);  e^G_C: [128] f32.
 * Records are ordered [hv][slot] so that one chain CTA streams contiguous memory. Chunk c of sequence n
 * sits in slot start(n) + c with start(n) = n + bos_n / 16 (fixed length: n * ceil(T / 16)); a
 * sequence has at most one partial chunk, so start(n) + ceil(len_n / 16) <= start(n + 1) and
 * floor(T / 16) + N slots hold every chunk. The prep kernel finds the sequence of a slot by a CTA-wide search
 * in cu_seqlens (no host synchronisation). */
#define REC_AB 12288 /* Kd, Qd, Kr at 0, 4096, 8192; M at REC_AB + 512 */
/* the swizzled layouts (bytes): piece c of row r of a tile with rows of `pitch` bytes (a multiple of 128), and of Ab / M */
static __device__ __forceinline__ int swz(int r, int c, int pitch) { return r * pitch + ((c ^ (r & 7)) << 4); }
static __device__ __forceinline__ int swz_small(int r, int c) { return r * 32 + ((c ^ ((r >> 2) & 1)) << 4); }
#define REC_EC 13312
#define REC_BYTES 13824
#define STAGES 4

/* clamped bounds of sequence n (see kda_prefill_kernel) */
static __device__ __forceinline__ void seq_bounds(const prefill_params &p, int64_t n, int64_t *bos, int64_t *eos)
{
    int64_t b0 = load_cu(p.cu, p.cu_is64, n), e0 = load_cu(p.cu, p.cu_is64, n + 1);
    b0 = b0 < 0 ? 0 : (b0 > p.T ? p.T : b0);
    e0 = e0 < b0 ? b0 : (e0 > p.T ? p.T : e0);
    *bos = b0;
    *eos = e0;
}

/* v3 segments: sequence n owns segment slots seg_start(n) + s, s < ceil(nch_n / segL); the same argument as
 * for the chunk slots bounds them by floor(T / (16 segL)) + N (fixed length: seg_fixed per row). */
static __device__ __forceinline__ int64_t seg_start(const prefill_params &p, int64_t n)
{
    if (!p.cu) return n * p.seg_fixed;
    int64_t bos, eos;
    seq_bounds(p, n, &bos, &eos);
    return n + bos / (16 * p.segL);
}
static __device__ __forceinline__ int64_t seq_of_segment(const prefill_params &p, int64_t gs)
{
    if (!p.cu) return gs / p.seg_fixed;
    int64_t lo = 0, hi = p.N - 1; /* largest n with seg_start(n) <= gs */
    while (lo < hi) {
        const int64_t mid = (lo + hi + 1) >> 1;
        if (seg_start(p, mid) <= gs) lo = mid; else hi = mid - 1;
    }
    return lo;
}
static __device__ __forceinline__ void seq_segments(const prefill_params &p, int64_t n, int64_t *b, int64_t *bos,
                                                    int64_t *len, int64_t *nseg)
{
    int64_t e = p.T;
    *b = 0;
    *bos = 0;
    if (p.cu)
        seq_bounds(p, n, bos, &e);
    else
        *b = n;
    *len = e - *bos;
    const int64_t nch = (*len + 15) / 16;
    *nseg = nch > p.segL ? (nch + p.segL - 1) / p.segL : 1;
}

/* The prep of one chunk by 128 threads (ptid = key channel), shared by the prep kernel and the producer warps
 * of the v4 kernel so that both compute the same bits. Group barrier: named barrier 1 over these 128 threads. */
#define PBAR 1
static __device__ __forceinline__ void bar_sync(int id, int nthreads)
{
    asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(nthreads) : "memory");
}
static __device__ __forceinline__ void bar_arrive(int id, int nthreads)
{
    asm volatile("bar.arrive %0, %1;\n" ::"r"(id), "r"(nthreads) : "memory");
}

/* beta of token t (absolute row of batch row b) as the kernels use it: the stored value, then beta_act */
static __device__ __forceinline__ float beta_act(const prefill_params &p, float x)
{
    if (p.beta_sigmoid) x = 1.f / (1.f + __expf(-x));
    if (p.neg_eig) x *= 2.f;
    return x;
}
static __device__ __forceinline__ float beta_raw(const prefill_params &p, int64_t b, int64_t t, int hv)
{
    return load_scalar(p.beta, p.beta_dtype, b * p.b_sb + t * p.b_st + hv * p.b_sh); /* as stored, before beta_act */
}
static __device__ __forceinline__ float prep_beta(const prefill_params &p, int64_t b, int64_t t, int hv)
{
    return beta_act(p, beta_raw(p, b, t, hv));
}

/* cp.async of the q, k, g rows of one chunk into raw[3][16 * KD] (rows past nvalid zero-filled), by NT threads: 128
 * (thread ptid copies piece ptid % 16 of rows ptid / 16 + 8 h of each), or the 64 loader threads of a v4.1 group
 * (warp w copies all of q (w = 0) or k (w = 1), lane l piece l % 16 of rows l / 16 + 2 h, and g rows 8 w + l / 16
 * + 2 h, so that each loader warp holds the whole tile it takes the norms of). A fixed count of 3 x 256 / NT a thread
 * (a loop over i = ptid, ptid + 128, ... compiled to ~460 generic SASS instructions with 64-bit row products in
 * every round). The three row loops stay spelled out: one helper for them left the prep kernels' SASS as it was but
 * rescheduled the fused kernel's producers (session 15 review), which the measurements above do not cover. */
template <int NT = NTHREADS>
static __device__ __forceinline__ void prep_load(__nv_bfloat16 *raw, const prefill_params &p, const __nv_bfloat16 *qb,
                                                 const __nv_bfloat16 *kb, const __nv_bfloat16 *gb, int nvalid, int ptid)
{
    static_assert(NT == 128 || NT == 64, "prep_load: 16 rows x 16 pieces by 128 or 64 threads");
    const int c8 = (ptid & 15) * 8;
    if (NT == 128) {
        const int row = ptid >> 4;
#pragma unroll
        for (int which = 0; which < 3; ++which) {
            const __nv_bfloat16 *src = which == 0 ? qb : (which == 1 ? kb : gb);
            const int64_t sst = which == 0 ? p.q_st : (which == 1 ? p.k_st : p.g_st);
            const __nv_bfloat16 *s0 = src + row * sst + c8;
#pragma unroll
            for (int h = 0; h < 2; ++h) {
                const bool ok = row + 8 * h < nvalid;
                cp_async16(raw + which * 16 * KD + (row + 8 * h) * KD + c8,
                           ok ? (const void *)(s0 + 8 * h * sst) : (const void *)src, ok ? 16 : 0);
            }
        }
    } else {
        const int w = ptid >> 5, row = (ptid & 31) >> 4;
        const __nv_bfloat16 *src = w ? kb : qb;
        const int64_t sst = w ? p.k_st : p.q_st;
        const __nv_bfloat16 *s0 = src + row * sst + c8;
#pragma unroll
        for (int h = 0; h < 8; ++h) {
            const bool ok = row + 2 * h < nvalid;
            cp_async16(raw + w * 16 * KD + (row + 2 * h) * KD + c8,
                       ok ? (const void *)(s0 + 2 * h * sst) : (const void *)src, ok ? 16 : 0);
        }
        const int grow = 8 * w + row;
        const __nv_bfloat16 *g0 = gb + grow * p.g_st + c8;
#pragma unroll
        for (int h = 0; h < 4; ++h) {
            const bool ok = grow + 2 * h < nvalid;
            cp_async16(raw + 2 * 16 * KD + (grow + 2 * h) * KD + c8,
                       ok ? (const void *)(g0 + 2 * h * p.g_st) : (const void *)gb, ok ? 16 : 0);
        }
    }
}

/* The 16 row norms of a [16][KD] bf16 tile by one warp: the diagonal of T T^T by mma (bf16 products are exact in
 * f32; f32 sums), 8 ldmatrix and 16 mma (the sums of four lanes a row they replace took ~320 instructions a v4.1
 * loader warp and chunk: session 15 call 4, the fused kernel -11% static instructions). The one ldmatrix.x4
 * of a k-step is both operands (A = rows, B = the same rows as columns: its matrices 0, 2 for n 0-7, 1, 3 for
 * n 8-15). Row r reads its 16-byte pieces rotated by r (piece (2 j + half + r) % 16 at k-step j): a sum of squares
 * does not care about the order of k, only the diagonal is used, and the 8 rows of each 8 x 8 matrix hit 8
 * different bank groups (rows of 256 bytes would otherwise all fall on the same ones). rn[r] = 1 / |row r| (l2norm),
 * times mul. */
static __device__ __forceinline__ void tile_row_norms(const prefill_params &p, const __nv_bfloat16 *t, float *rn,
                                                      float mul, int lane)
{
    const int m = lane >> 3, r = (lane & 7) + 8 * (m & 1), half = m >> 1;
    const __nv_bfloat16 *row = t + r * KD;
    float d0[4] = {0.f, 0.f, 0.f, 0.f}, d1[4] = {0.f, 0.f, 0.f, 0.f};
#pragma unroll
    for (int j = 0; j < 8; ++j) {
        uint32_t a[4];
        ldsm_x4(a, row + ((2 * j + half + r) & 15) * 8);
        mma16816(d0, a, a[0], a[2]);
        mma16816(d1, a, a[1], a[3]);
    }
    const int gq = lane >> 2, qq = lane & 3;
    if (qq == gq >> 1) { /* lane (gq, qq) holds the diagonal of rows gq (d0) and gq + 8 (d1) */
        const float s0 = gq & 1 ? d0[1] : d0[0], s1 = gq & 1 ? d1[3] : d1[2];
        rn[gq] = (p.l2norm ? rsqrtf(s0 + 1e-6f) : 1.f) * mul;
        rn[gq + 8] = (p.l2norm ? rsqrtf(s1 + 1e-6f) : 1.f) * mul;
    }
}
/* all 32 row norms (q rows 0-15 times the scale, then k rows) into rn[32]: warp 0 the q tile, warp 1 the k tile
 * (ptid: the prep's thread, or a v4.1 loader's, whose warp loaded its whole tile itself (prep_load<64>), so that it
 * needs only its own loads: __syncwarp, no barrier between the two loaders) */
static __device__ __forceinline__ void prep_norms(const prefill_params &p, const __nv_bfloat16 *raw, float *rn, int ptid)
{
    const int w = ptid >> 5;
    if (w < 2) tile_row_norms(p, raw + w * 16 * KD, rn + 16 * w, w ? 1.f : p.scale, ptid & 31);
}

/* The gate works in log2 units: a log2(e) = lb log2(e) sigmoid(e^A_log x) for x = g + dt_bias, with
 * sigmoid(e^A_log x) = 1 / (1 + 2^(g cA + cb)), cA = -e^A_log log2(e), cb = dt_bias cA (gate_coefs, per channel);
 * the cumulative sum G2 = G log2(e) then gives e^G = 2^G2 (ex2) without a multiply per exponential.
 * The coefficients in two halves: the raw loads (A_log, dt_bias of channels ch, ch + 1; gate_load) and the
 * coefficients from them (gate_coefs_of). prep32 issues the loads before its rows', so that their round trips overlap
 * instead of following each other (ncu, session 20: the A_log load, then the dt_bias loads behind the branch on
 * p.dt_bias, then beta's, each waited for in turn); the other kernels take both at once (gate_coefs). Routing
 * gate_coefs through the halves rescheduled kda_prep_kernel and the fused kernels; timed level (session 22 call 8). */
typedef struct gate_raw {
    float alog, dt0, dt1;
} gate_raw;
static __device__ __forceinline__ gate_raw gate_load(const prefill_params &p, int hv, int ch)
{
    gate_raw r;
    r.alog = p.A_log ? p.A_log[hv * p.alog_s] : 0.f;
    r.dt0 = p.dt_bias ? p.dt_bias[hv * p.dtb_sh + ch * p.dtb_sk] : 0.f;
    r.dt1 = p.dt_bias ? p.dt_bias[hv * p.dtb_sh + (ch + 1) * p.dtb_sk] : 0.f;
    return r;
}
static __device__ __forceinline__ float2 gate_coefs_of(const prefill_params &p, const gate_raw &r, float *cA)
{
    *cA = -(p.A_log ? __expf(r.alog) : 1.f) * 1.4426950408889634f;
    return p.dt_bias ? make_float2(r.dt0 * *cA, r.dt1 * *cA) : make_float2(0.f, 0.f);
}
static __device__ __forceinline__ float2 gate_coefs(const prefill_params &p, int hv, int ch, float *cA)
{
    return gate_coefs_of(p, gate_load(p, hv, ch), cA);
}

/* The gate of the thread's two channels ch, ch + 1 for tokens 8 (lane / 16) .. + 7 (see prep_gate_v4) and its
 * cumulative sum: a0, a1 = G2 (log2 units) of those tokens, *s0, *s1 = G2 of the half's last token (lane l + 16 holds
 * the chunk's G_C2 of lane l's channels). */
static __device__ __forceinline__ void prep_gate_sums(const prefill_params &p, const __nv_bfloat16 *raw, float2 cb,
                                                      float cA, int nvalid, int ch, int lane, float (&a0)[8],
                                                      float (&a1)[8], float *s0_out, float *s1_out)
{
    const int hf = lane >> 4, t0 = 8 * hf;
    const float lb2 = p.lb * 1.4426950408889634f;
#pragma unroll
    for (int u = 0; u < 8; ++u) {
        const int t = t0 + u;
        const float2 x = __bfloat1622float2(*(const __nv_bfloat162 *)(raw + 2 * 16 * KD + t * KD + ch));
        const float g0 = __fdividef(lb2, 1.f + exp2f(fmaf(x.x, cA, cb.x)));
        const float g1 = __fdividef(lb2, 1.f + exp2f(fmaf(x.y, cA, cb.y)));
        a0[u] = t < nvalid ? g0 : 0.f;
        a1[u] = t < nvalid ? g1 : 0.f;
    }
    /* the lower half's sums first (the upper half's first pass is discarded), then G from the right start */
    float s0 = 0.f, s1 = 0.f;
#pragma unroll
    for (int u = 0; u < 8; ++u) {
        s0 += a0[u];
        s1 += a1[u];
    }
    const float b0 = __shfl_sync(0xffffffffu, s0, lane & 15), b1 = __shfl_sync(0xffffffffu, s1, lane & 15);
    s0 = hf ? b0 : 0.f;
    s1 = hf ? b1 : 0.f;
#pragma unroll
    for (int u = 0; u < 8; ++u) {
        s0 += a0[u];
        a0[u] = s0; /* now G2 */
        s1 += a1[u];
        a1[u] = s1;
    }
    *s0_out = s0;
    *s1_out = s1;
}

/* The gate of a chunk, its cumulative sum G, the decayed tiles Kd, Qd, Kr, Ki (pitch PD) and e^G_C, by 128 threads
 * (the prep kernel, a v4.1 producer group) with two adjacent key channels each: lane l of warp pw takes channels
 * ch = 2 (16 pw + l % 16) and ch + 1 for tokens 8 (l / 16) .. 8 (l / 16) + 7, so shared loads and stores are 32-bit
 * (half the instructions of one channel per thread). The cumulative sum stays sequential per channel: the upper
 * half starts from G[7] of the lower half (a shuffle), so every element gets the bits of a one-channel loop.
 * cb, cA: gate_coefs of the thread's two channels. */
static __device__ __forceinline__ void prep_gate_v4(const prefill_params &p, const __nv_bfloat16 *raw, const float *rn,
                                                    float2 cb, float cA, int nvalid, __nv_bfloat16 *Kd,
                                                    __nv_bfloat16 *Qd, __nv_bfloat16 *Kr, __nv_bfloat16 *Ki, float *ecs,
                                                    int pw, int lane)
{
    const int hf = lane >> 4, ch = 2 * (16 * pw + (lane & 15)), t0 = 8 * hf;
    float a0[8], a1[8], s0, s1;
    prep_gate_sums(p, raw, cb, cA, nvalid, ch, lane, a0, a1, &s0, &s1);
    const float eC0 = exp2f(__shfl_sync(0xffffffffu, s0, (lane & 15) + 16));
    const float eC1 = exp2f(__shfl_sync(0xffffffffu, s1, (lane & 15) + 16));
    if (hf) *(float2 *)(ecs + ch) = make_float2(eC0, eC1);
#pragma unroll
    for (int q4 = 0; q4 < 2; ++q4) {
        const float4 rq = *(const float4 *)(rn + t0 + 4 * q4), rk = *(const float4 *)(rn + 16 + t0 + 4 * q4);
        const float rqs[4] = {rq.x, rq.y, rq.z, rq.w}, rks[4] = {rk.x, rk.y, rk.z, rk.w};
#pragma unroll
        for (int v = 0; v < 4; ++v) {
            const int u = 4 * q4 + v, t = t0 + u;
            const float2 kx = __bfloat1622float2(*(const __nv_bfloat162 *)(raw + 16 * KD + t * KD + ch));
            const float2 qx = __bfloat1622float2(*(const __nv_bfloat162 *)(raw + t * KD + ch));
            const float kn0 = kx.x * rks[v], kn1 = kx.y * rks[v], qn0 = qx.x * rqs[v], qn1 = qx.y * rqs[v];
            const float e0 = exp2f(a0[u]), e1 = exp2f(a1[u]), ki0 = kn0 * exp2f(-a0[u]), ki1 = kn1 * exp2f(-a1[u]);
            *(uint32_t *)(Kd + t * PD + ch) = pack_bf16(kn0 * e0, kn1 * e1);
            *(uint32_t *)(Qd + t * PD + ch) = pack_bf16(qn0 * e0, qn1 * e1);
            *(uint32_t *)(Kr + t * PD + ch) = pack_bf16(ki0 * eC0, ki1 * eC1);
            *(uint32_t *)(Ki + t * PD + ch) = pack_bf16(ki0, ki1);
        }
    }
}

/* warp 0: L = strict_lower(diag(beta) Kd Ki^T) and Ab = (I + L)^-1 diag(beta); warp 1: M = tril(Qd Ki^T) */
static __device__ __forceinline__ void prep_small(const __nv_bfloat16 *Kd, const __nv_bfloat16 *Qd,
                                                  const __nv_bfloat16 *Ki, const float *bs, float *Ls,
                                                  __nv_bfloat16 *Ab, __nv_bfloat16 *M, int pitch, int pwarp, int lane)
{
    float acc[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
    tile_product(acc, pwarp ? Qd : Kd, Ki, lane);
    if (pwarp == 1)
        store_tril(acc, M, pitch, lane);
    else
        store_inverse(acc, bs, Ls, Ab, pitch, lane);
}

/* The chain's longest-first order (prefill_params.order), by one CTA of nt threads: the sequences ranked by length in
 * chunks, longest first (ties: lower index); those of single-sequence phases (ph_excl) last. len: N ints of shared
 * scratch. */
static __device__ __forceinline__ void rank_order(const prefill_params &p, int *len, int tid, int nt)
{
    for (int i = tid; i < p.N; i += nt) {
        int64_t b0, e0;
        seq_bounds(p, i, &b0, &e0);
        int l = (int)((e0 - b0 + 15) / 16);
        for (int x = 0; x < p.ph_nexcl; ++x) l = p.ph_excl[x] == i ? -1 : l;
        len[i] = l;
    }
    __syncthreads();
    for (int i = tid; i < p.N; i += nt) {
        int r = 0;
        for (int j = 0; j < p.N; ++j) r += len[j] > len[i] || (len[j] == len[i] && j < i);
        p.order[r] = i;
    }
    __syncthreads();
}

/* The sequence of a record slot of a varlen batch (slots of csz tokens: sequence n starts at slot n + bos_n / csz):
 * the largest n with start(n) <= slot (start is non-decreasing), by one CTA of nt threads at once: each round tests
 * nt evenly spaced candidates and counts the hits, which leaves one gap of the spacing; one round for N <= nt, two up
 * to nt^2. A binary search took log2(N) dependent cu_seqlens round trips before the CTA could load anything (ncu:
 * long-scoreboard stalls, 13% of the prep's samples) */
static __device__ __forceinline__ int64_t slot_sequence(const prefill_params &p, int64_t slot, int csz, int tid, int nt)
{
    int64_t lo = 0, width = p.N;
    while (width > 1) {
        const int64_t step = (width + nt - 1) / nt, n = lo + tid * step;
        int hit = 0;
        if (n < lo + width) {
            int64_t b0 = load_cu(p.cu, p.cu_is64, n);
            b0 = b0 < 0 ? 0 : (b0 > p.T ? p.T : b0);
            hit = n + b0 / csz <= slot;
        }
        const int cnt = __syncthreads_count(hit);
        const int64_t end = lo + width;
        lo += (cnt > 0 ? cnt - 1 : 0) * step;
        width = step < end - lo ? step : end - lo;
    }
    return lo;
}

/* The record slot of this CTA of a prep launch (ps_first, ps_at, ps_len: phases); its CTA (0, 0) writes the chain
 * order where p.order is set */
static __device__ __forceinline__ int64_t prep_slot(const prefill_params &p, int *scratch, int tid, int nt)
{
    int64_t slot = blockIdx.x + p.ps_first;
#pragma unroll
    for (int i = 0; i < PH_MAX - 1; ++i)
        if (i < p.ps_n && slot >= p.ps_at[i]) slot += p.ps_len[i];
    if (p.order && blockIdx.x == 0 && blockIdx.y == 0) rank_order(p, scratch, tid, nt);
    return slot;
}

/* grid (slot, hv), 128 threads: one chunk of one value head */
__global__ void __launch_bounds__(NTHREADS, 7) kda_prep_kernel(const prefill_params p, unsigned char *ws,
                                                            int64_t nslots)
{
    __shared__ __align__(16) __nv_bfloat16 raw[3 * 16 * KD];    /* q, k, g rows          */
    __shared__ __align__(16) __nv_bfloat16 til[4][16 * PD];     /* Kd, Qd, Kr, Ki        */
    __shared__ __align__(16) __nv_bfloat16 small[2][16 * 16];   /* Ab, M (dense rows)    */
    __shared__ __align__(16) float ecs[KD];
    __shared__ float rn[32], bs[16];
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int hv = blockIdx.y, h = hv / p.group;
    /* a chain grid launched as this grid's programmatic dependent (launch_v2, deep) may be scheduled once every prep
     * CTA has started; it waits (griddepcontrol.wait) for this grid's completion before it reads anything written here */
    asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory");
    const int64_t slot = prep_slot(p, (int *)raw, tid, NTHREADS); /* raw: before it holds anything */

    int64_t b = 0, bos = 0, len = p.T, c;
    if (p.cu) {
        const int64_t lo = slot_sequence(p, slot, 16, tid, NTHREADS);
        int64_t eos;
        seq_bounds(p, lo, &bos, &eos);
        len = eos - bos;
        c = slot - (lo + bos / 16);
    } else {
        const int64_t cpr = (p.T + 15) / 16;
        b = slot / cpr;
        c = slot % cpr;
    }
    if (c < 0 || c * 16 >= len) return; /* a slot of no chunk */
    const int64_t t0 = bos + c * 16;
    const int nvalid = (int)(len - c * 16 < 16 ? len - c * 16 : 16);

    prep_load(raw, p, p.q + b * p.q_sb + t0 * p.q_st + h * p.q_sh, p.k + b * p.k_sb + t0 * p.k_st + h * p.k_sh,
              p.g + b * p.g_sb + t0 * p.g_st + hv * p.g_sh, nvalid, tid);
    cp_async_commit();
    if (tid < 16) bs[tid] = tid < nvalid ? prep_beta(p, b, t0 + tid, hv) : 0.f;
    float cA; /* gate coefficients of this thread's two channels */
    const float2 cb = gate_coefs(p, hv, 2 * (16 * warp + (lane & 15)), &cA);
    cp_async_wait_all();
    bar_sync(PBAR, NTHREADS);
    prep_norms(p, raw, rn, tid);
    bar_sync(PBAR, NTHREADS);
    prep_gate_v4(p, raw, rn, cb, cA, nvalid, til[0], til[1], til[2], til[3], ecs, warp, lane);
    bar_sync(PBAR, NTHREADS);
    /* L (f32) in raw's room: raw is dead after the gate (6 CTAs an SM fit 32 KB of shared memory each, 7 need less) */
    static_assert(sizeof(raw) >= 16 * FLP * sizeof(float), "L in raw");
    if (warp < 2) prep_small(til[0], til[1], til[3], bs, (float *)raw, small[0], small[1], 16, warp, lane);
    bar_sync(PBAR, NTHREADS);

    /* the record, 16-byte stores */
    unsigned char *rec = ws + ((int64_t)hv * nslots + slot) * REC_BYTES;
    { /* thread tid: piece tid % 16 of rows tid / 16 and tid / 16 + 8 of Kd, Qd, Kr (a fixed count, as in prep_load) */
        const int row = tid >> 4, c16 = tid & 15;
#pragma unroll
        for (int k = 0; k < 6; ++k) {
            const int tile = k >> 1, r = row + 8 * (k & 1);
            *(uint4 *)(rec + tile * 4096 + swz(r, c16, 256)) = *(const uint4 *)&til[tile][r * PD + c16 * 8];
        }
    }
    if (tid < 64) { /* piece tid of Ab | M: tile tid / 32, row (tid / 2) % 16, piece tid % 2 */
        *(uint4 *)(rec + REC_AB + (tid >> 5) * 512 + swz_small((tid >> 1) & 15, tid & 1)) =
            *(const uint4 *)((const unsigned char *)&small[0][0] + tid * 16);
    } else if (tid < 96) {
        *(uint4 *)(rec + REC_EC + (tid - 64) * 16) = *(const uint4 *)&ecs[(tid - 64) * 4];
    }
}

/* ---- C32: records of 32-token pairs of chunks -------------------------------------------------------
 * The chain's step is one warp's dependent instruction stream (bench/NOTES.md, sessions 6-10): its time follows the
 * instructions per token, and a 16-token step spends ~130 of its 384 on the decay of S (64 FMUL), the bf16 packing
 * of S (32 F2FP) and the loop. A 32-token step pays those once per 32 tokens. Its record is built from the two
 * 16-token chunks of a pair by two groups of 128 threads (one CTA), each running the 16-token prep, plus the cross
 * terms; G counts from the pair's start, so no factor of the chain exceeds 1:
 *   -Kd, Qd, Kr: [32][128] bf16 each (swizzled as in the 16-token record), Kd, Qd with e^G from the pair's start,
 *     Kr with e^(G_C - G) to the pair's end (C = 32); Kd negated, so that the chain accumulates X = V - Kd S
 *     onto V;
 *   Ab blocks 11, 21, 22 and M blocks 11, 21, 22: [16][16] bf16 each (swz_small), e^G_C: [128] f32.
 * Ab = (I + L)^-1 diag(beta) is block lower triangular: Ab11, Ab22 are the chunks' own (16-token) Ab, and
 * Ab21 = -Ab2 (Kd2 Kr1^T) Ab1 with Kd2 (e^G from chunk 2's start) and Kr1 (e^(G_C1 - G), to chunk 1's end), both
 * bounded by 1 (the factored e^G e^-G form would reach e^160 over 32 tokens); M21 = Qd2 Kr1^T. Pair slot of sequence
 * n: n + bos_n / 32 (the same argument as for chunk slots bounds them by floor(T / 32) + N). */
#define REC32_AB 24576 /* Kd, Qd, Kr at 0, 8192, 16384; Ab blocks 11, 21, 22 then M blocks 11, 21, 22, 512 bytes each */
#define REC32_EC (REC32_AB + 6 * 512)
#define REC32_BYTES (REC32_EC + KD * 4)

/* prep_gate_v4 for chunk G (0, 1) of a pair (the same per-element arithmetic), in two halves around the CTA-wide
 * exchange of the chunks' G_C (log2 units) through sx[2][KD]. prep_gate32_sums: the gate and its cumulative sum (a0,
 * a1 as in prep_gate_sums), the chunk's G_C of the thread's two channels (*C0, *C1) into sx. */
static __device__ __forceinline__ void prep_gate32_sums(const prefill_params &p, const __nv_bfloat16 *raw, float2 cb,
                                                        float cA, int nvalid, int g, float *sx, float (&a0)[8],
                                                        float (&a1)[8], float *C0, float *C1, int pw, int lane)
{
    const int hf = lane >> 4, ch = 2 * (16 * pw + (lane & 15));
    float s0, s1;
    prep_gate_sums(p, raw, cb, cA, nvalid, ch, lane, a0, a1, &s0, &s1);
    *C0 = __shfl_sync(0xffffffffu, s0, (lane & 15) + 16);
    *C1 = __shfl_sync(0xffffffffu, s1, (lane & 15) + 16);
    if (hf) *(float2 *)(sx + g * KD + ch) = make_float2(*C0, *C1);
}

/* prep_gate32_tiles, after the exchange: the chunk's own tiles Kd, Qd, Ki (and, for G = 0, Kr to its end) into
 * shared memory for the 16 x 16 products, and the pair record's rows 16 G .. 16 G + 15 of -Kd, Qd, Kr (and, G = 0,
 * e^G_C of the pair) straight to rec. G is a template parameter: chunk 1's record rows are its tiles (Kd negated by
 * its sign bits, Qd the same bits), chunk 2 needs no Kr16. */
template <int G>
static __device__ __forceinline__ void prep_gate32_tiles(const __nv_bfloat16 *raw, const float *rn, const float *sx,
                                                         const float (&a0)[8], const float (&a1)[8], float C0, float C1,
                                                         __nv_bfloat16 *Kd, __nv_bfloat16 *Qd, __nv_bfloat16 *Ki,
                                                         __nv_bfloat16 *Kr16, unsigned char *rec, int pw, int lane)
{
    const int hf = lane >> 4, ch = 2 * (16 * pw + (lane & 15)), t0 = 8 * hf, c8 = ch >> 3;
    const float2 o = *(const float2 *)(sx + (G ^ 1) * KD + ch); /* the other chunk's G_C */
    /* record factors: G = 0: e^G as is, Kr to the pair's end e^(G_C1 + G_C2 - G); G = 1: e^(G_C1 + G), Kr e^(G_C2 - G) */
    const float f0 = G ? exp2f(o.x) : 1.f, f1 = G ? exp2f(o.y) : 1.f;
    const float r0 = exp2f(G ? C0 : C0 + o.x), r1 = exp2f(G ? C1 : C1 + o.y);
    const float eC0 = exp2f(C0), eC1 = exp2f(C1);
    if (!G && hf) *(float2 *)(rec + REC32_EC + ch * 4) = make_float2(r0, r1);
    /* record row 16 G + t0 + u, piece c8 ^ u (swz: (16 G + t0 + u) % 8 = u), element ch % 8 */
    unsigned char *rrow = rec + (16 * G + t0) * 256 + (ch & 7) * 2;
#pragma unroll
    for (int q4 = 0; q4 < 2; ++q4) {
        const float4 rq = *(const float4 *)(rn + t0 + 4 * q4), rk = *(const float4 *)(rn + 16 + t0 + 4 * q4);
        const float rqs[4] = {rq.x, rq.y, rq.z, rq.w}, rks[4] = {rk.x, rk.y, rk.z, rk.w};
#pragma unroll
        for (int v = 0; v < 4; ++v) {
            const int u = 4 * q4 + v, t = t0 + u;
            const float2 kx = __bfloat1622float2(*(const __nv_bfloat162 *)(raw + 16 * KD + t * KD + ch));
            const float2 qx = __bfloat1622float2(*(const __nv_bfloat162 *)(raw + t * KD + ch));
            const float kn0 = kx.x * rks[v], kn1 = kx.y * rks[v], qn0 = qx.x * rqs[v], qn1 = qx.y * rqs[v];
            const float e0 = exp2f(a0[u]), e1 = exp2f(a1[u]), ki0 = kn0 * exp2f(-a0[u]), ki1 = kn1 * exp2f(-a1[u]);
            const float kd0 = kn0 * e0, kd1 = kn1 * e1, qd0 = qn0 * e0, qd1 = qn1 * e1;
            const uint32_t kd = pack_bf16(kd0, kd1), qd = pack_bf16(qd0, qd1);
            *(uint32_t *)(Kd + t * PD + ch) = kd;
            *(uint32_t *)(Qd + t * PD + ch) = qd;
            *(uint32_t *)(Ki + t * PD + ch) = pack_bf16(ki0, ki1);
            if (!G) *(uint32_t *)(Kr16 + t * PD + ch) = pack_bf16(ki0 * eC0, ki1 * eC1);
            unsigned char *at = rrow + u * 256 + ((c8 ^ u) << 4);
            /* -Kd: the chain starts P from V (round to nearest even is symmetric: -x rounds to the negated bits) */
            *(uint32_t *)at = G ? pack_bf16(-(kd0 * f0), -(kd1 * f1)) : kd ^ 0x80008000u;
            *(uint32_t *)(at + 8192) = G ? pack_bf16(qd0 * f0, qd1 * f1) : qd;
            *(uint32_t *)(at + 16384) = pack_bf16(ki0 * r0, ki1 * r1);
        }
    }
}

/* prep32's shared memory (bytes): raw q, k, g of the two chunks | tiles Kd1, Qd1, Ki1, Kr1 (to chunk 1's end), Kd2,
 * Qd2, Ki2 (own G) | G_C of both chunks (log2) | row norms | beta. Once the gate has run, raw holds L of each chunk
 * (at its group's raw), and in group 0's room after L: Ab1, Ab2 (f32 16 x 16, for cross_block) and Ab11, Ab21, Ab22,
 * M11, M21, M22 (dense bf16). 55 KB: four CTAs an SM. */
#define P32_RAW 0
#define P32_TIL (2 * 3 * 16 * KD * 2)
#define P32_SX (P32_TIL + 7 * 16 * PD * 2)
#define P32_RN (P32_SX + 2 * KD * 4)
#define P32_BS (P32_RN + 2 * 32 * 4)
#define P32_SMEM (P32_BS + 2 * 16 * 4)
#define P32_F 2048                  /* in raw, after group 0's L */
#define P32_SMALL (P32_F + 2 * 1024) /* in raw */
static_assert(16 * FLP * 4 <= P32_F && P32_SMALL + 6 * 512 <= 3 * 16 * KD * 2, "prep32: raw's room after the gate");

/* C32's cross block Ab21 = -Ab2 C Ab1 (C = Kd2 Kr1^T) by one warp, as two 16 x 16 x 16 products of split bf16
 * operands (x = hi + lo; A B ~ Ah Bh + Ah Bl + Al Bh in f32, ~2^-16 relative: f32-like, as the thread-per-element
 * f32 loops this replaced): V = Ab2 C, then -V Ab1. ct: C^T in the accumulator layout (tile_product(Kr1, Kd2)),
 * whose lane elements are those of C as B fragments; V's accumulator is an A fragment. Ab2f, Ab1f: f32 [16][16]
 * (store_inverse's outf); out: bf16 [16][16], dense rows. */
static __device__ __forceinline__ void cross_block(const float (&ct)[2][4], const float *Ab2f, const float *Ab1f,
                                                   __nv_bfloat16 *out, int lane)
{
    const int gq = lane >> 2, qq = lane & 3;
    uint32_t ah[4], al[4]; /* Ab2 as the A fragment: rows gq, gq + 8, columns 2 qq, 2 qq + 1 (+ 8) */
#pragma unroll
    for (int i = 0; i < 4; ++i) {
        const float2 x = *(const float2 *)(Ab2f + (gq + 8 * (i & 1)) * 16 + 2 * qq + 8 * (i >> 1));
        split_bf16(x.x, x.y, &ah[i], &al[i]);
    }
    float V[2][4] = {};
#pragma unroll
    for (int nt = 0; nt < 2; ++nt) { /* B = C: k = 2 qq, 2 qq + 1 (+ 8) of column n = 8 nt + gq, row n of C^T */
        uint32_t bh0, bl0, bh1, bl1;
        split_bf16(ct[0][2 * nt], ct[0][2 * nt + 1], &bh0, &bl0);
        split_bf16(ct[1][2 * nt], ct[1][2 * nt + 1], &bh1, &bl1);
        mma16816(V[nt], al, bh0, bh1);
        mma16816(V[nt], ah, bl0, bl1);
        mma16816(V[nt], ah, bh0, bh1);
    }
    uint32_t vh[4], vl[4];
    acc_to_a_split(vh, vl, V[0], V[1]);
    float R[2][4] = {};
#pragma unroll
    for (int nt = 0; nt < 2; ++nt) { /* B = Ab1: rows 2 qq, 2 qq + 1 (+ 8) of column 8 nt + gq */
        const float *col = Ab1f + 8 * nt + gq;
        uint32_t bh0, bl0, bh1, bl1;
        split_bf16(col[32 * qq], col[32 * qq + 16], &bh0, &bl0);
        split_bf16(col[32 * qq + 128], col[32 * qq + 144], &bh1, &bl1);
        mma16816(R[nt], vl, bh0, bh1);
        mma16816(R[nt], vh, bl0, bl1);
        mma16816(R[nt], vh, bh0, bh1);
    }
#pragma unroll
    for (int nt = 0; nt < 2; ++nt)
#pragma unroll
        for (int h = 0; h < 2; ++h)
            *(uint32_t *)(out + (gq + 8 * h) * 16 + 8 * nt + 2 * qq) = pack_bf16(-R[nt][2 * h], -R[nt][2 * h + 1]);
}

/* grid (pair slot, hv), 256 threads: group g = warps 4 g .. 4 g + 3 preps chunk 2 c + g of the pair */
__global__ void __launch_bounds__(2 * NTHREADS, 4) kda_prep32_kernel(const prefill_params p, unsigned char *ws,
                                                                  int64_t nslots)
{
    extern __shared__ __align__(128) unsigned char smem[];
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, g = warp >> 2, pw = warp & 3, ptid = tid & 127;
    const int hv = blockIdx.y, h = hv / p.group;
    asm volatile("griddepcontrol.launch_dependents;\n" ::: "memory"); /* as in kda_prep_kernel */
    const int64_t slot = prep_slot(p, (int *)smem, tid, 2 * NTHREADS);

    int64_t b = 0, bos = 0, len = p.T, c;
    if (p.cu) {
        const int64_t lo = slot_sequence(p, slot, 32, tid, 2 * NTHREADS);
        int64_t eos;
        seq_bounds(p, lo, &bos, &eos);
        len = eos - bos;
        c = slot - (lo + bos / 32);
    } else {
        const int64_t cpr = (p.T + 31) / 32;
        b = slot / cpr;
        c = slot % cpr;
    }
    if (c < 0 || c * 32 >= len) return; /* a slot of no pair (the whole CTA) */
    /* chunk 2 c + g; the second may be empty (nvalid 0: every row zero-filled, beta 0, its Ab and M blocks 0) */
    const int64_t rem = len - c * 32 - g * 16;
    const int nvalid = (int)(rem < 0 ? 0 : rem < 16 ? rem : 16);
    const int64_t t0 = bos + c * 32 + (nvalid ? g * 16 : 0); /* an empty chunk loads nothing: a valid address */
    __nv_bfloat16 *raw = (__nv_bfloat16 *)(smem + P32_RAW) + g * 3 * 16 * KD;
    __nv_bfloat16 *til = (__nv_bfloat16 *)(smem + P32_TIL);
    __nv_bfloat16 *small = (__nv_bfloat16 *)(smem + P32_SMALL);
    float *fsm = (float *)(smem + P32_F), *sx = (float *)(smem + P32_SX);
    float *rn = (float *)(smem + P32_RN) + 32 * g, *bs = (float *)(smem + P32_BS);

    /* beta, A_log and dt_bias first: their loads in flight together with the rows' (gate_load) */
    const float braw = ptid < 16 && ptid < nvalid ? beta_raw(p, b, t0 + ptid, hv) : 0.f;
    const gate_raw gr = gate_load(p, hv, 2 * (16 * pw + (lane & 15)));
    prep_load(raw, p, p.q + b * p.q_sb + t0 * p.q_st + h * p.q_sh, p.k + b * p.k_sb + t0 * p.k_st + h * p.k_sh,
              p.g + b * p.g_sb + t0 * p.g_st + hv * p.g_sh, nvalid, ptid);
    cp_async_commit();
    if (ptid < 16) bs[16 * g + ptid] = ptid < nvalid ? beta_act(p, braw) : 0.f;
    float cA;
    const float2 cb = gate_coefs_of(p, gr, &cA);
    cp_async_wait_all();
    /* the group's own barrier (ids 1, 2; constant, so ptxas counts 3 barriers) until the gate exchanges G_C */
    auto group_sync = [&]() { g ? bar_sync(2, NTHREADS) : bar_sync(1, NTHREADS); };
    group_sync();
    prep_norms(p, raw, rn, ptid);
    group_sync();
    unsigned char *rec = ws + ((int64_t)hv * nslots + slot) * REC32_BYTES;
    /* tiles: chunk 1 Kd, Qd, Ki, Kr at 0-3, chunk 2 Kd, Qd, Ki at 4-6 */
    __nv_bfloat16 *t1 = til + (g ? 4 : 0) * 16 * PD;
    {
        float a0[8], a1[8], C0, C1;
        prep_gate32_sums(p, raw, cb, cA, nvalid, g, sx, a0, a1, &C0, &C1, pw, lane);
        __syncthreads(); /* both chunks' G_C in sx */
        if (g)
            prep_gate32_tiles<1>(raw, rn, sx, a0, a1, C0, C1, t1, t1 + 16 * PD, t1 + 2 * 16 * PD, nullptr, rec, pw, lane);
        else
            prep_gate32_tiles<0>(raw, rn, sx, a0, a1, C0, C1, t1, t1 + 16 * PD, t1 + 2 * 16 * PD, til + 3 * 16 * PD,
                                 rec, pw, lane);
    }
    __syncthreads();
    /* the 16 x 16 products (raw is free now) */
    const __nv_bfloat16 *Kd1 = til, *Qd1 = til + 16 * PD, *Ki1 = til + 2 * 16 * PD, *Kr1 = til + 3 * 16 * PD;
    const __nv_bfloat16 *Kd2 = til + 4 * 16 * PD, *Qd2 = til + 5 * 16 * PD, *Ki2 = til + 6 * 16 * PD;
    float acc[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
    if (pw == 0) { /* the chunk's Ab (bf16 block 11 or 22, and f32) */
        tile_product(acc, g ? Kd2 : Kd1, g ? Ki2 : Ki1, lane);
        store_inverse(acc, bs + 16 * g, (float *)raw, small + (g ? 2 : 0) * 256, 16, lane, fsm + g * 256);
    } else if (pw == 1) { /* the chunk's M (block 11 or 22) */
        tile_product(acc, g ? Qd2 : Qd1, g ? Ki2 : Ki1, lane);
        store_tril(acc, small + (g ? 5 : 3) * 256, 16, lane);
    } else if (pw == 2 && g) { /* M21 = Qd2 Kr1^T (a full block: token s < t always) */
        tile_product(acc, Qd2, Kr1, lane);
        store_tril(acc, small + 4 * 256, 16, lane, false);
    } else if (pw == 2) { /* C^T = Kr1 Kd2^T (C = Kd2 Kr1^T), kept in registers for Ab21 below */
        tile_product(acc, Kr1, Kd2, lane);
    }
    __syncthreads();
    if (warp == 2) { /* Ab21 = -Ab2 C Ab1 (cross_block), then its 32 pieces of the record */
        cross_block(acc, fsm + 256, fsm, small + 256, lane);
        __syncwarp();
        *(uint4 *)(rec + REC32_AB + 512 + swz_small((lane >> 1) & 15, lane & 1)) =
            *(const uint4 *)((const unsigned char *)small + 512 + lane * 16);
    } else if (tid < 192) { /* the other five blocks (0, 2, 3, 4, 5), piece q % 32 of each: warps 0, 1, 3, 4, 5 */
        const int q = tid < 64 ? tid : tid - 32, blk = q < 32 ? 0 : (q >> 5) + 1;
        *(uint4 *)(rec + REC32_AB + blk * 512 + swz_small((q >> 1) & 15, q & 1)) =
            *(const uint4 *)((const unsigned char *)small + blk * 512 + (q & 31) * 16);
    }
}

/* v4.1's stage in shared memory (written by its producers): Kd, Qd, Kr [16][PD] | Ab, M [16][PS] | e^G_C [128] f32 |
 * v [16][VP(VS)] bf16 of room, holding 16 rows of SVP(VS) bytes swizzled as in the chain kernel's stage (SST_AB) */
#define CST_AB (3 * 16 * PD * 2)
#define CST_EC (CST_AB + 2 * 16 * PS * 2)
#define CST_V (CST_EC + KD * 4)
#define VP(vs) ((vs) + 8) /* room (bf16 per row) for v in v4.1's stage, which holds it in SVP rows */
#define CST_BYTES(vs) (CST_V + 16 * VP(vs) * 2)
/* The v2 chain kernel's stage (SWZ): the record as it is (its layout above), then v; every row of Kd, Qd, Kr (256
 * bytes) and of v (SVP bytes, at least 128) starts on a 128-byte line, its 16-byte pieces swizzled: piece c of row r
 * at piece c ^ (r % 8) (Ab, M: 32-byte rows, c ^ ((r / 4) % 2)). Padded rows (272 bytes) made each 16-byte cp.async
 * land across two 128-byte lines: ncu counted 2.6x the ideal shared-memory wavefronts for the tile copies and 6x for
 * v, a quarter of all the chain's wavefronts (session 7). ldmatrix stays conflict-free: its 8 rows read 8 different
 * pieces of a line (Ab, M: of two lines). */
#define SST_AB REC_AB
#define SST_EC REC_EC
#define SST_V REC_BYTES
#define SVP(vs) ((vs) * 2 > 128 ? (vs) * 2 : 128) /* bytes per v row */
#define SST_BYTES(vs) (SST_V + 16 * SVP(vs))
#define CHAIN_SMEM_ST(vs, st) ((st) * SST_BYTES(vs) + ((vs) / 16) * 16 * PS * 2 + (st) * 8) /* + mbarriers */
#define CHAIN_SMEM(vs) CHAIN_SMEM_ST(vs, STAGES)
/* the longest-first split-2 chain's stages: 193 KB of shared memory, so one chain CTA an SM (launch_v2) */
#define DEEP_STAGES 12
static_assert(CHAIN_SMEM_ST(64, DEEP_STAGES) > 114 * 1024 && CHAIN_SMEM_ST(64, DEEP_STAGES) <= 227 * 1024,
              "DEEP_STAGES: one chain CTA an SM");

/* A thread's 64 state elements of (sequence n, value head hv): rows vr and vr + 8 of its accumulator layout, key
 * channels 8 j + 2 qq and + 1. Each key pair is one 8-byte (f32) or 4-byte (bf16) access where the key stride is 1
 * and the pairs are aligned (a contiguous V-first state), else two scalar accesses. The final state of every kernel
 * and the initial state of the fused and C32 chain kernels go by pairs: H = 32 256 x 64 -10%, H = 16 1024 x 8 -3.5%,
 * 4000 + 200 x 20 tokens at H = 16 -10% (session 15 call 19). The 16-token chain kernels keep scalar initial-state
 * loads: pairs in their prologue moved ptxas to 167 registers and a longer loop (the known flip; kda_chain_kernel).
 * load_state takes an f32 state (the common case) in a branch of its own, 32 8-byte loads at immediate offsets from
 * one row pointer: the three paths interleaved per element were ~2800 SASS instructions that every fused CTA fetched
 * cold before its first chunk (ncu, session 17). store_final_state has the same branch only where ROWS is set (the
 * fused kernel: without it H = 32 256 x 64 took 4% longer, session 17 call 13); in the chain kernels it moved the
 * 16-token loops from 384 to 403 SASS instructions. */
static __device__ __forceinline__ bool state_pairs(const state_view &s)
{
    const uintptr_t align = s.dtype == FKDA_FLOAT32 ? 7 : 3;
    return (s.dtype == FKDA_FLOAT32 || s.dtype == FKDA_BFLOAT16) && s.k == 1 && ((s.n | s.h | s.v) & 1) == 0 &&
           ((uintptr_t)s.data & align) == 0;
}
static __device__ __forceinline__ void load_state(const state_view &s, int64_t n, int hv, int vr, int qq,
                                                  float (&S)[16][4])
{
    const bool pairs = state_pairs(s);
    if (pairs && s.dtype == FKDA_FLOAT32) { /* one row pointer, immediate offsets */
        const float *row = (const float *)s.data + n * s.n + (int64_t)hv * s.h + (int64_t)vr * s.v + 2 * qq;
#pragma unroll
        for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int j = 0; j < 16; ++j) {
                const float2 x = *(const float2 *)(row + 8 * h * s.v + 8 * j);
                S[j][2 * h] = x.x;
                S[j][2 * h + 1] = x.y;
            }
        return;
    }
#pragma unroll
    for (int j = 0; j < 16; ++j)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int64_t i = state_index(s, n, hv, vr + 8 * h, 8 * j + 2 * qq);
            float2 x;
            if (pairs)
                x = __bfloat1622float2(*(const __nv_bfloat162 *)((const __nv_bfloat16 *)s.data + i));
            else
                x = make_float2(load_scalar(s.data, s.dtype, i), load_scalar(s.data, s.dtype, i + s.k));
            S[j][2 * h] = x.x;
            S[j][2 * h + 1] = x.y;
        }
}
template <bool ROWS = false>
static __device__ __forceinline__ void store_final_state(const prefill_params &p, const float (&S)[16][4], int64_t n,
                                                         int hv, int vr, int qq)
{
    const state_view &s = p.s_out;
    const bool pairs = state_pairs(s);
    if (ROWS && pairs && s.dtype == FKDA_FLOAT32) { /* as in load_state */
        float *row = (float *)s.data + n * s.n + (int64_t)hv * s.h + (int64_t)vr * s.v + 2 * qq;
#pragma unroll
        for (int h = 0; h < 2; ++h)
#pragma unroll
            for (int j = 0; j < 16; ++j)
                *(float2 *)(row + 8 * h * s.v + 8 * j) = make_float2(S[j][2 * h], S[j][2 * h + 1]);
        return;
    }
#pragma unroll
    for (int j = 0; j < 16; ++j)
#pragma unroll
        for (int h = 0; h < 2; ++h) {
            const int64_t i = state_index(s, n, hv, vr + 8 * h, 8 * j + 2 * qq);
            if (pairs && s.dtype == FKDA_FLOAT32) {
                *(float2 *)((float *)s.data + i) = make_float2(S[j][2 * h], S[j][2 * h + 1]);
            } else if (pairs) {
                *(__nv_bfloat162 *)((__nv_bfloat16 *)s.data + i) = __floats2bfloat162_rn(S[j][2 * h], S[j][2 * h + 1]);
            } else {
                store_state(s, i, S[j][2 * h]);
                store_state(s, i + s.k, S[j][2 * h + 1]);
            }
        }
}

/* Precision of the chain's products (FKDA_PREFILL_PRECISE, a bit mask): which bf16 operands are split into
 * hi + lo parts (2x those mma.sync, fp32-like accuracy). PM_KS: the state in Kd S (on the serial path of every
 * chunk); PM_QS: the state in Qd S (the output only); PM_U: U in the state update and in M U. */
enum { PM_KS = 1, PM_QS = 2, PM_U = 4, PM_ALL = 7 };

/* One 16-channel step kk of a product of the state with a record tile (P^T = S^T Kd^T, Y^T = S^T Qd^T) for NB blocks
 * of 16 tokens (1, or 2 for a C32 pair): the accumulator tiles (16 x 8 each, two a block) of acc[0] and acc[1] are
 * summed afterwards. SPLIT: the state operand as bf16 hi (into acc[0]) + lo (into acc[1]); else plain bf16,
 * alternating acc[0] / acc[1] by kk for shorter dependency chains (for the pair, without the alternation ptxas chose
 * 172 registers and a 638-instruction loop, against 248 and 602). b[i]: the B fragments of block i's 16 x 16 tile
 * (ldmatrix). */
template <bool SPLIT, int NB>
static __device__ __forceinline__ void state_step(float (&acc)[2][2 * NB][4], const float (&s0)[4], const float (&s1)[4],
                                                  const uint32_t (&b)[NB][4], int kk)
{
    uint32_t a[4];
    if (SPLIT) {
        uint32_t lo[4];
        acc_to_a_split(a, lo, s0, s1);
#pragma unroll
        for (int i = 0; i < NB; ++i) {
            mma_n16(acc[1][2 * i], acc[1][2 * i + 1], lo, b[i]);
        }
#pragma unroll
        for (int i = 0; i < NB; ++i) {
            mma_n16(acc[0][2 * i], acc[0][2 * i + 1], a, b[i]);
        }
    } else {
        acc_to_a(a, s0, s1);
#pragma unroll
        for (int i = 0; i < NB; ++i) {
            mma_n16(acc[kk & 1][2 * i], acc[kk & 1][2 * i + 1], a, b[i]);
        }
    }
}

/* ldmatrix offsets of a lane in the swizzled stage (SWZ, see SST_AB), made once per kernel: matrix q = lane / 8 of
 * a 16 x 16 block, row lane % 8. Kd, Qd: row 8 (q / 2) + lane % 8, piece 2 kk + q % 2; Kr (transposed): row
 * 8 (q % 2) + lane % 8, piece 2 kk + q / 2; the swizzle (^ lane % 8) only changes the low 3 bits of the piece, so key
 * steps kk and kk + 4 differ by one 128-byte line: k[m], r[m] (bf16 elements) for kk % 4 = m. v: byte offset of the
 * lane's row and piece for the warp's value columns vl. */
struct swz_offsets {
    int k[4], r[4], v, ab;
    uint32_t id[4]; /* the 16 x 16 identity as the lane's B fragments (bf16 pairs) of n-tiles 0 and 1 (C32) */
};
template <int VS>
static __device__ __forceinline__ swz_offsets make_swz_offsets(int lane, int vl)
{
    swz_offsets o;
    const int x7 = lane & 7, qa = (lane >> 3) & 1, qb = lane >> 4;
#pragma unroll
    for (int m = 0; m < 4; ++m) {
        o.k[m] = swz(8 * qb + x7, 2 * m + qa, KD * 2) / 2;
        o.r[m] = swz(8 * qa + x7, 2 * m + qb, KD * 2) / 2;
    }
    o.v = swz(8 * qb + x7, vl / 8 + qa, SVP(VS));
    o.ab = swz_small(8 * qb + x7, qa) / 2; /* bf16 elements, Ab and M */
    /* B[k][n] = (k == n): lane (gq, qq) holds k = 2 qq, 2 qq + 1 (+ 8 in id[1], id[3]) of n = gq (+ 8 in id[2], id[3]) */
    const int gq = lane >> 2, qq = lane & 3;
    const uint32_t one = 0x3f80u; /* bf16 1.0 */
    const uint32_t d = gq == 2 * qq ? one : gq == 2 * qq + 1 ? one << 16 : 0u;
    o.id[0] = d;
    o.id[1] = 0u;
    o.id[2] = 0u;
    o.id[3] = d;
    return o;
}

/* One chunk of the chain for one warp (16 MT value columns at vl inside the slice, MT 16-row tiles of S^T): the stage
 * st holds the chunk's record and v rows; S is updated in place and the chunk's output rows are written to ob (rows
 * t < len). Shared by the v2 chain kernel (SWZ: its stage, SST_AB) and the v4 consumer warps (padded tiles, CST_AB; v
 * swizzled in both); so: the lane's offsets from make_swz_offsets (its v offset is that of tile 0). With MT = 2 (the
 * fused kernel's 32-column warps) every B fragment (Kd, Qd, Kr, Ab, M) is loaded once for both tiles: half the shared
 * memory per value column; each tile gets the same arithmetic in the same order, so the same bits. */
template <int VS, int PM, bool SWZ, int MT>
static __device__ __forceinline__ void chain_tiles(float (&S)[MT][16][4], const unsigned char *st, __nv_bfloat16 *ost,
                                                   __nv_bfloat16 *ob, int64_t o_st, int64_t c, int64_t len, int vl,
                                                   int lane, const swz_offsets &so)
{
    const int gq = lane >> 2, qq = lane & 3;
    constexpr int TP = SWZ ? KD : PD; /* tile pitch (bf16) */
    const __nv_bfloat16 *Kds = (const __nv_bfloat16 *)st, *Qds = Kds + 16 * TP, *Krs = Qds + 16 * TP;
    const __nv_bfloat16 *Abs = (const __nv_bfloat16 *)(st + (SWZ ? SST_AB : CST_AB)), *Ms = Abs + 16 * (SWZ ? 16 : PS);
    const float *ecs = (const float *)(st + (SWZ ? SST_EC : CST_EC));
    const unsigned char *vs = st + (SWZ ? SST_V : CST_V);
    /* ldmatrix addresses (bf16 elements) of key step kk (rows and pieces: make_swz_offsets) */
    const int x7 = lane & 7, qa = (lane >> 3) & 1, qb = lane >> 4;
    auto tile_k = [&](int kk) { /* Kd, Qd */
        return SWZ ? so.k[kk & 3] + (kk >> 2) * 64 : (8 * qb + x7) * PD + kk * 16 + qa * 8;
    };
    auto tile_r = [&](int kk) { /* Kr, transposed */
        return SWZ ? so.r[kk & 3] + (kk >> 2) * 64 : (8 * qa + x7) * PD + kk * 16 + qb * 8;
    };

    /* P^T = S^T Kd^T (16 value rows x 16 tokens a tile); two accumulator sets shorten the dependency chains */
    float P[MT][2][2][4] = {};
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        uint32_t bk[1][4];
        ldsm_x4(bk[0], Kds + tile_k(kk));
#pragma unroll
        for (int mt = 0; mt < MT; ++mt)
            state_step<(PM & PM_KS) != 0, 1>(P[mt], S[mt][2 * kk], S[mt][2 * kk + 1], bk, kk);
    }
    /* X^T = V^T - P^T, then U^T = X^T Ab^T. V^T in P's accumulator layout by one transposing ldmatrix: matrix
     * 2 tl + h holds tokens 8 tl .. 8 tl + 7 (rows) of value columns vl + 8 h .. + 7, so lane (gq, qq) gets tokens
     * 8 tl + 2 qq and + 1 of value vl + 8 h + gq: element r = 2 h + e of tile tl */
    uint32_t bm[4], ua[MT][4], ul[MT][4];
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
        uint32_t vt[4];
        /* v rows are swizzled in both layouts */
        ldsm_x4_t(vt, vs + (mt == 0 ? so.v : swz(8 * qb + x7, (vl + 16 * mt) / 8 + qa, SVP(VS))));
#pragma unroll
        for (int tl = 0; tl < 2; ++tl)
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const uint32_t w = vt[2 * tl + (r >> 1)];
                const float x = __uint_as_float(r & 1 ? w & 0xffff0000u : w << 16);
                P[mt][0][tl][r] = x - (P[mt][0][tl][r] + P[mt][1][tl][r]);
            }
        uint32_t xa[4];
        acc_to_a(xa, P[mt][0][0], P[mt][0][1]);
        if (mt == 0) ldsm_x4(bm, Abs + (SWZ ? so.ab : (8 * qb + x7) * PS + qa * 8));
        float U[2][4] = {};
        mma_n16(U[0], U[1], xa, bm);
        if (PM & PM_U)
            acc_to_a_split(ua[mt], ul[mt], U[0], U[1]);
        else
            acc_to_a(ua[mt], U[0], U[1]);
    }

    /* per 16 key channels: Y^T += S^T Qd^T with the old state, then S^T <- S^T diag(e^G_C) + U^T Kr */
    float Y[MT][2][2][4] = {};
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        uint32_t bq[1][4], br[4];
        ldsm_x4(bq[0], Qds + tile_k(kk));
#pragma unroll
        for (int mt = 0; mt < MT; ++mt)
            state_step<(PM & PM_QS) != 0, 1>(Y[mt], S[mt][2 * kk], S[mt][2 * kk + 1], bq, kk);
        ldsm_x4_t(br, Krs + tile_r(kk));
#pragma unroll
        for (int hf = 0; hf < 2; ++hf) {
            const int j = 2 * kk + hf;
            const float2 e = *(const float2 *)(ecs + 8 * j + 2 * qq);
#pragma unroll
            for (int mt = 0; mt < MT; ++mt) {
                S[mt][j][0] *= e.x;
                S[mt][j][1] *= e.y;
                S[mt][j][2] *= e.x;
                S[mt][j][3] *= e.y;
                mma16816(S[mt][j], ua[mt], br[2 * hf], br[2 * hf + 1]);
                if (PM & PM_U) mma16816(S[mt][j], ul[mt], br[2 * hf], br[2 * hf + 1]);
            }
        }
    }
    /* O^T = Y^T + U^T M^T, staged as O (tokens x values) and written as 16-byte rows, a tile at a time */
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
#pragma unroll
        for (int tl = 0; tl < 2; ++tl)
#pragma unroll
            for (int r = 0; r < 4; ++r) Y[mt][0][tl][r] += Y[mt][1][tl][r];
        if (mt == 0) ldsm_x4(bm, Ms + (SWZ ? so.ab : (8 * qb + x7) * PS + qa * 8));
        mma_n16(Y[mt][0][0], Y[mt][0][1], ua[mt], bm, PM & PM_U ? ul[mt] : nullptr);
#pragma unroll
        for (int tl = 0; tl < 2; ++tl)
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const int vv = gq + (r >> 1) * 8, t = tl * 8 + 2 * qq + (r & 1);
                ost[t * PS + vv] = __float2bfloat16(Y[mt][0][tl][r]);
            }
        __syncwarp();
        {
            const int row = lane >> 1, hf = lane & 1;
            const int64_t t = c * 16 + row;
            const uint4 val = *(const uint4 *)(ost + row * PS + hf * 8);
            if (t < len) *(uint4 *)(ob + t * o_st + vl + 16 * mt + hf * 8) = val;
        }
        __syncwarp();
    }
}
/* the 16-column warp's form (the chain kernels, the fused kernel with 8 chain warps) */
template <int VS, int PM, bool SWZ>
static __device__ __forceinline__ void chain_chunk(float (&S)[16][4], const unsigned char *st, __nv_bfloat16 *ost,
                                                   __nv_bfloat16 *ob, int64_t o_st, int64_t c, int64_t len, int vl,
                                                   int lane, const swz_offsets &so)
{
    chain_tiles<VS, PM, SWZ, 1>(reinterpret_cast<float(&)[1][16][4]>(S), st, ost, ob, o_st, c, len, vl, lane, so);
}

/* C32: the stage (the pair record as it is, then 32 rows of v) and the chain's shared memory */
#define S32_V REC32_BYTES
#define S32_BYTES(vs) (S32_V + 32 * SVP(vs))
#define C32_SMEM_ST(vs, st) ((st) * S32_BYTES(vs) + ((vs) / 16) * 32 * PS * 2 + (st) * 8) /* + mbarriers */
#define C32_STAGES(vs) ((vs) == 128 ? 2 : 3) /* two chain CTAs an SM */
#define C32_DEEP_STAGES 6                     /* one CTA an SM (the longest-first split-2 chains) */
static_assert(2 * C32_SMEM_ST(64, 3) <= 226 * 1024 && 2 * C32_SMEM_ST(128, 2) <= 226 * 1024 &&
                  C32_SMEM_ST(64, C32_DEEP_STAGES) > 114 * 1024 && C32_SMEM_ST(64, C32_DEEP_STAGES) <= 227 * 1024,
              "C32 stages");

/* chain_chunk for one 32-token pair (C32 stage): the same steps with tokens 0-15 and 16-31 side by side, U = Ab X and
 * O = Qd S + M U through the block lower triangular Ab and M */
template <int VS, int PM>
static __device__ __forceinline__ void chain_pair(float (&S)[16][4], const unsigned char *st, __nv_bfloat16 *ost,
                                                  __nv_bfloat16 *ob, int64_t o_st, int64_t c, int64_t len, int vl,
                                                  int lane, const swz_offsets &so)
{
    const int qq = lane & 3;
    const __nv_bfloat16 *Kds = (const __nv_bfloat16 *)st, *Qds = Kds + 32 * KD, *Krs = Qds + 32 * KD;
    const __nv_bfloat16 *Abs = (const __nv_bfloat16 *)(st + REC32_AB), *Ms = Abs + 3 * 256;
    const float *ecs = (const float *)(st + REC32_EC);
    const unsigned char *vs = st + S32_V;
    constexpr int H2 = 16 * KD; /* rows 16-31 of a tile (bf16 elements; the swizzle repeats every 8 rows) */
    auto tile_k = [&](int kk) { return so.k[kk & 3] + (kk >> 2) * 64; };
    auto tile_r = [&](int kk) { return so.r[kk & 3] + (kk >> 2) * 64; };

    /* X^T = V^T - S^T Kd^T, accumulated onto V^T (the record holds -Kd). The transposing ldmatrix of 16 v rows gives
     * V^T (values x tokens) as an A fragment (matrix 2 tl + h: tokens 8 tl .., values 8 h ..), and V^T I puts it in
     * the accumulator layout */
    float P[2][4][4] = {};
    {
        uint32_t vt[4];
#pragma unroll
        for (int hh = 0; hh < 2; ++hh) { /* V^T (tokens 16 hh ..) through the identity: exact, and no unpacking */
            ldsm_x4_t(vt, vs + so.v + 16 * hh * SVP(VS));
            mma_n16(P[0][2 * hh], P[0][2 * hh + 1], vt, so.id);
        }
    }
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        uint32_t bk[2][4];
        ldsm_x4(bk[0], Kds + tile_k(kk));
        ldsm_x4(bk[1], Kds + H2 + tile_k(kk));
        state_step<(PM & PM_KS) != 0, 2>(P, S[2 * kk], S[2 * kk + 1], bk, kk);
    }
#pragma unroll
    for (int tl = 0; tl < 4; ++tl)
#pragma unroll
        for (int r = 0; r < 4; ++r) P[0][tl][r] += P[1][tl][r];
    uint32_t xa[2][4], bm[4];
    acc_to_a(xa[0], P[0][0], P[0][1]);
    acc_to_a(xa[1], P[0][2], P[0][3]);
    float U[4][4] = {};
    ldsm_x4(bm, Abs + so.ab); /* Ab11 */
    mma_n16(U[0], U[1], xa[0], bm);
    ldsm_x4(bm, Abs + 256 + so.ab); /* Ab21 */
    mma_n16(U[2], U[3], xa[0], bm);
    ldsm_x4(bm, Abs + 512 + so.ab); /* Ab22 */
    mma_n16(U[2], U[3], xa[1], bm);
    uint32_t ua[2][4], ul[2][4];
#pragma unroll
    for (int hh = 0; hh < 2; ++hh) {
        if (PM & PM_U)
            acc_to_a_split(ua[hh], ul[hh], U[2 * hh], U[2 * hh + 1]);
        else
            acc_to_a(ua[hh], U[2 * hh], U[2 * hh + 1]);
    }

    float Y[2][4][4] = {};
#pragma unroll
    for (int kk = 0; kk < 8; ++kk) {
        uint32_t bq[2][4], br0[4], br1[4];
        ldsm_x4(bq[0], Qds + tile_k(kk));
        ldsm_x4(bq[1], Qds + H2 + tile_k(kk));
        state_step<(PM & PM_QS) != 0, 2>(Y, S[2 * kk], S[2 * kk + 1], bq, kk);
        ldsm_x4_t(br0, Krs + tile_r(kk));
        ldsm_x4_t(br1, Krs + H2 + tile_r(kk));
#pragma unroll
        for (int hf = 0; hf < 2; ++hf) {
            const int j = 2 * kk + hf;
            const float2 e = *(const float2 *)(ecs + 8 * j + 2 * qq);
            S[j][0] *= e.x;
            S[j][1] *= e.y;
            S[j][2] *= e.x;
            S[j][3] *= e.y;
            mma16816(S[j], ua[0], br0[2 * hf], br0[2 * hf + 1]);
            if (PM & PM_U) mma16816(S[j], ul[0], br0[2 * hf], br0[2 * hf + 1]);
            mma16816(S[j], ua[1], br1[2 * hf], br1[2 * hf + 1]);
            if (PM & PM_U) mma16816(S[j], ul[1], br1[2 * hf], br1[2 * hf + 1]);
        }
    }
#pragma unroll
    for (int tl = 0; tl < 4; ++tl)
#pragma unroll
        for (int r = 0; r < 4; ++r) Y[0][tl][r] += Y[1][tl][r];
    /* O^T += U^T M^T: tokens 0-15 through M11; 16-31 through M21 (U of tokens 0-15) and M22 */
    ldsm_x4(bm, Ms + so.ab); /* M11 */
    mma_n16(Y[0][0], Y[0][1], ua[0], bm, PM & PM_U ? ul[0] : nullptr);
    ldsm_x4(bm, Ms + 256 + so.ab); /* M21 */
    mma_n16(Y[0][2], Y[0][3], ua[0], bm, PM & PM_U ? ul[0] : nullptr);
    ldsm_x4(bm, Ms + 512 + so.ab); /* M22 */
    mma_n16(Y[0][2], Y[0][3], ua[1], bm, PM & PM_U ? ul[1] : nullptr);
    /* stage O^T as O (tokens x values): the fragments of tiles 2 hh, 2 hh + 1 (value rows 0-7, 8-15 each) stored
     * transposed, lane 8 i + j giving row 16 hh + 8 (i / 2) + j, values 8 (i % 2) .. */
#pragma unroll
    for (int hh = 0; hh < 2; ++hh)
        stsm_x4_t(ost + (16 * hh + 8 * (lane >> 4) + (lane & 7)) * PS + 8 * ((lane >> 3) & 1),
                  pack_bf16(Y[0][2 * hh][0], Y[0][2 * hh][1]), pack_bf16(Y[0][2 * hh][2], Y[0][2 * hh][3]),
                  pack_bf16(Y[0][2 * hh + 1][0], Y[0][2 * hh + 1][1]), pack_bf16(Y[0][2 * hh + 1][2], Y[0][2 * hh + 1][3]));
    __syncwarp();
#pragma unroll
    for (int h = 0; h < 2; ++h) {
        const int row = 16 * h + (lane >> 1), hf = lane & 1;
        const int64_t t = c * 32 + row;
        const uint4 val = *(const uint4 *)(ost + row * PS + hf * 8);
        if (t < len) *(uint4 *)(ob + t * o_st + vl + hf * 8) = val;
    }
    __syncwarp();
}

/* One CTA of VS/16 warps per (sequence, value head, V-slice); warp w owns 16 rows of S^T in registers. CT: tokens a
 * step, 16 (records of chunks) or 32 (C32 pair records; segments of an even number of chunks). */
template <int VS, int PM, int NST, int CT = 16>
__global__ void __launch_bounds__(2 * VS) kda_chain_kernel(const prefill_params p, const unsigned char *ws,
                                                           int64_t nslots)
{
    constexpr int NT = 2 * VS; /* VS / 16 warps */
    extern __shared__ __align__(128) unsigned char smem[];
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int gq = lane >> 2, qq = lane & 3;

    const int64_t cta = blockIdx.x;
    const int slice = (int)(cta % p.NS);
    const int hv = (int)((cta / p.NS) % p.HV);
    const int64_t unit = cta / ((int64_t)p.NS * p.HV);
    const int v0 = slice * VS;

    /* unit = sequence n without segments; with them, 2 * segment slot + role (0 real, 1 virtual columns) */
    const int role = p.segL ? (int)(unit & 1) : 0;
    const int64_t gs = p.segL ? unit >> 1 : unit;
    /* the prep kernel's records and order: complete and visible after this (a no-op unless launched as a programmatic
     * dependent) */
    asm volatile("griddepcontrol.wait;\n" ::: "memory");
    const int64_t n = p.segL            ? seq_of_segment(p, gs)
                      : p.unit_seq >= 0 ? (unit && p.unit_seq2 >= 0 ? p.unit_seq2 : p.unit_seq)
                      : p.order         ? p.order[unit]
                                        : unit;
    int64_t b = 0, bos = 0, eos = p.T, slot0;
    if (p.cu) {
        seq_bounds(p, n, &bos, &eos);
        slot0 = n + bos / CT;
    } else {
        b = n;
        slot0 = n * ((p.T + CT - 1) / CT);
    }
    const int64_t len = eos - bos;
    const int64_t nch = (len + CT - 1) / CT;
    constexpr int REC = CT == 32 ? REC32_BYTES : REC_BYTES, STB = CT == 32 ? S32_BYTES(VS) : SST_BYTES(VS);
    constexpr int SV = CT == 32 ? S32_V : SST_V;
    int64_t seg = 0, nseg = 1, c_begin = 0, c_end = nch;
    if (p.segL) { /* segments of segL 16-token chunks (even with C32: segL / 2 steps) */
        const int64_t nch16 = (len + 15) / 16, steps = p.segL * 16 / CT;
        seg = gs - seg_start(p, n);
        nseg = nch16 > p.segL ? (nch16 + p.segL - 1) / p.segL : 1;
        if (seg < 0 || seg >= nseg || (role && seg == 0)) return; /* a slot of no segment (whole CTA) */
        c_begin = seg * steps;
        c_end = c_begin + steps < nch ? c_begin + steps : nch;
    }
    const unsigned char *recs = ws + ((int64_t)hv * nslots + slot0) * REC;
    const __nv_bfloat16 *vb = p.v + b * p.v_sb + bos * p.v_st + hv * p.v_sh + v0;
    /* outputs: real columns to out; virtual columns (v = 0, state from the identity) to their rows of wsA, which is
     * indexed by 16-token chunk slots (p.nslots) whatever the records */
    const int64_t wslot0 = CT == 16 ? slot0 : p.cu ? n + bos / 16 : n * ((p.T + 15) / 16);
    __nv_bfloat16 *ob = role ? p.wsA + ((int64_t)hv * (CT == 16 ? nslots : p.nslots) + wslot0) * 16 * KD + v0
                             : p.out + b * p.o_sb + bos * p.o_st + hv * p.o_sh + v0;
    const int64_t o_st = role ? KD : p.o_st;
    __nv_bfloat16 *ost = (__nv_bfloat16 *)(smem + NST * STB) + warp * CT * PS;
    uint64_t *rbar = (uint64_t *)(smem + NST * STB + (VS / 16) * CT * PS * 2); /* a stage's record landed (bulk) */
    const int bulk = CT == 32 && p.bulk; /* C32 only: the 16-token kernels keep their registers */
    if (CT == 32) {
        if (bulk && tid < NST) full_init(rbar + tid, 1);
        __syncthreads();
    }

    /* asynchronous copy of the next chunk into its stage (an empty group past the end keeps the counting simple).
     * Chunks are fetched in order, so the record and v pointers and the stage advance by a fixed step, and each
     * thread's pieces sit at fixed offsets: the record is REC / 16 contiguous 16-byte pieces copied to
     * the same offsets of the stage (its layout is the stage's), v is CT / 16 pieces per thread (rows tid / (VS / 8)
     * + 16 h).
     * Without this the per-chunk address arithmetic was ~130 instructions a warp (ncu, H = 16 varlen, 10e79a2).
     * C32 (bulk): thread 0 copies the whole record with one cp.async.bulk that completes on the stage's mbarrier
     * (rbar); only v goes by cp.async. H = 16 1 x 8192 -5 to -7%, H = 8 and 4 1 x 8192 -2 to -3%, H = 16 1 x 65536
     * -1 to -2%, the rest level (session 15, bench/NOTES.md); the 16-token kernels keep cp.async (with a bulk copy,
     * chosen at run time or at compile time, ptxas gave them 168 registers instead of 248 and a longer loop). */
    static_assert(REC % 16 == 0 && 16 * (VS / 8) == NT, "prefetch: pieces per thread");
    constexpr int RP = REC / 16; /* the record's pieces, copied to the same offsets of the stage */
    const int pf_vrow = tid / (VS / 8), pf_vcol = tid % (VS / 8) * 8;
    const int pf_vdst = swz(pf_vrow, pf_vcol / 8, SVP(VS));
    int64_t pf_c = c_begin;
    int pf_stage = 0;
    const unsigned char *pf_rec = recs + c_begin * REC + tid * 16;
    const __nv_bfloat16 *pf_v = vb + (c_begin * CT + pf_vrow) * p.v_st + pf_vcol;
    auto prefetch = [&]() {
        if (pf_c < c_end) {
            unsigned char *st = smem + pf_stage * STB + tid * 16;
            if (bulk) {
                if (tid == 0) bulk_load(st, pf_rec, REC, rbar + pf_stage);
            } else {
                /* a fixed unrolled count, the last round predicated (not a loop over i = tid, tid + NT, ...: ptxas
                 * cannot bound tid, so such loops compiled to ~60 generic instructions) */
#pragma unroll
                for (int k = 0; k < RP / NT; ++k) cp_async16(st + k * NT * 16, pf_rec + k * NT * 16, 16);
                if (RP % NT && tid < RP % NT) cp_async16(st + RP / NT * NT * 16, pf_rec + RP / NT * NT * 16, 16);
            }
#pragma unroll
            for (int h = 0; h < CT / 16; ++h) {
                const bool ok = !role && pf_c * CT + 16 * h + pf_vrow < len;
                cp_async16(st - tid * 16 + SV + 16 * h * SVP(VS) + pf_vdst,
                           ok ? (const void *)(pf_v + 16 * h * p.v_st) : (const void *)vb, ok ? 16 : 0);
            }
            ++pf_c;
            pf_stage = pf_stage == NST - 1 ? 0 : pf_stage + 1;
            pf_rec += REC;
            pf_v += CT * p.v_st;
        }
        cp_async_commit();
    };

    /* S: the identity (virtual columns), the initial state (segment 0) or zeros. C32 loads the state by key pairs
     * (load_state) after the prefetch has been issued: that placement gave its loop 588 SASS instructions instead of
     * 654 (ptxas keeps the prefetch's addresses in registers); in the 16-token kernels the same change moved ptxas
     * to 168 registers and longer loops, so they keep scalar loads before the prefetch. */
    float S[16][4];
    auto init_state = [&](bool pairs) {
        if (pairs && !role && p.s_in.data && seg == 0) {
            load_state(p.s_in, n, hv, v0 + 16 * warp + gq, qq, S);
            return;
        }
        const int vr = v0 + 16 * warp + gq;
#pragma unroll
        for (int j = 0; j < 16; ++j)
#pragma unroll
            for (int r = 0; r < 4; ++r) {
                const int vv = vr + (r >> 1) * 8, kk = 8 * j + 2 * qq + (r & 1);
                float x = 0.f;
                if (role)
                    x = vv == kk ? 1.f : 0.f;
                /* !pairs changes no result (with pairs the state was loaded above), but without it the C32
                 * kernels' SASS differs from the measured build */
                else if (!pairs && p.s_in.data && seg == 0)
                    x = load_scalar(p.s_in.data, p.s_in.dtype, state_index(p.s_in, n, hv, vv, kk));
                S[j][r] = x;
            }
    };
    if (CT == 16) init_state(false);

#pragma unroll 1
    for (int s = 0; s < NST - 1; ++s) prefetch(); /* chunks c_begin .. c_begin + NST - 2 */
    if (CT == 32) init_state(true);
    const int vl = 16 * warp; /* local column of v inside the slice */
    const swz_offsets so = make_swz_offsets<VS>(lane, vl);
    int stage = 0; /* of chunk c: (c - c_begin) % NST */
    uint32_t phase = 0; /* of the stage's mbarrier (bulk): ((c - c_begin) / NST) & 1 */
#pragma unroll 1
    for (int64_t c = c_begin; c < c_end; ++c) {
        asm volatile("cp.async.wait_group %0;\n" ::"n"(NST - 2));
        if (bulk) full_wait(rbar + stage, phase);
        __syncthreads(); /* chunk c visible to all warps; the stage of chunk c - 1 free again */
        prefetch();      /* chunk c + NST - 1 */
        if (CT == 32)
            chain_pair<VS, PM>(S, smem + stage * STB, ost, ob, o_st, c, len, vl, lane, so);
        else
            chain_chunk<VS, PM, true>(S, smem + stage * STB, ost, ob, o_st, c, len, vl, lane, so);
        if (stage == NST - 1) phase ^= 1;
        stage = stage == NST - 1 ? 0 : stage + 1;
    }
    cp_async_wait_all();

    if (nseg > 1) { /* end state from zero (E) or the transition (X^T) of this segment, for the combine pass */
        float *dst = p.wsSeg + (((int64_t)hv * p.nsegmax + gs) * 2 + role) * KD * KD;
        const int vr = v0 + 16 * warp + gq;
#pragma unroll
        for (int j = 0; j < 16; ++j)
#pragma unroll
            for (int r = 0; r < 4; r += 2)
                *(float2 *)(dst + (vr + (r >> 1) * 8) * KD + 8 * j + 2 * qq) = make_float2(S[j][r], S[j][r + 1]);
    } else if (p.s_out.data) {
        store_final_state(p, S, n, hv, v0 + 16 * warp + gq, qq);
    }
}

/* ---- v4: overlap, the prep inside the chain CTA --------------------------------------------------
 * With many heads the prep kernel (~0.47 ms at H = 96, 1 x 8192: q, k, g in, 864 B per token and head out)
 * ran before the chain, and the chain read its records back. Here one CTA per (sequence, value head) does
 * both: warps 0-7 are the chain of v2 with VS = 128 (chain_chunk); warps 8-15 are two producer groups of 4
 * warps that run the prep (prep_* above, the same arithmetic, so the bits are those of v2) into a ring of
 * FSTAGES shared stages while the chain steps chunk c: group 0 preps the even chunks, group 1 the odd ones.
 * One group of 4 warps took ~2.7 us per chunk (a serial path of barriers, gate, two dependent tile products,
 * the forward substitution) against ~1.15 us for the chain (bench/NOTES.md, v4): two groups keep two chunks
 * in flight. 16 warps leave 128 registers a thread at launch: setmaxnreg moves 32 of them from the producers
 * (to 96) to the chain warps (to 160; the 12-warp kernel's chain used 166 of 168). The records never leave the SM.
 * Hand-over: FULL(s) is an mbarrier in shared memory (each thread of the producer group arrives with release
 * semantics after its last write of stage s, the consumers wait on the stage's phase with acquire semantics)
 * and EMPTY(s) a named barrier (consumers arrive after their last read, the producer group syncs before
 * refilling it; stage s always belongs to group s % 2, so it counts 256 consumers + 128 producers, and every
 * arrive is matched by exactly one sync). The consumers fetch the v rows into the stage themselves (cp.async,
 * FSTAGES - 1 chunks ahead) and sync among themselves (CHAIN_BAR) before reading a stage. No global flags, no
 * workspace. FULL was a named barrier too until the producers' release had to be explicit: bar.arrive orders
 * the arriving thread's earlier writes (PTX ISA, bar), but compute-sanitizer racecheck does not model that and
 * flagged the chain's reads of Ab and M (written by two of the four warps) unless a group bar.sync came first;
 * the mbarrier needs no such barrier: H = 96 1 x 8192 1.009 -> 0.984 ms, racecheck clean (bench/NOTES.md).
 * Loaders (session 14): a group step was a serial path of one warp's work between group barriers: the loads and row
 * norms, the gate, then L and the forward substitution (pw 0) while the other three warps waited. Now pw 2 and 3
 * (the loaders) issue every cp.async of the group and, while pw 0 and 1 make the small tiles of chunk c, compute the
 * row norms of the group's next chunk (its loads were issued a step ahead), so a step is the gate plus the longer of
 * (tiles, next norms), with one group barrier fewer.
 * Three groups (session 17): the producers bounded the kernel (the chain waited ~30% of every chunk for its record,
 * session 15), so the chain now has 4 warps of 32 value columns (chain_tiles with MT = 2: each B fragment serves two 16-row tiles
 * of S^T, half the chain's ldmatrix traffic per value column) and its 4 freed warps plus 4 more make a third producer
 * group: chunk c is prepped by group c % 3. Registers: chain 248, producers 88 (4 x 248 + 12 x 88 = 16 x 128).
 * Same bits as two groups (the same prep code per chunk, the same chain arithmetic per tile). H100, graph: H = 16
 * 1024 x 8 0.117-0.118 -> 0.107 ms, H = 96 1 x 8192 0.851 -> 0.733, varlen 6 0.741 -> 0.673, 1024 x 8 0.677 -> 0.638,
 * H = 32 256 x 64 0.511 -> 0.503, H = 64 1024 x 8 level (0.456-0.475 against 0.466-0.468). FKDA_PREFILL_CW=8 keeps
 * the two-group kernel (8 chain warps of 16 columns, chain_chunk). */
#define FSTAGES 6 /* a multiple of the groups: stage s is filled by group s % FGROUPS(cw) */
#define FGROUPS(cw) ((cw) == 8 ? 2 : 3) /* producer groups beside cw chain warps */
#define FTHREADS 512                    /* 8 chain warps + 2 groups, or 4 chain warps + 3 groups */
#define FBAR_N(cw) (32 * (cw) + NTHREADS) /* threads on an EMPTY barrier: the chain + one producer group */
#define CHAIN_BAR 2                       /* the consumers */
#define EMPTY_BAR(s) (3 + (s))
/* a producer group's own named barrier (spelled as a two-way select for two groups: the CW = 8 kernel keeps its SASS) */
#define GROUP_BAR(g, ng) ((g) == 0 ? PBAR : (ng) == 2 || (g) == 1 ? 3 + FSTAGES : 4 + FSTAGES)
/* chain / producer registers after setmaxnreg; 4 chain warps + 12 producer warps or 8 + 8 share the register file of
 * one 512-thread CTA (128 a thread at launch). Splitting every chain operand (PM_ALL) needs 8 more in the chain. */
#define FREG_CHAIN(pm, cw) ((cw) == 4 ? 248 : (pm) == PM_ALL ? 168 : 160)
#define FREG_PROD(pm, cw) ((cw) == 4 ? 88 : 256 - FREG_CHAIN(pm, cw))
static_assert(4 * FREG_CHAIN(PM_ALL, 4) + 12 * FREG_PROD(PM_ALL, 4) <= 16 * 128, "fused registers, 4 chain warps");
#define FRAW 2       /* q, k, g buffers per group: loads one group step ahead */
#define FP_GRP (FSTAGES * CST_BYTES(KD) + 8 * 16 * PS * 2) /* producer scratch after the stages and ost */
#define FG_KI (FRAW * 3 * 16 * KD * 2)
#define FG_LS (FG_KI + 16 * PD * 2)
#define FG_RN (FG_LS + 16 * FLP * 4)
#define FG_BS (FG_RN + 32 * 4)
#define FG_BYTES (FG_BS + 2 * 16 * 4)
#define FUSED_SMEM_BASE(cw) (FP_GRP + FGROUPS(cw) * FG_BYTES)
#define FUSED_SMEM(cw) (FUSED_SMEM_BASE(cw) + FSTAGES * 8) /* + the FULL mbarriers, one per stage */
static_assert(FUSED_SMEM(4) <= 227 * 1024, "fused kernel, 3 groups: shared memory");
template <int PM, int CW>
__global__ void __launch_bounds__(FTHREADS, 1) kda_fused_kernel(const prefill_params p)
{
    static_assert(CW == 8 || CW == 4, "fused kernel: 8 or 4 chain warps");
    constexpr int NG = FGROUPS(CW);
    extern __shared__ __align__(128) unsigned char smem[];
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int hv = (int)(blockIdx.x % p.HV);
    const int64_t n = blockIdx.x / p.HV;
    int64_t b = 0, bos = 0, eos = p.T;
    if (p.cu)
        seq_bounds(p, n, &bos, &eos);
    else
        b = n;
    const int64_t len = eos - bos, nch = (len + 15) / 16;
    uint64_t *fullb = (uint64_t *)(smem + FUSED_SMEM_BASE(CW));
    if (tid < FSTAGES) full_init(fullb + tid, NTHREADS);
    __syncthreads();

    if (warp >= CW) { /* producers: group g = warpgroup CW / 4 + g, ptid = key channel of the prep */
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
        asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(FREG_PROD(PM, CW)));
#endif
        const int g = (warp - CW) >> 2, gbar = GROUP_BAR(g, NG);
        /* the groups' warps rotated (by 2 for two groups, 1 for three): their inverse warps (pw 0) sit on different
         * SM sub-partitions */
        constexpr int ROT = NG == 2 ? 2 : 1;
        const int pw = (warp + ROT * g) & 3, ptid = pw * 32 + lane, h = hv / p.group;
        unsigned char *gsm = smem + FP_GRP + g * FG_BYTES;
        __nv_bfloat16 *raw = (__nv_bfloat16 *)gsm, *Ki = (__nv_bfloat16 *)(gsm + FG_KI);
        float *Ls = (float *)(gsm + FG_LS), *rn = (float *)(gsm + FG_RN), *bs = (float *)(gsm + FG_BS);
        const __nv_bfloat16 *qb = p.q + b * p.q_sb + bos * p.q_st + h * p.q_sh;
        const __nv_bfloat16 *kb = p.k + b * p.k_sb + bos * p.k_st + h * p.k_sh;
        const __nv_bfloat16 *gb = p.g + b * p.g_sb + bos * p.g_st + hv * p.g_sh;
        float cA; /* gate coefficients of this thread's two channels */
        const float2 cb = gate_coefs(p, hv, 2 * (16 * pw + (lane & 15)), &cA);
        /* a loader's thread index 0 .. 63 (pw 2 and 3), from %tid read again (volatile): else ptxas hoists the
         * loaders' addresses out of the loop and spills them */
        auto loader_tid = [&]() {
            int pt;
            asm volatile("mov.u32 %0, %%tid.x;\n" : "=r"(pt));
            return (((((pt >> 5) + ROT * g) & 3) << 5) | (pt & 31)) - 64;
        };
        /* the loaders: q, k, g of chunk c into raw buffer i % FRAW (i = the group's step of chunk c) */
        auto issue = [&](int64_t c, int64_t i) {
            if (c < nch && p.fdbg != 2) {
                const int nv = (int)(len - c * 16 < 16 ? len - c * 16 : 16);
                prep_load<64>(raw + (int)(i % FRAW) * 3 * 16 * KD, p, qb + c * 16 * p.q_st, kb + c * 16 * p.k_st,
                              gb + c * 16 * p.g_st, nv, loader_tid());
            }
            cp_async_commit();
        };
        /* the loaders, once chunk c's loads have landed (each thread waited for its own): the row norms of chunk c
         * into rn, each warp those of the rows it loaded */
        auto norms = [&](int64_t c, int64_t i) {
            __syncwarp();
            if (c < nch && p.fdbg != 2) prep_norms(p, raw + (int)(i % FRAW) * 3 * 16 * KD, rn, loader_tid());
        };
        /* the stored bits of beta of chunk c (f32, or f16 / bf16 in the low half), loaded a group step ahead and
         * converted (as load_scalar does) and activated only where used: nothing waits for the load until then */
        auto beta_raw = [&](int64_t c) -> uint32_t {
            if (ptid >= 16 || c * 16 + ptid >= len) return 0u;
            return load_bits(p.beta, p.beta_dtype, b * p.b_sb + (bos + c * 16 + ptid) * p.b_st + hv * p.b_sh);
        };
        auto beta_val = [&](uint32_t u) { return beta_act(p, bits_value(u, p.beta_dtype)); };
        if (pw >= 2) { /* the group's first chunk and its norms, the second one's loads */
            issue(g, 0);
            issue(g + NG, 1);
            asm volatile("cp.async.wait_group 1;\n" ::);
            norms(g, 0);
        }
        uint32_t bnext = beta_raw(g);
        int s = g; /* stage of chunk c = c % FSTAGES, kept as a counter (FSTAGES = 6: no 64-bit modulo) */
#pragma unroll 1
        for (int64_t c = g, i = 0; c < nch; c += NG, ++i, s = s + NG < FSTAGES ? s + NG : s + NG - FSTAGES) {
            const int buf = (int)(i & 1);
            const int nvalid = (int)(len - c * 16 < 16 ? len - c * 16 : 16);
            if (p.fdbg == 2) { /* bench knob: consumers alone */
                if (c >= FSTAGES) bar_sync(EMPTY_BAR(s), FBAR_N(CW));
                full_arrive(fullb + s);
                continue;
            }
            const uint32_t bcur = bnext;
            bnext = beta_raw(c + NG);
            if (ptid < 16) bs[buf * 16 + ptid] = ptid < nvalid ? beta_val(bcur) : 0.f;
            const __nv_bfloat16 *rw = raw + (int)(i % FRAW) * 3 * 16 * KD;
            bar_sync(gbar, NTHREADS); /* chunk c's rows and norms (the loaders), the last step's small tiles done */
            if (c >= FSTAGES) bar_sync(EMPTY_BAR(s), FBAR_N(CW)); /* the chain is done with chunk c - FSTAGES */
            unsigned char *st = smem + s * CST_BYTES(KD);
            __nv_bfloat16 *Kd = (__nv_bfloat16 *)st, *Qd = Kd + 16 * PD, *Kr = Qd + 16 * PD;
            __nv_bfloat16 *Ab = (__nv_bfloat16 *)(st + CST_AB);
            prep_gate_v4(p, rw, rn, cb, cA, nvalid, Kd, Qd, Kr, Ki, (float *)(st + CST_EC), pw, lane);
            bar_sync(gbar, NTHREADS);
            if (pw < 2) { /* prep_small's work: pw 0 L and Ab, pw 1 M */
                /* the lane read again here (volatile): ptxas would otherwise keep every lane offset of this
                 * block live across the loop and spill some of them at FREG_PROD registers */
                int ln;
                asm volatile("mov.u32 %0, %%laneid;\n" : "=r"(ln));
                float acc[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
                tile_product(acc, pw ? Qd : Kd, Ki, ln);
                if (pw == 1)
                    store_tril(acc, Ab + 16 * PS, PS, ln);
                else
                    store_inverse(acc, bs + buf * 16, Ls, Ab, PS, ln);
                full_arrive(fullb + s);
            } else { /* meanwhile the loaders: chunk c's buffer is free (the gate was its last reader), so chunk
                      * c + 2 NG goes there, and chunk c + NG (loaded a step ago) gets its norms. Their
                      * part of stage s was the gate's, so they arrive on FULL first: the record does not wait
                      * for the next chunk's loads (~0.5 us of the first record at H = 16 1024 x 8, session 16) */
                full_arrive(fullb + s);
                issue(c + 2 * NG, i + 2);
                asm volatile("cp.async.wait_group 1;\n" ::);
                norms(c + NG, i + 1);
            }
        }
        cp_async_wait_all();
        return;
    }

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
    asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(FREG_CHAIN(PM, CW)));
#endif
    /* consumers: the chain of v2, VS = 128, warp w owns value columns WC w .. WC w + WC - 1 */
    constexpr int WC = 128 / CW, MT = WC / 16; /* value columns a warp, its 16-row tiles of S^T */
    const int gq = lane >> 2, qq = lane & 3;
    const __nv_bfloat16 *vb = p.v + b * p.v_sb + bos * p.v_st + hv * p.v_sh;
    __nv_bfloat16 *ob = p.out + b * p.o_sb + bos * p.o_st + hv * p.o_sh;
    __nv_bfloat16 *ost = (__nv_bfloat16 *)(smem + FSTAGES * CST_BYTES(KD)) + warp * 16 * PS;
    auto prefetch_v = [&](int64_t c, int sc) { /* chunk c into stage sc, 8 / CW 16-byte pieces a consumer thread */
        if (c < nch) {
#pragma unroll
            for (int h = 0; h < 8 / CW; ++h) {
                const int row = (tid >> 4) + 2 * CW * h, c8 = tid & 15; /* v rows swizzled as in the chain's stage */
                const bool ok = c * 16 + row < len;
                cp_async16(smem + sc * CST_BYTES(KD) + CST_V + swz(row, c8, SVP(KD)),
                           ok ? (const void *)(vb + (c * 16 + row) * p.v_st + c8 * 8) : (const void *)vb, ok ? 16 : 0);
            }
        }
        cp_async_commit();
    };
#pragma unroll 1
    for (int s = 0; s < FSTAGES - 1; ++s) prefetch_v(s, s);
    /* the state after the v prefetch: the chain loop 421 -> 398 SASS instructions (less address arithmetic), H = 96
     * 1 x 8192 and 1024 x 8 -1 to -2% (session 16 call 2) */
    float S[MT][16][4];
#pragma unroll
    for (int mt = 0; mt < MT; ++mt) {
        if (p.s_in.data) {
            load_state(p.s_in, n, hv, WC * warp + 16 * mt + gq, qq, S[mt]);
        } else {
#pragma unroll
            for (int j = 0; j < 16; ++j)
#pragma unroll
                for (int r = 0; r < 4; ++r) S[mt][j][r] = 0.f;
        }
    }
    const swz_offsets so = make_swz_offsets<KD>(lane, WC * warp); /* its v offset: the tiles here are padded */
    int s = 0; /* stage of chunk c; chunk c + FSTAGES - 1 goes to the stage before it */
#pragma unroll 1
    for (int64_t c = 0; c < nch; ++c, s = s + 1 < FSTAGES ? s + 1 : 0) {
        asm volatile("cp.async.wait_group %0;\n" ::"n"(FSTAGES - 2));
        full_wait(fullb + s, (uint32_t)((c / FSTAGES) & 1)); /* record of chunk c written */
        bar_sync(CHAIN_BAR, 32 * CW); /* every consumer is done with chunk c - 1 and its v rows have landed */
        prefetch_v(c + FSTAGES - 1, s > 0 ? s - 1 : FSTAGES - 1);
        if (p.fdbg != 1) { /* 1: a bench knob, producers alone */
            if constexpr (CW == 8)
                chain_chunk<KD, PM, false>(S[0], smem + s * CST_BYTES(KD), ost, ob, p.o_st, c, len, 16 * warp, lane,
                                           so);
            else
                chain_tiles<KD, PM, false, 2>(S, smem + s * CST_BYTES(KD), ost, ob, p.o_st, c, len, WC * warp, lane,
                                              so);
        }
        if (c + FSTAGES < nch) bar_arrive(EMPTY_BAR(s), FBAR_N(CW));
    }
    cp_async_wait_all();
    if (p.s_out.data)
#pragma unroll
        for (int mt = 0; mt < MT; ++mt) store_final_state<true>(p, S[mt], n, hv, WC * warp + 16 * mt + gq, qq);
}

/* ---- v3: segments -----------------------------------------------------------------------------
 * A long sequence is one serial chain of chunks; with few (sequence, head) chains most of the GPU idles.
 * Every value column j of the state evolves affinely: s_j' = P_c s_j + Kr^T Ab v_j with the same K x K
 * P_c = diag(e^G_C) - Kr^T Ab Kd for all columns. So a sequence is cut into segments of segL chunks:
 *   pass 1 (the chain kernel): segment 0 runs as before from the initial state; every segment s >= 1 runs
 *       from a zero state (outputs O0 to out, end state E_s) and, in a second CTA, for K "virtual" columns
 *       with v = 0 starting from the identity: their end state is the segment transition X_s = prod P_c
 *       and their outputs are A_c = (Qd - M Ab Kd) prod P (16 x K per chunk, bf16, in the workspace);
 *   pass 2 (combine): S_in(1) = E_0, S_in(s + 1) = X_s S_in(s) + E_s in fp32, serial over the segments
 *       but parallel over (head, value row); the last one is the final state;
 *   pass 3 (correct): out += A_c S_in(s) for every chunk of segments s >= 1, a parallel GEMM.
 * Chain work grows by ~2x on the segmented part, but its serial depth drops from ceil(len/16) to segL;
 * the plan (seg_plan) turns segments on only where the model says they pay. */
#define CMB_ROWS 8
#define CMB_SMEM ((KD * KD + CMB_ROWS * KD) * 4)

/* pass 2: grid (N, HV, KD / CMB_ROWS), thread = key channel k; S_in(s + 1) overwrites E_s in place */
__global__ void __launch_bounds__(KD) kda_seg_combine_kernel(const prefill_params p)
{
    extern __shared__ __align__(16) float xs[]; /* X_s^T [j][k], then the S rows [CMB_ROWS][KD] */
    float *rows = xs + KD * KD;
    const int k = threadIdx.x, hv = blockIdx.y, v0 = blockIdx.z * CMB_ROWS;
    const int64_t n = blockIdx.x;
    int64_t b, bos, len, nseg;
    seq_segments(p, n, &b, &bos, &len, &nseg);
    if (nseg <= 1) return;
    float *base = p.wsSeg + ((int64_t)hv * p.nsegmax + seg_start(p, n)) * 2 * KD * KD;
    float acc[CMB_ROWS];
#pragma unroll
    for (int r = 0; r < CMB_ROWS; ++r) acc[r] = base[(v0 + r) * KD + k];
#pragma unroll 1
    for (int64_t s = 1; s < nseg; ++s) {
        float *E = base + s * 2 * KD * KD;
        const float *X = E + KD * KD;
        __syncthreads(); /* the previous step is done with xs and rows */
        for (int i = k; i < KD * KD / 4; i += KD) *(float4 *)(xs + 4 * i) = *(const float4 *)(X + 4 * i);
#pragma unroll
        for (int r = 0; r < CMB_ROWS; ++r) rows[r * KD + k] = acc[r];
        __syncthreads();
#pragma unroll
        for (int r = 0; r < CMB_ROWS; ++r) acc[r] = E[(v0 + r) * KD + k];
#pragma unroll 4
        for (int j = 0; j < KD; ++j) {
            const float x = xs[j * KD + k];
#pragma unroll
            for (int r = 0; r < CMB_ROWS; ++r) acc[r] = fmaf(rows[r * KD + j], x, acc[r]);
        }
        if (s < nseg - 1)
#pragma unroll
            for (int r = 0; r < CMB_ROWS; ++r) E[(v0 + r) * KD + k] = acc[r];
    }
    if (p.s_out.data) {
#pragma unroll
        for (int r = 0; r < CMB_ROWS; ++r) {
            store_state(p.s_out, state_index(p.s_out, n, hv, v0 + r, k), acc[r]);
        }
    }
}

/* pass 3: grid (segment slot x groups of CG chunks, HV), 4 warps, a warp per chunk. S_in(s)^T (fp32 in the
 * workspace) is split into bf16 hi + lo in shared memory; the chunk's A rows and out rows come in by
 * cp.async, out += A S_in is added in fp32 and rounded once more to bf16. */
#define CG 16
#define CORR_SMEM (2 * KD * PD * 2 + 4 * 2 * 16 * PD * 2)
__global__ void __launch_bounds__(NTHREADS) kda_seg_correct_kernel(const prefill_params p, int64_t groups)
{
    extern __shared__ __align__(128) unsigned char smem[];
    __nv_bfloat16 *Sh = (__nv_bfloat16 *)smem, *Sl = Sh + KD * PD;
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
    const int gq = lane >> 2, qq = lane & 3;
    const int hv = blockIdx.y;
    const int64_t gs = blockIdx.x / groups, grp = blockIdx.x % groups;
    const int64_t n = seq_of_segment(p, gs);
    int64_t b, bos, len, nseg;
    seq_segments(p, n, &b, &bos, &len, &nseg);
    const int64_t s = gs - seg_start(p, n);
    if (s < 1 || s >= nseg) return;
    const int64_t nch = (len + 15) / 16, c0 = s * p.segL + grp * CG;
    int64_t c1 = (s + 1) * p.segL < nch ? (s + 1) * p.segL : nch;
    c1 = c0 + CG < c1 ? c0 + CG : c1;
    if (c0 >= c1) return;

    const float *Sin = p.wsSeg + ((int64_t)hv * p.nsegmax + gs - 1) * 2 * KD * KD; /* S_in(s)^T [v][j] */
    /* thread tid: float4 tid % 32 of rows tid / 32 + 4 m, 8 loads in flight at a time (a loop over i = tid, tid + 128,
     * ... waited for each load before the next: ~32 L2 round trips a CTA before its first chunk) */
#pragma unroll 1
    for (int m0 = 0; m0 < 32; m0 += 8) {
        float4 x[8];
#pragma unroll
        for (int m = 0; m < 8; ++m) x[m] = *(const float4 *)(Sin + ((tid >> 5) + 4 * (m0 + m)) * KD + (tid & 31) * 4);
#pragma unroll
        for (int m = 0; m < 8; ++m) {
            const int row = (tid >> 5) + 4 * (m0 + m), c4 = (tid & 31) * 4;
            uint32_t h0, l0, h1, l1;
            split_bf16(x[m].x, x[m].y, &h0, &l0);
            split_bf16(x[m].z, x[m].w, &h1, &l1);
            *(uint2 *)(Sh + row * PD + c4) = make_uint2(h0, h1);
            *(uint2 *)(Sl + row * PD + c4) = make_uint2(l0, l1);
        }
    }
    __syncthreads();

    const int64_t slot0 = p.cu ? n + bos / 16 : n * ((p.T + 15) / 16);
    const __nv_bfloat16 *Ab = p.wsA + ((int64_t)hv * p.nslots + slot0) * 16 * KD;
    __nv_bfloat16 *ob = p.out + b * p.o_sb + bos * p.o_st + hv * p.o_sh;
    __nv_bfloat16 *At = (__nv_bfloat16 *)(smem + 2 * KD * PD * 2) + warp * 2 * 16 * PD, *Ot = At + 16 * PD;
#pragma unroll 1
    for (int64_t c = c0 + warp; c < c1; c += 4) {
#pragma unroll
        for (int m = 0; m < 8; ++m) { /* piece lane % 16 of rows lane / 16 + 2 m (a fixed count) */
            const int row = (lane >> 4) + 2 * m, c16 = lane & 15;
            const int64_t t = c * 16 + row;
            const bool ok = t < len;
            cp_async16(At + row * PD + c16 * 8, ok ? (const void *)(Ab + t * KD + c16 * 8) : (const void *)Ab, ok ? 16 : 0);
            cp_async16(Ot + row * PD + c16 * 8, ok ? (const void *)(ob + t * p.o_st + c16 * 8) : (const void *)ob,
                       ok ? 16 : 0);
        }
        cp_async_commit();
        cp_async_wait_all();
        __syncwarp();
#pragma unroll 1
        for (int np = 0; np < 8; ++np) {
            float acc[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
            tile_product(acc, At, Sl + np * 16 * PD, lane);
            tile_product(acc, At, Sh + np * 16 * PD, lane);
#pragma unroll
            for (int tl = 0; tl < 2; ++tl)
#pragma unroll
                for (int hr = 0; hr < 2; ++hr) {
                    __nv_bfloat162 *o2 = (__nv_bfloat162 *)(Ot + (gq + hr * 8) * PD + np * 16 + tl * 8 + 2 * qq);
                    const float2 f = __bfloat1622float2(*o2);
                    *o2 = __floats2bfloat162_rn(f.x + acc[tl][2 * hr], f.y + acc[tl][2 * hr + 1]);
                }
        }
        __syncwarp();
#pragma unroll
        for (int m = 0; m < 8; ++m) {
            const int row = (lane >> 4) + 2 * m, c16 = lane & 15;
            const int64_t t = c * 16 + row;
            if (t < len) *(uint4 *)(ob + t * p.o_st + c16 * 8) = *(const uint4 *)(Ot + row * PD + c16 * 8);
        }
        __syncwarp();
    }
}

/* ---- host side ------------------------------------------------------------------------------- */
static int aligned16(const fkda_tensor *t, int ndims_strided)
{
    if (((uintptr_t)t->data & 15u) != 0) return 0;
    for (int i = 0; i < ndims_strided; ++i)
        if (t->shape[i] > 1 && t->stride[i] % 8 != 0) return 0;
    return 1;
}

static fkda_status check_bf16_rows(const fkda_tensor *t, const char *name)
{
    if (t->dtype != FKDA_BFLOAT16)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "%s: the CUDA prefill kernel takes bf16 only (got %s)", name,
                         fkda_dtype_name(t->dtype));
    if (t->stride[3] != 1 && t->shape[3] > 1)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "%s: the CUDA prefill kernel needs a unit inner stride (got %lld)",
                         name, (long long)t->stride[3]);
    if (!aligned16(t, 3))
        return fkda_fail(FKDA_ERROR_UNSUPPORTED,
                         "%s: the CUDA prefill kernel needs 16-byte aligned data and outer strides that are multiples "
                         "of 8 elements",
                         name);
    return FKDA_SUCCESS;
}

static state_view state_view_of(const fkda_tensor *t, int vfirst)
{
    state_view s = {NULL, 0, 0, 0, 0, 0};
    if (t->rank == 0) return s;
    s.data = t->data;
    s.dtype = t->dtype;
    s.n = t->stride[0];
    s.h = t->stride[1];
    s.v = vfirst ? t->stride[2] : t->stride[3];
    s.k = vfirst ? t->stride[3] : t->stride[2];
    return s;
}

static int env_int(const char *name, int dflt)
{
    const char *s = getenv(name);
    return s && *s ? atoi(s) : dflt;
}

/* Benchmark knobs, read from the environment once per call (workspace query or launch) so that
 * bench/prefill_bench.py and the GPU test can switch variants inside one process:
 *   FKDA_PREFILL_SPLIT     V-slices per head of the v2 chain, 0 = automatic
 *   FKDA_PREFILL_PRECISE   PM_* mask of the chain: 0 = plain bf16, 4 = U (the default), 5 = U + Kd S, 6 = U + Qd S,
 *                          7 or 1 = all; other masks run as 7
 *   FKDA_PREFILL_SEGMENTS  v3 segments: unset = automatic, 0 = off, L > 0 = segments of L chunks
 *   FKDA_PREFILL_OVERLAP   v4.1: unset = automatic (use_overlap), 0 = off (v2/v3), 1 = forced on (segments and the
 *                          split knob are then ignored)
 *   FKDA_PREFILL_V2        2 = the prep kernel alone (outputs not written); 3 / 4 = overlap off / on when
 *                          FKDA_PREFILL_OVERLAP is unset; 5 / 6 = the v4.1 producers / chain warps alone
 *   FKDA_PREFILL_DEEP      0: the longest-first split-2 chains, and the segmented split-2 C32 chains whose working
 *                          CTAs fit the SMs (one_sm_chains), with STAGES / C32_STAGES stages (two CTAs fit an SM)
 *                          instead of the deep stages (one CTA an SM), for A/B runs
 *   FKDA_PREFILL_PDL       0: the deep chain launched after the prep kernel as usual, not as its programmatic dependent
 *   FKDA_PREFILL_C32       C32 (pair records, 32-token chain steps) for v2 and v3: unset = automatic (use_c32),
 *                          0 = off (16-token records), 1 = wherever v2 / v3 runs
 *   FKDA_PREFILL_PHASES    phases of the longest-first deep chains (phase_pick): unset = automatic, 0 or 1 = one
 *                          phase, 2 .. PH_MAX = that many wherever phases can run
 *   FKDA_PREFILL_BULK      0: the C32 chain kernel loads each record with 16-byte cp.async by every thread instead of
 *                          one bulk copy (cp.async.bulk by thread 0, completing on the stage's mbarrier; the default)
 *   FKDA_PREFILL_CW        chain warps of the v4.1 kernel: 4 (32 value columns each, three producer groups; the
 *                          default) or 8 (16 value columns each, two producer groups; sessions 3-16)
 *   FKDA_PREFILL_GPC       0: the chains of the phases before the rest launched without clusters (gpc_cluster)
 *   FKDA_PREFILL_PAIR      a first phase of the two longest sequences (phase_pick): 0 never, 2 wherever it can run
 *                          (with FKDA_PREFILL_PHASES unset), unset or 1: where the model prefers it */
typedef struct prefill_knobs {
    int split, precise, segments, v2;
    int overlap; /* -1 automatic, 0, 1 */
    int order; /* bench knob FKDA_PREFILL_ORDER (default 1): the longest-first order of varlen chains */
    int deep, pdl;
    int c32; /* -1 automatic, 0, 1 */
    int phases; /* -1 automatic, 1 .. PH_MAX */
    int bulk;
    int cw; /* v4.1 chain warps: 4 (three producer groups, the default) or 8 (two) */
    int gpc; /* the chains of the phases before the rest in GPC-sized clusters (gpc_cluster) */
    int pair; /* the two longest sequences in the first phase: 0 never, 1 where phase_pick's model prefers it, 2 forced */
} prefill_knobs;

static prefill_knobs read_knobs(void)
{
    prefill_knobs k;
    k.split = env_int("FKDA_PREFILL_SPLIT", 0);
    k.precise = env_int("FKDA_PREFILL_PRECISE", PM_U) & PM_ALL;
    if (k.precise == 1) k.precise = PM_ALL;
    k.segments = env_int("FKDA_PREFILL_SEGMENTS", -1);
    k.v2 = env_int("FKDA_PREFILL_V2", 1);
    const int ov = env_int("FKDA_PREFILL_OVERLAP", -1);
    k.overlap = ov >= 0 ? ov != 0 : k.v2 == 3 ? 0 : k.v2 == 4 ? 1 : -1;
    k.order = env_int("FKDA_PREFILL_ORDER", 1) != 0;
    k.deep = env_int("FKDA_PREFILL_DEEP", 1) != 0;
    k.pdl = env_int("FKDA_PREFILL_PDL", 1) != 0;
    const int c32 = env_int("FKDA_PREFILL_C32", -1);
    k.c32 = c32 < 0 ? -1 : c32 != 0;
    const int ph = env_int("FKDA_PREFILL_PHASES", -1);
    k.phases = ph < 0 ? -1 : ph < 1 ? 1 : ph > PH_MAX ? PH_MAX : ph;
    k.bulk = env_int("FKDA_PREFILL_BULK", 1) != 0;
    k.cw = env_int("FKDA_PREFILL_CW", 4) == 8 ? 8 : 4;
    k.gpc = env_int("FKDA_PREFILL_GPC", 1) != 0;
    k.pair = env_int("FKDA_PREFILL_PAIR", 1);
    return k;
}

/* chunk slots of the v2 workspace (see the record layout above) */
static int64_t v2_slots(const fkda_dims *d)
{
    return d->varlen ? d->T / 16 + d->N : d->B * ((d->T + 15) / 16);
}
/* C32: pair slots (see REC32_AB) */
static int64_t v2_slots32(const fkda_dims *d)
{
    return d->varlen ? d->T / 32 + d->N : d->B * ((d->T + 31) / 32);
}

static int sm_count(void)
{
    int dev = 0, sms = 132;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev) !=
                                                   cudaSuccess)
        sms = 132;
    return sms;
}

/* v3 plan: segment length in chunks (0 = no segments) and the number of chain units (segment, head, role)
 * that will run (knob FKDA_PREFILL_SEGMENTS).
 * Model (bench/NOTES.md, session 8: per-kernel device times of the automatic plan and forced lengths on 1 x 8192 and
 * 1 x 65536 at H = 2 to 32, H100): a chain step takes ~0.575 us per chunk while the chain warps fill at most ~0.88 of
 * the SM sub-partitions, ~1.75x that from 0.88 to 1 (some SMs get two CTAs) and ~0.95 ceil(occ) beyond; pass 3
 * (correct) runs CTAs of CG chunks, two an SM, ~25 us a wave; the combine ~4.5 us a segment. The session 7 model
 * (0.72 us, 0.8 ceil(occ), pass 3 by bytes at 2.5 TB/s) picked 4 segments at H = 16 1 x 8192 (0.294 ms against
 * 0.281 for 2) and 17 at H = 2 1 x 65536 (0.450 against 0.390 for 14).
 * Refit in session 18 (calls 3-6: a sweep of forced lengths at H = 1-16, 1 x 4096 to 1 x 65536, then both plans of
 * every shape whose pick two candidate fits changed, H = 1-48, B = 1-4, T = 1024-131072 on the host probe): the band
 * below full occupancy had a 1 + 0.25 occ^2 term that made more, shorter chains look cheaper than they were, and its
 * edge sat at 0.92, where at H = 12 1 x 16384 120 chain CTAs of 4 warps (occ 0.91) took ~1.7x the step of 112 at
 * H = 8 (per-kernel profiles, call 5); and the C32 chain is 0.80 of the 16-token one since session 16. Against the
 * session 8 constants: 65 of the 94 changed plans faster by 1-15% (H = 20 1 x 65536 -13%, H = 16 1 x 65536 -2.4%),
 * 14 slower by 1-4.5% (mostly 4 sequence-heads at 12000-32768 tokens: 7 segments where 8 were faster); over all 148
 * measured shapes the pick is 0.4% from the best forced length on average (was 2.7%) and 5.3% at worst (was 17%).
 * Then (calls 8-11) the band's cost turned out to be two working chain CTAs on one SM where idle segment CTAs push the
 * grid past the SMs; with one_sm_chains the band costs nothing for split-2 C32 chains (chain_model_us's one_sm):
 * H = 20 1 x 8192 -11.5%, 1 x 65536 -10.5%, H = 12 1 x 4096 -12%, 1 x 16384 -7.5% (call 11, against the refit alone).
 * Sequence lengths must be known on the host: fixed length, one sequence, or cu_seqlens_host; otherwise (varlen, N > 1,
 * no host copy) segments stay off unless forced. Deterministic in its inputs, so the workspace query and the call
 * agree. */
/* C32 (see REC32_AB) against the 16-token records, measured on the H100 (bench/NOTES.md, session 11): the chain
 * takes 0.85-0.89 of its time (3063-token chain alone 127.5 -> 110.9 us; H = 32 1 x 8192 291 -> 248 us), the prep
 * 1.08-1.12 (77 -> 86 us at H = 16, 149 -> 160 at H = 32; session 12's cross_block took 5-8% off that, not refitted
 * here; session 18 refit the chain factor to 0.80 with the segment model above); errors equal or lower on every
 * case of the GPU suite.
 * Sequences of at most 16 tokens pay the pair prep for an empty second chunk, so it runs where sequences average
 * 64 tokens or more; with segments (v3) it cuts them into whole pairs (seg_plan). */
#define C32_CHAIN 0.80
#define C32_PREP 0.10 /* of the prep kernel's time (~0.6 ns per token and value head, use_overlap) */
static int c32_pays(const fkda_dims *d)
{
    const int64_t tokens = d->varlen ? d->T : d->B * d->T;
    return tokens >= 64 * d->N;
}
static int c32_wanted(const fkda_dims *d, const prefill_knobs *kn) { return kn->c32 > 0 || (kn->c32 < 0 && c32_pays(d)); }

#define DEEP_CHAIN 0.88
static int use_order(const fkda_dims *d, int64_t L);
typedef struct seg_plan_t {
    int64_t L, units;
} seg_plan_t;

/* Split-2 C32 chains whose working CTAs fit the SMs (the automatic split is 2 for SMs / 4 < units <= SMs / 2) run one
 * CTA an SM: launch_v2_body gives them the deep stages where idle segment CTAs would push the grid past the SMs */
static int one_sm_chains(const prefill_knobs *kn, int c32, int split2, int64_t units, int sms)
{
    return kn->deep && c32 && split2 && 2 * units <= sms;
}

/* one_sm: the chains run one CTA an SM (one_sm_chains: the deep stages, or a grid that fits the SMs), so the band
 * below full occupancy costs nothing extra */
static double chain_model_us(double warps, int64_t depth, int sms, int one_sm)
{
    const double occ = warps / (4.0 * sms);
    const double f = occ <= 0.88 || (one_sm && occ <= 1.0) ? 1.0 : occ <= 1.0 ? 1.75 : 0.95 * ceil(occ);
    return (double)depth * 0.575 * f;
}

static int64_t seq_chunks(const fkda_prefill_args *a, const fkda_dims *d, int64_t n)
{
    int64_t len = d->T;
    if (d->varlen && d->N > 1) {
        const void *cu = a->cu_seqlens_host.data;
        const int is64 = a->cu_seqlens_host.dtype == FKDA_INT64;
        len = load_cu(cu, is64, n + 1) - load_cu(cu, is64, n);
    }
    return (len + 15) / 16;
}

/* Phases (bench/NOTES.md, session 13). With the longest-first deep chains (launch_v2: varlen, 2 to LPT_MAX sequences,
 * N x HV <= SMs) the prep kernel writes every record before any chain starts, so the longest chain starts only after
 * all of the prep (H = 16 varlen 6: ~78 us of prep, then the 3063-token chain ~111 us). With phases the call runs the
 * prep of the longest sequence's records, then its chain, while the next phase (the second longest sequence, or all
 * the rest) preps on the other SMs (launch_phases). Needs the lengths on the host (cu_seqlens_host) for the grids.
 * Model (H100, session 13 calls 3-4): the prep ~0.0785 SM-us per token and value head on the SMs not held by chains;
 * a deep chain step 0.0362 us a token (C32; 16-token: 0.0397) on 2 HV SMs of its own, 1 + 0.15 min(1, HV / 16) times
 * that while preps run beside it (they take the memory bandwidth); 6 us per phase after the first. The phase count
 * minimises the model's end time, and more than one phase must gain 5% on the model.
 * Refit in session 17 (call 5): the C32 chain step is 0.034 us a token since session 16's prologue change (-5.5% on
 * H = 16 1 x 8192), and a phase after the first costs 9 us (eager calls pay more than graphs for each fork: at
 * H = 16 varlen 6 three phases took 0.192-0.196 ms eager / 0.184 graph against 0.186-0.187 / 0.181 for two, which
 * the old constants ranked the other way).
 * Session 21: a single-sequence phase's chain in GPC-sized clusters (gpc_cluster: 2 HV a multiple of 8) steps at its
 * lone speed beside the preps, so the 1.15 factor applies only without them (gpc = 0). H = 8 varlen 6 then takes 3
 * phases (0.128 -> 0.124 ms graph with the clusters); the other shapes measured keep their phase counts.
 * The first phase may hold the two longest sequences (n0 = 2, then k = 2: one prep launch over both, then their two
 * chains, beside the rest's prep on the SMs left): at H = 16 varlen 6 their chains start later than the longest one's
 * alone, but the rest's prep starts after the shorter prep of phase 0 instead of sharing the SMs with the second
 * longest sequence's records, and the rest's longest chain is 1300 tokens instead of 2048 (model 159 against 172 us
 * for two single-sequence phases). */
#define PH_PREP_SMUS 0.0785
#define PH_GAIN 0.95
#define GPC_MIN_CLUSTER 8 /* gpc_cluster's smallest cluster: a chain grid it can cluster is a multiple of it */
#define PH_STEP_US 9.0 /* a phase after the first */
static double phase_model_us(const int64_t *len, int N, int k, int n0, int64_t tokens, int HV, int sms, int c32,
                             int gpc)
{
    const double step = c32 ? 0.034 : 0.0397, slow = gpc ? 1.0 : 1.0 + 0.15 * fmin(1.0, HV / 16.0);
    double t = 0.0, end = 0.0, rest = (double)tokens;
    int avail = sms, j = 0; /* j: the next sequence of len (longest first) */
    for (int i = 0; i < k - 1; ++i) {
        const int ni = i ? 1 : n0;
        double toks = 0.0;
        for (int x = 0; x < ni; ++x) toks += (double)len[j + x];
        t += toks * HV * PH_PREP_SMUS / avail + (i ? PH_STEP_US : 0.0);
        end = fmax(end, t + step * slow * (double)len[j]);
        avail -= 2 * HV * ni;
        rest -= toks;
        j += ni;
    }
    t += rest * HV * PH_PREP_SMUS / avail + (k > 1 ? PH_STEP_US : 0.0);
    return fmax(end, t + step * (double)(j < N ? len[j] : 0));
}

/* The phases of a call (launch_phases) and the model's gain from them; k = 1: none */
typedef struct phase_pick_t {
    int k;
    int n0; /* sequences of the first phase (1, or 2 with k = 2) */
    /* the sequences of the phases before the rest, longest first: k - 1 + n0 - 1 of them */
    int64_t seq[PH_MAX - 1], bos[PH_MAX - 1], len[PH_MAX - 1];
    double gain_us;
} phase_pick_t;

/* launch_v2 runs the longest-first deep chains (one CTA an SM) where no segments are planned */
static int deep_chains(const fkda_dims *d, const prefill_knobs *kn, int sms)
{
    return kn->order && kn->deep && kn->split == 0 && use_order(d, 0) && d->N * d->HV <= sms;
}

static phase_pick_t phase_pick(const fkda_prefill_args *a, const fkda_dims *d, const prefill_knobs *kn, int c32,
                               int sms)
{
    phase_pick_t ph;
    memset(&ph, 0, sizeof ph);
    ph.k = ph.n0 = 1;
    if (!deep_chains(d, kn, sms) || !kn->pdl || kn->v2 == 2 || kn->phases == 1 || a->cu_seqlens_host.rank != 1)
        return ph;
    /* the PH_MAX longest sequences (ties: the lower index), by repeated selection */
    const void *cu = a->cu_seqlens_host.data;
    const int is64 = a->cu_seqlens_host.dtype == FKDA_INT64;
    int64_t len[PH_MAX], seq[PH_MAX];
    int m = 0;
    for (; m < PH_MAX && m < d->N; ++m) {
        int64_t best = -1, bl = -1;
        for (int64_t n = 0; n < d->N; ++n) {
            int used = 0;
            for (int x = 0; x < m; ++x) used |= seq[x] == n;
            const int64_t l = used ? -1 : seq_chunks(a, d, n);
            if (l > bl) {
                bl = l;
                best = n;
            }
        }
        seq[m] = best;
        len[m] = load_cu(cu, is64, best + 1) - load_cu(cu, is64, best);
    }
    const int gpc = kn->gpc && 2 * d->HV % GPC_MIN_CLUSTER == 0; /* a single-sequence phase's chain: 2 HV CTAs */
    const double one = phase_model_us(len, m, 1, 1, d->T, (int)d->HV, sms, c32, gpc);
    int k = 1;
    double t_k = one;
    if (kn->phases > 1) {
        k = kn->phases;
    } else {
        double best = one * PH_GAIN;
        for (int kk = 2; kk <= PH_MAX && kk <= d->N; ++kk) { /* kk - 1 single sequences and a rest */
            if (sms - 2 * (kk - 1) * d->HV < sms / 4) break;
            const double t = phase_model_us(len, m, kk, 1, d->T, (int)d->HV, sms, c32, gpc);
            if (t < best) {
                best = t;
                k = kk;
            }
        }
        t_k = k > 1 ? best : one;
    }
    /* every single-sequence phase has records, the last one has SMs left for its prep */
    while (k > 1 && (k - 1 >= d->N || len[k - 2] <= 0 || sms - 2 * (k - 1) * d->HV < 1)) --k;
    /* a first phase of the two longest sequences, where it beats that (a rest with records and a quarter of the SMs),
     * or wherever the rest has an SM (forced) */
    int n0 = 1;
    if (kn->pair > 0 && kn->phases < 0 && d->N >= 3 && len[1] > 0 &&
        sms - 4 * d->HV >= (kn->pair == 2 ? 1 : sms / 4)) {
        const double t2 = phase_model_us(len, m, 2, 2, d->T, (int)d->HV, sms, c32, gpc);
        if (kn->pair == 2 || t2 < fmin(t_k, one * PH_GAIN)) {
            k = n0 = 2;
            t_k = t2;
        }
    }
    ph.k = k;
    ph.n0 = n0;
    ph.gain_us = k > 1 && kn->phases < 0 ? one - t_k : 0.0;
    for (int i = 0; i < k - 1 + n0 - 1; ++i) {
        ph.seq[i] = seq[i];
        ph.len[i] = len[i];
        ph.bos[i] = load_cu(cu, is64, seq[i]);
    }
    return ph;
}

/* ph_gain: the model's gain from phases (phase_pick) for the unsegmented plan */
#define SEG_DISTINCT 256 /* distinct sequence lengths seg_plan keeps on the stack */
static seg_plan_t seg_plan(const fkda_prefill_args *a, const fkda_dims *d, const prefill_knobs *kn, int sms,
                           double ph_gain)
{
    seg_plan_t pl = {0, d->N * d->HV};
    const int knob = kn->segments;
    const int64_t maxch = (d->T + 15) / 16;
    if (knob == 0 || d->N == 0 || d->HV == 0 || maxch <= 1 || kn->overlap == 1) return pl;
    /* per-sequence chunk counts where the host knows them */
    const int known = !d->varlen || d->N == 1 || a->cu_seqlens_host.rank == 1;
    if (!known && knob < 0) return pl;
    if (knob < 0 && 8 * pl.units >= 8 * sms) return pl; /* two chain warps per sub-partition already */
    /* the distinct chunk counts of the sequences and how many have each, on the stack: no allocation on the call's
     * path. The automatic plan gets here only with N * HV < SM count; a batch of more distinct lengths (forced
     * segments) reads the host lengths at every use instead (nd = -1). The depth of a plan is min(longest, L). */
    int64_t cval[SEG_DISTINCT], ccnt[SEG_DISTINCT], longest = maxch;
    int nd = 1;
    cval[0] = maxch; /* fixed length or one sequence */
    ccnt[0] = d->N;
    if (known && d->varlen && d->N > 1) {
        longest = 0;
        nd = 0;
        for (int64_t n = 0; n < d->N; ++n) {
            const int64_t nc = seq_chunks(a, d, n);
            longest = nc > longest ? nc : longest;
            int i = 0;
            while (i < nd && cval[i] != nc) ++i;
            if (i < nd) {
                ++ccnt[i];
            } else if (nd >= 0 && nd < SEG_DISTINCT) {
                cval[nd] = nc;
                ccnt[nd++] = 1;
            } else {
                nd = -1;
            }
        }
    }
    /* units and model time of segment length L (L >= maxch: no segments) */
    double best_us = 0, off_us = 0;
    int64_t best_L = 0, best_units = pl.units;
    /* without segments a varlen batch may run the deep longest-first chain (launch_v2), which the occupancy model
     * does not see: 0.88 of the chain time (session 10: 143.6 -> 126 us at H = 16 varlen 6). Without this factor the
     * model planned segments at H = 8 varlen 6 with host lengths: 0.187 ms against 0.160 without (session 11) */
    const int deep = deep_chains(d, kn, sms);
    /* C32 (use_c32 runs it with any plan here): its chain and prep factors, and an even L */
    const int c32 = c32_wanted(d, kn);
    const double c32_prep = c32 ? C32_PREP * 0.6e-3 * (double)(d->varlen ? d->T : d->B * d->T) * (double)d->HV : 0.0;
    /* candidates: ceil(maxch / k) (the best for equal lengths), then a geometric series for mixed lengths */
    double geo = (double)maxch;
    int64_t prev_L = 0;
    for (int k = 1; k <= 128; ++k) {
        int64_t L = knob > 0 ? knob : (maxch + k - 1) / k;
        if (k > 64) {
            geo *= 0.88;
            L = (int64_t)geo;
            if (!d->varlen || d->N == 1 || L < 1) break;
        } else if (k > 1 && knob < 0 && L == (maxch + k - 2) / (k - 1)) {
            continue; /* same L as k - 1 */
        }
        L += c32 && (L & 1); /* C32: segments of whole pairs */
        int64_t units = 0, ctas = 0, maxseg = 1, lunits = 0;
        const int64_t depth = known ? (longest < L ? longest : L) : 0;
        /* the same plan as an earlier candidate: L >= longest cuts no sequence (k = 1's plan), or L repeats */
        if (known && k > 1 && knob < 0 && (L >= longest || L == prev_L)) continue;
        prev_L = L;
        if (known) {
            for (int64_t i = 0; i < (nd >= 0 ? nd : d->N); ++i) {
                const int64_t nc = nd >= 0 ? cval[i] : seq_chunks(a, d, i), m = nd >= 0 ? ccnt[i] : 1;
                const int64_t ns = nc > L ? (nc + L - 1) / L : 1;
                const int64_t last = nc - (ns - 1) * L; /* the last (or only) segment's depth */
                units += m * (2 * ns - 1);
                /* pass 3's CTAs: CG chunks of segments 1 .. ns - 1 (the last may be short) */
                ctas += ns > 1 ? m * ((ns - 2) * ((L + CG - 1) / CG) + (last + CG - 1) / CG) : 0;
                maxseg = ns > maxseg ? ns : maxseg;
                /* the units that share the SMs with the longest chains: segments at least half as deep (the shorter
                 * ones finish early and the longest-first order starts the long ones first). Counting every unit
                 * modelled H = 16 varlen 6 with host lengths at 1.9x its unsegmented chain time and planned 2 segments
                 * for the 3063-token sequence: 0.272 ms against 0.225 without (session 8) */
                lunits += m * ((ns > 1 && 2 * L >= depth ? 2 * (ns - 1) - 1 : 0) + (2 * last >= depth ? (ns > 1 ? 2 : 1) : 0));
            }
        } else { /* forced: the most segments the tokens allow */
            units = d->N + 2 * (d->T / (16 * L));
            lunits = units;
        }
        units *= d->HV;
        lunits *= d->HV;
        const double waves = ceil((double)(ctas * d->HV) / (2.0 * sms));
        const double us = (c32 ? C32_CHAIN : 1.0) * (maxseg == 1 && deep ? DEEP_CHAIN : 1.0) *
                              chain_model_us(8.0 * (double)lunits, depth, sms,
                                             kn->split == 0 && one_sm_chains(kn, c32, 4 * units > sms, units, sms)) +
                          c32_prep + (maxseg > 1 ? 25.0 * waves + 4.5 * maxseg : -ph_gain); /* phases overlap */
        if (k == 1) off_us = us;
        if (k == 1 || knob > 0 || us < best_us) {
            best_us = us;
            best_L = maxseg > 1 || (knob > 0 && L < maxch) ? L : 0;
            best_units = units;
        }
        if (knob > 0) break;
    }
    if (knob < 0 && best_us > 0.9 * off_us) best_L = 0; /* a modelled gain under 10%: not worth two more passes */
    pl.L = best_L;
    pl.units = best_L ? best_units : d->N * d->HV;
    return pl;
}

/* v4.1 (overlap) or v2/v3. FKDA_PREFILL_OVERLAP (or FKDA_PREFILL_V2 = 3 / 4, and 5 / 6 for its halves alone)
 * decides where set. Otherwise v4.1 runs where no segments are planned, the V-split is automatic, sequences
 * average 8 chunks or more, and the prep kernel that v4.1 saves costs more than v4.1's slower chunk step on the
 * longest chain. Model (H100, bench/NOTES.md, v4.1): the prep kernel ~0.6 ns per token and value head; a chunk
 * step ~2.0 us in v4.1 against ~1.3 us in v2's chain kernel, so v4.1 pays where tokens * HV >= 1200 * (chunks
 * of the longest sequence). Without host lengths the longest varlen sequence is taken as twice the average.
 * Measured (76ddfb6): v4.1 faster at H = 96 (1 x 8192, varlen 6, 8 x 1024), H = 16 8 x 1024 and H = 32 64 x 256
 * (1.17x-1.38x); slower at H = 16 varlen 6 without segments (0.410 vs 0.375 ms before the two-channel gate), which
 * the rule leaves to v2. The v4.1 kernel needs no workspace. */
static int use_overlap(const fkda_prefill_args *a, const fkda_dims *d, const prefill_knobs *kn, const seg_plan_t *pl)
{
    if (kn->v2 == 2 || pl->L || d->N * d->HV == 0) return 0;
    if (kn->v2 == 5 || kn->v2 == 6) return 1;
    if (kn->overlap >= 0) return kn->overlap;
    if (kn->split != 0) return 0;
    const int64_t tokens = d->varlen ? d->T : d->B * d->T;
    if (tokens < 128 * d->N) return 0; /* short sequences: not measured */
    int64_t maxch = (d->T + 15) / 16;
    if (d->varlen && d->N > 1) {
        const int64_t est = 2 * ((tokens / d->N + 15) / 16);
        maxch = est < maxch ? est : maxch;
        if (a->cu_seqlens_host.rank == 1 && d->N <= 4096) { /* exact where the host knows the lengths (short loop) */
            maxch = 0;
            for (int64_t n = 0; n < d->N; ++n) {
                const int64_t nc = seq_chunks(a, d, n);
                maxch = nc > maxch ? nc : maxch;
            }
        }
    }
    return (double)tokens * (double)d->HV >= 1200.0 * (double)maxch;
}

/* C32 or the 16-token records, for a v2 plan (not v4.1; seg_plan makes segments of whole pairs when c32_wanted):
 * FKDA_PREFILL_C32 where set, else c32_pays.
 * Measured (session 11, H100): H = 16 varlen 6 0.205 -> 0.200 ms, H = 8 varlen 6 0.166 -> 0.157, H = 32 1 x 8192
 * 0.445 -> 0.408, H = 64 1 x 8192 0.63 -> 0.607; H = 4 with 30 sequences and H = 32 varlen 6 unchanged. */
static int use_c32(const fkda_dims *d, const prefill_knobs *kn, int overlap)
{
    return !overlap && c32_wanted(d, kn);
}

/* segment slots: fixed length seg_fixed per row; varlen floor(T / (16 L)) + N (see seg_start) */
static int64_t seg_fixed_of(const fkda_dims *d, int64_t L) { return ((d->T + 15) / 16 + L - 1) / L; }
static int64_t seg_slots(const fkda_dims *d, int64_t L)
{
    if (!L) return 0;
    return d->varlen ? d->T / (16 * L) + d->N : d->B * seg_fixed_of(d, L);
}

/* the chain's longest-first order (prefill_params.order): varlen batches of 2 to LPT_MAX sequences without segments.
 * CTAs start roughly in block order, so the chains of the longest sequences start first and get SMs of their own
 * before the short ones fill in (and, with more CTAs than fit at once, are not left for a later wave). */
#define LPT_MAX 256
static int use_order(const fkda_dims *d, int64_t L) { return d->varlen && d->N >= 2 && d->N <= LPT_MAX && !L; }

/* workspace: records [HV][slots] | with segments: A [HV][slots][16][128] bf16 | states [HV][seg slots][2][128][128] f32
 * | without segments, where use_order: the order, N int32. C32: pair records [HV][pair slots] in place of the records
 * (wsA keeps its 16-token chunk slots) */
static size_t ws_bytes_of(const fkda_dims *d, int64_t L, int c32)
{
    const size_t rec = c32 ? (size_t)(d->HV * v2_slots32(d)) * REC32_BYTES : (size_t)(d->HV * v2_slots(d)) * REC_BYTES;
    if (!L) return rec + (use_order(d, L) ? (size_t)d->N * sizeof(int) : 0);
    return rec + (size_t)(d->HV * v2_slots(d)) * 16 * KD * 2 + (size_t)(d->HV * seg_slots(d, L)) * 2 * KD * KD * 4;
}

/* what one call runs: segments, v4.1 or not, and the workspace that needs; the workspace query and the launch
 * both derive it from the same arguments and knobs, so they agree */
typedef struct prefill_plan {
    int sms; /* the SM count the plan was made for; the launch decides with the same */
    seg_plan_t seg;
    int overlap, c32;
    phase_pick_t ph;
    size_t ws_bytes;
} prefill_plan;

static prefill_plan plan_prefill(const fkda_prefill_args *a, const fkda_dims *d, const prefill_knobs *kn, int sms)
{
    prefill_plan pl;
    pl.sms = sms;
    /* phases, if the plan has no segments and no v4.1 (C32 as use_c32 gives it then) */
    const phase_pick_t ph = phase_pick(a, d, kn, c32_wanted(d, kn), sms);
    pl.seg = seg_plan(a, d, kn, sms, ph.gain_us);
    pl.overlap = use_overlap(a, d, kn, &pl.seg);
    pl.c32 = use_c32(d, kn, pl.overlap);
    pl.ph = ph;
    if (pl.overlap || pl.seg.L) pl.ph.k = pl.ph.n0 = 1;
    pl.ws_bytes = pl.overlap ? 0 : ws_bytes_of(d, pl.seg.L, pl.c32);
    return pl;
}

extern "C" size_t fkda_cuda_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d)
{
    const prefill_knobs kn = read_knobs();
    return plan_prefill(a, d, &kn, sm_count()).ws_bytes;
}

extern "C" int fkda_cuda_prefill_plan(const fkda_prefill_args *a, const fkda_dims *d, int sms, fkda_prefill_plan_info *out)
{
    const prefill_knobs kn = read_knobs();
    const prefill_plan pl = plan_prefill(a, d, &kn, sms > 0 ? sms : sm_count());
    out->overlap = pl.overlap;
    out->c32 = pl.c32;
    out->seg_len = pl.seg.L;
    out->phases = pl.ph.k;
    out->phase0_seqs = pl.ph.k > 1 ? pl.ph.n0 : 1;
    out->ws_bytes = pl.ws_bytes;
    return 1;
}

typedef void (*chain_kernel_fn)(const prefill_params, const unsigned char *, int64_t);
typedef void (*chain_kernel_fn1)(const prefill_params);

/* Streams and events of the phases, made once per CUDA context (cudaStreamNonBlocking, events without timing) and
 * kept as long as that context lives. A PDL chain of kernels in one stream overlaps only neighbours (session 13: prep ->
 * chain -> prep -> chain in one stream ran every chain after the one before it had ended, 0.197 -> 0.241-0.330 ms at
 * H = 16 varlen 6), and a launch-completion event (cudaLaunchAttributeLaunchCompletionEvent, "best effort") fired only
 * when the chain had ended (0.277-0.390), so the phases run in streams of their own with plain events. The launches
 * of one call are enqueued under a lock, so that two host threads never interleave their waits and records on the
 * shared streams.
 * Keyed by the unique id of the caller stream's context (driver cuStreamGetCtx + cuCtxGetId, resolved through the
 * runtime: no link to libcuda): a context destroyed by cudaDeviceReset takes its streams with it, and the next
 * context of the device gets a new id, hence new streams, instead of the dead handles. */
#define PH_CONTEXTS 64
typedef struct phase_streams {
    unsigned long long ctx_id; /* 0: a free entry */
    cudaStream_t s[PH_MAX - 1];
    cudaEvent_t prepped[PH_MAX - 1], done[PH_MAX - 1];
    chain_kernel_fn cl_fn[2]; /* gpc_cluster's answers in this context: clusters of 16 and 8 that fit at once */
    int cl_fit[2];
} phase_streams;
static phase_streams g_ph[PH_CONTEXTS];
static pthread_mutex_t g_ph_lock = PTHREAD_MUTEX_INITIALIZER;
typedef CUresult (*stream_ctx_fn)(CUstream, CUcontext *);
typedef CUresult (*ctx_id_fn)(CUcontext, unsigned long long *);
static stream_ctx_fn g_stream_ctx;
static ctx_id_fn g_ctx_id;

/* the unique id of stream's context, 0 if the driver cannot say (g_ph_lock held) */
static unsigned long long stream_context_id(cudaStream_t stream)
{
    if (!g_stream_ctx || !g_ctx_id) {
        cudaDriverEntryPointQueryResult q1 = cudaDriverEntryPointSymbolNotFound, q2 = q1;
        void *f1 = nullptr, *f2 = nullptr;
        if (cudaGetDriverEntryPointByVersion("cuStreamGetCtx", &f1, 12000, cudaEnableDefault, &q1) != cudaSuccess ||
            cudaGetDriverEntryPointByVersion("cuCtxGetId", &f2, 12000, cudaEnableDefault, &q2) != cudaSuccess ||
            q1 != cudaDriverEntryPointSuccess || q2 != cudaDriverEntryPointSuccess) {
            (void)cudaGetLastError();
            return 0;
        }
        g_stream_ctx = (stream_ctx_fn)f1;
        g_ctx_id = (ctx_id_fn)f2;
    }
    CUcontext ctx = nullptr;
    unsigned long long id = 0;
    if (g_stream_ctx((CUstream)stream, &ctx) != CUDA_SUCCESS || !ctx || g_ctx_id(ctx, &id) != CUDA_SUCCESS) return 0;
    return id;
}

/* The phase streams of stream's context, made on first use, with g_ph_lock held when it returns them (phase_end
 * releases it). NULL (no lock held): none, so the call runs in one phase: while the caller's stream is being captured
 * into a CUDA graph (making streams then is not a stream operation; a first phased call made them before a capture),
 * if the runtime cannot make them, or if the context is unknown (no current context with the legacy stream, or 64
 * contexts have phase streams already). */
static phase_streams *phase_begin(cudaStream_t stream)
{
    pthread_mutex_lock(&g_ph_lock);
    const unsigned long long id = stream_context_id(stream);
    phase_streams *ps = nullptr;
    for (int i = 0; id && i < PH_CONTEXTS && !ps; ++i)
        if (g_ph[i].ctx_id == id) ps = &g_ph[i];
    if (ps) return ps;
    for (int i = 0; id && i < PH_CONTEXTS && !ps; ++i)
        if (!g_ph[i].ctx_id) ps = &g_ph[i];
    cudaStreamCaptureStatus cs = cudaStreamCaptureStatusNone;
    cudaError_t e = ps ? cudaStreamIsCapturing(stream, &cs) : cudaErrorNotSupported;
    if (e == cudaSuccess && cs != cudaStreamCaptureStatusNone) e = cudaErrorStreamCaptureUnsupported;
    for (int i = 0; i < PH_MAX - 1 && e == cudaSuccess; ++i) {
        e = cudaStreamCreateWithFlags(&ps->s[i], cudaStreamNonBlocking);
        if (e == cudaSuccess) e = cudaEventCreateWithFlags(&ps->prepped[i], cudaEventDisableTiming);
        if (e == cudaSuccess) e = cudaEventCreateWithFlags(&ps->done[i], cudaEventDisableTiming);
    }
    if (e != cudaSuccess) { /* a failed set is not kept (a free entry holds null handles only) */
        for (int i = 0; ps && i < PH_MAX - 1; ++i) {
            if (ps->s[i]) (void)cudaStreamDestroy(ps->s[i]);
            if (ps->prepped[i]) (void)cudaEventDestroy(ps->prepped[i]);
            if (ps->done[i]) (void)cudaEventDestroy(ps->done[i]);
        }
        if (ps) memset(ps, 0, sizeof *ps);
        (void)cudaGetLastError();
        pthread_mutex_unlock(&g_ph_lock);
        return nullptr;
    }
    ps->ctx_id = id;
    return ps;
}
static void phase_end(void) { pthread_mutex_unlock(&g_ph_lock); }

/* The cluster size for the chain of a phase before the rest (grid CTAs of smem bytes, one an SM): 16, else 8, where
 * that many CTAs divide the grid and enough such clusters fit the device at once (cudaOccupancyMaxActiveClusters,
 * asked once per context and kernel: ps->cl_*); 1 (no cluster) otherwise. A cluster's CTAs run in one GPC, so a
 * cluster of 16 holds (almost) a whole GPC: in the runs measured every CTA of one had its TPC sibling in it too.
 * Why (session 21, H100, bench/experiments/tpc-pairs): the block scheduler puts one CTA an SM on one SM of each TPC
 * first, and a chain CTA whose TPC sibling ran prep32 CTAs took 1870-2190 cycles a 32-token pair against ~1810-1840
 * with a chain CTA beside it (per-CTA clock64 and %globaltimer; session 20 had found the same cycles with its records,
 * v and outputs kept off DRAM). At H = 16 varlen 6 the 3063-token chain's 32 CTAs ran their loops in 99-116 us
 * without clusters, 100-126 in clusters of 2 (which did not land on TPC pairs under load), 100-112 in clusters of 8
 * and 99-102 in clusters of 16. */
static int gpc_cluster(phase_streams *ps, chain_kernel_fn chain, size_t smem, unsigned grid)
{
    static const int sizes[2] = {16, GPC_MIN_CLUSTER};
    for (int i = 0; i < 2; ++i) {
        if (grid % sizes[i]) continue;
        if (ps->cl_fn[i] != chain) {
            cudaLaunchConfig_t c = {};
            cudaLaunchAttribute at;
            at.id = cudaLaunchAttributeClusterDimension;
            at.val.clusterDim.x = (unsigned)sizes[i];
            at.val.clusterDim.y = at.val.clusterDim.z = 1;
            c.gridDim = dim3((unsigned)sizes[i]);
            c.blockDim = dim3(128);
            c.dynamicSmemBytes = smem;
            c.attrs = &at;
            c.numAttrs = 1;
            int n = 0;
            cudaError_t e = sizes[i] > 8 ? cudaFuncSetAttribute((const void *)chain,
                                                                cudaFuncAttributeNonPortableClusterSizeAllowed, 1)
                                         : cudaSuccess;
            if (e == cudaSuccess) e = cudaOccupancyMaxActiveClusters(&n, (const void *)chain, &c);
            if (e != cudaSuccess) { /* unsupported here: no clusters of this size */
                (void)cudaGetLastError();
                n = 0;
            }
            ps->cl_fn[i] = chain;
            ps->cl_fit[i] = n;
        }
        if ((unsigned)ps->cl_fit[i] * (unsigned)sizes[i] >= grid) return sizes[i];
    }
    return 1;
}

/* The phases of phase_pick: for each phase before the rest (one sequence, or the two longest in phase 0: n0) the prep of
 * its records, then its chain (in GPC-sized clusters where gpc_cluster finds them), then the rest's prep and chains.
 * Phase 0 runs in the caller's stream, phase i > 0 in stream i - 1 of phase_streams, which first waits
 * for the event recorded after the prep of phase i - 1 (between its prep and its chain); each chain is a programmatic
 * dependent of its prep (its CTAs take their SMs as the prep's last wave leaves, before the next prep can start); the
 * caller's stream then waits for every phase's end. (Session 13, call 3: the chains in streams of the greatest priority
 * waiting for the same events instead were 1-5% slower.) */
static fkda_status launch_phases(const prefill_params *p, const fkda_dims *d, void *ws, const prefill_plan *plan,
                                 chain_kernel_fn chain, size_t chain_smem, int64_t nslots, cudaStream_t stream,
                                 phase_streams *ps, int gpc)
{
    const int c32 = plan->c32, k = plan->ph.k, n0 = plan->ph.n0, csz = c32 ? 32 : 16;
    const int ns = k - 1 + n0 - 1; /* sequences of the phases before the rest: phase 0 has n0, the others one */
    int64_t first[PH_MAX - 1], cnt[PH_MAX - 1], rest = nslots;
    for (int i = 0; i < ns; ++i) {
        first[i] = plan->ph.seq[i] + plan->ph.bos[i] / csz;
        cnt[i] = (plan->ph.len[i] + csz - 1) / csz;
        rest -= cnt[i];
    }
    if (rest < 1) /* cannot happen with cu_seqlens_host equal to cu_seqlens (checked against T by fkda_prefill) */
        return fkda_fail(FKDA_ERROR_BAD_VALUE, "cu_seqlens_host: its lengths do not fit the record slots of T");
    cudaError_t e = cudaSuccess;
    cudaLaunchAttribute attr[2]; /* the chain: a programmatic dependent of its prep; before the rest in clusters */
    attr[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attr[0].val.programmaticStreamSerializationAllowed = 1;
    attr[1].id = cudaLaunchAttributeClusterDimension;
    attr[1].val.clusterDim.x = attr[1].val.clusterDim.y = attr[1].val.clusterDim.z = 1;
    cudaLaunchConfig_t pc = {}, cc = {};
    pc.blockDim = dim3(c32 ? 2 * NTHREADS : NTHREADS);
    pc.dynamicSmemBytes = c32 ? P32_SMEM : 0;
    cc.blockDim = dim3(128);
    cc.dynamicSmemBytes = chain_smem;
    cc.attrs = attr;
    unsigned char *wsb = (unsigned char *)ws;
    for (int i = 0; i < k && e == cudaSuccess; ++i) {
        const int last = i == k - 1;
        const int j = i ? n0 - 1 + i : 0, nj = i ? 1 : n0; /* this phase's sequences: j .. j + nj - 1 */
        cudaStream_t si = i ? ps->s[i - 1] : stream;
        if (i) e = cudaStreamWaitEvent(si, ps->prepped[i - 1], 0);
        prefill_params pp = *p, cp = *p;
        int64_t pslots = rest;
        if (!last) {
            pp.order = cp.order = nullptr;
            pp.ps_first = first[j];
            pslots = cnt[j];
            cp.unit_seq = (int)plan->ph.seq[j];
            if (nj == 2) { /* two slot ranges: the lower one, then the upper one past the gap between them */
                const int lo = first[j] < first[j + 1] ? j : j + 1, hi = 2 * j + 1 - lo;
                pp.ps_first = first[lo];
                pp.ps_n = 1;
                pp.ps_at[0] = first[lo] + cnt[lo];
                pp.ps_len[0] = first[hi] - pp.ps_at[0];
                pslots = cnt[j] + cnt[j + 1];
                cp.unit_seq2 = (int)plan->ph.seq[j + 1];
            }
        } else { /* the rest: every slot but those of the phases before (ascending ranges) */
            int idx[PH_MAX - 1];
            for (int x = 0; x < ns; ++x) idx[x] = x;
            for (int x = 1; x < ns; ++x)
                for (int y = x; y > 0 && first[idx[y]] < first[idx[y - 1]]; --y) {
                    const int t = idx[y];
                    idx[y] = idx[y - 1];
                    idx[y - 1] = t;
                }
            pp.ps_n = ns;
            pp.ph_nexcl = cp.ph_nexcl = ns;
            for (int x = 0; x < ns; ++x) {
                pp.ps_at[x] = first[idx[x]];
                pp.ps_len[x] = cnt[idx[x]];
                pp.ph_excl[x] = cp.ph_excl[x] = (int)plan->ph.seq[x];
            }
        }
        pc.gridDim = dim3((unsigned)pslots, (unsigned)d->HV);
        pc.stream = cc.stream = si;
        if (e == cudaSuccess)
            e = c32 ? cudaLaunchKernelEx(&pc, kda_prep32_kernel, pp, wsb, nslots)
                    : cudaLaunchKernelEx(&pc, kda_prep_kernel, pp, wsb, nslots);
        if (e == cudaSuccess && !last) e = cudaEventRecord(ps->prepped[i], si);
        cc.gridDim = dim3((unsigned)((last ? d->N - ns : nj) * d->HV * 2));
        attr[1].val.clusterDim.x = (unsigned)(!last && gpc ? gpc_cluster(ps, chain, chain_smem, cc.gridDim.x) : 1);
        cc.numAttrs = attr[1].val.clusterDim.x > 1 ? 2 : 1;
        if (e == cudaSuccess) e = cudaLaunchKernelEx(&cc, chain, cp, (const unsigned char *)ws, nslots);
        if (e == cudaSuccess && i) e = cudaEventRecord(ps->done[i - 1], si);
    }
    for (int i = 1; i < k && e == cudaSuccess; ++i) e = cudaStreamWaitEvent(stream, ps->done[i - 1], 0);
    if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: phase launches: %s", cudaGetErrorString(e));
    return FKDA_SUCCESS;
}

/* v2: prep over all (chunk slot, value head) pairs, then the chain per (sequence, value head, V-slice).
 * Every warp of the chain owns 16 value columns, so the split ns only groups warps into CTAs: pick the ns
 * that puts the fewest warps on the busiest SM sub-partition (4 per SM) when the CTAs are spread evenly, then the
 * fewest on the busiest SM (the warps of an SM share its shared-memory bandwidth: H = 32 1 x 8192, 128 CTAs of 2
 * warps 0.480 ms against 64 of 4 warps 0.509, session 7), except with CTAs of one warp (ns = 8), which only a lower
 * sub-partition load pays for (a lone warp streams every record by itself: 0.435 against 0.306 ms at H = 16
 * 1 x 8192 with two segments); remaining ties go to the smaller ns (fewer CTAs reading the same records). */
static fkda_status launch_v2_body(prefill_params *p, const fkda_dims *d, void *ws, const prefill_knobs *kn,
                                  const prefill_plan *plan, cudaStream_t stream, phase_streams *phs)
{
    const int c32 = plan->c32;
    const int64_t heads = d->N * d->HV, nslots = c32 ? v2_slots32(d) : v2_slots(d);
    const size_t rec_bytes = c32 ? REC32_BYTES : REC_BYTES;
    if (heads == 0) return FKDA_SUCCESS;
    const seg_plan_t pl = plan->seg;
    const int sms = plan->sms;
    const int precise = kn->precise;
    p->bulk = kn->bulk;

    if (plan->overlap) {
        p->fdbg = kn->v2 == 5 ? 1 : kn->v2 == 6 ? 2 : 0;
        if (heads > 0x7fffffffLL)
            return fkda_fail(FKDA_ERROR_UNSUPPORTED, "N * HV = %lld is too large for one CUDA prefill launch",
                             (long long)heads);
        static const chain_kernel_fn1 fused[2][3] = {
            {kda_fused_kernel<0, 8>, kda_fused_kernel<PM_U, 8>, kda_fused_kernel<PM_ALL, 8>},
            {kda_fused_kernel<0, 4>, kda_fused_kernel<PM_U, 4>, kda_fused_kernel<PM_ALL, 4>}};
        const int cw = kn->cw;
        const chain_kernel_fn1 fn = fused[cw == 4][precise == 0 ? 0 : precise == PM_U ? 1 : 2];
        const int smem_bytes = cw == 4 ? FUSED_SMEM(4) : FUSED_SMEM(8);
        cudaError_t e = cudaFuncSetAttribute((const void *)fn, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_bytes);
        if (e != cudaSuccess)
            return fkda_fail(FKDA_ERROR_CUDA, "prefill: cudaFuncSetAttribute: %s", cudaGetErrorString(e));
        fn<<<(unsigned)heads, FTHREADS, smem_bytes, stream>>>(*p);
        e = cudaGetLastError();
        if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: overlap launch: %s", cudaGetErrorString(e));
        return FKDA_SUCCESS;
    }

    const int64_t units = pl.units; /* chain CTAs that do work (per V-slice) */
    const int order = kn->order && use_order(d, pl.L);
    int ns = kn->split, deep = 0;
    if (ns != 1 && ns != 2 && ns != 4 && ns != 8 && order && units <= sms) {
        /* longest first: the first CTAs, the longest chains, get an SM each; 4 warps a CTA (one per sub-partition)
         * was the fastest at H = 16 varlen 6 (0.243 ms against 0.308 / 0.258 / 0.308 for 8 / 2 / 1 warps; session 6
         * call 2, bench/NOTES.md). With DEEP_STAGES stages no second chain CTA fits an SM: the long chains keep their
         * SMs to themselves and the short ones wait for a free SM (-4 to -12% on skewed varlen batches, session 10) */
        ns = 2;
        deep = kn->deep;
    } else if (ns != 1 && ns != 2 && ns != 4 && ns != 8) {
        int64_t best = -1, best_sm = 0;
        for (int s = 1; s <= 8; s *= 2) {
            const int64_t per_sm = (units * s + sms - 1) / sms * (8 / s); /* warps on the busiest SM */
            const int64_t load = (per_sm + 3) / 4;
            if (best < 0 || load < best || (load == best && s <= 4 && per_sm < best_sm)) {
                best = load;
                best_sm = per_sm;
                ns = s;
            }
        }
    }
    p->NS = ns;
    p->nslots = v2_slots(d); /* chunk slots (wsA's rows with segments); the records' own count is nslots */
    p->segL = pl.L;
    if (order) p->order = (int *)((unsigned char *)ws + (size_t)(d->HV * nslots) * rec_bytes);
    const int64_t nseg = seg_slots(d, pl.L);
    if (pl.L) {
        p->seg_fixed = seg_fixed_of(d, pl.L);
        p->nsegmax = nseg;
        p->wsA = (__nv_bfloat16 *)((unsigned char *)ws + (size_t)(d->HV * nslots) * rec_bytes);
        p->wsSeg = (float *)((unsigned char *)p->wsA + (size_t)(d->HV * p->nslots) * 16 * KD * 2);
    }
    const int64_t grid = (pl.L ? 2 * nseg * d->HV : heads) * ns, groups = pl.L ? (pl.L + CG - 1) / CG : 0;
    /* With segments the grid holds idle CTAs (role 1 of each sequence's first segment). Where the working split-2
     * CTAs fit the SMs but the grid does not (H = 12 1 x 16384 in 3 segments: 120 working CTAs, 144 in the grid), the
     * block scheduler put two working CTAs on some SMs and the chain stepped at 0.84 us a chunk against 0.50; the deep
     * C32 chain (one CTA an SM) there: 0.48 -> 0.37 ms (session 18 call 9; H = 3 4 x 12000 and H = 6 2 x 24000 -22 to
     * -24%). Where the grid fits, the deep stages gained nothing and cost H = 8 1 x 8192 4% (call 10) */
    if (!deep && pl.L && grid > sms && one_sm_chains(kn, c32, ns == 2, units, sms)) deep = 1;
    if (grid > 0x7fffffffLL || nslots > 0x7fffffffLL || d->HV > 65535 || nseg * groups > 0x7fffffffLL)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "N * HV = %lld is too large for one CUDA prefill launch", (long long)heads);

    const int phased = deep && phs && nslots > 0;
    if (nslots > 0 && c32) {
        cudaError_t e = cudaFuncSetAttribute((const void *)kda_prep32_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                             P32_SMEM);
        if (e != cudaSuccess)
            return fkda_fail(FKDA_ERROR_CUDA, "prefill: cudaFuncSetAttribute: %s", cudaGetErrorString(e));
        if (!phased) kda_prep32_kernel<<<dim3((unsigned)nslots, (unsigned)d->HV), 2 * NTHREADS, P32_SMEM, stream>>>(
            *p, (unsigned char *)ws, nslots);
        e = cudaGetLastError();
        if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: prep launch: %s", cudaGetErrorString(e));
    } else if (nslots > 0 && !phased) {
        kda_prep_kernel<<<dim3((unsigned)nslots, (unsigned)d->HV), NTHREADS, 0, stream>>>(*p, (unsigned char *)ws,
                                                                                         nslots);
        cudaError_t e = cudaGetLastError();
        if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: prep launch: %s", cudaGetErrorString(e));
    }
    if (kn->v2 == 2) return FKDA_SUCCESS; /* bench knob: the prep alone */
    /* the precision masks with a kernel: none, U only (the default), all */
#define CHAIN_ROW(vs)                                                                                                  \
    {kda_chain_kernel<vs, 0, STAGES>, kda_chain_kernel<vs, PM_U, STAGES>, kda_chain_kernel<vs, PM_ALL, STAGES>}
    static const chain_kernel_fn table[4][3] = {CHAIN_ROW(128), CHAIN_ROW(64), CHAIN_ROW(32), CHAIN_ROW(16)};
#undef CHAIN_ROW
    const int col = precise == 0 ? 0 : precise == PM_U ? 1 : 2;
    const int row = ns == 1 ? 0 : ns == 2 ? 1 : ns == 4 ? 2 : 3;
    static const chain_kernel_fn deep_row[3] = {kda_chain_kernel<64, 0, DEEP_STAGES>,
                                                kda_chain_kernel<64, PM_U, DEEP_STAGES>,
                                                kda_chain_kernel<64, PM_ALL, DEEP_STAGES>};
#define C32_ROW(vs)                                                                                                    \
    {kda_chain_kernel<vs, 0, C32_STAGES(vs), 32>, kda_chain_kernel<vs, PM_U, C32_STAGES(vs), 32>,                      \
     kda_chain_kernel<vs, PM_ALL, C32_STAGES(vs), 32>}
    static const chain_kernel_fn table32[4][3] = {C32_ROW(128), C32_ROW(64), C32_ROW(32), C32_ROW(16)};
#undef C32_ROW
    static const chain_kernel_fn deep32[3] = {kda_chain_kernel<64, 0, C32_DEEP_STAGES, 32>,
                                              kda_chain_kernel<64, PM_U, C32_DEEP_STAGES, 32>,
                                              kda_chain_kernel<64, PM_ALL, C32_DEEP_STAGES, 32>};
    const int vs = 128 / ns;
    const chain_kernel_fn fn = c32 ? (deep ? deep32[col] : table32[row][col]) : deep ? deep_row[col] : table[row][col];
    const size_t smem = c32 ? (deep ? C32_SMEM_ST(64, C32_DEEP_STAGES) : C32_SMEM_ST(vs, C32_STAGES(vs)))
                            : deep ? CHAIN_SMEM_ST(64, DEEP_STAGES) : CHAIN_SMEM(vs);
    cudaError_t e = cudaFuncSetAttribute((const void *)fn, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: cudaFuncSetAttribute: %s", cudaGetErrorString(e));
    if (phased) return launch_phases(p, d, ws, plan, fn, smem, nslots, stream, phs, kn->gpc);
    /* the deep chain as a programmatic dependent of the prep kernel (PDL): its CTAs (one an SM) take the SMs the
     * prep's last wave leaves and wait there for the prep grid, which hides the launch gap between the two kernels.
     * Smaller chain CTAs would crowd those SMs (PDL for every chain: +20-45%, session 10 call 6), so only this one. */
    cudaLaunchAttribute attr;
    attr.id = cudaLaunchAttributeProgrammaticStreamSerialization;
    attr.val.programmaticStreamSerializationAllowed = 1;
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3((unsigned)grid);
    cfg.blockDim = dim3(2 * (128 / ns));
    cfg.dynamicSmemBytes = smem;
    cfg.stream = stream;
    cfg.attrs = &attr;
    cfg.numAttrs = deep && kn->pdl && nslots > 0 ? 1 : 0;
    e = cudaLaunchKernelEx(&cfg, fn, *p, (const unsigned char *)ws, nslots);
    if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: chain launch: %s", cudaGetErrorString(e));
    if (!pl.L) return FKDA_SUCCESS;

    /* v3 passes 2 and 3 */
    e = cudaFuncSetAttribute((const void *)kda_seg_combine_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, CMB_SMEM);
    if (e == cudaSuccess)
        e = cudaFuncSetAttribute((const void *)kda_seg_correct_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                 CORR_SMEM);
    if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: cudaFuncSetAttribute: %s", cudaGetErrorString(e));
    kda_seg_combine_kernel<<<dim3((unsigned)d->N, (unsigned)d->HV, KD / CMB_ROWS), KD, CMB_SMEM, stream>>>(*p);
    e = cudaGetLastError();
    if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: combine launch: %s", cudaGetErrorString(e));
    kda_seg_correct_kernel<<<dim3((unsigned)(nseg * groups), (unsigned)d->HV), NTHREADS, CORR_SMEM, stream>>>(*p, groups);
    e = cudaGetLastError();
    if (e != cudaSuccess) return fkda_fail(FKDA_ERROR_CUDA, "prefill: correct launch: %s", cudaGetErrorString(e));
    return FKDA_SUCCESS;
}

/* launch_v2_body, with the phase streams held where the plan has phases (else, or without them, one phase) */
static fkda_status launch_v2(prefill_params *p, const fkda_dims *d, void *ws, const prefill_knobs *kn,
                             const prefill_plan *plan, cudaStream_t stream)
{
    phase_streams *phs = plan->ph.k > 1 ? phase_begin(stream) : nullptr; /* held: phase_end */
    const fkda_status st = launch_v2_body(p, d, ws, kn, plan, stream, phs);
    if (phs) phase_end();
    return st;
}

extern "C" fkda_status fkda_cuda_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                                         void *stream)
{
    if (d->K != KD || d->V != KD)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "K, V: the CUDA prefill kernel supports K = V = 128 only (got K = %lld, "
                         "V = %lld)", (long long)d->K, (long long)d->V);
    if (a->gate != FKDA_GATE_BOUNDED)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED,
                         "gate: the CUDA prefill kernel supports the bounded gate only (the %s gate is unbounded below "
                         "and its factored chunk form would overflow)",
                         a->gate == FKDA_GATE_SOFTPLUS ? "softplus" : "precomputed");
    fkda_status st;
    if ((st = check_bf16_rows(&a->q, "q")) != FKDA_SUCCESS) return st;
    if ((st = check_bf16_rows(&a->k, "k")) != FKDA_SUCCESS) return st;
    if ((st = check_bf16_rows(&a->v, "v")) != FKDA_SUCCESS) return st;
    if ((st = check_bf16_rows(&a->g, "g")) != FKDA_SUCCESS) return st;
    if ((st = check_bf16_rows(&a->out, "out")) != FKDA_SUCCESS) return st;
    if (a->beta.dtype != FKDA_BFLOAT16 && a->beta.dtype != FKDA_FLOAT16 && a->beta.dtype != FKDA_FLOAT32)
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "beta: dtype %s not supported by the CUDA prefill kernel",
                         fkda_dtype_name(a->beta.dtype));

    prefill_params p;
    memset(&p, 0, sizeof p);
    p.unit_seq = p.unit_seq2 = -1;
    p.q = (const __nv_bfloat16 *)a->q.data;
    p.k = (const __nv_bfloat16 *)a->k.data;
    p.v = (const __nv_bfloat16 *)a->v.data;
    p.g = (const __nv_bfloat16 *)a->g.data;
    p.out = (__nv_bfloat16 *)a->out.data;
    p.q_sb = a->q.stride[0]; p.q_st = a->q.stride[1]; p.q_sh = a->q.stride[2];
    p.k_sb = a->k.stride[0]; p.k_st = a->k.stride[1]; p.k_sh = a->k.stride[2];
    p.v_sb = a->v.stride[0]; p.v_st = a->v.stride[1]; p.v_sh = a->v.stride[2];
    p.g_sb = a->g.stride[0]; p.g_st = a->g.stride[1]; p.g_sh = a->g.stride[2];
    p.o_sb = a->out.stride[0]; p.o_st = a->out.stride[1]; p.o_sh = a->out.stride[2];
    p.beta = a->beta.data;
    p.beta_dtype = a->beta.dtype;
    p.b_sb = a->beta.stride[0]; p.b_st = a->beta.stride[1]; p.b_sh = a->beta.stride[2];
    if (a->A_log.rank > 0) {
        p.A_log = (const float *)a->A_log.data;
        p.alog_s = a->A_log.stride[0];
    }
    if (a->dt_bias.rank == 2) {
        p.dt_bias = (const float *)a->dt_bias.data;
        p.dtb_sh = a->dt_bias.stride[0];
        p.dtb_sk = a->dt_bias.stride[1];
    } else if (a->dt_bias.rank == 1) {
        p.dt_bias = (const float *)a->dt_bias.data;
        p.dtb_sh = KD * a->dt_bias.stride[0];
        p.dtb_sk = a->dt_bias.stride[0];
    }
    const int vfirst = a->state_layout == FKDA_STATE_V_FIRST;
    p.s_in = state_view_of(&a->initial_state, vfirst);
    p.s_out = state_view_of(&a->final_state, vfirst);
    if ((p.s_in.data && p.s_in.dtype != FKDA_FLOAT32 && p.s_in.dtype != FKDA_BFLOAT16) ||
        (p.s_out.data && p.s_out.dtype != FKDA_FLOAT32 && p.s_out.dtype != FKDA_BFLOAT16))
        return fkda_fail(FKDA_ERROR_UNSUPPORTED, "initial_state/final_state: f32 or bf16 only in the CUDA prefill kernel");
    if (d->varlen) {
        p.cu = a->cu_seqlens.data;
        p.cu_is64 = a->cu_seqlens.dtype == FKDA_INT64;
    }
    p.T = d->T;
    p.N = (int)d->N;
    p.HV = (int)d->HV;
    p.group = (int)d->group;
    p.scale = d->scale;
    p.lb = a->lower_bound;
    p.l2norm = (a->flags & FKDA_QK_L2NORM) != 0;
    p.beta_sigmoid = (a->flags & FKDA_BETA_SIGMOID) != 0;
    p.neg_eig = (a->flags & FKDA_ALLOW_NEG_EIGVAL) != 0;

    /* the chain's precision mask (PM_*) defaults to U only: the state error of all splits at ~10% less time
     * (bench/NOTES.md, v3 precision) */
    const prefill_knobs kn = read_knobs();
    const prefill_plan plan = plan_prefill(a, d, &kn, sm_count()); /* the plan fkda_cuda_prefill_workspace answered for */
    st = fkda_check_workspace(ws, ws_bytes, plan.ws_bytes);
    if (st != FKDA_SUCCESS) return st;
    return launch_v2(&p, d, ws, &kn, &plan, (cudaStream_t)stream);
}
