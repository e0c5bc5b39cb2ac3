/*
 * article.c: the article value: fields, authors, tags, dates, content hash.
 */
#include "eaf-private.h"
#include "prep.h"
#include "tokenize.h"

#include <string.h>

eaf_status eaf__strvec_push(eaf__strvec *sv, char *s)
{
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 4;
        char **v = eaf__realloc(sv->v, cap * sizeof(*v));
        if (!v)
            return EAF_NOMEM;
        sv->v = v;
        sv->cap = cap;
    }
    sv->v[sv->n++] = s;
    return EAF_OK;
}

void eaf__strvec_free(eaf__strvec *sv)
{
    size_t i;

    for (i = 0; i < sv->n; i++)
        eaf__free(sv->v[i]);
    eaf__free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

eaf_status eaf_article_new(eaf_article **out)
{
    if (!out)
        return EAF_MISUSE;
    *out = eaf__calloc(1, sizeof(eaf_article));
    return *out ? EAF_OK : EAF_NOMEM;
}

void eaf_article_free(eaf_article *a)
{
    int i;

    if (!a)
        return;
    for (i = 0; i < EAF_FIELD_LAST; i++)
        eaf__free(a->field[i]);
    eaf__strvec_free(&a->author_name);
    eaf__strvec_free(&a->author_aff);
    for (i = 0; i < EAF_TAG_LAST; i++)
        eaf__strvec_free(&a->tag[i]);
    eaf__strvec_free(&a->related);
    eaf__prep_text_free_all(a->prep);
    eaf__free(a);
}

static int is_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

int eaf__date_parse(const char *s, size_t n, char out[11], int32_t *day_num)
{
    int y, m = 0, d = 0;

    /* trim surrounding white space */
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
                     s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    /* a date-time: keep the date part */
    if (n > 10 && (s[10] == 'T' || s[10] == ' ' || s[10] == 't'))
        n = 10;
    if (n != 4 && n != 7 && n != 10)
        return 0;
    if (!is_digits(s, 4))
        return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (y < 1)
        return 0;
    if (n >= 7) {
        if (s[4] != '-' || !is_digits(s + 5, 2))
            return 0;
        m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m < 1 || m > 12)
            return 0;
    }
    if (n == 10) {
        if (s[7] != '-' || !is_digits(s + 8, 2))
            return 0;
        d = (s[8] - '0') * 10 + (s[9] - '0');
        if (d < 1 || d > days_in_month(y, m))
            return 0;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    if (day_num)
        *day_num = (int32_t)(y * 10000 + m * 100 + d);
    return 1;
}

eaf_status eaf_article_set(eaf_article *a, eaf_field field, const char *value,
                           size_t len)
{
    char *v;
    char date[11];

    if (!a || (unsigned)field >= EAF_FIELD_LAST)
        return EAF_MISUSE;
    a->hash_known = 0;
    if (a->prep && (field == EAF_FIELD_TITLE || field == EAF_FIELD_SUMMARY ||
                    field == EAF_FIELD_BODY || field == EAF_FIELD_BIO)) {
        /* made for the old text, they would never be used */
        eaf__prep_text_free_all(a->prep);
        a->prep = NULL;
    }
    if (!value) {
        if (field == EAF_FIELD_KEY)
            return EAF_SYNTAX;
        eaf__free(a->field[field]);
        a->field[field] = NULL;
        return EAF_OK;
    }
    if (len == EAF_NTS)
        len = strlen(value);
    if (field == EAF_FIELD_DATE) {
        if (!eaf__date_parse(value, len, date, NULL))
            return EAF_SYNTAX;
        v = eaf__strdup(date);
    } else if (field == EAF_FIELD_KEY || field == EAF_FIELD_URL ||
               field == EAF_FIELD_TITLE || field == EAF_FIELD_LANGUAGE) {
        /* one-line fields: white space collapsed */
        char *clean = eaf__utf8_clean(value, len);
        eaf__buf b = EAF__BUF_INIT;

        if (!clean)
            return EAF_NOMEM;
        eaf__buf_put_squeezed(&b, clean, strlen(clean));
        eaf__free(clean);
        if (b.rc != EAF_OK)
            return EAF_NOMEM;
        if (b.n == 0 && field == EAF_FIELD_KEY) {
            eaf__buf_free(&b);
            return EAF_SYNTAX;
        }
        v = b.p ? eaf__buf_detach(&b) : eaf__strdup("");
    } else {
        v = eaf__utf8_clean(value, len);
    }
    if (!v)
        return EAF_NOMEM;
    eaf__free(a->field[field]);
    a->field[field] = v;
    return EAF_OK;
}

const char *eaf_article_get(const eaf_article *a, eaf_field field)
{
    if (!a || (unsigned)field >= EAF_FIELD_LAST)
        return NULL;
    return a->field[field];
}

/* A cleaned, one-line copy of s; NULL when out of memory.  *empty is set
 * when nothing but white space was given. */
static char *one_line(const char *s, int *empty)
{
    char *clean = eaf__utf8_clean(s, strlen(s));
    eaf__buf b = EAF__BUF_INIT;

    if (!clean)
        return NULL;
    eaf__buf_put_squeezed(&b, clean, strlen(clean));
    eaf__free(clean);
    if (b.rc != EAF_OK)
        return NULL;
    *empty = b.n == 0;
    if (*empty) {
        eaf__buf_free(&b);
        return eaf__strdup("");
    }
    return eaf__buf_detach(&b);
}

eaf_status eaf_article_add_author(eaf_article *a, const char *name,
                                  const char *affiliation)
{
    int empty = 0, aff_empty = 0;
    char *n = NULL, *af = NULL;

    if (!a || !name)
        return EAF_MISUSE;
    a->hash_known = 0;
    n = one_line(name, &empty);
    if (!n)
        return EAF_NOMEM;
    if (empty) {
        eaf__free(n);
        return EAF_SYNTAX;
    }
    if (affiliation) {
        af = one_line(affiliation, &aff_empty);
        if (!af) {
            eaf__free(n);
            return EAF_NOMEM;
        }
        if (aff_empty) {
            eaf__free(af);
            af = NULL;
        }
    }
    /* Grow both vectors first so that the pair is added or neither is. */
    if (eaf__strvec_push(&a->author_name, n) != EAF_OK) {
        eaf__free(n);
        eaf__free(af);
        return EAF_NOMEM;
    }
    if (eaf__strvec_push(&a->author_aff, af) != EAF_OK) {
        a->author_name.n--;
        eaf__free(n);
        eaf__free(af);
        return EAF_NOMEM;
    }
    return EAF_OK;
}

size_t eaf_article_author_count(const eaf_article *a)
{
    return a ? a->author_name.n : 0;
}

const char *eaf_article_author_name(const eaf_article *a, size_t i)
{
    return a && i < a->author_name.n ? a->author_name.v[i] : NULL;
}

const char *eaf_article_author_affiliation(const eaf_article *a, size_t i)
{
    return a && i < a->author_aff.n ? a->author_aff.v[i] : NULL;
}

static eaf_status add_unique(eaf__strvec *sv, const char *value)
{
    int empty = 0, repeat = 0;
    size_t i;
    char *norm, *v = one_line(value, &empty);

    if (!v)
        return EAF_NOMEM;
    if (empty) {
        eaf__free(v);
        return EAF_SYNTAX;
    }
    /* the same value ignoring case, accents and punctuation is a repeat */
    norm = eaf__fold_value(v, strlen(v));
    if (!norm) {
        eaf__free(v);
        return EAF_NOMEM;
    }
    for (i = 0; i < sv->n && !repeat; i++) {
        char *other = eaf__fold_value(sv->v[i], strlen(sv->v[i]));
        if (!other) {
            eaf__free(norm);
            eaf__free(v);
            return EAF_NOMEM;
        }
        repeat = *norm ? strcmp(norm, other) == 0 : strcmp(sv->v[i], v) == 0;
        eaf__free(other);
    }
    eaf__free(norm);
    if (repeat) {
        eaf__free(v);
        return EAF_OK;
    }
    if (eaf__strvec_push(sv, v) != EAF_OK) {
        eaf__free(v);
        return EAF_NOMEM;
    }
    return EAF_OK;
}

eaf_status eaf_article_add_tag(eaf_article *a, eaf_tag_kind kind,
                               const char *value)
{
    if (!a || !value || (unsigned)kind >= EAF_TAG_LAST)
        return EAF_MISUSE;
    a->hash_known = 0;
    return add_unique(&a->tag[kind], value);
}

size_t eaf_article_tag_count(const eaf_article *a, eaf_tag_kind kind)
{
    if (!a || (unsigned)kind >= EAF_TAG_LAST)
        return 0;
    return a->tag[kind].n;
}

const char *eaf_article_tag(const eaf_article *a, eaf_tag_kind kind, size_t i)
{
    if (!a || (unsigned)kind >= EAF_TAG_LAST || i >= a->tag[kind].n)
        return NULL;
    return a->tag[kind].v[i];
}

eaf_status eaf_article_add_related_title(eaf_article *a, const char *title)
{
    int empty = 0;
    char *v;

    if (!a || !title)
        return EAF_MISUSE;
    a->hash_known = 0;
    v = one_line(title, &empty);
    if (!v)
        return EAF_NOMEM;
    if (empty) {
        eaf__free(v);
        return EAF_SYNTAX;
    }
    if (eaf__strvec_push(&a->related, v) != EAF_OK) {
        eaf__free(v);
        return EAF_NOMEM;
    }
    return EAF_OK;
}

size_t eaf_article_related_title_count(const eaf_article *a)
{
    return a ? a->related.n : 0;
}

const char *eaf_article_related_title(const eaf_article *a, size_t i)
{
    return a && i < a->related.n ? a->related.v[i] : NULL;
}

/* ---- content hash -------------------------------------------------------- */

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME  UINT64_C(1099511628211)

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* Each value is framed by a tag byte and its length so that moving text
 * between fields changes the hash. */
static uint64_t hash_str(uint64_t h, char tag, const char *s)
{
    char frame[1 + sizeof(uint64_t)];
    uint64_t n = s ? (uint64_t)strlen(s) + 1 : 0;
    unsigned i;

    frame[0] = tag;
    for (i = 0; i < sizeof(uint64_t); i++)
        frame[1 + i] = (char)((n >> (8 * i)) & 0xFF);
    h = fnv(h, frame, sizeof(frame));
    return s ? fnv(h, s, (size_t)(n - 1)) : h;
}

static uint64_t article_hash(const eaf_article *a)
{
    uint64_t h = FNV_OFFSET;
    size_t i;
    int f, k;

    for (f = 0; f < EAF_FIELD_LAST; f++)
        h = hash_str(h, (char)('a' + f), a->field[f]);
    for (i = 0; i < a->author_name.n; i++) {
        h = hash_str(h, 'N', a->author_name.v[i]);
        h = hash_str(h, 'F', a->author_aff.v[i]);
    }
    for (k = 0; k < EAF_TAG_LAST; k++)
        for (i = 0; i < a->tag[k].n; i++)
            h = hash_str(h, (char)('0' + k), a->tag[k].v[i]);
    for (i = 0; i < a->related.n; i++)
        h = hash_str(h, 'R', a->related.v[i]);
    return h;
}

uint64_t eaf__article_hash(const eaf_article *a)
{
    return a->hash_known ? a->hash : article_hash(a);
}

void eaf__article_keep_hash(eaf_article *a)
{
    a->hash = article_hash(a);
    a->hash_known = 1;
}
