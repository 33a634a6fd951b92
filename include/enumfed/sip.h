/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip.h -- the first level of the SIP message parser (RFC 3261 §7, §20): the
 * start line, the header fields split (line folding, compact forms, names
 * mapped to an id, unknown headers kept byte-exact) and the body, framed by
 * Content-Length on streams (RFC 3261 §18.3) with the CRLF keep-alives of
 * RFC 5626 §3.5.1. Zero-copy: the input is never written, nothing is
 * allocated; every field is a slice into the buffer and repeated headers go
 * into an array the caller supplies. Typed parsers of single headers run only
 * when asked (later modules).
 */
#ifndef ENUMFED_SIP_H
#define ENUMFED_SIP_H

#include "enumfed/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro of the headers with an id: id, full name, compact form (0 if none). */
#define EF_SIP_HEADER_MAP(XX)                                                                      \
    XX(ACCEPT, "Accept", 0)                                                                        \
    XX(ACCEPT_CONTACT, "Accept-Contact", 'a')                                                      \
    XX(ALLOW, "Allow", 0)                                                                          \
    XX(ALLOW_EVENTS, "Allow-Events", 'u')                                                          \
    XX(AUTHORIZATION, "Authorization", 0)                                                          \
    XX(CALL_ID, "Call-ID", 'i')                                                                    \
    XX(CONTACT, "Contact", 'm')                                                                    \
    XX(CONTENT_ENCODING, "Content-Encoding", 'e')                                                  \
    XX(CONTENT_LENGTH, "Content-Length", 'l')                                                      \
    XX(CONTENT_TYPE, "Content-Type", 'c')                                                          \
    XX(CSEQ, "CSeq", 0)                                                                            \
    XX(DATE, "Date", 0)                                                                            \
    XX(EVENT, "Event", 'o')                                                                        \
    XX(EXPIRES, "Expires", 0)                                                                      \
    XX(FROM, "From", 'f')                                                                          \
    XX(MAX_FORWARDS, "Max-Forwards", 0)                                                            \
    XX(MIN_EXPIRES, "Min-Expires", 0)                                                              \
    XX(P_ASSERTED_IDENTITY, "P-Asserted-Identity", 0)                                              \
    XX(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0)                                                \
    XX(PROXY_AUTHORIZATION, "Proxy-Authorization", 0)                                              \
    XX(PROXY_REQUIRE, "Proxy-Require", 0)                                                          \
    XX(RECORD_ROUTE, "Record-Route", 0)                                                            \
    XX(REFER_TO, "Refer-To", 'r')                                                                  \
    XX(REFERRED_BY, "Referred-By", 'b')                                                            \
    XX(REJECT_CONTACT, "Reject-Contact", 'j')                                                      \
    XX(REQUIRE, "Require", 0)                                                                      \
    XX(ROUTE, "Route", 0)                                                                          \
    XX(SESSION_EXPIRES, "Session-Expires", 'x')                                                    \
    XX(SIP_ETAG, "SIP-ETag", 0)                                                                    \
    XX(SIP_IF_MATCH, "SIP-If-Match", 0)                                                            \
    XX(SUBJECT, "Subject", 's')                                                                    \
    XX(SUBSCRIPTION_STATE, "Subscription-State", 0)                                                \
    XX(SUPPORTED, "Supported", 'k')                                                                \
    XX(TO, "To", 't')                                                                              \
    XX(UNSUPPORTED, "Unsupported", 0)                                                              \
    XX(VIA, "Via", 'v')                                                                            \
    XX(WARNING, "Warning", 0)                                                                      \
    XX(WWW_AUTHENTICATE, "WWW-Authenticate", 0)

typedef enum {
    EF_HDR_OTHER = 0, /**< any header without an id; kept byte-exact */
#define EF__HDR_ENUM(id, name, compact) EF_HDR_##id,
    EF_SIP_HEADER_MAP(EF__HDR_ENUM)
#undef EF__HDR_ENUM
        EF_HDR__COUNT
} ef_sip_hdr_t;

/** The full name of a header id ("Via"), or NULL for EF_HDR_OTHER. */
const char *ef_sip_hdr_name(ef_sip_hdr_t id);

/** The id of a header name, full or compact, case-insensitive; EF_HDR_OTHER if none. */
ef_sip_hdr_t ef_sip_hdr_lookup(const char *name, size_t len);

/** One header field as it stands in the message. */
typedef struct {
    ef_sip_hdr_t id;
    ef_str_t name;  /**< as written */
    ef_str_t value; /**< from the first non-blank byte after ':' to the last non-blank;
                         folded lines stay inside (CRLF + blanks), as RFC 3261 §7.3.1 allows */
    ef_str_t raw;   /**< the whole field, name to its final line break included */
} ef_sip_header_t;

/** Named limits, checked as bytes arrive. Zero fields take the defaults below. */
typedef struct {
    size_t max_message;     /**< start line + headers + body */
    size_t max_headers;     /**< header fields */
    size_t max_header_line; /**< one header field, folded lines included */
    size_t max_uri;         /**< Request-URI */
    size_t max_via;         /**< Via values, over all Via fields */
    size_t max_route;       /**< Route values, and Record-Route values, over all fields */
} ef_sip_limits_t;

#define EF_SIP_MAX_MESSAGE 65535
#define EF_SIP_MAX_HEADERS 128
#define EF_SIP_MAX_HEADER_LINE 8192
#define EF_SIP_MAX_URI 4096
#define EF_SIP_MAX_VIA 100 /* Max-Forwards starts at 70 */
#define EF_SIP_MAX_ROUTE 100

/** How the message arrived: a datagram is whole; a stream needs Content-Length. */
typedef enum { EF_SIP_DATAGRAM, EF_SIP_STREAM } ef_sip_transport_t;

/** A message, first level. Slices point into the parsed buffer. */
typedef struct {
    bool is_request;
    ef_str_t method;          /**< requests */
    ef_str_t uri;             /**< requests: the Request-URI, unparsed */
    int status;               /**< responses: 100..699 */
    ef_str_t reason;          /**< responses: may be empty */
    ef_str_t version;         /**< "SIP/2.0" as written */
    ef_sip_header_t *headers; /**< the caller's array */
    size_t n_headers;
    ef_str_t body;
    long content_length;         /**< -1 when there is no Content-Length header */
    size_t header_bytes;         /**< start line + headers + the empty line */
    size_t first[EF_HDR__COUNT]; /**< index + 1 of the first header of each id; 0 = none */
    size_t n_via, n_route, n_record_route; /**< values, counted against the limits */
} ef_sip_msg_t;

/**
 * Parse one message at the start of buf.
 *
 * @param hdrs, max_hdrs  the caller's header array (capacity in, msg->n_headers out)
 * @param lim   limits, or NULL for the defaults
 * @param err   optional: offset and reason on error
 * @return the bytes the message takes (headers + body); EF_EAGAIN when a
 *         stream has not delivered the whole message yet; EF_ESYNTAX for a
 *         malformed message; EF_E2BIG when a limit is passed (the daemon
 *         answers 513 to an oversize message, RFC 3261 §21.5.14)
 */
int ef_sip_parse(const char *buf, size_t len, ef_sip_transport_t transport, ef_sip_msg_t *msg,
                 ef_sip_header_t *hdrs, size_t max_hdrs, const ef_sip_limits_t *lim,
                 ef_perr_t *err);

/** The first header with this id, or NULL. */
const ef_sip_header_t *ef_sip_msg_header(const ef_sip_msg_t *msg, ef_sip_hdr_t id);

/** What a stream carries next (ef_sip_frame). */
typedef enum {
    EF_SIP_FRAME_MESSAGE, /**< a SIP message of the returned length */
    EF_SIP_FRAME_PING,    /**< CRLFCRLF: a keep-alive ping, answer with a pong (RFC 5626 §3.5.1) */
    EF_SIP_FRAME_PONG,    /**< a lone CRLF: a pong */
} ef_sip_frame_t;

/**
 * Framer state for a stream, so that the search for the end of the headers
 * resumes where it stopped when more bytes arrive. Zero-initialise; reset to
 * zero after each frame.
 */
typedef struct {
    size_t scanned; /**< bytes already searched for the empty line */
} ef_sip_framer_t;

/**
 * Find the next frame at the start of a stream buffer.
 *
 * @return the length of the frame (>0) with *kind set; EF_EAGAIN when more
 *         bytes are needed; EF_ESYNTAX (no or bad Content-Length, RFC 3261
 *         §18.3: it MUST be present on streams) or EF_E2BIG (a limit passed)
 *         -- the connection cannot be resynchronised and should be closed
 */
int ef_sip_frame(ef_sip_framer_t *st, const char *buf, size_t len, const ef_sip_limits_t *lim,
                 ef_sip_frame_t *kind, ef_perr_t *err);

#ifdef __cplusplus
}
#endif

#endif
