/*
 * test_related.c: related articles through the public API, on a small
 * archive written for the test (four subjects, five or six articles
 * each, with topics, countries and authors): the lists (never the source,
 * scores in order, the subject's articles first), explanations that name
 * metadata and terms the two articles really share, duplicates collapsed,
 * the ranking's neighbours (internal: the same scores on every path),
 * explanations whose parts add up to the stored score,
 * the stored lists and their refresh after puts and deletes, lists of
 * articles put in a transaction still open, one state of the index per
 * list, the options, lists on demand
 * against stored ones, the walk over every list, misuse, read-only
 * handles, indexes of schema 2 and 3 (without related tables) read and
 * upgraded, the batch's memory (the same lists when it is cut into small
 * buckets and chunks and its vectors go to a file; its tally under its
 * bound), and allocation failures.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"
#include "fts.h"
#include "related_fts.h"
#include "related_model.h"

#include <math.h>
#include <strings.h>

unsigned long eaf__alloc_fail_at(unsigned long n, int sticky);

/* ---- the archive ------------------------------------------------------------------ */

/* Sentences about each subject; article j of a subject takes sentences
 * j, j+1 and j+2 of its subject, and one sentence every article has. */
static const char *const rice[] = {
    "Japanese rice farmers worry that tariff cuts will flood the market with cheap grain.",
    "The rice tariff protects paddy farmers in Niigata and Akita.",
    "Negotiators argued about rice quotas and the tariff on imported grain.",
    "Farm cooperatives lobby the agriculture ministry to keep the rice tariff.",
    "Paddy fields shrink as rice farmers age and grain prices fall.",
    "Imported grain from California competes with Japanese rice after the tariff cut.",
    "The agriculture ministry pays paddy farmers to grow feed rice instead of table rice.",
};
static const char *const chips[] = {
    "Korean chipmakers expand semiconductor fabs to meet memory demand.",
    "Semiconductor export controls hit memory chip sales to China.",
    "Foundries in Taiwan and Korea race to build advanced chip fabs.",
    "Memory prices recovered as semiconductor inventories fell.",
    "Chipmakers need lithography machines for advanced semiconductor nodes.",
    "Subsidies for chip fabs draw foundries and memory makers alike.",
    "Semiconductor supply chains run through fabs in Korea and Taiwan.",
};
static const char *const tuna[] = {
    "Pacific island states license tuna fishing fleets in their waters.",
    "Tuna stocks in the western Pacific are managed by a fisheries commission.",
    "Distant-water fleets pay access fees to fish for skipjack tuna.",
    "Fisheries revenue funds budgets across the island states of the Pacific.",
    "Illegal fishing of tuna costs island economies hundreds of millions.",
    "Skipjack and yellowfin tuna migrate across exclusive economic zones.",
    "Fisheries observers board purse seiners that catch tuna.",
};
static const char *const vote[] = {
    "Indonesian voters chose a president and a parliament on one day.",
    "Election officials counted ballots across thousands of Indonesian islands.",
    "The election commission announced the presidential vote count.",
    "Candidates courted voters in Java with promises of cheaper rice and fuel.",
    "Turnout in the presidential election was above eighty per cent of voters.",
    "Ballots from remote islands reached the election commission late.",
    "Parliamentary candidates campaigned on jobs, voters on prices.",
};
static const char *const common =
    " This article looks at the policy debate in the region and what comes next.";

typedef struct subject {
    const char *name, *topic, *country, *author;
    const char *const *sentences;
} subject;

static const subject subjects[] = {
    {"rice", "Agriculture", "Japan", "Aiko Sato", rice},
    {"chips", "Technology", "South Korea", "Kim Minji", chips},
    {"tuna", "Fisheries", "Pacific", "Sione Tupou", tuna},
    {"vote", "Elections", "Indonesia", "Dewi Lestari", vote},
};
#define NSUBJECTS 4
#define PER_SUBJECT 5

static eaf_article *make_article(int s, int j, const char *date)
{
    const subject *sub = &subjects[s];
    char key[64], title[160], body[2048], tags[256], authors[128];

    snprintf(key, sizeof(key), "%s/%d", sub->name, j);
    snprintf(title, sizeof(title), "%s", sub->sentences[j]);
    title[strcspn(title, ",.")] = '\0';
    snprintf(body, sizeof(body), "%s %s %s%s", sub->sentences[(j + 1) % 7],
             sub->sentences[(j + 2) % 7], sub->sentences[(j + 3) % 7], common);
    snprintf(tags, sizeof(tags), "t:%s;c:%s", sub->topic, sub->country);
    snprintf(authors, sizeof(authors), "%s|Institute %d", j % 2 ? sub->author : "Guest Writer",
             s);
    return tu_article(key, title, date, body, authors, tags);
}

static void set(eaf_article *a, eaf_field f, const char *v)
{
    if (eaf_article_set(a, f, v, EAF_NTS) != EAF_OK)
        exit(99);
}

static void put(eaf_db *db, eaf_article *a)
{
    eaf_status st = eaf_db_put(NULL, db, a);

    if (st != EAF_OK) {
        fprintf(stderr, "put: %s\n", eaf_db_errmsg(db));
        exit(99);
    }
    eaf_article_free(a);
}

/* The archive: PER_SUBJECT articles of each subject, dated a month apart. */
static eaf_db *make_archive(const char *name)
{
    eaf_db *db = tu_open(name, "english");
    char date[16];
    int s, j;

    if (eaf_db_begin(db) != EAF_OK)
        exit(99);
    for (s = 0; s < NSUBJECTS; s++)
        for (j = 0; j < PER_SUBJECT; j++) {
            snprintf(date, sizeof(date), "2020-%02d-%02d", j + 1, s + 1);
            put(db, make_article(s, j, date));
        }
    if (eaf_db_commit(db) != EAF_OK)
        exit(99);
    return db;
}

/* The subject of a key ("rice/3" -> "rice"). */
static int same_subject(const char *a, const char *b)
{
    size_t n = strcspn(a, "/");
    return strncmp(a, b, n) == 0 && b[n] == '/';
}

static int in_list(eaf_related *r, const char *key)
{
    size_t i;

    for (i = 0; i < eaf_related_count(r); i++)
        if (strcmp(eaf_related_key(r, i), key) == 0)
            return 1;
    return 0;
}

/* The place of a key in a list (0-based), or the list's length when it
 * is not there. */
static int position(eaf_related *r, const char *key)
{
    size_t i;

    for (i = 0; i < eaf_related_count(r); i++)
        if (strcmp(eaf_related_key(r, i), key) == 0)
            return (int)i;
    return (int)i;
}

static eaf_related *list_of(eaf_db *db, const char *key, const eaf_related_options *o)
{
    eaf_related *r = NULL;
    eaf_status st = eaf_related_new(&r, db, key, o);

    if (st != EAF_OK)
        diag("eaf_related_new(%s): %s: %s", key, eaf_status_str(st), eaf_db_errmsg(db));
    return r;
}

/* The explanation of article i of r, its count of shared values of a kind
 * and value j of them: NULL (0) when the call fails. */
static const char *explain_of(eaf_related *r, size_t i)
{
    const char *why = NULL;

    return eaf_related_explain(&why, r, i) == EAF_OK ? why : NULL;
}

static size_t shared_count_of(eaf_related *r, size_t i, eaf_related_reason kind)
{
    size_t n = 0;

    return eaf_related_shared_count(&n, r, i, kind) == EAF_OK ? n : 0;
}

static const char *shared_of(eaf_related *r, size_t i, eaf_related_reason kind, size_t j)
{
    const char *v = NULL;

    return eaf_related_shared(&v, r, i, kind, j) == EAF_OK ? v : NULL;
}

/* ---- the lists ------------------------------------------------------------------- */

static void test_build_and_lists(void)
{
    eaf_db *db = make_archive("lists.db");
    eaf_related_stats stats;
    eaf_related *r;
    int s, j, self = 0, order = 0, subject_first = 0, lists = 0, stored = 0;
    char key[32];

    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_build(&stats, db, NULL, NULL, NULL), EAF_OK, "build every list");
    is_int(stats.full, 1, "a full build");
    is_int(stats.articles, NSUBJECTS * PER_SUBJECT, "of every article");
    is_int(stats.lists, NSUBJECTS * PER_SUBJECT, "one list each");
    ok(stats.terms > 20 && stats.postings > stats.terms, "with terms (%lld) and postings (%lld)",
       (long long)stats.terms, (long long)stats.postings);
    ok(stats.model_bytes > 0, "and the model's memory (%zu bytes)", stats.model_bytes);

    for (s = 0; s < NSUBJECTS; s++) {
        for (j = 0; j < PER_SUBJECT; j++) {
            size_t i, n;
            snprintf(key, sizeof(key), "%s/%d", subjects[s].name, j);
            r = list_of(db, key, NULL);
            if (!r)
                continue;
            lists++;
            stored += eaf_related_stored(r);
            n = eaf_related_count(r);
            for (i = 0; i < n; i++) {
                if (strcmp(eaf_related_key(r, i), key) == 0)
                    self++;
                if (i > 0 && eaf_related_score(r, i) > eaf_related_score(r, i - 1))
                    order++;
            }
            /* the four other articles of the subject come first */
            for (i = 0; i < n && i < PER_SUBJECT - 1; i++)
                if (!same_subject(key, eaf_related_key(r, i)))
                    break;
            if (i == PER_SUBJECT - 1)
                subject_first++;
            else
                diag("%s: list %zu is %s", key, i, eaf_related_key(r, i));
            eaf_related_free(r);
        }
    }
    is_int(lists, NSUBJECTS * PER_SUBJECT, "every article has a list");
    is_int(stored, lists, "read from the store");
    is_int(self, 0, "no article is in its own list");
    is_int(order, 0, "scores never rise down a list");
    is_int(subject_first, lists, "each list starts with the other articles of its subject");

    r = list_of(db, "rice/0", NULL);
    if (r) {
        ok(eaf_related_count(r) <= EAF_RELATED_DEFAULT_COUNT && eaf_related_count(r) >= 4,
           "rice/0 lists %zu articles", eaf_related_count(r));
        ok(eaf_related_title(r, 0) && *eaf_related_title(r, 0), "with titles (%s)",
           eaf_related_title(r, 0));
        ok(eaf_related_score(r, 0) > 0.0, "and scores (%.3f)", eaf_related_score(r, 0));
        ok(eaf_related_key(r, eaf_related_count(r)) == NULL, "past the end: NULL");
        ok(eaf_related_score(r, 99) == 0.0, "and a score of 0");
        eaf_related_free(r);
    }
    eaf_db_close(db);
}

/* Every shared value must really be in both articles. */
static int has_value(const eaf_article *a, eaf_related_reason kind, const char *v)
{
    size_t i;

    if (kind == EAF_REASON_AUTHOR) {
        for (i = 0; i < eaf_article_author_count(a); i++)
            if (strcmp(eaf_article_author_name(a, i), v) == 0)
                return 1;
        return 0;
    }
    for (i = 0; i < eaf_article_tag_count(a, (eaf_tag_kind)kind); i++)
        if (strcmp(eaf_article_tag(a, (eaf_tag_kind)kind, i), v) == 0)
            return 1;
    return 0;
}

/* Does the text of the article hold the word (case ignored)? */
static int has_word(const eaf_article *a, const char *w)
{
    const eaf_field f[] = {EAF_FIELD_TITLE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY};
    size_t i, n = strlen(w);

    for (i = 0; i < 3; i++) {
        const char *t = eaf_article_get(a, f[i]), *p;
        for (p = t; p && *p; p++)
            if (strncasecmp(p, w, n) == 0)
                return 1;
    }
    return 0;
}

static void test_explanations(void)
{
    eaf_db *db = make_archive("explain.db");
    eaf_related *r;
    eaf_article *src = NULL;
    size_t i, j, k;
    int bad_meta = 0, bad_terms = 0, named_topic = 0, named_terms = 0, lines = 0;
    const char *why;

    if (eaf_related_build(NULL, db, NULL, NULL, NULL) != EAF_OK || !(r = list_of(db, "rice/1", NULL))) {
        ok(0, "explanations: build");
        eaf_db_close(db);
        return;
    }
    if (eaf_db_get(&src, db, "rice/1") != EAF_OK)
        exit(99);
    for (i = 0; i < eaf_related_count(r); i++) {
        eaf_article *a = NULL;
        if (eaf_db_get(&a, db, eaf_related_key(r, i)) != EAF_OK)
            exit(99);
        for (k = 0; k < EAF_REASON_TERM; k++) {
            for (j = 0; j < shared_count_of(r, i, (eaf_related_reason)k); j++) {
                const char *v = shared_of(r, i, (eaf_related_reason)k, j);
                if (!v || !has_value(src, (eaf_related_reason)k, v) ||
                    !has_value(a, (eaf_related_reason)k, v)) {
                    bad_meta++;
                    diag("%s: %s '%s' is not shared", eaf_related_key(r, i),
                         eaf_related_reason_name((eaf_related_reason)k), v ? v : "NULL");
                }
                if (k == EAF_REASON_TOPIC && v && strcmp(v, "Agriculture") == 0 &&
                    same_subject("rice/", eaf_related_key(r, i)))
                    named_topic++;
            }
        }
        for (j = 0; j < shared_count_of(r, i, EAF_REASON_TERM); j++) {
            const char *w = shared_of(r, i, EAF_REASON_TERM, j);
            if (!w || !has_word(src, w) || !has_word(a, w)) {
                bad_terms++;
                diag("%s: term '%s' is not in both", eaf_related_key(r, i), w ? w : "NULL");
            }
            named_terms++;
        }
        why = explain_of(r, i);
        if (why && strncmp(why, "text ", 5) == 0)
            lines++;
        if (i == 0)
            diag("rice/1 -> %s: %s", eaf_related_key(r, i), why ? why : "NULL");
        eaf_article_free(a);
    }
    is_int(bad_meta, 0, "every shared topic, country and author is in both articles");
    is_int(bad_terms, 0, "every shared term is a word of both texts");
    is_int(named_topic, PER_SUBJECT - 1, "the subject's articles share the topic Agriculture");
    ok(named_terms >= PER_SUBJECT - 1, "terms are named (%d)", named_terms);
    is_int(lines, (long long)eaf_related_count(r), "every article has its explanation line");
    why = explain_of(r, 0);
    ok(why && strstr(why, "topics +0.") && strstr(why, "(Agriculture)") &&
           strstr(why, "countries +0.") && strstr(why, "(Japan)"),
       "the line names the topic and the country with their parts (%s)", why ? why : "");
    {
        const char *v = "x";
        size_t count = 7;
        is_int(eaf_related_shared(&v, r, 0, EAF_REASON_LAST, 0), EAF_MISUSE,
               "a reason out of range: EAF_MISUSE");
        ok(v == NULL, "and no value");
        is_int(eaf_related_shared_count(&count, r, 99, EAF_REASON_TERM), EAF_MISUSE,
               "an article out of range: EAF_MISUSE");
        is_int((long long)count, 0, "and a count of 0");
        is_int(eaf_related_shared(&v, r, 0, EAF_REASON_TERM, 999), EAF_MISUSE,
               "a value out of range: EAF_MISUSE");
        v = "x";
        is_int(eaf_related_explain(&v, r, eaf_related_count(r)), EAF_MISUSE,
               "an explanation out of range: EAF_MISUSE");
        ok(v == NULL, "and no line");
        is_int(eaf_related_explain(&v, r, 0), EAF_OK, "in range: EAF_OK");
        ok(v != NULL, "with its line");
        is_int(eaf_related_shared_count(&count, r, 0, EAF_REASON_TOPIC), EAF_OK,
               "a count in range: EAF_OK");
        ok(count > 0, "a shared topic counted (%zu)", count);
    }
    is_str(eaf_related_reason_name(EAF_REASON_COUNTRY), "country", "reason names");
    ok(eaf_related_reason_name(EAF_REASON_LAST) == NULL, "no name out of range");
    eaf_related_free(r);

    /* computed on demand: the same explanations */
    {
        eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
        o.flags = EAF_RELATED_COMPUTE;
        r = list_of(db, "rice/1", &o);
        if (r) {
            is_int(eaf_related_stored(r), 0, "a list computed on demand says so");
            why = explain_of(r, 0);
            ok(why && strstr(why, "(Agriculture)"), "and is explained too (%s)", why ? why : "");
            eaf_related_free(r);
        }
    }
    eaf_article_free(src);
    eaf_db_close(db);
}

/* ---- the neighbours ------------------------------------------------------------------ */

static void doc(eaf__rel_doc *d, int64_t id, const eaf__rel_pair *v, uint32_t n)
{
    memset(d, 0, sizeof(*d));
    d->id = id;
    d->v = v;
    d->n = n;
    d->hash = (uint64_t)id * 7919;
    d->day = EAF__REL_NO_DAY;
}

/* The source has term 1; a (its closest) has terms 1 and 2; b has a
 * little of term 1 and much of term 3; c a little of term 1 and much of
 * term 2, a's other term.  Alone, the source ranks b before c; widened
 * by a, c before b. */
static void test_neighbours(void)
{
    static const eaf__rel_pair vs[] = {{1, 1.0f}};
    static const eaf__rel_pair va[] = {{1, 0.8f}, {2, 0.6f}};
    static const eaf__rel_pair vb[] = {{1, 0.3f}, {3, 0.954f}};
    static const eaf__rel_pair vc[] = {{1, 0.25f}, {2, 0.968f}};
    eaf_related_options in = EAF_RELATED_OPTIONS_INIT;
    eaf__rel_doc src, c[3];
    eaf__rel_values vals = {NULL, NULL};
    eaf__rel_hit out[3], work[3], out2[3], work2[3];
    eaf__rel_opts o;
    float dense[8], cdense[8];
    eaf_db *db = tu_open("neighbours.db", "english");
    uint32_t n, n2, i;
    int same = 1;

    doc(&src, 1, vs, 1);
    doc(&c[0], 2, va, 2);
    doc(&c[1], 3, vb, 2);
    doc(&c[2], 4, vc, 2);
    in.neighbour_weight = -1.0;
    in.flags = EAF_RELATED_TEXT_ONLY;
    if (eaf__rel_opts_init(&o, db, &in, NULL) != EAF_OK)
        exit(99);
    is_int(o.neighbours, 0, "neighbour weight below 0: no neighbours");
    n = eaf__rel_rank(out, &src, c, 3, &vals, &o, EAF__REL_NO_DAY, work, NULL);
    ok(n == 3 && out[0].id == 2 && out[1].id == 3 && out[2].id == 4,
       "alone, the source ranks a, b, c (%lld %lld %lld)", (long long)out[0].id,
       (long long)out[1].id, (long long)out[2].id);
    ok(n == 3 && out[1].text == out[1].cosine, "and the text part is the cosine");

    in.neighbour_weight = 0.0;
    in.neighbours = 1;
    if (eaf__rel_opts_init(&o, db, &in, NULL) != EAF_OK)
        exit(99);
    is_int(o.neighbours, 1, "one neighbour");
    ok(o.nweight == EAF_RELATED_DEFAULT_NEIGHBOUR_WEIGHT, "of the default weight");
    n = eaf__rel_rank(out, &src, c, 3, &vals, &o, EAF__REL_NO_DAY, work, NULL);
    ok(n == 3 && out[0].id == 2 && out[1].id == 4 && out[2].id == 3,
       "widened by a, it ranks a, c, b (%lld %lld %lld)", (long long)out[0].id,
       (long long)out[1].id, (long long)out[2].id);
    /* (0.25 + 0.8 * 0.25 + 0.6 * 0.968) / |(1.8, 0.6)| */
    ok(n == 3 && fabs(out[1].text - (0.25 + 0.2 + 0.6 * 0.968) / sqrt(1.8 * 1.8 + 0.36)) < 1e-6,
       "c's text part is its cosine with the widened vector (%.6f)", out[1].text);
    ok(n == 3 && fabs(out[1].cosine - 0.25) < 1e-6, "its plain cosine is kept (%.6f)",
       out[1].cosine);

    /* with the source and the neighbours in dense arrays: the same bits */
    memset(dense, 0, sizeof(dense));
    memset(cdense, 0, sizeof(cdense));
    dense[1] = 1.0f;
    src.dense = dense;
    n2 = eaf__rel_rank(out2, &src, c, 3, &vals, &o, EAF__REL_NO_DAY, work2, cdense);
    same = n2 == n;
    for (i = 0; same && i < n; i++)
        same = out[i].id == out2[i].id && out[i].score == out2[i].score &&
               out[i].text == out2[i].text;
    ok(same, "dense and sparse give the same scores to the last bit");
    for (i = 0; i < 8 && cdense[i] == 0.0f; i++)
        ;
    is_int(i, 8, "and the scratch is left zeroed");

    /* the source's own text is no neighbour: a twin of the source */
    c[0].hash = src.hash;
    src.dense = NULL;
    n = eaf__rel_rank(out, &src, c, 3, &vals, &o, EAF__REL_NO_DAY, work, NULL);
    ok(n == 2 && out[0].id == 3 && out[1].id == 4,
       "a twin of the source is neither listed nor a neighbour (%lld %lld)",
       (long long)out[0].id, n > 1 ? (long long)out[1].id : -1LL);
    eaf_db_close(db);
}

/* The numbers of an explanation line ("text 0.312 (...); topics +0.100
 * (...); ...; recency x0.900") and whether they add up to the score. */
static int adds_up(const char *why, double score)
{
    const char *p;
    double sum, factor = 1.0;

    if (!why || sscanf(why, "text %lf", &sum) != 1)
        return 0;
    for (p = why; (p = strstr(p, " +")) != NULL; p += 2)
        sum += strtod(p + 2, NULL);
    if ((p = strstr(why, "recency x")) != NULL)
        factor = strtod(p + 9, NULL);
    return fabs(sum * factor - score) < 0.003;
}

static void test_parts(void)
{
    eaf_db *db = make_archive("parts.db");
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
    eaf_related *r;
    int s, j, lists = 0, good = 0, items = 0;
    char key[32];
    size_t i;

    o.recency = 0.5;
    if (eaf_related_build(NULL, db, &o, NULL, NULL) != EAF_OK)
        exit(99);
    for (s = 0; s < NSUBJECTS; s++)
        for (j = 0; j < PER_SUBJECT; j++) {
            snprintf(key, sizeof(key), "%s/%d", subjects[s].name, j);
            r = list_of(db, key, &o);
            if (!r)
                continue;
            lists += eaf_related_stored(r);
            for (i = 0; i < eaf_related_count(r); i++) {
                const char *why = explain_of(r, i);
                items++;
                if (adds_up(why, eaf_related_score(r, i)))
                    good++;
                else
                    diag("%s -> %s: %.4f is not '%s'", key, eaf_related_key(r, i),
                         eaf_related_score(r, i), why ? why : "NULL");
            }
            eaf_related_free(r);
        }
    is_int(lists, NSUBJECTS * PER_SUBJECT, "parts: every list is the stored one");
    ok(items > NSUBJECTS * PER_SUBJECT, "parts: %d listed articles", items);
    is_int(good, items, "the parts of each explanation add up to its stored score");
    eaf_db_close(db);
}

/* ---- duplicates --------------------------------------------------------------------- */

static void test_duplicates(void)
{
    eaf_db *db = make_archive("dups.db");
    eaf_article *a;
    eaf_related *r;
    int dups = 0;

    /* chips/9 is the same text as chips/2; chips/8 nearly so */
    a = make_article(1, 2, "2021-01-01");
    set(a, EAF_FIELD_KEY, "chips/9");
    put(db, a);
    a = make_article(1, 2, "2021-02-01");
    set(a, EAF_FIELD_KEY, "chips/8");
    {
        char body[2048];
        snprintf(body, sizeof(body), "%s Analysts agreed.", eaf_article_get(a, EAF_FIELD_BODY));
        set(a, EAF_FIELD_BODY, body);
    }
    put(db, a);
    ok(eaf_related_build(NULL, db, NULL, NULL, NULL) == EAF_OK, "dups: build");

    r = list_of(db, "chips/2", NULL);
    if (r) {
        ok(!in_list(r, "chips/9"), "an article's exact twin is not in its list");
        ok(!in_list(r, "chips/8"), "nor its near twin");
        ok(eaf_related_count(r) >= PER_SUBJECT - 2, "the rest of the subject is (%zu)",
           eaf_related_count(r));
        eaf_related_free(r);
    }
    r = list_of(db, "chips/9", NULL);
    if (r) {
        ok(!in_list(r, "chips/2") && !in_list(r, "chips/8"), "nor is the other way round");
        eaf_related_free(r);
    }
    /* another article of the subject lists one of the three, not two */
    r = list_of(db, "chips/3", NULL);
    if (r) {
        dups = in_list(r, "chips/2") + in_list(r, "chips/9") + in_list(r, "chips/8");
        is_int(dups, 1, "the three same texts collapse to one in another list");
        eaf_related_free(r);
    }
    /* the same holds on demand */
    {
        eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
        o.flags = EAF_RELATED_COMPUTE;
        r = list_of(db, "chips/3", &o);
        if (r) {
            dups = in_list(r, "chips/2") + in_list(r, "chips/9") + in_list(r, "chips/8");
            is_int(dups, 1, "and on demand");
            eaf_related_free(r);
        }
    }
    eaf_db_close(db);
}

/* ---- refresh after changes -------------------------------------------------------------- */

static long long stale_count(eaf_db *db)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM related_stale", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_refresh(void)
{
    eaf_db *db = make_archive("refresh.db");
    eaf_related_stats stats;
    eaf_related *r;
    eaf_article *a;
    eaf_change ch;

    ok(eaf_related_build(NULL, db, NULL, NULL, NULL) == EAF_OK, "refresh: build");
    is_int(stale_count(db), 0, "nothing is stale after a build");

    /* storing an unchanged article marks nothing */
    put(db, make_article(2, 1, "2020-02-03"));
    is_int(stale_count(db), 0, "an unchanged article marks nothing stale");

    /* a new article about tuna */
    a = tu_article("tuna/new", "Tuna fleets and the fisheries commission", "2021-06-01",
                   "Skipjack tuna stocks and fleets of purse seiners are watched by the "
                   "fisheries commission of the western Pacific island states.",
                   "Sione Tupou", "t:Fisheries;c:Pacific");
    put(db, a);
    r = list_of(db, "tuna/new", NULL);
    if (r) {
        is_int(eaf_related_stored(r), 0, "a new article's list is computed on demand");
        ok(same_subject("tuna/", eaf_related_key(r, 0)), "and lists tuna first (%s)",
           eaf_related_key(r, 0));
        eaf_related_free(r);
    }
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh");
    is_int(stats.full, 0, "only the stale lists");
    ok(stats.lists >= 2 && stats.lists < NSUBJECTS * PER_SUBJECT,
       "the new article's and its neighbours' (%lld)", (long long)stats.lists);
    is_int(stale_count(db), 0, "nothing is stale after it");
    r = list_of(db, "tuna/new", NULL);
    if (r) {
        is_int(eaf_related_stored(r), 1, "the new article's list is stored");
        eaf_related_free(r);
    }
    r = list_of(db, "tuna/1", NULL);
    if (r) {
        ok(eaf_related_stored(r) && in_list(r, "tuna/new"),
           "a neighbour's list now holds the new article");
        eaf_related_free(r);
    }

    /* deleting an article that lists hold */
    ok(eaf_db_delete(db, "tuna/2") == EAF_OK, "delete tuna/2");
    ok(stale_count(db) >= PER_SUBJECT - 1, "the lists that held it are stale (%lld)",
       stale_count(db));
    r = list_of(db, "tuna/1", NULL);
    if (r) {
        ok(!eaf_related_stored(r) && !in_list(r, "tuna/2"),
           "such a list is computed on demand, without it");
        eaf_related_free(r);
    }
    is_int(eaf_related_refresh(NULL, db, NULL, NULL), EAF_OK, "refresh");
    r = list_of(db, "tuna/1", NULL);
    if (r) {
        ok(eaf_related_stored(r) && !in_list(r, "tuna/2"), "and stored again without it");
        eaf_related_free(r);
    }

    /* an article rewritten about another subject leaves its old lists */
    a = make_article(3, 4, "2020-05-04");
    set(a, EAF_FIELD_KEY, "tuna/3");
    ok(eaf_db_put(&ch, db, a) == EAF_OK && ch == EAF_CHANGE_UPDATED, "tuna/3 now about elections");
    eaf_article_free(a);
    is_int(eaf_related_refresh(NULL, db, NULL, NULL), EAF_OK, "refresh");
    r = list_of(db, "tuna/1", NULL);
    if (r) {
        ok(eaf_related_stored(r) && position(r, "tuna/3") > position(r, "tuna/4") &&
               position(r, "tuna/3") > position(r, "tuna/new"),
           "tuna/1 lists tuna/3 after the tuna articles now (at %d)", position(r, "tuna/3"));
        eaf_related_free(r);
    }
    r = list_of(db, "tuna/3", NULL);
    if (r) {
        ok(same_subject("vote/", eaf_related_key(r, 0)), "tuna/3 lists elections (%s)",
           eaf_related_key(r, 0));
        eaf_related_free(r);
    }
    r = list_of(db, "vote/1", NULL);
    if (r) {
        ok(eaf_related_stored(r) && in_list(r, "tuna/3"), "and an election article lists it");
        eaf_related_free(r);
    }
    /* a refresh with nothing stale does nothing */
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh again");
    is_int(stats.lists, 0, "with nothing stale, no list is computed");
    eaf_db_close(db);

    /* the first refresh of an index builds everything */
    db = make_archive("first.db");
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh a new index");
    is_int(stats.full, 1, "it builds every list");
    is_int(stats.lists, NSUBJECTS * PER_SUBJECT, "all of them");
    eaf_db_close(db);
}

/* ---- a transaction still open ------------------------------------------------------------ */

/* Articles put in the caller's transaction are in the full-text index
 * only once it is brought up to date: every path that reads it (the
 * vocabulary of a build, the candidates of a list on demand) must see
 * them before the commit. */
static void test_open_transaction(void)
{
    eaf_db *db = make_archive("txn.db");
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
    eaf_related_stats stats;
    eaf_related *r;

    ok(eaf_related_build(NULL, db, NULL, NULL, NULL) == EAF_OK, "txn: build");
    if (eaf_db_begin(db) != EAF_OK)
        exit(99);
    put(db, tu_article("tuna/new", "Tuna fleets and the fisheries commission", "2021-06-01",
                       "Skipjack tuna stocks and purse seiners are watched by the fisheries "
                       "commission of the western Pacific island states.",
                       "Sione Tupou", "t:Fisheries;c:Pacific"));
    put(db, tu_article("tuna/new2", "Purse seiners and skipjack tuna stocks", "2021-06-02",
                       "The fisheries commission of the western Pacific counts skipjack tuna "
                       "caught by purse seiners of distant-water fleets.",
                       "Guest Writer", "t:Fisheries;c:Pacific"));

    /* from the stored statistics: candidates from the full-text index */
    r = list_of(db, "tuna/new", NULL);
    if (r) {
        is_int(eaf_related_stored(r), 0, "in a transaction: a new article's list is computed");
        ok(in_list(r, "tuna/new2"), "and holds the other article of the open batch (at %d)",
           position(r, "tuna/new2"));
        eaf_related_free(r);
    }
    /* other vector options: the model is read from the vocabulary */
    o.terms = 50;
    r = list_of(db, "tuna/new2", &o);
    if (r) {
        ok(eaf_related_count(r) > 0 && same_subject("tuna/", eaf_related_key(r, 0)),
           "with the whole model: the new article has its terms (%zu listed, first %s)",
           eaf_related_count(r), eaf_related_count(r) ? eaf_related_key(r, 0) : "none");
        ok(in_list(r, "tuna/new"), "and the other new article is a candidate");
        eaf_related_free(r);
    }
    /* a build inside the transaction */
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_build(&stats, db, NULL, NULL, NULL), EAF_OK, "a build in the transaction");
    is_int(stats.articles, NSUBJECTS * PER_SUBJECT + 2, "counts the articles of the batch");
    r = list_of(db, "tuna/new", NULL);
    if (r) {
        ok(eaf_related_stored(r) && in_list(r, "tuna/new2"),
           "and stores their lists, each holding the other");
        eaf_related_free(r);
    }
    r = list_of(db, "tuna/1", NULL);
    if (r) {
        ok(in_list(r, "tuna/new") || in_list(r, "tuna/new2"),
           "and the new articles are in their neighbours' lists");
        eaf_related_free(r);
    }
    is_int(eaf_db_commit(db), EAF_OK, "commit");
    r = list_of(db, "tuna/new", NULL);
    if (r) {
        ok(eaf_related_stored(r), "after the commit the list is still the stored one");
        eaf_related_free(r);
    }
    eaf_db_close(db);
}

/* ---- one state of the index ---------------------------------------------------------- */

static int count_lists(const char *key, eaf_related *r, void *payload)
{
    (void)key;
    (void)r;
    (*(int *)payload)++;
    return 0;
}

/* A list and its explanations (worked out later) read one state of the
 * index, whatever another handle commits meanwhile; freeing the last
 * list (or search) ends that read. */
static void test_snapshot(void)
{
    eaf_db *w = make_archive("snap.db"), *rd = NULL;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_related *r = NULL;
    eaf_search *s = NULL;
    char first[64] = "";
    const char *why;
    int lists = 0;

    if (eaf_related_build(NULL, w, NULL, NULL, NULL) != EAF_OK)
        exit(99);
    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&rd, tu_path("snap.db"), &oo, NULL) != EAF_OK)
        exit(99);
    r = list_of(rd, "rice/0", NULL);
    if (r && eaf_related_count(r) > 0)
        snprintf(first, sizeof(first), "%s", eaf_related_key(r, 0));
    ok(r && eaf_related_stored(r) && same_subject("rice/", first), "a stored list (first %s)",
       first);
    /* another handle deletes the first article listed */
    is_int(eaf_db_delete(w, first), EAF_OK, "the writer deletes it");
    why = r ? explain_of(r, 0) : NULL;
    ok(why && strstr(why, "(Agriculture)") && adds_up(why, eaf_related_score(r, 0)),
       "its explanation, worked out after the delete, is still whole (%s)", why ? why : "NULL");
    ok(r && shared_count_of(r, 0, EAF_REASON_TERM) > 0, "with its shared terms");
    eaf_related_free(r);
    ok(sqlite3_get_autocommit(rd->sql) != 0, "freeing the list ends its read");
    r = list_of(rd, "rice/0", NULL);
    ok(r && !in_list(r, first), "a new list is of the new state (without %s)", first);
    eaf_related_free(r);

    /* a search, then a list, the search freed first: the list holds the
     * read, and freeing it ends it */
    is_int(eaf_search_new(&s, rd, "rice", NULL), EAF_OK, "a search");
    r = list_of(rd, "chips/0", NULL);
    eaf_search_free(s);
    ok(sqlite3_get_autocommit(rd->sql) == 0, "with the search freed, the list still reads");
    eaf_related_free(r);
    ok(sqlite3_get_autocommit(rd->sql) != 0, "freeing the list too ends the read");

    /* a walk holds its read to its end, and leaves none */
    is_int(eaf_related_each(rd, NULL, count_lists, &lists), EAF_OK, "a walk");
    is_int(lists, NSUBJECTS * PER_SUBJECT - 1, "of every article");
    ok(sqlite3_get_autocommit(rd->sql) != 0, "leaves no read open");
    eaf_db_close(rd);
    eaf_db_close(w);
}

/* ---- older schemas ----------------------------------------------------------------------- */

/* Schema 3 is schema 5 without the related tables and the table of the
 * files that give each article (schema 5); schema 2 had an
 * insert trigger that fed fts too. */
static const char to_v3_sql[] =
    "DROP TRIGGER provide_ad; DROP TABLE provide;"
    "DROP TRIGGER related_ai; DROP TRIGGER related_au; DROP TRIGGER related_ad;"
    "DROP TABLE related_list; DROP TABLE related_vector; DROP TABLE related_term;"
    "DROP TABLE related_stale;"
    "UPDATE eaf_meta SET value = '3' WHERE name = 'schema_version';"
    "PRAGMA user_version = 3;";
static const char to_v2_sql[] =
    "CREATE TRIGGER article_ai AFTER INSERT ON article BEGIN"
    " INSERT INTO fts(rowid, title, author, affiliation, topic, country, summary, body, bio)"
    " VALUES (new.id, new.title, new.author, new.affiliation, new.topic, new.country,"
    " new.summary, new.body, new.bio); END;"
    "UPDATE eaf_meta SET value = '2' WHERE name = 'schema_version';"
    "PRAGMA user_version = 2;";


/* An integer the SQL gives on the index, or -1. */
static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;

    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

static void test_old_schemas(void)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_related_stats stats;
    eaf_related *r;
    eaf_db *db;
    int v;

    for (v = 3; v >= 2; v--) {
        const char *path = tu_path(v == 3 ? "v3.db" : "v2.db");

        db = make_archive(v == 3 ? "v3.db" : "v2.db");
        eaf_db_close(db);
        if (tu_sql(path, to_v3_sql) != SQLITE_OK || (v == 2 && tu_sql(path, to_v2_sql) != SQLITE_OK)) {
            ok(0, "schema %d: made from the SQL", v);
            continue;
        }
        is_int(raw_int(path, "PRAGMA user_version"), v, "an index of schema %d", v);

        /* read-only: read as it is, lists computed on demand */
        oo.flags = EAF_OPEN_READONLY;
        db = NULL;
        if (eaf_db_open(&db, path, &oo, NULL) != EAF_OK)
            exit(99);
        r = list_of(db, "chips/1", NULL);
        ok(r && !eaf_related_stored(r) && eaf_related_count(r) > 0 &&
               same_subject("chips/", eaf_related_key(r, 0)),
           "schema %d, read-only: a list is computed (first %s)", v,
           r && eaf_related_count(r) ? eaf_related_key(r, 0) : "none");
        ok(r && explain_of(r, 0) != NULL, "and explained");
        eaf_related_free(r);
        is_int(eaf_related_build(NULL, db, NULL, NULL, NULL), EAF_READONLY,
               "schema %d, read-only: no build", v);
        eaf_db_close(db);
        is_int(raw_int(path, "PRAGMA user_version"), v, "schema %d: not upgraded by a reader", v);

        /* read-write: upgraded, then built */
        db = tu_open(v == 3 ? "v3.db" : "v2.db", "english");
        is_int(raw_int(path, "PRAGMA user_version"), 6, "schema %d: upgraded to 6", v);
        is_int(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN ('related_list',"
                             " 'related_vector', 'related_term', 'related_stale', 'related_ai',"
                             " 'related_au', 'related_ad')"),
               7, "schema %d: with the related tables and triggers", v);
        is_int(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'article_ai'"), 0,
               "schema %d: and no insert trigger on fts", v);
        is_int(stale_count(db), 0, "schema %d: no list is stale (none is stored)", v);
        put(db, make_article(1, 6, "2021-01-01"));
        is_int(stale_count(db), 1, "schema %d: a new article's list is stale", v);
        memset(&stats, 0, sizeof(stats));
        stats.version = EAF_RELATED_STATS_VERSION;
        is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "schema %d: refresh", v);
        is_int(stats.full, 1, "schema %d: the first refresh builds every list", v);
        is_int(stats.lists, NSUBJECTS * PER_SUBJECT + 1, "schema %d: of every article", v);
        r = list_of(db, "chips/6", NULL);
        ok(r && eaf_related_stored(r) && same_subject("chips/", eaf_related_key(r, 0)),
           "schema %d: the new article's list is stored (first %s)", v,
           r && eaf_related_count(r) ? eaf_related_key(r, 0) : "none");
        eaf_related_free(r);
        eaf_db_close(db);
    }
}

/* ---- options, on demand, the walk ---------------------------------------------------- */

typedef eaf_status (*new_fn)(eaf_related **, eaf_db *, const char *,
                             const eaf_related_options *);
typedef eaf_status (*build_fn)(eaf_related_stats *, eaf_db *, const eaf_related_options *,
                               eaf_related_progress_fn, void *);
typedef eaf_status (*each_fn)(eaf_db *, const eaf_related_options *, eaf_related_fn, void *);
typedef size_t (*count_fn)(const eaf_related *);
typedef eaf_status (*explain_fn)(const char **, eaf_related *, size_t);
typedef eaf_status (*shared_count_fn)(size_t *, eaf_related *, size_t, eaf_related_reason);

typedef struct walk {
    eaf_db *db;
    int lists, stored, mismatches, stop_after;
    char last[64];
} walk;

static int walk_one(const char *key, eaf_related *r, void *payload)
{
    walk *w = payload;
    eaf_related *one = NULL;
    size_t i;

    if (strcmp(key, w->last) <= 0)
        w->mismatches++; /* not in key order */
    snprintf(w->last, sizeof(w->last), "%s", key);
    w->lists++;
    w->stored += eaf_related_stored(r);
    if (eaf_related_new(&one, w->db, key, NULL) == EAF_OK) {
        if (eaf_related_count(one) != eaf_related_count(r))
            w->mismatches++;
        for (i = 0; i < eaf_related_count(r) && i < eaf_related_count(one); i++)
            if (strcmp(eaf_related_key(r, i), eaf_related_key(one, i)) != 0)
                w->mismatches++;
    }
    eaf_related_free(one);
    return w->stop_after && w->lists >= w->stop_after;
}

static void test_options(void)
{
    eaf_db *db = make_archive("options.db");
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
    eaf_related *r = (eaf_related *)1;
    walk w;
    int s, j, same = 0, total = 0, later = 0;
    char key[32];

    /* before any build: computed on demand, from the whole index */
    r = list_of(db, "vote/2", NULL);
    if (r) {
        is_int(eaf_related_stored(r), 0, "never built: computed");
        ok(same_subject("vote/", eaf_related_key(r, 0)), "and sound (%s)", eaf_related_key(r, 0));
        eaf_related_free(r);
    }
    ok(eaf_related_build(NULL, db, NULL, NULL, NULL) == EAF_OK, "options: build");

    /* on demand against stored, every list */
    o.flags = EAF_RELATED_COMPUTE;
    for (s = 0; s < NSUBJECTS; s++)
        for (j = 0; j < PER_SUBJECT; j++) {
            eaf_related *a, *b;
            size_t i;
            int eq;
            snprintf(key, sizeof(key), "%s/%d", subjects[s].name, j);
            a = list_of(db, key, NULL);
            b = list_of(db, key, &o);
            eq = a && b && eaf_related_count(a) == eaf_related_count(b);
            for (i = 0; eq && i < eaf_related_count(a); i++)
                eq = strcmp(eaf_related_key(a, i), eaf_related_key(b, i)) == 0 &&
                     fabs(eaf_related_score(a, i) - eaf_related_score(b, i)) < 1e-6;
            same += eq;
            total++;
            eaf_related_free(a);
            eaf_related_free(b);
        }
    is_int(same, total, "lists computed on demand are the stored ones, scores included");

    /* count */
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.count = 3;
    r = list_of(db, "chips/0", &o);
    if (r) {
        is_int(eaf_related_count(r), 3, "count 3: three articles");
        is_int(eaf_related_stored(r), 1, "from the stored list");
        eaf_related_free(r);
    }
    o.count = 20;
    r = list_of(db, "chips/0", &o);
    if (r) {
        eaf_related *d = list_of(db, "chips/0", NULL);
        is_int(eaf_related_stored(r), 0, "count 20, more than stored: computed");
        ok(d && eaf_related_count(r) >= eaf_related_count(d) &&
               strcmp(eaf_related_key(r, 0), eaf_related_key(d, 0)) == 0,
           "starting as the stored list (%zu articles)", eaf_related_count(r));
        eaf_related_free(d);
        eaf_related_free(r);
    }

    /* earlier only */
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.flags = EAF_RELATED_EARLIER;
    r = list_of(db, "rice/2", &o); /* dated 2020-03-01 */
    if (r) {
        size_t i;
        for (i = 0; i < eaf_related_count(r); i++) {
            eaf_article *a = NULL;
            if (eaf_db_get(&a, db, eaf_related_key(r, i)) == EAF_OK &&
                strcmp(eaf_article_get(a, EAF_FIELD_DATE), "2020-03-01") > 0)
                later++;
            eaf_article_free(a);
        }
        is_int(later, 0, "--earlier lists no later article");
        ok(in_list(r, "rice/0") && in_list(r, "rice/1") && !in_list(r, "rice/3"),
           "but the earlier ones of the subject");
        eaf_related_free(r);
    }

    /* text only: no metadata in the score */
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.flags = EAF_RELATED_TEXT_ONLY;
    r = list_of(db, "rice/0", &o);
    if (r) {
        const char *why = explain_of(r, 0);
        ok(why && !strstr(why, "+0."), "text only: no metadata part (%s)", why ? why : "");
        ok(why && strstr(why, "topics (Agriculture)"), "but the shared topic is still named");
        eaf_related_free(r);
    }

    /* recency: newer articles first among equals */
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.recency = 1.0;
    o.half_life_days = 10;
    r = list_of(db, "vote/0", &o);
    if (r) {
        const char *why = explain_of(r, 0);
        ok(why && strstr(why, "recency x"), "recency is explained (%s)", why ? why : "");
        is_str(eaf_related_key(r, 0), "vote/4", "and the newest of the subject leads");
        eaf_related_free(r);
    }

    /* bad options and misuse */
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.count = 101;
    is_int(eaf_related_new(&r, db, "rice/0", &o), EAF_MISUSE, "count 101: EAF_MISUSE");
    ok(r == NULL, "and no list");
    ok(strstr(eaf_db_errmsg(db), "101") != NULL, "the message says why (%s)", eaf_db_errmsg(db));
    o.count = 0;
    o.max_share = 2.0;
    is_int(eaf_related_build(NULL, db, &o, NULL, NULL), EAF_MISUSE, "share 2: EAF_MISUSE");
    o.max_share = 0.0;
    o.idf_power = 2.5;
    is_int(eaf_related_new(&r, db, "rice/0", &o), EAF_MISUSE, "idf power 2.5: EAF_MISUSE");
    o.idf_power = 0.0;
    o.neighbours = 11;
    is_int(eaf_related_new(&r, db, "rice/0", &o), EAF_MISUSE, "11 neighbours: EAF_MISUSE");
    o.neighbours = 0;
    o.version = 99;
    is_int(eaf_related_new(&r, db, "rice/0", &o), EAF_MISUSE, "an unknown options version");
    o.version = EAF_RELATED_OPTIONS_VERSION;
    o.flags = 0x100;
    is_int(eaf_related_new(&r, db, "rice/0", &o), EAF_MISUSE, "unknown flags");
    is_int(eaf_related_new(&r, db, "no/such", NULL), EAF_NOTFOUND, "an unknown key");
    ok(strstr(eaf_db_errmsg(db), "no/such") != NULL, "named (%s)", eaf_db_errmsg(db));
    {
        /* through pointers without the nonnull attribute, as a careless
         * caller's code amounts to (see test_store.c) */
        new_fn rnew = eaf_related_new;
        build_fn build = eaf_related_build;
        each_fn each = eaf_related_each;
        count_fn rcount = eaf_related_count;
        is_int(rnew(&r, NULL, "rice/0", NULL), EAF_MISUSE, "a NULL handle");
        is_int(build(NULL, NULL, NULL, NULL, NULL), EAF_MISUSE, "build: a NULL handle");
        is_int(each(db, NULL, NULL, NULL), EAF_MISUSE, "each: a NULL callback");
        is_int(rcount(NULL), 0, "count of NULL");
        eaf_related_free(NULL);
    }
    {
        explain_fn explain = eaf_related_explain;
        shared_count_fn shared_count = eaf_related_shared_count;
        const char *why = "x";
        size_t count = 7;
        r = list_of(db, "rice/0", NULL);
        is_int(explain(&why, NULL, 0), EAF_MISUSE, "explain: a NULL list");
        ok(why == NULL, "and no line");
        is_int(explain(NULL, r, 0), EAF_MISUSE, "explain: a NULL out-parameter");
        is_int(shared_count(&count, NULL, 0, EAF_REASON_TERM), EAF_MISUSE,
               "shared count: a NULL list");
        is_int((long long)count, 0, "and a count of 0");
        is_int(shared_count(NULL, r, 0, EAF_REASON_TERM), EAF_MISUSE,
               "shared count: a NULL out-parameter");
        eaf_related_free(r);
    }

    r = list_of(db, "rice/0", NULL);
    eaf_related_free(r);

    /* the walk */
    memset(&w, 0, sizeof(w));
    w.db = db;
    is_int(eaf_related_each(db, NULL, walk_one, &w), EAF_OK, "walk every list");
    is_int(w.lists, NSUBJECTS * PER_SUBJECT, "every article");
    is_int(w.stored, w.lists, "stored lists");
    is_int(w.mismatches, 0, "in key order, each the list eaf_related_new gives");
    memset(&w, 0, sizeof(w));
    w.db = db;
    w.stop_after = 3;
    is_int(eaf_related_each(db, NULL, walk_one, &w), EAF_ABORT,
           "a walk stopped by its callback: EAF_ABORT");
    is_int(w.lists, 3, "stops");
    memset(&w, 0, sizeof(w));
    w.db = db;
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.flags = EAF_RELATED_TEXT_ONLY;
    is_int(eaf_related_each(db, &o, walk_one, &w), EAF_OK, "a walk with other options");
    is_int(w.stored, 0, "computes every list");
    is_int(w.lists, NSUBJECTS * PER_SUBJECT, "of every article");
    ok(w.mismatches > 0, "which differ from the stored ones (%d places)", w.mismatches);
    is_int(eaf_db_close(db), EAF_OK, "close");
}

/* ---- the index's defaults: the options of a build are read back ----------------------- */

/* How many of the archive's lists eaf_related_new() reads from the store
 * with these options. */
static int stored_lists(eaf_db *db, const eaf_related_options *o)
{
    int s, j, n = 0;
    char key[32];

    for (s = 0; s < NSUBJECTS; s++)
        for (j = 0; j < PER_SUBJECT; j++) {
            eaf_related *r;
            snprintf(key, sizeof(key), "%s/%d", subjects[s].name, j);
            r = list_of(db, key, o);
            n += r && eaf_related_stored(r);
            eaf_related_free(r);
        }
    return n;
}

/* Do the hits of related:KEY have the scores of the list? */
static int search_has_list(eaf_db *db, const char *key, eaf_related *r)
{
    eaf_search *s = NULL;
    char q[64];
    size_t i = 0;
    int same = 1;

    snprintf(q, sizeof(q), "related:%s", key);
    if (eaf_search_new(&s, db, q, NULL) != EAF_OK)
        return 0;
    while (eaf_search_next(s) == EAF_ROW) {
        if (i >= eaf_related_count(r) || fabs(eaf_search_score(s) - eaf_related_score(r, i)) > 1e-9)
            same = 0;
        i++;
    }
    eaf_search_free(s);
    return same && i == eaf_related_count(r);
}

/* A build with options, then readers that ask for none: every reader of
 * the old code computed the lists again with the library's defaults. */
static void test_build_options_read_back(void)
{
    eaf_db *db = make_archive("readback.db");
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT, c = EAF_RELATED_OPTIONS_INIT;
    eaf_related_stats stats;
    eaf_related *r, *d;
    eaf_article *a;
    walk w;
    int total = NSUBJECTS * PER_SUBJECT;

    o.idf_power = 1.0;
    o.tag_weight = -1.0;
    ok(eaf_related_build(NULL, db, &o, NULL, NULL) == EAF_OK, "build with idf power 1, no tags");
    is_int(stored_lists(db, NULL), total, "read back with no options: every list stored");
    c.count = 3;
    is_int(stored_lists(db, &c), total, "and with a count alone");
    memset(&w, 0, sizeof(w));
    w.db = db;
    is_int(eaf_related_each(db, NULL, walk_one, &w), EAF_OK, "the walk with no options");
    is_int(w.stored, total, "reads every stored list");
    is_int(w.mismatches, 0, "the lists eaf_related_new gives");

    /* related:KEY in a search reads the stored list */
    r = list_of(db, "rice/1", NULL);
    ok(r && eaf_related_stored(r) && search_has_list(db, "rice/1", r),
       "related:rice/1 gives the stored list, scores included");
    eaf_related_free(r);

    /* options given override: computed, and not the stored list */
    c = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    c.idf_power = 0.5;
    is_int(stored_lists(db, &c), 0, "idf power 0.5 given: every list computed");
    r = list_of(db, "rice/1", &c);
    d = list_of(db, "rice/1", NULL);
    ok(r && d && fabs(eaf_related_score(r, 0) - eaf_related_score(d, 0)) > 1e-6,
       "with other scores (%.4f, stored %.4f)", r ? eaf_related_score(r, 0) : 0.0,
       d ? eaf_related_score(d, 0) : 0.0);
    eaf_related_free(r);
    eaf_related_free(d);

    /* a refresh keeps the options: a changed article, then many */
    a = make_article(0, 1, "2020-02-01");
    set(a, EAF_FIELD_BODY, "Rice farmers and the rice tariff, again: paddy fields and grain.");
    put(db, a);
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh after a change");
    is_int(stats.full, 0, "of the stale lists");
    is_int(stored_lists(db, NULL), total, "the lists are still read back with no options");
    for (int j = 0; j < PER_SUBJECT; j++) {
        a = make_article(1, j, "2020-03-02");
        set(a, EAF_FIELD_BODY, "Chipmakers and memory fabs, once more, in Korea and Taiwan.");
        put(db, a);
    }
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh after many changes");
    is_int(stats.full, 1, "builds every list again");
    is_int(stored_lists(db, NULL), total, "with the same options: read back with none");
    is_int(stored_lists(db, &c), 0, "and not with the library's idf power");
    /* a build without options keeps them too */
    ok(eaf_related_build(NULL, db, NULL, NULL, NULL) == EAF_OK, "a build with no options");
    is_int(stored_lists(db, NULL), total, "keeps the index's options");
    is_int(stored_lists(db, &c), 0, "not the library's");
    /* an index built before the defaults were stored apart: the options
     * of its lists are its defaults */
    ok(sqlite3_exec(db->sql, "DELETE FROM eaf_meta WHERE name = 'related_defaults'", NULL, NULL,
                    NULL) == SQLITE_OK, "an index with the lists' options only");
    is_int(stored_lists(db, NULL), total, "its lists are read back with no options");
    eaf_db_close(db);
}

/* The index's defaults through the public API: reading, setting, the
 * flag that goes back to the library's, and EAF_RELATED_EARLIER. */
static void test_defaults_api(void)
{
    eaf_db *db = make_archive("defaults.db"), *ro = NULL;
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT, d, lib;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_related_stats stats;
    eaf_related *r;
    int total = NSUBJECTS * PER_SUBJECT;
    typedef eaf_status (*defaults_fn)(eaf_related_options *, eaf_db *);
    typedef eaf_status (*set_fn)(eaf_db *, const eaf_related_options *);
    defaults_fn get = eaf_related_defaults;
    set_fn setd = eaf_related_set_defaults;

    is_int(eaf_related_defaults(&lib, db), EAF_OK, "the defaults of a new index");
    ok(lib.count == EAF_RELATED_DEFAULT_COUNT && lib.idf_power == EAF_RELATED_DEFAULT_IDF_POWER &&
           lib.terms == EAF_RELATED_DEFAULT_TERMS &&
           lib.topic_weight == EAF_RELATED_DEFAULT_TOPIC_WEIGHT &&
           lib.neighbours == EAF_RELATED_DEFAULT_NEIGHBOURS,
       "are the library's");
    ok(lib.flags == EAF_RELATED_LIBRARY_DEFAULTS && lib.recency < 0.0,
       "every field given (flags 0x%x, recency %g)", lib.flags, lib.recency);
    is_int(get(&d, NULL), EAF_MISUSE, "a NULL handle");
    is_int(get(NULL, db), EAF_MISUSE, "a NULL out");
    is_int(setd(NULL, &o), EAF_MISUSE, "set: a NULL handle");

    /* set before any build (as an import would), then a refresh builds */
    o.idf_power = 1.0;
    o.neighbour_weight = -1.0;
    o.flags = EAF_RELATED_EARLIER;
    is_int(eaf_related_set_defaults(db, &o), EAF_OK, "set the defaults of a new index");
    is_int(eaf_related_defaults(&d, db), EAF_OK, "read them back");
    ok(d.idf_power == 1.0 && d.neighbour_weight < 0.0 && d.neighbours == 0 &&
           (d.flags & EAF_RELATED_EARLIER) && d.count == EAF_RELATED_DEFAULT_COUNT,
       "idf power 1, no neighbours, earlier, the rest the library's");
    r = list_of(db, "rice/3", NULL);
    ok(r && !eaf_related_stored(r), "no list stored yet: computed");
    ok(r && !in_list(r, "rice/4"), "with them (no later article)");
    eaf_related_free(r);
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh");
    is_int(stats.full, 1, "builds every list");
    is_int(stored_lists(db, NULL), total, "with the defaults set: read back with no options");
    is_int(stored_lists(db, &d), total, "and with the options eaf_related_defaults gave");
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.flags = EAF_RELATED_LIBRARY_DEFAULTS;
    is_int(stored_lists(db, &o), 0, "EAF_RELATED_LIBRARY_DEFAULTS: every list computed");
    r = list_of(db, "rice/3", &o);
    ok(r && in_list(r, "rice/4"), "with the library's (a later article listed)");
    eaf_related_free(r);
    is_int(stored_lists(db, &lib), 0, "as with the library's defaults given in full");

    /* setting other defaults over stored lists: kept, read when asked */
    is_int(eaf_related_set_defaults(db, &lib), EAF_OK, "set the library's defaults");
    is_int(stored_lists(db, NULL), 0, "reads with no options compute");
    is_int(stored_lists(db, &d), total, "the stored lists are read with their options");
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    is_int(eaf_related_refresh(&stats, db, NULL, NULL), EAF_OK, "refresh, nothing stale");
    is_int(stats.full, 1, "builds the lists again with the new defaults");
    is_int(stored_lists(db, NULL), total, "now read with no options");
    is_int(stored_lists(db, &d), 0, "not with the old ones");
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.count = 101;
    is_int(eaf_related_set_defaults(db, &o), EAF_MISUSE, "bad options: EAF_MISUSE");
    /* fields left 0 keep the current defaults */
    o = (eaf_related_options)EAF_RELATED_OPTIONS_INIT;
    o.terms = 60;
    is_int(eaf_related_set_defaults(db, &o), EAF_OK, "set only the terms");
    is_int(eaf_related_defaults(&d, db), EAF_OK, "read");
    ok(d.terms == 60 && d.idf_power == EAF_RELATED_DEFAULT_IDF_POWER && !(d.flags & EAF_RELATED_EARLIER),
       "60 terms, the rest as before");
    eaf_db_close(db);

    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&ro, tu_path("defaults.db"), &oo, NULL) != EAF_OK)
        exit(99);
    is_int(eaf_related_defaults(&d, ro), EAF_OK, "a read-only handle reads the defaults");
    is_int(d.terms, 60, "the same");
    is_int(eaf_related_set_defaults(ro, &lib), EAF_READONLY, "but cannot set them");
    eaf_db_close(ro);
}

/* ---- lists on demand in an index without stored statistics --------------------------- */

/* A generated archive with subjects: TOPICS subjects, each with its own
 * made-up words (a skewed draw from a few hundred), and words every
 * subject uses; an article takes most of its title and body from its
 * subject's words. */
#define TOPICS 30
#define TOPIC_ARTICLES 1000

static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 8;
}

static void topic_word(char *out, int topic, unsigned *seed)
{
    static const char *const syl[] = {"ka", "ro", "mi", "ten", "sa", "lu", "an", "jo", "mar",
                                      "ti", "ne", "ho", "vin", "chi", "el", "do", "su", "ber",
                                      "qua", "pel", "zor", "fi", "gan", "wu"};
    unsigned r = next_rand(seed) % 1000, w = r * r / 4000u, k; /* 0 .. 250, mostly small */

    /* two in five words are common to every subject, one in five is the
     * next subject's */
    r = next_rand(seed) % 5;
    if (r < 2)
        topic = TOPICS;
    else if (r == 2)
        topic = (topic + 1) % TOPICS;
    w = w * (TOPICS + 1) + (unsigned)topic;
    out[0] = '\0';
    for (k = 0; k < 3 + w % 2; k++) {
        strcat(out, syl[w % 24]);
        w = w / 24 + k * 5 + 1;
    }
}

static eaf_article *topic_article(int j)
{
    char key[32], title[256], body[4096], tags[64], word[32], date[16];
    unsigned seed = (unsigned)j * 2654435761u + 7u;
    int topic = j % TOPICS, k, n = 30 + (int)(next_rand(&seed) % 60);

    snprintf(key, sizeof(key), "topic/%d", j);
    title[0] = body[0] = '\0';
    for (k = 0; k < 4; k++) {
        topic_word(word, topic, &seed);
        strcat(title, word);
        strcat(title, " ");
    }
    for (k = 0; k < n; k++) {
        topic_word(word, topic, &seed);
        strcat(body, word);
        strcat(body, k % 11 == 10 ? ". " : " ");
    }
    snprintf(tags, sizeof(tags), "t:Subject %d", topic);
    snprintf(date, sizeof(date), "20%02d-%02d-%02d", 10 + j % 12, 1 + j % 12, 1 + j % 28);
    return tu_article(key, title, date, body, "A Writer", tags);
}

static eaf_db *make_topic_archive(const char *name)
{
    eaf_db *db = tu_open(name, "english");
    int j;

    if (eaf_db_begin(db) != EAF_OK)
        exit(99);
    for (j = 0; j < TOPIC_ARTICLES; j++)
        put(db, topic_article(j));
    if (eaf_db_commit(db) != EAF_OK)
        exit(99);
    return db;
}

/* How many articles two lists share. */
static int shared_count(eaf_related *a, eaf_related *b)
{
    size_t i;
    int n = 0;

    for (i = 0; i < eaf_related_count(a); i++)
        n += in_list(b, eaf_related_key(a, i));
    return n;
}

/* Are two lists the same, scores to the last bit? */
static int same_list(eaf_related *a, eaf_related *b)
{
    size_t i;

    if (!a || !b || eaf_related_count(a) != eaf_related_count(b))
        return 0;
    for (i = 0; i < eaf_related_count(a); i++)
        if (strcmp(eaf_related_key(a, i), eaf_related_key(b, i)) != 0 ||
            eaf_related_score(a, i) != eaf_related_score(b, i))
            return 0;
    return 1;
}

/* The terms counted (texts tokenized, with `texts`) on a handle so far. */
static uint64_t counted_what(eaf_db *db, int texts)
{
    eaf__rel_fts *f = NULL;

    if (eaf__rel_fts_get(&f, db) != EAF_OK)
        return 0;
    return texts ? eaf__rel_fts_tokenized(f) : eaf__rel_fts_counted(f);
}

static uint64_t counted(eaf_db *db)
{
    return counted_what(db, 0);
}

static eaf_db *open_again(const char *name, unsigned flags)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;

    oo.flags = flags;
    if (eaf_db_open(&db, tu_path(name), &oo, NULL) != EAF_OK)
        exit(99);
    return db;
}

/* Lists on demand where no statistics are stored: no model built (the
 * old code built the whole model for each list), the counts kept for the
 * next lists, a list the same whatever was asked before it, and close to
 * the lists a build stores. */
static void test_on_demand(void)
{
    eaf_db *built = make_topic_archive("topics-built.db");
    eaf_db *db = make_topic_archive("topics.db"), *fresh;
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
    eaf_related *r, *s, *alone;
    uint64_t c0, c1, c2;
    int j, lists = 0, stored = 0, shared = 0, top1 = 0, same_subject_first = 0;
    char key[32];

    ok(eaf_related_build(NULL, built, NULL, NULL, NULL) == EAF_OK, "on demand: a copy built");
    eaf_db_close(built);
    built = open_again("topics-built.db", EAF_OPEN_READONLY);

    /* every tenth article: the list on demand against the stored one */
    for (j = 0; j < TOPIC_ARTICLES; j += 10) {
        snprintf(key, sizeof(key), "topic/%d", j);
        r = list_of(db, key, NULL);
        s = list_of(built, key, NULL);
        if (!r || !s) {
            eaf_related_free(r);
            eaf_related_free(s);
            continue;
        }
        lists++;
        stored += eaf_related_stored(r) + !eaf_related_stored(s);
        shared += shared_count(r, s);
        top1 += eaf_related_count(r) > 0 && eaf_related_count(s) > 0 &&
                strcmp(eaf_related_key(r, 0), eaf_related_key(s, 0)) == 0;
        same_subject_first += eaf_related_count(r) > 0 &&
                              atoi(eaf_related_key(r, 0) + 6) % TOPICS == j % TOPICS;
        eaf_related_free(r);
        eaf_related_free(s);
    }
    is_int(lists, TOPIC_ARTICLES / 10, "on demand: every list computed");
    is_int(stored, 0, "none read from a store (the built copy's all are)");
    ok(shared >= lists * 10 * 85 / 100, "the lists on demand hold %.1f%% of the stored lists'",
       100.0 * shared / (lists * 10));
    ok(top1 >= lists * 85 / 100, "and the same first article in %d of %d", top1, lists);
    is_int(same_subject_first, lists, "which is of the source's subject");
    ok(!db->have_vocab, "no list read the index's whole vocabulary (no model was built)");

    /* the counts are kept: a list asked again counts nothing */
    r = list_of(db, "topic/7", NULL);
    c0 = counted(db);
    c2 = counted_what(db, 1);
    s = list_of(db, "topic/7", NULL);
    c1 = counted(db);
    ok(c0 > 0 && c1 == c0, "a list asked again counts no term (%llu counts so far)",
       (unsigned long long)c0);
    ok(c2 > 0 && counted_what(db, 1) == c2, "and tokenizes no text (%llu so far)",
       (unsigned long long)c2);
    ok(same_list(r, s), "and is the same list");
    eaf_related_free(s);

    /* a list is the same asked alone, on a new handle */
    fresh = open_again("topics.db", EAF_OPEN_READONLY);
    alone = list_of(fresh, "topic/7", NULL);
    ok(same_list(r, alone), "a list after 100 others is the list asked alone, scores included");
    c2 = counted(fresh);
    ok(c2 > 0 && c2 < c0, "alone it counts %llu terms, against %llu for the 101",
       (unsigned long long)c2, (unsigned long long)c0);
    s = list_of(fresh, "topic/37", NULL); /* the same subject: many of the terms are kept */
    ok(counted(fresh) - c2 < c2, "a second list of the subject counts fewer (%llu)",
       (unsigned long long)(counted(fresh) - c2));
    ok(!fresh->have_vocab, "on a read-only handle too, no model");
    eaf_related_free(s);
    eaf_related_free(alone);
    eaf_related_free(r);

    /* a change to the index: the counts are made again, on every handle */
    put(db, topic_article(7 + TOPICS * 100)); /* a new article of topic/7's subject */
    c0 = counted(db);
    o.count = 100;
    r = list_of(db, "topic/7", &o);
    ok(counted(db) > c0, "after a change the terms are counted again");
    ok(r && in_list(r, "topic/3007"), "and the new article is listed (at %d)",
       r ? position(r, "topic/3007") : -1);
    alone = list_of(fresh, "topic/7", &o);
    ok(same_list(r, alone), "another handle sees the same (the change committed)");
    eaf_related_free(alone);
    eaf_related_free(r);

    /* explanations of a list on demand */
    r = list_of(fresh, "topic/8", NULL);
    ok(r && explain_of(r, 0) && strstr(explain_of(r, 0), "text ") &&
           shared_count_of(r, 0, EAF_REASON_TERM) > 0,
       "explained: %s", r && explain_of(r, 0) ? explain_of(r, 0) : "");
    eaf_related_free(r);
    eaf_db_close(fresh);
    eaf_db_close(built);
    eaf_db_close(db);
}

/* ---- read-only handles, progress, allocation failures -------------------------------- */

static int stop_at_scoring(const char *phase, int64_t done, int64_t total, void *payload)
{
    int *calls = payload;

    (void)done;
    (void)total;
    (*calls)++;
    return strcmp(phase, "scoring") == 0;
}

static const char *stop_phase;

static int stop_in_phase(const char *phase, int64_t done, int64_t total, void *payload)
{
    int *calls = payload;

    (void)done;
    (void)total;
    (*calls)++;
    return strcmp(phase, stop_phase) == 0;
}

static void test_readonly_and_stop(void)
{
    eaf_db *db = make_archive("ro.db"), *ro = NULL;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_related *r;
    int calls = 0;

    is_int(eaf_related_build(NULL, db, NULL, stop_at_scoring, &calls), EAF_ABORT,
           "a build stopped by its callback: EAF_ABORT");
    ok(calls >= 2, "the callback was called (%d times)", calls);
    ok(strstr(eaf_db_errmsg(db), "stopped") != NULL, "the message says so (%s)", eaf_db_errmsg(db));
    r = list_of(db, "rice/0", NULL);
    if (r) {
        is_int(eaf_related_stored(r), 0, "nothing was stored");
        eaf_related_free(r);
    }
    ok(eaf_related_build(NULL, db, NULL, NULL, NULL) == EAF_OK, "build");
    /* a stop in each phase, of a build and of a refresh: EAF_ABORT, and
     * the lists stored before are kept */
    {
        static const char *const phases[] = {"reading", "scoring", "writing"};
        eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
        size_t k;
        o.terms = 30;
        for (k = 0; k < sizeof(phases) / sizeof(*phases); k++) {
            stop_phase = phases[k];
            calls = 0;
            is_int(eaf_related_build(NULL, db, &o, stop_in_phase, &calls), EAF_ABORT,
                   "a build stopped while %s: EAF_ABORT", phases[k]);
            r = list_of(db, "rice/0", NULL);
            ok(r && eaf_related_stored(r), "the lists of before are still read");
            eaf_related_free(r);
        }
        if (eaf_db_delete(db, "rice/3") != EAF_OK)
            exit(99);
        stop_phase = "scoring";
        calls = 0;
        is_int(eaf_related_refresh(NULL, db, stop_in_phase, &calls), EAF_ABORT,
               "a refresh stopped by its callback: EAF_ABORT");
        ok(strstr(eaf_db_errmsg(db), "stopped") != NULL, "the message says so (%s)",
           eaf_db_errmsg(db));
        is_int(eaf_related_refresh(NULL, db, NULL, NULL), EAF_OK, "then a refresh to the end");
    }
    eaf_db_close(db);

    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&ro, tu_path("ro.db"), &oo, NULL) != EAF_OK)
        exit(99);
    is_int(eaf_related_build(NULL, ro, NULL, NULL, NULL), EAF_READONLY, "read-only: build refused");
    is_int(eaf_related_refresh(NULL, ro, NULL, NULL), EAF_READONLY, "and refresh");
    r = list_of(ro, "rice/0", NULL);
    ok(r && eaf_related_stored(r) && eaf_related_count(r) > 0, "lists are read");
    eaf_related_free(r);
    eaf_db_close(ro);
}

/* ---- the batch's memory: cut into buckets and chunks, and bounded ---------------------- */

#define BIG 3000

/* A made-up word of the vocabulary (a few thousand, of two to four
 * syllables), drawn with a skew: the first are much more frequent. */
static void big_word(char *out, unsigned *seed)
{
    static const char *const syl[] = {"ka", "ro", "mi", "ten", "sa", "lu", "an", "jo", "mar",
                                      "ti", "ne", "ho", "vin", "chi", "el", "do", "su", "ber"};
    unsigned r, w, k, n;

    *seed = *seed * 1103515245u + 12345u;
    r = (*seed >> 8) % 1000;
    w = r * r * r / 333000u;  /* 0 .. 3000, mostly small */
    n = 2 + w % 3;
    out[0] = '\0';
    for (k = 0; k < n; k++) {
        strcat(out, syl[w % 18]);
        w = w / 18 + k * 7;
    }
}

static eaf_article *big_article(int j, unsigned seed)
{
    char key[32], title[256], body[4096], tags[64], word[32], date[16];
    int k;

    snprintf(key, sizeof(key), "big/%d", j);
    title[0] = body[0] = '\0';
    for (k = 0; k < 5; k++) {
        big_word(word, &seed);
        strcat(title, word);
        strcat(title, " ");
    }
    for (k = 0; k < 40; k++) {
        big_word(word, &seed);
        strcat(body, word);
        strcat(body, k % 9 == 8 ? ". " : " ");
    }
    snprintf(tags, sizeof(tags), "t:Topic %d;c:Country %d", j % 10, j % 7);
    snprintf(date, sizeof(date), "20%02d-%02d-%02d", 10 + j % 15, 1 + j % 12, 1 + j % 28);
    return tu_article(key, title, date, body, "Some Writer", tags);
}

static eaf_db *make_big_archive(const char *name)
{
    eaf_db *db = tu_open(name, "english");
    int j;

    if (eaf_db_begin(db) != EAF_OK)
        exit(99);
    for (j = 0; j < BIG; j++)
        put(db, big_article(j, (unsigned)j * 7919u + 1u));
    if (eaf_db_commit(db) != EAF_OK)
        exit(99);
    return db;
}

/* A hash of what the related tables hold, row by row. */
static uint64_t related_tables(eaf_db *db)
{
    static const char *const q[] = {
        "SELECT article_id, pos, other_id, score FROM related_list ORDER BY article_id, pos",
        "SELECT article_id, hash, length, vec FROM related_vector ORDER BY article_id",
        "SELECT id, term, df FROM related_term ORDER BY id",
        "SELECT name, value FROM eaf_meta WHERE name LIKE 'related%' ORDER BY name"};
    uint64_t h = 1469598103934665603u;
    size_t k;

    for (k = 0; k < sizeof(q) / sizeof(q[0]); k++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db->sql, q[k], -1, &st, NULL) != SQLITE_OK)
            return 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            int c;
            for (c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *b = sqlite3_column_blob(st, c);
                int n = sqlite3_column_bytes(st, c), i;
                for (i = 0; i < n; i++)
                    h = (h ^ b[i]) * 1099511628211u;
                h = (h ^ 0xFFu) * 1099511628211u;
            }
        }
        sqlite3_finalize(st);
    }
    return h;
}

/* The budgets a test sets: heaps of 300 articles (10 buckets), lists of 7
 * at a time, 16 KB of vectors in memory (the rest in the file). */
static void small_budgets(void)
{
    eaf__rel_heap_budget = 300 * (EAF_RELATED_DEFAULT_TERMS * sizeof(eaf__rel_pair) + 2);
    eaf__rel_list_budget = 7 * (EAF_RELATED_DEFAULT_COUNT * sizeof(eaf__rel_entry) + 1);
    eaf__rel_vector_budget = 16384;
}

static void default_budgets(size_t heap, size_t list, size_t vec)
{
    eaf__rel_heap_budget = heap;
    eaf__rel_list_budget = list;
    eaf__rel_vector_budget = vec;
}

/* The model built (or loaded) now: its memory against its bound, and
 * (with small budgets) against what holding every article's heap of
 * terms would take, alone. */
static void check_bound(eaf_db *db, int load, int small, const char *what)
{
    eaf__rel_opts o;
    eaf__rel_model *m = NULL;
    int64_t changed;
    eaf_status st;

    if (eaf__rel_opts_init(&o, db, NULL, NULL) != EAF_OK)
        exit(99);
    st = load ? eaf__rel_model_load(&m, db, &o, &changed) : eaf__rel_model_build(&m, db, &o, NULL);
    is_int(st, EAF_OK, "%s: the model", what);
    if (!m)
        return;
    ok(eaf__rel_model_bytes(m) <= eaf__rel_model_bound(m),
       "%s: its memory (%zu bytes) keeps under its bound (%zu)", what, eaf__rel_model_bytes(m),
       eaf__rel_model_bound(m));
    if (small)
        ok(eaf__rel_model_pairs(m) * 2 > eaf__rel_vector_budget,
           "%s: its vectors (%llu terms) are mostly in the file", what,
           (unsigned long long)eaf__rel_model_pairs(m));
    if (small)
        ok(eaf__rel_model_bytes(m) < (size_t)BIG * o.terms * sizeof(eaf__rel_pair),
           "%s: and under what a heap per article takes (%zu)", what,
           (size_t)BIG * o.terms * sizeof(eaf__rel_pair));
    eaf__rel_model_free(m);
}

static void test_memory(void)
{
    size_t heap = eaf__rel_heap_budget, list = eaf__rel_list_budget,
           vec = eaf__rel_vector_budget;
    eaf__rel_opts o;
    eaf__rel_plan pl;
    eaf_db *a = make_big_archive("big-a.db"), *b = make_big_archive("big-b.db");
    uint64_t ha, hb;
    int j;

    /* the plan for a million articles: bounded whatever n */
    if (eaf__rel_opts_init(&o, a, NULL, NULL) != EAF_OK)
        exit(99);
    eaf__rel_plan_make(&pl, 1000000, &o);
    ok(pl.heap_bytes <= heap && pl.list_bytes <= list,
       "1M articles: heaps of %u articles (%zu bytes), lists %u at a time (%zu bytes)",
       pl.bucket, pl.heap_bytes, pl.chunk, pl.list_bytes);
    ok((uint64_t)pl.bucket * pl.buckets >= 1000000 && (uint64_t)pl.bucket * (pl.buckets - 1) < 1000000,
       "in %u buckets", pl.buckets);
    is_int((long long)pl.spill_bytes, (long long)pl.buckets * 4096 * 12,
           "with 48 KB of spill buffer each (%zu bytes)", pl.spill_bytes);
    eaf__rel_plan_make(&pl, BIG, &o);
    is_int(pl.buckets, 1, "%d articles: one bucket, nothing spilled", BIG);

    /* every budget small: the same lists, vectors and terms */
    ok(eaf_related_build(NULL, a, NULL, NULL, NULL) == EAF_OK, "memory: build");
    small_budgets();
    eaf__rel_plan_make(&pl, BIG, &o);
    ok(pl.buckets == 10 && pl.chunk == 7, "small budgets: %u buckets, lists %u at a time",
       pl.buckets, pl.chunk);
    ok(eaf_related_build(NULL, b, NULL, NULL, NULL) == EAF_OK, "build with small budgets");
    ha = related_tables(a);
    hb = related_tables(b);
    ok(ha != 0 && ha == hb, "the same lists, vectors and terms");
    check_bound(b, 0, 1, "small budgets, build");
    check_bound(b, 1, 1, "small budgets, load");

    /* a refresh, each with its budgets */
    for (j = 0; j < 40; j++) {
        eaf_article *x = big_article(j * 53, (unsigned)j * 31u + 5u);
        eaf_article *y = big_article(j * 53, (unsigned)j * 31u + 5u);
        put(a, x);
        put(b, y);
    }
    ok(eaf_related_refresh(NULL, b, NULL, NULL) == EAF_OK, "refresh with small budgets");
    default_budgets(heap, list, vec);
    ok(eaf_related_refresh(NULL, a, NULL, NULL) == EAF_OK, "and with the default ones");
    ha = related_tables(a);
    hb = related_tables(b);
    ok(ha != 0 && ha == hb, "the same lists, vectors and terms");
    check_bound(a, 0, 0, "default budgets, build");
    check_bound(a, 1, 0, "default budgets, load");
    eaf_db_close(a);
    eaf_db_close(b);
}

static void test_oom(void)
{
    eaf_db *db = make_archive("oom.db");
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
    unsigned long total, n;
    int bad = 0, nomem = 0;

    /* a build: every failure gives EAF_NOMEM and stores nothing */
    eaf__alloc_fail_at((unsigned long)-1, 0);
    if (eaf_related_build(NULL, db, NULL, NULL, NULL) != EAF_OK)
        diag("oom: the counting build failed");
    total = eaf__alloc_fail_at(0, 0);
    for (n = 1; n <= total; n++) {
        eaf_status st;
        eaf__alloc_fail_at(n, 1);
        st = eaf_related_build(NULL, db, NULL, NULL, NULL);
        eaf__alloc_fail_at(0, 0);
        if (st == EAF_NOMEM)
            nomem++;
        else if (st != EAF_OK) {
            bad++;
            diag("build, allocation %lu fails: %s (%s)", n, eaf_status_str(st), eaf_db_errmsg(db));
        }
    }
    is_int(bad, 0, "oom: each of %lu failures of a build is EAF_NOMEM", total);
    ok(nomem > 0, "oom: reported (%d)", nomem);

    /* a list computed on demand, and its explanation */
    o.flags = EAF_RELATED_COMPUTE;
    eaf__alloc_fail_at((unsigned long)-1, 0);
    {
        eaf_related *r = NULL;
        if (eaf_related_new(&r, db, "tuna/1", &o) == EAF_OK)
            explain_of(r, 0);
        eaf_related_free(r);
    }
    total = eaf__alloc_fail_at(0, 0);
    bad = nomem = 0;
    for (n = 1; n <= total; n++) {
        eaf_related *r = NULL;
        eaf_status st;
        eaf__alloc_fail_at(n, 1);
        st = eaf_related_new(&r, db, "tuna/1", &o);
        if (st == EAF_OK && !explain_of(r, 0))
            st = EAF_NOMEM;
        eaf__alloc_fail_at(0, 0);
        if (st == EAF_NOMEM)
            nomem++;
        else if (st != EAF_OK || !r || eaf_related_count(r) == 0) {
            bad++;
            diag("list, allocation %lu fails: %s (%s)", n, eaf_status_str(st), eaf_db_errmsg(db));
        }
        eaf_related_free(r);
    }
    is_int(bad, 0, "oom: each of %lu failures of a list is EAF_NOMEM", total);
    ok(nomem > 0, "oom: reported (%d)", nomem);
    /* a list on demand of an index never built (counted in the full-text
     * index, the counts kept on the handle), and its explanation: the
     * handle keeps what it made before each failure */
    {
        eaf_db *nb = make_archive("oom-fts.db"), *fresh;
        eaf_related *r = NULL, *want = NULL;
        int differ = 0;
        eaf__alloc_fail_at((unsigned long)-1, 0);
        if (eaf_related_new(&r, nb, "tuna/1", NULL) == EAF_OK)
            explain_of(r, 0);
        eaf_related_free(r);
        total = eaf__alloc_fail_at(0, 0);
        eaf_db_close(nb);
        nb = open_again("oom-fts.db", 0);
        bad = nomem = 0;
        for (n = 1; n <= total; n++) {
            eaf_status st;
            r = NULL;
            eaf__alloc_fail_at(n, 1);
            st = eaf_related_new(&r, nb, "tuna/1", NULL);
            if (st == EAF_OK && !explain_of(r, 0))
                st = EAF_NOMEM;
            eaf__alloc_fail_at(0, 0);
            if (st == EAF_NOMEM)
                nomem++;
            else if (st != EAF_OK || !r || eaf_related_count(r) == 0) {
                bad++;
                diag("list on demand, allocation %lu fails: %s (%s)", n, eaf_status_str(st),
                     eaf_db_errmsg(nb));
            }
            eaf_related_free(r);
        }
        is_int(bad, 0, "oom: each of %lu failures of a list on demand is EAF_NOMEM", total);
        ok(nomem > 0, "oom: reported (%d)", nomem);
        fresh = open_again("oom-fts.db", EAF_OPEN_READONLY);
        r = list_of(nb, "tuna/1", NULL);
        want = list_of(fresh, "tuna/1", NULL);
        differ = !same_list(r, want);
        is_int(differ, 0, "then the list is the one a new handle computes");
        eaf_related_free(r);
        eaf_related_free(want);
        eaf_db_close(fresh);
        eaf_db_close(nb);
    }
    /* and a refresh */
    put(db, make_article(0, 6, "2022-01-01"));
    eaf__alloc_fail_at((unsigned long)-1, 0);
    if (eaf_db_begin(db) == EAF_OK) {
        if (eaf_related_refresh(NULL, db, NULL, NULL) != EAF_OK)
            diag("oom: the counting refresh failed");
        eaf_db_rollback(db);
    }
    total = eaf__alloc_fail_at(0, 0);
    bad = 0;
    for (n = 1; n <= total; n++) {
        eaf_status st;
        if (eaf_db_begin(db) != EAF_OK)
            break;
        eaf__alloc_fail_at(n, 1);
        st = eaf_related_refresh(NULL, db, NULL, NULL);
        eaf__alloc_fail_at(0, 0);
        eaf_db_rollback(db);
        if (st != EAF_NOMEM && st != EAF_OK)
            bad++;
    }
    is_int(bad, 0, "oom: each of %lu failures of a refresh is EAF_NOMEM", total);
    is_int(eaf_related_refresh(NULL, db, NULL, NULL), EAF_OK, "then the refresh works");
    is_int(stale_count(db), 0, "and leaves nothing stale");
    eaf_db_close(db);
}

/* ---- the title's weight, by the article's length --------------------------------- */

/* Where key is in r's list: its rank from 0, or -1. */
static int rank_in(eaf_related *r, const char *key)
{
    size_t i;

    for (i = 0; r && i < eaf_related_count(r); i++)
        if (strcmp(eaf_related_key(r, i), key) == 0)
            return (int)i;
    return -1;
}

static void test_title_weight(void)
{
    static const struct {
        const char *key, *title, *body;
    } docs[] = {
        {"src", "Profits rise at Alpha Motors",
         "The carmaker sold more electric cars and trucks in Europe this spring."},
        {"title", "Profits rise at Beta Bank",
         "The lender gave more loans to farmers and shops in the north."},
        {"body", "Gamma opens a plant",
         "The carmaker sold more electric cars and trucks in Asia this spring."},
        {"f1", "Garden notes", "Tomatoes and beans grew in the garden by the river."},
        {"f2", "Birds", "Swallows returned to the river in April."},
        {"f3", "Recipes", "Bread with olives, beans and rosemary."},
        {"f4", "Chess", "An opening with the queen's pawn, and loans of books."},
        {"f5", "Music", "A quartet played Haydn to farmers in the north."},
        {"f6", "Rivers", "The river flooded the meadows and the shops."},
        {"f7", "Weather", "Rain in Asia and sun in Europe."},
    };
    eaf_db *db = tu_open("titles.db", NULL);
    eaf_related_options o = EAF_RELATED_OPTIONS_INIT;
    eaf_related *r;
    size_t i;
    int all;

    /* the weight: 1 for a title alone, title_weight from TITLE_FULL (600
     * bytes) of summary and body, in proportion between */
    ok(fabs(eaf__rel_title_weight(3.0, 0) - 1.0) < 1e-9, "title weight: 1 for a title alone");
    ok(fabs(eaf__rel_title_weight(3.0, 300) - 2.0) < 1e-9, "2 for half of 600 bytes");
    ok(fabs(eaf__rel_title_weight(3.0, 600) - 3.0) < 1e-9 &&
           fabs(eaf__rel_title_weight(3.0, 100000) - 3.0) < 1e-9,
       "the option's from 600 bytes on");
    ok(fabs(eaf__rel_title_weight(0.5, 10) - 0.5) < 1e-9, "a weight below 1 is kept");

    /* short stories: the one on the source's subject (its body's words)
     * ranks above the one that shares two words of its title, in the
     * batch's lists and on demand alike */
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        eaf_article *a = tu_article(docs[i].key, docs[i].title, "2021-01-01", docs[i].body,
                                    NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "title weight: short stories stored");
    o.flags = EAF_RELATED_TEXT_ONLY | EAF_RELATED_COMPUTE;
    r = list_of(db, "src", &o);
    ok(rank_in(r, "body") == 0 && rank_in(r, "title") > 0,
       "on demand: the story on the subject first (%d), the shared title after (%d)",
       rank_in(r, "body"), rank_in(r, "title"));
    eaf_related_free(r);
    o.flags = EAF_RELATED_TEXT_ONLY;
    ok(eaf_related_build(NULL, db, &o, NULL, NULL) == EAF_OK, "title weight: built");
    r = list_of(db, "src", &o);
    ok(r && eaf_related_stored(r), "the stored list is read");
    ok(rank_in(r, "body") == 0 && rank_in(r, "title") > 0,
       "batch: the story on the subject first (%d), the shared title after (%d)",
       rank_in(r, "body"), rank_in(r, "title"));
    eaf_related_free(r);
    eaf_db_close(db);
}

int main(void)
{
    tu_tmpdir();
    test_build_and_lists();
    test_explanations();
    test_neighbours();
    test_parts();
    test_duplicates();
    test_refresh();
    test_open_transaction();
    test_snapshot();
    test_old_schemas();
    test_options();
    test_build_options_read_back();
    test_defaults_api();
    test_on_demand();
    test_readonly_and_stop();
    test_memory();
    test_oom();
    test_title_weight();
    tu_cleanup();
    return done_testing();
}
