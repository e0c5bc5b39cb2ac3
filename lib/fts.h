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

/* The tokenizer's name in FTS5 table definitions. */
#define EAF__FTS_TOKENIZER "eaf"

/* The ranking function's name (rank.c). */
#define EAF__RANK_FUNCTION "eaf_rank"

/* Registers the "eaf" tokenizer and the "eaf_rank" and "eaf_snippet"
 * functions on a connection; `ours` says the connection is a library
 * handle's, on an index of ours (its full-text table is "fts").  Returns
 * an SQLite code; on failure *errmsg, if given, points to a static
 * message. */
int eaf__fts_register(sqlite3 *db, int ours, const char **errmsg);

/* rank.c: registers eaf_rank with FTS5; with db (an index of ours), it
 * keeps the column sizes of the table fts in memory. */
int eaf__rank_register(fts5_api *api, sqlite3 *db);

/* rank.c: the document frequency of a phrase from a count that stopped
 * after `hits` articles at id `last` (0: it did not stop), in a table of
 * nrow articles with ids id_lo..id_hi (unknown: 0, 0). */
double eaf__rank_df(sqlite3_int64 hits, sqlite3_int64 last, sqlite3_int64 id_lo,
                    sqlite3_int64 id_hi, sqlite3_int64 nrow);

/* The snippet function's name (snippet.c). */
#define EAF__SNIPPET_FUNCTION "eaf_snippet"

/* snippet.c: registers eaf_snippet with FTS5. */
int eaf__snippet_register(fts5_api *api);

#endif /* EAF_FTS_H */
