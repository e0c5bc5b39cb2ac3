// headertest_cxx.cc: the public header compiles as C++ (-std=c++11
// -pedantic -Wall -Wextra -Werror) and its functions link with C linkage.
#include "eafsearch.h"

#include <cstdio>

int main()
{
    eaf_open_options oo = EAF_OPEN_OPTIONS_INIT;
    eaf_article *a = nullptr;
    bool ok = oo.version == EAF_OPEN_OPTIONS_VERSION && eaf_article_new(&a) == EAF_OK &&
              eaf_article_set(a, EAF_FIELD_KEY, "k", EAF_NTS) == EAF_OK;
    eaf_article_free(a);
    std::printf("%s 1 - the header compiles as C++ and links\n1..1\n", ok ? "ok" : "not ok");
    return ok ? 0 : 1;
}
