/*
 * serve_page_search.c: the search page at / (page_search): the box, the
 * hits, the facets as filter links, the order, the pages, the notes (did
 * you mean, fallback, question) and a helpful page when nothing matches.
 *
 * Every link on the page is the request itself with one change (a filter
 * added or removed, another order or page), written back as a query
 * string with the parameter names of serve.h.
 */
#include "serve_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACET_TOP 8        /* values shown per facet */
/* The facets count the best hits only when there are more: counting tens
 * of thousands of hits costs tens of milliseconds a page, and the page says
 * so.  (The JSON API counts them all.) */
#define FACET_HITS 2000
#define FACET_HITS_TEXT "2,000"
#define PAGE_WINDOW 2      /* page numbers shown either side of the current */

static const char *const sort_names[EAF_SORT_LAST] = {"relevance", "newest", "oldest"};

/* The filter lists of a request, in the order of the facets they match. */
enum { FL_AUTHOR, FL_TOPIC, FL_COUNTRY, FL_TAG, FL_LAST };
static const char *const filter_param[FL_LAST] = {"author", "topic", "country", "tag"};

static const char **req_list(search_req *r, int k)
{
    return k == FL_AUTHOR ? r->authors : k == FL_TOPIC ? r->topics
           : k == FL_COUNTRY ? r->countries : r->tags;
}

static const char *const *req_clist(const search_req *r, int k)
{
    return k == FL_AUTHOR ? r->authors : k == FL_TOPIC ? r->topics
           : k == FL_COUNTRY ? r->countries : r->tags;
}

static size_t list_len(const char *const *l)
{
    size_t n = 0;

    while (l[n])
        n++;
    return n;
}

static int list_has(const char *const *l, const char *v)
{
    size_t i;

    for (i = 0; l[i]; i++)
        if (strcmp(l[i], v) == 0)
            return 1;
    return 0;
}

static void list_remove(const char **l, size_t i)
{
    for (; l[i]; i++)
        l[i] = l[i + 1];
}

static int has_filters(const search_req *r)
{
    int k;

    for (k = 0; k < FL_LAST; k++)
        if (req_clist(r, k)[0])
            return 1;
    return r->after || r->before;
}

/* ---- links back to the page --------------------------------------------------- */

static void param(sbuf *b, int *first, const char *name, const char *value)
{
    sbuf_puts(b, *first ? "?" : "&amp;");
    *first = 0;
    sbuf_puts(b, name);
    sbuf_puts(b, "=");
    esc_url(b, value);
}

/* href="BASE/?q=...": the request r as a link (n and strict kept). */
static void put_req_href(sbuf *b, const serve_site *site, const search_req *r)
{
    int first = 1, k;
    size_t i;

    sbuf_puts(b, " href=\"");
    esc_html(b, pg_site_base(site));
    sbuf_puts(b, "/");
    if (r->q && *r->q)
        param(b, &first, "q", r->q);
    for (k = 0; k < FL_LAST; k++)
        for (i = 0; req_clist(r, k)[i]; i++)
            param(b, &first, filter_param[k], req_clist(r, k)[i]);
    if (r->after)
        param(b, &first, "after", r->after);
    if (r->before)
        param(b, &first, "before", r->before);
    if (r->sort != EAF_SORT_RELEVANCE && (unsigned)r->sort < EAF_SORT_LAST)
        param(b, &first, "sort", sort_names[r->sort]);
    if (r->n != 10) {
        char n[16];
        snprintf(n, sizeof(n), "%u", r->n);
        param(b, &first, "n", n);
    }
    if (r->offset) {
        char o[16];
        snprintf(o, sizeof(o), "%u", r->offset);
        param(b, &first, "offset", o);
    }
    if (r->strict)
        param(b, &first, "strict", "1");
    sbuf_puts(b, "\"");
}

/* ---- the notes ---------------------------------------------------------------- */

static void put_quoted(sbuf *b, const char *s)
{
    sbuf_puts(b, "\xE2\x80\x9C<strong>");
    esc_html(b, s);
    sbuf_puts(b, "</strong>\xE2\x80\x9D");
}

static void put_notes(sbuf *b, const serve_site *site, const search_req *r, eaf_search *s,
                      const char *suggestion)
{
    size_t i, n;

    if (suggestion) {
        search_req alt = *r;

        alt.q = suggestion;
        alt.offset = 0;
        sbuf_puts(b, "<p class=\"note suggest\">Did you mean <a");
        put_req_href(b, site, &alt);
        sbuf_puts(b, ">");
        esc_html(b, suggestion);
        sbuf_puts(b, "</a>?</p>\n");
    }
    if (eaf_search_question(s))
        sbuf_puts(b, "<p class=\"note\">Read as a question: showing articles with any of the"
                     " words, those with more of them first. Join words with AND to ask for"
                     " all of them.</p>\n");
    if (eaf_search_fallback(s)) {
        sbuf_puts(b, "<p class=\"note\">No article has all the words; showing articles with"
                     " any of them");
        n = eaf_search_dropped_count(s);
        for (i = 0; i < n; i++) {
            sbuf_puts(b, i ? ", " : " (no article has ");
            put_quoted(b, eaf_search_dropped(s, i));
        }
        sbuf_puts(b, n ? ").</p>\n" : ".</p>\n");
    }
}

/* ---- the active filters ----------------------------------------------------------- */

static void put_active(sbuf *b, const serve_site *site, const search_req *r)
{
    static const char *const labels[FL_LAST] = {"Author", "Topic", "Country", "Tag"};
    int k;
    size_t i;

    if (!has_filters(r))
        return;
    sbuf_puts(b, "<div class=\"active\"><h2 class=\"vh\">Filters in use</h2><ul>\n");
    for (k = 0; k < FL_LAST; k++)
        for (i = 0; req_clist(r, k)[i]; i++) {
            search_req alt = *r;

            list_remove(req_list(&alt, k), i);
            alt.offset = 0;
            sbuf_printf(b, "<li>%s: ", labels[k]);
            esc_html(b, req_clist(r, k)[i]);
            sbuf_puts(b, " <a class=\"remove\"");
            put_req_href(b, site, &alt);
            sbuf_puts(b, "><span aria-hidden=\"true\">\xC3\x97</span><span class=\"vh\">Remove"
                         " the filter ");
            sbuf_printf(b, "%s ", labels[k]);
            esc_html(b, req_clist(r, k)[i]);
            sbuf_puts(b, "</span></a></li>\n");
        }
    if (r->after || r->before) {
        search_req alt = *r;

        alt.after = alt.before = NULL;
        alt.offset = 0;
        sbuf_puts(b, "<li>Dates: ");
        if (r->after && r->before && strcmp(r->after, r->before) == 0)
            esc_html(b, r->after);
        else {
            sbuf_puts(b, r->after ? "from " : "");
            esc_html(b, r->after);
            sbuf_puts(b, r->after && r->before ? " " : "");
            sbuf_puts(b, r->before ? "to " : "");
            esc_html(b, r->before);
        }
        sbuf_puts(b, " <a class=\"remove\"");
        put_req_href(b, site, &alt);
        sbuf_puts(b, "><span aria-hidden=\"true\">\xC3\x97</span><span class=\"vh\">Remove the"
                     " date range</span></a></li>\n");
    }
    sbuf_puts(b, "</ul></div>\n");
}

/* ---- the facets ----------------------------------------------------------------- */

static void put_facet(sbuf *b, const serve_site *site, const search_req *r,
                      const eaf_facets *f, eaf_facet kind, const char *heading, int k)
{
    size_t i, n = eaf_facets_count(f, kind);
    int any = 0;

    for (i = 0; i < n; i++) {
        int64_t count = 0;
        const char *v = eaf_facets_value(f, kind, i, &count);
        search_req alt = *r;
        int active;

        if (!v || !*v)
            continue;
        if (kind == EAF_FACET_YEAR) {
            active = r->after && r->before && strcmp(r->after, v) == 0 &&
                     strcmp(r->before, v) == 0;
            alt.after = alt.before = active ? NULL : v;
        } else {
            const char **l = req_list(&alt, k);
            size_t len = list_len(l);

            active = list_has(l, v);
            if (active) {
                size_t j;
                for (j = 0; l[j] && strcmp(l[j], v) != 0; j++)
                    ;
                list_remove(l, j);
            } else if (len < SERVE_MAX_FILTERS) {
                l[len] = v;
                l[len + 1] = NULL;
            } else {
                continue; /* no room for one more */
            }
        }
        alt.offset = 0;
        if (!any) {
            sbuf_printf(b, "<section class=\"facet\"><h3>%s</h3><ul>\n", heading);
            any = 1;
        }
        sbuf_puts(b, "<li><a");
        put_req_href(b, site, &alt);
        if (active)
            sbuf_puts(b, " class=\"on\" aria-current=\"true\"");
        sbuf_puts(b, "><span class=\"v\">");
        esc_html(b, v);
        sbuf_printf(b, "</span> <span class=\"n\">%lld</span>", (long long)count);
        if (active)
            sbuf_puts(b, "<span class=\"vh\"> (in use: select to remove)</span>");
        sbuf_puts(b, "</a></li>\n");
    }
    if (any)
        sbuf_puts(b, "</ul></section>\n");
}

static void put_facets(sbuf *b, const serve_site *site, const search_req *r, const eaf_facets *f,
                       int64_t total)
{
    sbuf_puts(b, "<aside class=\"facets\" aria-labelledby=\"facets-h\">"
                 "<h2 id=\"facets-h\">Narrow the results</h2>\n");
    if (total > FACET_HITS)
        sbuf_puts(b, "<p class=\"facets-of\">Counts of the best " FACET_HITS_TEXT
                     " results</p>\n");
    put_facet(b, site, r, f, EAF_FACET_TOPIC, "Topics", FL_TOPIC);
    put_facet(b, site, r, f, EAF_FACET_COUNTRY, "Countries", FL_COUNTRY);
    put_facet(b, site, r, f, EAF_FACET_AUTHOR, "Authors", FL_AUTHOR);
    put_facet(b, site, r, f, EAF_FACET_YEAR, "Years", -1);
    put_facet(b, site, r, f, EAF_FACET_TAG, "Tags", FL_TAG);
    sbuf_puts(b, "</aside>\n");
}

/* ---- the order and the pages ---------------------------------------------------- */

static void put_sort_links(sbuf *b, const serve_site *site, const search_req *r)
{
    static const char *const labels[EAF_SORT_LAST] = {"Best match", "Newest", "Oldest"};
    int i;

    sbuf_puts(b, "<nav class=\"sort\" aria-label=\"Order\"><span>Order:</span> <ul>");
    for (i = 0; i < EAF_SORT_LAST; i++) {
        search_req alt = *r;

        alt.sort = (eaf_sort)i;
        alt.offset = 0;
        sbuf_puts(b, "<li><a");
        put_req_href(b, site, &alt);
        if (r->sort == (eaf_sort)i)
            sbuf_puts(b, " aria-current=\"true\"");
        sbuf_printf(b, ">%s</a></li>", labels[i]);
    }
    sbuf_puts(b, "</ul></nav>\n");
}

static void put_page_link(sbuf *b, const serve_site *site, const search_req *r, unsigned page,
                          unsigned current)
{
    search_req alt = *r;

    alt.offset = (page - 1) * r->n;
    sbuf_puts(b, "<li><a");
    put_req_href(b, site, &alt);
    if (page == current)
        sbuf_puts(b, " aria-current=\"page\"");
    sbuf_printf(b, "><span class=\"vh\">Page </span>%u</a></li>", page);
}

static void put_pages(sbuf *b, const serve_site *site, const search_req *r, int64_t total)
{
    unsigned n = r->n ? r->n : 10;
    unsigned current = r->offset / n + 1;
    int64_t pages = (total + n - 1) / n;
    unsigned last, p;
    search_req alt = *r;

    /* no page past the largest offset the server takes */
    if (pages > (int64_t)(SERVE_MAX_OFFSET / n + 1))
        pages = SERVE_MAX_OFFSET / n + 1;
    last = (unsigned)pages;
    if (last <= 1 && r->offset == 0)
        return;
    sbuf_puts(b, "<nav class=\"pages\" aria-label=\"Pages\"><ul>");
    if (r->offset > 0) {
        alt.offset = r->offset > n ? r->offset - n : 0;
        sbuf_puts(b, "<li><a rel=\"prev\"");
        put_req_href(b, site, &alt);
        sbuf_puts(b, ">\xE2\x80\xB9 Previous</a></li>");
    }
    for (p = 1; p <= last; p++) {
        if (p == 1 || p == last || (p + PAGE_WINDOW >= current && p <= current + PAGE_WINDOW)) {
            put_page_link(b, site, r, p, current);
        } else if (p == 2 || p == current + PAGE_WINDOW + 1) {
            sbuf_puts(b, "<li class=\"gap\" aria-hidden=\"true\">\xE2\x80\xA6</li>");
        }
    }
    if ((int64_t)r->offset + n < total && r->offset + n <= SERVE_MAX_OFFSET) {
        alt.offset = r->offset + n;
        sbuf_puts(b, "<li><a rel=\"next\"");
        put_req_href(b, site, &alt);
        sbuf_puts(b, ">Next \xE2\x80\xBA</a></li>");
    }
    sbuf_puts(b, "</ul></nav>\n");
}

/* ---- a hit -------------------------------------------------------------------------- */

static int put_hit(sbuf *b, const serve_site *site, eaf_search *s)
{
    const char *key = eaf_search_field(s, EAF_FIELD_KEY);
    const char *url = eaf_search_field(s, EAF_FIELD_URL);
    const char *title = eaf_search_field(s, EAF_FIELD_TITLE);
    const char *date = eaf_search_field(s, EAF_FIELD_DATE);
    const char *snippet = eaf_search_snippet(s);
    const eaf_article *a = NULL;
    size_t i, n;

    if (!key || !snippet || eaf_search_article(&a, s) != EAF_OK)
        return -1;
    sbuf_puts(b, "<li class=\"hit\">\n<h2><a");
    if (url_is_safe(url)) {
        sbuf_puts(b, " href=\"");
        esc_html(b, url);
        sbuf_puts(b, "\"");
    } else {
        pg_put_article_href(b, site, key, NULL);
    }
    sbuf_puts(b, ">");
    if (title && *title)
        esc_html(b, title);
    else
        esc_html(b, key);
    sbuf_puts(b, "</a></h2>\n<p class=\"meta\">");
    if (date)
        pg_put_date(b, date);
    n = eaf_article_author_count(a);
    for (i = 0; i < n; i++) {
        sbuf_puts(b, i ? ", " : date ? " \xC2\xB7 " : "");
        pg_put_author(b, eaf_article_author_name(a, i), eaf_article_author_affiliation(a, i));
    }
    sbuf_puts(b, "</p>\n");
    if (*snippet) {
        sbuf_puts(b, "<p class=\"snippet\">");
        pg_put_snippet(b, snippet);
        sbuf_puts(b, "</p>\n");
    }
    sbuf_puts(b, "<p class=\"more\"><a");
    pg_put_article_href(b, site, key, NULL);
    sbuf_puts(b, ">Details and related posts<span class=\"vh\">: ");
    esc_html(b, title && *title ? title : key);
    sbuf_puts(b, "</span></a></p>\n</li>\n");
    return 0;
}

/* ---- the pages without hits ---------------------------------------------------------- */

static void put_front(sbuf *b, const serve_site *site, eaf_db *db)
{
    int64_t count = 0;

    sbuf_puts(b, "<h1>Search ");
    esc_html(b, pg_site_name(site));
    sbuf_puts(b, "</h1>\n");
    if (eaf_db_count(&count, db) == EAF_OK)
        sbuf_printf(b, "<p>%lld article%s to search, with their related posts.</p>\n",
                    (long long)count, count == 1 ? "" : "s");
    sbuf_puts(b, "<section class=\"help\" aria-labelledby=\"help-h\">"
                 "<h2 id=\"help-h\">How to search</h2>\n<ul>\n"
                 "<li>Type a few words: <kbd>rice tariffs</kbd>. Articles with all of them"
                 " come first.</li>\n"
                 "<li>Quote a phrase: <kbd>\"free trade agreement\"</kbd>.</li>\n"
                 "<li>Leave a word out with a minus: <kbd>trade -china</kbd>; ask for either"
                 " with OR: <kbd>japan OR korea</kbd>.</li>\n"
                 "<li>Search a field: <kbd>author:drysdale</kbd>, <kbd>title:election</kbd>,"
                 " <kbd>date:2018</kbd>.</li>\n"
                 "</ul></section>\n");
}

static void put_nothing(sbuf *b, const serve_site *site, const search_req *r,
                        const char *suggestion)
{
    search_req alt = *r;
    int k;

    sbuf_puts(b, "<div class=\"nothing\">\n<p>No article matches");
    if (*r->q) {
        sbuf_puts(b, " ");
        put_quoted(b, r->q);
    }
    sbuf_puts(b, has_filters(r) ? " with these filters.</p>\n" : ".</p>\n");
    sbuf_puts(b, "<h2>Suggestions</h2>\n<ul>\n");
    if (suggestion) {
        alt.q = suggestion;
        alt.offset = 0;
        sbuf_puts(b, "<li>Search for <a");
        put_req_href(b, site, &alt);
        sbuf_puts(b, ">");
        esc_html(b, suggestion);
        sbuf_puts(b, "</a> instead.</li>\n");
    } else if (*r->q) {
        sbuf_puts(b, "<li>Check the spelling of the words.</li>\n");
    }
    if (*r->q)
        sbuf_puts(b, "<li>Use fewer words, or more general ones.</li>\n"
                     "<li>Join words with OR to find articles with any of them.</li>\n");
    if (has_filters(r)) {
        alt = *r;
        alt.offset = 0;
        for (k = 0; k < FL_LAST; k++)
            req_list(&alt, k)[0] = NULL;
        alt.after = alt.before = NULL;
        sbuf_puts(b, "<li><a");
        put_req_href(b, site, &alt);
        sbuf_puts(b, ">Search again without the filters</a>.</li>\n");
    }
    if (r->offset > 0) {
        alt = *r;
        alt.offset = 0;
        sbuf_puts(b, "<li><a");
        put_req_href(b, site, &alt);
        sbuf_puts(b, ">Go to the first page</a>: this page is past the last hit.</li>\n");
    }
    sbuf_puts(b, "</ul>\n</div>\n");
}

/* ---- the page ------------------------------------------------------------------------- */

static void search_options(eaf_search_options *o, const search_req *r)
{
    o->flags = EAF_SEARCH_SNIPPET_HTML | (r->strict ? EAF_SEARCH_STRICT : 0);
    o->limit = r->n ? r->n : 10;
    o->offset = r->offset;
    o->sort = r->sort;
    o->mark_open = MARK_OPEN;
    o->mark_close = MARK_CLOSE;
    o->ellipsis = " \xE2\x80\xA6 ";
    o->date_from = r->after;
    o->date_to = r->before;
    o->authors = r->authors[0] ? r->authors : NULL;
    o->topics = r->topics[0] ? r->topics : NULL;
    o->countries = r->countries[0] ? r->countries : NULL;
    o->tags = r->tags[0] ? r->tags : NULL;
    o->facet_hits = FACET_HITS;
}

/* The page for a query the library refused (strict syntax, a bad date). */
static int refused(sbuf *out, const serve_site *site, eaf_db *db, const search_req *r,
                   eaf_status st)
{
    sbuf msg = SBUF_INIT;
    int offset = eaf_db_error_offset(db);
    char *text;
    int status;

    sbuf_puts(&msg, eaf_db_errmsg(db));
    if (st == EAF_SYNTAX && offset >= 0)
        sbuf_printf(&msg, " (at character %d of the query)", offset + 1);
    text = sbuf_take(&msg, NULL);
    status = pg_error_page(out, site, pg_status_of(st), text ? text : "the search failed", r->q);
    sbuf_free(&msg);
    free(text);
    return status;
}

int page_search(sbuf *out, const serve_site *site, eaf_db *db, const search_req *r)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    page_head h = {NULL, NULL, NULL, 0};
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    const char *suggestion = NULL, *q = r->q ? r->q : "";
    search_req req = *r;
    int64_t total = 0;
    eaf_status st;
    sbuf title = SBUF_INIT;
    char *title_text;
    size_t start = out->len;

    req.q = q;
    if (req.n == 0)
        req.n = 10;
    h.query = q;
    h.req = &req;
    if (!*q && !has_filters(&req)) {
        pg_layout_begin(out, site, &h);
        put_front(out, site, db);
        pg_layout_end(out, site);
        return 200;
    }
    search_options(&o, &req);
    st = eaf_search_new(&s, db, q, &o);
    if (st == EAF_OK)
        st = eaf_search_total(&total, s);
    if (st == EAF_OK)
        st = eaf_search_suggestion(&suggestion, s);
    if (st == EAF_OK && total > 0)
        st = eaf_search_facets(&f, s, FACET_TOP);
    if (st != EAF_OK) {
        int status = st == EAF_SYNTAX || st == EAF_MISUSE ? refused(out, site, db, &req, st)
                     : pg_error_page(out, site, pg_status_of(st),
                                  pg_status_of(st) == 503 ? NULL : eaf_db_errmsg(db), q);
        eaf_search_free(s);
        return status;
    }

    if (*q)
        sbuf_printf(&title, "%s", q);
    else
        sbuf_puts(&title, "Filtered articles");
    title_text = sbuf_take(&title, NULL);
    h.title = title_text;
    h.noindex = 1;
    pg_layout_begin(out, site, &h);
    free(title_text);

    sbuf_puts(out, "<div class=\"results\">\n<div class=\"hits-col\">\n<h1>");
    if (*q) {
        sbuf_puts(out, "Results for ");
        put_quoted(out, q);
    } else {
        sbuf_puts(out, "Articles");
    }
    sbuf_puts(out, "</h1>\n");
    put_active(out, site, &req);
    put_notes(out, site, &req, s, suggestion);
    if (total == 0 || (int64_t)req.offset >= total) {
        put_nothing(out, site, &req, suggestion);
    } else {
        sbuf_printf(out, "<div class=\"bar\"><p class=\"count\" role=\"status\">%lld article%s",
                    (long long)total, total == 1 ? "" : "s");
        if (total > req.n || req.offset > 0) {
            int64_t end = (int64_t)req.offset + req.n < total ? (int64_t)req.offset + req.n : total;
            sbuf_printf(out, " \xC2\xB7 showing %u\xE2\x80\x93%lld", req.offset + 1,
                        (long long)end);
        }
        sbuf_puts(out, "</p>\n");
        put_sort_links(out, site, &req);
        if (f)
            sbuf_puts(out, "<a class=\"to-facets\" href=\"#facets-h\">Narrow the results</a>\n");
        sbuf_printf(out, "</div>\n<ol class=\"hits\" start=\"%u\">\n", req.offset + 1);
        while ((st = eaf_search_next(s)) == EAF_ROW) {
            if (put_hit(out, site, s) != 0) {
                st = EAF_ERROR;
                break;
            }
        }
        sbuf_puts(out, "</ol>\n");
        if (st != EAF_DONE) {
            /* a failure half-way: the page so far is dropped for an error */
            int status;

            out->len = start;
            if (out->data)
                out->data[start] = '\0';
            status = pg_error_page(out, site, pg_status_of(st == EAF_ERROR ? EAF_IO : st),
                                eaf_db_errmsg(db), q);
            eaf_facets_free(f);
            eaf_search_free(s);
            return status;
        }
        put_pages(out, site, &req, total);
    }
    sbuf_puts(out, "</div>\n");
    if (f)
        put_facets(out, site, &req, f, total);
    sbuf_puts(out, "</div>\n");
    pg_layout_end(out, site);
    eaf_facets_free(f);
    eaf_search_free(s);
    return 200;
}
