/* CUDA KDA decode: placeholder until the kernel lands (answers "unsupported"). */
#include "internal.h"

extern "C" size_t fkda_cuda_decode_workspace(const fkda_decode_args *a, const fkda_dims *d)
{
    (void)a; (void)d;
    return 0;
}

extern "C" fkda_status fkda_cuda_decode(const fkda_decode_args *a, const fkda_dims *d, void *ws, size_t ws_bytes,
                                    void *stream)
{
    (void)a; (void)d; (void)ws; (void)ws_bytes; (void)stream;
    return fkda_fail(FKDA_ERROR_UNSUPPORTED, "backend: the CUDA decode kernel is not implemented yet");
}
