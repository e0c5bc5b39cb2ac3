/*
 * test_store.c: opening and refusing index files, put/get/delete/count,
 * unchanged detection, transactions, read-only handles, locking, misuse,
 * status strings and versions, and allocation failures.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

/* Runs SQL on a plain SQLite connection to a file (no tokenizer). */
static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    int rc = sqlite3_open(path, &s);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s, sql, NULL, NULL, NULL);
    sqlite3_close(s);
    return rc;
}

/* One integer from SQL run on the handle's own connection. */
static long long sql_int(eaf_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The number of articles, or -1 on an error. */
static long long count_of(eaf_db *db)
{
    int64_t n = -1;
    return eaf_db_count(&n, db) == EAF_OK ? (long long)n : -1;
}

static eaf_status open_with(eaf_db **db, const char *path, unsigned flags,
                            const char *language, char **err)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    o.flags = flags;
    o.language = language;
    return eaf_db_open(db, path, &o, err);
}

static void test_open_and_refuse(void)
{
    eaf_db *db = (eaf_db *)1;
    char *err = NULL;
    const char *p = tu_path("new.db");

    is_int(open_with(&db, p, 0, NULL, &err), EAF_NOTFOUND, "a missing index without CREATE");
    ok(db == NULL, "no handle on failure");
    ok(err && strstr(err, "new.db"), "the message names the file: %s", err);
    eaf_free(err);

    is_int(open_with(&db, p, EAF_OPEN_CREATE, "klingon", &err), EAF_MISUSE,
           "an unknown language");
    ok(err && strstr(err, "klingon"), "named in the message: %s", err);
    eaf_free(err);

    is_int(open_with(&db, p, EAF_OPEN_CREATE, NULL, &err), EAF_OK, "create");
    ok(err == NULL, "no message on success");
    is_str(eaf_db_language(db), "english", "english by default");
    is_str(eaf_db_errmsg(db), "", "no error yet");
    is_int(sql_int(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"),
           1, "the index is in WAL mode");
    is_int(eaf_db_close(db), EAF_OK, "close");

    is_int(open_with(&db, p, 0, NULL, NULL), EAF_OK, "reopen");
    is_int(sql_int(db, "SELECT count(*) FROM eaf_meta WHERE name='language' AND value='english'"),
           1, "the language is stored in the index");
    eaf_db_close(db);
    is_int(open_with(&db, p, 0, "english", NULL), EAF_OK, "reopen naming its language");
    eaf_db_close(db);
    is_int(open_with(&db, p, 0, "french", &err), EAF_MISUSE, "reopen in another language");
    ok(err && strstr(err, "english") && strstr(err, "french"), "says which: %s", err);
    eaf_free(err);

    /* an SQLite file that is not an index */
    raw_exec(tu_path("other.db"), "CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    is_int(open_with(&db, tu_path("other.db"), EAF_OPEN_CREATE, NULL, &err), EAF_SCHEMA,
           "another SQLite database is refused");
    ok(err && strstr(err, "not a libeafsearch index"), "clearly: %s", err);
    eaf_free(err);

    /* not a database at all */
    tu_write(tu_path("garbage.db"), "this is not a database, just some text....", 42);
    is_int(open_with(&db, tu_path("garbage.db"), 0, NULL, &err), EAF_CORRUPT,
           "a text file is refused");
    ok(err && strstr(err, "not an index"), "clearly: %s", err);
    eaf_free(err);

    /* a folder */
    is_int(open_with(&db, tu_dir, EAF_OPEN_CREATE, NULL, &err), EAF_IO, "a folder is refused");
    eaf_free(err);

    /* another schema version */
    raw_exec(tu_path("v.db"), "");
    eaf_db_close(tu_open("v.db", NULL));
    raw_exec(tu_path("v.db"), "PRAGMA user_version = 99");
    is_int(open_with(&db, tu_path("v.db"), 0, NULL, &err), EAF_SCHEMA,
           "another schema version is refused");
    ok(err && strstr(err, "schema version 99"), "names the version: %s", err);
    eaf_free(err);

    /* another tokenizer configuration */
    eaf_db_close(tu_open("t.db", NULL));
    raw_exec(tu_path("t.db"), "UPDATE eaf_meta SET value = '0' WHERE name = 'tokenizer_version'");
    is_int(open_with(&db, tu_path("t.db"), 0, NULL, &err), EAF_SCHEMA,
           "another tokenizer version is refused");
    ok(err && strstr(err, "tokenizer"), "names the tokenizer: %s", err);
    eaf_free(err);

    /* options of an unknown version */
    {
        eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
        o.version = 99;
        is_int(eaf_db_open(&db, p, &o, NULL), EAF_MISUSE, "options of a future version");
    }
}

static void test_put_get(void)
{
    eaf_db *db = tu_open("put.db", NULL);
    eaf_article *a, *b = NULL;
    eaf_change ch = EAF_CHANGE_UPDATED;
    int64_t n = -1;

    a = tu_article("k1", "Japan–China relations", "2018-10-25T09:30:00+09:00",
                   "First paragraph.\n\nSecond paragraph.",
                   "Rumi Aoyama|Waseda University;Second Author", "t:Trade;c:Japan;c:China;o:APEC");
    ok(eaf_article_set(a, EAF_FIELD_URL, "https://example.org/k1", EAF_NTS) == EAF_OK &&
           eaf_article_set(a, EAF_FIELD_SUMMARY, "A summary.", EAF_NTS) == EAF_OK &&
           eaf_article_set(a, EAF_FIELD_BIO, "Rumi Aoyama is a professor.", EAF_NTS) == EAF_OK &&
           eaf_article_set(a, EAF_FIELD_LANGUAGE, "en", EAF_NTS) == EAF_OK &&
           eaf_article_add_related_title(a, "Another title") == EAF_OK,
       "build an article with every field");
    is_str(eaf_article_get(a, EAF_FIELD_DATE), "2018-10-25", "a date-time keeps its date");

    is_int(eaf_db_put(&ch, db, a), EAF_OK, "put");
    is_int(ch, EAF_CHANGE_ADDED, "added");
    is_int(eaf_db_put(&ch, db, a), EAF_OK, "put again");
    is_int(ch, EAF_CHANGE_NONE, "unchanged: nothing written");
    is_int(eaf_db_count(&n, db), EAF_OK, "count");
    is_int(n, 1, "one article");

    is_int(eaf_db_get(&b, db, "k1"), EAF_OK, "get");
    if (b) {
        static const eaf_field fields[] = {EAF_FIELD_KEY, EAF_FIELD_URL, EAF_FIELD_TITLE,
                                           EAF_FIELD_DATE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY,
                                           EAF_FIELD_BIO, EAF_FIELD_LANGUAGE};
        size_t i;
        for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
            is_str(eaf_article_get(b, fields[i]), eaf_article_get(a, fields[i]),
                   "field %d comes back", (int)fields[i]);
        is_int(eaf_article_author_count(b), 2, "two authors");
        is_str(eaf_article_author_name(b, 0), "Rumi Aoyama", "first author");
        is_str(eaf_article_author_affiliation(b, 0), "Waseda University", "with affiliation");
        is_str(eaf_article_author_name(b, 1), "Second Author", "second author");
        ok(eaf_article_author_affiliation(b, 1) == NULL, "without affiliation");
        is_int(eaf_article_tag_count(b, EAF_TAG_COUNTRY), 2, "two countries");
        is_str(eaf_article_tag(b, EAF_TAG_COUNTRY, 1), "China", "in order");
        is_str(eaf_article_tag(b, EAF_TAG_TOPIC, 0), "Trade", "topic");
        is_str(eaf_article_tag(b, EAF_TAG_OTHER, 0), "APEC", "other tag");
        is_str(eaf_article_related_title(b, 0), "Another title", "related title");
        ok(eaf_article_tag(b, EAF_TAG_TOPIC, 5) == NULL && eaf_article_author_name(b, 9) == NULL,
           "out of range gives NULL");
        eaf_article_free(b);
    }

    /* a change is an update of the same row */
    ok(eaf_article_set(a, EAF_FIELD_BODY, "A new body about tariffs.", EAF_NTS) == EAF_OK,
       "change the body");
    is_int(eaf_db_put(&ch, db, a), EAF_OK, "put the changed article");
    is_int(ch, EAF_CHANGE_UPDATED, "updated");
    is_int(count_of(db), 1, "still one article");
    is_int(sql_int(db, "SELECT count(*) FROM fts WHERE fts MATCH 'tariffs'"), 1,
           "the new body is indexed");
    is_int(sql_int(db, "SELECT count(*) FROM fts WHERE fts MATCH 'paragraph'"), 0,
           "the old body is not");
    is_int(sql_int(db, "SELECT count(*) FROM author"), 2, "authors not duplicated");
    is_int(sql_int(db, "SELECT count(*) FROM facet"), 7,
           "facets: 2 authors, 1 affiliation, 4 tags");

    /* delete removes every trace */
    is_int(eaf_db_delete(db, "k1"), EAF_OK, "delete");
    is_int(eaf_db_delete(db, "k1"), EAF_NOTFOUND, "delete again");
    ok(strstr(eaf_db_errmsg(db), "k1") != NULL, "names the key: %s", eaf_db_errmsg(db));
    is_int(eaf_db_get(&b, db, "k1"), EAF_NOTFOUND, "get after delete");
    ok(b == NULL, "no article");
    is_int(count_of(db), 0, "count 0");
    is_int(sql_int(db, "SELECT (SELECT count(*) FROM author) + (SELECT count(*) FROM facet)"
                       " + (SELECT count(*) FROM site_related)"),
           0, "no author, facet or related rows left");
    is_int(sql_int(db, "SELECT count(*) FROM fts WHERE fts MATCH 'tariffs OR japan'"), 0,
           "no index entries left");
    is_int(sqlite3_exec(db->sql, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)",
                        NULL, NULL, NULL),
           SQLITE_OK, "FTS5 integrity check passes");

    /* articles without a key, and bad values */
    eaf_article_free(a);
    ok(eaf_article_new(&a) == EAF_OK, "a new article");
    is_int(eaf_db_put(NULL, db, a), EAF_MISUSE, "an article without a key");
    ok(strstr(eaf_db_errmsg(db), "key") != NULL, "says so: %s", eaf_db_errmsg(db));
    is_int(eaf_article_set(a, EAF_FIELD_KEY, "  ", EAF_NTS), EAF_SYNTAX, "a blank key");
    is_int(eaf_article_set(a, EAF_FIELD_DATE, "2019-02-29", EAF_NTS), EAF_SYNTAX,
           "29 February 2019 is not a date");
    is_int(eaf_article_set(a, EAF_FIELD_DATE, "2020-02-29", EAF_NTS), EAF_OK, "2020 is a leap year");
    is_int(eaf_article_set(a, EAF_FIELD_DATE, "25 October 2018", EAF_NTS), EAF_SYNTAX,
           "dates are ISO 8601");
    is_int(eaf_article_set(a, EAF_FIELD_DATE, "2018-10", 7), EAF_OK, "a month");
    is_int(eaf_article_set(a, EAF_FIELD_LAST, "x", 1), EAF_MISUSE, "a field out of range");
    is_int(eaf_article_set(a, EAF_FIELD_TITLE, "bad \xff\xfe bytes\0 and more",
                           sizeof("bad \xff\xfe bytes\0 and more") - 1), EAF_OK,
           "invalid UTF-8 and a NUL byte are accepted");
    is_str(eaf_article_get(a, EAF_FIELD_TITLE),
           "bad \xef\xbf\xbd\xef\xbf\xbd bytes\xef\xbf\xbd and more",
           "and replaced by U+FFFD");
    is_int(eaf_article_add_author(a, "  ", NULL), EAF_SYNTAX, "an empty author name");
    is_int(eaf_article_add_tag(a, EAF_TAG_LAST, "x"), EAF_MISUSE, "a tag kind out of range");
    ok(eaf_article_add_tag(a, EAF_TAG_COUNTRY, "Japan") == EAF_OK &&
           eaf_article_add_tag(a, EAF_TAG_COUNTRY, "JAPAN") == EAF_OK &&
           eaf_article_add_tag(a, EAF_TAG_COUNTRY, "  Japán ") == EAF_OK &&
           eaf_article_add_tag(a, EAF_TAG_COUNTRY, "Japan!") == EAF_OK,
       "add the same country four ways");
    is_int(eaf_article_tag_count(a, EAF_TAG_COUNTRY), 1,
           "repeats ignoring case, accents and punctuation are dropped");
    eaf_article_free(a);
    eaf_db_close(db);
}

static void test_transactions(void)
{
    eaf_db *db = tu_open("txn.db", NULL), *other = NULL, *ro = NULL;
    eaf_article *a = tu_article("t1", "One", NULL, "text", NULL, NULL);
    eaf_article *b = tu_article("t2", "Two", NULL, "text", NULL, NULL);
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;

    is_int(eaf_db_commit(db), EAF_MISUSE, "commit without a transaction");
    is_int(eaf_db_rollback(db), EAF_MISUSE, "rollback without a transaction");
    is_int(eaf_db_begin(db), EAF_OK, "begin");
    is_int(eaf_db_begin(db), EAF_MISUSE, "begin twice");
    ok(eaf_db_put(NULL, db, a) == EAF_OK && eaf_db_put(NULL, db, b) == EAF_OK, "two puts");
    is_int(eaf_db_rollback(db), EAF_OK, "rollback");
    is_int(count_of(db), 0, "nothing kept");

    is_int(eaf_db_begin(db), EAF_OK, "begin");
    ok(eaf_db_put(NULL, db, a) == EAF_OK, "put");

    /* a second writer waits, then gets EAF_BUSY, and reads the old state */
    o.busy_timeout_ms = 100;
    is_int(eaf_db_open(&other, tu_path("txn.db"), &o, NULL), EAF_OK, "a second handle");
    is_int(eaf_db_put(NULL, other, b), EAF_BUSY, "its write waits, then gives up");
    ok(strstr(eaf_db_errmsg(other), "locked") != NULL, "saying the index is locked: %s",
       eaf_db_errmsg(other));
    is_int(count_of(other), 0, "a reader sees the last commit, not the open transaction");

    is_int(eaf_db_commit(db), EAF_OK, "commit");
    is_int(count_of(other), 1, "the reader sees the commit");
    is_int(eaf_db_put(NULL, other, b), EAF_OK, "now the second handle can write");
    is_int(count_of(db), 2, "and the first sees it");
    eaf_db_close(other);

    /* read-only */
    o.flags = EAF_OPEN_READONLY;
    is_int(eaf_db_open(&ro, tu_path("txn.db"), &o, NULL), EAF_OK, "open read-only");
    is_int(eaf_db_put(NULL, ro, a), EAF_READONLY, "put on a read-only handle");
    is_int(eaf_db_delete(ro, "t1"), EAF_READONLY, "delete on a read-only handle");
    is_int(eaf_db_begin(ro), EAF_READONLY, "begin on a read-only handle");
    is_int(count_of(ro), 2, "but it reads");

    is_int(eaf_db_close(ro), EAF_OK, "close");

    eaf_article_free(a);
    eaf_article_free(b);
    eaf_db_close(db);
}

/* A handle closed while a search and a related list of it are open is
 * closed when the last of them is freed (as sqlite3_close_v2() does):
 * they read on until then, and nothing of the handle is left after. */
static void test_deferred_close(void)
{
    eaf_db *db = tu_open("close.db", NULL), *other = NULL;
    eaf_article *a = tu_article("c1", "Harbour cranes", NULL,
                                "Cranes at the harbour lift containers; their prices rose.", NULL, NULL);
    eaf_article *b = tu_article("c2", "Harbour tugs", NULL,
                                "Tugs at the harbour push the container ships through the ice.", NULL, NULL);
    eaf_article *c = tu_article("c3", "Rice prices", NULL,
                                "Rice prices in Luzon fell after the rains.", NULL, NULL);
    eaf_search *s = NULL;
    eaf_related *r = NULL;
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    size_t n;

    eaf_article *d = tu_article("c4", "Glacier retreat", NULL,
                                "Alpine glaciers lost ice this summer.", NULL, NULL);
    eaf_article *e = tu_article("c5", "Chess openings", NULL,
                                "Grandmasters favour the Sicilian defence.", NULL, NULL);

    /* five articles: a term the two harbour articles share is in fewer
     * than half of them, so it counts for their related lists, and each
     * shares another with a third (not the same text, then) */
    ok(eaf_db_put(NULL, db, a) == EAF_OK && eaf_db_put(NULL, db, b) == EAF_OK &&
           eaf_db_put(NULL, db, c) == EAF_OK && eaf_db_put(NULL, db, d) == EAF_OK &&
           eaf_db_put(NULL, db, e) == EAF_OK,
       "five articles");
    is_int(eaf_related_build(NULL, db, NULL, NULL, NULL), EAF_OK, "their related lists");
    is_int(eaf_db_close(db), EAF_OK, "close with nothing open");
    is_int(eaf_db_close(NULL), EAF_OK, "close NULL");

    eaf__alloc_track(1);
    o.flags = EAF_OPEN_LOCK;
    is_int(eaf_db_open(&db, tu_path("close.db"), &o, NULL), EAF_OK,
           "open, holding the writer lock");
    is_int(eaf_search_new(&s, db, "harbour", NULL), EAF_OK, "a search");
    is_int(eaf_related_new(&r, db, "c1", NULL), EAF_OK, "a related list");
    is_int(eaf_db_close(db), EAF_OK, "close with a search and a list open: EAF_OK");
    o.busy_timeout_ms = -1;
    is_int(eaf_db_open(&other, tu_path("close.db"), &o, NULL), EAF_BUSY,
           "the handle stays open while they are: its writer lock is held");
    is_int(eaf_search_next(s), EAF_ROW, "the search still reads");
    ok(eaf_search_field(s, EAF_FIELD_TITLE) &&
           strstr(eaf_search_field(s, EAF_FIELD_TITLE), "Harbour") != NULL,
       "a hit: %s", eaf_search_field(s, EAF_FIELD_TITLE));
    eaf_search_free(s);
    n = eaf_related_count(r);
    ok(n >= 1 && strcmp(eaf_related_key(r, 0), "c2") == 0,
       "the list still reads (%zu, first c2)", n);
    eaf_related_free(r);
    is_int(eaf__alloc_live(), 0, "the last one freed closed the handle: nothing is left");
    eaf__alloc_track(0);
    is_int(eaf_db_open(&other, tu_path("close.db"), &o, NULL), EAF_OK,
           "and let go of the writer lock");
    is_int(count_of(other), 5, "the index is whole");
    eaf_db_close(other);
    eaf_article_free(a);
    eaf_article_free(b);
    eaf_article_free(c);
    eaf_article_free(d);
    eaf_article_free(e);
}

/* Callers that ignore the nonnull declarations (and their compilers'
 * warnings) get EAF_MISUSE, not a crash.  The calls go through pointers
 * without the attribute, which is what such a caller's code amounts to,
 * so that UBSan's nonnull check does not stop the test at the call. */
typedef eaf_status (*put_fn)(eaf_change *, eaf_db *, const eaf_article *);
typedef eaf_status (*db_fn)(eaf_db *);
typedef eaf_status (*count_fn)(int64_t *, eaf_db *);
typedef eaf_status (*get_fn)(eaf_article **, eaf_db *, const char *);
typedef eaf_status (*search_fn)(eaf_search **, eaf_db *, const char *,
                                const eaf_search_options *);
typedef const char *(*aget_fn)(const eaf_article *, eaf_field);

static void test_misuse_and_strings(void)
{
    put_fn put = eaf_db_put;
    db_fn begin = eaf_db_begin;
    count_fn count = eaf_db_count;
    get_fn get = eaf_db_get;
    search_fn search = eaf_search_new;
    aget_fn aget = eaf_article_get;
    eaf_article *a = NULL;
    eaf_search *s = NULL;
    int64_t n;
    int i, distinct = 1;

    is_int(put(NULL, NULL, NULL), EAF_MISUSE, "put with no handle");
    is_int(begin(NULL), EAF_MISUSE, "begin with no handle");
    is_int(count(&n, NULL), EAF_MISUSE, "count with no handle");
    is_int(get(&a, NULL, "x"), EAF_MISUSE, "get with no handle");
    is_int(search(&s, NULL, "x", NULL), EAF_MISUSE, "search with no handle");
    is_int(eaf_db_close(NULL), EAF_OK, "closing NULL is a no-op");
    eaf_search_free(NULL);
    eaf_article_free(NULL);
    eaf_reader_free(NULL);
    eaf_free(NULL);
    ok(eaf_db_errmsg(NULL) != NULL, "a message even for no handle");
    is_int(eaf_db_error_offset(NULL), -1, "no offset for no handle");
    ok(aget(NULL, EAF_FIELD_KEY) == NULL, "accessors of NULL give NULL");

    for (i = 0; i < EAF_STATUS_LAST; i++) {
        int j;
        ok(eaf_status_str((eaf_status)i) != NULL, "status %d has a string", i);
        for (j = 0; j < i; j++)
            if (strcmp(eaf_status_str((eaf_status)i), eaf_status_str((eaf_status)j)) == 0)
                distinct = 0;
    }
    ok(distinct, "status strings are distinct");
    is_str(eaf_status_str(EAF_STATUS_LAST), "unknown status", "out of range");
    is_str(eaf_status_str(EAF_NOTFOUND), "EAF_NOTFOUND: not found", "names the code");
    is_str(eaf_version(), EAF_VERSION_STRING, "run-time version matches the header");
    is_int(eaf_version_number(), EAF_VERSION_NUMBER, "as a number too");
    ok(EAF_CHECK_VERSION(0, 1, 0) && !EAF_CHECK_VERSION(99, 0, 0), "EAF_CHECK_VERSION");
    {
        const char *const *l = eaf_languages();
        int english = 0;
        for (; l && *l; l++)
            english |= strcmp(*l, "english") == 0;
        ok(english, "english is among the languages");
    }
}

/* Every allocation of a put and a search fails in turn: each call must
 * fail cleanly (no crash; ASan/valgrind check for leaks) and the index
 * must stay usable. */
static void test_allocation_failures(void)
{
    eaf_db *db = tu_open("oom.db", NULL);
    unsigned long nth, counted = 0;
    int clean = 1;
    int64_t n = -1;

    for (nth = 1; nth < 5000; nth++) {
        eaf_article *a = NULL;
        eaf_search *s = NULL;
        eaf_status st;
        char key[32];

        snprintf(key, sizeof(key), "k%lu", nth);
        eaf__alloc_fail_at(nth, 0);
        st = eaf_article_new(&a);
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_KEY, key, EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_BODY, "Japan and China in the body", EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_add_author(a, "An Author", "An Institute");
        if (st == EAF_OK)
            st = eaf_article_add_tag(a, EAF_TAG_COUNTRY, "Japan");
        if (st == EAF_OK)
            st = eaf_db_put(NULL, db, a);
        if (st != EAF_OK && st != EAF_NOMEM)
            clean = 0;
        st = eaf_search_new(&s, db, "japan -korea title:x OR date:2018", NULL);
        if (st == EAF_OK) {
            while ((st = eaf_search_next(s)) == EAF_ROW)
                (void)eaf_search_snippet(s);
            if (st != EAF_DONE && st != EAF_NOMEM && st != EAF_CORRUPT)
                clean = 0;
        } else if (st != EAF_NOMEM) {
            clean = 0;
        }
        eaf_search_free(s);
        eaf_article_free(a);
        counted = eaf__alloc_fail_at(0, 0);
        if (counted < nth)
            break; /* this round had no failure: all were tried */
    }
    ok(nth > 10 && counted < nth, "every allocation of a put and a search failed once (%lu)", nth);
    ok(clean, "each failure gave EAF_NOMEM, never another error or a crash");
    is_int(eaf_db_count(&n, db), EAF_OK, "the index still works");
    ok(n > 0, "with the articles whose put succeeded (%lld)", (long long)n);
    is_int(sqlite3_exec(db->sql, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)",
                        NULL, NULL, NULL),
           SQLITE_OK, "and passes the FTS5 integrity check");
    eaf_db_close(db);
}

/* The hits of a query, as "key key ...", or "error". */
static char *hits_of(eaf_db *db, const char *query)
{
    static char out[512];
    eaf_search *s = NULL;
    eaf_status st;

    out[0] = '\0';
    if (eaf_search_new(&s, db, query, NULL) != EAF_OK)
        return strcpy(out, "error");
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        if (out[0])
            strncat(out, " ", sizeof(out) - strlen(out) - 1);
        strncat(out, eaf_search_field(s, EAF_FIELD_KEY), sizeof(out) - strlen(out) - 1);
    }
    eaf_search_free(s);
    return st == EAF_DONE ? out : strcpy(out, "error");
}

/* The same, keys in order: for sets of two-character keys ("b1 b2"). */
static char *hit_set(eaf_db *db, const char *query)
{
    char *h = hits_of(db, query);
    size_t n = strlen(h), i, j;

    /* keys here are of equal length: a simple exchange sort of words */
    for (i = 0; i + 2 < n; i += 3)
        for (j = i + 3; j + 1 < n; j += 3)
            if (memcmp(h + j, h + i, 2) < 0) {
                char t[2];
                memcpy(t, h + i, 2);
                memcpy(h + i, h + j, 2);
                memcpy(h + j, t, 2);
            }
    return h;
}

/* New articles reach fts in one statement per transaction (db.h): they
 * must be found by a search inside the transaction, changed and deleted
 * before the commit, rolled back, and kept when a later write fails. */
static void test_fts_batching(void)
{
    eaf_db *db = tu_open("batch.db", NULL);
    eaf_article *a = tu_article("b1", "Alpha", NULL, "mangroves and estuaries", NULL, NULL);
    eaf_article *a2 = tu_article("b1", "Alpha", NULL, "glaciers instead", NULL, NULL);
    eaf_article *b = tu_article("b2", "Beta", NULL, "mangroves again", NULL, NULL);
    eaf_article *c = tu_article("b3", "Gamma", NULL, "volcanoes", NULL, NULL);
    eaf_article *a3 = tu_article("b1", "Alpha", NULL, "glaciers and fjords",
                                 "Some Author|Some Place;Other Author", "t:Ice;c:Norway");
    unsigned long nth, counted = 0;
    int kept = 1, checked = 1;

    is_int(eaf_db_begin(db), EAF_OK, "begin");
    ok(eaf_db_put(NULL, db, a) == EAF_OK && eaf_db_put(NULL, db, b) == EAF_OK, "two puts");
    is_str(hit_set(db, "mangroves"), "b1 b2", "a search inside the transaction finds both");
    ok(eaf_db_put(NULL, db, c) == EAF_OK, "a third put after the search");
    is_str(hits_of(db, "volcanoes"), "b3", "and it is found too");
    is_int(eaf_db_commit(db), EAF_OK, "commit");
    ok(tu_fts_ok(db->sql), "fts passes its integrity check");

    is_int(eaf_db_begin(db), EAF_OK, "begin");
    is_int(eaf_db_delete(db, "b3"), EAF_OK, "delete");
    ok(eaf_db_put(NULL, db, c) == EAF_OK, "put it again (a new article)");
    ok(eaf_db_put(NULL, db, a2) == EAF_OK, "change another");
    is_int(eaf_db_delete(db, "b3"), EAF_OK, "delete the new one before it was indexed");
    is_int(eaf_db_commit(db), EAF_OK, "commit");
    ok(tu_fts_ok(db->sql), "fts passes its integrity check");
    is_str(hits_of(db, "mangroves"), "b2", "the changed article lost its old words");
    is_str(hits_of(db, "glaciers"), "b1", "and has its new ones");
    is_str(hits_of(db, "volcanoes"), "", "the deleted one is gone");

    is_int(eaf_db_begin(db), EAF_OK, "begin");
    ok(eaf_db_put(NULL, db, c) == EAF_OK, "put");
    is_int(eaf_db_rollback(db), EAF_OK, "rollback");
    ok(tu_fts_ok(db->sql), "fts passes its integrity check");
    is_str(hits_of(db, "volcanoes"), "", "nothing of it is left");

    /* A change fails at each of its allocations in turn, after the new
     * article before it was added to fts inside the failed write: the new
     * article must still be indexed at the commit. */
    for (nth = 1; nth < 1000; nth++) {
        eaf_status st;

        if (eaf_db_begin(db) != EAF_OK || eaf_db_put(NULL, db, c) != EAF_OK) {
            kept = 0;
            break;
        }
        eaf__alloc_fail_at(nth, 0);
        st = eaf_db_put(NULL, db, a3);
        counted = eaf__alloc_fail_at(0, 0);
        if (st != EAF_OK && st != EAF_NOMEM)
            kept = 0;
        if (eaf_db_commit(db) != EAF_OK)
            kept = 0;
        if (strcmp(hits_of(db, "volcanoes"), "b3") != 0)
            kept = 0;
        if (!tu_fts_ok(db->sql))
            checked = 0;
        if (eaf_db_delete(db, "b3") != EAF_OK || eaf_db_put(NULL, db, a2) != EAF_OK)
            kept = 0;
        if (!kept || counted < nth)
            break;
    }
    ok(nth > 1 && counted < nth, "every allocation of the change failed once (%lu)", nth);
    ok(kept, "the new article was indexed each time");
    ok(checked, "and fts passed its integrity check each time");

    eaf_article_free(a);
    eaf_article_free(a2);
    eaf_article_free(a3);
    eaf_article_free(b);
    eaf_article_free(c);
    eaf_db_close(db);
}

/* eaf_db_optimize(): the index answers as before, inside a transaction
 * too, and a read-only handle may not. */
static void test_optimize(void)
{
    eaf_db *db = tu_open("opt.db", NULL), *ro = NULL;
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    char key[16], body[64];
    int i, put = 1;

    for (i = 0; i < 30; i++) { /* one commit each: many segments */
        eaf_article *a;
        snprintf(key, sizeof(key), "o%02d", i);
        snprintf(body, sizeof(body), "%s %s", i % 2 ? "lagoon" : "reef", i % 3 ? "" : "atoll");
        a = tu_article(key, "T", NULL, body, NULL, NULL);
        put &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    ok(put, "30 articles put, one commit each");
    is_int(eaf_db_optimize(db), EAF_OK, "optimize");
    ok(tu_fts_ok(db->sql), "fts passes its integrity check");
    is_str(hits_of(db, "atoll -lagoon"), "o00 o06 o12 o18 o24", "searches find what they found");
    is_int(eaf_db_begin(db), EAF_OK, "begin");
    {
        eaf_article *a = tu_article("o99", "T", NULL, "atoll", NULL, NULL);
        is_int(eaf_db_put(NULL, db, a), EAF_OK, "put inside a transaction");
        eaf_article_free(a);
    }
    is_int(eaf_db_optimize(db), EAF_OK, "optimize inside it");
    is_int(eaf_db_commit(db), EAF_OK, "commit");
    ok(tu_fts_ok(db->sql), "fts passes its integrity check");
    ok(strstr(hits_of(db, "atoll"), "o99") != NULL, "the article put before it is found");
    o.flags = EAF_OPEN_READONLY;
    is_int(eaf_db_open(&ro, tu_path("opt.db"), &o, NULL), EAF_OK, "a read-only handle");
    is_int(eaf_db_optimize(ro), EAF_READONLY, "may not optimize");
    eaf_db_close(ro);
    eaf_db_close(db);
}

/* The one article of a JSON line, read as eafindex reads it (its hash
 * kept by the reader); NULL when it cannot be read. */
static eaf_article *read_line(const char *line)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_reader *rd = NULL;
    eaf_article *a = NULL;

    ro.format = EAF_FORMAT_JSONL;
    if (eaf_reader_open_memory(&rd, line, strlen(line), "prices.jsonl", &ro, NULL) != EAF_OK ||
        eaf_reader_next(&a, rd) != EAF_ROW)
        a = NULL;
    eaf_reader_free(rd);
    return a;
}

/* A reader's article carries its hash; every kind of change after it is
 * still seen as a change when the article is stored. */
static void test_read_then_changed(void)
{
    static const char line[] =
        "{\"id\": \"r1\", \"title\": \"Rice prices\", \"body\": \"Rice.\"}\n";
    eaf_db *db = tu_open("reread.db", NULL);
    const char *what[] = {"a field", "an author", "a tag", "a related title", "nothing"};
    eaf_change ch = EAF_CHANGE_NONE;
    eaf_article *a = read_line(line);
    int k;

    /* the index holds the article as read */
    is_int(a ? eaf_db_put(&ch, db, a) : EAF_ERROR, EAF_OK, "store the article as read");
    is_int(ch, EAF_CHANGE_ADDED, "added");
    eaf_article_free(a);
    for (k = 0; k < 5; k++) {
        eaf_status st = EAF_OK;

        if (!(a = read_line(line))) {
            ok(0, "read the article");
            continue;
        }
        if (k == 0)
            st = eaf_article_set(a, EAF_FIELD_BODY, "Wheat.", EAF_NTS);
        else if (k == 1)
            st = eaf_article_add_author(a, "A. Writer", NULL);
        else if (k == 2)
            st = eaf_article_add_tag(a, EAF_TAG_COUNTRY, "Laos");
        else if (k == 3)
            st = eaf_article_add_related_title(a, "Older prices");
        is_int(st, EAF_OK, "change %s", what[k]);
        is_int(eaf_db_put(&ch, db, a), EAF_OK, "store it after changing %s", what[k]);
        is_int(ch, k == 4 ? EAF_CHANGE_NONE : EAF_CHANGE_UPDATED,
               k == 4 ? "unchanged" : "updated after changing %s", what[k]);
        eaf_article_free(a);
        /* back to the article as read, for the next round */
        a = read_line(line);
        if (a)
            is_int(eaf_db_put(&ch, db, a), EAF_OK, "store it as read");
        eaf_article_free(a);
    }
    eaf_db_close(db);
}

int main(void)
{
    tu_tmpdir();
    /* a program that started SQLite itself before its first open: the
     * library's process-wide settings of SQLite (db.c) are then left out,
     * and every open works as before */
    is_int(sqlite3_initialize(), SQLITE_OK, "SQLite started before the first open");
    test_open_and_refuse();
    test_put_get();
    test_read_then_changed();
    test_transactions();
    test_deferred_close();
    test_misuse_and_strings();
    test_allocation_failures();
    test_fts_batching();
    test_optimize();
    tu_cleanup();
    return done_testing();
}
