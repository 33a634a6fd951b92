/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr.c -- typed parsers of the scalar and list SIP headers (RFC 3261 §20,
 * §25.1): CSeq, the decimal values (Max-Forwards, Expires, Min-Expires,
 * Content-Length), Call-ID, token lists (Allow, Supported, Require, ...),
 * Content-Type and Accept, Event and Subscription-State (RFC 6665 §8.2),
 * Warning, and the credentials and challenges of RFC 3261 §20.7 / §20.44
 * (digest parameters as in RFC 7616 §3.3, §3.4).
 *
 * Like the first level they read only the value slice they are given, never
 * write into it and never allocate; results are slices into it. Blanks and
 * folds (LWS) are accepted wherever the ABNF has LWS or SWS, and around the
 * whole value.
 */
#include <string.h>

#include "hdr_int.h"

#define WARN_CODE_DIGITS 3 /* RFC 3261 §25.1: warn-code = 3DIGIT */

/* --- CSeq, numbers, Call-ID ----------------------------------------------- */

/* RFC 3261 §20.16: CSeq = 1*DIGIT LWS Method; the number is below 2**31 in
   requests sent (§8.1.1.5) but any 32-bit value is read (RFC 4475 §3.1.2.4). */
int ef_sip_parse_cseq(const char *buf, size_t len, ef_sip_cseq_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t start;
    int rc;

    ef__hdr_lws(&x);
    if ((rc = ef__hdr_number(&x, UINT32_MAX, &out->seq, "expected the CSeq number",
                             "CSeq number out of range")) < 0)
        return rc;
    if (!ef__hdr_lws(&x))
        return ef__hdr_fail(&x, x.i,
                            x.i == x.n ? "expected the CSeq method"
                                       : "expected LWS between the CSeq number and method");
    start = x.i;
    if (ef__hdr_run(&x, HC_TOKEN) == 0)
        return ef__hdr_fail(&x, start, "expected the CSeq method");
    out->method = hdr_slice(&x, start, x.i);
    return ef__hdr_end(&x, "unexpected character after the CSeq method");
}

int ef_sip_parse_uint(const char *buf, size_t len, uint32_t max, uint32_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    int rc;

    ef__hdr_lws(&x);
    /* RFC 3261 §20.22: Max-Forwards is 0 to 255, hence the named reason for that bound */
    if ((rc = ef__hdr_number(&x, max, out, x.i == x.n ? "empty number" : "not a number",
                             max == 255 ? "Max-Forwards above 255" : "number out of range")) < 0)
        return rc;
    return ef__hdr_end(&x, "not a number");
}

/* RFC 3261 §20.8, §25.1: callid = word [ "@" word ] */
int ef_sip_parse_callid(const char *buf, size_t len, ef_str_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t start;

    ef__hdr_lws(&x);
    start = x.i;
    if (ef__hdr_run(&x, HC_WORD) == 0)
        return ef__hdr_fail(&x, start,
                            x.i == x.n ? "empty Call-ID" : "invalid character in Call-ID");
    if (hdr_at(&x, '@')) {
        x.i++;
        if (ef__hdr_run(&x, HC_WORD) == 0)
            return ef__hdr_fail(&x, x.i, "expected a word after '@' in Call-ID");
    }
    *out = hdr_slice(&x, start, x.i);
    return ef__hdr_end(&x, "invalid character in Call-ID");
}

/* --- token lists and media types ------------------------------------------ */

int ef_sip_parse_tokens(const char *buf, size_t len, ef_str_t *out, size_t cap, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t count = 0, start;
    int rc;

    ef__hdr_lws(&x);
    if (x.i == x.n) /* Allow / Supported = [ token *(COMMA token) ] */
        return 0;
    do {
        start = x.i;
        if (ef__hdr_run(&x, HC_TOKEN) == 0)
            return ef__hdr_fail(&x, start,
                                x.i == x.n || hdr_at(&x, ',') ? "empty token in list"
                                                              : "expected a token");
        if (count >= cap)
            return ef__hdr_fail_big(&x, start, "more tokens than the caller's capacity");
        out[count++] = hdr_slice(&x, start, x.i);
    } while ((rc = ef__hdr_next(&x, "expected ',' between tokens")) > 0);
    return rc < 0 ? rc : (int)count;
}

/* type SLASH subtype; wild allows the "*" of media-range (it is a token char anyway). */
static int media_type(hdr_cur_t *x, ef_sip_media_t *m)
{
    size_t start;

    ef__hdr_lws(x);
    start = x->i;
    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start, "expected the media type");
    m->type = hdr_slice(x, start, x->i);
    ef__hdr_lws(x);
    if (!hdr_at(x, '/'))
        return ef__hdr_fail(x, x->i, "expected '/' in the media type");
    x->i++;
    ef__hdr_lws(x);
    start = x->i;
    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start, "expected the media subtype");
    m->subtype = hdr_slice(x, start, x->i);
    return 0;
}

/* RFC 3261 §20.15: media-type = m-type SLASH m-subtype *(SEMI m-parameter), with
   m-parameter = m-attribute EQUAL m-value (a value is required). */
int ef_sip_parse_media(const char *buf, size_t len, ef_sip_media_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = media_type(&x, out)) < 0 ||
        (rc = ef__hdr_params(&x, &out->params, PV_REQUIRED | PV_NOHOST)) < 0)
        return rc;
    return ef__hdr_end(&x, "unexpected character after the media type");
}

/* RFC 3261 §20.1: Accept = [ accept-range *(COMMA accept-range) ], where the
   parameters mix m-parameter and accept-param (q, generic-param: value optional). */
int ef_sip_parse_accept(const char *buf, size_t len, ef_sip_media_t *out, size_t cap,
                        ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t count = 0;
    int rc;

    ef__hdr_lws(&x);
    if (x.i == x.n)
        return 0;
    do {
        if (count >= cap)
            return ef__hdr_fail_big(&x, x.i, "more media ranges than the caller's capacity");
        memset(&out[count], 0, sizeof(out[count]));
        if ((rc = media_type(&x, &out[count])) < 0 ||
            (rc = ef__hdr_params(&x, &out[count].params, 0)) < 0)
            return rc;
        count++;
    } while ((rc = ef__hdr_next(&x, "expected ',' between media ranges")) > 0);
    return rc < 0 ? rc : (int)count;
}

/* --- Event, Subscription-State (RFC 6665 §8.2) ---------------------------- */

/* event-type = event-package *( "." event-template ), each a token-nodot: no empty part. */
static int event_type(hdr_cur_t *x, ef_str_t *out)
{
    size_t start, i;

    ef__hdr_lws(x);
    start = x->i;
    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start, "expected the event package");
    for (i = start; i < x->i; i++)
        if (x->s[i] == '.' && (i == start || i + 1 == x->i || x->s[i + 1] == '.'))
            return ef__hdr_fail(x, i, "empty event package or template");
    *out = hdr_slice(x, start, x->i);
    return 0;
}

int ef_sip_parse_event(const char *buf, size_t len, ef_sip_event_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    const ef_sip_param_t *id;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = event_type(&x, &out->package)) < 0 || (rc = ef__hdr_params(&x, &out->params, 0)) < 0)
        return rc;
    if ((id = ef_sip_param_get(&out->params, "id")) != NULL) {
        /* event-param = generic-param / ( "id" EQUAL token ) */
        if (id->value.ptr == NULL || id->value.ptr[0] == '"' || id->value.ptr[0] == '[')
            return ef__hdr_fail(&x, (size_t)(id->name.ptr - buf), "id is not a token");
        out->id = id->value;
    }
    return ef__hdr_end(&x, "unexpected character after the Event value");
}

/* delta-seconds = 1*DIGIT of a Subscription-State parameter, 32-bit. */
static int delta(hdr_cur_t *x, const ef_sip_param_t *p, long *out)
{
    hdr_cur_t y = {p->value.ptr, p->value.len, 0, NULL};
    size_t off = (size_t)(p->name.ptr - x->s);
    uint32_t v;

    if (p->value.ptr == NULL || ef__hdr_number(&y, UINT32_MAX, &v, "", "") < 0 || y.i != y.n)
        return ef__hdr_fail(x, off, "Subscription-State delta-seconds is not a 32-bit number");
    *out = (long)v;
    return 0;
}

int ef_sip_parse_substate(const char *buf, size_t len, ef_sip_substate_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t start, k;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    out->expires = out->retry_after = -1;
    ef__hdr_lws(&x);
    start = x.i;
    if (ef__hdr_run(&x, HC_TOKEN) == 0)
        return ef__hdr_fail(&x, start, "expected the subscription state");
    out->state = hdr_slice(&x, start, x.i);
    if ((rc = ef__hdr_params(&x, &out->params, 0)) < 0)
        return rc;
    for (k = 0; k < out->params.n && rc == 0; k++) {
        const ef_sip_param_t *p = &out->params.p[k];
        if (ef__hdr_eq(p->name, "expires"))
            rc = delta(&x, p, &out->expires);
        else if (ef__hdr_eq(p->name, "retry-after"))
            rc = delta(&x, p, &out->retry_after);
        else if (ef__hdr_eq(p->name, "reason")) /* event-reason-value = token */
            out->reason = p->value;
    }
    if (rc < 0)
        return rc;
    if (out->reason.ptr != NULL && (out->reason.ptr[0] == '"' || out->reason.ptr[0] == '['))
        return ef__hdr_fail(&x, (size_t)(out->reason.ptr - buf), "reason is not a token");
    return ef__hdr_end(&x, "unexpected character after the Subscription-State value");
}

/* --- Warning (RFC 3261 §20.43) -------------------------------------------- */

/* warning-value = warn-code SP warn-agent SP warn-text (LWS taken for SP) */
static int warning_one(hdr_cur_t *x, ef_sip_warning_t *w)
{
    size_t start = x->i, k;

    if (ef__hdr_run(x, HC_DIGIT) != WARN_CODE_DIGITS)
        return ef__hdr_fail(x, start, "warn-code must be three digits");
    for (w->code = 0, k = start; k < x->i; k++)
        w->code = w->code * 10 + (unsigned)(x->s[k] - '0');
    if (!ef__hdr_lws(x))
        return ef__hdr_fail(x, x->i, "expected SP after the warn-code");
    start = x->i;
    /* warn-agent = hostport / pseudonym */
    while (x->i < x->n && (hdr_is(x->s[x->i], HC_TOKEN) || x->s[x->i] == ':' || x->s[x->i] == '[' ||
                           x->s[x->i] == ']'))
        x->i++;
    if (x->i == start)
        return ef__hdr_fail(x, start, "expected the warn-agent");
    w->agent = hdr_slice(x, start, x->i);
    if (!ef__hdr_lws(x))
        return ef__hdr_fail(x, x->i, "expected SP after the warn-agent");
    if (!hdr_at(x, '"'))
        return ef__hdr_fail(x, x->i, "expected the quoted warn-text");
    return ef__hdr_quoted(x, &w->text);
}

int ef_sip_parse_warning(const char *buf, size_t len, ef_sip_warning_t *out, size_t cap,
                         ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t count = 0;
    int rc;

    ef__hdr_lws(&x);
    do {
        if (count >= cap)
            return ef__hdr_fail_big(&x, x.i, "more warnings than the caller's capacity");
        if ((rc = warning_one(&x, &out[count])) < 0)
            return rc;
        count++;
    } while ((rc = ef__hdr_next(&x, "expected ',' between warnings")) > 0);
    return rc < 0 ? rc : (int)count;
}

/* --- credentials and challenges (RFC 3261 §20.7, §20.27, §20.28, §20.44) -- */

/* auth-param = auth-param-name EQUAL ( token / quoted-string ) */
static int auth_param(hdr_cur_t *x, ef_sip_params_t *ps)
{
    size_t start = x->i;
    ef_sip_param_t *p;

    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start,
                            x->i == x->n || hdr_at(x, ',') ? "empty auth-param"
                                                           : "expected an auth-param name");
    if (ps->n >= EF_SIP_PARAMS_MAX)
        return ef__hdr_fail_big(x, start, "more parameters than EF_SIP_PARAMS_MAX");
    p = &ps->p[ps->n++];
    p->name = hdr_slice(x, start, x->i);
    ef__hdr_lws(x);
    if (!hdr_at(x, '='))
        return ef__hdr_fail(x, x->i, "expected '=' in auth-param");
    x->i++;
    ef__hdr_lws(x);
    return ef__hdr_value(x, &p->name, PV_NOHOST, &p->value);
}

/* RFC 3261 §25.1 (digest-response, digest-cln): these values are quoted-strings. */
static int digest_quotes(hdr_cur_t *x, const ef_sip_params_t *ps)
{
    static const char *const quoted[] = {"realm", "nonce",  "opaque", "username",
                                         "uri",   "cnonce", "domain", "response"};
    size_t k, q;

    for (k = 0; k < ps->n; k++)
        for (q = 0; q < sizeof(quoted) / sizeof(quoted[0]); q++)
            if (ef__hdr_eq(ps->p[k].name, quoted[q]) && ps->p[k].value.ptr[0] != '"')
                return ef__hdr_fail(x, (size_t)(ps->p[k].value.ptr - x->s),
                                    "Digest parameter must be a quoted-string");
    return 0;
}

/*
 * credentials = ("Digest" LWS digest-response) / other-response and
 * challenge = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge:
 * a scheme, LWS, then comma-separated auth-params, at least one.
 */
int ef_sip_parse_auth(const char *buf, size_t len, ef_sip_auth_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t start;
    int rc;

    memset(out, 0, sizeof(*out));
    ef__hdr_lws(&x);
    start = x.i;
    if (ef__hdr_run(&x, HC_TOKEN) == 0)
        return ef__hdr_fail(&x, start, "expected the auth-scheme");
    out->scheme = hdr_slice(&x, start, x.i);
    if (!ef__hdr_lws(&x) || x.i == x.n)
        return ef__hdr_fail(&x, x.i,
                            x.i == x.n ? "expected auth-param after the auth-scheme"
                                       : "expected LWS after the auth-scheme");
    do {
        if ((rc = auth_param(&x, &out->params)) < 0)
            return rc;
    } while ((rc = ef__hdr_next(&x, "expected ',' between auth-params")) > 0);
    if (rc < 0)
        return rc;
    return ef__hdr_eq(out->scheme, "Digest") ? digest_quotes(&x, &out->params) : 0;
}
