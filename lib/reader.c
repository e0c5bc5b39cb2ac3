/*
 * reader.c: opening files for the format readers, telling formats apart,
 * and the messages readers give.
 */
#include "reader.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static const char *const format_names[EAF_FORMAT_LAST] = {"auto", "page", "jsonl"};

const char *eaf_format_name(eaf_format format)
{
    if ((unsigned)format >= EAF_FORMAT_LAST)
        return NULL;
    return format_names[format];
}

eaf_format eaf_format_from_name(const char *name)
{
    int i;

    if (!name)
        return EAF_FORMAT_LAST;
    for (i = 0; i < EAF_FORMAT_LAST; i++)
        if (strcmp(name, format_names[i]) == 0)
            return (eaf_format)i;
    return EAF_FORMAT_LAST;
}

void eaf__reader_error(eaf_reader *r, unsigned long line, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = eaf__vprintf(fmt, ap);
    va_end(ap);
    eaf__buf_reset(&r->err);
    r->err.rc = EAF_OK;
    if (line > 0)
        eaf__buf_printf(&r->err, "%s:%lu: %s", r->name, line,
                        msg ? msg : "out of memory");
    else
        eaf__buf_printf(&r->err, "%s: %s", r->name, msg ? msg : "out of memory");
    eaf__free(msg);
}

eaf_status eaf__reader_slurp(eaf_reader *r, char **data, size_t *len)
{
    eaf__buf b = EAF__BUF_INIT;
    char chunk[65536];
    size_t n;

    *data = NULL;
    *len = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), r->fp)) > 0) {
        if (b.n + n > EAF__READER_MAX_FILE) {
            eaf__buf_free(&b);
            eaf__reader_error(r, 0, "file too large (over %u MB)",
                              EAF__READER_MAX_FILE / (1024 * 1024));
            return EAF_SYNTAX;
        }
        eaf__buf_append(&b, chunk, n);
        if (b.rc != EAF_OK) {
            eaf__buf_free(&b);
            eaf__reader_error(r, 0, "out of memory");
            return EAF_NOMEM;
        }
    }
    if (ferror(r->fp)) {
        eaf__buf_free(&b);
        eaf__reader_error(r, 0, "read error: %s", strerror(errno));
        return EAF_IO;
    }
    *len = b.n;
    *data = b.p ? eaf__buf_detach(&b) : eaf__strdup("");
    if (!*data) {
        eaf__reader_error(r, 0, "out of memory");
        return EAF_NOMEM;
    }
    return EAF_OK;
}

int eaf__reader_getline(eaf_reader *r)
{
    int c;

    eaf__buf_reset(&r->line_buf);
    r->line_buf.rc = EAF_OK;
    c = getc(r->fp);
    if (c == EOF) {
        if (ferror(r->fp)) {
            eaf__reader_error(r, r->line + 1, "read error: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    r->line++;
    while (c != EOF && c != '\n') {
        char chunk[256];
        size_t k = 0;
        while (c != EOF && c != '\n' && k < sizeof(chunk)) {
            chunk[k++] = (char)c;
            if (k < sizeof(chunk))
                c = getc(r->fp);
        }
        eaf__buf_append(&r->line_buf, chunk, k);
        if (k == sizeof(chunk))
            c = getc(r->fp);
    }
    if (r->line_buf.rc != EAF_OK) {
        eaf__reader_error(r, r->line, "out of memory");
        return -2;
    }
    if (ferror(r->fp)) {
        eaf__reader_error(r, r->line, "read error: %s", strerror(errno));
        return -1;
    }
    return 1;
}

/* The name without directories' extensions: "2018/abe.md" -> "2018/abe". */
static char *strip_extension(const char *name)
{
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    size_t n = dot && dot != (slash ? slash + 1 : name) ? (size_t)(dot - name)
                                                        : strlen(name);

    while (n > 2 && name[0] == '.' && name[1] == '/') { /* "./x" -> "x" */
        name += 2;
        n -= 2;
    }
    return eaf__strndup(name, n);
}

static int has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    size_t i;

    if (n < k)
        return 0;
    for (i = 0; i < k; i++) {
        char c = name[n - k + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != suffix[i])
            return 0;
    }
    return 1;
}

/* Decides the format from the first bytes, with the name as a hint. */
static eaf_format detect(const char *head, size_t n, const char *name)
{
    size_t i = 0, line;

    if (n >= 3 && (unsigned char)head[0] == 0xEF && (unsigned char)head[1] == 0xBB &&
        (unsigned char)head[2] == 0xBF)
        i = 3;
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' ||
                     head[i] == '\n'))
        i++;
    if (i < n && head[i] == '{') {
        /* a JSON object opens with a member name, or closes at once;
         * template tags such as {{ ... }} or {% ... %} are not JSON */
        size_t j = i + 1;
        while (j < n && (head[j] == ' ' || head[j] == '\t' || head[j] == '\r' ||
                         head[j] == '\n'))
            j++;
        if (j >= n || head[j] == '"' || head[j] == '}')
            return EAF_FORMAT_JSONL;
    }
    if (has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson"))
        return EAF_FORMAT_JSONL;
    /* a page: a level-2 heading at the start of some line */
    for (line = 0; line < n; line++) {
        if ((line == 0 || head[line - 1] == '\n') && line + 3 <= n &&
            head[line] == '#' && head[line + 1] == '#' && head[line + 2] == ' ')
            return EAF_FORMAT_PAGE;
    }
    if (has_suffix(name, ".md") || has_suffix(name, ".markdown") ||
        has_suffix(name, ".txt"))
        return EAF_FORMAT_PAGE;
    return EAF_FORMAT_AUTO;
}

/* How much of a file format detection reads. */
#define DETECT_BYTES 65536

static eaf_status finish_open(eaf_reader *r, const eaf_reader_options *o,
                              char **errmsg_out)
{
    char *head;
    size_t n;

    r->format = o->format;
    if (r->format == EAF_FORMAT_AUTO) {
        head = eaf__malloc(DETECT_BYTES);
        if (!head)
            return EAF_NOMEM;
        n = fread(head, 1, DETECT_BYTES, r->fp);
        if (ferror(r->fp)) {
            eaf__free(head);
            if (errmsg_out)
                *errmsg_out = eaf__printf("%s: read error: %s", r->name, strerror(errno));
            return EAF_IO;
        }
        r->format = detect(head, n, r->name);
        eaf__free(head);
        if (fseek(r->fp, 0, SEEK_SET) != 0) {
            if (errmsg_out)
                *errmsg_out = eaf__printf("%s: cannot rewind: %s", r->name,
                                          strerror(errno));
            return EAF_IO;
        }
        if (r->format == EAF_FORMAT_AUTO) {
            if (errmsg_out)
                *errmsg_out = eaf__printf(
                    n == 0 ? "%s: empty file"
                           : "%s: unknown format (not an article page or JSON Lines)",
                    r->name);
            return EAF_SYNTAX;
        }
    }
    return EAF_OK;
}

static eaf_status new_reader(eaf_reader **out, const char *name,
                             const eaf_reader_options *o)
{
    eaf_reader *r = eaf__calloc(1, sizeof(*r));

    *out = NULL;
    if (!r)
        return EAF_NOMEM;
    r->name = eaf__strdup(o->name ? o->name : name);
    r->key_base = r->name ? strip_extension(r->name) : NULL;
    if (!r->name || !r->key_base) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    *out = r;
    return EAF_OK;
}

static eaf_status check_options(const eaf_reader_options *o, char **errmsg_out)
{
    if (o->version < 1 || o->version > EAF_READER_OPTIONS_VERSION ||
        (unsigned)o->format >= EAF_FORMAT_LAST) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup("bad eaf_reader_options");
        return EAF_MISUSE;
    }
    return EAF_OK;
}

eaf_status eaf_reader_open(eaf_reader **out, const char *path,
                           const eaf_reader_options *opts, char **errmsg_out)
{
    eaf_reader_options defaults = EAF_READER_OPTIONS_INIT;
    eaf_reader *r;
    struct stat sb;
    eaf_status st;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!path)
        return EAF_MISUSE;
    if (!opts)
        opts = &defaults;
    if ((st = check_options(opts, errmsg_out)) != EAF_OK)
        return st;
    if (stat(path, &sb) != 0) {
        int e = errno;
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: %s", path, strerror(e));
        return e == ENOENT ? EAF_NOTFOUND : EAF_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: not a regular file", path);
        return EAF_IO;
    }
    if ((st = new_reader(&r, path, opts)) != EAF_OK)
        return st;
    r->fp = fopen(path, "rb");
    if (!r->fp) {
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: %s", path, strerror(errno));
        eaf_reader_free(r);
        return EAF_IO;
    }
    st = finish_open(r, opts, errmsg_out);
    if (st != EAF_OK) {
        eaf_reader_free(r);
        return st;
    }
    *out = r;
    return EAF_OK;
}

eaf_status eaf_reader_open_memory(eaf_reader **out, const char *data, size_t len,
                                  const char *name, const eaf_reader_options *opts,
                                  char **errmsg_out)
{
    eaf_reader_options defaults = EAF_READER_OPTIONS_INIT;
    eaf_reader *r;
    eaf_status st;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!data || !name)
        return EAF_MISUSE;
    if (!opts)
        opts = &defaults;
    if ((st = check_options(opts, errmsg_out)) != EAF_OK)
        return st;
    if ((st = new_reader(&r, name, opts)) != EAF_OK)
        return st;
    r->mem = eaf__malloc(len ? len : 1);
    if (!r->mem) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    if (len)
        memcpy(r->mem, data, len);
    r->fp = fmemopen(r->mem, len, "rb");
    if (!r->fp) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    st = finish_open(r, opts, errmsg_out);
    if (st != EAF_OK) {
        eaf_reader_free(r);
        return st;
    }
    *out = r;
    return EAF_OK;
}

eaf_status eaf_reader_next(eaf_article **out, eaf_reader *r)
{
    eaf_status st;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!r)
        return EAF_MISUSE;
    eaf__buf_reset(&r->err);
    r->err.rc = EAF_OK;
    if (r->done)
        return EAF_DONE;
    switch (r->format) {
    case EAF_FORMAT_PAGE:
        st = eaf__page_next(r, out);
        break;
    case EAF_FORMAT_JSONL:
        st = eaf__jsonl_next(r, out);
        break;
    default:
        return EAF_MISUSE;
    }
    if (st == EAF_IO || st == EAF_NOMEM || st == EAF_DONE)
        r->done = 1;
    return st;
}

const char *eaf_reader_errmsg(const eaf_reader *r)
{
    if (!r)
        return "no reader";
    if (r->err.rc != EAF_OK)
        return "out of memory";
    return r->err.p ? r->err.p : "";
}

eaf_format eaf_reader_format(const eaf_reader *r)
{
    return r ? r->format : EAF_FORMAT_LAST;
}

void eaf_reader_free(eaf_reader *r)
{
    if (!r)
        return;
    if (r->fp)
        fclose(r->fp);
    eaf__free(r->mem);
    eaf__free(r->name);
    eaf__free(r->key_base);
    eaf__buf_free(&r->err);
    eaf__buf_free(&r->line_buf);
    eaf__free(r);
}
