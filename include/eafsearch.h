/*
 * eafsearch.h: the public interface of libeafsearch.
 *
 * libeafsearch indexes articles (a title, a date, authors with their
 * affiliations, topics, countries, a body, an author bio) into one SQLite
 * file with a full-text index (FTS5), and searches them with a query
 * language made for a search box.  This header is the whole contract: what
 * it does not declare is private to the library and may change.  The man
 * page libeafsearch(3) is an overview; eafsearch-query(7) is the query
 * language.
 *
 * Conventions
 * -----------
 * - Functions that can fail return an eaf_status; EAF_OK (zero) is success.
 *   The doc comment of each function lists the specific codes it returns;
 *   any function that touches the database may also return EAF_NOMEM,
 *   EAF_IO, EAF_BUSY, EAF_CORRUPT or EAF_ERROR.
 * - After a failure on a database handle, eaf_db_errmsg() returns a one-line
 *   message.  The handle owns it and the next call on the handle may
 *   replace it.
 * - An object returned through an `out` parameter belongs to the caller, who
 *   releases it with the matching _free() or _close() function.  Every
 *   constructor sets *out, to NULL on failure.  Destructors accept NULL.
 * - A `const char *` return value is borrowed: its doc comment says how
 *   long it stays valid.  Memory the library gives to the caller as plain
 *   bytes (error messages) is released with eaf_free().
 * - A NULL handle where one is required gives EAF_MISUSE (or NULL from an
 *   accessor); compilers that know `nonnull` warn about it at build time.
 * - Options and statistics structs (eaf_open_options, eaf_search_options,
 *   eaf_related_options, eaf_related_stats, eaf_reader_options,
 *   eaf_export_options) begin with `unsigned version`; initialise each
 *   with its _INIT macro, which sets the version of this header, then set
 *   the members you need.  Every struct is at version 1 in 1.0; members
 *   are only ever appended, each time with a new version.  A program built
 *   against an older header keeps working with a newer library: the
 *   library reads no further than the program's version, and the members
 *   the program does not know keep their defaults (a statistics struct is
 *   written no further than its version).  A version of 0, or one newer
 *   than the library's, gives EAF_MISUSE and a message naming the struct.
 * - Every call that takes a callback (walks, the related build, the key
 *   and problem callbacks) stops when the callback returns non-zero, and
 *   returns EAF_ABORT; what the call had finished is kept.
 * - Text is UTF-8.  Invalid byte sequences in input are replaced by U+FFFD;
 *   they never stop indexing.
 *
 * Threading and caveats
 * ---------------------
 * - The library keeps no global mutable state; it may be used from any
 *   number of threads at once, each thread with its own eaf_db handle.
 *   SQLite's settings for the whole process (statement journals that go to
 *   a file go there from the start; SQLite does not count its memory, so
 *   sqlite3_memory_used() and a soft heap limit say nothing) are made once
 *   before the first handle opens, and only if the program has not started
 *   SQLite itself by then (nothing fails either way); a program that starts
 *   SQLite on another thread should call sqlite3_initialize() before its
 *   first eaf_db_open(), and one that needs SQLite's count of its memory
 *   should start SQLite before it.
 * - An eaf_db handle, and every eaf_search and eaf_article obtained from
 *   it, must be used by one thread at a time.  Handing a handle from one
 *   thread to another between calls is allowed.
 * - Several handles (in one process or in several) may open the same index
 *   file.  Readers never block the writer and see the state of the last
 *   commit (SQLite WAL).  Only one handle writes at a time: a second
 *   writer waits up to the busy timeout, then gets EAF_BUSY.
 * - A search reads one state of the index from eaf_search_new() to
 *   eaf_search_free(): its hits, its total, its facets and the articles
 *   read through it (or with eaf_db_get() on its handle meanwhile) agree
 *   with each other, whatever other handles commit.  A write on the same
 *   handle while searches are open ends that: they then see the handle's
 *   own writes.  Free searches when done: while one is open, the index's
 *   write-ahead log cannot be folded back past the state it reads.  The
 *   same holds for a related list (eaf_related_new() to
 *   eaf_related_free(): its articles and their explanations) and for a
 *   walk of eaf_related_each(); searches and lists open together on a
 *   handle share one state.
 * - tests/concurrency/ checks these rules: reader threads, one handle
 *   each, search while another process writes.
 * - A handle closed while searches or related lists of it are open stays
 *   open for them: they read on, and the last of them freed closes it
 *   (see eaf_db_close()).
 * - eaf_related_build() and eaf_related_refresh() score on threads of their
 *   own (one per processor, at most 4; the environment variable
 *   EAF_RELATED_THREADS sets how many), which only read the model the call
 *   holds in memory and never touch the handle; the progress callback is
 *   called on the calling thread.
 * - The index file must not be opened by other programs that write to it
 *   without this library's tokenizer loaded.  The `sqlite3` shell may read
 *   it after `.load` of the eafsearch SQLite extension (see README).
 */
#ifndef EAFSEARCH_H
#define EAFSEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "eafsearch-version.h"

/* --------------------------------------------------------------------------
 * Portability macros
 */
#ifdef __cplusplus
#  define EAF_BEGIN_DECLS extern "C" {
#  define EAF_END_DECLS   }
#else
#  define EAF_BEGIN_DECLS
#  define EAF_END_DECLS
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define EAF_API           __attribute__((visibility("default")))
#  define EAF_WARN_UNUSED   __attribute__((warn_unused_result))
/* The library itself is built without nonnull, so that its own checks
 * (EAF_MISUSE for a NULL handle) are not optimised away. */
#  ifdef EAF_BUILDING_LIBRARY
#    define EAF_NONNULL(...)
#  else
#    define EAF_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#  endif
#  define EAF_DEPRECATED(major, minor) \
       __attribute__((deprecated("deprecated since libeafsearch " #major "." #minor)))
#else
#  define EAF_API
#  define EAF_WARN_UNUSED
#  define EAF_NONNULL(...)
#  define EAF_DEPRECATED(major, minor)
#endif

EAF_BEGIN_DECLS

/* --------------------------------------------------------------------------
 * Status codes, version, memory
 */

/** The result of a call.  Zero is success; every other value is positive. */
typedef enum eaf_status {
    EAF_OK = 0,     /**< success */
    EAF_ERROR,      /**< a failure with no more specific code; see the message */
    EAF_NOMEM,      /**< out of memory */
    EAF_IO,         /**< a file could not be read or written */
    EAF_BUSY,       /**< the index is locked by another writer (timeout passed) */
    EAF_CORRUPT,    /**< the file is damaged or is not a database */
    EAF_READONLY,   /**< a write on a handle or file opened read-only */
    EAF_NOTFOUND,   /**< no such article, file or index */
    EAF_EXISTS,     /**< the object already exists */
    EAF_SYNTAX,     /**< malformed input: a date, a query in strict mode, a record */
    EAF_MISUSE,     /**< the API was called wrongly (NULL handle, wrong state) */
    EAF_SCHEMA,     /**< the index has another schema or tokenizer configuration */
    EAF_ROW,        /**< a cursor has a row ready (not an error) */
    EAF_DONE,       /**< a cursor is exhausted (not an error) */
    EAF_INTERRUPTED, /**< eaf_db_interrupt() stopped the call; what it was
                          writing is rolled back.  @since 0.1 */
    EAF_ABORT,      /**< a callback asked to stop (returned non-zero); what
                         the call had finished is kept.  @since 1.0 */
    EAF_TIMEOUT,    /**< the call ran past the handle's time limit
                         (eaf_db_set_time_limit()); what it was writing is
                         rolled back.  @since 1.1 */
    EAF_STATUS_LAST /**< the number of codes; not a status */
} eaf_status;

/**
 * A fixed English name and description of a status code, such as
 * "EAF_NOTFOUND: not found".  Never NULL; an unknown code gives
 * "unknown status".  The string is static.
 * @since 0.1
 */
EAF_API const char *eaf_status_str(eaf_status st);

/**
 * The version of the library loaded at run time, "major.minor.patch".
 * Compare with EAF_VERSION_STRING to check that header and library agree.
 * The string is static.
 * @since 0.1
 */
EAF_API const char *eaf_version(void);

/**
 * The run-time version as a number, in the form of EAF_VERSION_NUMBER.
 * @since 0.1
 */
EAF_API int eaf_version_number(void);

/**
 * Releases memory that the library handed to the caller as plain bytes
 * (error messages from eaf_db_open() and eaf_reader_open()).  NULL is a
 * no-op.  Never pass memory from malloc() or from another library.
 * @since 0.1
 */
EAF_API void eaf_free(void *p);

/**
 * The stemming languages an index can be created with (the Snowball
 * algorithms that libstemmer provides: "english", "french", ...), as a
 * NULL-terminated array.  "none" is also accepted and turns stemming off.
 * The array is static; thread-safe.
 * @since 0.1
 */
EAF_API const char *const *eaf_languages(void);

/** Length value meaning "the string is NUL-terminated". */
#define EAF_NTS ((size_t)-1)

/* --------------------------------------------------------------------------
 * Articles
 *
 * An eaf_article is a value: a key (unique in an index), a url, a title, a
 * date, authors (each a name and an optional affiliation), topics,
 * countries and other tags, a summary, a body, an author bio, a language,
 * and the titles the site itself lists as related posts.  It is built with
 * the setters below, stored with eaf_db_put(), read back with eaf_db_get().
 */

typedef struct eaf_article eaf_article;

/** The text fields of an article. */
typedef enum eaf_field {
    EAF_FIELD_KEY = 0,  /**< unique key: the URL when known, else a path-like slug */
    EAF_FIELD_URL,      /**< canonical URL, may be unset */
    EAF_FIELD_TITLE,    /**< title, plain text */
    EAF_FIELD_DATE,     /**< publication date, "YYYY", "YYYY-MM" or "YYYY-MM-DD" */
    EAF_FIELD_SUMMARY,  /**< short summary or excerpt */
    EAF_FIELD_BODY,     /**< body, plain text, paragraphs separated by blank lines */
    EAF_FIELD_BIO,      /**< the author bio printed under the article */
    EAF_FIELD_LANGUAGE, /**< language code of the text, e.g. "en"; informative only */
    EAF_FIELD_LAST      /**< the number of fields; not a field */
} eaf_field;

/** The kinds of tags an article carries. */
typedef enum eaf_tag_kind {
    EAF_TAG_TOPIC = 0,  /**< a topic or section: "Trade", "Security" */
    EAF_TAG_COUNTRY,    /**< a country or region the article is about */
    EAF_TAG_OTHER,      /**< any other tag */
    EAF_TAG_LAST        /**< the number of kinds; not a kind */
} eaf_tag_kind;

/**
 * Creates an empty article.
 * @param[out] out  the new article; the caller frees it with eaf_article_free()
 * @retval EAF_OK, EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_article_new(eaf_article **out);

/**
 * Frees an article and every string it holds.  NULL is a no-op.
 * @since 0.1
 */
EAF_API void eaf_article_free(eaf_article *a);

/**
 * Sets one text field, replacing its value.
 * @param[in] a      the article
 * @param[in] field  which field
 * @param[in] value  the text, UTF-8 (invalid sequences become U+FFFD);
 *                   NULL unsets the field
 * @param[in] len    its length in bytes, or EAF_NTS if NUL-terminated
 * The date accepts "YYYY", "YYYY-MM", "YYYY-MM-DD" and ISO 8601 date-times,
 * whose time part is dropped.  The key may not be empty.
 * @retval EAF_OK
 * @retval EAF_SYNTAX  a date that is not one of the accepted forms, or an empty key
 * @retval EAF_MISUSE  a field out of range
 * @retval EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_article_set(eaf_article *a, eaf_field field,
                           const char *value, size_t len);

/**
 * The value of a text field, or NULL when the field is unset.
 * Borrowed: valid until the field is set again or the article is freed.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_article_get(const eaf_article *a, eaf_field field);

/**
 * Appends an author.
 * @param[in] name         the author's name, not empty
 * @param[in] affiliation  the author's affiliation, or NULL
 * @retval EAF_OK, EAF_NOMEM
 * @retval EAF_SYNTAX  an empty name
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_article_add_author(eaf_article *a, const char *name,
                                  const char *affiliation);

/** The number of authors.  @since 0.1 */
EAF_API EAF_NONNULL(1)
size_t eaf_article_author_count(const eaf_article *a);

/**
 * The name of author i (0-based), or NULL when i is out of range.
 * Borrowed: valid until the article is changed or freed.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_article_author_name(const eaf_article *a, size_t i);

/**
 * The affiliation of author i, or NULL when the author has none or i is
 * out of range.  Borrowed like eaf_article_author_name().
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_article_author_affiliation(const eaf_article *a, size_t i);

/**
 * Appends a tag of one kind.  A value equal to one already present in that
 * kind, ignoring case and accents, is not added twice.
 * @retval EAF_OK, EAF_NOMEM
 * @retval EAF_SYNTAX  an empty value
 * @retval EAF_MISUSE  a kind out of range
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 3)
eaf_status eaf_article_add_tag(eaf_article *a, eaf_tag_kind kind,
                               const char *value);

/** The number of tags of one kind (0 for a kind out of range).  @since 0.1 */
EAF_API EAF_NONNULL(1)
size_t eaf_article_tag_count(const eaf_article *a, eaf_tag_kind kind);

/**
 * Tag i of one kind, or NULL when out of range.  Borrowed: valid until the
 * article is changed or freed.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_article_tag(const eaf_article *a, eaf_tag_kind kind, size_t i);

/**
 * Appends a title from the site's own "related posts" list.
 * @retval EAF_OK, EAF_NOMEM
 * @retval EAF_SYNTAX  an empty title
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_article_add_related_title(eaf_article *a, const char *title);

/** The number of the site's related titles.  @since 0.1 */
EAF_API EAF_NONNULL(1)
size_t eaf_article_related_title_count(const eaf_article *a);

/**
 * Related title i, or NULL when out of range.  Borrowed like
 * eaf_article_tag().
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_article_related_title(const eaf_article *a, size_t i);

/* --------------------------------------------------------------------------
 * Index databases
 */

typedef struct eaf_db eaf_db;

/** Open the index read-only: every write returns EAF_READONLY. */
#define EAF_OPEN_READONLY 0x1u
/** Create the index when the file does not exist (ignored with READONLY). */
#define EAF_OPEN_CREATE   0x2u
/**
 * Be the index's only writer for as long as the handle is open, as a
 * program that indexes many files over many transactions must be: the
 * open takes the index's writer lock (an advisory lock on the file
 * PATH-lock, made beside the index and left there), waiting up to
 * busy_timeout_ms for another handle that holds it, in this process or
 * another, and fails with EAF_BUSY after that.  Handles opened without
 * this flag do not take the lock (SQLite still lets one of them write at
 * a time, a transaction at a time).  Where PATH-lock cannot be made (a
 * folder the writer may not add files to), none is taken.  Ignored with
 * READONLY.  @since 0.1
 */
#define EAF_OPEN_LOCK     0x4u

/**
 * Options for eaf_db_open().  Initialise with EAF_OPEN_OPTIONS_INIT, then
 * set the fields you need (see Conventions on versions).
 */
typedef struct eaf_open_options {
    unsigned version;        /**< EAF_OPEN_OPTIONS_VERSION */
    unsigned flags;          /**< EAF_OPEN_READONLY, EAF_OPEN_CREATE,
                                  EAF_OPEN_LOCK */
    const char *language;    /**< stemming language of a new index (NULL:
                                  "english"); for an existing index, NULL or
                                  the index's own language */
    int busy_timeout_ms;     /**< how long a writer waits for another's lock;
                                  0 means the default (5000), negative none */
} eaf_open_options;

#define EAF_OPEN_OPTIONS_VERSION 1
#define EAF_OPEN_OPTIONS_INIT { EAF_OPEN_OPTIONS_VERSION, 0, NULL, 0 }

/**
 * Opens (and with EAF_OPEN_CREATE, creates) an index file.
 *
 * An existing file is checked: it must be a libeafsearch index of the
 * tokenizer configuration this library writes, and of its schema version
 * or an older one; anything else is refused, never silently mis-queried.
 * An index of an older schema is upgraded when opened read-write (in one
 * transaction), and read as it is when opened read-only.  A new index
 * records its language, which every later open uses for queries.
 *
 * Users who may only read.  An index is written in SQLite's WAL mode,
 * whose readers need the files PATH-wal and PATH-shm beside it: a
 * read-write handle leaves them there when it closes (empty of changes),
 * so that a user who may not create files in the folder (a web server's
 * user, an index built by another user) can open the index read-only.
 * When they are missing in a folder the reader cannot write (a copy of
 * the index alone on a read-only mount), the read-only handle reads the
 * file as immutable: nothing may write it while the handle is open.
 *
 * @param[out] out         the handle; NULL on failure.  Close it with
 *                         eaf_db_close().
 * @param[in]  path        the index file
 * @param[in]  opts        options, or NULL for the defaults (read-write, no create)
 * @param[out] errmsg_out  if not NULL, receives a message on failure that
 *                         the caller frees with eaf_free(), or NULL on success
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no file at path and EAF_OPEN_CREATE not given
 * @retval EAF_SCHEMA    the file is an SQLite database but not an index of
 *                       this library, or one of another schema version or
 *                       tokenizer configuration
 * @retval EAF_CORRUPT   the file is not an SQLite database, or is damaged
 * @retval EAF_MISUSE    an unknown language, a language other than the
 *                       index's own, or bad options
 * @retval EAF_BUSY      with EAF_OPEN_LOCK: another handle holds the
 *                       writer lock
 * @retval EAF_IO, EAF_NOMEM, EAF_READONLY
 * Thread notes: the handle is for one thread at a time (see above).
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_open(eaf_db **out, const char *path,
                       const eaf_open_options *opts, char **errmsg_out);

/**
 * Closes a handle.  An open transaction is rolled back.  NULL is a no-op.
 * The caller must not use db after this call, whatever it returns.
 *
 * When searches (eaf_search) or related lists (eaf_related) of the handle
 * are still open, the close is deferred, as sqlite3_close_v2() does: they
 * stay usable, and the handle (its file, its transaction, its writer
 * lock) is closed when the last of them is freed.  A handle is never left
 * open once all its objects are freed.
 * @retval EAF_OK  the handle is closed, or will be when its last open
 *                 search or list is freed (always: since 1.0 a close with
 *                 open searches no longer fails with EAF_MISUSE)
 * @since 0.1
 */
EAF_API eaf_status eaf_db_close(eaf_db *db);

/**
 * Asks the call running on db to stop soon: it returns EAF_INTERRUPTED,
 * and what it was writing is rolled back (what was committed before
 * stays).  For calls that run long with no callback to stop them, such
 * as eaf_db_optimize() or a commit of a large transaction.  It may be
 * called from another thread or from a signal handler (it only sets a
 * flag), but never while db is being closed or after.  A call that starts
 * after the one it stopped has ended runs as usual.
 * @since 0.1
 */
EAF_API void eaf_db_interrupt(eaf_db *db);

/**
 * Limits how long each later call on db may run: a call (a search's
 * start, a step through its hits, a list of related articles, a write
 * ...) still running ms milliseconds after it began stops and returns
 * EAF_TIMEOUT, and what it was writing is rolled back.  The limit is
 * checked by SQLite's progress handler, between the steps of the
 * statements the call runs, so work a call does outside SQLite (making a
 * snippet of text already read, say) may overrun it a little.  For a
 * server, so that a runaway query gets a clear error rather than holding
 * a thread.  0 (the default) removes the limit.
 * @retval EAF_OK
 * @retval EAF_MISUSE  a NULL db
 * Thread notes: as every call on the handle (one thread at a time).
 * @since 1.1
 */
EAF_API eaf_status eaf_db_set_time_limit(eaf_db *db, unsigned ms);

/**
 * The index's generation: a number that changes whenever a write through
 * this library (1.1 or later) commits a change to the index, from any
 * handle or process, and otherwise stays the same; handles on the same
 * file, and copies of it (eafindex --snapshot, a file copied whole), read
 * the same number.  For caches: a web server's ETag, a program that
 * wants to know whether to read again.  A new index starts at 0, as does
 * an index last written by libeafsearch 1.0, whose writes are not counted.
 * @param[out] out  the generation
 * @param[in]  db   the handle
 * @retval EAF_OK, EAF_BUSY, EAF_IO, EAF_CORRUPT
 * @since 1.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_generation(uint64_t *out, eaf_db *db);

/**
 * Writes a snapshot of the index to path: a copy of the index as one
 * commit left it, without the file's free pages, for replicas that serve
 * it (eafindex --snapshot).  It is safe while another handle or process
 * writes: the copy (SQLite's online backup) holds a read transaction on
 * the index, which in the index's WAL mode never blocks a writer; a
 * source in rollback-journal mode is copied in steps that let a writer
 * commit between them, and the copy starts again when it does.  The copy
 * is written to a temporary file in path's folder, synced, and renamed
 * over path, so that a program reading path sees the old file or the
 * new one whole, never part of one (eafserve serves the new one from its
 * next request).  The snapshot is in rollback-journal mode, with no log
 * beside it, and reads the same generation (eaf_db_generation()) as the
 * index did when it was copied; it opens, read-only or read-write, as any
 * index.  A path with a write-ahead log beside it (PATH-wal: an index in
 * WAL mode that a writer may have open) is refused, as is the handle's
 * own file.  On failure nothing is left in the folder and path is as it
 * was.
 *
 * Of a shard set (a handle eaf_db_open() made of its folder; since
 * 1.3.1), the snapshot is a folder: each shard copied as above into a new
 * folder beside path, with the manifest, which then takes path's name.
 * A path that is a set's snapshot already is exchanged with it in one
 * step (renameat2 RENAME_EXCHANGE on Linux; elsewhere renamed aside
 * first) and removed.  Its generation is the sum of the shards', as
 * eaf_db_generation() reads a set's.  Each shard is copied as one commit
 * left it, not all at one instant.  A path that is a file, or a folder
 * holding anything but a set's files or a set in write-ahead-log mode
 * (one a writer may use), is refused; so is a writer of one shard
 * (eaf_db_open_shard()).
 * @param[out] generation_out  if not NULL, the snapshot's generation
 * @param[in]  db              the handle, read-only or read-write
 * @param[in]  path            where to write the snapshot
 * @retval EAF_OK
 * @retval EAF_IO      path's folder is missing or not writable, path is a
 *                     folder or has a log beside it, or the disk is full;
 *                     eaf_db_errmsg() names path
 * @retval EAF_MISUSE  a NULL db or path, path is the handle's own file
 *                     (or set), a transaction is open on the handle, or
 *                     db writes one shard of a set
 * @retval EAF_BUSY, EAF_NOMEM, EAF_CORRUPT
 * Thread notes: as every call on the handle (one thread at a time).
 * @since 1.2
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2, 3)
eaf_status eaf_db_snapshot(uint64_t *generation_out, eaf_db *db, const char *path);

/** What a completion (eaf_db_complete()) completes.  @since 1.1 */
typedef enum eaf_completion_kind {
    EAF_COMPLETE_WORDS = 0, /**< the text typed, its last word completed */
    EAF_COMPLETE_TITLE = 1  /**< the title of an article */
} eaf_completion_kind;

/**
 * Receives one completion of eaf_db_complete(): its text (UTF-8), its
 * kind, for EAF_COMPLETE_WORDS a count (see eaf_db_complete()) and for
 * EAF_COMPLETE_TITLE the article's key (NULL otherwise).  The strings are
 * borrowed for the call.  Returns 0 to go on, non-zero to stop
 * (eaf_db_complete() then returns EAF_ABORT).
 * @since 1.1
 */
typedef int (*eaf_complete_fn)(const char *text, eaf_completion_kind kind,
                               int64_t count, const char *key, void *payload);

/**
 * Completions of the text typed so far into a search box, best first, at
 * most max of them (0 means 10; at most 100):
 * - EAF_COMPLETE_WORDS: the typed text with its last word (when it is not
 *   followed by a space, and has 2 characters or more) completed to a
 *   word of the titles that have the other typed words; count is the
 *   number of those titles with that word, and the words come most
 *   frequent first, ties in alphabetical order; at most half of max of
 *   them, when titles follow.  The titles counted are those of the 500
 *   best articles with any of the typed words in their titles.
 * - EAF_COMPLETE_TITLE: the titles of the articles whose titles have all
 *   the typed words (the last as a prefix, as above), best match first;
 *   key is the article's key.
 * Words are matched as a search matches them (case, accents and, except
 * for the prefix, endings ignored).  A text with no word gives none.
 * @param[in] db       the handle
 * @param[in] typed    the text typed, UTF-8
 * @param[in] max      the most completions
 * @param[in] fn       called once per completion
 * @param[in] payload  passed to fn
 * @retval EAF_OK
 * @retval EAF_ABORT   fn returned non-zero
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT, EAF_TIMEOUT
 * @since 1.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2, 4)
eaf_status eaf_db_complete(eaf_db *db, const char *typed, unsigned max,
                           eaf_complete_fn fn, void *payload);

/**
 * The message of the most recent failed call on the handle, or "" when
 * the last call succeeded.  One line, no trailing newline.  Borrowed: valid
 * until the next call on the handle.  NULL gives a static message.
 * @since 1.0 (eaf_errmsg() before)
 */
EAF_API const char *eaf_db_errmsg(const eaf_db *db);

/**
 * For a failed query in strict mode, the byte offset of the problem in the
 * query text; -1 otherwise.
 * @since 1.0 (eaf_error_offset() before)
 */
EAF_API int eaf_db_error_offset(const eaf_db *db);

/**
 * The stemming language of the index ("english", ..., or "none").
 * Borrowed: valid until the handle is closed.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_db_language(const eaf_db *db);

/**
 * Starts a transaction.  Puts and deletes inside it become visible to
 * other handles together, at eaf_db_commit(); a crash before the commit
 * loses all of them and nothing else.  Without a transaction each put or
 * delete commits on its own (much slower for many articles: the full-text
 * index takes the new articles of a transaction in one step, at its
 * commit).  A search on the same handle inside the transaction sees its
 * puts and deletes.
 * @retval EAF_OK
 * @retval EAF_MISUSE    a transaction is already open
 * @retval EAF_READONLY  the handle is read-only
 * @retval EAF_BUSY      another writer holds the lock past the timeout
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_db_begin(eaf_db *db);

/**
 * Commits the open transaction.
 * @retval EAF_OK
 * @retval EAF_MISUSE  no transaction is open
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM
 * On failure the transaction is rolled back.
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_db_commit(eaf_db *db);

/**
 * Rolls back the open transaction.
 * @retval EAF_OK
 * @retval EAF_MISUSE  no transaction is open
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
eaf_status eaf_db_rollback(eaf_db *db);

/** What eaf_db_put() did. */
typedef enum eaf_change {
    EAF_CHANGE_NONE = 0,  /**< the same article was already stored: nothing written */
    EAF_CHANGE_ADDED,     /**< a new key */
    EAF_CHANGE_UPDATED,   /**< an existing key with different content, replaced */
    EAF_CHANGE_CONFLICT,  /**< (while a file is being indexed) another file,
                               which still exists, already gives an article
                               with this key: its version is kept and nothing
                               is written; eaf_db_put_conflict() names it.
                               @since 0.1 */
    EAF_CHANGE_ELSEWHERE  /**< (a shard opened with eaf_db_open_shard()) the
                               key belongs to another shard of the set:
                               nothing written.  @since 1.3 */
} eaf_change;

/**
 * Stores an article: inserts it, or replaces the article with the same key.
 * An article identical to the stored one (same content hash) is not
 * written again.  Either the whole article is stored or nothing is.
 *
 * While a file is being indexed (eaf_db_source_begin()), the article is
 * recorded as given by that file.  When another file already gives the
 * key, the first file keeps the article (*out is EAF_CHANGE_CONFLICT) and
 * the key counts as given by both: the article stays while either file
 * gives it, and when the file whose version is stored no longer does, the
 * other file's version replaces it the next time that file is read (it
 * is marked changed).  A key given twice by one file is stored twice, the
 * last one winning.  In both cases eaf_db_put_conflict() names the file.
 * @param[out] out  if not NULL, receives what was done
 * @param[in]  db   the handle
 * @param[in]  a    the article; it must have a key.  The caller keeps it.
 * @retval EAF_OK
 * @retval EAF_MISUSE    the article has no key
 * @retval EAF_READONLY  the handle is read-only
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2, 3)
eaf_status eaf_db_put(eaf_change *out, eaf_db *db, const eaf_article *a);

/**
 * After eaf_db_put() while a file is being indexed: the file (its path as
 * recorded) that also gives the article's key, when there is one: another
 * file (the put returned EAF_CHANGE_CONFLICT), or the file being indexed
 * itself when it gave the key before in this reading.  NULL otherwise.
 * Borrowed: valid until the next call on db.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_db_put_conflict(const eaf_db *db);

/**
 * Tokenizing articles ahead, on another thread.
 *
 * Storing an article tokenizes its title, summary, body and bio for the
 * full-text index, a large part of the work of eaf_db_put() (measured in
 * libeafsearch(3)).  A program that reads articles on one
 * thread and stores them on another can tokenize on the reading one: it
 * makes an eaf_prep for the index with eaf_prep_new() (on the thread
 * that uses db), and the reading thread calls eaf_prep_article() on each
 * article before passing it on.  eaf_db_put() then takes the tokens from
 * the article and the index uses them rather than tokenizing again.
 * The tokens are used only for the very text they were made from: a text
 * changed since is tokenized as usual, and so is an article put in
 * another index, or not prepared at all, so the index is the same either
 * way.  The tokens and a copy of the text take about 2.5 times the
 * memory of the text, held by the article and then by db until the
 * articles are in the full-text index (at the commit of a transaction; at
 * most 64 MB, the rest is tokenized as usual).
 *
 * An eaf_prep is used by one thread at a time; after eaf_prep_new() it
 * never touches db, and may outlive it.  It keeps a 4 MB cache of stems.
 * @since 0.1
 */
typedef struct eaf_prep eaf_prep;

/**
 * Makes an eaf_prep for the index db (its language).
 * @param[out] out  the eaf_prep; NULL on failure.  Free with eaf_prep_free().
 * @param[in]  db   the index; only its language is read
 * @retval EAF_OK
 * @retval EAF_NOMEM
 * @retval EAF_MISUSE  db's language is not one a tokenizer can be made for
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_prep_new(eaf_prep **out, eaf_db *db);

/**
 * Tokenizes a's title, summary, body and bio and keeps the tokens in a,
 * for eaf_db_put() (replacing any made before).
 * @retval EAF_OK
 * @retval EAF_NOMEM  nothing kept (eaf_db_put() still stores a)
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_prep_article(eaf_prep *p, eaf_article *a);

/** Frees an eaf_prep (NULL: nothing).  @since 0.1 */
EAF_API void eaf_prep_free(eaf_prep *p);

/**
 * Deletes the article with this key and every trace of it (text, index
 * entries, authors, tags).
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no article has this key
 * @retval EAF_READONLY, EAF_BUSY, EAF_IO
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_delete(eaf_db *db, const char *key);

/**
 * Reads the article with this key.
 * @param[out] out  the article, which the caller frees with eaf_article_free()
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no article has this key
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2, 3)
eaf_status eaf_db_get(eaf_article **out, eaf_db *db, const char *key);

/**
 * Merges the full-text index into one segment.  Adding articles leaves it
 * in many segments, merged step by step as it grows; a search looks each
 * word up in every one of them, so after adding many articles at once an
 * optimized index answers faster (eafindex(1), --optimize, gives
 * figures).  The time is that of rewriting the full-text index once, and
 * the file may grow by as much while it runs.  Inside a transaction, it
 * is part of it; otherwise it commits on its own.
 * @retval EAF_OK
 * @retval EAF_READONLY  the handle is read-only
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_db_optimize(eaf_db *db);

/**
 * The number of articles in the index.
 * @retval EAF_OK
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_count(int64_t *out, eaf_db *db);

/**
 * @name Shard sets
 * One index over several files, for an archive that outgrows one: a
 * folder holding a manifest ("eafshards") and the files shard-0.db ...
 * shard-(N-1).db.  Each article is stored in the shard its key hashes
 * to, with an id unique over the set; ids are handed out in one sequence
 * over the set, so that a set and one file built from the same articles
 * in the same order hold the same ids.
 *
 * eaf_db_open() of the folder opens the whole set: a search (its hits,
 * scores, order, total, snippets, facets and fallback), eaf_db_count()
 * and eaf_db_get() give what they would give on one file of the same
 * articles, scores included: each shard ranks with the statistics of the
 * whole set (article count, column lengths, document frequencies), the
 * shards are searched in parallel threads, and their hits are merged in
 * order.  The related lists of a set (since 1.4) are those of one file
 * of the same articles too, computed, stored, stale and refreshed alike:
 * eaf_related_new(), eaf_related_each(), eaf_related_build(),
 * eaf_related_refresh() and the defaults take the folder's handle, and
 * shard 0 keeps the lists of the whole set.  They see what the shards'
 * writers have committed; the lists of articles a writer removed are
 * dropped by the next refresh.  eaf_db_check() of the folder's handle
 * checks every shard, naming its file in each problem (since 1.4).  The
 * calls not made for sets (writing through the folder's handle, the
 * records of files) return EAF_MISUSE with a message that says so; a
 * writer of one shard has no related lists.
 *
 * A set is written shard by shard: eaf_db_open_shard() opens one shard
 * for writing, and every writer is given every article, in the same
 * order, and keeps its own (eaf_db_put() of another shard's article
 * returns EAF_CHANGE_ELSEWHERE).  The writers of the shards may run at
 * the same time, in threads or processes (eafindex --shards does).
 * @{
 */

/**
 * Creates a shard set of n shards (1 to 64) in the folder dir (made if
 * missing), or checks that dir is one of n shards already.  opts gives
 * the language (its flags are ignored).
 * @retval EAF_OK
 * @retval EAF_MISUSE   a bad n, or dir is a set of another size or holds
 *                      shard files without a manifest
 * @retval EAF_SCHEMA   dir holds a manifest that is not one of ours
 * @retval EAF_IO, EAF_NOMEM, and eaf_db_open()'s
 * @since 1.3
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_shards_create(const char *dir, unsigned n, const eaf_open_options *opts,
                             char **errmsg_out);

/**
 * Opens shard number shard of the set in dir, for writing it as one of
 * the set's writers (see above).  The first new article it stores takes
 * the id after the largest over the set when it opened, each put of any
 * shard one more: open every writer before any of them writes.
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  dir is not a shard set
 * @retval EAF_MISUSE    no such shard
 * @retval and eaf_db_open()'s
 * @since 1.3
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_open_shard(eaf_db **out, const char *dir, unsigned shard,
                             const eaf_open_options *opts, char **errmsg_out);

/**
 * The number of shards of the set a handle is on, in *out: 0 for an
 * index of one file.
 * @since 1.3
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_shards(unsigned *out, const eaf_db *db);

/** @} */

/* --------------------------------------------------------------------------
 * Search
 *
 * A search runs a query (the language of eafsearch-query(7)) and steps
 * through the hits, best first:
 *
 *     eaf_search *s;
 *     if (eaf_search_new(&s, db, "Japan China", NULL) == EAF_OK) {
 *         while (eaf_search_next(s) == EAF_ROW)
 *             printf("%s\n", eaf_search_field(s, EAF_FIELD_TITLE));
 *     }
 *     eaf_search_free(s);
 */

typedef struct eaf_search eaf_search;

/**
 * Strict parsing, for programs: a malformed query (an unclosed quote or
 * parenthesis, an operator with nothing to work on, an unknown field, an
 * invalid date, ...) is an EAF_SYNTAX error whose message names the
 * problem and whose byte offset eaf_db_error_offset() returns, instead of
 * being repaired.
 */
#define EAF_SEARCH_STRICT 0x1u
/**
 * Never fall back to any-word matching.  Without this flag, a query of
 * several words (or phrases) that all must match, and that no article
 * matches, is run again with any of them matching; eaf_search_fallback()
 * says so.  @since 0.1
 */
#define EAF_SEARCH_NO_FALLBACK 0x2u
/**
 * Snippets are HTML: the article's text in them is escaped (&amp; &lt;
 * &gt; &quot;), the markers are not.  @since 0.1
 */
#define EAF_SEARCH_SNIPPET_HTML 0x4u
/**
 * Do not widen country and region names: without this flag a word such
 * as "Japan" also finds "Japanese" (and "China" finds "Chinese" and
 * "Sino-", "Korea" "Korean", "United States" "US" and "American", ...),
 * at a lower weight than the word itself.  @since 0.1
 */
#define EAF_SEARCH_NO_ALIASES 0x8u
/**
 * Pseudo-relevance feedback on every question, short ones too.  Feedback:
 * the query is run, the terms of its best hits are weighed by the share
 * of those texts they take, each text counting by its score, and the best
 * of them are added to the query, each with its weight (the query's own
 * words weigh as much as all the added terms together), and it is run
 * again.  Without this flag, feedback is applied to a question of
 * EAF_FEEDBACK_WORDS words of substance or more (a long, natural-language
 * query, which it helps; it lowers the known-item search of a few words).
 * See feedback_docs and feedback_terms.  @since 0.1 (1.1: on long
 * questions by default, the terms weighed)
 */
#define EAF_SEARCH_FEEDBACK 0x10u
/**
 * Rank every article that has any of the words, those with all of them
 * first (then by relevance, which favours articles with more of the
 * words), instead of only the articles with all of them.  For ranked
 * retrieval, as in TREC runs; eafquery --format trec sets it.  @since 0.1
 */
#define EAF_SEARCH_RANK_ALL 0x20u
/**
 * Never read a query as a question: without this flag a query of four
 * words or more (besides stopwords), none of them joined by a typed AND,
 * is read as a question, whose hits are the articles with any of its
 * words, those with more of them first (eaf_search_question() says so).
 * With it, all the words must match, whatever the length of the query
 * (the fallback to any word still applies, unless EAF_SEARCH_NO_FALLBACK
 * is given too).  A typed AND needs no flag: it is always obeyed.  Cannot
 * be combined with EAF_SEARCH_RANK_ALL (EAF_MISUSE).  @since 0.1
 */
#define EAF_SEARCH_ALL_WORDS 0x40u
/**
 * Never apply pseudo-relevance feedback (see EAF_SEARCH_FEEDBACK), not
 * even to a long question.  Cannot be combined with EAF_SEARCH_FEEDBACK
 * (EAF_MISUSE).  @since 1.1
 */
#define EAF_SEARCH_NO_FEEDBACK 0x80u
/** The words of substance (besides stopwords) of a question from which
 * feedback is applied by default.  @since 1.1 */
#define EAF_FEEDBACK_WORDS 4

/** The order of the hits. */
typedef enum eaf_sort {
    EAF_SORT_RELEVANCE = 0, /**< best first (the default); ties in a stable order */
    EAF_SORT_NEWEST,        /**< newest first; undated articles last; then by relevance */
    EAF_SORT_OLDEST,        /**< oldest first; undated articles last; then by relevance */
    EAF_SORT_LAST           /**< the number of orders; not an order */
} eaf_sort;

/**
 * Options for eaf_search_new(); initialise with EAF_SEARCH_OPTIONS_INIT.
 *
 * Filters restrict the hits besides the query, whatever its text.  Each
 * list is NULL-terminated and means "any of these" (author:"A" OR
 * author:"B"); different lists must all hold.  Values are exact metadata
 * values, case, accents and punctuation ignored.  With filters, an empty
 * query (or one of exclusions only) lists the filtered articles, newest
 * first.
 */
typedef struct eaf_search_options {
    unsigned version;        /**< EAF_SEARCH_OPTIONS_VERSION */
    unsigned flags;          /**< EAF_SEARCH_STRICT, EAF_SEARCH_NO_FALLBACK,
                                  EAF_SEARCH_SNIPPET_HTML, EAF_SEARCH_NO_ALIASES,
                                  EAF_SEARCH_FEEDBACK, EAF_SEARCH_RANK_ALL,
                                  EAF_SEARCH_ALL_WORDS, EAF_SEARCH_NO_FEEDBACK */
    unsigned limit;          /**< the most hits to return; 0 means 10 */
    unsigned offset;         /**< hits to skip first (paging) */
    const char *mark_open;   /**< put before a match in snippets; NULL: "[" */
    const char *mark_close;  /**< put after it; NULL: "]" */
    const char *ellipsis;    /**< marks cut text in snippets; NULL: "..." */
    unsigned snippet_words;  /**< snippet length in words, over all its
                                  fragments; 0 means 32, at most 256 */
    eaf_sort sort;           /**< the order of the hits */
    unsigned snippet_fragments; /**< the most fragments a snippet joins
                                  (for long articles); 0 means 3 */
    const char *date_from;   /**< only articles dated from the start of this
                                  "YYYY", "YYYY-MM" or "YYYY-MM-DD"; NULL: open */
    const char *date_to;     /**< ... to the end of this; NULL: open */
    const char *const *authors;   /**< by any of these authors */
    const char *const *topics;    /**< with any of these topics */
    const char *const *countries; /**< about any of these countries */
    const char *const *tags;      /**< with any of these other tags */
    /* the ranking knobs: 0 (or NULL) means the default of each, documented
     * with EAF_RANK_DEFAULT_* below */
    const double *weights;   /**< 8 field weights, in the order title, author,
                                  affiliation, topic, country, summary, body,
                                  bio; NULL: the defaults */
    double k1;               /**< term-frequency saturation (BM25 k1) */
    double b;                /**< length normalisation, 0 to 1 (BM25 b);
                                  negative: none */
    double proximity;        /**< weight of the bonus for query words close
                                  together; negative: no bonus */
    unsigned feedback_docs;  /**< EAF_SEARCH_FEEDBACK: best hits read */
    unsigned feedback_terms; /**< EAF_SEARCH_FEEDBACK: terms added */
    /* version 2 (1.1) */
    unsigned facet_hits;     /**< eaf_search_facets() counts over at most the
                                  first this many hits in the search's order
                                  (its best, by relevance); 0: over all */
} eaf_search_options;

#define EAF_SEARCH_OPTIONS_VERSION 2
#define EAF_SEARCH_OPTIONS_INIT \
    { EAF_SEARCH_OPTIONS_VERSION, 0, 0, 0, NULL, NULL, NULL, 0, \
      EAF_SORT_RELEVANCE, 0, NULL, NULL, NULL, NULL, NULL, NULL, \
      NULL, 0.0, 0.0, 0.0, 0, 0, 0 }

/** The default field weights: title, author, affiliation, topic,
 * country, summary, body, bio. */
#define EAF_RANK_DEFAULT_WEIGHTS { 10.0, 4.0, 2.0, 4.0, 4.0, 3.0, 1.0, 0.5 }
/** The other defaults of the ranking knobs. */
#define EAF_RANK_DEFAULT_K1 2.5
#define EAF_RANK_DEFAULT_B 0.7
#define EAF_RANK_DEFAULT_PROXIMITY 0.15
#define EAF_RANK_DEFAULT_FEEDBACK_DOCS 3
#define EAF_RANK_DEFAULT_FEEDBACK_TERMS 40

/**
 * Starts a search.  The query never fails to parse (unless
 * EAF_SEARCH_STRICT is given): whatever the text, it is read as words,
 * phrases and operators, and every term reaches FTS5 quoted.  A query of
 * only exclusions, or with no words at all, matches nothing; one of only
 * dates and exact metadata values (date:2018, author:"A. Name") lists the
 * matching articles newest first.  A query of four words or more, none
 * of them joined by a typed AND, is read as a question (any word may
 * match; eaf_search_question() says so, EAF_SEARCH_ALL_WORDS turns it
 * off); see EAF_SEARCH_RANK_ALL for the same at any length.  A typed AND
 * is always obeyed: its words must all match, and the search does not
 * fall back to any of them.
 * related:KEY (alone, or beside other terms, which then filter the list)
 * gives the articles related to KEY, ranked by that list; see
 * eafsearch-query(7).  Hits are ranked by BM25F over the fields,
 * weighted so that a title match counts more than a match in the tags and
 * authors, and those more than one in the body, with a bonus for words
 * close together (eafsearch-query(7) says how); ties keep a stable order.
 * Memory: the first search on a handle reads the length of every field
 * of every article into memory, for the ranking (32 bytes an article),
 * and keeps it until the handle is closed, reading again only what
 * changed since.
 * @param[out] out    the search; NULL on failure.  Free it with
 *                    eaf_search_free() (db stays open until then).
 * @param[in]  db     the handle
 * @param[in]  query  the query text, UTF-8
 * @param[in]  opts   options, or NULL for the defaults
 * @retval EAF_OK
 * @retval EAF_SYNTAX  with EAF_SEARCH_STRICT only: a malformed query; see
 *                     eaf_db_errmsg() and eaf_db_error_offset()
 * @retval EAF_MISUSE  bad options
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2, 3)
eaf_status eaf_search_new(eaf_search **out, eaf_db *db, const char *query,
                          const eaf_search_options *opts);

/**
 * Moves to the next hit.
 * @retval EAF_ROW   a hit is ready; read it with the accessors below
 * @retval EAF_DONE  no more hits (a search with no hits returns it at once)
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM, EAF_CORRUPT (message on the db handle)
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_search_next(eaf_search *s);

/**
 * The total number of articles that match, independent of limit and
 * offset.  Counted on the first call, then remembered.
 * @retval EAF_OK
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_search_total(int64_t *out, eaf_search *s);

/**
 * A text field of the current hit, or NULL when unset or when there is no
 * current hit.  Borrowed: valid until the next eaf_search_next() or
 * eaf_search_free().  The body and the bio are read from the index on
 * first use.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_search_field(eaf_search *s, eaf_field field);

/**
 * The relevance score of the current hit: higher is better; comparable
 * only within one search.  0 for a hit that has no score (see
 * eaf_search_has_score()).
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
double eaf_search_score(const eaf_search *s);

/**
 * Whether the current hit has a relevance score: 1 for a hit that the
 * query's words (or, for related:KEY, the related list) rank; 0 for one
 * that is only listed, because it passes dates, exact metadata values or
 * filters (a query without words, or such a part of an OR), and when there
 * is no current hit.  A hit without a score is not "scored 0": programs
 * should show no score for it.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
int eaf_search_has_score(const eaf_search *s);

/**
 * A snippet of the current hit's body around the matched words, which are
 * marked with the options' markers (stemmed forms are marked too: a query
 * for "relations" marks "relation"; a phrase is marked as a whole).  A long
 * body gives up to snippet_fragments fragments, joined by the ellipsis,
 * chosen to show as many different matched words as they can; a body with
 * no match gives its first words.  Borrowed: valid until the next
 * eaf_search_next() or eaf_search_free().  NULL when there is no current
 * hit; "" when the article has no body.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_search_snippet(eaf_search *s);

/**
 * The whole current hit as an article, read on first use.
 * @param[out] out  the article; borrowed, valid until the next
 *                  eaf_search_next() or eaf_search_free()
 * @retval EAF_OK
 * @retval EAF_MISUSE  no current hit
 * @retval EAF_NOMEM, EAF_IO
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_search_article(const eaf_article **out, eaf_search *s);

/**
 * Whether the search fell back to any-word matching: 1 when no article
 * matched all the words of the query, so that the hits are the articles
 * that match any of them (best first, those with more of the words
 * ranking higher); 0 otherwise, and when any of the words finds nothing
 * either.  See EAF_SEARCH_NO_FALLBACK.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
int eaf_search_fallback(const eaf_search *s);

/**
 * Whether the query was read as a question: 1 when it had four words or
 * more (besides stopwords) and no typed AND, so that the hits are the
 * articles with any of its words, those with more of them first (its
 * stopwords and request words such as "papers" or "anyone" dropped); 0
 * otherwise, with EAF_SEARCH_ALL_WORDS, and with EAF_SEARCH_RANK_ALL
 * (which asks for any-word matching at every length).
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
int eaf_search_question(const eaf_search *s);

/**
 * After a fallback, the number of the query's words (or phrases) that no
 * article matches at all, and each of them as the query wrote it.
 * Borrowed: valid until eaf_search_free().  NULL when i is out of range.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
size_t eaf_search_dropped_count(const eaf_search *s);
EAF_API EAF_NONNULL(1)
const char *eaf_search_dropped(const eaf_search *s, size_t i);

/**
 * "Did you mean": the query with each word that is not in the index
 * replaced by the closest word the articles write (by edit distance on
 * the words as typed and as written, case and accents aside, the more
 * frequent word winning a tie), spelt as the articles spell it in the
 * case it was typed, and each unknown field before a value (autor:x)
 * replaced by the closest field of the language (author:x); or NULL when
 * every word is in the index and every field known, or nothing is close.
 * Never applied by the search itself: the text is a query to run as it is.
 * Computed on the first call.
 * @param[out] out  the suggestion, borrowed: valid until eaf_search_free();
 *                  NULL when there is none (or on failure)
 * @param[in]  s    the search
 * @retval EAF_OK  *out is the suggestion, or NULL for none
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT  reading the vocabulary
 *                 failed (message on the db handle)
 * @since 1.0 (before: the suggestion returned, NULL for both none and
 *        failure)
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_search_suggestion(const char **out, eaf_search *s);

/**
 * How the query was understood, for people: the parsed tree, the FTS5
 * expression and the SQL conditions it compiled to, the filters, the
 * sort, and whether it fell back.  Several lines.  Borrowed: valid until
 * eaf_search_free(); NULL only when out of memory.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_search_explain(eaf_search *s);

/* --------------------------------------------------------------------------
 * Facets: counts of metadata values over all the hits of a search
 */

typedef struct eaf_facets eaf_facets;

/** The kinds of facets. */
typedef enum eaf_facet {
    EAF_FACET_AUTHOR = 0,   /**< author names */
    EAF_FACET_TOPIC,        /**< topics */
    EAF_FACET_COUNTRY,      /**< countries */
    EAF_FACET_TAG,          /**< other tags */
    EAF_FACET_YEAR,         /**< years of publication, "2018" */
    EAF_FACET_LAST          /**< the number of kinds; not a kind */
} eaf_facet;

/**
 * Counts, for every kind of facet, how many of the search's hits (all of
 * them, not only the page shown) carry each value, and keeps the top
 * values of each kind: for authors, topics, countries and tags the most
 * frequent, most frequent first (ties by value); for years the newest,
 * newest first (a timeline).  Values that differ only in case, accents or
 * punctuation count as one.  With the search option facet_hits (1.1), only
 * the first facet_hits hits in the search's order are counted when it has
 * more (counting tens of thousands of hits takes tens of milliseconds):
 * the counts are then of its best hits, which the caller should say.
 * @param[out] out  the counts; the caller frees them with eaf_facets_free()
 * @param[in]  s    the search (before, during or after stepping through it)
 * @param[in]  top  how many values to keep per kind; 0 means 10
 * @retval EAF_OK, EAF_NOMEM, EAF_BUSY, EAF_IO
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_search_facets(eaf_facets **out, eaf_search *s, unsigned top);

/** The number of values kept for a kind (0 out of range).  @since 0.1 */
EAF_API EAF_NONNULL(1)
size_t eaf_facets_count(const eaf_facets *f, eaf_facet kind);

/**
 * Value i of a kind, and in *count_out (if not NULL) how many hits carry
 * it.  NULL when out of range.  Borrowed: valid until eaf_facets_free().
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_facets_value(const eaf_facets *f, eaf_facet kind, size_t i,
                             int64_t *count_out);

/**
 * The name of a kind: "author", "topic", "country", "tag", "year"; NULL
 * out of range.  Static.
 * @since 0.1
 */
EAF_API const char *eaf_facet_name(eaf_facet kind);

/** Frees facet counts.  NULL is a no-op.  @since 0.1 */
EAF_API void eaf_facets_free(eaf_facets *f);

/**
 * Frees a search.  NULL is a no-op.
 * @since 0.1
 */
EAF_API void eaf_search_free(eaf_search *s);

/* --------------------------------------------------------------------------
 * Related articles
 *
 * For each article, the articles a reader of it should read next, computed
 * from the archive itself:
 *
 *     eaf_related *r;
 *     if (eaf_related_new(&r, db, "2018/05/16/some-article", NULL) == EAF_OK) {
 *         for (size_t i = 0; i < eaf_related_count(r); i++)
 *             printf("%s  %s\n", eaf_related_key(r, i), eaf_related_explain(r, i));
 *         eaf_related_free(r);
 *     }
 *
 * The model.  Each article is a vector of its most distinctive terms (the
 * stems of its title, summary and body; a title term counts title_weight
 * times in an article of 600 bytes of summary and body or more, less in a
 * shorter one (down to once for a title alone); a term weighs (1 + ln tf) * ln(N / df)^idf_power; stopwords,
 * terms of a single article and terms in more than max_share of the
 * articles are dropped; the `terms` best are kept and the vector
 * normalised).  The text similarity of two articles is the cosine of
 * their vectors, with the source's vector widened by its `neighbours`
 * closest articles: the source's list is ranked by the cosine with its
 * vector plus neighbour_weight times the mean of theirs (so that an
 * article on the source's subject in other words ranks above one that
 * shares a name or two).  To it is added, for each kind of metadata
 * (topics, countries, other tags,
 * authors), its weight times the cosine of the two articles' values of
 * that kind (each value weighted by its inverse document frequency, so
 * that a rare shared tag counts more than a common one).  The sum may be
 * scaled by a preference for recent articles.  An article is never in its
 * own list; an article whose text is the same as the source's (the same
 * body, or vectors whose cosine is at least `duplicate`) is left out, and
 * of two listed articles with the same text only the better one is kept.
 *
 * Stored lists.  eaf_related_build() computes the list of every article
 * in one batch (an inverted index over the vectors, in memory) and stores
 * the lists, the vectors and the term statistics in the index, with the
 * options used.  Storing, replacing or deleting an article (eaf_db_put(),
 * eaf_db_delete()) marks its list stale, and the lists that hold it;
 * eaf_related_refresh() recomputes the stale lists, and those of the
 * articles listed by a changed article (so that a new article enters the
 * lists it belongs in).  eaf_related_new() reads a stored list when it is
 * fresh and was built with the same options (count may be smaller), and
 * otherwise computes the list on demand.
 *
 * The index's defaults.  The options of a build are stored with the index
 * and become its defaults (eaf_related_defaults()): an option a call leaves
 * 0 (or options NULL) takes the index's default rather than the library's
 * (EAF_RELATED_DEFAULT_*), so that the lists of a build made with other
 * options are read back by every reader that asks for none (eaf_related_new(),
 * eaf_related_each(), related:KEY in a search) and kept with them by
 * eaf_related_refresh().  An index with no build yet has the library's
 * defaults, unless eaf_related_set_defaults() recorded others (for
 * example when an exported index is imported).
 */

typedef struct eaf_related eaf_related;

/** Only articles dated no later than the source (undated ones are left
 * out; an undated source has no such limit).  @since 0.1 */
#define EAF_RELATED_EARLIER   0x1u
/** Text alone: no metadata is blended in (every metadata weight is 0).
 * @since 0.1 */
#define EAF_RELATED_TEXT_ONLY 0x2u
/** eaf_related_new(): compute the list now, even if a fresh one is
 * stored.  @since 0.1 */
#define EAF_RELATED_COMPUTE   0x4u
/** Options left 0 take the library's defaults (EAF_RELATED_DEFAULT_*), not
 * the index's (and EAF_RELATED_EARLIER holds only if given).  @since 0.1 */
#define EAF_RELATED_LIBRARY_DEFAULTS 0x8u

/**
 * Options of the ranker; initialise with EAF_RELATED_OPTIONS_INIT.  A
 * field left 0 takes the index's default (eaf_related_defaults(): the
 * options of its last build, else EAF_RELATED_DEFAULT_*; with
 * EAF_RELATED_LIBRARY_DEFAULTS, EAF_RELATED_DEFAULT_*); a metadata weight,
 * recency, idf_power or neighbour_weight below 0 means none.  The index's
 * EAF_RELATED_EARLIER holds unless EAF_RELATED_LIBRARY_DEFAULTS is given.
 */
typedef struct eaf_related_options {
    unsigned version;        /**< EAF_RELATED_OPTIONS_VERSION */
    unsigned flags;          /**< EAF_RELATED_EARLIER, EAF_RELATED_TEXT_ONLY,
                                  EAF_RELATED_COMPUTE,
                                  EAF_RELATED_LIBRARY_DEFAULTS */
    unsigned count;          /**< articles per list, at most 100 */
    unsigned terms;          /**< distinctive terms kept per article, at most 200 */
    double title_weight;     /**< how much more a title term counts than a body term
                                  (in an article of 600 bytes of text or more) */
    double max_share;        /**< terms in more than this share of the articles
                                  are dropped (0 to 1) */
    double topic_weight;     /**< weight of shared topics */
    double country_weight;   /**< weight of shared countries */
    double tag_weight;       /**< weight of shared other tags */
    double author_weight;    /**< weight of shared authors */
    double recency;          /**< 0 to 1: how much the score of an article
                                  is scaled down by its age (its distance from
                                  the newest article): the score is multiplied
                                  by 1 - recency + recency * 2^(-age / half_life);
                                  undated articles count as infinitely old */
    unsigned half_life_days; /**< of the recency preference */
    double duplicate;        /**< cosine of two vectors from which their
                                  articles are the same text (0 to 1) */
    double idf_power;        /**< how much a term's rarity counts: the power of
                                  its ln(N / df) in its weight, 0 to 2 (below 0:
                                  rarity does not count); 1 favours names and
                                  rare words (the same story), lower values the
                                  subject */
    unsigned neighbours;     /**< closest articles whose terms widen the
                                  source's vector when its list is ranked, at
                                  most 10 */
    double neighbour_weight; /**< how much they weigh against the source, at
                                  most 10 (below 0: not at all) */
} eaf_related_options;

#define EAF_RELATED_OPTIONS_VERSION 1
#define EAF_RELATED_OPTIONS_INIT \
    { EAF_RELATED_OPTIONS_VERSION, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, \
      0.0, 0, 0.0 }

/** The library's defaults of the options (see eafrelated(1) for how they
 * were chosen). */
#define EAF_RELATED_DEFAULT_COUNT 10
#define EAF_RELATED_DEFAULT_TERMS 120
#define EAF_RELATED_DEFAULT_TITLE_WEIGHT 3.0
#define EAF_RELATED_DEFAULT_MAX_SHARE 0.5
#define EAF_RELATED_DEFAULT_TOPIC_WEIGHT 0.1
#define EAF_RELATED_DEFAULT_COUNTRY_WEIGHT 0.05
#define EAF_RELATED_DEFAULT_TAG_WEIGHT 0.1
#define EAF_RELATED_DEFAULT_AUTHOR_WEIGHT 0.05
#define EAF_RELATED_DEFAULT_HALF_LIFE_DAYS 365
#define EAF_RELATED_DEFAULT_DUPLICATE 0.9
#define EAF_RELATED_DEFAULT_IDF_POWER 0.5
#define EAF_RELATED_DEFAULT_NEIGHBOURS 3
#define EAF_RELATED_DEFAULT_NEIGHBOUR_WEIGHT 1.0

/** What two articles can share, as the explanation of a related article
 * gives it. */
typedef enum eaf_related_reason {
    EAF_REASON_TOPIC = 0,    /**< topics */
    EAF_REASON_COUNTRY,      /**< countries */
    EAF_REASON_TAG,          /**< other tags */
    EAF_REASON_AUTHOR,       /**< authors */
    EAF_REASON_TERM,         /**< distinctive terms */
    EAF_REASON_LAST          /**< the number of reasons; not a reason */
} eaf_related_reason;

/**
 * The related articles of one article, best first.
 * @param[out] out   the list; NULL on failure.  Free it with
 *                   eaf_related_free() before closing db.
 * @param[in]  db    the handle
 * @param[in]  key   the article's key
 * @param[in]  opts  options, or NULL for the index's defaults (the options
 *                   of the stored lists)
 * A fresh list stored with the same options is read; otherwise the list
 * is computed now, its candidates taken from the full-text index and
 * ranked as the batch ranks them: from the stored term statistics when the
 * index has them for these options, else from the document frequencies of
 * the terms counted in the full-text index (an index never built, or built
 * with other terms, title_weight, max_share or idf_power).  Those counts
 * and the terms of the texts read are kept on the handle for its next
 * lists while the index is unchanged, so that the first such list of a
 * handle takes longer than the next ones (eafrelated(1) gives figures); a
 * list is the same whatever lists were asked before it.  Nothing is
 * written: a read-only handle works too.
 * @retval EAF_OK        (also for an article with no related article: the
 *                       list is then empty)
 * @retval EAF_NOTFOUND  no article has this key
 * @retval EAF_MISUSE    bad options
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2, 3)
eaf_status eaf_related_new(eaf_related **out, eaf_db *db, const char *key,
                           const eaf_related_options *opts);

/** The number of articles in the list.  @since 0.1 */
EAF_API EAF_NONNULL(1)
size_t eaf_related_count(const eaf_related *r);

/**
 * The key of related article i (0-based), or NULL when i is out of range.
 * Borrowed: valid until eaf_related_free().
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_related_key(const eaf_related *r, size_t i);

/**
 * The title of related article i, or NULL when i is out of range.
 * Borrowed: valid until eaf_related_free().
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_related_title(const eaf_related *r, size_t i);

/**
 * The score of related article i: the text similarity plus the weighted
 * metadata similarities, times the recency factor; higher is better
 * (comparable between lists built with the same options).  0 out of range.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
double eaf_related_score(const eaf_related *r, size_t i);

/**
 * Whether the list was read from the index (1) or computed on demand (0).
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
int eaf_related_stored(const eaf_related *r);

/**
 * Why related article i is in the list: how many values of one kind it
 * shares with the source (topics, countries, tags and authors as the
 * source writes them; for EAF_REASON_TERM the few distinctive terms that
 * weigh most in the text similarity, as the source's text spells them),
 * and value j of them.  The explanations of the whole list are worked out
 * on the first call for it, which reads the index; a failure then is
 * that of every later call for the list.
 * @param[out] count  the number of values (0 on failure)
 * @param[out] value  value j (NULL on failure); borrowed: valid until
 *                    eaf_related_free()
 * @retval EAF_OK
 * @retval EAF_MISUSE  a NULL argument, or i, kind or j out of range
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT  the explanations could
 *                     not be worked out (the message on the handle)
 * @since 1.0 (0.1 returned the count and the value, 0 and NULL both for
 *        none and for a failure)
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_related_shared_count(size_t *count, eaf_related *r, size_t i,
                                    eaf_related_reason kind);
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_related_shared(const char **value, eaf_related *r, size_t i,
                              eaf_related_reason kind, size_t j);

/**
 * The whole explanation of related article i on one line, for people:
 * the text similarity and the terms behind it, then each kind of shared
 * metadata with its share of the score, e.g.
 * "text 0.312 (tariff, rice, export); topics +0.100 (Trade); countries
 * +0.050 (Japan)".  Worked out with the rest of the list's explanations,
 * as for eaf_related_shared().
 * @param[out] why  the explanation (NULL on failure); borrowed: valid
 *                  until eaf_related_free()
 * @retval EAF_OK
 * @retval EAF_MISUSE  a NULL argument, or i out of range
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT  as eaf_related_shared()
 * @since 1.0 (0.1 returned the explanation, NULL both out of range and
 *        for a failure)
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_related_explain(const char **why, eaf_related *r, size_t i);

/** The name of a reason: "topic", "country", "tag", "author", "term";
 * NULL out of range.  Static.  @since 0.1 */
EAF_API const char *eaf_related_reason_name(eaf_related_reason kind);

/** Frees a list.  NULL is a no-op.  @since 0.1 */
EAF_API void eaf_related_free(eaf_related *r);

/** Called with each article's key and list by eaf_related_each(); both
 * are borrowed for the call.  The callback may read the index (explain
 * the list, get articles) but not change it.  A nonzero return stops the
 * walk, which then returns EAF_ABORT (the lists handed out so far are the
 * caller's result). */
typedef int (*eaf_related_fn)(const char *key, eaf_related *r, void *payload);

/**
 * Walks every article of the index, in key order, with its list: the
 * stored list when it is fresh and was built with these options, else one
 * computed on demand (as eaf_related_new() would).  The fast way to read
 * every list after eaf_related_build().
 * @param[in] db       the handle
 * @param[in] opts     options, or NULL for the index's defaults
 * @param[in] fn       called with each article
 * @param[in] payload  passed to fn
 * @retval EAF_OK      every article was walked
 * @retval EAF_ABORT   fn stopped the walk (since 1.0; 0.1 returned EAF_OK)
 * @retval EAF_MISUSE  bad options, or a NULL fn
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 3)
eaf_status eaf_related_each(eaf_db *db, const eaf_related_options *opts, eaf_related_fn fn,
                            void *payload);

/**
 * Called during a build or a refresh with its phase ("reading", "scoring", "writing"),
 * how much of it is done and its total (-1 when not known in advance).
 * A large build scores and stores its lists a chunk at a time, so
 * "scoring" and "writing" then take turns, each counting the lists done.  A
 * nonzero return stops the build or the refresh, which returns EAF_ABORT:
 * it stores nothing of its own (one transaction), so what was finished
 * before it, the lists stored then, is kept as it was.  Must not use the
 * db handle.
 */
typedef int (*eaf_related_progress_fn)(const char *phase, int64_t done, int64_t total,
                                       void *payload);

/** What a build or a refresh did; the caller sets version. */
typedef struct eaf_related_stats {
    unsigned version;        /**< EAF_RELATED_STATS_VERSION */
    int full;                /**< 1: every list was built; 0: the stale ones */
    int64_t articles;        /**< articles in the model */
    int64_t lists;           /**< lists computed and stored */
    int64_t terms;           /**< distinctive terms in the model */
    int64_t postings;        /**< entries of the inverted index */
    size_t model_bytes;      /**< memory the model held at its largest */
    double read_seconds;     /**< reading the index */
    double score_seconds;    /**< computing the lists */
    double write_seconds;    /**< storing them */
} eaf_related_stats;

#define EAF_RELATED_STATS_VERSION 1

/**
 * Computes the related articles of every article and stores them in the
 * index, with the vectors, the term statistics and the options, replacing
 * whatever was stored; in one transaction (or inside the caller's).  The
 * options become the index's defaults.
 * Memory is bounded whatever the length of the texts: a few tens of bytes
 * per article and per metadata value, the inverted index (a bounded number
 * of entries per distinct term), the vectors up to a fixed budget and
 * fixed buffers; the vectors past that budget, and the terms offered to
 * the articles while the index is read, go to temporary files in $TMPDIR
 * (else /tmp), removed as soon as they are made (eafrelated(1) gives the
 * figures).
 * @param[out] stats    if not NULL (with version set), what was done
 * @param[in]  db       the handle, read-write
 * @param[in]  opts     options, or NULL for the index's defaults
 * @param[in]  progress if not NULL, called as the build goes on
 * @param[in]  payload  passed to progress
 * @retval EAF_OK
 * @retval EAF_READONLY  the handle is read-only
 * @retval EAF_MISUSE    bad options
 * @retval EAF_ABORT     stopped by the progress callback (since 1.0; 0.1
 *                       returned EAF_ERROR)
 * @retval EAF_IO        also: a temporary file could not be made, written
 *                       or read
 * @retval EAF_NOMEM, EAF_BUSY, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2)
eaf_status eaf_related_build(eaf_related_stats *stats, eaf_db *db,
                             const eaf_related_options *opts,
                             eaf_related_progress_fn progress, void *payload);

/**
 * Brings the stored lists up to date after articles were stored or
 * deleted: recomputes the stale lists (of the articles changed, and of
 * those whose lists held them), and those of the articles a changed
 * article now lists, with the index's defaults (the options of the last
 * build, or those eaf_related_set_defaults() recorded since).  The vectors
 * of unchanged articles and the term statistics are reused, so this is
 * quick; when many articles changed since the last build (a tenth of
 * them), the index has no stored lists yet, or its defaults are not the
 * options of its lists, everything is built again as eaf_related_build()
 * does, with the index's defaults.
 * Parameters, codes and memory as eaf_related_build().
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2)
eaf_status eaf_related_refresh(eaf_related_stats *stats, eaf_db *db,
                               eaf_related_progress_fn progress, void *payload);

/**
 * The index's defaults of the related-article options: those recorded by
 * eaf_related_set_defaults() since the last build, else the options of the
 * last build (eaf_related_build(), eaf_related_refresh()), else the
 * library's (EAF_RELATED_DEFAULT_*).  Every field of *out is set (a
 * "none" below 0, see eaf_related_options) and its flags hold
 * EAF_RELATED_LIBRARY_DEFAULTS, so that passed back (to eaf_related_new(),
 * eaf_related_build(), eaf_related_set_defaults(), on this index or
 * another) they mean exactly these options.  Nothing is written: a
 * read-only handle works too.
 * @param[out] out  the options; the library's defaults when the call fails
 * @param[in]  db   the handle
 * @retval EAF_OK
 * @retval EAF_MISUSE  a NULL argument
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_related_defaults(eaf_related_options *out, eaf_db *db);

/**
 * Records the index's defaults of the related-article options without
 * building anything (for example in an index being imported, which has no
 * lists yet): the next eaf_related_refresh() (eafindex's, after indexing)
 * builds the lists with them, and reads that ask for no option use them.
 * Stored lists built with other options are kept but no longer read by
 * default, until a refresh or a build replaces them.  A field of opts left
 * 0 keeps the index's current default (EAF_RELATED_LIBRARY_DEFAULTS: takes
 * the library's); EAF_RELATED_COMPUTE is ignored.  A build records its
 * own options in their place.
 * @param[in] db    the handle, read-write
 * @param[in] opts  the options; NULL records the current defaults as they
 *                  are
 * @retval EAF_OK
 * @retval EAF_READONLY  the handle is read-only, or the index is of a
 *                       schema that keeps no related lists
 * @retval EAF_MISUSE    bad options
 * @retval EAF_NOMEM, EAF_BUSY, EAF_IO, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_related_set_defaults(eaf_db *db, const eaf_related_options *opts);

/* --------------------------------------------------------------------------
 * Readers: archive files to articles
 *
 * A reader reads one file and yields its articles one at a time: an East
 * Asia Forum page saved as Markdown text, an HTML article page, Markdown
 * with YAML or JSON front matter or titled by its first heading (a static
 * site's source), a WordPress export (WXR, streamed: any size), or JSON
 * Lines.  An archive (.tar, .tar.gz, .zip, also compressed with bzip2 or
 * xz) is read in place, member after member, each member read as a file
 * of its own; a compressed file (.gz) is read as the file it holds.
 * Nothing is unpacked to disk, and an archive that expands to more than
 * 100 times its size (past the first MB) is stopped as a decompression
 * bomb.  The format of each file is detected from its content, its name
 * being a hint.  A bad record is reported and skipped; the next call goes
 * on after it.  Records that are not articles (a WordPress attachment,
 * page or draft, a listing page, a feed, a comment page, a Hugo list page)
 * are skipped without an error, and counted; a file that gives nothing at
 * all is an error.  The formats and what they give are described in
 * eafindex(1).
 */

typedef struct eaf_reader eaf_reader;

/** The article formats a reader understands. */
typedef enum eaf_format {
    EAF_FORMAT_AUTO = 0,  /**< detect from the content (the name is a hint) */
    EAF_FORMAT_PAGE,      /**< an article page saved as Markdown text */
    EAF_FORMAT_JSONL,     /**< JSON Lines, one article per line */
    EAF_FORMAT_HTML,      /**< an HTML article page */
    EAF_FORMAT_MARKDOWN,  /**< Markdown with front matter (YAML or JSON), or
                               titled by its first heading */
    EAF_FORMAT_WXR        /**< a WordPress export (a feed, RSS or Atom, is
                               read as one and skipped) */
} eaf_format;

/** The kinds of archive a reader opens and reads the members of. */
typedef enum eaf_archive_kind {
    EAF_ARCHIVE_NONE = 0, /**< not an archive; in options: detect */
    EAF_ARCHIVE_TAR,      /**< a tar archive, possibly compressed */
    EAF_ARCHIVE_ZIP,      /**< a zip archive */
    EAF_ARCHIVE_GZIP      /**< one compressed file (gzip, bzip2 or xz) */
} eaf_archive_kind;

/**
 * The name of a format ("auto", "page", "jsonl", "html", "markdown",
 * "wxr"), or NULL when it is none.  Static.  A format this build was
 * configured without still has its name.
 * @since 1.0
 */
EAF_API const char *eaf_format_name(eaf_format format);

/**
 * The format with this name, as eaf_format_name() gives it ("md", "htm",
 * "wordpress" and "ndjson" are taken too).
 * @param[in]  name  the name, case counts
 * @param[out] out   the format; EAF_FORMAT_AUTO when there is none
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no format has this name (an archive kind's name
 *                       is not a format's: see eaf_archive_kind_from_name())
 * @since 1.0
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_format_from_name(const char *name, eaf_format *out);

/**
 * Whether this build of the library reads the format: 1, or 0 when it
 * was configured without the library the format needs (libxml2, cmark,
 * libyaml, jansson) or for a value that is no format.  EAF_FORMAT_AUTO
 * is always available.  A reader forced to an unavailable format fails
 * with EAF_NOTFOUND, and its message names what is missing.
 * Thread-safe.
 * @since 1.0
 */
EAF_API int eaf_format_available(eaf_format format);

/**
 * The name of an archive kind ("none", "tar", "zip", "gzip"), or NULL
 * when it is none.  Static.
 * @since 1.0
 */
EAF_API const char *eaf_archive_kind_name(eaf_archive_kind kind);

/**
 * The archive kind with this name, as eaf_archive_kind_name() gives it.
 * @param[out] out  the kind; EAF_ARCHIVE_NONE when there is none
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no archive kind has this name
 * @since 1.0
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_archive_kind_from_name(const char *name, eaf_archive_kind *out);

/**
 * Whether this build reads archives (it was configured with libarchive):
 * 1 or 0.  Without, an archive is recognised and refused with
 * EAF_NOTFOUND and a message saying so.
 * @since 1.0
 */
EAF_API int eaf_archive_available(void);

/** Options for a reader; initialise with EAF_READER_OPTIONS_INIT. */
typedef struct eaf_reader_options {
    unsigned version;     /**< EAF_READER_OPTIONS_VERSION */
    eaf_format format;    /**< EAF_FORMAT_AUTO to detect; another format
                               is forced on every file read, archive
                               members included (archives are still
                               recognised by their content) */
    const char *name;     /**< the file's path inside its archive, used for
                               messages and for the keys of articles that
                               give no URL (the name without its extension);
                               NULL: the path given to eaf_reader_open() */
    eaf_archive_kind archive; /**< EAF_ARCHIVE_NONE to recognise archives
                               by their content; another kind makes the
                               file be read as that archive, its members
                               detected (or read as format forces) */
} eaf_reader_options;

#define EAF_READER_OPTIONS_VERSION 1
#define EAF_READER_OPTIONS_INIT \
    { EAF_READER_OPTIONS_VERSION, EAF_FORMAT_AUTO, NULL, EAF_ARCHIVE_NONE }

/**
 * Opens a file for reading articles.
 * @param[out] out         the reader; NULL on failure.  Free with eaf_reader_free().
 * @param[in]  path        the file
 * @param[in]  opts        options, or NULL for the defaults
 * @param[out] errmsg_out  if not NULL, receives a message on failure that
 *                         the caller frees with eaf_free()
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no such file; or the format the options force, or
 *                       the archive the file is, is one this build was
 *                       configured without (eaf_format_available()); the
 *                       message names the library missing
 * @retval EAF_IO        the file cannot be read (or is a folder), or is
 *                       an archive that libarchive cannot open
 * @retval EAF_SYNTAX    the file is empty, is binary data (NUL bytes and
 *                       other control characters, not text), or its format
 *                       could not be recognised
 * @retval EAF_MISUSE    bad options
 * @retval EAF_NOMEM
 * An archive is opened here and read in place by eaf_reader_next(); its
 * file must stay in place until the reader is freed.
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_reader_open(eaf_reader **out, const char *path,
                           const eaf_reader_options *opts, char **errmsg_out);

/**
 * Opens a reader on bytes in memory, which are copied.
 * @param[in] name  what messages call the data, and the key base for
 *                  articles without a URL (opts->name overrides it)
 * Other parameters and codes as eaf_reader_open() (EAF_NOTFOUND only for
 * a format or archive this build lacks; no EAF_IO).
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2, 4)
eaf_status eaf_reader_open_memory(eaf_reader **out, const char *data, size_t len,
                                  const char *name, const eaf_reader_options *opts,
                                  char **errmsg_out);

/**
 * Reads the next article.
 * @param[out] out  on EAF_ROW, the article, which the caller frees with
 *                  eaf_article_free(); otherwise NULL
 * @retval EAF_ROW     an article was read
 * @retval EAF_DONE    no more articles
 * @retval EAF_SYNTAX  this record (a page, a line, a WordPress item, an
 *                     archive member) cannot be read; the message says
 *                     where and why; call again to go on.  Malformed XML
 *                     in a WordPress export ends that file (the next
 *                     call goes on with the next member, or gives
 *                     EAF_DONE).  A file or member that gives no
 *                     article, no error and no skip (JSON Lines of blank
 *                     lines, a WordPress export without items) is
 *                     EAF_SYNTAX once, saying what it held; so is an
 *                     archive with no member to read (empty, or only
 *                     files eaf_reader_ignore_reason() passes over)
 * @retval EAF_IO      the reader cannot go on: a read error, a damaged or
 *                     truncated archive, a decompression bomb (the message
 *                     names the file, the member and the limit it passed).
 *                     The articles read before stay valid.
 * @retval EAF_NOMEM   the reader cannot go on
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_reader_next(eaf_article **out, eaf_reader *r);

/**
 * The message of the reader's last failure, prefixed with the name (for
 * an archive member, "archive.tar.gz:path/in/archive.html") and, for
 * line-oriented formats, the line: "archive.jsonl:12: invalid JSON: ...".
 * "" when the last call succeeded.  Borrowed: valid until the next call
 * on the reader.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_reader_errmsg(const eaf_reader *r);

/**
 * The format the reader is reading: the format of the file, or in an
 * archive the format of the current member (EAF_FORMAT_AUTO before the
 * first one, and for a member that could not be recognised).
 * @since 1.0
 */
EAF_API EAF_NONNULL(1)
eaf_format eaf_reader_format(const eaf_reader *r);

/**
 * The kind of archive the reader reads: EAF_ARCHIVE_TAR (compressed or
 * not), EAF_ARCHIVE_ZIP or EAF_ARCHIVE_GZIP (a single compressed file),
 * or EAF_ARCHIVE_NONE when it reads a plain file.  Until the first member
 * is read, a compressed archive is EAF_ARCHIVE_GZIP whatever it holds.
 * @since 1.0
 */
EAF_API EAF_NONNULL(1)
eaf_archive_kind eaf_reader_archive_kind(const eaf_reader *r);

/**
 * In an archive, the path inside it of the member the last article or
 * error came from; NULL for a plain file (and for a compressed file,
 * which has no members).  Borrowed: valid until the next call on the
 * reader.  Articles without a URL take their key from it (without its
 * extension).
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_reader_member(const eaf_reader *r);

/**
 * How many records the reader has skipped so far as not articles
 * (WordPress attachments, pages, menu items, drafts and trash, Markdown
 * drafts, listing pages, feeds, comment pages, Hugo list pages); they are
 * not errors.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
size_t eaf_reader_skipped(const eaf_reader *r);

/**
 * Why the last skipped record was skipped ("post_type attachment",
 * "status draft", "a draft", "a listing of 12 articles, not an article
 * page"), or NULL when none was.  Borrowed: valid until the next call on
 * the reader.
 * @since 0.1
 */
EAF_API EAF_NONNULL(1)
const char *eaf_reader_skip_reason(const eaf_reader *r);

/**
 * Whether a file of this name may hold articles by its extension: 1 for
 * the extensions of the formats (.md, .markdown, .txt, .html, .htm,
 * .xhtml, .wxr, .xml, .jsonl, .ndjson), of archives and compressed files
 * (.tar, .tgz, .tar.gz, .zip, .gz, .bz2, .xz, ...) and for names without
 * an extension; 0 for every other name (images, stylesheets, scripts, ...)
 * and for hidden names (starting with '.').  Only the last part of a path
 * is looked at.  This is one part of eaf_reader_ignore_reason(), which a
 * program walking a folder should use instead: it is the rule the readers
 * apply to the members of archives.
 * @since 0.1
 */
EAF_API int eaf_reader_wants(const char *name);

/**
 * Whether a file is one to read, by its path: NULL when it is, else why
 * not, as a short phrase for a person ("a hidden file", "not an article
 * file", "a README or LICENSE file, not an article", "a Hugo list page
 * (_index.md), not an article", "a feed, not an article", "a WordPress
 * comment page (comment-page-N), not an article", ...).  The rule, in
 * order:
 *  - a part of the path starting with '.' (a hidden file or folder), or a
 *    folder __MACOSX: not read;
 *  - a page that a site generator makes and that is not an article: a
 *    Hugo list page (_index.md, _index.html, ...); a WordPress comment
 *    page (a folder comment-page-N, a name holding "replytocom="); a feed
 *    (feed.xml, atom.xml, rss.xml, and index.* in a folder feed, or in
 *    feed/atom, feed/rss, feed/rss2, feed/rdf, as a mirror of WordPress
 *    saves them);
 *  - the files of a repository: README, LICENSE, LICENCE, COPYING,
 *    CHANGELOG, CONTRIBUTING, CODE_OF_CONDUCT (any case, any extension),
 *    and CHANGES, SECURITY, AUTHORS, NOTICE (in capitals);
 *  - a manifest of an archive's files (manifest.json, manifest.jsonl,
 *    MANIFEST, MANIFEST.in, ...; any case), which describes the articles
 *    but is not one;
 *  - a name eaf_reader_wants() refuses (not an article file).
 * The readers pass over the members of an archive by this rule, without
 * counting them, so that an archive and a folder of the same files give
 * the same articles; a file named directly and opened is still read, except
 * that a page of the second kind is skipped (eaf_reader_skipped()) with
 * this reason.  Feeds and comment pages under other names are recognised
 * by their content when read.
 * @param[in] path  the file's path inside the folder being walked or the
 *                  archive ("2018/05/a/index.html", "LICENSE.md"); every
 *                  part of it is looked at, so give the path below the
 *                  folder given by the user, not an absolute path (a
 *                  folder above it named "feed" would count).  A leading
 *                  "./" is ignored.  NULL or "" gives "no name".
 * @return NULL, or a static string (never to be freed).
 * Thread-safe; needs no reader.
 * @since 0.1
 */
EAF_API const char *eaf_reader_ignore_reason(const char *path);

/**
 * Frees a reader.  NULL is a no-op.
 * @since 0.1
 */
EAF_API void eaf_reader_free(eaf_reader *r);

/* --------------------------------------------------------------------------
 * Keeping an index in step with its files
 *
 * An index remembers which file ("source") each article came from: the
 * file's path (the string the program gives, which eafindex makes
 * absolute), its size, its modification time and a hash of its content.
 * A program that indexes files asks, for each file, whether it changed
 * since it was last indexed, reads only those that did, and so removes
 * the articles a file no longer holds, and those of files that are gone:
 *
 *     eaf_source_state state;
 *     int64_t removed;
 *     if (eaf_db_source_check(&state, db, path, 0) == EAF_OK &&
 *         state != EAF_SOURCE_UNCHANGED &&
 *         eaf_db_source_begin(db, path) == EAF_OK) {
 *         ... eaf_db_put() each article read from the file ...
 *         eaf_db_source_end(&removed, db, read_without_error, NULL, NULL);
 *     }
 *
 * Sources work inside the caller's transaction (eaf_db_begin()) or each
 * on its own; a file read across several transactions is recorded only at
 * eaf_db_source_end(), so a run interrupted in the middle of a file reads
 * it again next time, and keeps what it committed.
 */

/** How a file compares with what the index recorded of it. */
typedef enum eaf_source_state {
    EAF_SOURCE_NEW = 0,      /**< the index has no record of the file */
    EAF_SOURCE_UNCHANGED,    /**< the same size and modification time, or
                                  the same content (hash) */
    EAF_SOURCE_CHANGED,      /**< the content differs, or the last reading of
                                  it did not end well */
    EAF_SOURCE_STATE_LAST    /**< the number of states; not a state */
} eaf_source_state;

/**
 * For eaf_db_source_check(): compare content hashes even when the size
 * and the modification time are the same (slower: every file is read).
 */
#define EAF_SOURCE_CHECKSUM 0x1u

/** Called with each key of an article being removed; must not use the db
 * handle.  The key is borrowed for the call.  A nonzero return stops the
 * call, which returns EAF_ABORT and writes nothing (what was committed
 * before it stays).  @since 1.0 returns int (void before) */
typedef int (*eaf_key_fn)(const char *key, void *payload);

/** Called with each recorded file and its number of articles; must not
 * change the index.  A nonzero return stops the walk, which returns
 * EAF_ABORT. */
typedef int (*eaf_source_fn)(const char *path, int64_t articles, void *payload);

/** Called with each article of the index; it may read the index but not
 * change it.  The article is borrowed for the call.  A nonzero return
 * stops the walk, which returns EAF_ABORT. */
typedef int (*eaf_article_fn)(const eaf_article *a, void *payload);

/**
 * Compares a file with what the index recorded of it.  The same size and
 * modification time (to the nanosecond) mean unchanged; otherwise the
 * file's content is hashed and compared with the recorded hash, and when
 * it is the same the file is unchanged too (its new time is then recorded,
 * except on a read-only handle).
 * @param[out] out    the state
 * @param[in]  db     the handle
 * @param[in]  path   the file, as it is recorded (use the same string for
 *                    every call about one file)
 * @param[in]  flags  0, or EAF_SOURCE_CHECKSUM
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  no such file
 * @retval EAF_IO        the file cannot be read, or is not a regular file
 * @retval EAF_READONLY  a read-only handle on an index of schema version 4
 *                       or older, which does not record every file of an
 *                       article (opened read-write once, it is upgraded)
 * @retval EAF_MISUSE    a NULL argument
 * @retval EAF_NOMEM, EAF_BUSY
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2, 3)
eaf_status eaf_db_source_check(eaf_source_state *out, eaf_db *db, const char *path,
                               unsigned flags);

/**
 * Starts indexing a file: records it (its size, time and content hash
 * are taken now), and until eaf_db_source_end() every article stored with
 * eaf_db_put() is attributed to it, whether it changed or not.
 * @retval EAF_OK
 * @retval EAF_MISUSE    another file is being indexed, or a NULL argument
 * @retval EAF_NOTFOUND  no such file
 * @retval EAF_IO        the file cannot be read
 * @retval EAF_READONLY, EAF_BUSY, EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_source_begin(eaf_db *db, const char *path);

/**
 * Ends indexing the file begun with eaf_db_source_begin().
 * @param[out] removed_out  if not NULL, the number of articles removed
 * @param[in]  db           the handle
 * @param[in]  complete     nonzero when the whole file was read without
 *                          error: then the articles the file held before
 *                          and no longer holds (not stored since
 *                          eaf_db_source_begin()) are removed, unless
 *                          another file gives them too, and the file is
 *                          recorded as indexed.  When another handle (another
 *                          program indexing the same folder) began the file
 *                          again meanwhile, this call removes and records
 *                          nothing: that later reading does.  Zero after an
 *                          error: nothing is removed and the file stays
 *                          "changed", to be read again next time.
 * @param[in]  removed      if not NULL, called with the key of each
 *                          article removed, before it is
 * @param[in]  payload      passed to removed
 * @retval EAF_OK
 * @retval EAF_MISUSE  no file is being indexed
 * @retval EAF_ABORT   removed stopped the call: nothing was removed nor
 *                     recorded, and the file stays "changed"
 * @retval EAF_READONLY, EAF_BUSY, EAF_IO, EAF_NOMEM
 * The file is no longer being indexed after this call, whatever it returns.
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2)
eaf_status eaf_db_source_end(int64_t *removed_out, eaf_db *db, int complete,
                             eaf_key_fn removed, void *payload);

/**
 * Forgets a file that is gone: removes every article only it gives, and
 * its record (an article another file gives too stays; see eaf_db_put()).
 * @param[out] removed_out  if not NULL, the number of articles removed
 * @param[in]  path         the file, as recorded
 * @param[in]  removed      if not NULL, called with the key of each
 *                          article removed, before it is
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  the index has no record of this file
 * @retval EAF_MISUSE    a file is being indexed (eaf_db_source_begin())
 * @retval EAF_ABORT     removed stopped the call: nothing was removed and
 *                       the file stays recorded
 * @retval EAF_READONLY, EAF_BUSY, EAF_IO, EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2, 3)
eaf_status eaf_db_source_remove(int64_t *removed_out, eaf_db *db, const char *path,
                                eaf_key_fn removed, void *payload);

/**
 * Walks the recorded files whose path starts with prefix (NULL or "": all
 * of them), in path order, calling fn with each path and its number of
 * articles.  The path is borrowed for the call.
 * @retval EAF_OK
 * @retval EAF_ABORT     fn stopped the walk (since 1.0; EAF_OK before)
 * @retval EAF_MISUSE    a NULL fn
 * @retval EAF_READONLY  a read-only handle on an index of schema version 4
 *                       or older
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 3)
eaf_status eaf_db_source_list(eaf_db *db, const char *prefix, eaf_source_fn fn,
                              void *payload);

/**
 * Walks, as eaf_db_source_list() does, the recorded files that must be
 * read again: those whose last reading did not end well (an error, or a
 * run that stopped), and those an article passed to when the file whose
 * version it held stopped giving it (see eaf_db_put()), until their next
 * eaf_db_source_end().  eaf_db_source_check() finds each CHANGED.  A
 * program that indexed a set of files reads the ones of this list among
 * them once more, at the end of its run.
 * @retval EAF_OK
 * @retval EAF_ABORT     fn stopped the walk (since 1.0; EAF_OK before)
 * @retval EAF_MISUSE    a NULL fn
 * @retval EAF_READONLY  a read-only handle on an index of schema version 4
 *                       or older
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 3)
eaf_status eaf_db_source_pending(eaf_db *db, const char *prefix, eaf_source_fn fn,
                                 void *payload);

/**
 * Walks every article of the index, in key order, calling fn with each
 * (read whole, as eaf_db_get() reads it): to export, check or copy an
 * index.
 * @retval EAF_OK
 * @retval EAF_ABORT   fn stopped the walk (since 1.0; EAF_OK before)
 * @retval EAF_MISUSE  a NULL fn
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM, EAF_CORRUPT
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1, 2)
eaf_status eaf_db_articles(eaf_db *db, eaf_article_fn fn, void *payload);

/* --------------------------------------------------------------------------
 * Checking an index
 */

/** Called with each problem eaf_db_check() finds: one line, borrowed for
 * the call.  It must not use the db handle.  A nonzero return stops the
 * check, which returns EAF_ABORT.  @since 1.0 returns int (void before) */
typedef int (*eaf_problem_fn)(const char *problem, void *payload);

/**
 * Checks an index from the file up: SQLite's integrity check of the
 * file, FTS5's check of the full-text index against the articles, and
 * the library's own consistency checks (every article has its full-text
 * entries and every entry its article; the authors, tags, related
 * titles, related lists and term vectors of articles point to articles
 * that exist, and no related list holds its own article or one twice;
 * each article's indexed authors agree with its author rows; every
 * article's file is recorded and gives it; the schema versions agree).
 * Each problem found is reported to fn, named ("2 articles have no
 * full-text index entries: key, key").  Nothing is written.  On a
 * read-write handle the check holds the write lock while it runs (FTS5's
 * check needs it), so it sees one state of the index while another
 * process indexes.  On a read-only handle (a user who may only read the
 * index) it reads one snapshot, and FTS5's check runs on a private copy
 * of the index in a temporary file (SQLite's temporary folder: $TMPDIR,
 * else /var/tmp or /tmp), which needs room for one.
 * @param[out] problems_out  if not NULL, the number of problems found
 * @param[in]  db            the handle
 * @param[in]  fn            if not NULL, called with each problem
 * @param[in]  payload       passed to fn
 * @retval EAF_OK        no problem found
 * @retval EAF_CORRUPT   problems found; eaf_db_errmsg() is the first
 * @retval EAF_MISUSE    a transaction or a search is open on the handle
 * @retval EAF_BUSY      another writer held the lock past the timeout
 * @retval EAF_ABORT     fn stopped the check (*problems_out counts the
 *                       problems reported until then)
 * @retval EAF_NOMEM, EAF_IO
 * Any status other than EAF_OK and EAF_CORRUPT means the check could not
 * run to its end (*problems_out counts what it found until then).
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2)
eaf_status eaf_db_check(int64_t *problems_out, eaf_db *db, eaf_problem_fn fn,
                        void *payload);

/**
 * Rebuilds, in one transaction, what an index derives from its articles,
 * for the problems eaf_db_check() names that can be mended in place: the
 * b-tree indexes of the tables (SQLite's REINDEX), the full-text index
 * (every article tokenized again), the indexed authors (from the author
 * rows), the rows of articles that are gone (authors, tags, related
 * titles, files, related lists), the record of
 * each article's file, and the related lists (all marked stale, for
 * eaf_related_refresh() to compute again).  The articles themselves are
 * not touched.  Damage to the file's pages that SQLite cannot read past is
 * not mended: export what can be read (eaf_db_articles()) into a new index.
 * It takes about as long as indexing the articles again, without reading
 * their files.
 * @retval EAF_OK
 * @retval EAF_READONLY  a read-only handle
 * @retval EAF_MISUSE    a transaction or a search is open on the handle
 * @retval EAF_CORRUPT   the file is too damaged to read the articles
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM, EAF_INTERRUPTED
 * @since 0.1
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(1)
eaf_status eaf_db_rebuild(eaf_db *db);

/* --------------------------------------------------------------------------
 * Exporting an index (and reading an export's settings back), and
 * cleaning text
 */

/** Called with each piece of an export's text, in order: len bytes at
 * data (not NUL-terminated), borrowed for the call.  Returns 0, or
 * nonzero to stop the export (a write that failed: errno is the caller's
 * to keep). */
typedef int (*eaf_write_fn)(const char *data, size_t len, void *payload);

/**
 * Options for eaf_db_export(); initialise with EAF_EXPORT_OPTIONS_INIT.
 * NULL options are the defaults.
 * @since 1.0
 */
typedef struct eaf_export_options {
    unsigned version;        /**< EAF_EXPORT_OPTIONS_VERSION */
    unsigned flags;          /**< none yet: 0 */
} eaf_export_options;

#define EAF_EXPORT_OPTIONS_VERSION 1
#define EAF_EXPORT_OPTIONS_INIT { EAF_EXPORT_OPTIONS_VERSION, 0 }

/**
 * Writes every article of the index as JSON Lines, the format the JSON
 * Lines reader (EAF_FORMAT_JSONL) reads back: first a header line,
 * {"eafsearch_export":{"version":1,"language":...,"related":{...}}}, with
 * the index's stemming language and the options of its related lists
 * (left out when they cannot be read), which the reader passes over; then
 * one compact object per article, in key order, with every member
 * present (id, url, title, date, authors, topics, countries, tags,
 * summary, body, bio, lang, related).  Exports of one index are the same
 * byte for byte.  The articles are read as eaf_db_articles() reads them.
 * @param[out] count_out  if not NULL, the number of articles written
 * @param[in]  db         the handle
 * @param[in]  opts       NULL, or options with a known version
 * @param[in]  write      called with each piece of text
 * @param[in]  payload    passed to write
 * @retval EAF_OK
 * @retval EAF_ABORT   write returned nonzero: what it took before stays
 *                     written, up to part of a line
 * @retval EAF_MISUSE  a NULL db or write, or options of a version this
 *                     library does not know
 * @retval EAF_BUSY, EAF_IO, EAF_NOMEM, EAF_CORRUPT  reading the index
 * @since 1.0
 */
EAF_API EAF_WARN_UNUSED EAF_NONNULL(2, 4)
eaf_status eaf_db_export(int64_t *count_out, eaf_db *db, const eaf_export_options *opts,
                         eaf_write_fn write, void *payload);

/**
 * Reads the settings an export carries in its header line (see
 * eaf_db_export()): the stemming language of the exported index, and the
 * options of its related lists when the header has them, for a program
 * that makes a new index from the export (eaf_open_options.language,
 * eaf_related_set_defaults()).
 * @param[out] language_out     the language; the caller frees it with
 *                              eaf_free(); NULL unless EAF_OK
 * @param[out] related_out      if not NULL, each related option the header
 *                              gives is written over the same field (the
 *                              caller fills it first, for instance with
 *                              EAF_RELATED_OPTIONS_INIT)
 * @param[out] has_related_out  if not NULL, 1 when the header gives related
 *                              options, else 0
 * @param[in]  line             the first line of the export
 * @param[in]  len              its length in bytes, or EAF_NTS
 * @retval EAF_OK
 * @retval EAF_NOTFOUND  the line is not an export's header
 * @retval EAF_MISUSE    a NULL language_out or line, or related_out of a
 *                       version this library does not know
 * @retval EAF_NOMEM
 * Thread-safe.
 * @since 1.0
 */
EAF_API EAF_WARN_UNUSED
eaf_status eaf_export_settings(char **language_out, eaf_related_options *related_out,
                               int *has_related_out, const char *line, size_t len);

/**
 * Copies text, replacing each byte that does not start a valid UTF-8
 * character (a stray continuation byte, an overlong form, a surrogate, a
 * code point past U+10FFFF, a sequence cut short) and each NUL byte by
 * U+FFFD, one replacement per byte.  Valid text comes back unchanged.
 * @param[out] out  the copy, NUL-terminated; the caller frees it with
 *                  eaf_free(); NULL on failure
 * @param[in]  s    the text
 * @param[in]  n    its length in bytes, or EAF_NTS when NUL-terminated
 * @retval EAF_OK
 * @retval EAF_MISUSE  a NULL out or s
 * @retval EAF_NOMEM
 * Thread-safe.
 * @since 1.0
 */
EAF_API EAF_WARN_UNUSED
eaf_status eaf_utf8_clean(char **out, const char *s, size_t n);

/**
 * The length in bytes of the valid UTF-8 character that starts at s, in
 * the n bytes there: 1 to 4, or 0 when the byte at s does not start one
 * (see eaf_utf8_clean(); a NUL byte here is a character of 1 byte) or n
 * is 0.  A program that shows text steps through it with this, one
 * character or one bad byte at a time.
 * Thread-safe.
 * @since 1.0
 */
EAF_API EAF_NONNULL(1)
size_t eaf_utf8_char(const char *s, size_t n);

EAF_END_DECLS

#endif /* EAFSEARCH_H */
