/*
 * common.c: small helpers shared by the tools.
 */
#include "common.h"

#include <errno.h>
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

volatile sig_atomic_t interrupted;
eaf_db *volatile interrupt_db;

/* The first signal asks for a clean stop (and stops the long call on
 * interrupt_db, if any); a second one ends the program at once. */
static void on_signal(int sig)
{
    struct sigaction dfl;
    eaf_db *db = interrupt_db;

    interrupted = 1;
    if (db)
        eaf_db_interrupt(db);
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
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
