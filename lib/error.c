/*
 * error.c: the message of a failure, and SQLite's codes as the library's.
 */
#include "error.h"

#include <sqlite3.h>

void eaf__error_clear(eaf__buf *err)
{
    eaf__buf_reset(err);
    err->rc = EAF_OK;
}

eaf_status eaf__error_vset(eaf__buf *err, eaf_status st, const char *fmt, va_list ap)
{
    char *msg;

    /* the first error of a call wins */
    if (err->n > 0)
        return st;
    msg = eaf__vprintf(fmt, ap);
    eaf__error_clear(err);
    eaf__buf_puts(err, msg ? msg : "out of memory");
    eaf__free(msg);
    return st;
}

eaf_status eaf__error_set(eaf__buf *err, eaf_status st, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    eaf__error_vset(err, st, fmt, ap);
    va_end(ap);
    return st;
}

eaf_status eaf__status_from_sqlite(int rc)
{
    switch (rc & 0xFF) {
    case SQLITE_OK: return EAF_OK;
    case SQLITE_NOMEM: return EAF_NOMEM;
    case SQLITE_BUSY: case SQLITE_LOCKED: return EAF_BUSY;
    case SQLITE_CORRUPT: case SQLITE_NOTADB: return EAF_CORRUPT;
    case SQLITE_READONLY: return EAF_READONLY;
    case SQLITE_IOERR: case SQLITE_CANTOPEN: case SQLITE_FULL:
    case SQLITE_PERM: return EAF_IO;
    case SQLITE_MISUSE: return EAF_MISUSE;
    case SQLITE_INTERRUPT: return EAF_INTERRUPTED;
    default: return EAF_ERROR;
    }
}

eaf_status eaf__error_sqlite(eaf__buf *err, sqlite3 *sql, int rc, const char *what)
{
    eaf_status st = eaf__status_from_sqlite(rc);
    const char *msg = sql ? sqlite3_errmsg(sql) : sqlite3_errstr(rc);

    if ((rc & 0xFF) == SQLITE_BUSY)
        msg = "the index is locked by another writer";
    else if ((rc & 0xFF) == SQLITE_FULL)
        msg = "the disk is full (no room for the index or its temporary files)";
    else if ((rc & 0xFF) == SQLITE_INTERRUPT)
        msg = "interrupted";
    return eaf__error_set(err, st, "%s: %s", what, msg);
}
