/*
 * serve_page.c: the layout every page of eafserve shares (head, header
 * with the search box, footer), the error page, the OpenSearch
 * description, and the small helpers of the other page files.
 *
 * The pages carry no inline script and no style attribute: the server's
 * Content-Security-Policy allows only the stylesheet and the script of
 * /static/.  Every value from outside (an article, a query, the Host
 * header) goes through the escape of its context (serve_text.c).
 */
#include "serve_page.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_NAME "Archive search"

const char *pg_site_name(const serve_site *site)
{
    return site && site->name && *site->name ? site->name : DEFAULT_NAME;
}

const char *pg_site_base(const serve_site *site)
{
    return site && site->base_path ? site->base_path : "";
}

/* ---- statuses ---------------------------------------------------------------- */

int pg_status_of(eaf_status st)
{
    switch (st) {
    case EAF_OK: return 200;
    case EAF_NOTFOUND: return 404;
    case EAF_SYNTAX: return 400;
    case EAF_BUSY: return 503;
    case EAF_TIMEOUT: return 503;
    default: return 500;
    }
}

const char *pg_status_phrase(int status)
{
    switch (status) {
    case 400: return "Bad request";
    case 403: return "Forbidden";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 413: return "Request too large";
    case 414: return "Address too long";
    case 503: return "Service unavailable";
    default: return status >= 500 ? "Server error" : "Error";
    }
}

/* ---- small writers ------------------------------------------------------------- */

void pg_put_article_href(sbuf *b, const serve_site *site, const char *key, const char *query)
{
    sbuf_puts(b, " href=\"");
    esc_html(b, pg_site_base(site));
    sbuf_puts(b, "/article/");
    /* percent-encoding leaves only unreserved characters: nothing left
     * for the attribute's escape to do */
    esc_url(b, key);
    if (query) {
        sbuf_puts(b, "?");
        sbuf_puts(b, query);
    }
    sbuf_puts(b, "\"");
}

void pg_put_author(sbuf *b, const char *name, const char *affiliation)
{
    esc_html(b, name);
    if (affiliation && *affiliation) {
        sbuf_puts(b, " <span class=\"aff\">(");
        esc_html(b, affiliation);
        sbuf_puts(b, ")</span>");
    }
}

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
};

static int digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

void pg_put_date(sbuf *b, const char *date)
{
    size_t n;
    int month = 0, day = 0;

    if (!date)
        return;
    n = strlen(date);
    if ((n == 4 || n == 7 || n == 10) && digits(date, 4)) {
        if (n >= 7 && date[4] == '-' && digits(date + 5, 2))
            month = (date[5] - '0') * 10 + (date[6] - '0');
        if (n == 10 && date[7] == '-' && digits(date + 8, 2))
            day = (date[8] - '0') * 10 + (date[9] - '0');
        if ((n == 4 || (month >= 1 && month <= 12)) && (n < 10 || (day >= 1 && day <= 31))) {
            sbuf_puts(b, "<time datetime=\"");
            esc_html(b, date);
            sbuf_puts(b, "\">");
            if (day)
                sbuf_printf(b, "%d ", day);
            if (month)
                sbuf_printf(b, "%s ", month_names[month - 1]);
            sbuf_add(b, date, 4);
            sbuf_puts(b, "</time>");
            return;
        }
    }
    esc_html(b, date);
}

/* The snippet's text between markers: < > " ' escaped (again: the library
 * has done so), an & kept only where it starts a character reference the
 * library wrote, control characters and bad bytes cleaned. */
void pg_put_snippet(sbuf *b, const char *s)
{
    size_t n, i = 0;
    size_t lo = strlen(MARK_OPEN), lc = strlen(MARK_CLOSE);

    if (!s)
        return;
    n = strlen(s);
    while (i < n) {
        const unsigned char *c = (const unsigned char *)s + i;
        size_t len;

        if (strncmp(s + i, MARK_OPEN, lo) == 0) {
            sbuf_puts(b, MARK_OPEN);
            i += lo;
            continue;
        }
        if (strncmp(s + i, MARK_CLOSE, lc) == 0) {
            sbuf_puts(b, MARK_CLOSE);
            i += lc;
            continue;
        }
        len = eaf_utf8_char(s + i, n - i);
        if (len == 0) {
            sbuf_puts(b, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (len == 1) {
            size_t j = i + 1;

            switch (c[0]) {
            case '<': sbuf_puts(b, "&lt;"); break;
            case '>': sbuf_puts(b, "&gt;"); break;
            case '"': sbuf_puts(b, "&quot;"); break;
            case '\'': sbuf_puts(b, "&#39;"); break;
            case '&':
                if (j < n && s[j] == '#')
                    j++;
                while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') ||
                                 (s[j] >= '0' && s[j] <= '9')))
                    j++;
                sbuf_puts(b, j > i + 1 && j < n && s[j] == ';' ? "&" : "&amp;");
                break;
            default:
                if (c[0] >= 0x20 && c[0] != 0x7F)
                    sbuf_add(b, s + i, 1);
                else if (c[0] == '\t' || c[0] == '\n' || c[0] == '\r')
                    sbuf_puts(b, " ");
                break;
            }
        } else if (!(len == 2 && c[0] == 0xC2 && c[1] < 0xA0)) {
            sbuf_add(b, s + i, len);
        }
        i += len;
    }
}

/* ---- the layout ------------------------------------------------------------------ */

void pg_search_form(sbuf *b, const serve_site *site, const char *query, const search_req *r)
{
    const char *base = pg_site_base(site);
    int i, options = r && (r->sort != EAF_SORT_RELEVANCE || r->after || r->before);
    static const char *const sorts[EAF_SORT_LAST] = {"relevance", "newest", "oldest"};
    static const char *const sort_labels[EAF_SORT_LAST] = {
        "Best match", "Newest first", "Oldest first"};
    const char *const *lists[4];
    static const char *const names[4] = {"author", "topic", "country", "tag"};
    int k;

    sbuf_puts(b, "<form class=\"search\" role=\"search\" method=\"get\" action=\"");
    esc_html(b, base);
    sbuf_puts(b, "/\" data-suggest=\"");
    esc_html(b, base);
    sbuf_puts(b, "/api/suggest\" data-article=\"");
    esc_html(b, base);
    sbuf_puts(b, "/article/\">\n"
                 "<label for=\"q\" class=\"vh\">Search the archive</label>\n"
                 "<div class=\"box\"><input type=\"search\" id=\"q\" name=\"q\" value=\"");
    esc_html(b, query);
    sbuf_printf(b, "\" maxlength=\"%d\" autocomplete=\"off\" spellcheck=\"false\""
                   " placeholder=\"Words, &quot;a phrase&quot;, author:name\">"
                   "<button type=\"submit\">Search</button></div>\n",
                SERVE_MAX_QUERY);
    if (r) {
        /* the filters in force go with a new query; each has its link to
         * remove it on the page */
        lists[0] = r->authors;
        lists[1] = r->topics;
        lists[2] = r->countries;
        lists[3] = r->tags;
        for (k = 0; k < 4; k++)
            for (i = 0; lists[k][i]; i++) {
                sbuf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"", names[k]);
                esc_html(b, lists[k][i]);
                sbuf_puts(b, "\">\n");
            }
        sbuf_printf(b, "<details class=\"options\"%s><summary>Order and dates</summary>\n"
                       "<div class=\"fields\">\n"
                       "<label for=\"sort\">Order</label><select id=\"sort\" name=\"sort\">",
                    options ? " open" : "");
        for (i = 0; i < EAF_SORT_LAST; i++)
            sbuf_printf(b, "<option value=\"%s\"%s>%s</option>", sorts[i],
                        r->sort == (eaf_sort)i ? " selected" : "", sort_labels[i]);
        sbuf_puts(b, "</select>\n<label for=\"after\">From</label>"
                     "<input id=\"after\" name=\"after\" size=\"10\" maxlength=\"10\""
                     " inputmode=\"numeric\" placeholder=\"YYYY-MM-DD\" value=\"");
        esc_html(b, r->after);
        sbuf_puts(b, "\">\n<label for=\"before\">To</label>"
                     "<input id=\"before\" name=\"before\" size=\"10\" maxlength=\"10\""
                     " inputmode=\"numeric\" placeholder=\"YYYY-MM-DD\" value=\"");
        esc_html(b, r->before);
        sbuf_puts(b, "\">\n<button type=\"submit\">Apply</button>\n</div>\n</details>\n");
    }
    sbuf_puts(b, "</form>\n");
}

void pg_layout_begin(sbuf *b, const serve_site *site, const page_head *h)
{
    const char *base = pg_site_base(site);

    sbuf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>");
    if (h->title) {
        esc_html(b, h->title);
        sbuf_puts(b, " \xE2\x80\x93 ");
    }
    esc_html(b, pg_site_name(site));
    sbuf_puts(b, "</title>\n");
    if (h->noindex)
        sbuf_puts(b, "<meta name=\"robots\" content=\"noindex\">\n");
    sbuf_puts(b, "<link rel=\"stylesheet\" href=\"");
    esc_html(b, base);
    sbuf_puts(b, "/static/style.css\">\n"
                 "<link rel=\"search\" type=\"application/opensearchdescription+xml\" title=\"");
    esc_html(b, pg_site_name(site));
    sbuf_puts(b, "\" href=\"");
    esc_html(b, base);
    sbuf_puts(b, "/opensearch.xml\">\n<script src=\"");
    esc_html(b, base);
    sbuf_puts(b, "/static/complete.js\" defer></script>\n</head>\n<body>\n"
                 "<a class=\"skip\" href=\"#main\">Skip to the content</a>\n"
                 "<header class=\"site\">\n");
    if (site && site->header_html) {
        /* the site owner's own fragment, trusted as it is */
        sbuf_puts(b, site->header_html);
        sbuf_puts(b, "\n");
    } else {
        sbuf_puts(b, "<a class=\"brand\" href=\"");
        esc_html(b, base);
        sbuf_puts(b, "/\">");
        if (site && site->logo_url && url_is_safe(site->logo_url)) {
            sbuf_puts(b, "<img src=\"");
            esc_html(b, site->logo_url);
            sbuf_puts(b, "\" alt=\"\" height=\"32\">");
        }
        sbuf_puts(b, "<span>");
        esc_html(b, pg_site_name(site));
        sbuf_puts(b, "</span></a>\n");
    }
    pg_search_form(b, site, h->query, h->req);
    sbuf_puts(b, "</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

void pg_layout_end(sbuf *b, const serve_site *site)
{
    sbuf_puts(b, "</main>\n<footer class=\"site\">\n");
    if (site && site->footer_html) {
        sbuf_puts(b, site->footer_html);
        sbuf_puts(b, "\n");
    } else {
        sbuf_puts(b, "<p>Search and related posts by libeafsearch ");
        esc_html(b, eaf_version());
        sbuf_puts(b, ". <a href=\"");
        esc_html(b, pg_site_base(site));
        sbuf_puts(b, "/api/openapi.json\">JSON API</a></p>\n");
    }
    sbuf_puts(b, "</footer>\n</body>\n</html>\n");
}

/* ---- the error page ------------------------------------------------------------------ */

int pg_error_page(sbuf *out, const serve_site *site, int status, const char *message,
               const char *query)
{
    page_head h = {NULL, NULL, NULL, 1};
    char title[64];

    snprintf(title, sizeof(title), "%d %s", status, pg_status_phrase(status));
    h.title = title;
    h.query = query;
    pg_layout_begin(out, site, &h);
    sbuf_puts(out, "<h1>");
    esc_html(out, pg_status_phrase(status));
    sbuf_puts(out, "</h1>\n<p class=\"error\">");
    if (status == 503 && (!message || !*message))
        sbuf_puts(out, "The search ran past the server's time limit.");
    else if (message && *message)
        esc_html(out, message);
    else if (status == 404)
        sbuf_puts(out, "There is no page at this address.");
    else
        sbuf_puts(out, "The request could not be answered.");
    sbuf_puts(out, "</p>\n");
    if (status == 503)
        sbuf_puts(out, "<p>The server is busy or the search took too long. Try again in a"
                       " moment, or with fewer or more precise words.</p>\n");
    sbuf_puts(out, "<p><a href=\"");
    esc_html(out, pg_site_base(site));
    sbuf_puts(out, "/\">Start a new search</a></p>\n");
    pg_layout_end(out, site);
    return status;
}

int page_error(sbuf *out, const serve_site *site, int status, const char *message)
{
    return pg_error_page(out, site, status, message, NULL);
}

/* ---- OpenSearch ------------------------------------------------------------------------ */

/* s escaped, at most max characters of it (a reference such as &amp; is
 * one), and no space at the end. */
static void put_short(sbuf *b, const char *s, size_t max)
{
    sbuf tmp = SBUF_INIT;
    size_t n, i = 0, chars = 0, keep = 0;

    esc_html(&tmp, s); /* cleans first: then the text is valid UTF-8 */
    n = tmp.len;
    while (i < n && chars < max) {
        size_t len;

        if (tmp.data[i] == '&') {
            const char *semi = strchr(tmp.data + i, ';');
            len = semi ? (size_t)(semi - (tmp.data + i)) + 1 : 1;
        } else {
            len = eaf_utf8_char(tmp.data + i, n - i);
            if (len == 0)
                len = 1;
        }
        i += len;
        chars++;
        if (tmp.data[i - 1] != ' ')
            keep = i;
    }
    if (tmp.data)
        sbuf_add(b, tmp.data, keep);
    if (tmp.failed)
        b->failed = 1;
    sbuf_free(&tmp);
}

int page_opensearch(sbuf *out, const serve_site *site, const char *origin)
{
    const char *root = site && site->public_url ? site->public_url : NULL;
    const char *base = pg_site_base(site);

    sbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n"
                   "<ShortName>");
    /* the specification allows 16 characters */
    put_short(out, pg_site_name(site), 16);
    sbuf_puts(out, "</ShortName>\n<Description>Search ");
    esc_html(out, pg_site_name(site));
    sbuf_puts(out, "</Description>\n<InputEncoding>UTF-8</InputEncoding>\n"
                   "<Url type=\"text/html\" method=\"get\" template=\"");
    if (root)
        esc_html(out, root);
    else {
        esc_html(out, origin);
        esc_html(out, base);
    }
    sbuf_puts(out, "/?q={searchTerms}\"/>\n"
                   "<Url type=\"application/opensearchdescription+xml\" rel=\"self\" template=\"");
    if (root)
        esc_html(out, root);
    else {
        esc_html(out, origin);
        esc_html(out, base);
    }
    sbuf_puts(out, "/opensearch.xml\"/>\n</OpenSearchDescription>\n");
    return 200;
}
