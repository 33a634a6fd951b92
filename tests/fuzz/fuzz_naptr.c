/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_naptr.c -- libFuzzer target for naptr.c (and the Services field parser
 * of enumsvc.c). The input is one NAPTR rdata; when it decodes, every slice
 * must lie inside it, the replacement must print into EF_DNAME_TEXT_MAX bytes,
 * and the Flags and Services fields must classify without failure.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/e164.h"
#include "enumfed/enumsvc.h"
#include "enumfed/naptr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slice(ef_str_t s, const uint8_t *data, size_t size)
{
    const char *base = (const char *)data;

    if (s.len > size || s.ptr < base || s.ptr + s.len > base + size)
        abort();
}

static void check_services(ef_str_t services)
{
    ef_svcfield_t field;
    ef_perr_t err = {0, NULL};
    int rc = ef_svcfield_parse(services.ptr, services.len, &field, &err);

    if (rc == 0 && (field.n == 0 || field.n > EF_ENUMSVC_MAX))
        abort();
    if ((rc == EF_ESYNTAX || rc == EF_E2BIG) && (err.reason == NULL || err.offset > services.len))
        abort();
    if (rc != 0 && rc != EF_ENOTE2U && rc != EF_ESYNTAX && rc != EF_E2BIG)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ef_naptr_t rr;
    ef_perr_t err = {0, NULL};
    char text[EF_DNAME_TEXT_MAX];
    enum ef_naptr_kind kind;
    int rc;

    rc = ef_naptr_decode(data, size, &rr, &err);
    if (rc != 0) {
        if (rc != EF_ESYNTAX || err.reason == NULL || err.offset > size)
            abort();
        return 0;
    }
    check_slice(rr.flags, data, size);
    check_slice(rr.services, data, size);
    check_slice(rr.regexp, data, size);
    check_slice(rr.replacement, data, size);
    if (rr.replacement.len == 0 || rr.replacement.len > 255 || rr.index != 0)
        abort();

    rc = ef_naptr_replacement_text(&rr, text, sizeof text);
    if (rc <= 0 || strlen(text) != (size_t)rc || text[rc - 1] != '.')
        abort();
    if (ef_naptr_replacement_is_root(&rr) != (rc == 1))
        abort();

    kind = ef_naptr_kind(&rr);
    if (kind != EF_NAPTR_TERMINAL && kind != EF_NAPTR_NONTERMINAL && kind != EF_NAPTR_UNKNOWN)
        abort();
    check_services(rr.services);
    return 0;
}
