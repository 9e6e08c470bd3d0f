/* Fast CPU prefill: the KDA recurrence (docs/semantics.md; the loop is explained in src/cpu/recurrent.c)
 * run in fp32, one OpenMP work item per (sequence, value head) pair. Pairs are handed out longest sequence
 * first so that the threads finish together on varlen batches. */
#include <stdlib.h>

#include <omp.h>

#include "recurrent.h"

typedef struct seq_len {
    int64_t len, n;
} seq_len;

static int longest_first(const void *pa, const void *pb)
{
    const seq_len *a = pa, *b = pb;
    if (a->len != b->len) return a->len > b->len ? -1 : 1;
    return a->n < b->n ? -1 : (a->n > b->n);
}

static size_t order_bytes(const fkda_dims *d) { return ((size_t)d->N * sizeof(seq_len) + 63) & ~(size_t)63; }

size_t fkda_cpu_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d)
{
    int nt = fkda_cpu_threads(a->num_threads, d->N * d->HV);
    return 64 + order_bytes(d) + (size_t)nt * fkda_cpu_scratch_bytes(d->K, d->V);
}

fkda_status fkda_cpu_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes)
{
    fkda_status st = fkda_check_workspace(ws, ws_bytes, fkda_cpu_prefill_workspace(a, d));
    if (st != FKDA_SUCCESS) return st;
    st = fkda_cpu_check_dims(d);
    if (st != FKDA_SUCCESS) return st;
    const int64_t pairs = d->N * d->HV;
    if (pairs == 0) return FKDA_SUCCESS;
    const int nt = fkda_cpu_threads(a->num_threads, pairs);
    char *base = fkda_cpu_align(ws);
    seq_len *order = (seq_len *)base;
    char *scratch = base + order_bytes(d);
    for (int64_t n = 0; n < d->N; n++) {
        int64_t bos, eos;
        fkda_seq_bounds(&a->cu_seqlens, d, n, &bos, &eos);
        order[n] = (seq_len){eos - bos, n};
    }
    qsort(order, (size_t)d->N, sizeof(seq_len), longest_first);

    const fkda_cpu_inputs in = FKDA_CPU_INPUTS(a, d);
    const fkda_tensor *h0 = fkda_present(&a->initial_state) ? &a->initial_state : NULL;
    const fkda_tensor *ht = fkda_present(&a->final_state) ? &a->final_state : NULL;
#pragma omp parallel num_threads(nt)
    {
        fkda_cpu_scratch s;
        fkda_cpu_scratch_bind(&s, scratch, omp_get_thread_num(), d->K, d->V);
#pragma omp for schedule(dynamic, 1)
        for (int64_t p = 0; p < pairs; p++) {
            int64_t n = order[p / d->HV].n, hv = p % d->HV, bos, eos;
            fkda_seq_bounds(&a->cu_seqlens, d, n, &bos, &eos);
            /* the whole state is read before anything is written: final_state may be initial_state */
            fkda_cpu_state_load(&s, h0, a->state_layout, n, hv);
            fkda_cpu_run(&in, hv, bos, eos, &s);
            if (ht) fkda_cpu_state_store(&s, ht, a->state_layout, n, hv);
        }
    }
    return FKDA_SUCCESS;
}
