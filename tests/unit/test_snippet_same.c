/*
 * test_snippet_same.c: the snippets of search hits are made without FTS5
 * when the query's expression allows it (lib/snippet.h); they must be the
 * very text eaf_snippet() gives through FTS5.  Over an index of articles
 * generated here (stemmed forms, possessives, numbers, acronyms, compounds,
 * accents, CJK, long and short bodies, places) and queries of every kind
 * the language has, each hit's snippet is compared with the one made
 * through FTS5 on a second handle, under several snippet options.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"
#include "search.h"

static eaf_db *direct, *viafts;

/* Words the bodies are made of: forms that stem alike, stopwords, places,
 * numbers and the like, so that queries find them in many ways. */
static const char *const vocab[] = {
    "relations", "relation", "related", "relating", "trade", "trades", "trading",
    "traders", "the", "of", "and", "in", "a", "to", "Japan", "Japanese", "China",
    "Chinese", "Sino-Japanese", "US", "U.S.", "American", "Americans", "us",
    "United", "States", "Korea's", "South", "Korean", "policy", "policies",
    "economy", "economic", "3,000", "2.5", "1998", "o'neill", "US-Japan",
    "café", "naïve", "Zürich", "東京都", "日本", "exports", "export", "exported",
    "rice", "tariff", "tariffs", "growth", "bank", "banks", "banking", "reform",
    "reforms", "security", "alliance", "alliances", "energy", "coal", "\"quoted\"",
    "(aside)", "end.", "new", "New", "York", "war", "peace", "Indonesia's",
    "ASEAN", "Asia-Pacific", "don't", "it's", "analysis", "analyses",
};
#define NVOCAB (sizeof(vocab) / sizeof(vocab[0]))

static unsigned long rng = 20261129UL;

static unsigned next_rand(void)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)(rng >> 33);
}

/* A body of n words from the vocabulary, with sentence ends and line
 * breaks here and there. */
static char *make_body(int n)
{
    size_t cap = (size_t)n * 24 + 16, len = 0;
    char *b = malloc(cap);
    int i;

    if (!b)
        exit(99);
    b[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *w = vocab[next_rand() % NVOCAB];
        unsigned r = next_rand() % 20;
        len += (size_t)snprintf(b + len, cap - len, "%s%s%s", i ? (r == 0 ? "\n" : " ") : "",
                                w, r == 1 ? "." : r == 2 ? "," : "");
    }
    return b;
}

static int build(void)
{
    static const int lengths[] = {0, 1, 3, 8, 20, 31, 32, 33, 60, 150, 400, 1200};
    int i, all = 1;

    for (i = 0; i < 72; i++) {
        char key[16], title[64];
        int n = lengths[i % (int)(sizeof(lengths) / sizeof(lengths[0]))];
        char *body = make_body(n);
        eaf_article *a;

        snprintf(key, sizeof(key), "a%02d", i);
        snprintf(title, sizeof(title), "%s %s", vocab[next_rand() % NVOCAB],
                 vocab[next_rand() % NVOCAB]);
        a = tu_article(key, title, "2020-01-01", n ? body : NULL, NULL, NULL);
        all &= eaf_db_put(NULL, direct, a) == EAF_OK;
        eaf_article_free(a);
        free(body);
    }
    return all;
}

/* The snippets of a query's hits, joined, on a handle. */
static char *snippets(eaf_db *h, const char *query, const eaf_search_options *o,
                      int *made_direct)
{
    eaf_search *s = NULL;
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);

    if (!out)
        exit(99);
    out[0] = '\0';
    if (eaf_search_new(&s, h, query, o) != EAF_OK) {
        snprintf(out, cap, "(error: %s)", eaf_db_errmsg(h));
        return out;
    }
    while (eaf_search_next(s) == EAF_ROW) {
        const char *sn = eaf_search_snippet(s);
        size_t need = strlen(eaf_search_field(s, EAF_FIELD_KEY)) + (sn ? strlen(sn) : 6) + 4;
        if (n + need >= cap) {
            cap = (n + need) * 2;
            out = realloc(out, cap);
            if (!out)
                exit(99);
        }
        n += (size_t)snprintf(out + n, cap - n, "%s=%s\n", eaf_search_field(s, EAF_FIELD_KEY),
                              sn ? sn : "(null)");
    }
    if (made_direct)
        *made_direct = s->snippet_q != NULL;
    eaf_search_free(s);
    return out;
}

int main(void)
{
    static const char *const queries[] = {
        "relations", "relating trade", "trade relations Japan", "\"trade relations\"",
        "\"the economy\"", "rel*", "tariff*", "econ* policy", "Japan", "Japanese",
        "China", "US", "American", "\"United States\"", "South Korea", "Korean",
        "US-Japan", "Sino-Japanese", "o'neill", "3,000", "2.5", "1998", "U.S.",
        "café", "naive", "zurich", "東京", "日本", "the", "the of", "of the new",
        "New York", "\"New York\"", "trade OR energy", "trade -energy",
        "trade NOT coal", "(bank OR banks) reform", "what is the trade policy of Japan",
        "why do banks reform", "\"quoted\"", "ASEAN", "Asia-Pacific", "don't",
        "it's", "analysis", "analyses", "Indonesia", "exports", "exported rice",
        "title:trade", "trade title:Japan", "NEAR(trade energy, 3)", "zzzz", "",
        "security alliance energy coal war peace", "\"Japan trade\" OR \"China trade\"",
        "alliance*", "a", "york*", "growth -\"the growth\"",
    };
    struct {
        unsigned words, fragments, flags;
        const char *open, *close, *ellipsis;
    } styles[] = {
        {0, 0, 0, NULL, NULL, NULL},
        {8, 2, 0, "<<", ">>", " ~ "},
        {5, 5, EAF_SEARCH_SNIPPET_HTML, "<b>", "</b>", "&hellip;"},
        {1, 1, 0, "[", "]", "..."},
        {256, 10, EAF_SEARCH_SNIPPET_HTML, NULL, NULL, NULL},
        /* terms added by feedback are index terms, passed unstemmed */
        {12, 3, EAF_SEARCH_FEEDBACK, NULL, NULL, NULL},
    };
    size_t q, k;
    int compared = 0, differ = 0, made = 0, not_made = 0;

    tu_tmpdir();
    direct = tu_open("same.db", NULL);
    ok(build(), "72 articles of 0 to 1,200 words");
    viafts = tu_open("same.db", NULL);
    viafts->flags |= EAF__OPEN_FTS_SNIPPETS;
    for (k = 0; k < sizeof(styles) / sizeof(styles[0]); k++) {
        for (q = 0; q < sizeof(queries) / sizeof(queries[0]); q++) {
            eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
            int d = 0;
            char *a, *b;

            o.limit = 80;
            o.snippet_words = styles[k].words;
            o.snippet_fragments = styles[k].fragments;
            o.flags = styles[k].flags;
            o.mark_open = styles[k].open;
            o.mark_close = styles[k].close;
            o.ellipsis = styles[k].ellipsis;
            a = snippets(direct, queries[q], &o, &d);
            b = snippets(viafts, queries[q], &o, NULL);
            compared++;
            if (d)
                made++;
            else
                not_made++;
            if (strcmp(a, b) != 0) {
                differ++;
                diag("query '%s', style %zu:\n--- without FTS5\n%s--- through FTS5\n%s",
                     queries[q], k, a, b);
            }
            free(a);
            free(b);
        }
    }
    is_int(differ, 0, "the same snippets both ways for %d searches", compared);
    ok(made > compared / 2, "most searches made their snippets without FTS5 (%d)", made);
    ok(not_made > 0, "NEAR and column filters went through FTS5 (%d)", not_made);
    {
        /* the hits had snippets with marks, not only leading words */
        eaf_search_options o = EAF_SEARCH_OPTIONS_INIT;
        char *a = snippets(direct, "trade relations", &o, NULL);
        ok(strstr(a, "[trade]") && strstr(a, "[relations]"), "marks in the snippets");
        free(a);
    }
    eaf_db_close(viafts);
    eaf_db_close(direct);
    tu_cleanup();
    return done_testing();
}
