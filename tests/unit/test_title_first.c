/*
 * test_title_first.c: a search for a common word ranks the rows with the
 * word in their titles first (search.c, rank.c's report), and its page is
 * exactly the page of the whole query.
 *
 * The oracle is the same search with a page too long for the ranking to
 * be told how many rows are read (more than EAF__RANK_TOP_MAX): every row
 * is then scored in full, with no bound and no first run.  Its hits from
 * the offset on must be the page's, key for key and score for score (the
 * same double).  The statements the search runs are traced, to show that
 * the first run on the titles happened, and that it stood for one search
 * and gave way to the whole query for another.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"
#include "shard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NDOCS 12000
#define PAGE_ALL (EAF__RANK_TOP_MAX + 1)

static eaf_db *db;

/* A small generator of its own, so that the index is the same on every
 * machine. */
static unsigned long seed = 12345;

static unsigned next(unsigned n)
{
    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((seed >> 33) % n);
}

static const char *const filler[] = {
    "river", "market", "council", "village", "harbour", "engine", "garden", "letter",
    "school", "bridge", "winter", "railway", "festival", "library", "theatre", "museum",
    "island", "castle", "farmer", "painter", "mountain", "treaty", "province", "coast",
};
#define NFILLER (sizeof filler / sizeof filler[0])

/* Puts the articles into d (a file, or a shard of a set, which takes
 * only its own): 1 when every put and the commit succeeded. */
static int fill(eaf_db *d)
{
    char key[32], title[128], body[1024];
    int all, i;

    seed = 12345;
    all = eaf_db_begin(d) == EAF_OK;
    for (i = 0; i < NDOCS && all; i++) {
        eaf_article *a;
        size_t n = 0;
        unsigned t = next(100), w;

        snprintf(key, sizeof key, "doc-%d", i);
        /* titles: some hold "history" (a few in order after "of"), some
         * "Japanese", three "early"; the rest two filler words */
        if (t < 10)
            snprintf(title, sizeof title, "History of the %s", filler[next(NFILLER)]);
        else if (t < 16)
            snprintf(title, sizeof title, "The %s and its history", filler[next(NFILLER)]);
        else if (t < 24)
            snprintf(title, sizeof title, "Japanese %s %s", filler[next(NFILLER)],
                     filler[next(NFILLER)]);
        else if (i % 1700 == 5)
            snprintf(title, sizeof title, "Early %s", filler[next(NFILLER)]);
        else
            snprintf(title, sizeof title, "%s %s", filler[next(NFILLER)],
                     filler[next(NFILLER)]);
        /* bodies: most say "history", "early" and "Japan" (or
         * "Japanese"), some of them more than once; one in twenty
         * "zebra" */
        for (w = 0; w < 24; w++) {
            unsigned r = next(40);
            const char *word = r < 3   ? "history"
                               : r < 6 ? "early"
                               : r < 8 ? "Japan"
                               : r < 9 ? "Japanese"
                                       : filler[next(NFILLER)];
            n += (size_t)snprintf(body + n, sizeof body - n, "%s%s", w ? " " : "", word);
        }
        if (i % 20 == 7)
            snprintf(body + n, sizeof body - n, " zebra");
        a = tu_article(key, title, i % 2 ? "2020-03-01" : "2021-07-15", body, NULL, NULL);
        all &= eaf_db_put(NULL, d, a) == EAF_OK;
        eaf_article_free(a);
    }
    return all && eaf_db_commit(d) == EAF_OK;
}

static void build_index(void)
{
    db = tu_open("title_first.db", NULL);
    ok(fill(db), "an index of %d articles built", NDOCS);
}

/* The main statement's runs, traced: how many, and how many of them on
 * the rows with a scored phrase in their titles. */
static int runs, title_runs;

static int trace(unsigned what, void *ctx, void *p, void *x)
{
    char *sql;

    (void)what;
    (void)ctx;
    (void)x;
    sql = sqlite3_expanded_sql(p);
    if (sql && strstr(sql, "fts.rank MATCH 'eaf_rank(") && strstr(sql, " k=")) {
        runs++;
        title_runs += strstr(sql, "AND {title} : (") != NULL;
    }
    sqlite3_free(sql);
    return 0;
}

typedef struct hit {
    char key[32];
    double score;
} hit;

/* The hits of a search of d, in order: how many, into h (room for cap). */
static size_t search_in(eaf_db *d, const char *q, unsigned limit, unsigned offset, hit *h,
                        size_t cap)
{
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    size_t n = 0;
    eaf_status st;

    so.limit = limit;
    so.offset = offset;
    if (eaf_search_new(&s, d, q, &so) != EAF_OK) {
        ok(0, "search '%s' starts: %s", q, eaf_db_errmsg(d));
        return 0;
    }
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        if (n < cap) {
            snprintf(h[n].key, sizeof h[n].key, "%s", eaf_search_field(s, EAF_FIELD_KEY));
            h[n].score = eaf_search_score(s);
        }
        n++;
    }
    if (st != EAF_DONE)
        ok(0, "search '%s' ends with %d: %s", q, (int)st, eaf_db_errmsg(d));
    eaf_search_free(s);
    return n < cap ? n : cap;
}

static size_t search(const char *q, unsigned limit, unsigned offset, hit *h, size_t cap)
{
    return search_in(db, q, limit, offset, h, cap);
}

/* The same articles in a set of 2 shards, each shard written on its own
 * (so their ids are not the one file's, nor the estimates of common
 * words' counts that read them): each search's page there is the set's
 * whole ranking's, each shard having ranked its title rows first with
 * the set's statistics. */
static void shard_set(void)
{
    static const char *const queries[] = {"history", "History of", "Japan", "early",
                                          "history -zebra"};
    static hit page[16], all[NDOCS];
    char dir[512], *msg = NULL;
    eaf_db *w[2] = {NULL, NULL}, *set = NULL;
    size_t i, np, na, j;
    int built, same;
    unsigned k;

    snprintf(dir, sizeof dir, "%s", tu_path("set2"));
    built = eaf_shards_create(dir, 2, NULL, &msg) == EAF_OK;
    for (k = 0; built && k < 2; k++)
        built = eaf_db_open_shard(&w[k], dir, k, NULL, &msg) == EAF_OK;
    for (k = 0; built && k < 2; k++)
        built = fill(w[k]);
    for (k = 0; k < 2; k++)
        eaf_db_close(w[k]);
    built = built && eaf_db_open(&set, dir, NULL, &msg) == EAF_OK;
    ok(built, "the same articles in a set of 2 shards (%s)", msg ? msg : "ok");
    eaf_free(msg);
    for (k = 0; built && k < set->set->n; k++)
        sqlite3_trace_v2(set->set->db[k]->sql, SQLITE_TRACE_STMT, trace, NULL);
    for (i = 0; built && i < sizeof queries / sizeof queries[0]; i++) {
        runs = title_runs = 0;
        np = search_in(set, queries[i], 10, 0, page, 16);
        if (i == 0)
            ok(title_runs == 2, "'%s': each shard ran on its titles first (%d runs)",
               queries[i], title_runs);
        na = search_in(set, queries[i], PAGE_ALL, 0, all, NDOCS);
        same = np == 10 && na >= 10;
        for (j = 0; same && j < np; j++)
            same = strcmp(page[j].key, all[j].key) == 0 && page[j].score == all[j].score;
        ok(same, "'%s' on the set: the set's whole ranking's", queries[i]);
    }
    eaf_db_close(set);
}

/* The page of q against the whole ranking's hits from offset on; how the
 * page ran into *nruns and *ntitle. */
static void same_page(const char *q, unsigned limit, unsigned offset, int *nruns, int *ntitle)
{
    static hit page[64], all[NDOCS];
    size_t np, na, i;
    int same;

    runs = title_runs = 0;
    np = search(q, limit, offset, page, 64);
    *nruns = runs;
    *ntitle = title_runs;
    na = search(q, PAGE_ALL, 0, all, NDOCS);
    same = np == (na > offset ? (na - offset < limit ? na - offset : limit) : 0) && np > 0;
    for (i = 0; same && i < np; i++)
        same = strcmp(page[i].key, all[offset + i].key) == 0 &&
               page[i].score == all[offset + i].score;
    ok(same, "'%s', %u hits from %u: the whole ranking's (%zu hits, of %zu)", q, limit,
       offset, np, na);
}

int main(void)
{
    int nruns, ntitle;

    build_index();
    sqlite3_trace_v2(db->sql, SQLITE_TRACE_STMT, trace, NULL);

    /* one word: the titles with it fill the page and beat every other row */
    same_page("history", 10, 0, &nruns, &ntitle);
    ok(ntitle == 1 && nruns == 2,
       "'history' ran on the titles first, and that stood (runs %d, on titles %d)", nruns,
       ntitle);
    same_page("History of", 10, 0, &nruns, &ntitle);
    ok(ntitle == 1 && nruns == 2, "'History of' too (runs %d, on titles %d)", nruns, ntitle);
    same_page("history", 10, 30, &nruns, &ntitle);
    ok(ntitle == 1, "a later page too (runs %d, on titles %d)", nruns, ntitle);
    same_page("history", 1, 0, &nruns, &ntitle);
    same_page("history -zebra", 10, 0, &nruns, &ntitle);
    ok(ntitle == 1, "with an exclusion too (runs %d, on titles %d)", nruns, ntitle);
    same_page("Japan", 10, 0, &nruns, &ntitle);
    ok(ntitle == 1, "a place and its other forms too (runs %d, on titles %d)", nruns, ntitle);

    /* three titles say "early": the first run cannot fill the page, and
     * the whole query runs after it */
    same_page("early", 10, 0, &nruns, &ntitle);
    ok(ntitle == 1 && nruns == 3,
       "'early' ran on the titles first, then as a whole (runs %d, on titles %d)", nruns,
       ntitle);
    same_page("early", 2, 0, &nruns, &ntitle);

    /* two words: not asked for (their bound is loose), the same page */
    same_page("history early", 10, 0, &nruns, &ntitle);
    ok(ntitle == 0, "two words run as a whole (runs %d, on titles %d)", nruns, ntitle);

    sqlite3_trace_v2(db->sql, 0, NULL, NULL);
    shard_set();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
