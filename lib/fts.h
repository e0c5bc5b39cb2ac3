/*
 * fts.h: the FTS5 side of the tokenizer (registration on a connection).
 */
#ifndef EAF_FTS_H
#define EAF_FTS_H

#ifdef EAF_SQLITE_EXTENSION
#include <sqlite3ext.h>
#else
#include <sqlite3.h>
#endif
#include <stddef.h>

/* The tokenizer's name in FTS5 table definitions. */
#define EAF__FTS_TOKENIZER "eaf"
/* Its second argument in an index of schema 6 on: the synthetic tokens
 * (tokenize.h) are indexed. */
#define EAF__FTS_SYNTH "synth"

/* The ranking function's name (rank.c). */
#define EAF__RANK_FUNCTION "eaf_rank"

/* The most rows a ranking spec may say are read ("k=", rank.c). */
#define EAF__RANK_TOP_MAX 10000

/* Tokens made ahead for a document's text (prep.c): the tokenizer asks
 * replay() before tokenizing a document, which returns 1 when it passed
 * the tokens of that very text to fn (and *rc what tokenizing would have
 * returned), 0 when it holds none. */
typedef struct eaf__fts_prepared {
    int (*replay)(void *set, const char *text, size_t n,
                  int (*fn)(void *, const char *, int, int, int), void *ctx, int *rc);
    void *set;
} eaf__fts_prepared;

/* What the ranking of the query the connection ranked last tells its
 * caller (rank.c), for a search that ranks its title rows first
 * (search.c).  After a step of a statement that ranks with "k=" in its
 * spec, once serial has moved (the statement ranked a row, so the query
 * that moved it last is that statement's):
 *  - ask: the spec had "t=1", and the query ranks enough rows that a
 *    first run on the rows with a scored phrase in their titles is worth
 *    it; the statement stopped with an error at the row where it found
 *    that, and hits holds the rows of each of its nphrase phrases (-1:
 *    not scored), for the next runs' "df=";
 *  - rest: a row that has none of the scored phrases in its title scores
 *    at most this (below 0: no bound known);
 *  - full: the k best rows are scored, the k-th of them kth. */
#define EAF__RANK_REPORT_PHRASES 64
typedef struct eaf__rank_report {
    unsigned long serial; /* queries whose first row was ranked */
    int ask;
    int full;
    double kth;
    double rest;
    int nphrase;
    double hits[EAF__RANK_REPORT_PHRASES];
} eaf__rank_report;

/* Registers the "eaf" tokenizer and the "eaf_rank" and "eaf_snippet"
 * functions on a connection; `ours` says the connection is a library
 * handle's, on an index of ours (its full-text table is "fts"), and
 * `prepared` (NULL: none), which must outlive the connection, where its
 * tokenizer finds tokens made ahead; `report` (NULL: none), which must
 * outlive it too, where the ranking function reports.  Returns an SQLite
 * code; on failure *errmsg, if given, points to a static message. */
int eaf__fts_register(sqlite3 *db, int ours, const eaf__fts_prepared *prepared,
                      eaf__rank_report *report, const char **errmsg);

/* rank.c: registers eaf_rank with FTS5; with db (an index of ours), it
 * keeps the column sizes of the table fts in memory, and reports into
 * report when given. */
int eaf__rank_register(fts5_api *api, sqlite3 *db, eaf__rank_report *report);

/* rank.c: the document frequency of a phrase from a count that stopped
 * after `hits` articles at id `last` (0: it did not stop), in a table of
 * nrow articles with ids id_lo..id_hi (unknown: 0, 0). */
#define EAF__DF_SAMPLE 1000 /* rows counted before the estimate */
double eaf__rank_df(sqlite3_int64 hits, sqlite3_int64 last, sqlite3_int64 id_lo,
                    sqlite3_int64 id_hi, sqlite3_int64 nrow);

/* The snippet function's name (snippet.c). */
#define EAF__SNIPPET_FUNCTION "eaf_snippet"

/* snippet.c: registers eaf_snippet with FTS5. */
int eaf__snippet_register(fts5_api *api);

#endif /* EAF_FTS_H */
