/*
 * serve.h: what eafserve's parts share.
 *
 *   eafserve.c     the program: options, the libmicrohttpd daemon, one read
 *                  handle per worker thread, signals, the access log
 *   serve_req.c    a request's parameters (search_req) read from the query
 *                  string, and the JSON API (/api/...)
 *   serve_page.c   the HTML pages, the related-posts fragment, the
 *                  OpenSearch description, the stylesheet and the script
 *   serve_text.c   the output buffer and the escapes, one per context
 *
 * The pages and the API use only the public API of libeafsearch.
 */
#ifndef EAF_TOOLS_SERVE_H
#define EAF_TOOLS_SERVE_H

#include <stdarg.h>
#include <stddef.h>

#include "eafsearch.h"

/* ---- the output buffer (serve_text.c) ---------------------------------------
 *
 * A growing byte string.  A failed allocation sets failed and makes every
 * later addition a no-op, so that callers check once, at the end.
 */
typedef struct sbuf {
    char *data;     /* NUL-terminated when not NULL */
    size_t len, cap;
    int failed;     /* an allocation failed: the content is incomplete */
} sbuf;

#define SBUF_INIT { NULL, 0, 0, 0 }

void sbuf_add(sbuf *b, const char *s, size_t n);
void sbuf_puts(sbuf *b, const char *s);
void sbuf_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void sbuf_vprintf(sbuf *b, const char *fmt, va_list ap);
/* Hands the content over (NULL when empty or failed); b is empty after. */
char *sbuf_take(sbuf *b, size_t *len_out);
void sbuf_free(sbuf *b);

/* ---- escapes, one per context (serve_text.c) -------------------------------
 *
 * Each takes UTF-8 from outside (an article, a query) and writes it safe for
 * its context; invalid UTF-8 becomes U+FFFD, other control characters than
 * tab and line breaks are dropped.  NULL writes nothing.
 */

/* HTML text and quoted attribute values: & < > " ' escaped. */
void esc_html(sbuf *b, const char *s);
/* A URL's query component: all but unreserved characters percent-encoded. */
void esc_url(sbuf *b, const char *s);
/* A JSON string (with its quotes) that may sit inside a <script> element:
 * < > & and U+2028/U+2029 as \uXXXX too. */
void esc_json(sbuf *b, const char *s);
/* Is url safe as a link's href: http:, https:, or a path with no scheme
 * (javascript:, data: and the like are not)? */
int url_is_safe(const char *url);

/* ---- the site (eafserve.c fills it from its options) ------------------------ */

typedef struct serve_site {
    const char *name;        /* the site's name, in titles and the header */
    const char *base_path;   /* where the pages are mounted: "" or "/search"
                                (no trailing slash) */
    const char *logo_url;    /* NULL: none */
    const char *header_html; /* trusted fragments, read from files at start;
                                NULL: the default header / footer */
    const char *footer_html;
    const char *public_url;  /* absolute URL of base_path for OpenSearch and
                                the embed snippet; NULL: from the Host header */
} serve_site;

/* ---- a search request (parsed in serve_req.c; the pages build links back) ----
 *
 * The query-string parameters, the same for /api/search and the page at /:
 *   q         the query
 *   n         hits per page (1 to SERVE_MAX_N; default 10)
 *   offset    hits skipped (0 to SERVE_MAX_OFFSET)
 *   sort      relevance | newest | oldest
 *   after     date from (YYYY, YYYY-MM or YYYY-MM-DD)
 *   before    date to
 *   author, topic, country, tag   filters, each repeatable (any of)
 *   facets    0 or 1 (the pages always ask for facets)
 *   strict    0 or 1
 *   fields    (API only) members, comma-separated, as eafquery --fields
 *   explain   (API only) 0 or 1
 */
#define SERVE_MAX_N 100
#define SERVE_MAX_OFFSET 10000
#define SERVE_MAX_QUERY 1024     /* bytes of q */
#define SERVE_MAX_FILTERS 16     /* values of each filter */

typedef struct search_req {
    const char *q;           /* "" when absent */
    unsigned n, offset;
    eaf_sort sort;
    const char *after, *before;  /* NULL: open */
    const char *authors[SERVE_MAX_FILTERS + 1];   /* NULL-terminated */
    const char *topics[SERVE_MAX_FILTERS + 1];
    const char *countries[SERVE_MAX_FILTERS + 1];
    const char *tags[SERVE_MAX_FILTERS + 1];
    int facets;
    int strict;
} search_req;

/* ---- the pages (serve_page.c) ------------------------------------------------
 *
 * Each writes a whole response body into out and returns the HTTP status
 * (200, 400, 404, 503 ...); on a status other than 200 the body is a page
 * saying what went wrong.  db is the worker's read handle.
 */
int page_search(sbuf *out, const serve_site *site, eaf_db *db, const search_req *r);
int page_article(sbuf *out, const serve_site *site, eaf_db *db, const char *key,
                 int why);
/* The related posts of key as an HTML fragment, for a site to put under
 * its own article (the embed). */
int page_related_fragment(sbuf *out, const serve_site *site, eaf_db *db,
                          const char *key);
/* The OpenSearch description; origin is "https://host[:port]". */
int page_opensearch(sbuf *out, const serve_site *site, const char *origin);
/* A page for an error status (404 for a path that is not ours, ...). */
int page_error(sbuf *out, const serve_site *site, int status, const char *message);
/* page_article, told the request's origin ("https://host[:port]", or
 * NULL): the embed snippet it shows to copy needs an absolute address,
 * site->public_url when set, else this origin and the base path (with
 * neither, the snippet has the path alone and says so).  page_article is
 * this with origin NULL.  (Added with the pages.) */
int page_article_at(sbuf *out, const serve_site *site, eaf_db *db, const char *key,
                    int why, const char *origin);

/* The static assets, served under base_path/static/. */
extern const char serve_stylesheet[];   /* style.css */
extern const char serve_script[];       /* complete.js: the search box's completion */

#endif
