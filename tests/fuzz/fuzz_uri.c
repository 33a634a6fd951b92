/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_uri.c -- libFuzzer target for lib/uri/. The input is a URI as a peer
 * sends it. When ef_uri_parse() refuses it, the error must be one of ours
 * with a reason and an offset within the input. When it accepts it, every
 * slice must lie within the input, the counts within their limits, the
 * scheme-specific parser must give the same result (and the others refuse
 * it), a sip:/sips: URI must equal itself, its user must decode, and every
 * parameter must be found by its name. An input holding a newline is also
 * cut there into two URIs whose comparison must be symmetric.
 */
#include <stdlib.h>
#include <string.h>

#include "enumfed/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*parse_fn)(const char *, size_t, ef_uri_t *, ef_perr_t *);

static void check_slice(ef_str_t s, const char *buf, size_t size)
{
    if (s.ptr == NULL) {
        if (s.len != 0)
            abort();
        return;
    }
    if (s.ptr < buf || s.len > size || (size_t)(s.ptr - buf) > size - s.len)
        abort();
}

static void check_slices(const ef_uri_t *u, const char *buf, size_t size)
{
    if (u->n_params > EF_URI_PARAMS_MAX || u->n_headers > EF_URI_PARAMS_MAX)
        abort();
    check_slice(u->scheme_name, buf, size);
    check_slice(u->user, buf, size);
    check_slice(u->password, buf, size);
    check_slice(u->host, buf, size);
    check_slice(u->opaque, buf, size);
    for (size_t i = 0; i < u->n_params; i++) {
        check_slice(u->params[i].name, buf, size);
        check_slice(u->params[i].value, buf, size);
        if (u->params[i].name.len == 0)
            abort();
    }
    for (size_t i = 0; i < u->n_headers; i++) {
        check_slice(u->headers[i].name, buf, size);
        check_slice(u->headers[i].value, buf, size);
        if (u->headers[i].name.len == 0 || u->headers[i].value.ptr == NULL)
            abort();
    }
    if ((u->host_kind == EF_HOST_NONE) != (u->host.ptr == NULL) || u->port < -1 ||
        u->port > 65535 || u->scheme_name.ptr != buf)
        abort();
}

static bool same_slice(ef_str_t a, ef_str_t b)
{
    return a.ptr == b.ptr && a.len == b.len;
}

static bool same_list(const ef_uri_param_t *a, const ef_uri_param_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same_slice(a[i].name, b[i].name) || !same_slice(a[i].value, b[i].value))
            return false;
    return true;
}

static bool same_uri(const ef_uri_t *a, const ef_uri_t *b)
{
    return a->scheme == b->scheme && same_slice(a->scheme_name, b->scheme_name) &&
           same_slice(a->user, b->user) && same_slice(a->password, b->password) &&
           same_slice(a->host, b->host) && a->host_kind == b->host_kind && a->port == b->port &&
           a->global_number == b->global_number && a->n_params == b->n_params &&
           same_list(a->params, b->params, a->n_params) && a->n_headers == b->n_headers &&
           same_list(a->headers, b->headers, a->n_headers) && same_slice(a->opaque, b->opaque);
}

/* The scheme-specific parser for u's scheme agrees; the others refuse the URI. */
static void check_reparse(const ef_uri_t *u, const char *buf, size_t size)
{
    static const struct {
        parse_fn fn;
        ef_uri_scheme_t a, b;
    } parsers[] = {
        {ef_uri_parse_sip, EF_URI_SIP, EF_URI_SIPS},
        {ef_uri_parse_tel, EF_URI_TEL, EF_URI_TEL},
        {ef_uri_parse_im, EF_URI_IM, EF_URI_PRES},
        {ef_uri_parse_enum, EF_URI_ENUM, EF_URI_ENUM},
    };

    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++) {
        ef_perr_t err = {0, NULL};
        ef_uri_t v;
        int rc = parsers[i].fn(buf, size, &v, &err);
        if (u->scheme == parsers[i].a || u->scheme == parsers[i].b) {
            if (rc != 0 || !same_uri(u, &v))
                abort();
        } else if (rc != EF_ESYNTAX || err.offset != 0 || err.reason == NULL) {
            abort();
        }
    }
}

static void check_uses(const ef_uri_t *u)
{
    char out[EF_URI_MAX], name[EF_URI_MAX + 1];
    int n;

    if (u->scheme == EF_URI_SIP || u->scheme == EF_URI_SIPS) {
        if (!ef_uri_sip_equal(u, u))
            abort();
        n = ef_uri_unescape(u->user, out, sizeof out);
        if (n < 0 || (size_t)n > u->user.len || (u->user.len > 0 && n == 0))
            abort();
        /* one byte short of the decoded length is refused */
        if (n > 0 && ef_uri_unescape(u->user, out, (size_t)n - 1) != EF_E2BIG)
            abort();
    } else if (ef_uri_sip_equal(u, u)) {
        abort();
    }
    for (size_t i = 0; i < u->n_params; i++) {
        memcpy(name, u->params[i].name.ptr, u->params[i].name.len);
        name[u->params[i].name.len] = '\0';
        const ef_uri_param_t *p = ef_uri_param(u, name);
        if (p != &u->params[i]) /* duplicates are refused, so the first match is this one */
            abort();
        if (u->params[i].value.ptr != NULL &&
            ef_uri_unescape(u->params[i].value, out, sizeof out) < 0)
            abort();
    }
}

/* Two URIs cut at a newline: ef_uri_sip_equal() must not depend on the order. */
static void check_pair(const char *buf, size_t size)
{
    const char *nl = memchr(buf, '\n', size);
    ef_uri_t a, b;
    size_t n;

    if (nl == NULL)
        return;
    n = (size_t)(nl - buf);
    if (ef_uri_parse(buf, n, &a, NULL) != 0 || ef_uri_parse(nl + 1, size - n - 1, &b, NULL) != 0)
        return;
    if (ef_uri_sip_equal(&a, &b) != ef_uri_sip_equal(&b, &a))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    ef_perr_t err = {0, NULL};
    ef_uri_t u;
    int rc = ef_uri_parse(buf, size, &u, &err);

    if (rc != 0) {
        if ((rc != EF_ESYNTAX && rc != EF_E2BIG) || err.reason == NULL || err.offset > size)
            abort();
        if (rc == EF_E2BIG && size <= EF_URI_MAX && strncmp(err.reason, "more than 32 ", 13) != 0)
            abort();
        check_pair(buf, size);
        return 0;
    }
    if (size > EF_URI_MAX)
        abort();
    check_slices(&u, buf, size);
    check_reparse(&u, buf, size);
    check_uses(&u);
    return 0;
}
