/*
 * test_title_phrase.c: a short search's words as typed, stopwords and
 * order kept, lift the title that holds them (plan_title.c, rank.c):
 * "Book of" finds "Book of Tides" before "Book"; the rows matched and the
 * total never change; questions, operators and fields are left alone.
 * When most titles read do not hold the words, the rows whose titles hold
 * their common grams are looked up instead (rank.c's title_grams()): the
 * same ranking, the titles' text still deciding.  The title's occurrences,
 * read first, also bound each row by the words it has (row_bounds()).
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

#include <stdio.h>
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

/* Is the ranking given the words typed: "at|words" as the last argument
 * of its call, the common grams of the words (plan_title.c) between? */
static int typed_arg(const char *explain, const char *at, const char *words)
{
    char head[64], tail[256];
    const char *h, *t;

    snprintf(head, sizeof head, ", '%s", at);
    snprintf(tail, sizeof tail, "|%s')", words);
    h = strstr(explain, head);
    t = strstr(explain, tail);
    return h && t && h < t && !memchr(h + 3, '\'', (size_t)(t - h - 3));
}

/* ---- the titles with the grams, looked up ---------------------------------- */

static eaf_db *gdb;
/* the ranking's queries of the index, traced: for each lookup, the check
 * that the index can be queried (a token no row has), then the grams */
static int queries;

static int trace(unsigned what, void *ctx, void *st, void *sql)
{
    (void)what;
    (void)ctx;
    (void)st;
    if (sql && strstr(sql, "SELECT rowid FROM main.fts WHERE fts MATCH"))
        queries++;
    return 0;
}

static void build_grams_index(void)
{
    /* many titles with the words, not as typed and read first (the ids in
     * this order), then those that hold them, then titles whose stems
     * hold them but not the words ("histories"), which a lookup of the
     * grams alone would lift */
    static const char *const tail[][2] = {
        {"and-history", "Childhood and history"},
        {"and-histories", "And histories"},
        {"book-tides", "Book of dark history of tides"},
        {"book-tide", "Book of dark history of a tide"},
        {"books-tides", "Books of dark history of tides"},
        {"all-history", "History of all"},
    };
    char key[32], title[96];
    int all, i;

    gdb = tu_open("title_grams.db", NULL);
    all = eaf_db_begin(gdb) == EAF_OK;
    for (i = 0; i < 40; i++) {
        eaf_article *a;
        snprintf(key, sizeof key, "miss-%d", i);
        /* "history" and the tides' words where the phrases want them, the
         * stopwords elsewhere */
        snprintf(title, sizeof title, "Volume %d history, book by dark history on tides", i);
        a = tu_article(key, title, "2020-01-01", "Notes on a book of history and tides.", NULL,
                       NULL);
        all &= eaf_db_put(NULL, gdb, a) == EAF_OK;
        eaf_article_free(a);
    }
    for (i = 0; i < (int)(sizeof tail / sizeof tail[0]); i++) {
        eaf_article *a = tu_article(tail[i][0], tail[i][1], "2020-01-01",
                                    "Notes on a book of history and tides.", NULL, NULL);
        all &= eaf_db_put(NULL, gdb, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(gdb) == EAF_OK;
    ok(all, "fixture index of the grams built");
    ok(sqlite3_trace_v2(gdb->sql, SQLITE_TRACE_STMT, trace, NULL) == SQLITE_OK,
       "the ranking's statements traced");
}

/* The keys of a search of the grams' index with up to limit hits. */
static void search_grams(const char *q, unsigned flags, unsigned limit, char *keys, size_t cap,
                         char *expl, size_t ecap)
{
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;

    so.flags = flags;
    so.limit = limit;
    keys[0] = expl[0] = '\0';
    queries = 0;
    if (eaf_search_new(&s, gdb, q, &so) != EAF_OK) {
        ok(0, "search '%s' starts: %s", q, eaf_db_errmsg(gdb));
        return;
    }
    if (eaf_search_explain(s))
        snprintf(expl, ecap, "%s", eaf_search_explain(s));
    if (tu_keys(s, keys, cap) != EAF_DONE)
        ok(0, "search '%s' ends", q);
    eaf_search_free(s);
}

static void test_grams(void)
{
    char keys[2048], expl[4096];
    unsigned limit;

    build_grams_index();
    for (limit = 10; limit <= 100; limit += 90) {
        /* one gram: 40 titles with "history" read, none with "and
         * history", then the lookup */
        search_grams("and history", 0, limit, keys, sizeof keys, expl, sizeof expl);
        ok(strstr(expl, "\x1f" "and histori|and history')") != NULL,
           "the ranking is given the gram of the stopword and the word (limit %u)", limit);
        ok(queries == 2, "'and history': the titles with the gram looked up once (%d)",
           queries);
        ok(starts_with(keys, "and-history"),
           "'and history': the title that holds it first (limit %u: %.60s)", limit, keys);
        ok(strstr(keys, "and-histories") != NULL && strstr(keys, "and-histories") <
               strstr(keys, "miss-"),
           "'And histories' (its stems, not its words) next, without the bonus");

        /* grams in two runs, "book of" + "of dark" and "histori of" + "of
         * tide", around two words that have none (six words: a question,
         * unless all the words are wanted first).  The feedback pass of
         * that search ranks its best rows too (ordered by rank and id, not
         * by FTS5's own sort of "ORDER BY rank", during which a query of
         * the index would be given the sorted rows and leak its
         * expression): each ranking checks and looks up once */
        search_grams("book of dark history of tides", EAF_SEARCH_RANK_ALL, limit, keys,
                     sizeof keys, expl, sizeof expl);
        ok(strstr(expl, "\x1f" "book of\x1f" "of dark\x1f\x1f" "histori of\x1f" "of tide|") !=
               NULL,
           "the ranking is given a gram for each pair, none for two words (limit %u)", limit);
        ok(queries == 4,
           "'book of dark history of tides': checked and looked up in each ranking (%d)",
           queries);
        ok(starts_with(keys, "book-tides"),
           "'book of dark history of tides': the title that holds it first (%.60s)", keys);
        ok(strstr(keys, "miss-") > strstr(keys, "books-tides") &&
               strstr(keys, "book-tide ") != NULL,
           "the titles of its stems and of other words follow");
    }
    /* most titles read hold the words: they are read, no lookup */
    search_grams("by dark", 0, 100, keys, sizeof keys, expl, sizeof expl);
    ok(strstr(expl, "\x1f" "by dark|by dark')") != NULL && queries == 0 &&
           starts_with(keys, "miss-0"),
       "'by dark': the 40 titles that hold it read, no lookup (%d: %.40s)", queries, keys);
    eaf_db_close(gdb);
}

/* ---- rows bounded by the words they have ---------------------------------- */

static void test_bounds(void)
{
    eaf_db *b = tu_open("bounds.db", NULL);
    sqlite3_stmt *st = NULL;
    double with_lo = 1e300, without_hi = -1e300;
    int all, i, nwith = 0, nwithout = 0;

    all = eaf_db_begin(b) == EAF_OK;
    for (i = 0; i < 41; i++) {
        char key[16], title[32];
        eaf_article *a;
        snprintf(key, sizeof key, "n%02d", i);
        snprintf(title, sizeof title, i ? "Note %d" : "Alpha beta", i);
        /* the first (the best, its title is the query) fills the best k;
         * then odd ones with both words, even ones with beta alone */
        a = tu_article(key, title, "2020-01-01",
                       i % 2 ? "Some alpha and some beta in a body." : "Only beta in a body.",
                       NULL, NULL);
        all &= eaf_db_put(NULL, b, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(b) == EAF_OK;
    ok(all, "fixture index of the bounds built");
    /* with k=1, every row after the first is below it and only bounded:
     * by the words it has, so a row without alpha by less than a row
     * with both (bounded by the most the query's words can add, every
     * row would have the same bound) */
    if (sqlite3_prepare_v2(b->sql,
                           "SELECT a.key, fts.rank FROM fts JOIN article a ON a.id = fts.rowid"
                           " WHERE fts MATCH 'alpha OR beta' AND fts.rank MATCH"
                           " 'eaf_rank(10, 4, 2, 4, 4, 3, 1, 0.5, 2.5, 0.7, 0.15, ''k=1 0:1 1:1'')'"
                           " ORDER BY fts.rowid",
                           -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            double bound = -sqlite3_column_double(st, 1);
            int n = key ? atoi(key + 1) : 0;
            if (n == 0)
                continue;
            if (n % 2) {
                nwith++;
                with_lo = bound < with_lo ? bound : with_lo;
            } else {
                nwithout++;
                without_hi = bound > without_hi ? bound : without_hi;
            }
        }
    }
    sqlite3_finalize(st);
    ok(nwith == 20 && nwithout == 20 && without_hi < with_lo,
       "a row without alpha is bounded below a row with both (%d, %d: %g < %g)", nwith,
       nwithout, without_hi, with_lo);
    eaf_db_close(b);
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
    ok(typed_arg(expl, "0", "Book of"), "the ranking is given the words as typed");
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
    ok(typed_arg(expl, "0", "book of") && starts_with(keys, "book-tides"),
       "words and a filter: the words are the phrase (%s)", keys);

    /* a "word" of no letters is no word of the phrase */
    search("book & of", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(typed_arg(expl, "0", "book of") && starts_with(keys, "book-tides"),
       "'book & of': the phrase of its words, 'Book of Tides' first (%s)", keys);

    /* quotes in a word cannot break the SQL of the ranking's call */
    search("book o\"f", 0, keys, sizeof keys, &total, NULL, 0);
    ok(total >= 0, "a double quote inside a word: the search runs");
    search("book o'f", 0, keys, sizeof keys, &total, expl, sizeof expl);
    ok(total >= 1 && typed_arg(expl, "0", "book o''f") && tu_has_key(keys, "quote"),
       "a single quote inside a word: doubled in the call, the search runs (%s)", keys);

    eaf_db_close(db);

    test_grams();
    test_bounds();
    return done_testing();
}
