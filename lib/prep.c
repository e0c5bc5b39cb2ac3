/*
 * prep.c: tokenizing an article's text ahead of eaf_db_put(), on the
 * thread that reads the articles rather than the one that stores them.
 *
 * eaf_prep_article() runs the index's tokenizer over the title, summary,
 * body and bio and records every token (its bytes and offsets) after a
 * copy of the text.  eaf_db_put() moves these records into its handle's
 * set, and when FTS5 asks the handle's tokenizer for a document's text
 * (fts.c) the set is looked up first: a record for the same bytes is
 * replayed and dropped.  Replaying costs about a twentieth of tokenizing
 * (perf, 20,000 Wikipedia sections).
 */
#include "prep.h"

#include <stdint.h>
#include <string.h>

/* A text and its tokens, in one block: the header, the text, then the
 * tokens, each as varint start, varint length in the text, one byte of
 * token length and the token's bytes. */
struct eaf__prep_text {
    eaf__prep_text *next;     /* in the article's chain, then the bucket's */
    size_t ntext, ntok;       /* bytes of text and of tokens */
    uint64_t key;
    /* the text, then the tokens */
};

#define TEXT_OF(p) ((char *)((p) + 1))
#define TOKENS_OF(p) ((unsigned char *)TEXT_OF(p) + (p)->ntext)

struct eaf_prep {
    eaf__tokenizer *tok;
    char language[sizeof(((eaf_article *)0)->prep_lang)];
    eaf__buf out;             /* the tokens of the text being prepared */
    unsigned shard, nshard;   /* of a shard's writer: the articles of others
                                 are not tokenized (nshard 0: all are) */
};

/* Where a text is looked up: its length and its first and last 8 bytes,
 * mixed.  Texts that share these are told apart by comparing them. */
static uint64_t text_key(const char *s, size_t n)
{
    uint64_t a = 0, b = 0, h;

    memcpy(&a, s, n < 8 ? n : 8);
    if (n > 8)
        memcpy(&b, s + n - 8, 8);
    h = (a ^ (b * UINT64_C(0x9E3779B97F4A7C15)) ^ n) * UINT64_C(0xFF51AFD7ED558CCD);
    return h ^ (h >> 33);
}

static void put_varint(eaf__buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;

    do {
        tmp[n++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
        v >>= 7;
    } while (v);
    eaf__buf_append(b, (const char *)tmp, n);
}

static const unsigned char *get_varint(const unsigned char *p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned shift = 0;

    do {
        x |= (uint64_t)(*p & 0x7F) << shift;
        shift += 7;
    } while (*p++ & 0x80);
    *v = x;
    return p;
}

/* Returned by record_token() for a token it cannot record (a stem of over 255
 * bytes, which no Snowball stemmer makes of a word of EAF__TOKEN_MAX). */
#define TOO_LONG 2

static int record_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    eaf__buf *b = ctx;
    unsigned char len = (unsigned char)ntok;

    if (ntok < 0 || ntok > 255 || end < start)
        return TOO_LONG;
    put_varint(b, (uint64_t)start);
    put_varint(b, (uint64_t)(end - start));
    eaf__buf_append(b, (const char *)&len, 1);
    eaf__buf_append(b, tok, (size_t)ntok);
    return b->rc != EAF_OK;
}

eaf_status eaf__prep_new(eaf_prep **out, const char *language)
{
    eaf_prep *p;
    eaf_status st;

    *out = NULL;
    if (!language || strlen(language) >= sizeof(p->language))
        return EAF_MISUSE;
    p = eaf__calloc(1, sizeof(*p));
    if (!p)
        return EAF_NOMEM;
    st = eaf__tokenizer_new(&p->tok, language);
    if (st != EAF_OK) {
        eaf__free(p);
        return st;
    }
    eaf__tokenizer_cache_stems(p->tok, EAF__STEM_SLOTS_INDEX);
    strcpy(p->language, language);
    {
        eaf__buf empty = EAF__BUF_INIT;
        p->out = empty;
    }
    *out = p;
    return EAF_OK;
}

void eaf_prep_free(eaf_prep *p)
{
    if (!p)
        return;
    eaf__tokenizer_free(p->tok);
    eaf__buf_free(&p->out);
    eaf__free(p);
}

void eaf__prep_text_free_all(eaf__prep_text *p)
{
    while (p) {
        eaf__prep_text *next = p->next;
        eaf__free(p);
        p = next;
    }
}

/* The record of one text in *out; EAF_NOMEM, or EAF_OK with *out NULL
 * for a text whose tokens cannot be recorded (the index makes them). */
static eaf_status prepare(eaf_prep *p, const char *text, size_t n, eaf__prep_text **out)
{
    eaf__prep_text *t;
    int rc;

    *out = NULL;
    eaf__buf_reset(&p->out);
    rc = eaf__tokenize(p->tok, EAF__TOK_DOC, text, n, record_token, &p->out);
    if (rc == TOO_LONG && p->out.rc == EAF_OK)
        return EAF_OK;
    if (rc != 0 || p->out.rc != EAF_OK) {
        p->out.rc = EAF_OK;
        return EAF_NOMEM;
    }
    t = eaf__malloc(sizeof(*t) + n + p->out.n);
    if (!t)
        return EAF_NOMEM;
    t->next = NULL;
    t->ntext = n;
    t->ntok = p->out.n;
    t->key = text_key(text, n);
    memcpy(TEXT_OF(t), text, n);
    if (p->out.n)
        memcpy(TOKENS_OF(t), p->out.p, p->out.n);
    *out = t;
    return EAF_OK;
}

void eaf__prep_set_shard(eaf_prep *p, unsigned shard, unsigned n)
{
    p->shard = shard;
    p->nshard = n;
}

eaf_status eaf_prep_article(eaf_prep *p, eaf_article *a)
{
    /* the article's own text among the full-text columns (the others are
     * made from its lists when it is stored) */
    static const eaf_field fields[] = {EAF_FIELD_TITLE, EAF_FIELD_SUMMARY, EAF_FIELD_BODY,
                                       EAF_FIELD_BIO};
    eaf__prep_text *chain = NULL;
    size_t k;

    if (!p || !a)
        return EAF_MISUSE;
    if (p->nshard && a->field[EAF_FIELD_KEY] &&
        eaf__key_shard(a->field[EAF_FIELD_KEY], p->nshard) != p->shard)
        return EAF_OK; /* another shard's: its writer stores it, not this one */
    for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
        const char *v = a->field[fields[k]];
        eaf__prep_text *t = NULL;
        size_t n = v ? strlen(v) : 0;

        if (n == 0 || n > INT32_MAX)
            continue; /* FTS5 does not tokenize what is empty */
        if (prepare(p, v, n, &t) != EAF_OK) {
            eaf__prep_text_free_all(chain);
            return EAF_NOMEM;
        }
        if (t) {
            t->next = chain;
            chain = t;
        }
    }
    eaf__prep_text_free_all(a->prep);
    a->prep = chain;
    strcpy(a->prep_lang, p->language);
    return EAF_OK;
}

/* ---- the handle's set -------------------------------------------------------------- */

static int grow(eaf__prep_set *set)
{
    size_t n = set->nbucket ? set->nbucket * 2 : 1024, i;
    eaf__prep_text **b = eaf__calloc(n, sizeof(*b));

    if (!b)
        return -1;
    for (i = 0; i < set->nbucket; i++) {
        eaf__prep_text *t = set->bucket[i], *next;
        for (; t; t = next) {
            next = t->next;
            t->next = b[t->key & (n - 1)];
            b[t->key & (n - 1)] = t;
        }
    }
    eaf__free(set->bucket);
    set->bucket = b;
    set->nbucket = n;
    return 0;
}

void eaf__prep_set_take_article(eaf__prep_set *set, eaf_article *a, const char *language)
{
    eaf__prep_text *t = a->prep, *next;

    a->prep = NULL;
    if (!t || strcmp(a->prep_lang, language) != 0) {
        eaf__prep_text_free_all(t);
        return;
    }
    for (; t; t = next) {
        size_t size = sizeof(*t) + t->ntext + t->ntok;

        next = t->next;
        if (set->bytes + size > EAF__PREP_MAX_BYTES ||
            (set->count >= set->nbucket && grow(set) != 0)) {
            eaf__free(t); /* tokenized as usual */
            continue;
        }
        t->next = set->bucket[t->key & (set->nbucket - 1)];
        set->bucket[t->key & (set->nbucket - 1)] = t;
        set->count++;
        set->bytes += size;
    }
}

int eaf__prep_set_replay(eaf__prep_set *set, const char *text, size_t n,
                         eaf__token_fn fn, void *ctx, int *rc)
{
    eaf__prep_text **link, *t;
    const unsigned char *p, *end;
    uint64_t key;

    if (set->count == 0 || n == 0)
        return 0;
    key = text_key(text, n);
    for (link = &set->bucket[key & (set->nbucket - 1)]; (t = *link) != NULL;
         link = &t->next)
        if (t->key == key && t->ntext == n && memcmp(TEXT_OF(t), text, n) == 0)
            break;
    if (!t)
        return 0;
    *link = t->next;
    set->count--;
    set->bytes -= sizeof(*t) + t->ntext + t->ntok;
    *rc = 0;
    p = TOKENS_OF(t);
    end = p + t->ntok;
    while (p < end && *rc == 0) {
        uint64_t start, len;
        int ntok;

        p = get_varint(p, &start);
        p = get_varint(p, &len);
        ntok = *p++;
        *rc = fn(ctx, (const char *)p, ntok, (int)start, (int)(start + len));
        p += ntok;
    }
    eaf__free(t);
    return 1;
}

void eaf__prep_set_clear(eaf__prep_set *set)
{
    size_t i;

    if (set->count)
        for (i = 0; i < set->nbucket; i++) {
            eaf__prep_text_free_all(set->bucket[i]);
            set->bucket[i] = NULL;
        }
    set->count = 0;
    set->bytes = 0;
}

void eaf__prep_set_free(eaf__prep_set *set)
{
    eaf__prep_set_clear(set);
    eaf__free(set->bucket);
    set->bucket = NULL;
    set->nbucket = 0;
}
