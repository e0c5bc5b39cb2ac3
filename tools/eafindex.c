/*
 * eafindex: index an archive of articles, and keep the index in step with
 * it.
 *
 *   eafindex [-d DB] [options] PATH...
 *   eafindex [-d DB] --export [FILE]
 *   eafindex [-d DB] --check
 *
 * PATHs are files (article pages, HTML pages, Markdown with front matter,
 * WordPress exports, JSON Lines, and archives of them) or folders, walked
 * recursively; "-" reads a list of paths from standard input, one per
 * line.  The index remembers which file each article came from: a file
 * whose size and time (or content) did not change since the last run is
 * not read again; the articles a changed file no longer holds are
 * removed, and so are those of files gone from a folder the index was
 * built from (--prune).  A file that cannot be read is reported on one
 * line and the run goes on; the final tally says how many articles were
 * added, updated, unchanged, removed, skipped and failed.
 *
 * The tool only strings the library's calls together: reading is
 * eaf_reader_*, bookkeeping eaf_db_source_*, export eaf_db_articles,
 * checks eaf_db_check.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>

#define DEFAULT_BATCH 2000

/* Articles read ahead of the one being stored, at most, and the memory
 * of their text and tokens: about a batch, so that the reader goes on
 * while a commit indexes the batch before. */
#define AHEAD 2048
#define AHEAD_BYTES (32u << 20)
/* The reader tokenizes an article for the index (eaf_prep_article) when
 * it is this many articles ahead (the main thread has more to do than it)
 * and the article has at most PREP_MAX_BYTES of text; else the index
 * tokenizes it, on the main thread. */
#define PREP_AHEAD 64
#define PREP_MAX_BYTES (1u << 20)

/* One file to index. */
typedef struct item {
    char *path;       /* as shown: the path given, joined with the walk */
    char *abs;        /* absolute, for the index's record of it */
    char *name;       /* the path inside the folder given, for keys */
    long long size;
    int failed;       /* reading it failed in this run: not read again */
} item;

/* A folder or file already walked, by device and inode: a link back into
 * the archive (ln -s . current) is followed once, not forever. */
typedef struct seen_entry {
    dev_t dev;
    ino_t ino;
    char *path;       /* as shown, for the message about a second path */
} seen_entry;

/* A folder given on the command line. */
typedef struct root {
    char *path;       /* as given */
    char *abs;        /* absolute, ending in '/' */
    int ok;           /* walked without error and not empty */
    int prune;        /* remove the articles of its files that are gone */
} root;

typedef struct run {
    eaf_db *db;
    eaf_prep *prep;           /* tokenizes on the reading thread; may be NULL */
    eaf_format format;
    long batch;               /* articles per transaction */
    long in_batch;
    int verbose, quiet, progress, dry_run, checksum;
    int no_related;           /* --no-related: leave the related lists stale */
    int prune_opt;            /* -1 default, 0 --no-prune, 1 --prune */
    int optimize_opt;         /* -1 default, 0 --no-optimize, 1 --optimize */
    char **excludes;
    size_t nexcludes;
    /* what to do */
    item *items;
    size_t nitems, capitems;
    root *roots;
    size_t nroots, caproots;
    char **visited;           /* absolute paths of the files read (sorted) */
    size_t nvisited;
    seen_entry *seen;         /* open addressing, by device and inode */
    size_t nseen, capseen;
    int null_list;            /* -0: the list on standard input ends paths with NUL */
    int prune_all;            /* --prune-all: prune however much is gone */
    long long total_bytes, done_bytes;
    size_t done_files;
    /* the tally, in articles: added, updated and removed count what was
     * committed; the batch open holds p_added, p_updated and p_removed
     * until its commit, which moves them to the tally (if it fails, they
     * are lost with the batch, and the tally says what is in the index) */
    long added, updated, unchanged, removed, skipped, failed;
    long p_added, p_updated, p_removed;
    char *batch_first;        /* the first file with articles in the open batch */
    long failed_files;
    int fatal;
    int in_txn;
    struct timespec started, last_progress;
    /* articles recorded per file, from the index */
    char **known_path;
    long *known_count;
    size_t nknown, capknown;
} run;

/* Runs that add or change at least this many articles, and a tenth of the
 * index, end by merging the full-text index into one segment. */
#define OPTIMIZE_MIN 1000

/* ---- small helpers ----------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        warnx_("out of memory");
        exit(EXIT_FAIL);
    }
    return q;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        warnx_("out of memory");
        exit(EXIT_FAIL);
    }
    return d;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xrealloc(NULL, n);

    snprintf(p, n, "%s%s%s", a, *a && a[strlen(a) - 1] != '/' && *b ? "/" : "", b);
    return p;
}

/* An absolute, lexically normalised copy of path: no "." or ".." parts, no
 * doubled or trailing '/'. */
static char *absolute(const char *path)
{
    char cwd[4096];
    char *full, *out, *o;
    const char *p;

    if (path[0] == '/') {
        full = xstrdup(path);
    } else {
        if (!getcwd(cwd, sizeof(cwd)))
            snprintf(cwd, sizeof(cwd), ".");
        full = join(cwd, path);
    }
    out = xrealloc(NULL, strlen(full) + 2);
    o = out;
    for (p = full; *p;) {
        const char *e;
        size_t k;

        while (*p == '/')
            p++;
        e = strchr(p, '/');
        k = e ? (size_t)(e - p) : strlen(p);
        if (k == 0)
            break;
        if (k == 1 && p[0] == '.') {
            /* nothing */
        } else if (k == 2 && p[0] == '.' && p[1] == '.') {
            while (o > out && *--o != '/')
                ;
        } else {
            *o++ = '/';
            memcpy(o, p, k);
            o += k;
        }
        p += k;
    }
    if (o == out)
        *o++ = '/';
    *o = '\0';
    free(full);
    return out;
}

static int compare_strings(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int known_language(const char *name)
{
    const char *const *l;

    for (l = eaf_languages(); l && *l; l++)
        if (strcmp(*l, name) == 0)
            return 1;
    return 0;
}

/* ---- progress ------------------------------------------------------------------ */

static void show_progress(run *r, int force)
{
    double elapsed, rate, left;
    char eta[32];
    int width = 24, filled;

    if (!r->progress)
        return;
    if (force) { /* the end: clear the line for the tally */
        fputs("\r\033[K", stderr);
        fflush(stderr);
        return;
    }
    if (seconds_since(&r->last_progress) < 0.1 && r->done_files < r->nitems)
        return;
    clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    elapsed = seconds_since(&r->started);
    rate = elapsed > 0 ? (double)r->done_files / elapsed : 0;
    if (r->done_bytes > 0 && r->total_bytes > r->done_bytes && elapsed > 0.5) {
        left = elapsed * (double)(r->total_bytes - r->done_bytes) / (double)r->done_bytes;
        snprintf(eta, sizeof(eta), "%d:%02d left", (int)(left / 60), (int)left % 60);
    } else {
        snprintf(eta, sizeof(eta), "%s", r->done_files < r->nitems ? "--:-- left" : "done");
    }
    filled = r->total_bytes > 0 ? (int)((double)width * (double)r->done_bytes /
                                        (double)r->total_bytes)
                                : width;
    if (filled > width)
        filled = width;
    fprintf(stderr, "\r\033[K[%.*s%.*s] %zu/%zu files, %ld added, %ld updated, "
                    "%ld unchanged, %ld removed, %ld failed, %.0f files/s, %s",
            filled, "########################", width - filled,
            "........................", r->done_files, r->nitems, r->added, r->updated,
            r->unchanged, r->removed, r->failed, rate, eta);
    fflush(stderr);
}

/* Prints a message on stderr, clearing the progress line first. */
#define report(r, ...)                         \
    do {                                       \
        if ((r)->progress)                     \
            fputs("\r\033[K", stderr);         \
        warnx_(__VA_ARGS__);                   \
    } while (0)

/* ---- transactions --------------------------------------------------------------- */

static int ensure_txn(run *r)
{
    eaf_status st;

    if (r->in_txn)
        return 0;
    st = eaf_db_begin(r->db);
    if (st != EAF_OK) {
        report(r, "cannot write to the index: %s", eaf_errmsg(r->db));
        r->fatal = 1;
        return -1;
    }
    r->in_txn = 1;
    r->in_batch = 0;
    return 0;
}

static const char *plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The open batch is committed: what it added, updated and removed joins
 * the tally. */
static void batch_kept(run *r)
{
    r->added += r->p_added;
    r->updated += r->p_updated;
    r->removed += r->p_removed;
    r->p_added = r->p_updated = r->p_removed = 0;
    free(r->batch_first);
    r->batch_first = NULL;
}

/* The open batch is lost (a failed commit or write rolled it back): says
 * what was not stored, and leaves it out of the tally. */
static void batch_lost(run *r)
{
    long n = r->p_added + r->p_updated + r->p_removed;

    if (n > 0)
        report(r, "not stored: %ld article %s since %s (the index keeps what was "
                  "committed before; run again to go on)", n,
               plural(n, "change", "changes"), r->batch_first ? r->batch_first : "the start");
    r->p_added = r->p_updated = r->p_removed = 0;
    free(r->batch_first);
    r->batch_first = NULL;
}

static int commit(run *r)
{
    eaf_status st;

    if (!r->in_txn || r->dry_run)
        return 0;
    st = eaf_db_commit(r->db);
    r->in_txn = 0;
    r->in_batch = 0;
    if (st != EAF_OK) {
        report(r, "%s", eaf_errmsg(r->db));
        batch_lost(r);
        r->fatal = 1;
        return -1;
    }
    batch_kept(r);
    return 0;
}

/* Notes a change in the open batch, made while reading path. */
static void batch_change(run *r, long *counter, long n, const char *path)
{
    *counter += n;
    if (n > 0 && !r->batch_first && path)
        r->batch_first = xstrdup(path);
}

/* ---- what the index knows ----------------------------------------------------- */

static int collect_known(const char *path, int64_t articles, void *payload)
{
    run *r = payload;

    if (r->nknown == r->capknown) {
        r->capknown = r->capknown ? r->capknown * 2 : 256;
        r->known_path = xrealloc(r->known_path, r->capknown * sizeof(char *));
        r->known_count = xrealloc(r->known_count, r->capknown * sizeof(long));
    }
    r->known_path[r->nknown] = xstrdup(path);
    r->known_count[r->nknown++] = (long)articles;
    return 0;
}

/* The number of articles recorded for a file (paths come sorted). */
static long known_articles(run *r, const char *abs)
{
    size_t lo = 0, hi = r->nknown;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(r->known_path[mid], abs);
        if (c == 0)
            return r->known_count[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int has_known_prefix(run *r, const char *prefix)
{
    size_t i, k = strlen(prefix);

    for (i = 0; i < r->nknown; i++)
        if (strncmp(r->known_path[i], prefix, k) == 0)
            return 1;
    return 0;
}

/* ---- walking --------------------------------------------------------------------- */

static int excluded(run *r, const char *name, const char *base)
{
    size_t i;

    for (i = 0; i < r->nexcludes; i++) {
        const char *pat = r->excludes[i];
        if (fnmatch(pat, strchr(pat, '/') ? name : base, 0) == 0)
            return 1;
    }
    return 0;
}

static void add_item(run *r, const char *path, const char *name, long long size)
{
    item *it;

    if (r->nitems == r->capitems) {
        r->capitems = r->capitems ? r->capitems * 2 : 256;
        r->items = xrealloc(r->items, r->capitems * sizeof(item));
    }
    it = &r->items[r->nitems++];
    it->path = xstrdup(path);
    it->abs = absolute(path);
    it->name = xstrdup(name);
    it->size = size;
    it->failed = 0;
    r->total_bytes += size;
}

static void skipped_file(run *r, const char *path, const char *why)
{
    if (r->verbose)
        printf("%s: skipped: %s\n", path, why);
}

/* Looks (dev, ino) up among what was walked: its entry, or NULL after
 * adding it with path. */
static const seen_entry *seen_before(run *r, dev_t dev, ino_t ino, const char *path)
{
    size_t i, h;

    if (r->nseen * 2 >= r->capseen) {
        size_t cap = r->capseen ? r->capseen * 2 : 1024, k;
        seen_entry *t = xrealloc(NULL, cap * sizeof(*t));

        memset(t, 0, cap * sizeof(*t));
        for (k = 0; k < r->capseen; k++) {
            if (!r->seen[k].path)
                continue;
            h = (size_t)(((uint64_t)r->seen[k].dev * 0x9E3779B97F4A7C15u) ^
                         (uint64_t)r->seen[k].ino) % cap;
            while (t[h].path)
                h = (h + 1) % cap;
            t[h] = r->seen[k];
        }
        free(r->seen);
        r->seen = t;
        r->capseen = cap;
    }
    h = (size_t)(((uint64_t)dev * 0x9E3779B97F4A7C15u) ^ (uint64_t)ino) % r->capseen;
    for (i = h; r->seen[i].path; i = (i + 1) % r->capseen)
        if (r->seen[i].dev == dev && r->seen[i].ino == ino)
            return &r->seen[i];
    r->seen[i].dev = dev;
    r->seen[i].ino = ino;
    r->seen[i].path = xstrdup(path);
    r->nseen++;
    return NULL;
}

/* Walks a folder in name order; prefix is the path inside the folder
 * given.  Each folder and file is walked once, however many links lead
 * to it; a link to a folder already walked (a loop) is reported once, as
 * the folder holding it is walked once.  Returns the number of errors. */
static int walk(run *r, const char *dir, const char *prefix)
{
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int errors = 0;

    if (interrupted)
        return 0;
    d = opendir(dir);
    if (!d) {
        report(r, "%s: %s", dir, strerror(errno));
        r->failed_files++;
        return 1;
    }
    while ((e = readdir(d)) != NULL && !interrupted) {
        if (e->d_name[0] == '.')
            continue; /* hidden (and . and ..): not even mentioned */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), compare_strings);
    for (i = 0; i < n; i++) {
        char *path = join(dir, names[i]);
        char *name = *prefix ? join(prefix, names[i]) : xstrdup(names[i]);
        const char *why;
        const seen_entry *was;
        struct stat sb;

        if (interrupted) {
            /* nothing more */
        } else if (stat(path, &sb) != 0) {
            report(r, "%s: %s", path, strerror(errno));
            r->failed_files++;
            errors++;
        } else if (excluded(r, name, names[i])) {
            skipped_file(r, path, "excluded");
        } else if (S_ISDIR(sb.st_mode)) {
            if ((was = seen_before(r, sb.st_dev, sb.st_ino, path)) != NULL)
                report(r, "warning: %s: skipped: the same folder as %s (a link back into "
                          "the folders walked)", path, was->path);
            else
                errors += walk(r, path, name);
        } else if (!S_ISREG(sb.st_mode)) {
            skipped_file(r, path, "not a regular file");
        } else if ((why = eaf_reader_ignore_reason(name)) != NULL) {
            /* (the library's rule, the same for archive members) */
            skipped_file(r, path, why);
        } else if ((was = seen_before(r, sb.st_dev, sb.st_ino, path)) != NULL) {
            if (r->verbose)
                printf("%s: skipped: the same file as %s\n", path, was->path);
        } else {
            add_item(r, path, name, (long long)sb.st_size);
        }
        free(path);
        free(name);
        free(names[i]);
    }
    free(names);
    return errors;
}

static void add_path(run *r, const char *path)
{
    struct stat sb;
    const seen_entry *was;

    if (stat(path, &sb) != 0) {
        report(r, "%s: %s", path, strerror(errno));
        r->failed_files++;
        return;
    }
    was = seen_before(r, sb.st_dev, sb.st_ino, path);
    if (was) {
        /* given twice, or inside a folder given before */
        report(r, "warning: %s: skipped: the same %s as %s", path,
               S_ISDIR(sb.st_mode) ? "folder" : "file", was->path);
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        root *rt;
        size_t before = r->nitems;
        char *trimmed = xstrdup(path);
        size_t n = strlen(trimmed);
        int errors;

        while (n > 1 && trimmed[n - 1] == '/')
            trimmed[--n] = '\0';
        if (r->nroots == r->caproots) {
            r->caproots = r->caproots ? r->caproots * 2 : 8;
            r->roots = xrealloc(r->roots, r->caproots * sizeof(root));
        }
        rt = &r->roots[r->nroots++];
        rt->path = trimmed;
        {
            char *a = absolute(trimmed);
            rt->abs = join(a, "");
            if (rt->abs[strlen(rt->abs) - 1] != '/') {
                char *with = xrealloc(rt->abs, strlen(rt->abs) + 2);
                strcat(with, "/");
                rt->abs = with;
            }
            free(a);
        }
        errors = walk(r, trimmed, "");
        rt->ok = errors == 0 && r->nitems > before && !interrupted;
        if (interrupted) {
            /* said at the end */
        } else if (r->nitems == before && errors == 0) {
            report(r, "%s: no article files in this folder: nothing indexed, nothing "
                      "removed (is it the right folder, and is it mounted?)",
                   trimmed);
            r->failed_files++;
        } else if (errors) {
            report(r, "%s: some of it could not be read: nothing is removed from the "
                      "index for it", trimmed);
        }
        rt->prune = rt->ok && (r->prune_opt == 1 ||
                               (r->prune_opt == -1 && has_known_prefix(r, rt->abs)));
        return;
    }
    {
        const char *name = path;
        while (name[0] == '.' && name[1] == '/')
            name += 2;
        add_item(r, path, name, (long long)sb.st_size);
    }
}

/* Reads the list of paths of "-": one per line, or NUL-terminated with
 * -0; a NUL byte ends a path in either case (no path holds one), so a
 * list from find -print0 read without -0 is read right too. */
static void add_stdin_list(run *r)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    /* a list typed on a terminal: an interrupt ends the wait for it */
    catch_signals(0);
    while (!interrupted &&
           (n = getdelim(&line, &cap, r->null_list ? '\0' : '\n', stdin)) >= 0) {
        ssize_t start = 0, k;

        for (k = 0; k <= n && !interrupted; k++) {
            ssize_t end = k;

            if (k < n && line[k] != '\0')
                continue;
            if (!r->null_list)
                while (end > start && (line[end - 1] == '\n' || line[end - 1] == '\r'))
                    end--;
            if (end > start) {
                line[end] = '\0';
                add_path(r, line + start);
            }
            start = k + 1;
        }
    }
    free(line);
    catch_signals(1);
}

/* ---- indexing one file ------------------------------------------------------------ */

typedef struct file_counts {
    long added, updated, unchanged, removed, skipped, errors;
    long warned, unwarned;    /* warnings about keys given twice: said, not said */
    const char *path;
    run *r;
} file_counts;

/* Warnings about keys given twice said per file (all of them with -v):
 * an export read into the index it came from would say it of every key. */
#define WARN_KEYS 10

static void on_removed(const char *key, void *payload)
{
    file_counts *c = payload;

    if (c->r->dry_run)
        printf("remove %s\n", key);
    else if (c->r->verbose)
        printf("%s: removed %s\n", c->path, key);
}

/* Stores one article; returns -1 on a failure of the index itself. */
static int store(run *r, const eaf_article *a, file_counts *c)
{
    eaf_change change;
    eaf_status st;
    const char *key = eaf_article_get(a, EAF_FIELD_KEY), *other;

    if (ensure_txn(r) != 0)
        return -1;
    st = eaf_db_put(&change, r->db, a);
    if (st == EAF_MISUSE || st == EAF_SYNTAX) {
        report(r, "%s: %s", key, eaf_errmsg(r->db));
        c->errors++;
        return 0;
    }
    if (st != EAF_OK) {
        report(r, "cannot store '%s': %s", key, eaf_errmsg(r->db));
        r->fatal = 1;
        return -1;
    }
    other = eaf_db_put_conflict(r->db);
    if (other && !r->quiet && !r->verbose && c->warned >= WARN_KEYS) {
        c->unwarned++;
    } else if (other && !r->quiet) {
        if (change == EAF_CHANGE_CONFLICT)
            /* the first file keeps the key; this one is recorded as giving it */
            report(r, "warning: %s: the article '%s' is also in %s, whose version is "
                      "kept", c->path, key, other);
        else
            report(r, "warning: %s: the key '%s' is given twice in this file; the last "
                      "one is kept", c->path, key);
        c->warned++;
    }
    if (change == EAF_CHANGE_CONFLICT)
        c->skipped++;
    if (change == EAF_CHANGE_ADDED) {
        c->added++;
        batch_change(r, &r->p_added, 1, c->path);
    } else if (change == EAF_CHANGE_UPDATED) {
        c->updated++;
        batch_change(r, &r->p_updated, 1, c->path);
    } else if (change == EAF_CHANGE_NONE) {
        c->unchanged++;
    }
    if (r->dry_run && (change == EAF_CHANGE_ADDED || change == EAF_CHANGE_UPDATED))
        printf("%s %s\n", change == EAF_CHANGE_ADDED ? "add" : "update", key);
    if (++r->in_batch >= r->batch && !r->dry_run)
        return commit(r);
    return 0;
}

/* ---- reading ahead ------------------------------------------------------------ */

/*
 * A file's articles are read (parsed, cleaned, hashed, and tokenized when
 * the reader is ahead) on a thread of their own while the main thread
 * stores the ones before: reading was a fifth of indexing and tokenizing a
 * sixth.  The threads share nothing but this queue.  What the reader says
 * is queued with the article, in order, so the main thread sees what it
 * would have seen reading itself; the reader stops after a status that
 * ends reading, and its counters are read after it is joined.  The reader
 * starts an article only while the memory queued and being stored is
 * under AHEAD_BYTES: a large record is stored before the next is read.
 */
typedef struct ahead_item {
    eaf_article *a;
    eaf_status st;
    char *err;                /* eaf_reader_errmsg() for a failure */
    size_t bytes;             /* the article's text, times 3 with tokens */
} ahead_item;

typedef struct ahead {
    eaf_reader *rd;
    eaf_prep *prep;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t queued;    /* the main thread waits for an article */
    pthread_cond_t room;      /* the reader waits for room */
    int main_waits, reader_waits;
    ahead_item q[AHEAD];
    size_t head, n;
    size_t bytes;             /* of the articles queued and being stored */
    int stop;                 /* the main thread wants no more */
} ahead;

/* Reads one article (and tokenizes it with prep, if not NULL), or the
 * message of why there is none. */
static void read_one(eaf_reader *rd, eaf_prep *prep, ahead_item *it)
{
    static const eaf_field text[] = {EAF_FIELD_TITLE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY,
                                     EAF_FIELD_BIO};
    size_t k;

    it->a = NULL;
    it->err = NULL;
    it->bytes = 0;
    it->st = eaf_reader_next(&it->a, rd);
    if (it->st != EAF_ROW && it->st != EAF_DONE) {
        const char *msg = eaf_reader_errmsg(rd);
        it->err = xstrdup(msg && *msg ? msg : eaf_status_str(it->st));
    }
    for (k = 0; it->a && k < sizeof(text) / sizeof(text[0]); k++) {
        const char *v = eaf_article_get(it->a, text[k]);
        it->bytes += v ? strlen(v) : 0;
    }
    /* the tokens and a copy of the text take about 1.5 times the text
     * more (counted as 2): not for a large record; and without memory
     * for them (EAF_NOMEM), the index makes them */
    if (it->a && prep && it->bytes <= PREP_MAX_BYTES &&
        eaf_prep_article(prep, it->a) == EAF_OK)
        it->bytes *= 3;
}

static void *ahead_main(void *arg)
{
    ahead *h = arg;
    ahead_item it;
    int last, stop, prep;
    sigset_t all;

    /* signals (an interrupt) are the main thread's to handle */
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    do {
        pthread_mutex_lock(&h->lock);
        while (!h->stop && (h->n == AHEAD || h->bytes >= AHEAD_BYTES)) {
            h->reader_waits = 1;
            pthread_cond_wait(&h->room, &h->lock);
            h->reader_waits = 0;
        }
        stop = h->stop;
        prep = h->n >= PREP_AHEAD;
        pthread_mutex_unlock(&h->lock);
        if (stop)
            break;
        read_one(h->rd, prep ? h->prep : NULL, &it);
        last = it.st != EAF_ROW && it.st != EAF_SYNTAX;
        pthread_mutex_lock(&h->lock);
        h->q[(h->head + h->n) % AHEAD] = it;
        h->n++;
        h->bytes += it.bytes;
        if (h->main_waits)
            pthread_cond_signal(&h->queued);
        pthread_mutex_unlock(&h->lock);
    } while (!last);
    return NULL;
}

/* Starts reading rd ahead; 0, or -1 when no thread could be made (then
 * the caller reads rd itself). */
static int ahead_start(ahead *h, eaf_reader *rd, eaf_prep *prep)
{
    memset(h, 0, sizeof(*h));
    h->rd = rd;
    h->prep = prep;
    if (pthread_mutex_init(&h->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&h->queued, NULL) != 0) {
        pthread_mutex_destroy(&h->lock);
        return -1;
    }
    if (pthread_cond_init(&h->room, NULL) != 0) {
        pthread_cond_destroy(&h->queued);
        pthread_mutex_destroy(&h->lock);
        return -1;
    }
    if (pthread_create(&h->thread, NULL, ahead_main, h) != 0) {
        pthread_cond_destroy(&h->room);
        pthread_cond_destroy(&h->queued);
        pthread_mutex_destroy(&h->lock);
        return -1;
    }
    return 0;
}

/* The next thing the reader said, in order.  The caller owns it->a and
 * it->err, and calls ahead_done() when it has stored the article. */
static void ahead_next(ahead *h, ahead_item *it)
{
    pthread_mutex_lock(&h->lock);
    while (h->n == 0) {
        h->main_waits = 1;
        pthread_cond_wait(&h->queued, &h->lock);
        h->main_waits = 0;
    }
    *it = h->q[h->head];
    h->head = (h->head + 1) % AHEAD;
    h->n--;
    if (h->reader_waits)
        pthread_cond_signal(&h->room);
    pthread_mutex_unlock(&h->lock);
}

static void ahead_done(ahead *h, const ahead_item *it)
{
    pthread_mutex_lock(&h->lock);
    h->bytes -= it->bytes;
    if (h->reader_waits)
        pthread_cond_signal(&h->room);
    pthread_mutex_unlock(&h->lock);
}

/* Stops the reader (it finishes the article it is reading) and frees
 * what it read that was not taken. */
static void ahead_stop(ahead *h)
{
    pthread_mutex_lock(&h->lock);
    h->stop = 1;
    pthread_cond_signal(&h->room);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    while (h->n > 0) {
        eaf_article_free(h->q[h->head].a);
        free(h->q[h->head].err);
        h->head = (h->head + 1) % AHEAD;
        h->n--;
    }
    pthread_cond_destroy(&h->room);
    pthread_cond_destroy(&h->queued);
    pthread_mutex_destroy(&h->lock);
}

/* A reader's message names the file by its name inside the folder given
 * ("2018/a.md: no title"); where the line names it already, the rest. */
static const char *after_name(const char *msg, const char *name)
{
    size_t n = strlen(name);

    if (msg && strncmp(msg, name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        return msg + n + 2;
    return msg;
}

/* Reports a reader's message about the file, named by its path as given
 * (the reader names it by its name inside the folder, and an archive's
 * member after a colon: "a.tar.gz:pages/x.md: ..."). */
static void file_error(run *r, const item *it, const char *msg)
{
    size_t n = strlen(it->name);

    if (msg && strncmp(msg, it->name, n) == 0 && msg[n] == ':')
        report(r, "%s%s", it->path, msg + n);
    else
        report(r, "%s", msg ? msg : "?");
}

static void print_status(run *r, const item *it, const char *status, const file_counts *c,
                         const char *detail)
{
    if (!r->verbose)
        return;
    if (r->progress)
        fputs("\r\033[K", stderr);
    printf("%s: %s", it->path, status);
    if (c && (c->added + c->updated + c->unchanged + c->removed + c->skipped + c->errors != 1 ||
              c->removed || c->skipped || c->errors))
        printf(" (%ld added, %ld updated, %ld unchanged, %ld removed, %ld skipped, "
               "%ld failed)", c->added, c->updated, c->unchanged, c->removed, c->skipped,
               c->errors);
    if (detail)
        printf(": %s", detail);
    putchar('\n');
}

static void index_file(run *r, item *it)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_reader *rd = NULL;
    ahead h;
    int threaded;
    eaf_source_state state;
    eaf_status st;
    char *err = NULL;
    file_counts c;
    int complete = 1, began = 0;
    char *last_error = NULL;
    int64_t removed = 0;

    memset(&c, 0, sizeof(c));
    c.path = it->path;
    c.r = r;
    if (ensure_txn(r) != 0)
        return;
    st = eaf_db_source_check(&state, r->db, it->abs, r->checksum ? EAF_SOURCE_CHECKSUM : 0);
    if (st != EAF_OK) {
        report(r, "%s: %s", it->path, eaf_errmsg(r->db));
        r->failed_files++;
        r->failed++;
        if (st != EAF_NOTFOUND && st != EAF_IO)
            r->fatal = 1;
        return;
    }
    if (state == EAF_SOURCE_UNCHANGED) {
        c.unchanged = known_articles(r, it->abs);
        r->unchanged += c.unchanged;
        print_status(r, it, "unchanged", NULL, NULL);
        return;
    }
    ro.format = r->format;
    ro.name = it->name;
    st = eaf_reader_open(&rd, it->path, &ro, &err);
    if (st != EAF_OK) {
        const char *msg = err ? err : eaf_status_str(st);
        file_error(r, it, msg);
        print_status(r, it, "failed", NULL, after_name(msg, it->name));
        eaf_free(err);
        r->failed_files++;
        r->failed++;
        it->failed = 1;
        return;
    }
    st = eaf_db_source_begin(r->db, it->abs);
    if (st != EAF_OK) {
        report(r, "%s: %s", it->path, eaf_errmsg(r->db));
        eaf_reader_free(rd);
        r->failed_files++;
        r->failed++;
        it->failed = 1;
        if (st != EAF_NOTFOUND && st != EAF_IO)
            r->fatal = 1;
        return;
    }
    began = 1;
    threaded = ahead_start(&h, rd, r->prep) == 0;
    while (!r->fatal) {
        ahead_item got;

        if (interrupted) {
            complete = 0;
            break;
        }
        if (threaded)
            ahead_next(&h, &got);
        else
            read_one(rd, r->prep, &got);
        if (got.st == EAF_DONE)
            break;
        if (got.st == EAF_ROW) {
            store(r, got.a, &c);
            eaf_article_free(got.a);
            if (threaded)
                ahead_done(&h, &got);
            continue;
        }
        file_error(r, it, got.err);
        free(last_error);
        last_error = got.err;
        c.errors++;
        complete = 0;
        if (got.st != EAF_SYNTAX)
            break; /* the reader cannot go on */
    }
    if (threaded)
        ahead_stop(&h);
    if (r->fatal)
        complete = 0;
    c.skipped += (long)eaf_reader_skipped(rd);
    if (c.unwarned)
        report(r, "warning: %s: %ld more articles are also in other files, or twice in "
                  "this one (-v names them all)", it->path, c.unwarned);
    if (began) {
        st = eaf_db_source_end(&removed, r->db, complete, on_removed, &c);
        if (st != EAF_OK) {
            report(r, "%s: %s", it->path, eaf_errmsg(r->db));
            r->fatal = 1;
        }
        c.removed = (long)removed;
        batch_change(r, &r->p_removed, c.removed, it->path);
    }
    if (c.errors)
        print_status(r, it, "failed", &c, after_name(last_error, it->name));
    else if (c.added + c.updated + c.unchanged == 0 && c.skipped)
        print_status(r, it, "skipped", &c,
                     eaf_reader_skip_reason(rd) ? eaf_reader_skip_reason(rd)
                                                : "its keys are given by other files");
    else if (state == EAF_SOURCE_NEW)
        print_status(r, it, "added", &c, NULL);
    else if (c.added + c.updated + c.removed == 0)
        print_status(r, it, "unchanged", &c, NULL);
    else
        print_status(r, it, "updated", &c, NULL);
    free(last_error);
    eaf_reader_free(rd);
    /* (added, updated and removed wait for the batch's commit) */
    r->unchanged += c.unchanged;
    r->skipped += c.skipped;
    r->failed += c.errors;
    if (c.errors) {
        r->failed_files++;
        it->failed = 1;
    }
}

/* The files of this run the index marks to be read again (an article
 * passed to them from a file that no longer gives it), collected: the
 * walk's callback may not read them itself. */
typedef struct pending_walk {
    item **order;             /* the items by absolute path */
    size_t nitems;
    item **todo;
    size_t n;
} pending_walk;

static int compare_item_abs(const void *x, const void *y)
{
    return strcmp((*(item *const *)x)->abs, (*(item *const *)y)->abs);
}

static int collect_pending(const char *path, int64_t articles, void *payload)
{
    pending_walk *p = payload;
    size_t lo = 0, hi = p->nitems;

    (void)articles;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        item *it = p->order[mid];
        int c = strcmp(it->abs, path);
        if (c == 0) {
            /* not one whose reading failed in this run: it stays marked */
            if (!it->failed)
                p->todo[p->n++] = it;
            break;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Reads again the files of this run the index marks so; their articles
 * other than the ones passed to them were counted when they were read. */
static void reread_pending(run *r)
{
    pending_walk p;
    long unchanged = r->unchanged, skipped = r->skipped;
    size_t k;

    if (r->nitems == 0 || ensure_txn(r) != 0)
        return;
    memset(&p, 0, sizeof(p));
    p.nitems = r->nitems;
    p.order = xrealloc(NULL, r->nitems * sizeof(*p.order));
    p.todo = xrealloc(NULL, r->nitems * sizeof(*p.todo));
    for (k = 0; k < r->nitems; k++)
        p.order[k] = &r->items[k];
    qsort(p.order, r->nitems, sizeof(*p.order), compare_item_abs);
    if (eaf_db_source_pending(r->db, NULL, collect_pending, &p) != EAF_OK) {
        report(r, "cannot list the files to read again: %s", eaf_errmsg(r->db));
        r->fatal = 1;
    }
    for (k = 0; k < p.n && !r->fatal && !interrupted; k++)
        index_file(r, p.todo[k]);
    r->unchanged = unchanged;
    r->skipped = skipped;
    free(p.order);
    free(p.todo);
}

/* ---- pruning ------------------------------------------------------------------------ */

typedef struct prune_walk {
    run *r;
    char **gone;
    size_t n, cap;
    size_t recorded;          /* files recorded under the folder */
} prune_walk;

/* A folder whose files are gone for the most part is not pruned without
 * --prune-all: more often a copy or a mount that failed half way than an
 * archive deleted by hand.  At least PRUNE_GUARD_MIN files, and more than
 * half of those recorded. */
#define PRUNE_GUARD_MIN 10

static int collect_gone(const char *path, int64_t articles, void *payload)
{
    prune_walk *p = payload;
    char *key = (char *)path;

    (void)articles;
    p->recorded++;
    if (bsearch(&key, p->r->visited, p->r->nvisited, sizeof(char *), compare_strings))
        return 0;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->gone = xrealloc(p->gone, p->cap * sizeof(char *));
    }
    p->gone[p->n++] = xstrdup(path);
    return 0;
}

static void prune(run *r, const root *rt)
{
    prune_walk p;
    size_t i, todo;
    eaf_status st;

    memset(&p, 0, sizeof(p));
    p.r = r;
    st = eaf_db_source_list(r->db, rt->abs, collect_gone, &p);
    if (st != EAF_OK) {
        report(r, "cannot list the files of %s: %s", rt->path, eaf_errmsg(r->db));
        r->fatal = 1;
    }
    todo = p.n;
    if (!r->fatal && !r->prune_all && p.n >= PRUNE_GUARD_MIN && p.n * 2 > p.recorded) {
        report(r, "%s: %zu of the %zu files indexed from this folder are gone: nothing is "
                  "removed for it (is it the right folder, and is all of it there?); "
                  "run with --prune-all to remove them",
               rt->path, p.n, p.recorded);
        r->failed_files++;
        todo = 0;
    }
    for (i = 0; i < todo && !r->fatal && !interrupted; i++) {
        file_counts c;
        int64_t removed = 0;
        char *shown = join(rt->path, p.gone[i] + strlen(rt->abs));

        memset(&c, 0, sizeof(c));
        c.r = r;
        c.path = shown;
        if (ensure_txn(r) == 0) {
            st = eaf_db_source_remove(&removed, r->db, p.gone[i], on_removed, &c);
            if (st != EAF_OK) {
                report(r, "%s: %s", shown, eaf_errmsg(r->db));
                r->fatal = 1;
            } else {
                batch_change(r, &r->p_removed, (long)removed, shown);
                if (r->verbose)
                    printf("%s: removed (%lld %s): the file is gone\n", shown,
                           (long long)removed, plural((long)removed, "article", "articles"));
                r->in_batch += (long)removed;
                if (r->in_batch >= r->batch && !r->dry_run)
                    commit(r);
            }
        }
        free(shown);
    }
    for (i = 0; i < p.n; i++)
        free(p.gone[i]);
    free(p.gone);
}

/* ---- export ---------------------------------------------------------------------- */

/* The header line of an export (see eaf_db_export()), whose settings
 * eafindex gives back to an index it makes from the export. */
#define EXPORT_HEADER "eafsearch_export"

static const struct {
    const char *name;
    size_t offset;
    int is_unsigned;
} related_fields[] = {
#define F(name, u) {#name, offsetof(eaf_related_options, name), u}
    F(count, 1), F(terms, 1), F(title_weight, 0), F(max_share, 0),
    F(topic_weight, 0), F(country_weight, 0), F(tag_weight, 0), F(author_weight, 0),
    F(recency, 0), F(half_life_days, 1), F(duplicate, 0), F(idf_power, 0),
    F(neighbours, 1), F(neighbour_weight, 0),
#undef F
};

/* The settings of an index exported to path, when its first line is an
 * export's header: 1 and *language (to free) and *ro, else 0. */
static int read_header(const char *path, char **language, eaf_related_options *ro,
                       int *have_related)
{
    FILE *fp = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    json_t *top, *h, *rel, *v;
    size_t i;
    int found = 0;

    *language = NULL;
    *have_related = 0;
    if (!fp)
        return 0;
    n = getline(&line, &cap, fp);
    fclose(fp);
    top = n > 0 ? json_loadb(line, (size_t)n, 0, NULL) : NULL;
    free(line);
    h = json_object_get(top, EXPORT_HEADER);
    if (json_is_object(h) && json_is_string(json_object_get(h, "language"))) {
        found = 1;
        *language = xstrdup(json_string_value(json_object_get(h, "language")));
        rel = json_object_get(h, "related");
        if (json_is_object(rel)) {
            *have_related = 1;
            for (i = 0; i < sizeof(related_fields) / sizeof(related_fields[0]); i++) {
                char *p = (char *)ro + related_fields[i].offset;
                v = json_object_get(rel, related_fields[i].name);
                if (!json_is_number(v))
                    continue;
                if (related_fields[i].is_unsigned)
                    *(unsigned *)p = (unsigned)json_number_value(v);
                else
                    *(double *)p = json_number_value(v);
            }
            if (json_is_true(json_object_get(rel, "earlier")))
                ro->flags |= EAF_RELATED_EARLIER;
            if (json_is_true(json_object_get(rel, "text_only")))
                ro->flags |= EAF_RELATED_TEXT_ONLY;
        }
    }
    json_decref(top);
    return found;
}

typedef struct export_file {
    FILE *fp;
    int error;                /* errno of the write that failed */
} export_file;

static int write_file(const char *data, size_t len, void *payload)
{
    export_file *f = payload;

    if (fwrite(data, 1, len, f->fp) == len)
        return 0;
    f->error = errno;
    return -1;
}

static int do_export(const char *dbpath, const char *output)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db;
    char *err = NULL;
    export_file x = {NULL, 0};
    FILE *out;
    int failed = 0;
    eaf_status st;

    oo.flags = EAF_OPEN_READONLY;
    st = eaf_db_open(&db, dbpath, &oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        return EXIT_FAIL;
    }
    out = output && strcmp(output, "-") != 0 ? fopen(output, "w") : stdout;
    if (!out) {
        warnx_("%s: %s", output, strerror(errno));
        eaf_db_close(db);
        return EXIT_FAIL;
    }
    x.fp = out;
    st = eaf_db_export(NULL, db, NULL, write_file, &x);
    if (st == EAF_ABORT) {
        failed = 1; /* a write failed: said below */
        errno = x.error;
        st = EAF_OK;
    } else if (st != EAF_OK) {
        warnx_("cannot read the index: %s", eaf_errmsg(db));
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

static void on_problem(const char *problem, void *payload)
{
    const check_state *x = payload;

    warnx_("%s: %s", x->path, problem);
}

static int do_check(const char *dbpath, int quiet)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    check_state x = {dbpath, quiet};
    eaf_db *db;
    char *err = NULL;
    int64_t problems = 0, articles = 0;
    eaf_status st;

    /* read-write (FTS5's check takes the write lock, and so sees one state
     * while another program indexes), never created; an index this user
     * may only read is checked read-only */
    st = eaf_db_open(&db, dbpath, &oo, &err);
    if (st == EAF_READONLY) {
        eaf_free(err);
        err = NULL;
        oo.flags = EAF_OPEN_READONLY;
        st = eaf_db_open(&db, dbpath, &oo, &err);
    }
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        return EXIT_FAIL;
    }
    st = eaf_db_check(&problems, db, on_problem, &x);
    if (st != EAF_OK && st != EAF_CORRUPT) {
        warnx_("%s: cannot check the index: %s", dbpath, eaf_errmsg(db));
    } else if (problems > 0) {
        warnx_("%s: %lld problem%s found: 'eafindex -d %s --rebuild' mends what can be "
               "mended in place", dbpath, (long long)problems, problems == 1 ? "" : "s",
               dbpath);
    } else if (eaf_db_count(&articles, db) != EAF_OK) {
        warnx_("%s: cannot count the articles: %s", dbpath, eaf_errmsg(db));
        st = EAF_ERROR;
    } else if (!quiet) {
        printf("%s: ok, %lld articles\n", dbpath, (long long)articles);
    }
    eaf_db_close(db);
    return st == EAF_OK ? EXIT_OK : EXIT_FAIL;
}

/* --rebuild: what the index derives from its articles, made again, then
 * the related lists and a check. */
static int do_rebuild(const char *dbpath, eaf_open_options *oo, int no_related, int quiet)
{
    check_state x = {dbpath, quiet};
    eaf_related_stats stats;
    eaf_db *db;
    char *err = NULL;
    int64_t problems = 0, articles = 0;
    eaf_status st;

    oo->flags = EAF_OPEN_LOCK;
    st = eaf_db_open(&db, dbpath, oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        return EXIT_FAIL;
    }
    catch_signals(1);
    interrupt_db = db;
    st = eaf_db_rebuild(db);
    if (st != EAF_OK) {
        warnx_("%s: cannot rebuild the index: %s", dbpath, eaf_errmsg(db));
    } else if (!no_related && !interrupted) {
        memset(&stats, 0, sizeof(stats));
        stats.version = EAF_RELATED_STATS_VERSION;
        st = eaf_related_refresh(&stats, db, NULL, NULL);
        if (st != EAF_OK)
            warnx_("%s: cannot compute the related lists: %s", dbpath, eaf_errmsg(db));
    }
    interrupt_db = NULL;
    if (st == EAF_OK) {
        st = eaf_db_check(&problems, db, on_problem, &x);
        if (st != EAF_OK && st != EAF_CORRUPT)
            warnx_("%s: rebuilt, but cannot check it: %s", dbpath, eaf_errmsg(db));
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

/* ---- related articles ----------------------------------------------------------------- */

static int related_progress(const char *phase, int64_t done, int64_t total, void *payload)
{
    run *r = payload;

    if (interrupted)
        return 1;
    if (!r->progress || seconds_since(&r->last_progress) < 0.1)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &r->last_progress);
    if (total > 0)
        fprintf(stderr, "\r\033[Krelated articles: %s %lld/%lld", phase, (long long)done,
                (long long)total);
    else
        fprintf(stderr, "\r\033[Krelated articles: %s %lld", phase, (long long)done);
    fflush(stderr);
    return 0;
}

/* Brings the related-article lists up to date with what was indexed:
 * the stale ones only, or all of them the first time. */
static void refresh_related(run *r)
{
    eaf_related_stats stats;
    struct timespec t0;
    eaf_status st;

    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    st = eaf_related_refresh(&stats, r->db, related_progress, r);
    show_progress(r, 1);
    if (st != EAF_OK) {
        if (!interrupted)
            report(r, "cannot refresh the related articles: %s", eaf_errmsg(r->db));
        r->fatal = 1;
        return;
    }
    if (r->verbose)
        printf("related articles: %lld list%s %s in %.1f s\n", (long long)stats.lists,
               stats.lists == 1 ? "" : "s", stats.full ? "built" : "refreshed",
               seconds_since(&t0));
}

/* ---- main ---------------------------------------------------------------------------- */

static int remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char *p;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        p = join(dir, e->d_name);
        unlink(p);
        free(p);
    }
    closedir(d);
    return rmdir(dir);
}

/* Merges the full-text index after a run that changed much of it (or as
 * told): searches of the new articles are faster. */
static void optimize(run *r)
{
    long changed = r->added + r->updated;
    int64_t count = 0;

    if (r->optimize_opt == 0 || (r->optimize_opt < 0 && changed == 0))
        return;
    if (r->optimize_opt < 0 &&
        (changed < OPTIMIZE_MIN || eaf_db_count(&count, r->db) != EAF_OK ||
         changed < count / 10))
        return;
    if (r->verbose)
        fprintf(stderr, "optimizing the full-text index\n");
    /* minutes on a large index: an interrupt stops the merge itself */
    interrupt_db = r->db;
    if (eaf_db_optimize(r->db) != EAF_OK && !interrupted)
        /* what was indexed is kept: only the merge failed */
        warnx_("cannot optimize the index: %s", eaf_errmsg(r->db));
    interrupt_db = NULL;
}

/* Indexes the n paths given into the index at path: the run of eafindex
 * without --export, --check or --rebuild. */
static int do_index(run *r, const char *path, eaf_open_options *oo, int n, char **paths)
{
    char tmpdir[512] = "", *tmpdb = NULL;
    char *err = NULL;
    eaf_status st;
    int i, have_related = 0;
    char *export_lang = NULL;
    eaf_related_options export_related = EAF_RELATED_OPTIONS_INIT;
    size_t k;

    /* the only writer for the whole run: a second eafindex on the index
     * waits for the lock (busy_timeout_ms), then is refused */
    oo->flags = EAF_OPEN_CREATE | EAF_OPEN_LOCK;
    /* a new index made from an export takes the exported index's language
     * (unless -L says another) and related options */
    if (access(path, F_OK) != 0) {
        for (i = 0; i < n && !export_lang; i++) {
            struct stat sb;
            if (strcmp(paths[i], "-") != 0 && stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
                read_header(paths[i], &export_lang, &export_related, &have_related)) {
                if (!oo->language && known_language(export_lang))
                    oo->language = export_lang;
                if (r->verbose)
                    printf("%s: the settings of the exported index: language %s%s\n", paths[i],
                           oo->language ? oo->language : export_lang,
                           have_related ? ", and its related options" : "");
            }
        }
    }
    if (r->dry_run && access(path, F_OK) != 0) {
        /* nothing to compare with: a scratch index, thrown away */
        const char *t = getenv("TMPDIR");
        snprintf(tmpdir, sizeof(tmpdir), "%s/eafindex.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(tmpdir)) {
            warnx_("cannot make a scratch folder: %s", strerror(errno));
            free(export_lang);
            return EXIT_FAIL;
        }
        tmpdb = join(tmpdir, "dry-run.db");
        path = tmpdb;
    }
    st = eaf_db_open(&r->db, path, oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        if (tmpdb)
            remove_tree(tmpdir);
        free(tmpdb);
        free(export_lang);
        return EXIT_FAIL;
    }
    catch_signals(1);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->progress = !r->quiet && !r->verbose && !r->dry_run && isatty(STDERR_FILENO);

    /* what the index knows, then what there is to read */
    /* tokens made on the reading thread; without, the index makes them */
    if (eaf_prep_new(&r->prep, r->db) != EAF_OK)
        r->prep = NULL;
    st = eaf_db_source_list(r->db, NULL, collect_known, r);
    if (st != EAF_OK) {
        warnx_("cannot read the index: %s", eaf_errmsg(r->db));
        r->fatal = 1;
    }
    for (i = 0; i < n && !r->fatal; i++) {
        if (strcmp(paths[i], "-") == 0)
            add_stdin_list(r);
        else
            add_path(r, paths[i]);
    }
    r->visited = xrealloc(NULL, (r->nitems ? r->nitems : 1) * sizeof(char *));
    for (k = 0; k < r->nitems; k++)
        r->visited[k] = r->items[k].abs;
    r->nvisited = r->nitems;
    qsort(r->visited, r->nvisited, sizeof(char *), compare_strings);

    for (k = 0; k < r->nitems && !r->fatal && !interrupted; k++) {
        index_file(r, &r->items[k]);
        r->done_files++;
        r->done_bytes += r->items[k].size;
        show_progress(r, 0);
    }
    for (k = 0; k < r->nroots && !r->fatal && !interrupted; k++)
        if (r->roots[k].prune)
            prune(r, &r->roots[k]);
    /* an article two files gave, whose stored version's file no longer
     * gives it, passed to the other file: read that one again now */
    if (!r->dry_run && !r->fatal && !interrupted)
        reread_pending(r);
    if (r->dry_run) {
        if (r->in_txn)
            eaf_db_rollback(r->db);
        r->in_txn = 0;
        batch_kept(r); /* what it would have done */
    } else if (!r->fatal) {
        commit(r);
        if (!r->fatal && !interrupted)
            optimize(r);
    } else if (r->in_txn) {
        eaf_db_rollback(r->db);
        r->in_txn = 0;
        batch_lost(r);
    }
    show_progress(r, 1);
    if (have_related && !r->dry_run && !r->fatal &&
        eaf_related_set_defaults(r->db, &export_related) != EAF_OK)
        warnx_("cannot record the related options of the export: %s", eaf_errmsg(r->db));
    if (!r->dry_run && !r->fatal && !interrupted && !r->no_related)
        refresh_related(r);
    if (interrupted)
        warnx_("interrupted: what was committed is kept; run again to go on");
    interrupt_db = NULL;
    printf("%s%ld added, %ld updated, %ld unchanged, %ld removed, %ld skipped, %ld failed\n",
           r->dry_run ? "dry run, nothing written: " : "", r->added, r->updated, r->unchanged,
           r->removed, r->skipped, r->failed);
    eaf_prep_free(r->prep);
    if (eaf_db_close(r->db) != EAF_OK)
        r->fatal = 1;
    if (tmpdb) {
        char *p = join(tmpdir, "dry-run.db-wal");
        unlink(p);
        free(p);
        p = join(tmpdir, "dry-run.db-shm");
        unlink(p);
        free(p);
        unlink(tmpdb);
        rmdir(tmpdir);
        free(tmpdb);
    }
    for (k = 0; k < r->nitems; k++) {
        free(r->items[k].path);
        free(r->items[k].abs);
        free(r->items[k].name);
    }
    free(r->items);
    free(r->visited);
    for (k = 0; k < r->nroots; k++) {
        free(r->roots[k].path);
        free(r->roots[k].abs);
    }
    free(r->roots);
    for (k = 0; k < r->nknown; k++)
        free(r->known_path[k]);
    free(r->known_path);
    free(r->known_count);
    free(r->excludes);
    for (k = 0; k < r->capseen; k++)
        free(r->seen[k].path);
    free(r->seen);
    free(r->batch_first);
    free(export_lang);
    if (interrupted)
        return 130;
    return r->fatal || r->failed || r->failed_files ? EXIT_FAIL : EXIT_OK;
}

/* ---- options ------------------------------------------------------------------------- */

/* What the command line asks: the run, and what only main needs. */
typedef struct args {
    run r;
    eaf_open_options oo;
    const char *dbopt;
    int export, check, rebuild;
} args;

static int opt_format(void *x, const tool_option *o, const char *arg)
{
    run *r = &((args *)x)->r;

    (void)o;
    r->format = eaf_format_from_name(arg);
    if (r->format == EAF_FORMAT_LAST || r->format == EAF_FORMAT_AUTO) {
        warnx_("unknown format '%s' (formats: page, html, markdown, wxr, jsonl, "
               "tar, zip, gzip)", arg);
        return EXIT_USAGE;
    }
    return OPT_NEXT;
}

static int opt_language(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    a->oo.language = arg;
    if (!known_language(arg)) {
        warnx_("unknown stemming language '%s' (see --help for the list)", arg);
        return EXIT_USAGE;
    }
    return OPT_NEXT;
}

static int opt_batch(void *x, const tool_option *o, const char *arg)
{
    run *r = &((args *)x)->r;

    (void)o;
    r->batch = parse_count(arg);
    if (r->batch < 1) {
        warnx_("--batch needs a positive number, not '%s'", arg);
        return EXIT_USAGE;
    }
    return OPT_NEXT;
}

static int opt_prune_all(void *x, const tool_option *o, const char *arg)
{
    run *r = &((args *)x)->r;

    (void)o;
    (void)arg;
    r->prune_opt = 1;
    r->prune_all = 1;
    return OPT_NEXT;
}

static int opt_wait(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long w = parse_count(arg);

    (void)o;
    if (w < 0 || w > 86400) {
        warnx_("--wait needs a number of seconds (0 to 86400), not '%s'", arg);
        return EXIT_USAGE;
    }
    a->oo.busy_timeout_ms = w == 0 ? -1 : (int)(w * 1000);
    return OPT_NEXT;
}

static int opt_exclude(void *x, const tool_option *o, const char *arg)
{
    run *r = &((args *)x)->r;

    (void)o;
    r->excludes = xrealloc(r->excludes, (r->nexcludes + 1) * sizeof(char *));
    r->excludes[r->nexcludes++] = (char *)arg;
    return OPT_NEXT;
}

#define AT(member) offsetof(args, member)
#define RUN(member) offsetof(args, r.member)
#define NOV {0, 0}

static const tool_option options[] = {
    {"db", 'd', required_argument, "FILE",
     "the index (default: $EAFSEARCH_DB, else ./eafsearch.db);\n"
     "created if missing", opt_string, AT(dbopt), 0, NOV, 1},
    {"format", 'f', required_argument, "FORMAT",
     "read every file as FORMAT: page, html, markdown, wxr\n"
     "or jsonl (default: detect from the content)", opt_format, 0, 0, NOV, 2},
    {"language", 'L', required_argument, "LANG",
     "stemming language of a new index (default: english)", opt_language, 0, 0, NOV, 3},
    {"batch", 'b', required_argument, "N", "commit every N articles (default: %d)",
     opt_batch, 0, 0, {DEFAULT_BATCH, 0}, 4},
    {"prune", 0, no_argument, NULL,
     "remove the articles of files gone from the folders\n"
     "given (the default for a folder already indexed)", opt_set_int, RUN(prune_opt), 1,
     NOV, 5},
    {"no-prune", 0, no_argument, NULL, "keep them", opt_set_int, RUN(prune_opt), 0, NOV, 6},
    {"prune-all", 0, no_argument, NULL,
     "prune even when most of a folder's files are gone\n"
     "(otherwise nothing is removed for that folder)", opt_prune_all, 0, 0, NOV, 7},
    {"optimize", 0, no_argument, NULL,
     "merge the full-text index into one segment at the\n"
     "end (the default when the run added or changed at\n"
     "least %d articles and a tenth of the index)", opt_set_int, RUN(optimize_opt), 1,
     {OPTIMIZE_MIN, 0}, 10},
    {"no-optimize", 0, no_argument, NULL, "do not", opt_set_int, RUN(optimize_opt), 0, NOV,
     11},
    {"dry-run", 'n', no_argument, NULL,
     "say what would be added, updated and removed; change\n"
     "nothing", opt_set_int, RUN(dry_run), 1, NOV, 12},
    {"checksum", 'c', no_argument, NULL,
     "compare the content of files whose size and time did\n"
     "not change too", opt_set_int, RUN(checksum), 1, NOV, 13},
    {"no-related", 0, no_argument, NULL, "do not refresh the related-article lists afterwards",
     opt_set_int, RUN(no_related), 1, NOV, 18},
    {"wait", 0, required_argument, "SECONDS",
     "how long to wait for another program writing to the\n"
     "index before giving up (default: 5)", opt_wait, 0, 0, NOV, 9},
    {"exclude", 'x', required_argument, "PATTERN",
     "skip files and folders matching the shell PATTERN (on\n"
     "the name, or on the path inside the folder if it has a\n"
     "'/'); may be repeated", opt_exclude, 0, 0, NOV, 14},
    {"export", 'e', no_argument, NULL,
     "write every article of the index as JSON Lines to\n"
     "OUTPUT (default: standard output), and exit", opt_set_int, AT(export), 1, NOV, 15},
    {"check", 0, no_argument, NULL,
     "check the index (SQLite's and FTS5's integrity checks\n"
     "and the library's own), name each problem, and exit:\n"
     "0 when it is sound, 1 otherwise", opt_set_int, AT(check), 1, NOV, 16},
    {"rebuild", 0, no_argument, NULL,
     "rebuild what the index derives from its articles (the\n"
     "full-text index, the related lists, ...), check it,\n"
     "and exit", opt_set_int, AT(rebuild), 1, NOV, 17},
    {"verbose", 'v', no_argument, NULL, "print one line per file: what was done, and why",
     opt_set_int, RUN(verbose), 1, NOV, 19},
    {"quiet", 'q', no_argument, NULL, "print only errors and the tally", opt_set_int,
     RUN(quiet), 1, NOV, 20},
    {"help", 'h', no_argument, NULL, "show this help and exit", opt_help, 0, 0, NOV, 21},
    {"version", 'V', no_argument, NULL, "show the version and exit", opt_version, 0, 0, NOV,
     22},
    {NULL, 0, 0, NULL, "\n", NULL, 0, 0, NOV, 0},
    {"null", '0', no_argument, NULL,
     "the list read from standard input (PATH -) ends each\n"
     "path with a NUL byte, as find -print0 writes it", opt_set_int, RUN(null_list), 1, NOV,
     8},
};

static const tool_spec spec = {
    "Usage: %s [OPTION]... PATH...\n"
    "       %s [-d FILE] --export [OUTPUT]\n"
    "       %s [-d FILE] --check | --rebuild\n"
    "Index article files, archives and folders of them, and keep the index in step.\n"
    "\n",
    options, sizeof(options) / sizeof(options[0]),
    "\n"
    "A PATH of - reads the paths to index from standard input, one per line (or\n"
    "NUL-terminated, with -0; a NUL byte always ends a path).\n"
    "Folders are walked recursively; files are read when their name has the\n"
    "extension of an article file (.md, .markdown, .txt, .html, .htm, .wxr, .xml,\n"
    ".jsonl, ...) or of an archive (.tar, .tar.gz, .tgz, .zip, .gz, ...), or none;\n"
    "hidden names, README and LICENSE files are skipped; a folder or file reached\n"
    "again through a link is read once.  Each file's format is\n"
    "detected from its content.  An article's key is its URL when the file gives\n"
    "one, its id (JSON Lines), or its path inside the folder (or archive) given,\n"
    "without the extension.  When two files give one key, the first file keeps\n"
    "the article and a warning names both; the article stays while either does.\n"
    "Another eafindex writing to the same index is waited for (5 s), then refused.\n"
    "\n"
    "Exit status: 0 if every file was indexed, 1 if some file or the index\n"
    "failed, 2 for a usage error.\n",
    0,
};

/* ---- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    args a;
    const char *path;
    int rc;

    tool_init(argv[0]);
    /* Before SQLite starts (this process is ours alone): an article is
     * stored under a savepoint, whose journal of the pages it changed
     * stays in memory up to 8 MB rather than SQLite's 64 KB, past which
     * it goes to a temporary file for the rest of the batch.  A failure
     * leaves SQLite's default. */
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 8 << 20);
    memset(&a, 0, sizeof(a));
    a.oo = (eaf_open_options)EAF_OPEN_OPTIONS_INIT;
    a.r.batch = DEFAULT_BATCH;
    a.r.prune_opt = -1;
    a.r.optimize_opt = -1;
    if ((rc = tool_parse(&spec, &a, argc, argv)) != OPT_NEXT) {
        free(a.r.excludes);
        return rc;
    }
    path = db_path(a.dbopt);
    if (a.rebuild) {
        if (a.export || a.check || optind < argc) {
            warnx_("--rebuild takes no file and no other action");
            return EXIT_USAGE;
        }
        return do_rebuild(path, &a.oo, a.r.no_related, a.r.quiet);
    }
    if (a.check) {
        if (a.export || optind < argc) {
            warnx_("--check takes no file and no other action");
            return EXIT_USAGE;
        }
        return do_check(path, a.r.quiet);
    }
    if (a.export) {
        if (argc - optind > 1) {
            warnx_("--export takes at most one output file");
            return EXIT_USAGE;
        }
        return do_export(path, optind < argc ? argv[optind] : NULL);
    }
    if (optind >= argc) {
        warnx_("no file or folder to index");
        return usage_error();
    }
    return do_index(&a.r, path, &a.oo, argc - optind, argv + optind);
}
