/*
 * test_import.c: the format readers through the public API: East Asia
 * Forum pages saved as Markdown (tests/fixtures/pages), JSON Lines
 * (tests/fixtures/jsonl), format detection and forcing a format, and the
 * readers under failing allocations.
 */
#include "eafsearch.h"
#include "tap.h"
#include "testutil.h"

#define PAGES EAF_TEST_SRCDIR "/tests/fixtures/pages/"
#define JSONL EAF_TEST_SRCDIR "/tests/fixtures/jsonl/"

#define MAXN 8
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* What a page or record must give.  Lists are NULL-terminated, except
 * authors, whose affiliations may be NULL (nauthors counts them).  The
 * body is checked exactly when `body` is set, else by its first and last
 * words; no body at all when all three are NULL. */
typedef struct expect {
    const char *key, *title, *date, *url, *summary, *language;
    int nauthors;
    const char *names[MAXN], *affs[MAXN];
    const char *topics[MAXN], *countries[MAXN], *tags[MAXN];
    const char *related[MAXN];
    const char *bio;
    const char *body;
    const char *first, *last; /* first and last five words */
} expect;

/* The first or last n words of s (split on ASCII white space), joined by
 * single spaces, in buf. */
static const char *words(const char *s, int n, int first, char *buf, size_t size)
{
    const char *start[4096];
    size_t len[4096];
    int count = 0, i, from, to;
    size_t o = 0;

    while (*s && count < 4096) {
        while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
            s++;
        if (!*s)
            break;
        start[count] = s;
        while (*s && *s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
            s++;
        len[count] = (size_t)(s - start[count]);
        count++;
    }
    from = first ? 0 : (count > n ? count - n : 0);
    to = first ? (count < n ? count : n) : count;
    buf[0] = '\0';
    for (i = from; i < to && o + len[i] + 2 < size; i++) {
        if (o)
            buf[o++] = ' ';
        memcpy(buf + o, start[i], len[i]);
        o += len[i];
        buf[o] = '\0';
    }
    return buf;
}

static void check_list(const eaf_article *a, eaf_tag_kind kind, const char *const *want,
                       const char *what, const char *where)
{
    size_t n = 0, i;

    while (n < MAXN && want[n])
        n++;
    is_int(eaf_article_tag_count(a, kind), n, "%s: %s count", where, what);
    for (i = 0; i < n; i++)
        is_str(eaf_article_tag(a, kind, i), want[i], "%s: %s %zu", where, what, i);
}

static void check_article(const eaf_article *a, const expect *e, const char *where)
{
    char got[2048];
    const char *body;
    size_t i, n;

    if (!ok(a != NULL, "%s: an article", where))
        return;
    is_str(eaf_article_get(a, EAF_FIELD_KEY), e->key, "%s: key", where);
    is_str(eaf_article_get(a, EAF_FIELD_TITLE), e->title, "%s: title", where);
    is_str(eaf_article_get(a, EAF_FIELD_DATE), e->date, "%s: date", where);
    is_str(eaf_article_get(a, EAF_FIELD_URL), e->url, "%s: url", where);
    is_str(eaf_article_get(a, EAF_FIELD_SUMMARY), e->summary, "%s: summary", where);
    is_str(eaf_article_get(a, EAF_FIELD_LANGUAGE), e->language, "%s: language", where);
    is_int(eaf_article_author_count(a), e->nauthors, "%s: author count", where);
    for (i = 0; i < (size_t)e->nauthors; i++) {
        is_str(eaf_article_author_name(a, i), e->names[i], "%s: author %zu", where, i);
        is_str(eaf_article_author_affiliation(a, i), e->affs[i],
               "%s: affiliation %zu", where, i);
    }
    check_list(a, EAF_TAG_TOPIC, e->topics, "topic", where);
    check_list(a, EAF_TAG_COUNTRY, e->countries, "country", where);
    check_list(a, EAF_TAG_OTHER, e->tags, "tag", where);
    for (n = 0; n < MAXN && e->related[n]; n++)
        ;
    is_int(eaf_article_related_title_count(a), n, "%s: related count", where);
    for (i = 0; i < n; i++)
        is_str(eaf_article_related_title(a, i), e->related[i], "%s: related %zu", where,
               i);
    is_str(eaf_article_get(a, EAF_FIELD_BIO), e->bio, "%s: bio", where);
    body = eaf_article_get(a, EAF_FIELD_BODY);
    if (e->body || (!e->first && !e->last)) {
        is_str(body, e->body, "%s: body", where);
    } else if (ok(body != NULL, "%s: has a body", where)) {
        is_str(words(body, 5, 1, got, sizeof(got)), e->first, "%s: body's first words",
               where);
        is_str(words(body, 5, 0, got, sizeof(got)), e->last, "%s: body's last words",
               where);
    }
}

/* Opens a file under the name `name` (NULL: its path) in a format; NULL
 * (and a failed check) when it cannot be opened. */
static eaf_reader *open_file(const char *path, const char *name, eaf_format format)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    eaf_reader *r = NULL;
    char *msg = NULL;
    eaf_status st;

    o.name = name;
    o.format = format;
    st = eaf_reader_open(&r, path, &o, &msg);
    if (!ok(st == EAF_OK && r, "open %s", name ? name : path))
        diag("%s: %s", eaf_status_str(st), msg ? msg : "(no message)");
    eaf_free(msg);
    return r;
}

/* Reads a page fixture as "pages/<file>" and checks it is one article. */
static void check_page(const char *file, const expect *e)
{
    char path[1024], name[256];
    eaf_reader *r;
    eaf_article *a = NULL;
    eaf_status st;

    snprintf(path, sizeof(path), PAGES "%s", file);
    snprintf(name, sizeof(name), "pages/%s", file);
    r = open_file(path, name, EAF_FORMAT_AUTO);
    if (!r)
        return;
    is_int(eaf_reader_format(r), EAF_FORMAT_PAGE, "%s: detected as a page", file);
    st = eaf_reader_next(&a, r);
    if (!is_int(st, EAF_ROW, "%s: read", file))
        diag("%s", eaf_reader_errmsg(r));
    is_str(eaf_reader_errmsg(r), "", "%s: no message", file);
    check_article(a, e, file);
    eaf_article_free(a);
    a = (eaf_article *)1;
    is_int(eaf_reader_next(&a, r), EAF_DONE, "%s: one article only", file);
    ok(a == NULL, "%s: no article after the end", file);
    eaf_reader_free(r);
}

/* A page fixture that must fail with EAF_SYNTAX and this message. */
static void check_page_error(const char *file, const char *msg)
{
    char path[1024], name[256];
    eaf_reader *r;
    eaf_article *a = (eaf_article *)1;

    snprintf(path, sizeof(path), PAGES "%s", file);
    snprintf(name, sizeof(name), "pages/%s", file);
    r = open_file(path, name, EAF_FORMAT_AUTO);
    if (!r)
        return;
    is_int(eaf_reader_format(r), EAF_FORMAT_PAGE, "%s: detected as a page", file);
    is_int(eaf_reader_next(&a, r), EAF_SYNTAX, "%s: an error", file);
    ok(a == NULL, "%s: no article", file);
    is_str(eaf_reader_errmsg(r), msg, "%s: message", file);
    is_int(eaf_reader_next(&a, r), EAF_DONE, "%s: then done", file);
    eaf_reader_free(r);
}

/* ---- page fixtures -------------------------------------------------------- */

static void test_pages(void)
{
    static const expect full = {
        .key = "pages/full",
        .title = "Tuna, treaties and the small island *bargain*",
        .date = "2021-03-03",
        .nauthors = 1,
        .names = {"Keiko Tamura"},
        .affs = {"Pacific Ocean Resources Unit, Koror"},
        .related = {"Who polices the Pacific?", "Sea levels and seabed rights",
                    "Skipjack prices after El Ni\xC3\xB1o"},
        .bio = "Keiko Tamura studies fisheries economics at the Pacific Ocean "
               "Resources Unit.\n\nThis article is part of a series on ocean "
               "governance.",
        .body = "For a decade the Parties to the Nauru Agreement have sold fishing "
                "days rather than tonnes of fish, and the price of a day has risen "
                "sixfold.\n\n"
                "Island governments now earn more from licences than from any other "
                "export. The scheme works because it makes distant-water fleets "
                "compete for a scarce right, and because the eight members have "
                "held together.\n\n"
                "What could go wrong\n\n"
                "Fleets may shift effort to the high seas.\n"
                "Warmer water may move the tuna east.\n"
                "Nested items keep their own line.\n\n"
                "A licence is only as good as the patrol boat behind it.\n\n"
                "catch = days * boats\n\n"
                "Enforcement relies on satellite tracking and on observers who "
                "spend months at sea.\nA hard break ends this line.",
    };
    static const expect no_date = {
        .key = "pages/no-date",
        .title = "Night markets return to Taipei",
        .nauthors = 1,
        .names = {"Chen Yu-ting"},
        .affs = {"Taiwan Street Food Archive"},
        .bio = "Chen Yu-ting collects oral histories of Taiwanese street food.",
        .first = "The night markets of Taipei",
        .last = "have returned faster than expected.",
    };
    static const expect no_author = {
        .key = "pages/no-author",
        .title = "Ferries across the Seto Inland Sea",
        .date = "2019-08-12",
        .related = {"Island art and rural revival"},
        .bio = "The editors thank the ferry operators of Okayama for their help.",
        .first = "Small ferries still link dozens",
        .last = "a few islands each summer.",
    };
    static const expect no_bio = {
        .key = "pages/no-bio",
        .title = "Mongolia counts its camels",
        .date = "2022-09-30",
        .nauthors = 1,
        .names = {"Bat-Erdene Dorj"},
        .affs = {"Ulaanbaatar Livestock Institute"},
        .first = "The national livestock census found",
        .last = "and higher prices for wool.",
    };
    static const expect two = {
        .key = "pages/authors-two",
        .title = "Rice terraces and the tourism dividend",
        .date = "2020-01-07",
        .nauthors = 2,
        .names = {"Hana Sato", "Minh Tran"},
        .affs = {"Kyoto Institute of Rice Economics", NULL},
        .bio = "Hana Sato works on agricultural economics. Minh Tran is a travel "
               "writer.",
        .first = "The terraces of northern Vietnam",
        .last = "from homestays than from rice.",
    };
    static const expect three = {
        .key = "pages/authors-three",
        .title = "Port cities and the green shipping corridor",
        .date = "2023-11-22",
        .nauthors = 3,
        .names = {"Ji-woo Kang", "Lea Fontaine", "Arjun Mehta"},
        .affs = {"Busan Centre for Ports and Shipping", NULL,
                 "School of Law and Government"},
        .bio = "Ji-woo Kang researches port policy.\n\nLea Fontaine writes about "
               "maritime law.\n\nArjun Mehta teaches environmental law.",
        .body = "Busan and Singapore have agreed to trial a corridor for ships that "
                "run on ammonia and methanol.\n\nThe first voyages are planned for "
                "2027, if engines and bunkering are ready.",
    };
    static const expect one_aff = {
        .key = "pages/author-affiliation",
        .title = "Hue's citadel after the floods",
        .date = "2020-10-15",
        .nauthors = 1,
        .names = {"Mai Nguyen"},
        .affs = {"Faculty of Law and Government, Hue University, Vietnam"},
        .bio = "Mai Nguyen writes about heritage law in central Vietnam.",
        .first = "Restorers at the imperial citadel",
        .last = "worst floods in two decades.",
    };
    static const expect crlf = {
        .key = "pages/crlf",
        .title = "Typhoon season in Okinawa",
        .date = "2018-07-01",
        .nauthors = 1,
        .names = {"Ryo Higa"},
        .affs = {"Ryukyu Weather Desk"},
        .related = {"Sugarcane and subsidies"},
        .bio = "Ryo Higa forecasts weather for island radio.",
        .body = "Three typhoons passed near Naha in July, closing the airport "
                "twice.\n\nFarmers lost part of the sugarcane crop.",
    };
    static const expect bom = {
        .key = "pages/bom",
        .title = "Kimchi prices and the cabbage harvest",
        .date = "2010-11-09",
        .nauthors = 1,
        .names = {"Park Soo-min"},
        .affs = {"Seoul Food Policy Forum"},
        .bio = "Park Soo-min studies food prices.",
        .body = "A poor cabbage harvest sent kimchi prices soaring this autumn.",
    };
    static const expect bad_utf8 = {
        .key = "pages/invalid-utf8",
        .title = "Batik \xEF\xBF\xBD" "cooperatives in Yogyakarta",
        .date = "2017-04-04",
        .nauthors = 1,
        .names = {"Dewi Lestari"},
        .affs = {"Java Craft Institute"},
        .body = "Hand-drawn batik from Yogyakarta sells for ten times the price of "
                "printed cloth \xEF\xBF\xBD in city shops.\n\nCooperatives help makers "
                "\xEF\xBF\xBD( share dyes and sell online.",
    };
    static const expect escaped = {
        .key = "pages/escaped-title",
        .title = "The #MekongData [draft] and O*NET for _Asia_ & the Pacific",
        .date = "2016-02-02",
        .nauthors = 1,
        .names = {"Somchai Wongsa"},
        .affs = {"Mekong Data Lab"},
        .body = "A group of volunteers is building an open *catalogue* of jobs and "
                "skills for the lower Mekong.",
    };
    static const expect trap = {
        .key = "pages/facebook-trap",
        .title = "Why small firms in Jakarta sell on social media",
        .date = "2021-05-18",
        .nauthors = 1,
        .names = {"Rina Wijaya"},
        .affs = {"Jakarta Digital Economy Centre"},
        .bio = "Rina Wijaya studies small business in Indonesia.",
        .body = "Ask a food seller in Jakarta where she finds customers and the "
                "answer is often a single word:\n\nFacebook\n\nInstagram has caught "
                "up with younger buyers, and WhatsApp groups handle most orders.",
    };
    static const expect mid = {
        .key = "pages/mid-italic",
        .title = "Reading the Bank of Korea minutes",
        .date = "2019-06-06",
        .nauthors = 1,
        .names = {"Lee Jae-hoon"},
        .affs = {"Han River Monetary Studies"},
        .bio = "Lee Jae-hoon is a former central bank economist.",
        .body = "The minutes of the latest meeting show two members wanted a cut.\n\n"
                "One member wrote that the board should act before exports weaken "
                "further.\n\nThe governor has said only that the board will watch "
                "the data.",
    };
    static const expect tags = {
        .key = "pages/tags",
        .title = "Solar farms on Luzon",
        .date = "2024-03-11",
        .nauthors = 1,
        .names = {"Paolo Reyes"},
        .affs = {"Manila Energy Transition Forum"},
        .topics = {"Energy", "Climate change"}, /* "energy" repeats "Energy" */
        .countries = {"Philippines", "Japan"},
        .tags = {"solar", "Feed-in tariffs, auctions"},
        .bio = "Paolo Reyes covers energy markets.",
        .body = "Three large solar farms on Luzon will sell power under the new "
                "green energy auction.",
    };

    check_page("full.md", &full);
    check_page("no-date.md", &no_date);
    check_page("no-author.md", &no_author);
    check_page("no-bio.md", &no_bio);
    check_page("authors-two.md", &two);
    check_page("authors-three.md", &three);
    check_page("author-affiliation.md", &one_aff);
    check_page("crlf.md", &crlf);
    check_page("bom.md", &bom);
    check_page("invalid-utf8.md", &bad_utf8);
    check_page("escaped-title.md", &escaped);
    check_page("facebook-trap.md", &trap);
    check_page("mid-italic.md", &mid);
    check_page("tags.md", &tags);
    check_page_error("no-title.md",
                     "pages/no-title.md: no title (no level-2 heading); nor is it Markdown "
                     "with front matter or a first \"# Title\" heading");
    check_page_error("empty.md", "pages/empty.md: empty file (no article page)");
}

/* Without a name in the options, the key is the path without extension
 * and messages name the path. */
static void test_page_path_key(void)
{
    eaf_reader *r;
    eaf_article *a = NULL;

    r = open_file(PAGES "bom.md", NULL, EAF_FORMAT_AUTO);
    if (r) {
        is_int(eaf_reader_next(&a, r), EAF_ROW, "bom.md by path: read");
        is_str(a ? eaf_article_get(a, EAF_FIELD_KEY) : NULL, PAGES "bom",
               "bom.md by path: the key is the path without extension");
        eaf_article_free(a);
        eaf_reader_free(r);
    }
    r = open_file(PAGES "no-title.md", NULL, EAF_FORMAT_AUTO);
    if (r) {
        is_int(eaf_reader_next(&a, r), EAF_SYNTAX, "no-title.md by path: an error");
        is_str(eaf_reader_errmsg(r),
               PAGES "no-title.md: no title (no level-2 heading); nor is it Markdown "
                     "with front matter or a first \"# Title\" heading",
               "no-title.md by path: the message names the path");
        eaf_reader_free(r);
    }
}

/* ---- pages in memory: author lines, dates, edge cases --------------------- */

/* Reads text[0..len) as a page named "mem/page.md"; returns the article
 * or NULL, with the status in *st and the message copied into msg. */
static eaf_article *read_memory_bytes(const char *text, size_t len, eaf_format format,
                                      eaf_status *st, char *msg, size_t size)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    eaf_reader *r = NULL;
    eaf_article *a = NULL;
    char *err = NULL;

    o.format = format;
    *st = eaf_reader_open_memory(&r, text, len, "mem/page.md", &o, &err);
    snprintf(msg, size, "%s", err ? err : "");
    eaf_free(err);
    if (*st != EAF_OK)
        return NULL;
    *st = eaf_reader_next(&a, r);
    snprintf(msg, size, "%s", eaf_reader_errmsg(r));
    eaf_reader_free(r);
    return a;
}

static eaf_article *read_memory_page(const char *text, eaf_format format, eaf_status *st,
                                     char *msg, size_t size)
{
    return read_memory_bytes(text, strlen(text), format, st, msg, size);
}

static void test_author_lines(void)
{
    static const struct {
        const char *line;
        int n;
        const char *names[5], *affs[5];
    } cases[] = {
        /* a name without affiliation before " and " */
        {"Authors: 18F and Melody, 18F", 2, {"18F", "Melody"}, {NULL, "18F"}},
        /* "Press" is an institution word, but "Allison Press, 18F" has the
         * shape of an author */
        {"Authors: Elaine, 18F and Allison Press, 18F", 2, {"Elaine", "Allison Press"},
         {"18F", "18F"}},
        /* " and " inside an affiliation, followed by a comma */
        {"Authors: Aya Mori, School of Law and Government, Waseda and Ken Ito, Keio",
         2, {"Aya Mori", "Ken Ito"}, {"School of Law and Government, Waseda", "Keio"}},
        /* a last author without affiliation, and one that is not */
        {"Authors: Aya Mori, Institute of Peace and Conflict Studies and Claire Odum",
         2, {"Aya Mori", "Claire Odum"},
         {"Institute of Peace and Conflict Studies", NULL}},
        {"Authors: Aya Mori, Centre for Asia and the Pacific", 1, {"Aya Mori"},
         {"Centre for Asia and the Pacific"}},
        {"Authors: Aya Mori, Busan Centre for Ports and Shipping", 1, {"Aya Mori"},
         {"Busan Centre for Ports and Shipping"}},
        /* `&` with spaces separates, "R&D" does not; `;` always */
        {"Authors: Lee Min, Seoul R&D Office & Kim Ha, Busan; Park Jo", 3,
         {"Lee Min", "Kim Ha", "Park Jo"}, {"Seoul R&D Office", "Busan", NULL}},
        /* an Oxford comma */
        {"Authors: Ana Ruiz, Manila Bay Trust, and Bo Li, Fudan", 2,
         {"Ana Ruiz", "Bo Li"},
         {"Manila Bay Trust", "Fudan"}},
        /* name particles */
        {"Authors: Ursula von der Berg, Hamburg and Jan de Vries, Leiden", 2,
         {"Ursula von der Berg", "Jan de Vries"}, {"Hamburg", "Leiden"}},
        /* links: their text is one name or one affiliation, never split */
        {"Authors: [Tanaka & Sons](#), [Osaka Ports, Harbours and Canals](#) and "
         "[Sato Ren](#)", 2, {"Tanaka & Sons", "Sato Ren"},
         {"Osaka Ports, Harbours and Canals", NULL}},
        /* singular: exactly one author, everything after the first comma */
        {"Author: Mai Nguyen, Faculty of Law and Government, Hue University and "
         "Hanoi Law School", 1, {"Mai Nguyen"},
         {"Faculty of Law and Government, Hue University and Hanoi Law School"}},
        {"Author: Nguy\xE1\xBB\x85n Th\xE1\xBB\x8B Lan", 1,
         {"Nguy\xE1\xBB\x85n Th\xE1\xBB\x8B Lan"}, {NULL}},
        {"Authors: Lim Wei, NUS and Nguy\xE1\xBB\x85n Lan Ph\xC6\xB0\xC6\xA1ng, Hanoi", 2,
         {"Lim Wei", "Nguy\xE1\xBB\x85n Lan Ph\xC6\xB0\xC6\xA1ng"}, {"NUS", "Hanoi"}},
    };
    char page[1024], msg[512];
    size_t i;
    int k;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        eaf_status st;
        eaf_article *a;

        snprintf(page, sizeof(page), "## Title\n\n1 May 2020\n\n%s\n\nBody text.\n",
                 cases[i].line);
        a = read_memory_page(page, EAF_FORMAT_AUTO, &st, msg, sizeof(msg));
        if (!is_int(st, EAF_ROW, "author line %zu: read", i) || !a) {
            diag("%s", msg);
            continue;
        }
        is_int(eaf_article_author_count(a), cases[i].n, "author line %zu: count (%s)", i,
               cases[i].line);
        for (k = 0; k < cases[i].n; k++) {
            is_str(eaf_article_author_name(a, (size_t)k), cases[i].names[k],
                   "author line %zu: name %d", i, k);
            is_str(eaf_article_author_affiliation(a, (size_t)k), cases[i].affs[k],
                   "author line %zu: affiliation %d", i, k);
        }
        is_str(eaf_article_get(a, EAF_FIELD_BODY), "Body text.",
               "author line %zu: not body", i);
        eaf_article_free(a);
    }
}

static void test_dates(void)
{
    static const struct {
        const char *line, *date; /* NULL date: the line is body text */
    } cases[] = {
        {"25 October 2018", "2018-10-25"},
        {"5 Sept 2019", "2019-09-05"},
        {"05 sep. 2019", "2019-09-05"},
        {"October 5, 2019", "2019-10-05"},
        {"29 February 2020", "2020-02-29"},
        {"29 February 2019", NULL}, /* no such day */
        {"25 Octobre 2018", NULL},
        {"25 October 18", NULL},
        {"On 25 October 2018", NULL},
    };
    char page[512], msg[512];
    size_t i;

    for (i = 0; i < ARRAY_LEN(cases); i++) {
        eaf_status st;
        eaf_article *a;

        snprintf(page, sizeof(page), "## Title\n\n%s\n\nBody text.\n", cases[i].line);
        a = read_memory_page(page, EAF_FORMAT_PAGE, &st, msg, sizeof(msg));
        if (!is_int(st, EAF_ROW, "date line '%s': read", cases[i].line) || !a)
            continue;
        is_str(eaf_article_get(a, EAF_FIELD_DATE), cases[i].date, "date line '%s'",
               cases[i].line);
        if (cases[i].date)
            is_str(eaf_article_get(a, EAF_FIELD_BODY), "Body text.",
                   "date line '%s': not body", cases[i].line);
        else
            ok(strncmp(eaf_article_get(a, EAF_FIELD_BODY), cases[i].line,
                       strlen(cases[i].line)) == 0,
               "not a date line '%s': body", cases[i].line);
        eaf_article_free(a);
    }
}

static void test_page_edges(void)
{
    char msg[512];
    eaf_status st;
    eaf_article *a;

    /* an empty level-2 heading is no title */
    a = read_memory_page("## \n\nText.\n", EAF_FORMAT_PAGE, &st, msg, sizeof(msg));
    is_int(st, EAF_SYNTAX, "empty heading: an error");
    ok(a == NULL, "empty heading: no article");
    is_str(msg, "mem/page.md: no title (the first level-2 heading is empty)",
           "empty heading: message");

    /* a level-1 heading is not a title */
    a = read_memory_page("# Big\n\nText.\n", EAF_FORMAT_PAGE, &st, msg, sizeof(msg));
    is_int(st, EAF_SYNTAX, "level-1 heading only: an error");
    is_str(msg, "mem/page.md: no title (no level-2 heading); nor is it Markdown "
                "with front matter or a first \"# Title\" heading",
           "level-1 heading only: message");

    /* only a title: an article without body */
    a = read_memory_page("## Just a title\n", EAF_FORMAT_PAGE, &st, msg, sizeof(msg));
    is_int(st, EAF_ROW, "title only: read");
    if (a) {
        is_str(eaf_article_get(a, EAF_FIELD_TITLE), "Just a title", "title only: title");
        is_str(eaf_article_get(a, EAF_FIELD_BODY), NULL, "title only: no body");
        is_str(eaf_article_get(a, EAF_FIELD_BIO), NULL, "title only: no bio");
        is_str(eaf_article_get(a, EAF_FIELD_KEY), "mem/page", "title only: key");
        eaf_article_free(a);
    }

    /* a body made only of an italic paragraph stays body; a lone Facebook
     * at the end is body; a level-2 heading ends the body */
    a = read_memory_page("## T\n\n*All of it in italics.*\n\nFacebook\n\n## Subscribe\n\n"
                         "Sign up.\n",
                         EAF_FORMAT_PAGE, &st, msg, sizeof(msg));
    is_int(st, EAF_ROW, "italic-only body: read");
    if (a) {
        is_str(eaf_article_get(a, EAF_FIELD_BODY), "All of it in italics.\n\nFacebook",
               "italic-only body: body");
        is_str(eaf_article_get(a, EAF_FIELD_BIO), NULL, "italic-only body: no bio");
        eaf_article_free(a);
    }

    /* related posts: the list ends at the first paragraph of another shape */
    a = read_memory_page("## T\n\nText.\n\nRELATED POSTS\n\n[One](#) by [A](#)\n\n"
                         "[Two](#)\n[Three](#) by [B](#) and [C](#)\n\n"
                         "[Four](#) is not a list entry\n\n[Five](#)\n",
                         EAF_FORMAT_PAGE, &st, msg, sizeof(msg));
    is_int(st, EAF_ROW, "related: read");
    if (a) {
        is_int(eaf_article_related_title_count(a), 3, "related: three titles");
        is_str(eaf_article_related_title(a, 0), "One", "related: first");
        is_str(eaf_article_related_title(a, 1), "Two", "related: second");
        is_str(eaf_article_related_title(a, 2), "Three", "related: third");
        is_str(eaf_article_get(a, EAF_FIELD_BODY), "Text.", "related: body");
        eaf_article_free(a);
    }

    /* a NUL byte and a header paragraph of two lines */
    {
        static const char nul[] = "## Nul\n\n3 March 2003\nAuthor: Ha Ni, Hanoi\n\n"
                                  "A\0B.\n";

        a = read_memory_bytes(nul, sizeof(nul) - 1, EAF_FORMAT_PAGE, &st, msg,
                              sizeof(msg));
    }
    is_int(st, EAF_ROW, "one header paragraph of two lines: read");
    if (a) {
        is_str(eaf_article_get(a, EAF_FIELD_DATE), "2003-03-03", "two-line header: date");
        is_str(eaf_article_author_name(a, 0), "Ha Ni", "two-line header: author");
        is_str(eaf_article_get(a, EAF_FIELD_BODY), "A\xEF\xBF\xBD" "B.",
               "a NUL byte becomes U+FFFD");
        eaf_article_free(a);
    }
}

/* ---- JSON Lines ----------------------------------------------------------- */

static void test_jsonl_good(void)
{
    static const expect e1 = {
        .key = "jsonl/ayutthaya-floods",
        .title = "Ayutthaya after the floods",
        .date = "2011-12-05",
        .url = "https://example.org/ayutthaya",
        .summary = "Factories reopen slowly.",
        .language = "en",
        .nauthors = 2,
        .names = {"Suda Chaiyaporn", "Niran Boonmee"},
        .affs = {NULL, NULL},
        .topics = {"Economics", "Disasters"},
        .countries = {"Thailand"},
        .tags = {"supply chains", "insurance"},
        .body = "Water stood in the industrial estates for six weeks.\n\nCar makers "
                "in Japan felt the shortage of parts.",
    };
    static const expect e2 = {
        .key = "42",
        .title = "Ulsan shipyards hire again",
        .date = "2023-04",
        .nauthors = 3,
        .names = {"Kim Dae-sung", "Olivia Grant", "Seo Yeon"},
        .affs = {"Ulsan Labour Institute", NULL, NULL},
        .body = "Orders for gas carriers have filled the yards until 2027.",
    };
    static const expect e3 = {
        .key = "jsonl/laos-railway",
        .title = "A year of the Laos\xE2\x80\x93" "China railway",
        .summary = "Freight grew faster than passengers.",
        .countries = {"Laos", "China"},
        .topics = {"Trade"},
        .bio = "Written by the desk.",
        .first = "Freight trains now run daily",
        .last = "daily from Kunming to Vientiane.",
    };
    const expect *want[] = {&e1, &e2, &e3};
    eaf_reader *r = open_file(JSONL "good.jsonl", "jsonl/good.jsonl", EAF_FORMAT_AUTO);
    eaf_article *a;
    size_t i;

    if (!r)
        return;
    is_int(eaf_reader_format(r), EAF_FORMAT_JSONL, "good.jsonl: detected as JSON Lines");
    for (i = 0; i < 3; i++) {
        char where[64];

        snprintf(where, sizeof(where), "good.jsonl record %zu", i + 1);
        a = NULL;
        if (!is_int(eaf_reader_next(&a, r), EAF_ROW, "%s: read", where))
            diag("%s", eaf_reader_errmsg(r));
        check_article(a, want[i], where);
        eaf_article_free(a);
    }
    is_int(eaf_reader_next(&a, r), EAF_DONE,
           "good.jsonl: three records, blank lines skipped");
    is_int(eaf_reader_next(&a, r), EAF_DONE, "good.jsonl: done stays done");
    eaf_reader_free(r);
}

static void test_jsonl_bad(void)
{
    static const struct {
        eaf_status st;
        const char *key_or_msg; /* the key on EAF_ROW, else the message's start */
    } seq[] = {
        {EAF_ROW, "ok-1"},
        {EAF_SYNTAX, "jsonl/bad.jsonl:2: invalid JSON at column "},
        {EAF_SYNTAX, "jsonl/bad.jsonl:3: not a JSON object"},
        {EAF_SYNTAX, "jsonl/bad.jsonl:5: no \"id\""},
        {EAF_ROW, "ok-2"},
        {EAF_SYNTAX,
         "jsonl/bad.jsonl:7: invalid date (use YYYY-MM-DD) \"14 February 2018\""},
        {EAF_SYNTAX, "jsonl/bad.jsonl:8: \"title\" must be a string"},
        {EAF_ROW, "ok-3"},
        {EAF_DONE, ""},
    };
    eaf_reader *r = open_file(JSONL "bad.jsonl", "jsonl/bad.jsonl", EAF_FORMAT_AUTO);
    size_t i;

    if (!r)
        return;
    for (i = 0; i < ARRAY_LEN(seq); i++) {
        eaf_article *a = NULL;
        eaf_status st = eaf_reader_next(&a, r);
        const char *msg = eaf_reader_errmsg(r);

        if (!is_int(st, seq[i].st, "bad.jsonl step %zu: status", i + 1))
            diag("%s", msg);
        if (seq[i].st == EAF_ROW) {
            is_str(a ? eaf_article_get(a, EAF_FIELD_KEY) : NULL, seq[i].key_or_msg,
                   "bad.jsonl step %zu: the good line around the bad ones", i + 1);
            is_str(msg, "", "bad.jsonl step %zu: no message", i + 1);
        } else if (seq[i].st == EAF_SYNTAX) {
            ok(a == NULL, "bad.jsonl step %zu: no article", i + 1);
            if (!ok(strncmp(msg, seq[i].key_or_msg, strlen(seq[i].key_or_msg)) == 0,
                    "bad.jsonl step %zu: message names file and line", i + 1))
                diag("got '%s', want '%s...'", msg, seq[i].key_or_msg);
        }
        eaf_article_free(a);
    }
    eaf_reader_free(r);
}

/* ---- format detection and forcing ----------------------------------------- */

static eaf_status open_memory(eaf_reader **r, const char *data, size_t len,
                              const char *name, eaf_format format, char *msg,
                              size_t size)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    char *err = NULL;
    eaf_status st;

    o.format = format;
    st = eaf_reader_open_memory(r, data, len, name, &o, &err);
    snprintf(msg, size, "%s", err ? err : "");
    eaf_free(err);
    return st;
}

static void test_formats(void)
{
    static const char json[] =
        "\xEF\xBB\xBF  \n{\"id\": \"m1\", \"title\": \"In memory\"}\n";
    static const char page[] = "- [Home](#)\n\n## Memory page\n\nText.\n";
    static const char mixed[] = "{\"id\": \"x\", \"title\": \"A record\"}\n\n"
                                "## Forced page\n\nBody text.\n";
    eaf_reader *r;
    eaf_article *a = NULL;
    char msg[512];
    eaf_status st;

    /* AUTO on files */
    r = open_file(PAGES "full.md", "full.md", EAF_FORMAT_AUTO);
    is_int(r ? (int)eaf_reader_format(r) : -1, EAF_FORMAT_PAGE, "auto: .md page");
    eaf_reader_free(r);
    r = open_file(JSONL "good.jsonl", "good.jsonl", EAF_FORMAT_AUTO);
    is_int(r ? (int)eaf_reader_format(r) : -1, EAF_FORMAT_JSONL, "auto: .jsonl");
    eaf_reader_free(r);

    /* AUTO on memory, the name giving no hint */
    st = open_memory(&r, json, sizeof(json) - 1, "blob1", EAF_FORMAT_AUTO, msg,
                     sizeof(msg));
    is_int(st, EAF_OK, "auto: JSON in memory opens");
    if (st == EAF_OK) {
        is_int(eaf_reader_format(r), EAF_FORMAT_JSONL,
               "auto: JSON (after a BOM) in memory");
        is_int(eaf_reader_next(&a, r), EAF_ROW, "JSON in memory: read");
        is_str(a ? eaf_article_get(a, EAF_FIELD_KEY) : NULL, "m1", "JSON in memory: key");
        eaf_article_free(a);
        a = NULL;
        eaf_reader_free(r);
    }
    st = open_memory(&r, page, sizeof(page) - 1, "notes/mem", EAF_FORMAT_AUTO, msg,
                     sizeof(msg));
    is_int(st, EAF_OK, "auto: page in memory opens");
    if (st == EAF_OK) {
        is_int(eaf_reader_format(r), EAF_FORMAT_PAGE, "auto: page in memory");
        is_int(eaf_reader_next(&a, r), EAF_ROW, "page in memory: read");
        is_str(a ? eaf_article_get(a, EAF_FIELD_TITLE) : NULL, "Memory page",
               "page in memory: title");
        is_str(a ? eaf_article_get(a, EAF_FIELD_KEY) : NULL, "notes/mem",
               "page in memory: key is the name");
        eaf_article_free(a);
        a = NULL;
        eaf_reader_free(r);
    }
    r = (eaf_reader *)1;
    st = open_memory(&r, "just words\n", 11, "blob2", EAF_FORMAT_AUTO, msg, sizeof(msg));
    is_int(st, EAF_SYNTAX, "auto: unknown data is refused");
    ok(r == NULL, "auto: no reader for unknown data");
    {
        static const char want[] = "blob2: unknown format (not an article page, HTML, "
                                   "Markdown, a WordPress export, JSON Lines or an archive)";
        int all = 1, f;

        for (f = EAF_FORMAT_PAGE; f <= EAF_FORMAT_WXR; f++)
            all &= eaf_format_available((eaf_format)f);
        if (all)
            is_str(msg, want, "auto: unknown data message");
        else  /* the message goes on to name the readers this build lacks */
            ok(strncmp(msg, want, sizeof(want) - 1) == 0 && strstr(msg, "lacks the readers"),
               "auto: unknown data message, naming the readers this build lacks (%s)", msg);
    }
    r = (eaf_reader *)1;
    st = open_memory(&r, "", 0, "blob3", EAF_FORMAT_AUTO, msg, sizeof(msg));
    is_int(st, EAF_SYNTAX, "auto: empty data is refused");
    is_str(msg, "blob3: empty file", "auto: empty data message");

    /* forcing a format */
    st = open_memory(&r, mixed, sizeof(mixed) - 1, "forced.jsonl", EAF_FORMAT_AUTO, msg,
                     sizeof(msg));
    if (is_int(st, EAF_OK, "mixed data opens")) {
        is_int(eaf_reader_format(r), EAF_FORMAT_JSONL, "auto: mixed data is JSON Lines");
        is_int(eaf_reader_next(&a, r), EAF_ROW, "mixed as JSON Lines: first line read");
        is_str(a ? eaf_article_get(a, EAF_FIELD_TITLE) : NULL, "A record",
               "mixed as JSON Lines: title");
        eaf_article_free(a);
        a = NULL;
        eaf_reader_free(r);
    }
    st = open_memory(&r, mixed, sizeof(mixed) - 1, "forced.jsonl", EAF_FORMAT_PAGE, msg,
                     sizeof(msg));
    if (is_int(st, EAF_OK, "mixed data opens as a page")) {
        is_int(eaf_reader_format(r), EAF_FORMAT_PAGE, "forced: page");
        is_int(eaf_reader_next(&a, r), EAF_ROW, "forced page: read");
        is_str(a ? eaf_article_get(a, EAF_FIELD_TITLE) : NULL, "Forced page",
               "forced page: title");
        is_str(a ? eaf_article_get(a, EAF_FIELD_BODY) : NULL, "Body text.",
               "forced page: body");
        is_str(a ? eaf_article_get(a, EAF_FIELD_KEY) : NULL, "forced",
               "forced page: key");
        eaf_article_free(a);
        a = NULL;
        eaf_reader_free(r);
    }
    r = open_file(PAGES "full.md", "pages/full.md", EAF_FORMAT_JSONL);
    if (r) {
        int rows = 0, errors = 0;

        is_int(eaf_reader_format(r), EAF_FORMAT_JSONL,
               "forced: a page read as JSON Lines");
        st = eaf_reader_next(&a, r);
        is_int(st, EAF_SYNTAX, "page as JSON Lines: first line is an error");
        ok(strncmp(eaf_reader_errmsg(r), "pages/full.md:1: invalid JSON", 29) == 0,
           "page as JSON Lines: message names line 1 (%s)", eaf_reader_errmsg(r));
        while (st != EAF_DONE && st != EAF_IO && st != EAF_NOMEM) {
            rows += st == EAF_ROW;
            errors += st == EAF_SYNTAX;
            eaf_article_free(a);
            a = NULL;
            st = eaf_reader_next(&a, r);
        }
        is_int(st, EAF_DONE, "page as JSON Lines: reaches the end");
        is_int(rows, 0, "page as JSON Lines: no article");
        ok(errors > 10, "page as JSON Lines: one error per non-blank line (%d)", errors);
        eaf_reader_free(r);
    }

    /* bad options */
    {
        eaf_reader_options o = EAF_READER_OPTIONS_INIT;
        char *err = NULL;

        o.format = (eaf_format)99;
        r = (eaf_reader *)1;
        is_int(eaf_reader_open(&r, PAGES "full.md", &o, &err), EAF_MISUSE,
               "a format out of range is misuse");
        ok(r == NULL, "misuse: no reader");
        eaf_free(err);
    }
    r = (eaf_reader *)1;
    {
        char *err = NULL;

        is_int(eaf_reader_open(&r, PAGES "no-such-page.md", NULL, &err), EAF_NOTFOUND,
               "a missing file");
        ok(err && strstr(err, "no-such-page.md"), "missing file: message names it");
        eaf_free(err);
    }
}

/* ---- out of memory -------------------------------------------------------- */

/* From the library's internals (lib/alloc.c): make allocation n fail. */
unsigned long eaf__alloc_fail_at(unsigned long n, int sticky);

/* Fails each allocation in turn while a page and a JSON Lines file are
 * read from memory: every run ends in EAF_NOMEM or gives the right
 * article, and (under valgrind) leaks nothing. */
static void test_out_of_memory(void)
{
    static const char *const files[] = {PAGES "full.md", PAGES "authors-three.md",
                                        JSONL "good.jsonl"};
    static const char *const titles[] = {"Tuna, treaties and the small island *bargain*",
                                         "Port cities and the green shipping corridor",
                                         "Ayutthaya after the floods"};
    size_t f;

    for (f = 0; f < ARRAY_LEN(files); f++) {
        static char data[16384];
        FILE *fp = fopen(files[f], "rb");
        size_t len = fp ? fread(data, 1, sizeof(data), fp) : 0;
        unsigned long total, n;
        int bad = 0, nomem = 0, io = 0;

        if (fp)
            fclose(fp);
        if (!ok(len > 0 && len < sizeof(data), "oom: fixture %zu read", f))
            continue;
        eaf__alloc_fail_at((unsigned long)-1, 0); /* count only */
        {
            eaf_reader *r = NULL;
            eaf_article *a = NULL;

            if (eaf_reader_open_memory(&r, data, len, "oom.md", NULL, NULL) == EAF_OK &&
                eaf_reader_next(&a, r) == EAF_ROW)
                eaf_article_free(a);
            eaf_reader_free(r);
        }
        total = eaf__alloc_fail_at(0, 0);
        ok(total > 10, "oom: fixture %zu makes %lu allocations", f, total);
        for (n = 1; n <= total; n++) {
            eaf_reader *r = NULL;
            eaf_article *a = NULL;
            char *err = NULL;
            eaf_status st;

            eaf__alloc_fail_at(n, 1);
            st = eaf_reader_open_memory(&r, data, len, "oom.md", NULL, &err);
            if (st == EAF_OK)
                st = eaf_reader_next(&a, r);
            eaf__alloc_fail_at(0, 0);
            if (st == EAF_NOMEM) {
                nomem++;
            } else if (st == EAF_IO) {
                io++;
            } else if (st != EAF_ROW || !a ||
                       strcmp(eaf_article_get(a, EAF_FIELD_TITLE), titles[f]) != 0) {
                bad++;
                diag("oom: fixture %zu, allocation %lu fails: %s (%s)", f, n,
                     eaf_status_str(st), r ? eaf_reader_errmsg(r) : err ? err : "");
            }
            if (st == EAF_NOMEM && a)
                bad++;
            eaf_article_free(a);
            eaf_reader_free(r);
            eaf_free(err);
        }
        is_int(bad, 0, "oom: fixture %zu: every failure is EAF_NOMEM or a good article",
               f);
        ok(nomem > 0, "oom: fixture %zu: failures were reported (%d)", f, nomem);
        is_int(io, 0, "oom: fixture %zu: a failed allocation is never EAF_IO", f);
    }
}

/* (A build configured without cmark has no page reader: tu_need skips
 * the tests that need one, saying so.) */
int main(void)
{
    if (tu_need("article pages", TU_FORMAT(PAGE))) {
        test_pages();
        test_page_path_key();
        test_author_lines();
        test_dates();
        test_page_edges();
    }
    if (tu_need("JSON Lines", TU_FORMAT(JSONL))) {
        test_jsonl_good();
        test_jsonl_bad();
    }
    if (tu_need("formats", TU_FORMAT(PAGE) | TU_FORMAT(JSONL))) {
        test_formats();
        test_out_of_memory();
    }
    return done_testing();
}
