/*
 * index_walk.c: eafindex's paths: the folders walked, each file once
 * however many links lead to it, the list read from standard input, and
 * what the index already knows of each file.
 */
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small helpers ----------------------------------------------------------- */

void report(run *r, const char *fmt, ...)
{
    char small[1024], *line = small;
    va_list ap, again;
    int n;

    /* formatted once, for stderr or for r->say alike; a long message
     * (a path deep in an archive) is not cut */
    va_start(ap, fmt);
    va_copy(again, ap);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    if (n >= (int)sizeof(small)) {
        line = xrealloc(NULL, (size_t)n + 1);
        vsnprintf(line, (size_t)n + 1, fmt, again);
    }
    va_end(again);
    va_end(ap);
    if (r->say) {
        r->say(r, line);
    } else {
        if (r->progress)
            fputs("\r\033[K", stderr);
        warnx_("%s", line);
    }
    if (line != small)
        free(line);
}

int run_stopped(run *r)
{
    if (!r->stopped && (interrupted || (r->poll && r->poll(r))))
        r->stopped = 1;
    return r->stopped;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        warnx_("out of memory");
        exit(EXIT_FAIL);
    }
    return q;
}

char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        warnx_("out of memory");
        exit(EXIT_FAIL);
    }
    return d;
}

char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = xrealloc(NULL, n);

    snprintf(p, n, "%s%s%s", a, *a && a[strlen(a) - 1] != '/' && *b ? "/" : "", b);
    return p;
}

/* An absolute, lexically normalised copy of path: no "." or ".." parts, no
 * doubled or trailing '/'. */
char *absolute(const char *path)
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

int compare_strings(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

int known_language(const char *name)
{
    const char *const *l;

    for (l = eaf_languages(); l && *l; l++)
        if (strcmp(*l, name) == 0)
            return 1;
    return 0;
}

/* ---- what the index knows ----------------------------------------------------- */

int collect_known(const char *path, int64_t articles, void *payload)
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
long known_articles(run *r, const char *abs)
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

int has_known_prefix(run *r, const char *prefix)
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

    if (run_stopped(r))
        return 0;
    d = opendir(dir);
    if (!d) {
        report(r, "%s: %s", dir, strerror(errno));
        r->failed_files++;
        return 1;
    }
    while ((e = readdir(d)) != NULL && !run_stopped(r)) {
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

        if (run_stopped(r)) {
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

void add_path(run *r, const char *path)
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
        rt->ok = errors == 0 && r->nitems > before && !run_stopped(r);
        if (run_stopped(r)) {
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
void add_stdin_list(run *r)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    /* a list typed on a terminal: an interrupt ends the wait for it */
    catch_signals(0);
    while (!run_stopped(r) &&
           (n = getdelim(&line, &cap, r->null_list ? '\0' : '\n', stdin)) >= 0) {
        ssize_t start = 0, k;

        for (k = 0; k <= n && !run_stopped(r); k++) {
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
