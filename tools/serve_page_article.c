/*
 * serve_page_article.c: the page of one article (/article/KEY: its
 * metadata, summary and related posts, with the reasons on request, and
 * the snippet a site owner copies to embed the list), and the embeddable
 * related-posts document itself (/embed/related/KEY).
 */
#include "serve_page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMBED_HEIGHT 360   /* the iframe's height in the snippet, in pixels */

/* href="BASE/?PARAM=VALUE": a search filtered to one value. */
static void put_filter_href(sbuf *b, const serve_site *site, const char *param, const char *value)
{
    sbuf_puts(b, " href=\"");
    esc_html(b, pg_site_base(site));
    sbuf_printf(b, "/?%s=", param);
    esc_url(b, value);
    sbuf_puts(b, "\"");
}

static void put_tag_row(sbuf *b, const serve_site *site, const eaf_article *a, eaf_tag_kind kind,
                        const char *label, const char *param)
{
    size_t i, n = eaf_article_tag_count(a, kind);

    if (n == 0)
        return;
    sbuf_printf(b, "<dt>%s</dt><dd><ul>", label);
    for (i = 0; i < n; i++) {
        sbuf_puts(b, "<li><a");
        put_filter_href(b, site, param, eaf_article_tag(a, kind, i));
        sbuf_puts(b, ">");
        esc_html(b, eaf_article_tag(a, kind, i));
        sbuf_puts(b, "</a></li>");
    }
    sbuf_puts(b, "</ul></dd>\n");
}

static void put_metadata(sbuf *b, const serve_site *site, const eaf_article *a)
{
    const char *title = eaf_article_get(a, EAF_FIELD_TITLE);
    const char *date = eaf_article_get(a, EAF_FIELD_DATE);
    const char *summary = eaf_article_get(a, EAF_FIELD_SUMMARY);
    const char *url = eaf_article_get(a, EAF_FIELD_URL);
    const char *key = eaf_article_get(a, EAF_FIELD_KEY);
    size_t i, n = eaf_article_author_count(a);

    sbuf_puts(b, "<article class=\"article\">\n<h1>");
    esc_html(b, title && *title ? title : key);
    sbuf_puts(b, "</h1>\n");
    if (date) {
        sbuf_puts(b, "<p class=\"meta\">");
        pg_put_date(b, date);
        sbuf_puts(b, "</p>\n");
    }
    if (n) {
        sbuf_puts(b, "<p class=\"authors\">By ");
        for (i = 0; i < n; i++) {
            const char *aff = eaf_article_author_affiliation(a, i);

            sbuf_puts(b, i == 0 ? "" : i + 1 == n ? " and " : ", ");
            sbuf_puts(b, "<a");
            put_filter_href(b, site, "author", eaf_article_author_name(a, i));
            sbuf_puts(b, ">");
            esc_html(b, eaf_article_author_name(a, i));
            sbuf_puts(b, "</a>");
            if (aff && *aff) {
                sbuf_puts(b, " <span class=\"aff\">(");
                esc_html(b, aff);
                sbuf_puts(b, ")</span>");
            }
        }
        sbuf_puts(b, "</p>\n");
    }
    if (eaf_article_tag_count(a, EAF_TAG_TOPIC) + eaf_article_tag_count(a, EAF_TAG_COUNTRY) +
        eaf_article_tag_count(a, EAF_TAG_OTHER) > 0) {
        sbuf_puts(b, "<dl class=\"tags\">\n");
        put_tag_row(b, site, a, EAF_TAG_TOPIC, "Topics", "topic");
        put_tag_row(b, site, a, EAF_TAG_COUNTRY, "Countries", "country");
        put_tag_row(b, site, a, EAF_TAG_OTHER, "Tags", "tag");
        sbuf_puts(b, "</dl>\n");
    }
    if (summary && *summary) {
        sbuf_puts(b, "<p class=\"summary\">");
        esc_html(b, summary);
        sbuf_puts(b, "</p>\n");
    }
    if (url_is_safe(url)) {
        sbuf_puts(b, "<p class=\"original\"><a href=\"");
        esc_html(b, url);
        sbuf_puts(b, "\">Read the whole article</a> <span class=\"url\">");
        esc_html(b, url);
        sbuf_puts(b, "</span></p>\n");
    }
    sbuf_puts(b, "</article>\n");
}

/* ---- the related posts ------------------------------------------------------------- */

/* What related article i shares with the source, as a list: "Topics:
 * Trade" ... and the library's line with the shares of the score. */
static void put_why(sbuf *b, eaf_related *r, size_t i)
{
    static const char *const labels[EAF_REASON_LAST] = {
        "Topics", "Countries", "Tags", "Authors", "Words"};
    const char *why = NULL;
    int k, any = 0;

    for (k = 0; k < EAF_REASON_LAST; k++) {
        size_t j, n = 0;

        if (eaf_related_shared_count(&n, r, i, (eaf_related_reason)k) != EAF_OK || n == 0)
            continue;
        sbuf_puts(b, any ? "" : "<dl class=\"why\">");
        any = 1;
        sbuf_printf(b, "<dt>%s in common</dt><dd>", labels[k]);
        for (j = 0; j < n; j++) {
            const char *v = NULL;

            if (eaf_related_shared(&v, r, i, (eaf_related_reason)k, j) != EAF_OK)
                break;
            sbuf_puts(b, j ? ", " : "");
            esc_html(b, v);
        }
        sbuf_puts(b, "</dd>");
    }
    if (any)
        sbuf_puts(b, "</dl>");
    if (eaf_related_explain(&why, r, i) == EAF_OK && why) {
        sbuf_puts(b, "<p class=\"score\">");
        esc_html(b, why);
        sbuf_puts(b, "</p>");
    }
}

/*
 * The related list of key: on the article page (embed 0) links to their
 * pages here, with the reasons when why; in the embed, links to the
 * articles' own urls when safe, for the reader's whole window.  Returns
 * the status of the list (the page shows a note when it could not be made).
 */
static eaf_status put_related(sbuf *b, const serve_site *site, eaf_db *db, const char *key,
                              int why, int embed)
{
    eaf_related *r = NULL;
    eaf_status st = eaf_related_new(&r, db, key, NULL);
    size_t i, n;

    if (st != EAF_OK)
        return st;
    n = eaf_related_count(r);
    if (n == 0) {
        sbuf_puts(b, "<p>No related posts.</p>\n");
        eaf_related_free(r);
        return EAF_OK;
    }
    sbuf_puts(b, "<ol class=\"related-list\">\n");
    for (i = 0; i < n; i++) {
        const char *rkey = eaf_related_key(r, i);
        const char *title = eaf_related_title(r, i);
        eaf_article *a = NULL;
        const char *url = NULL, *date = NULL;

        if (!rkey)
            continue;
        if (eaf_db_get(&a, db, rkey) == EAF_OK) {
            url = eaf_article_get(a, EAF_FIELD_URL);
            date = eaf_article_get(a, EAF_FIELD_DATE);
        }
        sbuf_puts(b, "<li><a");
        if (embed && url_is_safe(url)) {
            sbuf_puts(b, " href=\"");
            esc_html(b, url);
            sbuf_puts(b, "\"");
        } else {
            pg_put_article_href(b, site, rkey, NULL);
        }
        if (embed)
            sbuf_puts(b, " target=\"_top\"");
        sbuf_puts(b, ">");
        esc_html(b, title && *title ? title : rkey);
        sbuf_puts(b, "</a>");
        if (date) {
            sbuf_puts(b, " <span class=\"date\">");
            pg_put_date(b, date);
            sbuf_puts(b, "</span>");
        }
        if (why)
            put_why(b, r, i);
        sbuf_puts(b, "</li>\n");
        eaf_article_free(a);
    }
    sbuf_puts(b, "</ol>\n");
    eaf_related_free(r);
    return EAF_OK;
}

/* The snippet to copy: an iframe of the embed, at an absolute address
 * (public_url, else the request's origin and the base path; with neither,
 * the path alone, which the owner completes). */
static void put_embed_code(sbuf *b, const serve_site *site, const char *key, const char *origin)
{
    sbuf code = SBUF_INIT;
    char *text;

    sbuf_puts(&code, "<iframe src=\"");
    if (site && site->public_url) {
        esc_html(&code, site->public_url);
    } else {
        esc_html(&code, origin);
        esc_html(&code, pg_site_base(site));
    }
    sbuf_puts(&code, "/embed/related/");
    esc_url(&code, key);
    sbuf_printf(&code, "\" title=\"Related posts\" width=\"100%%\" height=\"%d\""
                       " loading=\"lazy\"></iframe>", EMBED_HEIGHT);
    text = sbuf_take(&code, NULL);
    if (!text) {
        b->failed = 1;
        return;
    }
    sbuf_puts(b, "<section class=\"embed-code\" aria-labelledby=\"embed-h\">\n"
                 "<h2 id=\"embed-h\">Show these related posts on your site</h2>\n"
                 "<p><label for=\"embed\">Paste this under the article on your own"
                 " site:</label></p>\n<textarea id=\"embed\" readonly rows=\"3\">");
    /* the code is text inside the textarea: escaped once more */
    esc_html(b, text);
    sbuf_puts(b, "</textarea>\n");
    if (!(site && site->public_url) && !origin)
        sbuf_puts(b, "<p>Put this server's address before the path.</p>\n");
    sbuf_puts(b, "<p><a href=\"");
    esc_html(b, pg_site_base(site));
    sbuf_puts(b, "/embed/related/");
    esc_url(b, key);
    sbuf_puts(b, "\">Preview the embedded list</a></p>\n</section>\n");
    free(text);
}

int page_article_at(sbuf *out, const serve_site *site, eaf_db *db, const char *key, int why,
                    const char *origin)
{
    eaf_article *a = NULL;
    eaf_status st = key && *key ? eaf_db_get(&a, db, key) : EAF_NOTFOUND;
    page_head h = {NULL, NULL, NULL, 0};
    const char *title;

    if (st == EAF_NOTFOUND)
        return page_error(out, site, 404, "No article has this key.");
    if (st != EAF_OK)
        return page_error(out, site, pg_status_of(st), eaf_db_errmsg(db));
    title = eaf_article_get(a, EAF_FIELD_TITLE);
    h.title = title && *title ? title : key;
    pg_layout_begin(out, site, &h);
    put_metadata(out, site, a);

    sbuf_puts(out, "<section class=\"related\" aria-labelledby=\"related-h\">\n"
                   "<h2 id=\"related-h\">Related posts</h2>\n");
    st = put_related(out, site, db, key, why, 0);
    if (st != EAF_OK) {
        sbuf_puts(out, "<p class=\"error\">The related posts could not be found: ");
        esc_html(out, eaf_db_errmsg(db));
        sbuf_puts(out, "</p>\n");
    } else {
        sbuf_puts(out, "<p class=\"why-link\"><a");
        pg_put_article_href(out, site, key, why ? NULL : "why=1");
        sbuf_puts(out, why ? ">Hide the reasons</a></p>\n" : ">Why these posts?</a></p>\n");
    }
    sbuf_puts(out, "</section>\n");
    put_embed_code(out, site, key, origin);
    pg_layout_end(out, site);
    eaf_article_free(a);
    return 200;
}

int page_article(sbuf *out, const serve_site *site, eaf_db *db, const char *key, int why)
{
    return page_article_at(out, site, db, key, why, NULL);
}

int page_related_fragment(sbuf *out, const serve_site *site, eaf_db *db, const char *key)
{
    eaf_article *a = NULL;
    eaf_status st = key && *key ? eaf_db_get(&a, db, key) : EAF_NOTFOUND;
    size_t start = out->len;

    sbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>Related posts</title>\n<meta name=\"robots\" content=\"noindex\">\n"
                   "<link rel=\"stylesheet\" href=\"");
    esc_html(out, pg_site_base(site));
    sbuf_puts(out, "/static/style.css\">\n</head>\n<body class=\"embed\">\n<main>\n"
                   "<h1>Related posts</h1>\n");
    if (st == EAF_OK)
        st = put_related(out, site, db, key, 0, 1);
    if (st != EAF_OK) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        sbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                       "<title>Related posts</title>\n</head>\n<body class=\"embed\">\n<main>\n"
                       "<p>");
        sbuf_puts(out, st == EAF_NOTFOUND ? "No article has this key."
                                          : "The related posts could not be found.");
        sbuf_puts(out, "</p>\n");
    }
    sbuf_puts(out, "</main>\n</body>\n</html>\n");
    eaf_article_free(a);
    return pg_status_of(st);
}
