/*
 * index_tee.c: one reading of a file for all the writers of a shard set.
 *
 * Every writer of a set stores every article it reads, its own and (as a
 * count, EAF_CHANGE_ELSEWHERE) the others' (index_shards.c); each read and
 * parsed every file itself, so that indexing into N shards parsed the
 * input N times.  When every writer reads the same file, they now share
 * one reader: the writer whose reading thread asks first for an article
 * no one has read yet reads it, and the others take it from a ring; the
 * article is freed when the last writer has stored it.  Each writer still
 * sees every article, in order, with the messages of the reading, as if it
 * had read the file alone.
 *
 * Whether they share is settled at each file of the writers' lists, in
 * order: each writer says whether it reads the file (a file unchanged in
 * its shard, or whose reading cannot start, it does not), and waits for
 * the others.  They share when every writer that has not ended its list
 * reads the same file, and there are two of them at least; else each reads
 * its own, as before.  A writer that ends its list (done, failed, or
 * interrupted) leaves, and is waited for no more.
 */
#include "index.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Articles read and not yet taken by every writer, at most. */
#define RING 256

struct tee_ref {
    eaf_article *a;
    unsigned refs;           /* writers that have yet to store it */
};

typedef struct ring_item {
    tee_ref *ref;             /* NULL for a status without an article */
    eaf_status st;
    char *err;
    unsigned untaken;         /* writers that have yet to take it */
} ring_item;

struct tee_stream {
    pthread_mutex_t lock;
    pthread_cond_t moved;     /* an article read or taken, or a writer gone */
    eaf_reader *rd;
    unsigned n;               /* writers of the set */
    unsigned char *gone;      /* [writer]: stopped before the end */
    unsigned long *pos;       /* [writer]: the next item it takes */
    unsigned long base, made; /* the ring holds the items base..made-1 */
    ring_item ring[RING];
    int reading;              /* a writer is reading the next article */
    int ended;                /* the last item is in the ring */
    unsigned live;            /* writers sharing, not gone */
    unsigned holders;         /* writers that have not released it */
    size_t skipped;           /* eaf_reader_skipped() after the last read */
    char *skip_reason;        /* eaf_reader_skip_reason(), once ended */
};

struct tee {
    pthread_mutex_t lock;
    pthread_cond_t settled;
    unsigned n;
    long *posted;             /* [writer]: the last file it said (-1: none) */
    unsigned char *reads, *left;
    const char **abs;
    eaf_reader **rd;
    long resolved;            /* the last file settled */
    tee_stream **given;       /* [writer]: the stream of the file settled */
};

/* Zeroed memory for n things of size bytes (out of memory ends the
 * program, as xrealloc() does). */
static void *xcalloc(size_t n, size_t size)
{
    void *p = xrealloc(NULL, n * size);

    memset(p, 0, n * size);
    return p;
}

tee *tee_new(unsigned writers)
{
    tee *t = xcalloc(1, sizeof(*t));
    unsigned k;

    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->settled, NULL);
    t->n = writers;
    t->posted = xcalloc(writers, sizeof(*t->posted));
    t->reads = xcalloc(writers, 1);
    t->left = xcalloc(writers, 1);
    t->abs = xcalloc(writers, sizeof(*t->abs));
    t->rd = xcalloc(writers, sizeof(*t->rd));
    t->given = xcalloc(writers, sizeof(*t->given));
    for (k = 0; k < writers; k++)
        t->posted[k] = -1;
    t->resolved = -1;
    return t;
}

void tee_free(tee *t)
{
    if (!t)
        return;
    pthread_cond_destroy(&t->settled);
    pthread_mutex_destroy(&t->lock);
    free(t->posted);
    free(t->reads);
    free(t->left);
    free(t->abs);
    free(t->rd);
    free(t->given);
    free(t);
}

/* Settles file `at` once every writer still on its list has said it (with
 * t->lock held): a stream for the writers that read it, when all of them
 * do, the same file, and two at least. */
static void settle(tee *t, long at)
{
    unsigned k, sharing = 0, first = t->n;
    int same = 1;
    tee_stream *s;

    if (t->resolved >= at)
        return;
    for (k = 0; k < t->n; k++) {
        if (t->left[k])
            continue;
        if (t->posted[k] < at)
            return; /* not said yet */
        if (!t->reads[k])
            same = 0;
        else if (first == t->n)
            first = k;
        else if (strcmp(t->abs[k], t->abs[first]) != 0)
            same = 0;
        sharing += t->reads[k];
    }
    t->resolved = at;
    pthread_cond_broadcast(&t->settled);
    if (!same || sharing < 2)
        return; /* each reads its own */
    s = xcalloc(1, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->moved, NULL);
    s->n = t->n;
    s->gone = xcalloc(t->n, 1);
    s->pos = xcalloc(t->n, sizeof(*s->pos));
    s->rd = t->rd[first];
    t->rd[first] = NULL;
    for (k = 0; k < t->n; k++) {
        if (!t->left[k] && t->reads[k])
            t->given[k] = s;
    }
    s->live = s->holders = sharing;
}

tee_stream *tee_file(tee *t, unsigned k, const char *abs, eaf_reader **rd)
{
    tee_stream *s;
    long at;

    pthread_mutex_lock(&t->lock);
    at = ++t->posted[k];
    t->reads[k] = rd && *rd;
    t->abs[k] = abs;
    t->rd[k] = rd ? *rd : NULL;
    t->given[k] = NULL;
    settle(t, at);
    while (t->resolved < at)
        pthread_cond_wait(&t->settled, &t->lock);
    s = t->given[k];
    t->given[k] = NULL;
    /* the stream reads with the reader of one of them: the others' go */
    if (s && t->rd[k]) {
        eaf_reader_free(t->rd[k]);
        t->rd[k] = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    if (s && rd)
        *rd = NULL;
    return s;
}

void tee_leave(tee *t, unsigned k)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->left[k] = 1;
    /* the file the others wait at may be settled now */
    settle(t, t->resolved + 1);
    pthread_mutex_unlock(&t->lock);
}

/* Drops the ring's items every sharing writer has taken (s->lock held). */
static void trim(tee_stream *s)
{
    while (s->base < s->made && s->ring[s->base % RING].untaken == 0)
        s->base++;
}

/* Item `at` is not to be taken by writer k (gone): s->lock held. */
static void untake(tee_stream *s, unsigned long at)
{
    ring_item *it = &s->ring[at % RING];

    it->untaken--;
    if (it->ref)
        tee_ref_drop(it->ref);
    if (it->untaken == 0)
        free(it->err);
}

eaf_status tee_next(tee_stream *s, unsigned k, tee_ref **ref, char **err)
{
    eaf_status st = EAF_DONE;

    *ref = NULL;
    *err = NULL;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (s->gone[k])
            break; /* stopped: the caller does not read on */
        if (s->pos[k] < s->made) {
            ring_item *it = &s->ring[s->pos[k] % RING];
            st = it->st;
            *ref = it->ref;
            if (it->err)
                *err = xstrdup(it->err);
            if (--it->untaken == 0)
                free(it->err);
            s->pos[k]++;
            trim(s);
            pthread_cond_broadcast(&s->moved);
            break;
        }
        if (s->ended)
            break; /* cannot be: the last item ends a writer's reading */
        if (s->reading || s->made - s->base == RING) {
            /* another writer reads the next one, or one is behind */
            pthread_cond_wait(&s->moved, &s->lock);
            continue;
        }
        {
            eaf_article *a = NULL;
            char *msg = NULL;
            eaf_status got;
            ring_item *it;
            size_t skipped;

            s->reading = 1;
            pthread_mutex_unlock(&s->lock);
            got = eaf_reader_next(&a, s->rd);
            if (got != EAF_ROW && got != EAF_DONE) {
                const char *m = eaf_reader_errmsg(s->rd);
                msg = xstrdup(m && *m ? m : eaf_status_str(got));
            }
            skipped = eaf_reader_skipped(s->rd);
            pthread_mutex_lock(&s->lock);
            s->reading = 0;
            s->skipped = skipped;
            it = &s->ring[s->made % RING];
            it->st = got;
            it->err = msg;
            it->ref = NULL;
            it->untaken = s->live;
            if (a) {
                it->ref = xcalloc(1, sizeof(*it->ref));
                it->ref->a = a;
                it->ref->refs = s->live;
            }
            s->made++;
            if (got != EAF_ROW && got != EAF_SYNTAX) {
                s->ended = 1;
                if (eaf_reader_skip_reason(s->rd))
                    s->skip_reason = xstrdup(eaf_reader_skip_reason(s->rd));
            }
            pthread_cond_broadcast(&s->moved);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

eaf_article *tee_article(const tee_ref *ref)
{
    return ref->a;
}

void tee_ref_drop(tee_ref *ref)
{
    if (__atomic_sub_fetch(&ref->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        eaf_article_free(ref->a);
        free(ref);
    }
}

void tee_stop(tee_stream *s, unsigned k)
{
    unsigned long at;

    pthread_mutex_lock(&s->lock);
    if (!s->gone[k]) {
        s->gone[k] = 1;
        s->live--;
        /* what it has not taken is not waited for */
        for (at = s->pos[k]; at < s->made; at++)
            untake(s, at);
        s->pos[k] = s->made;
        trim(s);
        pthread_cond_broadcast(&s->moved);
    }
    pthread_mutex_unlock(&s->lock);
}

size_t tee_skipped(tee_stream *s)
{
    size_t n;

    pthread_mutex_lock(&s->lock);
    n = s->skipped;
    pthread_mutex_unlock(&s->lock);
    return n;
}

const char *tee_skip_reason(tee_stream *s)
{
    const char *why;

    pthread_mutex_lock(&s->lock);
    why = s->ended ? s->skip_reason : NULL;
    pthread_mutex_unlock(&s->lock);
    return why;
}

void tee_release(tee_stream *s, unsigned k)
{
    unsigned left;

    tee_stop(s, k);
    pthread_mutex_lock(&s->lock);
    left = --s->holders;
    pthread_mutex_unlock(&s->lock);
    if (left)
        return;
    eaf_reader_free(s->rd);
    free(s->skip_reason);
    free(s->gone);
    free(s->pos);
    pthread_cond_destroy(&s->moved);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
