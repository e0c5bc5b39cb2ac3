/*
 * related_fts.h: term statistics counted in the full-text index
 * (related_fts.c), for the lists computed on demand in an index without
 * stored ones.  Stands on related_vec.h.
 */
#ifndef EAF_RELATED_FTS_H
#define EAF_RELATED_FTS_H

#include "related_vec.h"

/* The document frequencies of terms counted in the full-text index (exact
 * up to 500 articles, estimated beyond), with the number of articles,
 * a tokenizer and the stopwords: for lists computed on demand in an index
 * without stored statistics.  Kept on the handle's connection for every
 * list while the index is unchanged (related_fts.c says how). */
typedef struct eaf__rel_fts eaf__rel_fts;

/* The connection's statistics, made on first use and brought up to date
 * with the index (emptied when it changed); *out is NULL on an error (the
 * message on db).  Valid until the handle is closed. */
eaf_status eaf__rel_fts_get(eaf__rel_fts **out, eaf_db *db);
/* The number of articles. */
int64_t eaf__rel_fts_articles(const eaf__rel_fts *f);
/* The tokenizer (the index's language, with a cache of stems) and the
 * stopwords; borrowed. */
eaf__tokenizer *eaf__rel_fts_tokenizer(eaf__rel_fts *f);
const eaf__rel_stops *eaf__rel_fts_stops(const eaf__rel_fts *f);
/* The number of articles with the term t[0..n) (a stem) in their title,
 * summary or body, kept or counted now with *st (the caller's statement,
 * prepared on first use, which the caller finalizes); 0 when none has it. */
eaf_status eaf__rel_fts_df(eaf__rel_fts *f, eaf_db *db, sqlite3_stmt **st, const char *t,
                           size_t n, uint32_t *df);
/* The terms counted in article id's text with title_weight, kept by
 * eaf__rel_fts_keep_text() (stopwords left out): 1 and *c a view of them
 * (not to be freed; valid until the next call that keeps a text, or a
 * change of the index), or 0 when they are not kept. */
int eaf__rel_fts_text(eaf__rel_fts *f, int64_t id, double title_weight, eaf__rel_counts *c);
/* Keeps a copy of them, within the texts' budget (or not, out of memory:
 * they are only counted again). */
void eaf__rel_fts_keep_text(eaf__rel_fts *f, int64_t id, double title_weight,
                            const eaf__rel_counts *c);
/* How many terms were counted, and texts tokenized, on the connection
 * (for tests). */
uint64_t eaf__rel_fts_counted(const eaf__rel_fts *f);
uint64_t eaf__rel_fts_tokenized(const eaf__rel_fts *f);

#endif /* EAF_RELATED_FTS_H */
