/*
 * test_readonly.c: an index a user may only read.
 *
 * An index is built in a folder, which is then made read-only; a child
 * process reads it as another user (nobody, when the test runs as root,
 * who is not kept out by permissions; else the same user, whom the
 * folder's mode keeps out): it opens the index read-only, searches it,
 * lists an article's related articles, walks every article (the export)
 * and checks it, and a read-write open is refused with a clear message.
 * Then the same once the -wal and -shm files are gone (a copy of the
 * index alone on a read-only mount): the index is read as immutable.
 * And a damaged full-text index is found by the read-only check too.
 */
#include "eafsearch.h"
#include "tap.h"
#include "testutil.h"

#include <errno.h>
#include <grp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "fts.h"

#define NOBODY 65534

static char dir[256], dbpath[300];

static void build(void)
{
    static const char *const words[] = {"harbour", "tariff", "election", "monsoon"};
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char key[32], title[64], body[256];
    int i;

    o.flags = EAF_OPEN_CREATE;
    if (eaf_db_open(&db, dbpath, &o, NULL) != EAF_OK)
        exit(99);
    for (i = 0; i < 40; i++) {
        eaf_article *a;
        snprintf(key, sizeof(key), "k%02d", i);
        snprintf(title, sizeof(title), "The %s question %d", words[i % 4], i);
        snprintf(body, sizeof(body), "A long piece on the %s and the %s, part %d.",
                 words[i % 4], words[(i + 1) % 4], i);
        a = tu_article(key, title, "2020-01-01", body, "Ana Author|Some Institute",
                       i % 2 ? "t:Trade;c:Japan" : "t:Politics;c:China");
        if (eaf_db_put(NULL, db, a) != EAF_OK)
            exit(99);
        eaf_article_free(a);
    }
    if (eaf_related_build(NULL, db, NULL, NULL, NULL) != EAF_OK)
        exit(99);
    eaf_db_close(db);
}

static int count_article(const eaf_article *a, void *payload)
{
    (void)a;
    ++*(int *)payload;
    return 0;
}

/* What the reader saw, one character per check ('1' passed, '0' not),
 * written to fd. */
static void reader(int fd, int expect_problems)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_db *db = NULL;
    eaf_search *s = NULL;
    eaf_related *r = NULL;
    char res[16], *err = NULL;
    int n = 0, hits = 0;
    int64_t problems = -1;
    eaf_status st;

    memset(res, '0', sizeof(res));
    res[sizeof(res) - 1] = '\0';
    o.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, dbpath, &o, &err) == EAF_OK) {
        res[0] = '1';
        so.limit = 100;
        if (eaf_search_new(&s, db, "tariff", &so) == EAF_OK) {
            while (eaf_search_next(s) == EAF_ROW)
                hits++;
            eaf_search_free(s);
        }
        res[1] = hits == 20 ? '1' : '0';
        if (eaf_related_new(&r, db, "k01", NULL) == EAF_OK) {
            res[2] = eaf_related_count(r) > 0 ? '1' : '0';
            eaf_related_free(r);
        }
        if (eaf_db_articles(db, count_article, &n) == EAF_OK && n == 40)
            res[3] = '1';
        st = eaf_db_check(&problems, db, NULL, NULL);
        if (expect_problems ? st == EAF_CORRUPT && problems > 0 && strstr(eaf_db_errmsg(db), "FTS5")
                            : st == EAF_OK && problems == 0)
            res[4] = '1';
        else
            fprintf(stderr, "# check: %s (%lld problems)\n", eaf_db_errmsg(db),
                    (long long)problems);
        eaf_db_close(db);
    } else {
        fprintf(stderr, "# read-only open: %s\n", err ? err : "?");
    }
    eaf_free(err);
    err = NULL;
    o.flags = 0;
    st = eaf_db_open(&db, dbpath, &o, &err);
    res[5] = st == EAF_READONLY && err && strstr(err, "open it read-only") ? '1' : '0';
    if (st == EAF_OK)
        eaf_db_close(db);
    eaf_free(err);
    if (write(fd, res, 6) != 6)
        _exit(98);
}

/* The mode of the index and its -wal and -shm files, those there are. */
static void files_mode(mode_t m)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char p[320];
    int i;

    for (i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s%s", dbpath, suffix[i]);
        chmod(p, m);
    }
}

/* Runs reader() in a child, as nobody when root; the folder and the
 * files are read-only meanwhile.  Returns what it saw. */
static const char *as_another_user(int expect_problems)
{
    static char res[8];
    int fds[2];
    pid_t pid;
    ssize_t got;

    memset(res, 0, sizeof(res));
    files_mode(0444);
    chmod(dir, 0555);
    if (pipe(fds) != 0)
        exit(99);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(NOBODY) != 0 ||
                               setuid(NOBODY) != 0))
            _exit(97);
        reader(fds[1], expect_problems);
        _exit(0);
    }
    close(fds[1]);
    got = read(fds[0], res, 6);
    close(fds[0]);
    waitpid(pid, NULL, 0);
    chmod(dir, 0755);
    files_mode(0644);
    if (got != 6)
        snprintf(res, sizeof(res), "------");
    return res;
}

static void report(const char *res, const char *when)
{
    static const char *const what[] = {
        "opens read-only", "searches (20 hits)", "lists related articles",
        "walks every article (the export)", "checks it", "a read-write open is refused, "
                                                       "saying to open it read-only"};
    int i;

    for (i = 0; i < 6; i++)
        ok(res[i] == '1', "%s: %s", when, what[i]);
}

static int exists(const char *suffix)
{
    char p[320];
    struct stat sb;

    snprintf(p, sizeof(p), "%s%s", dbpath, suffix);
    return stat(p, &sb) == 0;
}

int main(void)
{
    char p[320];

    snprintf(dir, sizeof(dir), "/tmp/eafro.XXXXXX");
    if (!mkdtemp(dir))
        return 99;
    chmod(dir, 0755);
    snprintf(dbpath, sizeof(dbpath), "%s/index.db", dir);
    build();
    chmod(dbpath, 0644);
    diag("reading as %s", geteuid() == 0 ? "nobody (the test runs as root)"
                                         : "this user, in a folder made read-only");
    ok(exists("-wal") && exists("-shm"), "a writer leaves the -wal and -shm files");
    report(as_another_user(0), "a user who may only read");

    /* the index alone: its log files gone (a copy on a read-only mount) */
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    report(as_another_user(0), "without its -wal and -shm files (read as immutable)");
    ok(!exists("-wal") && !exists("-shm"), "and the reader made none");

    /* a full-text index damaged: the read-only check finds it too */
    {
        sqlite3 *s = NULL;
        const char *emsg = NULL;
        if (sqlite3_open(dbpath, &s) != SQLITE_OK || eaf__fts_register(s, 0, NULL, NULL, &emsg) ||
            sqlite3_exec(s, "DELETE FROM fts_docsize WHERE id = 3", NULL, NULL, NULL))
            return 99;
        sqlite3_close(s);
    }
    {
        const char *res = as_another_user(1);
        ok(res[0] == '1', "a damaged index: opens read-only");
        ok(res[4] == '1', "and the read-only check names the damage");
    }
    snprintf(p, sizeof(p), "%s-wal", dbpath);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", dbpath);
    unlink(p);
    unlink(dbpath);
    rmdir(dir);
    return done_testing();
}
