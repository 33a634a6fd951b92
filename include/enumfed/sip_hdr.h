/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip_hdr.h -- typed parsers of single SIP header values (RFC 3261 §20, §25.1
 * and the extensions a SIMPLE federation edge meets). They run only when asked,
 * on the value slice the first-level parser (sip.h) found, and like it they
 * never write into the input and never allocate: results are slices, repeated
 * elements go into arrays the caller supplies (capacity in, count out).
 *
 * Multi-value headers (Via, Route, Contact, Allow, ...) may hold several
 * comma-separated values in one field (RFC 3261 §7.3.1); the list parsers
 * return every value of one field, in order.
 */
#ifndef ENUMFED_SIP_HDR_H
#define ENUMFED_SIP_HDR_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Parameters kept per header value: ";name[=value]" (value.ptr NULL when absent). */
#define EF_SIP_PARAMS_MAX 24

typedef struct {
    ef_str_t name;
    ef_str_t value; /**< quotes kept when the value was a quoted-string */
} ef_sip_param_t;

typedef struct {
    size_t n;
    ef_sip_param_t p[EF_SIP_PARAMS_MAX];
} ef_sip_params_t;

/** A parameter by name (case-insensitive), or NULL. */
const ef_sip_param_t *ef_sip_param_get(const ef_sip_params_t *ps, const char *name);

/* --- Via (RFC 3261 §20.42, §25.1; RFC 3581 rport) ------------------------- */

typedef struct {
    ef_str_t protocol;      /**< "SIP/2.0" as written (sent-protocol name "/" version) */
    ef_str_t transport;     /**< "UDP", "TCP", "TLS", "SCTP", other tokens */
    ef_str_t host;          /**< IPv6 references include the brackets */
    int port;               /**< -1 when absent */
    ef_str_t branch;        /**< ptr NULL when absent */
    ef_str_t received;      /**< ptr NULL when absent; IPv4 or IPv6 (with or without brackets) */
    int rport;              /**< -1 absent, 0 present without value, else the port */
    ef_sip_params_t params; /**< every parameter, in order (branch etc. included) */
} ef_sip_via_t;

/**
 * Every via-parm of one Via field value ("a, b" gives two).
 * @return the number of values (>=1), EF_ESYNTAX (err set), EF_E2BIG (more than cap)
 */
int ef_sip_parse_via(const char *buf, size_t len, ef_sip_via_t *out, size_t cap, ef_perr_t *err);

/**
 * The first via-parm of a Via field value, whatever follows it: what a proxy
 * needs from the top Via (RFC 3261 §16.7 step 3, §17.2.3) without room for
 * every value of a long list.
 * @return 0 or EF_ESYNTAX (err set)
 */
int ef_sip_parse_via_first(const char *buf, size_t len, ef_sip_via_t *out, ef_perr_t *err);

/* --- name-addr / addr-spec (From, To, Contact, Route, Record-Route, PAI) -- */

typedef struct {
    ef_str_t display; /**< display-name as written (quoted-string keeps its quotes), may be empty */
    ef_str_t uri;     /**< the URI, without angle brackets */
    bool angle;       /**< name-addr form (<uri>) rather than addr-spec */
    ef_sip_params_t params; /**< header parameters after the address (tag, expires, q, lr ...) */
} ef_sip_addr_t;

/**
 * From / To (RFC 3261 §20.20, §20.39): one address; the tag parameter is
 * among params. In addr-spec form, parameters after the URI belong to the
 * header, not the URI (RFC 3261 §20).
 * @return 0 or EF_ESYNTAX
 */
int ef_sip_parse_addr(const char *buf, size_t len, ef_sip_addr_t *out, ef_perr_t *err);

/**
 * Lists of addresses: Contact (also the single "*", reported as a return of 0
 * with *star set), Route, Record-Route, P-Asserted-Identity (RFC 3325 §9.1).
 * @return the number of addresses, EF_ESYNTAX, EF_E2BIG
 */
int ef_sip_parse_addr_list(const char *buf, size_t len, ef_sip_addr_t *out, size_t cap, bool *star,
                           ef_perr_t *err);

/** The unquoted, unescaped display-name into out (RFC 3261 §25.1 quoted-pair). */
int ef_sip_display_text(ef_str_t display, char *out, size_t cap);

/* --- scalars ---------------------------------------------------------------- */

/** CSeq (RFC 3261 §20.16): 32-bit sequence number and method. */
typedef struct {
    uint32_t seq;
    ef_str_t method;
} ef_sip_cseq_t;

int ef_sip_parse_cseq(const char *buf, size_t len, ef_sip_cseq_t *out, ef_perr_t *err);

/**
 * A decimal header value: Max-Forwards (0..255, RFC 3261 §20.22), Expires and
 * Min-Expires (32-bit, §20.19), Content-Length (§20.14). `max` bounds it.
 */
int ef_sip_parse_uint(const char *buf, size_t len, uint32_t max, uint32_t *out, ef_perr_t *err);

/** Call-ID (RFC 3261 §20.8): word ["@" word]; returns the checked slice. */
int ef_sip_parse_callid(const char *buf, size_t len, ef_str_t *out, ef_perr_t *err);

/* --- token lists and media types ------------------------------------------ */

/**
 * Comma-separated tokens: Allow, Supported, Require, Proxy-Require,
 * Unsupported, Allow-Events (RFC 3261 §20; RFC 6665 §8.2.2).
 * @return the number of tokens (an empty field gives 0), EF_ESYNTAX, EF_E2BIG
 */
int ef_sip_parse_tokens(const char *buf, size_t len, ef_str_t *out, size_t cap, ef_perr_t *err);

/** A media type: type "/" subtype *(";" parameter) (RFC 3261 §20.15 Content-Type). */
typedef struct {
    ef_str_t type;
    ef_str_t subtype;
    ef_sip_params_t params;
} ef_sip_media_t;

int ef_sip_parse_media(const char *buf, size_t len, ef_sip_media_t *out, ef_perr_t *err);

/** Accept (RFC 3261 §20.1): media ranges (any type, or any subtype of one type), may be empty. */
int ef_sip_parse_accept(const char *buf, size_t len, ef_sip_media_t *out, size_t cap,
                        ef_perr_t *err);

/* --- events (RFC 6665 §8.2.1, §8.2.3) -------------------------------------- */

typedef struct {
    ef_str_t package; /**< "presence", "presence.winfo" (template kept in the token) */
    ef_str_t id;      /**< the id parameter, ptr NULL when absent */
    ef_sip_params_t params;
} ef_sip_event_t;

int ef_sip_parse_event(const char *buf, size_t len, ef_sip_event_t *out, ef_perr_t *err);

typedef struct {
    ef_str_t state;   /**< "active", "pending", "terminated" or an extension token */
    long expires;     /**< -1 when absent */
    long retry_after; /**< -1 when absent */
    ef_str_t reason;  /**< ptr NULL when absent */
    ef_sip_params_t params;
} ef_sip_substate_t;

int ef_sip_parse_substate(const char *buf, size_t len, ef_sip_substate_t *out, ef_perr_t *err);

/* --- Warning (RFC 3261 §20.43) ----------------------------------------------- */

typedef struct {
    unsigned code; /**< 3 digits */
    ef_str_t agent;
    ef_str_t text; /**< with its quotes */
} ef_sip_warning_t;

int ef_sip_parse_warning(const char *buf, size_t len, ef_sip_warning_t *out, size_t cap,
                         ef_perr_t *err);

/* --- digest credentials and challenges (RFC 3261 §20.7, §20.44; RFC 7616) --- */

typedef struct {
    ef_str_t scheme;        /**< "Digest" or another auth-scheme */
    ef_sip_params_t params; /**< auth-params: realm, nonce, uri, response, qop, nc, cnonce,
                                 algorithm, opaque, stale, username ... (quotes kept) */
} ef_sip_auth_t;

/** Authorization, Proxy-Authorization, WWW-Authenticate, Proxy-Authenticate. */
int ef_sip_parse_auth(const char *buf, size_t len, ef_sip_auth_t *out, ef_perr_t *err);

#ifdef __cplusplus
}
#endif

#endif
