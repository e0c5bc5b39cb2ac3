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

/* Registers the "eaf" tokenizer on a connection.  Returns an SQLite code;
 * on failure *errmsg, if given, points to a static message. */
int eaf__fts_register(sqlite3 *db, const char **errmsg);

#endif /* EAF_FTS_H */
