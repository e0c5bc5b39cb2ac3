/*
 * rank.c: the ranking function "eaf_rank", an FTS5 auxiliary function.
 *
 *   eaf_rank(fts, w0, ..., w7, k1, b, proximity, spec [, typed])
 *
 * w0..w7 weigh the columns.  The arguments are read with the first row
 * and hold for the query (constants, as FTS5's "rank MATCH" passes them).
 * spec may start with options: the range of the table's ids, "ids=LO-HI "
 * (for the estimates below), the rows the caller reads, "k=K " (see
 * "Rows that cannot be among the best k" below), "t=1 " when the
 * caller can run the rows with the words in their titles first (then the
 * function may stop and ask for that: report_ask(), search.c), and, on a
 * shard of a set, the statistics of the whole set, used instead of the
 * table's own: "n=ROWS tot=T0,T1,.. df=D0,D1,.. " (hits_set.c; "df=" alone
 * too, the counts an earlier run of the query read).  It then describes the
 * query's phrases in FTS5's order, "group:weight" each (query_fts.c writes
 * it): phrases of one group are forms of one query word (a country and its
 * adjective, the terms of a capped prefix) and only the best of them
 * counts; group -1 is not scored (stopwords, exclusions).  Without spec
 * every phrase is its own group.  typed, when given, is the words of a
 * short search as typed (plan_title.c).
 *
 * The score of a row:
 *  - BM25F per phrase: its frequency in each column, normalised by that
 *    column's length against its average (b), weighted by the column,
 *    summed, saturated with k1, times the phrase's IDF and weight.  The IDF
 *    is ln(1 + (N - n + 0.5) / (n + 0.5)), which stays positive for words
 *    in most rows (FTS5's bm25() gives a word in more than half the rows a
 *    weight of almost zero, so a query for two common words ranks nearly
 *    at random);
 *  - summed over the query's words, so that a row with more of them ranks
 *    higher (a multiplying "coordination" factor was tried and lowered
 *    MAP on Cranfield and CACM: the sum already does it);
 *  - plus a proximity bonus: for each pair of different query words, the
 *    sum of 1/d^2 over their occurrences d positions apart (d <= 8) in one
 *    column, saturated, times the smaller IDF of the two, times proximity;
 *  - plus the title's coverage: the share of the title's words that match
 *    the query, times 1.5 (a known-item search for "Orson Welles" wants
 *    the article titled that, not its sections "Orson Welles - Early
 *    life"; on enwiki title queries it lifts MRR from 0.845 to 0.853);
 *  - plus TITLE_PHRASE when the title holds the words typed, in that
 *    order, stopwords included: "Book of" wants "Book of Ezra" before
 *    "Book", "Battle of" the battles.  The title's text is read only for
 *    a row whose title has every word scored (the occurrences say so),
 *    holds the common grams of the words typed (looked up once per query,
 *    title_grams()) and may still be among the best k.
 *
 * The result is negated, so that ORDER BY rank puts the best row first, as
 * with FTS5's bm25().  The table's statistics (row count, average column
 * lengths, each phrase's row count, counted up to DF_SAMPLE and estimated
 * beyond) and the parsed spec are kept per query.
 * This file is also part of the SQLite extension.
 */
#include "fts.h"
#include "eaf-private.h"
#include "tokenize.h"

#ifdef EAF_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLUMNS 8
#define NARGS (MAX_COLUMNS + 4) /* and typed, optional, after them */
#define PROX_WINDOW 8      /* positions apart at most */
#define PROX_LOOKAHEAD 6   /* instances looked at after each one */
#define TITLE_COVERAGE 1.5 /* weight of the share of the title the query covers */
#define TITLE_PHRASE 1.5   /* of a title that holds the words as typed */
#define TITLE_TOKENS 64    /* tokens of a title compared, at most */
#define GRAMS_AFTER 32     /* titles read (most not holding the words)
                              before the grams are looked up */
/* A search that may run its title rows first (fts.h) asks for it at its
 * TITLE_FIRST_ROWS-th row when, at the rate its rows came in the table's
 * ids so far, it would rank TITLE_FIRST_EXPECT rows or more. */
#define TITLE_FIRST_ROWS 500
#define TITLE_FIRST_EXPECT 4000.0

typedef struct size_cache size_cache; /* below */

typedef struct inst {
    int col, pos, group;
} inst;

typedef struct rank_stats {
    int ncol, nphrase, ngroup;
    sqlite3_int64 id_lo, id_hi; /* the table's ids, when the spec gives them */
    int k;              /* the spec's k: rows wanted; 0: all scored exactly */
    /* the statistics of a whole shard set, when the spec gives them
     * ("n=", "tot=", "df="): used instead of this table's own */
    sqlite3_int64 g_nrow;       /* -1: not given */
    sqlite3_int64 *g_tot;       /* per column, -1: not given */
    double *g_df;               /* per phrase, -1: not given */
    double weight[MAX_COLUMNS], k1, b, prox; /* the knobs */
    int can_prune;      /* k, and knobs the bounds hold for (prune_ok) */
    const size_cache *sizes;    /* the connection's, when ready for this query */
    double *idf;        /* per phrase */
    double *avglen;     /* per column */
    int *group;         /* per phrase, -1: not scored */
    double *pweight;    /* per phrase */
    double *gidf;       /* per group: the largest IDF of its phrases */
    /* scratch for one row */
    double *tf;         /* per phrase * column */
    double *gscore;     /* per group */
    double *acc;        /* per group * group: proximity */
    inst *inst;         /* the row's instances of scored phrases */
    inst *tmp;          /* room to merge them, inst_cap too */
    int inst_cap;
    int *run;           /* per phrase + 1: where its instances start in inst */
    int nrun;
    /* the best k exact scores so far (a min-heap), and what bounds a row's
     * score before its occurrences are read */
    double *top;
    int ntop;
    sqlite3_int64 last_top; /* the row last kept there (ids > 0) */
    double words_max;   /* the most the words' BM25F can add (each below 1) */
    /* the words typed, as the table's tokenizer makes them: tokens each
     * NUL-terminated in typed, ntyped of them (0: no title phrase) */
    char *typed;
    int ntyped;
    unsigned char *gseen; /* per group: the row's title has it */
    int *at;            /* per group: where its word starts among the typed
                           tokens (NULL: not known, the title is read) */
    inst *tpos;         /* the row's occurrences in the title, TITLE_TOKENS */
    sqlite3_stmt *title_st; /* reads a row's title alone (an index of ours) */
    /* the common grams of the words typed (typed_grams(), title_grams()):
     * the MATCH of the titles that hold them, for ngram pairs of tokens;
     * once looked up (grams_state 1), the ids of those rows, in order */
    char *grams;
    int ngram, grams_state; /* 0: not yet, 1: in gram_ids, -1: not used */
    int reads, misses;  /* titles read, and those not holding the words */
    sqlite3_int64 *gram_ids;
    size_t ngram_ids;
    int row_title;      /* the row's title has a scored phrase (row_bounds()) */
    unsigned char *beyond; /* per phrase: the row has it past the title
                              (title_counts()); then per group: the row has
                              it (row_bounds()) */
    double prox_max;    /* the most the proximity bonus can add, before
                           its weight */
    eaf__rank_report *report; /* the connection's, when it has one */
    int title_first;    /* the spec's t: may ask for a first run on the
                           title rows (fts.h) */
    int nrank;          /* rows ranked so far, while title_first */
    double *hits;       /* per phrase: its rows, counted or estimated */
    int *psize;         /* per phrase: its size in words when the spec gives
                           it (0: FTS5's) */
} rank_stats;

static void stats_free(void *p)
{
    rank_stats *s = p;

    if (!s)
        return;
    eaf__free(s->idf);
    eaf__free(s->avglen);
    eaf__free(s->group);
    eaf__free(s->pweight);
    eaf__free(s->g_tot);
    eaf__free(s->g_df);
    eaf__free(s->hits);
    eaf__free(s->psize);
    eaf__free(s->gidf);
    eaf__free(s->tf);
    eaf__free(s->gscore);
    eaf__free(s->acc);
    eaf__free(s->inst);
    eaf__free(s->tmp);
    eaf__free(s->run);
    eaf__free(s->top);
    eaf__free(s->typed);
    eaf__free(s->gseen);
    eaf__free(s->at);
    eaf__free(s->tpos);
    sqlite3_finalize(s->title_st);
    eaf__free(s->grams);
    eaf__free(s->gram_ids);
    eaf__free(s->beyond);
    eaf__free(s);
}

/* Counting the articles with a phrase (its document frequency) means
 * reading its whole document list, which for a common word is most of the
 * index.  Past DF_SAMPLE articles the count stops, and the total is
 * estimated from how far into the table's ids the sample reached (ids
 * are given out in order, so the articles with the word are spread over
 * them evenly enough for an IDF): exact below that, within a few per cent
 * above it, and bounded in cost. */
#define DF_SAMPLE EAF__DF_SAMPLE

typedef struct df_count {
    sqlite3_int64 hits, last;
} df_count;

double eaf__rank_df(sqlite3_int64 hits, sqlite3_int64 last, sqlite3_int64 id_lo,
                    sqlite3_int64 id_hi, sqlite3_int64 nrow)
{
    double df = (double)hits;

    if (last > 0 && id_hi > id_lo && last >= id_lo) {
        /* stopped early: the sample covered the ids id_lo..last */
        df *= (double)(id_hi - id_lo + 1) / (double)(last - id_lo + 1);
        if (df > (double)nrow)
            df = (double)nrow;
    }
    return df;
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *ctx, void *user)
{
    df_count *c = user;

    if (++c->hits < DF_SAMPLE)
        return SQLITE_OK;
    c->last = api->xRowid(ctx);
    return SQLITE_DONE; /* stops xQueryPhrase without an error */
}

/*
 * Column sizes.  BM25 needs each row's column lengths, and FTS5's
 * xColumnSize reads them with an SQL statement per row: a quarter of the
 * work of ranking a large match set.  On a connection of an index of ours
 * (the table "fts"), the sizes of every row are kept in memory instead,
 * loaded on the first query that may match many rows (size_cache_wanted),
 * 2 bytes per column and row (about 2 MB for 123k articles, 16 MB for a
 * million: the fewer cache lines a query touches, the faster; a column of
 * 65,535 tokens or more is left to xColumnSize).  Before each query the
 * cache is checked against the database: unchanged (PRAGMA data_version for other
 * connections' commits, sqlite3_total_changes() for this one's), grown
 * only (the store counts in eaf_meta every change and deletion of an
 * existing article, "rewrites"; while it stays the same, new articles are
 * only appended, and only they are read), or reloaded.  A connection
 * without it, or a row it does not hold, uses xColumnSize.
 */
#define SIZE_BIG UINT16_MAX
/* The cache is loaded for a query that may match a 32nd of the rows. */
#define SIZE_CACHE_SHARE 32.0

struct size_cache {
    sqlite3 *db;
    int valid;
    sqlite3_int64 data_version, changes, rewrites; /* when last read */
    sqlite3_int64 lo, hi;     /* the ids held: lo..hi (hi < lo: none) */
    size_t cap;               /* rows of room */
    uint16_t *sz;             /* (id - lo) * MAX_COLUMNS + column; SIZE_BIG:
                                 larger, asked of FTS5 */
    eaf__rank_report *report; /* the library handle's (fts.h), or NULL */
};

static void size_cache_free(void *p)
{
    size_cache *c = p;

    if (!c)
        return;
    eaf__free(c->sz);
    eaf__free(c);
}

static int int_query(sqlite3 *db, const char *sql, sqlite3_int64 *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    *out = 0;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* An SQLite varint (FTS5 writes its sizes so); 0 bytes when cut short. */
static int get_varint(const unsigned char *p, int n, sqlite3_uint64 *v)
{
    int i;

    *v = 0;
    for (i = 0; i < n && i < 9; i++) {
        if (i == 8) {
            *v = (*v << 8) | p[i];
            return 9;
        }
        *v = (*v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80))
            return i + 1;
    }
    return 0;
}

/* Reads the sizes of the rows with ids above `after`. */
static int size_cache_read(size_cache *c, sqlite3_int64 after)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "SELECT id, sz FROM main.fts_docsize WHERE id > ?1"
                                       " ORDER BY id", -1, &st, NULL);

    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_int64(st, 1, after);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        const unsigned char *b = sqlite3_column_blob(st, 1);
        int n = sqlite3_column_bytes(st, 1), col, used;
        size_t row;

        if (c->hi < c->lo) /* empty: the first row sets the base */
            c->lo = c->hi = id;
        if (id < c->lo)
            continue; /* cannot happen: ids are read in order */
        row = (size_t)(id - c->lo);
        if (row >= c->cap) {
            size_t cap = c->cap ? c->cap : 1024;
            uint16_t *sz;
            while (cap <= row)
                cap *= 2;
            sz = eaf__realloc(c->sz, cap * MAX_COLUMNS * sizeof(*sz));
            if (!sz) {
                rc = SQLITE_NOMEM;
                break;
            }
            memset(sz + c->cap * MAX_COLUMNS, 0, (cap - c->cap) * MAX_COLUMNS * sizeof(*sz));
            c->sz = sz;
            c->cap = cap;
        }
        for (col = 0; col < MAX_COLUMNS; col++) {
            sqlite3_uint64 v = 0;
            used = b && n > 0 ? get_varint(b, n, &v) : 0;
            if (used) {
                b += used;
                n -= used;
            }
            c->sz[row * MAX_COLUMNS + (size_t)col] = v >= SIZE_BIG ? SIZE_BIG : (uint16_t)v;
        }
        if (id > c->hi)
            c->hi = id;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Makes the cache agree with the database; 0 when it cannot be used. */
static int size_cache_ready(size_cache *c)
{
    sqlite3_int64 dv = 0, rw = 0, ch;

    if (!c || int_query(c->db, "PRAGMA data_version", &dv) != SQLITE_OK)
        return 0;
    ch = sqlite3_total_changes64(c->db);
    if (c->valid && dv == c->data_version && ch == c->changes)
        return 1;
    if (int_query(c->db, "SELECT value FROM eaf_meta WHERE name = 'rewrites'", &rw) !=
        SQLITE_OK)
        return c->valid = 0;
    if (!c->valid || rw != c->rewrites) {
        /* from the start */
        c->lo = 1;
        c->hi = 0;
        if (c->sz)
            memset(c->sz, 0, c->cap * MAX_COLUMNS * sizeof(*c->sz));
        if (size_cache_read(c, 0) != SQLITE_OK)
            return c->valid = 0;
    } else if (size_cache_read(c, c->hi < c->lo ? 0 : c->hi) != SQLITE_OK) {
        /* only appended: the new rows */
        return c->valid = 0;
    }
    c->valid = 1;
    c->data_version = dv;
    c->changes = ch;
    c->rewrites = rw;
    return 1;
}

/* Is the cache worth having for a query that matches at most `matches` of
 * the table's `nrow` rows?  Loading it reads every row's sizes (a fifth of
 * a second for a million articles), while xColumnSize costs a few
 * microseconds a row: a query of rare words, the first of a short-lived
 * process (eafquery), does without it.  Once loaded it is kept up to date
 * for every query. */
static int size_cache_wanted(const size_cache *c, double matches, sqlite3_int64 nrow)
{
    return c && (c->valid || matches * SIZE_CACHE_SHARE >= (double)nrow);
}

/* The size of a column of the current row, from the cache when it has it. */
static int column_size(const Fts5ExtensionApi *api, Fts5Context *ctx, const size_cache *c,
                       int col, int *len)
{
    if (c && col < MAX_COLUMNS) {
        sqlite3_int64 id = api->xRowid(ctx);
        if (id >= c->lo && id <= c->hi) {
            uint16_t v = c->sz[(size_t)(id - c->lo) * MAX_COLUMNS + (size_t)col];
            if (v != SIZE_BIG) {
                *len = v;
                return SQLITE_OK;
            }
        }
    }
    return api->xColumnSize(ctx, col, len);
}

/* Reads a list "a,b,c" of up to n numbers into v (as doubles); returns
 * where it ends. */
static const char *number_list(const char *p, double *v, int n)
{
    int i = 0;
    char *end;

    for (;;) {
        double d = strtod(p, &end);
        if (end == p)
            return p;
        if (i < n)
            v[i++] = d;
        p = end;
        if (*p != ',')
            return p;
        p++;
    }
}

/* Reads "[ids=LO-HI ][k=K ][t=1 ][n=N tot=T,.. df=D,.. ]g:w[:size] g:w ..." (the
 * options in any order) into the range of the table's ids, the rows
 * wanted, the statistics of a shard set (shard.c: its row count, each
 * column's total size, each phrase's document frequency as the one
 * file of the same articles would estimate it) and the per-phrase
 * groups and weights. */
static void parse_spec(rank_stats *s, const char *spec)
{
    const char *p = spec;
    int i;
    char *end;

    for (i = 0; i < s->nphrase; i++) {
        s->group[i] = i;
        s->pweight[i] = 1.0;
    }
    s->ngroup = s->nphrase;
    if (!spec)
        return;
    for (;;) { /* the options, in any order */
        if (strncmp(p, "ids=", 4) == 0) {
            s->id_lo = strtoll(p + 4, &end, 10);
            if (*end == '-')
                s->id_hi = strtoll(end + 1, &end, 10);
        } else if (strncmp(p, "t=", 2) == 0) {
            s->title_first = strtol(p + 2, &end, 10) != 0;
        } else if (strncmp(p, "k=", 2) == 0) {
            long k = strtol(p + 2, &end, 10);
            s->k = k > 0 && k <= EAF__RANK_TOP_MAX ? (int)k : 0;
        } else if (strncmp(p, "n=", 2) == 0) {
            s->g_nrow = strtoll(p + 2, &end, 10);
        } else if (strncmp(p, "tot=", 4) == 0) {
            double v[MAX_COLUMNS];
            int c;
            for (c = 0; c < MAX_COLUMNS; c++)
                v[c] = -1.0;
            end = (char *)number_list(p + 4, v, MAX_COLUMNS);
            for (c = 0; c < s->ncol; c++)
                s->g_tot[c] = (sqlite3_int64)v[c];
        } else if (strncmp(p, "df=", 3) == 0) {
            end = (char *)number_list(p + 3, s->g_df, s->nphrase);
        } else {
            break;
        }
        p = end;
        while (*p == ' ')
            p++;
    }
    s->ngroup = 0;
    for (i = 0; i < s->nphrase && *p; i++) {
        long g = strtol(p, &end, 10);
        double w = 1.0;
        if (end == p)
            break;
        p = end;
        if (*p == ':') {
            w = strtod(p + 1, &end);
            p = end;
        }
        if (*p == ':') { /* the phrase's size, when not FTS5's (search.c) */
            long size = strtol(p + 1, &end, 10);
            s->psize[i] = size > 0 && size < 1000 ? (int)size : 0;
            p = end;
        }
        while (*p == ' ')
            p++;
        s->group[i] = g < 0 || g >= s->nphrase ? -1 : (int)g;
        s->pweight[i] = w;
        if (s->group[i] >= s->ngroup)
            s->ngroup = s->group[i] + 1;
    }
    for (; i < s->nphrase; i++) /* phrases the spec did not describe */
        s->group[i] = s->ngroup++;
}

/* Reads the statistics of the table and of the query's phrases. */
static int stats_load(const Fts5ExtensionApi *api, Fts5Context *ctx, const char *spec,
                      rank_stats **out)
{
    rank_stats *s = eaf__calloc(1, sizeof(*s));
    sqlite3_int64 nrow = 0, total;
    double matches = 0.0;
    int rc, i;
    size_t np, nc;

    *out = NULL;
    if (!s)
        return SQLITE_NOMEM;
    s->ncol = api->xColumnCount(ctx);
    if (s->ncol > MAX_COLUMNS)
        s->ncol = MAX_COLUMNS;
    s->nphrase = api->xPhraseCount(ctx);
    np = (size_t)s->nphrase + 1;
    nc = (size_t)s->ncol + 1;
    s->idf = eaf__calloc(np, sizeof(double));
    s->avglen = eaf__calloc(nc, sizeof(double));
    s->group = eaf__calloc(np, sizeof(int));
    s->pweight = eaf__calloc(np, sizeof(double));
    s->tf = eaf__calloc(np * nc, sizeof(double));
    s->run = eaf__calloc(np + 1, sizeof(int));
    s->g_tot = eaf__calloc(nc, sizeof(*s->g_tot));
    s->g_df = eaf__calloc(np, sizeof(double));
    s->hits = eaf__calloc(np, sizeof(double));
    s->psize = eaf__calloc(np, sizeof(int));
    if (!s->idf || !s->avglen || !s->group || !s->pweight || !s->tf || !s->run || !s->g_tot ||
        !s->g_df || !s->hits || !s->psize) {
        stats_free(s);
        return SQLITE_NOMEM;
    }
    s->g_nrow = -1;
    for (i = 0; i < s->ncol; i++)
        s->g_tot[i] = -1;
    for (i = 0; i < s->nphrase; i++)
        s->g_df[i] = -1.0;
    parse_spec(s, spec);
    s->gidf = eaf__calloc((size_t)s->ngroup + 1, sizeof(double));
    s->gscore = eaf__calloc((size_t)s->ngroup + 1, sizeof(double));
    s->acc = eaf__calloc((size_t)(s->ngroup * s->ngroup) + 1, sizeof(double));
    if (!s->gidf || !s->gscore || !s->acc) {
        stats_free(s);
        return SQLITE_NOMEM;
    }
    rc = api->xRowCount(ctx, &nrow);
    if (s->g_nrow >= 0)
        nrow = s->g_nrow;
    for (i = 0; rc == SQLITE_OK && i < s->ncol; i++) {
        if (s->g_tot[i] >= 0)
            total = s->g_tot[i];
        else
            rc = api->xColumnTotalSize(ctx, i, &total);
        s->avglen[i] = nrow > 0 ? (double)total / (double)nrow : 0.0;
    }
    for (i = 0; rc == SQLITE_OK && i < s->nphrase; i++) {
        df_count c = {0, 0};
        double hits;

        if (s->group[i] < 0)
            continue; /* not scored: spare the count */
        if (s->g_df[i] >= 0.0) {
            hits = s->g_df[i];
        } else {
            rc = api->xQueryPhrase(ctx, i, &c, count_row);
            hits = eaf__rank_df(c.hits, c.last, s->id_lo, s->id_hi, nrow);
        }
        s->hits[i] = hits;
        s->idf[i] = log(1.0 + ((double)nrow - hits + 0.5) / (hits + 0.5));
        if (s->idf[i] > s->gidf[s->group[i]])
            s->gidf[s->group[i]] = s->idf[i];
        matches += hits;
    }
    if (rc != SQLITE_OK) {
        stats_free(s);
        return rc;
    }
    for (i = 0; i < s->nphrase; i++) {
        double most = s->pweight[i] * s->idf[i];
        if (s->group[i] >= 0 && most > s->gscore[s->group[i]])
            s->gscore[s->group[i]] = most;
    }
    for (i = 0; i < s->ngroup; i++) {
        int j;
        s->words_max += s->gscore[i];
        for (j = i + 1; j < s->ngroup; j++)
            s->prox_max += s->gidf[i] < s->gidf[j] ? s->gidf[i] : s->gidf[j];
    }
    if (s->k > 0 && !(s->top = eaf__calloc((size_t)s->k, sizeof(double)))) {
        stats_free(s);
        return SQLITE_NOMEM;
    }
    if (size_cache_wanted(api->xUserData(ctx), matches, nrow) &&
        size_cache_ready(api->xUserData(ctx)))
        s->sizes = api->xUserData(ctx);
    *out = s;
    return SQLITE_OK;
}

static int before(const inst *a, const inst *b)
{
    return a->col != b->col ? a->col < b->col : a->pos < b->pos;
}

/* Sorts the row's instances by column and position.  Each phrase's come
 * in that order already (FTS5 keeps them so): its runs are merged in
 * pairs, O(n log runs) and no calls through a comparison pointer (qsort
 * was a tenth of a query for a word with many forms). */
static void merge_runs(rank_stats *s, int n)
{
    while (s->nrun > 1) {
        int r, out = 0, nrun = 0;
        inst *t;

        for (r = 0; r < s->nrun; r += 2) {
            int a = s->run[r], ae = r + 1 < s->nrun ? s->run[r + 1] : n;
            int b = ae, be = r + 2 < s->nrun ? s->run[r + 2] : n;

            s->run[nrun++] = out;
            while (a < ae && b < be)
                s->tmp[out++] = before(&s->inst[b], &s->inst[a]) ? s->inst[b++] : s->inst[a++];
            while (a < ae)
                s->tmp[out++] = s->inst[a++];
            while (b < be)
                s->tmp[out++] = s->inst[b++];
        }
        s->nrun = nrun;
        t = s->inst;
        s->inst = s->tmp;
        s->tmp = t;
    }
}

/* The proximity bonus of the row's instances (already in s->inst). */
static double proximity(rank_stats *s, int n)
{
    double bonus = 0.0;
    int i, j, g = s->ngroup;

    if (g < 2 || n < 2)
        return 0.0;
    for (i = 1; i < n && s->inst[i].group == s->inst[0].group; i++)
        ;
    if (i == n)
        return 0.0; /* one word only: no pair */
    merge_runs(s, n);
    memset(s->acc, 0, (size_t)(g * g) * sizeof(double));
    for (i = 0; i < n; i++) {
        for (j = i + 1; j < n && j <= i + PROX_LOOKAHEAD; j++) {
            int d = s->inst[j].pos - s->inst[i].pos;
            int a = s->inst[i].group, b = s->inst[j].group;
            if (s->inst[j].col != s->inst[i].col || d > PROX_WINDOW)
                break;
            if (a == b || d <= 0)
                continue;
            if (a > b) {
                int t = a;
                a = b;
                b = t;
            }
            s->acc[a * g + b] += 1.0 / ((double)d * (double)d);
        }
    }
    for (i = 0; i < g; i++) {
        for (j = i + 1; j < g; j++) {
            double acc = s->acc[i * g + j];
            if (acc > 0.0)
                bonus += (s->gidf[i] < s->gidf[j] ? s->gidf[i] : s->gidf[j]) * acc /
                         (1.0 + acc);
        }
    }
    return bonus;
}

/* The share of the title's words that are the query's (1: the title is
 * the query), which lifts the article whose title is what was typed above
 * the many that merely mention it. */
static double title_coverage(const Fts5ExtensionApi *api, Fts5Context *ctx,
                             const rank_stats *s)
{
    double hit = 0.0;
    int p, len = 0;

    for (p = 0; p < s->nphrase; p++)
        if (s->tf[p * s->ncol] > 0.0 && s->group[p] >= 0 && s->gidf[s->group[p]] > 0.0)
            hit += s->tf[p * s->ncol] * (s->psize[p] ? s->psize[p] : api->xPhraseSize(ctx, p));
    if (hit == 0.0 || column_size(api, ctx, s->sizes, 0, &len) != SQLITE_OK || len <= 0)
        return 0.0;
    return hit >= len ? 1.0 : hit / len;
}

/* ---- the words as typed, in the title -------------------------------------- */

/* Tokens of a text, as the table's tokenizer makes them for a document
 * (the forms it adds at a token's place left out), into a buffer of
 * NUL-terminated tokens. */
typedef struct token_list {
    char *p;
    size_t n, cap;
    int count, nomem;
} token_list;

static int add_token(void *ctx, int tflags, const char *tok, int ntok, int start, int end)
{
    token_list *l = ctx;

    (void)start;
    (void)end;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (l->count >= TITLE_TOKENS)
        return SQLITE_DONE; /* enough to compare */
    if (l->n + (size_t)ntok + 1 > l->cap) {
        size_t cap = (l->cap ? 2 * l->cap : 128) + (size_t)ntok + 1;
        char *np = eaf__realloc(l->p, cap);
        if (!np) {
            l->nomem = 1;
            return SQLITE_NOMEM;
        }
        l->p = np;
        l->cap = cap;
    }
    memcpy(l->p + l->n, tok, (size_t)ntok);
    l->n += (size_t)ntok;
    l->p[l->n++] = '\0';
    l->count++;
    return SQLITE_OK;
}

/* The common grams of the typed argument (plan_title.c), "\x1fa b\x1f\x1fc d"
 * up to the '|', one for each pair of typed tokens (empty: none), into
 * s->grams: the MATCH of the titles that hold each run of grams of
 * consecutive pairs as a phrase ("{title} : ("a b" + "b c" "d e")"), and
 * the number of pairs into s->ngram.  None when out of memory (the
 * titles are then read). */
static void typed_grams(rank_stats *s, const char *p, const char *bar)
{
    static const char pre[] = "{title} : (", post[] = ")";
    char *out;
    int prev = 0;

    /* at most 5 bytes more a gram (quotes, " + ", the marker) */
    if (!(s->grams = out = eaf__malloc(sizeof pre + 5 * (size_t)(bar - p) + sizeof post)))
        return;
    out += sprintf(out, "%s", pre);
    while (p < bar && *p == EAF__SYNTH_GRAM) {
        const char *end = p + 1;
        while (end < bar && *end != EAF__SYNTH_GRAM && *end != '"')
            end++;
        if (end < bar && *end == '"')
            break; /* no gram of ours */
        if (end > p + 1)
            out += sprintf(out, "%s\"%c%.*s\"", prev ? " + " : " ", EAF__SYNTH_TERM,
                           (int)(end - p), p);
        prev = end > p + 1;
        s->ngram++;
        p = end;
    }
    sprintf(out, "%s", post);
    if (p != bar) {
        eaf__free(s->grams);
        s->grams = NULL;
        s->ngram = 0;
    }
}

/* Where each group's word starts among the typed tokens, from "0,2|":
 * s->at, when the list has a place for each group (else the title is read
 * for every row whose title has every group), and the common grams after
 * the places (typed_grams()).  Returns the words after the '|', or NULL
 * on a malformed argument. */
static const char *typed_places(rank_stats *s, const char *arg)
{
    const char *p = arg, *bar = strchr(arg, '|'), *grams;
    int g = 0;

    if (!bar)
        return NULL;
    grams = memchr(arg, EAF__SYNTH_GRAM, (size_t)(bar - arg));
    if (grams)
        typed_grams(s, grams, bar);
    else
        grams = bar;
    if (s->ngroup > 0 && (s->at = eaf__calloc((size_t)s->ngroup, sizeof(int)))) {
        while (p < grams) {
            char *end;
            long v = strtol(p, &end, 10);
            if (end == p || v < 0 || v >= TITLE_TOKENS || g >= s->ngroup)
                break;
            s->at[g++] = (int)v;
            p = *end == ',' ? end + 1 : end;
        }
        if (p != grams || g != s->ngroup) {
            eaf__free(s->at);
            s->at = NULL;
        }
    }
    return bar + 1;
}

/* The words typed, tokenized once for the query into s->typed. */
static int typed_load(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s,
                      sqlite3_value *v)
{
    const char *arg = (const char *)sqlite3_value_text(v), *text;
    token_list l = {NULL, 0, 0, 0, 0};
    int rc;

    if (!arg || !(text = typed_places(s, arg)) || !*text)
        return SQLITE_OK;
    if (!(s->tpos = eaf__calloc(TITLE_TOKENS, sizeof(inst))))
        return SQLITE_NOMEM;
    rc = api->xTokenize(ctx, text, (int)strlen(text), &l, add_token);
    if (l.nomem || (rc != SQLITE_OK && rc != SQLITE_DONE) || l.count < 2 ||
        !(s->gseen = eaf__calloc((size_t)s->ngroup + 1, 1))) {
        eaf__free(l.p);
        return l.nomem || (rc != SQLITE_OK && rc != SQLITE_DONE) ? SQLITE_NOMEM : SQLITE_OK;
    }
    s->typed = l.p;
    s->ntyped = l.count;
    if (s->grams && s->ngram != s->ntyped - 1) {
        eaf__free(s->grams); /* not the pairs of these tokens */
        s->grams = NULL;
    }
    {
        /* FTS5 reads a row's text with every column of the article, its
         * body too (overflow pages, ten times the work of the title) */
        const size_cache *c = api->xUserData(ctx);
        if (c && c->db &&
            sqlite3_prepare_v3(c->db, "SELECT title FROM article WHERE id = ?1",
                               -1, SQLITE_PREPARE_PERSISTENT, &s->title_st, NULL) != SQLITE_OK)
            s->title_st = NULL; /* then through FTS5 */
    }
    return SQLITE_OK;
}

/* Looks up the rows whose title holds the common grams of the words
 * typed at their places (one query of the index, s->grams, on the
 * connection of the query being ranked) into s->gram_ids.  A run of grams is a phrase of at least one word besides
 * stopwords, so its rows are at most those of the word, most often a
 * few, and FTS5 finds them in the lists of its rarest gram: "and early"
 * is in 133 of the 16,254 enwiki titles with "early", "demographics of
 * the" in 138 of the 1,176 titles with "demographics of".  They match
 * the stems: only a title among them can hold the words as typed (which
 * title_holds() still reads).  On any failure the grams are not used
 * (grams_state -1). */
static void title_grams(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    const size_cache *c = api->xUserData(ctx);
    sqlite3_stmt *st = NULL;
    size_t n = 0, cap = 0;
    int rc;

    s->grams_state = -1;
    if (!c || !c->db ||
        sqlite3_prepare_v2(c->db, "SELECT rowid FROM main.fts WHERE fts MATCH ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    {
        /* While FTS5 sorts the rows of "ORDER BY rank" (its first step
         * ranks them all), any query of its table is given the rows of
         * the query sorted instead (fts5FilterMethod(), pSortCsr): a
         * token no row has tells */
        static const char none[] = {'"', EAF__SYNTH_TERM, EAF__SYNTH_FORM, '0', '"', 0};
        sqlite3_bind_text(st, 1, none, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            sqlite3_finalize(st);
            return;
        }
    }
    sqlite3_bind_text(st, 1, s->grams, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        if (n && id <= s->gram_ids[n - 1])
            break; /* not in the order of the ids: not used */
        if (n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            sqlite3_int64 *ni = eaf__realloc(s->gram_ids, nc * sizeof(*ni));
            if (!ni)
                break;
            s->gram_ids = ni;
            cap = nc;
        }
        s->gram_ids[n++] = id;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        s->ngram_ids = n;
        s->grams_state = 1;
    }
}

/* May the row's title hold the common grams of the words typed?  It may
 * until they are looked up: only once GRAMS_AFTER titles were read and
 * three in four of them did not hold the words (when most do, "History
 * of", their reads cost less than the lookup of thousands of titles). */
static int title_has_grams(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    sqlite3_int64 id;
    size_t lo = 0, hi;

    if (!s->grams || s->grams_state < 0)
        return 1;
    if (s->grams_state == 0) {
        if (s->reads < GRAMS_AFTER || 4 * s->misses < 3 * s->reads)
            return 1;
        title_grams(api, ctx, s);
        if (s->grams_state < 0)
            return 1;
    }
    id = api->xRowid(ctx);
    hi = s->ngram_ids;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->gram_ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->ngram_ids && s->gram_ids[lo] == id;
}

/* Has the title an occurrence of group g at position pos (of the n in
 * s->tpos)? */
static int title_has(const rank_stats *s, int n, int g, int pos)
{
    int i;

    for (i = 0; i < n; i++)
        if (s->tpos[i].group == g && s->tpos[i].pos == pos)
            return 1;
    return 0;
}

/* May the row's title hold the words typed?  It must have an occurrence of
 * every group scored (s->tf's title column, as title_counts() or
 * count_occurrences() left it) and, when the places of the groups' words
 * are known, have them at those places from one start, with room for the
 * other words after it (which only the text can tell: stopwords are no
 * phrases of the query).  Most titles with "history" fail "History of"
 * here, "Japan - History" having nothing after the word. */
static int title_words_may_hold(const Fts5ExtensionApi *api, Fts5Context *ctx,
                                rank_stats *s)
{
    int p, g, seen = 0, n = 0, len = 0, i, rc = SQLITE_OK;

    if (!s->ntyped)
        return 0;
    memset(s->gseen, 0, (size_t)s->ngroup);
    for (p = 0; p < s->nphrase; p++) {
        g = s->group[p];
        if (g >= 0 && s->tf[p * s->ncol] > 0.0 && !s->gseen[g]) {
            s->gseen[g] = 1;
            seen++;
        }
    }
    if (seen != s->ngroup || !s->at)
        return seen == s->ngroup;
    /* the title's occurrences of the scored phrases, and its length */
    for (p = 0; rc == SQLITE_OK && p < s->nphrase; p++) {
        Fts5PhraseIter it;
        int ic = -1, io = 0;

        if (s->group[p] < 0)
            continue;
        rc = api->xPhraseFirst(ctx, p, &it, &ic, &io);
        for (; rc == SQLITE_OK && ic == 0; api->xPhraseNext(ctx, &it, &ic, &io)) {
            if (n == TITLE_TOKENS)
                return 1; /* a long title: let its text tell */
            s->tpos[n].group = s->group[p];
            s->tpos[n++].pos = io;
        }
    }
    if (rc != SQLITE_OK || column_size(api, ctx, s->sizes, 0, &len) != SQLITE_OK)
        return 1;
    for (i = 0; i < n; i++) {
        int start = s->tpos[i].pos - s->at[s->tpos[i].group];
        if (start < 0 || start + s->ntyped > len)
            continue;
        for (g = 0; g < s->ngroup; g++)
            if (!title_has(s, n, g, start + s->at[g]))
                break;
        if (g == s->ngroup)
            return 1;
    }
    return 0;
}

/* May the row's title hold the words typed: its occurrences (above), then
 * the grams. */
static int title_may_hold(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    return title_words_may_hold(api, ctx, s) && title_has_grams(api, ctx, s);
}

/* Does the row's title hold the words typed, in order, one after the
 * other?  Reads and tokenizes the title.  1, 0, or -1 on an error. */
static int title_holds(const Fts5ExtensionApi *api, Fts5Context *ctx, const rank_stats *s)
{
    token_list l = {NULL, 0, 0, 0, 0};
    const char *text = NULL, *t, *q;
    int n = 0, rc, i, j, found = 0;

    if (s->title_st) {
        sqlite3_bind_int64(s->title_st, 1, api->xRowid(ctx));
        rc = sqlite3_step(s->title_st);
        if (rc == SQLITE_ROW) {
            text = (const char *)sqlite3_column_text(s->title_st, 0);
            n = sqlite3_column_bytes(s->title_st, 0);
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    } else {
        rc = api->xColumnText(ctx, 0, &text, &n);
    }
    if (rc == SQLITE_OK && text && n > 0)
        rc = api->xTokenize(ctx, text, n, &l, add_token);
    if (s->title_st)
        sqlite3_reset(s->title_st);
    if (l.nomem || (rc != SQLITE_OK && rc != SQLITE_DONE)) {
        eaf__free(l.p);
        return -1;
    }
    if (!l.p)
        return 0;
    for (i = 0, t = l.p; !found && i + s->ntyped <= l.count; i++, t += strlen(t) + 1) {
        const char *u = t;
        for (j = 0, q = s->typed; j < s->ntyped; j++, q += strlen(q) + 1, u += strlen(u) + 1)
            if (strcmp(q, u) != 0)
                break;
        found = j == s->ntyped;
    }
    eaf__free(l.p);
    return found;
}

/*
 * Rows that cannot be among the best k.  A query for common words
 * ("the of") matches most of the table, and reading a row's hundred
 * occurrences of them to score it costs far more than FTS5's visit of the
 * row.  With k in the spec, the best k exact scores so far are kept, and a
 * row is first bounded: its words' BM25F is below the sum over groups of
 * the largest weight * IDF (the saturation stays under 1), its proximity
 * bonus below the weight times the sum over pairs of groups of the smaller
 * IDF, and its title's coverage is read exactly from the title's
 * occurrences, which FTS5 gives first, as is whether the title may hold
 * the words typed (TITLE_PHRASE when it may).  Reading the title's
 * occurrences also tells which phrases the row has at all and which only
 * in its title (row_bounds()): a phrase it lacks adds nothing, one only
 * in the title adds exactly its title's part, and only the groups the row
 * has make pairs for the proximity bonus.  A row of "America Countries"
 * with "American" but not "America" is bounded by the weight of the
 * other form (0.5), most rows of a search of five words ("Bank of
 * England gold reserves", any of them) by the words they have.  When that
 * bound is below the k-th
 * best score, the bound is the row's rank; otherwise its BM25F and coverage
 * are computed, and if those plus the proximity bound are still below,
 * that is the rank.  A row of the true best k scores at least the k-th
 * best seen so far, so it is always scored exactly; every other row ranks
 * below them, so "ORDER BY rank LIMIT k" (and OFFSET within k) returns
 * what it would without k.  Only the ranks of the rows after the k-th
 * differ, which the caller does not read.
 *
 * The bounds hold for the knobs a search can set: weights of 0 or more,
 * k1 above 0, b from 0 to 1, proximity of 0 or more (prune_ok).
 */
static void top_push(rank_stats *s, double v)
{
    int i = 0;

    if (s->ntop < s->k) {
        /* sift up */
        i = s->ntop++;
        while (i > 0 && s->top[(i - 1) / 2] > v) {
            s->top[i] = s->top[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        s->top[i] = v;
        return;
    }
    if (v <= s->top[0])
        return;
    for (;;) { /* sift down from the root */
        int c = 2 * i + 1;
        if (c >= s->k)
            break;
        if (c + 1 < s->k && s->top[c + 1] < s->top[c])
            c++;
        if (s->top[c] >= v)
            break;
        s->top[i] = s->top[c];
        i = c;
    }
    s->top[i] = v;
}

/* Is a bound surely below the k-th best score (with room for the
 * rounding of a sum taken in another order)? */
static int below_top(const rank_stats *s, double bound)
{
    return s->ntop == s->k && bound + 1e-9 * (1.0 + fabs(bound)) < s->top[0];
}

static int prune_ok(const double *weight, double k1, double b, double prox)
{
    int c;

    for (c = 0; c < MAX_COLUMNS; c++)
        if (!(weight[c] >= 0.0))
            return 0;
    return k1 > 0.0 && b >= 0.0 && b <= 1.0 && prox >= 0.0;
}

/* The title's occurrences of the scored phrases into s->tf (the title's
 * column only, which is all title_coverage() reads), and whether the row
 * has each past its title into s->beyond. */
static int title_counts(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    int p, rc = SQLITE_OK;

    if (!s->beyond &&
        !(s->beyond = eaf__calloc((size_t)s->nphrase + (size_t)s->ngroup + 1, 1)))
        return SQLITE_NOMEM;
    for (p = 0; rc == SQLITE_OK && p < s->nphrase; p++) {
        Fts5PhraseIter it;
        int ic = -1, io = 0;

        s->tf[p * s->ncol] = 0.0;
        s->beyond[p] = 0;
        if (s->group[p] < 0)
            continue;
        rc = api->xPhraseFirst(ctx, p, &it, &ic, &io);
        for (; rc == SQLITE_OK && ic == 0; api->xPhraseNext(ctx, &it, &ic, &io))
            s->tf[p * s->ncol] += 1.0;
        s->beyond[p] = ic > 0; /* (the occurrences come by column) */
    }
    return rc;
}

/* The most the row's words can add, from what title_counts() read: into
 * *words, their BM25F (a phrase the row lacks adds nothing; one only in
 * its title, exactly what group_scores() will give it; any other, at most
 * its weight times its IDF), into *prox, the proximity bonus before its
 * weight (the pairs of groups the row has).  Never above words_max and
 * prox_max. */
static int row_bounds(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s,
                      double *words, double *prox)
{
    unsigned char *has = s->beyond + s->nphrase;
    int p, g, h, rc = SQLITE_OK;

    *words = *prox = 0.0;
    s->row_title = 0;
    for (g = 0; g < s->ngroup; g++) { /* (a few: no call to memset) */
        s->gscore[g] = 0.0;
        has[g] = 0;
    }
    for (p = 0; rc == SQLITE_OK && p < s->nphrase; p++) {
        double t = s->tf[p * s->ncol], most;
        int len = 0;

        if ((g = s->group[p]) < 0 || (t == 0.0 && !s->beyond[p]))
            continue;
        has[g] = 1;
        s->row_title |= t > 0.0;
        if (s->beyond[p]) {
            most = s->pweight[p] * s->idf[p];
        } else if (s->weight[0] == 0.0) {
            most = 0.0;
        } else {
            /* group_scores()'s arithmetic for the title alone */
            rc = column_size(api, ctx, s->sizes, 0, &len);
            if (s->avglen[0] > 0.0 && s->b > 0.0)
                t /= 1.0 - s->b + s->b * (double)len / s->avglen[0];
            t *= s->weight[0];
            most = s->pweight[p] * s->idf[p] * t / (s->k1 + t);
        }
        if (most > s->gscore[g])
            s->gscore[g] = most;
    }
    for (g = 0; g < s->ngroup; g++) {
        *words += s->gscore[g];
        for (h = g + 1; has[g] && h < s->ngroup; h++)
            if (has[h])
                *prox += s->gidf[g] < s->gidf[h] ? s->gidf[g] : s->gidf[h];
    }
    return rc;
}

/* A query with k in its spec begins to report (fts.h): what bounds the
 * score of a row that has none of the scored phrases in its title.  Its
 * words' BM25F and the proximity bonus only: such a title covers none of
 * the query and cannot hold the words typed (title_coverage(),
 * title_words_may_hold(), which needs every group in the title). */
static void report_begin(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    const size_cache *c = api->xUserData(ctx);
    eaf__rank_report *r;

    if (!c || !c->report || s->k == 0)
        return;
    s->report = r = c->report;
    r->serial++;
    r->ask = 0;
    r->full = 0;
    r->kth = 0.0;
    r->rest = s->can_prune && s->ngroup > 0 ? s->words_max + s->prox * s->prox_max : -1.0;
    if (r->rest < 0.0 || s->ngroup != 1 || s->nphrase > EAF__RANK_REPORT_PHRASES ||
        s->id_hi <= s->id_lo)
        s->title_first = 0;
}

/* Should a query that may run its title rows first ask for it, at this
 * row?  Then the report says so, with the phrases' row counts. */
static int report_ask(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    sqlite3_int64 id;
    int i;

    if (++s->nrank < TITLE_FIRST_ROWS)
        return 0;
    s->title_first = 0; /* asked once, at most */
    id = api->xRowid(ctx);
    if (id <= s->id_lo || id >= s->id_hi ||
        (double)s->nrank * (double)(s->id_hi - s->id_lo) / (double)(id - s->id_lo) <
            TITLE_FIRST_EXPECT)
        return 0;
    for (i = 0; i < s->nphrase; i++)
        s->report->hits[i] = s->group[i] < 0 ? -1.0 : s->hits[i];
    s->report->nphrase = s->nphrase;
    s->report->ask = 1;
    return 1;
}

/* The query's statistics and knobs, read on its first row into *out and kept
 * as the context's aux data: an SQLite result code. */
static int query_stats(const Fts5ExtensionApi *api, Fts5Context *ctx, int nval,
                       sqlite3_value **vals, rank_stats **out)
{
    const char *spec = nval >= NARGS ? (const char *)sqlite3_value_text(vals[NARGS - 1])
                                     : NULL;
    rank_stats *s = NULL;
    int rc, c;

    rc = stats_load(api, ctx, spec, &s);
    if (rc == SQLITE_OK)
        rc = api->xSetAuxdata(ctx, s, stats_free);
    if (rc != SQLITE_OK)
        return rc;
    for (c = 0; c < MAX_COLUMNS; c++)
        s->weight[c] = c < nval ? sqlite3_value_double(vals[c]) : 1.0;
    s->k1 = nval > MAX_COLUMNS ? sqlite3_value_double(vals[MAX_COLUMNS]) : 1.2;
    s->b = nval > MAX_COLUMNS + 1 ? sqlite3_value_double(vals[MAX_COLUMNS + 1]) : 0.75;
    s->prox = nval > MAX_COLUMNS + 2 ? sqlite3_value_double(vals[MAX_COLUMNS + 2]) : 0.0;
    s->can_prune = s->k > 0 && prune_ok(s->weight, s->k1, s->b, s->prox);
    if (nval > NARGS && s->ncol > 0 && (rc = typed_load(api, ctx, s, vals[NARGS])) != SQLITE_OK)
        return rc;
    report_begin(api, ctx, s);
    *out = s;
    return SQLITE_OK;
}

/* The row's occurrences of the scored phrases, counted per column into s->tf and,
 * with a proximity weight, kept in s->inst (*nkept of them) in runs of a phrase
 * each.  The occurrences of the other phrases are never looked at: a stopword or
 * an excluded phrase may occur a hundred times in an article (xInstCount would
 * decode them all). */
static int count_occurrences(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s,
                             int *nkept)
{
    int rc = SQLITE_OK, p;

    memset(s->tf, 0, (size_t)(s->nphrase * s->ncol) * sizeof(double));
    s->nrun = 0;
    for (p = 0; rc == SQLITE_OK && p < s->nphrase; p++) {
        Fts5PhraseIter it;
        int ic = -1, io = 0;

        if (s->group[p] < 0)
            continue;
        if (s->prox > 0.0 && (s->nrun == 0 || s->run[s->nrun - 1] < *nkept))
            s->run[s->nrun++] = *nkept; /* a new run: this phrase's */
        rc = api->xPhraseFirst(ctx, p, &it, &ic, &io);
        for (; rc == SQLITE_OK && ic >= 0; api->xPhraseNext(ctx, &it, &ic, &io)) {
            if (ic >= s->ncol)
                continue;
            s->tf[p * s->ncol + ic] += 1.0;
            if (s->prox <= 0.0)
                continue;
            if (*nkept == s->inst_cap) {
                int cap = s->inst_cap ? 2 * s->inst_cap : 64;
                inst *ni = eaf__realloc(s->inst, (size_t)cap * sizeof(inst));
                if (ni)
                    s->inst = ni;
                ni = ni ? eaf__realloc(s->tmp, (size_t)cap * sizeof(inst)) : NULL;
                if (!ni) {
                    rc = SQLITE_NOMEM;
                    break;
                }
                s->tmp = ni;
                s->inst_cap = cap;
            }
            s->inst[*nkept].col = ic;
            s->inst[*nkept].pos = io;
            s->inst[*nkept].group = s->group[p];
            (*nkept)++;
        }
    }
    return rc;
}

/* Each group's score into s->gscore: the best BM25F of its phrases, from the
 * counts in s->tf. */
static int group_scores(const Fts5ExtensionApi *api, Fts5Context *ctx, rank_stats *s)
{
    int rc = SQLITE_OK, p, c;

    memset(s->gscore, 0, (size_t)s->ngroup * sizeof(double));
    for (p = 0; rc == SQLITE_OK && p < s->nphrase; p++) {
        double tf = 0.0, sp;
        if (s->group[p] < 0)
            continue;
        for (c = 0; rc == SQLITE_OK && c < s->ncol; c++) {
            double f = s->tf[p * s->ncol + c];
            int len = 0;
            if (f == 0.0 || s->weight[c] == 0.0)
                continue;
            rc = column_size(api, ctx, s->sizes, c, &len);
            if (s->avglen[c] > 0.0 && s->b > 0.0)
                f /= 1.0 - s->b + s->b * (double)len / s->avglen[c];
            tf += s->weight[c] * f;
        }
        sp = s->pweight[p] * s->idf[p] * tf / (s->k1 + tf);
        if (sp > s->gscore[s->group[p]])
            s->gscore[s->group[p]] = sp;
    }
    return rc;
}

/* The rank of a row (negated score: FTS5 orders by rank ascending).  Runs for
 * every row matched: the steps above are static with one caller, inlined. */
static void rank_function(const Fts5ExtensionApi *api, Fts5Context *ctx,
                          sqlite3_context *result, int nval, sqlite3_value **vals)
{
    rank_stats *s = api->xGetAuxdata(ctx, 0);
    double prox, prox_most, score = 0.0, title;
    int rc = SQLITE_OK, nkept = 0, prune, i;

    if (!s) {
        /* the knobs and the spec are read once per query: they are
         * constants (reading the knobs on every row was 7% of a query
         * for a common word) */
        rc = query_stats(api, ctx, nval, vals, &s);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(result, rc);
            return;
        }
    }
    if (s->title_first && report_ask(api, ctx, s)) {
        /* the caller runs the title rows first (search.c) */
        sqlite3_result_error(result, "a first run on the title rows is asked for", -1);
        return;
    }
    prox = s->prox;
    prox_most = s->prox_max;
    prune = s->can_prune && s->ntop == s->k;
    title = -1.0; /* not known yet: at most TITLE_PHRASE, or 0 */
    if (prune && s->ncol > 0) {
        double bound, words = s->words_max;
        rc = title_counts(api, ctx, s);
        if (rc == SQLITE_OK)
            rc = row_bounds(api, ctx, s, &words, &prox_most);
        /* (the title's counts are those count_occurrences() finds below) */
        bound = words + prox * prox_most;
        if (s->row_title || s->ngroup == 0) {
            bound += TITLE_COVERAGE * title_coverage(api, ctx, s);
            if (rc == SQLITE_OK && s->ntyped && below_top(s, bound + TITLE_PHRASE)) {
                /* below with the bonus too: whether the title may hold
                 * the words does not matter */
                sqlite3_result_double(result, -(bound + TITLE_PHRASE));
                return;
            }
            title = title_may_hold(api, ctx, s) ? TITLE_PHRASE : 0.0;
        } else {
            title = 0.0; /* a title without the words: no coverage, no phrase */
        }
        bound += title;
        if (rc == SQLITE_OK && below_top(s, bound)) {
            sqlite3_result_double(result, -bound);
            return;
        }
    }
    if (rc == SQLITE_OK)
        rc = count_occurrences(api, ctx, s, &nkept);
    if (rc == SQLITE_OK)
        rc = group_scores(api, ctx, s);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(result, rc);
        return;
    }
    for (i = 0; i < s->ngroup; i++)
        score += s->gscore[i];
    score += TITLE_COVERAGE * title_coverage(api, ctx, s);
    if (title < 0.0)
        title = title_may_hold(api, ctx, s) ? TITLE_PHRASE : 0.0; /* at most */
    if (prox > 0.0) {
        if (prune && below_top(s, score + prox * prox_most + title)) {
            sqlite3_result_double(result, -(score + prox * prox_most + title));
            return;
        }
        score += prox * proximity(s, nkept);
    }
    if (title > 0.0) {
        /* the title's text last, when the bonus could still lift the row
         * among the best k (for "History of", thousands of titles have
         * "history") */
        int holds;
        if (prune && below_top(s, score + title)) {
            sqlite3_result_double(result, -(score + title));
            return;
        }
        holds = title_holds(api, ctx, s);
        s->reads++;
        s->misses += holds == 0;
        if (holds < 0) {
            sqlite3_result_error_code(result, SQLITE_NOMEM);
            return;
        }
        score += holds ? title : 0.0;
    }
    if (s->k > 0) {
        /* once per row, should SQLite ask for a row's rank twice */
        sqlite3_int64 id = api->xRowid(ctx);
        if (id != s->last_top || s->ntop == 0) {
            top_push(s, score);
            if (s->report) {
                s->report->full = s->ntop == s->k;
                s->report->kth = s->top[0];
            }
        }
        s->last_top = id;
    }
    sqlite3_result_double(result, -score);
}

int eaf__rank_register(fts5_api *api, sqlite3 *db, eaf__rank_report *report)
{
    size_cache *c = NULL;
    int rc;

    if (db) {
        c = eaf__calloc(1, sizeof(*c));
        if (!c)
            return SQLITE_NOMEM;
        c->db = db;
        c->lo = 1;
        c->report = report;
    }
    /* FTS5 calls the destructor when the function goes (not when it
     * fails to make it) */
    rc = api->xCreateFunction(api, EAF__RANK_FUNCTION, c, rank_function,
                              c ? size_cache_free : NULL);
    if (rc != SQLITE_OK)
        size_cache_free(c);
    return rc;
}
