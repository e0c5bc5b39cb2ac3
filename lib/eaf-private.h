/*
 * eaf-private.h: types and helpers shared by the modules of libeafsearch.
 * Never installed.  Internal names shared between files are eaf__*; they
 * are hidden from the shared library by -fvisibility=hidden and by the
 * export regex, which only lets eaf_[a-z0-9]* through.
 */
#ifndef EAF_PRIVATE_H
#define EAF_PRIVATE_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define EAF_BUILDING_LIBRARY 1
#include "eafsearch.h"

#if defined(__GNUC__) || defined(__clang__)
#define EAF__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define EAF__PRINTF(f, a)
#endif

#define EAF__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The shard of an article's key in a shard set of n (shard.h): FNV-1a of
 * its bytes, modulo n. */
static inline unsigned eaf__key_shard(const char *key, unsigned n)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)key;

    while (*p) {
        h ^= *p++;
        h *= 1099511628211ULL;
    }
    return n ? (unsigned)(h % n) : 0;
}

/* ---- alloc.c: the one allocation point ------------------------------------
 * Every allocation of the library goes through these, so that a test can
 * make the Nth one fail (eaf__alloc_fail_at). */
void *eaf__malloc(size_t n);
void *eaf__calloc(size_t count, size_t size);
void *eaf__realloc(void *p, size_t n);
void eaf__free(void *p);
char *eaf__strdup(const char *s);
char *eaf__strndup(const char *s, size_t n);
char *eaf__printf(const char *fmt, ...) EAF__PRINTF(1, 2);
char *eaf__vprintf(const char *fmt, va_list ap) EAF__PRINTF(1, 0);
/* Testing: the allocation numbered n (1-based, counted from this call)
 * fails, and every later one too when sticky is set; n = 0 turns it off.
 * Returns the number of allocations counted since the last call. */
unsigned long eaf__alloc_fail_at(unsigned long n, int sticky);
/* Testing: counts the blocks allocated and not yet freed from this call on
 * (on = 1; 0 stops counting), which eaf__alloc_live() returns. */
void eaf__alloc_track(int on);
long eaf__alloc_live(void);

/* ---- buf.c: growable byte buffer with a sticky status ---------------------
 * After an allocation failure the buffer keeps rc = EAF_NOMEM and ignores
 * further appends, so builders can append freely and check once. */
typedef struct eaf__buf {
    char *p;
    size_t n;
    size_t cap;
    eaf_status rc;
} eaf__buf;

#define EAF__BUF_INIT { NULL, 0, 0, EAF_OK }

void eaf__buf_append(eaf__buf *b, const char *s, size_t n);
void eaf__buf_puts(eaf__buf *b, const char *s);
void eaf__buf_putc(eaf__buf *b, char c);
void eaf__buf_printf(eaf__buf *b, const char *fmt, ...) EAF__PRINTF(2, 3);
int eaf__buf_reserve(eaf__buf *b, size_t extra);
/* Appends s[0..n) with & < > " written as HTML entities. */
void eaf__buf_put_html(eaf__buf *b, const char *s, size_t n);
/* NUL-terminates and returns the bytes (never NULL unless rc != EAF_OK);
 * the buffer is empty afterwards. */
char *eaf__buf_detach(eaf__buf *b);
/* The bytes, NUL-terminated ("" when empty); NULL on a failed buffer. */
const char *eaf__buf_cstr(eaf__buf *b);
void eaf__buf_reset(eaf__buf *b);
void eaf__buf_free(eaf__buf *b);

/* ---- strvec (article.c) -------------------------------------------------- */
typedef struct eaf__strvec {
    char **v;
    size_t n;
    size_t cap;
} eaf__strvec;

eaf_status eaf__strvec_push(eaf__strvec *sv, char *s); /* takes s */
void eaf__strvec_free(eaf__strvec *sv);

/* ---- utf8.c -------------------------------------------------------------- */
/* Copies s[0..n) replacing invalid UTF-8 and NUL bytes with U+FFFD (NUL
 * bytes would cut C strings short).  Returns NULL only when out of memory. */
char *eaf__utf8_clean(const char *s, size_t n);
/* Decodes one code point at s (n > 0 bytes available).  Sets *len to the
 * bytes used (at least 1) and returns the code point, or -1 for an invalid
 * sequence (then *len is 1). */
int32_t eaf__utf8_decode(const unsigned char *s, size_t n, size_t *len);
/* Encodes cp into out (at least 4 bytes); returns the byte count. */
size_t eaf__utf8_encode(int32_t cp, char *out);
/* Appends a copy of s with runs of white space collapsed to one space and
 * no leading or trailing space. */
void eaf__buf_put_squeezed(eaf__buf *b, const char *s, size_t n);

/* A hash of n bytes (djb2), for the tables of words kept in memory. */
size_t eaf__hash_bytes(const char *s, size_t n);

/* Reads the FTS5 string that starts with the '"' at s[i] (a doubled ""
 * is one "), appends its text to b and returns the offset after its
 * closing quote (n when it has none). */
size_t eaf__buf_put_fts_string(eaf__buf *b, const char *s, size_t n, size_t i);

/* ---- article.c ----------------------------------------------------------- */
struct eaf_article {
    char *field[EAF_FIELD_LAST];
    eaf__strvec author_name;
    eaf__strvec author_aff;        /* parallel to author_name; NULL entries */
    eaf__strvec tag[EAF_TAG_LAST];
    eaf__strvec related;
    uint64_t hash;                 /* eaf__article_hash(), when hash_known */
    int hash_known;                /* cleared by every change */
    struct eaf__prep_text *prep;   /* tokens made ahead (prep.c) */
    char prep_lang[32];            /* ... in this language */
};

/* Sets *out to the value of a date in any accepted form as "YYYY",
 * "YYYY-MM" or "YYYY-MM-DD" (buffer of at least 11 bytes); returns 0 if
 * the text is not a date.  Also fills *day_num with YYYYMMDD, the missing
 * parts as 00. */
int eaf__date_parse(const char *s, size_t n, char out[11], int32_t *day_num);
/* A 64-bit hash of all the article's content (FNV-1a over a canonical
 * serialisation); used to skip unchanged articles. */
uint64_t eaf__article_hash(const eaf_article *a);
/* Computes the hash now and keeps it until the article changes: a reader
 * does, on its caller's thread, so that storing the article needs not. */
void eaf__article_keep_hash(eaf_article *a);

#endif /* EAF_PRIVATE_H */
