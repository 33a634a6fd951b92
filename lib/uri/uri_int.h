/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uri_int.h -- what the URI parsers in lib/uri/ share and nobody else sees:
 * the character classes of RFC 3261 §25.1, RFC 3966 §3, RFC 2822 §3.2 and
 * RFC 3986 §2, the error helper, the scanners for escaped runs, schemes,
 * hosts and header lists, and the escape-aware comparison of slices.
 *
 * Every scanner works on buf[p, end) and never looks at buf[end].
 */
#ifndef EF_URI_INT_H
#define EF_URI_INT_H

#include "enumfed/uri.h"

/* Character classes: bits of ef_uri__cc[byte]. */
enum {
    CC_ALPHA = 1 << 0,
    CC_DIGIT = 1 << 1,
    CC_HEX = 1 << 2,      /* HEXDIG, either case */
    CC_MARK = 1 << 3,     /* RFC 3261 mark: - _ . ! ~ * ' ( ) */
    CC_USER = 1 << 4,     /* user-unreserved: & = + $ , ; ? / */
    CC_PASS = 1 << 5,     /* the password extras: & = + $ , */
    CC_PARAM = 1 << 6,    /* param-unreserved: [ ] / : & + $ */
    CC_HNV = 1 << 7,      /* hnv-unreserved: [ ] / ? : + $ */
    CC_RESERVED = 1 << 8, /* RFC 2396 reserved: ; / ? : @ & = + $ , */
    CC_ATEXT = 1 << 9,    /* RFC 2822 atext, less '%' (an escape) and '?' (a delimiter) */
    CC_QTEXT = 1 << 10,   /* RFC 2822 qtext, less '%' and '?' as for atext */
    CC_URI3986 = 1 << 11, /* RFC 3986 unreserved / gen-delims but '#' / sub-delims */
    CC_VISUAL = 1 << 12,  /* RFC 3966 visual-separator: - . ( ) */
    CC_IMHDR = 1 << 13,   /* RFC 2368 hname/hvalue extras: reserved less ? = & */
};

#define CC_ALNUM (CC_ALPHA | CC_DIGIT)
#define CC_UNRESERVED (CC_ALNUM | CC_MARK)

extern const uint16_t ef_uri__cc[256];

static inline bool ef_uri__is(unsigned char c, unsigned cls)
{
    return (ef_uri__cc[c] & cls) != 0;
}

/* Fill in err (when non-NULL) and return code. */
int ef_uri__fail(ef_perr_t *err, size_t offset, const char *reason, int code);

/*
 * Advance from p over characters of class cls and %HH escapes; *stop is the
 * first byte that is neither. EF_ESYNTAX for a '%' not followed by two hex digits.
 */
int ef_uri__span(const char *buf, size_t p, size_t end, unsigned cls, size_t *stop, ef_perr_t *err);

/*
 * The scheme at the start of buf: *kind (EF_URI_OTHER for one we do not know)
 * and *after, the byte after the ':'.
 */
int ef_uri__scheme(const char *buf, size_t len, ef_uri_scheme_t *kind, size_t *after,
                   ef_perr_t *err);

/*
 * Start a parse: check the arguments (out is the caller's) and the length,
 * read the scheme and refuse it unless it is a or b; u, the result being
 * built, is reset and its scheme filled in.
 */
int ef_uri__begin(const char *buf, size_t len, const ef_uri_t *out, ef_uri_t *u, ef_uri_scheme_t a,
                  ef_uri_scheme_t b, const char *wrong, size_t *after, ef_perr_t *err);

/* True when c is a byte of the NUL-terminated set delims (never for NUL itself). */
bool ef_uri__delim(unsigned char c, const char *delims);

/*
 * host = hostname / IPv4address / IPv6reference at buf[p] (RFC 3261 §25.1),
 * into u->host and u->host_kind. The host must be followed by the end or a
 * byte of delims; *stop is that byte.
 */
int ef_uri__host(const char *buf, size_t p, size_t end, const char *delims, ef_uri_t *u,
                 size_t *stop, ef_perr_t *err);

/* Check a hostname (RFC 3261 §25.1, RFC 1035 label length) of n bytes at buf[p]. */
int ef_uri__hostname(const char *buf, size_t p, size_t n, ef_perr_t *err);

/* IPv4address with every part 0..255; false when s is not one. */
bool ef_uri__ipv4(const char *s, size_t n);

/* An IPv6 address (RFC 4291 §2.2 text form) into 16 bytes; false when s is not one. */
bool ef_uri__ipv6(const char *s, size_t n, unsigned char addr[16]);

/*
 * Append a parameter to u->params: EF_ESYNTAX when its name (compared as
 * ef_uri__equal() does, ignoring case) is already there, EF_E2BIG past
 * EF_URI_PARAMS_MAX. name.ptr points into buf.
 */
int ef_uri__add_param(ef_uri_t *u, const char *buf, ef_str_t name, ef_str_t value, ef_perr_t *err);

/*
 * headers = "?" header *( "&" header ), header = hname "=" hvalue, hname a
 * non-empty and hvalue a possibly empty run of cls and escapes, to the end
 * of the input. p is at the '?'.
 */
int ef_uri__headers(const char *buf, size_t p, size_t end, unsigned cls, ef_uri_t *u,
                    ef_perr_t *err);

/*
 * Equality of two escaped slices as RFC 3261 §19.1.4 has it: a %HH escape
 * equals the character it encodes unless that is a reserved one. nocase
 * folds ASCII letters.
 */
bool ef_uri__equal(ef_str_t a, ef_str_t b, bool nocase);

/* ef_uri__equal(a, lit, nocase = true) for a NUL-terminated literal. */
bool ef_uri__equal_lit(ef_str_t a, const char *lit);

#endif
