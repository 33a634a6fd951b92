/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proxy.c -- enumfedd's transaction-stateful proxy core (RFC 3261 §16, §17):
 * every request that is relayed has a transaction that remembers where it came
 * from, so that responses return there, UDP retransmissions are absorbed
 * (server side) or made (client side, Timer E), and a request that gets no
 * answer in time, or whose connection dies, is answered by us (408, 503):
 * nothing is left unanswered. Where the request goes is route.c's business.
 *
 * Our branch is "z9hG4bKefd<worker>.<counter>": the worker that owns the
 * transaction is in every response's top Via, so a response that the kernel
 * gave to another worker's socket finds its way home.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <event2/event.h>

#include "contacts.h"
#include "enumfed/sip_check.h"
#include "enumfed/sip_hdr.h"
#include "log.h"
#include "proxy.h"
#include "session.h"

#define TIMER_T2_MS 4000 /* RFC 3261 §17.1.2.2 */
#define LINGER_UDP_MS 5000

uint64_t efd_hash(const char *p, size_t n, bool fold)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        h = (h ^ (fold && c >= 'A' && c <= 'Z' ? c + 32u : c)) * 1099511628211ull;
    }
    return h;
}

static uint64_t hash_str(const char *s)
{
    return efd_hash(s, strlen(s), false);
}

static efd_txn_t *find_client(efd_worker_t *w, const char *branch, size_t len)
{
    char key[64];
    if (len >= sizeof key)
        return NULL;
    memcpy(key, branch, len);
    key[len] = '\0';
    for (efd_txn_t *t = w->txns[hash_str(key) % EFD_TXN_BUCKETS]; t; t = t->next)
        if (strcmp(t->branch, key) == 0)
            return t;
    return NULL;
}

static efd_txn_t *find_server(efd_worker_t *w, const char *skey)
{
    for (efd_txn_t *t = w->stxns[hash_str(skey) % EFD_TXN_BUCKETS]; t; t = t->snext)
        if (strcmp(t->skey, skey) == 0)
            return t;
    return NULL;
}

static void unlink_txn(efd_txn_t *t)
{
    efd_worker_t *w = t->w;
    for (efd_txn_t **p = &w->txns[hash_str(t->branch) % EFD_TXN_BUCKETS]; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    for (efd_txn_t **p = &w->stxns[hash_str(t->skey) % EFD_TXN_BUCKETS]; *p; p = &(*p)->snext)
        if (*p == t) {
            *p = t->snext;
            break;
        }
}

static void txn_free(efd_txn_t *t)
{
    unlink_txn(t);
    t->w->n_txns--;
    if (t->enum_q != NULL)
        ef_enum_cancel(t->enum_q);
    if (t->loc != NULL)
        ef_locate_cancel(t->loc);
    event_free(t->timer_e);
    event_free(t->timer_f);
    free(t->req);
    free(t->out);
    free(t->resp);
    free(t->pai_add);
    free(t->hold_key);
    free(t->learn);
    free(t->refusal_key);
    free(t->target);
    free(t);
}

static void arm_ms(struct event *ev, unsigned ms)
{
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    evtimer_add(ev, &tv);
}

/* Keep a finished transaction a while when the sender is on UDP, so its
 * retransmissions get the final response again (RFC 3261 §17.2.2 Timer J). */
static void linger(efd_txn_t *t)
{
    evtimer_del(t->timer_e);
    if (t->from.transport == EF_TRANSPORT_UDP && t->skey[0] != '\0')
        arm_ms(t->timer_f, LINGER_UDP_MS);
    else
        arm_ms(t->timer_f, 0);
}

/* ---- sending responses back ------------------------------------------ */

static void send_back(efd_txn_t *t, const char *buf, size_t len, int status)
{
    efd_worker_t *w = t->w;
    if (t->done_cb != NULL) { /* our own request: nobody to send back to */
        if (status >= 200) {
            t->done_cb(t, status);
            t->done_cb = NULL;
            t->status = status;
            linger(t);
        }
        return;
    }
    if (efd_send(w, &t->from, buf, len) == 0)
        w->stats.tx_responses++;
    if (status >= 400 && status < 500 && t->refusal_key != NULL)
        efd_contacts_refused(t, status); /* seed §5.1: the peer must not ask again */
    if (status >= 200) {
        free(t->resp);
        t->resp = malloc(len);
        if (t->resp != NULL) {
            memcpy(t->resp, buf, len);
            t->resp_len = len;
        }
        t->status = status;
        /* what lingers is the answer for retransmissions, not the request,
         * nor a lookup that would relay it after all */
        if (t->enum_q != NULL)
            ef_enum_cancel(t->enum_q);
        if (t->loc != NULL)
            ef_locate_cancel(t->loc);
        t->enum_q = NULL;
        t->loc = NULL;
        free(t->req);
        free(t->out);
        t->req = t->out = NULL;
        t->req_len = t->out_len = 0;
        linger(t);
    } else if (status > t->status) {
        t->status = status;
    }
}

void efd_txn_reply(efd_txn_t *t, int status, const char *warning, const char *extra)
{
    efd_txn_reply_tag(t, status, NULL, warning, extra);
}

/* A local answer; with a body when ctype is set (it replaces Content-Length: 0). */
static void reply(efd_txn_t *t, int status, const char *to_tag, const char *warning,
                  const char *extra, const char *ctype, const char *body, size_t blen)
{
    static const char cl0[] = "Content-Length: 0\r\n\r\n";
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    ef_buf_t out;
    char more[4096], tag[32];
    size_t n = 0;

    if (t->status >= 200)
        return;
    if (t->done_cb != NULL) { /* our own request: its end is the answer */
        send_back(t, NULL, 0, status);
        return;
    }
    if (strcmp(t->method, "ACK") == 0) { /* never answered (RFC 3261 §17.2.3) */
        t->status = status;
        linger(t);
        return;
    }
    if (ef_sip_parse(t->req, t->req_len,
                     t->from.transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM, &msg,
                     hdrs, EF_SIP_MAX_HEADERS, NULL, NULL) < 0)
        return;
    if (warning != NULL)
        n += (size_t)snprintf(more, sizeof more, "Warning: 399 %s \"%s\"\r\n",
                              t->w->cfg->domains[0], warning);
    if (extra != NULL && n < sizeof more)
        n += (size_t)snprintf(more + n, sizeof more - n, "%s", extra);
    if (n < sizeof more) /* seed §9.1: a 2xx to MESSAGE tells that it is logged */
        n += efd_session_notice(t, status, more + n, sizeof more - n);
    snprintf(tag, sizeof tag, "efd%" PRIx64, t->w->next_id++);
    ef_buf_init(&out, EF_SIP_MAX_MESSAGE);
    if (ef_sip_build_response(&msg, status, NULL, to_tag != NULL ? to_tag : tag, n ? more : NULL,
                              &out) == 0) {
        if (ctype != NULL && out.len >= sizeof cl0 - 1) {
            out.len -= sizeof cl0 - 1;
            ef_buf_printf(&out, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", ctype, blen);
            ef_buf_append(&out, body, blen);
        }
        t->w->stats.local_responses[status / 100 < 7 ? status / 100 : 0]++;
        EFD_INFO("txn %s %s: answered %d%s%s", t->branch, t->method, status, warning ? ": " : "",
                 warning ? warning : "");
        if (!out.failed)
            send_back(t, out.data, out.len, status);
    }
    ef_buf_close(&out);
}

void efd_txn_reply_tag(efd_txn_t *t, int status, const char *to_tag, const char *warning,
                       const char *extra)
{
    reply(t, status, to_tag, warning, extra, NULL, NULL, 0);
}

void efd_txn_reply_body(efd_txn_t *t, int status, const char *extra, const char *ctype,
                        const char *body, size_t len)
{
    reply(t, status, NULL, NULL, extra, ctype, body, len);
}

/* ---- relaying ------------------------------------------------------------- */

static void timer_e_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_txn_t *t = arg;
    (void)fd;
    (void)what;
    if (t->status >= 200 || t->out == NULL)
        return;
    efd_send(t->w, &t->to, t->out, t->out_len);
    /* RFC 3261 §17.1.2.2: doubling up to T2, and straight to T2 after a provisional */
    t->retrans_ms = t->status >= 100                  ? TIMER_T2_MS
                    : t->retrans_ms * 2 < TIMER_T2_MS ? t->retrans_ms * 2
                                                      : TIMER_T2_MS;
    arm_ms(t->timer_e, t->retrans_ms);
}

static void timer_f_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_txn_t *t = arg;
    (void)fd;
    (void)what;
    if (t->status < 200) {
        /* RFC 3261 §16.7 step 2 and §16.8: no final response in time */
        efd_txn_reply(
            t, 408,
            t->peer[0] ? "no answer from the peer community" : "no answer from the next hop", NULL);
        return; /* reply re-armed the timer to linger */
    }
    txn_free(t);
}

/* Record-Route for requests that may create a dialog: one entry per side we
 * bridge, so each side sees an address it can reach (RFC 5658 double RR). */
static bool wants_rr(const char *method)
{
    return strcmp(method, "INVITE") == 0 || strcmp(method, "SUBSCRIBE") == 0 ||
           strcmp(method, "REFER") == 0;
}

static const char *tp_param(ef_transport_t t)
{
    return t == EF_TRANSPORT_TLS ? "tls" : t == EF_TRANSPORT_TCP ? "tcp" : "udp";
}

static int build_relay(efd_txn_t *t, const ef_sip_msg_t *msg, const efd_addr_t *to,
                       const char *new_uri, ef_buf_t *out)
{
    char via[256], rr[1200], hp_out[128], hp_in[128], mf[4];
    ef_sip_edits_t ed = {0};
    const char *tp = to->transport == EF_TRANSPORT_TLS   ? "TLS"
                     : to->transport == EF_TRANSPORT_TCP ? "TCP"
                                                         : "UDP";

    efd_local_hostport(t->w, to->side, to->transport, hp_out, sizeof hp_out);
    snprintf(via, sizeof via, "SIP/2.0/%s %s;branch=%s%s", tp, hp_out, t->branch,
             to->transport == EF_TRANSPORT_UDP ? ";rport" : "");
    rr[0] = '\0';
    if (wants_rr(t->method)) {
        /* the entry facing our own side names the peer community of the dialog: the
         * requests our users send in it go there, whatever their To (a tel: URI) */
        const char *peer = t->peer[0] ? t->peer : NULL;
        char pp[EFD_NAME_MAX + 8] = "";
        if (peer == NULL && t->from.side == EFD_SIDE_FEDERATION) {
            efd_conn_t *c = efd_conn_get(t->w, t->from.conn_id);
            peer = c != NULL ? efd_conn_domain(c) : NULL;
        }
        if (peer != NULL && peer[0] != '\0')
            snprintf(pp, sizeof pp, ";peer=%s", peer);
        efd_local_hostport(t->w, t->from.side, t->from.transport, hp_in, sizeof hp_in);
        snprintf(rr, sizeof rr, "<sip:%s;transport=%s%s;lr>, <sip:%s;transport=%s%s;lr>", hp_out,
                 tp_param(to->transport), to->side == EFD_SIDE_INTERNAL ? pp : "", hp_in,
                 tp_param(t->from.transport), t->from.side == EFD_SIDE_INTERNAL ? pp : "");
    }
    if (new_uri != NULL)
        ed.new_uri = (ef_str_t){new_uri, strlen(new_uri)};
    if (efd_route_pop(&ed, msg, t->pop_routes) != 0)
        return EF_E2BIG;
    for (size_t i = 0; t->pai_strip && i < msg->n_headers; i++)
        if (msg->headers[i].id == EF_HDR_P_ASSERTED_IDENTITY && ef_sip_edit_remove(&ed, i) != 0)
            return EF_E2BIG;
    if (t->pai_add != NULL && to->side == EFD_SIDE_FEDERATION &&
        ef_sip_edit_insert(&ed, msg->n_headers, "P-Asserted-Identity",
                           (ef_str_t){t->pai_add, strlen(t->pai_add)}) != 0)
        return EF_E2BIG;
    ef_str_t rrs = rr[0] != '\0' ? (ef_str_t){rr, strlen(rr)} : (ef_str_t){0};
    int rc = ef_sip_edit_proxy(&ed, msg, (ef_str_t){via, strlen(via)}, rrs, mf);
    if (rc != 0)
        return rc;
    return ef_sip_edit_write(msg, t->req, &ed, out);
}

int efd_txn_target(efd_txn_t *t, const char *uri, size_t len)
{
    char *s = malloc(len + 1);
    if (s == NULL)
        return EF_ENOMEM;
    memcpy(s, uri, len);
    s[len] = '\0';
    free(t->target);
    t->target = s;
    return 0;
}

void efd_txn_relay(efd_txn_t *t, const efd_addr_t *to, const char *new_uri)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    ef_buf_t out;

    if (t->status >= 200)
        return;           /* answered already (timeout, lost connection) */
    efd_session_offer(t); /* seed §9.1: a=record:on when the community logs sessions */
    ef_sip_parse(t->req, t->req_len,
                 t->from.transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM, &msg,
                 hdrs, EF_SIP_MAX_HEADERS, NULL, NULL);
    ef_buf_init(&out, t->w->cfg->max_message);
    int rc = build_relay(t, &msg, to, new_uri, &out);
    if (rc == EF_EINVAL) {
        efd_txn_reply(t, 483, NULL, NULL); /* RFC 3261 §16.3 step 3 */
    } else if (rc != 0) {
        efd_txn_reply(t, 513, "the relayed request would exceed the message size limit", NULL);
    } else if (efd_send(t->w, to, out.data, out.len) != 0) {
        efd_txn_reply(t, 503, "cannot send to the next hop", NULL);
    } else {
        t->to = *to;
        t->w->stats.tx_requests++;
        if (strcmp(t->method, "ACK") == 0) { /* relayed statelessly: no response comes */
            t->status = 200;
            linger(t);
            ef_buf_close(&out);
            return;
        }
        if (new_uri != NULL && new_uri != t->target)
            efd_txn_target(t, new_uri, strlen(new_uri));
        if (to->transport == EF_TRANSPORT_UDP) {
            t->out = out.data;
            t->out_len = out.len;
            out.data = NULL;
            t->retrans_ms = t->w->cfg->timer_t1_ms;
            arm_ms(t->timer_e, t->retrans_ms);
        }
        EFD_INFO("txn %s %s: relayed to %s", t->branch, t->method,
                 t->peer[0] ? t->peer : "the internal next hop");
    }
    ef_buf_close(&out);
}

/* ---- requests in ----------------------------------------------------------- */

/* RFC 3261 §17.2.3: the server transaction is the sender's branch, sent-by and method. */
static bool server_key(const ef_sip_msg_t *msg, char *key, size_t cap)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_VIA);
    ef_sip_via_t via;
    if (h == NULL || ef_sip_parse_via_first(h->value.ptr, h->value.len, &via, NULL) != 0 ||
        via.branch.ptr == NULL || via.branch.len < 8)
        return false;
    snprintf(key, cap, "%.*s|%.*s:%d|%.*s", (int)via.branch.len, via.branch.ptr, (int)via.host.len,
             via.host.ptr, via.port, (int)msg->method.len, msg->method.ptr);
    return true;
}

/* RFC 3261 §16.3 step 4: a request that already went through us is a loop. */
static bool looped(const efd_worker_t *w, const ef_sip_msg_t *msg)
{
    ef_sip_via_t via[EF_SIP_MAX_VIA];
    for (size_t i = 0; i < msg->n_headers; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        if (h->id != EF_HDR_VIA)
            continue;
        int n = ef_sip_parse_via(h->value.ptr, h->value.len, via, EF_SIP_MAX_VIA, NULL);
        for (int k = 0; k < n; k++)
            if (via[k].branch.len > strlen(EFD_BRANCH_PREFIX) &&
                memcmp(via[k].branch.ptr, EFD_BRANCH_PREFIX, strlen(EFD_BRANCH_PREFIX)) == 0 &&
                efd_is_me(w, via[k].host, via[k].port))
                return true;
    }
    return false;
}

static efd_txn_t *txn_new(efd_worker_t *w, const efd_addr_t *from, const ef_sip_msg_t *msg,
                          const char *buf, size_t len, const char *skey)
{
    efd_txn_t *t = calloc(1, sizeof *t);
    if (t == NULL || (t->req = malloc(len)) == NULL) {
        free(t);
        return NULL;
    }
    memcpy(t->req, buf, len);
    t->req_len = len;
    t->w = w;
    t->from = *from;
    snprintf(t->branch, sizeof t->branch, EFD_BRANCH_PREFIX "%u.%" PRIx64, w->id, ++w->next_id);
    snprintf(t->skey, sizeof t->skey, "%s", skey);
    snprintf(t->method, sizeof t->method, "%.*s", (int)msg->method.len, msg->method.ptr);
    t->timer_e = evtimer_new(w->base, timer_e_cb, t);
    t->timer_f = evtimer_new(w->base, timer_f_cb, t);
    efd_txn_t **b = &w->txns[hash_str(t->branch) % EFD_TXN_BUCKETS];
    t->next = *b;
    *b = t;
    if (skey[0] != '\0') {
        b = &w->stxns[hash_str(skey) % EFD_TXN_BUCKETS];
        t->snext = *b;
        *b = t;
    }
    w->n_txns++;
    arm_ms(t->timer_f, w->cfg->timer_b_ms);
    return t;
}

static void no_done(efd_txn_t *t, int status)
{
    (void)t;
    (void)status;
}

efd_txn_t *efd_txn_local(efd_worker_t *w, const char *method, void (*done)(efd_txn_t *, int))
{
    efd_txn_t *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->w = w;
    t->from = (efd_addr_t){.udp_fd = -1};
    t->done_cb = done != NULL ? done : no_done;
    snprintf(t->branch, sizeof t->branch, EFD_BRANCH_PREFIX "%u.%" PRIx64, w->id, ++w->next_id);
    snprintf(t->method, sizeof t->method, "%s", method);
    t->timer_e = evtimer_new(w->base, timer_e_cb, t);
    t->timer_f = evtimer_new(w->base, timer_f_cb, t);
    efd_txn_t **b = &w->txns[hash_str(t->branch) % EFD_TXN_BUCKETS];
    t->next = *b;
    *b = t;
    w->n_txns++;
    arm_ms(t->timer_f, w->cfg->timer_b_ms);
    return t;
}

void efd_txn_local_send(efd_txn_t *t, const efd_addr_t *to, char *req, size_t len)
{
    t->to = *to;
    if (efd_send(t->w, to, req, len) != 0) {
        free(req);
        send_back(t, NULL, 0, 503);
        return;
    }
    t->w->stats.tx_requests++;
    if (to->transport == EF_TRANSPORT_UDP) {
        t->out = req;
        t->out_len = len;
        t->retrans_ms = t->w->cfg->timer_t1_ms;
        arm_ms(t->timer_e, t->retrans_ms);
    } else {
        free(req);
    }
}

/* Answer a request that has no transaction (malformed, stateless refusals). */
static void reply_stateless(efd_worker_t *w, const efd_addr_t *from, const ef_sip_msg_t *msg,
                            int status, const char *why)
{
    ef_buf_t out;
    char warn[300];
    snprintf(warn, sizeof warn, "Warning: 399 %s \"%s\"\r\n", w->cfg->domains[0], why);
    ef_buf_init(&out, EF_SIP_MAX_MESSAGE);
    if (ef_sip_build_response(msg, status, NULL, "efd0", warn, &out) == 0 &&
        efd_send(w, from, out.data, out.len) == 0)
        w->stats.tx_responses++;
    w->stats.local_responses[status / 100]++;
    ef_buf_close(&out);
}

static void on_request(efd_worker_t *w, const efd_addr_t *from, const ef_sip_msg_t *msg,
                       const char *buf, size_t len)
{
    static const char *const ext[] = {NULL};
    ef_sip_check_opts_t opts = {.role = EF_ROLE_PROXY, .extensions = ext};
    ef_sip_verdict_t v;
    char skey[160] = "";

    w->stats.rx_requests++;
    bool ack = msg->method.len == 3 && memcmp(msg->method.ptr, "ACK", 3) == 0;
    if (!ack && server_key(msg, skey, sizeof skey)) {
        efd_txn_t *old = find_server(w, skey);
        if (old != NULL) {
            if (old->resp != NULL) /* RFC 3261 §17.2.2: retransmission, same final answer */
                efd_send(w, from, old->resp, old->resp_len);
            return;
        }
    }
    if (ef_sip_check(msg, &opts, &v) != 0 && v.status >= 400) {
        reply_stateless(w, from, msg, v.status, v.reason);
        return;
    }
    if (atomic_load(&w->d->draining)) {
        reply_stateless(w, from, msg, 503, "shutting down");
        return;
    }
    if (looped(w, msg)) {
        reply_stateless(w, from, msg, 482, "the request has already passed this edge");
        return;
    }
    efd_txn_t *t = txn_new(w, from, msg, buf, len, skey);
    if (t == NULL) {
        reply_stateless(w, from, msg, 500, "out of memory");
        return;
    }
    efd_route(t, msg);
}

/* ---- responses in ------------------------------------------------------------ */

/* The Retry-After of a response in seconds (RFC 3261 §20.33), -1 when none. */
static long retry_after(const ef_sip_msg_t *msg)
{
    for (size_t i = 0; i < msg->n_headers; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        uint32_t v;
        size_t n = strcspn(h->value.ptr, " ;(\r\n");
        if (h->id == EF_HDR_OTHER && h->name.len == 11 &&
            strncasecmp(h->name.ptr, "Retry-After", 11) == 0 &&
            ef_sip_parse_uint(h->value.ptr, n < h->value.len ? n : h->value.len, 86400, &v, NULL) ==
                0)
            return (long)v;
    }
    return -1;
}

/* How long a 4xx holds re-sends back: the peer's Retry-After when it gives
 * one, else federation.hold_after_4xx; 0 when that is 0. */
static unsigned hold_time(const efd_worker_t *w, const ef_sip_msg_t *msg)
{
    unsigned secs = w->cfg->hold_after_4xx;
    long ra = retry_after(msg);
    return secs > 0 && ra >= 0 ? (unsigned)ra : secs;
}

static void on_response(efd_worker_t *w, const efd_addr_t *from, const ef_sip_msg_t *msg,
                        const char *buf, size_t len)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_VIA);
    ef_sip_via_t via;
    size_t plen = strlen(EFD_BRANCH_PREFIX);

    w->stats.rx_responses++;
    if (h == NULL || ef_sip_parse_via_first(h->value.ptr, h->value.len, &via, NULL) != 0 ||
        via.branch.len <= plen || memcmp(via.branch.ptr, EFD_BRANCH_PREFIX, plen) != 0)
        return; /* RFC 3261 §18.1.2: not ours, discard */
    unsigned owner = (unsigned)strtoul(via.branch.ptr + plen, NULL, 10);
    if (owner != w->id && owner < w->d->n_workers) {
        efd_worker_forward(w->d->workers[owner], from, buf, len);
        return;
    }
    efd_txn_t *t = find_client(w, via.branch.ptr, via.branch.len);
    if (t == NULL || t->status >= 200)
        return; /* late or stray: the transaction is over (RFC 3261 §16.7 step 2) */
    if (msg->status == 100 && t->status < 100) {
        t->status = 100; /* hop by hop (§16.7 step 5); stops retransmissions at T2 */
        return;
    }
    ef_sip_edits_t ed = {0};
    ef_buf_t out;
    ef_buf_init(&out, EF_SIP_MAX_MESSAGE);
    if (ef_sip_edit_pop_via(&ed, msg) == 0 && ef_sip_edit_write(msg, buf, &ed, &out) == 0) {
        efd_session_response(t, msg->status, &out); /* seed §9.1: the recording notice */
        if (msg->status >= 400 && msg->status < 500 && t->hold_key != NULL)
            efd_hold_add(w, t->hold_key, msg->status, hold_time(w, msg));
        if (msg->status >= 200) {
            long ra = retry_after(msg);
            t->retry_after = ra > 0 ? (unsigned)ra : 0;
            if (t->learn != NULL)
                efd_contacts_outcome(t, msg->status); /* seed §10.2: the contact is judged */
        }
        EFD_INFO("txn %s %s: %d from %s", t->branch, t->method, msg->status,
                 t->peer[0] ? t->peer : "the internal next hop");
        send_back(t, out.data, out.len, msg->status);
    }
    ef_buf_close(&out);
}

void efd_proxy_input(efd_worker_t *w, const efd_addr_t *from, const char *buf, size_t len)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_limits_t lim = {w->cfg->max_message, EF_SIP_MAX_HEADERS, EF_SIP_MAX_HEADER_LINE,
                           EF_SIP_MAX_URI,      EF_SIP_MAX_VIA,     EF_SIP_MAX_ROUTE};
    ef_sip_msg_t msg;
    ef_perr_t perr = {0};
    char who[64];
    int n = ef_sip_parse(buf, len,
                         from->transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM,
                         &msg, hdrs, EF_SIP_MAX_HEADERS, &lim, &perr);

    if (n < 0) {
        w->stats.parse_errors++;
        efd_addr_text(&from->addr, who, sizeof who);
        EFD_NOTICE("from %s: dropped: %s: %s at byte %zu", who, ef_err_name(n),
                   perr.reason ? perr.reason : "malformed", perr.offset);
        /* Too malformed to parse means too malformed to answer (RFC 3261 §16.3). A
         * message that parses but breaks the grammar is answered 400 by the check. */
        return;
    }
    if (msg.is_request)
        on_request(w, from, &msg, buf, len);
    else
        on_response(w, from, &msg, buf, len);
}

void efd_proxy_conn_lost(efd_worker_t *w, uint64_t conn_id, const char *why)
{
    char warn[200];
    for (size_t i = 0; i < EFD_TXN_BUCKETS; i++) {
        efd_txn_t *t = w->txns[i];
        while (t != NULL) {
            efd_txn_t *next = t->next;
            if (t->from.conn_id == conn_id)
                t->from.conn_id = UINT64_MAX; /* gone: nothing can be sent back */
            if (t->to.conn_id == conn_id && t->status < 200) {
                snprintf(warn, sizeof warn, "connection to the peer lost: %s", why);
                efd_txn_reply(t, 503, warn, "Retry-After: 5\r\n");
            }
            t = next;
        }
    }
}

/* Transactions still waiting for a final response; finished ones that linger
 * for retransmissions do not hold a drain up. */
unsigned efd_proxy_pending(const efd_worker_t *w)
{
    unsigned n = 0;
    for (size_t i = 0; i < EFD_TXN_BUCKETS; i++)
        for (const efd_txn_t *t = w->txns[i]; t != NULL; t = t->next)
            n += t->status < 200 && t->done_cb == NULL; /* our own requests wait for nobody */
    return n;
}

void efd_proxy_close(efd_worker_t *w)
{
    for (size_t i = 0; i < EFD_TXN_BUCKETS; i++)
        while (w->txns[i] != NULL)
            txn_free(w->txns[i]);
    efd_hold_free(w);
}
