/*
 * index.h: what the files of eafindex share: the run, the files it reads
 * and the folders it walks.  Only main's file (eafindex.c) has options.
 */
#ifndef EAF_TOOLS_INDEX_H
#define EAF_TOOLS_INDEX_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

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
    eaf_archive_kind archive; /* -f tar, zip or gzip */
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
    long conflicts;           /* of skipped: articles whose key another file
                                 gives (a shard's writer counts its own) */
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
    /* what a program other than eafindex (the Python module) sets, to run
     * the walk and the reading as eafindex does: poll, if not NULL, is
     * asked between articles and between the entries of a folder whether
     * to stop (nonzero: stop as an interrupt does); say, if not NULL,
     * takes the messages that eafindex prints on stderr.  eafindex
     * leaves both NULL. */
    int (*poll)(struct run *r);
    void (*say)(struct run *r, const char *message);
    void *payload;            /* theirs */
    int stopped;              /* an interrupt or poll said stop */
    const char *label;        /* before the lines of -v and -n ("shard 1: "), or NULL */
    struct tee *tee;          /* a shard set's writers: one reading of the files
                                 they all read (index_tee.c), or NULL */
    unsigned tee_k;           /* this writer's number in it */
    int tee_now;              /* reading the files of the list, in order */
} run;

/* Runs that add or change at least this many articles, and a tenth of the
 * index, end by merging the full-text index into one segment. */
#define OPTIMIZE_MIN 1000


/* Prints a message on stderr, clearing the progress line first (or
 * hands it to r->say). */
void report(run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Whether the run is to stop: an interrupt (SIGINT, SIGTERM), or r->poll
 * said so; once it is, it stays so. */
int run_stopped(run *r);


/* ---- index_walk.c: paths, and what there is to read ---------------------- */

/* Out of memory ends the program: the tools have nothing to fall back on. */
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *join(const char *a, const char *b);
char *absolute(const char *path);
int compare_strings(const void *x, const void *y);
int known_language(const char *name);
/* What the index knows: collect_known() is eaf_db_source_list()'s callback
 * filling r->known_*. */
int collect_known(const char *path, int64_t articles, void *payload);
long known_articles(run *r, const char *abs);
int has_known_prefix(run *r, const char *prefix);
/* Adds a file or a folder (walked) given on the command line, or the
 * list of paths on standard input. */
void add_path(run *r, const char *path);
void add_stdin_list(run *r);

/* ---- index_run.c: a run's files, listed and read ------------------------------ */

/* What the index knows, then what there is to read: the files of the n
 * paths ("-": the list on standard input), and the sorted list of those
 * visited (for pruning). */
void index_list_files(run *r, int n, char **paths);
/* Reads the files listed, prunes the roots that ask for it, reads again
 * the files the index marks so, then settles the last batch: committed,
 * rolled back on a dry run or a fatal error.  Returns 1 when the run
 * ended with a commit (a caller may then optimize), else 0. */
int index_read_files(run *r);
/* Whether the run changed enough of the index to merge its full-text
 * index after it (--optimize, --no-optimize, else OPTIMIZE_MIN). */
int index_worth_optimizing(run *r);
/* Everything the run allocated (not the handle nor the eaf_prep). */
void index_free_run(run *r);

/* ---- index_file.c: reading files into the index ---------------------------- */

void show_progress(run *r, int force);
int ensure_txn(run *r);
const char *plural(long n, const char *one, const char *many);
void batch_kept(run *r);
void batch_lost(run *r);
int commit(run *r);
void batch_change(run *r, long *counter, long n, const char *path);
void index_file(run *r, item *it);
/* The next article of rd (eaf_reader_next()), and for a status other than
 * EAF_ROW and EAF_DONE the reader's message in *err (to free), else NULL. */
eaf_status read_next(eaf_reader *rd, eaf_article **a, char **err);
void reread_pending(run *r);
void prune(run *r, const root *rt);

/* ---- index_tee.c: one reading of a file for a shard set's writers -------- */

typedef struct tee tee;
typedef struct tee_stream tee_stream;
typedef struct tee_ref tee_ref;   /* an article the writers share */

tee *tee_new(unsigned writers);
void tee_free(tee *t);
/* Writer k's next file of its list, by its absolute path: rd points to its
 * reader when it reads the file (which it has opened), else rd is NULL.
 * Returns the stream to read from (*rd is then freed or taken, and set to
 * NULL), or NULL to read *rd alone.  Waits only when 64 files ahead of a
 * writer that has yet to say the first of them. */
tee_stream *tee_file(tee *t, unsigned k, const char *abs, eaf_reader **rd);
/* Writer k has ended its list: it reads none of the files it has not said,
 * and the others keep nothing for it. */
void tee_leave(tee *t, unsigned k);
/* As eaf_reader_next(), for writer k: the article (*ref, NULL if none) and
 * the reader's message (*err, to free, or NULL).  After EAF_DONE or a
 * status that ends reading, not called again. */
eaf_status tee_next(tee_stream *s, unsigned k, tee_ref **ref, char **err);
eaf_article *tee_article(const tee_ref *ref);
/* Writer k is done with the article (stored or not). */
void tee_ref_drop(tee_ref *ref);
/* Writer k reads no more of the stream (from any thread: its reading
 * thread, waiting in tee_next(), returns). */
void tee_stop(tee_stream *s, unsigned k);
/* eaf_reader_skipped() of the stream's reader after the last article read
 * (by any writer), and its eaf_reader_skip_reason() once the last is. */
size_t tee_skipped(tee_stream *s);
const char *tee_skip_reason(tee_stream *s);
/* Writer k's end of the stream (the last one frees it). */
void tee_release(tee_stream *s, unsigned k);

/* ---- index_admin.c: --export, --check, --rebuild, --snapshot -------------- */

/* The settings of an index exported to path, when its first line is an
 * export's header: 1 and *language (to free) and *ro, else 0. */
int read_header(const char *path, char **language, eaf_related_options *ro, int *have_related);
int do_export(const char *dbpath, const char *output);
int do_check(const char *dbpath, int quiet);
int do_rebuild(const char *dbpath, eaf_open_options *oo, int no_related, int quiet);
int do_snapshot(const char *dbpath, const char *output, int quiet);

/* ---- index_shards.c: a shard set ------------------------------------------ */

/* eafindex.c: brings the related lists of r->db up to date with what
 * was indexed (r->fatal set when that failed). */
void refresh_related(run *r);

/* Is path the folder of a shard set? */
int index_is_set(const char *path);
/* The run of eafindex into the shard set at path (made with shards
 * shards when shards > 0): one writer a shard, in threads.  Frees r's
 * run as do_index does; returns the exit status. */
int do_index_set(run *r, const char *path, eaf_open_options *oo, unsigned shards, int n,
                 char **paths);

#endif
