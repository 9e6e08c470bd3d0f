/* CPU prefill benchmark: the fast fp32 backend against the fp64 reference on a varlen batch shaped like
 * a long-context prefill. H = HV = 16, K = V = 128, sequences [1300, 547, 2048, 963, 271, 3063] (B = 1,
 * cu_seqlens), bounded gate with A_log and dt_bias, in-kernel L2 norm and beta sigmoid, bf16 inputs, fp32
 * initial and final states (V-first). FLOP are counted as 7 K V per token and value head (decay, two dot
 * products, rank-1 update, output). Times are wall clock, median of several runs, workspace allocated once.
 *
 * usage: cpu_bench [fast_runs (default 7)] [reference_runs (default 3)]
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "flashkda.h"
#include "testutil.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One configuration to time: arguments and its workspace. */
typedef struct runner {
    fkda_prefill_args a;
    void *ws;
    size_t bytes;
} runner;

static runner make_runner(fkda_prefill_args a, fkda_backend backend, int threads)
{
    runner r = {a, NULL, 0};
    r.a.backend = backend;
    r.a.num_threads = threads;
    if (fkda_prefill_workspace_size(&r.a, &r.bytes) != FKDA_SUCCESS) {
        fprintf(stderr, "workspace: %s\n", fkda_last_error());
        exit(1);
    }
    r.ws = r.bytes ? malloc(r.bytes) : NULL;
    return r;
}

/* Wall and CPU seconds of one call. */
static void run_once(runner *r, double *wall, double *cpu)
{
    clock_t c0 = clock();
    double t0 = omp_get_wtime();
    if (fkda_prefill(&r->a, r->ws, r->bytes, NULL) != FKDA_SUCCESS) {
        fprintf(stderr, "prefill: %s\n", fkda_last_error());
        exit(1);
    }
    *wall = omp_get_wtime() - t0;
    *cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
}

/* Sorts x; returns the median. */
static double median(double *x, int n)
{
    qsort(x, (size_t)n, sizeof(double), cmp_double);
    return x[n / 2];
}

/* Busy and total jiffies of all CPUs from /proc/stat (Linux; zeros elsewhere). Other processes skew a
 * benchmark on 2 cores: the busy share of a window, less our own CPU time, says how much they took. */
static void cpu_ticks(double *busy, double *total)
{
    unsigned long long v[8] = {0};
    FILE *f = fopen("/proc/stat", "r");
    *busy = *total = 0.0;
    if (!f) return;
    if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
        for (int i = 0; i < 8; i++) *total += (double)v[i];
        *busy = *total - (double)v[3] - (double)v[4]; /* less idle and iowait */
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    int fast_runs = argc > 1 ? atoi(argv[1]) : 7, ref_runs = argc > 2 ? atoi(argv[2]) : 3;
    static const int64_t lens[] = {1300, 547, 2048, 963, 271, 3063};
    tu_case c = tu_case_default();
    c.nseq = 6;
    c.seqlens = lens;
    c.H = c.HV = 16;
    c.K = c.V = 128;
    c.dtype = FKDA_BFLOAT16;
    c.state_dtype = FKDA_FLOAT32;
    c.states = TU_STATE_BOTH;
    c.flags = FKDA_QK_L2NORM | FKDA_BETA_SIGMOID;
    tu_prefill p;
    tu_prefill_make(&p, &c);
    const double flop = 7.0 * (double)c.K * (double)c.V * (double)p.T * (double)c.HV;

    /* correctness of this very problem first */
    tu_result fast, ref;
    if (tu_prefill_run(&p, FKDA_BACKEND_CPU, 0, &fast) || tu_prefill_run(&p, FKDA_BACKEND_REFERENCE, 0, &ref)) {
        fprintf(stderr, "run failed: %s\n", fkda_last_error());
        return 1;
    }
    double err_out = tu_err_ratio(&fast.out, &ref.out), err_state = tu_err_ratio(&fast.state, &ref.state);

    double busy0, total0, busy1, total1, cpu_fast = 0.0;
    runner rr = make_runner(p.args, FKDA_BACKEND_REFERENCE, 0), r1 = make_runner(p.args, FKDA_BACKEND_CPU, 1),
           r2 = make_runner(p.args, FKDA_BACKEND_CPU, 2);
    double wr[64], ur[64], w1[64], u1[64], w2[64], u2[64]; /* at most 64 runs each */
    if (fast_runs > 64) fast_runs = 64;
    if (ref_runs > 64) ref_runs = 64;
    if (fast_runs < 1) fast_runs = 1;
    if (ref_runs < 1) ref_runs = 1;
    clock_t clock0 = clock();
    double wall0 = omp_get_wtime();
    cpu_ticks(&busy0, &total0);
    for (int r = 0; r < fast_runs; r++) { /* 1 and 2 threads interleaved: both see the same machine */
        run_once(&r1, &w1[r], &u1[r]);
        run_once(&r2, &w2[r], &u2[r]);
    }
    cpu_ticks(&busy1, &total1);
    double wall_fast = omp_get_wtime() - wall0;
    cpu_fast = (double)(clock() - clock0) / CLOCKS_PER_SEC;
    double others = total1 > total0 ? (busy1 - busy0) / (total1 - total0) * omp_get_num_procs() * wall_fast - cpu_fast : 0.0;
    for (int r = 0; r < ref_runs; r++) run_once(&rr, &wr[r], &ur[r]);
    double t_ref = median(wr, ref_runs), t1 = median(w1, fast_runs), t2 = median(w2, fast_runs);
    double c_ref = median(ur, ref_runs), c1 = median(u1, fast_runs), c2 = median(u2, fast_runs);
    printf("KDA prefill, CPU: %s, %d OpenMP threads available\n", fkda_version(), omp_get_max_threads());
    printf("H = HV = %lld, K = V = %lld, %lld tokens in 6 sequences, bf16 inputs, fp32 states, %.2f GFLOP (7 K V per token-head)\n",
           (long long)c.HV, (long long)c.K, (long long)p.T, flop * 1e-9);
    printf("err_ratio vs fp64 reference: out %.2e, final state %.2e\n\n", err_out, err_state);
    printf("runs: reference %d, cpu %d (1 and 2 threads interleaved); other processes used %.0f%% of one core meanwhile\n\n",
           ref_runs, fast_runs, 100.0 * (others > 0 ? others : 0) / wall_fast);
    printf("| backend            | threads | median wall s | min wall s | CPU s  | GFLOP/s | x reference |\n");
    printf("|--------------------|---------|---------------|------------|--------|---------|-------------|\n");
    printf("| reference (fp64)   | 1       | %13.3f | %10.3f | %6.3f | %7.2f | %11.2f |\n", t_ref, wr[0], c_ref, flop / t_ref * 1e-9, 1.0);
    printf("| cpu (fp32)         | 1       | %13.4f | %10.4f | %6.3f | %7.2f | %11.1f |\n", t1, w1[0], c1, flop / t1 * 1e-9, t_ref / t1);
    printf("| cpu (fp32)         | 2       | %13.4f | %10.4f | %6.3f | %7.2f | %11.1f |\n", t2, w2[0], c2, flop / t2 * 1e-9, t_ref / t2);
    printf("\n(GFLOP/s and x reference from the medians; CPU s: median process CPU time of one call, all threads)\n");
    printf("\n2 threads / 1 thread: %.2fx\n", t1 / t2);
    int ok = t_ref / t2 >= 20.0 && flop / t2 * 1e-9 >= 30.0 && t1 / t2 >= 1.7;
    printf("bar (>= 20x reference, >= 30 GFLOP/s, 2T >= 1.7x 1T): %s\n", ok ? "met" : "MISSED");
    free(rr.ws);
    free(r1.ws);
    free(r2.ws);
    tu_result_free(&fast);
    tu_result_free(&ref);
    tu_prefill_free(&p);
    return 0;
}
