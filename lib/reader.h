/*
 * reader.h: what the format readers (import_*.c) share.
 *
 * A reader owns a stream (a file, or a copy of bytes in memory) and the
 * names used in messages and keys.  Each format provides a next()
 * function that yields one article at a time; a record it cannot read is
 * reported with eaf__reader_error() and EAF_SYNTAX, and the next call goes
 * on after it.  No SQL here.
 */
#ifndef EAF_READER_H
#define EAF_READER_H

#include "eaf-private.h"

#include <stdio.h>

/* The largest file read whole (pages); bigger ones are refused. */
#define EAF__READER_MAX_FILE (64u * 1024 * 1024)

struct eaf_reader {
    FILE *fp;
    char *mem;               /* the copy behind fp for memory readers */
    char *name;              /* for messages: the path or the given name */
    char *key_base;          /* the name without its extension */
    eaf_format format;
    unsigned long line;      /* line-oriented formats: the current line */
    int done;
    eaf__buf err;
    eaf__buf line_buf;       /* line-oriented formats: the current line */
};

/* Records a message "name:line: text" (line 0: "name: text"). */
void eaf__reader_error(eaf_reader *r, unsigned long line, const char *fmt, ...)
    EAF__PRINTF(3, 4);

/* Reads the rest of the stream into memory (at most EAF__READER_MAX_FILE
 * bytes).  Returns EAF_OK, EAF_NOMEM, EAF_IO (message recorded) or
 * EAF_SYNTAX when the file is too large. */
eaf_status eaf__reader_slurp(eaf_reader *r, char **data, size_t *len);

/* Reads one line (without its newline) into r->line_buf and counts it;
 * returns 1, 0 at the end, -1 on a read error, -2 when out of memory
 * (message recorded). */
int eaf__reader_getline(eaf_reader *r);

/* import_page.c: an article page saved as Markdown text; one article. */
eaf_status eaf__page_next(eaf_reader *r, eaf_article **out);
/* import_jsonl.c: JSON Lines, one article per line. */
eaf_status eaf__jsonl_next(eaf_reader *r, eaf_article **out);

#endif /* EAF_READER_H */
