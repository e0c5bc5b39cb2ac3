/*
 * test_shards_related.c: the related lists of a shard set (shard.h, the
 * set's related handle).  The same articles go into one file and into a
 * set of 3 shards; then every related list of the set is the one of the
 * one file, to the last bit of each score, with the same explanations:
 * computed on demand before any build (from the full-text index), walked
 * (the model in memory), built and stored, stale after changes made by
 * the shards' writers (an article changed, one removed, one added, in
 * shards other than shard 0, which keeps the lists), and refreshed.  The
 * set's check passes at every step, related:KEY searches the same, and
 * the calls a set refuses say why.
 */
#include "testutil.h"
#include "eaf-private.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#define NARTICLES 150
#define NSHARDS 3

/* Words in groups: an article draws most of its words from one group, so
 * that the articles of a group are related. */
static const char *const groups[][8] = {
    {"harbour", "shipping", "container", "port", "freight", "cargo", "vessel", "dock"},
    {"rice", "harvest", "farmer", "irrigation", "drought", "fertiliser", "paddy", "crop"},
    {"election", "ballot", "parliament", "coalition", "senate", "voter", "campaign", "party"},
    {"semiconductor", "chip", "foundry", "wafer", "export", "licence", "fab", "supply"},
    {"monsoon", "flood", "typhoon", "rainfall", "river", "levee", "storm", "evacuation"},
    {"tariff", "customs", "quota", "dumping", "duty", "import", "safeguard", "trade"},
};
static const char *const glue[] = {"the", "of", "and", "in", "to", "a", "for", "on"};
static const char *const countries[] = {"Japan", "China", "Indonesia", "Vietnam", "India"};
static const char *const topics[] = {"Trade", "Security", "Economics", "Politics"};

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* n words, most from group g, into out. */
static void words(char *out, size_t cap, unsigned *seed, size_t g, int n)
{
    size_t used = 0;
    int i;

    out[0] = '\0';
    for (i = 0; i < n && used + 32 < cap; i++) {
        unsigned r = rnd(seed) % 10;
        const char *w = r < 6   ? groups[g][rnd(seed) % 8]
                        : r < 8 ? glue[rnd(seed) % LEN(glue)]
                                : groups[rnd(seed) % LEN(groups)][rnd(seed) % 8];
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "", w);
    }
}

/* Article i, version v (0 as first put, 1 changed). */
static eaf_article *make_article(int i, int v)
{
    eaf_article *a = NULL;
    unsigned seed = 7919u * (unsigned)i + 31u * (unsigned)v + 5u;
    size_t g = (size_t)i % LEN(groups);
    char key[32], title[256], body[4096], date[16], author[32];

    if (v) /* a change: another group's words */
        g = (g + 1) % LEN(groups);
    if (eaf_article_new(&a) != EAF_OK)
        return NULL;
    snprintf(key, sizeof(key), "article-%04d", i);
    words(title, sizeof(title), &seed, g, 3 + (int)(rnd(&seed) % 5));
    words(body, sizeof(body), &seed, g, 40 + (int)(rnd(&seed) % 160));
    snprintf(date, sizeof(date), "20%02u-%02u-%02u", 10 + rnd(&seed) % 15, 1 + rnd(&seed) % 12,
             1 + rnd(&seed) % 28);
    snprintf(author, sizeof(author), "Author %u", rnd(&seed) % 30);
    if (eaf_article_set(a, EAF_FIELD_KEY, key, strlen(key)) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_TITLE, title, strlen(title)) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_BODY, body, strlen(body)) != EAF_OK ||
        (i % 11 && eaf_article_set(a, EAF_FIELD_DATE, date, strlen(date)) != EAF_OK) ||
        eaf_article_add_author(a, author, NULL) != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_COUNTRY, countries[rnd(&seed) % 5]) != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_TOPIC, topics[(size_t)i % 4]) != EAF_OK) {
        eaf_article_free(a);
        return NULL;
    }
    return a;
}

/* Puts articles 0..n-1 through db in one transaction; how many it stored. */
static int put_all(eaf_db *db, int n)
{
    int i, stored = 0;

    if (eaf_db_begin(db) != EAF_OK)
        return -1;
    for (i = 0; i < n; i++) {
        eaf_article *a = make_article(i, 0);
        eaf_change ch = EAF_CHANGE_NONE;
        if (!a || eaf_db_put(&ch, db, a) != EAF_OK) {
            eaf_article_free(a);
            return -1;
        }
        eaf_article_free(a);
        stored += ch == EAF_CHANGE_ADDED;
    }
    return eaf_db_commit(db) == EAF_OK ? stored : -1;
}

/* ---- lists as text ------------------------------------------------------------------- */

/* A list as lines: each article's key and score (every bit), and when
 * explained its explanation and the values it shares by kind. */
static void dump_list(eaf__buf *b, const char *key, eaf_related *r, int explained)
{
    size_t i, n = eaf_related_count(r), k, j, nv;

    eaf__buf_printf(b, "%s (%zu)\n", key, n);
    for (i = 0; i < n; i++) {
        const char *why = NULL, *v = NULL;
        eaf__buf_printf(b, "  %s %a", eaf_related_key(r, i), eaf_related_score(r, i));
        if (!explained) {
            eaf__buf_putc(b, '\n');
            continue;
        }
        if (eaf_related_explain(&why, r, i) == EAF_OK)
            eaf__buf_printf(b, " [%s]", why);
        else
            eaf__buf_puts(b, " [no explanation]");
        for (k = 0; k < EAF_REASON_LAST; k++) {
            if (eaf_related_shared_count(&nv, r, i, (eaf_related_reason)k) != EAF_OK)
                continue;
            for (j = 0; j < nv; j++)
                if (eaf_related_shared(&v, r, i, (eaf_related_reason)k, j) == EAF_OK)
                    eaf__buf_printf(b, " %s=%s", eaf_related_reason_name((eaf_related_reason)k),
                                    v);
        }
        eaf__buf_putc(b, '\n');
    }
}

/* The lists of some keys, each asked for alone (eaf_related_new), *nread
 * of them, *stored read as stored; NULL and a diagnostic when one cannot
 * be had. */
static char *some_lists(eaf_db *db, int step, int *stored, int *nread)
{
    eaf__buf b = EAF__BUF_INIT;
    int i;

    *stored = *nread = 0;
    for (i = 0; i < NARTICLES + 1; i += step) {
        char key[32];
        eaf_related *r = NULL;
        eaf_status st;
        snprintf(key, sizeof(key), "article-%04d", i);
        st = eaf_related_new(&r, db, key, NULL);
        if (st == EAF_NOTFOUND)
            continue; /* (removed) */
        if (st != EAF_OK) {
            diag("eaf_related_new(%s): %s", key, eaf_db_errmsg(db));
            eaf__buf_free(&b);
            return NULL;
        }
        *stored += eaf_related_stored(r);
        ++*nread;
        dump_list(&b, key, r, 1);
        eaf_related_free(r);
    }
    return eaf__buf_detach(&b);
}

static int dump_each(const char *key, eaf_related *r, void *payload)
{
    dump_list(payload, key, r, 0);
    return 0;
}

/* Every list, in the walk (eaf_related_each), unexplained (the lists read
 * alone are explained). */
static char *all_lists(eaf_db *db)
{
    eaf__buf b = EAF__BUF_INIT;

    if (eaf_related_each(db, NULL, dump_each, &b) != EAF_OK) {
        diag("eaf_related_each: %s", eaf_db_errmsg(db));
        eaf__buf_free(&b);
        return NULL;
    }
    return eaf__buf_detach(&b);
}

/* Are a and b the same (and not empty)?  Shows the first difference. */
static int same_text(const char *a, const char *b, const char *what)
{
    size_t i = 0;

    if (a && b && strcmp(a, b) == 0 && *a)
        return 1;
    if (a && b)
        while (a[i] && a[i] == b[i])
            i++;
    diag("%s differ at byte %zu:\n--- one file\n%.300s\n--- set\n%.300s", what, i,
         a ? a + (i > 80 ? i - 80 : 0) : "(none)", b ? b + (i > 80 ? i - 80 : 0) : "(none)");
    return 0;
}

/* Does the walk over every list of the set give the one file's? */
static int same_walks(eaf_db *one, eaf_db *set, const char *what)
{
    char *a = all_lists(one), *b = all_lists(set);
    int same = same_text(a, b, what);

    free(a);
    free(b);
    return same;
}

/* Do the lists of every step-th key, read alone and explained, on the set
 * give the one file's?  *stored and *stored2 count those read as stored
 * on each, *nread those read. */
static int same_lists(eaf_db *one, eaf_db *set, int step, const char *what, int *stored,
                      int *stored2, int *nread)
{
    char *a = some_lists(one, step, stored, nread), *b = some_lists(set, step, stored2, nread);
    int same = same_text(a, b, what);

    if (same && !strstr(a, "topic=")) {
        diag("%s: no list explains a shared topic", what);
        same = 0;
    }
    free(a);
    free(b);
    return same;
}

static int check_ok(eaf_db *db, const char *what)
{
    int64_t problems = -1;
    eaf_status st = eaf_db_check(&problems, db, NULL, NULL);

    if (st != EAF_OK)
        diag("check %s: %s (%lld problems)", what, eaf_db_errmsg(db), (long long)problems);
    return st == EAF_OK && problems == 0;
}

/* The keys related:KEY finds. */
static char *related_search(eaf_db *db, const char *key)
{
    eaf_search *s = NULL;
    char q[64], *keys = malloc(4096);

    snprintf(q, sizeof(q), "related:%s", key);
    if (!keys || eaf_search_new(&s, db, q, NULL) != EAF_OK || tu_keys(s, keys, 4096) != EAF_DONE) {
        diag("related search on %s: %s", key, eaf_db_errmsg(db));
        free(keys);
        keys = NULL;
    }
    eaf_search_free(s);
    return keys;
}

/* A number SQL reads in shard 0 of the set in dir, with the view
 * set_article of every shard's articles; -1 on a failure. */
static long long shard0_int(const char *dir, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char path[600], *attach;
    long long v = -1;
    unsigned k;
    int rc;

    snprintf(path, sizeof(path), "%s/shard-0.db", dir);
    rc = sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL);
    for (k = 1; rc == SQLITE_OK && k < NSHARDS; k++) {
        attach = sqlite3_mprintf("ATTACH '%q/shard-%u.db' AS s%u", dir, k, k);
        rc = sqlite3_exec(s, attach, NULL, NULL, NULL);
        sqlite3_free(attach);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s,
                          "CREATE TEMP VIEW set_article AS SELECT id FROM main.article"
                          " UNION ALL SELECT id FROM s1.article UNION ALL SELECT id FROM s2.article",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(s, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        diag("%s: %s", sql, sqlite3_errmsg(s));
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

/* ---- the changes, through every shard's writer as eafindex makes them -------------- */

/* Changes articles 3 and 4, removes 7 and 8, adds article NARTICLES, in
 * one file and through the writers of the set's shards; *moved counts the
 * changes and removals that went to a shard other than 0. */
static int change(eaf_db *one, const char *dir, int *moved)
{
    static const int changed[] = {3, 4}, removed[] = {7, 8};
    eaf_db *w[NSHARDS] = {NULL};
    unsigned k;
    size_t i;
    int fail = 0;

    *moved = 0;
    for (k = 0; k < NSHARDS; k++)
        if (eaf_db_open_shard(&w[k], dir, k, NULL, NULL) != EAF_OK)
            fail = 1;
    for (i = 0; !fail && i < LEN(changed) + 1; i++) {
        int n = i < LEN(changed) ? changed[i] : NARTICLES;
        eaf_article *a = make_article(n, i < LEN(changed));
        eaf_change ch;
        if (!a || eaf_db_put(&ch, one, a) != EAF_OK)
            fail = 1;
        for (k = 0; !fail && k < NSHARDS; k++) {
            if (eaf_db_put(&ch, w[k], a) != EAF_OK)
                fail = 1;
            else if (k > 0 && ch == EAF_CHANGE_UPDATED)
                ++*moved;
        }
        eaf_article_free(a);
    }
    for (i = 0; !fail && i < LEN(removed); i++) {
        char key[32];
        int gone = 0;
        snprintf(key, sizeof(key), "article-%04d", removed[i]);
        if (eaf_db_delete(one, key) != EAF_OK)
            fail = 1;
        for (k = 0; !fail && k < NSHARDS; k++) {
            eaf_status st = eaf_db_delete(w[k], key); /* (the other shards have none) */
            if (st == EAF_OK) {
                gone++;
                *moved += k > 0;
            } else if (st != EAF_NOTFOUND) {
                fail = 1;
            }
        }
        fail |= gone != 1;
    }
    for (k = 0; k < NSHARDS; k++)
        eaf_db_close(w[k]);
    return fail ? -1 : 0;
}

int main(void)
{
    eaf_open_options create = EAF_OPEN_OPTIONS_INIT, ro = EAF_OPEN_OPTIONS_INIT;
    eaf_related_stats s1, s2;
    eaf_db *one = NULL, *set = NULL;
    char dir[512], *a, *b, *msg = NULL;
    int stored = 0, stored2 = 0, total = 0, moved = 0, nread = 0;
    unsigned k;

    tu_tmpdir();
    create.flags = EAF_OPEN_CREATE;
    ro.flags = EAF_OPEN_READONLY;
    snprintf(dir, sizeof(dir), "%s", tu_path("set"));

    ok(eaf_db_open(&one, tu_path("one.db"), &create, NULL) == EAF_OK, "one file made");
    is_int(one ? put_all(one, NARTICLES) : -1, NARTICLES, "it holds every article");
    ok(eaf_shards_create(dir, NSHARDS, NULL, &msg) == EAF_OK, "a set of %d shards made (%s)",
       NSHARDS, msg ? msg : "");
    eaf_free(msg);
    msg = NULL;
    for (k = 0; k < NSHARDS; k++) {
        eaf_db *w = NULL;
        if (eaf_db_open_shard(&w, dir, k, NULL, NULL) == EAF_OK) {
            int n = put_all(w, NARTICLES);
            total += n > 0 ? n : 0;
        }
        eaf_db_close(w);
    }
    is_int(total, NARTICLES, "the shards hold every article between them");
    ok(eaf_db_open(&set, dir, NULL, &msg) == EAF_OK, "the set opened read-write (%s)",
       msg ? msg : "");
    eaf_free(msg);
    msg = NULL;
    if (!one || !set)
        return done_testing();

    /* ---- before any build: from the full-text index, and in the walk */
    ok(same_lists(one, set, 7, "lists on demand", &stored, &stored2, &nread),
       "each list computed on demand is the one file's, explained alike");
    ok(stored == 0 && stored2 == 0, "none is stored yet");
    ok(same_walks(one, set, "walks"), "the walk over every list is the one file's");

    /* ---- built and stored */
    memset(&s1, 0, sizeof(s1));
    memset(&s2, 0, sizeof(s2));
    s1.version = s2.version = EAF_RELATED_STATS_VERSION;
    ok(eaf_related_build(&s1, one, NULL, NULL, NULL) == EAF_OK, "one file's lists built");
    ok(eaf_related_build(&s2, set, NULL, NULL, NULL) == EAF_OK, "the set's lists built (%s)",
       eaf_db_errmsg(set));
    ok(s1.lists == NARTICLES && s2.lists == s1.lists && s2.terms == s1.terms,
       "as many lists (%lld, %lld) and terms (%lld, %lld)", (long long)s1.lists,
       (long long)s2.lists, (long long)s1.terms, (long long)s2.terms);
    ok(same_walks(one, set, "stored walks"), "every stored list is the one file's");
    ok(same_lists(one, set, 5, "stored lists", &stored, &stored2, &nread),
       "each stored list read alone is the one file's");
    ok(stored2 > 0 && stored2 == stored, "and read as stored (%d, %d)", stored, stored2);
    a = related_search(one, "article-0012");
    b = related_search(set, "article-0012");
    ok(a && b && *a && strcmp(a, b) == 0, "related:KEY finds the same articles (%s)",
       b ? b : "");
    free(a);
    free(b);
    ok(check_ok(set, "after the build"), "the set's check passes");

    /* ---- changed by the shards' writers: the stale lists */
    is_int(change(one, dir, &moved), 0, "articles changed, removed and added");
    ok(moved >= 2, "of which %d in shards other than shard 0", moved);
    ok(check_ok(set, "before the refresh"), "the set's check passes before the refresh");
    ok(same_walks(one, set, "stale walks"), "the walk, stale lists computed, is the one file's");
    ok(same_lists(one, set, 3, "stale lists", &stored, &stored2, &nread),
       "each list read alone is the one file's");
    ok(stored == stored2 && stored < nread && stored > 0,
       "as many stored (%d, %d of %d), the stale ones computed", stored, stored2, nread);

    /* ---- refreshed */
    memset(&s1, 0, sizeof(s1));
    memset(&s2, 0, sizeof(s2));
    s1.version = s2.version = EAF_RELATED_STATS_VERSION;
    ok(eaf_related_refresh(&s1, one, NULL, NULL) == EAF_OK, "one file refreshed");
    ok(eaf_related_refresh(&s2, set, NULL, NULL) == EAF_OK, "the set refreshed (%s)",
       eaf_db_errmsg(set));
    ok(s1.lists > 0 && s2.lists == s1.lists && !s2.full,
       "the same lists recomputed (%lld, %lld)", (long long)s1.lists, (long long)s2.lists);
    ok(same_walks(one, set, "refreshed walks"), "every list is the one file's again");
    ok(same_lists(one, set, 3, "refreshed lists", &stored, &stored2, &nread),
       "each read alone too");
    ok(stored == nread && stored2 == stored, "all stored (%d, %d of %d)", stored, stored2, nread);
    ok(check_ok(set, "after the refresh"), "the set's check passes");
    {
        /* the lists and vectors of the removed articles are gone from
         * shard 0, which keeps the set's */
        eaf_db_close(set);
        set = NULL;
        is_int(shard0_int(dir, "SELECT count(*) FROM related_vector"), NARTICLES + 1 - 2,
               "shard 0 keeps a vector for each article of the set");
        is_int(shard0_int(dir, "SELECT count(*) FROM related_vector WHERE article_id NOT IN"
                               " (SELECT id FROM set_article)"),
               0, "and none of a removed article");
        is_int(shard0_int(dir, "SELECT count(*) FROM related_list WHERE article_id NOT IN"
                               " (SELECT id FROM set_article) OR other_id NOT IN"
                               " (SELECT id FROM set_article)"),
               0, "nor a list of one, or holding one");
        ok(eaf_db_open(&set, dir, NULL, NULL) == EAF_OK, "the set opened again");
    }

    /* ---- the index's defaults */
    {
        eaf_related_options o = EAF_RELATED_OPTIONS_INIT, got = EAF_RELATED_OPTIONS_INIT;
        eaf_related *r = NULL;
        eaf_status st;
        o.count = 4;
        ok(set && eaf_related_set_defaults(set, &o) == EAF_OK, "the set's defaults set");
        st = set ? eaf_related_defaults(&got, set) : EAF_ERROR;
        ok(st == EAF_OK && got.count == 4, "and read back (%u)", got.count);
        st = set ? eaf_related_new(&r, set, "article-0001", NULL) : EAF_ERROR;
        ok(st == EAF_OK && eaf_related_count(r) == 4, "a list has the default count (%zu)",
           r ? eaf_related_count(r) : 0);
        eaf_related_free(r);
    }
    eaf_db_close(set);
    set = NULL;

    /* ---- refusals */
    {
        eaf_db *w = NULL, *r = NULL;
        eaf_related *list = NULL;
        eaf_status st = eaf_db_open_shard(&w, dir, 1, NULL, NULL);
        if (st == EAF_OK)
            st = eaf_related_new(&list, w, "article-0001", NULL);
        ok(st == EAF_MISUSE && !list && strstr(eaf_db_errmsg(w), "through its folder"),
           "a writer of one shard has no lists (%s)", w ? eaf_db_errmsg(w) : "");
        eaf_db_close(w);
        memset(&s2, 0, sizeof(s2));
        s2.version = EAF_RELATED_STATS_VERSION;
        st = eaf_db_open(&r, dir, &ro, NULL);
        if (st == EAF_OK)
            st = eaf_related_build(&s2, r, NULL, NULL, NULL);
        ok(st == EAF_READONLY && strstr(eaf_db_errmsg(r), "read-only"),
           "a set open read-only builds nothing (%s)", r ? eaf_db_errmsg(r) : "");
        st = r ? eaf_related_new(&list, r, "article-0002", NULL) : EAF_ERROR;
        ok(st == EAF_OK && eaf_related_stored(list) && eaf_related_count(list) == 4,
           "but reads its lists (%zu, stored %d)", list ? eaf_related_count(list) : 0,
           list ? eaf_related_stored(list) : 0);
        eaf_related_free(list);
        eaf_db_close(r);
    }

    eaf_db_close(one);
    tu_cleanup();
    return done_testing();
}
