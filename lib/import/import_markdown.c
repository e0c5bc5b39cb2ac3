/*
 * import_markdown.c: Markdown with front matter, the source of a static
 * site (Jekyll, Hugo, Eleventy), or plain Markdown that starts with its
 * title as a heading; one file, one article.
 *
 * The front matter, as the site generators take it (a UTF-8 byte-order
 * mark and CRLF line ends are allowed):
 *  - YAML (all three): a line "---", YAML, a line "---" (or "..."), read
 *    with libyaml into a small tree (at most MAX_NODES nodes; an alias is
 *    not copied but counted at the size of what it names, and past
 *    MAX_WEIGHT the file is refused, so that no "billion laughs" can cost
 *    more than that);
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
#include "html_text.h"

#include <string.h>

#include <cmark.h>
#include <jansson.h>
#include <yaml.h>

#define MAX_NODES 100000
#define MAX_WEIGHT 1000000
#define MAX_YAML_DEPTH 64

/* ---- a small YAML tree ------------------------------------------------------ */

enum { Y_SCALAR, Y_SEQ, Y_MAP };

typedef struct ynode {
    int kind;
    char *value;              /* scalars */
    int plain;                /* an unquoted scalar */
    struct ynode **items;     /* sequences: items; mappings: key, value, ... */
    size_t n, cap;
    long weight;              /* nodes it stands for, aliases expanded */
} ynode;

typedef struct ytree {
    ynode **all;              /* every node, for freeing */
    size_t n, cap;
    struct { char *name; ynode *node; } *anchors;
    size_t nanchors, capanchors;
    long weight;
    int nomem;
    const char *error;        /* a static reason, when refused */
} ytree;

static ynode *ynew(ytree *t, int kind)
{
    ynode *y;

    if (t->n >= MAX_NODES) {
        t->error = "too many values";
        return NULL;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 32;
        ynode **all = eaf__realloc(t->all, cap * sizeof(*all));
        if (!all) {
            t->nomem = 1;
            return NULL;
        }
        t->all = all;
        t->cap = cap;
    }
    y = eaf__calloc(1, sizeof(*y));
    if (!y) {
        t->nomem = 1;
        return NULL;
    }
    y->kind = kind;
    y->weight = 1;
    t->all[t->n++] = y;
    return y;
}

static int ypush(ytree *t, ynode *parent, ynode *child)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 8;
        ynode **v = eaf__realloc(parent->items, cap * sizeof(*v));
        if (!v) {
            t->nomem = 1;
            return 0;
        }
        parent->items = v;
        parent->cap = cap;
    }
    parent->items[parent->n++] = child;
    parent->weight += child->weight;
    if (parent->weight > MAX_WEIGHT)
        parent->weight = MAX_WEIGHT + 1;
    return 1;
}

static void ytree_free(ytree *t)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        eaf__free(t->all[i]->value);
        eaf__free(t->all[i]->items);
        eaf__free(t->all[i]);
    }
    eaf__free(t->all);
    for (i = 0; i < t->nanchors; i++)
        eaf__free(t->anchors[i].name);
    eaf__free(t->anchors);
}

static void anchor(ytree *t, const unsigned char *name, ynode *y)
{
    if (!name || !y)
        return;
    if (t->nanchors == t->capanchors) {
        size_t cap = t->capanchors ? t->capanchors * 2 : 8;
        void *v = eaf__realloc(t->anchors, cap * sizeof(*t->anchors));
        if (!v) {
            t->nomem = 1;
            return;
        }
        t->anchors = v;
        t->capanchors = cap;
    }
    t->anchors[t->nanchors].name = eaf__strdup((const char *)name);
    if (!t->anchors[t->nanchors].name) {
        t->nomem = 1;
        return;
    }
    t->anchors[t->nanchors++].node = y;
}

static ynode *find_anchor(ytree *t, const unsigned char *name)
{
    size_t i;

    for (i = t->nanchors; i-- > 0;)
        if (strcmp(t->anchors[i].name, (const char *)name) == 0)
            return t->anchors[i].node;
    return NULL;
}

/* Parses the YAML text into a tree; returns the root (a mapping), or NULL
 * with *msg (allocated) saying why. */
static ynode *yparse(ytree *t, const char *s, size_t n, char **msg)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    ynode *stack[MAX_YAML_DEPTH], *root = NULL;
    int depth = 0, done = 0;

    *msg = NULL;
    if (!yaml_parser_initialize(&parser)) {
        t->nomem = 1;
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)s, n);
    while (!done) {
        ynode *y = NULL;

        if (!yaml_parser_parse(&parser, &ev)) {
            *msg = eaf__printf("front matter, line %lu: %s%s%s",
                               (unsigned long)parser.problem_mark.line + 2,
                               parser.problem ? parser.problem : "invalid YAML",
                               parser.context ? " " : "",
                               parser.context ? parser.context : "");
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            done = ev.type == YAML_STREAM_END_EVENT || root != NULL;
            break;
        case YAML_SCALAR_EVENT:
            y = ynew(t, Y_SCALAR);
            if (y) {
                y->value = eaf__strndup((const char *)ev.data.scalar.value,
                                        ev.data.scalar.length);
                y->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (!y->value)
                    t->nomem = 1;
                anchor(t, ev.data.scalar.anchor, y);
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            y = ynew(t, ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP);
            if (y) {
                anchor(t, ev.type == YAML_SEQUENCE_START_EVENT
                              ? ev.data.sequence_start.anchor
                              : ev.data.mapping_start.anchor,
                       y);
            }
            break;
        case YAML_ALIAS_EVENT:
            y = find_anchor(t, ev.data.alias.anchor);
            if (!y) {
                *msg = eaf__printf("front matter: unknown alias *%s",
                                   (const char *)ev.data.alias.anchor);
                done = 1;
                break;
            }
            {
                int open = 0, k;
                for (k = 0; k < depth; k++)
                    open |= stack[k] == y;
                if (open) {
                    t->error = "an alias refers to a value that contains it";
                    y = NULL;
                    break;
                }
            }
            t->weight += y->weight;
            if (t->weight > MAX_WEIGHT || y->weight > MAX_WEIGHT) {
                t->error = "aliases expand too much (a \"billion laughs\" file?)";
                y = NULL;
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0) {
                ynode *closed = stack[--depth];
                if (depth > 0)
                    ypush(t, stack[depth - 1], closed);
                else
                    root = closed;
            }
            break;
        default:
            break;
        }
        if (y && (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT)) {
            if (depth > 0)
                ypush(t, stack[depth - 1], y);
            else
                root = y;
        } else if (y) {
            if (depth >= MAX_YAML_DEPTH) {
                t->error = "values nested too deep";
            } else {
                stack[depth++] = y;
            }
        }
        yaml_event_delete(&ev);
        if (t->nomem || t->error)
            break;
    }
    yaml_parser_delete(&parser);
    if (*msg || t->nomem)
        return NULL;
    if (t->error) {
        *msg = eaf__printf("front matter: %s", t->error);
        return NULL;
    }
    return root;
}

/* A JSON value as a tree of the same kind: objects are mappings, arrays
 * sequences; strings are quoted scalars, numbers, true and false plain
 * ones (so that draft: true reads as YAML's), null an empty scalar.
 * Returns NULL with t->nomem or t->error set. */
static ynode *yjson(ytree *t, json_t *v, int depth)
{
    ynode *y;
    const char *key;
    json_t *item;
    size_t i;
    char num[64];

    if (depth >= MAX_YAML_DEPTH) {
        t->error = "values nested too deep";
        return NULL;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (!(y = ynew(t, Y_MAP)))
            return NULL;
        json_object_foreach(v, key, item) {
            ynode *k = ynew(t, Y_SCALAR), *c;
            if (!k)
                return NULL;
            k->value = eaf__strdup(key);
            k->plain = 1;
            if (!k->value) {
                t->nomem = 1;
                return NULL;
            }
            if (!(c = yjson(t, item, depth + 1)) || !ypush(t, y, k) || !ypush(t, y, c))
                return NULL;
        }
        return y;
    case JSON_ARRAY:
        if (!(y = ynew(t, Y_SEQ)))
            return NULL;
        json_array_foreach(v, i, item) {
            ynode *c = yjson(t, item, depth + 1);
            if (!c || !ypush(t, y, c))
                return NULL;
        }
        return y;
    default:
        break;
    }
    if (!(y = ynew(t, Y_SCALAR)))
        return NULL;
    y->plain = !json_is_string(v);
    if (json_is_string(v))
        y->value = eaf__strndup(json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        y->value = eaf__printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        y->value = eaf__strdup(num);
    } else
        y->value = eaf__strdup(json_is_true(v) ? "true" : json_is_false(v) ? "false" : "");
    if (!y->value) {
        t->nomem = 1;
        return NULL;
    }
    return y;
}

/* Parses the JSON object at the start of s[0..n) into a tree; *used gets
 * the bytes it took.  NULL with *msg (allocated) saying why, or with
 * t->nomem. */
static ynode *jparse(ytree *t, const char *s, size_t n, size_t *used, char **msg)
{
    json_error_t err;
    json_t *v = json_loadb(s, n, JSON_DISABLE_EOF_CHECK, &err);
    ynode *root;

    *msg = NULL;
    *used = 0;
    if (!v) {
        *msg = eaf__printf("JSON front matter, line %d: %s", err.line, err.text);
        if (!*msg)
            t->nomem = 1;
        return NULL;
    }
    *used = (size_t)err.position;
    root = yjson(t, v, 0);
    json_decref(v);
    if (!root && t->error) {
        *msg = eaf__printf("JSON front matter: %s", t->error);
        if (!*msg)
            t->nomem = 1;
    }
    return root;
}

/* The value of key (case ignored) in a mapping, or NULL. */
static ynode *yget(ynode *map, const char *key)
{
    size_t i;

    if (!map || map->kind != Y_MAP)
        return NULL;
    for (i = 0; i + 1 < map->n; i += 2) {
        ynode *k = map->items[i];
        if (k->kind == Y_SCALAR && k->value) {
            const char *a = k->value, *b = key;
            while (*a && *b && (*a | 0x20) == *b) {
                a++;
                b++;
            }
            if (!*a && !*b)
                return map->items[i + 1];
        }
    }
    return NULL;
}

static const char *yscalar(ynode *y)
{
    return y && y->kind == Y_SCALAR && y->value && *y->value ? y->value : NULL;
}

static int ytrue(ynode *y)
{
    const char *v = yscalar(y);
    return v && y->plain && (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
                             strcmp(v, "TRUE") == 0 || strcmp(v, "yes") == 0);
}

static int yfalse(ynode *y)
{
    const char *v = yscalar(y);
    return v && y->plain && (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 ||
                             strcmp(v, "FALSE") == 0 || strcmp(v, "no") == 0);
}

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
            const char *v = yscalar(y->items[i]);
            if (v && eaf_article_add_tag(m->a, kind, v) == EAF_NOMEM)
                m->nomem = 1;
        }
    } else if (yscalar(y)) {
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
        name = yscalar(yget(y, "name"));
        aff = yscalar(yget(y, "affiliation"));
    } else {
        name = yscalar(y);
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
    if (ytrue(yget(root, "draft")) || yfalse(yget(root, "published"))) {
        eaf__source_skip(m->r, "a draft");
        return EAF_DONE;
    }
    v = yscalar(yget(root, "title"));
    if (v) {
        set_html(m, EAF_FIELD_TITLE, v);
        if (!m->nomem && !eaf_article_get(m->a, EAF_FIELD_TITLE)) {
            eaf__source_error(m->r, 0, "an empty title in the front matter");
            return EAF_SYNTAX;
        }
    }
    v = yscalar(yget(root, "date"));
    if (!v || eaf_article_set(m->a, EAF_FIELD_DATE, v, EAF_NTS) != EAF_OK)
        date_from_name(m);
    y = yget(root, "authors");
    add_authors(m, y ? y : yget(root, "author"));
    add_list(m, EAF_TAG_OTHER, yget(root, "tag"), 0);
    add_list(m, EAF_TAG_OTHER, yget(root, "tags"), 1);
    add_list(m, EAF_TAG_TOPIC, yget(root, "category"), 0);
    add_list(m, EAF_TAG_TOPIC, yget(root, "categories"), 1);
    v = yscalar(yget(root, "excerpt"));
    if (!v)
        v = yscalar(yget(root, "description"));
    if (!v)
        v = yscalar(yget(root, "summary"));
    set_html(m, EAF_FIELD_SUMMARY, v);
    v = yscalar(yget(root, "lang"));
    if (!v)
        v = yscalar(yget(root, "language"));
    if (!v)
        v = yscalar(yget(root, "locale"));
    if (v) {
        char lang[9];
        size_t i;
        for (i = 0; i < 8 && v[i] && v[i] != '-' && v[i] != '_'; i++)
            lang[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]);
        lang[i] = '\0';
        if (i > 0 && (!v[i] || v[i] == '-' || v[i] == '_'))
            set_text(m, EAF_FIELD_LANGUAGE, lang);
    }
    v = yscalar(yget(root, "canonical_url"));
    if (!v) {
        v = yscalar(yget(root, "url"));
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
        const char *close;
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
        if (s[i + 1] == '{' && front) {
            /* {{ page.key }} or {{ key }}: a value of the front matter */
            size_t k = i + 2, e = end - 2;
            char name[64];
            const char *v;
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
                if ((v = yscalar(yget(front, name))) != NULL) {
                    eaf__buf_append(&b, s + run, i - run);
                    eaf__buf_puts(&b, v);
                    i = run = end;
                    continue;
                }
            }
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
        if (s[i + 1] == '{') {
            size_t k = i + 2, q;
            while (k < end && (s[k] == ' ' || s[k] == '-' || s[k] == '<'))
                k++;
            if (k < end && (s[k] == '"' || s[k] == '\'')) {
                for (q = k + 1; q < end - 2 && s[q] != s[k]; q++)
                    ;
                if (q < end - 2)
                    eaf__buf_append(&b, s + k + 1, q - k - 1);
            }
        }
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

static eaf_status markdown_next(eaf__source *r, eaf_article **out)
{
    md m;
    ytree t;
    ynode *root = NULL;
    char *data, *msg = NULL, *body_src = NULL;
    const char *s;
    size_t len, yb, ye, body = 0, i;
    eaf_status st;
    cmark_node *doc;
    eaf__buf text = EAF__BUF_INIT;
    int front = 0, heading = 0;

    *out = NULL;
    r->done = 1; /* one file, one article */
    st = eaf__source_slurp(r, &data, &len);
    if (st != EAF_OK)
        return st;
    s = data;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    for (i = 0; i < len && space(s[i]); i++)
        ;
    if (i == len) {
        eaf__free(data);
        eaf__source_error(r, 0, "empty file");
        return EAF_SYNTAX;
    }
    memset(&m, 0, sizeof(m));
    memset(&t, 0, sizeof(t));
    m.r = r;
    if (fence_line(s, len, '+')) {
        eaf__free(data);
        eaf__source_error(r, 0, "TOML front matter (between \"+++\" lines) cannot be read: "
                                "there is no TOML library for C to read it with; convert it "
                                "to YAML (hugo convert toYAML -o DIR) and index DIR");
        return EAF_SYNTAX;
    }
    if (fence_line(s, len, '-')) {
        if (!split_front(s, len, &yb, &ye, &body)) {
            eaf__free(data);
            eaf__source_error(r, 0, "the front matter has no closing \"---\" line");
            return EAF_SYNTAX;
        }
        front = 1;
        root = yparse(&t, s + yb, ye - yb, &msg);
    } else if (s[i] == '{') {
        size_t used;
        front = 1;
        m.json = 1;
        root = jparse(&t, s + i, len - i, &used, &msg);
        body = i + used;
        while (body < len && s[body] != '\n')
            body++;
        if (body < len)
            body++;
    }
    if (front && !root) {
        ytree_free(&t);
        eaf__free(data);
        if (t.nomem) {
            eaf__free(msg);
            eaf__source_error(r, 0, "out of memory");
            return EAF_NOMEM;
        }
        eaf__source_error(r, 0, "%s", msg ? msg : "empty front matter");
        eaf__free(msg);
        return EAF_SYNTAX;
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
    ytree_free(&t);
    eaf__free(data);
    if (st == EAF_OK) {
        doc = cmark_parse_document(body_src, strlen(body_src), CMARK_OPT_VALIDATE_UTF8);
        if (!doc) {
            st = EAF_NOMEM;
        } else {
            if (!eaf_article_get(m.a, EAF_FIELD_TITLE))
                st = title_from_heading(&m, doc, &heading);
            if (st == EAF_OK && !eaf_article_get(m.a, EAF_FIELD_TITLE)) {
                eaf__source_error(r, 0, "%s", front
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
            eaf_article_set(m.a, EAF_FIELD_BODY, text.p, text.n) != EAF_OK)
            st = EAF_NOMEM;
    }
    eaf__free(body_src);
    eaf__buf_free(&text);
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
