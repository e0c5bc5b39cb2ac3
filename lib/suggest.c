/*
 * suggest.c: "did you mean", from the words the articles contain.
 *
 * The index holds stems (the fts5vocab tables), but a suggestion is a word
 * as the articles write it, chosen by its distance to the word as typed:
 *
 * 1. A word of the query (outside exclusions; not a prefix) is checked only
 *    when its stem is in no article: a word the index has is never
 *    replaced.  Words of fewer than 3 letters, and numbers, are left alone.
 *
 * 2. The candidates are the spellings within edit distance 1 of the word,
 *    or 2 for a word of more than 5 letters (Damerau's distance, optimal
 *    string alignment: deletion, insertion, substitution or transposition
 *    of adjacent letters, anywhere in the word), both folded and unstemmed
 *    (case and accents ignored, as the search ignores them):
 *    - every string at distance 1 whose stem is in the index (the stems of
 *      all of them looked up in one statement);
 *    - when none of those is confirmed (3.) and distance 2 is allowed, from
 *      the indexed stems that start with the word's first two letters: the
 *      stem, or the stem less its last letter (happi: happy), followed by
 *      the rest of the word after a prefix within distance 2 of it, when
 *      that stems back to the same stem (elction: election); and the
 *      spellings read back (3.) of the NEAR_STEMS stems nearest the word
 *      (fewest errors against a prefix of it, not counting SUFFIX letters
 *      after), which also catches an error after the stem (accomodaton:
 *      accommodation).  A typo in the first two letters is found at
 *      distance 1 only.
 *
 * 3. A candidate is a word only if the articles write it.  The first
 *    SAMPLE instances of its stem (fts5vocab "instance": article, column,
 *    position) are read back from the articles' text, which says how the
 *    articles spell the stem and how often each spelling occurs; the
 *    frequency of a candidate seen there is the stem's number of articles
 *    times its share of the sample.  The stems of DEEP_STEMS candidates
 *    not seen that could still win are read further (DEEP instances): a
 *    spelling rarer than that among its stem's is dropped.
 *
 * 4. The nearest confirmed candidate wins; among equals, the most
 *    frequent.  It is written as the articles most often write it (their
 *    accents, their apostrophes) in the case of the typed word (lower,
 *    Capitalised or UPPER; as the articles write it for a mixed case), and
 *    replaces the typed word in the query, so that the suggestion is a
 *    query the user can run as it is.  An operator word (or, OR, AND, NOT,
 *    NEAR) is never suggested in a form the parser would read as one.
 *
 * The candidates are confirmed nearest and most frequent first, so reading
 * stops as soon as no other candidate can win, and after MAX_SAMPLED stems
 * per word and distance.  Each stem is looked up and read back once per
 * query.  On 123,000 Wikipedia sections a suggestion takes a few
 * milliseconds; the range of stems read for distance 2 takes up to some
 * tens of milliseconds (all stems that start with "th").
 *
 * Fields: a word right before a colon and a value, that is no field of the
 * language (autor:Marchetti, which the parser reads as the plain words),
 * is corrected to the closest field by the same distances
 * (author:Marchetti), whether or not the word occurs in articles, since the
 * colon says a field was meant; with no field close it is left as it is,
 * never replaced by another word, so no field that does not exist is ever
 * suggested.  The field names come from the parser (eaf__query_field_name).
 * A word before a colon with no value after it is a plain word.
 *
 * The suggestion is only offered: the search does not run it.
 */
#include "search.h"
#include "lexicon.h"
#include "tokenize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#define MAX_WORD 64      /* longest word corrected, in code points */
#define SAMPLE 32        /* instances of a stem read back from the articles */
#define DEEP 256         /* ... when its spelling is looked for further */
#define DEEP_STEMS 2     /* stems looked into further per word and distance */
#define MAX_SAMPLED 12   /* stems read back per word and distance, at most */

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
static int max_distance(int n)
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
static int distance(const int32_t *a, int na, const int32_t *b, int nb, int max)
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

/* ---- what is read of the index ------------------------------------------ */

/* One instance of a stem, read back from an article: the word folded and
 * unstemmed, and as the article writes it (offsets into the pool). */
typedef struct seen {
    size_t form, written;
} seen;

typedef struct stem {
    size_t text;             /* pool offset */
    sqlite3_int64 df;        /* articles with the stem; -1: not looked up */
    int sampled;             /* how many of its instances were asked for
                                (0: none yet, SAMPLE, or DEEP) */
    int more;                /* it has more instances than were read */
    size_t first, n;         /* its instances in ctx.seen */
} stem;

/* A spelling that may replace the typed word. */
typedef struct cand {
    size_t form;             /* folded (pool offset) */
    size_t stem;             /* index in ctx.stems */
    int d;                   /* distance to the typed word */
    /* for sorting only (the pool may move later) */
    sqlite3_int64 df;
    const char *text;
} cand;

/* A part of the query to replace. */
typedef struct repl {
    int start, end;          /* bytes of the query */
    size_t text;             /* pool offset */
} repl;

/* A word already corrected in this query (the same word typed twice is
 * looked up once): pool offsets of the folded word and of its spelling,
 * or (size_t)-1 for none. */
typedef struct memo {
    size_t word, spelt;
} memo;

#define NONE ((size_t)-1)

typedef struct ctx {
    eaf_db *db;
    eaf__tokenizer *t;
    eaf_status st;           /* the first error */
    /* every string, NUL-terminated, referred to by offset */
    eaf__buf pool;
    stem *stems;
    size_t nstems, capstems;
    size_t *slots;           /* hash of stems: index + 1, 0 when empty */
    size_t nslots;
    seen *seen;
    size_t nseen, capseen;
    cand *cands;
    size_t ncands, capcands;
    repl *repls;
    size_t nrepls, caprepls;
    memo *memos;
    size_t nmemos, capmemos;
    size_t sampled;          /* stems read back for the current word */
    sqlite3_stmt *exact, *batch, *range, *instances, *text[EAF__COL_COUNT];
} ctx;

#define STR(c, off) ((c)->pool.p + (off))

static int nomem(ctx *c)
{
    if (c->st == EAF_OK)
        c->st = eaf__db_error(c->db, EAF_NOMEM, "out of memory");
    return -1;
}

static int sqlerr(ctx *c, int rc)
{
    if (c->st == EAF_OK)
        c->st = eaf__db_sqlerr(c->db, rc, "reading the vocabulary");
    return -1;
}

/* v, with room for one more element of size `size` (n used, *cap
 * allocated): v itself, or a new block; NULL when out of memory (v is
 * then unchanged). */
static void *grow(ctx *c, void *v, size_t n, size_t *cap, size_t size)
{
    void *p;
    size_t k;

    if (n < *cap)
        return v;
    k = *cap ? *cap * 2 : 16;
    p = eaf__realloc(v, k * size);
    if (!p) {
        nomem(c);
        return NULL;
    }
    *cap = k;
    return p;
}

/* Copies s[0..n) into the pool; returns its offset, or NONE. */
static size_t pool_add(ctx *c, const char *s, size_t n)
{
    size_t at = c->pool.n;

    eaf__buf_append(&c->pool, s, n);
    eaf__buf_putc(&c->pool, '\0');
    if (c->pool.rc != EAF_OK) {
        nomem(c);
        return NONE;
    }
    return at;
}

static void ctx_close(ctx *c)
{
    int i;

    sqlite3_finalize(c->exact);
    sqlite3_finalize(c->batch);
    sqlite3_finalize(c->range);
    sqlite3_finalize(c->instances);
    for (i = 0; i < EAF__COL_COUNT; i++)
        sqlite3_finalize(c->text[i]);
    eaf__tokenizer_free(c->t);
    eaf__buf_free(&c->pool);
    eaf__free(c->stems);
    eaf__free(c->slots);
    eaf__free(c->seen);
    eaf__free(c->cands);
    eaf__free(c->repls);
    eaf__free(c->memos);
}

static eaf_status ctx_open(ctx *c, eaf_db *db)
{
    int rc, i;

    memset(c, 0, sizeof(*c));
    c->db = db;
    c->pool.rc = EAF_OK;
    if (eaf__tokenizer_new(&c->t, db->language) != EAF_OK)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (eaf__db_vocab(db) != EAF_OK)
        return eaf__status_from_sqlite(sqlite3_errcode(db->sql));
    rc = sqlite3_prepare_v2(db->sql, "SELECT doc FROM temp.eaf_vocab_row WHERE term = ?1",
                            -1, &c->exact, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT term, doc FROM temp.eaf_vocab_row WHERE term IN"
                                " (SELECT value FROM json_each(?1))",
                                -1, &c->batch, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT term, doc FROM temp.eaf_vocab_row"
                                " WHERE term >= ?1 AND term <= ?2",
                                -1, &c->range, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                "SELECT doc, col, offset FROM temp.eaf_vocab_instance"
                                " WHERE term = ?1 LIMIT ?2",
                                -1, &c->instances, NULL);
    for (i = 0; rc == SQLITE_OK && i < EAF__COL_COUNT; i++) {
        char sql[64];
        snprintf(sql, sizeof(sql), "SELECT %s FROM article WHERE id = ?1",
                 eaf__col_names[i]);
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &c->text[i], NULL);
    }
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "reading the vocabulary");
    return EAF_OK;
}

/* ---- stems ---------------------------------------------------------------- */

/* The index of stem s[0..n) in the table, added if new (df unknown);
 * NONE when out of memory. */
static size_t stem_get(ctx *c, const char *s, size_t n)
{
    size_t h, i, at, mask = c->nslots - 1;
    void *p;

    if (c->nslots) {
        for (h = eaf__hash_bytes(s, n) & mask; c->slots[h]; h = (h + 1) & mask) {
            const char *t = STR(c, c->stems[c->slots[h] - 1].text);
            if (strncmp(t, s, n) == 0 && t[n] == '\0')
                return c->slots[h] - 1;
        }
    }
    if ((c->nstems + 1) * 2 > c->nslots) {
        size_t k = c->nslots ? c->nslots * 2 : 256;
        size_t *slots = eaf__calloc(k, sizeof(*slots));

        if (!slots) {
            nomem(c);
            return NONE;
        }
        for (i = 0; i < c->nstems; i++) {
            const char *t = STR(c, c->stems[i].text);
            for (h = eaf__hash_bytes(t, strlen(t)) & (k - 1); slots[h]; h = (h + 1) & (k - 1))
                ;
            slots[h] = i + 1;
        }
        eaf__free(c->slots);
        c->slots = slots;
        c->nslots = k;
        mask = k - 1;
    }
    p = grow(c, c->stems, c->nstems, &c->capstems, sizeof(*c->stems));
    if (!p)
        return NONE;
    c->stems = p;
    at = pool_add(c, s, n);
    if (at == NONE)
        return NONE;
    for (h = eaf__hash_bytes(s, n) & mask; c->slots[h]; h = (h + 1) & mask)
        ;
    c->slots[h] = c->nstems + 1;
    c->stems[c->nstems].text = at;
    c->stems[c->nstems].df = -1;
    c->stems[c->nstems].sampled = 0;
    c->stems[c->nstems].more = 0;
    c->stems[c->nstems].first = c->stems[c->nstems].n = 0;
    return c->nstems++;
}

/* The number of articles with stem i (looked up once), or -1 on error. */
static sqlite3_int64 stem_df(ctx *c, size_t i)
{
    int rc;

    if (c->stems[i].df >= 0)
        return c->stems[i].df;
    sqlite3_reset(c->exact);
    sqlite3_bind_text(c->exact, 1, STR(c, c->stems[i].text), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(c->exact);
    if (rc == SQLITE_ROW)
        c->stems[i].df = sqlite3_column_int64(c->exact, 0);
    else if (rc == SQLITE_DONE)
        c->stems[i].df = 0;
    sqlite3_reset(c->exact);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlerr(c, rc);
    return c->stems[i].df;
}

typedef struct one_token {
    char text[EAF__TOKEN_MAX + 1];
    int n, count, start, end;
} one_token;

static int keep_one(void *vctx, const char *tok, int ntok, int start, int end)
{
    one_token *o = vctx;

    if (o->count++ == 0 && tok) {
        memcpy(o->text, tok, (size_t)ntok);
        o->text[ntok] = '\0';
        o->n = ntok;
        o->start = start;
        o->end = end;
    }
    return o->count > 1; /* a second token: not one word */
}

/* Tokenizes s[0..n) in mode; 1 when it is one token (into o), 0 when not,
 * -1 when out of memory. */
static int one_word(ctx *c, unsigned mode, const char *s, size_t n, one_token *o)
{
    int rc;

    o->count = 0;
    o->n = 0;
    rc = eaf__tokenize(c->t, mode, s, n, keep_one, o);
    if (rc < 0)
        return nomem(c);
    return o->count == 1 && o->n > 0;
}

/* ---- reading the articles back -------------------------------------------- */

typedef struct reader {
    ctx *c;
    const char *text;
    const int *want;         /* positions wanted, ascending */
    int nwant, i, at;
} reader;

/* The written form of a token: the possessive 's, which the token's
 * offsets cover, is not part of the word. */
static size_t without_possessive(const char *s, size_t n)
{
    if (n >= 3 && (s[n - 1] == 's' || s[n - 1] == 'S')) {
        if (s[n - 2] == '\'')
            return n - 2;
        if (n >= 5 && ((memcmp(s + n - 4, "\xe2\x80\x99", 3) == 0) ||
                       (memcmp(s + n - 4, "\xef\xbc\x87", 3) == 0)))
            return n - 4;
    }
    return n;
}

static int read_token(void *vctx, const char *tok, int ntok, int start, int end)
{
    reader *r = vctx;
    ctx *c = r->c;
    seen *sn;

    while (r->i < r->nwant && r->want[r->i] < r->at)
        r->i++;
    if (r->i < r->nwant && r->want[r->i] == r->at && tok) {
        void *p = grow(c, c->seen, c->nseen, &c->capseen, sizeof(*c->seen));
        if (!p)
            return 1;
        c->seen = p;
        sn = &c->seen[c->nseen];
        sn->form = pool_add(c, tok, (size_t)ntok);
        if (sn->form == NONE)
            return 1;
        sn->written = pool_add(c, r->text + start,
                               without_possessive(r->text + start, (size_t)(end - start)));
        if (sn->written == NONE)
            return 1;
        c->nseen++;
        r->i++;
    }
    r->at++;
    return r->i >= r->nwant; /* past the last position wanted */
}

/* Reads back the positions want[0..n) of column col of article doc. */
static int read_back(ctx *c, sqlite3_int64 doc, int col, const int *want, int n)
{
    sqlite3_stmt *st = c->text[col];
    reader r;
    int rc;

    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, doc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r.c = c;
        r.text = (const char *)sqlite3_column_text(st, 0);
        r.want = want;
        r.nwant = n;
        r.i = r.at = 0;
        if (r.text &&
            eaf__tokenize(c->t, EAF__TOK_DOC | EAF__TOK_NOSTEM, r.text,
                          (size_t)sqlite3_column_bytes(st, 0), read_token, &r) < 0)
            nomem(c);
    } else if (rc != SQLITE_DONE) {
        sqlerr(c, rc);
    }
    sqlite3_reset(st);
    return c->st == EAF_OK ? 0 : -1;
}

/* Reads back the first `limit` (SAMPLE or DEEP) instances of stem i: how
 * the articles write it, and how often.  Read again with a greater limit,
 * the stem's instances are those of the last reading. */
static int sample(ctx *c, size_t i, int limit)
{
    struct {
        sqlite3_int64 doc;
        int col, pos;
    } inst[DEEP];
    int want[DEEP];
    int n = 0, rows = 0, k, rc = SQLITE_DONE;

    c->stems[i].sampled = limit;
    c->stems[i].first = c->nseen;
    sqlite3_reset(c->instances);
    sqlite3_bind_text(c->instances, 1, STR(c, c->stems[i].text), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(c->instances, 2, limit);
    while (n < limit && (rc = sqlite3_step(c->instances)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(c->instances, 1);
        int col;

        rows++;
        for (col = 0; col < EAF__COL_COUNT && !(name && strcmp(name, eaf__col_names[col]) == 0);
             col++)
            ;
        if (col == EAF__COL_COUNT)
            continue;
        inst[n].doc = sqlite3_column_int64(c->instances, 0);
        inst[n].col = col;
        inst[n].pos = sqlite3_column_int(c->instances, 2);
        n++;
    }
    sqlite3_reset(c->instances);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sqlerr(c, rc);
    c->stems[i].more = rows == limit;
    /* the instances come by article, column and position: each column of
     * an article is read once */
    for (k = 0; k < n;) {
        int m = 0, j = k;

        while (j < n && inst[j].doc == inst[k].doc && inst[j].col == inst[k].col)
            want[m++] = inst[j++].pos;
        if (read_back(c, inst[k].doc, inst[k].col, want, m) < 0)
            return -1;
        k = j;
    }
    c->stems[i].n = c->nseen - c->stems[i].first;
    return 0;
}

/* ---- candidates ----------------------------------------------------------- */

/* Adds the spelling at pool offset form as a candidate. */
static int add_cand(ctx *c, size_t form, size_t stem_i, int d)
{
    void *p = grow(c, c->cands, c->ncands, &c->capcands, sizeof(*c->cands));

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
    size_t at = pool_add(c, form, n);

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
    rc = one_word(c, EAF__TOK_QUERY, buf, len, &o);
    if (rc <= 0)
        return rc;
    si = stem_get(c, o.text, (size_t)o.n);
    if (si == NONE)
        return -1;
    if (c->stems[si].df == 0) /* looked up before: in no article */
        return 0;
    d = distance(w, n, e, ne, max);
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
        return nomem(c);
    }
    if (n > 0) {
        sqlite3_reset(c->batch);
        sqlite3_bind_text(c->batch, 1, json.p, (int)json.n, SQLITE_STATIC);
        while ((rc = sqlite3_step(c->batch)) == SQLITE_ROW) {
            const char *term = (const char *)sqlite3_column_text(c->batch, 0);
            size_t si;

            if (!term)
                continue;
            si = stem_get(c, term, (size_t)sqlite3_column_bytes(c->batch, 0));
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
            return sqlerr(c, rc);
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
        if (j < k || nf < 1 || (d = distance(w, n, f, nf, max)) == 0 || d > max)
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
 * - the spellings read back (sample()) of the NEAR_STEMS stems closest to
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
                ds = distance(w, n, s, ns, max);
                if (ds == 0 || ds > max)
                    continue;
                len = encode(s, ns, buf);
                rc = one_word(c, EAF__TOK_QUERY, buf, len, &o);
                if (rc < 0)
                    goto fail;
                if (rc == 0 || o.n != nterm || memcmp(o.text, term, (size_t)nterm) != 0)
                    continue;
                si = stem_get(c, term, (size_t)nterm);
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
    return rc == SQLITE_DONE ? 0 : sqlerr(c, rc);
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
        int rc = one_word(c, EAF__TOK_QUERY, sw[i], strlen(sw[i]), &o);

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
        size_t si = stem_get(c, top[k].text, (size_t)top[k].n);

        if (si == NONE)
            return -1;
        c->stems[si].df = top[k].df;
        if (!c->stems[si].sampled) {
            if (c->sampled >= MAX_SAMPLED)
                break;
            c->sampled++;
            if (sample(c, si, SAMPLE) < 0)
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
                if (sample(c, cd->stem, SAMPLE) < 0) {
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
                if (sample(c, cd->stem, DEEP) < 0) {
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
static size_t correct(ctx *c, const char *word, size_t nword, int *err)
{
    int32_t w[MAX_WORD];
    int n = decode(word, nword, w), max;
    size_t r;

    *err = 0;
    if (n < 3 || !has_letter(w, n))
        return NONE;
    max = max_distance(n);
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

/* ---- fields ------------------------------------------------------------- */

/* Is the TERM node at byte `at` of the query the name of a field the
 * parser does not know (autor:Marchetti reads as the words autor and
 * Marchetti)?  The parser reads a field as ASCII letters and a colon.
 * Returns 1 when a value follows the colon, 2 when none does, 0 when the
 * node is not before a colon. */
static int before_colon(const char *q, size_t qn, int at, const eaf__qnode *n)
{
    size_t i, end = (size_t)at + n->len;

    if (n->kind != EAF__Q_TERM || n->prefix || n->len == 0)
        return 0;
    for (i = 0; i < n->len; i++)
        if (!((n->text[i] >= 'a' && n->text[i] <= 'z') ||
              (n->text[i] >= 'A' && n->text[i] <= 'Z')))
            return 0;
    if (end >= qn || q[end] != ':')
        return 0;
    if (end + 1 >= qn || q[end + 1] == ' ' || q[end + 1] == '\t' || q[end + 1] == '\n' ||
        q[end + 1] == '\r' || q[end + 1] == '\f' || q[end + 1] == '\v' || q[end + 1] == ')')
        return 2;
    return 1;
}

/* The field closest to name[0..n) (ASCII letters), or NULL when it is a
 * field already or none is close. */
static const char *closest_field(const char *name, size_t n)
{
    int32_t a[MAX_WORD], b[MAX_WORD];
    const char *f, *best = NULL;
    int na = 0, nb, max, best_d, i, d;

    if (n < 3 || n > MAX_WORD)
        return NULL;
    for (i = 0; i < (int)n; i++)
        a[na++] = (name[i] >= 'A' && name[i] <= 'Z') ? name[i] - 'A' + 'a' : name[i];
    max = max_distance(na);
    best_d = max + 1;
    for (i = 0; (f = eaf__query_field_name((size_t)i)) != NULL; i++) {
        for (nb = 0; f[nb] && nb < MAX_WORD; nb++)
            b[nb] = (unsigned char)f[nb];
        d = distance(a, na, b, nb, max);
        if (d == 0)
            return NULL;
        if (d < best_d) { /* the first of equals, in the parser's order */
            best_d = d;
            best = f;
        }
    }
    return best;
}

/* ---- the query ---------------------------------------------------------- */

typedef struct qword {
    char text[EAF__TOKEN_MAX + 1];
    int start, end;          /* bytes within the node's text */
} qword;

typedef struct qwords {
    qword *v;
    size_t n, cap;
    int nomem;
} qwords;

static int collect(void *vctx, const char *tok, int ntok, int start, int end)
{
    qwords *w = vctx;

    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 8;
        qword *p = eaf__realloc(w->v, cap * sizeof(*p));
        if (!p) {
            w->nomem = 1;
            return 1;
        }
        w->v = p;
        w->cap = cap;
    }
    memcpy(w->v[w->n].text, tok, (size_t)ntok);
    w->v[w->n].text[ntok] = '\0';
    w->v[w->n].start = start;
    w->v[w->n].end = end;
    w->n++;
    return 0;
}

/* Collects the words to check: TERM and PHRASE nodes outside exclusions. */
static void leaves(const eaf__qnode *n, const eaf__qnode **out, size_t *k, size_t max)
{
    size_t i;

    if (!n || n->kind == EAF__Q_NOT)
        return;
    if ((n->kind == EAF__Q_TERM && !n->prefix) || n->kind == EAF__Q_PHRASE) {
        if (*k < max)
            out[(*k)++] = n;
        return;
    }
    for (i = 0; i < n->nkids; i++)
        leaves(n->kids[i], out, k, max);
}

static int add_repl(ctx *c, int start, int end, size_t text)
{
    void *p = grow(c, c->repls, c->nrepls, &c->caprepls, sizeof(*c->repls));

    if (!p)
        return -1;
    c->repls = p;
    c->repls[c->nrepls].start = start;
    c->repls[c->nrepls].end = end;
    c->repls[c->nrepls].text = text;
    c->nrepls++;
    return 0;
}

static int cmp_repl(const void *a, const void *b)
{
    const repl *x = a, *y = b;

    return x->start != y->start ? (x->start < y->start ? -1 : 1) : 0;
}

/* How a word is typed: 'l' in lower case (or with no letter of a case),
 * 'c' capitalised, 'u' in capitals (two letters or more), 0 otherwise. */
static int case_of(const char *typed, size_t n)
{
    size_t i = 0, len;
    int upper = 0, lower = 0, first_upper = -1;

    while (i < n) {
        int32_t cp = eaf__utf8_decode((const unsigned char *)typed + i, n - i, &len);
        if (cp >= 0) {
            utf8proc_category_t cat = utf8proc_category(cp);
            int up = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
            if (up)
                upper++;
            else if (cat == UTF8PROC_CATEGORY_LL)
                lower++;
            if (first_upper < 0 && (up || cat == UTF8PROC_CATEGORY_LL))
                first_upper = up;
        }
        i += len;
    }
    return upper == 0                       ? 'l'
           : lower == 0 && upper >= 2       ? 'u'
           : upper == 1 && first_upper == 1 ? 'c'
                                            : 0;
}

/* The words the query language reads as operators ("or" only between two
 * terms, but a suggestion never takes the risk). */
static int is_operator(const char *s)
{
    return strcmp(s, "OR") == 0 || strcmp(s, "or") == 0 || strcmp(s, "AND") == 0 ||
           strcmp(s, "NOT") == 0 || strcmp(s, "NEAR") == 0;
}

/* The spelling written (pool offset) in the case mode (case_of()): a new
 * pool offset, written itself for mode 0, or NONE when out of memory. */
static size_t in_case(ctx *c, size_t written, int mode)
{
    size_t i, len, at;

    if (!mode)
        return written;
    /* appended to the pool, which may move: the written form is read by
     * its offset */
    at = c->pool.n;
    for (i = 0; c->pool.rc == EAF_OK && STR(c, written)[i];) {
        const char *w = STR(c, written) + i;
        int32_t cp = eaf__utf8_decode((const unsigned char *)w, strlen(w), &len);
        char buf[4];

        if (cp < 0) {
            eaf__buf_append(&c->pool, w, len);
        } else {
            cp = mode == 'u' || (mode == 'c' && i == 0) ? utf8proc_toupper(cp)
                                                        : utf8proc_tolower(cp);
            eaf__buf_append(&c->pool, buf, eaf__utf8_encode(cp, buf));
        }
        i += len;
    }
    eaf__buf_putc(&c->pool, '\0');
    if (c->pool.rc != EAF_OK) {
        nomem(c);
        return NONE;
    }
    return at;
}

/* The spelling to show in place of typed[0..n): written (as the articles
 * write it, pool offset) in the case of the typed word, never an operator
 * word (OR, AND, NOT, NEAR: their lower case then); NONE for none (an "or"),
 * or when out of memory (then c->st is set). */
static size_t shown(ctx *c, const char *typed, size_t n, size_t written)
{
    size_t r = in_case(c, written, case_of(typed, n));

    if (r != NONE && is_operator(STR(c, r)))
        r = in_case(c, written, 'l');
    if (r != NONE && is_operator(STR(c, r)))
        r = NONE;
    return r;
}

/* The spelling to suggest for the folded word[0..n), computed once per
 * query; NONE for none, and sets *err on error. */
static size_t spelt(ctx *c, const char *word, size_t n, int *err)
{
    size_t i, r, at;
    void *p;

    *err = 0;
    for (i = 0; i < c->nmemos; i++) {
        const char *m = STR(c, c->memos[i].word);
        if (strncmp(m, word, n) == 0 && m[n] == '\0')
            return c->memos[i].spelt;
    }
    r = correct(c, word, n, err);
    if (*err)
        return NONE;
    at = pool_add(c, word, n);
    p = at == NONE ? NULL : grow(c, c->memos, c->nmemos, &c->capmemos, sizeof(*c->memos));
    if (!p) {
        *err = -1;
        return NONE;
    }
    c->memos = p;
    c->memos[c->nmemos].word = at;
    c->memos[c->nmemos].spelt = r;
    c->nmemos++;
    return r;
}

/* Checks the words of one node, noting their replacements. */
static int check_node(ctx *c, const char *q, size_t qn, int at, const eaf__qnode *node)
{
    qwords w = {NULL, 0, 0, 0};
    size_t j;
    int colon = before_colon(q, qn, at, node), err = 0;

    /* name:value with an unknown name: a field, or nothing (a name with no
     * value after its colon is a plain word) */
    if (colon == 1) {
        const char *f = closest_field(node->text, node->len);
        size_t off;

        if (!f)
            return 0;
        off = pool_add(c, f, strlen(f));
        if (off == NONE)
            return -1;
        return add_repl(c, at, at + (int)node->len, off);
    }
    if (eaf__tokenize(c->t, EAF__TOK_QUERY, node->text, node->len, collect, &w) < 0 ||
        w.nomem) {
        eaf__free(w.v);
        return nomem(c);
    }
    for (j = 0; j < w.n && !err; j++) {
        size_t si = stem_get(c, w.v[j].text, strlen(w.v[j].text)), r;
        sqlite3_int64 df;
        one_token o;
        int rc;

        if (si == NONE) {
            err = -1;
            break;
        }
        df = stem_df(c, si);
        if (df < 0) {
            err = -1;
            break;
        }
        if (df > 0) /* in the index: never replaced */
            continue;
        /* the word folded, unstemmed */
        rc = one_word(c, EAF__TOK_QUERY | EAF__TOK_NOSTEM, node->text + w.v[j].start,
                      (size_t)(w.v[j].end - w.v[j].start), &o);
        if (rc < 0) {
            err = -1;
            break;
        }
        if (rc == 0)
            continue;
        r = spelt(c, o.text, (size_t)o.n, &err);
        if (!err && r != NONE) {
            /* the word as typed, less a possessive (Japn's: Japan's) */
            const char *typed = node->text + w.v[j].start;
            size_t n = without_possessive(typed, (size_t)(w.v[j].end - w.v[j].start));

            r = shown(c, typed, n, r);
            if (r != NONE)
                err = add_repl(c, at + w.v[j].start, at + w.v[j].start + (int)n, r);
            else if (c->st != EAF_OK)
                err = -1;
        }
    }
    eaf__free(w.v);
    return err;
}

eaf_status eaf__suggest(eaf_search *s, char **out)
{
    const eaf__qnode *nodes[EAF__QUERY_MAX_TERMS];
    size_t nn = 0, i, copied = 0;
    const char *q = eaf__query_text(s->plan->q);
    size_t qn = strlen(q);
    eaf__buf b = EAF__BUF_INIT;
    eaf_status st;
    ctx c;

    *out = NULL;
    leaves(eaf__query_root(s->plan->q), nodes, &nn, EAF__ARRAY_LEN(nodes));
    if (nn == 0)
        return EAF_OK;
    st = ctx_open(&c, s->db);
    for (i = 0; i < nn && st == EAF_OK; i++) {
        int at = eaf__qnode_text_offset(s->plan->q, nodes[i]);

        if (at >= 0 && check_node(&c, q, qn, at, nodes[i]) < 0)
            st = c.st != EAF_OK ? c.st : eaf__db_error(s->db, EAF_ERROR, "suggesting");
    }
    if (st == EAF_OK && c.nrepls > 0) {
        /* the query with the words replaced, in the order they were typed
         * (the parser may have reordered its nodes) */
        qsort(c.repls, c.nrepls, sizeof(*c.repls), cmp_repl);
        for (i = 0; i < c.nrepls; i++) {
            const repl *r = &c.repls[i];
            if ((size_t)r->start < copied || (size_t)r->end > qn)
                continue;
            eaf__buf_append(&b, q + copied, (size_t)r->start - copied);
            eaf__buf_puts(&b, STR(&c, r->text));
            copied = (size_t)r->end;
        }
        eaf__buf_puts(&b, q + copied);
        if (b.rc != EAF_OK)
            st = eaf__db_error(s->db, EAF_NOMEM, "out of memory");
        else
            *out = eaf__buf_detach(&b);
    }
    eaf__buf_free(&b);
    ctx_close(&c);
    return st;
}
