/*
 * query.h: the query language: text -> tree -> FTS5 expressions.
 *
 * The parser never fails in the default mode: whatever the input, it
 * returns a tree (possibly empty).  In strict mode the first problem is an
 * EAF_SYNTAX error with the byte offset and a one-line message.  Every
 * term reaches FTS5 as a quoted string, so no input can inject FTS5
 * syntax.  No SQLite here: this module is fuzzed on its own.
 */
#ifndef EAF_QUERY_H
#define EAF_QUERY_H

#include "eaf-private.h"

/* The FTS5 columns, in table order. */
enum {
    EAF__COL_TITLE, EAF__COL_AUTHOR, EAF__COL_AFFILIATION, EAF__COL_TOPIC,
    EAF__COL_COUNTRY, EAF__COL_SUMMARY, EAF__COL_BODY, EAF__COL_BIO,
    EAF__COL_COUNT
};
extern const char *const eaf__col_names[EAF__COL_COUNT];

/* Node kinds. */
typedef enum eaf__qkind {
    EAF__Q_AND,     /* all children */
    EAF__Q_OR,      /* any child */
    EAF__Q_NOT,     /* one child, excluded */
    EAF__Q_TERM,    /* a word (text), maybe a prefix */
    EAF__Q_PHRASE,  /* quoted words (text) */
    EAF__Q_NEAR,    /* children are TERM/PHRASE nodes within near_dist */
    EAF__Q_META,    /* an exact metadata value: facet kinds in meta_kinds */
    EAF__Q_DATE,    /* publication day in [day_from, day_to] */
    EAF__Q_RELATED  /* related:KEY: the articles of KEY's related list
                       (text is the key; ids, once plan.c resolved it) */
} eaf__qkind;

/* Default NEAR window, and the limits the parser enforces. */
#define EAF__NEAR_DEFAULT 10
#define EAF__QUERY_MAX_DEPTH 32
#define EAF__QUERY_MAX_TERMS 256
#define EAF__QUERY_MAX_BYTES 16384

/* Open ends of date ranges. */
#define EAF__DAY_MIN 0
#define EAF__DAY_MAX 99999999

typedef struct eaf__qnode eaf__qnode;
struct eaf__qnode {
    eaf__qkind kind;
    int offset;              /* byte offset in the query text */
    unsigned cols;           /* text nodes: column mask, 0 = every column */
    int prefix;              /* TERM: a prefix query */
    const char *text;        /* TERM, PHRASE, META: NUL-terminated */
    size_t len;
    const char *fts;         /* TERM, PHRASE: its FTS5 phrase in synthetic
                                tokens (expand.c), written in place of text;
                                NULL: none */
    unsigned meta_kinds;     /* META: mask of facet kinds (1 << kind) */
    int32_t day_from, day_to;/* DATE: YYYYMMDD, inclusive */
    int near_dist;           /* NEAR */
    int explicit_and;        /* AND: a typed AND joins some of its kids (then
                                all must match, even in a long query) */
    const int64_t *ids;      /* RELATED: the related articles' ids, best first */
    const double *scores;    /* RELATED: and their scores */
    size_t nids;
    int resolved;            /* RELATED: ids were set (else it matches nothing) */
    eaf__qnode **kids;       /* AND, OR, NOT, NEAR */
    size_t nkids;
};

typedef struct eaf__query eaf__query;

/* Flags for eaf__query_parse(). */
#define EAF__QUERY_STRICT 0x1

/* Parses text[0..n).  On success *out holds the query (its root may be
 * NULL for an empty query).  In strict mode a malformed query gives
 * EAF_SYNTAX and *out still holds the query, with its error. */
eaf_status eaf__query_parse(eaf__query **out, const char *text, size_t n,
                            unsigned flags);
void eaf__query_free(eaf__query *q);

const eaf__qnode *eaf__query_root(const eaf__query *q);
/* The first problem found in strict mode: its offset (or -1) and message. */
int eaf__query_error_offset(const eaf__query *q);
const char *eaf__query_error(const eaf__query *q);

/* ---- query_fts.c: rendering ---------------------------------------------- */

/* True when a subtree is only text (TERM, PHRASE, NEAR, and AND/OR/NOT of
 * text), so that it can go to FTS5 whole. */
int eaf__qnode_is_text(const eaf__qnode *n);

/* Does the text of a TERM or PHRASE node produce any token?  A term such
 * as "-" or "***" produces none and is dropped from the query. */
int eaf__qnode_has_tokens(const eaf__qnode *n);

/* Renders a text subtree as an FTS5 expression into b.  Returns 1 when
 * something was written, 0 when the subtree is empty (only tokenless
 * terms, or only exclusions).  Exclusions are rendered as A NOT B. */
int eaf__fts_render(eaf__buf *b, const eaf__qnode *n);

/* Renders kids as one AND: the positive ones joined by AND, then NOT the
 * exclusions (NOT kids) joined by OR.  Returns 0 when no positive kid
 * renders.  Only text kids may be passed. */
int eaf__fts_render_and(eaf__buf *b, eaf__qnode *const *kids, size_t n);

/* The ranking spec of an FTS5 expression this module rendered: for each
 * phrase, in the order FTS5 numbers them, "group:weight" separated by
 * spaces.  Phrases of one group are forms of one query word (a place and
 * its aliases, weighing alias_weight); a group of -1 takes no part in the
 * score (stopwords, exclusions); terms added by feedback weigh
 * feedback_weight.  Returns 0 when out of memory. */
int eaf__fts_phrase_spec(eaf__buf *spec, const char *expr, const char *language,
                         double alias_weight, double feedback_weight);

/* Each phrase of an FTS5 expression this module rendered, in the order
 * FTS5 numbers them, as an expression of its own that matches what
 * FTS5's xQueryPhrase() of it counts: the phrase with its column filter
 * (a phrase of NEAR() alone).  Appends them to out; EAF_NOMEM. */
eaf_status eaf__fts_phrase_list(eaf__strvec *out, const char *expr);

/* The same expression with every phrase that ends in a gram and then the
 * gram's second word (expand.c: "bank of" + "of japan" + japan) without
 * that last word, which the gram implies at the next position: the same
 * rows and instances, where FTS5 read every position of the word (of
 * "of", in nearly every article).  Into *out (NULL when no phrase
 * changes); sizes[i] (room for max) is the i-th phrase's size in words
 * when it changed, else 0.  EAF_NOMEM, or EAF_OK. */
eaf_status eaf__fts_shorten(char **out, const char *expr, int *sizes, size_t max);

/* Renders the positive text leaves of a tree as one OR expression (for
 * ranking and snippets of queries whose structure FTS5 cannot hold).
 * Returns 1 when something was written. */
int eaf__fts_render_positive(eaf__buf *b, const eaf__qnode *n);

/* Makes an AND or OR of nodes in the query's arena (flattening nested
 * ones of the same kind; one node is returned as it is).  NULL when out of
 * memory or when every node is NULL. */
eaf__qnode *eaf__query_combine(eaf__query *q, eaf__qkind kind, eaf__qnode **kids,
                               size_t n);

/* A TERM or PHRASE node made by the library (not typed by the user), in
 * the query's arena, its text marked by a leading byte: EAF__RAW_TERM for
 * an index term as it is, EAF__ALIAS_TERM for another form of a place the
 * user typed (ranked lower).  Not counted against EAF__QUERY_MAX_TERMS.
 * NULL when out of memory. */
eaf__qnode *eaf__query_make_term(eaf__query *q, eaf__qkind kind, char marker,
                                 const char *text, unsigned cols);

/* A plain TERM node for text[0..len) (a piece of a word the user typed),
 * in the query's arena, not counted against EAF__QUERY_MAX_TERMS.  NULL
 * when out of memory. */
eaf__qnode *eaf__query_term(eaf__query *q, const char *text, size_t len, unsigned cols);

/* A copy of s[0..n) in the query's arena, NUL-terminated; NULL when out of
 * memory. */
char *eaf__query_strdup(eaf__query *q, const char *s, size_t n);

/* The mark of a place's other form; the tokenizer reads it as a separator,
 * so the text is tokenized as usual. */
#define EAF__ALIAS_TERM '\x02'

/* Sets the related list of a RELATED node: n ids and scores, best first,
 * copied into the query's arena.  EAF_OK or EAF_NOMEM. */
eaf_status eaf__query_set_related(eaf__query *q, eaf__qnode *n, const int64_t *ids,
                                  const double *scores, size_t count);

/* The slot holding the root, for rewriting the tree. */
eaf__qnode **eaf__query_root_slot(eaf__query *q);

/* The name of the i-th field of the language ("title", "author", ...,
 * lower case), or NULL past the last one: for suggesting a field in
 * place of an unknown one (suggest.c). */
const char *eaf__query_field_name(size_t i);

/* The query text as given (capped at EAF__QUERY_MAX_BYTES). */
const char *eaf__query_text(const eaf__query *q);

/* Where a TERM or PHRASE node's text starts in the query text, or -1. */
int eaf__qnode_text_offset(const eaf__query *q, const eaf__qnode *n);

/* Appends a one-line-per-node description of the tree (for --explain and
 * tests). */
void eaf__query_dump(eaf__buf *b, const eaf__qnode *n, int depth);

/* ---- query_sql.c: the tree as FTS5 + SQL ------------------------------- */

/* A value the SQL refers to as ?index. */
typedef struct eaf__qparam {
    int index;
    int is_text;
    char *text;
    int64_t value;
} eaf__qparam;

typedef struct eaf__compiled {
    char *fts;           /* FTS5 expression that matches and ranks, or NULL */
    char *sql;           /* SQL condition over article a and facet, or NULL */
    char *rank;          /* without fts: the positive words, to rank by */
    char *rank_call;     /* the ranking function call for fts or rank
                            (hits.c fills it) */
    int positive;        /* false: the query selects nothing (empty, or
                            only exclusions) */
    eaf__qparam *params;
    int nparams, cap;
    int next_index;
    int nomem;
} eaf__compiled;

/* Compiles a tree; parameters are numbered from first_param.  EAF_NOMEM
 * is the only failure. */
eaf_status eaf__query_compile(eaf__compiled *out, const eaf__qnode *root,
                              int first_param);

/* Adds the filters of search options (dates; authors, topics, countries,
 * tags) to a compiled query, as SQL conditions ANDed with its own.  With
 * any filter, a query that selected nothing (empty, or exclusions only)
 * selects the filtered articles.  EAF_SYNTAX for a date that is not
 * YYYY, YYYY-MM or YYYY-MM-DD (*bad then points to it), or EAF_NOMEM. */
eaf_status eaf__query_add_filters(eaf__compiled *c, const eaf_search_options *o,
                                  const char **bad);
void eaf__compiled_free(eaf__compiled *c);

#endif /* EAF_QUERY_H */
