/* Device memory for the command-line tool: the library never allocates, so the tool copies a host problem
 * to the GPU itself (CUDA runtime API, plain C). Without CUDA these are stubs that report it missing. */
#include <stdio.h>

#include "cli.h"

#ifdef FKDA_CLI_CUDA
#include <cuda_runtime_api.h>

int cli_cuda_usable(void)
{
    return fkda_cuda_available();
}

int cli_dev_alloc(void **p, size_t bytes, char *err)
{
    cudaError_t e = cudaMalloc(p, bytes);
    if (e != cudaSuccess) {
        *p = NULL;
        snprintf(err, CLI_ERRLEN, "cudaMalloc(%zu bytes): %s", bytes, cudaGetErrorString(e));
        return -1;
    }
    return 0;
}

int cli_dev_copy(void *dst, const void *src, size_t bytes, int to_device, char *err)
{
    cudaError_t e = cudaMemcpy(dst, src, bytes, to_device ? cudaMemcpyHostToDevice : cudaMemcpyDeviceToHost);
    if (e != cudaSuccess) {
        snprintf(err, CLI_ERRLEN, "cudaMemcpy: %s", cudaGetErrorString(e));
        return -1;
    }
    return 0;
}

void cli_dev_free(void *p)
{
    if (p)
        cudaFree(p);
}

int cli_dev_sync(char *err)
{
    cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
        snprintf(err, CLI_ERRLEN, "CUDA: %s", cudaGetErrorString(e));
        return -1;
    }
    return 0;
}

#else

int cli_cuda_usable(void)
{
    return 0;
}

int cli_dev_alloc(void **p, size_t bytes, char *err)
{
    (void)bytes;
    *p = NULL;
    snprintf(err, CLI_ERRLEN, "this flashkda was built without CUDA");
    return -1;
}

int cli_dev_copy(void *dst, const void *src, size_t bytes, int to_device, char *err)
{
    (void)dst, (void)src, (void)bytes, (void)to_device;
    snprintf(err, CLI_ERRLEN, "this flashkda was built without CUDA");
    return -1;
}

void cli_dev_free(void *p)
{
    (void)p;
}

int cli_dev_sync(char *err)
{
    (void)err;
    return 0;
}

#endif
