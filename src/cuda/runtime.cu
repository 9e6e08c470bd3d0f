/* CUDA backend: device queries used by the API front end (backend choice from where pointers live). */
#include <cuda_runtime.h>

#include "internal.h"

extern "C" int fkda_cuda_compiled(void) { return 1; }

extern "C" int fkda_cuda_device_count(void)
{
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        (void)cudaGetLastError(); /* no driver or no device: clear the sticky-free error and report none */
        return 0;
    }
    return n;
}

extern "C" int fkda_cuda_is_device_pointer(const void *p)
{
    if (p == NULL || fkda_cuda_device_count() == 0) return 0;
    cudaPointerAttributes attr;
    if (cudaPointerGetAttributes(&attr, p) != cudaSuccess) {
        (void)cudaGetLastError();
        return 0;
    }
    return attr.type == cudaMemoryTypeDevice || attr.type == cudaMemoryTypeManaged;
}
