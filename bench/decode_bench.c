/* Decode benchmark of the CUDA backend: fkda_decode timed under CUDA-graph replay (20 calls captured in
 * one graph, median over replays of the per-call time), H = HV = 32, K = V = 128, one token per sequence,
 * bounded gate with A_log and dt_bias, in-kernel L2 norm and beta sigmoid, state pool updated in place
 * through int32 slot indices (a permutation). Reports the fraction of the device-to-device copy bandwidth
 * measured in the same run (bytes read + written by cudaMemcpyAsync of 1 GiB), counting the state read
 * and written. Also: host time of one eager call, and err_ratio of one call against the fp64 reference.
 *
 * usage: decode_bench [f32|bf16] [N ...]   (default: both dtypes, N = 1 8 64 256 1024)
 * FKDA_BENCH_VARIANTS="auto;ROWS=8;ROWS=16" times each listed kernel variant on the same inputs: a variant
 * is "auto" (the library's choice) or KEY=VALUE pairs, each setting FKDA_DECODE_<KEY> for its calls (the
 * library reads those knobs per call). FKDA_BENCH_ACCURACY=1 adds err_ratio at N = 256 (first variant).
 * Prints one JSON object per line.
 */
#include <time.h>

#include "../tests/gpu/gpu_check.h"

enum { H = 32, KD = 128, VD = 128, CALLS = 20, REPLAYS = 25 };

static int cmp_f(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

/* Device-to-device copy bandwidth, bytes read + written per second (median of 10). */
static double copy_bandwidth(cudaStream_t s)
{
    const size_t bytes = (size_t)1 << 30;
    void *a, *b;
    CUDA_OK(cudaMalloc(&a, bytes));
    CUDA_OK(cudaMalloc(&b, bytes));
    CUDA_OK(cudaMemsetAsync(a, 1, bytes, s));
    cudaEvent_t e0, e1;
    CUDA_OK(cudaEventCreate(&e0));
    CUDA_OK(cudaEventCreate(&e1));
    float t[10];
    for (int i = 0; i < 12; i++) {
        CUDA_OK(cudaEventRecord(e0, s));
        CUDA_OK(cudaMemcpyAsync(b, a, bytes, cudaMemcpyDeviceToDevice, s));
        CUDA_OK(cudaEventRecord(e1, s));
        CUDA_OK(cudaEventSynchronize(e1));
        if (i >= 2) CUDA_OK(cudaEventElapsedTime(&t[i - 2], e0, e1));
    }
    qsort(t, 10, sizeof t[0], cmp_f);
    CUDA_OK(cudaFree(a));
    CUDA_OK(cudaFree(b));
    CUDA_OK(cudaEventDestroy(e0));
    CUDA_OK(cudaEventDestroy(e1));
    return 2.0 * (double)bytes / (t[5] * 1e-3);
}

typedef struct host_inputs {
    float *q, *k, *v, *g, *beta, *A_log, *bias, *pool;
    int32_t *idx;
} host_inputs;

static void *upload_bf16(const float *x, size_t n)
{
    uint16_t *h = malloc(n * 2);
    for (size_t i = 0; i < n; i++) h[i] = f2bf(x[i]);
    void *d;
    CUDA_OK(cudaMalloc(&d, n * 2));
    CUDA_OK(cudaMemcpy(d, h, n * 2, cudaMemcpyHostToDevice));
    free(h);
    return d;
}
static void *upload(const void *x, size_t bytes)
{
    void *d;
    CUDA_OK(cudaMalloc(&d, bytes));
    CUDA_OK(cudaMemcpy(d, x, bytes, cudaMemcpyHostToDevice));
    return d;
}

/* err_ratio of one call against the fp64 reference (output and the whole pool). */
static void accuracy(const fkda_decode_args *dev, const host_inputs *in, int N, fkda_dtype pool_dt, double *err_out,
                     double *err_state)
{
    const size_t nq = (size_t)N * H * KD, npool = nq * VD;
    void *out_d = malloc(nq * 2), *pool_d = malloc(npool * (pool_dt == FKDA_FLOAT32 ? 4 : 2));
    CUDA_OK(cudaMemcpy(out_d, dev->out.data, nq * 2, cudaMemcpyDeviceToHost));
    CUDA_OK(cudaMemcpy(pool_d, dev->state_pool.data, npool * (pool_dt == FKDA_FLOAT32 ? 4 : 2), cudaMemcpyDeviceToHost));
    float *out_r = calloc(nq, 4), *pool_r = malloc(npool * 4);
    int64_t *idx64 = malloc(N * 8);
    for (int n = 0; n < N; n++) idx64[n] = in->idx[n];
    memcpy(pool_r, in->pool, npool * 4);
    const int64_t qs[4] = {N, 1, H, KD}, bs[3] = {N, 1, H}, ps[4] = {N, H, VD, KD}, is[1] = {N};
    fkda_decode_args h = *dev;
    const fkda_dtype f32 = FKDA_FLOAT32;
    h.q = fkda_tensor_contiguous(in->q, f32, 4, qs);
    h.k = fkda_tensor_contiguous(in->k, f32, 4, qs);
    h.v = fkda_tensor_contiguous(in->v, f32, 4, qs);
    h.g = fkda_tensor_contiguous(in->g, f32, 4, qs);
    h.beta = fkda_tensor_contiguous(in->beta, f32, 3, bs);
    h.A_log.data = in->A_log;
    h.dt_bias.data = in->bias;
    h.state_pool = fkda_tensor_contiguous(pool_r, f32, 4, ps);
    h.ssm_state_indices = fkda_tensor_contiguous(idx64, FKDA_INT64, 1, is);
    h.out = fkda_tensor_contiguous(out_r, f32, 4, qs);
    h.backend = FKDA_BACKEND_REFERENCE;
    size_t wsb = 0;
    FKDA_OK(fkda_decode_workspace_size(&h, &wsb));
    void *ws = wsb ? malloc(wsb) : NULL;
    FKDA_OK(fkda_decode(&h, ws, wsb, NULL));
    free(ws);
    double num = 0, den = 0;
    for (size_t i = 0; i < nq; i++) {
        double d = bf2f(((uint16_t *)out_d)[i]) - out_r[i];
        num += d * d;
        den += (double)out_r[i] * out_r[i];
    }
    *err_out = sqrt(num / den);
    num = den = 0;
    for (size_t i = 0; i < npool; i++) {
        double x = pool_dt == FKDA_FLOAT32 ? ((float *)pool_d)[i] : bf2f(((uint16_t *)pool_d)[i]);
        num += (x - pool_r[i]) * (x - pool_r[i]);
        den += (double)pool_r[i] * pool_r[i];
    }
    *err_state = sqrt(num / den);
    free(out_d);
    free(pool_d);
    free(out_r);
    free(pool_r);
    free(idx64);
}

static const char *const KNOBS[] = {"ROWS", "CPL", "PDL", "PAIR"}; /* FKDA_DECODE_* knobs of the kernels (now and in history) */

/* Sets the FKDA_DECODE_* knobs of one variant ("auto" or "KEY=VALUE,..."); clears the others. */
static void set_variant(const char *v)
{
    char name[64], buf[256];
    for (size_t i = 0; i < sizeof KNOBS / sizeof KNOBS[0]; i++) {
        snprintf(name, sizeof name, "FKDA_DECODE_%s", KNOBS[i]);
        unsetenv(name);
    }
    if (strcmp(v, "auto") == 0) return;
    snprintf(buf, sizeof buf, "%s", v);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        if (eq == NULL) continue;
        *eq = 0;
        snprintf(name, sizeof name, "FKDA_DECODE_%s", tok);
        setenv(name, eq + 1, 1);
    }
}

static void bench_variant(fkda_decode_args *a, int N, fkda_dtype pool_dt, double copy_bw, cudaStream_t s,
                          const char *variant, double err_out, double err_state);

static void bench_one(int N, fkda_dtype pool_dt, double copy_bw, cudaStream_t s, int want_accuracy, char *variants)
{
    const size_t nq = (size_t)N * H * KD, nb = (size_t)N * H, npool = nq * VD;
    /* Random pool: all of it for the accuracy check, else a few slots repeated (quick set-up at large N). */
    const size_t ninit = want_accuracy ? npool : (size_t)(N < 4 ? N : 4) * H * VD * KD;
    host_inputs in;
    in.q = malloc(nq * 4); in.k = malloc(nq * 4); in.v = malloc(nq * 4); in.g = malloc(nq * 4);
    in.beta = malloc(nb * 4); in.A_log = malloc(H * 4); in.bias = malloc(H * KD * 4); in.pool = malloc(ninit * 4);
    in.idx = malloc(N * 4);
    for (size_t i = 0; i < nq; i++) {
        in.q[i] = bf2f(f2bf(urand(-1, 1)));
        in.k[i] = bf2f(f2bf(urand(-1, 1)));
        in.v[i] = bf2f(f2bf(urand(-1, 1)));
        in.g[i] = bf2f(f2bf(urand(-3, 3)));
    }
    for (size_t i = 0; i < nb; i++) in.beta[i] = bf2f(f2bf(urand(-3, 3)));
    for (int i = 0; i < H; i++) in.A_log[i] = urand(-1.5f, 0.5f);
    for (int i = 0; i < H * KD; i++) in.bias[i] = urand(-1, 1);
    for (size_t i = 0; i < ninit; i++) {
        float x = urand(-0.5f, 0.5f);
        in.pool[i] = pool_dt == FKDA_BFLOAT16 ? bf2f(f2bf(x)) : x;
    }
    for (int n = 0; n < N; n++) in.idx[n] = (int32_t)((n * 7 + 3) % N); /* a permutation when gcd(7, N) = 1 */
    if (N % 7 == 0)
        for (int n = 0; n < N; n++) in.idx[n] = N - 1 - n;

    void *dq = upload_bf16(in.q, nq), *dk = upload_bf16(in.k, nq), *dv = upload_bf16(in.v, nq);
    void *dg = upload_bf16(in.g, nq), *dbeta = upload_bf16(in.beta, nb);
    void *dA = upload(in.A_log, H * 4), *dbias = upload(in.bias, H * KD * 4), *didx = upload(in.idx, N * 4);
    void *dpool = pool_dt == FKDA_FLOAT32 ? upload(in.pool, ninit * 4) : upload_bf16(in.pool, ninit);
    if (ninit < npool) {
        const size_t esz = pool_dt == FKDA_FLOAT32 ? 4 : 2;
        void *big;
        CUDA_OK(cudaMalloc(&big, npool * esz));
        for (size_t off = 0; off < npool; off += ninit)
            CUDA_OK(cudaMemcpy((char *)big + off * esz, dpool, (npool - off < ninit ? npool - off : ninit) * esz,
                               cudaMemcpyDeviceToDevice));
        CUDA_OK(cudaFree(dpool));
        dpool = big;
    }
    void *dout;
    CUDA_OK(cudaMalloc(&dout, nq * 2));

    const int64_t qs[4] = {N, 1, H, KD}, bs[3] = {N, 1, H}, ps[4] = {N, H, VD, KD}, is[1] = {N}, As[1] = {H};
    const int64_t bis[2] = {H, KD};
    const fkda_dtype bf = FKDA_BFLOAT16;
    fkda_decode_args a = fkda_decode_args_default();
    a.q = fkda_tensor_contiguous(dq, bf, 4, qs);
    a.k = fkda_tensor_contiguous(dk, bf, 4, qs);
    a.v = fkda_tensor_contiguous(dv, bf, 4, qs);
    a.g = fkda_tensor_contiguous(dg, bf, 4, qs);
    a.beta = fkda_tensor_contiguous(dbeta, bf, 3, bs);
    a.out = fkda_tensor_contiguous(dout, bf, 4, qs);
    a.A_log = fkda_tensor_contiguous(dA, FKDA_FLOAT32, 1, As);
    a.dt_bias = fkda_tensor_contiguous(dbias, FKDA_FLOAT32, 2, bis);
    a.state_pool = fkda_tensor_contiguous(dpool, pool_dt, 4, ps);
    a.ssm_state_indices = fkda_tensor_contiguous(didx, FKDA_INT32, 1, is);
    a.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    a.lower_bound = -5.0f;
    a.backend = FKDA_BACKEND_CUDA;

    /* Each variant on the same buffers; the first call of the first variant sees the untouched inputs. */
    double err_out = -1, err_state = -1;
    int first = 1;
    char *save = NULL;
    for (char *v = strtok_r(variants, ";", &save); v != NULL; v = strtok_r(NULL, ";", &save)) {
        set_variant(v);
        if (first && want_accuracy) {
            FKDA_OK(fkda_decode(&a, NULL, 0, s));
            CUDA_OK(cudaStreamSynchronize(s));
            accuracy(&a, &in, N, pool_dt, &err_out, &err_state);
        }
        bench_variant(&a, N, pool_dt, copy_bw, s, v, first ? err_out : -1, first ? err_state : -1);
        first = 0;
    }
    set_variant("auto");

    void *dptrs[] = {dq, dk, dv, dg, dbeta, dA, dbias, didx, dpool, dout};
    for (size_t i = 0; i < sizeof dptrs / sizeof dptrs[0]; i++) CUDA_OK(cudaFree(dptrs[i]));
    free(in.q); free(in.k); free(in.v); free(in.g); free(in.beta); free(in.A_log); free(in.bias); free(in.pool);
    free(in.idx);
}

static void bench_variant(fkda_decode_args *a, int N, fkda_dtype pool_dt, double copy_bw, cudaStream_t s,
                          const char *variant, double err_out, double err_state)
{
    const size_t npool = (size_t)N * H * KD * VD;
    FKDA_OK(fkda_decode(a, NULL, 0, s));
    CUDA_OK(cudaStreamSynchronize(s));

    /* Host time of an eager call (validation + launch), the device kept busy by nothing else. */
    double h0 = now_us();
    for (int i = 0; i < 50; i++) FKDA_OK(fkda_decode(a, NULL, 0, s));
    double host_us = (now_us() - h0) / 50;
    CUDA_OK(cudaStreamSynchronize(s));

    /* Graph of CALLS calls, replayed. */
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    CUDA_OK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    for (int i = 0; i < CALLS; i++) FKDA_OK(fkda_decode(a, NULL, 0, s));
    CUDA_OK(cudaStreamEndCapture(s, &graph));
    CUDA_OK(cudaGraphInstantiate(&exec, graph, 0));
    cudaEvent_t e0, e1;
    CUDA_OK(cudaEventCreate(&e0));
    CUDA_OK(cudaEventCreate(&e1));
    float t[REPLAYS];
    for (int i = 0; i < 3; i++) CUDA_OK(cudaGraphLaunch(exec, s));
    for (int i = 0; i < REPLAYS; i++) {
        CUDA_OK(cudaEventRecord(e0, s));
        CUDA_OK(cudaGraphLaunch(exec, s));
        CUDA_OK(cudaEventRecord(e1, s));
        CUDA_OK(cudaEventSynchronize(e1));
        CUDA_OK(cudaEventElapsedTime(&t[i], e0, e1));
    }
    qsort(t, REPLAYS, sizeof t[0], cmp_f);
    const double us = t[REPLAYS / 2] * 1e3 / CALLS;
    const double state_bytes = 2.0 * (double)npool * (pool_dt == FKDA_FLOAT32 ? 4 : 2);
    const double frac = state_bytes / (us * 1e-6) / copy_bw;
    printf("{\"N\": %d, \"H\": %d, \"pool\": \"%s\", \"variant\": \"%s\", \"graph_us\": %.2f, "
           "\"state_rw_bytes\": %.0f, \"bw_fraction\": %.4f, \"host_us_per_eager_call\": %.2f, "
           "\"err_out\": %.3e, \"err_state\": %.3e}\n",
           N, H, pool_dt == FKDA_FLOAT32 ? "f32" : "bf16", variant, us, state_bytes, frac, host_us,
           err_out, err_state);
    fflush(stdout);

    CUDA_OK(cudaGraphExecDestroy(exec));
    CUDA_OK(cudaGraphDestroy(graph));
    CUDA_OK(cudaEventDestroy(e0));
    CUDA_OK(cudaEventDestroy(e1));
}

int main(int argc, char **argv)
{
    int Ns[16] = {1, 8, 64, 256, 1024}, nN = 5, dts = 3; /* bit 0: f32, bit 1: bf16 */
    int argi = 1;
    if (argi < argc && strcmp(argv[argi], "f32") == 0) { dts = 1; argi++; }
    else if (argi < argc && strcmp(argv[argi], "bf16") == 0) { dts = 2; argi++; }
    if (argi < argc) {
        nN = 0;
        for (; argi < argc && nN < 16; argi++) Ns[nN++] = atoi(argv[argi]);
    }
    const int accuracy_on = getenv("FKDA_BENCH_ACCURACY") != NULL;
    cudaStream_t s;
    CUDA_OK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    const double bw = copy_bandwidth(s);
    printf("{\"copy_bandwidth_GBps\": %.1f, \"version\": \"%s\"}\n", bw * 1e-9, fkda_version());
    for (int d = 0; d < 2; d++) {
        if (!(dts & (1 << d))) continue;
        for (int i = 0; i < nN; i++)
        {
            const char *vl = getenv("FKDA_BENCH_VARIANTS");
            char variants[4096];
            snprintf(variants, sizeof variants, "%s", vl != NULL && *vl ? vl : "auto");
            bench_one(Ns[i], d == 0 ? FKDA_FLOAT32 : FKDA_BFLOAT16, bw, s, accuracy_on && Ns[i] == 256, variants);
        }
    }
    CUDA_OK(cudaStreamDestroy(s));
    return 0;
}
