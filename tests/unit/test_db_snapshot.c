/*
 * test_db_snapshot.c: eaf_db_snapshot() writes a copy that opens, checks
 * clean, holds every article and the source's generation, has no free
 * pages and no log beside it; a copy taken while another process keeps
 * committing batches holds whole batches only; a destination that cannot
 * be written is refused with its path named and nothing left behind; a
 * snapshot replaces another atomically, handles on the old one reading on.
 * (test_snapshot.c is about the read snapshots of searches.)
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define BATCH 10

static void put(eaf_db *db, const char *key, const char *body)
{
    eaf_article *a = tu_article(key, "A harbour report", "2021-04-04", body, NULL, NULL);

    if (eaf_db_put(NULL, db, a) != EAF_OK) {
        printf("# put %s: %s\n", key, eaf_db_errmsg(db));
        exit(99);
    }
    eaf_article_free(a);
}

static eaf_db *open_ro(const char *path)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char *err = NULL;

    o.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, path, &o, &err) != EAF_OK) {
        printf("# open %s: %s\n", path, err ? err : "?");
        eaf_free(err);
        return NULL;
    }
    return db;
}

static int64_t count_of(eaf_db *db)
{
    int64_t n = -1;

    if (eaf_db_count(&n, db) != EAF_OK)
        return -1;
    return n;
}

static uint64_t gen_of(eaf_db *db)
{
    uint64_t g = 0;

    if (eaf_db_generation(&g, db) != EAF_OK)
        return (uint64_t)-1;
    return g;
}

/* An integer of a PRAGMA on the file, through a connection of its own. */
static long pragma(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *q = NULL;
    long v = -1;

    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(s);
    return v;
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

/* The number of entries of the temporary folder. */
static int entries(void)
{
    DIR *d = opendir(tu_dir);
    struct dirent *e;
    int n = 0;

    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    if (d)
        closedir(d);
    return n;
}

/* Every batch in the copy is whole: for each b, the keys b<b>/0..BATCH-1
 * all there or none.  Returns the number of broken batches. */
static int broken_batches(eaf_db *db, int max_batch)
{
    int b, i, broken = 0;
    char key[32];

    for (b = 0; b < max_batch; b++) {
        int have = 0;
        for (i = 0; i < BATCH; i++) {
            eaf_article *a = NULL;
            snprintf(key, sizeof(key), "b%d/%d", b, i);
            if (eaf_db_get(&a, db, key) == EAF_OK)
                have++;
            eaf_article_free(a);
        }
        if (have != 0 && have != BATCH) {
            diag("batch %d has %d of %d articles", b, have, BATCH);
            broken++;
        }
    }
    return broken;
}

/* The writer of the concurrent test: batches of BATCH articles, each in
 * one transaction, until killed. */
static void writer(const char *path)
{
    eaf_db *w = tu_open_db(path, 0, 10000);
    struct timespec nap = {0, 5 * 1000 * 1000};
    char key[32];
    int b, i;

    if (!w)
        _exit(3);
    for (b = 0;; b++) {
        if (eaf_db_begin(w) != EAF_OK)
            _exit(4);
        for (i = 0; i < BATCH; i++) {
            snprintf(key, sizeof(key), "b%d/%d", b, i);
            put(w, key, "Cranes unloaded the grain at the harbour before dawn, "
                        "and the barges left on the tide.");
        }
        if (eaf_db_commit(w) != EAF_OK)
            _exit(5);
        nanosleep(&nap, NULL); /* a steady writer, not a flood */
    }
}

int main(void)
{
    eaf_db *src, *copy, *ro, *old;
    eaf_article *a = NULL;
    int64_t problems = -1;
    uint64_t gen = 0, g2 = 0;
    char key[32], bad[600];
    int i, n, missing;
    eaf_status st;
    pid_t pid;

    tu_tmpdir();
    src = tu_open("src.db", NULL);
    /* 300 articles, then 200 of them deleted: the file has free pages */
    for (i = 0; i < 300; i++) {
        snprintf(key, sizeof(key), "k/%d", i);
        put(src, key, "The harbour was dredged, and the quay rebuilt in stone by the "
                      "engineers of the port authority over three long winters.");
    }
    for (i = 100; i < 300; i++) {
        snprintf(key, sizeof(key), "k/%d", i);
        if (eaf_db_delete(src, key) != EAF_OK)
            return 99;
    }
    if (sqlite3_exec(src->sql, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
        return 99;

    /* ---- a snapshot: it opens, checks clean, has every article ---- */
    st = eaf_db_snapshot(&gen, src, tu_path("snap.db"));
    is_int(st, EAF_OK, "a snapshot of an index: %s", eaf_db_errmsg(src));
    is_int(gen, gen_of(src), "it gives the source's generation (%llu)", (unsigned long long)gen);
    ok(gen > 0, "which is not the empty index's");
    copy = open_ro(tu_path("snap.db"));
    ok(copy != NULL, "the snapshot opens read-only");
    if (!copy)
        return 1;
    is_int(eaf_db_check(&problems, copy, NULL, NULL), EAF_OK, "it checks clean");
    is_int(problems, 0, "no problem found");
    is_int(count_of(copy), 100, "it has the 100 articles");
    for (i = 0, missing = 0; i < 100; i++) {
        snprintf(key, sizeof(key), "k/%d", i);
        if (eaf_db_get(&a, copy, key) != EAF_OK)
            missing++;
        eaf_article_free(a);
        a = NULL;
    }
    is_int(missing, 0, "every article is there by its key");
    is_int(gen_of(copy), gen, "the snapshot reads the source's generation");
    is_int(pragma(tu_path("snap.db"), "PRAGMA freelist_count"), 0,
           "the snapshot has no free pages");
    ok(pragma(tu_path("src.db"), "PRAGMA freelist_count") > 0,
       "(the source has some: the copy was compacted)");
    ok(!exists(tu_path("snap.db-wal")) && !exists(tu_path("snap.db-shm")),
       "no log beside the snapshot, open and read");
    is_int(pragma(tu_path("snap.db"), "PRAGMA integrity_check") == -1, 0,
           "SQLite reads it");
    is_int(entries(), 4, "src.db, its -wal, -shm and snap.db: no temporary file left");

    /* ---- a snapshot replaces the old one; its readers read on ---- */
    put(src, "k/new", "A new harbour master took office.");
    old = copy;
    st = eaf_db_snapshot(&g2, src, tu_path("snap.db"));
    is_int(st, EAF_OK, "a second snapshot over the first: %s", eaf_db_errmsg(src));
    ok(g2 > gen, "with a later generation (%llu > %llu)", (unsigned long long)g2,
       (unsigned long long)gen);
    is_int(count_of(old), 100, "a handle opened on the old snapshot still reads it");
    is_int(gen_of(old), gen, "and its generation");
    copy = open_ro(tu_path("snap.db"));
    is_int(copy ? count_of(copy) : -1, 101, "a handle opened now reads the new one");
    is_int(copy ? gen_of(copy) : 0, g2, "with the new generation");
    eaf_db_close(old);

    /* ---- from a read-only handle, and of a snapshot (rollback journal) ---- */
    ro = open_ro(tu_path("src.db"));
    st = ro ? eaf_db_snapshot(NULL, ro, tu_path("snap2.db")) : EAF_ERROR;
    is_int(st, EAF_OK, "a snapshot from a read-only handle");
    eaf_db_close(ro);
    st = copy ? eaf_db_snapshot(&g2, copy, tu_path("snap3.db")) : EAF_ERROR;
    is_int(st, EAF_OK, "a snapshot of a snapshot (rollback-journal source)");
    eaf_db_close(copy);
    copy = open_ro(tu_path("snap3.db"));
    is_int(copy ? count_of(copy) : -1, 101, "it has the articles");
    eaf_db_close(copy);

    /* ---- refusals: the path named, nothing left behind ---- */
    n = entries();
    snprintf(bad, sizeof(bad), "%s/no-such-folder/x.db", tu_dir);
    st = eaf_db_snapshot(&g2, src, bad);
    is_int(st, EAF_IO, "a snapshot into a missing folder: EAF_IO");
    ok(strstr(eaf_db_errmsg(src), bad) != NULL, "the message names the path: %s",
       eaf_db_errmsg(src));
    is_int(g2, 0, "no generation given");
    st = eaf_db_snapshot(NULL, src, tu_dir);
    is_int(st, EAF_IO, "a snapshot onto a folder: EAF_IO");
    ok(strstr(eaf_db_errmsg(src), tu_dir) != NULL, "named: %s", eaf_db_errmsg(src));
    st = eaf_db_snapshot(NULL, src, tu_path("src.db"));
    is_int(st, EAF_MISUSE, "a snapshot over its own index: EAF_MISUSE");
    tu_write(tu_path("live.db"), "x", 1);
    tu_write(tu_path("live.db-wal"), "", 0);
    st = eaf_db_snapshot(NULL, src, tu_path("live.db"));
    is_int(st, EAF_IO, "a destination with a log beside it is refused");
    ok(strstr(eaf_db_errmsg(src), "live.db-wal") != NULL, "naming the log: %s",
       eaf_db_errmsg(src));
    {
        struct stat sb;
        ok(stat(tu_path("live.db"), &sb) == 0 && sb.st_size == 1, "and left as it was");
    }
    unlink(tu_path("live.db"));
    unlink(tu_path("live.db-wal"));
    if (eaf_db_begin(src) != EAF_OK)
        return 99;
    is_int(eaf_db_snapshot(NULL, src, tu_path("x.db")), EAF_MISUSE,
           "a snapshot inside a transaction: EAF_MISUSE");
    if (eaf_db_commit(src) != EAF_OK)
        return 99;
    if (geteuid() != 0) {
        chmod(tu_dir, 0555);
        st = eaf_db_snapshot(NULL, src, tu_path("x.db"));
        chmod(tu_dir, 0755);
        is_int(st, EAF_IO, "a folder that cannot be written: EAF_IO (%s)", eaf_db_errmsg(src));
    }
    is_int(entries(), n, "no file left behind by the refusals");
    eaf_db_close(src);

    /* ---- a snapshot while another process commits batches ---- */
    {
        eaf_db *w = tu_open("live2.db", NULL);
        int rounds = 0, bad_rounds = 0, grew = 0;
        int64_t last = 0;
        eaf_db_close(w);
        fflush(stdout);
        pid = fork();
        if (pid == 0)
            writer(tu_path("live2.db"));
        src = open_ro(tu_path("live2.db"));
        if (!src) {
            kill(pid, SIGKILL);
            return 99;
        }
        for (i = 0; i < 8; i++) {
            int64_t c;
            struct timespec nap = {0, 30 * 1000 * 1000};
            nanosleep(&nap, NULL);
            st = eaf_db_snapshot(&gen, src, tu_path("live-snap.db"));
            if (st != EAF_OK) {
                diag("snapshot %d: %s", i, eaf_db_errmsg(src));
                bad_rounds++;
                continue;
            }
            copy = open_ro(tu_path("live-snap.db"));
            c = copy ? count_of(copy) : -1;
            rounds++;
            if (!copy || c % BATCH != 0 || broken_batches(copy, (int)(c / BATCH) + 20) != 0 ||
                gen_of(copy) != gen || eaf_db_check(&problems, copy, NULL, NULL) != EAF_OK) {
                diag("snapshot %d: %lld articles, not whole batches or not clean", i,
                     (long long)c);
                bad_rounds++;
            }
            if (c > last)
                grew++;
            last = c;
            eaf_db_close(copy);
        }
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        eaf_db_close(src);
        is_int(rounds, 8, "8 snapshots taken while another process commits batches");
        is_int(bad_rounds, 0, "each holds whole batches only, its generation, and checks clean");
        ok(grew >= 2, "the writer went on meanwhile (the copies grew %d times, last %lld "
                      "articles)", grew, (long long)last);
    }

    tu_cleanup();
    return done_testing();
}
