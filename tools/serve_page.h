/*
 * serve_page.h: what the parts of eafserve's pages share (serve_page.c
 * the layout, the error page and OpenSearch; serve_page_search.c the
 * search page; serve_page_article.c the article page and the embed).
 * Not part of serve.h: the server needs only the page functions.  Every
 * name here starts with pg_, apart from those of the server's files.
 */
#ifndef EAF_TOOLS_SERVE_PAGE_H
#define EAF_TOOLS_SERVE_PAGE_H

#include "serve.h"

/* What a page puts in the layout around its content. */
typedef struct page_head {
    const char *title;      /* the page's own title, before the site's name;
                               NULL: the site's name alone */
    const char *query;      /* the text in the header's search box */
    const search_req *req;  /* the results page's request: the box keeps
                               its filters and shows its options; or NULL */
    int noindex;            /* ask robots not to index (results pages) */
} page_head;

/* The site's name, never NULL. */
const char *pg_site_name(const serve_site *site);
/* The base path, never NULL ("" at the root). */
const char *pg_site_base(const serve_site *site);

/* The page up to the start of <main>'s content, and from its end. */
void pg_layout_begin(sbuf *b, const serve_site *site, const page_head *h);
void pg_layout_end(sbuf *b, const serve_site *site);

/* The search box: with req (the results page), its hidden filters and the
 * options (sort, date range) go with it. */
void pg_search_form(sbuf *b, const serve_site *site, const char *query, const search_req *req);

/* href="BASE/article/KEY", the key percent-encoded, HTML-escaped; with
 * query (not NULL: "why=1", trusted), "?query" after it. */
void pg_put_article_href(sbuf *b, const serve_site *site, const char *key, const char *query);

/* An author's name with its affiliation: "Name (Affiliation)", escaped. */
void pg_put_author(sbuf *b, const char *name, const char *affiliation);

/* A date as people read it: "16 May 2018", "May 2018", "2018"; the value
 * itself (escaped) when it is none of those. */
void pg_put_date(sbuf *b, const char *date);

/* The HTTP status of a failed library call, and the message for it. */
int pg_status_of(eaf_status st);
const char *pg_status_phrase(int status);

/* A page in the layout saying what went wrong: like page_error, with the
 * query put back in the box. */
int pg_error_page(sbuf *out, const serve_site *site, int status, const char *message,
               const char *query);

/* Text as an HTML-escaped snippet from the library (EAF_SEARCH_SNIPPET_HTML,
 * <mark> markers): the markers are kept, anything else that could be
 * markup is escaped again (the library escapes already: this keeps a page
 * safe should it ever not), and control characters and bad UTF-8 cleaned. */
void pg_put_snippet(sbuf *b, const char *snippet);

#define MARK_OPEN "<mark>"
#define MARK_CLOSE "</mark>"

#endif
