/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr_int.h -- what the typed SIP header parsers in lib/sip/hdr*.c share and
 * nobody else sees: a cursor over one header value, the character classes of
 * RFC 3261 §25.1, the LWS / quoted-string / token scanners and the parameter
 * list reader.
 *
 * Every scanner works on s[i, n) and never looks at s[n]. Folded lines stay
 * inside a first-level header value, so LWS here is the full RFC 3261 §25.1
 * rule: [*WSP CRLF] 1*WSP (a bare LF is taken as a line end, as the first
 * level does).
 */
#ifndef EF_SIP_HDR_INT_H
#define EF_SIP_HDR_INT_H

#include "enumfed/sip_hdr.h"

/* Character classes: bits of ef__hdr_cc[byte]. */
enum {
    HC_TOKEN = 1 << 0, /* token: alphanum - . ! % * _ + ` ' ~ */
    HC_WORD = 1 << 1,  /* word: token plus ( ) < > : \ " / [ ] ? { } */
    HC_ALPHA = 1 << 2,
    HC_DIGIT = 1 << 3,
    HC_HEX = 1 << 4,
    HC_HOST = 1 << 5, /* hostname / IPv4address: alphanum - . (and '_', seen in practice) */
    HC_URI = 1 << 6,  /* what a URI may hold: visible ASCII but < > " and space */
};

extern const unsigned char ef__hdr_cc[256];

static inline bool hdr_is(char c, unsigned cls)
{
    return (ef__hdr_cc[(unsigned char)c] & cls) != 0;
}

/* A cursor over one header value. */
typedef struct {
    const char *s;
    size_t n;
    size_t i;
    ef_perr_t *err;
} hdr_cur_t;

static inline bool hdr_at(const hdr_cur_t *x, char c)
{
    return x->i < x->n && x->s[x->i] == c;
}

static inline ef_str_t hdr_slice(const hdr_cur_t *x, size_t from, size_t to)
{
    return (ef_str_t){x->s + from, to - from};
}

/* Flags of the parameter readers. */
enum {
    PV_REQUIRED = 1 << 0, /* name=value only (m-parameter, auth-param) */
    PV_COLON = 1 << 1,    /* ':' inside unquoted values (Via received= with a bare IPv6address) */
    PV_NOHOST = 1 << 2,   /* token / quoted-string only, no "[IPv6]" */
};

int ef__hdr_fail(hdr_cur_t *x, size_t off, const char *reason);
int ef__hdr_fail_big(hdr_cur_t *x, size_t off, const char *reason);
bool ef__hdr_lws(hdr_cur_t *x);
size_t ef__hdr_run(hdr_cur_t *x, unsigned cls);
int ef__hdr_quoted(hdr_cur_t *x, ef_str_t *out);
int ef__hdr_value(hdr_cur_t *x, const ef_str_t *name, unsigned flags, ef_str_t *out);
int ef__hdr_params(hdr_cur_t *x, ef_sip_params_t *ps, unsigned flags);
int ef__hdr_end(hdr_cur_t *x, const char *reason);
int ef__hdr_next(hdr_cur_t *x, const char *reason);
bool ef__hdr_eq(ef_str_t s, const char *lit);
int ef__hdr_number(hdr_cur_t *x, uint32_t max, uint32_t *out, const char *missing,
                   const char *range);

#endif
