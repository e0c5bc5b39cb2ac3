/*
 * html_text.c: HTML to plain text, for every reader that meets markup (an
 * HTML page, raw HTML in Markdown, a WordPress post's content), and the
 * small questions about elements they share.  libxml2 is initialised
 * here, once per process.
 */
#include "html_text.h"
#include "charset.h"

#include <pthread.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
    xmlInitParser();
}

void eaf__xml_init(void)
{
    pthread_once(&xml_once, xml_init_once);
}

/* ---- small helpers ----------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int eaf__html_same_ci(const char *a, const char *b)
{
    while (*a && *b && lower(*a) == lower(*b)) {
        a++;
        b++;
    }
    return !*a && !*b;
}

int eaf__html_is_elem(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           eaf__html_same_ci((const char *)n->name, name);
}

/* An attribute's value, borrowed from the document, or NULL. */
const char *eaf__html_attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a;

    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (a = n->properties; a; a = a->next) {
        if (a->name && eaf__html_same_ci((const char *)a->name, name)) {
            if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
                return (const char *)a->children->content;
            return "";
        }
    }
    return NULL;
}

/* Whether the space-separated list `list` holds word (case ignored). */
int eaf__html_has_word(const char *list, const char *word)
{
    size_t k = strlen(word);

    if (!list)
        return 0;
    while (*list) {
        const char *b;
        size_t i;

        while (*list == ' ' || *list == '\t' || *list == '\n' || *list == '\r')
            list++;
        b = list;
        while (*list && *list != ' ' && *list != '\t' && *list != '\n' && *list != '\r')
            list++;
        if ((size_t)(list - b) == k) {
            for (i = 0; i < k && lower(b[i]) == lower(word[i]); i++)
                ;
            if (i == k)
                return 1;
        }
    }
    return 0;
}

int eaf__html_has_class(xmlNodePtr n, const char *cls)
{
    return eaf__html_has_word(eaf__html_attr(n, "class"), cls);
}

/* Whether the class attribute contains s anywhere (case ignored). */
int eaf__html_class_contains(xmlNodePtr n, const char *s)
{
    const char *c = eaf__html_attr(n, "class");
    size_t k = strlen(s), i;

    if (!c)
        return 0;
    for (; *c; c++) {
        for (i = 0; i < k && c[i] && lower(c[i]) == s[i]; i++)
            ;
        if (i == k)
            return 1;
    }
    return 0;
}

/* Classes of the furniture around an article's text. */
static const char *const furniture[] = {
    "byline", "entry-meta", "post-meta", "article-meta", "posted-on", "dateline",
    "author-info", "author-bio", "sharedaddy", "share-buttons", "social-share",
    "breadcrumb", "breadcrumbs", "comments", "comment-respond", "post-navigation",
    "entry-footer", "entry-header", "related-posts", "screen-reader-text"};


/* Elements whose content is never text of the article (when the body is
 * taken from a page-level container). */
static int never_text(xmlNodePtr n)
{
    static const char *const names[] = {
        "script", "style", "noscript", "template", "svg", "iframe", "object",
        "embed", "canvas", "nav", "header", "footer", "aside", "form", "button",
        "select", "textarea", "input", "audio", "video", "map", "dialog", "head",
        "title", "meta", "link"};
    size_t i;
    const char *h;

    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    for (i = 0; i < EAF__ARRAY_LEN(names); i++)
        if (eaf__html_same_ci((const char *)n->name, names[i]))
            return 1;
    if (eaf__html_attr(n, "hidden"))
        return 1;
    h = eaf__html_attr(n, "aria-hidden");
    if (h && eaf__html_same_ci(h, "true"))
        return 1;
    /* the page's furniture inside an article: its title, byline, dates,
     * sharing buttons, breadcrumbs, comments */
    if (eaf__html_same_ci((const char *)n->name, "h1"))
        return 1;
    for (i = 0; i < EAF__ARRAY_LEN(furniture); i++)
        if (eaf__html_has_class(n, furniture[i]))
            return 1;
    return 0;
}

/* Elements not read even inside a container given as the text source of
 * a field (a title, a link): scripts and the like. */
int eaf__html_no_text_at_all(xmlNodePtr n)
{
    static const char *const names[] = {"script", "style", "noscript", "template",
                                        "svg", "iframe", "object", "embed", "canvas",
                                        "form", "button", "select", "textarea", "input"};
    size_t i;

    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    for (i = 0; i < EAF__ARRAY_LEN(names); i++)
        if (eaf__html_same_ci((const char *)n->name, names[i]))
            return 1;
    return 0;
}

/* ---- plain text ---------------------------------------------------------------- */

typedef struct text {
    eaf__buf *b;
    int pending;    /* separator owed before the next text: 0 none, 1 space,
                       2 new line, 3 blank line */
    int autop;      /* blank lines in text are paragraph breaks */
    int pre;        /* inside <pre>: white space kept */
    int strict;     /* skip never_text() elements (else only scripts) */
} text;

static void want_break(text *t, int level)
{
    if (level > t->pending)
        t->pending = level;
}

/* Unicode white space that HTML text collapses like a space: the ASCII
 * ones, no-break space and the typographic spaces. */
static int uspace(const unsigned char *s, size_t n, size_t *len)
{
    int32_t cp;

    *len = 1;
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r' || s[0] == '\f' ||
        s[0] == '\v') {
        *len = 1;
        return 1;
    }
    if (s[0] < 0x80)
        return 0;
    cp = eaf__utf8_decode(s, n, len);
    return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

static void flush_break(text *t)
{
    if (t->pending && t->b->n > 0)
        eaf__buf_puts(t->b, t->pending == 1 ? " " : t->pending == 2 ? "\n" : "\n\n");
    t->pending = 0;
}

static void put_text(text *t, const char *s0, size_t n)
{
    const unsigned char *s = (const unsigned char *)s0;
    size_t i = 0, len;

    if (t->pre) {
        if (n == 0)
            return;
        flush_break(t);
        eaf__buf_append(t->b, s0, n);
        return;
    }
    while (i < n) {
        size_t run = i;
        int newlines = 0;

        while (i < n && uspace(s + i, n - i, &len)) {
            newlines += s[i] == '\n';
            i += len;
        }
        if (i > run)
            want_break(t, !t->autop ? 1 : newlines >= 2 ? 3 : newlines == 1 ? 2 : 1);
        run = i;
        while (i < n && !uspace(s + i, n - i, &len))
            i += len;
        if (i > run) {
            flush_break(t);
            eaf__buf_append(t->b, s0 + run, i - run);
        }
    }
}

/* The separation a block element asks for around itself: 3 a paragraph,
 * 2 a line, 1 a space, 0 none (inline). */
static int block_level(xmlNodePtr n)
{
    static const char *const para[] = {
        "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol",
        "dl", "table", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address",
        "center", "details", "fieldset", "hgroup"};
    static const char *const line[] = {"li", "dt", "dd", "tr", "br", "figcaption",
                                       "summary", "caption", "option", "legend"};
    size_t i;
    const char *name = (const char *)n->name;

    for (i = 0; i < EAF__ARRAY_LEN(para); i++)
        if (eaf__html_same_ci(name, para[i]))
            return 3;
    for (i = 0; i < EAF__ARRAY_LEN(line); i++)
        if (eaf__html_same_ci(name, line[i]))
            return 2;
    if (eaf__html_same_ci(name, "td") || eaf__html_same_ci(name, "th"))
        return 1;
    return 0;
}

static void walk_text(text *t, xmlNodePtr n, int depth)
{
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            if (n->content)
                put_text(t, (const char *)n->content, strlen((const char *)n->content));
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || depth > EAF__HTML_MAX_DEPTH)
            continue;
        if ((t->strict ? never_text(n) : eaf__html_no_text_at_all(n)) ||
            (t->strict && depth == 0 && eaf__html_is_elem(n, "time"))) {
            /* (a date standing on its own in a page-level container is
             * the article's date line, not its text) */
            /* a skipped block still separates what is around it */
            if (block_level(n))
                want_break(t, 1);
            continue;
        }
        {
            int level = block_level(n);
            int pre = eaf__html_is_elem(n, "pre") || eaf__html_is_elem(n, "textarea");

            if (level)
                want_break(t, level);
            if (pre)
                t->pre++;
            walk_text(t, n->children, depth + 1);
            if (pre)
                t->pre--;
            if (level)
                want_break(t, level);
        }
    }
}

/* The plain text of n's content, on one line (white space squeezed);
 * NULL for none or out of memory (*nomem then set). */
char *eaf__html_inline_text(xmlNodePtr n, int *nomem)
{
    eaf__buf b = EAF__BUF_INIT;
    text t;

    memset(&t, 0, sizeof(t));
    t.b = &b;
    walk_text(&t, n->children, 0);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        *nomem = 1;
        return NULL;
    }
    if (b.n == 0) {
        eaf__buf_free(&b);
        return NULL;
    }
    {
        /* block breaks inside a title become spaces */
        size_t i;
        for (i = 0; i < b.n; i++)
            if (b.p[i] == '\n')
                b.p[i] = ' ';
    }
    return eaf__buf_detach(&b);
}

eaf_status eaf__html_fragment_text(const char *html, size_t n, int autop, char **out)
{
    htmlDocPtr doc;
    eaf__buf b = EAF__BUF_INIT;
    xmlNodePtr root, body = NULL, c;
    text t;
    char *clean = NULL;

    *out = NULL;
    eaf__xml_init();
    if (!eaf__utf8_valid(html, n)) {
        clean = eaf__utf8_clean(html, n);
        if (!clean)
            return EAF_NOMEM;
        html = clean;
        n = strlen(clean);
    }
    if (n == 0) {
        eaf__free(clean);
        *out = eaf__strdup("");
        return *out ? EAF_OK : EAF_NOMEM;
    }
    doc = htmlReadMemory(html, (int)(n > INT32_MAX ? INT32_MAX : n), NULL, "UTF-8",
                         HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                             HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC |
                             HTML_PARSE_COMPACT);
    eaf__free(clean);
    if (!doc) {
        *out = eaf__strdup("");
        return *out ? EAF_OK : EAF_NOMEM;
    }
    root = xmlDocGetRootElement(doc);
    for (c = root ? root->children : NULL; c && !body; c = c->next)
        if (eaf__html_is_elem(c, "body"))
            body = c;
    memset(&t, 0, sizeof(t));
    t.b = &b;
    t.autop = autop;
    t.strict = 0;
    walk_text(&t, body ? body->children : root ? root->children : NULL, 0);
    xmlFreeDoc(doc);
    if (b.rc != EAF_OK) {
        eaf__buf_free(&b);
        return EAF_NOMEM;
    }
    *out = b.p ? eaf__buf_detach(&b) : eaf__strdup("");
    return *out ? EAF_OK : EAF_NOMEM;
}

void eaf__html_block_text(eaf__buf *b, xmlNodePtr first, int strict)
{
    text t;

    memset(&t, 0, sizeof(t));
    t.b = b;
    t.strict = strict;
    walk_text(&t, first, 0);
}
