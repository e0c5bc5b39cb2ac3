/*
 * plan.h: what a search looks for, before it is run.
 *
 * A search is made in three steps.  The query is parsed into a PLAN (its
 * tree and the options that shape it); REWRITE PASSES then change the
 * tree, each of them a function of the plan and of the index it reads its
 * words from (related lists, prefixes, one CJK character, questions,
 * stopwords, places, feedback); last, a cursor (search.c) compiles the
 * plan against its index, decides on the fallback to any of the words,
 * and runs it.  The plan holds nothing of an index beyond what a pass
 * wrote into its tree (the ids of a related list, the terms a prefix
 * stands for): the compiled SQL, the statements and the rows belong to
 * the cursor, so that one plan could be run over several index files.
 */
#ifndef EAF_PLAN_H
#define EAF_PLAN_H

#include "db.h"
#include "query.h"

/* A query of this many words or more (besides stopwords) is a question:
 * any of its words may match, and hits with more of them rank higher. */
#define EAF__QUESTION_WORDS 4

typedef struct eaf__plan {
    eaf__query *q;            /* the tree, as the passes leave it */
    /* the options, read (version checked) by eaf__plan_new, with copies of
     * their texts and lists: the plan outlives the caller's struct */
    eaf_search_options o;
    eaf__strvec owned;        /* those copies (texts, and arrays of them) */
    unsigned flags;
    eaf_sort sort;
    double weights[8], k1, b, proximity;  /* the ranking knobs */
    unsigned limit, offset;
    unsigned feedback_docs, feedback_terms;
    /* what the passes did */
    int question;             /* any word may match (a question, or RANK_ALL) */
    int read_as_question;     /* the question rule applied (not RANK_ALL):
                                 eaf_search_question() */
    char *tier;               /* RANK_ALL: FTS5 expression of all the words */
    char *title_phrase;       /* the words typed, stopwords included, as a
                                 phrase the title may hold, after where each
                                 scored word starts: "0,2|Natural history of"
                                 (plan_title.c) */
    int feedback;             /* terms were added by relevance feedback */
    eaf__strvec expanded;     /* notes of the passes, for explain */
    /* related:KEY at the top of the query: its node, whose list orders
     * and scores the hits; NULL otherwise */
    const eaf__qnode *rel;
} eaf__plan;

/* Reads the options (NULL: the defaults) into a new plan, checking them.
 * EAF_MISUSE (message on db) for bad options, or EAF_NOMEM. */
eaf_status eaf__plan_new(eaf__plan **out, eaf_db *db, const eaf_search_options *opts);

/* Parses the query into the plan's tree.  EAF_SYNTAX (strict only; message
 * and offset on db), or EAF_NOMEM. */
eaf_status eaf__plan_parse(eaf__plan *p, eaf_db *db, const char *query);

void eaf__plan_free(eaf__plan *p);

/* Is the node a single stopword (or a request word, which a question
 * drops too), with no prefix or column?  The fallback leaves them out. */
int eaf__plan_stopword(eaf_db *db, const eaf__qnode *n);

/* Is the node a single stopword, as the stopword pass drops them from a
 * search of all the words (request words kept: "find" may be a title's)? */
int eaf__plan_dropped_stopword(eaf_db *db, const eaf__qnode *n);

/* ---- the rewrite passes, in the order search.c runs them ---------------- */

/* plan.c: reads the list of each related:KEY of the tree and sets p->rel,
 * the one that orders the hits. */
eaf_status eaf__pass_related(eaf__plan *p, eaf_db *db);

/* expand.c: the most terms a prefix query reaches. */
#define EAF__PREFIX_CAP 100

/* expand.c: rewrites the prefix terms of the query that start more than
 * EAF__PREFIX_CAP indexed terms. */
eaf_status eaf__pass_prefixes(eaf__plan *p, eaf_db *db);

/* expand.c: a word of one Chinese, Japanese or Korean character (which
 * the index holds only inside the bigrams of its runs) becomes the OR of
 * its prefix and the indexed bigrams that end with it.  After
 * eaf__pass_prefixes(), which would cap that prefix. */
eaf_status eaf__pass_cjk(eaf__plan *p, eaf_db *db);

/* plan.c: a question (or any query, with EAF_SEARCH_RANK_ALL) matches any
 * of its words; not with EAF_SEARCH_ALL_WORDS. */
eaf_status eaf__pass_question(eaf__plan *p, eaf_db *db);

/* plan.c: drops single stopwords from the words all of which must match
 * (not from a question). */
eaf_status eaf__pass_stopwords(eaf__plan *p, eaf_db *db);

/* expand.c: widens the words and phrases that name a country or region
 * to the place's other forms (unless EAF_SEARCH_NO_ALIASES). */
eaf_status eaf__pass_places(eaf__plan *p, eaf_db *db);

/* plan_title.c: the most words a search read as a title may have. */
#define EAF__TITLE_PHRASE_WORDS 8

/* Keeps the words of a search of plain words (two to
 * EAF__TITLE_PHRASE_WORDS of them) in p->title_phrase.  Runs first, on the
 * tree as typed. */
eaf_status eaf__pass_title_phrase(eaf__plan *p, eaf_db *db);

/* Appends the plan's title phrase to the arguments of the ranking
 * function's call (", 'words'", SQL-quoted), unless there is none or the
 * search was read as a question. */
void eaf__plan_title_arg(eaf__buf *call, const eaf__plan *p);

/* The feedback pass (feedback.c) runs the plan for its best hits, so it
 * takes the plan as compiled: see hits.h. */

#endif /* EAF_PLAN_H */
