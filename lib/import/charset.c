/*
 * charset.c: the character set of HTML pages, and windows-1252 to UTF-8.
 *
 * Pages are read as UTF-8 unless they say otherwise: a byte-order mark, or
 * a <meta charset> or <meta http-equiv="Content-Type"> in the first 1024
 * bytes (the HTML5 "prescan", simplified).  As browsers do, a page that
 * declares ISO-8859-1 or US-ASCII is read as windows-1252, its superset;
 * other declared sets are left to libxml2 (which uses iconv).
 */
#include "charset.h"

#include <string.h>

/* windows-1252 bytes 0x80-0x9F; the others are ISO-8859-1, i.e. U+00XX.
 * The five holes are kept as C1 controls, as the WHATWG table does. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

char *eaf__charset_1252_to_utf8(const char *s, size_t n, size_t *len_out)
{
    eaf__buf b = EAF__BUF_INIT;
    size_t i, run = 0;

    if (!eaf__buf_reserve(&b, n + n / 4))
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char enc[4];
        int32_t cp;

        if (c < 0x80)
            continue;
        eaf__buf_append(&b, s + run, i - run);
        cp = c < 0xA0 ? cp1252_high[c - 0x80] : c;
        eaf__buf_append(&b, enc, eaf__utf8_encode(cp, enc));
        run = i + 1;
    }
    eaf__buf_append(&b, s + run, n - run);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return NULL;
    }
    if (len_out)
        *len_out = b.n;
    return b.p ? eaf__buf_detach(&b) : eaf__strdup("");
}

int eaf__utf8_valid(const char *s, size_t n)
{
    size_t i = 0, len;

    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            if (s[i] == '\0')
                return 0;
            i++;
            continue;
        }
        if (eaf__utf8_decode((const unsigned char *)s + i, n - i, &len) < 0)
            return 0;
        i += len;
    }
    return 1;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int same_label(const char *label, const char *name)
{
    while (*label && *name && lower(*label) == *name) {
        label++;
        name++;
    }
    return !*label && !*name;
}

int eaf__charset_is_1252(const char *label)
{
    static const char *const names[] = {
        "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1",
        "iso_8859-1", "iso-ir-100", "latin1", "l1", "ibm819", "cp819",
        "us-ascii", "ascii", "ansi_x3.4-1968", "iso_8859-1:1987", "csisolatin1"};
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(names); i++)
        if (same_label(label, names[i]))
            return 1;
    return 0;
}

int eaf__charset_is_utf8(const char *label)
{
    return same_label(label, "utf-8") || same_label(label, "utf8") ||
           same_label(label, "unicode-1-1-utf-8");
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Copies a charset label starting at s (quotes, spaces and ';' end it). */
static void copy_label(const char *s, const char *end, char out[40])
{
    size_t k = 0;

    while (s < end && (is_space(*s) || *s == '"' || *s == '\''))
        s++;
    while (s < end && k < 39 && !is_space(*s) && *s != '"' && *s != '\'' &&
           *s != ';' && *s != '>' && *s != '/')
        out[k++] = lower(*s++);
    out[k] = '\0';
}

/* Finds "charset" (case ignored) followed by '=' in [s, end); returns
 * where the value starts, or NULL. */
static const char *find_charset(const char *s, const char *end)
{
    for (; s + 7 <= end; s++) {
        const char *p = s;
        size_t i;

        for (i = 0; i < 7 && lower(p[i]) == "charset"[i]; i++)
            ;
        if (i < 7)
            continue;
        p += 7;
        while (p < end && is_space(*p))
            p++;
        if (p < end && *p == '=')
            return p + 1;
    }
    return NULL;
}

void eaf__charset_sniff_html(const char *s, size_t n, char out[40])
{
    const char *end, *p;

    out[0] = '\0';
    if (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        strcpy(out, "utf-8");
        return;
    }
    if (n >= 2 && ((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE)) {
        strcpy(out, "utf-16le");
        return;
    }
    if (n >= 2 && ((unsigned char)s[0] == 0xFE && (unsigned char)s[1] == 0xFF)) {
        strcpy(out, "utf-16be");
        return;
    }
    end = s + (n < 1024 ? n : 1024);
    for (p = s; p < end; p++) {
        const char *tag_end, *v;

        if (*p != '<' || p + 5 > end)
            continue;
        if (p[1] == '!' && p + 4 <= end && p[2] == '-' && p[3] == '-') {
            /* skip a comment */
            const char *c = p + 4;
            while (c + 3 <= end && !(c[0] == '-' && c[1] == '-' && c[2] == '>'))
                c++;
            p = c;
            continue;
        }
        if (!(lower(p[1]) == 'm' && lower(p[2]) == 'e' && lower(p[3]) == 't' &&
              lower(p[4]) == 'a'))
            continue;
        tag_end = memchr(p, '>', (size_t)(end - p));
        if (!tag_end)
            tag_end = end;
        v = find_charset(p, tag_end);
        if (v) {
            copy_label(v, tag_end, out);
            if (out[0])
                return;
        }
    }
}
