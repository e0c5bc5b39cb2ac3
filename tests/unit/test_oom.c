/*
 * test_oom.c: allocation failures across a put and a search, for every N.
 *
 * One round, on an index of a few articles: open a handle, put a new
 * article, search (every hit: fields, snippet, whole article; the total,
 * facets, "did you mean", the explanation), read the article back, close.
 * A first round counts the allocations; then round N makes allocation N
 * fail, for every N until a round has no failure left to make:
 *
 *   - first the library's own allocations (eaf__malloc and friends), once
 *     with only allocation N failing and once with every allocation from
 *     N on failing (sticky);
 *   - with EAF_OOM_SQLITE=1 in the environment, SQLite's allocations too
 *     (through sqlite3_config(SQLITE_CONFIG_MALLOC), set up here, by the
 *     test), so that the library's handling of SQLITE_NOMEM on every path
 *     is exercised.  Not by default: SQLite 3.40.1 (Debian 12) itself
 *     fails this, with a crash in sqlite3VtabBegin() at some N and, at
 *     another, a failed INSERT into the FTS5 table that leaves a wrong
 *     totals record (fts_data id 1) committed, which FTS5's own
 *     integrity-check then reports.
 *
 * Each round must end cleanly: every call returns EAF_OK or a failure code
 * (EAF_NOMEM for the library's own allocations), never a crash or a wrong
 * success; a failure leaves a message on the handle; the new article is
 * either stored whole or not at all, and the index passes eaf_db_check();
 * and nothing leaks: the library's blocks alive after the round are
 * counted (eaf__alloc_live()), and SQLite's memory in use goes back to
 * where it was.  So a leak fails this test in any build, not only under
 * LeakSanitizer or valgrind (which run it too).
 *
 * EAF_OOM_STRIDE=K in the environment tries only every Kth N (for slow
 * runs such as valgrind's); the default is every N.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

static const char *dbfile;

/* ---- SQLite's allocator, wrapped ------------------------------------------ */

static sqlite3_mem_methods base_mem;
static unsigned long sq_fail_at, sq_count;

static int sq_should_fail(void)
{
    if (!sq_fail_at)
        return 0;
    return ++sq_count == sq_fail_at;
}

static void *sq_malloc(int n)
{
    return sq_should_fail() ? NULL : base_mem.xMalloc(n);
}

static void *sq_realloc(void *p, int n)
{
    return sq_should_fail() ? NULL : base_mem.xRealloc(p, n);
}

static void sq_free(void *p)
{
    base_mem.xFree(p);
}

static int sq_size(void *p)
{
    return base_mem.xSize(p);
}

static int sq_roundup(int n)
{
    return base_mem.xRoundup(n);
}

static int sq_init(void *x)
{
    return base_mem.xInit(x);
}

static void sq_shutdown(void *x)
{
    base_mem.xShutdown(x);
}

static void wrap_sqlite_allocator(void)
{
    static sqlite3_mem_methods m;

    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &base_mem) != SQLITE_OK)
        exit(99);
    m = base_mem;
    m.xMalloc = sq_malloc;
    m.xRealloc = sq_realloc;
    m.xFree = sq_free;
    m.xSize = sq_size;
    m.xRoundup = sq_roundup;
    m.xInit = sq_init;
    m.xShutdown = sq_shutdown;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        exit(99);
    /* the leaks are found by SQLite's count of its memory, which the
     * library turns off when it starts SQLite (db.c): start it here with
     * the count on, and the library's other setting */
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 1) != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 0) != SQLITE_OK ||
        sqlite3_initialize() != SQLITE_OK)
        exit(99);
}

/* ---- one round ---------------------------------------------------------------- */

typedef struct outcome {
    int bad;              /* a call returned something it must not */
    char why[256];
    eaf_status first;     /* the first failure code seen */
} outcome;

static void saw(outcome *o, eaf_status st, int ok_codes, const char *call, eaf_db *db)
{
    if (st == EAF_OK || st == EAF_ROW || st == EAF_DONE)
        return;
    if (o->first == EAF_OK)
        o->first = st;
    /* ok_codes: 1 = only EAF_NOMEM; 2 = any failure of the database */
    if ((ok_codes == 1 && st != EAF_NOMEM) ||
        (ok_codes == 2 && st != EAF_NOMEM && st != EAF_IO && st != EAF_ERROR) ||
        (db && !*eaf_db_errmsg(db))) {
        if (!o->bad)
            snprintf(o->why, sizeof(o->why), "%s gave %s (message '%s')", call,
                     eaf_status_str(st), db ? eaf_db_errmsg(db) : "");
        o->bad = 1;
    }
}

static eaf_article *new_article(void)
{
    eaf_article *a;

    if (eaf_article_new(&a) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_KEY, "oom/new", EAF_NTS) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_TITLE, "Harbours of the Pacific islands", EAF_NTS) ||
        eaf_article_set(a, EAF_FIELD_DATE, "2021-06-01", EAF_NTS) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_BODY,
                        "Shipping through Suva and Apia grew as harbours were dredged. "
                        "Pacific ports compete for transhipment.\n\nThe islands' "
                        "governments borrowed to pay for the works.",
                        EAF_NTS) != EAF_OK ||
        eaf_article_add_author(a, "Lena Hart", "Pacific Institute") != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_TOPIC, "Trade") != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_COUNTRY, "Fiji") != EAF_OK ||
        eaf_article_add_related_title(a, "Ports of the Pacific") != EAF_OK)
        exit(99);
    return a;
}

/* The round: ok_codes as in saw(); the library's failure counter (or
 * SQLite's) is armed by the caller. */
static void round_(outcome *o, int ok_codes, const eaf_article *a)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_db *db = NULL;
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    eaf_article *back = NULL;
    char *err = NULL;
    eaf_status st;
    int64_t total;
    const char *suggestion = NULL;

    memset(o, 0, sizeof(*o));
    st = eaf_db_open(&db, dbfile, &oo, &err);
    if (st != EAF_OK) {
        saw(o, st, ok_codes, "eaf_db_open", NULL);
        if (db || (st == EAF_NOMEM ? 0 : !err)) {
            o->bad = 1;
            snprintf(o->why, sizeof(o->why), "a failed open left a handle or no message");
        }
        eaf_free(err);
        return;
    }
    saw(o, eaf_db_put(NULL, db, a), ok_codes, "eaf_db_put", db);
    so.limit = 50;
    st = eaf_search_new(&s, db, "pacific harbours OR ports", &so);
    saw(o, st, ok_codes, "eaf_search_new", db);
    if (st == EAF_OK) {
        while ((st = eaf_search_next(s)) == EAF_ROW) {
            const eaf_article *whole = NULL;
            (void)eaf_search_field(s, EAF_FIELD_TITLE);
            (void)eaf_search_snippet(s);
            saw(o, eaf_search_article(&whole, s), ok_codes, "eaf_search_article", db);
        }
        saw(o, st, ok_codes, "eaf_search_next", db);
        saw(o, eaf_search_total(&total, s), ok_codes, "eaf_search_total", db);
        saw(o, eaf_search_facets(&f, s, 5), ok_codes, "eaf_search_facets", db);
        eaf_facets_free(f);
        saw(o, eaf_search_suggestion(&suggestion, s), ok_codes, "eaf_search_suggestion", db);
        (void)eaf_search_explain(s);
        eaf_search_free(s);
    }
    st = eaf_db_get(&back, db, "oom/new");
    if (st != EAF_NOTFOUND)
        saw(o, st, ok_codes, "eaf_db_get", db);
    eaf_article_free(back);
    if (eaf_db_close(db) != EAF_OK) {
        o->bad = 1;
        snprintf(o->why, sizeof(o->why), "the handle did not close");
    }
}

/* After a round, with nothing failing: the new article is whole or absent,
 * and the index is sound.  Removes the article for the next round.
 * Returns a problem, or NULL. */
static const char *aftermath(const eaf_article *want, int *stored)
{
    static char why[256];
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    eaf_article *got = NULL;
    eaf_status st;
    int64_t problems = -1;
    int f;

    *stored = 0;
    if (eaf_db_open(&db, dbfile, &oo, NULL) != EAF_OK)
        return "the index does not open";
    st = eaf_db_get(&got, db, "oom/new");
    if (st == EAF_OK) {
        *stored = 1;
        for (f = 0; f < EAF_FIELD_LAST; f++) {
            const char *x = eaf_article_get(want, (eaf_field)f),
                       *y = eaf_article_get(got, (eaf_field)f);
            if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0)) {
                snprintf(why, sizeof(why), "field %d stored half: '%s'", f, y ? y : "NULL");
                break;
            }
        }
        if (f == EAF_FIELD_LAST && (eaf_article_author_count(got) != 1 ||
                                    eaf_article_tag_count(got, EAF_TAG_COUNTRY) != 1 ||
                                    eaf_article_tag_count(got, EAF_TAG_TOPIC) != 1 ||
                                    eaf_article_related_title_count(got) != 1))
            snprintf(why, sizeof(why), "the article is stored without all its rows");
        else if (f == EAF_FIELD_LAST)
            why[0] = '\0';
        eaf_article_free(got);
        if (eaf_db_delete(db, "oom/new") != EAF_OK)
            snprintf(why, sizeof(why), "cannot delete: %s", eaf_db_errmsg(db));
    } else if (st != EAF_NOTFOUND) {
        snprintf(why, sizeof(why), "reading it back: %s", eaf_db_errmsg(db));
    } else {
        why[0] = '\0';
    }
    if (!why[0] && eaf_db_check(&problems, db, NULL, NULL) != EAF_OK)
        snprintf(why, sizeof(why), "the index fails its check: %s", eaf_db_errmsg(db));
    eaf_db_close(db);
    return why[0] ? why : NULL;
}

/* Runs the rounds of one kind; returns the number of allocations a whole
 * round makes. */
static unsigned long every_n(const char *kind, int sqlite_side, int sticky, unsigned long stride)
{
    eaf_article *a = new_article();
    outcome o;
    unsigned long n, counted = 0, rounds = 0, failed_at = 0, stored = 0;
    int clean = 1, whole = 1, leaks = 0;
    char first_bad[512] = "";
    sqlite3_int64 sq_before;

    for (n = 1;; n += stride) {
        const char *problem;
        int was_stored;

        eaf__alloc_track(1);
        sq_before = sqlite3_memory_used();
        if (sqlite_side) {
            sq_count = 0;
            sq_fail_at = n;
        } else {
            eaf__alloc_fail_at(n, sticky);
        }
        round_(&o, sqlite_side ? 2 : 1, a);
        if (sqlite_side) {
            counted = sq_count;
            sq_fail_at = 0;
        } else {
            counted = eaf__alloc_fail_at(0, 0);
        }
        rounds++;
        if (eaf__alloc_live() != 0 || sqlite3_memory_used() != sq_before) {
            if (!leaks)
                printf("# %s, N=%lu: %ld blocks of the library and %lld bytes of "
                       "SQLite's left\n", kind, n, eaf__alloc_live(),
                       (long long)(sqlite3_memory_used() - sq_before));
            leaks++;
        }
        eaf__alloc_track(0);
        if (o.bad && clean) {
            clean = 0;
            snprintf(first_bad, sizeof(first_bad), "N=%lu: %s", n, o.why);
        }
        if (o.first != EAF_OK)
            failed_at++;
        problem = aftermath(a, &was_stored);
        stored += (unsigned long)was_stored;
        if (problem && whole) {
            whole = 0;
            printf("# %s, N=%lu: %s\n", kind, n, problem);
        }
        if (counted < n)
            break; /* no allocation N in this round: every one was tried */
    }
    ok(rounds > 20, "%s: %lu rounds, each failing allocation N of %lu", kind, rounds, n - 1);
    ok(clean, "%s: every call gave EAF_OK or a failure with a message%s%s", kind,
       clean ? "" : "; first bad: ", first_bad);
    ok(failed_at > 0, "%s: %lu rounds saw a failure, %lu stored the article anyway", kind,
       failed_at, stored);
    ok(whole, "%s: the article is stored whole or not at all, the index passes its check",
       kind);
    is_int(leaks, 0, "%s: nothing leaked in any round", kind);
    eaf_article_free(a);
    return n;
}

int main(void)
{
    const char *s = getenv("EAF_OOM_STRIDE");
    unsigned long stride = s && atol(s) > 0 ? (unsigned long)atol(s) : 1;
    eaf_db *db;
    outcome o;
    int i;

    wrap_sqlite_allocator();
    tu_tmpdir();
    dbfile = tu_path("oom.db");
    db = tu_open("oom.db", NULL);
    for (i = 0; i < 6; i++) {
        char key[32];
        eaf_article *a;
        snprintf(key, sizeof(key), "old/%d", i);
        a = tu_article(key, i % 2 ? "Ports of the Pacific" : "Rice prices in Luzon",
                       "2019-03-03",
                       "Container traffic through Suva grew; harbours and ports of the "
                       "Pacific compete.",
                       "Lena Hart|Pacific Institute;Ana Cruz", "t:Trade;c:Fiji;o:shipping");
        if (eaf_db_put(NULL, db, a) != EAF_OK)
            exit(99);
        eaf_article_free(a);
    }
    eaf_db_close(db);

    /* a round without failures works, and leaks nothing */
    eaf__alloc_track(1);
    {
        eaf_article *a = new_article();
        int stored;
        round_(&o, 1, a);
        ok(!o.bad && o.first == EAF_OK, "a round without failures succeeds (%s)", o.why);
        eaf_article_free(a);
        is_int(eaf__alloc_live(), 0, "and frees every block it allocated");
        eaf__alloc_track(0);
        ok(aftermath(a = new_article(), &stored) == NULL && stored,
           "the article is stored, the index sound");
        eaf_article_free(a);
    }
    /* the live count does see a leak */
    eaf__alloc_track(1);
    {
        void *leak = eaf__malloc(10);
        is_int(eaf__alloc_live(), 1, "a block not freed is counted");
        eaf__free(leak);
        is_int(eaf__alloc_live(), 0, "and uncounted when freed");
    }
    eaf__alloc_track(0);

    if (stride > 1)
        printf("# EAF_OOM_STRIDE=%lu: every %luth N only\n", stride, stride);
    every_n("the library's allocations", 0, 0, stride);
    every_n("the library's allocations, sticky", 0, 1, stride);
    if (getenv("EAF_OOM_SQLITE") && atoi(getenv("EAF_OOM_SQLITE")) > 0)
        every_n("SQLite's allocations", 1, 0, stride);
    tu_cleanup();
    return done_testing();
}
