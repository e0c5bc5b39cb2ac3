/*
 * source.c: the bytes of one input file, for the format readers: a file,
 * bytes in memory or an archive member, read through one input buffer
 * (r->in) that format detection fills without consuming anything; and
 * the messages readers give.
 */
#include "source.h"
#include "archive.h"

#include <errno.h>
#include <string.h>

/* ---- messages -------------------------------------------------------------- */

/* A message is one line of valid UTF-8, whatever the names and the bits
 * of input quoted in it hold (a member named with a newline, a value cut
 * in the middle of a character): invalid sequences become U+FFFD, control
 * characters a space. */
static void one_line(eaf__buf *b)
{
    char *clean;
    size_t i;

    if (b->rc != EAF_OK || !b->p)
        return;
    clean = eaf__utf8_clean(b->p, b->n);
    if (!clean)
        return; /* the message as it is, rather than none */
    for (i = 0; clean[i]; i++)
        if ((unsigned char)clean[i] < 0x20 || clean[i] == 0x7f)
            clean[i] = ' ';
    eaf__buf_reset(b);
    eaf__buf_puts(b, clean);
    eaf__free(clean);
}

void eaf__source_error(eaf__source *r, unsigned long line, const char *fmt, ...)
{
    va_list ap;
    char *msg;
    const char *name = r->msg_name ? r->msg_name : r->name;

    va_start(ap, fmt);
    msg = eaf__vprintf(fmt, ap);
    va_end(ap);
    eaf__buf_reset(&r->err);
    r->err.rc = EAF_OK;
    if (line > 0)
        eaf__buf_printf(&r->err, "%s:%lu: %s", name, line, msg ? msg : "out of memory");
    else
        eaf__buf_printf(&r->err, "%s: %s", name, msg ? msg : "out of memory");
    eaf__free(msg);
    one_line(&r->err);
}

void eaf__source_skip(eaf__source *r, const char *fmt, ...)
{
    va_list ap;

    r->skipped++;
    eaf__free(r->skip_reason);
    va_start(ap, fmt);
    r->skip_reason = eaf__vprintf(fmt, ap);
    va_end(ap);
}

/* ---- the input buffer ------------------------------------------------------ */

/* Reads from the underlying source: the file, the memory or the member. */
static ssize_t raw_read(eaf__source *r, char *buf, size_t n)
{
    size_t got;

    if (r->ar) {
        ssize_t k = eaf__archive_read(r->ar, buf, n);
        if (k < 0) {
            char *msg = eaf__archive_take_msg(r->ar);
            r->io_error = 1;
            if (msg)
                eaf__source_error(r, 0, "%s", msg);
            eaf__free(msg);
        }
        return k;
    }
    got = fread(buf, 1, n, r->fp);
    if (got == 0 && ferror(r->fp)) {
        eaf__source_error(r, 0, "read error: %s", strerror(errno));
        r->io_error = 1;
        return -1;
    }
    return (ssize_t)got;
}

int eaf__source_fill(eaf__source *r, size_t want)
{
    if (r->in_pos > 0 && r->in_pos == r->in_len)
        r->in_pos = r->in_len = 0;
    if (r->in_cap < want) {
        char *p = eaf__realloc(r->in, want);
        if (!p) {
            eaf__source_error(r, 0, "out of memory");
            return -2;
        }
        r->in = p;
        r->in_cap = want;
    }
    while (!r->in_eof && r->in_len < want) {
        ssize_t k = raw_read(r, r->in + r->in_len, want - r->in_len);
        if (k < 0)
            return -1;
        if (k == 0)
            r->in_eof = 1;
        r->in_len += (size_t)k;
    }
    return 0;
}

ssize_t eaf__source_read(eaf__source *r, char *buf, size_t n)
{
    size_t k;

    if (r->io_error)
        return -1;
    if (r->in_pos < r->in_len) {
        k = r->in_len - r->in_pos;
        if (k > n)
            k = n;
        memcpy(buf, r->in + r->in_pos, k);
        r->in_pos += k;
        return (ssize_t)k;
    }
    if (r->in_eof)
        return 0;
    return raw_read(r, buf, n);
}

eaf_status eaf__source_slurp(eaf__source *r, char **data, size_t *len)
{
    eaf__buf b = EAF__BUF_INIT;
    char chunk[65536];
    ssize_t n;

    *data = NULL;
    *len = 0;
    while ((n = eaf__source_read(r, chunk, sizeof(chunk))) > 0) {
        if (b.n + (size_t)n > EAF__READER_MAX_FILE) {
            eaf__buf_free(&b);
            eaf__source_error(r, 0, "file too large (over %u MB)",
                              EAF__READER_MAX_FILE / (1024 * 1024));
            return EAF_SYNTAX;
        }
        eaf__buf_append(&b, chunk, (size_t)n);
        if (b.rc != EAF_OK) {
            eaf__buf_free(&b);
            eaf__source_error(r, 0, "out of memory");
            return EAF_NOMEM;
        }
    }
    if (n < 0) {
        eaf__buf_free(&b);
        return EAF_IO;
    }
    *len = b.n;
    *data = b.p ? eaf__buf_detach(&b) : eaf__strdup("");
    if (!*data) {
        eaf__source_error(r, 0, "out of memory");
        return EAF_NOMEM;
    }
    return EAF_OK;
}

eaf_status eaf__source_slurp_text(eaf__source *r, char **data, const char **text,
                                  size_t *len, const char *empty)
{
    size_t i;
    eaf_status st = eaf__source_slurp(r, data, len);

    *text = *data;
    if (st != EAF_OK)
        return st;
    if (*len >= 3 && memcmp(*text, "\xEF\xBB\xBF", 3) == 0) {
        *text += 3;
        *len -= 3;
    }
    for (i = 0; i < *len && (*text)[i] != '\0' && strchr(" \t\n\r\f\v", (*text)[i]); i++)
        ;
    if (i == *len) {
        eaf__free(*data);
        *data = NULL;
        *text = NULL;
        eaf__source_error(r, 0, "%s", empty);
        return EAF_SYNTAX;
    }
    return EAF_OK;
}

int eaf__source_getline(eaf__source *r)
{
    int any = 0;

    eaf__buf_reset(&r->line_buf);
    r->line_buf.rc = EAF_OK;
    for (;;) {
        char *nl;
        size_t k;

        if (r->in_pos == r->in_len) {
            int rc;
            if (r->in_eof)
                break;
            rc = eaf__source_fill(r, r->in_cap > 65536 ? r->in_cap : 65536);
            if (rc == -2)
                return -2;
            if (rc < 0)
                return -1; /* what failed is recorded: a read error, a
                              damaged archive, a decompression bomb */
            if (r->in_pos == r->in_len)
                break;
        }
        any = 1;
        k = r->in_len - r->in_pos;
        nl = memchr(r->in + r->in_pos, '\n', k);
        if (nl)
            k = (size_t)(nl - (r->in + r->in_pos));
        eaf__buf_append(&r->line_buf, r->in + r->in_pos, k);
        r->in_pos += k;
        if (nl) {
            r->in_pos++;
            break;
        }
    }
    if (!any)
        return 0;
    r->line++;
    if (r->line_buf.rc != EAF_OK) {
        eaf__source_error(r, r->line, "out of memory");
        return -2;
    }
    return 1;
}

void eaf__source_rewind(eaf__source *r)
{
    r->in_pos = r->in_len = 0;
    r->in_eof = 0;
}

void eaf__source_free_state(eaf__source *r)
{
    if (r->state && r->state_free)
        r->state_free(r->state);
    r->state = NULL;
    r->state_free = NULL;
}

void eaf__source_clear(eaf__source *r)
{
    eaf__source_free_state(r);
    if (r->ar)
        eaf__archive_free(r->ar);
    if (r->fp)
        fclose(r->fp);
    eaf__free(r->mem);
    eaf__free(r->name);
    eaf__free(r->msg_name);
    eaf__free(r->key_base);
    eaf__free(r->skip_reason);
    eaf__free(r->in);
    eaf__buf_free(&r->err);
    eaf__buf_free(&r->line_buf);
    memset(r, 0, sizeof(*r));
}
