/*
 * serve_req.c: eafserve's requests: the parameters of a search (search_req)
 * read from the query string, and the JSON API (/api/...).
 *
 * /api/search prints with eafquery's own JSON printer (query_print.c), so
 * that its answer is byte for byte what `eafquery --format json` prints for
 * the same query and options.
 */
#include "serve_http.h"
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_N 10
#define DEFAULT_FACETS 10
#define MAX_FACETS 100
#define DEFAULT_SUGGEST 8
#define MAX_SUGGEST 20

/* a number macro as a string, for messages */
#define STR_(x) #x
#define STR(x) STR_(x)

const char *param_get(const serve_params *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        if (strcmp(p->v[i].name, name) == 0)
            return p->v[i].value;
    return NULL;
}

/* ---- reading values ---------------------------------------------------------- */

/* A number of at most 9 digits in [lo, hi] into *out; -1 when malformed
 * or out of range. */
static int read_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    unsigned long v = 0;
    size_t i, n = strlen(s);

    if (n == 0 || n > 9)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* A yes or no: 1, 0, or -1 when it is neither.  A parameter given with no
 * value (?strict) is a yes, as a checkbox's "on" is. */
static int read_bool(const char *s)
{
    static const char *const yes[] = {"", "1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (strcmp(s, yes[i]) == 0)
            return 1;
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (strcmp(s, no[i]) == 0)
            return 0;
    return -1;
}

/* Up to max comma-separated numbers in [lo, hi]: how many, or -1. */
static int read_numbers(const char *s, double *out, int max, double lo, double hi)
{
    int n = 0;
    char *end;

    while (*s && n < max) {
        double v = strtod(s, &end);
        if (end == s || !(v >= lo && v <= hi) || (*end && *end != ','))
            return -1;
        out[n++] = v;
        s = *end ? end + 1 : end;
    }
    return *s ? -1 : n;
}

/* The message for a parameter's value: "bad value for n: 'x' (...)", the
 * value cut short and made printable (it comes from outside). */
static void bad_value(sbuf *why, const char *name, const char *value, const char *expected)
{
    size_t i, n = strlen(value);

    sbuf_printf(why, "bad value for %s: '", name);
    for (i = 0; i < n && i < 40; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7f)
            sbuf_printf(why, "\\x%02x", c);
        else
            sbuf_add(why, value + i, 1);
    }
    sbuf_printf(why, "%s' (%s)", n > 40 ? "..." : "", expected);
}

/* Every value must be text: a NUL byte in one (%00) is refused. */
static int check_values(const serve_params *p, sbuf *why)
{
    size_t i;

    if (p->too_many) {
        sbuf_printf(why, "too many parameters (at most %d)", SERVE_MAX_PARAMS);
        return 413;
    }
    for (i = 0; i < p->n; i++)
        if (strlen(p->v[i].value) != p->v[i].len) {
            sbuf_printf(why, "a NUL byte in the value of %s", p->v[i].name);
            return 400;
        }
    return 0;
}

/* ---- a search's parameters ------------------------------------------------------ */

int search_req_read(search_req *r, const serve_params *p, sbuf *why)
{
    static const struct {
        const char *name;
        size_t offset;
    } lists[] = {
        {"author", offsetof(search_req, authors)},
        {"topic", offsetof(search_req, topics)},
        {"country", offsetof(search_req, countries)},
        {"tag", offsetof(search_req, tags)},
    };
    size_t i, k, counts[4] = {0, 0, 0, 0};
    int rc, b;

    memset(r, 0, sizeof(*r));
    r->q = "";
    r->n = DEFAULT_N;
    r->sort = EAF_SORT_RELEVANCE;
    if ((rc = check_values(p, why)) != 0)
        return rc;
    for (i = 0; i < p->n; i++) {
        const char *name = p->v[i].name, *v = p->v[i].value;

        if (strcmp(name, "q") == 0) {
            if (p->v[i].len > SERVE_MAX_QUERY) {
                sbuf_printf(why, "the query is too long (%zu bytes; at most %d)", p->v[i].len,
                            SERVE_MAX_QUERY);
                return 413;
            }
            r->q = v;
        } else if (strcmp(name, "n") == 0) {
            if (read_uint(v, 0, SERVE_MAX_N, &r->n) != 0) {
                bad_value(why, name, v, "a number from 0 to " STR(SERVE_MAX_N));
                return 400;
            }
        } else if (strcmp(name, "offset") == 0) {
            if (read_uint(v, 0, SERVE_MAX_OFFSET, &r->offset) != 0) {
                bad_value(why, name, v, "a number from 0 to " STR(SERVE_MAX_OFFSET));
                return 400;
            }
        } else if (strcmp(name, "sort") == 0) {
            int s;
            for (s = 0; s < EAF_SORT_LAST; s++)
                if (strcmp(v, sort_name((eaf_sort)s)) == 0)
                    break;
            if (s == EAF_SORT_LAST) {
                bad_value(why, name, v, "relevance, newest or oldest");
                return 400;
            }
            r->sort = (eaf_sort)s;
        } else if (strcmp(name, "after") == 0 || strcmp(name, "before") == 0) {
            /* an empty field of a form: no limit; the library checks the rest */
            if (*v)
                *(name[0] == 'a' ? &r->after : &r->before) = v;
        } else if (strcmp(name, "facets") == 0 || strcmp(name, "strict") == 0) {
            if ((b = read_bool(v)) < 0) {
                bad_value(why, name, v, "0 or 1");
                return 400;
            }
            *(name[0] == 'f' ? &r->facets : &r->strict) = b;
        } else {
            for (k = 0; k < 4; k++)
                if (strcmp(name, lists[k].name) == 0)
                    break;
            if (k == 4 || !*v) /* another parameter, or an empty filter */
                continue;
            if (counts[k] == SERVE_MAX_FILTERS) {
                sbuf_printf(why, "too many values of %s (at most %d)", name, SERVE_MAX_FILTERS);
                return 413;
            }
            ((const char **)((char *)r + lists[k].offset))[counts[k]++] = v;
        }
    }
    return 0;
}

/* ---- JSON answers ------------------------------------------------------------------ */

static json_t *jtext(const char *s)
{
    return s ? json_text(s) : json_null();
}

/* Writes root (and frees it) with a line break, as eafquery prints; the
 * status, or 500 when out of memory. */
static int put_json(sbuf *out, json_t *root, int status)
{
    char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

    json_decref(root);
    if (!text)
        return api_error(out, 500, "out of memory", -1);
    sbuf_puts(out, text);
    sbuf_puts(out, "\n");
    free(text);
    return status;
}

int api_error(sbuf *out, int status, const char *message, int offset)
{
    json_t *root = json_object(), *err = json_object();
    char *text;

    json_object_set_new(err, "status", json_integer(status));
    json_object_set_new(err, "message", jtext(message ? message : ""));
    if (offset >= 0)
        json_object_set_new(err, "offset", json_integer(offset));
    json_object_set_new(root, "error", err);
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    out->len = 0;
    if (out->data)
        out->data[0] = '\0';
    if (text) {
        sbuf_puts(out, text);
        sbuf_puts(out, "\n");
        free(text);
    } else {
        sbuf_puts(out, "{\"error\": {\"status\": 500, \"message\": \"out of memory\"}}\n");
    }
    return status;
}

int status_of(eaf_status st)
{
    switch (st) {
    case EAF_NOTFOUND: return 404;
    case EAF_SYNTAX:
    case EAF_MISUSE: return 400;
    case EAF_TIMEOUT:
    case EAF_BUSY:
    case EAF_INTERRUPTED: return 503;
    default: return 500;
    }
}

/* A failure whose status a printer did not hand back (it returned
 * FAIL_DB, reading an article or a snippet): the time limit's message
 * ("...: over the time limit of N ms") tells a timeout. */
static int failed_status(eaf_db *db)
{
    const char *msg = eaf_db_errmsg(db);

    return strstr(msg, "time limit") ? 503 : 500;
}

/* ---- /api/search -------------------------------------------------------------------- */

/* The API's own parameters, besides those of search_req: eafquery's other
 * options. */
typedef struct api_opts {
    double weights[8];
    unsigned facets_top;
    int explain;
} api_opts;

/* Reads --fields' list; 0, or 400 with the message. */
static int read_fields(config *cfg, const char *list, sbuf *why)
{
    const char *bad;
    size_t len;

    if (fields_parse(cfg, list, &bad, &len) == 0)
        return 0;
    bad_value(why, "fields", list,
              "rank, key, url, title, date, authors, score, snippet, summary, topics,"
              " countries, tags, comma-separated");
    return 400;
}

/* The flags of the yes-or-no parameters that are eafquery's options. */
static const struct {
    const char *name;
    unsigned flag;
} flag_params[] = {
    {"no_fallback", EAF_SEARCH_NO_FALLBACK},
    {"no_aliases", EAF_SEARCH_NO_ALIASES},
    {"rank_all", EAF_SEARCH_RANK_ALL},
    {"all_words", EAF_SEARCH_ALL_WORDS},
    {"html", EAF_SEARCH_SNIPPET_HTML},
};

/* Reads the options of eafquery that search_req has not into cfg; 0 or the
 * status of the problem. */
static int read_api_options(config *cfg, api_opts *ao, const serve_params *p, sbuf *why)
{
    size_t i, k;
    int b;

    for (i = 0; i < p->n; i++) {
        const char *name = p->v[i].name, *v = p->v[i].value;
        double x[2];

        for (k = 0; k < sizeof(flag_params) / sizeof(flag_params[0]); k++)
            if (strcmp(name, flag_params[k].name) == 0)
                break;
        if (k < sizeof(flag_params) / sizeof(flag_params[0]) || strcmp(name, "explain") == 0) {
            if ((b = read_bool(v)) < 0) {
                bad_value(why, name, v, "0 or 1");
                return 400;
            }
            if (strcmp(name, "explain") == 0)
                ao->explain = b;
            else if (b)
                cfg->so.flags |= flag_params[k].flag;
            else
                cfg->so.flags &= ~flag_params[k].flag;
        } else if (strcmp(name, "fields") == 0) {
            if (read_fields(cfg, v, why) != 0)
                return 400;
        } else if (strcmp(name, "facets_top") == 0) {
            if (read_uint(v, 1, MAX_FACETS, &ao->facets_top) != 0) {
                bad_value(why, name, v, "a number from 1 to " STR(MAX_FACETS));
                return 400;
            }
        } else if (strcmp(name, "weights") == 0) {
            if (read_numbers(v, ao->weights, 8, 0.0, 1000.0) != 8) {
                bad_value(why, name, v, "8 numbers from 0 to 1000, comma-separated");
                return 400;
            }
            cfg->so.weights = ao->weights;
        } else if (strcmp(name, "k1") == 0) {
            if (read_numbers(v, x, 1, 0.001, 100.0) != 1) {
                bad_value(why, name, v, "a number from 0.001 to 100");
                return 400;
            }
            cfg->so.k1 = x[0];
        } else if (strcmp(name, "b") == 0 || strcmp(name, "proximity") == 0) {
            double hi = name[0] == 'b' ? 1.0 : 100.0;
            if (read_numbers(v, x, 1, 0.0, hi) != 1) {
                bad_value(why, name, v, name[0] == 'b' ? "a number from 0 to 1"
                                                        : "a number from 0 to 100");
                return 400;
            }
            /* 0: none (-1 in the options, where 0 is the default) */
            *(name[0] == 'b' ? &cfg->so.b : &cfg->so.proximity) = x[0] > 0.0 ? x[0] : -1.0;
        } else if (strcmp(name, "feedback") == 0) {
            x[0] = EAF_RANK_DEFAULT_FEEDBACK_DOCS;
            x[1] = EAF_RANK_DEFAULT_FEEDBACK_TERMS;
            b = read_bool(v);
            if (b == 0) { /* none, not even on a long question */
                cfg->so.flags = (cfg->so.flags & ~EAF_SEARCH_FEEDBACK) | EAF_SEARCH_NO_FEEDBACK;
                continue;
            }
            if (b < 0 && read_numbers(v, x, 2, 1.0, 1000.0) != 2) {
                bad_value(why, name, v, "1, or DOCS,TERMS: numbers from 1 to 1000");
                return 400;
            }
            cfg->so.flags = (cfg->so.flags & ~EAF_SEARCH_NO_FEEDBACK) | EAF_SEARCH_FEEDBACK;
            cfg->so.feedback_docs = (unsigned)x[0];
            cfg->so.feedback_terms = (unsigned)x[1];
        } else if (strcmp(name, "mark_open") == 0) {
            cfg->so.mark_open = v;
        } else if (strcmp(name, "mark_close") == 0) {
            cfg->so.mark_close = v;
        }
    }
    /* the last of rank_all and all_words wins, as in eafquery */
    for (i = p->n; i-- > 0;) {
        if (strcmp(p->v[i].name, "rank_all") == 0 && read_bool(p->v[i].value) == 1) {
            cfg->so.flags &= ~EAF_SEARCH_ALL_WORDS;
            break;
        }
        if (strcmp(p->v[i].name, "all_words") == 0 && read_bool(p->v[i].value) == 1) {
            cfg->so.flags &= ~EAF_SEARCH_RANK_ALL;
            break;
        }
    }
    if (cfg->so.flags & EAF_SEARCH_SNIPPET_HTML) {
        if (!cfg->so.mark_open)
            cfg->so.mark_open = "<b>";
        if (!cfg->so.mark_close)
            cfg->so.mark_close = "</b>";
    }
    return 0;
}

static const printer *json_printer(void)
{
    size_t i;

    for (i = 0; i < N_PRINTERS; i++)
        if (strcmp(printers[i].name, "json") == 0)
            return &printers[i];
    return NULL;
}

/* Runs the search of cfg, as eafquery's run_query does, printing with its
 * JSON printer into out; returns the status. */
static int run_search(sbuf *out, config *cfg, const char *query, int explain)
{
    const printer *p = cfg->p;
    query_run r;
    output o;
    eaf_status st;
    unsigned rank = cfg->so.offset;
    char *text = NULL;
    size_t len = 0;
    FILE *f;
    int rc = 0, begun, status = 200;

    memset(&r, 0, sizeof(r));
    memset(&o, 0, sizeof(o));
    r.query = query;
    r.total = -1;
    st = eaf_search_new(&r.s, cfg->db, query, &cfg->so);
    if (st != EAF_OK) {
        /* an invalid date filter is a syntax error too, with no offset */
        return api_error(out, status_of(st), eaf_db_errmsg(cfg->db),
                         st == EAF_SYNTAX ? eaf_db_error_offset(cfg->db) : -1);
    }
    f = open_memstream(&text, &len);
    if (!f) {
        eaf_search_free(r.s);
        return api_error(out, 500, "out of memory", -1);
    }
    o.cfg = cfg;
    o.out = f;
    o.nqueries = 1;
    if (explain && !(o.explain = eaf_search_explain(r.s)))
        rc = -1;
    if (rc == 0 && (st = eaf_search_total(&r.total, r.s)) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && cfg->facets_top &&
        (st = eaf_search_facets(&r.facets, r.s, cfg->facets_top)) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && (st = eaf_search_suggestion(&r.suggestion, r.s)) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && p->begin)
        rc = p->begin(&o, &r);
    begun = rc == 0;
    if (rc == 0)
        st = EAF_OK; /* (a printer's failure: its status is not known) */
    if (rc == 0 && cfg->limit > 0) {
        while ((st = eaf_search_next(r.s)) == EAF_ROW) {
            if ((rc = p->hit(&o, &r, ++rank)) != 0)
                break;
            o.shown++;
        }
        if (rc == 0 && st != EAF_DONE)
            rc = FAIL_DB;
        else if (rc != 0)
            st = EAF_OK; /* the printer's failure: its status is not known */
    }
    if (begun && p->end) {
        int rc2 = p->end(&o, &r, rc == 0);
        if (rc == 0)
            rc = rc2;
    }
    if (rc == FAIL_DB)
        status = st != EAF_OK && st != EAF_ROW && st != EAF_DONE ? status_of(st)
                                                                   : failed_status(cfg->db);
    else if (rc != 0)
        status = 500;
    if (status != 200)
        api_error(out, status, rc == FAIL_DB ? eaf_db_errmsg(cfg->db) : "out of memory", -1);
    eaf_facets_free(r.facets);
    eaf_search_free(r.s);
    if (fclose(f) != 0 && status == 200)
        status = api_error(out, 500, "out of memory", -1);
    if (status == 200)
        sbuf_add(out, text ? text : "", len);
    free(text);
    return status;
}

int api_search(sbuf *out, eaf_db *db, const serve_params *p)
{
    static const eaf_search_options so_init = EAF_SEARCH_OPTIONS_INIT;
    search_req r;
    config cfg;
    api_opts ao;
    sbuf why = SBUF_INIT;
    size_t i;
    int status;

    memset(&cfg, 0, sizeof(cfg));
    memset(&ao, 0, sizeof(ao));
    cfg.so = so_init;
    cfg.p = json_printer();
    cfg.db = db;
    for (i = 0; i < N_DEFAULT_FIELDS; i++) {
        cfg.fields[i] = (enum field)i;
        cfg.field_mask |= BIT(i);
    }
    cfg.nfields = N_DEFAULT_FIELDS;
    if ((status = search_req_read(&r, p, &why)) != 0 ||
        (status = read_api_options(&cfg, &ao, p, &why)) != 0) {
        status = api_error(out, status, why.failed ? "out of memory" : why.data, -1);
        sbuf_free(&why);
        return status;
    }
    sbuf_free(&why);
    cfg.limit = r.n;
    cfg.so.limit = r.n > 0 ? r.n : 1; /* 0: the count (and facets) only */
    cfg.so.offset = r.offset;
    cfg.so.sort = r.sort;
    cfg.so.date_from = r.after;
    cfg.so.date_to = r.before;
    if (r.authors[0])
        cfg.so.authors = r.authors;
    if (r.topics[0])
        cfg.so.topics = r.topics;
    if (r.countries[0])
        cfg.so.countries = r.countries;
    if (r.tags[0])
        cfg.so.tags = r.tags;
    if (r.strict)
        cfg.so.flags |= EAF_SEARCH_STRICT;
    cfg.filters = r.after || r.before || r.authors[0] || r.topics[0] || r.countries[0] ||
                  r.tags[0];
    if (r.facets || ao.facets_top)
        cfg.facets_top = ao.facets_top ? ao.facets_top : DEFAULT_FACETS;
    if (!*r.q && !cfg.filters)
        return api_error(out, 400, "no query: give q, or a filter", -1);
    return run_search(out, &cfg, r.q, ao.explain);
}

/* ---- /api/related/KEY ------------------------------------------------------------------ */

static json_t *related_shared(eaf_related *rel, size_t i)
{
    json_t *shared = json_object();
    size_t j, nv;
    int k;

    for (k = 0; shared && k < EAF_REASON_LAST; k++) {
        json_t *vals = json_array();
        if (eaf_related_shared_count(&nv, rel, i, (eaf_related_reason)k) != EAF_OK)
            nv = 0;
        for (j = 0; vals && j < nv; j++) {
            const char *v = NULL;
            if (eaf_related_shared(&v, rel, i, (eaf_related_reason)k, j) != EAF_OK)
                v = NULL;
            json_array_append_new(vals, jtext(v));
        }
        json_object_set_new(shared, eaf_related_reason_name((eaf_related_reason)k), vals);
    }
    return shared;
}

int api_related(sbuf *out, eaf_db *db, const char *key, const serve_params *p)
{
    eaf_related_options ro = EAF_RELATED_OPTIONS_INIT;
    eaf_related *rel = NULL;
    eaf_article *a = NULL;
    json_t *root, *arr;
    sbuf why = SBUF_INIT;
    const char *v;
    eaf_status st;
    size_t i, n;
    int explain = 0, rc;

    if ((rc = check_values(p, &why)) == 0 && (v = param_get(p, "n")) &&
        read_uint(v, 1, 100, &ro.count) != 0) {
        bad_value(&why, "n", v, "a number from 1 to 100");
        rc = 400;
    }
    if (rc == 0 && (v = param_get(p, "explain")) && (explain = read_bool(v)) < 0) {
        bad_value(&why, "explain", v, "0 or 1");
        rc = 400;
    }
    if (rc != 0) {
        rc = api_error(out, rc, why.data, -1);
        sbuf_free(&why);
        return rc;
    }
    st = eaf_db_get(&a, db, key);
    if (st == EAF_OK)
        st = eaf_related_new(&rel, db, key, &ro);
    if (st != EAF_OK) {
        eaf_article_free(a);
        return api_error(out, status_of(st), st == EAF_NOTFOUND ? "no article has this key"
                                                                  : eaf_db_errmsg(db), -1);
    }
    root = json_object();
    arr = json_array();
    json_object_set_new(root, "key", jtext(key));
    json_object_set_new(root, "title", jtext(eaf_article_get(a, EAF_FIELD_TITLE)));
    json_object_set_new(root, "stored", json_boolean(eaf_related_stored(rel)));
    n = eaf_related_count(rel);
    for (i = 0; arr && i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", jtext(eaf_related_key(rel, i)));
        json_object_set_new(o, "title", jtext(eaf_related_title(rel, i)));
        json_object_set_new(o, "score", json_real(eaf_related_score(rel, i)));
        if (explain) {
            const char *w = NULL;
            if ((st = eaf_related_explain(&w, rel, i)) != EAF_OK) {
                json_decref(o);
                json_decref(arr);
                json_decref(root);
                rc = api_error(out, status_of(st), eaf_db_errmsg(db), -1);
                eaf_related_free(rel);
                eaf_article_free(a);
                return rc;
            }
            json_object_set_new(o, "why", jtext(w));
            json_object_set_new(o, "shared", related_shared(rel, i));
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "related", arr);
    eaf_related_free(rel);
    eaf_article_free(a);
    return put_json(out, root, 200);
}

/* ---- /api/article/KEY ------------------------------------------------------------------ */

static json_t *tag_array(const eaf_article *a, eaf_tag_kind kind)
{
    json_t *arr = json_array();
    size_t i, n = eaf_article_tag_count(a, kind);

    for (i = 0; arr && i < n; i++)
        json_array_append_new(arr, jtext(eaf_article_tag(a, kind, i)));
    return arr;
}

int api_article(sbuf *out, eaf_db *db, const char *key)
{
    static const struct {
        const char *name;
        eaf_field field;
    } fields[] = {
        {"key", EAF_FIELD_KEY}, {"url", EAF_FIELD_URL}, {"title", EAF_FIELD_TITLE},
        {"date", EAF_FIELD_DATE}, {"language", EAF_FIELD_LANGUAGE},
        {"summary", EAF_FIELD_SUMMARY},
    };
    eaf_article *a = NULL;
    eaf_status st = eaf_db_get(&a, db, key);
    json_t *root, *arr;
    size_t i, n;

    if (st != EAF_OK)
        return api_error(out, status_of(st), st == EAF_NOTFOUND ? "no article has this key"
                                                                  : eaf_db_errmsg(db), -1);
    root = json_object();
    for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        json_object_set_new(root, fields[i].name, jtext(eaf_article_get(a, fields[i].field)));
    arr = json_array();
    n = eaf_article_author_count(a);
    for (i = 0; arr && i < n; i++) {
        json_t *au = json_object();
        json_object_set_new(au, "name", jtext(eaf_article_author_name(a, i)));
        json_object_set_new(au, "affiliation", jtext(eaf_article_author_affiliation(a, i)));
        json_array_append_new(arr, au);
    }
    json_object_set_new(root, "authors", arr);
    json_object_set_new(root, "topics", tag_array(a, EAF_TAG_TOPIC));
    json_object_set_new(root, "countries", tag_array(a, EAF_TAG_COUNTRY));
    json_object_set_new(root, "tags", tag_array(a, EAF_TAG_OTHER));
    arr = json_array();
    n = eaf_article_related_title_count(a);
    for (i = 0; arr && i < n; i++)
        json_array_append_new(arr, jtext(eaf_article_related_title(a, i)));
    json_object_set_new(root, "related_titles", arr);
    json_object_set_new(root, "bio", jtext(eaf_article_get(a, EAF_FIELD_BIO)));
    json_object_set_new(root, "body", jtext(eaf_article_get(a, EAF_FIELD_BODY)));
    eaf_article_free(a);
    return put_json(out, root, 200);
}

/* ---- /api/suggest ----------------------------------------------------------------------- */

static int add_suggestion(const char *text, eaf_completion_kind kind, int64_t count,
                          const char *key, void *payload)
{
    json_t *item = json_object();

    json_object_set_new(item, "text", jtext(text));
    json_object_set_new(item, "kind",
                        json_string(kind == EAF_COMPLETE_TITLE ? "title" : "words"));
    json_object_set_new(item, "count", json_integer(count));
    json_object_set_new(item, "key", jtext(key));
    return json_array_append_new(payload, item) != 0;
}

int api_suggest(sbuf *out, eaf_db *db, const serve_params *p)
{
    const char *q = param_get(p, "q"), *v;
    unsigned n = DEFAULT_SUGGEST;
    sbuf why = SBUF_INIT;
    json_t *root, *arr;
    eaf_status st;
    size_t i;
    int rc;

    if ((rc = check_values(p, &why)) == 0 && (v = param_get(p, "n")) &&
        read_uint(v, 1, MAX_SUGGEST, &n) != 0) {
        bad_value(&why, "n", v, "a number from 1 to " STR(MAX_SUGGEST));
        rc = 400;
    }
    for (i = 0; rc == 0 && i < p->n; i++)
        if (strcmp(p->v[i].name, "q") == 0 && p->v[i].len > SERVE_MAX_QUERY) {
            sbuf_printf(&why, "the query is too long (%zu bytes; at most %d)", p->v[i].len,
                        SERVE_MAX_QUERY);
            rc = 413;
        }
    if (rc != 0) {
        rc = api_error(out, rc, why.data, -1);
        sbuf_free(&why);
        return rc;
    }
    if (!q)
        q = "";
    arr = json_array();
    if (!arr)
        return api_error(out, 500, "out of memory", -1);
    st = *q ? eaf_db_complete(db, q, n, add_suggestion, arr) : EAF_OK;
    if (st != EAF_OK && st != EAF_ABORT) {
        json_decref(arr);
        return api_error(out, status_of(st), eaf_db_errmsg(db), -1);
    }
    root = json_object();
    json_object_set_new(root, "query", jtext(q));
    json_object_set_new(root, "suggestions", arr);
    return put_json(out, root, 200);
}

/* ---- /api/stats ------------------------------------------------------------------------- */

int api_stats(sbuf *out, eaf_db *db, uint64_t generation, const serve_stats *s)
{
    int64_t count = 0;
    eaf_status st = eaf_db_count(&count, db);
    json_t *root;

    if (st != EAF_OK)
        return api_error(out, status_of(st), eaf_db_errmsg(db), -1);
    root = json_object();
    json_object_set_new(root, "version", json_string(eaf_version()));
    json_object_set_new(root, "articles", json_integer(count));
    json_object_set_new(root, "generation", json_integer((json_int_t)generation));
    json_object_set_new(root, "language", jtext(eaf_db_language(db)));
    json_object_set_new(root, "uptime_seconds", json_integer((json_int_t)s->uptime));
    json_object_set_new(root, "requests", json_integer((json_int_t)s->requests));
    json_object_set_new(root, "threads", json_integer(s->threads));
    json_object_set_new(root, "time_limit_ms", json_integer(s->time_limit));
    return put_json(out, root, 200);
}
