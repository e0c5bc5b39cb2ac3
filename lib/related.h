/*
 * related.h: the layer of the related lists, shared by its files:
 * related.c (the list object, eaf_related, and what its files share),
 * related_ondemand.c (a list computed on demand with SQL, see
 * related_ondemand.h), related_get.c (one list, read or computed, and
 * the walk over every list), related_explain.c (explanations) and
 * related_build.c (the batch build and the refresh that keep the stored
 * lists, and the index's defaults).  Stands on related_vec.h; the files
 * that use the model in memory include related_model.h themselves.
 * search.c reads a list through eaf__related_id (related:KEY).
 */
#ifndef EAF_RELATED_H
#define EAF_RELATED_H

#include "related_vec.h"

/* An article of a list: what the list shows, the parts of its score (when
 * have_parts), and its explanation, worked out on first demand. */
typedef struct eaf__rel_item {
    int64_t id;
    char *key, *title;
    double score;
    int have_parts;
    double text, meta[EAF__META_KINDS], factor;
    eaf__strvec stems;        /* the shared terms, as stems, best first */
    eaf__strvec shared[EAF_REASON_LAST];
    char *explain;
} eaf__rel_item;

struct eaf_related {
    eaf_db *db;
    int64_t src;
    eaf__rel_opts o;
    int stored;
    eaf__rel_item *items;
    size_t n;
    int explained;            /* 1 done, -1 failed (with explain_status) */
    eaf_status explain_status;
};

/* The article id of related article i of a list (search.c: related:KEY). */
int64_t eaf__related_id(const eaf_related *r, size_t i);

/* ---- shard sets ------------------------------------------------------------------- */

/* The handle the related lists of db are read and written with: db
 * itself, or for a shard set (its handle or a member) the set's related
 * handle (eaf__set_related, shard.h), its error cleared.  *rd is NULL on
 * a failure (the message on db). */
eaf_status eaf__rel_route(eaf_db **rd, eaf_db *db);
/* The status s of a call made through rd, its message copied to db. */
eaf_status eaf__rel_pass(eaf_db *db, eaf_db *rd, eaf_status s);
/* At the start of a public call on db: for a shard set, returns what
 * `call` (the same call, made on the related handle rd) returns. */
#define EAF__REL_VIA_SET(db, rd, call)                                                    \
    do {                                                                                 \
        if ((db)->set) {                                                                 \
            eaf_db *rd;                                                                  \
            eaf_status routed_ = eaf__rel_route(&rd, (db));                              \
            if (routed_ != EAF_OK)                                                       \
                return routed_;                                                          \
            if (rd != (db))                                                              \
                return eaf__rel_pass((db), rd, (call));                                  \
        }                                                                                \
    } while (0)
/* Empties the marks of stale lists (of every shard, for a set). */
eaf_status eaf__rel_clear_stale(eaf_db *db);

/* ---- small SQL helpers ------------------------------------------------------------ */

/* Prepares sql into *st (NULL on an error, with the message on db, `what`
 * failing). */
eaf_status eaf__rel_prepare(eaf_db *db, const char *sql, sqlite3_stmt **st, const char *what);
/* The same, of the SQL fmt makes (for the names of tables a set's related
 * handle reads in views of their own: EAF__REL_CHANGED, EAF__REL_STALE_ALL). */
eaf_status eaf__rel_preparef(eaf_db *db, sqlite3_stmt **st, const char *what, const char *fmt, ...)
    EAF__PRINTF(4, 5);
eaf_status eaf__rel_exec(eaf_db *db, const char *sql, const char *what);
/* Steps a statement that returns no rows, and resets it. */
eaf_status eaf__rel_run(eaf_db *db, sqlite3_stmt *st, const char *what);
/* A value of eaf_meta, or NULL (the caller frees it); *s the status. */
char *eaf__rel_meta_get(eaf_db *db, const char *name, eaf_status *s);
/* The options of the index: its defaults for what is not asked (*dflt:
 * eaf_meta related_defaults, else the options of the stored lists, else
 * the library's), and the options the stored lists were built with
 * (*stored, when *have is 1; stored and have may be NULL). */
eaf_status eaf__rel_index_options(eaf_db *db, eaf__rel_opts *dflt, eaf__rel_opts *stored,
                                  int *have);
/* The message of a list that could not be computed because a vector could
 * not be read back from the model's temporary file (EAF_IO). */
eaf_status eaf__rel_unread(eaf_db *db);

/* ---- items ----------------------------------------------------------------------- */

void eaf__rel_item_clear(eaf__rel_item *it);
/* Appends an article to a list (room for it made by the caller), with the
 * parts of hit h, reading its key and title with `names` (SELECT key,
 * title FROM article WHERE id = ?1). */
eaf_status eaf__rel_add_item(eaf_related *r, sqlite3_stmt *names, const eaf__rel_hit *h);
/* Records an item's shared stems (the weightiest terms src and d share),
 * with the stem of each term id given by the callback (0: none). */
typedef int (*eaf__rel_stem_fn)(void *ctx, uint32_t id, eaf__buf *b);
eaf_status eaf__rel_item_stems(eaf__rel_item *it, const eaf__rel_doc *src,
                               const eaf__rel_doc *d, eaf__rel_stem_fn fn, void *ctx);

#endif /* EAF_RELATED_H */
