/*
 * index_tee.c: one reading of a file for all the writers of a shard set.
 *
 * Every writer of a set stores every article it reads, its own and (as a
 * count, EAF_CHANGE_ELSEWHERE) the others' (index_shards.c); each read and
 * parsed every file itself, so that indexing into N shards parsed the
 * input N times.  Now the writers that read the same file share one
 * reader: the writer whose reading thread asks first for an article no
 * one has read yet reads it, and the others take it from a ring; the
 * article is freed when the last writer has stored it.  Each writer still
 * sees every article, in order, with the messages of the reading, as if it
 * had read the file alone.
 *
 * The writers go through the same list of files, each at its own pace.
 * The first to come to a file it reads makes the stream, for itself and
 * every writer that has not said yet whether it reads that file; a writer
 * that does not (the file is unchanged in its shard, its reading cannot
 * start, or its list differs there) is let go of the articles, and reads
 * on its own whatever it reads.  So no writer waits for another to begin a
 * file; the one ahead waits only when the ring of a file is full, or when
 * it is SLOTS files ahead, for the articles it keeps for the others.  A
 * writer that ends its list (done, failed, or interrupted) leaves, and
 * reads none of the files it has not come to.
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
    unsigned char *gone;      /* [writer]: stopped before the end */
    unsigned long *pos;       /* [writer]: the next item it takes */
    unsigned long base, made; /* the ring holds the items base..made-1 */
    ring_item ring[RING];
    int reading;              /* a writer is reading the next article */
    int ended;                /* the last item is in the ring */
    unsigned live;            /* writers sharing, or yet to say, not gone */
    unsigned holders;         /* writers that have not released it, and
                                 its slot until every writer said it */
    size_t skipped;           /* eaf_reader_skipped() after the last read */
    char *skip_reason;        /* eaf_reader_skip_reason(), once ended */
};

/* A file of the writers' lists, the at-th of each, until every writer has
 * said whether it reads it. */
typedef struct slot {
    long at;
    char *abs;                /* its path, as the first writer to come said it */
    tee_stream *s;            /* the stream, once a writer reads it */
    unsigned char *said;      /* [writer] */
    unsigned unsaid;
    struct slot *next;
} slot;

struct tee {
    pthread_mutex_t lock;
    pthread_cond_t fewer;     /* a slot was settled */
    unsigned n;
    long *at;                 /* [writer]: the last file it said (-1: none) */
    unsigned char *left;      /* [writer]: has ended its list */
    slot *slots;              /* those not settled, newest first */
    unsigned nslots;
};

/* Files said by some writer and not yet by all, at most: a writer that
 * runs ahead keeps the articles of each for the others, and waits here
 * (files of one article each, or a writer whose files are unchanged). */
#define SLOTS 64

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
    pthread_cond_init(&t->fewer, NULL);
    t->n = writers;
    t->at = xcalloc(writers, sizeof(*t->at));
    t->left = xcalloc(writers, 1);
    for (k = 0; k < writers; k++)
        t->at[k] = -1;
    return t;
}

static void stream_unhold(tee_stream *s);

/* A slot, with its hold on its stream. */
static void slot_free(slot *sl)
{
    if (sl->s)
        stream_unhold(sl->s);
    free(sl->abs);
    free(sl->said);
    free(sl);
}

/* Writer k has said slot sl (t->lock held); once every writer has, the
 * slot goes, and with it its hold on the stream. */
static void said(tee *t, slot *sl, unsigned k)
{
    slot **p;

    if (sl->said[k])
        return;
    sl->said[k] = 1;
    if (--sl->unsaid > 0)
        return;
    for (p = &t->slots; *p != sl; p = &(*p)->next)
        ;
    *p = sl->next;
    t->nslots--;
    pthread_cond_broadcast(&t->fewer);
    slot_free(sl);
}

void tee_free(tee *t)
{
    if (!t)
        return;
    while (t->slots) { /* (none once every writer has left) */
        slot *sl = t->slots;
        t->slots = sl->next;
        slot_free(sl);
    }
    pthread_cond_destroy(&t->fewer);
    pthread_mutex_destroy(&t->lock);
    free(t->at);
    free(t->left);
    free(t);
}

/* A stream reading rd for writer k and for every writer that has yet to
 * say the slot (the others, gone from the start). */
static tee_stream *stream_new(tee *t, slot *sl, unsigned k, eaf_reader *rd)
{
    tee_stream *s = xcalloc(1, sizeof(*s));
    unsigned j;

    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->moved, NULL);
    s->gone = xcalloc(t->n, 1);
    s->pos = xcalloc(t->n, sizeof(*s->pos));
    s->rd = rd;
    for (j = 0; j < t->n; j++) {
        if (j == k || !sl->said[j])
            s->live++;
        else
            s->gone[j] = 1;
    }
    s->holders = 2; /* writer k, and the slot until every writer said it */
    return s;
}

tee_stream *tee_file(tee *t, unsigned k, const char *abs, eaf_reader **rd)
{
    tee_stream *s = NULL;
    slot *sl;
    long at;
    unsigned j;
    int reads;

    pthread_mutex_lock(&t->lock);
    at = ++t->at[k];
    for (;;) {
        for (sl = t->slots; sl && sl->at != at; sl = sl->next)
            ;
        /* the first to come: ahead of the others by SLOTS files at most
         * (another writer may come to it while this one waits) */
        if (sl || t->nslots < SLOTS)
            break;
        pthread_cond_wait(&t->fewer, &t->lock);
    }
    if (!sl) {
        sl = xcalloc(1, sizeof(*sl));
        sl->at = at;
        sl->abs = xstrdup(abs);
        sl->said = xcalloc(t->n, 1);
        for (j = 0; j < t->n; j++) {
            if (t->left[j])
                sl->said[j] = 1;
            else
                sl->unsaid++;
        }
        sl->next = t->slots;
        t->slots = sl;
        t->nslots++;
    }
    /* the same file as the others' at-th, or a list of its own */
    reads = rd && *rd && strcmp(abs, sl->abs) == 0;
    if (reads && !sl->s) {
        sl->s = stream_new(t, sl, k, *rd);
        s = sl->s;
    } else if (reads && !sl->s->gone[k]) {
        s = sl->s; /* counted in from the start: takes every item */
        pthread_mutex_lock(&s->lock);
        s->holders++;
        pthread_mutex_unlock(&s->lock);
        eaf_reader_free(*rd);
    } else if (sl->s) {
        tee_stop(sl->s, k);
    }
    said(t, sl, k);
    pthread_mutex_unlock(&t->lock);
    if (s)
        *rd = NULL;
    return s;
}

void tee_leave(tee *t, unsigned k)
{
    slot *sl, *next;

    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->left[k] = 1;
    /* the files it has not said: it reads none of them */
    for (sl = t->slots; sl; sl = next) {
        next = sl->next;
        if (sl->said[k])
            continue;
        if (sl->s)
            tee_stop(sl->s, k);
        said(t, sl, k);
    }
    pthread_mutex_unlock(&t->lock);
}

/* Drops the ring's items every sharing writer has taken (s->lock held). */
static void trim(tee_stream *s)
{
    while (s->base < s->made && s->ring[s->base % RING].untaken == 0)
        s->base++;
}

/* One writer fewer has yet to take the item (s->lock held); the last
 * frees its message. */
static void taken(ring_item *it)
{
    if (--it->untaken == 0)
        free(it->err);
}

/* Item `at` is not to be taken by writer k (gone): s->lock held. */
static void untake(tee_stream *s, unsigned long at)
{
    ring_item *it = &s->ring[at % RING];

    if (it->ref)
        tee_ref_drop(it->ref);
    taken(it);
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
            taken(it);
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
            char *msg;
            eaf_status got;
            ring_item *it;
            size_t skipped;

            s->reading = 1;
            pthread_mutex_unlock(&s->lock);
            got = read_next(s->rd, &a, &msg);
            skipped = eaf_reader_skipped(s->rd);
            pthread_mutex_lock(&s->lock);
            s->reading = 0;
            s->skipped = skipped;
            if (s->live == 0) {
                /* every writer stopped while it was read (this one too) */
                eaf_article_free(a);
                free(msg);
                continue;
            }
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

/* One hold on the stream ends (a writer's, or its slot's); the last frees
 * it. */
static void stream_unhold(tee_stream *s)
{
    unsigned left;

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

void tee_release(tee_stream *s, unsigned k)
{
    tee_stop(s, k);
    stream_unhold(s);
}
