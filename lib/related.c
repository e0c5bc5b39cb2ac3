/*
 * related.c: the related list object (eaf_related) and its accessors, and
 * what the files of the list layer share (related.h): small SQL helpers,
 * the index's options, the items of a list and their shared terms.
 */
#include "related.h"
#include "shard.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Shared terms an explanation names. */
#define EXPLAIN_TERMS 5

static const char *const reason_names[EAF_REASON_LAST] = {"topic", "country", "tag", "author",
                                                          "term"};

const char *eaf_related_reason_name(eaf_related_reason kind)
{
    return (unsigned)kind < EAF_REASON_LAST ? reason_names[kind] : NULL;
}

/* ---- shard sets ------------------------------------------------------------------- */

eaf_status eaf__rel_route(eaf_db **rd, eaf_db *db)
{
    eaf_status s;

    *rd = db;
    if (!db->set)
        return EAF_OK;
    s = eaf__set_related(rd, db);
    if (s != EAF_OK) {
        *rd = NULL;
        return s;
    }
    if (*rd != db)
        eaf__db_clear_error(*rd);
    return EAF_OK;
}

eaf_status eaf__rel_pass(eaf_db *db, eaf_db *rd, eaf_status s)
{
    if (s != EAF_OK && rd != db)
        return eaf__db_error(db, s, "%s", eaf_db_errmsg(rd));
    return s;
}

eaf_status eaf__rel_clear_stale(eaf_db *db)
{
    if (db->set)
        return eaf__set_clear_stale(db);
    return eaf__rel_exec(db, "DELETE FROM related_stale", "storing the related articles");
}

/* ---- small SQL helpers --------------------------------------------------------- */

eaf_status eaf__rel_prepare(eaf_db *db, const char *sql, sqlite3_stmt **st, const char *what)
{
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, st, NULL);

    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return eaf__db_sqlerr(db, rc, what);
    }
    return EAF_OK;
}

eaf_status eaf__rel_preparef(eaf_db *db, sqlite3_stmt **st, const char *what, const char *fmt, ...)
{
    va_list ap;
    char *sql;
    eaf_status s;

    va_start(ap, fmt);
    sql = eaf__vprintf(fmt, ap);
    va_end(ap);
    if (!sql) {
        *st = NULL;
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    s = eaf__rel_prepare(db, sql, st, what);
    eaf__free(sql);
    return s;
}

eaf_status eaf__rel_exec(eaf_db *db, const char *sql, const char *what)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, what);
}

/* Steps a statement that returns no rows, and resets it. */
eaf_status eaf__rel_run(eaf_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE ? EAF_OK : eaf__db_sqlerr(db, rc, what);
}

/* A value of eaf_meta, or NULL (the caller frees it).  Sets *st. */
char *eaf__rel_meta_get(eaf_db *db, const char *name, eaf_status *s)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    int rc;

    *s = eaf__rel_prepare(db, "SELECT value FROM eaf_meta WHERE name = ?1", &st,
                          "reading the index");
    if (*s != EAF_OK)
        return NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        v = eaf__strdup(t ? t : "");
        if (!v)
            *s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        *s = eaf__db_sqlerr(db, rc, "reading the index");
    }
    sqlite3_finalize(st);
    return v;
}

/* The options of the index: its defaults for what is not asked (*dflt:
 * eaf_meta related_defaults, else the options of the stored lists, else
 * the library's), and the options the stored lists were built with
 * (*stored, when *have is 1; stored and have may be NULL). */
eaf_status eaf__rel_index_options(eaf_db *db, eaf__rel_opts *dflt, eaf__rel_opts *stored,
                                int *have)
{
    eaf__rel_opts st;
    eaf_status s = EAF_OK;
    char *v;
    int got = 0;

    eaf__rel_opts_library(dflt);
    if (db->schema_version >= 4) {
        v = eaf__rel_meta_get(db, "related_config", &s);
        got = s == EAF_OK && v && eaf__rel_opts_parse(&st, v);
        eaf__free(v);
        if (got)
            *dflt = st;
        if (s == EAF_OK) {
            eaf__rel_opts d;
            v = eaf__rel_meta_get(db, "related_defaults", &s);
            if (s == EAF_OK && v && eaf__rel_opts_parse(&d, v))
                *dflt = d;
            eaf__free(v);
        }
    }
    if (stored && got)
        *stored = st;
    if (have)
        *have = got;
    return s;
}

/* ---- lists --------------------------------------------------------------------- */

void eaf__rel_item_clear(eaf__rel_item *it)
{
    int k;

    eaf__free(it->key);
    eaf__free(it->title);
    eaf__strvec_free(&it->stems);
    for (k = 0; k < EAF_REASON_LAST; k++)
        eaf__strvec_free(&it->shared[k]);
    eaf__free(it->explain);
}

void eaf_related_free(eaf_related *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->n; i++)
        eaf__rel_item_clear(&r->items[i]);
    eaf__free(r->items);
    if (r->db) {
        eaf__db_release(r->db);
    }
    eaf__free(r);
}

size_t eaf_related_count(const eaf_related *r)
{
    return r ? r->n : 0;
}

const char *eaf_related_key(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].key : NULL;
}

const char *eaf_related_title(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].title : NULL;
}

double eaf_related_score(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].score : 0.0;
}

int64_t eaf__related_id(const eaf_related *r, size_t i)
{
    return r && i < r->n ? r->items[i].id : 0;
}

int eaf_related_stored(const eaf_related *r)
{
    return r ? r->stored : 0;
}

/* Appends an article to a list, reading its key and title. */
eaf_status eaf__rel_add_item(eaf_related *r, sqlite3_stmt *names, const eaf__rel_hit *h)
{
    eaf__rel_item *it = &r->items[r->n];
    int rc;

    memset(it, 0, sizeof(*it));
    it->id = h->id;
    it->score = h->score;
    it->text = h->text;
    memcpy(it->meta, h->meta, sizeof(it->meta));
    it->factor = h->factor;
    sqlite3_reset(names);
    sqlite3_bind_int64(names, 1, h->id);
    rc = sqlite3_step(names);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(names);
        return rc == SQLITE_DONE ? eaf__db_error(r->db, EAF_CORRUPT, "a listed article is gone")
                                 : eaf__db_sqlerr(r->db, rc, "reading a related article");
    }
    it->key = eaf__strdup((const char *)sqlite3_column_text(names, 0));
    it->title = eaf__strdup(sqlite3_column_text(names, 1) ? (const char *)sqlite3_column_text(names, 1)
                                                          : "");
    sqlite3_reset(names);
    if (!it->key || !it->title) {
        eaf__rel_item_clear(it);
        return eaf__db_error(r->db, EAF_NOMEM, "out of memory");
    }
    r->n++;
    return EAF_OK;
}

typedef struct shared_term {
    uint32_t term;
    double w;
} shared_term;

static int cmp_shared(const void *a, const void *b)
{
    const shared_term *x = a, *y = b;

    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

/* The terms two vectors share, weightiest first (at most max). */
static uint32_t shared_terms(const eaf__rel_doc *a, const eaf__rel_doc *b, shared_term *out,
                             uint32_t max)
{
    uint32_t i = 0, j = 0, n = 0;
    shared_term all[EAF__REL_MAX_TERMS];

    while (i < a->n && j < b->n) {
        if (a->v[i].term < b->v[j].term) {
            i++;
        } else if (a->v[i].term > b->v[j].term) {
            j++;
        } else {
            all[n].term = a->v[i].term;
            all[n].w = (double)a->v[i].w * (double)b->v[j].w;
            n++;
            i++;
            j++;
        }
    }
    if (n > 1)
        qsort(all, n, sizeof(*all), cmp_shared);
    if (n > max)
        n = max;
    memcpy(out, all, n * sizeof(*out));
    return n;
}

/* Records an item's shared stems, with the stem of each term id given by
 * the callback. */
typedef int (*eaf__rel_stem_fn)(void *ctx, uint32_t id, eaf__buf *b);

eaf_status eaf__rel_item_stems(eaf__rel_item *it, const eaf__rel_doc *src, const eaf__rel_doc *d,
                             eaf__rel_stem_fn fn, void *ctx)
{
    shared_term st[EXPLAIN_TERMS];
    uint32_t n = shared_terms(src, d, st, EXPLAIN_TERMS), i;
    eaf__buf b = EAF__BUF_INIT;
    eaf_status s = EAF_OK;

    eaf__strvec_free(&it->stems);
    for (i = 0; i < n && s == EAF_OK; i++) {
        char *t;
        if (!fn(ctx, st[i].term, &b))
            continue;
        t = eaf__strdup(eaf__buf_cstr(&b) ? eaf__buf_cstr(&b) : "");
        if (!t || eaf__strvec_push(&it->stems, t) != EAF_OK) {
            eaf__free(t);
            s = EAF_NOMEM;
        }
    }
    eaf__buf_free(&b);
    return s;
}

eaf_status eaf__rel_unread(eaf_db *db)
{
    return eaf__db_error(db, EAF_IO, "cannot read the related-article build's temporary file");
}
