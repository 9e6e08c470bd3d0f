/* Stand-ins for the CUDA backend when the library is built without nvcc: every CUDA entry point
 * answers FKDA_ERROR_NO_BACKEND, so the API stays the same on CPU-only builds. */
#include "internal.h"

int fkda_cuda_compiled(void) { return 0; }
int fkda_cuda_device_count(void) { return 0; }
int fkda_cuda_is_device_pointer(const void *p) { (void)p; return 0; }

size_t fkda_cuda_prefill_workspace(const fkda_prefill_args *a, const fkda_dims *d) { (void)a; (void)d; return 0; }
fkda_status fkda_cuda_prefill(const fkda_prefill_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                              void *stream)
{
    (void)a; (void)d; (void)ws; (void)ws_bytes; (void)stream;
    return fkda_fail(FKDA_ERROR_NO_BACKEND, "backend: this build of flashkda has no CUDA backend (built without nvcc)");
}
int fkda_cuda_prefill_plan(const fkda_prefill_args *a, const fkda_dims *d, int sms, fkda_prefill_plan_info *out)
{
    (void)a; (void)d; (void)sms;
    const fkda_prefill_plan_info none = {0, 0, 0, 0, 0, 0};
    *out = none;
    return 0;
}
size_t fkda_cuda_decode_workspace(const fkda_decode_args *a, const fkda_dims *d) { (void)a; (void)d; return 0; }
fkda_status fkda_cuda_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                             void *stream)
{
    (void)a; (void)d; (void)ws; (void)ws_bytes; (void)stream;
    return fkda_fail(FKDA_ERROR_NO_BACKEND, "backend: this build of flashkda has no CUDA backend (built without nvcc)");
}
