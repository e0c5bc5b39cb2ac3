/*
 * test_snapshot.c: a search reads one state of the index from its start
 * to its free, whatever another handle commits meanwhile; a write on its
 * own handle ends that.  The deterministic half of tests/concurrency/:
 * here the other writer commits at chosen points, between the calls of a
 * search.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

static void put(eaf_db *db, const char *key, const char *body)
{
    eaf_article *a = tu_article(key, "A report", "2020-05-05", body, NULL, NULL);

    if (eaf_db_put(NULL, db, a) != EAF_OK) {
        printf("# put %s: %s\n", key, eaf_db_errmsg(db));
        exit(99);
    }
    eaf_article_free(a);
}

int main(void)
{
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_open_options ro = EAF_OPEN_OPTIONS_INIT;
    eaf_db *w, *r = NULL;
    eaf_search *s = NULL, *s2 = NULL;
    eaf_article *a = NULL;
    eaf_facets *f = NULL;
    int64_t total = -1, count, n = -1;
    int rows = 0, i;
    char key[32];

    tu_tmpdir();
    w = tu_open("snap.db", NULL);
    for (i = 0; i < 5; i++) {
        snprintf(key, sizeof(key), "k/%d", i);
        put(w, key, "The harbour was dredged.");
    }
    ro.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&r, tu_path("snap.db"), &ro, NULL) != EAF_OK)
        return 99;

    so.limit = 100;
    is_int(eaf_search_new(&s, r, "harbour", &so), EAF_OK, "a search on the reader");
    is_int(eaf_search_next(s), EAF_ROW, "its first hit");
    /* the writer commits: one more article, one of the hits gone */
    put(w, "k/new", "Another harbour.");
    put(w, "k/new2", "A third harbour.");
    is_int(eaf_db_delete(w, "k/4"), EAF_OK, "the writer deletes a hit");
    rows = 1;
    while (eaf_search_next(s) == EAF_ROW)
        rows++;
    is_int(rows, 5, "the search steps through the hits of its start (5, not 5 + 2 - 1)");
    is_int(eaf_search_total(&total, s), EAF_OK, "its total, counted after the commits");
    is_int(total, 5, "agrees with its hits");
    is_int(eaf_search_facets(&f, s, 10), EAF_OK, "its facets");
    ok(f && eaf_facets_value(f, EAF_FACET_YEAR, 0, &count) && count == 5,
       "count the hits of its start too");
    eaf_facets_free(f);
    is_int(eaf_db_get(&a, r, "k/4"), EAF_OK,
           "an article deleted meanwhile still reads on the search's handle");
    eaf_article_free(a);
    a = NULL;
    is_int(eaf_db_get(&a, r, "k/new"), EAF_NOTFOUND, "one added meanwhile does not, yet");
    /* a second search on the handle shares the state */
    is_int(eaf_search_new(&s2, r, "harbour", &so), EAF_OK, "a second search meanwhile");
    is_int(eaf_search_total(&total, s2), EAF_OK, "its total");
    is_int(total, 5, "the same state");
    eaf_search_free(s2);
    eaf_search_free(s);
    ok(sqlite3_get_autocommit(r->sql) != 0, "freeing the last search ends its read");
    is_int(eaf_db_count(&n, r), EAF_OK, "then the handle reads");
    is_int(n, 6, "the state after the commits (5 + 2 - 1)");
    is_int(eaf_db_get(&a, r, "k/new"), EAF_OK, "with the new article");
    eaf_article_free(a);
    a = NULL;

    /* a write on the search's own handle ends its state: the search goes
     * on, and sees the handle's own write */
    is_int(eaf_search_new(&s, w, "harbour", &so), EAF_OK, "a search on the writer's handle");
    is_int(eaf_search_next(s), EAF_ROW, "its first hit");
    put(w, "k/own", "A harbour of its own.");
    is_int(eaf_db_get(&a, w, "k/own"), EAF_OK, "the handle reads its own write");
    eaf_article_free(a);
    rows = 1;
    while (eaf_search_next(s) == EAF_ROW)
        rows++;
    ok(rows >= 5, "the search still steps through its hits (%d)", rows);
    eaf_search_free(s);
    is_int(eaf_db_count(&n, r), EAF_OK, "the other handle");
    is_int(n, 7, "sees the write committed");
    ok(sqlite3_get_autocommit(w->sql) != 0, "and no transaction is left open on the writer");

    /* inside the caller's transaction, no read transaction of its own */
    is_int(eaf_db_begin(w), EAF_OK, "a transaction");
    is_int(eaf_search_new(&s, w, "harbour", &so), EAF_OK, "a search inside it");
    eaf_search_free(s);
    is_int(eaf_db_commit(w), EAF_OK, "commits after the search");

    eaf_db_close(r);
    eaf_db_close(w);
    tu_cleanup();
    return done_testing();
}
