/*
 * reader.c: opening inputs for the format readers, telling formats apart,
 * stepping through the members of archives, and the messages readers give.
 *
 * Every read goes through one input buffer (r->in): format detection fills
 * the start of it without consuming anything, and the formats read it
 * after that, whether the bytes come from a file, from memory or from an
 * archive member.
 */
#include "reader.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

static const char *const format_names[EAF_FORMAT_LAST] = {
    "auto", "page", "jsonl", "html", "markdown", "wxr", "tar", "zip", "gzip"};

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
    /* a few other names people use */
    if (strcmp(name, "md") == 0)
        return EAF_FORMAT_MARKDOWN;
    if (strcmp(name, "htm") == 0)
        return EAF_FORMAT_HTML;
    if (strcmp(name, "wordpress") == 0)
        return EAF_FORMAT_WXR;
    if (strcmp(name, "ndjson") == 0)
        return EAF_FORMAT_JSONL;
    return EAF_FORMAT_LAST;
}

static int is_container(eaf_format f)
{
    return f == EAF_FORMAT_TAR || f == EAF_FORMAT_ZIP || f == EAF_FORMAT_GZIP;
}

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

void eaf__reader_error(eaf_reader *r, unsigned long line, const char *fmt, ...)
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

void eaf__reader_skip(eaf_reader *r, const char *fmt, ...)
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
static ssize_t raw_read(eaf_reader *r, char *buf, size_t n)
{
    size_t got;

    if (r->ar)
        return eaf__archive_read(r->ar, r, buf, n);
    got = fread(buf, 1, n, r->fp);
    if (got == 0 && ferror(r->fp)) {
        eaf__reader_error(r, 0, "read error: %s", strerror(errno));
        r->io_error = 1;
        return -1;
    }
    return (ssize_t)got;
}

/* Fills the input buffer up to want bytes (or the end of the input).
 * Returns 0, -1 on a read error, -2 when out of memory. */
static int fill(eaf_reader *r, size_t want)
{
    if (r->in_pos > 0 && r->in_pos == r->in_len)
        r->in_pos = r->in_len = 0;
    if (r->in_cap < want) {
        char *p = eaf__realloc(r->in, want);
        if (!p) {
            eaf__reader_error(r, 0, "out of memory");
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

ssize_t eaf__reader_read(eaf_reader *r, char *buf, size_t n)
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

eaf_status eaf__reader_slurp(eaf_reader *r, char **data, size_t *len)
{
    eaf__buf b = EAF__BUF_INIT;
    char chunk[65536];
    ssize_t n;

    *data = NULL;
    *len = 0;
    while ((n = eaf__reader_read(r, chunk, sizeof(chunk))) > 0) {
        if (b.n + (size_t)n > EAF__READER_MAX_FILE) {
            eaf__buf_free(&b);
            eaf__reader_error(r, 0, "file too large (over %u MB)",
                              EAF__READER_MAX_FILE / (1024 * 1024));
            return EAF_SYNTAX;
        }
        eaf__buf_append(&b, chunk, (size_t)n);
        if (b.rc != EAF_OK) {
            eaf__buf_free(&b);
            eaf__reader_error(r, 0, "out of memory");
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
        eaf__reader_error(r, 0, "out of memory");
        return EAF_NOMEM;
    }
    return EAF_OK;
}

int eaf__reader_getline(eaf_reader *r)
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
            rc = fill(r, r->in_cap > 65536 ? r->in_cap : 65536);
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
        eaf__reader_error(r, r->line, "out of memory");
        return -2;
    }
    return 1;
}

/* ---- names ------------------------------------------------------------------ */

/* The name without its extension: "2018/abe.md" -> "2018/abe"; also
 * without a compression suffix first ("x.html.gz" -> "x"), and without a
 * leading "./". */
static char *strip_extension(const char *name)
{
    const char *slash, *dot, *base;
    size_t n;

    while (name[0] == '.' && name[1] == '/') {
        name += 2;
        while (*name == '/')
            name++;
    }
    n = strlen(name);
    slash = strrchr(name, '/');
    base = slash ? slash + 1 : name;
    dot = strrchr(base, '.');
    if (dot && dot != base) {
        n = (size_t)(dot - name);
        if (strcmp(dot, ".gz") == 0 || strcmp(dot, ".bz2") == 0 ||
            strcmp(dot, ".xz") == 0) {
            const char *d2;
            for (d2 = dot - 1; d2 > base && *d2 != '.'; d2--)
                ;
            if (d2 > base)
                n = (size_t)(d2 - name);
        }
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

/* 1: an article file by its extension; 2: an archive or compressed file;
 * 3: no extension at all (read to find out); 0: something else. */
int eaf__reader_name_kind(const char *name)
{
    static const char *const articles[] = {
        ".md", ".markdown", ".mdown", ".mkd", ".txt", ".jsonl", ".ndjson",
        ".html", ".htm", ".xhtml", ".shtml", ".wxr", ".xml"};
    static const char *const archives[] = {
        ".tar", ".tgz", ".tar.gz", ".zip", ".gz", ".tbz2", ".tar.bz2", ".bz2",
        ".txz", ".tar.xz", ".xz"};
    const char *slash = strrchr(name, '/'), *base = slash ? slash + 1 : name;
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(articles); i++)
        if (has_suffix(base, articles[i]))
            return 1;
    for (i = 0; i < EAF__ARRAY_LEN(archives); i++)
        if (has_suffix(base, archives[i]))
            return 2;
    return strchr(base, '.') == NULL || base[0] == '.' ? 3 : 0;
}

int eaf_reader_wants(const char *name)
{
    const char *slash, *base;

    if (!name || !*name)
        return 0;
    slash = strrchr(name, '/');
    base = slash ? slash + 1 : name;
    if (base[0] == '.' || !*base)
        return 0;
    return eaf__reader_name_kind(name) != 0;
}

/* s[0..n) equals word, ASCII case ignored. */
static int same_ci(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!word[i] || c != word[i])
            return 0;
    }
    return word[n] == '\0';
}

/* The stem of a base name: up to its first dot ("README" of
 * "README.md"); its length. */
static size_t stem_len(const char *base)
{
    const char *dot = strchr(base, '.');
    return dot ? (size_t)(dot - base) : strlen(base);
}

/* README.md, LICENSE, ...: the files of a repository, not articles.  The
 * names that are only ever a repository's are matched in any case
 * (readme.md, License.txt); ordinary words (CHANGES, SECURITY, AUTHORS,
 * NOTICE) only in capitals, as repositories write them, so that an article
 * called security.md is still read. */
static int repository_file(const char *base)
{
    static const char *const any_case[] = {"readme", "license", "licence", "copying",
                                           "changelog", "contributing", "code_of_conduct"};
    static const char *const capitals[] = {"CHANGES", "SECURITY", "AUTHORS", "NOTICE"};
    size_t k = stem_len(base), i;

    for (i = 0; i < EAF__ARRAY_LEN(any_case); i++)
        if (same_ci(base, k, any_case[i]))
            return 1;
    for (i = 0; i < EAF__ARRAY_LEN(capitals); i++)
        if (k == strlen(capitals[i]) && strncmp(base, capitals[i], k) == 0)
            return 1;
    return 0;
}

/* manifest.json, manifest.jsonl, MANIFEST, MANIFEST.in: what an archive's
 * maker wrote about its files (a manifest.jsonl beside pages is one record
 * per page, and read as articles it replaced every page's body).  A page
 * called manifest.md or manifest.html is still read. */
static int manifest_file(const char *base)
{
    static const char *const data[] = {"json", "jsonl", "ndjson", "txt", "xml", "csv",
                                       "tsv", "yml", "yaml", "in", "webmanifest"};
    size_t k = stem_len(base), i;

    if (!same_ci(base, k, "manifest"))
        return 0;
    if (!base[k])
        return 1;
    for (i = 0; i < EAF__ARRAY_LEN(data); i++)
        if (same_ci(base + k + 1, strlen(base + k + 1), data[i]))
            return 1;
    return 0;
}

/* "comment-page-12": a folder of WordPress's paged comments. */
static int comment_page_part(const char *s, size_t n)
{
    size_t i;

    if (n <= 13 || strncmp(s, "comment-page-", 13) != 0)
        return 0;
    for (i = 13; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char *eaf__reader_comment_url(const char *url)
{
    const char *p;

    if (!url)
        return NULL;
    if (strstr(url, "replytocom="))
        return "a WordPress reply-to-comment page (?replytocom=), not an article";
    for (p = strstr(url, "/comment-page-"); p; p = strstr(p + 1, "/comment-page-")) {
        const char *d = p + 14, *e = d;
        while (*e >= '0' && *e <= '9')
            e++;
        if (e > d && (*e == '\0' || *e == '/' || *e == '#' || *e == '?'))
            return "a WordPress comment page (comment-page-N), not an article";
    }
    return NULL;
}

/* The part of path just above the part that starts at at: its start in
 * *start and its length; 0 at the top. */
static size_t part_above(const char *path, const char *at, const char **start)
{
    const char *e = at, *s;

    while (e > path && e[-1] == '/')
        e--;
    for (s = e; s > path && s[-1] != '/'; s--)
        ;
    *start = s;
    return (size_t)(e - s);
}

const char *eaf__reader_page_kind(const char *path)
{
    const char *p, *base, *slash;
    size_t k;

    if (!path)
        return NULL;
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    for (p = path; p < base;) {
        const char *e = strchr(p, '/');
        k = (size_t)(e - p);
        if (comment_page_part(p, k))
            return "a WordPress comment page (comment-page-N), not an article";
        p = e + 1;
    }
    if (strstr(base, "replytocom="))
        return "a WordPress reply-to-comment page (?replytocom=), not an article";
    if (strncmp(base, "_index.", 7) == 0)
        return "a Hugo list page (_index.md), not an article";
    if (strcmp(base, "feed.xml") == 0 || strcmp(base, "atom.xml") == 0 ||
        strcmp(base, "rss.xml") == 0)
        return "a feed, not an article";
    if (strncmp(base, "index.", 6) == 0) {
        /* WordPress's feeds, as a mirror saves them: feed/index.html,
         * feed/atom/index.html, comments/feed/index.html */
        const char *ps, *gs;
        size_t pk = part_above(path, base, &ps), gk = pk ? part_above(path, ps, &gs) : 0;

        if ((pk == 4 && strncmp(ps, "feed", 4) == 0) ||
            (gk == 4 && strncmp(gs, "feed", 4) == 0 &&
             ((pk == 4 && (strncmp(ps, "atom", 4) == 0 || strncmp(ps, "rss2", 4) == 0)) ||
              (pk == 3 && (strncmp(ps, "rss", 3) == 0 || strncmp(ps, "rdf", 3) == 0)))))
            return "a feed, not an article";
    }
    return NULL;
}

const char *eaf_reader_ignore_reason(const char *path)
{
    const char *p, *base, *slash, *page;

    if (!path)
        return "no name";
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    if (!*path)
        return "no name";
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    if (!*base)
        return "a folder, not a file";
    for (p = path; *p;) {
        const char *e = strchr(p, '/');
        size_t k = e ? (size_t)(e - p) : strlen(p);

        if (k > 0 && p[0] == '.' && !(k == 1 || (k == 2 && p[1] == '.')))
            return e ? "in a hidden folder" : "a hidden file";
        if (e && k == 8 && strncmp(p, "__MACOSX", 8) == 0)
            return "macOS metadata (__MACOSX), not an article";
        p += k;
        while (*p == '/')
            p++;
    }
    page = eaf__reader_page_kind(path);
    if (page)
        return page;
    if (repository_file(base))
        return "a README or LICENSE file, not an article";
    if (manifest_file(base))
        return "a manifest of the archive's files, not an article";
    if (eaf__reader_name_kind(base) == 0)
        return "not an article file";
    return NULL;
}

/* ---- detection ---------------------------------------------------------------- */

static int ascii_ci_prefix(const char *s, size_t n, const char *p)
{
    size_t i, k = strlen(p);

    if (n < k)
        return 0;
    for (i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != p[i])
            return 0;
    }
    return 1;
}

/* Whether p occurs in s[0..n), ASCII case ignored. */
static int ascii_ci_find(const char *s, size_t n, const char *p)
{
    size_t i, k = strlen(p);

    for (i = 0; i + k <= n; i++)
        if (ascii_ci_prefix(s + i, n - i, p))
            return 1;
    return 0;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* The name of the root element of the markup at s[0..n), past an XML
 * declaration, comments, processing instructions and a doctype (with its
 * internal subset), in out (at most size - 1 bytes); "" when it is not in
 * the first bytes. */
static void root_element(const char *s, size_t n, char *out, size_t size)
{
    size_t i = 0, k = 0;

    out[0] = '\0';
    for (;;) {
        while (i < n && is_ws(s[i]))
            i++;
        if (i + 1 >= n || s[i] != '<')
            return;
        if (s[i + 1] == '?') {
            for (i += 2; i + 1 < n && !(s[i] == '?' && s[i + 1] == '>'); i++)
                ;
            i += 2;
        } else if (i + 3 < n && memcmp(s + i, "<!--", 4) == 0) {
            for (i += 4; i + 2 < n && memcmp(s + i, "-->", 3) != 0; i++)
                ;
            i += 3;
        } else if (s[i + 1] == '!') {
            int subset = 0;
            for (i += 2; i < n && (subset || s[i] != '>'); i++) {
                if (s[i] == '[')
                    subset = 1;
                else if (s[i] == ']')
                    subset = 0;
            }
            i++;
        } else {
            break;
        }
        if (i >= n)
            return;
    }
    for (i++; i < n && k + 1 < size && !is_ws(s[i]) && s[i] != '>' && s[i] != '/'; i++)
        out[k++] = s[i];
    out[k] = '\0';
}

/* Whether the markup at s[0..n) is a feed: an RSS 2.0, Atom or RSS 1.0
 * document, by its root element (whatever its name: a mirror saves a feed
 * as feed/index.html).  The WordPress reader reads it, and skips it
 * unless it is a WordPress export. */
static int feed_markup(const char *s, size_t n)
{
    char root[32];

    root_element(s, n, root, sizeof(root));
    return strcmp(root, "rss") == 0 || strcmp(root, "feed") == 0 ||
           strcmp(root, "rdf:RDF") == 0;
}

/* The markup at s[0..n) (after white space): HTML, WXR or neither. */
static eaf_format detect_markup(const char *s, size_t n, const char *name)
{
    if (ascii_ci_prefix(s, n, "<!doctype html") || ascii_ci_prefix(s, n, "<html") ||
        ascii_ci_prefix(s, n, "<head") || ascii_ci_prefix(s, n, "<body") ||
        ascii_ci_prefix(s, n, "<meta") || ascii_ci_prefix(s, n, "<title"))
        return EAF_FORMAT_HTML;
    if (ascii_ci_prefix(s, n, "<?xml") || ascii_ci_prefix(s, n, "<!--") ||
        ascii_ci_prefix(s, n, "<rss") || ascii_ci_prefix(s, n, "<!doctype")) {
        /* an RSS document (a WordPress export is one), or XHTML */
        if (ascii_ci_find(s, n, "<rss"))
            return EAF_FORMAT_WXR;
        if (ascii_ci_find(s, n, "<html"))
            return EAF_FORMAT_HTML;
    }
    if (s[0] == '<' && (has_suffix(name, ".html") || has_suffix(name, ".htm") ||
                        has_suffix(name, ".xhtml") || has_suffix(name, ".shtml")))
        return EAF_FORMAT_HTML;
    if (s[0] == '<' && (ascii_ci_find(s, n, "<p>") || ascii_ci_find(s, n, "<div")) &&
        !has_suffix(name, ".xml") && !has_suffix(name, ".wxr"))
        return EAF_FORMAT_HTML;
    return EAF_FORMAT_AUTO;
}

static int markdown_name(const char *name)
{
    return has_suffix(name, ".md") || has_suffix(name, ".markdown") ||
           has_suffix(name, ".mdown") || has_suffix(name, ".mkd");
}

/* A JSON object at head[i]: JSON Lines, or Hugo's JSON front matter
 * (an object, then the Markdown body)?  JSON Lines has one whole object
 * on its first line and another, or nothing, after it; an object over
 * several lines, or one followed by text, is front matter.  A name of
 * JSON Lines decides; so does a name of Markdown when the first line is
 * all there is.  What cannot be parsed is left to JSON Lines, which
 * reports it by line. */
static eaf_format json_or_front(const char *head, size_t n, size_t i, const char *name)
{
    json_error_t err;
    json_t *v;
    size_t end, j;
    int whole = n < EAF__READER_DETECT_BYTES;

    if (has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson"))
        return EAF_FORMAT_JSONL;
    if (!memchr(head + i, '\n', n - i) && !whole)
        return EAF_FORMAT_JSONL; /* one line longer than what is looked at */
    v = json_loadb(head + i, n - i, JSON_DISABLE_EOF_CHECK, &err);
    if (!v)
        return EAF_FORMAT_JSONL;
    json_decref(v);
    end = i + (size_t)err.position;
    if (end > n)
        end = n;
    if (memchr(head + i, '\n', end - i))
        return EAF_FORMAT_MARKDOWN; /* an object over several lines */
    for (j = end; j < n && (head[j] == ' ' || head[j] == '\t' || head[j] == '\r'); j++)
        ;
    if (j < n && head[j] != '\n')
        return EAF_FORMAT_JSONL; /* more on the object's line: JSON Lines says what */
    while (j < n && is_ws(head[j]))
        j++;
    if (j < n && head[j] == '{')
        return EAF_FORMAT_JSONL;
    if (j >= n && !whole)
        return EAF_FORMAT_JSONL;
    return markdown_name(name) ? EAF_FORMAT_MARKDOWN : EAF_FORMAT_JSONL;
}

/* Whether the text at head[i] (its first line with text) is a heading:
 * "# Title", or a line underlined with "=" (CommonMark's two forms of a
 * level-1 heading). */
static int starts_with_title(const char *head, size_t n, size_t i)
{
    size_t ls = i, e, k;

    while (ls > 0 && head[ls - 1] != '\n')
        ls--;
    if (i - ls > 3)
        return 0; /* indented: code */
    if (i + 1 < n && head[i] == '#' && (head[i + 1] == ' ' || head[i + 1] == '\t'))
        return 1;
    for (e = i; e < n && head[e] != '\n'; e++)
        ;
    if (e >= n)
        return 0;
    for (k = e + 1; k < n && k - (e + 1) < 3 && head[k] == ' '; k++)
        ;
    if (k >= n || head[k] != '=')
        return 0;
    while (k < n && head[k] == '=')
        k++;
    while (k < n && (head[k] == ' ' || head[k] == '\t' || head[k] == '\r'))
        k++;
    return k >= n || head[k] == '\n';
}

eaf_format eaf__reader_detect(const char *head, size_t n, const char *name)
{
    size_t i = 0, line;
    eaf_format f;

    f = eaf__archive_sniff((const unsigned char *)head, n);
    if (f != EAF_FORMAT_AUTO)
        return f;
    if (n >= 3 && (unsigned char)head[0] == 0xEF && (unsigned char)head[1] == 0xBB &&
        (unsigned char)head[2] == 0xBF)
        i = 3;
    /* front matter: "---" (YAML) or "+++" (TOML) alone on the first line */
    if (n - i >= 4 && (memcmp(head + i, "---", 3) == 0 || memcmp(head + i, "+++", 3) == 0)) {
        size_t j = i + 3;
        while (j < n && (head[j] == ' ' || head[j] == '\t'))
            j++;
        if (j < n && (head[j] == '\n' || head[j] == '\r'))
            return EAF_FORMAT_MARKDOWN;
    }
    while (i < n && is_ws(head[i]))
        i++;
    if (i < n && head[i] == '{') {
        /* a JSON object opens with a member name, or closes at once;
         * template tags such as {{ ... }} or {% ... %} are not JSON */
        size_t j = i + 1;
        while (j < n && is_ws(head[j]))
            j++;
        if (j >= n || head[j] == '"' || head[j] == '}')
            return json_or_front(head, n, i, name);
    }
    if (i < n && head[i] == '<') {
        if (feed_markup(head + i, n - i))
            return EAF_FORMAT_WXR;
        f = detect_markup(head + i, n - i, name);
        if (f != EAF_FORMAT_AUTO)
            return f;
    }
    if (has_suffix(name, ".jsonl") || has_suffix(name, ".ndjson"))
        return EAF_FORMAT_JSONL;
    if (has_suffix(name, ".wxr"))
        return EAF_FORMAT_WXR;
    /* plain Markdown that opens with its title as a heading */
    if (starts_with_title(head, n, i))
        return EAF_FORMAT_MARKDOWN;
    /* a page: a level-2 heading at the start of some line */
    for (line = 0; line < n; line++) {
        if ((line == 0 || head[line - 1] == '\n') && line + 3 <= n &&
            head[line] == '#' && head[line + 1] == '#' && head[line + 2] == ' ')
            return EAF_FORMAT_PAGE;
    }
    if (has_suffix(name, ".html") || has_suffix(name, ".htm") ||
        has_suffix(name, ".xhtml") || has_suffix(name, ".shtml"))
        return EAF_FORMAT_HTML;
    if (has_suffix(name, ".md") || has_suffix(name, ".markdown") ||
        has_suffix(name, ".txt"))
        return EAF_FORMAT_PAGE;
    return EAF_FORMAT_AUTO;
}

static void free_state(eaf_reader *r)
{
    if (r->state && r->state_free)
        r->state_free(r->state);
    r->state = NULL;
    r->state_free = NULL;
}

/* Whether the first bytes are binary data rather than text: NUL bytes,
 * with control characters more than one byte in ten (a stray NUL in a
 * page is text with a NUL; a file of zeros, an image or an executable is
 * not text).  UTF-16 and UTF-32 text (with a byte-order mark) is text.
 * *nuls gets the count of NUL bytes. */
static int binary_data(const char *s, size_t n, size_t *nuls)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i, ctrl = 0;

    *nuls = 0;
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return 0;
    if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)
        return 0;
    for (i = 0; i < n; i++) {
        if (u[i] == 0)
            (*nuls)++;
        if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r' && u[i] != '\f' &&
             u[i] != '\v' && u[i] != 0x1B) ||
            u[i] == 0x7F)
            ctrl++;
    }
    return *nuls > 0 && ctrl * 10 > n;
}

/* The name a file is detected by: a compressed file's without its
 * compression suffix ("x.jsonl.gz" is JSON Lines).  Allocated. */
static char *detect_name(const eaf_reader *r)
{
    const char *name = r->member ? r->member : r->name;
    size_t n = strlen(name);

    if (r->ar && eaf__archive_is_single(r->ar)) {
        if (has_suffix(name, ".gz") || has_suffix(name, ".xz"))
            n -= 3;
        else if (has_suffix(name, ".bz2"))
            n -= 4;
    }
    return eaf__strndup(name, n);
}

/* Detects (or takes the forced) format of the current file.  Returns
 * EAF_OK, EAF_SYNTAX with the message in r->err (empty, binary or
 * unknown), EAF_IO or EAF_NOMEM.  A file that is not an archive starts
 * its counts here. */
static eaf_status detect_current(eaf_reader *r, int outer)
{
    int rc;
    eaf_format f;
    char *name;
    size_t nuls;

    rc = fill(r, EAF__READER_DETECT_BYTES);
    if (rc == -2)
        return EAF_NOMEM;
    if (rc < 0)
        return EAF_IO;
    name = detect_name(r);
    if (!name) {
        eaf__reader_error(r, 0, "out of memory");
        return EAF_NOMEM;
    }
    f = eaf__reader_detect(r->in, r->in_len, name);
    eaf__free(name);
    if (is_container(f)) {
        if (!outer) {
            /* archives in archives are not opened */
            eaf__reader_error(r, 0, "an archive inside the archive is not read");
            return EAF_SYNTAX;
        }
        r->format = f;
        return EAF_OK;
    }
    if (binary_data(r->in, r->in_len, &nuls)) {
        eaf__reader_error(r, 0, "binary data, not text (%zu of the first %zu bytes%s are "
                                "NUL bytes): not an article file",
                          nuls, r->in_len,
                          r->ar && eaf__archive_is_single(r->ar) ? " it decompresses to" : "");
        return EAF_SYNTAX;
    }
    if (r->forced != EAF_FORMAT_AUTO && !is_container(r->forced)) {
        f = r->forced;
    } else if (r->in_len == 0 && f == EAF_FORMAT_AUTO) {
        /* (an empty file whose name tells its format is left to that
         * format's reader, which says so) */
        eaf__reader_error(r, 0, "empty file");
        return EAF_SYNTAX;
    } else if (f == EAF_FORMAT_AUTO) {
        eaf__reader_error(r, 0, "unknown format (not an article page, HTML, Markdown, "
                                "a WordPress export, JSON Lines or an archive)");
        return EAF_SYNTAX;
    }
    r->format = f;
    r->file_rows = r->file_errors = 0;
    r->file_skipped_before = r->skipped;
    /* a member was passed over by its name already; a file named
     * directly, or the one file of a .gz, is skipped here */
    r->file_skip = r->member ? NULL : eaf__reader_page_kind(r->name);
    return EAF_OK;
}

/* ---- opening ------------------------------------------------------------------ */

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
    r->forced = o->format;
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

/* The outer input is open (fp set, or mem): detects its format and, for
 * an archive, opens it.  path is the file (NULL for memory). */
static eaf_status finish_open(eaf_reader *r, const char *path, int64_t size,
                              char **errmsg_out)
{
    eaf_status st;

    if (is_container(r->forced)) {
        /* a forced container: trust it, and detect the members */
        r->format = r->forced;
        st = EAF_OK;
    } else {
        st = detect_current(r, 1);
    }
    if (st != EAF_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(r->err.rc == EAF_OK && r->err.p ? r->err.p
                                                                   : "out of memory");
        return st;
    }
    if (!is_container(r->format))
        return EAF_OK;
    r->container = r->format;
    /* reopen through libarchive, in place: the bytes read for detection
     * are read again by it */
    r->in_pos = r->in_len = 0;
    r->in_eof = 0;
    if (r->fp) {
        fclose(r->fp);
        r->fp = NULL;
    }
    st = eaf__archive_open(&r->ar, path, r->mem, r->mem_len, size, errmsg_out);
    if (st != EAF_OK)
        return st;
    if (eaf__archive_is_single(r->ar))
        r->container = EAF_FORMAT_GZIP;
    r->format = EAF_FORMAT_AUTO; /* until the first member */
    r->need_member = 1;
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
    st = finish_open(r, path, (int64_t)sb.st_size, errmsg_out);
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
    r->mem_len = len;
    r->fp = fmemopen(r->mem, len ? len : 1, "rb");
    if (!r->fp) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    if (len == 0) /* fmemopen cannot open an empty buffer: read nothing */
        r->in_eof = 1;
    st = finish_open(r, NULL, (int64_t)len, errmsg_out);
    if (st != EAF_OK) {
        eaf_reader_free(r);
        return st;
    }
    *out = r;
    return EAF_OK;
}

/* ---- reading ---------------------------------------------------------------- */

/* Moves to the next member worth reading: members are passed over by
 * the rule of eaf_reader_ignore_reason(), as the files of a folder are.
 * EAF_OK: a member is current, with its format; EAF_DONE: no more;
 * EAF_SYNTAX: this member cannot be read (message recorded; the next call
 * goes on); EAF_IO, EAF_NOMEM. */
static eaf_status next_member(eaf_reader *r)
{
    const char *name, *why;
    eaf_status st;

    for (;;) {
        st = eaf__archive_next(r->ar, r, &name);
        if (st != EAF_ROW)
            return st;
        if (eaf__archive_is_single(r->ar) || !(why = eaf_reader_ignore_reason(name)))
            break;
        if (r->members_passed++ == 0) {
            r->passed_name = eaf__strdup(name);
            r->passed_reason = why;
        }
    }
    r->members_read++;
    eaf__free(r->member);
    eaf__free(r->msg_name);
    eaf__free(r->key_base);
    r->msg_name = r->key_base = NULL;
    if (eaf__archive_is_single(r->ar)) {
        /* one compressed file: it is named after the archive */
        r->member = NULL;
        r->msg_name = eaf__strdup(r->name);
        r->key_base = strip_extension(r->name);
    } else {
        r->member = eaf__strdup(name);
        r->msg_name = eaf__printf("%s:%s", r->name, name);
        r->key_base = r->member ? strip_extension(r->member) : NULL;
    }
    if ((!eaf__archive_is_single(r->ar) && !r->member) || !r->msg_name || !r->key_base) {
        eaf__reader_error(r, 0, "out of memory");
        return EAF_NOMEM;
    }
    r->in_pos = r->in_len = 0;
    r->in_eof = 0;
    r->line = 0;
    r->done = 0;
    r->format = EAF_FORMAT_AUTO;
    st = detect_current(r, 0);
    if (st == EAF_SYNTAX)
        r->done = 1;
    return st;
}

/* The archive ended without a member to read: says so (EAF_SYNTAX), as a
 * folder without article files is an error. */
static eaf_status no_member(eaf_reader *r)
{
    eaf__free(r->msg_name);
    r->msg_name = NULL; /* the archive's own name */
    eaf__free(r->member);
    r->member = NULL;
    if (r->members_passed > 0)
        eaf__reader_error(r, 0, "no article file in the archive: its %zu file%s passed "
                                "over (%s: %s%s)",
                          r->members_passed,
                          r->members_passed == 1 ? " was" : "s were",
                          r->passed_name ? r->passed_name : "?", r->passed_reason,
                          r->members_passed > 1 ? ", ..." : "");
    else
        eaf__reader_error(r, 0, "no file in the archive: %s",
                          eaf__archive_empty_reason(r->ar));
    return EAF_SYNTAX;
}

/* The current file ended: when it gave no article, no error and no skip,
 * says what it held instead (EAF_SYNTAX), so that a file never counts as
 * read with nothing in it. */
static eaf_status nothing_read(eaf_reader *r)
{
    if (r->file_rows || r->file_errors || r->skipped > r->file_skipped_before)
        return EAF_DONE;
    switch (r->format) {
    case EAF_FORMAT_JSONL:
        if (r->line == 0)
            eaf__reader_error(r, 0, "empty file (JSON Lines with no line)");
        else
            eaf__reader_error(r, 0, "no article: %lu blank line%s and no JSON object",
                              r->line, r->line == 1 ? "" : "s");
        break;
    case EAF_FORMAT_WXR:
        eaf__reader_error(r, 0, "no article: the WordPress export holds no items");
        break;
    default:
        eaf__reader_error(r, 0, "no article in the file");
        break;
    }
    return EAF_SYNTAX;
}

static eaf_status format_next(eaf_reader *r, eaf_article **out)
{
    switch (r->format) {
    case EAF_FORMAT_PAGE:
        return eaf__page_next(r, out);
    case EAF_FORMAT_JSONL:
        return eaf__jsonl_next(r, out);
    case EAF_FORMAT_HTML:
        return eaf__html_next(r, out);
    case EAF_FORMAT_MARKDOWN:
        return eaf__markdown_next(r, out);
    case EAF_FORMAT_WXR:
        return eaf__wxr_next(r, out);
    default:
        return EAF_MISUSE;
    }
}

/* Every article a reader gives has a key: one whose own key could not be
 * used (a canonical URL of blanks, say) takes the file's name, as one
 * without a URL does. */
static eaf_status ensure_key(eaf_reader *r, eaf_article **out)
{
    eaf_status st = r->key_base ? eaf_article_set(*out, EAF_FIELD_KEY, r->key_base, EAF_NTS)
                                : EAF_SYNTAX;

    if (st == EAF_OK)
        return EAF_ROW;
    eaf_article_free(*out);
    *out = NULL;
    if (st == EAF_NOMEM) {
        eaf__reader_error(r, 0, "out of memory");
        r->finished = 1;
        free_state(r);
        return EAF_NOMEM;
    }
    eaf__reader_error(r, r->line, "the article has no key");
    return EAF_SYNTAX;
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
    for (;;) {
        if (r->finished)
            return EAF_DONE;
        if (r->ar && (r->need_member || r->done)) {
            free_state(r);
            r->need_member = 0;
            st = next_member(r);
            if (st == EAF_DONE && r->members_read == 0) {
                r->finished = 1;
                return no_member(r);
            }
            if (st == EAF_DONE || st == EAF_IO || st == EAF_NOMEM) {
                r->finished = 1;
                return st;
            }
            if (st != EAF_OK)
                return st; /* this member: EAF_SYNTAX */
        }
        if (r->done) {
            r->finished = 1;
            free_state(r);
            return EAF_DONE;
        }
        if (r->file_skip) {
            /* a page that is not an article, by its name */
            eaf__reader_skip(r, "%s", r->file_skip);
            r->file_skip = NULL;
            r->done = 1;
            continue;
        }
        st = format_next(r, out);
        if (st == EAF_MISUSE)
            return st;
        if (st == EAF_IO || st == EAF_NOMEM) {
            r->finished = 1;
            free_state(r);
            return st;
        }
        if (st == EAF_DONE) {
            r->done = 1;
            if (nothing_read(r) == EAF_SYNTAX)
                return EAF_SYNTAX;
            continue; /* the next member, or the end */
        }
        if (st == EAF_ROW && !eaf_article_get(*out, EAF_FIELD_KEY))
            st = ensure_key(r, out);
        if (st == EAF_ROW) {
            r->file_rows++;
            eaf__article_keep_hash(*out);
        } else if (st == EAF_SYNTAX) {
            r->file_errors++;
        }
        return st;
    }
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
    if (!r)
        return EAF_FORMAT_LAST;
    return r->format;
}

eaf_format eaf_reader_container(const eaf_reader *r)
{
    if (!r)
        return EAF_FORMAT_LAST;
    if (r->ar && eaf__archive_kind(r->ar) != EAF_FORMAT_AUTO)
        return eaf__archive_kind(r->ar); /* a .tar.gz is a tar */
    return r->container;
}

const char *eaf_reader_member(const eaf_reader *r)
{
    return r ? r->member : NULL;
}

size_t eaf_reader_skipped(const eaf_reader *r)
{
    return r ? r->skipped : 0;
}

const char *eaf_reader_skip_reason(const eaf_reader *r)
{
    return r && r->skipped ? (r->skip_reason ? r->skip_reason : "out of memory") : NULL;
}

void eaf_reader_free(eaf_reader *r)
{
    if (!r)
        return;
    free_state(r);
    if (r->ar)
        eaf__archive_free(r->ar);
    if (r->fp)
        fclose(r->fp);
    eaf__free(r->mem);
    eaf__free(r->name);
    eaf__free(r->msg_name);
    eaf__free(r->member);
    eaf__free(r->key_base);
    eaf__free(r->skip_reason);
    eaf__free(r->passed_name);
    eaf__free(r->in);
    eaf__buf_free(&r->err);
    eaf__buf_free(&r->line_buf);
    eaf__free(r);
}
