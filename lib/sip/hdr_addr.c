/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr_addr.c -- addresses in SIP headers (RFC 3261 §20.10, §20.20, §20.30,
 * §20.34, §20.39, §25.1; RFC 3325 §9.1): From / To, and the lists of Contact,
 * Route, Record-Route and P-Asserted-Identity.
 *
 *   name-addr    = [ display-name ] LAQUOT addr-spec RAQUOT
 *   display-name = *(token LWS) / quoted-string
 *
 * The URI is returned as a slice (the URI parser is separate); it is only
 * checked for a scheme and for characters no URI holds, so that a space
 * inside the brackets (RFC 4475 §3.1.2.14) is an error. In addr-spec form the
 * URI ends at the first ';' (what follows are header parameters, RFC 3261
 * §20.10), ',' or blank.
 */
#include <string.h>

#include "hdr_int.h"

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) followed by ':' (RFC 3261 §25.1) */
static bool has_scheme(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || !hdr_is(s[0], HC_ALPHA))
        return false;
    for (i = 1; i < n; i++) {
        if (s[i] == ':')
            return true;
        if (!hdr_is(s[i], HC_ALPHA | HC_DIGIT) && s[i] != '+' && s[i] != '-' && s[i] != '.')
            return false;
    }
    return false;
}

/* LAQUOT addr-spec RAQUOT, the cursor on '<'. RAQUOT = ">" SWS: no blank before '>'. */
static int angle_uri(hdr_cur_t *x, ef_sip_addr_t *a)
{
    size_t open = x->i, start = x->i + 1;

    x->i = start;
    while (x->i < x->n && x->s[x->i] != '>') {
        char c = x->s[x->i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            return ef__hdr_fail(x, x->i, "whitespace inside the URI");
        if (!hdr_is(c, HC_URI))
            return ef__hdr_fail(x, x->i, "invalid character in the URI");
        x->i++;
    }
    if (x->i >= x->n)
        return ef__hdr_fail(x, open, "expected '>'");
    if (!has_scheme(x->s + start, x->i - start))
        return ef__hdr_fail(x, start, "URI without a scheme");
    a->uri = hdr_slice(x, start, x->i);
    a->angle = true;
    x->i++;
    return 0;
}

/* addr-spec without brackets: the URI runs to ';', ',', a blank or the end. */
static int bare_uri(hdr_cur_t *x, ef_sip_addr_t *a)
{
    size_t start = x->i;

    while (x->i < x->n && hdr_is(x->s[x->i], HC_URI) && x->s[x->i] != ';' && x->s[x->i] != ',')
        x->i++;
    if (!has_scheme(x->s + start, x->i - start))
        return ef__hdr_fail(x, start, "URI without a scheme");
    a->uri = hdr_slice(x, start, x->i);
    return 0;
}

/*
 * display-name = *(token LWS), then LAQUOT. RFC 4475 §3.1.1.6 asks to accept
 * a token run directly followed by '<' (the ABNF's LAQUOT = SWS "<" makes the
 * LWS optional there in spirit). The cursor is after the first token.
 */
static int token_display(hdr_cur_t *x, size_t start, ef_sip_addr_t *a)
{
    size_t end = x->i;

    for (;;) {
        ef__hdr_lws(x);
        if (hdr_at(x, '<'))
            break;
        if (ef__hdr_run(x, HC_TOKEN) == 0)
            return ef__hdr_fail(x, x->i,
                                hdr_at(x, '"') || x->i == x->n
                                    ? "expected '<' after the display-name"
                                    : "invalid character in the display-name (quote it)");
        end = x->i;
    }
    a->display = hdr_slice(x, start, end);
    return angle_uri(x, a);
}

/* (name-addr / addr-spec) *(SEMI generic-param) at the cursor. */
static int one_addr(hdr_cur_t *x, ef_sip_addr_t *a)
{
    size_t start;
    int rc;

    memset(a, 0, sizeof(*a));
    a->display = hdr_slice(x, x->i, x->i); /* empty, inside the input */
    ef__hdr_lws(x);
    start = x->i;
    if (hdr_at(x, '"')) {
        if ((rc = ef__hdr_quoted(x, &a->display)) < 0)
            return rc;
        ef__hdr_lws(x);
        if (!hdr_at(x, '<'))
            return ef__hdr_fail(x, x->i, "expected '<' after the display-name");
        rc = angle_uri(x, a);
    } else if (hdr_at(x, '<')) {
        a->display = hdr_slice(x, start, start);
        rc = angle_uri(x, a);
    } else if (ef__hdr_run(x, HC_TOKEN) == 0) {
        return ef__hdr_fail(x, start, x->i == x->n ? "empty address" : "expected an address");
    } else if (hdr_at(x, ':')) { /* a scheme: addr-spec form */
        x->i = start;
        a->display = hdr_slice(x, start, start);
        rc = bare_uri(x, a);
    } else {
        rc = token_display(x, start, a);
    }
    if (rc < 0)
        return rc;
    return ef__hdr_params(x, &a->params, 0);
}

int ef_sip_parse_addr(const char *buf, size_t len, ef_sip_addr_t *out, ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    int rc;

    if ((rc = one_addr(&x, out)) < 0)
        return rc;
    return ef__hdr_end(&x, "unexpected character after the address");
}

/* RFC 3261 §20.10: Contact = STAR / (contact-param *(COMMA contact-param)). */
static int star_at(hdr_cur_t *x, size_t count, bool *star)
{
    hdr_cur_t y = *x;

    ef__hdr_lws(&y);
    if (!hdr_at(&y, '*'))
        return 0;
    y.i++;
    ef__hdr_lws(&y);
    if (y.i < y.n && y.s[y.i] != ',')
        return 0; /* "*foo <sip:...>": a display-name token starting with '*' */
    if (count > 0 || y.i < y.n)
        return ef__hdr_fail(x, x->i, "'*' must stand alone in Contact");
    if (star != NULL)
        *star = true;
    x->i = y.i;
    return 1;
}

int ef_sip_parse_addr_list(const char *buf, size_t len, ef_sip_addr_t *out, size_t cap, bool *star,
                           ef_perr_t *err)
{
    hdr_cur_t x = {buf, len, 0, err};
    size_t count = 0;
    int rc;

    if (star != NULL)
        *star = false;
    do {
        if ((rc = star_at(&x, count, star)) != 0)
            return rc < 0 ? rc : 0;
        if (count >= cap)
            return ef__hdr_fail_big(&x, x.i, "more addresses than the caller's capacity");
        if ((rc = one_addr(&x, &out[count])) < 0)
            return rc;
        count++;
    } while ((rc = ef__hdr_next(&x, "expected ',' between addresses")) > 0);
    return rc < 0 ? rc : (int)count;
}

/* Copies one byte, or fails when out is full (one byte stays for the NUL). */
static bool put(char *out, size_t cap, size_t *k, char c)
{
    if (*k + 1 >= cap)
        return false;
    out[(*k)++] = c;
    return true;
}

/*
 * The display-name as text: quotes removed, quoted-pairs resolved, and every
 * line fold (CRLF and the blanks after it) turned into one SP (RFC 3261
 * §7.3.1); an unquoted name has each LWS run made one SP. Writes a NUL after
 * the text (which may itself hold NULs, from "\" %x00) and returns its length;
 * EF_E2BIG when out is too small, EF_EINVAL for a malformed display slice.
 */
int ef_sip_display_text(ef_str_t display, char *out, size_t cap)
{
    hdr_cur_t x = {display.ptr, display.len, 0, NULL};
    bool quoted = display.len >= 2 && display.ptr[0] == '"' && display.ptr[display.len - 1] == '"';
    size_t k = 0;

    if (cap == 0)
        return EF_E2BIG;
    if (quoted) {
        x.i = 1;
        x.n = display.len - 1;
    }
    while (x.i < x.n) {
        char c = x.s[x.i];
        if (c == '\r' || c == '\n' || (!quoted && (c == ' ' || c == '\t'))) {
            if (!ef__hdr_lws(&x))
                return EF_EINVAL;
            c = ' ';
        } else if (quoted && c == '\\') {
            if (x.i + 1 >= x.n)
                return EF_EINVAL;
            c = x.s[x.i + 1];
            x.i += 2;
        } else {
            x.i++;
        }
        if (!put(out, cap, &k, c))
            return EF_E2BIG;
    }
    out[k] = '\0';
    return (int)k;
}
