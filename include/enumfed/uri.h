/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uri.h -- the URI schemes a SIP/SIMPLE federation edge meets: sip: and sips:
 * (RFC 3261 §19.1, §25.1), tel: (RFC 3966), im: and pres: (RFC 3861), enum:
 * (draft-brandner-enum-uri), and any other absolute URI (RFC 3986 §4.3), kept
 * opaque. Parsers take (buf, len), never write into it, never allocate; every
 * field is a slice into buf. %-escapes are left as they are in the slices;
 * ef_uri_unescape() decodes one into a caller's buffer.
 */
#ifndef ENUMFED_URI_H
#define ENUMFED_URI_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The longest URI any parser accepts (RFC 3261 has no limit; ours is named). */
#define EF_URI_MAX 4096
/** At most this many parameters (;name=value) and headers (?name=value) are kept. */
#define EF_URI_PARAMS_MAX 32

typedef enum {
    EF_URI_SIP,
    EF_URI_SIPS,
    EF_URI_TEL,
    EF_URI_IM,
    EF_URI_PRES,
    EF_URI_ENUM,
    EF_URI_OTHER, /**< a syntactically valid absoluteURI of another scheme */
} ef_uri_scheme_t;

typedef enum {
    EF_HOST_NONE,   /**< tel:, enum:, other */
    EF_HOST_DOMAIN, /**< hostname */
    EF_HOST_IPV4,   /**< IPv4address */
    EF_HOST_IPV6,   /**< IPv6reference: host.ptr includes the brackets */
} ef_host_kind_t;

/** One ;name[=value] or ?name=value. value.ptr == NULL when there is no '='. */
typedef struct {
    ef_str_t name;
    ef_str_t value;
} ef_uri_param_t;

/** A parsed URI (about 2 KB). Every slice points into the parsed buffer. */
typedef struct {
    ef_uri_scheme_t scheme;
    ef_str_t scheme_name; /**< as written, without ':' */
    ef_str_t user;        /**< sip/sips userinfo user, im/pres local part; tel/enum: the number */
    ef_str_t password;    /**< sip/sips only; ptr == NULL when absent */
    ef_str_t host;        /**< sip/sips/im/pres; IPv6 references include "[...]" */
    ef_host_kind_t host_kind;
    int port;           /**< -1 when absent */
    bool global_number; /**< tel:/enum: "+" number (RFC 3966 global-number) */
    size_t n_params;    /**< uri-parameters (sip), par (tel), all kept in order */
    ef_uri_param_t params[EF_URI_PARAMS_MAX];
    size_t n_headers; /**< sip/sips ?headers, im/pres ?headers */
    ef_uri_param_t headers[EF_URI_PARAMS_MAX];
    ef_str_t opaque; /**< EF_URI_OTHER: everything after "scheme:" */
} ef_uri_t;

/**
 * Parse any URI: dispatches on the scheme (case-insensitive) to the parsers
 * below; an unknown scheme is checked against RFC 3986 absolute-URI and kept
 * opaque.
 *
 * Absent parts (user, password, host) are NULL slices. On error `out` is
 * left as it was.
 *
 * @return 0, EF_ESYNTAX (err: offset and reason), EF_E2BIG (longer than
 *         EF_URI_MAX, or more than EF_URI_PARAMS_MAX parameters or headers),
 *         EF_EINVAL (a NULL out, or NULL buf with a length)
 */
int ef_uri_parse(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err);

/** RFC 3261 §19.1.1 / §25.1: sip: and sips: (userinfo, IPv6 hosts, port, params, headers). */
int ef_uri_parse_sip(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err);
/** RFC 3966 §3: global and local numbers, visual separators, parameters (isub, ext, phone-context).
 */
int ef_uri_parse_tel(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err);
/**
 * im: and pres: ("im:" [ to ] [ headers ], to = mailbox): the syntax RFC 3861
 * refers to, from CPIM (RFC 3860) and mailto: (RFC 2368). The local part keeps
 * its quotes; "[IPv4]" gives an IPv4 host without brackets.
 */
int ef_uri_parse_im(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err);
/** draft-brandner-enum-uri §2: enum: global-number-part; parameters kept but meaningless. */
int ef_uri_parse_enum(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err);

/** Find a parameter by name (case-insensitive). @return it, or NULL. */
const ef_uri_param_t *ef_uri_param(const ef_uri_t *uri, const char *name);

/**
 * Decode %HH escapes of `in` into out (RFC 3986 §2.1). The result is not
 * NUL-terminated: it may contain NUL (RFC 4475 escnull); nothing is written on error.
 * @return the decoded length, EF_ESYNTAX for a bad escape, EF_E2BIG if cap is too small
 */
int ef_uri_unescape(ef_str_t in, char *out, size_t cap);

/**
 * RFC 3261 §19.1.4 URI comparison of two sip:/sips: URIs (scheme, user and
 * password case-sensitive after unescaping, host case-insensitive, port,
 * the user/ttl/method/maddr/transport parameters when present in either, other
 * parameters when present in both, headers).
 * @return true when equivalent
 */
bool ef_uri_sip_equal(const ef_uri_t *a, const ef_uri_t *b);

#ifdef __cplusplus
}
#endif

#endif
