/*
 * standalone.c: runs a fuzz target on the files named on the command line,
 * or on every file of the folders named there, without libFuzzer.  make
 * check uses it to replay each target's corpus (and the crashers kept in
 * it) under gcc.  TAP output: one line per file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0, k;
    unsigned char chunk[4096];

    if (!f) {
        printf("not ok %d - cannot read %s\n", ++count, path);
        return;
    }
    while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (n + k > cap) {
            unsigned char *p;
            cap = (n + k) * 2;
            p = realloc(buf, cap);
            if (!p)
                break;
            buf = p;
        }
        memcpy(buf + n, chunk, k);
        n += k;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", n);
    free(buf);
    printf("ok %d - %s\n", ++count, path);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path)
{
    struct stat sb;
    DIR *d;
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;

    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        run_file(path);
        return;
    }
    d = opendir(path);
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char **p;
        if (e->d_name[0] == '.')
            continue;
        p = realloc(names, (n + 1) * sizeof(*names));
        if (!p)
            break;
        names = p;
        names[n] = malloc(strlen(path) + strlen(e->d_name) + 2);
        if (names[n])
            sprintf(names[n++], "%s/%s", path, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    for (i = 0; i < n; i++) {
        run_path(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++)
        run_path(argv[i]);
    printf("1..%d\n", count);
    return count > 0 ? 0 : 1;
}
