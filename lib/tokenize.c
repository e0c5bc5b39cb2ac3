/*
 * tokenize.c: word segmentation, Unicode folding and stemming.
 *
 * The rules are in tokenize.h.  Text is decoded as it is scanned, with a
 * few code points of look-ahead for apostrophes, numbers and acronyms, so
 * memory use does not grow with the input.
 */
#include "tokenize.h"
#include "lexicon.h"

#include <string.h>

#include <libstemmer.h>
#include <utf8proc.h>

struct eaf__tokenizer {
    struct sb_stemmer *stemmer;
    unsigned mode;
    eaf__token_fn fn;
    void *ctx;
    eaf__buf word;      /* source bytes of the current word */
    eaf__buf fold;      /* its folded form */
    int32_t *cp;        /* code point work buffer for folding */
    size_t cpcap;
    /* prefix queries: the last token is held back until the end */
    eaf__buf pending;
    int pend_start, pend_end, pend_stem, have_pending;
    /* stems of recent words, made when indexing (NULL: none yet, or no
     * memory for it, which only costs speed) */
    struct stem_slot *stems;
    size_t stems_slots;         /* a power of two; 0: no cache wanted */
    int stems_tried;
    /* EAF__TOK_FILTER (eaf__tokenizer_filter): stems_keep_first says the
     * stemmer keeps first bytes; the first bytes and shortest length of the
     * words looked for */
    int stems_keep_first;
    unsigned char filter[256];
    size_t filter_min;
};

/*
 * The stem cache.  Stemming is the dearest step of indexing, and a few
 * thousand words make up most of any text, so the stems of recent words
 * are kept in a direct-mapped table: a word's slot is chosen by its hash,
 * and a miss overwrites the slot.  Words and stems longer than a slot
 * holds are stemmed every time.  Only tokenizers that ask for it have
 * one, of the size they ask (64 bytes a slot), made on the first
 * document, so that tokenizing a query costs no allocation: the FTS5
 * tokenizer, which indexes, has 65,536 slots (4 MB): a Snowball stem costs
 * about 2,500 instructions, and over 20,000 enwiki sections, 4.6 million
 * tokens, the words stemmed fall from 508,000 with 16,384 slots to
 * 264,000 (162,000 with 262,144), a sixth of the tokenizer's work.
 */
#define STEM_MAX 30                /* longest word (and stem) cached, bytes */

struct stem_slot {
    unsigned char nword, nstem;     /* 0: empty */
    char word[STEM_MAX];
    char stem[STEM_MAX];
};

/* character classes */
enum { C_SEP, C_WORD, C_CJK, C_APOS, C_DOT, C_COMMA };

/* ASCII bytes of words, for the common case (scan_word): each byte's
 * lower case, or 0 for a byte that is not an ASCII letter or digit. */
#define L(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' + 'a' \
              : ((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') ? (c) : 0)
#define L4(c) L(c), L(c + 1), L(c + 2), L(c + 3)
#define L16(c) L4(c), L4(c + 4), L4(c + 8), L4(c + 12)
static const unsigned char ascii_word[256] = {
    L16(0), L16(16), L16(32), L16(48), L16(64), L16(80), L16(96), L16(112),
};
#undef L16
#undef L4
#undef L

static int is_cjk(int32_t c)
{
    return (c >= 0x3400 && c <= 0x4DBF) ||   /* Han extension A */
           (c >= 0x4E00 && c <= 0x9FFF) ||   /* Han */
           (c >= 0xF900 && c <= 0xFAFF) ||   /* Han compatibility */
           (c >= 0x20000 && c <= 0x3FFFF) || /* Han extensions B.. */
           (c >= 0x3040 && c <= 0x30FF) ||   /* Hiragana, Katakana */
           (c >= 0x31F0 && c <= 0x31FF) ||   /* Katakana extension */
           (c >= 0xFF66 && c <= 0xFF9F) ||   /* halfwidth Katakana */
           (c >= 0xAC00 && c <= 0xD7AF) ||   /* Hangul syllables */
           (c >= 0x1100 && c <= 0x11FF) ||   /* Hangul Jamo */
           (c >= 0x3130 && c <= 0x318F) ||   /* Hangul compatibility Jamo */
           (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF) ||
           c == 0x3005 || c == 0x3006 || c == 0x3007 || c == 0x303B;
}

static int is_word_category(int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static int classify(int32_t c)
{
    if (c < 0)
        return C_SEP;
    if (c < 0x80) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9'))
            return C_WORD;
        if (c == '\'')
            return C_APOS;
        if (c == '.')
            return C_DOT;
        if (c == ',')
            return C_COMMA;
        return C_SEP;
    }
    if (c == 0x2019 || c == 0xFF07) /* right single quotation mark, fullwidth ' */
        return C_APOS;
    if (is_cjk(c))
        return C_CJK;
    return is_word_category(c) ? C_WORD : C_SEP;
}

static int is_digit(int32_t c)
{
    if (c < 0x80)
        return c >= '0' && c <= '9';
    return c > 0 && utf8proc_category(c) == UTF8PROC_CATEGORY_ND;
}

static int is_letter(int32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return classify(c) == C_WORD && !is_digit(c);
}

/* The code point at byte i (or -1 past the end or when invalid). */
static int32_t at(const char *text, size_t n, size_t i, size_t *len)
{
    if (i >= n) {
        *len = 0;
        return -1;
    }
    return eaf__utf8_decode((const unsigned char *)text + i, n - i, len);
}

/* Scripts whose accents are stripped: Latin, Greek, Cyrillic. */
static int strips_accents(int32_t base)
{
    return base < 0x0530 || (base >= 0x1D00 && base <= 0x1DBF) ||
           (base >= 0x1E00 && base <= 0x1FFF) ||
           (base >= 0x2C60 && base <= 0x2C7F) ||
           (base >= 0xA720 && base <= 0xA7FF) ||
           (base >= 0xAB30 && base <= 0xAB6F);
}

/* Folds s[0..n), valid UTF-8, into t->fold.  Returns -1 when out of memory. */
static int fold(eaf__tokenizer *t, const char *s, size_t n)
{
    size_t i, k;
    utf8proc_ssize_t r;
    int32_t base = 0;
    int ascii = 1;

    eaf__buf_reset(&t->fold);
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] >= 0x80) {
            ascii = 0;
            break;
        }
    }
    if (ascii) {
        if (!eaf__buf_reserve(&t->fold, n))
            return -1;
        for (i = 0; i < n; i++) {
            char c = s[i];
            t->fold.p[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
        t->fold.n = n;
        t->fold.p[n] = '\0';
        return 0;
    }
    for (;;) {
        r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
                               t->cp, (utf8proc_ssize_t)t->cpcap,
                               UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                   UTF8PROC_CASEFOLD);
        if (r < 0)
            return 0; /* cannot happen for valid input: no token */
        if ((size_t)r <= t->cpcap)
            break;
        {
            size_t cap = (size_t)r + 16;
            int32_t *p = eaf__realloc(t->cp, cap * sizeof(int32_t));
            if (!p)
                return -1;
            t->cp = p;
            t->cpcap = cap;
        }
    }
    /* Drop accents after letters of scripts that carry them, and whatever
     * compatibility mapping produced that is not part of a word. */
    for (i = 0, k = 0; i < (size_t)r; i++) {
        int32_t c = t->cp[i];
        utf8proc_category_t cat = utf8proc_category(c);

        if (cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME) {
            if (strips_accents(base))
                continue;
        } else if (!is_word_category(c)) {
            continue;
        } else {
            base = c;
        }
        t->cp[k++] = c;
    }
    if (k == 0)
        return 0;
    r = utf8proc_normalize_utf32(t->cp, (utf8proc_ssize_t)k, UTF8PROC_COMPOSE);
    if (r < 0)
        return 0;
    if (!eaf__buf_reserve(&t->fold, (size_t)r * 4))
        return -1;
    for (i = 0; i < (size_t)r; i++)
        t->fold.n += eaf__utf8_encode(t->cp[i], t->fold.p + t->fold.n);
    t->fold.p[t->fold.n] = '\0';
    return 0;
}

/* Is a folded word of n bytes starting with byte first, stemmed when
 * stem, one EAF__TOK_FILTER leaves out (passed as NULL, 0): its stem
 * cannot be one of the words looked for? */
static int filtered_out(const eaf__tokenizer *t, unsigned char first, size_t n, int stem)
{
    return (t->mode & EAF__TOK_FILTER) && stem && t->stemmer && !(t->mode & EAF__TOK_NOSTEM) &&
           (n < t->filter_min || !t->filter[first]);
}

/* Passes a folded token to the callback, stemmed when asked.  Returns the
 * callback's value, or -1 when out of memory. */
static int deliver(eaf__tokenizer *t, const char *tok, size_t n, int start,
                   int end, int stem)
{
    struct stem_slot *slot = NULL;
    const sb_symbol *s;
    int sn;

    if (n == 0 || n > EAF__TOKEN_MAX)
        return 0;
    if (filtered_out(t, (unsigned char)tok[0], n, stem))
        return t->fn(t->ctx, NULL, 0, start, end); /* its stem cannot be one of them */
    if (!stem || !t->stemmer || (t->mode & EAF__TOK_NOSTEM))
        return t->fn(t->ctx, tok, (int)n, start, end);
    if (t->stems_slots && n <= STEM_MAX && !(t->mode & (EAF__TOK_QUERY | EAF__TOK_LONG))) {
        if (!t->stems && !t->stems_tried) {
            t->stems_tried = 1;
            t->stems = eaf__calloc(t->stems_slots, sizeof(*t->stems));
        }
        if (t->stems) {
            /* FNV-1a */
            uint32_t h = 2166136261u;
            size_t i;

            for (i = 0; i < n; i++)
                h = (h ^ (unsigned char)tok[i]) * 16777619u;
            slot = &t->stems[h & (t->stems_slots - 1)];
            if (slot->nword == n && memcmp(slot->word, tok, n) == 0)
                return t->fn(t->ctx, slot->stem, slot->nstem, start, end);
        }
    }
    s = sb_stemmer_stem(t->stemmer, (const sb_symbol *)tok, (int)n);
    if (!s)
        return -1;
    sn = sb_stemmer_length(t->stemmer);
    if (slot && sn > 0 && sn <= STEM_MAX) {
        slot->nword = (unsigned char)n;
        slot->nstem = (unsigned char)sn;
        memcpy(slot->word, tok, n);
        memcpy(slot->stem, s, (size_t)sn);
    }
    return t->fn(t->ctx, (const char *)s, sn, start, end);
}

/* The last token of a prefix query: not stemmed, but cut back to the part
 * it shares with its stem, so that "relations*" still reaches the indexed
 * stem "relat". */
static int deliver_prefix(eaf__tokenizer *t)
{
    const char *tok = t->pending.p;
    size_t n = t->pending.n, keep = n;

    if (t->pend_stem && t->stemmer && !(t->mode & EAF__TOK_NOSTEM)) {
        const sb_symbol *s = sb_stemmer_stem(t->stemmer, (const sb_symbol *)tok,
                                             (int)n);
        size_t sn, i;

        if (!s)
            return -1;
        sn = (size_t)sb_stemmer_length(t->stemmer);
        for (i = 0; i < n && i < sn && (char)s[i] == tok[i]; i++)
            ;
        while (i > 0 && i < n && ((unsigned char)tok[i] & 0xC0) == 0x80)
            i--;
        if (i > 0)
            keep = i;
    }
    return t->fn(t->ctx, tok, (int)keep, t->pend_start, t->pend_end);
}

/* Emits t->fold as a token, holding it back in prefix mode. */
static int emit(eaf__tokenizer *t, int start, int end, int stemmable)
{
    int rc = 0;

    if (t->fold.n == 0 || t->fold.n > EAF__TOKEN_MAX)
        return 0;
    if (!(t->mode & EAF__TOK_PREFIX))
        return deliver(t, t->fold.p, t->fold.n, start, end, stemmable);
    if (t->have_pending)
        rc = deliver(t, t->pending.p, t->pending.n, t->pend_start, t->pend_end,
                     t->pend_stem);
    eaf__buf_reset(&t->pending);
    eaf__buf_append(&t->pending, t->fold.p, t->fold.n);
    if (t->pending.rc != EAF_OK)
        return -1;
    t->have_pending = 1;
    t->pend_start = start;
    t->pend_end = end;
    t->pend_stem = stemmable;
    return rc;
}

/* Folds the collected word and emits it. */
static int emit_word(eaf__tokenizer *t, int start, int end, int stemmable)
{
    if (t->word.rc != EAF_OK)
        return -1;
    if (t->word.n == 0)
        return 0;
    if (fold(t, t->word.p, t->word.n) < 0)
        return -1;
    return emit(t, start, end, stemmable);
}

/* U.S., e.g., U.S.A: single letters joined by periods.  If one starts at
 * i, collects its letters and returns the byte offset after the last
 * letter; otherwise returns 0. */
static size_t scan_acronym(eaf__tokenizer *t, const char *text, size_t n,
                           size_t i)
{
    size_t len, len2, len3, j = i, letters = 0;
    int32_t c;

    for (;;) {
        c = at(text, n, j, &len);
        if (!is_letter(c))
            break;
        /* the letter must stand alone: followed by '.' or a separator */
        if (classify(at(text, n, j + len, &len2)) == C_WORD)
            break;
        /* a following ".X" continues the acronym */
        eaf__buf_append(&t->word, text + j, len);
        letters++;
        j += len;
        if (j < n && text[j] == '.' && is_letter(at(text, n, j + 1, &len3)))
            j++;
        else
            break;
    }
    if (letters < 2) {
        eaf__buf_reset(&t->word);
        return 0;
    }
    return j;
}

/* Scans a word starting at i; returns the offset after it. */
static size_t scan_word(eaf__tokenizer *t, const char *text, size_t n, size_t i,
                        int *rc)
{
    size_t j = i, end = i, len, len2, len3;
    int letters_only = 1, last_digit = 0;
    int32_t c, c2;

    /* The common case first: ASCII letters and digits up to an ASCII
     * separator, folded by lower-casing alone.  An apostrophe may continue
     * the word, and so may a period or comma after a digit (2.5, 3,000)
     * and a period after a single letter (U.S.): those take the long way. */
    if (!(t->mode & EAF__TOK_LONG))
        while (j < n && ascii_word[(unsigned char)text[j]]) {
            if (text[j] <= '9')
                letters_only = 0;
            j++;
        }
    if (j > i && (j == n ||
        ((unsigned char)text[j] < 0x80 && text[j] != '\'' &&
         ((text[j] != '.' && text[j] != ',') ||
          (text[j - 1] > '9' && (text[j] == ',' || j - i > 1)))))) {
        size_t k;

        if (j - i > EAF__TOKEN_MAX) {
            *rc = 0;
            return j;
        }
        if (filtered_out(t, ascii_word[(unsigned char)text[i]], j - i, letters_only)) {
            /* what deliver() passes, without folding the word first:
             * most of a text's */
            *rc = t->fn(t->ctx, NULL, 0, (int)i, (int)j);
            return j;
        }
        eaf__buf_reset(&t->fold);
        if (!eaf__buf_reserve(&t->fold, j - i)) {
            *rc = -1;
            return j;
        }
        for (k = i; k < j; k++)
            t->fold.p[k - i] = (char)ascii_word[(unsigned char)text[k]];
        t->fold.n = j - i;
        t->fold.p[t->fold.n] = '\0';
        *rc = emit(t, (int)i, (int)j, letters_only);
        return j;
    }
    j = i;
    letters_only = 1;

    eaf__buf_reset(&t->word);
    if (i + 1 < n && text[i + 1] == '.') {
        size_t after = scan_acronym(t, text, n, i);
        if (after) {
            *rc = emit_word(t, (int)i, (int)after, 0);
            return after;
        }
    }
    while (j < n) {
        c = at(text, n, j, &len);
        switch (classify(c)) {
        case C_WORD:
            eaf__buf_append(&t->word, text + j, len);
            last_digit = is_digit(c);
            if (last_digit)
                letters_only = 0;
            j += len;
            end = j;
            continue;
        case C_APOS:
            c2 = at(text, n, j + len, &len2);
            if (classify(c2) != C_WORD || is_digit(c2))
                break;
            if ((c2 == 's' || c2 == 'S') &&
                classify(at(text, n, j + len + len2, &len3)) != C_WORD) {
                /* possessive: the token ends before the apostrophe, the
                 * highlight covers the 's */
                j += len + len2;
                end = j;
                goto done;
            }
            j += len; /* an inner apostrophe is dropped: o'neill -> oneill */
            continue;
        case C_DOT:
            if (last_digit && is_digit(at(text, n, j + 1, &len2))) {
                eaf__buf_putc(&t->word, '.');
                j++;
                continue;
            }
            break;
        case C_COMMA:
            /* 3,000 and 1,250,000: a comma before exactly three digits */
            if (last_digit && j + 4 <= n && text[j + 1] >= '0' && text[j + 1] <= '9' &&
                text[j + 2] >= '0' && text[j + 2] <= '9' && text[j + 3] >= '0' &&
                text[j + 3] <= '9' &&
                (j + 4 == n || !is_digit(at(text, n, j + 4, &len2)))) {
                j++;
                continue;
            }
            break;
        default:
            break;
        }
        break;
    }
done:
    *rc = emit_word(t, (int)i, (int)end, letters_only);
    return j;
}

/* Scans a run of CJK characters from i, emitting overlapping bigrams (a
 * lone character is emitted on its own). */
static size_t scan_cjk(eaf__tokenizer *t, const char *text, size_t n, size_t i,
                       int *rc)
{
    size_t j = i, len, prev = i, count = 0;

    *rc = 0;
    while (j < n && *rc == 0) {
        int32_t c = at(text, n, j, &len);
        if (classify(c) != C_CJK)
            break;
        if (count > 0) {
            if (fold(t, text + prev, j + len - prev) < 0) {
                *rc = -1;
                break;
            }
            *rc = emit(t, (int)prev, (int)(j + len), 0);
        }
        prev = j;
        j += len;
        count++;
    }
    if (count == 1 && *rc == 0) {
        if (fold(t, text + i, j - i) < 0)
            *rc = -1;
        else
            *rc = emit(t, (int)i, (int)j, 0);
    }
    return j;
}

int eaf__tokenize(eaf__tokenizer *t, unsigned mode, const char *text, size_t n,
                  eaf__token_fn fn, void *ctx)
{
    size_t i = 0, len;
    int rc = 0;

    t->mode = mode;
    t->fn = fn;
    t->ctx = ctx;
    t->have_pending = 0;
    if ((mode & EAF__TOK_QUERY) || !t->stems_keep_first)
        t->mode &= ~(unsigned)EAF__TOK_FILTER;
    if (!(mode & EAF__TOK_QUERY))
        t->mode &= ~(unsigned)EAF__TOK_PREFIX;
    else if (n > 1 && text[0] == EAF__RAW_TERM)
        return n - 1 <= EAF__TOKEN_MAX ? fn(ctx, text + 1, (int)(n - 1), 0, (int)n) : 0;
    else if (n > 2 && text[0] == EAF__FEEDBACK_TERM) /* the marker, the weight, the term */
        return n - 2 <= EAF__TOKEN_MAX ? fn(ctx, text + 2, (int)(n - 2), 0, (int)n) : 0;
    else if (n > 1 && text[0] == EAF__SYNTH_TERM)
        return n - 1 <= EAF__TOKEN_MAX ? fn(ctx, text + 1, (int)(n - 1), 0, (int)n) : 0;
    else if (n > 2 && text[0] == '\x02' /* EAF__ALIAS_TERM, query.h */ && text[1] == EAF__SYNTH_TERM)
        return n - 2 <= EAF__TOKEN_MAX ? fn(ctx, text + 2, (int)(n - 2), 0, (int)n) : 0;
    while (i < n && rc == 0) {
        unsigned char b = (unsigned char)text[i];
        int32_t c;

        /* fast path over ASCII separators */
        if (b < 0x80 && !ascii_word[b]) {
            i++;
            continue;
        }
        c = at(text, n, i, &len);
        switch (classify(c)) {
        case C_WORD:
            i = scan_word(t, text, n, i, &rc);
            break;
        case C_CJK:
            i = scan_cjk(t, text, n, i, &rc);
            break;
        default:
            i += len;
            break;
        }
    }
    if (rc == 0 && t->have_pending)
        rc = deliver_prefix(t);
    t->have_pending = 0;
    return rc;
}

int eaf__language_ok(const char *language)
{
    struct sb_stemmer *s;

    if (!language || strcmp(language, "none") == 0)
        return 1;
    s = sb_stemmer_new(language, "UTF_8");
    if (!s)
        return 0;
    sb_stemmer_delete(s);
    return 1;
}

eaf_status eaf__tokenizer_new(eaf__tokenizer **out, const char *language)
{
    eaf__tokenizer *t = eaf__calloc(1, sizeof(*t));

    *out = NULL;
    if (!t)
        return EAF_NOMEM;
    if (language && strcmp(language, "none") != 0) {
        t->stemmer = sb_stemmer_new(language, "UTF_8");
        if (!t->stemmer) {
            eaf__free(t);
            return eaf__language_ok(language) ? EAF_NOMEM : EAF_MISUSE;
        }
        t->stems_keep_first = strcmp(language, "english") == 0;
    }
    *out = t;
    return EAF_OK;
}

void eaf__tokenizer_cache_stems(eaf__tokenizer *t, size_t slots)
{
    size_t p = 1;

    if (t->stems || slots == 0)
        return; /* made already, at its size */
    while (p <= slots / 2)
        p *= 2;
    t->stems_slots = p;
}

int eaf__tokenizer_filter(eaf__tokenizer *t, const unsigned char first[256], size_t min_len)
{
    if (!t->stems_keep_first)
        return 0;
    memcpy(t->filter, first, sizeof(t->filter));
    t->filter_min = min_len;
    return 1;
}

void eaf__tokenizer_free(eaf__tokenizer *t)
{
    if (!t)
        return;
    sb_stemmer_delete(t->stemmer);
    eaf__buf_free(&t->word);
    eaf__buf_free(&t->fold);
    eaf__buf_free(&t->pending);
    eaf__free(t->stems);
    eaf__free(t->cp);
    eaf__free(t);
}

static int join_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    eaf__buf *b = ctx;

    (void)start;
    (void)end;
    if (b->n > 0)
        eaf__buf_putc(b, ' ');
    eaf__buf_append(b, tok, (size_t)ntok);
    return b->rc == EAF_OK ? 0 : -1;
}

char *eaf__fold_value(const char *s, size_t n)
{
    eaf__tokenizer *t;
    eaf__buf b = EAF__BUF_INIT;
    int rc;

    if (eaf__tokenizer_new(&t, NULL) != EAF_OK)
        return NULL;
    rc = eaf__tokenize(t, EAF__TOK_NOSTEM, s, n, join_token, &b);
    eaf__tokenizer_free(t);
    if (rc != 0) {
        eaf__buf_free(&b);
        return NULL;
    }
    if (!b.p)
        return eaf__strdup("");
    return eaf__buf_detach(&b);
}

/* ---- synthetic tokens ---------------------------------------------------- */

/*
 * A document's tokens pass through a window of the last few (as many as
 * the longest place form has words); the oldest leaves it once the window
 * is full or the text ends, followed by its gram with the next token and
 * the place forms that start with it, all colocated with it.  Stopword
 * stems and forms are found by a hash of the token, which both share.
 */
#define SYNTH_WINDOW 8            /* longest form, in words */
#define SYNTH_BUCKETS 512         /* a power of two */

typedef struct synth_form {
    char *stems;                  /* joined by spaces */
    size_t n;
    char *first;                  /* its first stem */
    size_t nfirst;
    int nwords;
    int next;                     /* next in its bucket, -1: none */
} synth_form;

/* The most forms a word can be a later word of (two is the most the list
 * has: "central african" and "central african republic" share words). */
#define SYNTH_LATER 8

typedef struct synth_tok {
    char text[EAF__TOKEN_MAX];
    int n, start, end;
    uint32_t hash;
    int common;
    /* the forms this token is a later word of (found when the form's first
     * word left the window): the form, and which word (2 on) */
    int nlater;
    int later[SYNTH_LATER];
    unsigned char later_word[SYNTH_LATER];
} synth_tok;

struct eaf__synth {
    eaf__tokenizer *t;
    /* stopword stems: a chained hash of their indexes into common[] */
    char **common;
    size_t *ncommon;
    int *common_next, common_head[SYNTH_BUCKETS];
    size_t ncom;
    synth_form *forms;
    size_t nforms;
    int form_head[SYNTH_BUCKETS];
    int window;                   /* tokens held before the oldest leaves */
    /* one document */
    synth_tok ring[SYNTH_WINDOW];
    int head, count;
    eaf__synth_fn fn;
    void *ctx;
    int rc;
    char scratch[EAF__TOKEN_MAX + 1];
};

static uint32_t synth_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

typedef struct stem_list {
    eaf__buf b;
    int words;
} stem_list;

static int collect_stems(void *ctx, const char *tok, int ntok, int start, int end)
{
    stem_list *l = ctx;

    (void)start;
    (void)end;
    if (l->b.n > 0)
        eaf__buf_putc(&l->b, ' ');
    eaf__buf_append(&l->b, tok, (size_t)ntok);
    l->words++;
    return l->b.rc == EAF_OK ? 0 : -1;
}

static int is_common_hashed(const eaf__synth *s, const char *tok, size_t n, uint32_t h)
{
    int i;

    for (i = s->common_head[h & (SYNTH_BUCKETS - 1)]; i >= 0; i = s->common_next[i])
        if (s->ncommon[i] == n && memcmp(s->common[i], tok, n) == 0)
            return 1;
    return 0;
}

int eaf__synth_common(const eaf__synth *s, const char *tok, size_t n)
{
    return s && s->ncom > 0 && is_common_hashed(s, tok, n, synth_hash(tok, n));
}

eaf_status eaf__synth_new(eaf__synth **out, const char *language)
{
    eaf__synth *s = eaf__calloc(1, sizeof(*s));
    const char *const *stop;
    size_t nstop = 0, i;
    const char *entry;
    eaf_status st;

    *out = NULL;
    if (!s)
        return EAF_NOMEM;
    st = eaf__tokenizer_new(&s->t, language);
    if (st != EAF_OK) {
        eaf__free(s);
        return st;
    }
    for (i = 0; i < SYNTH_BUCKETS; i++)
        s->common_head[i] = s->form_head[i] = -1;
    s->window = 2;
    stop = eaf__stopwords(language, &nstop);
    if (nstop) {
        s->common = eaf__calloc(nstop, sizeof(*s->common));
        s->ncommon = eaf__calloc(nstop, sizeof(*s->ncommon));
        s->common_next = eaf__calloc(nstop, sizeof(*s->common_next));
        if (!s->common || !s->ncommon || !s->common_next)
            goto nomem;
    }
    for (i = 0; i < nstop; i++) {
        stem_list l = {EAF__BUF_INIT, 0};
        uint32_t h;

        if (eaf__tokenize(s->t, EAF__TOK_QUERY, stop[i], strlen(stop[i]), collect_stems, &l) != 0 ||
            l.b.rc != EAF_OK) {
            eaf__buf_free(&l.b);
            goto nomem;
        }
        if (l.words != 1 || is_common_hashed(s, l.b.p, l.b.n, synth_hash(l.b.p, l.b.n))) {
            eaf__buf_free(&l.b);
            continue;
        }
        h = synth_hash(l.b.p, l.b.n) & (SYNTH_BUCKETS - 1);
        s->ncommon[s->ncom] = l.b.n;
        s->common[s->ncom] = eaf__buf_detach(&l.b);
        s->common_next[s->ncom] = s->common_head[h];
        s->common_head[h] = (int)s->ncom++;
    }
    for (i = 0; (entry = eaf__place_entry(i)) != NULL; i++) {
        const char *p = entry;

        while (*p) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            stem_list l = {EAF__BUF_INIT, 0};

            if (memchr(p, ' ', len)) {
                if (eaf__tokenize(s->t, EAF__TOK_QUERY, p, len, collect_stems, &l) != 0 ||
                    l.b.rc != EAF_OK) {
                    eaf__buf_free(&l.b);
                    goto nomem;
                }
                if (l.words >= 2 && l.words <= SYNTH_WINDOW && l.b.n + 2 <= EAF__TOKEN_MAX &&
                    eaf__synth_form(s, l.b.p, l.b.n, 1, s->scratch) == 0) {
                    synth_form *nf = eaf__realloc(s->forms, (s->nforms + 1) * sizeof(*nf));
                    synth_form *f;
                    uint32_t h;

                    if (!nf) {
                        eaf__buf_free(&l.b);
                        goto nomem;
                    }
                    s->forms = nf;
                    f = &s->forms[s->nforms];
                    f->n = l.b.n;
                    f->stems = eaf__buf_detach(&l.b);
                    f->first = f->stems;
                    f->nfirst = (size_t)((char *)memchr(f->stems, ' ', f->n) - f->stems);
                    f->nwords = l.words;
                    h = synth_hash(f->first, f->nfirst) & (SYNTH_BUCKETS - 1);
                    f->next = s->form_head[h];
                    s->form_head[h] = (int)s->nforms++;
                    if (l.words > s->window)
                        s->window = l.words;
                }
                eaf__buf_free(&l.b);
            }
            p = bar ? bar + 1 : p + len;
        }
    }
    *out = s;
    return EAF_OK;
nomem:
    eaf__synth_free(s);
    return EAF_NOMEM;
}

void eaf__synth_free(eaf__synth *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->ncom; i++)
        eaf__free(s->common[i]);
    eaf__free(s->common);
    eaf__free(s->ncommon);
    eaf__free(s->common_next);
    for (i = 0; i < s->nforms; i++)
        eaf__free(s->forms[i].stems);
    eaf__free(s->forms);
    eaf__tokenizer_free(s->t);
    eaf__free(s);
}

size_t eaf__synth_gram(const char *a, size_t na, const char *b, size_t nb, char *out)
{
    size_t n = 1 + na + 1 + nb;

    if (n > EAF__TOKEN_MAX)
        return 0;
    out[0] = EAF__SYNTH_GRAM;
    memcpy(out + 1, a, na);
    out[1 + na] = ' ';
    memcpy(out + 2 + na, b, nb);
    out[n] = '\0';
    return n;
}

/* A place form's token for its word-th word (1 on). */
static size_t form_token(const char *stems, size_t n, int word, char *out)
{
    out[0] = EAF__SYNTH_FORM;
    out[1] = (char)('0' + word);
    memcpy(out + 2, stems, n);
    out[n + 2] = '\0';
    return n + 2;
}

size_t eaf__synth_form(const eaf__synth *s, const char *stems, size_t n, int word, char *out)
{
    const char *sp = memchr(stems, ' ', n);
    size_t i;
    int k;

    if (!sp || n + 2 > EAF__TOKEN_MAX || word < 1)
        return 0;
    i = (size_t)(sp - stems);
    for (k = s->form_head[synth_hash(stems, i) & (SYNTH_BUCKETS - 1)]; k >= 0;
         k = s->forms[k].next)
        if (s->forms[k].n == n && memcmp(s->forms[k].stems, stems, n) == 0)
            break;
    if (k < 0 || word > s->forms[k].nwords)
        return 0;
    return form_token(stems, n, word, out);
}

/* The i-th token of the window (0: the oldest). */
static synth_tok *ring_at(eaf__synth *s, int i)
{
    return &s->ring[(s->head + i) % SYNTH_WINDOW];
}

/* Does form f start at the oldest token of the window? */
static int form_here(eaf__synth *s, const synth_form *f)
{
    const char *p = f->stems, *end = f->stems + f->n;
    int i;

    if (f->nwords > s->count)
        return 0;
    for (i = 0; i < f->nwords; i++) {
        const synth_tok *t = ring_at(s, i);
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        size_t len = sp ? (size_t)(sp - p) : (size_t)(end - p);

        if ((size_t)t->n != len || memcmp(t->text, p, len) != 0)
            return 0;
        p += len + 1;
    }
    return 1;
}

/* The oldest token leaves the window, with its synthetic tokens. */
static int synth_flush_one(eaf__synth *s)
{
    synth_tok *t = ring_at(s, 0);
    int rc, k;

    rc = s->fn(s->ctx, 0, t->text, t->n, t->start, t->end);
    if (rc == 0 && s->count > 1) {
        synth_tok *u = ring_at(s, 1);
        if (t->common || u->common) {
            size_t n = eaf__synth_gram(t->text, (size_t)t->n, u->text, (size_t)u->n,
                                       s->scratch);
            if (n)
                rc = s->fn(s->ctx, 1, s->scratch, (int)n, t->start, u->end);
        }
    }
    for (k = s->nforms ? s->form_head[t->hash & (SYNTH_BUCKETS - 1)] : -1; rc == 0 && k >= 0;
         k = s->forms[k].next) {
        const synth_form *f = &s->forms[k];
        int w;
        if (f->nfirst == (size_t)t->n && memcmp(f->first, t->text, f->nfirst) == 0 &&
            form_here(s, f)) {
            size_t n = form_token(f->stems, f->n, 1, s->scratch);
            rc = s->fn(s->ctx, 1, s->scratch, (int)n, t->start,
                       ring_at(s, f->nwords - 1)->end);
            /* its later words have their own tokens, so that a phrase of
             * them is as long as the form (rank.c's title coverage, the
             * highlight) and all of its terms are rare */
            for (w = 2; w <= f->nwords; w++) {
                synth_tok *later = ring_at(s, w - 1);
                if (later->nlater < SYNTH_LATER) {
                    later->later[later->nlater] = k;
                    later->later_word[later->nlater++] = (unsigned char)w;
                }
            }
        }
    }
    for (k = 0; rc == 0 && k < t->nlater; k++) {
        const synth_form *f = &s->forms[t->later[k]];
        size_t n = form_token(f->stems, f->n, t->later_word[k], s->scratch);
        rc = s->fn(s->ctx, 1, s->scratch, (int)n, t->start, t->end);
    }
    s->head = (s->head + 1) % SYNTH_WINDOW;
    s->count--;
    return rc;
}

static int synth_take(void *ctx, const char *tok, int ntok, int start, int end)
{
    eaf__synth *s = ctx;
    synth_tok *t;

    if (!tok || ntok <= 0 || ntok > EAF__TOKEN_MAX) {
        /* no word to pair with (cannot happen for a document's tokens):
         * what is held leaves first, and this one goes as it is */
        while (s->count > 0 && s->rc == 0)
            s->rc = synth_flush_one(s);
        if (s->rc == 0)
            s->rc = s->fn(s->ctx, 0, tok, ntok, start, end);
        return s->rc;
    }
    if (s->count == s->window && (s->rc = synth_flush_one(s)) != 0)
        return s->rc;
    t = ring_at(s, s->count++);
    memcpy(t->text, tok, (size_t)ntok);
    t->n = ntok;
    t->start = start;
    t->end = end;
    t->hash = synth_hash(tok, (size_t)ntok);
    t->common = s->ncom > 0 && is_common_hashed(s, tok, (size_t)ntok, t->hash);
    t->nlater = 0;
    return 0;
}

int eaf__synth_tokenize(eaf__synth *s, eaf__synth_source source, void *src,
                        eaf__synth_fn fn, void *ctx)
{
    int rc;

    s->head = s->count = 0;
    s->fn = fn;
    s->ctx = ctx;
    s->rc = 0;
    rc = source(src, synth_take, s);
    if (rc == 0)
        rc = s->rc;
    while (rc == 0 && s->count > 0)
        rc = synth_flush_one(s);
    s->count = 0;
    return rc;
}
