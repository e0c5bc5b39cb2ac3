/*
 * options.h: the one way the library reads the options structs of the
 * public header (eaf_open_options, eaf_search_options, eaf_related_options,
 * eaf_reader_options, eaf_export_options) and writes its statistics structs
 * (eaf_related_stats).
 *
 * Each struct begins with `unsigned version`: 1 for the struct of 1.0, one
 * more each time members are appended at its end (never removed, never
 * moved).  The library keeps, for each struct, the table of its size at
 * every version it knows.  A caller built against an older header passes a
 * smaller version: the library reads that many bytes of it and the members
 * the caller does not know keep their defaults; a statistics struct is
 * written no further than the caller's version.  A version of 0, or newer
 * than this library, is a misuse, and no byte past the version is read.
 *
 * When a struct grows: append the members to the header, raise its
 * _VERSION, extend its _INIT, and append sizeof() of the new struct to its
 * table here, where the older entries become the offsetof() of the first
 * member they lack.
 */
#ifndef EAF_OPTIONS_H
#define EAF_OPTIONS_H

#include "eaf-private.h"

/* The sizes of a struct at each of its versions, oldest first. */
typedef struct eaf__layout {
    const char *name;       /* the struct's name, for messages */
    const size_t *sizes;    /* sizes[v - 1]: the bytes of version v */
    unsigned versions;      /* the newest version known */
} eaf__layout;

extern const eaf__layout eaf__open_options_layout;
extern const eaf__layout eaf__search_options_layout;
extern const eaf__layout eaf__related_options_layout;
extern const eaf__layout eaf__related_stats_layout;
extern const eaf__layout eaf__reader_options_layout;
extern const eaf__layout eaf__export_options_layout;

/* Reads the caller's struct src (NULL: none, and dst keeps what it holds)
 * into dst, the library's struct of the newest version, which the caller
 * of this function filled with the defaults.  dst's version becomes the
 * newest.  EAF_MISUSE for an unknown version, with a message in
 * msg[msgsize] when msg is not NULL. */
eaf_status eaf__options_read(void *dst, const void *src, const eaf__layout *l, char *msg,
                             size_t msgsize);

/* Checks the version of a struct the library will write (a statistics
 * struct); EAF_MISUSE as above. */
eaf_status eaf__options_check(const void *dst, const eaf__layout *l, char *msg,
                              size_t msgsize);

/* Writes src, the library's struct of the newest version, to dst, the
 * caller's, as far as dst's version goes (checked before with
 * eaf__options_check()); dst keeps its version. */
void eaf__options_write(void *dst, const void *src, const eaf__layout *l);

#endif /* EAF_OPTIONS_H */
