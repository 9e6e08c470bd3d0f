/* The library's own host time per fkda_prefill call (session 23), without Python: H = 16 varlen 6 with
 * cu_seqlens_host, inputs zero-filled (the host path does not read them), the GPU kept behind so that launches do
 * not block. Prints us per call of fkda_prefill_workspace_size and of fkda_prefill under the knob settings given as
 * arguments (NAME=VALUE,... for FKDA_PREFILL_NAME, or "auto"), median of 7 runs of 100 calls each.
 *   gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I include -I /usr/local/cuda/include host_c.c -o host_c \
 *       build/libflashkda.a -L/usr/local/cuda/lib64 -lcudart_static -ldl -lrt -lpthread -fopenmp -lm -lstdc++ */
#include <cuda_runtime.h>
#include <flashkda.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void *dalloc(size_t bytes)
{
    void *p = NULL;
    if (cudaMalloc(&p, bytes) != cudaSuccess) exit(2);
    cudaMemset(p, 0, bytes);
    return p;
}

static int cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void set_knobs(const char *ks)
{
    static const char *names[] = {"PHASES", "PAIR", "V2", "GPC"};
    char buf[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        snprintf(buf, sizeof buf, "FKDA_PREFILL_%s", names[i]);
        unsetenv(buf);
    }
    if (!strcmp(ks, "auto")) return;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", ks);
    for (char *kv = strtok(tmp, ","); kv; kv = strtok(NULL, ",")) {
        char *eq = strchr(kv, '=');
        if (!eq) continue;
        *eq = 0;
        snprintf(buf, sizeof buf, "FKDA_PREFILL_%s", kv);
        setenv(buf, eq + 1, 1);
    }
}

int main(int argc, char **argv)
{
    const int64_t H = 16, lens[6] = {1300, 547, 2048, 963, 271, 3063};
    int64_t cu[7] = {0};
    for (int i = 0; i < 6; ++i) cu[i + 1] = cu[i] + lens[i];
    const int64_t T = cu[6];
    int64_t sq[4] = {1, T, H, 128}, sb[3] = {1, T, H}, sa[1] = {H}, sd[1] = {H * 128}, ss[4] = {6, H, 128, 128}, sc[1] = {7};
    fkda_prefill_args a = fkda_prefill_args_default();
    a.q = fkda_tensor_contiguous(dalloc(T * H * 256), FKDA_BFLOAT16, 4, sq);
    a.k = fkda_tensor_contiguous(dalloc(T * H * 256), FKDA_BFLOAT16, 4, sq);
    a.v = fkda_tensor_contiguous(dalloc(T * H * 256), FKDA_BFLOAT16, 4, sq);
    a.g = fkda_tensor_contiguous(dalloc(T * H * 256), FKDA_BFLOAT16, 4, sq);
    a.out = fkda_tensor_contiguous(dalloc(T * H * 256), FKDA_BFLOAT16, 4, sq);
    a.beta = fkda_tensor_contiguous(dalloc(T * H * 2), FKDA_BFLOAT16, 3, sb);
    a.A_log = fkda_tensor_contiguous(dalloc(H * 4), FKDA_FLOAT32, 1, sa);
    a.dt_bias = fkda_tensor_contiguous(dalloc(H * 512), FKDA_FLOAT32, 1, sd);
    a.initial_state = fkda_tensor_contiguous(dalloc(6 * H * 128 * 128 * 4), FKDA_FLOAT32, 4, ss);
    a.final_state = fkda_tensor_contiguous(dalloc(6 * H * 128 * 128 * 4), FKDA_FLOAT32, 4, ss);
    void *dcu = dalloc(sizeof cu);
    cudaMemcpy(dcu, cu, sizeof cu, cudaMemcpyHostToDevice);
    a.cu_seqlens = fkda_tensor_contiguous(dcu, FKDA_INT64, 1, sc);
    a.cu_seqlens_host = fkda_tensor_contiguous(cu, FKDA_INT64, 1, sc);
    a.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID | FKDA_TRUSTED_LOCATIONS;
    a.backend = FKDA_BACKEND_CUDA;
    cudaStream_t s;
    cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    for (int i = 1; i < argc; ++i) {
        set_knobs(argv[i]);
        size_t ws = 0;
        if (fkda_prefill_workspace_size(&a, &ws)) { printf("%s: %s\n", argv[i], fkda_last_error()); continue; }
        void *dws = dalloc(ws);
        for (int w = 0; w < 5; ++w) fkda_prefill(&a, dws, ws, s);
        cudaStreamSynchronize(s);
        double q[7], c[7];
        for (int r = 0; r < 7; ++r) {
            double t = now_us();
            for (int j = 0; j < 100; ++j) fkda_prefill_workspace_size(&a, &ws);
            q[r] = (now_us() - t) / 100;
            cudaStreamSynchronize(s);
            t = now_us();
            for (int j = 0; j < 20; ++j) fkda_prefill(&a, dws, ws, s);
            c[r] = (now_us() - t) / 20;
            cudaStreamSynchronize(s);
        }
        qsort(q, 7, sizeof q[0], cmp);
        qsort(c, 7, sizeof c[0], cmp);
        printf("%-22s workspace_size %6.2f us   fkda_prefill %6.2f us (host, enqueue)\n", argv[i], q[3], c[3]);
        cudaFree(dws);
    }
    return 0;
}
