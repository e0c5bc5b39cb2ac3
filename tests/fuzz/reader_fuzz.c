/*
 * reader_fuzz.c: fuzz targets for the readers, one per format.
 *
 * Built once per format with -DFUZZ_FORMAT=EAF_FORMAT_xxx (page, jsonl,
 * html, markdown, wxr); with -DFUZZ_ARCHIVE the first byte of the input
 * chooses how the rest is read (detected, or as a tar, zip or compressed
 * file), so that libarchive's readers and the members behind them are
 * reached through eaf_reader_open_memory() as a program would reach them.
 *
 * Whatever the bytes, the reader must give articles, skip records or
 * report errors, and end: no crash, leak, undefined behaviour or endless
 * loop.  Every article it gives must have a key, and every text in it
 * must be valid UTF-8 without NUL bytes (the library promises that);
 * every error must come with a one-line message.  Built with clang
 * -fsanitize=fuzzer by --enable-fuzzers; otherwise linked with
 * standalone.c, which replays the corpus in make check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eaf-private.h"

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT EAF_FORMAT_AUTO
#endif

#define MAX_INPUT (256 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Valid UTF-8, no NUL; NULL passes (an unset field). */
static void check_text(const char *s)
{
    size_t n, i = 0, len;

    if (!s)
        return;
    n = strlen(s);
    while (i < n) {
        if (eaf__utf8_decode((const unsigned char *)s + i, n - i, &len) < 0)
            abort();
        i += len;
    }
}

static void check_article(const eaf_article *a)
{
    size_t i, k;
    int f;

    if (!eaf_article_get(a, EAF_FIELD_KEY) || !*eaf_article_get(a, EAF_FIELD_KEY))
        abort();
    for (f = 0; f < EAF_FIELD_LAST; f++)
        check_text(eaf_article_get(a, (eaf_field)f));
    for (i = 0; i < eaf_article_author_count(a); i++) {
        if (!eaf_article_author_name(a, i) || !*eaf_article_author_name(a, i))
            abort();
        check_text(eaf_article_author_name(a, i));
        check_text(eaf_article_author_affiliation(a, i));
    }
    for (k = 0; k < EAF_TAG_LAST; k++)
        for (i = 0; i < eaf_article_tag_count(a, (eaf_tag_kind)k); i++)
            check_text(eaf_article_tag(a, (eaf_tag_kind)k, i));
    for (i = 0; i < eaf_article_related_title_count(a); i++)
        check_text(eaf_article_related_title(a, i));
    (void)eaf__article_hash(a);
}

static void check_message(const char *msg)
{
    if (!msg || !*msg || strchr(msg, '\n'))
        abort();
    check_text(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    eaf_reader_options ro = EAF_READER_OPTIONS_INIT;
    eaf_reader *r = NULL;
    char *err = NULL;
    const char *name = "fuzz";
    size_t records = 0, limit;
    eaf_status st;

    if (size > MAX_INPUT)
        size = MAX_INPUT;
#ifdef FUZZ_ARCHIVE
    {
        static const eaf_archive_kind how[] = {EAF_ARCHIVE_NONE, EAF_ARCHIVE_TAR,
                                               EAF_ARCHIVE_ZIP, EAF_ARCHIVE_GZIP};
        static const char *const names[] = {"fuzz", "fuzz.tar", "fuzz.zip", "fuzz.gz"};
        if (size == 0)
            return 0;
        ro.archive = how[data[0] % 4];
        name = names[data[0] % 4];
        data++;
        size--;
    }
#else
    ro.format = FUZZ_FORMAT;
#endif
    st = eaf_reader_open_memory(&r, (const char *)data, size, name, &ro, &err);
    if (st != EAF_OK) {
        if (r || (st != EAF_NOMEM && !err))
            abort();
        if (err)
            check_message(err);
        eaf_free(err);
        return 0;
    }
    if (err)
        abort(); /* no message on success */
    /* every record takes at least a byte; archives may hold many empty
     * members, each of a header's size */
    limit = 2 * size + 1000;
    for (;;) {
        eaf_article *a = NULL;

        st = eaf_reader_next(&a, r);
        if (++records > limit)
            abort(); /* not making progress */
        if (st == EAF_DONE) {
            if (a)
                abort();
            break;
        }
        if (st == EAF_ROW) {
            if (!a)
                abort();
            check_article(a);
            eaf_article_free(a);
            continue;
        }
        if (a)
            abort();
        if (st != EAF_SYNTAX && st != EAF_IO && st != EAF_NOMEM)
            abort();
        check_message(eaf_reader_errmsg(r));
        if (st != EAF_SYNTAX)
            break;
    }
    (void)eaf_reader_format(r);
    (void)eaf_reader_archive_kind(r);
    (void)eaf_reader_skipped(r);
    eaf_reader_free(r);
    return 0;
}
