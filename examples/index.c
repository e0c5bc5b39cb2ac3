/*
 * index.c: index article files with libeafsearch.
 *
 *   ./index INDEX.db FILE...
 *
 * Each FILE is an article page (Markdown text) or a JSON Lines file.
 * Build against the installed library:
 *   cc index.c $(pkg-config --cflags --libs eafsearch) -o index
 */
#include <eafsearch.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    eaf_open_options opts = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db;
    char *err = NULL;
    int i, failed = 0;
    long added = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s INDEX.db FILE...\n", argv[0]);
        return 2;
    }
    opts.flags = EAF_OPEN_CREATE;
    if (eaf_db_open(&db, argv[1], &opts, &err) != EAF_OK) {
        fprintf(stderr, "%s\n", err);
        eaf_free(err);
        return 1;
    }
    if (eaf_db_begin(db) != EAF_OK) {
        fprintf(stderr, "%s\n", eaf_db_errmsg(db));
        eaf_db_close(db);
        return 1;
    }
    for (i = 2; i < argc; i++) {
        eaf_reader *r;
        eaf_article *a;
        eaf_status st;

        if (eaf_reader_open(&r, argv[i], NULL, &err) != EAF_OK) {
            fprintf(stderr, "%s\n", err);
            eaf_free(err);
            failed = 1;
            continue;
        }
        while ((st = eaf_reader_next(&a, r)) != EAF_DONE) {
            eaf_change change;
            if (st != EAF_ROW) { /* a bad record: report it and go on */
                fprintf(stderr, "%s\n", eaf_reader_errmsg(r));
                failed = 1;
                if (st != EAF_SYNTAX)
                    break;
                continue;
            }
            if (eaf_db_put(&change, db, a) != EAF_OK) {
                fprintf(stderr, "%s\n", eaf_db_errmsg(db));
                failed = 1;
            } else if (change != EAF_CHANGE_NONE) {
                added++;
            }
            eaf_article_free(a);
        }
        eaf_reader_free(r);
    }
    if (eaf_db_commit(db) != EAF_OK) {
        fprintf(stderr, "%s\n", eaf_db_errmsg(db));
        failed = 1;
    }
    printf("%ld articles added or updated\n", added);
    eaf_db_close(db);
    return failed;
}
