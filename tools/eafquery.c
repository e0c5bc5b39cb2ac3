/*
 * eafquery: search an index from the shell.
 *
 *   eafquery [-d DB] [-n N] [--format FORMAT] [--fields LIST] [filters] QUERY...
 *   eafquery --batch [OPTION]... < queries
 *
 * The query is the rest of the command line (or, with --batch, each line of
 * standard input).  Every output format goes through one printer
 * interface (struct printer): the driver runs a search and hands the query,
 * then each hit, to the printer of the chosen format.  This file is the
 * driver and the options; the printers are query_print.c.
 */
#include "query.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_LIMIT 10
#define DEFAULT_FACETS 10
#define MAX_FACETS 1000

/* ---- running a query ------------------------------------------------------- */

/* "eafquery: line 3 (qid q7): " in batch mode, "eafquery: " otherwise. */
static void warn_where(const char *qid, long line)
{
    fprintf(stderr, "%s: ", progname);
    if (line > 0)
        fprintf(stderr, "line %ld (qid %s): ", line, qid);
}

/*
 * Runs one query and prints it.  Returns EXIT_OK, EXIT_FAIL, or EXIT_USAGE
 * for a malformed query with --strict.  line is the line of standard input
 * in batch mode, 0 otherwise.
 */
static int run_query(output *o, const char *qid, const char *query, long line)
{
    const config *cfg = o->cfg;
    const printer *p = cfg->p;
    query_run r;
    eaf_status st;
    unsigned rank = cfg->so.offset;
    int rc = 0, begun = 0;

    memset(&r, 0, sizeof(r));
    r.qid = qid;
    r.query = query;
    r.total = -1;
    st = eaf_search_new(&r.s, cfg->db, query, &cfg->so);
    if (st != EAF_OK) {
        warn_where(qid, line);
        if (st == EAF_SYNTAX) { /* the message quotes the query */
            fputs("query error: ", stderr);
            put_clean_marked(stderr, eaf_db_errmsg(cfg->db), 0, NULL, NULL);
            fputc('\n', stderr);
        } else {
            fprintf(stderr, "%s\n", eaf_db_errmsg(cfg->db));
        }
        return st == EAF_SYNTAX ? EXIT_USAGE : EXIT_FAIL;
    }
    if (cfg->explain) {
        const char *ex = eaf_search_explain(r.s);
        fflush(stdout);
        if (qid)
            fprintf(stderr, "qid: %s\n", qid);
        fputs(ex ? ex : "(out of memory)\n", stderr);
    }
    if ((p->flags & P_TOTAL) && eaf_search_total(&r.total, r.s) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && cfg->facets_top &&
        eaf_search_facets(&r.facets, r.s, cfg->facets_top) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && eaf_search_suggestion(&r.suggestion, r.s) != EAF_OK)
        rc = FAIL_DB;
    if (rc == 0 && !(p->flags & P_NOTES)) {
        fflush(stdout);
        warn_notes(&r);
    }
    o->nqueries++;
    o->shown = 0;
    if (rc == 0 && p->begin)
        rc = p->begin(o, &r);
    begun = rc == 0;
    if (rc == 0 && (p->flags & P_HITS) && cfg->limit > 0) {
        while ((st = eaf_search_next(r.s)) == EAF_ROW) {
            if ((rc = p->hit(o, &r, ++rank)) != 0)
                break;
            o->shown++;
        }
        if (rc == 0 && st != EAF_DONE)
            rc = FAIL_DB;
    }
    if (p->end && begun) {
        int rc2 = p->end(o, &r, rc == 0);
        if (rc == 0)
            rc = rc2;
    }
    if (rc == FAIL_DB) {
        fflush(stdout);
        warn_where(qid, line);
        fprintf(stderr, "%s\n", eaf_db_errmsg(cfg->db));
    }
    eaf_facets_free(r.facets);
    eaf_search_free(r.s);
    return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* A query id names a query in tsv and trec columns: no white space. */
static const char *bad_qid(const char *qid)
{
    const unsigned char *p;

    if (!*qid)
        return "empty query id";
    for (p = (const unsigned char *)qid; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "white space or a control character in the query id";
    return NULL;
}

/* --batch: "qid<TAB>query" per line of standard input, or a query whose
 * qid is its line number.  Empty lines are skipped. */
static int run_batch(output *o)
{
    char *buf = NULL, *qid, *query, *tab, num[32];
    size_t cap = 0;
    ssize_t len;
    long line = 0;
    int rc = EXIT_OK;
    const char *why;

    while ((len = getline(&buf, &cap, stdin)) != -1) {
        line++;
        if (len > 0 && buf[len - 1] == '\n')
            buf[--len] = '\0';
        if (len > 0 && buf[len - 1] == '\r')
            buf[--len] = '\0';
        if (len == 0)
            continue;
        if (strlen(buf) != (size_t)len) {
            warnx_("line %ld: a NUL byte in the line", line);
            rc = EXIT_FAIL;
            continue;
        }
        tab = strchr(buf, '\t');
        if (tab) {
            *tab = '\0';
            qid = buf;
            query = tab + 1;
        } else {
            snprintf(num, sizeof(num), "%ld", line);
            qid = num;
            query = buf;
        }
        if ((why = bad_qid(qid)) != NULL) {
            warnx_("line %ld: %s", line, why);
            rc = EXIT_FAIL;
            continue;
        }
        if (run_query(o, qid, query, line) != EXIT_OK)
            rc = EXIT_FAIL;
    }
    if (ferror(stdin)) {
        warnx_("error reading the queries from standard input");
        rc = EXIT_FAIL;
    }
    free(buf);
    return rc;
}

/* ---- options ---------------------------------------------------------------- */

/* The NULL-terminated filter lists, each with room for every argument. */
typedef struct filter_list {
    const char **v;
    size_t n;
} filter_list;

/* What the command line asks: the configuration, and what it is made
 * from once the options are read. */
typedef struct args {
    config cfg;
    const printer *format;
    const char *dbopt, *color, *mark_open, *mark_close, *fields_opt;
    double weights[8];
    int rank_all;             /* -1: the format's default */
    int count, null, html;
    filter_list authors, topics, countries, tags;
} args;

/* Reads up to max comma-separated numbers in [lo, hi]; returns how many,
 * or -1 when one is malformed or out of range. */
static int parse_numbers(const char *s, double *out, int max, double lo, double hi)
{
    int n = 0;
    char *end;

    while (*s && n < max) {
        double v = strtod(s, &end);
        if (end == s || v < lo || v > hi || (*end && *end != ','))
            return -1;
        out[n++] = v;
        s = *end ? end + 1 : end;
    }
    return *s ? -1 : n;
}

/* Parses --fields; returns 0, or -1 after reporting the problem. */
static int parse_fields(config *cfg, const char *list)
{
    const char *bad;
    size_t len;

    if (fields_parse(cfg, list, &bad, &len) == 0)
        return 0;
    warnx_("unknown field '%.*s' in --fields (fields: rank, key, url, title, date, "
           "authors, score, snippet, summary, topics, countries, tags)",
           (int)len, bad);
    return -1;
}

static int opt_limit(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long v = parse_count(arg);

    (void)o;
    if (v < 0 || v > 1000000) {
        warnx_("--limit needs a number from 0 to 1000000, not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.limit = (unsigned)v;
    /* 0: the count (and facets) only; the library's 0 is its default */
    a->cfg.so.limit = v > 0 ? (unsigned)v : 1;
    return OPT_NEXT;
}

static int opt_offset(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long v = parse_count(arg);

    (void)o;
    if (v < 0 || v > 100000000) {
        warnx_("--offset needs a number from 0 to 100000000, not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.offset = (unsigned)v;
    return OPT_NEXT;
}

static int opt_format(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    size_t i;

    (void)o;
    for (i = 0; i < N_PRINTERS; i++)
        if (strcmp(arg, printers[i].name) == 0)
            break;
    if (i == N_PRINTERS) {
        warnx_("unknown format '%s' (formats: text, json, jsonl, tsv, trec)", arg);
        return EXIT_USAGE;
    }
    a->format = &printers[i];
    /* a TREC run ranks the collection: any word may match */
    if (a->rank_all < 0 && strcmp(a->format->name, "trec") == 0)
        a->rank_all = 1;
    return OPT_NEXT;
}

static int opt_fields(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    a->fields_opt = arg;
    return parse_fields(&a->cfg, arg) != 0 ? EXIT_USAGE : OPT_NEXT;
}

static int opt_facets(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    long v;

    (void)o;
    a->cfg.facets_top = DEFAULT_FACETS;
    if (arg) {
        v = parse_count(arg);
        if (v < 1 || v > MAX_FACETS) {
            warnx_("--facets needs a number from 1 to %d, not '%s'", MAX_FACETS, arg);
            return EXIT_USAGE;
        }
        a->cfg.facets_top = (unsigned)v;
    }
    return OPT_NEXT;
}

static int opt_sort(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    int i;

    (void)o;
    for (i = 0; i < EAF_SORT_LAST; i++)
        if (strcmp(arg, sort_name((eaf_sort)i)) == 0)
            break;
    if (i == EAF_SORT_LAST) {
        warnx_("unknown sort order '%s' (orders: relevance, newest, oldest)", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.sort = (eaf_sort)i;
    return OPT_NEXT;
}

/* A filter: the list at o->offset gets the value. */
static int opt_filter(void *x, const tool_option *o, const char *arg)
{
    filter_list *l = (filter_list *)((char *)x + o->offset);

    if (!*arg) {
        warnx_("a filter needs a value");
        return EXIT_USAGE;
    }
    l->v[l->n++] = arg;
    return OPT_NEXT;
}

static int opt_weights(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    if (parse_numbers(arg, a->weights, 8, 0.0, 1000.0) != 8) {
        warnx_("--weights needs 8 numbers from 0 to 1000, comma-separated "
               "(title, author, affiliation, topic, country, summary, body, "
               "bio), not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.weights = a->weights;
    return OPT_NEXT;
}

/* --k1, --b, --proximity: a number in a range; for --b and --proximity,
 * 0 means none (-1 in the options, where 0 is the default). */
static int opt_ranking(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    double number = 0.0;

    if (strcmp(o->name, "k1") == 0) {
        if (parse_numbers(arg, &number, 1, 0.001, 100.0) != 1) {
            warnx_("--k1 needs a number from 0.001 to 100, not '%s'", arg);
            return EXIT_USAGE;
        }
        a->cfg.so.k1 = number;
    } else if (strcmp(o->name, "b") == 0) {
        if (parse_numbers(arg, &number, 1, 0.0, 1.0) != 1) {
            warnx_("--b needs a number from 0 to 1, not '%s'", arg);
            return EXIT_USAGE;
        }
        a->cfg.so.b = number > 0.0 ? number : -1.0; /* 0: no length normalisation */
    } else {
        if (parse_numbers(arg, &number, 1, 0.0, 100.0) != 1) {
            warnx_("--proximity needs a number from 0 to 100, not '%s'", arg);
            return EXIT_USAGE;
        }
        a->cfg.so.proximity = number > 0.0 ? number : -1.0; /* 0: no bonus */
    }
    return OPT_NEXT;
}

static int opt_feedback(void *x, const tool_option *o, const char *arg)
{
    args *a = x;
    double fb[2] = {EAF_RANK_DEFAULT_FEEDBACK_DOCS, EAF_RANK_DEFAULT_FEEDBACK_TERMS};

    (void)o;
    if (arg && parse_numbers(arg, fb, 2, 1.0, 1000.0) != 2) {
        warnx_("--feedback takes DOCS,TERMS (numbers from 1 to 1000), not '%s'", arg);
        return EXIT_USAGE;
    }
    a->cfg.so.flags = (a->cfg.so.flags & ~EAF_SEARCH_NO_FEEDBACK) | EAF_SEARCH_FEEDBACK;
    a->cfg.so.feedback_docs = (unsigned)fb[0];
    a->cfg.so.feedback_terms = (unsigned)fb[1];
    return OPT_NEXT;
}

/* --no-feedback: the last of it and --feedback wins */
static int opt_no_feedback(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    (void)arg;
    a->cfg.so.flags = (a->cfg.so.flags & ~EAF_SEARCH_FEEDBACK) | EAF_SEARCH_NO_FEEDBACK;
    return OPT_NEXT;
}

static int opt_html(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    (void)arg;
    a->html = 1;
    a->cfg.so.flags |= EAF_SEARCH_SNIPPET_HTML;
    return OPT_NEXT;
}

static int opt_color(void *x, const tool_option *o, const char *arg)
{
    args *a = x;

    (void)o;
    a->color = arg ? arg : "always";
    if (strcmp(a->color, "auto") && strcmp(a->color, "always") && strcmp(a->color, "never")) {
        warnx_("--color takes auto, always or never, not '%s'", a->color);
        return EXIT_USAGE;
    }
    return OPT_NEXT;
}

#define AT(member) offsetof(args, member)
#define SO(member) offsetof(args, cfg.so.member)
/* the rows of a table, without the help's values */
#define NOV {0, 0}

static const tool_option options[] = {
    {"db", 'd', required_argument, "FILE",
     "the index (default: $EAFSEARCH_DB, else ./eafsearch.db)", opt_string, AT(dbopt), 0,
     NOV, 1},
    {"limit", 'n', required_argument, "N",
     "show at most N hits (default: %d; 0: none, only\n"
     "the count, and the facets with --facets)", opt_limit, 0, 0, {DEFAULT_LIMIT, 0}, 2},
    {"offset", 0, required_argument, "K", "skip the first K hits (for paging)", opt_offset,
     0, 0, NOV, 3},
    {"sort", 0, required_argument, "ORDER", "relevance (default), newest or oldest",
     opt_sort, 0, 0, NOV, 10},
    {NULL, 0, 0, NULL,
     "\n"
     "Filters (each repeatable: any of the values; with filters, an empty\n"
     "query lists the matching articles):\n", NULL, 0, 0, NOV, 0},
    {"after", 0, required_argument, "DATE", "only articles dated from DATE (YYYY[-MM[-DD]])",
     opt_string, SO(date_from), 0, NOV, 11},
    {"before", 0, required_argument, "DATE", "only articles dated up to the end of DATE",
     opt_string, SO(date_to), 0, NOV, 12},
    {"author", 0, required_argument, "NAME", "only articles by NAME", opt_filter,
     AT(authors), 0, NOV, 13},
    {"topic", 0, required_argument, "NAME", "only articles with the topic NAME", opt_filter,
     AT(topics), 0, NOV, 14},
    {"country", 0, required_argument, "NAME", "only articles about the country NAME",
     opt_filter, AT(countries), 0, NOV, 15},
    {"tag", 0, required_argument, "NAME", "only articles with the tag NAME", opt_filter,
     AT(tags), 0, NOV, 16},
    {NULL, 0, 0, NULL, "\nOutput:\n", NULL, 0, 0, NOV, 0},
    {"format", 0, required_argument, "FORMAT", "text (default), json, jsonl, tsv or trec",
     opt_format, 0, 0, NOV, 4},
    {"fields", 0, required_argument, "LIST",
     "the hit members to show, comma-separated, from: rank,\n"
     "key, url, title, date, authors, score, snippet,\n"
     "summary, topics, countries, tags (text, json, jsonl,\n"
     "tsv; default: the first eight)", opt_fields, 0, 0, NOV, 5},
    {"count", 0, no_argument, NULL, "print only the number of hits", opt_set_int, AT(count),
     1, NOV, 6},
    {"null", '0', no_argument, NULL, "print only the keys of the hits, each followed by NUL",
     opt_set_int, AT(null), 1, NOV, 7},
    {"facets", 0, optional_argument, "N",
     "count the authors, topics, countries, tags and years\n"
     "of all the hits, top N of each (default: %d;\n"
     "text and json only)", opt_facets, 0, 0, {DEFAULT_FACETS, 0}, 8},
    {"explain", 0, no_argument, NULL, "show how the query was understood, on stderr",
     opt_set_int, AT(cfg.explain), 1, NOV, 9},
    {"color", 0, optional_argument, "WHEN",
     "highlight matches: auto (default, on a terminal),\n"
     "always or never", opt_color, 0, 0, NOV, 28},
    {"colour", 0, optional_argument, "WHEN", NULL, opt_color, 0, 0, NOV, 29},
    {"mark-open", 0, required_argument, "TEXT", "put TEXT before each match in snippets",
     opt_string, AT(mark_open), 0, NOV, 30},
    {"mark-close", 0, required_argument, "TEXT", "put TEXT after each match in snippets",
     opt_string, AT(mark_close), 0, NOV, 31},
    {"html", 0, no_argument, NULL, "HTML snippets: text escaped, matches in <b></b>",
     opt_html, 0, 0, NOV, 19},
    {NULL, 0, 0, NULL, "\nSearching:\n", NULL, 0, 0, NOV, 0},
    {"batch", 0, no_argument, NULL,
     "read queries from standard input, one a line,\n"
     "as QID<TAB>QUERY or QUERY (its line number is the QID)", opt_set_int, AT(cfg.batch),
     1, NOV, 17},
    {"strict", 0, no_argument, NULL, "report a malformed query instead of repairing it",
     opt_flag, SO(flags), EAF_SEARCH_STRICT, NOV, 32},
    {"no-fallback", 0, no_argument, NULL,
     "never fall back to any of the words when no\n"
     "article has all of them", opt_flag, SO(flags), EAF_SEARCH_NO_FALLBACK, NOV, 18},
    {"no-aliases", 0, no_argument, NULL,
     "do not widen country names to their adjectives\n"
     "(Japan: Japanese)", opt_flag, SO(flags), EAF_SEARCH_NO_ALIASES, NOV, 24},
    {"rank-all", 0, no_argument, NULL,
     "rank every article with any of the words, those\n"
     "with all of them first (the default of trec)", opt_set_int, AT(rank_all), 1, NOV, 25},
    /* the last of --rank-all and --all-words wins */
    {"all-words", 0, no_argument, NULL,
     "only articles with all the words, however many\n"
     "(without it, 4 words or more are read as a\n"
     "question: any of them; short of any, any of them)", opt_set_int, AT(rank_all), 0,
     NOV, 26},
    {NULL, 0, 0, NULL, "\nRanking (defaults in eafsearch-query(7)):\n", NULL, 0, 0, NOV, 0},
    {"weights", 0, required_argument, "W,...",
     "8 field weights: title, author, affiliation, topic,\n"
     "country, summary, body, bio", opt_weights, 0, 0, NOV, 20},
    {"k1", 0, required_argument, "X", "term-frequency saturation (BM25 k1)", opt_ranking, 0,
     0, NOV, 21},
    {"b", 0, required_argument, "X", "length normalisation, 0 to 1 (BM25 b)", opt_ranking,
     0, 0, NOV, 22},
    {"proximity", 0, required_argument, "X",
     "weight of the bonus for query words close together\n"
     "(0: none)", opt_ranking, 0, 0, NOV, 23},
    {"feedback", 0, optional_argument, "D,T",
     "pseudo-relevance feedback: add T distinctive terms\n"
     "of the best D hits and search again (default: %d,%d)", opt_feedback, 0, 0,
     {EAF_RANK_DEFAULT_FEEDBACK_DOCS, EAF_RANK_DEFAULT_FEEDBACK_TERMS}, 27},
    {"no-feedback", 0, no_argument, NULL,
     "no feedback, not even on a question of %d words\n"
     "or more (where it is on by default)", opt_no_feedback, 0, 0,
     {EAF_FEEDBACK_WORDS, 0}, 27},
    {"help", 'h', no_argument, NULL, "show this help and exit", opt_help, 0, 0, NOV, 33},
    {"version", 'V', no_argument, NULL, "show the version and exit", opt_version, 0, 0, NOV,
     34},
};

static const tool_spec spec = {
    "Usage: %s [OPTION]... QUERY...\n"
    "  or:  %s --batch [OPTION]... < QUERIES\n"
    "Search an index made by eafindex; the query is the rest of the line.\n"
    "\n",
    options, sizeof(options) / sizeof(options[0]),
    "\n"
    "Query language (see eafsearch-query(7)): words must all match (4 or more:\n"
    "any of them, unless joined by AND); \"a phrase\"; a AND b; a OR b; -word or\n"
    "NOT word excludes; (groups); pre*; title:, author:, affiliation:, body:,\n"
    "topic:, country: fields; author:\"Exact Name\"; date:2018, date:2017..2019,\n"
    "after:2018-06, before:2010; related:KEY.  Options go before the query.\n"
    "\n"
    "Exit status: 0 on success, with or without hits; 1 on failure (no index,\n"
    "wrong version, locked; with --batch, any query or line that failed); 2 for\n"
    "a usage error, an invalid date filter or, with --strict, a malformed query.\n",
    1,
};

/* Joins the words of the command line into one query. */
static char *join_args(int argc, char **argv)
{
    size_t n = 1;
    int i;
    char *q;

    for (i = 0; i < argc; i++)
        n += strlen(argv[i]) + 1;
    q = malloc(n);
    if (!q)
        return NULL;
    q[0] = '\0';
    for (i = 0; i < argc; i++) {
        if (i)
            strcat(q, " ");
        strcat(q, argv[i]);
    }
    return q;
}

/* Did the options end with "--" (not the value of an option before it)? */
static int after_dashes(char **argv)
{
    const char *prev;
    size_t i, len;

    if (optind < 2 || strcmp(argv[optind - 1], "--") != 0)
        return 0;
    if (optind < 3)
        return 1;
    prev = argv[optind - 2];
    if (strcmp(prev, "-d") == 0 || strcmp(prev, "-n") == 0)
        return 0; /* "-d --": "--" is the value */
    if (strncmp(prev, "--", 2) != 0 || strchr(prev, '='))
        return 1;
    len = strlen(prev + 2);
    for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
        if (options[i].name && options[i].arg == required_argument && len > 0 &&
            strncmp(options[i].name, prev + 2, len) == 0)
            return 0;
    return 1;
}

/* Options after the query are read as its text (getopt stops at the first
 * word of the query, which may start with '-'): warns about each word
 * that looks like one of the options, which the user likely meant as
 * such.  "-n", "-n5", "-d", "-0", "-h", "-V", "--limit", "--limit=5". */
static void warn_late_options(int n, char **words)
{
    int i;
    size_t j;

    for (i = 0; i < n; i++) {
        const char *w = words[i];
        int looks = 0;

        if (w[0] != '-' || !w[1])
            continue;
        if (w[1] == '-' && w[2]) {
            size_t len = strcspn(w + 2, "=");
            for (j = 0; j < sizeof(options) / sizeof(options[0]) && !looks; j++)
                looks = options[j].name && strlen(options[j].name) == len &&
                        strncmp(options[j].name, w + 2, len) == 0;
        } else if (w[1] != '-') {
            looks = (strchr("dn0hV", w[1]) && !w[2]) ||
                    (w[1] == 'n' && strspn(w + 2, "0123456789") == strlen(w + 2));
        }
        if (looks) {
            fprintf(stderr, "%s: warning: '", progname);
            put_echo(stderr, w);
            fprintf(stderr, "' after the query is searched as text, not taken as an"
                            " option: put options before the query (or the query after"
                            " '--' to search for it)\n");
        }
    }
}

/* What goes with what, once the options are read: the configuration made
 * whole, and *query the query of the command line (to free).  Returns
 * OPT_NEXT or an exit status. */
static int check_options(args *a, int argc, char **argv, char **query)
{
    config *cfg = &a->cfg;
    size_t i;
    int use_color;

    if (a->rank_all > 0)
        cfg->so.flags |= EAF_SEARCH_RANK_ALL;
    else if (a->rank_all == 0) /* --all-words: never read as a question */
        cfg->so.flags |= EAF_SEARCH_ALL_WORDS;
    if (a->count && a->null) {
        warnx_("--count and --null cannot be used together");
        return EXIT_USAGE;
    }
    cfg->p = a->count ? &count_printer : a->null ? &null_printer : a->format;
    if (a->fields_opt && !(cfg->p->flags & P_FIELDS)) {
        warnx_("--fields does not apply to %s output", cfg->p->name);
        return EXIT_USAGE;
    }
    if (cfg->facets_top && !(cfg->p->flags & P_FACETS)) {
        warnx_("--facets needs text or json output, not %s", cfg->p->name);
        return EXIT_USAGE;
    }
    if (!a->fields_opt) {
        for (i = 0; i < N_DEFAULT_FIELDS; i++) {
            cfg->fields[i] = (enum field)i;
            cfg->field_mask |= BIT(i);
        }
        cfg->nfields = N_DEFAULT_FIELDS;
    }
    if (a->authors.n)
        cfg->so.authors = a->authors.v;
    if (a->topics.n)
        cfg->so.topics = a->topics.v;
    if (a->countries.n)
        cfg->so.countries = a->countries.v;
    if (a->tags.n)
        cfg->so.tags = a->tags.v;
    cfg->filters = cfg->so.date_from || cfg->so.date_to || a->authors.n || a->topics.n ||
                   a->countries.n || a->tags.n;
    if (cfg->batch && optind < argc) {
        warnx_("--batch reads the queries from standard input, not the command line");
        return usage_error();
    }
    if (!cfg->batch && optind >= argc && !cfg->filters) {
        warnx_("no query given");
        return usage_error();
    }
    if (!cfg->batch) {
        if (!after_dashes(argv))
            warn_late_options(argc - optind, argv + optind);
        *query = join_args(argc - optind, argv + optind);
        if (!*query) {
            warnx_("out of memory");
            return EXIT_FAIL;
        }
    }

    /* snippet markers */
    use_color = cfg->p == &printers[0] && !a->html &&
                (strcmp(a->color, "always") == 0 ||
                 (strcmp(a->color, "auto") == 0 && isatty(STDOUT_FILENO)));
    if (a->html) {
        cfg->so.mark_open = a->mark_open ? a->mark_open : "<b>";
        cfg->so.mark_close = a->mark_close ? a->mark_close : "</b>";
    } else if (cfg->p == &printers[0]) {
        cfg->so.mark_open = a->mark_open ? a->mark_open : use_color ? "\033[1;31m" : "";
        cfg->so.mark_close = a->mark_close ? a->mark_close : use_color ? "\033[0m" : "";
    } else {
        cfg->so.mark_open = a->mark_open;   /* NULL: the library's "[" */
        cfg->so.mark_close = a->mark_close;
    }
    return OPT_NEXT;
}

/* Checks the date filters once, before any query: OPT_NEXT or an exit
 * status. */
static int check_dates(config *cfg)
{
    eaf_search_options probe = cfg->so;
    eaf_search *s;
    eaf_status st;

    if (!cfg->so.date_from && !cfg->so.date_to)
        return OPT_NEXT;
    probe.flags &= ~EAF_SEARCH_STRICT;
    st = eaf_search_new(&s, cfg->db, "", &probe);
    eaf_search_free(s);
    if (st != EAF_OK) {
        warnx_("%s", eaf_db_errmsg(cfg->db));
        return st == EAF_SYNTAX ? EXIT_USAGE : EXIT_FAIL;
    }
    return OPT_NEXT;
}

/* ---- main -------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static const eaf_search_options so_init = EAF_SEARCH_OPTIONS_INIT;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    args a;
    output out;
    char *query = NULL;
    int rc;

    tool_init(argv[0]);
    memset(&a, 0, sizeof(a));
    memset(&out, 0, sizeof(out));
    a.cfg.so = so_init;
    a.cfg.so.limit = a.cfg.limit = DEFAULT_LIMIT;
    a.format = &printers[0];
    a.color = "auto";
    a.rank_all = -1;
    a.authors.v = calloc((size_t)argc + 1, sizeof(*a.authors.v));
    a.topics.v = calloc((size_t)argc + 1, sizeof(*a.topics.v));
    a.countries.v = calloc((size_t)argc + 1, sizeof(*a.countries.v));
    a.tags.v = calloc((size_t)argc + 1, sizeof(*a.tags.v));
    if (!a.authors.v || !a.topics.v || !a.countries.v || !a.tags.v) {
        warnx_("out of memory");
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = tool_parse(&spec, &a, argc, argv)) != OPT_NEXT ||
        (rc = check_options(&a, argc, argv, &query)) != OPT_NEXT)
        goto done;

    oo.flags = EAF_OPEN_READONLY;
    if (tool_open(&a.cfg.db, db_path(a.dbopt), &oo, 0) != EAF_OK) {
        rc = EXIT_FAIL;
        goto done;
    }
    if ((rc = check_dates(&a.cfg)) != OPT_NEXT)
        goto close;

    out.cfg = &a.cfg;
    out.out = stdout;
    rc = EXIT_OK;
    if (a.cfg.p->start && a.cfg.p->start(&out) != 0)
        rc = EXIT_FAIL;
    else if (a.cfg.batch)
        rc = run_batch(&out);
    else
        rc = run_query(&out, NULL, query, 0);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        warnx_("error writing the results");
        rc = EXIT_FAIL;
    }
close:
    eaf_db_close(a.cfg.db);
done:
    free(query);
    free(a.authors.v);
    free(a.topics.v);
    free(a.countries.v);
    free(a.tags.v);
    return rc;
}
