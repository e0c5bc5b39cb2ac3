/* placeholder: replaced by the page importer */
#include "reader.h"

eaf_status eaf__page_next(eaf_reader *r, eaf_article **out)
{
    *out = NULL;
    eaf__reader_error(r, 0, "page reader not written yet");
    r->done = 1;
    return EAF_SYNTAX;
}
