/* Reading and writing safetensors files (the Hugging Face tensor container).
 *
 * Layout: an 8-byte little-endian header size N, N bytes of JSON header, then the data section:
 *     {"__metadata__": {"k": "v", ...},                           (optional, string values only)
 *      "name": {"dtype": "BF16", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
 * data_offsets are byte offsets into the data section; the tensors tile it exactly (no holes, no
 * overlap), and end - begin = prod(shape) * element size. Data is little-endian, row-major.
 * The reader checks all of that and reports the file, the tensor and what is wrong. */
#ifndef FKDA_CLI_SAFETENSORS_H
#define FKDA_CLI_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "flashkda.h"

#define ST_MAX_RANK 8

typedef struct st_tensor {
    char *name;
    char dtype[12];      /* as written in the file: "BF16", "F32", ...                          */
    fkda_dtype fdtype;   /* the flashkda equivalent, FKDA_DTYPE_INVALID if none (U8, BOOL, ...) */
    int rank;
    int64_t shape[ST_MAX_RANK];
    uint64_t begin, end; /* data_offsets                                                        */
    void *data;          /* malloc'd copy of the bytes (aligned for any element type)           */
} st_tensor;

typedef struct st_file {
    int count;
    st_tensor *tensors;
} st_file;

/* Loads every tensor of path. Returns 0, or -1 with a message in err (f is then empty). */
int st_load(const char *path, st_file *f, char *err, size_t errlen);
/* The tensor called name, or NULL. */
st_tensor *st_get(st_file *f, const char *name);
void st_free(st_file *f);

/* One tensor to write: a contiguous buffer of prod(shape) elements. */
typedef struct st_entry {
    const char *name;
    fkda_dtype dtype;
    int rank;
    const int64_t *shape;
    const void *data;
} st_entry;

/* Writes n tensors (in this order) and, if metadata_key is not NULL, one __metadata__ entry. */
int st_save(const char *path, const st_entry *entries, int n, const char *metadata_key,
            const char *metadata_value, char *err, size_t errlen);

#endif
