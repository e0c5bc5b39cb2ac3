/*
 * ext.c: the loadable SQLite extension, so that the sqlite3 shell can
 * query an index:  sqlite3 index.db '.load eafsearch' "SELECT ..."
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "fts.h"

#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define EAF__EXPORT __attribute__((visibility("default")))
#else
#define EAF__EXPORT
#endif

EAF__EXPORT int sqlite3_eafsearch_init(sqlite3 *db, char **errmsg,
                                       const sqlite3_api_routines *api);

int sqlite3_eafsearch_init(sqlite3 *db, char **errmsg,
                           const sqlite3_api_routines *api)
{
    const char *msg = NULL;
    int rc;

    SQLITE_EXTENSION_INIT2(api);
    rc = eaf__fts_register(db, 0, NULL, NULL, &msg);
    if (rc != SQLITE_OK && msg && errmsg)
        *errmsg = sqlite3_mprintf("%s", msg);
    return rc;
}
