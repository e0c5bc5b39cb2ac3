/*
 * test_formats.c: the HTML, Markdown-with-front-matter and WordPress
 * readers through the public API, on the fixtures in tests/fixtures/html,
 * markdown and wxr: what each field comes from, character sets, broken
 * and hostile input (invalid bytes, truncation, entity bombs, external
 * entities, YAML alias bombs), skipped records, format detection, and
 * the readers under failing allocations; and the table of formats, whose
 * readers a build may lack (their tests are then skipped).
 */
#include "eafsearch.h"
#include "import/format.h"
#include "tap.h"
#include "testutil.h"

#include <time.h>

#define FIX EAF_TEST_SRCDIR "/tests/fixtures/"

#define F(x) TU_FORMAT(x)
#define ALL_FORMATS (F(PAGE) | F(JSONL) | F(HTML) | F(MARKDOWN) | F(WXR))

/* Reads every article of a file (up to 16), counting errors; the last
 * error message is kept. */
typedef struct got {
    eaf_article *a[16];
    int n, errors;
    eaf_status open_st, last_st;
    char msg[512];
    size_t skipped;
    char skip_reason[128];
    eaf_format format;
} got;

static void read_all(got *g, const char *file, const char *name, eaf_format format)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    eaf_reader *r = NULL;
    char *err = NULL;
    eaf_status st;
    eaf_article *a;

    memset(g, 0, sizeof(*g));
    o.format = format;
    o.name = name;
    g->open_st = eaf_reader_open(&r, file, &o, &err);
    if (g->open_st != EAF_OK) {
        snprintf(g->msg, sizeof(g->msg), "%s", err ? err : "");
        eaf_free(err);
        return;
    }
    g->format = eaf_reader_format(r);
    while ((st = eaf_reader_next(&a, r)) != EAF_DONE) {
        g->last_st = st;
        if (st == EAF_ROW) {
            if (g->n < 16)
                g->a[g->n++] = a;
            else
                eaf_article_free(a);
            if (g->n == 1)
                g->format = eaf_reader_format(r);
            continue;
        }
        g->errors++;
        snprintf(g->msg, sizeof(g->msg), "%s", eaf_reader_errmsg(r));
        if (st != EAF_SYNTAX)
            break;
    }
    g->skipped = eaf_reader_skipped(r);
    snprintf(g->skip_reason, sizeof(g->skip_reason), "%s",
             eaf_reader_skip_reason(r) ? eaf_reader_skip_reason(r) : "");
    eaf_reader_free(r);
}

static void free_got(got *g)
{
    int i;

    for (i = 0; i < g->n; i++)
        eaf_article_free(g->a[i]);
}

static const char *field(got *g, int i, eaf_field f)
{
    return i < g->n ? eaf_article_get(g->a[i], f) : NULL;
}

static const char *author(got *g, int i, size_t k)
{
    return i < g->n ? eaf_article_author_name(g->a[i], k) : NULL;
}

static const char *tag(got *g, int i, eaf_tag_kind kind, size_t k)
{
    return i < g->n ? eaf_article_tag(g->a[i], kind, k) : NULL;
}

static size_t ntags(got *g, int i, eaf_tag_kind kind)
{
    return i < g->n ? eaf_article_tag_count(g->a[i], kind) : 0;
}

/* ---- HTML ------------------------------------------------------------------ */

static void test_html_article(void)
{
    got g;
    const char *body;

    read_all(&g, FIX "html/article.html", "html/article.html", EAF_FORMAT_AUTO);
    is_int(g.open_st, EAF_OK, "article.html opens");
    is_int(g.format, EAF_FORMAT_HTML, "article.html is detected as HTML");
    is_int(g.n, 1, "article.html: one article");
    is_int(g.errors, 0, "article.html: no error");
    is_str(field(&g, 0, EAF_FIELD_KEY), "https://notes.example.org/2019/03/reef-tourism/",
           "html: the key is the canonical URL");
    is_str(field(&g, 0, EAF_FIELD_URL), "https://notes.example.org/2019/03/reef-tourism/",
           "html: so is the url");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Reef tourism after the bleaching",
           "html: og:title wins over JSON-LD and <title>");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2019-03-04",
           "html: article:published_time, in the page's own time zone");
    is_str(field(&g, 0, EAF_FIELD_SUMMARY),
           "Operators on the outer reef & the towns that depend on them.",
           "html: the meta description, entities decoded");
    is_str(field(&g, 0, EAF_FIELD_LANGUAGE), "en", "html: <html lang> (primary subtag)");
    is_int(g.n ? eaf_article_author_count(g.a[0]) : 0, 2, "html: two meta authors");
    is_str(author(&g, 0, 0), "Mereana Walsh", "html: author 1");
    is_str(author(&g, 0, 1), "Tomas Okafor", "html: author 2 (rel=author not added twice)");
    is_int(ntags(&g, 0, EAF_TAG_OTHER), 3, "html: article:tag + rel=tag, deduplicated");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 0), "Tourism", "html: tag 1");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 1), "Great Barrier Reef", "html: tag 2");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 2), "Queensland", "html: rel=tag in the article footer");
    is_int(ntags(&g, 0, EAF_TAG_TOPIC), 1, "html: rel=\"category tag\" is a topic");
    is_str(tag(&g, 0, EAF_TAG_TOPIC, 0), "Environment", "html: the topic");
    is_int(g.n ? eaf_article_related_title_count(g.a[0]) : 0, 2, "html: related titles");
    is_str(g.n ? eaf_article_related_title(g.a[0], 0) : NULL, "Who pays for the reef?",
           "html: related title 1");
    body = field(&g, 0, EAF_FIELD_BODY);
    ok(body && strncmp(body, "Dive operators out of Cairns counted fewer bookings", 51) == 0,
       "html: body starts with the content, white space squeezed");
    ok(body && strstr(body, "feared.\n\nThree things changed:"),
       "html: paragraphs are separated by a blank line");
    ok(body && strstr(body, "longer trips to the outer reef;\nsmaller boats;\nnew & cheaper"),
       "html: list items one per line, entities decoded");
    ok(body && strstr(body, "\xE2\x80\x9CWe sell the reef as it is,\xE2\x80\x9D"),
       "html: an aside inside the content (a pull quote) is text");
    ok(body && strstr(body, "A line\nbroken in two."), "html: <br> breaks a line");
    ok(body && strstr(body, "  code   keeps\n  its spacing"), "html: <pre> keeps its spacing");
    ok(body && strlen(body) > 23 && strcmp(body + strlen(body) - 23, "The season ends in May.") == 0,
       "html: body ends with the content");
    {
        static const char *const never[] = {
            "never text", "no script text", "iframe text", "template text", "svg text",
            "form text", "Skip to content", "About us", "Footer text", "Sidebar tag",
            "Related posts", "Who pays", "Tagged", "margin"};
        size_t i;
        for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
            ok(body && !strstr(body, never[i]), "html: no '%s' in the body", never[i]);
    }
    free_got(&g);
}

static void test_html_fallbacks(void)
{
    got g;

    read_all(&g, FIX "html/h1-title.html", "site/h1-title.html", EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Tariff talk in the Mekong",
           "html: without og:title, the article's h1 (markup dropped)");
    is_str(field(&g, 0, EAF_FIELD_KEY), "site/h1-title",
           "html: without a canonical link, the key is the path");
    is_str(field(&g, 0, EAF_FIELD_URL), NULL, "html: and there is no url");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2021-07-09", "html: <time datetime>");
    is_str(author(&g, 0, 0), "Lan Pham", "html: rel=author link 1");
    is_str(author(&g, 0, 1), "Somchai Ruang", "html: rel=author link 2");
    is_int(g.n ? eaf_article_author_count(g.a[0]) : 0, 2, "html: a repeated byline counts once");
    is_str(field(&g, 0, EAF_FIELD_BODY),
           "First paragraph of the article.\n\nLast paragraph of the article.",
           "html: in a bare <article>, the title, byline and date line are not body");
    free_got(&g);

    read_all(&g, FIX "html/title-only.html", "title-only.html", EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Dredging the inner channel",
           "html: <title> without the site's name (og:site_name) in front");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2016-11-30", "html: JSON-LD @graph datePublished");
    is_str(author(&g, 0, 0), "Ana Costa", "html: JSON-LD author by @id reference");
    is_str(author(&g, 0, 1), "Piet de Vries", "html: JSON-LD author by name");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 1), "dredging", "html: JSON-LD keywords");
    is_str(tag(&g, 0, EAF_TAG_TOPIC, 0), "Infrastructure", "html: JSON-LD articleSection");
    is_str(field(&g, 0, EAF_FIELD_SUMMARY), "What the channel costs.",
           "html: JSON-LD description");
    is_str(field(&g, 0, EAF_FIELD_LANGUAGE), "nl", "html: JSON-LD inLanguage");
    is_str(field(&g, 0, EAF_FIELD_BODY), "The inner channel was last dredged in 2009.",
           "html: the body of <main>");
    free_got(&g);

    read_all(&g, FIX "html/jsonld.html", "jsonld.html", EAF_FORMAT_AUTO);
    is_int(g.errors, 0, "html: a broken JSON-LD block is ignored");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Rice prices and the monsoon",
           "html: JSON-LD headline before a bare <title>");
    is_str(author(&g, 0, 0), "Devi Raman", "html: JSON-LD author as a string");
    is_int(ntags(&g, 0, EAF_TAG_OTHER), 3, "html: keywords as a comma-separated string");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 1), "monsoon", "html: keywords trimmed");
    is_str(field(&g, 0, EAF_FIELD_BODY), "Body from the post content.",
           "html: div.post-content is a content element");
    free_got(&g);
}

static void test_html_charsets(void)
{
    got g;

    read_all(&g, FIX "html/cp1252.html", "cp1252.html", EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_TITLE),
           "\xE2\x80\x9C" "Caf\xC3\xA9 culture\xE2\x80\x9D in Hanoi \xE2\x80\x93 a note",
           "windows-1252: smart quotes, accents and dashes become UTF-8");
    is_str(author(&g, 0, 0), "Ren\xC3\xA9" "e Dupr\xC3\xA9", "windows-1252: in metas too");
    is_str(field(&g, 0, EAF_FIELD_BODY),
           "Prices rose by \xE2\x82\xAC" "10 and a \xC2\xBD; it\xE2\x80\x99s \xE2\x80\x9C"
           "fine\xE2\x80\x9D.",
           "windows-1252: the euro sign, and character references beside bytes");
    free_got(&g);

    read_all(&g, FIX "html/latin1.html", "latin1.html", EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "S\xC3\xA3o Tom\xC3\xA9 and the cocoa trade",
           "ISO-8859-1 (http-equiv): converted");
    is_str(field(&g, 0, EAF_FIELD_BODY),
           "It\xE2\x80\x99s a na\xC3\xAFve price \xC2\xA9 2015.",
           "ISO-8859-1 is read as windows-1252, as browsers do (0x92 is a quote)");
    free_got(&g);

    read_all(&g, FIX "html/invalid-utf8.html", "invalid-utf8.html", EAF_FORMAT_AUTO);
    is_int(g.n, 1, "invalid UTF-8: still an article");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Bad bytes \xEF\xBF\xBD here",
           "invalid UTF-8: a bad byte becomes U+FFFD");
    is_str(field(&g, 0, EAF_FIELD_BODY), "Before \xEF\xBF\xBD( after, and caf\xC3\xA9 stays.",
           "invalid UTF-8: the good bytes around it stay");
    free_got(&g);

    read_all(&g, FIX "html/bom.html", "bom.html", EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_HTML, "BOM: detected as HTML");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "A page with a BOM", "BOM: read as UTF-8");
    free_got(&g);
}

static void test_html_broken(void)
{
    got g;
    const char *body;

    read_all(&g, FIX "html/broken.html", "broken.html", EAF_FORMAT_AUTO);
    is_int(g.n, 1, "broken HTML: recovered");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Sloppy markup & survival", "broken HTML: title");
    body = field(&g, 0, EAF_FIELD_BODY);
    ok(body && strstr(body, "An unescaped ampersand in an attribute."),
       "broken HTML: first paragraph");
    ok(body && strstr(body, "Last words here."), "broken HTML: last paragraph");
    free_got(&g);

    read_all(&g, FIX "html/truncated.html", "truncated.html", EAF_FORMAT_AUTO);
    is_int(g.n, 1, "truncated page: still indexed");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "A page cut short", "truncated page: head intact");
    is_str(author(&g, 0, 0), "Kiri Tane", "truncated page: author");
    is_str(field(&g, 0, EAF_FIELD_BODY),
           "The first paragraph arrived whole.\n\nThe second one stops in the middle of a",
           "truncated page: the body that is there");
    free_got(&g);

    read_all(&g, FIX "html/empty.html", "html/empty.html", EAF_FORMAT_AUTO);
    is_int(g.n, 0, "empty page: no article");
    is_int(g.errors, 1, "empty page: one error");
    is_str(g.msg, "html/empty.html: empty file", "empty page: the message");
    free_got(&g);

    read_all(&g, FIX "html/no-title.html", "no-title.html", EAF_FORMAT_AUTO);
    is_int(g.errors, 1, "no title: an error");
    ok(strstr(g.msg, "no title") != NULL, "no title: says so (%s)", g.msg);
    free_got(&g);

    read_all(&g, FIX "html/listing.html", "listing.html", EAF_FORMAT_AUTO);
    is_int(g.n + g.errors, 0, "a listing page: no article and no error");
    is_int(g.skipped, 1, "a listing page: skipped");
    is_str(g.skip_reason, "a listing of 3 articles, not an article page",
           "a listing page: the reason");
    free_got(&g);
}

/* ---- Markdown with front matter --------------------------------------------- */

static void test_markdown(void)
{
    got g;
    const char *body;

    read_all(&g, FIX "markdown/post.md", "posts/post.md", EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_MARKDOWN, "post.md is detected as Markdown with front matter");
    is_int(g.n, 1, "post.md: one article");
    is_str(field(&g, 0, EAF_FIELD_KEY), "posts/post", "markdown: the key is the path");
    is_str(field(&g, 0, EAF_FIELD_TITLE),
           "Ferries, fares & the \xE2\x80\x9Clast mile\xE2\x80\x9D in Manila",
           "markdown: the title with entities decoded and tags dropped");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2018-10-02", "markdown: a date-time's date");
    is_str(author(&g, 0, 0), "Rosa Villanueva", "markdown: an author as a mapping");
    is_str(g.n ? eaf_article_author_affiliation(g.a[0], 0) : NULL, "Ateneo Policy Center",
           "markdown: with an affiliation");
    is_str(author(&g, 0, 1), "Ben Carter", "markdown: an author as a string");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 1), "Pasig River", "markdown: tags");
    is_str(tag(&g, 0, EAF_TAG_TOPIC, 1), "Infrastructure", "markdown: categories are topics");
    is_str(field(&g, 0, EAF_FIELD_SUMMARY),
           "The river ferry is back, and the fares are the question.",
           "markdown: the excerpt is the summary");
    is_str(field(&g, 0, EAF_FIELD_LANGUAGE), "en", "markdown: lang");
    body = field(&g, 0, EAF_FIELD_BODY);
    ok(body && strncmp(body, "The Pasig River ferry returned in 2018 after years of stops.", 60) == 0,
       "markdown: links keep their text, emphasis goes");
    ok(body && !strstr(body, "page.fare") && !strstr(body, "{%") && !strstr(body, "callout") &&
           strstr(body, "Its fares are  per ride."),
       "markdown: template tags are dropped");
    ok(body && strstr(body, "Keep {{ this }} as it is."), "markdown: {%% raw %%} is kept as it is");
    ok(body && strstr(body, "Who rides\n\noffice workers from Pinagbuhatan;\nstudents;"),
       "markdown: headings and list items");
    ok(body && strstr(body, "An HTML block & its text."), "markdown: HTML blocks give their text");
    ok(body && !strstr(body, "ferry at dusk"), "markdown: images give no text");
    ok(body && strstr(body, "route = [\"Escolta\", \"Guadalupe\"]"), "markdown: code keeps its text");
    ok(body && strstr(body, "Fares rose by a third.\n\nMetro Manila") && !strstr(body, "[^1]"),
       "markdown: footnote marks go, the note stays");
    free_got(&g);

    read_all(&g, FIX "markdown/2019-05-06-date-from-name.md", "2019-05-06-date-from-name.md",
             EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_DATE), "2019-05-06", "markdown: the date from the file name");
    is_str(author(&g, 0, 0), "Hemi Parata", "markdown: author: a string");
    is_int(ntags(&g, 0, EAF_TAG_OTHER), 3, "markdown: tags as a comma-separated string");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 2), "Pacific", "markdown: trimmed");
    free_got(&g);

    read_all(&g, FIX "markdown/crlf-bom.md", "crlf-bom.md", EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Windows line ends", "markdown: BOM and CRLF");
    is_str(field(&g, 0, EAF_FIELD_BODY), "First line. Same paragraph.\n\nSecond paragraph.",
           "markdown: CRLF body");
    free_got(&g);

    read_all(&g, FIX "markdown/draft.md", "draft.md", EAF_FORMAT_AUTO);
    is_int(g.n + g.errors, 0, "markdown: a draft is neither an article nor an error");
    is_str(g.skip_reason, "a draft", "markdown: it is skipped");
    free_got(&g);
}

static void test_markdown_bad(void)
{
    static const struct {
        const char *file, *msg;
    } bad[] = {
        {"no-title.md", "m/no-title.md: no title in the front matter"},
        {"bad-yaml.md", "m/bad-yaml.md: front matter, line 4: did not find expected ',' or ']'"},
        {"unclosed.md", "m/unclosed.md: the front matter has no closing \"---\" line"},
        {"laughs.md", "m/laughs.md: front matter: aliases expand too much"},
    };
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[512], name[64];
        got g;
        clock_t t0 = clock();

        snprintf(path, sizeof(path), FIX "markdown/%s", bad[i].file);
        snprintf(name, sizeof(name), "m/%s", bad[i].file);
        read_all(&g, path, name, EAF_FORMAT_AUTO);
        is_int(g.n, 0, "%s: no article", bad[i].file);
        is_int(g.errors, 1, "%s: one error", bad[i].file);
        ok(strncmp(g.msg, bad[i].msg, strlen(bad[i].msg)) == 0, "%s: %s", bad[i].file, g.msg);
        ok((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0, "%s: refused at once", bad[i].file);
        free_got(&g);
    }
}

/* What Jekyll and Hugo do with a static site's source: JSON and TOML front
 * matter, Jekyll's space-separated tags, plain Markdown titled by its
 * first heading; and JSON Lines stays JSON Lines. */
static void test_static_sites(void)
{
    got g;
    const char *body;
    size_t i;

    read_all(&g, FIX "markdown/json-front.md", "content/posts/json-front.md", EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_MARKDOWN, "JSON front matter: Markdown, not JSON Lines");
    is_int(g.n, 1, "JSON front matter: one article (%s)", g.msg);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Toll roads & the ferry question",
           "JSON front matter: the title, as the templates show it");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2019-03-02", "JSON front matter: the date");
    is_str(author(&g, 0, 0), "Rosa Villanueva", "JSON front matter: the author");
    is_int(ntags(&g, 0, EAF_TAG_OTHER), 2, "JSON front matter: a list of tags");
    is_int(ntags(&g, 0, EAF_TAG_TOPIC), 1, "JSON front matter: a string is one term (Hugo)");
    is_str(tag(&g, 0, EAF_TAG_TOPIC, 0), "shipping lanes", "JSON front matter: that term");
    is_str(field(&g, 0, EAF_FIELD_SUMMARY), "What a bridge costs a ferry town.",
           "JSON front matter: the description");
    is_str(field(&g, 0, EAF_FIELD_BODY),
           "The ferry still runs at dawn, as it has since 1990.\n\nIt costs less than the "
           "bridge toll.",
           "JSON front matter: the body is the Markdown after the object");
    free_got(&g);

    read_all(&g, FIX "markdown/toml-front.md", "toml-front.md", EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_MARKDOWN, "TOML front matter: detected as Markdown");
    ok(g.n == 0 && g.errors == 1, "TOML front matter: an error for the file");
    ok(strstr(g.msg, "toml-front.md: TOML front matter") && strstr(g.msg, "hugo convert toYAML"),
       "TOML front matter: says what it is and how to convert it (%s)", g.msg);
    free_got(&g);

    read_all(&g, FIX "markdown/jekyll-tags.md", "_posts/jekyll-tags.md", EAF_FORMAT_AUTO);
    is_int(ntags(&g, 0, EAF_TAG_OTHER), 4, "Jekyll: tags split at white space, plus tag");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 0), "single tag", "Jekyll: the singular tag, unsplit");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 1), "ports", "Jekyll: tags 1");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 2), "shipping", "Jekyll: tags 2 (two spaces before)");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 3), "labour", "Jekyll: tags 3 (after a tab)");
    is_int(ntags(&g, 0, EAF_TAG_TOPIC), 2, "Jekyll: categories split at white space");
    is_str(tag(&g, 0, EAF_TAG_TOPIC, 1), "trade", "Jekyll: the second category");
    free_got(&g);

    read_all(&g, FIX "markdown/2021-04-05-heading-title.md", "notes/2021-04-05-heading-title.md",
             EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_MARKDOWN, "# Title: plain Markdown");
    is_int(g.n, 1, "# Title: an article (%s)", g.msg);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Why the river ferry came back",
           "# Title: the heading is the title");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2021-04-05", "# Title: the date from the file name");
    body = field(&g, 0, EAF_FIELD_BODY);
    ok(body && strncmp(body, "The ferry returned after ten years.", 35) == 0,
       "# Title: the body starts after the title");
    ok(body && strstr(body, "Who rides it\n\nOffice workers") && strstr(body, "Less than the bus."),
       "# Title: level-2 sections are body text, to the end");
    free_got(&g);

    read_all(&g, FIX "markdown/setext-title.md", "setext-title.md", EAF_FORMAT_AUTO);
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Monsoon rice prices", "an underlined title");
    is_str(field(&g, 0, EAF_FIELD_BODY), "Prices rose with the rains.", "and its body");
    free_got(&g);

    /* an East Asia Forum page stays one: navigation, then ## Title */
    read_all(&g, FIX "../../examples/archive/2018/japans-balancing-act-in-beijing.md", "p.md",
             EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_PAGE, "an article page is still a page");
    is_int(g.n, 1, "an article page: one article (%s)", g.msg);
    free_got(&g);

    {
        static const struct {
            const char *data, *name;
            eaf_format format;
            const char *title; /* NULL: an error */
        } cases[] = {
            {"{\"title\": \"One line\", \"tags\": \"a b\"}\nThe body.\n", "one.md",
             EAF_FORMAT_MARKDOWN, "One line"},
            {"{\"id\": \"1\", \"title\": \"A\"}\n{\"id\": \"2\", \"title\": \"B\"}\n", "x.md",
             EAF_FORMAT_JSONL, "A"},
            {"{\"id\": \"1\", \"title\": \"A\"}\n", "data", EAF_FORMAT_JSONL, "A"},
            {"{\"id\": \"1\", \"title\": \"A\"}\nnot JSON\n", "data.txt", EAF_FORMAT_JSONL, "A"},
            {"{\"id\": \"1\",\n \"title\": \"A\"}\n", "x.jsonl", EAF_FORMAT_JSONL, NULL},
            {"{\"id\": \"1\", \"title\": \"A\"} trailing\n", "x.md", EAF_FORMAT_JSONL, NULL},
            {"---\ndate: 2020-01-01\n---\n# From the heading\n\nText.\n", "f.md",
             EAF_FORMAT_MARKDOWN, "From the heading"},
            {"Text first.\n\n# A heading later\n", "late.md", EAF_FORMAT_PAGE, NULL},
            {"- [Home](#)\n\n## A page\n\n# Not the title\n", "nav.md", EAF_FORMAT_PAGE,
             "A page"},
            {"----\n\n# Under a rule\n", "rule.md", EAF_FORMAT_PAGE, NULL},
        };
        for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            eaf_reader *r = NULL;
            eaf_article *a = NULL;
            eaf_status st = eaf_reader_open_memory(&r, cases[i].data, strlen(cases[i].data),
                                                   cases[i].name, NULL, NULL);
            is_int(r ? (int)eaf_reader_format(r) : -1, cases[i].format,
                   "static %zu (%s): %s", i, cases[i].name, eaf_format_name(cases[i].format));
            st = r ? eaf_reader_next(&a, r) : st;
            if (cases[i].title)
                is_str(a ? eaf_article_get(a, EAF_FIELD_TITLE) : NULL, cases[i].title,
                       "static %zu: the first article's title", i);
            else
                is_int(st, EAF_SYNTAX, "static %zu: an error (%s)", i,
                       r ? eaf_reader_errmsg(r) : "");
            eaf_article_free(a);
            eaf_reader_free(r);
        }
    }
    /* a JSON line longer than detection looks at is still JSON Lines */
    {
        size_t big = 100000;
        char *line = malloc(big + 64);
        eaf_reader *r = NULL;
        int k = snprintf(line, big + 64, "{\"id\": \"long\", \"title\": \"Long\", \"body\": \"");
        memset(line + k, 'w', big);
        strcpy(line + k + big, "\"}\n");
        eaf_status st = eaf_reader_open_memory(&r, line, strlen(line), "long", NULL, NULL);
        is_int(st == EAF_OK ? (int)eaf_reader_format(r) : -1, EAF_FORMAT_JSONL,
               "a 100 kB JSON line: JSON Lines");
        eaf_reader_free(r);
        free(line);
    }
    /* JSON Lines under any name stays JSON Lines */
    {
        static const char *const names[] = {"good.jsonl", "good.txt", "good"};
        for (i = 0; i < 3; i++) {
            read_all(&g, FIX "jsonl/good.jsonl", names[i], EAF_FORMAT_AUTO);
            is_int(g.format, EAF_FORMAT_JSONL, "good.jsonl as %s: JSON Lines", names[i]);
            ok(g.n >= 3 && g.errors == 0, "good.jsonl as %s: every line an article (%d)",
               names[i], g.n);
            free_got(&g);
        }
    }
}

/* ---- WordPress ---------------------------------------------------------------- */

static void test_wxr(void)
{
    got g;
    const char *body;
    int i;

    read_all(&g, FIX "wxr/export.wxr", "wxr/export.wxr", EAF_FORMAT_AUTO);
    is_int(g.format, EAF_FORMAT_WXR, "export.wxr is detected as a WordPress export");
    is_int(g.n, 3, "wxr: three published posts");
    is_int(g.errors, 1, "wxr: one bad item (a post without a title)");
    ok(strstr(g.msg, "export.wxr:") && strstr(g.msg, "without a title"),
       "wxr: the bad item is named with its line (%s)", g.msg);
    is_int(g.skipped, 9,
           "wxr: attachment, page, menu item, draft, trash, private, future, pending and "
           "revision are skipped");
    is_str(field(&g, 0, EAF_FIELD_KEY), "https://straits.example.com/2020/02/bunker-fuel/",
           "wxr: the key is the link");
    is_str(field(&g, 0, EAF_FIELD_TITLE), "Bunker fuel & the Strait",
           "wxr: the title, entities decoded");
    is_str(field(&g, 0, EAF_FIELD_DATE), "2020-02-03", "wxr: wp:post_date (local)");
    is_str(author(&g, 0, 0), "Wei Ling Tan", "wxr: dc:creator resolved to the display name");
    is_int(g.n ? eaf_article_author_count(g.a[0]) : 0, 1, "wxr: a comment's author is not one");
    is_str(tag(&g, 0, EAF_TAG_TOPIC, 0), "Shipping", "wxr: category -> topic");
    is_int(ntags(&g, 0, EAF_TAG_OTHER), 2, "wxr: post_tag -> tags (post_format is not one)");
    is_str(tag(&g, 0, EAF_TAG_OTHER, 1), "prices", "wxr: the second tag");
    is_int(ntags(&g, 0, EAF_TAG_COUNTRY), 2, "wxr: the country taxonomy -> countries");
    is_str(tag(&g, 0, EAF_TAG_COUNTRY, 0), "Singapore", "wxr: the first country");
    is_str(field(&g, 0, EAF_FIELD_SUMMARY), "Why ships refuel here.",
           "wxr: excerpt:encoded as text");
    is_str(field(&g, 0, EAF_FIELD_LANGUAGE), "en", "wxr: the channel's language");
    body = field(&g, 0, EAF_FIELD_BODY);
    is_str(body,
           "Ships refuel here more than anywhere else in the world.\n\n"
           "A second paragraph, with a link and emphasis.\nAnd a line break inside it.\n\n"
           "Prices\n\nLow-sulphur fuel costs more.",
           "wxr: classic content: blank lines are paragraphs, markup goes");
    is_str(field(&g, 1, EAF_FIELD_BODY), "First block.\n\none\ntwo\n\nLast block.",
           "wxr: block-editor comments and scripts give no text");
    is_str(author(&g, 1, 1), "Wei Ling Tan", "wxr: an author taxonomy term is an author");
    is_str(tag(&g, 1, EAF_TAG_OTHER, 0), "Ports & harbours", "wxr: a tag's entities decoded");
    is_str(field(&g, 2, EAF_FIELD_TITLE), "After the bad item",
           "wxr: the item after a bad one is read");
    free_got(&g);

    /* a feed is skipped by its content, under any name (a mirror saves a
     * site's feed as feed/index.html, its comments feed beside a post) */
    {
        static const char *const names[] = {"blog/index.html", "export.xml", "noumea"};
        for (i = 0; i < 3; i++) {
            read_all(&g, FIX "wxr/feed.xml", names[i], EAF_FORMAT_AUTO);
            is_int(g.format, EAF_FORMAT_WXR, "an RSS feed as %s: detected by its content",
                   names[i]);
            is_int(g.n + g.errors, 0, "an RSS feed as %s: no article, no error", names[i]);
            is_int((int)g.skipped, 1, "an RSS feed as %s: skipped once", names[i]);
            ok(strstr(g.skip_reason, "an RSS feed, not a WordPress export") != NULL,
               "an RSS feed as %s: says why (%s)", names[i], g.skip_reason);
            free_got(&g);
        }
    }
    /* a feed repeats articles as excerpts under their own links: it is
     * skipped, here by its name */
    read_all(&g, FIX "wxr/feed.xml", "feed.xml", EAF_FORMAT_AUTO);
    is_int(g.n + g.errors, 0, "a feed named feed.xml: no article, no error");
    is_int((int)g.skipped, 1, "a feed named feed.xml: skipped");
    ok(strstr(g.skip_reason, "a feed") != NULL, "a feed named feed.xml: says so (%s)",
       g.skip_reason);
    free_got(&g);
}

static void test_wxr_hostile(void)
{
    got g;
    clock_t t0 = clock();
    int i;

    read_all(&g, FIX "wxr/laughs.wxr", "laughs.wxr", EAF_FORMAT_AUTO);
    ok((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0, "billion laughs: over at once");
    ok(g.n == 0 || (field(&g, 0, EAF_FIELD_BODY) == NULL ||
                    strlen(field(&g, 0, EAF_FIELD_BODY)) < 1000),
       "billion laughs: nothing expanded");
    is_int(g.errors, 1, "billion laughs: an error");
    ok(strstr(g.msg, "XML") != NULL, "billion laughs: a malformed XML message (%s)", g.msg);
    free_got(&g);

    read_all(&g, FIX "wxr/xxe.wxr", "xxe.wxr", EAF_FORMAT_AUTO);
    is_int(g.n, 1, "external entity: the item is read");
    for (i = 0; i < g.n; i++) {
        const char *t = field(&g, i, EAF_FIELD_TITLE), *b = field(&g, i, EAF_FIELD_BODY);
        ok(!(t && strstr(t, "XXE-SECRET")) && !(b && strstr(b, "XXE-SECRET")),
           "external entity: the file it names is never read");
    }
    is_str(field(&g, 0, EAF_FIELD_BODY), "Before after.",
           "external entity: no text for it, nothing fetched");
    free_got(&g);

    read_all(&g, FIX "wxr/truncated.wxr", "truncated.wxr", EAF_FORMAT_AUTO);
    is_int(g.n, 2, "truncated export: the posts before the cut are read");
    is_int(g.errors, 1, "truncated export: then an error");
    ok(strstr(g.msg, "truncated.wxr:") && strstr(g.msg, "XML"),
       "truncated export: named (%s)", g.msg);
    free_got(&g);
}

/* Feeds and WordPress comment pages are not articles: each is skipped,
 * once, with its reason, whatever the file is called. */
static void test_feeds_and_comments(void)
{
    static const char atom[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- generator: a static site -->\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Notes</title>"
        "<entry><title>Reef tourism</title><link href=\"https://n.example/reef/\"/>"
        "<summary>An excerpt.</summary></entry></feed>\n";
    static const char rdf[] =
        "<?xml version=\"1.0\"?><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
        "xmlns=\"http://purl.org/rss/1.0/\"><channel rdf:about=\"x\"><title>T</title></channel>"
        "<item rdf:about=\"https://n.example/reef/\"><title>Reef</title></item></rdf:RDF>\n";
    static const char comments[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" "
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>"
        "<title>Comments on: Bunker fuel</title><link>https://s.example/bunker/</link>"
        "<item><title>By: Wei</title><link>https://s.example/bunker/#comment-3</link>"
        "<dc:creator>Wei</dc:creator><content:encoded>A comment.</content:encoded></item>"
        "</channel></rss>\n";
    static const char empty_feed[] =
        "<rss version=\"2.0\"><channel><title>Nothing yet</title></channel></rss>\n";
    static const char wxr_ns_only[] =
        "<rss version=\"2.0\" xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel>"
        "<item><title>A post</title><link>https://s.example/a-post/</link>"
        "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status></item>"
        "</channel></rss>\n";
    static const char *const page =
        "<!DOCTYPE html><html><head><meta property=\"og:title\" content=\"Bunker fuel\">"
        "<link rel=\"canonical\" href=\"%s\"></head><body><article><h1>Bunker fuel</h1>"
        "<p>Ships refuel here; see comment-page-2 of the forum.</p></article>"
        "<section class=\"comments\"><p>A comment.</p></section></body></html>\n";
    static const struct {
        const char *data, *name, *reason; /* reason NULL: one article */
    } cases[] = {
        {atom, "feed/atom/feed", "an Atom feed"},
        {atom, "2019/notes.xml", "an Atom feed"},
        {rdf, "index.rdf.xml", "an RSS 1.0 feed"},
        {comments, "2020/02/bunker/comments.xml", "an RSS feed, not a WordPress export"},
        {comments, "2020/02/bunker/feed/index.html", "a feed"},
        {empty_feed, "index.html", "an RSS feed"},
        {wxr_ns_only, "export.xml", NULL},
    };
    static const struct {
        const char *canonical, *name, *reason;
    } pages[] = {
        {"https://s.example/bunker/comment-page-2/#comments", "2020/02/bunker/c2.html",
         "comment page (comment-page-N)"},
        {"https://s.example/bunker/comment-page-12", "c12.html", "comment page"},
        {"https://s.example/bunker/?replytocom=17#respond", "b.html", "reply-to-comment"},
        {"https://s.example/bunker/", "2020/02/bunker/comment-page-3/index.html",
         "comment page"},
        {"https://s.example/bunker/", "2020/02/bunker/index.html", NULL},
        {"https://s.example/comment-page-one/", "p.html", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        eaf_reader_options o = EAF_READER_OPTIONS_INIT;
        eaf_reader *r = NULL;
        eaf_article *a = NULL;
        int n = 0, errors = 0;
        eaf_status st;

        o.name = cases[i].name;
        st = eaf_reader_open_memory(&r, cases[i].data, strlen(cases[i].data), "x", &o, NULL);
        while (st == EAF_OK && (st = eaf_reader_next(&a, r)) != EAF_DONE) {
            if (st == EAF_ROW)
                n++;
            else
                errors++;
            eaf_article_free(a);
            if (st != EAF_ROW && st != EAF_SYNTAX)
                break;
            st = EAF_OK;
        }
        if (!cases[i].reason) {
            ok(n == 1 && errors == 0, "%s: a WordPress export by its wp: namespace: read",
               cases[i].name);
        } else {
            const char *why = r ? eaf_reader_skip_reason(r) : NULL;
            ok(n == 0 && errors == 0 && r && eaf_reader_skipped(r) == 1,
               "%s: no article, no error, skipped once (%d, %d)", cases[i].name, n, errors);
            ok(why && strstr(why, cases[i].reason), "%s: %s", cases[i].name,
               why ? why : "(no reason)");
        }
        eaf_reader_free(r);
    }
    for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        char html[1024];
        got g;
        eaf_reader_options o = EAF_READER_OPTIONS_INIT;
        eaf_reader *r = NULL;
        eaf_article *a = NULL;
        eaf_status st;

        snprintf(html, sizeof(html), page, pages[i].canonical);
        memset(&g, 0, sizeof(g));
        o.name = pages[i].name;
        st = eaf_reader_open_memory(&r, html, strlen(html), "x", &o, NULL);
        st = st == EAF_OK ? eaf_reader_next(&a, r) : st;
        if (!pages[i].reason) {
            is_int(st, EAF_ROW, "%s: the article itself is read", pages[i].canonical);
        } else {
            const char *why = r ? eaf_reader_skip_reason(r) : NULL;
            ok(st == EAF_DONE && r && eaf_reader_skipped(r) == 1,
               "%s as %s: a comment page is skipped (%s)", pages[i].canonical,
               pages[i].name, eaf_status_str(st));
            ok(why && strstr(why, pages[i].reason), "%s: says why (%s)", pages[i].name,
               why ? why : "");
        }
        eaf_article_free(a);
        eaf_reader_free(r);
    }
}

/* ---- detection and forcing ------------------------------------------------------ */

static void test_detection(void)
{
    static const struct {
        const char *data, *name;
        eaf_format format;
    } cases[] = {
        {"<!DOCTYPE html><html><head><title>T</title></head></html>", "blob", EAF_FORMAT_HTML},
        {"  <html><body><h1>T</h1></body></html>", "x.txt", EAF_FORMAT_HTML},
        {"<p>A fragment</p>", "page.html", EAF_FORMAT_HTML},
        {"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel></channel></rss>", "blob",
         EAF_FORMAT_WXR},
        {"<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\"></html>",
         "blob", EAF_FORMAT_HTML},
        {"---\ntitle: T\n---\nBody.\n", "blob", EAF_FORMAT_MARKDOWN},
        {"\xEF\xBB\xBF---\r\ntitle: T\r\n---\r\n", "blob", EAF_FORMAT_MARKDOWN},
        {"{\"id\": \"1\"}\n", "blob", EAF_FORMAT_JSONL},
        {"- [Home](#)\n\n## A page\n", "blob", EAF_FORMAT_PAGE},
        {"{{ template }}\n\n## Page\n", "blob", EAF_FORMAT_PAGE},
        /* a feed by its root element, whatever its name */
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY a \"<html>\">]>\n<rss>", "feed/index.html",
         EAF_FORMAT_WXR},
        {"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title>", "index.html",
         EAF_FORMAT_WXR},
        {"<?xml version=\"1.0\"?><!-- c --><rdf:RDF xmlns:rdf=\"x\">", "index.html",
         EAF_FORMAT_WXR},
        {"<!DOCTYPE html><html><body><p>&lt;rss&gt; and <feed></p></body></html>",
         "index.html", EAF_FORMAT_HTML},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        eaf_reader *r = NULL;
        eaf_status st = eaf_reader_open_memory(&r, cases[i].data, strlen(cases[i].data),
                                               cases[i].name, NULL, NULL);
        is_int(st == EAF_OK ? (int)eaf_reader_format(r) : -1, cases[i].format,
               "detect %zu: %s", i, eaf_format_name(cases[i].format));
        eaf_reader_free(r);
    }
    /* names and format names */
    is_str(eaf_format_name(EAF_FORMAT_WXR), "wxr", "format name: wxr");
    is_str(eaf_archive_kind_name(EAF_ARCHIVE_GZIP), "gzip", "archive kind name: gzip");
    {
        eaf_format f = EAF_FORMAT_PAGE;
        eaf_archive_kind k = EAF_ARCHIVE_NONE;

        ok(eaf_format_from_name("markdown", &f) == EAF_OK && f == EAF_FORMAT_MARKDOWN,
           "from name: markdown");
        ok(eaf_format_from_name("html", &f) == EAF_OK && f == EAF_FORMAT_HTML,
           "from name: html");
        is_int(eaf_format_from_name("docx", &f), EAF_NOTFOUND, "from name: unknown");
        is_int(f, EAF_FORMAT_AUTO, "from name: unknown gives AUTO");
        is_int(eaf_format_from_name("zip", &f), EAF_NOTFOUND,
               "from name: an archive kind is no format");
        ok(eaf_archive_kind_from_name("zip", &k) == EAF_OK && k == EAF_ARCHIVE_ZIP,
           "archive kind from name: zip");
        is_int(eaf_archive_kind_from_name("html", &k), EAF_NOTFOUND,
               "archive kind from name: a format is no archive kind");
        is_int(k, EAF_ARCHIVE_NONE, "archive kind from name: unknown gives NONE");
    }
    is_str(eaf_format_name((eaf_format)99), NULL, "format name: out of range");
    is_str(eaf_archive_kind_name((eaf_archive_kind)99), NULL, "archive kind name: out of range");
    ok(eaf_reader_wants("2018/a/index.html"), "wants: .html");
    ok(eaf_reader_wants("export.WXR"), "wants: .WXR (case ignored)");
    ok(eaf_reader_wants("site.tar.gz") && eaf_reader_wants("site.zip") &&
           eaf_reader_wants("page.html.gz"),
       "wants: archives");
    ok(eaf_reader_wants("about"), "wants: a name without an extension");
    ok(!eaf_reader_wants("logo.png") && !eaf_reader_wants("style.css") &&
           !eaf_reader_wants("app.js"),
       "wants not: images, styles, scripts");
    ok(!eaf_reader_wants("dir/.hidden.md") && !eaf_reader_wants(""), "wants not: hidden");

    /* forcing: a front-matter file read as a page, an HTML file as Markdown */
    {
        got g;
        read_all(&g, FIX "html/h1-title.html", "h.html", EAF_FORMAT_MARKDOWN);
        is_int(g.format, EAF_FORMAT_MARKDOWN, "forced: the format is the one given");
        is_int(g.errors, 1, "forced: HTML read as Markdown is an error");
        ok(strstr(g.msg, "no front matter") != NULL, "forced: says why (%s)", g.msg);
        free_got(&g);
    }
}

/* ---- which files are read ------------------------------------------------------- */

static void test_ignore_reason(void)
{
    static const struct {
        const char *path, *reason; /* reason: a part of it; NULL: read */
    } cases[] = {
        {"2018/05/a/index.html", NULL},
        {"./posts/2019-01-01-x.md", NULL},
        {"export.wxr", NULL},
        {"about", NULL},
        {"site.tar.gz", NULL},
        {"security.md", NULL},          /* an ordinary word, in lower case */
        {"manifest.md", NULL},          /* a page called manifest */
        {"feedback/index.html", NULL},
        {"atom/index.html", NULL},
        {"comment-page-x/index.html", NULL},
        {"posts/index.md", NULL},
        {"LICENSE.md", "README or LICENSE"},
        {"License", "README or LICENSE"},
        {"docs/readme.txt", "README or LICENSE"},
        {"CHANGELOG.md", "README or LICENSE"},
        {"SECURITY.md", "README or LICENSE"},
        {"manifest.jsonl", "manifest"},
        {"pages/MANIFEST", "manifest"},
        {"Manifest.json", "manifest"},
        {"content/posts/_index.md", "Hugo list page"},
        {"_index.html", "Hugo list page"},
        {"feed/index.html", "a feed"},
        {"2018/05/a/feed/index.html", "a feed"},
        {"feed/atom/index.html", "a feed"},
        {"comments/feed/index.html", "a feed"},
        {"feed.xml", "a feed"},
        {"2018/05/a/comment-page-2/index.html", "comment page"},
        {"2018/05/a/index.html?replytocom=12.html", "reply-to-comment"},
        {"a/index.html?replytocom=12", "reply-to-comment"},
        {".hidden.md", "hidden file"},
        {"a/.git/x.md", "hidden folder"},
        {"__MACOSX/site/._a.md", "__MACOSX"},
        {"__MACOSX/site/a.md", "__MACOSX"},
        {"logo.png", "not an article file"},
        {"js/app.js", "not an article file"},
        {"dir/", "a folder"},
        {"", "no name"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = eaf_reader_ignore_reason(cases[i].path);
        if (!cases[i].reason)
            ok(why == NULL, "ignore: \"%s\" is read (%s)", cases[i].path, why ? why : "");
        else
            ok(why && strstr(why, cases[i].reason), "ignore: \"%s\": %s", cases[i].path,
               why ? why : "(read)");
    }
    ok(eaf_reader_ignore_reason(NULL) != NULL, "ignore: NULL is no name");
    /* eaf_reader_wants() is the extension part of the same rule */
    ok(eaf_reader_wants("LICENSE.md") && eaf_reader_ignore_reason("LICENSE.md"),
       "wants: LICENSE.md by its extension; ignored by the whole rule");
    ok(!eaf_reader_wants("logo.png") &&
           strcmp(eaf_reader_ignore_reason("logo.png"), "not an article file") == 0,
       "wants and ignore agree on a name with no article extension");

    /* a page of that kind named directly: skipped with the reason, not read
     * (once it is opened, which needs the Markdown reader) */
    if (tu_need("a Hugo list page named directly", F(MARKDOWN))) {
        static const char hugo[] = "---\ntitle: Posts\n---\nThe list.\n";
        eaf_reader_options o = EAF_READER_OPTIONS_INIT;
        eaf_reader *r = NULL;
        eaf_article *a = NULL;
        eaf_status st;

        o.name = "content/posts/_index.md";
        st = eaf_reader_open_memory(&r, hugo, strlen(hugo), "x", &o, NULL);
        is_int(st, EAF_OK, "_index.md opens");
        st = r ? eaf_reader_next(&a, r) : EAF_MISUSE;
        is_int(st, EAF_DONE, "_index.md: no article");
        is_int(r ? (int)eaf_reader_skipped(r) : -1, 1, "_index.md: skipped");
        ok(r && eaf_reader_skip_reason(r) && strstr(eaf_reader_skip_reason(r), "Hugo list page"),
           "_index.md: says why (%s)", r && eaf_reader_skip_reason(r) ? eaf_reader_skip_reason(r) : "");
        eaf_article_free(a);
        eaf_reader_free(r);
    }
}

/* ---- files that give nothing ------------------------------------------------------ */

/* Opens and reads bytes in memory: the open's status, the count of
 * articles and errors, and the first message (the open's or a read's). */
static void read_bytes(got *g, const char *data, size_t len, const char *name)
{
    eaf_reader *r = NULL;
    char *err = NULL;
    eaf_article *a;
    eaf_status st;

    memset(g, 0, sizeof(*g));
    g->open_st = eaf_reader_open_memory(&r, data, len, name, NULL, &err);
    if (g->open_st != EAF_OK) {
        snprintf(g->msg, sizeof(g->msg), "%s", err ? err : "");
        eaf_free(err);
        return;
    }
    while ((st = eaf_reader_next(&a, r)) != EAF_DONE) {
        g->last_st = st;
        if (st == EAF_ROW) {
            g->n++;
            eaf_article_free(a);
            continue;
        }
        if (!g->errors++)
            snprintf(g->msg, sizeof(g->msg), "%s", eaf_reader_errmsg(r));
        if (st != EAF_SYNTAX)
            break;
    }
    g->skipped = eaf_reader_skipped(r);
    eaf_reader_free(r);
}

/* A file that holds no article is an error saying what it holds: never a
 * file read with nothing in it. */
static void test_nothing_read(void)
{
    static const char nuls[64] = {0};
    static const char wxr_empty[] =
        "<?xml version=\"1.0\"?><rss version=\"2.0\" "
        "xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><title>Empty</title>"
        "<wp:wxr_version>1.2</wp:wxr_version></channel></rss>\n";
    static const struct {
        const char *data;
        size_t len;
        const char *name, *msg;
    } cases[] = {
        {"", 0, "e.md", "e.md: empty file"},
        {"  \n\n", 4, "w.md", "w.md: empty file"},
        {nuls, sizeof(nuls), "nul.md", "nul.md: binary data, not text (64 of the first 64"},
        {nuls, sizeof(nuls), "nul.jsonl", "nul.jsonl: binary data"},
        {nuls, sizeof(nuls), "nul.html", "nul.html: binary data"},
        {"\n\n   \n", 6, "blank.jsonl", "blank.jsonl: no article: 3 blank lines"},
        {"", 0, "e.jsonl", "e.jsonl: empty file"},
        {"<html><head></head><body> </body></html>", 41, "c.html",
         "c.html: a page without content: no text, and no title"},
        {"", 0, "e.html", "e.html: empty file"},
        {wxr_empty, sizeof(wxr_empty) - 1, "e.wxr", "e.wxr: no article: the WordPress "
                                                     "export holds no items"},
    };
    size_t i;
    got g;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        read_bytes(&g, cases[i].data, cases[i].len, cases[i].name);
        ok(g.n == 0 && (g.open_st == EAF_SYNTAX || g.errors == 1),
           "%s: an error (open %s, %d errors), not a file read", cases[i].name,
           eaf_status_str(g.open_st), g.errors);
        ok(strncmp(g.msg, cases[i].msg, strlen(cases[i].msg)) == 0, "%s: %s",
           cases[i].name, g.msg);
    }

    /* a NUL byte in a page's text is not binary data */
    {
        static const char page[] = "## A NUL inside\n\nBefore\0after, with yam.\n";
        read_bytes(&g, page, sizeof(page) - 1, "one-nul.md");
        is_int(g.n, 1, "a NUL in a page's text: the page is read (%s)", g.msg);
    }
    /* blank lines around JSON lines are no error */
    {
        static const char lines[] = "\n{\"id\": \"b1\", \"title\": \"One\"}\n\n";
        read_bytes(&g, lines, sizeof(lines) - 1, "b.jsonl");
        ok(g.n == 1 && g.errors == 0, "blank lines and one object: one article (%s)", g.msg);
    }
}

/* ---- out of memory ------------------------------------------------------------------ */

unsigned long eaf__alloc_fail_at(unsigned long n, int sticky);

/* Fails each allocation in turn while a file is read from memory: every
 * run ends in EAF_NOMEM or gives the article with the right title. */
static void oom_file(const char *path, const char *name, const char *title)
{
    static char data[16384];
    FILE *fp = fopen(path, "rb");
    size_t len = fp ? fread(data, 1, sizeof(data), fp) : 0;
    unsigned long total, n;
    int bad = 0, nomem = 0;

    if (fp)
        fclose(fp);
    if (!ok(len > 0 && len < sizeof(data), "oom: %s read", name))
        return;
    eaf__alloc_fail_at((unsigned long)-1, 0);
    {
        eaf_reader *r = NULL;
        eaf_article *a = NULL;
        if (eaf_reader_open_memory(&r, data, len, name, NULL, NULL) == EAF_OK &&
            eaf_reader_next(&a, r) == EAF_ROW)
            eaf_article_free(a);
        eaf_reader_free(r);
    }
    total = eaf__alloc_fail_at(0, 0);
    for (n = 1; n <= total; n++) {
        eaf_reader *r = NULL;
        eaf_article *a = NULL;
        eaf_status st;

        eaf__alloc_fail_at(n, 1);
        st = eaf_reader_open_memory(&r, data, len, name, NULL, NULL);
        if (st == EAF_OK)
            st = eaf_reader_next(&a, r);
        eaf__alloc_fail_at(0, 0);
        if (st == EAF_NOMEM)
            nomem++;
        else if (st != EAF_ROW || !a ||
                 strcmp(eaf_article_get(a, EAF_FIELD_TITLE), title) != 0) {
            bad++;
            diag("oom: %s, allocation %lu fails: %s (%s)", name, n, eaf_status_str(st),
                 r ? eaf_reader_errmsg(r) : "");
        }
        eaf_article_free(a);
        eaf_reader_free(r);
    }
    is_int(bad, 0, "oom: %s: each of %lu failures is EAF_NOMEM or the article", name, total);
    ok(nomem > 0, "oom: %s: failures reported (%d)", name, nomem);
}


/* The table of formats: every row complete, names and extensions told
 * apart, names that go both ways; the formats this build lacks refused
 * by name with a message saying why. */
static void test_table(void)
{
    size_t n, i, j;
    const eaf__format_def *const *t = eaf__format_table(&n);
    const char *const *a, *const *b;
    int f, available = 0;
    eaf_format fmt;

    ok(n <= 5, "the table has at most the five formats (%zu)", n);
    for (i = 0; i < n; i++) {
        const eaf__format_def *r = t[i];

        ok(r->name && *r->name && r->sniff && r->next && r->extensions,
           "row %zu (%s): a name, extensions, a sniffing and a next-article function", i,
           r->name ? r->name : "?");
        ok(r->id > EAF_FORMAT_AUTO && r->id <= EAF_FORMAT_WXR, "row %s: an article format",
           r->name);
        is_str(eaf_format_name(r->id), r->name, "row %s: eaf_format_name gives its name",
               r->name);
        ok(eaf_format_from_name(r->name, &fmt) == EAF_OK && fmt == r->id,
           "row %s: eaf_format_from_name gives it back", r->name);
        ok(eaf_format_available(r->id), "row %s: available", r->name);
        for (a = r->aliases; a && *a; a++)
            ok(eaf_format_from_name(*a, &fmt) == EAF_OK && fmt == r->id,
               "row %s: its other name %s gives it", r->name, *a);
        for (a = r->extensions; *a; a++) {
            char file[64];

            snprintf(file, sizeof(file), "x%s", *a);
            ok((*a)[0] == '.' && eaf_reader_wants(file),
               "row %s: extension %s, a dot and a name the readers want", r->name, *a);
        }
        for (j = i + 1; j < n; j++) {
            const eaf__format_def *q = t[j];
            int clash = q->id == r->id || strcmp(q->name, r->name) == 0;

            for (a = r->extensions; *a; a++)
                for (b = q->extensions; *b; b++)
                    clash |= strcmp(*a, *b) == 0;
            for (a = r->aliases; a && *a; a++)
                clash |= strcmp(*a, q->name) == 0;
            for (b = q->aliases; b && *b; b++)
                clash |= strcmp(*b, r->name) == 0;
            ok(!clash, "rows %s and %s: no id, name or extension in common", r->name,
               q->name);
        }
    }
    for (f = EAF_FORMAT_PAGE; f <= EAF_FORMAT_WXR; f++)
        available += eaf_format_available((eaf_format)f);
    is_int(available, n, "eaf_format_available: the formats of the table");
    ok(eaf_format_available(EAF_FORMAT_AUTO), "auto is always available");
    ok(!eaf_format_available((eaf_format)99), "a value that is no format is not available");

    /* eaf_format_from_name: a status, no sentinel */
    fmt = EAF_FORMAT_WXR;
    ok(eaf_format_from_name("auto", &fmt) == EAF_OK && fmt == EAF_FORMAT_AUTO,
       "from name: auto");
    fmt = EAF_FORMAT_WXR;
    is_int(eaf_format_from_name("Markdown", &fmt), EAF_NOTFOUND, "from name: case counts");
    is_int(fmt, EAF_FORMAT_AUTO, "from name: NOTFOUND leaves AUTO");
    is_int(eaf_format_from_name("", &fmt), EAF_NOTFOUND, "from name: empty");
    is_int(eaf_format_from_name("tar", &fmt), EAF_NOTFOUND, "from name: tar is an archive");
    for (f = EAF_FORMAT_PAGE; f <= EAF_FORMAT_WXR; f++) {
        /* every format has its name, built or not */
        ok(eaf_format_from_name(eaf_format_name((eaf_format)f), &fmt) == EAF_OK &&
               fmt == (eaf_format)f,
           "from name: %s", eaf_format_name((eaf_format)f));
    }
    if (eaf_format_available(EAF_FORMAT_MARKDOWN))
        ok(eaf_format_from_name("md", &fmt) == EAF_OK && fmt == EAF_FORMAT_MARKDOWN,
           "from name: md");

    /* a format this build lacks: refused by name, and why */
    for (f = EAF_FORMAT_PAGE; f <= EAF_FORMAT_WXR; f++) {
        eaf_reader_options o = EAF_READER_OPTIONS_INIT;
        eaf_reader *r = (eaf_reader *)1;
        char *err = NULL;
        eaf_status st;

        if (eaf_format_available((eaf_format)f))
            continue;
        o.format = (eaf_format)f;
        st = eaf_reader_open_memory(&r, "x\n", 2, "x", &o, &err);
        is_int(st, EAF_NOTFOUND, "forced %s, which this build lacks: EAF_NOTFOUND",
               eaf_format_name((eaf_format)f));
        ok(r == NULL && err && strstr(err, eaf_format_name((eaf_format)f)) &&
               strstr(err, "configured without"),
           "forced %s: the message names it and why (%s)", eaf_format_name((eaf_format)f),
           err ? err : "none");
        eaf_free(err);
    }
}

int main(void)
{
    test_table();
    if (tu_need("HTML pages", F(HTML))) {
        test_html_article();
        test_html_fallbacks();
        test_html_charsets();
        test_html_broken();
    }
    if (tu_need("Markdown", F(MARKDOWN))) {
        test_markdown();
        test_markdown_bad();
    }
    if (tu_need("static sites", F(PAGE) | F(JSONL) | F(MARKDOWN)))
        test_static_sites();
    if (tu_need("WordPress exports", F(WXR))) {
        test_wxr();
        test_wxr_hostile();
    }
    if (tu_need("feeds and comment pages", F(HTML) | F(WXR)))
        test_feeds_and_comments();
    if (tu_need("detection", ALL_FORMATS))
        test_detection();
    test_ignore_reason();
    if (tu_need("files that give nothing", F(HTML) | F(MARKDOWN) | F(WXR)))
        test_nothing_read();
    if (tu_need("out of memory", F(HTML) | F(MARKDOWN) | F(WXR))) {
        oom_file(FIX "html/article.html", "article.html", "Reef tourism after the bleaching");
        oom_file(FIX "html/title-only.html", "title-only.html", "Dredging the inner channel");
        oom_file(FIX "markdown/post.md", "post.md",
                 "Ferries, fares & the \xE2\x80\x9Clast mile\xE2\x80\x9D in Manila");
        oom_file(FIX "wxr/export.wxr", "export.wxr", "Bunker fuel & the Strait");
        oom_file(FIX "markdown/json-front.md", "json-front.md",
                 "Toll roads & the ferry question");
        oom_file(FIX "markdown/2021-04-05-heading-title.md", "2021-04-05-heading-title.md",
                 "Why the river ferry came back");
    }
    return done_testing();
}
