/* Shared pieces of the flashkda command-line tool: a KDA prefill problem held in host memory (generated
 * or read from a safetensors file), running it on a backend, and checking it against the fp64 reference. */
#ifndef FKDA_CLI_H
#define FKDA_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "flashkda.h"

#define CLI_ERRLEN 1024
#define CLI_MAX_SEQS 4096

/* Problem size: H query/key heads, HV value heads, head dims K and V; either B rows of T tokens each or,
 * varlen, one row of nseq sequences (cu_seqlens). Spec syntax: "H[/HV]xKxV@SEQS", SEQS = T1+T2+... or BxT. */
typedef struct cli_shape {
    int64_t H, HV, K, V;
    int64_t B, T;
    int varlen;
    int nseq;
    int64_t seqlens[CLI_MAX_SEQS];
} cli_shape;

#define CLI_DEFAULT_SHAPE "16x128x128@1300+547+2048+963+271+3063"

/* How the problem is computed and, when generated, what its inputs look like. */
typedef struct cli_opts {
    fkda_dtype dtype;   /* q, k, v, g, beta when generated */
    fkda_gate_mode gate;
    float scale, lower_bound;
    unsigned flags;
    fkda_state_layout layout;
    int initial_state;  /* generate one (and always produce final_state) */
    int num_threads;
    uint64_t seed;
} cli_opts;

void cli_opts_default(cli_opts *o);

/* A problem in host memory: args holds contiguous host tensors, out and final_state allocated. */
typedef struct cli_problem {
    fkda_prefill_args args;
    int64_t B, T, H, HV, K, V, N;
    void *mem[16];
    int nmem;
} cli_problem;

struct option;
int cli_parse_long(const char *s, long lo, long hi, long *v);
int cli_parse_float(const char *s, float *v);
int cli_parse_backend(const char *s, fkda_backend *b);
const char *cli_option_name(const struct option *opts, int val); /* getopt_long option of val */
int cli_parse_shape(const char *spec, cli_shape *s, char *err);
void cli_format_shape(const cli_shape *s, char *buf, size_t len);
int cli_parse_dtype(const char *name, fkda_dtype *d);
int cli_parse_gate(const char *name, fkda_gate_mode *g);
const char *cli_gate_name(fkda_gate_mode g);

int cli_problem_generate(cli_problem *p, const cli_shape *s, const cli_opts *o, char *err);
int cli_problem_load(cli_problem *p, const char *path, const cli_opts *o, char *err);
int cli_problem_save_inputs(const cli_problem *p, const char *path, char *err);
int cli_problem_save_outputs(const cli_problem *p, const char *path, char *err);
void cli_problem_free(cli_problem *p);

/* Runs the forward warmup + repeats times on backend (CUDA: through device copies; outputs are copied
 * back to the host), *seconds = mean time of one call. Returns 0 or -1 with err. */
int cli_problem_run(cli_problem *p, fkda_backend backend, int warmup, int repeats, double *seconds, char *err);

/* Runs the fp64 reference on the first `heads` value heads (rounded up to whole GVA groups) and compares
 * out and final_state with what cli_problem_run left there: err_ratio = RMS(x - ref) / RMS(ref).
 * *used_heads is the number of value heads compared. */
int cli_problem_check(const cli_problem *p, int heads, double *err_out, double *err_state, int *used_heads,
                      double *seconds, char *err);

/* CUDA helpers (device.c; stubs without CUDA). */
int cli_cuda_usable(void);
int cli_dev_alloc(void **p, size_t bytes, char *err);
int cli_dev_copy(void *dst, const void *src, size_t bytes, int to_device, char *err);
void cli_dev_free(void *p);
int cli_dev_sync(char *err);

double cli_now(void);
int cli_max_threads(void);

int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
