/*
 * format.h: one row of the table of article formats (reader.c).
 *
 * A format is one file, import_NAME.c, that defines its row: its names,
 * the extensions that tell it, a sniffing function (sniff.h) and a
 * next-article function reading from a byte source (source.h).  Adding a
 * format is that file and one line in the table.  A format calls nothing
 * of the dispatcher.
 */
#ifndef EAF_IMPORT_FORMAT_H
#define EAF_IMPORT_FORMAT_H

#include "sniff.h"
#include "source.h"

typedef struct eaf__format_def {
    eaf_format id;
    const char *name;                /* as eaf_format_name() gives it */
    const char *const *aliases;      /* other names taken; NULL-terminated */
    const char *const *extensions;   /* the endings of names that tell this
                                        format (by the rule its sniffing
                                        function gives them); NULL-terminated */
    /* The lowest rank of a rule that claims the file for this format, or
     * EAF__SNIFF_NO. */
    int (*sniff)(const eaf__sniff *s);
    /* Yields the next article of the current file: EAF_ROW, EAF_DONE at its
     * end (or setting src->done after the last), EAF_SYNTAX for a record
     * that cannot be read (message recorded), EAF_IO, EAF_NOMEM. */
    eaf_status (*next)(eaf__source *src, eaf_article **out);
    /* Records why a file that gave nothing at all gave nothing; NULL for
     * "no article in the file". */
    void (*nothing)(eaf__source *src);
} eaf__format_def;

extern const eaf__format_def eaf__format_page;      /* import_page.c */
extern const eaf__format_def eaf__format_jsonl;     /* import_jsonl.c */
extern const eaf__format_def eaf__format_html;      /* import_html.c */
extern const eaf__format_def eaf__format_markdown;  /* import_markdown.c */
extern const eaf__format_def eaf__format_wxr;       /* import_wxr.c */

/* The table, for the tests: its rows in order, *n of them. */
const eaf__format_def *const *eaf__format_table(size_t *n);

#endif /* EAF_IMPORT_FORMAT_H */
