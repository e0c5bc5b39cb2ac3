/*
 * related_get.c: one related list (eaf_related_new), the stored one when it
 * is fresh and was built with the options asked, else one computed on
 * demand; and the walk over every list (eaf_related_each), stored, or
 * computed with the model in memory.
 */
#include "related_ondemand.h"
#include "related_model.h"

#include <stdlib.h>
#include <string.h>

/* Reads the stored list when it is fresh (then *done is 1). */
static eaf_status read_stored(eaf_related *r, int *done)
{
    eaf_db *db = r->db;
    sqlite3_stmt *st = NULL;
    int rc, fresh = 0;
    eaf_status s;

    *done = 0;
    s = eaf__rel_prepare(db,
                         "SELECT EXISTS(SELECT 1 FROM related_vector WHERE article_id = ?1)"
                         " AND NOT EXISTS(SELECT 1 FROM related_stale WHERE article_id = ?1)",
                         &st, "reading the related articles");
    if (s != EAF_OK)
        return s;
    sqlite3_bind_int64(st, 1, r->src);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        fresh = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return eaf__db_sqlerr(db, rc, "reading the related articles");
    if (!fresh)
        return EAF_OK;
    s = eaf__rel_prepare(db,
                         "SELECT l.other_id, l.score, a.key, a.title FROM related_list l"
                         " JOIN article a ON a.id = l.other_id WHERE l.article_id = ?1"
                         " ORDER BY l.pos LIMIT ?2",
                         &st, "reading the related articles");
    if (s != EAF_OK)
        return s;
    sqlite3_bind_int64(st, 1, r->src);
    sqlite3_bind_int(st, 2, (int)r->o.count);
    r->items = eaf__calloc(r->o.count, sizeof(*r->items));
    if (!r->items) {
        sqlite3_finalize(st);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->n < r->o.count) {
        eaf__rel_item *it = &r->items[r->n];
        const char *key = (const char *)sqlite3_column_text(st, 2);
        const char *title = (const char *)sqlite3_column_text(st, 3);
        it->id = sqlite3_column_int64(st, 0);
        it->score = sqlite3_column_double(st, 1);
        it->key = eaf__strdup(key ? key : "");
        it->title = eaf__strdup(title ? title : "");
        if (!it->key || !it->title) {
            eaf__rel_item_clear(it);
            sqlite3_finalize(st);
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        }
        r->n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return eaf__db_sqlerr(db, rc, "reading the related articles");
    *done = 1;
    return EAF_OK;
}
/* ---- computing a list with the model in memory ---------------------------------- */

static int model_stem(void *ctx, uint32_t id, eaf__buf *b)
{
    const char *t = eaf__rel_model_term(ctx, id, NULL);

    if (!t)
        return 0;
    eaf__buf_reset(b);
    eaf__buf_puts(b, t);
    return b->rc == EAF_OK;
}

/* Article i of the model, its vector decoded into v; -1 when it could not
 * be read back. */
static int model_doc(const eaf__rel_model *m, uint32_t i, eaf__rel_doc *d, eaf__rel_pair *v)
{
    int64_t n;

    memset(d, 0, sizeof(*d));
    d->id = eaf__rel_model_id(m, i);
    n = eaf__rel_model_vector(m, i, v, &d->hash, NULL);
    d->n = n > 0 ? (uint32_t)n : 0;
    d->v = v;
    return n < 0 ? -1 : 0;
}

/* ---- eaf_related_new ---------------------------------------------------------------- */

eaf_status eaf_related_new(eaf_related **out, eaf_db *db, const char *key,
                           const eaf_related_options *opts)
{
    eaf_related *r;
    eaf__rel_opts stored, dflt;
    sqlite3_stmt *st = NULL;
    eaf_status s;
    int have = 0, rc, compute = opts && (opts->flags & EAF_RELATED_COMPUTE);

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!db || !key)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    /* a shard set's lists: through its related handle (related.h) */
    EAF__REL_VIA_SET(db, rd, eaf_related_new(out, rd, key, opts));
    /* inside the caller's transaction, the articles put so far count */
    s = eaf__db_fts_sync(db);
    if (s != EAF_OK)
        return s;
    r = eaf__calloc(1, sizeof(*r));
    if (!r)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    /* the list and its explanations (worked out later) come from one
     * state of the index, as a search's hits do, until the list is freed */
    s = eaf__db_snapshot_begin(db);
    if (s != EAF_OK) {
        eaf__free(r);
        return s;
    }
    r->db = db;
    db->children++;
    s = eaf__rel_index_options(db, &dflt, &stored, &have);
    if (s == EAF_OK)
        s = eaf__rel_opts_init(&r->o, db, opts, &dflt);
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "SELECT id FROM article WHERE key = ?1", &st,
                             "looking up the article");
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            r->src = sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_DONE)
            s = eaf__db_error(db, EAF_NOTFOUND, "no article has the key '%s'", key);
        else
            s = eaf__db_sqlerr(db, rc, "looking up the article");
        sqlite3_finalize(st);
    }
    if (s == EAF_OK && have && !compute && eaf__rel_opts_serve(&stored, &r->o))
        s = read_stored(r, &r->stored);
    if (s == EAF_OK && !r->stored) {
        /* from the stored statistics when they are those of these
         * options, else from the full-text index */
        s = eaf__rel_compute(r, !(have && eaf__rel_opts_same_vectors(&stored, &r->o)));
    }
    if (s != EAF_OK) {
        eaf_related_free(r);
        return s;
    }
    *out = r;
    return EAF_OK;
}

/* ---- every list ------------------------------------------------------------------ */

/* A list object for the walk: empty, for article id. */
static eaf_related *walk_list(eaf_db *db, const eaf__rel_opts *o, int64_t id)
{
    eaf_related *r = eaf__calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->db = db;
    db->children++;
    r->o = *o;
    r->src = id;
    r->items = eaf__calloc(o->count, sizeof(*r->items));
    if (!r->items) {
        eaf_related_free(r);
        return NULL;
    }
    return r;
}

/* The walk over the stored lists, computing the stale ones. */
static eaf_status each_stored(eaf_db *db, const eaf__rel_opts *o, eaf_related_fn fn,
                              void *payload)
{
    sqlite3_stmt *st = NULL;
    eaf_related *r = NULL;
    int64_t cur = 0;
    int rc, fresh = 0;
    eaf_status s;
    char *key = NULL;

    s = eaf__rel_prepare(db,
                         "SELECT a.id, a.key,"
                         " EXISTS(SELECT 1 FROM related_vector v WHERE v.article_id = a.id)"
                         " AND NOT EXISTS(SELECT 1 FROM related_stale s WHERE s.article_id = a.id),"
                         " l.other_id, l.score, o.key, o.title FROM article a"
                         " LEFT JOIN related_list l ON l.article_id = a.id AND l.pos < ?1"
                         " LEFT JOIN article o ON o.id = l.other_id ORDER BY a.key, l.pos",
                         &st, "reading the related articles");
    if (s != EAF_OK)
        return s;
    sqlite3_bind_int(st, 1, (int)o->count);
    for (;;) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && r && sqlite3_column_int64(st, 0) == cur) {
            eaf__rel_item *it;
            const char *k = (const char *)sqlite3_column_text(st, 5);
            const char *t = (const char *)sqlite3_column_text(st, 6);
            if (!fresh || !k || r->n >= o->count)
                continue;
            it = &r->items[r->n];
            it->id = sqlite3_column_int64(st, 3);
            it->score = sqlite3_column_double(st, 4);
            it->key = eaf__strdup(k);
            it->title = eaf__strdup(t ? t : "");
            if (!it->key || !it->title) {
                eaf__rel_item_clear(it);
                s = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            r->n++;
            continue;
        }
        /* the article before is complete */
        if (r) {
            if (!fresh) {
                r->stored = 0;
                s = eaf__rel_compute(r, 0);
            }
            /* a stop asked by the callback is the walk's result */
            if (s == EAF_OK && fn(key, r, payload))
                s = EAF_ABORT;
            eaf_related_free(r);
            r = NULL;
            if (s != EAF_OK)
                break;
        }
        if (rc != SQLITE_ROW)
            break;
        cur = sqlite3_column_int64(st, 0);
        eaf__free(key);
        key = eaf__strdup((const char *)sqlite3_column_text(st, 1));
        fresh = sqlite3_column_int(st, 2);
        r = walk_list(db, o, cur);
        if (!key || !r) {
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        r->stored = fresh;
        if (fresh && sqlite3_column_type(st, 5) != SQLITE_NULL) {
            eaf__rel_item *it = &r->items[0];
            const char *t = (const char *)sqlite3_column_text(st, 6);
            it->id = sqlite3_column_int64(st, 3);
            it->score = sqlite3_column_double(st, 4);
            it->key = eaf__strdup((const char *)sqlite3_column_text(st, 5));
            it->title = eaf__strdup(t ? t : "");
            if (!it->key || !it->title) {
                eaf__rel_item_clear(it);
                s = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            r->n = 1;
        }
    }
    if (s == EAF_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the related articles");
    eaf_related_free(r);
    eaf__free(key);
    sqlite3_finalize(st);
    return s;
}

/* The walk with a model in memory. */
static eaf_status each_model(eaf_db *db, const eaf__rel_opts *o, int load, eaf_related_fn fn,
                             void *payload)
{
    eaf__rel_model *m = NULL;
    eaf__rel_worker *w = NULL;
    eaf__rel_hit *hits = NULL;
    eaf__rel_pair *vs = NULL, *vd = NULL;
    sqlite3_stmt *st = NULL, *names = NULL;
    int64_t changed;
    eaf_status s;
    int rc = SQLITE_DONE;

    s = load ? eaf__rel_model_load(&m, db, o, &changed) : eaf__rel_model_build(&m, db, o, NULL);
    if (s != EAF_OK)
        return s;
    if (eaf__rel_worker_new(&w, m) != EAF_OK || !(hits = eaf__malloc(o->count * sizeof(*hits))) ||
        !(vs = eaf__malloc(o->terms * sizeof(*vs))) || !(vd = eaf__malloc(o->terms * sizeof(*vd))))
        s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "SELECT id, key FROM article ORDER BY key", &st,
                             "reading the articles");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "SELECT key, title FROM article WHERE id = ?1", &names,
                             "reading a related article");
    while (s == EAF_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), i = eaf__rel_model_find(m, id);
        const char *key = (const char *)sqlite3_column_text(st, 1);
        eaf_related *r;
        eaf__rel_doc src, d;
        uint32_t k = 0, j;

        r = walk_list(db, o, id);
        if (!r) {
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        if (i >= 0) {
            k = eaf__rel_model_list(w, (uint32_t)i, hits);
            if (model_doc(m, (uint32_t)i, &src, vs) < 0 || eaf__rel_worker_failed(w))
                s = eaf__rel_unread(db);
        }
        for (j = 0; j < k && s == EAF_OK; j++) {
            s = eaf__rel_add_item(r, names, &hits[j]);
            if (s == EAF_OK) {
                r->items[r->n - 1].have_parts = 1;
                if (model_doc(m, hits[j].ref, &d, vd) < 0)
                    s = eaf__rel_unread(db);
                else if (eaf__rel_item_stems(&r->items[r->n - 1], &src, &d, model_stem, m) !=
                         EAF_OK)
                    s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            }
        }
        if (s == EAF_OK && fn(key ? key : "", r, payload))
            s = EAF_ABORT;
        eaf_related_free(r);
    }
    if (s == EAF_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the articles");
    sqlite3_finalize(st);
    sqlite3_finalize(names);
    eaf__free(hits);
    eaf__free(vs);
    eaf__free(vd);
    eaf__rel_worker_free(w);
    eaf__rel_model_free(m);
    return s;
}

eaf_status eaf_related_each(eaf_db *db, const eaf_related_options *opts, eaf_related_fn fn,
                            void *payload)
{
    eaf__rel_opts o, stored, dflt;
    eaf_status s;
    int have = 0, compute = opts && (opts->flags & EAF_RELATED_COMPUTE);

    if (!db || !fn)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    EAF__REL_VIA_SET(db, rd, eaf_related_each(rd, opts, fn, payload));
    s = eaf__db_fts_sync(db);
    if (s == EAF_OK)
        s = eaf__db_snapshot_begin(db);
    if (s != EAF_OK)
        return s;
    /* every list of the walk comes from one state of the index: the walk
     * holds it as an open list would, through the lists it hands out */
    db->children++;
    s = eaf__rel_index_options(db, &dflt, &stored, &have);
    if (s == EAF_OK)
        s = eaf__rel_opts_init(&o, db, opts, &dflt);
    if (s == EAF_OK && have && !compute && eaf__rel_opts_serve(&stored, &o))
        s = each_stored(db, &o, fn, payload);
    else if (s == EAF_OK)
        s = each_model(db, &o, have && eaf__rel_opts_same_vectors(&stored, &o), fn, payload);
    eaf__db_release(db);
    return s;
}

