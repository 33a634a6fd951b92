/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar.c -- the community role of enumfedd (community.store): the
 * registrar of RFC 3261 §10.3 with digest authentication (RFC 7616), the
 * location service it feeds, and the store of MESSAGEs for users who have no
 * contact now (seed §6: nothing is lost; delivered when the user registers).
 *
 * Every worker has its own connection to the one SQLite store (WAL), so
 * bindings made through one worker are seen by all. Time is read here, once
 * per request, and passed to the store.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "enumfed/digest.h"
#include "enumfed/sip_hdr.h"
#include "log.h"
#include "presence.h"
#include "registrar.h"
#include "session.h"
#include "store.h"

#define CONTACTS_MAX 16 /* Contact values in one REGISTER */

int efd_registrar_open(efd_worker_t *w, char *err, size_t errcap)
{
    if (w->cfg->store[0] == '\0')
        return 0;
    return efd_store_open(w->cfg->store, &w->store, err, errcap);
}

void efd_registrar_close(efd_worker_t *w)
{
    efd_store_close(w->store);
    w->store = NULL;
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* user and host of a URI, NUL-terminated, host lowercase; false if it has none */
static bool split_aor(ef_str_t uri, char *user, char *domain, size_t cap)
{
    ef_uri_t u;
    if (ef_uri_parse(uri.ptr, uri.len, &u, NULL) != 0 || u.host_kind == EF_HOST_NONE ||
        u.user.len == 0 || u.user.len >= cap || u.host.len >= cap)
        return false;
    memcpy(user, u.user.ptr, u.user.len);
    user[u.user.len] = '\0';
    for (size_t i = 0; i < u.host.len; i++)
        domain[i] = (char)(u.host.ptr[i] >= 'A' && u.host.ptr[i] <= 'Z' ? u.host.ptr[i] + 32
                                                                        : u.host.ptr[i]);
    domain[u.host.len] = '\0';
    return true;
}

static bool to_uri(const ef_sip_msg_t *msg, ef_str_t *uri)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_TO);
    ef_sip_addr_t a;
    if (h == NULL || ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) != 0)
        return false;
    *uri = a.uri;
    return true;
}

/* ---- digest authentication (RFC 7616, RFC 3261 §22) ------------------------- */

static void challenge(efd_txn_t *t, const char *realm, bool stale)
{
    char nonce[EF_DIGEST_NONCE_LEN + 1], buf[1024], extra[1200];
    ef_str_t v[EF_DIGEST_ALGS];
    ef_str_t r = {realm, strlen(realm)};

    if (ef_digest_nonce(t->w->d->nonce_key, sizeof t->w->d->nonce_key, r, now_s(), nonce,
                        sizeof nonce) != 0) {
        efd_txn_reply(t, 500, "no nonce", NULL);
        return;
    }
    ef_digest_challenge_t c = {r, {nonce, strlen(nonce)}, {NULL, 0}, stale};
    if (ef_digest_challenges(&c, buf, sizeof buf, v) < 0) {
        efd_txn_reply(t, 500, "no challenge", NULL);
        return;
    }
    /* RFC 7616 §3.7, RFC 8760 §2.3: one challenge per algorithm, the preferred first */
    unsigned d = t->w->cfg->digest;
    const ef_str_t *first = &v[d == 1 || d == 3 ? EF_DIGEST_MD5 : EF_DIGEST_SHA256];
    const ef_str_t *second = d >= 2 ? NULL : &v[d == 1 ? EF_DIGEST_SHA256 : EF_DIGEST_MD5];
    snprintf(extra, sizeof extra, "WWW-Authenticate: %.*s\r\n%s%.*s%s", (int)first->len, first->ptr,
             second != NULL ? "WWW-Authenticate: " : "", second != NULL ? (int)second->len : 0,
             second != NULL ? second->ptr : "", second != NULL ? "\r\n" : "");
    efd_txn_reply(t, 401, NULL, extra);
}

/* Credentials that prove user@domain; anything else is answered here. */
static bool authenticated(efd_txn_t *t, const ef_sip_msg_t *msg, const char *user,
                          const char *domain)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_AUTHORIZATION);
    ef_sip_auth_t a;
    ef_digest_creds_t cr;
    efd_store_user_t u;

    if (h == NULL) {
        challenge(t, domain, false);
        return false;
    }
    if (ef_sip_parse_auth(h->value.ptr, h->value.len, &a, NULL) != 0 ||
        ef_digest_creds(&a, &cr) == EF_DIGEST_MALFORMED) {
        efd_txn_reply(t, 400, "malformed Authorization", NULL);
        return false;
    }
    if (cr.username.len != strlen(user) || memcmp(cr.username.ptr, user, cr.username.len) != 0) {
        t->w->stats.auth_failures++;
        efd_txn_reply(t, 403, "the credentials are not those of the To user", NULL);
        return false;
    }
    if (efd_store_user_get(t->w->store, user, domain, &u) != 0 || u.disabled) {
        t->w->stats.auth_failures++;
        efd_txn_reply(t, 403, "unknown or disabled user", NULL);
        return false;
    }
    unsigned d = t->w->cfg->digest;
    if ((d == 2 && cr.alg != EF_DIGEST_SHA256) || (d == 3 && cr.alg != EF_DIGEST_MD5)) {
        challenge(t, domain, false); /* an algorithm we did not offer */
        return false;
    }
    const char *ha1 = cr.alg == EF_DIGEST_SHA256 ? u.ha1_sha256 : u.ha1_md5;
    ef_digest_server_t srv = {.method = msg->method,
                              .uri = msg->uri,
                              .realm = {domain, strlen(domain)},
                              .key = t->w->d->nonce_key,
                              .keylen = sizeof t->w->d->nonce_key,
                              .now = now_s(),
                              .lifetime = t->w->cfg->nonce_lifetime};
    int r = ef_digest_verify(&cr, &srv, (ef_str_t){ha1, strlen(ha1)});
    if (r == EF_DIGEST_OK)
        return true;
    if (r == EF_DIGEST_BAD_RESPONSE) {
        t->w->stats.auth_failures++;
        EFD_NOTICE("REGISTER for %s@%s: wrong credentials", user, domain);
        efd_txn_reply(t, 403, "wrong credentials", NULL);
    } else if (r == EF_DIGEST_WRONG_URI || r == EF_DIGEST_MALFORMED) {
        efd_txn_reply(t, 400, ef_digest_result_name(r), NULL);
    } else {
        challenge(t, domain, r == EF_DIGEST_STALE);
    }
    return false;
}

/* ---- bindings (RFC 3261 §10.3 steps 6-8) ------------------------------------ */

/* "udp:ip:port" / "tcp:ip:port": where the REGISTER came from, where requests go */
static void received_of(const efd_txn_t *t, char *out, size_t cap)
{
    char a[64];
    efd_addr_text(&t->from.addr, a, sizeof a);
    snprintf(out, cap, "%s:%s", t->from.transport == EF_TRANSPORT_UDP ? "udp" : "tcp", a);
}

static int q_of(const ef_sip_addr_t *c)
{
    const ef_sip_param_t *p = ef_sip_param_get(&c->params, "q");
    if (p == NULL || p->value.len == 0)
        return -1;
    double q = strtod(p->value.ptr, NULL); /* "0.5"; the parser checked its grammar */
    return q < 0 ? 0 : q > 1 ? 1000 : (int)(q * 1000 + 0.5);
}

/* seconds asked for one contact: its expires parameter, else Expires, else the maximum */
static uint32_t expires_of(const efd_config_t *cfg, const ef_sip_msg_t *msg, const ef_sip_addr_t *c)
{
    const ef_sip_param_t *p = ef_sip_param_get(&c->params, "expires");
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_EXPIRES);
    uint32_t v = cfg->max_expires;
    if (p != NULL && ef_sip_parse_uint(p->value.ptr, p->value.len, UINT32_MAX, &v, NULL) == 0)
        return v < cfg->max_expires ? v : cfg->max_expires;
    if (h != NULL && ef_sip_parse_uint(h->value.ptr, h->value.len, UINT32_MAX, &v, NULL) == 0)
        return v < cfg->max_expires ? v : cfg->max_expires;
    return v;
}

/* One Contact value: 0, or an answer given (the caller stops). */
static int bind_one(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor, const ef_sip_addr_t *c)
{
    char uri[EF_URI_MAX + 1], callid[256], recv[96];
    const ef_sip_header_t *ci = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    const ef_sip_header_t *cs = ef_sip_msg_header(msg, EF_HDR_CSEQ);
    ef_sip_cseq_t cseq = {0};
    uint32_t e = expires_of(t->w->cfg, msg, c);

    snprintf(uri, sizeof uri, "%.*s", (int)c->uri.len, c->uri.ptr);
    if (e == 0) { /* removal; an unknown contact is no error (RFC 3261 §10.3 step 7) */
        efd_store_binding_remove(t->w->store, aor, uri);
        efd_session_note_contact(aor, uri, NULL, 0);
        return 0;
    }
    if (e < t->w->cfg->min_expires) {
        char extra[48];
        snprintf(extra, sizeof extra, "Min-Expires: %u\r\n", t->w->cfg->min_expires);
        efd_txn_reply(t, 423, NULL, extra);
        return -1;
    }
    snprintf(callid, sizeof callid, "%.*s", ci ? (int)ci->value.len : 0, ci ? ci->value.ptr : "");
    if (cs != NULL)
        ef_sip_parse_cseq(cs->value.ptr, cs->value.len, &cseq, NULL);
    received_of(t, recv, sizeof recv);
    efd_store_binding_t b = {.aor = (char *)aor,
                             .contact = uri,
                             .expires = now_s() + e,
                             .q = q_of(c),
                             .call_id = callid,
                             .cseq = cseq.seq,
                             .received = recv};
    int rc = efd_store_binding_upsert(t->w->store, &b, now_s(), t->w->cfg->max_bindings);
    if (rc == 0) { /* what the contact takes (RFC 3840 methods), for session.c */
        efd_session_note_contact(aor, uri, &c->params, b.expires);
        return 0;
    }
    efd_txn_reply(t, rc == EF_E2BIG ? 403 : 500,
                  rc == EF_E2BIG    ? "too many contacts for this address of record"
                  : rc == -EALREADY ? "out-of-order REGISTER (RFC 3261 10.3 step 7)"
                                    : "the store failed",
                  NULL);
    return -1;
}

/* 200 with every binding now in force (RFC 3261 §10.3 step 8). */
static void answer_bindings(efd_txn_t *t, const char *aor)
{
    efd_store_binding_t *b = NULL;
    size_t n = 0, len = 0;
    char extra[4096];
    int64_t now = now_s();

    extra[0] = '\0';
    if (efd_store_binding_list(t->w->store, aor, now, &b, &n) == 0)
        for (size_t i = 0; i < n && len < sizeof extra; i++)
            len +=
                (size_t)snprintf(extra + len, sizeof extra - len, "Contact: <%s>;expires=%lld\r\n",
                                 b[i].contact, (long long)(b[i].expires - now));
    efd_store_bindings_free(b, n);
    efd_txn_reply(t, 200, NULL, extra);
}

/* ---- delivery to a contact ------------------------------------------------------ */

/* udp:/tcp: + ip:port of the binding's Contact URI when its host is an IP
 * address, else of where its REGISTER came from (a name would need RFC 3263). */
static bool binding_target(const efd_store_binding_t *b, char *host, size_t cap, uint16_t *port,
                           bool *tcp)
{
    ef_uri_t u;
    const char *r = b->received;
    if (ef_uri_parse(b->contact, strlen(b->contact), &u, NULL) == 0 &&
        (u.host_kind == EF_HOST_IPV4 || u.host_kind == EF_HOST_IPV6) && u.host.len < cap) {
        const ef_uri_param_t *tp = ef_uri_param(&u, "transport");
        snprintf(host, cap, "%.*s", (int)u.host.len, u.host.ptr);
        *port = u.port > 0 ? (uint16_t)u.port : 5060;
        *tcp = tp != NULL && tp->value.len == 3 && strncasecmp(tp->value.ptr, "tcp", 3) == 0;
        return true;
    }
    const char *colon = r != NULL && strlen(r) > 4 ? strrchr(r + 4, ':') : NULL;
    if (colon == NULL || (size_t)(colon - (r + 4)) >= cap)
        return false;
    snprintf(host, cap, "%.*s", (int)(colon - (r + 4)), r + 4);
    *port = (uint16_t)atoi(colon + 1);
    *tcp = strncmp(r, "tcp:", 4) == 0;
    return true;
}

/* Where requests for a binding go (see binding_target). */
static bool binding_addr(efd_worker_t *w, const efd_store_binding_t *b, efd_addr_t *to)
{
    char host[64];
    uint16_t port;
    bool tcp;
    if (!binding_target(b, host, sizeof host, &port, &tcp))
        return false;
    *to = (efd_addr_t){.side = EFD_SIDE_INTERNAL, .udp_fd = -1};
    if (tcp) {
        to->transport = EF_TRANSPORT_TCP;
        to->conn_id = efd_next_hop_conn(w, host, port);
        return to->conn_id != 0;
    }
    to->transport = EF_TRANSPORT_UDP;
    for (size_t i = 0; i < w->cfg->n_listen; i++)
        if (w->cfg->listen[i].side == EFD_SIDE_INTERNAL &&
            w->cfg->listen[i].transport == EF_TRANSPORT_UDP)
            to->udp_fd = w->udp_fd[i];
    return efd_sockaddr(host, port, &to->addr, &to->addrlen) == 0;
}

static void delivered(efd_txn_t *t, int status)
{
    if (status >= 200 && status < 300 && t->w->store != NULL &&
        efd_store_msg_done(t->w->store, t->store_id) == 0)
        EFD_INFO("stored message %" PRId64 " delivered (%d)", t->store_id, status);
    else
        EFD_INFO("stored message %" PRId64 " not delivered (%d), kept", t->store_id, status);
}

/* Stored MESSAGEs for aor, sent to the contact b that has just registered. */
static void deliver_stored(efd_worker_t *w, const char *aor, const efd_store_binding_t *b)
{
    efd_store_msg_t *m = NULL;
    size_t n = 0;
    efd_addr_t to;
    char via[128];

    if (efd_store_msg_list(w->store, aor, now_s(), &m, &n) != 0 || n == 0 ||
        !binding_addr(w, b, &to)) {
        efd_store_msgs_free(m, n);
        return;
    }
    efd_local_hostport(w, EFD_SIDE_INTERNAL, to.transport, via, sizeof via);
    for (size_t i = 0; i < n; i++) {
        efd_txn_t *t = efd_txn_local(w, "MESSAGE", delivered);
        size_t cap = strlen(b->contact) + strlen(m[i].sender) + strlen(aor) + m[i].body_len + 512;
        char *req = t != NULL ? malloc(cap) : NULL;
        if (req == NULL)
            break; /* stays stored; the next REGISTER tries again */
        t->store_id = m[i].id;
        int len =
            snprintf(req, cap,
                     "MESSAGE %s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=%s%s\r\n"
                     "Max-Forwards: 70\r\nFrom: <%s>;tag=efd%" PRId64 "\r\nTo: <sip:%s>\r\n"
                     "Call-ID: %s@%s\r\nCSeq: 1 MESSAGE\r\nContent-Type: %s\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     b->contact, to.transport == EF_TRANSPORT_UDP ? "UDP" : "TCP", via, t->branch,
                     to.transport == EF_TRANSPORT_UDP ? ";rport" : "", m[i].sender, m[i].id, aor,
                     t->branch, w->cfg->domains[0], m[i].content_type, m[i].body_len);
        memcpy(req + len, m[i].body, m[i].body_len);
        efd_txn_local_send(t, &to, req, (size_t)len + m[i].body_len);
    }
    efd_store_msgs_free(m, n);
}

/* ---- REGISTER ----------------------------------------------------------------- */

/* The Contact values of the request, or "*" (RFC 3261 §10.3 step 6). */
static int contacts(const ef_sip_msg_t *msg, ef_sip_addr_t *c, size_t cap, bool *star)
{
    size_t n = 0;
    *star = false;
    for (size_t i = 0; i < msg->n_headers; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        bool s = false;
        if (h->id != EF_HDR_CONTACT)
            continue;
        int k = ef_sip_parse_addr_list(h->value.ptr, h->value.len, c + n, cap - n, &s, NULL);
        if (k < 0)
            return k;
        n += (size_t)k;
        *star = *star || s;
    }
    return (int)n;
}

void efd_registrar_register(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    char user[EFD_STORE_NAME_MAX], domain[EFD_STORE_NAME_MAX], aor[2 * EFD_STORE_NAME_MAX];
    ef_sip_addr_t c[CONTACTS_MAX];
    ef_str_t to;
    bool star;

    if (!to_uri(msg, &to) || !split_aor(to, user, domain, sizeof user)) {
        efd_txn_reply(t, 400, "the To URI names no user", NULL);
        return;
    }
    if (!efd_config_is_local(t->w->cfg, domain, strlen(domain))) {
        efd_txn_reply(t, 403, "this registrar serves only its own domains", NULL);
        return;
    }
    if (!authenticated(t, msg, user, domain))
        return;
    snprintf(aor, sizeof aor, "%s@%s", user, domain);
    int n = contacts(msg, c, CONTACTS_MAX, &star);
    if (n < 0) {
        efd_txn_reply(t, 400, "malformed or too many Contact values", NULL);
        return;
    }
    if (star) { /* "*" only alone and with Expires: 0 (§10.3 step 6) */
        const ef_sip_header_t *e = ef_sip_msg_header(msg, EF_HDR_EXPIRES);
        uint32_t v = 1; /* a maximum of 0: only "0" parses */
        if (n > 0 || e == NULL || ef_sip_parse_uint(e->value.ptr, e->value.len, 0, &v, NULL) != 0) {
            efd_txn_reply(t, 400, "Contact: * needs Expires: 0 and no other contact", NULL);
            return;
        }
        efd_store_binding_remove_all(t->w->store, aor);
    }
    for (int i = 0; i < n; i++)
        if (bind_one(t, msg, aor, &c[i]) != 0)
            return;
    answer_bindings(t, aor);
    efd_store_binding_t *b = NULL;
    size_t nb = 0;
    if (n > 0 && efd_store_binding_list(t->w->store, aor, now_s(), &b, &nb) == 0 && nb > 0)
        deliver_stored(t->w, aor, &b[0]);
    efd_store_bindings_free(b, nb);
}

/* ---- requests for our users ------------------------------------------------------ */

/* A MESSAGE for a known user with no contact: kept, 202 (or 480 when full). */
static void keep(efd_txn_t *t, const char *aor)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    char sender[EF_URI_MAX + 1] = "", ctype[256] = "text/plain";
    const ef_sip_header_t *h;
    ef_sip_addr_t a;

    if (ef_sip_parse(t->req, t->req_len,
                     t->from.transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM, &msg,
                     hdrs, EF_SIP_MAX_HEADERS, NULL, NULL) < 0 ||
        msg.body.len > EFD_STORE_MSG_MAX) {
        efd_txn_reply(t, 480, "the user is offline and the message cannot be kept", NULL);
        return;
    }
    if ((h = ef_sip_msg_header(&msg, EF_HDR_FROM)) != NULL &&
        ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) == 0)
        snprintf(sender, sizeof sender, "%.*s", (int)a.uri.len, a.uri.ptr);
    if ((h = ef_sip_msg_header(&msg, EF_HDR_CONTENT_TYPE)) != NULL)
        snprintf(ctype, sizeof ctype, "%.*s", (int)h->value.len, h->value.ptr);
    int64_t now = now_s(), id;
    efd_store_msg_t m = {.aor = (char *)aor,
                         .sender = sender,
                         .content_type = ctype,
                         .body = (unsigned char *)msg.body.ptr,
                         .body_len = msg.body.len,
                         .received_at = now,
                         .expires_at = now + t->w->cfg->offline_ttl};
    int rc = efd_store_msg_put(t->w->store, &m, t->w->cfg->offline_max, &id);
    if (rc == 0) {
        EFD_INFO("txn %s MESSAGE: kept for %s as stored message %" PRId64, t->branch, aor, id);
        efd_txn_reply(t, 202, NULL, NULL);
    } else {
        efd_txn_reply(t, 480,
                      rc == EF_E2BIG ? "the user is offline and has too many messages"
                                     : "the user is offline",
                      NULL);
    }
}

/*
 * The presentity a PUBLISH or SUBSCRIBE is for: the Request-URI (which an
 * edge may have rewritten from a number, RFC 3261 §16.5), or, inside a
 * dialog (To has a tag), the To URI, since the Request-URI is our contact.
 */
static bool presentity_uri(const ef_sip_msg_t *msg, ef_str_t *uri, bool *in_dialog)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_TO);
    ef_sip_addr_t a;
    if (h == NULL || ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) != 0)
        return false;
    *in_dialog = ef_sip_param_get(&a.params, "tag") != NULL;
    *uri = *in_dialog ? a.uri : msg->uri;
    return true;
}

/* PUBLISH and SUBSCRIBE for a presentity of ours. */
static void presence_request(efd_txn_t *t)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    char user[EFD_STORE_NAME_MAX], domain[EFD_STORE_NAME_MAX], aor[2 * EFD_STORE_NAME_MAX];
    efd_store_user_t rec;
    ef_str_t to;
    bool sub = strcmp(t->method, "SUBSCRIBE") == 0, in_dialog;

    if (ef_sip_parse(t->req, t->req_len,
                     t->from.transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM, &msg,
                     hdrs, EF_SIP_MAX_HEADERS, NULL, NULL) < 0 ||
        !presentity_uri(&msg, &to, &in_dialog)) {
        efd_txn_reply(t, 400, "no To URI", NULL);
        return;
    }
    if (sub && in_dialog) { /* a dialog of ours: found by its To tag, whatever the To URI */
        efd_presence_subscribe(t, &msg, "");
        return;
    }
    if (!split_aor(to, user, domain, sizeof user) ||
        !efd_config_is_local(t->w->cfg, domain, strlen(domain))) {
        efd_txn_reply(t, 404, "no such presentity", NULL);
        return;
    }
    if (!sub && t->from.side == EFD_SIDE_FEDERATION) {
        efd_txn_reply(t, 403, "presence is published by our own users only", NULL);
        return;
    }
    bool known = efd_store_user_get(t->w->store, user, domain, &rec) == 0 && !rec.disabled;
    /* seed §5.3: against harvesting, an unknown presentity looks like a closed one */
    if (!known && !(sub && t->w->cfg->harvesting == EFD_HARVEST_SILENT)) {
        efd_txn_reply(t, 404, "no such presentity", NULL);
        return;
    }
    snprintf(aor, sizeof aor, "%s@%s", user, domain);
    if (sub)
        efd_presence_subscribe(t, &msg, aor);
    else
        efd_presence_publish(t, &msg, aor);
}

void efd_registrar_route(efd_txn_t *t, ef_str_t user, ef_str_t domain)
{
    if (strcmp(t->method, "SUBSCRIBE") == 0 || strcmp(t->method, "PUBLISH") == 0) {
        presence_request(t);
        return;
    }
    char u[EFD_STORE_NAME_MAX], d[EFD_STORE_NAME_MAX], aor[2 * EFD_STORE_NAME_MAX];
    efd_store_user_t rec;
    efd_store_binding_t *b = NULL;
    size_t n = 0;
    efd_addr_t to;

    if (user.len == 0 || user.len >= sizeof u || domain.len >= sizeof d) {
        efd_txn_reply(t, 404, "no such user", NULL);
        return;
    }
    snprintf(u, sizeof u, "%.*s", (int)user.len, user.ptr);
    for (size_t i = 0; i < domain.len; i++) {
        char ch = domain.ptr[i];
        d[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    d[domain.len] = '\0';
    snprintf(aor, sizeof aor, "%s@%s", u, d);
    if (efd_store_user_get(t->w->store, u, d, &rec) != 0 || rec.disabled) {
        efd_txn_reply(t, 404, "no such user", NULL);
        return;
    }
    if (efd_session_request(t, aor)) /* OPTIONS, INFO, session-mode IM (seed 6.1-6.3.2) */
        return;
    if (efd_store_binding_list(t->w->store, aor, now_s(), &b, &n) != 0 || n == 0) {
        efd_store_bindings_free(b, n);
        if (strcmp(t->method, "MESSAGE") == 0 && t->w->cfg->offline_max > 0)
            keep(t, aor);
        else
            efd_txn_reply(t, 480, "the user has no registered contact", NULL);
        return;
    }
    size_t best = efd_session_pick(aor, b, n, t->method); /* highest q taking the method */
    if (binding_addr(t->w, &b[best], &to))
        efd_txn_relay(t, &to, b[best].contact);
    else
        efd_txn_reply(t, 480, "the user's contact cannot be reached", NULL);
    efd_store_bindings_free(b, n);
}
