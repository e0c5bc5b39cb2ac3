/*
 * names.c: which files the readers read, by their names alone: the rule a
 * program walking a folder applies (eaf_reader_ignore_reason()), that the
 * dispatcher applies to the members of archives, and the key an article
 * without a URL takes from its file's name.
 */
#include "names.h"
#include "sniff.h"

#include <string.h>

char *eaf__name_key_base(const char *name)
{
    const char *slash, *dot, *base;
    size_t n;

    while (name[0] == '.' && name[1] == '/') {
        name += 2;
        while (*name == '/')
            name++;
    }
    n = strlen(name);
    slash = strrchr(name, '/');
    base = slash ? slash + 1 : name;
    dot = strrchr(base, '.');
    if (dot && dot != base) {
        n = (size_t)(dot - name);
        if (strcmp(dot, ".gz") == 0 || strcmp(dot, ".bz2") == 0 ||
            strcmp(dot, ".xz") == 0) {
            const char *d2;
            for (d2 = dot - 1; d2 > base && *d2 != '.'; d2--)
                ;
            if (d2 > base)
                n = (size_t)(d2 - name);
        }
    }
    return eaf__strndup(name, n);
}


int eaf__name_kind(const char *name)
{
    static const char *const articles[] = {
        ".md", ".markdown", ".mdown", ".mkd", ".txt", ".jsonl", ".ndjson",
        ".html", ".htm", ".xhtml", ".shtml", ".wxr", ".xml"};
    static const char *const archives[] = {
        ".tar", ".tgz", ".tar.gz", ".zip", ".gz", ".tbz2", ".tar.bz2", ".bz2",
        ".txz", ".tar.xz", ".xz"};
    const char *slash = strrchr(name, '/'), *base = slash ? slash + 1 : name;
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(articles); i++)
        if (eaf__sniff_suffix(base, articles[i]))
            return 1;
    for (i = 0; i < EAF__ARRAY_LEN(archives); i++)
        if (eaf__sniff_suffix(base, archives[i]))
            return 2;
    return strchr(base, '.') == NULL || base[0] == '.' ? 3 : 0;
}

int eaf_reader_wants(const char *name)
{
    const char *slash, *base;

    if (!name || !*name)
        return 0;
    slash = strrchr(name, '/');
    base = slash ? slash + 1 : name;
    if (base[0] == '.' || !*base)
        return 0;
    return eaf__name_kind(name) != 0;
}

/* s[0..n) equals word, ASCII case ignored. */
static int same_ci(const char *s, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!word[i] || c != word[i])
            return 0;
    }
    return word[n] == '\0';
}

/* The stem of a base name: up to its first dot ("README" of
 * "README.md"); its length. */
static size_t stem_len(const char *base)
{
    const char *dot = strchr(base, '.');
    return dot ? (size_t)(dot - base) : strlen(base);
}

/* README.md, LICENSE, ...: the files of a repository, not articles.  The
 * names that are only ever a repository's are matched in any case
 * (readme.md, License.txt); ordinary words (CHANGES, SECURITY, AUTHORS,
 * NOTICE) only in capitals, as repositories write them, so that an article
 * called security.md is still read. */
static int repository_file(const char *base)
{
    static const char *const any_case[] = {"readme", "license", "licence", "copying",
                                           "changelog", "contributing", "code_of_conduct"};
    static const char *const capitals[] = {"CHANGES", "SECURITY", "AUTHORS", "NOTICE"};
    size_t k = stem_len(base), i;

    for (i = 0; i < EAF__ARRAY_LEN(any_case); i++)
        if (same_ci(base, k, any_case[i]))
            return 1;
    for (i = 0; i < EAF__ARRAY_LEN(capitals); i++)
        if (k == strlen(capitals[i]) && strncmp(base, capitals[i], k) == 0)
            return 1;
    return 0;
}

/* manifest.json, manifest.jsonl, MANIFEST, MANIFEST.in: what an archive's
 * maker wrote about its files (a manifest.jsonl beside pages is one record
 * per page, and read as articles it replaced every page's body).  A page
 * called manifest.md or manifest.html is still read. */
static int manifest_file(const char *base)
{
    static const char *const data[] = {"json", "jsonl", "ndjson", "txt", "xml", "csv",
                                       "tsv", "yml", "yaml", "in", "webmanifest"};
    size_t k = stem_len(base), i;

    if (!same_ci(base, k, "manifest"))
        return 0;
    if (!base[k])
        return 1;
    for (i = 0; i < EAF__ARRAY_LEN(data); i++)
        if (same_ci(base + k + 1, strlen(base + k + 1), data[i]))
            return 1;
    return 0;
}

/* "comment-page-12": a folder of WordPress's paged comments. */
static int comment_page_part(const char *s, size_t n)
{
    size_t i;

    if (n <= 13 || strncmp(s, "comment-page-", 13) != 0)
        return 0;
    for (i = 13; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}


/* The part of path just above the part that starts at at: its start in
 * *start and its length; 0 at the top. */
static size_t part_above(const char *path, const char *at, const char **start)
{
    const char *e = at, *s;

    while (e > path && e[-1] == '/')
        e--;
    for (s = e; s > path && s[-1] != '/'; s--)
        ;
    *start = s;
    return (size_t)(e - s);
}

const char *eaf__name_page_kind(const char *path)
{
    const char *p, *base, *slash;
    size_t k;

    if (!path)
        return NULL;
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    for (p = path; p < base;) {
        const char *e = strchr(p, '/');
        k = (size_t)(e - p);
        if (comment_page_part(p, k))
            return "a WordPress comment page (comment-page-N), not an article";
        p = e + 1;
    }
    if (strstr(base, "replytocom="))
        return "a WordPress reply-to-comment page (?replytocom=), not an article";
    if (strncmp(base, "_index.", 7) == 0)
        return "a Hugo list page (_index.md), not an article";
    if (strcmp(base, "feed.xml") == 0 || strcmp(base, "atom.xml") == 0 ||
        strcmp(base, "rss.xml") == 0)
        return "a feed, not an article";
    if (strncmp(base, "index.", 6) == 0) {
        /* WordPress's feeds, as a mirror saves them: feed/index.html,
         * feed/atom/index.html, comments/feed/index.html */
        const char *ps, *gs;
        size_t pk = part_above(path, base, &ps), gk = pk ? part_above(path, ps, &gs) : 0;

        if ((pk == 4 && strncmp(ps, "feed", 4) == 0) ||
            (gk == 4 && strncmp(gs, "feed", 4) == 0 &&
             ((pk == 4 && (strncmp(ps, "atom", 4) == 0 || strncmp(ps, "rss2", 4) == 0)) ||
              (pk == 3 && (strncmp(ps, "rss", 3) == 0 || strncmp(ps, "rdf", 3) == 0)))))
            return "a feed, not an article";
    }
    return NULL;
}

const char *eaf_reader_ignore_reason(const char *path)
{
    const char *p, *base, *slash, *page;

    if (!path)
        return "no name";
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    if (!*path)
        return "no name";
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    if (!*base)
        return "a folder, not a file";
    for (p = path; *p;) {
        const char *e = strchr(p, '/');
        size_t k = e ? (size_t)(e - p) : strlen(p);

        if (k > 0 && p[0] == '.' && !(k == 1 || (k == 2 && p[1] == '.')))
            return e ? "in a hidden folder" : "a hidden file";
        if (e && k == 8 && strncmp(p, "__MACOSX", 8) == 0)
            return "macOS metadata (__MACOSX), not an article";
        p += k;
        while (*p == '/')
            p++;
    }
    page = eaf__name_page_kind(path);
    if (page)
        return page;
    if (repository_file(base))
        return "a README or LICENSE file, not an article";
    if (manifest_file(base))
        return "a manifest of the archive's files, not an article";
    if (eaf__name_kind(base) == 0)
        return "not an article file";
    return NULL;
}

