/* safetensors reader and writer; the format is described in safetensors.h. The JSON header is parsed
 * and printed with cJSON. Every check a malformed or hostile file could trip is done before any data is
 * read, so a bad file gives a message and a non-zero return, never a crash or a huge allocation. */
#define _POSIX_C_SOURCE 200809L /* fseeko, ftello */
#include "safetensors.h"

#include <cJSON.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* The reference implementation refuses headers over 100 MB; so do we (it bounds the allocation). */
#define ST_MAX_HEADER (100u * 1000u * 1000u)
/* Largest integer a JSON number (a double in cJSON) holds exactly. */
#define ST_MAX_JSON_INT 9007199254740992.0

static const struct {
    const char *name;
    size_t size;
    fkda_dtype fdtype;
} st_dtypes[] = {
    {"BOOL", 1, FKDA_DTYPE_INVALID}, {"U8", 1, FKDA_DTYPE_INVALID},      {"I8", 1, FKDA_DTYPE_INVALID},
    {"F8_E5M2", 1, FKDA_DTYPE_INVALID}, {"F8_E4M3", 1, FKDA_DTYPE_INVALID}, {"I16", 2, FKDA_DTYPE_INVALID},
    {"U16", 2, FKDA_DTYPE_INVALID},  {"F16", 2, FKDA_FLOAT16},            {"BF16", 2, FKDA_BFLOAT16},
    {"I32", 4, FKDA_INT32},          {"U32", 4, FKDA_DTYPE_INVALID},      {"F32", 4, FKDA_FLOAT32},
    {"F64", 8, FKDA_FLOAT64},        {"I64", 8, FKDA_INT64},              {"U64", 8, FKDA_DTYPE_INVALID},
};
#define ST_NDTYPES (sizeof st_dtypes / sizeof st_dtypes[0])

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A JSON number that is an exact non-negative integer, or -1. */
static int64_t json_uint(const cJSON *item)
{
    if (!cJSON_IsNumber(item))
        return -1;
    double d = item->valuedouble;
    if (!(d >= 0.0 && d <= ST_MAX_JSON_INT) || d != (double)(int64_t)d)
        return -1;
    return (int64_t)d;
}

/* Parses one header entry into t (name already set). */
static int parse_entry(const char *path, const cJSON *item, st_tensor *t, uint64_t data_size, char *err,
                       size_t errlen)
{
    if (!cJSON_IsObject(item))
        return fail(err, errlen, "%s: tensor '%s': header entry is not a JSON object", path, t->name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(item, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(item, "shape");
    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(item, "data_offsets");
    if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) || !cJSON_IsArray(offsets))
        return fail(err, errlen, "%s: tensor '%s': needs \"dtype\" (string), \"shape\" and \"data_offsets\" (arrays)",
                    path, t->name);

    size_t esize = 0;
    for (size_t i = 0; i < ST_NDTYPES; i++) {
        if (strcmp(dtype->valuestring, st_dtypes[i].name) == 0) {
            esize = st_dtypes[i].size;
            t->fdtype = st_dtypes[i].fdtype;
            snprintf(t->dtype, sizeof t->dtype, "%s", st_dtypes[i].name);
        }
    }
    if (esize == 0)
        return fail(err, errlen, "%s: tensor '%s': unknown dtype \"%.32s\"", path, t->name, dtype->valuestring);

    int rank = cJSON_GetArraySize(shape);
    if (rank > ST_MAX_RANK)
        return fail(err, errlen, "%s: tensor '%s': rank %d is more than %d", path, t->name, rank, ST_MAX_RANK);
    t->rank = rank;
    /* Element count with an overflow check: any count whose bytes exceed the data section is wrong anyway. */
    uint64_t count = 1;
    int overflow = 0;
    for (int d = 0; d < rank; d++) {
        int64_t e = json_uint(cJSON_GetArrayItem(shape, d));
        if (e < 0)
            return fail(err, errlen, "%s: tensor '%s': shape[%d] is not a non-negative integer", path, t->name, d);
        t->shape[d] = e;
        if (e != 0 && count > (UINT64_MAX / 8) / (uint64_t)e)
            overflow = 1;
        else
            count *= (uint64_t)e;
    }

    if (cJSON_GetArraySize(offsets) != 2)
        return fail(err, errlen, "%s: tensor '%s': data_offsets must be [begin, end]", path, t->name);
    int64_t begin = json_uint(cJSON_GetArrayItem(offsets, 0));
    int64_t end = json_uint(cJSON_GetArrayItem(offsets, 1));
    if (begin < 0 || end < 0)
        return fail(err, errlen, "%s: tensor '%s': data_offsets are not non-negative integers", path, t->name);
    if (begin > end)
        return fail(err, errlen, "%s: tensor '%s': data_offsets [%" PRId64 ", %" PRId64 "] are out of order", path,
                    t->name, begin, end);
    if ((uint64_t)end > data_size)
        return fail(err, errlen,
                    "%s: tensor '%s': data_offsets [%" PRId64 ", %" PRId64 "] lie outside the data section (%" PRIu64
                    " bytes; file truncated?)",
                    path, t->name, begin, end, data_size);
    t->begin = (uint64_t)begin;
    t->end = (uint64_t)end;
    if (overflow || count * esize != t->end - t->begin)
        return fail(err, errlen,
                    "%s: tensor '%s': shape and dtype %s need %s%" PRIu64 " bytes but data_offsets span %" PRIu64, path,
                    t->name, t->dtype, overflow ? "more than " : "", overflow ? UINT64_MAX / 8 : count * esize,
                    t->end - t->begin);
    return 0;
}

static int cmp_begin(const void *a, const void *b)
{
    const st_tensor *x = *(const st_tensor *const *)a, *y = *(const st_tensor *const *)b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

/* The tensors must tile [0, data_size) exactly: sorted by begin, each starts where the previous ends. */
static int check_tiling(const char *path, st_file *f, uint64_t data_size, char *err, size_t errlen)
{
    st_tensor **order = malloc(sizeof *order * (size_t)(f->count ? f->count : 1));
    if (!order)
        return fail(err, errlen, "%s: out of memory", path);
    for (int i = 0; i < f->count; i++)
        order[i] = &f->tensors[i];
    qsort(order, (size_t)f->count, sizeof *order, cmp_begin);
    uint64_t pos = 0;
    int rc = 0;
    for (int i = 0; i < f->count && rc == 0; i++) {
        const st_tensor *t = order[i];
        if (t->begin < pos)
            rc = fail(err, errlen, "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] overlap tensor '%s'", path,
                      t->name, t->begin, t->end, order[i - 1]->name);
        else if (t->begin > pos)
            rc = fail(err, errlen, "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64 "] leave a hole at byte %" PRIu64,
                      path, t->name, t->begin, t->end, pos);
        pos = t->end;
    }
    if (rc == 0 && pos != data_size)
        rc = fail(err, errlen, "%s: the tensors cover %" PRIu64 " bytes but the data section has %" PRIu64
                  " (trailing garbage?)", path, pos, data_size);
    free(order);
    return rc;
}

static int check_metadata(const char *path, const cJSON *meta, char *err, size_t errlen)
{
    if (!cJSON_IsObject(meta))
        return fail(err, errlen, "%s: __metadata__ is not a JSON object", path);
    const cJSON *kv;
    cJSON_ArrayForEach(kv, meta)
    {
        if (!cJSON_IsString(kv))
            return fail(err, errlen, "%s: __metadata__ value of '%s' is not a string", path, kv->string);
    }
    return 0;
}

static int parse_header(const char *path, const char *json, size_t len, uint64_t data_size, st_file *f, char *err,
                        size_t errlen)
{
    if (memchr(json, 0, len))
        return fail(err, errlen, "%s: header contains a NUL byte", path);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t at = end && end >= json ? (size_t)(end - json) : 0;
        return fail(err, errlen, "%s: header is not valid JSON (error near byte %zu of %zu)", path, at, len);
    }
    int rc = 0;
    /* After the JSON only padding (spaces; we accept any whitespace) may follow. */
    for (const char *p = end; p < json + len && rc == 0; p++)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            rc = fail(err, errlen, "%s: unexpected bytes after the JSON header (at byte %zu)", path, (size_t)(p - json));
    if (rc == 0 && !cJSON_IsObject(root))
        rc = fail(err, errlen, "%s: header is not a JSON object", path);

    int n = 0;
    const cJSON *item;
    if (rc == 0) {
        cJSON_ArrayForEach(item, root) n++;
        f->tensors = calloc((size_t)(n ? n : 1), sizeof *f->tensors);
        if (!f->tensors)
            rc = fail(err, errlen, "%s: out of memory", path);
    }
    int nmeta = 0;
    if (rc == 0) {
        cJSON_ArrayForEach(item, root)
        {
            if (strcmp(item->string, "__metadata__") == 0) {
                rc = nmeta++ ? fail(err, errlen, "%s: __metadata__ appears twice", path)
                             : check_metadata(path, item, err, errlen);
                if (rc)
                    break;
                continue;
            }
            for (int i = 0; i < f->count; i++)
                if (strcmp(f->tensors[i].name, item->string) == 0) {
                    rc = fail(err, errlen, "%s: tensor '%s' appears twice in the header", path, item->string);
                    break;
                }
            if (rc)
                break;
            st_tensor *t = &f->tensors[f->count];
            t->name = malloc(strlen(item->string) + 1);
            if (!t->name) {
                rc = fail(err, errlen, "%s: out of memory", path);
                break;
            }
            strcpy(t->name, item->string);
            f->count++;
            rc = parse_entry(path, item, t, data_size, err, errlen);
            if (rc)
                break;
        }
    }
    cJSON_Delete(root);
    if (rc == 0)
        rc = check_tiling(path, f, data_size, err, errlen);
    return rc;
}

int st_load(const char *path, st_file *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return fail(err, errlen, "%s: cannot open for reading", path);
    int rc = 0;
    char *header = NULL;
    unsigned char b[8];
    off_t size = -1;
    if (fseeko(fp, 0, SEEK_END) == 0)
        size = ftello(fp);
    if (size < 0 || fseeko(fp, 0, SEEK_SET) != 0)
        rc = fail(err, errlen, "%s: cannot determine the file size", path);
    else if (size < 8 || fread(b, 1, 8, fp) != 8)
        rc = fail(err, errlen, "%s: file is %lld bytes, too short for the 8-byte header size", path, (long long)size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0 && rc == 0; i--)
        hlen = hlen << 8 | b[i];
    if (rc == 0 && hlen > (uint64_t)size - 8)
        rc = fail(err, errlen, "%s: header size %" PRIu64 " exceeds the file (%lld bytes; truncated?)", path, hlen,
                  (long long)size);
    else if (rc == 0 && (hlen > ST_MAX_HEADER || hlen < 2))
        rc = fail(err, errlen, "%s: implausible header size %" PRIu64 " (not a safetensors file?)", path, hlen);
    if (rc == 0 && !(header = malloc(hlen)))
        rc = fail(err, errlen, "%s: out of memory for a %" PRIu64 "-byte header", path, hlen);
    if (rc == 0 && fread(header, 1, hlen, fp) != hlen)
        rc = fail(err, errlen, "%s: read error in the header", path);
    uint64_t data_size = rc == 0 ? (uint64_t)size - 8 - hlen : 0;
    if (rc == 0)
        rc = parse_header(path, header, hlen, data_size, f, err, errlen);
    free(header);

    /* All offsets are checked against the file size: the reads below cannot run past it. */
    for (int i = 0; i < f->count && rc == 0; i++) {
        st_tensor *t = &f->tensors[i];
        size_t nbytes = (size_t)(t->end - t->begin);
        t->data = malloc(nbytes ? nbytes : 1);
        if (!t->data)
            rc = fail(err, errlen, "%s: tensor '%s': out of memory for %zu bytes", path, t->name, nbytes);
        else if (fseeko(fp, (off_t)(8 + hlen + t->begin), SEEK_SET) != 0 || fread(t->data, 1, nbytes, fp) != nbytes)
            rc = fail(err, errlen, "%s: tensor '%s': read error", path, t->name);
    }
    fclose(fp);
    if (rc)
        st_free(f);
    return rc;
}

st_tensor *st_get(st_file *f, const char *name)
{
    for (int i = 0; i < f->count; i++)
        if (strcmp(f->tensors[i].name, name) == 0)
            return &f->tensors[i];
    return NULL;
}

void st_free(st_file *f)
{
    for (int i = 0; i < f->count; i++) {
        free(f->tensors[i].name);
        free(f->tensors[i].data);
    }
    free(f->tensors);
    memset(f, 0, sizeof *f);
}

static const char *st_dtype_of(fkda_dtype d)
{
    for (size_t i = 0; i < ST_NDTYPES; i++)
        if (st_dtypes[i].fdtype == d && d != FKDA_DTYPE_INVALID)
            return st_dtypes[i].name;
    return NULL;
}

/* An integer as a raw JSON token: cJSON prints numbers as doubles, which could turn into exponent form. */
static cJSON *json_int(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRIu64, v);
    return cJSON_CreateRaw(s);
}

int st_save(const char *path, const st_entry *entries, int n, const char *metadata_key, const char *metadata_value,
            char *err, size_t errlen)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return fail(err, errlen, "%s: out of memory", path);
    int rc = 0;
    if (metadata_key) {
        cJSON *meta = cJSON_AddObjectToObject(root, "__metadata__");
        if (!meta || !cJSON_AddStringToObject(meta, metadata_key, metadata_value))
            rc = fail(err, errlen, "%s: out of memory", path);
    }
    uint64_t offset = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const st_entry *e = &entries[i];
        const char *dt = st_dtype_of(e->dtype);
        if (!dt) {
            rc = fail(err, errlen, "%s: tensor '%s': cannot write dtype %d", path, e->name, (int)e->dtype);
            break;
        }
        uint64_t bytes = fkda_dtype_size(e->dtype);
        cJSON *t = cJSON_AddObjectToObject(root, e->name);
        cJSON *shape = cJSON_CreateArray(), *offs = cJSON_CreateArray();
        if (!t || !shape || !offs || !cJSON_AddStringToObject(t, "dtype", dt)) {
            cJSON_Delete(shape);
            cJSON_Delete(offs);
            rc = fail(err, errlen, "%s: out of memory", path);
            break;
        }
        cJSON_AddItemToObject(t, "shape", shape);
        cJSON_AddItemToObject(t, "data_offsets", offs);
        for (int d = 0; d < e->rank; d++) {
            cJSON_AddItemToArray(shape, json_int((uint64_t)e->shape[d]));
            bytes *= (uint64_t)e->shape[d];
        }
        cJSON_AddItemToArray(offs, json_int(offset));
        cJSON_AddItemToArray(offs, json_int(offset + bytes));
        offset += bytes;
    }
    char *json = rc == 0 ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (rc == 0 && !json)
        return fail(err, errlen, "%s: out of memory", path);
    if (rc)
        return rc;

    /* Pad the header with spaces so that the data section starts 8-byte aligned. */
    size_t len = strlen(json), padded = (len + 7) / 8 * 8;
    unsigned char size_le[8];
    for (int i = 0; i < 8; i++)
        size_le[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    FILE *fp = fopen(path, "wb");
    if (!fp) {
        free(json);
        return fail(err, errlen, "%s: cannot open for writing", path);
    }
    int ok = fwrite(size_le, 1, 8, fp) == 8 && fwrite(json, 1, len, fp) == len;
    for (size_t i = len; i < padded && ok; i++)
        ok = fputc(' ', fp) != EOF;
    free(json);
    for (int i = 0; i < n && ok; i++) {
        const st_entry *e = &entries[i];
        size_t bytes = fkda_dtype_size(e->dtype);
        for (int d = 0; d < e->rank; d++)
            bytes *= (size_t)e->shape[d];
        ok = bytes == 0 || fwrite(e->data, 1, bytes, fp) == bytes;
    }
    if (fclose(fp) != 0 || !ok)
        return fail(err, errlen, "%s: write error (disk full?)", path);
    return 0;
}
