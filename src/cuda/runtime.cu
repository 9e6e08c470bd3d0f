/* CUDA backend: device queries used by the API front end (backend choice from where pointers live). */
#include <cuda_runtime.h>

#include "internal.h"

extern "C" int fkda_cuda_compiled(void) { return 1; }

/* The device count cannot change during a process's life (CUDA enumerates devices once), so it is asked
 * once: validation calls this for every tensor, and the Python per-call overhead budget is tens of us. */
extern "C" int fkda_cuda_device_count(void)
{
    static volatile int cached = -1;
    int n = cached;
    if (n >= 0) return n;
    n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        (void)cudaGetLastError(); /* no driver or no device: clear the error and report none */
        n = 0;
    }
    cached = n;
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
