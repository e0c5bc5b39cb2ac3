/*
 * test_archive.c: archives read in place through the public reader API:
 * tar, tar.gz, zip and a single .gz, built here with libarchive's writer
 * (in memory and as files); members named by their path inside the
 * archive, read with the format detection of their own content; files
 * that are not articles passed over; a bad member reported and the next
 * one read; a zip bomb stopped; a truncated gzip an error that keeps what
 * was read before it.
 */
#include "eafsearch.h"
#include "tap.h"
#include "testutil.h"

#include <config.h>

#ifndef EAF_READ_ARCHIVES
/* (libarchive writes the archives read here: without it, nothing to do) */
int main(void)
{
    return tap_skip_all("this build of libeafsearch reads no archives (configured "
                        "without libarchive)");
}
#else

#include <archive.h>
#include <archive_entry.h>

typedef struct entry {
    const char *name;
    const char *data;   /* NULL: a folder */
    size_t len;         /* 0: strlen(data) */
} entry;

static const char page_md[] = "- [Home](#)\n\n## A page in a tarball\n\n12 May 2019\n\n"
                              "Author: Ana Lima, Lisbon Institute\n\nThe body of the page.\n";
static const char html[] = "<!DOCTYPE html><html><head><meta property=\"og:title\" "
                           "content=\"An HTML member\"><link rel=\"canonical\" "
                           "href=\"https://t.example/html-member/\"></head><body><article>"
                           "<p>HTML body.</p></article></body></html>";
static const char jsonl[] = "{\"id\": \"j1\", \"title\": \"First line\"}\n"
                            "{\"id\": \"j2\", \"title\": \"Second line\"}\n";
static const char front[] = "---\ntitle: A static-site post\ndate: 2020-02-02\n---\nText.\n";

/* Builds an archive in memory; returns its size (0 on failure). */
static size_t build(char *buf, size_t size, int zip, int gzip, int raw, const entry *e,
                    size_t n)
{
    struct archive *a = archive_write_new();
    size_t used = 0, i;

    if (zip)
        archive_write_set_format_zip(a);
    else if (raw)
        archive_write_set_format_raw(a);
    else
        archive_write_set_format_pax_restricted(a);
    if (gzip)
        archive_write_add_filter_gzip(a);
    if (archive_write_open_memory(a, buf, size, &used) != ARCHIVE_OK) {
        diag("archive_write_open_memory: %s", archive_error_string(a));
        archive_write_free(a);
        return 0;
    }
    for (i = 0; i < n; i++) {
        struct archive_entry *ae = archive_entry_new();
        size_t len = e[i].data ? (e[i].len ? e[i].len : strlen(e[i].data)) : 0;

        archive_entry_set_pathname(ae, e[i].name);
        archive_entry_set_filetype(ae, e[i].data ? AE_IFREG : AE_IFDIR);
        archive_entry_set_perm(ae, 0644);
        archive_entry_set_size(ae, (la_int64_t)len);
        if (archive_write_header(a, ae) != ARCHIVE_OK)
            diag("archive_write_header: %s", archive_error_string(a));
        if (len)
            archive_write_data(a, e[i].data, len);
        archive_entry_free(ae);
    }
    archive_write_close(a);
    archive_write_free(a);
    return used;
}

typedef struct result {
    char keys[16][128];
    char members[16][128];
    int n, errors;
    eaf_status last;
    char msg[512];
    eaf_archive_kind container;
} result;

static void read_reader(eaf_reader *r, result *res)
{
    eaf_article *a;
    eaf_status st;

    while ((st = eaf_reader_next(&a, r)) != EAF_DONE) {
        res->container = eaf_reader_archive_kind(r);
        res->last = st;
        if (st == EAF_ROW) {
            if (res->n < 16) {
                const char *m = eaf_reader_member(r);
                snprintf(res->keys[res->n], 128, "%s", eaf_article_get(a, EAF_FIELD_KEY));
                snprintf(res->members[res->n], 128, "%s", m ? m : "(none)");
                res->n++;
            }
            eaf_article_free(a);
            continue;
        }
        res->errors++;
        snprintf(res->msg, sizeof(res->msg), "%s", eaf_reader_errmsg(r));
        if (st != EAF_SYNTAX)
            break;
    }
}

static eaf_status read_memory(const char *data, size_t len, const char *name,
                              eaf_format format, result *res)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    eaf_reader *r = NULL;
    char *err = NULL;
    eaf_status st;

    memset(res, 0, sizeof(*res));
    o.format = format;
    st = eaf_reader_open_memory(&r, data, len, name, &o, &err);
    if (st != EAF_OK) {
        snprintf(res->msg, sizeof(res->msg), "%s", err ? err : "");
        eaf_free(err);
        return st;
    }
    read_reader(r, res);
    eaf_reader_free(r);
    return EAF_OK;
}

static int has_key(const result *res, const char *key)
{
    int i;

    for (i = 0; i < res->n; i++)
        if (strcmp(res->keys[i], key) == 0)
            return 1;
    return 0;
}

static const entry site[] = {
    {"./site/", NULL, 0},
    {"./site/2019/page.md", page_md, 0},
    {"./site/2019/logo.png", "\x89PNG not an article", 0},
    {"./site/.hidden.md", "## Hidden\n", 0},
    {"./site/html/index.html", html, 0},
    {"./site/posts/2020-02-02-post.md", front, 0},
    {"./site/data.jsonl", jsonl, 0},
    {"./site/empty.html", "", 0},
    {"./site/z-last.md", "## The last member\n\nRead after a bad one.\n", 0},
};
#define NSITE (sizeof(site) / sizeof(site[0]))

static char buf[1 << 23];

static void check_site(const result *res, const char *what, eaf_archive_kind container)
{
    is_int(res->container, container, "%s: the container", what);
    is_int(res->n, 6, "%s: six articles from five article members", what);
    ok(has_key(res, "site/2019/page"), "%s: a page's key is its path inside, without ./", what);
    ok(has_key(res, "https://t.example/html-member/"), "%s: an HTML member", what);
    ok(has_key(res, "site/posts/2020-02-02-post"), "%s: a Markdown member", what);
    ok(has_key(res, "j1") && has_key(res, "j2"), "%s: a JSON Lines member", what);
    ok(has_key(res, "site/z-last"), "%s: the member after a bad one", what);
    ok(!has_key(res, "site/.hidden"), "%s: hidden members are not read", what);
    is_int(res->errors, 1, "%s: one bad member", what);
    ok(strstr(res->msg, ":site/empty.html: empty file") != NULL,
       "%s: named by its path inside the archive (%s)", what, res->msg);
    is_str(res->members[0], "site/2019/page.md", "%s: eaf_reader_member()", what);
}

static void test_containers(void)
{
    result res;
    size_t n;
    eaf_status st;

    n = build(buf, sizeof(buf), 0, 0, 0, site, NSITE);
    ok(n > 0, "a tar built (%zu bytes)", n);
    st = read_memory(buf, n, "site.tar", EAF_FORMAT_AUTO, &res);
    is_int(st, EAF_OK, "tar opens");
    check_site(&res, "tar", EAF_ARCHIVE_TAR);

    n = build(buf, sizeof(buf), 0, 1, 0, site, NSITE);
    st = read_memory(buf, n, "site.tgz", EAF_FORMAT_AUTO, &res);
    is_int(st, EAF_OK, "tar.gz opens");
    check_site(&res, "tar.gz", EAF_ARCHIVE_TAR);

    n = build(buf, sizeof(buf), 1, 0, 0, site, NSITE);
    st = read_memory(buf, n, "site.zip", EAF_FORMAT_AUTO, &res);
    is_int(st, EAF_OK, "zip opens");
    check_site(&res, "zip", EAF_ARCHIVE_ZIP);

    /* the same from files, read in place */
    {
        const char *dir = tu_tmpdir();
        char path[600];
        FILE *fp;
        eaf_reader *r = NULL;
        char *err = NULL;

        snprintf(path, sizeof(path), "%s/site.zip", dir);
        fp = fopen(path, "wb");
        fwrite(buf, 1, n, fp);
        fclose(fp);
        memset(&res, 0, sizeof(res));
        st = eaf_reader_open(&r, path, NULL, &err);
        is_int(st, EAF_OK, "a zip file opens (%s)", err ? err : "");
        eaf_free(err);
        if (r) {
            read_reader(r, &res);
            eaf_reader_free(r);
            check_site(&res, "zip file", EAF_ARCHIVE_ZIP);
        }
        tu_cleanup();
    }

    /* one compressed file: named after the archive */
    {
        entry one[] = {{"data", page_md, 0}};
        n = build(buf, sizeof(buf), 0, 1, 1, one, 1);
        st = read_memory(buf, n, "notes/2019/page.md.gz", EAF_FORMAT_AUTO, &res);
        is_int(st, EAF_OK, ".gz opens");
        is_int(res.container, EAF_ARCHIVE_GZIP, ".gz: a compressed file");
        is_int(res.n, 1, ".gz: the page in it");
        is_str(res.keys[0], "notes/2019/page", ".gz: its key is the name without .md.gz");
        is_str(res.members[0], "(none)", ".gz: no member name");
    }

    /* a forced format applies to the members */
    {
        entry e[] = {{"a.txt", "{\"id\": \"forced\", \"title\": \"Forced JSON\"}\n", 0}};
        n = build(buf, sizeof(buf), 0, 1, 0, e, 1);
        st = read_memory(buf, n, "f.tar.gz", EAF_FORMAT_JSONL, &res);
        is_int(res.n, 1, "forced jsonl on a member");
        is_str(res.keys[0], "forced", "forced jsonl: the key");
    }

    /* an archive inside an archive is reported, not opened */
    {
        entry inner[] = {{"in.md", "## Inner\n", 0}};
        size_t k = build(buf, sizeof(buf) / 2, 0, 1, 0, inner, 1);
        entry outer[] = {{"inner.tar.gz", buf, k}, {"b.md", "## Outer\n", 0}};
        static char out[1 << 16];
        n = build(out, sizeof(out), 0, 0, 0, outer, 2);
        read_memory(out, n, "outer.tar", EAF_FORMAT_AUTO, &res);
        is_int(res.n, 1, "nested: the plain member is read");
        is_int(res.errors, 1, "nested: the inner archive is an error");
        ok(strstr(res.msg, "outer.tar:inner.tar.gz: an archive inside the archive") != NULL,
           "nested: says so (%s)", res.msg);
    }
}

/* An archive is read by the rule a folder is walked by: each member is
 * read exactly when eaf_reader_ignore_reason() gives no reason for its
 * path, and the others are passed over without a word. */
static void test_same_rules(void)
{
    static const char manifest[] =
        "{\"file\": \"2019/page.md\", \"key\": \"2019/page\", \"title\": \"Wrong\"}\n";
    static const char rss[] = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>"
                              "<item><title>Excerpt</title><link>x</link></item>"
                              "</channel></rss>";
    static const entry e[] = {
        {"2019/page.md", page_md, 0},
        {"LICENSE.md", "# License\n\nPublic domain.\n", 0},
        {"readme.txt", "## Read me\n\nAbout this archive.\n", 0},
        {"manifest.jsonl", manifest, 0},
        {"content/posts/_index.md", "---\ntitle: Posts\n---\nThe list.\n", 0},
        {"feed/index.html", rss, 0},
        {"2019/page/comment-page-2/index.html", html, 0},
        {"2019/page/index.html?replytocom=7.html", html, 0},
        {".git/HEAD.md", "## Not this\n", 0},
        {"__MACOSX/2019/._page.md", "## Nor this\n", 0},
        {"style.css", "body {}", 0},
    };
    result res;
    size_t n, i;
    int agree = 1;

    n = build(buf, sizeof(buf), 0, 1, 0, e, sizeof(e) / sizeof(e[0]));
    read_memory(buf, n, "rules.tar.gz", EAF_FORMAT_AUTO, &res);
    is_int(res.n, 1, "rules: one article, from the one member to read");
    is_str(res.keys[0], "2019/page", "rules: the page, with its own key and title");
    is_int(res.errors, 0, "rules: the others passed over without an error (%s)", res.msg);
    for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
        int read = 0, k;
        for (k = 0; k < res.n; k++)
            read |= strcmp(res.members[k], e[i].name) == 0;
        if (read != (eaf_reader_ignore_reason(e[i].name) == NULL)) {
            agree = 0;
            diag("%s: read %d, ignore reason %s", e[i].name, read,
                 eaf_reader_ignore_reason(e[i].name));
        }
    }
    ok(agree, "rules: a member is read exactly when eaf_reader_ignore_reason() says so");

    /* an archive of nothing to read says so, as an empty folder does */
    {
        static const entry none[] = {{"LICENSE.md", "# License\n", 0},
                                     {"img/logo.png", "\x89PNG", 0}};
        n = build(buf, sizeof(buf), 1, 0, 0, none, 2);
        read_memory(buf, n, "none.zip", EAF_FORMAT_AUTO, &res);
        is_int(res.n, 0, "no article file: no article");
        is_int(res.errors, 1, "no article file: an error");
        ok(strstr(res.msg, "none.zip: no article file in the archive: its 2 files were "
                           "passed over (LICENSE.md: a README or LICENSE file"),
           "no article file: what was passed over and why (%s)", res.msg);
    }
}

static void test_bomb_and_truncation(void)
{
    result res;
    size_t n, big = (size_t)4 << 20, i;
    char *zeros = malloc(big);
    eaf_status st;

    /* a zip bomb, made small: 4 MB of one letter in a few kilobytes */
    memset(zeros, 'a', big);
    memcpy(zeros, "<html><body><p>", 15);
    {
        entry e[] = {{"first.md", "## Before the bomb\n", 0}, {"bomb.html", zeros, big},
                     {"after.md", "## After the bomb\n", 0}};
        n = build(buf, sizeof(buf), 1, 0, 0, e, 3);
        ok(n > 0 && n < 64 * 1024, "a zip bomb of %zu bytes", n);
        st = read_memory(buf, n, "bomb.zip", EAF_FORMAT_AUTO, &res);
        is_int(st, EAF_OK, "bomb: opens");
        is_int(res.n, 1, "bomb: the member before it is read");
        is_str(res.keys[0], "first", "bomb: that one");
        is_int(res.last, EAF_IO, "bomb: stops the archive (EAF_IO)");
        ok(strstr(res.msg, "bomb.zip:bomb.html: decompression bomb") != NULL,
           "bomb: a clear message (%s)", res.msg);
    }

    /* a bomb in a line-oriented member, and in one compressed file: named
     * as a bomb, with the file and the member, not as a "read error" */
    memset(zeros, '\n', big);
    {
        entry e[] = {{"data.jsonl", zeros, big}};
        n = build(buf, sizeof(buf), 1, 0, 0, e, 1);
        read_memory(buf, n, "lines.zip", EAF_FORMAT_AUTO, &res);
        is_int(res.last, EAF_IO, "JSON Lines bomb in a zip: stops the archive");
        ok(strstr(res.msg, "lines.zip:data.jsonl: decompression bomb") &&
               strstr(res.msg, "100 times"),
           "JSON Lines bomb in a zip: the member named, and the limit (%s)", res.msg);
        n = build(buf, sizeof(buf), 0, 1, 1, e, 1);
        read_memory(buf, n, "lines.jsonl.gz", EAF_FORMAT_AUTO, &res);
        is_int(res.last, EAF_IO, ".jsonl.gz bomb: stops");
        ok(strstr(res.msg, "lines.jsonl.gz: decompression bomb") && !strstr(res.msg, "read error"),
           ".jsonl.gz bomb: named as one (%s)", res.msg);
    }

    /* a compressed file of zeros, and one of binary data, named as pages:
     * errors that say what they hold, never a file read with nothing */
    memset(zeros, 0, big);
    {
        entry e[] = {{"data", zeros, 100000}};
        n = build(buf, sizeof(buf), 0, 1, 1, e, 1);
        read_memory(buf, n, "x.md.gz", EAF_FORMAT_AUTO, &res);
        is_int(res.n, 0, "zeros.md.gz: no article");
        is_int(res.errors, 1, "zeros.md.gz: an error");
        ok(strstr(res.msg, "x.md.gz: ") && strstr(res.msg, "NUL bytes"),
           "zeros.md.gz: says what it holds (%s)", res.msg);
        for (i = 0; i < 100000; i++)
            zeros[i] = (char)(i * 7 % 251);
        n = build(buf, sizeof(buf), 0, 1, 1, e, 1);
        read_memory(buf, n, "bin.md.gz", EAF_FORMAT_AUTO, &res);
        is_int(res.n + res.errors, 1, "binary.md.gz: one error, no article");
        ok(strstr(res.msg, "bin.md.gz: binary data"), "binary.md.gz: says so (%s)", res.msg);
    }
    {
        entry e[] = {{"empty.md", "", 0}};
        static const entry none[1];
        n = build(buf, sizeof(buf), 0, 1, 0, none, 0);
        read_memory(buf, n, "empty.tar.gz", EAF_FORMAT_AUTO, &res);
        is_int(res.errors, 1, "an empty tar.gz: an error");
        ok(strstr(res.msg, "empty.tar.gz: no file in the archive") != NULL,
           "an empty tar.gz: says so (%s)", res.msg);
        n = build(buf, sizeof(buf), 1, 0, 0, e, 1);
        read_memory(buf, n, "e.zip", EAF_FORMAT_AUTO, &res);
        ok(res.errors == 1 && strstr(res.msg, "e.zip:empty.md: empty file"),
           "an empty member: an error named by it (%s)", res.msg);
    }
    free(zeros);

    /* a truncated gzip: what was read before the cut is kept */
    {
        /* pages of words that do not compress much, so that the cut
         * falls well after the start */
        static entry e[40];
        static char names[40][32], bodies[40][16384];
        unsigned seed = 12345;
        for (i = 0; i < 40; i++) {
            size_t o = (size_t)snprintf(bodies[i], sizeof(bodies[i]), "## Page %zu\n\n", i);
            while (o < sizeof(bodies[i]) - 16) {
                int w, len = 2 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 8;
                for (w = 0; w < len; w++)
                    bodies[i][o++] = (char)('a' + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 26);
                bodies[i][o++] = ' ';
            }
            bodies[i][o++] = '\n';
            bodies[i][o] = '\0';
            snprintf(names[i], sizeof(names[i]), "p%02zu.md", i);
            e[i].name = names[i];
            e[i].data = bodies[i];
            e[i].len = 0;
        }
        n = build(buf, sizeof(buf), 0, 1, 0, e, 40);
        st = read_memory(buf, n / 2, "cut.tar.gz", EAF_FORMAT_AUTO, &res);
        is_int(st, EAF_OK, "truncated gzip: opens");
        ok(res.n > 0 && res.n < 40, "truncated gzip: %d of 40 pages read before the cut",
           res.n);
        is_int(res.last, EAF_IO, "truncated gzip: an error that ends the archive");
        ok(strstr(res.msg, "cut.tar.gz") && strstr(res.msg, "runcated"),
           "truncated gzip: says so (%s)", res.msg);
    }

    /* garbage after a gzip magic number */
    st = read_memory("\x1f\x8b\x08\x00garbage", 12, "bad.gz", EAF_FORMAT_AUTO, &res);
    ok(st == EAF_IO || res.errors > 0, "a broken gzip is an error (%s)", res.msg);
}

int main(void)
{
    static const eaf_format used[] = {EAF_FORMAT_PAGE, EAF_FORMAT_HTML, EAF_FORMAT_JSONL,
                                      EAF_FORMAT_MARKDOWN};
    size_t i;

    /* the archives hold members of these formats */
    for (i = 0; i < sizeof(used) / sizeof(used[0]); i++)
        if (!eaf_format_available(used[i])) {
            char why[128];
            snprintf(why, sizeof(why), "this build of libeafsearch has no reader for %s",
                     eaf_format_name(used[i]));
            return tap_skip_all(why);
        }
    test_containers();
    test_same_rules();
    test_bomb_and_truncation();
    return done_testing();
}

#endif /* EAF_READ_ARCHIVES */
