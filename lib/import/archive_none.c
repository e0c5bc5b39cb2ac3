/*
 * archive_none.c: archives in a build without libarchive.  The dispatcher
 * still recognises an archive by its first bytes (sniff.c); opening one
 * fails with EAF_NOTFOUND and says why.  Nothing else here is reached: no
 * archive is ever open.
 */
#include "archive.h"

eaf_status eaf__archive_open(eaf__archive **out, const char *path,
                             const char *mem, size_t mem_len, int64_t size,
                             char **errmsg_out)
{
    (void)mem;
    (void)mem_len;
    (void)size;
    *out = NULL;
    if (errmsg_out)
        *errmsg_out = eaf__printf("%s: an archive or compressed file, which this build of "
                                  "libeafsearch does not read (configured without libarchive)",
                                  path ? path : "archive");
    return EAF_NOTFOUND;
}

eaf_status eaf__archive_next(eaf__archive *a, const char **name)
{
    (void)a;
    *name = NULL;
    return EAF_DONE;
}

int eaf__archive_is_single(const eaf__archive *a)
{
    (void)a;
    return 0;
}

eaf_archive_kind eaf__archive_kind(const eaf__archive *a)
{
    (void)a;
    return EAF_ARCHIVE_NONE;
}

ssize_t eaf__archive_read(eaf__archive *a, char *buf, size_t n)
{
    (void)a;
    (void)buf;
    (void)n;
    return -1;
}

char *eaf__archive_take_msg(eaf__archive *a)
{
    (void)a;
    return NULL;
}

const char *eaf__archive_empty_reason(const eaf__archive *a)
{
    (void)a;
    return "an archive";
}

void eaf__archive_free(eaf__archive *a)
{
    (void)a;
}
