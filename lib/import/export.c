/*
 * export.c: an index written out as JSON Lines, the format its reader
 * (import_jsonl.c) reads back.
 *
 * The first line is a header, {"eafsearch_export":{...}}: what an index
 * is besides its articles (its stemming language and the options of its
 * related lists), so that an index made from the export can take them
 * again.  The JSON Lines reader passes over it.  Then one object per
 * article, in key order, with every member present (null or [] when the
 * article has none), in a fixed order: exports of one index compare equal
 * byte for byte.
 *
 * The text goes to a write callback rather than a FILE: a binding or a
 * server can send it where it likes, and the library does not decide how
 * a failed write is reported.
 */
#include "eaf-private.h"
#include "db.h"
#include "options.h"

#include <string.h>

#include <jansson.h>

/* The header's member; the JSON Lines reader knows it by the same name
 * (EAF__EXPORT_HEADER in reader.h). */
#define EXPORT_HEADER "eafsearch_export"
/* The version of the header's content; a reader ignores what it does not
 * know. */
#define EXPORT_VERSION 1

typedef struct export_state {
    eaf_write_fn write;
    void *payload;
    int64_t count;
    int stopped;              /* the write callback returned nonzero */
    int nomem;                /* jansson could not make a value */
} export_state;

/* jansson's writer: its pieces go to the caller's callback. */
static int dump_piece(const char *buffer, size_t size, void *data)
{
    export_state *x = data;

    /* jansson may go on with the pieces of a value after one failed: the
     * caller sees none once it said stop */
    if (x->stopped)
        return -1;
    if (x->write(buffer, size, x->payload) != 0) {
        x->stopped = 1;
        return -1;
    }
    return 0;
}

/* Writes v, compact, and a line break; 0, or -1 when it stopped. */
static int write_line(export_state *x, json_t *v)
{
    if (!v) {
        x->nomem = 1;
        return -1;
    }
    if (json_dump_callback(v, dump_piece, x, JSON_COMPACT) != 0) {
        if (!x->stopped)
            x->nomem = 1;
        return -1;
    }
    return dump_piece("\n", 1, x);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *tag_list(const eaf_article *a, eaf_tag_kind kind)
{
    json_t *arr = json_array();
    size_t i, n = eaf_article_tag_count(a, kind);

    for (i = 0; i < n; i++)
        json_array_append_new(arr, json_string(eaf_article_tag(a, kind, i)));
    return arr;
}

static int export_one(const eaf_article *a, void *payload)
{
    export_state *x = payload;
    json_t *o = json_object(), *authors = json_array(), *related = json_array();
    size_t i, n;
    int rc;

    json_object_set_new(o, "id", string_or_null(eaf_article_get(a, EAF_FIELD_KEY)));
    json_object_set_new(o, "url", string_or_null(eaf_article_get(a, EAF_FIELD_URL)));
    json_object_set_new(o, "title", string_or_null(eaf_article_get(a, EAF_FIELD_TITLE)));
    json_object_set_new(o, "date", string_or_null(eaf_article_get(a, EAF_FIELD_DATE)));
    n = eaf_article_author_count(a);
    for (i = 0; i < n; i++) {
        json_t *au = json_object();
        json_object_set_new(au, "name", json_string(eaf_article_author_name(a, i)));
        json_object_set_new(au, "affiliation",
                            string_or_null(eaf_article_author_affiliation(a, i)));
        json_array_append_new(authors, au);
    }
    json_object_set_new(o, "authors", authors);
    json_object_set_new(o, "topics", tag_list(a, EAF_TAG_TOPIC));
    json_object_set_new(o, "countries", tag_list(a, EAF_TAG_COUNTRY));
    json_object_set_new(o, "tags", tag_list(a, EAF_TAG_OTHER));
    json_object_set_new(o, "summary", string_or_null(eaf_article_get(a, EAF_FIELD_SUMMARY)));
    json_object_set_new(o, "body", string_or_null(eaf_article_get(a, EAF_FIELD_BODY)));
    json_object_set_new(o, "bio", string_or_null(eaf_article_get(a, EAF_FIELD_BIO)));
    json_object_set_new(o, "lang", string_or_null(eaf_article_get(a, EAF_FIELD_LANGUAGE)));
    n = eaf_article_related_title_count(a);
    for (i = 0; i < n; i++)
        json_array_append_new(related, json_string(eaf_article_related_title(a, i)));
    json_object_set_new(o, "related", related);
    rc = write_line(x, o);
    json_decref(o);
    if (rc == 0)
        x->count++;
    return rc != 0;
}

/* The related options in the header: their names there, and where each
 * is in the options struct. */
static const struct {
    const char *name;
    size_t offset;
    int is_unsigned;
} related_fields[] = {
#define F(name, u) {#name, offsetof(eaf_related_options, name), u}
    F(count, 1), F(terms, 1), F(title_weight, 0), F(max_share, 0),
    F(topic_weight, 0), F(country_weight, 0), F(tag_weight, 0), F(author_weight, 0),
    F(recency, 0), F(half_life_days, 1), F(duplicate, 0), F(idf_power, 0),
    F(neighbours, 1), F(neighbour_weight, 0),
#undef F
};

static int write_header(export_state *x, eaf_db *db)
{
    eaf_related_options ro = EAF_RELATED_OPTIONS_INIT;
    json_t *h = json_object(), *rel = json_object(), *top = json_object();
    size_t i;
    int rc;

    json_object_set_new(h, "version", json_integer(EXPORT_VERSION));
    json_object_set_new(h, "language", json_string(eaf_db_language(db)));
    /* an index whose related options cannot be read is exported without
     * them: the articles matter more */
    if (eaf_related_defaults(&ro, db) == EAF_OK) {
        for (i = 0; i < EAF__ARRAY_LEN(related_fields); i++) {
            const char *p = (const char *)&ro + related_fields[i].offset;
            json_object_set_new(rel, related_fields[i].name,
                                related_fields[i].is_unsigned
                                    ? json_integer(*(const unsigned *)p)
                                    : json_real(*(const double *)p));
        }
        json_object_set_new(rel, "earlier", json_boolean(ro.flags & EAF_RELATED_EARLIER));
        json_object_set_new(rel, "text_only", json_boolean(ro.flags & EAF_RELATED_TEXT_ONLY));
        json_object_set_new(h, "related", rel);
    } else {
        json_decref(rel);
    }
    json_object_set_new(top, EXPORT_HEADER, h);
    rc = write_line(x, top);
    json_decref(top);
    return rc;
}

eaf_status eaf_db_export(int64_t *count_out, eaf_db *db,
                         const eaf_export_options *opts, eaf_write_fn write,
                         void *payload)
{
    eaf_export_options o = EAF_EXPORT_OPTIONS_INIT;
    char msg[128];
    export_state x;
    eaf_status st;

    if (count_out)
        *count_out = 0;
    if (!db || !write)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (eaf__options_read(&o, opts, &eaf__export_options_layout, msg, sizeof(msg)) != EAF_OK)
        return eaf__db_error(db, EAF_MISUSE, "%s", msg);
    memset(&x, 0, sizeof(x));
    x.write = write;
    x.payload = payload;
    if (write_header(&x, db) != 0)
        st = EAF_OK;
    else
        st = eaf_db_articles(db, export_one, &x);
    /* the walk's own failure (reading the index) comes first; a stop of
     * ours is EAF_OK or EAF_ABORT from the walk */
    if (st != EAF_OK && st != EAF_ABORT) {
        /* its message is on the handle */
    } else if (x.stopped) {
        st = eaf__db_error(db, EAF_ABORT, "the export's writer stopped it");
    } else if (x.nomem) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory writing the export");
    } else {
        st = EAF_OK;
    }
    if (count_out)
        *count_out = x.count;
    return st;
}

eaf_status eaf_export_settings(char **language_out, eaf_related_options *related_out,
                               int *has_related_out, const char *line, size_t len)
{
    eaf_related_options ro = EAF_RELATED_OPTIONS_INIT;
    json_t *top, *h, *rel, *v;
    eaf_status st = EAF_NOTFOUND;
    size_t i;

    if (language_out)
        *language_out = NULL;
    if (has_related_out)
        *has_related_out = 0;
    if (!language_out || !line)
        return EAF_MISUSE;
    /* the caller's struct, read and written no further than its version */
    if (related_out &&
        eaf__options_read(&ro, related_out, &eaf__related_options_layout, NULL, 0) != EAF_OK)
        return EAF_MISUSE;
    if (len == EAF_NTS)
        len = strlen(line);
    top = len > 0 ? json_loadb(line, len, 0, NULL) : NULL;
    h = json_object_get(top, EXPORT_HEADER);
    if (json_is_object(h) && json_is_string(json_object_get(h, "language"))) {
        *language_out = eaf__strdup(json_string_value(json_object_get(h, "language")));
        st = *language_out ? EAF_OK : EAF_NOMEM;
        rel = json_object_get(h, "related");
        if (st == EAF_OK && json_is_object(rel)) {
            if (has_related_out)
                *has_related_out = 1;
            /* a member missing or not a number leaves the caller's value */
            for (i = 0; related_out && i < EAF__ARRAY_LEN(related_fields); i++) {
                char *p = (char *)&ro + related_fields[i].offset;
                v = json_object_get(rel, related_fields[i].name);
                if (!json_is_number(v))
                    continue;
                if (related_fields[i].is_unsigned)
                    *(unsigned *)p = (unsigned)json_number_value(v);
                else
                    *(double *)p = json_number_value(v);
            }
            if (json_is_true(json_object_get(rel, "earlier")))
                ro.flags |= EAF_RELATED_EARLIER;
            if (json_is_true(json_object_get(rel, "text_only")))
                ro.flags |= EAF_RELATED_TEXT_ONLY;
            if (related_out)
                eaf__options_write(related_out, &ro, &eaf__related_options_layout);
        }
    }
    json_decref(top);
    return st;
}
