/*
 * headertest.c: the public header compiles on its own as strict C99
 * (-std=c99 -pedantic -Wall -Wextra -Werror), and its declarations link.
 */
#include "eafsearch.h"

#include <stdio.h>

int main(void)
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_search_options so = EAF_SEARCH_OPTIONS_INIT;
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    const char *(*fn)(eaf_status) = eaf_status_str;
    int ok = oo.version == EAF_OPEN_OPTIONS_VERSION &&
             so.version == EAF_SEARCH_OPTIONS_VERSION &&
             ro.version == EAF_READER_OPTIONS_VERSION && fn(EAF_OK) != NULL &&
             EAF_CHECK_VERSION(0, 0, 0) && EAF_STATUS_LAST > EAF_DONE;

    printf("%s 1 - the header compiles as C99 and links\n1..1\n", ok ? "ok" : "not ok");
    return ok ? 0 : 1;
}
