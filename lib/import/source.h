/*
 * source.h: the bytes a format reader reads, and the messages it gives.
 *
 * A source is one input file: a file on disk, a copy of bytes in memory,
 * or the current member of an archive (archive.c).  Every format reads its
 * bytes through eaf__source_read() and friends, so that it does not care
 * where they come from; it reports a record it cannot read with
 * eaf__source_error() and EAF_SYNTAX.  The dispatcher (reader.c) owns the
 * source and moves it from member to member; nothing here knows of formats
 * or of the dispatcher.  No SQL here.
 */
#ifndef EAF_IMPORT_SOURCE_H
#define EAF_IMPORT_SOURCE_H

#include "eaf-private.h"

#include <stdio.h>
#include <sys/types.h>

/* The largest file (or archive member) read whole (pages, HTML,
 * Markdown); bigger ones are refused.  WXR and JSON Lines are streamed and
 * have no such limit. */
#define EAF__READER_MAX_FILE (64u * 1024 * 1024)

/* The member naming the header line of an export (eafindex --export): the
 * JSON Lines reader passes over a line holding it and no "id". */
#define EAF__EXPORT_HEADER "eafsearch_export"

typedef struct eaf__archive eaf__archive;

typedef struct eaf__source {
    FILE *fp;                /* a plain file, or fmemopen() over mem */
    char *mem;               /* the copy behind fp for memory readers */
    size_t mem_len;
    eaf__archive *ar;        /* archive.c: the container, or NULL */
    char *name;              /* the name of the input (the path or the given one) */
    char *msg_name;          /* for messages: name, or "name:member" */
    char *key_base;          /* the current file's name without its extension */
    unsigned long line;      /* line-oriented formats: the current line */
    int done;                /* the current file (member) is finished */
    int io_error;            /* a read failed (message recorded) */
    size_t skipped;          /* records skipped as not articles */
    char *skip_reason;       /* why the last one was */
    /* input buffer: detection fills it without consuming it */
    char *in;
    size_t in_pos, in_len, in_cap;
    int in_eof;
    /* per-format state (WXR), freed when the file ends */
    void *state;
    void (*state_free)(void *state);
    eaf__buf err;
    eaf__buf line_buf;       /* line-oriented formats: the current line */
} eaf__source;

/* Records a message "name:line: text" (line 0: "name: text"). */
void eaf__source_error(eaf__source *r, unsigned long line, const char *fmt, ...)
    EAF__PRINTF(3, 4);

/* Records a record skipped as not an article, and why ("post_type
 * attachment"). */
void eaf__source_skip(eaf__source *r, const char *fmt, ...) EAF__PRINTF(2, 3);

/* Reads up to n bytes of the current file; returns the count, 0 at the
 * end, -1 on a read error (message recorded, r->io_error set). */
ssize_t eaf__source_read(eaf__source *r, char *buf, size_t n);

/* Reads the rest of the current file into memory (at most
 * EAF__READER_MAX_FILE bytes), NUL-terminated.  Returns EAF_OK, EAF_NOMEM,
 * EAF_IO (message recorded) or EAF_SYNTAX when the file is too large. */
eaf_status eaf__source_slurp(eaf__source *r, char **data, size_t *len);

/* eaf__source_slurp() for a text format: *text is the text after a UTF-8
 * byte-order mark, *len its length; a file of white space alone is
 * EAF_SYNTAX with the message empty (and *data NULL). */
eaf_status eaf__source_slurp_text(eaf__source *r, char **data, const char **text,
                                  size_t *len, const char *empty);

/* Reads one line (without its newline) into r->line_buf and counts it;
 * returns 1, 0 at the end, -1 on a read error, -2 when out of memory
 * (message recorded). */
int eaf__source_getline(eaf__source *r);

/* Fills the input buffer up to want bytes (or the end of the input)
 * without consuming them, for format detection.  Returns 0, -1 on a read
 * error, -2 when out of memory (message recorded). */
int eaf__source_fill(eaf__source *r, size_t want);

/* Starts reading the source over from its first byte (a new member). */
void eaf__source_rewind(eaf__source *r);

/* Frees the per-format state of the current file. */
void eaf__source_free_state(eaf__source *r);

/* Frees what the source holds (not the source itself). */
void eaf__source_clear(eaf__source *r);

#endif /* EAF_IMPORT_SOURCE_H */
