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
#include "format.h"
#include "charset.h"
#include "html_text.h"

#include <string.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* ---- the page ---------------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Why a page with this URL (its canonical link) is a WordPress comment
 * page (.../comment-page-2/, ?replytocom=12), or NULL. */
static const char *comment_url(const char *url)
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

typedef struct page {
    eaf__source *r;
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
    return eaf__html_is_elem(n, "article") && !eaf__html_class_contains(n, "comment");
}

/* Pass 1: metadata elements anywhere, the article elements, the first
 * h1s and times. */
static void scan(page *p, xmlNodePtr n, xmlNodePtr in_article, int depth)
{
    for (; n; n = n->next) {
        const char *prop, *name, *content;

        if (n->type != XML_ELEMENT_NODE || depth > EAF__HTML_MAX_DEPTH)
            continue;
        if (eaf__html_is_elem(n, "meta")) {
            prop = eaf__html_attr(n, "property");
            name = eaf__html_attr(n, "name");
            content = eaf__html_attr(n, "content");
            if (!prop)
                prop = eaf__html_attr(n, "itemprop");
            if (!content)
                continue;
            if (prop && eaf__html_same_ci(prop, "og:title") && !p->og_title)
                p->og_title = content;
            else if (prop && eaf__html_same_ci(prop, "article:published_time") && !p->published)
                p->published = content;
            else if (prop && eaf__html_same_ci(prop, "datePublished") && !p->date_meta)
                p->date_meta = content;
            else if (prop && eaf__html_same_ci(prop, "og:description") && !p->og_description)
                p->og_description = content;
            else if (prop && eaf__html_same_ci(prop, "og:url") && !p->og_url)
                p->og_url = content;
            else if (prop && eaf__html_same_ci(prop, "og:site_name") && !p->site_name)
                p->site_name = content;
            else if (prop && eaf__html_same_ci(prop, "article:tag"))
                add_tag(p, EAF_TAG_OTHER, content);
            else if (prop && eaf__html_same_ci(prop, "article:section"))
                add_tag(p, EAF_TAG_TOPIC, content);
            if (name && eaf__html_same_ci(name, "author"))
                add_author(p, content);
            else if (name && eaf__html_same_ci(name, "description") && !p->description)
                p->description = content;
            else if (name &&
                     (eaf__html_same_ci(name, "date") || eaf__html_same_ci(name, "dc.date") ||
                      eaf__html_same_ci(name, "dcterms.date") ||
                      eaf__html_same_ci(name, "pubdate")) &&
                     !p->date_meta)
                p->date_meta = content;
            continue;
        }
        if (eaf__html_is_elem(n, "link")) {
            if (eaf__html_has_word(eaf__html_attr(n, "rel"), "canonical") && !p->canonical)
                p->canonical = eaf__html_attr(n, "href");
            continue;
        }
        if (eaf__html_is_elem(n, "title")) {
            if (!p->title_el)
                p->title_el = n;
            continue;
        }
        if (eaf__html_is_elem(n, "script")) {
            const char *type = eaf__html_attr(n, "type");
            if (type && eaf__html_same_ci(type, "application/ld+json") &&
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
        if (eaf__html_is_elem(n, "h1")) {
            if (!p->h1)
                p->h1 = n;
            if (in_article && in_article == p->article && !p->h1_in_article)
                p->h1_in_article = n;
        }
        if (eaf__html_is_elem(n, "time") && eaf__html_attr(n, "datetime") && in_article &&
            in_article == p->article) {
            if (!p->time_el)
                p->time_el = n;
            if (!p->time_published &&
                (eaf__html_class_contains(n, "published") || eaf__html_has_class(n, "entry-date") ||
                 (eaf__html_attr(n, "itemprop") &&
                  eaf__html_same_ci(eaf__html_attr(n, "itemprop"), "datePublished"))))
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

        if (c->type != XML_ELEMENT_NODE || depth > EAF__HTML_MAX_DEPTH)
            continue;
        if (eaf__html_no_text_at_all(c) || eaf__html_is_elem(c, "nav") ||
            eaf__html_is_elem(c, "aside") ||
            eaf__html_is_elem(c, "footer") || eaf__html_is_elem(c, "form"))
            continue;
        for (i = 0; i < EAF__ARRAY_LEN(classes); i++)
            if (eaf__html_has_class(c, classes[i]))
                return c;
        ip = eaf__html_attr(c, "itemprop");
        if (ip && eaf__html_same_ci(ip, "articleBody"))
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

        if (c->type != XML_ELEMENT_NODE || depth > EAF__HTML_MAX_DEPTH)
            continue;
        if (eaf__html_is_elem(c, name))
            return c;
        r = eaf__html_attr(c, "role");
        if (role && r && eaf__html_same_ci(r, role))
            return c;
        if (eaf__html_no_text_at_all(c))
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

        if (n->type != XML_ELEMENT_NODE || depth > EAF__HTML_MAX_DEPTH)
            continue;
        if (eaf__html_is_elem(n, "nav") || eaf__html_is_elem(n, "aside") ||
            eaf__html_is_elem(n, "form") ||
            eaf__html_no_text_at_all(n))
            continue;
        if (eaf__html_is_elem(n, "a") && (rel = eaf__html_attr(n, "rel")) != NULL) {
            if (eaf__html_has_word(rel, "tag") || eaf__html_has_word(rel, "author")) {
                char *t = eaf__html_inline_text(n, &p->nomem);
                if (t && eaf__html_has_word(rel, "category"))
                    add_tag(p, EAF_TAG_TOPIC, t);
                else if (t && eaf__html_has_word(rel, "tag"))
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
        if (n->type != XML_ELEMENT_NODE || depth > EAF__HTML_MAX_DEPTH ||
            eaf__html_no_text_at_all(n))
            continue;
        if (!inside &&
            (eaf__html_is_elem(n, "aside") || eaf__html_is_elem(n, "section") ||
             eaf__html_is_elem(n, "div")) &&
            eaf__html_class_contains(n, "related")) {
            scan_related(p, n->children, 1, depth + 1);
            if (eaf_article_related_title_count(p->a) > 0)
                return;
            continue;
        }
        if (inside && eaf__html_is_elem(n, "li")) {
            xmlNodePtr link = find_elem(n->children, "a", NULL, depth + 1);
            char *t = link ? eaf__html_inline_text(link, &p->nomem) : NULL;
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
            if (eaf__html_same_ci(json_string_value(t), types[j]))
                return 1;
    } else if (json_is_array(t)) {
        for (i = 0; i < json_array_size(t); i++) {
            json_t *v = json_array_get(t, i);
            for (j = 0; j < ntypes && json_is_string(v); j++)
                if (eaf__html_same_ci(json_string_value(v), types[j]))
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

/* Finds the page's head and body and scans it.  EAF_OK for an article page, EAF_DONE
 * (skipped, the reason given) for a listing or a page of comments, EAF_SYNTAX
 * (reported) with no HTML, EAF_NOMEM. */
static eaf_status survey_page(page *p)
{
    const char *why;
    xmlNodePtr c;

    p->html = xmlDocGetRootElement(p->doc);
    if (!p->html) {
        eaf__source_error(p->r, 0, "no HTML content");
        return EAF_SYNTAX;
    }
    for (c = p->html->children; c; c = c->next) {
        if (eaf__html_is_elem(c, "head") && !p->head)
            p->head = c;
        else if (eaf__html_is_elem(c, "body") && !p->body)
            p->body = c;
    }
    scan(p, p->html->children, NULL, 0);
    if (p->nomem)
        return EAF_NOMEM;
    if (p->articles >= 2) {
        eaf__source_skip(p->r, "a listing of %d articles, not an article page",
                         p->articles);
        return EAF_DONE;
    }
    /* a page of an article's comments says so in its canonical link
     * (WordPress gives .../comment-page-2/ there), or in its own URL */
    why = comment_url(p->canonical);
    if (!why)
        why = comment_url(p->og_url);
    if (why) {
        eaf__source_skip(p->r, "%s", why);
        return EAF_DONE;
    }
    return EAF_OK;
}

/* The key and url: the canonical link, else the file's key and og:url. */
static void set_key_and_url(page *p)
{
    if (p->canonical && *p->canonical) {
        set_field(p, EAF_FIELD_KEY, p->canonical);
        set_field(p, EAF_FIELD_URL, p->canonical);
    } else {
        set_field(p, EAF_FIELD_KEY, p->r->key_base);
        if (p->og_url && *p->og_url)
            set_field(p, EAF_FIELD_URL, p->og_url);
    }
}

/* What the markup says of the title, date, authors, tags and summary. */
static void read_markup_fields(page *p)
{
    const char *date = NULL;
    xmlNodePtr authors_scope;

    /* title */
    if (p->og_title && *p->og_title) {
        set_field(p, EAF_FIELD_TITLE, p->og_title);
    } else {
        xmlNodePtr h1 = p->h1_in_article ? p->h1_in_article : p->h1;
        char *t = h1 ? eaf__html_inline_text(h1, &p->nomem) : NULL;
        if (t)
            set_field(p, EAF_FIELD_TITLE, t);
        eaf__free(t);
    }

    /* date */
    if (p->published)
        date = p->published;
    else if (p->time_published)
        date = eaf__html_attr(p->time_published, "datetime");
    else if (p->time_el)
        date = eaf__html_attr(p->time_el, "datetime");
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
}

/* What the markup lacked: from JSON-LD, then a date <meta> and the <title> (with
 * the site's name taken off). */
static void fill_gaps(page *p)
{
    read_jsonld(p, !eaf_article_get(p->a, EAF_FIELD_TITLE),
                !eaf_article_get(p->a, EAF_FIELD_DATE),
                eaf_article_author_count(p->a) == 0,
                eaf_article_tag_count(p->a, EAF_TAG_OTHER) == 0,
                !eaf_article_get(p->a, EAF_FIELD_SUMMARY));
    if (!eaf_article_get(p->a, EAF_FIELD_DATE) && p->date_meta &&
        eaf_article_set(p->a, EAF_FIELD_DATE, p->date_meta, EAF_NTS) == EAF_NOMEM)
        p->nomem = 1;
    if (!eaf_article_get(p->a, EAF_FIELD_TITLE) && p->title_el) {
        char *t = eaf__html_inline_text(p->title_el, &p->nomem);
        if (t) {
            strip_site(t, p->site_name);
            set_field(p, EAF_FIELD_TITLE, t);
        }
        eaf__free(t);
    }
}

/* An article needs a title: EAF_OK, EAF_SYNTAX (none: reported, saying so when the
 * page has no text at all), EAF_NOMEM. */
static eaf_status check_title(page *p)
{
    char *t;

    if (eaf_article_get(p->a, EAF_FIELD_TITLE) && *eaf_article_get(p->a, EAF_FIELD_TITLE))
        return EAF_OK;
    t = p->body ? eaf__html_inline_text(p->body, &p->nomem) : NULL;
    if (p->nomem)
        return EAF_NOMEM;
    eaf__source_error(p->r, 0, "%sno title (no og:title, <h1> or <title>)",
                      t && *t ? "" : "a page without content: no text, and ");
    eaf__free(t);
    return EAF_SYNTAX;
}

/* The body: the text of the content element, else of the article, <main> or
 * <body>.  EAF_NOMEM when its text could not be made. */
static eaf_status set_body(page *p)
{
    eaf__buf body = EAF__BUF_INIT;

    p->content = find_content(p->article ? p->article : p->body, 0);
    p->content_element = p->content != NULL;
    if (!p->content)
        p->content = p->article;
    if (!p->content && p->body)
        p->content = find_elem(p->body->children, "main", "main", 0);
    if (!p->content)
        p->content = p->body;
    /* in a content element the author's own markup (a pull quote in an
     * aside) is text; in a page-level container the chrome is not */
    if (p->content)
        eaf__html_block_text(&body, p->content->children, p->content_element ? 0 : 1);
    if (body.rc != EAF_OK) {
        eaf__buf_free(&body);
        return EAF_NOMEM;
    }
    if (body.n > 0 && eaf_article_set(p->a, EAF_FIELD_BODY, body.p, body.n) == EAF_NOMEM)
        p->nomem = 1;
    eaf__buf_free(&body);
    return EAF_OK;
}

static eaf_status read_page(page *p)
{
    eaf_status st = survey_page(p);

    if (st != EAF_OK)
        return st;
    set_key_and_url(p);
    set_language(p, eaf__html_attr(p->html, "lang"));
    read_markup_fields(p);
    fill_gaps(p);
    if (p->nomem)
        return EAF_NOMEM;
    st = check_title(p);
    if (st == EAF_OK)
        st = set_body(p);
    if (st != EAF_OK)
        return st;
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

static eaf_status html_next(eaf__source *r, eaf_article **out)
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
    st = eaf__source_slurp(r, &data, &len);
    if (st != EAF_OK)
        return st;
    for (i = 0; i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' ||
                            data[i] == '\n');
         i++)
        ;
    if (i == len) {
        eaf__free(data);
        eaf__source_error(r, 0, len ? "empty page (only white space)" : "empty file");
        return EAF_SYNTAX;
    }
    bytes = to_utf8(data, len, &n, &encoding, &owned, label);
    if (!bytes) {
        eaf__free(data);
        eaf__source_error(r, 0, "out of memory");
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
        eaf__source_error(r, 0, "cannot parse the page%s%s",
                          strcmp(encoding, "UTF-8") ? " in " : "",
                          strcmp(encoding, "UTF-8") ? encoding : "");
        return EAF_SYNTAX;
    }
    st = eaf_article_new(&p.a);
    if (st == EAF_OK)
        st = read_page(&p);
    xmlFreeDoc(p.doc);
    if (st == EAF_NOMEM)
        eaf__source_error(r, 0, "out of memory");
    if (st != EAF_OK) {
        eaf_article_free(p.a);
        return st;
    }
    *out = p.a;
    return EAF_ROW;
}

/* ---- the row of the table -------------------------------------------------------- */

static const char *const html_aliases[] = {"htm", NULL};
static const char *const html_extensions[] = {".html", ".htm", ".xhtml", ".shtml", NULL};

/* HTML markup; else the name. */
static int html_sniff(const eaf__sniff *s)
{
    if (eaf__sniff_markup(s) == EAF_FORMAT_HTML)
        return EAF__SNIFF_MARKUP;
    return eaf__sniff_named(s, html_extensions) ? EAF__SNIFF_EXTENSION : EAF__SNIFF_NO;
}

const eaf__format_def eaf__format_html = {
    EAF_FORMAT_HTML, "html", html_aliases, html_extensions, html_sniff, html_next, NULL};
