/*
 * index_shards.c: eafindex into a shard set (eafindex --shards N -d DIR,
 * or -d DIR of a set made before).
 *
 * One writer a shard, each on a thread of its own: every writer walks the
 * same paths and reads every article, in the same order, and stores those
 * of its shard (the library skips the others, EAF_CHANGE_ELSEWHERE, and
 * tokenizes only its own; the writers that read a file parse it once
 * between them, index_tee.c).  So the writers keep the records of files,
 * the pruning and the ids of one sequence exactly as one writer of one
 * file would, each for its part.  What they say about the files they all read
 * (a file that cannot be read, a warning) is said once; what a writer says
 * alone (a conflict of keys in its shard, a failure of its file) is said
 * too.  The tally adds up the shards' articles.
 */
#include "index.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The messages said so far (each writer says what the others do). */
static pthread_mutex_t said_lock = PTHREAD_MUTEX_INITIALIZER;
static char **said;
static size_t nsaid;

static void say_once(run *r, const char *message)
{
    size_t i;

    pthread_mutex_lock(&said_lock);
    for (i = 0; i < nsaid && strcmp(said[i], message) != 0; i++)
        ;
    if (i == nsaid) {
        said = xrealloc(said, (nsaid + 1) * sizeof(*said));
        said[nsaid++] = xstrdup(message);
        if (r->progress)
            fputs("\r\033[K", stderr);
        warnx_("%s", message);
    }
    pthread_mutex_unlock(&said_lock);
}

typedef struct writer {
    run r;
    int n;
    char **paths;
    int committed;
    char label[32];
} writer;

static void *write_shard(void *arg)
{
    writer *w = arg;
    run *r = &w->r;

    index_list_files(r, w->n, w->paths);
    w->committed = index_read_files(r);
    if (w->committed && !interrupted && index_worth_optimizing(r) &&
        eaf_db_optimize(r->db) != EAF_OK && !interrupted)
        report(r, "%scannot optimize the index: %s", w->label, eaf_db_errmsg(r->db));
    return NULL;
}

int index_is_set(const char *path)
{
    struct stat sb;
    char *manifest;
    int yes;

    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return 0;
    manifest = join(path, "eafshards");
    yes = access(manifest, F_OK) == 0;
    free(manifest);
    return yes;
}

int do_index_set(run *r0, const char *path, eaf_open_options *oo, unsigned shards, int n,
                 char **paths)
{
    eaf_open_options wo = *oo;
    writer *w;
    pthread_t *t;
    unsigned k, count = shards;
    long added = 0, updated = 0, unchanged = 0, removed = 0, skipped = 0, failed = 0;
    long conflicts = 0;
    int status = EXIT_OK, fatal = 0, failed_files = 0;
    char *err = NULL;
    tee *shared;

    if (shards > 0) {
        if (eaf_shards_create(path, shards, oo, &err) != EAF_OK) {
            warnx_("%s", err ? err : "cannot make the shard set");
            eaf_free(err);
            return EXIT_FAIL;
        }
    } else {
        eaf_db *probe = NULL;
        eaf_open_options ro = EAF_OPEN_OPTIONS_INIT;
        ro.flags = EAF_OPEN_READONLY;
        if (tool_open(&probe, path, &ro, 0) != EAF_OK)
            return EXIT_FAIL;
        if (eaf_db_shards(&count, probe) != EAF_OK)
            count = 0;
        eaf_db_close(probe);
    }
    if (count == 0) {
        warnx_("%s: not a shard set", path);
        return EXIT_FAIL;
    }
    w = xrealloc(NULL, count * sizeof(*w));
    t = xrealloc(NULL, count * sizeof(*t));
    memset(w, 0, count * sizeof(*w));
    shared = tee_new(count);
    wo.flags = EAF_OPEN_LOCK;
    /* every writer opens before any writes: the ids of new articles
     * follow the largest of the set when they open */
    for (k = 0; k < count; k++) {
        w[k].r = *r0;
        w[k].n = n;
        w[k].paths = paths;
        /* the list of exclusions is the first writer's to free */
        if (k > 0 && r0->nexcludes) {
            w[k].r.excludes = xrealloc(NULL, r0->nexcludes * sizeof(char *));
            memcpy(w[k].r.excludes, r0->excludes, r0->nexcludes * sizeof(char *));
        }
        if (r0->verbose || r0->dry_run)
            snprintf(w[k].label, sizeof(w[k].label), "shard %u: ", k);
        w[k].r.label = w[k].label;
        w[k].r.tee = shared;
        w[k].r.tee_k = k;
        w[k].r.say = say_once;
        w[k].r.progress = k == 0 && !r0->quiet && !r0->verbose && !r0->dry_run &&
                          isatty(STDERR_FILENO);
        if (eaf_db_open_shard(&w[k].r.db, path, k, &wo, &err) != EAF_OK) {
            warnx_("%s", err ? err : "cannot open a shard");
            eaf_free(err);
            err = NULL;
            fatal = 1;
            break;
        }
        if (eaf_prep_new(&w[k].r.prep, w[k].r.db) != EAF_OK)
            w[k].r.prep = NULL;
    }
    if (!fatal) {
        catch_signals(1);
        for (k = 0; k < count; k++)
            clock_gettime(CLOCK_MONOTONIC, &w[k].r.started);
        for (k = 1; k < count; k++)
            if (pthread_create(&t[k], NULL, write_shard, &w[k]) != 0) {
                warnx_("cannot start a thread: %s", strerror(errno));
                exit(EXIT_FAIL);
            }
        write_shard(&w[0]);
        for (k = 1; k < count; k++)
            pthread_join(t[k], NULL);
        show_progress(&w[0].r, 1);
    }
    for (k = 0; k < count; k++) {
        run *r = &w[k].r;
        added += r->added;
        updated += r->updated;
        unchanged += r->unchanged;
        removed += r->removed;
        /* every writer read the same files: what failed or was skipped in
         * reading, each counts; the most any counts.  An article whose key
         * another file gives is skipped by the writer of its shard alone */
        if (r->skipped - r->conflicts > skipped)
            skipped = r->skipped - r->conflicts;
        conflicts += r->conflicts;
        if (r->failed > failed)
            failed = r->failed;
        if (r->failed_files > failed_files)
            failed_files = (int)r->failed_files;
        fatal |= r->fatal;
    }
    for (k = 0; k < count; k++) {
        eaf_prep_free(w[k].r.prep);
        if (w[k].r.db && eaf_db_close(w[k].r.db) != EAF_OK)
            fatal = 1;
        w[k].r.db = NULL;
        if (k > 0)
            index_free_run(&w[k].r);
    }
    *r0 = w[0].r;
    r0->label = NULL;
    r0->tee = NULL;
    tee_free(shared);
    /* the related lists, once every shard is written: through the set */
    if (!r0->dry_run && !fatal && !interrupted && !r0->no_related) {
        if (tool_open(&r0->db, path, oo, 0) == EAF_OK) {
            r0->progress = !r0->quiet && !r0->verbose && isatty(STDERR_FILENO);
            refresh_related(r0);
            fatal |= r0->fatal;
            if (eaf_db_close(r0->db) != EAF_OK)
                fatal = 1;
        } else {
            fatal = 1;
        }
        r0->db = NULL;
    }
    if (interrupted)
        warnx_("interrupted: what was committed is kept; run again to go on");
    printf("%s%ld added, %ld updated, %ld unchanged, %ld removed, %ld skipped, %ld failed"
           " (%u shards)\n",
           r0->dry_run ? "dry run, nothing written: " : "", added, updated, unchanged, removed,
           skipped + conflicts, failed, count);
    status = interrupted ? 130 : fatal || failed || failed_files ? EXIT_FAIL : EXIT_OK;
    index_free_run(r0);
    pthread_mutex_lock(&said_lock);
    while (nsaid > 0)
        free(said[--nsaid]);
    free(said);
    said = NULL;
    pthread_mutex_unlock(&said_lock);
    free(w);
    free(t);
    return status;
}
