/*
 * common.h: what the command-line tools share.  The tools use only the
 * public API of libeafsearch; nothing here knows about SQL.
 */
#ifndef EAF_TOOLS_COMMON_H
#define EAF_TOOLS_COMMON_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "eafsearch.h"

/* Exit statuses of every tool. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

extern const char *progname;

/* Sets progname from argv[0]. */
void tool_init(const char *argv0);

/* Prints "progname: message" to stderr. */
void warnx_(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The index path: the -d option, else $EAFSEARCH_DB, else ./eafsearch.db. */
const char *db_path(const char *option);

/* Prints "progname (libeafsearch) X.Y.Z" and the library's run-time version. */
void print_version(void);

/* Parses a non-negative integer option; returns -1 when malformed. */
long parse_count(const char *s);

/* Set by SIGINT and SIGTERM once catch_signals() has run: long runs stop
 * at the next article, keeping what was committed; a second signal ends
 * the program.  With restart 0, a read waiting for input (a list of paths
 * on a terminal) returns with EINTR rather than going on waiting; reading
 * files wants 1.  While interrupt_db is set, the signal also stops the
 * call running on it (eaf_db_interrupt()): for calls that take long and
 * have no other way to stop, such as merging the full-text index. */
extern volatile sig_atomic_t interrupted;
extern eaf_db *volatile interrupt_db;
void catch_signals(int restart);

/* Seconds since *since (CLOCK_MONOTONIC). */
double seconds_since(const struct timespec *since);

#endif
