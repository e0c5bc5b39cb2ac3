/*
 * enospc.c: a full disk, for the tests (LD_PRELOAD).  Once a process has
 * written EAF_ENOSPC_BYTES bytes to regular files, every further write to
 * one fails with ENOSPC, as on a disk that filled up; writes to pipes and
 * terminals go through.  Only what the tests need of write(2), pwrite(2)
 * and pwrite64(2).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long long budget = -1, written;

static int regular(int fd)
{
    struct stat sb;

    return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* 1 when a write of n bytes to fd must fail. */
static int full(int fd, size_t n)
{
    if (budget < 0) {
        const char *b = getenv("EAF_ENOSPC_BYTES");
        budget = b ? atoll(b) : 0x7fffffffffffffffLL;
    }
    if (!regular(fd))
        return 0;
    if (written + (long long)n > budget) {
        errno = ENOSPC;
        return 1;
    }
    written += (long long)n;
    return 0;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);

    if (!real)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (full(fd, n))
        return -1;
    return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);

    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    if (full(fd, n))
        return -1;
    return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);

    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    if (full(fd, n))
        return -1;
    return real(fd, buf, n, off);
}
