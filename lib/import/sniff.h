/*
 * sniff.h: telling formats apart from the first bytes of a file.
 *
 * Detection is a list of rules, tried in the order of their rank; the
 * first that fits decides.  Each format's sniffing function (format.h)
 * answers for that format alone with the lowest rank of a rule that
 * claims the file for it, or EAF__SNIFF_NO; the dispatcher takes the
 * lowest answer.  Every rule names one format for a given file, so the
 * answer does not depend on the order of the table.
 */
#ifndef EAF_IMPORT_SNIFF_H
#define EAF_IMPORT_SNIFF_H

#include "eaf-private.h"

/* How much of a file format detection looks at. */
#define EAF__READER_DETECT_BYTES 65536

typedef struct eaf__sniff {
    const char *head;        /* the first bytes of the file */
    size_t n;
    const char *name;        /* its name, as a hint */
    size_t start;            /* past a UTF-8 byte-order mark */
    size_t text;             /* past that and white space */
} eaf__sniff;

/* The rules, by rank. */
enum {
    EAF__SNIFF_NO = 0,
    EAF__SNIFF_FRONT_MATTER,  /* "---" or "+++" alone on the first line */
    EAF__SNIFF_JSON,          /* a JSON object: JSON Lines or JSON front matter */
    EAF__SNIFF_MARKUP,        /* markup: a feed, a WordPress export, HTML */
    EAF__SNIFF_NAME,          /* a name that only one format has */
    EAF__SNIFF_TITLE,         /* Markdown that opens with its title */
    EAF__SNIFF_SECTIONS,      /* a "## " heading at the start of a line */
    EAF__SNIFF_EXTENSION      /* the extension, when nothing else told */
};

/* Whether the first bytes are those of an archive or a compressed file:
 * EAF_ARCHIVE_TAR, _ZIP, _GZIP (any compressed stream) or _NONE.  Needs no
 * library, so that a build without libarchive still tells an archive. */
eaf_archive_kind eaf__sniff_archive(const unsigned char *head, size_t n);

/* Sets up s for the first n bytes at head of a file called name. */
void eaf__sniff_init(eaf__sniff *s, const char *head, size_t n, const char *name);

/* Whether name ends with suffix, ASCII case ignored. */
int eaf__sniff_suffix(const char *name, const char *suffix);
/* Whether the name ends with one of the NULL-terminated suffixes. */
int eaf__sniff_named(const eaf__sniff *s, const char *const *suffixes);

/* The rules that look at the content. */
int eaf__sniff_front_matter(const eaf__sniff *s);
/* A JSON object opens the text: JSON Lines or JSON front matter, which
 * eaf__sniff_json_or_front() tells apart (EAF_FORMAT_JSONL or
 * EAF_FORMAT_MARKDOWN). */
int eaf__sniff_json_object(const eaf__sniff *s);
eaf_format eaf__sniff_json_or_front(const eaf__sniff *s);
/* Markup opens the text: EAF_FORMAT_WXR (a feed or WordPress export),
 * EAF_FORMAT_HTML, or EAF_FORMAT_AUTO for neither. */
eaf_format eaf__sniff_markup(const eaf__sniff *s);
int eaf__sniff_title(const eaf__sniff *s);
int eaf__sniff_sections(const eaf__sniff *s);

#endif /* EAF_IMPORT_SNIFF_H */
