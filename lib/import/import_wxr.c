/*
 * import_wxr.c: a WordPress export (WXR: RSS 2.0 with the wp:, dc:,
 * content: and excerpt: namespaces), streamed through libxml2's
 * xmlTextReader: the file is never held in memory, only the item being
 * read.
 *
 * A feed is not an export: it repeats the latest articles as excerpts,
 * under the articles' own links (a mirror saves it as feed/index.html),
 * so that reading it would put an excerpt in place of the article.  A
 * document is a WordPress export when its root <rss> declares the wp:
 * namespace (http://wordpress.org/export/...) or a wp: element such as
 * <wp:wxr_version> comes before the first item; an RSS feed without it
 * (a site's feed, a comments feed), an Atom feed (<feed>) and an RSS 1.0
 * feed (<rdf:RDF>) are skipped whole, with the reason, and counted once.
 *
 * The parser substitutes no entities (no XML_PARSE_NOENT), loads no DTD
 * and no external entity, and never touches the network; an entity the
 * file defines stays unexpanded (it gives no text), and libxml2's own
 * limits stop entity loops.  Its messages are kept, not printed.
 *
 * The <wp:author> entries map logins to display names.  Each <item> whose
 * wp:post_type is "post" and wp:status "publish" (a plain RSS item has
 * neither, and counts as one) is an article:
 *  - key and url: <link> (else the guid, else the file name and post id);
 *  - title: <title>, entities decoded and tags dropped;
 *  - date: the date part of <wp:post_date> (the site's local time), else
 *    of <pubDate>;
 *  - authors: each <dc:creator>, a login resolved to its display name, and
 *    the terms of an "author" taxonomy (Co-Authors Plus);
 *  - body: <content:encoded> as text (HTML to text, blank lines between
 *    paragraphs as WordPress shows them; block-editor comments are not
 *    text); summary: <excerpt:encoded> as text, else <description>;
 *  - every <category domain="...">: "category" gives topics, "post_tag"
 *    tags, "country" (or "countries", "region") countries, any other
 *    taxonomy tags; "nav_menu", "post_format" and "author" none;
 *  - language: the channel's <language> ("en").
 * Other items (attachments, pages, menu items, drafts, trash, ...) are
 * skipped and counted (eaf_reader_skipped()), not reported.  A feed's
 * items are not read at all (see above).  An item
 * without a title or key is an error for that item; an XML error ends
 * the file (what was read before it is kept).
 */
#include "format.h"
#include "html_text.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

enum field {
    F_NONE = 0, F_TITLE, F_LINK, F_PUBDATE, F_CREATOR, F_GUID, F_DESCRIPTION,
    F_CONTENT, F_EXCERPT, F_POST_ID, F_POST_DATE, F_POST_NAME, F_STATUS,
    F_POST_TYPE, F_CATEGORY, F_LAST
};

typedef struct term {
    char *domain, *value;
} term;

typedef struct wxr {
    eaf__source *r;
    xmlTextReaderPtr xr;
    struct { char *login, *name; } *authors;
    size_t nauthors, capauthors;
    char *language;             /* the channel's */
    int finished;
    int saw_root;
    int is_wxr;                 /* the wp: namespace is declared or used */
    char *error;                /* the first XML error */
    int error_line;
    /* the item being read */
    eaf__buf f[F_LAST];
    eaf__strvec creators;
    term *terms;
    size_t nterms, capterms;
    char *domain;               /* of the category being read */
    unsigned long item_line;
} wxr;

static const char NS_WP[] = "http://wordpress.org/export/";
static const char NS_CONTENT[] = "http://purl.org/rss/1.0/modules/content/";
static const char NS_DC[] = "http://purl.org/dc/elements/1.1/";
static const char NS_EXCERPT_TAIL[] = "/excerpt/";
static const char NS_ATOM[] = "http://www.w3.org/2005/Atom";
static const char NS_RDF[] = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

static void clear_item(wxr *w)
{
    size_t i;

    for (i = 0; i < F_LAST; i++) {
        eaf__buf_reset(&w->f[i]);
        w->f[i].rc = EAF_OK;
    }
    eaf__strvec_free(&w->creators);
    for (i = 0; i < w->nterms; i++) {
        eaf__free(w->terms[i].domain);
        eaf__free(w->terms[i].value);
    }
    w->nterms = 0;
    eaf__free(w->domain);
    w->domain = NULL;
}

static void wxr_free(void *p)
{
    wxr *w = p;
    size_t i;

    if (!w)
        return;
    clear_item(w);
    for (i = 0; i < F_LAST; i++)
        eaf__buf_free(&w->f[i]);
    eaf__free(w->terms);
    for (i = 0; i < w->nauthors; i++) {
        eaf__free(w->authors[i].login);
        eaf__free(w->authors[i].name);
    }
    eaf__free(w->authors);
    eaf__free(w->language);
    eaf__free(w->error);
    if (w->xr)
        xmlFreeTextReader(w->xr);
    eaf__free(w);
}

static int io_read(void *ctx, char *buf, int len)
{
    ssize_t k = eaf__source_read((eaf__source *)ctx, buf, (size_t)len);
    return k < 0 ? -1 : (int)k;
}

static int io_close(void *ctx)
{
    (void)ctx;
    return 0;
}

static void on_error(void *arg, xmlErrorPtr e)
{
    wxr *w = arg;
    size_t n;

    if (!e || e->level < XML_ERR_ERROR || w->error)
        return;
    w->error = eaf__strdup(e->message ? e->message : "XML error");
    if (w->error) {
        n = strlen(w->error);
        while (n > 0 && (w->error[n - 1] == '\n' || w->error[n - 1] == ' '))
            w->error[--n] = '\0';
    }
    w->error_line = e->line;
}

static int starts(const char *s, const char *p)
{
    return s && strncmp(s, p, strlen(p)) == 0;
}

static int ends(const char *s, const char *p)
{
    size_t n, k = strlen(p);

    if (!s)
        return 0;
    n = strlen(s);
    return n >= k && strcmp(s + n - k, p) == 0;
}

/* Which field an element (a child of <item>) is. */
static enum field field_of(const char *local, const char *ns)
{
    if (!ns || !*ns) {
        if (strcmp(local, "title") == 0) return F_TITLE;
        if (strcmp(local, "link") == 0) return F_LINK;
        if (strcmp(local, "pubDate") == 0) return F_PUBDATE;
        if (strcmp(local, "guid") == 0) return F_GUID;
        if (strcmp(local, "description") == 0) return F_DESCRIPTION;
        if (strcmp(local, "category") == 0) return F_CATEGORY;
        if (strcmp(local, "author") == 0) return F_CREATOR;
        return F_NONE;
    }
    if (strcmp(ns, NS_DC) == 0)
        return strcmp(local, "creator") == 0 ? F_CREATOR : F_NONE;
    if (strcmp(ns, NS_CONTENT) == 0)
        return strcmp(local, "encoded") == 0 ? F_CONTENT : F_NONE;
    if (starts(ns, NS_WP) && ends(ns, NS_EXCERPT_TAIL))
        return strcmp(local, "encoded") == 0 ? F_EXCERPT : F_NONE;
    if (starts(ns, NS_WP)) {
        if (strcmp(local, "post_id") == 0) return F_POST_ID;
        if (strcmp(local, "post_date") == 0) return F_POST_DATE;
        if (strcmp(local, "post_name") == 0) return F_POST_NAME;
        if (strcmp(local, "status") == 0) return F_STATUS;
        if (strcmp(local, "post_type") == 0) return F_POST_TYPE;
    }
    return F_NONE;
}

static const char *ftext(wxr *w, enum field f)
{
    const char *s = eaf__buf_cstr(&w->f[f]);
    return s ? s : "";
}

/* s trimmed of white space, copied; NULL when out of memory. */
static char *trimmed(const char *s)
{
    size_t n;

    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
                     s[n - 1] == '\r'))
        n--;
    return eaf__strndup(s, n);
}

static const char *display_name(wxr *w, const char *login)
{
    size_t i;

    for (i = 0; i < w->nauthors; i++)
        if (strcmp(w->authors[i].login, login) == 0)
            return w->authors[i].name;
    return login;
}

/* ---- reading the stream ----------------------------------------------------- */

/* Collects the text of the element the reader is on (whose depth is
 * depth) into b, up to its end; nested elements give their text too. */
static int read_text(wxr *w, int depth, eaf__buf *b)
{
    int ret;

    if (xmlTextReaderIsEmptyElement(w->xr))
        return 1;
    while ((ret = xmlTextReaderRead(w->xr)) == 1) {
        int type = xmlTextReaderNodeType(w->xr);
        if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(w->xr) == depth)
            return 1;
        if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
            type == XML_READER_TYPE_WHITESPACE ||
            type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
            const char *v = (const char *)xmlTextReaderConstValue(w->xr);
            if (v)
                eaf__buf_puts(b, v);
        }
    }
    return ret;
}

/* A <wp:author> entry: login and display name. */
static int read_author(wxr *w, int depth)
{
    eaf__buf login = EAF__BUF_INIT, name = EAF__BUF_INIT;
    int ret = 1;

    if (xmlTextReaderIsEmptyElement(w->xr))
        return 1;
    while ((ret = xmlTextReaderRead(w->xr)) == 1) {
        int type = xmlTextReaderNodeType(w->xr);
        const char *local;

        if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(w->xr) == depth)
            break;
        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        local = (const char *)xmlTextReaderConstLocalName(w->xr);
        if (local && strcmp(local, "author_login") == 0)
            ret = read_text(w, depth + 1, &login);
        else if (local && strcmp(local, "author_display_name") == 0)
            ret = read_text(w, depth + 1, &name);
        if (ret != 1)
            break;
    }
    if (login.rc == EAF_OK && name.rc == EAF_OK && login.n > 0) {
        if (w->nauthors == w->capauthors) {
            size_t cap = w->capauthors ? w->capauthors * 2 : 16;
            void *v = eaf__realloc(w->authors, cap * sizeof(*w->authors));
            if (v) {
                w->authors = v;
                w->capauthors = cap;
            }
        }
        if (w->nauthors < w->capauthors) {
            char *l = trimmed(login.p), *n = trimmed(name.n ? name.p : login.p);
            if (l && n && *n) {
                w->authors[w->nauthors].login = l;
                w->authors[w->nauthors++].name = n;
            } else {
                eaf__free(l);
                eaf__free(n);
            }
        }
    }
    eaf__buf_free(&login);
    eaf__buf_free(&name);
    return ret;
}

static void add_term(wxr *w, const char *domain, const char *value)
{
    char *d, *v;

    if (w->nterms == w->capterms) {
        size_t cap = w->capterms ? w->capterms * 2 : 16;
        term *t = eaf__realloc(w->terms, cap * sizeof(*t));
        if (!t) {
            w->f[F_CATEGORY].rc = EAF_NOMEM;
            return;
        }
        w->terms = t;
        w->capterms = cap;
    }
    d = eaf__strdup(domain ? domain : "");
    v = trimmed(value);
    if (!d || !v) {
        eaf__free(d);
        eaf__free(v);
        w->f[F_CATEGORY].rc = EAF_NOMEM;
        return;
    }
    w->terms[w->nterms].domain = d;
    w->terms[w->nterms++].value = v;
}

/* Reads the children of an <item> up to its end. */
static int read_item(wxr *w, int depth)
{
    int ret = 1;

    clear_item(w);
    w->item_line = (unsigned long)xmlTextReaderGetParserLineNumber(w->xr);
    if (xmlTextReaderIsEmptyElement(w->xr))
        return 1;
    while ((ret = xmlTextReaderRead(w->xr)) == 1) {
        int type = xmlTextReaderNodeType(w->xr);
        const char *local, *ns;
        enum field f;

        if (type == XML_READER_TYPE_END_ELEMENT && xmlTextReaderDepth(w->xr) == depth)
            break;
        if (type != XML_READER_TYPE_ELEMENT || xmlTextReaderDepth(w->xr) != depth + 1)
            continue;
        local = (const char *)xmlTextReaderConstLocalName(w->xr);
        ns = (const char *)xmlTextReaderConstNamespaceUri(w->xr);
        f = local ? field_of(local, ns) : F_NONE;
        if (f == F_NONE)
            continue; /* wp:postmeta, wp:comment, ...: their children are
                         deeper and ignored */
        if (f == F_CATEGORY) {
            xmlChar *d = xmlTextReaderGetAttribute(w->xr, (const xmlChar *)"domain");
            eaf__buf v = EAF__BUF_INIT;
            ret = read_text(w, depth + 1, &v);
            if (v.rc != EAF_OK)
                w->f[F_CATEGORY].rc = EAF_NOMEM;
            else if (v.n > 0)
                add_term(w, (const char *)d, v.p);
            eaf__buf_free(&v);
            if (d)
                xmlFree(d);
        } else if (f == F_CREATOR) {
            eaf__buf v = EAF__BUF_INIT;
            ret = read_text(w, depth + 1, &v);
            if (v.rc != EAF_OK) {
                w->f[F_CREATOR].rc = EAF_NOMEM;
            } else if (v.n > 0) {
                char *t = trimmed(v.p);
                if (!t || (*t && eaf__strvec_push(&w->creators, t) != EAF_OK)) {
                    eaf__free(t);
                    w->f[F_CREATOR].rc = EAF_NOMEM;
                } else if (!*t) {
                    eaf__free(t);
                }
            }
            eaf__buf_free(&v);
        } else {
            eaf__buf_reset(&w->f[f]);
            ret = read_text(w, depth + 1, &w->f[f]);
        }
        if (ret != 1)
            break;
    }
    return ret;
}

/* ---- an item to an article ----------------------------------------------------- */

/* "Mon, 19 May 2014 15:02:14 +0000" -> "2014-05-19"; 0 when not a date. */
static int rfc822_date(const char *s, char out[11])
{
    static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    int day = 0, year = 0, month = 0, k;
    const char *p = strchr(s, ',');
    char iso[40];

    p = p ? p + 1 : s;
    while (*p == ' ')
        p++;
    for (k = 0; k < 2 && *p >= '0' && *p <= '9'; k++, p++)
        day = day * 10 + (*p - '0');
    while (*p == ' ')
        p++;
    for (k = 0; k < 12; k++) {
        const char *m = months + 3 * k;
        if ((p[0] | 0x20) == m[0] && (p[1] | 0x20) == m[1] && (p[2] | 0x20) == m[2])
            month = k + 1;
    }
    if (!month || !day)
        return 0;
    p += 3;
    while (*p && *p != ' ')
        p++;
    while (*p == ' ')
        p++;
    for (k = 0; k < 4 && *p >= '0' && *p <= '9'; k++, p++)
        year = year * 10 + (*p - '0');
    if (k != 4)
        return 0;
    snprintf(iso, sizeof(iso), "%04d-%02d-%02d", year, month, day);
    return eaf__date_parse(iso, 10, out, NULL);
}

/* Text of an HTML field, or NULL for none; *st set on failure. */
static char *html_text(const char *html, int autop, eaf_status *st)
{
    char *t = NULL;

    if (!*html)
        return NULL;
    *st = eaf__html_fragment_text(html, strlen(html), autop, &t);
    if (*st != EAF_OK)
        return NULL;
    if (t && !*t) {
        eaf__free(t);
        return NULL;
    }
    return t;
}

static eaf_tag_kind kind_of(const char *domain, int *skip, int *author)
{
    *skip = *author = 0;
    if (strcmp(domain, "category") == 0)
        return EAF_TAG_TOPIC;
    if (strcmp(domain, "country") == 0 || strcmp(domain, "countries") == 0 ||
        strcmp(domain, "region") == 0 || strcmp(domain, "regions") == 0)
        return EAF_TAG_COUNTRY;
    if (strcmp(domain, "nav_menu") == 0 || strcmp(domain, "post_format") == 0 ||
        strcmp(domain, "link_category") == 0)
        *skip = 1;
    if (strcmp(domain, "author") == 0)
        *author = 1;
    return EAF_TAG_OTHER;
}

static int has_author(const eaf_article *a, const char *name)
{
    size_t i, n = eaf_article_author_count(a);

    for (i = 0; i < n; i++)
        if (strcmp(eaf_article_author_name(a, i), name) == 0)
            return 1;
    return 0;
}

/* Whether the item is a published post: EAF_OK when it is, EAF_DONE (skipped, with
 * the reason given to the source) when it is not, EAF_NOMEM. */
static eaf_status item_published(wxr *w)
{
    char *type_t = trimmed(ftext(w, F_POST_TYPE)), *status_t = trimmed(ftext(w, F_STATUS));
    int skip;

    if (!type_t || !status_t) {
        eaf__free(type_t);
        eaf__free(status_t);
        return EAF_NOMEM;
    }
    skip = (*type_t && strcmp(type_t, "post") != 0) ||
           (*status_t && strcmp(status_t, "publish") != 0);
    if (skip) {
        if (*type_t && strcmp(type_t, "post") != 0)
            eaf__source_skip(w->r, "post_type %s", type_t);
        else
            eaf__source_skip(w->r, "status %s", status_t);
    }
    eaf__free(type_t);
    eaf__free(status_t);
    return skip ? EAF_DONE : EAF_OK;
}

/* The key (and url) of the item: its link, else its guid when that is a URL, else the
 * base key and the post id.  EAF_OK, EAF_SYNTAX (neither: reported), EAF_NOMEM. */
static eaf_status set_key(wxr *w, eaf_article *a)
{
    eaf__source *r = w->r;
    eaf_status st = EAF_OK;
    char *t = trimmed(ftext(w, F_LINK));

    if (t && !*t) {
        eaf__free(t);
        t = trimmed(ftext(w, F_GUID));
        if (t && !strstr(t, "://")) {
            eaf__free(t);
            t = eaf__strdup("");
        }
    }
    if (t && *t) {
        st = eaf_article_set(a, EAF_FIELD_KEY, t, EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_URL, t, EAF_NTS);
        if (st != EAF_OK)
            st = EAF_NOMEM; /* EAF_SYNTAX is kept for the item reported */
    } else if (t) {
        char *id = trimmed(ftext(w, F_POST_ID));
        char *k = id && *id ? eaf__printf("%s#%s", r->key_base, id) : NULL;
        if (!id || (*id && !k))
            st = EAF_NOMEM;
        else if (k)
            st = eaf_article_set(a, EAF_FIELD_KEY, k, EAF_NTS);
        else
            st = EAF_SYNTAX;
        eaf__free(id);
        eaf__free(k);
        if (st == EAF_SYNTAX)
            eaf__source_error(r, w->item_line, "an item without a link or post id");
    } else {
        st = EAF_NOMEM;
    }
    eaf__free(t);
    return st;
}

/* The title, as plain text with its entities decoded.  A published post needs one:
 * EAF_OK, EAF_SYNTAX (none: reported), EAF_NOMEM. */
static eaf_status set_title(wxr *w, eaf_article *a)
{
    const char *title = ftext(w, F_TITLE);
    eaf_status st = EAF_OK;
    char *t;

    if (strchr(title, '&') || strchr(title, '<'))
        t = html_text(title, 0, &st);
    else
        t = trimmed(title);
    if (st == EAF_OK && t && *t)
        st = eaf_article_set(a, EAF_FIELD_TITLE, t, EAF_NTS);
    else if (st == EAF_OK && !t && !*title)
        st = EAF_OK;
    else if (st == EAF_OK && !t)
        st = EAF_NOMEM;
    eaf__free(t);
    if (st != EAF_OK)
        return EAF_NOMEM;
    if (!eaf_article_get(a, EAF_FIELD_TITLE)) {
        eaf__source_error(w->r, w->item_line, "a published post without a title (%s)",
                          eaf_article_get(a, EAF_FIELD_KEY));
        return EAF_SYNTAX;
    }
    return EAF_OK;
}

/* The date: wp:post_date, else the RSS pubDate; none when neither is a date. */
static eaf_status set_date(wxr *w, eaf_article *a)
{
    const char *d = ftext(w, F_POST_DATE);
    char date[11];

    while (*d == ' ' || *d == '\n' || *d == '\t')
        d++;
    if (eaf__date_parse(d, strlen(d) > 10 ? 10 : strlen(d), date, NULL) ||
        rfc822_date(ftext(w, F_PUBDATE), date))
        return eaf_article_set(a, EAF_FIELD_DATE, date, EAF_NTS);
    return EAF_OK;
}

/* The dc:creator names, by their display names, each once. */
static eaf_status add_creators(wxr *w, eaf_article *a)
{
    eaf_status st = EAF_OK;
    size_t i;

    for (i = 0; st == EAF_OK && i < w->creators.n; i++) {
        const char *name = display_name(w, w->creators.v[i]);
        if (!has_author(a, name))
            st = eaf_article_add_author(a, name, NULL);
    }
    return st;
}

/* The categories, in their order: authors (a domain of "author"), tags of the kind
 * their domain says, and none of the domains of site navigation.  A tag the article
 * refuses is left out. */
static eaf_status add_terms(wxr *w, eaf_article *a)
{
    eaf_status st = EAF_OK;
    size_t i;

    for (i = 0; st == EAF_OK && i < w->nterms; i++) {
        int sk, author;
        eaf_tag_kind kind = kind_of(w->terms[i].domain, &sk, &author);
        if (author) {
            const char *name = display_name(w, w->terms[i].value);
            if (!has_author(a, name))
                st = eaf_article_add_author(a, name, NULL);
            continue;
        }
        if (sk || !*w->terms[i].value)
            continue;
        if (strchr(w->terms[i].value, '&')) {
            char *t = html_text(w->terms[i].value, 0, &st);
            if (st == EAF_OK && t)
                st = eaf_article_add_tag(a, kind, t);
            eaf__free(t);
        } else {
            st = eaf_article_add_tag(a, kind, w->terms[i].value);
        }
        if (st == EAF_SYNTAX)
            st = EAF_OK;
    }
    return st;
}

/* The body (the content, else the description) and the summary (the excerpt, else
 * the description when the content is the body). */
static eaf_status set_body_and_summary(wxr *w, eaf_article *a)
{
    const char *content = ftext(w, F_CONTENT), *ex = ftext(w, F_EXCERPT);
    eaf_status st = EAF_OK;
    char *t;

    t = html_text(*content ? content : ftext(w, F_DESCRIPTION), 1, &st);
    if (st == EAF_OK && t)
        st = eaf_article_set(a, EAF_FIELD_BODY, t, EAF_NTS);
    eaf__free(t);
    if (st != EAF_OK)
        return st;
    if (!*ex && *content)
        ex = ftext(w, F_DESCRIPTION);
    t = html_text(ex, 0, &st);
    if (st == EAF_OK && t)
        st = eaf_article_set(a, EAF_FIELD_SUMMARY, t, EAF_NTS);
    eaf__free(t);
    return st;
}

/* Builds the article of the item read.  EAF_ROW, EAF_DONE (skipped),
 * EAF_SYNTAX, EAF_NOMEM. */
static eaf_status item_article(wxr *w, eaf_article **out)
{
    eaf_article *a = NULL;
    eaf_status st;
    size_t i;

    for (i = 0; i < F_LAST; i++)
        if (w->f[i].rc != EAF_OK)
            return EAF_NOMEM;
    st = item_published(w);
    if (st != EAF_OK)
        return st;
    if (eaf_article_new(&a) != EAF_OK)
        return EAF_NOMEM;
    st = set_key(w, a);
    if (st == EAF_OK)
        st = set_title(w, a);
    if (st == EAF_SYNTAX) { /* the step said why */
        eaf_article_free(a);
        return EAF_SYNTAX;
    }
    if (st == EAF_OK)
        st = set_date(w, a);
    if (st == EAF_OK)
        st = add_creators(w, a);
    if (st == EAF_OK)
        st = add_terms(w, a);
    if (st == EAF_OK)
        st = set_body_and_summary(w, a);
    if (st == EAF_OK && w->language)
        st = eaf_article_set(a, EAF_FIELD_LANGUAGE, w->language, EAF_NTS);
    if (st != EAF_OK) {
        eaf_article_free(a);
        return EAF_NOMEM;
    }
    *out = a;
    return EAF_ROW;
}

/* ---- the reader ---------------------------------------------------------------- */

static eaf_status start(eaf__source *r, wxr **out)
{
    wxr *w = eaf__calloc(1, sizeof(*w));

    *out = NULL;
    if (!w)
        return EAF_NOMEM;
    w->r = r;
    eaf__xml_init();
    w->xr = xmlReaderForIO(io_read, io_close, r, NULL, NULL,
                           XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT |
                               XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!w->xr) {
        eaf__free(w);
        return EAF_NOMEM;
    }
    xmlTextReaderSetStructuredErrorHandler(w->xr, on_error, w);
    r->state = w;
    r->state_free = wxr_free;
    *out = w;
    return EAF_OK;
}

/* Whether the element the reader is on declares the wp: namespace. */
static int declares_wp(xmlTextReaderPtr xr)
{
    int found = 0;

    while (!found && xmlTextReaderMoveToNextAttribute(xr) == 1)
        if (xmlTextReaderIsNamespaceDecl(xr) == 1)
            found = starts((const char *)xmlTextReaderConstValue(xr), NS_WP);
    xmlTextReaderMoveToElement(xr);
    return found;
}

/* A feed, not an export: skipped whole, once (EAF_DONE). */
static eaf_status feed(wxr *w, const char *what)
{
    w->finished = 1;
    eaf__source_skip(w->r, "%s, not a WordPress export: a feed repeats articles as "
                           "excerpts under their own links", what);
    return EAF_DONE;
}

/* The reader stopped on an error: a read error, or malformed XML. */
static eaf_status failed(wxr *w)
{
    eaf__source *r = w->r;

    w->finished = 1;
    if (r->io_error)
        return EAF_IO; /* message recorded by the read */
    eaf__source_error(r, (unsigned long)(w->error_line > 0 ? w->error_line : 0),
                      "%s%s", w->error ? "malformed or truncated XML: " : "cannot read the XML",
                      w->error ? w->error : "");
    return EAF_SYNTAX;
}

/* The channel's <language>: its primary subtag, lower-cased, into w->language
 * ("en-US" -> "en").  Returns what the XML reader's last read did. */
static int read_language(wxr *w, int depth)
{
    eaf__buf v = EAF__BUF_INIT;
    int ret = read_text(w, depth, &v);

    if (v.rc == EAF_OK && v.n > 0) {
        char lang[9];
        size_t i;
        char *tv = trimmed(v.p);
        for (i = 0; tv && i < 8 && tv[i] && tv[i] != '-' && tv[i] != '_'; i++)
            lang[i] = (char)(tv[i] >= 'A' && tv[i] <= 'Z' ? tv[i] + 32 : tv[i]);
        lang[i] = '\0';
        if (i > 0)
            w->language = eaf__strdup(lang);
        eaf__free(tv);
    }
    eaf__buf_free(&v);
    return ret;
}

static eaf_status wxr_next(eaf__source *r, eaf_article **out)
{
    wxr *w = r->state;
    eaf_status st;
    int ret;

    *out = NULL;
    if (!w) {
        st = start(r, &w);
        if (st != EAF_OK) {
            eaf__source_error(r, 0, "out of memory");
            return st;
        }
    }
    if (w->finished)
        return EAF_DONE;
    while ((ret = xmlTextReaderRead(w->xr)) == 1) {
        int type = xmlTextReaderNodeType(w->xr), depth;
        const char *local, *ns;

        if (type != XML_READER_TYPE_ELEMENT)
            continue;
        depth = xmlTextReaderDepth(w->xr);
        local = (const char *)xmlTextReaderConstLocalName(w->xr);
        ns = (const char *)xmlTextReaderConstNamespaceUri(w->xr);
        if (!local)
            continue;
        if (depth == 0) {
            if (strcmp(local, "feed") == 0 && ns && strcmp(ns, NS_ATOM) == 0)
                return feed(w, "an Atom feed");
            if (strcmp(local, "RDF") == 0 && ns && strcmp(ns, NS_RDF) == 0)
                return feed(w, "an RSS 1.0 feed");
            if (strcmp(local, "rss") != 0) {
                w->finished = 1;
                eaf__source_error(r, 0, "not a WordPress export (the root element is "
                                        "<%s>, not <rss>)", local);
                return EAF_SYNTAX;
            }
            w->saw_root = 1;
            w->is_wxr = declares_wp(w->xr);
            continue;
        }
        if (depth != 2)
            continue;
        if (ns && starts(ns, NS_WP))
            w->is_wxr = 1;
        if (strcmp(local, "item") == 0 && (!ns || !*ns) && !w->is_wxr)
            return feed(w, "an RSS feed");
        if (strcmp(local, "author") == 0 && ns && starts(ns, NS_WP)) {
            ret = read_author(w, depth);
        } else if (strcmp(local, "language") == 0 && (!ns || !*ns) && !w->language) {
            ret = read_language(w, depth);
        } else if (strcmp(local, "item") == 0 && (!ns || !*ns)) {
            ret = read_item(w, depth);
            if (ret != 1)
                break;
            st = item_article(w, out);
            if (st == EAF_DONE)
                continue; /* skipped: the next item */
            if (st == EAF_NOMEM)
                eaf__source_error(r, w->item_line, "out of memory");
            if (st == EAF_NOMEM)
                w->finished = 1;
            return st;
        }
        if (ret != 1)
            break;
    }
    if (ret != 0)
        return failed(w);
    w->finished = 1;
    if (!w->saw_root) {
        eaf__source_error(r, 0, "no XML element in the file");
        return EAF_SYNTAX;
    }
    if (!w->is_wxr)
        return feed(w, "an RSS feed");
    return EAF_DONE;
}

/* ---- the row of the table -------------------------------------------------------- */

static const char *const wxr_aliases[] = {"wordpress", NULL};
static const char *const wxr_extensions[] = {".wxr", NULL};

/* A feed or a WordPress export by its markup; else the name. */
static int wxr_sniff(const eaf__sniff *s)
{
    if (eaf__sniff_markup(s) == EAF_FORMAT_WXR)
        return EAF__SNIFF_MARKUP;
    return eaf__sniff_named(s, wxr_extensions) ? EAF__SNIFF_NAME : EAF__SNIFF_NO;
}

static void wxr_nothing(eaf__source *r)
{
    eaf__source_error(r, 0, "no article: the WordPress export holds no items");
}

const eaf__format_def eaf__format_wxr = {
    EAF_FORMAT_WXR, "wxr", wxr_aliases, wxr_extensions, wxr_sniff, wxr_next, wxr_nothing};
