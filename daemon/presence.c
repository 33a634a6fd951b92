/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * presence.c -- the presence agent of a community (community.store): PUBLISH
 * of each device's PIDF (RFC 3903) with entity tags and expiry, composed into
 * one document per presentity (lib/pidf), and SUBSCRIBE/NOTIFY (RFC 6665,
 * RFC 3856) for local watchers and for watchers of other communities, whose
 * NOTIFYs return over any live connection of their community (seed §4.2).
 *
 * The state lives in memory on the worker that received it: presence
 * therefore wants workers = 1 for now (see enumfedd(8)). A presentity nobody
 * publishes for is notified as "closed" in a document of the same shape as a
 * real one (seed §5.3, against harvesting).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "enumfed/pidf.h"
#include "enumfed/sip_hdr.h"
#include "log.h"
#include "presence.h"
#include "store.h"

#define PUB_MAX 16         /* publications of one presentity (devices) */
#define SUB_EXPIRES_MIN 60 /* RFC 6665 §4.2.1.1: 423 below it */
#define SWEEP_SECONDS 10   /* how often removed users are looked for */

struct pub {
    struct pub *next;
    char etag[40];
    ef_pidf_t *doc;
    int64_t expires;
};

struct sub {
    struct sub *next;
    efd_worker_t *w;
    struct pres *pres;
    char *call_id, *their_tag, *watcher, *target, *routes;
    char our_tag[32];
    uint32_t cseq;
    int64_t expires;
    efd_addr_t to;           /* where NOTIFYs go: the watcher's address or its community */
    int64_t last_ms;         /* when the last NOTIFY went */
    uint64_t last_hash;      /* of the document it carried */
    struct event *delay;     /* a change waiting for community.notify_min_ms */
    char peer[EFD_NAME_MAX]; /* a watcher of another community: which */
    struct event *timer;
};

struct pres {
    struct pres *next;
    char aor[2 * EFD_NAME_MAX];
    struct pub *pubs;
    struct sub *subs;
};

struct efd_presence {
    efd_worker_t *w;
    struct pres *list;
    struct event *sweep;
};

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t hash_of(const char *p, size_t n)
{
    return efd_hash(p, n, false);
}

static struct pres *pres_get(efd_worker_t *w, const char *aor, bool make)
{
    struct efd_presence *p = w->presence;
    for (struct pres *e = p->list; e != NULL; e = e->next)
        if (strcmp(e->aor, aor) == 0)
            return e;
    if (!make)
        return NULL;
    struct pres *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    snprintf(e->aor, sizeof e->aor, "%s", aor);
    e->next = p->list;
    p->list = e;
    return e;
}

/* ---- the document a watcher gets ----------------------------------------------- */

/* PIDF of the presentity now: its publications composed, or "closed". */
static int document(efd_worker_t *w, struct pres *e, ef_buf_t *out)
{
    const ef_pidf_t *docs[PUB_MAX];
    ef_pidf_t *doc = NULL;
    size_t n = 0;
    int64_t now = now_s();
    char entity[2 * EFD_NAME_MAX + 8];

    for (struct pub *p = e->pubs; p != NULL && n < PUB_MAX; p = p->next)
        if (p->expires > now)
            docs[n++] = p->doc;
    for (size_t i = 0; i < n / 2; i++) { /* oldest first: the newest wins a tie */
        const ef_pidf_t *x = docs[i];
        docs[i] = docs[n - 1 - i];
        docs[n - 1 - i] = x;
    }
    snprintf(entity, sizeof entity, "pres:%s", e->aor);
    int rc = n > 0 ? ef_pidf_compose(docs, n, w->d->nonce_key, sizeof w->d->nonce_key, &doc)
                   : ef_pidf_closed((ef_str_t){entity, strlen(entity)}, w->d->nonce_key,
                                    sizeof w->d->nonce_key, &doc);
    if (rc == 0)
        rc = ef_pidf_encode(doc, out);
    ef_pidf_free(doc);
    return rc;
}

static void our_contact(efd_worker_t *w, const struct sub *s, char *out, size_t cap)
{
    char hp[128];
    efd_local_hostport(w, s->to.side, s->to.transport, hp, sizeof hp);
    snprintf(out, cap, "<sip:%s;transport=%s>", hp,
             s->to.transport == EF_TRANSPORT_TLS   ? "tls"
             : s->to.transport == EF_TRANSPORT_TCP ? "tcp"
                                                   : "udp");
}

/* ---- NOTIFY (RFC 6665 §4.2.2) ------------------------------------------------ */

/* Where a NOTIFY goes now: the watcher's address, or a live connection of its community. */
static bool notify_addr(efd_worker_t *w, struct sub *s, efd_addr_t *to)
{
    *to = s->to;
    if (s->peer[0] == '\0')
        return to->conn_id == 0 || efd_conn_get(w, to->conn_id) != NULL;
    to->conn_id = efd_peer_live(w, s->peer);
    return to->conn_id != 0;
}

static void sub_free(struct sub *s)
{
    struct pres *e = s->pres;
    for (struct sub **p = &e->subs; *p != NULL; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    event_free(s->timer);
    event_free(s->delay);
    free(s->call_id);
    free(s->their_tag);
    free(s->watcher);
    free(s->target);
    free(s->routes);
    free(s);
}

/* One NOTIFY with the current document; reason != NULL terminates the subscription. */
static void notify(efd_worker_t *w, struct sub *s, const char *reason)
{
    ef_buf_t body, req;
    efd_addr_t to;
    char contact[200], hp[128], state[96];
    int64_t left = s->expires - now_s();

    if (!notify_addr(w, s, &to)) {
        EFD_INFO("NOTIFY for %s to %s: no connection, not sent", s->pres->aor, s->watcher);
        return;
    }
    efd_txn_t *t = efd_txn_local(w, "NOTIFY", NULL);
    if (t == NULL)
        return;
    if (reason != NULL)
        snprintf(state, sizeof state, "terminated;reason=%s", reason);
    else
        snprintf(state, sizeof state, "active;expires=%lld", (long long)(left > 0 ? left : 0));
    our_contact(w, s, contact, sizeof contact);
    efd_local_hostport(w, to.side, to.transport, hp, sizeof hp);
    ef_buf_init(&body, EF_SIP_MAX_MESSAGE);
    ef_buf_init(&req, EF_SIP_MAX_MESSAGE);
    document(w, s->pres, &body);
    ef_buf_printf(&req, "NOTIFY %s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=%s%s\r\n", s->target,
                  to.transport == EF_TRANSPORT_TLS   ? "TLS"
                  : to.transport == EF_TRANSPORT_TCP ? "TCP"
                                                     : "UDP",
                  hp, t->branch, to.transport == EF_TRANSPORT_UDP ? ";rport" : "");
    if (s->routes != NULL)
        ef_buf_printf(&req, "Route: %s\r\n", s->routes);
    ef_buf_printf(&req,
                  "Max-Forwards: 70\r\nFrom: <sip:%s>;tag=%s\r\nTo: <%s>;tag=%s\r\n"
                  "Call-ID: %s\r\nCSeq: %u NOTIFY\r\nContact: %s\r\nEvent: presence\r\n"
                  "Subscription-State: %s\r\nContent-Type: application/pidf+xml\r\n"
                  "Content-Length: %zu\r\n\r\n",
                  s->pres->aor, s->our_tag, s->watcher, s->their_tag, s->call_id, ++s->cseq,
                  contact, state, body.failed ? 0 : body.len);
    if (!body.failed)
        ef_buf_append(&req, body.data, body.len);
    if (!req.failed) {
        efd_txn_local_send(t, &to, req.data, req.len); /* takes req.data */
        req.data = NULL;
        s->last_ms = now_ms();
        s->last_hash = body.failed ? 0 : hash_of(body.data, body.len);
        EFD_INFO("NOTIFY %s -> %s: %s", s->pres->aor, s->watcher, state);
    } else {
        efd_txn_reply(t, 500, "NOTIFY too large", NULL);
    }
    ef_buf_close(&body);
    ef_buf_close(&req);
}

/* Would the document now be the one the watcher last got? */
static bool unchanged(efd_worker_t *w, const struct sub *s)
{
    ef_buf_t body;
    ef_buf_init(&body, EF_SIP_MAX_MESSAGE);
    bool same = document(w, s->pres, &body) == 0 && !body.failed &&
                hash_of(body.data, body.len) == s->last_hash;
    ef_buf_close(&body);
    return same;
}

/* ms between NOTIFYs without a change to this watcher's community (seed §5.1) */
static int64_t refresh_ms(const efd_worker_t *w, const struct sub *s)
{
    const efd_peer_t *p = efd_config_peer(w->cfg, s->peer, strlen(s->peer));
    if (p != NULL && p->notify_interval > 0)
        return (int64_t)(p->notify_interval * 1000);
    return (int64_t)w->cfg->notify_refresh * 1000;
}

/*
 * The presentity changed (a PUBLISH): a NOTIFY, at most one per
 * community.notify_min_ms (RFC 3856 §6.10; changes in between are merged into
 * the delayed one), and none toward another community when the document is
 * what it last got, before the refresh interval has passed (seed §5.1).
 */
static void notify_change(efd_worker_t *w, struct sub *s)
{
    int64_t now = now_ms();
    if (s->peer[0] != '\0' && now - s->last_ms < refresh_ms(w, s) && unchanged(w, s)) {
        EFD_INFO("NOTIFY %s -> %s: no change, held back (seed 5.1)", s->pres->aor, s->watcher);
        return;
    }
    int64_t wait = s->last_ms + (int64_t)w->cfg->notify_min_ms - now;
    if (wait > 0) {
        struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
        if (!evtimer_pending(s->delay, NULL))
            evtimer_add(s->delay, &tv);
        return;
    }
    notify(w, s, NULL);
}

static void notify_all(efd_worker_t *w, struct pres *e)
{
    for (struct sub *s = e->subs; s != NULL; s = s->next)
        notify_change(w, s);
}

static void delay_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sub *s = arg;
    (void)fd;
    (void)what;
    notify(s->w, s, NULL); /* the latest state, merged */
}

static void sub_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sub *s = arg;
    (void)fd;
    (void)what;
    notify(s->w, s, "timeout"); /* RFC 6665 §4.2.2: the subscription ran out */
    sub_free(s);
}

/* ---- PUBLISH (RFC 3903) -------------------------------------------------------- */

static uint32_t expires_in(const ef_sip_msg_t *msg, uint32_t dflt, uint32_t max)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_EXPIRES);
    uint32_t v = dflt;
    if (h != NULL)
        ef_sip_parse_uint(h->value.ptr, h->value.len, UINT32_MAX, &v, NULL);
    return v < max ? v : max;
}

static bool event_presence(const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_EVENT);
    ef_sip_event_t ev;
    return h != NULL && ef_sip_parse_event(h->value.ptr, h->value.len, &ev, NULL) == 0 &&
           ev.package.len == 8 && strncasecmp(ev.package.ptr, "presence", 8) == 0;
}

static struct pub *pub_find(struct pres *e, const ef_sip_msg_t *msg, bool *asked)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_SIP_IF_MATCH);
    *asked = h != NULL;
    for (struct pub *p = e->pubs; h != NULL && p != NULL; p = p->next)
        if (strlen(p->etag) == h->value.len && memcmp(p->etag, h->value.ptr, h->value.len) == 0)
            return p;
    return NULL;
}

static void pub_drop(struct pres *e, struct pub *p)
{
    for (struct pub **q = &e->pubs; *q != NULL; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    ef_pidf_free(p->doc);
    free(p);
}

void efd_presence_publish(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor)
{
    efd_worker_t *w = t->w;
    struct pres *e = pres_get(w, aor, true);
    bool asked;
    char err[200], extra[128];
    ef_pidf_t *doc = NULL;

    if (!event_presence(msg)) {
        efd_txn_reply(t, 489, "only the presence event package is published here", NULL);
        return;
    }
    uint32_t exp = expires_in(msg, w->cfg->max_expires, w->cfg->max_expires);
    struct pub *p = e != NULL ? pub_find(e, msg, &asked) : NULL;
    if (e == NULL || (asked && p == NULL)) { /* RFC 3903 §6 step 4: unknown entity tag */
        efd_txn_reply(t, e == NULL ? 500 : 412, NULL, NULL);
        return;
    }
    if (exp > 0 && exp < w->cfg->min_expires) {
        snprintf(extra, sizeof extra, "Min-Expires: %u\r\n", w->cfg->min_expires);
        efd_txn_reply(t, 423, NULL, extra);
        return;
    }
    if (msg->body.len > 0 &&
        ef_pidf_decode(msg->body.ptr, msg->body.len, &doc, err, sizeof err) != 0) {
        efd_txn_reply(t, 400, err, NULL);
        return;
    }
    if (p == NULL && doc == NULL) { /* an initial PUBLISH carries a document (§6 step 5) */
        efd_txn_reply(t, 400, "an initial PUBLISH needs a PIDF body", NULL);
        return;
    }
    if (exp == 0) { /* removal (§6 step 6) */
        pub_drop(e, p);
        ef_pidf_free(doc);
        efd_txn_reply(t, 200, NULL, "Expires: 0\r\n");
        notify_all(w, e);
        return;
    }
    if (p == NULL) {
        size_t count = 0;
        for (struct pub *q = e->pubs; q != NULL; q = q->next)
            count++;
        if (count >= PUB_MAX || (p = calloc(1, sizeof *p)) == NULL) {
            ef_pidf_free(doc);
            efd_txn_reply(t, 503, "too many publications for this presentity", NULL);
            return;
        }
        p->next = e->pubs;
        e->pubs = p;
    }
    snprintf(p->etag, sizeof p->etag, "e%" PRIx64 "x%u", w->next_id++, (unsigned)now_s());
    if (doc != NULL) { /* a refresh without a body keeps the document (§6 step 5) */
        ef_pidf_free(p->doc);
        p->doc = doc;
    }
    p->expires = now_s() + exp;
    snprintf(extra, sizeof extra, "SIP-ETag: %s\r\nExpires: %u\r\n", p->etag, exp);
    efd_txn_reply(t, 200, NULL, extra);
    if (doc != NULL)
        notify_all(w, e);
}

/* ---- SUBSCRIBE (RFC 6665 §4.2.1, RFC 3856 §6) --------------------------------- */

static char *dup_str(ef_str_t s)
{
    char *d = malloc(s.len + 1);
    if (d != NULL) {
        memcpy(d, s.ptr, s.len);
        d[s.len] = '\0';
    }
    return d;
}

/* The watcher accepts PIDF: no Accept at all, or one naming it (RFC 3856 §6.7). */
static bool accepts_pidf(const ef_sip_msg_t *msg)
{
    ef_sip_media_t m[16];
    bool any = false;
    for (size_t i = 0; i < msg->n_headers; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        if (h->id != EF_HDR_ACCEPT)
            continue;
        any = true;
        int n = ef_sip_parse_accept(h->value.ptr, h->value.len, m, 16, NULL);
        for (int k = 0; k < n; k++)
            if ((m[k].type.len == 1 && m[k].type.ptr[0] == '*') ||
                (m[k].subtype.len == 8 && strncasecmp(m[k].subtype.ptr, "pidf+xml", 8) == 0))
                return true;
    }
    return !any;
}

static struct sub *sub_find(struct pres *e, ef_str_t call_id, ef_str_t to_tag)
{
    for (struct sub *s = e->subs; s != NULL; s = s->next)
        if (strlen(s->call_id) == call_id.len &&
            memcmp(s->call_id, call_id.ptr, call_id.len) == 0 && strlen(s->our_tag) == to_tag.len &&
            memcmp(s->our_tag, to_tag.ptr, to_tag.len) == 0)
            return s;
    return NULL;
}

/* Record-Route values joined, in order: the route set of the UAS (RFC 3261 §12.1.1). */
static char *route_set(const ef_sip_msg_t *msg)
{
    size_t len = 0;
    for (size_t i = 0; i < msg->n_headers; i++)
        if (msg->headers[i].id == EF_HDR_RECORD_ROUTE)
            len += msg->headers[i].value.len + 2;
    if (len == 0)
        return NULL;
    char *r = malloc(len + 1), *p = r;
    for (size_t i = 0; r != NULL && i < msg->n_headers; i++)
        if (msg->headers[i].id == EF_HDR_RECORD_ROUTE) {
            if (p != r)
                *p++ = ',', *p++ = ' ';
            memcpy(p, msg->headers[i].value.ptr, msg->headers[i].value.len);
            p += msg->headers[i].value.len;
        }
    if (r != NULL)
        *p = '\0';
    return r;
}

static struct sub *sub_new(efd_txn_t *t, const ef_sip_msg_t *msg, struct pres *e,
                           const ef_sip_addr_t *from, const ef_sip_addr_t *contact)
{
    const ef_sip_param_t *tag = ef_sip_param_get(&from->params, "tag");
    const ef_sip_header_t *ci = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    struct sub *s = calloc(1, sizeof *s);
    if (s == NULL || tag == NULL || ci == NULL) {
        free(s);
        return NULL;
    }
    s->w = t->w;
    s->pres = e;
    s->call_id = dup_str(ci->value);
    s->their_tag = dup_str(tag->value);
    s->watcher = dup_str(from->uri);
    s->target = dup_str(contact->uri);
    s->routes = route_set(msg);
    s->to = t->from;
    if (t->from.side == EFD_SIDE_FEDERATION) {
        efd_conn_t *c = efd_conn_get(t->w, t->from.conn_id);
        snprintf(s->peer, sizeof s->peer, "%s", c != NULL ? efd_conn_domain(c) : "");
    }
    snprintf(s->our_tag, sizeof s->our_tag, "efd%" PRIx64, t->w->next_id++);
    s->timer = evtimer_new(t->w->base, sub_timer_cb, s);
    s->delay = evtimer_new(t->w->base, delay_cb, s);
    s->next = e->subs;
    e->subs = s;
    return s;
}

static void arm_sub(struct sub *s, uint32_t secs)
{
    struct timeval tv = {secs, 0};
    s->expires = now_s() + secs;
    evtimer_add(s->timer, &tv);
}

static void refresh(efd_txn_t *t, const ef_sip_msg_t *msg, struct pres *e, ef_str_t to_tag)
{
    const ef_sip_header_t *ci = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    struct sub *s = ci != NULL && e != NULL ? sub_find(e, ci->value, to_tag) : NULL;
    char extra[64];
    if (s == NULL) {
        efd_txn_reply(t, 481, "no such subscription", NULL);
        return;
    }
    uint32_t exp = expires_in(msg, t->w->cfg->max_expires, t->w->cfg->max_expires);
    snprintf(extra, sizeof extra, "Expires: %u\r\n", exp);
    efd_txn_reply_tag(t, 200, s->our_tag, NULL, extra);
    if (exp == 0) { /* unsubscribe: one last NOTIFY (RFC 6665 §4.2.1.4) */
        s->expires = now_s();
        notify(t->w, s, "timeout");
        sub_free(s);
        return;
    }
    arm_sub(s, exp);
    notify(t->w, s, NULL);
}

void efd_presence_subscribe(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor)
{
    const ef_sip_header_t *fh = ef_sip_msg_header(msg, EF_HDR_FROM);
    const ef_sip_header_t *th = ef_sip_msg_header(msg, EF_HDR_TO);
    const ef_sip_header_t *ch = ef_sip_msg_header(msg, EF_HDR_CONTACT);
    ef_sip_addr_t from, to, contact;
    char extra[256];

    if (!event_presence(msg)) {
        efd_txn_reply(t, 489, NULL, "Allow-Events: presence\r\n");
        return;
    }
    if (!accepts_pidf(msg)) {
        efd_txn_reply(t, 406, "presence is sent as application/pidf+xml", NULL);
        return;
    }
    if (fh == NULL || th == NULL || ch == NULL ||
        ef_sip_parse_addr(fh->value.ptr, fh->value.len, &from, NULL) != 0 ||
        ef_sip_parse_addr(th->value.ptr, th->value.len, &to, NULL) != 0 ||
        ef_sip_parse_addr(ch->value.ptr, ch->value.len, &contact, NULL) != 0) {
        efd_txn_reply(t, 400, "SUBSCRIBE needs From, To and one Contact", NULL);
        return;
    }
    const ef_sip_param_t *to_tag = ef_sip_param_get(&to.params, "tag");
    if (to_tag != NULL) {
        refresh(t, msg, pres_get(t->w, aor, false), to_tag->value);
        return;
    }
    uint32_t exp = expires_in(msg, t->w->cfg->max_expires, t->w->cfg->max_expires);
    if (exp > 0 && exp < SUB_EXPIRES_MIN) {
        snprintf(extra, sizeof extra, "Min-Expires: %u\r\n", SUB_EXPIRES_MIN);
        efd_txn_reply(t, 423, NULL, extra);
        return;
    }
    struct pres *e = pres_get(t->w, aor, true);
    struct sub *s = e != NULL ? sub_new(t, msg, e, &from, &contact) : NULL;
    if (s == NULL) {
        efd_txn_reply(t, 400, "SUBSCRIBE needs a From tag and a Call-ID", NULL);
        return;
    }
    char c[200], more[3072];
    our_contact(t->w, s, c, sizeof c);
    /* RFC 3261 §12.1.1: the Record-Route of the request comes back in the 2xx */
    snprintf(more, sizeof more, "Expires: %u\r\nContact: %s\r\n%s%s%s", exp, c,
             s->routes != NULL ? "Record-Route: " : "", s->routes != NULL ? s->routes : "",
             s->routes != NULL ? "\r\n" : "");
    efd_txn_reply_tag(t, 200, s->our_tag, NULL, more);
    if (exp == 0) { /* a fetch: the state once, then done (RFC 6665 §4.4.3) */
        notify(t->w, s, "timeout");
        sub_free(s);
        return;
    }
    arm_sub(s, exp);
    notify(t->w, s, NULL);
}

/* ---- users removed or disabled (seed §9.3, §10.2) ---------------------------------- */

/*
 * A presentity whose user is gone from the store: every watcher is told,
 * "noresource" for a removed user, "deactivated" for a disabled one (RFC 6665
 * §4.2.2), and the state is dropped. Run on SIGHUP and every SWEEP_SECONDS,
 * so `enumfedctl user remove` reaches external watchers without a restart.
 */
void efd_presence_check_users(efd_worker_t *w)
{
    struct efd_presence *p = w->presence;
    for (struct pres **q = p != NULL ? &p->list : NULL; q != NULL && *q != NULL;) {
        struct pres *e = *q;
        char user[EFD_NAME_MAX], *at = strchr(e->aor, '@');
        efd_store_user_t rec;
        snprintf(user, sizeof user, "%.*s", at ? (int)(at - e->aor) : 0, e->aor);
        int rc = at != NULL ? efd_store_user_get(w->store, user, at + 1, &rec) : -1;
        if (rc == 0 && !rec.disabled) {
            q = &e->next;
            continue;
        }
        EFD_NOTICE("presentity %s %s: terminating its subscriptions", e->aor,
                   rc == 0 ? "disabled" : "removed");
        while (e->subs != NULL) {
            notify(w, e->subs, rc == 0 ? "deactivated" : "noresource");
            sub_free(e->subs);
        }
        while (e->pubs != NULL)
            pub_drop(e, e->pubs);
        *q = e->next;
        free(e);
    }
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    efd_presence_check_users(arg);
}

/* ---- life cycle -------------------------------------------------------------------- */

int efd_presence_open(efd_worker_t *w)
{
    if (w->cfg->store[0] == '\0')
        return 0;
    struct efd_presence *p = calloc(1, sizeof *p);
    if (p == NULL)
        return EF_ENOMEM;
    p->w = w;
    w->presence = p;
    struct timeval tv = {SWEEP_SECONDS, 0};
    p->sweep = event_new(w->base, -1, EV_PERSIST, sweep_cb, w);
    if (p->sweep != NULL)
        event_add(p->sweep, &tv);
    return 0;
}

void efd_presence_close(efd_worker_t *w)
{
    struct efd_presence *p = w->presence;
    if (p == NULL)
        return;
    while (p->list != NULL) {
        struct pres *e = p->list;
        p->list = e->next;
        while (e->subs != NULL)
            sub_free(e->subs);
        while (e->pubs != NULL)
            pub_drop(e, e->pubs);
        free(e);
    }
    if (p->sweep != NULL)
        event_free(p->sweep);
    free(p);
    w->presence = NULL;
}
