/*
 * module.c: the module eafsearch: its functions (version(), languages(),
 * formats()), its types and exceptions registered, and the progress
 * callback that long calls share.
 */
#include "pyeaf.h"

#include <string.h>

/* ---- progress callbacks ---------------------------------------------------------- */

void pyeaf_keep_error(PyObject **pending)
{
    PyObject *t, *v, *tb;

    PyErr_Fetch(&t, &v, &tb);
    PyErr_NormalizeException(&t, &v, &tb);
    Py_XDECREF(*pending);
    *pending = PyTuple_Pack(3, t ? t : Py_None, v ? v : Py_None, tb ? tb : Py_None);
    Py_XDECREF(t);
    Py_XDECREF(v);
    Py_XDECREF(tb);
    if (!*pending) /* no memory for the tuple: the call stops all the same */
        PyErr_Clear();
}

int pyeaf_call_progress(PyObject *callable, PyObject *args, PyObject **pending)
{
    PyObject *r;

    if (!args && PyErr_Occurred()) { /* the arguments could not be made */
        pyeaf_keep_error(pending);
        return -1;
    }
    /* a signal (Ctrl-C) arrived while the call ran without the GIL: its
     * Python handler runs now, and KeyboardInterrupt stops the call */
    if (PyErr_CheckSignals() < 0) {
        pyeaf_keep_error(pending);
        return -1;
    }
    if (!callable || callable == Py_None)
        return 0;
    r = args ? PyObject_Call(callable, args, NULL) : PyObject_CallNoArgs(callable);
    if (!r) {
        pyeaf_keep_error(pending);
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

void pyeaf_restore_pending(PyObject **pending)
{
    PyObject *p = *pending, *t, *v, *tb;

    *pending = NULL;
    if (!p) {
        PyErr_SetString(PyExc_RuntimeError, "the call was stopped");
        return;
    }
    t = PyTuple_GET_ITEM(p, 0);
    v = PyTuple_GET_ITEM(p, 1);
    tb = PyTuple_GET_ITEM(p, 2);
    PyErr_Restore(Py_NewRef(t), v == Py_None ? NULL : Py_NewRef(v),
                  tb == Py_None ? NULL : Py_NewRef(tb));
    Py_DECREF(p);
}

/* ---- text ------------------------------------------------------------------------ */

const char *pyeaf_utf8(PyObject *str, Py_ssize_t *len, PyObject **tmp)
{
    const char *s;
    Py_ssize_t n;

    *tmp = NULL;
    s = PyUnicode_AsUTF8AndSize(str, &n);
    if (!s && PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
        /* lone surrogates: passed on as the bytes they would be, which
         * the library replaces by U+FFFD as it does any invalid text */
        PyErr_Clear();
        *tmp = PyUnicode_AsEncodedString(str, "utf-8", "surrogatepass");
        if (!*tmp)
            return NULL;
        s = PyBytes_AS_STRING(*tmp);
        n = PyBytes_GET_SIZE(*tmp);
    }
    if (s && len)
        *len = n;
    return s;
}

/* ---- functions -------------------------------------------------------------------- */

static PyObject *mod_version(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyUnicode_FromString(eaf_version());
}

static PyObject *mod_languages(PyObject *self, PyObject *unused)
{
    const char *const *l;
    PyObject *list = PyList_New(0);

    (void)self;
    (void)unused;
    for (l = eaf_languages(); list && l && *l; l++) {
        PyObject *s = PyUnicode_FromString(*l);
        if (!s || PyList_Append(list, s) < 0)
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    return list;
}

static PyObject *mod_formats(PyObject *self, PyObject *unused)
{
    static const eaf_format all[] = {EAF_FORMAT_PAGE, EAF_FORMAT_JSONL, EAF_FORMAT_HTML,
                                     EAF_FORMAT_MARKDOWN, EAF_FORMAT_WXR};
    PyObject *d = PyDict_New();
    size_t i;

    (void)self;
    (void)unused;
    for (i = 0; d && i < sizeof(all) / sizeof(all[0]); i++)
        if (PyDict_SetItemString(d, eaf_format_name(all[i]),
                                 eaf_format_available(all[i]) ? Py_True : Py_False) < 0)
            Py_CLEAR(d);
    if (d && PyDict_SetItemString(d, "archives",
                                  eaf_archive_available() ? Py_True : Py_False) < 0)
        Py_CLEAR(d);
    return d;
}

static PyMethodDef module_methods[] = {
    {"version", mod_version, METH_NOARGS,
     "version() -> str\n\nThe version of the libeafsearch loaded, 'major.minor.patch'."},
    {"languages", mod_languages, METH_NOARGS,
     "languages() -> list of str\n\nThe stemming languages an index can be created "
     "with ('english', 'french', ...; 'none' turns stemming off)."},
    {"formats", mod_formats, METH_NOARGS,
     "formats() -> dict\n\nWhich article formats this build reads ('page', 'jsonl', "
     "'html', 'markdown', 'wxr': True or False) and whether it reads archives "
     "('archives')."},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(module_doc,
"eafsearch: search archives of analysis articles (libeafsearch from Python).\n"
"\n"
"An index is one SQLite file with a full-text index.  Open it with Index,\n"
"fill it with put() or add_paths(), search it with search(), and read the\n"
"articles related to one with related():\n"
"\n"
"    import eafsearch\n"
"    with eafsearch.Index('site.db', 'c', lock=True) as ix:\n"
"        tally = ix.add_paths(['archive/'])\n"
"        print(tally.added, 'added', tally.errors)\n"
"        for hit in ix.search('US-Japan alliance', limit=5):\n"
"            print(hit.date, hit.title, hit.snippet)\n"
"        for r in ix.related(hit.key, n=3, explain=True):\n"
"            print(r.score, r.title, r.explanation)\n"
"\n"
"The query language (eafsearch-query(7)): words, \"phrases\", OR, -exclusions,\n"
"groups, prefix*, NEAR, fields (title:, author:\"Exact Name\", country:),\n"
"dates (date:2017..2019).  No query is an error unless strict=True.\n"
"\n"
"Errors are exceptions under eafsearch.Error, one per status code of the C\n"
"library: BusyError, CorruptError, SchemaError, ReadOnlyError, NotFoundError\n"
"(a KeyError), ExistsError, InvalidError (a ValueError) and its\n"
"QuerySyntaxError (with .offset), MisuseError, FileError (an OSError),\n"
"InterruptError, TimeLimitError (a TimeoutError); out of memory is MemoryError.\n"
"\n"
"Threads: every call on the index runs with the GIL released.  An Index is\n"
"for one thread at a time, as the C handle is: calls on one Index from\n"
"several threads are serialized; open one Index per thread to search in\n"
"parallel.  Several processes may share one index file: readers never\n"
"block, and one writer writes at a time (others wait up to the timeout,\n"
"then BusyError).  Ctrl-C (KeyboardInterrupt) during add_paths() or\n"
"build_related() stops them cleanly, keeping what was committed.\n");

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "eafsearch",
    .m_doc = module_doc,
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC PyInit_eafsearch(void);

PyMODINIT_FUNC PyInit_eafsearch(void)
{
    PyObject *m = PyModule_Create(&module_def);

    if (!m)
        return NULL;
    if (pyeaf_errors_init(m) < 0 || pyeaf_article_init(m) < 0 ||
        PyType_Ready(&PyEafIndex_Type) < 0 || PyType_Ready(&PyEafTransaction_Type) < 0 ||
        pyeaf_search_init(m) < 0 || pyeaf_related_init(m) < 0 || pyeaf_paths_init(m) < 0)
        goto fail;
    Py_INCREF(&PyEafIndex_Type);
    if (PyModule_AddObject(m, "Index", (PyObject *)&PyEafIndex_Type) < 0) {
        Py_DECREF(&PyEafIndex_Type);
        goto fail;
    }
    Py_INCREF(&PyEafTransaction_Type);
    if (PyModule_AddObject(m, "Transaction", (PyObject *)&PyEafTransaction_Type) < 0) {
        Py_DECREF(&PyEafTransaction_Type);
        goto fail;
    }
    if (PyModule_AddStringConstant(m, "__version__", eaf_version()) < 0)
        goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
