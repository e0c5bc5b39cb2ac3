/*
 * version.c: version, status strings, languages, eaf_free.
 */
#include "eaf-private.h"

#include <libstemmer.h>

const char *eaf_version(void)
{
    return EAF_VERSION_STRING;
}

int eaf_version_number(void)
{
    return EAF_VERSION_NUMBER;
}

const char *eaf_status_str(eaf_status st)
{
    static const char *const names[EAF_STATUS_LAST] = {
        "EAF_OK: success",
        "EAF_ERROR: error",
        "EAF_NOMEM: out of memory",
        "EAF_IO: input/output error",
        "EAF_BUSY: the index is locked by another writer",
        "EAF_CORRUPT: the file is damaged or not a database",
        "EAF_READONLY: the index is open read-only",
        "EAF_NOTFOUND: not found",
        "EAF_EXISTS: already exists",
        "EAF_SYNTAX: malformed input",
        "EAF_MISUSE: the library was called wrongly",
        "EAF_SCHEMA: the index has another schema or configuration",
        "EAF_ROW: a row is ready",
        "EAF_DONE: no more rows",
        "EAF_INTERRUPTED: interrupted",
        "EAF_ABORT: stopped by a callback",
        "EAF_TIMEOUT: over the time limit",
    };

    if ((unsigned)st >= EAF_STATUS_LAST)
        return "unknown status";
    return names[st];
}

void eaf_free(void *p)
{
    eaf__free(p);
}

const char *const *eaf_languages(void)
{
    return sb_stemmer_list();
}
