/*
 * test_feedback.c: relevance feedback through the public API, on a small
 * index written for this test.  A question (four words or more) is run
 * once; the words of its best hits ("photovoltaic", "inverter") are added
 * to its words, each weighed by its share of those hits (together they
 * weigh 0.4 of the query, its own words 0.6: RM3), and it is run again: an
 * article that has only those words is then found, below the articles
 * that have the query's own, and the first hit stays the same.  On by
 * default for a question of EAF_FEEDBACK_WORDS words of substance, off for
 * a shorter one unless EAF_SEARCH_FEEDBACK asks for it, never with
 * EAF_SEARCH_NO_FEEDBACK; a search whose words must all match is never
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

/* The sum of the weights of the feedback terms in an explanation's tree
 * ("feedback term "x" weight 0.125"), and their number in *n. */
static double feedback_weights(const char *query, const eaf_search_options *o, int *n)
{
    eaf_search *s = NULL;
    const char *e, *p;
    double sum = 0.0;

    *n = 0;
    if (eaf_search_new(&s, db, query, o) != EAF_OK)
        return -1.0;
    e = eaf_search_explain(s);
    for (p = e; p && (p = strstr(p, "feedback term \"")) != NULL; p++) {
        const char *w = strstr(p, "\" weight ");
        double x;
        if (w && sscanf(w + 9, "%lf", &x) == 1) {
            sum += x;
            (*n)++;
        }
    }
    eaf_search_free(s);
    return sum;
}

static void test_feedback(void)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    char plain[1024], with[1024], dflt[1024];
    double sum;
    eaf_search *s = NULL;
    int said = 0, n = 0;

    o.flags = EAF_SEARCH_NO_FEEDBACK;
    snprintf(plain, sizeof(plain), "%s", run(QUESTION, &o, &said));
    ok(!said, "EAF_SEARCH_NO_FEEDBACK: explain names no feedback");
    ok(!tu_has_key(plain, "pv"), "without feedback: not the article of other words (%s)",
       plain);

    snprintf(dflt, sizeof(dflt), "%s", run(QUESTION, NULL, &said));
    ok(said, "a question of four words: feedback by default");
    o.flags = EAF_SEARCH_FEEDBACK;
    snprintf(with, sizeof(with), "%s", run(QUESTION, &o, &said));
    ok(said, "with feedback: explain names the added terms");
    is_str(dflt, with, "the default is the same as asking for it");
    ok(strcmp(with, plain) != 0, "feedback changes the hits: [%s] vs [%s]", with, plain);
    ok(tu_has_key(with, "pv"), "with feedback: the article of the best hits' words");
    ok(strncmp(with, "s1 ", 3) == 0 && strncmp(plain, "s1 ", 3) == 0,
       "the same first hit with and without");
    ok(tu_has_key(with, "s2") && tu_has_key(with, "s3"), "the hits of before are still there");
    ok(strstr(with, "pv") > strstr(with, "s2"), "below the hits of the query's own words");
    ok(!tu_has_key(with, "f1"), "nothing unrelated is added");

    /* RM3: the added terms weigh 0.4 of the query, its four words 0.6, so
     * together as much as 4 * 0.4 / 0.6 of its words (each weight is
     * rounded to a 40th) */
    sum = feedback_weights(QUESTION, NULL, &n);
    ok(n >= 2, "terms added, each with its weight (%d)", n);
    ok(sum > 2.667 - n * 0.0125 - 1e-9 && sum < 2.667 + n * 0.0125 + 1e-9,
       "together they weigh 0.4 of the query: %.3f, against 2.667", sum);

    /* a short query is not expanded by default, but is when asked */
    o.flags = EAF_SEARCH_RANK_ALL;
    run("solar panel roof", &o, &said);
    ok(!said, "three words: no feedback by default");
    o.flags = EAF_SEARCH_RANK_ALL | EAF_SEARCH_FEEDBACK;
    run("solar panel roof", &o, &said);
    ok(said, "three words: feedback when asked");

    /* only a search that matches any word is widened */
    o.flags = EAF_SEARCH_FEEDBACK | EAF_SEARCH_ALL_WORDS;
    is_str(run(QUESTION, &o, &said), "s1", "all the words: only the article with all");
    ok(!said, "all the words: no feedback");
    o.flags = EAF_SEARCH_FEEDBACK | EAF_SEARCH_NO_FEEDBACK;
    is_int(eaf_search_new(&s, db, QUESTION, &o), EAF_MISUSE,
           "EAF_SEARCH_FEEDBACK with EAF_SEARCH_NO_FEEDBACK: a misuse");
    eaf_search_free(s);
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
