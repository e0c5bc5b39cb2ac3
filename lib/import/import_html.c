/*
 * import_html.c: an HTML article page (a saved page, a `wget --mirror`),
 * parsed with libxml2's HTML parser; one page, one article.
 *
 * Bytes: a page is read as UTF-8 unless it declares another character set
 * (charset.c); windows-1252 and its subsets (ISO-8859-1, US-ASCII) are
 * converted here, other sets by libxml2 through iconv.  A page that
 * declares nothing and is not valid UTF-8 is read as windows-1252, as
 * browsers do; invalid bytes in a UTF-8 page become U+FFFD.  The parser
 * runs with recovery (a broken or truncated page gives what it has), never
 * touches the network, and never loads anything the page names.
 *
 * What is read, first found wins:
 *  - title: <meta property="og:title">, the first <h1> of the article,
 *    JSON-LD "headline", then <title> without the site's name
 *    ("Title – Site", "Site | Title");
 *  - date: <meta property="article:published_time">, the article's
 *    <time datetime> (the "published" one first), JSON-LD
 *    "datePublished", <meta name="date">; the date as the page states it,
 *    in its own time zone;
 *  - authors: every <meta name="author">, else the article's rel="author"
 *    links, else JSON-LD "author" (names, or @id references into an
 *    @graph);
 *  - tags: <meta property="article:tag"> and rel="tag" links (JSON-LD
 *    "keywords" when there are neither); topics: <meta
 *    property="article:section">, rel="category tag" links (a category is
 *    a topic, not a tag) and JSON-LD "articleSection";
 *  - summary: <meta name="description">, else og:description, else
 *    JSON-LD "description";
 *  - key and url: <link rel="canonical">; without one the key is the
 *    path (without extension) and og:url, if any, is the url;
 *  - language: <html lang> (its primary part, "en");
 *  - body: the text of the article's content container (an element of
 *    class entry-content, post-content, article-content, article-body,
 *    post-body or itemprop="articleBody"; else the <article>; else
 *    <main>; else <body>), never of script, style, iframe, noscript,
 *    template, svg, forms and the like, nor, unless the container is a
 *    content element (where they are the author's: a pull quote), of nav,
 *    header, footer and aside;
 *    paragraphs are separated by blank lines, list items and <br> by new
 *    lines;
 *  - related titles: the link of each item of an aside (or section or
 *    div) whose class contains "related".
 *
 * A page with two or more <article> elements side by side (not comments)
 * is a listing (an index, a tag or category page) and is skipped, not
 * reported; so is a WordPress comment page, whose canonical link (or
 * og:url) ends in comment-page-N or holds replytocom=.  An empty page or
 * one without any title is an error.
 */
#include "reader.h"

#include <pthread.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init_once(void)
{
    xmlInitParser();
}

void eaf__xml_init(void)
{
    pthread_once(&xml_once, xml_init_once);
}

/* The deepest element walked; libxml2 stops nesting far earlier. */
#define MAX_DEPTH 1024

/* ---- small helpers ----------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int same_ci(const char *a, const char *b)
{
    while (*a && *b && lower(*a) == lower(*b)) {
        a++;
        b++;
    }
    return !*a && !*b;
}

static int is_elem(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           same_ci((const char *)n->name, name);
}

/* An attribute's value, borrowed from the document, or NULL. */
static const char *attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a;

    if (!n || n->type != XML_ELEMENT_NODE)
        return NULL;
    for (a = n->properties; a; a = a->next) {
        if (a->name && same_ci((const char *)a->name, name)) {
            if (a->children && a->children->type == XML_TEXT_NODE && a->children->content)
                return (const char *)a->children->content;
            return "";
        }
    }
    return NULL;
}

/* Whether the space-separated list `list` holds word (case ignored). */
static int has_word(const char *list, const char *word)
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

static int has_class(xmlNodePtr n, const char *cls)
{
    return has_word(attr(n, "class"), cls);
}

/* Whether the class attribute contains s anywhere (case ignored). */
static int class_contains(xmlNodePtr n, const char *s)
{
    const char *c = attr(n, "class");
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

static int has_class(xmlNodePtr n, const char *cls);

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
        if (same_ci((const char *)n->name, names[i]))
            return 1;
    if (attr(n, "hidden"))
        return 1;
    h = attr(n, "aria-hidden");
    if (h && same_ci(h, "true"))
        return 1;
    /* the page's furniture inside an article: its title, byline, dates,
     * sharing buttons, breadcrumbs, comments */
    if (same_ci((const char *)n->name, "h1"))
        return 1;
    for (i = 0; i < EAF__ARRAY_LEN(furniture); i++)
        if (has_class(n, furniture[i]))
            return 1;
    return 0;
}

/* Elements not read even inside a container given as the text source of
 * a field (a title, a link): scripts and the like. */
static int no_text_at_all(xmlNodePtr n)
{
    static const char *const names[] = {"script", "style", "noscript", "template",
                                        "svg", "iframe", "object", "embed", "canvas",
                                        "form", "button", "select", "textarea", "input"};
    size_t i;

    if (n->type != XML_ELEMENT_NODE || !n->name)
        return 0;
    for (i = 0; i < EAF__ARRAY_LEN(names); i++)
        if (same_ci((const char *)n->name, names[i]))
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
        if (same_ci(name, para[i]))
            return 3;
    for (i = 0; i < EAF__ARRAY_LEN(line); i++)
        if (same_ci(name, line[i]))
            return 2;
    if (same_ci(name, "td") || same_ci(name, "th"))
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
        if (n->type != XML_ELEMENT_NODE || depth > MAX_DEPTH)
            continue;
        if ((t->strict ? never_text(n) : no_text_at_all(n)) ||
            (t->strict && depth == 0 && is_elem(n, "time"))) {
            /* (a date standing on its own in a page-level container is
             * the article's date line, not its text) */
            /* a skipped block still separates what is around it */
            if (block_level(n))
                want_break(t, 1);
            continue;
        }
        {
            int level = block_level(n);
            int pre = is_elem(n, "pre") || is_elem(n, "textarea");

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
static char *inline_text(xmlNodePtr n, int *nomem)
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
        if (is_elem(c, "body"))
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

/* ---- the page ---------------------------------------------------------------- */

typedef struct page {
    eaf_reader *r;
    eaf_article *a;
    int nomem;
    xmlDocPtr doc;
    xmlNodePtr html, head, body;
    xmlNodePtr article;      /* the article element, if one */
    xmlNodePtr content;      /* where the body text is */
    int articles;            /* top-level <article> elements, comments aside */
    int content_element;     /* content is an element of a content class */
    /* metadata, borrowed from the document */
    const char *og_title, *published, *date_meta, *description, *og_description;
    const char *canonical, *og_url, *site_name, *lang;
    xmlNodePtr title_el, h1, h1_in_article, time_el, time_published;
    xmlNodePtr jsonld[8];
    int njsonld;
} page;

static void add_author(page *p, const char *name)
{
    if (p->nomem || !name)
        return;
    if (eaf_article_add_author(p->a, name, NULL) == EAF_NOMEM)
        p->nomem = 1;
}

static void add_tag(page *p, eaf_tag_kind kind, const char *v)
{
    if (p->nomem || !v)
        return;
    if (eaf_article_add_tag(p->a, kind, v) == EAF_NOMEM)
        p->nomem = 1;
}

static void set_field(page *p, eaf_field f, const char *v)
{
    eaf_status st;

    if (p->nomem || !v)
        return;
    st = eaf_article_set(p->a, f, v, EAF_NTS);
    if (st == EAF_NOMEM)
        p->nomem = 1;
}

/* Whether n is a (first-level) article element that is not a comment. */
static int real_article(xmlNodePtr n)
{
    return is_elem(n, "article") && !class_contains(n, "comment");
}

/* Pass 1: metadata elements anywhere, the article elements, the first
 * h1s and times. */
static void scan(page *p, xmlNodePtr n, xmlNodePtr in_article, int depth)
{
    for (; n; n = n->next) {
        const char *prop, *name, *content;

        if (n->type != XML_ELEMENT_NODE || depth > MAX_DEPTH)
            continue;
        if (is_elem(n, "meta")) {
            prop = attr(n, "property");
            name = attr(n, "name");
            content = attr(n, "content");
            if (!prop)
                prop = attr(n, "itemprop");
            if (!content)
                continue;
            if (prop && same_ci(prop, "og:title") && !p->og_title)
                p->og_title = content;
            else if (prop && same_ci(prop, "article:published_time") && !p->published)
                p->published = content;
            else if (prop && same_ci(prop, "datePublished") && !p->date_meta)
                p->date_meta = content;
            else if (prop && same_ci(prop, "og:description") && !p->og_description)
                p->og_description = content;
            else if (prop && same_ci(prop, "og:url") && !p->og_url)
                p->og_url = content;
            else if (prop && same_ci(prop, "og:site_name") && !p->site_name)
                p->site_name = content;
            else if (prop && same_ci(prop, "article:tag"))
                add_tag(p, EAF_TAG_OTHER, content);
            else if (prop && same_ci(prop, "article:section"))
                add_tag(p, EAF_TAG_TOPIC, content);
            if (name && same_ci(name, "author"))
                add_author(p, content);
            else if (name && same_ci(name, "description") && !p->description)
                p->description = content;
            else if (name && (same_ci(name, "date") || same_ci(name, "dc.date") ||
                              same_ci(name, "dcterms.date") || same_ci(name, "pubdate")) &&
                     !p->date_meta)
                p->date_meta = content;
            continue;
        }
        if (is_elem(n, "link")) {
            if (has_word(attr(n, "rel"), "canonical") && !p->canonical)
                p->canonical = attr(n, "href");
            continue;
        }
        if (is_elem(n, "title")) {
            if (!p->title_el)
                p->title_el = n;
            continue;
        }
        if (is_elem(n, "script")) {
            const char *type = attr(n, "type");
            if (type && same_ci(type, "application/ld+json") &&
                p->njsonld < (int)EAF__ARRAY_LEN(p->jsonld))
                p->jsonld[p->njsonld++] = n;
            continue;
        }
        if (real_article(n) && !in_article) {
            p->articles++;
            if (!p->article)
                p->article = n;
            scan(p, n->children, n, depth + 1);
            continue;
        }
        if (is_elem(n, "h1")) {
            if (!p->h1)
                p->h1 = n;
            if (in_article && in_article == p->article && !p->h1_in_article)
                p->h1_in_article = n;
        }
        if (is_elem(n, "time") && attr(n, "datetime") && in_article &&
            in_article == p->article) {
            if (!p->time_el)
                p->time_el = n;
            if (!p->time_published &&
                (class_contains(n, "published") || has_class(n, "entry-date") ||
                 (attr(n, "itemprop") && same_ci(attr(n, "itemprop"), "datePublished"))))
                p->time_published = n;
        }
        scan(p, n->children, in_article, depth + 1);
    }
}

/* The content container under n: the first element of a content class. */
static xmlNodePtr find_content(xmlNodePtr n, int depth)
{
    static const char *const classes[] = {"entry-content", "post-content",
                                          "article-content", "article-body",
                                          "post-body", "entry-body", "story-body"};
    xmlNodePtr c, f;
    size_t i;

    for (c = n; c; c = c->next) {
        const char *ip;

        if (c->type != XML_ELEMENT_NODE || depth > MAX_DEPTH)
            continue;
        if (no_text_at_all(c) || is_elem(c, "nav") || is_elem(c, "aside") ||
            is_elem(c, "footer") || is_elem(c, "form"))
            continue;
        for (i = 0; i < EAF__ARRAY_LEN(classes); i++)
            if (has_class(c, classes[i]))
                return c;
        ip = attr(c, "itemprop");
        if (ip && same_ci(ip, "articleBody"))
            return c;
        f = find_content(c->children, depth + 1);
        if (f)
            return f;
    }
    return NULL;
}

/* The first element named `name` (or with role `role`) under n. */
static xmlNodePtr find_elem(xmlNodePtr n, const char *name, const char *role, int depth)
{
    xmlNodePtr c, f;

    for (c = n; c; c = c->next) {
        const char *r;

        if (c->type != XML_ELEMENT_NODE || depth > MAX_DEPTH)
            continue;
        if (is_elem(c, name))
            return c;
        r = attr(c, "role");
        if (role && r && same_ci(r, role))
            return c;
        if (no_text_at_all(c))
            continue;
        f = find_elem(c->children, name, role, depth + 1);
        if (f)
            return f;
    }
    return NULL;
}

/* Pass 2: rel="author", rel="tag" and rel="category tag" links under n,
 * outside navigation and asides; related titles from related asides. */
static void scan_links(page *p, xmlNodePtr n, int authors, int depth)
{
    for (; n; n = n->next) {
        const char *rel;

        if (n->type != XML_ELEMENT_NODE || depth > MAX_DEPTH)
            continue;
        if (is_elem(n, "nav") || is_elem(n, "aside") || is_elem(n, "form") ||
            no_text_at_all(n))
            continue;
        if (is_elem(n, "a") && (rel = attr(n, "rel")) != NULL) {
            if (has_word(rel, "tag") || has_word(rel, "author")) {
                char *t = inline_text(n, &p->nomem);
                if (t && has_word(rel, "category"))
                    add_tag(p, EAF_TAG_TOPIC, t);
                else if (t && has_word(rel, "tag"))
                    add_tag(p, EAF_TAG_OTHER, t);
                else if (t && authors) {
                    /* the same author twice (byline and footer) is one */
                    size_t i, k = eaf_article_author_count(p->a);
                    int seen = 0;
                    for (i = 0; i < k && !seen; i++)
                        seen = strcmp(eaf_article_author_name(p->a, i), t) == 0;
                    if (!seen)
                        add_author(p, t);
                }
                eaf__free(t);
            }
            continue;
        }
        scan_links(p, n->children, authors, depth + 1);
    }
}

/* The related-posts list: the first link of each <li> of an element whose
 * class contains "related". */
static void scan_related(page *p, xmlNodePtr n, int inside, int depth)
{
    for (; n && !p->nomem; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || depth > MAX_DEPTH || no_text_at_all(n))
            continue;
        if (!inside && (is_elem(n, "aside") || is_elem(n, "section") || is_elem(n, "div")) &&
            class_contains(n, "related")) {
            scan_related(p, n->children, 1, depth + 1);
            if (eaf_article_related_title_count(p->a) > 0)
                return;
            continue;
        }
        if (inside && is_elem(n, "li")) {
            xmlNodePtr link = find_elem(n->children, "a", NULL, depth + 1);
            char *t = link ? inline_text(link, &p->nomem) : NULL;
            if (t && eaf_article_add_related_title(p->a, t) == EAF_NOMEM)
                p->nomem = 1;
            eaf__free(t);
            continue;
        }
        scan_related(p, n->children, inside, depth + 1);
    }
}

static void set_language(page *p, const char *lang);

/* ---- JSON-LD --------------------------------------------------------------------- */

static int ld_type_is(json_t *node, const char *const *types, size_t ntypes)
{
    json_t *t = json_object_get(node, "@type");
    size_t i, j;

    if (json_is_string(t)) {
        for (j = 0; j < ntypes; j++)
            if (same_ci(json_string_value(t), types[j]))
                return 1;
    } else if (json_is_array(t)) {
        for (i = 0; i < json_array_size(t); i++) {
            json_t *v = json_array_get(t, i);
            for (j = 0; j < ntypes && json_is_string(v); j++)
                if (same_ci(json_string_value(v), types[j]))
                    return 1;
        }
    }
    return 0;
}

static const char *ld_string(json_t *node, const char *key)
{
    json_t *v = json_object_get(node, key);

    if (json_is_array(v) && json_array_size(v) > 0)
        v = json_array_get(v, 0);
    return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* A node of the graph by its @id. */
static json_t *ld_by_id(json_t *graph, const char *id)
{
    size_t i;

    if (!json_is_array(graph) || !id)
        return NULL;
    for (i = 0; i < json_array_size(graph); i++) {
        json_t *n = json_array_get(graph, i);
        const char *nid = ld_string(n, "@id");
        if (nid && strcmp(nid, id) == 0)
            return n;
    }
    return NULL;
}

static void ld_person(page *p, json_t *v, json_t *graph, int depth)
{
    size_t i;

    if (depth > 4)
        return;
    if (json_is_string(v)) {
        add_author(p, json_string_value(v));
    } else if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++)
            ld_person(p, json_array_get(v, i), graph, depth + 1);
    } else if (json_is_object(v)) {
        const char *name = ld_string(v, "name");
        if (name)
            add_author(p, name);
        else
            ld_person(p, ld_by_id(graph, ld_string(v, "@id")), graph, depth + 1);
    }
}

static void ld_list(page *p, eaf_tag_kind kind, json_t *v)
{
    size_t i;

    if (json_is_array(v)) {
        for (i = 0; i < json_array_size(v); i++)
            if (json_is_string(json_array_get(v, i)))
                add_tag(p, kind, json_string_value(json_array_get(v, i)));
    } else if (json_is_string(v)) {
        /* "a, b, c" */
        const char *s = json_string_value(v);
        while (*s && !p->nomem) {
            const char *e = strchr(s, ',');
            size_t k = e ? (size_t)(e - s) : strlen(s);
            char *t = eaf__strndup(s, k);
            if (!t)
                p->nomem = 1;
            else if (eaf_article_add_tag(p->a, kind, t) == EAF_NOMEM)
                p->nomem = 1;
            eaf__free(t);
            s += k;
            if (*s == ',')
                s++;
        }
    }
}

/* Reads the article node of the page's JSON-LD, for what the markup did
 * not give. */
static void read_jsonld(page *p, int need_title, int need_date, int need_authors,
                        int need_tags, int need_summary)
{
    static const char *const types[] = {
        "Article", "BlogPosting", "NewsArticle", "Report", "ScholarlyArticle",
        "TechArticle", "OpinionNewsArticle", "AnalysisNewsArticle",
        "ReportageNewsArticle", "SocialMediaPosting", "LiveBlogPosting", "Posting"};
    int k;

    for (k = 0; k < p->njsonld && !p->nomem; k++) {
        int nomem = 0;
        char *src = NULL;
        json_t *root, *graph = NULL, *art = NULL;
        size_t i;
        json_error_t err;
        xmlNodePtr c;
        eaf__buf b = EAF__BUF_INIT;

        for (c = p->jsonld[k]->children; c; c = c->next)
            if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
                eaf__buf_puts(&b, (const char *)c->content);
        if (b.rc != EAF_OK) {
            eaf__buf_free(&b);
            p->nomem = 1;
            return;
        }
        src = b.p;
        root = src ? json_loadb(src, b.n, 0, &err) : NULL;
        eaf__buf_free(&b);
        (void)nomem;
        if (!root)
            continue; /* broken JSON-LD: ignored */
        if (json_is_object(root) && json_is_array(json_object_get(root, "@graph")))
            graph = json_object_get(root, "@graph");
        else if (json_is_array(root))
            graph = root;
        if (graph) {
            for (i = 0; i < json_array_size(graph) && !art; i++)
                if (ld_type_is(json_array_get(graph, i), types, EAF__ARRAY_LEN(types)))
                    art = json_array_get(graph, i);
        } else if (json_is_object(root) && ld_type_is(root, types, EAF__ARRAY_LEN(types))) {
            art = root;
        }
        if (art) {
            const char *v;
            if (need_title && (v = ld_string(art, "headline")) != NULL)
                set_field(p, EAF_FIELD_TITLE, v);
            if (need_date && (v = ld_string(art, "datePublished")) != NULL &&
                eaf_article_set(p->a, EAF_FIELD_DATE, v, EAF_NTS) == EAF_NOMEM)
                p->nomem = 1;
            if (need_authors)
                ld_person(p, json_object_get(art, "author"), graph, 0);
            if (need_tags) {
                ld_list(p, EAF_TAG_OTHER, json_object_get(art, "keywords"));
            }
            if (eaf_article_tag_count(p->a, EAF_TAG_TOPIC) == 0)
                ld_list(p, EAF_TAG_TOPIC, json_object_get(art, "articleSection"));
            if (need_summary && (v = ld_string(art, "description")) != NULL)
                set_field(p, EAF_FIELD_SUMMARY, v);
            if (!eaf_article_get(p->a, EAF_FIELD_LANGUAGE) &&
                (v = ld_string(art, "inLanguage")) != NULL)
                set_language(p, v);
            json_decref(root);
            return;
        }
        json_decref(root);
    }
}

/* ---- title ------------------------------------------------------------------------- */

/* <title> without the site's name: "Title – Site" or "Site | Title".  When
 * the site's name is known only it is cut; otherwise the last part after
 * " – ", " — ", " | ", " · " or " :: " is, when it is short (at most five
 * words) and something is left. */
static void strip_site(char *t, const char *site)
{
    static const char *const seps[] = {" \xE2\x80\x93 ", " \xE2\x80\x94 ", " | ",
                                       " \xC2\xB7 ", " :: ", " - ", " \xC2\xBB "};
    size_t n = strlen(t), i, k;

    if (site && *site) {
        size_t s = strlen(site);
        for (i = 0; i < EAF__ARRAY_LEN(seps); i++) {
            k = strlen(seps[i]);
            /* "Title SEP Site" */
            if (n > s + k && strcmp(t + n - s, site) == 0 &&
                memcmp(t + n - s - k, seps[i], k) == 0) {
                t[n - s - k] = '\0';
                return;
            }
            /* "Site SEP Title" */
            if (n > s + k && strncmp(t, site, s) == 0 && memcmp(t + s, seps[i], k) == 0) {
                memmove(t, t + s + k, n - s - k + 1);
                return;
            }
        }
        return;
    }
    for (i = 0; i < EAF__ARRAY_LEN(seps); i++) {
        char *last = NULL, *q = t;
        int words = 1;
        k = strlen(seps[i]);
        if (strcmp(seps[i], " - ") == 0 || strcmp(seps[i], " \xC2\xBB ") == 0)
            continue; /* a hyphen is too common in titles without a site name */
        while ((q = strstr(q, seps[i])) != NULL) {
            last = q;
            q += k;
        }
        if (!last || last == t)
            continue;
        for (q = last + k; *q; q++)
            words += *q == ' ';
        if (words <= 5) {
            *last = '\0';
            return;
        }
    }
}

/* The primary language subtag, lower-cased: "en-US" -> "en". */
static void set_language(page *p, const char *lang)
{
    char buf[16];
    size_t i;

    if (!lang)
        return;
    for (i = 0; i < sizeof(buf) - 1 && lang[i] && lang[i] != '-' && lang[i] != '_'; i++)
        buf[i] = lower(lang[i]);
    buf[i] = '\0';
    if (i > 0 && i <= 8)
        set_field(p, EAF_FIELD_LANGUAGE, buf);
}

/* ---- reading a page --------------------------------------------------------------- */

static eaf_status read_page(page *p)
{
    const char *why;
    xmlNodePtr c, authors_scope;
    char *t;
    eaf__buf body = EAF__BUF_INIT;
    text tx;
    const char *date = NULL;

    p->html = xmlDocGetRootElement(p->doc);
    if (!p->html) {
        eaf__reader_error(p->r, 0, "no HTML content");
        return EAF_SYNTAX;
    }
    for (c = p->html->children; c; c = c->next) {
        if (is_elem(c, "head") && !p->head)
            p->head = c;
        else if (is_elem(c, "body") && !p->body)
            p->body = c;
    }
    scan(p, p->html->children, NULL, 0);
    if (p->nomem)
        return EAF_NOMEM;
    if (p->articles >= 2) {
        eaf__reader_skip(p->r, "a listing of %d articles, not an article page",
                         p->articles);
        return EAF_DONE;
    }
    /* a page of an article's comments says so in its canonical link
     * (WordPress gives .../comment-page-2/ there), or in its own URL */
    why = eaf__reader_comment_url(p->canonical);
    if (!why)
        why = eaf__reader_comment_url(p->og_url);
    if (why) {
        eaf__reader_skip(p->r, "%s", why);
        return EAF_DONE;
    }

    /* key and url */
    if (p->canonical && *p->canonical) {
        set_field(p, EAF_FIELD_KEY, p->canonical);
        set_field(p, EAF_FIELD_URL, p->canonical);
    } else {
        set_field(p, EAF_FIELD_KEY, p->r->key_base);
        if (p->og_url && *p->og_url)
            set_field(p, EAF_FIELD_URL, p->og_url);
    }
    set_language(p, attr(p->html, "lang"));

    /* title */
    if (p->og_title && *p->og_title) {
        set_field(p, EAF_FIELD_TITLE, p->og_title);
    } else {
        xmlNodePtr h1 = p->h1_in_article ? p->h1_in_article : p->h1;
        t = h1 ? inline_text(h1, &p->nomem) : NULL;
        if (t)
            set_field(p, EAF_FIELD_TITLE, t);
        eaf__free(t);
    }

    /* date */
    if (p->published)
        date = p->published;
    else if (p->time_published)
        date = attr(p->time_published, "datetime");
    else if (p->time_el)
        date = attr(p->time_el, "datetime");
    if (date && eaf_article_set(p->a, EAF_FIELD_DATE, date, EAF_NTS) == EAF_NOMEM)
        p->nomem = 1;

    /* authors, tags and topics from links: in the article when there is
     * one, else anywhere outside navigation */
    authors_scope = p->article ? p->article : p->body;
    if (authors_scope)
        scan_links(p, p->article ? p->article->children : authors_scope->children,
                   eaf_article_author_count(p->a) == 0, 0);

    /* summary */
    if (p->description && *p->description)
        set_field(p, EAF_FIELD_SUMMARY, p->description);
    else if (p->og_description && *p->og_description)
        set_field(p, EAF_FIELD_SUMMARY, p->og_description);

    /* what the markup lacked, from JSON-LD */
    read_jsonld(p, !eaf_article_get(p->a, EAF_FIELD_TITLE),
                !eaf_article_get(p->a, EAF_FIELD_DATE),
                eaf_article_author_count(p->a) == 0,
                eaf_article_tag_count(p->a, EAF_TAG_OTHER) == 0,
                !eaf_article_get(p->a, EAF_FIELD_SUMMARY));
    if (!eaf_article_get(p->a, EAF_FIELD_DATE) && p->date_meta &&
        eaf_article_set(p->a, EAF_FIELD_DATE, p->date_meta, EAF_NTS) == EAF_NOMEM)
        p->nomem = 1;
    if (!eaf_article_get(p->a, EAF_FIELD_TITLE) && p->title_el) {
        t = inline_text(p->title_el, &p->nomem);
        if (t) {
            strip_site(t, p->site_name);
            set_field(p, EAF_FIELD_TITLE, t);
        }
        eaf__free(t);
    }
    if (p->nomem)
        return EAF_NOMEM;
    if (!eaf_article_get(p->a, EAF_FIELD_TITLE) ||
        !*eaf_article_get(p->a, EAF_FIELD_TITLE)) {
        /* a page with no text at all says so */
        t = p->body ? inline_text(p->body, &p->nomem) : NULL;
        if (p->nomem)
            return EAF_NOMEM;
        eaf__reader_error(p->r, 0, "%sno title (no og:title, <h1> or <title>)",
                          t && *t ? "" : "a page without content: no text, and ");
        eaf__free(t);
        return EAF_SYNTAX;
    }

    /* body */
    p->content = find_content(p->article ? p->article : p->body, 0);
    p->content_element = p->content != NULL;
    if (!p->content)
        p->content = p->article;
    if (!p->content && p->body)
        p->content = find_elem(p->body->children, "main", "main", 0);
    if (!p->content)
        p->content = p->body;
    memset(&tx, 0, sizeof(tx));
    tx.b = &body;
    /* in a content element the author's own markup (a pull quote in an
     * aside) is text; in a page-level container the chrome is not */
    tx.strict = p->content_element ? 0 : 1;
    if (p->content)
        walk_text(&tx, p->content->children, 0);
    if (body.rc != EAF_OK) {
        eaf__buf_free(&body);
        return EAF_NOMEM;
    }
    if (body.n > 0 && eaf_article_set(p->a, EAF_FIELD_BODY, body.p, body.n) == EAF_NOMEM)
        p->nomem = 1;
    eaf__buf_free(&body);

    if (p->body)
        scan_related(p, p->body->children, 0, 0);
    return p->nomem ? EAF_NOMEM : EAF_OK;
}

/* The page's bytes as UTF-8 for libxml2, or NULL with *encoding set to
 * the name libxml2 should convert from.  *owned gets what to free. */
static const char *to_utf8(const char *data, size_t len, size_t *out_len,
                           const char **encoding, char **owned, char label[40])
{
    *owned = NULL;
    *encoding = "UTF-8";
    eaf__charset_sniff_html(data, len, label);
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    } else if (label[0] && !eaf__charset_is_utf8(label) && !eaf__charset_is_1252(label)) {
        *encoding = label; /* another set: libxml2 converts it */
        *out_len = len;
        return data;
    } else if (eaf__charset_is_1252(label) ||
               (!label[0] && !eaf__utf8_valid(data, len))) {
        *owned = eaf__charset_1252_to_utf8(data, len, out_len);
        return *owned;
    }
    if (!eaf__utf8_valid(data, len)) {
        *owned = eaf__utf8_clean(data, len);
        *out_len = *owned ? strlen(*owned) : 0;
        return *owned;
    }
    *out_len = len;
    return data;
}

eaf_status eaf__html_next(eaf_reader *r, eaf_article **out)
{
    page p;
    char *data, *owned = NULL, label[40];
    const char *bytes, *encoding;
    size_t len, n, i;
    eaf_status st;
    int options = HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                  HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT;

    *out = NULL;
    r->done = 1; /* one page, one article */
    st = eaf__reader_slurp(r, &data, &len);
    if (st != EAF_OK)
        return st;
    for (i = 0; i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
                            data[i] == '\n');
         i++)
        ;
    if (i == len) {
        eaf__free(data);
        eaf__reader_error(r, 0, len ? "empty page (only white space)" : "empty file");
        return EAF_SYNTAX;
    }
    bytes = to_utf8(data, len, &n, &encoding, &owned, label);
    if (!bytes) {
        eaf__free(data);
        eaf__reader_error(r, 0, "out of memory");
        return EAF_NOMEM;
    }
    if (strcmp(encoding, "UTF-8") == 0)
        options |= HTML_PARSE_IGNORE_ENC;
    eaf__xml_init();
    memset(&p, 0, sizeof(p));
    p.r = r;
    p.doc = htmlReadMemory(bytes, (int)(n > INT32_MAX ? INT32_MAX : n), NULL, encoding,
                           options);
    eaf__free(owned);
    eaf__free(data);
    if (!p.doc) {
        eaf__reader_error(r, 0, "cannot parse the page%s%s", strcmp(encoding, "UTF-8") ? " in " : "",
                          strcmp(encoding, "UTF-8") ? encoding : "");
        return EAF_SYNTAX;
    }
    st = eaf_article_new(&p.a);
    if (st == EAF_OK)
        st = read_page(&p);
    xmlFreeDoc(p.doc);
    if (st == EAF_NOMEM)
        eaf__reader_error(r, 0, "out of memory");
    if (st != EAF_OK) {
        eaf_article_free(p.a);
        return st;
    }
    *out = p.a;
    return EAF_ROW;
}
