/*
 * common.c: small helpers shared by the tools.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *progname = "eaf";

void tool_init(const char *argv0)
{
    const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

    if (argv0)
        progname = slash ? slash + 1 : argv0;
    /* libtool wrappers run the real binary as lt-NAME */
    if (strncmp(progname, "lt-", 3) == 0)
        progname += 3;
}

void warnx_(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *db_path(const char *option)
{
    const char *env;

    if (option)
        return option;
    env = getenv("EAFSEARCH_DB");
    if (env && *env)
        return env;
    return "eafsearch.db";
}

eaf_status tool_open(eaf_db **db, const char *path, const eaf_open_options *oo,
                     int or_readonly)
{
    eaf_open_options ro = oo ? *oo : (eaf_open_options)EAF_OPEN_OPTIONS_INIT;
    char *err = NULL;
    eaf_status st = eaf_db_open(db, path, oo, &err);

    if (st == EAF_READONLY && or_readonly) {
        eaf_free(err);
        err = NULL;
        ro.flags = EAF_OPEN_READONLY;
        st = eaf_db_open(db, path, &ro, &err);
    }
    if (st != EAF_OK)
        warnx_("%s", err ? err : eaf_status_str(st));
    eaf_free(err);
    return st;
}

void print_version(void)
{
    printf("%s (libeafsearch) %s\n", progname, EAF_VERSION_STRING);
    printf("library version %s\n", eaf_version());
}

long parse_count(const char *s)
{
    char *end;
    long v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0)
        return -1;
    return v;
}

_Atomic int interrupted;
eaf_db *volatile interrupt_db;

/* The first signal asks for a clean stop (and stops the long call on
 * interrupt_db, if any); a second one ends the program at once. */
static void on_signal(int sig)
{
    struct sigaction dfl;
    eaf_db *db = interrupt_db;
    int saved = errno; /* the code interrupted may be about to read it */

    interrupted = 1;
    if (db)
        eaf_db_interrupt(db);
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    errno = saved;
}

void catch_signals(int restart)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = restart ? SA_RESTART : 0;
    if (!interrupted) {
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
}

double seconds_since(const struct timespec *since)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - since->tv_sec) + (double)(t.tv_nsec - since->tv_nsec) / 1e9;
}

/* ---- options ------------------------------------------------------------------ */

/* The spec whose help opt_help() prints: the one being parsed. */
static const tool_spec *parsing;

/* getopt's value of an option without a letter: past every byte. */
#define LONG_ONLY 256

/* Prints text, with "%s" as progname and "%d", "%g" as the values in
 * turn; each line break is followed by indent spaces. */
static void put_help(FILE *out, const char *text, const double *values, int indent)
{
    const char *p;
    int v = 0;

    for (p = text; *p; p++) {
        if (p[0] == '%' && (p[1] == 's' || p[1] == 'd' || p[1] == 'g')) {
            double x = values[v < 2 ? v : 1];

            if (p[1] == 's') {
                fputs(progname, out);
            } else {
                fprintf(out, p[1] == 'd' ? "%.0f" : "%g", x);
                v++;
            }
            p++;
            continue;
        }
        putc(*p, out);
        if (*p == '\n' && p[1])
            fprintf(out, "%*s", indent, "");
    }
}

/* The column at which the options' help starts. */
#define HELP_COLUMN 25

void tool_usage(const tool_spec *spec, FILE *out)
{
    static const double none[2] = {0, 0};
    size_t i;

    put_help(out, spec->usage, none, 0);
    for (i = 0; i < spec->noptions; i++) {
        const tool_option *o = &spec->options[i];
        int n;

        if (!o->name) {
            put_help(out, o->help, o->values, 0);
            continue;
        }
        if (!o->help)
            continue;
        if (o->letter)
            n = fprintf(out, "  -%c, --%s", o->letter, o->name);
        else
            n = fprintf(out, "      --%s", o->name);
        if (o->arg == required_argument)
            n += fprintf(out, "=%s", o->argname);
        else if (o->arg == optional_argument)
            n += fprintf(out, "[=%s]", o->argname);
        fprintf(out, "%*s", n < HELP_COLUMN ? HELP_COLUMN - n : 2, "");
        put_help(out, o->help, o->values, HELP_COLUMN);
        putc('\n', out);
    }
    put_help(out, spec->epilogue, none, 0);
}

int tool_parse(const tool_spec *spec, void *cfg, int argc, char **argv)
{
    struct option *longopts = calloc(spec->noptions + 1, sizeof(*longopts));
    const tool_option **rows = calloc(spec->noptions + 1, sizeof(*rows));
    char *shorts = malloc(3 * spec->noptions + 2);
    size_t i, j, n = 0, k = 0;
    int c, rc = OPT_NEXT;

    if (!longopts || !rows || !shorts) {
        warnx_("out of memory");
        free(longopts);
        free(rows);
        free(shorts);
        return EXIT_FAIL;
    }
    if (spec->in_order)
        shorts[k++] = '+';
    /* getopt's table in the tools' first order (see tool_option.order) */
    for (i = 0; i < spec->noptions; i++) {
        const tool_option *o = &spec->options[i];

        if (!o->name)
            continue;
        for (j = n; j > 0 && rows[j - 1]->order > o->order; j--)
            rows[j] = rows[j - 1];
        rows[j] = o;
        n++;
        if (o->letter) {
            shorts[k++] = o->letter;
            if (o->arg != no_argument)
                shorts[k++] = ':';
            if (o->arg == optional_argument)
                shorts[k++] = ':';
        }
    }
    shorts[k] = '\0';
    for (i = 0; i < n; i++) {
        const tool_option *same = rows[i];

        /* an alias (a row left out of the help) is the option of the row
         * before it: getopt takes an abbreviation of both as that one */
        while (!same->help && same > spec->options && same[-1].name)
            same--;
        longopts[i].name = rows[i]->name;
        longopts[i].has_arg = rows[i]->arg;
        for (j = 0; j < n && rows[j] != same; j++)
            ;
        longopts[i].val = same->letter ? (unsigned char)same->letter : LONG_ONLY + (int)j;
    }
    parsing = spec;
    while (rc == OPT_NEXT && (c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        const tool_option *o = NULL;

        if (c >= LONG_ONLY) {
            o = rows[c - LONG_ONLY];
        } else {
            for (i = 0; i < n && !o; i++)
                if (rows[i]->letter && (unsigned char)rows[i]->letter == c)
                    o = rows[i];
        }
        rc = o ? o->fn(cfg, o, optarg) : usage_error();
    }
    parsing = NULL;
    free(longopts);
    free(rows);
    free(shorts);
    return rc;
}

int opt_string(void *cfg, const tool_option *o, const char *arg)
{
    *(const char **)((char *)cfg + o->offset) = arg;
    return OPT_NEXT;
}

int opt_set_int(void *cfg, const tool_option *o, const char *arg)
{
    (void)arg;
    *(int *)((char *)cfg + o->offset) = o->value;
    return OPT_NEXT;
}

int opt_flag(void *cfg, const tool_option *o, const char *arg)
{
    (void)arg;
    *(unsigned *)((char *)cfg + o->offset) |= (unsigned)o->value;
    return OPT_NEXT;
}

int opt_help(void *cfg, const tool_option *o, const char *arg)
{
    (void)cfg;
    (void)o;
    (void)arg;
    if (parsing)
        tool_usage(parsing, stdout);
    return EXIT_OK;
}

int opt_version(void *cfg, const tool_option *o, const char *arg)
{
    (void)cfg;
    (void)o;
    (void)arg;
    print_version();
    return EXIT_OK;
}

int usage_error(void)
{
    fprintf(stderr, "Try '%s --help' for more information.\n", progname);
    return EXIT_USAGE;
}
