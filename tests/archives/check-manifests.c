/*
 * check-manifests: compares what an index holds with the manifest.jsonl of
 * a test archive (../shared/archives/README.md), field by field, through
 * the public API.
 *
 *   check-manifests [--by-id] [--slug-authors] [--fields LIST] [--label NAME]
 *                   DB MANIFEST
 *
 * For each manifest line that is not to be skipped, the article with the
 * line's key (with --by-id: its id) is read from DB, and its title, date,
 * authors (in order), tags (as a set: WordPress exports list them in
 * another order), and the first and last 12 words of its body are
 * compared with the manifest's; so are, where the manifest has them, the
 * topics, summary, affiliations, bio and related titles.  A line to be
 * skipped must have no article.  With --slug-authors the article's
 * authors are slugs ("laura-gerhardt") and are compared after
 * capitalising each word as the archives' README says ("Laura
 * Gerhardt").  --fields compares only the fields listed (names as in the
 * table, separated by commas).
 *
 * Prints one table row per field: matched / compared and the share, then
 * each miss (up to 15 per field) with the file, the expected and the got
 * values.  Exits 0 when every compared field matched, 1 otherwise, 2 on a
 * usage or input error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eafsearch.h>
#include <jansson.h>

enum {
    F_PRESENT, F_KEY, F_TITLE, F_DATE, F_AUTHORS, F_TAGS, F_FIRST, F_LAST,
    F_TOPICS, F_SUMMARY, F_AFFILIATIONS, F_BIO, F_RELATED, F_SKIPPED, F_COUNT
};
static const char *const field_names[F_COUNT] = {
    "indexed", "key", "title", "date", "authors", "tags", "body start",
    "body end", "topics", "summary", "affiliations", "bio", "related", "skipped"};

#define MAX_SHOWN 15

static long matched[F_COUNT], compared[F_COUNT];
static int wanted[F_COUNT];
static int shown[F_COUNT];
static int slug_authors;

/* ---- words ------------------------------------------------------------------ */

/* The length of the Unicode white-space character at s (as Python's
 * str.split() sees it), or 0. */
static size_t white(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r') || (*s >= 0x1C && *s <= 0x1F))
        return 1;
    if (s[0] == 0xC2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (s[0] == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x80 &&
        ((s[2] >= 0x80 && s[2] <= 0x8A) || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
        return 3;
    if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
        return 3;
    if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

/* The first (or last) n words of s joined by single spaces; the caller
 * frees it.  NULL for a NULL text. */
static char *words(const char *text, int n, int first)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t cap = 64, count = 0, i, len = 0;
    const unsigned char **start;
    size_t *wlen;
    char *out;
    size_t from, to;

    if (!text)
        return NULL;
    start = malloc(cap * sizeof(*start));
    wlen = malloc(cap * sizeof(*wlen));
    while (*s) {
        size_t k;
        while ((k = white(s)) > 0)
            s += k;
        if (!*s)
            break;
        if (count == cap) {
            cap *= 2;
            start = realloc(start, cap * sizeof(*start));
            wlen = realloc(wlen, cap * sizeof(*wlen));
        }
        start[count] = s;
        while (*s && !white(s))
            s++;
        wlen[count] = (size_t)(s - start[count]);
        count++;
    }
    from = first ? 0 : (count > (size_t)n ? count - (size_t)n : 0);
    to = first ? (count < (size_t)n ? count : (size_t)n) : count;
    for (i = from; i < to; i++)
        len += wlen[i] + 1;
    out = malloc(len + 1);
    len = 0;
    for (i = from; i < to; i++) {
        if (len)
            out[len++] = ' ';
        memcpy(out + len, start[i], wlen[i]);
        len += wlen[i];
    }
    out[len] = '\0';
    free(start);
    free(wlen);
    return out;
}

/* ---- comparing ---------------------------------------------------------------- */

static void note(int f, int ok, const char *file, const char *want, const char *got)
{
    if (!wanted[f])
        return;
    compared[f]++;
    if (ok) {
        matched[f]++;
        return;
    }
    if (shown[f]++ < MAX_SHOWN)
        printf("  miss %-12s %s\n      expected: %s\n      got:      %s\n", field_names[f],
               file, want ? want : "null", got ? got : "null");
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* "laura-gerhardt" -> "Laura Gerhardt"; "18F" stays. */
static void capitalise(const char *slug, char *out, size_t size)
{
    size_t i, o = 0;
    int start = 1;

    for (i = 0; slug[i] && o + 1 < size; i++) {
        char c = slug[i];
        if (c == '-') {
            out[o++] = ' ';
            start = 1;
            continue;
        }
        if (start && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        out[o++] = c;
        start = 0;
    }
    out[o] = '\0';
}

/* A JSON array of strings as "a | b | c". */
static void join_json(json_t *arr, char *out, size_t size)
{
    size_t i, o = 0;

    out[0] = '\0';
    for (i = 0; json_is_array(arr) && i < json_array_size(arr); i++) {
        const char *v = json_string_value(json_array_get(arr, i));
        o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", i ? " | " : "",
                              v ? v : "null");
    }
}

typedef const char *(*getter)(const eaf_article *a, size_t i);

static const char *get_author(const eaf_article *a, size_t i)
{
    static char buf[512];
    const char *v = eaf_article_author_name(a, i);

    if (!v || !slug_authors)
        return v;
    capitalise(v, buf, sizeof(buf));
    return buf;
}

static const char *get_aff(const eaf_article *a, size_t i)
{
    return eaf_article_author_affiliation(a, i);
}

static const char *get_tag(const eaf_article *a, size_t i)
{
    return eaf_article_tag(a, EAF_TAG_OTHER, i);
}

static const char *get_topic(const eaf_article *a, size_t i)
{
    return eaf_article_tag(a, EAF_TAG_TOPIC, i);
}

static const char *get_related(const eaf_article *a, size_t i)
{
    return eaf_article_related_title(a, i);
}

static void join_article(const eaf_article *a, getter get, size_t n, char *out, size_t size)
{
    size_t i, o = 0;

    out[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *v = get(a, i);
        o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s", i ? " | " : "",
                              v ? v : "null");
    }
}

/* Compares a list in order (or as a set). */
static void compare_list(int f, const char *file, json_t *want, const eaf_article *a,
                         getter get, size_t n, int as_set)
{
    char w[4096], g[4096];
    size_t i, j;
    int ok = json_is_array(want) && json_array_size(want) == n;

    for (i = 0; ok && i < n; i++) {
        const char *wv = json_string_value(json_array_get(want, i));
        if (!as_set) {
            ok = same(wv, get(a, i));
        } else {
            int found = 0;
            for (j = 0; j < n && !found; j++)
                found = same(wv, get(a, j));
            ok = found;
        }
    }
    join_json(want, w, sizeof(w));
    join_article(a, get, n, g, sizeof(g));
    note(f, ok, file, w, g);
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void check_line(eaf_db *db, json_t *m, int by_id)
{
    const char *file = jstr(m, "file"), *key = jstr(m, by_id ? "id" : "key");
    eaf_article *a = NULL;
    eaf_status st;
    char *got;
    json_t *v;

    if (!file)
        file = "?";
    if (json_is_true(json_object_get(m, "skip"))) {
        int absent = 1;
        if (by_id)
            return; /* another archive's skipped file: nothing to say */
        if (key && eaf_db_get(&a, db, key) == EAF_OK) {
            absent = 0;
            eaf_article_free(a);
        }
        note(F_SKIPPED, absent, file, "not indexed", absent ? "not indexed" : "indexed");
        return;
    }
    st = key ? eaf_db_get(&a, db, key) : EAF_NOTFOUND;
    note(F_PRESENT, st == EAF_OK, file, key, st == EAF_OK ? key : eaf_status_str(st));
    if (st != EAF_OK)
        return;
    if (!by_id)
        note(F_KEY, same(key, eaf_article_get(a, EAF_FIELD_KEY)), file, key,
             eaf_article_get(a, EAF_FIELD_KEY));
    note(F_TITLE, same(jstr(m, "title"), eaf_article_get(a, EAF_FIELD_TITLE)), file,
         jstr(m, "title"), eaf_article_get(a, EAF_FIELD_TITLE));
    note(F_DATE, same(jstr(m, "date"), eaf_article_get(a, EAF_FIELD_DATE)), file,
         jstr(m, "date"), eaf_article_get(a, EAF_FIELD_DATE));
    compare_list(F_AUTHORS, file, json_object_get(m, "authors"), a, get_author,
                 eaf_article_author_count(a), 0);
    compare_list(F_TAGS, file, json_object_get(m, "tags"), a, get_tag,
                 eaf_article_tag_count(a, EAF_TAG_OTHER), 1);
    got = words(eaf_article_get(a, EAF_FIELD_BODY), 12, 1);
    note(F_FIRST, same(jstr(m, "body_first_words"), got), file, jstr(m, "body_first_words"),
         got);
    free(got);
    got = words(eaf_article_get(a, EAF_FIELD_BODY), 12, 0);
    note(F_LAST, same(jstr(m, "body_last_words"), got), file, jstr(m, "body_last_words"), got);
    free(got);
    if ((v = json_object_get(m, "topics")) != NULL)
        compare_list(F_TOPICS, file, v, a, get_topic, eaf_article_tag_count(a, EAF_TAG_TOPIC),
                     0);
    if (json_object_get(m, "summary")) {
        /* the summary as plain text, white space squeezed */
        char *w = words(jstr(m, "summary"), 1 << 20, 1);
        char *g = words(eaf_article_get(a, EAF_FIELD_SUMMARY), 1 << 20, 1);
        if (w && !*w) {
            free(w);
            w = NULL;
        }
        note(F_SUMMARY, same(w, g), file, w, g);
        free(w);
        free(g);
    }
    if ((v = json_object_get(m, "affiliations")) != NULL && json_is_array(v))
        compare_list(F_AFFILIATIONS, file, v, a, get_aff, eaf_article_author_count(a), 0);
    if (json_object_get(m, "bio"))
        note(F_BIO, same(jstr(m, "bio"), eaf_article_get(a, EAF_FIELD_BIO)), file,
             jstr(m, "bio"), eaf_article_get(a, EAF_FIELD_BIO));
    if ((v = json_object_get(m, "related")) != NULL)
        compare_list(F_RELATED, file, v, a, get_related, eaf_article_related_title_count(a),
                     0);
    eaf_article_free(a);
}

int main(int argc, char **argv)
{
    const char *label = NULL, *dbpath, *manifest;
    int by_id = 0, i, f, all = 1, fields_given = 0;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db;
    char *err = NULL, line[1 << 16], *big = NULL;
    FILE *fp;
    long lines = 0;

    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--by-id") == 0)
            by_id = 1;
        else if (strcmp(argv[i], "--slug-authors") == 0)
            slug_authors = 1;
        else if (strcmp(argv[i], "--label") == 0 && i + 1 < argc)
            label = argv[++i];
        else if (strcmp(argv[i], "--fields") == 0 && i + 1 < argc) {
            /* a comma-separated list of field names; the others are not compared */
            const char *list = argv[++i];
            for (f = 0; f < F_COUNT; f++) {
                const char *p = strstr(list, field_names[f]);
                size_t k = strlen(field_names[f]);
                wanted[f] = p && (p == list || p[-1] == ',') && (p[k] == ',' || !p[k]);
            }
            fields_given = 1;
        }
        else {
            fprintf(stderr, "check-manifests: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (argc - i != 2) {
        fprintf(stderr, "Usage: check-manifests [--by-id] [--slug-authors] [--label NAME] "
                        "DB MANIFEST\n");
        return 2;
    }
    dbpath = argv[i];
    manifest = argv[i + 1];
    if (!fields_given)
        for (f = 0; f < F_COUNT; f++)
            wanted[f] = 1;
    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, dbpath, &oo, &err) != EAF_OK) {
        fprintf(stderr, "check-manifests: %s\n", err ? err : "cannot open the index");
        eaf_free(err);
        return 2;
    }
    fp = fopen(manifest, "r");
    if (!fp) {
        perror(manifest);
        eaf_db_close(db);
        return 2;
    }
    printf("== %s\n", label ? label : manifest);
    for (;;) {
        json_error_t je;
        json_t *m;
        size_t n;
        char *text = fgets(line, sizeof(line), fp);

        if (!text)
            break;
        n = strlen(line);
        if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
            /* a long line: read the rest */
            size_t cap = n * 2;
            int c;
            big = malloc(cap);
            memcpy(big, line, n);
            while ((c = fgetc(fp)) != EOF && c != '\n') {
                if (n + 1 >= cap)
                    big = realloc(big, cap *= 2);
                big[n++] = (char)c;
            }
            big[n] = '\0';
            text = big;
        }
        m = json_loads(text, 0, &je);
        free(big);
        big = NULL;
        if (!m) {
            fprintf(stderr, "check-manifests: %s: line %ld: %s\n", manifest, lines + 1,
                    je.text);
            continue;
        }
        lines++;
        check_line(db, m, by_id);
        json_decref(m);
    }
    fclose(fp);
    eaf_db_close(db);
    printf("  %-13s %8s %8s %8s\n", "field", "matched", "of", "share");
    for (f = 0; f < F_COUNT; f++) {
        if (!compared[f])
            continue;
        printf("  %-13s %8ld %8ld %7.1f%%\n", field_names[f], matched[f], compared[f],
               100.0 * (double)matched[f] / (double)compared[f]);
        if (matched[f] != compared[f])
            all = 0;
    }
    return all ? 0 : 1;
}
