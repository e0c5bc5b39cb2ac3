/*
 * eafindex: index an archive of articles.
 *
 *   eafindex [-d DB] [options] PATH...
 *
 * PATHs are files (article pages, JSON Lines) or folders, walked
 * recursively; "-" reads a list of paths from standard input, one per
 * line.  Unchanged articles are skipped (content hash).  A file that
 * cannot be read is reported on one line and the run goes on; the final
 * tally says how many articles were added, updated, unchanged and failed.
 */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_BATCH 500

typedef struct run {
    eaf_db *db;
    eaf_format format;
    long batch;            /* articles per transaction */
    long in_batch;
    int verbose, quiet, progress;
    long added, updated, unchanged, failed_articles, failed_files, files;
    int fatal;
    time_t last_progress;
} run;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTION]... PATH...\n"
            "Index article pages and JSON Lines files, or folders of them.\n"
            "\n"
            "  -d, --db=FILE          the index (default: $EAFSEARCH_DB, else ./eafsearch.db);\n"
            "                         created if missing\n"
            "  -f, --format=FORMAT    read every file as FORMAT: page or jsonl\n"
            "                         (default: detect from the content)\n"
            "  -L, --language=LANG    stemming language of a new index (default: english)\n"
            "  -b, --batch=N          commit every N articles (default: %d)\n"
            "  -v, --verbose          print one line per file\n"
            "  -q, --quiet            print only errors and the tally\n"
            "  -h, --help             show this help and exit\n"
            "  -V, --version          show the version and exit\n"
            "\n"
            "A PATH of - reads the paths to index from standard input, one per line.\n"
            "Folders are walked recursively for *.md, *.markdown, *.txt, *.jsonl and\n"
            "*.ndjson files; names starting with '.' are skipped.  An article's key is\n"
            "its id (JSON Lines) or its path inside the folder given, without the\n"
            "extension (pages).\n"
            "\n"
            "Exit status: 0 if every file was indexed, 1 if some file or the index\n"
            "failed, 2 for a usage error.\n",
            progname, DEFAULT_BATCH);
}

static int commit(run *r)
{
    eaf_status st;

    if (r->in_batch == 0)
        return 0;
    st = eaf_db_commit(r->db);
    r->in_batch = 0;
    if (st != EAF_OK) {
        warnx_("cannot commit: %s", eaf_errmsg(r->db));
        r->fatal = 1;
        return -1;
    }
    return 0;
}

static void show_progress(run *r, int force)
{
    time_t now;

    if (!r->progress)
        return;
    if (force) { /* the end: clear the line for the tally */
        fputs("\r\033[K", stderr);
        return;
    }
    now = time(NULL);
    if (now == r->last_progress)
        return;
    r->last_progress = now;
    fprintf(stderr, "\r%s: %ld files, %ld added, %ld updated, %ld unchanged, %ld failed",
            progname, r->files, r->added, r->updated, r->unchanged,
            r->failed_articles + r->failed_files);
    fflush(stderr);
}

/* Stores one article; returns -1 on a failure of the index itself. */
static int store(run *r, const eaf_article *a, long *counts)
{
    eaf_change change;
    eaf_status st;

    if (r->in_batch == 0) {
        st = eaf_db_begin(r->db);
        if (st != EAF_OK) {
            warnx_("cannot write to the index: %s", eaf_errmsg(r->db));
            r->fatal = 1;
            return -1;
        }
    }
    st = eaf_db_put(&change, r->db, a);
    if (st == EAF_MISUSE || st == EAF_SYNTAX) {
        warnx_("%s: %s", eaf_article_get(a, EAF_FIELD_KEY), eaf_errmsg(r->db));
        r->failed_articles++;
        return 0;
    }
    if (st != EAF_OK) {
        warnx_("cannot store '%s': %s", eaf_article_get(a, EAF_FIELD_KEY),
               eaf_errmsg(r->db));
        eaf_db_rollback(r->db);
        r->in_batch = 0;
        r->fatal = 1;
        return -1;
    }
    counts[change]++;
    if (++r->in_batch >= r->batch)
        return commit(r);
    return 0;
}

/* Indexes one file; name is its path inside the archive (for keys). */
static void index_file(run *r, const char *path, const char *name)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_reader *rd;
    eaf_article *a;
    eaf_status st;
    char *err = NULL;
    long counts[3] = {0, 0, 0}, bad = 0;

    ro.format = r->format;
    ro.name = name;
    r->files++;
    st = eaf_reader_open(&rd, path, &ro, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        r->failed_files++;
        return;
    }
    while (!r->fatal) {
        st = eaf_reader_next(&a, rd);
        if (st == EAF_DONE)
            break;
        if (st == EAF_ROW) {
            store(r, a, counts);
            eaf_article_free(a);
            continue;
        }
        warnx_("%s", eaf_reader_errmsg(rd));
        bad++;
        if (st != EAF_SYNTAX)
            break; /* the reader cannot go on */
    }
    if (r->verbose)
        printf("%s: %s, %ld added, %ld updated, %ld unchanged%s%s\n", path,
               eaf_format_name(eaf_reader_format(rd)), counts[EAF_CHANGE_ADDED],
               counts[EAF_CHANGE_UPDATED], counts[EAF_CHANGE_NONE],
               bad ? ", errors: " : "", bad ? "see above" : "");
    eaf_reader_free(rd);
    r->added += counts[EAF_CHANGE_ADDED];
    r->updated += counts[EAF_CHANGE_UPDATED];
    r->unchanged += counts[EAF_CHANGE_NONE];
    /* a page is one article: a bad page is a failed file */
    if (bad)
        r->failed_articles += bad;
    show_progress(r, 0);
}

static int wanted(const char *name)
{
    static const char *const exts[] = {".md", ".markdown", ".txt", ".jsonl", ".ndjson"};
    size_t n = strlen(name), i, k;

    for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        k = strlen(exts[i]);
        if (n > k && strcmp(name + n - k, exts[i]) == 0)
            return 1;
    }
    return 0;
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Walks a folder in name order.  prefix is the path inside the archive. */
static void index_dir(run *r, const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;

    if (!d) {
        warnx_("%s: %s", dir, strerror(errno));
        r->failed_files++;
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **p;
            cap = cap ? cap * 2 : 64;
            p = realloc(names, cap * sizeof(*p));
            if (!p)
                break;
            names = p;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), compare_names);
    for (i = 0; i < n && !r->fatal; i++) {
        size_t plen = strlen(dir) + strlen(names[i]) + 2;
        size_t nlen = strlen(prefix) + strlen(names[i]) + 2;
        char *path = malloc(plen), *name = malloc(nlen);
        struct stat sb;

        if (path && name) {
            snprintf(path, plen, "%s/%s", dir, names[i]);
            snprintf(name, nlen, "%s%s%s", prefix, *prefix ? "/" : "", names[i]);
            if (stat(path, &sb) != 0) {
                warnx_("%s: %s", path, strerror(errno));
                r->failed_files++;
            } else if (S_ISDIR(sb.st_mode)) {
                index_dir(r, path, name);
            } else if (S_ISREG(sb.st_mode) && wanted(names[i])) {
                index_file(r, path, name);
            } else if (r->verbose) {
                printf("%s: skipped (not an article file)\n", path);
            }
        }
        free(path);
        free(name);
    }
    for (i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void index_path(run *r, const char *path)
{
    struct stat sb;
    char *trimmed;
    size_t n;

    if (stat(path, &sb) != 0) {
        warnx_("%s: %s", path, strerror(errno));
        r->failed_files++;
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        const char *name = path;
        while (name[0] == '.' && name[1] == '/')
            name += 2;
        index_file(r, path, name);
        return;
    }
    /* a folder: keys are paths inside it */
    trimmed = strdup(path);
    if (!trimmed)
        return;
    n = strlen(trimmed);
    while (n > 1 && trimmed[n - 1] == '/')
        trimmed[--n] = '\0';
    index_dir(r, trimmed, "");
    free(trimmed);
}

static void index_stdin_list(run *r)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    while (!r->fatal && (n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n > 0)
            index_path(r, line);
    }
    free(line);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"language", required_argument, NULL, 'L'},
        {"batch", required_argument, NULL, 'b'},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    const char *dbopt = NULL, *path;
    run r;
    char *err = NULL;
    eaf_status st;
    int c, i;

    tool_init(argv[0]);
    memset(&r, 0, sizeof(r));
    r.batch = DEFAULT_BATCH;
    while ((c = getopt_long(argc, argv, "d:f:L:b:vqhV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbopt = optarg;
            break;
        case 'f':
            r.format = eaf_format_from_name(optarg);
            if (r.format == EAF_FORMAT_LAST) {
                warnx_("unknown format '%s' (formats: page, jsonl)", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'L':
            oo.language = optarg;
            break;
        case 'b':
            r.batch = parse_count(optarg);
            if (r.batch < 1) {
                warnx_("--batch needs a positive number, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'v':
            r.verbose = 1;
            break;
        case 'q':
            r.quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            print_version();
            return EXIT_OK;
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n", progname);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        warnx_("no file or folder to index");
        fprintf(stderr, "Try '%s --help' for more information.\n", progname);
        return EXIT_USAGE;
    }
    path = db_path(dbopt);
    oo.flags = EAF_OPEN_CREATE;
    st = eaf_db_open(&r.db, path, &oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        return EXIT_FAIL;
    }
    r.progress = !r.quiet && !r.verbose && isatty(STDERR_FILENO);
    for (i = optind; i < argc && !r.fatal; i++) {
        if (strcmp(argv[i], "-") == 0)
            index_stdin_list(&r);
        else
            index_path(&r, argv[i]);
    }
    if (!r.fatal)
        commit(&r);
    show_progress(&r, 1);
    printf("%ld added, %ld updated, %ld unchanged, %ld failed\n", r.added, r.updated,
           r.unchanged, r.failed_articles + r.failed_files);
    if (eaf_db_close(r.db) != EAF_OK)
        r.fatal = 1;
    return r.fatal || r.failed_articles || r.failed_files ? EXIT_FAIL : EXIT_OK;
}
