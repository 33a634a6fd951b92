/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr_via.c -- the Via header (RFC 3261 §20.42, §25.1) with the rport
 * parameter of RFC 3581 §3:
 *
 *   via-parm      = sent-protocol LWS sent-by *( SEMI via-params )
 *   sent-protocol = protocol-name SLASH protocol-version SLASH transport
 *   sent-by       = host [ COLON port ]
 *
 * received= takes an IPv4 or IPv6 address, the latter with or without
 * brackets (RFC 5118 §4.5 shows the bracketed form in practice).
 */
#include <string.h>

#include "hdr_int.h"

#define PORT_MAX 65535
#define TTL_MAX 255 /* RFC 3261 §25.1: ttl = 1*3DIGIT ; 0 to 255 */

/* host = hostname / IPv4address / IPv6reference (checked for its characters only) */
static int host(hdr_cur_t *x, ef_str_t *out)
{
    size_t start = x->i;

    if (hdr_at(x, '['))
        return ef__hdr_value(x, NULL, 0, out);
    if (ef__hdr_run(x, HC_HOST) == 0)
        return ef__hdr_fail(x, start, "expected the sent-by host");
    *out = hdr_slice(x, start, x->i);
    return 0;
}

/* A token of sent-protocol, then SLASH when another part follows. */
static int proto_part(hdr_cur_t *x, const char *missing, bool slash)
{
    size_t start;

    ef__hdr_lws(x);
    start = x->i;
    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start, missing);
    if (!slash)
        return 0;
    ef__hdr_lws(x);
    if (!hdr_at(x, '/'))
        return ef__hdr_fail(x, x->i, "expected '/' in sent-protocol");
    x->i++;
    return 0;
}

static int sent_protocol(hdr_cur_t *x, ef_sip_via_t *v)
{
    size_t start, vend;
    int rc;

    ef__hdr_lws(x);
    start = x->i;
    if ((rc = proto_part(x, "expected the protocol name", true)) < 0 ||
        (rc = proto_part(x, "expected the protocol version", false)) < 0)
        return rc;
    vend = x->i;
    v->protocol = hdr_slice(x, start, vend);
    ef__hdr_lws(x);
    if (!hdr_at(x, '/'))
        return ef__hdr_fail(x, x->i, "expected '/' in sent-protocol");
    x->i++;
    ef__hdr_lws(x);
    start = x->i;
    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start, "expected the transport");
    v->transport = hdr_slice(x, start, x->i);
    return 0;
}

static int sent_by(hdr_cur_t *x, ef_sip_via_t *v)
{
    uint32_t port;
    size_t save;
    int rc;

    if (!ef__hdr_lws(x))
        return ef__hdr_fail(x, x->i, "expected LWS between sent-protocol and sent-by");
    if ((rc = host(x, &v->host)) < 0)
        return rc;
    save = x->i;
    ef__hdr_lws(x);
    if (!hdr_at(x, ':')) {
        x->i = save;
        return 0;
    }
    x->i++;
    ef__hdr_lws(x);
    if ((rc = ef__hdr_number(x, PORT_MAX, &port, "expected the port after ':'",
                             "port out of range")) < 0)
        return rc;
    v->port = (int)port;
    return 0;
}

/* IPv4address: four decimal octets. */
static bool ipv4(const char *s, size_t n)
{
    unsigned parts = 0, val = 0, digits = 0;
    size_t i;

    for (i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (digits == 0 || digits > 3 || val > 255)
                return false;
            parts++;
            val = digits = 0;
        } else if (hdr_is(s[i], HC_DIGIT)) {
            val = val * 10 + (unsigned)(s[i] - '0');
            digits++;
        } else {
            return false;
        }
    }
    return parts == 4;
}

/* IPv6address, bare or in brackets, checked for its characters (hex, ':', '.'). */
static bool ipv6(const char *s, size_t n)
{
    size_t i, colons = 0;

    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    for (i = 0; i < n; i++) {
        if (s[i] == ':')
            colons++;
        else if (s[i] != '.' && !hdr_is(s[i], HC_HEX))
            return false;
    }
    return colons >= 2;
}

static bool all_token(ef_str_t s)
{
    size_t i;

    for (i = 0; i < s.len; i++)
        if (!hdr_is(s.ptr[i], HC_TOKEN))
            return false;
    return s.len > 0;
}

/* The value of a Via parameter that takes a port number (rport, RFC 3581 §3). */
static int param_port(hdr_cur_t *x, const ef_sip_param_t *p, uint32_t max, const char *reason,
                      uint32_t *out)
{
    hdr_cur_t y = {p->value.ptr, p->value.len, 0, NULL};
    size_t off = (size_t)(p->value.ptr - x->s);

    if (ef__hdr_number(&y, max, out, reason, reason) < 0 || y.i != y.n)
        return ef__hdr_fail(x, off, reason);
    return 0;
}

/* The parameters with a meaning here: branch, received, rport, ttl. */
static int known_params(hdr_cur_t *x, ef_sip_via_t *v)
{
    size_t k;
    uint32_t num;
    int rc;

    for (k = 0; k < v->params.n; k++) {
        const ef_sip_param_t *p = &v->params.p[k];
        size_t off = (size_t)(p->name.ptr - x->s);

        if (ef__hdr_eq(p->name, "branch")) {
            /* via-branch = "branch" EQUAL token */
            if (p->value.ptr == NULL)
                return ef__hdr_fail(x, off, "missing branch value");
            if (!all_token(p->value))
                return ef__hdr_fail(x, off, "branch value is not a token");
            v->branch = p->value;
        } else if (ef__hdr_eq(p->name, "received")) {
            /* via-received = "received" EQUAL (IPv4address / IPv6address) */
            if (p->value.ptr == NULL ||
                !(ipv4(p->value.ptr, p->value.len) || ipv6(p->value.ptr, p->value.len)))
                return ef__hdr_fail(x, off, "received is not an IP address");
            v->received = p->value;
        } else if (ef__hdr_eq(p->name, "rport")) {
            v->rport = 0;
            if (p->value.ptr != NULL) {
                if ((rc = param_port(x, p, PORT_MAX, "rport is not a port number", &num)) < 0)
                    return rc;
                v->rport = (int)num;
            }
        } else if (ef__hdr_eq(p->name, "ttl")) {
            if (p->value.ptr == NULL)
                return ef__hdr_fail(x, off, "ttl is not a number from 0 to 255");
            if ((rc = param_port(x, p, TTL_MAX, "ttl is not a number from 0 to 255", &num)) < 0)
                return rc;
        }
    }
    return 0;
}

static int one_via(hdr_cur_t *x, ef_sip_via_t *v)
{
    int rc;

    memset(v, 0, sizeof(*v));
    v->port = -1;
    v->rport = -1;
    if ((rc = sent_protocol(x, v)) < 0 || (rc = sent_by(x, v)) < 0 ||
        (rc = ef__hdr_params(x, &v->params, PV_COLON)) < 0)
        return rc;
    return known_params(x, v);
}

int ef_sip_parse_via(const char *buf, size_t len, ef_sip_via_t *out, size_t cap, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t count = 0;
    int rc;

    do {
        if (count >= cap)
            return ef__hdr_fail_big(&x, x.i, "more Via values than the caller's capacity");
        if ((rc = one_via(&x, &out[count])) < 0)
            return rc;
        count++;
    } while ((rc = ef__hdr_next(&x, "expected ',' or ';' after the Via value")) > 0);
    return rc < 0 ? rc : (int)count;
}

int ef_sip_parse_via_first(const char *buf, size_t len, ef_sip_via_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    return one_via(&x, out);
}
