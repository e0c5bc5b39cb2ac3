/*
 * eafquery: search an index from the shell.
 *
 *   eafquery [-d DB] [-n N] [--offset K] [--format text|json] QUERY...
 *
 * The query is the rest of the command line.  Each hit shows its key,
 * url, title, date, authors, score and a snippet with the matched words
 * marked (highlighted on a terminal).
 */
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define DEFAULT_LIMIT 10
#define JSON_SCHEMA_VERSION 1

enum { OPT_OFFSET = 256, OPT_FORMAT, OPT_COLOR, OPT_STRICT, OPT_MARK_OPEN,
       OPT_MARK_CLOSE };

enum { FORMAT_TEXT, FORMAT_JSON };

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTION]... QUERY...\n"
            "Search an index made by eafindex; the query is the rest of the line.\n"
            "\n"
            "  -d, --db=FILE          the index (default: $EAFSEARCH_DB, else ./eafsearch.db)\n"
            "  -n, --limit=N          show at most N hits (default: %d)\n"
            "      --offset=K         skip the first K hits (for paging)\n"
            "      --format=FORMAT    text (default) or json\n"
            "      --color[=WHEN]     highlight matches: auto (default, on a terminal),\n"
            "                         always or never\n"
            "      --mark-open=TEXT   put TEXT before each match in snippets\n"
            "      --mark-close=TEXT  put TEXT after each match in snippets\n"
            "      --strict           report a malformed query instead of repairing it\n"
            "  -h, --help             show this help and exit\n"
            "  -V, --version          show the version and exit\n"
            "\n"
            "Query language (see eafsearch-query(7)): words must all match; \"a phrase\";\n"
            "a OR b; -word or NOT word excludes; (groups); pre*; title:, author:,\n"
            "affiliation:, body:, topic:, country: fields; author:\"Exact Name\";\n"
            "date:2018, date:2017..2019, after:2018-06, before:2010.\n"
            "\n"
            "Exit status: 0 on success, with or without hits; 1 on failure (no index,\n"
            "wrong version, locked); 2 for a usage error or, with --strict, a\n"
            "malformed query.\n",
            progname, DEFAULT_LIMIT);
}

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

/* "Name (Affiliation), Name" */
static void print_authors(const eaf_article *a)
{
    size_t i, n = eaf_article_author_count(a);

    for (i = 0; i < n; i++) {
        const char *aff = eaf_article_author_affiliation(a, i);
        printf("%s%s", i ? ", " : "", eaf_article_author_name(a, i));
        if (aff)
            printf(" (%s)", aff);
    }
}

/* A snippet on one line: newlines become spaces. */
static void print_flat(const char *s)
{
    for (; *s; s++)
        putchar(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

static int print_text(eaf_search *s, const char *query, unsigned offset,
                      eaf_db *db)
{
    const eaf_article *a;
    int64_t total = 0;
    eaf_status st;
    unsigned rank = offset;

    if (eaf_search_total(&total, s) != EAF_OK) {
        warnx_("%s", eaf_errmsg(db));
        return EXIT_FAIL;
    }
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const char *date = eaf_search_field(s, EAF_FIELD_DATE);
        const char *url = eaf_search_field(s, EAF_FIELD_URL);
        const char *snippet;

        if (rank == offset)
            printf("%lld article%s match \"%s\"\n", (long long)total,
                   total == 1 ? "" : "s", query);
        rank++;
        printf("\n%u. %s\n   ", rank, eaf_search_field(s, EAF_FIELD_TITLE));
        if (date)
            printf("%s | ", date);
        if (eaf_search_article(&a, s) == EAF_OK && eaf_article_author_count(a) > 0) {
            print_authors(a);
            printf(" | ");
        }
        printf("score %.3f\n   %s", eaf_search_score(s), eaf_search_field(s, EAF_FIELD_KEY));
        if (url && strcmp(url, eaf_search_field(s, EAF_FIELD_KEY)) != 0)
            printf(" <%s>", url);
        putchar('\n');
        snippet = eaf_search_snippet(s);
        if (snippet && *snippet) {
            printf("   ");
            print_flat(snippet);
            putchar('\n');
        }
    }
    if (st != EAF_DONE) {
        fflush(stdout);
        warnx_("%s", eaf_errmsg(db));
        return EXIT_FAIL;
    }
    if (rank == offset)
        printf("%lld article%s match \"%s\"%s\n", (long long)total,
               total == 1 ? "" : "s", query,
               total > 0 ? " (none at this offset)" : "");
    else if (total > rank || offset > 0)
        printf("\nshowing %u-%u of %lld\n", offset + 1, rank, (long long)total);
    return EXIT_OK;
}

static json_t *json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int print_json(eaf_search *s, const char *query, unsigned offset,
                      unsigned limit, eaf_db *db)
{
    json_t *root = json_object(), *hits = json_array();
    const eaf_article *a;
    int64_t total = 0;
    eaf_status st;
    unsigned rank = offset;
    char *text;
    int rc = EXIT_OK;

    if (!root || !hits) {
        warnx_("out of memory");
        json_decref(root);
        json_decref(hits);
        return EXIT_FAIL;
    }
    if (eaf_search_total(&total, s) != EAF_OK) {
        warnx_("%s", eaf_errmsg(db));
        json_decref(root);
        json_decref(hits);
        return EXIT_FAIL;
    }
    json_object_set_new(root, "version", json_integer(JSON_SCHEMA_VERSION));
    json_object_set_new(root, "query", json_string(query));
    json_object_set_new(root, "total", json_integer(total));
    json_object_set_new(root, "offset", json_integer(offset));
    json_object_set_new(root, "limit", json_integer(limit));
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        json_t *hit = json_object(), *authors = json_array();
        size_t i;

        json_object_set_new(hit, "rank", json_integer(++rank));
        json_object_set_new(hit, "key", json_string(eaf_search_field(s, EAF_FIELD_KEY)));
        json_object_set_new(hit, "url", json_str_or_null(eaf_search_field(s, EAF_FIELD_URL)));
        json_object_set_new(hit, "title", json_string(eaf_search_field(s, EAF_FIELD_TITLE)));
        json_object_set_new(hit, "date", json_str_or_null(eaf_search_field(s, EAF_FIELD_DATE)));
        if (eaf_search_article(&a, s) == EAF_OK) {
            for (i = 0; i < eaf_article_author_count(a); i++) {
                json_t *au = json_object();
                json_object_set_new(au, "name", json_string(eaf_article_author_name(a, i)));
                json_object_set_new(au, "affiliation",
                                    json_str_or_null(eaf_article_author_affiliation(a, i)));
                json_array_append_new(authors, au);
            }
        }
        json_object_set_new(hit, "authors", authors);
        json_object_set_new(hit, "score", json_real(eaf_search_score(s)));
        json_object_set_new(hit, "snippet", json_str_or_null(eaf_search_snippet(s)));
        json_array_append_new(hits, hit);
    }
    if (st != EAF_DONE) {
        warnx_("%s", eaf_errmsg(db));
        rc = EXIT_FAIL;
    }
    json_object_set_new(root, "hits", hits);
    text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text && rc == EXIT_OK)
        printf("%s\n", text);
    else if (!text) {
        warnx_("out of memory");
        rc = EXIT_FAIL;
    }
    free(text);
    json_decref(root);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, OPT_OFFSET},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"color", optional_argument, NULL, OPT_COLOR},
        {"colour", optional_argument, NULL, OPT_COLOR},
        {"mark-open", required_argument, NULL, OPT_MARK_OPEN},
        {"mark-close", required_argument, NULL, OPT_MARK_CLOSE},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    const char *dbopt = NULL, *color = "auto", *mark_open = NULL, *mark_close = NULL;
    int format = FORMAT_TEXT, c, rc, use_color;
    long v;
    eaf_db *db;
    eaf_search *s;
    eaf_status st;
    char *err = NULL, *query;

    tool_init(argv[0]);
    so.limit = DEFAULT_LIMIT;
    while ((c = getopt_long(argc, argv, "+d:n:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dbopt = optarg;
            break;
        case 'n':
            v = parse_count(optarg);
            if (v < 1 || v > 1000000) {
                warnx_("--limit needs a number from 1 to 1000000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            so.limit = (unsigned)v;
            break;
        case OPT_OFFSET:
            v = parse_count(optarg);
            if (v < 0 || v > 100000000) {
                warnx_("--offset needs a number from 0 to 100000000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            so.offset = (unsigned)v;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                format = FORMAT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                format = FORMAT_JSON;
            else {
                warnx_("unknown format '%s' (formats: text, json)", optarg);
                return EXIT_USAGE;
            }
            break;
        case OPT_COLOR:
            color = optarg ? optarg : "always";
            if (strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never")) {
                warnx_("--color takes auto, always or never, not '%s'", color);
                return EXIT_USAGE;
            }
            break;
        case OPT_MARK_OPEN:
            mark_open = optarg;
            break;
        case OPT_MARK_CLOSE:
            mark_close = optarg;
            break;
        case OPT_STRICT:
            so.flags |= EAF_SEARCH_STRICT;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case 'V':
            print_version();
            return EXIT_OK;
        default:
            fprintf(stderr, "Try '%s --help' for more information.\n", progname);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        warnx_("no query given");
        fprintf(stderr, "Try '%s --help' for more information.\n", progname);
        return EXIT_USAGE;
    }
    query = join_args(argc - optind, argv + optind);
    if (!query) {
        warnx_("out of memory");
        return EXIT_FAIL;
    }
    use_color = format == FORMAT_TEXT &&
                (strcmp(color, "always") == 0 ||
                 (strcmp(color, "auto") == 0 && isatty(STDOUT_FILENO)));
    if (format == FORMAT_JSON) {
        so.mark_open = mark_open;   /* NULL: the library's "[" */
        so.mark_close = mark_close;
    } else {
        so.mark_open = mark_open ? mark_open : use_color ? "\033[1;31m" : "";
        so.mark_close = mark_close ? mark_close : use_color ? "\033[0m" : "";
    }
    oo.flags = EAF_OPEN_READONLY;
    st = eaf_db_open(&db, db_path(dbopt), &oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        free(query);
        return EXIT_FAIL;
    }
    st = eaf_search_new(&s, db, query, &so);
    if (st != EAF_OK) {
        if (st == EAF_SYNTAX)
            warnx_("query error: %s", eaf_errmsg(db));
        else
            warnx_("%s", eaf_errmsg(db));
        eaf_db_close(db);
        free(query);
        return st == EAF_SYNTAX ? EXIT_USAGE : EXIT_FAIL;
    }
    if (format == FORMAT_JSON)
        rc = print_json(s, query, so.offset, so.limit, db);
    else
        rc = print_text(s, query, so.offset, db);
    eaf_search_free(s);
    eaf_db_close(db);
    free(query);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        warnx_("error writing the results");
        rc = EXIT_FAIL;
    }
    return rc;
}
