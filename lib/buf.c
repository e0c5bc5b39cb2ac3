/*
 * buf.c: a growable byte buffer whose status sticks after the first
 * allocation failure, so that builders append freely and check once.
 */
#include "eaf-private.h"

#include <stdio.h>
#include <string.h>

int eaf__buf_reserve(eaf__buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->rc != EAF_OK)
        return 0;
    if (extra > SIZE_MAX - b->n - 1)
        goto fail;
    need = b->n + extra + 1;
    if (need <= b->cap)
        return 1;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = eaf__realloc(b->p, cap);
    if (!p)
        goto fail;
    b->p = p;
    b->cap = cap;
    return 1;
fail:
    b->rc = EAF_NOMEM;
    return 0;
}

void eaf__buf_append(eaf__buf *b, const char *s, size_t n)
{
    if (n == 0 || !eaf__buf_reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void eaf__buf_puts(eaf__buf *b, const char *s)
{
    eaf__buf_append(b, s, strlen(s));
}

void eaf__buf_putc(eaf__buf *b, char c)
{
    eaf__buf_append(b, &c, 1);
}

void eaf__buf_printf(eaf__buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->rc != EAF_OK)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->rc = EAF_ERROR;
        return;
    }
    if (!eaf__buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

const char *eaf__buf_cstr(eaf__buf *b)
{
    if (b->rc != EAF_OK)
        return NULL;
    if (!b->p)
        return "";
    return b->p;
}

char *eaf__buf_detach(eaf__buf *b)
{
    char *p;

    if (b->rc != EAF_OK)
        return NULL;
    if (!eaf__buf_reserve(b, 0))
        return NULL;
    p = b->p;
    p[b->n] = '\0';
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

void eaf__buf_put_html(eaf__buf *b, const char *s, size_t n)
{
    size_t i, run = 0;

    for (i = 0; i < n; i++) {
        const char *e = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;"
                        : s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;" : NULL;
        if (!e)
            continue;
        eaf__buf_append(b, s + run, i - run);
        eaf__buf_puts(b, e);
        run = i + 1;
    }
    eaf__buf_append(b, s + run, n - run);
}

size_t eaf__hash_bytes(const char *s, size_t n)
{
    size_t h = 5381, i;

    for (i = 0; i < n; i++)
        h = h * 33 + (unsigned char)s[i];
    return h;
}

size_t eaf__buf_put_fts_string(eaf__buf *b, const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
                eaf__buf_putc(b, '"');
                i++;
                continue;
            }
            return i + 1;
        }
        eaf__buf_putc(b, s[i]);
    }
    return n;
}

void eaf__buf_reset(eaf__buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

void eaf__buf_free(eaf__buf *b)
{
    eaf__free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
    b->rc = EAF_OK;
}
