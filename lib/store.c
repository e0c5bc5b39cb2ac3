/*
 * store.c: put, delete, get and count articles, and walk all of them.
 * The bookkeeping of sources, the files articles come from, is in
 * store_source.c.
 */
#include "store.h"
#include "shard.h"
#include "tokenize.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


/* The status of the SQLite failure just recorded (a statement that could
 * not be prepared: EAF_NOMEM when out of memory), never EAF_OK. */
eaf_status eaf__store_failed(eaf_db *db)
{
    eaf_status st = eaf__db_status(db, sqlite3_errcode(db->sql));
    return st == EAF_OK ? EAF_ERROR : st;
}

/* Runs a statement that returns no rows. */
eaf_status eaf__store_run(eaf_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, what);
    return EAF_OK;
}

/* Counts a change or deletion of existing articles, which the column
 * sizes kept by searches (rank.c) must read again. */
eaf_status eaf__store_count_rewrite(eaf_db *db)
{
    sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_COUNT_REWRITE);

    return st ? eaf__store_run(db, st, "recording a change") : EAF_ERROR;
}

/* The text the FTS index sees for a list of values: one per line. */
static void join_lines(eaf__buf *b, char *const *v, size_t n, int skip_null)
{
    size_t i;
    int first = b->n == 0;

    for (i = 0; i < n; i++) {
        if (!v[i]) {
            if (skip_null)
                continue;
        }
        if (!first)
            eaf__buf_putc(b, '\n');
        eaf__buf_puts(b, v[i] ? v[i] : "");
        first = 0;
    }
}

/* The distinct affiliations, in order of first appearance. */
static void join_affiliations(eaf__buf *b, const eaf_article *a)
{
    size_t i, j;

    for (i = 0; i < a->author_aff.n; i++) {
        const char *aff = a->author_aff.v[i];
        int seen = 0;

        if (!aff)
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = a->author_aff.v[j] && strcmp(a->author_aff.v[j], aff) == 0;
        if (seen)
            continue;
        if (b->n > 0)
            eaf__buf_putc(b, '\n');
        eaf__buf_puts(b, aff);
    }
}

static eaf_status insert_facet(eaf_db *db, sqlite3_int64 id, int kind, int pos,
                               const char *value)
{
    sqlite3_stmt *st;
    char *norm = eaf__fold_value(value, strlen(value));
    eaf_status rc;

    if (!norm)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (!*norm) { /* nothing searchable in the value */
        eaf__free(norm);
        return EAF_OK;
    }
    st = eaf__db_stmt(db, EAF__STMT_INSERT_FACET);
    if (!st) {
        eaf__free(norm);
        return eaf__db_status(db, sqlite3_errcode(db->sql));
    }
    sqlite3_bind_int(st, 1, kind);
    eaf__store_bind_text(st, 2, norm);
    sqlite3_bind_int64(st, 3, id);
    sqlite3_bind_int(st, 4, pos);
    eaf__store_bind_text(st, 5, value);
    rc = eaf__store_run(db, st, "storing a tag");
    eaf__free(norm);
    return rc;
}

/* Writes the rows that hang off an article: authors, facets, related. */
static eaf_status write_children(eaf_db *db, sqlite3_int64 id,
                                 const eaf_article *a)
{
    sqlite3_stmt *st;
    eaf_status rc = EAF_OK;
    size_t i;
    int k;

    for (i = 0; rc == EAF_OK && i < a->author_name.n; i++) {
        st = eaf__db_stmt(db, EAF__STMT_INSERT_AUTHOR);
        if (!st)
            return eaf__store_failed(db);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        eaf__store_bind_text(st, 3, a->author_name.v[i]);
        eaf__store_bind_text(st, 4, a->author_aff.v[i]);
        rc = eaf__store_run(db, st, "storing an author");
        if (rc == EAF_OK)
            rc = insert_facet(db, id, EAF__FACET_AUTHOR, (int)i, a->author_name.v[i]);
        if (rc == EAF_OK && a->author_aff.v[i])
            rc = insert_facet(db, id, EAF__FACET_AFFILIATION, (int)i,
                              a->author_aff.v[i]);
    }
    for (k = 0; k < EAF_TAG_LAST; k++)
        for (i = 0; rc == EAF_OK && i < a->tag[k].n; i++)
            rc = insert_facet(db, id, k, (int)i, a->tag[k].v[i]);
    for (i = 0; rc == EAF_OK && i < a->related.n; i++) {
        st = eaf__db_stmt(db, EAF__STMT_INSERT_RELATED);
        if (!st)
            return eaf__store_failed(db);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        eaf__store_bind_text(st, 3, a->related.v[i]);
        rc = eaf__store_run(db, st, "storing a related title");
    }
    return rc;
}

static eaf_status clear_children(eaf_db *db, sqlite3_int64 id)
{
    static const int ids[] = {EAF__STMT_CLEAR_AUTHORS, EAF__STMT_CLEAR_FACETS,
                              EAF__STMT_CLEAR_RELATED};
    size_t i;
    eaf_status rc = EAF_OK;

    for (i = 0; rc == EAF_OK && i < EAF__ARRAY_LEN(ids); i++) {
        sqlite3_stmt *st = eaf__db_stmt(db, ids[i]);
        if (!st)
            return eaf__store_failed(db);
        sqlite3_bind_int64(st, 1, id);
        rc = eaf__store_run(db, st, "replacing an article");
    }
    return rc;
}

/* Looks the key up: 1 and *id, *hash, *owner (the file whose version is
 * stored, 0 for none) when found, 0 when not, -1 on error. */
static int find_key(eaf_db *db, const char *key, sqlite3_int64 *id,
                    sqlite3_int64 *hash, sqlite3_int64 *owner)
{
    sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_FIND_KEY);
    int rc;

    if (!st)
        return -1;
    eaf__store_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *hash = sqlite3_column_int64(st, 1);
        *owner = sqlite3_column_int64(st, 2);
        sqlite3_reset(st);
        return 1;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    eaf__db_sqlerr(db, rc, "looking up the article");
    return -1;
}

static eaf_status write_article(eaf_db *db, const eaf_article *a,
                                sqlite3_int64 hash, int found, sqlite3_int64 *id)
{
    eaf__buf authors = EAF__BUF_INIT, affs = EAF__BUF_INIT, topics = EAF__BUF_INIT,
             countries = EAF__BUF_INIT;
    sqlite3_stmt *st;
    char date[11];
    int32_t day = 0;
    int has_day = 0;
    eaf_status rc;

    join_lines(&authors, a->author_name.v, a->author_name.n, 0);
    join_affiliations(&affs, a);
    join_lines(&topics, a->tag[EAF_TAG_TOPIC].v, a->tag[EAF_TAG_TOPIC].n, 1);
    join_lines(&topics, a->tag[EAF_TAG_OTHER].v, a->tag[EAF_TAG_OTHER].n, 1);
    join_lines(&countries, a->tag[EAF_TAG_COUNTRY].v, a->tag[EAF_TAG_COUNTRY].n, 1);
    if (a->field[EAF_FIELD_DATE])
        has_day = eaf__date_parse(a->field[EAF_FIELD_DATE],
                                  strlen(a->field[EAF_FIELD_DATE]), date, &day);
    if (authors.rc || affs.rc || topics.rc || countries.rc) {
        rc = eaf__db_error(db, EAF_NOMEM, "out of memory");
        goto done;
    }
    st = eaf__db_stmt(db, found ? EAF__STMT_UPDATE_ARTICLE : EAF__STMT_INSERT_ARTICLE);
    if (!st) {
        rc = eaf__store_failed(db);
        goto done;
    }
    eaf__store_bind_text(st, 1, a->field[EAF_FIELD_KEY]);
    eaf__store_bind_text(st, 2, a->field[EAF_FIELD_URL]);
    eaf__store_bind_text(st, 3, a->field[EAF_FIELD_TITLE] ? a->field[EAF_FIELD_TITLE] : "");
    eaf__store_bind_text(st, 4, has_day ? a->field[EAF_FIELD_DATE] : NULL);
    if (has_day)
        sqlite3_bind_int(st, 5, day);
    eaf__store_bind_text(st, 6, eaf__buf_cstr(&authors));
    eaf__store_bind_text(st, 7, eaf__buf_cstr(&affs));
    eaf__store_bind_text(st, 8, eaf__buf_cstr(&topics));
    eaf__store_bind_text(st, 9, eaf__buf_cstr(&countries));
    eaf__store_bind_text(st, 10, a->field[EAF_FIELD_SUMMARY]);
    eaf__store_bind_text(st, 11, a->field[EAF_FIELD_BODY]);
    eaf__store_bind_text(st, 12, a->field[EAF_FIELD_BIO]);
    eaf__store_bind_text(st, 13, a->field[EAF_FIELD_LANGUAGE]);
    sqlite3_bind_int64(st, 14, hash);
    if (found || EAF__IS_WRITER(db))
        sqlite3_bind_int64(st, 15, *id); /* (a shard's: the set's next, eaf_db_put) */
    else
        sqlite3_bind_null(st, 15); /* the next of the file */
    rc = eaf__store_run(db, st, "storing the article");
    if (rc == EAF_OK && !found)
        *id = sqlite3_last_insert_rowid(db->sql);
done:
    eaf__buf_free(&authors);
    eaf__buf_free(&affs);
    eaf__buf_free(&topics);
    eaf__buf_free(&countries);
    return rc;
}

/* One integer a cached statement gives for (a, b): 1 and *out, 0 for no
 * row, -1 on error. */
int eaf__store_stmt_int(eaf_db *db, int id, sqlite3_int64 a, sqlite3_int64 b, sqlite3_int64 *out)
{
    sqlite3_stmt *st = eaf__db_stmt(db, id);
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, a);
    if (b >= 0)
        sqlite3_bind_int64(st, 2, b);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return rc == SQLITE_ROW;
    eaf__db_sqlerr(db, rc, "reading the index's record of files");
    return -1;
}

/* Runs a cached statement bound to (a, b) (b < 0: only a). */
eaf_status eaf__store_stmt_run2(eaf_db *db, int id, sqlite3_int64 a, sqlite3_int64 b,
                            const char *what)
{
    sqlite3_stmt *st = eaf__db_stmt(db, id);

    if (!st)
        return eaf__store_failed(db);
    sqlite3_bind_int64(st, 1, a);
    if (b >= 0)
        sqlite3_bind_int64(st, 2, b);
    return eaf__store_run(db, st, what);
}

/* Sets db->conflict to the recorded path of source id (the file named in
 * a warning).  Returns 0, or -1 on error. */
static int note_conflict(eaf_db *db, sqlite3_int64 source)
{
    sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_SOURCE_PATH);
    const char *path;
    int rc;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, source);
    rc = sqlite3_step(st);
    path = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    eaf__free(db->conflict);
    db->conflict = eaf__strdup(path ? path : "?");
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eaf__db_sqlerr(db, rc, "reading the index's record of files");
        return -1;
    }
    if (!db->conflict) {
        eaf__db_error(db, EAF_NOMEM, "out of memory");
        return -1;
    }
    return 0;
}

/* While a source is open, records that this reading of it gives the
 * article, and with own, that the stored version is the source's. */
static eaf_status attribute(eaf_db *db, sqlite3_int64 id, int own)
{
    eaf_status st;
    sqlite3_stmt *s;

    if (!db->src_id)
        return EAF_OK;
    s = eaf__db_stmt(db, EAF__STMT_PROVIDE_PUT);
    if (!s)
        return eaf__store_failed(db);
    sqlite3_bind_int64(s, 1, db->src_id);
    sqlite3_bind_int64(s, 2, id);
    sqlite3_bind_int64(s, 3, db->src_gen);
    st = eaf__store_run(db, s, "recording the article's file");
    if (st != EAF_OK || !own)
        return st;
    s = eaf__db_stmt(db, EAF__STMT_ARTICLE_SOURCE);
    if (!s)
        return eaf__store_failed(db);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, db->src_id);
    sqlite3_bind_int64(s, 3, db->src_gen);
    return eaf__store_run(db, s, "recording the article's file");
}

/* Does the file of source id still exist?  A file that gives a key another
 * file gave only keeps out the newcomer while it is there: a folder moved
 * or renamed gives the same keys from new paths, and the old ones are
 * pruned later in the same run. */
static int source_exists(eaf_db *db, sqlite3_int64 source)
{
    sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_SOURCE_PATH);
    struct stat sb;
    int rc, there = 1;

    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, source);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(st, 0);
        there = path && stat(path, &sb) == 0;
    } else if (rc == SQLITE_DONE) {
        there = 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        eaf__db_sqlerr(db, rc, "reading the index's record of files");
        return -1;
    }
    return there;
}

/*
 * Another file's article.  While a source is open, an article whose key
 * another file already gives (and still exists) is not written: the first
 * file keeps it, the newcomer is recorded as giving it too (so that the
 * article stays while either gives it), and eaf_db_put_conflict() names
 * the first file.  The same key given twice by one reading of a file is
 * written (the last one wins) and named the same way.  Returns 1 when
 * the article must not be written, 0 when it may, -1 on error.
 */
static int check_conflict(eaf_db *db, sqlite3_int64 id, sqlite3_int64 owner)
{
    sqlite3_int64 gen = -1;
    int r;

    if (!db->src_id)
        return 0;
    if (owner == db->src_id) {
        r = eaf__store_stmt_int(db, EAF__STMT_PROVIDE_GEN, db->src_id, id, &gen);
        if (r < 0)
            return -1;
        if (r == 1 && gen == db->src_gen && note_conflict(db, db->src_id) != 0)
            return -1;
        return 0;
    }
    if (owner == 0)
        return 0; /* stored by a program without a file: the file takes it */
    r = source_exists(db, owner);
    if (r <= 0)
        return r; /* gone (pruned later): this file takes the article */
    return note_conflict(db, owner) == 0 ? 1 : -1;
}

eaf_status eaf_db_put(eaf_change *out, eaf_db *db, const eaf_article *a)
{
    sqlite3_int64 id = 0, stored = 0, hash, owner = 0;
    const char *key;
    int found, other;
    eaf_status rc;

    if (out)
        *out = EAF_CHANGE_NONE;
    if (!db || !a)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    eaf__free(db->conflict);
    db->conflict = NULL;
    key = a->field[EAF_FIELD_KEY];
    if (!key || !*key)
        return eaf__db_error(db, EAF_MISUSE, "the article has no key");
    if (EAF__IS_SET(db))
        return eaf__set_unsupported(db, "writing through the set's folder (eafindex --shards"
                                        " and eaf_db_open_shard() write shard sets)");
    if (EAF__IS_WRITER(db)) {
        /* every writer of the set puts every article: each its own */
        db->puts++;
        if (eaf__key_shard(key, db->set->n) != (unsigned)db->shard) {
            if (out)
                *out = EAF_CHANGE_ELSEWHERE;
            return EAF_OK;
        }
    }
    hash = (sqlite3_int64)eaf__article_hash(a);
    rc = eaf__db_begin_write(db);
    if (rc != EAF_OK)
        return rc;
    found = find_key(db, key, &id, &stored, &owner);
    if (found < 0) {
        rc = eaf__db_status(db, sqlite3_errcode(db->sql));
        return eaf__db_end_write(db, rc == EAF_OK ? EAF_ERROR : rc);
    }
    other = found ? check_conflict(db, id, owner) : 0;
    if (other < 0)
        return eaf__db_end_write(db, eaf__store_failed(db));
    if (other) {
        rc = eaf__db_end_write(db, attribute(db, id, 0));
        if (rc == EAF_OK && out)
            *out = EAF_CHANGE_CONFLICT;
        return rc;
    }
    if (found && stored == hash)
        return eaf__db_end_write(db, attribute(db, id, 1));
    /* a change goes through the update trigger, which takes the old text
     * out of fts: it must be there */
    rc = found ? eaf__db_fts_sync(db) : EAF_OK;
    if (rc == EAF_OK && found)
        rc = eaf__store_count_rewrite(db);
    /* the tokens made ahead for its text wait for fts in the handle (the
     * article gives them up: eaf_prep_article()) */
    if (rc == EAF_OK && a->prep)
        eaf__prep_set_take_article(&db->prep, (eaf_article *)a, db->language);
    if (rc == EAF_OK && !found && EAF__IS_WRITER(db))
        id = db->put_base + db->puts - 1;
    if (rc == EAF_OK)
        rc = write_article(db, a, hash, found, &id);
    if (rc == EAF_OK && !found)
        eaf__db_fts_add(db, id);
    if (rc == EAF_OK && found)
        rc = clear_children(db, id);
    if (rc == EAF_OK)
        rc = write_children(db, id, a);
    if (rc == EAF_OK)
        rc = attribute(db, id, 1);
    rc = eaf__db_end_write(db, rc);
    if (rc == EAF_OK && out)
        *out = found ? EAF_CHANGE_UPDATED : EAF_CHANGE_ADDED;
    return rc;
}

const char *eaf_db_put_conflict(const eaf_db *db)
{
    return db ? db->conflict : NULL;
}

eaf_status eaf_db_delete(eaf_db *db, const char *key)
{
    sqlite3_stmt *st;
    eaf_status rc;

    if (!db || !key)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    rc = eaf__db_begin_write(db);
    if (rc != EAF_OK)
        return rc;
    /* the delete trigger takes the text out of fts: it must be there */
    rc = eaf__db_fts_sync(db);
    if (rc != EAF_OK)
        return eaf__db_end_write(db, rc);
    st = eaf__db_stmt(db, EAF__STMT_DELETE_KEY);
    if (!st)
        return eaf__db_end_write(db, eaf__store_failed(db));
    eaf__store_bind_text(st, 1, key);
    rc = eaf__store_run(db, st, "deleting the article");
    if (rc == EAF_OK && sqlite3_changes(db->sql) == 0)
        rc = eaf__db_error(db, EAF_NOTFOUND, "no article has the key '%s'", key);
    if (rc == EAF_OK)
        rc = eaf__store_count_rewrite(db);
    return eaf__db_end_write(db, rc);
}

/* A copy of a text column, or NULL for SQL NULL.  Sets *nomem. */
static char *column_dup(sqlite3_stmt *st, int col, int *nomem)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    char *r;

    if (!t)
        return NULL;
    r = eaf__strndup(t, (size_t)sqlite3_column_bytes(st, col));
    if (!r)
        *nomem = 1;
    return r;
}

static eaf_status read_children(eaf_db *db, sqlite3_int64 id, eaf_article *a)
{
    sqlite3_stmt *st;
    int rc, nomem = 0;

    st = eaf__db_stmt(db, EAF__STMT_GET_AUTHORS);
    if (!st)
        return eaf__store_failed(db);
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !nomem) {
        char *name = column_dup(st, 0, &nomem), *aff = column_dup(st, 1, &nomem);
        if (!nomem && eaf__strvec_push(&a->author_name, name) != EAF_OK)
            nomem = 1;
        else if (!nomem && eaf__strvec_push(&a->author_aff, aff) != EAF_OK) {
            a->author_name.n--;
            nomem = 1;
        }
        if (nomem) {
            eaf__free(name);
            eaf__free(aff);
        }
    }
    sqlite3_reset(st);
    if (!nomem && rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, "reading authors");

    st = nomem ? NULL : eaf__db_stmt(db, EAF__STMT_GET_FACETS);
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && !nomem) {
            int kind = sqlite3_column_int(st, 0);
            char *v = column_dup(st, 1, &nomem);
            if (nomem || kind < 0 || kind >= EAF_TAG_LAST || !v) {
                eaf__free(v);
                continue;
            }
            if (eaf__strvec_push(&a->tag[kind], v) != EAF_OK) {
                eaf__free(v);
                nomem = 1;
            }
        }
        sqlite3_reset(st);
        if (!nomem && rc != SQLITE_DONE)
            return eaf__db_sqlerr(db, rc, "reading tags");
    }
    st = nomem ? NULL : eaf__db_stmt(db, EAF__STMT_GET_RELATED);
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && !nomem) {
            char *v = column_dup(st, 0, &nomem);
            if (!nomem && v && eaf__strvec_push(&a->related, v) != EAF_OK)
                nomem = 1;
            if (nomem)
                eaf__free(v);
        }
        sqlite3_reset(st);
        if (!nomem && rc != SQLITE_DONE)
            return eaf__db_sqlerr(db, rc, "reading related titles");
    }
    if (nomem)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    return st ? EAF_OK : eaf__store_failed(db);
}

eaf_status eaf__article_from_row(eaf_db *db, sqlite3_stmt *st, eaf_article **out)
{
    static const eaf_field cols[] = {EAF_FIELD_KEY, EAF_FIELD_URL, EAF_FIELD_TITLE,
                                     EAF_FIELD_DATE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY,
                                     EAF_FIELD_BIO, EAF_FIELD_LANGUAGE};
    eaf_article *a;
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    int nomem = 0;
    size_t i;
    eaf_status rc;

    *out = NULL;
    if (eaf_article_new(&a) != EAF_OK)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    for (i = 0; i < EAF__ARRAY_LEN(cols); i++)
        a->field[cols[i]] = column_dup(st, (int)i + 1, &nomem);
    if (nomem) {
        eaf_article_free(a);
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    }
    rc = read_children(db, id, a);
    if (rc != EAF_OK) {
        eaf_article_free(a);
        return rc;
    }
    *out = a;
    return EAF_OK;
}

eaf_status eaf_db_get(eaf_article **out, eaf_db *db, const char *key)
{
    sqlite3_stmt *st;
    int rc;
    eaf_status s;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!db || !key)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (EAF__IS_SET(db)) {
        eaf_db *m = db->set->db[eaf__key_shard(key, db->set->n)];
        s = eaf_db_get(out, m, key);
        return s == EAF_OK ? s : eaf__db_error(db, s, "%s", eaf_db_errmsg(m));
    }
    st = eaf__db_stmt(db, EAF__STMT_GET_ARTICLE);
    if (!st)
        return eaf__db_status(db, sqlite3_errcode(db->sql));
    eaf__store_bind_text(st, 1, key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return eaf__db_error(db, EAF_NOTFOUND, "no article has the key '%s'", key);
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return eaf__db_sqlerr(db, rc, "reading the article");
    }
    s = eaf__article_from_row(db, st, out);
    sqlite3_reset(st);
    return s;
}

eaf_status eaf_db_count(int64_t *out, eaf_db *db)
{
    sqlite3_stmt *st;
    int rc;

    if (!out || !db)
        return EAF_MISUSE;
    *out = 0;
    eaf__db_clear_error(db);
    if (EAF__IS_SET(db))
        return eaf__db_count_all(out, db);
    st = eaf__db_stmt(db, EAF__STMT_COUNT);
    if (!st)
        return eaf__db_status(db, sqlite3_errcode(db->sql));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return eaf__db_sqlerr(db, rc, "counting articles");
    return EAF_OK;
}

eaf_status eaf__db_count_all(int64_t *out, eaf_db *db)
{
    int64_t n;
    unsigned k;

    if (!EAF__IS_SET(db) && !EAF__IS_MEMBER(db))
        return eaf_db_count(out, db);
    *out = 0; /* (the members, one file each) */
    for (k = 0; k < db->set->n; k++) {
        eaf_status st = eaf_db_count(&n, db->set->db[k]);
        if (st != EAF_OK)
            return db->set->db[k] == db ? st
                                        : eaf__db_error(db, st, "%s",
                                                        eaf_db_errmsg(db->set->db[k]));
        *out += n;
    }
    return EAF_OK;
}

/* ---- walking all articles ---------------------------------------------------- */

eaf_status eaf_db_articles(eaf_db *db, eaf_article_fn fn, void *payload)
{
    sqlite3_stmt *st = NULL;
    eaf_status s = EAF_OK;
    int rc;

    if (!db || !fn)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    /* a statement of its own: the callback may read the index */
    rc = sqlite3_prepare_v2(db->sql, eaf__stmt_sql[EAF__STMT_ALL_ARTICLES], -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return eaf__db_sqlerr(db, rc, "reading the articles");
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        eaf_article *a;
        int stop;

        s = eaf__article_from_row(db, st, &a);
        if (s != EAF_OK)
            break;
        stop = fn(a, payload);
        eaf_article_free(a);
        if (stop) {
            s = eaf__db_error(db, EAF_ABORT, "the callback stopped the walk");
            break;
        }
    }
    if (s == EAF_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the articles");
    sqlite3_finalize(st);
    return s;
}
