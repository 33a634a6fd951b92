/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_template.c -- the registration-template checker on any bytes: it must
 * judge or refuse every input, never read another file or the network, and
 * keep its findings within the array it was given.
 */
#include <stdlib.h>

#include "enumfed/template.h"

#define CAP 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ef_tpl_finding_t out[CAP];
    char errbuf[256];
    size_t n = 0, i;
    int rc =
        ef_tpl_check_memory((const char *)data, size, "fuzz", out, CAP, &n, errbuf, sizeof(errbuf));

    if (rc == 0 || rc == EF_E2BIG || rc == EF_ESYNTAX || rc == EF_EINVAL) {
        if (n > CAP)
            abort();
        for (i = 0; i < n; i++)
            if (out[i].code == NULL || out[i].section == NULL)
                abort();
    }
    return 0;
}
