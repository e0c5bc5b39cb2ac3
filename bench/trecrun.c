/*
 * trecrun.c: a TREC run of the library's search with the search flags
 * eafquery has no option for, for the ablations of bench/quality.sh:
 *
 *   trecrun [--no-feedback] [--feedback] [--feedback-docs N] [--feedback-terms N]
 *           DB < QUERIES > RUN
 *
 * QUERIES holds "qid<TAB>query" lines (a third column, as in the known-item
 * files, is ignored); every query is ranked over every article with any of
 * its words (EAF_SEARCH_RANK_ALL, as eafquery --format trec does), the top
 * 1000, written "qid Q0 key rank score trecrun".
 */
#include <eafsearch.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_db *db = NULL;
    char *err = NULL, line[8192];
    int i;

    so.flags = EAF_SEARCH_RANK_ALL;
    so.limit = 1000;
    for (i = 1; i < argc - 1; i++) {
        if (strcmp(argv[i], "--no-feedback") == 0)
            so.flags |= EAF_SEARCH_NO_FEEDBACK;
        else if (strcmp(argv[i], "--feedback") == 0)
            so.flags |= EAF_SEARCH_FEEDBACK;
        else if (strcmp(argv[i], "--feedback-docs") == 0 && i + 2 < argc)
            so.feedback_docs = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--feedback-terms") == 0 && i + 2 < argc)
            so.feedback_terms = (unsigned)atoi(argv[++i]);
        else
            break;
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: trecrun [--no-feedback] [--feedback] [--feedback-docs N]"
                        " [--feedback-terms N] DB < QUERIES\n");
        return 2;
    }
    oo.flags = EAF_OPEN_READONLY;
    if (eaf_db_open(&db, argv[i], &oo, &err) != EAF_OK) {
        fprintf(stderr, "trecrun: %s\n", err ? err : "cannot open the index");
        eaf_free(err);
        return 1;
    }
    while (fgets(line, sizeof(line), stdin)) {
        char *qid = line, *q = strchr(line, '\t'), *end;
        eaf_search *s = NULL;
        eaf_status st;
        int rank = 0;

        if (!q)
            continue;
        *q++ = '\0';
        end = q + strcspn(q, "\t\r\n");
        *end = '\0';
        if (eaf_search_new(&s, db, q, &so) != EAF_OK) {
            fprintf(stderr, "trecrun: query %s: %s\n", qid, eaf_db_errmsg(db));
            continue;
        }
        while ((st = eaf_search_next(s)) == EAF_ROW)
            printf("%s Q0 %s %d %.6f trecrun\n", qid, eaf_search_field(s, EAF_FIELD_KEY),
                   ++rank, eaf_search_score(s));
        if (st != EAF_DONE)
            fprintf(stderr, "trecrun: query %s: %s\n", qid, eaf_status_str(st));
        eaf_search_free(s);
    }
    eaf_db_close(db);
    return 0;
}
