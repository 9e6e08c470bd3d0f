// host probe of plan_prefill: phase and segment picks for the batches of bench/NOTES.md (no GPU: sm_count = 132)
#include "cuda/prefill.cu"
#include <cstdarg>
#include <cstdio>
#include <vector>
extern "C" fkda_status fkda_fail(fkda_status s, const char *fmt, ...) { va_list ap; va_start(ap, fmt); vfprintf(stderr, fmt, ap); va_end(ap); return s; }
extern "C" void fkda_clear_error(void) {}
static void probe(const char *name, int H, std::vector<int64_t> lens)
{
    std::vector<int64_t> cu(lens.size() + 1, 0);
    for (size_t i = 0; i < lens.size(); ++i) cu[i + 1] = cu[i] + lens[i];
    fkda_prefill_args a; memset(&a, 0, sizeof a);
    fkda_dims d; memset(&d, 0, sizeof d);
    d.B = 1; d.T = cu.back(); d.H = H; d.HV = H; d.K = d.V = 128; d.N = (int64_t)lens.size(); d.group = 1;
    d.varlen = lens.size() > 1;
    if (d.varlen) {
        a.cu_seqlens_host.data = cu.data(); a.cu_seqlens_host.dtype = FKDA_INT64; a.cu_seqlens_host.rank = 1;
        a.cu_seqlens_host.shape[0] = (int64_t)cu.size(); a.cu_seqlens_host.stride[0] = 1;
    } else { d.N = 1; }
    const prefill_knobs kn = read_knobs();
    const prefill_plan pl = plan_prefill(&a, &d, &kn);
    printf("%-14s H%-3d phases %d gain %.1f seg L %lld overlap %d c32 %d\n", name, H, pl.ph.k, pl.ph.gain_us,
           (long long)pl.seg.L, pl.overlap, pl.c32);
}
int main()
{
    std::vector<int64_t> BIG = {1300, 547, 2048, 963, 271, 3063};
    std::vector<int64_t> L30 = {300,200,100,50,800,1200,90,70,60,40,30,20,10,5,1,333,444,555,666,777,888,999,123,234,345,456,567,678,789,890};
    for (int h : {2, 4, 8, 12, 16, 20, 24}) probe("BIG", h, BIG);
    probe("L30", 4, L30);
    for (int h : {8, 12, 16}) probe("4000+1000x4", h, {4000, 1000, 1000, 1000, 1000});
    probe("3063,16", 16, {3063, 16});
    probe("3000x2", 32, {3000, 3000});
    for (int h : {2, 4, 8, 16, 32, 64}) probe("1x8192", h, {8192});
    probe("1x65536", 16, {65536});
    return 0;
}
extern "C" const char *fkda_dtype_name(fkda_dtype) { return "?"; }
extern "C" fkda_status fkda_check_workspace(const void *, size_t, size_t) { return FKDA_SUCCESS; }
