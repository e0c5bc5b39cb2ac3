/*
 * names.h: the rules on the names of files (names.c).
 */
#ifndef EAF_IMPORT_NAMES_H
#define EAF_IMPORT_NAMES_H

#include "eaf-private.h"

/* The name without its extension: "2018/abe.md" -> "2018/abe"; also
 * without a compression suffix first ("x.html.gz" -> "x"), and without a
 * leading "./".  Allocated; NULL when out of memory. */
char *eaf__name_key_base(const char *name);

/* 1: an article file by its extension; 2: an archive or compressed file;
 * 3: no extension at all (read to find out); 0: something else.  See
 * eaf_reader_wants(). */
int eaf__name_kind(const char *name);

/* Why a file with this path is a page that is not an article (a Hugo
 * list page, a WordPress comment page, a feed), or NULL; the part of
 * eaf_reader_ignore_reason() that also holds for a file named directly. */
const char *eaf__name_page_kind(const char *path);

#endif /* EAF_IMPORT_NAMES_H */
