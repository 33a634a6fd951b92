/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.c -- libunbound on our libevent base, configured for one of three ways of
 * reaching DNS (the system's recursion, one server, or offline zone files), with
 * a TTL-honouring RRset cache in front so that repeated lookups cost a hash
 * probe instead of a round trip through libunbound's worker thread.
 */
#include <ctype.h>
#include <errno.h>
#include <event2/event.h>
#include <libzscanner/scanner.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#include "enum/dns.h"

#define DNS_CACHE_BUCKETS 4096
#define DNS_CACHE_MAX 8192
#define ROOT_ANCHOR_FILE "/usr/share/dns/root.key"

struct ef__dns_req {
    ef__dns_t *dns;
    ef__dns_cb cb;
    void *arg;
    char *name;
    uint16_t type;
    uint32_t hash; /* cache hash of (name, type) */
    int async_id;
    bool in_flight;
    struct event *timer;
    struct ef__dns_req *prev, *next;
};

struct ef__dns {
    struct event_base *base;
    struct ub_ctx *ub;
    struct event *ub_ev;
    unsigned timeout_ms;
    struct ef__dns_req *pending;
    ef__rrset_t *buckets[DNS_CACHE_BUCKETS];
    ef__rrset_t *lru_head, *lru_tail; /* head = most recently used */
    size_t n_cached;
};

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Lowercase copy with exactly one final dot (the cache key and what libunbound
 * gets) and its hash, in one pass: this runs on every cached lookup.
 */
static int normalise_name(const char *name, char *out, size_t cap, uint32_t *hash)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        if (i + 2 >= cap || i > 253)
            return EF_EINVAL;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[i] = c;
        h = (h ^ (unsigned char)c) * 16777619u;
    }
    if (i == 0)
        return EF_EINVAL;
    if (out[i - 1] != '.') {
        out[i++] = '.';
        h = (h ^ '.') * 16777619u;
    }
    out[i] = '\0';
    *hash = h;
    return (int)i;
}

static uint32_t key_hash(uint32_t name_hash, uint16_t type)
{
    return (name_hash ^ type) * 16777619u;
}

/* --- the RRset cache ----------------------------------------------------- */

void ef__rrset_unref(ef__rrset_t *rr)
{
    size_t i;

    if (rr == NULL || --rr->refs > 0)
        return;
    for (i = 0; i < rr->n; i++)
        free((void *)rr->rdata[i]);
    free(rr->rdata);
    free((void *)rr->rdlen);
    free(rr->why);
    free(rr->name);
    free(rr);
}

static void lru_unlink(ef__dns_t *dns, ef__rrset_t *rr)
{
    if (rr->lprev != NULL)
        rr->lprev->lnext = rr->lnext;
    else
        dns->lru_head = rr->lnext;
    if (rr->lnext != NULL)
        rr->lnext->lprev = rr->lprev;
    else
        dns->lru_tail = rr->lprev;
    rr->lprev = rr->lnext = NULL;
}

static void lru_push_front(ef__dns_t *dns, ef__rrset_t *rr)
{
    rr->lprev = NULL;
    rr->lnext = dns->lru_head;
    if (dns->lru_head != NULL)
        dns->lru_head->lprev = rr;
    dns->lru_head = rr;
    if (dns->lru_tail == NULL)
        dns->lru_tail = rr;
}

static void cache_remove(ef__dns_t *dns, ef__rrset_t *rr)
{
    ef__rrset_t **pp = &dns->buckets[rr->hash % DNS_CACHE_BUCKETS];

    while (*pp != rr)
        pp = &(*pp)->hnext;
    *pp = rr->hnext;
    lru_unlink(dns, rr);
    dns->n_cached--;
    ef__rrset_unref(rr);
}

static ef__rrset_t *cache_find(ef__dns_t *dns, const char *key, uint16_t type, uint32_t h)
{
    ef__rrset_t *rr;

    for (rr = dns->buckets[h % DNS_CACHE_BUCKETS]; rr != NULL; rr = rr->hnext)
        if (rr->hash == h && rr->type == type && strcmp(rr->name, key) == 0)
            return rr;
    return NULL;
}

ef__rrset_t *ef__dns_cached(ef__dns_t *dns, const char *name, uint16_t type)
{
    char key[EF_DNAME_TEXT_MAX];
    ef__rrset_t *rr;
    uint32_t h;

    if (normalise_name(name, key, sizeof(key), &h) < 0)
        return NULL;
    h = key_hash(h, type);
    rr = cache_find(dns, key, type, h);
    if (rr == NULL)
        return NULL;
    if (rr->expires_ms <= now_ms()) { /* RFC 3402 §3.3 NOTE 2: expired rules are not used */
        cache_remove(dns, rr);
        return NULL;
    }
    if (dns->lru_head != rr) {
        lru_unlink(dns, rr);
        lru_push_front(dns, rr);
    }
    rr->refs++;
    return rr;
}

static void cache_insert(ef__dns_t *dns, ef__rrset_t *rr)
{
    ef__rrset_t *old;

    if (rr->ttl == 0 || rr->status == EF_ETIMEOUT || rr->status == EF_ESERVFAIL)
        return;
    old = cache_find(dns, rr->name, rr->type, rr->hash);
    if (old != NULL)
        cache_remove(dns, old);
    if (dns->n_cached >= DNS_CACHE_MAX)
        cache_remove(dns, dns->lru_tail);
    rr->expires_ms = now_ms() + (uint64_t)rr->ttl * 1000u;
    rr->refs++;
    rr->hnext = dns->buckets[rr->hash % DNS_CACHE_BUCKETS];
    dns->buckets[rr->hash % DNS_CACHE_BUCKETS] = rr;
    lru_push_front(dns, rr);
    dns->n_cached++;
}

void ef__dns_flush(ef__dns_t *dns)
{
    while (dns->lru_head != NULL)
        cache_remove(dns, dns->lru_head);
}

/* --- answers from libunbound --------------------------------------------- */

static ef__rrset_t *rrset_new(const char *key, uint16_t type, int status)
{
    ef__rrset_t *rr = calloc(1, sizeof(*rr));

    if (rr == NULL)
        return NULL;
    rr->refs = 1;
    rr->status = status;
    rr->type = type;
    rr->name = strdup(key);
    if (rr->name == NULL) {
        free(rr);
        return NULL;
    }
    return rr;
}

static int rrset_copy_data(ef__rrset_t *rr, const struct ub_result *res)
{
    size_t n = 0, i;
    uint8_t **data;
    size_t *len;

    while (res->data[n] != NULL)
        n++;
    data = calloc(n ? n : 1, sizeof(*data));
    len = calloc(n ? n : 1, sizeof(*len));
    rr->rdata = (const uint8_t **)data;
    rr->rdlen = len;
    if (data == NULL || len == NULL)
        return EF_ENOMEM;
    for (i = 0; i < n; i++) {
        len[i] = (size_t)res->len[i];
        data[i] = malloc(len[i] ? len[i] : 1);
        if (data[i] == NULL)
            return EF_ENOMEM;
        memcpy(data[i], res->data[i], len[i]);
        rr->n = i + 1;
    }
    return 0;
}

/* Map a libunbound result onto our status; the status names are the ENUM error kinds. */
static int result_status(int err, const struct ub_result *res)
{
    if (err != 0)
        return EF_ESERVFAIL;
    if (res->bogus)
        return EF_EBOGUS;
    if (res->rcode == 3)
        return EF_ENXDOMAIN;
    if (res->rcode != 0)
        return EF_ESERVFAIL; /* SERVFAIL, REFUSED, FORMERR, NOTIMP ... */
    if (!res->havedata)
        return EF_ENODATA;
    return 0;
}

static ef__rrset_t *rrset_from_result(const char *key, uint16_t type, int err,
                                      struct ub_result *res)
{
    ef__rrset_t *rr = rrset_new(key, type, result_status(err, res));
    const char *why = NULL;

    if (rr == NULL)
        return NULL;
    if (err != 0) {
        why = ub_strerror(err);
    } else {
        rr->sec = res->secure ? EF_SEC_SECURE : res->bogus ? EF_SEC_BOGUS : EF_SEC_INSECURE;
        rr->ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
        why = res->why_bogus;
        if (rr->status == 0 && rrset_copy_data(rr, res) < 0) {
            ef__rrset_unref(rr);
            return NULL;
        }
    }
    if (why != NULL)
        rr->why = strdup(why);
    return rr;
}

static void req_unlink(struct ef__dns_req *req)
{
    ef__dns_t *dns = req->dns;

    if (req->prev != NULL)
        req->prev->next = req->next;
    else
        dns->pending = req->next;
    if (req->next != NULL)
        req->next->prev = req->prev;
}

static void req_free(struct ef__dns_req *req)
{
    if (req->timer != NULL)
        event_free(req->timer);
    free(req->name);
    free(req);
}

/* Deliver an answer (never NULL: on ENOMEM the caller gets a servfail without data). */
static void req_finish(struct ef__dns_req *req, ef__rrset_t *rr)
{
    static ef__rrset_t oom = {.refs = 1u << 30, .status = EF_ESERVFAIL, .why = "out of memory"};

    req_unlink(req);
    if (rr == NULL)
        rr = &oom, oom.refs++;
    req->cb(req->arg, rr);
    req_free(req);
}

static void ub_answer_cb(void *arg, int err, struct ub_result *res)
{
    struct ef__dns_req *req = arg;
    ef__rrset_t *rr = rrset_from_result(req->name, req->type, err, res);

    if (res != NULL)
        ub_resolve_free(res);
    req->in_flight = false;
    if (rr != NULL) {
        rr->hash = req->hash;
        cache_insert(req->dns, rr);
    }
    req_finish(req, rr);
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    struct ef__dns_req *req = arg;
    ef__rrset_t *rr = rrset_new(req->name, req->type, EF_ETIMEOUT);

    (void)fd, (void)what;
    if (req->in_flight)
        ub_cancel(req->dns->ub, req->async_id);
    req->in_flight = false;
    req_finish(req, rr);
}

static void ub_readable_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    ub_process(((ef__dns_t *)arg)->ub);
}

int ef__dns_fetch(ef__dns_t *dns, const char *name, uint16_t type, ef__dns_cb cb, void *arg,
                  ef__dns_req_t **out)
{
    char key[EF_DNAME_TEXT_MAX];
    struct ef__dns_req *req;
    struct timeval tv = {dns->timeout_ms / 1000, (dns->timeout_ms % 1000) * 1000};
    uint32_t h;

    if (normalise_name(name, key, sizeof(key), &h) < 0)
        return EF_EINVAL;
    req = calloc(1, sizeof(*req));
    if (req == NULL || (req->name = strdup(key)) == NULL)
        goto fail;
    req->dns = dns;
    req->cb = cb;
    req->arg = arg;
    req->type = type;
    req->hash = key_hash(h, type);
    req->timer = evtimer_new(dns->base, timeout_cb, req);
    if (req->timer == NULL || evtimer_add(req->timer, &tv) != 0)
        goto fail;
    if (ub_resolve_async(dns->ub, key, type, 1, req, ub_answer_cb, &req->async_id) != 0)
        goto fail;
    req->in_flight = true;
    req->next = dns->pending;
    if (dns->pending != NULL)
        dns->pending->prev = req;
    dns->pending = req;
    if (out != NULL)
        *out = req;
    return 0;
fail:
    if (req != NULL)
        req_free(req);
    return EF_ENOMEM;
}

void ef__dns_cancel(ef__dns_req_t *req)
{
    if (req->in_flight)
        ub_cancel(req->dns->ub, req->async_id);
    req_unlink(req);
    req_free(req);
}

/* --- configuration --------------------------------------------------------- */

static void set_err(char *errbuf, size_t errcap, const char *fmt, const char *a, const char *b)
{
    if (errbuf != NULL && errcap > 0)
        snprintf(errbuf, errcap, fmt, a, b);
}

/* "HOST[:PORT]", "[V6]:PORT" or a bare IPv6 address -> "ADDR@PORT" for libunbound. */
static int server_to_ub(const char *server, char *out, size_t cap)
{
    char host[256];
    const char *port = "53", *colon = strrchr(server, ':');
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    char addr[64];
    size_t hlen;

    if (server[0] == '[') {
        const char *end = strchr(server, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':'))
            return EF_ECONFIG;
        hlen = (size_t)(end - server - 1);
        memcpy(host, server + 1, hlen < sizeof(host) ? hlen : 0);
        if (end[1] == ':')
            port = end + 2;
    } else if (colon != NULL && strchr(server, ':') == colon) {
        hlen = (size_t)(colon - server);
        memcpy(host, server, hlen < sizeof(host) ? hlen : 0);
        port = colon + 1;
    } else {
        hlen = strlen(server);
        memcpy(host, server, hlen < sizeof(host) ? hlen : 0);
    }
    if (hlen == 0 || hlen >= sizeof(host) || *port == '\0' ||
        strspn(port, "0123456789") != strlen(port) || atoi(port) <= 0 || atoi(port) > 65535)
        return EF_ECONFIG;
    host[hlen] = '\0';
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ai == NULL)
        return EF_ECONFIG;
    getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(ai);
    snprintf(out, cap, "%s@%s", addr, port);
    return 0;
}

static int set_opt(struct ub_ctx *ub, const char *opt, const char *val)
{
    return ub_ctx_set_option(ub, opt, val) == 0 ? 0 : EF_ECONFIG;
}

struct soa_scan {
    char origin[EF_DNAME_TEXT_MAX];
    bool found;
};

static void soa_record_cb(zs_scanner_t *s)
{
    struct soa_scan *scan = s->process.data;
    size_t pos = 0, out = 0;

    if (s->r_type != 6 || scan->found)
        return;
    while (pos < s->r_owner_length && s->r_owner[pos] != 0) {
        size_t len = s->r_owner[pos++], i;
        for (i = 0; i < len && out + 5 < sizeof(scan->origin); i++, pos++) {
            unsigned char c = s->r_owner[pos];
            if (c == '.' || c == '\\' || c == '"')
                out += (size_t)snprintf(scan->origin + out, 3, "\\%c", c);
            else if (c <= ' ' || c >= 0x7f)
                out += (size_t)snprintf(scan->origin + out, 5, "\\%03u", c);
            else
                scan->origin[out++] = (char)c;
        }
        scan->origin[out++] = '.';
    }
    if (out == 0)
        scan->origin[out++] = '.';
    scan->origin[out] = '\0';
    scan->found = true;
    s->state = ZS_STATE_STOP;
}

/* The apex of a master file: the owner of its SOA record, found by Knot's zone parser. */
static int zone_origin(const char *path, char *origin, size_t cap, char *errbuf, size_t errcap)
{
    zs_scanner_t *s = calloc(1, sizeof(*s));
    struct soa_scan scan = {.found = false};
    int rc = EF_ECONFIG;

    if (s == NULL)
        return EF_ENOMEM;
    if (access(path, R_OK) != 0) {
        set_err(errbuf, errcap, "zone %s: %s", path, strerror(errno));
        free(s);
        return EF_ECONFIG;
    }
    if (zs_init(s, ".", 1, 3600) != 0 || zs_set_input_file(s, path) != 0 ||
        zs_set_processing(s, soa_record_cb, NULL, &scan) != 0) {
        set_err(errbuf, errcap, "zone %s: %s", path, zs_strerror(s->error.code));
        goto out;
    }
    if (zs_parse_all(s) != 0 && !scan.found) {
        char line[32];
        snprintf(line, sizeof(line), "%llu", (unsigned long long)s->line_counter);
        set_err(errbuf, errcap, "zone %s: line %s: ", path, line);
        if (errbuf != NULL && strlen(errbuf) + 1 < errcap)
            strncat(errbuf, zs_strerror(s->error.code), errcap - strlen(errbuf) - 1);
        goto out;
    }
    if (!scan.found) {
        set_err(errbuf, errcap, "zone %s: %s", path, "no SOA record, cannot tell the zone apex");
        goto out;
    }
    snprintf(origin, cap, "%s", scan.origin);
    rc = 0;
out:
    zs_deinit(s);
    free(s);
    return rc;
}

/*
 * Offline zones become libunbound auth-zones "for upstream": the iterator
 * answers from them and the validator checks them like any other answer, so a
 * signed zone file validates offline. libunbound reads auth-zones only from a
 * config file, so one is written to a temporary file and removed once read.
 */
static int add_zones(struct ub_ctx *ub, const ef_resolver_config_t *cfg, char *errbuf,
                     size_t errcap)
{
    char tmpl[] = "/tmp/enumfed-zones-XXXXXX", origin[EF_DNAME_TEXT_MAX], *abs;
    int fd = mkstemp(tmpl), rc = 0;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    size_t i;

    if (f == NULL) {
        set_err(errbuf, errcap, "%s: %s", "temporary file", strerror(errno));
        return EF_ECONFIG;
    }
    fprintf(f, "server:\n");
    for (i = 0; i < cfg->n_zones && rc == 0; i++) {
        rc = zone_origin(cfg->zones[i], origin, sizeof(origin), errbuf, errcap);
        abs = rc == 0 ? realpath(cfg->zones[i], NULL) : NULL;
        if (rc == 0 && abs == NULL)
            rc = EF_ECONFIG;
        if (rc == 0) {
            /* A transparent local zone lets these names past the "." refuse of offline use. */
            char spec[EF_DNAME_TEXT_MAX + 16];

            snprintf(spec, sizeof(spec), "%s transparent", origin);
            rc = set_opt(ub, "local-zone:", spec);
            fprintf(f,
                    "auth-zone:\n  name: \"%s\"\n  zonefile: \"%s\"\n  for-upstream: yes\n"
                    "  for-downstream: no\n  fallback-enabled: no\n",
                    origin, abs);
        }
        free(abs);
    }
    fclose(f);
    if (rc == 0 && ub_ctx_config(ub, tmpl) != 0) {
        set_err(errbuf, errcap, "%s%s", "libunbound refused the zone files", "");
        rc = EF_ECONFIG;
    }
    unlink(tmpl);
    return rc;
}

static int configure_upstream(struct ub_ctx *ub, const ef_resolver_config_t *cfg, char *errbuf,
                              size_t errcap)
{
    char addr[128];
    int rc = 0;

    if (cfg->server != NULL) {
        if (server_to_ub(cfg->server, addr, sizeof(addr)) < 0) {
            set_err(errbuf, errcap, "server %s: %s", cfg->server,
                    "expected HOST[:PORT] or [IPV6]:PORT with a resolvable host");
            return EF_ECONFIG;
        }
        rc |= set_opt(ub, "do-not-query-localhost:", "no");
        /* Every query goes to that server, recursive or authoritative alike. */
        rc |= ub_ctx_set_fwd(ub, addr) == 0 ? 0 : EF_ECONFIG;
    } else if (cfg->n_zones > 0) {
        /*
         * Offline: a name outside the zone files is refused at once (a local
         * zone "." of type refuse) instead of waiting on unreachable root
         * servers; add_zones made each zone apex a transparent local zone,
         * so names inside the zone files still reach their auth-zone.
         */
        rc |= set_opt(ub, "local-zone:", ". refuse");
    } else {
        /* The host's resolvers, as any client on it; without resolv.conf
         * libunbound recurses from the root hints itself. */
        (void)ub_ctx_resolvconf(ub, NULL);
    }
    if (rc != 0)
        set_err(errbuf, errcap, "%s%s", "libunbound refused the upstream configuration", "");
    return rc ? EF_ECONFIG : 0;
}

static int configure_dnssec(struct ub_ctx *ub, const ef_resolver_config_t *cfg, char *errbuf,
                            size_t errcap)
{
    size_t i;

    if (cfg->dnssec == EF_DNSSEC_OFF)
        return set_opt(ub, "module-config:", "iterator");
    for (i = 0; i < cfg->n_trust_anchors; i++) {
        if (access(cfg->trust_anchors[i], R_OK) != 0 ||
            ub_ctx_add_ta_file(ub, cfg->trust_anchors[i]) != 0) {
            set_err(errbuf, errcap, "trust anchor %s: %s", cfg->trust_anchors[i],
                    "cannot read DS/DNSKEY records from it");
            return EF_ECONFIG;
        }
    }
    /* Public DNS with no anchor given: the root anchor of the host, if it has one. */
    if (cfg->n_trust_anchors == 0 && cfg->server == NULL && cfg->n_zones == 0 &&
        access(ROOT_ANCHOR_FILE, R_OK) == 0)
        ub_ctx_add_ta_file(ub, ROOT_ANCHOR_FILE);
    return 0;
}

int ef__dns_new(struct event_base *base, const ef_resolver_config_t *cfg, ef__dns_t **out,
                char *errbuf, size_t errcap)
{
    ef__dns_t *dns = calloc(1, sizeof(*dns));
    int rc = EF_ENOMEM;

    if (dns == NULL)
        return EF_ENOMEM;
    dns->base = base;
    dns->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : EF_RESOLVE_TIMEOUT_MS;
    dns->ub = ub_ctx_create();
    if (dns->ub == NULL)
        goto fail;
    rc = EF_ECONFIG;
    /* The library never logs: what libunbound has to say reaches us in results. */
    ub_ctx_debugout(dns->ub, NULL);
    if (ub_ctx_async(dns->ub, 1) != 0 || set_opt(dns->ub, "val-log-level:", "2") != 0)
        goto fail;
    if (cfg->n_zones > 0 && (rc = add_zones(dns->ub, cfg, errbuf, errcap)) < 0)
        goto fail;
    if ((rc = configure_upstream(dns->ub, cfg, errbuf, errcap)) < 0 ||
        (rc = configure_dnssec(dns->ub, cfg, errbuf, errcap)) < 0)
        goto fail;
    rc = EF_ENOMEM;
    dns->ub_ev = event_new(base, ub_fd(dns->ub), EV_READ | EV_PERSIST, ub_readable_cb, dns);
    if (dns->ub_ev == NULL || event_add(dns->ub_ev, NULL) != 0)
        goto fail;
    *out = dns;
    return 0;
fail:
    ef__dns_free(dns);
    return rc;
}

void ef__dns_free(ef__dns_t *dns)
{
    if (dns == NULL)
        return;
    while (dns->pending != NULL)
        ef__dns_cancel(dns->pending);
    ef__dns_flush(dns);
    if (dns->ub_ev != NULL)
        event_free(dns->ub_ev);
    if (dns->ub != NULL)
        ub_ctx_delete(dns->ub);
    free(dns);
}
