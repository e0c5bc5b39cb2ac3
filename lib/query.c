/*
 * query.c: the query tree: its arena, the making of nodes (for the parser,
 * query_parse.c, and for the rewrite passes, which add and combine
 * nodes), the accessors, and the dump of --explain.  All nodes and strings
 * live in one arena freed with the query.
 */
#include "query_tree.h"
#include "tokenize.h"

#include <stdio.h>
#include <string.h>

const char *const eaf__col_names[EAF__COL_COUNT] = {
    "title", "author", "affiliation", "topic", "country", "summary", "body", "bio"
};

/* ---- arena --------------------------------------------------------------- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    /* data follows, aligned */
};

#define ARENA_ALIGN 16
#define ARENA_HDR ((sizeof(arena_block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define ARENA_BLOCK 4096

void *eaf__qtree_alloc(eaf__query *q, size_t n)
{
    arena_block *b = q->blocks;
    void *p;

    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = eaf__malloc(ARENA_HDR + cap);
        if (!b) {
            q->nomem = 1;
            return NULL;
        }
        b->next = q->blocks;
        b->used = 0;
        b->cap = cap;
        q->blocks = b;
    }
    p = (char *)b + ARENA_HDR + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *eaf__qtree_strndup(eaf__query *q, const char *s, size_t n)
{
    char *p = eaf__qtree_alloc(q, n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void eaf__query_free(eaf__query *q)
{
    arena_block *b, *next;

    if (!q)
        return;
    for (b = q->blocks; b; b = next) {
        next = b->next;
        eaf__free(b);
    }
    eaf__free(q->lx);
    eaf__free(q);
}

const eaf__qnode *eaf__query_root(const eaf__query *q)
{
    return q->root;
}

int eaf__query_error_offset(const eaf__query *q)
{
    return q->err_msg ? q->err_offset : -1;
}

const char *eaf__query_error(const eaf__query *q)
{
    return q->err_msg ? q->err_msg : "";
}

/* Records the first eaf__qtree_problem (strict mode reports it). */
void eaf__qtree_problem(eaf__query *q, int offset, const char *what)
{
    char excerpt[32];
    int len = 0, i;
    char *msg;

    if (q->err_msg || !(q->flags & EAF__QUERY_STRICT))
        return;
    /* up to 20 bytes from the offset, cut at a character boundary */
    if (offset < q->n) {
        len = q->n - offset < 20 ? q->n - offset : 20;
        while (len > 0 && offset + len < q->n &&
               ((unsigned char)q->text[offset + len] & 0xC0) == 0x80)
            len--;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)q->text[offset + i];
        /* control characters would reach a terminal with the message */
        excerpt[i] = (char)(c < 0x20 || c == 0x7F ? ' ' : c);
    }
    excerpt[len] = '\0';
    if (len > 0)
        msg = eaf__printf("%s at offset %d near '%s'", what, offset, excerpt);
    else
        msg = eaf__printf("%s at offset %d (end of query)", what, offset);
    if (!msg) {
        q->nomem = 1;
        return;
    }
    q->err_msg = eaf__qtree_strndup(q, msg, strlen(msg));
    eaf__free(msg);
    q->err_offset = offset;
}

/* ---- lexer --------------------------------------------------------------- */

/* Length of a quotation mark at s (", or the curly “ ” „), else 0. */

/* ---- nodes --------------------------------------------------------------- */

eaf__qnode *eaf__qtree_node(eaf__query *q, eaf__qkind kind, int offset)
{
    eaf__qnode *n = eaf__qtree_alloc(q, sizeof(*n));

    if (n) {
        n->kind = kind;
        n->offset = offset;
    }
    return n;
}

eaf__qnode *eaf__qtree_text_node(eaf__query *q, eaf__qkind kind, int offset,
                                 const char *s, size_t len)
{
    eaf__qnode *n;

    if (q->nterms >= EAF__QUERY_MAX_TERMS) {
        eaf__qtree_problem(q, offset, "too many terms");
        return NULL;
    }
    n = eaf__qtree_node(q, kind, offset);
    if (n) {
        n->text = eaf__qtree_strndup(q, s, len);
        n->len = len;
        if (!n->text)
            return NULL;
        q->nterms++;
    }
    return n;
}

/* Combines nodes under AND or OR, flattening nested ones of the same kind;
 * NULL items are skipped, one item is returned as it is. */
eaf__qnode *eaf__qtree_combine(eaf__query *q, eaf__qkind kind, eaf__qnode **items,
                               size_t n, int offset)
{
    size_t i, j, count = 0;
    eaf__qnode *r;

    for (i = 0; i < n; i++)
        if (items[i])
            count += items[i]->kind == kind ? items[i]->nkids : 1;
    if (count == 0)
        return NULL;
    if (count == 1)
        for (i = 0; i < n; i++)
            if (items[i])
                return items[i]->kind == kind ? items[i]->kids[0] : items[i];
    r = eaf__qtree_node(q, kind, offset);
    if (!r)
        return NULL;
    r->kids = eaf__qtree_alloc(q, count * sizeof(*r->kids));
    if (!r->kids)
        return NULL;
    for (i = 0; i < n; i++) {
        if (!items[i])
            continue;
        if (items[i]->kind == kind) {
            /* a typed AND stays typed in the AND it is flattened into */
            r->explicit_and |= items[i]->explicit_and;
            for (j = 0; j < items[i]->nkids; j++)
                r->kids[r->nkids++] = items[i]->kids[j];
        } else {
            r->kids[r->nkids++] = items[i];
        }
    }
    return r;
}

eaf__qnode *eaf__qtree_negate(eaf__query *q, eaf__qnode *child, int offset)
{
    eaf__qnode *r;

    if (!child)
        return NULL;
    r = eaf__qtree_node(q, EAF__Q_NOT, offset);
    if (!r)
        return NULL;
    r->kids = eaf__qtree_alloc(q, sizeof(*r->kids));
    if (!r->kids)
        return NULL;
    r->kids[0] = child;
    r->nkids = 1;
    return r;
}

/* Restricts the text leaves of a subtree that have no field yet. */
void eaf__qtree_restrict_cols(eaf__qnode *n, unsigned cols)
{
    size_t i;

    if (!n)
        return;
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE: case EAF__Q_NEAR:
        if (n->cols == 0)
            n->cols = cols;
        break;
    case EAF__Q_AND: case EAF__Q_OR: case EAF__Q_NOT:
        for (i = 0; i < n->nkids; i++)
            eaf__qtree_restrict_cols(n->kids[i], cols);
        break;
    default:
        break;
    }
}

eaf__qnode *eaf__query_combine(eaf__query *q, eaf__qkind kind, eaf__qnode **kids,
                               size_t n)
{
    return eaf__qtree_combine(q, kind, kids, n, kids && n ? (kids[0] ? kids[0]->offset : 0) : 0);
}

eaf__qnode *eaf__query_make_term(eaf__query *q, eaf__qkind kind, char marker,
                                 const char *text, unsigned cols)
{
    size_t n = strlen(text);
    eaf__qnode *r = eaf__qtree_node(q, kind, 0);
    char *t = eaf__qtree_alloc(q, n + 2);

    if (!r || !t)
        return NULL;
    t[0] = marker;
    memcpy(t + 1, text, n + 1);
    r->text = t;
    r->len = n + 1;
    r->cols = cols;
    return r;
}

char *eaf__query_strdup(eaf__query *q, const char *s, size_t n)
{
    return eaf__qtree_strndup(q, s, n);
}

eaf__qnode *eaf__query_term(eaf__query *q, const char *text, size_t len, unsigned cols)
{
    eaf__qnode *r = eaf__qtree_node(q, EAF__Q_TERM, 0);

    if (!r || !(r->text = eaf__qtree_strndup(q, text, len)))
        return NULL;
    r->len = len;
    r->cols = cols;
    return r;
}

eaf_status eaf__query_set_related(eaf__query *q, eaf__qnode *n, const int64_t *ids,
                                  const double *scores, size_t count)
{
    int64_t *i2 = count ? eaf__qtree_alloc(q, count * sizeof(*i2)) : NULL;
    double *s2 = count ? eaf__qtree_alloc(q, count * sizeof(*s2)) : NULL;

    if (count && (!i2 || !s2))
        return EAF_NOMEM;
    if (count) {
        memcpy(i2, ids, count * sizeof(*i2));
        memcpy(s2, scores, count * sizeof(*s2));
    }
    n->ids = i2;
    n->scores = s2;
    n->nids = count;
    n->resolved = 1;
    return EAF_OK;
}

eaf__qnode **eaf__query_root_slot(eaf__query *q)
{
    return &q->root;
}

const char *eaf__query_text(const eaf__query *q)
{
    return q->text;
}

int eaf__qnode_text_offset(const eaf__query *q, const eaf__qnode *n)
{
    int i;

    if (!n->text || n->len == 0 || (size_t)q->n < n->len)
        return -1;
    /* the text is a piece of the query at or after the node's offset */
    for (i = n->offset; i >= 0 && (size_t)i + n->len <= (size_t)q->n; i++)
        if (memcmp(q->text + i, n->text, n->len) == 0)
            return i;
    return -1;
}

/* ---- dump ---------------------------------------------------------------- */

static void dump_cols(eaf__buf *b, unsigned cols)
{
    int c, first = 1;

    if (!cols)
        return;
    eaf__buf_puts(b, " in ");
    for (c = 0; c < EAF__COL_COUNT; c++) {
        if (cols & (1u << c)) {
            eaf__buf_printf(b, "%s%s", first ? "" : ",", eaf__col_names[c]);
            first = 0;
        }
    }
}

void eaf__query_dump(eaf__buf *b, const eaf__qnode *n, int depth)
{
    static const char *const kinds[] = {"AND", "OR", "NOT", "TERM", "PHRASE",
                                        "NEAR", "META", "DATE", "RELATED"};
    size_t i;

    eaf__buf_printf(b, "%*s", depth * 2, "");
    if (!n) {
        eaf__buf_puts(b, "(empty)\n");
        return;
    }
    eaf__buf_puts(b, kinds[n->kind]);
    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE:
        if (n->text[0] == EAF__RAW_TERM)
            eaf__buf_printf(b, " index term \"%s\"", n->text + 1);
        else if (n->text[0] == EAF__ALIAS_TERM)
            eaf__buf_printf(b, " alias \"%s\"", n->text + 1);
        else if (n->text[0] == EAF__FEEDBACK_TERM)
            eaf__buf_printf(b, " feedback term \"%s\" weight %.3f", n->len > 2 ? n->text + 2 : "",
                            n->len > 2 ? ((unsigned char)n->text[1] - EAF__FEEDBACK_WEIGHT0) /
                                             EAF__FEEDBACK_STEPS : 0.0);
        else
            eaf__buf_printf(b, " \"%s\"%s", n->text, n->prefix ? " prefix" : "");
        if (n->fts)
            eaf__buf_puts(b, " (synthetic tokens)");
        dump_cols(b, n->cols);
        break;
    case EAF__Q_META:
        eaf__buf_printf(b, " \"%s\"", n->text);
        dump_cols(b, n->cols);
        break;
    case EAF__Q_DATE:
        eaf__buf_printf(b, " %08ld..%08ld", (long)n->day_from, (long)n->day_to);
        break;
    case EAF__Q_RELATED:
        eaf__buf_printf(b, " \"%s\"", n->text);
        if (n->resolved)
            eaf__buf_printf(b, " (%zu articles)", n->nids);
        break;
    case EAF__Q_AND:
        if (n->explicit_and)
            eaf__buf_puts(b, " (typed)");
        break;
    case EAF__Q_NEAR:
        eaf__buf_printf(b, "/%d", n->near_dist);
        dump_cols(b, n->cols);
        break;
    default:
        break;
    }
    eaf__buf_putc(b, '\n');
    for (i = 0; i < n->nkids; i++)
        eaf__query_dump(b, n->kids[i], depth + 1);
}
