/*
 * related_fts.c: what a related list computed on demand needs of an index
 * that keeps no related-article statistics (never built, built with other
 * vector options, or of an older schema): the document frequency of each
 * term, counted in the full-text index, with the number of articles and
 * the tokenizer, kept on the handle's connection for every list asked of
 * it.
 *
 * A term's document frequency, as the batch counts it (the articles with
 * the term in their title, summary or body), is the number of rows an
 * FTS5 query for the term in those columns matches.  Counting them means
 * reading the term's whole list of rows, a good part of the index for a
 * common word: past DF_SAMPLE rows the count stops, and the total is
 * estimated from how far into the articles' ids the sample reached
 * (eaf__rank_df, as the ranking function does).  So a count is exact for
 * the rare terms that weigh most, close for the others, and costs from
 * twenty microseconds to a few tenths of a millisecond whatever the term.
 * A list reads a few thousand terms (those of its source and of its
 * candidates).
 *
 * Tokenizing the text of a list's hundred candidates is the other cost of
 * a list (a tenth to half a millisecond an article): the terms counted in
 * an article's text (eaf__rel_count_text, stopwords left out) are kept
 * too, up to TEXTS_BUDGET bytes, so that an article that is a candidate
 * of several lists is read once.
 *
 * Both are kept on the connection, for every list of the handle, as long
 * as the index is unchanged: PRAGMA data_version tells other connections'
 * commits, sqlite3_total_changes64() this one's, and on a change they are
 * dropped.  What is kept is what would be made, in the same order, so a
 * list never depends on the lists asked before it, only on the index.
 * The counts are dropped too when they hold MAX_TERMS terms (about 20 MB),
 * the texts when they pass their budget.
 *
 * The table lives on the connection as the user data of an SQL function,
 * "eaf_related_fts", which hands it out through a pointer argument (as
 * FTS5 hands out its API, "SELECT fts5(?1)"): it is made on first use and
 * freed by SQLite when the connection closes, and a handle's connection is
 * only ever used by one thread at a time.  It holds no statement.
 */
#include "related_fts.h"
#include "fts.h"
#include "shard.h"

#include <math.h>
#include <string.h>

/* Rows of a term counted before its document frequency is estimated.  The
 * estimate assumes the term's articles spread evenly over the ids, which
 * they need not (an archive read subject by subject, the sections of one
 * article in a row): the lists of the bbc corpus (five subjects, one after
 * the other) hold 87% of the stored lists' articles with 100, 95% with
 * 500, 96% with 1,000, and the first list of the 123k enwiki sections
 * takes 0.15, 0.29 and 0.54 s (the next lists as little whatever it is). */
#define DF_SAMPLE 500
/* The most terms the table keeps before it is emptied. */
#define MAX_TERMS ((size_t)1 << 19)
/* The most memory the counted terms of articles' texts take. */
#define TEXTS_BUDGET ((size_t)32 << 20)
/* The stems of recent words the tokenizer keeps (64 bytes each). */
#define STEM_SLOTS 16384
/* The pointer type of the SQL function's argument. */
#define PTR_TYPE "eaf_related_fts"

struct eaf__rel_fts {
    int valid;
    sqlite3_int64 data_version, changes; /* the state of the index counted */
    sqlite3_int64 n, id_lo, id_hi; /* articles, and the range of their ids */
    eaf__tokenizer *tok;
    eaf__rel_stops stops;
    int have_stops;
    /* the counts: term i is arena + off[i] (len[i] bytes, hash[i]), its
     * df df[i] */
    char *arena;
    size_t arena_n, arena_cap;
    uint32_t *off, *df, *len, *hash;
    size_t nterms, cap;
    uint32_t *slot;           /* hash index: i + 1, 0 empty */
    size_t slots;
    uint64_t counted;         /* counts made, since the connection opened */
    /* the terms of articles' texts, counted with title weight texts_tw:
     * text[i] (of article text_id[i]), found through tslot (i + 1) */
    struct kept_text **text;
    int64_t *text_id;
    size_t ntexts, text_cap, text_bytes;
    uint32_t *tslot;
    size_t tslots;
    double texts_tw;
    uint64_t tokenized;       /* texts counted, since the connection opened */
};

/* The counted terms of an article's text, in one block: the pairs of
 * eaf__rel_counts (the offsets of the terms, their weighted counts), then
 * the terms. */
typedef struct kept_text {
    uint64_t hash;
    uint32_t length;
    size_t n, bytes;
    size_t *off;
    double *tfw;
    char *arena;
} kept_text;

static void texts_clear(eaf__rel_fts *f)
{
    size_t i;

    for (i = 0; i < f->ntexts; i++)
        eaf__free(f->text[i]);
    f->ntexts = 0;
    f->text_bytes = 0;
    if (f->tslot)
        memset(f->tslot, 0, f->tslots * sizeof(*f->tslot));
}

static void fts_clear(eaf__rel_fts *f)
{
    f->nterms = 0;
    f->arena_n = 0;
    if (f->slot)
        memset(f->slot, 0, f->slots * sizeof(*f->slot));
}

static void fts_free(void *p)
{
    eaf__rel_fts *f = p;

    if (!f)
        return;
    eaf__tokenizer_free(f->tok);
    if (f->have_stops)
        eaf__rel_stops_free(&f->stops);
    eaf__free(f->arena);
    eaf__free(f->off);
    eaf__free(f->df);
    eaf__free(f->len);
    eaf__free(f->hash);
    eaf__free(f->slot);
    texts_clear(f);
    eaf__free(f->text);
    eaf__free(f->text_id);
    eaf__free(f->tslot);
    eaf__free(f);
}

/* eaf_related_fts(p): stores the table at the pointer p. */
static void fts_function(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    eaf__rel_fts **slot = argc == 1 ? sqlite3_value_pointer(argv[0], PTR_TYPE) : NULL;

    if (slot)
        *slot = sqlite3_user_data(ctx);
    sqlite3_result_null(ctx);
}

/* The connection's table, or NULL when it has none yet. */
static eaf__rel_fts *fts_find(sqlite3 *sql)
{
    sqlite3_stmt *st = NULL;
    eaf__rel_fts *f = NULL;

    if (sqlite3_prepare_v2(sql, "SELECT eaf_related_fts(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, &f, PTR_TYPE, NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return f;
}

/* Brings the table up to date with the index: emptied when it changed. */
static eaf_status fts_ready(eaf__rel_fts *f, eaf_db *db)
{
    sqlite3_int64 dv = 0, ch = sqlite3_total_changes64(db->sql);
    eaf_status s = eaf__set_data_version(db, &dv); /* (of every shard of a set) */

    if (s != EAF_OK)
        return s;
    if (f->valid && dv == f->data_version && ch == f->changes)
        return EAF_OK;
    f->valid = 0;
    fts_clear(f);
    texts_clear(f);
    s = eaf__set_article_stat(db, "count(*)", "sum", &f->n, NULL);
    if (s == EAF_OK)
        s = eaf__set_article_stat(db, "min(id)", "min", &f->id_lo, NULL);
    if (s == EAF_OK)
        s = eaf__set_article_stat(db, "max(id)", "max", &f->id_hi, NULL);
    if (s != EAF_OK)
        return s;
    f->data_version = dv;
    f->changes = ch;
    f->valid = 1;
    return EAF_OK;
}

eaf_status eaf__rel_fts_get(eaf__rel_fts **out, eaf_db *db)
{
    eaf__rel_fts *f = fts_find(db->sql);
    int rc;

    *out = NULL;
    if (!f) {
        f = eaf__calloc(1, sizeof(*f));
        if (!f)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        if (eaf__tokenizer_new(&f->tok, db->language) != EAF_OK ||
            eaf__rel_stops_init(&f->stops, db->language) != EAF_OK) {
            fts_free(f);
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        }
        f->have_stops = 1;
        eaf__tokenizer_cache_stems(f->tok, STEM_SLOTS);
        /* on failure SQLite frees f (the destructor) */
        rc = sqlite3_create_function_v2(db->sql, "eaf_related_fts", 1,
                                        SQLITE_UTF8 | SQLITE_DIRECTONLY, f, fts_function, NULL,
                                        NULL, fts_free);
        if (rc != SQLITE_OK)
            return eaf__db_sqlerr(db, rc, "keeping the term statistics");
    }
    rc = fts_ready(f, db);
    if (rc != EAF_OK)
        return (eaf_status)rc;
    *out = f;
    return EAF_OK;
}

int64_t eaf__rel_fts_articles(const eaf__rel_fts *f)
{
    return f->n;
}

eaf__tokenizer *eaf__rel_fts_tokenizer(eaf__rel_fts *f)
{
    return f->tok;
}

const eaf__rel_stops *eaf__rel_fts_stops(const eaf__rel_fts *f)
{
    return &f->stops;
}

uint64_t eaf__rel_fts_counted(const eaf__rel_fts *f)
{
    return f->counted;
}

uint64_t eaf__rel_fts_tokenized(const eaf__rel_fts *f)
{
    return f->tokenized;
}

/* The slot of a term (of hash h) in the table: where it is, or the empty
 * one where it would go. */
static size_t find_slot(const eaf__rel_fts *f, const char *t, size_t n, uint32_t h)
{
    size_t j;

    for (j = h & (f->slots - 1); f->slot[j]; j = (j + 1) & (f->slots - 1)) {
        uint32_t i = f->slot[j] - 1;
        if (f->hash[i] == h && f->len[i] == n && memcmp(f->arena + f->off[i], t, n) == 0)
            break;
    }
    return j;
}

/* Makes room for one more term (its bytes go to the arena apart); -1 when
 * out of memory. */
static int grow(eaf__rel_fts *f)
{
    size_t i, j;

    if (f->nterms >= MAX_TERMS)
        fts_clear(f);
    if (f->nterms == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4096;
        uint32_t **arr[4] = {&f->off, &f->df, &f->len, &f->hash};
        int a;
        for (a = 0; a < 4; a++) {
            uint32_t *x = eaf__realloc(*arr[a], cap * sizeof(*x));
            if (!x)
                return -1;
            *arr[a] = x;
        }
        f->cap = cap;
    }
    if ((f->nterms + 1) * 2 > f->slots) {
        size_t slots = f->slots ? f->slots * 2 : 8192;
        uint32_t *sl = eaf__calloc(slots, sizeof(*sl));
        if (!sl)
            return -1;
        for (i = 0; i < f->nterms; i++) {
            for (j = f->hash[i] & (slots - 1); sl[j]; j = (j + 1) & (slots - 1))
                ;
            sl[j] = (uint32_t)i + 1;
        }
        eaf__free(f->slot);
        f->slot = sl;
        f->slots = slots;
    }
    return 0;
}

/* Counts the articles with term t[0..n) in their title, summary or body,
 * with st (prepared on first use). */
static eaf_status count_term(eaf__rel_fts *f, eaf_db *db, sqlite3_stmt **st, const char *t,
                             size_t n, uint32_t *df)
{
    eaf__buf q = EAF__BUF_INIT;
    sqlite3_int64 hits = 0, last = 0;
    double est;
    size_t i;
    int rc;

    if (!*st) {
        rc = sqlite3_prepare_v2(db->sql, "SELECT rowid FROM fts WHERE fts MATCH ?1", -1, st,
                                NULL);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(*st);
            *st = NULL;
            return eaf__db_sqlerr(db, rc, "counting a term's articles");
        }
    }
    /* the term as it is indexed, quoted */
    eaf__buf_puts(&q, "{title summary body} : \"\x01");
    for (i = 0; i < n; i++) {
        if (t[i] == '"')
            eaf__buf_putc(&q, '"');
        eaf__buf_putc(&q, t[i]);
    }
    eaf__buf_putc(&q, '"');
    if (q.rc != EAF_OK) {
        eaf__buf_free(&q);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    if (db->set) { /* a set's related handle: every shard's, in id order */
        eaf_status s = eaf__set_phrase_ids(db, q.p, DF_SAMPLE, &hits, &last);
        eaf__buf_free(&q);
        if (s != EAF_OK)
            return s;
    } else {
        sqlite3_bind_text(*st, 1, q.p, (int)q.n, SQLITE_STATIC);
        while ((rc = sqlite3_step(*st)) == SQLITE_ROW) {
            if (++hits == DF_SAMPLE) {
                last = sqlite3_column_int64(*st, 0);
                rc = SQLITE_DONE;
                break;
            }
        }
        sqlite3_reset(*st);
        sqlite3_clear_bindings(*st);
        eaf__buf_free(&q);
        if (rc != SQLITE_DONE)
            return eaf__db_sqlerr(db, rc, "counting a term's articles");
    }
    f->counted++;
    est = last ? floor(eaf__rank_df(hits, last, f->id_lo, f->id_hi, f->n) + 0.5) : (double)hits;
    *df = est < (double)hits ? (uint32_t)hits : est > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)est;
    return EAF_OK;
}

eaf_status eaf__rel_fts_df(eaf__rel_fts *f, eaf_db *db, sqlite3_stmt **st, const char *t,
                           size_t n, uint32_t *df)
{
    size_t j, at;
    uint32_t d = 0, h = (uint32_t)eaf__hash_bytes(t, n);
    eaf_status s;

    if (f->slots) {
        j = find_slot(f, t, n, h);
        if (f->slot[j]) {
            *df = f->df[f->slot[j] - 1];
            return EAF_OK;
        }
    }
    s = count_term(f, db, st, t, n, &d);
    if (s != EAF_OK)
        return s;
    *df = d;
    /* kept for the next lists; without memory for it, only not kept */
    if (n + 1 > UINT32_MAX - f->arena_n || grow(f) < 0)
        return EAF_OK;
    j = find_slot(f, t, n, h);
    if (eaf__rel_arena_put(&f->arena, &f->arena_n, &f->arena_cap, 65536, t, n, &at) < 0)
        return EAF_OK;
    f->off[f->nterms] = (uint32_t)at;
    f->df[f->nterms] = d;
    f->len[f->nterms] = (uint32_t)n;
    f->hash[f->nterms] = h;
    f->slot[j] = (uint32_t)++f->nterms;
    return EAF_OK;
}

/* ---- the terms of articles' texts --------------------------------------------- */

static size_t id_slot(const eaf__rel_fts *f, int64_t id)
{
    size_t j;

    for (j = (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20) & (f->tslots - 1);
         f->tslot[j] && f->text_id[f->tslot[j] - 1] != id; j = (j + 1) & (f->tslots - 1))
        ;
    return j;
}

int eaf__rel_fts_text(eaf__rel_fts *f, int64_t id, double title_weight, eaf__rel_counts *c)
{
    const kept_text *k;
    size_t j;

    if (!f->tslots || f->texts_tw != title_weight)
        return 0;
    j = id_slot(f, id);
    if (!f->tslot[j])
        return 0;
    k = f->text[f->tslot[j] - 1];
    memset(c, 0, sizeof(*c));
    c->arena = k->arena;
    c->off = k->off;
    c->tfw = k->tfw;
    c->n = k->n;
    c->hash = k->hash;
    c->length = k->length;
    return 1;
}

void eaf__rel_fts_keep_text(eaf__rel_fts *f, int64_t id, double title_weight,
                            const eaf__rel_counts *c)
{
    const eaf__rel_stops *stops = &f->stops;
    size_t i, n = 0, chars = 0, bytes, j;
    kept_text *k;
    char *a;

    f->tokenized++;
    /* the terms a list looks up: not the stopwords */
    for (i = 0; i < c->n; i++) {
        const char *t = c->arena + c->off[i];
        size_t len = strlen(t);
        if (eaf__rel_term_ok(stops, t, len)) {
            n++;
            chars += len + 1;
        }
    }
    bytes = sizeof(*k) + n * (sizeof(*k->off) + sizeof(*k->tfw)) + chars;
    if (bytes > TEXTS_BUDGET / 4)
        return;
    if (f->texts_tw != title_weight || f->text_bytes + bytes > TEXTS_BUDGET) {
        texts_clear(f);
        f->texts_tw = title_weight;
    }
    if (f->ntexts == f->text_cap) {
        size_t cap = f->text_cap ? f->text_cap * 2 : 256;
        kept_text **nt = eaf__realloc(f->text, cap * sizeof(*nt));
        int64_t *ni;
        if (!nt)
            return;
        f->text = nt;
        ni = eaf__realloc(f->text_id, cap * sizeof(*ni));
        if (!ni)
            return;
        f->text_id = ni;
        f->text_cap = cap;
    }
    if ((f->ntexts + 1) * 2 > f->tslots) {
        size_t slots = f->tslots ? f->tslots * 2 : 512;
        uint32_t *sl = eaf__calloc(slots, sizeof(*sl)), *old = f->tslot;
        if (!sl)
            return;
        f->tslot = sl;
        f->tslots = slots;
        for (i = 0; i < f->ntexts; i++)
            f->tslot[id_slot(f, f->text_id[i])] = (uint32_t)i + 1;
        eaf__free(old);
    }
    j = id_slot(f, id);
    if (f->tslot[j])
        return; /* kept already */
    k = eaf__malloc(bytes);
    if (!k)
        return;
    k->hash = c->hash;
    k->length = c->length;
    k->n = n;
    k->bytes = bytes;
    k->off = (size_t *)(k + 1);
    k->tfw = (double *)(k->off + n);
    k->arena = (char *)(k->tfw + n);
    a = k->arena;
    for (i = 0, n = 0; i < c->n; i++) {
        const char *t = c->arena + c->off[i];
        size_t len = strlen(t);
        if (!eaf__rel_term_ok(stops, t, len))
            continue;
        memcpy(a, t, len + 1);
        k->off[n] = (size_t)(a - k->arena);
        k->tfw[n] = c->tfw[i];
        a += len + 1;
        n++;
    }
    f->text[f->ntexts] = k;
    f->text_id[f->ntexts] = id;
    f->tslot[j] = (uint32_t)++f->ntexts;
    f->text_bytes += bytes;
}
