/*
 * archive.h: tar, zip and compressed files through libarchive, for the
 * dispatcher and the byte source.  An archive knows nothing of readers:
 * what goes wrong is kept as a message that the caller takes and reports
 * under the input's name.
 */
#ifndef EAF_IMPORT_ARCHIVE_H
#define EAF_IMPORT_ARCHIVE_H

#include "eaf-private.h"

#include <sys/types.h>

typedef struct eaf__archive eaf__archive;

/* Opens an archive: the file at path, or mem[0..mem_len) when path is
 * NULL.  size is the input's size on disk (for the decompression limit).
 * Returns EAF_OK, EAF_NOMEM or EAF_IO (message in *errmsg_out). */
eaf_status eaf__archive_open(eaf__archive **out, const char *path,
                             const char *mem, size_t mem_len, int64_t size,
                             char **errmsg_out);
/* Moves to the next member that is a regular file: EAF_ROW with *name
 * (borrowed until the next call), EAF_DONE after the last, EAF_IO when the
 * archive cannot be read on, EAF_NOMEM (message for eaf__archive_take_msg()). */
eaf_status eaf__archive_next(eaf__archive *a, const char **name);
/* Whether the archive is one compressed file (".gz") rather than a tar or
 * zip. */
int eaf__archive_is_single(const eaf__archive *a);
/* TAR, ZIP or GZIP (one compressed file) once the first member was
 * read; NONE before. */
eaf_archive_kind eaf__archive_kind(const eaf__archive *a);
/* Reads the current member: the count, 0 at its end, -1 when the archive
 * cannot be read on (a new message for eaf__archive_take_msg() the first
 * time). */
ssize_t eaf__archive_read(eaf__archive *a, char *buf, size_t n);
/* The message of the last failure, if not taken yet (the caller frees
 * it), else NULL. */
char *eaf__archive_take_msg(eaf__archive *a);
/* What an archive without a single file is ("an empty zip archive");
 * static. */
const char *eaf__archive_empty_reason(const eaf__archive *a);
void eaf__archive_free(eaf__archive *a);

/* The limits against decompression bombs: an archive may give out at most
 * EAF__ARCHIVE_MAX_RATIO times its own size, once it has given more than
 * EAF__ARCHIVE_RATIO_FLOOR bytes; and never more than EAF__ARCHIVE_MAX_TOTAL. */
#define EAF__ARCHIVE_MAX_RATIO 100
#define EAF__ARCHIVE_RATIO_FLOOR (1u << 20)
#define EAF__ARCHIVE_MAX_TOTAL ((int64_t)16 << 30)

#endif /* EAF_IMPORT_ARCHIVE_H */
