/*
 * sniff.c: what the formats' sniffing functions share: telling markup,
 * a feed, a JSON object and a Markdown title from the first bytes of a
 * file.  The dispatcher builds one eaf__sniff per file and asks every
 * format of the table; each answers with the rank of the rule that claims
 * the file for it (see format.h), the lowest rank winning.
 */
#include "sniff.h"

#include <string.h>

#include <jansson.h>

int eaf__sniff_suffix(const char *name, const char *suffix)
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
    if (s[0] == '<' && (eaf__sniff_suffix(name, ".html") || eaf__sniff_suffix(name, ".htm") ||
                        eaf__sniff_suffix(name, ".xhtml") || eaf__sniff_suffix(name, ".shtml")))
        return EAF_FORMAT_HTML;
    if (s[0] == '<' && (ascii_ci_find(s, n, "<p>") || ascii_ci_find(s, n, "<div")) &&
        !eaf__sniff_suffix(name, ".xml") && !eaf__sniff_suffix(name, ".wxr"))
        return EAF_FORMAT_HTML;
    return EAF_FORMAT_AUTO;
}

static int markdown_name(const char *name)
{
    return eaf__sniff_suffix(name, ".md") || eaf__sniff_suffix(name, ".markdown") ||
           eaf__sniff_suffix(name, ".mdown") || eaf__sniff_suffix(name, ".mkd");
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

    if (eaf__sniff_suffix(name, ".jsonl") || eaf__sniff_suffix(name, ".ndjson"))
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

eaf_archive_kind eaf__sniff_archive(const unsigned char *h, size_t n)
{
    if (n >= 2 && h[0] == 0x1F && h[1] == 0x8B)
        return EAF_ARCHIVE_GZIP;                   /* gzip: .gz, .tar.gz */
    if (n >= 3 && h[0] == 'B' && h[1] == 'Z' && h[2] == 'h')
        return EAF_ARCHIVE_GZIP;                   /* bzip2 */
    if (n >= 6 && memcmp(h, "\xFD" "7zXZ\0", 6) == 0)
        return EAF_ARCHIVE_GZIP;                   /* xz */
    if (n >= 4 && h[0] == 'P' && h[1] == 'K' &&
        ((h[2] == 3 && h[3] == 4) || (h[2] == 5 && h[3] == 6)))
        return EAF_ARCHIVE_ZIP;
    if (n >= 262 && memcmp(h + 257, "ustar", 5) == 0)
        return EAF_ARCHIVE_TAR;
    return EAF_ARCHIVE_NONE;
}

/* ---- the rules ---------------------------------------------------------------- */

void eaf__sniff_init(eaf__sniff *s, const char *head, size_t n, const char *name)
{
    size_t i = 0;

    if (n >= 3 && (unsigned char)head[0] == 0xEF && (unsigned char)head[1] == 0xBB &&
        (unsigned char)head[2] == 0xBF)
        i = 3;
    s->head = head;
    s->n = n;
    s->name = name;
    s->start = i;
    while (i < n && is_ws(head[i]))
        i++;
    s->text = i;
}

int eaf__sniff_named(const eaf__sniff *s, const char *const *suffixes)
{
    for (; suffixes && *suffixes; suffixes++)
        if (eaf__sniff_suffix(s->name, *suffixes))
            return 1;
    return 0;
}

int eaf__sniff_front_matter(const eaf__sniff *s)
{
    const char *head = s->head;
    size_t n = s->n, i = s->start, j;

    if (n - i < 4 || (memcmp(head + i, "---", 3) != 0 && memcmp(head + i, "+++", 3) != 0))
        return 0;
    j = i + 3;
    while (j < n && (head[j] == ' ' || head[j] == '\t'))
        j++;
    return j < n && (head[j] == '\n' || head[j] == '\r');
}

int eaf__sniff_json_object(const eaf__sniff *s)
{
    /* a JSON object opens with a member name, or closes at once;
     * template tags such as {{ ... }} or {% ... %} are not JSON */
    size_t j = s->text + 1;

    if (s->text >= s->n || s->head[s->text] != '{')
        return 0;
    while (j < s->n && is_ws(s->head[j]))
        j++;
    return j >= s->n || s->head[j] == '"' || s->head[j] == '}';
}

eaf_format eaf__sniff_json_or_front(const eaf__sniff *s)
{
    return json_or_front(s->head, s->n, s->text, s->name);
}

eaf_format eaf__sniff_markup(const eaf__sniff *s)
{
    if (s->text >= s->n || s->head[s->text] != '<')
        return EAF_FORMAT_AUTO;
    if (feed_markup(s->head + s->text, s->n - s->text))
        return EAF_FORMAT_WXR;
    return detect_markup(s->head + s->text, s->n - s->text, s->name);
}

int eaf__sniff_title(const eaf__sniff *s)
{
    return starts_with_title(s->head, s->n, s->text);
}

int eaf__sniff_sections(const eaf__sniff *s)
{
    const char *head = s->head;
    size_t line;

    for (line = 0; line < s->n; line++)
        if ((line == 0 || head[line - 1] == '\n') && line + 3 <= s->n &&
            head[line] == '#' && head[line + 1] == '#' && head[line + 2] == ' ')
            return 1;
    return 0;
}
