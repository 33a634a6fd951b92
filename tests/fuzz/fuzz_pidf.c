/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_pidf.c -- the PIDF decoder on any bytes: it must decode or refuse every
 * input with one of its documented errors, never read a file or the network;
 * what it decodes must encode, the encoding must decode again, and encoding
 * that second model must give the same bytes (unknown elements pass through
 * unchanged).
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/pidf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char errbuf[256];
    ef_pidf_t *p = NULL, *q = NULL;
    ef_buf_t e1, e2;
    int rc = ef_pidf_decode((const char *)data, size, &p, errbuf, sizeof(errbuf));

    if (rc != 0) {
        if ((rc != EF_ESYNTAX && rc != EF_E2BIG && rc != EF_ENOMEM) || p != NULL)
            abort();
        return 0;
    }
    ef_buf_init(&e1, 4 * EF_PIDF_MAX_BYTES);
    ef_buf_init(&e2, 4 * EF_PIDF_MAX_BYTES);
    if (ef_pidf_encode(p, &e1) != 0)
        abort();
    rc = ef_pidf_decode(e1.data, e1.len, &q, errbuf, sizeof(errbuf));
    /* The encoding may outgrow the size limit (indentation, declarations); nothing else. */
    if (rc != 0 && !(rc == EF_E2BIG && e1.len > EF_PIDF_MAX_BYTES))
        abort();
    if (rc == 0 &&
        (ef_pidf_encode(q, &e2) != 0 || e1.len != e2.len || memcmp(e1.data, e2.data, e1.len) != 0))
        abort();
    ef_buf_close(&e1);
    ef_buf_close(&e2);
    ef_pidf_free(p);
    ef_pidf_free(q);
    return 0;
}
