/*
 * check.c: eaf_db_check(), the checks of an index.
 *
 * Three layers, each reporting what it finds as one line per problem:
 *   1. SQLite's own PRAGMA integrity_check of the file (pages, b-trees,
 *      indexes of the tables);
 *   2. FTS5's integrity-check of the full-text index against the article
 *      rows it indexes (the tokens of every article are in it, and nothing
 *      else is);
 *   3. ours: every article has its full-text entries and every full-text
 *      entry its article; the rows that hang off articles (authors, tags,
 *      related titles, computed related lists and their vectors) point to
 *      articles that exist; no related list holds its own article or one
 *      article twice; each article's indexed author column agrees with its
 *      author rows; each article's file is recorded; the header and
 *      eaf_meta agree on the schema.
 * Damage that stops a check (SQLite finds the file malformed) is a
 * problem too.  Nothing is written, but FTS5's check is an INSERT command:
 * on a read-write handle the whole check runs in one write transaction
 * (so on one state of the index, even while another process indexes),
 * rolled back at the end; on a read-only one (a user who may only read
 * the index), in one read transaction, FTS5's check on a copy.
 */
#include "db.h"
#include "shard.h"

#include <stdio.h>
#include <string.h>

/* The most offending rows named per check; the count says the rest. */
#define MAX_NAMED 5
/* The most lines of SQLite's integrity_check read. */
#define MAX_SQLITE_ERRORS 100

/* Rows that point at articles, by table and column.  A new table of rows
 * hanging off articles (computed related posts, ...) adds its line here;
 * tables absent from an index (an older schema) are passed over. */
static const struct {
    const char *table, *column, *what;
    int set_wide;        /* in a shard set, may point to any shard's article:
                            shard 0 keeps the set's related lists (shard.h);
                            and the shard that removes an article cannot
                            reach them, so they may point to a removed one
                            until the next refresh drops them (not a problem) */
} article_refs[] = {
    {"author", "article_id", "author", 0},
    {"facet", "article_id", "tag", 0},
    {"site_related", "article_id", "related title", 0},
    {"related_list", "article_id", "related-list", 1},
    {"related_list", "other_id", "listed-as-related", 1},
    {"related_vector", "article_id", "term-vector", 1},
    {"related_stale", "article_id", "stale-list", 1},
    {"provide", "article_id", "file-of-article", 0},
};

typedef struct checker {
    eaf_db *db;          /* the handle checked (of a set, the member) */
    eaf_db *top;         /* the caller's handle, which gets the messages */
    const char *prefix;  /* of a set's member, its file, named in problems */
    const char *articles; /* the articles set-wide references point to */
    sqlite3 *sql;        /* where the checks read: db's connection */
    eaf_problem_fn fn;
    void *payload;
    int64_t problems;
    eaf_status fatal;    /* a failure that stopped a check (not a problem found) */
} checker;

EAF__PRINTF(2, 3)
static void problem(checker *c, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (c->fatal == EAF_ABORT)
        return;
    va_start(ap, fmt);
    msg = eaf__vprintf(fmt, ap);
    va_end(ap);
    if (!msg) {
        c->fatal = EAF_NOMEM;
        return;
    }
    if (c->prefix) {
        char *named = eaf__printf("%s: %s", c->prefix, msg);
        eaf__free(msg);
        if (!(msg = named)) {
            c->fatal = EAF_NOMEM;
            return;
        }
    }
    if (c->problems == 0)
        eaf__db_error(c->top, EAF_CORRUPT, "%s", msg);
    c->problems++;
    /* a callback that returns non-zero stops the check: no more problems
     * are counted or reported, and the remaining checks do not run */
    if (c->fn && c->fn(msg, c->payload) != 0 && c->fatal == EAF_OK)
        c->fatal = EAF_ABORT;
    eaf__free(msg);
}

/* A failure to run a check: SQLITE_CORRUPT and SQLITE_NOTADB are
 * problems with the file; the rest (busy, out of memory) stop the check. */
static void failed(checker *c, int rc, const char *what)
{
    int base = rc & 0xFF;

    if (base == SQLITE_CORRUPT || base == SQLITE_NOTADB) {
        problem(c, "%s: %s", what, sqlite3_errmsg(c->sql));
        return;
    }
    if (c->fatal == EAF_OK) {
        c->fatal = eaf__status_from_sqlite(rc);
        if (c->fatal == EAF_OK)
            c->fatal = EAF_ERROR;
        /* the message of the first failure, even after problems */
        eaf__db_clear_error(c->db);
        eaf__db_sqlerr(c->db, rc, what);
    }
}

static int table_exists(checker *c, const char *table)
{
    sqlite3_stmt *st = NULL;
    int rc, found = 0;

    rc = sqlite3_prepare_v2(c->sql,
                            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        found = rc == SQLITE_ROW;
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        failed(c, rc, "reading the list of tables");
    return found;
}

/* Runs a query whose rows are offenders (column 0 names one) and reports
 * them as one problem: "<count> <what>: name, name, ...". */
static void offenders(checker *c, const char *sql, const char *what)
{
    sqlite3_stmt *st = NULL;
    eaf__buf names = EAF__BUF_INIT;
    int64_t n = 0;
    int rc;

    if (c->fatal == EAF_ABORT)
        return;
    rc = sqlite3_prepare_v2(c->sql, sql, -1, &st, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        const char *name;

        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            break;
        name = (const char *)sqlite3_column_text(st, 0);
        if (n < MAX_NAMED) {
            eaf__buf_puts(&names, n ? ", " : "");
            eaf__buf_puts(&names, name ? name : "NULL");
        }
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        failed(c, rc, what);
    } else if (names.rc != EAF_OK) {
        c->fatal = EAF_NOMEM;
    } else if (n > 0) {
        problem(c, "%s (%lld): %s%s", what, (long long)n, eaf__buf_cstr(&names),
                n > MAX_NAMED ? ", ..." : "");
    }
    eaf__buf_free(&names);
}

static void check_sqlite(checker *c)
{
    sqlite3_stmt *st = NULL;
    int rc;
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA main.integrity_check(%d)", MAX_SQLITE_ERRORS);
    rc = sqlite3_prepare_v2(c->sql, sql, -1, &st, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        const char *text, *end;

        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            break;
        text = (const char *)sqlite3_column_text(st, 0);
        if (!text || strcmp(text, "ok") == 0)
            continue;
        /* a row may hold several lines: one problem each */
        for (; *text; text = *end ? end + 1 : end) {
            end = strchr(text, '\n');
            if (!end)
                end = text + strlen(text);
            if (end > text)
                problem(c, "SQLite integrity check: %.*s", (int)(end - text), text);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        failed(c, rc, "SQLite integrity check");
}

/* FTS5's check, on the connection sql: the index's own, or a copy's. */
static void check_fts(checker *c, sqlite3 *sql)
{
    int rc;

    /* an INSERT that writes nothing (and the transaction is rolled back) */
    /* rank 1: also against the article rows (external content) */
    rc = sqlite3_exec(sql, "INSERT INTO fts(fts, rank) VALUES ('integrity-check', 1)",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int base = rc & 0xFF;
        if (base == SQLITE_CORRUPT || base == SQLITE_ERROR)
            problem(c, "FTS5 integrity check: %s: the full-text index does not match "
                       "the articles (rebuild it: eafindex --rebuild)",
                    sqlite3_errmsg(sql));
        else
            failed(c, rc, "full-text index check");
    }
}

/*
 * A read-only handle cannot run FTS5's check, which is an INSERT command:
 * it runs on a private copy of the index (SQLite's backup, in one read
 * transaction of the handle, so of the state the other checks read), in
 * a temporary file SQLite deletes when it is closed.
 */
static void check_fts_copy(checker *c)
{
    sqlite3 *copy = NULL;
    sqlite3_backup *b;
    const char *msg = NULL;
    int rc;

    rc = sqlite3_open_v2("", &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = eaf__fts_register(copy, 1, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        failed(c, rc, "making a copy of the index to check its full-text index");
        sqlite3_close(copy);
        return;
    }
    b = sqlite3_backup_init(copy, "main", c->sql, "main");
    if (!b) {
        failed(c, sqlite3_errcode(copy), "copying the index to check its full-text index");
        sqlite3_close(copy);
        return;
    }
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        /* damage the copy met is a problem; the rest (disk full) stops */
        failed(c, rc, "copying the index to check its full-text index");
        sqlite3_close(copy);
        return;
    }
    rc = sqlite3_exec(copy, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK) {
        check_fts(c, copy);
        sqlite3_exec(copy, "ROLLBACK", NULL, NULL, NULL);
    } else {
        failed(c, rc, "checking the copy of the index");
    }
    sqlite3_close(copy);
}

static void check_refs(checker *c)
{
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(article_refs) && c->fatal == EAF_OK; i++) {
        char *sql, *what;

        if (!table_exists(c, article_refs[i].table))
            continue;
        if (article_refs[i].set_wide && c->prefix)
            continue; /* a member of a set: see set_wide */
        sql = eaf__printf("SELECT DISTINCT %s FROM main.%s WHERE NOT EXISTS"
                          " (SELECT 1 FROM %s WHERE id = %s.%s) ORDER BY 1",
                          article_refs[i].column, article_refs[i].table,
                          article_refs[i].set_wide ? c->articles : "main.article",
                          article_refs[i].table, article_refs[i].column);
        what = eaf__printf("%s rows of missing articles (table %s), by article id",
                           article_refs[i].what, article_refs[i].table);
        if (sql && what)
            offenders(c, sql, what);
        else
            c->fatal = EAF_NOMEM;
        eaf__free(sql);
        eaf__free(what);
    }
}

static void check_ours(checker *c)
{
    /* the full-text index holds one row of sizes per article it indexes */
    offenders(c,
              "SELECT key FROM article a WHERE NOT EXISTS"
              " (SELECT 1 FROM fts_docsize d WHERE d.id = a.id) ORDER BY key",
              "articles without full-text index entries");
    offenders(c,
              "SELECT id FROM fts_docsize d WHERE NOT EXISTS"
              " (SELECT 1 FROM article a WHERE a.id = d.id) ORDER BY id",
              "full-text index entries without an article, by id");
    check_refs(c);
    if (c->db->schema_version >= 4) {
        /* a related list never holds its own article, nor one twice */
        char *own = eaf__printf("SELECT a.key FROM main.related_list l JOIN %s a"
                                " ON a.id = l.article_id WHERE l.other_id = l.article_id"
                                " ORDER BY a.key", c->articles);
        char *twice = eaf__printf("SELECT a.key FROM main.related_list l JOIN %s a"
                                  " ON a.id = l.article_id GROUP BY l.article_id, l.other_id"
                                  " HAVING count(*) > 1 ORDER BY a.key", c->articles);
        if (own && twice) {
            offenders(c, own, "related lists that hold their own article");
            offenders(c, twice, "related lists that hold an article twice");
        } else {
            c->fatal = EAF_NOMEM;
        }
        eaf__free(own);
        eaf__free(twice);
    }
    /* the indexed author column is made from the author rows */
    offenders(c,
              "SELECT key FROM article a WHERE author <> coalesce((SELECT"
              " group_concat(name, char(10)) FROM (SELECT name FROM author"
              " WHERE article_id = a.id ORDER BY pos)), '') ORDER BY key",
              "articles whose indexed authors differ from their author rows");
    if (c->db->schema_version >= 2)
        offenders(c,
                  "SELECT key FROM article a WHERE source_id IS NOT NULL AND NOT EXISTS"
                  " (SELECT 1 FROM source s WHERE s.id = a.source_id) ORDER BY key",
                  "articles from a file the index has no record of");
    if (c->db->schema_version >= 5) {
        /* the file whose version an article holds gives it */
        offenders(c,
                  "SELECT key FROM article a WHERE source_id IS NOT NULL AND NOT EXISTS"
                  " (SELECT 1 FROM provide p WHERE p.source_id = a.source_id"
                  " AND p.article_id = a.id) ORDER BY key",
                  "articles that hold the version of a file not recorded as giving them");
        offenders(c,
                  "SELECT DISTINCT source_id FROM provide p WHERE NOT EXISTS"
                  " (SELECT 1 FROM source s WHERE s.id = p.source_id) ORDER BY 1",
                  "files that give articles but have no record, by id");
    }
    offenders(c,
              "SELECT 'eaf_meta.schema_version ' || coalesce((SELECT value FROM eaf_meta"
              " WHERE name = 'schema_version'), 'missing') || ', PRAGMA user_version '"
              " || (SELECT user_version FROM pragma_user_version)"
              " WHERE coalesce((SELECT value FROM eaf_meta WHERE name = 'schema_version'),"
              " '') <> CAST((SELECT user_version FROM pragma_user_version) AS TEXT)",
              "disagreements on the schema version");
}

/* The checks of one file, on db's connection, in one transaction. */
static void check_file(checker *c, eaf_db *db)
{
    int readonly = (db->flags & EAF_OPEN_READONLY) != 0, rc;

    c->db = db;
    c->sql = db->sql;
    /* one state of the index for every check, even while another process
     * indexes: the write lock, which FTS5's check needs anyway; a
     * read-only handle reads one snapshot, and checks the full-text index
     * on a copy of it */
    rc = sqlite3_exec(db->sql, readonly ? "BEGIN" : "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        failed(c, rc, "starting the check");
        return;
    }
    check_sqlite(c);
    /* the rest reads tables that SQLite found damaged at its own risk;
     * SQLite reports damage it meets as SQLITE_CORRUPT, a problem */
    if (c->fatal == EAF_OK) {
        if (readonly)
            check_fts_copy(c);
        else
            check_fts(c, db->sql);
    }
    if (c->fatal == EAF_OK)
        check_ours(c);
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

eaf_status eaf_db_check(int64_t *problems_out, eaf_db *db, eaf_problem_fn fn,
                        void *payload)
{
    checker c;

    if (problems_out)
        *problems_out = 0;
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (db->in_txn || db->children > 0)
        return eaf__db_error(db, EAF_MISUSE,
                             "a transaction or a search is open on the handle");
    memset(&c, 0, sizeof(c));
    c.top = db;
    c.fn = fn;
    c.payload = payload;
    c.articles = "main.article";
    if (EAF__IS_SET(db)) {
        /* each shard, with the references of the set's related lists to
         * the articles of every shard */
        unsigned k;
        c.articles = "temp.eaf_set_article";
        for (k = 0; k < db->set->n && c.fatal == EAF_OK; k++) {
            eaf_db *m = db->set->db[k];
            eaf_status st;
            c.prefix = m->path;
            eaf__db_clear_error(m);
            st = eaf__db_vocab(m); /* (makes the view of the set's articles) */
            if (st != EAF_OK) {
                c.fatal = st;
                eaf__db_error(db, st, "%s", eaf_db_errmsg(m));
                break;
            }
            check_file(&c, m);
            if (c.fatal != EAF_OK && c.fatal != EAF_ABORT && m->err.n) {
                eaf__db_clear_error(db); /* the failure's message, even after problems */
                eaf__db_error(db, c.fatal, "%s: %s", m->path, eaf_db_errmsg(m));
            }
        }
    } else {
        check_file(&c, db);
    }
    if (problems_out)
        *problems_out = c.problems;
    if (c.fatal != EAF_OK)
        return c.fatal == EAF_NOMEM && !db->err.n
                   ? eaf__db_error(db, EAF_NOMEM, "out of memory")
                   : c.fatal;
    return c.problems ? EAF_CORRUPT : EAF_OK;
}

/* ---- rebuilding -------------------------------------------------------------------- */

/* Runs one statement of a rebuild; the first failure names its step. */
static eaf_status rebuild_step(eaf_db *db, const char *sql, const char *what)
{
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, what);
}

eaf_status eaf_db_rebuild(eaf_db *db)
{
    eaf_status st;
    size_t i;

    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (db->in_txn || db->children > 0)
        return eaf__db_error(db, EAF_MISUSE,
                             "a transaction or a search is open on the handle");
    if (db->flags & EAF_OPEN_READONLY)
        return eaf__db_error(db, EAF_READONLY, "the index '%s' is open read-only",
                             db->path);
    st = eaf__db_begin_write(db);
    if (st != EAF_OK)
        return st;
    /* the b-tree indexes of the tables, from the tables */
    st = rebuild_step(db, "REINDEX", "rebuilding the tables' indexes");
    /* rows that hang off articles that are gone (tables of the index's
     * schema only) */
    for (i = 0; i < EAF__ARRAY_LEN(article_refs) && st == EAF_OK; i++) {
        char *sql = eaf__printf(
            "DELETE FROM %s WHERE %s NOT IN (SELECT id FROM article)",
            article_refs[i].table, article_refs[i].column);
        if (!sql) {
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        } else if (sqlite3_table_column_metadata(db->sql, "main", article_refs[i].table,
                                                 NULL, NULL, NULL, NULL, NULL, NULL) ==
                   SQLITE_OK) {
            st = rebuild_step(db, sql, "removing the rows of articles that are gone");
        }
        eaf__free(sql);
    }
    /* every article's file: recorded, and recorded as giving it */
    if (st == EAF_OK && db->schema_version >= 2)
        st = rebuild_step(db,
                          "UPDATE article SET source_id = NULL WHERE source_id IS NOT NULL"
                          " AND source_id NOT IN (SELECT id FROM source)",
                          "forgetting the files the index has no record of");
    if (st == EAF_OK && db->schema_version >= 5)
        st = rebuild_step(db,
                          "DELETE FROM provide WHERE source_id NOT IN (SELECT id FROM source);"
                          "INSERT OR IGNORE INTO provide(source_id, article_id, gen)"
                          " SELECT source_id, id, coalesce(source_gen, 0) FROM article"
                          " WHERE source_id IS NOT NULL",
                          "recording the file of every article");
    /* the indexed authors, from the author rows (what eaf_db_get() reads) */
    if (st == EAF_OK)
        st = rebuild_step(db,
                          "UPDATE article SET author = coalesce((SELECT"
                          " group_concat(name, char(10)) FROM (SELECT name FROM author"
                          " WHERE article_id = article.id ORDER BY pos)), '')"
                          " WHERE author <> coalesce((SELECT group_concat(name, char(10))"
                          " FROM (SELECT name FROM author WHERE article_id = article.id"
                          " ORDER BY pos)), '')",
                          "making the indexed authors from the author rows");
    /* the full-text index, from the articles (FTS5 tokenizes them all) */
    if (st == EAF_OK)
        st = eaf__db_fts_sync(db);
    if (st == EAF_OK)
        st = rebuild_step(db, "INSERT INTO fts(fts) VALUES ('rebuild')",
                          "rebuilding the full-text index");
    /* the related lists: all stale, computed again by the next refresh */
    if (st == EAF_OK && db->schema_version >= 4)
        st = rebuild_step(db,
                          "DELETE FROM related_list; DELETE FROM related_vector;"
                          "INSERT OR REPLACE INTO related_stale(article_id, changed)"
                          " SELECT id, 1 FROM article",
                          "marking the related lists to be computed again");
    if (st == EAF_OK) {
        sqlite3_stmt *s = eaf__db_stmt(db, EAF__STMT_COUNT_REWRITE);
        int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
        if (s)
            sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            st = eaf__db_sqlerr(db, rc, "rebuilding the index");
    }
    return eaf__db_end_write(db, st);
}
