/*
 * test_writers.c: nothing lost when files or writers overlap.
 *
 *   - two files that give one key: the first keeps the article, the put
 *     says EAF_CHANGE_CONFLICT and names the first file; the article
 *     stays while either file gives it, and passes to the other file
 *     (marked to be read again) when the first no longer does; a key
 *     given twice by one file; a first file that is gone;
 *   - two handles reading the same files without the writer lock, their
 *     steps interleaved in many random orders (as two eafindex runs are
 *     when their batches alternate): no article is ever lost, whatever
 *     the order, and the index passes its check;
 *   - EAF_OPEN_LOCK: a second writer waits, then gets EAF_BUSY; handles
 *     without the flag are not kept out;
 *   - an index of schema 4 upgraded to 5 keeps the file of every article.
 */
#include "eafsearch.h"
#include "tap.h"
#include "testutil.h"

#include <sqlite3.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "fts.h"

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");

    if (!fp || fputs(text, fp) == EOF) {
        perror(path);
        exit(99);
    }
    fclose(fp);
}

static int64_t count(eaf_db *db)
{
    int64_t n = -1;

    if (eaf_db_count(&n, db) != EAF_OK)
        return -1;
    return n;
}

/* The title of the article with this key, in a static buffer ("" when
 * there is none). */
static const char *title_of(eaf_db *db, const char *key)
{
    static char buf[128];
    eaf_article *a = NULL;

    buf[0] = '\0';
    if (eaf_db_get(&a, db, key) == EAF_OK)
        snprintf(buf, sizeof(buf), "%s", eaf_article_get(a, EAF_FIELD_TITLE));
    eaf_article_free(a);
    return buf;
}

static int check_ok(eaf_db *db)
{
    int64_t problems = -1;
    eaf_status st = eaf_db_check(&problems, db, NULL, NULL);

    if (st != EAF_OK)
        diag("check: %s", eaf_db_errmsg(db));
    return st == EAF_OK && problems == 0;
}

/* ---- two files, one key ------------------------------------------------------------ */

/* Appends each path to payload (a buffer of 1024 bytes), space-separated. */
static int collect_pending(const char *path, int64_t articles, void *payload)
{
    char *buf = payload;
    size_t n = strlen(buf);

    (void)articles;
    snprintf(buf + n, 1024 - n, "%s%s", n ? " " : "", path);
    return 0;
}

static void test_two_files(void)
{
    char pend[1024];
    const char *dir = tu_tmpdir();
    char dbpath[600], a[600], b[600], c[600];
    eaf_db *db;
    tu_counts t;
    eaf_source_state state;
    int64_t removed;

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    snprintf(a, sizeof(a), "%s/a.jsonl", dir);
    snprintf(b, sizeof(b), "%s/b.jsonl", dir);
    snprintf(c, sizeof(c), "%s/c.jsonl", dir);
    write_file(a, "{\"id\": \"k1\", \"title\": \"A's k1\", \"body\": \"full text\"}\n"
                  "{\"id\": \"a2\", \"title\": \"A two\"}\n");
    write_file(b, "{\"id\": \"k1\", \"title\": \"B's k1\"}\n"
                  "{\"id\": \"b2\", \"title\": \"B two\"}\n");
    db = tu_open_db(dbpath, EAF_OPEN_CREATE, 0);
    if (!ok(db != NULL, "a new index"))
        return;
    tu_index_file(db, a, &t, NULL);
    is_int(t.added, 2, "a: two articles added");
    tu_index_file(db, b, &t, NULL);
    is_int(t.conflict, 1, "b: its k1 is a conflict (EAF_CHANGE_CONFLICT)");
    is_str(t.conflict_with, a, "naming the file that keeps it");
    is_int(t.added, 1, "b: its other article added");
    is_str(title_of(db, "k1"), "A's k1", "the first file's version is kept");
    is_int(count(db), 3, "three articles");

    /* read b again: still a conflict, nothing changes */
    tu_index_file(db, b, &t, NULL);
    is_int(t.conflict + t.added + t.updated + t.unchanged, 0, "b unchanged: not read");

    /* a no longer gives k1: k1 stays (b gives it), passes to b, b is to be read again */
    write_file(a, "{\"id\": \"a2\", \"title\": \"A two\"}\n");
    tu_index_file(db, a, &t, NULL);
    ok(*title_of(db, "k1") != '\0', "a dropped k1: k1 stays, as b gives it");
    memset(&pend, 0, sizeof(pend));
    is_int(eaf_db_source_pending(db, NULL, collect_pending, &pend), EAF_OK,
           "the files to read again");
    is_str(pend, b, "are b alone");
    is_int(eaf_db_source_check(&state, db, b, 0), EAF_OK, "check b");
    is_int(state, EAF_SOURCE_CHANGED, "b is marked to be read again");
    tu_index_file(db, b, &t, NULL);
    is_int(t.updated, 1, "b read again: k1 updated");
    memset(&pend, 0, sizeof(pend));
    is_int(eaf_db_source_pending(db, NULL, collect_pending, &pend), EAF_OK,
           "the files to read again, after");
    is_str(pend, "", "are none");
    is_str(title_of(db, "k1"), "B's k1", "to b's version");
    is_int(t.conflict, 0, "no conflict now");

    /* a gives k1 again: b keeps it now */
    write_file(a, "{\"id\": \"k1\", \"title\": \"A's k1\"}\n{\"id\": \"a2\", \"title\": \"A two\"}\n");
    tu_index_file(db, a, &t, NULL);
    is_int(t.conflict, 1, "a gives k1 again: now a conflict for a");
    is_str(t.conflict_with, b, "naming b");

    /* b is gone (pruned): k1 stays and passes to a */
    is_int(eaf_db_source_remove(&removed, db, b, NULL, NULL), EAF_OK, "b removed");
    is_int(removed, 1, "b2 goes with it (only b gave it)");
    ok(*title_of(db, "k1") != '\0', "k1 stays: a gives it");
    is_int(eaf_db_source_check(&state, db, a, 0), EAF_OK, "check a");
    is_int(state, EAF_SOURCE_CHANGED, "a is marked to be read again");
    tu_index_file(db, a, &t, NULL);
    is_str(title_of(db, "k1"), "A's k1", "and a's version is stored");

    /* a is gone too: k1 goes */
    is_int(eaf_db_source_remove(&removed, db, a, NULL, NULL), EAF_OK, "a removed");
    is_int(removed, 2, "k1 and a2 go: no file gives them");
    is_int(count(db), 0, "nothing left");

    /* a key given twice in one file: the last one wins, and it is named */
    write_file(c, "{\"id\": \"d\", \"title\": \"first\"}\n{\"id\": \"d\", \"title\": \"second\"}\n");
    tu_index_file(db, c, &t, NULL);
    is_int(t.added, 1, "c: d added once");
    is_int(t.updated, 1, "then updated");
    is_str(t.conflict_with, c, "c named as giving d twice");
    is_str(title_of(db, "d"), "second", "the last one wins");
    tu_index_file(db, c, &t, NULL); /* unchanged: not read */
    write_file(c, "{\"id\": \"d\", \"title\": \"second\"}\n{\"id\": \"e\", \"title\": \"e\"}\n");
    tu_index_file(db, c, &t, NULL);
    is_str(t.conflict_with, "", "read again with d once: no file named");

    /* the first file gone from the disk (a folder moved) gives way at once */
    write_file(a, "{\"id\": \"m\", \"title\": \"old place\"}\n");
    tu_index_file(db, a, &t, NULL);
    unlink(a);
    write_file(b, "{\"id\": \"m\", \"title\": \"new place\"}\n");
    tu_index_file(db, b, &t, NULL);
    is_int(t.conflict, 0, "a file gone from the disk keeps nothing out");
    is_str(title_of(db, "m"), "new place", "the new file's version is stored");
    is_int(eaf_db_source_remove(&removed, db, a, NULL, NULL), EAF_OK, "a pruned");
    is_int(removed, 0, "m stays: b gives it");
    is_str(title_of(db, "m"), "new place", "with b's version");

    /* an article stored by a program without a file: a file takes it */
    {
        eaf_article *x = tu_article("free", "By hand", NULL, "text", NULL, NULL);
        ok(eaf_db_put(NULL, db, x) == EAF_OK, "an article put without a file");
        eaf_article_free(x);
    }
    write_file(c, "{\"id\": \"free\", \"title\": \"From c\"}\n");
    tu_index_file(db, c, &t, NULL);
    is_int(t.conflict, 0, "a file giving its key is no conflict");
    is_str(title_of(db, "free"), "From c", "the file's version is stored");
    ok(check_ok(db), "the index passes its check");
    eaf_db_close(db);
    tu_cleanup();
}

/* ---- two writers, interleaved ------------------------------------------------------- */

/*
 * Writer w reads files[f] in steps: begin, one put per article, end; a
 * commit after every few steps (its batch).  Two writers on two handles
 * step in a random order, each in its own transactions (SQLite lets one
 * write at a time; a writer commits before the other takes a step, as
 * the lock passes between their batches).
 */
#define NFILES 4
#define PER_FILE 6

static char paths[NFILES][600];

typedef struct writer {
    eaf_db *db;
    eaf_reader *r;
    int file, batch, in_txn, done, began;
} writer;

static unsigned rng_state;

static unsigned rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 16) & 0x7fff;
}

/* One step of w; returns 0 while it has more to do. */
static int step(writer *w, int batch)
{
    eaf_article *a;
    eaf_status st;

    if (w->done)
        return 1;
    if (!w->in_txn) {
        if (eaf_db_begin(w->db) != EAF_OK) {
            /* never: the other commits before this one steps */
            diag("begin: %s", eaf_db_errmsg(w->db));
            w->done = 1;
            return 1;
        }
        w->in_txn = 1;
    }
    if (!w->began) {
        eaf_source_state state;
        if (eaf_db_source_check(&state, w->db, paths[w->file], 0) == EAF_OK &&
            state == EAF_SOURCE_UNCHANGED) {
            w->file++;
        } else if (eaf_reader_open(&w->r, paths[w->file], NULL, NULL) == EAF_OK &&
                   eaf_db_source_begin(w->db, paths[w->file]) == EAF_OK) {
            w->began = 1;
        }
    } else if ((st = eaf_reader_next(&a, w->r)) == EAF_ROW) {
        if (eaf_db_put(NULL, w->db, a) != EAF_OK)
            diag("put: %s", eaf_db_errmsg(w->db));
        eaf_article_free(a);
    } else {
        if (eaf_db_source_end(NULL, w->db, st == EAF_DONE, NULL, NULL) != EAF_OK)
            diag("end: %s", eaf_db_errmsg(w->db));
        eaf_reader_free(w->r);
        w->r = NULL;
        w->began = 0;
        w->file++;
    }
    if (++w->batch >= batch || w->file == NFILES) {
        if (eaf_db_commit(w->db) != EAF_OK)
            diag("commit: %s", eaf_db_errmsg(w->db));
        w->in_txn = 0;
        w->batch = 0;
    }
    if (w->file == NFILES) {
        w->done = 1;
        return 1;
    }
    return 0;
}

static void test_interleaved(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600];
    /* fewer under valgrind (check-valgrind sets a wrapper) */
    const char *wrapped = getenv("EAF_TEST_WRAPPER");
    int round, rounds = wrapped && *wrapped ? 20 : 120, lost_rounds = 0, bad_checks = 0, f, i;
    int64_t least = -1;
    writer w[2];

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    for (f = 0; f < NFILES; f++) {
        char text[4096], *p = text;
        snprintf(paths[f], sizeof(paths[f]), "%s/f%d.jsonl", dir, f);
        for (i = 0; i < PER_FILE; i++)
            p += sprintf(p, "{\"id\": \"f%d-%d\", \"title\": \"File %d article %d\"}\n", f, i, f,
                         i);
        write_file(paths[f], text);
    }
    for (round = 0; round < rounds; round++) {
        int64_t n;
        int batch = 1 + round % 5;

        rng_state = 7919u * (unsigned)round + 1;
        unlink(dbpath);
        {
            char p[700];
            snprintf(p, sizeof(p), "%s-wal", dbpath);
            unlink(p);
            snprintf(p, sizeof(p), "%s-shm", dbpath);
            unlink(p);
        }
        for (i = 0; i < 2; i++) {
            memset(&w[i], 0, sizeof(w[i]));
            w[i].db = tu_open_db(dbpath, EAF_OPEN_CREATE, -1); /* never waits */
            if (!w[i].db)
                exit(99);
        }
        /* the second writer starts after a random number of the first's steps */
        for (i = (int)(rng() % 40); i > 0; i--)
            step(&w[0], batch);
        while (w[0].in_txn && !w[0].done)
            step(&w[0], batch);
        while (!(w[0].done && w[1].done)) {
            writer *x = &w[rng() % 2];
            /* a writer's batch runs whole before the other writes */
            do
                step(x, batch);
            while (x->in_txn && !x->done);
        }
        n = count(w[0].db);
        if (n != NFILES * PER_FILE) {
            if (lost_rounds++ < 3)
                diag("round %d (batch %d): %lld of %d articles", round, batch, (long long)n,
                     NFILES * PER_FILE);
        }
        if (least < 0 || n < least)
            least = n;
        if (round % 30 == 0 && !check_ok(w[0].db))
            bad_checks++;
        for (i = 0; i < 2; i++) {
            if (w[i].r)
                eaf_reader_free(w[i].r);
            eaf_db_close(w[i].db);
        }
    }
    is_int(lost_rounds, 0, "two writers interleaved in %d random orders: no article lost", rounds);
    is_int((int)least, NFILES * PER_FILE, "the fewest articles any order left");
    is_int(bad_checks, 0, "and the index passed its check");
    tu_cleanup();
}

/* ---- the writer lock -------------------------------------------------------------- */

/* Runs sql on the index from a child process with a short timeout; its
 * SQLite code (for a pragma, SQLITE_BUSY also when it left the mode as it
 * was), passed back through a pipe (under valgrind a child's exit status
 * is valgrind's). */
static int other_process(const char *path, const char *sql)
{
    pid_t pid;
    int fds[2];
    unsigned char got = 0xff;

    fflush(stdout);
    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        sqlite3 *s = NULL;
        sqlite3_stmt *st = NULL;
        unsigned char out;
        int rc = sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE, NULL);

        close(fds[0]);
        sqlite3_busy_timeout(s, 100);
        if (rc == SQLITE_OK)
            rc = sqlite3_prepare_v2(s, sql, -1, &st, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) /* journal_mode: the mode it is in now */
                rc = strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0
                         ? SQLITE_BUSY : SQLITE_OK;
            else if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
        sqlite3_close(s);
        out = (unsigned char)(rc & 0xff);
        _exit(write(fds[1], &out, 1) == 1 ? 0 : 1);
    }
    close(fds[1]);
    if (read(fds[0], &got, 1) != 1)
        got = 0xff;
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return got == 0xff ? -1 : got;
}

static void test_lock(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600];
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *first, *second = NULL, *plain;
    char *err = NULL;
    struct timeval t0, t1;
    long ms;

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    first = tu_open_db(dbpath, EAF_OPEN_CREATE | EAF_OPEN_LOCK, 0);
    ok(first != NULL, "a writer takes the lock");
    o.flags = EAF_OPEN_LOCK;
    o.busy_timeout_ms = 300;
    gettimeofday(&t0, NULL);
    is_int(eaf_db_open(&second, dbpath, &o, &err), EAF_BUSY, "a second writer: EAF_BUSY");
    gettimeofday(&t1, NULL);
    ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
    ok(ms >= 250, "after waiting for it (%ld ms of 300)", ms);
    ok(err && strstr(err, "another program is writing") != NULL, "with a message (%s)",
       err ? err : "");
    eaf_free(err);
    plain = tu_open_db(dbpath, 0, 0);
    ok(plain != NULL, "a handle without the flag opens");
    eaf_db_close(plain);
    plain = tu_open_db(dbpath, EAF_OPEN_READONLY | EAF_OPEN_LOCK, 0);
    ok(plain != NULL, "a read-only handle ignores the flag");
    eaf_db_close(plain);
    eaf_db_close(first);
    second = tu_open_db(dbpath, EAF_OPEN_LOCK, 300);
    ok(second != NULL, "once the first is closed, the second takes the lock");
    eaf_db_close(second);

    /* closing a locking handle keeps the locks of the process's other
     * handles (closing a descriptor of a file drops every fcntl() lock the
     * process holds on it; the writer lock is on a file of its own): another
     * process can neither take a write transaction from a handle that holds
     * one nor take the file from under one that reads (leave WAL mode,
     * which needs it alone) */
    plain = tu_open_db(dbpath, 0, 0);
    ok(plain && eaf_db_begin(plain) == EAF_OK, "a handle holds a write transaction");
    second = tu_open_db(dbpath, EAF_OPEN_LOCK, 300);
    eaf_db_close(second);
    is_int(other_process(dbpath, "BEGIN IMMEDIATE"), SQLITE_BUSY,
           "after a locking handle of the same process closed, another process waits for "
           "the first handle's transaction");
    if (plain)
        (void)eaf_db_rollback(plain);
    {
        eaf_search *se = NULL;
        eaf_article *a = tu_article("held", "A harbour", NULL, "harbour", NULL, NULL);
        ok(eaf_db_put(NULL, plain, a) == EAF_OK && eaf_search_new(&se, plain, "harbour", NULL) == EAF_OK &&
               eaf_search_next(se) == EAF_ROW,
           "the first handle reads, a search open");
        eaf_article_free(a);
        second = tu_open_db(dbpath, EAF_OPEN_LOCK, 300);
        eaf_db_close(second);
        is_int(other_process(dbpath, "PRAGMA journal_mode=DELETE"), SQLITE_BUSY,
               "and cannot take the file from under its read");
        eaf_search_free(se);
    }
    eaf_db_close(plain);
    tu_cleanup();
}

/* ---- schema 4 to 5 ------------------------------------------------------------------ */


static void test_schema_4(void)
{
    const char *dir = tu_tmpdir();
    char dbpath[600], a[600], b[600];
    eaf_db *db;
    tu_counts t;
    int64_t removed;

    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    snprintf(a, sizeof(a), "%s/a.jsonl", dir);
    snprintf(b, sizeof(b), "%s/b.jsonl", dir);
    write_file(a, "{\"id\": \"x\", \"title\": \"X\"}\n{\"id\": \"y\", \"title\": \"Y\"}\n");
    write_file(b, "{\"id\": \"z\", \"title\": \"Z\"}\n");
    db = tu_open_db(dbpath, EAF_OPEN_CREATE, 0);
    tu_index_file(db, a, &t, NULL);
    tu_index_file(db, b, &t, NULL);
    eaf_db_close(db);
    /* back to schema 4: the table of files per article did not exist */
    is_int(tu_sql(dbpath, "DROP TRIGGER provide_ad; DROP TABLE provide;"
                            "UPDATE eaf_meta SET value = '4' WHERE name = 'schema_version';"
                            "PRAGMA user_version = 4;"),
           SQLITE_OK, "an index of schema 4");
    db = tu_open_db(dbpath, 0, 0);
    ok(db != NULL, "opened read-write: upgraded");
    if (!db)
        return;
    tu_index_file(db, a, &t, NULL);
    is_int(t.added + t.updated + t.unchanged, 0, "a is still known and unchanged");
    write_file(a, "{\"id\": \"x\", \"title\": \"X\"}\n");
    tu_index_file(db, a, &t, NULL);
    is_str(title_of(db, "y"), "", "a no longer gives y: y is removed (the upgrade knew a gave it)");
    is_int(eaf_db_source_remove(&removed, db, b, NULL, NULL), EAF_OK, "b removed");
    is_int(removed, 1, "with its article");
    is_int(count(db), 1, "x is left");
    ok(check_ok(db), "the index passes its check");
    eaf_db_close(db);
    tu_cleanup();
}

int main(void)
{
    test_two_files();
    test_interleaved();
    test_lock();
    test_schema_4();
    return done_testing();
}
