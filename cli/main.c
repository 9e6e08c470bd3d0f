/* flashkda: command-line front end of the library.
 *   flashkda run    one KDA prefill forward (generated inputs or a safetensors file), timed and checked:
 *                   err_ratio = RMS(x - ref) / RMS(ref) against the fp64 reference on a few value heads
 *   flashkda bench  times the backends over a list of shapes
 * Everything goes through the public API (include/flashkda.h). */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage_main(FILE *f)
{
    fprintf(f,
            "usage: flashkda [--help] [--version] COMMAND [options]\n"
            "\n"
            "Kimi Delta Attention (KDA) forward kernels: command-line tool.\n"
            "\n"
            "commands:\n"
            "  run     run one prefill forward, print time, throughput and the error against the\n"
            "          fp64 reference; read inputs from / write outputs to safetensors files\n"
            "  bench   time the available backends over a list of shapes\n"
            "\n"
            "'flashkda COMMAND --help' describes the options of a command.\n");
}

static void usage_run(FILE *f)
{
    fprintf(f,
            "usage: flashkda run [options]\n"
            "\n"
            "Runs one KDA prefill forward on the best available backend (CUDA if a device is found, else the\n"
            "CPU) and prints what ran, the time, the throughput and err_ratio = RMS(x - ref) / RMS(ref) of out\n"
            "and final_state against the fp64 reference backend on the first few value heads.\n"
            "Without --in the inputs are random: q, k, v ~ N(0, 1) (q, k ~ N(0, 1/K) with --no-l2norm),\n"
            "beta logits ~ N(0, 1), g ~ N(0, 1), "
            "dt_bias ~ N(-2, 1), A_log = log U(0.5, 4), initial state ~ N(0, 0.25).\n"
            "\n"
            "problem:\n"
            "  -s, --shape SPEC        H[/HV]xKxV@T1+T2+... (varlen) or H[/HV]xKxV@BxT (B rows of T tokens)\n"
            "                          default " CLI_DEFAULT_SHAPE "\n"
            "  -t, --dtype NAME        bf16 (default), f16 or f32 for the generated q, k, v, g, beta\n"
            "      --gate NAME         bounded (default), softplus or precomputed\n"
            "      --lower-bound X     lower bound of the bounded gate, in [-5, 0) (default -5)\n"
            "      --scale X           output scale (default K^-0.5)\n"
            "      --no-l2norm         use q, k as given (default: L2-normalised in the kernel)\n"
            "      --no-beta-sigmoid   beta holds values, not logits\n"
            "      --neg-eigval        beta <- 2 beta (eigenvalues in (-1, 1))\n"
            "      --no-initial-state  start from a zero state (generated inputs)\n"
            "      --state-layout L    v (default: [N, HV, V, K]) or k ([N, HV, K, V])\n"
            "      --seed N            random seed (default 42)\n"
            "files (safetensors):\n"
            "  -i, --in FILE           read the inputs: q, k, v, g, beta and optionally A_log, dt_bias,\n"
            "                          cu_seqlens, initial_state (BF16, F16, F32, I32, I64); flags, scale,\n"
            "                          gate and lower bound come from the options above\n"
            "  -o, --out FILE          write out (dtype of v) and final_state (F32)\n"
            "      --save-inputs FILE  write the inputs (to replay them with --in)\n"
            "execution:\n"
            "  -b, --backend NAME      auto (default), cpu, cuda or reference\n"
            "  -j, --threads N         CPU threads (default: OpenMP's default)\n"
            "  -r, --repeats N         timed calls; the time is their mean (CUDA: inputs already on the\n"
            "                          device, no copies timed); default 1 on the CPU, 20 on CUDA\n"
            "  -w, --warmup N          untimed calls first (default 1 on the CPU, 2 on CUDA)\n"
            "      --check-heads N     value heads compared with the reference (default 2, 0: no check)\n"
            "      --max-err X         exit with status 3 if an err_ratio exceeds X\n"
            "  -h, --help              this text\n"
            "\n"
            "exit status: 0 success, 1 error, 2 bad usage, 3 error above --max-err\n");
}

/* ---- option values ---------------------------------------------------------------------------------- */
int cli_parse_long(const char *s, long lo, long hi, long *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    if (*s == 0 || *end != 0 || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

int cli_parse_float(const char *s, float *v)
{
    char *end;
    double x = strtod(s, &end);
    if (*s == 0 || *end != 0 || !isfinite(x))
        return -1;
    *v = (float)x;
    return 0;
}

int cli_parse_backend(const char *s, fkda_backend *b)
{
    static const fkda_backend all[] = {FKDA_BACKEND_AUTO, FKDA_BACKEND_CPU, FKDA_BACKEND_CUDA, FKDA_BACKEND_REFERENCE};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, fkda_backend_name(all[i])) == 0) {
            *b = all[i];
            return 0;
        }
    return -1;
}

static void print_flags(unsigned flags)
{
    printf("flags        %s%s%s%s\n", flags ? "" : "none", flags & FKDA_QK_L2NORM ? "qk_l2norm" : "",
           flags & FKDA_BETA_SIGMOID ? &" beta_sigmoid"[!(flags & FKDA_QK_L2NORM)] : "",
           flags & FKDA_ALLOW_NEG_EIGVAL ? &" allow_neg_eigval"[!(flags & (FKDA_QK_L2NORM | FKDA_BETA_SIGMOID))] : "");
}

static void print_problem(const cli_problem *p, fkda_backend backend, int threads)
{
    const fkda_prefill_args *a = &p->args;
    if (backend == FKDA_BACKEND_CUDA)
        printf("backend      cuda\n");
    else
        printf("backend      %s (%d threads)\n", fkda_backend_name(backend), threads > 0 ? threads : cli_max_threads());
    printf("shape        B=%lld T=%lld H=%lld HV=%lld K=%lld V=%lld", (long long)p->B, (long long)p->T, (long long)p->H,
           (long long)p->HV, (long long)p->K, (long long)p->V);
    /* Only integer offsets are printed; the library rejects any other dtype when it runs. */
    if (a->cu_seqlens.rank == 1 && (a->cu_seqlens.dtype == FKDA_INT64 || a->cu_seqlens.dtype == FKDA_INT32)) {
        printf(", %lld sequences:", (long long)p->N);
        for (int64_t n = 0; n < p->N && n < 16; n++) {
            const void *cu = a->cu_seqlens.data;
            long long len = a->cu_seqlens.dtype == FKDA_INT64 ? (long long)(((const int64_t *)cu)[n + 1] - ((const int64_t *)cu)[n])
                                                              : (long long)(((const int32_t *)cu)[n + 1] - ((const int32_t *)cu)[n]);
            printf(" %lld", len);
        }
        if (p->N > 16)
            printf(" ...");
    }
    printf("\n");
    printf("dtype        q %s, k %s, v %s, g %s, beta %s, state %s -> %s (%s)\n", fkda_dtype_name(a->q.dtype),
           fkda_dtype_name(a->k.dtype), fkda_dtype_name(a->v.dtype), fkda_dtype_name(a->g.dtype),
           fkda_dtype_name(a->beta.dtype), a->initial_state.rank ? fkda_dtype_name(a->initial_state.dtype) : "zeros",
           fkda_dtype_name(a->final_state.dtype), a->state_layout == FKDA_STATE_V_FIRST ? "v-first" : "k-first");
    printf("gate         %s", cli_gate_name(a->gate));
    if (a->gate == FKDA_GATE_BOUNDED)
        printf(", lower_bound %g", (double)a->lower_bound);
    printf("%s%s\n", a->A_log.rank ? ", A_log" : "", a->dt_bias.rank ? ", dt_bias" : "");
    print_flags(a->flags);
    printf("scale        %g\n", a->scale == FKDA_DEFAULT_SCALE ? 1.0 / sqrt((double)p->K) : (double)a->scale);
}

const char *cli_option_name(const struct option *opts, int val)
{
    for (; opts->name; opts++)
        if (opts->val == val)
            return opts->name;
    return "?";
}

static int cmd_fail(const char *err)
{
    fprintf(stderr, "flashkda: error: %s\n", err);
    return 1;
}

int cmd_run(int argc, char **argv)
{
    enum { O_GATE = 256, O_LB, O_SCALE, O_NOL2, O_NOSIG, O_NEG, O_NOINIT, O_LAYOUT, O_SEED, O_SAVE, O_CHECK, O_MAXERR };
    static const struct option longopts[] = {
        {"shape", required_argument, 0, 's'},       {"dtype", required_argument, 0, 't'},
        {"gate", required_argument, 0, O_GATE},      {"lower-bound", required_argument, 0, O_LB},
        {"scale", required_argument, 0, O_SCALE},    {"no-l2norm", no_argument, 0, O_NOL2},
        {"no-beta-sigmoid", no_argument, 0, O_NOSIG}, {"neg-eigval", no_argument, 0, O_NEG},
        {"no-initial-state", no_argument, 0, O_NOINIT}, {"state-layout", required_argument, 0, O_LAYOUT},
        {"seed", required_argument, 0, O_SEED},      {"in", required_argument, 0, 'i'},
        {"out", required_argument, 0, 'o'},          {"save-inputs", required_argument, 0, O_SAVE},
        {"backend", required_argument, 0, 'b'},      {"threads", required_argument, 0, 'j'},
        {"repeats", required_argument, 0, 'r'},      {"warmup", required_argument, 0, 'w'},
        {"check-heads", required_argument, 0, O_CHECK}, {"max-err", required_argument, 0, O_MAXERR},
        {"help", no_argument, 0, 'h'},               {0, 0, 0, 0}};
    cli_opts o;
    cli_opts_default(&o);
    const char *shape_spec = NULL, *in = NULL, *out = NULL, *save_inputs = NULL;
    fkda_backend backend = FKDA_BACKEND_AUTO;
    long repeats = -1, warmup = -1, check_heads = 2, v = 0;
    float max_err = -1.0f;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:t:i:o:b:j:r:w:h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 's': shape_spec = optarg; break;
        case 't': bad = cli_parse_dtype(optarg, &o.dtype); break;
        case O_GATE: bad = cli_parse_gate(optarg, &o.gate); break;
        case O_LB: bad = cli_parse_float(optarg, &o.lower_bound); break;
        case O_SCALE: bad = cli_parse_float(optarg, &o.scale); break;
        case O_NOL2: o.flags &= ~(unsigned)FKDA_QK_L2NORM; break;
        case O_NOSIG: o.flags &= ~(unsigned)FKDA_BETA_SIGMOID; break;
        case O_NEG: o.flags |= FKDA_ALLOW_NEG_EIGVAL; break;
        case O_NOINIT: o.initial_state = 0; break;
        case O_LAYOUT:
            bad = strcmp(optarg, "v") && strcmp(optarg, "k");
            o.layout = optarg[0] == 'k' ? FKDA_STATE_K_FIRST : FKDA_STATE_V_FIRST;
            break;
        case O_SEED: bad = cli_parse_long(optarg, 0, 0x7fffffffL, &v), o.seed = (uint64_t)v; break;
        case 'i': in = optarg; break;
        case 'o': out = optarg; break;
        case O_SAVE: save_inputs = optarg; break;
        case 'b': bad = cli_parse_backend(optarg, &backend); break;
        case 'j': bad = cli_parse_long(optarg, 0, 4096, &v), o.num_threads = (int)v; break;
        case 'r': bad = cli_parse_long(optarg, 1, 1000000, &repeats); break;
        case 'w': bad = cli_parse_long(optarg, 0, 1000000, &warmup); break;
        case O_CHECK: bad = cli_parse_long(optarg, 0, 1 << 20, &check_heads); break;
        case O_MAXERR: bad = cli_parse_float(optarg, &max_err); break;
        case 'h': usage_run(stdout); return 0;
        default: fprintf(stderr, "Try 'flashkda run --help'.\n"); return 2;
        }
        if (bad) {
            fprintf(stderr, "flashkda run: invalid value '%s' for --%s\n", optarg, cli_option_name(longopts, c));
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "flashkda run: unexpected argument '%s'\nTry 'flashkda run --help'.\n", argv[optind]);
        return 2;
    }
    if (in && shape_spec) {
        fprintf(stderr, "flashkda run: --shape and --in exclude each other\n");
        return 2;
    }
    if (backend == FKDA_BACKEND_AUTO)
        backend = cli_cuda_usable() ? FKDA_BACKEND_CUDA : FKDA_BACKEND_CPU;
    int cuda = backend == FKDA_BACKEND_CUDA;
    if (cuda && !cli_cuda_usable())
        return cmd_fail("--backend cuda: no CUDA device found, or flashkda was built without CUDA");
    if (repeats < 0)
        repeats = cuda ? 20 : 1;
    if (warmup < 0)
        warmup = cuda ? 2 : 1;

    char err[CLI_ERRLEN];
    cli_problem p;
    int rc = 0;
    if (in) {
        rc = cli_problem_load(&p, in, &o, err);
    } else {
        static cli_shape s; /* large (the sequence list): not on the stack */
        rc = cli_parse_shape(shape_spec ? shape_spec : CLI_DEFAULT_SHAPE, &s, err);
        if (rc) {
            fprintf(stderr, "flashkda run: %s\n", err);
            return 2;
        }
        rc = cli_problem_generate(&p, &s, &o, err);
    }
    if (rc == 0) { /* validate on the host before printing anything (the reference accepts every valid problem) */
        fkda_prefill_args check = p.args;
        size_t bytes;
        check.backend = FKDA_BACKEND_REFERENCE;
        if (fkda_prefill_workspace_size(&check, &bytes) != FKDA_SUCCESS)
            rc = -1, snprintf(err, sizeof err, "%s%s%s", in ? in : "", in ? ": " : "", fkda_last_error());
    }
    if (rc == 0 && save_inputs)
        rc = cli_problem_save_inputs(&p, save_inputs, err);
    if (rc) {
        cli_problem_free(&p);
        return cmd_fail(err);
    }
    printf("flashkda     %s\n", fkda_version());
    if (in)
        printf("inputs       %s\n", in);
    else
        printf("inputs       random, seed %llu\n", (unsigned long long)o.seed);
    print_problem(&p, backend, o.num_threads);
    fflush(stdout);

    double sec = 0.0;
    if (cli_problem_run(&p, backend, (int)warmup, (int)repeats, &sec, err)) {
        cli_problem_free(&p);
        return cmd_fail(err);
    }
    printf("time         %.3f ms (mean of %ld%s)\n", 1e3 * sec, repeats, warmup ? " after warm-up" : "");
    printf("throughput   %.4g tokens/s\n", sec > 0 ? (double)(p.B * p.T) / sec : 0.0);
    fflush(stdout);

    int status = 0;
    if (check_heads > 0 && backend != FKDA_BACKEND_REFERENCE) {
        double eo = 0, es = 0, rsec = 0;
        int used = 0;
        if (cli_problem_check(&p, (int)check_heads, &eo, &es, &used, &rsec, err)) {
            cli_problem_free(&p);
            return cmd_fail(err);
        }
        printf("err_ratio    out %.3e, final_state %.3e (fp64 reference on value heads 0..%d of %lld, %.2f s)\n", eo,
               es, used - 1, (long long)p.HV, rsec);
        if (max_err >= 0 && !(eo <= max_err && es <= max_err)) {
            fprintf(stderr, "flashkda: err_ratio above --max-err %g\n", (double)max_err);
            status = 3;
        }
    } else {
        printf("err_ratio    not checked%s\n", backend == FKDA_BACKEND_REFERENCE ? " (this is the reference)" : "");
    }
    if (out && cli_problem_save_outputs(&p, out, err)) {
        cli_problem_free(&p);
        return cmd_fail(err);
    }
    cli_problem_free(&p);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage_main(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("flashkda %s\ncuda device: %s\n", fkda_version(), fkda_cuda_available() ? "yes" : "no");
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc - 1, argv + 1);
    fprintf(stderr, "flashkda: unknown command '%s'\n", cmd);
    usage_main(stderr);
    return 2;
}
