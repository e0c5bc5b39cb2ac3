/*
 * query_fuzz.c: a fuzz target for the query parser and compiler.
 *
 * Every input, in both the default and the strict mode, must parse,
 * compile to an FTS5 expression and SQL, and be freed without a crash, a
 * leak or undefined behaviour; in the default mode it must never be an
 * error.  Built with clang -fsanitize=fuzzer by --enable-fuzzers; otherwise
 * linked with standalone.c, which replays the corpus in make check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    unsigned mode;

    if (size > MAX_INPUT)
        size = MAX_INPUT;
    text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    for (mode = 0; mode < 2; mode++) {
        eaf__query *q = NULL;
        eaf__compiled c;
        eaf__buf dump = EAF__BUF_INIT;
        eaf_status st = eaf__query_parse(&q, text, strlen(text),
                                         mode ? EAF__QUERY_STRICT : 0);

        if (st == EAF_NOMEM)
            continue;
        if (mode == 0 && st != EAF_OK)
            abort(); /* the default mode never fails */
        if (st == EAF_SYNTAX && (eaf__query_error_offset(q) < 0 ||
                                 eaf__query_error_offset(q) > (int)size ||
                                 strchr(eaf__query_error(q), '\n')))
            abort(); /* an error has an offset inside the query, on one line */
        if (eaf__query_compile(&c, eaf__query_root(q), 10) == EAF_OK) {
            /* a query that selects something has something to run */
            if (c.positive && !c.fts && !c.sql)
                abort();
            eaf__compiled_free(&c);
        }
        eaf__query_dump(&dump, eaf__query_root(q), 0);
        eaf__buf_free(&dump);
        eaf__query_free(q);
    }
    free(text);
    return 0;
}
