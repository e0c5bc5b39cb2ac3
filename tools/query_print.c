/*
 * query_print.c: eafquery's printers, one per output format, behind the
 * interface of query.h (struct printer), and the text helpers they share.
 */
#include "query.h"

#include <stdlib.h>
#include <string.h>

#define JSON_SCHEMA_VERSION 1

/* the member names of --fields, the JSON output and the tsv header */
const char *const field_names[F_LAST] = {
    "rank", "key", "url", "title", "date", "authors", "score", "snippet",
    "summary", "topics", "countries", "tags",
};

/* ---- small helpers --------------------------------------------------------- */

int fields_parse(config *cfg, const char *list, const char **bad, size_t *badlen)
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
            *bad = p;
            *badlen = len;
            return -1;
        }
        if (!(cfg->field_mask & BIT(f))) {
            cfg->field_mask |= BIT(f);
            cfg->fields[cfg->nfields++] = (enum field)f;
        }
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

const char *sort_name(eaf_sort sort)
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
void put_clean_marked(FILE *f, const char *s, size_t max, const char *open,
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
void put_echo(FILE *f, const char *s)
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
json_t *json_text(const char *s)
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
void warn_notes(const query_run *r)
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
        if (o->explain)
            json_object_set_new(o->root, "explain", json_text(o->explain));
        text = json_dumps(o->root, flags);
        if (text)
            fprintf(o->out ? o->out : stdout, "%s\n", text);
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

const printer printers[N_PRINTERS] = {
    {"text", P_TOTAL | P_HITS | P_NOTES | P_FIELDS | P_FACETS,
     NULL, text_begin, text_hit, text_end},
    {"json", P_TOTAL | P_HITS | P_NOTES | P_FIELDS | P_FACETS,
     NULL, json_begin, json_hit, json_end},
    {"jsonl", P_HITS | P_FIELDS, NULL, NULL, jsonl_hit, jsonl_end},
    {"tsv", P_HITS | P_FIELDS, tsv_start, NULL, tsv_hit, NULL},
    {"trec", P_HITS, NULL, NULL, trec_hit, NULL},
};
const printer null_printer = {"--null", P_HITS, NULL, NULL, null_hit, NULL};
const printer count_printer = {"--count", P_TOTAL, NULL, count_begin, NULL, NULL};
