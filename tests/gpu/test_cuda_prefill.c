/* Device test of the CUDA KDA prefill (fkda_prefill, backend CUDA) against the fp64 reference (or, for the
 * long cases, the fp32 CPU backend) run on host copies of the same inputs.
 *
 * Checked per case: err_ratio(x, ref) = RMS(x - ref) / RMS(ref) of the output and of the final state below
 * 0.005 (fixed length) / 0.006 (varlen); outputs and states are pre-filled with NaN so a missed write
 * fails; a second run is bit-identical (determinism). Cases span T around the chunk sizes, varlen with
 * empty sequences, 300, 5000 and 20000 short sequences, H up to 96, GVA, states in/out/both/none, f32/bf16
 * states, both state layouts, int32/int64 cu_seqlens, strided and f32 beta, extreme gates and beta logits, T = 8192
 * and 65536, a CUDA-graph capture, and the "unsupported" answers; segments (v3) forced short on small cases
 * and planned automatically on long ones (T = 8192 H = 16, T = 65536 H = 2, host cu_seqlens). Plain C;
 * exit status 0 = pass. The "small" argument also runs one forced-segment case.
 * The kernel knobs of src/cuda/prefill.cu (FKDA_PREFILL_SPLIT, _PRECISE, _SEGMENTS, _OVERLAP, _C32, _CW) apply when
 * set; the "ov" cases force the v4 overlap kernel and compare it bit for bit with v2 on 16-token records (C32 off).
 * Run it a second time with FKDA_PREFILL_C32=0 to cover the 16-token chains where the default plan takes C32, and
 * with FKDA_PREFILL_CW=8 for the fused kernel's two-group form (the default is three groups).
 * Argument "small": a few small cases only (for compute-sanitizer).
 */
#include <pthread.h>
#include <time.h>

#include "gpu_check.h"

#define KD 128

/* ---- helpers --------------------------------------------------------------------------------------- */
static void *dev_bf16(const float *x, size_t n)
{
    uint16_t *h = malloc(n * 2 + 2);
    for (size_t i = 0; i < n; i++) h[i] = f2bf(x[i]);
    void *p = dev_copy(h, n * 2);
    free(h);
    return p;
}
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- one case -------------------------------------------------------------------------------------- */
typedef struct pcase {
    const char *name;
    int B;
    int64_t T;                /* per row (fixed) */
    int nseq;                 /* varlen when > 0: lens[] */
    const int64_t *lens;
    int H, HV;
    unsigned flags;
    int has_A, has_bias;
    float lb;
    int s_in, s_out;          /* 0 none, 1 f32, 2 bf16 */
    int inplace;              /* final_state is initial_state */
    int kfirst, cu32;
    int beta_kind;            /* 0 bf16, 1 f32, 2 strided bf16 column slice */
    int gate_extreme;         /* g = +-30: decay at the lower bound or ~0 */
    float beta_amp;           /* logits uniform in +-beta_amp (or +-30 exactly when 30) */
    int vs_cpu;               /* compare against the CPU backend instead of the fp64 reference */
    int split;                /* FKDA_PREFILL_SPLIT knob (0 = automatic; 1 is v2 only) */
} pcase;

/* a kernel knob of src/cuda/prefill.cu (FKDA_PREFILL_*): value < 0 unsets it (the automatic plan) */
static void set_knob(const char *name, int value)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", value);
    if (value < 0)
        unsetenv(name);
    else
        setenv(name, buf, 1);
}
static void set_split(int split) { set_knob("FKDA_PREFILL_SPLIT", split); }

static double g_worst_out = 0, g_worst_state = 0;

/* Segments (v3): g_seg > 0 forces segments of g_seg chunks (FKDA_PREFILL_SEGMENTS), so that short cases cut
 * sequences into many segments; -1 leaves the automatic plan. g_host_cu passes the cu_seqlens_host mirror. */
static int g_seg = -1, g_host_cu = 0;
static void set_segments(int seg) { set_knob("FKDA_PREFILL_SEGMENTS", seg); }

/* Phases of the deep chains (FKDA_PREFILL_PHASES, with cu_seqlens_host): g_phases > 0 forces that many, -1 leaves
 * the automatic plan. g_graph 1: the case's second run is a CUDA graph replay; 2: its first run too (the first phased
 * call of a process while its stream is being captured runs in one phase: the library makes its phase streams outside
 * captures only) */
static int g_phases = -1, g_graph = 0, g_pair = 0; /* g_pair: the two longest sequences forced into the first phase */
static void set_phases(int ph) { set_knob("FKDA_PREFILL_PHASES", ph); }

/* v4 overlap (FKDA_PREFILL_OVERLAP): -1 leaves it automatic; 1 forces it on, and then the case also runs the
 * v2 path (overlap 0, no segments, one V-slice) and requires the same bits: both compute the same records
 * with the same code, only the hand-over differs. */
static int g_overlap = -1;
/* FKDA_PREFILL_C32 as the suite was started with (the ov cases turn it off for their v2 run, then restore it) */
static char g_c32[16];
static void set_overlap(int ov)
{
    if (ov < 0)
        unsetenv("FKDA_PREFILL_OVERLAP");
    else
        setenv("FKDA_PREFILL_OVERLAP", ov ? "1" : "0", 1);
}

static void run_case(const pcase *c)
{
    const int varlen = c->nseq > 0;
    const int B = varlen ? 1 : c->B, H = c->H, HV = c->HV;
    int64_t T = c->T;
    const int N = varlen ? c->nseq : B;
    int64_t *cu = malloc((size_t)(N + 1) * 8);
    cu[0] = 0;
    if (varlen) {
        for (int n = 0; n < N; n++) cu[n + 1] = cu[n] + c->lens[n];
        T = cu[N];
    }
    const size_t nq = (size_t)B * T * H * KD, nv = (size_t)B * T * HV * KD, nb = (size_t)B * T * HV;
    const size_t nst = (size_t)N * HV * KD * KD;
    const double t0 = now_s();

    float *q = malloc(nq * 4), *k = malloc(nq * 4), *v = malloc(nv * 4), *g = malloc(nv * 4), *beta = malloc(nb * 4);
    float *A_log = malloc(HV * 4), *bias = malloc((size_t)HV * KD * 4), *s0 = malloc(nst * 4);
    const double kn = (c->flags & FKDA_QK_L2NORM) ? 1.0 : 1.0 / sqrt((double)KD); /* keep |k| ~ 1 without the norm */
    for (size_t i = 0; i < nq; i++) q[i] = round_bf((float)(nrand() * kn));
    for (size_t i = 0; i < nq; i++) k[i] = round_bf((float)(nrand() * kn));
    for (size_t i = 0; i < nv; i++) v[i] = round_bf((float)nrand());
    for (size_t i = 0; i < nv; i++)
        g[i] = round_bf(c->gate_extreme ? (i % 3 == 0 ? 30.f : -30.f) : (float)nrand());
    for (size_t i = 0; i < nb; i++) {
        float x;
        if (c->beta_amp == 30.f)
            x = (i % 2) ? 30.f : -30.f;
        else if (c->flags & FKDA_BETA_SIGMOID)
            x = (float)urand(-c->beta_amp, c->beta_amp);
        else
            x = (float)urand(0.0, 1.0);
        beta[i] = c->beta_kind == 1 ? x : round_bf(x);
    }
    for (int i = 0; i < HV; i++) A_log[i] = (float)log(urand(1.0, 16.0)) - 1.0f;
    for (int i = 0; i < HV * KD; i++) bias[i] = (float)(0.5 * nrand());
    for (size_t i = 0; i < nst; i++) s0[i] = (float)(0.1 * nrand());
    if (c->s_in == 2)
        for (size_t i = 0; i < nst; i++) s0[i] = round_bf(s0[i]);

    /* ---- host oracle: f32 copies of exactly the device values, V-first states ---- */
    const int64_t shq[4] = {B, T, H, KD}, shv[4] = {B, T, HV, KD}, shb[3] = {B, T, HV};
    const int64_t shs[4] = {N, HV, KD, KD}, shA[1] = {HV}, shd[2] = {HV, KD}, shc[1] = {N + 1};
    float *ref_out = malloc(nv * 4), *ref_st = malloc(nst * 4);
    {
        fkda_prefill_args a = fkda_prefill_args_default();
        a.q = fkda_tensor_contiguous(q, FKDA_FLOAT32, 4, shq);
        a.k = fkda_tensor_contiguous(k, FKDA_FLOAT32, 4, shq);
        a.v = fkda_tensor_contiguous(v, FKDA_FLOAT32, 4, shv);
        a.g = fkda_tensor_contiguous(g, FKDA_FLOAT32, 4, shv);
        a.beta = fkda_tensor_contiguous(beta, FKDA_FLOAT32, 3, shb);
        if (c->has_A) a.A_log = fkda_tensor_contiguous(A_log, FKDA_FLOAT32, 1, shA);
        if (c->has_bias) a.dt_bias = fkda_tensor_contiguous(bias, FKDA_FLOAT32, 2, shd);
        if (c->s_in) a.initial_state = fkda_tensor_contiguous(s0, FKDA_FLOAT32, 4, shs);
        a.final_state = fkda_tensor_contiguous(ref_st, FKDA_FLOAT32, 4, shs);
        if (varlen) a.cu_seqlens = fkda_tensor_contiguous(cu, FKDA_INT64, 1, shc);
        a.out = fkda_tensor_contiguous(ref_out, FKDA_FLOAT32, 4, shv);
        a.lower_bound = c->lb;
        a.flags = c->flags;
        a.backend = c->vs_cpu ? FKDA_BACKEND_CPU : FKDA_BACKEND_REFERENCE;
        size_t ws = 0;
        FKDA_OK(fkda_prefill_workspace_size(&a, &ws));
        void *w = ws ? malloc(ws) : NULL;
        FKDA_OK(fkda_prefill(&a, w, ws, NULL));
        free(w);
    }
    const double t1 = now_s();

    /* ---- device inputs ---- */
    void *dq = dev_bf16(q, nq), *dk = dev_bf16(k, nq), *dv = dev_bf16(v, nv), *dg = dev_bf16(g, nv);
    void *dA = dev_copy(A_log, HV * 4), *dbias = dev_copy(bias, (size_t)HV * KD * 4);
    void *dbeta;
    int64_t beta_stride[3] = {T * HV, HV, 1};
    if (c->beta_kind == 1) {
        dbeta = dev_copy(beta, nb * 4);
    } else if (c->beta_kind == 2) {
        /* a column slice [:, :, 1:1+HV] of a [B, T, 2*HV+1] tensor */
        const int64_t W = 2 * HV + 1;
        float *wide = malloc((size_t)B * T * W * 4);
        for (size_t i = 0; i < (size_t)B * T * W; i++) wide[i] = 7.f;
        for (size_t bt = 0; bt < (size_t)B * T; bt++)
            for (int hh = 0; hh < HV; hh++) wide[bt * W + 1 + hh] = beta[bt * HV + hh];
        uint16_t *base = dev_bf16(wide, (size_t)B * T * W);
        dbeta = base + 1;
        beta_stride[0] = T * W;
        beta_stride[1] = W;
        free(wide);
    } else {
        dbeta = dev_bf16(beta, nb);
    }
    /* states on the device: layout and dtype of the case */
    const size_t ses = c->s_in == 2 || c->s_out == 2 ? 2 : 4;
    float *s0_dev_layout = malloc(nst * 4);
    for (int64_t nh = 0; nh < (int64_t)N * HV; nh++)
        for (int vv = 0; vv < KD; vv++)
            for (int kk = 0; kk < KD; kk++) {
                const size_t src = (size_t)nh * KD * KD + (size_t)vv * KD + kk;
                const size_t dst = (size_t)nh * KD * KD + (c->kfirst ? (size_t)kk * KD + vv : (size_t)vv * KD + kk);
                s0_dev_layout[dst] = s0[src];
            }
    void *dsin = NULL, *dsout = NULL;
    if (c->s_in) dsin = c->s_in == 2 ? dev_bf16(s0_dev_layout, nst) : dev_copy(s0_dev_layout, nst * 4);
    if (c->s_out) {
        if (c->inplace) {
            dsout = dsin;
        } else {
            CUDA_OK(cudaMalloc(&dsout, nst * ses));
        }
    }
    void *dout = NULL;
    CUDA_OK(cudaMalloc(&dout, nv * 2));
    void *dcu = NULL;
    int32_t *cu32 = malloc((size_t)(N + 1) * 4);
    for (int n = 0; n <= N; n++) cu32[n] = (int32_t)cu[n];
    if (varlen) dcu = c->cu32 ? dev_copy(cu32, (size_t)(N + 1) * 4) : dev_copy(cu, (size_t)(N + 1) * 8);

    fkda_prefill_args a = fkda_prefill_args_default();
    a.q = fkda_tensor_contiguous(dq, FKDA_BFLOAT16, 4, shq);
    a.k = fkda_tensor_contiguous(dk, FKDA_BFLOAT16, 4, shq);
    a.v = fkda_tensor_contiguous(dv, FKDA_BFLOAT16, 4, shv);
    a.g = fkda_tensor_contiguous(dg, FKDA_BFLOAT16, 4, shv);
    a.beta = fkda_tensor_strided(dbeta, c->beta_kind == 1 ? FKDA_FLOAT32 : FKDA_BFLOAT16, 3, shb, beta_stride);
    if (c->has_A) a.A_log = fkda_tensor_contiguous(dA, FKDA_FLOAT32, 1, shA);
    if (c->has_bias) a.dt_bias = fkda_tensor_contiguous(dbias, FKDA_FLOAT32, 2, shd);
    const fkda_dtype sdt_in = c->s_in == 2 ? FKDA_BFLOAT16 : FKDA_FLOAT32;
    const fkda_dtype sdt_out = c->s_out == 2 ? FKDA_BFLOAT16 : FKDA_FLOAT32;
    if (c->s_in) a.initial_state = fkda_tensor_contiguous(dsin, sdt_in, 4, shs);
    if (c->s_out) a.final_state = fkda_tensor_contiguous(dsout, sdt_out, 4, shs);
    if (varlen) a.cu_seqlens = fkda_tensor_contiguous(dcu, c->cu32 ? FKDA_INT32 : FKDA_INT64, 1, shc);
    if (varlen && g_host_cu)
        a.cu_seqlens_host = c->cu32 ? fkda_tensor_contiguous(cu32, FKDA_INT32, 1, shc)
                                    : fkda_tensor_contiguous(cu, FKDA_INT64, 1, shc);
    a.out = fkda_tensor_contiguous(dout, FKDA_BFLOAT16, 4, shv);
    a.lower_bound = c->lb;
    a.flags = c->flags;
    a.state_layout = c->kfirst ? FKDA_STATE_K_FIRST : FKDA_STATE_V_FIRST;
    a.backend = FKDA_BACKEND_CUDA;
    set_split(c->split);
    set_segments(g_seg);
    set_overlap(g_overlap);
    set_phases(g_phases);

    size_t ws = 0;
    FKDA_OK(fkda_prefill_workspace_size(&a, &ws));
    void *dws = NULL;
    if (ws) CUDA_OK(cudaMalloc(&dws, ws));

    uint16_t *out1 = malloc(nv * 2), *out2 = malloc(nv * 2);
    unsigned char *st1 = malloc(nst * 4), *st2 = malloc(nst * 4);
    for (int rep = 0; rep < 3; rep++) {
        if (rep == 2 && g_overlap != 1 && (g_phases > 1 || g_pair)) { /* forced phases: one phase, the same bits */
            set_phases(1);
        } else if (rep == 2) { /* forced overlap: the v2 path (16-token records, not C32) must give the same bits */
            if (g_overlap != 1) break;
            setenv("FKDA_PREFILL_C32", "0", 1);
            set_overlap(0);
            set_segments(0);
            set_split(1);
            size_t ws2 = 0; /* v4 needs no workspace, v2 its records */
            FKDA_OK(fkda_prefill_workspace_size(&a, &ws2));
            if (ws2 > ws) {
                if (dws) CUDA_OK(cudaFree(dws));
                CUDA_OK(cudaMalloc(&dws, ws2));
                ws = ws2;
            }
        }
        CUDA_OK(cudaMemset(dout, 0xff, nv * 2)); /* NaN */
        if (c->s_out && !c->inplace) CUDA_OK(cudaMemset(dsout, 0xff, nst * ses));
        if (c->inplace) {
            if (c->s_in == 2) {
                uint16_t *h = malloc(nst * 2);
                for (size_t i = 0; i < nst; i++) h[i] = f2bf(s0_dev_layout[i]);
                CUDA_OK(cudaMemcpy(dsin, h, nst * 2, cudaMemcpyHostToDevice));
                free(h);
            } else {
                CUDA_OK(cudaMemcpy(dsin, s0_dev_layout, nst * 4, cudaMemcpyHostToDevice));
            }
        }
        if ((rep == 1 && g_graph) || (rep == 0 && g_graph == 2)) { /* a run as a CUDA graph (captured, replayed) */
            cudaStream_t gs;
            cudaGraph_t graph;
            cudaGraphExec_t exec;
            CUDA_OK(cudaStreamCreate(&gs));
            CUDA_OK(cudaStreamBeginCapture(gs, cudaStreamCaptureModeGlobal));
            const fkda_status gst = fkda_prefill(&a, dws, ws, gs);
            CUDA_OK(cudaStreamEndCapture(gs, &graph));
            CHECK(gst == FKDA_SUCCESS, "%s: graph capture: %s", c->name, fkda_last_error());
            CUDA_OK(cudaGraphInstantiate(&exec, graph, 0));
            CUDA_OK(cudaGraphLaunch(exec, gs));
            CUDA_OK(cudaStreamSynchronize(gs));
            cudaGraphExecDestroy(exec);
            cudaGraphDestroy(graph);
            cudaStreamDestroy(gs);
        } else {
            FKDA_OK(fkda_prefill(&a, dws, ws, NULL));
        }
        CUDA_OK(cudaDeviceSynchronize());
        CUDA_OK(cudaMemcpy(rep ? out2 : out1, dout, nv * 2, cudaMemcpyDeviceToHost));
        if (c->s_out) CUDA_OK(cudaMemcpy(rep ? st2 : st1, dsout, nst * (c->s_out == 2 ? 2 : 4), cudaMemcpyDeviceToHost));
        const char *what = rep < 2 ? "two runs differ" : g_overlap == 1 ? "overlap on and off differ"
                                                                        : "phases and one phase differ";
        if (rep) CHECK(memcmp(out1, out2, nv * 2) == 0, "%s: %s (out)", c->name, what);
        if (rep && c->s_out)
            CHECK(memcmp(st1, st2, nst * (c->s_out == 2 ? 2 : 4)) == 0, "%s: %s (state)", c->name, what);
    }
    if (g_c32[0]) setenv("FKDA_PREFILL_C32", g_c32, 1);

    double num = 0, den = 0;
    for (size_t i = 0; i < nv; i++) {
        const double x = bf2f(out1[i]), r = ref_out[i];
        num += (x - r) * (x - r);
        den += r * r;
    }
    const double eo = den > 0 ? sqrt(num / den) : sqrt(num);
    double es = 0;
    if (c->s_out) {
        num = den = 0;
        for (int64_t nh = 0; nh < (int64_t)N * HV; nh++)
            for (int vv = 0; vv < KD; vv++)
                for (int kk = 0; kk < KD; kk++) {
                    const size_t ri = (size_t)nh * KD * KD + (size_t)vv * KD + kk;
                    const size_t di = (size_t)nh * KD * KD + (c->kfirst ? (size_t)kk * KD + vv : (size_t)vv * KD + kk);
                    const double x = c->s_out == 2 ? bf2f(((uint16_t *)st1)[di]) : ((float *)st1)[di];
                    const double r = ref_st[ri];
                    num += (x - r) * (x - r);
                    den += r * r;
                }
        es = den > 0 ? sqrt(num / den) : sqrt(num);
    }
    /* a bf16 final state carries its own rounding (~2e-3) on top of the kernel's error */
    const double tol = varlen ? 0.006 : 0.005;
    CHECK(eo < tol, "%s: out err_ratio %.3e >= %.3g", c->name, eo, tol);
    CHECK(es < tol, "%s: state err_ratio %.3e >= %.3g", c->name, es, tol);
    if (eo > g_worst_out) g_worst_out = eo;
    if (es > g_worst_state) g_worst_state = es;
    printf("%-34s N=%-4d T=%-6lld H=%-3d HV=%-3d out %.3e state %.3e  (%s %.1fs, gpu %.1fs)\n", c->name, N,
           (long long)T, H, HV, eo, es, c->vs_cpu ? "cpu" : "ref", t1 - t0, now_s() - t1);
    set_segments(-1);
    set_overlap(-1);
    fflush(stdout);

    cudaFree(dq); cudaFree(dk); cudaFree(dv); cudaFree(dg); cudaFree(dA); cudaFree(dbias);
    cudaFree(c->beta_kind == 2 ? (void *)((uint16_t *)dbeta - 1) : dbeta);
    if (dsin) cudaFree(dsin);
    if (dsout && !c->inplace) cudaFree(dsout);
    cudaFree(dout);
    if (dcu) cudaFree(dcu);
    if (dws) cudaFree(dws);
    free(q); free(k); free(v); free(g); free(beta); free(A_log); free(bias); free(s0); free(s0_dev_layout);
    free(ref_out); free(ref_st); free(cu); free(cu32); free(out1); free(out2); free(st1); free(st2);
}

/* CUDA prefill arguments over contiguous bf16 device tensors: q, k [B, T, H, K]; v, g, out [B, T, HV, V]; beta
 * [B, T, HV]; l2 norm of q and k, beta as logits (the graph and thread cases) */
static fkda_prefill_args bf16_args(void *q, void *k, void *v, void *g, void *beta, void *out, int64_t B, int64_t T,
                                   int H, int HV)
{
    const int64_t shq[4] = {B, T, H, KD}, shv[4] = {B, T, HV, KD}, shb[3] = {B, T, HV};
    fkda_prefill_args a = fkda_prefill_args_default();
    a.q = fkda_tensor_contiguous(q, FKDA_BFLOAT16, 4, shq);
    a.k = fkda_tensor_contiguous(k, FKDA_BFLOAT16, 4, shq);
    a.v = fkda_tensor_contiguous(v, FKDA_BFLOAT16, 4, shv);
    a.g = fkda_tensor_contiguous(g, FKDA_BFLOAT16, 4, shv);
    a.beta = fkda_tensor_contiguous(beta, FKDA_BFLOAT16, 3, shb);
    a.out = fkda_tensor_contiguous(out, FKDA_BFLOAT16, 4, shv);
    a.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    a.backend = FKDA_BACKEND_CUDA;
    return a;
}

/* A varlen batch for the thread and reset cases: random bf16 q, k, v, g, beta and an out on the device, H = 2,
 * HV = 4, cu_seqlens on the device and its host copy (vi->cu, so vi must outlive the arguments); varlen_free */
#define VL_MAXN 8
typedef struct varlen_inputs {
    fkda_prefill_args a;
    int64_t cu[VL_MAXN + 1], T;
    size_t nv;      /* elements of v and out */
    void *dev[7];   /* q, k, v, g, beta, cu_seqlens, out */
} varlen_inputs;
enum { VL_H = 2, VL_HV = 4 };

static void varlen_make(varlen_inputs *vi, const int64_t *lens, int N)
{
    memset(vi, 0, sizeof *vi);
    for (int n = 0; n < N; ++n) vi->cu[n + 1] = vi->cu[n] + lens[n];
    const int64_t T = vi->T = vi->cu[N], shc[1] = {N + 1};
    const size_t nq = (size_t)T * VL_H * KD, nv = vi->nv = (size_t)T * VL_HV * KD;
    float *x = malloc(nv * 4);
    for (size_t i = 0; i < nv; i++) x[i] = (float)nrand();
    void **d = vi->dev;
    d[0] = dev_bf16(x, nq), d[1] = dev_bf16(x + 5, nq), d[2] = dev_bf16(x, nv), d[3] = dev_bf16(x + 9, nv);
    d[4] = dev_bf16(x + 13, (size_t)T * VL_HV), d[5] = dev_copy(vi->cu, (size_t)(N + 1) * sizeof(int64_t));
    CUDA_OK(cudaMalloc(&d[6], nv * 2));
    vi->a = bf16_args(d[0], d[1], d[2], d[3], d[4], d[6], 1, T, VL_H, VL_HV);
    vi->a.cu_seqlens = fkda_tensor_contiguous(d[5], FKDA_INT64, 1, shc);
    vi->a.cu_seqlens_host = fkda_tensor_contiguous(vi->cu, FKDA_INT64, 1, shc);
    free(x);
}
static void varlen_free(varlen_inputs *vi)
{
    for (int i = 0; i < 7; ++i) cudaFree(vi->dev[i]);
}

/* Two host threads, each on a stream of its own, run the same phased call (forced 3 phases) many times into their
 * own outputs and workspaces while the other does too: the library's phase streams and events are shared, and one
 * call's launches are enqueued under its lock. Every result must be the bits of a call made alone. */
typedef struct thread_job {
    fkda_prefill_args a;
    void *ws;
    size_t ws_bytes;
    const uint16_t *expect;
    size_t nv;
    int reps, bad, status;
} thread_job;

static void *thread_run(void *arg)
{
    thread_job *j = (thread_job *)arg;
    cudaStream_t s;
    if (cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) != cudaSuccess) {
        j->status = -1;
        return NULL;
    }
    uint16_t *host = malloc(j->nv * 2);
    for (int r = 0; r < j->reps && !j->status; ++r) {
        if (cudaMemsetAsync(j->a.out.data, 0xff, j->nv * 2, s) != cudaSuccess) j->status = -1;
        fkda_status st = fkda_prefill(&j->a, j->ws, j->ws_bytes, s);
        if (st != FKDA_SUCCESS) j->status = (int)st;
        if (cudaMemcpyAsync(host, j->a.out.data, j->nv * 2, cudaMemcpyDeviceToHost, s) != cudaSuccess ||
            cudaStreamSynchronize(s) != cudaSuccess)
            j->status = -1;
        j->bad += memcmp(host, j->expect, j->nv * 2) != 0;
    }
    free(host);
    cudaStreamDestroy(s);
    return NULL;
}

static void threads_case(void)
{
    static const int64_t lens[] = {300, 40, 0, 70, 5, 17, 200};
    enum { NT = 2 };
    varlen_inputs vi;
    varlen_make(&vi, lens, 7);
    const fkda_prefill_args a = vi.a;
    const size_t nv = vi.nv;
    const int64_t shv[4] = {1, vi.T, VL_HV, KD};
    void *outs[NT] = {vi.dev[6]}; /* thread 0 writes vi's out, the others their own */
    for (int t = 1; t < NT; ++t) CUDA_OK(cudaMalloc(&outs[t], nv * 2));
    set_split(0);
    set_segments(0);
    set_phases(3);
    size_t ws = 0;
    FKDA_OK(fkda_prefill_workspace_size(&a, &ws));
    thread_job jobs[NT];
    pthread_t tids[NT];
    uint16_t *expect = malloc(nv * 2);
    for (int t = 0; t < NT; ++t) {
        memset(&jobs[t], 0, sizeof jobs[t]);
        jobs[t].a = a;
        jobs[t].a.out = fkda_tensor_contiguous(outs[t], FKDA_BFLOAT16, 4, shv);
        CUDA_OK(cudaMalloc(&jobs[t].ws, ws));
        jobs[t].ws_bytes = ws;
        jobs[t].expect = expect;
        jobs[t].nv = nv;
        jobs[t].reps = 40;
    }
    /* the bits of a call made alone */
    CUDA_OK(cudaMemset(jobs[0].a.out.data, 0xff, nv * 2));
    FKDA_OK(fkda_prefill(&jobs[0].a, jobs[0].ws, ws, NULL));
    CUDA_OK(cudaDeviceSynchronize());
    CUDA_OK(cudaMemcpy(expect, jobs[0].a.out.data, nv * 2, cudaMemcpyDeviceToHost));
    for (int t = 0; t < NT; ++t) CHECK(pthread_create(&tids[t], NULL, thread_run, &jobs[t]) == 0, "pthread_create");
    int bad = 0;
    for (int t = 0; t < NT; ++t) {
        pthread_join(tids[t], NULL);
        CHECK(jobs[t].status == 0, "two threads: thread %d status %d", t, jobs[t].status);
        bad += jobs[t].bad;
        if (t) cudaFree(jobs[t].a.out.data);
        cudaFree(jobs[t].ws);
    }
    CHECK(bad == 0, "two threads: %d of %d phased calls differ from a call made alone", bad, NT * 40);
    printf("two threads, phased calls on their own streams: %d of %d differ\n", bad, NT * 40);
    set_phases(-1);
    set_segments(-1);
    varlen_free(&vi);
    free(expect);
}

/* The same call captured in a CUDA graph and replayed gives the eager result bit for bit. */
static void graph_case(void)
{
    const int B = 2, T = 100, H = 4, HV = 8;
    const size_t nq = (size_t)B * T * H * KD, nv = (size_t)B * T * HV * KD, nb = (size_t)B * T * HV;
    float *x = malloc(nv * 4);
    for (size_t i = 0; i < nv; i++) x[i] = (float)nrand();
    void *dq = dev_bf16(x, nq), *dk = dev_bf16(x + 7, nq), *dv = dev_bf16(x, nv), *dg = dev_bf16(x + 3, nv);
    void *db = dev_bf16(x + 11, nb), *dout = NULL, *dst = NULL;
    CUDA_OK(cudaMalloc(&dout, nv * 2));
    CUDA_OK(cudaMalloc(&dst, (size_t)B * HV * KD * KD * 4));
    const int64_t shq[4] = {B, T, H, KD}, shs[4] = {B, HV, KD, KD};
    fkda_prefill_args a = bf16_args(dq, dk, dv, dg, db, dout, B, T, H, HV);
    a.final_state = fkda_tensor_contiguous(dst, FKDA_FLOAT32, 4, shs);
    set_split(0);
    cudaStream_t s;
    CUDA_OK(cudaStreamCreate(&s));
    size_t ws = 0;
    void *dws = NULL;
    FKDA_OK(fkda_prefill_workspace_size(&a, &ws));
    if (ws) CUDA_OK(cudaMalloc(&dws, ws));
    FKDA_OK(fkda_prefill(&a, dws, ws, s));
    CUDA_OK(cudaStreamSynchronize(s));
    uint16_t *o1 = malloc(nv * 2), *o2 = malloc(nv * 2);
    CUDA_OK(cudaMemcpy(o1, dout, nv * 2, cudaMemcpyDeviceToHost));
    CUDA_OK(cudaMemset(dout, 0xff, nv * 2));
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CUDA_OK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
    fkda_status st = fkda_prefill(&a, dws, ws, s);
    CUDA_OK(cudaStreamEndCapture(s, &graph));
    CHECK(st == FKDA_SUCCESS, "graph capture: %s", fkda_last_error());
    CUDA_OK(cudaGraphInstantiate(&exec, graph, 0));
    CUDA_OK(cudaGraphLaunch(exec, s));
    CUDA_OK(cudaStreamSynchronize(s));
    CUDA_OK(cudaMemcpy(o2, dout, nv * 2, cudaMemcpyDeviceToHost));
    CHECK(memcmp(o1, o2, nv * 2) == 0, "graph replay differs from the eager call");
    printf("graph capture: %s\n", memcmp(o1, o2, nv * 2) == 0 ? "ok" : "MISMATCH");

    /* unsupported configurations answer FKDA_ERROR_UNSUPPORTED with a message */
    a.gate = FKDA_GATE_SOFTPLUS;
    st = fkda_prefill(&a, dws, ws, s);
    CHECK(st == FKDA_ERROR_UNSUPPORTED, "softplus gate: status %d", (int)st);
    printf("softplus gate -> %s: %s\n", fkda_status_string(st), fkda_last_error());
    a.gate = FKDA_GATE_BOUNDED;
    const int64_t strq[4] = {T * H * KD * 2, H * KD * 2, KD * 2, 2};
    a.q = fkda_tensor_strided(dq, FKDA_BFLOAT16, 4, shq, strq);
    void *dq2 = NULL;
    CUDA_OK(cudaMalloc(&dq2, nq * 4));
    a.q.data = dq2;
    st = fkda_prefill(&a, dws, ws, s);
    CHECK(st == FKDA_ERROR_UNSUPPORTED, "strided q: status %d", (int)st);
    printf("inner stride 2 -> %s: %s\n", fkda_status_string(st), fkda_last_error());
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(s);
    cudaFree(dq); cudaFree(dq2); cudaFree(dk); cudaFree(dv); cudaFree(dg); cudaFree(db); cudaFree(dout); cudaFree(dst);
    if (dws) cudaFree(dws);
    free(x); free(o1); free(o2);
}

#define STD (FKDA_QK_L2NORM | FKDA_BETA_SIGMOID)

/* sequence lengths of the varlen cases used in more than one place */
static const int64_t lens_a[] = {5, 0, 16, 33, 0, 64, 1, 100, 17};
static const int64_t lens_big[] = {1300, 547, 2048, 963, 271, 3063};
/* C32 deep longest-first chains (launch_v2: varlen, units <= SMs, sequences averaging >= 64 tokens) in small cases, so
 * that the sanitizers see them: one long sequence with GVA, and 120 chain units of 40 value heads */
static const int64_t lens_deep[] = {300, 40, 0, 70, 5, 17};
static const int64_t lens_hv40[] = {200, 180, 150};

/* Phases (prep and chain launches per long sequence, then the rest; cu_seqlens_host needed), forced: 2 to 4 phases on
 * C32 (lens_deep) and 16-token records (lens_a: short sequences and empty ones in the rest), int32 cu_seqlens with 40
 * value heads (2 phases at most: 80 SMs held by the first chain), the two longest sequences forced into the first
 * phase (FKDA_PREFILL_PAIR=2, eager and as graphs); the automatic plan on lens_big at H = 16 (full suite: the two
 * longest first). Each forced case also runs in one phase and must give the same bits; the first runs every call as a CUDA
 * graph, the second its second call. */
static void run_phase_cases(int small)
{
    const pcase c2 = {"phases 2 C32", 0, 0, 6, lens_deep, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0};
    const pcase c3 = {"phases 3 C32 bf16 states", 0, 0, 6, lens_deep, 2, 4, STD, 1, 1, -5.f, 2, 2, 0, 0, 0, 0, 0,
                      3.f, 0, 0};
    const pcase c4 = {"phases 4 16-token", 0, 0, 9, lens_a, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0};
    const pcase c40 = {"phases 2 HV=40 int32", 0, 0, 3, lens_hv40, 8, 40, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f,
                       0, 0};
    const pcase cb = {"phases auto varlen 6 H=16", 0, 0, 6, lens_big, 16, 16, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0,
                      3.f, 1, 0};
    g_host_cu = 1;
    g_seg = 0; /* no segments (phases need the deep chains) */
    g_phases = 2;
    g_graph = 2;
    run_case(&c2);
    g_graph = 1;
    run_case(&c2);
    g_graph = 0;
    run_case(&c40);
    g_phases = 3;
    run_case(&c3);
    g_phases = 4;
    run_case(&c4);
    /* the two longest sequences (300, 70) in the first phase, then the rest; eager and as graphs */
    const pcase cp = {"phases: the two longest first", 0, 0, 6, lens_deep, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0,
                      3.f, 0, 0};
    g_phases = -1;
    g_pair = 1;
    set_knob("FKDA_PREFILL_PAIR", 2);
    run_case(&cp);
    g_graph = 2;
    run_case(&cp);
    g_graph = 0;
    set_knob("FKDA_PREFILL_PAIR", -1);
    g_pair = 0;
    if (!small) {
        g_phases = -1;
        run_case(&cb);
    }
    g_phases = -1;
    g_seg = -1;
    g_host_cu = 0;
}

/* The kernel nodes of a forced 2-phase call (lens_deep, H = 2, HV = 4) captured in a CUDA graph after an eager one:
 * 4 when the call ran in two phases (a prep and a chain each), 2 when it fell back to one. */
static size_t phased_kernel_nodes(void)
{
    varlen_inputs vi;
    varlen_make(&vi, lens_deep, 6);
    const fkda_prefill_args a = vi.a;
    void *dws = NULL;
    set_split(0);
    set_segments(0);
    set_phases(2);
    size_t ws = 0, nodes = 0, kernels = 0;
    FKDA_OK(fkda_prefill_workspace_size(&a, &ws));
    CUDA_OK(cudaMalloc(&dws, ws));
    cudaStream_t s;
    CUDA_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    FKDA_OK(fkda_prefill(&a, dws, ws, s)); /* makes the phase streams where none exist */
    cudaGraph_t graph;
    CUDA_OK(cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal));
    const fkda_status st = fkda_prefill(&a, dws, ws, s);
    CUDA_OK(cudaStreamEndCapture(s, &graph));
    CHECK(st == FKDA_SUCCESS, "phased capture: %s", fkda_last_error());
    CUDA_OK(cudaGraphGetNodes(graph, NULL, &nodes));
    cudaGraphNode_t *list = malloc((nodes + 1) * sizeof *list);
    CUDA_OK(cudaGraphGetNodes(graph, list, &nodes));
    for (size_t i = 0; i < nodes; ++i) {
        enum cudaGraphNodeType t;
        CUDA_OK(cudaGraphNodeGetType(list[i], &t));
        kernels += t == cudaGraphNodeTypeKernel;
    }
    CUDA_OK(cudaStreamSynchronize(s));
    set_phases(-1);
    set_segments(-1);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(s);
    cudaFree(dws);
    varlen_free(&vi);
    free(list);
    return kernels;
}

/* Stream order after a phased call (forced 2 phases, H = 2, HV = 4) whose first phase's chain (a 4000-token sequence)
 * ends long after the rest's: an async copy of out in the caller's stream right after the call, and one in a second
 * stream that waits for an event recorded after the call, must give the bits of a call followed by
 * cudaDeviceSynchronize (the caller's stream waits for every phase stream at the end of the call). Full suite only: the
 * 4000-token chain outlasts the sanitizers' time limits on the small one. */
static void stream_order_case(void)
{
    static const int64_t lens[] = {64, 4000, 40, 0, 64};
    varlen_inputs vi;
    varlen_make(&vi, lens, 5);
    const fkda_prefill_args a = vi.a;
    set_split(0);
    set_segments(0);
    set_phases(2);
    size_t ws = 0;
    FKDA_OK(fkda_prefill_workspace_size(&a, &ws));
    void *dws = NULL;
    CUDA_OK(cudaMalloc(&dws, ws));
    uint16_t *ref = malloc(vi.nv * 2), *pin = NULL;
    CUDA_OK(cudaMallocHost((void **)&pin, vi.nv * 2));
    cudaStream_t s, s2;
    cudaEvent_t ev;
    CUDA_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    CUDA_OK(cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking));
    CUDA_OK(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming));
    CUDA_OK(cudaMemset(a.out.data, 0xff, vi.nv * 2));
    FKDA_OK(fkda_prefill(&a, dws, ws, s));
    CUDA_OK(cudaDeviceSynchronize());
    CUDA_OK(cudaMemcpy(ref, a.out.data, vi.nv * 2, cudaMemcpyDeviceToHost));
    int bad = 0;
    for (int rep = 0; rep < 6; ++rep) {
        CUDA_OK(cudaMemsetAsync(a.out.data, 0xff, vi.nv * 2, s));
        FKDA_OK(fkda_prefill(&a, dws, ws, s));
        if (rep & 1) {
            CUDA_OK(cudaEventRecord(ev, s));
            CUDA_OK(cudaStreamWaitEvent(s2, ev, 0));
            CUDA_OK(cudaMemcpyAsync(pin, a.out.data, vi.nv * 2, cudaMemcpyDeviceToHost, s2));
            CUDA_OK(cudaStreamSynchronize(s2));
        } else {
            CUDA_OK(cudaMemcpyAsync(pin, a.out.data, vi.nv * 2, cudaMemcpyDeviceToHost, s));
            CUDA_OK(cudaStreamSynchronize(s));
        }
        bad += memcmp(pin, ref, vi.nv * 2) != 0;
    }
    CUDA_OK(cudaDeviceSynchronize());
    CHECK(bad == 0, "stream order after a phased call: %d of 6 copies differ from the synchronised call", bad);
    printf("stream order after a phased call: %s\n", bad ? "MISMATCH" : "ok");
    set_phases(-1);
    set_segments(-1);
    cudaEventDestroy(ev);
    cudaStreamDestroy(s2);
    cudaStreamDestroy(s);
    cudaFreeHost(pin);
    free(ref);
    cudaFree(dws);
    varlen_free(&vi);
}

/* cudaDeviceReset destroys the context and with it the library's phase streams; phased calls afterwards must make
 * new ones (they are kept per context): still correct (run_case, whose second run in one phase must give the same
 * bits) and still in two phases (the captured call's kernel nodes). Last: the reset frees everything. */
static void reset_case(void)
{
    const pcase c = {"phases 2 after cudaDeviceReset", 0, 0, 6, lens_deep, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0,
                     3.f, 0, 0};
    const size_t before = phased_kernel_nodes();
    CUDA_OK(cudaDeviceReset());
    g_host_cu = 1;
    g_seg = 0;
    g_phases = 2;
    run_case(&c);
    g_phases = -1;
    g_seg = -1;
    g_host_cu = 0;
    const size_t after = phased_kernel_nodes();
    CHECK(before == 4 && after == 4, "phased call: %zu kernel nodes before cudaDeviceReset, %zu after (4 expected)",
          before, after);
    printf("cudaDeviceReset: a phased call has %zu kernel nodes before, %zu after\n", before, after);
}

int main(int argc, char **argv)
{
    gpu_seed(0x2545f4914f6cdd1dull);
    if (getenv("FKDA_PREFILL_C32")) snprintf(g_c32, sizeof g_c32, "%s", getenv("FKDA_PREFILL_C32"));
    if (!fkda_cuda_available()) {
        fprintf(stderr, "no CUDA device\n");
        return 2;
    }
    static const int64_t lens_b[] = {0, 0, 31, 0};
    static int64_t lens300[300];
    for (int i = 0; i < 300; i++) lens300[i] = (i * 37) % 29 + (i % 7 == 0 ? 0 : 1);
    static const int64_t lens_one[] = {20000};
    /* tens of thousands of sequences (0-4 tokens, a fifth of them empty: three rounds of the prep's sequence search,
     * more chain CTAs than any other case), and 5000 with states */
    static int64_t lens20k[20000], lens5k[5000];
    for (int i = 0; i < 20000; i++) lens20k[i] = (i * 37) % 5;
    for (int i = 0; i < 5000; i++) lens5k[i] = (i * 13) % 9;

    /* segments (v3), forced short: long and short sequences, tails, empty ones, every state option */
    static const int64_t lens_seg[] = {5, 0, 300, 16, 33, 0, 170, 1, 64, 47};
    static const int64_t lens_small_seg[] = {5, 0, 70, 33, 1, 40};
    if (argc > 1 && strcmp(argv[1], "small") == 0) {
        const pcase c = {"small varlen", 0, 0, 9, lens_a, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0};
        run_case(&c);
        const pcase cs = {"small varlen segments L=2", 0, 0, 6, lens_small_seg, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0,
                          0, 0, 0, 3.f, 0, 0};
        g_seg = 2;
        run_case(&cs);
        g_seg = -1;
        const pcase co = {"small varlen overlap", 0, 0, 9, lens_a, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0};
        g_overlap = 1;
        run_case(&co);
        g_overlap = -1;
        const pcase cw = {"small varlen C32 deep", 0, 0, 6, lens_deep, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0,
                          3.f, 0, 0};
        run_case(&cw);
        const pcase cw0 = {"small varlen C32 HV=40", 0, 0, 3, lens_hv40, 8, 40, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0,
                           3.f, 0, 0};
        run_case(&cw0);
        run_phase_cases(1);
        threads_case();
        reset_case();
        printf("%s\n", g_failures ? "FAILED" : "PASSED");
        return g_failures ? 1 : 0;
    }

    const pcase cases[] = {
        /* name                  B  T   nseq lens H  HV flags   A  bias lb   sin sout inpl kf cu32 beta ext amp cpu split */
        {"T=1",                  1, 1,     0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=15",                 1, 15,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=16",                 1, 16,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=17",                 1, 17,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=63 B=2",             2, 63,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=64 B=3 no A_log",    3, 64,    0, NULL, 4, 4, STD, 0, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=65 no bias lb=-1",   1, 65,    0, NULL, 4, 4, STD, 1, 0, -1.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=1000 H=1",           1, 1000,  0, NULL, 1, 1, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=1000 H=4 split1",    1, 1000,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 1},
        {"T=1000 H=4 split2",    1, 1000,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 2},
        {"T=1000 H=4 split4",    1, 1000,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 4},
        {"T=1000 H=4 split8",    1, 1000,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 8},
        {"T=300 H=32",           1, 300,   0, NULL, 32, 32, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"T=100 H=96",           1, 100,   0, NULL, 96, 96, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"GVA HV=2H",            2, 77,    0, NULL, 4, 8, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"GVA HV=4H",            1, 130,   0, NULL, 2, 8, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"no states",            2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 0, 0, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"state in only",        2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 0, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"state out only",       2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 0, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"bf16 states",          2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 2, 2, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"in-place f32 state",   2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 1, 0, 0, 0, 0, 3.f, 0, 0},
        {"K-first states",       2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 1, 0, 0, 0, 3.f, 0, 0},
        {"no l2norm",            1, 90,    0, NULL, 4, 4, FKDA_BETA_SIGMOID, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"beta activated f32",   1, 90,    0, NULL, 4, 4, FKDA_QK_L2NORM, 1, 1, -5.f, 1, 1, 0, 0, 0, 1, 0, 3.f, 0, 0},
        {"neg eigval",           1, 90,    0, NULL, 4, 4, STD | FKDA_ALLOW_NEG_EIGVAL, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"strided beta",         2, 70,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 2, 0, 3.f, 0, 0},
        {"extreme gates",        1, 200,   0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 1, 3.f, 0, 0},
        {"beta logits +-30",     1, 200,   0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 30.f, 0, 0},
        {"varlen int64",         0, 0,     9, lens_a, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"varlen int32 empty",   0, 0,     4, lens_b, 4, 8, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"varlen N=300",         0, 0,   300, lens300, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"varlen N=20000 int32", 0, 0, 20000, lens20k, 1, 1, STD, 1, 1, -5.f, 0, 0, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"varlen N=5000 states", 0, 0,  5000, lens5k, 1, 1, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"varlen 6 seqs H=4",    0, 0,     6, lens_big, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 1, 0},
        {"varlen C32 deep",      0, 0,     6, lens_deep, 2, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"varlen C32 HV=40",     0, 0,     3, lens_hv40, 8, 40, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"T=8192 H=16",          1, 8192,  0, NULL, 16, 16, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 1, 0},
        {"T=65536 H=2",          1, 65536, 0, NULL, 2, 2, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 1, 0},
    };
    const pcase seg_cases[] = {
        /* name                  B  T   nseq lens H  HV flags   A  bias lb   sin sout inpl kf cu32 beta ext amp cpu split */
        {"seg L=1 T=50",         1, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg L=2 T=200 B=2",    2, 200,   0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg L=3 varlen GVA",   0, 0,    10, lens_seg, 4, 8, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"seg L=4 bf16 K-first", 1, 150,   0, NULL, 4, 4, STD, 1, 1, -5.f, 2, 2, 0, 1, 0, 0, 0, 3.f, 0, 0},
        {"seg L=2 in-place",     2, 100,   0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 1, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg L=5 no states",    1, 333,   0, NULL, 4, 4, STD, 1, 1, -5.f, 0, 0, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg L=3 state in only", 1, 200,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 0, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg L=3 state out only", 1, 200, 0, NULL, 4, 4, STD, 1, 1, -5.f, 0, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg L=3 split8",       1, 300,   0, NULL, 2, 2, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 8},
        {"seg L=3 extreme gates", 1, 200,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 1, 3.f, 0, 0},
        {"seg L=2 slow decay lb=-0.05", 1, 400, 0, NULL, 2, 2, STD, 0, 0, -0.05f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"seg auto varlen host cu H=16", 0, 0, 6, lens_big, 16, 16, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 1, 0},
        {"seg auto varlen N=1 T=20000 H=4", 0, 0, 1, lens_one, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 1, 0},
    };
    static const int seg_len[] = {1, 2, 3, 4, 2, 5, 3, 3, 3, 3, 2, -1, -1};
    /* v4 overlap forced on (each also compared bit for bit with v2): tails, ring wrap-around, empty sequences,
     * GVA, every state option, beta kinds, flags, many heads, many short sequences */
    const pcase ov_cases[] = {
        /* name                  B  T   nseq lens H  HV flags   A  bias lb   sin sout inpl kf cu32 beta ext amp cpu split */
        {"ov T=1",               1, 1,     0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov T=17 B=2",          2, 17,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov T=1000 H=4",        1, 1000,  0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        /* three producer groups (two with FKDA_PREFILL_CW=8), a ring of 6 stages: 3, 4 and 6 chunks (no
         * wrap-around), and a long run of 257 chunks with a tail */
        {"ov T=48 B=3",          3, 48,    0, NULL, 2, 2, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov T=64 B=2",          2, 64,    0, NULL, 2, 2, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov T=96",              1, 96,    0, NULL, 2, 2, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov T=4111 H=2",        1, 4111,  0, NULL, 2, 2, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov T=100 H=96",        1, 100,   0, NULL, 96, 96, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov GVA HV=4H",         1, 130,   0, NULL, 2, 8, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov no states",         2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 0, 0, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov state in only",     2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 0, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov state out only",    2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 0, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov bf16 K-first",      2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 2, 2, 0, 1, 0, 0, 0, 3.f, 0, 0},
        {"ov in-place",          2, 50,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 1, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov no l2norm no A",    1, 90,    0, NULL, 4, 4, FKDA_BETA_SIGMOID, 0, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov beta f32 neg eig",  1, 90,    0, NULL, 4, 4, FKDA_QK_L2NORM | FKDA_ALLOW_NEG_EIGVAL, 1, 0, -1.f, 1, 1, 0, 0, 0, 1, 0, 3.f, 0, 0},
        {"ov strided beta",      2, 70,    0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 2, 0, 3.f, 0, 0},
        {"ov extreme gates",     1, 200,   0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 1, 3.f, 0, 0},
        {"ov beta logits +-30",  1, 200,   0, NULL, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 30.f, 0, 0},
        {"ov varlen int64",      0, 0,     9, lens_a, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 0, 0},
        {"ov varlen int32 empty GVA", 0, 0, 4, lens_b, 4, 8, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"ov varlen N=300",      0, 0,   300, lens300, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"ov varlen N=20000",    0, 0, 20000, lens20k, 1, 1, STD, 1, 1, -5.f, 0, 0, 0, 0, 1, 0, 0, 3.f, 0, 0},
        {"ov varlen 6 seqs H=4", 0, 0,     6, lens_big, 4, 4, STD, 1, 1, -5.f, 1, 1, 0, 0, 0, 0, 0, 3.f, 1, 0},
    };
    const double t0 = now_s();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i]);
    for (size_t i = 0; i < sizeof seg_cases / sizeof seg_cases[0]; i++) {
        g_seg = seg_len[i];
        g_host_cu = seg_len[i] < 0;
        run_case(&seg_cases[i]);
    }
    g_seg = -1;
    g_host_cu = 0;
    g_overlap = 1;
    for (size_t i = 0; i < sizeof ov_cases / sizeof ov_cases[0]; i++) run_case(&ov_cases[i]);
    g_overlap = -1;
    run_phase_cases(0);
    stream_order_case();
    threads_case();
    graph_case();
    set_overlap(1); /* the v4 kernel captured in a graph too */
    graph_case();
    set_overlap(-1);
    reset_case();
    printf("worst err_ratio: out %.3e, state %.3e; %d failure(s); %.1f s\n", g_worst_out, g_worst_state, g_failures,
           now_s() - t0);
    printf("%s\n", g_failures ? "FAILED" : "PASSED");
    return g_failures ? 1 : 0;
}
