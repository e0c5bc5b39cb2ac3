/*
 * suggest_index.c: what "did you mean" reads of the index (suggest.c says
 * how it works): the context of a suggestion and its pool of strings, the
 * stems of the vocabulary with their number of articles, and the instances
 * of a stem read back from the articles' text, which say how they spell it.
 */
#include "shard.h"
#include "suggest_ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
    ctx *c;
    const char *text;
    const int *want;         /* positions wanted, ascending */
    int nwant, i, at;
} reader;

/* The written form of a token: the possessive 's, which the token's
 * offsets cover, is not part of the word. */


int eaf__sugg_nomem(ctx *c)
{
    if (c->st == EAF_OK)
        c->st = eaf__db_error(c->db, EAF_NOMEM, "out of memory");
    return -1;
}

int eaf__sugg_sqlerr(ctx *c, int rc)
{
    if (c->st == EAF_OK)
        c->st = eaf__db_sqlerr(c->db, rc, "reading the vocabulary");
    return -1;
}

/* v, with room for one more element of size `size` (n used, *cap
 * allocated): v itself, or a new block; NULL when out of memory (v is
 * then unchanged). */
void *eaf__sugg_grow(ctx *c, void *v, size_t n, size_t *cap, size_t size)
{
    void *p;
    size_t k;

    if (n < *cap)
        return v;
    k = *cap ? *cap * 2 : 16;
    p = eaf__realloc(v, k * size);
    if (!p) {
        eaf__sugg_nomem(c);
        return NULL;
    }
    *cap = k;
    return p;
}

/* Copies s[0..n) into the pool; returns its offset, or NONE. */
size_t eaf__sugg_pool_add(ctx *c, const char *s, size_t n)
{
    size_t at = c->pool.n;

    eaf__buf_append(&c->pool, s, n);
    eaf__buf_putc(&c->pool, '\0');
    if (c->pool.rc != EAF_OK) {
        eaf__sugg_nomem(c);
        return NONE;
    }
    return at;
}

void eaf__sugg_ctx_close(ctx *c)
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

eaf_status eaf__sugg_ctx_open(ctx *c, eaf_db *db)
{
    int rc, i, set;

    memset(c, 0, sizeof(*c));
    c->db = db;
    c->pool.rc = EAF_OK;
    if (eaf__tokenizer_new(&c->t, db->language) != EAF_OK)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (eaf__db_vocab(db) != EAF_OK)
        return eaf__db_status(db, sqlite3_errcode(db->sql));
    /* a shard set's vocabulary has a row per shard (shard.h): summed by
     * term, and the instances in order */
    set = EAF__IS_MEMBER(db);
    rc = sqlite3_prepare_v2(db->sql,
                            set ? "SELECT sum(doc) FROM temp.eaf_vocab_row WHERE term = ?1"
                                : "SELECT doc FROM temp.eaf_vocab_row WHERE term = ?1",
                            -1, &c->exact, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                set ? "SELECT term, sum(doc) FROM temp.eaf_vocab_row WHERE term IN"
                                      " (SELECT value FROM json_each(?1)) GROUP BY term"
                                    : "SELECT term, doc FROM temp.eaf_vocab_row WHERE term IN"
                                      " (SELECT value FROM json_each(?1))",
                                -1, &c->batch, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                set ? "SELECT term, sum(doc) FROM temp.eaf_vocab_row"
                                      " WHERE term >= ?1 AND term <= ?2 GROUP BY term"
                                    : "SELECT term, doc FROM temp.eaf_vocab_row"
                                      " WHERE term >= ?1 AND term <= ?2",
                                -1, &c->range, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db->sql,
                                set ? "SELECT doc, col, offset FROM temp.eaf_vocab_instance"
                                      " WHERE term = ?1 ORDER BY doc, col, offset LIMIT ?2"
                                    : "SELECT doc, col, offset FROM temp.eaf_vocab_instance"
                                      " WHERE term = ?1 LIMIT ?2",
                                -1, &c->instances, NULL);
    for (i = 0; rc == SQLITE_OK && i < EAF__COL_COUNT; i++) {
        char sql[64];
        /* (of a shard set: the articles of every shard, shard.h) */
        snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?1", eaf__col_names[i],
                 EAF__IS_MEMBER(db) ? "temp.eaf_set_article" : "article");
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &c->text[i], NULL);
    }
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "reading the vocabulary");
    return EAF_OK;
}

/* ---- stems ---------------------------------------------------------------- */

/* The index of stem s[0..n) in the table, added if new (df unknown);
 * NONE when out of memory. */
size_t eaf__sugg_stem_get(ctx *c, const char *s, size_t n)
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
            eaf__sugg_nomem(c);
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
    p = eaf__sugg_grow(c, c->stems, c->nstems, &c->capstems, sizeof(*c->stems));
    if (!p)
        return NONE;
    c->stems = p;
    at = eaf__sugg_pool_add(c, s, n);
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
sqlite3_int64 eaf__sugg_stem_df(ctx *c, size_t i)
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
        return eaf__sugg_sqlerr(c, rc);
    return c->stems[i].df;
}


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
int eaf__sugg_one_word(ctx *c, unsigned mode, const char *s, size_t n, one_token *o)
{
    int rc;

    o->count = 0;
    o->n = 0;
    rc = eaf__tokenize(c->t, mode, s, n, keep_one, o);
    if (rc < 0)
        return eaf__sugg_nomem(c);
    return o->count == 1 && o->n > 0;
}

/* ---- reading the articles back -------------------------------------------- */

size_t eaf__sugg_without_possessive(const char *s, size_t n)
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
        void *p = eaf__sugg_grow(c, c->seen, c->nseen, &c->capseen, sizeof(*c->seen));
        if (!p)
            return 1;
        c->seen = p;
        sn = &c->seen[c->nseen];
        sn->form = eaf__sugg_pool_add(c, tok, (size_t)ntok);
        if (sn->form == NONE)
            return 1;
        sn->written = eaf__sugg_pool_add(
            c, r->text + start,
            eaf__sugg_without_possessive(r->text + start, (size_t)(end - start)));
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
            eaf__sugg_nomem(c);
    } else if (rc != SQLITE_DONE) {
        eaf__sugg_sqlerr(c, rc);
    }
    sqlite3_reset(st);
    return c->st == EAF_OK ? 0 : -1;
}

/* Reads back the first `limit` (SAMPLE or DEEP) instances of stem i: how
 * the articles write it, and how often.  Read again with a greater limit,
 * the stem's instances are those of the last reading. */
int eaf__sugg_sample(ctx *c, size_t i, int limit)
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
        return eaf__sugg_sqlerr(c, rc);
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

