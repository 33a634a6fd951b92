/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumsvc.c -- the Services field of ENUM NAPTRs (RFC 6116 §3.4.3): telling
 * an ENUM rule ("E2U+sip", compound "E2U+voice:tel+sms:tel", the obsolete
 * RFC 2916 form "sip+E2U") from the rules of other DDDS applications, splitting
 * it into Enumservices, and matching, classifying and printing Enumservices as
 * a client asks for them ("voice:tel").
 *
 * Inputs are byte slices that need not be NUL-terminated; nothing here reads
 * past the given length, writes into the input or allocates. Parsed
 * Enumservices are slices into the input.
 */
#include <limits.h>

#include "enumfed/enumsvc.h"

#define APP_E2U "e2u"
#define APP_LEN 3

static int fail(ef_perr_t *err, size_t offset, const char *reason, int code)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}

static unsigned char to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* RFC 6116 §3.4.3: type / subtype = 1*32(ALPHA / DIGIT / "-") */
static bool is_token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool equal_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (to_lower((unsigned char)a[i]) != to_lower((unsigned char)b[i]))
            return false;
    return true;
}

static bool str_equal_nocase(ef_str_t a, ef_str_t b)
{
    return a.len == b.len && (a.len == 0 || equal_nocase(a.ptr, b.ptr, a.len));
}

static bool is_e2u(const char *s, size_t n)
{
    return n == APP_LEN && equal_nocase(s, APP_E2U, APP_LEN);
}

/* A token ends at ':' (a subtype follows) or '+' (the next Enumservice follows). */
static bool is_token_end(char c)
{
    return c == ':' || c == '+';
}

/*
 * One type or subtype token at buf[start], ending at `end` or at ':' or '+';
 * *stop receives where it ended.
 */
static int check_token(const char *buf, size_t start, size_t end, size_t *stop, bool subtype,
                       ef_perr_t *err)
{
    size_t p = start;

    while (p < end && !is_token_end(buf[p])) {
        if (!is_token_char((unsigned char)buf[p]))
            return fail(err, p, "illegal character in Enumservice", EF_ESYNTAX);
        if (p - start == EF_ENUMSVC_TOKEN_MAX)
            return fail(err, p,
                        subtype ? "Enumservice subtype longer than 32 characters"
                                : "Enumservice type longer than 32 characters",
                        EF_ESYNTAX);
        p++;
    }
    if (p == start)
        return fail(err, p, subtype ? "empty Enumservice subtype" : "empty Enumservice type",
                    EF_ESYNTAX);
    *stop = p;
    return 0;
}

/*
 * An enumservice = type 0*(":" subtype) at buf[start], ending at `end` or at
 * the first '+'. The subtype slice holds everything after the
 * first ':' ("b:c" for "a:b:c"), each part checked as a token.
 */
static int parse_one(const char *buf, size_t start, size_t end, ef_enumsvc_t *svc, size_t *stop,
                     ef_perr_t *err)
{
    size_t p, sub;
    int rc;

    rc = check_token(buf, start, end, &p, false, err);
    if (rc != 0)
        return rc;
    svc->type = (ef_str_t){buf + start, p - start};
    svc->subtype = (ef_str_t){buf + p, 0};
    sub = p + 1;
    while (p < end && buf[p] == ':') {
        rc = check_token(buf, p + 1, end, &p, true, err);
        if (rc != 0)
            return rc;
        svc->subtype = (ef_str_t){buf + sub, p - sub};
    }
    *stop = p;
    return 0;
}

/* Append one Enumservice at buf[start] to out, with the EF_ENUMSVC_MAX limit. */
static int add_one(const char *buf, size_t start, size_t end, ef_svcfield_t *out, size_t *stop,
                   ef_perr_t *err)
{
    if (out->n == EF_ENUMSVC_MAX)
        return fail(err, start, "more than 64 Enumservices", EF_E2BIG);
    return parse_one(buf, start, end, &out->svc[out->n++], stop, err);
}

/* RFC 6116 §3.4.3: service-field = "E2U" 1*("+" enumservice) */
static int parse_current(const char *buf, size_t len, ef_svcfield_t *out, ef_perr_t *err)
{
    size_t p = APP_LEN;
    int rc;

    out->app = (ef_str_t){buf, APP_LEN};
    if (p == len)
        return fail(err, p, "no Enumservice after E2U", EF_ESYNTAX);
    while (p < len) {
        /* buf[p] is '+': the prefix check and parse_one() stop only there */
        rc = add_one(buf, p + 1, len, out, &p, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/*
 * The obsolete RFC 2916 form "type+E2U" ("sip+E2U", also "a+b+E2U"), which
 * RFC 6116 §5.2 says clients SHOULD still support. `end` is the offset of the
 * '+' before the final "E2U".
 */
static int parse_obsolete(const char *buf, size_t len, size_t end, ef_svcfield_t *out,
                          ef_perr_t *err)
{
    size_t p = 0;
    int rc;

    out->app = (ef_str_t){buf + len - APP_LEN, APP_LEN};
    out->obsolete = true;
    for (;;) {
        rc = add_one(buf, p, end, out, &p, err);
        if (rc != 0)
            return rc;
        if (p == end)
            return 0;
        p++; /* the '+' between two services */
    }
}

/* Another DDDS application: its tag is the last '+'-separated token ("SIP+D2U" -> "D2U"). */
static int not_e2u(const char *buf, size_t len, ef_svcfield_t *out)
{
    size_t p = len;

    while (p > 0 && buf[p - 1] != '+')
        p--;
    out->app = (ef_str_t){buf + p, len - p};
    return EF_ENOTE2U;
}

int ef_svcfield_parse(const char *buf, size_t len, ef_svcfield_t *out, ef_perr_t *err)
{
    if (out == NULL || (buf == NULL && len != 0))
        return fail(err, 0, "invalid argument", EF_EINVAL);
    out->app = (ef_str_t){buf, 0};
    out->obsolete = false;
    out->n = 0;
    if (len == 0)
        return EF_ENOTE2U;
    /* RFC 6116 §3.7: ENUM rules MUST, and only ENUM rules may, hold the E2U token. */
    if (len >= APP_LEN && is_e2u(buf, APP_LEN) && (len == APP_LEN || buf[APP_LEN] == '+'))
        return parse_current(buf, len, out, err);
    if (len > APP_LEN && is_e2u(buf + len - APP_LEN, APP_LEN) && buf[len - APP_LEN - 1] == '+')
        return parse_obsolete(buf, len, len - APP_LEN - 1, out, err);
    return not_e2u(buf, len, out);
}

int ef_enumsvc_parse(const char *buf, size_t len, ef_enumsvc_t *out, ef_perr_t *err)
{
    size_t p = 0, stop;
    ef_enumsvc_t svc;
    int rc;

    if (out == NULL || (buf == NULL && len != 0))
        return fail(err, 0, "invalid argument", EF_EINVAL);
    if (len > APP_LEN && is_e2u(buf, APP_LEN) && buf[APP_LEN] == '+')
        p = APP_LEN + 1;
    rc = parse_one(buf, p, len, &svc, &stop, err);
    if (rc == 0 && stop != len)
        rc = fail(err, stop, "illegal character in Enumservice", EF_ESYNTAX);
    if (rc == 0)
        *out = svc;
    return rc;
}

bool ef_enumsvc_match(const ef_enumsvc_t *svc, const ef_enumsvc_t *want)
{
    if (svc == NULL || want == NULL || !str_equal_nocase(svc->type, want->type))
        return false;
    return want->subtype.len == 0 || str_equal_nocase(svc->subtype, want->subtype);
}

/* RFC 6116 §3.4.3.1: "P-" types are for private networks only. */
bool ef_enumsvc_is_private(const ef_enumsvc_t *svc)
{
    return svc != NULL && svc->type.len >= 2 && to_lower((unsigned char)svc->type.ptr[0]) == 'p' &&
           svc->type.ptr[1] == '-';
}

int ef_enumsvc_format(const ef_enumsvc_t *svc, char *out, size_t cap)
{
    size_t need, o = 0;

    if (svc == NULL || svc->type.len == 0 || (out == NULL && cap != 0))
        return EF_EINVAL;
    need = svc->type.len + (svc->subtype.len > 0 ? 1 + svc->subtype.len : 0);
    if (need >= cap || need > (size_t)INT_MAX)
        return EF_E2BIG;
    for (size_t i = 0; i < svc->type.len; i++)
        out[o++] = (char)to_lower((unsigned char)svc->type.ptr[i]);
    if (svc->subtype.len > 0) {
        out[o++] = ':';
        for (size_t i = 0; i < svc->subtype.len; i++)
            out[o++] = (char)to_lower((unsigned char)svc->subtype.ptr[i]);
    }
    out[o] = '\0';
    return (int)o;
}
