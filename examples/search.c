/*
 * search.c: search an index with libeafsearch.
 *
 *   ./search INDEX.db QUERY
 *
 * Build against the installed library:
 *   cc search.c $(pkg-config --cflags --libs eafsearch) -o search
 */
#include <eafsearch.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    eaf_open_options opts = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options sopts = EAF_SEARCH_OPTIONS_INIT;
    eaf_db *db;
    eaf_search *s;
    char *err = NULL;
    int64_t total = 0;
    eaf_status st;

    if (argc != 3) {
        fprintf(stderr, "usage: %s INDEX.db QUERY\n", argv[0]);
        return 2;
    }
    opts.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, argv[1], &opts, &err) != EAF_OK) {
        fprintf(stderr, "%s\n", err);
        eaf_free(err);
        return 1;
    }
    sopts.limit = 5;
    sopts.mark_open = "*";
    sopts.mark_close = "*";
    if (eaf_search_new(&s, db, argv[2], &sopts) != EAF_OK ||
        eaf_search_total(&total, s) != EAF_OK) {
        fprintf(stderr, "%s\n", eaf_db_errmsg(db));
        eaf_db_close(db);
        return 1;
    }
    printf("%lld hits\n", (long long)total);
    while ((st = eaf_search_next(s)) == EAF_ROW) {
        const char *date = eaf_search_field(s, EAF_FIELD_DATE);
        printf("%-10s %s\n           %s\n", date ? date : "", eaf_search_field(s, EAF_FIELD_TITLE),
               eaf_search_snippet(s));
    }
    if (st != EAF_DONE)
        fprintf(stderr, "%s\n", eaf_db_errmsg(db));
    eaf_search_free(s);
    eaf_db_close(db);
    return st == EAF_DONE ? 0 : 1;
}
