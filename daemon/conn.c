/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conn.c -- enumfedd's transports: UDP sockets, and TCP and TLS connections
 * behind one bufferevent interface (libevent's bufferevent_openssl does the
 * TLS state machine, re-arming on SSL_ERROR_WANT_*). Stream input is framed by
 * the SIP layer (Content-Length; CRLF keep-alives answered per RFC 5626
 * §3.5.1) and every complete message goes to the proxy.
 *
 * Federation connections are bi-directional and semi-persistent (seed §4.2):
 * a connection opened by either side joins the pool of its peer community and
 * carries requests both ways; a new one is opened only when none is usable,
 * up to a cap. Inbound connections are admitted only when the client
 * certificate names an allowlisted community (RFC 5922 §7.1, seed §4.3), the
 * per-peer and total caps allow it, and the certificate is the one that
 * community's other live connections use.
 *
 * A connection is named by a 64-bit id that is never reused; transactions
 * keep ids, not pointers, so a connection can close under them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/err.h>

#include "edge.h"
#include "log.h"

#define POOL_BACKLOG (64 * 1024) /* output queued before another connection is worth it */
#define CONN_IDS_MAX 8

struct efd_conn {
    uint64_t id;
    efd_worker_t *w;
    efd_side_t side;
    ef_transport_t transport;
    bool outbound, ready, plain_fed;
    bool partial; /* a message has begun and not ended */
    struct bufferevent *bev;
    struct event *timer; /* connect timeout, then idle timeout */
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char addr_text[64];
    char domain[EFD_NAME_MAX]; /* federation: the peer community */
    char ids[CONN_IDS_MAX][EFD_TLS_ID_LEN];
    size_t n_ids;
    char fp[EFD_TLS_FP_LEN];
    const char *action; /* accept, connect, tls, read, idle: for logs */
    ef_sip_framer_t framer;
    efd_conn_t *next;                  /* hash chain */
    efd_conn_t *list_next, *list_prev; /* w->conn_list */
};

static void conn_close(efd_conn_t *c, const char *why);

/* One line per message crossing the federation link, for following an exchange. */
static void log_link(const efd_conn_t *c, bool out, const char *buf, size_t len)
{
    size_t n = 0;
    if (c->side != EFD_SIDE_FEDERATION || !efd_log_on(EFD_LOG_INFO))
        return;
    while (n < len && n < 200 && buf[n] != '\r' && buf[n] != '\n')
        n++;
    EFD_INFO("link %s %s conn %llu: %.*s", out ? ">>" : "<<", c->domain[0] ? c->domain : "?",
             (unsigned long long)c->id, (int)n, buf);
    EFD_DEBUG("link %s conn %llu message:\n%.*s", out ? ">>" : "<<", (unsigned long long)c->id,
              (int)(len < 4000 ? len : 4000), buf);
}

void efd_addr_text(const struct sockaddr_storage *a, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)a;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, ntohs(s->sin_port));
    } else if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)a;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof ip);
        snprintf(out, cap, "[%s]:%u", ip, ntohs(s->sin6_port));
    } else {
        snprintf(out, cap, "?");
    }
}

/* ---- the id table -------------------------------------------------------- */

efd_conn_t *efd_conn_get(efd_worker_t *w, uint64_t id)
{
    for (efd_conn_t *c = w->conns[id % EFD_CONN_BUCKETS]; c != NULL; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static void table_add(efd_worker_t *w, efd_conn_t *c)
{
    efd_conn_t **b = &w->conns[c->id % EFD_CONN_BUCKETS];
    c->next = *b;
    *b = c;
    c->list_next = w->conn_list;
    if (w->conn_list != NULL)
        w->conn_list->list_prev = c;
    w->conn_list = c;
    w->n_conns++;
}

static void table_del(efd_worker_t *w, efd_conn_t *c)
{
    for (efd_conn_t **p = &w->conns[c->id % EFD_CONN_BUCKETS]; *p != NULL; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            if (c->list_prev != NULL)
                c->list_prev->list_next = c->list_next;
            else
                w->conn_list = c->list_next;
            if (c->list_next != NULL)
                c->list_next->list_prev = c->list_prev;
            w->n_conns--;
            return;
        }
}

/* Visit every connection; fn returns false to stop. */
static efd_conn_t *conn_find(efd_worker_t *w, bool (*fn)(efd_conn_t *, void *), void *arg)
{
    for (efd_conn_t *c = w->conn_list; c != NULL; c = c->list_next)
        if (fn(c, arg))
            return c;
    return NULL;
}

const char *efd_conn_domain(const efd_conn_t *c)
{
    return c->domain;
}

const char *efd_conn_peer_text(const efd_conn_t *c)
{
    return c->addr_text;
}

/*
 * May this connection carry a request whose From is in domain? RFC 5922 §7.2:
 * the identities of the certificate the peer presented; for a connection we
 * opened, the domain whose certificate we verified. Plain TCP federation
 * (allow_tcp) has no identity: the allowlist is all there is.
 */
bool efd_conn_authorises(const efd_conn_t *c, const char *domain, size_t len)
{
    if (c->plain_fed)
        return true;
    if (c->n_ids > 0)
        return efd_tls_ids_match((char(*)[EFD_TLS_ID_LEN])c->ids, c->n_ids, domain, len);
    return strlen(c->domain) == len && strncasecmp(c->domain, domain, len) == 0;
}

/* ---- timers -------------------------------------------------------------- */

static void idle_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_conn_t *c = arg;
    (void)fd;
    (void)what;
    conn_close(c, !c->ready    ? "handshake timeout"
                  : c->partial ? "message not complete in time"
                               : "idle timeout");
}

static void arm(efd_conn_t *c, unsigned ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    evtimer_add(c->timer, &tv);
}

static void touch(efd_conn_t *c)
{
    arm(c, c->w->cfg->idle_timeout * 1000u);
}

/* ---- reading ------------------------------------------------------------- */

static const ef_sip_limits_t *limits(const efd_worker_t *w, ef_sip_limits_t *lim)
{
    *lim = (ef_sip_limits_t){w->cfg->max_message, EF_SIP_MAX_HEADERS, EF_SIP_MAX_HEADER_LINE,
                             EF_SIP_MAX_URI,      EF_SIP_MAX_VIA,     EF_SIP_MAX_ROUTE};
    return lim;
}

static void from_of(const efd_conn_t *c, efd_addr_t *a)
{
    *a = (efd_addr_t){.side = c->side, .transport = c->transport, .conn_id = c->id, .udp_fd = -1};
    memcpy(&a->addr, &c->addr, c->addrlen);
    a->addrlen = c->addrlen;
}

/* One framed unit from the input; false when the connection must stop reading. */
static bool read_one(efd_conn_t *c, struct evbuffer *in)
{
    ef_sip_limits_t lim;
    ef_sip_frame_t kind;
    ef_perr_t perr = {0};
    size_t avail = evbuffer_get_length(in);
    size_t want = avail < c->w->cfg->max_message + 4 ? avail : c->w->cfg->max_message + 4;
    const char *p = (const char *)evbuffer_pullup(in, (ev_ssize_t)want);
    int n = ef_sip_frame(&c->framer, p, want, limits(c->w, &lim), &kind, &perr);

    if (n == EF_EAGAIN)
        return false;
    if (n < 0) {
        EFD_WARN("conn %llu %s %s: %s: %s at byte %zu", (unsigned long long)c->id, c->addr_text,
                 c->action, ef_err_name(n), perr.reason ? perr.reason : "bad framing", perr.offset);
        c->w->stats.parse_errors++;
        conn_close(c, "unframeable input");
        return false;
    }
    c->framer = (ef_sip_framer_t){0};
    if (kind == EF_SIP_FRAME_PING) {
        bufferevent_write(c->bev, "\r\n", 2); /* RFC 5626 §3.5.1: a pong */
    } else if (kind == EF_SIP_FRAME_MESSAGE) {
        efd_addr_t from;
        uint64_t id = c->id;
        efd_worker_t *w = c->w;
        from_of(c, &from);
        c->action = "route";
        log_link(c, false, p, (size_t)n);
        efd_proxy_input(w, &from, p, (size_t)n);
        if ((c = efd_conn_get(w, id)) == NULL)
            return false; /* the proxy closed it */
        c->action = "read";
    }
    evbuffer_drain(in, (size_t)n);
    return true;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    efd_conn_t *c = arg;
    efd_worker_t *w = c->w;
    uint64_t id = c->id;
    struct evbuffer *in = bufferevent_get_input(bev);

    while (evbuffer_get_length(in) > 0 && read_one(c, in))
        ;
    if (efd_conn_get(w, id) == NULL)
        return; /* closed while reading: c and its buffers are gone */
    /* Idle time counts between messages; a message begun must be complete in
     * timers.message_ms however slowly its bytes trickle in (slowloris). */
    bool partial = evbuffer_get_length(in) > 0;
    if (!partial)
        touch(c);
    else if (!c->partial)
        arm(c, w->cfg->message_ms);
    c->partial = partial;
}

/* ---- admission of inbound federation connections (seed §4.2, §4.3) ------- */

struct same_peer {
    const efd_conn_t *self;
    const char *domain;
    unsigned n;
    const char *fp; /* a fingerprint another live connection of the peer uses */
};

static bool count_peer(efd_conn_t *c, void *arg)
{
    struct same_peer *sp = arg;
    if (c != sp->self && c->side == EFD_SIDE_FEDERATION && c->ready &&
        strcasecmp(c->domain, sp->domain) == 0) {
        sp->n++;
        if (c->fp[0] != '\0' && !c->outbound)
            sp->fp = c->fp;
    }
    return false;
}

/* The first certificate identity that is an allowlisted community, or NULL. */
static const char *allowlisted_id(const efd_conn_t *c)
{
    for (size_t i = 0; i < c->n_ids; i++)
        if (efd_config_peer(c->w->cfg, c->ids[i], strlen(c->ids[i])) != NULL)
            return c->ids[i];
    return NULL;
}

static const char *admit_tls(efd_conn_t *c, SSL *ssl)
{
    const efd_config_t *cfg = c->w->cfg;
    c->n_ids = efd_tls_peer_ids(ssl, c->ids, CONN_IDS_MAX);
    efd_tls_peer_fingerprint(ssl, c->fp);
    const char *id = allowlisted_id(c);
    if (id == NULL)
        return c->n_ids == 0 ? "certificate names no SIP domain"
                             : "certificate names no allowlisted community";
    snprintf(c->domain, sizeof c->domain, "%s", id);
    const efd_peer_t *peer = efd_config_peer(cfg, id, strlen(id));
    unsigned cap = peer->max_inbound ? peer->max_inbound : cfg->max_inbound_per_peer;
    struct same_peer sp = {.self = c, .domain = id};
    conn_find(c->w, count_peer, &sp);
    if (sp.n >= cap)
        return "too many connections from this community";
    /* One community, one certificate; a change is accepted only on a fresh start. */
    if (sp.fp != NULL && strcmp(sp.fp, c->fp) != 0)
        return "certificate differs from the community's live connections";
    return NULL;
}

static void connected(efd_conn_t *c)
{
    SSL *ssl = c->transport == EF_TRANSPORT_TLS ? bufferevent_openssl_get_ssl(c->bev) : NULL;
    const char *refuse = NULL;

    if (ssl != NULL && !c->outbound)
        refuse = admit_tls(c, ssl);
    else if (ssl != NULL) {
        efd_tls_peer_fingerprint(ssl, c->fp);
        c->n_ids = efd_tls_peer_ids(ssl, c->ids, CONN_IDS_MAX);
        efd_tls_save_session(c->w->tls, c->domain, ssl);
    }
    if (refuse != NULL) {
        c->w->stats.conns_refused++;
        EFD_WARN("conn %llu %s tls: refused: %s", (unsigned long long)c->id, c->addr_text, refuse);
        conn_close(c, refuse);
        return;
    }
    c->ready = true;
    c->action = "read";
    touch(c);
    EFD_INFO("conn %llu %s %s: %s %s%s%s", (unsigned long long)c->id, c->addr_text,
             ef_transport_name(c->transport), c->outbound ? "connected to" : "accepted from",
             c->domain[0] ? c->domain : "internal",
             ssl != NULL && SSL_session_reused(ssl) ? " (resumed)" : "", ssl != NULL ? "" : "");
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    efd_conn_t *c = arg;
    char why[160];

    if (what & BEV_EVENT_CONNECTED) {
        connected(c);
        return;
    }
    if (what & BEV_EVENT_EOF) {
        conn_close(c, "closed by peer");
        return;
    }
    unsigned long e = bufferevent_get_openssl_error(bev);
    SSL *ssl = c->transport == EF_TRANSPORT_TLS ? bufferevent_openssl_get_ssl(bev) : NULL;
    if (e != 0) {
        char reason[120];
        ERR_error_string_n(e, reason, sizeof reason);
        snprintf(why, sizeof why, "tls: %s (%s)", reason, ssl ? efd_tls_verify_error(ssl) : "-");
        c->w->stats.tls_failures++;
    } else {
        snprintf(why, sizeof why, "%s",
                 EVUTIL_SOCKET_ERROR() ? evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR())
                                       : "connection error");
    }
    conn_close(c, why);
}

/* ---- connection objects ------------------------------------------------ */

static efd_conn_t *conn_new(efd_worker_t *w, efd_side_t side, ef_transport_t t,
                            const struct sockaddr *sa, socklen_t salen)
{
    efd_conn_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->id = ++w->next_id;
    c->w = w;
    c->side = side;
    c->transport = t;
    memcpy(&c->addr, sa, salen);
    c->addrlen = salen;
    efd_addr_text(&c->addr, c->addr_text, sizeof c->addr_text);
    c->timer = evtimer_new(w->base, idle_cb, c);
    c->action = "accept";
    table_add(w, c);
    return c;
}

static void conn_close(efd_conn_t *c, const char *why)
{
    efd_worker_t *w = c->w;
    uint64_t id = c->id;

    EFD_INFO("conn %llu %s %s: closed: %s", (unsigned long long)id, c->addr_text, c->action, why);
    table_del(w, c);
    if (c->side == EFD_SIDE_FEDERATION && !c->outbound && w->n_fed_inbound > 0)
        w->n_fed_inbound--;
    if (c->bev != NULL) {
        SSL *ssl = c->transport == EF_TRANSPORT_TLS ? bufferevent_openssl_get_ssl(c->bev) : NULL;
        if (ssl != NULL)
            SSL_set_shutdown(ssl, SSL_RECEIVED_SHUTDOWN); /* no blocking close_notify */
        bufferevent_free(c->bev);
    }
    event_free(c->timer);
    free(c);
    efd_proxy_conn_lost(w, id, why);
}

static int setup_bev(efd_conn_t *c, evutil_socket_t fd, bool connecting)
{
    struct event_base *b = c->w->base;
    int opts = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS;

    if (c->transport == EF_TRANSPORT_TLS) {
        SSL *ssl =
            connecting ? efd_tls_connect_ssl(c->w->tls, c->domain) : efd_tls_accept_ssl(c->w->tls);
        if (ssl == NULL)
            return EF_ENOMEM;
        c->bev = bufferevent_openssl_socket_new(
            b, fd, ssl, connecting ? BUFFEREVENT_SSL_CONNECTING : BUFFEREVENT_SSL_ACCEPTING, opts);
        if (c->bev == NULL) {
            SSL_free(ssl);
            return EF_ENOMEM;
        }
        bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
    } else {
        c->bev = bufferevent_socket_new(b, fd, opts);
        if (c->bev == NULL)
            return EF_ENOMEM;
    }
    bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0, (size_t)c->w->cfg->max_message * 4);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    return 0;
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
    efd_worker_t *w = arg;
    size_t li = 0;
    while (li < EFD_LISTEN_MAX && w->listener[li] != l)
        li++;
    const efd_listen_t *ln = &w->cfg->listen[li];
    bool fed = ln->side == EFD_SIDE_FEDERATION;

    if (fed && w->n_fed_inbound >= w->cfg->max_inbound_total) {
        w->stats.conns_refused++;
        EFD_WARN("accept on federation port refused: %u connections (max_inbound_total)",
                 w->n_fed_inbound);
        evutil_closesocket(fd);
        return;
    }
    efd_conn_t *c = conn_new(w, ln->side, ln->transport, sa, (socklen_t)salen);
    if (c == NULL || setup_bev(c, fd, false) != 0) {
        if (c != NULL)
            conn_close(c, "out of memory");
        else
            evutil_closesocket(fd);
        return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (fed)
        w->n_fed_inbound++;
    c->plain_fed = fed && ln->transport == EF_TRANSPORT_TCP;
    if (ln->transport == EF_TRANSPORT_TLS) {
        c->action = "tls";
        arm(c, w->cfg->connect_timeout_ms);
    } else {
        connected(c);
    }
}

/* ---- the pool of a peer community (seed §4.2) ---------------------------- */

struct pool_pick {
    const char *domain;
    efd_conn_t *best;
    size_t best_backlog;
    unsigned n;
};

static bool pick_cb(efd_conn_t *c, void *arg)
{
    struct pool_pick *pp = arg;
    if (c->side != EFD_SIDE_FEDERATION || strcasecmp(c->domain, pp->domain) != 0)
        return false;
    pp->n++;
    size_t backlog = evbuffer_get_length(bufferevent_get_output(c->bev));
    if (!c->ready)
        backlog += POOL_BACKLOG / 2; /* usable, its output waits for the handshake */
    if (pp->best == NULL || backlog < pp->best_backlog) {
        pp->best = c;
        pp->best_backlog = backlog;
    }
    return false;
}

uint64_t efd_peer_live(efd_worker_t *w, const char *domain)
{
    struct pool_pick pp = {.domain = domain};
    conn_find(w, pick_cb, &pp);
    return pp.best != NULL ? pp.best->id : 0;
}

static int sockaddr_of(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    char h[INET6_ADDRSTRLEN];
    size_t n = strlen(host);

    memset(ss, 0, sizeof *ss);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof h) {
        memcpy(h, host + 1, n - 2);
        h[n - 2] = '\0';
        host = h;
    }
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        *len = sizeof *s4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        *len = sizeof *s6;
        return 0;
    }
    return EF_EINVAL;
}

int efd_sockaddr(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
    return sockaddr_of(host, port, ss, len);
}

static efd_conn_t *connect_to(efd_worker_t *w, efd_side_t side, const char *domain,
                              const char *host, uint16_t port, ef_transport_t t)
{
    struct sockaddr_storage ss;
    socklen_t len;

    if (sockaddr_of(host, port, &ss, &len) != 0 || (t == EF_TRANSPORT_TLS && w->tls == NULL))
        return NULL;
    efd_conn_t *c = conn_new(w, side, t, (struct sockaddr *)&ss, len);
    if (c == NULL)
        return NULL;
    snprintf(c->domain, sizeof c->domain, "%s", domain);
    c->outbound = true;
    c->plain_fed = side == EFD_SIDE_FEDERATION && t == EF_TRANSPORT_TCP;
    c->action = "connect";
    if (setup_bev(c, -1, true) != 0 ||
        bufferevent_socket_connect(c->bev, (struct sockaddr *)&ss, (int)len) != 0) {
        conn_close(c, "cannot connect");
        return NULL;
    }
    evutil_socket_t fd = bufferevent_getfd(c->bev);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    arm(c, w->cfg->connect_timeout_ms);
    EFD_INFO("conn %llu %s: connecting to %s over %s", (unsigned long long)c->id, c->addr_text,
             domain[0] ? domain : "the internal next hop", ef_transport_name(t));
    return c;
}

struct by_addr {
    const struct sockaddr_storage *ss;
};

static bool next_hop_cb(efd_conn_t *c, void *arg)
{
    const struct by_addr *ba = arg;
    return c->side == EFD_SIDE_INTERNAL && c->transport == EF_TRANSPORT_TCP &&
           c->addr.ss_family == ba->ss->ss_family && memcmp(&c->addr, ba->ss, c->addrlen) == 0;
}

uint64_t efd_next_hop_conn(efd_worker_t *w, const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    socklen_t len;
    struct by_addr ba = {&ss};

    if (sockaddr_of(host, port, &ss, &len) != 0)
        return 0;
    efd_conn_t *c = conn_find(w, next_hop_cb, &ba);
    if (c == NULL)
        c = connect_to(w, EFD_SIDE_INTERNAL, "", host, port, EF_TRANSPORT_TCP);
    return c != NULL ? c->id : 0;
}

uint64_t efd_peer_conn(efd_worker_t *w, const char *domain, const char *host, uint16_t port,
                       ef_transport_t transport)
{
    const efd_config_t *cfg = w->cfg;
    const efd_peer_t *peer = efd_config_peer(cfg, domain, strlen(domain));
    unsigned cap =
        peer != NULL && peer->max_connections ? peer->max_connections : cfg->max_connections;
    struct pool_pick pp = {.domain = domain};

    cap = (cap + w->d->n_workers - 1) / w->d->n_workers; /* the cap is per edge, not per worker */
    conn_find(w, pick_cb, &pp);
    if (pp.best != NULL && (pp.best_backlog < POOL_BACKLOG || pp.n >= cap))
        return pp.best->id;
    if (host == NULL)
        return pp.best != NULL ? pp.best->id : 0;
    efd_conn_t *c = connect_to(w, EFD_SIDE_FEDERATION, domain, host, port, transport);
    return c != NULL ? c->id : pp.best != NULL ? pp.best->id : 0;
}

/* ---- sending ------------------------------------------------------------- */

int efd_send(efd_worker_t *w, const efd_addr_t *to, const char *buf, size_t len)
{
    if (to->conn_id != 0) {
        efd_conn_t *c = efd_conn_get(w, to->conn_id);
        if (c == NULL)
            return EF_ECANCELED;
        log_link(c, true, buf, len);
        return bufferevent_write(c->bev, buf, len) == 0 ? 0 : EF_ENOMEM;
    }
    int fd = to->udp_fd >= 0 ? to->udp_fd : w->udp_out[to->addr.ss_family == AF_INET6];
    if (fd < 0)
        return EF_EINVAL;
    if (sendto(fd, buf, len, 0, (const struct sockaddr *)&to->addr, to->addrlen) < 0)
        return -errno;
    return 0;
}

/* ---- UDP ------------------------------------------------------------------ */

static void udp_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_worker_t *w = arg;
    (void)what;
    size_t li = 0;
    while (li < EFD_LISTEN_MAX && w->udp_fd[li] != fd)
        li++;
    for (int burst = 0; burst < 64 && li < EFD_LISTEN_MAX; burst++) {
        efd_addr_t from = {.side = w->cfg->listen[li].side,
                           .transport = EF_TRANSPORT_UDP,
                           .udp_fd = fd,
                           .addrlen = sizeof from.addr};
        ssize_t n =
            recvfrom(fd, w->udp_buf, EFD_UDP_MAX, 0, (struct sockaddr *)&from.addr, &from.addrlen);
        if (n < 0)
            return; /* EAGAIN: drained */
        if (n <= 4 && strspn(w->udp_buf, "\r\n") == (size_t)n)
            continue; /* keep-alive */
        efd_proxy_input(w, &from, w->udp_buf, (size_t)n);
    }
}

static int udp_socket(const efd_listen_t *ln, char *err, size_t errcap)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1, buf = 4 << 20;

    sockaddr_of(ln->address, ln->port, &ss, &len);
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0) {
        snprintf(err, errcap, "udp %s:%u: %s", ln->address, ln->port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    return fd;
}

static int stream_listener(efd_worker_t *w, size_t i, char *err, size_t errcap)
{
    const efd_listen_t *ln = &w->cfg->listen[i];
    struct sockaddr_storage ss;
    socklen_t len;
    unsigned flags =
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC;

    sockaddr_of(ln->address, ln->port, &ss, &len);
    w->listener[i] = evconnlistener_new_bind(w->base, accept_cb, w, flags, 1024,
                                             (struct sockaddr *)&ss, (int)len);
    if (w->listener[i] == NULL) {
        snprintf(err, errcap, "%s %s:%u: %s", ef_transport_name(ln->transport), ln->address,
                 ln->port, strerror(errno));
        return EF_ECONFIG;
    }
    return 0;
}

/*
 * SO_REUSEPORT lets every worker bind the same address, and would as well let
 * a second enumfedd share it without a word. The first worker therefore binds
 * each address once without it: an address in use fails there, loudly.
 */
static int probe(const efd_listen_t *ln, char *err, size_t errcap)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int type = ln->transport == EF_TRANSPORT_UDP ? SOCK_DGRAM : SOCK_STREAM;

    if (sockaddr_of(ln->address, ln->port, &ss, &len) != 0) {
        snprintf(err, errcap, "listen %s: not a numeric address", ln->address);
        return EF_ECONFIG;
    }
    int fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0 && type == SOCK_STREAM) /* connections in TIME_WAIT are no conflict */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0) {
        snprintf(err, errcap, "%s %s:%u: %s", ef_transport_name(ln->transport), ln->address,
                 ln->port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return EF_ECONFIG;
    }
    close(fd);
    return 0;
}

int efd_listen_open(efd_worker_t *w, char *err, size_t errcap)
{
    for (size_t i = 0; i < EFD_LISTEN_MAX; i++)
        w->udp_fd[i] = -1;
    for (size_t i = 0; i < w->cfg->n_listen; i++) {
        const efd_listen_t *ln = &w->cfg->listen[i];
        if (w->id == 0 && probe(ln, err, errcap) != 0)
            return EF_ECONFIG;
        if (ln->transport != EF_TRANSPORT_UDP) {
            if (stream_listener(w, i, err, errcap) != 0)
                return EF_ECONFIG;
            continue;
        }
        if ((w->udp_fd[i] = udp_socket(ln, err, errcap)) < 0)
            return EF_ECONFIG;
        w->udp_ev[i] = event_new(w->base, w->udp_fd[i], EV_READ | EV_PERSIST, udp_cb, w);
        event_add(w->udp_ev[i], NULL);
    }
    w->udp_out[0] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    w->udp_out[1] = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return 0;
}

void efd_listen_close(efd_worker_t *w)
{
    for (size_t i = 0; i < EFD_LISTEN_MAX; i++) {
        if (w->listener[i] != NULL)
            evconnlistener_free(w->listener[i]);
        w->listener[i] = NULL;
    }
}

/* UDP sockets outlive the stream listeners: a draining edge still gets responses. */
void efd_udp_close(efd_worker_t *w)
{
    for (size_t i = 0; i < EFD_LISTEN_MAX; i++)
        if (w->udp_fd[i] >= 0) {
            event_free(w->udp_ev[i]);
            w->udp_ev[i] = NULL;
            close(w->udp_fd[i]);
            w->udp_fd[i] = -1;
        }
    for (int i = 0; i < 2; i++)
        if (w->udp_out[i] >= 0)
            close(w->udp_out[i]);
}

void efd_conn_drop(efd_worker_t *w, uint64_t id, const char *why)
{
    efd_conn_t *c = efd_conn_get(w, id);
    if (c != NULL) {
        EFD_WARN("conn %llu %s %s: dropped: %s", (unsigned long long)id, c->addr_text,
                 c->domain[0] ? c->domain : "-", why);
        conn_close(c, why);
    }
}

static bool any_cb(efd_conn_t *c, void *arg)
{
    (void)c;
    (void)arg;
    return true;
}

void efd_conns_close_all(efd_worker_t *w)
{
    efd_conn_t *c;
    while ((c = conn_find(w, any_cb, NULL)) != NULL)
        conn_close(c, "shutdown");
}
