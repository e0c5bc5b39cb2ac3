/*
 * reader.c: the dispatcher.  Opens an input, tells its format (or its
 * archive kind) from its first bytes by asking every row of the table of
 * formats, steps through the members of archives, and hands each file to
 * its format's next-article function.
 *
 * The formats (import_*.c) read from the byte source (source.c) and call
 * nothing here.  A format whose library was missing at configure time is
 * not in the table: it is not detected, and forcing it gives EAF_NOTFOUND
 * with a message naming what is missing.
 */
#include "options.h"
#include "archive.h"
#include "format.h"
#include "names.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

struct eaf_reader {
    eaf__source src;         /* the bytes of the current file (member) */
    char *member;            /* the current archive member, or NULL */
    eaf_format forced;       /* the format the options force, or AUTO */
    eaf_archive_kind forced_archive; /* the archive the options force, or NONE */
    eaf_format format;       /* the format of the current file */
    const eaf__format_def *def; /* its row in the table */
    int archive;             /* the input is an archive (recognised or forced) */
    eaf_archive_kind container; /* what it is until libarchive says more */
    int finished;            /* the whole input is finished */
    int need_member;         /* archives: move to the next member first */
    /* the current file (member): what it gave so far, to tell a file that
     * gave nothing at all */
    size_t file_rows, file_errors, file_skipped_before;
    const char *file_skip;   /* a page that is not an article, by its name:
                                skipped before it is read (static) */
    /* archives: the members read and those passed over by their name */
    size_t members_read, members_passed;
    char *passed_name;       /* the first member passed over */
    const char *passed_reason;
};

/* ---- the table of formats --------------------------------------------------- */

/* Every format this build reads.  A new format: its file, and a row here
 * (with the configure test of its library). */
static const eaf__format_def *const formats[] = {
#ifdef EAF_READ_PAGE
    &eaf__format_page,
#endif
#ifdef EAF_READ_JSONL
    &eaf__format_jsonl,
#endif
#ifdef EAF_READ_HTML
    &eaf__format_html,
#endif
#ifdef EAF_READ_MARKDOWN
    &eaf__format_markdown,
#endif
#ifdef EAF_READ_WXR
    &eaf__format_wxr,
#endif
    NULL /* (so that the table is never empty) */
};

/* The names of all formats, built or not, and what each lacks here: a
 * program may name a format this build lacks, and hear why it cannot. */
static const struct {
    const char *name;
    const char *lacks;       /* the libraries missing ("" for none) */
} all_formats[] = {
    {"auto", ""},
    {"page", EAF_LACKS_PAGE},
    {"jsonl", EAF_LACKS_JSONL},
    {"html", EAF_LACKS_HTML},
    {"markdown", EAF_LACKS_MARKDOWN},
    {"wxr", EAF_LACKS_WXR}};

static const char *const archive_names[] = {"none", "tar", "zip", "gzip"};

const eaf__format_def *const *eaf__format_table(size_t *n)
{
    *n = EAF__ARRAY_LEN(formats) - 1;
    return formats;
}

/* The row of format f, or NULL when this build lacks it. */
static const eaf__format_def *row(eaf_format f)
{
    size_t i;

    for (i = 0; formats[i]; i++)
        if (formats[i]->id == f)
            return formats[i];
    return NULL;
}

const char *eaf_format_name(eaf_format format)
{
    if ((unsigned)format >= EAF__ARRAY_LEN(all_formats))
        return NULL;
    return all_formats[format].name;
}

int eaf_format_available(eaf_format format)
{
    return format == EAF_FORMAT_AUTO || row(format) != NULL;
}

eaf_status eaf_format_from_name(const char *name, eaf_format *out)
{
    const eaf__format_def *f;
    size_t i;
    const char *const *a;

    if (!out)
        return EAF_MISUSE;
    *out = EAF_FORMAT_AUTO;
    if (!name)
        return EAF_MISUSE;
    for (i = 0; i < EAF__ARRAY_LEN(all_formats); i++) {
        if (strcmp(name, all_formats[i].name) == 0) {
            *out = (eaf_format)i;
            return EAF_OK;
        }
    }
    /* a few other names people use, as the rows give them */
    for (i = 0; (f = formats[i]) != NULL; i++) {
        for (a = f->aliases; a && *a; a++) {
            if (strcmp(name, *a) == 0) {
                *out = f->id;
                return EAF_OK;
            }
        }
    }
    return EAF_NOTFOUND;
}

const char *eaf_archive_kind_name(eaf_archive_kind kind)
{
    if ((unsigned)kind >= EAF__ARRAY_LEN(archive_names))
        return NULL;
    return archive_names[kind];
}

eaf_status eaf_archive_kind_from_name(const char *name, eaf_archive_kind *out)
{
    size_t i;

    if (!out)
        return EAF_MISUSE;
    *out = EAF_ARCHIVE_NONE;
    if (!name)
        return EAF_MISUSE;
    for (i = 0; i < EAF__ARRAY_LEN(archive_names); i++) {
        if (strcmp(name, archive_names[i]) == 0) {
            *out = (eaf_archive_kind)i;
            return EAF_OK;
        }
    }
    return EAF_NOTFOUND;
}

int eaf_archive_available(void)
{
#ifdef EAF_READ_ARCHIVES
    return 1;
#else
    return 0;
#endif
}

/* ---- detection ----------------------------------------------------------------- */

/* The format of a file from its first bytes, with its name as a hint:
 * the row whose rule of the lowest rank claims it; NULL when none does. */
static const eaf__format_def *detect(const char *head, size_t n, const char *name)
{
    const eaf__format_def *best = NULL;
    int best_rank = 0, rank;
    eaf__sniff s;
    size_t i;

    eaf__sniff_init(&s, head, n, name);
    for (i = 0; formats[i]; i++) {
        rank = formats[i]->sniff(&s);
        if (rank != EAF__SNIFF_NO && (!best || rank < best_rank)) {
            best = formats[i];
            best_rank = rank;
        }
    }
    return best;
}

/* Whether the first bytes are binary data rather than text: NUL bytes,
 * with control characters more than one byte in ten (a stray NUL in a
 * page is text with a NUL; a file of zeros, an image or an executable is
 * not text).  UTF-16 and UTF-32 text (with a byte-order mark) is text.
 * *nuls gets the count of NUL bytes. */
static int binary_data(const char *s, size_t n, size_t *nuls)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i, ctrl = 0;

    *nuls = 0;
    if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
        return 0;
    if (n >= 4 && u[0] == 0 && u[1] == 0 && u[2] == 0xFE && u[3] == 0xFF)
        return 0;
    for (i = 0; i < n; i++) {
        if (u[i] == 0)
            (*nuls)++;
        if ((u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r' && u[i] != '\f' &&
             u[i] != '\v' && u[i] != 0x1B) ||
            u[i] == 0x7F)
            ctrl++;
    }
    return *nuls > 0 && ctrl * 10 > n;
}

/* The name a file is detected by: a compressed file's without its
 * compression suffix ("x.jsonl.gz" is JSON Lines).  Allocated. */
static char *detect_name(const eaf_reader *r)
{
    const char *name = r->member ? r->member : r->src.name;
    size_t n = strlen(name);

    if (r->src.ar && eaf__archive_is_single(r->src.ar)) {
        if (eaf__sniff_suffix(name, ".gz") || eaf__sniff_suffix(name, ".xz"))
            n -= 3;
        else if (eaf__sniff_suffix(name, ".bz2"))
            n -= 4;
    }
    return eaf__strndup(name, n);
}

/* Records that no format of the table claims the current file, naming
 * the formats this build lacks, which might have. */
static void unknown_format(eaf_reader *r)
{
    char lacks[64] = "";
    size_t i, k = 0;

    for (i = 1; i < EAF__ARRAY_LEN(all_formats); i++)
        if (!row((eaf_format)i))
            k += (size_t)snprintf(lacks + k, sizeof(lacks) - k, "%s%s", k ? ", " : "",
                                  all_formats[i].name);
    eaf__source_error(&r->src, 0, "unknown format (not an article page, HTML, Markdown, "
                                  "a WordPress export, JSON Lines or an archive)%s%s%s",
                      k ? "; this build of libeafsearch lacks the readers of " : "", lacks,
                      k ? " (configured without their libraries)" : "");
}

/* Detects (or takes the forced) format of the current file.  Returns
 * EAF_OK, EAF_SYNTAX with the message in r->src.err (empty, binary or
 * unknown), EAF_IO or EAF_NOMEM.  A file that is not an archive starts
 * its counts here. */
static eaf_status detect_current(eaf_reader *r, int outer)
{
    const eaf__format_def *def;
    eaf_archive_kind kind;
    int rc;
    char *name;
    size_t nuls;

    rc = eaf__source_fill(&r->src, EAF__READER_DETECT_BYTES);
    if (rc == -2)
        return EAF_NOMEM;
    if (rc < 0)
        return EAF_IO;
    kind = eaf__sniff_archive((const unsigned char *)r->src.in, r->src.in_len);
    if (kind != EAF_ARCHIVE_NONE) {
        if (!outer) {
            /* archives in archives are not opened */
            eaf__source_error(&r->src, 0, "an archive inside the archive is not read");
            return EAF_SYNTAX;
        }
        r->archive = 1;
        r->container = kind;
        return EAF_OK;
    }
    if (binary_data(r->src.in, r->src.in_len, &nuls)) {
        eaf__source_error(&r->src, 0,
                          "binary data, not text (%zu of the first %zu bytes%s are "
                          "NUL bytes): not an article file",
                          nuls, r->src.in_len,
                          r->src.ar && eaf__archive_is_single(r->src.ar) ? " it decompresses to"
                                                                         : "");
        return EAF_SYNTAX;
    }
    if (r->forced != EAF_FORMAT_AUTO) {
        def = row(r->forced); /* (there: the options were checked) */
    } else {
        name = detect_name(r);
        if (!name) {
            eaf__source_error(&r->src, 0, "out of memory");
            return EAF_NOMEM;
        }
        def = detect(r->src.in, r->src.in_len, name);
        eaf__free(name);
    }
    if (!def && r->src.in_len == 0) {
        /* (an empty file whose name tells its format is left to that
         * format's reader, which says so) */
        eaf__source_error(&r->src, 0, "empty file");
        return EAF_SYNTAX;
    } else if (!def) {
        unknown_format(r);
        return EAF_SYNTAX;
    }
    r->def = def;
    r->format = def->id;
    r->file_rows = r->file_errors = 0;
    r->file_skipped_before = r->src.skipped;
    /* a member was passed over by its name already; a file named
     * directly, or the one file of a .gz, is skipped here */
    r->file_skip = r->member ? NULL : eaf__name_page_kind(r->src.name);
    return EAF_OK;
}

/* ---- opening ------------------------------------------------------------------ */

static eaf_status new_reader(eaf_reader **out, const char *name,
                             const eaf_reader_options *o)
{
    eaf_reader *r = eaf__calloc(1, sizeof(*r));

    *out = NULL;
    if (!r)
        return EAF_NOMEM;
    r->src.name = eaf__strdup(o->name ? o->name : name);
    r->src.key_base = r->src.name ? eaf__name_key_base(r->src.name) : NULL;
    if (!r->src.name || !r->src.key_base) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    r->forced = o->format;
    r->forced_archive = o->archive;
    *out = r;
    return EAF_OK;
}

/* Reads the caller's options (NULL: the defaults) into *o, and checks them. */
static eaf_status read_options(eaf_reader_options *o, const eaf_reader_options *in,
                               char **errmsg_out)
{
    char msg[128];

    if (eaf__options_read(o, in, &eaf__reader_options_layout, msg, sizeof(msg)) != EAF_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(msg);
        return EAF_MISUSE;
    }
    if ((unsigned)o->format >= EAF__ARRAY_LEN(all_formats) ||
        (unsigned)o->archive >= EAF__ARRAY_LEN(archive_names)) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup("bad eaf_reader_options");
        return EAF_MISUSE;
    }
    if (!eaf_format_available(o->format)) {
        if (errmsg_out)
            *errmsg_out = eaf__printf("the %s format is not read by this build of "
                                      "libeafsearch (configured without %s)",
                                      all_formats[o->format].name,
                                      all_formats[o->format].lacks);
        return EAF_NOTFOUND;
    }
    return EAF_OK;
}

/* The outer input is open (fp set, or mem): detects its format and, for
 * an archive, opens it.  path is the file (NULL for memory). */
static eaf_status finish_open(eaf_reader *r, const char *path, int64_t size,
                              char **errmsg_out)
{
    eaf_status st;

    if (r->forced_archive != EAF_ARCHIVE_NONE) {
        /* a forced archive: trust it, and detect the members */
        r->archive = 1;
        r->container = r->forced_archive;
        st = EAF_OK;
    } else {
        st = detect_current(r, 1);
    }
    if (st != EAF_OK) {
        if (errmsg_out)
            *errmsg_out = eaf__strdup(r->src.err.rc == EAF_OK && r->src.err.p ? r->src.err.p
                                                                   : "out of memory");
        return st;
    }
    if (!r->archive)
        return EAF_OK;
    /* reopen through libarchive, in place: the bytes read for detection
     * are read again by it */
    eaf__source_rewind(&r->src);
    if (r->src.fp) {
        fclose(r->src.fp);
        r->src.fp = NULL;
    }
    st = eaf__archive_open(&r->src.ar, path, r->src.mem, r->src.mem_len, size, errmsg_out);
    if (st != EAF_OK)
        return st;
    if (eaf__archive_is_single(r->src.ar))
        r->container = EAF_ARCHIVE_GZIP;
    r->format = EAF_FORMAT_AUTO; /* until the first member */
    r->need_member = 1;
    return EAF_OK;
}

eaf_status eaf_reader_open(eaf_reader **out, const char *path,
                           const eaf_reader_options *opts, char **errmsg_out)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    eaf_reader *r;
    struct stat sb;
    eaf_status st;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!path)
        return EAF_MISUSE;
    if ((st = read_options(&o, opts, errmsg_out)) != EAF_OK)
        return st;
    opts = &o;
    if (stat(path, &sb) != 0) {
        int e = errno;
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: %s", path, strerror(e));
        return e == ENOENT ? EAF_NOTFOUND : EAF_IO;
    }
    if (!S_ISREG(sb.st_mode)) {
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: not a regular file", path);
        return EAF_IO;
    }
    if ((st = new_reader(&r, path, opts)) != EAF_OK)
        return st;
    r->src.fp = fopen(path, "rb");
    if (!r->src.fp) {
        if (errmsg_out)
            *errmsg_out = eaf__printf("%s: %s", path, strerror(errno));
        eaf_reader_free(r);
        return EAF_IO;
    }
    st = finish_open(r, path, (int64_t)sb.st_size, errmsg_out);
    if (st != EAF_OK) {
        eaf_reader_free(r);
        return st;
    }
    *out = r;
    return EAF_OK;
}

eaf_status eaf_reader_open_memory(eaf_reader **out, const char *data, size_t len,
                                  const char *name, const eaf_reader_options *opts,
                                  char **errmsg_out)
{
    eaf_reader_options o = EAF_READER_OPTIONS_INIT;
    eaf_reader *r;
    eaf_status st;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!data || !name)
        return EAF_MISUSE;
    if ((st = read_options(&o, opts, errmsg_out)) != EAF_OK)
        return st;
    opts = &o;
    if ((st = new_reader(&r, name, opts)) != EAF_OK)
        return st;
    r->src.mem = eaf__malloc(len ? len : 1);
    if (!r->src.mem) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    if (len)
        memcpy(r->src.mem, data, len);
    r->src.mem_len = len;
    r->src.fp = fmemopen(r->src.mem, len ? len : 1, "rb");
    if (!r->src.fp) {
        eaf_reader_free(r);
        return EAF_NOMEM;
    }
    if (len == 0) /* fmemopen cannot open an empty buffer: read nothing */
        r->src.in_eof = 1;
    st = finish_open(r, NULL, (int64_t)len, errmsg_out);
    if (st != EAF_OK) {
        eaf_reader_free(r);
        return st;
    }
    *out = r;
    return EAF_OK;
}

/* ---- reading ---------------------------------------------------------------- */

/* Moves to the next member worth reading: members are passed over by
 * the rule of eaf_reader_ignore_reason(), as the files of a folder are.
 * EAF_OK: a member is current, with its format; EAF_DONE: no more;
 * EAF_SYNTAX: this member cannot be read (message recorded; the next call
 * goes on); EAF_IO, EAF_NOMEM. */
static eaf_status next_member(eaf_reader *r)
{
    const char *name, *why;
    eaf_status st;

    for (;;) {
        st = eaf__archive_next(r->src.ar, &name);
        if (st == EAF_IO || st == EAF_NOMEM) {
            char *msg = eaf__archive_take_msg(r->src.ar);
            if (msg)
                eaf__source_error(&r->src, 0, "%s", msg);
            eaf__free(msg);
        }
        if (st != EAF_ROW)
            return st;
        if (eaf__archive_is_single(r->src.ar) || !(why = eaf_reader_ignore_reason(name)))
            break;
        if (r->members_passed++ == 0) {
            r->passed_name = eaf__strdup(name);
            r->passed_reason = why;
        }
    }
    r->members_read++;
    eaf__free(r->member);
    eaf__free(r->src.msg_name);
    eaf__free(r->src.key_base);
    r->src.msg_name = r->src.key_base = NULL;
    if (eaf__archive_is_single(r->src.ar)) {
        /* one compressed file: it is named after the archive */
        r->member = NULL;
        r->src.msg_name = eaf__strdup(r->src.name);
        r->src.key_base = eaf__name_key_base(r->src.name);
    } else {
        r->member = eaf__strdup(name);
        r->src.msg_name = eaf__printf("%s:%s", r->src.name, name);
        r->src.key_base = r->member ? eaf__name_key_base(r->member) : NULL;
    }
    if ((!eaf__archive_is_single(r->src.ar) && !r->member) || !r->src.msg_name ||
        !r->src.key_base) {
        eaf__source_error(&r->src, 0, "out of memory");
        return EAF_NOMEM;
    }
    eaf__source_rewind(&r->src);
    r->src.line = 0;
    r->src.done = 0;
    r->format = EAF_FORMAT_AUTO;
    r->def = NULL;
    st = detect_current(r, 0);
    if (st == EAF_SYNTAX)
        r->src.done = 1;
    return st;
}

/* The archive ended without a member to read: says so (EAF_SYNTAX), as a
 * folder without article files is an error. */
static eaf_status no_member(eaf_reader *r)
{
    eaf__free(r->src.msg_name);
    r->src.msg_name = NULL; /* the archive's own name */
    eaf__free(r->member);
    r->member = NULL;
    if (r->members_passed > 0)
        eaf__source_error(&r->src, 0,
                          "no article file in the archive: its %zu file%s passed "
                          "over (%s: %s%s)",
                          r->members_passed,
                          r->members_passed == 1 ? " was" : "s were",
                          r->passed_name ? r->passed_name : "?", r->passed_reason,
                          r->members_passed > 1 ? ", ..." : "");
    else
        eaf__source_error(&r->src, 0, "no file in the archive: %s",
                          eaf__archive_empty_reason(r->src.ar));
    return EAF_SYNTAX;
}

/* The current file ended: when it gave no article, no error and no skip,
 * says what it held instead (EAF_SYNTAX), so that a file never counts as
 * read with nothing in it. */
static eaf_status nothing_read(eaf_reader *r)
{
    if (r->file_rows || r->file_errors || r->src.skipped > r->file_skipped_before)
        return EAF_DONE;
    if (r->def && r->def->nothing)
        r->def->nothing(&r->src);
    else
        eaf__source_error(&r->src, 0, "no article in the file");
    return EAF_SYNTAX;
}

static eaf_status format_next(eaf_reader *r, eaf_article **out)
{
    if (!r->def)
        return EAF_MISUSE;
    return r->def->next(&r->src, out);
}

/* Every article a reader gives has a key: one whose own key could not be
 * used (a canonical URL of blanks, say) takes the file's name, as one
 * without a URL does. */
static eaf_status ensure_key(eaf_reader *r, eaf_article **out)
{
    eaf_status st = r->src.key_base ? eaf_article_set(*out, EAF_FIELD_KEY, r->src.key_base, EAF_NTS)
                                : EAF_SYNTAX;

    if (st == EAF_OK)
        return EAF_ROW;
    eaf_article_free(*out);
    *out = NULL;
    if (st == EAF_NOMEM) {
        eaf__source_error(&r->src, 0, "out of memory");
        r->finished = 1;
        eaf__source_free_state(&r->src);
        return EAF_NOMEM;
    }
    eaf__source_error(&r->src, r->src.line, "the article has no key");
    return EAF_SYNTAX;
}

eaf_status eaf_reader_next(eaf_article **out, eaf_reader *r)
{
    eaf_status st;

    if (!out)
        return EAF_MISUSE;
    *out = NULL;
    if (!r)
        return EAF_MISUSE;
    eaf__buf_reset(&r->src.err);
    r->src.err.rc = EAF_OK;
    for (;;) {
        if (r->finished)
            return EAF_DONE;
        if (r->src.ar && (r->need_member || r->src.done)) {
            eaf__source_free_state(&r->src);
            r->need_member = 0;
            st = next_member(r);
            if (st == EAF_DONE && r->members_read == 0) {
                r->finished = 1;
                return no_member(r);
            }
            if (st == EAF_DONE || st == EAF_IO || st == EAF_NOMEM) {
                r->finished = 1;
                return st;
            }
            if (st != EAF_OK)
                return st; /* this member: EAF_SYNTAX */
        }
        if (r->src.done) {
            r->finished = 1;
            eaf__source_free_state(&r->src);
            return EAF_DONE;
        }
        if (r->file_skip) {
            /* a page that is not an article, by its name */
            eaf__source_skip(&r->src, "%s", r->file_skip);
            r->file_skip = NULL;
            r->src.done = 1;
            continue;
        }
        st = format_next(r, out);
        if (st == EAF_MISUSE)
            return st;
        if (st == EAF_IO || st == EAF_NOMEM) {
            r->finished = 1;
            eaf__source_free_state(&r->src);
            return st;
        }
        if (st == EAF_DONE) {
            r->src.done = 1;
            if (nothing_read(r) == EAF_SYNTAX)
                return EAF_SYNTAX;
            continue; /* the next member, or the end */
        }
        if (st == EAF_ROW && !eaf_article_get(*out, EAF_FIELD_KEY))
            st = ensure_key(r, out);
        if (st == EAF_ROW) {
            r->file_rows++;
            eaf__article_keep_hash(*out);
        } else if (st == EAF_SYNTAX) {
            r->file_errors++;
        }
        return st;
    }
}

const char *eaf_reader_errmsg(const eaf_reader *r)
{
    if (!r)
        return "no reader";
    if (r->src.err.rc != EAF_OK)
        return "out of memory";
    return r->src.err.p ? r->src.err.p : "";
}

eaf_format eaf_reader_format(const eaf_reader *r)
{
    return r ? r->format : EAF_FORMAT_AUTO;
}

eaf_archive_kind eaf_reader_archive_kind(const eaf_reader *r)
{
    if (!r || !r->archive)
        return EAF_ARCHIVE_NONE;
    if (r->src.ar && eaf__archive_kind(r->src.ar) != EAF_ARCHIVE_NONE)
        return eaf__archive_kind(r->src.ar); /* a .tar.gz is a tar */
    return r->container;
}

const char *eaf_reader_member(const eaf_reader *r)
{
    return r ? r->member : NULL;
}

size_t eaf_reader_skipped(const eaf_reader *r)
{
    return r ? r->src.skipped : 0;
}

const char *eaf_reader_skip_reason(const eaf_reader *r)
{
    return r && r->src.skipped ? (r->src.skip_reason ? r->src.skip_reason : "out of memory") : NULL;
}

void eaf_reader_free(eaf_reader *r)
{
    if (!r)
        return;
    eaf__source_clear(&r->src);
    eaf__free(r->member);
    eaf__free(r->passed_name);
    eaf__free(r);
}
