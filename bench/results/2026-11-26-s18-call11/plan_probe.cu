#include "cuda/prefill.cu"
#include <cstdarg>
#include <cstdio>
extern "C" fkda_status fkda_fail(fkda_status s, const char *fmt, ...) { va_list ap; va_start(ap, fmt); vfprintf(stderr, fmt, ap); va_end(ap); return s; }
extern "C" void fkda_clear_error(void) {}
extern "C" const char *fkda_dtype_name(fkda_dtype) { return "?"; }
extern "C" fkda_status fkda_check_workspace(const void *, size_t, size_t) { return FKDA_SUCCESS; }
int main()
{
    for (int h : {1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48}) for (int64_t T : {1024, 2048, 3000, 4096, 6000, 8192, 12000, 16384, 24000, 32768, 65536, 131072}) for (int64_t B : {1, 2, 4}) {
        fkda_prefill_args a; memset(&a, 0, sizeof a);
        fkda_dims d; memset(&d, 0, sizeof d);
        d.B = B; d.T = T; d.H = h; d.HV = h; d.K = d.V = 128; d.N = B; d.group = 1;
        const prefill_knobs kn = read_knobs();
        const prefill_plan pl = plan_prefill(&a, &d, &kn);
        printf("H%-3d B%lld T%-6lld seg L %lld overlap %d c32 %d\n", h, (long long)B, (long long)T, (long long)pl.seg.L, pl.overlap, pl.c32);
    }
    return 0;
}
