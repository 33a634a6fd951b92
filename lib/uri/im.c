/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * im.c -- im: and pres: URIs, the INSTANT INBOX and PRESENTITY addresses
 * whose domain RFC 3861 resolves. Their syntax, from the CPIM profiles, is
 * that of mailto: (RFC 2368 §2):
 *
 *   IM-URI  = "im:" [ to ] [ headers ]      (and "pres:" alike)
 *   to      = mailbox
 *   headers = "?" header *( "&" header ), header = hname "=" hvalue
 *
 * The mailbox is an RFC 2822 §3.4.1 addr-spec: a dot-atom or quoted-string
 * local part, '@', a domain or domain-literal. In a URI, '%' always starts an
 * escape (RFC 3986 §2.4) and '?' starts the headers, so neither is an atext
 * or qtext character here; RFC 2368 reserves '?', '=' and '&' inside header
 * names and values. The local part is kept as written (quotes included);
 * the domain is a hostname (RFC 3861 §3 wants FQDNs) or an IPv4 or IPv6
 * address in brackets.
 */
#include "uri_int.h"

/* quoted-string = DQUOTE *( qtext / quoted-pair / escaped ) DQUOTE, at buf[p] == '"'. */
static int quoted_local(const char *buf, size_t p, size_t end, size_t *stop, ef_perr_t *err)
{
    size_t q = p + 1;

    for (;;) {
        int rc = ef_uri__span(buf, q, end, CC_QTEXT, &q, err);
        if (rc != 0)
            return rc;
        if (q == end)
            return ef_uri__fail(err, q, "unterminated quoted string", EF_ESYNTAX);
        if (buf[q] == '"')
            break;
        /* quoted-pair = "\" text; no space or control in a URI */
        if (buf[q] != '\\')
            return ef_uri__fail(err, q, "invalid character in quoted local part", EF_ESYNTAX);
        if (q + 1 == end || (unsigned char)buf[q + 1] < 0x21 || (unsigned char)buf[q + 1] > 0x7e)
            return ef_uri__fail(err, q + 1, "invalid quoted pair", EF_ESYNTAX);
        q += 2;
    }
    *stop = q + 1;
    return 0;
}

/* dot-atom = 1*atext *( "." 1*atext ), atext with escapes, at buf[p]. */
static int dot_atom(const char *buf, size_t p, size_t end, size_t *stop, ef_perr_t *err)
{
    size_t q = p;

    for (;;) {
        size_t atom = q;
        int rc = ef_uri__span(buf, q, end, CC_ATEXT, &q, err);
        if (rc != 0)
            return rc;
        if (q < end && !ef_uri__delim((unsigned char)buf[q], ".@?"))
            return ef_uri__fail(err, q, "invalid character in local part", EF_ESYNTAX);
        if (q == atom && q != p)
            return ef_uri__fail(err, q - 1, "misplaced '.' in local part", EF_ESYNTAX);
        if (q == atom && q < end && buf[q] == '.')
            return ef_uri__fail(err, q, "misplaced '.' in local part", EF_ESYNTAX);
        if (q == atom)
            return ef_uri__fail(err, q, "empty local part", EF_ESYNTAX);
        if (q == end || buf[q] != '.')
            break;
        q++; /* '.' */
    }
    *stop = q;
    return 0;
}

/* domain-literal holding an IPv4 address (kept without brackets) or an IPv6 one (with them). */
static int domain_literal(const char *buf, size_t p, size_t end, ef_uri_t *u, size_t *stop,
                          ef_perr_t *err)
{
    size_t q = p + 1;

    while (q < end && (ef_uri__is((unsigned char)buf[q], CC_HEX) || buf[q] == ':' || buf[q] == '.'))
        q++;
    if (q == end || buf[q] != ']' || !ef_uri__ipv4(buf + p + 1, q - p - 1))
        return ef_uri__host(buf, p, end, "?", u, stop, err);
    u->host = (ef_str_t){buf + p + 1, q - p - 1};
    u->host_kind = EF_HOST_IPV4;
    if (q + 1 < end && buf[q + 1] != '?')
        return ef_uri__fail(err, q + 1, "invalid character in host", EF_ESYNTAX);
    *stop = q + 1;
    return 0;
}

/* mailbox = local-part "@" domain, at buf[*pp]; then *pp is after the domain. */
static int mailbox(const char *buf, size_t end, size_t *pp, ef_uri_t *u, ef_perr_t *err)
{
    size_t p = *pp, q = p;
    int rc = buf[p] == '"' ? quoted_local(buf, p, end, &q, err) : dot_atom(buf, p, end, &q, err);

    if (rc != 0)
        return rc;
    if (q == end || buf[q] != '@')
        return ef_uri__fail(err, q, "missing '@' in mailbox", EF_ESYNTAX);
    u->user = (ef_str_t){buf + p, q - p};
    if (q + 1 < end && buf[q + 1] == '[')
        rc = domain_literal(buf, q + 1, end, u, pp, err);
    else
        rc = ef_uri__host(buf, q + 1, end, "?", u, pp, err);
    return rc;
}

int ef_uri_parse_im(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err)
{
    ef_uri_t u;
    size_t p;
    int rc = ef_uri__begin(buf, len, out, &u, EF_URI_IM, EF_URI_PRES, "not an im: or pres: URI", &p,
                           err);

    /* "im:" alone is an INSTANT INBOX still to be named: [ to ] is optional. */
    if (rc == 0 && p < len && buf[p] != '?')
        rc = mailbox(buf, len, &p, &u, err);
    if (rc == 0 && p < len)
        rc = ef_uri__headers(buf, p, len, CC_UNRESERVED | CC_IMHDR, &u, err);
    if (rc == 0)
        *out = u;
    return rc;
}
