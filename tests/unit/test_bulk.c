/*
 * test_bulk.c: an archive indexed in many batches, as eafindex stores it,
 * large enough that FTS5 merges its segments inside a batch's commit.
 *
 * Every article must be stored and found.  Until 1.3.1 a commit whose
 * merge rewrote a large part of the index failed with "the disk is full"
 * on a disk with room to spare: SQLite 3.40's in-memory statement journal
 * failed when it spilled to a file past the threshold the library set
 * (8 MB).  These 12,000 generated articles of a few hundred words, in
 * batches of 2,000, failed at the third commit; bench-perf's generated
 * corpus at the sixth.
 *
 * The library's settings of SQLite for a writer are checked here too, in a
 * program that did not start SQLite before its first open: its journal in
 * memory (PRAGMA temp_store), so that the savepoint of each article and the
 * commit's insert write no temporary file, and SQLite's count of its memory
 * off.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

#include <stdint.h>

#define BATCH 2000

static uint64_t rng = 88172645463325252ULL;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static const char *const stop[] = {
    "the", "of", "and", "a", "in", "to", "is", "was", "as", "for", "with", "by",
    "on", "that", "at", "from", "his", "it", "an", "were", "are", "which", "this",
    "be", "or", "also", "had", "its", "their", "has", "not", "but", "after",
};

/* A word of text: a stopword two times in five, else a word drawn with a
 * long tail (the square of a uniform draw favours the low numbers). */
static void word(char *out, size_t cap)
{
    static const char *const syl[] = {
        "ka", "lo", "mi", "ren", "tu", "sa", "vor", "de", "pa", "gul",
        "ni", "tes", "bo", "ram", "el", "shi", "ko", "an", "ve", "dru",
    };
    uint32_t r = next_rand();
    size_t len = 0;

    if (r % 5 < 2) {
        snprintf(out, cap, "%s", stop[(r / 5) % (sizeof(stop) / sizeof(*stop))]);
        return;
    }
    {
        double u = (double)(next_rand() % 1000000) / 1000000.0;
        uint32_t n = (uint32_t)(u * u * 160000.0);

        out[0] = '\0';
        do {
            int k = snprintf(out + len, cap - len, "%s", syl[n % 20]);
            len += (size_t)k;
            n /= 20;
        } while (n > 0 && len + 4 < cap);
    }
}

/* n words, a full stop after some, into out. */
static void words(char *out, size_t cap, int n)
{
    size_t len = 0;
    int i;

    out[0] = '\0';
    for (i = 0; i < n && len + 40 < cap; i++) {
        char w[32];

        word(w, sizeof(w));
        len += (size_t)snprintf(out + len, cap - len, "%s%s%s", i ? " " : "", w,
                                (next_rand() % 12 == 0) ? "." : "");
    }
}

static eaf_article *make(int i)
{
    static char title[512], body[8192], key[64], name[64], date[16];
    eaf_article *a = NULL;

    if (eaf_article_new(&a) != EAF_OK)
        return NULL;
    snprintf(key, sizeof(key), "bulk/%06d", i);
    words(title, sizeof(title), 4 + (int)(next_rand() % 6));
    words(body, sizeof(body), 200 + (int)(next_rand() % 250));
    snprintf(date, sizeof(date), "%04d-%02d-%02d", 1990 + i % 30, 1 + i % 12, 1 + i % 28);
    snprintf(name, sizeof(name), "Author %d", (int)(next_rand() % 500));
    if (eaf_article_set(a, EAF_FIELD_KEY, key, EAF_NTS) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_TITLE, title, EAF_NTS) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_BODY, body, EAF_NTS) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_DATE, date, EAF_NTS) != EAF_OK ||
        eaf_article_add_author(a, name, "Institute of Tests") != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_TOPIC, (i % 3) ? "Trade" : "Security") != EAF_OK) {
        eaf_article_free(a);
        return NULL;
    }
    return a;
}

int main(void)
{
    const char *path;
    eaf_db *db = NULL;
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    char *err = NULL;
    /* under valgrind (check-valgrind sets a wrapper) one batch: the full
     * run takes tens of minutes there, and the failure it catches is
     * SQLite's, which valgrind does not look into */
    const char *wrapper = getenv("EAF_TEST_WRAPPER");
    int n = (wrapper && *wrapper) ? BATCH : 12000;
    int i, failed_at = -1, batches = 0;
    int64_t count = -1;
    eaf_article *got = NULL;

    tu_tmpdir();
    path = tu_path("bulk.db");
    o.flags = EAF_OPEN_CREATE;
    is_int(eaf_db_open(&db, path, &o, &err), EAF_OK, "open %s", err ? err : "");
    {
        sqlite3_stmt *st = NULL;
        int store = -1;

        if (db && sqlite3_prepare_v2(db->sql, "PRAGMA temp_store", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            store = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        is_int(store, 2, "the writer keeps its statement journals in memory");
        /* SQLite has allocated (a handle, a schema), and counted none of it */
        is_int((int)sqlite3_memory_used(), 0, "SQLite does not count its memory");
    }
    for (i = 0; i < n && failed_at < 0; i += BATCH) {
        int j;

        if (eaf_db_begin(db) != EAF_OK) {
            failed_at = i;
            break;
        }
        for (j = i; j < i + BATCH && j < n; j++) {
            eaf_article *a = make(j);
            eaf_change ch;

            if (!a || eaf_db_put(&ch, db, a) != EAF_OK || ch != EAF_CHANGE_ADDED) {
                eaf_article_free(a);
                failed_at = j;
                break;
            }
            eaf_article_free(a);
        }
        if (failed_at >= 0) {
            diag("put failed at article %d: %s", failed_at, eaf_db_errmsg(db));
            eaf_db_rollback(db);
            break;
        }
        if (eaf_db_commit(db) != EAF_OK) {
            diag("the commit of the batch from article %d failed: %s", i, eaf_db_errmsg(db));
            failed_at = i;
            break;
        }
        batches++;
    }
    is_int(failed_at, -1, "every batch committed (%d of %d)", batches, (n + BATCH - 1) / BATCH);
    ok(eaf_db_count(&count, db) == EAF_OK && count == n, "%lld articles stored, %d put",
       (long long)count, n);
    ok(eaf_db_get(&got, db, "bulk/000000") == EAF_OK && got, "the first article is there");
    eaf_article_free(got);
    got = NULL;
    {
        char key[64];
        snprintf(key, sizeof(key), "bulk/%06d", n - 1);
        ok(eaf_db_get(&got, db, key) == EAF_OK && got, "the last article is there");
        eaf_article_free(got);
    }
    {
        int64_t problems = -1;
        is_int(eaf_db_check(&problems, db, NULL, NULL), EAF_OK, "the index checks clean");
        is_int((int)problems, 0, "no problem found");
    }
    eaf_db_close(db);
    eaf_free(err);
    tu_cleanup();
    return done_testing();
}
