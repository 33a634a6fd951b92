/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * locate.h -- from a URI that ENUM returned to the servers that take it:
 * im:/pres: per RFC 3861 (SRV _im._sip / _pres._sip, per transport, then an
 * implicit SRV on the domain's addresses), sip:/sips: per RFC 3263 (NAPTR ->
 * SRV -> A/AAAA). The result is an ordered list of (transport, host, port,
 * address) with SRV priorities and weights honoured (RFC 2782).
 */
#ifndef ENUMFED_LOCATE_H
#define ENUMFED_LOCATE_H

#include "enumfed/resolve.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    EF_TRANSPORT_UDP,
    EF_TRANSPORT_TCP,
    EF_TRANSPORT_TLS,
} ef_transport_t;

/** "udp", "tcp" or "tls". */
const char *ef_transport_name(ef_transport_t t);

/** One place to send the request to. Strings are owned by the answer. */
typedef struct {
    ef_transport_t transport;
    const char *host; /**< the SRV target or the URI host, with its final dot */
    uint16_t port;
    const char *address; /**< numeric IPv4 or IPv6 address */
    uint16_t priority;   /**< of the SRV record; 0 for an implicit one */
    uint16_t weight;
    ef_sec_t dnssec; /**< the weakest status along the lookups that gave it */
} ef_target_t;

/** The outcome of a locate. Free with ef_locate_answer_free. */
typedef struct ef_locate_answer {
    int status; /**< 0, or EF_ENXDOMAIN, EF_ENODATA (no address), EF_ESERVFAIL,
                     EF_ETIMEOUT, EF_EBOGUS, EF_EINSECURE */
    size_t n_targets;
    ef_target_t *targets;
    struct ef_arena *arena; /**< private */
} ef_locate_answer_t;

void ef_locate_answer_free(ef_locate_answer_t *ans);

/** Per-locate options. Zero-initialise. */
typedef struct {
    unsigned seed; /**< seed of the RFC 2782 weighted choice; 0 = random */
    ef_trace_cb trace;
    void *trace_arg;
} ef_locate_opts_t;

typedef void (*ef_locate_cb)(void *arg, ef_locate_answer_t *ans);
typedef struct ef_locate ef_locate_t;

/** The URI schemes ef_locate knows: sip, sips, im, pres (case-insensitive). */
bool ef_locate_supported(const char *uri, size_t len);

/**
 * Start locating `uri`. The callback runs later from the event base, exactly
 * once, unless cancelled or unless this function returns an error.
 *
 * @return 0, EF_ESYNTAX (with perr) for a URI it cannot read, EF_EINVAL for an
 *         unsupported scheme, EF_ENOMEM
 */
int ef_locate(ef_resolver_t *res, const char *uri, size_t len, const ef_locate_opts_t *opts,
              ef_locate_cb cb, void *arg, ef_locate_t **handle, ef_perr_t *perr);

void ef_locate_cancel(ef_locate_t *loc);

/** The synchronous form, for resolvers created with base == NULL. */
int ef_locate_sync(ef_resolver_t *res, const char *uri, size_t len, const ef_locate_opts_t *opts,
                   ef_locate_answer_t **out, ef_perr_t *perr);

#ifdef __cplusplus
}
#endif

#endif
