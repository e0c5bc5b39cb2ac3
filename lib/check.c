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
 * it needs a read-write handle, and the whole check runs in one write
 * transaction (so on one state of the index, even while another process
 * indexes), rolled back at the end.
 */
#include "db.h"

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
} article_refs[] = {
    {"author", "article_id", "author"},
    {"facet", "article_id", "tag"},
    {"site_related", "article_id", "related title"},
    {"related_list", "article_id", "related-list"},
    {"related_list", "other_id", "listed-as-related"},
    {"related_vector", "article_id", "term-vector"},
    {"related_stale", "article_id", "stale-list"},
};

typedef struct checker {
    eaf_db *db;
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

    va_start(ap, fmt);
    msg = eaf__vprintf(fmt, ap);
    va_end(ap);
    if (!msg) {
        c->fatal = EAF_NOMEM;
        return;
    }
    if (c->problems == 0)
        eaf__db_error(c->db, EAF_CORRUPT, "%s", msg);
    c->problems++;
    if (c->fn)
        c->fn(msg, c->payload);
    eaf__free(msg);
}

/* A failure to run a check: SQLITE_CORRUPT and SQLITE_NOTADB are
 * problems with the file; the rest (busy, out of memory) stop the check. */
static void failed(checker *c, int rc, const char *what)
{
    int base = rc & 0xFF;

    if (base == SQLITE_CORRUPT || base == SQLITE_NOTADB) {
        problem(c, "%s: %s", what, sqlite3_errmsg(c->db->sql));
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

    rc = sqlite3_prepare_v2(c->db->sql,
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

    rc = sqlite3_prepare_v2(c->db->sql, sql, -1, &st, NULL);
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
        problem(c, "%lld %s: %s%s", (long long)n, what, eaf__buf_cstr(&names),
                n > MAX_NAMED ? ", ..." : "");
    }
    eaf__buf_free(&names);
}

static void check_sqlite(checker *c)
{
    sqlite3_stmt *st = NULL;
    int rc;
    char sql[64];

    snprintf(sql, sizeof(sql), "PRAGMA integrity_check(%d)", MAX_SQLITE_ERRORS);
    rc = sqlite3_prepare_v2(c->db->sql, sql, -1, &st, NULL);
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

static void check_fts(checker *c)
{
    int rc;

    /* an INSERT that writes nothing (and the transaction is rolled back) */
    /* rank 1: also against the article rows (external content) */
    rc = sqlite3_exec(c->db->sql, "INSERT INTO fts(fts, rank) VALUES ('integrity-check', 1)",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int base = rc & 0xFF;
        if (base == SQLITE_CORRUPT || base == SQLITE_ERROR)
            problem(c, "FTS5 integrity check: %s: the full-text index does not match "
                       "the articles (rebuild the index)",
                    sqlite3_errmsg(c->db->sql));
        else
            failed(c, rc, "full-text index check");
    }
}

static void check_refs(checker *c)
{
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(article_refs) && c->fatal == EAF_OK; i++) {
        char *sql, *what;

        if (!table_exists(c, article_refs[i].table))
            continue;
        sql = eaf__printf("SELECT DISTINCT %s FROM %s WHERE NOT EXISTS"
                          " (SELECT 1 FROM article WHERE id = %s.%s) ORDER BY 1",
                          article_refs[i].column, article_refs[i].table,
                          article_refs[i].table, article_refs[i].column);
        what = eaf__printf("missing articles still have %s rows (table %s); their ids",
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
              "articles have no full-text index entries");
    offenders(c,
              "SELECT id FROM fts_docsize d WHERE NOT EXISTS"
              " (SELECT 1 FROM article a WHERE a.id = d.id) ORDER BY id",
              "full-text index entries have no article; their ids");
    check_refs(c);
    if (c->db->schema_version >= 4) {
        /* a related list never holds its own article, nor one twice */
        offenders(c,
                  "SELECT a.key FROM related_list l JOIN article a ON a.id = l.article_id"
                  " WHERE l.other_id = l.article_id ORDER BY a.key",
                  "related lists hold their own article");
        offenders(c,
                  "SELECT a.key FROM related_list l JOIN article a ON a.id = l.article_id"
                  " GROUP BY l.article_id, l.other_id HAVING count(*) > 1 ORDER BY a.key",
                  "related lists hold an article twice");
    }
    /* the indexed author column is made from the author rows */
    offenders(c,
              "SELECT key FROM article a WHERE author <> coalesce((SELECT"
              " group_concat(name, char(10)) FROM (SELECT name FROM author"
              " WHERE article_id = a.id ORDER BY pos)), '') ORDER BY key",
              "articles have indexed authors that differ from their author rows");
    if (c->db->schema_version >= 2)
        offenders(c,
                  "SELECT key FROM article a WHERE source_id IS NOT NULL AND NOT EXISTS"
                  " (SELECT 1 FROM source s WHERE s.id = a.source_id) ORDER BY key",
                  "articles come from a file the index has no record of");
    offenders(c,
              "SELECT 'eaf_meta.schema_version ' || coalesce((SELECT value FROM eaf_meta"
              " WHERE name = 'schema_version'), 'missing') || ', PRAGMA user_version '"
              " || (SELECT user_version FROM pragma_user_version)"
              " WHERE coalesce((SELECT value FROM eaf_meta WHERE name = 'schema_version'),"
              " '') <> CAST((SELECT user_version FROM pragma_user_version) AS TEXT)",
              "disagreements on the schema version");
}

eaf_status eaf_db_check(int64_t *problems_out, eaf_db *db, eaf_problem_fn fn,
                        void *payload)
{
    checker c;
    int rc;

    if (problems_out)
        *problems_out = 0;
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (db->in_txn || db->children > 0)
        return eaf__db_error(db, EAF_MISUSE,
                             "a transaction or a search is open on the handle");
    if (db->flags & EAF_OPEN_READONLY)
        return eaf__db_error(db, EAF_READONLY,
                             "checking the index needs it open read-write (FTS5's "
                             "check takes the write lock; nothing is written)");
    memset(&c, 0, sizeof(c));
    c.db = db;
    c.fn = fn;
    c.payload = payload;
    /* one state of the index for every check, even while another process
     * indexes: the write lock, which FTS5's check needs anyway */
    rc = sqlite3_exec(db->sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return eaf__db_sqlerr(db, rc, "starting the check");
    check_sqlite(&c);
    /* the rest reads tables that SQLite found damaged at its own risk;
     * SQLite reports damage it meets as SQLITE_CORRUPT, a problem */
    if (c.fatal == EAF_OK)
        check_fts(&c);
    if (c.fatal == EAF_OK)
        check_ours(&c);
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    if (problems_out)
        *problems_out = c.problems;
    if (c.fatal != EAF_OK)
        return c.fatal == EAF_NOMEM && !db->err.n
                   ? eaf__db_error(db, EAF_NOMEM, "out of memory")
                   : c.fatal;
    return c.problems ? EAF_CORRUPT : EAF_OK;
}
