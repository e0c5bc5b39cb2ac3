/*
 * index_admin.c: eafindex --export (eaf_db_export()), --check,
 * --rebuild and --snapshot, and the settings an export gives a new index.
 */
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- export ---------------------------------------------------------------------- */

/* The settings of an index exported to path, when its first line is an
 * export's header (eaf_export_settings()): 1 and *language (to free) and
 * *ro, else 0. */
int read_header(const char *path, char **language, eaf_related_options *ro,
                int *have_related)
{
    FILE *fp = fopen(path, "rb");
    char *line = NULL, *lang = NULL;
    size_t cap = 0;
    ssize_t n;

    *language = NULL;
    *have_related = 0;
    if (!fp)
        return 0;
    n = getline(&line, &cap, fp);
    fclose(fp);
    if (n > 0 && eaf_export_settings(&lang, ro, have_related, line, (size_t)n) == EAF_OK) {
        *language = xstrdup(lang);
        eaf_free(lang);
    }
    free(line);
    return *language != NULL;
}

typedef struct export_file {
    FILE *fp;
    int error;                /* errno of the write that failed */
    int skip_header;          /* the first line is not written (a shard's
                                 after the first: one header for the set) */
} export_file;

static int write_file(const char *data, size_t len, void *payload)
{
    export_file *f = payload;

    if (f->skip_header) {
        const char *nl = memchr(data, '\n', len);
        if (!nl)
            return 0;
        f->skip_header = 0;
        len -= (size_t)(nl + 1 - data);
        data = nl + 1;
    }
    if (len == 0 || fwrite(data, 1, len, f->fp) == len)
        return 0;
    f->error = errno;
    return -1;
}

/* The shard files of the set in folder dir, or NULL when dir is none
 * (the caller frees each and the array); *n says how many. */
static char **shard_files(const char *dir, unsigned *n)
{
    eaf_open_options ro = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char **files;
    unsigned k;

    *n = 0;
    if (!index_is_set(dir))
        return NULL;
    ro.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, dir, &ro, NULL) != EAF_OK || eaf_db_shards(n, db) != EAF_OK ||
        *n == 0) {
        eaf_db_close(db);
        *n = 0;
        return NULL;
    }
    eaf_db_close(db);
    files = xrealloc(NULL, *n * sizeof(*files));
    for (k = 0; k < *n; k++) {
        char name[32];
        snprintf(name, sizeof(name), "shard-%u.db", k);
        files[k] = join(dir, name);
    }
    return files;
}

static void free_files(char **files, unsigned n)
{
    while (n > 0)
        free(files[--n]);
    free(files);
}

int do_export(const char *dbpath, const char *output)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db;
    export_file x = {NULL, 0, 0};
    FILE *out;
    int failed = 0;
    eaf_status st;
    unsigned nshard = 0, k;
    char **shards = shard_files(dbpath, &nshard);

    oo.flags = EAF_OPEN_READONLY;
    /* of a shard set, each shard's articles in turn, under one header */
    if (tool_open(&db, shards ? shards[0] : dbpath, &oo, 0) != EAF_OK) {
        free_files(shards, nshard);
        return EXIT_FAIL;
    }
    out = output && strcmp(output, "-") != 0 ? fopen(output, "w") : stdout;
    if (!out) {
        warnx_("%s: %s", output, strerror(errno));
        eaf_db_close(db);
        free_files(shards, nshard);
        return EXIT_FAIL;
    }
    x.fp = out;
    st = eaf_db_export(NULL, db, NULL, write_file, &x);
    for (k = 1; k < nshard && st == EAF_OK; k++) {
        eaf_db_close(db);
        if (tool_open(&db, shards[k], &oo, 0) != EAF_OK) {
            db = NULL;
            st = EAF_ERROR;
            break;
        }
        x.skip_header = 1;
        st = eaf_db_export(NULL, db, NULL, write_file, &x);
    }
    free_files(shards, nshard);
    if (st == EAF_ABORT) {
        failed = 1; /* a write failed: said below */
        errno = x.error;
        st = EAF_OK;
    } else if (st != EAF_OK && db) {
        warnx_("cannot read the index: %s", eaf_db_errmsg(db));
    }
    if (fflush(out) != 0 || ferror(out))
        failed = 1;
    if (failed)
        warnx_("cannot write %s: %s", output ? output : "the standard output",
               strerror(errno));
    if (out != stdout)
        fclose(out);
    eaf_db_close(db);
    return st != EAF_OK || failed ? EXIT_FAIL : EXIT_OK;
}

/* ---- check ------------------------------------------------------------------------ */

typedef struct check_state {
    const char *path;
    int quiet;
} check_state;

static int on_problem(const char *problem, void *payload)
{
    const check_state *x = payload;

    warnx_("%s: %s", x->path, problem);
    return 0;
}

static int check_one(const char *dbpath, int quiet);

int do_check(const char *dbpath, int quiet)
{
    /* a shard set too: every shard, its problems named by its file */
    return check_one(dbpath, quiet);
}

static int check_one(const char *dbpath, int quiet)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    check_state x = {dbpath, quiet};
    eaf_db *db;
    int64_t problems = 0, articles = 0;
    eaf_status st;

    /* read-write (FTS5's check takes the write lock, and so sees one state
     * while another program indexes), never created; an index this user
     * may only read is checked read-only */
    if (tool_open(&db, dbpath, &oo, 1) != EAF_OK)
        return EXIT_FAIL;
    st = eaf_db_check(&problems, db, on_problem, &x);
    if (st != EAF_OK && st != EAF_CORRUPT) {
        warnx_("%s: cannot check the index: %s", dbpath, eaf_db_errmsg(db));
    } else if (problems > 0) {
        warnx_("%s: %lld problem%s found: 'eafindex -d %s --rebuild' mends what can be "
               "mended in place", dbpath, (long long)problems, problems == 1 ? "" : "s",
               dbpath);
    } else if (eaf_db_count(&articles, db) != EAF_OK) {
        warnx_("%s: cannot count the articles: %s", dbpath, eaf_db_errmsg(db));
        st = EAF_ERROR;
    } else if (!quiet) {
        printf("%s: ok, %lld articles\n", dbpath, (long long)articles);
    }
    eaf_db_close(db);
    return st == EAF_OK ? EXIT_OK : EXIT_FAIL;
}

/* --rebuild: what the index derives from its articles, made again, then
 * the related lists and a check. */
static int rebuild_one(const char *dbpath, eaf_open_options *oo, int no_related, int quiet);
static int rebuild_related(const char *dbpath, eaf_open_options *oo, int no_related,
                           int quiet);

int do_rebuild(const char *dbpath, eaf_open_options *oo, int no_related, int quiet)
{
    unsigned n = 0, k;
    char **shards = shard_files(dbpath, &n);
    int status = EXIT_OK;

    if (!shards)
        return rebuild_one(dbpath, oo, no_related, quiet);
    /* a shard set: each shard, then the set's related lists (which shard
     * 0 keeps for every shard) and the check of the whole set */
    for (k = 0; k < n; k++)
        if (rebuild_one(shards[k], oo, 1, 1) != EXIT_OK)
            status = EXIT_FAIL;
    free_files(shards, n);
    if (status == EXIT_OK && !interrupted)
        status = rebuild_related(dbpath, oo, no_related, quiet);
    return status;
}

/* The related lists of a rebuilt index made again (a warning when they
 * cannot be). */
static eaf_status refresh_lists(eaf_db *db, const char *dbpath)
{
    eaf_related_stats stats;
    eaf_status st;

    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    st = eaf_related_refresh(&stats, db, NULL, NULL);
    if (st != EAF_OK)
        warnx_("%s: cannot compute the related lists: %s", dbpath, eaf_db_errmsg(db));
    return st;
}

/* The related lists of a rebuilt set, and its check. */
static int rebuild_related(const char *dbpath, eaf_open_options *oo, int no_related, int quiet)
{
    eaf_db *db;
    eaf_status st = EAF_OK;

    if (!no_related) {
        oo->flags = EAF_OPEN_LOCK;
        if (tool_open(&db, dbpath, oo, 0) != EAF_OK)
            return EXIT_FAIL;
        interrupt_db = NULL; /* (the set's own connection runs no statement) */
        st = refresh_lists(db, dbpath);
        eaf_db_close(db);
    }
    if (interrupted)
        return 130;
    if (st != EAF_OK)
        return EXIT_FAIL;
    return check_one(dbpath, quiet);
}

static int rebuild_one(const char *dbpath, eaf_open_options *oo, int no_related, int quiet)
{
    check_state x = {dbpath, quiet};
    eaf_db *db;
    int64_t problems = 0, articles = 0;
    eaf_status st;

    oo->flags = EAF_OPEN_LOCK;
    if (tool_open(&db, dbpath, oo, 0) != EAF_OK)
        return EXIT_FAIL;
    catch_signals(1);
    interrupt_db = db;
    st = eaf_db_rebuild(db);
    if (st != EAF_OK) {
        warnx_("%s: cannot rebuild the index: %s", dbpath, eaf_db_errmsg(db));
    } else if (!no_related && !interrupted) {
        st = refresh_lists(db, dbpath);
    }
    interrupt_db = NULL;
    if (st == EAF_OK) {
        st = eaf_db_check(&problems, db, on_problem, &x);
        if (st != EAF_OK && st != EAF_CORRUPT)
            warnx_("%s: rebuilt, but cannot check it: %s", dbpath, eaf_db_errmsg(db));
        else if (problems > 0)
            warnx_("%s: rebuilt, but %lld problem%s remain%s: export what can be read "
                   "(--export) and index it into a new index", dbpath, (long long)problems,
                   problems == 1 ? "" : "s", problems == 1 ? "s" : "");
        else if (eaf_db_count(&articles, db) == EAF_OK && !quiet)
            printf("%s: rebuilt, ok, %lld articles\n", dbpath, (long long)articles);
    }
    eaf_db_close(db);
    if (interrupted)
        return 130;
    return st == EAF_OK ? EXIT_OK : EXIT_FAIL;
}

/* ---- snapshot -------------------------------------------------------------------- */

/* The bytes of a snapshot: its file's, or of a shard set's, the files
 * in its folder; -1 when they cannot be read. */
static long long snapshot_bytes(const char *path)
{
    struct stat sb;
    long long total = 0;
    DIR *d;
    struct dirent *e;

    if (stat(path, &sb) != 0)
        return -1;
    if (!S_ISDIR(sb.st_mode))
        return (long long)sb.st_size;
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char p[4096];
        int n = snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
        if (n > 0 && (size_t)n < sizeof(p) && stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            total += (long long)sb.st_size;
    }
    closedir(d);
    return total;
}

/* --snapshot FILE: a consistent, compact copy of the index (which another
 * eafindex may be writing), put in place of FILE whole (of a shard set, a
 * folder); then what it holds, read from the copy itself. */
int do_snapshot(const char *dbpath, const char *output, int quiet)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db, *copy;
    uint64_t gen = 0;
    int64_t articles = -1;
    struct timespec t0;
    eaf_status st;

    /* read-only: a snapshot writes nothing to the index, and waits for no writer */
    oo.flags = EAF_OPEN_READONLY;
    if (tool_open(&db, dbpath, &oo, 0) != EAF_OK)
        return EXIT_FAIL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    st = eaf_db_snapshot(&gen, db, output);
    if (st != EAF_OK)
        warnx_("%s: %s", dbpath, eaf_db_errmsg(db));
    eaf_db_close(db);
    if (st != EAF_OK)
        return EXIT_FAIL;
    if (tool_open(&copy, output, &oo, 0) != EAF_OK)
        return EXIT_FAIL;
    st = eaf_db_count(&articles, copy);
    if (st != EAF_OK)
        warnx_("%s: cannot count the articles: %s", output, eaf_db_errmsg(copy));
    eaf_db_close(copy);
    if (st != EAF_OK)
        return EXIT_FAIL;
    if (!quiet)
        printf("%s: snapshot of %s: %lld articles, %lld bytes, generation %llu (%.2f s)\n",
               output, dbpath, (long long)articles, snapshot_bytes(output),
               (unsigned long long)gen, seconds_since(&t0));
    return EXIT_OK;
}
