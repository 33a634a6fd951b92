/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ddds.c -- libFuzzer target for ddds.c. The data is split at its first
 * '\n' into a substitution expression and an input string (the whole data is
 * the expression when there is no '\n'); each half is copied to a buffer of
 * exactly its size so that AddressSanitizer catches any over-read. The rule is
 * applied through a long-lived rule cache (small, so eviction is exercised)
 * and without a cache: both must agree on the code, the result and the error.
 * regcomp() depends on LC_CTYPE: set FUZZ_DDDS_LOCALE (say, to C.UTF-8) to
 * fuzz under a multibyte locale instead of "C".
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/ddds.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ef_ddds_cache_t *cache;

static char *dup_exact(const uint8_t *p, size_t n)
{
    char *s = malloc(n > 0 ? n : 1);

    if (s == NULL)
        abort();
    if (n > 0)
        memcpy(s, p, n);
    return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *locale = getenv("FUZZ_DDDS_LOCALE");

    (void)argc;
    (void)argv;
    if (locale != NULL && setlocale(LC_ALL, locale) == NULL)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out1[EF_DDDS_OUT_MAX + 1], out2[EF_DDDS_OUT_MAX + 1];
    const uint8_t *nl = memchr(data, '\n', size);
    size_t expr_len = nl != NULL ? (size_t)(nl - data) : size;
    size_t in_len = nl != NULL ? size - expr_len - 1 : 0;
    char *expr = dup_exact(data, expr_len);
    char *in = dup_exact(data + size - in_len, in_len);
    ef_perr_t e1 = {0, NULL}, e2 = {0, NULL};
    int rc1, rc2;

    if (cache == NULL && (cache = ef_ddds_cache_new(16)) == NULL)
        abort();
    rc1 = ef_ddds_apply(cache, expr, expr_len, in, in_len, out1, sizeof out1, &e1);
    rc2 = ef_ddds_apply(NULL, expr, expr_len, in, in_len, out2, sizeof out2, &e2);
    if (rc1 != rc2 || e1.offset != e2.offset || e1.reason != e2.reason)
        abort();
    if (rc1 >= 0 && (strlen(out1) != (size_t)rc1 || strcmp(out1, out2) != 0))
        abort();
    if (rc1 == EF_ESYNTAX && (e1.reason == NULL || e1.offset > expr_len))
        abort();
    if (rc1 < 0 && rc1 != EF_ESYNTAX && rc1 != EF_ENOMATCH && rc1 != EF_E2BIG && rc1 != EF_EINVAL)
        abort();
    free(expr);
    free(in);
    return 0;
}
