/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c -- the IM modes of the inter-domain profile at the edge that is
 * its community's registrar (seed §6.1-§6.3.2) and the recording notice of
 * seed §9.1.
 *
 * Session-mode IM is MESSAGE inside an INVITE dialog whose SDP offers
 * "m=message <port> sip <uri>" (seed §6.3.2). Such an INVITE for one of our
 * users is relayed like any other unless the session cannot be had: the
 * community switched the mode off (community.session_im), or every contact
 * the user registered says, with the RFC 3840 "methods" feature tag, that it
 * does not take INVITE. Then the edge answers 488 with a Warning saying why
 * and that page mode is the alternative, and an Allow listing MESSAGE: that
 * is how page mode is expressed as a capability (seed §6.2). An SDP body
 * would describe the very mode refused, so there is none. The MESSAGEs,
 * INFOs and the BYE of an established session follow its route set through
 * both edges (RFC 3261 §12.2) and never come here.
 *
 * OPTIONS outside a dialog are answered for the user (seed §6.1, §6.2): Allow
 * with MESSAGE, and with INVITE and an SDP capability description holding
 * the m=message line when session-mode IM can be had (seed §6.3.2, RFC 3264
 * §9). An INFO outside a dialog belongs to no invite dialog usage, the only
 * place INFO may be sent (RFC 6086 §4.2.1); the edge answers 481 for the
 * user as RFC 3261 §12.2.2 and RFC 2976 §2.2 have a UAS do.
 *
 * The recording notice (community.recording) is standards-based on both
 * modes: "a=record:on" (RFC 7866 §6.1) added to the m=message section of
 * every INVITE offer and 2xx answer the edge relays, so both parties learn it
 * during establishment and renegotiation; and for page mode, where there is
 * no session description, a Warning 399 (RFC 3261 §20.43: text for a human
 * user) in the 2xx the sender gets -- also in the 2xx answered without
 * delivery, so the notice does not tell a real user from an unknown one.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "enumfed/sdp.h"
#include "log.h"
#include "session.h"
#include "store.h"

#define SDP_LINES 256   /* lines of an SDP body we look into */
#define CAPS_SLOTS 4096 /* contacts whose methods are remembered */
#define CAPS_PROBES 32  /* open addressing: slots tried per key */

/* ---- methods of registered contacts (RFC 3840 §9) ------------------------------ */

static const struct {
    const char *name;
    unsigned bit;
} method_bits[] = {
    {"INVITE", EFD_METHOD_INVITE},   {"ACK", EFD_METHOD_ACK},
    {"CANCEL", EFD_METHOD_CANCEL},   {"BYE", EFD_METHOD_BYE},
    {"OPTIONS", EFD_METHOD_OPTIONS}, {"MESSAGE", EFD_METHOD_MESSAGE},
    {"INFO", EFD_METHOD_INFO},       {"SUBSCRIBE", EFD_METHOD_SUBSCRIBE},
    {"NOTIFY", EFD_METHOD_NOTIFY},
};

/* RFC 3261 §25.1 token */
static bool token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-.!%*_+`'~", c) != NULL;
}

static bool trim_token(const char *p, const char *e, ef_str_t *out)
{
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (p == e)
        return false;
    for (const char *q = p; q < e; q++)
        if (*q == '\0' || !token_char(*q))
            return false;
    *out = (ef_str_t){p, (size_t)(e - p)};
    return true;
}

int efd_session_methods(ef_str_t value, unsigned *mask)
{
    const char *p = value.ptr, *end = value.ptr + value.len;
    if (value.ptr == NULL || value.len == 0)
        return EF_ESYNTAX;
    if (*p == '"') { /* the quoted tag-value-list of RFC 3840 §9 */
        if (value.len < 2 || end[-1] != '"')
            return EF_ESYNTAX;
        p++;
        end--;
    }
    *mask = 0;
    while (p <= end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *e = comma != NULL ? comma : end;
        ef_str_t m;
        if (!trim_token(p, e, &m))
            return EF_ESYNTAX;
        unsigned bit = EFD_METHOD_OTHER;
        for (size_t i = 0; i < sizeof method_bits / sizeof method_bits[0]; i++)
            if (m.len == strlen(method_bits[i].name) &&
                memcmp(m.ptr, method_bits[i].name, m.len) == 0) /* methods have case */
                bit = method_bits[i].bit;
        *mask |= bit;
        p = e + 1;
    }
    return 0;
}

unsigned efd_session_method_bit(const char *method)
{
    for (size_t i = 0; i < sizeof method_bits / sizeof method_bits[0]; i++)
        if (strcmp(method, method_bits[i].name) == 0)
            return method_bits[i].bit;
    return EFD_METHOD_OTHER;
}

/* The daemon's workers share one table: a REGISTER and the INVITE after it
 * may be handled by different workers. Keys are hashes of "aor\ncontact". */
static struct {
    uint64_t key; /* 0 = free */
    unsigned methods;
    int64_t expires;
} caps[CAPS_SLOTS];
static pthread_mutex_t caps_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t caps_key(const char *aor, const char *contact)
{
    uint64_t h = efd_hash(aor, strlen(aor), false) * 1099511628211ull; /* domains come lowercase */
    h ^= efd_hash(contact, strlen(contact), false);
    return h != 0 ? h : 1;
}

void efd_session_note_contact(const char *aor, const char *contact, const ef_sip_params_t *params,
                              int64_t expires)
{
    const ef_sip_param_t *p = params != NULL ? ef_sip_param_get(params, "methods") : NULL;
    unsigned mask = EFD_METHOD_ALL;
    uint64_t k = caps_key(aor, contact);
    size_t home = (size_t)(k % CAPS_SLOTS), victim = home;

    if (p != NULL && efd_session_methods(p->value, &mask) != 0)
        mask = EFD_METHOD_ALL; /* a list we cannot read excludes nothing */
    pthread_mutex_lock(&caps_lock);
    for (size_t i = 0; i < CAPS_PROBES; i++) {
        size_t s = (home + i) % CAPS_SLOTS;
        if (caps[s].key == k) {
            victim = s;
            break;
        }
        if (caps[s].key == 0 || caps[s].expires < caps[victim].expires)
            victim = s;
    }
    if (mask == EFD_METHOD_ALL || params == NULL) { /* nothing excluded: nothing to keep */
        if (caps[victim].key == k)
            caps[victim].key = 0;
    } else { /* new, or in place of the entry that expires first */
        caps[victim].key = k;
        caps[victim].methods = mask;
        caps[victim].expires = expires;
    }
    pthread_mutex_unlock(&caps_lock);
}

unsigned efd_session_contact_methods(const char *aor, const char *contact, int64_t now)
{
    uint64_t k = caps_key(aor, contact);
    size_t home = (size_t)(k % CAPS_SLOTS);
    unsigned mask = EFD_METHOD_ALL;

    pthread_mutex_lock(&caps_lock);
    for (size_t i = 0; i < CAPS_PROBES; i++) {
        size_t s = (home + i) % CAPS_SLOTS;
        if (caps[s].key == k) {
            if (caps[s].expires > now)
                mask = caps[s].methods;
            break;
        }
    }
    pthread_mutex_unlock(&caps_lock);
    return mask;
}

void efd_session_reset(void)
{
    pthread_mutex_lock(&caps_lock);
    memset(caps, 0, sizeof caps);
    pthread_mutex_unlock(&caps_lock);
}

size_t efd_session_pick(const char *aor, const efd_store_binding_t *b, size_t n, const char *method)
{
    unsigned bit = efd_session_method_bit(method);
    int64_t now = (int64_t)time(NULL);
    size_t best = n, any = 0;

    for (size_t i = 0; i < n; i++) {
        if (b[i].q > b[any].q)
            any = i;
        if ((efd_session_contact_methods(aor, b[i].contact, now) & bit) != 0 &&
            (best == n || b[i].q > b[best].q))
            best = i;
    }
    return best < n ? best : any;
}

/* What the registered contacts of aor take together; EFD_METHOD_ALL with none. */
static unsigned user_methods(efd_worker_t *w, const char *aor, size_t *n_contacts)
{
    efd_store_binding_t *b = NULL;
    size_t n = 0;
    int64_t now = (int64_t)time(NULL);
    unsigned mask = 0;

    if (w->store == NULL || efd_store_binding_list(w->store, aor, now, &b, &n) != 0)
        n = 0;
    for (size_t i = 0; i < n; i++)
        mask |= efd_session_contact_methods(aor, b[i].contact, now);
    efd_store_bindings_free(b, n);
    *n_contacts = n;
    return n > 0 ? mask : EFD_METHOD_ALL;
}

/* ---- messages -------------------------------------------------------------------- */

static bool parse_msg(const char *buf, size_t len, ef_sip_msg_t *msg, ef_sip_header_t *hdrs)
{
    /* a whole message in a buffer: the datagram rules frame it whatever the transport */
    return buf != NULL &&
           ef_sip_parse(buf, len, EF_SIP_DATAGRAM, msg, hdrs, EF_SIP_MAX_HEADERS, NULL, NULL) >= 0;
}

/* RFC 3261 §12: a request whose To has a tag belongs to a dialog. */
static bool in_dialog(const ef_sip_msg_t *msg)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_TO);
    ef_sip_addr_t a;
    return h != NULL && ef_sip_parse_addr(h->value.ptr, h->value.len, &a, NULL) == 0 &&
           ef_sip_param_get(&a.params, "tag") != NULL;
}

/* The SDP body of msg, when its Content-Type says application/sdp. */
static bool sdp_body(const ef_sip_msg_t *msg, ef_str_t *body)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_CONTENT_TYPE);
    ef_sip_media_t m;
    if (h == NULL || msg->body.len == 0 ||
        ef_sip_parse_media(h->value.ptr, h->value.len, &m, NULL) != 0 || m.type.len != 11 ||
        strncasecmp(m.type.ptr, "application", 11) != 0 || m.subtype.len != 3 ||
        strncasecmp(m.subtype.ptr, "sdp", 3) != 0)
        return false;
    *body = msg->body;
    return true;
}

/* The first m=message section on sip that is not rejected (port 0), or -1. */
static long message_section(const ef_sdp_t *sdp)
{
    for (size_t i = 0; i < sdp->n_media; i++) {
        const ef_sdp_media_t *m = &sdp->media[i];
        if (m->port != 0 && m->media.len == 7 && memcmp(m->media.ptr, "message", 7) == 0 &&
            m->proto.len == 3 && memcmp(m->proto.ptr, "sip", 3) == 0)
            return (long)i;
    }
    return -1;
}

/* msg (parsed from buf) with `body` in place of its own, Content-Length to
 * match, and a header hname: hvalue added at the end when hname is set. */
static int rewrite(const ef_sip_msg_t *msg, const char *buf, ef_str_t body, const char *hname,
                   ef_str_t hvalue, ef_buf_t *out)
{
    ef_sip_edits_t ed = {0};
    ef_sip_msg_t m = *msg;
    char cl[24];
    size_t i = msg->first[EF_HDR_CONTENT_LENGTH];

    snprintf(cl, sizeof cl, "%zu", body.len);
    if ((i > 0 ? ef_sip_edit_replace(&ed, i - 1, (ef_str_t){cl, strlen(cl)})
               : ef_sip_edit_insert(&ed, msg->n_headers, "Content-Length",
                                    (ef_str_t){cl, strlen(cl)})) != 0 ||
        (hname != NULL && ef_sip_edit_insert(&ed, msg->n_headers, hname, hvalue) != 0))
        return EF_E2BIG;
    m.body = body;
    return ef_sip_edit_write(&m, buf, &ed, out);
}

/* ---- answers for the user ----------------------------------------------------------- */

/* Our address on the side the request came from, for the o= and c= lines. */
static const char *our_address(const efd_txn_t *t)
{
    const efd_config_t *cfg = t->w->cfg;
    for (size_t i = 0; i < cfg->n_listen; i++)
        if (cfg->listen[i].side == t->from.side)
            return cfg->listen[i].address;
    return cfg->listen[0].address;
}

void efd_session_options(efd_txn_t *t, unsigned methods)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    ef_uri_t u;
    char uri[EF_URI_MAX + 8] = "", user[EFD_STORE_NAME_MAX] = "-";
    ef_buf_t body;
    bool session = t->w->cfg->session_im && (methods & EFD_METHOD_INVITE) != 0;
    const char *target = t->target;

    if (target == NULL && parse_msg(t->req, t->req_len, &msg, hdrs))
        snprintf(uri, sizeof uri, "%.*s", (int)msg.uri.len, msg.uri.ptr);
    else if (target != NULL)
        snprintf(uri, sizeof uri, "%s", target);
    if (ef_uri_parse(uri, strlen(uri), &u, NULL) == 0 && u.host_kind != EF_HOST_NONE) {
        snprintf(user, sizeof user, "%.*s", u.user.len ? (int)u.user.len : 1,
                 u.user.len ? u.user.ptr : "-");
        snprintf(uri, sizeof uri, "sip:%.*s%s%.*s", (int)u.user.len, u.user.ptr,
                 u.user.len ? "@" : "", (int)u.host.len, u.host.ptr);
    }
    /* seed §6.2: Allow lists MESSAGE; §6.3.2: the m=message line with session IM */
    const char *extra = session ? "Allow: INVITE, ACK, CANCEL, BYE, MESSAGE, OPTIONS\r\n"
                                  "Accept: application/sdp, text/plain, message/cpim, "
                                  "application/pidf+xml\r\n"
                                : "Allow: MESSAGE, OPTIONS\r\n"
                                  "Accept: text/plain, message/cpim, application/pidf+xml\r\n";
    if (!session) {
        efd_txn_reply(t, 200, NULL, extra);
        return;
    }
    ef_buf_init(&body, 4096);
    /* RFC 3264 §9: a session id unique for each capability description */
    uint64_t id = ((uint64_t)time(NULL) << 20) ^ (t->w->next_id++ & 0xfffff);
    ef_sdp_write_capability(&body, user, id, our_address(t), uri);
    if (body.failed)
        efd_txn_reply(t, 200, NULL, extra);
    else
        efd_txn_reply_body(t, 200, extra, "application/sdp", body.data, body.len);
    ef_buf_close(&body);
}

/* 488 for a session IM offer that cannot be had (seed §6.1). */
static void refuse(efd_txn_t *t, const char *why)
{
    char extra[600];
    /* RFC 3261 §20.43: 304 "Media type not available" -- the m=message line */
    snprintf(extra, sizeof extra,
             "Warning: 304 %s \"%s; page mode is available: send MESSAGE (RFC 3428)\"\r\n"
             "Allow: MESSAGE, OPTIONS\r\nAccept: text/plain, message/cpim\r\n",
             t->w->cfg->domains[0], why);
    efd_txn_reply(t, 488, NULL, extra);
}

static bool invite(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor)
{
    ef_sdp_line_t lines[SDP_LINES];
    ef_sdp_t sdp;
    ef_perr_t perr = {0};
    ef_str_t body;
    char why[300];
    size_t n;

    if (!sdp_body(msg, &body)) {
        efd_txn_reply(t, 400, "the INVITE carries no SDP offer (application/sdp)", NULL);
        return true;
    }
    if (ef_sdp_parse(body.ptr, body.len, &sdp, lines, SDP_LINES, &perr) != 0) {
        snprintf(why, sizeof why, "the SDP offer is malformed at byte %zu: %s", perr.offset,
                 perr.reason);
        efd_txn_reply(t, 400, why, NULL);
        return true;
    }
    if (message_section(&sdp) < 0)
        return false; /* not session-mode IM: the user's device decides */
    if (!t->w->cfg->session_im) {
        snprintf(why, sizeof why, "session-mode IM (MESSAGE inside INVITE) is off in %.200s",
                 t->w->cfg->domains[0]);
        refuse(t, why);
        return true;
    }
    unsigned methods = user_methods(t->w, aor, &n);
    if (n > 0 && (methods & EFD_METHOD_INVITE) == 0) {
        snprintf(why, sizeof why, "no device of %.200s takes INVITE", aor);
        refuse(t, why);
        return true;
    }
    return false;
}

bool efd_session_request(efd_txn_t *t, const char *aor)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    size_t n;

    if (strcmp(t->method, "OPTIONS") != 0 && strcmp(t->method, "INFO") != 0 &&
        strcmp(t->method, "INVITE") != 0)
        return false; /* MESSAGE, SUBSCRIBE...: not looked at here */
    if (!parse_msg(t->req, t->req_len, &msg, hdrs) || in_dialog(&msg))
        return false; /* in a dialog: relayed to the user's device as it is */
    if (strcmp(t->method, "OPTIONS") == 0) {
        efd_session_options(t, user_methods(t->w, aor, &n));
        return true;
    }
    if (strcmp(t->method, "INFO") == 0) {
        /* RFC 6086 §4.2.1: INFO only inside an invite dialog usage; none matches */
        efd_txn_reply(t, 481, "INFO belongs inside an INVITE dialog (RFC 6086)", NULL);
        return true;
    }
    if (strcmp(t->method, "INVITE") == 0)
        return invite(t, &msg, aor);
    return false;
}

/* ---- the recording notice (seed §9.1) ------------------------------------------------- */

static bool logs_sessions(const efd_config_t *cfg)
{
    return cfg->recording == EFD_RECORD_SESSIONS || cfg->recording == EFD_RECORD_ALL;
}

static bool logs_messages(const efd_config_t *cfg)
{
    return cfg->recording == EFD_RECORD_MESSAGES || cfg->recording == EFD_RECORD_ALL;
}

/* The message in buf with a=record:on in its m=message sections, into out.
 * @return true when out holds a changed copy */
static bool mark_sdp(const char *buf, size_t len, ef_buf_t *out)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sdp_line_t lines[SDP_LINES];
    ef_sip_msg_t msg;
    ef_sdp_t sdp;
    ef_str_t body;
    ef_buf_t nb;
    bool done = false;

    if (!parse_msg(buf, len, &msg, hdrs) || !sdp_body(&msg, &body) ||
        ef_sdp_parse(body.ptr, body.len, &sdp, lines, SDP_LINES, NULL) != 0 ||
        message_section(&sdp) < 0)
        return false;
    ef_buf_init(&nb, EF_SDP_MAX_SIZE + 4096);
    /* RFC 7866 §6.1: "a=record:on", the session is being recorded */
    if (ef_sdp_write_with_attr(&nb, &sdp, "message", "record:on") > 0 && !nb.failed)
        done = rewrite(&msg, buf, (ef_str_t){nb.data, nb.len}, NULL, EF_STR_NULL, out) == 0;
    ef_buf_close(&nb);
    return done;
}

void efd_session_offer(efd_txn_t *t)
{
    ef_buf_t out;

    if (!logs_sessions(t->w->cfg) || strcmp(t->method, "INVITE") != 0 || t->req == NULL)
        return;
    ef_buf_init(&out, t->w->cfg->max_message);
    if (mark_sdp(t->req, t->req_len, &out)) {
        free(t->req);
        t->req = out.data; /* taken over */
        t->req_len = out.len;
        out.data = NULL;
        EFD_INFO("txn %s INVITE: a=record:on added to the offer", t->branch);
    }
    ef_buf_close(&out);
}

size_t efd_session_notice(const efd_txn_t *t, int status, char *out, size_t cap)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;

    if (status < 200 || status >= 300 || !logs_messages(t->w->cfg) ||
        strcmp(t->method, "MESSAGE") != 0 || !parse_msg(t->req, t->req_len, &msg, hdrs) ||
        in_dialog(&msg))
        return 0;
    int n = snprintf(out, cap, "Warning: 399 %s \"instant messages are logged by %s\"\r\n",
                     t->w->cfg->domains[0], t->w->cfg->domains[0]);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

void efd_session_response(efd_txn_t *t, int status, ef_buf_t *out)
{
    ef_sip_header_t hdrs[EF_SIP_MAX_HEADERS];
    ef_sip_msg_t msg;
    ef_buf_t nb;
    char line[600];
    bool done = false;

    if (status < 200 || status >= 300 || out->failed)
        return;
    ef_buf_init(&nb, out->max);
    if (strcmp(t->method, "INVITE") == 0 && logs_sessions(t->w->cfg)) {
        done = mark_sdp(out->data, out->len, &nb);
    } else if (efd_session_notice(t, status, line, sizeof line) > 0 &&
               parse_msg(out->data, out->len, &msg, hdrs)) {
        /* "Warning: " off the front and the CRLF off the end: a header value */
        ef_str_t v = {line + 9, strlen(line) - 11};
        done = rewrite(&msg, out->data, msg.body, "Warning", v, &nb) == 0;
    }
    if (done) { /* the new copy takes the place of the old */
        ef_buf_t old = *out;
        *out = nb;
        nb = old;
    }
    ef_buf_close(&nb);
}
