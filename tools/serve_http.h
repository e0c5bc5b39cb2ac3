/*
 * serve_http.h: what eafserve.c (the daemon) and serve_req.c (a request's
 * parameters and the JSON API) share, beside serve.h.  Nothing here knows
 * about libmicrohttpd: eafserve.c copies a request's query string into a
 * serve_params, and takes back a status and a body.
 */
#ifndef EAF_TOOLS_SERVE_HTTP_H
#define EAF_TOOLS_SERVE_HTTP_H

#include <stdint.h>

#include "serve.h"

/* The most parameters a query string may hold (413 past it), and the
 * longest request target (414 past it). */
#define SERVE_MAX_PARAMS 64
#define SERVE_MAX_URL 8192

/* The query string's parameters, in order; repeated names repeat. */
typedef struct serve_param {
    const char *name;
    const char *value;   /* "" when the parameter has no value */
    size_t len;          /* of value: it may hold a NUL byte */
} serve_param;

typedef struct serve_params {
    serve_param v[SERVE_MAX_PARAMS];
    size_t n;
    int too_many;        /* some were left out: more than SERVE_MAX_PARAMS */
} serve_params;

/* The first value of name, or NULL. */
const char *param_get(const serve_params *p, const char *name);

/*
 * Reads the parameters of a search (the page at / and /api/search) into r.
 * Returns 0, or the HTTP status of the problem (400, 413) with its message
 * in why.  r points into p, which must outlive it.
 */
int search_req_read(search_req *r, const serve_params *p, sbuf *why);

/* What /api/stats reports of the server itself. */
typedef struct serve_stats {
    double uptime;          /* seconds */
    uint64_t requests;      /* served so far */
    unsigned threads;
    unsigned time_limit;    /* ms; 0: none */
} serve_stats;

/*
 * The JSON API.  Each writes the whole body (the answer, or an error object)
 * and returns the HTTP status.  db is the worker's read handle; the time
 * limit is already set on it.  started is when the request began (for
 * telling a timeout from another failure).
 */
int api_search(sbuf *out, eaf_db *db, const serve_params *p);
int api_related(sbuf *out, eaf_db *db, const char *key, const serve_params *p);
int api_article(sbuf *out, eaf_db *db, const char *key);
int api_suggest(sbuf *out, eaf_db *db, const serve_params *p);
int api_stats(sbuf *out, eaf_db *db, uint64_t generation, const serve_stats *st);

/* {"error": {"status": S, "message": M[, "offset": N]}} (offset < 0: none);
 * returns status. */
int api_error(sbuf *out, int status, const char *message, int offset);

/* The HTTP status of a failed call on db (st its status): 404 not found,
 * 400 syntax, 503 over the time limit or busy, else 500. */
int status_of(eaf_status st);

/* The OpenAPI 3 document of the API (serve_openapi.c); "@BASE@" in it
 * stands for the base path. */
extern const char serve_openapi[];

#endif
