/*
 * test_serving.c: what a server asks of the library (1.1): search-box
 * completion (eaf_db_complete), the index's generation for caches
 * (eaf_db_generation) and a time limit per call (eaf_db_set_time_limit).
 */
#include "tap.h"
#include "testutil.h"

#include <string.h>
#include <time.h>

static eaf_db *db;

static void build_index(void)
{
    static const char *const docs[][2] = {
        {"a1", "Japan and China resume trade talks"},
        {"a2", "Japanese elections and the economy"},
        {"a3", "Japan's economy after the election"},
        {"a4", "China trade deficit widens"},
        {"a5", "Trading partners in Southeast Asia"},
        {"a6", "Elections in India"},
    };
    size_t i;
    int all;

    db = tu_open("serving.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        eaf_article *a = tu_article(docs[i][0], docs[i][1], "2020-01-01",
                                    "Some text about the region.", NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* ---- completion ------------------------------------------------------------ */

typedef struct got {
    char text[16][128];
    char key[16][32];
    int kind[16];
    long long count[16];
    int n, stop_after;
} got;

static int collect(const char *text, eaf_completion_kind kind, int64_t count, const char *key,
                   void *payload)
{
    got *g = payload;

    if (g->n < 16) {
        snprintf(g->text[g->n], sizeof g->text[0], "%s", text);
        snprintf(g->key[g->n], sizeof g->key[0], "%s", key ? key : "(null)");
        g->kind[g->n] = (int)kind;
        g->count[g->n] = (long long)count;
    }
    g->n++;
    return g->stop_after && g->n >= g->stop_after;
}

static eaf_status complete(got *g, const char *typed, unsigned max)
{
    int stop = g->stop_after;

    memset(g, 0, sizeof *g);
    g->stop_after = stop;
    return eaf_db_complete(db, typed, max, collect, g);
}

static int has_title(const got *g, const char *key)
{
    int i;

    for (i = 0; i < g->n && i < 16; i++)
        if (g->kind[i] == EAF_COMPLETE_TITLE && strcmp(g->key[i], key) == 0)
            return 1;
    return 0;
}

static void test_complete(void)
{
    got g;

    memset(&g, 0, sizeof g);
    is_int(complete(&g, "jap", 4), EAF_OK, "complete 'jap'");
    is_int(g.n, 4, "'jap': 2 words and 2 titles (of 3)");
    is_int(g.kind[0], EAF_COMPLETE_WORDS, "words first");
    is_str(g.text[0], "Japan", "the most frequent word first, without the possessive");
    is_int(g.count[0], 2, "'Japan' is in 2 of the titles");
    is_str(g.key[0], "(null)", "a word has no key");
    is_str(g.text[1], "Japanese", "then 'Japanese'");
    is_int(g.count[1], 1, "'Japanese' is in 1 title");
    is_int(g.kind[2], EAF_COMPLETE_TITLE, "then titles");
    ok(g.key[2][0] == 'a', "a title has its key (%s)", g.key[2]);

    is_int(complete(&g, "jap", 10), EAF_OK, "complete 'jap', 10 at most");
    is_int(g.n, 5, "2 words, 3 titles");
    ok(has_title(&g, "a1") && has_title(&g, "a2") && has_title(&g, "a3"),
       "the three titles with a word starting 'jap'");

    is_int(complete(&g, "china tr", 10), EAF_OK, "complete 'china tr'");
    is_str(g.text[0], "china trade", "the typed words kept, the last completed");
    is_int(g.count[0], 2, "'trade' in both titles with 'china'");
    ok(!has_title(&g, "a5"), "'Trading partners' has no 'china'");
    ok(has_title(&g, "a1") && has_title(&g, "a4"), "both china-and-tr* titles");

    is_int(complete(&g, "Japan ", 10), EAF_OK, "complete 'Japan ' (a space after)");
    ok(g.n >= 1 && g.kind[0] == EAF_COMPLETE_TITLE, "a whole word: titles only");
    ok(has_title(&g, "a1") && has_title(&g, "a3") && !has_title(&g, "a2"),
       "titles with the word 'japan' (not 'Japanese')");

    is_int(complete(&g, "elect", 10), EAF_OK, "complete 'elect'");
    ok(g.n >= 2 && strcmp(g.text[0], "elections") == 0 && g.count[0] == 2,
       "'elections' (2 titles) before 'election' (1): %s %lld", g.text[0], g.count[0]);

    is_int(complete(&g, "", 10), EAF_OK, "nothing typed");
    is_int(g.n, 0, "nothing typed: no completion");
    is_int(complete(&g, "  \t ", 10), EAF_OK, "only spaces");
    is_int(g.n, 0, "only spaces: no completion");
    is_int(complete(&g, "zzqx", 10), EAF_OK, "no title matches");
    is_int(g.n, 0, "no title matches: no completion");

    /* hostile text is words or nothing, never a query error */
    is_int(complete(&g, "title:jap*)( \"OR NOT", 10), EAF_OK, "operators and quotes typed");
    is_int(complete(&g, "jap\xff\xfe", 10), EAF_OK, "broken UTF-8 typed");
    is_int(complete(&g, "\"jap", 10), EAF_OK, "a quote before the prefix");
    ok(g.n >= 1, "the quote is not a word: 'jap' still completes");

    g.stop_after = 1;
    is_int(complete(&g, "jap", 10), EAF_ABORT, "a callback that stops: EAF_ABORT");
    is_int(g.n, 1, "no call after the stop");
    g.stop_after = 0;
    is_int(eaf_db_complete(db, "jap", 10, collect, &g), EAF_OK, "the handle works after");
}

/* ---- generation ------------------------------------------------------------ */

static uint64_t gen_of(eaf_db *h)
{
    uint64_t g = 12345;

    if (eaf_db_generation(&g, h) != EAF_OK)
        ok(0, "eaf_db_generation: %s", eaf_db_errmsg(h));
    return g;
}

static void test_generation(void)
{
    eaf_db *fresh = tu_open("gen.db", NULL), *other;
    eaf_open_options ro = EAF_OPEN_OPTIONS_INIT;
    eaf_article *a;
    uint64_t g0, g1, g2;
    char *err = NULL;

    is_int((long long)gen_of(fresh), 0, "a new index: generation 0");
    a = tu_article("g1", "Generation one", "2021", "Text.", NULL, NULL);
    is_int(eaf_db_put(NULL, fresh, a), EAF_OK, "put an article");
    g1 = gen_of(fresh);
    ok(g1 > 0, "a put raises the generation (%llu)", (unsigned long long)g1);

    ro.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&other, tu_path("gen.db"), &ro, &err) != EAF_OK) {
        ok(0, "read-only open: %s", err ? err : "?");
        eaf_free(err);
        eaf_db_close(fresh);
        eaf_article_free(a);
        return;
    }
    is_int((long long)gen_of(other), (long long)g1, "another handle reads the same");

    is_int(eaf_db_put(NULL, fresh, a), EAF_OK, "the same article again");
    is_int((long long)gen_of(fresh), (long long)g1, "an unchanged article: the same generation");
    eaf_article_free(a);

    g0 = gen_of(fresh);
    ok(eaf_db_begin(fresh) == EAF_OK, "begin");
    a = tu_article("g2", "Two", "2021", "Text two.", NULL, NULL);
    ok(eaf_db_put(NULL, fresh, a) == EAF_OK, "put in a transaction");
    eaf_article_free(a);
    a = tu_article("g3", "Three", "2021", "Text three.", NULL, NULL);
    ok(eaf_db_put(NULL, fresh, a) == EAF_OK, "another put in it");
    eaf_article_free(a);
    is_int((long long)gen_of(other), (long long)g0, "not committed: others see the old generation");
    ok(eaf_db_commit(fresh) == EAF_OK, "commit");
    g2 = gen_of(other);
    is_int((long long)g2, (long long)g0 + 1, "one transaction, one step");

    ok(eaf_db_begin(fresh) == EAF_OK, "begin");
    ok(eaf_db_delete(fresh, "g2") == EAF_OK, "delete in a transaction");
    ok(eaf_db_rollback(fresh) == EAF_OK, "rolled back");
    is_int((long long)gen_of(fresh), (long long)g2, "a rollback: the same generation");

    is_int(eaf_db_delete(fresh, "g2"), EAF_OK, "delete");
    ok(gen_of(other) > g2, "a delete raises it");
    eaf_db_close(other);
    eaf_db_close(fresh);
}

/* ---- time limit ------------------------------------------------------------ */

static int slow(const eaf_article *a, void *payload)
{
    struct timespec ms = {0, 2000000};

    (void)a;
    ++*(int *)payload;
    nanosleep(&ms, NULL);
    return 0;
}

static void test_time_limit(void)
{
    eaf_db *h = tu_open("slow.db", NULL);
    int i, seen = 0, all = eaf_db_begin(h) == EAF_OK;
    int64_t n = 0;
    eaf_status st;

    for (i = 0; i < 300; i++) {
        char key[32];
        eaf_article *a;

        snprintf(key, sizeof key, "k%d", i);
        a = tu_article(key, "A title", "2020", "Body text.", "Ann Lee", "t:Topic");
        all &= eaf_db_put(NULL, h, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(h) == EAF_OK;
    ok(all, "300 articles");

    is_int(eaf_db_set_time_limit(h, 50), EAF_OK, "a limit of 50 ms");
    st = eaf_db_articles(h, slow, &seen);
    is_int(st, EAF_TIMEOUT, "a walk of 600 ms stops with EAF_TIMEOUT");
    ok(seen > 5 && seen < 300, "stopped part of the way (%d articles)", seen);
    ok(strstr(eaf_db_errmsg(h), "time limit") != NULL, "the message says so: %s",
       eaf_db_errmsg(h));
    is_str(eaf_status_str(EAF_TIMEOUT), "EAF_TIMEOUT: over the time limit", "its name");
    is_int(eaf_db_count(&n, h), EAF_OK, "the next call has its own 50 ms");
    is_int(n, 300, "and answers");

    is_int(eaf_db_set_time_limit(h, 0), EAF_OK, "no limit");
    seen = 0;
    is_int(eaf_db_articles(h, slow, &seen), EAF_OK, "the walk runs to the end");
    is_int(seen, 300, "all 300 articles");
    is_int(eaf_db_set_time_limit(NULL, 10), EAF_MISUSE, "a NULL handle");
    eaf_db_close(h);
}

int main(void)
{
    tu_tmpdir();
    build_index();
    test_complete();
    test_generation();
    test_time_limit();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
