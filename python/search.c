/*
 * search.c: Index.search(), and what it returns: Results, a sequence of
 * Hit (a named tuple: key, url, title, date, authors, score, snippet,
 * date_text), with the total, the facets, the suggestion, the fallback
 * and the words dropped.
 *
 * The search runs whole with the GIL released: eaf_search_new(), the
 * hits of the page read into C memory, the total, the facets and the
 * suggestion; then, with the GIL back, the Python objects are made from
 * them.  The eaf_search is freed before the call returns, so Results hold
 * no state of the index (no open read transaction to keep the WAL from
 * being folded back, nothing tied to the thread).
 */
#include "pyeaf.h"

#include <stdlib.h>
#include <string.h>

/* ---- C memory for the duration of a search ----------------------------------------- */

typedef struct {
    char **p;
    size_t n, cap;
    int nomem;
} strpool;

/* A copy of s kept in the pool (NULL for NULL, and when out of memory,
 * which the pool remembers). */
static char *keep(strpool *sp, const char *s)
{
    char *d;

    if (!s)
        return NULL;
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 64;
        char **q = realloc(sp->p, cap * sizeof(*q));
        if (!q) {
            sp->nomem = 1;
            return NULL;
        }
        sp->p = q;
        sp->cap = cap;
    }
    d = strdup(s);
    if (!d) {
        sp->nomem = 1;
        return NULL;
    }
    sp->p[sp->n++] = d;
    return d;
}

static void pool_free(strpool *sp)
{
    size_t i;

    for (i = 0; i < sp->n; i++)
        free(sp->p[i]);
    free(sp->p);
    memset(sp, 0, sizeof(*sp));
}

typedef struct {
    const char *key, *url, *title, *date, *snippet;
    double score;
    int has_score;
    size_t nauthors;
    const char **authors;     /* name, affiliation, name, affiliation, ... */
} c_hit;

typedef struct {
    const char *value;
    int64_t count;
} c_facet;

typedef struct {
    /* in */
    eaf_db *db;
    const char *query;
    eaf_search_options so;
    int want_snippets, want_facets, want_explain;
    int want_suggestion;      /* 1 always, 0 never, -1 when nothing matched all the words */
    unsigned facet_top;
    /* out */
    eaf_status st;
    char *errmsg;
    int offset;
    strpool pool;
    c_hit *hits;
    size_t nhits, caphits;
    int64_t total;
    int fallback, question;
    const char *suggestion, *explain;
    const char **dropped;
    size_t ndropped;
    c_facet *facets[EAF_FACET_LAST];
    size_t nfacets[EAF_FACET_LAST];
} search_run;

static void run_fail(search_run *r, eaf_status st)
{
    const char *m = eaf_db_errmsg(r->db);

    r->st = st;
    r->offset = eaf_db_error_offset(r->db);
    r->errmsg = strdup(m && *m ? m : eaf_status_str(st));
}

/* Reads the hit s is on into r->hits. */
static int take_hit(search_run *r, eaf_search *s)
{
    c_hit *h;
    const eaf_article *a = NULL;
    eaf_status st;
    size_t i;

    if (r->nhits == r->caphits) {
        size_t cap = r->caphits ? r->caphits * 2 : 16;
        c_hit *q = realloc(r->hits, cap * sizeof(*q));
        if (!q) {
            r->pool.nomem = 1;
            return -1;
        }
        r->hits = q;
        r->caphits = cap;
    }
    h = &r->hits[r->nhits++];
    memset(h, 0, sizeof(*h));
    h->key = keep(&r->pool, eaf_search_field(s, EAF_FIELD_KEY));
    h->url = keep(&r->pool, eaf_search_field(s, EAF_FIELD_URL));
    h->title = keep(&r->pool, eaf_search_field(s, EAF_FIELD_TITLE));
    h->date = keep(&r->pool, eaf_search_field(s, EAF_FIELD_DATE));
    h->has_score = eaf_search_has_score(s);
    h->score = eaf_search_score(s);
    if (r->want_snippets)
        h->snippet = keep(&r->pool, eaf_search_snippet(s));
    st = eaf_search_article(&a, s);
    if (st != EAF_OK) {
        run_fail(r, st);
        return -1;
    }
    h->nauthors = eaf_article_author_count(a);
    if (h->nauthors) {
        h->authors = calloc(h->nauthors * 2, sizeof(*h->authors));
        if (!h->authors) {
            h->nauthors = 0;
            r->pool.nomem = 1;
            return -1;
        }
        for (i = 0; i < h->nauthors; i++) {
            h->authors[2 * i] = keep(&r->pool, eaf_article_author_name(a, i));
            h->authors[2 * i + 1] = keep(&r->pool, eaf_article_author_affiliation(a, i));
        }
    }
    return r->pool.nomem ? -1 : 0;
}

static int take_facets(search_run *r, eaf_search *s)
{
    eaf_facets *f = NULL;
    eaf_status st = eaf_search_facets(&f, s, r->facet_top);
    int k;
    size_t i;

    if (st != EAF_OK) {
        run_fail(r, st);
        return -1;
    }
    for (k = 0; k < EAF_FACET_LAST; k++) {
        size_t n = eaf_facets_count(f, (eaf_facet)k);
        r->facets[k] = calloc(n ? n : 1, sizeof(c_facet));
        if (!r->facets[k]) {
            eaf_facets_free(f);
            r->pool.nomem = 1;
            return -1;
        }
        r->nfacets[k] = n;
        for (i = 0; i < n; i++) {
            int64_t c = 0;
            r->facets[k][i].value = keep(&r->pool, eaf_facets_value(f, (eaf_facet)k, i, &c));
            r->facets[k][i].count = c;
        }
    }
    eaf_facets_free(f);
    return r->pool.nomem ? -1 : 0;
}

/* The whole search, without the GIL. */
static void run_search(search_run *r)
{
    eaf_search *s = NULL;
    eaf_status st;
    const char *sugg = NULL;
    size_t i;

    st = eaf_search_new(&s, r->db, r->query, &r->so);
    if (st != EAF_OK) {
        run_fail(r, st);
        return;
    }
    st = eaf_search_total(&r->total, s);
    if (st != EAF_OK) {
        run_fail(r, st);
        goto done;
    }
    while ((st = eaf_search_next(s)) == EAF_ROW)
        if (take_hit(r, s) < 0)
            goto done;
    if (st != EAF_DONE) {
        run_fail(r, st);
        goto done;
    }
    r->fallback = eaf_search_fallback(s);
    r->question = eaf_search_question(s);
    r->ndropped = eaf_search_dropped_count(s);
    if (r->ndropped) {
        r->dropped = calloc(r->ndropped, sizeof(*r->dropped));
        if (!r->dropped) {
            r->ndropped = 0;
            r->pool.nomem = 1;
            goto done;
        }
        for (i = 0; i < r->ndropped; i++)
            r->dropped[i] = keep(&r->pool, eaf_search_dropped(s, i));
    }
    /* (a suggestion reads the vocabulary: most of the time of a search on
     * a small index, so by default only when it can help) */
    if (r->want_suggestion > 0 ||
        (r->want_suggestion < 0 && (r->total == 0 || r->fallback || r->ndropped > 0))) {
        st = eaf_search_suggestion(&sugg, s);
        if (st != EAF_OK) {
            run_fail(r, st);
            goto done;
        }
        r->suggestion = keep(&r->pool, sugg);
    }
    if (r->want_facets && take_facets(r, s) < 0)
        goto done;
    if (r->want_explain)
        r->explain = keep(&r->pool, eaf_search_explain(s));
done:
    eaf_search_free(s);
}

static void run_free(search_run *r)
{
    size_t i;
    int k;

    for (i = 0; i < r->nhits; i++)
        free(r->hits[i].authors);
    free(r->hits);
    free(r->dropped);
    for (k = 0; k < EAF_FACET_LAST; k++)
        free(r->facets[k]);
    free(r->errmsg);
    pool_free(&r->pool);
}

/* ---- Hit ---------------------------------------------------------------------------- */

static PyTypeObject HitType;

static PyStructSequence_Field hit_fields[] = {
    {"key", "the article's key"},
    {"url", "its URL, or None"},
    {"title", "its title"},
    {"date", "its date as a datetime.date (the first day of a year or month given "
             "alone), or None"},
    {"authors", "its authors, (name, affiliation) pairs (affiliation may be None)"},
    {"score", "the relevance score (higher is better, comparable within one search), "
              "or None for a hit that is only listed (a query of filters or dates alone)"},
    {"snippet", "the text around the matched words, marked ([...] by default); None "
                "with snippets=False"},
    {"date_text", "the date as stored: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', or None"},
    {NULL, NULL},
};

static PyStructSequence_Desc hit_desc = {
    "eafsearch.Hit",
    "A search hit: a named tuple (key, url, title, date, authors, score, snippet, "
    "date_text).",
    hit_fields,
    7, /* date_text is by name only: a hit unpacks into its first seven */
};

static PyObject *make_hit(const c_hit *h)
{
    PyObject *o = PyStructSequence_New(&HitType), *authors, *v;
    size_t i;

    if (!o)
        return NULL;
#define PUT(i, expr)                                                                         \
    do {                                                                                     \
        if (!(v = (expr)))                                                                   \
            goto fail;                                                                       \
        PyStructSequence_SET_ITEM(o, (i), v);                                                \
    } while (0)
    PUT(0, pyeaf_str_or_none(h->key));
    PUT(1, pyeaf_str_or_none(h->url));
    PUT(2, pyeaf_str_or_none(h->title));
    PUT(3, pyeaf_date(h->date));
    authors = PyTuple_New((Py_ssize_t)h->nauthors);
    PUT(4, authors);
    for (i = 0; i < h->nauthors; i++) {
        PyObject *name = pyeaf_str_or_none(h->authors[2 * i]);
        PyObject *aff = pyeaf_str_or_none(h->authors[2 * i + 1]);
        PyObject *pair = name && aff ? PyTuple_Pack(2, name, aff) : NULL;
        Py_XDECREF(name);
        Py_XDECREF(aff);
        if (!pair)
            goto fail;
        PyTuple_SET_ITEM(authors, (Py_ssize_t)i, pair);
    }
    PUT(5, h->has_score ? PyFloat_FromDouble(h->score) : Py_NewRef(Py_None));
    PUT(6, pyeaf_str_or_none(h->snippet));
    PUT(7, pyeaf_str_or_none(h->date));
#undef PUT
    return o;
fail:
    Py_DECREF(o);
    return NULL;
}

/* ---- Results ------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD
    PyObject *hits;           /* tuple of Hit */
    PyObject *query;
    long long total;
    PyObject *facets;         /* dict, or None */
    PyObject *suggestion;     /* str, or None */
    PyObject *dropped;        /* tuple of str */
    PyObject *explain;        /* str, or None */
    int fallback, question;
} PyEafResults;

static void results_dealloc(PyEafResults *self)
{
    Py_XDECREF(self->hits);
    Py_XDECREF(self->query);
    Py_XDECREF(self->facets);
    Py_XDECREF(self->suggestion);
    Py_XDECREF(self->dropped);
    Py_XDECREF(self->explain);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static Py_ssize_t results_len(PyEafResults *self)
{
    return PyTuple_GET_SIZE(self->hits);
}

static PyObject *results_item(PyEafResults *self, Py_ssize_t i)
{
    if (i < 0 || i >= PyTuple_GET_SIZE(self->hits)) {
        PyErr_SetString(PyExc_IndexError, "Results index out of range");
        return NULL;
    }
    return Py_NewRef(PyTuple_GET_ITEM(self->hits, i));
}

static PyObject *results_iter(PyEafResults *self)
{
    return PyObject_GetIter(self->hits);
}

static PyObject *results_repr(PyEafResults *self)
{
    return PyUnicode_FromFormat("<eafsearch.Results %R: %zd hits of %lld%s>", self->query,
                                PyTuple_GET_SIZE(self->hits), self->total,
                                self->fallback ? ", fallback" : "");
}

static PyObject *results_get_total(PyEafResults *self, void *c)
{
    (void)c;
    return PyLong_FromLongLong(self->total);
}

static PyObject *results_get_fallback(PyEafResults *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->fallback);
}

static PyObject *results_get_question(PyEafResults *self, void *c)
{
    (void)c;
    return PyBool_FromLong(self->question);
}

static PyObject *results_get_hits(PyEafResults *self, void *c)
{
    (void)c;
    return PySequence_List(self->hits);
}

#define RESULTS_OBJ_GETTER(name)                                                             \
    static PyObject *results_get_##name(PyEafResults *self, void *c)                         \
    {                                                                                        \
        (void)c;                                                                             \
        return Py_NewRef(self->name);                                                        \
    }
RESULTS_OBJ_GETTER(query)
RESULTS_OBJ_GETTER(facets)
RESULTS_OBJ_GETTER(suggestion)
RESULTS_OBJ_GETTER(dropped)
RESULTS_OBJ_GETTER(explain)

static PyGetSetDef results_getset[] = {
    {"hits", (getter)results_get_hits, NULL, "the hits of this page, as a list", NULL},
    {"total", (getter)results_get_total, NULL,
     "the number of articles that match, whatever the limit and offset", NULL},
    {"query", (getter)results_get_query, NULL, "the query", NULL},
    {"facets", (getter)results_get_facets, NULL,
     "with facets=...: a dict of kind ('author', 'topic', 'country', 'tag', 'year') to "
     "[(value, count), ...] over all the hits (most frequent first; years newest "
     "first); else None",
     NULL},
    {"suggestion", (getter)results_get_suggestion, NULL,
     "'Did you mean': the query with its unknown words replaced by the closest ones "
     "the articles write, or None",
     NULL},
    {"fallback", (getter)results_get_fallback, NULL,
     "True when no article had all the words, so the hits have any of them", NULL},
    {"dropped", (getter)results_get_dropped, NULL,
     "after a fallback, the words (or phrases) of the query no article has", NULL},
    {"question", (getter)results_get_question, NULL,
     "True when the query was read as a question (four words or more: any may match)",
     NULL},
    {"explain", (getter)results_get_explain, NULL,
     "with explain=True: how the query was understood, for people; else None", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PySequenceMethods results_as_sequence = {
    .sq_length = (lenfunc)results_len,
    .sq_item = (ssizeargfunc)results_item,
};

PyTypeObject PyEafResults_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "eafsearch.Results",
    .tp_basicsize = sizeof(PyEafResults),
    .tp_dealloc = (destructor)results_dealloc,
    .tp_repr = (reprfunc)results_repr,
    .tp_as_sequence = &results_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The result of Index.search(): a sequence of Hit (len() is the number on "
              "this page), with total, facets, suggestion, fallback, dropped, question "
              "and explain.  It holds no state of the index.",
    .tp_iter = (getiterfunc)results_iter,
    .tp_getset = results_getset,
};

static PyObject *make_results(search_run *r, PyObject *query)
{
    PyEafResults *res = PyObject_New(PyEafResults, &PyEafResults_Type);
    size_t i;
    int k;

    if (!res)
        return NULL;
    res->hits = res->facets = res->suggestion = res->dropped = res->explain = NULL;
    res->query = Py_NewRef(query);
    res->total = r->total;
    res->fallback = r->fallback;
    res->question = r->question;
    if (!(res->hits = PyTuple_New((Py_ssize_t)r->nhits)))
        goto fail;
    for (i = 0; i < r->nhits; i++) {
        PyObject *h = make_hit(&r->hits[i]);
        if (!h)
            goto fail;
        PyTuple_SET_ITEM(res->hits, (Py_ssize_t)i, h);
    }
    if (!(res->suggestion = pyeaf_str_or_none(r->suggestion)))
        goto fail;
    if (!(res->explain = pyeaf_str_or_none(r->explain)))
        goto fail;
    if (!(res->dropped = PyTuple_New((Py_ssize_t)r->ndropped)))
        goto fail;
    for (i = 0; i < r->ndropped; i++) {
        PyObject *s = pyeaf_str_or_none(r->dropped[i]);
        if (!s)
            goto fail;
        PyTuple_SET_ITEM(res->dropped, (Py_ssize_t)i, s);
    }
    if (!r->want_facets) {
        res->facets = Py_NewRef(Py_None);
    } else {
        if (!(res->facets = PyDict_New()))
            goto fail;
        for (k = 0; k < EAF_FACET_LAST; k++) {
            PyObject *list = PyList_New((Py_ssize_t)r->nfacets[k]);
            if (!list)
                goto fail;
            for (i = 0; i < r->nfacets[k]; i++) {
                PyObject *t = Py_BuildValue("(NL)", pyeaf_str_or_none(r->facets[k][i].value),
                                            (long long)r->facets[k][i].count);
                if (!t) {
                    Py_DECREF(list);
                    goto fail;
                }
                PyList_SET_ITEM(list, (Py_ssize_t)i, t);
            }
            if (PyDict_SetItemString(res->facets, eaf_facet_name((eaf_facet)k), list) < 0) {
                Py_DECREF(list);
                goto fail;
            }
            Py_DECREF(list);
        }
    }
    return (PyObject *)res;
fail:
    Py_DECREF(res);
    return NULL;
}

/* ---- the arguments -------------------------------------------------------------------- */

/* A filter (None, a str or a sequence of str) as a NULL-terminated array
 * of UTF-8 strings borrowed from *keep, a tuple that holds the str.  0, or
 * -1 with an exception set. */
static int filter_list(PyObject *v, const char *name, PyObject **keep_out, const char ***out)
{
    PyObject *t;
    Py_ssize_t i, n;
    const char **arr;

    *out = NULL;
    *keep_out = NULL;
    if (!v || v == Py_None)
        return 0;
    if (PyUnicode_Check(v))
        t = PyTuple_Pack(1, v);
    else
        t = PySequence_Tuple(v);
    if (!t) {
        PyErr_Format(PyExc_TypeError, "%s must be a str or a sequence of str", name);
        return -1;
    }
    n = PyTuple_GET_SIZE(t);
    if (n == 0) {
        Py_DECREF(t);
        return 0;
    }
    arr = PyMem_Calloc((size_t)n + 1, sizeof(*arr));
    if (!arr) {
        Py_DECREF(t);
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PyTuple_GET_ITEM(t, i);
        if (!PyUnicode_Check(item) || !(arr[i] = PyUnicode_AsUTF8(item))) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "%s must hold str, not %.100s", name,
                             Py_TYPE(item)->tp_name);
            PyMem_Free(arr);
            Py_DECREF(t);
            return -1;
        }
    }
    *keep_out = t;
    *out = arr;
    return 0;
}

PyObject *pyeaf_index_search(PyEafIndex *self, PyObject *args, PyObject *kw)
{
    static const char *names[] = {"query",  "limit",    "offset",        "sort",     "after",
                            "before", "author",   "topic",         "country",  "tag",
                            "facets", "strict",   "fallback",      "aliases",  "all_words",
                            "rank_all", "html",   "marks",         "ellipsis", "snippet_words",
                            "explain", "snippets", "feedback",     "suggest", NULL};
    PyObject *query, *after = Py_None, *before = Py_None, *filters[4] = {NULL, NULL, NULL, NULL};
    PyObject *facets = Py_False, *marks = Py_None, *kept[4] = {NULL, NULL, NULL, NULL};
    PyObject *suggest = Py_None, *feedback = Py_None;
    PyObject *result = NULL, *query_bytes = NULL;
    Py_ssize_t limit = 10, offset = 0;
    const char *sort = "relevance", *ellipsis = NULL, **lists[4] = {NULL, NULL, NULL, NULL};
    unsigned snippet_words = 0;
    int strict = 0, fallback = 1, aliases = 1, all_words = 0, rank_all = 0, html = 0;
    int explain = 0, snippets = 1, k;
    char after_buf[64], before_buf[64];
    search_run r;

    memset(&r, 0, sizeof(r));
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|nnsOOOOOOOppppppOzIppOO:search", (char **)names, &query,
                                     &limit, &offset, &sort, &after, &before, &filters[0],
                                     &filters[1], &filters[2], &filters[3], &facets, &strict,
                                     &fallback, &aliases, &all_words, &rank_all, &html, &marks,
                                     &ellipsis, &snippet_words, &explain, &snippets, &feedback,
                                     &suggest))
        return NULL;
    r.so = (eaf_search_options)EAF_SEARCH_OPTIONS_INIT;
    if (limit < 1 || limit > 100000 || offset < 0 || offset > 100000000) {
        PyErr_SetString(PyExc_ValueError, "limit must be 1 to 100000 and offset 0 or more");
        return NULL;
    }
    r.so.limit = (unsigned)limit;
    r.so.offset = (unsigned)offset;
    if (strcmp(sort, "relevance") == 0)
        r.so.sort = EAF_SORT_RELEVANCE;
    else if (strcmp(sort, "newest") == 0)
        r.so.sort = EAF_SORT_NEWEST;
    else if (strcmp(sort, "oldest") == 0)
        r.so.sort = EAF_SORT_OLDEST;
    else {
        PyErr_Format(PyExc_ValueError, "sort must be 'relevance', 'newest' or 'oldest', not '%s'",
                     sort);
        return NULL;
    }
    r.so.flags = (strict ? EAF_SEARCH_STRICT : 0) | (fallback ? 0 : EAF_SEARCH_NO_FALLBACK) |
                 (aliases ? 0 : EAF_SEARCH_NO_ALIASES) | (all_words ? EAF_SEARCH_ALL_WORDS : 0) |
                 (rank_all ? EAF_SEARCH_RANK_ALL : 0) | (html ? EAF_SEARCH_SNIPPET_HTML : 0);
    if (feedback != Py_None) { /* None: the library's default, on long questions */
        if ((k = PyObject_IsTrue(feedback)) < 0)
            return NULL;
        r.so.flags |= k ? EAF_SEARCH_FEEDBACK : EAF_SEARCH_NO_FEEDBACK;
    }
    if (after != Py_None && !(r.so.date_from = pyeaf_date_text(after, after_buf, sizeof(after_buf))))
        return NULL;
    if (before != Py_None &&
        !(r.so.date_to = pyeaf_date_text(before, before_buf, sizeof(before_buf))))
        return NULL;
    if (marks != Py_None) {
        if (!PyTuple_Check(marks) || PyTuple_GET_SIZE(marks) != 2 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(marks, 0)) ||
            !PyUnicode_Check(PyTuple_GET_ITEM(marks, 1))) {
            PyErr_SetString(PyExc_TypeError, "marks must be a tuple of two str (open, close)");
            return NULL;
        }
        if (!(r.so.mark_open = PyUnicode_AsUTF8(PyTuple_GET_ITEM(marks, 0))) ||
            !(r.so.mark_close = PyUnicode_AsUTF8(PyTuple_GET_ITEM(marks, 1))))
            return NULL;
    }
    r.so.ellipsis = ellipsis;
    r.so.snippet_words = snippet_words;
    if (facets == Py_True || facets == Py_False) {
        r.want_facets = facets == Py_True;
    } else if (PyLong_Check(facets)) {
        long top = PyLong_AsLong(facets);
        if (top < 0 || top > 100000) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_ValueError, "facets must be a bool or a count 1 to 100000");
            return NULL;
        }
        r.want_facets = top > 0;
        r.facet_top = (unsigned)top;
    } else if (facets != Py_None) {
        PyErr_SetString(PyExc_TypeError, "facets must be a bool or the number of values per kind");
        return NULL;
    }
    for (k = 0; k < 4; k++) {
        static const char *const fnames[] = {"author", "topic", "country", "tag"};
        if (filter_list(filters[k], fnames[k], &kept[k], &lists[k]) < 0)
            goto out;
    }
    r.so.authors = lists[0];
    r.so.topics = lists[1];
    r.so.countries = lists[2];
    r.so.tags = lists[3];
    r.want_snippets = snippets;
    if (suggest == Py_None) {
        r.want_suggestion = -1;
    } else if ((r.want_suggestion = PyObject_IsTrue(suggest)) < 0) {
        goto out;
    }
    r.want_explain = explain;
    if (!(r.query = pyeaf_utf8(query, NULL, &query_bytes)))
        goto out;
    if (pyeaf_index_enter(self) < 0)
        goto out;
    r.db = self->db;
    Py_BEGIN_ALLOW_THREADS
    run_search(&r);
    Py_END_ALLOW_THREADS
    pyeaf_index_leave(self);
    if (r.st != EAF_OK) {
        if (r.st == EAF_SYNTAX && strict && r.offset >= 0) {
            pyeaf_raise(r.st, r.errmsg, r.offset);
            /* the offset in characters too, for slicing the str */
            if (PyErr_Occurred()) {
                PyObject *t, *v, *tb;
                PyErr_Fetch(&t, &v, &tb);
                PyErr_NormalizeException(&t, &v, &tb);
                if (v) {
                    PyObject *prefix = PyUnicode_DecodeUTF8(r.query, r.offset, "replace");
                    PyObject *co = prefix ? PyLong_FromSsize_t(PyUnicode_GET_LENGTH(prefix)) : NULL;
                    if (co)
                        PyObject_SetAttrString(v, "char_offset", co);
                    PyObject_SetAttrString(v, "query", query);
                    Py_XDECREF(co);
                    Py_XDECREF(prefix);
                    PyErr_Clear();
                }
                PyErr_Restore(t, v, tb);
            }
        } else {
            pyeaf_raise(r.st, r.errmsg, -1);
        }
        goto out;
    }
    if (r.pool.nomem) {
        PyErr_NoMemory();
        goto out;
    }
    result = make_results(&r, query);
out:
    for (k = 0; k < 4; k++) {
        PyMem_Free(lists[k]);
        Py_XDECREF(kept[k]);
    }
    run_free(&r);
    Py_XDECREF(query_bytes);
    return result;
}

int pyeaf_search_init(PyObject *module)
{
    if (PyStructSequence_InitType2(&HitType, &hit_desc) < 0)
        return -1;
    if (PyType_Ready(&PyEafResults_Type) < 0)
        return -1;
    Py_INCREF(&HitType);
    if (PyModule_AddObject(module, "Hit", (PyObject *)&HitType) < 0) {
        Py_DECREF(&HitType);
        return -1;
    }
    Py_INCREF(&PyEafResults_Type);
    if (PyModule_AddObject(module, "Results", (PyObject *)&PyEafResults_Type) < 0) {
        Py_DECREF(&PyEafResults_Type);
        return -1;
    }
    return 0;
}
