/*
 * test_synth.c: the synthetic tokens of schema 6 (tokenize.h): common
 * grams and places' forms of several words, colocated with their first
 * word.  The tokens a text gives, with their offsets and flags; then an
 * index of random text of stopwords, places and other words, searched
 * for phrases with stopwords, queries of stopwords only and places, in
 * the new plan (schema 6, synthetic tokens) and the old one (the same
 * articles in an index of schema 5, made by SQL and opened read-only):
 * the same articles, ranked the same, scores and snippets included; the
 * old index opened to write is migrated and answers the same again.
 */
#include <math.h>

#include "testutil.h"
#include "db.h"
#include "tokenize.h"
#include "query.h"

/* ---- the tokens of a text ------------------------------------------------ */

typedef struct seen {
    char out[8192];
    size_t n;
    int positions;      /* tokens that take a position */
} seen;

static int see(void *ctx, int colocated, const char *tok, int ntok, int start, int end)
{
    seen *s = ctx;
    int i, w;

    if (s->n + (size_t)ntok + 32 >= sizeof(s->out))
        return 1;
    if (s->n)
        s->out[s->n++] = ' ';
    if (colocated)
        s->out[s->n++] = '+';
    for (i = 0; i < ntok; i++) /* synthetic markers and spaces shown */
        s->out[s->n++] = tok[i] == EAF__SYNTH_GRAM ? 'G' : tok[i] == EAF__SYNTH_FORM ? 'F'
                         : tok[i] == ' ' ? '_' : tok[i];
    w = snprintf(s->out + s->n, sizeof(s->out) - s->n, "@%d-%d", start, end);
    s->n += (size_t)w;
    s->out[s->n] = '\0';
    if (!colocated)
        s->positions++;
    return 0;
}

typedef struct text_source {
    eaf__tokenizer *t;
    const char *text;
} text_source;

static int from_text(void *src, eaf__token_fn fn, void *ctx)
{
    text_source *ts = src;

    return eaf__tokenize(ts->t, EAF__TOK_DOC, ts->text, strlen(ts->text), fn, ctx);
}

static int count_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    (void)tok;
    (void)ntok;
    (void)start;
    (void)end;
    (*(int *)ctx)++;
    return 0;
}

static const char *synth_tokens(const char *language, const char *text, int *positions,
                                int *plain)
{
    static seen s;
    eaf__synth *sy = NULL;
    eaf__tokenizer *t = NULL;
    text_source ts;

    memset(&s, 0, sizeof(s));
    *plain = 0;
    if (eaf__synth_new(&sy, language) != EAF_OK || eaf__tokenizer_new(&t, language) != EAF_OK)
        return "(no memory)";
    ts.t = t;
    ts.text = text;
    if (eaf__synth_tokenize(sy, from_text, &ts, see, &s) != 0)
        strcpy(s.out, "(error)");
    eaf__tokenize(t, EAF__TOK_DOC, text, strlen(text), count_token, plain);
    *positions = s.positions;
    eaf__synth_free(sy);
    eaf__tokenizer_free(t);
    return s.out;
}

static void test_tokens(void)
{
    int pos, plain;
    const char *got;
    char g[8] = "", f[8] = "";

    got = synth_tokens("english", "The Bank of Japan", &pos, &plain);
    is_str(got, "the@0-3 +Gthe_bank@0-8 bank@4-8 +Gbank_of@4-11 of@9-11 +Gof_japan@9-17"
                " japan@12-17",
           "grams: each pair with a stopword, colocated with its first word");
    is_int(pos, plain, "the grams take no position");
    got = synth_tokens("english", "United States policy, and U.S. trade with South Koreans",
                       &pos, &plain);
    is_str(got, "unit@0-6 +F1unit_state@0-13 state@7-13 +F2unit_state@7-13 polici@14-20"
                " +Gpolici_and@14-25 and@22-25 +Gand_us@22-29 us@26-29 trade@31-36"
                " +Gtrade_with@31-41 with@37-41 +Gwith_south@37-47 south@42-47"
                " +F1south_korean@42-55 korean@48-55 +F2south_korean@48-55",
           "a place's form of several words: a token at each word, the first spanning"
           " the form");
    is_int(pos, plain, "neither do the forms");
    got = synth_tokens("english", "central african republic", &pos, &plain);
    is_str(got, "central@0-7 +F1central_african@0-15 +F1central_african_republ@0-24"
                " african@8-15 +F2central_african@8-15 +F2central_african_republ@8-15"
                " republ@16-24 +F3central_african_republ@16-24",
           "two forms that start at one word: both");
    got = synth_tokens("english", "of", &pos, &plain);
    is_str(got, "of@0-2", "a lone stopword: no gram");
    got = synth_tokens("english", "growth", &pos, &plain);
    is_str(got, "growth@0-6", "a lone word: nothing added");
    got = synth_tokens("none", "the united states of", &pos, &plain);
    is_str(got, "the@0-3 united@4-10 +F1united_states@4-17 states@11-17"
                " +F2united_states@11-17 of@18-20",
           "no stopwords but English's: no grams, forms still");
    g[0] = EAF__SYNTH_GRAM;
    f[0] = EAF__SYNTH_FORM;
    ok(eaf__token_is_synthetic(g, 1) && eaf__token_is_synthetic(f, 1) &&
           !eaf__token_is_synthetic("the", 3) && !eaf__token_is_synthetic("", 0),
       "eaf__token_is_synthetic tells them from words");
}

/* ---- the old plan and the new on one set of articles ----------------------- */

static const char *const vocab[] = {
    "the", "of", "and", "in", "a", "to", "be", "or", "not", "who", "is", "it", "on", "at",
    "bank", "japan", "state", "states", "union", "united", "american", "americans", "U.S.",
    "USA", "America", "south", "korea", "Korean", "new", "zealand", "trade", "policy",
    "people", "war", "central", "african", "republic", "china", "Chinese", "does", "doe",
};

/* Pieces put into the text now and then, so that the phrases asked for
 * occur (and nearly occur: "bank of china", "the state of union"). */
static const char *const pieces[] = {
    "bank of japan", "bank of china", "the state of the union", "the state of union",
    "to be or not to be", "not to be", "the who", "who is the", "war and peace",
    "peace and war", "does it", "doe and", "it is a", "is it a", "United States",
    "U.S.", "South Korea", "south korean", "New Zealand", "Central African Republic",
    "central african", "of the people", "the war", "in a", "to be",
};

/* The queries: phrases with stopwords, stopwords only, places. */
static const char *const queries[] = {
    "\"bank of japan\"", "\"the state of the union\"", "\"of the\"", "\"to be\"",
    "\"in a\"", "\"the people\"", "\"war and peace\"", "\"doe and\"", "\"does it\"",
    "\"is it a\"", "\"it is the\"", "\"new zealand\"", "\"united states\"",
    "the who", "to be", "of the people", "not to be", "it is",
    "us", "country:us", "american", "\"south korea\"", "korea", "japan", "new zealand trade",
    "Japan trade", "bank \"of the\"", "title:\"the war\"", "\"the war\" -union",
    "\"central african republic\"", "\"united states\" OR \"south korea\"",
};

static unsigned rnd(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* keys, scores and snippets of a search, one line each */
static char *results(eaf_db *db, const char *q, unsigned flags)
{
    eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    size_t cap = 1 << 20, used = 0;
    char *out = malloc(cap);
    eaf_status st;

    if (!out)
        return NULL;
    out[0] = '\0';
    o.limit = 2000;
    o.flags = EAF_SEARCH_NO_FALLBACK | flags;
    if (eaf_search_new(&s, db, q, &o) != EAF_OK) {
        snprintf(out, cap, "(error: %s)", eaf_db_errmsg(db));
        return out;
    }
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const char *sn = eaf_search_snippet(s);
        int w = snprintf(out + used, cap - used, "%s %.9g %s\n",
                         eaf_search_field(s, EAF_FIELD_KEY), eaf_search_score(s),
                         sn ? sn : "");
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
    }
    if (st != EAF_DONE)
        snprintf(out + used, cap - used, "(error: %s)", eaf_db_errmsg(db));
    eaf_search_free(s);
    return out;
}

/* Does the search's FTS5 expression (its explanation) hold needle? */
static int plan_has(eaf_db *db, const char *q, const char *needle)
{
    eaf_search *s = NULL;
    const char *e;
    int found = 0;

    if (eaf_search_new(&s, db, q, NULL) == EAF_OK && (e = eaf_search_explain(s)) != NULL)
        found = strstr(e, needle) != NULL;
    eaf_search_free(s);
    return found;
}

static int count_lines(const char *s)
{
    int n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The column sizes FTS5 keeps (fts_docsize), as one string. */
static char *docsizes(const char *path)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    char *out = NULL;

    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, "SELECT group_concat(id || ':' || hex(sz), ' ') FROM"
                              " (SELECT id, sz FROM fts_docsize ORDER BY id)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(s);
    return out;
}

/* Does the index's vocabulary hold synthetic tokens? */
static int has_synthetic_terms(const char *path)
{
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    int found = 0;

    if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        eaf__fts_register(s, 0, NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_exec(s, "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row)", NULL,
                     NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(s, "SELECT term FROM temp.v", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            if (eaf__token_is_synthetic((const char *)sqlite3_column_text(st, 0),
                                        (size_t)sqlite3_column_bytes(st, 0)))
                found++;
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
    return found;
}

static void test_same_results(void)
{
    const char *path = tu_path("new.db"), *old = tu_path("old.db");
    eaf_db *h = tu_open("new.db", NULL), *o = NULL;
    unsigned seed = 11;
    size_t nv = sizeof(vocab) / sizeof(vocab[0]), q;
    int i, built = eaf_db_begin(h) == EAF_OK, same = 0, hits = 0, nq = 0;
    int64_t problems = -1;
    char cmd[1024];

    for (i = 0; built && i < 600; i++) {
        char key[16], title[256], body[8192];
        size_t n = 0, t = 0;
        int j, tl = 1 + (int)(rnd(&seed) % 5), bl = 10 + (int)(rnd(&seed) % 150);
        eaf_article *a;

        for (j = 0; j < tl; j++)
            t += (size_t)snprintf(title + t, sizeof(title) - t, "%s%s", j ? " " : "",
                                  rnd(&seed) % 4 == 0
                                      ? pieces[rnd(&seed) % (sizeof(pieces) / sizeof(pieces[0]))]
                                      : vocab[rnd(&seed) % (1 + rnd(&seed) % nv)]);
        for (j = 0; j < bl; j++)
            n += (size_t)snprintf(body + n, sizeof(body) - n, "%s%s", j ? " " : "",
                                  rnd(&seed) % 8 == 0
                                      ? pieces[rnd(&seed) % (sizeof(pieces) / sizeof(pieces[0]))]
                                      : vocab[rnd(&seed) % (1 + rnd(&seed) % nv)]);
        snprintf(key, sizeof(key), "k%04d", i);
        a = tu_article(key, title, "2020-01-01", body, NULL,
                       i % 4 == 0 ? "c:United States" : i % 4 == 1 ? "c:South Korea" : "t:Trade");
        built &= eaf_db_put(NULL, h, a) == EAF_OK;
        eaf_article_free(a);
    }
    built &= eaf_db_commit(h) == EAF_OK;
    ok(built, "600 articles of stopwords, places and other words");
    ok(has_synthetic_terms(path) > 0, "the index of schema 6 holds synthetic tokens");
    ok(eaf_db_check(&problems, h, NULL, NULL) == EAF_OK && problems == 0,
       "eaf_db_check() finds nothing wrong with it");
    eaf_db_close(h);

    /* the same articles in an index of schema 5: its full-text table made
     * again without the synthetic tokens */
    snprintf(cmd, sizeof(cmd), "VACUUM INTO '%s'", old);
    ok(tu_sql(path, cmd) == SQLITE_OK, "a copy");
    ok(tu_sql(old, "DROP TABLE fts;"
                   "CREATE VIRTUAL TABLE fts USING fts5(title, author, affiliation, topic, country,"
                   " summary, body, bio,"
                   " content='article', content_rowid='id', tokenize='eaf english');"
                   "INSERT INTO fts(fts) VALUES ('rebuild');"
                   "UPDATE eaf_meta SET value = '5' WHERE name = 'schema_version';"
                   "PRAGMA user_version = 5;") == SQLITE_OK,
       "made an index of schema 5 by SQL");
    ok(has_synthetic_terms(old) == 0, "which holds no synthetic tokens");
    {
        /* colocated tokens take no position: the lengths BM25 reads are
         * the same */
        char *a = docsizes(path), *b = docsizes(old);
        ok(a && b && strcmp(a, b) == 0 && strlen(a) > 600,
           "the column sizes are the same with the synthetic tokens as without");
        free(a);
        free(b);
    }

    h = tu_open_db(path, EAF_OPEN_READONLY, 0);
    o = tu_open_db(old, EAF_OPEN_READONLY, 0);
    ok(h && o, "both open read-only (the old one is not migrated)");
    ok(h && plan_has(h, "\"bank of japan\"", "\"\x04\x1f" "bank of\" + \"\x04\x1f" "of japan\" + \"\x04japan\""),
       "new plan: a phrase with a stopword is a phrase of grams");
    ok(h && plan_has(h, "the who", "\"\x04\x1fthe who\" + \"\x04who\""),
       "new plan: a query of stopwords only is the phrase of them, in grams");
    ok(h && plan_has(h, "us", "\"\x02\x04\x1e" "1unit state\" + \"\x04\x1e" "2unit state\""),
       "new plan: a place's other form of two words is a phrase of its tokens");
    ok(o && !plan_has(o, "\"bank of japan\"", "\x04") && !plan_has(o, "us", "\x04") &&
           plan_has(o, "the who", "\"the who\""),
       "old plan (schema 5): none of them, the stopwords still a phrase");
    for (q = 0; h && o && q < sizeof(queries) / sizeof(queries[0]); q++) {
        char *a = results(h, queries[q], EAF_SEARCH_SNIPPET_HTML);
        char *b = results(o, queries[q], EAF_SEARCH_SNIPPET_HTML);
        nq++;
        if (a && b && strcmp(a, b) == 0 && !strstr(a, "(error")) {
            same++;
            if (count_lines(a) > 0)
                hits++;
            else
                diag("%s: no hits", queries[q]);
        } else {
            diag("%s:\n new: %.300s\n old: %.300s", queries[q], a ? a : "?", b ? b : "?");
        }
        free(a);
        free(b);
    }
    is_int(same, nq, "every query: the same articles, scores and snippets, old plan and new");
    is_int(hits, nq, "and every one of them finds some");
    {
        /* a query of stopwords only is a phrase: only the articles that say
         * it, as the quoted phrase finds them */
        char *a = h ? results(h, "the who", 0) : NULL, *b = h ? results(h, "\"the who\"", 0) : NULL;
        char *c = h ? results(h, "the who", EAF_SEARCH_ALL_WORDS) : NULL;
        ok(a && b && strcmp(a, b) == 0 && count_lines(a) > 0,
           "the who: the phrase \"the who\" (%d articles)", a ? count_lines(a) : -1);
        ok(c && a && count_lines(c) == count_lines(a), "with ALL_WORDS too");
        free(a);
        free(b);
        free(c);
    }
    eaf_db_close(o);
    eaf_db_close(h);

    /* the snippets FTS5 makes (from its instances, the phrases' sizes and
     * the text tokenized again) are the same too */
    h = tu_open_db(path, EAF_OPEN_READONLY | EAF__OPEN_FTS_SNIPPETS, 0);
    o = tu_open_db(old, EAF_OPEN_READONLY | EAF__OPEN_FTS_SNIPPETS, 0);
    same = 0;
    for (q = 0; h && o && q < sizeof(queries) / sizeof(queries[0]); q++) {
        char *a = results(h, queries[q], EAF_SEARCH_SNIPPET_HTML);
        char *b = results(o, queries[q], EAF_SEARCH_SNIPPET_HTML);
        if (a && b && strcmp(a, b) == 0 && !strstr(a, "(error"))
            same++;
        else
            diag("%s (FTS5 snippets):\n new: %.300s\n old: %.300s", queries[q], a ? a : "?",
                 b ? b : "?");
        free(a);
        free(b);
    }
    is_int(same, nq, "and with the snippets FTS5 makes");
    eaf_db_close(o);
    eaf_db_close(h);
    h = tu_open_db(path, EAF_OPEN_READONLY, 0);

    /* opened to write, the old index is migrated: synthetic tokens, the
     * same answers */
    o = tu_open_db(old, 0, 0);
    ok(o != NULL, "the index of schema 5 opens read-write");
    eaf_db_close(o);
    {
        sqlite3 *s = NULL;
        sqlite3_stmt *st = NULL;
        int v = -1;
        if (sqlite3_open(old, &s) == SQLITE_OK &&
            sqlite3_prepare_v2(s, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(s);
        is_int(v, 6, "and is migrated to schema 6");
    }
    ok(has_synthetic_terms(old) > 0, "its full-text index rebuilt with synthetic tokens");
    o = tu_open_db(old, EAF_OPEN_READONLY, 0);
    same = 0;
    for (q = 0; h && o && q < sizeof(queries) / sizeof(queries[0]); q++) {
        char *a = results(h, queries[q], 0), *b = results(o, queries[q], 0);
        same += a && b && strcmp(a, b) == 0;
        free(a);
        free(b);
    }
    is_int(same, nq, "the migrated index answers as the new one");
    problems = -1;
    eaf_db_close(o);
    o = tu_open_db(old, 0, 0);
    ok(o && eaf_db_check(&problems, o, NULL, NULL) == EAF_OK && problems == 0,
       "and passes eaf_db_check()");
    eaf_db_close(o);
    eaf_db_close(h);
}

/* The main statement's phrases without the word their last gram implies
 * (query_fts.c): the rest of the expression as it was, each changed
 * phrase's size in words. */
static void test_shorten(void)
{
    static const struct {
        const char *expr, *want;
        int size0, size1;
    } cases[] = {
        {"\"\x04\x1fthe who\" + \"\x04who\"", "\"\x04\x1fthe who\"", 2, 0},
        {"(\"\x04\x1f" "bank of\" + \"\x04\x1f" "of japan\" + \"\x04japan\" AND \"trade\")",
         "(\"\x04\x1f" "bank of\" + \"\x04\x1f" "of japan\" AND \"trade\")", 3, 0},
        {"\"trade\" OR \"\x02\x04\x1fthe who\" + \"\x04who\"",
         "\"trade\" OR \"\x02\x04\x1fthe who\"", 0, 2},
        /* not the gram's word, a place form's tokens, plain words: as they are */
        {"\"\x04\x1fthe who\" + \"\x04what\"", NULL, 0, 0},
        {"\"\x02\x04\x1e" "1unit state\" + \"\x04\x1e" "2unit state\"", NULL, 0, 0},
        {"\"the\" + \"who\" NOT \"who\"", NULL, 0, 0},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int sizes[4] = {-1, -1, -1, -1};
        char *out = NULL;
        eaf_status st = eaf__fts_shorten(&out, cases[i].expr, sizes, 4);
        ok(st == EAF_OK &&
               (cases[i].want ? out && strcmp(out, cases[i].want) == 0 : out == NULL) &&
               sizes[0] == cases[i].size0 && sizes[1] == cases[i].size1,
           "shortened phrases, case %zu: %s (sizes %d %d)", i, out ? "changed" : "as it was",
           sizes[0], sizes[1]);
        eaf__free(out);
    }
}

int main(void)
{
    tu_tmpdir();
    test_shorten();
    test_tokens();
    test_same_results();
    tu_cleanup();
    return done_testing();
}
