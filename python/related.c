/*
 * related.c: Index.related() (one article's list, as Related named
 * tuples), build_related() and refresh_related() (every list, with a
 * progress callback that can stop them).
 */
#include "pyeaf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static PyTypeObject RelatedType;

static PyStructSequence_Field related_fields[] = {
    {"key", "the related article's key"},
    {"title", "its title"},
    {"score", "how related it is (higher is better)"},
    {"explanation", "with explain=True, the reasons on one line for people: the text "
                    "similarity and its terms, then the shared metadata; else None"},
    {"shared", "with explain=True, a dict of what the two articles share: 'term', "
               "'topic', 'country', 'tag', 'author' to tuples of str; else None"},
    {NULL, NULL},
};

static PyStructSequence_Desc related_desc = {
    "eafsearch.Related",
    "A related article: a named tuple (key, title, score, explanation, shared).",
    related_fields,
    5,
};

/* One list read into C memory, without the GIL. */
typedef struct {
    char *key, *title, *why;
    double score;
    char **shared[EAF_REASON_LAST];
    size_t nshared[EAF_REASON_LAST];
} c_related;

static void c_related_free(c_related *v, size_t n)
{
    size_t i, j;
    int k;

    for (i = 0; v && i < n; i++) {
        free(v[i].key);
        free(v[i].title);
        free(v[i].why);
        for (k = 0; k < EAF_REASON_LAST; k++) {
            for (j = 0; j < v[i].nshared[k]; j++)
                free(v[i].shared[k][j]);
            free(v[i].shared[k]);
        }
    }
    free(v);
}

static char *dup_or_null(const char *s, int *nomem)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *nomem = 1;
    return d;
}

/* Reads r's n articles (with their explanations when explain). */
static eaf_status read_list(eaf_related *r, int explain, c_related **out, size_t *nout,
                            int *nomem)
{
    size_t n = eaf_related_count(r), i, j;
    c_related *v = calloc(n ? n : 1, sizeof(*v));
    eaf_status st = EAF_OK;
    int k;

    *out = v;
    *nout = n;
    if (!v) {
        *nout = 0;
        *nomem = 1;
        return EAF_NOMEM;
    }
    for (i = 0; i < n && st == EAF_OK && !*nomem; i++) {
        v[i].key = dup_or_null(eaf_related_key(r, i), nomem);
        v[i].title = dup_or_null(eaf_related_title(r, i), nomem);
        v[i].score = eaf_related_score(r, i);
        if (!explain)
            continue;
        {
            const char *why = NULL;
            st = eaf_related_explain(&why, r, i);
            if (st != EAF_OK)
                break;
            v[i].why = dup_or_null(why, nomem);
        }
        for (k = 0; k < EAF_REASON_LAST && st == EAF_OK; k++) {
            size_t c = 0;
            st = eaf_related_shared_count(&c, r, i, (eaf_related_reason)k);
            if (st != EAF_OK || c == 0)
                continue;
            v[i].shared[k] = calloc(c, sizeof(char *));
            if (!v[i].shared[k]) {
                *nomem = 1;
                break;
            }
            v[i].nshared[k] = c;
            for (j = 0; j < c && st == EAF_OK; j++) {
                const char *s = NULL;
                st = eaf_related_shared(&s, r, i, (eaf_related_reason)k, j);
                if (st == EAF_OK)
                    v[i].shared[k][j] = dup_or_null(s, nomem);
            }
        }
    }
    return *nomem ? EAF_NOMEM : st;
}

static PyObject *make_related(const c_related *c, int explain)
{
    PyObject *o = PyStructSequence_New(&RelatedType), *v, *d;
    size_t j;
    int k;

    if (!o)
        return NULL;
    if (!(v = pyeaf_str_or_none(c->key)))
        goto fail;
    PyStructSequence_SET_ITEM(o, 0, v);
    if (!(v = pyeaf_str_or_none(c->title)))
        goto fail;
    PyStructSequence_SET_ITEM(o, 1, v);
    if (!(v = PyFloat_FromDouble(c->score)))
        goto fail;
    PyStructSequence_SET_ITEM(o, 2, v);
    if (!(v = explain ? pyeaf_str_or_none(c->why) : Py_NewRef(Py_None)))
        goto fail;
    PyStructSequence_SET_ITEM(o, 3, v);
    if (!explain) {
        PyStructSequence_SET_ITEM(o, 4, Py_NewRef(Py_None));
        return o;
    }
    if (!(d = PyDict_New()))
        goto fail;
    PyStructSequence_SET_ITEM(o, 4, d);
    for (k = 0; k < EAF_REASON_LAST; k++) {
        PyObject *t = PyTuple_New((Py_ssize_t)c->nshared[k]);
        if (!t)
            goto fail;
        for (j = 0; j < c->nshared[k]; j++) {
            PyObject *s = pyeaf_str_or_none(c->shared[k][j]);
            if (!s) {
                Py_DECREF(t);
                goto fail;
            }
            PyTuple_SET_ITEM(t, (Py_ssize_t)j, s);
        }
        if (PyDict_SetItemString(d, eaf_related_reason_name((eaf_related_reason)k), t) < 0) {
            Py_DECREF(t);
            goto fail;
        }
        Py_DECREF(t);
    }
    return o;
fail:
    Py_DECREF(o);
    return NULL;
}

PyObject *pyeaf_index_related(PyEafIndex *self, PyObject *args, PyObject *kw)
{
    static const char *names[] = {"key", "n", "explain", NULL};
    const char *key;
    Py_ssize_t n = 10;
    int explain = 0, nomem = 0;
    eaf_related_options ro = EAF_RELATED_OPTIONS_INIT;
    eaf_related *r = NULL;
    eaf_status st;
    c_related *list = NULL;
    size_t count = 0, i;
    PyObject *result;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "s|np:related", (char **)names, &key, &n, &explain))
        return NULL;
    if (n < 1 || n > 100) {
        PyErr_SetString(PyExc_ValueError, "n must be 1 to 100");
        return NULL;
    }
    ro.count = (unsigned)n;
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_related_new(&r, self->db, key, &ro);
    if (st == EAF_OK)
        st = read_list(r, explain, &list, &count, &nomem);
    eaf_related_free(r);
    Py_END_ALLOW_THREADS
    if (st != EAF_OK) {
        pyeaf_raise_db(st, self->db);
        pyeaf_index_leave(self);
        c_related_free(list, count);
        return NULL;
    }
    pyeaf_index_leave(self);
    result = PyList_New((Py_ssize_t)count);
    for (i = 0; result && i < count; i++) {
        PyObject *o = make_related(&list[i], explain);
        if (!o)
            Py_CLEAR(result);
        else
            PyList_SET_ITEM(result, (Py_ssize_t)i, o);
    }
    c_related_free(list, count);
    return result;
}

/* ---- builds ------------------------------------------------------------------------ */

typedef struct {
    PyObject *callable;
    PyObject *pending;
    PyThreadState *saved;
    struct timespec last;
    const char *last_phase;
    int started;
} build_progress;

static double since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* The library's progress callback: at most every 0.1 s (and at each new
 * phase, and at the end of one), the GIL is taken back to check for
 * signals and call the Python callable. */
static int on_build_progress(const char *phase, int64_t done, int64_t total, void *payload)
{
    build_progress *p = payload;
    PyObject *args;
    int stop;

    if (p->started && since(&p->last) < 0.1 && phase == p->last_phase && done != total)
        return 0;
    p->started = 1;
    p->last_phase = phase;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    PyEval_RestoreThread(p->saved);
    args = Py_BuildValue("(sLL)", phase ? phase : "", (long long)done, (long long)total);
    stop = pyeaf_call_progress(p->callable, args, &p->pending);
    Py_XDECREF(args);
    p->saved = PyEval_SaveThread();
    return stop < 0;
}

static PyObject *stats_dict(const eaf_related_stats *s)
{
    return Py_BuildValue("{s:O,s:L,s:L,s:L,s:L,s:n,s:d,s:d,s:d}", "full",
                         s->full ? Py_True : Py_False, "articles", (long long)s->articles,
                         "lists", (long long)s->lists, "terms", (long long)s->terms, "postings",
                         (long long)s->postings, "model_bytes", (Py_ssize_t)s->model_bytes,
                         "read_seconds", s->read_seconds, "score_seconds", s->score_seconds,
                         "write_seconds", s->write_seconds);
}

static PyObject *run_build(PyEafIndex *self, PyObject *args, PyObject *kw, int refresh)
{
    static const char *names[] = {"progress", NULL};
    PyObject *callable = Py_None;
    build_progress p;
    eaf_related_stats stats;
    eaf_status st;

    if (!PyArg_ParseTupleAndKeywords(args, kw, refresh ? "|O:refresh_related" : "|O:build_related",
                                     (char **)names, &callable))
        return NULL;
    if (callable != Py_None && !PyCallable_Check(callable)) {
        PyErr_SetString(PyExc_TypeError, "progress must be callable");
        return NULL;
    }
    memset(&p, 0, sizeof(p));
    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    p.callable = callable;
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    p.saved = PyEval_SaveThread();
    if (refresh)
        st = eaf_related_refresh(&stats, self->db, on_build_progress, &p);
    else
        st = eaf_related_build(&stats, self->db, NULL, on_build_progress, &p);
    PyEval_RestoreThread(p.saved);
    if (st == EAF_ABORT && p.pending)
        pyeaf_restore_pending(&p.pending);
    else if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    Py_CLEAR(p.pending);
    pyeaf_index_leave(self);
    return st == EAF_OK ? stats_dict(&stats) : NULL;
}

PyObject *pyeaf_index_build_related(PyEafIndex *self, PyObject *args, PyObject *kw)
{
    return run_build(self, args, kw, 0);
}

PyObject *pyeaf_index_refresh_related(PyEafIndex *self, PyObject *args, PyObject *kw)
{
    return run_build(self, args, kw, 1);
}

int pyeaf_related_init(PyObject *module)
{
    if (PyStructSequence_InitType2(&RelatedType, &related_desc) < 0)
        return -1;
    Py_INCREF(&RelatedType);
    if (PyModule_AddObject(module, "Related", (PyObject *)&RelatedType) < 0) {
        Py_DECREF(&RelatedType);
        return -1;
    }
    return 0;
}
