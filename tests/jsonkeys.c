/*
 * jsonkeys.c: a test helper.  Reads eafquery's JSON from standard input,
 * checks that it is valid JSON of the documented schema, and prints one
 * line per fact for shell tests to compare:
 *   version N / total N / sort S / question true|false / fallback true|false /
 *   dropped WORD (each) / suggestion TEXT|null / facet KIND VALUE COUNT (each,
 *   with --facets) / hit RANK KEY / title TEXT / date DATE / authors N /
 *   score S (%.6f, or "none" for a hit without a score) / snippet TEXT
 * Options:
 *   -p  partial hits (eafquery --fields): a hit may hold any of the known
 *       members, each checked when present; prints "members A,B,..." for
 *       each hit, and "-" for a rank or key that is absent
 *   -l  JSON Lines of hits (eafquery --format jsonl): every line is one hit
 *       with a "query" (and in batch mode a "qid"), or the line of a query
 *       that printed no hit: "query", "total" (and "qid") only; prints
 *       "line N", "qid Q", "query Q" before each hit's lines, and for a
 *       query without hits "nohits TOTAL" instead of the hit
 *   -r  JSON Lines of related-article lists (eafrelated --format json):
 *       prints "list KEY stored|computed", then "rel KEY SCORE" for each
 *       related article, and "why TEXT" and "shared KIND VALUE" lines when
 *       it is explained
 * Exits 1 when the input is not valid JSON or lacks a member, or a member
 * has the wrong type, or a hit has an unknown member.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

static int need(json_t *obj, const char *name, int (*check)(const json_t *))
{
    json_t *v = json_object_get(obj, name);
    if (!v || !check(v)) {
        fprintf(stderr, "jsonkeys: missing or wrong member '%s'\n", name);
        return 0;
    }
    return 1;
}

static int is_int(const json_t *v) { return json_is_integer(v); }
static int is_str(const json_t *v) { return json_is_string(v); }
static int is_bool(const json_t *v) { return json_is_boolean(v); }
static int is_str_or_null(const json_t *v) { return json_is_string(v) || json_is_null(v); }
static int is_arr(const json_t *v) { return json_is_array(v); }
static int is_num(const json_t *v) { return json_is_number(v); }
static int is_num_or_null(const json_t *v) { return json_is_number(v) || json_is_null(v); }

static int is_str_arr(const json_t *v)
{
    size_t i;
    json_t *x;

    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, x)
        if (!json_is_string(x))
            return 0;
    return 1;
}

static int is_authors(const json_t *v)
{
    size_t i;
    json_t *x;

    if (!json_is_array(v))
        return 0;
    json_array_foreach(v, i, x)
        if (!json_is_object(x) || json_object_size(x) != 2 ||
            !json_is_string(json_object_get(x, "name")) ||
            !is_str_or_null(json_object_get(x, "affiliation")))
            return 0;
    return 1;
}

/* the members of a hit, the first eight required without -p */
static const struct {
    const char *name;
    int (*check)(const json_t *);
} hit_members[] = {
    {"rank", is_int}, {"key", is_str}, {"url", is_str_or_null},
    {"title", is_str}, {"date", is_str_or_null}, {"authors", is_authors},
    {"score", is_num_or_null}, {"snippet", is_str_or_null},
    {"summary", is_str_or_null}, {"topics", is_str_arr},
    {"countries", is_str_arr}, {"tags", is_str_arr},
};
#define N_HIT_MEMBERS (sizeof(hit_members) / sizeof(hit_members[0]))
#define N_REQUIRED 8

static const char *const facet_kinds[] = {"author", "topic", "country", "tag", "year"};

static int partial;

/* Checks and prints one hit; extra names members allowed besides the
 * hit's own (the "qid" and "query" of a JSON Lines hit). */
static int check_hit(json_t *hit, int lines)
{
    const char *name;
    json_t *v;
    size_t i;
    int first = 1;

    if (!json_is_object(hit)) {
        fprintf(stderr, "jsonkeys: a hit is not an object\n");
        return 0;
    }
    json_object_foreach(hit, name, v) {
        for (i = 0; i < N_HIT_MEMBERS; i++)
            if (strcmp(name, hit_members[i].name) == 0)
                break;
        if (i < N_HIT_MEMBERS) {
            if (!hit_members[i].check(v)) {
                fprintf(stderr, "jsonkeys: wrong member '%s'\n", name);
                return 0;
            }
        } else if (!(lines && (strcmp(name, "qid") == 0 || strcmp(name, "query") == 0))) {
            fprintf(stderr, "jsonkeys: unknown member '%s' in a hit\n", name);
            return 0;
        }
    }
    if (!partial)
        for (i = 0; i < N_REQUIRED; i++)
            if (!need(hit, hit_members[i].name, hit_members[i].check))
                return 0;
    if (lines) {
        if (json_object_get(hit, "qid") && !need(hit, "qid", is_str))
            return 0;
        if (!need(hit, "query", is_str))
            return 0;
        if (json_object_get(hit, "qid"))
            printf("qid %s\n", json_string_value(json_object_get(hit, "qid")));
        printf("query %s\n", json_string_value(json_object_get(hit, "query")));
    }
    if (json_object_get(hit, "rank"))
        printf("hit %lld", (long long)json_integer_value(json_object_get(hit, "rank")));
    else
        printf("hit -");
    v = json_object_get(hit, "key");
    printf(" %s\n", v ? json_string_value(v) : "-");
    if (partial) {
        printf("members ");
        json_object_foreach(hit, name, v) {
            if (lines && (strcmp(name, "qid") == 0 || strcmp(name, "query") == 0))
                continue;
            printf("%s%s", first ? "" : ",", name);
            first = 0;
        }
        putchar('\n');
    }
    if (json_is_string(v = json_object_get(hit, "title")))
        printf("title %s\n", json_string_value(v));
    if (json_is_string(v = json_object_get(hit, "date")))
        printf("date %s\n", json_string_value(v));
    if ((v = json_object_get(hit, "authors")) != NULL)
        printf("authors %zu\n", json_array_size(v));
    if ((v = json_object_get(hit, "score")) != NULL) {
        if (json_is_null(v))
            printf("score none\n");
        else
            printf("score %.6f\n", json_number_value(v));
    }
    if (json_is_string(v = json_object_get(hit, "snippet")))
        printf("snippet %s\n", json_string_value(v));
    return 1;
}

static int check_facets(json_t *facets)
{
    size_t k, i;
    json_t *arr, *item;

    if (!json_is_object(facets) || json_object_size(facets) != 5) {
        fprintf(stderr, "jsonkeys: facets is not an object of five kinds\n");
        return 0;
    }
    for (k = 0; k < 5; k++) {
        arr = json_object_get(facets, facet_kinds[k]);
        if (!json_is_array(arr)) {
            fprintf(stderr, "jsonkeys: no facet kind '%s'\n", facet_kinds[k]);
            return 0;
        }
        json_array_foreach(arr, i, item) {
            if (!json_is_object(item) || !need(item, "value", is_str) ||
                !need(item, "count", is_int))
                return 0;
            printf("facet %s %s %lld\n", facet_kinds[k],
                   json_string_value(json_object_get(item, "value")),
                   (long long)json_integer_value(json_object_get(item, "count")));
        }
    }
    return 1;
}

static int check_document(json_t *root)
{
    json_t *hits, *hit, *v;
    size_t i;

    if (!json_is_object(root) || !need(root, "version", is_int) ||
        !need(root, "query", is_str) || !need(root, "total", is_int) ||
        !need(root, "offset", is_int) || !need(root, "limit", is_int) ||
        !need(root, "sort", is_str) || !need(root, "question", is_bool) ||
        !need(root, "fallback", is_bool) ||
        !need(root, "dropped", is_str_arr) || !need(root, "suggestion", is_str_or_null) ||
        !need(root, "hits", is_arr))
        return 0;
    if (json_object_get(root, "qid") && !need(root, "qid", is_str))
        return 0;
    printf("version %lld\n", (long long)json_integer_value(json_object_get(root, "version")));
    if (json_object_get(root, "qid"))
        printf("qid %s\n", json_string_value(json_object_get(root, "qid")));
    printf("total %lld\n", (long long)json_integer_value(json_object_get(root, "total")));
    printf("sort %s\n", json_string_value(json_object_get(root, "sort")));
    printf("question %s\n", json_is_true(json_object_get(root, "question")) ? "true" : "false");
    printf("fallback %s\n", json_is_true(json_object_get(root, "fallback")) ? "true" : "false");
    json_array_foreach(json_object_get(root, "dropped"), i, v)
        printf("dropped %s\n", json_string_value(v));
    v = json_object_get(root, "suggestion");
    printf("suggestion %s\n", json_is_string(v) ? json_string_value(v) : "null");
    if ((v = json_object_get(root, "facets")) != NULL && !check_facets(v))
        return 0;
    hits = json_object_get(root, "hits");
    json_array_foreach(hits, i, hit)
        if (!check_hit(hit, 0))
            return 0;
    return 1;
}

/* The line of a query that printed no hit: query, total and maybe qid. */
static int check_no_hits(json_t *line)
{
    const char *name;
    json_t *v;

    json_object_foreach(line, name, v) {
        if (strcmp(name, "qid") != 0 && strcmp(name, "query") != 0 &&
            strcmp(name, "total") != 0) {
            fprintf(stderr, "jsonkeys: unknown member '%s' in a line without hits\n", name);
            return 0;
        }
    }
    if (!need(line, "query", is_str) || !need(line, "total", is_int) ||
        (json_object_get(line, "qid") && !need(line, "qid", is_str)))
        return 0;
    if (json_object_get(line, "qid"))
        printf("qid %s\n", json_string_value(json_object_get(line, "qid")));
    printf("query %s\n", json_string_value(json_object_get(line, "query")));
    printf("nohits %lld\n", (long long)json_integer_value(json_object_get(line, "total")));
    return 1;
}

static int check_lines(void)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    long line = 0;
    int ok = 1;

    while (ok && (len = getline(&buf, &cap, stdin)) != -1) {
        json_error_t err;
        json_t *hit;

        line++;
        if (len == 0 || buf[len - 1] != '\n') {
            fprintf(stderr, "jsonkeys: line %ld does not end with a newline\n", line);
            ok = 0;
            break;
        }
        hit = json_loadb(buf, (size_t)len, 0, &err);
        if (!hit) {
            fprintf(stderr, "jsonkeys: line %ld: invalid JSON: %s\n", line, err.text);
            ok = 0;
            break;
        }
        printf("line %ld\n", line);
        if (json_is_object(hit) && json_object_get(hit, "total"))
            ok = check_no_hits(hit);
        else
            ok = check_hit(hit, 1);
        json_decref(hit);
    }
    free(buf);
    return ok;
}

static const char *const reasons[] = {"topic", "country", "tag", "author", "term"};

/* One related-article list of eafrelated. */
static int check_related(json_t *list)
{
    json_t *rel, *item, *shared, *v;
    size_t i, k, j;

    if (!json_is_object(list) || !need(list, "key", is_str) || !need(list, "stored", is_bool) ||
        !need(list, "related", is_arr) ||
        (json_object_get(list, "title") && !need(list, "title", is_str)))
        return 0;
    printf("list %s %s\n", json_string_value(json_object_get(list, "key")),
           json_is_true(json_object_get(list, "stored")) ? "stored" : "computed");
    rel = json_object_get(list, "related");
    json_array_foreach(rel, i, item) {
        if (!json_is_object(item) || !need(item, "key", is_str) || !need(item, "title", is_str) ||
            !need(item, "score", is_num))
            return 0;
        printf("rel %s %.6f\n", json_string_value(json_object_get(item, "key")),
               json_number_value(json_object_get(item, "score")));
        if (!json_object_get(item, "why"))
            continue;
        if (!need(item, "why", is_str) || !json_is_object(shared = json_object_get(item, "shared")))
            return 0;
        printf("why %s\n", json_string_value(json_object_get(item, "why")));
        for (k = 0; k < sizeof(reasons) / sizeof(reasons[0]); k++) {
            if (!need(shared, reasons[k], is_str_arr))
                return 0;
            json_array_foreach(json_object_get(shared, reasons[k]), j, v)
                printf("shared %s %s\n", reasons[k], json_string_value(v));
        }
    }
    return 1;
}

static int check_related_lines(void)
{
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    int ok = 1;

    while (ok && (len = getline(&buf, &cap, stdin)) != -1) {
        json_error_t err;
        json_t *list = json_loadb(buf, (size_t)len, 0, &err);

        if (!list) {
            fprintf(stderr, "jsonkeys: invalid JSON: %s\n", err.text);
            ok = 0;
            break;
        }
        ok = check_related(list);
        json_decref(list);
    }
    free(buf);
    return ok;
}

int main(int argc, char **argv)
{
    json_error_t err;
    json_t *root;
    int c, lines = 0, related = 0, ok;

    while ((c = getopt(argc, argv, "lpr")) != -1) {
        if (c == 'l')
            lines = 1;
        else if (c == 'p')
            partial = 1;
        else if (c == 'r')
            related = 1;
        else
            return 2;
    }
    if (related)
        return check_related_lines() ? 0 : 1;
    if (lines)
        return check_lines() ? 0 : 1;
    root = json_loadf(stdin, 0, &err);
    if (!root) {
        fprintf(stderr, "jsonkeys: invalid JSON at line %d: %s\n", err.line, err.text);
        return 1;
    }
    ok = check_document(root);
    json_decref(root);
    return ok ? 0 : 1;
}
