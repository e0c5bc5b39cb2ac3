/*
 * test_rank.c: the ranking: country aliases, stopwords, questions, ranking
 * all articles with all-words hits first, the knobs (field weights, k1, b,
 * proximity), the title's coverage, and relevance feedback.
 */
#include <math.h>

#include "tap.h"
#include "testutil.h"
#include "fts.h"

static eaf_db *db;

static void build_index(void)
{
    static const struct {
        const char *key, *title, *body;
    } docs[] = {
        {"jp", "Notes on Japan", "Japan announced a new budget for defence and trade."},
        {"jpn", "Notes from Tokyo", "The Japanese government announced a new budget."},
        {"sino", "An old treaty", "The Sino-Japanese treaty of 1978 still matters."},
        {"us1", "Washington notes", "The US budget debate went on for weeks."},
        {"us2", "American politics", "An American senator spoke about the budget."},
        {"stop1", "Tariffs in the news", "The the the the the tariffs of the year."},
        {"stop2", "Tariffs again", "Tariffs rose; tariffs fell; tariffs are news."},
        {"near", "Proximity one", "grain exports rose sharply this spring in every region"},
        {"far", "Proximity two", "grain harvests and storage rose sharply this spring in every "
                                 "region before exports resumed"},
        {"tw", "Trade war", "A story about something else entirely, with many more words in "
                            "its body than the other one has."},
        {"bw", "Something else", "The trade war is the subject of this body, trade war again."},
        {"ow", "Orson Welles", "A film maker and actor born in 1915."},
        {"ow2", "Orson Welles - Early life", "A film maker and actor born in 1915."},
        {"q1", "Heat transfer in boundary layers", "Heat transfer at high speed."},
        {"q2", "Boundary layers", "Laminar flow near a wall."},
        {"q3", "Heat", "Heat in general, heat and heat."},
        {"f1", "Ablation shields", "Ablation of glassy shields on re-entry vehicles."},
        {"f2", "Glassy shields", "Shields of glassy material melt on re-entry vehicles."},
    };
    size_t i;
    int all;

    db = tu_open("rank.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        eaf_article *a = tu_article(docs[i].key, docs[i].title, NULL, docs[i].body, NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* Keys in order, and each hit's score into scores (if given). */
static const char *run(const char *query, const eaf_search_options *o, double *scores)
{
    static char out[1024];
    eaf_search *s = NULL;
    size_t n = 0;
    int i = 0;

    out[0] = '\0';
    if (eaf_search_new(&s, db, query, o) != EAF_OK)
        return "(error)";
    while (eaf_search_next(s) == EAF_ROW) {
        if (scores && i < 32)
            scores[i] = eaf_search_score(s);
        i++;
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "",
                              eaf_search_field(s, EAF_FIELD_KEY));
    }
    eaf_search_free(s);
    return out;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same keys, sorted. */
static const char *sorted(const char *keys)
{
    static char out[1024];
    char buf[1024], *v[64], *save = NULL, *tok;
    size_t n = 0, i, len = 0;

    snprintf(buf, sizeof(buf), "%s", keys);
    for (tok = strtok_r(buf, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
        v[n++] = tok;
    qsort(v, n, sizeof(*v), cmp_str);
    out[0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s", i ? " " : "", v[i]);
    return out;
}

static eaf_search_options opts(unsigned flags)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    o.flags = flags;
    o.limit = 100;
    return o;
}

static void test_aliases(void)
{
    eaf_search_options o = opts(0), no = opts(EAF_SEARCH_NO_ALIASES);

    is_str(run("Japan", &o, NULL), "jp jpn sino",
           "Japan finds Japanese, ranked below the word itself");
    is_str(run("Japan", &no, NULL), "jp", "not with EAF_SEARCH_NO_ALIASES");
    is_str(sorted(run("Japanese", &o, NULL)), "jp jpn sino",
           "the adjective finds the country too");
    is_str(run("Japanese", &no, NULL), "jpn sino", "but not with EAF_SEARCH_NO_ALIASES");
    is_str(run("China", &o, NULL), "sino", "China finds Sino-");
    is_str(sorted(run("\"United States\"", &o, NULL)), "us1 us2",
           "a multi-word name finds its short form and adjective");
    is_str(sorted(run("-Japan budget", &o, NULL)), "us1 us2",
           "an excluded country excludes its adjective too");
}

/* The score of one article for a query. */
static double score_of(const char *query, const eaf_search_options *o, const char *key)
{
    eaf_search *s = NULL;
    double score = -1.0;

    if (eaf_search_new(&s, db, query, o) != EAF_OK)
        return -2.0;
    while (eaf_search_next(s) == EAF_ROW)
        if (strcmp(eaf_search_field(s, EAF_FIELD_KEY), key) == 0)
            score = eaf_search_score(s);
    eaf_search_free(s);
    return score;
}

static void test_stopwords(void)
{
    eaf_search_options o = opts(0);
    double with = score_of("the tariffs", &o, "stop1"), without = score_of("tariffs", &o, "stop1");

    char plain[1024];

    snprintf(plain, sizeof(plain), "%s", run("tariffs", &o, NULL));
    ok(strstr(plain, "stop1") && strstr(plain, "stop2"), "both articles have the word (%s)",
       plain);
    is_str(run("the tariffs", &o, NULL), plain,
           "a stopword beside a word is not required: the same hits, in the same order");
    ok(with > 0.0 && with == without, "and adds nothing to the score (%g, %g)", with, without);
    {
        const char *r = run("the -tariffs", &o, NULL);
        ok(r[0] != '\0' && !strstr(r, "stop1") && !strstr(r, "stop2"),
           "a stopword beside an exclusion only is kept: it finds the others (%s)", r);
    }
    is_str(run("\"the tariffs\"", &o, NULL), "stop1", "stopwords count inside a phrase");
    is_str(strtok((char *)run("the", &o, NULL), " "), "stop1",
           "a query of stopwords only is scored by them");
}

static void test_questions(void)
{
    eaf_search_options o = opts(0), all = opts(EAF_SEARCH_RANK_ALL);
    eaf_search *s = NULL;

    /* five words, no article has them all: a question, not a fallback */
    ok(eaf_search_new(&s, db, "what is the heat transfer in boundary layers of wings", &o) ==
           EAF_OK,
       "a question");
    is_int(eaf_search_fallback(s), 0, "is not a fallback");
    ok(strstr(eaf_search_explain(s), "read as a question") != NULL, "explain says so");
    eaf_search_free(s);
    is_str(run("what is the heat transfer in boundary layers of wings", &o, NULL), "q1 q2 q3",
           "articles with more of the words first");
    is_str(run("has anyone investigated papers on heat transfer", &o, NULL), "q1 q3",
           "request words (anyone, investigated, papers) are dropped like stopwords");
    is_str(run("heat-transfer boundary-layer wall nozzle", &o, NULL), "q1 q2 q3",
           "a question's compounds count as their words");
    /* the list of a question's words grows with compounds: ten words fill
     * the room two parts first get, and a phrase comes after them */
    is_str(sorted(run("heat-transfer \"boundary layer\" wall nozzle", &o, NULL)), "q1 q2 q3",
           "a compound then a phrase");
    ok(strcmp(run("b-c-d-e-f-g-h-j-k-l \"boundary layer\"", &o, NULL), "(error)") != 0,
       "ten words of a compound, then a phrase");
    is_str(sorted(run("b-c-d-e-f-g-h-j-k-l-m-n heat \"boundary layer\" wall", &o, NULL)),
           "q1 q2 q3", "a longer compound in a question");

    /* two words: all of them, unless ranking all */
    is_str(run("heat boundary", &o, NULL), "q1", "two words: all must match");
    is_str(run("heat boundary", &all, NULL), "q1 q3 q2",
           "EAF_SEARCH_RANK_ALL: the article with both first, then the others");
    ok(eaf_search_new(&s, db, "heat boundary", &all) == EAF_OK, "rank all");
    is_int(eaf_search_fallback(s), 0, "ranking all is not a fallback");
    ok(strstr(eaf_search_explain(s), "rank all") != NULL, "explain says so");
    eaf_search_free(s);
}

static void test_knobs(void)
{
    static const double title_first[8] = {10, 1, 1, 1, 1, 1, 1, 1};
    static const double body_first[8] = {0.1, 1, 1, 1, 1, 1, 10, 1};
    eaf_search_options o = opts(0);
    double sc[8] = {0}, sc2[8] = {0};

    o.weights = title_first;
    is_str(run("\"trade war\"", &o, NULL), "tw bw", "a heavy title weight: the title first");
    o.weights = body_first;
    is_str(run("\"trade war\"", &o, NULL), "bw tw", "a heavy body weight: the body first");

    o = opts(0);
    is_str(run("grain exports", &o, sc), "near far", "words close together rank first");
    ok(sc[0] > sc[1], "with a higher score (%g > %g)", sc[0], sc[1]);
    o.proximity = -1.0;
    o.b = -1.0; /* no length normalisation either: the two texts then score alike */
    (void)run("grain exports", &o, sc2);
    ok(sc2[0] == sc2[1], "without proximity or length normalisation they tie (%g %g)", sc2[0],
       sc2[1]);
    o = opts(0);
    o.k1 = 0.5;
    (void)run("heat", &o, sc);
    o.k1 = 5.0;
    (void)run("heat", &o, sc2);
    ok(sc[0] != sc2[0], "k1 changes the scores (%g, %g)", sc[0], sc2[0]);
}

static void test_title_coverage(void)
{
    eaf_search_options o = opts(0);

    is_str(run("orson welles", &o, NULL), "ow ow2",
           "the article whose title is the query above its section");
}

static void test_feedback(void)
{
    eaf_search_options o = opts(EAF_SEARCH_RANK_ALL | EAF_SEARCH_FEEDBACK);
    eaf_search_options plain = opts(EAF_SEARCH_RANK_ALL);
    eaf_search *s = NULL;
    const char *e;

    o.feedback_docs = 1;
    o.feedback_terms = 3;
    is_str(run("ablation vehicles", &plain, NULL), "f1 f2", "without feedback");
    ok(eaf_search_new(&s, db, "ablation vehicles", &o) == EAF_OK, "with feedback");
    e = eaf_search_explain(s);
    ok(e && strstr(e, "feedback: added") && strstr(e, "glassi"),
       "terms of the best hit are added (glassy)");
    eaf_search_free(s);
    is_str(run("ablation vehicles", &o, NULL), "f1 f2",
           "the best hit stays first; the added terms bring the others along");
    o.flags = EAF_SEARCH_FEEDBACK; /* an all-words search is not expanded */
    ok(eaf_search_new(&s, db, "ablation vehicles", &o) == EAF_OK, "all words, with feedback");
    ok(strstr(eaf_search_explain(s), "feedback") == NULL, "nothing added");
    eaf_search_free(s);
}

/* Document frequencies: counted exactly up to a sample, estimated from
 * the share of the ids the sample covered beyond it. */
#define is_near(got, want, eps, name) \
    ok(fabs((got) - (want)) < (eps), "%s (%g)", name, (double)(got))

static void test_df_estimate(void)
{
    is_near(eaf__rank_df(42, 0, 1, 100000, 90000), 42.0, 1e-9, "a count that ran to the end is exact");
    is_near(eaf__rank_df(5000, 25000, 1, 100000, 100000), 20000.0, 1e-6,
              "stopped a quarter of the way: four times the sample");
    is_near(eaf__rank_df(5000, 10500, 501, 10500, 10000), 5000.0, 1e-6,
              "stopped at the last id: the sample is the count");
    is_near(eaf__rank_df(5000, 5000, 1, 100000, 30000), 30000.0, 1e-6,
              "never more than the table's articles");
    is_near(eaf__rank_df(5000, 2000, 0, 0, 30000), 5000.0, 1e-6,
              "without the range of ids, the sample");
}

/* "key=score ..." of a search for one word on a handle. */
static const char *scored(eaf_db *h, const char *word)
{
    static char out[2048];
    eaf_search *se = NULL;
    size_t n = 0;

    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;

    o.limit = 100;
    out[0] = '\0';
    if (eaf_search_new(&se, h, word, &o) != EAF_OK)
        return "(error)";
    while (eaf_search_next(se) == EAF_ROW && n < sizeof(out) - 64)
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%.9f", n ? " " : "",
                              eaf_search_field(se, EAF_FIELD_KEY), eaf_search_score(se));
    eaf_search_free(se);
    return out;
}

/* The same through a plain connection, whose eaf_rank reads the column
 * sizes with FTS5's xColumnSize (no cache): the reference. */
static const char *scored_plain(const char *path, const char *word)
{
    static char out[2048];
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    const char *msg = NULL;
    size_t n = 0;
    char match[64];

    out[0] = '\0';
    snprintf(match, sizeof(match), "\"%s\"", word);
    if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        eaf__fts_register(raw, 0, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_prepare_v2(raw,
                           "SELECT a.key, -fts.rank FROM fts JOIN article a ON a.id = fts.rowid"
                           " WHERE fts MATCH ?1 AND fts.rank MATCH"
                           " 'eaf_rank(10, 4, 2, 4, 4, 3, 1, 0.5, 2.5, 0.7, 0.15, ''0:1'')'"
                           " ORDER BY fts.rank, fts.rowid",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        sqlite3_close(raw);
        return "(error)";
    }
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && n < sizeof(out) - 64)
        n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s=%.9f", n ? " " : "",
                              (const char *)sqlite3_column_text(st, 0),
                              sqlite3_column_double(st, 1));
    sqlite3_finalize(st);
    sqlite3_close(raw);
    return out;
}

static int put_body(eaf_db *h, const char *key, const char *body)
{
    eaf_article *a = tu_article(key, "Note", NULL, body, NULL, NULL);
    int r = eaf_db_put(NULL, h, a) == EAF_OK;

    eaf_article_free(a);
    return r;
}

/* Searches keep the column sizes of an index in memory (rank.c): the
 * scores must be those of FTS5's own sizes, whatever was written, through
 * which handle, since the sizes were read. */
static void test_size_cache(void)
{
    const char *path = tu_path("sizes.db");
    eaf_db *w = tu_open("sizes.db", NULL), *r = tu_open("sizes.db", NULL);
    char want[2048];
    int i, all = 1;

    for (i = 0; i < 12; i++) {
        char key[8], body[256];
        snprintf(key, sizeof(key), "s%02d", i);
        snprintf(body, sizeof(body), "monsoon %.*s", i * 12,
                 "rain falls on the plains and the hills and the valleys of the south, "
                 "then on the coast, the islands, the rivers and the towns of the north ");
        all &= put_body(w, key, body);
    }
    ok(all, "12 articles of different lengths");
#define SAME(h, what) \
    do { \
        snprintf(want, sizeof(want), "%s", scored_plain(path, "monsoon")); \
        is_str(scored(h, "monsoon"), want, what); \
    } while (0)
    SAME(w, "the scores are FTS5's");
    SAME(r, "on another handle too");
    ok(put_body(w, "s03", "monsoon"), "an article made shorter");
    SAME(w, "after a change on the same handle");
    SAME(r, "and on the other handle");
    ok(put_body(w, "s12", "monsoon winds and more words to make it long enough"),
       "an article added");
    SAME(r, "after an article added");
    is_int(eaf_db_delete(w, "s12"), EAF_OK, "the newest deleted");
    ok(put_body(w, "s13", "monsoon"), "and one added in its place, with its id");
    SAME(r, "after a delete and an add that reused the id");
    {
        /* a column longer than the cache holds (65,535 tokens) */
        size_t words = 70000, i2;
        char *big = malloc(words * 5 + 16);
        ok(big != NULL, "a body of 70,000 words");
        if (big) {
            strcpy(big, "monsoon");
            for (i2 = 0; i2 < words; i2++)
                memcpy(big + 7 + i2 * 5, " rain", 5);
            big[7 + words * 5] = '\0';
            ok(put_body(w, "s15", big), "added");
            free(big);
        }
        SAME(r, "with a column longer than the cache holds");
        SAME(w, "on the handle that wrote it too");
    }
    is_int(eaf_db_begin(w), EAF_OK, "begin");
    ok(put_body(w, "s14", "monsoon monsoon"), "a put inside a transaction");
    {
        eaf_search *se = NULL;
        ok(eaf_search_new(&se, w, "monsoon", NULL) == EAF_OK && eaf_search_next(se) == EAF_ROW,
           "a search inside it");
        eaf_search_free(se);
    }
    is_int(eaf_db_rollback(w), EAF_OK, "rolled back");
    SAME(w, "after the rollback, on the handle that wrote");
    SAME(r, "and on the other");
#undef SAME
    eaf_db_close(r);
    eaf_db_close(w);
}

/* A query of a rare word does without the cache (reading every row's
 * sizes would cost more than asking FTS5 for a few): its scores must be
 * the same before the cache is read, after, and after a change. */
static void test_size_cache_rare(void)
{
    const char *path = tu_path("rare.db");
    eaf_db *h = tu_open("rare.db", NULL);
    char want[2048], first[2048];
    int i, all = 1;

    for (i = 0; i < 100; i++) {
        char key[8], body[256];
        snprintf(key, sizeof(key), "r%02d", i);
        snprintf(body, sizeof(body), "%s plains %.*s", i % 50 == 7 ? "zebu" : "cattle",
                 i % 40 * 3, "and hills and valleys and coasts and islands and rivers "
                 "and towns and roads and ports and fields and farms and woods and lakes");
        all &= put_body(h, key, body);
    }
    ok(all, "100 articles, 2 with a rare word");
    snprintf(want, sizeof(want), "%s", scored_plain(path, "zebu"));
    ok(strstr(want, "r07") && strstr(want, "r57"), "the reference finds both (%s)", want);
    snprintf(first, sizeof(first), "%s", scored(h, "zebu"));
    is_str(first, want, "the rare word first, before the cache is read: FTS5's scores");
    snprintf(want, sizeof(want), "%s", scored_plain(path, "cattle"));
    is_str(scored(h, "cattle"), want, "a common word, which reads the cache");
    is_str(scored(h, "zebu"), first, "the rare word again, with the cache: the same");
    ok(put_body(h, "r07", "zebu"), "an article with it made shorter");
    snprintf(want, sizeof(want), "%s", scored_plain(path, "zebu"));
    is_str(scored(h, "zebu"), want, "after the change: FTS5's scores");
    eaf_db_close(h);
}

/* ---- the best k only (rank.c: rows that cannot be among them) ---------- */

/* "key=score ..." of the hits limit..offset of a search. */
static const char *page(eaf_db *h, const char *query, eaf_search_options o, unsigned limit,
                        unsigned offset, char *out, size_t size)
{
    eaf_search *se = NULL;
    size_t n = 0;

    o.limit = limit;
    o.offset = offset;
    out[0] = '\0';
    if (eaf_search_new(&se, h, query, &o) != EAF_OK)
        return "(error)";
    while (eaf_search_next(se) == EAF_ROW && n + 64 < size)
        n += (size_t)snprintf(out + n, size - n, "%s%s=%.17g", n ? " " : "",
                              eaf_search_field(se, EAF_FIELD_KEY), eaf_search_score(se));
    eaf_search_free(se);
    return out;
}

/* Hits first..first+count of "key=score ..." as one string. */
static const char *slice(const char *all, unsigned first, unsigned count, char *out,
                         size_t size)
{
    const char *p = all, *start;
    unsigned i;

    for (i = 0; i < first && p; i++) {
        p = strchr(p, ' ');
        p = p ? p + 1 : NULL;
    }
    out[0] = '\0';
    if (!p)
        return out;
    start = p;
    for (i = 0; i < count && p; i++) {
        p = strchr(p, ' ');
        p = p && i + 1 < count ? p + 1 : p;
    }
    snprintf(out, size, "%.*s", p ? (int)(p - start) : (int)strlen(start), start);
    return out;
}

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* A search by relevance tells the ranking how many rows it reads, and rows
 * that cannot be among them are given a bound instead of their score: the
 * pages must be those of the full ranking, scores included, for queries of
 * common words, stopwords, countries (alias groups), prefixes, phrases,
 * exclusions, a question, a word no article has (the fallback to any
 * word), with date filters and with RANK_ALL (which orders by more than
 * the rank, and is left whole). */
static void test_top_k(void)
{
    static const char *const words[] = {
        "the", "of", "and", "in", "a", "trade", "policy", "japan", "china", "market",
        "growth", "bank", "rice", "export", "tariff", "reform", "region", "vote", "coast",
        "port", "energy", "coal", "solar", "water", "budget", "debt", "war", "peace"};
    static const char *const queries[] = {
        "the of", "and and", "a of the", "trade policy", "Japan market", "China",
        "American trade", "the market", "rice OR coal", "expo*", "\"trade policy\"",
        "growth -bank", "the the of", "solar energy water", "what is the debt of japan",
        "reform", "trade zebra"};
    static const unsigned pages[][2] = {{10, 0}, {1, 0}, {3, 0}, {5, 7}, {25, 0}, {10, 40}};
    const char *path = tu_path("topk.db");
    eaf_db *h = tu_open("topk.db", NULL);
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT, dated = EAF_SEARCH_OPTIONS_INIT,
                       all_first = EAF_SEARCH_OPTIONS_INIT;
    size_t nw = sizeof(words) / sizeof(words[0]), q, pg;
    unsigned seed = 7;
    char *all = malloc(1 << 20), *got = malloc(1 << 16), *want = malloc(1 << 16);
    int i, built = all && got && want && eaf_db_begin(h) == EAF_OK, same = 0, pruned = 0;
    int found = 0;

    for (i = 0; built && i < 1500; i++) {
        char key[16], title[128], body[2048], date[16];
        size_t n = 0, t = 0;
        int j, tl = 1 + (int)(rnd(&seed) % 6), bl = 20 + (int)(rnd(&seed) % 120);
        eaf_article *a;

        /* the first words (the, of, and...) come up most often */
        for (j = 0; j < tl; j++)
            t += (size_t)snprintf(title + t, sizeof(title) - t, "%s%s", j ? " " : "",
                                  words[rnd(&seed) % (1 + rnd(&seed) % nw)]);
        for (j = 0; j < bl; j++)
            n += (size_t)snprintf(body + n, sizeof(body) - n, "%s%s", j ? " " : "",
                                  i % 97 == 5 && j == 3 ? "American"
                                                        : words[rnd(&seed) % (1 + rnd(&seed) % nw)]);
        snprintf(key, sizeof(key), "k%04d", i);
        snprintf(date, sizeof(date), "20%02d-01-01", 10 + i % 12);
        a = tu_article(key, title, date, body, NULL, i % 3 ? "c:Japan" : "t:Trade");
        built &= eaf_db_put(NULL, h, a) == EAF_OK;
        eaf_article_free(a);
    }
    built &= eaf_db_commit(h) == EAF_OK;
    ok(built, "1,500 articles of common words");
    dated.date_from = "2013";
    dated.date_to = "2018";
    all_first.flags = EAF_SEARCH_RANK_ALL;
    for (q = 0; built && q < sizeof(queries) / sizeof(queries[0]); q++) {
        int f;
        for (f = 0; f < 3; f++) {
            eaf_search_options base = f == 2 ? all_first : f ? dated : o;
            /* more rows than a ranking is told to read: every row scored */
            page(h, queries[q], base, EAF__RANK_TOP_MAX + 1, 0, all, 1 << 20);
            if (!strchr(all, ' ')) /* fewer than 2 hits: nothing to compare */
                diag("%s: %s", queries[q], all);
            else
                found++;
            for (pg = 0; pg < sizeof(pages) / sizeof(pages[0]); pg++) {
                page(h, queries[q], base, pages[pg][0], pages[pg][1], got, 1 << 16);
                slice(all, pages[pg][1], pages[pg][0], want, 1 << 16);
                if (strcmp(got, want) != 0) {
                    diag("%s%s, %u from %u:\n  got  %s\n  want %s", queries[q],
                         f == 2 ? " (RANK_ALL)" : f ? " (dated)" : "", pages[pg][0],
                         pages[pg][1], got, want);
                    break;
                }
                same++;
            }
        }
    }
    is_int(same, (int)(3 * sizeof(queries) / sizeof(queries[0]) *
                       (sizeof(pages) / sizeof(pages[0]))),
           "every page is the full ranking's, scores included");
    is_int(found, (int)(3 * sizeof(queries) / sizeof(queries[0])), "every query has hits");

    {
        /* the rows left out are bounded, not scored: their ranks differ and
         * stay below the k-th best */
        sqlite3 *raw = NULL;
        sqlite3_stmt *st = NULL;
        const char *msg = NULL;
        static const char *const call =
            "eaf_rank(10, 4, 2, 4, 4, 3, 1, 0.5, 2.5, 0.7, 0.15, '%s0:1 1:1')";
        static const char *const sql =
            "SELECT rowid, rank FROM fts WHERE fts MATCH 'the AND of' AND rank MATCH ?1"
            " ORDER BY rank, rowid";
        char spec[160];
        double kth = 0.0, *e = calloc(2048, sizeof(double)), *t = calloc(2048, sizeof(double));
        sqlite3_int64 order[2048];
        int pass, r, below = 1, rows = 0, nrank = 0;

        if (e && t && sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            eaf__fts_register(raw, 0, NULL, NULL, &msg) == SQLITE_OK) {
            for (pass = 0; pass < 2; pass++) {
                double *v = pass ? t : e;
                snprintf(spec, sizeof(spec), call, pass ? "k=10 " : "");
                if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) != SQLITE_OK)
                    break;
                sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
                for (r = 0; sqlite3_step(st) == SQLITE_ROW;) {
                    sqlite3_int64 id = sqlite3_column_int64(st, 0);
                    if (id < 0 || id >= 2048 || r >= 2048)
                        continue; /* cannot happen: 1,500 articles */
                    v[id] = sqlite3_column_double(st, 1);
                    if (!pass)
                        order[rows++] = id; /* the exact ranking's order */
                    r++;
                }
                sqlite3_finalize(st);
                st = NULL;
            }
        }
        sqlite3_close(raw);
        if (rows >= 10)
            kth = e[order[9]];
        for (r = 0; e && t && r < rows; r++) {
            double ev = e[order[r]], tv = t[order[r]];
            nrank += r < 10 && tv == ev;
            if (tv != ev) {
                pruned++;
                /* ranks are negated scores: a bound is a score at least
                 * the row's, below the 10th best */
                below &= tv <= ev && r >= 10 && -tv < -kth;
            }
        }
        free(e);
        free(t);
        ok(rows > 1000, "'the of' matches most rows (%d)", rows);
        is_int(nrank, 10, "the best 10 are scored exactly");
        ok(pruned > rows / 2, "most of the others are only bounded (%d of %d)", pruned, rows);
        ok(below, "each bound is at least the row's score and below the 10th best");
    }
    {
        /* eaf_rank called twice in one statement (the extension lets SQL
         * do that; both calls share one state) keeps each row once among
         * the best k: the best 2 and their scores are the exact ranking's */
        static const char *const match[] = {"the AND of", "trade", "market OR rice",
                                            "policy", "the", "japan AND china", "a"};
        static const char *const call = "eaf_rank(fts, 10, 4, 2, 4, 4, 3, 1, 0.5, 2.5, 0.7,"
                                        " 0.15, '%s0:1 1:1')";
        sqlite3 *raw = NULL;
        const char *msg = NULL;
        size_t m;
        int agree = 0;

        if (sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            eaf__fts_register(raw, 0, NULL, NULL, &msg) == SQLITE_OK) {
            for (m = 0; m < sizeof(match) / sizeof(match[0]); m++) {
                char exact[160], twice[160], sql[1024], ids[2][128];
                int pass;

                snprintf(exact, sizeof(exact), call, "");
                snprintf(twice, sizeof(twice), call, "k=2 ");
                for (pass = 0; pass < 2; pass++) {
                    sqlite3_stmt *st = NULL;
                    size_t n = 0;
                    if (pass)
                        snprintf(sql, sizeof(sql),
                                 "SELECT rowid, %s AS a, %s AS b FROM fts WHERE fts MATCH ?1"
                                 " ORDER BY a, rowid LIMIT 2", twice, twice);
                    else
                        snprintf(sql, sizeof(sql),
                                 "SELECT rowid, %s AS a FROM fts WHERE fts MATCH ?1"
                                 " ORDER BY a, rowid LIMIT 2", exact);
                    ids[pass][0] = '\0';
                    if (sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK) {
                        sqlite3_bind_text(st, 1, match[m], -1, SQLITE_STATIC);
                        while (sqlite3_step(st) == SQLITE_ROW && n < 64)
                            n += (size_t)snprintf(ids[pass] + n, sizeof(ids[pass]) - n,
                                                  "%lld=%.17g ",
                                                  (long long)sqlite3_column_int64(st, 0),
                                                  sqlite3_column_double(st, 1));
                    }
                    sqlite3_finalize(st);
                }
                if (ids[0][0] && strcmp(ids[0], ids[1]) == 0)
                    agree++;
                else
                    diag("%s: %s against %s", match[m], ids[1], ids[0]);
            }
        }
        sqlite3_close(raw);
        is_int(agree, (int)(sizeof(match) / sizeof(match[0])),
               "called twice a row, the best 2 and their scores are still the exact ones");
    }
    free(all);
    free(got);
    free(want);
    eaf_db_close(h);
}

int main(void)
{
    tu_tmpdir();
    test_df_estimate();
    build_index();
    test_aliases();
    test_stopwords();
    test_questions();
    test_knobs();
    test_title_coverage();
    test_feedback();
    test_size_cache();
    test_size_cache_rare();
    test_top_k();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
