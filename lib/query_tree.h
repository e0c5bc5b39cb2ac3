/*
 * query_tree.h: the query object and its arena, and the making of nodes,
 * shared by the tree (query.c) and the parser (query_parse.c).  Private
 * to those two files; the rest of the library sees query.h.
 */
#ifndef EAF_QUERY_TREE_H
#define EAF_QUERY_TREE_H

#include "query.h"

typedef struct arena_block arena_block;

typedef enum { L_WORD, L_QUOTE, L_LPAREN, L_RPAREN } ltype;

typedef struct lexeme {
    ltype type;
    int start, end;      /* the text: for quotes, the inside */
    int at;              /* where the lexeme starts (the quote mark) */
    int space_before;
    int closed;          /* quotes: a closing mark was found */
} lexeme;

struct eaf__query {
    arena_block *blocks;
    eaf__qnode *root;
    unsigned flags;
    int nomem;
    int err_offset;
    char *err_msg;       /* in the arena */
    const char *text;    /* the (capped) input, copied into the arena */
    int n;
    lexeme *lx;
    int nlx, pos;
    int nterms;
};

/* Memory from the query's arena, zeroed; NULL (and q->nomem) when out of
 * memory. */
void *eaf__qtree_alloc(eaf__query *q, size_t n);
char *eaf__qtree_strndup(eaf__query *q, const char *s, size_t n);

/* Records the first problem (strict mode reports it). */
void eaf__qtree_problem(eaf__query *q, int offset, const char *what);

/* The nodes of the tree, in the arena.  A text node counts against
 * EAF__QUERY_MAX_TERMS (past it: NULL, and a problem). */
eaf__qnode *eaf__qtree_node(eaf__query *q, eaf__qkind kind, int offset);
eaf__qnode *eaf__qtree_text_node(eaf__query *q, eaf__qkind kind, int offset,
                                 const char *s, size_t len);
/* An AND or OR of items, flattening nested ones of the same kind. */
eaf__qnode *eaf__qtree_combine(eaf__query *q, eaf__qkind kind, eaf__qnode **items,
                               size_t n, int offset);
eaf__qnode *eaf__qtree_negate(eaf__query *q, eaf__qnode *child, int offset);
/* Restricts the text leaves of a subtree that have no field yet. */
void eaf__qtree_restrict_cols(eaf__qnode *n, unsigned cols);

#endif /* EAF_QUERY_TREE_H */
