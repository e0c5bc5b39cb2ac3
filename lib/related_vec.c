/*
 * related_vec.c: the parts of the related-article ranker that every path
 * shares: the options, which terms may be in a vector and what they weigh,
 * counting the terms of a text, making, storing and reading vectors, and
 * the final ranking of candidates (parts of the score, duplicates).
 *
 * No SQL here: the model (related_model*.c) and the lists (related*.c) read
 * the index.
 */
#include "related_vec.h"
#include "lexicon.h"
#include "options.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const int eaf__rel_facet_kind[EAF__META_KINDS] = {EAF_TAG_TOPIC, EAF_TAG_COUNTRY,
                                                  EAF_TAG_OTHER, EAF__FACET_AUTHOR};

/* ---- options ------------------------------------------------------------------ */

void eaf__rel_opts_library(eaf__rel_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->count = EAF_RELATED_DEFAULT_COUNT;
    o->terms = EAF_RELATED_DEFAULT_TERMS;
    o->title_weight = EAF_RELATED_DEFAULT_TITLE_WEIGHT;
    o->max_share = EAF_RELATED_DEFAULT_MAX_SHARE;
    o->meta[0] = EAF_RELATED_DEFAULT_TOPIC_WEIGHT;
    o->meta[1] = EAF_RELATED_DEFAULT_COUNTRY_WEIGHT;
    o->meta[2] = EAF_RELATED_DEFAULT_TAG_WEIGHT;
    o->meta[3] = EAF_RELATED_DEFAULT_AUTHOR_WEIGHT;
    o->half_life = EAF_RELATED_DEFAULT_HALF_LIFE_DAYS;
    o->duplicate = EAF_RELATED_DEFAULT_DUPLICATE;
    o->idf_power = EAF_RELATED_DEFAULT_IDF_POWER;
    o->neighbours = EAF_RELATED_DEFAULT_NEIGHBOURS;
    o->nweight = EAF_RELATED_DEFAULT_NEIGHBOUR_WEIGHT;
}

/* A weight of the options: 0 takes the default, below 0 means none. */
static double weight_or(double given, double dflt)
{
    return given > 0.0 ? given : given < 0.0 ? 0.0 : dflt;
}

eaf_status eaf__rel_opts_init(eaf__rel_opts *o, eaf_db *db, const eaf_related_options *in,
                              const eaf__rel_opts *base)
{
    eaf_related_options d = EAF_RELATED_OPTIONS_INIT;
    char msg[128];
    eaf__rel_opts b, lib;
    double meta[EAF__META_KINDS];
    int k;

    if (eaf__options_read(&d, in, &eaf__related_options_layout, msg, sizeof(msg)) != EAF_OK)
        return eaf__db_error(db, EAF_MISUSE, "%s", msg);
    if (d.flags & ~(EAF_RELATED_EARLIER | EAF_RELATED_TEXT_ONLY | EAF_RELATED_COMPUTE |
                    EAF_RELATED_LIBRARY_DEFAULTS))
        return eaf__db_error(db, EAF_MISUSE, "unknown related flags 0x%x", d.flags);
    if (d.count > EAF__REL_MAX_COUNT)
        return eaf__db_error(db, EAF_MISUSE, "at most %d related articles, not %u",
                             EAF__REL_MAX_COUNT, d.count);
    if (d.terms > EAF__REL_MAX_TERMS)
        return eaf__db_error(db, EAF_MISUSE, "at most %d terms per article, not %u",
                             EAF__REL_MAX_TERMS, d.terms);
    if (!(d.title_weight >= 0.0 && d.title_weight <= 100.0))
        return eaf__db_error(db, EAF_MISUSE, "the title weight must be from 0 to 100");
    if (!(d.max_share >= 0.0 && d.max_share <= 1.0))
        return eaf__db_error(db, EAF_MISUSE, "the share of articles must be from 0 to 1");
    if (!(d.recency <= 1.0) || !(d.duplicate >= 0.0 && d.duplicate <= 1.0))
        return eaf__db_error(db, EAF_MISUSE,
                             "recency and the duplicate similarity must be at most 1");
    if (!(d.idf_power <= 2.0) || isnan(d.idf_power))
        return eaf__db_error(db, EAF_MISUSE, "the idf power must be at most 2");
    if (d.neighbours > EAF__REL_MAX_NEIGHBOURS)
        return eaf__db_error(db, EAF_MISUSE, "at most %d neighbours, not %u",
                             EAF__REL_MAX_NEIGHBOURS, d.neighbours);
    if (!(d.neighbour_weight <= 10.0) || isnan(d.neighbour_weight))
        return eaf__db_error(db, EAF_MISUSE, "the neighbours' weight must be at most 10");
    meta[0] = d.topic_weight;
    meta[1] = d.country_weight;
    meta[2] = d.tag_weight;
    meta[3] = d.author_weight;
    for (k = 0; k < EAF__META_KINDS; k++)
        if (!(meta[k] <= 100.0))
            return eaf__db_error(db, EAF_MISUSE, "a metadata weight must be at most 100");
    /* what a field left 0 takes: the index's defaults, or the library's */
    eaf__rel_opts_library(&lib);
    b = base && !(d.flags & EAF_RELATED_LIBRARY_DEFAULTS) ? *base : lib;
    memset(o, 0, sizeof(*o));
    for (k = 0; k < EAF__META_KINDS; k++)
        o->meta[k] = (d.flags & EAF_RELATED_TEXT_ONLY) ? 0.0 : weight_or(meta[k], b.meta[k]);
    o->flags = (d.flags | b.flags) & EAF_RELATED_EARLIER;
    o->count = d.count ? d.count : b.count;
    o->terms = d.terms ? d.terms : b.terms;
    o->title_weight = d.title_weight > 0.0 ? d.title_weight : b.title_weight;
    o->max_share = d.max_share > 0.0 ? d.max_share : b.max_share;
    o->recency = weight_or(d.recency, b.recency);
    o->half_life = d.half_life_days ? d.half_life_days : b.half_life;
    o->duplicate = d.duplicate > 0.0 ? d.duplicate : b.duplicate;
    o->idf_power = weight_or(d.idf_power, b.idf_power);
    /* neighbours asked for with no weight where the defaults have none
     * (or the reverse) take the library's */
    o->nweight = weight_or(d.neighbour_weight,
                           d.neighbours && b.nweight == 0.0 ? lib.nweight : b.nweight);
    o->neighbours = d.neighbours ? d.neighbours : b.neighbours ? b.neighbours : lib.neighbours;
    if (o->nweight == 0.0)
        o->neighbours = 0;
    return EAF_OK;
}

void eaf__rel_opts_public(eaf_related_options *out, const eaf__rel_opts *o)
{
    eaf_related_options d = EAF_RELATED_OPTIONS_INIT;

    /* every field given (0 would mean "the default": none is below 0) */
    d.flags = EAF_RELATED_LIBRARY_DEFAULTS | (o->flags & EAF_RELATED_EARLIER);
    d.count = o->count;
    d.terms = o->terms;
    d.title_weight = o->title_weight;
    d.max_share = o->max_share;
    d.topic_weight = o->meta[0] > 0.0 ? o->meta[0] : -1.0;
    d.country_weight = o->meta[1] > 0.0 ? o->meta[1] : -1.0;
    d.tag_weight = o->meta[2] > 0.0 ? o->meta[2] : -1.0;
    d.author_weight = o->meta[3] > 0.0 ? o->meta[3] : -1.0;
    d.recency = o->recency > 0.0 ? o->recency : -1.0;
    d.half_life_days = o->half_life;
    d.duplicate = o->duplicate;
    d.idf_power = o->idf_power > 0.0 ? o->idf_power : -1.0;
    d.neighbours = o->nweight > 0.0 ? o->neighbours : 0;
    d.neighbour_weight = o->nweight > 0.0 ? o->nweight : -1.0;
    *out = d;
}

uint32_t eaf__rel_candidates(const eaf__rel_opts *o)
{
    return o->count * 10 < 50 ? 50 : o->count * 10;
}

#define OPTS_FORMAT \
    "count=%u terms=%u title=%.17g share=%.17g topic=%.17g country=%.17g tag=%.17g " \
    "author=%.17g recency=%.17g half_life=%u duplicate=%.17g earlier=%d idf=%.17g " \
    "neighbours=%u neighbour_weight=%.17g"

char *eaf__rel_opts_string(const eaf__rel_opts *o)
{
    return eaf__printf(OPTS_FORMAT, o->count, o->terms, o->title_weight, o->max_share,
                       o->meta[0], o->meta[1], o->meta[2], o->meta[3], o->recency,
                       o->half_life, o->duplicate, (o->flags & EAF_RELATED_EARLIER) != 0,
                       o->idf_power, o->neighbours, o->nweight);
}

int eaf__rel_opts_parse(eaf__rel_opts *o, const char *s)
{
    int earlier = 0, used = 0;

    memset(o, 0, sizeof(*o));
    if (!s || sscanf(s,
                     "count=%u terms=%u title=%lg share=%lg topic=%lg country=%lg tag=%lg "
                     "author=%lg recency=%lg half_life=%u duplicate=%lg earlier=%d idf=%lg "
                     "neighbours=%u neighbour_weight=%lg%n",
                     &o->count, &o->terms, &o->title_weight, &o->max_share, &o->meta[0],
                     &o->meta[1], &o->meta[2], &o->meta[3], &o->recency, &o->half_life,
                     &o->duplicate, &earlier, &o->idf_power, &o->neighbours, &o->nweight,
                     &used) != 15 ||
        s[used] != '\0')
        return 0;
    if (o->count < 1 || o->count > EAF__REL_MAX_COUNT || o->terms < 1 ||
        o->terms > EAF__REL_MAX_TERMS || !(o->title_weight > 0.0) || !(o->max_share > 0.0) ||
        o->half_life < 1 || !(o->idf_power >= 0.0 && o->idf_power <= 2.0) ||
        o->neighbours > EAF__REL_MAX_NEIGHBOURS || !(o->nweight >= 0.0 && o->nweight <= 10.0) ||
        (o->neighbours > 0) != (o->nweight > 0.0))
        return 0;
    o->flags = earlier ? EAF_RELATED_EARLIER : 0;
    return 1;
}

int eaf__rel_opts_equal(const eaf__rel_opts *a, const eaf__rel_opts *b)
{
    return a->count == b->count && eaf__rel_opts_serve(a, b);
}

int eaf__rel_opts_same_vectors(const eaf__rel_opts *a, const eaf__rel_opts *b)
{
    return a->terms == b->terms && a->title_weight == b->title_weight &&
           a->max_share == b->max_share && a->idf_power == b->idf_power;
}

int eaf__rel_opts_serve(const eaf__rel_opts *stored, const eaf__rel_opts *want)
{
    int k;

    if (!eaf__rel_opts_same_vectors(stored, want) || want->count > stored->count ||
        stored->flags != want->flags || stored->recency != want->recency ||
        stored->half_life != want->half_life || stored->duplicate != want->duplicate ||
        stored->neighbours != want->neighbours || stored->nweight != want->nweight)
        return 0;
    for (k = 0; k < EAF__META_KINDS; k++)
        if (stored->meta[k] != want->meta[k])
            return 0;
    return 1;
}

/* ---- terms ---------------------------------------------------------------------- */

typedef struct stem_collect {
    eaf__rel_stops *s;
    int nomem;
} stem_collect;

static int collect_stem(void *ctx, const char *tok, int ntok, int start, int end)
{
    stem_collect *c = ctx;
    char *d, **v;

    (void)start;
    (void)end;
    v = eaf__realloc(c->s->v, (c->s->n + 1) * sizeof(*v));
    d = v ? eaf__strndup(tok, (size_t)ntok) : NULL;
    if (v)
        c->s->v = v;
    if (!d) {
        c->nomem = 1;
        return 1;
    }
    c->s->v[c->s->n++] = d;
    return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

eaf_status eaf__rel_stops_init(eaf__rel_stops *s, const char *language)
{
    eaf__tokenizer *t = NULL;
    const char *const *words;
    stem_collect c;
    size_t n, i, k;

    s->v = NULL;
    s->n = 0;
    words = eaf__stopwords(language, &n);
    if (!n)
        return EAF_OK;
    if (eaf__tokenizer_new(&t, language) != EAF_OK)
        return EAF_NOMEM;
    c.s = s;
    c.nomem = 0;
    for (i = 0; i < n && !c.nomem; i++)
        if (eaf__tokenize(t, EAF__TOK_DOC, words[i], strlen(words[i]), collect_stem, &c) < 0)
            c.nomem = 1;
    eaf__tokenizer_free(t);
    if (c.nomem) {
        eaf__rel_stops_free(s);
        return EAF_NOMEM;
    }
    qsort(s->v, s->n, sizeof(*s->v), cmp_cstr);
    for (i = 0, k = 0; i < s->n; i++) {
        if (k > 0 && strcmp(s->v[k - 1], s->v[i]) == 0)
            eaf__free(s->v[i]);
        else
            s->v[k++] = s->v[i];
    }
    s->n = k;
    return EAF_OK;
}

void eaf__rel_stops_free(eaf__rel_stops *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        eaf__free(s->v[i]);
    eaf__free(s->v);
    s->v = NULL;
    s->n = 0;
}

int eaf__rel_term_ok(const eaf__rel_stops *s, const char *t, size_t n)
{
    size_t i, lo, hi, digits = 0;
    int letter = 0;

    if (n < 2)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            letter = 1;
        else if (c >= '0' && c <= '9')
            digits++;
    }
    if (!letter && !(digits == 4 && n == 4))
        return 0;
    lo = 0;
    hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(s->v[mid], t, n);
        if (c == 0 && s->v[mid][n] != '\0')
            c = 1;
        if (c == 0)
            return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 1;
}

double eaf__rel_idf(uint32_t df, uint32_t n, double power)
{
    double idf = log((double)n / (double)df);

    if (idf <= 0.0)
        return 0.0;
    return power == 1.0 ? idf : power == 0.5 ? sqrt(idf) : pow(idf, power);
}

double eaf__rel_weight(double tfw, double idf)
{
    double tf = tfw >= 1.0 ? 1.0 + log(tfw) : tfw;

    return tf * idf;
}

uint64_t eaf__rel_term_hash(const char *t, size_t n)
{
    uint64_t h = UINT64_C(14695981039346656037);
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)t[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

uint64_t eaf__rel_token_hash(uint64_t h, uint32_t position)
{
    h ^= (uint64_t)position * UINT64_C(0x9E3779B97F4A7C15);
    /* splitmix64's finaliser */
    h ^= h >> 30;
    h *= UINT64_C(0xBF58476D1CE4E5B9);
    h ^= h >> 27;
    h *= UINT64_C(0x94D049BB133111EB);
    h ^= h >> 31;
    return h;
}

/* ---- vectors -------------------------------------------------------------------- */

static int cmp_pair_weight(const void *a, const void *b)
{
    const eaf__rel_pair *x = a, *y = b;

    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

static int cmp_pair_term(const void *a, const void *b)
{
    const eaf__rel_pair *x = a, *y = b;

    return x->term < y->term ? -1 : x->term > y->term;
}

static void swap_pairs(eaf__rel_pair *a, eaf__rel_pair *b)
{
    eaf__rel_pair t = *a;

    *a = *b;
    *b = t;
}

/* Puts the k best pairs of p[0..n) (cmp_pair_weight, a total order) in
 * p[0..k), in any order: quickselect, the pivot a median of three. */
static void select_best(eaf__rel_pair *p, uint32_t n, uint32_t k)
{
    uint32_t lo = 0, hi = n;

    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2, i, store;
        /* the median of the first, middle and last as the pivot, at hi - 1 */
        if (cmp_pair_weight(&p[mid], &p[lo]) < 0)
            swap_pairs(&p[mid], &p[lo]);
        if (cmp_pair_weight(&p[hi - 1], &p[lo]) < 0)
            swap_pairs(&p[hi - 1], &p[lo]);
        if (cmp_pair_weight(&p[mid], &p[hi - 1]) < 0)
            swap_pairs(&p[mid], &p[hi - 1]);
        for (i = store = lo; i < hi - 1; i++)
            if (cmp_pair_weight(&p[i], &p[hi - 1]) < 0)
                swap_pairs(&p[i], &p[store++]);
        swap_pairs(&p[store], &p[hi - 1]);
        if (store == k || store + 1 == k)
            return;
        if (store > k)
            hi = store;
        else
            lo = store + 1;
    }
}

uint32_t eaf__rel_finish(eaf__rel_pair *p, uint32_t n, uint32_t k)
{
    double norm = 0.0;
    uint32_t i, kept = 0;

    /* the best k by weight, in order (only they are sorted: an article has
     * hundreds of terms, and a list on demand finishes a hundred vectors) */
    if (n > k) {
        select_best(p, n, k);
        n = k;
    }
    qsort(p, n, sizeof(*p), cmp_pair_weight);
    for (i = 0; i < n; i++)
        norm += (double)p[i].w * (double)p[i].w;
    if (norm <= 0.0)
        return 0;
    norm = sqrt(norm);
    for (i = 0; i < n; i++) {
        long q = lrint((double)p[i].w / norm * EAF__REL_QUANT);
        if (q <= 0)
            continue;
        if (q > (long)EAF__REL_QUANT)
            q = (long)EAF__REL_QUANT;
        p[kept].term = p[i].term;
        p[kept].w = (float)q / EAF__REL_QUANT;
        kept++;
    }
    qsort(p, kept, sizeof(*p), cmp_pair_term);
    return kept;
}

size_t eaf__rel_encode(unsigned char *out, const eaf__rel_pair *p, uint32_t n)
{
    size_t o = 0;
    uint32_t i, prev = 0, v;

    for (v = n; v >= 0x80; v >>= 7)
        out[o++] = (unsigned char)(v | 0x80);
    out[o++] = (unsigned char)v;
    for (i = 0; i < n; i++) {
        for (v = p[i].term - prev; v >= 0x80; v >>= 7)
            out[o++] = (unsigned char)(v | 0x80);
        out[o++] = (unsigned char)v;
        prev = p[i].term;
    }
    for (i = 0; i < n; i++) {
        long q = lrint((double)p[i].w * EAF__REL_QUANT);
        out[o++] = (unsigned char)(q & 0xFF);
        out[o++] = (unsigned char)(q >> 8);
    }
    return o;
}

/* Reads a varint at b[*o] (nb bytes); -1 when it runs off the end. */
static int64_t read_varint(const unsigned char *b, size_t nb, size_t *o)
{
    uint64_t v = 0;
    int shift = 0;

    while (*o < nb && shift < 35) {
        unsigned char c = b[(*o)++];
        v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80))
            return v > UINT32_MAX ? -1 : (int64_t)v;
        shift += 7;
    }
    return -1;
}

int eaf__rel_decode(const unsigned char *b, size_t nb, eaf__rel_pair *p, uint32_t max)
{
    size_t o = 0;
    int64_t n = read_varint(b, nb, &o), d;
    uint32_t i, prev = 0;

    if (n < 0 || n > max)
        return -1;
    for (i = 0; i < (uint32_t)n; i++) {
        d = read_varint(b, nb, &o);
        if (d < 0 || (i > 0 && d == 0) || (uint64_t)prev + (uint64_t)d > UINT32_MAX)
            return -1;
        prev += (uint32_t)d;
        p[i].term = prev;
    }
    if (nb - o != (size_t)n * 2)
        return -1;
    for (i = 0; i < (uint32_t)n; i++, o += 2)
        p[i].w = (float)(b[o] | (b[o + 1] << 8)) / EAF__REL_QUANT;
    return (int)n;
}

/* ---- counting the terms of a text ---------------------------------------------- */

int eaf__rel_arena_put(char **arena, size_t *len, size_t *cap, size_t first, const char *t,
                       size_t n, size_t *off)
{
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap * 2 : first;
        char *a;
        while (c < *len + n + 1)
            c *= 2;
        a = eaf__realloc(*arena, c);
        if (!a)
            return -1;
        *arena = a;
        *cap = c;
    }
    memcpy(*arena + *len, t, n);
    (*arena)[*len + n] = '\0';
    *off = *len;
    *len += n + 1;
    return 0;
}

typedef struct count_ctx {
    eaf__rel_counts *c;
    double weight;
    int body;
    uint32_t position;
} count_ctx;

static int grow_table(eaf__rel_counts *c)
{
    size_t slots = c->slots ? c->slots * 2 : 256, i, j;
    uint32_t *slot = eaf__calloc(slots, sizeof(*slot));

    if (!slot)
        return -1;
    for (i = 0; i < c->n; i++) {
        const char *s = c->arena + c->off[i];
        j = eaf__hash_bytes(s, strlen(s)) & (slots - 1);
        while (slot[j])
            j = (j + 1) & (slots - 1);
        slot[j] = (uint32_t)i + 1;
    }
    eaf__free(c->slot);
    c->slot = slot;
    c->slots = slots;
    return 0;
}

static int count_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    count_ctx *x = ctx;
    eaf__rel_counts *c = x->c;
    size_t n = (size_t)ntok, j;

    (void)start;
    (void)end;
    c->length++;
    if (x->body)
        c->hash += eaf__rel_token_hash(eaf__rel_term_hash(tok, n), x->position);
    x->position++;
    if ((c->n + 1) * 2 > c->slots && grow_table(c) < 0)
        goto nomem;
    for (j = eaf__hash_bytes(tok, n) & (c->slots - 1); c->slot[j]; j = (j + 1) & (c->slots - 1)) {
        size_t i = c->slot[j] - 1;
        const char *s = c->arena + c->off[i];
        if (strncmp(s, tok, n) == 0 && s[n] == '\0') {
            c->tfw[i] += x->weight;
            return 0;
        }
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 128;
        size_t *off = eaf__realloc(c->off, cap * sizeof(*off));
        double *tfw;
        if (!off)
            goto nomem;
        c->off = off;
        tfw = eaf__realloc(c->tfw, cap * sizeof(*tfw));
        if (!tfw)
            goto nomem;
        c->tfw = tfw;
        c->cap = cap;
    }
    if (eaf__rel_arena_put(&c->arena, &c->arena_n, &c->arena_cap, 4096, tok, n, &c->off[c->n]) <
        0)
        goto nomem;
    c->tfw[c->n] = x->weight;
    c->slot[j] = (uint32_t)++c->n;
    return 0;
nomem:
    c->nomem = 1;
    return 1;
}

/*
 * The title's weight adapts to the article's length.  A title term counts
 * title_weight body terms in an article of TITLE_FULL bytes of text
 * (summary and body, about a hundred words) or more; in a shorter one,
 * less, down to 1 (as a body term) in an article of a title alone: a title
 * of eight words counting three times over a lead of twenty made the title
 * half of the vector, and the short stories whose titles share a word (a
 * name, "profits") each other's nearest.  Text alone, against title_weight
 * 3 throughout: bbc cut to its first paragraph 0.742 to 0.794, to its first
 * 60 words 0.855 to 0.866, 18F's summaries 0.604 to 0.609, the full texts
 * of bbc and 18f_blog as before (longer than TITLE_FULL); enwiki's sample
 * 0.593 to 0.577 (a section's title holds its article's title, which is
 * what it is scored by; still far above Xapian's 0.477).  1200 bytes gave
 * the same mean over the six sets and lowered enwiki's more (0.562), 300
 * left the 60-word stories alone.  Bytes, not words, so that every path
 * (the batch, from the index; a list on demand, from the text) gives an
 * article the same weight without tokenizing it twice.
 */
#define TITLE_FULL 600.0

double eaf__rel_title_weight(double title_weight, size_t text_bytes)
{
    double share;

    if (title_weight <= 1.0)
        return title_weight;
    share = (double)text_bytes / TITLE_FULL;
    return share >= 1.0 ? title_weight : 1.0 + (title_weight - 1.0) * share;
}

eaf_status eaf__rel_count_text(eaf__rel_counts *c, eaf__tokenizer *t, double title_weight,
                               const char *title, const char *summary, const char *body)
{
    const char *field[3];
    double weight[3];
    count_ctx x;
    int i;

    memset(c, 0, sizeof(*c));
    field[0] = title;
    field[1] = summary;
    field[2] = body;
    weight[0] = eaf__rel_title_weight(title_weight, (summary ? strlen(summary) : 0) +
                                                        (body ? strlen(body) : 0));
    weight[1] = weight[2] = 1.0;
    x.c = c;
    /* in the order of the FTS5 columns: title, summary, body */
    for (i = 0; i < 3 && !c->nomem; i++) {
        if (!field[i])
            continue;
        x.weight = weight[i];
        x.body = i == 2;
        x.position = 0;
        if (eaf__tokenize(t, EAF__TOK_DOC, field[i], strlen(field[i]), count_token, &x) < 0)
            c->nomem = 1;
    }
    if (c->nomem) {
        eaf__rel_counts_free(c);
        return EAF_NOMEM;
    }
    return EAF_OK;
}

void eaf__rel_counts_free(eaf__rel_counts *c)
{
    eaf__free(c->arena);
    eaf__free(c->off);
    eaf__free(c->tfw);
    eaf__free(c->slot);
    memset(c, 0, sizeof(*c));
}

eaf_status eaf__rel_vector(eaf__rel_pair **out, uint32_t *nout, const eaf__rel_counts *c,
                           uint32_t terms, double idf_power, uint32_t n,
                           eaf__rel_lookup_fn lookup, void *ctx)
{
    eaf__rel_pair *p;
    uint32_t k = 0, id, df;
    size_t i;

    *out = NULL;
    *nout = 0;
    p = eaf__malloc((c->n ? c->n : 1) * sizeof(*p));
    if (!p)
        return EAF_NOMEM;
    for (i = 0; i < c->n; i++) {
        const char *t = c->arena + c->off[i];
        int r = lookup(ctx, t, strlen(t), &id, &df);
        if (r < 0) {
            eaf__free(p);
            return EAF_ERROR;
        }
        if (r == 0 || df < 1 || df > n)
            continue;
        p[k].term = id;
        p[k].w = (float)eaf__rel_weight(c->tfw[i], eaf__rel_idf(df, n, idf_power));
        k++;
    }
    *nout = eaf__rel_finish(p, k, terms);
    *out = p;
    return EAF_OK;
}

/* ---- the final ranking ---------------------------------------------------------- */

int32_t eaf__rel_day(int32_t ymd)
{
    int32_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100, era, yoe, doy, doe;

    if (ymd <= 0)
        return EAF__REL_NO_DAY;
    if (m < 1 || m > 12)
        m = 1;
    if (d < 1 || d > 31)
        d = 1;
    /* days from 1970-01-01 in the proleptic Gregorian calendar */
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

double eaf__rel_dot(const eaf__rel_doc *a, const eaf__rel_doc *b)
{
    uint32_t i = 0, j = 0;
    double s = 0.0;

    if (a->dense) {
        for (j = 0; j < b->n; j++) {
            float w = a->dense[b->v[j].term];
            if (w != 0.0f)
                s += (double)w * (double)b->v[j].w;
        }
        return s;
    }
    while (i < a->n && j < b->n) {
        if (a->v[i].term < b->v[j].term)
            i++;
        else if (a->v[i].term > b->v[j].term)
            j++;
        else
            s += (double)a->v[i++].w * (double)b->v[j++].w;
    }
    return s;
}

void eaf__rel_doc_norms(eaf__rel_doc *d, const eaf__rel_values *v)
{
    uint32_t i;
    int k;

    for (k = 0; k < EAF__META_KINDS; k++)
        d->vnorm[k] = 0.0;
    for (i = 0; i < d->nval; i++) {
        double f = v->idf[d->val[i]];
        d->vnorm[v->kind[d->val[i]]] += f * f;
    }
    for (k = 0; k < EAF__META_KINDS; k++)
        d->vnorm[k] = sqrt(d->vnorm[k]);
}

int eaf__rel_allowed(const eaf__rel_doc *src, const eaf__rel_doc *c, const eaf__rel_opts *o)
{
    if (c->id == src->id)
        return 0;
    if ((o->flags & EAF_RELATED_EARLIER) && src->ymd > 0 && (c->ymd <= 0 || c->ymd > src->ymd))
        return 0;
    return 1;
}

/* The score of a hit from its parts. */
static double combine(const eaf__rel_hit *h, const eaf__rel_opts *o)
{
    double s = h->text;
    int k;

    for (k = 0; k < EAF__META_KINDS; k++)
        s += o->meta[k] * h->meta[k];
    return s * h->factor;
}

void eaf__rel_score(eaf__rel_hit *h, const eaf__rel_doc *src, const eaf__rel_doc *c,
                    const eaf__rel_values *v, const eaf__rel_opts *o, int32_t newest)
{
    double shared[EAF__META_KINDS] = {0.0, 0.0, 0.0, 0.0};
    uint32_t i = 0, j = 0;
    int k;

    h->id = c->id;
    h->cosine = h->text = eaf__rel_dot(src, c);
    while (i < src->nval && j < c->nval) {
        if (src->val[i] < c->val[j]) {
            i++;
        } else if (src->val[i] > c->val[j]) {
            j++;
        } else {
            double f = v->idf[src->val[i]];
            shared[v->kind[src->val[i]]] += f * f;
            i++;
            j++;
        }
    }
    for (k = 0; k < EAF__META_KINDS; k++) {
        double d = src->vnorm[k] * c->vnorm[k];
        h->meta[k] = d > 0.0 ? shared[k] / d : 0.0;
        if (h->meta[k] > 1.0)
            h->meta[k] = 1.0;
    }
    h->factor = 1.0;
    if (o->recency > 0.0) {
        if (c->day == EAF__REL_NO_DAY || newest == EAF__REL_NO_DAY) {
            h->factor = 1.0 - o->recency;
        } else {
            double age = (double)newest - (double)c->day;
            if (age < 0.0)
                age = 0.0;
            h->factor = 1.0 - o->recency + o->recency * exp2(-age / (double)o->half_life);
        }
    }
    h->score = combine(h, o);
}

static int cmp_hit(const void *a, const void *b)
{
    const eaf__rel_hit *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Is candidate d the source's own text (a twin or a near twin)? */
static int source_text(const eaf__rel_doc *src, const eaf__rel_doc *d, const eaf__rel_hit *h,
                       const eaf__rel_opts *o)
{
    return (src->hash && d->hash == src->hash) || h->cosine >= o->duplicate;
}

/* out = a + b, two vectors sorted by term id; the weights of a term in
 * both are added a's first.  Returns the length of out. */
static uint32_t merge_add(eaf__rel_pair *out, const eaf__rel_pair *a, uint32_t na,
                          const eaf__rel_pair *b, uint32_t nb)
{
    uint32_t i = 0, j = 0, n = 0;

    while (i < na || j < nb) {
        if (j == nb || (i < na && a[i].term < b[j].term)) {
            out[n++] = a[i++];
        } else if (i == na || b[j].term < a[i].term) {
            out[n++] = b[j++];
        } else {
            out[n].term = a[i].term;
            out[n++].w = a[i++].w + b[j++].w;
        }
    }
    return n;
}

/* The sum of the squares of a vector's weights, in term order. */
static double square_sum(const eaf__rel_pair *v, uint32_t n)
{
    double s = 0.0;
    uint32_t i;

    for (i = 0; i < n; i++)
        s += (double)v[i].w * (double)v[i].w;
    return s;
}

/* Widens the source's vector with the mean vector of its first
 * o->neighbours candidates in work[0..m) (sorted) that are not its own
 * text, and scores the text part of every candidate again against it. */
static void with_neighbours(eaf__rel_hit *work, uint32_t m, const eaf__rel_doc *src,
                            const eaf__rel_doc *c, const eaf__rel_opts *o, float *cdense)
{
    eaf__rel_pair buf[2][EAF__REL_MAX_NEIGHBOURS * EAF__REL_MAX_TERMS];
    eaf__rel_doc cen;
    uint32_t i, n = 0, used = 0, cur = 0;
    double beta = o->nweight, norm;

    for (i = 0; i < m && used < o->neighbours; i++) {
        const eaf__rel_doc *d = &c[work[i].ref];
        uint32_t take = d->n < EAF__REL_MAX_TERMS ? d->n : EAF__REL_MAX_TERMS;
        if (source_text(src, d, &work[i], o) || take == 0)
            continue;
        n = merge_add(buf[cur ^ 1], buf[cur], n, d->v, take);
        cur ^= 1;
        used++;
    }
    if (used == 0)
        return;
    memset(&cen, 0, sizeof(cen));
    cen.v = buf[cur];
    cen.n = n;
    for (i = 0; i < n; i++)
        buf[cur][i].w /= (float)used;
    /* |src + beta cen| */
    norm = square_sum(src->v, src->n) + 2.0 * beta * eaf__rel_dot(src, &cen) +
           beta * beta * square_sum(cen.v, cen.n);
    if (!(norm > 0.0))
        return;
    norm = sqrt(norm);
    if (cdense) {
        for (i = 0; i < n; i++)
            cdense[cen.v[i].term] = cen.v[i].w;
        cen.dense = cdense;
    }
    for (i = 0; i < m; i++) {
        eaf__rel_hit *h = &work[i];
        h->text = (h->cosine + beta * eaf__rel_dot(&cen, &c[h->ref])) / norm;
        h->score = combine(h, o);
    }
    if (cdense)
        for (i = 0; i < n; i++)
            cdense[cen.v[i].term] = 0.0f;
    qsort(work, m, sizeof(*work), cmp_hit);
}

uint32_t eaf__rel_score_all(eaf__rel_hit *work, const eaf__rel_doc *src,
                            const eaf__rel_doc *c, uint32_t n, const eaf__rel_values *v,
                            const eaf__rel_opts *o, int32_t newest, float *cdense)
{
    uint32_t i, m = 0;

    for (i = 0; i < n; i++) {
        if (!eaf__rel_allowed(src, &c[i], o))
            continue;
        eaf__rel_score(&work[m], src, &c[i], v, o, newest);
        work[m].ref = i;
        m++;
    }
    qsort(work, m, sizeof(*work), cmp_hit);
    if (o->neighbours > 0 && o->nweight > 0.0 && m > 0)
        with_neighbours(work, m, src, c, o, cdense);
    return m;
}

uint32_t eaf__rel_rank(eaf__rel_hit *out, const eaf__rel_doc *src,
                       const eaf__rel_doc *c, uint32_t n, const eaf__rel_values *v,
                       const eaf__rel_opts *o, int32_t newest, eaf__rel_hit *work,
                       float *cdense)
{
    uint32_t i, m, k = 0, j;

    m = eaf__rel_score_all(work, src, c, n, v, o, newest, cdense);
    for (i = 0; i < m && k < o->count; i++) {
        const eaf__rel_doc *d = &c[work[i].ref];
        int dup = source_text(src, d, &work[i], o);

        for (j = 0; j < k && !dup; j++) {
            const eaf__rel_doc *e = &c[out[j].ref];
            dup = (d->hash && d->hash == e->hash) || eaf__rel_dot(d, e) >= o->duplicate;
        }
        if (!dup)
            out[k++] = work[i];
    }
    return k;
}
