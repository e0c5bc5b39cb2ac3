/*
 * snapshot.c: eaf_db_snapshot(), a consistent and compact copy of a live
 * index in a new file, for the replicas that serve it.
 *
 * The copy is written to a temporary file beside the destination, synced,
 * and renamed over the destination, so that a server watching the path
 * sees the old file or the new one, never half of one.  How it is copied
 * depends on the source's journal mode:
 *
 * - WAL (every index eafindex makes): VACUUM INTO, which reads the source
 *   in one read transaction, so the copy is the index as one commit left
 *   it whatever eafindex commits meanwhile, and writes it without free
 *   pages.  A WAL reader never blocks the writer; only the checkpoint of
 *   the log waits for the copy to end.  Measured on an index of 20,000
 *   articles (88 MB) on this 2-core machine: 0.50 s, where the backup
 *   (page by page, in one read transaction) takes 0.31 s but then needs a
 *   VACUUM of the copy to drop the free pages, 1.03 s in all, for the same
 *   file; a writer committing every 2 ms went on committing through
 *   either (its p99 rose from 9 to about 150 ms with both: the disk and
 *   the cores shared, not a lock).
 * - Rollback journal (a snapshot copied again), or a handle with a read
 *   transaction open (its searches'): SQLite's online backup in steps of
 *   SNAPSHOT_STEP_PAGES, then VACUUM of the private copy.  Without a
 *   transaction held between steps a writer may commit between them (a
 *   reader of a rollback-journal file blocks the writer: VACUUM INTO there
 *   held a writer for the whole copy, 370 ms, against 55 ms at most in
 *   steps); the backup starts again from the first page when the source
 *   changed, and after SNAPSHOT_MAX_RESTARTS such restarts copies the rest
 *   in one step, so that a busy writer cannot keep it from ending.  With
 *   the handle's read transaction held, the steps all copy its state.
 *
 * The copy is in rollback-journal mode, not WAL: a file that only readers
 * use needs no log, and none is made beside it.  That matters when it is
 * renamed over the file a server reads: SQLite finds a WAL index's log by
 * its name (PATH-wal), so a new file put in the place of a WAL index that
 * is still open would be read with the old file's log.  For the same
 * reason a destination with a log beside it is refused.
 *
 * A shard set (shard.h) is copied into a folder: each shard as above,
 * into a new folder beside the destination, then the manifest; the folder
 * then takes the destination's name.  A destination that is a set already
 * (an earlier snapshot) is exchanged with the new folder in one step
 * (renameat2 RENAME_EXCHANGE, Linux 3.15), so that a server watching the
 * path sees the old set or the new one, and the old one is removed after.
 * Where the file system cannot exchange, the old set is renamed aside
 * first: for that moment the path names nothing, which a server takes as
 * no change (eafserve keeps what it has open).  Each shard is copied as
 * one commit left it; a writer committing to several shards meanwhile may
 * be in the copy of one and not yet in that of another (an article is in
 * one shard only, so none is copied half).
 */
#define _GNU_SOURCE /* renameat2 */
#include "db.h"
#include "shard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Pages per step of the backup (of 4 KB: 4 MB a step). */
#define SNAPSHOT_STEP_PAGES 1024
/* Restarts of a copy in steps (rollback-journal source) before the rest
 * is copied in one step. */
#define SNAPSHOT_MAX_RESTARTS 3
/* How long a step waits for a writer of a rollback-journal source. */
#define SNAPSHOT_BUSY_MS 5000

/* The files SQLite may leave beside the temporary copy. */
static void remove_temp(const char *tmp)
{
    static const char *const sfx[] = {"", "-journal", "-wal", "-shm"};
    size_t i;

    for (i = 0; i < EAF__ARRAY_LEN(sfx); i++) {
        char *p = eaf__printf("%s%s", tmp, sfx[i]);
        if (p)
            unlink(p);
        eaf__free(p);
    }
}

/* fsync of a file or folder by its path; 0 or an errno. */
static int sync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    int err = 0;

    if (fd < 0)
        return errno;
    if (fsync(fd) != 0 && !(dir && (errno == EINVAL || errno == EBADF)))
        err = errno;
    close(fd);
    return err;
}

/* The destination's folder ("." for a bare name), to free. */
static char *folder_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return eaf__strdup(".");
    if (slash == path)
        return eaf__strdup("/");
    return eaf__strndup(path, (size_t)(slash - path));
}

/* A name of our own beside path for the copy being written (the
 * tries-th tried), to free; NULL when out of memory. */
static char *temp_name(const char *path, int tries)
{
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    return eaf__printf("%s.snapshot-%ld-%lx", path, (long)getpid(),
                       (unsigned long)(now.tv_nsec ^ (tries * 7919L)));
}

/* Before anything is written: a destination that may be replaced. */
static eaf_status check_destination(eaf_db *db, const char *path)
{
    struct stat sb, src;
    char *dir, *wal;
    eaf_status st = EAF_OK;

    if (!*path)
        return eaf__db_error(db, EAF_MISUSE, "no path for the snapshot");
    dir = folder_of(path);
    wal = eaf__printf("%s-wal", path);
    if (!dir || !wal) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    } else if (stat(dir, &sb) != 0) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           strerror(errno));
    } else if (!S_ISDIR(sb.st_mode)) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': '%s' is not a folder",
                           path, dir);
    } else if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': it is a folder", path);
    } else if (stat(path, &sb) == 0 && stat(db->path, &src) == 0 && sb.st_dev == src.st_dev &&
               sb.st_ino == src.st_ino) {
        st = eaf__db_error(db, EAF_MISUSE,
                           "the snapshot '%s' would replace the index it copies", path);
    } else if (access(wal, F_OK) == 0) {
        st = eaf__db_error(db, EAF_IO,
                           "cannot replace '%s': it has a write-ahead log beside it ('%s'), "
                           "so it is an index a writer may be using, not a snapshot; "
                           "remove it first, or write the snapshot elsewhere", path, wal);
    }
    eaf__free(dir);
    eaf__free(wal);
    return st;
}

/* Is the source in WAL mode? */
static int source_is_wal(eaf_db *db)
{
    sqlite3_stmt *q = NULL;
    int wal = 0;

    if (sqlite3_prepare_v2(db->sql, "PRAGMA main.journal_mode", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(q, 0);
        wal = m && strcmp((const char *)m, "wal") == 0;
    }
    sqlite3_finalize(q);
    return wal;
}

/* A WAL source outside a transaction: VACUUM INTO the file tmp (empty),
 * in one read transaction of the source. */
static eaf_status vacuum_into(eaf_db *db, const char *tmp, const char *what)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db->sql, "VACUUM main INTO ?1", -1, &q, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(q, 1, tmp, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_OK ? EAF_OK : eaf__db_sqlerr(db, rc, what);
}

/* Otherwise: the backup of db into the open connection copy, in steps
 * (see the top of the file), then the copy compacted. */
static eaf_status backup_pages(eaf_db *db, sqlite3 *copy, const char *what)
{
    sqlite3_backup *b;
    int rc, held = !sqlite3_get_autocommit(db->sql);
    int restarts = 0, last_remaining = -1, step = SNAPSHOT_STEP_PAGES, waited = 0;

    b = sqlite3_backup_init(copy, "main", db->sql, "main");
    if (!b)
        return eaf__error_sqlite(&db->err, copy, sqlite3_errcode(copy), what);
    for (;;) {
        rc = sqlite3_backup_step(b, step);
        if (rc == SQLITE_DONE)
            break;
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waited < SNAPSHOT_BUSY_MS) {
            /* a writer holds the source (rollback-journal mode): let it
             * commit, as the handle's busy timeout would */
            sqlite3_sleep(10);
            waited += 10;
            continue;
        }
        if (rc != SQLITE_OK)
            break;
        if (!held) {
            /* the backup starts over from the first page when the source
             * changed since the last step: more pages remain than the
             * last step left */
            int remaining = sqlite3_backup_remaining(b);
            if (last_remaining >= 0 && remaining > last_remaining - step &&
                ++restarts >= SNAPSHOT_MAX_RESTARTS)
                step = -1;
            last_remaining = remaining;
        }
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return eaf__db_sqlerr(db, rc, what);
    /* the backup copied the source's header, its journal mode included:
     * rollback journal, then the file rewritten without its free pages.
     * No journal for that VACUUM: the file is ours until it is renamed,
     * and a failure removes it. */
    rc = sqlite3_exec(copy, "PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; VACUUM",
                      NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return eaf__error_sqlite(&db->err, copy, rc, what);
    return EAF_OK;
}

/* The generation the copy reads. */
static eaf_status copy_generation(eaf_db *db, sqlite3 *copy, uint64_t *gen, const char *what)
{
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(copy,
                                "SELECT CAST(value AS INTEGER) FROM eaf_meta"
                                " WHERE name = 'generation'", -1, &q, NULL);

    if (rc == SQLITE_OK) {
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            *gen = (uint64_t)sqlite3_column_int64(q, 0);
        if (rc == SQLITE_ROW || rc == SQLITE_DONE)
            rc = SQLITE_OK;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        return eaf__error_sqlite(&db->err, copy, rc, what);
    return EAF_OK;
}

/* The snapshot of one file's index db (the destination checked). */
static eaf_status snapshot_file(uint64_t *generation_out, eaf_db *db, const char *path)
{
    sqlite3 *copy = NULL;
    char *tmp = NULL, *dir = NULL, *what = NULL;
    uint64_t gen = 0;
    eaf_status st;
    int fd, rc, err, tries;

    /* a name of our own in the destination's folder (the rename is atomic
     * only within one file system); made as any new file is, with the
     * umask's permissions (mkstemp's 0600 would keep a server of another
     * user out) */
    dir = folder_of(path);
    what = eaf__printf("writing the snapshot '%s'", path);
    if (!dir || !what) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
        goto out;
    }
    for (fd = -1, tries = 0; fd < 0 && tries < 100; tries++) {
        eaf__free(tmp);
        tmp = temp_name(path, tries);
        if (!tmp) {
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
            goto out;
        }
        fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           strerror(errno));
        eaf__free(tmp);
        tmp = NULL;
        goto out;
    }
    /* closed before SQLite opens it: closing a descriptor of a file drops
     * every lock the process holds on it, SQLite's too */
    close(fd);
    rc = sqlite3_open_v2(tmp, &copy, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           copy ? sqlite3_errmsg(copy) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(copy, 1);
    sqlite3_exec(copy, "PRAGMA synchronous=OFF", NULL, NULL, NULL); /* synced below */
    if (source_is_wal(db) && sqlite3_get_autocommit(db->sql))
        st = vacuum_into(db, tmp, what);
    else
        st = backup_pages(db, copy, what);
    if (st == EAF_OK)
        st = copy_generation(db, copy, &gen, what);
    rc = sqlite3_close(copy);
    copy = NULL;
    if (st == EAF_OK && rc != SQLITE_OK)
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           sqlite3_errstr(rc));
    if (st != EAF_OK)
        goto out;
    /* on disk before it has the name, and the name on disk after */
    err = sync_path(tmp, 0);
    if (err == 0 && rename(tmp, path) != 0)
        err = errno;
    if (err != 0) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           strerror(err));
        goto out;
    }
    eaf__free(tmp);
    tmp = NULL;
    if ((err = sync_path(dir, 1)) != 0) {
        st = eaf__db_error(db, EAF_IO, "the snapshot '%s' is written, but its folder "
                           "could not be synced: %s", path, strerror(err));
        goto out;
    }
    if (generation_out)
        *generation_out = gen;
out:
    if (copy)
        sqlite3_close(copy);
    if (tmp)
        remove_temp(tmp);
    eaf__free(tmp);
    eaf__free(dir);
    eaf__free(what);
    return st;
}

/* ---- a shard set ----------------------------------------------------------------- */

/* Is name one of the files a set's folder holds (the manifest, a shard,
 * what SQLite and eafindex put beside a shard)? */
static int set_file(const char *name)
{
    static const char *const sfx[] = {"", "-journal", "-wal", "-shm", "-lock"};
    unsigned k;
    int used;
    size_t i;

    if (strcmp(name, EAF__SET_MANIFEST) == 0)
        return 1;
    if (sscanf(name, "shard-%u.db%n", &k, &used) != 1 || k >= EAF__SET_MAX)
        return 0;
    for (i = 0; i < EAF__ARRAY_LEN(sfx); i++)
        if (strcmp(name + used, sfx[i]) == 0)
            return 1;
    return 0;
}

/* Removes a set's folder that nothing else is in (set_file). */
static void remove_set_folder(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d) {
        while ((e = readdir(d)) != NULL) {
            char *p;
            if (!set_file(e->d_name))
                continue;
            p = eaf__printf("%s/%s", dir, e->d_name);
            if (p)
                unlink(p);
            eaf__free(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Is the SQLite file name in dir in WAL mode (its header's read and write
 * versions, bytes 18 and 19, are 2)?  An index eafindex writes is; a
 * snapshot never is. */
static int is_wal_file(const char *dir, const char *name)
{
    char *p = eaf__printf("%s/%s", dir, name);
    unsigned char head[20];
    int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1, wal = 0;

    if (fd >= 0) {
        wal = read(fd, head, sizeof(head)) == (ssize_t)sizeof(head) && head[18] == 2 &&
              head[19] == 2;
        close(fd);
    }
    eaf__free(p);
    return wal;
}

/* A destination that a set's snapshot may take the name of: nothing yet,
 * an empty folder, or a folder holding only a set no writer has open
 * (*exists then 1). */
static eaf_status check_set_destination(eaf_db *db, const char *path, int *exists)
{
    struct stat sb, src;
    DIR *d;
    struct dirent *e;
    char *parent;
    eaf_status st = EAF_OK;

    *exists = 0;
    if (!*path)
        return eaf__db_error(db, EAF_MISUSE, "no path for the snapshot");
    parent = folder_of(path);
    if (!parent)
        return eaf__db_error(db, EAF_NOMEM, "out of memory");
    if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode))
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': '%s' is not a folder",
                           path, parent);
    eaf__free(parent);
    if (st != EAF_OK || stat(path, &sb) != 0)
        return st;
    if (!S_ISDIR(sb.st_mode))
        return eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': it is a file, and "
                             "the snapshot of a shard set is a folder", path);
    if (stat(db->set->dir, &src) == 0 && sb.st_dev == src.st_dev && sb.st_ino == src.st_ino)
        return eaf__db_error(db, EAF_MISUSE,
                             "the snapshot '%s' would replace the shard set it copies", path);
    d = opendir(path);
    if (!d)
        return eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                             strerror(errno));
    while (st == EAF_OK && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!set_file(e->d_name))
            st = eaf__db_error(db, EAF_IO, "cannot replace '%s': it holds '%s', so it is not "
                               "a snapshot of a shard set; remove it first, or write the "
                               "snapshot elsewhere", path, e->d_name);
        else if ((n > 4 && strcmp(e->d_name + n - 4, "-wal") == 0) ||
                 (n > 3 && strcmp(e->d_name + n - 3, ".db") == 0 && is_wal_file(path, e->d_name)))
            st = eaf__db_error(db, EAF_IO, "cannot replace '%s': its shards are in "
                               "write-ahead-log mode ('%s'), so it is a shard set a writer "
                               "may be using, not a snapshot; remove it first, or write the "
                               "snapshot elsewhere", path, e->d_name);
    }
    closedir(d);
    *exists = 1;
    return st;
}

/* The new folder tmp takes the name path, where a folder is already
 * (see the top of the file): 0 or an errno. */
static int swap_in(const char *tmp, const char *path)
{
    char *aside;
    int err = 0;

#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0) {
        remove_set_folder(tmp); /* the old set, now at tmp's name */
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return errno;
#endif
    aside = eaf__printf("%s.old", tmp);
    if (!aside)
        return ENOMEM;
    if (rename(path, aside) != 0)
        err = errno;
    else if (rename(tmp, path) != 0) {
        err = errno;
        rename(aside, path);
    } else {
        remove_set_folder(aside);
    }
    eaf__free(aside);
    return err;
}

/* The snapshot of the set db into the folder path. */
static eaf_status snapshot_set(uint64_t *generation_out, eaf_db *db, const char *path)
{
    struct eaf__set *set = db->set;
    char *tmp = NULL, *dir = NULL;
    uint64_t total = 0;
    eaf_status st;
    unsigned k;
    int exists, err, tries;

    st = check_set_destination(db, path, &exists);
    if (st != EAF_OK)
        return st;
    for (tries = 0; tries < 100; tries++) {
        eaf__free(tmp);
        tmp = temp_name(path, tries);
        if (!tmp)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        err = mkdir(tmp, 0777) == 0 ? 0 : errno;
        if (err != EEXIST)
            break;
    }
    if (err != 0) {
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           strerror(err));
        eaf__free(tmp);
        return st;
    }
    for (k = 0; k < set->n && st == EAF_OK; k++) {
        eaf_db *member = set->db[k];
        char *out = eaf__set_shard_path(tmp, k);
        uint64_t gen = 0;

        if (!out) {
            st = eaf__db_error(db, EAF_NOMEM, "out of memory");
            break;
        }
        eaf__db_clear_error(member);
        st = snapshot_file(&gen, member, out);
        if (st != EAF_OK)
            eaf__db_error(db, st, "shard %u of '%s': %s", k, set->dir, eaf_db_errmsg(member));
        total += gen;
        eaf__free(out);
    }
    if (st == EAF_OK && (err = eaf__set_write_manifest(tmp, set->n)) != 0)
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           strerror(err));
    if (st == EAF_OK && (err = sync_path(tmp, 1)) != 0)
        st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                           strerror(err));
    if (st == EAF_OK) {
        err = exists ? swap_in(tmp, path) : (rename(tmp, path) == 0 ? 0 : errno);
        if (err != 0)
            st = eaf__db_error(db, EAF_IO, "cannot write the snapshot '%s': %s", path,
                               strerror(err));
    }
    if (st != EAF_OK) {
        remove_set_folder(tmp);
    } else if ((dir = folder_of(path)) == NULL) {
        st = eaf__db_error(db, EAF_NOMEM, "out of memory");
    } else if ((err = sync_path(dir, 1)) != 0) {
        st = eaf__db_error(db, EAF_IO, "the snapshot '%s' is written, but its folder "
                           "could not be synced: %s", path, strerror(err));
    }
    if (st == EAF_OK && generation_out)
        *generation_out = total;
    eaf__free(dir);
    eaf__free(tmp);
    return st;
}

eaf_status eaf_db_snapshot(uint64_t *generation_out, eaf_db *db, const char *path)
{
    eaf_status st;

    if (generation_out)
        *generation_out = 0;
    if (!db)
        return EAF_MISUSE;
    eaf__db_clear_error(db);
    if (!path)
        return eaf__db_error(db, EAF_MISUSE, "no path for the snapshot");
    if (db->set && !db->set->db) /* a writer of one shard (shard.h) */
        return eaf__db_error(db, EAF_MISUSE,
                             "'%s' is one shard of a set: a snapshot is of the whole set,"
                             " opened by its folder", db->path);
    if (db->set) {
        /* the folder's name without the slashes that may end it ("snap/"):
         * the new folder is made beside it, not in it */
        size_t n = strlen(path);
        char *name;

        while (n > 1 && path[n - 1] == '/')
            n--;
        name = eaf__strndup(path, n);
        if (!name)
            return eaf__db_error(db, EAF_NOMEM, "out of memory");
        st = snapshot_set(generation_out, db, name);
        eaf__free(name);
        return st;
    }
    if (db->in_txn)
        return eaf__db_error(db, EAF_MISUSE,
                             "a transaction is open on the handle: commit it before a "
                             "snapshot");
    st = check_destination(db, path);
    if (st != EAF_OK)
        return st;
    return snapshot_file(generation_out, db, path);
}
