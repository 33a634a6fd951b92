/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_e164.c -- libFuzzer target for e164.c. The input is a number as a user
 * or a NAPTR gives it; when it parses, the AUS must be '+' and 1..15 digits and
 * its ENUM domain under e164.arpa (and under the root) must be exactly two
 * characters per digit plus the suffix and its final dot.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/e164.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_aus(const ef_e164_t *num)
{
    if (num->len < 2 || num->len > EF_E164_MAX_DIGITS + 1 || strlen(num->aus) != num->len ||
        num->aus[0] != '+')
        abort();
    for (size_t i = 1; i < num->len; i++)
        if (num->aus[i] < '0' || num->aus[i] > '9')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char suffix[] = "e164.arpa";
    ef_e164_t num;
    ef_perr_t err = {0, NULL};
    char out[EF_DNAME_TEXT_MAX];
    size_t digits;
    int rc;

    rc = ef_e164_parse((const char *)data, size, &num, &err);
    if (rc != 0) {
        if ((rc != EF_ESYNTAX && rc != EF_E2BIG) || err.reason == NULL || err.offset > size)
            abort();
        return 0;
    }
    check_aus(&num);
    digits = num.len - 1;

    rc = ef_e164_domain(&num, suffix, out, sizeof out);
    if (rc < 0 || (size_t)rc != 2 * digits + strlen(suffix) + 1 || strlen(out) != (size_t)rc ||
        out[rc - 1] != '.')
        abort();
    for (size_t i = 0; i < digits; i++)
        if (out[2 * i] != num.aus[num.len - 1 - i] || out[2 * i + 1] != '.')
            abort();

    rc = ef_e164_domain(&num, ".", out, sizeof out);
    if (rc < 0 || (size_t)rc != 2 * digits || strlen(out) != (size_t)rc)
        abort();
    /* one byte short of the NUL must be refused, not overflow */
    if (ef_e164_domain(&num, suffix, out, 2 * digits + strlen(suffix) + 1) != EF_E2BIG)
        abort();
    return 0;
}
