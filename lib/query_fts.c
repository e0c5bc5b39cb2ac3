/*
 * query_fts.c: rendering query trees as FTS5 expressions.
 *
 * Every term is written as a quoted FTS5 string with '"' doubled, so the
 * FTS5 parser only ever sees strings, AND, OR, NOT, NEAR(), parentheses,
 * column filters and '*' that this file wrote.  Inside a string, FTS5
 * hands the text to the "eaf" tokenizer, which turns "US-Japan" into the
 * phrase us japan and "China's" into china.
 */
#include "query.h"
#include "lexicon.h"
#include "tokenize.h"

#include <string.h>

static int stop_at_first(void *ctx, const char *tok, int ntok, int start, int end)
{
    (void)ctx;
    (void)tok;
    (void)ntok;
    (void)start;
    (void)end;
    return 1;
}

int eaf__qnode_has_tokens(const eaf__qnode *n)
{
    eaf__tokenizer *t;
    int rc;

    if (!n->text || n->len == 0)
        return 0;
    if (eaf__tokenizer_new(&t, NULL) != EAF_OK)
        return 1; /* out of memory: let FTS5 decide */
    rc = eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, n->text, n->len,
                       stop_at_first, NULL);
    eaf__tokenizer_free(t);
    return rc != 0;
}

int eaf__qnode_is_text(const eaf__qnode *n)
{
    size_t i;

    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE: case EAF__Q_NEAR:
        return 1;
    case EAF__Q_META: case EAF__Q_DATE: case EAF__Q_RELATED:
        return 0;
    default:
        for (i = 0; i < n->nkids; i++)
            if (!eaf__qnode_is_text(n->kids[i]))
                return 0;
        return 1;
    }
}

static void put_cols(eaf__buf *b, unsigned cols)
{
    int c, first = 1;

    if (!cols)
        return;
    eaf__buf_putc(b, '{');
    for (c = 0; c < EAF__COL_COUNT; c++) {
        if (cols & (1u << c)) {
            if (!first)
                eaf__buf_putc(b, ' ');
            eaf__buf_puts(b, eaf__col_names[c]);
            first = 0;
        }
    }
    eaf__buf_puts(b, "} : ");
}

/* A quoted FTS5 string, '"' doubled, with " *" for a prefix. */
static void put_string(eaf__buf *b, const eaf__qnode *n)
{
    size_t i, run = 0;

    eaf__buf_putc(b, '"');
    for (i = 0; i < n->len; i++) {
        if (n->text[i] == '"') {
            eaf__buf_append(b, n->text + run, i + 1 - run);
            eaf__buf_putc(b, '"');
            run = i + 1;
        }
    }
    eaf__buf_append(b, n->text + run, n->len - run);
    eaf__buf_putc(b, '"');
    if (n->kind == EAF__Q_TERM && n->prefix)
        eaf__buf_puts(b, " *");
}

static int render(eaf__buf *b, const eaf__qnode *n);

/* Renders the kids of an AND or OR joined by op, skipping empty ones and,
 * when skip_not, exclusions.  Returns how many were written. */
static int render_list(eaf__buf *b, eaf__qnode *const *kids, size_t n,
                       const char *op, int want_not)
{
    size_t i;
    int count = 0;
    eaf__buf part = EAF__BUF_INIT;

    for (i = 0; i < n; i++) {
        const eaf__qnode *k = kids[i];
        int is_not = k->kind == EAF__Q_NOT;

        if (is_not != want_not)
            continue;
        eaf__buf_reset(&part);
        if (!render(&part, is_not ? k->kids[0] : k))
            continue;
        if (count > 0)
            eaf__buf_puts(b, op);
        eaf__buf_append(b, part.p, part.n);
        count++;
    }
    if (part.rc != EAF_OK)
        b->rc = part.rc;
    eaf__buf_free(&part);
    return count;
}

int eaf__fts_render_and(eaf__buf *b, eaf__qnode *const *kids, size_t n)
{
    eaf__buf neg = EAF__BUF_INIT;
    size_t start = b->n;
    int count, nneg;

    eaf__buf_putc(b, '(');
    count = render_list(b, kids, n, " AND ", 0);
    if (count == 0) {
        /* only exclusions: nothing FTS5 can express alone */
        b->n = start;
        if (b->p)
            b->p[start] = '\0';
        return 0;
    }
    eaf__buf_putc(b, ')');
    nneg = render_list(&neg, kids, n, " OR ", 1);
    if (nneg > 0) {
        eaf__buf_puts(b, " NOT (");
        eaf__buf_append(b, neg.p, neg.n);
        eaf__buf_putc(b, ')');
    }
    if (neg.rc != EAF_OK)
        b->rc = neg.rc;
    eaf__buf_free(&neg);
    return 1;
}

static int render(eaf__buf *b, const eaf__qnode *n)
{
    size_t i, start = b->n;
    int count, ok = 0;

    switch (n->kind) {
    case EAF__Q_TERM:
    case EAF__Q_PHRASE:
        if (!eaf__qnode_has_tokens(n))
            return 0;
        put_cols(b, n->cols);
        if (n->fts)
            eaf__buf_puts(b, n->fts); /* the same phrase, in synthetic tokens */
        else
            put_string(b, n);
        return 1;
    case EAF__Q_NEAR:
        count = 0;
        for (i = 0; i < n->nkids; i++)
            count += eaf__qnode_has_tokens(n->kids[i]);
        if (count == 0)
            return 0;
        if (count == 1) {
            for (i = 0; i < n->nkids; i++) {
                if (eaf__qnode_has_tokens(n->kids[i])) {
                    put_cols(b, n->cols);
                    put_string(b, n->kids[i]);
                }
            }
            return 1;
        }
        put_cols(b, n->cols);
        eaf__buf_puts(b, "NEAR(");
        count = 0;
        for (i = 0; i < n->nkids; i++) {
            if (!eaf__qnode_has_tokens(n->kids[i]))
                continue;
            if (count++ > 0)
                eaf__buf_putc(b, ' ');
            put_string(b, n->kids[i]);
        }
        eaf__buf_printf(b, ", %d)", n->near_dist);
        return 1;
    case EAF__Q_AND:
        return eaf__fts_render_and(b, n->kids, n->nkids);
    case EAF__Q_OR:
        eaf__buf_putc(b, '(');
        count = render_list(b, n->kids, n->nkids, " OR ", 0);
        if (count == 0)
            break;
        eaf__buf_putc(b, ')');
        ok = 1;
        break;
    default:
        /* NOT alone, META, DATE: not expressible here */
        break;
    }
    if (!ok) {
        b->n = start;
        if (b->p)
            b->p[start] = '\0';
    }
    return ok;
}

int eaf__fts_render(eaf__buf *b, const eaf__qnode *n)
{
    return n ? render(b, n) : 0;
}

static int collect_positive(eaf__buf *b, const eaf__qnode *n, int count)
{
    size_t i;
    eaf__buf part = EAF__BUF_INIT;

    switch (n->kind) {
    case EAF__Q_TERM: case EAF__Q_PHRASE: case EAF__Q_NEAR:
        if (render(&part, n)) {
            if (count > 0)
                eaf__buf_puts(b, " OR ");
            eaf__buf_append(b, part.p, part.n);
            count++;
        }
        if (part.rc != EAF_OK)
            b->rc = part.rc;
        eaf__buf_free(&part);
        return count;
    case EAF__Q_AND: case EAF__Q_OR:
        for (i = 0; i < n->nkids; i++)
            count = collect_positive(b, n->kids[i], count);
        return count;
    default:
        return count;
    }
}

int eaf__fts_render_positive(eaf__buf *b, const eaf__qnode *n)
{
    return n ? collect_positive(b, n, 0) > 0 : 0;
}

/* ---- the ranking spec of a rendered expression --------------------------- */

typedef struct phrase_info {
    int group;           /* -1: not scored */
    double weight;
    int stopword;        /* a single stopword: scored only if nothing else is */
} phrase_info;

static int one_stopword(void *ctx, const char *tok, int ntok, int start, int end)
{
    int *state = ctx; /* 0: no token yet, 1: one stopword, 2: anything else */

    (void)start;
    (void)end;
    if (*state == 0 && eaf__is_stopword("english", tok, (size_t)ntok))
        *state = 1;
    else
        *state = 2;
    return 0;
}

int eaf__fts_phrase_spec(eaf__buf *spec, const char *expr, const char *language,
                         double alias_weight, double feedback_weight)
{
    phrase_info *ph = NULL;
    size_t nph = 0, cap = 0, i = 0, n = strlen(expr);
    int depth = 0, not_depth = -1, pending_not = 0, groups = 0, scored = 0;
    char last_mark = 0;
    eaf__tokenizer *t = NULL;
    eaf__buf text = EAF__BUF_INIT;
    int ok = 1, english = language && strcmp(language, "english") == 0, joined = 0;

    if (english && eaf__tokenizer_new(&t, NULL) != EAF_OK)
        return 0;
    while (i < n && ok) {
        char c = expr[i];

        if (c == '"') {
            phrase_info p = {-1, 0.0, 0};
            char mark;
            int state = 0;

            eaf__buf_reset(&text);
            i = eaf__buf_put_fts_string(&text, expr, n, i);
            if (text.rc != EAF_OK) {
                ok = 0;
                break;
            }
            {
                /* "a" + "b" is one phrase (expand.c writes them) */
                int was_joined = joined;
                size_t j = i;
                while (j < n && expr[j] == ' ')
                    j++;
                joined = j < n && expr[j] == '+';
                if (joined)
                    i = j + 1;
                if (was_joined)
                    continue;
            }
            mark = text.n ? text.p[0] : 0;
            if (not_depth >= 0) {
                last_mark = 0; /* an exclusion: never scored */
            } else if (mark == EAF__FEEDBACK_TERM) {
                /* a term relevance feedback added: a word of its own, weak */
                p.group = groups++;
                p.weight = feedback_weight;
                if (text.n > 2 && (unsigned char)text.p[1] > EAF__FEEDBACK_WEIGHT0 &&
                    (unsigned char)text.p[1] <= EAF__FEEDBACK_WEIGHT0 + EAF__FEEDBACK_MAX)
                    p.weight = ((unsigned char)text.p[1] - EAF__FEEDBACK_WEIGHT0) /
                               EAF__FEEDBACK_STEPS;
                last_mark = mark;
            } else if ((mark == EAF__ALIAS_TERM || mark == EAF__RAW_TERM) && groups > 0 &&
                       (mark == EAF__ALIAS_TERM || last_mark == EAF__RAW_TERM)) {
                /* another form of the word before (a place's alias, or the
                 * next term of a capped prefix): the same group */
                p.group = groups - 1;
                p.weight = mark == EAF__ALIAS_TERM ? alias_weight : 1.0;
                last_mark = mark;
            } else {
                p.group = groups++;
                p.weight = 1.0;
                last_mark = mark;
                if (t && mark != EAF__RAW_TERM && text.n) {
                    eaf__tokenize(t, EAF__TOK_QUERY | EAF__TOK_NOSTEM, text.p, text.n,
                                  one_stopword, &state);
                    p.stopword = state == 1;
                }
            }
            if (nph == cap) {
                size_t nc = cap ? cap * 2 : 16;
                phrase_info *np = eaf__realloc(ph, nc * sizeof(*np));
                if (!np) {
                    ok = 0;
                    break;
                }
                ph = np;
                cap = nc;
            }
            ph[nph++] = p;
            if (p.group >= 0 && !p.stopword)
                scored++;
            continue;
        }
        if (c == '(') {
            depth++;
            if (pending_not && not_depth < 0)
                not_depth = depth;
            pending_not = 0;
        } else if (c == ')') {
            if (depth == not_depth)
                not_depth = -1;
            depth--;
        } else if (c == 'N' && i + 3 <= n && memcmp(expr + i, "NOT", 3) == 0) {
            pending_not = 1;
            i += 3;
            continue;
        }
        i++;
    }
    eaf__buf_free(&text);
    eaf__tokenizer_free(t);
    for (i = 0; ok && i < nph; i++) {
        /* stopwords count only when the query has nothing else */
        int g = ph[i].group >= 0 && (!ph[i].stopword || scored == 0) ? ph[i].group : -1;
        eaf__buf_printf(spec, "%s%d:%g", i ? " " : "", g, g >= 0 ? ph[i].weight : 0.0);
    }
    eaf__free(ph);
    return ok && spec->rc == EAF_OK;
}

/* ---- phrases without the word a gram implies ----------------------------- */

/* The word a quoted string holds when it is a synthetic token of a plain
 * word ([alias marker] EAF__SYNTH_TERM word), or the second word of a
 * gram ([alias marker] EAF__SYNTH_TERM EAF__SYNTH_GRAM a b); its length
 * into *n, *gram set for a gram.  NULL for anything else. */
static const char *synth_word(const char *text, size_t len, size_t *n, int *gram)
{
    const char *sp;

    if (len && text[0] == EAF__ALIAS_TERM) {
        text++;
        len--;
    }
    if (len < 2 || text[0] != EAF__SYNTH_TERM)
        return NULL;
    *gram = text[1] == EAF__SYNTH_GRAM;
    if (!*gram) {
        if (text[1] == EAF__SYNTH_FORM)
            return NULL;
        *n = len - 1;
        return text + 1;
    }
    sp = memchr(text, ' ', len);
    if (!sp)
        return NULL;
    *n = (size_t)(text + len - (sp + 1));
    return sp + 1;
}

eaf_status eaf__fts_shorten(char **out, const char *expr, int *sizes, size_t max)
{
    eaf__buf b = EAF__BUF_INIT, cur = EAF__BUF_INIT, prev = EAF__BUF_INIT;
    size_t n = strlen(expr), i = 0, nphrase = 0;
    int changed = 0, words = 0;
    size_t last_start = 0; /* in b: where the phrase's last " + " began */

    *out = NULL;
    memset(sizes, 0, max * sizeof(*sizes));
    while (i < n) {
        if (expr[i] != '"') {
            eaf__buf_putc(&b, expr[i++]);
            continue;
        }
        {
            size_t start = i, j;
            int joined;

            eaf__buf_reset(&cur);
            i = eaf__buf_put_fts_string(&cur, expr, n, i);
            for (j = i; j < n && expr[j] == ' '; j++)
                ;
            joined = j < n && expr[j] == '+';
            words++;
            if (!joined && words >= 2 && nphrase < max) {
                /* the phrase's last string: the word its gram implies? */
                size_t pn = 0, wn = 0;
                int pg = 0, wg = 0;
                const char *pw = synth_word(prev.p, prev.n, &pn, &pg);
                const char *w = synth_word(cur.p, cur.n, &wn, &wg);
                if (pw && w && pg && !wg && pn == wn && memcmp(pw, w, wn) == 0) {
                    b.n = last_start; /* drop " + " and the string */
                    if (b.p)
                        b.p[b.n] = '\0';
                    sizes[nphrase] = words;
                    changed = 1;
                    start = i; /* nothing of it is copied */
                }
            }
            if (start < i)
                eaf__buf_append(&b, expr + start, i - start);
            if (joined) {
                last_start = b.n;
                eaf__buf_append(&b, expr + i, j + 1 - i);
                i = j + 1;
                eaf__buf_reset(&prev);
                eaf__buf_append(&prev, cur.p ? cur.p : "", cur.n);
            } else {
                nphrase++;
                words = 0;
            }
        }
    }
    if (b.rc != EAF_OK || cur.rc != EAF_OK || prev.rc != EAF_OK) {
        eaf__buf_free(&b);
        eaf__buf_free(&cur);
        eaf__buf_free(&prev);
        return EAF_NOMEM;
    }
    eaf__buf_free(&cur);
    eaf__buf_free(&prev);
    if (changed)
        *out = eaf__buf_detach(&b);
    eaf__buf_free(&b);
    return EAF_OK;
}

/* ---- each phrase alone (shard.c: a set's statistics) --------------------- */

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] == ' ')
        i++;
    return i;
}

eaf_status eaf__fts_phrase_list(eaf__strvec *out, const char *expr)
{
    size_t n = strlen(expr), i = 0, cols = 0, cols_len = 0, near_cols = 0, near_len = 0;
    int in_near = 0;
    eaf__buf scratch = EAF__BUF_INIT;
    eaf_status st = EAF_OK;

    while (i < n && st == EAF_OK) {
        char c = expr[i];

        if (c == '{') {
            /* "{title body} : " before a phrase or a NEAR() */
            const char *close = strchr(expr + i, '}');
            size_t j;
            if (!close)
                break;
            j = skip_spaces(expr, n, (size_t)(close - expr) + 1);
            if (j < n && expr[j] == ':')
                j = skip_spaces(expr, n, j + 1);
            cols = i;
            cols_len = j - i;
            i = j;
            continue;
        }
        if (c == 'N' && strncmp(expr + i, "NEAR(", 5) == 0) {
            in_near = 1;
            near_cols = cols;
            near_len = cols_len;
            cols_len = 0;
            i += 5;
            continue;
        }
        if (c == '"') {
            size_t start = i, end;
            eaf__buf one = EAF__BUF_INIT;

            for (;;) { /* "a" + "b" is one phrase */
                eaf__buf_reset(&scratch);
                i = eaf__buf_put_fts_string(&scratch, expr, n, i);
                end = i;
                i = skip_spaces(expr, n, i);
                if (i < n && expr[i] == '+') {
                    i = skip_spaces(expr, n, i + 1);
                    if (i < n && expr[i] == '"')
                        continue;
                }
                break;
            }
            if (i < n && expr[i] == '*') /* a prefix */
                end = ++i;
            if (in_near && near_len)
                eaf__buf_append(&one, expr + near_cols, near_len);
            else if (cols_len)
                eaf__buf_append(&one, expr + cols, cols_len);
            eaf__buf_append(&one, expr + start, end - start);
            if (one.rc != EAF_OK || scratch.rc != EAF_OK) {
                eaf__buf_free(&one);
                st = EAF_NOMEM;
                break;
            }
            st = eaf__strvec_push(out, eaf__buf_detach(&one));
            if (!in_near)
                cols_len = 0;
            continue;
        }
        if (c == ')' && in_near) {
            in_near = 0;
            near_len = 0;
        }
        i++;
    }
    eaf__buf_free(&scratch);
    return st;
}
