/*
 * store_source.c: the bookkeeping of sources, the files articles come
 * from: what the index knows of each file (size, time, content hash),
 * reading one (begin, end), and letting go of the articles a file no
 * longer gives.
 */
#include "store.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- sources ------------------------------------------------------------------ */

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

/* The hash of a file's content, as 16 hex digits: FNV-1a taken 8 bytes
 * at a time (the last 0-7 one by one), each product folded, as a
 * multiply carries only upwards.  A byte at a time was 1.3% of indexing.
 * An index made before holds byte-wise hashes: a file of it whose time
 * changed but not its content is read again once (its articles found
 * unchanged), then recorded with this hash. */
static uint64_t hash_words(uint64_t h, const unsigned char *p, size_t n)
{
    uint64_t w;

    for (; n >= 8; p += 8, n -= 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * FNV_PRIME;
        h ^= h >> 32;
    }
    for (; n > 0; p++, n--)
        h = (h ^ *p) * FNV_PRIME;
    return h;
}

static eaf_status hash_file(eaf_db *db, const char *path, char out[EAF__HASH_HEX + 1])
{
    FILE *fp = fopen(path, "rb");
    unsigned char buf[65536];
    uint64_t h = FNV_OFFSET;
    size_t n, left = 0;

    out[0] = '\0';
    if (!fp)
        return eaf__db_error(db, errno == ENOENT ? EAF_NOTFOUND : EAF_IO,
                             "cannot read '%s': %s", path, strerror(errno));
    /* whole words only until the end, wherever a read stops */
    while ((n = fread(buf + left, 1, sizeof(buf) - left, fp)) > 0) {
        n += left;
        left = n % 8;
        h = hash_words(h, buf, n - left);
        memmove(buf, buf + (n - left), left);
    }
    h = hash_words(h, buf, left);
    if (ferror(fp)) {
        int e = errno;
        fclose(fp);
        return eaf__db_error(db, EAF_IO, "cannot read '%s': %s", path, strerror(e));
    }
    fclose(fp);
    snprintf(out, EAF__HASH_HEX + 1, "%016llx", (unsigned long long)h);
    return EAF_OK;
}

/* Stats path into db->src (keeping its hash when the file is the same as
 * when last looked at). */
static eaf_status stat_source(eaf_db *db, const char *path)
{
    struct stat sb;
    int64_t mtime;

    if (stat(path, &sb) != 0)
        return eaf__db_error(db, errno == ENOENT ? EAF_NOTFOUND : EAF_IO,
                             "cannot read '%s': %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return eaf__db_error(db, EAF_IO, "'%s' is not a regular file", path);
    mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + (int64_t)sb.st_mtim.tv_nsec;
    if (db->src.path && strcmp(db->src.path, path) == 0 && db->src.size == sb.st_size &&
        db->src.mtime == mtime)
        return EAF_OK; /* the same: its hash, if known, still holds */
    eaf__free(db->src.path);
    db->src.path = eaf__strdup(path);
    if (!db->src.path)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    db->src.size = (int64_t)sb.st_size;
    db->src.mtime = mtime;
    db->src.hash[0] = '\0';
    return EAF_OK;
}

static eaf_status check_sources(eaf_db *db)
{
    /* before 5, the files that give each article were not all known */
    if (db->schema_version < 5)
        return eaf__db_error(db, EAF_READONLY,
                             "'%s' has schema version %d, which keeps no record of "
                             "the files of every article: open it read-write once to "
                             "upgrade it",
                             db->path, db->schema_version);
    return EAF_OK;
}

/* What the index knows of a source: 1 found, 0 not, -1 error. */
typedef struct known {
    sqlite3_int64 id, size, mtime;
    char hash[EAF__HASH_HEX + 1];
    int done, size_null;
} known;

static int find_source(eaf_db *db, const char *path, known *k)
{
    sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_SOURCE_FIND);
    int rc;

    memset(k, 0, sizeof(*k));
    if (!st)
        return -1;
    eaf__store_bind_text(st, 1, path);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 3);
        k->id = sqlite3_column_int64(st, 0);
        k->size_null = sqlite3_column_type(st, 1) == SQLITE_NULL;
        k->size = sqlite3_column_int64(st, 1);
        k->mtime = sqlite3_column_int64(st, 2);
        snprintf(k->hash, sizeof(k->hash), "%s", h ? h : "");
        k->done = sqlite3_column_int(st, 4);
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    eaf__db_sqlerr(db, rc, "looking up the file");
    return -1;
}

eaf_status eaf_db_source_check(eaf_source_state *out, eaf_db *db, const char *path,
                               unsigned flags)
{
    known k;
    int found;
    eaf_status st;

    if (out)
        *out = EAF_SOURCE_NEW;
    if (!out || !db || !path)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if ((st = check_sources(db)) != EAF_OK)
        return st;
    if ((st = stat_source(db, path)) != EAF_OK)
        return st;
    if (flags & EAF_SOURCE_CHECKSUM)
        db->src.hash[0] = '\0'; /* hash the file now, whatever was cached */
    found = find_source(db, path, &k);
    if (found < 0)
        return eaf__store_failed(db);
    if (!found)
        return EAF_OK;
    if (!k.done || k.size_null) {
        *out = EAF_SOURCE_CHANGED;
        return EAF_OK;
    }
    if (k.size == db->src.size && k.mtime == db->src.mtime && !(flags & EAF_SOURCE_CHECKSUM)) {
        *out = EAF_SOURCE_UNCHANGED;
        return EAF_OK;
    }
    if (!db->src.hash[0] && (st = hash_file(db, path, db->src.hash)) != EAF_OK)
        return st;
    if (strcmp(k.hash, db->src.hash) != 0 || k.size != db->src.size) {
        *out = EAF_SOURCE_CHANGED;
        return EAF_OK;
    }
    *out = EAF_SOURCE_UNCHANGED;
    /* the same content with a new time: remember the new time, so that
     * the next check needs no hash */
    if (k.mtime != db->src.mtime && !(db->flags & EAF_OPEN_READONLY)) {
        sqlite3_stmt *s;
        st = eaf__db_begin_write(db);
        if (st != EAF_OK)
            return st;
        s = eaf__db_stmt(db, EAF__STMT_SOURCE_STAT);
        if (!s)
            return eaf__db_end_write(db, eaf__store_failed(db));
        sqlite3_bind_int64(s, 1, k.id);
        sqlite3_bind_int64(s, 2, db->src.size);
        sqlite3_bind_int64(s, 3, db->src.mtime);
        st = eaf__db_end_write(db, eaf__store_run(db, s, "recording the file's time"));
    }
    return st;
}

eaf_status eaf_db_source_begin(eaf_db *db, const char *path)
{
    known k;
    int found;
    eaf_status st;
    sqlite3_stmt *s;
    int rc;

    if (!db || !path)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (db->src_id)
        return eaf__db_error(db, EAF_MISUSE,
                             "the file '%s' is still being indexed: end it first",
                             db->src.path ? db->src.path : "?");
    if (db->flags & EAF_OPEN_READONLY)
        return eaf__db_error(db, EAF_READONLY, "the index '%s' is open read-only",
                             db->path);
    if ((st = check_sources(db)) != EAF_OK)
        return st;
    if ((st = stat_source(db, path)) != EAF_OK)
        return st;
    if (!db->src.hash[0] && (st = hash_file(db, path, db->src.hash)) != EAF_OK)
        return st;
    st = eaf__db_begin_write(db);
    if (st != EAF_OK)
        return st;
    found = find_source(db, path, &k);
    if (found < 0)
        return eaf__db_end_write(db, eaf__store_failed(db));
    if (!found) {
        s = eaf__db_stmt(db, EAF__STMT_SOURCE_INSERT);
        if (!s)
            return eaf__db_end_write(db, eaf__store_failed(db));
        eaf__store_bind_text(s, 1, path);
        st = eaf__store_run(db, s, "recording the file");
        if (st != EAF_OK)
            return eaf__db_end_write(db, st);
        k.id = sqlite3_last_insert_rowid(db->sql);
    }
    s = eaf__db_stmt(db, EAF__STMT_SOURCE_BEGIN);
    if (!s)
        return eaf__db_end_write(db, eaf__store_failed(db));
    sqlite3_bind_int64(s, 1, k.id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        db->src_gen = sqlite3_column_int64(s, 0);
        rc = sqlite3_step(s);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return eaf__db_end_write(db, eaf__db_sqlerr(db, rc, "recording the file"));
    st = eaf__db_end_write(db, EAF_OK);
    if (st == EAF_OK)
        db->src_id = k.id;
    return st;
}

/* One article a file no longer gives. */
typedef struct released {
    sqlite3_int64 id, owner;
    char *key;
} released;

/*
 * A file no longer gives the articles it gave before reading gen (all of
 * them, for a gen above every reading): each loses the file's record; an
 * article no other file gives is removed (fn is called with its key
 * first); one that another file gives and that held this file's version
 * passes to that file, which is marked to be read again (its version is
 * stored then).  Inside a write.
 */
static eaf_status release(eaf_db *db, sqlite3_int64 source, sqlite3_int64 gen,
                          eaf_key_fn fn, void *payload, int64_t *removed_n)
{
    sqlite3_stmt *st;
    released *v = NULL;
    size_t n = 0, cap = 0, i;
    eaf_status s = EAF_OK;
    int rc, synced = 0;

    *removed_n = 0;
    st = eaf__db_stmt(db, EAF__STMT_SOURCE_RELEASED);
    if (!st)
        return eaf__store_failed(db);
    sqlite3_bind_int64(st, 1, source);
    sqlite3_bind_int64(st, 2, gen);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 1);
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            released *nv = eaf__realloc(v, nc * sizeof(*nv));
            if (!nv) {
                s = eaf__db_error(db, EAF_NOMEM, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        v[n].id = sqlite3_column_int64(st, 0);
        v[n].owner = sqlite3_column_int64(st, 2);
        v[n].key = eaf__strdup(key ? key : "");
        if (!v[n].key) {
            s = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    sqlite3_reset(st);
    if (s == EAF_OK && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "listing the articles the file no longer gives");
    for (i = 0; i < n && s == EAF_OK; i++) {
        sqlite3_int64 other = 0;
        int r;

        s = eaf__store_stmt_run2(db, EAF__STMT_PROVIDE_DELETE, source, v[i].id,
                      "removing the article's file");
        if (s != EAF_OK || v[i].owner != source)
            continue; /* another file's version stays */
        r = eaf__store_stmt_int(db, EAF__STMT_PROVIDE_OTHER, v[i].id, -1, &other);
        if (r < 0) {
            s = eaf__store_failed(db);
        } else if (r == 1) {
            s = eaf__store_stmt_run2(db, EAF__STMT_ARTICLE_OWNER, v[i].id, other,
                          "passing the article to its other file");
            if (s == EAF_OK)
                s = eaf__store_stmt_run2(db, EAF__STMT_SOURCE_REREAD, other, -1,
                              "marking the article's other file");
        } else {
            /* the delete trigger takes the text out of fts: it must be there */
            if (!synced) {
                s = eaf__db_fts_sync(db);
                synced = 1;
            }
            /* a stop undoes the whole call (its write is rolled back) */
            if (s == EAF_OK && fn && fn(v[i].key, payload) != 0)
                s = eaf__db_error(db, EAF_ABORT, "the callback stopped the removal");
            if (s == EAF_OK)
                s = eaf__store_stmt_run2(db, EAF__STMT_DELETE_ID, v[i].id, -1,
                              "removing the articles the file no longer holds");
            if (s == EAF_OK)
                ++*removed_n;
        }
    }
    for (i = 0; i < n; i++)
        eaf__free(v[i].key);
    eaf__free(v);
    if (s == EAF_OK && *removed_n > 0)
        s = eaf__store_count_rewrite(db);
    return s;
}

eaf_status eaf_db_source_end(int64_t *removed_out, eaf_db *db, int complete,
                             eaf_key_fn removed, void *payload)
{
    sqlite3_stmt *s;
    sqlite3_int64 gen = 0;
    eaf_status st;
    int64_t removed_n = 0;
    int r;

    if (removed_out)
        *removed_out = 0;
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (!db->src_id)
        return eaf__db_error(db, EAF_MISUSE, "no file is being indexed");
    if (!complete) {
        /* what was put stays; the file stays marked as not done, so the
         * next check finds it changed */
        db->src_id = 0;
        return EAF_OK;
    }
    st = eaf__db_begin_write(db);
    if (st != EAF_OK) {
        db->src_id = 0;
        return st;
    }
    /* Another writer that began the file since (two programs indexing
     * one folder) has the later reading: it removes what the file no
     * longer gives, and records the file.  This reading removes nothing,
     * or it would remove what the other stored after it began. */
    r = eaf__store_stmt_int(db, EAF__STMT_SOURCE_GEN, db->src_id, -1, &gen);
    if (r < 0)
        st = eaf__store_failed(db);
    else if (r == 0 || gen != db->src_gen) {
        db->src_id = 0;
        return eaf__db_end_write(db, EAF_OK);
    }
    if (st == EAF_OK) {
        /* usually the file gives all it gave before */
        r = eaf__store_stmt_int(db, EAF__STMT_SOURCE_STALE_ANY, db->src_id, db->src_gen, &gen);
        if (r < 0)
            st = eaf__store_failed(db);
        else if (r == 1)
            st = release(db, db->src_id, db->src_gen, removed, payload, &removed_n);
    }
    if (st == EAF_OK) {
        s = eaf__db_stmt(db, EAF__STMT_SOURCE_DONE);
        if (!s)
            st = eaf__store_failed(db);
    }
    if (st == EAF_OK) {
        sqlite3_bind_int64(s, 1, db->src_id);
        sqlite3_bind_int64(s, 2, db->src.size);
        sqlite3_bind_int64(s, 3, db->src.mtime);
        eaf__store_bind_text(s, 4, db->src.hash);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
        st = eaf__store_run(db, s, "recording the file");
    }
    db->src_id = 0;
    st = eaf__db_end_write(db, st);
    if (st == EAF_OK && removed_out)
        *removed_out = removed_n;
    return st;
}

eaf_status eaf_db_source_remove(int64_t *removed_out, eaf_db *db, const char *path,
                                eaf_key_fn removed, void *payload)
{
    known k;
    int found;
    eaf_status st;
    int64_t removed_n = 0;

    if (removed_out)
        *removed_out = 0;
    if (!db || !path)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if ((st = check_sources(db)) != EAF_OK)
        return st;
    if (db->src_id)
        return eaf__db_error(db, EAF_MISUSE, "a file is being indexed: end it first");
    st = eaf__db_begin_write(db);
    if (st != EAF_OK)
        return st;
    found = find_source(db, path, &k);
    if (found < 0)
        return eaf__db_end_write(db, eaf__store_failed(db));
    if (!found)
        return eaf__db_end_write(db, eaf__db_error(db, EAF_NOTFOUND,
                                                   "the index has no file '%s'", path));
    st = release(db, k.id, INT64_MAX, removed, payload, &removed_n);
    if (st == EAF_OK)
        st = eaf__store_stmt_run2(db, EAF__STMT_SOURCE_DELETE, k.id, -1, "removing the file");
    st = eaf__db_end_write(db, st);
    if (st == EAF_OK && removed_out)
        *removed_out = removed_n;
    return st;
}

/* Walks the files one of the SOURCE_LIST statements gives. */
static eaf_status list_sources(eaf_db *db, int which, const char *prefix, eaf_source_fn fn,
                               void *payload)
{
    sqlite3_stmt *st = NULL;
    eaf_status s;
    int rc;

    if (!db || !fn)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if ((s = check_sources(db)) != EAF_OK)
        return s;
    /* a statement of its own: the callback may call the library */
    rc = sqlite3_prepare_v2(db->sql, eaf__stmt_sql[which], -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "listing the files");
    }
    eaf__store_bind_text(st, 1, prefix ? prefix : "");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(st, 0);
        if (path && fn(path, (int64_t)sqlite3_column_int64(st, 1), payload))
            break;
    }
    s = rc == SQLITE_ROW   ? eaf__db_error(db, EAF_ABORT, "the callback stopped the walk")
        : rc == SQLITE_DONE ? EAF_OK
                            : eaf__db_sqlerr(db, rc, "listing the files");
    sqlite3_finalize(st);
    return s;
}

eaf_status eaf_db_source_list(eaf_db *db, const char *prefix, eaf_source_fn fn,
                              void *payload)
{
    return list_sources(db, EAF__STMT_SOURCE_LIST, prefix, fn, payload);
}

eaf_status eaf_db_source_pending(eaf_db *db, const char *prefix, eaf_source_fn fn,
                                 void *payload)
{
    return list_sources(db, EAF__STMT_SOURCE_PENDING, prefix, fn, payload);
}
