/*
 * jsonkeys.c: a test helper.  Reads eafquery's JSON from standard input,
 * checks that it is valid JSON of the documented schema, and prints one
 * line per fact for shell tests to compare:
 *   version N / total N / hit RANK KEY / title TEXT / authors N / snippet TEXT
 * Exits 1 when the input is not valid JSON or lacks a member.
 */
#include <stdio.h>
#include <string.h>

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
static int is_str_or_null(const json_t *v) { return json_is_string(v) || json_is_null(v); }
static int is_arr(const json_t *v) { return json_is_array(v); }
static int is_num(const json_t *v) { return json_is_number(v); }

int main(void)
{
    json_error_t err;
    json_t *root = json_loadf(stdin, 0, &err), *hits, *hit;
    size_t i;

    if (!root) {
        fprintf(stderr, "jsonkeys: invalid JSON at line %d: %s\n", err.line, err.text);
        return 1;
    }
    if (!json_is_object(root) || !need(root, "version", is_int) ||
        !need(root, "query", is_str) || !need(root, "total", is_int) ||
        !need(root, "offset", is_int) || !need(root, "limit", is_int) ||
        !need(root, "hits", is_arr))
        return 1;
    printf("version %lld\n", (long long)json_integer_value(json_object_get(root, "version")));
    printf("total %lld\n", (long long)json_integer_value(json_object_get(root, "total")));
    hits = json_object_get(root, "hits");
    json_array_foreach(hits, i, hit) {
        if (!need(hit, "rank", is_int) || !need(hit, "key", is_str) ||
            !need(hit, "url", is_str_or_null) || !need(hit, "title", is_str) ||
            !need(hit, "date", is_str_or_null) || !need(hit, "authors", is_arr) ||
            !need(hit, "score", is_num) || !need(hit, "snippet", is_str_or_null))
            return 1;
        printf("hit %lld %s\n", (long long)json_integer_value(json_object_get(hit, "rank")),
               json_string_value(json_object_get(hit, "key")));
        printf("title %s\n", json_string_value(json_object_get(hit, "title")));
        printf("authors %zu\n", json_array_size(json_object_get(hit, "authors")));
        if (json_is_string(json_object_get(hit, "snippet")))
            printf("snippet %s\n", json_string_value(json_object_get(hit, "snippet")));
    }
    json_decref(root);
    return 0;
}
