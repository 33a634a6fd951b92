/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tap.h -- a minimal TAP producer for the unit tests. Each test binary runs its
 * cases in order; every check prints one "ok N" / "not ok N" line, failures show
 * both sides. The binary exits non-zero when any check failed, which is what
 * CTest records.
 */
#ifndef EF_TESTS_TAP_H
#define EF_TESTS_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_result(int ok, const char *file, int line, const char *what)
{
    tap_n++;
    if (!ok)
        tap_failed++;
    printf("%sok %d - %s:%d %s\n", ok ? "" : "not ", tap_n, file, line, what);
}

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        int c_ = !!(cond);                                                                         \
        tap_result(c_, __FILE__, __LINE__, #cond);                                                 \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        tap_result(a_ == b_, __FILE__, __LINE__, #a " == " #b);                                    \
        if (a_ != b_)                                                                              \
            printf("#   got %lld, expected %lld\n", a_, b_);                                       \
    } while (0)

/* Compares a (ptr, len) slice or NUL-terminated string with an expected C string. */
#define CHECK_STRN(p, n, b)                                                                        \
    do {                                                                                           \
        const char *p_ = (p), *b_ = (b);                                                           \
        size_t n_ = (n);                                                                           \
        int ok_ = p_ != NULL && strlen(b_) == n_ && memcmp(p_, b_, n_) == 0;                       \
        tap_result(ok_, __FILE__, __LINE__, #p " == " #b);                                         \
        if (!ok_)                                                                                  \
            printf("#   got \"%.*s\", expected \"%s\"\n", p_ ? (int)n_ : 6, p_ ? p_ : "(null)",    \
                   b_);                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *sa_ = (a);                                                                     \
        CHECK_STRN(sa_, sa_ ? strlen(sa_) : 0, b);                                                 \
    } while (0)

#define TAP_DONE()                                                                                 \
    do {                                                                                           \
        printf("1..%d\n", tap_n);                                                                  \
        printf("# %d passed, %d failed\n", tap_n - tap_failed, tap_failed);                        \
        return tap_failed != 0;                                                                    \
    } while (0)

#endif
