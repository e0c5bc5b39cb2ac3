/*
 * test_facet.c: facets through the public API, on a small index written
 * for this test: the counts of each kind over all the hits (not only the
 * page), the top N and their order, years newest first, values that
 * differ only in case counted as one, and how the query's terms and the
 * options' filters narrow what is counted.
 */
#include "tap.h"
#include "testutil.h"

#include <strings.h>

static eaf_db *db;

static void build_index(void)
{
    struct {
        const char *key, *title, *date, *body, *authors, *tags;
    } docs[] = {
        {"t1", "Trade talks resume", "2016-03-01", "Trade talks between the two resumed.",
         "Ann Lee|Institute A", "c:Japan;c:China;t:Trade;o:talks"},
        {"t2", "Trade deficit", "2017-04-01", "The trade deficit widened.",
         "Ann Lee|Institute A;Bo Chen", "c:China;t:Trade;t:Economics"},
        {"t3", "Trade and tariffs", "2018-05-01", "Tariffs hurt trade.",
         "Bo Chen", "c:china;t:Trade"},
        {"t4", "A trade route", "2018-06-01", "An old trade route through the mountains.",
         NULL, "c:Korea;t:History"},
        {"t5", "Trade fair", "2019-07-01", "The trade fair drew crowds.",
         "Cy Park", "c:Japan;o:fairs"},
        {"o1", "Mountain walks", "2019-08-01", "Walking in the mountains.",
         "Cy Park", "c:Korea;t:Travel"},
    };
    size_t i;
    int all;

    db = tu_open("facet.db", NULL);
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

/* The facets of a query (NULL on failure, which fails a test). */
static eaf_facets *facets_of(const char *query, const eaf_search_options *o, unsigned top,
                             int step)
{
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    eaf_status st;

    if (eaf_search_new(&s, db, query, o) != EAF_OK) {
        ok(0, "search [%s]: %s", query, eaf_db_errmsg(db));
        return NULL;
    }
    if (step)
        while ((st = eaf_search_next(s)) == EAF_ROW)
            ;
    if (eaf_search_facets(&f, s, top) != EAF_OK) {
        ok(0, "facets of [%s]: %s", query, eaf_db_errmsg(db));
        f = NULL;
    }
    eaf_search_free(s);
    return f;
}

/* How many hits carry a value of a kind (case aside), or -1 when the value
 * is not among those kept. */
static long long count_of(const eaf_facets *f, eaf_facet kind, const char *value)
{
    size_t i;
    int64_t n;

    for (i = 0; f && i < eaf_facets_count(f, kind); i++) {
        const char *v = eaf_facets_value(f, kind, i, &n);
        if (v && strcasecmp(v, value) == 0)
            return (long long)n;
    }
    return -1;
}

/* The values kept for a kind, space-separated, in order. */
static const char *values_of(const eaf_facets *f, eaf_facet kind)
{
    static char buf[512];
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; f && i < eaf_facets_count(f, kind); i++) {
        const char *v = eaf_facets_value(f, kind, i, NULL);
        int w = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? " " : "", v ? v : "?");
        if (w < 0 || (size_t)w >= sizeof(buf) - used)
            break;
        used += (size_t)w;
    }
    return buf;
}

static void test_counts(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_facets *f;

    /* one hit a page: the facets still count all five hits */
    o.limit = 1;
    f = facets_of("trade", &o, 0, 1);
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), 3, "China on three hits (china too)");
    is_int(count_of(f, EAF_FACET_COUNTRY, "Japan"), 2, "Japan on two hits");
    is_int(count_of(f, EAF_FACET_COUNTRY, "Korea"), 1, "Korea on one hit (not o1)");
    is_int(count_of(f, EAF_FACET_TOPIC, "Trade"), 3, "the topic Trade on three");
    is_int(count_of(f, EAF_FACET_TOPIC, "Travel"), -1, "no topic of a non-hit");
    is_int(count_of(f, EAF_FACET_AUTHOR, "Ann Lee"), 2, "Ann Lee wrote two hits");
    is_int(count_of(f, EAF_FACET_AUTHOR, "Bo Chen"), 2, "Bo Chen wrote two hits");
    is_int(count_of(f, EAF_FACET_AUTHOR, "Cy Park"), 1, "Cy Park wrote one hit");
    is_int(count_of(f, EAF_FACET_TAG, "talks"), 1, "the tag talks");
    is_int(count_of(f, EAF_FACET_YEAR, "2018"), 2, "two hits of 2018");
    is_str(values_of(f, EAF_FACET_YEAR), "2019 2018 2017 2016", "years newest first");
    is_str(values_of(f, EAF_FACET_AUTHOR), "Ann Lee Bo Chen Cy Park",
           "authors most frequent first, ties by value");
    ok(strcasecmp(values_of(f, EAF_FACET_COUNTRY), "China Japan Korea") == 0,
       "countries most frequent first: %s", values_of(f, EAF_FACET_COUNTRY));
    ok(eaf_facets_value(f, EAF_FACET_COUNTRY, 99, NULL) == NULL, "NULL out of range");
    is_int((long long)eaf_facets_count(f, EAF_FACET_LAST), 0, "no count for a bad kind");
    is_str(eaf_facet_name(EAF_FACET_COUNTRY), "country", "the name of a kind");
    eaf_facets_free(f);

    /* the same before stepping */
    f = facets_of("trade", &o, 0, 0);
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), 3, "before stepping: the same counts");
    eaf_facets_free(f);
}

static void test_top(void)
{
    eaf_facets *f = facets_of("trade", NULL, 1, 0);

    is_int((long long)eaf_facets_count(f, EAF_FACET_COUNTRY), 1, "top 1: one country kept");
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), 3, "top 1: the most frequent");
    is_str(values_of(f, EAF_FACET_YEAR), "2019", "top 1 of years: the newest");
    eaf_facets_free(f);
    f = facets_of("trade", NULL, 2, 0);
    is_int((long long)eaf_facets_count(f, EAF_FACET_AUTHOR), 2, "top 2: two authors");
    is_str(values_of(f, EAF_FACET_AUTHOR), "Ann Lee Bo Chen", "top 2: the first two");
    eaf_facets_free(f);
}

static void test_filters(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    const char *japan[] = {"Japan", NULL};
    eaf_facets *f;

    /* a filter of the options narrows the hits that are counted */
    o.countries = japan;
    f = facets_of("trade", &o, 0, 0);
    is_int(count_of(f, EAF_FACET_COUNTRY, "Japan"), 2, "filtered: Japan on both hits");
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), 1, "filtered: China only on t1");
    is_int(count_of(f, EAF_FACET_COUNTRY, "Korea"), -1, "filtered: no Korea");
    eaf_facets_free(f);

    /* so does a term of the query, and a date */
    f = facets_of("trade country:Korea", NULL, 0, 0);
    is_str(values_of(f, EAF_FACET_YEAR), "2018", "country:Korea: the one hit's year");
    eaf_facets_free(f);
    o.countries = NULL;
    o.date_from = "2018";
    f = facets_of("trade", &o, 0, 0);
    is_str(values_of(f, EAF_FACET_YEAR), "2019 2018", "from 2018: its years only");
    is_int(count_of(f, EAF_FACET_AUTHOR, "Ann Lee"), -1, "from 2018: not Ann Lee's");
    eaf_facets_free(f);

    /* nothing matches: no values */
    f = facets_of("zzyzx", NULL, 0, 0);
    is_int((long long)eaf_facets_count(f, EAF_FACET_COUNTRY), 0, "no hits: no values");
    eaf_facets_free(f);
}

/* facet_hits: the first hits in the search's order only, when there are more */
static void test_best(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    eaf_facets *f;
    long long want[3] = {0, 0, 0};
    const char *names[3] = {"China", "Japan", "Korea"};
    size_t i, k;
    int same = 1;

    o.facet_hits = 2;
    o.sort = EAF_SORT_NEWEST; /* t5 (Japan, 2019), t4 (Korea, 2018) */
    f = facets_of("trade", &o, 0, 0);
    is_int(count_of(f, EAF_FACET_COUNTRY, "Japan"), 1, "best 2 of newest: Japan once");
    is_int(count_of(f, EAF_FACET_COUNTRY, "Korea"), 1, "best 2 of newest: Korea once");
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), -1, "best 2 of newest: no China");
    is_str(values_of(f, EAF_FACET_YEAR), "2019 2018", "best 2 of newest: their years");
    eaf_facets_free(f);

    /* by relevance: the countries of the first two hits, as the cursor lists them */
    o.sort = EAF_SORT_RELEVANCE;
    o.limit = 2;
    if (eaf_search_new(&s, db, "trade", &o) == EAF_OK) {
        const eaf_article *a;
        while (eaf_search_next(s) == EAF_ROW && eaf_search_article(&a, s) == EAF_OK)
            for (i = 0; i < eaf_article_tag_count(a, EAF_TAG_COUNTRY); i++)
                for (k = 0; k < 3; k++)
                    if (strcasecmp(eaf_article_tag(a, EAF_TAG_COUNTRY, i), names[k]) == 0)
                        want[k]++;
    }
    eaf_search_free(s);
    f = facets_of("trade", &o, 0, 0);
    for (k = 0; k < 3; k++)
        same &= count_of(f, EAF_FACET_COUNTRY, names[k]) == (want[k] ? want[k] : -1);
    ok(f && same, "best 2 by relevance: the countries of the first two hits");
    eaf_facets_free(f);

    /* as many as the hits or more: all of them */
    o.facet_hits = 5;
    f = facets_of("trade", &o, 0, 0);
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), 3, "facet_hits = the hits: all counted");
    eaf_facets_free(f);
    /* options of version 1 have no facet_hits: all counted */
    o.facet_hits = 2;
    o.version = 1;
    f = facets_of("trade", &o, 0, 0);
    is_int(count_of(f, EAF_FACET_COUNTRY, "China"), 3, "version 1 options: all counted");
    eaf_facets_free(f);
}

int main(void)
{
    tu_tmpdir();
    build_index();
    test_counts();
    test_top();
    test_filters();
    test_best();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
