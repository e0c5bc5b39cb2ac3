/*
 * tap.h: a small TAP producer for the unit tests.
 *
 *   ok(cond, "what it checks %d", n);
 *   is_str(got, want, "...");  is_int(got, want, "...");
 *   return done_testing();
 *
 * Each failure prints the file, line and the values compared.  The plan
 * line comes last, so tests need not count themselves.  An exit status of
 * 77 (tap_skip_all) means the whole program was skipped.
 */
#ifndef EAF_TAP_H
#define EAF_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define TAP_UNUSED __attribute__((unused))
#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TAP_UNUSED
#define TAP_PRINTF(f, a)
#endif

static int tap_count, tap_failures;

TAP_UNUSED TAP_PRINTF(4, 0) static int tap_vok(int pass, const char *file, int line, const char *fmt, va_list ap)
{
    printf("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
    vprintf(fmt, ap);
    printf("\n");
    if (!pass) {
        tap_failures++;
        printf("#   failed at %s:%d\n", file, line);
    }
    fflush(stdout);
    return pass;
}

TAP_UNUSED TAP_PRINTF(4, 5) static int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = tap_vok(pass, file, line, fmt, ap);
    va_end(ap);
    return r;
}

TAP_UNUSED TAP_PRINTF(5, 6) static int tap_is_str(const char *got, const char *want, const char *file, int line,
                      const char *fmt, ...)
{
    va_list ap;
    int pass = (got == NULL && want == NULL) ||
               (got != NULL && want != NULL && strcmp(got, want) == 0);

    va_start(ap, fmt);
    tap_vok(pass, file, line, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#          got: %s%s%s\n#     expected: %s%s%s\n", got ? "'" : "",
               got ? got : "NULL", got ? "'" : "", want ? "'" : "",
               want ? want : "NULL", want ? "'" : "");
    return pass;
}

TAP_UNUSED TAP_PRINTF(5, 6) static int tap_is_int(long long got, long long want, const char *file, int line,
                      const char *fmt, ...)
{
    va_list ap;
    int pass = got == want;

    va_start(ap, fmt);
    tap_vok(pass, file, line, fmt, ap);
    va_end(ap);
    if (!pass)
        printf("#          got: %lld\n#     expected: %lld\n", got, want);
    return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
    tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

TAP_UNUSED static int done_testing(void)
{
    printf("1..%d\n", tap_count);
    return tap_failures ? 1 : 0;
}

TAP_UNUSED static int tap_skip_all(const char *why)
{
    printf("1..0 # SKIP %s\n", why);
    return 0;
}

#endif /* EAF_TAP_H */
