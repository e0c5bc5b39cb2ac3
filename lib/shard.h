/*
 * shard.h: shard sets, one index over several files (shard.c, and the
 * cursor over them in search.c, and their statistics in hits_set.c).
 *
 * A set is a folder holding a manifest (EAF__SET_MANIFEST) and the files
 * shard-0.db ... shard-(N-1).db.  An article lives in the shard its key
 * hashes to (eaf__key_shard), and its id is unique over the set: ids
 * are handed out in one sequence, so that a set and one file built from
 * the same articles in the same order hold the same ids.
 *
 * Two kinds of handle see a set:
 *  - the SET HANDLE, opened on the folder: it holds a handle on each
 *    shard (its members) and routes what it is asked to them; its own
 *    connection is an empty in-memory database, so that a call not made
 *    for sets fails rather than reads one shard as if it were all;
 *  - a MEMBER, the handle on one shard: it has the other shards attached
 *    ("s0", "s1" ..., itself "main"), reads the vocabulary of the whole
 *    set (eaf__db_vocab makes views over every shard's), ranks with the
 *    statistics of the whole set (hits_set.c), and asks every shard
 *    whether a query has any hit (hits.c).  A member opened alone
 *    for writing (eaf_db_open_shard) stores only the articles of its
 *    shard and skips the others (EAF_CHANGE_ELSEWHERE).
 */
#ifndef EAF_SHARD_H
#define EAF_SHARD_H

#include "db.h"

#define EAF__SET_MANIFEST "eafshards"
#define EAF__SET_MAX 64

struct eaf__set {
    unsigned n;
    char *dir;
    eaf_db **db;             /* the members (NULL for a lone writing member) */
    /* the statistics computed for the expressions of one search of the
     * set (its shards compile the same ones): hits_set.c, while caching
     * (search.c sets it for the making of a set's cursors) */
    int caching;
    struct eaf__set_stat *stats;
    size_t nstats;
    /* the handle of the set's related lists (eaf__set_related), made on
     * first use, and the flags the set was opened with */
    eaf_db *rel;
    unsigned flags;
};

/* One expression's statistics over the set, as eaf__set_stats() wrote them. */
struct eaf__set_stat {
    char *expr, *spec;
    int64_t lo, hi;
};

/* hits_set.c: forgets the statistics kept (and stops keeping them). */
void eaf__set_stats_forget(struct eaf__set *set);

/* Is path a folder with a set's manifest?  Its shard count, or 0. */
unsigned eaf__set_probe(const char *path);
/* The path of shard k of the set in dir, to free. */
char *eaf__set_shard_path(const char *dir, unsigned k);
/* Writes (and syncs) the manifest of a set of n shards in dir: 0, or an
 * errno. */
int eaf__set_write_manifest(const char *dir, unsigned n);

/* Opens the set in folder dir (eaf_db_open() of a folder). */
eaf_status eaf__set_open(eaf_db **out, const char *dir, const eaf_open_options *o,
                         char **errmsg_out);

/* The schema name of shard k on member db's connection ("main", "sK"). */
const char *eaf__set_schema(char *buf, size_t n, const eaf_db *db, unsigned k);

/* The vocabulary of a member (shard.c): temp.eaf_vocab_row and
 * temp.eaf_vocab_instance are the rows of every shard's, one after the
 * other (a term has a row per shard that holds it), so that a constraint
 * on the term reaches each shard's table (a view that summed them would
 * be read whole for every term).  Readers sum doc by term, and order the
 * instances when they want the first ones. */

/* The totals of a set's full-text index, as one file of its articles
 * would have them: the rows, each column's total size (FTS5's "averages"
 * records summed), and the range of ids. */
#define EAF__SET_COLS 16
typedef struct eaf__set_totals {
    sqlite3_int64 nrow, tot[EAF__SET_COLS], lo, hi;
    int have_ids;
} eaf__set_totals;
/* Reads them, over every shard of member db's set. */
eaf_status eaf__set_totals_read(eaf_db *db, eaf__set_totals *t);
/* The ids of the rows that match the FTS5 expression phrase in the set
 * of member db, counted in id order (every shard's, merged as they are
 * read) up to the sample-th: *got of them, and *last the id the count
 * stopped at (0 when it went through them all).  Since ids are unique
 * over the set and handed out in one sequence, these are the numbers a
 * count over one file of the same articles gives. */
eaf_status eaf__set_phrase_ids(eaf_db *db, const char *phrase, sqlite3_int64 sample,
                               sqlite3_int64 *got, sqlite3_int64 *last);

/* A number of db's articles: the aggregate agg ("count(*)", "max(id)",
 * "max(day)") of its article table, or for a member of a set (its
 * related handle) of every shard's, combined by comb ("sum", "min",
 * "max"); each shard's is read with its own indexes, not through a view
 * of them all.  0, and *null 1 (null may be NULL), when it is NULL. */
eaf_status eaf__set_article_stat(eaf_db *db, const char *agg, const char *comb,
                                 sqlite3_int64 *out, int *null);
/* PRAGMA data_version of db's file, or of a member, summed over every
 * shard of its set: it changes when any of them does. */
eaf_status eaf__set_data_version(eaf_db *db, sqlite3_int64 *out);

/* store.c: the number of articles of db's index, of its whole set for a
 * set handle or a member. */
eaf_status eaf__db_count_all(int64_t *out, eaf_db *db);

/* The handle the related lists of a set are read and written with
 * (shard.c), for the set handle db or one of its members: a member of
 * shard 0, which holds the set's lists, vectors, term statistics and
 * options (related_list, related_vector, related_term, eaf_meta), made
 * on first use and kept until the set is closed.  On its connection the
 * names the related code reads are views over the whole set, which hide
 * shard 0's own tables:
 *  - article, facet: every shard's, one after the other (an order the
 *    readers that need one ask for);
 *  - eaf_rel_changed: the articles put or changed since the lists were
 *    made (every shard's related_stale rows with changed 1; one row an
 *    article, in its own shard);
 *  - related_stale: the stale lists: every shard's marks, and the lists
 *    (in shard 0) that hold an article another shard changed or removed,
 *    which that shard's triggers could not see; an article may have
 *    several rows.  Read an article at a time.  It is emptied with
 *    eaf__set_clear_stale();
 *  - eaf_rel_stale_all: the same, read whole (EAF__REL_STALE_ALL): a
 *    removed article is known there by its vector (every article of a
 *    list has one), left in shard 0 until a refresh drops it, marking the
 *    lists that hold it stale first.
 * A lone writing member has none: EAF_MISUSE. */
eaf_status eaf__set_related(eaf_db **out, eaf_db *db);
/* Empties the marks of stale lists of every shard (the set's related
 * handle rel, in its write transaction). */
eaf_status eaf__set_clear_stale(eaf_db *rel);

/* Is db a set handle (the folder), a member of one? */
#define EAF__IS_SET(h) ((h)->set && (h)->shard < 0)
#define EAF__IS_MEMBER(h) ((h)->set && (h)->shard >= 0 && (h)->set->db)
/* a member opened alone to write its shard (eaf_db_open_shard) */
#define EAF__IS_WRITER(h) ((h)->set && (h)->shard >= 0 && !(h)->set->db)

/* A call a set handle cannot make (yet): EAF_MISUSE, saying which. */
eaf_status eaf__set_unsupported(eaf_db *db, const char *what);


#endif /* EAF_SHARD_H */
