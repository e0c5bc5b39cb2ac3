/*
 * fts.c: the FTS5 tokenizer "eaf", a thin layer over tokenize.c.
 *
 * Its arguments in a table definition are the Snowball language,
 * tokenize='eaf english'.  Query text, documents and the text highlighted
 * by snippets all go through the same code, so offsets point into the
 * original bytes.  Text tokenized for an auxiliary function
 * (FTS5_TOKENIZE_AUX: the snippets) is folded but not stemmed: the
 * tokens, positions and offsets are those of the index, only the words
 * are left as they are, and stemming was a third of a snippet's cost.
 * This file is also compiled into the loadable SQLite extension, where it
 * reaches SQLite through the extension API.
 */
#include "tokenize.h"
#include "fts.h"

#ifdef EAF_SQLITE_EXTENSION
SQLITE_EXTENSION_INIT3
#endif

#include <string.h>

/* The tokenizer FTS5 holds: ours, its synthetic tokens (tokenize='eaf
 * LANGUAGE synth', schema 6; NULL: none), and where tokens made ahead
 * are. */
typedef struct fts_tokenizer {
    eaf__tokenizer *t;
    eaf__synth *synth;
    const eaf__fts_prepared *prepared;
} fts_tokenizer;

typedef struct token_ctx {
    void *ctx;
    int (*x_token)(void *, int, const char *, int, int, int);
    int rc;
} token_ctx;

static int tok_create(void *user, const char **args, int nargs,
                      Fts5Tokenizer **out)
{
    fts_tokenizer *ft;
    const char *language = nargs > 0 ? args[0] : "english";
    eaf_status st;

    *out = NULL;
    if (nargs > 2 || (nargs == 2 && strcmp(args[1], EAF__FTS_SYNTH) != 0))
        return SQLITE_ERROR;
    ft = eaf__calloc(1, sizeof(*ft));
    if (!ft)
        return SQLITE_NOMEM;
    st = eaf__tokenizer_new(&ft->t, language);
    if (st == EAF_OK && nargs == 2)
        st = eaf__synth_new(&ft->synth, language);
    if (st != EAF_OK) {
        eaf__tokenizer_free(ft->t);
        eaf__free(ft);
        return st == EAF_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
    }
    eaf__tokenizer_cache_stems(ft->t, EAF__STEM_SLOTS_INDEX);
    ft->prepared = user;
    *out = (Fts5Tokenizer *)ft;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *tok)
{
    fts_tokenizer *ft = (fts_tokenizer *)tok;

    if (!ft)
        return;
    eaf__tokenizer_free(ft->t);
    eaf__synth_free(ft->synth);
    eaf__free(ft);
}

static int pass_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    token_ctx *c = ctx;

    c->rc = c->x_token(c->ctx, 0, tok, ntok, start, end);
    return c->rc != SQLITE_OK;
}

static int pass_synth(void *ctx, int colocated, const char *tok, int ntok, int start,
                      int end)
{
    token_ctx *c = ctx;

    c->rc = c->x_token(c->ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, tok, ntok, start, end);
    return c->rc != SQLITE_OK;
}

/* A document's tokens for the synthetic ones: made ahead, or made now. */
typedef struct doc_source {
    fts_tokenizer *ft;
    const char *text;
    size_t n;
} doc_source;

static int doc_tokens(void *src, eaf__token_fn fn, void *ctx)
{
    doc_source *d = src;
    int rc;

    if (d->ft->prepared &&
        d->ft->prepared->replay(d->ft->prepared->set, d->text, d->n, fn, ctx, &rc))
        return rc;
    return eaf__tokenize(d->ft->t, EAF__TOK_DOC, d->text, d->n, fn, ctx);
}

static int tok_tokenize(Fts5Tokenizer *tok, void *ctx, int flags,
                        const char *text, int ntext,
                        int (*x_token)(void *, int, const char *, int, int, int))
{
    fts_tokenizer *ft = (fts_tokenizer *)tok;
    token_ctx c;
    unsigned mode = EAF__TOK_DOC;
    int rc;

    if (flags & FTS5_TOKENIZE_QUERY) {
        mode = EAF__TOK_QUERY;
        if (flags & FTS5_TOKENIZE_PREFIX)
            mode |= EAF__TOK_PREFIX;
    } else if (flags & FTS5_TOKENIZE_AUX) {
        mode |= EAF__TOK_NOSTEM;
    }
    c.ctx = ctx;
    c.x_token = x_token;
    c.rc = SQLITE_OK;
    if (ntext <= 0)
        return SQLITE_OK;
    if (mode == EAF__TOK_DOC && ft->synth) {
        doc_source d = {ft, text, (size_t)ntext};
        rc = eaf__synth_tokenize(ft->synth, doc_tokens, &d, pass_synth, &c);
        return rc < 0 && c.rc == SQLITE_OK ? SQLITE_NOMEM : c.rc;
    }
    if (mode == EAF__TOK_DOC && ft->prepared &&
        ft->prepared->replay(ft->prepared->set, text, (size_t)ntext, pass_token, &c, &rc))
        return rc < 0 ? SQLITE_NOMEM : c.rc;
    rc = eaf__tokenize(ft->t, mode, text, (size_t)ntext, pass_token, &c);
    if (rc < 0)
        return SQLITE_NOMEM;
    return c.rc;
}

static fts5_api *get_fts5_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;

    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int eaf__fts_register(sqlite3 *db, int ours, const eaf__fts_prepared *prepared,
                      eaf__rank_report *report, const char **errmsg)
{
    static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
    fts5_api *api = get_fts5_api(db);
    int rc;

    if (!api || api->iVersion < 2) {
        if (errmsg)
            *errmsg = "this SQLite has no FTS5 (version 2 or later)";
        return SQLITE_ERROR;
    }
    rc = api->xCreateTokenizer(api, EAF__FTS_TOKENIZER, (void *)prepared, &tokenizer, NULL);
    if (rc == SQLITE_OK)
        rc = eaf__rank_register(api, ours ? db : NULL, report);
    if (rc == SQLITE_OK)
        rc = eaf__snippet_register(api);
    return rc;
}
