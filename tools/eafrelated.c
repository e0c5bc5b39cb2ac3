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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

typedef struct printer printer;

typedef struct config {
    const printer *p;
    int explain;
    int quiet;
    int progress;             /* a progress bar on stderr */
    eaf_related_options ro;
    eaf_db *db;
    struct timespec started, last;
    /* what the command line asks, besides the above */
    const char *dbopt, *format;
    int all, refresh, list;
} config;

/* One format: list is called with each source article and its list; it
 * returns 0, or -1 after a failure whose message is on the db handle. */
struct printer {
    const char *name;
    int (*list)(config *c, const char *key, const char *title, eaf_related *r);
};

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

/* ---- options ----------------------------------------------------------------------- */

static int opt_count(void *cfg, const tool_option *o, const char *arg)
{
    config *c = cfg;
    long v = parse_count(arg);

    (void)o;
    if (v < 1 || v > 100) {
        warnx_("--count needs a number from 1 to 100, not '%s'", arg);
        return EXIT_USAGE;
    }
    c->ro.count = (unsigned)v;
    return OPT_NEXT;
}

static int opt_neighbours(void *cfg, const tool_option *o, const char *arg)
{
    config *c = cfg;
    long v = parse_count(arg);

    (void)o;
    if (v < 1 || v > 10) {
        warnx_("--neighbours needs a number from 1 to 10, not '%s' (none: "
               "--neighbour-weight=-1)", arg);
        return EXIT_USAGE;
    }
    c->ro.neighbours = (unsigned)v;
    return OPT_NEXT;
}

/* --terms (up to o->value) and --half-life: a positive unsigned at
 * o->offset. */
static int opt_positive(void *cfg, const tool_option *o, const char *arg)
{
    long v = parse_count(arg);

    if (v < 1 || v > o->value) {
        warnx_("--%s needs a positive number%s, not '%s'", o->name,
               o->value == 200 ? " up to 200" : "", arg);
        return EXIT_USAGE;
    }
    *(unsigned *)((char *)cfg + o->offset) = (unsigned)v;
    return OPT_NEXT;
}

/* A weight or share: a double at o->offset.  In the options 0 is the
 * default (the index's): with o->value set, 0 here means none, where
 * none is a value (-1 there). */
static int opt_number(void *cfg, const tool_option *o, const char *arg)
{
    char *end;
    double d;

    if (!arg || !*arg || (d = strtod(arg, &end), *end)) {
        warnx_("'%s' is not a number", arg);
        return EXIT_USAGE;
    }
    if (d == 0.0 && o->value)
        d = -1.0;
    *(double *)((char *)cfg + o->offset) = d;
    return OPT_NEXT;
}

#define AT(member) offsetof(config, member)
#define RO(member) offsetof(config, ro.member)

static const tool_option options[] = {
    {"db", 'd', required_argument, "FILE",
     "the index (default: $EAFSEARCH_DB, else ./eafsearch.db)", opt_string, AT(dbopt), 0,
     {0, 0}, 0},
    {"count", 'n', required_argument, "N",
     "related articles per list (default: %d, at most 100)", opt_count, 0, 0,
     {EAF_RELATED_DEFAULT_COUNT, 0}, 0},
    {"explain", 'e', no_argument, NULL,
     "say why each article is related: the distinctive\n"
     "terms and the metadata it shares, and the score's parts",
     opt_set_int, AT(explain), 1, {0, 0}, 0},
    {"format", 'f', required_argument, "FORMAT",
     "text (default), json (one object per line) or tsv\n"
     "(KEY, a tab, the related keys separated by spaces)", opt_string, AT(format), 0,
     {0, 0}, 0},
    {"all", 'a', no_argument, NULL,
     "compute every article's list and store it in the\n"
     "index, with a progress bar; with --format, print the\n"
     "lists too", opt_set_int, AT(all), 1, {0, 0}, 0},
    {"refresh", 'r', no_argument, NULL, "recompute only the stale lists (what eafindex does)",
     opt_set_int, AT(refresh), 1, {0, 0}, 0},
    {"list", 'l', no_argument, NULL, "print every article's list", opt_set_int, AT(list), 1,
     {0, 0}, 0},
    {"compute", 0, no_argument, NULL, "compute the lists now, even if fresh ones are stored",
     opt_flag, RO(flags), EAF_RELATED_COMPUTE, {0, 0}, 0},
    {"text-only", 0, no_argument, NULL, "text alone: no metadata blended in", opt_flag,
     RO(flags), EAF_RELATED_TEXT_ONLY, {0, 0}, 0},
    {"earlier", 0, no_argument, NULL, "only articles dated no later than the source",
     opt_flag, RO(flags), EAF_RELATED_EARLIER, {0, 0}, 0},
    {"recency", 0, required_argument, "R",
     "prefer recent articles: 0 (none, the default) to 1", opt_number, RO(recency), 1,
     {0, 0}, 0},
    {"half-life", 0, required_argument, "DAYS", "of the recency preference (default: %d)",
     opt_positive, RO(half_life_days), 1000000, {EAF_RELATED_DEFAULT_HALF_LIFE_DAYS, 0}, 0},
    {"terms", 0, required_argument, "N", "distinctive terms kept per article (default: %d)",
     opt_positive, RO(terms), 200, {EAF_RELATED_DEFAULT_TERMS, 0}, 0},
    {"title-weight", 0, required_argument, "W",
     "a title term counts W body terms (default: %g)", opt_number, RO(title_weight), 0,
     {EAF_RELATED_DEFAULT_TITLE_WEIGHT, 0}, 0},
    {"max-share", 0, required_argument, "S",
     "drop terms in more than this share of the articles\n"
     "(default: %g)", opt_number, RO(max_share), 0, {EAF_RELATED_DEFAULT_MAX_SHARE, 0}, 0},
    {"topic-weight", 0, required_argument, "W", "weight of shared topics (default: %g; 0: none)",
     opt_number, RO(topic_weight), 1, {EAF_RELATED_DEFAULT_TOPIC_WEIGHT, 0}, 0},
    {"country-weight", 0, required_argument, "W", "weight of shared countries (default: %g)",
     opt_number, RO(country_weight), 1, {EAF_RELATED_DEFAULT_COUNTRY_WEIGHT, 0}, 0},
    {"tag-weight", 0, required_argument, "W", "weight of shared other tags (default: %g)",
     opt_number, RO(tag_weight), 1, {EAF_RELATED_DEFAULT_TAG_WEIGHT, 0}, 0},
    {"author-weight", 0, required_argument, "W", "weight of shared authors (default: %g)",
     opt_number, RO(author_weight), 1, {EAF_RELATED_DEFAULT_AUTHOR_WEIGHT, 0}, 0},
    {"idf-power", 0, required_argument, "P",
     "how much a term's rarity counts, 0 (not at all) to 2\n"
     "(default: %g; 1 favours names and the same story,\n"
     "lower values the subject)", opt_number, RO(idf_power), 1,
     {EAF_RELATED_DEFAULT_IDF_POWER, 0}, 0},
    {"neighbours", 0, required_argument, "N",
     "closest articles whose terms widen the source's when\n"
     "its list is ranked, up to 10 (default: %d)", opt_neighbours, 0, 0,
     {EAF_RELATED_DEFAULT_NEIGHBOURS, 0}, 0},
    {"neighbour-weight", 0, required_argument, "W",
     "their weight against the source, 0 (none) to 10\n"
     "(default: %g)", opt_number, RO(neighbour_weight), 1,
     {EAF_RELATED_DEFAULT_NEIGHBOUR_WEIGHT, 0}, 0},
    {"duplicate", 0, required_argument, "S",
     "cosine of two articles' vectors from which they count\n"
     "as the same text (default: %g)", opt_number, RO(duplicate), 0,
     {EAF_RELATED_DEFAULT_DUPLICATE, 0}, 0},
    {"library-defaults", 0, no_argument, NULL,
     "the options left out take the defaults shown here,\n"
     "not the index's", opt_flag, RO(flags), EAF_RELATED_LIBRARY_DEFAULTS, {0, 0}, 0},
    {"quiet", 'q', no_argument, NULL, "no progress bar, no summary", opt_set_int, AT(quiet), 1,
     {0, 0}, 0},
    {"help", 'h', no_argument, NULL, "show this help and exit", opt_help, 0, 0, {0, 0}, 0},
    {"version", 'V', no_argument, NULL, "show the version and exit", opt_version, 0, 0,
     {0, 0}, 0},
};

static const tool_spec spec = {
    "Usage: %s [OPTION]... KEY...\n"
    "       %s [OPTION]... --all | --refresh | --list\n"
    "List the related articles of articles of an index, or build every list.\n"
    "\n",
    options, sizeof(options) / sizeof(options[0]),
    "\n"
    "An option left out takes the index's default: the value its stored lists were\n"
    "built with (by --all, or eafindex), else the default shown.  A stored list is\n"
    "read when it is fresh and was built with the same options; otherwise it is\n"
    "computed on demand.\n"
    "\n"
    "Exit status: 0 on success (an empty list included), 1 if an article is not\n"
    "in the index or the index failed, 2 for a usage error.\n",
    0,
};

/* What goes with what, once the options are read; OPT_NEXT or an exit
 * status. */
static int check_options(config *c, int operands)
{
    size_t k;

    if (c->format) {
        for (k = 0; k < sizeof(printers) / sizeof(printers[0]); k++)
            if (strcmp(c->format, printers[k].name) == 0)
                c->p = &printers[k];
        if (strcmp(c->p->name, c->format) != 0) {
            warnx_("unknown format '%s' (formats: text, json, tsv)", c->format);
            return EXIT_USAGE;
        }
    }
    if (c->all + c->refresh + c->list > 1) {
        warnx_("--all, --refresh and --list go alone");
        return EXIT_USAGE;
    }
    if ((c->all || c->refresh || c->list) && operands > 0) {
        warnx_("--%s takes no key", c->all ? "all" : c->refresh ? "refresh" : "list");
        return EXIT_USAGE;
    }
    if (!c->all && !c->refresh && !c->list && operands == 0) {
        warnx_("no article key given");
        return usage_error();
    }
    return OPT_NEXT;
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
    eaf_related_options defaults = EAF_RELATED_OPTIONS_INIT;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    config c;
    int rc;

    tool_init(argv[0]);
    memset(&c, 0, sizeof(c));
    c.ro = defaults;
    c.p = &printers[0];
    if ((rc = tool_parse(&spec, &c, argc, argv)) != OPT_NEXT ||
        (rc = check_options(&c, argc - optind)) != OPT_NEXT)
        return rc;
    /* a build writes every list: the only writer meanwhile, as eafindex */
    oo.flags = c.all || c.refresh ? EAF_OPEN_LOCK : EAF_OPEN_READONLY;
    if (tool_open(&c.db, db_path(c.dbopt), &oo, 0) != EAF_OK)
        return EXIT_FAIL;
    catch_signals(1);
    c.progress = !c.quiet && isatty(STDERR_FILENO);
    if (c.all || c.refresh)
        rc = batch(&c, c.refresh, c.format != NULL);
    else if (c.list)
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
