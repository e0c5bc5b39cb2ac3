/*
 * helper.c: what the hostile-input test needs that a shell does not have.
 *
 *   helper maxrss FILE COMMAND [ARG]...   runs COMMAND, writes its peak
 *                                         resident memory in kB to FILE,
 *                                         exits with its status (128 + the
 *                                         signal if it was killed)
 *   helper zipbomb FILE MB                writes a zip archive: a small
 *                                         page, then MB megabytes of one
 *                                         letter as an HTML page (a few
 *                                         hundred kB packed), then another
 *                                         page
 *
 * A build configured without libarchive reads no archives: its helper
 * makes no zip bomb (and the test skips the bombs).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef EAF_READ_ARCHIVES
#include <archive.h>
#include <archive_entry.h>
#endif

static int maxrss(const char *out, char **argv)
{
    struct rusage ru;
    int status = 0;
    pid_t pid = fork();
    FILE *f;

    if (pid < 0)
        return 99;
    if (pid == 0) {
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid)
        return 99;
    f = fopen(out, "w");
    if (f) {
        fprintf(f, "%ld\n", ru.ru_maxrss);
        fclose(f);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

#ifdef EAF_READ_ARCHIVES
static int add(struct archive *a, const char *name, const char *text, long repeat)
{
    struct archive_entry *e = archive_entry_new();
    size_t n = strlen(text);
    long i;

    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)(n * (size_t)repeat));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    if (archive_write_header(a, e) != ARCHIVE_OK)
        return 1;
    for (i = 0; i < repeat; i++)
        if (archive_write_data(a, text, n) != (la_ssize_t)n)
            return 1;
    archive_entry_free(e);
    return 0;
}

static int zipbomb(const char *path, long mb)
{
    struct archive *a = archive_write_new();
    static char block[1 << 20];
    int bad;

    memset(block, 'a', sizeof(block) - 1);
    archive_write_set_format_zip(a);
    if (archive_write_open_filename(a, path) != ARCHIVE_OK)
        return 1;
    bad = add(a, "before.md", "## Before the bomb\n\n**Author:** Kiri Tane\n\nA page.\n", 1) ||
          add(a, "bomb.html", block, mb) ||
          add(a, "after.md", "## After the bomb\n\nAnother page.\n", 1);
    archive_write_close(a);
    archive_write_free(a);
    return bad;
}
#else
static int zipbomb(const char *path, long mb)
{
    (void)mb;
    fprintf(stderr, "helper: cannot write %s: built without libarchive\n", path);
    return 1;
}
#endif

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "maxrss") == 0)
        return maxrss(argv[2], argv + 3);
    if (argc == 4 && strcmp(argv[1], "zipbomb") == 0)
        return zipbomb(argv[2], atol(argv[3]));
    fprintf(stderr, "usage: helper maxrss FILE COMMAND... | helper zipbomb FILE MB\n");
    return 2;
}
