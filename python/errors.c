/*
 * errors.c: the exceptions of the module, one class per status code,
 * under eafsearch.Error.  Each instance carries .status, the C name of
 * the code ("EAF_BUSY"); QuerySyntaxError also .offset, the byte offset
 * of the problem in the query's UTF-8 text, and .char_offset, the same
 * in characters of the Python str.
 */
#include "pyeaf.h"

static PyObject *Error, *BusyError, *CorruptError, *ReadOnlyError, *NotFoundError,
    *ExistsError, *InvalidError, *QuerySyntaxError, *MisuseError, *SchemaError,
    *FileError, *InterruptError, *TimeLimitError;

typedef struct {
    const char *name;
    const char *doc;
    PyObject **slot;
    PyObject **base;        /* the eafsearch class above it (NULL: Error) */
    PyObject *builtin;      /* a builtin base too, or NULL */
} error_spec;

static int add_class(PyObject *module, const error_spec *e)
{
    PyObject *bases, *cls;
    char qual[64];

    snprintf(qual, sizeof(qual), "eafsearch.%s", e->name);
    if (e->builtin)
        bases = PyTuple_Pack(2, e->base ? *e->base : Error, e->builtin);
    else
        bases = PyTuple_Pack(1, e->base ? *e->base : Error);
    if (!bases)
        return -1;
    cls = PyErr_NewExceptionWithDoc(qual, e->doc, bases, NULL);
    Py_DECREF(bases);
    if (!cls)
        return -1;
    *e->slot = cls;
    Py_INCREF(cls);
    if (PyModule_AddObject(module, e->name, cls) < 0) {
        Py_DECREF(cls);
        return -1;
    }
    return 0;
}

int pyeaf_errors_init(PyObject *module)
{
    const error_spec specs[] = {
        {"BusyError", "Another writer held the index past the timeout (EAF_BUSY).",
         &BusyError, NULL, NULL},
        {"CorruptError", "The file is damaged or is not an index (EAF_CORRUPT).",
         &CorruptError, NULL, NULL},
        {"SchemaError",
         "The file is an SQLite database but not an index of this library, or one "
         "of another schema or tokenizer configuration (EAF_SCHEMA).",
         &SchemaError, NULL, NULL},
        {"ReadOnlyError", "A write on an index opened read-only (EAF_READONLY).",
         &ReadOnlyError, NULL, NULL},
        {"NotFoundError",
         "No such article, file or index (EAF_NOTFOUND).  Also a KeyError, so that "
         "index[key] behaves as a mapping does.",
         &NotFoundError, NULL, PyExc_KeyError},
        {"ExistsError", "The object already exists (EAF_EXISTS).", &ExistsError, NULL, NULL},
        {"InvalidError",
         "Malformed input: a date, a key, a record (EAF_SYNTAX).  Also a ValueError.",
         &InvalidError, NULL, PyExc_ValueError},
        {"QuerySyntaxError",
         "A malformed query in strict mode (EAF_SYNTAX).  .offset is the byte offset "
         "of the problem in the query's UTF-8 text, .char_offset the same in "
         "characters of the str, .query the query.",
         &QuerySyntaxError, &InvalidError, NULL},
        {"MisuseError",
         "The API was called wrongly: bad options, a transaction already open "
         "(EAF_MISUSE).  Also a ValueError.",
         &MisuseError, NULL, PyExc_ValueError},
        {"FileError", "A file could not be read or written (EAF_IO).  Also an OSError.",
         &FileError, NULL, PyExc_OSError},
        {"InterruptError",
         "The call was interrupted; what it was writing is rolled back "
         "(EAF_INTERRUPTED).",
         &InterruptError, NULL, NULL},
        {"TimeLimitError",
         "The call ran past the index's time limit (Index.set_time_limit); what it was "
         "writing is rolled back (EAF_TIMEOUT).  Also a TimeoutError.",
         &TimeLimitError, NULL, PyExc_TimeoutError},
    };
    size_t i;

    Error = PyErr_NewExceptionWithDoc(
        "eafsearch.Error",
        "The base of every error of the library.  .status is the C name of the "
        "status code (\"EAF_BUSY\", ...).",
        NULL, NULL);
    if (!Error)
        return -1;
    Py_INCREF(Error);
    if (PyModule_AddObject(module, "Error", Error) < 0) {
        Py_DECREF(Error);
        return -1;
    }
    for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        if (add_class(module, &specs[i]) < 0)
            return -1;
    return 0;
}

static PyObject *class_of(eaf_status st)
{
    switch (st) {
    case EAF_BUSY:
        return BusyError;
    case EAF_CORRUPT:
        return CorruptError;
    case EAF_SCHEMA:
        return SchemaError;
    case EAF_READONLY:
        return ReadOnlyError;
    case EAF_NOTFOUND:
        return NotFoundError;
    case EAF_EXISTS:
        return ExistsError;
    case EAF_SYNTAX:
        return InvalidError;
    case EAF_MISUSE:
        return MisuseError;
    case EAF_IO:
        return FileError;
    case EAF_INTERRUPTED:
        return InterruptError;
    case EAF_TIMEOUT:
        return TimeLimitError;
    default:
        return Error;
    }
}

static const char *status_name(eaf_status st)
{
    static const char *const names[] = {
        "EAF_OK",       "EAF_ERROR",    "EAF_NOMEM",    "EAF_IO",      "EAF_BUSY",
        "EAF_CORRUPT",  "EAF_READONLY", "EAF_NOTFOUND", "EAF_EXISTS",  "EAF_SYNTAX",
        "EAF_MISUSE",   "EAF_SCHEMA",   "EAF_ROW",      "EAF_DONE",    "EAF_INTERRUPTED",
        "EAF_ABORT",    "EAF_TIMEOUT"};

    return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "EAF_ERROR";
}

PyObject *pyeaf_raise(eaf_status st, const char *message, int offset)
{
    PyObject *cls, *exc, *v;

    if (st == EAF_NOMEM)
        return PyErr_NoMemory();
    if (!message || !*message)
        message = eaf_status_str(st);
    cls = offset >= 0 && st == EAF_SYNTAX ? QuerySyntaxError : class_of(st);
    exc = PyObject_CallFunction(cls, "s", message);
    if (!exc)
        return NULL;
    v = PyUnicode_FromString(status_name(st));
    if (!v || PyObject_SetAttrString(exc, "status", v) < 0) {
        Py_XDECREF(v);
        Py_DECREF(exc);
        return NULL;
    }
    Py_DECREF(v);
    if (cls == QuerySyntaxError) {
        v = PyLong_FromLong(offset);
        if (!v || PyObject_SetAttrString(exc, "offset", v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(exc);
            return NULL;
        }
        Py_DECREF(v);
    }
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *pyeaf_raise_db(eaf_status st, eaf_db *db)
{
    return pyeaf_raise(st, db ? eaf_db_errmsg(db) : NULL, -1);
}
