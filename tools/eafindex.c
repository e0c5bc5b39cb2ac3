/*
 * eafindex: index an archive of articles, and keep the index in step with
 * it.
 *
 *   eafindex [-d DB] [options] PATH...
 *   eafindex [-d DB] --export [FILE]
 *   eafindex [-d DB] --check
 *   eafindex [-d DB] --snapshot FILE
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
 * eaf_reader_*, bookkeeping eaf_db_source_*, export eaf_db_export,
 * checks eaf_db_check.  This file holds the options and the run; the
 * walk is index_walk.c, reading the files index_file.c, and --export,
 * --check, --rebuild and --snapshot index_admin.c.
 */
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#define DEFAULT_BATCH 2000

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
 * the stale ones only, or all of them the first time (index.h). */
void refresh_related(run *r)
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
            report(r, "cannot refresh the related articles: %s", eaf_db_errmsg(r->db));
        r->fatal = 1;
        return;
    }
    if (r->verbose)
        printf("related articles: %lld list%s %s in %.1f s\n", (long long)stats.lists,
               stats.lists == 1 ? "" : "s", stats.full ? "built" : "refreshed",
               seconds_since(&t0));
}

/* ---- the run ------------------------------------------------------------------------- */

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
    if (!index_worth_optimizing(r))
        return;
    if (r->verbose)
        fprintf(stderr, "optimizing the full-text index\n");
    /* minutes on a large index: an interrupt stops the merge itself */
    interrupt_db = r->db;
    if (eaf_db_optimize(r->db) != EAF_OK && !interrupted)
        /* what was indexed is kept: only the merge failed */
        warnx_("cannot optimize the index: %s", eaf_db_errmsg(r->db));
    interrupt_db = NULL;
}

/* The settings of the export among the paths, for a new index: its language (taken
 * unless -L says another) and, when it has them, its related options.  Returns the
 * language read (the caller frees it), or NULL when no path is an export. */
static char *export_settings(run *r, eaf_open_options *oo, int n, char **paths,
                             eaf_related_options *related, int *have_related)
{
    char *export_lang = NULL;
    int i;

    for (i = 0; i < n && !export_lang; i++) {
        struct stat sb;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode) &&
            read_header(paths[i], &export_lang, related, have_related)) {
            if (!oo->language && known_language(export_lang))
                oo->language = export_lang;
            if (r->verbose)
                printf("%s: the settings of the exported index: language %s%s\n", paths[i],
                       oo->language ? oo->language : export_lang,
                       *have_related ? ", and its related options" : "");
        }
    }
    return export_lang;
}

/* A scratch folder for the index of a dry run with nothing to compare with: the
 * path of the index in it (the caller frees it), or NULL when it cannot be made. */
static char *scratch_index(char *tmpdir, size_t size)
{
    const char *t = getenv("TMPDIR");

    snprintf(tmpdir, size, "%s/eafindex.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        warnx_("cannot make a scratch folder: %s", strerror(errno));
        return NULL;
    }
    return join(tmpdir, "dry-run.db");
}

/* The scratch index and its folder, gone. */
static void remove_scratch(const char *tmpdir, char *tmpdb)
{
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

/* Indexes the n paths given into the index at path: the run of eafindex
 * without --export, --check or --rebuild. */
static int do_index(run *r, const char *path, eaf_open_options *oo, int n, char **paths)
{
    char tmpdir[512] = "", *tmpdb = NULL;
    int have_related = 0, status;
    char *export_lang = NULL;
    eaf_related_options export_related = EAF_RELATED_OPTIONS_INIT;

    /* the only writer for the whole run: a second eafindex on the index
     * waits for the lock (busy_timeout_ms), then is refused */
    oo->flags = EAF_OPEN_CREATE | EAF_OPEN_LOCK;
    /* a new index made from an export takes the exported index's language
     * (unless -L says another) and related options */
    if (access(path, F_OK) != 0)
        export_lang = export_settings(r, oo, n, paths, &export_related, &have_related);
    if (r->dry_run && access(path, F_OK) != 0) {
        /* nothing to compare with: a scratch index, thrown away */
        tmpdb = scratch_index(tmpdir, sizeof(tmpdir));
        if (!tmpdb) {
            free(export_lang);
            return EXIT_FAIL;
        }
        path = tmpdb;
    }
    if (tool_open(&r->db, path, oo, 0) != EAF_OK) {
        if (tmpdb)
            remove_tree(tmpdir);
        free(tmpdb);
        free(export_lang);
        return EXIT_FAIL;
    }
    catch_signals(1);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->progress = !r->quiet && !r->verbose && !r->dry_run && isatty(STDERR_FILENO);

    /* tokens made on the reading thread; without, the index makes them */
    if (eaf_prep_new(&r->prep, r->db) != EAF_OK)
        r->prep = NULL;
    /* the same run as the Python module's add_paths (index_run.c); the
     * last batch is committed, or rolled back on a dry run or a fatal
     * error, and the index merged when worth it */
    index_list_files(r, n, paths);
    if (index_read_files(r) && !interrupted)
        optimize(r);
    show_progress(r, 1);
    if (have_related && !r->dry_run && !r->fatal &&
        eaf_related_set_defaults(r->db, &export_related) != EAF_OK)
        warnx_("cannot record the related options of the export: %s", eaf_db_errmsg(r->db));
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
    if (tmpdb)
        remove_scratch(tmpdir, tmpdb);
    status = interrupted ? 130
             : r->fatal || r->failed || r->failed_files ? EXIT_FAIL : EXIT_OK;
    index_free_run(r);
    free(export_lang);
    return status;
}

/* ---- options ------------------------------------------------------------------------- */

/* What the command line asks: the run, and what only main needs. */
typedef struct args {
    run r;
    eaf_open_options oo;
    const char *dbopt;
    const char *snapshot;
    int export, check, rebuild;
    long shards;              /* --shards N, 0 when not given */
} args;

static int opt_format(void *x, const tool_option *o, const char *arg)
{
    run *r = &((args *)x)->r;

    (void)o;
    r->archive = EAF_ARCHIVE_NONE;
    if ((eaf_format_from_name(arg, &r->format) != EAF_OK &&
         eaf_archive_kind_from_name(arg, &r->archive) != EAF_OK) ||
        strcmp(arg, "auto") == 0 || strcmp(arg, "none") == 0) {
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

static int opt_shards(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    a->shards = parse_count(arg);
    if (a->shards < 1 || a->shards > 64) {
        warnx_("--shards needs a number of shards from 1 to 64, not '%s'", arg);
        return EXIT_USAGE;
    }
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
    {"shards", 0, required_argument, "N",
     "make the index a shard set of N files in the folder\n"
     "given by -d, written by N threads (later runs with\n"
     "-d on the folder keep it one)", opt_shards, 0, 0, NOV, 24},
    {"snapshot", 0, required_argument, "FILE",
     "write a consistent, compact copy of the index to FILE\n"
     "(safe while another eafindex writes; FILE is replaced\n"
     "whole, for a server reading it; of a shard set, a\n"
     "folder), and exit", opt_string, AT(snapshot), 0, NOV, 23},
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
    "       %s [-d FILE] --snapshot FILE\n"
    "       %s --shards N -d FOLDER [OPTION]... PATH...\n"
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
    if (a.snapshot) {
        if (a.export || a.check || a.rebuild || optind < argc) {
            warnx_("--snapshot takes one path and no other action");
            return EXIT_USAGE;
        }
        return do_snapshot(path, a.snapshot, a.r.quiet);
    }
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
    if (a.shards > 0 || index_is_set(path)) {
        if (a.r.dry_run && a.shards > 0 && !index_is_set(path)) {
            warnx_("--dry-run needs an index to compare with: make the shard set first");
            return EXIT_USAGE;
        }
        return do_index_set(&a.r, path, &a.oo, (unsigned)a.shards, argc - optind,
                            argv + optind);
    }
    return do_index(&a.r, path, &a.oo, argc - optind, argv + optind);
}
