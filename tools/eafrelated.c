/*
 * eafrelated: the related articles of articles of an index, and the batch
 * build that stores them.
 *
 *   eafrelated [-d DB] [-n N] [--explain] [--format text|json|tsv] KEY...
 *   eafrelated [-d DB] --all [--format ...]      build every list and store it
 *   eafrelated [-d DB] --refresh                  recompute the stale lists
 *   eafrelated [-d DB] --list [--format ...]      print every list
 *
 * The tool only strings the library's calls together: eaf_related_new()
 * for each key, eaf_related_build() / eaf_related_refresh() for the batch,
 * eaf_related_each() to print every list.  Every format goes through one
 * printer (struct printer).
 */
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

enum { OPT_FORMAT = 256, OPT_TEXT_ONLY, OPT_EARLIER, OPT_RECENCY, OPT_HALF_LIFE, OPT_TERMS,
       OPT_TITLE_WEIGHT, OPT_MAX_SHARE, OPT_TOPIC_WEIGHT, OPT_COUNTRY_WEIGHT,
       OPT_TAG_WEIGHT, OPT_AUTHOR_WEIGHT, OPT_DUPLICATE, OPT_COMPUTE, OPT_LIST, OPT_REFRESH,
       OPT_IDF_POWER, OPT_NEIGHBOURS, OPT_NEIGHBOUR_WEIGHT, OPT_LIBRARY_DEFAULTS };

typedef struct printer printer;

typedef struct config {
    const printer *p;
    int explain;
    int quiet;
    int progress;             /* a progress bar on stderr */
    eaf_related_options ro;
    eaf_db *db;
    struct timespec started, last;
} config;

/* One format: list is called with each source article and its list; it
 * returns 0, or -1 after a failure whose message is on the db handle. */
struct printer {
    const char *name;
    int (*list)(config *c, const char *key, const char *title, eaf_related *r);
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: %s [OPTION]... KEY...\n"
            "       %s [OPTION]... --all | --refresh | --list\n"
            "List the related articles of articles of an index, or build every list.\n"
            "\n"
            "  -d, --db=FILE          the index (default: $EAFSEARCH_DB, else ./eafsearch.db)\n"
            "  -n, --count=N          related articles per list (default: %d, at most 100)\n"
            "  -e, --explain          say why each article is related: the distinctive\n"
            "                         terms and the metadata it shares, and the score's parts\n"
            "  -f, --format=FORMAT    text (default), json (one object per line) or tsv\n"
            "                         (KEY, a tab, the related keys separated by spaces)\n"
            "  -a, --all              compute every article's list and store it in the\n"
            "                         index, with a progress bar; with --format, print the\n"
            "                         lists too\n"
            "  -r, --refresh          recompute only the stale lists (what eafindex does)\n"
            "  -l, --list             print every article's list\n"
            "      --compute          compute the lists now, even if fresh ones are stored\n"
            "      --text-only        text alone: no metadata blended in\n"
            "      --earlier          only articles dated no later than the source\n"
            "      --recency=R        prefer recent articles: 0 (none, the default) to 1\n"
            "      --half-life=DAYS   of the recency preference (default: %d)\n"
            "      --terms=N          distinctive terms kept per article (default: %d)\n"
            "      --title-weight=W   a title term counts W body terms (default: %g)\n"
            "      --max-share=S      drop terms in more than this share of the articles\n"
            "                         (default: %g)\n"
            "      --topic-weight=W   weight of shared topics (default: %g; 0: none)\n"
            "      --country-weight=W weight of shared countries (default: %g)\n"
            "      --tag-weight=W     weight of shared other tags (default: %g)\n"
            "      --author-weight=W  weight of shared authors (default: %g)\n"
            "      --idf-power=P      how much a term's rarity counts, 0 (not at all) to 2\n"
            "                         (default: %g; 1 favours names and the same story,\n"
            "                         lower values the subject)\n"
            "      --neighbours=N     closest articles whose terms widen the source's when\n"
            "                         its list is ranked, up to 10 (default: %d)\n"
            "      --neighbour-weight=W  their weight against the source, 0 (none) to 10\n"
            "                         (default: %g)\n"
            "      --duplicate=S      cosine of two articles' vectors from which they count\n"
            "                         as the same text (default: %g)\n"
            "      --library-defaults the options left out take the defaults shown here,\n"
            "                         not the index's\n"
            "  -q, --quiet            no progress bar, no summary\n"
            "  -h, --help             show this help and exit\n"
            "  -V, --version          show the version and exit\n"
            "\n"
            "An option left out takes the index's default: the value its stored lists were\n"
            "built with (by --all, or eafindex), else the default shown.  A stored list is\n"
            "read when it is fresh and was built with the same options; otherwise it is\n"
            "computed on demand.\n"
            "\n"
            "Exit status: 0 on success (an empty list included), 1 if an article is not\n"
            "in the index or the index failed, 2 for a usage error.\n",
            progname, progname, EAF_RELATED_DEFAULT_COUNT, EAF_RELATED_DEFAULT_HALF_LIFE_DAYS,
            EAF_RELATED_DEFAULT_TERMS, EAF_RELATED_DEFAULT_TITLE_WEIGHT,
            EAF_RELATED_DEFAULT_MAX_SHARE, EAF_RELATED_DEFAULT_TOPIC_WEIGHT,
            EAF_RELATED_DEFAULT_COUNTRY_WEIGHT, EAF_RELATED_DEFAULT_TAG_WEIGHT,
            EAF_RELATED_DEFAULT_AUTHOR_WEIGHT, EAF_RELATED_DEFAULT_IDF_POWER,
            EAF_RELATED_DEFAULT_NEIGHBOURS, EAF_RELATED_DEFAULT_NEIGHBOUR_WEIGHT,
            EAF_RELATED_DEFAULT_DUPLICATE);
}

/* Prints s with tabs and line breaks turned into spaces. */
static void put_flat(const char *s)
{
    for (; s && *s; s++)
        putchar(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
}

/* ---- printers ---------------------------------------------------------------- */

static int text_list(config *c, const char *key, const char *title, eaf_related *r)
{
    static int lists;
    size_t i, n = eaf_related_count(r);

    if (lists++)
        putchar('\n');
    put_flat(key);
    if (title && *title) {
        fputs("  ", stdout);
        put_flat(title);
    }
    putchar('\n');
    if (n == 0)
        puts("  (no related article)");
    for (i = 0; i < n; i++) {
        printf("%3zu. %.3f  ", i + 1, eaf_related_score(r, i));
        put_flat(eaf_related_key(r, i));
        fputs("  ", stdout);
        put_flat(eaf_related_title(r, i));
        putchar('\n');
        if (c->explain) {
            const char *why;
            if (eaf_related_explain(&why, r, i) != EAF_OK)
                return -1;
            fputs("       why: ", stdout);
            put_flat(why);
            putchar('\n');
        }
    }
    return 0;
}

static int tsv_list(config *c, const char *key, const char *title, eaf_related *r)
{
    size_t i, n = eaf_related_count(r);

    (void)title;
    if (c->explain) {
        /* one line per related article: key, rank, related key, score, why */
        for (i = 0; i < n; i++) {
            const char *why;
            if (eaf_related_explain(&why, r, i) != EAF_OK)
                return -1;
            put_flat(key);
            printf("\t%zu\t", i + 1);
            put_flat(eaf_related_key(r, i));
            printf("\t%.6f\t", eaf_related_score(r, i));
            put_flat(why);
            putchar('\n');
        }
        return 0;
    }
    put_flat(key);
    putchar('\t');
    for (i = 0; i < n; i++) {
        if (i)
            putchar(' ');
        put_flat(eaf_related_key(r, i));
    }
    putchar('\n');
    return 0;
}

static json_t *json_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int json_list(config *c, const char *key, const char *title, eaf_related *r)
{
    json_t *root = json_object(), *arr = json_array();
    size_t i, n = eaf_related_count(r), j;
    int k;

    json_object_set_new(root, "key", json_str(key));
    if (title)
        json_object_set_new(root, "title", json_str(title));
    json_object_set_new(root, "stored", json_boolean(eaf_related_stored(r)));
    for (i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "key", json_str(eaf_related_key(r, i)));
        json_object_set_new(o, "title", json_str(eaf_related_title(r, i)));
        json_object_set_new(o, "score", json_real(eaf_related_score(r, i)));
        if (c->explain) {
            const char *why;
            json_t *shared = json_object();
            if (eaf_related_explain(&why, r, i) != EAF_OK) {
                json_decref(o);
                json_decref(arr);
                json_decref(root);
                json_decref(shared);
                return -1;
            }
            json_object_set_new(o, "why", json_string(why));
            for (k = 0; k < EAF_REASON_LAST; k++) {
                json_t *vals = json_array();
                size_t nv = 0;
                if (eaf_related_shared_count(&nv, r, i, (eaf_related_reason)k) != EAF_OK)
                    nv = 0;
                for (j = 0; j < nv; j++) {
                    const char *v = NULL;
                    if (eaf_related_shared(&v, r, i, (eaf_related_reason)k, j) != EAF_OK)
                        v = NULL;
                    json_array_append_new(vals, json_str(v));
                }
                json_object_set_new(shared, eaf_related_reason_name((eaf_related_reason)k),
                                    vals);
            }
            json_object_set_new(o, "shared", shared);
        }
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "related", arr);
    json_dumpf(root, stdout, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(root);
    return 0;
}

static const printer printers[] = {
    {"text", text_list},
    {"json", json_list},
    {"tsv", tsv_list},
};

/* ---- progress ------------------------------------------------------------------ */

static int on_progress(const char *phase, int64_t done, int64_t total, void *payload)
{
    config *c = payload;
    int width = 24, filled;

    if (interrupted)
        return 1;
    if (!c->progress || seconds_since(&c->last) < 0.1)
        return 0;
    clock_gettime(CLOCK_MONOTONIC, &c->last);
    if (total > 0) {
        filled = (int)((double)width * (double)done / (double)total);
        if (filled > width)
            filled = width;
        fprintf(stderr, "\r\033[K[%.*s%.*s] %s %lld/%lld, %.0f s", filled,
                "########################", width - filled, "........................",
                phase, (long long)done, (long long)total, seconds_since(&c->started));
    } else {
        fprintf(stderr, "\r\033[K%s: %lld, %.0f s", phase, (long long)done,
                seconds_since(&c->started));
    }
    fflush(stderr);
    return 0;
}

static void end_progress(config *c)
{
    if (c->progress) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

/* ---- the commands ---------------------------------------------------------------- */

static int print_one(const char *key, eaf_related *r, void *payload)
{
    config *c = payload;

    if (interrupted)
        return 1;
    /* the walk gives no title: the list is enough for every format */
    if (c->p->list(c, key, NULL, r) < 0) {
        warnx_("%s: %s", key, eaf_db_errmsg(c->db));
        return 1;
    }
    return 0;
}

static int print_all(config *c)
{
    eaf_status st = eaf_related_each(c->db, &c->ro, print_one, c);

    /* EAF_ABORT: print_one stopped the walk, and said why */
    if (st != EAF_OK && st != EAF_ABORT) {
        warnx_("cannot read the related articles: %s", eaf_db_errmsg(c->db));
        return st == EAF_MISUSE ? EXIT_USAGE : EXIT_FAIL;
    }
    return interrupted ? EXIT_FAIL : EXIT_OK;
}

static int batch(config *c, int refresh, int print)
{
    eaf_related_stats stats;
    eaf_status st;

    memset(&stats, 0, sizeof(stats));
    stats.version = EAF_RELATED_STATS_VERSION;
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    c->last = c->started;
    c->last.tv_sec -= 1;
    st = refresh ? eaf_related_refresh(&stats, c->db, on_progress, c)
                 : eaf_related_build(&stats, c->db, &c->ro, on_progress, c);
    end_progress(c);
    if (st != EAF_OK) {
        warnx_("%s", interrupted ? "interrupted: nothing was stored" : eaf_db_errmsg(c->db));
        return st == EAF_MISUSE ? EXIT_USAGE : EXIT_FAIL;
    }
    if (!c->quiet)
        fprintf(stderr,
                "%s: %lld list%s of %lld article%s %s in %.1f s (reading %.1f s, scoring %.1f s,"
                " storing %.1f s); %lld term%s, model %.1f MB\n",
                progname, (long long)stats.lists, stats.lists == 1 ? "" : "s",
                (long long)stats.articles, stats.articles == 1 ? "" : "s",
                stats.full ? "built" : "refreshed",
                seconds_since(&c->started), stats.read_seconds, stats.score_seconds,
                stats.write_seconds, (long long)stats.terms, stats.terms == 1 ? "" : "s",
                (double)stats.model_bytes / 1e6);
    return print ? print_all(c) : EXIT_OK;
}

static int show_keys(config *c, char **keys, int n)
{
    int i, rc = EXIT_OK;

    for (i = 0; i < n && !interrupted; i++) {
        eaf_related *r = NULL;
        eaf_article *a = NULL;
        eaf_status st = eaf_related_new(&r, c->db, keys[i], &c->ro);

        if (st == EAF_MISUSE) {
            /* an option out of its range (the library says which) */
            warnx_("%s", eaf_db_errmsg(c->db));
            return EXIT_USAGE;
        }
        if (st != EAF_OK) {
            warnx_("%s: %s", keys[i], eaf_db_errmsg(c->db));
            rc = EXIT_FAIL;
            continue;
        }
        if (eaf_db_get(&a, c->db, keys[i]) != EAF_OK)
            a = NULL;
        if (c->p->list(c, keys[i], a ? eaf_article_get(a, EAF_FIELD_TITLE) : NULL, r) < 0) {
            warnx_("%s: %s", keys[i], eaf_db_errmsg(c->db));
            rc = EXIT_FAIL;
        }
        eaf_article_free(a);
        eaf_related_free(r);
    }
    return rc;
}

/* ---- main -------------------------------------------------------------------------- */

static int parse_double(const char *s, double *out)
{
    char *end;

    if (!s || !*s)
        return -1;
    *out = strtod(s, &end);
    return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"count", required_argument, NULL, 'n'},
        {"explain", no_argument, NULL, 'e'},
        {"format", required_argument, NULL, 'f'},
        {"all", no_argument, NULL, 'a'},
        {"refresh", no_argument, NULL, 'r'},
        {"list", no_argument, NULL, 'l'},
        {"compute", no_argument, NULL, OPT_COMPUTE},
        {"text-only", no_argument, NULL, OPT_TEXT_ONLY},
        {"earlier", no_argument, NULL, OPT_EARLIER},
        {"recency", required_argument, NULL, OPT_RECENCY},
        {"half-life", required_argument, NULL, OPT_HALF_LIFE},
        {"terms", required_argument, NULL, OPT_TERMS},
        {"title-weight", required_argument, NULL, OPT_TITLE_WEIGHT},
        {"max-share", required_argument, NULL, OPT_MAX_SHARE},
        {"topic-weight", required_argument, NULL, OPT_TOPIC_WEIGHT},
        {"country-weight", required_argument, NULL, OPT_COUNTRY_WEIGHT},
        {"tag-weight", required_argument, NULL, OPT_TAG_WEIGHT},
        {"author-weight", required_argument, NULL, OPT_AUTHOR_WEIGHT},
        {"idf-power", required_argument, NULL, OPT_IDF_POWER},
        {"neighbours", required_argument, NULL, OPT_NEIGHBOURS},
        {"neighbour-weight", required_argument, NULL, OPT_NEIGHBOUR_WEIGHT},
        {"duplicate", required_argument, NULL, OPT_DUPLICATE},
        {"library-defaults", no_argument, NULL, OPT_LIBRARY_DEFAULTS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    eaf_related_options defaults = EAF_RELATED_OPTIONS_INIT;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    const char *dbopt = NULL, *format = NULL;
    config c;
    char *err = NULL;
    double *dv = NULL, d;
    long v;
    int ch, all = 0, refresh = 0, list = 0, rc;
    size_t k;
    eaf_status st;

    tool_init(argv[0]);
    memset(&c, 0, sizeof(c));
    c.ro = defaults;
    c.p = &printers[0];
    while ((ch = getopt_long(argc, argv, "d:n:ef:arlqhV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            dbopt = optarg;
            break;
        case 'n':
            v = parse_count(optarg);
            if (v < 1 || v > 100) {
                warnx_("--count needs a number from 1 to 100, not '%s'", optarg);
                return EXIT_USAGE;
            }
            c.ro.count = (unsigned)v;
            break;
        case 'e':
            c.explain = 1;
            break;
        case 'f':
            format = optarg;
            break;
        case 'a':
            all = 1;
            break;
        case 'r':
            refresh = 1;
            break;
        case 'l':
            list = 1;
            break;
        case OPT_COMPUTE:
            c.ro.flags |= EAF_RELATED_COMPUTE;
            break;
        case OPT_TEXT_ONLY:
            c.ro.flags |= EAF_RELATED_TEXT_ONLY;
            break;
        case OPT_EARLIER:
            c.ro.flags |= EAF_RELATED_EARLIER;
            break;
        case OPT_LIBRARY_DEFAULTS:
            c.ro.flags |= EAF_RELATED_LIBRARY_DEFAULTS;
            break;
        case OPT_NEIGHBOURS:
            v = parse_count(optarg);
            if (v < 1 || v > 10) {
                warnx_("--neighbours needs a number from 1 to 10, not '%s' (none: "
                       "--neighbour-weight=-1)", optarg);
                return EXIT_USAGE;
            }
            c.ro.neighbours = (unsigned)v;
            break;
        case OPT_HALF_LIFE:
        case OPT_TERMS:
            v = parse_count(optarg);
            if (v < 1 || v > (ch == OPT_TERMS ? 200 : 1000000)) {
                warnx_("--%s needs a positive number%s, not '%s'",
                       ch == OPT_TERMS ? "terms" : "half-life",
                       ch == OPT_TERMS ? " up to 200" : "", optarg);
                return EXIT_USAGE;
            }
            if (ch == OPT_TERMS)
                c.ro.terms = (unsigned)v;
            else
                c.ro.half_life_days = (unsigned)v;
            break;
        case OPT_RECENCY:
        case OPT_TITLE_WEIGHT:
        case OPT_MAX_SHARE:
        case OPT_TOPIC_WEIGHT:
        case OPT_COUNTRY_WEIGHT:
        case OPT_TAG_WEIGHT:
        case OPT_AUTHOR_WEIGHT:
        case OPT_DUPLICATE:
        case OPT_IDF_POWER:
        case OPT_NEIGHBOUR_WEIGHT:
            dv = ch == OPT_RECENCY ? &c.ro.recency
                 : ch == OPT_IDF_POWER ? &c.ro.idf_power
                 : ch == OPT_NEIGHBOUR_WEIGHT ? &c.ro.neighbour_weight
                 : ch == OPT_TITLE_WEIGHT ? &c.ro.title_weight
                 : ch == OPT_MAX_SHARE ? &c.ro.max_share
                 : ch == OPT_TOPIC_WEIGHT ? &c.ro.topic_weight
                 : ch == OPT_COUNTRY_WEIGHT ? &c.ro.country_weight
                 : ch == OPT_TAG_WEIGHT ? &c.ro.tag_weight
                 : ch == OPT_AUTHOR_WEIGHT ? &c.ro.author_weight : &c.ro.duplicate;
            if (parse_double(optarg, &d) < 0) {
                warnx_("'%s' is not a number", optarg);
                return EXIT_USAGE;
            }
            /* in the options 0 is the default (the index's): here it means
             * none, where none is a value */
            if (d == 0.0 && ch != OPT_TITLE_WEIGHT && ch != OPT_MAX_SHARE && ch != OPT_DUPLICATE)
                d = -1.0;
            *dv = d;
            break;
        case 'q':
            c.quiet = 1;
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
    if (format) {
        for (k = 0; k < sizeof(printers) / sizeof(printers[0]); k++)
            if (strcmp(format, printers[k].name) == 0)
                c.p = &printers[k];
        if (strcmp(c.p->name, format) != 0) {
            warnx_("unknown format '%s' (formats: text, json, tsv)", format);
            return EXIT_USAGE;
        }
    }
    if (all + refresh + list > 1) {
        warnx_("--all, --refresh and --list go alone");
        return EXIT_USAGE;
    }
    if ((all || refresh || list) && optind < argc) {
        warnx_("--%s takes no key", all ? "all" : refresh ? "refresh" : "list");
        return EXIT_USAGE;
    }
    if (!all && !refresh && !list && optind >= argc) {
        warnx_("no article key given");
        fprintf(stderr, "Try '%s --help' for more information.\n", progname);
        return EXIT_USAGE;
    }
    /* a build writes every list: the only writer meanwhile, as eafindex */
    if (!all && !refresh)
        oo.flags = EAF_OPEN_READONLY;
    else
        oo.flags = EAF_OPEN_LOCK;
    st = eaf_db_open(&c.db, db_path(dbopt), &oo, &err);
    if (st != EAF_OK) {
        warnx_("%s", err ? err : eaf_status_str(st));
        eaf_free(err);
        return EXIT_FAIL;
    }
    catch_signals(1);
    c.progress = !c.quiet && isatty(STDERR_FILENO);
    if (all || refresh)
        rc = batch(&c, refresh, format != NULL);
    else if (list)
        rc = print_all(&c);
    else
        rc = show_keys(&c, argv + optind, argc - optind);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        warnx_("cannot write the output");
        rc = EXIT_FAIL;
    }
    eaf_db_close(c.db);
    return interrupted && rc == EXIT_OK ? EXIT_FAIL : rc;
}
