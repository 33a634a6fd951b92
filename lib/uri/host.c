/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * host.c -- the host of a URI (RFC 3261 §25.1): hostname, IPv4address or
 * IPv6reference. IPv6 addresses are checked against the text form of
 * RFC 4291 §2.2 with inet_pton() on a small NUL-terminated stack copy, as
 * RFC 5954 §4.1 corrected the IPv6address rule of RFC 3261. Escapes are not
 * allowed in a host (RFC 3261 §19.1.2).
 */
#include <arpa/inet.h>
#include <string.h>

#include "uri_int.h"

/* RFC 1035 §2.3.4: a label is at most 63 octets. */
#define LABEL_MAX 63
/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" */
#define IPV6_TEXT_MAX 45

bool ef_uri__ipv4(const char *s, size_t n)
{
    size_t i = 0;

    /* 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255 */
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part > 0 && (i >= n || s[i++] != '.'))
            return false;
        while (i < n && digits < 3 && ef_uri__is((unsigned char)s[i], CC_DIGIT)) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (digits == 0 || v > 255)
            return false;
    }
    return i == n;
}

bool ef_uri__ipv6(const char *s, size_t n, unsigned char addr[16])
{
    char text[IPV6_TEXT_MAX + 1];

    if (n == 0 || n > IPV6_TEXT_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ef_uri__is((unsigned char)s[i], CC_HEX) && s[i] != ':' && s[i] != '.')
            return false;
    memcpy(text, s, n);
    text[n] = '\0';
    return inet_pton(AF_INET6, text, addr) == 1;
}

int ef_uri__hostname(const char *buf, size_t p, size_t n, ef_perr_t *err)
{
    size_t end = p + n, label = p, top = p;

    /* hostname = *( domainlabel "." ) toplabel [ "." ] */
    if (n > 0 && buf[end - 1] == '.')
        end--;
    for (size_t i = p; i <= end; i++) {
        if (i < end && buf[i] != '.')
            continue;
        if (i == label)
            return ef_uri__fail(err, i, "empty label in host", EF_ESYNTAX);
        if (i - label > LABEL_MAX)
            return ef_uri__fail(err, label, "host label longer than 63 characters", EF_ESYNTAX);
        /* domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum */
        if (buf[label] == '-')
            return ef_uri__fail(err, label, "host label starts with '-'", EF_ESYNTAX);
        if (buf[i - 1] == '-')
            return ef_uri__fail(err, i - 1, "host label ends with '-'", EF_ESYNTAX);
        top = label;
        label = i + 1;
    }
    /* toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum */
    if (!ef_uri__is((unsigned char)buf[top], CC_ALPHA))
        return ef_uri__fail(err, top, "top label must start with a letter", EF_ESYNTAX);
    return 0;
}

/* IPv6reference = "[" IPv6address "]" at buf[p] == '['. */
static int ipv6_reference(const char *buf, size_t p, size_t end, ef_uri_t *u, size_t *stop,
                          ef_perr_t *err)
{
    unsigned char addr[16];
    size_t q = p + 1;

    while (q < end && (ef_uri__is((unsigned char)buf[q], CC_HEX) || buf[q] == ':' || buf[q] == '.'))
        q++;
    if (q == end)
        return ef_uri__fail(err, q, "unterminated IPv6 reference", EF_ESYNTAX);
    if (buf[q] != ']')
        return ef_uri__fail(err, q, "invalid character in IPv6 reference", EF_ESYNTAX);
    if (!ef_uri__ipv6(buf + p + 1, q - p - 1, addr))
        return ef_uri__fail(err, p + 1, "invalid IPv6 address", EF_ESYNTAX);
    u->host = (ef_str_t){buf + p, q + 1 - p};
    u->host_kind = EF_HOST_IPV6;
    *stop = q + 1;
    return 0;
}

/* hostname / IPv4address: n bytes of alphanum, '-' and '.' at buf[p]. */
static int name_or_ipv4(const char *buf, size_t p, size_t n, ef_uri_t *u, ef_perr_t *err)
{
    size_t i = 0, digits = 0;
    int rc;

    for (; i < n && (ef_uri__is((unsigned char)buf[p + i], CC_DIGIT) || buf[p + i] == '.'); i++)
        digits += buf[p + i] != '.';
    if (i == n && digits > 0) {
        /* Digits and dots only: a toplabel needs a letter, so this is an IPv4address. */
        if (!ef_uri__ipv4(buf + p, n))
            return ef_uri__fail(err, p, "invalid IPv4 address", EF_ESYNTAX);
        u->host_kind = EF_HOST_IPV4;
    } else {
        rc = ef_uri__hostname(buf, p, n, err);
        if (rc != 0)
            return rc;
        u->host_kind = EF_HOST_DOMAIN;
    }
    u->host = (ef_str_t){buf + p, n};
    return 0;
}

int ef_uri__host(const char *buf, size_t p, size_t end, const char *delims, ef_uri_t *u,
                 size_t *stop, ef_perr_t *err)
{
    size_t q = p;
    int rc;

    if (p < end && buf[p] == '[') {
        rc = ipv6_reference(buf, p, end, u, &q, err);
    } else {
        while (q < end &&
               (ef_uri__is((unsigned char)buf[q], CC_ALNUM) || buf[q] == '-' || buf[q] == '.'))
            q++;
        if (q < end && !ef_uri__delim((unsigned char)buf[q], delims))
            return ef_uri__fail(err, q, "invalid character in host", EF_ESYNTAX);
        if (q == p)
            return ef_uri__fail(err, p, "empty host", EF_ESYNTAX);
        rc = name_or_ipv4(buf, p, q - p, u, err);
    }
    if (rc != 0)
        return rc;
    if (q < end && !ef_uri__delim((unsigned char)buf[q], delims))
        return ef_uri__fail(err, q, "invalid character in host", EF_ESYNTAX);
    *stop = q;
    return 0;
}
