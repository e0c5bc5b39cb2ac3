/*
 * import_markdown.c: Markdown with front matter, the source of a static
 * site (Jekyll, Hugo, Eleventy), or plain Markdown that starts with its
 * title as a heading; one file, one article.
 *
 * The front matter, as the site generators take it (a UTF-8 byte-order
 * mark and CRLF line ends are allowed):
 *  - YAML (all three): a line "---", YAML, a line "---" (or "..."), read
 *    with libyaml into a small tree (front_matter.c: at most MAX_NODES
 *    nodes; an alias is not copied but counted at the size of what it
 *    names, and past MAX_WEIGHT the file is refused, so that no "billion
 *    laughs" can cost more than that);
 *  - JSON (Hugo): a JSON object at the start of the file, read with
 *    jansson into the same tree; the body follows the object's line;
 *  - TOML (Hugo, between lines "+++"): an error that says so and how to
 *    convert it.  Debian 12 has no TOML parser for C (only C++ ones, which
 *    would put a C++ runtime under this C library), and this project
 *    writes no parser of its own for a format that has one;
 *  - none: a file that starts with a heading ("# Title", or a title
 *    underlined with "===") takes its title from it, as GitHub Pages
 *    (jekyll-titles-from-headings) does; the heading is not body text.
 *    A file with front matter but no title takes it from such a heading
 *    too.  A file with neither is an error.
 * The keys of the front matter, case ignored:
 *  - title, read as the site's templates show it: entities decoded, tags
 *    dropped;
 *  - date: "2014-03-21", "2014-03-21T12:00:00-04:00", "2014-03-21
 *    12:00:00 -0400": the date as written; without one (or with one that
 *    is not a date), the "YYYY-MM-DD-" the file name starts with, as
 *    Jekyll and Eleventy take it;
 *  - author or authors: a name, a list of names, or a list of mappings
 *    with a "name" (and an "affiliation");
 *  - tags, and categories (topics): a list; or one string, which YAML
 *    front matter splits as Jekyll does, at white space ("tags: ports
 *    shipping" is two tags), unless it holds a comma ("Pasig River,
 *    Manila" is two tags split at the comma, where Jekyll would keep the
 *    comma on the first); JSON front matter (Hugo's) keeps a string as one
 *    term, as Hugo does.  Jekyll's singular tag and category give one
 *    value each, unsplit;
 *  - excerpt, else description, else summary: the summary (as text);
 *  - lang, language or locale: the language ("en");
 *  - canonical_url, or url when it is an absolute http(s) URL: the url;
 *  - draft: true, or published: false: the file is skipped, not an error.
 * Every other key is ignored.
 *
 * The body is the Markdown after the front matter, parsed with libcmark,
 * as plain text: template tags ({{ ... }}, {% ... %}, {# ... #}, Hugo's
 * {{< ... >}}) are dropped first (a tag alone on its line with the line;
 * the text between {% raw %} and {% endraw %} kept as it is; {{ "text" |
 * filter }} leaves "text"; {{ page.key }} and {{ key }} give the front
 * matter's value), and footnote marks ([^1]) after; paragraphs and headings are separated by
 * blank lines, list items by new lines; links keep their text, images
 * give none; emphasis and inline HTML tags go; HTML blocks give their
 * text; code keeps its text.  The key is the path without its extension.
 */
#include "format.h"
#include "front_matter.h"
#include "html_text.h"

#include <string.h>

#include <cmark.h>

static void trim(const char **s, size_t *n);

/* ---- the article's fields ---------------------------------------------------- */

typedef struct md {
    eaf__source *r;
    eaf_article *a;
    int nomem;
    int json;                 /* the front matter is JSON (Hugo's) */
} md;

static int space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Adds one tag of s[0..k). */
static void add_tag_n(md *m, eaf_tag_kind kind, const char *s, size_t k)
{
    char *t = eaf__strndup(s, k);

    if (!t || eaf_article_add_tag(m->a, kind, t) == EAF_NOMEM)
        m->nomem = 1;
    eaf__free(t);
}

/* Tags (or topics) from a list, or from one string: split at commas when
 * it has one; else at white space in YAML (Jekyll's rule for tags and
 * categories), and not at all in JSON (Hugo's) or for a singular key. */
static void add_list(md *m, eaf_tag_kind kind, ynode *y, int split_words)
{
    size_t i;

    if (!y)
        return;
    if (y->kind == Y_SEQ) {
        for (i = 0; i < y->n && !m->nomem; i++) {
            const char *v = eaf__front_scalar(y->items[i]);
            if (v && eaf_article_add_tag(m->a, kind, v) == EAF_NOMEM)
                m->nomem = 1;
        }
    } else if (eaf__front_scalar(y)) {
        const char *s = y->value;
        int commas = strchr(s, ',') != NULL;

        if (!commas && (!split_words || m->json)) {
            add_tag_n(m, kind, s, strlen(s));
            return;
        }
        while (*s && !m->nomem) {
            size_t k = 0;
            if (commas) {
                const char *e = strchr(s, ',');
                k = e ? (size_t)(e - s) : strlen(s);
            } else {
                while (space(*s))
                    s++;
                while (s[k] && !space(s[k]))
                    k++;
            }
            if (k > 0)
                add_tag_n(m, kind, s, k);
            s += k;
            if (*s == ',')
                s++;
        }
    }
}

static void add_author(md *m, ynode *y)
{
    const char *name = NULL, *aff = NULL;

    if (!y)
        return;
    if (y->kind == Y_MAP) {
        name = eaf__front_scalar(eaf__front_get(y, "name"));
        aff = eaf__front_scalar(eaf__front_get(y, "affiliation"));
    } else {
        name = eaf__front_scalar(y);
    }
    if (name && eaf_article_add_author(m->a, name, aff) == EAF_NOMEM)
        m->nomem = 1;
}

static void add_authors(md *m, ynode *y)
{
    size_t i;

    if (!y)
        return;
    if (y->kind == Y_SEQ) {
        for (i = 0; i < y->n; i++)
            add_author(m, y->items[i]);
    } else {
        add_author(m, y);
    }
}

/* Sets a field to v without the white space around it. */
static void set_text(md *m, eaf_field f, const char *v)
{
    size_t n;

    if (!v || m->nomem)
        return;
    n = strlen(v);
    trim(&v, &n);
    if (n > 0 && eaf_article_set(m->a, f, v, n) == EAF_NOMEM)
        m->nomem = 1;
}

/* Sets a field to the text of v read as HTML, as a site's templates put
 * it in a page: entities decoded, tags dropped, white space squeezed. */
static void set_html(md *m, eaf_field f, const char *v)
{
    char *t = NULL;

    if (!v || m->nomem)
        return;
    if (eaf__html_fragment_text(v, strlen(v), 0, &t) != EAF_OK) {
        m->nomem = 1;
        return;
    }
    set_text(m, f, t);
    eaf__free(t);
}

/* "YYYY-MM-DD-" at the start of the file's base name. */
static void date_from_name(md *m)
{
    const char *k = m->r->key_base, *slash = strrchr(k, '/');
    const char *b = slash ? slash + 1 : k;

    if (strlen(b) >= 10 && (b[10] == '-' || b[10] == '\0' || b[10] == '_')) {
        eaf_status st = eaf_article_set(m->a, EAF_FIELD_DATE, b, 10);
        if (st == EAF_NOMEM)
            m->nomem = 1;
    }
}

/* Returns EAF_OK, EAF_DONE (a draft: skipped), EAF_SYNTAX or EAF_NOMEM.
 * A missing title is left to the caller (a heading may give it). */
static eaf_status read_front(md *m, ynode *root)
{
    const char *v;
    ynode *y;

    if (!root || root->kind != Y_MAP) {
        eaf__source_error(m->r, 0, "the front matter is not a mapping of keys to values");
        return EAF_SYNTAX;
    }
    if (eaf__front_true(eaf__front_get(root, "draft")) ||
        eaf__front_false(eaf__front_get(root, "published"))) {
        eaf__source_skip(m->r, "a draft");
        return EAF_DONE;
    }
    v = eaf__front_scalar(eaf__front_get(root, "title"));
    if (v) {
        set_html(m, EAF_FIELD_TITLE, v);
        if (!m->nomem && !eaf_article_get(m->a, EAF_FIELD_TITLE)) {
            eaf__source_error(m->r, 0, "an empty title in the front matter");
            return EAF_SYNTAX;
        }
    }
    v = eaf__front_scalar(eaf__front_get(root, "date"));
    if (!v || eaf_article_set(m->a, EAF_FIELD_DATE, v, EAF_NTS) != EAF_OK)
        date_from_name(m);
    y = eaf__front_get(root, "authors");
    add_authors(m, y ? y : eaf__front_get(root, "author"));
    add_list(m, EAF_TAG_OTHER, eaf__front_get(root, "tag"), 0);
    add_list(m, EAF_TAG_OTHER, eaf__front_get(root, "tags"), 1);
    add_list(m, EAF_TAG_TOPIC, eaf__front_get(root, "category"), 0);
    add_list(m, EAF_TAG_TOPIC, eaf__front_get(root, "categories"), 1);
    v = eaf__front_scalar(eaf__front_get(root, "excerpt"));
    if (!v)
        v = eaf__front_scalar(eaf__front_get(root, "description"));
    if (!v)
        v = eaf__front_scalar(eaf__front_get(root, "summary"));
    set_html(m, EAF_FIELD_SUMMARY, v);
    v = eaf__front_scalar(eaf__front_get(root, "lang"));
    if (!v)
        v = eaf__front_scalar(eaf__front_get(root, "language"));
    if (!v)
        v = eaf__front_scalar(eaf__front_get(root, "locale"));
    if (v) {
        char lang[9];
        size_t i;
        for (i = 0; i < 8 && v[i] && v[i] != '-' && v[i] != '_'; i++)
            lang[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
        lang[i] = '\0';
        if (i > 0 && (!v[i] || v[i] == '-' || v[i] == '_'))
            set_text(m, EAF_FIELD_LANGUAGE, lang);
    }
    v = eaf__front_scalar(eaf__front_get(root, "canonical_url"));
    if (!v) {
        v = eaf__front_scalar(eaf__front_get(root, "url"));
        if (v && strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
            v = NULL;
    }
    set_text(m, EAF_FIELD_URL, v);
    return m->nomem ? EAF_NOMEM : EAF_OK;
}

/* ---- template tags ----------------------------------------------------------- */

/* Whether s[a..b) is only blanks. */
static int blank_run(const char *s, size_t a, size_t b)
{
    for (; a < b; a++)
        if (s[a] != ' ' && s[a] != '\t' && s[a] != '\r')
            return 0;
    return 1;
}

/* The value of the front matter an output tag s[i..end) stands for: {{ page.key }}
 * or {{ key }} with a scalar value; NULL for another tag. */
static const char *front_value(ynode *front, const char *s, size_t i, size_t end)
{
    size_t k = i + 2, e = end - 2;
    char name[64];

    while (k < e && (s[k] == ' ' || s[k] == '-'))
        k++;
    while (e > k && (s[e - 1] == ' ' || s[e - 1] == '-'))
        e--;
    if (e - k > 5 && strncmp(s + k, "page.", 5) == 0)
        k += 5;
    if (e > k && e - k < sizeof(name) && !memchr(s + k, ' ', e - k) &&
        !memchr(s + k, '|', e - k) && !memchr(s + k, '.', e - k)) {
        memcpy(name, s + k, e - k);
        name[e - k] = '\0';
        return eaf__front_scalar(eaf__front_get(front, name));
    }
    return NULL;
}

/* The quoted string an output tag s[i..end) starts with ({{ "name" | filter }}),
 * if any, into b: the best guess of what it prints. */
static void put_quoted(eaf__buf *b, const char *s, size_t i, size_t end)
{
    size_t k = i + 2, q;

    while (k < end && (s[k] == ' ' || s[k] == '-' || s[k] == '<'))
        k++;
    if (k < end && (s[k] == '"' || s[k] == '\'')) {
        for (q = k + 1; q < end - 2 && s[q] != s[k]; q++)
            ;
        if (q < end - 2)
            eaf__buf_append(b, s + k + 1, q - k - 1);
    }
}

/* A copy of s[0..n) without template tags.  A tag alone on its line takes
 * the line with it (so that it leaves no blank line to end an HTML block).
 * An output tag whose expression starts with a quoted string ({{ "name" |
 * filter }}) leaves that string, the best guess of what it prints.
 * {% raw %} ... {% endraw %} keeps what is between as it is. */
static char *strip_templates(const char *s, size_t n, ynode *front)
{
    eaf__buf b = EAF__BUF_INIT;
    size_t i = 0, run = 0;
    int raw = 0;

    while (i + 1 < n) {
        const char *close, *v;
        size_t end, ls, le;

        if (s[i] != '{' || (s[i + 1] != '{' && s[i + 1] != '%' && s[i + 1] != '#')) {
            i++;
            continue;
        }
        close = s[i + 1] == '{' ? "}}" : s[i + 1] == '%' ? "%}" : "#}";
        for (end = i + 2; end + 1 < n && !(s[end] == close[0] && s[end + 1] == close[1]);
             end++)
            ;
        if (end + 1 >= n) /* not closed: not a tag */
            break;
        end += 2;
        if (s[i + 1] == '%') {
            /* the tag's name */
            size_t k = i + 2;
            while (k < end && (s[k] == ' ' || s[k] == '-' || s[k] == '\t'))
                k++;
            if (!raw && end - k >= 3 && strncmp(s + k, "raw", 3) == 0 &&
                !((s[k + 3] >= 'a' && s[k + 3] <= 'z') || s[k + 3] == '_')) {
                raw = 1;
            } else if (raw && end - k >= 6 && strncmp(s + k, "endraw", 6) == 0) {
                raw = 0;
            } else if (raw) {
                i++;
                continue;
            }
        } else if (raw) {
            i++;
            continue;
        }
        if (s[i + 1] == '{' && front && (v = front_value(front, s, i, end)) != NULL) {
            eaf__buf_append(&b, s + run, i - run);
            eaf__buf_puts(&b, v);
            i = run = end;
            continue;
        }
        for (ls = i; ls > run && s[ls - 1] != '\n'; ls--)
            ;
        for (le = end; le < n && s[le] != '\n'; le++)
            ;
        if ((ls == 0 || s[ls - 1] == '\n') && blank_run(s, ls, i) && blank_run(s, end, le)) {
            /* alone on its line: the line goes */
            eaf__buf_append(&b, s + run, ls - run);
            i = run = le < n ? le + 1 : n;
            continue;
        }
        eaf__buf_append(&b, s + run, i - run);
        if (s[i + 1] == '{')
            put_quoted(&b, s, i, end);
        i = run = end;
    }
    eaf__buf_append(&b, s + run, n - run);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return NULL;
    }
    return b.p ? eaf__buf_detach(&b) : eaf__strdup("");
}

/* Drops footnote marks ("[^1]", and "[^1]: " before a note), which
 * CommonMark leaves as text. */
static void drop_footnote_marks(eaf__buf *b)
{
    size_t i, o = 0;

    if (!b->p)
        return;
    for (i = 0; i < b->n;) {
        if (b->p[i] == '[' && i + 2 < b->n && b->p[i + 1] == '^') {
            size_t k = i + 2;
            while (k < b->n && ((b->p[k] >= '0' && b->p[k] <= '9') ||
                                (b->p[k] >= 'a' && b->p[k] <= 'z') ||
                                (b->p[k] >= 'A' && b->p[k] <= 'Z') || b->p[k] == '-' ||
                                b->p[k] == '_'))
                k++;
            if (k > i + 2 && k < b->n && b->p[k] == ']') {
                k++;
                if (k < b->n && b->p[k] == ':') {
                    k++;
                    while (k < b->n && b->p[k] == ' ')
                        k++;
                }
                i = k;
                continue;
            }
        }
        b->p[o++] = b->p[i++];
    }
    b->n = o;
    b->p[o] = '\0';
}

/* ---- Markdown to plain text ---------------------------------------------------- */

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\n' || **s == '\t' || **s == '\r')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\n' ||
                      (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* Appends the inline text of a leaf block. */
static void put_inlines(eaf__buf *b, cmark_node *leaf)
{
    cmark_iter *it = cmark_iter_new(leaf);
    cmark_event_type ev;
    int image = 0;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        const char *s = NULL;

        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_IMAGE:
            image += ev == CMARK_EVENT_ENTER ? 1 : -1;
            continue;
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
            s = cmark_node_get_literal(n);
            break;
        case CMARK_NODE_SOFTBREAK:
            s = " ";
            break;
        case CMARK_NODE_LINEBREAK:
            s = "\n";
            break;
        default:
            continue;
        }
        if (s && !image)
            eaf__buf_puts(b, s);
    }
    cmark_iter_free(it);
}

/* Appends one leaf's text after a separator: a new line inside one list,
 * else a blank line. */
static void put_piece(eaf__buf *out, const char *s, size_t n, cmark_node *list,
                      cmark_node **last_list)
{
    trim(&s, &n);
    if (n == 0)
        return;
    if (out->n > 0)
        eaf__buf_puts(out, list && list == *last_list ? "\n" : "\n\n");
    eaf__buf_append(out, s, n);
    *last_list = list;
}

static eaf_status render(cmark_node *doc, eaf__buf *out)
{
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    cmark_node *list = NULL, *last_list = NULL;
    int list_depth = 0;
    eaf__buf tmp = EAF__BUF_INIT;
    eaf_status st = EAF_OK;

    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE && st == EAF_OK) {
        cmark_node *n = cmark_iter_get_node(it);
        const char *lit;

        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_LIST:
            if (ev == CMARK_EVENT_ENTER && list_depth++ == 0)
                list = n;
            else if (ev == CMARK_EVENT_EXIT && --list_depth == 0)
                list = NULL;
            break;
        case CMARK_NODE_PARAGRAPH:
        case CMARK_NODE_HEADING:
            if (ev == CMARK_EVENT_ENTER) {
                eaf__buf_reset(&tmp);
                put_inlines(&tmp, n);
                if (tmp.rc == EAF_OK)
                    put_piece(out, tmp.p ? tmp.p : "", tmp.n, list, &last_list);
                cmark_iter_reset(it, n, CMARK_EVENT_EXIT);
            }
            break;
        case CMARK_NODE_CODE_BLOCK:
            lit = cmark_node_get_literal(n);
            if (lit)
                put_piece(out, lit, strlen(lit), list, &last_list);
            break;
        case CMARK_NODE_HTML_BLOCK:
            lit = cmark_node_get_literal(n);
            if (lit) {
                char *text = NULL;
                st = eaf__html_fragment_text(lit, strlen(lit), 0, &text);
                if (text)
                    put_piece(out, text, strlen(text), list, &last_list);
                eaf__free(text);
            }
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
    if (tmp.rc != EAF_OK || out->rc != EAF_OK)
        st = EAF_NOMEM;
    eaf__buf_free(&tmp);
    return st;
}

/* ---- the file ----------------------------------------------------------------- */

/* Finds the end of the front matter: the line "---" or "..." after the
 * first line.  Sets *yb and *ye to the YAML and *body to what follows. */
static int split_front(const char *s, size_t n, size_t *yb, size_t *ye, size_t *body)
{
    size_t i = 3, line;

    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && s[i] == '\r')
        i++;
    if (i >= n || s[i] != '\n')
        return 0;
    *yb = ++i;
    for (line = i; line < n;) {
        size_t e = line, k;
        while (e < n && s[e] != '\n')
            e++;
        k = e;
        while (k > line && (s[k - 1] == '\r' || s[k - 1] == ' ' || s[k - 1] == '\t'))
            k--;
        if (k - line == 3 && (memcmp(s + line, "---", 3) == 0 || memcmp(s + line, "...", 3) == 0)) {
            *ye = line;
            *body = e < n ? e + 1 : n;
            return 1;
        }
        line = e + 1;
    }
    return 0;
}

/* Whether s[0..n) opens with a line of three c ("---", "+++"). */
static int fence_line(const char *s, size_t n, char c)
{
    size_t i = 3;

    if (n < 4 || s[0] != c || s[1] != c || s[2] != c)
        return 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i < n && (s[i] == '\n' || s[i] == '\r');
}

/* The title from the heading the document starts with, which is then no
 * longer part of it: EAF_OK (title set, or no such heading: *found 0),
 * EAF_NOMEM. */
static eaf_status title_from_heading(md *m, cmark_node *doc, int *found)
{
    cmark_node *first = cmark_node_first_child(doc);
    eaf__buf b = EAF__BUF_INIT;
    const char *t;
    size_t n;

    *found = 0;
    if (!first || cmark_node_get_type(first) != CMARK_NODE_HEADING)
        return EAF_OK;
    put_inlines(&b, first);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return EAF_NOMEM;
    }
    t = b.p ? b.p : "";
    n = b.n;
    trim(&t, &n);
    if (n > 0) {
        if (eaf_article_set(m->a, EAF_FIELD_TITLE, t, n) == EAF_NOMEM) {
            eaf__buf_free(&b);
            return EAF_NOMEM;
        }
        *found = eaf_article_get(m->a, EAF_FIELD_TITLE) != NULL;
        if (*found)
            cmark_node_free(first); /* the title, not body text */
    }
    eaf__buf_free(&b);
    return EAF_OK;
}

/* The front matter the file opens with, if any: YAML between "---" lines or a JSON
 * object, read into t (*root; *front set, *body where the text starts).  EAF_OK (with
 * or without), EAF_SYNTAX (TOML, unclosed or unreadable: reported), EAF_NOMEM. */
static eaf_status read_front_matter(md *m, ytree *t, const char *s, size_t len, ynode **root,
                                    size_t *body, int *front)
{
    eaf__source *r = m->r;
    char *msg = NULL;
    size_t yb, ye, i;

    for (i = 0; space(s[i]); i++) /* (not all of it, or it was empty) */
        ;
    if (fence_line(s, len, '+')) {
        eaf__source_error(r, 0, "TOML front matter (between \"+++\" lines) cannot be read: "
                                "there is no TOML library for C to read it with; convert it "
                                "to YAML (hugo convert toYAML -o DIR) and index DIR");
        return EAF_SYNTAX;
    }
    if (fence_line(s, len, '-')) {
        if (!split_front(s, len, &yb, &ye, body)) {
            eaf__source_error(r, 0, "the front matter has no closing \"---\" line");
            return EAF_SYNTAX;
        }
        *front = 1;
        *root = eaf__front_yaml(t, s + yb, ye - yb, &msg);
    } else if (s[i] == '{') {
        size_t used;
        *front = 1;
        m->json = 1;
        *root = eaf__front_json(t, s + i, len - i, &used, &msg);
        *body = i + used;
        while (*body < len && s[*body] != '\n')
            (*body)++;
        if (*body < len)
            (*body)++;
    }
    if (*front && !*root) {
        eaf__front_free(t);
        if (t->nomem) {
            eaf__free(msg);
            eaf__source_error(r, 0, "out of memory");
            return EAF_NOMEM;
        }
        eaf__source_error(r, 0, "%s", msg ? msg : "empty front matter");
        eaf__free(msg);
        return EAF_SYNTAX;
    }
    return EAF_OK;
}

/* The Markdown text: its first heading is the title when the front matter gave
 * none (an article needs one: EAF_SYNTAX, reported), the rest the body.  EAF_OK,
 * EAF_SYNTAX, EAF_NOMEM. */
static eaf_status read_body(md *m, const char *src, int front)
{
    cmark_node *doc = cmark_parse_document(src, strlen(src), CMARK_OPT_VALIDATE_UTF8);
    eaf__buf text = EAF__BUF_INIT;
    eaf_status st = EAF_OK;
    int heading = 0;

    if (!doc) {
        st = EAF_NOMEM;
    } else {
        if (!eaf_article_get(m->a, EAF_FIELD_TITLE))
            st = title_from_heading(m, doc, &heading);
        if (st == EAF_OK && !eaf_article_get(m->a, EAF_FIELD_TITLE)) {
            eaf__source_error(m->r, 0, "%s", front
                ? "no title in the front matter (nor a heading at the start of the text)"
                : "no title: no front matter (\"---\"), and the text does not start "
                  "with a heading (\"# Title\")");
            st = EAF_SYNTAX;
        }
        if (st == EAF_OK)
            st = render(doc, &text);
        cmark_node_free(doc);
    }
    if (st == EAF_OK)
        drop_footnote_marks(&text);
    if (st == EAF_OK && text.n > 0 &&
        eaf_article_set(m->a, EAF_FIELD_BODY, text.p, text.n) != EAF_OK)
        st = EAF_NOMEM;
    eaf__buf_free(&text);
    return st;
}

static eaf_status markdown_next(eaf__source *r, eaf_article **out)
{
    md m;
    ytree t;
    ynode *root = NULL;
    char *data, *body_src = NULL;
    const char *s;
    size_t len, body = 0;
    eaf_status st;
    int front = 0;

    *out = NULL;
    r->done = 1; /* one file, one article */
    st = eaf__source_slurp_text(r, &data, &s, &len, "empty file");
    if (st != EAF_OK)
        return st;
    memset(&m, 0, sizeof(m));
    memset(&t, 0, sizeof(t));
    m.r = r;
    st = read_front_matter(&m, &t, s, len, &root, &body, &front);
    if (st != EAF_OK) {
        eaf__free(data);
        return st;
    }
    st = eaf_article_new(&m.a);
    if (st == EAF_OK)
        st = eaf_article_set(m.a, EAF_FIELD_KEY, r->key_base, EAF_NTS);
    if (st == EAF_OK && front)
        st = read_front(&m, root);
    else if (st == EAF_OK)
        date_from_name(&m);
    if (st == EAF_OK && m.nomem)
        st = EAF_NOMEM;
    if (st == EAF_OK) {
        body_src = strip_templates(s + body, len - body, root);
        if (!body_src)
            st = EAF_NOMEM;
    }
    eaf__front_free(&t);
    eaf__free(data);
    if (st == EAF_OK)
        st = read_body(&m, body_src, front);
    eaf__free(body_src);
    if (st == EAF_NOMEM)
        eaf__source_error(r, 0, "out of memory");
    else if (st == EAF_SYNTAX && !r->err.n)
        eaf__source_error(r, 0, "empty name");
    if (st != EAF_OK) {
        eaf_article_free(m.a);
        return st;
    }
    *out = m.a;
    return EAF_ROW;
}

/* ---- the row of the table -------------------------------------------------------- */

static const char *const markdown_aliases[] = {"md", NULL};
/* (no name tells Markdown by itself: a .md file without front matter or a
 * title heading is an article page) */
static const char *const markdown_extensions[] = {NULL};

/* Front matter (YAML, TOML or a JSON object); else a title heading. */
static int markdown_sniff(const eaf__sniff *s)
{
    if (eaf__sniff_front_matter(s))
        return EAF__SNIFF_FRONT_MATTER;
    if (eaf__sniff_json_object(s) && eaf__sniff_json_or_front(s) == EAF_FORMAT_MARKDOWN)
        return EAF__SNIFF_JSON;
    return eaf__sniff_title(s) ? EAF__SNIFF_TITLE : EAF__SNIFF_NO;
}

const eaf__format_def eaf__format_markdown = {
    EAF_FORMAT_MARKDOWN, "markdown", markdown_aliases, markdown_extensions, markdown_sniff,
    markdown_next, NULL};
