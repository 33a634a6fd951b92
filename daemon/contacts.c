/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * contacts.c -- the inter-domain presence rules of enumfedd
 * (draft-levin-simple-interdomain-reqs §5.1, §5.3, §10.2), both ways.
 *
 * Ours: an external contact of a user's list (learned when the user's own
 * SUBSCRIBE to another community got a 2xx through this edge, or added with
 * enumfedctl) is checked by a fetch SUBSCRIBE (Expires: 0, RFC 6665 §4.4.3)
 * sent on the owner's behalf, through the same routing, identity assertion
 * and hold-back as the user's own requests, once it has not been checked for
 * federation.contact_check seconds. A 2xx says the contact is valid; a 4xx, or
 * a NOTIFY terminated with reason noresource, rejected or deactivated, says
 * it is not, and then it is never checked again automatically (§5.1) until a
 * person re-arms it (enumfedctl contact recheck) or the owner's own SUBSCRIBE
 * succeeds. No automatic SUBSCRIBE goes to one URI, whoever the owner, more
 * often than federation.resubscribe_min (or the peer's agreed
 * peers[].resubscribe_min, §5.3.1, §8). The state is the store's, so a
 * restart forgets nothing; a few checks go per tick, so a long list is
 * spread out.
 *
 * Theirs (§8: a community defends itself from badly behaving ones): a
 * peer's NOTIFY that repeats the last one of its dialog before the refresh
 * interval agreed with it (§5.3.2) is answered 200 here and not passed on; a
 * peer's SUBSCRIBE that we refused with a 4xx less than resubscribe_min ago
 * gets the same 4xx again from memory (§5.1: it should not have asked); a
 * peer's fetches of one presentity more often than resubscribe_min get 503
 * with Retry-After (a 4xx would tell its checks that the presentity is gone).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "contacts.h"
#include "enumfed/sip_hdr.h"
#include "log.h"
#include "store.h"

#define TICK_MS 1000      /* how often due contacts are looked for */
#define CHECKS_PER_TICK 4 /* fetches started per tick at most: checks are spread out */
#define DUE_BATCH 32      /* due contacts read per tick (some wait for the two-hour rule) */
#define INFLIGHT_MAX 16   /* fetches without a final response at once */
#define FETCH_ID "efdcc-" /* Call-IDs of our fetches: their NOTIFYs are answered here */
#define KEY_MAX (3 * EF_URI_MAX)

struct efd_contacts {
    efd_worker_t *w;
    struct event *tick;
    unsigned inflight;
    uint64_t seq;
};

static int64_t wall(void)
{
    return (int64_t)time(NULL);
}

/* The request of a transaction parsed again (it is kept as received). */
static bool parse_req(const efd_txn_t *t, ef_sip_msg_t *msg, ef_sip_header_t *hdrs)
{
    return t->req != NULL &&
           ef_sip_parse(t->req, t->req_len,
                        t->from.transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM,
                        msg, hdrs, EF_SIP_MAX_HEADERS, NULL, NULL) >= 0;
}

/* The address of a From/To header. */
static bool addr_of(const ef_sip_msg_t *msg, ef_sip_hdr_t id, ef_sip_addr_t *a)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, id);
    return h != NULL && ef_sip_parse_addr(h->value.ptr, h->value.len, a, NULL) == 0;
}

/* user@host of a URI (host lowered) into out; false when it has no host. */
static bool aor_of(ef_str_t uri, char *out, size_t cap)
{
    ef_uri_t u;
    if (ef_uri_parse(uri.ptr, uri.len, &u, NULL) != 0 || u.host_kind == EF_HOST_NONE ||
        u.user.len + u.host.len + 2 > cap)
        return false;
    int n = snprintf(out, cap, "%.*s%s", (int)u.user.len, u.user.ptr, u.user.len ? "@" : "");
    for (size_t i = 0; i < u.host.len; i++) {
        char c = u.host.ptr[i];
        out[(size_t)n + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[(size_t)n + u.host.len] = '\0';
    return true;
}

/* The domain of a stored contact URI ("sip:user@domain"). */
static const char *domain_of(const char *uri)
{
    const char *at = strrchr(uri, '@');
    return at != NULL ? at + 1 : uri;
}

/* Seconds between automatic SUBSCRIBEs to one URI of this peer (seed §5.3.1, §8). */
static unsigned resubscribe_min(const efd_config_t *cfg, const char *domain, size_t len)
{
    const efd_peer_t *p = efd_config_peer(cfg, domain, len);
    return p != NULL && p->resubscribe_min > 0 ? p->resubscribe_min : cfg->resubscribe_min;
}

/* Seconds between unchanged NOTIFYs agreed with this peer (seed §5.3.2); 0 = not policed. */
static double notify_interval(const efd_config_t *cfg, const char *domain, size_t len)
{
    const efd_peer_t *p = efd_config_peer(cfg, domain, len);
    return p != NULL && p->notify_interval > 0 ? p->notify_interval : (double)cfg->notify_refresh;
}

/* ---- our checks: the fetch SUBSCRIBE ---------------------------------------------- */

/* The final status of one of our fetches (the response, or our own 408 / 503 / hold-back). */
static void fetched(efd_txn_t *t, int status)
{
    efd_worker_t *w = t->w;
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    char call_id[EFD_STORE_CALL_ID_MAX], why[160];
    int64_t now = wall();

    if (w->contacts != NULL && w->contacts->inflight > 0)
        w->contacts->inflight--;
    const ef_sip_header_t *h =
        parse_req(t, &msg, hdrs) ? ef_sip_msg_header(&msg, EF_HDR_CALL_ID) : NULL;
    if (h == NULL || w->store == NULL || h->value.len >= sizeof call_id)
        return;
    snprintf(call_id, sizeof call_id, "%.*s", (int)h->value.len, h->value.ptr);
    snprintf(why, sizeof why, "%d to the check SUBSCRIBE%s%.100s", status,
             t->peer[0] ? " from " : "", t->peer);
    int n;
    const char *word = "failed";
    if (status >= 200 && status < 300) {
        word = "valid";
        n = efd_store_contact_result(w->store, call_id, EFD_CONTACT_VALID, why, now, 0);
    } else if (status >= 400 && status < 500 && (t->to.conn_id != 0 || t->hold_key != NULL)) {
        /* the peer's 4xx, or the hold-back of one it gave: seed §5.1, never again
         * automatically (a refusal of our own, like a domain no longer ours, is a failure) */
        word = "invalid";
        n = efd_store_contact_result(w->store, call_id, EFD_CONTACT_INVALID, why, now, 0);
        if (n > 0)
            w->stats.contacts_invalid++;
    } else {
        const char *dom = t->peer[0] ? t->peer : "";
        int64_t wait = resubscribe_min(w->cfg, dom, strlen(dom));
        if (t->retry_after > wait)
            wait = t->retry_after;
        n = efd_store_contact_result(w->store, call_id, EFD_CONTACT_FAILED, why, now, now + wait);
    }
    EFD_INFO("contact check %s: %d, %s%s", call_id, status, word, n > 0 ? "" : " (already judged)");
}

/* The fetch SUBSCRIBE of ct, as one of our users would send it. */
static int build_fetch(efd_worker_t *w, const efd_store_contact_t *ct, const char *call_id,
                       ef_buf_t *out)
{
    char via[128], contact[128], tag[17];
    unsigned char rnd[8];

    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return EF_ENOMEM;
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(tag + 2 * i, 3, "%02x", rnd[i]);
    efd_local_hostport(w, EFD_SIDE_INTERNAL, EF_TRANSPORT_UDP, via, sizeof via);
    efd_local_hostport(w, EFD_SIDE_FEDERATION, EF_TRANSPORT_TLS, contact, sizeof contact);
    /* RFC 6665 §4.4.3: Expires: 0 is a fetch; seed §5.2: PIDF in Accept */
    ef_buf_printf(out,
                  "SUBSCRIBE %s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKcc%s\r\n"
                  "Max-Forwards: 70\r\nFrom: <sip:%s>;tag=%s\r\nTo: <%s>\r\nCall-ID: %s\r\n"
                  "CSeq: 1 SUBSCRIBE\r\nContact: <sip:%s;transport=tls>\r\nEvent: presence\r\n"
                  "Expires: 0\r\nAccept: application/pidf+xml\r\nContent-Length: 0\r\n\r\n",
                  ct->uri, via, tag, ct->owner, tag, ct->uri, call_id, contact);
    return out->failed ? EF_E2BIG : 0;
}

/* Send the fetch of ct through the routing of our users' requests. */
static bool fetch(struct efd_contacts *c, const efd_store_contact_t *ct, int64_t now)
{
    efd_worker_t *w = c->w;
    char call_id[EFD_STORE_CALL_ID_MAX];
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    ef_buf_t req;

    snprintf(call_id, sizeof call_id, FETCH_ID "%" PRIx64 "-%" PRIx64 "@%.64s", (uint64_t)now,
             ++c->seq, w->cfg->domains[0]);
    ef_buf_init(&req, EF_SIP_MAX_MESSAGE);
    if (build_fetch(w, ct, call_id, &req) != 0 ||
        efd_store_contact_sent(w->store, ct->owner, ct->uri, call_id, now) != 0) {
        ef_buf_close(&req);
        return false;
    }
    efd_txn_t *t = efd_txn_local(w, "SUBSCRIBE", fetched);
    if (t == NULL) {
        ef_buf_close(&req);
        return false;
    }
    t->req = req.data; /* taken over: freed with the transaction */
    t->req_len = req.len;
    req.data = NULL;
    ef_buf_close(&req);
    c->inflight++;
    w->stats.contact_checks++;
    EFD_INFO("contact check %s: SUBSCRIBE %s for %s", call_id, ct->uri, ct->owner);
    if (ef_sip_parse(t->req, t->req_len, EF_SIP_DATAGRAM, &msg, hdrs, EF_SIP_MAX_HEADERS, NULL,
                     NULL) < 0) {
        efd_txn_reply(t, 500, "the check SUBSCRIBE does not parse", NULL);
        return true;
    }
    efd_route(t, &msg); /* our side's rules: From ours, asserted, hold-back, the peer's edge */
    return true;
}

/* The owner of a contact: 1 an enabled user of ours, 0 disabled or not ours now, -ENOENT no
 * such user (removed). */
static int owner_state(efd_worker_t *w, const char *owner)
{
    char user[EFD_STORE_NAME_MAX];
    const char *at = strrchr(owner, '@');
    efd_store_user_t u;
    if (at == NULL || (size_t)(at - owner) >= sizeof user ||
        !efd_config_is_local(w->cfg, at + 1, strlen(at + 1)))
        return 0;
    snprintf(user, sizeof user, "%.*s", (int)(at - owner), owner);
    int rc = efd_store_user_get(w->store, user, at + 1, &u);
    return rc == -ENOENT ? -ENOENT : rc == 0 && !u.disabled ? 1 : 0;
}

/* One due contact: sent, or put off by the two-hour rule, for not being a peer's, or for
 * an owner who is disabled; the contacts of a removed user go with it, once their last
 * SUBSCRIBE no longer counts. */
static bool check_one(struct efd_contacts *c, const efd_store_contact_t *ct, int64_t now)
{
    efd_worker_t *w = c->w;
    const char *dom = domain_of(ct->uri);
    char why[160];

    int owner = owner_state(w, ct->owner);
    int64_t min = resubscribe_min(w->cfg, dom, strlen(dom));
    if (owner == -ENOENT) {
        /* kept while its last SUBSCRIBE still counts for the two-hour rule of its URI */
        if (ct->sent > 0 && now - ct->sent <= min) {
            efd_store_contact_defer(w->store, ct->owner, ct->uri, ct->sent + min + 1,
                                    "the owner was removed");
        } else {
            efd_store_contact_remove(w->store, ct->owner, ct->uri);
            EFD_INFO("contact %s of %s: removed with its owner", ct->uri, ct->owner);
        }
        return false;
    }
    if (owner == 0) {
        efd_store_contact_defer(w->store, ct->owner, ct->uri, now + w->cfg->contact_check,
                                "the owner is not an enabled user of this community");
        return false;
    }
    if (efd_config_peer(w->cfg, dom, strlen(dom)) == NULL) {
        snprintf(why, sizeof why, "%s is not a federation peer", dom);
        efd_store_contact_defer(w->store, ct->owner, ct->uri, now + w->cfg->resubscribe_min, why);
        return false;
    }
    int64_t last = efd_store_contact_last_sent(w->store, ct->uri);
    if (last < 0)
        return false;
    /* seed §5.3.1, whoever the owner; whole seconds, so one more than min to be sure */
    if (last > 0 && now - last <= min) {
        snprintf(why, sizeof why,
                 "%.80s was SUBSCRIBEd %" PRId64 " s ago (at most every %" PRId64 " s)", ct->uri,
                 now - last, min);
        efd_store_contact_defer(w->store, ct->owner, ct->uri, last + min + 1, why);
        return false;
    }
    return fetch(c, ct, now);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    struct efd_contacts *c = arg;
    efd_worker_t *w = c->w;
    efd_store_contact_t *due = NULL;
    size_t n = 0;
    int64_t now = wall();
    (void)fd;
    (void)what;

    if (w->store == NULL || atomic_load(&w->d->draining) || c->inflight >= INFLIGHT_MAX)
        return;
    if (efd_store_contact_due(w->store, now, w->cfg->contact_check, DUE_BATCH, &due, &n) < 0) {
        EFD_WARN("contact checks: %s", efd_store_errmsg(w->store));
        return;
    }
    unsigned sent = 0;
    for (size_t i = 0; i < n && sent < CHECKS_PER_TICK && c->inflight < INFLIGHT_MAX; i++)
        sent += check_one(c, &due[i], now);
    free(due);
}

int efd_contacts_open(efd_worker_t *w)
{
    struct timeval tv = {TICK_MS / 1000, (TICK_MS % 1000) * 1000};
    if (w->id != 0 || w->store == NULL) /* one worker checks, for the whole edge */
        return 0;
    struct efd_contacts *c = calloc(1, sizeof *c);
    if (c == NULL)
        return EF_ENOMEM;
    c->w = w;
    if ((c->tick = event_new(w->base, -1, EV_PERSIST, tick_cb, c)) == NULL) {
        free(c);
        return EF_ENOMEM;
    }
    event_add(c->tick, &tv);
    w->contacts = c;
    efd_contacts_reload(w);
    return 0;
}

void efd_contacts_reload(efd_worker_t *w)
{
    /* waits decided by the old settings are decided again by the new ones */
    if (w->contacts != NULL && w->store != NULL && efd_store_contact_undefer(w->store) < 0)
        EFD_WARN("contact checks: %s", efd_store_errmsg(w->store));
}

void efd_contacts_close(efd_worker_t *w)
{
    if (w == NULL || w->contacts == NULL)
        return;
    event_free(w->contacts->tick);
    free(w->contacts);
    w->contacts = NULL;
}

/* ---- our users' own SUBSCRIBEs ----------------------------------------------------- */

void efd_contacts_note(efd_txn_t *t)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    ef_sip_addr_t from, to;
    ef_sip_event_t ev;
    char owner[2 * EFD_STORE_NAME_MAX], uri[EFD_STORE_URI_MAX];

    if (!t->originating || t->done_cb != NULL || t->target == NULL || t->w->store == NULL ||
        strcmp(t->method, "SUBSCRIBE") != 0 || t->learn != NULL || !parse_req(t, &msg, hdrs) ||
        !addr_of(&msg, EF_HDR_FROM, &from) || !addr_of(&msg, EF_HDR_TO, &to) ||
        ef_sip_param_get(&to.params, "tag") != NULL) /* initial SUBSCRIBEs only */
        return;
    const ef_sip_header_t *e = ef_sip_msg_header(&msg, EF_HDR_EVENT);
    if (e == NULL || ef_sip_parse_event(e->value.ptr, e->value.len, &ev, NULL) != 0 ||
        ev.package.len != 8 || strncasecmp(ev.package.ptr, "presence", 8) != 0)
        return;
    if (!aor_of(from.uri, owner, sizeof owner) ||
        efd_store_contact_norm(t->target, uri, sizeof uri) != 0)
        return;
    size_t len = strlen(owner) + strlen(uri) + 2;
    if ((t->learn = malloc(len)) != NULL)
        snprintf(t->learn, len, "%s %s", owner, uri);
}

void efd_contacts_outcome(efd_txn_t *t, int status)
{
    efd_worker_t *w = t->w;
    char owner[2 * EFD_STORE_NAME_MAX], why[160];
    const char *sp = strchr(t->learn, ' ');

    if (w->store == NULL || sp == NULL || (size_t)(sp - t->learn) >= sizeof owner)
        return;
    snprintf(owner, sizeof owner, "%.*s", (int)(sp - t->learn), t->learn);
    if (status >= 200 && status < 300) {
        int rc = efd_store_contact_add(w->store, owner, sp + 1, wall(), true);
        if (rc == 1)
            w->stats.contacts_learned++;
        if (rc >= 0)
            EFD_INFO("contact %s of %s: %s by the user's SUBSCRIBE", sp + 1, owner,
                     rc == 1 ? "learned" : "valid");
    } else if (status >= 400 && status < 500) {
        snprintf(why, sizeof why, "%d to the user's SUBSCRIBE from %.100s", status, t->peer);
        if (efd_store_contact_invalidate(w->store, owner, sp + 1, why, wall()) > 0) {
            w->stats.contacts_invalid++;
            EFD_INFO("contact %s of %s: invalid (%s)", sp + 1, owner, why);
        }
    }
}

void efd_contacts_internal_request(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    ef_sip_addr_t to;
    const ef_sip_header_t *cid = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    char key[KEY_MAX];

    if (strcmp(t->method, "SUBSCRIBE") != 0 || cid == NULL || !addr_of(msg, EF_HDR_TO, &to))
        return;
    const ef_sip_param_t *tag = ef_sip_param_get(&to.params, "tag");
    if (tag == NULL || tag->value.ptr == NULL)
        return;
    /* RFC 6665 §4.2.1.2: a refresh brings a NOTIFY the watcher may wait for */
    snprintf(key, sizeof key, "n:%.*s|%.*s", (int)cid->value.len, cid->value.ptr,
             (int)tag->value.len, tag->value.ptr);
    efd_memo_del(t->w->d, key);
}

/* ---- theirs: what peers send us ---------------------------------------------------- */

/* The NOTIFY of one of our fetches: judged and answered here (RFC 6665 §4.4.3). */
static bool fetch_notify(efd_txn_t *t, const ef_sip_msg_t *msg, ef_str_t call_id)
{
    efd_worker_t *w = t->w;
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_SUBSCRIPTION_STATE);
    ef_sip_substate_t ss;
    char id[EFD_STORE_CALL_ID_MAX], why[160];

    if (call_id.len < strlen(FETCH_ID) || memcmp(call_id.ptr, FETCH_ID, strlen(FETCH_ID)) != 0)
        return false;
    if (call_id.len >= sizeof id || w->store == NULL || h == NULL ||
        ef_sip_parse_substate(h->value.ptr, h->value.len, &ss, NULL) != 0) {
        efd_txn_reply(t, h == NULL ? 400 : 481, h == NULL ? "no Subscription-State" : NULL, NULL);
        return true;
    }
    snprintf(id, sizeof id, "%.*s", (int)call_id.len, call_id.ptr);
    bool terminated = ss.state.len == 10 && strncasecmp(ss.state.ptr, "terminated", 10) == 0;
    ef_str_t r = ss.reason.ptr != NULL ? ss.reason : (ef_str_t){"", 0};
    /* RFC 6665 §4.2.2: the resource is gone, or the watcher is refused */
    bool bad = terminated && ((r.len == 10 && strncasecmp(r.ptr, "noresource", 10) == 0) ||
                              (r.len == 8 && strncasecmp(r.ptr, "rejected", 8) == 0) ||
                              (r.len == 11 && strncasecmp(r.ptr, "deactivated", 11) == 0));
    snprintf(why, sizeof why, "NOTIFY %.*s%s%.*s", (int)ss.state.len, ss.state.ptr,
             r.len ? ";reason=" : "", (int)r.len, r.ptr);
    int n = efd_store_contact_result(w->store, id, bad ? EFD_CONTACT_INVALID : EFD_CONTACT_VALID,
                                     why, wall(), 0);
    if (n < 0) {
        efd_txn_reply(t, 500, "the store failed", NULL);
        return true;
    }
    if (bad && n > 0)
        w->stats.contacts_invalid++;
    EFD_INFO("contact check %s: %s, %s", id, why, n > 0 ? (bad ? "invalid" : "valid") : "kept");
    efd_txn_reply(t, n > 0 || terminated ? 200 : 481, NULL, NULL);
    return true;
}

/* A peer's NOTIFY that repeats the last one of its dialog too soon (seed §5.3.2). */
static bool early_notify(efd_txn_t *t, const ef_sip_msg_t *msg, ef_str_t call_id,
                         const ef_sip_addr_t *from)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_SUBSCRIPTION_STATE);
    const ef_sip_param_t *tag = ef_sip_param_get(&from->params, "tag");
    ef_uri_t u;
    char key[KEY_MAX], why[200];

    if (h == NULL || tag == NULL || tag->value.ptr == NULL ||
        ef_uri_parse(from->uri.ptr, from->uri.len, &u, NULL) != 0)
        return false;
    double interval = notify_interval(t->w->cfg, u.host.ptr, u.host.len), now = efd_memo_now();
    snprintf(key, sizeof key, "n:%.*s|%.*s", (int)call_id.len, call_id.ptr, (int)tag->value.len,
             tag->value.ptr);
    if (h->value.len >= 10 && strncasecmp(h->value.ptr, "terminated", 10) == 0) {
        efd_memo_del(t->w->d, key); /* the end of a dialog always goes through */
        return false;
    }
    if (interval <= 0)
        return false;
    /* the body, and the state without its parameters: pending -> active is a change too */
    size_t sl = strcspn(h->value.ptr, "; \t\r\n");
    uint64_t hash = efd_hash(msg->body.ptr != NULL ? msg->body.ptr : "", msg->body.len, false) ^
                    (efd_hash(h->value.ptr, sl < h->value.len ? sl : h->value.len, true) << 1);
    efd_memo_t m;
    if (efd_memo_get(t->w->d, key, &m) && m.hash == hash && now - m.at < interval) {
        t->w->stats.early_notifies++;
        snprintf(why, sizeof why,
                 "unchanged state %.0f s after the last NOTIFY of this dialog, before the "
                 "agreed %.0f s (seed 5.3.2): not passed on",
                 now - m.at, interval);
        efd_txn_reply(t, 200, why, NULL);
        return true;
    }
    m = (efd_memo_t){.hash = hash, .at = now, .until = now + interval};
    efd_memo_put(t->w->d, key, &m);
    return false;
}

/* Is this a fetch (RFC 6665 §4.4.3: Expires: 0 on an initial SUBSCRIBE)? */
static bool is_fetch(const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_EXPIRES);
    uint32_t v;
    return h != NULL && ef_sip_parse_uint(h->value.ptr, h->value.len, UINT32_MAX, &v, NULL) == 0 &&
           v == 0;
}

/* A peer's initial SUBSCRIBE: a refusal it was given, or fetches too often (seed §5.1, §5.3.1). */
static bool peer_subscribe(efd_txn_t *t, const ef_sip_msg_t *msg, const ef_sip_addr_t *from)
{
    ef_sip_addr_t to;
    char watcher[EF_URI_MAX], presentity[EF_URI_MAX], key[KEY_MAX], why[300], extra[64];
    efd_memo_t m;

    if (!addr_of(msg, EF_HDR_TO, &to) || ef_sip_param_get(&to.params, "tag") != NULL ||
        !aor_of(from->uri, watcher, sizeof watcher) ||
        !aor_of(msg->uri, presentity, sizeof presentity))
        return false;
    const char *peer = domain_of(watcher);
    unsigned min = resubscribe_min(t->w->cfg, peer, strlen(peer));
    double now = efd_memo_now();
    snprintf(key, sizeof key, "r:%s|%s", watcher, presentity);
    if (efd_memo_get(t->w->d, key, &m)) {
        t->w->stats.repeat_refusals++;
        snprintf(why, sizeof why,
                 "%d was the answer to this SUBSCRIBE %.0f s ago; not again within %u s "
                 "(seed 5.1)",
                 m.status, now - m.at, min);
        efd_txn_reply(t, m.status, why, NULL);
        return true;
    }
    if (is_fetch(msg)) {
        char fkey[KEY_MAX];
        snprintf(fkey, sizeof fkey, "f:%s|%s", peer, presentity);
        if (efd_memo_get(t->w->d, fkey, &m)) {
            t->w->stats.fetches_refused++;
            snprintf(why, sizeof why,
                     "%.64s fetched %.120s %.0f s ago; at most every %u s (seed 5.3.1)", peer,
                     presentity, now - m.at, min);
            snprintf(extra, sizeof extra, "Retry-After: %u\r\n", (unsigned)(m.until - now) + 1u);
            efd_txn_reply(t, 503, why, extra);
            return true;
        }
        m = (efd_memo_t){.at = now, .until = now + min};
        efd_memo_put(t->w->d, fkey, &m);
    }
    size_t len = strlen(key) + 16;
    if ((t->refusal_key = malloc(len)) != NULL)
        snprintf(t->refusal_key, len, "%u %s", min, key);
    return false;
}

bool efd_contacts_peer_request(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *cid = ef_sip_msg_header(msg, EF_HDR_CALL_ID);
    ef_sip_addr_t from;

    if (cid == NULL || !addr_of(msg, EF_HDR_FROM, &from))
        return false;
    if (strcmp(t->method, "NOTIFY") == 0)
        return fetch_notify(t, msg, cid->value) || early_notify(t, msg, cid->value, &from);
    if (strcmp(t->method, "SUBSCRIBE") == 0)
        return peer_subscribe(t, msg, &from);
    return false;
}

void efd_contacts_refused(efd_txn_t *t, int status)
{
    char *sp = strchr(t->refusal_key, ' ');
    /* what says "this watcher may not see this presentity", not "this request was wrong" */
    if (sp == NULL || (status != 403 && status != 404 && status != 410 && status != 484))
        return;
    double now = efd_memo_now();
    efd_memo_t m = {.status = status, .at = now, .until = now + strtod(t->refusal_key, NULL)};
    efd_memo_put(t->w->d, sp + 1, &m);
}
