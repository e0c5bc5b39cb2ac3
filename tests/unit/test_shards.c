/*
 * test_shards.c: shard sets (shard.h).  The same 1,600 articles of random
 * text go into one file and into sets of 2 and 3 shards (each shard's
 * writer given every article, the writers of the 2-shard set in threads);
 * then every search gives on the set what it gives on the one file: the
 * same keys in the same order, the same scores to the last bit, the same
 * snippets, totals, facets, fallbacks and dropped words, relevance
 * feedback included.  Common words are in more than 1,000 articles, so
 * the estimates of their frequency are compared too.  A shard searched
 * alone ranks differently (the set's statistics are what make the
 * scores equal), and the calls a set cannot make yet say so.
 */
#include <pthread.h>

#include "testutil.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

#define NARTICLES 1600

static const char *const common[] = {
    "trade", "policy", "china", "japan", "economy", "growth", "market", "region",
    "security", "government", "bank", "reform", "energy", "export", "investment",
};
static const char *const rare[] = {
    "semiconductor", "fisheries", "monsoon", "tariff", "yen", "renminbi", "mekong",
    "archipelago", "coalition", "pension", "subsidy", "drought", "shipping", "ballot",
    "infrastructure", "diplomacy", "alliance", "inflation", "currency", "labour",
    "migration", "tourism", "rice", "nickel", "coal", "hydropower", "satellite",
};
static const char *const glue[] = {"the", "of", "and", "in", "to", "a", "for", "on", "is"};
static const char *const countries[] = {"Japan", "China", "Indonesia", "Vietnam", "India"};
static const char *const topics[] = {"Trade", "Security", "Economics", "Politics"};

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

static void words(char *out, size_t cap, unsigned *seed, int n)
{
    size_t used = 0;
    int i;

    out[0] = '\0';
    for (i = 0; i < n; i++) {
        unsigned r = rnd(seed) % 10;
        const char *w = r < 4   ? common[rnd(seed) % LEN(common)]
                        : r < 7 ? glue[rnd(seed) % LEN(glue)]
                                : rare[rnd(seed) % LEN(rare)];
        int k = snprintf(out + used, cap - used, "%s%s", i ? " " : "", w);
        if (k > 0 && (size_t)k < cap - used)
            used += (size_t)k;
    }
}

/* Article i, the same every time it is asked for. */
static eaf_article *make_article(int i)
{
    eaf_article *a = NULL;
    unsigned seed = 7919u * (unsigned)i + 17u;
    char key[32], title[256], body[4096], date[16], author[32];

    if (eaf_article_new(&a) != EAF_OK)
        return NULL;
    snprintf(key, sizeof(key), "article-%04d", i);
    words(title, sizeof(title), &seed, 3 + (int)(rnd(&seed) % 6));
    words(body, sizeof(body), &seed, 20 + (int)(rnd(&seed) % 200));
    snprintf(date, sizeof(date), "20%02u-%02u-%02u", 10 + rnd(&seed) % 15, 1 + rnd(&seed) % 12,
             1 + rnd(&seed) % 28);
    snprintf(author, sizeof(author), "Author %u", rnd(&seed) % 40);
    if (i >= 5 && i < 13 && i % 2) /* a word many times, the other not at all */
        snprintf(title, sizeof(title), "zephyr zephyr zephyr zephyr");
    else if (i >= 5 && i < 13) /* both, once each, in a long text */
        snprintf(body + strlen(body), sizeof(body) - strlen(body), " zephyr %s quokka", title);
    if (eaf_article_set(a, EAF_FIELD_KEY, key, strlen(key)) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_TITLE, title, strlen(title)) != EAF_OK ||
        eaf_article_set(a, EAF_FIELD_BODY, body, strlen(body)) != EAF_OK ||
        (i % 9 && /* some without a date */
         eaf_article_set(a, EAF_FIELD_DATE, date, strlen(date)) != EAF_OK) ||
        eaf_article_add_author(a, author, NULL) != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_COUNTRY, countries[rnd(&seed) % 5]) != EAF_OK ||
        eaf_article_add_tag(a, EAF_TAG_TOPIC, topics[rnd(&seed) % 4]) != EAF_OK) {
        eaf_article_free(a);
        return NULL;
    }
    return a;
}

/* Puts every article through db, in batches; how many it stored. */
static int put_all(eaf_db *db, int *elsewhere)
{
    int i, stored = 0;

    *elsewhere = 0;
    for (i = 0; i < NARTICLES; i++) {
        eaf_article *a = make_article(i);
        eaf_change ch = EAF_CHANGE_NONE;
        if (i % 200 == 0 && eaf_db_begin(db) != EAF_OK)
            return -1;
        if (!a || eaf_db_put(&ch, db, a) != EAF_OK)
            return -1;
        eaf_article_free(a);
        stored += ch == EAF_CHANGE_ADDED;
        *elsewhere += ch == EAF_CHANGE_ELSEWHERE;
        if ((i % 200 == 199 || i == NARTICLES - 1) && eaf_db_commit(db) != EAF_OK)
            return -1;
    }
    return stored;
}

typedef struct writer {
    const char *dir;
    unsigned shard;
    eaf_db *db;
    int stored, elsewhere;
} writer;

static void *write_shard(void *arg)
{
    writer *w = arg;

    w->stored = w->db ? put_all(w->db, &w->elsewhere) : -1;
    eaf_db_close(w->db);
    w->db = NULL;
    return NULL;
}

/* Builds a set of n shards in dir, the writers in threads when threaded. */
static int build_set(const char *dir, unsigned n, int threaded, writer *w)
{
    pthread_t t[4];
    char *msg = NULL;
    unsigned k;
    int total = 0;

    if (eaf_shards_create(dir, n, NULL, &msg) != EAF_OK) {
        diag("eaf_shards_create: %s", msg ? msg : "?");
        eaf_free(msg);
        return -1;
    }
    /* every writer opens before any writes (the ids start after the set's) */
    for (k = 0; k < n; k++) {
        w[k].dir = dir;
        w[k].shard = k;
        w[k].db = NULL;
        if (eaf_db_open_shard(&w[k].db, dir, k, NULL, &msg) != EAF_OK) {
            diag("eaf_db_open_shard: %s", msg ? msg : "?");
            eaf_free(msg);
            msg = NULL;
        }
    }
    for (k = 0; k < n; k++) {
        if (threaded)
            pthread_create(&t[k], NULL, write_shard, &w[k]);
        else
            write_shard(&w[k]);
    }
    for (k = 0; threaded && k < n; k++)
        pthread_join(t[k], NULL);
    for (k = 0; k < n; k++)
        total += w[k].stored;
    return total;
}

/* A search's results, one line per hit: key, score (all its bits),
 * snippet; then the total, the fallback and the dropped words. */
static char *results(eaf_db *db, const char *q, unsigned flags, eaf_sort sort, unsigned limit,
                     unsigned offset)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    size_t cap = 1 << 18, used = 0, i;
    char *out = malloc(cap);
    int64_t total = -1;
    eaf_status st;

    if (!out)
        return NULL;
    out[0] = '\0';
    o.flags = flags;
    o.sort = sort;
    o.limit = limit;
    o.offset = offset;
    if (eaf_search_new(&s, db, q, &o) != EAF_OK) {
        snprintf(out, cap, "(error: %s)", eaf_db_errmsg(db));
        return out;
    }
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const char *sn = eaf_search_snippet(s);
        int w = snprintf(out + used, cap - used, "%s %a %s | %s\n",
                         eaf_search_field(s, EAF_FIELD_KEY), eaf_search_score(s),
                         eaf_search_field(s, EAF_FIELD_DATE) ? eaf_search_field(s, EAF_FIELD_DATE)
                                                             : "-",
                         sn ? sn : "");
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
    }
    if (st != EAF_DONE)
        used += (size_t)snprintf(out + used, cap - used, "(error: %s)\n", eaf_db_errmsg(db));
    if (eaf_search_total(&total, s) != EAF_OK)
        total = -1;
    used += (size_t)snprintf(out + used, cap - used, "total %lld fallback %d question %d dropped",
                             (long long)total, eaf_search_fallback(s), eaf_search_question(s));
    for (i = 0; i < eaf_search_dropped_count(s); i++)
        used += (size_t)snprintf(out + used, cap - used, " %s", eaf_search_dropped(s, i));
    {
        const char *sug = NULL;
        if (eaf_search_suggestion(&sug, s) != EAF_OK)
            sug = "(error)";
        used += (size_t)snprintf(out + used, cap - used, " suggestion %s", sug ? sug : "-");
    }
    eaf_search_free(s);
    return out;
}

static char *facets(eaf_db *db, const char *q)
{
    eaf_search *s = NULL;
    eaf_facets *f = NULL;
    size_t cap = 1 << 14, used = 0, i;
    char *out = malloc(cap);
    int kind;

    if (!out)
        return NULL;
    out[0] = '\0';
    if (eaf_search_new(&s, db, q, NULL) != EAF_OK || eaf_search_facets(&f, s, 4) != EAF_OK) {
        snprintf(out, cap, "(error: %s)", eaf_db_errmsg(db));
        eaf_search_free(s);
        return out;
    }
    for (kind = 0; kind < EAF_FACET_LAST; kind++)
        for (i = 0; i < eaf_facets_count(f, (eaf_facet)kind); i++) {
            int64_t c = 0;
            const char *v = eaf_facets_value(f, (eaf_facet)kind, i, &c);
            used += (size_t)snprintf(out + used, cap - used, "%d:%s=%lld ", kind, v,
                                     (long long)c);
        }
    eaf_facets_free(f);
    eaf_search_free(s);
    return out;
}

static const char *const queries[] = {
    "trade", "japan china", "semiconductor", "trade policy reform", "\"the economy\"",
    "\"bank of\"", "tariff OR subsidy", "trade -china", "title:monsoon", "mekong drought",
    "infra*", "coal NEAR/5 energy", "the of", "china 2015..2018", "country:japan trade",
    "author:\"author 7\"", "semiconductor fisheries ballot hydropower", /* none has all */
    "zzzunknown trade", "why does japan policy on trade and security matter for the region",
    "how did investment growth affect the market economy of china", "yen", "market",
    "\"trade policy\" security", "-trade china", "topic:trade", "rice nickel",
    "semiconducter", "tarif policy", "hydropowr drought", "yen trade", "rice china the",
    "monsoon policy economy", "zephyr quokka",
};

static void compare_all(eaf_db *one, eaf_db *set, const char *what)
{
    static const struct {
        unsigned flags;
        eaf_sort sort;
        unsigned limit, offset;
    } ways[] = {
        {0, EAF_SORT_RELEVANCE, 10, 0},
        {0, EAF_SORT_RELEVANCE, 7, 12},
        {0, EAF_SORT_NEWEST, 10, 0},
        {0, EAF_SORT_OLDEST, 5, 3},
        {EAF_SEARCH_FEEDBACK, EAF_SORT_RELEVANCE, 10, 0},
        {EAF_SEARCH_RANK_ALL, EAF_SORT_RELEVANCE, 10, 0},
    };
    size_t q, w;
    size_t same = 0, total = 0, suggested = 0, fell_back = 0, fed_back = 0;

    for (q = 0; q < LEN(queries); q++) {
        for (w = 0; w < LEN(ways); w++) {
            char *a = results(one, queries[q], ways[w].flags, ways[w].sort, ways[w].limit,
                              ways[w].offset);
            char *b = results(set, queries[q], ways[w].flags, ways[w].sort, ways[w].limit,
                              ways[w].offset);
            total++;
            suggested += a && strstr(a, " suggestion -") == NULL;
            fell_back += a && strstr(a, " fallback 1") != NULL;
            fed_back += a && ways[w].flags == EAF_SEARCH_FEEDBACK && q >= 18 && q <= 19 &&
                        strstr(a, "question 1") != NULL;
            if (a && b && strcmp(a, b) == 0) {
                same++;
            } else {
                diag("%s: '%s' way %zu differs:\n--- one file\n%s\n--- set\n%s", what,
                     queries[q], w, a ? a : "?", b ? b : "?");
            }
            free(a);
            free(b);
        }
    }
    is_int(same, total, "%s: every search (%zu: queries by 6 ways, suggestions too) the same as on one file", what,
           total);
    ok(suggested > 0 && fell_back > 0 && fed_back > 0,
       "%s: among them suggestions (%zu), fallbacks (%zu) and feedback (%zu)", what, suggested,
       fell_back, fed_back);
    for (q = 0, same = 0; q < 6; q++) {
        char *a = facets(one, queries[q]), *b = facets(set, queries[q]);
        same += a && b && strcmp(a, b) == 0 && strstr(a, "error") == NULL;
        if (!(a && b && strcmp(a, b) == 0))
            diag("facets of '%s':\n%s\n%s", queries[q], a ? a : "?", b ? b : "?");
        free(a);
        free(b);
    }
    is_int(same, 6, "%s: facets the same", what);
}

static void remove_set(const char *dir, unsigned n)
{
    char path[600];
    unsigned k;
    const char *ext[] = {"", "-wal", "-shm"};
    size_t e;

    for (k = 0; k < n; k++)
        for (e = 0; e < 3; e++) {
            snprintf(path, sizeof(path), "%s/shard-%u.db%s", dir, k, ext[e]);
            unlink(path);
        }
    snprintf(path, sizeof(path), "%s/eafshards", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    eaf_open_options create = EAF_OPEN_OPTIONS_INIT, ro = EAF_OPEN_OPTIONS_INIT;
    eaf_db *one = NULL, *set = NULL, *alone = NULL;
    writer w2[2], w3[3];
    char dir2[512], dir3[512];
    int stored, elsewhere;
    int64_t n1 = 0, n2 = 0;
    unsigned shards = 9;
    char *msg = NULL;

    tu_tmpdir();
    create.flags = EAF_OPEN_CREATE;
    ro.flags = EAF_OPEN_READONLY;
    snprintf(dir2, sizeof(dir2), "%s", tu_path("set2"));
    snprintf(dir3, sizeof(dir3), "%s", tu_path("set3"));

    ok(eaf_db_open(&one, tu_path("one.db"), &create, NULL) == EAF_OK, "one file made");
    stored = put_all(one, &elsewhere);
    is_int(stored, NARTICLES, "one file holds every article");
    is_int(elsewhere, 0, "one file sends nothing elsewhere");
    eaf_db_close(one);

    /* ---- the 2-shard set, written by two threads at once */
    stored = build_set(dir2, 2, 1, w2);
    is_int(stored, NARTICLES, "the two shards hold every article between them");
    ok(w2[0].stored > NARTICLES / 3 && w2[1].stored > NARTICLES / 3,
       "each shard holds a share (%d, %d)", w2[0].stored, w2[1].stored);
    is_int(w2[0].elsewhere, w2[1].stored, "shard 0 skipped shard 1's articles");
    is_int(w2[1].elsewhere, w2[0].stored, "shard 1 skipped shard 0's articles");

    ok(eaf_db_open(&one, tu_path("one.db"), &ro, NULL) == EAF_OK, "one file opened");
    ok(eaf_db_open(&set, dir2, &ro, &msg) == EAF_OK, "the set opened by its folder (%s)",
       msg ? msg : "");
    eaf_free(msg);
    msg = NULL;
    ok(set && eaf_db_shards(&shards, set) == EAF_OK && shards == 2, "it has 2 shards");
    if (eaf_db_count(&n1, one) != EAF_OK || eaf_db_count(&n2, set) != EAF_OK)
        n1 = -1;
    ok(n1 == NARTICLES && n2 == NARTICLES, "the same count (%lld, %lld)", (long long)n1,
       (long long)n2);
    {
        eaf_article *a = NULL, *b = NULL;
        int k, same = 0;
        for (k = 0; k < 40; k++) {
            char key[32];
            snprintf(key, sizeof(key), "article-%04d", k * 37);
            if (eaf_db_get(&a, one, key) == EAF_OK && eaf_db_get(&b, set, key) == EAF_OK &&
                strcmp(eaf_article_get(a, EAF_FIELD_BODY), eaf_article_get(b, EAF_FIELD_BODY)) ==
                    0)
                same++;
            eaf_article_free(a);
            eaf_article_free(b);
            a = b = NULL;
        }
        is_int(same, 40, "eaf_db_get finds each key in its shard");
        ok(eaf_db_get(&a, set, "no-such-key") == EAF_NOTFOUND, "a missing key is not found");
    }
    compare_all(one, set, "2 shards");

    /* the set's statistics make the scores: a shard searched as a file of
     * its own does not give them */
    {
        char path[600];
        char *a, *b;
        snprintf(path, sizeof(path), "%s/shard-0.db", dir2);
        ok(eaf_db_open(&alone, path, &ro, NULL) == EAF_OK, "a shard opens as a file");
        a = results(alone, "trade policy", 0, EAF_SORT_RELEVANCE, 3, 0);
        b = results(set, "trade policy", 0, EAF_SORT_RELEVANCE, 3, 0);
        ok(a && b && strcmp(a, b) != 0, "a shard alone ranks with its own statistics");
        free(a);
        free(b);
        eaf_db_close(alone);
    }

    /* what a set handle cannot do yet says so */
    {
        eaf_article *a = make_article(1);
        eaf_db *rw = NULL;
        eaf_status st;
        ok(eaf_db_open(&rw, dir2, NULL, NULL) == EAF_OK, "the set opens read-write");
        st = rw ? eaf_db_put(NULL, rw, a) : EAF_ERROR;
        ok(st == EAF_MISUSE && strstr(eaf_db_errmsg(rw), "shard set") != NULL,
           "a put through the folder's handle is refused, saying why (%s)",
           rw ? eaf_db_errmsg(rw) : "");
        eaf_article_free(a);
        eaf_db_close(rw);
    }
    eaf_db_close(set);
    set = NULL;

    /* ---- 3 shards, written one after the other */
    stored = build_set(dir3, 3, 0, w3);
    is_int(stored, NARTICLES, "the three shards hold every article between them");
    ok(eaf_db_open(&set, dir3, &ro, NULL) == EAF_OK, "the 3-shard set opened");
    if (set)
        compare_all(one, set, "3 shards");

    /* ---- a snapshot of the set: a folder, a set of its own that searches
     * as the set (and so as the one file) does */
    {
        char snap[512];
        uint64_t gen = 0, set_gen = 1;
        eaf_db *copy = NULL, *writer1 = NULL;
        eaf_status st;

        snprintf(snap, sizeof(snap), "%s", tu_path("snap3"));
        st = set ? eaf_db_snapshot(&gen, set, snap) : EAF_ERROR;
        is_int(st, EAF_OK, "a snapshot of the 3-shard set (%s)", set ? eaf_db_errmsg(set) : "");
        if (!set || eaf_db_generation(&set_gen, set) != EAF_OK)
            set_gen = 0;
        ok(gen == set_gen && gen > 0, "its generation is the set's (%llu, %llu)",
           (unsigned long long)gen, (unsigned long long)set_gen);
        ok(eaf_db_open(&copy, snap, &ro, &msg) == EAF_OK && copy, "the snapshot opens (%s)",
           msg ? msg : "");
        eaf_free(msg);
        msg = NULL;
        ok(copy && eaf_db_shards(&shards, copy) == EAF_OK && shards == 3,
           "as a set of 3 shards");
        if (copy)
            compare_all(one, copy, "a snapshot of 3 shards");
        eaf_db_close(copy);
        /* again over it: replaced whole */
        st = set ? eaf_db_snapshot(&gen, set, snap) : EAF_ERROR;
        is_int(st, EAF_OK, "a second snapshot over the first");
        st = set ? eaf_db_snapshot(&gen, set, dir3) : EAF_ERROR;
        ok(st == EAF_MISUSE && strstr(eaf_db_errmsg(set), "would replace"),
           "a snapshot over the set itself is refused (%s)", eaf_db_errmsg(set));
        st = eaf_db_open_shard(&writer1, dir3, 1, NULL, NULL);
        if (st == EAF_OK)
            st = eaf_db_snapshot(NULL, writer1, tu_path("w1.db"));
        ok(st == EAF_MISUSE && strstr(eaf_db_errmsg(writer1), "one shard of a set"),
           "a writer of one shard is refused a snapshot (%s)",
           writer1 ? eaf_db_errmsg(writer1) : "");
        eaf_db_close(writer1);
        remove_set(snap, 3);
    }
    eaf_db_close(set);

    /* ---- refusals */
    {
        eaf_status st = eaf_shards_create(dir3, 2, NULL, &msg);
        ok(st == EAF_MISUSE && msg && strstr(msg, "3 shards"),
           "a set is not remade with another count (%s)", msg ? msg : "");
        eaf_free(msg);
        msg = NULL;
        st = eaf_db_open_shard(&alone, dir3, 3, NULL, &msg);
        ok(st == EAF_MISUSE && !alone && msg && strstr(msg, "no shard 3"),
           "no shard 3 in a set of 3 (%s)", msg ? msg : "");
        eaf_free(msg);
        msg = NULL;
        st = eaf_db_open_shard(&alone, tu_dir, 0, NULL, &msg);
        ok(st == EAF_NOTFOUND && !alone && msg && strstr(msg, "not a shard set"),
           "a folder without a manifest is no set (%s)", msg ? msg : "");
        eaf_free(msg);
    }

    eaf_db_close(one);
    remove_set(dir2, 2);
    remove_set(dir3, 3);
    tu_cleanup();
    return done_testing();
}
