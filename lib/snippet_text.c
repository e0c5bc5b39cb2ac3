/*
 * snippet_text.c: the snippets of a search made without FTS5, from the
 * phrases of the query's expression and the column's text tokenized
 * again (the choice of fragments and the text are snippet.c's).
 */
#include "fts.h"
#include "snippet.h"
#include "snippet_core.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- snippets without FTS5 ----------------------------------------------- */

/*
 * Through FTS5 a snippet costs a query of its own: the expression parsed
 * again and every phrase's document list searched for the row, most of a
 * snippet's time when a query has several words or a place's other
 * forms.  The same instances are found by tokenizing the column as the
 * index did (stemmed) and comparing its tokens with the phrases', which
 * the expression's strings give when tokenized as FTS5 tokenizes them
 * (query mode, prefix mode before '*'): FTS5 reports every instance in
 * the row of every phrase, in whatever branch of the expression, except
 * where a NEAR group or a column filter leaves some out.  So expressions
 * with either (or anything else this reader does not know) are left to
 * FTS5, and the rest give the same snippets both ways (tests/unit/
 * test_snippet_same.c compares them).
 */
struct eaf__snippet_query {
    int nphrase;
    int *first;              /* per phrase + 1: its first token in off/len */
    unsigned char *prefix;   /* per phrase: its last token is a prefix */
    int *off, *len;          /* per token: where it is in text */
    int ntok, cap;
    eaf__buf text;           /* the tokens, one after another */
    /* for EAF__TOK_FILTER: the tokens' first bytes, the shortest's length */
    unsigned char first_byte[256];
    size_t min_len;
};

void eaf__snippet_query_free(eaf__snippet_query *q)
{
    if (!q)
        return;
    eaf__free(q->first);
    eaf__free(q->prefix);
    eaf__free(q->off);
    eaf__free(q->len);
    eaf__buf_free(&q->text);
    eaf__free(q);
}

static int keep_query_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    eaf__snippet_query *q = ctx;

    (void)start;
    (void)end;
    if (eaf__token_is_synthetic(tok, (size_t)ntok)) {
        /* what the column's tokens hold where a synthetic token stands
         * (expand.c): a gram "a b" stands at a; a place form's token for
         * word i at the i-th of its words */
        const char *p = tok + 1, *last = tok + ntok, *sp;
        int word = 1;

        if (tok[0] == EAF__SYNTH_FORM && p < last) {
            word = *p - '0';
            p++;
        }
        for (; word > 1 && p < last; word--) {
            sp = memchr(p, ' ', (size_t)(last - p));
            p = sp ? sp + 1 : last;
        }
        sp = memchr(p, ' ', (size_t)(last - p));
        tok = p;
        ntok = (int)((sp ? sp : last) - p);
        if (ntok <= 0)
            return 0;
    }
    if (q->ntok == q->cap) {
        int cap = q->cap ? q->cap * 2 : 16;
        int *off = eaf__realloc(q->off, (size_t)cap * sizeof(int)), *len;
        if (off)
            q->off = off;
        len = off ? eaf__realloc(q->len, (size_t)cap * sizeof(int)) : NULL;
        if (!len)
            return -1;
        q->len = len;
        q->cap = cap;
    }
    q->off[q->ntok] = (int)q->text.n;
    q->len[q->ntok] = ntok;
    eaf__buf_append(&q->text, tok, (size_t)ntok);
    if (q->text.rc != EAF_OK)
        return -1;
    q->ntok++;
    q->first_byte[(unsigned char)tok[0]] = 1;
    if ((size_t)ntok < q->min_len)
        q->min_len = (size_t)ntok;
    return 0;
}

/* Is expr[i..] the operator word op, standing alone? */
static int is_operator(const char *expr, size_t n, size_t i, const char *op)
{
    size_t k = strlen(op);
    char c;

    if (i + k > n || memcmp(expr + i, op, k) != 0)
        return 0;
    c = i + k < n ? expr[i + k] : ' ';
    return c == ' ' || c == '(' || c == '"';
}

eaf_status eaf__snippet_query_new(eaf__snippet_query **made, const char *expr,
                                  eaf__tokenizer *t)
{
    eaf__snippet_query *q;
    eaf__buf str = EAF__BUF_INIT;
    size_t i = 0, n = strlen(expr);
    int pcap = 0, joined = 0;
    eaf_status st = EAF_OK;

    *made = NULL;
    q = eaf__calloc(1, sizeof(*q));
    if (!q)
        return EAF_NOMEM;
    q->min_len = (size_t)-1;
    while (i < n && st == EAF_OK && q) {
        char c = expr[i];
        int prefix = 0;

        if (c == ' ' || c == '(' || c == ')') {
            i++;
            continue;
        }
        if (is_operator(expr, n, i, "AND") || is_operator(expr, n, i, "NOT")) {
            i += 3;
            continue;
        }
        if (is_operator(expr, n, i, "OR")) {
            i += 2;
            continue;
        }
        if (c != '"') {
            /* NEAR, a column filter, or what this reader does not know */
            eaf__snippet_query_free(q);
            q = NULL;
            break;
        }
        eaf__buf_reset(&str);
        i = eaf__buf_put_fts_string(&str, expr, n, i);
        while (i < n && expr[i] == ' ')
            i++;
        if (i < n && expr[i] == '*') {
            prefix = 1;
            i++;
        }
        if (joined) {
            /* "a" + "b": the next token of the phrase before */
            joined = i < n && expr[i] == '+';
            if (joined)
                i++;
            if (str.rc != EAF_OK) {
                st = EAF_NOMEM;
                break;
            }
            if (str.n > 0 && eaf__tokenize(t, EAF__TOK_QUERY, str.p, str.n, keep_query_token,
                                           q) != 0)
                st = EAF_NOMEM;
            q->first[q->nphrase] = q->ntok;
            continue;
        }
        joined = !prefix && i < n && expr[i] == '+';
        if (joined)
            i++;
        if (q->nphrase + 1 >= pcap) {
            int cap = pcap ? pcap * 2 : 8;
            int *first = eaf__realloc(q->first, (size_t)cap * sizeof(int));
            unsigned char *pre;
            if (first)
                q->first = first;
            pre = first ? eaf__realloc(q->prefix, (size_t)cap) : NULL;
            if (!pre) {
                st = EAF_NOMEM;
                break;
            }
            q->prefix = pre;
            pcap = cap;
        }
        if (str.rc != EAF_OK) {
            st = EAF_NOMEM;
            break;
        }
        q->first[q->nphrase] = q->ntok;
        q->prefix[q->nphrase] = (unsigned char)prefix;
        if (str.n > 0 &&
            eaf__tokenize(t, EAF__TOK_QUERY | (prefix ? EAF__TOK_PREFIX : 0), str.p, str.n,
                          keep_query_token, q) != 0)
            st = EAF_NOMEM;
        q->nphrase++;
        q->first[q->nphrase] = q->ntok;
    }
    eaf__buf_free(&str);
    if (st != EAF_OK) {
        eaf__snippet_query_free(q);
        return st;
    }
    *made = q;
    return EAF_OK;
}

/* The tokens of a text as the index has them: spans and words. */
typedef struct doc_word {
    int off, len;            /* in text; len -1: left out by the filter */
} doc_word;

/* Where the tokens may stop (early_stop()), for a query of EARLY_PHRASES
 * phrases at most, looked at every EARLY_EVERY tokens. */
#define EARLY_PHRASES 16
#define EARLY_EVERY 64

typedef struct doc_tokens {
    tok_span *span;
    doc_word *word;
    int n, cap;
    eaf__buf text;
    /* early_stop(): the query, the window and words of the snippet, the
     * tokens looked at so far, each phrase's last instance (first token
     * -1: none yet; its end clipped to the window), the longest phrase,
     * and the tokens enough (0: not known yet; -1: never known) */
    const eaf__snippet_query *q;
    int len, words, scanned, maxsize, stop_at;
    int first[EARLY_PHRASES], cend[EARLY_PHRASES];
} doc_tokens;

/* Phrase p's size in tokens (at least 1). */
static int phrase_size(const eaf__snippet_query *q, int p)
{
    int size = q->first[p + 1] - q->first[p];

    return size < 1 ? 1 : size;
}

/* May a phrase start at token at of d?  Not at a word the filter left
 * out, nor at one whose first byte no phrase starts with. */
static int may_start(const eaf__snippet_query *q, const doc_tokens *d, int at)
{
    return d->word[at].len >= 0 && q->first_byte[(unsigned char)d->text.p[d->word[at].off]];
}

static int phrase_at(const eaf__snippet_query *q, int p, const doc_tokens *d, int at);

/*
 * A snippet shows the earliest window of len tokens (a third of its words:
 * choose_one() in snippet.c) that holds the most phrases, and the words
 * around it.  Once the tokens hold a window that starts at an instance,
 * st, and holds an instance of every phrase, no later window can beat it,
 * and every window that starts at st or before ends, with its instances,
 * before st + len + the longest phrase; the snippet then shows at most
 * `words` tokens from st on, and one more tells that the text goes on.  So
 * tokenizing may stop there, and the snippet of those tokens is the whole
 * text's, to the byte (a long section of a common word: from its first
 * instance on).  Returns d->stop_at as it is now.
 */
static int early_stop(doc_tokens *d)
{
    const eaf__snippet_query *q = d->q;
    int at, p, g, lo, hi;

    for (at = d->scanned; at + d->maxsize <= d->n; at++) {
        if (!may_start(q, d, at))
            continue;
        for (p = 0; p < q->nphrase; p++) {
            int size = phrase_size(q, p);
            if (!phrase_at(q, p, d, at))
                continue;
            d->first[p] = at;
            d->cend[p] = at + (size < d->len ? size : d->len) - 1;
            lo = at;
            hi = d->cend[p];
            for (g = 0; g < q->nphrase && d->first[g] >= 0; g++) {
                if (d->first[g] < lo)
                    lo = d->first[g];
                if (d->cend[g] > hi)
                    hi = d->cend[g];
            }
            if (g == q->nphrase && hi - lo <= d->len - 1) {
                d->stop_at = lo + d->len + d->maxsize + d->words + 2;
                return d->stop_at;
            }
        }
    }
    d->scanned = at;
    return 0;
}

static int keep_doc_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    doc_tokens *d = ctx;

    if (d->stop_at > 0 && d->n >= d->stop_at)
        return 1; /* enough (early_stop()) */
    if (d->stop_at == 0 && d->n > 0 && d->n % EARLY_EVERY == 0 && early_stop(d) > 0 &&
        d->n >= d->stop_at)
        return 1;

    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 256;
        tok_span *sp = eaf__realloc(d->span, (size_t)cap * sizeof(*sp));
        doc_word *w;
        if (sp)
            d->span = sp;
        w = sp ? eaf__realloc(d->word, (size_t)cap * sizeof(*w)) : NULL;
        if (!w)
            return -1;
        d->word = w;
        d->cap = cap;
    }
    d->span[d->n].start = start;
    d->span[d->n].end = end;
    d->word[d->n].off = (int)d->text.n;
    d->word[d->n].len = tok ? ntok : -1;
    d->n++;
    if (!tok)
        return 0; /* a word the filter left unstemmed: it matches no phrase */
    eaf__buf_append(&d->text, tok, (size_t)ntok);
    return d->text.rc == EAF_OK ? 0 : -1;
}

/* Does phrase p of q start at token at of d? */
static int phrase_at(const eaf__snippet_query *q, int p, const doc_tokens *d, int at)
{
    int k, first = q->first[p], last = q->first[p + 1] - 1;

    if (last < first || at + (last - first) >= d->n)
        return 0;
    for (k = first; k <= last; k++) {
        int dl = d->word[at + k - first].len, ql = q->len[k];
        const char *dw = d->text.p + d->word[at + k - first].off, *qw = q->text.p + q->off[k];
        if (k == last && q->prefix[p] ? dl < ql : dl != ql)
            return 0;
        if (memcmp(dw, qw, (size_t)ql) != 0)
            return 0;
    }
    return 1;
}

/* Finds the instances of q's phrases among d's tokens, in s. */
static int find_instances(snippet *s, const eaf__snippet_query *q, const doc_tokens *d)
{
    int at, p, cap = 0, sorted = 1;

    if (eaf__snippet_make_phrases(s, q->nphrase) != SQLITE_OK)
        return SQLITE_NOMEM;
    for (p = 0; p < q->nphrase; p++)
        s->psize[p] = phrase_size(q, p);
    for (at = 0; at < d->n; at++) {
        if (!may_start(q, d, at))
            continue;
        for (p = 0; p < q->nphrase; p++) {
            if (!phrase_at(q, p, d, at))
                continue;
            if (s->ninst == cap) {
                int nc = cap ? cap * 2 : 16;
                instance *ni = eaf__realloc(s->inst, (size_t)nc * sizeof(*ni));
                if (!ni)
                    return SQLITE_NOMEM;
                s->inst = ni;
                cap = nc;
            }
            eaf__snippet_put_instance(s, p, at, at + s->psize[p] - 1, &sorted);
        }
    }
    if (!sorted)
        qsort(s->inst, (size_t)s->ninst, sizeof(instance), eaf__snippet_cmp_instance);
    return SQLITE_OK;
}

eaf_status eaf__snippet_make(char **made, const char *text, size_t ntext,
                             const eaf__snippet_query *q, eaf__tokenizer *t,
                             const eaf__snippet_options *o)
{
    snippet s;
    doc_tokens d;
    out ob;
    int rc = SQLITE_OK, i;
    int words = o->words < MIN_WORDS ? MIN_WORDS : o->words > MAX_WORDS ? MAX_WORDS : o->words;
    int fragments = o->fragments < MIN_FRAGMENTS   ? MIN_FRAGMENTS
                    : o->fragments > MAX_FRAGMENTS ? MAX_FRAGMENTS
                                                   : o->fragments;

    *made = NULL;
    if (ntext > INT_MAX)
        return EAF_ERROR;
    memset(&s, 0, sizeof(s));
    memset(&d, 0, sizeof(d));
    memset(&ob, 0, sizeof(ob));
    ob.html = o->html;
    s.text = text;
    s.ntext = (int)ntext;
    /* tokens enough for the snippet (early_stop()), when it can tell */
    d.q = q;
    d.stop_at = q->nphrase > 0 && q->nphrase <= EARLY_PHRASES ? 0 : -1;
    d.words = words;
    d.len = words / (fragments > words ? words : fragments);
    d.maxsize = 1;
    for (i = 0; i < q->nphrase && d.stop_at == 0; i++) {
        if (phrase_size(q, i) > d.maxsize)
            d.maxsize = phrase_size(q, i);
        d.first[i] = -1;
    }
    /* only the words that could stem to a phrase's are stemmed */
    if (ntext > 0 &&
        eaf__tokenize(t, eaf__tokenizer_filter(t, q->first_byte, q->min_len)
                             ? EAF__TOK_DOC | EAF__TOK_FILTER : EAF__TOK_DOC,
                      text, ntext, keep_doc_token, &d) < 0)
        rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK)
        rc = find_instances(&s, q, &d);
    if (rc == SQLITE_OK) {
        /* the tokens a snippet needs, as collect_token takes them from
         * FTS5 (whose checks of the offsets hold here already) */
        int limit = eaf__snippet_token_limit(&s, words);
        s.tok = d.span;
        s.cap = d.cap;
        d.span = NULL;
        s.ntok = d.n < limit ? d.n : limit;
        if (d.n > limit) {
            s.more = 1;
            s.next_start = s.tok[limit].start;
        }
        for (i = 0; i < s.ntok; i++) {
            if (s.tok[i].start < 0 || s.tok[i].start > s.ntext ||
                (i > 0 && s.tok[i].start < s.tok[i - 1].start) || s.tok[i].end > s.ntext ||
                s.tok[i].end < s.tok[i].start)
                rc = SQLITE_CORRUPT; /* cannot happen: the tokenizer's own offsets */
        }
    }
    if (rc == SQLITE_OK && ntext > 0)
        rc = eaf__snippet_render(&s, words, fragments, o->mark_open, o->mark_close, o->ellipsis, &ob);
    eaf__snippet_free(&s);
    eaf__free(d.span);
    eaf__free(d.word);
    eaf__buf_free(&d.text);
    if (rc != SQLITE_OK) {
        eaf__buf_free(&ob.b);
        return rc == SQLITE_NOMEM ? EAF_NOMEM : EAF_ERROR;
    }
    *made = ob.b.n ? eaf__buf_detach(&ob.b) : eaf__strdup("");
    eaf__buf_free(&ob.b);
    return *made ? EAF_OK : EAF_NOMEM;
}
