/*
 * reader.h: what the format readers (import_*.c, archive.c, charset.c)
 * share.
 *
 * A reader reads one input: a file, a copy of bytes in memory, or an
 * archive (tar, zip, possibly compressed, or one compressed file), whose
 * members are read one after the other as files of their own.  Every
 * format reads its bytes through eaf__reader_read() and friends, so that it
 * does not care where they come from.  Each format provides a next()
 * function that yields one article at a time; a record it cannot read is
 * reported with eaf__reader_error() and EAF_SYNTAX, and the next call goes
 * on after it.  No SQL here.
 */
#ifndef EAF_READER_H
#define EAF_READER_H

#include "eaf-private.h"

#include <stdio.h>
#include <sys/types.h>

/* The largest file (or archive member) read whole (pages, HTML,
 * Markdown); bigger ones are refused.  WXR and JSON Lines are streamed and
 * have no such limit. */
#define EAF__READER_MAX_FILE (64u * 1024 * 1024)

/* How much of a file format detection looks at. */
#define EAF__READER_DETECT_BYTES 65536
/* The member naming the header line of an export (eafindex --export): the
 * JSON Lines reader passes over a line holding it and no "id". */
#define EAF__EXPORT_HEADER "eafsearch_export"

typedef struct eaf__archive eaf__archive;

struct eaf_reader {
    FILE *fp;                /* a plain file, or fmemopen() over mem */
    char *mem;               /* the copy behind fp for memory readers */
    size_t mem_len;
    eaf__archive *ar;        /* archive.c: the container, or NULL */
    char *name;              /* the name of the input (the path or the given one) */
    char *msg_name;          /* for messages: name, or "name:member" */
    char *member;            /* the current archive member, or NULL */
    char *key_base;          /* the current file's name without its extension */
    eaf_format forced;       /* the format the options force, or AUTO */
    eaf_format format;       /* the format of the current file */
    eaf_format container;    /* TAR, ZIP or GZIP when reading an archive, else AUTO */
    unsigned long line;      /* line-oriented formats: the current line */
    int done;                /* the current file (member) is finished */
    int finished;            /* the whole input is finished */
    int need_member;         /* archives: move to the next member first */
    int io_error;            /* a read failed (message recorded) */
    size_t skipped;          /* records skipped as not articles */
    char *skip_reason;       /* why the last one was */
    /* the current file (member): what it gave so far, to tell a file that
     * gave nothing at all */
    size_t file_rows, file_errors, file_skipped_before;
    const char *file_skip;   /* a page that is not an article, by its name:
                                skipped before it is read (static) */
    /* archives: the members read and those passed over by their name */
    size_t members_read, members_passed;
    char *passed_name;       /* the first member passed over */
    const char *passed_reason;
    /* input buffer: detection fills it without consuming it */
    char *in;
    size_t in_pos, in_len, in_cap;
    int in_eof;
    /* per-format state (WXR), freed when the file ends */
    void *state;
    void (*state_free)(void *state);
    eaf__buf err;
    eaf__buf line_buf;       /* line-oriented formats: the current line */
};

/* Records a message "name:line: text" (line 0: "name: text"). */
void eaf__reader_error(eaf_reader *r, unsigned long line, const char *fmt, ...)
    EAF__PRINTF(3, 4);

/* Records a record skipped as not an article, and why ("post_type
 * attachment"). */
void eaf__reader_skip(eaf_reader *r, const char *fmt, ...) EAF__PRINTF(2, 3);

/* Reads up to n bytes of the current file; returns the count, 0 at the
 * end, -1 on a read error (message recorded, r->io_error set). */
ssize_t eaf__reader_read(eaf_reader *r, char *buf, size_t n);

/* Reads the rest of the current file into memory (at most
 * EAF__READER_MAX_FILE bytes), NUL-terminated.  Returns EAF_OK, EAF_NOMEM,
 * EAF_IO (message recorded) or EAF_SYNTAX when the file is too large. */
eaf_status eaf__reader_slurp(eaf_reader *r, char **data, size_t *len);

/* Reads one line (without its newline) into r->line_buf and counts it;
 * returns 1, 0 at the end, -1 on a read error, -2 when out of memory
 * (message recorded). */
int eaf__reader_getline(eaf_reader *r);

/* Whether name (a file or member name) has an extension of a file that
 * holds articles, or of an archive; see eaf_reader_wants(). */
int eaf__reader_name_kind(const char *name);

/* Format detection from the first bytes, with the name as a hint; returns
 * EAF_FORMAT_AUTO when nothing fits. */
eaf_format eaf__reader_detect(const char *head, size_t n, const char *name);

/* Why a file with this path is a page that is not an article (a Hugo
 * list page, a WordPress comment page, a feed), or NULL; the part of
 * eaf_reader_ignore_reason() that also holds for a file named directly. */
const char *eaf__reader_page_kind(const char *path);

/* Why a page with this URL (its canonical link) is a WordPress comment
 * page (.../comment-page-2/, ?replytocom=12), or NULL. */
const char *eaf__reader_comment_url(const char *url);

/* import_page.c: an article page saved as Markdown text; one article. */
eaf_status eaf__page_next(eaf_reader *r, eaf_article **out);
/* import_jsonl.c: JSON Lines, one article per line. */
eaf_status eaf__jsonl_next(eaf_reader *r, eaf_article **out);
/* import_html.c: an HTML article page; one article. */
eaf_status eaf__html_next(eaf_reader *r, eaf_article **out);
/* import_markdown.c: Markdown with YAML front matter; one article. */
eaf_status eaf__markdown_next(eaf_reader *r, eaf_article **out);
/* import_wxr.c: a WordPress export, streamed; one article per post. */
eaf_status eaf__wxr_next(eaf_reader *r, eaf_article **out);

/* ---- import_html.c: HTML to plain text, for the other readers ----------- */
/* The plain text of an HTML fragment (a WordPress post's content), in
 * paragraphs separated by blank lines.  With autop, blank lines in the
 * text separate paragraphs and single newlines break lines, as WordPress
 * shows classic-editor content.  Comments, scripts, styles and the like
 * give no text.  Returns EAF_OK or EAF_NOMEM; *out is "" for no text. */
eaf_status eaf__html_fragment_text(const char *html, size_t n, int autop, char **out);

/* Makes sure libxml2 is initialised, once per process (thread-safe). */
void eaf__xml_init(void);

/* ---- charset.c ------------------------------------------------------------ */
/* The character set an HTML page declares (BOM, <meta charset>,
 * http-equiv Content-Type) in its first bytes, lower-cased, in out
 * (at least 40 bytes); "" when it declares none. */
void eaf__charset_sniff_html(const char *s, size_t n, char out[40]);
/* Whether the label names windows-1252 or one of its subsets that HTML
 * treats as windows-1252 (iso-8859-1, latin1, us-ascii, ...). */
int eaf__charset_is_1252(const char *label);
/* Whether the label names UTF-8. */
int eaf__charset_is_utf8(const char *label);
/* s[0..n) decoded from windows-1252 into UTF-8; NULL when out of memory. */
char *eaf__charset_1252_to_utf8(const char *s, size_t n, size_t *len_out);
/* Whether s[0..n) is valid UTF-8 (without NUL bytes). */
int eaf__utf8_valid(const char *s, size_t n);

/* ---- archive.c: tar, zip and compressed files through libarchive -------- */
/* Whether the first bytes are those of an archive or a compressed file;
 * returns EAF_FORMAT_TAR, _ZIP, _GZIP (any compressed stream) or AUTO. */
eaf_format eaf__archive_sniff(const unsigned char *head, size_t n);
/* Opens r's input as an archive: the file at path, or r->mem when path is
 * NULL.  size is the input's size on disk (for the decompression limit).
 * Returns EAF_OK, EAF_NOMEM or EAF_IO (message in *errmsg_out). */
eaf_status eaf__archive_open(eaf__archive **out, const char *path,
                             const char *mem, size_t mem_len, int64_t size,
                             char **errmsg_out);
/* Moves to the next member that is a regular file: EAF_ROW with *name
 * (borrowed until the next call), EAF_DONE after the last, EAF_IO when the
 * archive cannot be read on (message recorded on r). */
eaf_status eaf__archive_next(eaf__archive *a, eaf_reader *r, const char **name);
/* Whether the archive is one compressed file (".gz") rather than a tar or
 * zip. */
int eaf__archive_is_single(const eaf__archive *a);
/* TAR, ZIP or GZIP (one compressed file) once the first member was
 * read; AUTO before. */
eaf_format eaf__archive_kind(const eaf__archive *a);
/* Reads the current member; as eaf__reader_read(). */
ssize_t eaf__archive_read(eaf__archive *a, eaf_reader *r, char *buf, size_t n);
/* What an archive without a single file is ("an empty zip archive");
 * static. */
const char *eaf__archive_empty_reason(const eaf__archive *a);
void eaf__archive_free(eaf__archive *a);

/* The limits against decompression bombs: an archive may give out at most
 * EAF__ARCHIVE_MAX_RATIO times its own size, once it has given more than
 * EAF__ARCHIVE_RATIO_FLOOR bytes; and never more than EAF__ARCHIVE_MAX_TOTAL. */
#define EAF__ARCHIVE_MAX_RATIO 100
#define EAF__ARCHIVE_RATIO_FLOOR (1u << 20)
#define EAF__ARCHIVE_MAX_TOTAL ((int64_t)16 << 30)

#endif /* EAF_READER_H */
