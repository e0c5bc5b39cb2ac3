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

typedef struct token_ctx {
    void *ctx;
    int (*x_token)(void *, int, const char *, int, int, int);
    int rc;
} token_ctx;

static int tok_create(void *unused, const char **args, int nargs,
                      Fts5Tokenizer **out)
{
    eaf__tokenizer *t = NULL;
    const char *language = nargs > 0 ? args[0] : "english";
    eaf_status st;

    (void)unused;
    *out = NULL;
    if (nargs > 1)
        return SQLITE_ERROR;
    st = eaf__tokenizer_new(&t, language);
    if (st == EAF_NOMEM)
        return SQLITE_NOMEM;
    if (st != EAF_OK)
        return SQLITE_ERROR;
    eaf__tokenizer_cache_stems(t, EAF__STEM_SLOTS_INDEX);
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
    eaf__tokenizer_free((eaf__tokenizer *)t);
}

static int pass_token(void *ctx, const char *tok, int ntok, int start, int end)
{
    token_ctx *c = ctx;

    c->rc = c->x_token(c->ctx, 0, tok, ntok, start, end);
    return c->rc != SQLITE_OK;
}

static int tok_tokenize(Fts5Tokenizer *tok, void *ctx, int flags,
                        const char *text, int ntext,
                        int (*x_token)(void *, int, const char *, int, int, int))
{
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
    rc = eaf__tokenize((eaf__tokenizer *)tok, mode, text, (size_t)ntext,
                       pass_token, &c);
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

int eaf__fts_register(sqlite3 *db, int ours, const char **errmsg)
{
    static fts5_tokenizer tokenizer = {tok_create, tok_delete, tok_tokenize};
    fts5_api *api = get_fts5_api(db);
    int rc;

    if (!api || api->iVersion < 2) {
        if (errmsg)
            *errmsg = "this SQLite has no FTS5 (version 2 or later)";
        return SQLITE_ERROR;
    }
    rc = api->xCreateTokenizer(api, EAF__FTS_TOKENIZER, NULL, &tokenizer, NULL);
    if (rc == SQLITE_OK)
        rc = eaf__rank_register(api, ours ? db : NULL);
    if (rc == SQLITE_OK)
        rc = eaf__snippet_register(api);
    return rc;
}
