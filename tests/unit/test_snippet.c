/*
 * test_snippet.c: the FTS5 auxiliary function eaf_snippet (lib/snippet.c),
 * called through SQL on the handle's own connection over a small index:
 * marks (stemmed forms, phrases as one span, prefixes, CJK bigrams),
 * whole short texts, fragments of long ones and their budget, the greedy
 * choice of windows, leading words when the column has no match, white
 * space and punctuation, HTML escaping, custom markers, empty bodies,
 * clamping of the arguments, errors, allocation failures, and a large body.
 */
#include "tap.h"
#include "testutil.h"
#include "db.h"

#include <ctype.h>
#include <time.h>

static eaf_db *db;

#define SQL \
    "SELECT eaf_snippet(fts, ?1, ?2, ?3, ?4, ?5, ?6, ?7) FROM fts" \
    " WHERE fts MATCH ?8 AND rowid = (SELECT id FROM article WHERE key = ?9)"

/* ---- fixtures ------------------------------------------------------------ */

/* Whether a word appended to out needs a space first: not at the start
 * nor after an ellipsis. */
static int need_space(const char *out, size_t n)
{
    return n > 0 && !(n >= 3 && strcmp(out + n - 3, "...") == 0);
}

/* Appends "<prefix>from <prefix>from+1 ... <prefix>to-1" to a string. */
static void fill(char *out, size_t cap, const char *prefix, int from, int to)
{
    size_t n = strlen(out);
    int i;

    for (i = from; i < to && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s%d", need_space(out, n) ? " " : "",
                              prefix, i);
}

/* Appends a word (with a space before it unless the string is empty). */
static void word(char *out, size_t cap, const char *w)
{
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s%s", n ? " " : "", w);
}

/* "long": w0..w199, a sentence ending after w54, Japan at 60, China at 150. */
static char long_body[4096];
/* "greedy": g0..g199 with alpha at 10, 12, 14 and 100, bravo at 103. */
static char greedy_body[4096];
/* "fit": g0..g199 with charlie at 50 and delta at 70. */
static char fit_body[4096];
/* "many": twelve different words, at 15 + 30 i, among x fillers. */
static char many_body[8192];
static const char *const many_words[12] = {
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot",
    "golf", "hotel", "india", "juliet", "kilo", "lima",
};
/* "big": Japan then x1..x299. */
static char big_body[4096];
/* "huge": about 200 KB of words with "needle" near the middle and the end. */
static char *huge_body;

static void make_bodies(void)
{
    int i;

    fill(long_body, sizeof(long_body), "w", 0, 54);
    word(long_body, sizeof(long_body), "w54.");
    fill(long_body, sizeof(long_body), "w", 55, 60);
    word(long_body, sizeof(long_body), "Japan");
    fill(long_body, sizeof(long_body), "w", 61, 150);
    word(long_body, sizeof(long_body), "China");
    fill(long_body, sizeof(long_body), "w", 151, 200);

    for (i = 0; i < 200; i++) {
        char w[16];
        snprintf(w, sizeof(w), "g%d", i);
        word(greedy_body, sizeof(greedy_body),
             i == 10 || i == 12 || i == 14 || i == 100 ? "alpha" : i == 103 ? "bravo" : w);
        word(fit_body, sizeof(fit_body), i == 50 ? "charlie" : i == 70 ? "delta" : w);
    }
    for (i = 0; i < 375; i++) {
        char w[16];
        snprintf(w, sizeof(w), "x%d", i);
        word(many_body, sizeof(many_body),
             i >= 15 && (i - 15) % 30 == 0 ? many_words[(i - 15) / 30] : w);
    }
    word(big_body, sizeof(big_body), "Japan");
    fill(big_body, sizeof(big_body), "x", 1, 300);

    {
        static const char sentence[] = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ";
        size_t cap = 210 * 1024, n = 0, len = sizeof(sentence) - 1;
        huge_body = malloc(cap);
        if (!huge_body)
            exit(99);
        while (n + len + 64 < cap) {
            if (n / len == 1800 || n + 2 * len + 64 >= cap) {
                memcpy(huge_body + n, "The needle is here. ", 20);
                n += 20;
            }
            memcpy(huge_body + n, sentence, len);
            n += len;
        }
        huge_body[n] = '\0';
    }
}

static void build_index(void)
{
    struct {
        const char *key, *title, *body;
    } docs[] = {
        {"short", "Japan and China",
         "Japan and China agreed to improve relations. Tokyo and Beijing signed a swap deal."},
        {"stem", "Building", "Talks on relation building continued."},
        {"phrase", "Trade", "The trade war hurt exports. Trade grew elsewhere and the war ended."},
        {"long", "Long", long_body},
        {"greedy", "Greedy", greedy_body},
        {"fit", "Fit", fit_body},
        {"many", "Many", many_body},
        {"big", "Big", big_body},
        {"huge", "Huge", huge_body},
        {"space", "Space", "  Line one.\n\n  Line\ttwo   ends here.\r\n  "},
        {"punct", "Punctuation", "\xE2\x80\x9CRelations,\xE2\x80\x9D she said \xE2\x80\x94 "
                                 "\xE2\x80\x9C" "are good.\xE2\x80\x9D"},
        {"cut", "Cut", "Alpha beta gamma delta relations. Epsilon zeta eta theta iota kappa."},
        {"joined", "Joined", "Seoul depends on the US-Japan alliance for deterrence and trade."},
        {"html", "Markup", "Tom & Jerry <said> \"trade\" matters"},
        {"empty", "Empty body", ""},
        {"null", "Null body", NULL},
        {"defence", "Defence", "Australia is defending its north; defence spending rose."},
        {"cjk", "East Asian economies", "Japan's economy (\xE6\x97\xA5\xE6\x9C\xAC\xE7\xB5\x8C"
                                        "\xE6\xB8\x88) is large."},
    };
    size_t i;
    int all;

    db = tu_open("snippet.db", NULL);
    all = eaf_db_begin(db) == EAF_OK;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        eaf_article *a = tu_article(docs[i].key, docs[i].title, NULL, docs[i].body, NULL, NULL);
        all &= eaf_db_put(NULL, db, a) == EAF_OK;
        eaf_article_free(a);
    }
    all &= eaf_db_commit(db) == EAF_OK;
    ok(all, "fixture index built");
}

/* ---- calling the function ------------------------------------------------ */

typedef struct call {
    int col;
    const char *open, *close, *ellipsis;
    int words, fragments, html;
} call;

static const call plain = {6, "[", "]", "...", 32, 3, 0};

static int last_rc;

/* The snippet of an article's column for a MATCH expression; "(no row)"
 * or "(error N)" otherwise (N also in last_rc). */
static const char *snip_with(const call *c, const char *match, const char *key)
{
    static char out[4][16384];
    static int slot;
    char *o = out[slot++ & 3];
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db->sql, SQL, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, c->col);
        sqlite3_bind_text(st, 2, c->open, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->close, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->ellipsis, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, c->words);
        sqlite3_bind_int(st, 6, c->fragments);
        sqlite3_bind_int(st, 7, c->html);
        sqlite3_bind_text(st, 8, match, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, key, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    last_rc = rc;
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        snprintf(o, sizeof(out[0]), "%s", t ? t : "(null)");
    } else if (rc == SQLITE_DONE) {
        snprintf(o, sizeof(out[0]), "(no row)");
    } else {
        snprintf(o, sizeof(out[0]), "(error %d)", rc);
    }
    sqlite3_finalize(st);
    return o;
}

static const char *snip(const char *match, const char *key, int words, int fragments)
{
    call c = plain;
    c.words = words;
    c.fragments = fragments;
    return snip_with(&c, match, key);
}

/* Tokens in a snippet with the default markers: runs of letters and
 * digits (the fixtures' words are plain ASCII). */
static int count_tokens(const char *s)
{
    int n = 0, in = 0;

    for (; *s; s++) {
        int w = isalnum((unsigned char)*s);
        if (w && !in)
            n++;
        in = w;
    }
    return n;
}

static int count_str(const char *s, const char *needle)
{
    int n = 0;
    size_t len = strlen(needle);

    while ((s = strstr(s, needle)) != NULL) {
        n++;
        s += len;
    }
    return n;
}

/* ---- tests --------------------------------------------------------------- */

static void test_whole(void)
{
    is_str(snip("\"japan\" AND \"china\"", "short", 32, 3),
           "[Japan] and [China] agreed to improve relations. Tokyo and Beijing signed a swap deal.",
           "a short body is returned whole, both words marked");
    is_str(snip("\"japan\" AND \"china\"", "short", 14, 3),
           "[Japan] and [China] agreed to improve relations. Tokyo and Beijing signed a swap deal.",
           "14 tokens with a budget of 14: whole, no ellipsis");
    is_str(snip("\"japan\" AND \"china\"", "short", 13, 3),
           "[Japan] and [China] agreed to improve relations. Tokyo and Beijing signed a swap...",
           "14 tokens with a budget of 13: cut after 13, then the ellipsis");
    is_str(snip("\"relations\"", "stem", 32, 3), "Talks on [relation] building continued.",
           "a stemmed form is marked (relations -> relation)");
    is_str(snip("\"trade war\"", "phrase", 32, 3),
           "The [trade war] hurt exports. Trade grew elsewhere and the war ended.",
           "a phrase is one span, and its words alone are not marked");
    is_str(snip("\"trade\" AND \"war\"", "phrase", 32, 3),
           "The [trade] [war] hurt exports. [Trade] grew elsewhere and the [war] ended.",
           "the same words queried apart are marked apart");
    is_str(snip("\"defen\" *", "defence", 32, 3),
           "Australia is [defending] its north; [defence] spending rose.",
           "a prefix query marks every word it reaches");
}

static void test_fragments(void)
{
    char want[1024] = "...";
    const char *got;

    fill(want, sizeof(want), "w", 55, 60);
    strcat(want, " [Japan]");
    fill(want, sizeof(want), "w", 61, 65);
    strcat(want, "...");
    fill(want, sizeof(want), "w", 147, 150);
    strcat(want, " [China]");
    fill(want, sizeof(want), "w", 151, 157);
    strcat(want, "...");
    got = snip("\"japan\" AND \"china\"", "long", 20, 3);
    is_str(got, want, "two phrases far apart: two fragments of 10 tokens, the first"
                      " starting at its sentence");
    is_int(count_tokens(got), 20, "the budget of 20 tokens is used, not exceeded");
    got = snip("\"japan\" AND \"china\"", "long", 7, 2);
    is_int(count_tokens(got), 7, "a budget of 7 over two fragments: 7 tokens");
    is_str(got, "...w59 [Japan] w61 w62...w149 [China] w151...",
           "two fragments of 4 and 3 tokens, the matches a little after their start");

    /* the window with the most distinct phrases comes first */
    is_str(snip("\"alpha\" OR \"bravo\"", "greedy", 10, 1),
           "...g97 g98 g99 [alpha] g101 g102 [bravo] g104 g105 g106...",
           "one fragment: the window with both phrases, not the one with three alphas");
    /* no new phrase to add: one fragment gets the whole budget */
    memset(want, 0, sizeof(want));
    strcpy(want, "...g7 g8 g9 [alpha] g11 [alpha] g13 [alpha]");
    fill(want, sizeof(want), "g", 15, 27);
    strcat(want, "...");
    is_str(snip("\"alpha\"", "greedy", 20, 3), want,
           "one phrase: a single fragment of the whole budget");
    /* windows whose matches fit in the budget together become one */
    memset(want, 0, sizeof(want));
    strcpy(want, "...");
    fill(want, sizeof(want), "g", 47, 50);
    strcat(want, " [charlie]");
    fill(want, sizeof(want), "g", 51, 70);
    strcat(want, " [delta]");
    fill(want, sizeof(want), "g", 71, 79);
    strcat(want, "...");
    got = snip("\"charlie\" AND \"delta\"", "fit", 32, 3);
    is_str(got, want, "two matches 21 tokens apart with a budget of 32: one fragment");
    is_int(count_tokens(got), 32, "of 32 tokens");
    is_str(snip("\"delta\"", "cut", 2, 1), "...[delta] relations....",
           "the full stop after the last word is kept");
    is_str(snip("\"depends\"", "joined", 5, 1), "Seoul [depends] on the US...",
           "the hyphen that joins the next word is not");
}

static void test_no_match(void)
{
    is_str(snip("{title} : \"japan\"", "short", 5, 3), "Japan and China agreed to...",
           "no match in the body: its first words, then the ellipsis");
    is_str(snip("{title} : \"japan\"", "short", 32, 3),
           "Japan and China agreed to improve relations. Tokyo and Beijing signed a swap deal.",
           "no match in a short body: the whole body, no ellipsis");
    is_str(snip("\"empty\"", "empty", 32, 3), "", "an empty body gives \"\"");
    is_str(snip("\"null\"", "null", 32, 3), "", "a NULL body gives \"\"");
}

static void test_text(void)
{
    call c = plain;

    is_str(snip("\"two\"", "space", 32, 3), "Line one. Line [two] ends here.",
           "white space and newlines collapse, none at the ends");
    is_str(snip("\"line\"", "space", 2, 1), "[Line] one....",
           "white space after a cut fragment is dropped (also the leading)");
    is_str(snip("\"relations\"", "punct", 32, 3),
           "\xE2\x80\x9C[Relations],\xE2\x80\x9D she said \xE2\x80\x94 "
           "\xE2\x80\x9C" "are good.\xE2\x80\x9D",
           "curly quotes, commas and dashes are kept");
    is_str(snip("\"she\"", "punct", 2, 1), "\xE2\x80\x9CRelations,\xE2\x80\x9D [she]...",
           "from the text's start: the opening quote and the comma are kept");
    is_str(snip("\"are\"", "punct", 1, 1), "...\xE2\x80\x9C[are]...",
           "a fragment keeps the opening quote attached to its first word");
    is_str(snip("\"good\"", "punct", 1, 1), "...[good].\xE2\x80\x9D",
           "a fragment at the end keeps the closing punctuation");
    c.html = 1;
    c.open = "<b>";
    c.close = "</b>";
    is_str(snip_with(&c, "\"trade\"", "html"),
           "Tom &amp; Jerry &lt;said&gt; &quot;<b>trade</b>&quot; matters",
           "html: the text is escaped, the markers are not");
    c.html = 0;
    is_str(snip_with(&c, "\"trade\"", "html"), "Tom & Jerry <said> \"<b>trade</b>\" matters",
           "html off: the text is left as it is");
    c.open = "\xC2\xAB";
    c.close = "\xC2\xBB";
    c.ellipsis = " [&hellip;] ";
    c.html = 1;
    c.words = 3;
    is_str(snip_with(&c, "\"relations\"", "cut"),
           " [&hellip;] delta \xC2\xABrelations\xC2\xBB. Epsilon [&hellip;] ",
           "custom markers and ellipsis are inserted as given");
}

static void test_cjk(void)
{
    is_str(snip("\"\xE6\x97\xA5\xE6\x9C\xAC\xE7\xB5\x8C\xE6\xB8\x88\"", "cjk", 32, 3),
           "Japan's economy ([\xE6\x97\xA5\xE6\x9C\xAC\xE7\xB5\x8C\xE6\xB8\x88]) is large.",
           "a CJK phrase of three bigrams is one span");
    is_str(snip("\"\xE7\xB5\x8C\xE6\xB8\x88\"", "cjk", 32, 3),
           "Japan's economy (\xE6\x97\xA5\xE6\x9C\xAC[\xE7\xB5\x8C\xE6\xB8\x88]) is large.",
           "a CJK bigram is marked on character boundaries");
    is_str(snip("\"\xE6\x97\xA5\xE6\x9C\xAC\" AND \"\xE7\xB5\x8C\xE6\xB8\x88\"", "cjk", 32, 3),
           "Japan's economy ([\xE6\x97\xA5\xE6\x9C\xAC\xE7\xB5\x8C\xE6\xB8\x88]) is large.",
           "touching spans merge into one");
    is_str(snip("\"\xE6\x97\xA5\xE6\x9C\xAC\xE7\xB5\x8C\xE6\xB8\x88\"", "cjk", 3, 1),
           "...([\xE6\x97\xA5\xE6\x9C\xAC\xE7\xB5\x8C\xE6\xB8\x88])...",
           "three bigrams are three tokens of the budget, their text not repeated");
    is_str(snip("\"\xE7\xB5\x8C\xE6\xB8\x88\"", "cjk", 2, 1),
           "...[\xE7\xB5\x8C\xE6\xB8\x88]) is...",
           "a fragment starting inside a CJK run starts on a character boundary");
    is_str(snip("\"economy\"", "cjk", 3, 1),
           "Japan's [economy] (\xE6\x97\xA5\xE6\x9C\xAC...",
           "a fragment ending inside a CJK run ends on a character boundary");
}

static void test_clamp(void)
{
    char query[512] = "";
    const char *got;
    int i;

    is_str(snip("\"china\"", "short", 0, 3), "...[China]...", "words 0 is taken as 1");
    is_str(snip("\"china\"", "short", -5, 3), "...[China]...", "negative words as 1");
    got = snip("\"japan\"", "big", 1000, 3);
    is_int(count_tokens(got), 256, "words 1000 is taken as 256");
    ok(strncmp(got, "[Japan] x1 x2 ", 14) == 0, "it starts at the text's start: %.20s", got);
    ok(strlen(got) > 8 && strcmp(got + strlen(got) - 8, " x255...") == 0,
       "and ends after x255 with the ellipsis");

    for (i = 0; i < 12; i++) {
        size_t n = strlen(query);
        snprintf(query + n, sizeof(query) - n, "%s\"%s\"", i ? " OR " : "", many_words[i]);
    }
    got = snip(query, "many", 100, 1000);
    is_int(count_str(got, "["), 10, "fragments 1000 is taken as 10: ten phrases shown");
    is_int(count_str(got, "..."), 11, "in ten fragments");
    is_int(count_tokens(got), 100, "of 100 tokens in all");
    ok(strstr(got, "...x12 x13 x14 [alpha] x16 ") == got, "the first: %.40s", got);
    ok(strstr(got, "[juliet]") && !strstr(got, "[kilo]") && !strstr(got, "[lima]"),
       "the first ten phrases, in text order");
    got = snip(query, "many", 100, 0);
    is_int(count_str(got, "["), 4, "fragments 0 is taken as 1: one window of four phrases");
    is_int(count_str(got, "..."), 2, "one fragment");
    ok(strstr(got, "...x12 x13 x14 [alpha] x16 ") == got, "from the start: %.40s", got);
}

static void test_errors(void)
{
    call c = plain;

    c.col = 99;
    is_str(snip_with(&c, "\"japan\"", "short"), "(error 25)",
           "a column out of range: SQLITE_RANGE");
    c.col = -1;
    is_str(snip_with(&c, "\"japan\"", "short"), "(error 25)", "a negative column too");
    c.col = 0;
    is_str(snip_with(&c, "\"japan\"", "short"), "[Japan] and China",
           "another column (the title)");
    {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db->sql,
                                    "SELECT eaf_snippet(fts, 6, '[', ']', '...', 5, 1, 0, 9)"
                                    " FROM fts WHERE fts MATCH 'japan'",
                                    -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        is_int(rc, SQLITE_ERROR, "too many arguments: an error");
        sqlite3_finalize(st);
    }
    {
        sqlite3_stmt *st = NULL;
        const char *t = NULL;
        int rc = sqlite3_prepare_v2(db->sql,
                                    "SELECT eaf_snippet(fts, 6) FROM fts WHERE fts MATCH"
                                    " '\"tokyo\"' AND rowid = (SELECT id FROM article"
                                    " WHERE key = 'short')",
                                    -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            t = (const char *)sqlite3_column_text(st, 0);
        is_str(t, "Japan and China agreed to improve relations. [Tokyo] and Beijing signed a swap deal.",
               "the column alone: default markers and budget");
        sqlite3_finalize(st);
    }
}

/* Every allocation of the function fails in turn: a clean SQLITE_NOMEM or
 * the right answer, never anything else (leaks: valgrind, ASan). */
static void test_nomem(void)
{
    const char *want = "...w59 [Japan] w61 w62...w149 [China] w151...";
    unsigned long n;
    int bad = 0, failures = 0, done = 0;

    for (n = 1; n < 200 && !done; n++) {
        const char *got;
        eaf__alloc_fail_at(n, 0);
        got = snip("\"japan\" AND \"china\"", "long", 7, 2);
        eaf__alloc_fail_at(0, 0);
        if (strcmp(got, want) == 0) {
            /* did allocation n happen at all? then it did not fail here */
            done = 1;
        } else if (last_rc == SQLITE_NOMEM) {
            failures++;
        } else {
            bad++;
            diag("allocation %lu: %s", n, got);
        }
    }
    ok(done, "the snippet is made once the failing allocation is past them all");
    is_int(bad, 0, "every failure is SQLITE_NOMEM");
    ok(failures > 0, "some allocations failed (%d)", failures);
}

static void test_huge(void)
{
    clock_t t0 = clock();
    const char *got = snip("\"needle\"", "huge", 32, 3);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;

    diag("200 KB body: %.3f s", secs);
    is_str(got, "...The [needle] is here. Lorem ipsum dolor sit amet, consectetur adipiscing "
                "elit. Lorem ipsum dolor sit amet, consectetur adipiscing elit. Lorem ipsum "
                "dolor sit amet, consectetur adipiscing elit. Lorem ipsum dolor sit...",
           "a 200 KB body: one fragment, starting at the match's sentence");
    got = snip("{title} : \"huge\"", "huge", 4, 3);
    is_str(got, "Lorem ipsum dolor sit...", "no match in it: the first words");
}

int main(void)
{
    tu_tmpdir();
    make_bodies();
    build_index();
    test_whole();
    test_fragments();
    test_no_match();
    test_text();
    test_cjk();
    test_clamp();
    test_errors();
    test_nomem();
    test_huge();
    eaf_db_close(db);
    free(huge_body);
    tu_cleanup();
    return done_testing();
}
