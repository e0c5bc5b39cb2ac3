/*
 * store.c: put, delete, get and count articles; walk all of them; and
 * the bookkeeping of sources, the files articles come from.
 */
#include "db.h"
#include "tokenize.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>


/* The status of the SQLite failure just recorded (a statement that could
 * not be prepared: EAF_NOMEM when out of memory), never EAF_OK. */
static eaf_status fail_status(eaf_db *db)
{
    eaf_status st = eaf__status_from_sqlite(sqlite3_errcode(db->sql));
    return st == EAF_OK ? EAF_ERROR : st;
}

/* Binds a C string or NULL. */
static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
    return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows. */
static eaf_status run(eaf_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, what);
    return EAF_OK;
}

/* Counts a change or deletion of existing articles, which the column
 * sizes kept by searches (rank.c) must read again. */
static eaf_status count_rewrite(eaf_db *db)
{
    sqlite3_stmt *st = eaf__db_stmt(db, EAF__STMT_COUNT_REWRITE);

    return st ? run(db, st, "recording a change") : EAF_ERROR;
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
        return eaf__status_from_sqlite(sqlite3_errcode(db->sql));
    }
    sqlite3_bind_int(st, 1, kind);
    bind_text(st, 2, norm);
    sqlite3_bind_int64(st, 3, id);
    sqlite3_bind_int(st, 4, pos);
    bind_text(st, 5, value);
    rc = run(db, st, "storing a tag");
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
            return fail_status(db);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        bind_text(st, 3, a->author_name.v[i]);
        bind_text(st, 4, a->author_aff.v[i]);
        rc = run(db, st, "storing an author");
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
            return fail_status(db);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, (int)i);
        bind_text(st, 3, a->related.v[i]);
        rc = run(db, st, "storing a related title");
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
            return fail_status(db);
        sqlite3_bind_int64(st, 1, id);
        rc = run(db, st, "replacing an article");
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
    bind_text(st, 1, key);
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
        rc = fail_status(db);
        goto done;
    }
    bind_text(st, 1, a->field[EAF_FIELD_KEY]);
    bind_text(st, 2, a->field[EAF_FIELD_URL]);
    bind_text(st, 3, a->field[EAF_FIELD_TITLE] ? a->field[EAF_FIELD_TITLE] : "");
    bind_text(st, 4, has_day ? a->field[EAF_FIELD_DATE] : NULL);
    if (has_day)
        sqlite3_bind_int(st, 5, day);
    bind_text(st, 6, eaf__buf_cstr(&authors));
    bind_text(st, 7, eaf__buf_cstr(&affs));
    bind_text(st, 8, eaf__buf_cstr(&topics));
    bind_text(st, 9, eaf__buf_cstr(&countries));
    bind_text(st, 10, a->field[EAF_FIELD_SUMMARY]);
    bind_text(st, 11, a->field[EAF_FIELD_BODY]);
    bind_text(st, 12, a->field[EAF_FIELD_BIO]);
    bind_text(st, 13, a->field[EAF_FIELD_LANGUAGE]);
    sqlite3_bind_int64(st, 14, hash);
    if (found)
        sqlite3_bind_int64(st, 15, *id);
    rc = run(db, st, "storing the article");
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
static int stmt_int(eaf_db *db, int id, sqlite3_int64 a, sqlite3_int64 b, sqlite3_int64 *out)
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
static eaf_status stmt_run2(eaf_db *db, int id, sqlite3_int64 a, sqlite3_int64 b,
                            const char *what)
{
    sqlite3_stmt *st = eaf__db_stmt(db, id);

    if (!st)
        return fail_status(db);
    sqlite3_bind_int64(st, 1, a);
    if (b >= 0)
        sqlite3_bind_int64(st, 2, b);
    return run(db, st, what);
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
        return fail_status(db);
    sqlite3_bind_int64(s, 1, db->src_id);
    sqlite3_bind_int64(s, 2, id);
    sqlite3_bind_int64(s, 3, db->src_gen);
    st = run(db, s, "recording the article's file");
    if (st != EAF_OK || !own)
        return st;
    s = eaf__db_stmt(db, EAF__STMT_ARTICLE_SOURCE);
    if (!s)
        return fail_status(db);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, db->src_id);
    sqlite3_bind_int64(s, 3, db->src_gen);
    return run(db, s, "recording the article's file");
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
        r = stmt_int(db, EAF__STMT_PROVIDE_GEN, db->src_id, id, &gen);
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
    hash = (sqlite3_int64)eaf__article_hash(a);
    rc = eaf__db_begin_write(db);
    if (rc != EAF_OK)
        return rc;
    found = find_key(db, key, &id, &stored, &owner);
    if (found < 0) {
        rc = eaf__status_from_sqlite(sqlite3_errcode(db->sql));
        return eaf__db_end_write(db, rc == EAF_OK ? EAF_ERROR : rc);
    }
    other = found ? check_conflict(db, id, owner) : 0;
    if (other < 0)
        return eaf__db_end_write(db, fail_status(db));
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
        rc = count_rewrite(db);
    /* the tokens made ahead for its text wait for fts in the handle (the
     * article gives them up: eaf_prep_article()) */
    if (rc == EAF_OK && a->prep)
        eaf__prep_set_take_article(&db->prep, (eaf_article *)a, db->language);
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
        return eaf__db_end_write(db, fail_status(db));
    bind_text(st, 1, key);
    rc = run(db, st, "deleting the article");
    if (rc == EAF_OK && sqlite3_changes(db->sql) == 0)
        rc = eaf__db_error(db, EAF_NOTFOUND, "no article has the key '%s'", key);
    if (rc == EAF_OK)
        rc = count_rewrite(db);
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
        return fail_status(db);
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
    return st ? EAF_OK : fail_status(db);
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
    st = eaf__db_stmt(db, EAF__STMT_GET_ARTICLE);
    if (!st)
        return eaf__status_from_sqlite(sqlite3_errcode(db->sql));
    bind_text(st, 1, key);
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
    st = eaf__db_stmt(db, EAF__STMT_COUNT);
    if (!st)
        return eaf__status_from_sqlite(sqlite3_errcode(db->sql));
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return eaf__db_sqlerr(db, rc, "counting articles");
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
        if (stop)
            break;
    }
    if (s == EAF_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        s = eaf__db_sqlerr(db, rc, "reading the articles");
    sqlite3_finalize(st);
    return s;
}

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
    bind_text(st, 1, path);
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
        return fail_status(db);
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
            return eaf__db_end_write(db, fail_status(db));
        sqlite3_bind_int64(s, 1, k.id);
        sqlite3_bind_int64(s, 2, db->src.size);
        sqlite3_bind_int64(s, 3, db->src.mtime);
        st = eaf__db_end_write(db, run(db, s, "recording the file's time"));
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
        return eaf__db_end_write(db, fail_status(db));
    if (!found) {
        s = eaf__db_stmt(db, EAF__STMT_SOURCE_INSERT);
        if (!s)
            return eaf__db_end_write(db, fail_status(db));
        bind_text(s, 1, path);
        st = run(db, s, "recording the file");
        if (st != EAF_OK)
            return eaf__db_end_write(db, st);
        k.id = sqlite3_last_insert_rowid(db->sql);
    }
    s = eaf__db_stmt(db, EAF__STMT_SOURCE_BEGIN);
    if (!s)
        return eaf__db_end_write(db, fail_status(db));
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
        return fail_status(db);
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

        s = stmt_run2(db, EAF__STMT_PROVIDE_DELETE, source, v[i].id,
                      "removing the article's file");
        if (s != EAF_OK || v[i].owner != source)
            continue; /* another file's version stays */
        r = stmt_int(db, EAF__STMT_PROVIDE_OTHER, v[i].id, -1, &other);
        if (r < 0) {
            s = fail_status(db);
        } else if (r == 1) {
            s = stmt_run2(db, EAF__STMT_ARTICLE_OWNER, v[i].id, other,
                          "passing the article to its other file");
            if (s == EAF_OK)
                s = stmt_run2(db, EAF__STMT_SOURCE_REREAD, other, -1,
                              "marking the article's other file");
        } else {
            /* the delete trigger takes the text out of fts: it must be there */
            if (!synced) {
                s = eaf__db_fts_sync(db);
                synced = 1;
            }
            if (s == EAF_OK && fn)
                fn(v[i].key, payload);
            if (s == EAF_OK)
                s = stmt_run2(db, EAF__STMT_DELETE_ID, v[i].id, -1,
                              "removing the articles the file no longer holds");
            if (s == EAF_OK)
                ++*removed_n;
        }
    }
    for (i = 0; i < n; i++)
        eaf__free(v[i].key);
    eaf__free(v);
    if (s == EAF_OK && *removed_n > 0)
        s = count_rewrite(db);
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
    r = stmt_int(db, EAF__STMT_SOURCE_GEN, db->src_id, -1, &gen);
    if (r < 0)
        st = fail_status(db);
    else if (r == 0 || gen != db->src_gen) {
        db->src_id = 0;
        return eaf__db_end_write(db, EAF_OK);
    }
    if (st == EAF_OK) {
        /* usually the file gives all it gave before */
        r = stmt_int(db, EAF__STMT_SOURCE_STALE_ANY, db->src_id, db->src_gen, &gen);
        if (r < 0)
            st = fail_status(db);
        else if (r == 1)
            st = release(db, db->src_id, db->src_gen, removed, payload, &removed_n);
    }
    if (st == EAF_OK) {
        s = eaf__db_stmt(db, EAF__STMT_SOURCE_DONE);
        if (!s)
            st = fail_status(db);
    }
    if (st == EAF_OK) {
        sqlite3_bind_int64(s, 1, db->src_id);
        sqlite3_bind_int64(s, 2, db->src.size);
        sqlite3_bind_int64(s, 3, db->src.mtime);
        bind_text(s, 4, db->src.hash);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)time(NULL));
        st = run(db, s, "recording the file");
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
        return eaf__db_end_write(db, fail_status(db));
    if (!found)
        return eaf__db_end_write(db, eaf__db_error(db, EAF_NOTFOUND,
                                                   "the index has no file '%s'", path));
    st = release(db, k.id, INT64_MAX, removed, payload, &removed_n);
    if (st == EAF_OK)
        st = stmt_run2(db, EAF__STMT_SOURCE_DELETE, k.id, -1, "removing the file");
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
    bind_text(st, 1, prefix ? prefix : "");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(st, 0);
        if (path && fn(path, (int64_t)sqlite3_column_int64(st, 1), payload))
            break;
    }
    s = rc == SQLITE_ROW || rc == SQLITE_DONE ? EAF_OK
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
