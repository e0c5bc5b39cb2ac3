/*
 * snippet.c: the snippet function "eaf_snippet", an FTS5 auxiliary function.
 *
 *   eaf_snippet(fts, col, mark_open, mark_close, ellipsis, words,
 *               fragments, html)
 *
 * returns the text of column col of the current row cut down to at most
 * `words` tokens (1..256) in at most `fragments` pieces (1..10), with each
 * of the query's phrase instances in that column marked as one span
 * (mark_open before its first token, mark_close after its last; spans that
 * overlap or touch are merged).  Token offsets come from tokenizing the
 * column again with the table's own tokenizer, so stemmed forms are
 * marked; the Nth token is FTS5 position N-1.
 *
 * Choosing the fragments:
 *  - a text of at most `words` tokens is returned whole, without ellipsis;
 *  - a text with no match in the column gives its first `words` tokens;
 *  - otherwise windows of words/fragments tokens are chosen greedily over
 *    the instances: first the window showing the most distinct phrases,
 *    then, while fragments remain, the one adding the most phrases not yet
 *    shown (ties: a window not overlapping those already chosen, then the
 *    earliest).  The k windows chosen then share the whole budget (one
 *    window gets all of it; so does a set whose matches fit in one window
 *    together).  Each is placed so that its matches begin a little after
 *    its start, or at the start of their sentence if one is a few tokens
 *    before them, and moved back when it would run past the end of the
 *    text.  Windows that overlap or touch are merged.
 *
 * Text: the original bytes are copied, with each run of white space made
 * one space and none at either end of a fragment.  A fragment starts with
 * its first token (plus punctuation attached before it, such as an opening
 * quote) and ends after its last token plus punctuation attached after it
 * ("relations." keeps its full stop; "US-" does not keep the hyphen that
 * joins it to the next word).  Fragments are joined by the ellipsis, which
 * also comes before the first when it does not start the text and after
 * the last when it does not end it.  With html non-zero the text (not the
 * markers nor the ellipsis) has & < > " escaped.
 *
 * Cost: the instances are read once; the column is tokenized once, and
 * only as far as the last match plus one window; the choice of windows is
 * O(instances) per fragment.  This file is also part of the SQLite
 * extension, so it reaches SQLite only through the extension API.
 */
#include "fts.h"
#include "snippet.h"
#include "snippet_core.h"

#ifdef EAF_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void eaf__snippet_free(snippet *s)
{
    eaf__free(s->tok);
    eaf__free(s->inst);
    eaf__free(s->psize);
    eaf__free(s->count);
    eaf__free(s->shown);
    eaf__free(s->state);
    eaf__free(s->byend);
    eaf__free(s->span);
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ---- tokens -------------------------------------------------------------- */

static int collect_token(void *user, int tflags, const char *token, int ntoken,
                         int start, int end)
{
    snippet *s = user;

    (void)token;
    (void)ntoken;
    /* A colocated token shares its position with the previous one. */
    if ((tflags & FTS5_TOKEN_COLOCATED) && s->ntok > 0)
        return SQLITE_OK;
    /* Never trust offsets further than the text. */
    if (start < 0)
        start = 0;
    if (start > s->ntext)
        start = s->ntext;
    if (s->ntok > 0 && start < s->tok[s->ntok - 1].start)
        start = s->tok[s->ntok - 1].start;
    if (end > s->ntext)
        end = s->ntext;
    if (end < start)
        end = start;
    if (s->ntok == s->limit) {
        s->more = 1;
        s->next_start = start;
        return SQLITE_DONE; /* enough: stops the tokenizer */
    }
    if (s->ntok == s->cap) {
        int cap = s->cap == 0 ? 256 : s->cap > INT_MAX / 2 ? INT_MAX : s->cap * 2;
        tok_span *p;
        if (cap > s->limit)
            cap = s->limit;
        p = eaf__realloc(s->tok, (size_t)cap * sizeof(*p));
        if (!p)
            return SQLITE_NOMEM;
        s->tok = p;
        s->cap = cap;
    }
    s->tok[s->ntok].start = start;
    s->tok[s->ntok].end = end;
    s->ntok++;
    return SQLITE_OK;
}

/* Where the text after token t-1 ends: the start of token t. */
static int next_token_start(const snippet *s, int t)
{
    if (t < s->ntok)
        return s->tok[t].start;
    return s->more ? s->next_start : s->ntext;
}

/* ---- instances ----------------------------------------------------------- */

int eaf__snippet_cmp_instance(const void *a, const void *b)
{
    const instance *x = a, *y = b;

    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->last != y->last)
        return x->last < y->last ? -1 : 1;
    return x->phrase < y->phrase ? -1 : x->phrase > y->phrase;
}

/* Appends an instance (room for it was made); *sorted is cleared when it
 * comes before the one appended last. */
void eaf__snippet_put_instance(snippet *s, int phrase, int first, int last, int *sorted)
{
    instance *in = &s->inst[s->ninst++];

    in->phrase = phrase;
    in->first = first;
    in->last = last;
    in->cend = last;
    if (s->ninst > 1 && eaf__snippet_cmp_instance(in - 1, in) > 0)
        *sorted = 0;
}

static int cmp_end_key(const void *a, const void *b)
{
    const end_key *x = a, *y = b;

    if (x->cend != y->cend)
        return x->cend < y->cend ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Makes the per-phrase arrays for nphrase phrases. */
int eaf__snippet_make_phrases(snippet *s, int nphrase)
{
    s->nphrase = nphrase < 0 ? 0 : nphrase;
    s->psize = eaf__calloc((size_t)s->nphrase + 1, sizeof(int));
    s->count = eaf__calloc((size_t)s->nphrase + 1, sizeof(int));
    s->shown = eaf__calloc((size_t)s->nphrase + 1, 1);
    return s->psize && s->count && s->shown ? SQLITE_OK : SQLITE_NOMEM;
}

/* Reads the instances of the query's phrases in column col. */
static int load_instances(const Fts5ExtensionApi *api, Fts5Context *ctx,
                          snippet *s, int col)
{
    int rc, n = 0, i, sorted = 1;

    if (eaf__snippet_make_phrases(s, api->xPhraseCount(ctx)) != SQLITE_OK)
        return SQLITE_NOMEM;
    for (i = 0; i < s->nphrase; i++) {
        int size = api->xPhraseSize(ctx, i);
        s->psize[i] = size < 1 ? 1 : size;
    }
    rc = api->xInstCount(ctx, &n);
    if (rc != SQLITE_OK || n <= 0)
        return rc;
    s->inst = eaf__malloc((size_t)n * sizeof(instance));
    if (!s->inst)
        return SQLITE_NOMEM;
    for (i = 0; i < n; i++) {
        int ip = -1, ic = -1, io = -1;
        long long last;

        rc = api->xInst(ctx, i, &ip, &ic, &io);
        if (rc != SQLITE_OK)
            return rc;
        if (ic != col || io < 0 || ip < 0 || ip >= s->nphrase)
            continue;
        last = (long long)io + s->psize[ip] - 1;
        eaf__snippet_put_instance(s, ip, io,
                     last > INT_MAX - MAX_WORDS - 2 ? INT_MAX - MAX_WORDS - 2 : (int)last,
                     &sorted);
    }
    /* FTS5 reports them in order of position already. */
    if (!sorted)
        qsort(s->inst, (size_t)s->ninst, sizeof(instance), eaf__snippet_cmp_instance);
    return SQLITE_OK;
}

/* Drops or shortens instances past the tokens (a stale index). */
static void clip_instances(snippet *s)
{
    int i, k = 0;

    for (i = 0; i < s->ninst; i++) {
        instance in = s->inst[i];
        if (in.first >= s->ntok)
            continue;
        if (in.last >= s->ntok)
            in.last = s->ntok - 1;
        s->inst[k++] = in;
    }
    s->ninst = k;
}

/* ---- choosing the windows ------------------------------------------------ */

static void count_in(snippet *s, int i, int *distinct)
{
    int p = s->inst[i].phrase;

    if (!s->shown[p] && s->count[p]++ == 0)
        (*distinct)++;
}

static void count_out(snippet *s, int i, int *distinct)
{
    int p = s->inst[i].phrase;

    if (!s->shown[p] && --s->count[p] == 0)
        (*distinct)--;
}

/* Whether tokens [first, last] meet a window already chosen. */
static int overlaps_chosen(const snippet *s, long long first, long long last, int len)
{
    int k;

    for (k = 0; k < s->nwin; k++)
        if (first <= (long long)s->win[k].first + len - 1 && last >= s->win[k].first)
            return 1;
    return 0;
}

/* One round of the greedy choice: the window of len tokens (starting at an
 * instance) that shows the most phrases not yet shown.  Each instance is
 * in the windows starting from its clipped end - len + 1 to its first
 * token; the sweep adds instances in order of clipped end and removes them
 * in order of first token.  Returns 0 when no window adds a phrase. */
static int choose_one(snippet *s, int len)
{
    int i, ia = 0, ib = 0, distinct = 0;
    int best = -1, best_key = 0;

    memset(s->count, 0, (size_t)s->nphrase * sizeof(int));
    memset(s->state, 0, (size_t)s->ninst);
    for (i = 0; i < s->ninst; i++) {
        int st = s->inst[i].first, key;
        long long wend = (long long)st + len - 1;

        if (i > 0 && st == s->inst[i - 1].first)
            continue;
        while (ia < s->ninst && s->inst[ia].first < st) {
            if (s->state[ia] == 1)
                count_out(s, ia, &distinct);
            s->state[ia++] = 2;
        }
        while (ib < s->ninst && s->byend[ib].cend <= wend) {
            int j = s->byend[ib++].index;
            if (s->state[j] == 0) {
                s->state[j] = 1;
                count_in(s, j, &distinct);
            }
        }
        if (distinct == 0)
            continue;
        key = distinct * 2 + !overlaps_chosen(s, st, wend, len);
        if (key > best_key) {
            best_key = key;
            best = i;
        }
    }
    if (best < 0)
        return 0;
    {
        window *w = &s->win[s->nwin++];
        int st = s->inst[best].first;
        long long wend = (long long)st + len - 1;

        w->first = st;
        w->last = st;
        for (i = best; i < s->ninst && s->inst[i].first <= wend; i++) {
            if (s->inst[i].cend > wend)
                continue;
            if (s->inst[i].cend > w->last)
                w->last = s->inst[i].cend;
            s->shown[s->inst[i].phrase] = 1;
        }
    }
    return 1;
}

/* True if token t starts a sentence (or a line): the first token, or one
 * after a full stop, question or exclamation mark, or newline. */
static int sentence_start(const snippet *s, int t)
{
    const unsigned char *p = (const unsigned char *)s->text;
    int i, to;

    if (t == 0)
        return 1;
    to = s->tok[t].start;
    for (i = s->tok[t - 1].end; i < to; i++) {
        if (p[i] == '.' || p[i] == '!' || p[i] == '?' || p[i] == '\n')
            return 1;
        /* U+3002 ideographic full stop, U+FF01 and U+FF1F fullwidth ! ? */
        if (i + 3 <= to &&
            ((p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x82) ||
             (p[i] == 0xEF && p[i + 1] == 0xBC && (p[i + 2] == 0x81 || p[i + 2] == 0x9F))))
            return 1;
    }
    return 0;
}

/* Places window w of len tokens around its matches. */
static void place(const snippet *s, window *w, int len)
{
    int slack = len - (w->last - w->first + 1), back, t, start = -1;

    if (slack < 0)
        slack = 0;
    back = slack < SENTENCE_LOOKBACK ? slack : SENTENCE_LOOKBACK;
    for (t = w->first; t >= 0 && t >= w->first - back; t--) {
        if (sentence_start(s, t)) {
            start = t;
            break;
        }
    }
    if (start < 0) {
        int lead = slack / 2 < LEAD_TOKENS ? slack / 2 : LEAD_TOKENS;
        start = w->first - lead;
        if (start < 0)
            start = 0;
    }
    if ((long long)start + len > s->ntok) {
        start = s->ntok - len;
        if (start < 0)
            start = 0;
    }
    w->start = start;
    w->end = (long long)start + len > s->ntok ? s->ntok : start + len;
}

static int choose_windows(snippet *s, int words, int fragments)
{
    int len, i, k;

    if (s->ntok <= words && !s->more) {
        s->win[0].start = 0;
        s->win[0].end = s->ntok;
        s->nwin = 1;
        return SQLITE_OK;
    }
    if (s->ninst == 0) {
        s->win[0].start = 0;
        s->win[0].end = words < s->ntok ? words : s->ntok;
        s->nwin = 1;
        return SQLITE_OK;
    }
    if (fragments > words)
        fragments = words;
    len = words / fragments;
    s->state = eaf__malloc((size_t)s->ninst);
    s->byend = eaf__malloc((size_t)s->ninst * sizeof(end_key));
    if (!s->state || !s->byend)
        return SQLITE_NOMEM;
    for (i = 0; i < s->ninst; i++) {
        instance *in = &s->inst[i];
        in->cend = in->last - in->first + 1 > len ? in->first + len - 1 : in->last;
        s->byend[i].cend = in->cend;
        s->byend[i].index = i;
    }
    qsort(s->byend, (size_t)s->ninst, sizeof(end_key), cmp_end_key);
    while (s->nwin < fragments && choose_one(s, len))
        ;
    /* cannot happen (every instance shows a phrase), but be safe */
    if (s->nwin == 0) {
        s->win[0].first = s->win[0].last = s->inst[0].first;
        s->nwin = 1;
    }
    /* in text order */
    for (i = 1; i < s->nwin; i++) {
        window w = s->win[i];
        for (k = i; k > 0 && s->win[k - 1].first > w.first; k--)
            s->win[k] = s->win[k - 1];
        s->win[k] = w;
    }
    {
        int first = s->win[0].first, last = s->win[0].last;
        for (i = 1; i < s->nwin; i++)
            if (s->win[i].last > last)
                last = s->win[i].last;
        if (s->nwin == 1 || last - first + 1 <= words) {
            s->win[0].first = first;
            s->win[0].last = last;
            s->nwin = 1;
        }
    }
    for (i = 0; i < s->nwin; i++)
        place(s, &s->win[i], words / s->nwin + (i < words % s->nwin));
    for (i = 1; i < s->nwin; i++) {
        window w = s->win[i];
        for (k = i; k > 0 && s->win[k - 1].start > w.start; k--)
            s->win[k] = s->win[k - 1];
        s->win[k] = w;
    }
    for (i = 1, k = 0; i < s->nwin; i++) {
        if (s->win[i].start <= s->win[k].end) {
            if (s->win[i].end > s->win[k].end)
                s->win[k].end = s->win[i].end;
        } else {
            s->win[++k] = s->win[i];
        }
    }
    s->nwin = k + 1;
    return SQLITE_OK;
}

/* ---- spans --------------------------------------------------------------- */

static int make_spans(snippet *s)
{
    int i;

    if (s->ninst == 0)
        return SQLITE_OK;
    s->span = eaf__malloc((size_t)s->ninst * sizeof(tok_span));
    if (!s->span)
        return SQLITE_NOMEM;
    for (i = 0; i < s->ninst; i++) {
        int start = s->tok[s->inst[i].first].start;
        int end = s->tok[s->inst[i].last].end;
        if (end < start)
            end = start;
        if (s->nspan > 0 && start <= s->span[s->nspan - 1].end) {
            if (end > s->span[s->nspan - 1].end)
                s->span[s->nspan - 1].end = end;
        } else {
            s->span[s->nspan].start = start;
            s->span[s->nspan].end = end;
            s->nspan++;
        }
    }
    return SQLITE_OK;
}

/* ---- output -------------------------------------------------------------- */

static void put_pending(out *o)
{
    if (o->space) {
        eaf__buf_putc(&o->b, ' ');
        o->space = 0;
    }
}

/* Copies text[from, to), collapsing white space and escaping for HTML. */
static void put_text(out *o, const char *text, int from, int to)
{
    int i = from;

    while (i < to) {
        int j = i;

        if (is_space((unsigned char)text[i])) {
            while (i < to && is_space((unsigned char)text[i]))
                i++;
            if (o->any)
                o->space = 1;
            continue;
        }
        while (j < to && !is_space((unsigned char)text[j]))
            j++;
        put_pending(o);
        o->any = 1;
        if (o->html)
            eaf__buf_put_html(&o->b, text + i, (size_t)(j - i));
        else
            eaf__buf_append(&o->b, text + i, (size_t)(j - i));
        i = j;
    }
}

/* Punctuation that closes what comes before it, kept at a fragment's end
 * even when the next word follows without a space. */
static int closing_len(const char *text, int i, int to)
{
    const unsigned char *p = (const unsigned char *)text + i;
    size_t len = 0;
    int32_t c;

    if (i >= to)
        return 0;
    if (p[0] < 0x80)
        return p[0] != 0 && strchr(".,;:!?)]}\"'", p[0]) != NULL;
    c = eaf__utf8_decode(p, (size_t)(to - i), &len);
    switch (c) {
    case 0x2019: case 0x201D: case 0x2026: case 0x3001: case 0x3002:
    case 0x300D: case 0x300F: case 0xFF01: case 0xFF09: case 0xFF0C:
    case 0xFF1F:
        return (int)len;
    default:
        return 0;
    }
}

/* Where a fragment of tokens [ts, te) begins and ends in the text. */
static void fragment_bytes(const snippet *s, int ts, int te, int *from, int *to)
{
    const char *text = s->text;
    int p, prev, e, next;

    if (ts == 0 || ts >= s->ntok) {
        *from = 0;
    } else {
        /* punctuation before the token, if white space comes before it */
        prev = s->tok[ts - 1].end;
        p = s->tok[ts].start;
        while (p > prev && !is_space((unsigned char)text[p - 1]))
            p--;
        *from = p > prev ? p : s->tok[ts].start;
    }
    if (te >= s->ntok && !s->more) {
        *to = s->ntext;
    } else if (te <= ts) {
        *to = *from;
    } else {
        /* punctuation after the token, up to white space */
        e = s->tok[te - 1].end;
        next = next_token_start(s, te);
        p = e;
        while (p < next && !is_space((unsigned char)text[p]))
            p++;
        if (p == next) {
            /* it runs into the next word: keep closing marks only */
            int n;
            p = e;
            while ((n = closing_len(text, p, next)) > 0)
                p += n;
        }
        *to = p;
    }
    if (*to < *from)
        *to = *from;
}

static void put_fragment(out *o, const snippet *s, const window *w, int *sp,
                         const char *mark_open, const char *mark_close)
{
    int from, to, cs, ce, cur, k;

    fragment_bytes(s, w->start, w->end, &from, &to);
    o->any = 0;
    o->space = 0;
    cur = from;
    if (w->end > w->start) {
        cs = s->tok[w->start].start;
        ce = s->tok[w->end - 1].end;
        while (*sp < s->nspan && s->span[*sp].end <= cs)
            (*sp)++;
        for (k = *sp; k < s->nspan && s->span[k].start < ce; k++) {
            int a = s->span[k].start < cs ? cs : s->span[k].start;
            int z = s->span[k].end > ce ? ce : s->span[k].end;
            if (a < cur || z > to || z <= a)
                continue;
            put_text(o, s->text, cur, a);
            put_pending(o);
            eaf__buf_puts(&o->b, mark_open);
            o->any = 1;
            put_text(o, s->text, a, z);
            eaf__buf_puts(&o->b, mark_close);
            cur = z;
        }
    }
    put_text(o, s->text, cur, to);
}

static void put_snippet(out *o, const snippet *s, const char *mark_open,
                        const char *mark_close, const char *ellipsis)
{
    int i, sp = 0;

    for (i = 0; i < s->nwin; i++) {
        if (i > 0 || s->win[i].start > 0)
            eaf__buf_puts(&o->b, ellipsis);
        put_fragment(o, s, &s->win[i], &sp, mark_open, mark_close);
    }
    if (s->nwin > 0 && (s->win[s->nwin - 1].end < s->ntok || s->more))
        eaf__buf_puts(&o->b, ellipsis);
}

/* From the instances and the tokens collected: the windows, the spans and
 * the text, into o.  Returns an SQLite code. */
int eaf__snippet_render(snippet *s, int words, int fragments, const char *mark_open,
                        const char *mark_close, const char *ellipsis, out *o)
{
    int rc;

    clip_instances(s);
    rc = choose_windows(s, words, fragments);
    if (rc == SQLITE_OK)
        rc = make_spans(s);
    if (rc == SQLITE_OK) {
        put_snippet(o, s, mark_open, mark_close, ellipsis);
        if (o->b.rc != EAF_OK)
            rc = SQLITE_NOMEM;
    }
    return rc;
}

/* How many tokens a text's snippet needs: up to the last match plus the
 * budget; one token more tells whether the text goes on. */
int eaf__snippet_token_limit(const snippet *s, int words)
{
    long long limit = 0;
    int i;

    for (i = 0; i < s->ninst; i++)
        if ((long long)s->inst[i].last + 1 > limit)
            limit = (long long)s->inst[i].last + 1;
    limit += words + 1;
    return limit > INT_MAX ? INT_MAX : (int)limit;
}

/* ---- the function -------------------------------------------------------- */

static const char *text_arg(int nval, sqlite3_value **vals, int i, const char *dflt)
{
    const char *v;

    if (i >= nval)
        return dflt;
    v = (const char *)sqlite3_value_text(vals[i]);
    return v ? v : "";
}

static int int_arg(int nval, sqlite3_value **vals, int i, int dflt, int lo, int hi)
{
    sqlite3_int64 v;

    if (i >= nval)
        return dflt;
    v = sqlite3_value_int64(vals[i]);
    return v < lo ? lo : v > hi ? hi : (int)v;
}

static void snippet_function(const Fts5ExtensionApi *api, Fts5Context *ctx,
                             sqlite3_context *result, int nval,
                             sqlite3_value **vals)
{
    snippet s;
    out o;
    const char *mark_open, *mark_close, *ellipsis;
    int col, words, fragments, rc;

    if (nval < 1 || nval > 7) {
        sqlite3_result_error(result,
                             "wrong number of arguments to function " EAF__SNIPPET_FUNCTION "()",
                             -1);
        return;
    }
    memset(&s, 0, sizeof(s));
    memset(&o, 0, sizeof(o));
    col = sqlite3_value_int(vals[0]);
    mark_open = text_arg(nval, vals, 1, "[");
    mark_close = text_arg(nval, vals, 2, "]");
    ellipsis = text_arg(nval, vals, 3, "...");
    words = int_arg(nval, vals, 4, DEFAULT_WORDS, MIN_WORDS, MAX_WORDS);
    fragments = int_arg(nval, vals, 5, DEFAULT_FRAGMENTS, MIN_FRAGMENTS, MAX_FRAGMENTS);
    o.html = nval > 6 && sqlite3_value_int(vals[6]) != 0;

    /* FTS5 before 3.45 does not check the column itself (3.40 returns
     * the rowid for -1). */
    if (col < 0 || col >= api->xColumnCount(ctx)) {
        sqlite3_result_error_code(result, SQLITE_RANGE);
        return;
    }
    rc = api->xColumnText(ctx, col, &s.text, &s.ntext);
    if (rc == SQLITE_OK && (!s.text || s.ntext <= 0)) {
        sqlite3_result_text(result, "", 0, SQLITE_STATIC);
        return;
    }
    if (rc == SQLITE_OK)
        rc = load_instances(api, ctx, &s, col);
    if (rc == SQLITE_OK) {
        /* no window reaches further than the last match plus the budget */
        s.limit = eaf__snippet_token_limit(&s, words);
        rc = api->xTokenize(ctx, s.text, s.ntext, &s, collect_token);
        if (rc == SQLITE_DONE && s.more)
            rc = SQLITE_OK;
    }
    if (rc == SQLITE_OK)
        rc = eaf__snippet_render(&s, words, fragments, mark_open, mark_close, ellipsis, &o);
    eaf__snippet_free(&s);
    if (rc != SQLITE_OK) {
        eaf__buf_free(&o.b);
        sqlite3_result_error_code(result, rc);
        return;
    }
    if (o.b.n == 0) {
        eaf__buf_free(&o.b);
        sqlite3_result_text(result, "", 0, SQLITE_STATIC);
        return;
    }
    {
        size_t n = o.b.n;
        char *p = eaf__buf_detach(&o.b);
        if (!p || n > INT_MAX) {
            eaf__free(p);
            sqlite3_result_error_code(result, p ? SQLITE_TOOBIG : SQLITE_NOMEM);
            return;
        }
        sqlite3_result_text(result, p, (int)n, eaf__free);
    }
}

int eaf__snippet_register(fts5_api *api)
{
    return api->xCreateFunction(api, EAF__SNIPPET_FUNCTION, NULL, snippet_function, NULL);
}

