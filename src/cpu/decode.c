/* Fast CPU decode: the KDA recurrence (docs/semantics.md; loop in src/cpu/recurrent.c) against a state pool
 * updated in place, one OpenMP work item per (sequence, value head) pair. A pair copies its slot into fp32
 * scratch before anything is written, so reading and writing the same slot (speculative decoding with
 * [N, Tmax] indices) is safe. Two sequences sharing a slot is a race, as on the GPU: the caller's job. */
#include <omp.h>

#include "recurrent.h"

size_t fkda_cpu_decode_workspace(const fkda_decode_args *a, const fkda_dims *d)
{
    int nt = fkda_cpu_threads(a->num_threads, d->N * d->HV);
    return 64 + (size_t)nt * fkda_cpu_scratch_bytes(d->K, d->V);
}

/* Entry j of row n of the indices ([N] or [N, Tmax]). */
static int64_t slot_index(const fkda_tensor *idx, int64_t n, int64_t j)
{
    return fkda_get_index(idx, n * idx->stride[0] + (idx->rank == 2 ? j * idx->stride[1] : 0));
}

fkda_status fkda_cpu_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes)
{
    fkda_status st = fkda_check_workspace(ws, ws_bytes, fkda_cpu_decode_workspace(a, d));
    if (st != FKDA_SUCCESS) return st;
    st = fkda_cpu_check_dims(d);
    if (st != FKDA_SUCCESS) return st;
    const int64_t pairs = d->N * d->HV;
    if (pairs == 0) return FKDA_SUCCESS;
    const int nt = fkda_cpu_threads(a->num_threads, pairs);
    char *scratch = fkda_cpu_align(ws);
    const fkda_cpu_inputs in = FKDA_CPU_INPUTS(a, d);
    const fkda_tensor *pool = &a->state_pool, *idx = &a->ssm_state_indices, *acc = &a->num_accepted_tokens;
#pragma omp parallel num_threads(nt)
    {
        fkda_cpu_scratch s;
        fkda_cpu_scratch_bind(&s, scratch, omp_get_thread_num(), d->K, d->V);
        s.v_first = a->state_layout == FKDA_STATE_V_FIRST; /* rows copied as they are, no transposes */
#pragma omp for schedule(dynamic, 4)
        for (int64_t p = 0; p < pairs; p++) {
            int64_t n = p / d->HV, hv = p % d->HV, bos, eos;
            fkda_seq_bounds(&a->cu_seqlens, d, n, &bos, &eos);
            int64_t read = n;
            if (d->idx_cols > 0) {
                int64_t j = fkda_present(acc) ? fkda_get_index(acc, n * acc->stride[0]) - 1 : 0;
                read = slot_index(idx, n, j);
            }
            if (read < 0) { /* padding: outputs zero, the pool untouched */
                fkda_cpu_zero_out(&in, hv, bos, eos);
                continue;
            }
            fkda_cpu_state_load(&s, pool, a->state_layout, read, hv);
            if (d->idx_cols > 1) { /* the state after every token goes to its own slot */
                for (int64_t tok = bos; tok < eos; tok++) {
                    fkda_cpu_run(&in, hv, tok, tok + 1, &s);
                    int64_t w = slot_index(idx, n, tok - bos);
                    if (w >= 0) fkda_cpu_state_store(&s, pool, a->state_layout, w, hv);
                }
            } else {
                fkda_cpu_run(&in, hv, bos, eos, &s);
                if (eos > bos) fkda_cpu_state_store(&s, pool, a->state_layout, read, hv);
            }
        }
    }
    return FKDA_SUCCESS;
}
