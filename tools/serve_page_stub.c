/*
 * serve_page_stub.c: stand-ins for the pages of serve.h (serve_page.c, on
 * its own branch), so that eafserve builds and its HTTP tests run before
 * the pages are merged.  Each answers with a bare page of the right
 * status; the merge replaces this file with serve_page.c in Makefile.am.
 */
#include "serve.h"

#include <string.h>

static void stub_page(sbuf *out, const serve_site *site, const char *title, const char *text)
{
    sbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    esc_html(out, title);
    sbuf_puts(out, " - ");
    esc_html(out, site->name);
    sbuf_puts(out, "</title></head><body><main><h1>");
    esc_html(out, title);
    sbuf_puts(out, "</h1><p>");
    esc_html(out, text);
    sbuf_puts(out, "</p></main></body></html>\n");
}

int page_search(sbuf *out, const serve_site *site, eaf_db *db, const search_req *r)
{
    eaf_search *s = NULL;
    int64_t total = 0;

    if (!*r->q) {
        stub_page(out, site, "Search", "");
        return 200;
    }
    if (eaf_search_new(&s, db, r->q, NULL) != EAF_OK || eaf_search_total(&total, s) != EAF_OK) {
        eaf_search_free(s);
        stub_page(out, site, "Error", eaf_db_errmsg(db));
        return 503;
    }
    eaf_search_free(s);
    stub_page(out, site, r->q, total ? "articles match" : "no article matches");
    return 200;
}

int page_article(sbuf *out, const serve_site *site, eaf_db *db, const char *key, int why)
{
    eaf_article *a = NULL;
    eaf_status st = eaf_db_get(&a, db, key);

    (void)why;
    if (st != EAF_OK) {
        stub_page(out, site, "Not found", "no article has this key");
        return st == EAF_NOTFOUND ? 404 : 503;
    }
    stub_page(out, site, eaf_article_get(a, EAF_FIELD_TITLE), eaf_article_get(a, EAF_FIELD_SUMMARY));
    eaf_article_free(a);
    return 200;
}

int page_related_fragment(sbuf *out, const serve_site *site, eaf_db *db, const char *key)
{
    eaf_related *r = NULL;
    eaf_status st = eaf_related_new(&r, db, key, NULL);

    if (st != EAF_OK) {
        stub_page(out, site, "Not found", "no article has this key");
        return st == EAF_NOTFOUND ? 404 : 503;
    }
    stub_page(out, site, "Related", eaf_related_count(r) ? eaf_related_title(r, 0) : "");
    eaf_related_free(r);
    return 200;
}

int page_opensearch(sbuf *out, const serve_site *site, const char *origin)
{
    sbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">"
                   "<ShortName>");
    esc_html(out, site->name);
    sbuf_puts(out, "</ShortName><Url type=\"text/html\" template=\"");
    esc_html(out, origin);
    esc_html(out, site->base_path);
    sbuf_puts(out, "/?q={searchTerms}\"/></OpenSearchDescription>\n");
    return 200;
}

int page_error(sbuf *out, const serve_site *site, int status, const char *message)
{
    stub_page(out, site, "Error", message);
    return status;
}

const char serve_stylesheet[] = "body { font-family: sans-serif; }\n";
const char serve_script[] = "/* completion: none in the stub */\n";
