/*
 * test_prep.c: articles tokenized ahead (eaf_prep_article) are indexed
 * exactly as articles that are not.  The same articles go into two
 * indexes, prepared for one only; every index entry (term, article,
 * column, position) must be the same in both, and so after updates and
 * deletes, which make FTS5 tokenize the stored text again.  Tokens are
 * used only for the text they were made from: an article changed after
 * it was prepared, or prepared for an index of another language, is
 * indexed as if never prepared.  Preparing on a thread of its own, and
 * running out of memory while preparing, are covered too.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

#include <pthread.h>

/* Words of every kind the tokenizer treats apart. */
static const char *const words[] = {
    "relations", "related", "trade", "trading", "the", "of", "Japan", "Japanese",
    "US", "U.S.", "us", "Korea's", "3,000", "2.5", "o'neill", "US-Japan", "café",
    "naïve", "Zürich", "東京都", "日本語", "exports", "policy", "policies", "ＡＳＥＡＮ",
    "Ελλάδα", "Москва", "don't", "e.g.", "x", "—", "...", "(aside)",
    "Donaudampfschifffahrtsgesellschaftskapitänswitwe", "naïveté",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static unsigned seed = 7;

static unsigned next_rand(void)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7FFF;
}

/* Text of n words, now and then a word too long to be a token. */
static void make_text(eaf__buf *b, int n)
{
    int i;

    eaf__buf_reset(b);
    for (i = 0; i < n; i++) {
        if (i)
            eaf__buf_puts(b, next_rand() % 9 == 0 ? ".\n" : " ");
        if (next_rand() % 97 == 0) {
            int k;
            for (k = 0; k < 140; k++)
                eaf__buf_putc(b, 'w');
        } else {
            eaf__buf_puts(b, words[next_rand() % NWORDS]);
        }
    }
}

static eaf_article *make_article(int i)
{
    eaf__buf b = EAF__BUF_INIT;
    eaf_article *a = NULL;
    char key[32];
    int ok_ = eaf_article_new(&a) == EAF_OK;

    snprintf(key, sizeof(key), "a%d", i);
    ok_ = ok_ && eaf_article_set(a, EAF_FIELD_KEY, key, EAF_NTS) == EAF_OK;
    make_text(&b, 1 + (int)(next_rand() % 8));
    ok_ = ok_ && eaf_article_set(a, EAF_FIELD_TITLE, eaf__buf_cstr(&b), EAF_NTS) == EAF_OK;
    make_text(&b, (int)(next_rand() % 400));
    ok_ = ok_ && eaf_article_set(a, EAF_FIELD_BODY, eaf__buf_cstr(&b), EAF_NTS) == EAF_OK;
    if (i % 3 == 0) {
        make_text(&b, 20);
        ok_ = ok_ && eaf_article_set(a, EAF_FIELD_SUMMARY, eaf__buf_cstr(&b), EAF_NTS) == EAF_OK;
        ok_ = ok_ && eaf_article_set(a, EAF_FIELD_BIO, "A writer in Zürich.", EAF_NTS) == EAF_OK;
        ok_ = ok_ && eaf_article_add_author(a, "Writer Café", "Kyoto University") == EAF_OK;
        ok_ = ok_ && eaf_article_add_tag(a, EAF_TAG_COUNTRY, "Japan") == EAF_OK;
    }
    eaf__buf_free(&b);
    if (!ok_) {
        fprintf(stderr, "cannot make article %d\n", i);
        exit(99);
    }
    return a;
}

/* Every entry of the full-text index, hashed in order; 0 on an error. */
static uint64_t index_digest(eaf_db *db, long long *entries)
{
    sqlite3_stmt *st = NULL;
    uint64_t h = 1469598103934665603u;
    long long n = 0;
    int rc;

    *entries = -1;
    if (sqlite3_exec(db->sql, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.t_inst USING"
                              " fts5vocab(main, fts, instance)", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->sql, "SELECT term, doc, col, offset FROM temp.t_inst"
                                    " ORDER BY term, doc, col, offset", -1, &st, NULL) != SQLITE_OK)
        return 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char line[512];
        int len = snprintf(line, sizeof(line), "%s|%lld|%s|%d\n",
                           (const char *)sqlite3_column_text(st, 0),
                           (long long)sqlite3_column_int64(st, 1),
                           (const char *)sqlite3_column_text(st, 2),
                           sqlite3_column_int(st, 3));

        if (len < 0 || len >= (int)sizeof(line))
            break; /* a line that long is a failure: rc stays SQLITE_ROW */
        h = h * 1099511628211u + eaf__hash_bytes(line, (size_t)len);
        n++;
    }
    sqlite3_finalize(st);
    *entries = rc == SQLITE_DONE ? n : -1;
    return rc == SQLITE_DONE ? h : 0;
}

static void same_index(eaf_db *a, eaf_db *b, const char *what)
{
    long long na = 0, nb = 0;
    uint64_t ha = index_digest(a, &na), hb = index_digest(b, &nb);

    ok(ha != 0 && na > 0, "%s: the index has %lld entries", what, na);
    is_int(na, nb, "%s: as many entries either way", what);
    ok(ha == hb, "%s: the same entries either way", what);
    ok(tu_fts_ok(a->sql) && tu_fts_ok(b->sql), "%s: FTS5 integrity checks pass", what);
}

#define NART 300

/* Stores articles 0..NART-1 in both indexes in one transaction each,
 * preparing them (with p) for `prepared` only; `held`: prepared for the
 * language of `prepared`, whose handle holds them until the commit. */
static void store_all(eaf_db *plain, eaf_db *prepared, eaf_prep *p, unsigned first_seed,
                      int held)
{
    int i, failed = 0, used = 0;

    ok(eaf_db_begin(plain) == EAF_OK && eaf_db_begin(prepared) == EAF_OK, "begin");
    seed = first_seed;
    for (i = 0; i < NART; i++) {
        eaf_article *a = make_article(i);
        failed |= eaf_db_put(NULL, plain, a) != EAF_OK;
        eaf_article_free(a);
    }
    seed = first_seed;
    for (i = 0; i < NART; i++) {
        eaf_article *a = make_article(i);
        failed |= eaf_prep_article(p, a) != EAF_OK;
        failed |= eaf_db_put(NULL, prepared, a) != EAF_OK;
        used += a->prep == NULL; /* the index took the tokens */
        eaf_article_free(a);
    }
    ok(!failed, "every article prepared and stored");
    is_int(used, NART, "the index took every article's tokens");
    if (held)
        ok(prepared->prep.count > 0, "the tokens wait for the commit (%zu texts)",
           prepared->prep.count);
    else
        is_int((long long)prepared->prep.count, 0, "tokens of another language are dropped");
    ok(eaf_db_commit(plain) == EAF_OK && eaf_db_commit(prepared) == EAF_OK, "commit");
    is_int((long long)prepared->prep.count, 0, "the commit used or dropped them all");
}

static void test_same_entries(void)
{
    eaf_db *plain = tu_open("plain.db", NULL), *prepared = tu_open("prepared.db", NULL);
    eaf_prep *p = NULL;
    eaf_article *a;
    int i, failed = 0;

    is_int(eaf_prep_new(&p, prepared), EAF_OK, "eaf_prep_new");
    store_all(plain, prepared, p, 7, 1);
    same_index(plain, prepared, "added");

    /* updated and deleted: FTS5 tokenizes the stored text again to take
     * it out (a wrong token there would corrupt the index) */
    seed = 99;
    for (i = 0; i < NART; i += 7) {
        unsigned s = seed;
        eaf_article *x = make_article(i), *y;

        failed |= eaf_db_put(NULL, plain, x) != EAF_OK;
        seed = s;
        y = make_article(i);
        failed |= eaf_prep_article(p, y) != EAF_OK;
        failed |= eaf_db_put(NULL, prepared, y) != EAF_OK;
        eaf_article_free(x);
        eaf_article_free(y);
        if (i % 21 == 0) {
            char key[32];
            snprintf(key, sizeof(key), "a%d", i + 1);
            failed |= eaf_db_delete(plain, key) != EAF_OK;
            failed |= eaf_db_delete(prepared, key) != EAF_OK;
        }
    }
    ok(!failed, "updates and deletes");
    same_index(plain, prepared, "updated and deleted");

    /* changed after it was prepared: the new text is indexed */
    a = tu_article("changed", "Old title", NULL, "sorghum harvest", NULL, NULL);
    ok(eaf_prep_article(p, a) == EAF_OK, "prepare an article");
    ok(a->prep != NULL, "it holds tokens");
    ok(eaf_article_set(a, EAF_FIELD_BODY, "millet harvest", EAF_NTS) == EAF_OK,
       "change its body");
    ok(eaf_db_put(NULL, prepared, a) == EAF_OK && eaf_db_put(NULL, plain, a) == EAF_OK,
       "store it");
    eaf_article_free(a);
    a = tu_article("changed2", "Second title", NULL, "cassava", NULL, NULL);
    ok(eaf_prep_article(p, a) == EAF_OK &&
           eaf_article_add_author(a, "Late Author", NULL) == EAF_OK,
       "prepare another, then add an author (its text stays)");
    ok(eaf_db_put(NULL, prepared, a) == EAF_OK && eaf_db_put(NULL, plain, a) == EAF_OK,
       "store it");
    eaf_article_free(a);
    same_index(plain, prepared, "changed after preparing");
    {
        long long got = -1;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(prepared->sql,
                               "SELECT (SELECT count(*) FROM fts WHERE fts MATCH 'millet')"
                               " * 10 + (SELECT count(*) FROM fts WHERE fts MATCH 'sorghum')",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            got = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        is_int(got, 10, "the new body is found, the old one not");
    }
    eaf_prep_free(p);
    eaf_db_close(plain);
    eaf_db_close(prepared);
}

/* Tokens made for an index of another language are not used. */
static void test_other_language(void)
{
    eaf_db *en = tu_open("en.db", "english"), *fr = tu_open("fr.db", "french"),
           *en2 = tu_open("en2.db", "english");
    eaf_prep *p = NULL;

    is_int(eaf_prep_new(&p, fr), EAF_OK, "an eaf_prep for a French index");
    store_all(en2, en, p, 11, 0);
    same_index(en2, en, "prepared in French, stored in English");
    eaf_prep_free(p);
    eaf_db_close(fr);
    eaf_db_close(en);
    eaf_db_close(en2);
}

/* Preparing on one thread while another stores. */
typedef struct shared {
    eaf_prep *p;
    eaf_article *a[NART];
    int failed;
} shared;

static void *prepare_all(void *arg)
{
    shared *s = arg;
    int i;

    for (i = 0; i < NART; i++)
        s->failed |= eaf_prep_article(s->p, s->a[i]) != EAF_OK;
    return NULL;
}

static void test_thread(void)
{
    eaf_db *plain = tu_open("tplain.db", NULL), *prepared = tu_open("tprepared.db", NULL);
    shared s;
    pthread_t th;
    int i, failed = 0;

    memset(&s, 0, sizeof(s));
    ok(eaf_prep_new(&s.p, prepared) == EAF_OK, "eaf_prep_new");
    seed = 23;
    for (i = 0; i < NART; i++)
        s.a[i] = make_article(i);
    /* the handle is used meanwhile: the eaf_prep never touches it */
    if (pthread_create(&th, NULL, prepare_all, &s) != 0) {
        ok(0, "start a thread");
        prepare_all(&s);
    } else {
        int64_t n = -1;
        failed |= eaf_db_count(&n, prepared) != EAF_OK;
        pthread_join(th, NULL);
    }
    ok(!s.failed, "prepared on another thread");
    ok(eaf_db_begin(prepared) == EAF_OK && eaf_db_begin(plain) == EAF_OK, "begin");
    for (i = 0; i < NART; i++) {
        failed |= eaf_db_put(NULL, prepared, s.a[i]) != EAF_OK;
        failed |= eaf_db_put(NULL, plain, s.a[i]) != EAF_OK;
        eaf_article_free(s.a[i]);
    }
    ok(eaf_db_commit(prepared) == EAF_OK && eaf_db_commit(plain) == EAF_OK, "commit");
    ok(!failed, "stored");
    same_index(plain, prepared, "prepared on a thread");
    /* it may outlive the index */
    eaf_db_close(prepared);
    {
        eaf_article *a = tu_article("late", "Late", NULL, "after the close", NULL, NULL);
        is_int(eaf_prep_article(s.p, a), EAF_OK, "an eaf_prep outlives its index");
        eaf_article_free(a);
    }
    eaf_prep_free(s.p);
    eaf_db_close(plain);
}

/* Out of memory while preparing: EAF_NOMEM, nothing kept or leaked, and
 * the article is still stored whole. */
static void test_out_of_memory(void)
{
    eaf_db *db = tu_open("oom.db", NULL);
    eaf_prep *p = NULL;
    unsigned long n;
    int nomem = 0, other = 0, stored = 0;

    ok(eaf_prep_new(&p, db) == EAF_OK, "eaf_prep_new");
    {
        /* its buffer and cache of stems are made by a first use */
        eaf_article *a = tu_article("w", "Warm", NULL, "Warming up.", NULL, NULL);
        ok(eaf_prep_article(p, a) == EAF_OK, "a first article");
        eaf_article_free(a);
    }
    eaf__alloc_track(1);
    for (n = 1; n < 64; n++) {
        eaf_article *a = tu_article("k", "Rice and wheat", NULL, "Rice prices in Asia rose.",
                                    NULL, NULL);
        eaf_status st;
        long live = eaf__alloc_live();

        eaf__alloc_fail_at(n, 0);
        st = eaf_prep_article(p, a);
        eaf__alloc_fail_at(0, 0);
        if (st == EAF_NOMEM) {
            nomem++;
            other += a->prep != NULL || eaf__alloc_live() != live;
        } else if (st != EAF_OK) {
            other++;
        }
        stored += eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    eaf__alloc_track(0);
    ok(nomem > 0, "allocation failures give EAF_NOMEM (%d)", nomem);
    is_int(other, 0, "and keep nothing");
    is_int(stored, 63, "the article is stored after each");
    ok(tu_fts_ok(db->sql), "FTS5 integrity check passes");
    eaf_prep_free(p);
    eaf_prep_free(NULL);
    eaf_db_close(db);
}

int main(void)
{
    tu_tmpdir();
    test_same_entries();
    test_other_language();
    test_thread();
    test_out_of_memory();
    tu_cleanup();
    return done_testing();
}
