/*
 * index_file.c: eafindex reading files into the index: one file's
 * articles, read ahead on a thread of their own and stored in batches,
 * the files read again, and the files gone pruned.
 */
#include "index.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- progress ------------------------------------------------------------------ */

void show_progress(run *r, int force)
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

/* ---- transactions --------------------------------------------------------------- */

int ensure_txn(run *r)
{
    eaf_status st;

    if (r->in_txn)
        return 0;
    st = eaf_db_begin(r->db);
    if (st != EAF_OK) {
        report(r, "cannot write to the index: %s", eaf_db_errmsg(r->db));
        r->fatal = 1;
        return -1;
    }
    r->in_txn = 1;
    r->in_batch = 0;
    return 0;
}

const char *plural(long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* The open batch is committed: what it added, updated and removed joins
 * the tally. */
void batch_kept(run *r)
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
void batch_lost(run *r)
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

int commit(run *r)
{
    eaf_status st;

    if (!r->in_txn || r->dry_run)
        return 0;
    st = eaf_db_commit(r->db);
    r->in_txn = 0;
    r->in_batch = 0;
    if (st != EAF_OK) {
        report(r, "%s", eaf_db_errmsg(r->db));
        batch_lost(r);
        r->fatal = 1;
        return -1;
    }
    batch_kept(r);
    return 0;
}

/* Notes a change in the open batch, made while reading path. */
void batch_change(run *r, long *counter, long n, const char *path)
{
    *counter += n;
    if (n > 0 && !r->batch_first && path)
        r->batch_first = xstrdup(path);
}

/* ---- indexing one file ------------------------------------------------------------ */

typedef struct file_counts {
    long added, updated, unchanged, removed, skipped, errors;
    long conflicts;           /* of skipped: keys another file gives */
    long warned, unwarned;    /* warnings about keys given twice: said, not said */
    const char *path;
    run *r;
} file_counts;

/* Warnings about keys given twice said per file (all of them with -v):
 * an export read into the index it came from would say it of every key. */
#define WARN_KEYS 10

static int on_removed(const char *key, void *payload)
{
    file_counts *c = payload;

    if (c->r->dry_run)
        printf("%sremove %s\n", c->r->label ? c->r->label : "", key);
    else if (c->r->verbose)
        printf("%s%s: removed %s\n", c->r->label ? c->r->label : "", c->path, key);
    return 0;
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
        report(r, "%s: %s", key, eaf_db_errmsg(r->db));
        c->errors++;
        return 0;
    }
    if (st != EAF_OK) {
        report(r, "cannot store '%s': %s", key, eaf_db_errmsg(r->db));
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
    if (change == EAF_CHANGE_CONFLICT) {
        c->skipped++;
        c->conflicts++;
    }
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
        printf("%s%s %s\n", r->label ? r->label : "", change == EAF_CHANGE_ADDED ? "add" : "update",
               key);
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
    tee_ref *ref;             /* a's share of a stream's article, or NULL */
    eaf_status st;
    char *err;                /* eaf_reader_errmsg() for a failure */
    size_t bytes;             /* the article's text, times 3 with tokens */
} ahead_item;

typedef struct ahead {
    eaf_reader *rd;           /* the file's reader, or NULL when s */
    tee_stream *s;            /* the writers' one reading of the file */
    unsigned k;               /* this writer's number in it */
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

/* Frees the article read (or gives up its share of it). */
static void item_free(ahead_item *it)
{
    if (it->ref)
        tee_ref_drop(it->ref);
    else
        eaf_article_free(it->a);
    it->a = NULL;
    it->ref = NULL;
}

eaf_status read_next(eaf_reader *rd, eaf_article **a, char **err)
{
    eaf_status st = eaf_reader_next(a, rd);

    *err = NULL;
    if (st != EAF_ROW && st != EAF_DONE) {
        const char *msg = eaf_reader_errmsg(rd);
        *err = xstrdup(msg && *msg ? msg : eaf_status_str(st));
    }
    return st;
}

/* Reads one article, from rd or from the stream s as that writer (and
 * tokenizes it with prep, if not NULL: only this writer's articles), or
 * the message of why there is none. */
static void read_one(eaf_reader *rd, tee_stream *s, unsigned writer, eaf_prep *prep,
                     ahead_item *it)
{
    static const eaf_field text[] = {EAF_FIELD_TITLE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY,
                                     EAF_FIELD_BIO};
    size_t k;

    it->a = NULL;
    it->ref = NULL;
    it->err = NULL;
    it->bytes = 0;
    if (s) {
        it->st = tee_next(s, writer, &it->ref, &it->err);
        it->a = it->ref ? tee_article(it->ref) : NULL;
    } else {
        it->st = read_next(rd, &it->a, &it->err);
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
        read_one(h->rd, h->s, h->k, prep ? h->prep : NULL, &it);
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
static int ahead_start(ahead *h, eaf_reader *rd, tee_stream *s, unsigned k, eaf_prep *prep)
{
    memset(h, 0, sizeof(*h));
    h->rd = rd;
    h->s = s;
    h->k = k;
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

/* After the main thread took an article or stored one: the reader, when it
 * waits for room, is woken once half the queue and half its memory are
 * free (or the queue is empty), so that it reads many articles a wake.
 * Woken at every article, as the queue stayed full while the writers of a
 * shard set stored, the two threads handed the processor to each other
 * twice an article. */
static void wake_reader(ahead *h)
{
    if (h->reader_waits &&
        ((h->n <= AHEAD / 2 && h->bytes <= AHEAD_BYTES / 2) || h->n == 0))
        pthread_cond_signal(&h->room);
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
    wake_reader(h);
    pthread_mutex_unlock(&h->lock);
}

static void ahead_done(ahead *h, const ahead_item *it)
{
    pthread_mutex_lock(&h->lock);
    h->bytes -= it->bytes;
    wake_reader(h);
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
    /* a reader waiting in the stream for the other writers returns */
    if (h->s)
        tee_stop(h->s, h->k);
    pthread_join(h->thread, NULL);
    while (h->n > 0) {
        item_free(&h->q[h->head]);
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
    char counts[160] = "";

    if (!r->verbose)
        return;
    if (r->progress)
        fputs("\r\033[K", stderr);
    if (c && (c->added + c->updated + c->unchanged + c->removed + c->skipped + c->errors != 1 ||
              c->removed || c->skipped || c->errors))
        snprintf(counts, sizeof(counts),
                 " (%ld added, %ld updated, %ld unchanged, %ld removed, %ld skipped, "
                 "%ld failed)", c->added, c->updated, c->unchanged, c->removed, c->skipped,
                 c->errors);
    /* one call: the writers of a shard set print at once */
    printf("%s%s: %s%s%s%s\n", r->label ? r->label : "", it->path, status, counts,
           detail ? ": " : "", detail ? detail : "");
}

/* Whether the file is to be read, and if so its reader, with the index told that
 * the file's articles are coming (eaf_db_source_begin).  A file unchanged since the
 * last run is counted and left; a failure is reported and counted. */
static int begin_file(run *r, item *it, eaf_source_state *state, eaf_reader **rd)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_status st;
    char *err = NULL;

    if (ensure_txn(r) != 0)
        return 0;
    st = eaf_db_source_check(state, r->db, it->abs, r->checksum ? EAF_SOURCE_CHECKSUM : 0);
    if (st != EAF_OK) {
        report(r, "%s: %s", it->path, eaf_db_errmsg(r->db));
        r->failed_files++;
        r->failed++;
        if (st != EAF_NOTFOUND && st != EAF_IO)
            r->fatal = 1;
        return 0;
    }
    if (*state == EAF_SOURCE_UNCHANGED) {
        r->unchanged += known_articles(r, it->abs);
        print_status(r, it, "unchanged", NULL, NULL);
        return 0;
    }
    ro.format = r->format;
    ro.archive = r->archive;
    ro.name = it->name;
    st = eaf_reader_open(rd, it->path, &ro, &err);
    if (st != EAF_OK) {
        const char *msg = err ? err : eaf_status_str(st);
        file_error(r, it, msg);
        print_status(r, it, "failed", NULL, after_name(msg, it->name));
        eaf_free(err);
        r->failed_files++;
        r->failed++;
        it->failed = 1;
        return 0;
    }
    st = eaf_db_source_begin(r->db, it->abs);
    if (st != EAF_OK) {
        report(r, "%s: %s", it->path, eaf_db_errmsg(r->db));
        eaf_reader_free(*rd);
        r->failed_files++;
        r->failed++;
        it->failed = 1;
        if (st != EAF_NOTFOUND && st != EAF_IO)
            r->fatal = 1;
        return 0;
    }
    return 1;
}

/* Reads the file's articles and stores them, on a reading thread when one can be
 * started.  Errors are reported and counted, the last one kept in *last_error (the
 * caller frees it).  Returns whether the file was read whole: not after an error,
 * an interrupt or a failure of the index. */
static int read_articles(run *r, item *it, eaf_reader *rd, tee_stream *s, file_counts *c,
                         char **last_error)
{
    ahead h;
    int threaded, complete = 1;

    threaded = ahead_start(&h, rd, s, r->tee_k, r->prep) == 0;
    while (!r->fatal) {
        ahead_item got;

        if (run_stopped(r)) {
            complete = 0;
            break;
        }
        if (threaded)
            ahead_next(&h, &got);
        else
            read_one(rd, s, r->tee_k, r->prep, &got);
        if (got.st == EAF_DONE)
            break;
        if (got.st == EAF_ROW) {
            store(r, got.a, c);
            item_free(&got);
            if (threaded)
                ahead_done(&h, &got);
            continue;
        }
        file_error(r, it, got.err);
        free(*last_error);
        *last_error = got.err;
        c->errors++;
        complete = 0;
        if (got.st != EAF_SYNTAX)
            break; /* the reader cannot go on */
    }
    if (threaded)
        ahead_stop(&h);
    else if (s)
        tee_stop(s, r->tee_k);
    if (r->fatal)
        complete = 0;
    return complete;
}

/* The line -v prints for the file read: failed, skipped, added, unchanged or
 * updated, with its counts. */
static void print_file_status(run *r, const item *it, const char *skip_reason,
                              eaf_source_state state, const file_counts *c,
                              const char *last_error)
{
    if (c->errors)
        print_status(r, it, "failed", c, after_name(last_error, it->name));
    else if (c->added + c->updated + c->unchanged == 0 && c->skipped)
        print_status(r, it, "skipped", c,
                     skip_reason ? skip_reason : "its keys are given by other files");
    else if (state == EAF_SOURCE_NEW)
        print_status(r, it, "added", c, NULL);
    else if (c->added + c->updated + c->removed == 0)
        print_status(r, it, "unchanged", c, NULL);
    else
        print_status(r, it, "updated", c, NULL);
}

void index_file(run *r, item *it)
{
    eaf_reader *rd = NULL;
    tee_stream *s = NULL;
    eaf_source_state state;
    eaf_status st;
    file_counts c;
    int complete, reading;
    char *last_error = NULL;
    int64_t removed = 0;

    memset(&c, 0, sizeof(c));
    c.path = it->path;
    c.r = r;
    reading = begin_file(r, it, &state, &rd);
    /* the writers of a shard set that read the file read it once between
     * them */
    if (r->tee && r->tee_now)
        s = tee_file(r->tee, r->tee_k, it->abs, reading ? &rd : NULL);
    if (!reading)
        return;
    complete = read_articles(r, it, rd, s, &c, &last_error);
    c.skipped += (long)(s ? tee_skipped(s) : eaf_reader_skipped(rd));
    if (c.unwarned)
        report(r, "warning: %s: %ld more articles are also in other files, or twice in "
                  "this one (-v names them all)", it->path, c.unwarned);
    /* read whole, the file is recorded and the articles it no longer gives go;
     * else it stays "changed", to be read again */
    st = eaf_db_source_end(&removed, r->db, complete, on_removed, &c);
    if (st != EAF_OK) {
        report(r, "%s: %s", it->path, eaf_db_errmsg(r->db));
        r->fatal = 1;
    }
    c.removed = (long)removed;
    batch_change(r, &r->p_removed, c.removed, it->path);
    print_file_status(r, it, s ? tee_skip_reason(s) : eaf_reader_skip_reason(rd), state, &c,
                      last_error);
    free(last_error);
    if (s)
        tee_release(s, r->tee_k);
    else
        eaf_reader_free(rd);
    /* (added, updated and removed wait for the batch's commit) */
    r->unchanged += c.unchanged;
    r->skipped += c.skipped;
    r->conflicts += c.conflicts;
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
void reread_pending(run *r)
{
    pending_walk p;
    long unchanged = r->unchanged, skipped = r->skipped, conflicts = r->conflicts;
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
        report(r, "cannot list the files to read again: %s", eaf_db_errmsg(r->db));
        r->fatal = 1;
    }
    for (k = 0; k < p.n && !r->fatal && !run_stopped(r); k++)
        index_file(r, p.todo[k]);
    r->unchanged = unchanged;
    r->skipped = skipped;
    r->conflicts = conflicts;
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

void prune(run *r, const root *rt)
{
    prune_walk p;
    size_t i, todo;
    eaf_status st;

    memset(&p, 0, sizeof(p));
    p.r = r;
    st = eaf_db_source_list(r->db, rt->abs, collect_gone, &p);
    if (st != EAF_OK) {
        report(r, "cannot list the files of %s: %s", rt->path, eaf_db_errmsg(r->db));
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
    for (i = 0; i < todo && !r->fatal && !run_stopped(r); i++) {
        file_counts c;
        int64_t removed = 0;
        char *shown = join(rt->path, p.gone[i] + strlen(rt->abs));

        memset(&c, 0, sizeof(c));
        c.r = r;
        c.path = shown;
        if (ensure_txn(r) == 0) {
            st = eaf_db_source_remove(&removed, r->db, p.gone[i], on_removed, &c);
            if (st != EAF_OK) {
                report(r, "%s: %s", shown, eaf_db_errmsg(r->db));
                r->fatal = 1;
            } else {
                batch_change(r, &r->p_removed, (long)removed, shown);
                if (r->verbose)
                    printf("%s%s: removed (%lld %s): the file is gone\n",
                           r->label ? r->label : "", shown,
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
