/*
 * test_tokenize.c: the tokenizer on the text-handling rules of the query
 * language (case, accents, stemming, possessives, dashes and slashes,
 * numbers, CJK), offsets into the original bytes, invalid UTF-8, prefix
 * queries and folding of metadata values.
 */
#include <ctype.h>

#include "tap.h"
#include "tokenize.h"

typedef struct collect {
    char out[4096];
    size_t n;
    int with_offsets;
} collect;

static int add(void *ctx, const char *tok, int ntok, int start, int end)
{
    collect *c = ctx;
    int w = snprintf(c->out + c->n, sizeof(c->out) - c->n,
                     c->with_offsets ? "%s%.*s@%d-%d" : "%s%.*s", c->n ? " " : "",
                     tok ? ntok : 1, tok ? tok : "-", start, end);
    if (w > 0 && (size_t)w < sizeof(c->out) - c->n)
        c->n += (size_t)w;
    return 0;
}

/* The tokens of text in mode, space-separated ("tok@start-end" with
 * offsets). */
static const char *toks(eaf__tokenizer *t, unsigned mode, const char *text,
                        size_t n, int offsets)
{
    static collect c;
    c.n = 0;
    c.out[0] = '\0';
    c.with_offsets = offsets;
    if (eaf__tokenize(t, mode, text, n, add, &c) != 0)
        return "(error)";
    return c.out;
}

#define T(text) toks(en, EAF__TOK_DOC, text, strlen(text), 0)
#define TO(text) toks(en, EAF__TOK_DOC, text, strlen(text), 1)
#define F(text) toks(none, EAF__TOK_DOC, text, strlen(text), 0)

static int stop_after_two(void *ctx, const char *tok, int ntok, int start, int end)
{
    int *count = ctx;
    (void)tok;
    (void)ntok;
    (void)start;
    (void)end;
    return ++*count == 2 ? 42 : 0;
}

/* Many distinct words, more than the stem cache holds: syllables and
 * endings combined. */
static void make_word(char *w, size_t cap, unsigned i)
{
    static const char *const syl[] = {"ka", "ro", "mi", "tes", "lan", "vor", "qui", "den",
                                      "sho", "pra", "gel", "nu", "bri", "fot", "zan", "ely"};
    static const char *const end[] = {"", "s", "ing", "ed", "ations", "ness", "ly", "ies"};

    snprintf(w, cap, "%s%s%s%s", syl[i % 16], syl[(i / 16) % 16], syl[(i / 256) % 16],
             end[(i / 4096) % 8]);
}

int main(void)
{
    eaf__tokenizer *en = NULL, *none = NULL, *fr = NULL, *bad = NULL;
    char longword[300];
    char *v;
    int count = 0;

    ok(eaf__tokenizer_new(&en, "english") == EAF_OK && en, "english tokenizer");
    ok(eaf__tokenizer_new(&none, "none") == EAF_OK && none, "unstemmed tokenizer");
    ok(eaf__tokenizer_new(&fr, "french") == EAF_OK && fr, "french tokenizer");
    is_int(eaf__tokenizer_new(&bad, "klingon"), EAF_MISUSE, "an unknown language is refused");
    ok(bad == NULL, "and no tokenizer is returned");
    ok(eaf__language_ok("english") && eaf__language_ok("none") &&
           eaf__language_ok(NULL) && !eaf__language_ok("klingon"),
       "language names are checked");

    /* case and accents: cafe = café = CAFÉ */
    is_str(F("cafe café CAFÉ Café"), "cafe cafe cafe cafe", "case and accents ignored");
    is_str(F("naïve Zürich Nguyễn Ærø"), "naive zurich nguyen ærø",
           "accents stripped from Latin letters");
    is_str(F("Straße ﬁnance ＪＡＰＡＮ"), "strasse finance japan",
           "case folding and compatibility forms (NFKC)");
    is_str(F("Αθήνα Москва Ёлка"), "αθηνα москва елка", "Greek and Cyrillic accents stripped");
    is_str(F("हिन्दी"), "हिन्दी", "marks of other scripts are kept");

    /* stemming: relations finds relation */
    is_str(T("relations relation Relational"), "relat relat relat",
           "English stemming joins word forms");
    is_str(T("defence defending"), "defenc defend", "stems as Snowball gives them");
    is_str(toks(fr, EAF__TOK_DOC, "relations économiques", 22, 0), "relat econom",
           "the language of the tokenizer is used");

    /* possessives */
    is_str(T("China's Japan’s"), "china japan", "possessive 's stripped (straight and curly)");
    is_str(TO("China's rise"), "china@0-7 rise@8-12", "the possessive stays inside the highlight");
    is_str(F("countries' O'Neill don't"), "countries oneill dont",
           "a trailing apostrophe is dropped, inner ones joined");

    /* dashes and slashes: two adjacent words */
    is_str(TO("US-Japan"), "us@0-2 japan@3-8", "hyphen splits into adjacent words");
    is_str(F("Japan–China Japan—China Japan/China"),
           "japan china japan china japan china", "en dash, em dash and slash split");

    /* numbers */
    is_str(F("2.5 81.4 2018 3,000 1,250,000"), "2.5 81.4 2018 3000 1250000",
           "decimals, years and grouped numbers are single tokens");
    is_str(F("in 2018. Then 1,2,3"), "in 2018 then 1 2 3",
           "a full stop or a list comma after a number is a separator");
    is_str(F("G20 COVID-19 40th"), "g20 covid 19 40th", "letters and digits mix in a word");
    is_str(T("2018s G20s"), "2018s g20s", "words with digits are not stemmed");

    /* acronyms */
    is_str(TO("the U.S. and e.g. U.S.A"), "the@0-3 us@4-7 and@9-12 eg@13-16 usa@18-23",
           "acronyms with periods are joined");
    is_str(F("Mr. J. Smith"), "mr j smith", "single initials followed by space stay apart");

    /* CJK: bigrams, offsets in bytes */
    is_str(TO("日本経済"), "日本@0-6 本経@3-9 経済@6-12", "Han and kana runs become bigrams");
    is_str(TO("中"), "中@0-3", "a lone CJK character is a token");
    is_str(F("한국 경제"), "한국 경제", "Hangul is searchable");
    is_str(TO("Tokyo 東京 2020"), "tokyo@0-5 東京@6-12 2020@13-17", "CJK between Latin words");
    is_str(F("ｶﾀｶﾅ"), "カタ タカ カナ", "halfwidth katakana is folded to fullwidth");

    /* invalid UTF-8: no crash, nothing lost after it */
    is_str(TO("ab\xff" "cd \xc3(x) \xe6\x97"), "ab@0-2 cd@3-5 x@8-9",
           "invalid bytes are separators; the rest is kept");
    is_str(T("\xed\xa0\x80 surrogate \xc0\xaf overlong"), "surrog overlong",
           "surrogates and overlong forms are rejected");

    /* separators only, empty */
    is_str(T(""), "", "empty text, no tokens");
    is_str(T(" -- ... *** (!) "), "", "punctuation only, no tokens");

    /* long words are dropped, not cut */
    memset(longword, 'x', sizeof(longword) - 1);
    longword[sizeof(longword) - 1] = '\0';
    is_str(toks(en, EAF__TOK_DOC, longword, strlen(longword), 0), "", "a 299-byte word is dropped");
    is_str(T("short xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx after"),
           "short after", "the words around a dropped one remain");

    /* prefix queries: the last token is not stemmed, only cut to what it
     * shares with its stem */
    is_str(toks(en, EAF__TOK_QUERY | EAF__TOK_PREFIX, "jap", 3, 0), "jap",
           "a prefix is not stemmed");
    is_str(toks(en, EAF__TOK_QUERY | EAF__TOK_PREFIX, "relations", 9, 0), "relat",
           "a prefix is cut back to its stem's part");
    is_str(toks(en, EAF__TOK_QUERY | EAF__TOK_PREFIX, "trade relations", 15, 0),
           "trade relat", "in a phrase only the last token is a prefix");
    is_str(toks(en, EAF__TOK_QUERY, "relations", 9, 0), "relat",
           "query terms are stemmed like documents");
    is_str(toks(en, EAF__TOK_DOC | EAF__TOK_PREFIX, "relations", 9, 0), "relat",
           "PREFIX means nothing when indexing");

    /* an index term as it is (a capped prefix's terms, feedback's) */
    is_str(toks(en, EAF__TOK_QUERY, "\x01relations", 10, 0), "relations",
           "a raw query term is not stemmed");
    is_str(toks(en, EAF__TOK_QUERY, "\x03" "Prelations", 11, 0), "relations",
           "nor a feedback term (after its weight's byte)");
    is_str(toks(en, EAF__TOK_DOC, "\x01relations", 10, 0), "relat",
           "in a document the mark is only a separator");

    /* the filter of snippets: only words that could stem to one looked for
     * are stemmed, the others come as NULL (shown "-") */
    {
        unsigned char first[256] = {0};
        first['r'] = first['t'] = 1;
        ok(eaf__tokenizer_filter(en, first, 4), "english keeps first bytes");
        is_str(toks(en, EAF__TOK_DOC | EAF__TOK_FILTER,
                    "Relations trade to reports economy 2018 tax", 43, 1),
               "relat@0-9 trade@10-15 -@16-18 report@19-26 -@27-34 2018@35-39 -@40-43",
               "other first letters and shorter words are not stemmed");
        is_str(toks(en, EAF__TOK_QUERY | EAF__TOK_FILTER, "economy to", 10, 0), "economi to",
               "a query is never filtered");
        ok(!eaf__tokenizer_filter(fr, first, 4), "french is not filtered");
        is_str(toks(fr, EAF__TOK_DOC | EAF__TOK_FILTER, "relations économiques", 22, 0),
               "relat econom", "so its words are all stemmed");
    }

    /* the callback can stop the tokenizer */
    is_int(eaf__tokenize(en, EAF__TOK_DOC, "one two three", 13, stop_after_two, &count), 42,
           "a callback's non-zero return stops and is returned");
    is_int(count, 2, "no token after the stop");

    /* The stems of indexed words are cached (tokenize.c): over more words
     * than the cache holds, each twice, a document's tokens are the stems
     * a query (never cached) gets. */
    {
        unsigned i, pass, bad_stems = 0;
        char w[64], q[sizeof(((collect *)0)->out)];

        eaf__tokenizer_cache_stems(en, 5000); /* 4,096 slots: words collide */

        for (pass = 0; pass < 2; pass++)
            for (i = 0; i < 32768; i += pass ? 3 : 1) {
                make_word(w, sizeof(w), i);
                snprintf(q, sizeof(q), "%s", toks(en, EAF__TOK_QUERY, w, strlen(w), 0));
                if (strcmp(q, T(w)) != 0 && bad_stems++ < 3)
                    diag("'%s': document '%s', query '%s'", w, T(w), q);
            }
        is_int(bad_stems, 0, "cached stems are the stemmer's, over 32768 words twice");
    }

    /* Plain ASCII words take a short path (tokenize.c), which must give
     * what the long one gives: every word of a set before every kind of
     * punctuation, with offsets. */
    {
        static const char *const words[] = {"trade", "Trade", "G20", "2018", "2.5", "a",
                                            "A", "x1", "1x", "ASEAN", "U", "relations",
                                            "O", "3", "10", "caf\xc3\xa9", "\xc3\xa9t\xc3\xa9"};
        static const char *const after[] = {"", ".", ",", ";", ")", "-", "'", ". ", ", ",
                                            ".5", ",000", ",00", ",0000", "'s", "'s ", "'t",
                                            ".S.", ".S", "/", "\xe2\x80\x99s", "\xc3\xa9",
                                            ".\xc3\xa9", ",123\xc3\xa9", " and more"};
        unsigned i, j, k, differ = 0, cases = 0;
        char text[64], fast[sizeof(((collect *)0)->out)];

        for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            for (j = 0; j < sizeof(after) / sizeof(after[0]); j++)
                for (k = 0; k < 2; k++) {
                    snprintf(text, sizeof(text), "%s%s%s", k ? "(" : "", words[i], after[j]);
                    snprintf(fast, sizeof(fast), "%s",
                             toks(en, EAF__TOK_DOC, text, strlen(text), 1));
                    cases++;
                    if (strcmp(fast, toks(en, EAF__TOK_DOC | EAF__TOK_LONG, text,
                                          strlen(text), 1)) != 0 &&
                        differ++ < 3)
                        diag("'%s': short way '%s', long way '%s'", text, fast,
                             toks(en, EAF__TOK_DOC | EAF__TOK_LONG, text, strlen(text), 1));
                }
        is_int(differ, 0, "the short way and the long way give the same tokens (%u texts)",
               cases);
    }

    /* metadata values */
    v = eaf__fold_value("  Rumi   AOYAMA ", 16);
    is_str(v, "rumi aoyama", "values fold to words joined by one space");
    eaf__free(v);
    v = eaf__fold_value("Relations, Japan–China", 24);
    is_str(v, "relations japan china", "values are not stemmed");
    eaf__free(v);
    v = eaf__fold_value("!!!", 3);
    is_str(v, "", "a value without words folds to empty");
    eaf__free(v);

    eaf__tokenizer_free(en);
    eaf__tokenizer_free(none);
    eaf__tokenizer_free(fr);
    eaf__tokenizer_free(NULL);
    return done_testing();
}
