/*
 * inproc.c: the ceiling of eafserve's /api/search, measured in one process.
 *
 *   bench/serve/inproc [-t THREADS] [-s SECONDS] [-n N] [-j] DB QUERIES.tsv
 *
 * THREADS threads (default 2), each with its own read handle as each of
 * eafserve's workers has, run the queries of QUERIES.tsv (QID<TAB>QUERY
 * lines) in turn for SECONDS seconds (default 15), each thread starting at
 * its own share of the list.  Each query does the library's part of a
 * /api/search?q=QUERY&n=N request (default 10) and nothing of HTTP: the
 * search, its total and suggestion, then for each hit the members of
 * eafquery --format json (key, url, title, date, authors, score, snippet),
 * written as that JSON into a buffer with the escapes of tools/serve_text.c.
 * With -j it writes the JSON as eafserve's /api/search does instead: with
 * eafquery's JSON printer (tools/query_print.c, jansson) into a memory
 * stream, the same steps as serve_req.c's run_search.  So the difference
 * between the -j rate and eafserve's under wrk is the cost of the HTTP
 * layer (and of the client on the same cores), and the difference between
 * the two modes the cost of the printer.
 *
 * Prints one JSON line: threads, seconds, queries, qps, p50_ms, p99_ms
 * (over every query of every thread), cpu_ms_per_query (the process's CPU
 * time over the queries: the scheduler's share for other processes does not
 * count), bytes_per_query (of the JSON) and errors.
 */
#include "../benchstat.h"
#include "eafsearch.h"
#include "query.h"
#include "serve.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *index_path;
static char **queries;
static size_t nq;
static unsigned limit = 10;
static double seconds = 15;
static int use_printer;
static pthread_barrier_t start_line;

typedef struct worker {
    pthread_t tid;
    size_t first;         /* the query it starts at */
    double *lat;          /* milliseconds of each query */
    size_t n, cap;
    size_t bytes;
    int errors;
    int failed;           /* could not start */
} worker;

static double now_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void add_str_or_null(sbuf *b, const char *s)
{
    if (s)
        esc_json(b, s);
    else
        sbuf_puts(b, "null");
}

/* One query as /api/search answers it, into b.  0, or -1 on a failure. */
static int one_query(sbuf *b, eaf_db *db, const char *query)
{
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_search *s = NULL;
    const char *suggestion = NULL;
    int64_t total = 0;
    eaf_status st;
    unsigned rank = 0;
    size_t i;

    so.limit = limit;
    if (eaf_search_new(&s, db, query, &so) != EAF_OK)
        return -1;
    if (eaf_search_total(&total, s) != EAF_OK ||
        eaf_search_suggestion(&suggestion, s) != EAF_OK) {
        eaf_search_free(s);
        return -1;
    }
    sbuf_puts(b, "{\"version\":1,\"query\":");
    esc_json(b, query);
    sbuf_printf(b, ",\"total\":%lld,\"offset\":0,\"limit\":%u,\"sort\":\"relevance\","
                   "\"question\":%s,\"fallback\":%s,\"dropped\":[",
                (long long)total, limit, eaf_search_question(s) ? "true" : "false",
                eaf_search_fallback(s) ? "true" : "false");
    for (i = 0; i < eaf_search_dropped_count(s); i++) {
        if (i)
            sbuf_puts(b, ",");
        esc_json(b, eaf_search_dropped(s, i));
    }
    sbuf_puts(b, "],\"suggestion\":");
    add_str_or_null(b, suggestion);
    sbuf_puts(b, ",\"hits\":[");
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const eaf_article *a = NULL;
        const char *snippet;

        if (eaf_search_article(&a, s) != EAF_OK || !(snippet = eaf_search_snippet(s)))
            break;
        sbuf_printf(b, "%s{\"rank\":%u,\"key\":", rank ? "," : "", rank + 1);
        rank++;
        esc_json(b, eaf_search_field(s, EAF_FIELD_KEY));
        sbuf_puts(b, ",\"url\":");
        add_str_or_null(b, eaf_search_field(s, EAF_FIELD_URL));
        sbuf_puts(b, ",\"title\":");
        add_str_or_null(b, eaf_search_field(s, EAF_FIELD_TITLE));
        sbuf_puts(b, ",\"date\":");
        add_str_or_null(b, eaf_search_field(s, EAF_FIELD_DATE));
        sbuf_puts(b, ",\"authors\":[");
        for (i = 0; i < eaf_article_author_count(a); i++) {
            sbuf_puts(b, i ? ",{\"name\":" : "{\"name\":");
            esc_json(b, eaf_article_author_name(a, i));
            sbuf_puts(b, ",\"affiliation\":");
            add_str_or_null(b, eaf_article_author_affiliation(a, i));
            sbuf_puts(b, "}");
        }
        sbuf_puts(b, "],\"score\":");
        if (eaf_search_has_score(s))
            sbuf_printf(b, "%.17g", eaf_search_score(s));
        else
            sbuf_puts(b, "null");
        sbuf_puts(b, ",\"snippet\":");
        esc_json(b, snippet);
        sbuf_puts(b, "}");
    }
    sbuf_puts(b, "]}\n");
    eaf_search_free(s);
    return st == EAF_DONE && !b->failed ? 0 : -1;
}

/* The same query through eafquery's JSON printer, as eafserve's
 * /api/search answers it (serve_req.c: run_search). */
static int printer_query(sbuf *b, eaf_db *db, const char *query)
{
    static const eaf_search_options so_init = EAF_SEARCH_OPTIONS_INIT;
    config cfg;
    output o;
    query_run r;
    eaf_status st = EAF_OK;
    unsigned rank = 0;
    char *text = NULL;
    size_t len = 0, i;
    int rc = 0, begun;
    FILE *f;

    memset(&cfg, 0, sizeof(cfg));
    memset(&o, 0, sizeof(o));
    memset(&r, 0, sizeof(r));
    cfg.so = so_init;
    cfg.db = db;
    for (i = 0; i < N_PRINTERS; i++)
        if (strcmp(printers[i].name, "json") == 0)
            cfg.p = &printers[i];
    if (!cfg.p)
        return -1;
    for (i = 0; i < N_DEFAULT_FIELDS; i++) {
        cfg.fields[i] = (enum field)i;
        cfg.field_mask |= BIT(i);
    }
    cfg.nfields = N_DEFAULT_FIELDS;
    cfg.limit = cfg.so.limit = limit;
    r.query = query;
    r.total = -1;
    if (eaf_search_new(&r.s, db, query, &cfg.so) != EAF_OK)
        return -1;
    if (!(f = open_memstream(&text, &len))) {
        eaf_search_free(r.s);
        return -1;
    }
    o.cfg = &cfg;
    o.out = f;
    o.nqueries = 1;
    if (eaf_search_total(&r.total, r.s) != EAF_OK ||
        eaf_search_suggestion(&r.suggestion, r.s) != EAF_OK)
        rc = -1;
    if (rc == 0)
        rc = cfg.p->begin(&o, &r);
    begun = rc == 0;
    if (rc == 0) {
        while ((st = eaf_search_next(r.s)) == EAF_ROW) {
            if ((rc = cfg.p->hit(&o, &r, ++rank)) != 0)
                break;
            o.shown++;
        }
        if (rc == 0 && st != EAF_DONE)
            rc = -1;
    }
    if (begun && cfg.p->end) {
        int rc2 = cfg.p->end(&o, &r, rc == 0);
        if (rc == 0)
            rc = rc2;
    }
    eaf_search_free(r.s);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0)
        sbuf_add(b, text ? text : "", len);
    free(text);
    return rc == 0 && !b->failed ? 0 : -1;
}

static void *run(void *arg)
{
    worker *w = arg;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char *err = NULL;
    double end;
    size_t q = w->first;

    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, index_path, &oo, &err) != EAF_OK) {
        fprintf(stderr, "inproc: %s\n", err ? err : "cannot open the index");
        eaf_free(err);
        w->failed = 1;
    }
    pthread_barrier_wait(&start_line);
    if (w->failed)
        return NULL;
    end = now_s(CLOCK_MONOTONIC) + seconds;
    for (;;) {
        sbuf b = SBUF_INIT;
        double t0 = now_s(CLOCK_MONOTONIC), t1;

        if (t0 >= end)
            break;
        if ((use_printer ? printer_query : one_query)(&b, db, queries[q]) != 0)
            w->errors++;
        w->bytes += b.len;
        sbuf_free(&b);
        t1 = now_s(CLOCK_MONOTONIC);
        if (w->n == w->cap) {
            double *bigger;

            w->cap = w->cap ? w->cap * 2 : 4096;
            bigger = realloc(w->lat, w->cap * sizeof(*w->lat));
            if (!bigger) {
                w->failed = 1;
                break;
            }
            w->lat = bigger;
        }
        w->lat[w->n++] = (t1 - t0) * 1e3;
        q = (q + 1) % nq;
    }
    eaf_db_close(db);
    return NULL;
}


static int read_queries(const char *path)
{
    char line[4096];
    size_t cap = 0;
    FILE *f = fopen(path, "r");

    if (!f) {
        perror(path);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *q = strchr(line, '\t');

        q = q ? q + 1 : line;
        q[strcspn(q, "\t\r\n")] = '\0';
        if (nq == cap) {
            char **bigger;

            cap = cap ? cap * 2 : 1024;
            if (!(bigger = realloc(queries, cap * sizeof(*queries))))
                return -1;
            queries = bigger;
        }
        if (!(queries[nq++] = strdup(q)))
            return -1;
    }
    fclose(f);
    if (nq == 0) {
        fprintf(stderr, "inproc: no queries in %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int threads = 2, opt, i, errors = 0;
    worker *w;
    double *all, wall, cpu;
    size_t total = 0, bytes = 0;

    while ((opt = getopt(argc, argv, "t:s:n:j")) != -1) {
        switch (opt) {
        case 't':
            threads = atoi(optarg);
            break;
        case 's':
            seconds = atof(optarg);
            break;
        case 'n':
            limit = (unsigned)atoi(optarg);
            break;
        case 'j':
            use_printer = 1;
            break;
        default:
            threads = 0;
        }
    }
    if (threads < 1 || seconds <= 0 || limit < 1 || argc - optind != 2) {
        fprintf(stderr, "usage: inproc [-t THREADS] [-s SECONDS] [-n N] [-j] DB QUERIES.tsv\n");
        return 2;
    }
    index_path = argv[optind];
    if (read_queries(argv[optind + 1]) != 0)
        return 1;
    w = calloc((size_t)threads, sizeof(*w));
    if (!w || pthread_barrier_init(&start_line, NULL, (unsigned)threads + 1) != 0)
        return 1;
    for (i = 0; i < threads; i++) {
        w[i].first = nq * (size_t)i / (size_t)threads;
        if (pthread_create(&w[i].tid, NULL, run, &w[i]) != 0) {
            fprintf(stderr, "inproc: cannot start a thread\n");
            return 1;
        }
    }
    /* the clocks start once every handle is open */
    pthread_barrier_wait(&start_line);
    wall = now_s(CLOCK_MONOTONIC);
    cpu = now_s(CLOCK_PROCESS_CPUTIME_ID);
    for (i = 0; i < threads; i++)
        pthread_join(w[i].tid, NULL);
    wall = now_s(CLOCK_MONOTONIC) - wall;
    cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    for (i = 0; i < threads; i++) {
        if (w[i].failed)
            return 1;
        total += w[i].n;
        bytes += w[i].bytes;
        errors += w[i].errors;
    }
    if (total == 0 || !(all = malloc(total * sizeof(*all))))
        return 1;
    total = 0;
    for (i = 0; i < threads; i++) {
        memcpy(all + total, w[i].lat, w[i].n * sizeof(*all));
        total += w[i].n;
        free(w[i].lat);
    }
    qsort(all, total, sizeof(*all), bench_cmp_double);
    printf("{\"printer\": \"%s\", \"threads\": %d, \"seconds\": %.3f, \"queries\": %zu, \"qps\": %.1f, "
           "\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"cpu_ms_per_query\": %.4f, "
           "\"bytes_per_query\": %.0f, \"errors\": %d}\n",
           use_printer ? "eafquery" : "direct", threads, wall, total, (double)total / wall,
           bench_percentile(all, total, 50),
           bench_percentile(all, total, 99), cpu * 1e3 / (double)total,
           (double)bytes / (double)total, errors);
    free(all);
    free(w);
    for (size_t k = 0; k < nq; k++)
        free(queries[k]);
    free(queries);
    return errors ? 1 : 0;
}
