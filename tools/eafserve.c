/*
 * eafserve: the archive's search page and JSON API, served from an index.
 *
 *   eafserve [-d DB] [--listen ADDR:PORT] [--threads N] [--base-path /search] ...
 *
 * libmicrohttpd parses HTTP and runs a pool of worker threads; each worker
 * opens its own read-only handle on the index the first time it answers,
 * and keeps it (a read handle is for one thread at a time).  A search holds
 * one snapshot of the index from its start to its end, so that a request
 * never sees half of a batch that eafindex commits meanwhile, and the next
 * request sees the batch.  SIGHUP makes every worker open its handle again
 * before its next request and reopens the access log; so does a new file
 * at the index's path (a snapshot renamed into place: eafindex
 * --snapshot), which the main thread looks for once a second.  A request
 * under way finishes on the handle it began with; every request that
 * starts after the change reads the new file, and says which generation
 * of the index answered it (X-Eaf-Generation).  SIGTERM and SIGINT stop
 * accepting, let the requests in flight finish, and end the program.
 *
 * This file is the program: options, the daemon, the handles, signals,
 * routing, the headers every response carries (caching, compression, the
 * security policy) and the access log.  The JSON API is serve_req.c, the
 * pages serve_page.c.
 */
#include "serve_http.h"
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <zlib.h>

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define DEFAULT_THREADS 4
#define MAX_THREADS 256
#define DEFAULT_TIME_LIMIT 5000    /* ms */
#define DEFAULT_CONNECTIONS 1024
#define CONNECTION_TIMEOUT 30      /* s: an idle or trickling client is dropped */
#define CONNECTION_MEMORY (64 * 1024) /* a request's line and headers */
#define MAX_FRAGMENT (256 * 1024)  /* --header and --footer files */

/* the security policy of every response; the embed may be framed anywhere */
#define CSP_START "default-src 'none'; style-src 'self'; script-src 'self'; " \
    "img-src 'self' http: https:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
#define CSP_PAGES CSP_START "frame-ancestors 'none'"
#define CSP_EMBED CSP_START "frame-ancestors *"

/* ---- the server's state ------------------------------------------------------------ */

typedef struct server {
    const char *db_path;
    serve_site site;
    unsigned time_limit;           /* ms; 0: none */
    unsigned threads;
    size_t base_len;
    char *openapi;                 /* serve_openapi with the base path */
    uint64_t config_tag;           /* of the options that change the pages */
    uint64_t asset_tag;            /* of the static assets */
    const char *log_path;          /* NULL: no access log */
    FILE *log;
    pthread_mutex_t log_lock;
    struct timespec started;
    time_t started_wall;
    char fallback_origin[96];      /* http://ADDR:PORT, when Host will not do */
} server;

static server S;

/* Bumped by SIGHUP and by a new file at the index's path: a worker whose
 * handle is older opens it again. */
static unsigned reopen_gen;
static uint64_t requests_served;
static int inflight;

/* When the index was last seen to change: its generation, and the time. */
static pthread_mutex_t gen_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t seen_gen;
static int seen_any;
static time_t seen_gen_time;

/* ---- one read handle per worker thread ------------------------------------------------ */

typedef struct worker {
    eaf_db *db;
    unsigned gen;      /* reopen_gen when db was opened */
} worker;

static pthread_key_t worker_key;

static void worker_free(void *p)
{
    worker *w = p;

    if (w) {
        eaf_db_close(w->db);
        free(w);
    }
}

/* The handle of the calling worker, opened when it has none or SIGHUP came
 * since; NULL when the index cannot be opened (said on stderr). */
static eaf_db *worker_db(void)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    worker *w = pthread_getspecific(worker_key);
    unsigned gen = __atomic_load_n(&reopen_gen, __ATOMIC_ACQUIRE);
    char *msg = NULL;

    if (!w) {
        w = calloc(1, sizeof(*w));
        if (!w || pthread_setspecific(worker_key, w) != 0) {
            free(w);
            return NULL;
        }
    }
    if (w->db && w->gen != gen) {
        eaf_db_close(w->db);
        w->db = NULL;
    }
    if (!w->db) {
        oo.flags = EAF_OPEN_READONLY;
        if (eaf_db_open(&w->db, S.db_path, &oo, &msg) != EAF_OK) {
            warnx_("%s: %s", S.db_path, msg ? msg : "cannot open the index");
            eaf_free(msg);
            w->db = NULL;
            return NULL;
        }
        if (eaf_db_set_time_limit(w->db, S.time_limit) != EAF_OK)
            warnx_("%s: cannot set the time limit: %s", S.db_path, eaf_db_errmsg(w->db));
        w->gen = gen;
    }
    return w->db;
}

/* The time of the index's last change this server saw: the file's when it
 * first looks, then the moment a request finds a new generation. */
static time_t generation_time(uint64_t gen)
{
    time_t t;

    pthread_mutex_lock(&gen_lock);
    if (!seen_any) {
        struct stat st;
        char *wal = malloc(strlen(S.db_path) + 5);
        seen_gen_time = S.started_wall;
        if (stat(S.db_path, &st) == 0)
            seen_gen_time = st.st_mtime;
        if (wal) {
            sprintf(wal, "%s-wal", S.db_path);
            if (stat(wal, &st) == 0 && st.st_mtime > seen_gen_time)
                seen_gen_time = st.st_mtime;
            free(wal);
        }
        seen_any = 1;
        seen_gen = gen;
    } else if (gen != seen_gen) {
        seen_gen = gen;
        seen_gen_time = time(NULL);
    }
    t = seen_gen_time;
    pthread_mutex_unlock(&gen_lock);
    return t;
}

/* ---- a connection and its current request ----------------------------------------------- */

typedef struct conn {
    char *uri;                /* the request target as sent */
    char *referer, *agent;
    char method[16], version[16];
    char addr[INET6_ADDRSTRLEN];
    struct timespec started;
    int called;               /* our handler was called for this request */
    int handled;              /* ... and answered it */
    int counted;              /* in inflight */
    int logged;
    int status;
    size_t bytes;
} conn;

static void conn_reset(conn *cx)
{
    free(cx->uri);
    free(cx->referer);
    free(cx->agent);
    cx->uri = cx->referer = cx->agent = NULL;
    cx->method[0] = cx->version[0] = '\0';
    cx->called = cx->handled = cx->counted = cx->logged = 0;
    cx->status = 0;
    cx->bytes = 0;
}

/* A string of the log: quotes, backslashes and control bytes escaped, so
 * that a request cannot forge lines or fields. */
static void log_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "-");

    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
            fprintf(f, "\\x%02x", *p);
        else
            putc(*p, f);
    }
}

/* One line of the Combined Log Format, and the request's time in
 * microseconds (Apache's %D). */
static void log_request(conn *cx)
{
    char when[64];
    struct tm tm;
    time_t now = time(NULL);
    double secs = seconds_since(&cx->started);

    if (!S.log || cx->logged)
        return;
    cx->logged = 1;
    localtime_r(&now, &tm);
    strftime(when, sizeof(when), "%d/%b/%Y:%H:%M:%S %z", &tm);
    pthread_mutex_lock(&S.log_lock);
    fprintf(S.log, "%s - - [%s] \"", cx->addr[0] ? cx->addr : "-", when);
    log_string(S.log, cx->method[0] ? cx->method : "-");
    putc(' ', S.log);
    log_string(S.log, cx->uri);
    putc(' ', S.log);
    log_string(S.log, cx->version[0] ? cx->version : "-");
    fprintf(S.log, "\" %d ", cx->status ? cx->status : 400);
    if (cx->bytes)
        fprintf(S.log, "%zu", cx->bytes);
    else
        putc('-', S.log);
    fputs(" \"", S.log);
    log_string(S.log, cx->referer);
    fputs("\" \"", S.log);
    log_string(S.log, cx->agent);
    fprintf(S.log, "\" %.0f\n", secs * 1e6);
    fflush(S.log);
    pthread_mutex_unlock(&S.log_lock);
}

static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    conn *cx = *socket_context;

    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci;
        cx = calloc(1, sizeof(*cx));
        *socket_context = cx;
        ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (cx && ci && ci->client_addr) {
            const struct sockaddr *sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                          cx->addr, sizeof(cx->addr));
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6,
                          &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                          cx->addr, sizeof(cx->addr));
        }
        return;
    }
    if (!cx)
        return;
    /* a request libmicrohttpd refused before our handler ran (a header too
     * long, a malformed line) is logged here, as a 400 */
    if (cx->uri && !cx->logged)
        log_request(cx);
    if (cx->counted)
        __atomic_sub_fetch(&inflight, 1, __ATOMIC_ACQ_REL);
    conn_reset(cx);
    free(cx);
    *socket_context = NULL;
}

/* Called first for each request, with its target as sent: what it returns
 * is the request's context (the connection's, which outlives it). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    conn *cx = conn_of(c);

    (void)cls;
    if (!cx)
        return NULL;
    if (cx->uri && !cx->logged)
        log_request(cx);
    conn_reset(cx);
    cx->uri = strdup(uri ? uri : "");
    clock_gettime(CLOCK_MONOTONIC, &cx->started);
    return cx;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    conn *cx = *req_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (!cx)
        return;
    if (cx->handled)
        log_request(cx);
    if (cx->counted) {
        cx->counted = 0;
        __atomic_sub_fetch(&inflight, 1, __ATOMIC_ACQ_REL);
    }
    *req_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fprintf(stderr, "%s: libmicrohttpd: ", progname);
    vfprintf(stderr, fmt, ap);
}

/* ---- a reply -------------------------------------------------------------------------- */

enum cache_kind {
    CACHE_NONE,    /* not cached: errors, /healthz, /api/stats */
    CACHE_INDEX,   /* from the index: ETag of its generation */
    CACHE_STATIC   /* the server's own assets: ETag of their content */
};

typedef struct reply {
    int status;
    const char *type;
    sbuf body;
    const char *fixed;        /* a static body instead of body */
    enum cache_kind cache;
    int embed;                /* may be framed by any site */
    int retry_after;          /* seconds; 0: none */
    int allow;                /* 405: say which methods are */
    int have_gen;             /* answered from the index, of generation gen */
    uint64_t gen;
} reply;

static const char *const TYPE_JSON = "application/json; charset=utf-8";
static const char *const TYPE_HTML = "text/html; charset=utf-8";
static const char *const TYPE_TEXT = "text/plain; charset=utf-8";

/* 64-bit FNV-1a, for the ETags of the configuration and the assets. */
static uint64_t fnv(uint64_t h, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");

    for (; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h * 0x100000001b3ULL; /* the end of each part counts */
}

/* Does the client take gzip (Accept-Encoding, a q of 0 refusing it)? */
static int accepts_gzip(const char *ae)
{
    while (ae && *ae) {
        size_t len = strcspn(ae, ",");
        const char *semi = memchr(ae, ';', len), *q;
        const char *name = ae;
        size_t nlen = semi ? (size_t)(semi - ae) : len;

        while (nlen && (*name == ' ' || *name == '\t'))
            name++, nlen--;
        while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
            nlen--;
        if ((nlen == 4 && strncasecmp(name, "gzip", 4) == 0) ||
            (nlen == 1 && name[0] == '*')) {
            q = semi ? strstr(semi, "q=") : NULL;
            if (!q || q > ae + len || strtod(q + 2, NULL) > 0.0)
                return 1;
        }
        ae += len;
        if (*ae == ',')
            ae++;
    }
    return 0;
}

/* Does If-None-Match name etag (weakly: W/ ignored)? */
static int etag_matches(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);

    while (inm && *inm) {
        size_t len;
        while (*inm == ' ' || *inm == '\t' || *inm == ',')
            inm++;
        if (*inm == '*')
            return 1;
        if (strncmp(inm, "W/", 2) == 0)
            inm += 2;
        len = strcspn(inm, ",");
        while (len && (inm[len - 1] == ' ' || inm[len - 1] == '\t'))
            len--;
        if (len == elen && memcmp(inm, etag, elen) == 0)
            return 1;
        inm += strcspn(inm, ",");
    }
    return 0;
}

/* gzip of data into *out (malloc'd); 0 on success. */
static int gzip(const char *data, size_t len, char **out, size_t *out_len)
{
    z_stream z;
    size_t cap = deflateBound(NULL, (uLong)len) + 32;
    char *buf;

    memset(&z, 0, sizeof(z));
    if (len > 0x7fffffff || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
                                         Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    cap = deflateBound(&z, (uLong)len) + 32;
    buf = malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)buf;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
        deflateEnd(&z);
        free(buf);
        return -1;
    }
    *out_len = z.total_out;
    *out = buf;
    deflateEnd(&z);
    return 0;
}

static void http_date(char *buf, size_t size, time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* Sends the reply with the headers every response carries. */
static enum MHD_Result send_reply(struct MHD_Connection *c, conn *cx, reply *r,
                                  const char *etag, time_t modified, int gz)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char *data = NULL, date[64], retry[16];
    size_t len = 0;

    if (r->status == 304) {
        resp = MHD_create_response_from_buffer(0, (void *)(uintptr_t)"",
                                               MHD_RESPMEM_PERSISTENT);
    } else {
        const char *src = r->fixed;
        size_t srclen = src ? strlen(src) : 0;
        if (!src) {
            if (r->body.failed) {
                sbuf_free(&r->body);
                r->status = 500;
                r->cache = CACHE_NONE;
                src = r->type == TYPE_JSON ? "{\"error\": {\"status\": 500, \"message\": "
                                             "\"out of memory\"}}\n" : "out of memory\n";
                srclen = strlen(src);
            } else {
                src = r->body.data ? r->body.data : "";
                srclen = r->body.len;
            }
        }
        if (gz && gzip(src, srclen, &data, &len) == 0) {
            sbuf_free(&r->body);
        } else {
            gz = 0;
            if (!r->fixed && r->body.data && src == r->body.data) {
                data = sbuf_take(&r->body, &len);
            } else {
                data = malloc(srclen + 1);
                if (data)
                    memcpy(data, src, srclen);
                len = srclen;
            }
            if (!data)
                len = 0;
        }
        resp = data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE)
                    : MHD_create_response_from_buffer(0, (void *)(uintptr_t)"",
                                                      MHD_RESPMEM_PERSISTENT);
        if (!resp)
            free(data);
    }
    if (!resp)
        return MHD_NO;
    if (r->status != 304)
        MHD_add_response_header(resp, "Content-Type", r->type);
    if (gz)
        MHD_add_response_header(resp, "Content-Encoding", "gzip");
    MHD_add_response_header(resp, "Vary", "Accept-Encoding");
    if (etag) {
        MHD_add_response_header(resp, "ETag", etag);
        http_date(date, sizeof(date), modified);
        MHD_add_response_header(resp, "Last-Modified", date);
        MHD_add_response_header(resp, "Cache-Control", r->cache == CACHE_STATIC
                                ? "public, max-age=3600" : "no-cache");
    } else {
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    }
    MHD_add_response_header(resp, "Content-Security-Policy", r->embed ? CSP_EMBED : CSP_PAGES);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (!r->embed)
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (r->retry_after) {
        snprintf(retry, sizeof(retry), "%d", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", retry);
    }
    if (r->allow)
        MHD_add_response_header(resp, "Allow", "GET, HEAD");
    if (r->have_gen) {
        /* which snapshot answered: replicas behind a balancer are told
         * apart by it, and a client sees when a new one is served */
        char g[24];
        snprintf(g, sizeof(g), "%llu", (unsigned long long)r->gen);
        MHD_add_response_header(resp, "X-Eaf-Generation", g);
    }
    cx->status = r->status;
    cx->bytes = r->status == 304 ? 0 : len;
    ret = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    sbuf_free(&r->body);
    return ret;
}

/* ---- routing -------------------------------------------------------------------------- */

typedef struct request {
    struct MHD_Connection *c;
    const char *path;      /* after the base path, "/..." */
    int api;               /* answers in JSON */
    serve_params params;
    serve_site site;       /* S.site, with public_url from Host when unset */
    char origin[512];      /* scheme://host[:port] of the request */
} request;

/* An error as the route answers: JSON for the API, else a page. */
static void error_reply(reply *r, const request *rq, int status, const char *message)
{
    r->status = status;
    r->cache = CACHE_NONE;
    r->body.len = 0;
    if (rq->api) {
        r->type = TYPE_JSON;
        api_error(&r->body, status, message, -1);
    } else {
        r->type = TYPE_HTML;
        r->body.len = 0;
        if (r->body.data)
            r->body.data[0] = '\0';
        r->status = page_error(&r->body, &rq->site, status, message);
        if (r->status != status)
            r->status = status;
    }
    if (status == 503)
        r->retry_after = 1;
}

static enum MHD_Result add_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                 size_t key_size, const char *value, size_t value_size)
{
    serve_params *p = cls;

    (void)kind;
    (void)key_size;
    if (p->n == SERVE_MAX_PARAMS) {
        p->too_many = 1;
        return MHD_NO;
    }
    p->v[p->n].name = key ? key : "";
    p->v[p->n].value = value ? value : "";
    p->v[p->n].len = value ? value_size : 0;
    p->n++;
    return MHD_YES;
}

/* Is a Host header plain enough to build links from (letters, digits, the
 * dots, colons, brackets and dashes of a name, an address and a port)? */
static int plain_host(const char *h)
{
    size_t n = h ? strlen(h) : 0;

    return n > 0 && n < 256 &&
           strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n;
}

/* The route of a path: its name after the prefix, or NULL. */
static const char *after(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(path, prefix, n) == 0 ? path + n : NULL;
}

/* Routes that answer from the index.  Each fills r. */
static void route_index(reply *r, request *rq, eaf_db *db, uint64_t gen)
{
    const char *p = rq->path, *key;
    search_req sr;
    sbuf why = SBUF_INIT;
    int st;

    r->cache = CACHE_INDEX;
    if (strcmp(p, "/") == 0) {
        r->type = TYPE_HTML;
        if ((st = search_req_read(&sr, &rq->params, &why)) != 0) {
            error_reply(r, rq, st, why.failed ? "out of memory" : why.data);
        } else {
            sr.facets = 1; /* the page always shows them */
            r->status = page_search(&r->body, &rq->site, db, &sr);
        }
    } else if ((key = after(p, "/article/")) != NULL) {
        const char *why_p = param_get(&rq->params, "why");
        r->type = TYPE_HTML;
        r->status = page_article(&r->body, &rq->site, db, key,
                                 why_p && strcmp(why_p, "0") != 0);
    } else if ((key = after(p, "/embed/related/")) != NULL) {
        r->type = TYPE_HTML;
        r->embed = 1;
        r->status = page_related_fragment(&r->body, &rq->site, db, key);
    } else if (strcmp(p, "/api/search") == 0) {
        r->type = TYPE_JSON;
        r->status = api_search(&r->body, db, &rq->params);
    } else if ((key = after(p, "/api/related/")) != NULL) {
        r->type = TYPE_JSON;
        r->status = api_related(&r->body, db, key, &rq->params);
    } else if ((key = after(p, "/api/article/")) != NULL) {
        r->type = TYPE_JSON;
        r->status = api_article(&r->body, db, key);
    } else if (strcmp(p, "/api/suggest") == 0) {
        r->type = TYPE_JSON;
        r->status = api_suggest(&r->body, db, &rq->params);
    } else if (strcmp(p, "/api/stats") == 0) {
        serve_stats stats;
        stats.uptime = seconds_since(&S.started);
        stats.requests = __atomic_load_n(&requests_served, __ATOMIC_RELAXED);
        stats.threads = S.threads;
        stats.time_limit = S.time_limit;
        r->type = TYPE_JSON;
        r->cache = CACHE_NONE;
        r->status = api_stats(&r->body, db, gen, &stats);
    } else if (strcmp(p, "/healthz") == 0) {
        int64_t count;
        r->type = TYPE_TEXT;
        r->cache = CACHE_NONE;
        if (eaf_db_count(&count, db) == EAF_OK) {
            r->status = 200;
            r->fixed = "ok\n";
        } else {
            r->status = 503;
            r->fixed = "the index does not answer\n";
            r->retry_after = 1;
        }
    }
    sbuf_free(&why);
    if (r->status != 200)
        r->cache = CACHE_NONE;
    if (r->status == 503)
        r->retry_after = 1;
}

/* Does the path need the index (route_index answers it)? */
static int needs_index(const char *p)
{
    return strcmp(p, "/") == 0 || after(p, "/article/") || after(p, "/embed/related/") ||
           strcmp(p, "/api/search") == 0 || after(p, "/api/related/") ||
           after(p, "/api/article/") || strcmp(p, "/api/suggest") == 0 ||
           strcmp(p, "/api/stats") == 0 || strcmp(p, "/healthz") == 0;
}

/* Does the request target (as sent) hold a NUL byte (%00), which the
 * decoded path would lose everything after? */
static int has_nul(const char *uri)
{
    const char *p;

    for (p = uri; (p = strchr(p, '%')) != NULL; p++)
        if (p[1] == '0' && p[2] == '0')
            return 1;
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    conn scratch, *cx = *req_cls;
    request rq;
    reply r;
    const char *cl, *host, *ae, *v;
    char etag[80];
    time_t modified = S.started_wall;
    uint64_t gen = 0;
    int gz, cacheable_path;

    (void)cls;
    (void)upload_data;
    if (!cx) { /* no context (out of memory): answer, unlogged */
        memset(&scratch, 0, sizeof(scratch));
        cx = &scratch;
    }
    if (cx->handled) { /* a body we did not ask for: drop it */
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* The first call comes with the headers only: a response queued then is
     * sent with Connection: close (libmicrohttpd has not read to the end of
     * the request), so for a request without a body the answer waits for
     * the next call, which comes at once, and the connection stays open for
     * the client's next request.  A request with a body is answered (405,
     * 413) at the first call, and its connection closed. */
    if (cx != &scratch && !cx->called) {
        cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        cx->called = 1;
        if ((!cl || strcmp(cl, "0") == 0) &&
            !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding"))
            return MHD_YES;
    }
    cx->handled = 1;
    __atomic_add_fetch(&requests_served, 1, __ATOMIC_RELAXED);
    if (cx != &scratch) {
        cx->counted = 1;
        __atomic_add_fetch(&inflight, 1, __ATOMIC_ACQ_REL);
    }
    snprintf(cx->method, sizeof(cx->method), "%s", method);
    snprintf(cx->version, sizeof(cx->version), "%s", version);
    if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Referer")) != NULL)
        cx->referer = strdup(v);
    if ((v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent")) != NULL)
        cx->agent = strdup(v);

    memset(&rq, 0, sizeof(rq));
    memset(&r, 0, sizeof(r));
    rq.c = c;
    rq.site = S.site;
    r.status = 200;
    r.type = TYPE_HTML;
    host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    snprintf(rq.origin, sizeof(rq.origin), "%s", S.fallback_origin);
    if (plain_host(host))
        snprintf(rq.origin, sizeof(rq.origin), "http://%s", host);
    if (!rq.site.public_url) {
        static __thread char public_url[1024];
        snprintf(public_url, sizeof(public_url), "%s%s", rq.origin, S.site.base_path);
        rq.site.public_url = public_url;
    }

    /* the path under the base path */
    rq.path = url;
    if (S.base_len) {
        if (strncmp(url, S.site.base_path, S.base_len) != 0 ||
            (url[S.base_len] != '\0' && url[S.base_len] != '/'))
            rq.path = NULL;
        else
            rq.path = url[S.base_len] ? url + S.base_len : "/";
    }
    rq.api = rq.path && (after(rq.path, "/api/") || strcmp(rq.path, "/api") == 0);

    cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        error_reply(&r, &rq, 405, "only GET and HEAD are served");
        r.allow = 1;
    } else if (cx->uri && strlen(cx->uri) > SERVE_MAX_URL) {
        error_reply(&r, &rq, 414, "the request's URL is too long");
    } else if ((cl && strcmp(cl, "0") != 0) ||
               MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding")) {
        error_reply(&r, &rq, 413, "a GET request has no body");
    } else if (cx->uri && has_nul(cx->uri)) {
        error_reply(&r, &rq, 400, "a NUL byte in the request");
    } else if (!rq.path) {
        error_reply(&r, &rq, 404, "no such page");
    } else {
        MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, add_param, &rq.params);
    }

    ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    gz = accepts_gzip(ae);
    etag[0] = '\0';
    cacheable_path = 0;
    if (r.status == 200) {
        const char *p = rq.path;
        if (strcmp(p, "/static/style.css") == 0 || strcmp(p, "/static/complete.js") == 0) {
            int css = p[8] == 's';
            r.type = css ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            r.fixed = css ? serve_stylesheet : serve_script;
            r.cache = CACHE_STATIC;
            snprintf(etag, sizeof(etag), "\"s%016llx%s\"",
                     (unsigned long long)fnv(S.asset_tag, r.fixed), gz ? "-gz" : "");
            cacheable_path = 1;
        } else if (strcmp(p, "/api/openapi.json") == 0) {
            r.type = TYPE_JSON;
            r.fixed = S.openapi;
            r.cache = CACHE_STATIC;
            snprintf(etag, sizeof(etag), "\"o%016llx%s\"",
                     (unsigned long long)fnv(S.config_tag, S.openapi), gz ? "-gz" : "");
            cacheable_path = 1;
        } else if (strcmp(p, "/opensearch.xml") == 0) {
            r.type = "application/opensearchdescription+xml; charset=utf-8";
            r.status = page_opensearch(&r.body, &rq.site, rq.origin);
        } else if (needs_index(p)) {
            eaf_db *db = worker_db();
            if (!db || eaf_db_generation(&gen, db) != EAF_OK) {
                error_reply(&r, &rq, 503, "the index cannot be read now");
            } else {
                r.have_gen = 1;
                r.gen = gen;
                modified = generation_time(gen);
                snprintf(etag, sizeof(etag), "\"%016llx-%08llx%s\"", (unsigned long long)gen,
                         (unsigned long long)(S.config_tag & 0xffffffffu), gz ? "-gz" : "");
                cacheable_path = strcmp(p, "/api/stats") != 0 && strcmp(p, "/healthz") != 0;
                if (cacheable_path &&
                    etag_matches(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                             "If-None-Match"), etag)) {
                    r.status = 304;
                    r.cache = CACHE_INDEX;
                } else {
                    route_index(&r, &rq, db, gen);
                }
            }
        } else {
            error_reply(&r, &rq, 404, rq.api ? "no such API route" : "no such page");
        }
        if (r.status == 200 && r.cache == CACHE_STATIC &&
            etag_matches(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"),
                         etag))
            r.status = 304;
    }
    if (!cacheable_path || (r.status != 200 && r.status != 304) || r.cache == CACHE_NONE)
        return send_reply(c, cx, &r, NULL, 0, gz);
    return send_reply(c, cx, &r, etag, modified, gz);
}

/* ---- options -------------------------------------------------------------------------- */

typedef struct args {
    const char *dbopt, *listen, *base_path, *site_name, *logo, *header_file, *footer_file,
        *public_url, *access_log, *pid_file, *port_file;
    unsigned threads, time_limit, connections;
} args;

/* A number option: the row's value is its least, and these its most. */
static long number_max(const char *name)
{
    return strcmp(name, "threads") == 0 ? MAX_THREADS
           : strcmp(name, "time-limit") == 0 ? 3600000L : 100000L;
}

static int opt_number(void *x, const tool_option *o, const char *arg)
{
    unsigned *out = (unsigned *)((char *)x + o->offset);
    long v = parse_count(arg), hi = number_max(o->name);

    if (v < o->value || v > hi) {
        warnx_("--%s needs a number from %d to %ld, not '%s'", o->name, o->value, hi, arg);
        return EXIT_USAGE;
    }
    *out = (unsigned)v;
    return OPT_NEXT;
}

#define AT(member) offsetof(args, member)

static const tool_option options[] = {
    {"db", 'd', required_argument, "FILE",
     "the index (default: $EAFSEARCH_DB, else ./eafsearch.db)", opt_string, AT(dbopt), 0,
     {0, 0}, 1},
    {"listen", 'l', required_argument, "ADDR:PORT",
     "listen there (default: " DEFAULT_LISTEN "; port 0:\n"
     "any free port, printed on stderr)", opt_string, AT(listen), 0, {0, 0}, 2},
    {"threads", 't', required_argument, "N", "worker threads (default: %d)", opt_number,
     AT(threads), 1, {DEFAULT_THREADS, 0}, 3},
    {"time-limit", 0, required_argument, "MS",
     "stop a request's search after MS milliseconds with\n"
     "503 (default: %d; 0: no limit)", opt_number, AT(time_limit), 0,
     {DEFAULT_TIME_LIMIT, 0}, 4},
    {"max-connections", 0, required_argument, "N",
     "the most connections at once (default: %d)", opt_number, AT(connections), 1,
     {DEFAULT_CONNECTIONS, 0}, 5},
    {"base-path", 0, required_argument, "PATH",
     "serve under PATH, such as /search (default: /)", opt_string, AT(base_path), 0,
     {0, 0}, 6},
    {NULL, 0, 0, NULL, "\nThe site:\n", NULL, 0, 0, {0, 0}, 0},
    {"site-name", 0, required_argument, "NAME",
     "the name in the pages' titles and header", opt_string, AT(site_name), 0, {0, 0}, 7},
    {"logo", 0, required_argument, "URL", "an image for the header", opt_string, AT(logo),
     0, {0, 0}, 8},
    {"header", 0, required_argument, "FILE",
     "an HTML fragment for the top of every page (trusted)", opt_string, AT(header_file),
     0, {0, 0}, 9},
    {"footer", 0, required_argument, "FILE",
     "an HTML fragment for the bottom of every page", opt_string, AT(footer_file), 0,
     {0, 0}, 10},
    {"public-url", 0, required_argument, "URL",
     "the absolute URL the pages are reached at, behind\n"
     "a proxy (for the embed snippet and OpenSearch)", opt_string, AT(public_url), 0,
     {0, 0}, 11},
    {NULL, 0, 0, NULL, "\nRunning:\n", NULL, 0, 0, {0, 0}, 0},
    {"access-log", 0, required_argument, "FILE",
     "log every request there, in the Combined Log\n"
     "Format and its time in microseconds ('-': stdout)", opt_string, AT(access_log), 0,
     {0, 0}, 12},
    {"pid-file", 0, required_argument, "FILE", "write the process id there", opt_string,
     AT(pid_file), 0, {0, 0}, 13},
    {"port-file", 0, required_argument, "FILE",
     "write the port listened on there, once listening", opt_string, AT(port_file), 0,
     {0, 0}, 14},
    {"help", 'h', no_argument, NULL, "show this help and exit", opt_help, 0, 0, {0, 0}, 15},
    {"version", 'V', no_argument, NULL, "show the version and exit", opt_version, 0, 0,
     {0, 0}, 16},
};

static const tool_spec spec = {
    "Usage: %s [OPTION]...\n"
    "Serve an index made by eafindex on the web: the search page, the article\n"
    "pages with their related posts, and the JSON API (/api/search, ...).\n"
    "\n",
    options, sizeof(options) / sizeof(options[0]),
    "\n"
    "Signals: SIGHUP reopens the index and the access log; SIGTERM and SIGINT\n"
    "stop accepting, finish the requests in flight and exit.  A new file moved\n"
    "to the index's path (eafindex --snapshot) is served within a second.\n"
    "See eafserve(8).\n",
    0,
};

/* Reads a trusted fragment file whole; NULL after saying why. */
static char *read_fragment(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;

    if (!f) {
        warnx_("%s: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(MAX_FRAGMENT + 1);
    n = buf ? fread(buf, 1, MAX_FRAGMENT + 1, f) : 0;
    if (!buf || ferror(f) || n > MAX_FRAGMENT) {
        warnx_("%s: %s", path, !buf ? "out of memory" : n > MAX_FRAGMENT
               ? "too large (at most 256 KB)" : "cannot be read");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* ADDR:PORT, [ADDR]:PORT or :PORT into an address to bind; 0 or -1. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    char host[256];
    const char *colon, *port;
    size_t hlen;

    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return -1;
        hlen = (size_t)(end - s - 1);
        s++;
        port = end + 2;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hlen = (size_t)(colon - s);
        port = colon + 1;
    }
    if (hlen >= sizeof(host) || !*port || strspn(port, "0123456789") != strlen(port))
        return -1;
    memcpy(host, s, hlen);
    host[hlen] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    if (getaddrinfo(hlen ? host : NULL, port, &hints, &res) != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* "/search" kept; "/" and "" become ""; a trailing slash goes; it must
 * start with a slash and hold only plain path characters. */
static int check_base_path(const char *in, char **out)
{
    size_t n = strlen(in);

    while (n > 0 && in[n - 1] == '/')
        n--;
    if (n > 0 && (in[0] != '/' || strspn(in, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789/-._~") < n))
        return -1;
    *out = malloc(n + 1);
    if (!*out)
        return -1;
    memcpy(*out, in, n);
    (*out)[n] = '\0';
    return 0;
}

/* serve_openapi with "@BASE@" replaced by the base path. */
static char *openapi_text(const char *base)
{
    const char *mark = "@BASE@", *p = serve_openapi, *q;
    sbuf b = SBUF_INIT;
    size_t len;

    while ((q = strstr(p, mark)) != NULL) {
        sbuf_add(&b, p, (size_t)(q - p));
        sbuf_puts(&b, base);
        p = q + strlen(mark);
    }
    sbuf_puts(&b, p);
    return sbuf_take(&b, &len);
}

static int write_small_file(const char *path, const char *text)
{
    char *tmp = malloc(strlen(path) + 8);
    FILE *f;
    int ok;

    if (!tmp)
        return -1;
    sprintf(tmp, "%s.tmp", path);
    f = fopen(tmp, "w");
    ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        warnx_("%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return ok ? 0 : -1;
}

static FILE *open_log(const char *path)
{
    FILE *f;

    if (strcmp(path, "-") == 0)
        return stdout;
    f = fopen(path, "a");
    if (!f)
        warnx_("%s: %s", path, strerror(errno));
    return f;
}

/* Is the file at the index's path another file than when last seen (a
 * snapshot renamed into place)?  remember: only note the file now.  Called
 * by the main thread alone.  A path missing for a moment is no change: the
 * workers keep their handles. */
static int index_file_changed(int remember)
{
    static dev_t dev;
    static ino_t ino;
    static int known;
    struct stat sb;
    int changed;

    if (stat(S.db_path, &sb) != 0)
        return 0;
    changed = known && (sb.st_dev != dev || sb.st_ino != ino);
    if (changed || remember || !known) {
        dev = sb.st_dev;
        ino = sb.st_ino;
        known = 1;
    }
    return changed && !remember;
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    args a;
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    struct MHD_Daemon *d = NULL;
    const union MHD_DaemonInfo *di;
    char *base = NULL, *header = NULL, *footer = NULL, portbuf[32], pidbuf[32];
    sigset_t sigs;
    eaf_db *probe = NULL;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    unsigned flags;
    int rc, sig, port = 0;
    MHD_socket lfd;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    char host[INET6_ADDRSTRLEN];

    tool_init(argv[0]);
    memset(&a, 0, sizeof(a));
    a.threads = DEFAULT_THREADS;
    a.time_limit = DEFAULT_TIME_LIMIT;
    a.connections = DEFAULT_CONNECTIONS;
    if ((rc = tool_parse(&spec, &a, argc, argv)) != OPT_NEXT)
        return rc;
    if (optind < argc) {
        warnx_("unexpected argument '%s'", argv[optind]);
        return usage_error();
    }
    if (parse_listen(a.listen ? a.listen : DEFAULT_LISTEN, &ss, &sslen) != 0) {
        warnx_("--listen needs ADDR:PORT, such as 127.0.0.1:8080 or [::1]:8080, not '%s'",
               a.listen);
        return EXIT_USAGE;
    }
    if (check_base_path(a.base_path ? a.base_path : "", &base) != 0) {
        warnx_("--base-path needs a path such as /search (letters, digits, / - . _ ~), "
               "not '%s'", a.base_path);
        return EXIT_USAGE;
    }
    if (a.logo && !url_is_safe(a.logo)) {
        warnx_("--logo needs an http:, https: or relative URL");
        free(base);
        return EXIT_USAGE;
    }
    if (a.public_url && strncmp(a.public_url, "http://", 7) != 0 &&
        strncmp(a.public_url, "https://", 8) != 0) {
        warnx_("--public-url needs an absolute http: or https: URL");
        free(base);
        return EXIT_USAGE;
    }
    rc = EXIT_FAIL;
    if ((a.header_file && !(header = read_fragment(a.header_file))) ||
        (a.footer_file && !(footer = read_fragment(a.footer_file))))
        goto done;

    memset(&S, 0, sizeof(S));
    S.db_path = db_path(a.dbopt);
    S.time_limit = a.time_limit;
    S.threads = a.threads;
    S.site.name = a.site_name ? a.site_name : "Search";
    S.site.base_path = base;
    S.site.logo_url = a.logo;
    S.site.header_html = header;
    S.site.footer_html = footer;
    S.site.public_url = a.public_url;
    S.base_len = strlen(base);
    S.config_tag = fnv(fnv(fnv(fnv(fnv(fnv(fnv(0xcbf29ce484222325ULL, eaf_version()),
                                           S.site.name), base), a.logo), header), footer),
                       a.public_url);
    S.asset_tag = fnv(0xcbf29ce484222325ULL, eaf_version());
    S.openapi = openapi_text(base);
    if (!S.openapi) {
        warnx_("out of memory");
        goto done;
    }
    pthread_mutex_init(&S.log_lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &S.started);
    S.started_wall = time(NULL);

    /* the index must open now: a mistyped path fails at once, not at the
     * first request */
    oo.flags = EAF_OPEN_READONLY;
    if (tool_open(&probe, S.db_path, &oo, 0) != EAF_OK)
        goto done;
    eaf_db_close(probe);

    if (a.access_log && !(S.log = open_log(a.access_log)))
        goto done;
    S.log_path = a.access_log;
    if (pthread_key_create(&worker_key, worker_free) != 0) {
        warnx_("cannot make the workers' keys");
        goto done;
    }

    /* the workers inherit this mask: the signals come to sigwait below */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL,
                         MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)a.threads,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)a.connections,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
                         MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
                         MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                         MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_END);
    if (!d) {
        warnx_("cannot listen on %s: %s", a.listen ? a.listen : DEFAULT_LISTEN,
               strerror(errno));
        goto done;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    lfd = di ? di->listen_fd : MHD_INVALID_SOCKET;
    host[0] = '\0';
    if (lfd != MHD_INVALID_SOCKET && getsockname(lfd, (struct sockaddr *)&bound, &blen) == 0) {
        if (bound.ss_family == AF_INET6) {
            const struct sockaddr_in6 *s6 = (const void *)&bound;
            port = ntohs(s6->sin6_port);
            inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
        } else {
            const struct sockaddr_in *s4 = (const void *)&bound;
            port = ntohs(s4->sin_port);
            inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
        }
    }
    snprintf(S.fallback_origin, sizeof(S.fallback_origin),
             bound.ss_family == AF_INET6 ? "http://[%s]:%d" : "http://%s:%d", host, port);
    if (a.pid_file) {
        snprintf(pidbuf, sizeof(pidbuf), "%ld\n", (long)getpid());
        if (write_small_file(a.pid_file, pidbuf) != 0)
            goto stop;
    }
    /* the message first: a program that waits for the port file may read
     * it at once */
    fprintf(stderr, "%s: listening on %s%s/\n", progname, S.fallback_origin, base);
    fflush(stderr);
    if (a.port_file) {
        snprintf(portbuf, sizeof(portbuf), "%d\n", port);
        if (write_small_file(a.port_file, portbuf) != 0)
            goto stop;
    }

    index_file_changed(1);
    for (;;) {
        /* the signals, and once a second a look at the index's path */
        struct timespec tick = {1, 0};
        sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig < 0) {
            if (errno == EAGAIN && index_file_changed(0)) {
                __atomic_add_fetch(&reopen_gen, 1, __ATOMIC_ACQ_REL);
                warnx_("%s was replaced: reopening the index before each worker's next "
                       "request", S.db_path);
            }
            continue;
        }
        if (sig == SIGHUP) {
            index_file_changed(1);
            __atomic_add_fetch(&reopen_gen, 1, __ATOMIC_ACQ_REL);
            if (S.log && S.log != stdout) {
                FILE *f = open_log(S.log_path);
                if (f) {
                    pthread_mutex_lock(&S.log_lock);
                    fclose(S.log);
                    S.log = f;
                    pthread_mutex_unlock(&S.log_lock);
                }
            }
            warnx_("SIGHUP: reopening the index before each worker's next request");
            continue;
        }
        break;
    }
    rc = EXIT_OK;
stop:
    {
        /* stop accepting; let the requests in flight finish (each is bounded by
         * the time limit), then close the connections left idle */
        struct timespec t0;
        double wait = S.time_limit ? 2.0 * S.time_limit / 1000.0 + 5.0 : 30.0;
        MHD_socket q = MHD_quiesce_daemon(d);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (__atomic_load_n(&inflight, __ATOMIC_ACQUIRE) > 0 && seconds_since(&t0) < wait) {
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
        MHD_stop_daemon(d);
        if (q != MHD_INVALID_SOCKET)
            close(q);
    }
    pthread_key_delete(worker_key);
    if (a.pid_file && rc == EXIT_OK)
        unlink(a.pid_file);
    if (rc == EXIT_OK)
        warnx_("stopped");
done:
    if (S.log && S.log != stdout)
        fclose(S.log);
    else if (S.log)
        fflush(S.log);
    free(S.openapi);
    free(base);
    free(header);
    free(footer);
    return rc;
}
