/*
 * paths.c: Index.add_paths(), eafindex's run from Python.
 *
 * The walk, the reading (formats, archives, a thread reading ahead), the
 * records of files, the pruning and the tally are eafindex's own code
 * (tools/index_walk.c, index_file.c, index_run.c), linked into the module,
 * not a copy: the module sets the run's hooks, say (its messages, which
 * eafindex prints on stderr, are kept for Tally.errors and
 * Tally.warnings) and poll (asked between articles and between files:
 * at most ten times a second it takes the GIL back, runs Python's signal
 * handlers and calls the progress callable; an exception stops the run
 * as an interrupt stops eafindex, keeping what was committed).
 */
#include "pyeaf.h"

#include "index.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static PyTypeObject TallyType;

static PyStructSequence_Field tally_fields[] = {
    {"added", "articles added"},
    {"updated", "articles changed and stored again"},
    {"unchanged", "articles already stored as they are (with those of files skipped as "
                  "unchanged since the last run)"},
    {"removed", "articles removed: no longer in their file, or their file is gone"},
    {"skipped", "records that are not articles (drafts, attachments, listing pages), and "
                "articles another file gives first"},
    {"failed", "articles or files that could not be read"},
    {"failed_files", "files with an error"},
    {"errors", "the messages about the files that failed, one line each (as eafindex "
               "prints them, without its name)"},
    {"warnings", "the warnings: keys given by two files, folders reached twice, ..."},
    {NULL, NULL},
};

static PyStructSequence_Desc tally_desc = {
    "eafsearch.Tally",
    "What add_paths() did, eafindex's tally: a named tuple (added, updated, unchanged, "
    "removed, skipped, failed, failed_files, errors, warnings).",
    tally_fields,
    9,
};

typedef struct {
    char **v;
    size_t n, cap;
} strvec;

static void strvec_add(strvec *s, const char *text)
{
    char *d;

    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **q = realloc(s->v, cap * sizeof(*q));
        if (!q)
            return; /* (a message lost; the run goes on) */
        s->v = q;
        s->cap = cap;
    }
    if ((d = strdup(text)) != NULL)
        s->v[s->n++] = d;
}

static void strvec_free(strvec *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

typedef struct {
    PyObject *progress;
    PyObject *pending;        /* the exception that stopped the run */
    PyThreadState *saved;     /* while the GIL is released */
    struct timespec last;
    int polled;
    strvec errors, warnings;
} paths_ctx;

static PyObject *strvec_tuple(const strvec *s)
{
    PyObject *t = PyTuple_New((Py_ssize_t)s->n);
    size_t i;

    for (i = 0; t && i < s->n; i++) {
        PyObject *v = pyeaf_str_or_none(s->v[i]);
        if (!v) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
    }
    return t;
}

static PyObject *make_tally(const run *r, const paths_ctx *c)
{
    PyObject *t = PyStructSequence_New(&TallyType), *v;
    const long counts[] = {r->added, r->updated, r->unchanged, r->removed,
                           r->skipped, r->failed, r->failed_files};
    size_t i;

    if (!t)
        return NULL;
    for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        if (!(v = PyLong_FromLong(counts[i])))
            goto fail;
        PyStructSequence_SET_ITEM(t, (Py_ssize_t)i, v);
    }
    if (!(v = strvec_tuple(&c->errors)))
        goto fail;
    PyStructSequence_SET_ITEM(t, 7, v);
    if (!(v = strvec_tuple(&c->warnings)))
        goto fail;
    PyStructSequence_SET_ITEM(t, 8, v);
    return t;
fail:
    Py_DECREF(t);
    return NULL;
}

/* ---- the run's hooks, called without the GIL ---------------------------------------- */

static void on_say(run *r, const char *message)
{
    paths_ctx *c = r->payload;

    if (strncmp(message, "warning: ", 9) == 0)
        strvec_add(&c->warnings, message + 9);
    else
        strvec_add(&c->errors, message);
}

static double since(const struct timespec *t)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static int on_poll(run *r)
{
    paths_ctx *c = r->payload;
    PyObject *args = NULL;
    int stop;

    if (c->pending)
        return 1;
    if (c->polled && since(&c->last) < 0.1)
        return 0;
    c->polled = 1;
    clock_gettime(CLOCK_MONOTONIC, &c->last);
    PyEval_RestoreThread(c->saved);
    if (c->progress != Py_None) {
        PyObject *tally = make_tally(r, c);
        args = tally ? Py_BuildValue("(nnN)", (Py_ssize_t)r->done_files, (Py_ssize_t)r->nitems,
                                     tally)
                     : NULL;
        stop = pyeaf_call_progress(c->progress, args, &c->pending);
    } else {
        stop = pyeaf_call_progress(NULL, NULL, &c->pending);
    }
    Py_XDECREF(args);
    c->saved = PyEval_SaveThread();
    return stop < 0;
}

/* The related refresh after the run: Ctrl-C stops it too. */
static int on_refresh_progress(const char *phase, int64_t done, int64_t total, void *payload)
{
    run *r = payload;

    (void)phase;
    (void)done;
    (void)total;
    return on_poll(r);
}

/* ---- arguments ---------------------------------------------------------------------- */

/* paths (a path, or a sequence of them) as file names, copied into C
 * memory; "-" is the file of that name, not standard input. */
static char **path_list(PyObject *paths, int *n_out)
{
    PyObject *seq;
    Py_ssize_t i, n;
    char **v;

    if (PyUnicode_Check(paths) || PyBytes_Check(paths) || PyObject_HasAttrString(paths, "__fspath__"))
        seq = PyTuple_Pack(1, paths);
    else
        seq = PySequence_Tuple(paths);
    if (!seq)
        return NULL;
    n = PyTuple_GET_SIZE(seq);
    v = calloc((size_t)n + 1, sizeof(*v));
    if (!v) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return NULL;
    }
    for (i = 0; i < n; i++) {
        PyObject *b = NULL;
        const char *p;

        if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(seq, i), &b))
            goto fail;
        p = PyBytes_AS_STRING(b);
        v[i] = strcmp(p, "-") == 0 ? strdup("./-") : strdup(p);
        Py_DECREF(b);
        if (!v[i]) {
            PyErr_NoMemory();
            goto fail;
        }
    }
    Py_DECREF(seq);
    *n_out = (int)n;
    return v;
fail:
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
    Py_DECREF(seq);
    return NULL;
}

static void free_list(char **v, size_t n)
{
    size_t i;

    for (i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int set_format(run *r, const char *name)
{
    r->format = EAF_FORMAT_AUTO;
    r->archive = EAF_ARCHIVE_NONE;
    if (!name)
        return 0;
    if ((eaf_format_from_name(name, &r->format) != EAF_OK &&
         eaf_archive_kind_from_name(name, &r->archive) != EAF_OK) ||
        strcmp(name, "auto") == 0 || strcmp(name, "none") == 0) {
        PyErr_Format(PyExc_ValueError, "unknown format '%s' (formats: page, html, markdown, "
                                       "wxr, jsonl, tar, zip, gzip)", name);
        return -1;
    }
    return 0;
}

static int tristate(PyObject *v, const char *name, int *out)
{
    if (v == Py_None) {
        *out = -1;
        return 0;
    }
    *out = PyObject_IsTrue(v);
    if (*out < 0)
        return -1;
    (void)name;
    return 0;
}

/* ---- add_paths ------------------------------------------------------------------------ */

PyObject *pyeaf_index_add_paths(PyEafIndex *self, PyObject *args, PyObject *kw)
{
    static const char *names[] = {"paths",    "progress", "format", "prune",   "prune_all", "exclude",
                            "checksum", "batch",    "related", "optimize", NULL};
    PyObject *paths, *progress = Py_None, *prune = Py_None, *exclude = NULL, *optimize = Py_None;
    const char *format = NULL;
    int prune_all = 0, checksum = 0, related = 1, npaths = 0, nexcl = 0;
    long batch = 2000;
    char **pathv = NULL, **exclv = NULL;
    paths_ctx c;
    run r;
    PyObject *tally = NULL;
    int fatal;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OzOpOplpO:add_paths", (char **)names, &paths, &progress,
                                     &format, &prune, &prune_all, &exclude, &checksum, &batch,
                                     &related, &optimize))
        return NULL;
    if (progress != Py_None && !PyCallable_Check(progress)) {
        PyErr_SetString(PyExc_TypeError, "progress must be callable");
        return NULL;
    }
    if (batch < 1) {
        PyErr_SetString(PyExc_ValueError, "batch must be a positive number of articles");
        return NULL;
    }
    memset(&r, 0, sizeof(r));
    memset(&c, 0, sizeof(c));
    if (set_format(&r, format) < 0 || tristate(prune, "prune", &r.prune_opt) < 0 ||
        tristate(optimize, "optimize", &r.optimize_opt) < 0)
        return NULL;
    if (prune_all) {
        r.prune_opt = 1;
        r.prune_all = 1;
    }
    if (exclude && exclude != Py_None) {
        if (!(exclv = path_list(exclude, &nexcl)))
            return NULL;
    }
    if (!(pathv = path_list(paths, &npaths))) {
        free_list(exclv, (size_t)nexcl);
        return NULL;
    }
    if (pyeaf_index_enter(self) < 0)
        goto out;
    if (self->readonly) {
        pyeaf_index_leave(self);
        pyeaf_raise(EAF_READONLY, "add_paths() writes: open the index with mode 'w' or 'c'", -1);
        goto out;
    }
    r.db = self->db;
    r.batch = batch;
    r.checksum = checksum;
    r.poll = on_poll;
    r.say = on_say;
    r.payload = &c;
    if (nexcl) {
        /* (the run frees the array; the strings stay ours) */
        r.excludes = malloc((size_t)nexcl * sizeof(char *));
        if (!r.excludes) {
            pyeaf_index_leave(self);
            PyErr_NoMemory();
            goto out;
        }
        memcpy(r.excludes, exclv, (size_t)nexcl * sizeof(char *));
        r.nexcludes = (size_t)nexcl;
    }
    c.progress = progress;
    c.saved = PyEval_SaveThread();
    clock_gettime(CLOCK_MONOTONIC, &r.started);
    if (eaf_prep_new(&r.prep, r.db) != EAF_OK)
        r.prep = NULL;
    index_list_files(&r, npaths, pathv);
    if (index_read_files(&r) && !r.stopped && index_worth_optimizing(&r) &&
        eaf_db_optimize(r.db) != EAF_OK)
        /* what was indexed is kept: only the merge failed */
        report(&r, "cannot optimize the index: %s", eaf_db_errmsg(r.db));
    if (related && !r.fatal && !r.stopped) {
        eaf_related_stats stats;
        eaf_status st;

        memset(&stats, 0, sizeof(stats));
        stats.version = EAF_RELATED_STATS_VERSION;
        st = eaf_related_refresh(&stats, r.db, on_refresh_progress, &r);
        if (st != EAF_OK && !c.pending) {
            report(&r, "cannot refresh the related articles: %s", eaf_db_errmsg(r.db));
            r.fatal = 1;
        }
    }
    eaf_prep_free(r.prep);
    r.prep = NULL;
    PyEval_RestoreThread(c.saved);
    fatal = r.fatal;
    tally = make_tally(&r, &c);
    pyeaf_index_leave(self);
    index_free_run(&r);
    if (tally && (c.pending || fatal)) {
        /* the exception carries what was done before it */
        if (c.pending) {
            pyeaf_restore_pending(&c.pending);
        } else {
            pyeaf_raise(EAF_ERROR, c.errors.n ? c.errors.v[c.errors.n - 1] : NULL, -1);
        }
        {
            PyObject *t, *v, *tb;
            PyErr_Fetch(&t, &v, &tb);
            PyErr_NormalizeException(&t, &v, &tb);
            if (v && PyObject_SetAttrString(v, "tally", tally) < 0)
                PyErr_Clear();
            PyErr_Restore(t, v, tb);
        }
        Py_CLEAR(tally);
    }
out:
    Py_CLEAR(c.pending);
    strvec_free(&c.errors);
    strvec_free(&c.warnings);
    free_list(pathv, (size_t)npaths);
    free_list(exclv, (size_t)nexcl);
    return tally;
}

int pyeaf_paths_init(PyObject *module)
{
    if (PyStructSequence_InitType2(&TallyType, &tally_desc) < 0)
        return -1;
    Py_INCREF(&TallyType);
    if (PyModule_AddObject(module, "Tally", (PyObject *)&TallyType) < 0) {
        Py_DECREF(&TallyType);
        return -1;
    }
    return 0;
}
