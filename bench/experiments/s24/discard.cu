// Session 24 experiment: drop a buffer's lines from L2 without writing them back (discard.global.L2), or a no-op
// kernel of the same launch shape, after a prefill call, to measure what the dirty records left in L2 cost the
// next call. Built as a shared library and called through ctypes by discard_ab.py.
#include <cuda_runtime.h>
#include <stddef.h>

__global__ void discard_lines(char *p, size_t lines, int on)
{
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < lines; i += (size_t)gridDim.x * blockDim.x)
        if (on) asm volatile("discard.global.L2 [%0], 128;" ::"l"(p + i * 128) : "memory");
}

extern "C" int fk_discard(void *p, size_t bytes, void *stream, int on)
{
    char *b = (char *)(((size_t)p + 127) & ~(size_t)127);
    size_t skip = (size_t)(b - (char *)p), lines = bytes > skip ? (bytes - skip) / 128 : 0;
    discard_lines<<<528, 256, 0, (cudaStream_t)stream>>>(b, lines, on);
    return (int)cudaGetLastError();
}
