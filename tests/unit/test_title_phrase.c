/*
 * test_title_phrase.c: a short search's words as typed, stopwords and
 * order kept, lift the title that holds them (plan_title.c, rank.c):
 * "Book of" finds "Book of Tides" before "Book"; the rows matched and the
 * total never change; questions, operators and fields are left alone.
 */
#include "tap.h"
#include "testutil.h"

#include <string.h>

static eaf_db *db;

static void build_index(void)
{
    /* the titles the phrase must tell apart; every body says "book" and
     * "battle" alike, so only the titles differ */
    static const char *const docs[][2] = {
        {"book", "Book"},
        {"book-tides", "Book of Tides"},
        {"book-review", "Book review: the tides of war"},
        {"battle", "Battle"},
        {"battle-reefs", "Battle of the Reefs"},
        {"reefs-battle", "The reefs: a battle"},
        {"quote", "Book o'f quotes"},
        {"galaxy", "Galaxy formation"},
        {"formation", "Formation of a galaxy"},
        {"galaxy-early", "Early galaxy formation"},
        {"tides-war", "Tides of war"},
        {"war-tides", "War of tides"},
    };
    size_t i;
    int all;

    db = tu_open("title_phrase.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        eaf_article *a = tu_article(docs[i][0], docs[i][1], "2020-01-01",
                                    "A book of notes on a battle, a galaxy and its formation.",
                                    NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* The keys of a search's hits, in order, and its total. */
static void search(const char *q, unsigned flags, char *keys, size_t cap, int64_t *total,
                   char *explain, size_t ecap)
{
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    eaf_status st;

    so.flags = flags;
    so.limit = 20;
    keys[0] = '\0';
    *total = -1;
    if (explain)
        explain[0] = '\0';
    st = eaf_search_new(&s, db, q, &so);
    if (st != EAF_OK) {
        ok(0, "search '%s' starts: %s", q, eaf_db_errmsg(db));
        return;
    }
    if (explain && eaf_search_explain(s))
        snprintf(explain, ecap, "%s", eaf_search_explain(s));
    st = tu_keys(s, keys, cap);
    if (st != EAF_DONE)
        ok(0, "search '%s' ends with %d", q, (int)st);
    if (eaf_search_total(total, s) != EAF_OK)
        *total = -1;
    eaf_search_free(s);
}

static int starts_with(const char *keys, const char *key)
{
    size_t n = strlen(key);
    return strncmp(keys, key, n) == 0 && (keys[n] == ' ' || keys[n] == '\0');
}

int main(void)
{
    char keys[512], expl[4096];
    int64_t total = 0, total_word = 0;

    build_index();

    /* a stopword the search drops from what must match still counts in
     * the title: "Book of" wants "Book of Tides", not "Book" */
    search("Book of", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(starts_with(keys, "book-tides"), "'Book of': 'Book of Tides' first (%s)", keys);
    ok(strstr(expl, ", '0|Book of')") != NULL,
       "the ranking is given the words as typed");
    search("book", 0, keys, sizeof keys, &total_word, NULL, 0);
    is_int(total, total_word, "'Book of' matches the rows 'book' matches: the phrase adds none");
    ok(starts_with(keys, "book"), "'book' alone: the title 'Book' first, as before (%s)", keys);

    search("Battle of the", 0, keys, sizeof keys, &total, NULL, 0);
    ok(starts_with(keys, "battle-reefs"), "'Battle of the': 'Battle of the Reefs' first (%s)",
       keys);

    /* the order typed: the title with the words in that order first */
    search("galaxy formation", 0, keys, sizeof keys, &total, NULL, 0);
    ok(starts_with(keys, "galaxy"), "'galaxy formation': the title that is the phrase (%s)",
       keys);
    ok(strstr(keys, "galaxy-early") < strstr(keys, "formation"),
       "'galaxy formation': 'Early galaxy formation' before 'Formation of a galaxy' (%s)", keys);
    /* two titles of the same words in two orders: the order typed decides */
    search("tides of war", 0, keys, sizeof keys, &total, NULL, 0);
    ok(starts_with(keys, "tides-war"), "'tides of war': 'Tides of war' first (%s)", keys);
    search("war of tides", 0, keys, sizeof keys, &total, NULL, 0);
    ok(starts_with(keys, "war-tides"), "'war of tides': 'War of tides' first (%s)", keys);

    /* also among all the words first (EAF_SEARCH_RANK_ALL, as TREC runs) */
    search("Book of", EAF_SEARCH_RANK_ALL, keys, sizeof keys, &total, NULL, 0);
    ok(starts_with(keys, "book-tides"), "with EAF_SEARCH_RANK_ALL too (%s)", keys);

    /* left alone: one word, a typed phrase, fields, operators, questions */
    search("\"book of\"", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "a typed phrase gets no second phrase");
    search("title:book of", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "a field gets none");
    search("book OR battle", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "an OR gets none");
    search("book -battle", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "an exclusion gets none");
    search("notes on the book of the battle", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "a question (any of the words) gets none");
    search("book of the battle and the reefs of a galaxy", EAF_SEARCH_ALL_WORDS, keys,
           sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "more than 8 words get none");
    search("book date:2020", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, "', '") == NULL, "one word and a filter get none");
    search("book of date:2020", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, ", '0|book of')") != NULL && starts_with(keys, "book-tides"),
       "words and a filter: the words are the phrase (%s)", keys);

    /* a "word" of no letters is no word of the phrase */
    search("book & of", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(strstr(expl, ", '0|book of')") != NULL && starts_with(keys, "book-tides"),
       "'book & of': the phrase of its words, 'Book of Tides' first (%s)", keys);

    /* quotes in a word cannot break the SQL of the ranking's call */
    search("book o\"f", 0, keys, sizeof keys, &total, NULL, 0);
    ok(total >= 0, "a double quote inside a word: the search runs");
    search("book o'f", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(total >= 1 && strstr(expl, ", '0|book o''f')") != NULL && tu_has_key(keys, "quote"),
       "a single quote inside a word: doubled in the call, the search runs (%s)", keys);

    eaf_db_close(db);
    return done_testing();
}
