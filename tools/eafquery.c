/*
 * eafquery: search an index from the shell.
 *
 *   eafquery [-d DB] [-n N] [--format FORMAT] [--fields LIST] [filters] QUERY...
 *   eafquery --batch [OPTION]... < queries
 *
 * The query is the rest of the command line (or, with --batch, each line of
 * standard input).  Every output format goes through one printer
 * interface (struct printer): the driver runs a search and hands the query,
 * then each hit, to the printer of the chosen format.
 */
#include "common.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define DEFAULT_LIMIT 10
#define DEFAULT_FACETS 10
#define MAX_FACETS 1000
#define JSON_SCHEMA_VERSION 1

/* ---- hit members ----------------------------------------------------------- */

enum field { F_RANK, F_KEY, F_URL, F_TITLE, F_DATE, F_AUTHORS, F_SCORE, F_SNIPPET,
             F_SUMMARY, F_TOPICS, F_COUNTRIES, F_TAGS, F_LAST };

static const char *const field_names[F_LAST] = {
    "rank", "key", "url", "title", "date", "authors", "score", "snippet",
    "summary", "topics", "countries", "tags",
};

/* the members shown without --fields (those of the first JSON schema) */
#define N_DEFAULT_FIELDS 8

#define BIT(f) (1u << (f))
/* the members read from the whole article */
#define ARTICLE_FIELDS (BIT(F_AUTHORS) | BIT(F_TOPICS) | BIT(F_COUNTRIES) | BIT(F_TAGS))

/* ---- configuration --------------------------------------------------------- */

typedef struct printer printer;

typedef struct config {
    const printer *p;
    int batch;
    int explain;
    int filters;               /* any filter option given */
    unsigned facets_top;       /* 0: no facets */
    unsigned limit;            /* -n: the most hits to print; 0: none
                                  (so.limit is then 1: the library's 0
                                  means its default) */
    enum field fields[F_LAST]; /* the members to print, in order */
    size_t nfields;
    unsigned field_mask;
    eaf_search_options so;
    eaf_db *db;
} config;

/* One query as the printers see it. */
typedef struct query_run {
    const char *qid;        /* NULL outside batch mode */
    const char *query;
    eaf_search *s;
    int64_t total;          /* -1 unless the printer asked for it */
    eaf_facets *facets;     /* NULL unless --facets */
    const char *suggestion; /* NULL: none */
} query_run;

/* The state of the output, shared by all the queries of a run. */
typedef struct output {
    const config *cfg;
    int nqueries;           /* queries begun so far */
    unsigned shown;         /* hits printed for the current query */
    json_t *root, *hits;    /* json: the current query's object */
} output;

/*
 * A printer: one per format.  start is called once before any query,
 * begin before each query's hits, hit once per hit (rank counts from
 * offset + 1), end after the hits, or with ok = 0 after a failure once
 * begin has succeeded (to discard what was held back).  Any of them may be
 * NULL.  They return 0, or -1 after a failure they reported, or FAIL_DB
 * after one whose message is on the db handle.
 */
#define P_TOTAL  0x1u  /* needs the total number of hits */
#define P_HITS   0x2u  /* steps through the hits */
#define P_NOTES  0x4u  /* shows the fallback and suggestion itself */
#define P_FIELDS 0x8u  /* honours --fields */
#define P_FACETS 0x10u /* shows facets */

struct printer {
    const char *name;
    unsigned flags;
    int (*start)(output *o);
    int (*begin)(output *o, const query_run *r);
    int (*hit)(output *o, const query_run *r, unsigned rank);
    int (*end)(output *o, const query_run *r, int ok);
};

#define FAIL_DB (-2)

/* ---- small helpers --------------------------------------------------------- */

static const char *sort_name(eaf_sort sort)
{
    static const char *const names[EAF_SORT_LAST] = {"relevance", "newest", "oldest"};
    return (unsigned)sort < EAF_SORT_LAST ? names[sort] : "?";
}

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Is the character (len bytes at s) a control character: C0, DEL, C1? */
static int is_control(const unsigned char *s, size_t len)
{
    return (len == 1 && (s[0] < 0x20 || s[0] == 0x7F)) ||
           (len == 2 && s[0] == 0xC2 && s[1] < 0xA0);
}

/*
 * Prints text for people: tabs and line breaks become spaces, other control
 * characters and invalid UTF-8 become U+FFFD, and after max characters (0:
 * no limit) the rest becomes "...".  The markers keep (they are ours: the
 * terminal's colours around matches), when given.  NULL prints nothing.
 */
static void put_clean_marked(FILE *f, const char *s, size_t max, const char *open,
                             const char *close)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = s ? strlen(s) : 0, i = 0, chars = 0;
    size_t lo = open ? strlen(open) : 0, lc = close ? strlen(close) : 0;

    while (i < n) {
        size_t len;

        if (lo && strncmp(s + i, open, lo) == 0) {
            fputs(open, f);
            i += lo;
            continue;
        }
        if (lc && strncmp(s + i, close, lc) == 0) {
            fputs(close, f);
            i += lc;
            continue;
        }
        if (max && chars == max) {
            fputs("...", f);
            break;
        }
        len = eaf_utf8_char(s + i, n - i);
        if (len == 0) {
            fputs(REPLACEMENT, f);
            i++;
        } else if (p[i] == '\t' || p[i] == '\n' || p[i] == '\r') {
            putc(' ', f);
            i++;
        } else if (is_control(p + i, len)) {
            fputs(REPLACEMENT, f);
            i += len;
        } else {
            fwrite(s + i, 1, len, f);
            i += len;
        }
        chars++;
    }
}

/* Text on one line, cleaned (see put_clean_marked); NULL prints nothing. */
static void put_flat(const char *s)
{
    put_clean_marked(stdout, s, 0, NULL, NULL);
}

/* The longest echo of a query, suggestion or word in text and notes, in
 * characters. */
#define ECHO_MAX 200

/* Echoes text from outside (the query, a qid, a suggestion made from the
 * query) to people: cleaned, and shortened when long. */
static void put_echo(FILE *f, const char *s)
{
    put_clean_marked(f, s, ECHO_MAX, NULL, NULL);
}

/* The current hit's article, or NULL after a failure (message on the db). */
static const eaf_article *hit_article(eaf_search *s)
{
    const eaf_article *a = NULL;

    return eaf_search_article(&a, s) == EAF_OK ? a : NULL;
}

static eaf_tag_kind field_tag_kind(enum field f)
{
    return f == F_TOPICS ? EAF_TAG_TOPIC : f == F_COUNTRIES ? EAF_TAG_COUNTRY : EAF_TAG_OTHER;
}

/* "Name (Affiliation)<sep>Name", with tabs and line breaks flattened. */
static void put_authors(const eaf_article *a, const char *sep)
{
    size_t i, n = eaf_article_author_count(a);

    for (i = 0; i < n; i++) {
        const char *aff = eaf_article_author_affiliation(a, i);
        if (i)
            fputs(sep, stdout);
        put_flat(eaf_article_author_name(a, i));
        if (aff) {
            fputs(" (", stdout);
            put_flat(aff);
            putchar(')');
        }
    }
}

static void put_tags(const eaf_article *a, eaf_tag_kind kind, const char *sep)
{
    size_t i, n = eaf_article_tag_count(a, kind);

    for (i = 0; i < n; i++) {
        if (i)
            fputs(sep, stdout);
        put_flat(eaf_article_tag(a, kind, i));
    }
}

/* A JSON string of any text (the query, a qid, a suggestion made from the
 * query, a field of an article), which may not be valid UTF-8: never
 * NULL but when out of memory, so that no member goes missing. */
static json_t *json_text(const char *s)
{
    json_t *j = json_string(s);
    char *clean;

    if (j)
        return j;
    if (eaf_utf8_clean(&clean, s, EAF_NTS) != EAF_OK)
        return NULL;
    j = json_string(clean);
    eaf_free(clean);
    return j;
}

static json_t *json_str_or_null(const char *s)
{
    return s ? json_text(s) : json_null();
}

/* ---- notes: fallback and suggestion ---------------------------------------- */

/* "no article has all the words; showing articles with any of them
 * (no article has: a, b)" after the given first letter. */
static void put_fallback_note(FILE *f, eaf_search *s, int capital)
{
    size_t i, n = eaf_search_dropped_count(s);

    fprintf(f, "%co article has all the words; showing articles with any of them",
            capital ? 'N' : 'n');
    for (i = 0; i < n; i++) {
        fputs(i ? ", " : " (no article has: ", f);
        put_echo(f, eaf_search_dropped(s, i));
    }
    fputs(n ? ")." : ".", f);
}

/* "read as a question: ..." after the given first letter. */
static void put_question_note(FILE *f, int capital)
{
    fprintf(f, "%cead as a question: showing articles with any of the words, those with"
               " more of them first (--all-words or AND: all of them).",
            capital ? 'R' : 'r');
}

/* "eafquery: qid Q: " on standard error. */
static void note_start(const query_run *r)
{
    fprintf(stderr, "%s: ", progname);
    if (r->qid) {
        fputs("qid ", stderr);
        put_echo(stderr, r->qid);
        fputs(": ", stderr);
    }
}

/* For the machine-readable formats: the notes go to standard error. */
static void warn_notes(const query_run *r)
{
    if (eaf_search_question(r->s)) {
        note_start(r);
        put_question_note(stderr, 0);
        fputc('\n', stderr);
    }
    if (eaf_search_fallback(r->s)) {
        note_start(r);
        put_fallback_note(stderr, r->s, 0);
        fputc('\n', stderr);
    }
    if (r->suggestion) {
        note_start(r);
        fputs("did you mean: ", stderr);
        put_echo(stderr, r->suggestion);
        fputs("?\n", stderr);
    }
}

/* ---- text ------------------------------------------------------------------ */

static void put_facets_text(const eaf_facets *f)
{
    int k;

    for (k = 0; k < EAF_FACET_LAST; k++) {
        size_t i, n = eaf_facets_count(f, (eaf_facet)k);

        printf("%s%s:%s\n", k ? "" : "\n", eaf_facet_name((eaf_facet)k), n ? "" : " (none)");
        for (i = 0; i < n; i++) {
            int64_t count = 0;
            const char *v = eaf_facets_value(f, (eaf_facet)k, i, &count);
            printf("  %6lld  ", (long long)count);
            put_flat(v);
            putchar('\n');
        }
    }
}

static int text_begin(output *o, const query_run *r)
{
    unsigned offset = o->cfg->so.offset;

    if (o->nqueries > 1)
        putchar('\n');
    if (r->qid) {
        put_echo(stdout, r->qid);
        fputs(": ", stdout);
    }
    printf("%lld %s", (long long)r->total,
           r->total == 1 ? "article matches" : "articles match");
    if (*r->query || !o->cfg->filters) {
        fputs(" \"", stdout);
        put_echo(stdout, r->query);
        putchar('"');
    } else {
        printf(" the filters");
    }
    printf("%s\n", r->total > 0 && o->cfg->limit > 0 && (int64_t)offset >= r->total
                       ? " (none at this offset)" : "");
    if (eaf_search_question(r->s)) {
        put_question_note(stdout, 1);
        putchar('\n');
    }
    if (eaf_search_fallback(r->s)) {
        put_fallback_note(stdout, r->s, 1);
        putchar('\n');
    }
    if (r->suggestion) {
        fputs("Did you mean: ", stdout);
        put_echo(stdout, r->suggestion);
        fputs("?\n", stdout);
    }
    return 0;
}

/* Starts a part of the line under the title: "   a | b | c". */
static void text_part(int *n)
{
    fputs((*n)++ ? " | " : "   ", stdout);
}

static void text_tag_line(const eaf_article *a, enum field f, const char *label)
{
    eaf_tag_kind kind = field_tag_kind(f);

    if (eaf_article_tag_count(a, kind) == 0)
        return;
    printf("   %s: ", label);
    put_tags(a, kind, ", ");
    putchar('\n');
}

/*
 * The layout is fixed whatever the order of --fields:
 *
 *   N. Title
 *      date | authors (affiliations) | score S
 *      key <url>
 *      Topics: ... / Countries: ... / Tags: ... / Summary: ...
 *      snippet
 */
static int text_hit(output *o, const query_run *r, unsigned rank)
{
    unsigned m = o->cfg->field_mask;
    eaf_search *s = r->s;
    const eaf_article *a = NULL;
    const char *key = eaf_search_field(s, EAF_FIELD_KEY);
    const char *url = eaf_search_field(s, EAF_FIELD_URL);
    const char *date = eaf_search_field(s, EAF_FIELD_DATE);
    const char *v;
    int n = 0;

    if ((m & ARTICLE_FIELDS) && !(a = hit_article(s)))
        return FAIL_DB;
    putchar('\n');
    if (m & (BIT(F_RANK) | BIT(F_TITLE))) {
        if (m & BIT(F_RANK))
            printf("%u. ", rank);
        if (m & BIT(F_TITLE))
            put_flat(eaf_search_field(s, EAF_FIELD_TITLE));
        putchar('\n');
    }
    if ((m & BIT(F_DATE)) && date) {
        text_part(&n);
        fputs(date, stdout);
    }
    if ((m & BIT(F_AUTHORS)) && eaf_article_author_count(a) > 0) {
        text_part(&n);
        put_authors(a, ", ");
    }
    if ((m & BIT(F_SCORE)) && eaf_search_has_score(s)) {
        text_part(&n);
        printf("score %.3f", eaf_search_score(s));
    }
    if (n)
        putchar('\n');
    n = 0;
    if (m & BIT(F_KEY)) {
        text_part(&n);
        put_flat(key);
    }
    if ((m & BIT(F_URL)) && url && !((m & BIT(F_KEY)) && strcmp(url, key) == 0)) {
        fputs(n++ ? " <" : "   <", stdout);
        put_flat(url);
        putchar('>');
    }
    if (n)
        putchar('\n');
    if (m & BIT(F_TOPICS))
        text_tag_line(a, F_TOPICS, "Topics");
    if (m & BIT(F_COUNTRIES))
        text_tag_line(a, F_COUNTRIES, "Countries");
    if (m & BIT(F_TAGS))
        text_tag_line(a, F_TAGS, "Tags");
    if ((m & BIT(F_SUMMARY)) && (v = eaf_search_field(s, EAF_FIELD_SUMMARY)) && *v) {
        fputs("   Summary: ", stdout);
        put_flat(v);
        putchar('\n');
    }
    if (m & BIT(F_SNIPPET)) {
        v = eaf_search_snippet(s);
        if (!v)
            return FAIL_DB;
        if (*v) {
            fputs("   ", stdout);
            put_clean_marked(stdout, v, 0, o->cfg->so.mark_open, o->cfg->so.mark_close);
            putchar('\n');
        }
    }
    return 0;
}

static int text_end(output *o, const query_run *r, int ok)
{
    unsigned offset = o->cfg->so.offset;

    if (!ok)
        return 0;
    if (o->shown > 0 && (r->total > (int64_t)(offset + o->shown) || offset > 0))
        printf("\nshowing %u-%u of %lld\n", offset + 1, offset + o->shown,
               (long long)r->total);
    if (r->facets)
        put_facets_text(r->facets);
    return 0;
}

/* ---- json and jsonl -------------------------------------------------------- */

static json_t *json_tags(const eaf_article *a, eaf_tag_kind kind)
{
    json_t *arr = json_array();
    size_t i, n = eaf_article_tag_count(a, kind);

    for (i = 0; arr && i < n; i++)
        json_array_append_new(arr, json_text(eaf_article_tag(a, kind, i)));
    return arr;
}

/* Adds the chosen members of the current hit to obj. */
static int json_hit_members(const output *o, json_t *obj, eaf_search *s, unsigned rank)
{
    const config *cfg = o->cfg;
    const eaf_article *a = NULL;
    size_t i, j;

    if ((cfg->field_mask & ARTICLE_FIELDS) && !(a = hit_article(s)))
        return FAIL_DB;
    for (i = 0; i < cfg->nfields; i++) {
        enum field f = cfg->fields[i];
        json_t *v = NULL;
        const char *snippet;

        switch (f) {
        case F_RANK: v = json_integer(rank); break;
        case F_KEY: v = json_text(eaf_search_field(s, EAF_FIELD_KEY)); break;
        case F_URL: v = json_str_or_null(eaf_search_field(s, EAF_FIELD_URL)); break;
        case F_TITLE: v = json_str_or_null(eaf_search_field(s, EAF_FIELD_TITLE)); break;
        case F_DATE: v = json_str_or_null(eaf_search_field(s, EAF_FIELD_DATE)); break;
        case F_SUMMARY: v = json_str_or_null(eaf_search_field(s, EAF_FIELD_SUMMARY)); break;
        case F_SCORE:
            v = eaf_search_has_score(s) ? json_real(eaf_search_score(s)) : json_null();
            break;
        case F_SNIPPET:
            snippet = eaf_search_snippet(s);
            if (!snippet)
                return FAIL_DB;
            v = json_text(snippet);
            break;
        case F_AUTHORS:
            v = json_array();
            for (j = 0; v && j < eaf_article_author_count(a); j++) {
                json_t *au = json_object();
                json_object_set_new(au, "name", json_text(eaf_article_author_name(a, j)));
                json_object_set_new(au, "affiliation",
                                    json_str_or_null(eaf_article_author_affiliation(a, j)));
                json_array_append_new(v, au);
            }
            break;
        case F_TOPICS:
        case F_COUNTRIES:
        case F_TAGS:
            v = json_tags(a, field_tag_kind(f));
            break;
        case F_LAST:
            break;
        }
        if (!v || json_object_set_new(obj, field_names[f], v) != 0) {
            warnx_("out of memory");
            return -1;
        }
    }
    return 0;
}

static json_t *json_facets(const eaf_facets *f)
{
    json_t *obj = json_object();
    int k;

    for (k = 0; obj && k < EAF_FACET_LAST; k++) {
        json_t *arr = json_array();
        size_t i, n = eaf_facets_count(f, (eaf_facet)k);

        for (i = 0; arr && i < n; i++) {
            int64_t count = 0;
            const char *v = eaf_facets_value(f, (eaf_facet)k, i, &count);
            json_t *item = json_object();
            json_object_set_new(item, "value", json_text(v));
            json_object_set_new(item, "count", json_integer(count));
            json_array_append_new(arr, item);
        }
        json_object_set_new(obj, eaf_facet_name((eaf_facet)k), arr);
    }
    return obj;
}

static int json_begin(output *o, const query_run *r)
{
    const config *cfg = o->cfg;
    json_t *root = json_object(), *dropped = json_array();
    size_t i;

    o->root = root;
    o->hits = json_array();
    if (!root || !dropped || !o->hits) {
        json_decref(dropped);
        json_decref(o->hits);
        json_decref(root);
        o->root = o->hits = NULL;
        warnx_("out of memory");
        return -1;
    }
    for (i = 0; i < eaf_search_dropped_count(r->s); i++)
        json_array_append_new(dropped, json_text(eaf_search_dropped(r->s, i)));
    json_object_set_new(root, "version", json_integer(JSON_SCHEMA_VERSION));
    if (r->qid)
        json_object_set_new(root, "qid", json_text(r->qid));
    json_object_set_new(root, "query", json_text(r->query));
    json_object_set_new(root, "total", json_integer(r->total));
    json_object_set_new(root, "offset", json_integer(cfg->so.offset));
    json_object_set_new(root, "limit", json_integer(cfg->limit));
    json_object_set_new(root, "sort", json_string(sort_name(cfg->so.sort)));
    json_object_set_new(root, "question", json_boolean(eaf_search_question(r->s)));
    json_object_set_new(root, "fallback", json_boolean(eaf_search_fallback(r->s)));
    json_object_set_new(root, "dropped", dropped);
    json_object_set_new(root, "suggestion", json_str_or_null(r->suggestion));
    return 0;
}

static int json_hit(output *o, const query_run *r, unsigned rank)
{
    json_t *hit = json_object();
    int rc;

    if (!hit) {
        warnx_("out of memory");
        return -1;
    }
    rc = json_hit_members(o, hit, r->s, rank);
    if (rc == 0 && json_array_append_new(o->hits, hit) != 0) {
        warnx_("out of memory");
        rc = -1;
    } else if (rc != 0)
        json_decref(hit);
    return rc;
}

static int json_end(output *o, const query_run *r, int ok)
{
    size_t flags = JSON_PRESERVE_ORDER |
                   (o->cfg->batch ? JSON_COMPACT : JSON_INDENT(2));
    char *text = NULL;
    int rc = 0;

    if (ok) {
        json_object_set_new(o->root, "hits", o->hits);
        o->hits = NULL;
        if (r->facets)
            json_object_set_new(o->root, "facets", json_facets(r->facets));
        text = json_dumps(o->root, flags);
        if (text)
            printf("%s\n", text);
        else {
            warnx_("out of memory");
            rc = -1;
        }
    }
    free(text);
    json_decref(o->hits);
    json_decref(o->root);
    o->hits = o->root = NULL;
    return rc;
}

/* Prints a JSON value on one line; -1 when it could not be made (NULL:
 * out of memory). */
static int print_json_line(json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

    if (!text) {
        warnx_("out of memory");
        return -1;
    }
    printf("%s\n", text);
    free(text);
    return 0;
}

/* A query that printed no hit (none matched, -n 0, or an offset past the
 * last) prints one line of its own, told from a hit by its "total" (a hit
 * has no such member), so that it is not mistaken for a missing query. */
static int jsonl_end(output *o, const query_run *r, int ok)
{
    json_t *line;
    int64_t total = 0;
    int rc;

    if (!ok || o->shown > 0)
        return 0;
    if (eaf_search_total(&total, r->s) != EAF_OK)
        return FAIL_DB;
    line = json_object();
    if (line && r->qid)
        json_object_set_new(line, "qid", json_text(r->qid));
    if (line) {
        json_object_set_new(line, "query", json_text(r->query));
        json_object_set_new(line, "total", json_integer(total));
    }
    rc = print_json_line(line);
    json_decref(line);
    return rc;
}

static int jsonl_hit(output *o, const query_run *r, unsigned rank)
{
    json_t *hit = json_object();
    int rc;

    if (!hit) {
        warnx_("out of memory");
        return -1;
    }
    if (r->qid)
        json_object_set_new(hit, "qid", json_text(r->qid));
    json_object_set_new(hit, "query", json_text(r->query));
    rc = json_hit_members(o, hit, r->s, rank);
    if (rc == 0)
        rc = print_json_line(hit);
    json_decref(hit);
    return rc;
}

/* ---- tsv ------------------------------------------------------------------- */

static int tsv_start(output *o)
{
    const config *cfg = o->cfg;
    size_t i;

    if (cfg->batch)
        fputs("qid\t", stdout);
    for (i = 0; i < cfg->nfields; i++)
        printf("%s%s", i ? "\t" : "", field_names[cfg->fields[i]]);
    putchar('\n');
    return 0;
}

static int tsv_hit(output *o, const query_run *r, unsigned rank)
{
    const config *cfg = o->cfg;
    eaf_search *s = r->s;
    const eaf_article *a = NULL;
    const char *v;
    size_t i;

    if ((cfg->field_mask & ARTICLE_FIELDS) && !(a = hit_article(s)))
        return FAIL_DB;
    if (r->qid) {
        put_flat(r->qid);
        putchar('\t');
    }
    for (i = 0; i < cfg->nfields; i++) {
        enum field f = cfg->fields[i];

        if (i)
            putchar('\t');
        switch (f) {
        case F_RANK: printf("%u", rank); break;
        case F_SCORE:
            if (eaf_search_has_score(s)) /* none: empty, as a missing value */
                printf("%.6f", eaf_search_score(s));
            break;
        case F_AUTHORS: put_authors(a, "; "); break;
        case F_TOPICS:
        case F_COUNTRIES:
        case F_TAGS: put_tags(a, field_tag_kind(f), "; "); break;
        case F_SNIPPET:
            v = eaf_search_snippet(s);
            if (!v)
                return FAIL_DB;
            put_flat(v);
            break;
        default:
            v = eaf_search_field(s, f == F_KEY ? EAF_FIELD_KEY : f == F_URL ? EAF_FIELD_URL
                                    : f == F_TITLE ? EAF_FIELD_TITLE : f == F_DATE
                                    ? EAF_FIELD_DATE : EAF_FIELD_SUMMARY);
            if (v)
                put_flat(v);
            break;
        }
    }
    putchar('\n');
    return 0;
}

/* ---- trec, keys, count ----------------------------------------------------- */

/* A TREC column: white space would split it, so it becomes '_'. */
static void put_word(const char *s)
{
    for (; *s; s++)
        putchar(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ? '_' : *s);
}

/* A hit without a score (listed by filters) has minus its rank, below
 * every score (scores are positive) and in the order of the list:
 * trec_eval orders a run by score, not by rank. */
static int trec_hit(output *o, const query_run *r, unsigned rank)
{
    (void)o;
    put_word(r->qid ? r->qid : "1");
    fputs(" Q0 ", stdout);
    put_word(eaf_search_field(r->s, EAF_FIELD_KEY));
    printf(" %u %.6f eafsearch\n", rank,
           eaf_search_has_score(r->s) ? eaf_search_score(r->s) : -(double)rank);
    return 0;
}

static int null_hit(output *o, const query_run *r, unsigned rank)
{
    (void)o;
    (void)rank;
    fputs(eaf_search_field(r->s, EAF_FIELD_KEY), stdout);
    putchar('\0');
    return 0;
}

static int count_begin(output *o, const query_run *r)
{
    (void)o;
    if (r->qid)
        printf("%s\t", r->qid);
    printf("%lld\n", (long long)r->total);
    return 0;
}

/* ---- the printers ---------------------------------------------------------- */

static const printer printers[] = {
    {"text", P_TOTAL | P_HITS | P_NOTES | P_FIELDS | P_FACETS,
     NULL, text_begin, text_hit, text_end},
    {"json", P_TOTAL | P_HITS | P_NOTES | P_FIELDS | P_FACETS,
     NULL, json_begin, json_hit, json_end},
    {"jsonl", P_HITS | P_FIELDS, NULL, NULL, jsonl_hit, jsonl_end},
    {"tsv", P_HITS | P_FIELDS, tsv_start, NULL, tsv_hit, NULL},
    {"trec", P_HITS, NULL, NULL, trec_hit, NULL},
};
static const printer null_printer = {"--null", P_HITS, NULL, NULL, null_hit, NULL};
static const printer count_printer = {"--count", P_TOTAL, NULL, count_begin, NULL, NULL};

/* ---- running a query ------------------------------------------------------- */

/* "eafquery: line 3 (qid q7): " in batch mode, "eafquery: " otherwise. */
static void warn_where(const char *qid, long line)
{
    fprintf(stderr, "%s: ", progname);
    if (line > 0)
        fprintf(stderr, "line %ld (qid %s): ", line, qid);
}

/*
 * Runs one query and prints it.  Returns EXIT_OK, EXIT_FAIL, or EXIT_USAGE
 * for a malformed query with --strict.  line is the line of standard input
 * in batch mode, 0 otherwise.
 */
static int run_query(output *o, const char *qid, const char *query, long line)
{
    const config *cfg = o->cfg;
    const printer *p = cfg->p;
    query_run r;
    eaf_status st;
    unsigned rank = cfg->so.offset;
    int rc = 0, begun = 0;

    memset(&r, 0, sizeof(r));
    r.qid = qid;
    r.query = query;
    r.total = -1;
    st = eaf_search_new(&r.s, cfg->db, query, &cfg->so);
    if (st != EAF_OK) {
        warn_where(qid, line);
        if (st == EAF_SYNTAX) { /* the message quotes the query */
            fputs("query error: ", stderr);
            put_clean_marked(stderr, eaf_errmsg(cfg->db), 0, NULL, NULL);
            fputc('\n', stderr);
        } else {
            fprintf(stderr, "%s\n", eaf_errmsg(cfg->db));
        }
        return st == EAF_SYNTAX ? EXIT_USAGE : EXIT_FAIL;
    }
    if (cfg->explain) {
        const char *ex = eaf_search_explain(r.s);
        fflush(stdout);
        if (qid)
            fprintf(stderr, "qid: %s\n", qid);
        fputs(ex ? ex : "(out of memory)\n", stderr);
    }
    if ((p->flags & P_TOTAL) && eaf_search_total(&r.total, r.s) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && cfg->facets_top &&
        eaf_search_facets(&r.facets, r.s, cfg->facets_top) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0) {
        r.suggestion = eaf_search_suggestion(r.s);
        if (!r.suggestion && *eaf_errmsg(cfg->db))
            rc = FAIL_DB;
    }
    if (rc == 0 && !(p->flags & P_NOTES)) {
        fflush(stdout);
        warn_notes(&r);
    }
    o->nqueries++;
    o->shown = 0;
    if (rc == 0 && p->begin)
        rc = p->begin(o, &r);
    begun = rc == 0;
    if (rc == 0 && (p->flags & P_HITS) && cfg->limit > 0) {
        while ((st = eaf_search_next(r.s)) == EAF_ROW) {
            if ((rc = p->hit(o, &r, ++rank)) != 0)
                break;
            o->shown++;
        }
        if (rc == 0 && st != EAF_DONE)
            rc = FAIL_DB;
    }
    if (p->end && begun) {
        int rc2 = p->end(o, &r, rc == 0);
        if (rc == 0)
            rc = rc2;
    }
    if (rc == FAIL_DB) {
        fflush(stdout);
        warn_where(qid, line);
        fprintf(stderr, "%s\n", eaf_errmsg(cfg->db));
    }
    eaf_facets_free(r.facets);
    eaf_search_free(r.s);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* A query id names a query in tsv and trec columns: no white space. */
static const char *bad_qid(const char *qid)
{
    const unsigned char *p;

    if (!*qid)
        return "empty query id";
    for (p = (const unsigned char *)qid; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "white space or a control character in the query id";
    return NULL;
}

/* --batch: "qid<TAB>query" per line of standard input, or a query whose
 * qid is its line number.  Empty lines are skipped. */
static int run_batch(output *o)
{
    char *buf = NULL, *qid, *query, *tab, num[32];
    size_t cap = 0;
    ssize_t len;
    long line = 0;
    int rc = EXIT_OK;
    const char *why;

    while ((len = getline(&buf, &cap, stdin)) != -1) {
        line++;
        if (len > 0 && buf[len - 1] == '\n')
            buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r')
            buf[--len] = '\0';
        if (len == 0)
            continue;
        if (strlen(buf) != (size_t)len) {
            warnx_("line %ld: a NUL byte in the line", line);
            rc = EXIT_FAIL;
            continue;
        }
        tab = strchr(buf, '\t');
        if (tab) {
            *tab = '\0';
            qid = buf;
            query = tab + 1;
        } else {
            snprintf(num, sizeof(num), "%ld", line);
            qid = num;
            query = buf;
        }
        if ((why = bad_qid(qid)) != NULL) {
            warnx_("line %ld: %s", line, why);
            rc = EXIT_FAIL;
            continue;
        }
        if (run_query(o, qid, query, line) != EXIT_OK)
            rc = EXIT_FAIL;
    }
    if (ferror(stdin)) {
        warnx_("error reading the queries from standard input");
        rc = EXIT_FAIL;
    }
    free(buf);
    return rc;
}

/* ---- options ---------------------------------------------------------------- */

/* The NULL-terminated filter lists, each with room for every argument. */
typedef struct filter_list {
    const char **v;
    size_t n;
} filter_list;

/* What the command line asks: the configuration, and what it is made
 * from once the options are read. */
typedef struct args {
    config cfg;
    const printer *format;
    const char *dbopt, *color, *mark_open, *mark_close, *fields_opt;
    double weights[8];
    int rank_all;             /* -1: the format's default */
    int count, null, html;
    filter_list authors, topics, countries, tags;
} args;

/* Reads up to max comma-separated numbers in [lo, hi]; returns how many,
 * or -1 when one is malformed or out of range. */
static int parse_numbers(const char *s, double *out, int max, double lo, double hi)
{
    int n = 0;
    char *end;

    while (*s && n < max) {
        double v = strtod(s, &end);
        if (end == s || v < lo || v > hi || (*end && *end != ','))
            return -1;
        out[n++] = v;
        s = *end ? end + 1 : end;
    }
    return *s ? -1 : n;
}

/* Parses --fields; returns 0, or -1 after reporting the problem. */
static int parse_fields(config *cfg, const char *list)
{
    const char *p = list;

    cfg->nfields = 0;
    cfg->field_mask = 0;
    for (;;) {
        size_t len = strcspn(p, ",");
        int f;

        for (f = 0; f < F_LAST; f++)
            if (strlen(field_names[f]) == len && strncmp(p, field_names[f], len) == 0)
                break;
        if (f == F_LAST) {
            warnx_("unknown field '%.*s' in --fields (fields: rank, key, url, title, date, "
                   "authors, score, snippet, summary, topics, countries, tags)",
                   (int)len, p);
            return -1;
        }
        if (!(cfg->field_mask & BIT(f))) {
            cfg->field_mask |= BIT(f);
            cfg->fields[cfg->nfields++] = (enum field)f;
        }
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    return 0;
}

static int opt_limit(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long v = parse_count(arg);

    (void)o;
    if (v < 0 || v > 1000000) {
        warnx_("--limit needs a number from 0 to 1000000, not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.limit = (unsigned)v;
    /* 0: the count (and facets) only; the library's 0 is its default */
    a->cfg.so.limit = v > 0 ? (unsigned)v : 1;
    return OPT_NEXT;
}

static int opt_offset(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long v = parse_count(arg);

    (void)o;
    if (v < 0 || v > 100000000) {
        warnx_("--offset needs a number from 0 to 100000000, not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.offset = (unsigned)v;
    return OPT_NEXT;
}

static int opt_format(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    size_t i;

    (void)o;
    for (i = 0; i < sizeof(printers) / sizeof(printers[0]); i++)
        if (strcmp(arg, printers[i].name) == 0)
            break;
    if (i == sizeof(printers) / sizeof(printers[0])) {
        warnx_("unknown format '%s' (formats: text, json, jsonl, tsv, trec)", arg);
        return EXIT_USAGE;
    }
    a->format = &printers[i];
    /* a TREC run ranks the collection: any word may match */
    if (a->rank_all < 0 && strcmp(a->format->name, "trec") == 0)
        a->rank_all = 1;
    return OPT_NEXT;
}

static int opt_fields(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    a->fields_opt = arg;
    return parse_fields(&a->cfg, arg) != 0 ? EXIT_USAGE : OPT_NEXT;
}

static int opt_facets(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long v;

    (void)o;
    a->cfg.facets_top = DEFAULT_FACETS;
    if (arg) {
        v = parse_count(arg);
        if (v < 1 || v > MAX_FACETS) {
            warnx_("--facets needs a number from 1 to %d, not '%s'", MAX_FACETS, arg);
            return EXIT_USAGE;
        }
        a->cfg.facets_top = (unsigned)v;
    }
    return OPT_NEXT;
}

static int opt_sort(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    int i;

    (void)o;
    for (i = 0; i < EAF_SORT_LAST; i++)
        if (strcmp(arg, sort_name((eaf_sort)i)) == 0)
            break;
    if (i == EAF_SORT_LAST) {
        warnx_("unknown sort order '%s' (orders: relevance, newest, oldest)", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.sort = (eaf_sort)i;
    return OPT_NEXT;
}

/* A filter: the list at o->offset gets the value. */
static int opt_filter(void *x, const tool_option *o, const char *arg)
{
    filter_list *l = (filter_list *)((char *)x + o->offset);

    if (!*arg) {
        warnx_("a filter needs a value");
        return EXIT_USAGE;
    }
    l->v[l->n++] = arg;
    return OPT_NEXT;
}

static int opt_weights(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    if (parse_numbers(arg, a->weights, 8, 0.0, 1000.0) != 8) {
        warnx_("--weights needs 8 numbers from 0 to 1000, comma-separated "
               "(title, author, affiliation, topic, country, summary, body, "
               "bio), not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.weights = a->weights;
    return OPT_NEXT;
}

/* --k1, --b, --proximity: a number in a range; for --b and --proximity,
 * 0 means none (-1 in the options, where 0 is the default). */
static int opt_ranking(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    double number = 0.0;

    if (strcmp(o->name, "k1") == 0) {
        if (parse_numbers(arg, &number, 1, 0.001, 100.0) != 1) {
            warnx_("--k1 needs a number from 0.001 to 100, not '%s'", arg);
            return EXIT_USAGE;
        }
        a->cfg.so.k1 = number;
    } else if (strcmp(o->name, "b") == 0) {
        if (parse_numbers(arg, &number, 1, 0.0, 1.0) != 1) {
            warnx_("--b needs a number from 0 to 1, not '%s'", arg);
            return EXIT_USAGE;
        }
        a->cfg.so.b = number > 0.0 ? number : -1.0; /* 0: no length normalisation */
    } else {
        if (parse_numbers(arg, &number, 1, 0.0, 100.0) != 1) {
            warnx_("--proximity needs a number from 0 to 100, not '%s'", arg);
            return EXIT_USAGE;
        }
        a->cfg.so.proximity = number > 0.0 ? number : -1.0; /* 0: no bonus */
    }
    return OPT_NEXT;
}

static int opt_feedback(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    double fb[2] = {EAF_RANK_DEFAULT_FEEDBACK_DOCS, EAF_RANK_DEFAULT_FEEDBACK_TERMS};

    (void)o;
    if (arg && parse_numbers(arg, fb, 2, 1.0, 1000.0) != 2) {
        warnx_("--feedback takes DOCS,TERMS (numbers from 1 to 1000), not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.flags |= EAF_SEARCH_FEEDBACK;
    a->cfg.so.feedback_docs = (unsigned)fb[0];
    a->cfg.so.feedback_terms = (unsigned)fb[1];
    return OPT_NEXT;
}

static int opt_html(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    (void)arg;
    a->html = 1;
    a->cfg.so.flags |= EAF_SEARCH_SNIPPET_HTML;
    return OPT_NEXT;
}

static int opt_color(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    a->color = arg ? arg : "always";
    if (strcmp(a->color, "auto") && strcmp(a->color, "always") && strcmp(a->color, "never")) {
        warnx_("--color takes auto, always or never, not '%s'", a->color);
        return EXIT_USAGE;
    }
    return OPT_NEXT;
}

#define AT(member) offsetof(args, member)
#define SO(member) offsetof(args, cfg.so.member)
/* the rows of a table, without the help's values */
#define NOV {0, 0}

static const tool_option options[] = {
    {"db", 'd', required_argument, "FILE",
     "the index (default: $EAFSEARCH_DB, else ./eafsearch.db)", opt_string, AT(dbopt), 0,
     NOV, 1},
    {"limit", 'n', required_argument, "N",
     "show at most N hits (default: %d; 0: none, only\n"
     "the count, and the facets with --facets)", opt_limit, 0, 0, {DEFAULT_LIMIT, 0}, 2},
    {"offset", 0, required_argument, "K", "skip the first K hits (for paging)", opt_offset,
     0, 0, NOV, 3},
    {"sort", 0, required_argument, "ORDER", "relevance (default), newest or oldest",
     opt_sort, 0, 0, NOV, 10},
    {NULL, 0, 0, NULL,
     "\n"
     "Filters (each repeatable: any of the values; with filters, an empty\n"
     "query lists the matching articles):\n", NULL, 0, 0, NOV, 0},
    {"after", 0, required_argument, "DATE", "only articles dated from DATE (YYYY[-MM[-DD]])",
     opt_string, SO(date_from), 0, NOV, 11},
    {"before", 0, required_argument, "DATE", "only articles dated up to the end of DATE",
     opt_string, SO(date_to), 0, NOV, 12},
    {"author", 0, required_argument, "NAME", "only articles by NAME", opt_filter,
     AT(authors), 0, NOV, 13},
    {"topic", 0, required_argument, "NAME", "only articles with the topic NAME", opt_filter,
     AT(topics), 0, NOV, 14},
    {"country", 0, required_argument, "NAME", "only articles about the country NAME",
     opt_filter, AT(countries), 0, NOV, 15},
    {"tag", 0, required_argument, "NAME", "only articles with the tag NAME", opt_filter,
     AT(tags), 0, NOV, 16},
    {NULL, 0, 0, NULL, "\nOutput:\n", NULL, 0, 0, NOV, 0},
    {"format", 0, required_argument, "FORMAT", "text (default), json, jsonl, tsv or trec",
     opt_format, 0, 0, NOV, 4},
    {"fields", 0, required_argument, "LIST",
     "the hit members to show, comma-separated, from: rank,\n"
     "key, url, title, date, authors, score, snippet,\n"
     "summary, topics, countries, tags (text, json, jsonl,\n"
     "tsv; default: the first eight)", opt_fields, 0, 0, NOV, 5},
    {"count", 0, no_argument, NULL, "print only the number of hits", opt_set_int, AT(count),
     1, NOV, 6},
    {"null", '0', no_argument, NULL, "print only the keys of the hits, each followed by NUL",
     opt_set_int, AT(null), 1, NOV, 7},
    {"facets", 0, optional_argument, "N",
     "count the authors, topics, countries, tags and years\n"
     "of all the hits, top N of each (default: %d;\n"
     "text and json only)", opt_facets, 0, 0, {DEFAULT_FACETS, 0}, 8},
    {"explain", 0, no_argument, NULL, "show how the query was understood, on stderr",
     opt_set_int, AT(cfg.explain), 1, NOV, 9},
    {"color", 0, optional_argument, "WHEN",
     "highlight matches: auto (default, on a terminal),\n"
     "always or never", opt_color, 0, 0, NOV, 28},
    {"colour", 0, optional_argument, "WHEN", NULL, opt_color, 0, 0, NOV, 29},
    {"mark-open", 0, required_argument, "TEXT", "put TEXT before each match in snippets",
     opt_string, AT(mark_open), 0, NOV, 30},
    {"mark-close", 0, required_argument, "TEXT", "put TEXT after each match in snippets",
     opt_string, AT(mark_close), 0, NOV, 31},
    {"html", 0, no_argument, NULL, "HTML snippets: text escaped, matches in <b></b>",
     opt_html, 0, 0, NOV, 19},
    {NULL, 0, 0, NULL, "\nSearching:\n", NULL, 0, 0, NOV, 0},
    {"batch", 0, no_argument, NULL,
     "read queries from standard input, one a line,\n"
     "as QID<TAB>QUERY or QUERY (its line number is the QID)", opt_set_int, AT(cfg.batch),
     1, NOV, 17},
    {"strict", 0, no_argument, NULL, "report a malformed query instead of repairing it",
     opt_flag, SO(flags), EAF_SEARCH_STRICT, NOV, 32},
    {"no-fallback", 0, no_argument, NULL,
     "never fall back to any of the words when no\n"
     "article has all of them", opt_flag, SO(flags), EAF_SEARCH_NO_FALLBACK, NOV, 18},
    {"no-aliases", 0, no_argument, NULL,
     "do not widen country names to their adjectives\n"
     "(Japan: Japanese)", opt_flag, SO(flags), EAF_SEARCH_NO_ALIASES, NOV, 24},
    {"rank-all", 0, no_argument, NULL,
     "rank every article with any of the words, those\n"
     "with all of them first (the default of trec)", opt_set_int, AT(rank_all), 1, NOV, 25},
    /* the last of --rank-all and --all-words wins */
    {"all-words", 0, no_argument, NULL,
     "only articles with all the words, however many\n"
     "(without it, 4 words or more are read as a\n"
     "question: any of them; short of any, any of them)", opt_set_int, AT(rank_all), 0,
     NOV, 26},
    {NULL, 0, 0, NULL, "\nRanking (defaults in eafsearch-query(7)):\n", NULL, 0, 0, NOV, 0},
    {"weights", 0, required_argument, "W,...",
     "8 field weights: title, author, affiliation, topic,\n"
     "country, summary, body, bio", opt_weights, 0, 0, NOV, 20},
    {"k1", 0, required_argument, "X", "term-frequency saturation (BM25 k1)", opt_ranking, 0,
     0, NOV, 21},
    {"b", 0, required_argument, "X", "length normalisation, 0 to 1 (BM25 b)", opt_ranking,
     0, 0, NOV, 22},
    {"proximity", 0, required_argument, "X",
     "weight of the bonus for query words close together\n"
     "(0: none)", opt_ranking, 0, 0, NOV, 23},
    {"feedback", 0, optional_argument, "D,T",
     "pseudo-relevance feedback: add T distinctive terms\n"
     "of the best D hits and search again (default: %d,%d)", opt_feedback, 0, 0,
     {EAF_RANK_DEFAULT_FEEDBACK_DOCS, EAF_RANK_DEFAULT_FEEDBACK_TERMS}, 27},
    {"help", 'h', no_argument, NULL, "show this help and exit", opt_help, 0, 0, NOV, 33},
    {"version", 'V', no_argument, NULL, "show the version and exit", opt_version, 0, 0, NOV,
     34},
};

static const tool_spec spec = {
    "Usage: %s [OPTION]... QUERY...\n"
    "  or:  %s --batch [OPTION]... < QUERIES\n"
    "Search an index made by eafindex; the query is the rest of the line.\n"
    "\n",
    options, sizeof(options) / sizeof(options[0]),
    "\n"
    "Query language (see eafsearch-query(7)): words must all match (4 or more:\n"
    "any of them, unless joined by AND); \"a phrase\"; a AND b; a OR b; -word or\n"
    "NOT word excludes; (groups); pre*; title:, author:, affiliation:, body:,\n"
    "topic:, country: fields; author:\"Exact Name\"; date:2018, date:2017..2019,\n"
    "after:2018-06, before:2010; related:KEY.  Options go before the query.\n"
    "\n"
    "Exit status: 0 on success, with or without hits; 1 on failure (no index,\n"
    "wrong version, locked; with --batch, any query or line that failed); 2 for\n"
    "a usage error, an invalid date filter or, with --strict, a malformed query.\n",
    1,
};

/* Joins the words of the command line into one query. */
static char *join_args(int argc, char **argv)
{
    size_t n = 1;
    int i;
    char *q;

    for (i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    q = malloc(n);
    if (!q)
        return NULL;
    q[0] = '\0';
    for (i = 0; i < argc; i++) {
        if (i)
            strcat(q, " ");
        strcat(q, argv[i]);
    }
    return q;
}

/* Did the options end with "--" (not the value of an option before it)? */
static int after_dashes(char **argv)
{
    const char *prev;
    size_t i, len;

    if (optind < 2 || strcmp(argv[optind - 1], "--") != 0)
        return 0;
    if (optind < 3)
        return 1;
    prev = argv[optind - 2];
    if (strcmp(prev, "-d") == 0 || strcmp(prev, "-n") == 0)
        return 0; /* "-d --": "--" is the value */
    if (strncmp(prev, "--", 2) != 0 || strchr(prev, '='))
        return 1;
    len = strlen(prev + 2);
    for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        if (options[i].name && options[i].arg == required_argument && len > 0 &&
            strncmp(options[i].name, prev + 2, len) == 0)
            return 0;
    return 1;
}

/* Options after the query are read as its text (getopt stops at the first
 * word of the query, which may start with '-'): warns about each word
 * that looks like one of the options, which the user likely meant as
 * such.  "-n", "-n5", "-d", "-0", "-h", "-V", "--limit", "--limit=5". */
static void warn_late_options(int n, char **words)
{
    int i;
    size_t j;

    for (i = 0; i < n; i++) {
        const char *w = words[i];
        int looks = 0;

        if (w[0] != '-' || !w[1])
            continue;
        if (w[1] == '-' && w[2]) {
            size_t len = strcspn(w + 2, "=");
            for (j = 0; j < sizeof(options) / sizeof(options[0]) && !looks; j++)
                looks = options[j].name && strlen(options[j].name) == len &&
                        strncmp(options[j].name, w + 2, len) == 0;
        } else if (w[1] != '-') {
            looks = (strchr("dn0hV", w[1]) && !w[2]) ||
                    (w[1] == 'n' && strspn(w + 2, "0123456789") == strlen(w + 2));
        }
        if (looks) {
            fprintf(stderr, "%s: warning: '", progname);
            put_echo(stderr, w);
            fprintf(stderr, "' after the query is searched as text, not taken as an"
                            " option: put options before the query (or the query after"
                            " '--' to search for it)\n");
        }
    }
}

/* What goes with what, once the options are read: the configuration made
 * whole, and *query the query of the command line (to free).  Returns
 * OPT_NEXT or an exit status. */
static int check_options(args *a, int argc, char **argv, char **query)
{
    config *cfg = &a->cfg;
    size_t i;
    int use_color;

    if (a->rank_all > 0)
        cfg->so.flags |= EAF_SEARCH_RANK_ALL;
    else if (a->rank_all == 0) /* --all-words: never read as a question */
        cfg->so.flags |= EAF_SEARCH_ALL_WORDS;
    if (a->count && a->null) {
        warnx_("--count and --null cannot be used together");
        return EXIT_USAGE;
    }
    cfg->p = a->count ? &count_printer : a->null ? &null_printer : a->format;
    if (a->fields_opt && !(cfg->p->flags & P_FIELDS)) {
        warnx_("--fields does not apply to %s output", cfg->p->name);
        return EXIT_USAGE;
    }
    if (cfg->facets_top && !(cfg->p->flags & P_FACETS)) {
        warnx_("--facets needs text or json output, not %s", cfg->p->name);
        return EXIT_USAGE;
    }
    if (!a->fields_opt) {
        for (i = 0; i < N_DEFAULT_FIELDS; i++) {
            cfg->fields[i] = (enum field)i;
            cfg->field_mask |= BIT(i);
        }
        cfg->nfields = N_DEFAULT_FIELDS;
    }
    if (a->authors.n)
        cfg->so.authors = a->authors.v;
    if (a->topics.n)
        cfg->so.topics = a->topics.v;
    if (a->countries.n)
        cfg->so.countries = a->countries.v;
    if (a->tags.n)
        cfg->so.tags = a->tags.v;
    cfg->filters = cfg->so.date_from || cfg->so.date_to || a->authors.n || a->topics.n ||
                   a->countries.n || a->tags.n;
    if (cfg->batch && optind < argc) {
        warnx_("--batch reads the queries from standard input, not the command line");
        return usage_error();
    }
    if (!cfg->batch && optind >= argc && !cfg->filters) {
        warnx_("no query given");
        return usage_error();
    }
    if (!cfg->batch) {
        if (!after_dashes(argv))
            warn_late_options(argc - optind, argv + optind);
        *query = join_args(argc - optind, argv + optind);
        if (!*query) {
            warnx_("out of memory");
            return EXIT_FAIL;
        }
    }

    /* snippet markers */
    use_color = cfg->p == &printers[0] && !a->html &&
                (strcmp(a->color, "always") == 0 ||
                 (strcmp(a->color, "auto") == 0 && isatty(STDOUT_FILENO)));
    if (a->html) {
        cfg->so.mark_open = a->mark_open ? a->mark_open : "<b>";
        cfg->so.mark_close = a->mark_close ? a->mark_close : "</b>";
    } else if (cfg->p == &printers[0]) {
        cfg->so.mark_open = a->mark_open ? a->mark_open : use_color ? "\033[1;31m" : "";
        cfg->so.mark_close = a->mark_close ? a->mark_close : use_color ? "\033[0m" : "";
    } else {
        cfg->so.mark_open = a->mark_open;   /* NULL: the library's "[" */
        cfg->so.mark_close = a->mark_close;
    }
    return OPT_NEXT;
}

/* Checks the date filters once, before any query: OPT_NEXT or an exit
 * status. */
static int check_dates(config *cfg)
{
    eaf_search_options probe = cfg->so;
    eaf_search *s;
    eaf_status st;

    if (!cfg->so.date_from && !cfg->so.date_to)
        return OPT_NEXT;
    probe.flags &= ~EAF_SEARCH_STRICT;
    st = eaf_search_new(&s, cfg->db, "", &probe);
    eaf_search_free(s);
    if (st != EAF_OK) {
        warnx_("%s", eaf_errmsg(cfg->db));
        return st == EAF_SYNTAX ? EXIT_USAGE : EXIT_FAIL;
    }
    return OPT_NEXT;
}

/* ---- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static const eaf_search_options so_init = EAF_SEARCH_OPTIONS_INIT;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    args a;
    output out;
    eaf_status st;
    char *err = NULL, *query = NULL;
    int rc;

    tool_init(argv[0]);
    memset(&a, 0, sizeof(a));
    memset(&out, 0, sizeof(out));
    a.cfg.so = so_init;
    a.cfg.so.limit = a.cfg.limit = DEFAULT_LIMIT;
    a.format = &printers[0];
    a.color = "auto";
    a.rank_all = -1;
    a.authors.v = calloc((size_t)argc + 1, sizeof(*a.authors.v));
    a.topics.v = calloc((size_t)argc + 1, sizeof(*a.topics.v));
    a.countries.v = calloc((size_t)argc + 1, sizeof(*a.countries.v));
    a.tags.v = calloc((size_t)argc + 1, sizeof(*a.tags.v));
    if (!a.authors.v || !a.topics.v || !a.countries.v || !a.tags.v) {
        warnx_("out of memory");
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = tool_parse(&spec, &a, argc, argv)) != OPT_NEXT ||
        (rc = check_options(&a, argc, argv, &query)) != OPT_NEXT)
        goto done;

    oo.flags = EAF_OPEN_READONLY;
    st = eaf_db_open(&a.cfg.db, db_path(a.dbopt), &oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = check_dates(&a.cfg)) != OPT_NEXT)
        goto close;

    out.cfg = &a.cfg;
    rc = EXIT_OK;
    if (a.cfg.p->start && a.cfg.p->start(&out) != 0)
        rc = EXIT_FAIL;
    else if (a.cfg.batch)
        rc = run_batch(&out);
    else
        rc = run_query(&out, NULL, query, 0);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        warnx_("error writing the results");
        rc = EXIT_FAIL;
    }
close:
    eaf_db_close(a.cfg.db);
done:
    free(query);
    free(a.authors.v);
    free(a.topics.v);
    free(a.countries.v);
    free(a.tags.v);
    return rc;
}
