/*
 * shard.c: shard sets (shard.h): creating one, opening it (eaf_db_open()
 * of a folder), a writer of one shard, and a member's views of the whole
 * set's vocabulary and articles.
 *
 * The manifest is a small text file:
 *
 *     libeafsearch shard set
 *     shards 2
 */
#include "shard.h"
#include "stmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_HEAD "libeafsearch shard set\n"
/* How long eaf_shards_create() waits for the manifest of a set another
 * process is making. */
#define MANIFEST_WAIT_MS 5000

static char *manifest_path(const char *dir)
{
    return eaf__printf("%s/%s", dir, EAF__SET_MANIFEST);
}

static char *shard_path(const char *dir, unsigned k)
{
    return eaf__printf("%s/shard-%u.db", dir, k);
}

char *eaf__set_shard_path(const char *dir, unsigned k)
{
    return shard_path(dir, k);
}

int eaf__set_write_manifest(const char *dir, unsigned n)
{
    char *path = manifest_path(dir);
    FILE *f;
    int err = 0;

    if (!path)
        return ENOMEM;
    errno = 0;
    f = fopen(path, "w");
    if (!f || fprintf(f, MANIFEST_HEAD "shards %u\n", n) < 0 || fflush(f) != 0 ||
        fsync(fileno(f)) != 0)
        err = errno ? errno : EIO;
    if (f && fclose(f) != 0 && err == 0)
        err = errno;
    eaf__free(path);
    return err;
}

/* The shard count the manifest of dir gives, 0 when there is none, -1
 * when it is not one of ours. */
static int read_manifest(const char *dir)
{
    char *path = manifest_path(dir);
    char line[64];
    FILE *f = path ? fopen(path, "r") : NULL;
    int n = -1;
    unsigned v;

    eaf__free(path);
    if (!f)
        return 0;
    if (fgets(line, sizeof(line), f) && strcmp(line, MANIFEST_HEAD) == 0 &&
        fgets(line, sizeof(line), f) && sscanf(line, "shards %u", &v) == 1 && v >= 1 &&
        v <= EAF__SET_MAX)
        n = (int)v;
    fclose(f);
    return n;
}

unsigned eaf__set_probe(const char *path)
{
    struct stat sb;
    int n;

    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return 0;
    n = read_manifest(path);
    return n > 0 ? (unsigned)n : 0;
}

static eaf_status fail(char **errmsg_out, eaf_status st, const char *fmt, ...)
    EAF__PRINTF(3, 4);

static eaf_status fail(char **errmsg_out, eaf_status st, const char *fmt, ...)
{
    va_list ap;

    if (errmsg_out) {
        eaf__free(*errmsg_out);
        va_start(ap, fmt);
        *errmsg_out = eaf__vprintf(fmt, ap);
        va_end(ap);
    }
    return st;
}

eaf_status eaf_shards_create(const char *dir, unsigned n, const eaf_open_options *opts,
                             char **errmsg_out)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    char *path;
    unsigned k;
    int have, err;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!dir || n < 1 || n > EAF__SET_MAX)
        return fail(errmsg_out, EAF_MISUSE, "a shard set has 1 to %d shards", EAF__SET_MAX);
    if (opts)
        o = *opts;
    o.flags = (o.flags & ~(unsigned)EAF_OPEN_READONLY) | EAF_OPEN_CREATE;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return fail(errmsg_out, EAF_IO, "cannot make the folder '%s': %s", dir,
                    strerror(errno));
    have = read_manifest(dir);
    if (have == 0) {
        int waited = 0;

        path = shard_path(dir, 0);
        if (!path)
            return EAF_NOMEM;
        /* shard files and no manifest: another process making the set
         * (the manifest comes last) has it within moments; otherwise a
         * folder with an index of one file in it is not made a set */
        while (access(path, F_OK) == 0 && (have = read_manifest(dir)) == 0 &&
               waited < MANIFEST_WAIT_MS) {
            usleep(50 * 1000);
            waited += 50;
        }
        if (have == 0 && access(path, F_OK) == 0) {
            eaf__free(path);
            return fail(errmsg_out, EAF_MISUSE, "'%s' holds shard files but no manifest", dir);
        }
        eaf__free(path);
    }
    if (have < 0)
        return fail(errmsg_out, EAF_SCHEMA, "'%s/%s' is not a shard set's manifest", dir,
                    EAF__SET_MANIFEST);
    if (have > 0 && (unsigned)have != n)
        return fail(errmsg_out, EAF_MISUSE, "'%s' is a set of %d shards already", dir, have);
    for (k = 0; k < n; k++) {
        eaf_db *db = NULL;
        eaf_status st;

        path = shard_path(dir, k);
        if (!path)
            return EAF_NOMEM;
        st = eaf_db_open(&db, path, &o, errmsg_out);
        eaf__free(path);
        if (st == EAF_BUSY && have == 0) {
            /* another process is making the same shard at this moment:
             * its manifest follows */
            int waited = 0;

            while ((have = read_manifest(dir)) == 0 && waited < MANIFEST_WAIT_MS) {
                usleep(50 * 1000);
                waited += 50;
            }
            if (have == (int)n) {
                if (errmsg_out) {
                    eaf_free(*errmsg_out);
                    *errmsg_out = NULL;
                }
                return EAF_OK;
            }
        }
        if (st != EAF_OK)
            return st;
        eaf_db_close(db);
    }
    if (have > 0)
        return EAF_OK;
    /* the manifest last: a folder without one is no set yet */
    err = eaf__set_write_manifest(dir, n);
    if (err != 0)
        return fail(errmsg_out, err == ENOMEM ? EAF_NOMEM : EAF_IO,
                    "cannot write '%s/%s': %s", dir, EAF__SET_MANIFEST, strerror(err));
    return EAF_OK;
}

/* The largest id over the n shards of member db's set (the others
 * attached to it), or -1 on failure (on db). */
static sqlite3_int64 largest_id(eaf_db *db, unsigned n)
{
    sqlite3_int64 most = 0;
    unsigned k;

    for (k = 0; k < n; k++) {
        sqlite3_stmt *st = NULL;
        char *sql = eaf__printf("SELECT max(id) FROM \"s%u\".article", k);
        int rc;

        if (!sql)
            return eaf__db_error(db, EAF_NOMEM, "out of memory"), -1;
        if ((int)k == db->shard) {
            eaf__free(sql);
            sql = eaf__strdup("SELECT max(id) FROM main.article");
            if (!sql)
                return eaf__db_error(db, EAF_NOMEM, "out of memory"), -1;
        }
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
        eaf__free(sql);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_int64(st, 0) > most)
                most = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_OK) {
            eaf__db_sqlerr(db, rc, "reading the shards' ids");
            return -1;
        }
    }
    return most;
}

/* Attaches the other shards of the set to a member as "sK". */
static eaf_status attach_siblings(eaf_db *db, const char *dir, unsigned n)
{
    unsigned k;

    for (k = 0; k < n; k++) {
        char *path, *sql;
        int rc;

        if ((int)k == db->shard)
            continue;
        path = shard_path(dir, k);
        sql = path ? sqlite3_mprintf("ATTACH DATABASE %Q AS \"s%u\"", path, k) : NULL;
        eaf__free(path);
        if (!sql)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
        if (rc != SQLITE_OK)
            return eaf__db_sqlerr(db, rc, "opening the other shards of the set");
    }
    return EAF_OK;
}

static eaf_status open_member(eaf_db **out, struct eaf__set *set, unsigned k,
                              const eaf_open_options *o, char **errmsg_out)
{
    char *path = shard_path(set->dir, k);
    eaf_db *db = NULL;
    eaf_status st;

    *out = NULL;
    if (!path)
        return EAF_NOMEM;
    st = eaf_db_open(&db, path, o, errmsg_out);
    eaf__free(path);
    if (st != EAF_OK)
        return st;
    db->set = set;
    db->shard = (int)k;
    db->set_n = set->n;
    st = attach_siblings(db, set->dir, set->n);
    if (st != EAF_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(eaf_db_errmsg(db));
        db->set = NULL;
        eaf_db_close(db);
        return st;
    }
    *out = db;
    return EAF_OK;
}

static void set_free(struct eaf__set *set)
{
    unsigned k;

    if (!set)
        return;
    if (set->rel) {
        set->rel->set = NULL; /* closes as a lone file, once its lists are freed */
        eaf_db_close(set->rel);
    }
    for (k = 0; set->db && k < set->n; k++)
        if (set->db[k]) {
            set->db[k]->set = NULL; /* closes as a lone file */
            eaf_db_close(set->db[k]);
        }
    eaf__free(set->db);
    eaf__free(set->dir);
    eaf__free(set);
}

/* The close of a set handle, or of a lone writer: its set goes with it. */
static void set_on_close(eaf_db *db)
{
    if (db->owns_set)
        set_free(db->set);
    db->set = NULL;
}

static struct eaf__set *set_new(const char *dir, unsigned n)
{
    struct eaf__set *set = eaf__calloc(1, sizeof(*set));

    if (!set)
        return NULL;
    set->n = n;
    set->dir = eaf__strdup(dir);
    set->db = eaf__calloc(n, sizeof(*set->db));
    if (!set->dir || !set->db) {
        set_free(set);
        return NULL;
    }
    return set;
}

eaf_status eaf__set_open(eaf_db **out, const char *dir, const eaf_open_options *o,
                         char **errmsg_out)
{
    int n = read_manifest(dir);
    struct eaf__set *set;
    eaf_db *db = NULL;
    eaf_open_options mo = *o;
    eaf_status st;
    unsigned k;

    *out = NULL;
    if (n <= 0)
        return fail(errmsg_out, EAF_SCHEMA, "'%s' is a folder, not an index or a shard set", dir);
    set = set_new(dir, (unsigned)n);
    if (!set)
        return EAF_NOMEM;
    mo.flags &= ~(unsigned)EAF_OPEN_CREATE; /* the shards exist: eaf_shards_create() */
    set->flags = mo.flags;
    for (k = 0; k < set->n; k++) {
        st = open_member(&set->db[k], set, k, &mo, errmsg_out);
        if (st != EAF_OK) {
            set_free(set);
            return st;
        }
    }
    st = eaf__db_open_empty(&db, dir, o->flags);
    if (st != EAF_OK) {
        set_free(set);
        return st;
    }
    db->set = set;
    db->shard = -1;
    db->owns_set = 1;
    db->on_close = set_on_close;
    db->language = eaf__strdup(eaf_db_language(set->db[0]));
    if (!db->language) {
        eaf_db_close(db);
        return EAF_NOMEM;
    }
    *out = db;
    return EAF_OK;
}

eaf_status eaf_db_open(eaf_db **out, const char *path, const eaf_open_options *opts,
                       char **errmsg_out)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_status st;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!path)
        return EAF_MISUSE;
    st = eaf__db_open_options(&o, opts, errmsg_out);
    if (st != EAF_OK)
        return st;
    if (eaf__set_probe(path))
        return eaf__set_open(out, path, &o, errmsg_out);
    return eaf__db_open_file(out, path, &o, errmsg_out);
}

eaf_status eaf_db_open_shard(eaf_db **out, const char *dir, unsigned shard,
                             const eaf_open_options *opts, char **errmsg_out)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    struct eaf__set *set;
    eaf_db *db = NULL;
    eaf_status st;
    int n;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!out || !dir)
        return EAF_MISUSE;
    *out = NULL;
    n = read_manifest(dir);
    if (n <= 0)
        return fail(errmsg_out, n == 0 ? EAF_NOTFOUND : EAF_SCHEMA,
                    "'%s' is not a shard set (no manifest '%s')", dir, EAF__SET_MANIFEST);
    if (shard >= (unsigned)n)
        return fail(errmsg_out, EAF_MISUSE, "no shard %u in the set '%s'", shard, dir);
    if (opts)
        o = *opts;
    o.flags &= ~(unsigned)EAF_OPEN_CREATE;
    set = set_new(dir, (unsigned)n);
    if (!set)
        return EAF_NOMEM;
    eaf__free(set->db); /* a lone member: no handles on the others */
    set->db = NULL;
    st = open_member(&db, set, shard, &o, errmsg_out);
    if (st != EAF_OK) {
        set_free(set);
        return st;
    }
    db->owns_set = 1;
    db->on_close = set_on_close;
    db->put_base = largest_id(db, set->n);
    if (db->put_base < 0) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(eaf_db_errmsg(db));
        eaf_db_close(db);
        return EAF_ERROR;
    }
    db->put_base++;
    /* a writer reads no other shard, and an attached file would be locked
     * by its every BEGIN IMMEDIATE, stopping the other writers */
    for (unsigned k = 0; k < set->n; k++) {
        char sql[32];
        if ((int)k == db->shard)
            continue;
        snprintf(sql, sizeof(sql), "DETACH DATABASE \"s%u\"", k);
        sqlite3_exec(db->sql, sql, NULL, NULL, NULL);
    }
    *out = db;
    return EAF_OK;
}

eaf_status eaf_db_shards(unsigned *out, const eaf_db *db)
{
    if (!out || !db)
        return EAF_MISUSE;
    *out = db->set ? db->set->n : 0;
    return EAF_OK;
}

eaf_status eaf__set_unsupported(eaf_db *db, const char *what)
{
    return eaf__db_error(db, EAF_MISUSE, "%s is not available on a shard set ('%s') yet",
                         what, db->path);
}

/* ---- the statistics of a set's full-text index ---------------------------- */

/* A varint of SQLite's record format (FTS5's averages record uses it). */
static size_t get_varint(const unsigned char *p, size_t n, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;

    for (i = 0; i < n && i < 8; i++) {
        x = (x << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    if (i == 8 && n > 8) {
        *v = (x << 8) | p[8];
        return 9;
    }
    return 0;
}

/* The row count and column totals of one shard's fts (its averages
 * record), and its range of ids, added to t. */
static eaf_status shard_totals(eaf_db *db, const char *schema, eaf__set_totals *t)
{
    char sql[160];
    sqlite3_stmt *st = NULL;
    int rc, c;

    snprintf(sql, sizeof(sql), "SELECT block FROM \"%s\".fts_data WHERE id = 1", schema);
    rc = eaf__stmt_take(&db->kept, db->sql, sql, &st);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *p = sqlite3_column_blob(st, 0);
        size_t n = (size_t)sqlite3_column_bytes(st, 0), used;
        uint64_t v = 0;

        used = p ? get_varint(p, n, &v) : 0;
        t->nrow += (sqlite3_int64)v;
        for (c = 0; used && c < EAF__SET_COLS && used < n; c++) {
            size_t u = get_varint(p + used, n - used, &v);
            if (!u)
                break;
            t->tot[c] += (sqlite3_int64)v;
            used += u;
        }
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK; /* an empty table has no record yet */
    }
    eaf__stmt_give(&db->kept, st);
    st = NULL;
    if (rc == SQLITE_OK) {
        /* (each its own query: min() and max() in one read the whole table) */
        snprintf(sql, sizeof(sql),
                 "SELECT (SELECT min(id) FROM \"%s\".article),"
                 " (SELECT max(id) FROM \"%s\".article)", schema, schema);
        rc = eaf__stmt_take(&db->kept, db->sql, sql, &st);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
                sqlite3_int64 lo = sqlite3_column_int64(st, 0), hi = sqlite3_column_int64(st, 1);
                if (!t->have_ids || lo < t->lo)
                    t->lo = lo;
                if (!t->have_ids || hi > t->hi)
                    t->hi = hi;
                t->have_ids = 1;
            }
            rc = SQLITE_OK;
        }
        eaf__stmt_give(&db->kept, st);
    }
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, "reading the set's statistics");
}

eaf_status eaf__set_totals_read(eaf_db *db, eaf__set_totals *t)
{
    eaf_status st = EAF_OK;
    unsigned k;

    memset(t, 0, sizeof(*t));
    for (k = 0; k < db->set->n && st == EAF_OK; k++) {
        char schema[16];
        st = shard_totals(db, eaf__set_schema(schema, sizeof(schema), db, k), t);
    }
    return st;
}

eaf_status eaf__set_phrase_ids(eaf_db *db, const char *phrase, sqlite3_int64 sample,
                               sqlite3_int64 *got, sqlite3_int64 *last)
{
    sqlite3_stmt *st[EAF__SET_MAX] = {NULL};
    sqlite3_int64 head[EAF__SET_MAX];
    int live[EAF__SET_MAX], rc = SQLITE_OK;
    unsigned k, n = db->set->n;

    *got = *last = 0;
    for (k = 0; k < n && rc == SQLITE_OK; k++) {
        char schema[16], sql[128];

        live[k] = 0;
        eaf__set_schema(schema, sizeof(schema), db, k);
        snprintf(sql, sizeof(sql), "SELECT rowid FROM \"%s\".fts WHERE fts MATCH ?1 ORDER BY rowid",
                 schema);
        rc = eaf__stmt_take(&db->kept, db->sql, sql, &st[k]);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st[k], 1, phrase, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(st[k]);
            live[k] = rc == SQLITE_ROW;
            if (live[k])
                head[k] = sqlite3_column_int64(st[k], 0);
            rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
    }
    while (rc == SQLITE_OK && *got < sample) {
        unsigned best = n;
        for (k = 0; k < n; k++)
            if (live[k] && (best == n || head[k] < head[best]))
                best = k;
        if (best == n)
            break; /* fewer than the sample: the count is exact */
        *last = head[best];
        ++*got;
        rc = sqlite3_step(st[best]);
        live[best] = rc == SQLITE_ROW;
        if (live[best])
            head[best] = sqlite3_column_int64(st[best], 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    for (k = 0; k < n; k++) {
        if (st[k]) {
            sqlite3_reset(st[k]);
            sqlite3_clear_bindings(st[k]);
        }
        eaf__stmt_give(&db->kept, st[k]);
    }
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "counting a word over the set");
    if (*got < sample)
        *last = 0;
    return EAF_OK;
}

/* The schema of file k of the n db's statistics read (n is 1 but for a
 * member: then db's own file, "main", whatever shard it is). */
static const char *stat_schema(char *buf, size_t len, const eaf_db *db, unsigned n, unsigned k)
{
    if (n > 1)
        return eaf__set_schema(buf, len, db, k);
    snprintf(buf, len, "main");
    return buf;
}

eaf_status eaf__set_article_stat(eaf_db *db, const char *agg, const char *comb,
                                 sqlite3_int64 *out, int *null)
{
    eaf__buf sql = EAF__BUF_INIT;
    sqlite3_stmt *st = NULL;
    unsigned k, n = EAF__IS_MEMBER(db) ? db->set->n : 1;
    int rc;

    *out = 0;
    if (null)
        *null = 1;
    eaf__buf_printf(&sql, "SELECT %s(x) FROM (", comb);
    for (k = 0; k < n; k++) {
        char schema[16];
        eaf__buf_printf(&sql, "%sSELECT %s AS x FROM \"%s\".article", k ? " UNION ALL " : "",
                        agg, stat_schema(schema, sizeof(schema), db, n, k));
    }
    eaf__buf_putc(&sql, ')');
    rc = sql.rc == EAF_OK ? sqlite3_prepare_v2(db->sql, sql.p, -1, &st, NULL) : SQLITE_NOMEM;
    eaf__buf_free(&sql);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        if (null)
            *null = sqlite3_column_type(st, 0) == SQLITE_NULL;
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, "reading the articles");
}

eaf_status eaf__set_data_version(eaf_db *db, sqlite3_int64 *out)
{
    unsigned k, n = EAF__IS_MEMBER(db) ? db->set->n : 1;

    *out = 0;
    for (k = 0; k < n; k++) {
        char schema[16], sql[64];
        sqlite3_stmt *st = NULL;
        int rc;

        snprintf(sql, sizeof(sql), "PRAGMA \"%s\".data_version",
                 stat_schema(schema, sizeof(schema), db, n, k));
        rc = sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL);
        if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            *out += sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_OK)
            return eaf__db_sqlerr(db, rc, "reading the index's version");
    }
    return EAF_OK;
}

/* ---- the related lists of a set ------------------------------------------ */

/* The views of the set's related handle (shard.h); its article view is
 * the member's view of the set's articles (eaf__db_vocab). */
static eaf_status rel_views(eaf_db *r)
{
    eaf__buf sql = EAF__BUF_INIT, fac = EAF__BUF_INIT, chg = EAF__BUF_INIT,
             stale = EAF__BUF_INIT;
    unsigned k;
    eaf_status st = eaf__db_vocab(r);
    int rc;

    if (st != EAF_OK)
        return st;
    for (k = 0; k < r->set->n; k++) {
        char schema[16];
        const char *sep = k ? " UNION ALL " : "";
        eaf__set_schema(schema, sizeof(schema), r, k);
        eaf__buf_printf(&fac, "%sSELECT * FROM \"%s\".facet", sep, schema);
        eaf__buf_printf(&chg, "%sSELECT article_id, changed FROM \"%s\".related_stale WHERE changed",
                        sep, schema);
        eaf__buf_printf(&stale, "SELECT article_id, changed FROM \"%s\".related_stale UNION ALL ",
                        schema);
    }
    /* related_stale is read an article at a time (by article_id: each
     * part searched by its key), eaf_rel_stale_all whole (the lists that
     * hold a changed or removed article found from those articles, not by
     * reading every list) */
    eaf__buf_printf(&sql,
                    "CREATE TEMP VIEW article AS SELECT * FROM eaf_set_article;"
                    "CREATE TEMP VIEW facet AS %s;"
                    "CREATE TEMP VIEW eaf_rel_changed AS %s;"
                    "CREATE TEMP VIEW related_stale AS %s"
                    "SELECT l.article_id, 0 FROM main.related_list l"
                    " WHERE l.other_id IN (SELECT article_id FROM eaf_rel_changed)"
                    " OR NOT EXISTS (SELECT 1 FROM article o WHERE o.id = l.other_id);"
                    "CREATE TEMP VIEW eaf_rel_stale_all AS %s"
                    "SELECT l.article_id, 0 FROM main.related_list l WHERE l.other_id IN"
                    " (SELECT article_id FROM eaf_rel_changed UNION ALL SELECT v.article_id"
                    " FROM main.related_vector v"
                    " WHERE NOT EXISTS (SELECT 1 FROM article o WHERE o.id = v.article_id));",
                    fac.p, chg.p, stale.p, stale.p);
    rc = sql.rc == EAF_OK && fac.rc == EAF_OK && chg.rc == EAF_OK && stale.rc == EAF_OK
             ? sqlite3_exec(r->sql, sql.p, NULL, NULL, NULL)
             : SQLITE_NOMEM;
    eaf__buf_free(&sql);
    eaf__buf_free(&fac);
    eaf__buf_free(&chg);
    eaf__buf_free(&stale);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(r, rc, "reading the related lists of the set");
    return EAF_OK;
}

eaf_status eaf__set_related(eaf_db **out, eaf_db *db)
{
    struct eaf__set *set = db->set;
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    char *err = NULL;
    eaf_db *r = NULL;
    eaf_status st;

    *out = NULL;
    if (!set || !set->db)
        return eaf__db_error(db, EAF_MISUSE,
                             "'%s' is the writer of one shard of a set: the set's related"
                             " lists are read and made through its folder", db->path);
    if (set->rel) {
        *out = set->rel;
        return EAF_OK;
    }
    /* the set's handle holds the writers' lock, if any */
    o.flags = set->flags & ~(unsigned)(EAF_OPEN_CREATE | EAF_OPEN_LOCK);
    st = open_member(&r, set, 0, &o, &err);
    if (st != EAF_OK) {
        st = eaf__db_error(db, st, "opening the related lists of the set: %s",
                           err ? err : "out of memory");
        eaf__free(err);
        return st;
    }
    st = rel_views(r);
    if (st != EAF_OK) {
        st = eaf__db_error(db, st, "%s", eaf_db_errmsg(r));
        r->set = NULL;
        eaf_db_close(r);
        return st;
    }
    set->rel = r;
    *out = r;
    return EAF_OK;
}

eaf_status eaf__set_clear_stale(eaf_db *rel)
{
    unsigned k;

    for (k = 0; k < rel->set->n; k++) {
        char schema[16], sql[64];
        int rc;

        eaf__set_schema(schema, sizeof(schema), rel, k);
        snprintf(sql, sizeof(sql), "DELETE FROM \"%s\".related_stale", schema);
        rc = sqlite3_exec(rel->sql, sql, NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return eaf__db_sqlerr(rel, rc, "storing the related articles");
    }
    return EAF_OK;
}

/* ---- a member's view of the whole set ------------------------------------ */

const char *eaf__set_schema(char *buf, size_t n, const eaf_db *db, unsigned k)
{
    if ((int)k == db->shard)
        snprintf(buf, n, "main");
    else
        snprintf(buf, n, "s%u", k);
    return buf;
}

static eaf_status set_vocab(eaf_db *db)
{
    eaf__buf sql = EAF__BUF_INIT, row = EAF__BUF_INIT, inst = EAF__BUF_INIT,
             text = EAF__BUF_INIT;
    unsigned k;
    int rc;

    for (k = 0; k < db->set->n; k++) {
        char schema[16];
        eaf__set_schema(schema, sizeof(schema), db, k);
        eaf__buf_printf(&sql,
                        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.eaf_vocab_row_%u"
                        " USING fts5vocab(%s, fts, row);"
                        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.eaf_vocab_instance_%u"
                        " USING fts5vocab(%s, fts, instance);",
                        k, schema, k, schema);
        eaf__buf_printf(&row, "%sSELECT term, doc, cnt FROM temp.eaf_vocab_row_%u",
                        k ? " UNION ALL " : "", k);
        eaf__buf_printf(&inst, "%sSELECT term, doc, col, offset FROM temp.eaf_vocab_instance_%u",
                        k ? " UNION ALL " : "", k);
        eaf__buf_printf(&text, "%sSELECT * FROM %s.article", k ? " UNION ALL " : "", schema);
    }
    eaf__buf_printf(&sql,
                    "CREATE TEMP VIEW IF NOT EXISTS eaf_vocab_row AS %s;"
                    "CREATE TEMP VIEW IF NOT EXISTS eaf_vocab_instance AS %s;"
                    "CREATE TEMP VIEW IF NOT EXISTS eaf_set_article AS %s;",
                    row.p, inst.p, text.p);
    rc = sql.rc == EAF_OK && row.rc == EAF_OK && inst.rc == EAF_OK && text.rc == EAF_OK
             ? sqlite3_exec(db->sql, sql.p, NULL, NULL, NULL)
             : SQLITE_NOMEM;
    eaf__buf_free(&sql);
    eaf__buf_free(&row);
    eaf__buf_free(&inst);
    eaf__buf_free(&text);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "reading the vocabulary of the set");
    return EAF_OK;
}

/* The vocabulary of an index (db.h): of one file, FTS5's own; of a
 * member of a set, views over every shard's. */
eaf_status eaf__db_vocab(eaf_db *db)
{
    int rc;

    if (db->have_vocab)
        return EAF_OK;
    if (EAF__IS_MEMBER(db)) { /* views over every shard's */
        eaf_status st = set_vocab(db);
        db->have_vocab = st == EAF_OK;
        return st;
    }
    /* temp tables: a read-only handle can make them too */
    rc = sqlite3_exec(db->sql,
                      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.eaf_vocab_row"
                      " USING fts5vocab(main, fts, row);"
                      "CREATE VIRTUAL TABLE IF NOT EXISTS temp.eaf_vocab_instance"
                      " USING fts5vocab(main, fts, instance);",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "reading the vocabulary");
    db->have_vocab = 1;
    return EAF_OK;
}
