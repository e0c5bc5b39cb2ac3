/*
 * related_build.c: the batch build of every related list and the refresh
 * of the stale ones, with the model in memory, and the index's defaults.
 *
 * The store (schema 4, see schema.c) keeps, from the last build: the
 * options (eaf_meta related_config) and the number of articles then
 * (related_n), the kept terms with their document frequencies
 * (related_term), each article's vector and text hash (related_vector),
 * and each list (related_list).  Triggers mark lists stale
 * (related_stale) as articles are stored and deleted.
 */
#include "related.h"
#include "related_model.h"
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The most threads a batch build scores on (one per processor). */
#define MAX_BUILD_THREADS 4
/* A refresh builds everything again when more than this share of the
 * articles changed since the last build. */
#define REBUILD_SHARE 0.1
static unsigned build_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("EAF_RELATED_THREADS");

    if (env && *env)
        n = strtol(env, NULL, 10);
    return n < 1 ? 1 : n > MAX_BUILD_THREADS ? MAX_BUILD_THREADS : (unsigned)n;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The message of a failed eaf__rel_model_score() in a build or a refresh
 * (`what`): stopped by the progress callback, a vector not read back, or
 * out of memory.  The first message of a call stays. */
static eaf_status score_failed(eaf_db *db, eaf_status s, const char *what)
{
    if (s == EAF_ABORT)
        return eaf__db_error(db, s, "the related-article %s was stopped", what);
    if (s == EAF_IO)
        return eaf__rel_unread(db);
    return eaf__db_error(db, s, "out of memory");
}
/* ---- storing lists ----------------------------------------------------------------- */

typedef struct writer {
    eaf_db *db;
    const eaf__rel_model *m;
    sqlite3_stmt *del_list, *ins_list, *ins_vec;
    unsigned char blob[EAF__REL_ENCODED_MAX(EAF__REL_MAX_TERMS)];
} writer;

static void writer_free(writer *w)
{
    sqlite3_finalize(w->del_list);
    sqlite3_finalize(w->ins_list);
    sqlite3_finalize(w->ins_vec);
}

static eaf_status writer_init(writer *w, eaf_db *db, const eaf__rel_model *m)
{
    eaf_status s;

    memset(w, 0, sizeof(*w));
    w->db = db;
    w->m = m;
    s = eaf__rel_prepare(db, "DELETE FROM related_list WHERE article_id = ?1", &w->del_list,
                         "storing the related articles");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db,
                             "INSERT INTO related_list(article_id, pos, other_id, score)"
                             " VALUES (?1, ?2, ?3, ?4)",
                             &w->ins_list, "storing the related articles");
    if (s == EAF_OK)
        s = eaf__rel_prepare(db,
                             "INSERT OR REPLACE INTO related_vector(article_id, hash, length, vec)"
                             " VALUES (?1, ?2, ?3, ?4)",
                             &w->ins_vec, "storing the related articles");
    return s;
}

static eaf_status write_vector(writer *w, uint32_t i)
{
    uint64_t hash;
    uint32_t length;
    size_t nb;
    const unsigned char *blob = eaf__rel_model_blob(w->m, i, w->blob, &nb);

    if (!blob)
        return eaf__rel_unread(w->db);
    eaf__rel_model_vector(w->m, i, NULL, &hash, &length);
    sqlite3_bind_int64(w->ins_vec, 1, eaf__rel_model_id(w->m, i));
    sqlite3_bind_int64(w->ins_vec, 2, (sqlite3_int64)hash);
    sqlite3_bind_int64(w->ins_vec, 3, length);
    sqlite3_bind_blob(w->ins_vec, 4, blob, (int)nb, SQLITE_STATIC);
    return eaf__rel_run(w->db, w->ins_vec, "storing a vector");
}

static eaf_status write_list(writer *w, uint32_t i, const eaf__rel_entry *e, uint32_t n,
                             int replace)
{
    int64_t id = eaf__rel_model_id(w->m, i);
    eaf_status s = EAF_OK;
    uint32_t j;

    if (replace) {
        sqlite3_bind_int64(w->del_list, 1, id);
        s = eaf__rel_run(w->db, w->del_list, "storing the related articles");
    }
    for (j = 0; j < n && s == EAF_OK; j++) {
        sqlite3_bind_int64(w->ins_list, 1, id);
        sqlite3_bind_int(w->ins_list, 2, (int)j);
        sqlite3_bind_int64(w->ins_list, 3, eaf__rel_model_id(w->m, e[j].idx));
        sqlite3_bind_double(w->ins_list, 4, e[j].score);
        s = eaf__rel_run(w->db, w->ins_list, "storing the related articles");
    }
    return s;
}

static eaf_status write_meta(eaf_db *db, const eaf__rel_opts *o, uint32_t n_model)
{
    sqlite3_stmt *st = NULL;
    char *conf = eaf__rel_opts_string(o), num[24];
    eaf_status s;

    if (!conf)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    snprintf(num, sizeof(num), "%u", n_model);
    s = eaf__rel_prepare(db, "INSERT OR REPLACE INTO eaf_meta(name, value) VALUES (?1, ?2)", &st,
                         "storing the related articles");
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, "related_config", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, conf, -1, SQLITE_STATIC);
        s = eaf__rel_run(db, st, "storing the related articles");
    }
    /* the options of a build are the index's defaults from now on */
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, "related_defaults", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, conf, -1, SQLITE_STATIC);
        s = eaf__rel_run(db, st, "storing the related articles");
    }
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, "related_n", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, num, -1, SQLITE_STATIC);
        s = eaf__rel_run(db, st, "storing the related articles");
    }
    sqlite3_finalize(st);
    eaf__free(conf);
    return s;
}

static int progress_stop(eaf_related_progress_fn fn, void *payload, const char *phase,
                         int64_t done, int64_t total)
{
    return fn && fn(phase, done, total, payload) != 0;
}

/* Starts storing a whole build: empties the related tables, and stores
 * the term statistics; the vectors and lists follow (write_vector,
 * write_list) and then the options (write_meta). */
static eaf_status write_start(writer *w, eaf_db *db, const eaf__rel_model *m)
{
    sqlite3_stmt *st = NULL;
    uint32_t t, df;
    eaf_status s;

    memset(w, 0, sizeof(*w));
    s = eaf__rel_exec(db,
                      "DELETE FROM related_list; DELETE FROM related_vector;"
                      " DELETE FROM related_term;",
                      "storing the related articles");
    if (s == EAF_OK)
        s = eaf__rel_clear_stale(db);
    if (s == EAF_OK)
        s = writer_init(w, db, m);
    if (s == EAF_OK)
        s = eaf__rel_prepare(db, "INSERT INTO related_term(id, term, df) VALUES (?1, ?2, ?3)", &st,
                             "storing the term statistics");
    for (t = 0; s == EAF_OK && t < eaf__rel_model_terms(m); t++) {
        const char *term = eaf__rel_model_term(m, t, &df);
        sqlite3_bind_int64(st, 1, t);
        sqlite3_bind_text(st, 2, term, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, df);
        s = eaf__rel_run(db, st, "storing the term statistics");
    }
    sqlite3_finalize(st);
    return s;
}

/* ---- build and refresh ------------------------------------------------------------ */

static eaf_status check_writable(eaf_db *db)
{
    if (db->flags & EAF_OPEN_READONLY)
        return eaf__db_error(db, EAF_READONLY, "the index '%s' is open read-only", db->path);
    if (db->schema_version < 4)
        return eaf__db_error(db, EAF_READONLY,
                             "'%s' has schema version %d, which keeps no related lists",
                             db->path, db->schema_version);
    return EAF_OK;
}

/* The version of the caller's statistics struct, if any, is one this
 * library knows. */
static eaf_status check_stats(const eaf_related_stats *stats, eaf_db *db)
{
    char msg[128];

    if (stats && eaf__options_check(stats, &eaf__related_stats_layout, msg, sizeof(msg)) != EAF_OK)
        return eaf__db_error(db, EAF_MISUSE, "%s", msg);
    return EAF_OK;
}

static void stats_fill(eaf_related_stats *stats, const eaf__rel_model *m, int full,
                       int64_t lists, double rd, double sc, double wr)
{
    eaf_related_stats out;

    if (!stats)
        return;
    memset(&out, 0, sizeof(out));
    out.version = EAF_RELATED_STATS_VERSION;
    out.full = full;
    out.articles = m ? eaf__rel_model_articles(m) : 0;
    out.lists = lists;
    out.terms = m ? eaf__rel_model_terms(m) : 0;
    out.postings = m ? (int64_t)eaf__rel_model_postings(m) : 0;
    out.model_bytes = m ? eaf__rel_model_bytes(m) : 0;
    out.read_seconds = rd;
    out.score_seconds = sc;
    out.write_seconds = wr;
    /* no further than the caller's version of the struct */
    eaf__options_write(stats, &out, &eaf__related_stats_layout);
}

/* A full build, inside the write transaction the caller opened.  The
 * lists are scored and stored a chunk at a time (eaf__rel_plan_make), so
 * that they are never all in memory: a list takes 8 bytes an article
 * listed, 80 MB for a million lists of 10. */
static eaf_status build_all(eaf_related_stats *stats, eaf_db *db, const eaf__rel_opts *o,
                            eaf_related_progress_fn fn, void *payload)
{
    eaf__rel_progress p;
    eaf__rel_model *m = NULL;
    eaf__rel_entry *lists = NULL;
    eaf__rel_plan pl;
    uint8_t *counts = NULL;
    uint32_t *todo = NULL;
    struct timespec t0;
    double rd = 0, sc = 0, wr = 0;
    uint32_t n = 0, from, c = 0, k;
    writer w;
    eaf_status s;

    memset(&p, 0, sizeof(p));
    memset(&w, 0, sizeof(w));
    p.fn = fn;
    p.payload = payload;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s = eaf__rel_model_build(&m, db, o, &p);
    rd = seconds_since(&t0);
    if (s == EAF_OK) {
        n = eaf__rel_model_articles(m);
        eaf__rel_plan_make(&pl, n, o);
        lists = eaf__malloc(((size_t)pl.chunk * o->count + 1) * sizeof(*lists));
        counts = eaf__malloc((size_t)pl.chunk + 1);
        todo = eaf__malloc(((size_t)pl.chunk + 1) * sizeof(*todo));
        if (!lists || !counts || !todo)
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    if (s == EAF_OK) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = write_start(&w, db, m);
        wr += seconds_since(&t0);
    }
    p.total = n;
    for (from = 0; s == EAF_OK && from < n; from += c) {
        c = n - from < pl.chunk ? n - from : pl.chunk;
        for (k = 0; k < c; k++)
            todo[k] = from + k;
        p.before = from;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = eaf__rel_model_score(m, todo, c, lists, counts, build_threads(), &p);
        sc += seconds_since(&t0);
        if (s != EAF_OK)
            s = score_failed(db, s, "build");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (k = 0; s == EAF_OK && k < c; k++) {
            if (((from + k) & 1023) == 0 &&
                progress_stop(fn, payload, "writing", from + k, n)) {
                s = eaf__db_error(db, EAF_ABORT, "the related-article build was stopped");
                break;
            }
            s = write_vector(&w, from + k);
            if (s == EAF_OK)
                s = write_list(&w, from + k, lists + (size_t)k * o->count, counts[k], 0);
        }
        wr += seconds_since(&t0);
    }
    if (s == EAF_OK) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        s = write_meta(db, o, eaf__rel_model_n(m));
        wr += seconds_since(&t0);
    }
    writer_free(&w);
    if (s == EAF_OK && progress_stop(fn, payload, "writing", n, n))
        s = eaf__db_error(db, EAF_ABORT, "the related-article build was stopped");
    if (s == EAF_OK)
        stats_fill(stats, m, 1, n, rd, sc, wr);
    eaf__free(lists);
    eaf__free(counts);
    eaf__free(todo);
    eaf__rel_model_free(m);
    return s;
}

/* The options a call that writes will use: opts over the index's
 * defaults, checked; and the handle may write. */
static eaf_status options_to_write(eaf__rel_opts *o, eaf_db *db, const eaf_related_options *opts)
{
    eaf__rel_opts dflt;
    eaf_status s = eaf__rel_index_options(db, &dflt, NULL, NULL);

    if (s == EAF_OK)
        s = eaf__rel_opts_init(o, db, opts, &dflt);
    if (s == EAF_OK)
        s = check_writable(db);
    return s;
}

eaf_status eaf_related_build(eaf_related_stats *stats, eaf_db *db,
                             const eaf_related_options *opts,
                             eaf_related_progress_fn progress, void *payload)
{
    eaf__rel_opts o;
    eaf_status s;
    int own;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if ((s = check_stats(stats, db)) != EAF_OK)
        return s;
    EAF__REL_VIA_SET(db, rd, eaf_related_build(stats, rd, opts, progress, payload));
    s = options_to_write(&o, db, opts);
    if (s != EAF_OK)
        return s;
    own = !db->in_txn;
    s = eaf__db_begin_write(db);
    if (s != EAF_OK)
        return s;
    s = eaf__db_end_write(db, build_all(stats, db, &o, progress, payload));
    /* every list rewritten is in the log (750 MB at 1M articles), which
     * every reader's page lookup searches until a checkpoint empties it */
    if (s == EAF_OK && own)
        eaf__db_truncate_log(db);
    return s;
}

static int cmp_u32_asc(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Recomputes the stale lists with the stored model, inside the caller's
 * write transaction. */
static eaf_status refresh_stale(eaf_related_stats *stats, eaf_db *db, const eaf__rel_opts *o,
                                eaf_related_progress_fn fn, void *payload)
{
    eaf__rel_progress p;
    eaf__rel_model *m = NULL;
    sqlite3_stmt *st = NULL;
    uint32_t *todo = NULL, ntodo = 0, n = 0, i, j, k, nfirst;
    unsigned char *in = NULL;
    eaf__rel_entry *lists = NULL;
    uint8_t *counts = NULL;
    int64_t changed = 0;
    struct timespec t0;
    double rd, sc = 0, wr = 0;
    writer w;
    eaf_status s;
    int rc;

    memset(&w, 0, sizeof(w));
    memset(&p, 0, sizeof(p));
    p.fn = fn;
    p.payload = payload;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s = eaf__rel_model_load(&m, db, o, &changed);
    rd = seconds_since(&t0);
    if (s != EAF_OK)
        return s;
    n = eaf__rel_model_articles(m);
    todo = eaf__malloc(((size_t)n + 1) * sizeof(*todo));
    in = eaf__calloc((size_t)n + 1, 1);
    if (!todo || !in)
        s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    /* the stale lists, and the articles whose vector was computed again */
    if (s == EAF_OK)
        s = eaf__rel_preparef(db, &st, "reading the stale lists", "SELECT article_id FROM %s",
                              EAF__REL_STALE_ALL(db));
    while (s == EAF_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t x = eaf__rel_model_find(m, sqlite3_column_int64(st, 0));
        if (x >= 0 && !in[x]) {
            in[x] = 1;
            todo[ntodo++] = (uint32_t)x;
        }
    }
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the stale lists");
    sqlite3_finalize(st);
    for (i = 0; s == EAF_OK && i < n; i++)
        if (eaf__rel_model_changed(m, i) && !in[i]) {
            in[i] = 1;
            todo[ntodo++] = i;
        }
    if (s == EAF_OK && ntodo > 1)
        qsort(todo, ntodo, sizeof(*todo), cmp_u32_asc);
    nfirst = ntodo;
    if (s == EAF_OK) {
        /* the lists of the stale articles, and of those their changed
         * articles list (count each at most): not of every article */
        size_t most = (size_t)nfirst * (o->count + 1);
        if (most > n)
            most = n;
        lists = eaf__malloc((most * o->count + 1) * sizeof(*lists));
        counts = eaf__malloc(most + 1);
        if (!lists || !counts)
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (s == EAF_OK)
        s = eaf__rel_model_score(m, todo, nfirst, lists, counts, build_threads(), &p);
    /* then the articles a changed article lists: it may belong in theirs */
    for (k = 0; s == EAF_OK && k < nfirst; k++) {
        if (!eaf__rel_model_changed(m, todo[k]))
            continue;
        for (j = 0; j < counts[k]; j++) {
            uint32_t e = lists[(size_t)k * o->count + j].idx;
            if (!in[e]) {
                in[e] = 1;
                todo[ntodo++] = e;
            }
        }
    }
    if (s == EAF_OK && ntodo > nfirst)
        s = eaf__rel_model_score(m, todo + nfirst, ntodo - nfirst,
                                 lists + (size_t)nfirst * o->count, counts + nfirst,
                                 build_threads(), &p);
    sc = seconds_since(&t0);
    if (s != EAF_OK)
        s = score_failed(db, s, "refresh");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (s == EAF_OK)
        s = writer_init(&w, db, m);
    for (k = 0; s == EAF_OK && k < ntodo; k++) {
        if (eaf__rel_model_changed(m, todo[k]))
            s = write_vector(&w, todo[k]);
        if (s == EAF_OK)
            s = write_list(&w, todo[k], lists + (size_t)k * o->count, counts[k], 1);
    }
    if (s == EAF_OK)
        s = eaf__rel_clear_stale(db);
    wr = seconds_since(&t0);
    writer_free(&w);
    if (s == EAF_OK)
        stats_fill(stats, m, 0, ntodo, rd, sc, wr);
    eaf__free(todo);
    eaf__free(in);
    eaf__free(lists);
    eaf__free(counts);
    eaf__rel_model_free(m);
    return s;
}

eaf_status eaf_related_refresh(eaf_related_stats *stats, eaf_db *db,
                               eaf_related_progress_fn progress, void *payload)
{
    eaf__rel_opts o, stored;
    sqlite3_stmt *st = NULL;
    int64_t changed = 0, stale = 0, nmodel = 0;
    eaf_status s;
    char *v;
    int have, same;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if ((s = check_stats(stats, db)) != EAF_OK)
        return s;
    EAF__REL_VIA_SET(db, rd, eaf_related_refresh(stats, rd, progress, payload));
    s = check_writable(db);
    if (s != EAF_OK)
        return s;
    s = eaf__db_begin_write(db);
    if (s != EAF_OK)
        return s;
    /* a set's lists, vectors and marks of articles another shard removed
     * since (that shard cannot reach them: shard.h); an article with a
     * list has a vector, so the vectors say which are gone (a scan of
     * one row an article, not of ten) */
    if (db->set)
        s = eaf__rel_exec(db,
                          "CREATE TEMP TABLE IF NOT EXISTS eaf_rel_gone(id INTEGER PRIMARY KEY);"
                          "DELETE FROM eaf_rel_gone;"
                          "INSERT INTO eaf_rel_gone SELECT article_id FROM main.related_vector"
                          " WHERE article_id NOT IN (SELECT id FROM article);"
                          /* the lists that hold one stay stale without its vector */
                          "INSERT OR IGNORE INTO main.related_stale SELECT l.article_id, 0"
                          " FROM eaf_rel_gone g JOIN main.related_list l ON l.other_id = g.id;"
                          "DELETE FROM main.related_list WHERE article_id IN eaf_rel_gone;"
                          "DELETE FROM main.related_vector WHERE article_id IN eaf_rel_gone;"
                          "DELETE FROM main.related_stale WHERE article_id NOT IN"
                          " (SELECT id FROM article);",
                          "dropping the lists of removed articles");
    /* the lists are kept with the index's defaults: those of the last
     * build, or those set since (eaf_related_set_defaults) */
    if (s == EAF_OK)
        s = eaf__rel_index_options(db, &o, &stored, &have);
    if (s != EAF_OK)
        return eaf__db_end_write(db, s);
    if (!have)
        return eaf__db_end_write(db, build_all(stats, db, &o, progress, payload));
    same = eaf__rel_opts_equal(&stored, &o);
    v = eaf__rel_meta_get(db, "related_n", &s);
    nmodel = v ? strtoll(v, NULL, 10) : 0;
    eaf__free(v);
    if (s == EAF_OK)
        s = eaf__rel_preparef(db, &st, "reading the stale lists",
                              "SELECT count(DISTINCT article_id),"
                              " count(*) FILTER (WHERE changed) FROM %s",
                              EAF__REL_STALE_ALL(db));
    if (s == EAF_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            stale = sqlite3_column_int64(st, 0);
            changed = sqlite3_column_int64(st, 1);
        }
        sqlite3_finalize(st);
    }
    if (s == EAF_OK && stale == 0 && nmodel >= 1 && same) {
        /* nothing changed since the last build or refresh */
        stats_fill(stats, NULL, 0, 0, 0.0, 0.0, 0.0);
        return eaf__db_end_write(db, EAF_OK);
    }
    if (s == EAF_OK) {
        if (nmodel < 1 || !same || (double)changed > REBUILD_SHARE * (double)nmodel)
            s = build_all(stats, db, &o, progress, payload);
        else
            s = refresh_stale(stats, db, &o, progress, payload);
    }
    return eaf__db_end_write(db, s);
}

/* ---- the index's defaults ------------------------------------------------------------ */

eaf_status eaf_related_defaults(eaf_related_options *out, eaf_db *db)
{
    eaf__rel_opts o;
    eaf_status s;

    if (!out)
        return EAF_MISUSE;
    eaf__rel_opts_library(&o);
    eaf__rel_opts_public(out, &o);
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    EAF__REL_VIA_SET(db, rd, eaf_related_defaults(out, rd));
    s = eaf__rel_index_options(db, &o, NULL, NULL);
    if (s == EAF_OK)
        eaf__rel_opts_public(out, &o);
    return s;
}

eaf_status eaf_related_set_defaults(eaf_db *db, const eaf_related_options *opts)
{
    eaf__rel_opts o;
    sqlite3_stmt *st = NULL;
    char *conf = NULL;
    eaf_status s;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    EAF__REL_VIA_SET(db, rd, eaf_related_set_defaults(rd, opts));
    s = options_to_write(&o, db, opts);
    if (s == EAF_OK && !(conf = eaf__rel_opts_string(&o)))
        s = eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (s == EAF_OK)
        s = eaf__db_begin_write(db);
    if (s != EAF_OK) {
        eaf__free(conf);
        return s;
    }
    s = eaf__rel_prepare(db,
                         "INSERT OR REPLACE INTO eaf_meta(name, value)"
                         " VALUES ('related_defaults', ?1)",
                         &st, "storing the related-article options");
    if (s == EAF_OK) {
        sqlite3_bind_text(st, 1, conf, -1, SQLITE_STATIC);
        s = eaf__rel_run(db, st, "storing the related-article options");
    }
    sqlite3_finalize(st);
    eaf__free(conf);
    return eaf__db_end_write(db, s);
}
