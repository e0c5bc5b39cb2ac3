/*
 * serve_text.c: eafserve's output buffer and its escapes, one per context
 * (HTML, a URL's query component, JSON inside a page).
 */
#include "serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the buffer ----------------------------------------------------------------- */

/* Makes room for n more bytes and the NUL; 0 on success. */
static int sbuf_reserve(sbuf *b, size_t n)
{
    size_t want, cap;
    char *p;

    if (b->failed)
        return -1;
    if (n > (size_t)-1 / 2 - b->len) {
        b->failed = 1;
        return -1;
    }
    want = b->len + n + 1;
    if (want <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap *= 2;
    p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void sbuf_add(sbuf *b, const char *s, size_t n)
{
    if (sbuf_reserve(b, n) != 0)
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sbuf_puts(sbuf *b, const char *s)
{
    if (s)
        sbuf_add(b, s, strlen(s));
}

void sbuf_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    va_list again;
    int n;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (sbuf_reserve(b, (size_t)n) != 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    sbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *sbuf_take(sbuf *b, size_t *len_out)
{
    char *data = b->failed ? NULL : b->data;

    if (len_out)
        *len_out = data ? b->len : 0;
    if (!data)
        free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return data;
}

void sbuf_free(sbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

/* ---- escapes --------------------------------------------------------------------- */

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/*
 * Steps through s one character at a time, calling put for each valid
 * character other than a dropped control character; invalid bytes become
 * U+FFFD (one per byte).  put gets the character's bytes.
 */
typedef void (*char_fn)(sbuf *b, const char *c, size_t len);

static int is_dropped_control(const unsigned char *c, size_t len)
{
    if (len == 1)
        return (c[0] < 0x20 && c[0] != '\t' && c[0] != '\n' && c[0] != '\r') ||
               c[0] == 0x7F;
    return len == 2 && c[0] == 0xC2 && c[1] < 0xA0; /* C1 */
}

static void each_char(sbuf *b, const char *s, char_fn put)
{
    size_t n, i = 0;

    if (!s)
        return;
    n = strlen(s);
    while (i < n) {
        size_t len = eaf_utf8_char(s + i, n - i);

        if (len == 0) {
            put(b, REPLACEMENT, 3);
            i++;
            continue;
        }
        if (!is_dropped_control((const unsigned char *)s + i, len))
            put(b, s + i, len);
        i += len;
    }
}

static void put_html(sbuf *b, const char *c, size_t len)
{
    if (len == 1) {
        switch (c[0]) {
        case '&': sbuf_add(b, "&amp;", 5); return;
        case '<': sbuf_add(b, "&lt;", 4); return;
        case '>': sbuf_add(b, "&gt;", 4); return;
        case '"': sbuf_add(b, "&quot;", 6); return;
        case '\'': sbuf_add(b, "&#39;", 5); return;
        }
    }
    sbuf_add(b, c, len);
}

void esc_html(sbuf *b, const char *s)
{
    each_char(b, s, put_html);
}

static void put_url(sbuf *b, const char *c, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char u = (unsigned char)c[i];

        if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
            (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' || u == '~') {
            sbuf_add(b, c + i, 1);
        } else {
            char e[3] = {'%', hex[u >> 4], hex[u & 15]};
            sbuf_add(b, e, 3);
        }
    }
}

void esc_url(sbuf *b, const char *s)
{
    each_char(b, s, put_url);
}

static void put_json(sbuf *b, const char *c, size_t len)
{
    if (len == 1) {
        unsigned char u = (unsigned char)c[0];

        switch (u) {
        case '"': sbuf_add(b, "\\\"", 2); return;
        case '\\': sbuf_add(b, "\\\\", 2); return;
        case '\n': sbuf_add(b, "\\n", 2); return;
        case '\r': sbuf_add(b, "\\r", 2); return;
        case '\t': sbuf_add(b, "\\t", 2); return;
        case '<': case '>': case '&': case '\'':
            sbuf_printf(b, "\\u%04x", u);
            return;
        }
    } else if (len == 3 && (unsigned char)c[0] == 0xE2 && (unsigned char)c[1] == 0x80 &&
               ((unsigned char)c[2] == 0xA8 || (unsigned char)c[2] == 0xA9)) {
        sbuf_printf(b, "\\u%04x", 0x2000 + ((unsigned char)c[2] - 0x80));
        return;
    }
    sbuf_add(b, c, len);
}

void esc_json(sbuf *b, const char *s)
{
    sbuf_add(b, "\"", 1);
    each_char(b, s ? s : "", put_json);
    sbuf_add(b, "\"", 1);
}

int url_is_safe(const char *url)
{
    const char *p;

    if (!url || !*url)
        return 0;
    /* a scheme is letters, digits, + - . before the first ':' that comes
     * before any '/', '?' or '#' */
    for (p = url; *p && *p != '/' && *p != '?' && *p != '#'; p++) {
        if (*p == ':') {
            size_t n = (size_t)(p - url);

            return (n == 4 && strncasecmp(url, "http", 4) == 0) ||
                   (n == 5 && strncasecmp(url, "https", 5) == 0);
        }
    }
    /* no scheme: a path; but not "//host" with control characters or
     * backslashes, which browsers read loosely */
    for (p = url; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\')
            return 0;
    return 1;
}
