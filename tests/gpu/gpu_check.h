/* Shared pieces of the device programs (the tests in tests/gpu and bench/decode_bench.c): failure counting, CUDA and
 * flashkda status checks, a small deterministic random source, bf16 rounding, and host-to-device copies.
 * Plain C, header-only (static functions), so each program stays one file plus the library. */
#ifndef FKDA_GPU_CHECK_H
#define FKDA_GPU_CHECK_H

#include <cuda_runtime_api.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flashkda.h"

#if defined(__GNUC__)
#define GPU_UNUSED __attribute__((unused))
#else
#define GPU_UNUSED
#endif

static int g_failures GPU_UNUSED = 0;

/* A failed check is counted and reported; the program goes on and exits non-zero at the end. */
#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                                   \
            fprintf(stderr, __VA_ARGS__);                                                                          \
            fprintf(stderr, "\n");                                                                                 \
            g_failures++;                                                                                          \
        }                                                                                                          \
    } while (0)

#define CUDA_OK(expr)                                                                                              \
    do {                                                                                                           \
        cudaError_t e_ = (expr);                                                                                   \
        if (e_ != cudaSuccess) {                                                                                   \
            fprintf(stderr, "CUDA error %s at %s:%d: %s\n", cudaGetErrorString(e_), __FILE__, __LINE__, #expr);    \
            exit(2);                                                                                               \
        }                                                                                                          \
    } while (0)

#define FKDA_OK(expr)                                                                                              \
    do {                                                                                                           \
        fkda_status s_ = (expr);                                                                                   \
        if (s_ != FKDA_SUCCESS) {                                                                                  \
            fprintf(stderr, "flashkda error at %s:%d: %s: %s\n", __FILE__, __LINE__, fkda_status_string(s_),       \
                    fkda_last_error());                                                                            \
            exit(2);                                                                                               \
        }                                                                                                          \
    } while (0)

/* xorshift64*; each program sets its own seed with gpu_seed() so its cases stay what they were. */
static uint64_t g_rng GPU_UNUSED = 0x9e3779b97f4a7c15ull;
static GPU_UNUSED void gpu_seed(uint64_t seed) { g_rng = seed ? seed : 1; }
static GPU_UNUSED double urand(double lo, double hi) /* uniform in [lo, hi) */
{
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    uint64_t x = g_rng * 0x2545f4914f6cdd1dull;
    return lo + (hi - lo) * (double)(x >> 11) * (1.0 / 9007199254740992.0);
}
static GPU_UNUSED double nrand(void) /* standard normal (Box-Muller) */
{
    double u = urand(1e-12, 1.0), w = urand(0.0, 1.0);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * w);
}

/* float <-> bf16 bits, round to nearest even (the inputs here are finite) */
static GPU_UNUSED uint16_t f2bf(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}
static GPU_UNUSED float bf2f(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static GPU_UNUSED float round_bf(float f) { return bf2f(f2bf(f)); }

/* A device copy of bytes host bytes (at least 16 bytes allocated, so empty tensors get a valid pointer). */
static GPU_UNUSED void *dev_copy(const void *host, size_t bytes)
{
    void *p = NULL;
    CUDA_OK(cudaMalloc(&p, bytes ? bytes : 16));
    if (bytes) CUDA_OK(cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice));
    return p;
}

#endif
