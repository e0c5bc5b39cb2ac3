/*
 * related_ondemand.h: a related list computed on demand with SQL, without
 * the model in memory (related_ondemand.c): for one list, for the stale
 * lists of a walk, and for the parts of the score of a stored list that an
 * explanation needs.
 */
#ifndef EAF_RELATED_ONDEMAND_H
#define EAF_RELATED_ONDEMAND_H

#include "related.h"

/* Computes r's list (r->src, r->o; r->items may be allocated already):
 * from the stored statistics, or (fts) from the counts of the full-text
 * index. */
eaf_status eaf__rel_compute(eaf_related *r, int fts);

/* Works out the parts of the score of r's stored items, as a list computed
 * on demand would. */
eaf_status eaf__rel_parts_of_stored(eaf_related *r);

#endif /* EAF_RELATED_ONDEMAND_H */
