/*
 * tokenize_fuzz.c: a fuzz target for the tokenizer.
 *
 * Any bytes, in every mode (a document, a query, a prefix query, folding
 * only) and with and without stemming, must tokenize without a crash, a
 * leak or undefined behaviour, and every token must keep the promises of
 * tokenize.h: a non-empty token of at most EAF__TOKEN_MAX bytes with
 * offsets inside the text (start < end <= n), and in a document tokens in
 * the order of the text.  eaf__fold_value() must fold the same bytes.
 * With the synthetic tokens (eaf__synth_tokenize()), a document gives the
 * same words, each synthetic token colocated after a word and only they
 * colocated.
 * Built with clang -fsanitize=fuzzer by --enable-fuzzers; otherwise linked
 * with standalone.c, which replays the corpus in make check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tokenize.h"

#define MAX_INPUT 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct check {
    size_t n;
    int last_start;
    unsigned mode;
    int raw;          /* a query of one raw index term, passed as it is */
    unsigned long tokens;
} check;

static int on_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    check *c = ctx;

    if (ntok <= 0 || ntok > EAF__TOKEN_MAX || !tok)
        abort();
    if (start < 0 || end <= start || (size_t)end > c->n)
        abort();
    /* a document's tokens come in the order of the text (bigrams of a
     * CJK run overlap, so only the starts are ordered) */
    if (c->mode == EAF__TOK_DOC && start < c->last_start)
        abort();
    if (!c->raw && memchr(tok, '\0', (size_t)ntok))
        abort();
    c->last_start = start;
    c->tokens++;
    return 0;
}

static eaf__tokenizer *stemmed, *plain;
static eaf__synth *synth;

typedef struct synth_check {
    size_t n;
    unsigned long words, synthetic;
} synth_check;

static int on_synth(void *ctx, int colocated, const char *tok, int ntok, int start, int end)
{
    synth_check *c = ctx;

    if (ntok <= 0 || ntok > EAF__TOKEN_MAX || !tok)
        abort();
    if (start < 0 || end <= start || (size_t)end > c->n)
        abort();
    if (!colocated != !eaf__token_is_synthetic(tok, (size_t)ntok))
        abort(); /* only the synthetic tokens are colocated */
    if (colocated && c->words == 0)
        abort(); /* and always after a word */
    if (colocated)
        c->synthetic++;
    else
        c->words++;
    return 0;
}

typedef struct fuzz_source {
    const char *text;
    size_t n;
} fuzz_source;

static int source_text(void *src, eaf__token_fn fn, void *ctx)
{
    fuzz_source *f = src;

    return eaf__tokenize(stemmed, EAF__TOK_DOC, f->text, f->n, fn, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned modes[] = {EAF__TOK_DOC, EAF__TOK_QUERY,
                                     EAF__TOK_QUERY | EAF__TOK_PREFIX,
                                     EAF__TOK_QUERY | EAF__TOK_NOSTEM};
    const char *text = (const char *)data;
    size_t i;
    char *folded;

    if (size > MAX_INPUT)
        size = MAX_INPUT;
    /* one tokenizer per language for the whole run, as FTS5 keeps one per
     * table: state left over from one input must not spoil the next */
    if (!stemmed && eaf__tokenizer_new(&stemmed, "english") != EAF_OK)
        abort();
    if (!plain && eaf__tokenizer_new(&plain, "none") != EAF_OK)
        abort();
    for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        check c = {size, 0, modes[i], 0, 0};
        c.raw = (modes[i] & EAF__TOK_QUERY) && size > 1 &&
                (text[0] == EAF__RAW_TERM || text[0] == EAF__SYNTH_TERM ||
                 (text[0] == EAF__FEEDBACK_TERM && size > 2) ||
                 (text[0] == '\x02' && text[1] == EAF__SYNTH_TERM && size > 2));
        int rc = eaf__tokenize(i % 2 ? plain : stemmed, modes[i], text, size, on_token, &c);
        if (rc != 0 && rc != -1)
            abort();
    }
    if (!synth && eaf__synth_new(&synth, "english") != EAF_OK)
        abort();
    {
        synth_check sc = {size, 0, 0};
        check c = {size, 0, EAF__TOK_DOC, 0, 0};
        fuzz_source f = {text, size};
        int rc = eaf__synth_tokenize(synth, source_text, &f, on_synth, &sc);

        if (rc != 0 && rc != -1)
            abort();
        /* the same words as without them */
        if (rc == 0 && eaf__tokenize(stemmed, EAF__TOK_DOC, text, size, on_token, &c) == 0 &&
            c.tokens != sc.words)
            abort();
    }
    folded = eaf__fold_value(text, size);
    if (folded) {
        /* folded words joined by single spaces: no space at either end,
         * never two in a row */
        size_t k = strlen(folded);
        if (k > 0 && (folded[0] == ' ' || folded[k - 1] == ' '))
            abort();
        if (strstr(folded, "  "))
            abort();
        eaf__free(folded);
    }
    return 0;
}
