/*
 * test_feedback.c: relevance feedback (EAF_SEARCH_FEEDBACK) through the
 * public API, on a small index written for this test.  A question (four
 * words or more) is run once; the distinctive words of its best hits
 * ("photovoltaic", "inverter") are added to its words, weighed low, and it
 * is run again: an article that has only those words is then found, below
 * the articles that have the query's own, and the first hit stays the
 * same.  Off by default; a search whose words must all match is never
 * widened.
 */
#include "tap.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static eaf_db *db;

#define QUESTION "solar panel roof cost"

static void build_index(void)
{
    struct {
        const char *key, *title, *body;
    } docs[] = {
        {"s1", "Solar panel roof cost",
         "The solar panel roof cost depends on the photovoltaic inverter; a photovoltaic"
         " inverter is the dearest part."},
        {"s2", "Panels at home", "Solar panels on a roof need a photovoltaic inverter."},
        {"s3", "Repairs", "The cost of a new roof rose again."},
        {"pv", "Grid converters", "A photovoltaic inverter feeds the grid."},
        {"f1", "Garden notes", "Tomatoes and beans in the garden."},
        {"f2", "Birds", "Swallows returned in April."},
        {"f3", "Recipes", "Bread with olives and rosemary."},
        {"f4", "Rivers", "The river flooded the meadows."},
        {"f5", "Chess", "An opening with the queen's pawn."},
        {"f6", "Music", "A quartet played Haydn."},
    };
    size_t i;
    int all;

    db = tu_open("feedback.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        eaf_article *a = tu_article(docs[i].key, docs[i].title, "2021-01-01", docs[i].body,
                                    NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* Runs a query with options (NULL: none); returns the keys of the hits,
 * space-separated, in order.  *explain (if not NULL) receives whether the
 * explanation names feedback. */
static const char *run(const char *query, const eaf_search_options *o, int *explain)
{
    static char buf[1024];
    eaf_search *s = NULL;
    eaf_status st;

    if (eaf_search_new(&s, db, query, o) != EAF_OK) {
        ok(0, "search [%s]: %s", query, eaf_db_errmsg(db));
        return "(failed)";
    }
    if (explain) {
        const char *e = eaf_search_explain(s);
        *explain = e && strstr(e, "feedback: added") != NULL;
    }
    st = tu_keys(s, buf, sizeof(buf));
    if (st != EAF_DONE)
        ok(0, "search [%s] ended with %s", query, eaf_status_str(st));
    eaf_search_free(s);
    return buf;
}

static void test_feedback(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    char plain[1024], with[1024], dflt[1024];
    int said = 0;

    snprintf(plain, sizeof(plain), "%s", run(QUESTION, &o, &said));
    ok(!said, "off by default: explain names no feedback");
    snprintf(dflt, sizeof(dflt), "%s", run(QUESTION, NULL, NULL));
    is_str(dflt, plain, "off by default: the same hits as without options");
    ok(!tu_has_key(plain, "pv"), "without feedback: not the article of other words (%s)",
       plain);

    o.flags = EAF_SEARCH_FEEDBACK;
    snprintf(with, sizeof(with), "%s", run(QUESTION, &o, &said));
    ok(said, "with feedback: explain names the added terms");
    ok(strcmp(with, plain) != 0, "feedback changes the hits: [%s] vs [%s]", with, plain);
    ok(tu_has_key(with, "pv"), "with feedback: the article of the best hits' words");
    ok(strncmp(with, "s1 ", 3) == 0 && strncmp(plain, "s1 ", 3) == 0,
       "the same first hit with and without");
    ok(tu_has_key(with, "s2") && tu_has_key(with, "s3"), "the hits of before are still there");
    ok(strstr(with, "pv") > strstr(with, "s2"), "below the hits of the query's own words");
    ok(!tu_has_key(with, "f1"), "nothing unrelated is added");

    /* only a search that matches any word is widened */
    o.flags = EAF_SEARCH_FEEDBACK | EAF_SEARCH_ALL_WORDS;
    is_str(run(QUESTION, &o, &said), "s1", "all the words: only the article with all");
    ok(!said, "all the words: no feedback");
    /* fewer terms, fewer docs: still runs */
    o.flags = EAF_SEARCH_FEEDBACK;
    o.feedback_docs = 1;
    o.feedback_terms = 1;
    ok(tu_has_key(run(QUESTION, &o, &said), "s1") && said, "one doc, one term");
}

int main(void)
{
    tu_tmpdir();
    build_index();
    test_feedback();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
