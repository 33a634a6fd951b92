/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * route.c -- where a request goes (RFC 3261 §16.4–§16.5, seed §4.1, §4.3):
 *
 *   from a peer community:  its certificate must name the From domain
 *                           (RFC 5922 §7.2), the domain must be allowlisted,
 *                           the Request-URI must be ours -> the internal next hop
 *   from our own side:      the From domain must be ours; a number (tel:, or
 *                           sip:+N;user=phone) goes through ENUM first (E2U+im,
 *                           then E2U+sip); an im:/sip: URI of an allowlisted
 *                           community -> that community's edge (static route,
 *                           a live pooled connection, or RFC 3263 / RFC 3861
 *                           discovery)
 *   in-dialog (Route left): across the edge, to the side it did not come from
 *
 * Every refusal is a final response with a Warning that says why.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "contacts.h"
#include "enumfed/sip_hdr.h"
#include "log.h"
#include "proxy.h"
#include "registrar.h"
#include "session.h"
#include "users.h"

/* ---- addresses of our own ------------------------------------------------ */

const char *efd_local_hostport(const efd_worker_t *w, efd_side_t side, ef_transport_t t, char *buf,
                               size_t cap)
{
    const efd_listen_t *best = NULL;
    for (size_t i = 0; i < w->cfg->n_listen; i++) {
        const efd_listen_t *ln = &w->cfg->listen[i];
        if (ln->side == side && (best == NULL || ln->transport == t))
            best = ln;
    }
    if (best == NULL)
        best = &w->cfg->listen[0];
    bool v6 = strchr(best->address, ':') != NULL;
    snprintf(buf, cap, v6 ? "[%s]:%u" : "%s:%u", best->address, best->port);
    return buf;
}

bool efd_is_me(const efd_worker_t *w, ef_str_t host, int port)
{
    for (size_t i = 0; i < w->cfg->n_listen; i++) {
        const efd_listen_t *ln = &w->cfg->listen[i];
        ef_str_t h = host;
        if (h.len >= 2 && h.ptr[0] == '[')
            h = (ef_str_t){h.ptr + 1, h.len - 2};
        int p = port > 0 ? port : ln->transport == EF_TRANSPORT_TLS ? 5061 : 5060;
        if (p == ln->port && strlen(ln->address) == h.len &&
            strncasecmp(ln->address, h.ptr, h.len) == 0)
            return true;
    }
    return false;
}

static bool domain_of(const char *uri, size_t len, ef_uri_t *u)
{
    return ef_uri_parse(uri, len, u, NULL) == 0 && u->host_kind != EF_HOST_NONE;
}

/* The host part of the From URI. */
static bool from_domain(const ef_sip_msg_t *msg, ef_str_t *out)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_FROM);
    ef_sip_addr_t a;
    ef_uri_t u;
    if (h == NULL || ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) != 0 ||
        !domain_of(a.uri.ptr, a.uri.len, &u))
        return false;
    *out = u.host;
    return true;
}

/* Bytes of Record-Route in the request (seed §7: a configured limit -> 513). */
static size_t rr_bytes(const ef_sip_msg_t *msg)
{
    size_t n = 0;
    for (size_t i = 0; i < msg->n_headers; i++)
        if (msg->headers[i].id == EF_HDR_RECORD_ROUTE)
            n += msg->headers[i].value.len;
    return n;
}

/* ---- Route headers (RFC 3261 §16.4) ---------------------------------------- */

#define ROUTES_MAX 16

/*
 * Count the Route values at the top that are ours; *next gets the first that
 * is not, *peer the peer community our Record-Route named in them (see
 * build_relay in proxy.c), when one did.
 */
static size_t scan_routes(const efd_worker_t *w, const ef_sip_msg_t *msg, ef_str_t *next,
                          ef_str_t *peer)
{
    ef_sip_addr_t a[ROUTES_MAX];
    size_t ours = 0;
    *next = *peer = (ef_str_t){0};
    for (size_t i = 0; i < msg->n_headers; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        if (h->id != EF_HDR_ROUTE)
            continue;
        int n = ef_sip_parse_addr_list(h->value.ptr, h->value.len, a, ROUTES_MAX, NULL, NULL);
        for (int k = 0; k < n; k++) {
            ef_uri_t u;
            if (domain_of(a[k].uri.ptr, a[k].uri.len, &u) && efd_is_me(w, u.host, u.port)) {
                const ef_uri_param_t *p = ef_uri_param(&u, "peer");
                if (p != NULL && p->value.ptr != NULL && p->value.len > 0)
                    *peer = p->value;
                ours++;
                continue;
            }
            *next = a[k].uri;
            return ours;
        }
    }
    return ours;
}

/* Edits that remove the first n Route values (ours): whole fields, or the front
 * of a field that goes on with someone else's values. */
int efd_route_pop(ef_sip_edits_t *ed, const ef_sip_msg_t *msg, size_t n)
{
    ef_sip_addr_t a[ROUTES_MAX];
    for (size_t i = 0; i < msg->n_headers && n > 0; i++) {
        const ef_sip_header_t *h = &msg->headers[i];
        if (h->id != EF_HDR_ROUTE)
            continue;
        int k = ef_sip_parse_addr_list(h->value.ptr, h->value.len, a, ROUTES_MAX, NULL, NULL);
        if (k <= 0)
            return EF_ESYNTAX;
        if ((size_t)k <= n) {
            n -= (size_t)k;
            if (ef_sip_edit_remove(ed, i) != 0)
                return EF_E2BIG;
            continue;
        }
        /* the rest of this field starts after the comma that follows value n-1 */
        const char *p = a[n - 1].uri.ptr + a[n - 1].uri.len;
        const char *end = h->value.ptr + h->value.len;
        while (p < end && *p != ',')
            p++;
        while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
            p++;
        return ef_sip_edit_replace(ed, i, (ef_str_t){p, (size_t)(end - p)});
    }
    return 0;
}

/* ---- the internal side ------------------------------------------------------ */

static int internal_udp_fd(const efd_worker_t *w)
{
    for (size_t i = 0; i < w->cfg->n_listen; i++)
        if (w->cfg->listen[i].side == EFD_SIDE_INTERNAL &&
            w->cfg->listen[i].transport == EF_TRANSPORT_UDP)
            return w->udp_fd[i];
    return -1;
}

static void relay_internal(efd_txn_t *t, const char *new_uri)
{
    const efd_hostport_t *nh = &t->w->cfg->next_hop;
    efd_addr_t to = {.side = EFD_SIDE_INTERNAL, .transport = nh->transport, .udp_fd = -1};

    if (nh->host[0] == '\0') {
        efd_txn_reply(t, 480, "no internal next hop is configured", NULL);
        return;
    }
    if (efd_sockaddr(nh->host, nh->port ? nh->port : 5060, &to.addr, &to.addrlen) != 0) {
        efd_txn_reply(t, 503, "the internal next hop must be a numeric address", NULL);
        return;
    }
    if (nh->transport == EF_TRANSPORT_TCP) {
        to.conn_id = efd_next_hop_conn(t->w, nh->host, nh->port ? nh->port : 5060);
        if (to.conn_id == 0) {
            efd_txn_reply(t, 503, "cannot connect to the internal next hop", NULL);
            return;
        }
    } else if (nh->transport != EF_TRANSPORT_UDP) {
        efd_txn_reply(t, 503, "the internal next hop takes udp or tcp", NULL);
        return;
    }
    to.udp_fd = internal_udp_fd(t->w);
    efd_txn_relay(t, &to, new_uri);
}

/* OPTIONS for one of our users, answered by the edge (seed §6.2, RFC 3261 §11.2). */
static bool answer_options(efd_txn_t *t)
{
    if (strcmp(t->method, "OPTIONS") != 0 || !t->w->cfg->answer_options)
        return false;
    efd_session_options(t, EFD_METHOD_ALL); /* Allow, Accept, m=message (session.c) */
    return true;
}

/*
 * A peer's request for one of our users (seed §6.2, §5.3): with a users file,
 * unknown users are 404 and restricted ones 403 -- or, configured against
 * address harvesting, both get the 200 a delivered request would get.
 */
static bool admit_user(efd_txn_t *t, const ef_uri_t *u)
{
    const efd_config_t *cfg = t->w->cfg;
    if (cfg->users == NULL || t->from.side != EFD_SIDE_FEDERATION)
        return true;
    efd_user_t k = efd_users_find(cfg->users, u->user.ptr, u->user.len);
    if (k == EFD_USER_KNOWN)
        return true;
    EFD_INFO("txn %s %s: %s user %.*s", t->branch, t->method,
             k == EFD_USER_RESTRICTED ? "restricted" : "unknown", (int)u->user.len, u->user.ptr);
    if (cfg->harvesting == EFD_HARVEST_SILENT) {
        if (!answer_options(t))
            efd_txn_reply(t, 200, NULL, NULL);
    } else if (k == EFD_USER_RESTRICTED) {
        efd_txn_reply(t, 403, "the user does not take requests from other communities", NULL);
    } else {
        efd_txn_reply(t, 404, "no such user", NULL);
    }
    return false;
}

/* ---- the federation side -------------------------------------------------- */

static bool fed_transport_ok(const efd_worker_t *w, ef_transport_t t)
{
    return t == EF_TRANSPORT_TLS || (t == EF_TRANSPORT_TCP && w->cfg->allow_tcp);
}

static void relay_over(efd_txn_t *t, uint64_t conn_id)
{
    efd_conn_t *c = efd_conn_get(t->w, conn_id);
    efd_addr_t to = {.side = EFD_SIDE_FEDERATION,
                     .transport = EF_TRANSPORT_TLS,
                     .conn_id = conn_id,
                     .udp_fd = -1};
    if (c == NULL) {
        efd_txn_reply(t, 503, "no connection to the peer community", "Retry-After: 5\r\n");
        return;
    }
    efd_txn_relay(t, &to, t->target);
}

static void located(void *arg, ef_locate_answer_t *ans)
{
    efd_txn_t *t = arg;
    char why[300];
    t->loc = NULL;
    for (size_t i = 0; ans->status == 0 && i < ans->n_targets; i++) {
        const ef_target_t *tg = &ans->targets[i];
        if (!fed_transport_ok(t->w, tg->transport))
            continue;
        uint64_t id = efd_peer_conn(t->w, t->peer, tg->address, tg->port, tg->transport);
        if (id != 0) {
            ef_locate_answer_free(ans);
            relay_over(t, id);
            return;
        }
    }
    snprintf(why, sizeof why, "cannot reach the edge of %s: %s", t->peer,
             ans->status != 0 ? ef_strerror(ans->status) : "no TLS server");
    efd_txn_reply(t, ans->status == EF_ETIMEOUT ? 504 : 503, why, NULL);
    ef_locate_answer_free(ans);
}

static void locate_peer(efd_txn_t *t, const char *uri)
{
    ef_perr_t perr = {0};
    int rc = ef_locate(t->w->res, uri, strlen(uri), NULL, located, t, &t->loc, &perr);
    if (rc != 0) {
        char why[300];
        snprintf(why, sizeof why, "cannot locate %s: %s", uri, ef_strerror(rc));
        efd_txn_reply(t, 503, why, NULL);
    }
}

static bool from_uri(const ef_sip_msg_t *msg, ef_str_t *uri);

/* The From URI of the transaction's request, a slice of t->req. */
static bool from_uri_of(const efd_txn_t *t, ef_str_t *uri)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    return ef_sip_parse(t->req, t->req_len,
                        t->from.transport == EF_TRANSPORT_UDP ? EF_SIP_DATAGRAM : EF_SIP_STREAM,
                        &msg, hdrs, EF_SIP_MAX_HEADERS, NULL, NULL) >= 0 &&
           from_uri(&msg, uri);
}

/* To the edge of an allowlisted community (seed §4.1): the static route, a
 * live connection of its pool, or discovery from locate_uri. */
static void relay_peer(efd_txn_t *t, ef_str_t domain, const char *locate_uri)
{
    const efd_config_t *cfg = t->w->cfg;
    const efd_peer_t *peer = efd_config_peer(cfg, domain.ptr, domain.len);
    char why[400];
    unsigned left;

    if (peer == NULL) {
        snprintf(why, sizeof why, "%.*s is not a federation peer of %s", (int)domain.len,
                 domain.ptr, cfg->domains[0]);
        efd_txn_reply(t, 403, why, NULL);
        return;
    }
    snprintf(t->peer, sizeof t->peer, "%s", peer->domain);
    t->originating = t->from.side == EFD_SIDE_INTERNAL;
    int held = 0;
    ef_str_t fu;
    if (t->originating && cfg->hold_after_4xx > 0 && t->target != NULL && from_uri_of(t, &fu) &&
        (t->hold_key = malloc(fu.len + strlen(t->target) + 2)) != NULL) {
        sprintf(t->hold_key, "%.*s %s", (int)fu.len, fu.ptr, t->target);
        held = efd_hold_check(t->w, t->hold_key, &left);
    }
    efd_contacts_note(t); /* a user's SUBSCRIBE: its outcome judges the contact (seed 10.2) */
    if (held > 0) {
        char extra[64];
        snprintf(why, sizeof why, "held back: %s answered %d to this target", peer->domain, held);
        snprintf(extra, sizeof extra, "Retry-After: %u\r\n", left);
        efd_txn_reply(t, held, why, extra);
        return;
    }
    const efd_hostport_t *r = &peer->route;
    struct sockaddr_storage ss;
    socklen_t len;
    if (r->host[0] != '\0' && efd_sockaddr(r->host, r->port ? r->port : 5061, &ss, &len) == 0) {
        relay_over(
            t, efd_peer_conn(t->w, peer->domain, r->host, r->port ? r->port : 5061, r->transport));
        return;
    }
    uint64_t live = efd_peer_live(t->w, peer->domain);
    if (live != 0) {
        relay_over(t, live);
        return;
    }
    char uri[EFD_NAME_MAX + 64];
    if (r->host[0] != '\0') /* a static route by name: RFC 3263 on it */
        snprintf(uri, sizeof uri, "sip:%s:%u;transport=%s", r->host, r->port ? r->port : 5061,
                 r->transport == EF_TRANSPORT_TCP ? "tcp" : "tls");
    else
        snprintf(uri, sizeof uri, "%s", locate_uri);
    locate_peer(t, uri);
}

/* A resolved URI (from the Request-URI or from ENUM): ours, or a peer's. */
static void route_uri(efd_txn_t *t, const char *uri, size_t len, bool rewritten)
{
    ef_uri_t u;
    char sip[EF_URI_MAX + 8];

    if (!domain_of(uri, len, &u)) {
        efd_txn_reply(t, 416, "the Request-URI has no domain to route on", NULL);
        return;
    }
    /* RFC 3428 §5: an im: URI becomes the sip: URI of the same user and domain */
    if (u.scheme == EF_URI_IM || u.scheme == EF_URI_PRES) {
        snprintf(sip, sizeof sip, "sip:%.*s%s%.*s", (int)u.user.len, u.user.ptr,
                 u.user.len ? "@" : "", (int)u.host.len, u.host.ptr);
        rewritten = true;
    } else {
        snprintf(sip, sizeof sip, "%.*s", (int)len, uri);
    }
    if (rewritten && efd_txn_target(t, sip, strlen(sip)) != 0) {
        efd_txn_reply(t, 500, "out of memory", NULL);
        return;
    }
    if (efd_config_is_local(t->w->cfg, u.host.ptr, u.host.len) || efd_is_me(t->w, u.host, u.port)) {
        if (!admit_user(t, &u) || answer_options(t))
            return;
        if (t->w->store != NULL) /* we are the registrar: the location service decides */
            efd_registrar_route(t, u.user, u.host);
        else
            relay_internal(t, rewritten ? t->target : NULL);
        return;
    }
    if (t->from.side == EFD_SIDE_FEDERATION) {
        efd_txn_reply(t, 403, "this edge relays only to its own community", NULL);
        return;
    }
    char loc[EF_URI_MAX + 8];
    snprintf(loc, sizeof loc, "%.*s", (int)len, uri); /* im: keeps RFC 3861's SRV names */
    if (!rewritten && efd_txn_target(t, uri, len) != 0) {
        efd_txn_reply(t, 500, "out of memory", NULL);
        return;
    }
    relay_peer(t, u.host, loc);
}

/* ---- numbers: ENUM (RFC 6116) --------------------------------------------- */

static int enum_status(int kind)
{
    switch (kind) {
    case EF_ENXDOMAIN:
    case EF_ENONAPTR:
    case EF_ENOMATCH:
        return 404;
    case EF_ETIMEOUT:
        return 504;
    case EF_EBADRECORD:
    case EF_ELOOP:
        return 502;
    default: /* servfail, bogus, insecure */
        return 503;
    }
}

/*
 * The Enumservices wanted for this request, in preference order: a
 * SUBSCRIBE is for presence, so E2U+pres (RFC 3953) comes first; then
 * enum.services (by default E2U+im, RFC 3861, then E2U+sip, RFC 3764).
 */
static size_t wanted(const efd_txn_t *t, const char **out, size_t cap)
{
    const efd_config_t *cfg = t->w->cfg;
    size_t n = 0;
    if (strcmp(t->method, "SUBSCRIBE") == 0)
        out[n++] = "pres";
    for (size_t i = 0; i < cfg->n_enum_services && n < cap; i++)
        out[n++] = cfg->enum_services[i];
    return n;
}

/* The first result in ENUM order for the most preferred Enumservice. */
static const ef_enum_result_t *pick(const efd_txn_t *t, const ef_enum_answer_t *ans)
{
    const char *svc[EFD_LIST_MAX + 1];
    size_t n = wanted(t, svc, EFD_LIST_MAX + 1);
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < ans->n_results; i++)
            for (size_t k = 0; k < ans->results[i].n_services; k++)
                if (strcasecmp(ans->results[i].services[k], svc[s]) == 0)
                    return &ans->results[i];
    return NULL;
}

static void enum_done(void *arg, ef_enum_answer_t *ans)
{
    efd_txn_t *t = arg;
    char why[300];
    t->enum_q = NULL;
    const ef_enum_result_t *r = ans->status == 0 ? pick(t, ans) : NULL;
    if (r == NULL) {
        snprintf(why, sizeof why, "ENUM: %s: %s", ans->number.aus,
                 ans->status ? ef_strerror(ans->status) : "no URI of a wanted Enumservice");
        efd_txn_reply(t, ans->status ? enum_status(ans->status) : 404, why, NULL);
    } else {
        EFD_INFO("txn %s %s: ENUM %s -> %s (%s)", t->branch, t->method, ans->number.aus, r->uri,
                 ef_sec_name(r->dnssec));
        route_uri(t, r->uri, strlen(r->uri), true);
    }
    ef_enum_answer_free(ans);
}

static void route_number(efd_txn_t *t, const char *num, size_t len)
{
    ef_enumsvc_t svcs[EFD_LIST_MAX + 1];
    ef_enum_opts_t opts = {.services = svcs};
    ef_perr_t perr = {0};
    const char *names[EFD_LIST_MAX + 1];
    size_t n = wanted(t, names, EFD_LIST_MAX + 1);

    for (size_t i = 0; i < n; i++)
        if (ef_enumsvc_parse(names[i], strlen(names[i]), &svcs[opts.n_services], NULL) == 0)
            opts.n_services++;
    t->w->stats.enum_queries++;
    int rc = ef_enum_query(t->w->res, num, len, &opts, enum_done, t, &t->enum_q, &perr);
    if (rc != 0) {
        char why[200];
        snprintf(why, sizeof why, "not an E.164 number: %s", perr.reason ? perr.reason : "");
        efd_txn_reply(t, 404, why, NULL);
    }
}

/* A telephone number in the Request-URI: tel:+N, or sip:+N@host;user=phone. */
static bool number_of(const ef_uri_t *u, ef_str_t uri, ef_str_t *num)
{
    if (u->scheme == EF_URI_TEL) {
        *num = uri;
        return u->global_number;
    }
    const ef_uri_param_t *p = ef_uri_param(u, "user");
    if ((u->scheme == EF_URI_SIP || u->scheme == EF_URI_SIPS) && p != NULL && p->value.len == 5 &&
        strncasecmp(p->value.ptr, "phone", 5) == 0 && u->user.len > 1 && u->user.ptr[0] == '+') {
        *num = u->user;
        return true;
    }
    return false;
}

/* ---- the decision ------------------------------------------------------------ */

/* user@host of a URI, lowercase host, for the rate limits; "" when it has none. */
static void aor_of(ef_str_t uri, char *out, size_t cap)
{
    ef_uri_t u;
    out[0] = '\0';
    if (!domain_of(uri.ptr, uri.len, &u))
        return;
    int n = snprintf(out, cap, "%.*s%s", (int)u.user.len, u.user.ptr, u.user.len ? "@" : "");
    for (size_t i = 0; n >= 0 && i < u.host.len && (size_t)n + i + 1 < cap; i++) {
        char c = u.host.ptr[i];
        out[n + (int)i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        out[n + (int)i + 1] = '\0';
    }
}

static bool from_uri(const ef_sip_msg_t *msg, ef_str_t *uri)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_FROM);
    ef_sip_addr_t a;
    if (h == NULL || ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) != 0)
        return false;
    *uri = a.uri;
    return true;
}

/*
 * The user trust level a peer asserts (seed §9.2): a parameter of the
 * P-Asserted-Identity URI (RFC 3325 §9.1), believed only when that identity
 * is in the From domain the peer's certificate vouches for. An identity the
 * peer could not assert is removed before the request goes on (RFC 3325 §5).
 */
static bool peer_trusted(efd_txn_t *t, const ef_sip_msg_t *msg, ef_str_t from_dom)
{
    const efd_config_t *cfg = t->w->cfg;
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_P_ASSERTED_IDENTITY);
    ef_sip_addr_t a[2];
    ef_uri_t u;

    if (h == NULL)
        return false;
    int n = ef_sip_parse_addr_list(h->value.ptr, h->value.len, a, 2, NULL, NULL);
    if (n < 1 || !domain_of(a[0].uri.ptr, a[0].uri.len, &u) || u.host.len != from_dom.len ||
        strncasecmp(u.host.ptr, from_dom.ptr, from_dom.len) != 0) {
        t->pai_strip = true;
        return false;
    }
    const ef_uri_param_t *p = ef_uri_param(&u, cfg->trust_param);
    for (size_t i = 0; p != NULL && i < cfg->n_trusted_levels; i++)
        if (p->value.len == strlen(cfg->trusted_levels[i]) &&
            strncasecmp(p->value.ptr, cfg->trusted_levels[i], p->value.len) == 0)
            return true;
    return false;
}

/* The rate limits of seed §10.1: reject, degrade, or close. */
static bool within_limits(efd_txn_t *t, const ef_sip_msg_t *msg, ef_str_t from_dom, bool trusted)
{
    char peer[EFD_NAME_MAX], sender[EF_URI_MAX], recipient[EF_URI_MAX], why[300], extra[64];
    ef_str_t fu = {0};
    unsigned retry = 1;

    snprintf(peer, sizeof peer, "%.*s", (int)from_dom.len, from_dom.ptr);
    from_uri(msg, &fu);
    aor_of(fu, sender, sizeof sender);
    aor_of(msg->uri, recipient, sizeof recipient);
    efd_limit_t l = efd_policy_admit(t->w->d, t->w->cfg, peer, sender, recipient, trusted, &retry);
    if (l == EFD_LIMIT_NONE)
        return true;
    t->w->stats.limited[l == EFD_LIMIT_CLOSE ? EFD_LIMIT_PEER : l]++;
    snprintf(extra, sizeof extra, "Retry-After: %u\r\n", retry);
    if (l == EFD_LIMIT_SENDER) {
        snprintf(why, sizeof why, "%.200s sends more than this community accepts from a%s user",
                 sender, trusted ? " trusted" : " non-trusted");
        efd_txn_reply(t, 403, why, extra);
    } else if (l == EFD_LIMIT_RECIPIENT) {
        snprintf(why, sizeof why, "%.200s receives more requests than it accepts now", recipient);
        efd_txn_reply(t, 480, why, extra);
    } else {
        snprintf(why, sizeof why, "%s sends more than this community accepts", peer);
        efd_txn_reply(t, 503, why, extra);
    }
    if (l == EFD_LIMIT_CLOSE) {
        t->w->stats.limit_closes++;
        efd_conn_drop(t->w, t->from.conn_id, "over the rate limit by a whole burst");
    }
    return false;
}

/* A request from a peer community (seed §4.3, RFC 5922 §7.2, seed §7). */
static bool peer_request_ok(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    const efd_config_t *cfg = t->w->cfg;
    efd_conn_t *c = efd_conn_get(t->w, t->from.conn_id);
    ef_str_t d;
    char why[400];

    if (c == NULL) {
        efd_txn_reply(t, 403, "requests from peers are taken over TLS only", NULL);
        return false;
    }
    if (rr_bytes(msg) > cfg->max_record_route) {
        snprintf(why, sizeof why, "Record-Route exceeds %u bytes", cfg->max_record_route);
        efd_txn_reply(t, 513, why, NULL);
        return false;
    }
    if (!from_domain(msg, &d)) {
        efd_txn_reply(t, 403, "the From URI has no domain", NULL);
        return false;
    }
    if (efd_config_peer(cfg, d.ptr, d.len) == NULL) {
        snprintf(why, sizeof why, "%.*s is not a federation peer of %s", (int)d.len, d.ptr,
                 cfg->domains[0]);
        efd_txn_reply(t, 403, why, NULL);
        return false;
    }
    if (!efd_conn_authorises(c, d.ptr, d.len)) {
        snprintf(why, sizeof why, "the peer's certificate does not name %.*s", (int)d.len, d.ptr);
        efd_txn_reply(t, 403, why, NULL);
        return false;
    }
    if (strcmp(t->method, "ACK") == 0 || strcmp(t->method, "CANCEL") == 0)
        return true; /* they end what was admitted */
    return within_limits(t, msg, d, peer_trusted(t, msg, d));
}

/* Our assertion of the sender's identity and trust level toward peers (seed §9.2). */
static void assert_identity(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    const efd_config_t *cfg = t->w->cfg;
    ef_str_t fu;
    if (cfg->assert_level[0] == '\0' || ef_sip_msg_header(msg, EF_HDR_P_ASSERTED_IDENTITY) ||
        !from_uri(msg, &fu) || memchr(fu.ptr, '?', fu.len) != NULL)
        return;
    size_t cap = fu.len + strlen(cfg->trust_param) + strlen(cfg->assert_level) + 8;
    if ((t->pai_add = malloc(cap)) != NULL)
        snprintf(t->pai_add, cap, "<%.*s;%s=%s>", (int)fu.len, fu.ptr, cfg->trust_param,
                 cfg->assert_level);
}

/* A request from our own side: its sender must be one of our users. */
static bool internal_request_ok(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    ef_str_t d;
    char why[400];
    if (!from_domain(msg, &d)) {
        efd_txn_reply(t, 403, "the From URI has no domain", NULL);
        return false;
    }
    if (!efd_config_is_local(t->w->cfg, d.ptr, d.len)) {
        snprintf(why, sizeof why, "%.*s is not a domain of this community", (int)d.len, d.ptr);
        efd_txn_reply(t, 403, why, NULL);
        return false;
    }
    assert_identity(t, msg);
    return true;
}

/* A To tag: the request belongs to a dialog (RFC 3261 §12.2). */
static bool in_dialog(const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_TO);
    ef_sip_addr_t a;
    return h != NULL && ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) == 0 &&
           ef_sip_param_get(&a.params, "tag") != NULL;
}

/*
 * In a dialog: the Route set leads across the edge, to the side it did not
 * come from. Toward another community, the peer is the one our Record-Route
 * named (peer), else the To URI's domain: the To of a dialog made by number
 * may be a tel: URI.
 */
static void route_dialog(efd_txn_t *t, const ef_sip_msg_t *msg, ef_str_t next, ef_str_t peer)
{
    ef_uri_t u;
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_TO);
    ef_sip_addr_t to;
    if (!domain_of(next.ptr, next.len, &u) || h == NULL ||
        ef_sip_parse_addr(h->value.ptr, h->value.len, &to, NULL) != 0) {
        efd_txn_reply(t, 400, "unusable Route", NULL);
        return;
    }
    if (t->from.side == EFD_SIDE_FEDERATION) {
        /* the next hop inside; its address is the Route's */
        efd_addr_t a = {.side = EFD_SIDE_INTERNAL, .transport = EF_TRANSPORT_UDP, .udp_fd = -1};
        char host[EFD_NAME_MAX];
        snprintf(host, sizeof host, "%.*s", (int)u.host.len, u.host.ptr);
        if (efd_sockaddr(host, u.port > 0 ? (uint16_t)u.port : 5060, &a.addr, &a.addrlen) != 0) {
            relay_internal(t, NULL);
            return;
        }
        a.udp_fd = internal_udp_fd(t->w);
        efd_txn_relay(t, &a, NULL);
        return;
    }
    ef_uri_t tu;
    if (peer.len == 0 && !domain_of(to.uri.ptr, to.uri.len, &tu)) {
        efd_txn_reply(t, 400, "no peer named by the Route and no domain in the To URI", NULL);
        return;
    }
    char loc[EF_URI_MAX + 8];
    snprintf(loc, sizeof loc, "%.*s", (int)next.len, next.ptr);
    relay_peer(t, peer.len > 0 ? peer : tu.host, loc);
}

void efd_route(efd_txn_t *t, const ef_sip_msg_t *msg)
{
    ef_str_t next, num, peer;
    ef_uri_t u;

    t->pop_routes = scan_routes(t->w, msg, &next, &peer);
    if (t->from.side == EFD_SIDE_FEDERATION ? !peer_request_ok(t, msg)
                                            : !internal_request_ok(t, msg))
        return;
    if (t->from.side == EFD_SIDE_FEDERATION && efd_contacts_peer_request(t, msg))
        return; /* the inter-domain presence rules answered it (seed 5.1, 5.3) */
    if (t->from.side == EFD_SIDE_INTERNAL)
        efd_contacts_internal_request(t, msg);
    /* in a dialog we record-routed, at its last hop: the remote target; a Route naming
     * only us outside a dialog (we are an outbound proxy) leaves the Request-URI to
     * route by (RFC 3261 §16.4, §16.5) */
    if (next.ptr == NULL && t->pop_routes > 0 && in_dialog(msg))
        next = msg->uri;
    if (next.ptr != NULL) {
        route_dialog(t, msg, next, peer);
        return;
    }
    if (strcmp(t->method, "REGISTER") == 0 && t->w->store != NULL) {
        if (t->from.side == EFD_SIDE_FEDERATION)
            efd_txn_reply(t, 403, "registrations are taken from our own users only", NULL);
        else
            efd_registrar_register(t, msg);
        return;
    }
    if (ef_uri_parse(msg->uri.ptr, msg->uri.len, &u, NULL) != 0) {
        efd_txn_reply(t, 416, "unsupported Request-URI", NULL);
        return;
    }
    if (number_of(&u, msg->uri, &num)) {
        if (t->from.side == EFD_SIDE_INTERNAL) {
            route_number(t, num.ptr, num.len);
            return;
        }
        if (u.scheme == EF_URI_TEL) {
            efd_txn_reply(t, 416, "tel: URIs are resolved by the sender's community", NULL);
            return;
        }
    }
    route_uri(t, msg->uri.ptr, msg->uri.len, false);
}
