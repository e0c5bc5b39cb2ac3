/*
 * query.h: what eafquery's driver (eafquery.c) and its printers
 * (query_print.c) share: the hit members, the configuration of a run, and
 * the printer interface.
 */
#ifndef EAF_TOOLS_QUERY_H
#define EAF_TOOLS_QUERY_H

#include "common.h"

#include <stdio.h>

#include <jansson.h>

/* ---- hit members ----------------------------------------------------------- */

enum field { F_RANK, F_KEY, F_URL, F_TITLE, F_DATE, F_AUTHORS, F_SCORE, F_SNIPPET,
             F_SUMMARY, F_TOPICS, F_COUNTRIES, F_TAGS, F_LAST };

/* their names in --fields, the JSON output and the tsv header */
extern const char *const field_names[F_LAST];

/* the members shown without --fields (those of the first JSON schema) */
#define N_DEFAULT_FIELDS 8

#define BIT(f) (1u << (f))
/* the members read from the whole article */
#define ARTICLE_FIELDS (BIT(F_AUTHORS) | BIT(F_TOPICS) | BIT(F_COUNTRIES) | BIT(F_TAGS))

/* ---- configuration --------------------------------------------------------- */

typedef struct printer printer;

typedef struct config {
    const printer *p;
    int batch;
    int explain;
    int filters;               /* any filter option given */
    unsigned facets_top;       /* 0: no facets */
    unsigned limit;            /* -n: the most hits to print; 0: none
                                  (so.limit is then 1: the library's 0
                                  means its default) */
    enum field fields[F_LAST]; /* the members to print, in order */
    size_t nfields;
    unsigned field_mask;
    eaf_search_options so;
    eaf_db *db;
} config;

/* One query as the printers see it. */
typedef struct query_run {
    const char *qid;        /* NULL outside batch mode */
    const char *query;
    eaf_search *s;
    int64_t total;          /* -1 unless the printer asked for it */
    eaf_facets *facets;     /* NULL unless --facets */
    const char *suggestion; /* NULL: none */
} query_run;

/* The state of the output, shared by all the queries of a run. */
typedef struct output {
    const config *cfg;
    FILE *out;              /* where the json printer writes (eafquery:
                               stdout; eafserve: a response's buffer) */
    const char *explain;    /* json: added as the member "explain" when
                               not NULL (eafserve's explain=1; eafquery
                               prints its explanation on stderr) */
    int nqueries;           /* queries begun so far */
    unsigned shown;         /* hits printed for the current query */
    json_t *root, *hits;    /* json: the current query's object */
} output;

/*
 * A printer: one per format.  start is called once before any query,
 * begin before each query's hits, hit once per hit (rank counts from
 * offset + 1), end after the hits, or with ok = 0 after a failure once
 * begin has succeeded (to discard what was held back).  Any of them may be
 * NULL.  They return 0, or -1 after a failure they reported, or FAIL_DB
 * after one whose message is on the db handle.
 */
#define P_TOTAL  0x1u  /* needs the total number of hits */
#define P_HITS   0x2u  /* steps through the hits */
#define P_NOTES  0x4u  /* shows the fallback and suggestion itself */
#define P_FIELDS 0x8u  /* honours --fields */
#define P_FACETS 0x10u /* shows facets */

struct printer {
    const char *name;
    unsigned flags;
    int (*start)(output *o);
    int (*begin)(output *o, const query_run *r);
    int (*hit)(output *o, const query_run *r, unsigned rank);
    int (*end)(output *o, const query_run *r, int ok);
};

#define FAIL_DB (-2)


/* ---- query_print.c ----------------------------------------------------------- */

/* The formats of --format (the first is the default), and those of
 * --null and --count. */
#define N_PRINTERS 5
extern const printer printers[N_PRINTERS];
extern const printer null_printer, count_printer;

/* Reads a --fields list (names of field_names, comma-separated) into
 * cfg's fields and field_mask, each once, in the order given.  Returns 0,
 * or -1 with the first unknown name in *bad (*badlen bytes, not
 * NUL-terminated). */
int fields_parse(config *cfg, const char *list, const char **bad, size_t *badlen);

/* The name of a sort order, as --sort and the JSON output say it. */
const char *sort_name(eaf_sort sort);

/*
 * Prints text for people: tabs and line breaks become spaces, other control
 * characters and invalid UTF-8 become U+FFFD, and after max characters (0:
 * no limit) the rest becomes "...".  The markers keep (they are ours: the
 * terminal's colours around matches), when given.  NULL prints nothing.
 */
void put_clean_marked(FILE *f, const char *s, size_t max, const char *open,
                      const char *close);

/* Echoes text from outside (the query, a qid, a suggestion made from the
 * query) to people: cleaned, and shortened when long. */
void put_echo(FILE *f, const char *s);

/* For the machine-readable formats: the notes (a question, the fallback,
 * a suggestion) go to standard error. */
void warn_notes(const query_run *r);

/* A JSON string of text that may not be valid UTF-8 (invalid sequences
 * become U+FFFD); NULL only when out of memory.  (eafserve's API makes
 * its other answers with it.) */
json_t *json_text(const char *s);

#endif
