/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolve.h -- the ENUM client: E.164 number -> ordered list of URIs, per
 * RFC 6116, the DDDS of RFC 3402/3403 and the enum: URI (draft-brandner §3.2),
 * asynchronously on a libevent base with libunbound, with a synchronous wrapper
 * for tools. DNS answers are cached with their TTLs; every result carries its
 * DNSSEC status.
 */
#ifndef ENUMFED_RESOLVE_H
#define ENUMFED_RESOLVE_H

#include "enumfed/common.h"
#include "enumfed/e164.h"
#include "enumfed/enumsvc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

/** How DNSSEC is used. */
typedef enum {
    EF_DNSSEC_OFF,      /**< no validation; every answer is reported insecure */
    EF_DNSSEC_VALIDATE, /**< validate with the trust anchors; bogus answers fail */
    EF_DNSSEC_REQUIRE,  /**< validate, and refuse anything that is not secure */
} ef_dnssec_mode_t;

/** The DNSSEC status of an answer or a result. */
typedef enum {
    EF_SEC_INSECURE,
    EF_SEC_SECURE,
    EF_SEC_BOGUS,
} ef_sec_t;

/** "secure", "insecure" or "bogus". */
const char *ef_sec_name(ef_sec_t sec);

/** Defaults for the bounds below. RFC 6116 §5.2.1: more than 5 non-terminals MAY be a loop. */
#define EF_RESOLVE_MAX_DEPTH 5
#define EF_RESOLVE_MAX_QUERIES 32
#define EF_RESOLVE_TIMEOUT_MS 5000
#define EF_RESOLVE_MAX_SUFFIXES 8
#define EF_RESOLVE_MAX_RESULTS 256

/** Resolver configuration. Zero-initialise, then set what you need. Strings are copied. */
typedef struct {
    const char *const *suffixes; /**< ENUM suffixes in priority order; none = "e164.arpa." */
    size_t n_suffixes;
    const char *server;       /**< "HOST[:PORT]" ("[v6]:PORT" too): every query goes there */
    const char *const *zones; /**< master zone files answered offline */
    size_t n_zones;
    const char *const *trust_anchors; /**< files of DS/DNSKEY records */
    size_t n_trust_anchors;
    ef_dnssec_mode_t dnssec;
    bool private_network; /**< accept "P-" Enumservices (RFC 6116 §3.4.3.1) */
    unsigned max_depth;   /**< non-terminal hops + enum: re-submissions; 0 = default */
    unsigned max_queries; /**< DNS queries per ENUM query; 0 = default */
    unsigned timeout_ms;  /**< per DNS query; 0 = default */
} ef_resolver_config_t;

/** A resolver belongs to the thread that runs its event base; use one per thread. */
typedef struct ef_resolver ef_resolver_t;

/**
 * Create a resolver.
 *
 * @param base  the libevent base the async API runs on, or NULL: the resolver
 *              then owns a private base, used by the _sync functions
 * @param cfg   configuration, copied
 * @param out   receives the resolver (free with ef_resolver_free)
 * @param errbuf,errcap  optional; receives a one-line explanation on error
 * @return 0, EF_ECONFIG (a bad suffix, server, zone or anchor file), EF_ENOMEM
 */
int ef_resolver_new(struct event_base *base, const ef_resolver_config_t *cfg, ef_resolver_t **out,
                    char *errbuf, size_t errcap);

/** Cancel every pending query (their callbacks are not called) and free. NULL is allowed. */
void ef_resolver_free(ef_resolver_t *res);

/** One URI produced by the ENUM query. Strings are owned by the answer. */
typedef struct {
    uint16_t order;
    uint16_t preference;
    size_t n_services;
    const char **services; /**< "type" or "type:subtype", lowercase, left to right */
    const char *uri;
    const char *domain; /**< owner name of the NAPTR that produced it */
    ef_sec_t dnssec;    /**< the weakest status along the chain that led to it */
    unsigned depth;     /**< non-terminal hops + enum: re-submissions before it */
} ef_enum_result_t;

/** The outcome of an ENUM query. Free with ef_enum_answer_free. */
typedef struct ef_enum_answer {
    int status; /**< 0 (results) or a kind: EF_ENXDOMAIN, EF_ENONAPTR, EF_ENOMATCH,
                     EF_ESERVFAIL, EF_ETIMEOUT, EF_EBOGUS, EF_EINSECURE, EF_ELOOP,
                     EF_EBADRECORD */
    ef_e164_t number;
    ef_sec_t dnssec;      /**< the weakest status of the answers used */
    unsigned queries;     /**< DNS lookups made (cache hits included) */
    unsigned bad_records; /**< malformed records skipped */
    const char *suffix;   /**< the suffix whose answer was used */
    const char *detail;   /**< on a DNS error, the resolver's explanation (why bogus), or NULL */
    size_t n_results;
    ef_enum_result_t *results;
    struct ef_arena *arena; /**< private */
} ef_enum_answer_t;

void ef_enum_answer_free(ef_enum_answer_t *ans);

/** Receives one line of --trace explanation. `depth` is the nesting level. */
typedef void (*ef_trace_cb)(void *arg, unsigned depth, const char *line);

/** Per-query options. Zero-initialise. */
typedef struct {
    const ef_enumsvc_t *services; /**< wanted Enumservices; none = every service */
    size_t n_services;
    bool all; /**< every usable record of every ORDER (RFC 6116 §5.2 MAY) */
    ef_trace_cb trace;
    void *trace_arg;
} ef_enum_opts_t;

/** Called once when a query ends; `ans` belongs to the callee (ef_enum_answer_free). */
typedef void (*ef_enum_cb)(void *arg, ef_enum_answer_t *ans);

typedef struct ef_enum_query ef_enum_query_t;

/**
 * Start an ENUM query for a number ("+44 1632 960083", "tel:+44-…", "enum:+44…").
 * The callback is called later, from the event base, exactly once — unless the
 * query is cancelled or this function returns an error.
 *
 * @param q     optional; receives a handle for ef_enum_cancel (valid until cb runs)
 * @param perr  optional; where and why `input` is malformed
 * @return 0, EF_ESYNTAX / EF_E2BIG for a malformed number, EF_ENOMEM
 */
int ef_enum_query(ef_resolver_t *res, const char *input, size_t len, const ef_enum_opts_t *opts,
                  ef_enum_cb cb, void *arg, ef_enum_query_t **q, ef_perr_t *perr);

/** Cancel a pending query; its callback is not called. */
void ef_enum_cancel(ef_enum_query_t *q);

/**
 * The synchronous form: runs the resolver's base until the answer is there.
 * Only for resolvers created with base == NULL.
 *
 * @param out  receives the answer (free with ef_enum_answer_free); its status
 *             tells whether results were found
 * @return 0 when *out is set; EF_ESYNTAX / EF_E2BIG for a malformed number; EF_ENOMEM
 */
int ef_enum_query_sync(ef_resolver_t *res, const char *input, size_t len,
                       const ef_enum_opts_t *opts, ef_enum_answer_t **out, ef_perr_t *perr);

#ifdef __cplusplus
}
#endif

#endif
