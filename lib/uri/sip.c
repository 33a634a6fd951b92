/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip.c -- SIP and SIPS URIs (RFC 3261 §19.1.1, grammar in §25.1):
 *
 *   SIP-URI  = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
 *   userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
 *
 * and their comparison (§19.1.4). A telephone-subscriber needs no rule of its
 * own: §25.1 says every character of it that user does not allow MUST be
 * escaped, so it is a user. Neither user nor password may hold an unescaped
 * '@', and nothing after the host may either (paramchar and hname/hvalue
 * exclude it), so the userinfo is present exactly when there is an '@', and
 * it ends at the first one.
 */
#include <string.h>

#include "uri_int.h"

#define PARAMCHAR (CC_PARAM | CC_UNRESERVED)

/* [ userinfo ] at buf[*pp]; on success *pp is at the host. */
static int userinfo(const char *buf, size_t end, size_t *pp, ef_uri_t *u, ef_perr_t *err)
{
    const char *a = memchr(buf + *pp, '@', end - *pp);
    size_t p = *pp, at, q, pw;
    int rc;

    if (a == NULL)
        return 0;
    at = (size_t)(a - buf);
    /* user = 1*( unreserved / escaped / user-unreserved ) */
    rc = ef_uri__span(buf, p, at, CC_UNRESERVED | CC_USER, &q, err);
    if (rc != 0)
        return rc;
    if (q < at && buf[q] != ':')
        return ef_uri__fail(err, q, "invalid character in user", EF_ESYNTAX);
    if (q == p)
        return ef_uri__fail(err, p, "empty user", EF_ESYNTAX);
    u->user = (ef_str_t){buf + p, q - p};
    if (q < at) {
        /* password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
        pw = q + 1;
        rc = ef_uri__span(buf, pw, at, CC_UNRESERVED | CC_PASS, &q, err);
        if (rc != 0)
            return rc;
        if (q < at)
            return ef_uri__fail(err, q, "invalid character in password", EF_ESYNTAX);
        u->password = (ef_str_t){buf + pw, at - pw};
    }
    *pp = at + 1;
    return 0;
}

/* port = 1*DIGIT at buf[p], after the ':'; 0..65535. */
static int port(const char *buf, size_t p, size_t end, ef_uri_t *u, size_t *stop, ef_perr_t *err)
{
    unsigned long v = 0;
    size_t q = p;

    for (; q < end && ef_uri__is((unsigned char)buf[q], CC_DIGIT); q++)
        if (v <= 65535)
            v = v * 10 + (unsigned long)(buf[q] - '0');
    if (q < end && buf[q] != ';' && buf[q] != '?')
        return ef_uri__fail(err, q, "invalid character in port", EF_ESYNTAX);
    if (q == p)
        return ef_uri__fail(err, p, "empty port", EF_ESYNTAX);
    if (v > 65535)
        return ef_uri__fail(err, p, "port out of range", EF_ESYNTAX);
    u->port = (int)v;
    *stop = q;
    return 0;
}

/*
 * uri-parameters = *( ";" uri-parameter ), each pname [ "=" pvalue ], both
 * 1*paramchar. transport=, user=, method=, ttl=, maddr= and lr have values
 * of their own in §25.1, but every one of them also matches other-param, so
 * their values are only checked as paramchar here.
 */
static int params(const char *buf, size_t end, size_t *pp, ef_uri_t *u, ef_perr_t *err)
{
    size_t p = *pp;

    while (p < end && buf[p] == ';') {
        size_t name = p + 1, val, q;
        ef_str_t key, value = EF_STR_NULL;
        int rc = ef_uri__span(buf, name, end, PARAMCHAR, &q, err);

        if (rc != 0)
            return rc;
        if (q < end && !ef_uri__delim((unsigned char)buf[q], "=;?"))
            return ef_uri__fail(err, q, "invalid character in parameter name", EF_ESYNTAX);
        if (q == name)
            return ef_uri__fail(err, q, "empty parameter name", EF_ESYNTAX);
        key = (ef_str_t){buf + name, q - name};
        if (q < end && buf[q] == '=') {
            val = q + 1;
            rc = ef_uri__span(buf, val, end, PARAMCHAR, &q, err);
            if (rc != 0)
                return rc;
            if (q < end && !ef_uri__delim((unsigned char)buf[q], ";?"))
                return ef_uri__fail(err, q, "invalid character in parameter value", EF_ESYNTAX);
            if (q == val)
                return ef_uri__fail(err, q, "empty parameter value", EF_ESYNTAX);
            value = (ef_str_t){buf + val, q - val};
        }
        rc = ef_uri__add_param(u, buf, key, value, err);
        if (rc != 0)
            return rc;
        p = q;
    }
    *pp = p;
    return 0;
}

int ef_uri_parse_sip(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err)
{
    ef_uri_t u;
    size_t p;
    int rc = ef_uri__begin(buf, len, out, &u, EF_URI_SIP, EF_URI_SIPS, "not a sip: or sips: URI",
                           &p, err);

    if (rc == 0)
        rc = userinfo(buf, len, &p, &u, err);
    if (rc == 0)
        rc = ef_uri__host(buf, p, len, ":;?", &u, &p, err);
    if (rc == 0 && p < len && buf[p] == ':')
        rc = port(buf, p + 1, len, &u, &p, err);
    if (rc == 0)
        rc = params(buf, len, &p, &u, err);
    /* headers = "?" header *( "&" header ), hname and hvalue of hnv-unreserved / unreserved */
    if (rc == 0 && p < len)
        rc = ef_uri__headers(buf, p, len, CC_HNV | CC_UNRESERVED, &u, err);
    if (rc == 0)
        *out = u;
    return rc;
}

/* Both absent, or both present and equal. */
static bool optional_equal(ef_str_t a, ef_str_t b, bool nocase)
{
    if (a.ptr == NULL || b.ptr == NULL)
        return a.ptr == NULL && b.ptr == NULL;
    return ef_uri__equal(a, b, nocase);
}

/* Hosts: case-insensitive; IPv6 references as addresses ("[::1]" is "[0::1]"). */
static bool host_equal(const ef_uri_t *a, const ef_uri_t *b)
{
    unsigned char x[16], y[16];

    if (a->host_kind != b->host_kind)
        return false;
    if (a->host_kind == EF_HOST_IPV6 && a->host.len >= 2 && b->host.len >= 2 &&
        ef_uri__ipv6(a->host.ptr + 1, a->host.len - 2, x) &&
        ef_uri__ipv6(b->host.ptr + 1, b->host.len - 2, y))
        return memcmp(x, y, sizeof x) == 0;
    return ef_uri__equal(a->host, b->host, true);
}

static const ef_uri_param_t *find(const ef_uri_param_t *list, size_t n, ef_str_t name)
{
    for (size_t i = 0; i < n && i < EF_URI_PARAMS_MAX; i++)
        if (ef_uri__equal(list[i].name, name, true))
            return &list[i];
    return NULL;
}

/* §19.1.4: user, ttl, method, maddr and transport never match when only one URI has them. */
static bool must_match(ef_str_t name)
{
    static const char *const names[] = {"user", "ttl", "method", "maddr", "transport"};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ef_uri__equal_lit(name, names[i]))
            return true;
    return false;
}

/* Every parameter of a in b; those in both must match, the others may be ignored. */
static bool params_cover(const ef_uri_t *a, const ef_uri_t *b)
{
    for (size_t i = 0; i < a->n_params && i < EF_URI_PARAMS_MAX; i++) {
        const ef_uri_param_t *pa = &a->params[i];
        const ef_uri_param_t *pb = find(b->params, b->n_params, pa->name);
        if (pb == NULL) {
            if (must_match(pa->name))
                return false;
        } else if (!optional_equal(pa->value, pb->value, true)) {
            return false;
        }
    }
    return true;
}

/* How many headers of list equal h: name ignoring case, value exactly (after escapes). */
static size_t count_header(const ef_uri_param_t *list, size_t n, const ef_uri_param_t *h)
{
    size_t count = 0;

    for (size_t i = 0; i < n && i < EF_URI_PARAMS_MAX; i++)
        if (ef_uri__equal(list[i].name, h->name, true) &&
            ef_uri__equal(list[i].value, h->value, false))
            count++;
    return count;
}

/*
 * §19.1.4: "URI header components are never ignored"; their order is not
 * significant, so the two lists must be equal as multisets. Header values
 * are compared case-sensitively: §20 has a rule for each header field and
 * the careful answer for an unknown one is "different".
 */
static bool headers_equal(const ef_uri_t *a, const ef_uri_t *b)
{
    if (a->n_headers != b->n_headers)
        return false;
    for (size_t i = 0; i < a->n_headers && i < EF_URI_PARAMS_MAX; i++)
        if (count_header(a->headers, a->n_headers, &a->headers[i]) !=
            count_header(b->headers, b->n_headers, &a->headers[i]))
            return false;
    return true;
}

bool ef_uri_sip_equal(const ef_uri_t *a, const ef_uri_t *b)
{
    if (a == NULL || b == NULL)
        return false;
    /* "A SIP and SIPS URI are never equivalent." */
    if (a->scheme != b->scheme || (a->scheme != EF_URI_SIP && a->scheme != EF_URI_SIPS))
        return false;
    /* userinfo is compared case-sensitively, all the rest case-insensitively */
    if (!optional_equal(a->user, b->user, false) ||
        !optional_equal(a->password, b->password, false))
        return false;
    /* an omitted port does not match an explicit one, even 5060 */
    if (!host_equal(a, b) || a->port != b->port)
        return false;
    return params_cover(a, b) && params_cover(b, a) && headers_equal(a, b);
}
