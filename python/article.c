/*
 * article.c: eafsearch.Article, a plain record of an article's fields,
 * and the conversions between it (or a dict) and eaf_article.
 *
 * A dict given to put() may use the names of the export's JSON Lines
 * too ("id" for key, "lang" for language, "related" for related_titles),
 * so that the lines of an export, json.loads()ed, can be put back as
 * they are.  Authors are names, (name, affiliation) pairs, or dicts with
 * "name" and "affiliation".  An unknown name is a TypeError: a typo
 * ("titel") would otherwise store an article without its title.
 */
#include "pyeaf.h"

#include <datetime.h>
#include <structmember.h>

#include <stdio.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    PyObject *key, *url, *title, *date, *date_text, *summary, *body, *bio, *language;
    PyObject *authors, *topics, *countries, *tags, *related_titles;
} PyEafArticle;

/* The members, in the order of repr() and asdict(). */
static const struct member_name {
    const char *name;
    size_t offset;
} members[] = {
    {"key", offsetof(PyEafArticle, key)},
    {"url", offsetof(PyEafArticle, url)},
    {"title", offsetof(PyEafArticle, title)},
    {"date", offsetof(PyEafArticle, date)},
    {"date_text", offsetof(PyEafArticle, date_text)},
    {"authors", offsetof(PyEafArticle, authors)},
    {"topics", offsetof(PyEafArticle, topics)},
    {"countries", offsetof(PyEafArticle, countries)},
    {"tags", offsetof(PyEafArticle, tags)},
    {"summary", offsetof(PyEafArticle, summary)},
    {"body", offsetof(PyEafArticle, body)},
    {"bio", offsetof(PyEafArticle, bio)},
    {"language", offsetof(PyEafArticle, language)},
    {"related_titles", offsetof(PyEafArticle, related_titles)},
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

#define SLOT(self, i) ((PyObject **)((char *)(self) + members[i].offset))

static void article_dealloc(PyEafArticle *self)
{
    size_t i;

    for (i = 0; i < NMEMBERS; i++)
        Py_CLEAR(*SLOT(self, i));
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *article_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyEafArticle *self;
    size_t i;

    (void)args;
    (void)kw;
    self = (PyEafArticle *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    for (i = 0; i < NMEMBERS; i++) {
        int list = strcmp(members[i].name, "authors") == 0 ||
                   strcmp(members[i].name, "topics") == 0 ||
                   strcmp(members[i].name, "countries") == 0 ||
                   strcmp(members[i].name, "tags") == 0 ||
                   strcmp(members[i].name, "related_titles") == 0;
        *SLOT(self, i) = list ? PyTuple_New(0) : Py_NewRef(Py_None);
        if (!*SLOT(self, i)) {
            Py_DECREF(self);
            return NULL;
        }
    }
    return (PyObject *)self;
}

static int article_init(PyEafArticle *self, PyObject *args, PyObject *kw)
{
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    size_t i;

    if (PyTuple_GET_SIZE(args) > 0) {
        PyErr_SetString(PyExc_TypeError, "Article() takes keyword arguments only");
        return -1;
    }
    while (kw && PyDict_Next(kw, &pos, &k, &v)) {
        const char *name = PyUnicode_AsUTF8(k);
        if (!name)
            return -1;
        for (i = 0; i < NMEMBERS; i++)
            if (strcmp(name, members[i].name) == 0)
                break;
        if (i == NMEMBERS) {
            PyErr_Format(PyExc_TypeError, "Article() has no field '%s'", name);
            return -1;
        }
        Py_INCREF(v);
        Py_SETREF(*SLOT(self, i), v);
    }
    return 0;
}

static PyObject *article_asdict(PyEafArticle *self, PyObject *unused)
{
    PyObject *d = PyDict_New();
    size_t i;

    (void)unused;
    if (!d)
        return NULL;
    for (i = 0; i < NMEMBERS; i++)
        if (PyDict_SetItemString(d, members[i].name, *SLOT(self, i)) < 0) {
            Py_DECREF(d);
            return NULL;
        }
    return d;
}

static PyObject *article_repr(PyEafArticle *self)
{
    return PyUnicode_FromFormat("Article(key=%R, title=%R, date=%R)", self->key, self->title,
                                self->date_text != Py_None ? self->date_text : self->date);
}

static PyObject *article_richcompare(PyObject *a, PyObject *b, int op)
{
    PyObject *da, *db, *r;

    if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(b, &PyEafArticle_Type))
        Py_RETURN_NOTIMPLEMENTED;
    da = article_asdict((PyEafArticle *)a, NULL);
    db = da ? article_asdict((PyEafArticle *)b, NULL) : NULL;
    r = db ? PyObject_RichCompare(da, db, op) : NULL;
    Py_XDECREF(da);
    Py_XDECREF(db);
    return r;
}

static PyMemberDef article_members[] = {
    {"key", T_OBJECT, offsetof(PyEafArticle, key), 0, "unique key (str)"},
    {"url", T_OBJECT, offsetof(PyEafArticle, url), 0, "canonical URL, or None"},
    {"title", T_OBJECT, offsetof(PyEafArticle, title), 0, "title, plain text"},
    {"date", T_OBJECT, offsetof(PyEafArticle, date), 0,
     "publication date as a datetime.date (a date of only a year or a month is its "
     "first day), or None; put() also takes a str or an int year"},
    {"date_text", T_OBJECT, offsetof(PyEafArticle, date_text), 0,
     "the date as stored: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; put() prefers it to date"},
    {"authors", T_OBJECT, offsetof(PyEafArticle, authors), 0,
     "(name, affiliation) pairs; affiliation may be None"},
    {"topics", T_OBJECT, offsetof(PyEafArticle, topics), 0, "topics (str)"},
    {"countries", T_OBJECT, offsetof(PyEafArticle, countries), 0, "countries (str)"},
    {"tags", T_OBJECT, offsetof(PyEafArticle, tags), 0, "other tags (str)"},
    {"summary", T_OBJECT, offsetof(PyEafArticle, summary), 0, "summary, or None"},
    {"body", T_OBJECT, offsetof(PyEafArticle, body), 0,
     "body, plain text, paragraphs separated by blank lines"},
    {"bio", T_OBJECT, offsetof(PyEafArticle, bio), 0, "the author bio, or None"},
    {"language", T_OBJECT, offsetof(PyEafArticle, language), 0,
     "language code of the text ('en'), informative"},
    {"related_titles", T_OBJECT, offsetof(PyEafArticle, related_titles), 0,
     "titles of the site's own 'related posts'"},
    {NULL, 0, 0, 0, NULL},
};

static PyMethodDef article_methods[] = {
    {"asdict", (PyCFunction)article_asdict, METH_NOARGS,
     "asdict() -> dict\n\nThe fields as a dict, which put() takes back."},
    {NULL, NULL, 0, NULL},
};

PyTypeObject PyEafArticle_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "eafsearch.Article",
    .tp_basicsize = sizeof(PyEafArticle),
    .tp_dealloc = (destructor)article_dealloc,
    .tp_repr = (reprfunc)article_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "Article(**fields)\n\n"
              "An article: key, url, title, date (or date_text), authors, topics, "
              "countries, tags, summary, body, bio, language, related_titles.\n"
              "Index.get() returns one; Index.put() takes one, or a dict of the same "
              "names.  Two Articles are equal when all their fields are.",
    .tp_richcompare = article_richcompare,
    .tp_methods = article_methods,
    .tp_members = article_members,
    .tp_init = (initproc)article_init,
    .tp_new = article_new,
};

/* ---- dates ------------------------------------------------------------------- */

PyObject *pyeaf_date(const char *text)
{
    int y = 0, m = 1, d = 1;

    PyObject *date;

    if (!text || sscanf(text, "%4d-%2d-%2d", &y, &m, &d) < 1 || y < 1)
        Py_RETURN_NONE;
    date = PyDate_FromDate(y, m, d);
    if (!date && PyErr_ExceptionMatches(PyExc_ValueError)) {
        /* (the library stores valid dates only; never fail a read on one) */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return date;
}

const char *pyeaf_date_text(PyObject *obj, char *buf, size_t size)
{
    if (PyDate_Check(obj)) {
        snprintf(buf, size, "%04d-%02d-%02d", PyDateTime_GET_YEAR(obj),
                 PyDateTime_GET_MONTH(obj), PyDateTime_GET_DAY(obj));
        return buf;
    }
    if (PyLong_Check(obj)) {
        long y = PyLong_AsLong(obj);
        if (y == -1 && PyErr_Occurred())
            return NULL;
        snprintf(buf, size, "%04ld", y);
        return buf;
    }
    if (PyUnicode_Check(obj)) {
        const char *s = PyUnicode_AsUTF8(obj);
        if (s)
            snprintf(buf, size, "%s", s);
        return s ? buf : NULL;
    }
    PyErr_Format(PyExc_TypeError, "a date is a datetime.date, a str or an int year, not %.100s",
                 Py_TYPE(obj)->tp_name);
    return NULL;
}

/* ---- C to Python -------------------------------------------------------------- */

PyObject *pyeaf_str_or_none(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *tags_tuple(const eaf_article *a, eaf_tag_kind kind)
{
    size_t n = eaf_article_tag_count(a, kind), i;
    PyObject *t = PyTuple_New((Py_ssize_t)n);

    for (i = 0; t && i < n; i++) {
        PyObject *v = pyeaf_str_or_none(eaf_article_tag(a, kind, i));
        if (!v) {
            Py_CLEAR(t);
            break;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
    }
    return t;
}

PyObject *pyeaf_article_from_c(const eaf_article *a)
{
    PyEafArticle *o = (PyEafArticle *)article_new(&PyEafArticle_Type, NULL, NULL);
    size_t i, n;

    if (!o)
        return NULL;
#define SET(member, value)                                                                   \
    do {                                                                                     \
        PyObject *v_ = (value);                                                              \
        if (!v_)                                                                             \
            goto fail;                                                                       \
        Py_SETREF(o->member, v_);                                                            \
    } while (0)
    SET(key, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_KEY)));
    SET(url, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_URL)));
    SET(title, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_TITLE)));
    SET(date, pyeaf_date(eaf_article_get(a, EAF_FIELD_DATE)));
    SET(date_text, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_DATE)));
    SET(summary, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_SUMMARY)));
    SET(body, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_BODY)));
    SET(bio, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_BIO)));
    SET(language, pyeaf_str_or_none(eaf_article_get(a, EAF_FIELD_LANGUAGE)));
    n = eaf_article_author_count(a);
    SET(authors, PyTuple_New((Py_ssize_t)n));
    for (i = 0; i < n; i++) {
        PyObject *name = pyeaf_str_or_none(eaf_article_author_name(a, i));
        PyObject *aff = pyeaf_str_or_none(eaf_article_author_affiliation(a, i));
        PyObject *pair = name && aff ? PyTuple_Pack(2, name, aff) : NULL;

        Py_XDECREF(name);
        Py_XDECREF(aff);
        if (!pair)
            goto fail;
        PyTuple_SET_ITEM(o->authors, (Py_ssize_t)i, pair);
    }
    SET(topics, tags_tuple(a, EAF_TAG_TOPIC));
    SET(countries, tags_tuple(a, EAF_TAG_COUNTRY));
    SET(tags, tags_tuple(a, EAF_TAG_OTHER));
    n = eaf_article_related_title_count(a);
    SET(related_titles, PyTuple_New((Py_ssize_t)n));
    for (i = 0; i < n; i++) {
        PyObject *v = pyeaf_str_or_none(eaf_article_related_title(a, i));
        if (!v)
            goto fail;
        PyTuple_SET_ITEM(o->related_titles, (Py_ssize_t)i, v);
    }
#undef SET
    return (PyObject *)o;
fail:
    Py_DECREF(o);
    return NULL;
}

/* ---- Python to C -------------------------------------------------------------- */

/* The status of an article setter as an exception naming the field. */
static int set_failed(eaf_status st, const char *what)
{
    char msg[200];

    if (st == EAF_NOMEM) {
        PyErr_NoMemory();
        return -1;
    }
    snprintf(msg, sizeof(msg), "%s: %s", what,
             st == EAF_SYNTAX ? "not a valid value (an empty text, or a date that is not "
                                "YYYY, YYYY-MM or YYYY-MM-DD)"
                              : eaf_status_str(st));
    pyeaf_raise(st, msg, -1);
    return -1;
}

static int set_text(eaf_article *a, eaf_field field, PyObject *v, const char *name)
{
    const char *s;
    Py_ssize_t n;
    eaf_status st;
    PyObject *tmp;

    if (v == Py_None)
        return 0;
    if (!PyUnicode_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str or None, not %.100s", name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    s = pyeaf_utf8(v, &n, &tmp);
    if (!s)
        return -1;
    st = eaf_article_set(a, field, s, (size_t)n);
    Py_XDECREF(tmp);
    return st == EAF_OK ? 0 : set_failed(st, name);
}

/* Calls add(a, kind, item) for each str of a sequence (a lone str is one). */
static int set_list(eaf_article *a, PyObject *v, const char *name, eaf_tag_kind kind,
                    int related)
{
    PyObject *seq;
    Py_ssize_t i, n;

    if (v == Py_None)
        return 0;
    if (PyUnicode_Check(v))
        seq = PyTuple_Pack(1, v);
    else
        seq = PySequence_Fast(v, "");
    if (!seq) {
        PyErr_Format(PyExc_TypeError, "%s must be a sequence of str", name);
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        const char *s;
        eaf_status st;
        PyObject *tmp;

        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s must hold str, not %.100s", name,
                         Py_TYPE(item)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
        s = pyeaf_utf8(item, NULL, &tmp);
        if (!s) {
            Py_DECREF(seq);
            return -1;
        }
        st = related ? eaf_article_add_related_title(a, s) : eaf_article_add_tag(a, kind, s);
        Py_XDECREF(tmp);
        if (st != EAF_OK) {
            Py_DECREF(seq);
            return set_failed(st, name);
        }
    }
    Py_DECREF(seq);
    return 0;
}

static int add_author(eaf_article *a, PyObject *item)
{
    PyObject *name = NULL, *aff = Py_None, *tmp_n = NULL, *tmp_f = NULL;
    const char *n, *f = NULL;
    eaf_status st;

    if (PyUnicode_Check(item)) {
        name = item;
    } else if (PyDict_Check(item)) {
        name = PyDict_GetItemString(item, "name");
        aff = PyDict_GetItemString(item, "affiliation");
        if (!aff)
            aff = Py_None;
    } else if (PyTuple_Check(item) || PyList_Check(item)) {
        Py_ssize_t k = PySequence_Size(item);
        if (k == 1 || k == 2) {
            name = PySequence_Fast_GET_ITEM(item, 0);
            if (k == 2)
                aff = PySequence_Fast_GET_ITEM(item, 1);
        }
    }
    if (!name || !PyUnicode_Check(name) || (aff != Py_None && !PyUnicode_Check(aff))) {
        PyErr_SetString(PyExc_TypeError, "an author is a name, a (name, affiliation) pair "
                                         "or a dict with 'name' and 'affiliation'");
        return -1;
    }
    n = pyeaf_utf8(name, NULL, &tmp_n);
    if (!n || (aff != Py_None && !(f = pyeaf_utf8(aff, NULL, &tmp_f)))) {
        Py_XDECREF(tmp_n);
        return -1;
    }
    if (f && !*f)
        f = NULL;
    st = eaf_article_add_author(a, n, f);
    Py_XDECREF(tmp_n);
    Py_XDECREF(tmp_f);
    return st == EAF_OK ? 0 : set_failed(st, "authors");
}

static int set_authors(eaf_article *a, PyObject *v)
{
    PyObject *seq;
    Py_ssize_t i;

    if (v == Py_None)
        return 0;
    if (PyUnicode_Check(v))
        return add_author(a, v);
    seq = PySequence_Fast(v, "authors must be a sequence");
    if (!seq)
        return -1;
    for (i = 0; i < PySequence_Fast_GET_SIZE(seq); i++)
        if (add_author(a, PySequence_Fast_GET_ITEM(seq, i)) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    Py_DECREF(seq);
    return 0;
}

static int set_date(eaf_article *a, PyObject *v)
{
    char buf[64];
    const char *s;
    eaf_status st;

    if (v == Py_None)
        return 0;
    s = pyeaf_date_text(v, buf, sizeof(buf));
    if (!s)
        return -1;
    st = eaf_article_set(a, EAF_FIELD_DATE, s, EAF_NTS);
    return st == EAF_OK ? 0 : set_failed(st, "date");
}

/* One named value of a dict into the article. */
static int set_member(eaf_article *a, const char *name, PyObject *v)
{
    static const struct {
        const char *name;
        eaf_field field;
    } text[] = {
        {"key", EAF_FIELD_KEY},         {"id", EAF_FIELD_KEY},
        {"url", EAF_FIELD_URL},         {"title", EAF_FIELD_TITLE},
        {"summary", EAF_FIELD_SUMMARY}, {"body", EAF_FIELD_BODY},
        {"bio", EAF_FIELD_BIO},         {"language", EAF_FIELD_LANGUAGE},
        {"lang", EAF_FIELD_LANGUAGE},
    };
    size_t i;

    for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        if (strcmp(name, text[i].name) == 0)
            return set_text(a, text[i].field, v, name);
    if (strcmp(name, "date") == 0 || strcmp(name, "date_text") == 0)
        return set_date(a, v);
    if (strcmp(name, "authors") == 0)
        return set_authors(a, v);
    if (strcmp(name, "topics") == 0)
        return set_list(a, v, name, EAF_TAG_TOPIC, 0);
    if (strcmp(name, "countries") == 0)
        return set_list(a, v, name, EAF_TAG_COUNTRY, 0);
    if (strcmp(name, "tags") == 0)
        return set_list(a, v, name, EAF_TAG_OTHER, 0);
    if (strcmp(name, "related_titles") == 0 || strcmp(name, "related") == 0)
        return set_list(a, v, name, EAF_TAG_OTHER, 1);
    PyErr_Format(PyExc_TypeError, "an article has no field '%s' (fields: key, url, title, "
                                  "date, authors, topics, countries, tags, summary, body, "
                                  "bio, language, related_titles)", name);
    return -1;
}

eaf_article *pyeaf_article_to_c(PyObject *obj)
{
    PyObject *d, *k, *v;
    Py_ssize_t pos = 0;
    eaf_article *a = NULL;
    eaf_status st;
    int has_text_date;

    if (PyObject_TypeCheck(obj, &PyEafArticle_Type)) {
        d = article_asdict((PyEafArticle *)obj, NULL);
    } else if (PyDict_Check(obj)) {
        d = Py_NewRef(obj);
    } else {
        PyErr_Format(PyExc_TypeError, "an article is a dict or an eafsearch.Article, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (!d)
        return NULL;
    st = eaf_article_new(&a);
    if (st != EAF_OK) {
        Py_DECREF(d);
        PyErr_NoMemory();
        return NULL;
    }
    /* date_text, the exact form, wins over date (an Article from get()
     * has both) */
    v = PyDict_GetItemString(d, "date_text");
    has_text_date = v && v != Py_None;
    while (PyDict_Next(d, &pos, &k, &v)) {
        const char *name = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;

        if (!name) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "an article's field names are str");
            goto fail;
        }
        if (has_text_date && strcmp(name, "date") == 0)
            continue;
        if (set_member(a, name, v) < 0)
            goto fail;
    }
    Py_DECREF(d);
    if (!eaf_article_get(a, EAF_FIELD_KEY)) {
        eaf_article_free(a);
        pyeaf_raise(EAF_SYNTAX, "the article has no key", -1);
        return NULL;
    }
    return a;
fail:
    Py_DECREF(d);
    eaf_article_free(a);
    return NULL;
}

int pyeaf_article_init(PyObject *module)
{
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI)
        return -1;
    if (PyType_Ready(&PyEafArticle_Type) < 0)
        return -1;
    Py_INCREF(&PyEafArticle_Type);
    if (PyModule_AddObject(module, "Article", (PyObject *)&PyEafArticle_Type) < 0) {
        Py_DECREF(&PyEafArticle_Type);
        return -1;
    }
    return 0;
}
