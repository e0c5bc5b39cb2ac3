/*
 * schema.c: the tables of an index, their version, and the SQL of the
 * cached statements.
 *
 * One SQLite file is one index:
 *   eaf_meta   name/value pairs: schema and tokenizer versions, language
 *   article    one row per article; the FTS-facing columns hold the text
 *              that is indexed (author names, affiliations, topics and
 *              other tags, countries joined by newlines)
 *   author     the authors of each article, in order, with affiliations
 *   facet      normalised metadata values (author, affiliation, topic,
 *              country, tag) for exact matches, filters and facet counts
 *   site_related  the titles of the site's own related-posts list
 *   related_*  (schema 4) the related-article lists the ranker computed
 *              (related.c): each list, each article's term vector, the
 *              term statistics of the last build, and the articles whose
 *              list is stale; triggers mark an article's list stale when
 *              it is stored again, and the lists that hold an article
 *              when it changes or goes
 *   source     (schema 2) the files articles came from: path, size,
 *              modification time (ns), content hash, and a generation
 *              counter; article.source_id says which file's version of
 *              the article is stored (its owner)
 *   provide    (schema 5) every file that gives each article, with the
 *              reading (generation) of the file that last gave it: an
 *              article two files give stays while either gives it
 *   fts        the FTS5 index over article (external content), kept in
 *              step by triggers, so no path can change an article without
 *              its index entries
 *
 * Versions: PRAGMA user_version and eaf_meta.schema_version.  An index of
 * an older version is migrated when opened read-write (in one
 * transaction: all of it or nothing), and read as it is when opened
 * read-only; one of a newer version is refused.
 */
#include "schema.h"
#include "fts.h"
#include "tokenize.h"

#include <stdio.h>
#include <string.h>

#define FTS_NEW \
    "new.title, new.author, new.affiliation, new.topic, new.country, " \
    "new.summary, new.body, new.bio"
#define FTS_OLD \
    "old.title, old.author, old.affiliation, old.topic, old.country, " \
    "old.summary, old.body, old.bio"

/* The full-text table (schema 6: with the synthetic tokens, tokenize.h),
 * for the language in %s. */
#define FTS_CREATE_SQL \
    "CREATE VIRTUAL TABLE fts USING fts5(" EAF__FTS_COLUMNS "," \
    " content='article', content_rowid='id'," \
    " tokenize='" EAF__FTS_TOKENIZER " %s " EAF__FTS_SYNTH "');"
#define FTS_CONFIG_SQL \
    "INSERT INTO fts(fts, rank) VALUES ('hashsize', 8388608);" \
    "INSERT INTO fts(fts, rank) VALUES ('automerge', 16);"

/* Schema 2: the files articles come from. */
#define SOURCE_SQL \
    "CREATE TABLE source(" \
    " id INTEGER PRIMARY KEY," \
    " path TEXT NOT NULL UNIQUE," \
    " size INTEGER," \
    " mtime INTEGER," \
    " hash TEXT," \
    " gen INTEGER NOT NULL DEFAULT 0," \
    " done INTEGER NOT NULL DEFAULT 0," \
    " indexed INTEGER);" \
    "CREATE INDEX article_source ON article(source_id, source_gen);"

/* Schema 5: which files give each article.  A file read again keeps its
 * rows (their generation raised, never lowered, so that a writer that
 * began the file earlier cannot make a later reading's rows look stale);
 * the rows it no longer gives go, and an article no file gives goes with
 * them. */
#define PROVIDE_SQL \
    "CREATE TABLE provide(" \
    " source_id INTEGER NOT NULL, article_id INTEGER NOT NULL," \
    " gen INTEGER NOT NULL," \
    " PRIMARY KEY(source_id, article_id)) WITHOUT ROWID;" \
    "CREATE INDEX provide_article ON provide(article_id);" \
    "CREATE TRIGGER provide_ad AFTER DELETE ON article BEGIN" \
    " DELETE FROM provide WHERE article_id = old.id;" \
    " END;"

/* Schema 4: related-article lists.  related_stale.changed is 1 for an
 * article stored (its vector must be computed again), 0 for one whose
 * list merely holds an article that changed or went.  A deleted article
 * leaves every list (the lists that held it keep a gap in their
 * positions until they are computed again). */
#define RELATED_SQL \
    "CREATE TABLE related_list(" \
    " article_id INTEGER NOT NULL, pos INTEGER NOT NULL," \
    " other_id INTEGER NOT NULL, score REAL NOT NULL," \
    " PRIMARY KEY(article_id, pos)) WITHOUT ROWID;" \
    "CREATE INDEX related_list_other ON related_list(other_id);" \
    "CREATE TABLE related_vector(" \
    " article_id INTEGER PRIMARY KEY, hash INTEGER NOT NULL," \
    " length INTEGER NOT NULL, vec BLOB NOT NULL);" \
    "CREATE TABLE related_term(" \
    " id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, df INTEGER NOT NULL);" \
    "CREATE TABLE related_stale(" \
    " article_id INTEGER PRIMARY KEY, changed INTEGER NOT NULL);" \
    "CREATE TRIGGER related_ai AFTER INSERT ON article BEGIN" \
    " INSERT OR REPLACE INTO related_stale VALUES (new.id, 1);" \
    " END;" \
    "CREATE TRIGGER related_au AFTER UPDATE OF key, title, date, day, author," \
    " affiliation, topic, country, summary, body, bio ON article BEGIN" \
    " INSERT OR IGNORE INTO related_stale" \
    "  SELECT article_id, 0 FROM related_list WHERE other_id = new.id;" \
    " INSERT OR REPLACE INTO related_stale VALUES (new.id, 1);" \
    " END;" \
    "CREATE TRIGGER related_ad AFTER DELETE ON article BEGIN" \
    " INSERT OR IGNORE INTO related_stale" \
    "  SELECT article_id, 0 FROM related_list WHERE other_id = old.id;" \
    " DELETE FROM related_list WHERE other_id = old.id;" \
    " DELETE FROM related_list WHERE article_id = old.id;" \
    " DELETE FROM related_vector WHERE article_id = old.id;" \
    " DELETE FROM related_stale WHERE article_id = old.id;" \
    " END;"

/* From version 1 to 2, inside a write transaction. */
static const char migrate_1_2_sql[] =
    "ALTER TABLE article ADD COLUMN source_id INTEGER;"
    "ALTER TABLE article ADD COLUMN source_gen INTEGER;"
    SOURCE_SQL
    "UPDATE eaf_meta SET value = '2' WHERE name = 'schema_version';"
    "PRAGMA user_version = 2;";

/* From version 2 to 3: new articles reach fts from the store, in bulk. */
static const char migrate_2_3_sql[] =
    "DROP TRIGGER article_ai;"
    "UPDATE eaf_meta SET value = '3' WHERE name = 'schema_version';"
    "PRAGMA user_version = 3;";

/* From version 3 to 4: the related-article lists.  No list is stored yet,
 * so none is stale. */
static const char migrate_3_4_sql[] =
    RELATED_SQL
    "UPDATE eaf_meta SET value = '4' WHERE name = 'schema_version';"
    "PRAGMA user_version = 4;";

/* From version 4 to 5: the files that give each article; until now only
 * the article's own file was known. */
static const char migrate_4_5_sql[] =
    PROVIDE_SQL
    "INSERT INTO provide(source_id, article_id, gen)"
    " SELECT source_id, id, coalesce(source_gen, 0) FROM article"
    " WHERE source_id IS NOT NULL;"
    "UPDATE eaf_meta SET value = '5' WHERE name = 'schema_version';"
    "PRAGMA user_version = 5;";

/* From version 5 to 6: the full-text table made again with the synthetic
 * tokens, from the stored articles (as eaf_db_rebuild() does): a %s for
 * the language. */
static const char migrate_5_6_sql[] =
    "DROP TABLE fts;"
    FTS_CREATE_SQL
    FTS_CONFIG_SQL
    "INSERT INTO fts(fts) VALUES ('rebuild');"
    "UPDATE eaf_meta SET value = '6' WHERE name = 'schema_version';"
    "PRAGMA user_version = 6;";

static const char schema_sql[] =
    "CREATE TABLE eaf_meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)"
    " WITHOUT ROWID;"
    "CREATE TABLE article("
    " id INTEGER PRIMARY KEY,"
    " key TEXT NOT NULL UNIQUE,"
    " url TEXT,"
    " title TEXT NOT NULL DEFAULT '',"
    " date TEXT,"
    " day INTEGER,"                 /* YYYYMMDD, missing parts 00 */
    " author TEXT NOT NULL DEFAULT '',"
    " affiliation TEXT NOT NULL DEFAULT '',"
    " topic TEXT NOT NULL DEFAULT '',"
    " country TEXT NOT NULL DEFAULT '',"
    " summary TEXT,"
    " body TEXT,"
    " bio TEXT,"
    " lang TEXT,"
    " hash INTEGER NOT NULL,"
    " source_id INTEGER,"          /* schema 2: the source the article came from */
    " source_gen INTEGER);"        /* ... and the reading of it that put it */
    "CREATE INDEX article_day ON article(day);"
    "CREATE TABLE author("
    " article_id INTEGER NOT NULL, pos INTEGER NOT NULL,"
    " name TEXT NOT NULL, affiliation TEXT,"
    " PRIMARY KEY(article_id, pos)) WITHOUT ROWID;"
    "CREATE TABLE facet("
    " kind INTEGER NOT NULL, norm TEXT NOT NULL, article_id INTEGER NOT NULL,"
    " pos INTEGER NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(kind, norm, article_id)) WITHOUT ROWID;"
    "CREATE INDEX facet_article ON facet(article_id, kind, pos);"
    "CREATE TABLE site_related("
    " article_id INTEGER NOT NULL, pos INTEGER NOT NULL, title TEXT NOT NULL,"
    " PRIMARY KEY(article_id, pos)) WITHOUT ROWID;"
    SOURCE_SQL
    RELATED_SQL
    PROVIDE_SQL
    "CREATE TRIGGER article_ad AFTER DELETE ON article BEGIN"
    " INSERT INTO fts(fts, rowid, " EAF__FTS_COLUMNS ")"
    "  VALUES ('delete', old.id, " FTS_OLD ");"
    " DELETE FROM author WHERE article_id = old.id;"
    " DELETE FROM facet WHERE article_id = old.id;"
    " DELETE FROM site_related WHERE article_id = old.id;"
    " END;"
    "CREATE TRIGGER article_au AFTER UPDATE OF " EAF__FTS_COLUMNS " ON article BEGIN"
    " INSERT INTO fts(fts, rowid, " EAF__FTS_COLUMNS ")"
    "  VALUES ('delete', old.id, " FTS_OLD ");"
    " INSERT INTO fts(rowid, " EAF__FTS_COLUMNS ") VALUES (new.id, " FTS_NEW ");"
    " END;";

/* Language names go into a table definition: only plain names pass. */
static int plain_name(const char *s)
{
    if (!*s || strlen(s) > 40)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return 0;
    return 1;
}

static eaf_status exec(eaf__schema_file *f, const char *sql, const char *what)
{
    int rc = sqlite3_exec(f->sql, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? EAF_OK : eaf__error_sqlite(f->err, f->sql, rc, what);
}

static int pragma_int(sqlite3 *conn, const char *sql, int *out);
static char *meta_value(sqlite3 *sql, const char *name, int *rc);

eaf_status eaf__schema_create(eaf__schema_file *f, const char *language)
{
    char *sql = NULL;
    eaf_status st;

    if (!plain_name(language) || !eaf__language_ok(language))
        return eaf__error_set(f->err, EAF_MISUSE,
                             "unknown stemming language '%s'", language);
    f->version = EAF__SCHEMA_VERSION;
    f->language = eaf__strdup(language);
    if (!f->language)
        return eaf__error_set(f->err, EAF_NOMEM, "out of memory");
    /* WAL first: it cannot change inside a transaction. */
    st = exec(f, "PRAGMA journal_mode=WAL", "creating the index");
    if (st == EAF_OK)
        st = exec(f, "BEGIN IMMEDIATE", "creating the index");
    if (st != EAF_OK)
        return st;
    /* another handle may have made the index since this one found the
     * file empty (two programs creating one index): read it as it is */
    {
        int tables = 0, rc = pragma_int(f->sql, "SELECT count(*) FROM sqlite_master", &tables);
        if (rc != SQLITE_OK || tables > 0) {
            sqlite3_exec(f->sql, "ROLLBACK", NULL, NULL, NULL);
            eaf__free(f->language);
            f->language = NULL;
            if (rc != SQLITE_OK)
                return eaf__error_sqlite(f->err, f->sql, rc, "creating the index");
            return eaf__schema_check(f);
        }
    }
    st = exec(f, schema_sql, "creating the index");
    if (st == EAF_OK) {
        sql = eaf__printf(
            FTS_CREATE_SQL
            /* FTS5 writes its postings in segments and merges them as
             * they pile up: 8 MB of postings per segment rather than 1,
             * merged 16 at a time rather than 4, rewrite them less when
             * an archive is indexed in bulk (eafindex's optimize leaves
             * one segment).  With a writer's larger cache and batches,
             * indexing 20,000 Wikipedia sections wrote 46,000 pages to the
             * log instead of 94,000. */
            FTS_CONFIG_SQL
            "INSERT INTO eaf_meta VALUES ('schema_version', '%d');"
            "INSERT INTO eaf_meta VALUES ('tokenizer', '" EAF__FTS_TOKENIZER "');"
            "INSERT INTO eaf_meta VALUES ('tokenizer_version', '%d');"
            "INSERT INTO eaf_meta VALUES ('language', '%s');"
            "INSERT INTO eaf_meta VALUES ('created_by', 'libeafsearch %s');"
            "PRAGMA application_id = %d;"
            "PRAGMA user_version = %d;",
            language, EAF__SCHEMA_VERSION, EAF__TOKENIZER_VERSION, language,
            EAF_VERSION_STRING, EAF__APPLICATION_ID, EAF__SCHEMA_VERSION);
        st = sql ? exec(f, sql, "creating the index")
                 : eaf__error_set(f->err, EAF_NOMEM, "out of memory");
        eaf__free(sql);
    }
    if (st == EAF_OK)
        st = exec(f, "COMMIT", "creating the index");
    if (st != EAF_OK)
        sqlite3_exec(f->sql, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

/* Reads one integer pragma; returns an SQLite code. */
static int pragma_int(sqlite3 *conn, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(conn, sql, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static char *meta_value(sqlite3 *sql, const char *name, int *rc)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;

    *rc = sqlite3_prepare_v2(sql, "SELECT value FROM eaf_meta WHERE name = ?1",
                             -1, &st, NULL);
    if (*rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        *rc = sqlite3_step(st);
        if (*rc == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            v = eaf__strdup(t ? t : "");
            *rc = v ? SQLITE_OK : SQLITE_NOMEM;
        } else if (*rc == SQLITE_DONE) {
            *rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return v;
}

/* Migrates an index of an older version to this one, in one write
 * transaction, re-reading the version inside it (another process may
 * have migrated the file meanwhile). */
static eaf_status migrate(eaf__schema_file *f, int *version)
{
    eaf_status st;
    int v = 0, rc;

    st = exec(f, "BEGIN IMMEDIATE", "upgrading the index");
    if (st != EAF_OK)
        return st;
    rc = pragma_int(f->sql, "PRAGMA user_version", &v);
    if (rc != SQLITE_OK)
        st = eaf__error_sqlite(f->err, f->sql, rc, "upgrading the index");
    if (st == EAF_OK && v == 1)
        st = exec(f, migrate_1_2_sql, "upgrading the index from schema 1 to 2");
    if (st == EAF_OK && v <= 2)
        st = exec(f, migrate_2_3_sql, "upgrading the index from schema 2 to 3");
    if (st == EAF_OK && v <= 3)
        st = exec(f, migrate_3_4_sql, "upgrading the index from schema 3 to 4");
    if (st == EAF_OK && v <= 4)
        st = exec(f, migrate_4_5_sql, "upgrading the index from schema 4 to 5");
    if (st == EAF_OK && v <= 5) {
        /* the language goes into the table's definition: a plain name */
        char *language = meta_value(f->sql, "language", &rc), *sql = NULL;

        if (rc != SQLITE_OK)
            st = eaf__error_sqlite(f->err, f->sql, rc, "upgrading the index");
        else if (!language || !plain_name(language) || !eaf__language_ok(language))
            st = eaf__error_set(f->err, EAF_SCHEMA, "'%s' has an unknown stemming language '%s'",
                                f->path, language ? language : "(none)");
        else if (!(sql = eaf__printf(migrate_5_6_sql, language)))
            st = eaf__error_set(f->err, EAF_NOMEM, "out of memory");
        else
            st = exec(f, sql, "upgrading the index from schema 5 to 6 (rebuilding its"
                              " full-text index)");
        eaf__free(sql);
        eaf__free(language);
    }
    if (st == EAF_OK)
        st = exec(f, "COMMIT", "upgrading the index");
    if (st != EAF_OK) {
        sqlite3_exec(f->sql, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    *version = EAF__SCHEMA_VERSION;
    return EAF_OK;
}

eaf_status eaf__schema_check(eaf__schema_file *f)
{
    int app = 0, version = 0, rc;
    char *tok = NULL, *tokver = NULL;
    eaf_status st = EAF_OK;
    char expect[16];

    rc = pragma_int(f->sql, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK)
        rc = pragma_int(f->sql, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK)
        return eaf__error_sqlite(f->err, f->sql, rc, "reading the index header");
    if (app != EAF__APPLICATION_ID)
        return eaf__error_set(f->err, EAF_SCHEMA,
                             "'%s' is an SQLite database but not a libeafsearch index",
                             f->path);
    if (version < 1 || version > EAF__SCHEMA_VERSION)
        return eaf__error_set(f->err, EAF_SCHEMA,
                             "'%s' has index schema version %d; this library "
                             "(libeafsearch %s) reads versions 1 to %d%s",
                             f->path, version, EAF_VERSION_STRING,
                             EAF__SCHEMA_VERSION,
                             version > EAF__SCHEMA_VERSION
                                 ? ": use a newer libeafsearch, or rebuild the index"
                                 : ": rebuild the index");
    if (version < EAF__SCHEMA_VERSION && !f->readonly) {
        st = migrate(f, &version);
        if (st != EAF_OK)
            return st;
    }
    f->version = version;
    tok = meta_value(f->sql, "tokenizer", &rc);
    if (rc == SQLITE_OK)
        tokver = meta_value(f->sql, "tokenizer_version", &rc);
    if (rc == SQLITE_OK)
        f->language = meta_value(f->sql, "language", &rc);
    if (rc != SQLITE_OK) {
        st = eaf__error_sqlite(f->err, f->sql, rc, "reading the index configuration");
        goto done;
    }
    snprintf(expect, sizeof(expect), "%d", EAF__TOKENIZER_VERSION);
    if (!tok || strcmp(tok, EAF__FTS_TOKENIZER) != 0 || !tokver ||
        strcmp(tokver, expect) != 0) {
        st = eaf__error_set(f->err, EAF_SCHEMA,
                           "'%s' was built with tokenizer %s version %s; this "
                           "library has %s version %s: rebuild the index",
                           f->path, tok ? tok : "(none)", tokver ? tokver : "(none)",
                           EAF__FTS_TOKENIZER, expect);
        goto done;
    }
    if (!f->language || !plain_name(f->language) ||
        !eaf__language_ok(f->language)) {
        st = eaf__error_set(f->err, EAF_SCHEMA,
                           "'%s' has an unknown stemming language '%s'", f->path,
                           f->language ? f->language : "(none)");
        goto done;
    }
done:
    eaf__free(tok);
    eaf__free(tokver);
    return st;
}
