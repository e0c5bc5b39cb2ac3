/*
 * error.h: recording a failure, at the ground floor.
 *
 * A handle keeps the message of the first failure of a call in an eaf__buf
 * (eaf_db's err); these write it there, and map SQLite's result codes to
 * the library's, so that any layer can record a failure without knowing
 * the handle that owns the buffer.  db.h wraps them for an eaf_db
 * (eaf__db_error, eaf__db_sqlerr).
 */
#ifndef EAF_ERROR_H
#define EAF_ERROR_H

#include "eaf-private.h"

#include <stdarg.h>

struct sqlite3;

/* Empties err: a public call starts so. */
void eaf__error_clear(eaf__buf *err);
/* Records the message fmt in err unless a message is already there (the
 * first failure of a call wins); returns st. */
eaf_status eaf__error_set(eaf__buf *err, eaf_status st, const char *fmt, ...)
    EAF__PRINTF(3, 4);
eaf_status eaf__error_vset(eaf__buf *err, eaf_status st, const char *fmt, va_list ap)
    EAF__PRINTF(3, 0);
/* Records an SQLite failure of the connection sql (may be NULL): maps the
 * code, keeps SQLite's message after `what` ("reading the article:
 * database is locked"). */
eaf_status eaf__error_sqlite(eaf__buf *err, struct sqlite3 *sql, int sqlite_rc,
                             const char *what);
/* The library's status for an SQLite result code (extended or not). */
eaf_status eaf__status_from_sqlite(int sqlite_rc);

#endif /* EAF_ERROR_H */
