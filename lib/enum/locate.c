/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * locate.c -- RFC 3861 and RFC 3263 server location. A locate job runs in up
 * to three stages, each a batch of DNS lookups started together: NAPTR (sip:
 * and sips: without port or transport), SRV (one name per transport), then A
 * and AAAA of every SRV target. Cached answers complete a batch at once.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enum/dns.h"
#include "enumfed/locate.h"
#include "enumfed/naptr.h"
#include "util/arena.h"

#define LOOKUPS_MAX 32
#define SRV_MAX 64
#define SIP_PORT 5060
#define SIPS_PORT 5061

enum scheme { SCHEME_SIP, SCHEME_SIPS, SCHEME_IM, SCHEME_PRES };
enum stage { STAGE_NAPTR, STAGE_SRV, STAGE_ADDR };

struct lookup {
    struct ef_locate *job;
    char name[EF_DNAME_TEXT_MAX];
    uint16_t type;
    ef_transport_t transport; /* for SRV names: the transport they stand for */
    ef__rrset_t *rr;
    ef__dns_req_t *req;
};

/* A server to look addresses up for: from an SRV record, or implicit. */
struct srv {
    char host[EF_DNAME_TEXT_MAX];
    uint16_t priority, weight, port;
    ef_transport_t transport;
    ef_sec_t sec;
};

struct ef_locate {
    ef_resolver_t *res;
    struct ef_arena *arena;
    ef_locate_opts_t opts;
    ef_locate_cb cb;
    void *arg;
    enum scheme scheme;
    char host[EF_DNAME_TEXT_MAX]; /* the URI's host (domain for im:/pres:) */
    int port;                     /* -1: none in the URI */
    int transport;                /* -1: no transport parameter */
    bool numeric;                 /* host is an IP literal */
    enum stage stage;
    struct lookup lk[LOOKUPS_MAX];
    size_t n_lk, pending;
    struct srv srv[SRV_MAX];
    size_t n_srv;
    int status;
    ef_sec_t sec;
    unsigned rng;
    bool starting, complete;
    ef_locate_answer_t *answer;
    struct event *deferred;
};

static void stage_done(struct ef_locate *job);

const char *ef_transport_name(ef_transport_t t)
{
    return t == EF_TRANSPORT_TLS ? "tls" : t == EF_TRANSPORT_TCP ? "tcp" : "udp";
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
trace(struct ef_locate *job, const char *fmt, ...)
{
    char line[1200];
    va_list ap;

    if (job->opts.trace == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    job->opts.trace(job->opts.trace_arg, 1, line);
}

/* --- the URI ------------------------------------------------------------- */

static int scheme_of(const char *uri, size_t len, enum scheme *s, size_t *skip)
{
    static const struct {
        const char *name;
        enum scheme s;
    } schemes[] = {
        {"sips:", SCHEME_SIPS}, {"sip:", SCHEME_SIP}, {"im:", SCHEME_IM}, {"pres:", SCHEME_PRES}};
    size_t i, n;

    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        n = strlen(schemes[i].name);
        if (len >= n && strncasecmp(uri, schemes[i].name, n) == 0) {
            *s = schemes[i].s;
            *skip = n;
            return 0;
        }
    }
    return EF_EINVAL;
}

bool ef_locate_supported(const char *uri, size_t len)
{
    enum scheme s;
    size_t skip;

    return scheme_of(uri, len, &s, &skip) == 0;
}

static int uri_fail(ef_perr_t *perr, size_t off, const char *why)
{
    if (perr != NULL)
        perr->offset = off, perr->reason = why;
    return EF_ESYNTAX;
}

/* The ;transport= parameter of a sip:/sips: URI (RFC 3261 §19.1.1). */
static int transport_param(const char *p, size_t len)
{
    static const char key[] = ";transport=";
    size_t i, k = sizeof(key) - 1;

    for (i = 0; i + k <= len; i++) {
        if (strncasecmp(p + i, key, k) != 0)
            continue;
        p += i + k, len -= i + k;
        if (len >= 3 && strncasecmp(p, "udp", 3) == 0 && (len == 3 || strchr(";?", p[3])))
            return EF_TRANSPORT_UDP;
        if (len >= 3 && strncasecmp(p, "tcp", 3) == 0 && (len == 3 || strchr(";?", p[3])))
            return EF_TRANSPORT_TCP;
        if (len >= 3 && strncasecmp(p, "tls", 3) == 0 && (len == 3 || strchr(";?", p[3])))
            return EF_TRANSPORT_TLS;
        return -2; /* sctp, ws...: nothing we can reach */
    }
    return -1;
}

/*
 * Host and port of sip:[user[:pw]@]host[:port][;params][?headers], or the domain
 * of im:/pres: mailbox URIs (RFC 3861 §2: "im:" mailbox, addr-spec user@domain).
 */
static int parse_target(struct ef_locate *job, const char *uri, size_t len, ef_perr_t *perr)
{
    size_t skip = 0, start, end, i;
    const char *at;

    scheme_of(uri, len, &job->scheme, &skip);
    end = skip;
    while (end < len && uri[end] != ';' && uri[end] != '?')
        end++;
    at = memchr(uri + skip, '@', end - skip);
    while (at != NULL && memchr(at + 1, '@', (size_t)(uri + end - at - 1)) != NULL)
        at = memchr(at + 1, '@', (size_t)(uri + end - at - 1));
    start = at != NULL ? (size_t)(at - uri) + 1 : skip;
    if ((job->scheme == SCHEME_IM || job->scheme == SCHEME_PRES) && at == NULL)
        return uri_fail(perr, skip, "expected user@domain (RFC 3861)");
    job->port = -1;
    job->transport = -1;
    if (start < end && uri[start] == '[') { /* IPv6 reference */
        const char *rb = memchr(uri + start, ']', end - start);
        if (rb == NULL)
            return uri_fail(perr, start, "unterminated IPv6 reference");
        i = (size_t)(rb - uri) + 1;
        snprintf(job->host, sizeof(job->host), "%.*s", (int)(i - start - 2), uri + start + 1);
        job->numeric = true;
    } else {
        for (i = start; i < end && uri[i] != ':'; i++)
            ;
        if (i == start || i - start >= sizeof(job->host) - 1)
            return uri_fail(perr, start, "missing or overlong host");
        snprintf(job->host, sizeof(job->host), "%.*s", (int)(i - start), uri + start);
    }
    if (i < end && uri[i] == ':' && job->scheme <= SCHEME_SIPS) {
        char *e;
        long port = strtol(uri + i + 1, &e, 10);
        if (e != uri + end || port <= 0 || port > 65535)
            return uri_fail(perr, i + 1, "invalid port");
        job->port = (int)port;
    } else if (i != end) {
        return uri_fail(perr, i, "unexpected character after host");
    }
    if (job->scheme <= SCHEME_SIPS)
        job->transport = transport_param(uri + end, len - end);
    if (job->transport == -2)
        return uri_fail(perr, end, "transport parameter names no transport we support");
    if (!job->numeric) {
        struct in_addr a4;
        size_t hl = strlen(job->host);
        job->numeric = inet_pton(AF_INET, job->host, &a4) == 1;
        if (!job->numeric && job->host[hl - 1] != '.') /* names are absolute (RFC 3861 §4) */
            snprintf(job->host + hl, sizeof(job->host) - hl, ".");
    }
    return 0;
}

/* --- lookups in batches --------------------------------------------------- */

static void add_lookup(struct ef_locate *job, const char *prefix, const char *name, uint16_t type,
                       ef_transport_t t)
{
    struct lookup *lk;

    if (job->n_lk >= LOOKUPS_MAX)
        return;
    if (strlen(prefix) + strlen(name) >= sizeof(lk->name))
        return; /* longer than a domain name: nothing to look up */
    lk = &job->lk[job->n_lk++];
    memset(lk, 0, sizeof(*lk));
    lk->job = job;
    strcpy(lk->name, prefix);
    strcat(lk->name, name);
    lk->type = type;
    lk->transport = t;
}

static void reset_lookups(struct ef_locate *job)
{
    size_t i;

    for (i = 0; i < job->n_lk; i++) {
        if (job->lk[i].req != NULL)
            ef__dns_cancel(job->lk[i].req);
        ef__rrset_unref(job->lk[i].rr);
    }
    job->n_lk = 0;
    job->pending = 0;
}

static void lookup_cb(void *arg, ef__rrset_t *rr)
{
    struct lookup *lk = arg;
    struct ef_locate *job = lk->job;

    lk->req = NULL;
    lk->rr = rr;
    trace(job, "%s %s: %s (%s)", lk->name, lk->type == EF_DNS_TYPE_SRV ? "SRV" : "answer",
          ef_err_name(rr->status), ef_sec_name(rr->sec));
    if (--job->pending == 0)
        stage_done(job);
}

/* Start every lookup of the batch; when all were cached, the stage ends now. */
static void run_batch(struct ef_locate *job)
{
    ef__dns_t *dns = ef__resolver_dns(job->res);
    size_t i;

    job->pending = 1; /* held until every lookup is started */
    for (i = 0; i < job->n_lk; i++) {
        struct lookup *lk = &job->lk[i];

        lk->rr = ef__dns_cached(dns, lk->name, lk->type);
        if (lk->rr != NULL)
            continue;
        job->pending++;
        if (ef__dns_fetch(dns, lk->name, lk->type, lookup_cb, lk, &lk->req) < 0) {
            job->pending--;
            job->status = EF_ENOMEM;
        }
    }
    if (--job->pending == 0)
        stage_done(job);
}

/* A usable answer of a lookup, or NULL; the worst failure is kept for the status. */
static const ef__rrset_t *answer_of(struct ef_locate *job, const struct lookup *lk)
{
    const ef__rrset_t *rr = lk->rr;
    int st;

    if (rr == NULL)
        return NULL;
    st = rr->status;
    if (st == 0 && ef__resolver_dnssec(job->res) == EF_DNSSEC_REQUIRE && rr->sec != EF_SEC_SECURE)
        st = EF_EINSECURE;
    if (st == EF_EBOGUS || st == EF_EINSECURE || st == EF_ESERVFAIL || st == EF_ETIMEOUT ||
        (st == EF_ENXDOMAIN && job->status == 0))
        job->status = st;
    return st == 0 ? rr : NULL;
}

/* --- stage results ---------------------------------------------------------- */

static void add_srv(struct ef_locate *job, const char *host, uint16_t prio, uint16_t weight,
                    uint16_t port, ef_transport_t t, ef_sec_t sec)
{
    struct srv *s;

    if (job->n_srv >= SRV_MAX)
        return;
    s = &job->srv[job->n_srv++];
    snprintf(s->host, sizeof(s->host), "%s", host);
    s->priority = prio;
    s->weight = weight;
    s->port = port;
    s->transport = t;
    s->sec = sec;
}

static uint16_t default_port(const struct ef_locate *job, ef_transport_t t)
{
    return t == EF_TRANSPORT_TLS || job->scheme == SCHEME_SIPS ? SIPS_PORT : SIP_PORT;
}

/* The SRV names of RFC 3861 §3 (im:, pres:) or RFC 3263 §4.1 (sip:, sips:). */
static void srv_names(struct ef_locate *job)
{
    const char *svc = job->scheme == SCHEME_IM ? "_im._sip." : "_pres._sip.";
    char prefix[32];

    if (job->scheme == SCHEME_IM || job->scheme == SCHEME_PRES) {
        snprintf(prefix, sizeof(prefix), "%s_tls.", svc);
        add_lookup(job, prefix, job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_TLS);
        snprintf(prefix, sizeof(prefix), "%s_tcp.", svc);
        add_lookup(job, prefix, job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_TCP);
        snprintf(prefix, sizeof(prefix), "%s_udp.", svc);
        add_lookup(job, prefix, job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_UDP);
        /* RFC 3861 §3 proper: _im._sip.DOMAIN, no transport label; SIP over TCP */
        add_lookup(job, svc, job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_TCP);
        return;
    }
    if (job->transport < 0 || job->transport == EF_TRANSPORT_TLS)
        add_lookup(job, "_sips._tcp.", job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_TLS);
    if (job->scheme == SCHEME_SIPS)
        return;
    if (job->transport < 0 || job->transport == EF_TRANSPORT_TCP)
        add_lookup(job, "_sip._tcp.", job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_TCP);
    if (job->transport < 0 || job->transport == EF_TRANSPORT_UDP)
        add_lookup(job, "_sip._udp.", job->host, EF_DNS_TYPE_SRV, EF_TRANSPORT_UDP);
}

static int naptr_transport(const ef_naptr_t *rr, bool sips)
{
    static const struct {
        const char *svc;
        ef_transport_t t;
    } map[] = {{"SIPS+D2T", EF_TRANSPORT_TLS},
               {"SIP+D2T", EF_TRANSPORT_TCP},
               {"SIP+D2U", EF_TRANSPORT_UDP}};
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (rr->services.len == strlen(map[i].svc) &&
            strncasecmp(rr->services.ptr, map[i].svc, rr->services.len) == 0)
            return sips && map[i].t != EF_TRANSPORT_TLS ? -1 : (int)map[i].t;
    return -1;
}

/* RFC 3263 §4.1: NAPTRs with "s" flags and SIP services give the SRV names, in order. */
static void naptr_done(struct ef_locate *job)
{
    const ef__rrset_t *rr = answer_of(job, &job->lk[0]);
    ef_naptr_t recs[LOOKUPS_MAX];
    char name[EF_DNAME_TEXT_MAX];
    size_t i, n = 0;
    struct lookup srv_lk[LOOKUPS_MAX];
    size_t n_srv = 0;

    for (i = 0; rr != NULL && i < rr->n && n < LOOKUPS_MAX; i++)
        if (ef_naptr_decode(rr->rdata[i], rr->rdlen[i], &recs[n], NULL) == 0)
            recs[n].index = i, n++;
    ef_naptr_sort(recs, n);
    for (i = 0; i < n && n_srv < LOOKUPS_MAX; i++) {
        int t = naptr_transport(&recs[i], job->scheme == SCHEME_SIPS);
        if (t < 0 || recs[i].flags.len != 1 ||
            tolower((unsigned char)recs[i].flags.ptr[0]) != 's' ||
            ef_naptr_replacement_text(&recs[i], name, sizeof(name)) < 0)
            continue;
        trace(job, "NAPTR %u %u %.*s -> %s", recs[i].order, recs[i].preference,
              (int)recs[i].services.len, recs[i].services.ptr, name);
        snprintf(srv_lk[n_srv].name, sizeof(srv_lk[n_srv].name), "%s", name);
        srv_lk[n_srv++].transport = (ef_transport_t)t;
    }
    reset_lookups(job);
    job->status = 0;
    for (i = 0; i < n_srv; i++)
        add_lookup(job, "", srv_lk[i].name, EF_DNS_TYPE_SRV, srv_lk[i].transport);
    if (n_srv == 0)
        srv_names(job); /* RFC 3263 §4.1: no NAPTR -> SRV for the transports we support */
    job->stage = STAGE_SRV;
    run_batch(job);
}

/* RFC 2782: by priority; within one priority, a weighted random order. */
static void srv_order(struct ef_locate *job, struct srv *s, size_t n)
{
    size_t i, j;

    for (i = 1; i < n; i++) /* stable insertion sort by priority */
        for (j = i; j > 0 && s[j - 1].priority > s[j].priority; j--) {
            struct srv tmp = s[j];
            s[j] = s[j - 1], s[j - 1] = tmp;
        }
    for (i = 0; i < n; i++) {
        unsigned long total = 0, pick;
        size_t end = i;

        while (end < n && s[end].priority == s[i].priority)
            total += s[end++].weight;
        if (end - i < 2)
            continue;
        job->rng = job->rng * 1103515245u + 12345u;
        pick = total ? (job->rng >> 8) % (total + 1) : 0;
        for (j = i, total = 0; j < end; j++) {
            total += s[j].weight;
            if (total >= pick && (s[j].weight > 0 || pick == 0))
                break;
        }
        if (j < end && j != i) {
            struct srv tmp = s[j];
            memmove(&s[i + 1], &s[i], (j - i) * sizeof(*s));
            s[i] = tmp;
        }
    }
}

static int srv_decode(const ef__rrset_t *rr, size_t k, struct srv *out)
{
    const uint8_t *d = rr->rdata[k];
    ef_naptr_t name = {0};

    if (rr->rdlen[k] < 7)
        return EF_ESYNTAX;
    out->priority = (uint16_t)(d[0] << 8 | d[1]);
    out->weight = (uint16_t)(d[2] << 8 | d[3]);
    out->port = (uint16_t)(d[4] << 8 | d[5]);
    /* The SRV target is an uncompressed name like the NAPTR replacement (RFC 2782). */
    name.replacement.ptr = (const char *)d + 6;
    name.replacement.len = rr->rdlen[k] - 6;
    return ef_naptr_replacement_text(&name, out->host, sizeof(out->host)) < 0 ? EF_ESYNTAX : 0;
}

static void srv_done(struct ef_locate *job)
{
    size_t i, k, first;

    for (i = 0; i < job->n_lk; i++) {
        const ef__rrset_t *rr = answer_of(job, &job->lk[i]);

        first = job->n_srv;
        for (k = 0; rr != NULL && k < rr->n && job->n_srv < SRV_MAX; k++) {
            struct srv s;
            if (srv_decode(rr, k, &s) < 0 || strcmp(s.host, ".") == 0)
                continue; /* RFC 2782: target "." means the service is not offered */
            add_srv(job, s.host, s.priority, s.weight, s.port, job->lk[i].transport, rr->sec);
        }
        srv_order(job, &job->srv[first], job->n_srv - first);
    }
    if (job->n_srv == 0) {
        /* RFC 3861 §4, RFC 3263 §4.2: no SRV -> an implicit one on the host itself */
        ef_transport_t t = job->transport >= 0          ? (ef_transport_t)job->transport
                           : job->scheme == SCHEME_SIPS ? EF_TRANSPORT_TLS
                           : job->scheme == SCHEME_SIP  ? EF_TRANSPORT_UDP
                                                        : EF_TRANSPORT_TCP;
        trace(job, "no SRV records: using the addresses of %s", job->host);
        add_srv(job, job->host, 0, 0, default_port(job, t), t, EF_SEC_SECURE);
    }
    job->status = 0;
    reset_lookups(job);
    for (i = 0; i < job->n_srv; i++) {
        for (k = 0; k < i && strcasecmp(job->srv[k].host, job->srv[i].host) != 0; k++)
            ;
        if (k < i)
            continue; /* addresses of that host are already asked for */
        add_lookup(job, "", job->srv[i].host, EF_DNS_TYPE_A, EF_TRANSPORT_UDP);
        add_lookup(job, "", job->srv[i].host, EF_DNS_TYPE_AAAA, EF_TRANSPORT_UDP);
    }
    job->stage = STAGE_ADDR;
    run_batch(job);
}

static int add_target(struct ef_locate *job, ef_locate_answer_t *ans, const struct srv *s,
                      const char *addr, ef_sec_t sec)
{
    ef_target_t *t;

    if (ans->n_targets % 16 == 0) {
        ef_target_t *grown = ef__arena_alloc(job->arena, (ans->n_targets + 16) * sizeof(*grown));
        if (grown == NULL)
            return EF_ENOMEM;
        if (ans->n_targets)
            memcpy(grown, ans->targets, ans->n_targets * sizeof(*grown));
        ans->targets = grown;
    }
    t = &ans->targets[ans->n_targets++];
    t->transport = s->transport;
    t->host = ef__arena_strndup(job->arena, s->host, strlen(s->host));
    t->address = ef__arena_strndup(job->arena, addr, strlen(addr));
    t->port = s->port;
    t->priority = s->priority;
    t->weight = s->weight;
    t->dnssec = sec;
    return t->host != NULL && t->address != NULL ? 0 : EF_ENOMEM;
}

/* Addresses of each server, A before AAAA, in server order. */
static void addr_done(struct ef_locate *job, ef_locate_answer_t *ans)
{
    char text[INET6_ADDRSTRLEN];
    size_t i, k, j;

    for (i = 0; i < job->n_srv; i++) {
        for (k = 0; k < job->n_lk; k++) {
            const struct lookup *lk = &job->lk[k];
            const ef__rrset_t *rr;

            if (strcasecmp(lk->name, job->srv[i].host) != 0)
                continue;
            rr = answer_of(job, lk);
            for (j = 0; rr != NULL && j < rr->n; j++) {
                int af = lk->type == EF_DNS_TYPE_A ? AF_INET : AF_INET6;
                if (rr->rdlen[j] != (af == AF_INET ? 4u : 16u) ||
                    inet_ntop(af, rr->rdata[j], text, sizeof(text)) == NULL)
                    continue;
                add_target(job, ans, &job->srv[i], text,
                           job->srv[i].sec < rr->sec ? job->srv[i].sec : rr->sec);
            }
        }
    }
}

/* --- the job ---------------------------------------------------------------- */

static void deliver(struct ef_locate *job)
{
    ef_locate_answer_t *ans = job->answer;

    job->answer = NULL;
    job->arena = NULL;
    job->cb(job->arg, ans);
    ef_locate_cancel(job);
}

static void deferred_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    deliver(arg);
}

static void finish(struct ef_locate *job)
{
    ef_locate_answer_t *ans = ef__arena_alloc(job->arena, sizeof(*ans));

    if (ans == NULL)
        return;
    memset(ans, 0, sizeof(*ans));
    ans->arena = job->arena;
    if (job->numeric) {
        struct srv s = {.port = 0};
        s.transport = job->transport >= 0          ? (ef_transport_t)job->transport
                      : job->scheme == SCHEME_SIPS ? EF_TRANSPORT_TLS
                                                   : EF_TRANSPORT_UDP;
        s.port = job->port > 0 ? (uint16_t)job->port : default_port(job, s.transport);
        snprintf(s.host, sizeof(s.host), "%s", job->host);
        add_target(job, ans, &s, job->host, EF_SEC_INSECURE);
    } else {
        addr_done(job, ans);
    }
    ans->status = ans->n_targets > 0 ? 0 : job->status != 0 ? job->status : EF_ENODATA;
    job->answer = ans;
    job->complete = true;
    if (!job->starting)
        deliver(job);
}

static void stage_done(struct ef_locate *job)
{
    if (job->stage == STAGE_NAPTR)
        naptr_done(job);
    else if (job->stage == STAGE_SRV)
        srv_done(job);
    else
        finish(job);
}

static void job_begin(struct ef_locate *job)
{
    if (job->numeric) {
        finish(job);
        return;
    }
    if (job->port > 0) { /* RFC 3263 §4.2: a port means no NAPTR or SRV lookups */
        ef_transport_t t = job->transport >= 0          ? (ef_transport_t)job->transport
                           : job->scheme == SCHEME_SIPS ? EF_TRANSPORT_TLS
                                                        : EF_TRANSPORT_UDP;
        add_srv(job, job->host, 0, 0, (uint16_t)job->port, t, EF_SEC_SECURE);
        job->stage = STAGE_SRV;
        job->n_lk = 0;
        srv_done(job);
        return;
    }
    if (job->scheme <= SCHEME_SIPS && job->transport < 0) {
        add_lookup(job, "", job->host, EF_DNS_TYPE_NAPTR, EF_TRANSPORT_UDP);
        job->stage = STAGE_NAPTR;
    } else {
        srv_names(job);
        job->stage = STAGE_SRV;
    }
    run_batch(job);
}

int ef_locate(ef_resolver_t *res, const char *uri, size_t len, const ef_locate_opts_t *opts,
              ef_locate_cb cb, void *arg, ef_locate_t **handle, ef_perr_t *perr)
{
    struct ef_locate *job;
    int rc;

    if (!ef_locate_supported(uri, len))
        return EF_EINVAL;
    job = calloc(1, sizeof(*job));
    if (job == NULL || (job->arena = ef__arena_new()) == NULL) {
        free(job);
        return EF_ENOMEM;
    }
    job->res = res;
    job->cb = cb;
    job->arg = arg;
    if (opts != NULL)
        job->opts = *opts;
    job->rng = job->opts.seed ? job->opts.seed : (unsigned)time(NULL) ^ (unsigned)getpid();
    if ((rc = parse_target(job, uri, len, perr)) < 0) {
        ef__arena_free(job->arena);
        free(job);
        return rc;
    }
    job->starting = true;
    job_begin(job);
    job->starting = false;
    if (job->complete) {
        struct timeval now = {0, 0};
        job->deferred = evtimer_new(ef__resolver_base(res), deferred_cb, job);
        if (job->deferred == NULL || evtimer_add(job->deferred, &now) != 0) {
            ef_locate_cancel(job);
            return EF_ENOMEM;
        }
    }
    if (handle != NULL)
        *handle = job;
    return 0;
}

void ef_locate_cancel(ef_locate_t *job)
{
    if (job == NULL)
        return;
    reset_lookups(job);
    if (job->deferred != NULL)
        event_free(job->deferred);
    if (job->answer != NULL)
        ef_locate_answer_free(job->answer);
    else
        ef__arena_free(job->arena);
    free(job);
}

void ef_locate_answer_free(ef_locate_answer_t *ans)
{
    if (ans != NULL)
        ef__arena_free(ans->arena);
}

struct sync_wait {
    bool done;
    ef_locate_answer_t *ans;
};

static void sync_cb(void *arg, ef_locate_answer_t *ans)
{
    struct sync_wait *w = arg;

    w->done = true;
    w->ans = ans;
}

int ef_locate_sync(ef_resolver_t *res, const char *uri, size_t len, const ef_locate_opts_t *opts,
                   ef_locate_answer_t **out, ef_perr_t *perr)
{
    struct sync_wait w = {false, NULL};
    ef_locate_t *job;
    int rc = ef_locate(res, uri, len, opts, sync_cb, &w, &job, perr);

    if (rc < 0)
        return rc;
    while (!w.done && event_base_loop(ef__resolver_base(res), EVLOOP_ONCE) == 0)
        ;
    if (!w.done)
        ef_locate_cancel(job);
    if (w.ans == NULL)
        return EF_ENOMEM;
    *out = w.ans;
    return 0;
}
