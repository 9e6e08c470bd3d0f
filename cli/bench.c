/* flashkda bench: times the backends over a list of shapes (random bf16 inputs with the default run's
 * gates and flags); a table on stdout, or JSON (cJSON) with --json; progress on stderr.
 * Throughput = tokens / mean time of one call. */
#define _GNU_SOURCE /* getopt_long, isatty */
#include <cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_SHAPES "4x128x128@2x128," CLI_DEFAULT_SHAPE ",16/32x128x128@4x1024"
/* The fp64 reference is timed by default only up to this many tokens * HV * K * V. */
#define REFERENCE_MAX_WORK 67108864.0
#define MAX_SHAPES 64

static void usage_bench(FILE *f)
{
    fprintf(f,
            "usage: flashkda bench [options]\n"
            "\n"
            "Times the backends (cpu; cuda if a device is found; the fp64 reference on small shapes) over a\n"
            "list of shapes, on random inputs with the gate and flags of 'flashkda run'.\n"
            "\n"
            "  -s, --shapes LIST     comma-separated shapes H[/HV]xKxV@T1+T2+... or H[/HV]xKxV@BxT\n"
            "                        (default " DEFAULT_SHAPES ")\n"
            "  -b, --backends LIST   comma-separated backends (default: cpu, cuda if available, reference)\n"
            "      --reference       time the reference on every shape, not only small ones\n"
            "  -t, --dtype NAME      bf16 (default), f16 or f32\n"
            "  -r, --repeats N       timed calls per shape and backend (default 3 on the CPU, 20 on CUDA)\n"
            "  -w, --warmup N        untimed calls first (default 1 on the CPU, 2 on CUDA)\n"
            "  -j, --threads N       CPU threads (default: OpenMP's default)\n"
            "      --seed N          random seed (default 42)\n"
            "      --json            machine-readable output on stdout\n"
            "  -h, --help            this text\n");
}

typedef struct result {
    char shape[128];
    const cli_shape *s;
    fkda_backend backend;
    int repeats, warmup;
    double seconds;
    int ok;
    char error[CLI_ERRLEN];
} result;

static void print_table(const result *r, int n, fkda_dtype dtype)
{
    int w = 5;
    for (int i = 0; i < n; i++)
        if ((int)strlen(r[i].shape) > w)
            w = (int)strlen(r[i].shape);
    printf("%-*s  %-9s  %-5s  %8s  %11s  %11s\n", w, "shape", "backend", "dtype", "tokens", "time_ms", "tokens/s");
    for (int i = 0; i < n; i++) {
        long long tokens = (long long)(r[i].s->B * r[i].s->T);
        printf("%-*s  %-9s  %-5s  %8lld  ", w, r[i].shape, fkda_backend_name(r[i].backend), fkda_dtype_name(dtype), tokens);
        if (r[i].ok)
            printf("%11.3f  %11.4g\n", 1e3 * r[i].seconds, (double)tokens / r[i].seconds);
        else
            printf("%s\n", r[i].error);
    }
}

static int print_json(const result *r, int n, fkda_dtype dtype, int threads)
{
    cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray();
    if (!root || !list) {
        cJSON_Delete(root);
        cJSON_Delete(list);
        return -1;
    }
    cJSON_AddStringToObject(root, "flashkda", fkda_version());
    cJSON_AddBoolToObject(root, "cuda_available", cli_cuda_usable());
    cJSON_AddNumberToObject(root, "cpu_threads", threads > 0 ? threads : cli_max_threads());
    cJSON_AddItemToObject(root, "results", list);
    for (int i = 0; i < n; i++) {
        const cli_shape *s = r[i].s;
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "shape", r[i].shape);
        cJSON_AddNumberToObject(o, "H", (double)s->H);
        cJSON_AddNumberToObject(o, "HV", (double)s->HV);
        cJSON_AddNumberToObject(o, "K", (double)s->K);
        cJSON_AddNumberToObject(o, "V", (double)s->V);
        cJSON_AddNumberToObject(o, "B", (double)s->B);
        cJSON_AddNumberToObject(o, "T", (double)s->T);
        cJSON_AddNumberToObject(o, "sequences", s->varlen ? s->nseq : (double)s->B);
        cJSON_AddNumberToObject(o, "tokens", (double)(s->B * s->T));
        cJSON_AddStringToObject(o, "backend", fkda_backend_name(r[i].backend));
        cJSON_AddStringToObject(o, "dtype", fkda_dtype_name(dtype));
        cJSON_AddNumberToObject(o, "warmup", r[i].warmup);
        cJSON_AddNumberToObject(o, "repeats", r[i].repeats);
        cJSON_AddBoolToObject(o, "ok", r[i].ok);
        if (r[i].ok) {
            cJSON_AddNumberToObject(o, "time_ms", 1e3 * r[i].seconds);
            cJSON_AddNumberToObject(o, "tokens_per_s", (double)(s->B * s->T) / r[i].seconds);
        } else {
            cJSON_AddStringToObject(o, "error", r[i].error);
        }
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return -1;
    printf("%s\n", text);
    free(text);
    return 0;
}

/* Splits a comma-separated list in place; returns the number of items or -1 if more than max. */
static int split(char *list, char **items, int max)
{
    int n = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (n == max)
            return -1;
        items[n++] = tok;
    }
    return n;
}

int cmd_bench(int argc, char **argv)
{
    enum { O_REF = 256, O_SEED, O_JSON };
    static const struct option longopts[] = {
        {"shapes", required_argument, 0, 's'}, {"backends", required_argument, 0, 'b'},
        {"reference", no_argument, 0, O_REF},  {"dtype", required_argument, 0, 't'},
        {"repeats", required_argument, 0, 'r'}, {"warmup", required_argument, 0, 'w'},
        {"threads", required_argument, 0, 'j'}, {"seed", required_argument, 0, O_SEED},
        {"json", no_argument, 0, O_JSON},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    cli_opts o;
    cli_opts_default(&o);
    char shapes_buf[8192] = DEFAULT_SHAPES, backends_buf[256] = "";
    long repeats = -1, warmup = -1, v = 0;
    int all_reference = 0, json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:b:t:r:w:j:h", longopts, NULL)) != -1) {
        int bad = 0;
        switch (c) {
        case 's': bad = strlen(optarg) >= sizeof shapes_buf; snprintf(shapes_buf, sizeof shapes_buf, "%s", optarg); break;
        case 'b': bad = strlen(optarg) >= sizeof backends_buf; snprintf(backends_buf, sizeof backends_buf, "%s", optarg); break;
        case O_REF: all_reference = 1; break;
        case 't': bad = cli_parse_dtype(optarg, &o.dtype); break;
        case 'r': bad = cli_parse_long(optarg, 1, 1000000, &repeats); break;
        case 'w': bad = cli_parse_long(optarg, 0, 1000000, &warmup); break;
        case 'j': bad = cli_parse_long(optarg, 0, 4096, &v), o.num_threads = (int)v; break;
        case O_SEED: bad = cli_parse_long(optarg, 0, 0x7fffffffL, &v), o.seed = (uint64_t)v; break;
        case O_JSON: json = 1; break;
        case 'h': usage_bench(stdout); return 0;
        default: fprintf(stderr, "Try 'flashkda bench --help'.\n"); return 2;
        }
        if (bad) {
            fprintf(stderr, "flashkda bench: invalid value '%s' for --%s\n", optarg, cli_option_name(longopts, c));
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "flashkda bench: unexpected argument '%s'\nTry 'flashkda bench --help'.\n", argv[optind]);
        return 2;
    }

    /* Backends: given, or all that are available. */
    fkda_backend backends[8];
    int nb = 0, explicit_backends = backends_buf[0] != 0;
    if (explicit_backends) {
        char *items[8];
        int n = split(backends_buf, items, 8);
        for (int i = 0; i < n; i++)
            if (cli_parse_backend(items[i], &backends[nb++]) || backends[nb - 1] == FKDA_BACKEND_AUTO) {
                fprintf(stderr, "flashkda bench: unknown backend '%s' (cpu, cuda, reference)\n", items[i]);
                return 2;
            }
        if (n <= 0) {
            fprintf(stderr, "flashkda bench: bad --backends list\n");
            return 2;
        }
    } else {
        backends[nb++] = FKDA_BACKEND_CPU;
        if (cli_cuda_usable())
            backends[nb++] = FKDA_BACKEND_CUDA;
        backends[nb++] = FKDA_BACKEND_REFERENCE;
    }

    static cli_shape shapes[MAX_SHAPES]; /* large: not on the stack */
    char *items[MAX_SHAPES];
    char err[CLI_ERRLEN];
    int ns = split(shapes_buf, items, MAX_SHAPES);
    if (ns <= 0) {
        fprintf(stderr, "flashkda bench: bad --shapes list (at most %d shapes)\n", MAX_SHAPES);
        return 2;
    }
    for (int i = 0; i < ns; i++)
        if (cli_parse_shape(items[i], &shapes[i], err)) {
            fprintf(stderr, "flashkda bench: %s\n", err);
            return 2;
        }

    result *res = calloc((size_t)(ns * nb), sizeof *res);
    if (!res)
        return 1;
    int nr = 0, tty = isatty(2), failed = 0;
    for (int i = 0; i < ns; i++) {
        const cli_shape *s = &shapes[i];
        cli_problem p;
        int gen = cli_problem_generate(&p, s, &o, err);
        for (int j = 0; j < nb; j++) {
            fkda_backend be = backends[j];
            double work = (double)(s->B * s->T) * (double)(s->HV * s->K * s->V);
            if (be == FKDA_BACKEND_REFERENCE && !explicit_backends && !all_reference && work > REFERENCE_MAX_WORK)
                continue;
            result *r = &res[nr++];
            r->s = s;
            r->backend = be;
            cli_format_shape(s, r->shape, sizeof r->shape);
            int cuda = be == FKDA_BACKEND_CUDA;
            r->repeats = repeats > 0 ? (int)repeats : cuda ? 20 : 3;
            r->warmup = warmup >= 0 ? (int)warmup : cuda ? 2 : 1;
            fprintf(stderr, "%s[%d/%d] %s %s ...%s", tty ? "\r\033[K" : "", i + 1, ns, r->shape,
                    fkda_backend_name(be), tty ? "" : "\n");
            fflush(stderr);
            if (gen)
                snprintf(r->error, sizeof r->error, "%s", err);
            else
                r->ok = cli_problem_run(&p, be, r->warmup, r->repeats, &r->seconds, r->error) == 0;
            failed |= !r->ok;
        }
        cli_problem_free(&p);
    }
    if (tty)
        fprintf(stderr, "\r\033[K");
    if (!json)
        printf("# flashkda %s, %d CPU threads, CUDA device: %s\n", fkda_version(),
               o.num_threads > 0 ? o.num_threads : cli_max_threads(), cli_cuda_usable() ? "yes" : "no");
    if (json ? print_json(res, nr, o.dtype, o.num_threads) : (print_table(res, nr, o.dtype), 0)) {
        fprintf(stderr, "flashkda bench: out of memory\n");
        failed = 1;
    }
    free(res);
    return failed ? 1 : 0;
}
