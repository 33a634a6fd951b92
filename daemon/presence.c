/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * presence.c -- the presence agent of a community (community.store): PUBLISH
 * of each device's PIDF (RFC 3903) with entity tags and expiry, composed into
 * one document per presentity (lib/pidf), SUBSCRIBE/NOTIFY (RFC 6665,
 * RFC 3856) for local watchers and for watchers of other communities, whose
 * NOTIFYs return over any live connection of their community (seed §4.2),
 * watcher authorization with the presentity's consent (seed §9.3; the
 * actions of RFC 5025 §3.2.1) and the watcherinfo package (RFC 3857) that
 * tells a presentity who asks.
 *
 * Publications and subscriptions are kept in the store as they change (in
 * batches committed every FLUSH_MS) and read back at start, so a restart
 * loses neither. The state lives in one worker: the configuration requires
 * workers = 1 with community.store (see enumfedd(8)). A presentity nobody
 * publishes for, and a politely blocked watcher, get a "closed" document of
 * the same shape as a real one (seed §5.1, against harvesting).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>

#include "enumfed/pidf.h"
#include "enumfed/sip_hdr.h"
#include "enumfed/uri.h"
#include "log.h"
#include "presence.h"
#include "store.h"

#define PUB_MAX 16         /* publications of one presentity (devices) */
#define SUB_EXPIRES_MIN 60 /* RFC 6665 §4.2.1.1: 423 below it */
#define SWEEP_SECONDS 10   /* how often removed users and changed rules are looked for */
#define FLUSH_MS 5         /* presence writes wait at most this long for their commit */
#define GONE_MAX 8         /* watchers gone since the last watcherinfo NOTIFY */
#define FANOUT_SLICE 48    /* NOTIFYs of one change a turn: fewer than a UDP read burst (64) */
/* NOTIFY CSeqs jump by this after a restart (RFC 3261 §12.2.1.1: higher than any before) */
#define CSEQ_RESTART_GAP 65536

enum kind { K_PRESENCE, K_WINFO };
enum state { S_ACTIVE, S_PENDING, S_POLITE }; /* S_POLITE: active, with a "closed" document */

struct pub {
    struct pub *next;
    efd_worker_t *w;
    struct pres *pres;
    char etag[40];
    ef_pidf_t *doc;
    int64_t expires;
    struct event *timer; /* RFC 3903 §5: the publication runs out */
};

struct sub {
    struct sub *next, **pprev; /* of the presentity */
    struct sub *hnext;         /* of the worker's table, by id */
    efd_worker_t *w;
    struct pres *pres;
    uint64_t id; /* our To tag is "p" and id in hex */
    char *call_id, *their_tag, *watcher, *target, *routes, *peer; /* one allocation */
    uint8_t kind, state;
    bool queued;            /* a change waits in the presentity's fan-out */
    uint32_t cseq, version; /* version: of the watcherinfo documents (RFC 3858 §4.3) */
    int64_t expires;
    efd_addr_t to;       /* where NOTIFYs go: the watcher's address or its community's edge */
    int64_t last_ms;     /* when the last NOTIFY went */
    uint64_t last_hash;  /* of the document it carried */
    struct event *delay; /* a change waiting for community.notify_min_ms; made when needed */
    struct event *timer;
};

struct gone {
    char *watcher;
    ef_winfo_event_t why;
};

struct pres {
    struct pres *next;  /* of the worker's list */
    struct pres *hnext; /* of the worker's table, by AoR */
    struct pub *pubs;
    struct sub *subs;
    struct gone gone[GONE_MAX];
    size_t n_gone;
    size_t n_winfo;      /* watcherinfo subscriptions among subs */
    size_t n_queued;     /* subs with queued set */
    struct sub *fan_pos; /* where the fan-out goes on from */
    struct event *fan;   /* the rest of a fan-out, next turn; made when needed */
    char *doc[2];        /* the encoded document, [1] the "closed" one: made once per change */
    size_t doc_len[2];
    uint64_t doc_hash[2];
    char aor[]; /* "user@domain" */
};

struct efd_presence {
    efd_worker_t *w;
    struct pres *list;
    struct pres **ptab; /* by AoR */
    size_t ptab_size, n_pres;
    struct sub **tab; /* by id */
    size_t tab_size, n_subs;
    uint64_t prefix, next; /* ids: a random prefix of this run, then a counter */
    int64_t rules_seen;    /* rules changed at or after this second are looked at again */
    int64_t gone_seen;     /* the same for users removed */
    struct event *sweep, *flush;
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

static size_t pres_slot(const struct efd_presence *p, const char *aor)
{
    return (size_t)hash_of(aor, strlen(aor)) & (p->ptab_size - 1);
}

static struct pres *pres_get(efd_worker_t *w, const char *aor, bool make)
{
    struct efd_presence *p = w->presence;
    if (p->ptab_size > 0)
        for (struct pres *e = p->ptab[pres_slot(p, aor)]; e != NULL; e = e->hnext)
            if (strcmp(e->aor, aor) == 0)
                return e;
    if (!make)
        return NULL;
    if (p->n_pres >= p->ptab_size) { /* grow: twice the size, every entry moved */
        size_t n = p->ptab_size ? p->ptab_size * 2 : 256;
        struct pres **t = calloc(n, sizeof *t);
        if (t == NULL)
            return NULL;
        struct pres **old = p->ptab;
        size_t old_size = p->ptab_size;
        p->ptab = t;
        p->ptab_size = n;
        for (size_t i = 0; i < old_size; i++)
            for (struct pres *x = old[i], *nx; x != NULL; x = nx) {
                nx = x->hnext;
                x->hnext = t[pres_slot(p, x->aor)];
                t[pres_slot(p, x->aor)] = x;
            }
        free(old);
    }
    size_t len = strlen(aor);
    struct pres *e = calloc(1, sizeof *e + len + 1);
    if (e == NULL)
        return NULL;
    memcpy(e->aor, aor, len + 1);
    e->next = p->list;
    p->list = e;
    e->hnext = p->ptab[pres_slot(p, aor)];
    p->ptab[pres_slot(p, aor)] = e;
    p->n_pres++;
    return e;
}

/* Forget e (unlinked from the list by the caller) and free it. */
static void pres_free(struct efd_presence *p, struct pres *e)
{
    for (struct pres **q = &p->ptab[pres_slot(p, e->aor)]; *q != NULL; q = &(*q)->hnext)
        if (*q == e) {
            *q = e->hnext;
            p->n_pres--;
            break;
        }
    for (size_t i = 0; i < e->n_gone; i++)
        free(e->gone[i].watcher);
    if (e->fan != NULL)
        event_free(e->fan);
    free(e->doc[0]);
    free(e->doc[1]);
    free(e);
}

/* The publications of e changed: its document is made again when next needed. */
static void doc_changed(struct pres *e)
{
    free(e->doc[0]);
    e->doc[0] = NULL;
}

/* ---- the store: write-behind in batches ---------------------------------------- */

static void flush_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_worker_t *w = arg;
    (void)fd;
    (void)what;
    if (efd_store_flush(w->store) != 0)
        EFD_ERR("presence store: %s", efd_store_errmsg(w->store));
}

/* A write joined the open batch: its commit is due within FLUSH_MS. */
static void dirty(efd_worker_t *w, int rc)
{
    struct efd_presence *p = w->presence;
    struct timeval tv = {0, FLUSH_MS * 1000};
    if (rc < 0 && rc != -ENOENT)
        EFD_ERR("presence store: %s", efd_store_errmsg(w->store));
    if (p->flush != NULL && efd_store_pending(w->store) && !evtimer_pending(p->flush, NULL))
        evtimer_add(p->flush, &tv);
}

static void sub_save(efd_worker_t *w, const struct sub *s)
{
    char addr[80];
    efd_addr_text(&s->to.addr, addr, sizeof addr);
    char tag[24];
    snprintf(tag, sizeof tag, "p%016" PRIx64, s->id);
    efd_store_sub_t b = {.call_id = s->call_id,
                         .our_tag = tag,
                         .aor = s->pres->aor,
                         .event = s->kind == K_WINFO ? "presence.winfo" : "presence",
                         .their_tag = s->their_tag,
                         .watcher = s->watcher,
                         .target = s->target,
                         .routes = s->routes,
                         .cseq = s->cseq,
                         .expires = s->expires,
                         .side = (int)s->to.side,
                         .transport = (int)s->to.transport,
                         .address = addr,
                         .peer = s->peer};
    dirty(w, efd_store_sub_put(w->store, &b));
}

/* ---- subscriptions by id ---------------------------------------------------------- */

static void our_tag(const struct sub *s, char *out, size_t cap)
{
    snprintf(out, cap, "p%016" PRIx64, s->id);
}

/* The id in one of our To tags; 0 when it is not one. */
static uint64_t tag_id(ef_str_t tag)
{
    uint64_t id = 0;
    if (tag.len != 17 || tag.ptr[0] != 'p')
        return 0;
    for (size_t i = 1; i < 17; i++) {
        char c = tag.ptr[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return 0;
        id = id << 4 | (uint64_t)v;
    }
    return id;
}

static struct sub *sub_by_id(struct efd_presence *p, uint64_t id)
{
    if (p->tab_size == 0)
        return NULL;
    for (struct sub *s = p->tab[id & (p->tab_size - 1)]; s != NULL; s = s->hnext)
        if (s->id == id)
            return s;
    return NULL;
}

static bool tab_add(struct efd_presence *p, struct sub *s)
{
    if (p->n_subs >= p->tab_size) {
        size_t n = p->tab_size ? p->tab_size * 2 : 1024;
        struct sub **t = calloc(n, sizeof *t);
        if (t == NULL)
            return false;
        for (size_t i = 0; i < p->tab_size; i++)
            for (struct sub *x = p->tab[i], *nx; x != NULL; x = nx) {
                nx = x->hnext;
                x->hnext = t[x->id & (n - 1)];
                t[x->id & (n - 1)] = x;
            }
        free(p->tab);
        p->tab = t;
        p->tab_size = n;
    }
    s->hnext = p->tab[s->id & (p->tab_size - 1)];
    p->tab[s->id & (p->tab_size - 1)] = s;
    p->n_subs++;
    return true;
}

static void tab_del(struct efd_presence *p, struct sub *s)
{
    for (struct sub **q = &p->tab[s->id & (p->tab_size - 1)]; *q != NULL; q = &(*q)->hnext)
        if (*q == s) {
            *q = s->hnext;
            p->n_subs--;
            return;
        }
}

/* ---- the documents a watcher gets ------------------------------------------------ */

/* PIDF of the presentity now: its publications composed, or "closed" (none, or polite). */
static int make_pidf(efd_worker_t *w, struct pres *e, bool closed, ef_buf_t *out)
{
    const ef_pidf_t *docs[PUB_MAX];
    ef_pidf_t *doc = NULL;
    size_t n = 0;
    int64_t now = now_s();
    char entity[2 * EFD_NAME_MAX + 8];

    for (struct pub *p = e->pubs; !closed && p != NULL && n < PUB_MAX; p = p->next)
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

/* The document, made once per change and kept: a fan-out to many watchers encodes it once. */
static int pidf_document(efd_worker_t *w, struct pres *e, bool closed, ef_buf_t *out)
{
    int i = closed ? 1 : 0;
    if (e->doc[i] == NULL) {
        ef_buf_t b;
        ef_buf_init(&b, EF_SIP_MAX_MESSAGE);
        int rc = make_pidf(w, e, closed, &b);
        if (rc != 0 || b.failed || (e->doc[i] = malloc(b.len ? b.len : 1)) == NULL) {
            ef_buf_close(&b);
            return rc != 0 ? rc : EF_ENOMEM;
        }
        memcpy(e->doc[i], b.data, b.len);
        e->doc_len[i] = b.len;
        e->doc_hash[i] = hash_of(b.data, b.len);
        ef_buf_close(&b);
    }
    ef_buf_append(out, e->doc[i], e->doc_len[i]);
    return out->failed ? EF_E2BIG : 0;
}

static ef_str_t str_of(const char *s)
{
    return (ef_str_t){s, strlen(s)};
}

/* Watcherinfo of a presentity (RFC 3857 §5, RFC 3858): who watches, who waits, who left. */
static int winfo_document(efd_worker_t *w, struct sub *ws, ef_buf_t *out)
{
    struct pres *e = ws->pres;
    size_t cap = 16, n = 0;
    ef_winfo_watcher_t *v = malloc(cap * sizeof *v);
    char(*ids)[24] = malloc(cap * sizeof *ids);
    efd_store_rule_row_t *rules = NULL;
    size_t n_rules = 0;
    char resource[2 * EFD_NAME_MAX + 8];
    int rc = EF_ENOMEM;

    if (v == NULL || ids == NULL)
        goto done;
    efd_store_rule_list(w->store, e->aor, &rules, &n_rules);
    size_t want = n_rules + e->n_gone;
    for (struct sub *s = e->subs; s != NULL; s = s->next)
        want++;
    if (want > cap) {
        ef_winfo_watcher_t *v2 = realloc(v, want * sizeof *v);
        if (v2 != NULL)
            v = v2;
        char(*i2)[24] = v2 != NULL ? realloc(ids, want * sizeof *ids) : NULL;
        if (v2 == NULL || i2 == NULL)
            goto done;
        ids = i2;
    }
    for (struct sub *s = e->subs; s != NULL; s = s->next) {
        if (s->kind != K_PRESENCE)
            continue;
        our_tag(s, ids[n], sizeof ids[n]);
        v[n] = (ef_winfo_watcher_t){
            .id = str_of(ids[n]),
            .uri = str_of(s->watcher),
            .status = s->state == S_PENDING ? EF_WINFO_PENDING : EF_WINFO_ACTIVE,
            .event = s->state == S_PENDING ? EF_WINFO_EV_SUBSCRIBE : EF_WINFO_EV_APPROVED};
        n++;
    }
    for (size_t i = 0; i < n_rules; i++) { /* asked while nothing allowed it (RFC 3857 §5.2) */
        if (rules[i].action != EFD_RULE_WAITING)
            continue;
        snprintf(ids[n], sizeof ids[n], "w%016" PRIx64,
                 hash_of(rules[i].watcher, strlen(rules[i].watcher)));
        v[n] = (ef_winfo_watcher_t){.id = str_of(ids[n]),
                                    .uri = str_of(rules[i].watcher),
                                    .status = EF_WINFO_WAITING,
                                    .event = EF_WINFO_EV_TIMEOUT};
        n++;
    }
    for (size_t i = 0; i < e->n_gone; i++) {
        snprintf(ids[n], sizeof ids[n], "g%016" PRIx64,
                 hash_of(e->gone[i].watcher, strlen(e->gone[i].watcher)));
        v[n] = (ef_winfo_watcher_t){.id = str_of(ids[n]),
                                    .uri = str_of(e->gone[i].watcher),
                                    .status = EF_WINFO_TERMINATED,
                                    .event = e->gone[i].why};
        n++;
    }
    snprintf(resource, sizeof resource, "sip:%s", e->aor);
    ef_winfo_t doc = {.version = ws->version,
                      .full = true,
                      .resource = str_of(resource),
                      .package = str_of("presence"),
                      .watchers = v,
                      .n_watchers = n};
    rc = ef_winfo_encode(&doc, out);
done:
    efd_store_rules_free(rules, n_rules);
    free(v);
    free(ids);
    return rc;
}

/*
 * The body a NOTIFY of s carries now, its type and its hash (*hash; a kept
 * PIDF document's is not computed again); none for a pending or rejected one.
 */
static const char *body_for(efd_worker_t *w, struct sub *s, const char *reason, ef_buf_t *out,
                            uint64_t *hash)
{
    if (s->kind == K_WINFO) {
        if (winfo_document(w, s, out) != 0 || out->failed)
            return NULL;
        *hash = hash_of(out->data, out->len);
        return "application/watcherinfo+xml";
    }
    if (s->state == S_PENDING || (reason != NULL && strcmp(reason, "rejected") == 0))
        return NULL; /* RFC 3856 §6.6.2: nothing of the presentity before it consents */
    if (pidf_document(w, s->pres, s->state == S_POLITE, out) != 0)
        return NULL;
    *hash = s->pres->doc_hash[s->state == S_POLITE];
    return "application/pidf+xml";
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

/* host and port of the first URI of a route set ("<sip:h:p;lr>, ..."), when numeric */
static bool first_route(const char *routes, char *host, size_t cap, uint16_t *port)
{
    const char *a = routes != NULL ? strchr(routes, '<') : NULL;
    const char *b = a != NULL ? strchr(a, '>') : NULL;
    ef_uri_t u;
    if (b == NULL || ef_uri_parse(a + 1, (size_t)(b - a - 1), &u, NULL) != 0 ||
        u.host_kind == EF_HOST_DOMAIN || u.host.len >= cap)
        return false;
    snprintf(host, cap, "%.*s", (int)u.host.len, u.host.ptr);
    *port = (uint16_t)(u.port > 0 ? u.port : 5061);
    return true;
}

/*
 * Where a NOTIFY goes now: for a watcher of another community, a live
 * connection of its community, else a new one to the edge its route set
 * names (after a restart); for our own users, the address it came from, over
 * a new connection when the old one is gone.
 */
static bool notify_addr(efd_worker_t *w, struct sub *s, efd_addr_t *to)
{
    char host[64];
    uint16_t port;
    *to = s->to;
    if (s->peer != NULL) {
        to->conn_id = efd_peer_live(w, s->peer);
        if (to->conn_id == 0 && first_route(s->routes, host, sizeof host, &port))
            to->conn_id = efd_peer_conn(w, s->peer, host, port, EF_TRANSPORT_TLS);
        return to->conn_id != 0;
    }
    if (to->transport == EF_TRANSPORT_UDP)
        return true;
    if (to->conn_id != 0 && efd_conn_get(w, to->conn_id) != NULL)
        return true;
    char text[80], *colon;
    efd_addr_text(&s->to.addr, text, sizeof text);
    if ((colon = strrchr(text, ':')) == NULL)
        return false;
    *colon = '\0';
    if (text[0] == '[') { /* efd_next_hop_conn takes the address without brackets */
        memmove(text, text + 1, strlen(text));
        text[strlen(text) - 1] = '\0';
    }
    s->to.conn_id = to->conn_id = efd_next_hop_conn(w, text, (uint16_t)atoi(colon + 1));
    return to->conn_id != 0;
}

static void sub_free(struct sub *s, bool forget);

/* RFC 6665 §4.2.2: a NOTIFY answered 481, or lost to a transaction timeout, ends it. */
static void notified(efd_txn_t *t, int status)
{
    struct efd_presence *p = t->w->presence;
    struct sub *s = p != NULL ? sub_by_id(p, (uint64_t)t->store_id) : NULL;
    if (s == NULL || (status != 481 && status != 408))
        return;
    EFD_INFO("NOTIFY %s -> %s answered %d: subscription removed", s->pres->aor, s->watcher, status);
    sub_free(s, true);
}

/* One NOTIFY with the current state; reason != NULL terminates the subscription. */
static void notify(efd_worker_t *w, struct sub *s, const char *reason)
{
    ef_buf_t body, req;
    efd_addr_t to;
    char contact[200], hp[128], state[96], tag[24];
    int64_t left = s->expires - now_s();

    if (!notify_addr(w, s, &to)) {
        EFD_INFO("NOTIFY for %s to %s: no connection, not sent", s->pres->aor, s->watcher);
        return;
    }
    efd_txn_t *t = efd_txn_local(w, "NOTIFY", notified);
    if (t == NULL)
        return;
    t->store_id = (int64_t)s->id;
    if (reason != NULL)
        snprintf(state, sizeof state, "terminated;reason=%s", reason);
    else
        snprintf(state, sizeof state, "%s;expires=%lld",
                 s->state == S_PENDING ? "pending" : "active", (long long)(left > 0 ? left : 0));
    our_contact(w, s, contact, sizeof contact);
    our_tag(s, tag, sizeof tag);
    efd_local_hostport(w, to.side, to.transport, hp, sizeof hp);
    ef_buf_init(&body, EF_SIP_MAX_MESSAGE);
    ef_buf_init(&req, EF_SIP_MAX_MESSAGE);
    if (s->kind == K_WINFO)
        s->version++;
    uint64_t hash = 0;
    const char *ctype = body_for(w, s, reason, &body, &hash);
    if (body.failed)
        ctype = NULL;
    ef_buf_printf(&req, "NOTIFY %s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=%s%s\r\n", s->target,
                  to.transport == EF_TRANSPORT_TLS   ? "TLS"
                  : to.transport == EF_TRANSPORT_TCP ? "TCP"
                                                     : "UDP",
                  hp, t->branch, to.transport == EF_TRANSPORT_UDP ? ";rport" : "");
    if (s->routes != NULL)
        ef_buf_printf(&req, "Route: %s\r\n", s->routes);
    ef_buf_printf(&req,
                  "Max-Forwards: 70\r\nFrom: <sip:%s>;tag=%s\r\nTo: <%s>;tag=%s\r\n"
                  "Call-ID: %s\r\nCSeq: %u NOTIFY\r\nContact: %s\r\nEvent: %s\r\n"
                  "Subscription-State: %s\r\n",
                  s->pres->aor, tag, s->watcher, s->their_tag, s->call_id, ++s->cseq, contact,
                  s->kind == K_WINFO ? "presence.winfo" : "presence", state);
    if (ctype != NULL)
        ef_buf_printf(&req, "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", ctype, body.len);
    else
        ef_buf_printf(&req, "Content-Length: 0\r\n\r\n");
    if (ctype != NULL)
        ef_buf_append(&req, body.data, body.len);
    if (!req.failed) {
        efd_txn_local_send(t, &to, req.data, req.len); /* takes req.data */
        req.data = NULL;
        s->last_ms = now_ms();
        s->last_hash = ctype != NULL ? hash : 0;
        EFD_INFO("NOTIFY %s -> %s: %s%s", s->pres->aor, s->watcher,
                 s->kind == K_WINFO ? "watcherinfo " : "", state);
    } else {
        efd_txn_reply(t, 500, "NOTIFY too large", NULL);
    }
    ef_buf_close(&body);
    ef_buf_close(&req);
}

/* Would the document now be the one the watcher last got? */
static bool unchanged(efd_worker_t *w, struct sub *s)
{
    ef_buf_t body;
    ef_buf_init(&body, EF_SIP_MAX_MESSAGE);
    uint64_t hash = 0;
    bool same = body_for(w, s, NULL, &body, &hash) != NULL && !body.failed && hash == s->last_hash;
    ef_buf_close(&body);
    return same;
}

/* ms between NOTIFYs without a change to this watcher's community (seed §5.3.2) */
static int64_t refresh_ms(const efd_worker_t *w, const struct sub *s)
{
    const efd_peer_t *p =
        s->peer != NULL ? efd_config_peer(w->cfg, s->peer, strlen(s->peer)) : NULL;
    if (p != NULL && p->notify_interval > 0)
        return (int64_t)(p->notify_interval * 1000);
    return (int64_t)w->cfg->notify_refresh * 1000;
}

static void delay_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sub *s = arg;
    (void)fd;
    (void)what;
    notify(s->w, s, NULL); /* the latest state, merged */
}

/*
 * The presentity changed: a NOTIFY, at most one per community.notify_min_ms
 * (RFC 3856 §6.10; changes in between are merged into the delayed one), and
 * none toward another community when the document is what it last got,
 * before the refresh interval has passed (seed §5.3.2).
 */
static void notify_change(efd_worker_t *w, struct sub *s)
{
    int64_t now = now_ms();
    if (s->peer != NULL && now - s->last_ms < refresh_ms(w, s) && unchanged(w, s)) {
        EFD_INFO("NOTIFY %s -> %s: no change, held back (seed 5.3.2)", s->pres->aor, s->watcher);
        return;
    }
    int64_t wait = s->last_ms + (int64_t)w->cfg->notify_min_ms - now;
    if (wait > 0) {
        struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
        if (s->delay == NULL)
            s->delay = evtimer_new(w->base, delay_cb, s);
        if (s->delay != NULL && !evtimer_pending(s->delay, NULL))
            evtimer_add(s->delay, &tv);
        if (s->delay != NULL)
            return;
    }
    notify(w, s, NULL);
}

/* Up to FANOUT_SLICE queued watchers of e hear of the change; the rest on the next turn. */
static void fan_out(efd_worker_t *w, struct pres *e)
{
    size_t sent = 0;
    struct sub *s = e->fan_pos;
    while (s != NULL && sent < FANOUT_SLICE) {
        struct sub *next = s->next; /* s may end in notify_change (a failed send) */
        if (s->queued) {
            s->queued = false;
            e->n_queued--;
            e->fan_pos = next;
            notify_change(w, s);
            sent++;
        }
        s = next;
    }
    e->fan_pos = s != NULL || e->n_queued == 0 ? s : e->subs;
}

static void fan_cb(evutil_socket_t fd, short what, void *arg)
{
    struct pres *e = arg;
    (void)fd;
    (void)what;
    fan_out(e->subs != NULL ? e->subs->w : NULL, e);
    if (e->n_queued > 0 && e->subs != NULL) {
        struct timeval now = {0, 0};
        evtimer_add(e->fan, &now);
    }
}

/*
 * The presentity's document changed: its (consented) watchers hear of it, a
 * slice per turn of the event loop, so that the answers of the first ones are
 * read before the socket's buffer overflows.
 */
static void notify_all(efd_worker_t *w, struct pres *e)
{
    for (struct sub *s = e->subs; s != NULL; s = s->next)
        if (s->kind == K_PRESENCE && s->state != S_PENDING && !s->queued) {
            s->queued = true;
            e->n_queued++;
        }
    e->fan_pos = e->subs; /* one pass from the start: the marks may be anywhere */
    fan_out(w, e);
    if (e->n_queued == 0)
        return;
    if (e->fan == NULL)
        e->fan = evtimer_new(w->base, fan_cb, e);
    struct timeval now = {0, 0};
    if (e->fan != NULL && !evtimer_pending(e->fan, NULL))
        evtimer_add(e->fan, &now);
}

/* Who watches the presentity changed: its watcherinfo subscribers hear of it (RFC 3857 §5). */
static void winfo_changed(efd_worker_t *w, struct pres *e)
{
    for (struct sub *s = e->subs; e->n_winfo > 0 && s != NULL; s = s->next)
        if (s->kind == K_WINFO)
            notify(w, s, NULL);
    for (size_t i = 0; i < e->n_gone; i++)
        free(e->gone[i].watcher);
    e->n_gone = 0;
}

static void gone_add(struct pres *e, const char *watcher, ef_winfo_event_t why)
{
    if (e->n_gone < GONE_MAX && (e->gone[e->n_gone].watcher = strdup(watcher)) != NULL)
        e->gone[e->n_gone++].why = why;
}

static void sub_free(struct sub *s, bool forget)
{
    struct pres *e = s->pres;
    efd_worker_t *w = s->w;
    if (e->fan_pos == s)
        e->fan_pos = s->next;
    *s->pprev = s->next;
    if (s->next != NULL)
        s->next->pprev = s->pprev;
    e->n_winfo -= s->kind == K_WINFO;
    e->n_queued -= s->queued;
    tab_del(w->presence, s);
    if (forget) {
        char tag[24];
        our_tag(s, tag, sizeof tag);
        dirty(w, efd_store_sub_del(w->store, s->call_id, tag));
    }
    event_free(s->timer);
    if (s->delay != NULL)
        event_free(s->delay);
    free(s->call_id);
    free(s);
}

/* The watcher's rule key: its AoR, for "waiting" rows. */
static void record_waiting(efd_worker_t *w, struct sub *s)
{
    char key[2 * EFD_NAME_MAX];
    efd_rule_t r;
    char matched[2 * EFD_NAME_MAX] = "";
    if (efd_store_watcher_key(s->watcher, key, sizeof key) != 0)
        return;
    efd_store_rule_find(w->store, s->pres->aor, s->watcher, &r, matched, sizeof matched);
    if (strcmp(matched, key) != 0) /* nothing decided for this very watcher yet */
        efd_store_rule_set(w->store, s->pres->aor, key, EFD_RULE_WAITING, now_s());
}

static void sub_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct sub *s = arg;
    struct pres *e = s->pres;
    efd_worker_t *w = s->w;
    (void)fd;
    (void)what;
    notify(w, s, "timeout"); /* RFC 6665 §4.2.2: the subscription ran out */
    bool was_pending = s->kind == K_PRESENCE && s->state == S_PENDING;
    if (was_pending) /* RFC 3857 §5.2: a pending watcher that timed out is "waiting" */
        record_waiting(w, s);
    if (s->kind == K_PRESENCE)
        gone_add(e, s->watcher, EF_WINFO_EV_TIMEOUT);
    sub_free(s, true);
    winfo_changed(w, e);
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

/* The event package named: K_PRESENCE, K_WINFO, or -1 for any other or none. */
static int event_kind(const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_EVENT);
    ef_sip_event_t ev;
    if (h == NULL || ef_sip_parse_event(h->value.ptr, h->value.len, &ev, NULL) != 0)
        return -1;
    if (ev.package.len == 8 && strncasecmp(ev.package.ptr, "presence", 8) == 0)
        return K_PRESENCE;
    if (ev.package.len == 14 && strncasecmp(ev.package.ptr, "presence.winfo", 14) == 0)
        return K_WINFO;
    return -1;
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
    if (p->timer != NULL)
        event_free(p->timer);
    ef_pidf_free(p->doc);
    free(p);
    doc_changed(e);
}

/* RFC 3903 §5: a publication not refreshed in time is gone, and the watchers are told. */
static void pub_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    struct pub *p = arg;
    struct pres *e = p->pres;
    efd_worker_t *w = p->w;
    (void)fd;
    (void)what;
    EFD_INFO("publication %s of %s expired", p->etag, e->aor);
    dirty(w, efd_store_pub_del(w->store, p->etag));
    pub_drop(e, p);
    notify_all(w, e);
}

/* A new publication of e, or NULL (too many, or no memory). */
static struct pub *pub_new(efd_worker_t *w, struct pres *e)
{
    size_t count = 0;
    for (struct pub *q = e->pubs; q != NULL; q = q->next)
        count++;
    struct pub *p = count < PUB_MAX ? calloc(1, sizeof *p) : NULL;
    if (p == NULL)
        return NULL;
    p->w = w;
    p->pres = e;
    if ((p->timer = evtimer_new(w->base, pub_timer_cb, p)) == NULL) {
        free(p);
        return NULL;
    }
    p->next = e->pubs;
    e->pubs = p;
    return p;
}

static void pub_arm(struct pub *p, int64_t expires)
{
    int64_t left = expires - now_s();
    struct timeval tv = {(time_t)(left > 0 ? left : 0), 0};
    p->expires = expires;
    evtimer_add(p->timer, &tv);
}

void efd_presence_publish(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor)
{
    efd_worker_t *w = t->w;
    struct pres *e = pres_get(w, aor, true);
    bool asked;
    char err[200], extra[128], old[40];
    ef_pidf_t *doc = NULL;

    if (event_kind(msg) != K_PRESENCE) {
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
    if (exp == 0 && p == NULL) { /* RFC 3903 §6 step 6 removes a publication it names */
        ef_pidf_free(doc);
        efd_txn_reply(t, 400, "Expires: 0 removes a publication: it needs SIP-If-Match", NULL);
        return;
    }
    if (exp == 0) { /* removal (§6 step 6) */
        dirty(w, efd_store_pub_del(w->store, p->etag));
        pub_drop(e, p);
        ef_pidf_free(doc);
        efd_txn_reply(t, 200, NULL, "Expires: 0\r\n");
        notify_all(w, e);
        return;
    }
    old[0] = '\0';
    if (p != NULL)
        snprintf(old, sizeof old, "%s", p->etag);
    else if ((p = pub_new(w, e)) == NULL) {
        ef_pidf_free(doc);
        efd_txn_reply(t, 503, "too many publications for this presentity", NULL);
        return;
    }
    snprintf(p->etag, sizeof p->etag, "e%" PRIx64 "x%u", w->next_id++, (unsigned)now_s());
    if (doc != NULL) { /* a refresh without a body keeps the document (§6 step 5) */
        ef_pidf_free(p->doc);
        p->doc = doc;
        doc_changed(e);
    }
    pub_arm(p, now_s() + exp);
    efd_store_pub_t rec = {.etag = p->etag,
                           .aor = e->aor,
                           .body = doc != NULL ? (const unsigned char *)msg->body.ptr : NULL,
                           .body_len = doc != NULL ? msg->body.len : 0,
                           .expires = p->expires};
    dirty(w, efd_store_pub_put(w->store, old[0] ? old : NULL, &rec));
    snprintf(extra, sizeof extra, "SIP-ETag: %s\r\nExpires: %u\r\n", p->etag, exp);
    efd_txn_reply(t, 200, NULL, extra);
    if (doc != NULL)
        notify_all(w, e);
}

/* ---- SUBSCRIBE (RFC 6665 §4.2.1, RFC 3856 §6, RFC 3857 §5) ------------------------ */

/* The watcher accepts type/subtype: no Accept at all, or one naming it (RFC 3856 §6.7). */
static bool accepts(const ef_sip_msg_t *msg, const char *subtype)
{
    ef_sip_media_t m[16];
    bool any = false;
    size_t sl = strlen(subtype);
    for (size_t i = 0; i < msg->n_headers; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        if (h->id != EF_HDR_ACCEPT)
            continue;
        any = true;
        int n = ef_sip_parse_accept(h->value.ptr, h->value.len, m, 16, NULL);
        for (int k = 0; k < n; k++)
            if ((m[k].type.len == 1 && m[k].type.ptr[0] == '*') ||
                (m[k].subtype.len == sl && strncasecmp(m[k].subtype.ptr, subtype, sl) == 0))
                return true;
    }
    return !any;
}

/* Record-Route values joined, in order: the route set of the UAS (RFC 3261 §12.1.1). */
static size_t route_set(const ef_sip_msg_t *msg, char *out)
{
    size_t len = 0;
    for (size_t i = 0; i < msg->n_headers; i++)
        if (msg->headers[i].id == EF_HDR_RECORD_ROUTE) {
            if (out != NULL) {
                if (len > 0)
                    out[len] = ',', out[len + 1] = ' ';
                memcpy(out + len + (len > 0 ? 2 : 0), msg->headers[i].value.ptr,
                       msg->headers[i].value.len);
            }
            len += msg->headers[i].value.len + (len > 0 ? 2 : 0);
        }
    return len;
}

/*
 * A subscription's strings in one allocation: call_id owns it; routes and
 * peer are NULL when empty.
 */
static bool sub_strings(struct sub *s, ef_str_t call_id, ef_str_t their_tag, ef_str_t watcher,
                        ef_str_t target, ef_str_t routes, ef_str_t peer)
{
    ef_str_t parts[6] = {call_id, their_tag, watcher, target, routes, peer};
    char **dst[6] = {&s->call_id, &s->their_tag, &s->watcher, &s->target, &s->routes, &s->peer};
    size_t total = 0;
    for (size_t i = 0; i < 6; i++)
        total += parts[i].len + 1;
    char *block = malloc(total), *p = block;
    if (block == NULL)
        return false;
    for (size_t i = 0; i < 6; i++) {
        if (parts[i].len > 0)
            memcpy(p, parts[i].ptr, parts[i].len);
        p[parts[i].len] = '\0';
        *dst[i] = i >= 4 && parts[i].len == 0 ? NULL : p;
        p += parts[i].len + 1;
    }
    return true;
}

/* A subscription of e with a new id, in the table; strings set by the caller's sub_strings. */
static struct sub *sub_make(efd_worker_t *w, struct pres *e, uint64_t id)
{
    struct efd_presence *p = w->presence;
    struct sub *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->w = w;
    s->pres = e;
    s->id = id != 0 ? id : p->prefix | (++p->next & 0xffffffffu);
    if ((s->timer = evtimer_new(w->base, sub_timer_cb, s)) == NULL || !tab_add(p, s)) {
        if (s->timer != NULL)
            event_free(s->timer);
        free(s);
        return NULL;
    }
    s->next = e->subs;
    if (e->subs != NULL)
        e->subs->pprev = &s->next;
    s->pprev = &e->subs;
    e->subs = s;
    return s;
}

/*
 * Where NOTIFYs to one of our own users go (RFC 3261 §12.2.1.1): the first
 * hop of the route set, else the remote target (Contact), when they name a
 * numeric address; else the address the SUBSCRIBE came from.
 */
static void local_target(efd_worker_t *w, struct sub *s)
{
    const char *uri = s->target;
    char buf[EF_URI_MAX + 1];
    ef_uri_t u;
    if (s->routes != NULL) {
        const char *a = strchr(s->routes, '<'), *b = a != NULL ? strchr(a, '>') : NULL;
        if (b == NULL || (size_t)(b - a - 1) >= sizeof buf)
            return;
        snprintf(buf, sizeof buf, "%.*s", (int)(b - a - 1), a + 1);
        uri = buf;
    }
    if (ef_uri_parse(uri, strlen(uri), &u, NULL) != 0 || u.host_kind == EF_HOST_DOMAIN ||
        u.host.len >= 64)
        return;
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)u.host.len, u.host.ptr);
    const ef_uri_param_t *tp = ef_uri_param(&u, "transport");
    bool tcp = tp != NULL && tp->value.ptr != NULL && tp->value.len == 3 &&
               strncasecmp(tp->value.ptr, "tcp", 3) == 0;
    efd_addr_t to = {.side = EFD_SIDE_INTERNAL,
                     .transport = tcp ? EF_TRANSPORT_TCP : EF_TRANSPORT_UDP,
                     .udp_fd = -1};
    for (size_t i = 0; i < w->cfg->n_listen; i++)
        if (w->cfg->listen[i].side == EFD_SIDE_INTERNAL &&
            w->cfg->listen[i].transport == EF_TRANSPORT_UDP)
            to.udp_fd = w->udp_fd[i];
    if (efd_sockaddr(host, (uint16_t)(u.port > 0 ? u.port : 5060), &to.addr, &to.addrlen) != 0 ||
        (!tcp && to.udp_fd < 0))
        return;
    s->to = to; /* a TCP connection is found or made when a NOTIFY goes (notify_addr) */
}

static struct sub *sub_new(efd_txn_t *t, const ef_sip_msg_t *msg, struct pres *e, int kind,
                           const ef_sip_addr_t *from, const ef_sip_addr_t *contact)
{
    const ef_sip_param_t *tag = ef_sip_param_get(&from->params, "tag");
    const ef_sip_header_t *ci = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    char routes[EF_SIP_MAX_MESSAGE / 4];
    const char *peer = "";

    if (tag == NULL || ci == NULL || route_set(msg, NULL) >= sizeof routes)
        return NULL;
    size_t rlen = route_set(msg, routes);
    if (t->from.side == EFD_SIDE_FEDERATION) {
        efd_conn_t *c = efd_conn_get(t->w, t->from.conn_id);
        peer = c != NULL ? efd_conn_domain(c) : "";
    }
    struct sub *s = sub_make(t->w, e, 0);
    if (s == NULL)
        return NULL;
    if (!sub_strings(s, ci->value, tag->value, from->uri, contact->uri, (ef_str_t){routes, rlen},
                     str_of(peer))) {
        sub_free(s, false);
        return NULL;
    }
    s->kind = (uint8_t)kind;
    e->n_winfo += kind == K_WINFO;
    s->to = t->from;
    if (s->peer == NULL)
        local_target(t->w, s);
    return s;
}

static void arm_sub(struct sub *s, uint32_t secs)
{
    struct timeval tv = {secs, 0};
    s->expires = now_s() + secs;
    evtimer_add(s->timer, &tv);
}

/* What the presentity's rules say of this watcher: allow, block, polite-block or confirm. */
static efd_rule_t decide(efd_worker_t *w, const char *aor, const char *watcher)
{
    static const efd_rule_t dflt[] = {EFD_RULE_ALLOW, EFD_RULE_CONFIRM, EFD_RULE_POLITE_BLOCK,
                                      EFD_RULE_BLOCK};
    char key[2 * EFD_NAME_MAX];
    efd_rule_t r = EFD_RULE_NONE;
    if (efd_store_watcher_key(watcher, key, sizeof key) == 0 && strcmp(key, aor) == 0)
        return EFD_RULE_ALLOW; /* a presentity may always watch itself */
    efd_store_rule_find(w->store, aor, watcher, &r, NULL, 0);
    if (r == EFD_RULE_NONE)
        r = w->cfg->presence_auth < 4 ? dflt[w->cfg->presence_auth] : EFD_RULE_ALLOW;
    return r == EFD_RULE_WAITING ? EFD_RULE_CONFIRM : r;
}

static uint8_t state_of(efd_rule_t r)
{
    return r == EFD_RULE_CONFIRM ? S_PENDING : r == EFD_RULE_POLITE_BLOCK ? S_POLITE : S_ACTIVE;
}

/* A refresh or an unsubscribe inside a dialog of ours (RFC 6665 §4.2.1.2, §4.2.1.4). */
static void refresh(efd_txn_t *t, const ef_sip_msg_t *msg, ef_str_t to_tag)
{
    const ef_sip_header_t *ci = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    struct sub *s = sub_by_id(t->w->presence, tag_id(to_tag));
    char extra[64];
    if (s == NULL || ci == NULL || strlen(s->call_id) != ci->value.len ||
        memcmp(s->call_id, ci->value.ptr, ci->value.len) != 0) {
        efd_txn_reply(t, 481, "no such subscription", NULL);
        return;
    }
    if (event_kind(msg) != (int)s->kind) {
        efd_txn_reply(t, 489, "not the event package of this subscription", NULL);
        return;
    }
    uint32_t exp = expires_in(msg, t->w->cfg->max_expires, t->w->cfg->max_expires);
    if (exp > 0 && exp < SUB_EXPIRES_MIN) {
        snprintf(extra, sizeof extra, "Min-Expires: %u\r\n", SUB_EXPIRES_MIN);
        efd_txn_reply(t, 423, NULL, extra);
        return;
    }
    char tag[24];
    our_tag(s, tag, sizeof tag);
    snprintf(extra, sizeof extra, "Expires: %u\r\n", exp);
    efd_txn_reply_tag(t, 200, tag, NULL, extra);
    struct pres *e = s->pres;
    if (exp == 0) { /* unsubscribe: one last NOTIFY (RFC 6665 §4.2.1.4) */
        s->expires = now_s();
        notify(t->w, s, "timeout");
        if (s->kind == K_PRESENCE)
            gone_add(e, s->watcher, EF_WINFO_EV_TIMEOUT);
        sub_free(s, true);
        if (e->n_gone > 0)
            winfo_changed(t->w, e);
        return;
    }
    arm_sub(s, exp);
    sub_save(t->w, s);
    notify(t->w, s, NULL);
}

void efd_presence_subscribe(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor)
{
    const ef_sip_header_t *fh = ef_sip_msg_header(msg, EF_HDR_FROM);
    const ef_sip_header_t *th = ef_sip_msg_header(msg, EF_HDR_TO);
    const ef_sip_header_t *ch = ef_sip_msg_header(msg, EF_HDR_CONTACT);
    ef_sip_addr_t from, to, contact;
    char extra[256], key[2 * EFD_NAME_MAX];
    int kind = event_kind(msg);

    if (kind < 0) {
        efd_txn_reply(t, 489, NULL, "Allow-Events: presence, presence.winfo\r\n");
        return;
    }
    if (!accepts(msg, kind == K_WINFO ? "watcherinfo+xml" : "pidf+xml")) {
        efd_txn_reply(t, 406,
                      kind == K_WINFO ? "watcherinfo is sent as application/watcherinfo+xml"
                                      : "presence is sent as application/pidf+xml",
                      NULL);
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
        refresh(t, msg, to_tag->value);
        return;
    }
    uint32_t exp = expires_in(msg, t->w->cfg->max_expires, t->w->cfg->max_expires);
    if (exp > 0 && exp < SUB_EXPIRES_MIN) {
        snprintf(extra, sizeof extra, "Min-Expires: %u\r\n", SUB_EXPIRES_MIN);
        efd_txn_reply(t, 423, NULL, extra);
        return;
    }
    char watcher[EF_URI_MAX + 1];
    snprintf(watcher, sizeof watcher, "%.*s", (int)from.uri.len, from.uri.ptr);
    efd_rule_t rule = EFD_RULE_ALLOW;
    if (kind == K_WINFO) { /* RFC 3857 §5.1: only the presentity learns who watches it */
        if (t->from.side != EFD_SIDE_INTERNAL ||
            efd_store_watcher_key(watcher, key, sizeof key) != 0 || strcmp(key, aor) != 0) {
            efd_txn_reply(t, 403, "only the presentity may watch its watchers", NULL);
            return;
        }
    } else if ((rule = decide(t->w, aor, watcher)) == EFD_RULE_BLOCK) {
        EFD_INFO("SUBSCRIBE %s by %s: blocked by the presentity's rules", aor, watcher);
        efd_txn_reply(t, 403, NULL, NULL); /* RFC 5025 §3.2.1 block */
        return;
    }
    struct pres *e = pres_get(t->w, aor, true);
    struct sub *s = e != NULL ? sub_new(t, msg, e, kind, &from, &contact) : NULL;
    if (s == NULL) {
        efd_txn_reply(t, 400, "SUBSCRIBE needs a From tag, a Call-ID and a short route set", NULL);
        return;
    }
    s->state = state_of(rule);
    char c[200], tag[24], more[3072];
    our_contact(t->w, s, c, sizeof c);
    our_tag(s, tag, sizeof tag);
    /* RFC 3261 §12.1.1: the Record-Route of the request comes back in the 2xx; RFC 6665
     * §4.2.1.1: 200 also for a pending subscription (202 is deprecated) */
    snprintf(more, sizeof more, "Expires: %u\r\nContact: %s\r\n%s%s%s", exp, c,
             s->routes != NULL ? "Record-Route: " : "", s->routes != NULL ? s->routes : "",
             s->routes != NULL ? "\r\n" : "");
    efd_txn_reply_tag(t, 200, tag, NULL, more);
    bool pending = s->state == S_PENDING;
    if (exp == 0) { /* a fetch: the state once, then done (RFC 6665 §4.4.3) */
        notify(t->w, s, "timeout");
        if (pending) /* asking without subscribing (seed §9.3): the presentity sees it */
            record_waiting(t->w, s);
        sub_free(s, false);
        if (pending)
            winfo_changed(t->w, e);
        return;
    }
    arm_sub(s, exp);
    sub_save(t->w, s);
    notify(t->w, s, NULL);
    if (kind == K_PRESENCE)
        winfo_changed(t->w, e);
}

/* ---- the presentity's decisions (seed §9.3) -------------------------------------------- */

/*
 * The rules of presentity e may have changed: each live subscription takes
 * the state they give now -- approved (active, with the document), politely
 * blocked (active, "closed"), pending again, or rejected (terminated).
 */
static void apply_rules(efd_worker_t *w, struct pres *e)
{
    bool changed = false;
    for (struct sub *s = e->subs, *next; s != NULL; s = next) {
        next = s->next;
        if (s->kind != K_PRESENCE)
            continue;
        efd_rule_t r = decide(w, e->aor, s->watcher);
        if (r == EFD_RULE_BLOCK) {
            EFD_INFO("subscription of %s to %s: rejected by the presentity", s->watcher, e->aor);
            notify(w, s, "rejected"); /* RFC 6665 §4.2.2 */
            gone_add(e, s->watcher, EF_WINFO_EV_REJECTED);
            sub_free(s, true);
            changed = true;
            continue;
        }
        if (state_of(r) == s->state)
            continue;
        EFD_INFO("subscription of %s to %s: now %s", s->watcher, e->aor, efd_rule_name(r));
        s->state = state_of(r);
        notify(w, s, NULL);
        changed = true;
    }
    if (changed)
        winfo_changed(w, e);
}

static int rule_changed_cb(void *arg, const char *aor)
{
    efd_worker_t *w = arg;
    struct pres *e = pres_get(w, aor, false);
    if (e != NULL)
        apply_rules(w, e);
    return 0;
}

/* Rules changed in the store (enumfedctl presence rule) since the last look take effect. */
static void check_rules(efd_worker_t *w)
{
    struct efd_presence *p = w->presence;
    int64_t now = now_s();
    if (efd_store_rule_changed(w->store, p->rules_seen, rule_changed_cb, w) >= 0)
        p->rules_seen = now; /* >= now next time: a change within this second is seen twice */
}

/* ---- users removed or disabled (seed §9.3, §10.2) ---------------------------------- */

/*
 * A presentity whose user is gone from the store: every watcher is told,
 * "noresource" for a removed user, "deactivated" for a disabled one (RFC 6665
 * §4.2.2), and the state is dropped. @return whether e was freed
 */
static bool check_one(efd_worker_t *w, struct pres *e)
{
    struct efd_presence *p = w->presence;
    char user[EFD_NAME_MAX], *at = strchr(e->aor, '@');
    efd_store_user_t rec;
    snprintf(user, sizeof user, "%.*s", at ? (int)(at - e->aor) : 0, e->aor);
    int rc = at != NULL ? efd_store_user_get(w->store, user, at + 1, &rec) : -1;
    /* a name that never was a user, watched in the anti-harvesting mode, keeps its
     * "closed" answer: telling its watchers now would tell them it does not exist */
    bool probe = rc != 0 && at != NULL && w->cfg->harvesting == EFD_HARVEST_SILENT &&
                 efd_store_tomb_check(w->store, e->aor, now_s(), 0, NULL) == 0;
    if ((rc == 0 && !rec.disabled) || probe)
        return false;
    EFD_NOTICE("presentity %s %s: terminating its subscriptions", e->aor,
               rc == 0 ? "disabled" : "removed");
    while (e->subs != NULL) {
        notify(w, e->subs, rc == 0 ? "deactivated" : "noresource");
        sub_free(e->subs, true);
    }
    while (e->pubs != NULL) {
        dirty(w, efd_store_pub_del(w->store, e->pubs->etag));
        pub_drop(e, e->pubs);
    }
    for (struct pres **q = &p->list; *q != NULL; q = &(*q)->next)
        if (*q == e) {
            *q = e->next;
            break;
        }
    pres_free(p, e);
    return true;
}

static int gone_cb(void *arg, const char *aor)
{
    efd_worker_t *w = arg;
    struct pres *e = pres_get(w, aor, false);
    if (e != NULL)
        check_one(w, e);
    return 0;
}

/*
 * Run on SIGHUP and every SWEEP_SECONDS, so `enumfedctl user remove` reaches
 * external watchers without a restart: the users removed since the last look
 * and the disabled ones are asked for, not every presentity; decisions on
 * watchers taken since then are applied too.
 */
void efd_presence_check_users(efd_worker_t *w)
{
    struct efd_presence *p = w->presence;
    if (p == NULL)
        return;
    int64_t now = now_s();
    if (efd_store_gone_since(w->store, p->gone_seen, gone_cb, w) >= 0)
        p->gone_seen = now; /* >= now next time: a removal within this second is seen twice */
    check_rules(w);
}

/* Every presentity at once: after the state is read back at start. */
static void check_all(efd_worker_t *w)
{
    struct efd_presence *p = w->presence;
    for (struct pres *e = p->list, *next; e != NULL; e = next) {
        next = e->next;
        check_one(w, e);
    }
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    efd_presence_check_users(arg);
}

/* ---- restart: the state read back from the store ------------------------------------- */

static int load_pub(void *arg, const efd_store_pub_t *r)
{
    efd_worker_t *w = arg;
    ef_pidf_t *doc = NULL;
    char err[200];
    struct pres *e = pres_get(w, r->aor, true);
    struct pub *p;
    if (e == NULL)
        return EF_ENOMEM;
    if (ef_pidf_decode((const char *)r->body, r->body_len, &doc, err, sizeof err) != 0 ||
        (p = pub_new(w, e)) == NULL) {
        EFD_WARN("stored publication %s of %s not restored: %s", r->etag, r->aor,
                 doc == NULL ? err : "too many");
        ef_pidf_free(doc);
        return 0;
    }
    snprintf(p->etag, sizeof p->etag, "%s", r->etag);
    p->doc = doc;
    doc_changed(e);
    pub_arm(p, r->expires);
    return 0;
}

/* The "ip:port" of a stored subscription as an address on side/transport. */
static bool stored_addr(efd_worker_t *w, const efd_store_sub_t *r, efd_addr_t *to)
{
    char host[80];
    const char *colon = strrchr(r->address, ':');
    if (colon == NULL || (size_t)(colon - r->address) >= sizeof host)
        return false;
    snprintf(host, sizeof host, "%.*s", (int)(colon - r->address), r->address);
    *to = (efd_addr_t){.side =
                           r->side == EFD_SIDE_FEDERATION ? EFD_SIDE_FEDERATION : EFD_SIDE_INTERNAL,
                       .transport = (ef_transport_t)r->transport,
                       .udp_fd = -1};
    for (size_t i = 0; i < w->cfg->n_listen; i++)
        if (w->cfg->listen[i].side == to->side && w->cfg->listen[i].transport == EF_TRANSPORT_UDP)
            to->udp_fd = w->udp_fd[i];
    return efd_sockaddr(host, (uint16_t)atoi(colon + 1), &to->addr, &to->addrlen) == 0 &&
           (to->transport != EF_TRANSPORT_UDP || to->udp_fd >= 0);
}

static int load_sub(void *arg, const efd_store_sub_t *r)
{
    efd_worker_t *w = arg;
    int kind = strcmp(r->event, "presence.winfo") == 0 ? K_WINFO : K_PRESENCE;
    uint64_t id = tag_id(str_of(r->our_tag));
    struct pres *e = pres_get(w, r->aor, true);
    efd_addr_t to;
    struct sub *s;

    if (e == NULL)
        return EF_ENOMEM;
    if (id == 0 || sub_by_id(w->presence, id) != NULL || !stored_addr(w, r, &to) ||
        (s = sub_make(w, e, id)) == NULL) {
        EFD_WARN("stored subscription %s of %s not restored", r->our_tag, r->aor);
        return 0;
    }
    if (!sub_strings(s, str_of(r->call_id), str_of(r->their_tag), str_of(r->watcher),
                     str_of(r->target), str_of(r->routes != NULL ? r->routes : ""),
                     str_of(r->peer))) {
        sub_free(s, false);
        return EF_ENOMEM;
    }
    s->kind = (uint8_t)kind;
    e->n_winfo += kind == K_WINFO;
    s->to = to;
    s->cseq = r->cseq + CSEQ_RESTART_GAP; /* NOTIFYs sent after the last write stay below */
    s->state = kind == K_PRESENCE ? state_of(decide(w, r->aor, s->watcher)) : S_ACTIVE;
    int64_t left = r->expires - now_s();
    arm_sub(s, (uint32_t)(left > 0 ? left : 0));
    s->expires = r->expires;
    s->last_ms = now_ms(); /* the watcher has the state: no NOTIFY until it changes */
    return 0;
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
    memcpy(&p->prefix, w->d->nonce_key, 4); /* random at each start: ids do not repeat */
    p->prefix = (p->prefix & 0x7fffffffu) << 32;
    p->rules_seen = p->gone_seen = now_s();
    struct timeval tv = {SWEEP_SECONDS, 0};
    p->sweep = event_new(w->base, -1, EV_PERSIST, sweep_cb, w);
    p->flush = evtimer_new(w->base, flush_cb, w);
    if (p->sweep == NULL || p->flush == NULL)
        return EF_ENOMEM;
    event_add(p->sweep, &tv);
    if (w->id == 0) { /* the state lives on worker 0 (see the top of this file) */
        int np = efd_store_pub_load(w->store, now_s(), load_pub, w);
        int ns = efd_store_sub_load(w->store, now_s(), load_sub, w);
        /* the CSeqs moved on: written now, or a second restart could go back below them */
        for (struct pres *e = p->list; e != NULL; e = e->next)
            for (struct sub *s = e->subs; s != NULL; s = s->next)
                sub_save(w, s);
        check_all(w); /* users removed while we were down */
        if (np < 0 || ns < 0)
            EFD_ERR("presence state not read back: %s", efd_store_errmsg(w->store));
        else if (np + ns > 0)
            EFD_NOTICE("presence: %d publications and %d subscriptions restored", np, ns);
        efd_store_flush(w->store);
    }
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
            sub_free(e->subs, false);
        while (e->pubs != NULL)
            pub_drop(e, e->pubs);
        pres_free(p, e);
    }
    if (w->store != NULL && efd_store_flush(w->store) != 0)
        EFD_ERR("presence store: %s", efd_store_errmsg(w->store));
    if (p->sweep != NULL)
        event_free(p->sweep);
    if (p->flush != NULL)
        event_free(p->flush);
    free(p->tab);
    free(p->ptab);
    free(p);
    w->presence = NULL;
}
