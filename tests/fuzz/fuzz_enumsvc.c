/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_enumsvc.c -- libFuzzer target for enumsvc.c. The input is parsed both
 * as a NAPTR Services field and as an Enumservice a client asks for; every
 * Enumservice that parses must have a valid type, format into 100 bytes (or,
 * for a long chain of subtypes, be refused cleanly), match itself and
 * round-trip through ef_enumsvc_parse().
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/enumsvc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_svc(const ef_enumsvc_t *svc)
{
    char text[100];
    ef_enumsvc_t back;
    size_t need;
    int rc;

    if (svc->type.len == 0 || svc->type.len > EF_ENUMSVC_TOKEN_MAX)
        abort();
    /*
     * A type and one subtype always fit in 100 bytes; a chain of subtypes
     * ("a:b:c:...", allowed by the 0*(subtypespec) of RFC 6116 §3.4.3) may not,
     * and must then be refused rather than overflow.
     */
    need = svc->type.len + (svc->subtype.len > 0 ? 1 + svc->subtype.len : 0);
    rc = ef_enumsvc_format(svc, text, sizeof text);
    if (need >= sizeof text) {
        if (rc != EF_E2BIG || memchr(svc->subtype.ptr, ':', svc->subtype.len) == NULL)
            abort();
        return;
    }
    if (rc <= 0 || (size_t)rc != need || strlen(text) != (size_t)rc)
        abort();
    if (!ef_enumsvc_match(svc, svc))
        abort();
    if (ef_enumsvc_parse(text, (size_t)rc, &back, NULL) != 0 || !ef_enumsvc_match(&back, svc) ||
        !ef_enumsvc_match(svc, &back))
        abort();
    (void)ef_enumsvc_is_private(svc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    ef_svcfield_t field;
    ef_enumsvc_t svc;
    ef_perr_t err = {0, NULL};
    int rc;

    rc = ef_svcfield_parse(buf, size, &field, &err);
    if (rc == 0) {
        if (field.n == 0 || field.n > EF_ENUMSVC_MAX || field.app.len != 3)
            abort();
        for (size_t i = 0; i < field.n; i++)
            check_svc(&field.svc[i]);
    } else if (rc == EF_ESYNTAX || rc == EF_E2BIG) {
        if (err.reason == NULL || err.offset > size)
            abort();
    } else if (rc != EF_ENOTE2U) {
        abort();
    }

    err.reason = NULL;
    rc = ef_enumsvc_parse(buf, size, &svc, &err);
    if (rc == 0)
        check_svc(&svc);
    else if (rc != EF_ESYNTAX || err.reason == NULL || err.offset > size)
        abort();
    return 0;
}
