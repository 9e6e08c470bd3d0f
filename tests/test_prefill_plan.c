/* The CUDA prefill's planner, on the host (no GPU): which path each bar shape of issue 3 takes (the "path" column of
 * the README's table; a planner change that moves one must update the table), and invariants of the plan over many
 * fixed-length and varlen shapes: v4.1 needs no workspace and has no segments, C32 segments are whole pairs and
 * shorter than the longest sequence, phases only with host lengths, every plan that runs kernels asks for a
 * workspace, and the same arguments give the same plan. Skipped in a build without CUDA. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define SMS 132 /* an H100 SXM */
#define MAXN 64

typedef struct plan_case {
    fkda_prefill_args a;
    fkda_dims d;
    int64_t cu[MAXN + 1];
    int64_t longest; /* 16-token chunks of the longest sequence */
} plan_case;

/* B sequences of lens[0] tokens (fixed length) when all n lengths are equal and varlen is 0, else one varlen batch
 * of n sequences, with a host copy of cu_seqlens when host is set */
static void make_case(plan_case *c, int64_t H, const int64_t *lens, int n, int varlen, int host)
{
    memset(c, 0, sizeof *c);
    c->cu[0] = 0;
    for (int i = 0; i < n; ++i) {
        c->cu[i + 1] = c->cu[i] + lens[i];
        const int64_t ch = (lens[i] + 15) / 16;
        if (ch > c->longest) c->longest = ch;
    }
    c->d.H = c->d.HV = H;
    c->d.K = c->d.V = 128;
    c->d.group = 1;
    c->d.N = n;
    c->d.varlen = varlen;
    c->d.B = varlen ? 1 : n;
    c->d.T = varlen ? c->cu[n] : lens[0];
    if (varlen && host) {
        c->a.cu_seqlens_host.data = c->cu;
        c->a.cu_seqlens_host.dtype = FKDA_INT64;
        c->a.cu_seqlens_host.rank = 1;
        c->a.cu_seqlens_host.shape[0] = n + 1;
        c->a.cu_seqlens_host.stride[0] = 1;
    }
}

static fkda_prefill_plan_info plan_of(const plan_case *c)
{
    fkda_prefill_plan_info p;
    if (!fkda_cuda_prefill_plan(&c->a, &c->d, SMS, &p)) skip();
    return p;
}

static void clear_knobs(void)
{
    static const char *const names[] = {"SPLIT", "PRECISE", "SEGMENTS", "V2", "OVERLAP", "ORDER", "DEEP", "PDL",
                                        "C32", "PHASES", "BULK", "CW", "GPC", "PAIR"};
    char buf[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
        snprintf(buf, sizeof buf, "FKDA_PREFILL_%s", names[i]);
        unsetenv(buf);
    }
}

/* The eleven shapes of issue 3's bar and the path each takes (README, "Status"). */
static void bar_shapes(void **state)
{
    (void)state;
    clear_knobs();
    static const int64_t mixed[6] = {1300, 547, 2048, 963, 271, 3063};
    int64_t l8192[1] = {8192}, l65536[1] = {65536}, l1024x8[8], l256x64[64];
    for (int i = 0; i < 8; ++i) l1024x8[i] = 1024;
    for (int i = 0; i < 64; ++i) l256x64[i] = 256;
    plan_case c;
    fkda_prefill_plan_info p;

    /* v4.1: H = 96 (all three), H = 16 1024 x 8, H = 32 256 x 64 */
    const struct {
        int64_t H;
        const int64_t *lens;
        int n, varlen;
    } fused[] = {{96, l8192, 1, 0}, {96, mixed, 6, 1}, {96, l1024x8, 8, 0}, {16, l1024x8, 8, 0}, {32, l256x64, 64, 0}};
    for (size_t i = 0; i < sizeof fused / sizeof fused[0]; ++i) {
        make_case(&c, fused[i].H, fused[i].lens, fused[i].n, fused[i].varlen, 1);
        p = plan_of(&c);
        assert_int_equal(p.overlap, 1);
        assert_int_equal(p.seg_len, 0);
        assert_int_equal(p.ws_bytes, 0);
    }
    /* v2 C32, no segments: H = 64 and 32, 1 x 8192 */
    for (int64_t H = 32; H <= 64; H += 32) {
        make_case(&c, H, l8192, 1, 0, 0);
        p = plan_of(&c);
        assert_int_equal(p.overlap, 0);
        assert_int_equal(p.c32, 1);
        assert_int_equal(p.seg_len, 0);
        assert_int_equal(p.phases, 1);
    }
    /* v3 C32 (segments): H = 16 1 x 8192 in 2, H = 8 1 x 8192 in 4, H = 16 1 x 65536 in 2 */
    make_case(&c, 16, l8192, 1, 0, 0);
    p = plan_of(&c);
    assert_int_equal(p.c32, 1);
    assert_int_equal(p.seg_len, 256);
    make_case(&c, 8, l8192, 1, 0, 0);
    assert_int_equal(plan_of(&c).seg_len, 128);
    make_case(&c, 16, l65536, 1, 0, 0);
    assert_int_equal(plan_of(&c).seg_len, 2048);
    /* H = 16 varlen 6 with host lengths: v2 C32, deep chains in 2 phases; without host lengths one phase */
    make_case(&c, 16, mixed, 6, 1, 1);
    p = plan_of(&c);
    assert_int_equal(p.overlap, 0);
    assert_int_equal(p.c32, 1);
    assert_int_equal(p.seg_len, 0);
    assert_int_equal(p.phases, 2);
    assert_int_equal(p.phase0_seqs, 2); /* the two longest (3063, 2048) first, then the rest */
    setenv("FKDA_PREFILL_PAIR", "0", 1);
    p = plan_of(&c);
    assert_int_equal(p.phases, 2);
    assert_int_equal(p.phase0_seqs, 1);
    unsetenv("FKDA_PREFILL_PAIR");
    make_case(&c, 16, mixed, 6, 1, 0);
    assert_int_equal(plan_of(&c).phases, 1);
    /* H = 8 varlen 6 with host lengths: 3 phases (their chains in GPC-sized clusters), 2 with FKDA_PREFILL_GPC=0 */
    make_case(&c, 8, mixed, 6, 1, 1);
    assert_int_equal(plan_of(&c).phases, 3);
    assert_int_equal(plan_of(&c).phase0_seqs, 1);
    setenv("FKDA_PREFILL_GPC", "0", 1);
    assert_int_equal(plan_of(&c).phases, 2);
    unsetenv("FKDA_PREFILL_GPC");
}

static void check_invariants(const plan_case *c, int host)
{
    const fkda_prefill_plan_info p = plan_of(c), again = plan_of(c);
    assert_memory_equal(&p, &again, sizeof p);
    assert_true(p.phases >= 1 && p.phases <= 4);
    assert_true(p.phase0_seqs == 1 || (p.phase0_seqs == 2 && p.phases == 2 && c->d.N >= 3));
    assert_true(p.seg_len >= 0);
    if (p.overlap) {
        assert_int_equal(p.seg_len, 0);
        assert_int_equal(p.ws_bytes, 0);
        assert_int_equal(p.phases, 1);
    }
    if (p.seg_len) {
        assert_true(p.seg_len < c->longest);
        if (p.c32) assert_int_equal(p.seg_len % 2, 0);
        assert_int_equal(p.phases, 1);
    }
    if (c->d.varlen && c->d.N > 1 && !host) {
        assert_int_equal(p.seg_len, 0); /* the lengths are on the device only */
        assert_int_equal(p.phases, 1);
    }
    if (!p.overlap && c->d.B * c->d.T > 0) assert_true(p.ws_bytes > 0);
}

static void invariants_fixed(void **state)
{
    (void)state;
    clear_knobs();
    static const int64_t heads[] = {1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 32, 48, 64, 96};
    static const int64_t Ts[] = {1, 15, 16, 17, 33, 100, 1024, 3000, 4096, 8192, 12000, 65536, 131072};
    static const int Bs[] = {1, 2, 4, 8};
    plan_case c;
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; ++h)
        for (size_t t = 0; t < sizeof Ts / sizeof Ts[0]; ++t)
            for (size_t b = 0; b < sizeof Bs / sizeof Bs[0]; ++b) {
                int64_t lens[8];
                for (int i = 0; i < Bs[b]; ++i) lens[i] = Ts[t];
                make_case(&c, heads[h], lens, Bs[b], 0, 0);
                check_invariants(&c, 0);
            }
}

static void invariants_varlen(void **state)
{
    (void)state;
    clear_knobs();
    uint64_t x = 0x9e3779b97f4a7c15ull;
    plan_case c;
    for (int it = 0; it < 400; ++it) {
        int64_t lens[MAXN];
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        const int n = 2 + (int)((x >> 33) % (MAXN - 1));
        const int64_t cap = (int64_t)1 << (4 + (int)((x >> 20) % 10)); /* up to 8192 tokens a sequence */
        for (int i = 0; i < n; ++i) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            lens[i] = (int64_t)((x >> 33) % (uint64_t)(cap + 1)); /* empty sequences too */
        }
        const int64_t H = (int64_t)1 << ((x >> 40) % 7);
        for (int host = 0; host <= 1; ++host) {
            make_case(&c, H, lens, n, 1, host);
            check_invariants(&c, host);
        }
    }
}

/* The knobs override the plan (bench/plan_check.py relies on it). */
static void knobs(void **state)
{
    (void)state;
    clear_knobs();
    int64_t l8192[1] = {8192};
    plan_case c;
    make_case(&c, 16, l8192, 1, 0, 0);
    setenv("FKDA_PREFILL_SEGMENTS", "0", 1);
    assert_int_equal(plan_of(&c).seg_len, 0);
    setenv("FKDA_PREFILL_SEGMENTS", "100", 1);
    assert_int_equal(plan_of(&c).seg_len, 100);
    clear_knobs();
    setenv("FKDA_PREFILL_OVERLAP", "1", 1);
    assert_int_equal(plan_of(&c).overlap, 1);
    clear_knobs();
    setenv("FKDA_PREFILL_C32", "0", 1);
    assert_int_equal(plan_of(&c).c32, 0);
    clear_knobs();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bar_shapes),
        cmocka_unit_test(invariants_fixed),
        cmocka_unit_test(invariants_varlen),
        cmocka_unit_test(knobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
