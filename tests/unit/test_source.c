/*
 * test_source.c: keeping an index in step with its files, through the
 * public API: which file each article came from, skipping unchanged files
 * by size and time and confirming by content hash, removing what a file
 * no longer holds and files that are gone, a run interrupted between
 * batches, walking every article (the export), and the migration of a
 * schema-1 index made with the version-1 SQL.
 */
#include "eafsearch.h"
#include "tap.h"
#include "testutil.h"

#include <sqlite3.h>
#include <sys/time.h>

#include "fts.h"

/* ---- helpers ------------------------------------------------------------------ */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");

    fputs(text, fp);
    fclose(fp);
}

/* Sets a file's modification time to t seconds (and 0 ns). */
static void set_mtime(const char *path, long t)
{
    struct timeval tv[2];

    tv[0].tv_sec = tv[1].tv_sec = t;
    tv[0].tv_usec = tv[1].tv_usec = 0;
    utimes(path, tv);
}

static int64_t count(eaf_db *db)
{
    int64_t n = -1;

    if (eaf_db_count(&n, db) != EAF_OK)
        return -1;
    return n;
}

static int exists(eaf_db *db, const char *key)
{
    eaf_article *a = NULL;
    eaf_status st = eaf_db_get(&a, db, key);

    eaf_article_free(a);
    return st == EAF_OK;
}

typedef struct keys {
    char v[16][64];
    int n;
    int stop;            /* nonzero: ask to stop at the first key */
} keys;

static int collect_key(const char *key, void *payload)
{
    keys *k = payload;

    if (k->n < 16)
        snprintf(k->v[k->n++], 64, "%s", key);
    return k->stop;
}

typedef struct files {
    char path[16][512];
    int64_t articles[16];
    int n;
    int stop;            /* nonzero: ask to stop at the first file */
} files;

static int collect_file(const char *path, int64_t articles, void *payload)
{
    files *f = payload;

    if (f->n < 16) {
        snprintf(f->path[f->n], 512, "%s", path);
        f->articles[f->n++] = articles;
    }
    return f->stop;
}

/* ---- skipping, updating, removing ---------------------------------------------- */

static void test_sources(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600], a_path[600], b_path[600];
    eaf_db *db;
    tu_counts c;
    int64_t removed;
    eaf_source_state state;
    files f;
    keys k;

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    snprintf(a_path, sizeof(a_path), "%s/a.jsonl", dir);
    snprintf(b_path, sizeof(b_path), "%s/b.jsonl", dir);
    write_file(a_path, "{\"id\": \"a1\", \"title\": \"One\"}\n"
                       "{\"id\": \"a2\", \"title\": \"Two\"}\n"
                       "{\"id\": \"a3\", \"title\": \"Three\"}\n");
    write_file(b_path, "{\"id\": \"b1\", \"title\": \"Bee\"}\n");
    set_mtime(a_path, 1000000000);
    db = tu_open_db(dbpath, EAF_OPEN_CREATE, 0);
    if (!ok(db != NULL, "a new index"))
        return;

    state = tu_index_file(db, a_path, &c, &removed);
    is_int(state, EAF_SOURCE_NEW, "a new file is NEW");
    is_int(c.added, 3, "its three articles are added");
    is_int(removed, 0, "nothing removed");
    tu_index_file(db, b_path, &c, &removed);

    state = tu_index_file(db, a_path, &c, &removed);
    is_int(state, EAF_SOURCE_UNCHANGED, "the same size and time: UNCHANGED, not read");

    /* touched: same content, new time -> unchanged by hash, time recorded */
    set_mtime(a_path, 1000000500);
    is_int(eaf_db_source_check(&state, db, a_path, 0), EAF_OK, "check a touched file");
    is_int(state, EAF_SOURCE_UNCHANGED, "a touched file with the same content is UNCHANGED");
    is_int(eaf_db_source_check(&state, db, a_path, 0), EAF_OK, "check it again");
    is_int(state, EAF_SOURCE_UNCHANGED, "and its new time was recorded");

    /* the same size and time but other content: only --checksum sees it */
    write_file(a_path, "{\"id\": \"a1\", \"title\": \"Uno\"}\n"
                       "{\"id\": \"a2\", \"title\": \"Two\"}\n"
                       "{\"id\": \"a3\", \"title\": \"Three\"}\n");
    set_mtime(a_path, 1000000500);
    is_int(eaf_db_source_check(&state, db, a_path, 0), EAF_OK, "check a sneaky edit");
    is_int(state, EAF_SOURCE_UNCHANGED, "size and time alone cannot see it");
    is_int(eaf_db_source_check(&state, db, a_path, EAF_SOURCE_CHECKSUM), EAF_OK,
           "check with EAF_SOURCE_CHECKSUM");
    is_int(state, EAF_SOURCE_CHANGED, "the content hash sees it");

    /* a file that held 3 articles now holds 2: the third goes */
    write_file(a_path, "{\"id\": \"a1\", \"title\": \"One\"}\n"
                       "{\"id\": \"a2\", \"title\": \"Two, edited\"}\n");
    set_mtime(a_path, 1000001000);
    state = tu_index_file(db, a_path, &c, &removed);
    is_int(state, EAF_SOURCE_CHANGED, "an edited file is CHANGED");
    is_int(c.unchanged, 1, "one article unchanged");
    is_int(c.updated, 1, "one updated");
    is_int(removed, 1, "the one it no longer holds is removed");
    ok(!exists(db, "a3") && exists(db, "a1") && exists(db, "b1"),
       "a3 is gone, the others stay");
    is_int(count(db), 3, "three articles");

    /* a read with errors removes nothing and is read again */
    write_file(a_path, "{\"id\": \"a1\", \"title\": \"One\"}\n{not json\n");
    set_mtime(a_path, 1000002000);
    state = tu_index_file(db, a_path, &c, &removed);
    is_int(c.errors, 1, "a bad line");
    is_int(removed, 0, "a file read with errors loses nothing");
    ok(exists(db, "a2"), "a2 is still there");
    is_int(eaf_db_source_check(&state, db, a_path, 0), EAF_OK, "check after the error");
    is_int(state, EAF_SOURCE_CHANGED, "and it will be read again");

    /* listing and removing files */
    memset(&f, 0, sizeof(f));
    is_int(eaf_db_source_list(db, dir, collect_file, &f), EAF_OK, "list the files");
    is_int(f.n, 2, "two files recorded");
    is_str(f.path[0], a_path, "in path order: a");
    is_int(f.articles[0], 2, "a holds two articles");
    is_int(f.articles[1], 1, "b holds one");
    memset(&f, 0, sizeof(f));
    is_int(eaf_db_source_list(db, "/no/such/prefix/", collect_file, &f), EAF_OK,
           "list under another prefix");
    is_int(f.n, 0, "nothing there");
    memset(&f, 0, sizeof(f));
    f.stop = 1;
    is_int(eaf_db_source_list(db, dir, collect_file, &f), EAF_ABORT,
           "a listing the callback stops: EAF_ABORT");
    is_int(f.n, 1, "after one file");
    memset(&k, 0, sizeof(k));
    k.stop = 1;
    is_int(eaf_db_source_remove(&removed, db, b_path, collect_key, &k), EAF_ABORT,
           "a removal the key callback stops: EAF_ABORT");
    is_int(removed, 0, "nothing counted as removed");
    ok(exists(db, "b1"), "and nothing removed: b1 is still there");
    memset(&k, 0, sizeof(k));
    is_int(eaf_db_source_remove(&removed, db, b_path, collect_key, &k), EAF_OK,
           "remove a file that is gone");
    is_int(removed, 1, "its article is removed");
    is_int(k.n, 1, "the callback saw one key");
    is_str(k.v[0], "b1", "b1");
    ok(!exists(db, "b1"), "b1 is gone");
    is_int(eaf_db_source_remove(&removed, db, b_path, NULL, NULL), EAF_NOTFOUND,
           "removing it twice: EAF_NOTFOUND");

    /* misuse */
    is_int(eaf_db_source_end(&removed, db, 1, NULL, NULL), EAF_MISUSE,
           "end without begin: EAF_MISUSE");
    is_int(eaf_db_source_begin(db, a_path), EAF_OK, "begin");
    is_int(eaf_db_source_begin(db, b_path), EAF_MISUSE, "begin twice: EAF_MISUSE");
    is_int(eaf_db_source_end(NULL, db, 0, NULL, NULL), EAF_OK, "end, incomplete");
    is_int(eaf_db_source_check(&state, db, "/no/such/file", 0), EAF_NOTFOUND,
           "check a missing file: EAF_NOTFOUND");
    eaf_db_close(db);

    /* a read-only handle can check but not record */
    db = tu_open_db(dbpath, EAF_OPEN_READONLY, 0);
    is_int(eaf_db_source_check(&state, db, a_path, 0), EAF_OK, "read-only: check works");
    is_int(eaf_db_source_begin(db, a_path), EAF_READONLY, "read-only: begin refused");
    eaf_db_close(db);
    tu_cleanup();
}

/* A run interrupted between batches keeps what it committed, and the next
 * run reads the file again, finishing it. */
static void test_interrupted(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600], path[600];
    eaf_db *db;
    eaf_reader *r = NULL;
    eaf_article *a;
    tu_counts c;
    int64_t removed;
    eaf_source_state state;
    int i;

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    snprintf(path, sizeof(path), "%s/five.jsonl", dir);
    write_file(path, "{\"id\": \"k1\", \"title\": \"1\"}\n{\"id\": \"k2\", \"title\": \"2\"}\n"
                     "{\"id\": \"k3\", \"title\": \"3\"}\n{\"id\": \"k4\", \"title\": \"4\"}\n"
                     "{\"id\": \"k5\", \"title\": \"5\"}\n");
    db = tu_open_db(dbpath, EAF_OPEN_CREATE, 0);
    /* batches of two; stop (as a killed process would) after the third put */
    ok(eaf_reader_open(&r, path, NULL, NULL) == EAF_OK, "open the file");
    ok(eaf_db_begin(db) == EAF_OK && eaf_db_source_begin(db, path) == EAF_OK, "begin");
    for (i = 0; i < 3 && eaf_reader_next(&a, r) == EAF_ROW; i++) {
        ok(eaf_db_put(NULL, db, a) == EAF_OK, "put %d", i + 1);
        eaf_article_free(a);
        if (i == 1) {
            ok(eaf_db_commit(db) == EAF_OK && eaf_db_begin(db) == EAF_OK, "a batch committed");
        }
    }
    eaf_reader_free(r);
    eaf_db_close(db); /* no commit, no source end: the third put is lost */
    db = tu_open_db(dbpath, 0, 0);
    is_int(count(db), 2, "after the interruption: the committed batch is there");
    is_int(eaf_db_source_check(&state, db, path, 0), EAF_OK, "check the file");
    is_int(state, EAF_SOURCE_CHANGED, "it is not marked indexed");
    state = tu_index_file(db, path, &c, &removed);
    is_int(c.unchanged, 2, "the next run: two unchanged");
    is_int(c.added, 3, "and three added");
    is_int(count(db), 5, "all five");
    state = tu_index_file(db, path, &c, &removed);
    is_int(state, EAF_SOURCE_UNCHANGED, "and then the file is done");
    eaf_db_close(db);
    tu_cleanup();
}

/* ---- walking all articles --------------------------------------------------------- */

typedef struct walk {
    char keys[8][32];
    int n, stop_after;
    int with_authors;
} walk;

static int on_article(const eaf_article *a, void *payload)
{
    walk *w = payload;

    if (w->n < 8)
        snprintf(w->keys[w->n], 32, "%s", eaf_article_get(a, EAF_FIELD_KEY));
    if (eaf_article_author_count(a) > 0)
        w->with_authors++;
    w->n++;
    return w->stop_after && w->n >= w->stop_after;
}

static void test_articles(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600];
    eaf_db *db;
    walk w;
    const char *names[] = {"zeta", "alpha", "mu"};
    size_t i;

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    db = tu_open_db(dbpath, EAF_OPEN_CREATE, 0);
    for (i = 0; i < 3; i++) {
        eaf_article *a;
        if (eaf_article_new(&a) != EAF_OK)
            continue;
        ok(eaf_article_set(a, EAF_FIELD_KEY, names[i], EAF_NTS) == EAF_OK &&
               eaf_article_set(a, EAF_FIELD_TITLE, names[i], EAF_NTS) == EAF_OK &&
               eaf_article_add_author(a, "Someone", "Somewhere") == EAF_OK &&
               eaf_db_put(NULL, db, a) == EAF_OK,
           "put %s", names[i]);
        eaf_article_free(a);
    }
    memset(&w, 0, sizeof(w));
    is_int(eaf_db_articles(db, on_article, &w), EAF_OK, "walk the articles");
    is_int(w.n, 3, "three articles");
    is_str(w.keys[0], "alpha", "in key order: alpha");
    is_str(w.keys[2], "zeta", "... zeta");
    is_int(w.with_authors, 3, "read whole (authors too)");
    memset(&w, 0, sizeof(w));
    w.stop_after = 1;
    is_int(eaf_db_articles(db, on_article, &w), EAF_ABORT,
           "a walk the callback stops: EAF_ABORT");
    is_int(w.n, 1, "stops after one");
    eaf_db_close(db);
    tu_cleanup();
}

/* ---- migration from schema 1 ------------------------------------------------------- */

/* The version-1 SQL, as lib/schema.c of libeafsearch 0.1 (schema 1) wrote it. */
static const char v1_sql[] =
    "PRAGMA journal_mode=WAL;"
    "BEGIN;"
    "CREATE TABLE eaf_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE article( id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, url TEXT,"
    " title TEXT NOT NULL DEFAULT '', date TEXT, day INTEGER,"
    " author TEXT NOT NULL DEFAULT '', affiliation TEXT NOT NULL DEFAULT '',"
    " topic TEXT NOT NULL DEFAULT '', country TEXT NOT NULL DEFAULT '',"
    " summary TEXT, body TEXT, bio TEXT, lang TEXT, hash INTEGER NOT NULL);"
    "CREATE INDEX article_day ON article(day);"
    "CREATE TABLE author( article_id INTEGER NOT NULL, pos INTEGER NOT NULL,"
    " name TEXT NOT NULL, affiliation TEXT, PRIMARY KEY(article_id, pos)) WITHOUT ROWID;"
    "CREATE TABLE facet( kind INTEGER NOT NULL, norm TEXT NOT NULL,"
    " article_id INTEGER NOT NULL, pos INTEGER NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(kind, norm, article_id)) WITHOUT ROWID;"
    "CREATE INDEX facet_article ON facet(article_id, kind, pos);"
    "CREATE TABLE site_related( article_id INTEGER NOT NULL, pos INTEGER NOT NULL,"
    " title TEXT NOT NULL, PRIMARY KEY(article_id, pos)) WITHOUT ROWID;"
    "CREATE TRIGGER article_ai AFTER INSERT ON article BEGIN"
    " INSERT INTO fts(rowid, title, author, affiliation, topic, country, summary, body, bio)"
    " VALUES (new.id, new.title, new.author, new.affiliation, new.topic, new.country,"
    " new.summary, new.body, new.bio); END;"
    "CREATE TRIGGER article_ad AFTER DELETE ON article BEGIN"
    " INSERT INTO fts(fts, rowid, title, author, affiliation, topic, country, summary, body,"
    " bio) VALUES ('delete', old.id, old.title, old.author, old.affiliation, old.topic,"
    " old.country, old.summary, old.body, old.bio);"
    " DELETE FROM author WHERE article_id = old.id;"
    " DELETE FROM facet WHERE article_id = old.id;"
    " DELETE FROM site_related WHERE article_id = old.id; END;"
    "CREATE TRIGGER article_au AFTER UPDATE OF title, author, affiliation, topic, country,"
    " summary, body, bio ON article BEGIN"
    " INSERT INTO fts(fts, rowid, title, author, affiliation, topic, country, summary, body,"
    " bio) VALUES ('delete', old.id, old.title, old.author, old.affiliation, old.topic,"
    " old.country, old.summary, old.body, old.bio);"
    " INSERT INTO fts(rowid, title, author, affiliation, topic, country, summary, body, bio)"
    " VALUES (new.id, new.title, new.author, new.affiliation, new.topic, new.country,"
    " new.summary, new.body, new.bio); END;"
    "CREATE VIRTUAL TABLE fts USING fts5(title, author, affiliation, topic, country,"
    " summary, body, bio, content='article', content_rowid='id',"
    " tokenize='eaf english');"
    "INSERT INTO eaf_meta VALUES ('schema_version', '1');"
    "INSERT INTO eaf_meta VALUES ('tokenizer', 'eaf');"
    "INSERT INTO eaf_meta VALUES ('tokenizer_version', '1');"
    "INSERT INTO eaf_meta VALUES ('language', 'english');"
    "INSERT INTO eaf_meta VALUES ('created_by', 'libeafsearch 0.1.0');"
    "INSERT INTO article(key, title, body, author, hash)"
    " VALUES ('old/1', 'An article from version one', 'Its body text.', 'Old Author', 7);"
    "INSERT INTO author VALUES (1, 0, 'Old Author', NULL);"
    "PRAGMA application_id = 1161905713;"
    "PRAGMA user_version = 1;"
    "COMMIT;";

static int user_version(const char *path)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static void test_migration(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600], file[600];
    sqlite3 *s = NULL;
    char *msg = NULL;
    const char *emsg = NULL;
    eaf_db *db;
    eaf_article *a = NULL;
    eaf_search *se = NULL;
    eaf_source_state state;
    tu_counts c;
    int64_t removed;
    int rc;

    snprintf(dbpath, sizeof(dbpath), "%s/v1.db", dir);
    snprintf(file, sizeof(file), "%s/new.jsonl", dir);
    rc = sqlite3_open(dbpath, &s);
    if (rc == SQLITE_OK)
        rc = eaf__fts_register(s, 0, NULL, NULL, &emsg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s, v1_sql, NULL, NULL, &msg);
    is_int(rc, SQLITE_OK, "a version-1 index made with the version-1 SQL (%s)",
           msg ? msg : emsg ? emsg : "");
    sqlite3_free(msg);
    sqlite3_close(s);
    is_int(user_version(dbpath), 1, "it is version 1");

    /* read-only: read as it is, not upgraded */
    db = tu_open_db(dbpath, EAF_OPEN_READONLY, 0);
    ok(db != NULL, "a read-only handle opens it");
    if (db) {
        ok(eaf_db_get(&a, db, "old/1") == EAF_OK, "and reads its article");
        eaf_article_free(a);
        a = NULL;
        is_int(eaf_db_source_check(&state, db, dbpath, 0), EAF_READONLY,
               "sources need the upgrade: EAF_READONLY");
        ok(strstr(eaf_db_errmsg(db), "schema version 1") != NULL, "with a message (%s)",
           eaf_db_errmsg(db));
        eaf_db_close(db);
    }
    is_int(user_version(dbpath), 1, "still version 1");

    /* read-write: upgraded in place, nothing lost */
    db = tu_open_db(dbpath, 0, 0);
    ok(db != NULL, "a read-write handle opens it");
    if (!db) {
        tu_cleanup();
        return;
    }
    is_int(user_version(dbpath), 6, "it is now version 6");
    ok(eaf_db_get(&a, db, "old/1") == EAF_OK, "the old article is still there");
    is_str(a ? eaf_article_get(a, EAF_FIELD_TITLE) : NULL, "An article from version one",
           "with its title");
    is_str(a ? eaf_article_author_name(a, 0) : NULL, "Old Author", "and its author");
    eaf_article_free(a);
    if (eaf_search_new(&se, db, "body", NULL) == EAF_OK) {
        is_int(eaf_search_next(se), EAF_ROW, "its text is still searchable");
        eaf_search_free(se);
    }
    write_file(file, "{\"id\": \"new/1\", \"title\": \"A new article\", \"body\": \"body\"}\n");
    tu_index_file(db, file, &c, &removed);
    is_int(c.added, 1, "a file indexed after the upgrade");
    is_int(count(db), 2, "two articles");
    if (eaf_search_new(&se, db, "body", NULL) == EAF_OK) {
        int n = 0;
        while (eaf_search_next(se) == EAF_ROW)
            n++;
        is_int(n, 2, "both are found: the new one was added to fts once");
        eaf_search_free(se);
    }
    eaf_db_close(db);
    db = tu_open_db(dbpath, 0, 0);
    is_int(eaf_db_source_check(&state, db, file, 0), EAF_OK, "reopened: check");
    is_int(state, EAF_SOURCE_UNCHANGED, "the file is remembered");
    eaf_db_close(db);

    /* a newer version is refused */
    rc = sqlite3_open(dbpath, &s);
    sqlite3_exec(s, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(s);
    {
        eaf_db *d = NULL;
        char *err = NULL;
        is_int(eaf_db_open(&d, dbpath, NULL, &err), EAF_SCHEMA, "version 99 is refused");
        ok(err && strstr(err, "version 99"), "naming the version (%s)", err ? err : "");
        eaf_free(err);
    }
    tu_cleanup();
}

int main(void)
{
    test_sources();
    test_interrupted();
    test_articles();
    test_migration();
    return done_testing();
}
