/* Where do CTAs of one SM each land, with and without clusters of two? Records %smid per CTA and counts the
 * cluster pairs whose two SMs are TPC siblings (smid / 2 equal). Build: nvcc -arch=sm_90a -o tpc_probe tpc_probe.cu */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void probe(int *sm, long long spin_ns)
{
    extern __shared__ unsigned char smem[];
    unsigned id;
    asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
    if (threadIdx.x == 0) sm[blockIdx.x] = (int)id;
    unsigned long long a, b;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(a));
    do asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(b)); while ((long long)(b - a) < spin_ns);
    smem[threadIdx.x] = (unsigned char)id;
}

static void run(int grid, int cluster, size_t smem)
{
    int *d, h[1024];
    cudaMalloc(&d, sizeof(int) * grid);
    cudaFuncSetAttribute(probe, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)smem);
    cudaLaunchConfig_t c = {};
    c.gridDim = dim3(grid);
    c.blockDim = dim3(128);
    c.dynamicSmemBytes = smem;
    cudaLaunchAttribute at;
    at.id = cudaLaunchAttributeClusterDimension;
    at.val.clusterDim.x = cluster;
    at.val.clusterDim.y = 1;
    at.val.clusterDim.z = 1;
    c.attrs = &at;
    c.numAttrs = cluster > 1;
    cudaError_t e = cudaLaunchKernelEx(&c, probe, d, 200000LL);
    if (e == cudaSuccess) e = cudaDeviceSynchronize();
    if (e != cudaSuccess) { printf("grid %d cluster %d: %s\n", grid, cluster, cudaGetErrorString(e)); return; }
    cudaMemcpy(h, d, sizeof(int) * grid, cudaMemcpyDeviceToHost);
    int sib = 0, pairs = 0, seen[256] = {0}, dup = 0;
    for (int i = 0; i + 1 < grid; i += 2, ++pairs) sib += h[i] / 2 == h[i + 1] / 2;
    for (int i = 0; i < grid; ++i) dup += seen[h[i] & 255]++ > 0;
    int tpcs_both = 0;
    int cnt[128] = {0};
    for (int i = 0; i < grid; ++i) cnt[(h[i] / 2) & 127]++;
    for (int i = 0; i < 128; ++i) tpcs_both += cnt[i] == 2;
    printf("grid %3d cluster %d smem %zu: pairs (2i, 2i+1) on one TPC %d of %d; TPCs holding two CTAs %d; SMs shared %d; smids",
           grid, cluster, smem, sib, pairs, tpcs_both, dup);
    for (int i = 0; i < grid && i < 40; ++i) printf(" %d", h[i]);
    printf("\n");
    cudaFree(d);
}

int main()
{
    size_t big = 200 * 1024;
    for (int grid : {32, 64, 132}) {
        run(grid, 1, big);
        run(grid, 2, big);
    }
    run(64, 2, 48 * 1024);
    return 0;
}
