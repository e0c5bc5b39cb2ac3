/*
 * test_options.c: the one version scheme of the options and statistics
 * structs (lib/options.c).  A struct that grows is read from a caller
 * built against its older header, and written to one, without a byte
 * past what that caller has; versions 0 and newer than the library are
 * refused by every call that takes such a struct, with a message that
 * names it.
 */
#include "eafsearch.h"
#include "options.h"
#include "tap.h"
#include "testutil.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A struct of two versions, as one of the header's will be once it grows. */
typedef struct grown {
    unsigned version;
    int a;          /* version 1 */
    double b;       /* version 2 */
} grown;

typedef struct old {
    unsigned version;
    int a;
} old;

static const size_t grown_sizes[] = {offsetof(grown, b), sizeof(grown)};
static const eaf__layout grown_layout = {"grown", grown_sizes, 2};

static void test_scheme(void)
{
    /* the caller's struct on the heap at its exact size: a read or write
     * past it is an error under valgrind and ASan */
    old *caller = malloc(sizeof(old));
    grown lib = {2, 0, 7.5}, big = {2, 4, 9.0};
    char msg[128];

    if (!caller)
        abort();
    caller->version = 1;
    caller->a = 42;
    is_int(eaf__options_read(&lib, caller, &grown_layout, msg, sizeof(msg)), EAF_OK,
           "an older caller's struct is read");
    is_int(lib.a, 42, "its members are taken");
    ok(lib.b == 7.5, "the member it lacks keeps the default");
    is_int((int)lib.version, 2, "the library's copy is of the newest version");

    lib.a = -1;
    is_int(eaf__options_read(&lib, NULL, &grown_layout, msg, sizeof(msg)), EAF_OK,
           "no struct: the defaults");
    is_int(lib.a, -1, "untouched");

    is_int(eaf__options_read(&lib, &big, &grown_layout, msg, sizeof(msg)), EAF_OK,
           "a caller of the newest version");
    ok(lib.a == 4 && lib.b == 9.0, "all of it is read");

    caller->version = 3;
    is_int(eaf__options_read(&lib, caller, &grown_layout, msg, sizeof(msg)), EAF_MISUSE,
           "a version newer than the library's is refused");
    ok(strstr(msg, "grown version 3") != NULL, "named: %s", msg);
    caller->version = 0;
    is_int(eaf__options_read(&lib, caller, &grown_layout, msg, sizeof(msg)), EAF_MISUSE,
           "version 0 is refused");

    caller->version = 1;
    caller->a = 0;
    big.a = 11;
    is_int(eaf__options_check(caller, &grown_layout, msg, sizeof(msg)), EAF_OK,
           "a statistics struct of an older version may be written");
    eaf__options_write(caller, &big, &grown_layout);
    is_int(caller->a, 11, "what it has is written");
    is_int((int)caller->version, 1, "its version is kept");
    free(caller);
}

/* Each struct of the header: at version 1 in 1.0 (eaf_search_options at 2
 * since 1.1, its version 1 the size before facet_hits), its table's newest
 * entry its size. */
static void test_tables(void)
{
    const struct {
        const eaf__layout *l;
        unsigned header;
        size_t size;
    } t[] = {
        {&eaf__open_options_layout, EAF_OPEN_OPTIONS_VERSION, sizeof(eaf_open_options)},
        {&eaf__search_options_layout, EAF_SEARCH_OPTIONS_VERSION, sizeof(eaf_search_options)},
        {&eaf__related_options_layout, EAF_RELATED_OPTIONS_VERSION,
         sizeof(eaf_related_options)},
        {&eaf__related_stats_layout, EAF_RELATED_STATS_VERSION, sizeof(eaf_related_stats)},
        {&eaf__reader_options_layout, EAF_READER_OPTIONS_VERSION, sizeof(eaf_reader_options)},
        {&eaf__export_options_layout, EAF_EXPORT_OPTIONS_VERSION, sizeof(eaf_export_options)},
    };
    size_t i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        is_int((int)t[i].l->versions, (int)t[i].header, "%s: the table knows the header's version",
               t[i].l->name);
        if (t[i].l == &eaf__search_options_layout) {
            is_int((int)t[i].header, 2, "%s: version 2 since 1.1", t[i].l->name);
            ok(t[i].l->sizes[0] == offsetof(eaf_search_options, facet_hits),
               "%s: version 1 ends before facet_hits", t[i].l->name);
            continue;
        }
        is_int((int)t[i].header, 1, "%s: version 1 in 1.0", t[i].l->name);
        ok(t[i].l->sizes[t[i].l->versions - 1] == t[i].size, "%s: its newest size is sizeof",
           t[i].l->name);
    }
}

static int stop_never(const char *data, size_t len, void *payload)
{
    (void)data;
    (void)len;
    (void)payload;
    return 0;
}

/* Every call that takes a struct refuses versions it does not know. */
static void test_calls(void)
{
    unsigned bad[2] = {0, 2};
    eaf_db *db = tu_open("opts.db", NULL), *d2;
    int i;

    if (!db)
        return;
    for (i = 0; i < 2; i++) {
        eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
        eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
        eaf_related_options rel = EAF_RELATED_OPTIONS_INIT;
        eaf_related_stats stats;
        eaf_export_options xo = EAF_EXPORT_OPTIONS_INIT;
        eaf_reader *r = NULL;
        eaf_related *list = NULL;
        char *err = NULL;

        oo.version = bad[i];
        is_int(eaf_db_open(&d2, tu_path("other.db"), &oo, &err), EAF_MISUSE,
               "eaf_db_open: version %u refused", bad[i]);
        ok(d2 == NULL && err && strstr(err, "eaf_open_options"), "named: %s",
           err ? err : "(none)");
        eaf_free(err);
        err = NULL;

        ro.version = bad[i];
        is_int(eaf_reader_open_memory(&r, "{}", 2, "a.jsonl", &ro, &err), EAF_MISUSE,
               "eaf_reader_open_memory: version %u refused", bad[i]);
        ok(r == NULL && err && strstr(err, "eaf_reader_options"), "named: %s",
           err ? err : "(none)");
        eaf_free(err);

        rel.version = bad[i];
        is_int(eaf_related_new(&list, db, "k", &rel), EAF_MISUSE,
               "eaf_related_new: version %u refused", bad[i]);
        ok(strstr(eaf_db_errmsg(db), "eaf_related_options") != NULL, "named: %s",
           eaf_db_errmsg(db));

        memset(&stats, 0, sizeof(stats));
        stats.version = bad[i];
        is_int(eaf_related_build(&stats, db, NULL, NULL, NULL), EAF_MISUSE,
               "eaf_related_build: statistics of version %u refused", bad[i]);
        ok(strstr(eaf_db_errmsg(db), "eaf_related_stats") != NULL, "named: %s",
           eaf_db_errmsg(db));

        rel.version = bad[i];
        is_int(eaf_export_settings(&err, &rel, NULL,
                                   "{\"eafsearch_export\":{\"version\":1,\"language\":\"english\"}}",
                                   EAF_NTS),
               EAF_MISUSE, "eaf_export_settings: related options of version %u refused", bad[i]);
        ok(err == NULL, "and no language given");

        xo.version = bad[i];
        is_int(eaf_db_export(NULL, db, &xo, stop_never, NULL), EAF_MISUSE,
               "eaf_db_export: version %u refused", bad[i]);
        ok(strstr(eaf_db_errmsg(db), "eaf_export_options") != NULL, "named: %s",
           eaf_db_errmsg(db));
    }
    eaf_db_close(db);
}

int main(void)
{
    tu_tmpdir();
    test_scheme();
    test_tables();
    test_calls();
    tu_cleanup();
    return done_testing();
}
