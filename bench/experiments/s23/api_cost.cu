// Host cost of the CUDA runtime calls a prefill call makes (session 23): us per call, median of 7 x 1000.
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
__global__ void dummy(int *p) { if (p) p[threadIdx.x] = 0; }
static double now_us() { timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
template <class F> static double per_call(F f, int n = 1000)
{
    double r[7];
    for (int k = 0; k < 7; ++k) {
        double t = now_us();
        for (int i = 0; i < n; ++i) f();
        r[k] = (now_us() - t) / n;
    }
    std::sort(r, r + 7);
    return r[3];
}
int main()
{
    cudaFree(0);
    int dev = 0, v = 0;
    printf("cudaGetDevice            %.3f us\n", per_call([&] { cudaGetDevice(&dev); }));
    printf("cudaDeviceGetAttribute   %.3f us (SM count)\n",
           per_call([&] { cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, dev); }));
    printf("cudaFuncSetAttribute     %.3f us (max dynamic shared memory)\n",
           per_call([&] { cudaFuncSetAttribute((const void *)dummy, cudaFuncAttributeMaxDynamicSharedMemorySize, 100000); }));
    cudaStream_t s;
    cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    cudaStreamCaptureStatus cs;
    printf("cudaStreamIsCapturing    %.3f us\n", per_call([&] { cudaStreamIsCapturing(s, &cs); }));
    printf("getenv (miss)            %.3f us\n", per_call([&] { volatile char *p = getenv("FKDA_PREFILL_NOPE"); (void)p; }));
    cudaEvent_t e;
    cudaEventCreateWithFlags(&e, cudaEventDisableTiming);
    printf("cudaEventRecord          %.3f us\n", per_call([&] { cudaEventRecord(e, s); }, 200));
    printf("cudaStreamWaitEvent      %.3f us\n", per_call([&] { cudaStreamWaitEvent(s, e, 0); }, 200));
    cudaStreamSynchronize(s);
    printf("launch <<<1,32>>>        %.3f us\n", per_call([&] { dummy<<<1, 32, 0, s>>>(nullptr); }, 200));
    cudaStreamSynchronize(s);
    cudaLaunchConfig_t c = {};
    cudaLaunchAttribute at[1];
    at[0].id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at[0].val.programmaticStreamSerializationAllowed = 1;
    c.gridDim = dim3(1); c.blockDim = dim3(32); c.stream = s; c.attrs = at; c.numAttrs = 1;
    int *np = nullptr;
    printf("cudaLaunchKernelEx (PDL) %.3f us\n", per_call([&] { cudaLaunchKernelEx(&c, dummy, np); }, 200));
    cudaStreamSynchronize(s);
    return 0;
}
