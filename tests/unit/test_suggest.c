/*
 * test_suggest.c: "did you mean" through the public API, on a small
 * fixture index written for this test: a table of misspellings, each with
 * the suggestion it must give (NULL: none).
 *
 * The fixture's word counts are chosen: "election" in many articles,
 * "elections" in one, "electioneering" (a rare word near it) in one;
 * "Hanoi" in three and "handy" (as close to "hanoy") in one; "Zürich"
 * with its accent; "tits" (whose stem, tit, is one letter from the stem of
 * "title") and no "title" in any text; "growing" 40 times in the first
 * article, "grows" once in the last.
 */
#include "tap.h"
#include "testutil.h"

static eaf_db *db;

static void build_index(void)
{
    struct {
        const char *key, *title, *date, *body, *authors, *tags;
    } docs[] = {
        {"e1", "General election in Japan", "2018-10-01",
         "The general election was called early. The government won the election in Japan.",
         "Lucia Marchetti|University of Bologna", "c:Japan;t:Politics"},
        {"e2", "Election results", "2018-10-02",
         "Election results gave the government a majority.",
         "Lucia Marchetti|University of Bologna", "c:Japan"},
        {"e3", "After the election", "2018-10-09",
         "Analysts said the election changed little in China or Japan.", NULL, "c:China"},
        {"e4", "Election day", "2019-05-01", "Polling stations opened for the election in Hanoi.",
         NULL, "c:Vietnam"},
        {"e5", "Elections in the region", "2019-06-01",
         "Several elections are due, and each election matters.", NULL, NULL},
        {"ee", "Campaign tactics", "2019-06-02",
         "Some electioneering was reported near polling stations.", NULL, NULL},
        {"el", "A new mayor", "2019-07-01", "She was elected mayor of the city.", NULL, NULL},
        {"acc", "Student housing", "2020-01-01", "Accommodation costs rose for students in Hanoi.",
         NULL, "c:Vietnam"},
        {"acc2", "Tourism", "2020-02-01",
         "Hotels offered accommodation near the old quarter of Hanoi.", NULL, "c:Vietnam"},
        {"zur", "Banking in Zürich", "2020-03-01", "Zürich is a banking centre.", NULL,
         "c:Switzerland"},
        {"zur2", "Lake Zürich", "2020-03-02", "Boats cross the lake near Zürich.", NULL, NULL},
        {"handy", "Tools", "2020-04-01", "A handy guide to tools.", NULL, NULL},
        {"birds", "Garden birds", "2020-05-01",
         "Blue tits nest in boxes, and great tits sing in spring.", NULL, NULL},
        {"gov", "Local government", "2020-06-01", "The government announced new budgets.", NULL,
         NULL},
        {"sum", "Summit season", "2020-07-01", "Leaders met at the summit.", NULL, NULL},
        {"cj", "China and Japan", "2020-08-01", "China and Japan signed a deal.", NULL,
         "c:China;c:Japan"},
    };
    char farm[2048] = "";
    size_t i;
    int all;
    eaf_article *a;

    db = tu_open("suggest.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    /* first, "growing" 40 times; "grows" comes after, once */
    for (i = 0; i < 40; i++)
        strcat(farm, "The crops keep growing. ");
    a = tu_article("farm", "Farm diary", "2017-01-01", farm, NULL, NULL);
    all &= eaf_db_put(NULL, db, a) == EAF_OK;
    eaf_article_free(a);
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        a = tu_article(docs[i].key, docs[i].title, docs[i].date, docs[i].body, docs[i].authors,
                       docs[i].tags);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    a = tu_article("moss", "Moss", "2021-01-01", "Moss grows on the north side.", NULL, NULL);
    all &= eaf_db_put(NULL, db, a) == EAF_OK;
    eaf_article_free(a);
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* The table: what is typed, what must be suggested (NULL: nothing), and
 * why. */
static const struct {
    const char *query, *want, *what;
} table[] = {
    /* one edit, of each kind, anywhere in the word */
    {"elecion", "election", "insertion; not the rare electioneering"},
    {"electoin", "election", "transposition"},
    {"elektion", "election", "substitution"},
    {"electiion", "election", "deletion"},
    {"lection", "election", "insertion of the first letter"},
    {"governmetn", "government", "transposition of the last two letters"},
    {"goverment", "government", "a letter missing inside the stem"},
    /* doubled letters */
    {"ellection", "election", "a letter doubled"},
    {"accomodation", "accommodation", "a doubled letter typed once"},
    {"Marchettti", "Marchetti", "a name with a letter doubled"},
    /* two edits, for a long word */
    {"accomodaton", "accommodation", "two letters missing, one after the stem"},
    /* accents: ignored when comparing, kept as the articles write them */
    {"Zurich", NULL, "the word without its accent is in the index"},
    {"zurch", "zürich", "the articles' accent, in the typed word's lower case"},
    {"Zürch", "Zürich", "typed with the accent, capitalised"},
    /* case: of the typed word */
    {"ELECION", "ELECTION", "capitals"},
    {"Elecion", "Election", "capitalised"},
    /* a rare form and a common one */
    {"hanoy", "hanoi", "hanoi (3 articles) before handy (1), both one letter away"},
    {"electiond", "election", "election before elections: one stem, the common spelling"},
    {"electioneerin", "electioneering", "a rare word when it is the only close one"},
    {"grovs", "grows", "a spelling far down its stem's instances (40 of growing first)"},
    /* words that are right */
    {"election", NULL, "a word in the index"},
    {"tits", NULL, "a rare word in the index"},
    {"title", NULL, "in no article, and no word one letter away (tit is two)"},
    {"zzyzx", NULL, "nothing close"},
    {"ab", NULL, "too short to correct"},
    {"2.6", NULL, "a number"},
    /* several words */
    {"japan elecion", "japan election", "only the misspelt word is replaced"},
    {"japan election government", NULL, "every word is right"},
    {"elecion elecion", "election election", "the same word twice"},
    {"Japn's election", "Japan's election", "a possessive is kept"},
    {"\"general elecion\"", "\"general election\"", "in a phrase"},
    {"-elecion japan", NULL, "an exclusion is not corrected"},
    {"elecio*", NULL, "a prefix is not corrected"},
    {"japan orr china", NULL, "never an operator (or) in place of a word"},
    {"japan ORR china", NULL, "nor OR"},
    {"japan ANDD china", "japan and china", "and in lower case, not the operator AND"},
    /* fields */
    {"autor:Marchetti", "author:Marchetti", "a field misspelt"},
    {"Autor:Marchetti", "author:Marchetti", "a field misspelt, capitalised"},
    {"titel:election", "title:election", "a field misspelt (titel is no word either)"},
    {"contry:japan", "country:japan", "a field misspelt, a longer one"},
    {"title:elecion", "title:election", "the value of a field"},
    {"country:japn title:summit country:chna", "country:japan title:summit country:china",
     "values of fields the parser merges, replaced where they were typed"},
    {"electon:japan", NULL, "an unknown field near a word: no field is invented"},
    {"foo:elecion", "foo:election", "an unknown field is left, its value corrected"},
    {"autor: Marchetti", NULL, "a colon with no value is not a field"},
    {"japn: election", "japan: election", "a word before a colon with no value is a word"},
    {"date:2018 elecion", "date:2018 election", "beside a date"},
};

/* The suggestion of a search; NULL for none.  A failure fails a test. */
static const char *suggestion(eaf_search *s)
{
    const char *out = "(unset)";
    eaf_status st = eaf_search_suggestion(&out, s);

    if (st != EAF_OK) {
        ok(0, "eaf_search_suggestion: %s (%s)", eaf_status_str(st), eaf_db_errmsg(db));
        return NULL;
    }
    return out;
}

static void test_table(void)
{
    size_t i;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        eaf_search *s = NULL;

        if (eaf_search_new(&s, db, table[i].query, NULL) != EAF_OK) {
            ok(0, "%s: search (%s)", table[i].query, eaf_db_errmsg(db));
            continue;
        }
        is_str(suggestion(s), table[i].want, "%s -> %s: %s", table[i].query,
               table[i].want ? table[i].want : "nothing", table[i].what);
        eaf_search_free(s);
    }
}

/* The suggestion is a query: run as it is, it finds what the words mean,
 * and it suggests nothing itself. */
static void test_runs(void)
{
    size_t i;
    int runs = 1, quiet = 1;

    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        eaf_search *s = NULL;
        int64_t total = 0;

        if (!table[i].want)
            continue;
        if (eaf_search_new(&s, db, table[i].want, NULL) != EAF_OK) {
            runs = 0;
            continue;
        }
        if (eaf_search_total(&total, s) != EAF_OK || total == 0)
            runs = 0;
        if (suggestion(s) != NULL)
            quiet = 0;
        eaf_search_free(s);
    }
    ok(runs, "every suggestion runs and finds articles");
    ok(quiet, "no suggestion is itself corrected");
}

/* ---- out of memory ------------------------------------------------------ */

unsigned long eaf__alloc_fail_at(unsigned long n, int sticky);
void eaf__alloc_track(int on);
long eaf__alloc_live(void);

/* Fails each allocation of a suggestion in turn: every run gives the
 * suggestion, or a failure (with NULL and a message on the handle), and
 * leaks nothing. */
static void test_nomem(void)
{
    const char *query = "elecion autor:Marchetti accomodaton Zurch";
    const char *want = "election author:Marchetti accommodation Zürich";
    unsigned long total, n;
    int bad = 0, nomem = 0;
    eaf_search *s = NULL;

    ok(eaf_search_new(&s, db, query, NULL) == EAF_OK, "oom: the search");
    eaf__alloc_fail_at((unsigned long)-1, 0);
    is_str(suggestion(s), want, "oom: the suggestion, without failures");
    total = eaf__alloc_fail_at(0, 0);
    eaf_search_free(s);
    for (n = 1; n <= total; n++) {
        const char *got = "(unset)";
        eaf_status st;
        long live;

        s = NULL;
        eaf__alloc_track(1);
        if (eaf_search_new(&s, db, query, NULL) != EAF_OK) {
            eaf__alloc_track(0);
            bad++;
            break;
        }
        eaf__alloc_fail_at(n, 1);
        st = eaf_search_suggestion(&got, s);
        eaf__alloc_fail_at(0, 0);
        if (st != EAF_OK && !got && *eaf_db_errmsg(db))
            nomem++;
        else if (st != EAF_OK || !got || strcmp(got, want) != 0) {
            bad++;
            diag("oom: allocation %lu fails: %s (%s)", n, got ? got : "NULL", eaf_db_errmsg(db));
        }
        eaf_search_free(s);
        live = eaf__alloc_live();
        eaf__alloc_track(0);
        if (live != 0) {
            bad++;
            diag("oom: allocation %lu fails: %ld blocks leaked", n, live);
        }
    }
    is_int(bad, 0, "oom: each of %lu failures gives the suggestion, or none and a message",
           total);
    ok(nomem > 0, "oom: %d of them fail", nomem);
}

/* A damaged index: the suggestion fails, with a status and a message,
 * not a NULL that would read as "no suggestion". */
static void test_bad_index(void)
{
    eaf_db *bad = tu_open("bad.db", NULL);
    eaf_article *a = tu_article("b1", "Election night", "2020-01-01",
                                "The election was close. Election results came late.",
                                NULL, NULL);
    eaf_search *s = NULL;
    const char *got = "(unset)";
    eaf_status st;

    ok(eaf_db_put(NULL, bad, a) == EAF_OK, "bad: an article");
    eaf_article_free(a);
    eaf_db_close(bad);
    ok(tu_sql(tu_path("bad.db"), "UPDATE fts_data SET block = x'00ff00ff' WHERE id > 10")
           == SQLITE_OK,
       "bad: the full-text index damaged");
    bad = tu_open("bad.db", NULL);
    if (eaf_search_new(&s, bad, "elecion", NULL) != EAF_OK) {
        ok(0, "bad: the search (%s)", eaf_db_errmsg(bad));
        eaf_db_close(bad);
        return;
    }
    st = eaf_search_suggestion(&got, s);
    ok(st != EAF_OK, "bad: the suggestion fails (%s: %s)", eaf_status_str(st),
       eaf_db_errmsg(bad));
    ok(got == NULL, "bad: and gives no text");
    ok(*eaf_db_errmsg(bad) != '\0', "bad: a message on the handle");
    eaf_search_free(s);
    eaf_db_close(bad);
}

int main(void)
{
    tu_tmpdir();
    build_index();
    test_table();
    test_runs();
    test_nomem();
    test_bad_index();
    eaf_db_close(db);
    tu_cleanup();
    return done_testing();
}
