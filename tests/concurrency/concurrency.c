/*
 * concurrency.c: readers search while another process writes, and a
 * second writer waits for the lock, then gives up cleanly.
 *
 *   concurrency [--seconds S] [--readers R] [--eafindex PATH] [--seed N]
 *
 * A writer process (forked) changes the index in transactions for S
 * seconds: each adds 12 articles, rewrites 6 (other words, so that other
 * queries match them) and deletes 4.  Meanwhile R reader threads, each with
 * its own handle as the header's threading rules ask, run searches without
 * a pause, one in four reading every hit, the others a page of 20 at a
 * random offset: every hit is read (its fields, snippet, whole article)
 * and fetched again by key with eaf_db_get(); the hits stepped through
 * must be what the total says the page holds, and the year facet (every
 * article here has a date) must add up to the total; any call that fails,
 * or any disagreement, is an error.  With --eafindex, a second writer is run in the
 * middle: while the writer holds its lock (a transaction it keeps open
 * until told to commit), eafindex must wait its 5 s, then fail with
 * a message saying the index is locked; a library handle with a 200 ms
 * timeout must give EAF_BUSY the same way, and one that waits longer must
 * get through once the lock is free.  At the end the index must pass
 * eaf_db_check(), and no reader may have leaked a block (the library's
 * live-block count, kept across threads).  TAP output; the last line gives
 * the figures.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"
#include "eaf-private.h"

static const char *const words[] = {"harbour", "tariff", "election", "monsoon", "rice",
                                    "shipyard", "treaty", "currency", "fishery", "reform",
                                    "pension", "railway", "drought", "export", "summit",
                                    "province"};
#define NWORDS 16

static const char *const queries[] = {
    "harbour", "tariff election", "rice OR monsoon", "\"summit treaty\"", "reform -pension",
    "title:report shipyard", "fish*", "currency export drought", "railway OR province OR treaty",
    "date:2015..2019 harbour"};
#define NQUERIES (sizeof(queries) / sizeof(queries[0]))

static const char *dbfile;
static double deadline;
static volatile int stop_readers;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* An article with a body of random words; n words. */
static eaf_article *make_article(const char *key, unsigned *seed, int n)
{
    char body[4096], title[128], date[16];
    size_t k = 0;
    int i;
    eaf_article *a;

    for (i = 0; i < n && k + 20 < sizeof(body); i++)
        k += (size_t)snprintf(body + k, sizeof(body) - k, "%s%s", i ? " " : "",
                              words[rand_r(seed) % NWORDS]);
    snprintf(title, sizeof(title), "Report on the %s and the %s", words[rand_r(seed) % NWORDS],
             words[rand_r(seed) % NWORDS]);
    snprintf(date, sizeof(date), "20%02u-%02u-%02u", 10 + rand_r(seed) % 14,
             1 + rand_r(seed) % 12, 1 + rand_r(seed) % 28);
    a = tu_article(key, title, date, body, "Lena Hart|Pacific Institute", "t:Trade;c:Fiji");
    return a;
}

/* ---- the writer (a process of its own) ----------------------------------- */

/* Writes until the deadline; when hold_at passes, keeps one transaction
 * open, writes 'h' to the pipe when it has the lock, and holds it until
 * the parent writes to release_fd (or closes it), 60 s at most.  Exit
 * status 0 when every write succeeded. */
static int writer(unsigned seed, double hold_at, int hold, int pipe_fd, int release_fd)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    int next = 0, held = 0, live = 0;
    long batches = 0;
    char key[64];

    if (eaf_db_open(&db, dbfile, &o, NULL) != EAF_OK)
        return 1;
    /* the keys alive are w/(next - live) .. w/(next - 1), more or less */
    while (now() < deadline) {
        int i;

        if (eaf_db_begin(db) != EAF_OK) {
            fprintf(stderr, "writer: begin: %s\n", eaf_db_errmsg(db));
            return 1;
        }
        for (i = 0; i < 12; i++) {
            eaf_article *a;
            snprintf(key, sizeof(key), "w/%06d", next++);
            a = make_article(key, &seed, 30 + (int)(rand_r(&seed) % 200));
            if (eaf_db_put(NULL, db, a) != EAF_OK) {
                fprintf(stderr, "writer: put: %s\n", eaf_db_errmsg(db));
                return 1;
            }
            eaf_article_free(a);
            live++;
        }
        for (i = 0; i < 6 && live > 20; i++) {
            eaf_article *a;
            eaf_status st;
            snprintf(key, sizeof(key), "w/%06d", next - live + (int)(rand_r(&seed) % (unsigned)live));
            a = make_article(key, &seed, 30 + (int)(rand_r(&seed) % 200));
            st = eaf_db_put(NULL, db, a);
            eaf_article_free(a);
            if (st != EAF_OK) {
                fprintf(stderr, "writer: update: %s\n", eaf_db_errmsg(db));
                return 1;
            }
        }
        for (i = 0; i < 4 && live > 20; i++) {
            /* the oldest go first */
            snprintf(key, sizeof(key), "w/%06d", next - live);
            if (eaf_db_delete(db, key) != EAF_OK) {
                fprintf(stderr, "writer: delete %s: %s\n", key, eaf_db_errmsg(db));
                return 1;
            }
            live--;
        }
        if (!held && hold && now() >= hold_at) {
            struct pollfd pf;
            held = 1;
            if (write(pipe_fd, "h", 1) != 1)
                return 1;
            pf.fd = release_fd;
            pf.events = POLLIN;
            (void)poll(&pf, 1, 60000);
        }
        if (eaf_db_commit(db) != EAF_OK) {
            fprintf(stderr, "writer: commit: %s\n", eaf_db_errmsg(db));
            return 1;
        }
        batches++;
        usleep(2000);
    }
    eaf_db_close(db);
    printf("# writer: %ld transactions, %d articles added, %d alive\n", batches, next, live);
    fflush(stdout);
    return 0;
}

/* ---- the readers (threads, one handle each) ------------------------------- */

typedef struct reader {
    pthread_t thread;
    int id;
    long queries, hits, errors;
    char first_error[512];
} reader;

/* Counts an error; the first one's message is kept. */
#define FAIL(r, ...)                                                        \
    do {                                                                    \
        if (!(r)->errors)                                                   \
            snprintf((r)->first_error, sizeof((r)->first_error), __VA_ARGS__); \
        (r)->errors++;                                                      \
    } while (0)

static void *read_loop(void *arg)
{
    reader *r = arg;
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_db *db = NULL;
    char *err = NULL;
    unsigned q = (unsigned)r->id;

    o.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, dbfile, &o, &err) != EAF_OK) {
        FAIL(r, "open: %s", err ? err : "?");
        eaf_free(err);
        return NULL;
    }
    while (!stop_readers) {
        const char *query = queries[q % NQUERIES];
        /* one search in four reads every hit; the others a page of 20
         * somewhere in them, as a search box does */
        int all = q++ % 4 == 0;
        eaf_search *s = NULL;
        eaf_facets *f = NULL;
        eaf_status st;
        int64_t total = -1, years = 0, count;
        long rows = 0;
        size_t i;

        so.limit = all ? 100000 : 20;
        so.offset = all ? 0 : (unsigned)(rand_r(&q) % 200);
        st = eaf_search_new(&s, db, query, &so);
        r->queries++;
        if (st != EAF_OK) {
            FAIL(r, "search '%s': %s", query, eaf_db_errmsg(db));
            continue;
        }
        while ((st = eaf_search_next(s)) == EAF_ROW) {
            const eaf_article *whole = NULL;
            eaf_article *again = NULL;
            const char *key = eaf_search_field(s, EAF_FIELD_KEY);

            rows++;
            if (!key || !eaf_search_field(s, EAF_FIELD_TITLE) || !eaf_search_snippet(s)) {
                FAIL(r, "a hit of '%s' without its fields: %s", query, eaf_db_errmsg(db));
                continue;
            }
            if (eaf_search_article(&whole, s) != EAF_OK ||
                strcmp(eaf_article_get(whole, EAF_FIELD_KEY), key) != 0)
                FAIL(r, "the article of hit %s cannot be read: %s", key, eaf_db_errmsg(db));
            if (eaf_db_get(&again, db, key) != EAF_OK)
                FAIL(r, "hit %s cannot be fetched by key: %s", key, eaf_db_errmsg(db));
            eaf_article_free(again);
        }
        if (st != EAF_DONE)
            FAIL(r, "stepping through '%s': %s", query, eaf_db_errmsg(db));
        if (eaf_search_total(&total, s) != EAF_OK)
            FAIL(r, "the total of '%s': %s", query, eaf_db_errmsg(db));
        else if (rows != (total <= (int64_t)so.offset ? 0
                          : total - so.offset < (int64_t)so.limit ? total - so.offset
                                                                  : (int64_t)so.limit)) {
            FAIL(r, "the total of '%s' is %lld, but %ld hits from %u (at most %u)", query,
                 (long long)total, rows, so.offset, so.limit);
        }
        if (eaf_search_facets(&f, s, 1000) != EAF_OK) {
            FAIL(r, "the facets of '%s': %s", query, eaf_db_errmsg(db));
        } else {
            for (i = 0; i < eaf_facets_count(f, EAF_FACET_YEAR); i++)
                if (eaf_facets_value(f, EAF_FACET_YEAR, i, &count))
                    years += count;
            if (years != total) {
                FAIL(r, "the year facet of '%s' adds up to %lld, the total %lld", query,
                     (long long)years, (long long)total);
            }
        }
        eaf_facets_free(f);
        eaf_search_free(s);
        r->hits += rows;
    }
    eaf_db_close(db);
    return NULL;
}

/* ---- the second writer ------------------------------------------------------ */

static void second_writers(const char *eafindex, const char *file, int release_fd)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    eaf_status st;
    double t0, waited;
    char cmd[4096], out[2048] = "";
    FILE *p;
    int status = -1;
    size_t n;

    /* a library handle with a short timeout */
    o.busy_timeout_ms = 200;
    if (eaf_db_open(&db, dbfile, &o, NULL) != EAF_OK) {
        ok(0, "a second handle opens");
        return;
    }
    t0 = now();
    st = eaf_db_begin(db);
    waited = now() - t0;
    is_int(st, EAF_BUSY, "a second writer (timeout 200 ms) gets EAF_BUSY");
    /* at least the timeout; the upper bound only says it gave up (under
     * valgrind on a busy machine each retry of the wait is slow: 3.4 s
     * was seen) */
    ok(waited >= 0.15 && waited < 60.0, "after waiting for the lock (%.2f s)", waited);
    ok(strstr(eaf_db_errmsg(db), "locked by another writer") != NULL, "saying so: %s",
       eaf_db_errmsg(db));
    if (st == EAF_OK)
        (void)eaf_db_rollback(db);
    eaf_db_close(db);

    if (eafindex) {
        /* eafindex waits its 5 s, then fails, naming the lock */
        snprintf(cmd, sizeof(cmd), "'%s' -q -d '%s' '%s' 2>&1", eafindex, dbfile, file);
        t0 = now();
        p = popen(cmd, "r");
        if (p) {
            n = fread(out, 1, sizeof(out) - 1, p);
            out[n] = '\0';
            status = pclose(p);
        }
        waited = now() - t0;
        ok(WIFEXITED(status) && WEXITSTATUS(status) == 1, "eafindex as a second writer "
           "exits 1 (status %d)", status);
        ok(waited >= 4.5, "after waiting for the lock (%.1f s)", waited);
        {
            char *line = strstr(out, "locked by another writer"), *nl;
            while (line && line > out && line[-1] != '\n')
                line--;
            if (line && (nl = strchr(line, '\n')) != NULL)
                *nl = '\0';
            ok(line != NULL, "with a clear message: %s", line ? line : out);
        }
    }
    /* a handle that waits long enough gets through when the lock is free:
     * the writer is told to let it go */
    if (write(release_fd, "r", 1) != 1)
        ok(0, "the writer is told to release its lock");
    o.busy_timeout_ms = 20000;
    if (eaf_db_open(&db, dbfile, &o, NULL) == EAF_OK) {
        eaf_article *a = tu_article("second/1", "From the second writer", "2020-01-01",
                                    "A harbour article from another handle.", NULL, NULL);
        st = eaf_db_put(NULL, db, a);
        is_int(st, EAF_OK, "a second writer that waits longer writes once the lock is free "
               "(%s)", eaf_db_errmsg(db));
        eaf_article_free(a);
        eaf_db_close(db);
    }
}

int main(int argc, char **argv)
{
    double seconds = 3;
    int nreaders = 3, i, pipefd[2], release[2], status = -1;
    const char *eafindex = NULL;
    unsigned seed = (unsigned)time(NULL);
    reader *rs;
    pid_t pid;
    eaf_db *db;
    long nqueries = 0, hits = 0, errors = 0;
    int64_t problems = -1;
    char c;

    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "--seconds") == 0) seconds = atof(v), i++;
        else if (strcmp(argv[i], "--readers") == 0) nreaders = atoi(v), i++;
        else if (strcmp(argv[i], "--eafindex") == 0) eafindex = v, i++;
        else if (strcmp(argv[i], "--seed") == 0) seed = (unsigned)atol(v), i++;
        else {
            fprintf(stderr, "concurrency: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (nreaders < 1)
        nreaders = 1;
    printf("# seed %u, %.0f s, %d readers\n", seed, seconds, nreaders);
    tu_tmpdir();
    dbfile = tu_path("index.db");
    /* an index to start from, and a folder for the second eafindex */
    db = tu_open("index.db", NULL);
    {
        unsigned s = seed;
        for (i = 0; i < 100; i++) {
            char key[32];
            eaf_article *a;
            snprintf(key, sizeof(key), "start/%03d", i);
            a = make_article(key, &s, 40);
            if (eaf_db_put(NULL, db, a) != EAF_OK)
                exit(99);
            eaf_article_free(a);
        }
    }
    eaf_db_close(db);
    tu_write(tu_path("one.md"), "## One more page\n\nA harbour.\n", 28);

    if (pipe(pipefd) != 0 || pipe(release) != 0)
        return 99;
    deadline = now() + seconds;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(pipefd[0]);
        close(release[1]);
        /* the lock is held in the middle of the run, until the second
         * writers are done */
        _exit(writer(seed, now() + seconds / 2, 1, pipefd[1], release[0]));
    }
    close(pipefd[1]);
    close(release[0]);
    eaf__alloc_track(1);
    rs = calloc((size_t)nreaders, sizeof(reader));
    for (i = 0; i < nreaders; i++) {
        rs[i].id = i;
        pthread_create(&rs[i].thread, NULL, read_loop, &rs[i]);
    }
    /* the writer says when it holds its lock */
    if (read(pipefd[0], &c, 1) == 1)
        second_writers(eafindex, tu_path("one.md"), release[1]);
    else
        ok(0, "the writer held its lock");
    close(release[1]);
    waitpid(pid, &status, 0);
    stop_readers = 1;
    for (i = 0; i < nreaders; i++) {
        pthread_join(rs[i].thread, NULL);
        nqueries += rs[i].queries;
        hits += rs[i].hits;
        errors += rs[i].errors;
        ok(rs[i].errors == 0, "reader %d: %ld queries, %ld hits, %ld errors%s%s", i,
           rs[i].queries, rs[i].hits, rs[i].errors, rs[i].errors ? "; the first: " : "",
           rs[i].first_error);
    }
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the writer wrote without a failure");
    is_int(eaf__alloc_live(), 0, "the readers freed every block they allocated");
    eaf__alloc_track(0);
    db = NULL;
    {
        eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
        if (eaf_db_open(&db, dbfile, &o, NULL) == EAF_OK) {
            is_int(eaf_db_check(&problems, db, NULL, NULL), EAF_OK,
                   "the index passes its check afterwards (%s)", eaf_db_errmsg(db));
            eaf_db_close(db);
        } else {
            ok(0, "the index opens afterwards");
        }
    }
    ok(nqueries > (long)nreaders, "the readers searched while the writer wrote");
    printf("# concurrency: %ld reader queries during writes, %ld hits read, %ld errors\n",
           nqueries, hits, errors);
    free(rs);
    tu_cleanup();
    return done_testing();
}
