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

#include "flashkda.h"
#include "testutil.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median wall time of runs calls of fkda_prefill with the given backend and thread count. */
static double time_prefill(fkda_prefill_args a, fkda_backend backend, int threads, int runs)
{
    a.backend = backend;
    a.num_threads = threads;
    size_t bytes = 0;
    if (fkda_prefill_workspace_size(&a, &bytes) != FKDA_SUCCESS) {
        fprintf(stderr, "workspace: %s\n", fkda_last_error());
        exit(1);
    }
    void *ws = bytes ? malloc(bytes) : NULL;
    double *t = malloc(sizeof(double) * (size_t)runs);
    for (int r = 0; r < runs; r++) {
        double t0 = omp_get_wtime();
        if (fkda_prefill(&a, ws, bytes, NULL) != FKDA_SUCCESS) {
            fprintf(stderr, "prefill: %s\n", fkda_last_error());
            exit(1);
        }
        t[r] = omp_get_wtime() - t0;
    }
    qsort(t, (size_t)runs, sizeof(double), cmp_double);
    double med = t[runs / 2];
    free(t);
    free(ws);
    return med;
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

    double t_ref = time_prefill(p.args, FKDA_BACKEND_REFERENCE, 0, ref_runs);
    double t1 = time_prefill(p.args, FKDA_BACKEND_CPU, 1, fast_runs);
    double t2 = time_prefill(p.args, FKDA_BACKEND_CPU, 2, fast_runs);

    printf("KDA prefill, CPU: %s, %d OpenMP threads available\n", fkda_version(), omp_get_max_threads());
    printf("H = HV = %lld, K = V = %lld, %lld tokens in 6 sequences, bf16 inputs, fp32 states, %.2f GFLOP (7 K V per token-head)\n",
           (long long)c.HV, (long long)c.K, (long long)p.T, flop * 1e-9);
    printf("err_ratio vs fp64 reference: out %.2e, final state %.2e\n\n", err_out, err_state);
    printf("| backend            | threads | median s | GFLOP/s | x reference |\n");
    printf("|--------------------|---------|----------|---------|-------------|\n");
    printf("| reference (fp64)   | 1       | %8.3f | %7.2f | %11.2f |\n", t_ref, flop / t_ref * 1e-9, 1.0);
    printf("| cpu (fp32)         | 1       | %8.4f | %7.2f | %11.1f |\n", t1, flop / t1 * 1e-9, t_ref / t1);
    printf("| cpu (fp32)         | 2       | %8.4f | %7.2f | %11.1f |\n", t2, flop / t2 * 1e-9, t_ref / t2);
    printf("\n2 threads / 1 thread: %.2fx\n", t1 / t2);
    int ok = t_ref / t2 >= 20.0 && flop / t2 * 1e-9 >= 30.0 && t1 / t2 >= 1.7;
    printf("bar (>= 20x reference, >= 30 GFLOP/s, 2T >= 1.7x 1T): %s\n", ok ? "met" : "MISSED");
    tu_result_free(&fast);
    tu_result_free(&ref);
    tu_prefill_free(&p);
    return 0;
}
