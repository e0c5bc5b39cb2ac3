/*
 * suggest_word.c: the spelling of one word (suggest.c says how it works):
 * edit distances over code points, the candidates within them, and the
 * confirmation of a candidate by the articles that write it.
 */
#include "suggest_ctx.h"
#include "lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- code points and distances ------------------------------------------ */

/* Code points of s[0..n); returns the count, or -1 if invalid or too long
 * to correct. */
static int decode(const char *s, size_t n, int32_t *out)
{
    size_t i = 0, len;
    int k = 0;

    while (i < n) {
        int32_t c = eaf__utf8_decode((const unsigned char *)s + i, n - i, &len);
        if (c < 0 || k >= MAX_WORD)
            return -1;
        out[k++] = c;
        i += len;
    }
    return k;
}

/* UTF-8 of cp[0..n) into out (4 * MAX_WORD + 1 bytes), NUL-terminated;
 * returns the byte count. */
static size_t encode(const int32_t *cp, int n, char *out)
{
    size_t k = 0;
    int i;

    for (i = 0; i < n; i++)
        k += eaf__utf8_encode(cp[i], out + k);
    out[k] = '\0';
    return k;
}

static int has_letter(const int32_t *cp, int n)
{
    int i;

    for (i = 0; i < n; i++)
        if (!(cp[i] >= '0' && cp[i] <= '9') && cp[i] != '.' && cp[i] != ',')
            return 1;
    return 0;
}

/* The greatest distance allowed for a word of n code points. */
int eaf__sugg_max_distance(int n)
{
    return n <= 5 ? 1 : 2;
}

/* The optimal string alignment table of a against b, row by row:
 * d[i][j] is the distance of a[0..i) to b[0..j).  Returns the last row
 * filled: na, or the first row whose every cell is above max (then no
 * later row has a cell within max). */
static int osa_rows(int d[MAX_WORD + 1][MAX_WORD + 1], const int32_t *a, int na,
                    const int32_t *b, int nb, int max)
{
    int i, j;

    for (j = 0; j <= nb; j++)
        d[0][j] = j;
    for (i = 1; i <= na; i++) {
        int row_min;

        d[i][0] = i;
        row_min = i;
        for (j = 1; j <= nb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > max)
            return i;
    }
    return na;
}

/* The distance of a to b, or max + 1 when above max (three rows of the
 * table of osa_rows()). */
int eaf__sugg_distance(const int32_t *a, int na, const int32_t *b, int nb, int max)
{
    int rows[3][MAX_WORD + 1], i, j;

    if (na - nb > max || nb - na > max || na > MAX_WORD || nb > MAX_WORD)
        return max + 1;
    for (j = 0; j <= nb; j++)
        rows[0][j] = j;
    for (i = 1; i <= na; i++) {
        int *d = rows[i % 3], *up = rows[(i + 2) % 3], *up2 = rows[(i + 1) % 3];
        int row_min = i;

        d[0] = i;
        for (j = 1; j <= nb; j++) {
            int v = up[j] + 1;
            if (d[j - 1] + 1 < v)
                v = d[j - 1] + 1;
            if (up[j - 1] + (a[i - 1] != b[j - 1]) < v)
                v = up[j - 1] + (a[i - 1] != b[j - 1]);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                up2[j - 2] + 1 < v)
                v = up2[j - 2] + 1;
            d[j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > max)
            return max + 1;
    }
    return rows[na % 3][nb] > max ? max + 1 : rows[na % 3][nb];
}

/* ---- candidates ----------------------------------------------------------- */

/* Adds the spelling at pool offset form as a candidate. */
static int add_cand(ctx *c, size_t form, size_t stem_i, int d)
{
    void *p = eaf__sugg_grow(c, c->cands, c->ncands, &c->capcands, sizeof(*c->cands));

    if (!p)
        return -1;
    c->cands = p;
    c->cands[c->ncands].form = form;
    c->cands[c->ncands].stem = stem_i;
    c->cands[c->ncands].d = d;
    c->ncands++;
    return 0;
}

/* The same, for a spelling not in the pool yet. */
static int add_new_cand(ctx *c, const char *form, size_t n, size_t stem_i, int d)
{
    size_t at = eaf__sugg_pool_add(c, form, n);

    return at == NONE ? -1 : add_cand(c, at, stem_i, d);
}

/* A string near the typed word: a candidate if its stem is in the index
 * (looked up afterwards, by lookup_pending()). */
static int try_edit(ctx *c, const int32_t *w, int n, const int32_t *e, int ne, int max)
{
    char buf[4 * MAX_WORD + 1];
    size_t len, si;
    one_token o;
    int d, rc;

    if (ne < 1 || !has_letter(e, ne))
        return 0;
    len = encode(e, ne, buf);
    rc = eaf__sugg_one_word(c, EAF__TOK_QUERY, buf, len, &o);
    if (rc <= 0)
        return rc;
    si = eaf__sugg_stem_get(c, o.text, (size_t)o.n);
    if (si == NONE)
        return -1;
    if (c->stems[si].df == 0) /* looked up before: in no article */
        return 0;
    d = eaf__sugg_distance(w, n, e, ne, max);
    if (d == 0 || d > max)
        return 0;
    return add_new_cand(c, buf, len, si, d);
}

/* Looks up every stem not looked up yet, in one statement (a statement
 * per stem would open the vocabulary's cursor each time, which costs
 * more than the look-up), then drops the candidates whose stem is in no
 * article. */
static int lookup_pending(ctx *c)
{
    eaf__buf json = EAF__BUF_INIT;
    size_t i, k, n = 0;
    int rc;

    eaf__buf_putc(&json, '[');
    for (i = 0; i < c->nstems; i++) {
        const unsigned char *p = (const unsigned char *)STR(c, c->stems[i].text);

        if (c->stems[i].df >= 0)
            continue;
        eaf__buf_puts(&json, n++ ? ",\"" : "\"");
        for (; *p; p++) {
            if (*p == '"' || *p == '\\')
                eaf__buf_putc(&json, '\\');
            if (*p < 0x20)
                eaf__buf_printf(&json, "\\u%04x", *p);
            else
                eaf__buf_putc(&json, (char)*p);
        }
        eaf__buf_putc(&json, '"');
        c->stems[i].df = 0; /* unless found below */
    }
    eaf__buf_putc(&json, ']');
    if (json.rc != EAF_OK) {
        eaf__buf_free(&json);
        return eaf__sugg_nomem(c);
    }
    if (n > 0) {
        sqlite3_reset(c->batch);
        sqlite3_bind_text(c->batch, 1, json.p, (int)json.n, SQLITE_STATIC);
        while ((rc = sqlite3_step(c->batch)) == SQLITE_ROW) {
            const char *term = (const char *)sqlite3_column_text(c->batch, 0);
            size_t si;

            if (!term)
                continue;
            si = eaf__sugg_stem_get(c, term, (size_t)sqlite3_column_bytes(c->batch, 0));
            if (si == NONE)
                break;
            c->stems[si].df = sqlite3_column_int64(c->batch, 1);
        }
        sqlite3_reset(c->batch);
        sqlite3_clear_bindings(c->batch);
        eaf__buf_free(&json);
        if (c->st != EAF_OK)
            return -1;
        if (rc != SQLITE_DONE)
            return eaf__sugg_sqlerr(c, rc);
    }
    eaf__buf_free(&json);
    for (i = k = 0; i < c->ncands; i++)
        if (c->stems[c->cands[i].stem].df > 0)
            c->cands[k++] = c->cands[i];
    c->ncands = k;
    return 0;
}

/* Every string at distance 1 of w whose stem is in the index. */
static int edits1(ctx *c, const int32_t *w, int n, int max)
{
    int32_t alpha[26 + MAX_WORD], e[MAX_WORD + 1];
    int na = 0, i, j, k;

    for (k = 0; k < 26; k++)
        alpha[na++] = 'a' + k;
    for (i = 0; i < n; i++) {
        for (k = 0; k < na && alpha[k] != w[i]; k++)
            ;
        if (k == na)
            alpha[na++] = w[i];
    }
    /* deletions */
    for (i = 0; i < n; i++) {
        for (j = 0, k = 0; j < n; j++)
            if (j != i)
                e[k++] = w[j];
        if ((i == 0 || w[i] != w[i - 1]) && try_edit(c, w, n, e, n - 1, max) < 0)
            return -1;
    }
    /* transpositions */
    for (i = 0; i + 1 < n; i++) {
        if (w[i] == w[i + 1])
            continue;
        memcpy(e, w, (size_t)n * sizeof(*e));
        e[i] = w[i + 1];
        e[i + 1] = w[i];
        if (try_edit(c, w, n, e, n, max) < 0)
            return -1;
    }
    /* substitutions */
    for (i = 0; i < n; i++) {
        memcpy(e, w, (size_t)n * sizeof(*e));
        for (k = 0; k < na; k++) {
            if (alpha[k] == w[i])
                continue;
            e[i] = alpha[k];
            if (try_edit(c, w, n, e, n, max) < 0)
                return -1;
        }
    }
    /* insertions (not of the letter before, which the next position makes) */
    if (n + 1 <= MAX_WORD) {
        for (i = 0; i <= n; i++) {
            memcpy(e, w, (size_t)i * sizeof(*e));
            memcpy(e + i + 1, w + i, (size_t)(n - i) * sizeof(*e));
            for (k = 0; k < na; k++) {
                if (i > 0 && alpha[k] == w[i - 1])
                    continue;
                e[i] = alpha[k];
                if (try_edit(c, w, n, e, n + 1, max) < 0)
                    return -1;
            }
        }
    }
    return lookup_pending(c);
}

/* A stem that may have a spelling at distance 2 (from_stems()). */
typedef struct near_stem {
    char text[EAF__TOKEN_MAX + 1];
    int n, rank;
    sqlite3_int64 df;
} near_stem;

/* Adds the spellings read back of stem i that are within max of w. */
static int add_seen(ctx *c, size_t i, const int32_t *w, int n, int max)
{
    size_t k, j;

    for (k = c->stems[i].first; k < c->stems[i].first + c->stems[i].n; k++) {
        int32_t f[MAX_WORD];
        const char *form = STR(c, c->seen[k].form);
        int nf = decode(form, strlen(form), f), d;

        for (j = c->stems[i].first; j < k; j++)
            if (strcmp(STR(c, c->seen[j].form), form) == 0)
                break;
        if (j < k || nf < 1 || (d = eaf__sugg_distance(w, n, f, nf, max)) == 0 || d > max)
            continue;
        if (add_cand(c, c->seen[k].form, i, d) < 0)
            return -1;
    }
    return 0;
}

/* Spellings at distance 2 of w, from the indexed stems that start with its
 * first two letters:
 * - the stem, or the stem less its last letter (happi: happy), followed by
 *   the rest of w after each of its prefixes within max of that, when the
 *   string stems back to the same stem (elction: election);
 * - the spellings read back (eaf__sugg_sample()) of the NEAR_STEMS stems closest to
 *   w among those whose stem less its last letter is within max of a
 *   prefix of w, which catches an error after the stem too (accomodaton:
 *   accommodation).
 * This reads the stems of one range, from..to (inclusive). */
#define NEAR_STEMS 6
#define SUFFIX 4
static int scan_range(ctx *c, const char *from, const char *to, const int32_t *w, int n,
                      int max, near_stem *top, int *ntop)
{
    int d[MAX_WORD + 1][MAX_WORD + 1];
    int32_t t[MAX_WORD], s[2 * MAX_WORD];
    char buf[8 * MAX_WORD + 1];
    int rc;

    sqlite3_reset(c->range);
    sqlite3_bind_text(c->range, 1, from, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(c->range, 2, to, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step(c->range)) == SQLITE_ROW) {
        const char *term = (const char *)sqlite3_column_text(c->range, 0);
        int nterm = sqlite3_column_bytes(c->range, 0);
        sqlite3_int64 df = sqlite3_column_int64(c->range, 1);
        int nt, last, keep, j, low = max + 1;

        if (!term || df <= 0 || nterm > EAF__TOKEN_MAX ||
            eaf__token_is_synthetic(term, (size_t)nterm) ||
            (nt = decode(term, (size_t)nterm, t)) < 2 || !has_letter(t, nt))
            continue;
        last = osa_rows(d, t, nt, w, n, max);
        if (last < nt - 1)
            continue;
        for (keep = nt; keep >= nt - 1; keep--) {
            if (keep > last)
                continue;
            for (j = 0; j <= n; j++) {
                int ns = keep + n - j, ds;
                one_token o;
                size_t len, si;

                if (d[keep][j] > max || ns > MAX_WORD || ns < 1)
                    continue;
                if (keep == nt - 1 && d[keep][j] < low)
                    low = d[keep][j];
                memcpy(s, t, (size_t)keep * sizeof(*s));
                memcpy(s + keep, w + j, (size_t)(n - j) * sizeof(*s));
                ds = eaf__sugg_distance(w, n, s, ns, max);
                if (ds == 0 || ds > max)
                    continue;
                len = encode(s, ns, buf);
                rc = eaf__sugg_one_word(c, EAF__TOK_QUERY, buf, len, &o);
                if (rc < 0)
                    goto fail;
                if (rc == 0 || o.n != nterm || memcmp(o.text, term, (size_t)nterm) != 0)
                    continue;
                si = eaf__sugg_stem_get(c, term, (size_t)nterm);
                if (si == NONE)
                    goto fail;
                c->stems[si].df = df;
                if (add_new_cand(c, buf, len, si, ds) < 0)
                    goto fail;
            }
        }
        /* its spellings start with the stem less its last letter, which
         * is within max of a prefix of w: the nearest to w are read back */
        if (low <= max) {
            int rank = max + n, at = *ntop;

            /* the errors in the stem less its last letter against a
             * prefix of w, and the letters of w after it beyond those of
             * a suffix */
            for (j = 0; j <= n; j++) {
                int r = d[nt - 1][j] + (n - j > SUFFIX ? n - j - SUFFIX : 0);
                if (r < rank)
                    rank = r;
            }

            if (*ntop == NEAR_STEMS &&
                (rank > top[*ntop - 1].rank ||
                 (rank == top[*ntop - 1].rank && df <= top[*ntop - 1].df)))
                continue;
            if (*ntop < NEAR_STEMS)
                (*ntop)++;
            while (at > 0 && (top[at - 1].rank > rank ||
                              (top[at - 1].rank == rank && top[at - 1].df < df))) {
                if (at < NEAR_STEMS)
                    top[at] = top[at - 1];
                at--;
            }
            memcpy(top[at].text, term, (size_t)nterm);
            top[at].n = nterm;
            top[at].rank = rank;
            top[at].df = df;
        }
    }
    sqlite3_reset(c->range);
    return rc == SQLITE_DONE ? 0 : eaf__sugg_sqlerr(c, rc);
fail:
    sqlite3_reset(c->range);
    return -1;
}

/* The bounds of the ranges of stems scan_range() reads. */
#define BOUND (EAF__TOKEN_MAX + 8)
#define STOP_STEMS 64

/* The stems that start with w's first two letters, in the ranges around
 * the stems of stopwords: these are never worth a distance of 2 to a word
 * of 6 letters or more, and their postings, which fts5vocab reads to count
 * them, are most of a range's (the, that, this, their... of "th"). */
static int from_stems(ctx *c, const int32_t *w, int n, int max)
{
    char lo[16], from[BOUND], to[BOUND], stop[STOP_STEMS][32];
    size_t nlo = encode(w, 2, lo), nsw = 0, i, k;
    const char *const *sw = eaf__stopwords(c->db->language, &nsw);
    near_stem top[NEAR_STEMS];
    int ntop = 0, nstop = 0, j;

    for (i = 0; i < nsw; i++) {
        one_token o;
        int rc = eaf__sugg_one_word(c, EAF__TOK_QUERY, sw[i], strlen(sw[i]), &o);

        if (rc < 0)
            return -1;
        if (rc == 0 || (size_t)o.n < nlo || (size_t)o.n >= sizeof(stop[0]) ||
            memcmp(o.text, lo, nlo) != 0 || nstop == STOP_STEMS)
            continue;
        /* sorted, once each */
        for (j = 0; j < nstop && strcmp(stop[j], o.text) < 0; j++)
            ;
        if (j < nstop && strcmp(stop[j], o.text) == 0)
            continue;
        memmove(stop[j + 1], stop[j], (size_t)(nstop - j) * sizeof(stop[0]));
        memcpy(stop[j], o.text, (size_t)o.n + 1);
        nstop++;
    }
    memcpy(from, lo, nlo + 1);
    for (j = 0; j <= nstop; j++) {
        if (j < nstop) {
            /* up to the greatest string below the stopword's stem */
            size_t m = strlen(stop[j]);
            memcpy(to, stop[j], m);
            to[m - 1]--;
            memcpy(to + m, "\xf4\x8f\xbf\xbf", 5);
        } else {
            memcpy(to, lo, nlo);
            memcpy(to + nlo, "\xf4\x8f\xbf\xbf", 5);
        }
        if (strcmp(from, to) <= 0 && scan_range(c, from, to, w, n, max, top, &ntop) < 0)
            return -1;
        if (j < nstop) {
            /* from the least string above it */
            size_t m = strlen(stop[j]);
            memcpy(from, stop[j], m);
            from[m] = '\x01';
            from[m + 1] = '\0';
        }
    }
    for (k = 0; k < (size_t)ntop; k++) {
        size_t si = eaf__sugg_stem_get(c, top[k].text, (size_t)top[k].n);

        if (si == NONE)
            return -1;
        c->stems[si].df = top[k].df;
        if (!c->stems[si].sampled) {
            if (c->sampled >= MAX_SAMPLED)
                break;
            c->sampled++;
            if (eaf__sugg_sample(c, si, SAMPLE) < 0)
                return -1;
        }
        if (add_seen(c, si, w, n, max) < 0)
            return -1;
    }
    return 0;
}

/* Nearest first, then the stem in more articles, then by spelling. */
static int cmp_cand(const void *a, const void *b)
{
    const cand *x = a, *y = b;

    if (x->d != y->d)
        return x->d - y->d;
    if (x->df != y->df)
        return x->df > y->df ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* How often candidate k is written among its stem's instances read back
 * (0: never), into *count; its spelling written most often (the first of
 * equals) into *top. */
static void count_written(ctx *c, size_t k, size_t *count, size_t *top)
{
    const cand *cd = &c->cands[k];
    const stem *sm = &c->stems[cd->stem];
    size_t i, j, top_count = 0;

    *count = 0;
    *top = NONE;
    for (i = sm->first; i < sm->first + sm->n; i++) {
        const seen *a = &c->seen[i];
        size_t same = 0;

        if (strcmp(STR(c, a->form), STR(c, cd->form)) != 0)
            continue;
        ++*count;
        for (j = sm->first; j < sm->first + sm->n; j++)
            if (strcmp(STR(c, c->seen[j].form), STR(c, cd->form)) == 0 &&
                strcmp(STR(c, c->seen[j].written), STR(c, a->written)) == 0)
                same++;
        if (same > top_count) {
            top_count = same;
            *top = a->written;
        }
    }
}

/* The best candidate the articles confirm, as they most often write it
 * (pool offset), or NONE; sets *err on error.  Then the stems of the
 * candidates not seen that could still win (nearer than the best, or as
 * near and in more articles than its frequency) are read further, DEEP
 * instances of DEEP_STEMS stems at most, for a spelling too rare among its
 * stem's for the first SAMPLE instances (respectful among respect,
 * respectively, respected...; grows among grow, growth, growing...). */
static size_t confirm(ctx *c, int *err)
{
    size_t k, best = NONE, written = NONE, count, top;
    double best_freq = 0;
    int pass, deep = 0;

    *err = 0;
    if (c->ncands == 0)
        return NONE;
    for (k = 0; k < c->ncands; k++) {
        c->cands[k].df = c->stems[c->cands[k].stem].df;
        c->cands[k].text = STR(c, c->cands[k].form);
    }
    if (c->ncands > 1)
        qsort(c->cands, c->ncands, sizeof(*c->cands), cmp_cand);
    for (pass = 0; pass < 2; pass++) {
        for (k = 0; k < c->ncands; k++) {
            const cand *cd = &c->cands[k];
            stem *sm = &c->stems[cd->stem];
            double freq;

            if (k > 0 && strcmp(STR(c, cd->form), STR(c, c->cands[k - 1].form)) == 0)
                continue;
            /* nothing after it can win */
            if (best != NONE && (cd->d > c->cands[best].d || (double)sm->df <= best_freq))
                break;
            if (pass == 1 && best == NONE && cd->d > c->cands[0].d)
                break;
            if (strcmp(STR(c, cd->form), "or") == 0)
                continue;
            if (pass == 0 && !sm->sampled) {
                if (c->sampled >= MAX_SAMPLED)
                    break;
                c->sampled++;
                if (eaf__sugg_sample(c, cd->stem, SAMPLE) < 0) {
                    *err = -1;
                    return NONE;
                }
            } else if (pass == 1 && sm->sampled != DEEP) {
                /* not seen among the first instances of a stem that has
                 * more: read further */
                if (sm->sampled != SAMPLE || !sm->more)
                    continue;
                count_written(c, k, &count, &top);
                if (count > 0)
                    continue;
                if (deep >= DEEP_STEMS)
                    break;
                deep++;
                if (eaf__sugg_sample(c, cd->stem, DEEP) < 0) {
                    *err = -1;
                    return NONE;
                }
            }
            sm = &c->stems[cd->stem];
            if (!sm->sampled)
                continue;
            count_written(c, k, &count, &top);
            if (count == 0)
                continue;
            freq = (double)sm->df * (double)count / (double)sm->n;
            if (best == NONE || cd->d < c->cands[best].d || freq > best_freq) {
                best = k;
                best_freq = freq;
                written = top;
            }
        }
    }
    return written;
}

/* The spelling to suggest for the folded word[0..n) (pool offset), or
 * NONE; sets *err on error. */
size_t eaf__sugg_correct(ctx *c, const char *word, size_t nword, int *err)
{
    int32_t w[MAX_WORD];
    int n = decode(word, nword, w), max;
    size_t r;

    *err = 0;
    if (n < 3 || !has_letter(w, n))
        return NONE;
    max = eaf__sugg_max_distance(n);
    c->ncands = 0;
    c->sampled = 0;
    if (edits1(c, w, n, max) < 0) {
        *err = -1;
        return NONE;
    }
    r = confirm(c, err);
    if (r == NONE && !*err && max >= 2) {
        c->ncands = 0;
        c->sampled = 0;
        if (from_stems(c, w, n, max) < 0) {
            *err = -1;
            return NONE;
        }
        r = confirm(c, err);
    }
    return r;
}

