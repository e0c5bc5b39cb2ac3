/*
 * testutil.h: temporary folders and small article builders for the tests,
 * and the skip of tests that need a reader this build lacks.
 */
#ifndef EAF_TESTUTIL_H
#define EAF_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eafsearch.h"

#include <sqlite3.h>

#include "fts.h"
#include "tap.h"

#if defined(__GNUC__)
#define TU_UNUSED __attribute__((unused))
#else
#define TU_UNUSED
#endif

/* A format as a bit of a mask for tu_need: TU_FORMAT(PAGE) | TU_FORMAT(WXR). */
#define TU_FORMAT(x) (1u << EAF_FORMAT_##x)

/* Whether this build reads every format of the mask; if not, one test is
 * skipped, saying which readers are missing: a build configured without a
 * parser's library has no reader for its formats. */
TU_UNUSED static int tu_need(const char *what, unsigned formats)
{
    char missing[64] = "";
    size_t k = 0;
    int f;

    for (f = EAF_FORMAT_PAGE; f <= EAF_FORMAT_WXR; f++)
        if ((formats & (1u << f)) && !eaf_format_available((eaf_format)f))
            k += (size_t)snprintf(missing + k, sizeof(missing) - k, "%s%s", k ? ", " : "",
                                  eaf_format_name((eaf_format)f));
    if (k == 0)
        return 1;
    printf("ok %d # SKIP %s: this build of libeafsearch has no reader for %s\n", ++tap_count,
           what, missing);
    return 0;
}

static char tu_dir[256];

/* A fresh temporary folder, removed by tu_cleanup(). */
TU_UNUSED static const char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tu_dir, sizeof(tu_dir), "%s/eaftest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tu_dir)) {
        perror("mkdtemp");
        exit(99);
    }
    return tu_dir;
}

/* A path inside the temporary folder (static buffer, one at a time per slot). */
TU_UNUSED static const char *tu_path(const char *name)
{
    static char buf[4][512];
    static int slot;
    char *p = buf[slot++ & 3];
    snprintf(p, 512, "%s/%s", tu_dir, name);
    return p;
}

TU_UNUSED static void tu_cleanup(void)
{
    DIR *d = opendir(tu_dir);
    struct dirent *e;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char p[600];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", tu_dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(tu_dir);
}

TU_UNUSED static void tu_write(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        perror(path);
        exit(99);
    }
    fclose(f);
}

/* Builds an article: key, title, date (or NULL), body, then "Name|Affiliation"
 * authors separated by ';' (or NULL), then "kind:value" tags separated by
 * ';' where kind is t (topic), c (country) or o (other). */
TU_UNUSED static eaf_article *tu_article(const char *key, const char *title,
                                         const char *date, const char *body,
                                         const char *authors, const char *tags)
{
    eaf_article *a;
    char buf[1024], *save = NULL, *tok;

    if (eaf_article_new(&a) != EAF_OK)
        exit(99);
    if (eaf_article_set(a, EAF_FIELD_KEY, key, EAF_NTS) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_TITLE, title, EAF_NTS) != EAF_OK ||
        (date && eaf_article_set(a, EAF_FIELD_DATE, date, EAF_NTS) != EAF_OK) ||
        (body && eaf_article_set(a, EAF_FIELD_BODY, body, EAF_NTS) != EAF_OK)) {
        fprintf(stderr, "bad test article %s\n", key);
        exit(99);
    }
    if (authors) {
        snprintf(buf, sizeof(buf), "%s", authors);
        for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
            char *bar = strchr(tok, '|');
            if (bar)
                *bar++ = '\0';
            if (eaf_article_add_author(a, tok, bar) != EAF_OK)
                exit(99);
        }
    }
    if (tags) {
        snprintf(buf, sizeof(buf), "%s", tags);
        for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
            eaf_tag_kind k = tok[0] == 't' ? EAF_TAG_TOPIC
                             : tok[0] == 'c' ? EAF_TAG_COUNTRY : EAF_TAG_OTHER;
            if (eaf_article_add_tag(a, k, tok + 2) != EAF_OK)
                exit(99);
        }
    }
    return a;
}

/* Opens (creating) an index in the temporary folder. */
TU_UNUSED static eaf_db *tu_open(const char *name, const char *language)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char *err = NULL;

    o.flags = EAF_OPEN_CREATE;
    o.language = language;
    if (eaf_db_open(&db, tu_path(name), &o, &err) != EAF_OK) {
        fprintf(stderr, "cannot open %s: %s\n", name, err ? err : "?");
        exit(99);
    }
    return db;
}

/* Opens the index at path with flags and a busy timeout (0: the default);
 * NULL, and why, on failure. */
TU_UNUSED static eaf_db *tu_open_db(const char *path, unsigned flags, int busy_ms)
{
    eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char *err = NULL;

    o.flags = flags;
    o.busy_timeout_ms = busy_ms;
    if (eaf_db_open(&db, path, &o, &err) != EAF_OK)
        printf("# open %s: %s\n", path, err ? err : "?");
    eaf_free(err);
    return db;
}

/* What tu_index_file() did with a file's articles. */
typedef struct tu_counts {
    long added, updated, unchanged, conflict, errors;
    char conflict_with[512];  /* the last eaf_db_put_conflict(), or "" */
} tu_counts;

/* Indexes one file the way eafindex does: check, and when it changed,
 * read it into the index inside a source (a bad record is counted and
 * passed over; the source ends complete only without one).  *removed, if
 * removed is not NULL, receives what eaf_db_source_end() removed (-1
 * when the file was not read). */
TU_UNUSED static eaf_source_state tu_index_file(eaf_db *db, const char *path, tu_counts *c,
                                                int64_t *removed)
{
    eaf_source_state state = EAF_SOURCE_STATE_LAST;
    eaf_reader *r = NULL;
    eaf_article *a;
    eaf_status st;
    int complete = 1;

    memset(c, 0, sizeof(*c));
    if (removed)
        *removed = -1;
    if (eaf_db_source_check(&state, db, path, 0) != EAF_OK) {
        printf("# check: %s\n", eaf_db_errmsg(db));
        return EAF_SOURCE_STATE_LAST;
    }
    if (state == EAF_SOURCE_UNCHANGED)
        return state;
    if (eaf_reader_open(&r, path, NULL, NULL) != EAF_OK)
        return EAF_SOURCE_STATE_LAST;
    if (eaf_db_source_begin(db, path) != EAF_OK) {
        printf("# begin: %s\n", eaf_db_errmsg(db));
        eaf_reader_free(r);
        return EAF_SOURCE_STATE_LAST;
    }
    while ((st = eaf_reader_next(&a, r)) != EAF_DONE) {
        eaf_change ch;
        if (st != EAF_ROW) {
            c->errors++;
            complete = 0;
            if (st != EAF_SYNTAX)
                break;
            continue;
        }
        if (eaf_db_put(&ch, db, a) == EAF_OK) {
            if (ch == EAF_CHANGE_ADDED)
                c->added++;
            else if (ch == EAF_CHANGE_UPDATED)
                c->updated++;
            else if (ch == EAF_CHANGE_CONFLICT)
                c->conflict++;
            else
                c->unchanged++;
            if (eaf_db_put_conflict(db))
                snprintf(c->conflict_with, sizeof(c->conflict_with), "%s",
                         eaf_db_put_conflict(db));
        } else {
            c->errors++;
        }
        eaf_article_free(a);
    }
    eaf_reader_free(r);
    if (eaf_db_source_end(removed, db, complete, NULL, NULL) != EAF_OK)
        printf("# end: %s\n", eaf_db_errmsg(db));
    return state;
}

/* Runs SQL on the index at path through a connection of its own, with the
 * tokenizer (behind the library's back: to damage an index, or to make
 * one of an older schema); returns an SQLite code, and says why it failed. */
TU_UNUSED static int tu_sql(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    const char *emsg = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(path, &s);

    if (rc == SQLITE_OK)
        rc = eaf__fts_register(s, 0, NULL, NULL, &emsg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        printf("# SQL on %s: %s\n", path, msg ? msg : emsg ? emsg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(s);
    return rc;
}

/* The keys of the hits a search has left, space-separated, into buf; the
 * status the walk ended with (EAF_DONE when all went well). */
TU_UNUSED static eaf_status tu_keys(eaf_search *s, char *buf, size_t cap)
{
    size_t used = 0;
    eaf_status st;

    buf[0] = '\0';
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        int w = snprintf(buf + used, cap - used, "%s%s", used ? " " : "",
                         eaf_search_field(s, EAF_FIELD_KEY));
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
    }
    return st;
}

/* Is key one of the space-separated keys? */
TU_UNUSED static int tu_has_key(const char *keys, const char *key)
{
    size_t n = strlen(key);
    const char *p = keys;

    while ((p = strstr(p, key)) != NULL) {
        if ((p == keys || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

/* FTS5's check of the full-text index of connection s against the
 * articles: 1 when it passes. */
TU_UNUSED static int tu_fts_ok(sqlite3 *s)
{
    return sqlite3_exec(s, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)",
                        NULL, NULL, NULL) == SQLITE_OK;
}

#endif
