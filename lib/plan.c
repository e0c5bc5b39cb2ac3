/*
 * plan.c: the plan of a search (plan.h): its options, its tree, and the
 * rewrite passes that need no more than the tree and the index's language
 * or related lists: related:KEY, questions, stopwords.  The passes that
 * look words up in the index are in expand.c, feedback in feedback.c.
 */
#include "plan.h"
#include "lexicon.h"
#include "options.h"
#include "related.h"
#include "tokenize.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 10

/* The plan's own copy of a text of its options. */
static eaf_status own_text(eaf__plan *p, const char **s)
{
    char *c;

    if (!*s)
        return EAF_OK;
    c = eaf__strdup(*s);
    if (!c || eaf__strvec_push(&p->owned, c) != EAF_OK) {
        eaf__free(c);
        return EAF_NOMEM;
    }
    *s = c;
    return EAF_OK;
}

/* ... and of a NULL-terminated list of texts. */
static eaf_status own_list(eaf__plan *p, const char *const **list)
{
    const char **c;
    size_t n = 0, i;

    if (!*list)
        return EAF_OK;
    while ((*list)[n])
        n++;
    c = eaf__calloc(n + 1, sizeof(*c));
    if (!c || eaf__strvec_push(&p->owned, (char *)c) != EAF_OK) {
        eaf__free(c);
        return EAF_NOMEM;
    }
    for (i = 0; i < n; i++) {
        c[i] = (*list)[i];
        if (own_text(p, &c[i]) != EAF_OK)
            return EAF_NOMEM;
    }
    *list = c;
    return EAF_OK;
}

static eaf_status own_options(eaf__plan *p)
{
    eaf_search_options *o = &p->o;

    o->weights = NULL; /* read into p->weights */
    if (own_text(p, &o->mark_open) != EAF_OK || own_text(p, &o->mark_close) != EAF_OK ||
        own_text(p, &o->ellipsis) != EAF_OK || own_text(p, &o->date_from) != EAF_OK ||
        own_text(p, &o->date_to) != EAF_OK || own_list(p, &o->authors) != EAF_OK ||
        own_list(p, &o->topics) != EAF_OK || own_list(p, &o->countries) != EAF_OK ||
        own_list(p, &o->tags) != EAF_OK)
        return EAF_NOMEM;
    return EAF_OK;
}

eaf_status eaf__plan_new(eaf__plan **out, eaf_db *db, const eaf_search_options *opts)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    char msg[128];
    static const double defaults[8] = EAF_RANK_DEFAULT_WEIGHTS;
    eaf__plan *p;

    *out = NULL;
    if (eaf__options_read(&o, opts, &eaf__search_options_layout, msg, sizeof(msg)) != EAF_OK)
        return eaf__db_error(db, EAF_MISUSE, "%s", msg);
    if (o.flags & ~(EAF_SEARCH_STRICT | EAF_SEARCH_NO_FALLBACK | EAF_SEARCH_SNIPPET_HTML |
                    EAF_SEARCH_NO_ALIASES | EAF_SEARCH_FEEDBACK | EAF_SEARCH_RANK_ALL |
                    EAF_SEARCH_ALL_WORDS | EAF_SEARCH_NO_FEEDBACK))
        return eaf__db_error(db, EAF_MISUSE, "unknown search flags 0x%x", o.flags);
    if ((o.flags & EAF_SEARCH_FEEDBACK) && (o.flags & EAF_SEARCH_NO_FEEDBACK))
        return eaf__db_error(db, EAF_MISUSE,
                             "EAF_SEARCH_FEEDBACK and EAF_SEARCH_NO_FEEDBACK contradict each other");
    if ((o.flags & EAF_SEARCH_RANK_ALL) && (o.flags & EAF_SEARCH_ALL_WORDS))
        return eaf__db_error(db, EAF_MISUSE,
                             "EAF_SEARCH_RANK_ALL and EAF_SEARCH_ALL_WORDS contradict each other");
    if ((unsigned)o.sort >= EAF_SORT_LAST)
        return eaf__db_error(db, EAF_MISUSE, "unknown sort order %d", (int)o.sort);
    p = eaf__calloc(1, sizeof(*p));
    if (!p)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    p->o = o;
    p->flags = o.flags;
    p->sort = o.sort;
    memcpy(p->weights, o.weights ? o.weights : defaults, sizeof(p->weights));
    p->k1 = o.k1 > 0.0 ? o.k1 : EAF_RANK_DEFAULT_K1;
    p->b = o.b > 0.0 ? (o.b > 1.0 ? 1.0 : o.b) : o.b < 0.0 ? 0.0 : EAF_RANK_DEFAULT_B;
    p->proximity = o.proximity > 0.0 ? o.proximity
                   : o.proximity < 0.0 ? 0.0 : EAF_RANK_DEFAULT_PROXIMITY;
    p->limit = o.limit ? o.limit : DEFAULT_LIMIT;
    p->offset = o.offset;
    p->feedback_docs = o.feedback_docs ? o.feedback_docs : EAF_RANK_DEFAULT_FEEDBACK_DOCS;
    p->feedback_terms = o.feedback_terms ? o.feedback_terms : EAF_RANK_DEFAULT_FEEDBACK_TERMS;
    if (own_options(p) != EAF_OK) {
        eaf__plan_free(p);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    *out = p;
    return EAF_OK;
}

eaf_status eaf__plan_parse(eaf__plan *p, eaf_db *db, const char *query)
{
    eaf_status st = eaf__query_parse(&p->q, query, strlen(query),
                                     (p->flags & EAF_SEARCH_STRICT) ? EAF__QUERY_STRICT : 0);

    if (st == EAF_SYNTAX) {
        st = eaf__db_error(db, EAF_SYNTAX, "%s", eaf__query_error(p->q));
        db->err_offset = eaf__query_error_offset(p->q);
    }
    return st;
}

void eaf__plan_free(eaf__plan *p)
{
    if (!p)
        return;
    eaf__query_free(p->q);
    eaf__strvec_free(&p->expanded);
    eaf__strvec_free(&p->owned);
    eaf__free(p->tier);
    eaf__free(p->title_phrase);
    eaf__free(p);
}

/* ---- related:KEY ---------------------------------------------------------- */

/* The most related:KEY terms one query resolves; more match nothing. */
#define MAX_RELATED_TERMS 16

/* Reads the related list of each related:KEY of the tree (its stored list
 * when fresh, or one computed now, as eaf_related_new() gives it with the
 * default options); an unknown key matches nothing. */
static eaf_status resolve_related(eaf__plan *p, eaf_db *db, eaf__qnode *n, int *count)
{
    eaf_related *r = NULL;
    int64_t *ids = NULL;
    double *scores = NULL;
    size_t i, k;
    eaf_status st;

    if (!n)
        return EAF_OK;
    if (n->kind != EAF__Q_RELATED) {
        for (i = 0; i < n->nkids; i++) {
            st = resolve_related(p, db, n->kids[i], count);
            if (st != EAF_OK)
                return st;
        }
        return EAF_OK;
    }
    if ((*count)++ >= MAX_RELATED_TERMS)
        return EAF_OK;
    st = eaf_related_new(&r, db, n->text, NULL);
    if (st == EAF_NOTFOUND) {
        eaf__db_clear_error(db);
        return eaf__query_set_related(p->q, n, NULL, NULL, 0) == EAF_OK
                   ? EAF_OK : eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    if (st != EAF_OK)
        return st;
    k = eaf_related_count(r);
    ids = eaf__malloc((k ? k : 1) * sizeof(*ids));
    scores = eaf__malloc((k ? k : 1) * sizeof(*scores));
    if (ids && scores) {
        for (i = 0; i < k; i++) {
            ids[i] = eaf__related_id(r, i);
            scores[i] = eaf_related_score(r, i);
        }
        st = eaf__query_set_related(p->q, n, ids, scores, k);
    } else {
        st = EAF_NOMEM;
    }
    eaf_related_free(r);
    eaf__free(ids);
    eaf__free(scores);
    return st == EAF_OK ? EAF_OK : eaf__db_error(db, st, "out of memory");
}

/* The related:KEY that orders the hits: the whole query, or one of the
 * terms it ANDs (the first); NULL when there is none, or when its list is
 * empty (then nothing matches). */
static const eaf__qnode *ordering_related(const eaf__qnode *root)
{
    size_t i;

    if (!root)
        return NULL;
    if (root->kind == EAF__Q_RELATED)
        return root->nids ? root : NULL;
    if (root->kind == EAF__Q_AND)
        for (i = 0; i < root->nkids; i++)
            if (root->kids[i]->kind == EAF__Q_RELATED)
                return root->kids[i]->nids ? root->kids[i] : NULL;
    return NULL;
}

eaf_status eaf__pass_related(eaf__plan *p, eaf_db *db)
{
    int nrelated = 0;
    eaf_status st = resolve_related(p, db, *eaf__query_root_slot(p->q), &nrelated);

    p->rel = ordering_related(eaf__query_root(p->q));
    return st;
}

/* ---- questions and stopwords ------------------------------------------------ */

/* Is the node a single stopword, with no prefix or column (or, with
 * requests, a request word, which a question drops too; not otherwise:
 * "find" may be a title's word)? */
static int single_stopword(eaf_db *db, const eaf__qnode *n, int requests)
{
    char *f;
    int r;

    if (n->kind != EAF__Q_TERM || n->prefix || n->cols)
        return 0;
    f = eaf__fold_value(n->text, n->len);
    r = f && !strchr(f, ' ') &&
        (eaf__is_stopword(db->language, f, strlen(f)) ||
         (requests && eaf__is_request_word(db->language, f, strlen(f))));
    eaf__free(f);
    return r;
}

int eaf__plan_dropped_stopword(eaf_db *db, const eaf__qnode *n)
{
    return single_stopword(db, n, 0);
}

int eaf__plan_stopword(eaf_db *db, const eaf__qnode *n)
{
    return single_stopword(db, n, 1);
}

typedef struct piece_list {
    const char *text;
    size_t starts[EAF__QUERY_MAX_TERMS], ends[EAF__QUERY_MAX_TERMS];
    size_t n;
} piece_list;

static int add_piece(void *ctx, const char *tok, int ntok, int start, int end)
{
    piece_list *p = ctx;

    (void)tok;
    (void)ntok;
    if (p->n < EAF__QUERY_MAX_TERMS) {
        p->starts[p->n] = (size_t)start;
        p->ends[p->n++] = (size_t)end;
    }
    return 0;
}

/* Appends w to a growing list of nodes. */
static eaf_status push_node(eaf_db *db, eaf__qnode *w, eaf__qnode ***words, size_t *cap,
                            size_t *n)
{
    if (*n == *cap) {
        size_t nc = *cap * 2;
        eaf__qnode **nw = eaf__realloc(*words, nc * sizeof(*nw));
        if (!nw)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        *words = nw;
        *cap = nc;
    }
    (*words)[(*n)++] = w;
    return EAF_OK;
}

/* Appends the words of a term (its tokens, as typed), dropping stopwords,
 * to a growing list. */
static eaf_status split_compound(eaf__plan *plan, eaf_db *db, eaf__qnode *k,
                                 eaf__qnode ***words, size_t *cap, size_t *n)
{
    piece_list *p = eaf__malloc(sizeof(*p));
    eaf__tokenizer *t = NULL;
    size_t i;
    eaf_status st = EAF_OK;

    if (!p || eaf__tokenizer_new(&t, NULL) != EAF_OK) {
        eaf__free(p);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    p->text = k->text;
    p->n = 0;
    eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, k->text, k->len, add_piece, p);
    eaf__tokenizer_free(t);
    for (i = 0; i < p->n && st == EAF_OK; i++) {
        eaf__qnode *w = p->n == 1 ? k
                        : eaf__query_term(plan->q, k->text + p->starts[i],
                                          p->ends[i] - p->starts[i], k->cols);
        if (!w) {
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        if (!eaf__plan_stopword(db, w))
            st = push_node(db, w, words, cap, n);
    }
    eaf__free(p);
    return st;
}

/* Any word may match: the top-level AND of a query's words becomes an OR
 * of them (stopwords dropped, exclusions, dates and filters kept), when it
 * has at least min_words words besides stopwords.  *tier_out, if given,
 * receives the FTS5 expression of all the words together, for ranking the
 * articles with all of them first.  Returns EAF_OK whether or not the
 * query was rewritten (p->question says). */
static eaf_status any_word(eaf__plan *p, eaf_db *db, size_t min_words, char **tier_out)
{
    eaf__qnode **root = eaf__query_root_slot(p->q), *n = *root, **words, **rest, *any;
    size_t i, nw = 0, nr = 0, ntext = 0, wcap;
    eaf_status st = EAF_OK;

    if (!n || n->kind != EAF__Q_AND || n->nkids < 2 || n->explicit_and)
        return EAF_OK; /* a typed AND is obeyed */
    wcap = n->nkids + 8;
    words = eaf__malloc(wcap * sizeof(*words));
    rest = eaf__malloc((n->nkids + 1) * sizeof(*rest));
    if (!words || !rest) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n->nkids; i++) {
        eaf__qnode *k = n->kids[i];
        if (eaf__qnode_is_text(k) && k->kind != EAF__Q_NOT) {
            ntext++;
            if (k->kind == EAF__Q_TERM && !k->prefix) {
                /* a compound (boundary-layer, US-Japan) counts as its
                 * words, any of which may match; the proximity bonus
                 * still favours them together */
                st = split_compound(p, db, k, &words, &wcap, &nw);
                if (st != EAF_OK)
                    goto done;
                continue;
            }
            if (!eaf__plan_stopword(db, k)) {
                st = push_node(db, k, &words, &wcap, &nw);
                if (st != EAF_OK)
                    goto done;
            }
        } else {
            rest[nr++] = k;
        }
    }
    /* the words typed count (a question is a question), but only the words
     * of substance are searched for; with none of them the query stays */
    if (ntext < min_words || nw == 0)
        goto done;
    if (tier_out) {
        eaf__buf tier = EAF__BUF_INIT;
        if (eaf__fts_render_and(&tier, words, nw) && tier.rc == EAF_OK)
            *tier_out = eaf__buf_detach(&tier);
        eaf__buf_free(&tier);
    }
    any = eaf__query_combine(p->q, EAF__Q_OR, words, nw);
    rest[nr] = any;
    any = any ? eaf__query_combine(p->q, EAF__Q_AND, rest, nr + 1) : NULL;
    if (!any) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        goto done;
    }
    *root = any;
    p->question = 1;
done:
    eaf__free(words);
    eaf__free(rest);
    return st;
}

/* A query of stopwords only ("to be or not to be", "The Who"): a phrase of
 * them, in the order typed.  As an AND it matched almost every article and
 * ranked them arbitrarily; as a phrase it finds the articles that say it,
 * and in an index with common grams (expand.c) it is a lookup of a few
 * rare pairs.  Not for a typed AND, nor with exclusions, columns or
 * prefixes. */
static eaf_status stopwords_phrase(eaf__plan *p, eaf_db *db)
{
    eaf__qnode **root = eaf__query_root_slot(p->q), *n = *root, *ph;
    eaf__buf text = EAF__BUF_INIT;
    size_t i;

    if (!n || n->kind != EAF__Q_AND || n->nkids < 2 || n->explicit_and)
        return EAF_OK;
    for (i = 0; i < n->nkids; i++)
        if (!single_stopword(db, n->kids[i], 0) || n->kids[i]->text[0] == EAF__RAW_TERM ||
            n->kids[i]->text[0] == EAF__FEEDBACK_TERM || n->kids[i]->text[0] == EAF__ALIAS_TERM)
            return EAF_OK;
    for (i = 0; i < n->nkids; i++) {
        if (i > 0)
            eaf__buf_putc(&text, ' ');
        eaf__buf_append(&text, n->kids[i]->text, n->kids[i]->len);
    }
    ph = text.rc == EAF_OK ? eaf__query_term(p->q, text.p, text.n, 0) : NULL;
    eaf__buf_free(&text);
    if (!ph)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    ph->kind = EAF__Q_PHRASE;
    ph->offset = n->kids[0]->offset;
    *root = ph;
    return EAF_OK;
}

/* A stopword among the words of substance of a query ("History of",
 * "in the Netherlands") is not scored (query_fts.c) and restricts almost
 * nothing, but requiring it costs: FTS5 merges its long document list and
 * reads its positions in every row the query matches, which made such
 * queries the slowest tenth.  Single stopwords are dropped from the
 * top-level AND when another plain word remains (a query of stopwords
 * only, "The Who", keeps them; a phrase keeps its stopwords). */
static void drop_stopwords(eaf__plan *p, eaf_db *db)
{
    eaf__qnode **root = eaf__query_root_slot(p->q), *n = *root;
    size_t i, kept = 0, content = 0;

    if (!n || n->kind != EAF__Q_AND || n->nkids < 2)
        return;
    for (i = 0; i < n->nkids; i++) {
        const eaf__qnode *k = n->kids[i];
        if (eaf__qnode_is_text(k) && k->kind != EAF__Q_NOT && !single_stopword(db, k, 0))
            content++;
    }
    if (content == 0)
        return;
    for (i = 0; i < n->nkids; i++)
        if (!single_stopword(db, n->kids[i], 0))
            n->kids[kept++] = n->kids[i];
    n->nkids = kept;
    if (kept == 1)
        *root = n->kids[0];
}


eaf_status eaf__pass_question(eaf__plan *p, eaf_db *db)
{
    int rank_all = (p->flags & EAF_SEARCH_RANK_ALL) != 0;
    eaf_status st;

    if (p->flags & EAF_SEARCH_ALL_WORDS)
        return EAF_OK;
    st = any_word(p, db, rank_all ? 2 : EAF__QUESTION_WORDS, rank_all ? &p->tier : NULL);
    p->read_as_question = p->question && !rank_all;
    return st;
}

eaf_status eaf__pass_stopwords(eaf__plan *p, eaf_db *db)
{
    if (p->question)
        return EAF_OK;
    drop_stopwords(p, db);
    return stopwords_phrase(p, db);
}
