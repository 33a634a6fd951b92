/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip_check.h -- what an element answers to a request that parsed but cannot
 * be accepted (RFC 3261 §8.2 for user agents, §16.3 for proxies, and the
 * application-layer cases of RFC 4475 §3.3), so that the daemon and the tools
 * never re-invent it.
 */
#ifndef ENUMFED_SIP_CHECK_H
#define ENUMFED_SIP_CHECK_H

#include "enumfed/sip.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    EF_ROLE_PROXY, /**< RFC 3261 §16.3: Proxy-Require, Max-Forwards 0 -> 483 */
    EF_ROLE_UAS,   /**< RFC 3261 §8.2: methods, Require, Content-Type, Accept */
} ef_sip_role_t;

/** What the element supports. NULL lists take the defaults documented below. */
typedef struct {
    ef_sip_role_t role;
    const char *const *methods;    /**< UAS: methods it implements (else 501); default: INVITE
                                        ACK BYE CANCEL OPTIONS REGISTER MESSAGE SUBSCRIBE NOTIFY
                                        PUBLISH INFO */
    const char *const *extensions; /**< option tags it supports (Require / Proxy-Require) */
    const char *const *media;      /**< UAS: body types it accepts (else 415); default:
                                        text/plain, application/sdp, application/pidf+xml,
                                        message/cpim, application/im-iscomposing+xml */
} ef_sip_check_opts_t;

/** The verdict: 0 when the request may be processed, else the status code to answer. */
typedef struct {
    int status;
    const char *reason;   /**< why, for logs and Warning text (static) */
    ef_sip_hdr_t header;  /**< the header at fault, EF_HDR_OTHER when none */
    ef_str_t unsupported; /**< 420: the first option tag not supported (for Unsupported:) */
} ef_sip_verdict_t;

/**
 * Check a parsed request. Responses are checked for the headers every
 * message needs (RFC 3261 §8.1.1) and get status 0 or -1 (drop: RFC 3261 §18.1.2
 * discards malformed responses instead of answering them).
 *
 * @return verdict->status
 */
int ef_sip_check(const ef_sip_msg_t *msg, const ef_sip_check_opts_t *opts,
                 ef_sip_verdict_t *verdict);

/**
 * Grammar only: the start line, every header with an id through its typed
 * parser, and the Request-URI. `verdict->status` is 400 (or 505 for a version
 * that is not SIP/2.0 -- still grammatical, reported apart) with the reason and
 * the header at fault, or 0.
 *
 * @return verdict->status
 */
int ef_sip_check_syntax(const ef_sip_msg_t *msg, ef_sip_verdict_t *verdict);

#ifdef __cplusplus
}
#endif

#endif
