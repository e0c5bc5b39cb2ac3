/*
 * import_jsonl.c: JSON Lines, one article per line, read with jansson.
 *
 * Each line is an object: id (the key, unchanged), title, date, authors
 * (strings, or objects with name and affiliation), tags, body, and
 * optionally url, summary (or excerpt), topics, countries, bio, lang, and
 * related (the site's related-post titles), as eafindex --export writes.
 * Unknown members are ignored.  A line that cannot be read is reported
 * with its number and skipped; blank lines are skipped silently.
 */
#include "format.h"

#include <string.h>

#include <jansson.h>

/* A string member, NULL when absent or null; *bad when of another type. */
static const char *get_string(json_t *obj, const char *name, int *bad,
                              const char **bad_name)
{
    json_t *v = json_object_get(obj, name);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        if (!*bad) {
            *bad = 1;
            *bad_name = name;
        }
        return NULL;
    }
    return json_string_value(v);
}

static eaf_status set_field(eaf__source *r, eaf_article *a, eaf_field f,
                            json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    eaf_status st;

    if (!v || json_is_null(v))
        return EAF_OK;
    if (!json_is_string(v)) {
        eaf__source_error(r, r->line, "\"%s\" must be a string", name);
        return EAF_SYNTAX;
    }
    st = eaf_article_set(a, f, json_string_value(v), json_string_length(v));
    if (st == EAF_SYNTAX)
        eaf__source_error(r, r->line, "invalid %s \"%.40s\"",
                          f == EAF_FIELD_DATE ? "date (use YYYY-MM-DD)" : name,
                          json_string_value(v));
    return st;
}

static eaf_status add_tags(eaf__source *r, eaf_article *a, eaf_tag_kind kind,
                           json_t *obj, const char *name)
{
    json_t *arr = json_object_get(obj, name), *v;
    size_t i;
    eaf_status st;

    if (!arr || json_is_null(arr))
        return EAF_OK;
    if (!json_is_array(arr)) {
        eaf__source_error(r, r->line, "\"%s\" must be an array of strings", name);
        return EAF_SYNTAX;
    }
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            eaf__source_error(r, r->line, "\"%s\" must be an array of strings", name);
            return EAF_SYNTAX;
        }
        st = eaf_article_add_tag(a, kind, json_string_value(v));
        if (st == EAF_NOMEM)
            return st;
        /* an empty tag is skipped */
    }
    return EAF_OK;
}

static eaf_status add_authors(eaf__source *r, eaf_article *a, json_t *obj)
{
    json_t *arr = json_object_get(obj, "authors"), *v;
    size_t i;
    eaf_status st;

    if (!arr || json_is_null(arr))
        return EAF_OK;
    if (!json_is_array(arr)) {
        eaf__source_error(r, r->line, "\"authors\" must be an array");
        return EAF_SYNTAX;
    }
    json_array_foreach(arr, i, v) {
        const char *name = NULL, *aff = NULL;
        int bad = 0;
        const char *bad_name = NULL;

        if (json_is_string(v)) {
            name = json_string_value(v);
        } else if (json_is_object(v)) {
            name = get_string(v, "name", &bad, &bad_name);
            aff = get_string(v, "affiliation", &bad, &bad_name);
        } else {
            bad = 1;
        }
        if (bad) {
            eaf__source_error(r, r->line,
                              "each author must be a string or an object with "
                              "\"name\" and \"affiliation\"");
            return EAF_SYNTAX;
        }
        if (!name)
            continue;
        st = eaf_article_add_author(a, name, aff);
        if (st == EAF_NOMEM)
            return st;
        /* an empty name is skipped */
    }
    return EAF_OK;
}

/* "related": the titles of the site's own related-posts list. */
static eaf_status add_related(eaf__source *r, eaf_article *a, json_t *obj)
{
    json_t *arr = json_object_get(obj, "related"), *v;
    size_t i;

    if (!arr || json_is_null(arr))
        return EAF_OK;
    if (!json_is_array(arr)) {
        eaf__source_error(r, r->line, "\"related\" must be an array of strings");
        return EAF_SYNTAX;
    }
    json_array_foreach(arr, i, v) {
        if (!json_is_string(v)) {
            eaf__source_error(r, r->line, "\"related\" must be an array of strings");
            return EAF_SYNTAX;
        }
        if (eaf_article_add_related_title(a, json_string_value(v)) == EAF_NOMEM)
            return EAF_NOMEM;
    }
    return EAF_OK;
}

static eaf_status read_object(eaf__source *r, json_t *obj, eaf_article *a)
{
    static const struct {
        const char *name;
        eaf_field field;
    } text[] = {
        {"title", EAF_FIELD_TITLE}, {"url", EAF_FIELD_URL},
        {"date", EAF_FIELD_DATE},   {"excerpt", EAF_FIELD_SUMMARY},
        {"summary", EAF_FIELD_SUMMARY}, {"body", EAF_FIELD_BODY},
        {"bio", EAF_FIELD_BIO},     {"lang", EAF_FIELD_LANGUAGE},
    };
    json_t *id = json_object_get(obj, "id");
    eaf_status st = EAF_OK;
    size_t i;

    if (json_is_integer(id)) {
        char num[32];
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        st = eaf_article_set(a, EAF_FIELD_KEY, num, EAF_NTS);
    } else if (json_is_string(id) && json_string_length(id) > 0) {
        st = eaf_article_set(a, EAF_FIELD_KEY, json_string_value(id),
                             json_string_length(id));
    } else if (!id) {
        eaf__source_error(r, r->line, "no \"id\" in the object");
        return EAF_SYNTAX;
    } else {
        eaf__source_error(r, r->line, "the \"id\" must be a non-empty string or an integer");
        return EAF_SYNTAX;
    }
    if (st == EAF_SYNTAX) {
        eaf__source_error(r, r->line, "the \"id\" is blank");
        return st;
    }
    for (i = 0; st == EAF_OK && i < EAF__ARRAY_LEN(text); i++)
        st = set_field(r, a, text[i].field, obj, text[i].name);
    if (st == EAF_OK)
        st = add_authors(r, a, obj);
    if (st == EAF_OK)
        st = add_tags(r, a, EAF_TAG_TOPIC, obj, "topics");
    if (st == EAF_OK)
        st = add_tags(r, a, EAF_TAG_COUNTRY, obj, "countries");
    if (st == EAF_OK)
        st = add_tags(r, a, EAF_TAG_OTHER, obj, "tags");
    if (st == EAF_OK)
        st = add_related(r, a, obj);
    if (st == EAF_NOMEM)
        eaf__source_error(r, r->line, "out of memory");
    return st;
}

static int blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

static eaf_status jsonl_next(eaf__source *r, eaf_article **out)
{
    json_error_t err;
    json_t *obj;
    eaf_article *a;
    eaf_status st;
    const char *line;
    size_t n;
    int got;

again:
    for (;;) {
        got = eaf__source_getline(r);
        if (got < 0)
            return got == -2 ? EAF_NOMEM : EAF_IO;
        if (got == 0)
            return EAF_DONE;
        line = r->line_buf.p ? r->line_buf.p : "";
        n = r->line_buf.n;
        /* a byte-order mark on the first line */
        if (r->line == 1 && n >= 3 && (unsigned char)line[0] == 0xEF &&
            (unsigned char)line[1] == 0xBB && (unsigned char)line[2] == 0xBF) {
            line += 3;
            n -= 3;
        }
        if (!blank(line, n))
            break;
    }
    /* \u0000 is valid JSON: the text fields keep what follows it (the NUL
     * becomes U+FFFD, as everywhere) */
    obj = json_loadb(line, n, JSON_ALLOW_NUL, &err);
    if (!obj) {
        eaf__source_error(r, r->line, "invalid JSON at column %d: %s", err.column,
                          err.text);
        return EAF_SYNTAX;
    }
    if (!json_is_object(obj)) {
        json_decref(obj);
        eaf__source_error(r, r->line, "not a JSON object");
        return EAF_SYNTAX;
    }
    /* the header of an export (eafindex --export): the index's settings,
     * which eafindex reads itself; not an article */
    if (json_is_object(json_object_get(obj, EAF__EXPORT_HEADER)) && !json_object_get(obj, "id")) {
        json_decref(obj);
        goto again; /* (a loop, not a call: a file of headers is no deeper) */
    }
    if (eaf_article_new(&a) != EAF_OK) {
        json_decref(obj);
        eaf__source_error(r, r->line, "out of memory");
        return EAF_NOMEM;
    }
    st = read_object(r, obj, a);
    json_decref(obj);
    if (st != EAF_OK) {
        eaf_article_free(a);
        return st;
    }
    *out = a;
    return EAF_ROW;
}

/* ---- the row of the table -------------------------------------------------------- */

static const char *const jsonl_aliases[] = {"ndjson", NULL};
static const char *const jsonl_extensions[] = {".jsonl", ".ndjson", NULL};

/* A JSON object on its own line; else the name. */
static int jsonl_sniff(const eaf__sniff *s)
{
    if (eaf__sniff_json_object(s) && eaf__sniff_json_or_front(s) == EAF_FORMAT_JSONL)
        return EAF__SNIFF_JSON;
    return eaf__sniff_named(s, jsonl_extensions) ? EAF__SNIFF_NAME : EAF__SNIFF_NO;
}

static void jsonl_nothing(eaf__source *r)
{
    if (r->line == 0)
        eaf__source_error(r, 0, "empty file (JSON Lines with no line)");
    else
        eaf__source_error(r, 0, "no article: %lu blank line%s and no JSON object", r->line,
                          r->line == 1 ? "" : "s");
}

const eaf__format_def eaf__format_jsonl = {
    EAF_FORMAT_JSONL, "jsonl", jsonl_aliases, jsonl_extensions, jsonl_sniff, jsonl_next,
    jsonl_nothing};
