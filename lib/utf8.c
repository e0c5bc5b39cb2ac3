/*
 * utf8.c: decoding, encoding and cleaning of UTF-8 text.
 */
#include "eaf-private.h"

#include <string.h>

int32_t eaf__utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
    int32_t cp;
    size_t need, i;
    unsigned char c = s[0];

    *len = 1;
    if (c < 0x80)
        return c;
    if (c < 0xC2)
        return -1;
    if (c < 0xE0) {
        need = 2;
        cp = c & 0x1F;
    } else if (c < 0xF0) {
        need = 3;
        cp = c & 0x0F;
    } else if (c < 0xF5) {
        need = 4;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (n < need)
        return -1;
    for (i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return -1;
    *len = need;
    return cp;
}

size_t eaf__utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;

    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

char *eaf__utf8_clean(const char *s, size_t n)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    const unsigned char *u = (const unsigned char *)s;
    eaf__buf b = EAF__BUF_INIT;
    size_t i = 0, run = 0, len;

    /* Copy valid runs in one piece; the common case is one run. */
    while (i < n) {
        if (u[i] >= 0x01 && u[i] < 0x80) {
            i++;
            continue;
        }
        if (u[i] != 0 && eaf__utf8_decode(u + i, n - i, &len) >= 0) {
            i += len;
            continue;
        }
        eaf__buf_append(&b, s + run, i - run);
        eaf__buf_append(&b, replacement, 3);
        i++;
        run = i;
    }
    eaf__buf_append(&b, s + run, n - run);
    if (b.rc != EAF_OK)
        return NULL;
    if (!b.p)
        return eaf__strndup("", 0);
    return eaf__buf_detach(&b);
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

void eaf__buf_put_squeezed(eaf__buf *b, const char *s, size_t n)
{
    size_t i = 0, start;
    int first = 1;

    while (i < n) {
        while (i < n && is_space((unsigned char)s[i]))
            i++;
        if (i == n)
            break;
        start = i;
        while (i < n && !is_space((unsigned char)s[i]))
            i++;
        if (!first)
            eaf__buf_putc(b, ' ');
        eaf__buf_append(b, s + start, i - start);
        first = 0;
    }
}
