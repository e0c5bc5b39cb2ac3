/*
 * index.c: eafsearch.Index, an index file opened: a context manager and a
 * mapping of keys to articles (len, iteration over keys, [key], in, del),
 * with put, get, delete, transaction(), check(), export(), optimize() and
 * rebuild().  Searches, related lists and add_paths have files of their
 * own (search.c, related.c, paths.c).
 */
#include "pyeaf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lock of a call ---------------------------------------------------------- */

int pyeaf_index_enter(PyEafIndex *self)
{
    unsigned long me = PyThread_get_thread_ident();

    if (!self->db) {
        PyErr_SetString(PyExc_ValueError, "the index is closed");
        return -1;
    }
    if (self->busy && self->owner == me) {
        PyErr_SetString(PyExc_RuntimeError,
                        "this Index is in a call on this thread already (a progress "
                        "callback may not use the Index it is called from)");
        return -1;
    }
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        /* another thread's call: wait for it, letting Python run */
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
    if (!self->db) { /* closed by the call waited for */
        PyThread_release_lock(self->lock);
        PyErr_SetString(PyExc_ValueError, "the index is closed");
        return -1;
    }
    self->busy = 1;
    self->owner = me;
    return 0;
}

void pyeaf_index_leave(PyEafIndex *self)
{
    self->busy = 0;
    self->owner = 0;
    PyThread_release_lock(self->lock);
}

/* ---- open and close ----------------------------------------------------------------- */

static void index_close_db(PyEafIndex *self)
{
    eaf_db *db = self->db;

    self->db = NULL;
    if (db) {
        Py_BEGIN_ALLOW_THREADS
        eaf_db_close(db);
        Py_END_ALLOW_THREADS
    }
}

static void index_dealloc(PyEafIndex *self)
{
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    /* (no call can be running: it would hold a reference) */
    index_close_db(self);
    if (self->lock)
        PyThread_free_lock(self->lock);
    Py_XDECREF(self->path);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int index_init(PyEafIndex *self, PyObject *args, PyObject *kw)
{
    static const char *names[] = {"path", "mode", "language", "timeout", "lock", NULL};
    PyObject *path_obj, *bytes = NULL;
    const char *mode = "r", *language = NULL;
    double timeout = 5.0;
    int lock = 0;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_status st;
    eaf_db *db = NULL;
    char *err = NULL;

    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|szdp:Index", (char **)names, &path_obj, &mode,
                                     &language, &timeout, &lock))
        return -1;
    if (self->db) {
        PyErr_SetString(PyExc_RuntimeError, "Index.__init__ called twice");
        return -1;
    }
    if (strcmp(mode, "r") == 0)
        oo.flags = EAF_OPEN_READONLY;
    else if (strcmp(mode, "w") == 0)
        oo.flags = 0;
    else if (strcmp(mode, "c") == 0)
        oo.flags = EAF_OPEN_CREATE;
    else {
        PyErr_Format(PyExc_ValueError, "mode must be 'r', 'w' or 'c', not '%s'", mode);
        return -1;
    }
    if (lock && oo.flags != EAF_OPEN_READONLY)
        oo.flags |= EAF_OPEN_LOCK;
    oo.language = language;
    if (timeout < 0)
        oo.busy_timeout_ms = -1;
    else
        oo.busy_timeout_ms = timeout * 1000 > 2e9 ? 2000000000 : (int)(timeout * 1000 + 0.5);
    if (oo.busy_timeout_ms == 0)
        oo.busy_timeout_ms = -1; /* 0 means "the default" to the library */
    if (!PyUnicode_FSConverter(path_obj, &bytes))
        return -1;
    {
        const char *p = PyBytes_AS_STRING(bytes);
        Py_BEGIN_ALLOW_THREADS
        st = eaf_db_open(&db, p, &oo, &err);
        Py_END_ALLOW_THREADS
    }
    if (st != EAF_OK) {
        char msg[1200];
        snprintf(msg, sizeof(msg), "%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        Py_DECREF(bytes);
        pyeaf_raise(st, msg, -1);
        return -1;
    }
    Py_DECREF(bytes);
    self->db = db;
    self->readonly = oo.flags == EAF_OPEN_READONLY;
    Py_XSETREF(self->path, PyObject_Str(path_obj));
    if (!self->path)
        return -1;
    return 0;
}

static PyObject *index_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyEafIndex *self;

    (void)args;
    (void)kw;
    self = (PyEafIndex *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->lock = PyThread_allocate_lock();
    if (!self->lock) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static PyObject *index_close(PyEafIndex *self, PyObject *unused)
{
    (void)unused;
    if (!self->db)
        Py_RETURN_NONE;
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    index_close_db(self);
    pyeaf_index_leave(self);
    Py_RETURN_NONE;
}

static PyObject *index_enter_ctx(PyEafIndex *self, PyObject *unused)
{
    (void)unused;
    if (!self->db) {
        PyErr_SetString(PyExc_ValueError, "the index is closed");
        return NULL;
    }
    return Py_NewRef(self);
}

static PyObject *index_exit_ctx(PyEafIndex *self, PyObject *args)
{
    (void)args;
    return index_close(self, NULL);
}

static PyObject *index_repr(PyEafIndex *self)
{
    return PyUnicode_FromFormat("<eafsearch.Index %R%s%s>", self->path ? self->path : Py_None,
                                self->db ? "" : " closed", self->readonly ? " read-only" : "");
}

/* ---- articles ----------------------------------------------------------------------- */

static const char *change_name(eaf_change c)
{
    switch (c) {
    case EAF_CHANGE_ADDED:
        return "added";
    case EAF_CHANGE_UPDATED:
        return "updated";
    case EAF_CHANGE_CONFLICT:
        return "conflict";
    default:
        return "unchanged";
    }
}

static PyObject *index_put(PyEafIndex *self, PyObject *obj)
{
    eaf_article *a;
    eaf_change change = EAF_CHANGE_NONE;
    eaf_status st;

    a = pyeaf_article_to_c(obj);
    if (!a)
        return NULL;
    if (pyeaf_index_enter(self) < 0) {
        eaf_article_free(a);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_put(&change, self->db, a);
    Py_END_ALLOW_THREADS
    eaf_article_free(a);
    if (st != EAF_OK) {
        pyeaf_raise_db(st, self->db);
        pyeaf_index_leave(self);
        return NULL;
    }
    pyeaf_index_leave(self);
    return PyUnicode_FromString(change_name(change));
}

static PyObject *index_get_key(PyEafIndex *self, PyObject *key, PyObject *dflt)
{
    const char *k;
    eaf_article *a = NULL;
    eaf_status st;
    PyObject *r;

    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "a key is a str, not %.100s", Py_TYPE(key)->tp_name);
        return NULL;
    }
    k = PyUnicode_AsUTF8(key);
    if (!k || pyeaf_index_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_get(&a, self->db, k);
    Py_END_ALLOW_THREADS
    if (st == EAF_NOTFOUND && dflt) {
        pyeaf_index_leave(self);
        return Py_NewRef(dflt);
    }
    if (st != EAF_OK) {
        pyeaf_raise_db(st, self->db);
        pyeaf_index_leave(self);
        return NULL;
    }
    pyeaf_index_leave(self);
    r = pyeaf_article_from_c(a);
    eaf_article_free(a);
    return r;
}

static PyObject *index_get(PyEafIndex *self, PyObject *args)
{
    PyObject *key, *dflt = NULL;

    if (!PyArg_ParseTuple(args, "O|O:get", &key, &dflt))
        return NULL;
    return index_get_key(self, key, dflt);
}

static PyObject *index_getitem(PyEafIndex *self, PyObject *key)
{
    return index_get_key(self, key, NULL);
}

static int index_delete_key(PyEafIndex *self, PyObject *key)
{
    const char *k;
    eaf_status st;

    if (!PyUnicode_Check(key)) {
        PyErr_Format(PyExc_TypeError, "a key is a str, not %.100s", Py_TYPE(key)->tp_name);
        return -1;
    }
    k = PyUnicode_AsUTF8(key);
    if (!k || pyeaf_index_enter(self) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_delete(self->db, k);
    Py_END_ALLOW_THREADS
    if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    pyeaf_index_leave(self);
    return st == EAF_OK ? 0 : -1;
}

static PyObject *index_delete(PyEafIndex *self, PyObject *key)
{
    if (index_delete_key(self, key) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static int index_ass_subscript(PyEafIndex *self, PyObject *key, PyObject *value)
{
    if (!value)
        return index_delete_key(self, key);
    PyErr_SetString(PyExc_TypeError, "use index.put(article): an article carries its own key");
    return -1;
}

static int index_contains(PyEafIndex *self, PyObject *key)
{
    PyObject *r = index_get_key(self, key, Py_None);

    if (!r)
        return -1;
    Py_DECREF(r);
    return r != Py_None;
}

static Py_ssize_t index_length(PyEafIndex *self)
{
    int64_t n = 0;
    eaf_status st;

    if (pyeaf_index_enter(self) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_count(&n, self->db);
    Py_END_ALLOW_THREADS
    if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    pyeaf_index_leave(self);
    return st == EAF_OK ? (Py_ssize_t)n : -1;
}

/* Strings copied while the GIL is released (the keys of a walk of the
 * articles, the problems of a check), made into a list of str after. */
typedef struct {
    char **v;
    size_t n, cap;
    int nomem;
} str_list;

/* Adds a copy of s (NULL: ""); non-zero, to stop the walk, when out of
 * memory. */
static int str_list_add(str_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->v, cap * sizeof(*p));
        if (!p) {
            l->nomem = 1;
            return 1;
        }
        l->v = p;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s ? s : ""))) {
        l->nomem = 1;
        return 1;
    }
    l->n++;
    return 0;
}

/* The strings as a new list (NULL with the error set when want is 0 or
 * out of memory); frees them either way. */
static PyObject *str_list_take(str_list *l, int want)
{
    PyObject *list = want ? PyList_New((Py_ssize_t)l->n) : NULL;
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (list) {
            PyObject *s = pyeaf_str_or_none(l->v[i]);
            if (!s)
                Py_CLEAR(list);
            else
                PyList_SET_ITEM(list, (Py_ssize_t)i, s);
        }
        free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
    return list;
}

/* The keys, in key order, collected by one walk of the articles (with
 * the GIL released). */
static int collect_key(const eaf_article *a, void *payload)
{
    return str_list_add(payload, eaf_article_get(a, EAF_FIELD_KEY));
}

static PyObject *index_keys(PyEafIndex *self, PyObject *unused)
{
    str_list kl;
    eaf_status st;
    int ok = 0;

    (void)unused;
    memset(&kl, 0, sizeof(kl));
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_articles(self->db, collect_key, &kl);
    Py_END_ALLOW_THREADS
    if (kl.nomem)
        PyErr_NoMemory();
    else if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    else
        ok = 1;
    pyeaf_index_leave(self);
    return str_list_take(&kl, ok);
}

static PyObject *index_iter(PyEafIndex *self)
{
    PyObject *keys = index_keys(self, NULL), *it;

    if (!keys)
        return NULL;
    it = PyObject_GetIter(keys);
    Py_DECREF(keys);
    return it;
}

/* ---- transactions ------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    PyEafIndex *index;
    int open;
} PyEafTransaction;

static void txn_dealloc(PyEafTransaction *self)
{
    Py_XDECREF(self->index);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Runs begin, commit or rollback on the index. */
static int txn_call(PyEafIndex *ix, eaf_status (*fn)(eaf_db *))
{
    eaf_status st;

    if (pyeaf_index_enter(ix) < 0)
        return -1;
    Py_BEGIN_ALLOW_THREADS
    st = fn(ix->db);
    Py_END_ALLOW_THREADS
    if (st != EAF_OK)
        pyeaf_raise_db(st, ix->db);
    pyeaf_index_leave(ix);
    return st == EAF_OK ? 0 : -1;
}

static PyObject *txn_enter(PyEafTransaction *self, PyObject *unused)
{
    (void)unused;
    if (self->open) {
        PyErr_SetString(PyExc_RuntimeError, "this transaction is open already");
        return NULL;
    }
    if (txn_call(self->index, eaf_db_begin) < 0)
        return NULL;
    self->open = 1;
    return Py_NewRef(self);
}

static PyObject *txn_exit(PyEafTransaction *self, PyObject *args)
{
    PyObject *type = Py_None, *value = Py_None, *tb = Py_None;

    if (!PyArg_ParseTuple(args, "|OOO:__exit__", &type, &value, &tb))
        return NULL;
    if (!self->open)
        Py_RETURN_FALSE;
    self->open = 0;
    if (!self->index->db) /* closed inside: rolled back with the handle */
        Py_RETURN_FALSE;
    if (type == Py_None) {
        if (txn_call(self->index, eaf_db_commit) < 0)
            return NULL;
    } else {
        /* the exception goes on; what failed to roll back is rolled back
         * at close anyway */
        PyObject *et, *ev, *etb;
        PyErr_Fetch(&et, &ev, &etb);
        if (txn_call(self->index, eaf_db_rollback) < 0)
            PyErr_Clear();
        PyErr_Restore(et, ev, etb);
    }
    Py_RETURN_FALSE;
}

static PyMethodDef txn_methods[] = {
    {"__enter__", (PyCFunction)txn_enter, METH_NOARGS, "Begins the transaction."},
    {"__exit__", (PyCFunction)txn_exit, METH_VARARGS,
     "Commits the transaction, or rolls it back when the block raised."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject PyEafTransaction_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "eafsearch.Transaction",
    .tp_basicsize = sizeof(PyEafTransaction),
    .tp_dealloc = (destructor)txn_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A transaction of an Index, as a context manager: see Index.transaction().",
    .tp_methods = txn_methods,
};

static PyObject *index_transaction(PyEafIndex *self, PyObject *unused)
{
    PyEafTransaction *t;

    (void)unused;
    if (!self->db) {
        PyErr_SetString(PyExc_ValueError, "the index is closed");
        return NULL;
    }
    t = PyObject_New(PyEafTransaction, &PyEafTransaction_Type);
    if (!t)
        return NULL;
    t->index = (PyEafIndex *)Py_NewRef(self);
    t->open = 0;
    return (PyObject *)t;
}

/* ---- check, export, optimize, rebuild ----------------------------------------------- */

static int collect_problem(const char *problem, void *payload)
{
    return str_list_add(payload, problem);
}

static PyObject *index_check(PyEafIndex *self, PyObject *unused)
{
    str_list p;
    eaf_status st;
    int64_t count = 0;
    int ok = 0;

    (void)unused;
    memset(&p, 0, sizeof(p));
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_check(&count, self->db, collect_problem, &p);
    Py_END_ALLOW_THREADS
    if (p.nomem)
        PyErr_NoMemory();
    else if (st != EAF_OK && st != EAF_CORRUPT)
        pyeaf_raise_db(st, self->db);
    else
        ok = 1;
    pyeaf_index_leave(self);
    return str_list_take(&p, ok);
}

/* An export into a file object: each piece passed to its write(), as
 * str for a text file, else as bytes.  Runs with the GIL taken back. */
typedef struct {
    PyObject *write;
    int text;
    PyObject *pending;
    PyThreadState *saved;
} export_sink;

static int write_to_object(const char *data, size_t len, void *payload)
{
    export_sink *s = payload;
    PyObject *chunk, *r;

    PyEval_RestoreThread(s->saved);
    chunk = s->text ? PyUnicode_DecodeUTF8(data, (Py_ssize_t)len, "replace")
                    : PyBytes_FromStringAndSize(data, (Py_ssize_t)len);
    r = chunk ? PyObject_CallOneArg(s->write, chunk) : NULL;
    Py_XDECREF(chunk);
    Py_XDECREF(r);
    if (!r) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        s->pending = PyTuple_Pack(3, t ? t : Py_None, v ? v : Py_None, tb ? tb : Py_None);
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
    }
    s->saved = PyEval_SaveThread();
    return r ? 0 : 1;
}

static int write_to_file(const char *data, size_t len, void *payload)
{
    return fwrite(data, 1, len, (FILE *)payload) == len ? 0 : 1;
}

static PyObject *index_export(PyEafIndex *self, PyObject *file)
{
    int64_t count = 0;
    eaf_status st;

    if (PyUnicode_Check(file) || PyBytes_Check(file) || PyObject_HasAttrString(file, "__fspath__")) {
        PyObject *bytes = NULL;
        FILE *f;
        int saved_errno = 0, closed;

        if (!PyUnicode_FSConverter(file, &bytes))
            return NULL;
        f = fopen(PyBytes_AS_STRING(bytes), "wb");
        if (!f) {
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, file);
            Py_DECREF(bytes);
            return NULL;
        }
        Py_DECREF(bytes);
        if (pyeaf_index_enter(self) < 0) {
            fclose(f);
            return NULL;
        }
        Py_BEGIN_ALLOW_THREADS
        st = eaf_db_export(&count, self->db, NULL, write_to_file, f);
        if (st == EAF_ABORT)
            saved_errno = errno;
        closed = fclose(f);
        if (closed != 0 && st == EAF_OK) {
            st = EAF_ABORT;
            saved_errno = errno;
        }
        Py_END_ALLOW_THREADS
        if (st == EAF_ABORT) {
            errno = saved_errno ? saved_errno : EIO;
            PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, file);
        } else if (st != EAF_OK) {
            pyeaf_raise_db(st, self->db);
        }
        pyeaf_index_leave(self);
        return st == EAF_OK ? PyLong_FromLongLong(count) : NULL;
    } else {
        export_sink s;
        PyObject *io, *textbase;

        memset(&s, 0, sizeof(s));
        s.write = PyObject_GetAttrString(file, "write");
        if (!s.write) {
            PyErr_Clear();
            PyErr_SetString(PyExc_TypeError, "export() takes a path or a file object with write()");
            return NULL;
        }
        io = PyImport_ImportModule("io");
        textbase = io ? PyObject_GetAttrString(io, "TextIOBase") : NULL;
        Py_XDECREF(io);
        if (!textbase) {
            Py_DECREF(s.write);
            return NULL;
        }
        s.text = PyObject_IsInstance(file, textbase);
        Py_DECREF(textbase);
        if (s.text < 0 || pyeaf_index_enter(self) < 0) {
            Py_DECREF(s.write);
            return NULL;
        }
        s.saved = PyEval_SaveThread();
        st = eaf_db_export(&count, self->db, NULL, write_to_object, &s);
        PyEval_RestoreThread(s.saved);
        if (s.pending)
            pyeaf_restore_pending(&s.pending);
        else if (st != EAF_OK)
            pyeaf_raise_db(st, self->db);
        pyeaf_index_leave(self);
        Py_DECREF(s.write);
        return st == EAF_OK ? PyLong_FromLongLong(count) : NULL;
    }
}

static PyObject *index_simple(PyEafIndex *self, eaf_status (*fn)(eaf_db *))
{
    eaf_status st;

    if (pyeaf_index_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = fn(self->db);
    Py_END_ALLOW_THREADS
    if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    pyeaf_index_leave(self);
    if (st != EAF_OK)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject *index_optimize(PyEafIndex *self, PyObject *unused)
{
    (void)unused;
    return index_simple(self, eaf_db_optimize);
}

static PyObject *index_rebuild(PyEafIndex *self, PyObject *unused)
{
    (void)unused;
    return index_simple(self, eaf_db_rebuild);
}

static PyObject *index_get_language(PyEafIndex *self, void *closure)
{
    (void)closure;
    if (!self->db) {
        PyErr_SetString(PyExc_ValueError, "the index is closed");
        return NULL;
    }
    return pyeaf_str_or_none(eaf_db_language(self->db));
}

static PyObject *index_get_closed(PyEafIndex *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->db == NULL);
}

static PyObject *index_get_readonly(PyEafIndex *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(self->readonly);
}

static PyObject *index_get_path(PyEafIndex *self, void *closure)
{
    (void)closure;
    return Py_NewRef(self->path ? self->path : Py_None);
}

/* ---- what a server needs (1.1) ----------------------------------------------------- */

static PyObject *index_get_generation(PyEafIndex *self, void *closure)
{
    uint64_t g = 0;
    eaf_status st;

    (void)closure;
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_generation(&g, self->db);
    Py_END_ALLOW_THREADS
    if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    pyeaf_index_leave(self);
    return st == EAF_OK ? PyLong_FromUnsignedLongLong((unsigned long long)g) : NULL;
}

static PyObject *index_set_time_limit(PyEafIndex *self, PyObject *arg)
{
    double seconds = 0;
    eaf_status st;

    if (arg != Py_None) {
        seconds = PyFloat_AsDouble(arg);
        if (seconds == -1 && PyErr_Occurred())
            return NULL;
        if (seconds < 0 || seconds > 4e6) {
            PyErr_SetString(PyExc_ValueError, "the time limit is 0 to 4e6 seconds, or None");
            return NULL;
        }
    }
    if (pyeaf_index_enter(self) < 0)
        return NULL;
    /* a limit under a millisecond is one millisecond, not none */
    st = eaf_db_set_time_limit(self->db, seconds > 0 && seconds < 0.001
                                             ? 1u : (unsigned)(seconds * 1000 + 0.5));
    if (st != EAF_OK)
        pyeaf_raise_db(st, self->db);
    pyeaf_index_leave(self);
    if (st != EAF_OK)
        return NULL;
    Py_RETURN_NONE;
}

typedef struct {
    PyObject *list;     /* NULL after a failure */
} completions;

static int add_completion(const char *text, eaf_completion_kind kind, int64_t count,
                          const char *key, void *payload)
{
    completions *c = payload;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *item = Py_BuildValue("(ssLz)", text,
                                   kind == EAF_COMPLETE_TITLE ? "title" : "words",
                                   (long long)count, key);
    int failed = !item || PyList_Append(c->list, item) < 0;

    Py_XDECREF(item);
    PyGILState_Release(g);
    return failed;
}

static PyObject *index_complete(PyEafIndex *self, PyObject *args, PyObject *kwargs)
{
    static const char *names[] = {"text", "n", NULL};
    const char *text;
    unsigned n = 10;
    completions c;
    eaf_status st;

    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|I:complete", (char **)names, &text,
                                     &n))
        return NULL;
    c.list = PyList_New(0);
    if (!c.list)
        return NULL;
    if (pyeaf_index_enter(self) < 0) {
        Py_DECREF(c.list);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    st = eaf_db_complete(self->db, text, n, add_completion, &c);
    Py_END_ALLOW_THREADS
    pyeaf_index_leave(self);
    if (st == EAF_ABORT && PyErr_Occurred()) {
        Py_DECREF(c.list);
        return NULL;
    }
    if (st != EAF_OK) {
        Py_DECREF(c.list);
        return pyeaf_raise_db(st, self->db);
    }
    return c.list;
}

/* ---- the type --------------------------------------------------------------------- */

static PyGetSetDef index_getset[] = {
    {"language", (getter)index_get_language, NULL, "the index's stemming language", NULL},
    {"closed", (getter)index_get_closed, NULL, "whether the index is closed", NULL},
    {"readonly", (getter)index_get_readonly, NULL, "whether it was opened with mode 'r'", NULL},
    {"path", (getter)index_get_path, NULL, "the path it was opened with", NULL},
    {"generation", (getter)index_get_generation, NULL,
     "a number that changes with every committed change to the index, the same "
     "for every handle on it and for copies of it (for caches)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef index_methods[] = {
    {"close", (PyCFunction)index_close, METH_NOARGS,
     "close()\n\nCloses the index (an open transaction is rolled back).  Closing "
     "twice does nothing."},
    {"__enter__", (PyCFunction)index_enter_ctx, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)index_exit_ctx, METH_VARARGS, NULL},
    {"put", (PyCFunction)index_put, METH_O,
     "put(article) -> str\n\n"
     "Stores an article (a dict or an Article; it must have a key), replacing the "
     "one with the same key.  Returns 'added', 'updated' or 'unchanged' (the same "
     "article was stored already: nothing is written).  Outside a transaction "
     "each put commits on its own: use transaction() for many."},
    {"get", (PyCFunction)index_get, METH_VARARGS,
     "get(key[, default]) -> Article\n\n"
     "The article with this key; without a default, NotFoundError (a KeyError) "
     "when there is none."},
    {"delete", (PyCFunction)index_delete, METH_O,
     "delete(key)\n\nDeletes the article with this key and every trace of it; "
     "NotFoundError (a KeyError) when there is none.  Also: del index[key]."},
    {"keys", (PyCFunction)index_keys, METH_NOARGS,
     "keys() -> list\n\nEvery key, in key order (read in one walk of the index; "
     "iter(index) iterates over them)."},
    {"transaction", (PyCFunction)index_transaction, METH_NOARGS,
     "transaction() -> context manager\n\n"
     "with index.transaction(): ... puts and deletes become visible together, "
     "committed at the end of the block, or all rolled back when it raises.  "
     "Much faster than single puts for many articles."},
    {"check", (PyCFunction)index_check, METH_NOARGS,
     "check() -> list of str\n\n"
     "Checks the index from the file up (SQLite's and FTS5's checks and the "
     "library's own) and returns the problems found, one line each: [] when the "
     "index is sound."},
    {"export", (PyCFunction)index_export, METH_O,
     "export(file) -> int\n\n"
     "Writes every article as JSON Lines (the format add_paths() reads back, with "
     "a header line of the index's settings) to file: a path, or a file object "
     "(text or binary).  Returns the number of articles written."},
    {"set_time_limit", (PyCFunction)index_set_time_limit, METH_O,
     "set_time_limit(seconds)\n\nEvery later call on the index (a search, a related "
     "list, a write ...) that runs longer than this raises TimeLimitError; what it was "
     "writing is rolled back.  0 or None removes the limit (the default)."},
    {"complete", PYEAF_KW(index_complete), METH_VARARGS | METH_KEYWORDS,
     "complete(text, n=10) -> list of (text, kind, count, key)\n\nCompletions of what "
     "is typed into a search box, best first: kind 'words' is the text with its last "
     "word completed from the titles (count: how many of the matching titles have the "
     "word; key None), kind 'title' the title of an article with the typed words (key: "
     "the article's key; count 0)."},
    {"optimize", (PyCFunction)index_optimize, METH_NOARGS,
     "optimize()\n\nMerges the full-text index into one segment (after adding "
     "many articles: searches are faster)."},
    {"rebuild", (PyCFunction)index_rebuild, METH_NOARGS,
     "rebuild()\n\nRebuilds what the index derives from its articles (the "
     "full-text index, the related lists marked stale, ...), mending what check() "
     "reports that can be mended in place."},
    {"search", PYEAF_KW(pyeaf_index_search), METH_VARARGS | METH_KEYWORDS,
     "search(query, limit=10, offset=0, sort='relevance', after=None, before=None, "
     "author=None, topic=None, country=None, tag=None, facets=False, strict=False, "
     "fallback=True, aliases=True, all_words=False, rank_all=False, html=False, "
     "marks=('[', ']'), ellipsis='...', snippet_words=32, explain=False, snippets=True, "
     "feedback=None, suggest=None) -> Results\n\n"
     "Runs a query in the language of eafsearch-query(7) and returns a Results: "
     "its Hits (best first; or newest or oldest first with sort), with total (every "
     "article that matches), facets (with facets=True, or the number of values to "
     "keep per kind), suggestion (a 'Did you mean' query, or None: by default made only when "
     "no article has all the words, as working it out reads the vocabulary; suggest=True "
     "always, False never), fallback "
     "(whether no article had all the words, so the hits have any of them), "
     "dropped (the words no article has) and question.  feedback: pseudo-relevance "
     "feedback, by default (None) on a question of 4 words or more; True on every "
     "question, False never.\n"
     "after and before are dates (datetime.date, 'YYYY[-MM[-DD]]' or a year); "
     "author, topic, country and tag a str or a list of str (any of them).  No "
     "query is an error unless strict=True: then a malformed one raises "
     "QuerySyntaxError with its offset.  The search runs with the GIL released."},
    {"related", PYEAF_KW(pyeaf_index_related), METH_VARARGS | METH_KEYWORDS,
     "related(key, n=10, explain=False) -> list of Related\n\n"
     "The articles related to the article key, best first: each a Related (key, "
     "title, score, explanation, shared).  With explain=True, explanation is a "
     "line for people and shared a dict of what the two articles share "
     "('term', 'topic', 'country', 'tag', 'author': tuples of str).  The stored "
     "list when fresh, else computed now.  NotFoundError for an unknown key."},
    {"build_related", PYEAF_KW(pyeaf_index_build_related), METH_VARARGS | METH_KEYWORDS,
     "build_related(progress=None) -> dict\n\n"
     "Computes and stores the related lists of every article (one transaction), "
     "with the GIL released.  progress, if given, is called as "
     "progress(phase, done, total) ('reading', 'scoring', 'writing'; total is -1 "
     "when unknown), at most ten times a second; an exception it raises (and "
     "KeyboardInterrupt) stops the build, which stores nothing, and is raised.  "
     "Returns the build's statistics."},
    {"refresh_related", PYEAF_KW(pyeaf_index_refresh_related), METH_VARARGS | METH_KEYWORDS,
     "refresh_related(progress=None) -> dict\n\n"
     "Recomputes the stale related lists only (all of them when many changed), "
     "as add_paths() does after indexing.  progress as for build_related()."},
    {"add_paths", PYEAF_KW(pyeaf_index_add_paths), METH_VARARGS | METH_KEYWORDS,
     "add_paths(paths, progress=None, format=None, prune=None, prune_all=False, "
     "exclude=(), checksum=False, batch=2000, related=True, optimize=None) -> Tally\n\n"
     "Indexes files and folders as eafindex(1) does: folders walked (each file "
     "once), each file's format detected from its content (format forces one: "
     "'page', 'html', 'markdown', 'wxr', 'jsonl', or an archive kind 'tar', "
     "'zip', 'gzip'), archives read in place, files unchanged since the last run "
     "skipped, the articles a file no longer holds removed, and those of files "
     "gone from a folder indexed before (prune; None: eafindex's default).  A bad "
     "file is one message in Tally.errors, never an exception.  Then the related "
     "lists are refreshed (related=False leaves them) and, after a large run, the "
     "full-text index merged.\n"
     "progress, if given, is called as progress(files_done, files_total, tally) at "
     "most ten times a second.  An exception it raises, or KeyboardInterrupt, stops "
     "the run at the next article: what was read whole is committed and kept, the "
     "file being read is read again next time, and the exception is raised.  The "
     "index should be opened with lock=True (the only writer for the run), as "
     "eafindex does.  Returns a Tally (added, updated, unchanged, removed, "
     "skipped, failed, failed_files, errors)."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods index_as_sequence = {
    .sq_contains = (objobjproc)index_contains,
};

static PyMappingMethods index_as_mapping = {
    .mp_length = (lenfunc)index_length,
    .mp_subscript = (binaryfunc)index_getitem,
    .mp_ass_subscript = (objobjargproc)index_ass_subscript,
};

PyTypeObject PyEafIndex_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "eafsearch.Index",
    .tp_basicsize = sizeof(PyEafIndex),
    .tp_dealloc = (destructor)index_dealloc,
    .tp_repr = (reprfunc)index_repr,
    .tp_as_sequence = &index_as_sequence,
    .tp_as_mapping = &index_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc =
        "Index(path, mode='r', language=None, timeout=5.0, lock=False)\n\n"
        "An index file opened: mode 'r' reads only (every write raises ReadOnlyError), "
        "'w' reads and writes an existing index, 'c' also creates it.  language is the "
        "stemming language of a new index (default 'english'; see languages()); for an "
        "existing one, None or its own.  timeout is how long, in seconds, a write waits "
        "for another writer before BusyError.  lock=True makes this handle the index's "
        "only writer until it is closed (eafindex does so for a run).\n\n"
        "A context manager (the index is closed at the end of the with block) and a "
        "mapping of keys to articles: len(index), iter(index) (the keys), index[key], "
        "key in index, del index[key].\n\n"
        "Threads: an Index is one handle of the library, for one thread at a time.  "
        "Calls from several threads on one Index are serialized (each waits for the "
        "one running, with the GIL released); for parallel searches open one Index "
        "per thread.  Readers never block the writer, and several processes may use "
        "one index file (one writer at a time).",
    .tp_weaklistoffset = offsetof(PyEafIndex, weakrefs),
    .tp_iter = (getiterfunc)index_iter,
    .tp_methods = index_methods,
    .tp_getset = index_getset,
    .tp_init = (initproc)index_init,
    .tp_new = index_new,
};
