/*
 * test_search.c: search through the public API on a small fixture index:
 * every row of the query language's table with the keys it must return,
 * the inputs that break raw FTS5, ranking by field, stable ties, paging,
 * totals, snippets, strict mode, and the loadable SQLite extension.
 */
#include "tap.h"
#include "testutil.h"
#include "plan.h"

#include <sqlite3.h>

#ifndef EAF_TEST_BUILDDIR
#define EAF_TEST_BUILDDIR "."
#endif

static eaf_db *db;

static void build_index(void)
{
    struct {
        const char *key, *title, *date, *body, *authors, *tags;
    } docs[] = {
        {"jc1", "Japan–China relations enter a new phase", "2018-10-25",
         "Japan and China agreed to improve relations. Tokyo and Beijing signed a swap deal.",
         "Rumi Aoyama|Waseda University", "c:Japan;c:China;t:International relations"},
        {"jc2", "A cautious thaw", "2019-05-01",
         "China and Japan held talks on relation building.", "Li Wei|Peking Institute",
         "c:China;c:Japan"},
        {"j1", "Japan's economy after Abenomics", "2016-03-10",
         "Japan's growth was 2.5 per cent. Tariffs were not the issue.",
         "Aiko Sato|Tokyo Policy Forum", "c:Japan;t:Economics"},
        {"c1", "Belt and Road", "2017-05-14",
         "China's Belt and Road Initiative spans Asia. The trade war hurt exports.",
         "Zhang Min", "c:China;t:Trade"},
        {"k1", "Seoul watches the US-Japan alliance", "2017-02-02",
         "South Korea depends on the US-Japan alliance for deterrence and trade.",
         "Kim Minji|Seoul Institute", "c:South Korea;t:Security"},
        {"tw", "Tariffs and the trade war", "2018-07-01",
         "The trade war raised tariffs. GDP growth slowed to 2.5 in the US.", NULL,
         "c:United States;t:Trade"},
        {"def", "Defence budgets", "2020-01-01",
         "Australia is defending its north; defence spending rose.", NULL,
         "c:Australia;t:Security"},
        {"near", "Leaders meet", "2014-11-10", "Abe met Xi in Beijing.", NULL, NULL},
        {"far", "Speeches", "2014-11-11",
         "Abe spoke first about many things including trade, growth, security, energy, "
         "climate, fisheries, tourism, education, health and more; much later Xi replied.",
         NULL, NULL},
        {"cafe", "Café culture in Hanoi", "2015-06-01", "A café on every corner of Hanoi.",
         NULL, "c:Vietnam"},
        {"summit_t", "Summit season", "2016-11-20", "Leaders gathered in Lima.", NULL, NULL},
        {"summit_b", "Notes from Lima", "2016-11-21", "A long day at the summit in Lima.",
         NULL, NULL},
        {"aoy_body", "Book review", "2021-01-01", "A review of work by Aoyama on diplomacy.",
         NULL, NULL},
        {"tie1", "Identical twins", "2022-01-01", "Mongolia copper mine.", NULL, NULL},
        {"tie2", "Identical twins", "2022-01-01", "Mongolia copper mine.", NULL, NULL},
        {"cjk", "East Asian economies", "2013-01-01", "Japan's economy (日本経済) is large.",
         NULL, "c:Japan"},
        {"nodate", "Undated notes", NULL, "Pacific fisheries and tuna.", NULL, NULL},
        {"month", "Monthly report", "2018-10", "Pacific tuna prices.", NULL, NULL},
    };
    size_t i;
    int all = 1;

    db = tu_open("search.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        eaf_article *a = tu_article(docs[i].key, docs[i].title, docs[i].date, docs[i].body,
                                    docs[i].authors, docs[i].tags);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* Runs a query; returns the keys of the hits, space-separated, in order. */
static const char *run_opts(const char *query, const eaf_search_options *opts,
                            long long *total)
{
    static char out[2048];
    eaf_search *s = NULL;
    eaf_status st;
    int64_t t = -1;

    out[0] = '\0';
    st = eaf_search_new(&s, db, query, opts);
    if (st != EAF_OK) {
        snprintf(out, sizeof(out), "(error %d: %s)", st, eaf_db_errmsg(db));
        return out;
    }
    st = tu_keys(s, out, sizeof(out));
    if (st != EAF_DONE)
        snprintf(out, sizeof(out), "(error %d: %s)", st, eaf_db_errmsg(db));
    if (eaf_search_total(&t, s) != EAF_OK)
        t = -2;
    if (total)
        *total = (long long)t;
    eaf_search_free(s);
    return out;
}

static const char *run(const char *query)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    o.limit = 100;
    return run_opts(query, &o, NULL);
}

/* The same keys in any order: both sorted. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The suggestion of a search; NULL for none.  A failure fails a test. */
static const char *suggestion_of(eaf_search *s)
{
    const char *out = "(unset)";
    eaf_status st = eaf_search_suggestion(&out, s);

    if (st != EAF_OK) {
        ok(0, "eaf_search_suggestion: %s (%s)", eaf_status_str(st), eaf_db_errmsg(db));
        return NULL;
    }
    return out;
}

static const char *sorted(const char *keys)
{
    static char out[2][2048];
    static int slot;
    char buf[2048], *v[64], *save = NULL, *tok;
    size_t n = 0, i, len = 0;
    char *o = out[slot++ & 1];

    snprintf(buf, sizeof(buf), "%s", keys);
    for (tok = strtok_r(buf, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
        v[n++] = tok;
    qsort(v, n, sizeof(*v), cmp_str);
    o[0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(o + len, 2048 - len, "%s%s", i ? " " : "", v[i]);
    return o;
}

#define SET(query, keys) is_str(sorted(run(query)), sorted(keys), "[%s] finds {%s}", query, keys)
#define LIST(query, keys) is_str(run(query), keys, "[%s] lists %s", query, keys)

static void test_language_rows(void)
{
    /* words, all must match, ranked */
    SET("Japan China", "jc1 jc2");
    is_str(strtok((char *)run("Japan China"), " "), "jc1",
           "the article with both in its title comes first");
    /* OR */
    SET("Japan OR China", "jc1 jc2 j1 c1 k1 cjk");
    SET("japan or china", "jc1 jc2 j1 c1 k1 cjk");
    /* phrases */
    SET("\"US-Japan alliance\"", "k1");
    SET("\"US Japan alliance\"", "k1");
    SET("\"alliance Japan\"", "");
    /* exclusion */
    SET("japan -tariffs", "jc1 jc2 k1 cjk");
    SET("japan NOT tariffs", "jc1 jc2 k1 cjk");
    SET("china -\"trade war\"", "jc1 jc2");
    SET("-tariffs", "");
    SET("NOT tariffs", "");
    /* grouping */
    SET("(Japan OR Korea) trade", "k1");
    SET("(Japan OR Korea", "jc1 jc2 j1 k1 cjk");
    /* prefix */
    SET("defen*", "def");
    SET("relations*", "jc1 jc2");
    /* proximity */
    SET("NEAR(abe xi)", "near");
    SET("abe NEAR/5 xi", "near");
    SET("abe NEAR/30 xi", "near far");
    /* fields */
    SET("title:summit", "summit_t");
    LIST("summit", "summit_t summit_b");
    SET("author:aoyama", "jc1");
    LIST("aoyama", "jc1 aoy_body");
    SET("affiliation:waseda", "jc1");
    SET("author:\"Rumi Aoyama\"", "jc1");
    SET("author:\"rumi AOYAMA\"", "jc1");
    SET("author:\"Aoyama\"", "");
    SET("country:\"South Korea\"", "k1");
    SET("country:korea", "k1");
    SET("topic:trade", "c1 tw");
    SET("tag:trade", "c1 tw");
    SET("country:japan country:china", "jc1 jc2 j1 c1 cjk");
    SET("country:japan title:china", "jc1");
    SET("lima:summit", "summit_t summit_b");
    /* dates */
    LIST("date:2018", "jc1 month tw");
    SET("date:2018-10", "jc1 month");
    SET("date:2018-10-25", "jc1");
    SET("date:2017..2018", "jc1 c1 k1 tw month");
    SET("date:2018-06..", "jc1 jc2 tw def aoy_body tie1 tie2 month");
    SET("date:..2014", "near far cjk");
    SET("after:2021-01-01", "aoy_body tie1 tie2");
    SET("before:2014", "near far cjk");
    SET("japan date:2018..2019", "jc1 jc2");
    SET("-japan date:2018", "month tw");
    {
        char ranked[512];
        snprintf(ranked, sizeof(ranked), "%s tie1 tie2", run("japan"));
        is_str(run("japan OR date:2022"), ranked,
               "[japan OR date:2022]: the word's hits in rank order, then the dated ones");
    }
    /* text handling */
    SET("cafe", "cafe");
    SET("CAFÉ", "cafe");
    SET("relations", "jc1 jc2");
    SET("China's", "jc1 jc2 c1");
    SET("GDP 2.5", "tw");
    SET("2.5", "j1 tw");
    SET("日本", "cjk");
    SET("日本経済", "cjk");
    SET("Japan–China", "jc1");
    SET("Japan/China", "jc1");
}

static void test_never_errors(void)
{
    static const char *const inputs[] = {
        "US-Japan", "China's", "GDP 2.5", "note: folding", "NOT china", "\"japan", "((",
        "*", "-", "\"\"", "a\" OR \"b", "{title}:x", "^japan", "+china", "japan:", ":",
        "NEAR(", "NEAR/x y", "title:(", "author:\"", "date:..", "date:x..y", ")))(((",
        "\"\"\"\"\"", "- - - -", "OR OR OR", "AND", "\xff\xfe", "japan\x01china",
        "SELECT * FROM article; --", "'; DROP TABLE article; --", "fts5: x", "rank:1",
        "col:\"x\" * ^ + {}", "japan NEAR", "NEAR japan", "*japan", "ja*pan*",
    };
    size_t i;

    for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        const char *r = run(inputs[i]);
        ok(strncmp(r, "(error", 6) != 0, "[%s] runs without error: %s", inputs[i], r);
    }
    SET("note: folding", "nodate summit_b"); /* no article has both: either */
    SET("\"japan", "jc1 jc2 j1 k1 cjk");
    SET("((", "");
    SET("*", "");
    SET("-", "");
    SET("\"\"", "");
    SET("NOT china", "");
}

static void test_ranking_paging(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    long long total = 0;
    char all[2048], paged[2048] = "";
    unsigned off;

    LIST("mongolia copper", "tie1 tie2");
    o.limit = 1;
    o.offset = 1;
    is_str(run_opts("mongolia copper", &o, &total), "tie2", "ties keep their order across pages");
    is_int(total, 2, "total ignores the page");

    snprintf(all, sizeof(all), "%s", run("Japan OR China"));
    o.limit = 2;
    for (off = 0; off < 8; off += 2) {
        const char *page;
        o.offset = off;
        page = run_opts("Japan OR China", &o, &total);
        if (*page)
            snprintf(paged + strlen(paged), sizeof(paged) - strlen(paged), "%s%s",
                     *paged ? " " : "", page);
        is_int(total, 6, "total with offset %u", off);
    }
    is_str(paged, all, "pages of 2 put together are the whole list");
    {
        /* a query of all its words takes its first hit while checking for
         * the fallback (search.c): the same hits, pages and total as
         * without that check */
        eaf_search_options nf = EAF_SEARCH_OPTIONS_INIT;
        long long t1 = 0, t2 = 0;
        char first[2048];

        nf.flags = EAF_SEARCH_NO_FALLBACK;
        nf.limit = 100;
        snprintf(first, sizeof(first), "%s", run_opts("japan china", &nf, &t1));
        ok(strchr(first, ' ') != NULL, "two words found together in several articles (%s)",
           first);
        is_str(run("japan china"), first, "the same hits with the check");
        o.limit = 1;
        paged[0] = '\0';
        for (off = 0; off < 8; off++) {
            const char *page;
            o.offset = off;
            page = run_opts("japan china", &o, &t2);
            if (*page)
                snprintf(paged + strlen(paged), sizeof(paged) - strlen(paged), "%s%s",
                         *paged ? " " : "", page);
        }
        is_str(paged, first, "and pages of 1 put together");
        is_int(t2, t1, "the same total");
        o.limit = 2;
    }
    o.offset = 100;
    is_str(run_opts("Japan OR China", &o, &total), "", "an offset past the end: no hits");
    is_int(total, 6, "but the total");
    o.offset = 0;
    o.limit = 0;
    ok(strlen(run_opts("date:..2100", &o, &total)) > 0, "limit 0 means the default");
    is_int(total, 17, "filters only: every dated article");
    is_str(run_opts("zebra", &o, &total), "", "no hits");
    is_int(total, 0, "total 0");
}

static void test_hits(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    const eaf_article *a = NULL;
    const char *snip;
    double first;

    o.mark_open = "<<";
    o.mark_close = ">>";
    is_int(eaf_search_new(&s, db, "relations", &o), EAF_OK, "search");
    ok(eaf_search_field(s, EAF_FIELD_KEY) == NULL, "no fields before the first next");
    ok(eaf_search_snippet(s) == NULL, "no snippet before the first next");
    is_int(eaf_search_next(s), EAF_ROW, "first hit");
    is_str(eaf_search_field(s, EAF_FIELD_KEY), "jc1", "key");
    is_str(eaf_search_field(s, EAF_FIELD_TITLE), "Japan–China relations enter a new phase",
           "title");
    is_str(eaf_search_field(s, EAF_FIELD_DATE), "2018-10-25", "date");
    ok(eaf_search_field(s, EAF_FIELD_URL) == NULL, "no url");
    is_str(eaf_search_field(s, EAF_FIELD_BODY),
           "Japan and China agreed to improve relations. Tokyo and Beijing signed a swap deal.",
           "body, read on demand");
    snip = eaf_search_snippet(s);
    ok(snip && strstr(snip, "<<relations>>"), "snippet marks the word: %s", snip);
    is_int(eaf_search_article(&a, s), EAF_OK, "the whole article");
    is_str(a ? eaf_article_author_affiliation(a, 0) : NULL, "Waseda University",
           "with its authors");
    first = eaf_search_score(s);
    ok(first > 0, "a positive score");
    is_int(eaf_search_next(s), EAF_ROW, "second hit");
    snip = eaf_search_snippet(s);
    ok(snip && strstr(snip, "<<relation>>"), "a stemmed form is marked: %s", snip);
    ok(eaf_search_score(s) <= first, "scores do not increase");
    is_int(eaf_search_next(s), EAF_DONE, "done");
    is_int(eaf_search_next(s), EAF_DONE, "stays done");
    ok(eaf_search_field(s, EAF_FIELD_KEY) == NULL, "no current hit");
    is_int(eaf_search_article(&a, s), EAF_MISUSE, "no article without a hit");
    eaf_search_free(s);

    /* snippet length and the body's start when nothing in it matched */
    o = (eaf_search_options)EAF_SEARCH_OPTIONS_INIT;
    o.snippet_words = 5;
    o.ellipsis = "~";
    is_int(eaf_search_new(&s, db, "title:speeches", &o), EAF_OK, "search a title word");
    is_int(eaf_search_next(s), EAF_ROW, "hit");
    is_str(eaf_search_snippet(s), "Abe spoke first about many~",
           "the body's first words when the body has no match");
    eaf_search_free(s);
    is_int(eaf_search_new(&s, db, "tourism", &o), EAF_OK, "search a body word");
    is_int(eaf_search_next(s), EAF_ROW, "hit");
    snip = eaf_search_snippet(s);
    ok(snip && strstr(snip, "[tourism]") && strchr(snip, '~'),
       "a short snippet around the match: %s", snip);
    eaf_search_free(s);
}

static void test_strict(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = (eaf_search *)1;

    o.flags = EAF_SEARCH_STRICT;
    is_int(eaf_search_new(&s, db, "japan (china", &o), EAF_SYNTAX, "strict: an error");
    ok(s == NULL, "no search");
    is_int(eaf_db_error_offset(db), 6, "at the parenthesis");
    ok(strstr(eaf_db_errmsg(db), "unclosed parenthesis") != NULL, "named: %s", eaf_db_errmsg(db));
    is_int(eaf_search_new(&s, db, "japan (china)", &o), EAF_OK, "a good query");
    is_int(eaf_db_error_offset(db), -1, "clears the offset");
    eaf_search_free(s);
    o.flags = 0x100; /* (0x80 is EAF_SEARCH_NO_FEEDBACK) */
    is_int(eaf_search_new(&s, db, "japan", &o), EAF_MISUSE, "unknown flags");
    o.flags = 0;
    o.version = 7;
    is_int(eaf_search_new(&s, db, "japan", &o), EAF_MISUSE, "options of a future version");
}

/* The index can be queried from plain SQLite once the extension is loaded. */
static void test_extension(void)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char *err = NULL;
    int rc;

    ok(sqlite3_open_v2(tu_path("search.db"), &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK,
       "open the index with plain SQLite");
    rc = sqlite3_prepare_v2(s, "SELECT count(*) FROM fts WHERE fts MATCH 'relations'", -1,
                            &st, NULL);
    ok(rc != SQLITE_OK && strstr(sqlite3_errmsg(s), "eaf"),
       "without the extension the tokenizer is missing: %s", sqlite3_errmsg(s));
    sqlite3_finalize(st);
    sqlite3_close(s);
    s = NULL;
    ok(sqlite3_open_v2(tu_path("search.db"), &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK,
       "open again");
    sqlite3_enable_load_extension(s, 1);
    rc = sqlite3_load_extension(s, EAF_TEST_BUILDDIR "/lib/.libs/eafsearch", NULL, &err);
    is_int(rc, SQLITE_OK, "load the extension (%s)", err ? err : "ok");
    sqlite3_free(err);
    st = NULL;
    rc = sqlite3_prepare_v2(s,
                            "SELECT group_concat(key, ' ') FROM (SELECT a.key FROM fts"
                            " JOIN article a ON a.id = fts.rowid"
                            " WHERE fts MATCH 'relations' ORDER BY a.key)",
                            -1, &st, NULL);
    ok(rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW, "query with the extension");
    is_str(rc == SQLITE_OK ? (const char *)sqlite3_column_text(st, 0) : NULL, "jc1 jc2",
           "stemmed like the library");
    sqlite3_finalize(st);
    sqlite3_close(s);
}


/* Strict mode through the public API: the offset of each problem. */
static void test_strict_offsets(void)
{
    static const struct {
        const char *query;
        int offset;
    } cases[] = {
        {"\"japan", 0},       {"japan (china", 6},  {"japan)", 5},
        {"japan \"\"", 6},    {"OR japan", 0},      {"japan OR", 6},
        {"japan -", 6},       {"j*", 0},            {"date:2018-13", 5},
        {"foo:bar japan", 0}, {"title: x", 0},      {"NEAR(japan)", 0},
        {"date:2019..2018", 5}, {"japan AND", 6},
    };
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s;
    size_t i;

    o.flags = EAF_SEARCH_STRICT;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        s = NULL;
        is_int(eaf_search_new(&s, db, cases[i].query, &o), EAF_SYNTAX, "strict [%s]",
               cases[i].query);
        is_int(eaf_db_error_offset(db), cases[i].offset, "strict [%s]: offset (%s)",
               cases[i].query, eaf_db_errmsg(db));
        eaf_search_free(s);
    }
}

/* The dates of the hits, in order, space-separated ("-" when undated). */
static const char *dates_of(const char *query, eaf_sort sort)
{
    static char out[1024];
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    size_t n = 0;

    out[0] = '\0';
    o.sort = sort;
    o.limit = 100;
    if (eaf_search_new(&s, db, query, &o) != EAF_OK)
        return "(error)";
    while (eaf_search_next(s) == EAF_ROW) {
        const char *d = eaf_search_field(s, EAF_FIELD_DATE);
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "", d ? d : "-");
    }
    eaf_search_free(s);
    return out;
}

static void test_sort(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;

    is_str(dates_of("pacific OR japan OR china", EAF_SORT_NEWEST),
           "2019-05-01 2018-10-25 2018-10 2017-05-14 2017-02-02 2016-03-10 2013-01-01 -",
           "newest first, undated last");
    is_str(dates_of("pacific OR japan OR china", EAF_SORT_OLDEST),
           "2013-01-01 2016-03-10 2017-02-02 2017-05-14 2018-10 2018-10-25 2019-05-01 -",
           "oldest first, undated last");
    is_str(dates_of("mongolia", EAF_SORT_NEWEST), "2022-01-01 2022-01-01",
           "same dates keep a stable order");
    LIST("mongolia", "tie1 tie2");
    o.sort = EAF_SORT_LAST;
    is_int(eaf_search_new(&s, db, "japan", &o), EAF_MISUSE, "an unknown sort order");
}

/* Keys of a search with options. */
static const char *run_filtered(const char *query, const char *from, const char *to,
                                const char *const *authors, const char *const *topics,
                                const char *const *countries, const char *const *tags)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    o.limit = 100;
    o.date_from = from;
    o.date_to = to;
    o.authors = authors;
    o.topics = topics;
    o.countries = countries;
    o.tags = tags;
    return sorted(run_opts(query, &o, NULL));
}

static void test_filters(void)
{
    static const char *const japan[] = {"JAPAN", NULL};
    static const char *const japan_korea[] = {"Japan", "south korea", NULL};
    static const char *const aoyama[] = {"Rumi Aoyama", NULL};
    static const char *const trade[] = {"Trade", NULL};
    static const char *const nothing[] = {"!!!", NULL};
    static const char *const empty[] = {NULL};
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;

    is_str(run_filtered("", NULL, NULL, NULL, NULL, japan, NULL),
           sorted("jc1 jc2 j1 cjk"), "an empty query with a country filter lists the country");
    o.limit = 100;
    o.countries = japan;
    is_str(run_opts("", &o, NULL), "jc2 jc1 j1 cjk", "newest first");
    o = (eaf_search_options)EAF_SEARCH_OPTIONS_INIT;
    is_str(run_filtered("", NULL, NULL, NULL, NULL, japan_korea, NULL),
           sorted("jc1 jc2 j1 cjk k1"), "values of one list: any of them");
    is_str(run_filtered("", NULL, NULL, NULL, trade, japan_korea, NULL), "",
           "different lists: all of them");
    is_str(run_filtered("", NULL, NULL, NULL, trade, NULL, NULL), sorted("c1 tw"), "topics");
    is_str(run_filtered("", NULL, NULL, aoyama, NULL, NULL, NULL), "jc1", "authors");
    is_str(run_filtered("relations", NULL, NULL, NULL, NULL, japan, NULL), sorted("jc1 jc2"),
           "a query and a filter");
    is_str(run_filtered("japan", "2017", "2018-10", NULL, NULL, NULL, NULL), sorted("k1 jc1"),
           "a date range: from the start of 2017 to the end of October 2018");
    is_str(run_filtered("", "2018-10", "2018-10", NULL, NULL, NULL, NULL), sorted("jc1 month"),
           "a month filter includes a month-precision date");
    is_str(run_filtered("-china", NULL, NULL, NULL, NULL, japan, NULL), sorted("j1 cjk"),
           "exclusions with a filter");
    is_str(run_filtered("japan", NULL, NULL, NULL, NULL, nothing, NULL), "",
           "a value without words matches nothing");
    is_str(run_filtered("japan", NULL, NULL, NULL, NULL, empty, NULL),
           sorted("jc1 jc2 j1 k1 cjk"), "an empty list is no filter");
    is_str(run_filtered("", NULL, NULL, NULL, NULL, NULL, NULL), "", "no query, no filter: nothing");
    o.date_from = "2018-13";
    is_int(eaf_search_new(&s, db, "japan", &o), EAF_SYNTAX, "an invalid date filter");
    ok(strstr(eaf_db_errmsg(db), "2018-13") != NULL, "named: %s", eaf_db_errmsg(db));
    /* the search keeps its own copy of the options: the caller's struct,
     * texts and lists may change or go once eaf_search_new() returns (the
     * total, the facets and the snippets are read later) */
    {
        char *country = strdup("Japan"), *from = strdup("2010"), *open_mark = strdup("<<");
        const char **countries = malloc(2 * sizeof(*countries));
        eaf_search_options *heap = malloc(sizeof(*heap));
        int64_t total = -1;
        eaf_facets *f = NULL;
        const char *snip;

        if (!country || !from || !open_mark || !countries || !heap)
            abort();
        *heap = (eaf_search_options)EAF_SEARCH_OPTIONS_INIT;
        countries[0] = country;
        countries[1] = NULL;
        heap->countries = countries;
        heap->date_from = from;
        heap->mark_open = open_mark;
        heap->limit = 100;
        is_int(eaf_search_new(&s, db, "relations", heap), EAF_OK, "a search with filters");
        strcpy(country, "Korea");
        strcpy(from, "2030");
        strcpy(open_mark, "!!");
        free(country);
        free(from);
        free(open_mark);
        free(countries);
        free(heap);
        ok(s && eaf_search_next(s) == EAF_ROW, "its first hit, the options gone");
        snip = s ? eaf_search_snippet(s) : NULL;
        ok(snip && strstr(snip, "<<") != NULL, "the snippet marks as asked: %s",
           snip ? snip : "(none)");
        ok(s && eaf_search_total(&total, s) == EAF_OK && total == 2,
           "the total, read after, still filters as asked (%lld)", (long long)total);
        ok(s && eaf_search_facets(&f, s, 5) == EAF_OK, "the facets, read after");
        eaf_facets_free(f);
        eaf_search_free(s);
        s = NULL;
    }
    /* inside: the plan holds copies, so that it can be run later (over
     * other index files) whatever became of the caller's options */
    {
        char country[] = "Japan", from[] = "2010", mark[] = "<<";
        const char *countries[] = {country, NULL};
        eaf_search_options po = EAF_SEARCH_OPTIONS_INIT;
        eaf__plan *plan = NULL;

        po.countries = countries;
        po.date_from = from;
        po.mark_open = mark;
        is_int(eaf__plan_new(&plan, db, &po), EAF_OK, "a plan");
        strcpy(country, "Korea");
        strcpy(from, "2030");
        strcpy(mark, "!!");
        countries[0] = NULL;
        ok(plan && plan->o.countries && plan->o.countries[0] &&
           strcmp(plan->o.countries[0], "Japan") == 0 && !plan->o.countries[1],
           "its country filter is its own");
        ok(plan && plan->o.date_from && strcmp(plan->o.date_from, "2010") == 0,
           "and its date");
        ok(plan && plan->o.mark_open && strcmp(plan->o.mark_open, "<<") == 0,
           "and its marks");
        eaf__plan_free(plan);
    }
    /* a version this library does not know is refused, and named (the
     * reading of an older caller's struct is tested in test_options) */
    {
        eaf_search_options bad = EAF_SEARCH_OPTIONS_INIT;
        unsigned v[2] = {0, EAF_SEARCH_OPTIONS_VERSION + 1};
        int i;

        ok(EAF_SEARCH_OPTIONS_VERSION == 2, "the search options of 1.2 are version 2 (facet_hits)");
        for (i = 0; i < 2; i++) {
            bad.version = v[i];
            is_int(eaf_search_new(&s, db, "japan", &bad), EAF_MISUSE,
                   "options of version %u are refused", v[i]);
            ok(s == NULL && strstr(eaf_db_errmsg(db), "eaf_search_options version") != NULL,
               "and named: %s", eaf_db_errmsg(db));
        }
    }
}

typedef struct tally {
    char value[64];
    long long count;
} tally;

static void count_value(tally *t, size_t *n, size_t cap, const char *v)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if (strcmp(t[i].value, v) == 0) {
            t[i].count++;
            return;
        }
    }
    if (*n < cap) {
        snprintf(t[*n].value, sizeof(t[*n].value), "%s", v);
        t[(*n)++].count = 1;
    }
}

/* Facet counts against counts made here from every hit's own article. */
static void check_facets(const char *query)
{
    tally t[EAF_FACET_LAST][64];
    size_t n[EAF_FACET_LAST] = {0}, i, j;
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    const eaf_article *a;
    int k, same = 1;
    int64_t total = 0;

    o.limit = 2; /* a small page: facets cover every hit anyway */
    if (!ok(eaf_search_new(&s, db, query, &o) == EAF_OK, "search [%s]", query))
        return;
    is_int(eaf_search_facets(&f, s, 100), EAF_OK, "facets of [%s]", query);
    eaf_search_free(s);
    o.limit = 1000;
    if (eaf_search_new(&s, db, query, &o) != EAF_OK)
        return;
    while (eaf_search_next(s) == EAF_ROW && eaf_search_article(&a, s) == EAF_OK) {
        const char *date = eaf_article_get(a, EAF_FIELD_DATE);
        for (i = 0; i < eaf_article_author_count(a); i++)
            count_value(t[EAF_FACET_AUTHOR], &n[EAF_FACET_AUTHOR], 64,
                        eaf_article_author_name(a, i));
        for (i = 0; i < eaf_article_tag_count(a, EAF_TAG_TOPIC); i++)
            count_value(t[EAF_FACET_TOPIC], &n[EAF_FACET_TOPIC], 64,
                        eaf_article_tag(a, EAF_TAG_TOPIC, i));
        for (i = 0; i < eaf_article_tag_count(a, EAF_TAG_COUNTRY); i++)
            count_value(t[EAF_FACET_COUNTRY], &n[EAF_FACET_COUNTRY], 64,
                        eaf_article_tag(a, EAF_TAG_COUNTRY, i));
        for (i = 0; i < eaf_article_tag_count(a, EAF_TAG_OTHER); i++)
            count_value(t[EAF_FACET_TAG], &n[EAF_FACET_TAG], 64,
                        eaf_article_tag(a, EAF_TAG_OTHER, i));
        if (date) {
            char year[5];
            memcpy(year, date, 4);
            year[4] = '\0';
            count_value(t[EAF_FACET_YEAR], &n[EAF_FACET_YEAR], 64, year);
        }
    }
    (void)!eaf_search_total(&total, s);
    eaf_search_free(s);
    for (k = 0; k < EAF_FACET_LAST; k++) {
        if (eaf_facets_count(f, (eaf_facet)k) != n[k]) {
            diag("[%s] %s: %zu values, counted %zu", query, eaf_facet_name((eaf_facet)k),
                 eaf_facets_count(f, (eaf_facet)k), n[k]);
            same = 0;
            continue;
        }
        for (i = 0; i < n[k]; i++) {
            int64_t c = -1;
            int found = 0;
            for (j = 0; j < eaf_facets_count(f, (eaf_facet)k); j++) {
                const char *v = eaf_facets_value(f, (eaf_facet)k, j, &c);
                if (v && strcmp(v, t[k][i].value) == 0) {
                    found = 1;
                    if (c != t[k][i].count) {
                        diag("[%s] %s %s: %lld, counted %lld", query,
                             eaf_facet_name((eaf_facet)k), v, (long long)c, t[k][i].count);
                        same = 0;
                    }
                }
            }
            if (!found) {
                diag("[%s] %s %s missing", query, eaf_facet_name((eaf_facet)k), t[k][i].value);
                same = 0;
            }
        }
    }
    ok(same, "[%s]: facet counts over all %lld hits match counts made from the hits",
       query, (long long)total);
    eaf_facets_free(f);
}

static void test_facets(void)
{
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    int64_t c = 0;

    check_facets("japan OR china OR trade");
    check_facets("date:..2100");
    check_facets("relations");
    ok(eaf_search_new(&s, db, "japan OR china", NULL) == EAF_OK &&
           eaf_search_facets(&f, s, 1) == EAF_OK,
       "facets, top 1");
    is_int(eaf_facets_count(f, EAF_FACET_COUNTRY), 1, "one country kept");
    is_str(eaf_facets_value(f, EAF_FACET_COUNTRY, 0, &c), "Japan", "the most frequent");
    is_int(c, 4, "with its count");
    ok(eaf_facets_value(f, EAF_FACET_COUNTRY, 1, &c) == NULL && c == 0, "out of range");
    ok(eaf_facets_count(f, EAF_FACET_LAST) == 0, "a kind out of range");
    is_str(eaf_facet_name(EAF_FACET_YEAR), "year", "facet names");
    eaf_facets_free(f);
    eaf_search_free(s);
    f = NULL;
    ok(eaf_search_new(&s, db, "-japan", NULL) == EAF_OK && eaf_search_facets(&f, s, 0) == EAF_OK,
       "facets of a search that selects nothing");
    is_int(eaf_facets_count(f, EAF_FACET_AUTHOR) + eaf_facets_count(f, EAF_FACET_YEAR), 0,
           "are empty");
    eaf_facets_free(f);
    eaf_search_free(s);
}

static void test_fallback_suggest(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    int64_t total = -1;

    /* all words: nothing; any word: the word's hits, flagged */
    ok(eaf_search_new(&s, db, "mongolia zzyzx", NULL) == EAF_OK, "a word no article has");
    is_int(eaf_search_fallback(s), 1, "falls back to any word");
    is_int(eaf_search_dropped_count(s), 1, "one word dropped");
    is_str(eaf_search_dropped(s, 0), "zzyzx", "named as typed");
    ok(eaf_search_dropped(s, 1) == NULL, "out of range");
    ok(eaf_search_total(&total, s) == EAF_OK && total == 2, "the other word's hits");
    ok(strstr(eaf_search_explain(s), "fallback") != NULL, "explain says so");
    eaf_search_free(s);
    is_str(run("mongolia zzyzx"), "tie1 tie2", "the hits of the remaining word");
    is_str(run("copper \"mine copper\""), "tie1 tie2",
           "a phrase no article has, with a word: the word's hits");
    ok(eaf_search_new(&s, db, "tariffs relations", NULL) == EAF_OK, "two words, never together");
    is_int(eaf_search_fallback(s), 1, "falls back");
    is_int(eaf_search_dropped_count(s), 0, "but drops no word: each matches alone");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "japan china", NULL) == EAF_OK, "words found together");
    is_int(eaf_search_fallback(s), 0, "no fallback");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "zzyzx", NULL) == EAF_OK, "one unknown word");
    is_int(eaf_search_fallback(s), 0, "nothing to fall back to");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "zzyzx qqqqj", NULL) == EAF_OK, "two unknown words");
    is_int(eaf_search_fallback(s), 0, "any of them finds nothing either: no fallback");
    is_int(eaf_search_dropped_count(s), 0, "and no dropped words");
    eaf_search_free(s);
    o.flags = EAF_SEARCH_NO_FALLBACK;
    o.limit = 100;
    is_str(run_opts("mongolia zzyzx", &o, NULL), "", "EAF_SEARCH_NO_FALLBACK: no hits");
    /* the fallback keeps exclusions and filters */
    is_str(sorted(run("japan zzyzx -tariffs date:..2018")), sorted("jc1 k1 cjk"),
           "exclusions and dates still apply after the fallback");

    /* did you mean */
    ok(eaf_search_new(&s, db, "japn", NULL) == EAF_OK, "a misspelt word");
    is_str(suggestion_of(s), "japan", "suggests the indexed word");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "Relatons in Hanoy", NULL) == EAF_OK, "two misspelt words");
    is_str(suggestion_of(s), "Relations in Hanoi",
           "suggests both, spelt as an article spells them in the case typed, the rest as typed");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "japan china", NULL) == EAF_OK, "indexed words");
    ok(suggestion_of(s) == NULL, "no suggestion");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "north korea", NULL) == EAF_OK, "north is indexed");
    ok(suggestion_of(s) == NULL, "so north never suggests anything");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "zzyzx", NULL) == EAF_OK, "nothing close");
    ok(suggestion_of(s) == NULL, "no suggestion");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "mongolia -japn", NULL) == EAF_OK, "a misspelt exclusion");
    ok(suggestion_of(s) == NULL, "exclusions are not corrected");
    eaf_search_free(s);
}

static void test_explain(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    static const char *const japan[] = {"Japan", NULL};
    const char *e;

    o.countries = japan;
    o.sort = EAF_SORT_NEWEST;
    ok(eaf_search_new(&s, db, "title:relations -china date:2018", &o) == EAF_OK, "search");
    e = eaf_search_explain(s);
    ok(e && strstr(e, "TERM \"relations\" in title"), "the tree");
    ok(e && strstr(e, "fts5: ") && strstr(e, "{title} : \"relations\""), "the FTS5 expression");
    ok(e && strstr(e, "a.day BETWEEN"), "the SQL");
    ok(e && strstr(e, "= 'japan'"), "the filter's value");
    ok(e && strstr(e, "sort: newest"), "the sort");
    is_str(eaf_search_explain(s), e, "made once");
    eaf_search_free(s);
}

/* A prefix that starts more than 100 terms is capped to the 100 terms in
 * the most articles; a narrower one is left whole. */
static void test_prefix_cap(void)
{
    eaf_db *pdb = tu_open("prefix.db", NULL);
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    int64_t total = -1;
    int i, all = eaf_db_begin(pdb) == EAF_OK;
    const char *e;
    char key[16], body[64];

    for (i = 1; i <= 120; i++) {
        eaf_article *a;
        snprintf(key, sizeof(key), "p%03d", i);
        /* zqa001 is in 3 articles, zqa002 in 2, the rest in one each */
        snprintf(body, sizeof(body), "zqa%03d%s%s", i, i <= 3 ? " zqa001" : "",
                 i <= 2 ? " zqa002" : "");
        a = tu_article(key, "Prefix test", NULL, body, NULL, NULL);
        all &= eaf_db_put(NULL, pdb, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(pdb) == EAF_OK;
    ok(all, "120 articles, each with its own zqa term");
    o.limit = 200;
    ok(eaf_search_new(&s, pdb, "zqa*", &o) == EAF_OK &&
           eaf_search_total(&total, s) == EAF_OK,
       "search zqa*");
    is_int(total, 100, "capped: the 100 terms in the most articles (one article each, "
                       "zqa001 and zqa002 among them)");
    e = eaf_search_explain(s);
    ok(e && strstr(e, "zqa* starts 120 terms: the 100 in the most articles are searched"),
       "explain says so");
    ok(e && strstr(e, "index term \"zqa001\""), "and lists the terms");
    eaf_search_free(s);
    ok(eaf_search_new(&s, pdb, "zqa11*", &o) == EAF_OK &&
           eaf_search_total(&total, s) == EAF_OK,
       "search zqa11*");
    is_int(total, 10, "a prefix under the cap finds every term");
    ok(strstr(eaf_search_explain(s), "starts") == NULL, "and is not capped");
    eaf_search_free(s);
    ok(eaf_search_new(&s, pdb, "title:prefix (zqa* OR zqa12*)", &o) == EAF_OK &&
           eaf_search_total(&total, s) == EAF_OK,
       "a capped prefix inside a larger query");
    is_int(total, 101, "the capped zqa* (100 articles) or zqa12* (one more: zqa120)");
    eaf_search_free(s);
    eaf_db_close(pdb);
}

/* Runs a query with flags; returns its keys ("(error ...)" on failure). */
static const char *run_flags(const char *query, unsigned flags, long long *total)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    o.flags = flags;
    o.limit = 100;
    return run_opts(query, &o, total);
}

/* A typed AND is obeyed at any length; EAF_SEARCH_ALL_WORDS turns the
 * question rule off; eaf_search_question() says when it applied. */
static void test_typed_and(void)
{
    eaf_search *s = NULL;
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    long long total = -1;
    char question[2048];

    /* four words: a question, any of them */
    snprintf(question, sizeof(question), "%s", run("japan china relations tokyo"));
    ok(strchr(question, ' ') != NULL, "four words are a question: several hits (%s)", question);
    ok(eaf_search_new(&s, db, "japan china relations tokyo", NULL) == EAF_OK, "search");
    is_int(eaf_search_question(s), 1, "eaf_search_question says so");
    ok(strstr(eaf_search_explain(s), "read as a question") != NULL, "and explain");
    eaf_search_free(s);
    /* a typed AND, wherever it is, is obeyed */
    SET("japan AND china AND relations AND tokyo", "jc1");
    SET("japan china relations AND tokyo", "jc1");
    SET("japan AND china relations tokyo", "jc1");
    SET("(japan AND tokyo) china relations", "jc1");
    SET("title:(japan AND china) relations tokyo", "jc1");
    SET("japan AND china AND trade AND war AND tariffs", "");
    ok(eaf_search_new(&s, db, "japan AND china AND relations AND tokyo", NULL) == EAF_OK,
       "search with a typed AND");
    is_int(eaf_search_question(s), 0, "not read as a question");
    ok(strstr(eaf_search_explain(s), "AND (typed)") != NULL, "explain shows the typed AND");
    eaf_search_free(s);
    /* a typed AND does not fall back to any of the words */
    is_str(run("mongolia zzyzx"), "tie1 tie2", "two words, one unknown: the fallback");
    is_str(run_flags("mongolia AND zzyzx", 0, &total), "", "with AND: no hits");
    is_int(total, 0, "and a total of 0");
    ok(eaf_search_new(&s, db, "mongolia AND zzyzx", NULL) == EAF_OK, "search");
    is_int(eaf_search_fallback(s), 0, "no fallback");
    eaf_search_free(s);
    /* an OR of AND groups is not a typed AND of the whole */
    SET("(japan AND tokyo) OR (mongolia AND copper)", "jc1 j1 tie1 tie2");
    /* the flag */
    is_str(run_flags("japan china relations tokyo", EAF_SEARCH_ALL_WORDS, &total), "jc1",
           "EAF_SEARCH_ALL_WORDS: all four words");
    is_int(total, 1, "total 1");
    is_str(sorted(run_flags("japan china relations", EAF_SEARCH_ALL_WORDS, NULL)),
           sorted(run("japan china relations")), "three words: the same hits with the flag");
    o.flags = EAF_SEARCH_ALL_WORDS;
    ok(eaf_search_new(&s, db, "japan china relations tokyo", &o) == EAF_OK, "search");
    is_int(eaf_search_question(s), 0, "not a question with the flag");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "copper mine mongolia zzyzx", &o) == EAF_OK,
       "four words, one unknown, EAF_SEARCH_ALL_WORDS");
    is_int(eaf_search_fallback(s), 1, "the flag keeps the fallback, said");
    eaf_search_free(s);
    o.flags = EAF_SEARCH_ALL_WORDS | EAF_SEARCH_RANK_ALL;
    is_int(eaf_search_new(&s, db, "japan", &o), EAF_MISUSE,
           "EAF_SEARCH_ALL_WORDS with EAF_SEARCH_RANK_ALL: a misuse");
    o.flags = EAF_SEARCH_RANK_ALL;
    ok(eaf_search_new(&s, db, "japan china relations tokyo", &o) == EAF_OK, "RANK_ALL");
    is_int(eaf_search_question(s), 0, "RANK_ALL is not the question rule");
    eaf_search_free(s);
    /* ordinary queries keep their ranking */
    LIST("mongolia copper", "tie1 tie2");
    is_str(strtok((char *)run("Japan China"), " "), "jc1", "Japan China: jc1 first");
}

/* The keys of a related list, space-separated. */
static const char *related_keys(const char *key, size_t *n)
{
    static char out[2048];
    eaf_related *r = NULL;
    size_t i, len = 0;

    out[0] = '\0';
    *n = 0;
    if (eaf_related_new(&r, db, key, NULL) != EAF_OK)
        return "(error)";
    *n = eaf_related_count(r);
    for (i = 0; i < *n; i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? " " : "",
                                eaf_related_key(r, i));
    eaf_related_free(r);
    return out;
}

/* Keeps the words of list that are (keep) or are not (!keep) in set, in
 * the order of list. */
static const char *filter_words(const char *list, const char *set, int keep)
{
    static char out[2048];
    char buf[2048], *tok, *save = NULL;
    size_t len = 0;

    snprintf(buf, sizeof(buf), "%s", list);
    out[0] = '\0';
    for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char pat[128];
        snprintf(pat, sizeof(pat), " %s ", tok);
        {
            char padded[2100];
            snprintf(padded, sizeof(padded), " %s ", set);
            if ((strstr(padded, pat) != NULL) == keep)
                len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", len ? " " : "",
                                        tok);
        }
    }
    return out;
}

static const char *keep_in(const char *list, const char *set)
{
    return filter_words(list, set, 1);
}

/* related:KEY is a term of the query: the total is the list's length at
 * every page, the key ends with its term, and the rest of the query
 * filters the list. */
static void test_related(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    char list[2048], paged[2048] = "", japan[2048], expected[2048];
    long long total = -1;
    size_t n = 0;
    unsigned off;
    eaf_search *s = NULL;

    snprintf(list, sizeof(list), "%s", related_keys("jc1", &n));
    ok(n >= 4, "jc1 has a related list of %zu articles (%s)", n, list);
    is_str(run_opts("related:jc1", NULL, &total), list, "related:jc1 is that list, in order");
    is_int(total, (long long)n, "its total is the list's length");
    o.limit = 1;
    for (off = 0; off < n + 2; off++) {
        const char *page;
        o.offset = off;
        page = run_opts("related:jc1", &o, &total);
        if (*page)
            snprintf(paged + strlen(paged), sizeof(paged) - strlen(paged), "%s%s",
                     *paged ? " " : "", page);
        if (!is_int(total, (long long)n, "related:jc1 -n 1 --offset %u: total %zu", off, n))
            break;
    }
    is_str(paged, list, "pages of one put together are the list");
    o.limit = 3;
    o.offset = 0;
    run_opts("related:jc1", &o, &total);
    is_int(total, (long long)n, "-n 3: the total is still the list's length");
    /* the key ends where its term ends; the rest filters the list */
    snprintf(japan, sizeof(japan), "%s", run("japan"));
    LIST("related:jc1 japan", keep_in(list, japan));
    LIST("japan related:jc1", keep_in(list, japan));
    LIST("related:\"jc1\" japan", keep_in(list, japan));
    LIST("(related:jc1) japan", keep_in(list, japan));
    LIST("related:jc1 AND japan", keep_in(list, japan));
    ok(*keep_in(list, japan) && strcmp(keep_in(list, japan), list) != 0,
       "the words filter the list: some of it, not all (%s)", keep_in(list, japan));
    LIST("related:jc1 -japan", filter_words(list, japan, 0));
    LIST("related:jc1 date:2018..2019", keep_in(list, run("date:2018..2019")));
    snprintf(expected, sizeof(expected), "%s", filter_words(japan, list, 0));
    is_str(sorted(run("japan -related:jc1")), sorted(expected),
           "-related:jc1 excludes the list (%s)", expected);
    SET("related:jc1 zzyzx", "");
    SET("related:no/such/key", "");
    SET("related:no/such/key japan", "");
    /* without a key it is the word, or an error in strict mode */
    SET("related:", "jc1 jc2");
    ok(strstr(run_flags("related:", EAF_SEARCH_STRICT, NULL),
              "related: needs the key of an article at offset 0") != NULL,
       "strict: related: without a key is an error");
    ok(eaf_search_new(&s, db, "related:jc1 china", NULL) == EAF_OK &&
           eaf_search_next(s) == EAF_ROW,
       "related:jc1 china has a hit");
    ok(eaf_search_has_score(s) && eaf_search_score(s) > 0, "scored by the list");
    {
        const char *snip = eaf_search_snippet(s);
        ok(snip && strstr(snip, "[China"), "its snippet marks the word: %s", snip);
    }
    eaf_search_free(s);
}

/* A word of one CJK character finds the articles that hold it, wherever
 * it is in a run (which the index holds as bigrams). */
static void test_cjk_char(void)
{
    eaf_search *s = NULL;

    SET("日本経済", "cjk");
    SET("日", "cjk");
    SET("本", "cjk");
    SET("経", "cjk");
    SET("済", "cjk");
    SET("\"済\"", "cjk");
    SET("済 japan", "cjk");
    is_str(run_flags("済 mongolia", EAF_SEARCH_NO_FALLBACK, NULL), "",
           "[済 mongolia]: not together");
    SET("title:済", "");
    SET("-済 economy", "j1");
    SET("京", "");
    ok(eaf_search_new(&s, db, "済", NULL) == EAF_OK, "search");
    ok(strstr(eaf_search_explain(s), "cjk: 済 is searched as 済* and the 1 bigram that ends with it") != NULL,
       "explain says how");
    eaf_search_free(s);
}

/* A hit listed only by dates or filters has no score. */
static void test_has_score(void)
{
    eaf_search *s = NULL;
    eaf_status st;
    int all = 1, n = 0;

    ok(eaf_search_new(&s, db, "date:2018", NULL) == EAF_OK, "a query of a date");
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        all &= !eaf_search_has_score(s) && eaf_search_score(s) == 0.0;
        n++;
    }
    ok(all && n == 3, "none of its %d hits has a score", n);
    is_int(eaf_search_has_score(s), 0, "nor is there one after the last");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "japan", NULL) == EAF_OK, "a word");
    all = 1;
    while ((st = eaf_search_next(s)) == EAF_ROW)
        all &= eaf_search_has_score(s) && eaf_search_score(s) > 0;
    ok(all, "every hit has a score");
    eaf_search_free(s);
    ok(eaf_search_new(&s, db, "mongolia OR date:2018", NULL) == EAF_OK, "word OR date");
    all = 1;
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const char *k = eaf_search_field(s, EAF_FIELD_KEY);
        int word = strncmp(k, "tie", 3) == 0;
        all &= eaf_search_has_score(s) == word;
    }
    ok(all, "the word's hits have a score, the date's do not");
    eaf_search_free(s);
}

/* Year facets are a timeline: the newest years, newest first. */
static void test_year_facets(void)
{
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    size_t i, n;
    int desc = 1;

    ok(eaf_search_new(&s, db, "date:..2100", NULL) == EAF_OK &&
           eaf_search_facets(&f, s, 100) == EAF_OK,
       "facets of every dated article");
    n = eaf_facets_count(f, EAF_FACET_YEAR);
    for (i = 1; i < n; i++)
        desc &= strcmp(eaf_facets_value(f, EAF_FACET_YEAR, i - 1, NULL),
                       eaf_facets_value(f, EAF_FACET_YEAR, i, NULL)) > 0;
    ok(desc && n >= 5, "%zu years, newest first", n);
    eaf_facets_free(f);
    ok(eaf_search_facets(&f, s, 2) == EAF_OK, "top 2");
    is_str(eaf_facets_value(f, EAF_FACET_YEAR, 0, NULL), "2022", "the newest year");
    is_str(eaf_facets_value(f, EAF_FACET_YEAR, 1, NULL), "2021", "then the one before");
    eaf_facets_free(f);
    eaf_search_free(s);
}

int main(void)
{
    tu_tmpdir();
    build_index();
    test_language_rows();
    test_never_errors();
    test_ranking_paging();
    test_hits();
    test_strict();
    test_strict_offsets();
    test_sort();
    test_filters();
    test_facets();
    test_fallback_suggest();
    test_explain();
    test_prefix_cap();
    test_typed_and();
    test_related();
    test_cjk_char();
    test_has_score();
    test_year_facets();
    eaf_db_close(db);
    test_extension();
    tu_cleanup();
    return done_testing();
}
