/*
 * text.c: the public face of the library's UTF-8 handling (utf8.c), for
 * programs that show or pass on text an index holds or a user typed.
 */
#include "eaf-private.h"

#include <string.h>

eaf_status eaf_utf8_clean(char **out, const char *s, size_t n)
{
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!s)
        return EAF_MISUSE;
    if (n == EAF_NTS)
        n = strlen(s);
    *out = eaf__utf8_clean(s, n);
    return *out ? EAF_OK : EAF_NOMEM;
}

size_t eaf_utf8_char(const char *s, size_t n)
{
    size_t len;

    if (!s || n == 0)
        return 0;
    /* a NUL byte is a character here: the caller said how many bytes */
    return eaf__utf8_decode((const unsigned char *)s, n, &len) >= 0 ? len : 0;
}
