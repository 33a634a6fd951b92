/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * check.c -- the verdict on a request that parsed: the order follows RFC 3261
 * §8.2 (method, headers, content) for user agents and §16.3 (syntax, scheme,
 * Max-Forwards, Proxy-Require) for proxies; each test names the torture
 * message of RFC 4475 it answers.
 */
#include <string.h>
#include <strings.h>

#include "enumfed/sip_check.h"
#include "enumfed/sip_hdr.h"
#include "enumfed/uri.h"

#define LIST_MAX 32

static const char *const default_methods[] = {"INVITE",  "ACK",      "BYE",     "CANCEL",
                                              "OPTIONS", "REGISTER", "MESSAGE", "SUBSCRIBE",
                                              "NOTIFY",  "PUBLISH",  "INFO",    NULL};
static const char *const default_media[] = {"text/plain",
                                            "application/sdp",
                                            "application/pidf+xml",
                                            "message/cpim",
                                            "application/im-iscomposing+xml",
                                            NULL};
static const char *const no_extensions[] = {NULL};

static int verdict(ef_sip_verdict_t *v, int status, const char *reason, ef_sip_hdr_t h)
{
    v->status = status;
    v->reason = reason;
    v->header = h;
    return status;
}

static bool in_list(const char *const *list, ef_str_t s, bool icase)
{
    for (; *list != NULL; list++)
        if (strlen(*list) == s.len &&
            (icase ? strncasecmp(*list, s.ptr, s.len) : strncmp(*list, s.ptr, s.len)) == 0)
            return true;
    return false;
}

static size_t count(const ef_sip_msg_t *msg, ef_sip_hdr_t id)
{
    size_t i, n = 0;

    for (i = 0; i < msg->n_headers; i++)
        n += msg->headers[i].id == id;
    return n;
}

/* RFC 3261 §8.1.1 and RFC 4475 §3.3.1 (insuf), §3.3.9 (multi01). */
static int required_headers(const ef_sip_msg_t *msg, ef_sip_verdict_t *v)
{
    static const ef_sip_hdr_t needed[] = {EF_HDR_VIA, EF_HDR_FROM, EF_HDR_TO, EF_HDR_CALL_ID,
                                          EF_HDR_CSEQ};
    static const ef_sip_hdr_t single[] = {
        EF_HDR_FROM,         EF_HDR_TO,      EF_HDR_CALL_ID,       EF_HDR_CSEQ, EF_HDR_MAX_FORWARDS,
        EF_HDR_CONTENT_TYPE, EF_HDR_EXPIRES, EF_HDR_CONTENT_LENGTH}; /* mcl01, multi01 */
    size_t i;

    for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
        if (msg->first[needed[i]] == 0)
            return verdict(v, 400, "a mandatory header is missing", needed[i]);
    for (i = 0; i < sizeof(single) / sizeof(single[0]); i++)
        if (count(msg, single[i]) > 1)
            return verdict(v, 400, "a single-value header appears more than once", single[i]);
    return 0;
}

/* An addr-spec URI with ',', '?' or ';' must be in angle brackets (RFC 3261 §20.10). */
static bool bare_uri_ok(const ef_sip_addr_t *a)
{
    return a->angle || memchr(a->uri.ptr, '?', a->uri.len) == NULL;
}

/* Typed syntax of every header the checks below rely on (RFC 4475 §3.1.2). */
static int header_syntax(const ef_sip_header_t *h, ef_sip_verdict_t *v)
{
    union {
        ef_sip_via_t via[8];
        ef_sip_addr_t addr[8];
        ef_sip_cseq_t cseq;
        ef_str_t tokens[LIST_MAX];
        ef_sip_media_t media[8];
    } u;
    const char *p = h->value.ptr;
    size_t n = h->value.len;
    uint32_t num;
    bool star;
    int rc = 0, i;

    switch (h->id) {
    case EF_HDR_VIA:
        rc = ef_sip_parse_via(p, n, u.via, 8, NULL);
        break;
    case EF_HDR_FROM:
    case EF_HDR_TO:
        rc = ef_sip_parse_addr(p, n, u.addr, NULL);
        if (rc == 0 && !bare_uri_ok(u.addr))
            rc = EF_ESYNTAX;
        break;
    case EF_HDR_CONTACT:
    case EF_HDR_ROUTE:
    case EF_HDR_RECORD_ROUTE:
        rc = ef_sip_parse_addr_list(p, n, u.addr, 8, &star, NULL);
        for (i = 0; rc > 0 && i < rc; i++)
            if (!bare_uri_ok(&u.addr[i]))
                rc = EF_ESYNTAX;
        break;
    case EF_HDR_CSEQ:
        rc = ef_sip_parse_cseq(p, n, &u.cseq, NULL);
        break;
    case EF_HDR_CALL_ID:
        rc = ef_sip_parse_callid(p, n, &u.tokens[0], NULL);
        break;
    case EF_HDR_MAX_FORWARDS:
        rc = ef_sip_parse_uint(p, n, 255, &num, NULL);
        break;
    case EF_HDR_EXPIRES:
        rc = ef_sip_parse_uint(p, n, UINT32_MAX, &num, NULL);
        break;
    case EF_HDR_CONTENT_TYPE:
        rc = ef_sip_parse_media(p, n, u.media, NULL);
        break;
    case EF_HDR_ACCEPT:
        rc = ef_sip_parse_accept(p, n, u.media, 8, NULL);
        break;
    case EF_HDR_REQUIRE:
    case EF_HDR_PROXY_REQUIRE:
    case EF_HDR_SUPPORTED:
        rc = ef_sip_parse_tokens(p, n, u.tokens, LIST_MAX, NULL);
        break;
    default:
        return 0;
    }
    return rc == EF_ESYNTAX ? verdict(v, 400, "a header value is malformed", h->id) : 0;
}

/* RFC 3261 §8.2.2.1, §16.3 item 2: a scheme the element does not know gets 416. */
static int uri_scheme(ef_str_t text, ef_sip_verdict_t *v)
{
    ef_uri_t uri;

    if (ef_uri_parse(text.ptr, text.len, &uri, NULL) == 0 && uri.scheme == EF_URI_OTHER)
        return verdict(v, 416, "the Request-URI scheme is not supported",
                       EF_HDR_OTHER); /* RFC 4475 §3.3.2 unkscm, §3.3.3 novelsc */
    return 0;
}

/* RFC 3261 §10.3 step 3: a REGISTER's To is a SIP or SIPS address-of-record (unksm2). */
static int register_aor(const ef_sip_msg_t *msg, ef_sip_verdict_t *v)
{
    const ef_sip_header_t *to = ef_sip_msg_header(msg, EF_HDR_TO);
    ef_sip_addr_t a;
    ef_uri_t uri;

    if (msg->method.len != 8 || memcmp(msg->method.ptr, "REGISTER", 8) != 0)
        return 0;
    if (ef_sip_parse_addr(to->value.ptr, to->value.len, &a, NULL) < 0 ||
        ef_uri_parse(a.uri.ptr, a.uri.len, &uri, NULL) < 0 ||
        (uri.scheme != EF_URI_SIP && uri.scheme != EF_URI_SIPS))
        return verdict(v, 400, "the address-of-record is not a SIP or SIPS URI", EF_HDR_TO);
    return 0;
}

/* RFC 3261 §8.2.3 / §21.4.7: an INVITE whose Accept rules out SDP gets 406 (sdp01). */
static int accept_sdp(const ef_sip_msg_t *msg, ef_sip_verdict_t *v)
{
    const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_ACCEPT);
    ef_sip_media_t ranges[8];
    int n, i;

    if (h == NULL || msg->method.len != 6 || memcmp(msg->method.ptr, "INVITE", 6) != 0)
        return 0;
    n = ef_sip_parse_accept(h->value.ptr, h->value.len, ranges, 8, NULL);
    if (n <= 0)
        return 0; /* an empty Accept: no body wanted, nothing to refuse here */
    for (i = 0; i < n; i++) {
        ef_str_t t = ranges[i].type, st = ranges[i].subtype;
        bool any_t = t.len == 1 && t.ptr[0] == '*', any_st = st.len == 1 && st.ptr[0] == '*';
        if ((any_t || (t.len == 11 && strncasecmp(t.ptr, "application", 11) == 0)) &&
            (any_st || (st.len == 3 && strncasecmp(st.ptr, "sdp", 3) == 0)))
            return 0;
    }
    return verdict(v, 406, "Accept does not allow application/sdp", EF_HDR_ACCEPT);
}

/* RFC 3261 §8.2.2.3 / §16.3 item 4: every option tag required must be supported. */
static int option_tags(const ef_sip_msg_t *msg, ef_sip_hdr_t id, const char *const *ext,
                       ef_sip_verdict_t *v)
{
    ef_str_t tags[LIST_MAX];
    size_t i;
    int n, k;

    for (i = 0; i < msg->n_headers; i++) {
        if (msg->headers[i].id != id)
            continue;
        n = ef_sip_parse_tokens(msg->headers[i].value.ptr, msg->headers[i].value.len, tags,
                                LIST_MAX, NULL);
        for (k = 0; k < n; k++)
            if (!in_list(ext, tags[k], true)) {
                v->unsupported = tags[k];
                return verdict(v, 420, "an extension the element does not support is required",
                               id); /* RFC 4475 §3.3.5 bext01 */
            }
    }
    return 0;
}

/* RFC 3261 §8.2.3: the body must be of a type the UAS understands. */
static int content(const ef_sip_msg_t *msg, const char *const *media, ef_sip_verdict_t *v)
{
    const ef_sip_header_t *ct = ef_sip_msg_header(msg, EF_HDR_CONTENT_TYPE);
    ef_sip_media_t m;
    char full[128];

    if (msg->body.len == 0 || ct == NULL)
        return 0;
    if (ef_sip_parse_media(ct->value.ptr, ct->value.len, &m, NULL) < 0 ||
        m.type.len + m.subtype.len + 2 > sizeof(full))
        return verdict(v, 415, "the body type is not supported", EF_HDR_CONTENT_TYPE);
    memcpy(full, m.type.ptr, m.type.len);
    full[m.type.len] = '/';
    memcpy(full + m.type.len + 1, m.subtype.ptr, m.subtype.len);
    if (!in_list(media, (ef_str_t){full, m.type.len + 1 + m.subtype.len}, true))
        return verdict(v, 415, "the body type is not supported", EF_HDR_CONTENT_TYPE);
    return 0; /* RFC 4475 §3.3.6 invut */
}

static bool method_is(const ef_sip_msg_t *msg, const char *m)
{
    return msg->method.len == strlen(m) && memcmp(msg->method.ptr, m, msg->method.len) == 0;
}

static int check_request(const ef_sip_msg_t *msg, const ef_sip_check_opts_t *o, ef_sip_verdict_t *v)
{
    const char *const *methods = o->methods ? o->methods : default_methods;
    const char *const *ext = o->extensions ? o->extensions : no_extensions;
    uint32_t mf;

    if (o->role == EF_ROLE_UAS && !in_list(methods, msg->method, false))
        return verdict(v, 501, "the method is not implemented", EF_HDR_OTHER);
    if (required_headers(msg, v) != 0 || ef_sip_check_syntax(msg, v) != 0 ||
        uri_scheme(msg->uri, v) != 0)
        return v->status;
    if (o->role == EF_ROLE_PROXY) {
        const ef_sip_header_t *h = ef_sip_msg_header(msg, EF_HDR_MAX_FORWARDS);
        if (h != NULL && ef_sip_parse_uint(h->value.ptr, h->value.len, 255, &mf, NULL) == 0 &&
            mf == 0) /* RFC 3261 §16.3 item 2; RFC 4475 §3.3.8 zeromf */
            return verdict(v, 483, "Max-Forwards reached zero", EF_HDR_MAX_FORWARDS);
        return option_tags(msg, EF_HDR_PROXY_REQUIRE, ext, v);
    }
    if (register_aor(msg, v) != 0)
        return v->status;
    if (!method_is(msg, "ACK") && !method_is(msg, "CANCEL") &&
        option_tags(msg, EF_HDR_REQUIRE, ext, v) != 0) /* §8.2.2.3: not for ACK, CANCEL */
        return v->status;
    if (content(msg, o->media ? o->media : default_media, v) != 0)
        return v->status;
    return accept_sdp(msg, v);
}

/* RFC 3261 §20.17: SIP-date = rfc1123-date, "Sat, 13 Nov 2010 23:29:00 GMT" (RFC 4475 baddate). */
static bool sip_date(ef_str_t d)
{
    static const char shape[] = "WWW, DD AAA DDDD DD:DD:DD GMT";
    static const char days[] = "Mon Tue Wed Thu Fri Sat Sun ";
    static const char months[] = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec ";
    char day[5] = {0}, month[5] = {0};
    size_t i;

    if (d.len != sizeof(shape) - 1)
        return false;
    for (i = 0; i < d.len; i++) {
        char c = d.ptr[i];
        bool ok = shape[i] == 'D'   ? c >= '0' && c <= '9'
                  : shape[i] == 'W' ? (day[i] = c) != 0
                  : shape[i] == 'A' ? (month[i - 8] = c) != 0
                                    : c == shape[i];
        if (!ok)
            return false;
    }
    day[3] = month[3] = ' ';
    return strstr(days, day) != NULL && (size_t)(strstr(days, day) - days) % 4 == 0 &&
           strstr(months, month) != NULL && (size_t)(strstr(months, month) - months) % 4 == 0;
}

/*
 * Grammar and the constraints RFC 4475 §3.1.2 counts as invalid: typed header
 * values (ranges included: scalar02), the CSeq method (mismatch01), headers in
 * the Request-URI (escruri), an addr-spec with headers (regbadct), the Date
 * format (baddate), the version (badvers).
 */
int ef_sip_check_syntax(const ef_sip_msg_t *msg, ef_sip_verdict_t *v)
{
    const ef_sip_header_t *cs = ef_sip_msg_header(msg, EF_HDR_CSEQ);
    const ef_sip_header_t *date = ef_sip_msg_header(msg, EF_HDR_DATE);
    ef_sip_cseq_t cseq;
    ef_uri_t uri;
    size_t i;

    memset(v, 0, sizeof(*v));
    if (msg->version.len != 7 || strncasecmp(msg->version.ptr, "SIP/2.0", 7) != 0)
        return verdict(v, 505, "the SIP version is not supported", EF_HDR_OTHER);
    for (i = 0; i < msg->n_headers; i++)
        if (header_syntax(&msg->headers[i], v) != 0)
            return v->status;
    if (date != NULL && !sip_date(date->value))
        return verdict(v, 400, "the Date is not an RFC 1123 date in GMT", EF_HDR_DATE);
    if (!msg->is_request)
        return 0;
    if (ef_uri_parse(msg->uri.ptr, msg->uri.len, &uri, NULL) < 0)
        return verdict(v, 400, "the Request-URI is malformed", EF_HDR_OTHER);
    if ((uri.scheme == EF_URI_SIP || uri.scheme == EF_URI_SIPS) && uri.n_headers > 0)
        return verdict(v, 400, "headers are not allowed in a Request-URI (RFC 3261 §19.1.1)",
                       EF_HDR_OTHER);
    if (cs != NULL && ef_sip_parse_cseq(cs->value.ptr, cs->value.len, &cseq, NULL) == 0 &&
        (cseq.method.len != msg->method.len ||
         memcmp(cseq.method.ptr, msg->method.ptr, msg->method.len) != 0))
        return verdict(v, 400, "the CSeq method differs from the request method", EF_HDR_CSEQ);
    return 0;
}

int ef_sip_check(const ef_sip_msg_t *msg, const ef_sip_check_opts_t *opts, ef_sip_verdict_t *v)
{
    static const ef_sip_check_opts_t dflt = {.role = EF_ROLE_UAS};
    const ef_sip_check_opts_t *o = opts != NULL ? opts : &dflt;
    ef_sip_verdict_t scratch;

    if (v == NULL)
        v = &scratch;
    memset(v, 0, sizeof(*v));
    if (!msg->is_request) { /* RFC 3261 §18.1.2: a malformed response is dropped */
        if (required_headers(msg, v) != 0 || ef_sip_check_syntax(msg, v) != 0)
            return verdict(v, -1, v->reason, v->header);
        return 0;
    }
    if (msg->version.len != 7 || strncasecmp(msg->version.ptr, "SIP/2.0", 7) != 0)
        return verdict(v, 505, "the SIP version is not supported", EF_HDR_OTHER);
    return check_request(msg, o, v);
}
