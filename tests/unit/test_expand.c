/*
 * test_expand.c: the rewrites of a query's words before it runs, through
 * the public API, on a small index written for this test: a prefix
 * (pre*) finds every word it starts, one that starts too many is capped
 * to the words in the most articles (and --explain says so), and a
 * country also finds its adjective (Japan: Japanese), ranked below the
 * name itself, and the other way round, unless EAF_SEARCH_NO_ALIASES.
 */
#include "tap.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static eaf_db *db;

/* More words that start with "zeta" than a prefix query reaches. */
#define ZETA_WORDS 130

static void build_index(void)
{
    struct {
        const char *key, *title, *body, *tags;
    } docs[] = {
        {"pre1", "Prefixes", "A prefect of the province.", NULL},
        {"pre2", "Prefaces", "The preface was long.", NULL},
        {"pre3", "Presses", "The presses were running.", NULL},
        {"pro1", "Proofs", "The proofs were sent.", NULL},
        {"jp", "A visit to Japan", "The minister flew to Japan for talks.", NULL},
        {"jpa", "Cuisine", "Japanese cooking is seasonal.", NULL},
        {"kr", "Korea notes", "Seoul in spring.", NULL},
    };
    size_t i;
    int all;

    db = tu_open("expand.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        eaf_article *a = tu_article(docs[i].key, docs[i].title, "2020-01-01", docs[i].body,
                                    NULL, docs[i].tags);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    /* zeta000 .. zeta129, zeta000 in the most articles */
    for (i = 0; i < ZETA_WORDS; i++) {
        char key[32], body[64];
        eaf_article *a;

        snprintf(key, sizeof(key), "z%03zu", i);
        snprintf(body, sizeof(body), "zeta%03zu%s", i, i < 3 ? " zeta000" : "");
        a = tu_article(key, "Greek letters", "2020-01-01", body, NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* Runs a query; returns the keys of the hits, space-separated, in order,
 * and in *total (if not NULL) their number. */
static const char *run(const char *query, unsigned flags, long long *total)
{
    static char buf[4096];
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    eaf_status st;
    int64_t t = -1;

    o.flags = flags;
    o.limit = 200;
    if (eaf_search_new(&s, db, query, &o) != EAF_OK) {
        ok(0, "search [%s]: %s", query, eaf_db_errmsg(db));
        return "(failed)";
    }
    st = tu_keys(s, buf, sizeof(buf));
    if (st != EAF_DONE)
        ok(0, "search [%s] ended with %s", query, eaf_status_str(st));
    if (total) {
        if (eaf_search_total(&t, s) != EAF_OK)
            ok(0, "total of [%s]", query);
        *total = (long long)t;
    }
    eaf_search_free(s);
    return buf;
}

/* Does the explanation of a query hold a text? */
static int explains(const char *query, unsigned flags, const char *text)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    const char *e;
    int found;

    o.flags = flags;
    if (eaf_search_new(&s, db, query, &o) != EAF_OK)
        return 0;
    e = eaf_search_explain(s);
    found = e && strstr(e, text) != NULL;
    if (!found)
        diag("explain of [%s]: %s", query, e ? e : "NULL");
    eaf_search_free(s);
    return found;
}

static void test_prefix(void)
{
    long long total = 0;
    const char *keys = run("pre*", 0, &total);

    ok(tu_has_key(keys, "pre1") && tu_has_key(keys, "pre2") && tu_has_key(keys, "pre3"),
       "pre* finds prefect, preface and presses: %s", keys);
    ok(!tu_has_key(keys, "pro1"), "pre* does not find proofs");
    is_int(total, 3, "pre*: three hits");
    ok(!explains("pre*", 0, "prefix:"), "a prefix under the cap is left as it is");
    is_str(run("prefa*", 0, NULL), "pre2", "prefa*: the preface only");

    /* more words than the cap: the words in the most articles */
    keys = run("zeta*", 0, &total);
    ok(total > 0 && total < ZETA_WORDS, "zeta* is capped: %lld of %d articles", total,
       ZETA_WORDS);
    ok(tu_has_key(keys, "z000") && tu_has_key(keys, "z001") && tu_has_key(keys, "z002"),
       "the capped prefix keeps the word in the most articles");
    ok(explains("zeta*", 0, "prefix: zeta* starts 130 terms"), "explain says it was capped");
    is_str(run("zeta129", 0, NULL), "z129", "each of the words is indexed");
}

static void test_places(void)
{
    const char *keys = run("Japan", 0, NULL);

    is_str(keys, "jp jpa", "Japan finds Japanese too, below the name itself");
    is_str(run("Japan", EAF_SEARCH_NO_ALIASES, NULL), "jp",
           "EAF_SEARCH_NO_ALIASES: the name only");
    is_str(run("japan", 0, NULL), "jp jpa", "whatever the case typed");
    keys = run("Japanese", 0, NULL);
    ok(tu_has_key(keys, "jpa") && tu_has_key(keys, "jp"), "the adjective finds the name too: %s",
       keys);
    is_str(run("Korea", 0, NULL), "kr", "a place without another form written");
    ok(!explains("proofs", 0, "Japanese"), "no alias for a word that is no place");
}

int main(void)
{
    tu_tmpdir();
    build_index();
    test_prefix();
    test_places();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
