/*
 * store.h: helpers shared by the files of the store (store.c, the
 * articles; store_source.c, the files they come from).
 */
#ifndef EAF_STORE_H
#define EAF_STORE_H

#include "db.h"

/* Binds a C string or NULL. */
static inline int eaf__store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* The status of the SQLite failure just recorded (a statement that could
 * not be prepared: EAF_NOMEM when out of memory), never EAF_OK. */
eaf_status eaf__store_failed(eaf_db *db);
/* Runs a statement that returns no rows. */
eaf_status eaf__store_run(eaf_db *db, sqlite3_stmt *st, const char *what);
/* Counts a change or deletion of existing articles, which the column
 * sizes kept by searches (rank.c) must read again. */
eaf_status eaf__store_count_rewrite(eaf_db *db);
/* One integer the cached statement id gives for (a, b) (b < 0: only a):
 * 1 and *out, 0 for no row, -1 on error. */
int eaf__store_stmt_int(eaf_db *db, int id, sqlite3_int64 a, sqlite3_int64 b,
                        sqlite3_int64 *out);
/* Runs the cached statement id bound to (a, b) (b < 0: only a). */
eaf_status eaf__store_stmt_run2(eaf_db *db, int id, sqlite3_int64 a, sqlite3_int64 b,
                                const char *what);

#endif /* EAF_STORE_H */
