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

/* Opens the index at path with oo (NULL: the defaults); on failure says
 * why on stderr and returns the status.  With or_readonly, an index this
 * user may only read is opened read-only rather than refused. */
eaf_status tool_open(eaf_db **db, const char *path, const eaf_open_options *oo,
                     int or_readonly);

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
/* (atomic, not volatile sig_atomic_t: the writers of a shard set read it
 * on threads of their own while the handler sets it on another) */
extern _Atomic int interrupted;
extern eaf_db *volatile interrupt_db;
void catch_signals(int restart);

/* Seconds since *since (CLOCK_MONOTONIC). */
double seconds_since(const struct timespec *since);

/* ---- options ------------------------------------------------------------------
 *
 * Each tool's options are a table of tool_option rows, in the order of its
 * --help; tool_parse() reads argv by it (with getopt_long) and
 * tool_usage() prints the help from it.  A row with no name is a line of
 * help text alone (a blank line, a section's title).
 *
 * Help text may hold "%s" (the program's name), "%d" and "%g" (the row's
 * values, in turn, as an integer or as printf's %g prints them).  An
 * option's help is the text after its name, its lines separated by '\n';
 * tool_usage() lines them up at column 25.
 */

/* What a handler returns to go on reading the options; any other value
 * ends the parse, and the tool exits with it. */
#define OPT_NEXT (-1)

typedef struct tool_option tool_option;

/* Handles one option: cfg is the tool's, arg the option's argument (NULL
 * when it has none).  Returns OPT_NEXT, or an exit status after saying
 * what is wrong. */
typedef int (*tool_option_fn)(void *cfg, const tool_option *o, const char *arg);

struct tool_option {
    const char *name;      /* long name; NULL: a line of help text alone */
    char letter;           /* short option, or 0 */
    char arg;              /* no_argument, required_argument, optional_argument */
    const char *argname;   /* of the argument, in the help: --db=FILE */
    const char *help;      /* NULL: not in the help, an alias of the row
                              before it */
    tool_option_fn fn;
    size_t offset;         /* in cfg, of what the generic handlers set */
    int value;             /* what opt_set_int sets, or opt_flag adds */
    double values[2];      /* for the help's %d and %g */
    int order;             /* the position of the option in getopt's table:
                              getopt names the options an abbreviation
                              matches ("--co": --count, --country, ...) in
                              that order, which each tool keeps from its
                              first table; rows of equal order keep the
                              order of the help */
};

typedef struct tool_spec {
    const char *usage;     /* the help's first lines */
    const tool_option *options;
    size_t noptions;
    const char *epilogue;  /* the help's last lines */
    int in_order;          /* options end at the first operand (getopt's "+") */
} tool_spec;

/* Reads the options of argv by the table, calling each one's handler with
 * cfg.  Returns OPT_NEXT when they were all read (optind is then the index
 * of the first operand), else the status the tool exits with: that of a
 * handler, or EXIT_USAGE after an option getopt refused (it said why; a
 * line says where to look). */
int tool_parse(const tool_spec *spec, void *cfg, int argc, char **argv);

/* Prints the help of the table. */
void tool_usage(const tool_spec *spec, FILE *out);

/* The generic handlers: a string (the argument) at offset; an int at
 * offset set to value; an unsigned at offset with the bits of value
 * added; the help and the version printed (the program ends: 0). */
int opt_string(void *cfg, const tool_option *o, const char *arg);
int opt_set_int(void *cfg, const tool_option *o, const char *arg);
int opt_flag(void *cfg, const tool_option *o, const char *arg);
int opt_help(void *cfg, const tool_option *o, const char *arg);
int opt_version(void *cfg, const tool_option *o, const char *arg);

/* Prints "Try 'progname --help' for more information." on stderr; returns
 * EXIT_USAGE. */
int usage_error(void);

#endif
