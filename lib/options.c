/*
 * options.c: the versions of the options structs (see options.h).
 */
#include "options.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define LAYOUT(type, name, ...)                                                    \
    static const size_t name##_sizes[] = {__VA_ARGS__};                            \
    const eaf__layout eaf__##name##_layout = {#type, name##_sizes,                 \
                                              (unsigned)EAF__ARRAY_LEN(name##_sizes)}

/* One size a version; each table's last entry is its _VERSION. */
LAYOUT(eaf_open_options, open_options, sizeof(eaf_open_options));
LAYOUT(eaf_search_options, search_options, offsetof(eaf_search_options, facet_hits),
       sizeof(eaf_search_options));
LAYOUT(eaf_related_options, related_options, sizeof(eaf_related_options));
LAYOUT(eaf_related_stats, related_stats, sizeof(eaf_related_stats));
LAYOUT(eaf_reader_options, reader_options, sizeof(eaf_reader_options));
LAYOUT(eaf_export_options, export_options, sizeof(eaf_export_options));

eaf_status eaf__options_check(const void *dst, const eaf__layout *l, char *msg,
                              size_t msgsize)
{
    unsigned v;

    memcpy(&v, dst, sizeof(v));
    if (v >= 1 && v <= l->versions)
        return EAF_OK;
    if (msg && msgsize > 0)
        snprintf(msg, msgsize, "unsupported %s version %u (this library knows 1 to %u)",
                 l->name, v, l->versions);
    return EAF_MISUSE;
}

eaf_status eaf__options_read(void *dst, const void *src, const eaf__layout *l, char *msg,
                             size_t msgsize)
{
    unsigned v;

    if (!src)
        return EAF_OK;
    if (eaf__options_check(src, l, msg, msgsize) != EAF_OK)
        return EAF_MISUSE;
    memcpy(&v, src, sizeof(v));
    memcpy(dst, src, l->sizes[v - 1]);
    memcpy(dst, &l->versions, sizeof(unsigned));
    return EAF_OK;
}

void eaf__options_write(void *dst, const void *src, const eaf__layout *l)
{
    unsigned v;

    memcpy(&v, dst, sizeof(v));
    if (v < 1 || v > l->versions)
        return;
    memcpy((char *)dst + sizeof(unsigned), (const char *)src + sizeof(unsigned),
           l->sizes[v - 1] - sizeof(unsigned));
}
