/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.h -- the DNS layer under resolve and locate: one libunbound context
 * hooked into a libevent base (ub_fd + ub_process), its configuration (server,
 * offline zones, trust anchors, DNSSEC mode), per-lookup timeouts, and a
 * TTL-honouring cache of RRsets in front of it so that a cached lookup never
 * leaves the calling thread.
 */
#ifndef EF_ENUM_DNS_H
#define EF_ENUM_DNS_H

#include "enumfed/resolve.h"

#define EF_DNS_TYPE_A 1
#define EF_DNS_TYPE_TXT 16
#define EF_DNS_TYPE_AAAA 28
#define EF_DNS_TYPE_SRV 33
#define EF_DNS_TYPE_NAPTR 35

/** An answer: the RRset of one (name, type), or why there is none. Reference-counted. */
typedef struct ef__rrset {
    unsigned refs;
    int status;      /**< 0, EF_ENXDOMAIN, EF_ENODATA, EF_ESERVFAIL, EF_ETIMEOUT, EF_EBOGUS */
    ef_sec_t sec;    /**< DNSSEC status of the answer (also of a negative answer) */
    uint32_t ttl;    /**< as libunbound reported it */
    bool from_cache; /**< served by our cache, no libunbound round trip */
    char *why;       /**< why bogus / why failed, or NULL */
    size_t n;        /**< number of rdata */
    const uint8_t **rdata;
    const size_t *rdlen;
    /* private: */
    uint64_t expires_ms;
    struct ef__rrset *hnext, *lprev, *lnext;
    uint32_t hash;
    uint16_t type;
    char *name;
} ef__rrset_t;

typedef struct ef__dns ef__dns_t;
typedef struct ef__dns_req ef__dns_req_t;

/** Called once with a new reference to the answer; the callee releases it with ef__rrset_unref. */
typedef void (*ef__dns_cb)(void *arg, ef__rrset_t *rr);

/** Create the DNS layer on `base` (never NULL here). errbuf receives a one-line reason. */
int ef__dns_new(struct event_base *base, const ef_resolver_config_t *cfg, ef__dns_t **out,
                char *errbuf, size_t errcap);

/** Cancel every pending lookup (callbacks are not called) and free. */
void ef__dns_free(ef__dns_t *dns);

/**
 * The cached answer for (name, type) if it has not expired: a new reference,
 * or NULL. `name` is a presentation-form name with or without its final dot.
 */
ef__rrset_t *ef__dns_cached(ef__dns_t *dns, const char *name, uint16_t type);

/**
 * Look (name, type) up through libunbound; the answer is cached with its TTL.
 * The callback runs later from the event base, never from inside this call.
 *
 * @param req  optional; receives a handle for ef__dns_cancel, valid until the callback
 * @return 0 or EF_ENOMEM / EF_EINVAL (a name that is not a domain name)
 */
int ef__dns_fetch(ef__dns_t *dns, const char *name, uint16_t type, ef__dns_cb cb, void *arg,
                  ef__dns_req_t **req);

/** Cancel a pending lookup; its callback is not called. */
void ef__dns_cancel(ef__dns_req_t *req);

void ef__rrset_unref(ef__rrset_t *rr);

/** Empty the RRset cache (libunbound keeps its own). */
void ef__dns_flush(ef__dns_t *dns);

/** The DNS layer and the event base of a resolver, for locate.c which shares them. */
ef__dns_t *ef__resolver_dns(ef_resolver_t *res);
struct event_base *ef__resolver_base(ef_resolver_t *res);
ef_dnssec_mode_t ef__resolver_dnssec(ef_resolver_t *res);

#endif
