/*
 * test_serve_page.c: eafserve's pages rendered straight from their
 * functions (tools/serve_page*.c) on a small index made here, with
 * hostile articles and queries, and its escapes (tools/serve_text.c).
 *
 * Every page goes through check_markup(), a strict reader of the markup
 * the pages write: only the elements the pages use, attributes double
 * quoted, no event attribute, no style attribute, no inline script, no
 * javascript: link, every element closed in order, ids unique, headings
 * in order, valid UTF-8.  Hostile text that escaped its escape would show
 * up there as an unknown element, an attribute out of place or a raw '<'.
 *
 *   test_serve_page --render DIR   writes the fixture index (DIR/index.db)
 *                                  and the pages as files, for a look in
 *                                  a browser (tests/browser/ uses them)
 */
#include "testutil.h"

#include <ctype.h>
#include <errno.h>

#include "../../tools/serve.h"
#include "../../tools/serve_page.h"

/* ---- the fixture ------------------------------------------------------------------ */

static eaf_article *make(const char *key, const char *url, const char *title, const char *date,
                         const char *summary, const char *body)
{
    eaf_article *a;

    if (eaf_article_new(&a) != EAF_OK || eaf_article_set(a, EAF_FIELD_KEY, key, EAF_NTS) ||
        (url && eaf_article_set(a, EAF_FIELD_URL, url, EAF_NTS)) ||
        eaf_article_set(a, EAF_FIELD_TITLE, title, EAF_NTS) ||
        (date && eaf_article_set(a, EAF_FIELD_DATE, date, EAF_NTS)) ||
        (summary && eaf_article_set(a, EAF_FIELD_SUMMARY, summary, EAF_NTS)) ||
        eaf_article_set(a, EAF_FIELD_BODY, body, EAF_NTS)) {
        fprintf(stderr, "bad fixture article %s\n", key);
        exit(99);
    }
    return a;
}

static void author(eaf_article *a, const char *name, const char *aff)
{
    if (eaf_article_add_author(a, name, aff) != EAF_OK)
        exit(99);
}

static void tag(eaf_article *a, eaf_tag_kind kind, const char *v)
{
    if (eaf_article_add_tag(a, kind, v) != EAF_OK)
        exit(99);
}

static void put(eaf_db *db, eaf_article *a)
{
    if (eaf_db_put(NULL, db, a) != EAF_OK) {
        fprintf(stderr, "put: %s\n", eaf_db_errmsg(db));
        exit(99);
    }
    eaf_article_free(a);
}

#define N_TRADE 23

/* 23 articles on trade (three pages of ten, facets of several values),
 * and hostile ones, all holding the word "hostile". */
static void fill(eaf_db *db)
{
    static const char *const authors[4][2] = {
        {"Peter Drysdale", "Australian National University"},
        {"Shiro Armstrong", "ANU"},
        {"Mari Pangestu", NULL},
        {"Kim Jong-won", "Korea University"},
    };
    static const char *const topics[3] = {"Trade", "Economics", "Security"};
    static const char *const countries[4] = {"Japan", "Korea", "China", "Australia"};
    static const char *const things[6] = {"rice", "steel", "beef", "cars", "chips", "wine"};
    char key[64], url[128], title[128], date[16], body[1024], summary[256];
    eaf_article *a;
    int i;

    if (eaf_db_begin(db) != EAF_OK)
        exit(99);
    for (i = 0; i < N_TRADE; i++) {
        snprintf(key, sizeof(key), "%d/05/trade-%02d", 2015 + i % 7, i);
        snprintf(url, sizeof(url), "https://example.org/%s/", key);
        snprintf(title, sizeof(title), "Trade talks on %s between %s and %s", things[i % 6],
                 countries[i % 4], countries[(i + 1) % 4]);
        snprintf(date, sizeof(date), "%d-%02d-%02d", 2015 + i % 7, 1 + i % 12, 1 + i % 28);
        snprintf(summary, sizeof(summary), "What the %s tariffs mean for %s & %s.",
                 things[i % 6], countries[i % 4], countries[(i + 1) % 4]);
        snprintf(body, sizeof(body),
                 "The trade negotiations over %s tariffs resumed this week. Exporters of %s "
                 "in %s want lower tariffs, while farmers in %s fear imports. Economists say "
                 "the agreement would raise incomes across the region and settle the dispute "
                 "over quotas for %s and %s.",
                 things[i % 6], things[i % 6], countries[i % 4], countries[(i + 1) % 4],
                 things[(i + 2) % 6], things[(i + 3) % 6]);
        a = make(key, url, title, date, summary, body);
        author(a, authors[i % 4][0], authors[i % 4][1]);
        if (i % 3 == 0)
            author(a, authors[(i + 1) % 4][0], authors[(i + 1) % 4][1]);
        tag(a, EAF_TAG_TOPIC, topics[i % 3 == 2 ? 2 : i % 2]);
        tag(a, EAF_TAG_COUNTRY, countries[i % 4]);
        tag(a, EAF_TAG_COUNTRY, countries[(i + 1) % 4]);
        put(db, a);
    }

    /* markup in every field, event attributes, a javascript: url */
    a = make("hostile/\"><svg onload=alert(7)>", "javascript:window.__pwned=3",
             "<script>window.__pwned=1</script> Hostile title \" onmouseover=\"window.__pwned=1",
             "2019-02-03",
             "</p><script>window.__pwned=4</script><p>hostile summary",
             "hostile words </textarea><script>window.__pwned=6</script> and "
             "<img src=x onerror=\"window.__pwned=6\"> <mark>fake</mark> ' \" & end </title>");
    author(a, "\"><img src=x onerror=\"window.__pwned=2\">", "<b onmouseover=alert(3)>aff</b>");
    tag(a, EAF_TAG_TOPIC, "<script>window.__pwned=4</script>");
    tag(a, EAF_TAG_COUNTRY, "\" onfocus=\"window.__pwned=5\" autofocus x=\"");
    tag(a, EAF_TAG_OTHER, "javascript:window.__pwned=11");
    put(db, a);
    /* broken UTF-8 and control characters (the library cleans them on the
     * way in; the pages clean again on the way out) */
    a = make("hostile/broken-\xff", "https://example.org/\xff\x01/x\"y",
             "Broken \xff\xfe utf8 \xc3 hostile title \x01\x1b[31m", "2019-03-04", NULL,
             "hostile text with \xc0\xaf bytes and \x7f controls \xe2\x80\xa8 separators");
    author(a, "\xe2\x80 Broken name", NULL);
    put(db, a);
    /* links that are not http: in other spellings */
    a = make("hostile/js-case", "JaVaScRiPt:window.__pwned=8", "Hostile mixed case scheme",
             "2019-04-05", NULL, "hostile link in mixed case");
    put(db, a);
    a = make("hostile/js-space", " javascript:window.__pwned=9", "Hostile leading space",
             "2019-04-06", NULL, "hostile link after a space");
    put(db, a);
    a = make("hostile/data", "data:text/html,<script>window.__pwned=10</script>",
             "Hostile data url", "2019-04-07", NULL, "hostile data link");
    put(db, a);
    a = make("hostile/tab", "java\tscript:window.__pwned=12", "Hostile tab in scheme",
             "2019-04-08", NULL, "hostile tab link");
    put(db, a);
    /* right-to-left marks and a very long word */
    {
        static char longword[2100];
        char t[2300];

        memset(longword, 'w', 2000);
        longword[2000] = '\0';
        snprintf(t, sizeof(t), "Hostile \xe2\x80\xae" "desrever txet %s", longword);
        a = make("hostile/rtl", "https://example.org/rtl", t, "2019-05-06", NULL,
                 "hostile right to left");
        put(db, a);
    }
    if (eaf_db_commit(db) != EAF_OK)
        exit(99);
}

/* ---- a strict reader of the pages' markup -------------------------------------------- */

static const char *const allowed[] = {
    "html", "head", "meta", "title", "link", "script", "body", "a", "header", "main",
    "footer", "nav", "aside", "section", "article", "div", "form", "label", "input",
    "button", "select", "option", "details", "summary", "ul", "ol", "li", "h1", "h2",
    "h3", "p", "span", "strong", "mark", "time", "kbd", "dl", "dt", "dd", "textarea",
    "img", NULL,
};
static const char *const voids[] = {"meta", "link", "input", "img", "br", "hr", NULL};

static int in_list(const char *const *l, const char *s)
{
    for (; *l; l++)
        if (strcmp(*l, s) == 0)
            return 1;
    return 0;
}

static char problem[512];

#define FAIL_AT(p, ...) \
    do { \
        int n_ = snprintf(problem, sizeof(problem), __VA_ARGS__); \
        snprintf(problem + n_, sizeof(problem) - (size_t)n_, " at byte %ld: %.60s", \
                 (long)((p) - doc), (p)); \
        return problem; \
    } while (0)

static int ci_contains(const char *s, size_t n, const char *needle)
{
    size_t i, k = strlen(needle);

    for (i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/*
 * NULL when doc is markup as the pages write it; else what is wrong.  xml:
 * the OpenSearch description (<?xml ...?>, self-closing elements, any
 * element name).
 */
static const char *check_markup(const char *doc, int xml)
{
    char stack[64][32], ids[256][48];
    int depth = 0, nids = 0, last_heading = 0;
    const char *p = doc, *end = doc + strlen(doc);

    while (p < end) {
        size_t len = eaf_utf8_char(p, (size_t)(end - p));

        if (len == 0)
            FAIL_AT(p, "invalid UTF-8");
        if (len == 1 && (unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
            FAIL_AT(p, "a control character");
        p += len;
    }
    for (p = doc; p < end;) {
        char name[32];
        size_t n = 0;
        int closing = 0, has_src = 0, self = 0;

        if (*p == '>')
            FAIL_AT(p, "a raw '>' in text");
        if (*p == '&') {
            const char *q = p + 1;
            if (*q == '#')
                q++;
            while (isalnum((unsigned char)*q))
                q++;
            if (*q != ';' || q == p + 1)
                FAIL_AT(p, "a bare '&'");
        }
        if (*p != '<') {
            p++;
            continue;
        }
        if (strncmp(p, "<!DOCTYPE html>", 15) == 0 && p == doc) {
            p += 15;
            continue;
        }
        if (xml && p == doc && strncmp(p, "<?xml ", 6) == 0) {
            p = strstr(p, "?>");
            if (!p)
                FAIL_AT(doc, "an unclosed <?xml");
            p += 2;
            continue;
        }
        p++;
        if (*p == '/') {
            closing = 1;
            p++;
        }
        while (n + 1 < sizeof(name) && (isalnum((unsigned char)*p) || (xml && *p == ':')))
            name[n++] = (char)tolower((unsigned char)*p++);
        name[n] = '\0';
        if (n == 0)
            FAIL_AT(p - 1, "a raw '<' in text");
        if (!xml && !in_list(allowed, name))
            FAIL_AT(p, "an element <%s> the pages do not write", name);
        /* the attributes */
        while (p < end && *p != '>') {
            char attr[32];
            const char *v = NULL;
            size_t an = 0, vn = 0;

            if (*p == ' ' || *p == '\n') {
                p++;
                continue;
            }
            if (*p == '/' && p[1] == '>' && (xml || in_list(voids, name))) {
                self = 1;
                p++;
                continue;
            }
            if (closing)
                FAIL_AT(p, "an attribute on a closing tag");
            while (an + 1 < sizeof(attr) && (isalnum((unsigned char)*p) || *p == '-' ||
                                             (xml && *p == ':')))
                attr[an++] = (char)tolower((unsigned char)*p++);
            attr[an] = '\0';
            if (an == 0)
                FAIL_AT(p, "a strange character in <%s>", name);
            if (*p == '=') {
                if (p[1] != '"')
                    FAIL_AT(p, "an attribute value not in double quotes");
                v = p + 2;
                while (v[vn] && v[vn] != '"') {
                    if (v[vn] == '<' || v[vn] == '>')
                        FAIL_AT(v + vn, "a raw '%c' in an attribute value", v[vn]);
                    vn++;
                }
                if (!v[vn])
                    FAIL_AT(p, "an unclosed attribute value");
                p = v + vn + 1;
            }
            if (strncmp(attr, "on", 2) == 0)
                FAIL_AT(p, "an event attribute %s", attr);
            if (strcmp(attr, "style") == 0 || strcmp(attr, "autofocus") == 0)
                FAIL_AT(p, "an attribute %s", attr);
            if (v && (strcmp(attr, "href") == 0 || strcmp(attr, "src") == 0 ||
                      strcmp(attr, "action") == 0) &&
                (ci_contains(v, vn, "javascript:") || ci_contains(v, vn, "data:")))
                FAIL_AT(v, "a script link");
            if (strcmp(attr, "src") == 0)
                has_src = 1;
            if (v && strcmp(attr, "id") == 0) {
                int i;
                for (i = 0; i < nids; i++)
                    if (strlen(ids[i]) == vn && strncmp(ids[i], v, vn) == 0)
                        FAIL_AT(v, "a second id=\"%.*s\"", (int)vn, v);
                if (nids < 256 && vn < sizeof(ids[0])) {
                    memcpy(ids[nids], v, vn);
                    ids[nids++][vn] = '\0';
                }
            }
        }
        if (p >= end)
            FAIL_AT(end, "an unclosed tag");
        p++; /* '>' */
        if (closing) {
            if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
                FAIL_AT(p, "</%s> closes <%s>", name, depth ? stack[depth - 1] : "nothing");
            depth--;
            continue;
        }
        if (!xml && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
            int level = name[1] - '0';
            if (level > last_heading + 1)
                FAIL_AT(p, "<%s> after <h%d>", name, last_heading);
            last_heading = level;
        }
        if (self || (!xml && in_list(voids, name)))
            continue;
        if (strcmp(name, "script") == 0) {
            if (!has_src || strncmp(p, "</script>", 9) != 0)
                FAIL_AT(p, "an inline script");
        }
        if (strcmp(name, "textarea") == 0 || strcmp(name, "title") == 0) {
            /* text only, to the end tag */
            const char *close = strchr(p, '<');
            if (!close || strncmp(close + 2, name, strlen(name)) != 0 || close[1] != '/')
                FAIL_AT(p, "markup inside <%s>", name);
        }
        if (depth == 64)
            FAIL_AT(p, "elements nested too deep");
        snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
    }
    if (depth)
        FAIL_AT(end, "<%s> never closed", stack[depth - 1]);
    return NULL;
}

/* ---- running pages ----------------------------------------------------------------------- */

static serve_site site_default = {"East Asia & <Forum>", "", NULL, NULL, NULL, NULL};

static void req_init(search_req *r, const char *q)
{
    memset(r, 0, sizeof(*r));
    r->q = q;
    r->n = 10;
    r->facets = 1;
}

/* The page's text, and its status in *status; the caller frees it. */
static char *run_search(eaf_db *db, const serve_site *site, const search_req *r, int *status)
{
    sbuf b = SBUF_INIT;

    *status = page_search(&b, site, db, r);
    return sbuf_take(&b, NULL);
}

static int has(const char *page, const char *s)
{
    return page && strstr(page, s) != NULL;
}

static int count_of(const char *page, const char *s)
{
    int n = 0;
    const char *p = page;

    while (p && (p = strstr(p, s)) != NULL) {
        n++;
        p += strlen(s);
    }
    return n;
}

static void markup_ok(const char *page, int xml, const char *what)
{
    const char *why = page ? check_markup(page, xml) : "no page";

    ok(why == NULL, "%s: the markup is sound", what);
    if (why)
        diag("%s", why);
}

/* ---- the escapes ---------------------------------------------------------------------- */

static char *esc(void (*fn)(sbuf *, const char *), const char *s)
{
    sbuf b = SBUF_INIT;

    fn(&b, s);
    return sbuf_take(&b, NULL);
}

static void test_escapes(void)
{
    char *s;

    s = esc(esc_html, "<a href=\"x\" title='y'>&amp;</a>");
    is_str(s, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
           "esc_html escapes & < > \" '");
    free(s);
    s = esc(esc_html, "a\xff" "b\xc3" "c\x01" "d\x7f" "e\xc2\x85" "f\tg\nh");
    is_str(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "cdef\tg\nh",
           "esc_html: bad bytes become U+FFFD, control characters go, tab and newline stay");
    free(s);
    s = esc(esc_html, NULL);
    ok(s == NULL, "esc_html(NULL) writes nothing");
    free(s);
    s = esc(esc_url, "a b&c=d/e?f#g\xc3\xa9~._-");
    is_str(s, "a%20b%26c%3Dd%2Fe%3Ff%23g%C3%A9~._-", "esc_url encodes all but unreserved");
    free(s);
    s = esc(esc_url, "\xff" "x");
    is_str(s, "%EF%BF%BDx", "esc_url: a bad byte is U+FFFD, encoded");
    free(s);
    s = esc(esc_json, "</script><!-- \"\\\n\t'&\xe2\x80\xa8\xe2\x80\xa9\x01");
    is_str(s, "\"\\u003c/script\\u003e\\u003c!-- \\\"\\\\\\n\\t\\u0027\\u0026\\u2028\\u2029\"",
           "esc_json: quotes, < > & ' and U+2028/2029 as \\u, controls dropped");
    free(s);
    s = esc(esc_json, NULL);
    is_str(s, "\"\"", "esc_json(NULL) is an empty string");
    free(s);

    ok(url_is_safe("https://example.org/a?b#c"), "https: is safe");
    ok(url_is_safe("HTTP://example.org/"), "HTTP: in capitals is safe");
    ok(url_is_safe("/2018/05/a"), "a path is safe");
    ok(url_is_safe("a/b:c"), "a relative path with a colon after a slash is safe");
    ok(!url_is_safe("javascript:alert(1)"), "javascript: is not");
    ok(!url_is_safe("JaVaScRiPt:alert(1)"), "JaVaScRiPt: is not");
    ok(!url_is_safe(" javascript:alert(1)"), "a leading space before javascript: is not");
    ok(!url_is_safe("java\tscript:alert(1)"), "a tab inside javascript: is not");
    ok(!url_is_safe("data:text/html,x"), "data: is not");
    ok(!url_is_safe("vbscript:x"), "vbscript: is not");
    ok(!url_is_safe("/\\evil.example"), "a backslash is not");
    ok(!url_is_safe("/a\nb"), "a line break is not");
    ok(!url_is_safe(""), "an empty url is not");
    ok(!url_is_safe(NULL), "NULL is not");

    {
        sbuf b = SBUF_INIT;
        char *t;
        size_t len = 0;

        sbuf_printf(&b, "%d-%s", 42, "x");
        sbuf_add(&b, "yz", 1);
        t = sbuf_take(&b, &len);
        is_str(t, "42-xy", "sbuf_printf and sbuf_add");
        is_int(len, 5, "sbuf_take gives the length");
        ok(b.data == NULL && b.len == 0, "the buffer is empty after sbuf_take");
        free(t);
        b.failed = 1;
        sbuf_puts(&b, "lost");
        ok(sbuf_take(&b, NULL) == NULL, "a failed buffer gives NULL");
    }
}

/* ---- the pages' own helpers --------------------------------------------------------- */

static char *with(void (*fn)(sbuf *, const char *), const char *s)
{
    sbuf b = SBUF_INIT;

    fn(&b, s);
    return sbuf_take(&b, NULL);
}

static void test_helpers(void)
{
    char *s;

    s = with(pg_put_snippet, "a <b>x</b> <mark>y</mark> &amp; & &x &#39; \"q\" 'z'\x01\xff\tend");
    is_str(s, "a &lt;b&gt;x&lt;/b&gt; <mark>y</mark> &amp; &amp; &amp;x &#39; &quot;q&quot; "
              "&#39;z&#39;\xEF\xBF\xBD end",
           "put_snippet keeps the markers and references, escapes the rest");
    free(s);
    s = with(pg_put_snippet, "<mark<mark>>x</mark>");
    is_str(s, "&lt;mark<mark>&gt;x</mark>", "put_snippet: a marker only where it is whole");
    free(s);
    s = with(pg_put_date, "2018-05-16");
    is_str(s, "<time datetime=\"2018-05-16\">16 May 2018</time>", "put_date: a day");
    free(s);
    s = with(pg_put_date, "2018-13");
    is_str(s, "2018-13", "put_date: not a date, as it is");
    free(s);
    s = with(pg_put_date, "<b>");
    is_str(s, "&lt;b&gt;", "put_date: escaped");
    free(s);
}

/* ---- the assets ---------------------------------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(data);
        return NULL;
    }
    data[n] = '\0';
    fclose(f);
    return data;
}

static void test_assets(void)
{
    char path[1024], *css, *js;

    snprintf(path, sizeof(path), "%s/tools/assets/style.css", EAF_TEST_SRCDIR);
    css = slurp(path);
    snprintf(path, sizeof(path), "%s/tools/assets/complete.js", EAF_TEST_SRCDIR);
    js = slurp(path);
    ok(css && strcmp(css, serve_stylesheet) == 0,
       "serve_stylesheet is tools/assets/style.css (run tools/assets/embed.sh)");
    ok(js && strcmp(js, serve_script) == 0,
       "serve_script is tools/assets/complete.js (run tools/assets/embed.sh)");
    ok(strstr(serve_stylesheet, ":focus-visible") != NULL, "the stylesheet shows the focus");
    ok(strstr(serve_stylesheet, "@media (max-width") != NULL, "the stylesheet has a phone layout");
    ok(strstr(serve_stylesheet, "url(") == NULL, "the stylesheet loads nothing else");
    ok(strstr(serve_script, "innerHTML") == NULL && strstr(serve_script, "eval(") == NULL &&
           strstr(serve_script, "document.write") == NULL,
       "the script puts no markup into the page");
    ok(strstr(serve_script, "textContent") != NULL, "the script writes text as text");
    free(css);
    free(js);
}

/* ---- the pages ------------------------------------------------------------------------ */

static void test_front(eaf_db *db)
{
    search_req r;
    int status;
    char *page;

    req_init(&r, "");
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 200, "front page: 200");
    markup_ok(page, 0, "front page");
    ok(has(page, "<html lang=\"en\">"), "front page: a language");
    ok(has(page, "<title>East Asia &amp; &lt;Forum&gt;</title>"), "front page: the site's name, escaped");
    ok(has(page, "<link rel=\"search\" type=\"application/opensearchdescription+xml\""),
       "front page: the OpenSearch link");
    ok(has(page, "<a class=\"skip\" href=\"#main\">"), "front page: a skip link");
    ok(has(page, "<main id=\"main\"") && has(page, "<header") && has(page, "<footer"),
       "front page: landmarks");
    ok(has(page, "<label for=\"q\"") && has(page, "id=\"q\" name=\"q\""),
       "front page: the box has a label");
    ok(has(page, "role=\"search\" method=\"get\" action=\"/\""), "front page: a GET form to /");
    ok(has(page, "<script src=\"/static/complete.js\" defer></script>"), "front page: the script");
    ok(has(page, "<link rel=\"stylesheet\" href=\"/static/style.css\">"), "front page: the stylesheet");
    ok(has(page, "30 articles to search"), "front page: the number of articles");
    free(page);
}

static void test_results(eaf_db *db)
{
    search_req r;
    int status;
    char *page;

    req_init(&r, "trade tariffs");
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 200, "results: 200");
    markup_ok(page, 0, "results");
    ok(has(page, "23 articles"), "results: the total");
    ok(has(page, "showing 1\xE2\x80\x93" "10"), "results: the range shown");
    is_int(count_of(page, "<li class=\"hit\">"), 10, "results: ten hits");
    ok(has(page, "<a href=\"https://example.org/20"), "results: titles link to the article's url");
    ok(has(page, "<mark>"), "results: the snippet marks the words");
    ok(has(page, "href=\"/article/20"), "results: a link to the article page");
    ok(has(page, "<h3>Topics</h3>") && has(page, "<h3>Countries</h3>") &&
           has(page, "<h3>Authors</h3>") && has(page, "<h3>Years</h3>"),
       "results: the four facets");
    ok(has(page, "href=\"/?q=trade%20tariffs&amp;topic=Trade\""), "results: a topic link adds the filter");
    ok(has(page, "href=\"/?q=trade%20tariffs&amp;after=2021&amp;before=2021\""),
       "results: a year link sets the date range");
    ok(has(page, "Australian National University"), "results: affiliations");
    ok(has(page, "aria-current=\"page\"><span class=\"vh\">Page </span>1<"),
       "results: the current page is marked");
    ok(has(page, "href=\"/?q=trade%20tariffs&amp;offset=10\"") && has(page, "rel=\"next\""),
       "results: a next page link");
    ok(!has(page, "rel=\"prev\""), "results: no previous link on the first page");
    ok(has(page, "href=\"/?q=trade%20tariffs&amp;sort=newest\""), "results: order links");
    ok(has(page, "<ol class=\"hits\" start=\"1\">"), "results: a numbered list");
    free(page);

    /* page 3, newest first, with a filter */
    req_init(&r, "trade");
    r.offset = 20;
    r.sort = EAF_SORT_NEWEST;
    page = run_search(db, &site_default, &r, &status);
    markup_ok(page, 0, "page 3");
    is_int(count_of(page, "<li class=\"hit\">"), 3, "page 3: the last three hits");
    ok(has(page, "rel=\"prev\" href=\"/?q=trade&amp;sort=newest&amp;offset=10\""),
       "page 3: a previous link keeps the order");
    ok(!has(page, "rel=\"next\""), "page 3: no next link");
    ok(has(page, "aria-current=\"page\"><span class=\"vh\">Page </span>3<"), "page 3: marked");
    ok(has(page, "<option value=\"newest\" selected>"), "page 3: the order is selected in the form");
    free(page);

    req_init(&r, "trade");
    r.topics[0] = "Security";
    r.countries[0] = "Japan";
    r.after = "2016";
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 200, "filtered: 200");
    markup_ok(page, 0, "filtered");
    ok(has(page, "Topic: Security <a class=\"remove\" href=\"/?q=trade&amp;country=Japan&amp;after=2016\""),
       "filtered: the topic filter with its remove link");
    ok(has(page, "Dates: from 2016"), "filtered: the date range shown");
    ok(has(page, "<input type=\"hidden\" name=\"topic\" value=\"Security\">"),
       "filtered: the filters go with a new query");
    ok(has(page, "class=\"on\" aria-current=\"true\""), "filtered: the active facet value is marked");
    free(page);

    /* filters alone */
    req_init(&r, "");
    r.authors[0] = "Mari Pangestu";
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 200, "filters without words: 200");
    markup_ok(page, 0, "filters without words");
    ok(has(page, "<li class=\"hit\">"), "filters without words list articles");
    free(page);
}

static void test_notes(eaf_db *db)
{
    search_req r;
    int status;
    char *page;

    req_init(&r, "tarifs");
    page = run_search(db, &site_default, &r, &status);
    markup_ok(page, 0, "misspelt");
    ok(has(page, "Did you mean <a href=\"/?q=tariffs\">tariffs</a>?"), "misspelt: did you mean");
    ok(has(page, "No article matches"), "misspelt: the page for no hits");
    ok(has(page, "Search for <a href=\"/?q=tariffs\">"), "misspelt: the suggestion among the tips");
    free(page);

    req_init(&r, "rice zzqqxx");
    page = run_search(db, &site_default, &r, &status);
    markup_ok(page, 0, "fallback");
    ok(has(page, "No article has all the words"), "fallback: the notice");
    ok(has(page, "zzqqxx"), "fallback: names the word no article has");
    free(page);

    req_init(&r, "what do economists say about rice tariffs");
    page = run_search(db, &site_default, &r, &status);
    markup_ok(page, 0, "question");
    ok(has(page, "Read as a question"), "question: the notice");
    free(page);

    req_init(&r, "qqqqqqqqqq");
    r.topics[0] = "Trade";
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 200, "nothing: 200");
    markup_ok(page, 0, "nothing");
    ok(has(page, "No article matches") && has(page, "with these filters"), "nothing: says so");
    ok(has(page, "Use fewer words"), "nothing: fewer words");
    ok(has(page, "href=\"/?q=qqqqqqqqqq\">Search again without the filters"),
       "nothing: a link without the filters");
    ok(!has(page, "<aside"), "nothing: no facets");
    free(page);

    req_init(&r, "trade");
    r.offset = 9990;
    page = run_search(db, &site_default, &r, &status);
    markup_ok(page, 0, "past the end");
    ok(has(page, "Go to the first page"), "past the end: a link to the first page");
    free(page);
}

static void test_hostile_pages(eaf_db *db)
{
    static const char *const queries[] = {
        "hostile",
        "<script>window.__pwned=1</script>",
        "\"><svg onload=alert(1)>",
        "' onmouseover='alert(1)",
        "</title><script>alert(1)</script>",
        "javascript:alert(1)",
        "broken \xff\xfe\xc3 utf8 \x01\x02",
        "\xe2\x80\xae rtl",
        "author:\"<b>\" OR title:\"<i>\"",
    };
    search_req r;
    int status;
    size_t i;
    char *page;

    for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        char what[64];

        snprintf(what, sizeof(what), "hostile query %u", (unsigned)i + 1);
        req_init(&r, queries[i]);
        page = run_search(db, &site_default, &r, &status);
        markup_ok(page, 0, what);
        free(page);
    }

    req_init(&r, "hostile");
    r.n = 20;
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 200, "hostile articles: 200");
    ok(has(page, "&lt;script&gt;window.__pwned=1&lt;/script&gt; Hostile title &quot; onmouseover=&quot;"),
       "hostile articles: the title shown as text");
    ok(!has(page, "href=\"javascript") && !has(page, "href=\"JaVaScRiPt") &&
           !has(page, "href=\" javascript") && !has(page, "href=\"data:") &&
           !has(page, "href=\"java\tscript"),
       "hostile articles: no script link");
    ok(has(page, "href=\"/article/hostile%2F%22%3E%3Csvg%20onload%3Dalert%287%29%3E\""),
       "hostile articles: an unsafe url links to the article page instead, the key encoded");
    ok(has(page, "Broken \xEF\xBF\xBD\xEF\xBF\xBD utf8"), "hostile articles: bad bytes as U+FFFD");
    ok(has(page, "&lt;mark&gt;fake&lt;/mark&gt;") || !has(page, "fake"),
       "hostile articles: markup in the body stays text in the snippet");
    free(page);

    /* hostile filters and dates come back escaped */
    req_init(&r, "trade");
    r.authors[0] = "\"><script>alert(1)</script>";
    r.topics[0] = "<script>window.__pwned=4</script>";
    page = run_search(db, &site_default, &r, &status);
    markup_ok(page, 0, "hostile filters");
    free(page);
    req_init(&r, "trade");
    r.after = "\"><script>alert(1)</script>";
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 400, "a bad date: 400");
    markup_ok(page, 0, "a bad date");
    ok(has(page, "&lt;script&gt;"), "a bad date: named, escaped");
    free(page);
    req_init(&r, "\"unclosed <b>");
    r.strict = 1;
    page = run_search(db, &site_default, &r, &status);
    is_int(status, 400, "a strict syntax error: 400");
    markup_ok(page, 0, "a strict syntax error");
    ok(has(page, "at character"), "a strict syntax error: where");
    free(page);
}

static char *run_article(eaf_db *db, const serve_site *site, const char *key, int why,
                         const char *origin, int *status)
{
    sbuf b = SBUF_INIT;

    *status = page_article_at(&b, site, db, key, why, origin);
    return sbuf_take(&b, NULL);
}

static void test_article(eaf_db *db)
{
    serve_site site = {"Archive", "/search", NULL, NULL, NULL, NULL};
    int status;
    char *page;

    page = run_article(db, &site, "2016/05/trade-01", 0, "http://127.0.0.1:8080", &status);
    is_int(status, 200, "article: 200");
    markup_ok(page, 0, "article");
    ok(has(page, "<h1>Trade talks on steel between Korea and China</h1>"), "article: the title");
    ok(has(page, "<time datetime=\"2016-02-02\">2 February 2016</time>"), "article: the date");
    ok(has(page, "By <a href=\"/search/?author=Shiro%20Armstrong\">Shiro Armstrong</a>"
                 " <span class=\"aff\">(ANU)</span>"),
       "article: authors link to their articles, with affiliations");
    ok(has(page, "<a href=\"/search/?topic=Economics\">Economics</a>"), "article: topic links");
    ok(has(page, "<a href=\"/search/?country=Korea\">Korea</a>"), "article: country links");
    ok(has(page, "What the steel tariffs mean for Korea &amp; China."), "article: the summary");
    ok(has(page, "<a href=\"https://example.org/2016/05/trade-01/\">Read the whole article"),
       "article: the original");
    ok(has(page, "<h2 id=\"related-h\">Related posts</h2>") &&
           has(page, "<ol class=\"related-list\">") && has(page, "href=\"/search/article/20"),
       "article: related posts link to their pages");
    ok(!has(page, "in common"), "article: no reasons unasked");
    ok(has(page, "href=\"/search/article/2016%2F05%2Ftrade-01?why=1\">Why these posts?"),
       "article: a link to the reasons");
    ok(has(page, "&lt;iframe src=&quot;http://127.0.0.1:8080/search/embed/related/"
                 "2016%2F05%2Ftrade-01&quot;"),
       "article: the embed snippet, absolute, escaped in the textarea");
    free(page);

    page = run_article(db, &site, "2016/05/trade-01", 1, NULL, &status);
    markup_ok(page, 0, "article with reasons");
    ok(has(page, "in common</dt>"), "article with reasons: what they share");
    ok(has(page, "<p class=\"score\">text "), "article with reasons: the library's line");
    ok(has(page, ">Hide the reasons</a>"), "article with reasons: a link back");
    ok(has(page, "&lt;iframe src=&quot;/search/embed/related/") &&
           has(page, "Put this server"),
       "article without an origin: a path, and a word on it");
    free(page);

    site.public_url = "https://search.example.org/search";
    page = run_article(db, &site, "2016/05/trade-01", 0, "http://evil\"<x>", &status);
    ok(has(page, "src=&quot;https://search.example.org/search/embed/related/"),
       "article: public_url before the origin");
    free(page);
    site.public_url = NULL;
    page = run_article(db, &site, "2016/05/trade-01", 0, "http://evil\"<x>", &status);
    markup_ok(page, 0, "article with a hostile Host");
    free(page);

    page = run_article(db, &site, "no/such/key", 0, NULL, &status);
    is_int(status, 404, "unknown article: 404");
    markup_ok(page, 0, "unknown article");
    ok(has(page, "<h1>Not found</h1>"), "unknown article: says so in the layout");
    free(page);

    page = run_article(db, &site, "hostile/\"><svg onload=alert(7)>", 1, "http://h", &status);
    is_int(status, 200, "hostile article: 200");
    markup_ok(page, 0, "hostile article");
    ok(!has(page, "href=\"javascript"), "hostile article: no script link to the original");
    ok(has(page, "href=\"/search/?country=%22%20onfocus%3D%22window.__pwned%3D5%22%20autofocus%20x%3D%22\""),
       "hostile article: a hostile country in a link, encoded");
    free(page);
    page = run_article(db, &site, "hostile/broken-\xef\xbf\xbd", 1, NULL, &status);
    is_int(status, 200, "broken article (its key cleaned): 200");
    markup_ok(page, 0, "broken article");
    free(page);
    page = run_article(db, &site, "hostile/rtl", 1, NULL, &status);
    markup_ok(page, 0, "rtl article");
    free(page);
}

static void test_fragment(eaf_db *db)
{
    serve_site site = {"Archive", "/s", NULL, NULL, NULL, NULL};
    sbuf b = SBUF_INIT;
    int status;
    char *page;

    status = page_related_fragment(&b, &site, db, "2016/05/trade-01");
    page = sbuf_take(&b, NULL);
    is_int(status, 200, "fragment: 200");
    markup_ok(page, 0, "fragment");
    ok(has(page, "<!DOCTYPE html>") && has(page, "</html>"), "fragment: a whole document");
    ok(has(page, "href=\"/s/static/style.css\""), "fragment: the stylesheet");
    ok(has(page, "target=\"_top\"") && !has(page, "<a href=\"/s/article") ,
       "fragment: links to the articles' own urls, for the whole window");
    ok(has(page, "href=\"https://example.org/"), "fragment: the articles' urls");
    ok(!has(page, "<script"), "fragment: no script");
    free(page);

    status = page_related_fragment(&b, &site, db, "hostile/js-case");
    page = sbuf_take(&b, NULL);
    markup_ok(page, 0, "hostile fragment");
    free(page);

    status = page_related_fragment(&b, &site, db, "nope");
    page = sbuf_take(&b, NULL);
    is_int(status, 404, "fragment of an unknown key: 404");
    markup_ok(page, 0, "fragment of an unknown key");
    free(page);
}

static void test_opensearch_and_errors(void)
{
    serve_site site = {"A <very> long & \"hostile\" site name", "/base", NULL, NULL, NULL, NULL};
    sbuf b = SBUF_INIT;
    char *page;
    int status;

    status = page_opensearch(&b, &site, "http://127.0.0.1:8080");
    page = sbuf_take(&b, NULL);
    is_int(status, 200, "opensearch: 200");
    markup_ok(page, 1, "opensearch (well-formed XML)");
    ok(has(page, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), "opensearch: the XML declaration");
    ok(has(page, "xmlns=\"http://a9.com/-/spec/opensearch/1.1/\""), "opensearch: the namespace");
    ok(has(page, "<ShortName>A &lt;very&gt; long &amp;</ShortName>"),
       "opensearch: a short name of 16 characters, escaped");
    ok(has(page, "template=\"http://127.0.0.1:8080/base/?q={searchTerms}\""),
       "opensearch: the search template");
    free(page);
    site.public_url = "https://x.example/base";
    status = page_opensearch(&b, &site, "http://ignored");
    page = sbuf_take(&b, NULL);
    ok(has(page, "template=\"https://x.example/base/?q={searchTerms}\""),
       "opensearch: public_url first");
    free(page);

    status = page_error(&b, &site, 404, NULL);
    page = sbuf_take(&b, NULL);
    is_int(status, 404, "error page: its status");
    markup_ok(page, 0, "error page");
    ok(has(page, "<h1>Not found</h1>") && has(page, "<footer"), "error page: in the layout");
    free(page);
    status = page_error(&b, &site, 503, "over the <time> limit");
    page = sbuf_take(&b, NULL);
    is_int(status, 503, "503 page: its status");
    markup_ok(page, 0, "503 page");
    ok(has(page, "over the &lt;time&gt; limit") && has(page, "Try again"), "503 page: says what to do");
    free(page);

    /* the site's own fragments and logo */
    {
        serve_site own = {"Own", "", "https://example.org/logo.png",
                          "<a href=\"/\">My header</a>", "<p>My footer</p>", NULL};

        status = page_error(&b, &own, 400, "x");
        page = sbuf_take(&b, NULL);
        ok(has(page, "<a href=\"/\">My header</a>") && has(page, "<p>My footer</p>"),
           "the site's header and footer fragments");
        markup_ok(page, 0, "page with the site's fragments");
        free(page);
        own.header_html = NULL;
        status = page_error(&b, &own, 400, "x");
        page = sbuf_take(&b, NULL);
        ok(has(page, "<img src=\"https://example.org/logo.png\" alt=\"\""), "the logo");
        free(page);
        own.logo_url = "javascript:alert(1)";
        status = page_error(&b, &own, 400, "x");
        page = sbuf_take(&b, NULL);
        ok(!has(page, "<img"), "no logo from a script url");
        free(page);
    }
}

/* A checker that passes everything proves nothing: it must catch these. */
static void test_checker(void)
{
    static const char *const bad[] = {
        "<p>a<script>alert(1)</script></p>",
        "<p onclick=\"x\">a</p>",
        "<p style=\"x\">a</p>",
        "<a href=\"javascript:alert(1)\">a</a>",
        "<p>a < b</p>",
        "<p>a</div>",
        "<svg></svg>",
        "<p class=x>a</p>",
        "<p>a & b</p>",
        "<h2>skip</h2><h1>a</h1><h3>b</h3>",
        "<p id=\"a\"></p><p id=\"a\"></p>",
        "<p>\xff</p>",
        "<textarea><b>x</b></textarea>",
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ok(check_markup(bad[i], 0) != NULL, "the checker refuses %s", bad[i]);
    ok(check_markup("<p class=\"a\">x &amp; <mark>y</mark></p><input id=\"q\">", 0) == NULL,
       "the checker takes sound markup");
}

/* ---- --render DIR: the pages as files ---------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *data)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fputs(data ? data : "", f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int render(const char *dir)
{
    char path[1024];
    serve_site site = {"East Asia Forum archive", NULL, NULL, NULL, NULL, NULL};
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    search_req r;
    sbuf b = SBUF_INIT;
    char *page;
    int status, rc = 0;

    site.base_path = dir; /* file:// finds the stylesheet there */
    snprintf(path, sizeof(path), "%s/static", dir);
    mkdir(dir, 0777);
    mkdir(path, 0777);
    snprintf(path, sizeof(path), "%s/index.db", dir);
    unlink(path);
    o.flags = EAF_OPEN_CREATE;
    if (eaf_db_open(&db, path, &o, NULL) != EAF_OK)
        return 1;
    fill(db);
    rc |= write_file(dir, "static/style.css", serve_stylesheet);
    rc |= write_file(dir, "static/complete.js", serve_script);
#define SEARCH(file, ...) \
    do { \
        req_init(&r, ""); \
        __VA_ARGS__; \
        page = run_search(db, &site, &r, &status); \
        rc |= write_file(dir, file, page); \
        free(page); \
    } while (0)
    SEARCH("front.html", (void)0);
    SEARCH("search.html", r.q = "trade tariffs");
    SEARCH("facet.html", r.q = "trade tariffs"; r.topics[0] = "Trade");
    SEARCH("page2.html", r.q = "trade tariffs"; r.offset = 10);
    SEARCH("nothing.html", r.q = "tarifs zzqqxx qqqq"; r.countries[0] = "Japan");
    SEARCH("hostile.html", r.q = "hostile"; r.n = 20);
    SEARCH("hostile-q.html", r.q = "<script>window.__pwned=1</script>\"><img src=x onerror=alert(1)>";
           r.authors[0] = "\"><svg onload=alert(2)>");
    page = run_article(db, &site, "2016/05/trade-01", 1, "http://127.0.0.1:8080", &status);
    rc |= write_file(dir, "article.html", page);
    free(page);
    page = run_article(db, &site, "hostile/\"><svg onload=alert(7)>", 1, "http://h", &status);
    rc |= write_file(dir, "hostile-article.html", page);
    free(page);
    page_related_fragment(&b, &site, db, "2016/05/trade-01");
    page = sbuf_take(&b, NULL);
    rc |= write_file(dir, "embed.html", page);
    free(page);
    page_error(&b, &site, 404, NULL);
    page = sbuf_take(&b, NULL);
    rc |= write_file(dir, "error.html", page);
    free(page);
    page_opensearch(&b, &site, "http://127.0.0.1:8080");
    page = sbuf_take(&b, NULL);
    rc |= write_file(dir, "opensearch.xml", page);
    free(page);
    eaf_db_close(db);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    eaf_db *db;

    if (argc == 3 && strcmp(argv[1], "--render") == 0)
        return render(argv[2]);
    test_escapes();
    test_helpers();
    test_checker();
    test_assets();
    tu_tmpdir();
    db = tu_open("pages.db", NULL);
    fill(db);
    test_front(db);
    test_results(db);
    test_notes(db);
    test_hostile_pages(db);
    test_article(db);
    test_fragment(db);
    test_opensearch_and_errors();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
