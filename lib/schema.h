/*
 * schema.h: the tables of an index and their version.  Below the handle:
 * schema.c works on an SQLite connection and records its failures in the
 * buffer it is given, so that db.c calls it and not the other way round.
 */
#ifndef EAF_SCHEMA_H
#define EAF_SCHEMA_H

#include "error.h"

#include <sqlite3.h>

/* Bump when the tables change, and add a migration from the version
 * before (schema.c); an index of a newer version is refused.
 *   1: articles, authors, facets, site_related, fts
 *   2: the source table (which file each article came from), and
 *      article.source_id, article.source_gen
 *   3: no trigger adds a new article to fts: the store adds the articles
 *      of a transaction in one statement (eaf__db_fts_sync)
 *   4: the related-article lists (related_list, related_vector,
 *      related_term, related_stale) and the triggers that mark lists stale
 *   5: the provide table: every file that gives each article (two files
 *      may give one key); article.source_id is the file whose version is
 *      stored
 *   6: the full-text table indexes synthetic tokens (tokenize.h: common
 *      grams and places' forms of several words), tokenize='eaf LANGUAGE
 *      synth'; an older index is read without them (the planner asks
 *      eaf__db_synthetic) or migrated by rebuilding fts from the articles */
#define EAF__SCHEMA_VERSION 6
/* PRAGMA application_id of an index: "EAF1". */
#define EAF__APPLICATION_ID 0x45414631

/* The columns of the fts table, in order (a statement that fills it
 * names them so too). */
#define EAF__FTS_COLUMNS "title, author, affiliation, topic, country, summary, body, bio"

/* The file being opened: what schema.c reads and what it learns. */
typedef struct eaf__schema_file {
    sqlite3 *sql;          /* the connection */
    const char *path;      /* for messages */
    int readonly;          /* an older index is read as it is, not migrated */
    eaf__buf *err;         /* where a failure is recorded (error.h) */
    char *language;        /* out: the index's language, the caller's to
                              free (set on failure too, or NULL) */
    int version;           /* out: the schema version of the file */
} eaf__schema_file;

/* Creates the tables of a new index in language (or reads the one another
 * handle made meanwhile, as eaf__schema_check does). */
eaf_status eaf__schema_create(eaf__schema_file *f, const char *language);
/* Checks that an existing file is an index this library reads, migrates
 * an older one unless f->readonly, and sets f->language and f->version. */
eaf_status eaf__schema_check(eaf__schema_file *f);

#endif /* EAF_SCHEMA_H */
