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
