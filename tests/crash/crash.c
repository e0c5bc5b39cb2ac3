/*
 * crash.c: kills eafindex with SIGKILL at random points of an indexing
 * run, and checks after each kill that nothing committed is lost and
 * nothing is half-written.
 *
 *   crash --eafindex PATH --corpus DIR --db FILE --kills K [--batch B]
 *         [--seed S] [--log FILE]
 *   crash --make-corpus DIR --files F --articles A
 *
 * The articles expected are read from the corpus with the library's own
 * readers, in the order eafindex reads them (a folder's names sorted,
 * recursively).  eafindex stores them in that order and commits every B
 * puts (--batch), so the articles of an index are always the first n of
 * that order, n at least what a reader saw committed just before the kill.
 * After each kill this program checks, on the index as the kill left it:
 *
 *   - it opens, and eaf_db_check() passes (SQLite's integrity check, FTS5's
 *     check of the full-text index against the articles, our own);
 *   - it holds at least the articles a reader counted just before the kill
 *     (nothing committed is lost);
 *   - its articles are exactly the first n of the corpus, with no gap, and
 *     each reads back equal to the corpus's (same content hash): no
 *     half-written article, no article of an uncommitted batch;
 *   - every file the index records as done has all its articles.
 *
 * One kill in four falls at random in the restart (before the run commits
 * anything new: opening, checking files, reading again the file it was
 * killed in); the others at random in the batches after the run's first
 * new commit, so that the kills spread over the whole corpus.
 * Then eafindex runs again to the end, and the index must hold the whole
 * corpus and pass its check.  A first, uninterrupted run on a scratch index
 * times a whole run (the kills fall at random in it) and proves that the
 * checks pass on a sound index.  When a run ends before its kill, the next
 * attempt starts over on an empty index, so that every kill falls inside
 * a run.  TAP output; the last lines give the figures.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "eaf-private.h"

typedef struct expected {
    char *key;
    uint64_t hash;       /* of the last occurrence of the key */
    long file;           /* the file it comes from */
} expected;

typedef struct corpus {
    expected *a;         /* distinct keys, in order of first occurrence */
    size_t n, cap;
    char **files;        /* absolute paths, in reading order */
    size_t *per_file;    /* distinct keys first seen in each file */
    size_t nfiles, capfiles;
} corpus;

static const char *eafindex, *dbpath, *logpath = "/dev/null";
static long batch = 50;

/* ---- the corpus ------------------------------------------------------------ */

static int by_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Sorted copy of the keys' positions, for binary search. */
static size_t *order;
static const corpus *sort_corpus;

static int cmp_idx(const void *x, const void *y)
{
    return strcmp(sort_corpus->a[*(const size_t *)x].key, sort_corpus->a[*(const size_t *)y].key);
}

static void index_keys(const corpus *c)
{
    size_t i;

    order = malloc((c->n ? c->n : 1) * sizeof(*order));
    for (i = 0; i < c->n; i++)
        order[i] = i;
    sort_corpus = c;
    qsort(order, c->n, sizeof(*order), cmp_idx);
}

static long lookup(const corpus *c, const char *key)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int k = strcmp(c->a[order[mid]].key, key);
        if (k == 0)
            return (long)order[mid];
        if (k < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Every occurrence is read first; then a key that comes again keeps the
 * place of its first occurrence and the content of its last (a later put
 * replaces the article). */
static int cmp_key_then_place(const void *x, const void *y)
{
    const expected *a = &sort_corpus->a[*(const size_t *)x], *b = &sort_corpus->a[*(const size_t *)y];
    int k = strcmp(a->key, b->key);
    return k ? k : (*(const size_t *)x < *(const size_t *)y ? -1 : 1);
}

static void dedup(corpus *c)
{
    size_t i, j, n = 0;
    unsigned char *keep = calloc(c->n ? c->n : 1, 1);
    size_t *idx = malloc((c->n ? c->n : 1) * sizeof(size_t));

    for (i = 0; i < c->n; i++)
        idx[i] = i;
    sort_corpus = c;
    qsort(idx, c->n, sizeof(size_t), cmp_key_then_place);
    for (i = 0; i < c->n; i = j) {
        for (j = i + 1; j < c->n && strcmp(c->a[idx[i]].key, c->a[idx[j]].key) == 0; j++)
            ;
        keep[idx[i]] = 1;
        c->a[idx[i]].hash = c->a[idx[j - 1]].hash;
    }
    for (i = 0; i < c->nfiles; i++)
        c->per_file[i] = 0;
    for (i = 0; i < c->n; i++) {
        if (keep[i]) {
            c->a[n++] = c->a[i];
            c->per_file[c->a[i].file]++;
        } else {
            free(c->a[i].key);
        }
    }
    c->n = n;
    free(keep);
    free(idx);
}

static void read_file(corpus *c, const char *path, const char *name)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_reader *r = NULL;
    eaf_article *a;
    eaf_status st;
    char *err = NULL;
    long fileno;

    if (c->nfiles == c->capfiles) {
        c->capfiles = c->capfiles ? c->capfiles * 2 : 64;
        c->files = realloc(c->files, c->capfiles * sizeof(char *));
        c->per_file = realloc(c->per_file, c->capfiles * sizeof(size_t));
    }
    fileno = (long)c->nfiles;
    c->files[c->nfiles] = realpath(path, NULL);
    c->per_file[c->nfiles++] = 0;
    ro.name = name;
    if (eaf_reader_open(&r, path, &ro, &err) != EAF_OK) {
        printf("# cannot read %s: %s\n", path, err ? err : "?");
        eaf_free(err);
        return;
    }
    while ((st = eaf_reader_next(&a, r)) != EAF_DONE) {
        const char *key;

        if (st != EAF_ROW) {
            if (st != EAF_SYNTAX)
                break;
            continue;
        }
        key = eaf_article_get(a, EAF_FIELD_KEY);
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->a = realloc(c->a, c->cap * sizeof(expected));
        }
        c->a[c->n].key = strdup(key);
        c->a[c->n].hash = eaf__article_hash(a);
        c->a[c->n].file = fileno;
        c->n++;
        eaf_article_free(a);
    }
    eaf_reader_free(r);
}

/* Walks a folder as eafindex does: names sorted, hidden ones skipped,
 * only the names a reader wants. */
static void walk(corpus *c, const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(char *));
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(char *), by_name);
    for (i = 0; i < n; i++) {
        char path[4096], name[4096];
        struct stat sb;

        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "/" : "", names[i]);
        if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            walk(c, path, name);
        else if (S_ISREG(sb.st_mode) && eaf_reader_wants(names[i]))
            read_file(c, path, name);
        free(names[i]);
    }
    free(names);
}

/* ---- running eafindex ------------------------------------------------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static pid_t start(const char *corpus_dir, const char *db)
{
    char b[32];
    pid_t pid;

    snprintf(b, sizeof(b), "%ld", batch);
    pid = fork();
    if (pid == 0) {
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execl(eafindex, eafindex, "-q", "-b", b, "-d", db, corpus_dir, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* The articles a reader sees committed now; 0 when there is no index yet. */
static long long committed(const char *db)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *h = NULL;
    int64_t n = 0;

    o.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&h, db, &o, NULL) != EAF_OK)
        return 0;
    if (eaf_db_count(&n, h) != EAF_OK)
        n = 0;
    eaf_db_close(h);
    return (long long)n;
}

static void remove_index(const char *db)
{
    char p[4200];

    unlink(db);
    snprintf(p, sizeof(p), "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", db);
    unlink(p);
}

/* ---- the checks --------------------------------------------------------------- */

typedef struct state {
    const corpus *c;
    unsigned char *seen;
    size_t present;
    long wrong, unknown;
    char first[512];
} state;

static int visit(const eaf_article *a, void *payload)
{
    state *s = payload;
    const char *key = eaf_article_get(a, EAF_FIELD_KEY);
    long i = lookup(s->c, key);

    if (i < 0) {
        if (!s->unknown++ && !s->first[0])
            snprintf(s->first, sizeof(s->first), "an article not in the corpus: %s", key);
        return 0;
    }
    s->seen[i] = 1;
    s->present++;
    if (eaf__article_hash(a) != s->c->a[i].hash) {
        if (!s->wrong++ && !s->first[0])
            snprintf(s->first, sizeof(s->first), "article %s differs from the corpus", key);
    }
    return 0;
}

typedef struct result {
    int opened, sound, whole, prefix, kept, files_ok;
    long long articles;
    char why[600];
} result;

/* Checks the index; at_least: articles seen committed before the kill;
 * complete: the whole corpus must be there. */
static void check_index(const corpus *c, const char *db, long long at_least, result *res)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *h = NULL;
    char *err = NULL;
    state s;
    int64_t problems = 0;
    size_t i, f;
    eaf_status st;
    struct stat sb;


    memset(res, 0, sizeof(*res));
    memset(&s, 0, sizeof(s));
    st = eaf_db_open(&h, db, &o, &err);
    if (st != EAF_OK) {
        /* no index yet: only if nothing was ever seen committed */
        int none = stat(db, &sb) != 0 || st == EAF_NOTFOUND;
        res->opened = none && at_least == 0;
        res->sound = res->whole = res->prefix = res->kept = res->files_ok = res->opened;
        snprintf(res->why, sizeof(res->why), "does not open: %s", err ? err : "?");
        eaf_free(err);
        return;
    }
    res->opened = 1;
    st = eaf_db_check(&problems, h, NULL, NULL);
    res->sound = st == EAF_OK;
    if (!res->sound)
        snprintf(res->why, sizeof(res->why), "check: %s", eaf_db_errmsg(h));
    s.c = c;
    s.seen = calloc(c->n ? c->n : 1, 1);
    st = eaf_db_articles(h, visit, &s);
    res->articles = (long long)s.present;
    res->whole = st == EAF_OK && s.wrong == 0 && s.unknown == 0;
    if (!res->whole && !res->why[0])
        snprintf(res->why, sizeof(res->why), "%s", st != EAF_OK ? eaf_db_errmsg(h) : s.first);
    /* the first n of the corpus, no gap */
    res->prefix = 1;
    for (i = 0; i < c->n; i++)
        if (s.seen[i] != (i < s.present)) {
            res->prefix = 0;
            if (!res->why[0])
                snprintf(res->why, sizeof(res->why),
                         "%zu articles, but article %zu of the corpus (%s) is %s", s.present,
                         i, c->a[i].key, s.seen[i] ? "there" : "missing");
            break;
        }
    res->kept = res->articles >= at_least;
    if (!res->kept && !res->why[0])
        snprintf(res->why, sizeof(res->why), "%lld articles, %lld were committed before",
                 res->articles, at_least);
    /* a file recorded as done has all its articles */
    res->files_ok = 1;
    for (f = 0, i = 0; f < c->nfiles; f++) {
        eaf_source_state sst;
        size_t k, have = 0;
        for (k = 0; k < c->n; k++)
            if (c->a[k].file == (long)f && s.seen[k])
                have++;
        if (eaf_db_source_check(&sst, h, c->files[f], 0) == EAF_OK &&
            sst == EAF_SOURCE_UNCHANGED && have != c->per_file[f]) {
            res->files_ok = 0;
            if (!res->why[0])
                snprintf(res->why, sizeof(res->why), "%s is recorded as done with %zu of %zu",
                         c->files[f], have, c->per_file[f]);
        }
    }
    free(s.seen);
    eaf_db_close(h);
}

/* ---- making a corpus ------------------------------------------------------------ */

static int make_corpus(const char *dir, int files, int articles)
{
    static const char *const words[] = {
        "harbour", "tariff", "election", "monsoon", "rice", "shipyard", "treaty", "currency",
        "fishery", "reform", "pension", "railway", "drought", "export", "summit", "province"};
    int f, a, w;

    mkdir(dir, 0755);
    srand(7);
    for (f = 0; f < files; f++) {
        char path[4096];
        FILE *fp;

        snprintf(path, sizeof(path), "%s/part-%04d.jsonl", dir, f);
        fp = fopen(path, "w");
        if (!fp)
            return 1;
        for (a = 0; a < articles; a++) {
            int id = f * articles + a, len = 40 + rand() % 400;
            fprintf(fp, "{\"id\": \"crash/%06d\", \"title\": \"Report %d on the %s\", "
                        "\"date\": \"20%02d-%02d-%02d\", \"authors\": [\"Writer %d\"], "
                        "\"topics\": [\"Topic %d\"], \"countries\": [\"Country %d\"], "
                        "\"body\": \"",
                    id, id, words[id % 16], 10 + id % 14, 1 + id % 12, 1 + id % 28, id % 37,
                    id % 9, id % 23);
            for (w = 0; w < len; w++)
                fprintf(fp, "%s%s uniq%06d", w ? " " : "", words[rand() % 16], id);
            fprintf(fp, "\"}\n");
        }
        fclose(fp);
    }
    return 0;
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    const char *corpus_dir = NULL, *make = NULL;
    long kills = 5, files = 20, articles = 50;
    unsigned seed = (unsigned)time(NULL);
    corpus c;
    char scratch[4200];
    double t0, whole_run, window;
    result res;
    long k, runs = 1, early = 0, *at_kill;
    long long prev = 0;
    double overhead = 0.1;
    long long checked = 0, lost = 0, corrupt = 0;
    int i, status;
    pid_t pid;

    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "--eafindex") == 0) eafindex = v, i++;
        else if (strcmp(argv[i], "--corpus") == 0) corpus_dir = v, i++;
        else if (strcmp(argv[i], "--db") == 0) dbpath = v, i++;
        else if (strcmp(argv[i], "--kills") == 0) kills = atol(v), i++;
        else if (strcmp(argv[i], "--batch") == 0) batch = atol(v), i++;
        else if (strcmp(argv[i], "--seed") == 0) seed = (unsigned)atol(v), i++;
        else if (strcmp(argv[i], "--log") == 0) logpath = v, i++;
        else if (strcmp(argv[i], "--make-corpus") == 0) make = v, i++;
        else if (strcmp(argv[i], "--files") == 0) files = atol(v), i++;
        else if (strcmp(argv[i], "--articles") == 0) articles = atol(v), i++;
        else {
            fprintf(stderr, "crash: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (make)
        return make_corpus(make, (int)files, (int)articles);
    if (!eafindex || !corpus_dir || !dbpath || kills < 1 || batch < 1) {
        fprintf(stderr, "usage: crash --eafindex PATH --corpus DIR --db FILE --kills K "
                        "[--batch B] [--seed S] [--log FILE]\n");
        return 2;
    }
    printf("# seed %u (--seed to repeat), batch %ld\n", seed, batch);
    srand(seed);
    memset(&c, 0, sizeof(c));
    walk(&c, corpus_dir, "");
    dedup(&c);
    index_keys(&c);
    ok(c.n > 0, "the corpus has %zu articles in %zu files", c.n, c.nfiles);

    /* a whole run, timed, on a scratch index: the checks pass on it */
    snprintf(scratch, sizeof(scratch), "%s.whole", dbpath);
    remove_index(scratch);
    remove_index(dbpath);
    t0 = now();
    pid = start(corpus_dir, scratch);
    waitpid(pid, &status, 0);
    whole_run = now() - t0;
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "an uninterrupted run: exit %d, %.2f s",
       WIFEXITED(status) ? WEXITSTATUS(status) : -1, whole_run);
    check_index(&c, scratch, (long long)c.n, &res);
    ok(res.sound && res.whole && res.prefix && res.kept && res.files_ok &&
           res.articles == (long long)c.n,
       "it holds the whole corpus (%lld articles) and passes every check %s", res.articles,
       res.why);
    remove_index(scratch);

    /* kills at random points; each run resumes where the last one stopped */
    at_kill = calloc((size_t)kills + 1, sizeof(long));
    window = 2.0 * whole_run / (double)kills;
    if (window < 0.05)
        window = 0.05;
    for (k = 1; k <= kills; k++) {
        double delay, t_start;
        long long before, resumed;
        struct timespec ts;
        int exited, early_kill = rand() % 4 == 0;

        pid = start(corpus_dir, dbpath);
        t_start = now();
        if (early_kill) {
            /* one kill in four falls in the restart: opening, checking
             * the files, reading again the file it was killed in */
            delay = overhead * (double)rand() / (double)RAND_MAX;
        } else {
            /* the others once the run makes progress again, anywhere in
             * the batches that follow */
            resumed = prev;
            while (resumed <= prev && waitpid(pid, &status, WNOHANG) == 0 &&
                   now() - t_start < 60) {
                usleep(10000);
                resumed = committed(dbpath);
            }
            if (now() - t_start < 60)
                overhead = now() - t_start;
            delay = overhead + window * (double)rand() / (double)RAND_MAX;
        }
        delay -= now() - t_start;
        if (delay < 0)
            delay = 0;
        ts.tv_sec = (time_t)delay;
        ts.tv_nsec = (long)((delay - (double)ts.tv_sec) * 1e9);
        nanosleep(&ts, NULL);
        delay = now() - t_start;
        before = committed(dbpath);
        exited = waitpid(pid, &status, WNOHANG) == pid;
        if (!exited) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        check_index(&c, dbpath, before, &res);
        checked += res.articles;
        at_kill[k - 1] = (long)res.articles;
        prev = res.articles;
        if (!res.kept || !res.prefix)
            lost++;
        if (!res.opened || !res.sound || !res.whole || !res.files_ok)
            corrupt++;
        if (res.opened && res.sound && res.whole && res.prefix && res.kept && res.files_ok)
            res.why[0] = '\0'; /* (no index yet, before the first commit) */
        ok(res.opened && res.sound && res.whole && res.prefix && res.kept && res.files_ok,
           "kill %ld at %.0f ms%s%s: %lld articles (%lld seen committed before), whole, "
           "in order, the check passes %s",
           k, delay * 1000, early_kill ? " (in the restart)" : "", !exited ? ""
                            : WIFEXITED(status) && WEXITSTATUS(status) == 0
                                ? " (the run had ended)" : " (the run had FAILED)",
           res.articles, before, res.why);
        if (exited || res.articles == (long long)c.n) {
            /* the run was over: start the next one from nothing */
            early += exited;
            runs++;
            remove_index(dbpath);
            prev = 0;
        }
    }

    /* and a last run completes it */
    pid = start(corpus_dir, dbpath);
    waitpid(pid, &status, 0);
    ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a run after the last kill completes: "
       "exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    check_index(&c, dbpath, (long long)c.n, &res);
    ok(res.sound && res.whole && res.prefix && res.files_ok && res.articles == (long long)c.n,
       "the index holds all %zu articles and passes every check (%lld) %s", c.n,
       res.articles, res.why);
    remove_index(dbpath);
    {
        long lo = at_kill[0], hi = at_kill[0];
        for (k = 0; k < kills; k++) {
            lo = at_kill[k] < lo ? at_kill[k] : lo;
            hi = at_kill[k] > hi ? at_kill[k] : hi;
        }
        printf("# index size at the kills: %ld to %ld articles of %zu; an uninterrupted "
               "run takes %.1f s\n", lo, hi, c.n, whole_run);
    }
    printf("# %ld kills (%ld after the run had ended) in %ld runs; %lld articles checked "
           "after kills; %lld lost, %lld corrupt\n",
           kills - early, early, runs, checked, lost, corrupt);
    free(at_kill);
    for (k = 0; k < (long)c.n; k++)
        free(c.a[k].key);
    for (k = 0; k < (long)c.nfiles; k++)
        free(c.files[k]);
    free(c.a);
    free(c.files);
    free(c.per_file);
    free(order);
    return done_testing();
}
