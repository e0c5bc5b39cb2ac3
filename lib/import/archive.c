/*
 * archive.c: archives (tar, zip) and compressed files (gzip, bzip2, xz),
 * read in place through libarchive, never unpacked to disk.
 *
 * An archive is opened with the tar and zip formats and libarchive's "raw"
 * format, which takes any compressed stream that is not an archive as one
 * file (a ".gz").  Its members are read one after the other; only regular
 * files are offered.  Against decompression bombs, the bytes an archive
 * gives out are counted: past EAF__ARCHIVE_RATIO_FLOOR they may not exceed
 * EAF__ARCHIVE_MAX_RATIO times the archive's own size, nor ever
 * EAF__ARCHIVE_MAX_TOTAL; either stops the archive with an error, keeping
 * what was read before.  A damaged or truncated archive stops the same way.
 */
#include "archive.h"

#include <string.h>

#include <archive.h>
#include <archive_entry.h>

struct eaf__archive {
    struct archive *a;
    int64_t size;       /* of the archive itself */
    int64_t total;      /* bytes given out so far */
    int single;         /* a compressed file, not an archive */
    int started;        /* the first header was read */
    int failed;
    char *name;         /* the current member's name */
    char *msg;          /* the last failure, until taken */
};


/* Keeps the message of a failure for eaf__archive_take_msg(); "out of
 * memory" when it cannot be made. */
static void fail(eaf__archive *ar, const char *fmt, ...) EAF__PRINTF(2, 3);
static void fail(eaf__archive *ar, const char *fmt, ...)
{
    va_list ap;

    eaf__free(ar->msg);
    va_start(ap, fmt);
    ar->msg = eaf__vprintf(fmt, ap);
    va_end(ap);
    if (!ar->msg)
        ar->msg = eaf__strdup("out of memory");
}

char *eaf__archive_take_msg(eaf__archive *ar)
{
    char *m = ar->msg;

    ar->msg = NULL;
    return m;
}

/* libarchive's message, or a fallback. */
static const char *errstr(struct archive *a)
{
    const char *s = archive_error_string(a);
    return s && *s ? s : "cannot read the archive";
}

eaf_status eaf__archive_open(eaf__archive **out, const char *path,
                             const char *mem, size_t mem_len, int64_t size,
                             char **errmsg_out)
{
    eaf__archive *ar = eaf__calloc(1, sizeof(*ar));
    int rc;

    *out = NULL;
    if (!ar)
        return EAF_NOMEM;
    ar->size = size;
    ar->a = archive_read_new();
    if (!ar->a) {
        eaf__free(ar);
        return EAF_NOMEM;
    }
    archive_read_support_filter_gzip(ar->a);
    archive_read_support_filter_bzip2(ar->a);
    archive_read_support_filter_xz(ar->a);
    archive_read_support_format_tar(ar->a);
    archive_read_support_format_gnutar(ar->a);
    archive_read_support_format_zip(ar->a);
    archive_read_support_format_raw(ar->a);
    if (path)
        rc = archive_read_open_filename(ar->a, path, 65536);
    else
        rc = archive_read_open_memory(ar->a, mem, mem_len);
    if (rc != ARCHIVE_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: %s", path ? path : "archive", errstr(ar->a));
        eaf__archive_free(ar);
        return EAF_IO;
    }
    *out = ar;
    return EAF_OK;
}

int eaf__archive_is_single(const eaf__archive *a)
{
    return a->single;
}

eaf_archive_kind eaf__archive_kind(const eaf__archive *a)
{
    if (!a->started)
        return EAF_ARCHIVE_NONE;
    if (a->single)
        return EAF_ARCHIVE_GZIP;
    return (archive_format(a->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP
               ? EAF_ARCHIVE_ZIP
               : EAF_ARCHIVE_TAR;
}

eaf_status eaf__archive_next(eaf__archive *ar, const char **name)
{
    struct archive_entry *e;
    int rc;

    *name = NULL;
    if (ar->failed)
        return EAF_IO;
    for (;;) {
        rc = archive_read_next_header(ar->a, &e);
        if (rc == ARCHIVE_EOF)
            return EAF_DONE;
        if (rc == ARCHIVE_RETRY)
            continue;
        if (rc < ARCHIVE_WARN) {
            ar->failed = 1;
            fail(ar, "%s", errstr(ar->a));
            return EAF_IO;
        }
        if (!ar->started) {
            ar->started = 1;
            ar->single = archive_format(ar->a) == ARCHIVE_FORMAT_RAW;
        }
        if (ar->single || archive_entry_filetype(e) == AE_IFREG) {
            const char *p = archive_entry_pathname_utf8(e);
            if (!p)
                p = archive_entry_pathname(e);
            while (p && p[0] == '.' && p[1] == '/')
                p += 2;
            eaf__free(ar->name);
            ar->name = eaf__strdup(p ? p : "");
            if (!ar->name) {
                fail(ar, "out of memory");
                return EAF_NOMEM;
            }
            if (!ar->single && !*ar->name)
                continue;
            *name = ar->name;
            return EAF_ROW;
        }
        /* folders, links, devices: nothing to read */
    }
}

ssize_t eaf__archive_read(eaf__archive *ar, char *buf, size_t n)
{
    la_ssize_t k;

    if (ar->failed)
        return -1;
    k = archive_read_data(ar->a, buf, n);
    if (k < 0) {
        const char *s = errstr(ar->a);
        ar->failed = 1;
        if (strstr(s, "runcated") || strstr(s, "Premature end") || strstr(s, "unexpected end"))
            fail(ar, "truncated archive: %s", s);
        else
            fail(ar, "%s", s);
        return -1;
    }
    ar->total += k;
    if (ar->total > EAF__ARCHIVE_MAX_TOTAL) {
        ar->failed = 1;
        fail(ar, "decompression bomb: stopped after %lld bytes, the most any "
                 "archive may expand to (%lld GB)",
             (long long)ar->total, (long long)(EAF__ARCHIVE_MAX_TOTAL >> 30));
        return -1;
    }
    if (ar->total > (int64_t)EAF__ARCHIVE_RATIO_FLOOR &&
        ar->total / EAF__ARCHIVE_MAX_RATIO > (ar->size > 0 ? ar->size : 1)) {
        ar->failed = 1;
        fail(ar, "decompression bomb: the archive (%lld bytes) expands to more "
                 "than %lld bytes, over the limit of %d times its size; stopped",
             (long long)ar->size, (long long)ar->total, EAF__ARCHIVE_MAX_RATIO);
        return -1;
    }
    return (ssize_t)k;
}

const char *eaf__archive_empty_reason(const eaf__archive *ar)
{
    int fmt = archive_format(ar->a) & ARCHIVE_FORMAT_BASE_MASK;

    if (fmt == ARCHIVE_FORMAT_ZIP)
        return "an empty zip archive";
    if (fmt == ARCHIVE_FORMAT_TAR)
        return archive_filter_count(ar->a) > 1
                   ? "an empty tar archive, or a compressed file of only NUL bytes "
                     "(which reads as one)"
                   : "an empty tar archive (only NUL bytes)";
    return "an empty archive";
}

void eaf__archive_free(eaf__archive *ar)
{
    if (!ar)
        return;
    if (ar->a)
        archive_read_free(ar->a);
    eaf__free(ar->name);
    eaf__free(ar->msg);
    eaf__free(ar);
}
