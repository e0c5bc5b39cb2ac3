/*
 * test_export.c: eaf_db_export() and the UTF-8 cleaning calls, through
 * the public header alone.  An index is exported, the export read back
 * with the JSON Lines reader into a new index, and that one exported
 * again: the two exports must be the same bytes (the same articles, and
 * the same settings in the header).
 */
#include "eafsearch.h"
#include "tap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

/* What an export wrote: text in memory, or a stop after limit bytes. */
typedef struct sink {
    char *p;
    size_t n, cap;
    size_t limit;             /* 0: no limit */
    int stop_calls;           /* pieces refused */
} sink;

static int to_sink(const char *data, size_t len, void *payload)
{
    sink *s = payload;

    if (s->limit && s->n + len > s->limit) {
        s->stop_calls++;
        return 1;
    }
    if (s->n + len + 1 > s->cap) {
        s->cap = (s->n + len + 1) * 2;
        s->p = realloc(s->p, s->cap);
        if (!s->p)
            abort();
    }
    memcpy(s->p + s->n, data, len);
    s->n += len;
    s->p[s->n] = '\0';
    return 0;
}

static eaf_db *open_index(const char *name)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    char path[512];
    eaf_db *db = NULL;
    char *err = NULL;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    oo.flags = EAF_OPEN_CREATE;
    if (eaf_db_open(&db, path, &oo, &err) != EAF_OK) {
        printf("# cannot open %s: %s\n", path, err ? err : "?");
        eaf_free(err);
        exit(99);
    }
    return db;
}

static int put(eaf_db *db, const char *key, const char *title, const char *date,
               const char *body, int rich)
{
    eaf_article *a = NULL;
    eaf_change change;
    eaf_status st = eaf_article_new(&a);

    if (st == EAF_OK)
        st = eaf_article_set(a, EAF_FIELD_KEY, key, EAF_NTS);
    if (st == EAF_OK)
        st = eaf_article_set(a, EAF_FIELD_TITLE, title, EAF_NTS);
    if (st == EAF_OK)
        st = eaf_article_set(a, EAF_FIELD_DATE, date, EAF_NTS);
    if (st == EAF_OK)
        st = eaf_article_set(a, EAF_FIELD_BODY, body, EAF_NTS);
    if (st == EAF_OK)
        st = eaf_article_add_author(a, "Ada Byron", rich ? "Analytical Society" : NULL);
    if (rich) {
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_URL, "https://example.org/engine", EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_SUMMARY, "Notes on the engine.", EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_BIO, "She wrote the notes.", EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_set(a, EAF_FIELD_LANGUAGE, "en", EAF_NTS);
        if (st == EAF_OK)
            st = eaf_article_add_author(a, "Charles Babbage", NULL);
        if (st == EAF_OK)
            st = eaf_article_add_tag(a, EAF_TAG_TOPIC, "Computing");
        if (st == EAF_OK)
            st = eaf_article_add_tag(a, EAF_TAG_COUNTRY, "United Kingdom");
        if (st == EAF_OK)
            st = eaf_article_add_tag(a, EAF_TAG_OTHER, "history");
        if (st == EAF_OK)
            st = eaf_article_add_related_title(a, "The difference engine");
    }
    if (st == EAF_OK)
        st = eaf_db_put(&change, db, a);
    eaf_article_free(a);
    return st == EAF_OK;
}

/* Reads an export (JSON Lines) into db; the number of articles stored,
 * or -1. */
static long read_back(eaf_db *db, const sink *s)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_reader *rd = NULL;
    eaf_article *a = NULL;
    eaf_change change;
    char *err = NULL;
    long n = 0;
    eaf_status st;

    ro.format = EAF_FORMAT_JSONL;
    if (eaf_reader_open_memory(&rd, s->p, s->n, "export.jsonl", &ro, &err) != EAF_OK) {
        printf("# %s\n", err ? err : "?");
        eaf_free(err);
        return -1;
    }
    if (eaf_db_begin(db) != EAF_OK)
        n = -1;
    while (n >= 0 && (st = eaf_reader_next(&a, rd)) == EAF_ROW) {
        if (eaf_db_put(&change, db, a) != EAF_OK)
            n = -1;
        else
            n++;
        eaf_article_free(a);
        a = NULL;
    }
    if (n >= 0 && eaf_db_commit(db) != EAF_OK)
        n = -1;
    eaf_reader_free(rd);
    return n;
}

static void test_round_trip(void)
{
    static const char header[] = "{\"eafsearch_export\":{\"version\":1,\"language\":\"english\","
                                 "\"related\":{\"count\":";
    eaf_db *a = open_index("a.db"), *b = open_index("b.db");
    eaf_export_options eo = EAF_EXPORT_OPTIONS_INIT;
    sink one, two;
    int64_t count = -1;
    eaf_article *got = NULL;
    size_t lines = 0, i;

    memset(&one, 0, sizeof(one));
    memset(&two, 0, sizeof(two));
    ok(eaf_db_begin(a) == EAF_OK, "a transaction");
    ok(put(a, "engine", "The analytical engine", "1843-09", "It weaves algebraic "
           "patterns as the Jacquard loom weaves flowers and leaves.", 1),
       "an article with every member");
    ok(put(a, "loom", "The Jacquard loom", "1804", "Punched cards drive the loom.", 0),
       "an article with few members");
    ok(put(a, "zürich", "Caf\xc3\xa9 \"notes\"\ttab", "2020-01-02",
           "Text with quotes \" and a backslash \\ and \xe2\x82\xac.", 0),
       "an article whose text JSON must escape");
    ok(eaf_db_commit(a) == EAF_OK, "committed");

    is_int(eaf_db_export(&count, a, &eo, to_sink, &one), EAF_OK, "exported");
    is_int(count, 3, "three articles written");
    ok(one.n > 0 && strncmp(one.p, header, strlen(header)) == 0,
       "the header line first: the language and the related options");
    for (i = 0; i < one.n; i++)
        lines += one.p[i] == '\n';
    is_int((long)lines, 4, "one line for the header, one per article");
    ok(one.n > 0 && one.p[one.n - 1] == '\n', "the last line ends");
    ok(strstr(one.p, "\n{\"id\":\"engine\",\"url\":\"https://example.org/engine\","
                     "\"title\":\"The analytical engine\",\"date\":\"1843-09\","
                     "\"authors\":[{\"name\":\"Ada Byron\",\"affiliation\":"
                     "\"Analytical Society\"},{\"name\":\"Charles Babbage\","
                     "\"affiliation\":null}],\"topics\":[\"Computing\"],"
                     "\"countries\":[\"United Kingdom\"],\"tags\":[\"history\"],"
                     "\"summary\":\"Notes on the engine.\"") != NULL,
       "an article's members, in their order");
    ok(strstr(one.p, "\"related\":[\"The difference engine\"]}\n") != NULL,
       "its related titles last");
    ok(strstr(one.p, "{\"id\":\"loom\",\"url\":null,") != NULL, "a missing member is null");

    {
        eaf_related_options ro = EAF_RELATED_OPTIONS_INIT, dflt;
        char *lang = NULL;
        int has = -1;
        size_t first = (size_t)(strchr(one.p, '\n') - one.p);

        is_int(eaf_related_defaults(&dflt, a), EAF_OK, "the index's related options");
        is_int(eaf_export_settings(&lang, &ro, &has, one.p, first), EAF_OK,
               "the header's settings read");
        is_str(lang, "english", "its language");
        is_int(has, 1, "it has related options");
        ok(ro.count == dflt.count && ro.terms == dflt.terms &&
               ro.title_weight == dflt.title_weight && ro.idf_power == dflt.idf_power &&
               ro.neighbours == dflt.neighbours &&
               (ro.flags & (EAF_RELATED_EARLIER | EAF_RELATED_TEXT_ONLY)) ==
                   (dflt.flags & (EAF_RELATED_EARLIER | EAF_RELATED_TEXT_ONLY)),
           "the same as the index's");
        eaf_free(lang);
        lang = NULL;
        is_int(eaf_export_settings(&lang, NULL, &has, one.p + first + 1, EAF_NTS),
               EAF_NOTFOUND, "an article's line is no header");
        ok(lang == NULL && has == 0, "nothing read from it");
        is_int(eaf_export_settings(&lang, NULL, NULL, "{\"eafsearch_export\":{\"version\":1,"
                                   "\"language\":\"french\"}}", EAF_NTS), EAF_OK,
               "a header without related options");
        is_str(lang, "french", "its language");
        eaf_free(lang);
    }
    is_int(read_back(b, &one), 3, "the JSON Lines reader reads the three back");
    is_int(eaf_db_export(NULL, b, NULL, to_sink, &two), EAF_OK, "the copy exported");
    ok(one.n == two.n && memcmp(one.p, two.p, one.n) == 0,
       "the copy's export is the same, byte for byte");
    ok(eaf_db_get(&got, b, "zürich") == EAF_OK && got &&
           strcmp(eaf_article_get(got, EAF_FIELD_BODY),
                  "Text with quotes \" and a backslash \\ and \xe2\x82\xac.") == 0,
       "an escaped text comes back as it was");
    eaf_article_free(got);

    /* a writer that fails stops the export */
    free(two.p);
    memset(&two, 0, sizeof(two));
    two.limit = one.n / 2;
    count = -1;
    is_int(eaf_db_export(&count, a, NULL, to_sink, &two), EAF_ABORT,
           "a write that fails stops it: EAF_ABORT");
    ok(count >= 0 && count < 3, "fewer articles written (%lld)", (long long)count);
    is_int(two.stop_calls, 1, "no piece is offered after the stop");
    ok(two.n <= two.limit && (two.n == 0 || memcmp(one.p, two.p, two.n) == 0),
       "what was written is the start of the export (%zu bytes of %zu)", two.n, one.n);
    ok(*eaf_db_errmsg(a) != '\0', "a message on the handle");

    eo.version = 0;
    is_int(eaf_db_export(NULL, a, &eo, to_sink, &two), EAF_MISUSE,
           "options of version 0: EAF_MISUSE");

    free(one.p);
    free(two.p);
    eaf_db_close(a);
    eaf_db_close(b);
}

static void test_utf8(void)
{
    static const struct {
        const char *in;
        size_t n;
        const char *out;
    } cases[] = {
        {"plain ascii", EAF_NTS, "plain ascii"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", EAF_NTS,
         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"a\xffz", EAF_NTS, "a\xef\xbf\xbdz"},
        {"\xc0\xaf", EAF_NTS, "\xef\xbf\xbd\xef\xbf\xbd"},           /* overlong */
        {"\xed\xa0\x80", EAF_NTS, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
        {"\xf4\x90\x80\x80", EAF_NTS,
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},           /* past U+10FFFF */
        {"cut \xe2\x82", EAF_NTS, "cut \xef\xbf\xbd\xef\xbf\xbd"},
        {"nul\0byte", 8, "nul\xef\xbf\xbd" "byte"},
        {"", EAF_NTS, ""},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = NULL;
        is_int(eaf_utf8_clean(&out, cases[i].in, cases[i].n), EAF_OK, "clean case %zu", i);
        is_str(out, cases[i].out, "cleaned case %zu", i);
        eaf_free(out);
    }
    is_int(eaf_utf8_clean(NULL, "x", 1), EAF_MISUSE, "no out: EAF_MISUSE");

    is_int((long)eaf_utf8_char("a", 1), 1, "one byte");
    is_int((long)eaf_utf8_char("\xc3\xa9", 2), 2, "two bytes");
    is_int((long)eaf_utf8_char("\xc3\xa9", 1), 0, "cut short: 0");
    is_int((long)eaf_utf8_char("\xe2\x82\xac", 3), 3, "three bytes");
    is_int((long)eaf_utf8_char("\xf0\x9f\x98\x80", 4), 4, "four bytes");
    is_int((long)eaf_utf8_char("\x80", 1), 0, "a continuation byte: 0");
    is_int((long)eaf_utf8_char("\xe0\x80\x80", 3), 0, "overlong: 0");
    is_int((long)eaf_utf8_char("x", 0), 0, "no bytes: 0");
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    char cmd[300];

    snprintf(dir, sizeof(dir), "%s/eafexport.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 99;
    }
    test_round_trip();
    test_utf8();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return done_testing();
}
