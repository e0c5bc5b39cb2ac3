/*
 * test_check.c: eaf_db_check() finds each kind of damage it promises to
 * find, names it, and finds nothing in a sound index; the damage is done
 * here with plain SQL on the handle's own connection, behind the
 * library's back.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

typedef struct found {
    int n;
    char all[4096];
    int stop_after;      /* stop the check after this many (0: never) */
} found;

static int collect(const char *problem, void *payload)
{
    found *f = payload;
    size_t k = strlen(f->all);

    f->n++;
    snprintf(f->all + k, sizeof(f->all) - k, "%s%s", k ? " | " : "", problem);
    return f->stop_after > 0 && f->n >= f->stop_after;
}

/* A small sound index of three articles. */
static eaf_db *fresh(const char *name)
{
    eaf_db *db = tu_open(name, NULL);
    const char *keys[] = {"k/one", "k/two", "k/three"};
    size_t i;

    for (i = 0; i < 3; i++) {
        eaf_article *a = tu_article(keys[i], "Ports of the Pacific", "2019-03-03",
                                    "Container traffic through Suva grew.",
                                    "Lena Hart|Pacific Institute;Ana Cruz", "t:Trade;c:Fiji");
        if (eaf_article_add_related_title(a, "Rice prices in Luzon") != EAF_OK ||
            eaf_db_put(NULL, db, a) != EAF_OK)
            exit(99);
        eaf_article_free(a);
    }
    return db;
}

/* Runs the check: its status, with the problems in *f. */
static eaf_status check(eaf_db *db, found *f, int64_t *n)
{
    memset(f, 0, sizeof(*f));
    return eaf_db_check(n, db, collect, f);
}

/* Damages a fresh index with sql, checks, and expects a problem naming
 * want. */
static int mendable = 1;

static void damaged(const char *name, const char *sql, const char *want, const char *what)
{
    eaf_db *db = fresh(name);
    found f;
    int64_t n = -1;
    eaf_status st;
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        printf("# damaging: %s\n", sqlite3_errmsg(db->sql));
    st = check(db, &f, &n);
    is_int(st, EAF_CORRUPT, "%s: EAF_CORRUPT", what);
    ok(n > 0 && n == f.n, "%s: %lld problems, each reported (%d)", what, (long long)n, f.n);
    ok(strstr(f.all, want) != NULL, "%s: named ('%s' in: %s)", what, want, f.all);
    ok(*eaf_db_errmsg(db) && strstr(f.all, eaf_db_errmsg(db)) == f.all,
       "%s: the message is the first problem (%s)", what, eaf_db_errmsg(db));
    /* a callback that asks to stop at the first problem stops the check */
    {
        found g;
        int64_t m = -1;

        memset(&g, 0, sizeof(g));
        g.stop_after = 1;
        st = eaf_db_check(&m, db, collect, &g);
        ok(st == EAF_ABORT && m == 1 && g.n == 1,
           "%s: a callback that returns non-zero stops the check (EAF_ABORT, %lld "
           "counted, %d reported)", what, (long long)m, g.n);
        ok(sqlite3_get_autocommit(db->sql) != 0, "%s: and no transaction is left open",
           what);
    }
    eaf_db_close(db);
    /* the same seen through a read-only handle (FTS5's check on a copy) */
    {
        eaf_open_options ro = EAF_OPEN_OPTIONS_INIT;
        found g;
        int64_t m = -1;

        ro.flags = EAF_OPEN_READONLY;
        db = NULL;
        if (eaf_db_open(&db, tu_path(name), &ro, NULL) != EAF_OK)
            exit(99);
        st = check(db, &g, &m);
        ok(st == EAF_CORRUPT && m == n && strcmp(g.all, f.all) == 0,
           "%s: a read-only handle finds the same (%lld: %s)", what, (long long)m, g.all);
        eaf_db_close(db);
    }
    /* and eaf_db_rebuild() mends it, or says why not */
    db = NULL;
    {
        eaf_open_options rw = EAF_OPEN_OPTIONS_INIT;
        if (eaf_db_open(&db, tu_path(name), &rw, NULL) != EAF_OK)
            exit(99);
    }
    st = eaf_db_rebuild(db);
    if (mendable) {
        is_int(st, EAF_OK, "%s: rebuilt", what);
        st = check(db, &f, &n);
        ok(st == EAF_OK && n == 0, "%s: and sound after (%s)", what, f.all);
    }
    eaf_db_close(db);
}

int main(void)
{
    eaf_open_options ro = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db, *rdb = NULL;
    eaf_search *s = NULL;
    found f;
    int64_t n = -1, count = -1;
    char *err = NULL;
    FILE *fp;
    char zeros[4096];
    int page;

    tu_tmpdir();

    db = fresh("sound.db");
    is_int(check(db, &f, &n), EAF_OK, "a sound index passes");
    is_int(n, 0, "with no problem");
    is_int(f.n, 0, "and nothing reported");
    is_str(eaf_db_errmsg(db), "", "and no message");
    is_int(eaf_db_check(NULL, db, NULL, NULL), EAF_OK, "problems_out and fn are optional");
    is_int(eaf_db_count(&count, db), EAF_OK, "the index still reads");
    is_int(count, 3, "with its three articles");
    ok(sqlite3_get_autocommit(db->sql) != 0, "no transaction is left open");
    /* with related lists built, and an article they hold deleted since */
    {
        static const char *const bodies[] = {
            "Tuna fleets fish the western Pacific under licences from island states.",
            "Island states sell tuna fishing licences to distant fleets in the Pacific.",
            "Pacific tuna stocks and the licences of distant fishing fleets.",
        };
        eaf_related *rl = NULL;
        char key[16], held[16] = "";
        int i;

        for (i = 0; i < 3; i++) {
            eaf_article *a;
            snprintf(key, sizeof(key), "t/%d", i);
            a = tu_article(key, "Tuna licences", "2019-04-04", bodies[i], NULL, NULL);
            if (eaf_db_put(NULL, db, a) != EAF_OK)
                exit(99);
            eaf_article_free(a);
        }
        is_int(eaf_related_build(NULL, db, NULL, NULL, NULL), EAF_OK, "related lists built");
        if (eaf_related_new(&rl, db, "t/0", NULL) == EAF_OK && eaf_related_count(rl) > 0)
            snprintf(held, sizeof(held), "%s", eaf_related_key(rl, 0));
        eaf_related_free(rl);
        ok(strncmp(held, "t/", 2) == 0, "t/0's list holds another tuna article (%s)", held);
        is_int(eaf_db_delete(db, held), EAF_OK, "that article deleted, the lists not refreshed");
        is_int(check(db, &f, &n), EAF_OK, "the index still passes (%s)", f.all);
    }

    /* misuse and read-only handles */
    is_int(eaf_search_new(&s, db, "Suva", NULL), EAF_OK, "a search opens");
    is_int(eaf_db_check(&n, db, NULL, NULL), EAF_MISUSE, "no check while a search is open");
    eaf_search_free(s);
    is_int(eaf_db_begin(db), EAF_OK, "a transaction opens");
    is_int(eaf_db_check(&n, db, NULL, NULL), EAF_MISUSE, "no check inside a transaction");
    is_int(eaf_db_rollback(db), EAF_OK, "rolled back");
    {
        /* through a pointer, past the nonnull attribute (and UBSan's check) */
        eaf_status (*check_fn)(int64_t *, eaf_db *, eaf_problem_fn, void *) = eaf_db_check;
        is_int(check_fn(&n, NULL, NULL, NULL), EAF_MISUSE, "a NULL handle");
    }
    ro.flags = EAF_OPEN_READONLY;
    is_int(eaf_db_open(&rdb, tu_path("sound.db"), &ro, &err), EAF_OK, "opened read-only");
    n = -1;
    is_int(eaf_db_check(&n, rdb, NULL, NULL), EAF_OK, "a read-only handle checks too");
    is_int((int)n, 0, "and finds no problem");
    is_int(eaf_db_rebuild(rdb), EAF_READONLY, "but cannot rebuild");
    eaf_db_close(rdb);
    eaf_db_close(db);

    /* each kind of damage, made behind the library's back */
    damaged("nofts.db", "DELETE FROM fts_docsize WHERE id = 2",
            "articles without full-text index entries (1): k/two", "an article without index rows");
    damaged("nofts2.db", "DELETE FROM fts_docsize WHERE id = 2",
            "FTS5 integrity check", "the same, seen by FTS5");
    damaged("ghostfts.db", "INSERT INTO fts_docsize(id, sz) VALUES (77, x'00')",
            "full-text index entries without an article, by id (1): 77",
            "index rows without an article");
    damaged("author.db", "INSERT INTO author VALUES (99, 0, 'Ghost', NULL)",
            "author rows of missing articles (table author), by article id (1): 99",
            "an author of no article");
    damaged("facet.db", "INSERT INTO facet VALUES (0, 'x', 98, 0, 'X')",
            "tag rows of missing articles (table facet), by article id (1): 98", "a tag of no article");
    damaged("related.db", "INSERT INTO site_related VALUES (97, 0, 'Gone')",
            "related title rows of missing articles (table site_related), by article id (1): 97",
            "a related title of no article");
    damaged("rlist.db", "INSERT INTO related_list VALUES (96, 0, 1, 0.5)",
            "related-list rows of missing articles (table related_list), by article id (1): 96",
            "a related list of no article");
    damaged("rentry.db", "INSERT INTO related_list VALUES (1, 0, 95, 0.5)",
            "listed-as-related rows of missing articles (table related_list), by article id (1): 95",
            "a related list holding no article");
    damaged("rvec.db", "INSERT INTO related_vector VALUES (94, 1, 1, x'00')",
            "term-vector rows of missing articles (table related_vector), by article id (1): 94",
            "a term vector of no article");
    damaged("rself.db", "INSERT INTO related_list VALUES (2, 0, 2, 0.5)",
            "related lists that hold their own article (1): k/two", "a list holding its own article");
    damaged("rtwice.db",
            "INSERT INTO related_list VALUES (3, 0, 1, 0.5); INSERT INTO related_list VALUES"
            " (3, 1, 1, 0.4)",
            "related lists that hold an article twice (1): k/three", "a list holding an article twice");
    damaged("authors.db", "UPDATE author SET name = 'Someone Else' WHERE article_id = 3 AND pos = 0",
            "whose indexed authors differ from their author rows (1): k/three",
            "author rows that disagree with the indexed text");
    damaged("body.db",
            "DROP TRIGGER article_au; UPDATE article SET body = 'zebra' WHERE id = 1",
            "the full-text index does not match the articles",
            "a body changed without its index");
    damaged("source.db", "UPDATE article SET source_id = 55 WHERE id = 1",
            "articles from a file the index has no record of (1): k/one",
            "an article of an unknown file");
    mendable = 0; /* (the version is not the rebuild's to choose) */
    damaged("meta.db", "UPDATE eaf_meta SET value = '1' WHERE name = 'schema_version'",
            "disagreements on the schema version", "schema versions that disagree");
    mendable = 1;

    /* a file damaged in its pages: either it does not open (a clear
     * error) or the check finds the damage */
    db = fresh("pages.db");
    for (page = 0; page < 200; page++) {
        eaf_article *a;
        char key[32];
        snprintf(key, sizeof(key), "more/%d", page);
        a = tu_article(key, "Filler for more pages", NULL,
                       "Words enough to fill a few pages of the index file.", NULL, NULL);
        if (eaf_db_put(NULL, db, a) != EAF_OK)
            exit(99);
        eaf_article_free(a);
    }
    if (sqlite3_wal_checkpoint_v2(db->sql, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) !=
        SQLITE_OK)
        printf("# checkpoint failed\n");
    eaf_db_close(db);
    memset(zeros, 0x5a, sizeof(zeros));
    fp = fopen(tu_path("pages.db"), "r+b");
    ok(fp != NULL, "the file opens for damage");
    if (fp) {
        for (page = 3; page < 12; page += 2) {
            fseek(fp, (long)page * 4096, SEEK_SET);
            fwrite(zeros, 1, sizeof(zeros), fp);
        }
        fclose(fp);
    }
    {
        eaf_open_options o = EAF_OPEN_OPTIONS_INIT;
        eaf_status st = eaf_db_open(&db, tu_path("pages.db"), &o, &err);
        if (st == EAF_OK) {
            st = check(db, &f, &n);
            is_int(st, EAF_CORRUPT, "damaged pages: found");
            ok(n > 0 && strstr(f.all, "integrity check") != NULL,
               "damaged pages: SQLite's check names them (%lld: %.200s)", (long long)n, f.all);
            eaf_db_close(db);
        } else {
            is_int(st, EAF_CORRUPT, "damaged pages: the index does not open");
            ok(err && strstr(err, "pages.db"), "damaged pages: the file is named (%s)", err);
        }
        eaf_free(err);
    }
    tu_cleanup();
    return done_testing();
}
