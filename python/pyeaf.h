/*
 * pyeaf.h: what the files of the Python module eafsearch share.
 *
 * The module is a thin layer over the public API (include/eafsearch.h):
 * module.c (the module, its types registered), errors.c (the exception
 * hierarchy from eaf_status), article.c (Article, and dicts to
 * eaf_article), index.c (Index: open, put, get, transactions, check,
 * export), search.c (search: Results and Hit), related.c (related
 * lists and their build) and paths.c (add_paths: eafindex's run,
 * tools/index_*.c).
 *
 * Threads.  Every call that reads or writes the index runs with the GIL
 * released.  An eaf_db handle is for one thread at a time: each Index
 * holds a lock for the length of a call, which a second thread waits for
 * (calls are serialized), while a call made on the same thread from
 * inside a call (a progress callback using its own Index) is refused
 * with RuntimeError rather than deadlocking.
 */
#ifndef EAF_PYEAF_H
#define EAF_PYEAF_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#include "eafsearch.h"

/* ---- errors.c ---------------------------------------------------------------- */

/* The exception classes, created at import (module.c). */
int pyeaf_errors_init(PyObject *module);
/* Raises the exception of st with message (NULL: the status's own
 * text); returns NULL.  offset >= 0 is set on QuerySyntaxError. */
PyObject *pyeaf_raise(eaf_status st, const char *message, int offset);
/* Raises the exception of st with the handle's message. */
PyObject *pyeaf_raise_db(eaf_status st, eaf_db *db);

/* ---- article.c --------------------------------------------------------------- */

extern PyTypeObject PyEafArticle_Type;
/* An Article made from a's fields (a new reference, NULL on failure). */
PyObject *pyeaf_article_from_c(const eaf_article *a);
/* An eaf_article from a dict or an Article, or NULL with an exception
 * set (TypeError for an unknown member, eafsearch errors for bad values).
 * The caller frees it with eaf_article_free(). */
eaf_article *pyeaf_article_to_c(PyObject *obj);
/* A date text ("2018", "2018-05", "2018-05-16") as a datetime.date (the
 * first of the month or year for a partial one), or None. */
PyObject *pyeaf_date(const char *text);
/* A date given by a caller (datetime.date, str, int year) as text, in
 * buf; NULL with an exception set when it is none of those. */
const char *pyeaf_date_text(PyObject *obj, char *buf, size_t size);
int pyeaf_article_init(PyObject *module);

/* ---- index.c ----------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    eaf_db *db;
    PyThread_type_lock lock;  /* held for the length of a call */
    unsigned long owner;      /* the thread in a call, when busy */
    int busy;
    int readonly;
    PyObject *path;           /* as given (str) */
    PyObject *weakrefs;
} PyEafIndex;

extern PyTypeObject PyEafIndex_Type;
extern PyTypeObject PyEafTransaction_Type;
/* Takes the index for a call (waiting, GIL released, for another
 * thread's call to end); -1 with an exception set when it is closed or
 * already in a call on this thread. */
int pyeaf_index_enter(PyEafIndex *self);
void pyeaf_index_leave(PyEafIndex *self);

/* ---- search.c ---------------------------------------------------------------- */

extern PyTypeObject PyEafResults_Type;
int pyeaf_search_init(PyObject *module);
PyObject *pyeaf_index_search(PyEafIndex *self, PyObject *args, PyObject *kw);

/* ---- related.c --------------------------------------------------------------- */

int pyeaf_related_init(PyObject *module);
PyObject *pyeaf_index_related(PyEafIndex *self, PyObject *args, PyObject *kw);
PyObject *pyeaf_index_build_related(PyEafIndex *self, PyObject *args, PyObject *kw);
PyObject *pyeaf_index_refresh_related(PyEafIndex *self, PyObject *args, PyObject *kw);

/* ---- paths.c ----------------------------------------------------------------- */

int pyeaf_paths_init(PyObject *module);
PyObject *pyeaf_index_add_paths(PyEafIndex *self, PyObject *args, PyObject *kw);

/* ---- shared helpers (module.c) ------------------------------------------------ */

/* The UTF-8 text of a str, its length in *len (if not NULL): the str's
 * own cache, or for a str with lone surrogates (which UTF-8 cannot
 * encode) their bytes in *tmp, a new bytes object the caller releases.
 * NULL with an exception set on failure. */
const char *pyeaf_utf8(PyObject *str, Py_ssize_t *len, PyObject **tmp);
/* A str of UTF-8 text, or None for NULL (new reference). */
PyObject *pyeaf_str_or_none(const char *s);
/* The progress callback of long calls, run on the calling thread with the
 * GIL taken back: checks for signals (KeyboardInterrupt), then calls
 * callable (if not None) with args (NULL args: the exception set when
 * they could not be made stops the call).  0 to go on; -1 to stop, with the
 * exception kept in *pending (a new reference to the (type, value,
 * traceback) triple as a tuple) to be raised when the call returns. */
int pyeaf_call_progress(PyObject *callable, PyObject *args, PyObject **pending);
/* Keeps the exception set (and clears it) in *pending, as
 * pyeaf_call_progress() does. */
void pyeaf_keep_error(PyObject **pending);
/* Raises the exception kept by pyeaf_call_progress() and clears it. */
void pyeaf_restore_pending(PyObject **pending);

/* A type's methods take (self, args, kwargs); the cast silences
 * -Wcast-function-type. */
#define PYEAF_KW(f) ((PyCFunction)(void (*)(void))(f))

#endif
