/*
 * index_run.c: a run of eafindex from its paths to its last commit, as
 * one call each for listing and for reading, so that another program
 * over the same files (the Python module's add_paths) runs exactly what
 * eafindex runs: the same walk, the same records of files, the same
 * pruning, the same tally.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

void index_list_files(run *r, int n, char **paths)
{
    eaf_status st = eaf_db_source_list(r->db, NULL, collect_known, r);
    size_t k;
    int i;

    if (st != EAF_OK) {
        report(r, "cannot read the index: %s", eaf_db_errmsg(r->db));
        r->fatal = 1;
    }
    for (i = 0; i < n && !r->fatal && !run_stopped(r); i++) {
        if (strcmp(paths[i], "-") == 0)
            add_stdin_list(r);
        else
            add_path(r, paths[i]);
    }
    r->visited = xrealloc(NULL, (r->nitems ? r->nitems : 1) * sizeof(char *));
    for (k = 0; k < r->nitems; k++)
        r->visited[k] = r->items[k].abs;
    r->nvisited = r->nitems;
    qsort(r->visited, r->nvisited, sizeof(char *), compare_strings);
}

int index_read_files(run *r)
{
    size_t k;

    r->tee_now = 1;
    for (k = 0; k < r->nitems && !r->fatal && !run_stopped(r); k++) {
        index_file(r, &r->items[k]);
        r->done_files++;
        r->done_bytes += r->items[k].size;
        show_progress(r, 0);
    }
    r->tee_now = 0;
    if (r->tee)
        tee_leave(r->tee, r->tee_k);
    for (k = 0; k < r->nroots && !r->fatal && !run_stopped(r); k++)
        if (r->roots[k].prune)
            prune(r, &r->roots[k]);
    /* an article two files gave, whose stored version's file no longer
     * gives it, passed to the other file: read that one again now */
    if (!r->dry_run && !r->fatal && !run_stopped(r))
        reread_pending(r);
    if (r->dry_run) {
        if (r->in_txn)
            eaf_db_rollback(r->db);
        r->in_txn = 0;
        batch_kept(r); /* what it would have done */
        return 0;
    }
    if (!r->fatal) {
        /* stopped or not, what was read whole is kept */
        commit(r);
        return !r->fatal;
    }
    if (r->in_txn) {
        eaf_db_rollback(r->db);
        r->in_txn = 0;
        batch_lost(r);
    }
    return 0;
}

int index_worth_optimizing(run *r)
{
    long changed = r->added + r->updated;
    int64_t count = 0;

    if (r->optimize_opt == 0 || (r->optimize_opt < 0 && changed == 0))
        return 0;
    if (r->optimize_opt < 0 &&
        (changed < OPTIMIZE_MIN || eaf_db_count(&count, r->db) != EAF_OK ||
         changed < count / 10))
        return 0;
    return 1;
}

void index_free_run(run *r)
{
    size_t k;

    for (k = 0; k < r->nitems; k++) {
        free(r->items[k].path);
        free(r->items[k].abs);
        free(r->items[k].name);
    }
    free(r->items);
    free(r->visited);
    for (k = 0; k < r->nroots; k++) {
        free(r->roots[k].path);
        free(r->roots[k].abs);
    }
    free(r->roots);
    for (k = 0; k < r->nknown; k++)
        free(r->known_path[k]);
    free(r->known_path);
    free(r->known_count);
    free(r->excludes);
    for (k = 0; k < r->capseen; k++)
        free(r->seen[k].path);
    free(r->seen);
    free(r->batch_first);
    memset(r, 0, sizeof(*r));
}
