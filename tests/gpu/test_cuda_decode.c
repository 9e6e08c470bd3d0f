/* Device test of the CUDA KDA decode (fkda_decode, backend CUDA) against the fp64 reference and the CPU
 * backend run on host copies of the same inputs.
 *
 * Checked, per case: err_ratio(x, ref) = RMS(x - ref) / RMS(ref) of the outputs and of every pool slot the
 * call writes stays below 0.005; slots nobody writes, and slots of skipped sequences, are bit-identical to
 * before the call; skipped sequences output exact zeros. Cases: continuous batching with padding and
 * out-of-range slots, speculative decoding (each position's state to its own slot), varlen with an empty
 * sequence, GVA, softplus and precomputed gates, bf16 pool, strided pool, T = 16, and 64 single-token
 * decode steps against one 64-token prefill on the CPU backend. Plain C, own asserts; exit status 0 = pass.
 */
#include "gpu_check.h"

#define TOL 0.005

/* ---- small helpers ------------------------------------------------------------------------------- */

typedef struct err_acc {
    double num, den;
} err_acc;
static void err_add(err_acc *e, double x, double ref)
{
    e->num += (x - ref) * (x - ref);
    e->den += ref * ref;
}
static double err_ratio(const err_acc *e) { return e->den > 0 ? sqrt(e->num / e->den) : sqrt(e->num); }

/* A float array stored as dtype (bf16 or f32) on the device. */
static void *dev_float(const float *x, size_t n, fkda_dtype dt)
{
    if (dt == FKDA_FLOAT32) return dev_copy(x, n * 4);
    uint16_t *h = malloc(n * 2 + 2);
    for (size_t i = 0; i < n; i++) h[i] = f2bf(x[i]);
    void *p = dev_copy(h, n * 2);
    free(h);
    return p;
}

/* ---- one decode case ------------------------------------------------------------------------------ */
typedef struct dcase {
    const char *name;
    int N, T, H, HV;           /* T: tokens per sequence, or the total with cu */
    int slots;
    const int64_t *cu;         /* [N + 1] or NULL */
    int idx_mode;              /* 0 none, 1 [N], 2 [N, Tmax] */
    int Tmax;
    const int64_t *idx;        /* [N] or [N, Tmax]; may hold -1 and values >= slots */
    const int64_t *nacc;       /* [N] or NULL */
    int idx64;
    fkda_gate_mode gate;
    int has_A, has_bias;
    unsigned flags;
    float lower_bound, scale;
    fkda_dtype g_dt, beta_dt, pool_dt;
    int64_t slot_pad;          /* extra elements between pool slots */
} dcase;

#define KD 128
#define VD 128

static void run_case(const dcase *c)
{
    const int N = c->N, H = c->H, HV = c->HV, S = c->slots;
    const int B = c->cu ? 1 : N, T = c->T;
    const size_t nq = (size_t)B * T * H * KD, nv = (size_t)B * T * HV * VD, ng = (size_t)B * T * HV * KD;
    const size_t nb = (size_t)B * T * HV;
    const int64_t slot_elems = (int64_t)HV * VD * KD, slot_stride = slot_elems + c->slot_pad;
    const size_t npool = (size_t)S * slot_stride;

    /* Inputs, rounded to what the device sees. */
    float *q = malloc(nq * 4), *k = malloc(nq * 4), *v = malloc(nv * 4), *g = malloc(ng * 4), *beta = malloc(nb * 4);
    float *A_log = malloc(HV * 4), *bias = malloc((size_t)HV * KD * 4), *pool0 = malloc(npool * 4);
    for (size_t i = 0; i < nq; i++) q[i] = round_bf((float)urand(-1, 1));
    for (size_t i = 0; i < nq; i++) k[i] = round_bf((float)urand(-1, 1));
    for (size_t i = 0; i < nv; i++) v[i] = round_bf((float)urand(-1, 1));
    for (size_t i = 0; i < ng; i++) {
        float x = c->gate == FKDA_GATE_PRECOMPUTED ? (float)urand(-0.6, 0.0) : (float)urand(-3, 3);
        g[i] = c->g_dt == FKDA_BFLOAT16 ? round_bf(x) : x;
    }
    for (size_t i = 0; i < nb; i++) {
        float x = (c->flags & FKDA_BETA_SIGMOID) ? (float)urand(-3, 3) : (float)urand(0, 1);
        beta[i] = c->beta_dt == FKDA_BFLOAT16 ? round_bf(x) : x;
    }
    for (int i = 0; i < HV; i++) A_log[i] = (float)urand(-1.5, 0.5);
    for (int i = 0; i < HV * KD; i++) bias[i] = (float)urand(-1, 1);
    for (size_t i = 0; i < npool; i++) {
        float x = (float)urand(-0.5, 0.5);
        pool0[i] = c->pool_dt == FKDA_BFLOAT16 ? round_bf(x) : x;
    }

    /* Indices: the device gets them as given, the host backends with out-of-range entries as -1. */
    const int icols = c->idx_mode == 2 ? c->Tmax : 1;
    const int nidx = c->idx_mode ? N * icols : 1;
    int64_t *idx_h = malloc(nidx * 8);
    int32_t *idx32 = malloc(nidx * 4), *nacc32 = malloc(N * 4 + 4);
    for (int i = 0; i < nidx; i++) {
        int64_t x = c->idx_mode ? c->idx[i] : 0;
        idx_h[i] = x >= S ? -1 : x;
        idx32[i] = (int32_t)x;
    }
    for (int n = 0; n < N && c->nacc; n++) nacc32[n] = (int32_t)c->nacc[n];

    /* Which slots are written (host semantics), and which sequences are skipped. */
    char *written = calloc(S, 1), *skipped = calloc(N, 1);
    for (int n = 0; n < N; n++) {
        int64_t bos = c->cu ? c->cu[n] : 0, eos = c->cu ? c->cu[n + 1] : T, len = eos - bos;
        int64_t read = n;
        if (c->idx_mode == 1) read = idx_h[n];
        if (c->idx_mode == 2) read = idx_h[n * icols + (c->nacc ? c->nacc[n] - 1 : 0)];
        if (read < 0) {
            skipped[n] = 1;
            continue;
        }
        if (len == 0) continue;
        if (c->idx_mode == 2) {
            for (int64_t j = 0; j < len; j++)
                if (idx_h[n * icols + j] >= 0) written[idx_h[n * icols + j]] = 1;
        } else {
            written[read] = 1;
        }
    }

    /* ---- device run ---- */
    const fkda_dtype bf = FKDA_BFLOAT16;
    void *dq = dev_float(q, nq, bf), *dk = dev_float(k, nq, bf), *dv = dev_float(v, nv, bf);
    void *dg = dev_float(g, ng, c->g_dt), *dbeta = dev_float(beta, nb, c->beta_dt);
    void *dA = dev_copy(A_log, HV * 4), *dbias = dev_copy(bias, (size_t)HV * KD * 4);
    void *dpool = dev_float(pool0, npool, c->pool_dt);
    void *dout = NULL;
    CUDA_OK(cudaMalloc(&dout, nv * 2));
    CUDA_OK(cudaMemset(dout, 0x7f, nv * 2)); /* garbage: skipped sequences must be zeroed */
    void *didx = c->idx64 ? dev_copy(c->idx, c->idx_mode ? nidx * 8 : 0) : dev_copy(idx32, c->idx_mode ? nidx * 4 : 0);
    int64_t nacc64[64];
    for (int n = 0; n < N && c->nacc; n++) nacc64[n] = c->nacc[n];
    void *dnacc = c->idx64 ? dev_copy(nacc64, c->nacc ? N * 8 : 0) : dev_copy(nacc32, c->nacc ? N * 4 : 0);
    int32_t cu32[80];
    for (int n = 0; c->cu && n <= N; n++) cu32[n] = (int32_t)c->cu[n];
    void *dcu = dev_copy(cu32, c->cu ? (N + 1) * 4 : 0);

    const int64_t qs[4] = {B, T, H, KD}, vs[4] = {B, T, HV, VD}, gs[4] = {B, T, HV, KD}, bs[3] = {B, T, HV};
    const int64_t ps[4] = {S, HV, VD, KD}, pst[4] = {slot_stride, (int64_t)VD * KD, KD, 1};
    const int64_t is1[1] = {N}, is2[2] = {N, icols}, ns[1] = {N}, cs[1] = {N + 1}, As[1] = {HV}, bis[2] = {HV, KD};
    const fkda_dtype idt = c->idx64 ? FKDA_INT64 : FKDA_INT32;

    fkda_decode_args a = fkda_decode_args_default();
    a.q = fkda_tensor_contiguous(dq, bf, 4, qs);
    a.k = fkda_tensor_contiguous(dk, bf, 4, qs);
    a.v = fkda_tensor_contiguous(dv, bf, 4, vs);
    a.g = fkda_tensor_contiguous(dg, c->g_dt, 4, gs);
    a.beta = fkda_tensor_contiguous(dbeta, c->beta_dt, 3, bs);
    a.out = fkda_tensor_contiguous(dout, bf, 4, vs);
    a.state_pool = fkda_tensor_strided(dpool, c->pool_dt, 4, ps, pst);
    if (c->has_A) a.A_log = fkda_tensor_contiguous(dA, FKDA_FLOAT32, 1, As);
    if (c->has_bias) a.dt_bias = fkda_tensor_contiguous(dbias, FKDA_FLOAT32, 2, bis);
    if (c->idx_mode) a.ssm_state_indices = fkda_tensor_contiguous(didx, idt, c->idx_mode, c->idx_mode == 1 ? is1 : is2);
    if (c->nacc) a.num_accepted_tokens = fkda_tensor_contiguous(dnacc, idt, 1, ns);
    if (c->cu) a.cu_seqlens = fkda_tensor_contiguous(dcu, FKDA_INT32, 1, cs);
    a.gate = c->gate;
    a.flags = c->flags;
    a.lower_bound = c->lower_bound;
    a.scale = c->scale;
    a.backend = FKDA_BACKEND_CUDA;
    cudaStream_t stream;
    CUDA_OK(cudaStreamCreate(&stream));
    FKDA_OK(fkda_decode(&a, NULL, 0, stream));
    CUDA_OK(cudaStreamSynchronize(stream));

    uint16_t *out_d = malloc(nv * 2);
    CUDA_OK(cudaMemcpy(out_d, dout, nv * 2, cudaMemcpyDeviceToHost));
    const size_t pool_bytes = npool * (c->pool_dt == FKDA_FLOAT32 ? 4 : 2);
    void *pool_d = malloc(pool_bytes);
    CUDA_OK(cudaMemcpy(pool_d, dpool, pool_bytes, cudaMemcpyDeviceToHost));

    /* Determinism: the same call on the same inputs gives the same bits. */
    {
        void *again = dev_float(pool0, npool, c->pool_dt);
        a.state_pool.data = again;
        FKDA_OK(fkda_decode(&a, NULL, 0, stream));
        CUDA_OK(cudaStreamSynchronize(stream));
        void *pool_d2 = malloc(pool_bytes);
        uint16_t *out_d2 = malloc(nv * 2);
        CUDA_OK(cudaMemcpy(pool_d2, again, pool_bytes, cudaMemcpyDeviceToHost));
        CUDA_OK(cudaMemcpy(out_d2, dout, nv * 2, cudaMemcpyDeviceToHost));
        CHECK(memcmp(pool_d2, pool_d, pool_bytes) == 0 && memcmp(out_d2, out_d, nv * 2) == 0,
              "%s: two identical calls differ", c->name);
        free(pool_d2);
        free(out_d2);
        CUDA_OK(cudaFree(again));
    }

    /* ---- host runs: reference (fp64) and CPU backend, f32 tensors holding the same values ---- */
    float *out_ref = calloc(nv, 4), *out_cpu = calloc(nv, 4);
    float *pool_ref = malloc(npool * 4), *pool_cpu = malloc(npool * 4);
    memcpy(pool_ref, pool0, npool * 4);
    memcpy(pool_cpu, pool0, npool * 4);
    fkda_decode_args h = a;
    const fkda_dtype f32 = FKDA_FLOAT32;
    h.q = fkda_tensor_contiguous(q, f32, 4, qs);
    h.k = fkda_tensor_contiguous(k, f32, 4, qs);
    h.v = fkda_tensor_contiguous(v, f32, 4, vs);
    h.g = fkda_tensor_contiguous(g, f32, 4, gs);
    h.beta = fkda_tensor_contiguous(beta, f32, 3, bs);
    if (c->has_A) h.A_log.data = A_log;
    if (c->has_bias) h.dt_bias.data = bias;
    if (c->idx_mode) h.ssm_state_indices = fkda_tensor_contiguous(idx_h, FKDA_INT64, c->idx_mode, c->idx_mode == 1 ? is1 : is2);
    if (c->nacc) h.num_accepted_tokens = fkda_tensor_contiguous((void *)c->nacc, FKDA_INT64, 1, ns);
    if (c->cu) h.cu_seqlens = fkda_tensor_contiguous((void *)c->cu, FKDA_INT64, 1, cs);
    for (int pass = 0; pass < 2; pass++) {
        h.backend = pass == 0 ? FKDA_BACKEND_REFERENCE : FKDA_BACKEND_CPU;
        h.out = fkda_tensor_contiguous(pass == 0 ? out_ref : out_cpu, f32, 4, vs);
        h.state_pool = fkda_tensor_strided(pass == 0 ? pool_ref : pool_cpu, f32, 4, ps, pst);
        size_t wsb = 0;
        FKDA_OK(fkda_decode_workspace_size(&h, &wsb));
        void *ws = wsb ? malloc(wsb) : NULL;
        FKDA_OK(fkda_decode(&h, ws, wsb, NULL));
        free(ws);
    }

    /* ---- compare ---- */
    err_acc eo = {0, 0}, eo_cpu = {0, 0};
    int zero_ok = 1;
    for (int n = 0; n < N; n++) {
        int64_t bos = c->cu ? c->cu[n] : 0, eos = c->cu ? c->cu[n + 1] : T;
        int64_t b = c->cu ? 0 : n;
        for (int64_t t = bos; t < eos; t++)
            for (size_t j = 0; j < (size_t)HV * VD; j++) {
                size_t i = ((size_t)b * T + t) * HV * VD + j;
                double x = bf2f(out_d[i]);
                if (skipped[n]) {
                    if (out_d[i] != 0) zero_ok = 0;
                    continue;
                }
                err_add(&eo, x, out_ref[i]);
                err_add(&eo_cpu, x, out_cpu[i]);
            }
    }
    CHECK(zero_ok, "%s: skipped sequences must output zeros", c->name);
    double worst_slot = 0, worst_slot_cpu = 0;
    int untouched_ok = 1, nwritten = 0;
    for (int s = 0; s < S; s++) {
        const size_t base = (size_t)s * slot_stride;
        if (!written[s]) {
            const size_t es = c->pool_dt == FKDA_FLOAT32 ? 4 : 2;
            void *init = dev_float(pool0 + base, slot_elems, c->pool_dt); /* the exact bits uploaded */
            void *bits = malloc(slot_elems * es);
            CUDA_OK(cudaMemcpy(bits, init, slot_elems * es, cudaMemcpyDeviceToHost));
            if (memcmp(bits, (char *)pool_d + base * es, slot_elems * es) != 0) untouched_ok = 0;
            free(bits);
            CUDA_OK(cudaFree(init));
            continue;
        }
        nwritten++;
        err_acc es = {0, 0}, es_cpu = {0, 0};
        for (int64_t i = 0; i < slot_elems; i++) {
            double x = c->pool_dt == FKDA_FLOAT32 ? ((float *)pool_d)[base + i] : bf2f(((uint16_t *)pool_d)[base + i]);
            err_add(&es, x, pool_ref[base + i]);
            err_add(&es_cpu, x, pool_cpu[base + i]);
        }
        if (err_ratio(&es) > worst_slot) worst_slot = err_ratio(&es);
        if (err_ratio(&es_cpu) > worst_slot_cpu) worst_slot_cpu = err_ratio(&es_cpu);
    }
    CHECK(untouched_ok, "%s: slots not written must be bit-identical to before", c->name);
    CHECK(err_ratio(&eo) < TOL, "%s: output err_ratio vs reference %.3g", c->name, err_ratio(&eo));
    CHECK(err_ratio(&eo_cpu) < TOL, "%s: output err_ratio vs CPU %.3g", c->name, err_ratio(&eo_cpu));
    CHECK(worst_slot < TOL, "%s: worst written slot err_ratio vs reference %.3g", c->name, worst_slot);
    CHECK(worst_slot_cpu < TOL, "%s: worst written slot err_ratio vs CPU %.3g", c->name, worst_slot_cpu);
    printf("%-34s out %.2e (cpu %.2e)  state %.2e (cpu %.2e)  slots written %d/%d\n", c->name, err_ratio(&eo),
           err_ratio(&eo_cpu), worst_slot, worst_slot_cpu, nwritten, S);

    CUDA_OK(cudaStreamDestroy(stream));
    void *dptrs[] = {dq, dk, dv, dg, dbeta, dA, dbias, dpool, dout, didx, dnacc, dcu};
    for (size_t i = 0; i < sizeof dptrs / sizeof dptrs[0]; i++) CUDA_OK(cudaFree(dptrs[i]));
    void *hptrs[] = {q, k, v, g, beta, A_log, bias, pool0, idx_h, idx32, nacc32, written, skipped, out_d, pool_d,
                     out_ref, out_cpu, pool_ref, pool_cpu};
    for (size_t i = 0; i < sizeof hptrs / sizeof hptrs[0]; i++) free(hptrs[i]);
}

/* ---- 64 single-token decode steps against one 64-token prefill (CPU backend) ------------------------- */
static void test_steps_match_prefill(void)
{
    enum { N = 3, T = 64, H = 2, HV = 4 };
    const size_t nq = (size_t)N * T * H * KD, nv = (size_t)N * T * HV * VD, nb = (size_t)N * T * HV;
    const size_t nstate = (size_t)N * HV * VD * KD;
    float *q = malloc(nq * 4), *k = malloc(nq * 4), *v = malloc(nv * 4), *g = malloc(nv * 4), *beta = malloc(nb * 4);
    float *A_log = malloc(HV * 4), *bias = malloc(HV * KD * 4), *s0 = malloc(nstate * 4), *sT = malloc(nstate * 4);
    float *out_p = malloc(nv * 4);
    for (size_t i = 0; i < nq; i++) q[i] = round_bf((float)urand(-1, 1));
    for (size_t i = 0; i < nq; i++) k[i] = round_bf((float)urand(-1, 1));
    for (size_t i = 0; i < nv; i++) v[i] = round_bf((float)urand(-1, 1));
    for (size_t i = 0; i < nv; i++) g[i] = round_bf((float)urand(-3, 3));
    for (size_t i = 0; i < nb; i++) beta[i] = round_bf((float)urand(-3, 3));
    for (int i = 0; i < HV; i++) A_log[i] = (float)urand(-1.5, 0.5);
    for (int i = 0; i < HV * KD; i++) bias[i] = (float)urand(-1, 1);
    for (size_t i = 0; i < nstate; i++) s0[i] = (float)urand(-0.5, 0.5);

    /* Prefill on the CPU. */
    const int64_t qs[4] = {N, T, H, KD}, vs[4] = {N, T, HV, VD}, bs[3] = {N, T, HV}, ss[4] = {N, HV, VD, KD};
    const int64_t As[1] = {HV}, bis[2] = {HV, KD};
    const fkda_dtype f32 = FKDA_FLOAT32, bf = FKDA_BFLOAT16;
    fkda_prefill_args p = fkda_prefill_args_default();
    p.q = fkda_tensor_contiguous(q, f32, 4, qs);
    p.k = fkda_tensor_contiguous(k, f32, 4, qs);
    p.v = fkda_tensor_contiguous(v, f32, 4, vs);
    p.g = fkda_tensor_contiguous(g, f32, 4, vs);
    p.beta = fkda_tensor_contiguous(beta, f32, 3, bs);
    p.A_log = fkda_tensor_contiguous(A_log, f32, 1, As);
    p.dt_bias = fkda_tensor_contiguous(bias, f32, 2, bis);
    p.initial_state = fkda_tensor_contiguous(s0, f32, 4, ss);
    p.final_state = fkda_tensor_contiguous(sT, f32, 4, ss);
    p.out = fkda_tensor_contiguous(out_p, f32, 4, vs);
    p.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    p.lower_bound = -5.0f;
    p.backend = FKDA_BACKEND_CPU;
    size_t wsb = 0;
    FKDA_OK(fkda_prefill_workspace_size(&p, &wsb));
    void *ws = wsb ? malloc(wsb) : NULL;
    FKDA_OK(fkda_prefill(&p, ws, wsb, NULL));
    free(ws);

    /* 64 decode calls on the device, each a one-token strided view of the same tensors; pool slot n. */
    void *dq = dev_float(q, nq, bf), *dk = dev_float(k, nq, bf), *dv = dev_float(v, nv, bf), *dg = dev_float(g, nv, bf);
    void *dbeta = dev_float(beta, nb, bf), *dA = dev_copy(A_log, HV * 4), *dbias = dev_copy(bias, HV * KD * 4);
    void *dpool = dev_copy(s0, nstate * 4), *dout = NULL;
    CUDA_OK(cudaMalloc(&dout, nv * 2));
    const int64_t q1[4] = {N, 1, H, KD}, v1[4] = {N, 1, HV, VD}, b1[3] = {N, 1, HV};
    const int64_t qst[4] = {(int64_t)T * H * KD, H * KD, KD, 1}, vst[4] = {(int64_t)T * HV * VD, HV * VD, VD, 1};
    const int64_t bst[3] = {(int64_t)T * HV, HV, 1};
    fkda_decode_args a = fkda_decode_args_default();
    a.state_pool = fkda_tensor_contiguous(dpool, f32, 4, ss);
    a.A_log = fkda_tensor_contiguous(dA, f32, 1, As);
    a.dt_bias = fkda_tensor_contiguous(dbias, f32, 2, bis);
    a.flags = p.flags;
    a.lower_bound = -5.0f;
    a.backend = FKDA_BACKEND_CUDA;
    for (int t = 0; t < T; t++) {
        a.q = fkda_tensor_strided((uint16_t *)dq + (size_t)t * H * KD, bf, 4, q1, qst);
        a.k = fkda_tensor_strided((uint16_t *)dk + (size_t)t * H * KD, bf, 4, q1, qst);
        a.v = fkda_tensor_strided((uint16_t *)dv + (size_t)t * HV * VD, bf, 4, v1, vst);
        a.g = fkda_tensor_strided((uint16_t *)dg + (size_t)t * HV * KD, bf, 4, v1, vst);
        a.beta = fkda_tensor_strided((uint16_t *)dbeta + (size_t)t * HV, bf, 3, b1, bst);
        a.out = fkda_tensor_strided((uint16_t *)dout + (size_t)t * HV * VD, bf, 4, v1, vst);
        FKDA_OK(fkda_decode(&a, NULL, 0, NULL));
    }
    CUDA_OK(cudaDeviceSynchronize());
    float *pool_d = malloc(nstate * 4);
    uint16_t *out_d = malloc(nv * 2);
    CUDA_OK(cudaMemcpy(pool_d, dpool, nstate * 4, cudaMemcpyDeviceToHost));
    CUDA_OK(cudaMemcpy(out_d, dout, nv * 2, cudaMemcpyDeviceToHost));
    err_acc eo = {0, 0}, es = {0, 0};
    for (size_t i = 0; i < nv; i++) err_add(&eo, bf2f(out_d[i]), out_p[i]);
    for (size_t i = 0; i < nstate; i++) err_add(&es, pool_d[i], sT[i]);
    CHECK(err_ratio(&eo) < TOL, "64 steps vs prefill: output err_ratio %.3g", err_ratio(&eo));
    CHECK(err_ratio(&es) < TOL, "64 steps vs prefill: state err_ratio %.3g", err_ratio(&es));
    printf("%-34s out %.2e  state %.2e\n", "64 decode steps vs CPU prefill", err_ratio(&eo), err_ratio(&es));

    void *dptrs[] = {dq, dk, dv, dg, dbeta, dA, dbias, dpool, dout};
    for (size_t i = 0; i < sizeof dptrs / sizeof dptrs[0]; i++) CUDA_OK(cudaFree(dptrs[i]));
    void *hptrs[] = {q, k, v, g, beta, A_log, bias, s0, sT, out_p, pool_d, out_d};
    for (size_t i = 0; i < sizeof hptrs / sizeof hptrs[0]; i++) free(hptrs[i]);
}

/* ---- unsupported shapes answer FKDA_ERROR_UNSUPPORTED and write nothing ------------------------------ */
static void test_unsupported(void)
{
    const int64_t qs[4] = {1, 1, 1, 64}, vs[4] = {1, 1, 1, 128}, gs[4] = {1, 1, 1, 64}, bs[3] = {1, 1, 1};
    const int64_t ps[4] = {1, 1, 128, 64};
    void *buf = NULL;
    CUDA_OK(cudaMalloc(&buf, 1 << 20));
    char *b = buf;
    fkda_decode_args a = fkda_decode_args_default();
    a.q = fkda_tensor_contiguous(b, FKDA_BFLOAT16, 4, qs);
    a.k = fkda_tensor_contiguous(b + 4096, FKDA_BFLOAT16, 4, qs);
    a.v = fkda_tensor_contiguous(b + 8192, FKDA_BFLOAT16, 4, vs);
    a.g = fkda_tensor_contiguous(b + 12288, FKDA_BFLOAT16, 4, gs);
    a.beta = fkda_tensor_contiguous(b + 16384, FKDA_BFLOAT16, 3, bs);
    a.out = fkda_tensor_contiguous(b + 20480, FKDA_BFLOAT16, 4, vs);
    a.state_pool = fkda_tensor_contiguous(b + 65536, FKDA_FLOAT32, 4, ps);
    a.backend = FKDA_BACKEND_CUDA;
    fkda_status st = fkda_decode(&a, NULL, 0, NULL);
    CHECK(st == FKDA_ERROR_UNSUPPORTED, "K = 64: expected UNSUPPORTED, got %s", fkda_status_string(st));
    CHECK(strstr(fkda_last_error(), "K = V = 128") != NULL, "K = 64: message '%s'", fkda_last_error());
    CUDA_OK(cudaFree(buf));
}

int main(int argc, char **argv)
{
    /* "small": the few quick cases, for compute-sanitizer. */
    const int small = argc > 1 && strcmp(argv[1], "small") == 0;
    if (!fkda_cuda_available()) {
        printf("no CUDA device: skipped\n");
        return 77;
    }
    printf("%s\n", fkda_version());
    const unsigned STD = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    const fkda_dtype bf = FKDA_BFLOAT16, f32 = FKDA_FLOAT32;

    /* Continuous batching: padding (-1), an out-of-range slot (99 >= slots), a permuted pool. */
    static const int64_t idx_cb[8] = {5, -1, 0, 11, 99, 3, 7, 2};
    dcase cb = {"batching i32, bounded, pad/oob", 8, 1, 4, 4, 12, NULL, 1, 1, idx_cb, NULL, 0, FKDA_GATE_BOUNDED, 1,
                1, STD, -5.0f, 0.0f, bf, bf, f32, 0};
    run_case(&cb);
    dcase cb16 = cb;
    cb16.name = "batching, bf16 pool";
    cb16.pool_dt = bf;
    run_case(&cb16);
    if (small) {
        static const int64_t idx_s[2 * 2] = {0, 1, -1, 2};
        static const int64_t acc_s[2] = {2, 1};
        dcase sm = {"small spec", 2, 2, 1, 2, 3, NULL, 2, 2, idx_s, acc_s, 0, FKDA_GATE_BOUNDED, 1, 1, STD, -5.0f, 0.0f,
                    bf, bf, f32, 0};
        run_case(&sm);
        static const int64_t cu_s[3] = {0, 2, 3};
        static const int64_t idx_v[2] = {1, 0};
        dcase smv = {"small varlen", 2, 3, 1, 1, 2, cu_s, 1, 1, idx_v, NULL, 1, FKDA_GATE_SOFTPLUS, 0, 1, STD, -5.0f,
                     0.0f, f32, bf, bf, 0};
        run_case(&smv);
        test_unsupported();
        printf("test_cuda_decode (small): %s\n", g_failures ? "FAILED" : "all passed");
        return g_failures ? 1 : 0;
    }
    dcase cbT = cb;
    cbT.name = "batching T = 16, i64, pool pad";
    cbT.T = 16;
    cbT.idx64 = 1;
    cbT.slot_pad = 64;
    cbT.lower_bound = -1.0f;
    run_case(&cbT);
    dcase big = {"N 64, H 32, no indices", 64, 1, 32, 32, 64, NULL, 0, 1, NULL, NULL, 0, FKDA_GATE_BOUNDED, 1, 1, STD,
                 -5.0f, 0.0f, bf, bf, f32, 0};
    run_case(&big);

    /* Speculative decoding: Tmax = 4, each position to its own slot; a -1 write; accepted 1..4; a padded row. */
    static const int64_t idx_sp[5 * 4] = {0, 1, 2, 3, 4, 5, -1, 6, 8, 9, 10, 11, -1, 12, 13, 14, 15, 16, 17, 18};
    static const int64_t acc_sp[5] = {1, 2, 4, 1, 3};
    dcase sp = {"spec decode T 4, accepted, GVA", 5, 4, 2, 4, 20, NULL, 2, 4, idx_sp, acc_sp, 0, FKDA_GATE_BOUNDED, 1,
                1, STD, -5.0f, 0.0f, bf, bf, f32, 0};
    run_case(&sp);
    dcase sp64 = sp;
    sp64.name = "spec decode i64, bf16 pool";
    sp64.idx64 = 1;
    sp64.pool_dt = bf;
    run_case(&sp64);

    /* Varlen: an empty sequence, softplus gate, f32 g and beta, negative eigenvalues, GVA, custom scale. */
    static const int64_t cu[6] = {0, 3, 3, 7, 8, 12};
    static const int64_t idx_vl[5] = {4, 0, -1, 2, 1};
    dcase vl = {"varlen, softplus, f32 g/beta, GVA", 5, 12, 2, 6, 6, cu, 1, 1, idx_vl, NULL, 0, FKDA_GATE_SOFTPLUS,
                1, 1, STD | FKDA_ALLOW_NEG_EIGVAL, -5.0f, 0.1f, f32, f32, f32, 0};
    run_case(&vl);
    static const int64_t idx_vls[5 * 4] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    static const int64_t acc_vls[5] = {2, 1, 3, 4, 1};
    dcase vls = {"varlen spec, precomputed gate", 5, 12, 2, 2, 20, cu, 2, 4, idx_vls, acc_vls, 0,
                 FKDA_GATE_PRECOMPUTED, 0, 0, STD, -5.0f, 0.0f, bf, bf, f32, 0};
    run_case(&vls);

    test_steps_match_prefill();
    test_unsupported();

    if (g_failures) {
        printf("test_cuda_decode: %d failure(s)\n", g_failures);
        return 1;
    }
    printf("test_cuda_decode: all passed\n");
    return 0;
}
