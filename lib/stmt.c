/*
 * stmt.c: the SQL of the cached statements, one place for all of them;
 * the tables they read are made in schema.c.
 */
#include "stmt.h"
#include "eaf-private.h"
#include "schema.h"

#include <string.h>

/* The columns read back into an article, in this order. */
#define ARTICLE_COLUMNS "id, key, url, title, date, summary, body, bio, lang"

const char *const eaf__stmt_sql[EAF__STMT_LAST] = {
    /* FIND_KEY */
    "SELECT id, hash, source_id FROM article WHERE key = ?1",
    /* INSERT_ARTICLE */
    "INSERT INTO article(key, url, title, date, day, author, affiliation,"
    " topic, country, summary, body, bio, lang, hash, id)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    /* UPDATE_ARTICLE */
    "UPDATE article SET key = ?1, url = ?2, title = ?3, date = ?4, day = ?5,"
    " author = ?6, affiliation = ?7, topic = ?8, country = ?9, summary = ?10,"
    " body = ?11, bio = ?12, lang = ?13, hash = ?14 WHERE id = ?15",
    /* CLEAR_AUTHORS */
    "DELETE FROM author WHERE article_id = ?1",
    /* CLEAR_FACETS */
    "DELETE FROM facet WHERE article_id = ?1",
    /* CLEAR_RELATED */
    "DELETE FROM site_related WHERE article_id = ?1",
    /* INSERT_AUTHOR */
    "INSERT INTO author(article_id, pos, name, affiliation)"
    " VALUES (?1, ?2, ?3, ?4)",
    /* INSERT_FACET */
    "INSERT OR IGNORE INTO facet(kind, norm, article_id, pos, value)"
    " VALUES (?1, ?2, ?3, ?4, ?5)",
    /* INSERT_RELATED */
    "INSERT INTO site_related(article_id, pos, title) VALUES (?1, ?2, ?3)",
    /* DELETE_KEY */
    "DELETE FROM article WHERE key = ?1",
    /* GET_ARTICLE */
    "SELECT " ARTICLE_COLUMNS " FROM article WHERE key = ?1",
    /* GET_AUTHORS */
    "SELECT name, affiliation FROM author WHERE article_id = ?1 ORDER BY pos",
    /* GET_FACETS */
    "SELECT kind, value FROM facet WHERE article_id = ?1 AND kind < 10"
    " ORDER BY kind, pos",
    /* GET_RELATED */
    "SELECT title FROM site_related WHERE article_id = ?1 ORDER BY pos",
    /* COUNT */
    "SELECT count(*) FROM article",
    /* SOURCE_FIND */
    "SELECT id, size, mtime, hash, done FROM source WHERE path = ?1",
    /* SOURCE_INSERT */
    "INSERT INTO source(path, gen, done) VALUES (?1, 0, 0)",
    /* SOURCE_BEGIN */
    "UPDATE source SET gen = gen + 1, done = 0 WHERE id = ?1 RETURNING gen",
    /* SOURCE_DONE */
    "UPDATE source SET size = ?2, mtime = ?3, hash = ?4, done = 1, indexed = ?5"
    " WHERE id = ?1",
    /* SOURCE_STAT */
    "UPDATE source SET size = ?2, mtime = ?3 WHERE id = ?1",
    /* SOURCE_DELETE */
    "DELETE FROM source WHERE id = ?1",
    /* ARTICLE_SOURCE */
    "UPDATE article SET source_id = ?2, source_gen = ?3 WHERE id = ?1",
    /* SOURCE_RELEASED: the articles a file gave before this reading of it
     * (?2; every article with a ?2 above every generation) */
    "SELECT p.article_id, a.key, a.source_id FROM provide p"
    " JOIN article a ON a.id = p.article_id"
    " WHERE p.source_id = ?1 AND p.gen < ?2 ORDER BY a.key",
    /* SOURCE_LIST */
    "SELECT path, (SELECT count(*) FROM article WHERE source_id = source.id)"
    " FROM source WHERE substr(path, 1, length(?1)) = ?1 ORDER BY path",
    /* SOURCE_PENDING: the files to read again */
    "SELECT path, (SELECT count(*) FROM article WHERE source_id = source.id)"
    " FROM source WHERE done = 0 AND substr(path, 1, length(?1)) = ?1 ORDER BY path",
    /* ALL_ARTICLES */
    "SELECT " ARTICLE_COLUMNS " FROM article ORDER BY key",
    /* FTS_ADD */
    "INSERT INTO fts(rowid, " EAF__FTS_COLUMNS ") SELECT id, " EAF__FTS_COLUMNS
    " FROM article WHERE id BETWEEN ?1 AND ?2",
    /* SOURCE_STALE_ANY */
    "SELECT 1 FROM provide WHERE source_id = ?1 AND gen < ?2 LIMIT 1",
    /* COUNT_REWRITE: an article changed or deleted (rank.c reads it) */
    "INSERT INTO eaf_meta(name, value) VALUES ('rewrites', 1)"
    " ON CONFLICT(name) DO UPDATE SET value = value + 1",
    /* GET_BODY: the text snippets are made of (search.c) */
    "SELECT body FROM article WHERE id = ?1",
    /* ID_RANGE: for the estimates of common words' frequency (search.c) */
    "SELECT (SELECT min(id) FROM article), (SELECT max(id) FROM article)",
    /* PROVIDE_GEN: the reading of a file that last gave an article */
    "SELECT gen FROM provide WHERE source_id = ?1 AND article_id = ?2",
    /* PROVIDE_PUT: a file gives an article (a generation never goes down) */
    "INSERT INTO provide(source_id, article_id, gen) VALUES (?1, ?2, ?3)"
    " ON CONFLICT(source_id, article_id) DO UPDATE SET gen = max(gen, excluded.gen)",
    /* PROVIDE_DELETE */
    "DELETE FROM provide WHERE source_id = ?1 AND article_id = ?2",
    /* PROVIDE_OTHER: another file that gives an article (the first by path) */
    "SELECT p.source_id FROM provide p JOIN source s ON s.id = p.source_id"
    " WHERE p.article_id = ?1 ORDER BY s.path LIMIT 1",
    /* SOURCE_PATH */
    "SELECT path FROM source WHERE id = ?1",
    /* SOURCE_GEN */
    "SELECT gen FROM source WHERE id = ?1",
    /* SOURCE_REREAD: a file to read again (it gives an article that holds
     * another file's version) */
    "UPDATE source SET done = 0 WHERE id = ?1",
    /* ARTICLE_OWNER */
    "UPDATE article SET source_id = ?2 WHERE id = ?1",
    /* DELETE_ID */
    "DELETE FROM article WHERE id = ?1",
    /* VOCAB_HAS: is a stem in any article?  (suggest.c; the first instance
     * only: the row table counts the stem's whole doclist) */
    "SELECT 1 FROM temp.eaf_vocab_instance WHERE term = ?1 LIMIT 1",
};

/* ---- the statements of searches ------------------------------------------- */

struct eaf__stmt_cache {
    sqlite3_stmt *v[EAF__STMT_KEPT];   /* the most recently given last */
    size_t n;
};

int eaf__stmt_take(eaf__stmt_cache **cache, sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
    eaf__stmt_cache *c = *cache;
    size_t i;

    if (c) {
        for (i = c->n; i-- > 0;) {
            if (strcmp(sqlite3_sql(c->v[i]), sql) == 0) {
                *out = c->v[i];
                memmove(c->v + i, c->v + i + 1, (c->n - i - 1) * sizeof(*c->v));
                c->n--;
                return SQLITE_OK;
            }
        }
    }
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
}

void eaf__stmt_give(eaf__stmt_cache **cache, sqlite3_stmt *st)
{
    eaf__stmt_cache *c = *cache;

    if (!st)
        return;
    if (!c && !(c = *cache = eaf__calloc(1, sizeof(*c)))) {
        sqlite3_finalize(st);
        return;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (c->n == EAF__STMT_KEPT) {
        sqlite3_finalize(c->v[0]);
        memmove(c->v, c->v + 1, (c->n - 1) * sizeof(*c->v));
        c->n--;
    }
    c->v[c->n++] = st;
}

void eaf__stmt_cache_free(eaf__stmt_cache *c)
{
    size_t i;

    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        sqlite3_finalize(c->v[i]);
    eaf__free(c);
}
