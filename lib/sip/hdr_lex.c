/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hdr_lex.c -- the lexical layer the typed SIP header parsers share (RFC 3261
 * §25.1): character classes, LWS with line folding, tokens, quoted-strings
 * with quoted-pairs, parameter lists "*(SEMI generic-param)", list commas and
 * decimal numbers. Each scanner moves a cursor forward and never backs up by
 * more than the blanks it just skipped, so every parser built on them runs in
 * time linear in its input.
 */
#include <string.h>
#include <strings.h>

#include "hdr_int.h"

#define T (HC_TOKEN | HC_WORD | HC_URI)
#define A (T | HC_ALPHA | HC_HOST)
#define X (A | HC_HEX)
#define D (T | HC_DIGIT | HC_HEX | HC_HOST)

const unsigned char ef__hdr_cc[256] = {
    ['a' ... 'f'] = X,
    ['g' ... 'z'] = A,
    ['A' ... 'F'] = X,
    ['G' ... 'Z'] = A,
    ['0' ... '9'] = D,
    ['-'] = T | HC_HOST,
    ['.'] = T | HC_HOST,
    ['_'] = T | HC_HOST,
    ['!'] = T,
    ['%'] = T,
    ['*'] = T,
    ['+'] = T,
    ['`'] = T,
    ['\''] = T,
    ['~'] = T,
    /* word = 1*(token chars / "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" /
       "?" / "{" / "}") */
    ['('] = HC_WORD | HC_URI,
    [')'] = HC_WORD | HC_URI,
    ['<'] = HC_WORD,
    ['>'] = HC_WORD,
    [':'] = HC_WORD | HC_URI,
    ['\\'] = HC_WORD | HC_URI,
    ['"'] = HC_WORD,
    ['/'] = HC_WORD | HC_URI,
    ['['] = HC_WORD | HC_URI,
    [']'] = HC_WORD | HC_URI,
    ['?'] = HC_WORD | HC_URI,
    ['{'] = HC_WORD | HC_URI,
    ['}'] = HC_WORD | HC_URI,
    /* the rest of what a URI slice may hold (checked again by the URI parser) */
    ['@'] = HC_URI,
    ['#'] = HC_URI,
    ['$'] = HC_URI,
    ['&'] = HC_URI,
    ['='] = HC_URI,
    [','] = HC_URI,
    [';'] = HC_URI,
    ['^'] = HC_URI,
    ['|'] = HC_URI,
};

#undef T
#undef A
#undef X
#undef D

static int set_err(hdr_cur_t *x, size_t off, const char *reason, int code)
{
    if (x->err != NULL) {
        x->err->offset = off;
        x->err->reason = reason;
    }
    return code;
}

int ef__hdr_fail(hdr_cur_t *x, size_t off, const char *reason)
{
    return set_err(x, off, reason, EF_ESYNTAX);
}

int ef__hdr_fail_big(hdr_cur_t *x, size_t off, const char *reason)
{
    return set_err(x, off, reason, EF_E2BIG);
}

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* The length of a line break at s[j] that folds (is followed by a blank), else 0. */
static size_t fold_at(const hdr_cur_t *x, size_t j)
{
    if (j + 2 < x->n && x->s[j] == '\r' && x->s[j + 1] == '\n' && is_wsp(x->s[j + 2]))
        return 2;
    if (j + 1 < x->n && x->s[j] == '\n' && is_wsp(x->s[j + 1]))
        return 1;
    return 0;
}

/* RFC 3261 §25.1: LWS = [*WSP CRLF] 1*WSP; SWS = [LWS]. True when anything was skipped. */
bool ef__hdr_lws(hdr_cur_t *x)
{
    size_t j = x->i, k;
    bool any;

    for (;;) {
        while (j < x->n && is_wsp(x->s[j]))
            j++;
        if ((k = fold_at(x, j)) == 0)
            break;
        j += k;
    }
    any = j > x->i;
    x->i = j;
    return any;
}

size_t ef__hdr_run(hdr_cur_t *x, unsigned cls)
{
    size_t start = x->i;

    while (x->i < x->n && hdr_is(x->s[x->i], cls))
        x->i++;
    return x->i - start;
}

/*
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE, with
 * qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII and
 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F). The cursor is on the
 * opening quote; out gets the string with its quotes. An unterminated string
 * is reported at its opening quote.
 */
int ef__hdr_quoted(hdr_cur_t *x, ef_str_t *out)
{
    size_t start = x->i, j = x->i + 1, k;

    while (j < x->n) {
        unsigned char c = (unsigned char)x->s[j];

        if (c == '"') {
            *out = hdr_slice(x, start, j + 1);
            x->i = j + 1;
            return 0;
        }
        if (c == '\\') {
            if (j + 1 >= x->n)
                break;
            c = (unsigned char)x->s[j + 1];
            if (c == '\r' || c == '\n' || c >= 0x80)
                return ef__hdr_fail(x, j, "invalid quoted-pair");
            j += 2;
        } else if (c == '\r' || c == '\n') {
            if ((k = fold_at(x, j)) == 0)
                return ef__hdr_fail(x, j, "line break inside a quoted-string");
            j += k;
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return ef__hdr_fail(x, j, "control character inside a quoted-string");
        } else {
            j++;
        }
    }
    return ef__hdr_fail(x, start, "unterminated quoted-string");
}

/* "[" IPv6address "]" at the cursor, checked loosely (hex digits, ':' and '.'). */
static int ipv6_ref(hdr_cur_t *x, ef_str_t *out)
{
    size_t start = x->i, colons = 0;

    for (x->i++; x->i < x->n && x->s[x->i] != ']'; x->i++) {
        char c = x->s[x->i];
        if (c == ':')
            colons++;
        else if (c != '.' && !hdr_is(c, HC_HEX))
            return ef__hdr_fail(x, x->i, "invalid character in an IPv6 reference");
    }
    if (x->i >= x->n)
        return ef__hdr_fail(x, start, "expected ']' closing the IPv6 reference");
    if (colons < 2)
        return ef__hdr_fail(x, start, "invalid IPv6 reference");
    x->i++;
    *out = hdr_slice(x, start, x->i);
    return 0;
}

/* gen-value = token / host / quoted-string (RFC 3261 §25.1), after EQUAL. */
int ef__hdr_value(hdr_cur_t *x, const ef_str_t *name, unsigned flags, ef_str_t *out)
{
    size_t start = x->i;

    if (hdr_at(x, '"'))
        return ef__hdr_quoted(x, out);
    if (hdr_at(x, '[') && !(flags & PV_NOHOST))
        return ipv6_ref(x, out);
    while (x->i < x->n &&
           (hdr_is(x->s[x->i], HC_TOKEN) || ((flags & PV_COLON) && x->s[x->i] == ':')))
        x->i++;
    if (x->i == start)
        return ef__hdr_fail(x, start,
                            name != NULL && ef__hdr_eq(*name, "branch")
                                ? "missing branch value"
                                : "missing parameter value");
    *out = hdr_slice(x, start, x->i);
    return 0;
}

/* One generic-param = token [EQUAL gen-value], the cursor just after the ';'. */
static int param(hdr_cur_t *x, ef_sip_params_t *ps, unsigned flags)
{
    ef_sip_param_t *p;
    size_t start, save;

    ef__hdr_lws(x);
    start = x->i;
    if (ef__hdr_run(x, HC_TOKEN) == 0)
        return ef__hdr_fail(x, start, "empty parameter");
    if (ps->n >= EF_SIP_PARAMS_MAX)
        return ef__hdr_fail_big(x, start, "more parameters than EF_SIP_PARAMS_MAX");
    p = &ps->p[ps->n++];
    p->name = hdr_slice(x, start, x->i);
    p->value = EF_STR_NULL;
    save = x->i;
    ef__hdr_lws(x);
    if (!hdr_at(x, '=')) {
        x->i = save;
        if (flags & PV_REQUIRED)
            return ef__hdr_fail(x, save, "expected '=' after the parameter name");
        return 0;
    }
    x->i++;
    ef__hdr_lws(x);
    return ef__hdr_value(x, &p->name, flags, &p->value);
}

/* *(SEMI param): stops before the blanks that follow the last one. */
int ef__hdr_params(hdr_cur_t *x, ef_sip_params_t *ps, unsigned flags)
{
    ps->n = 0;
    for (;;) {
        size_t save = x->i;
        int rc;

        ef__hdr_lws(x);
        if (!hdr_at(x, ';')) {
            x->i = save;
            return 0;
        }
        x->i++;
        if ((rc = param(x, ps, flags)) < 0)
            return rc;
    }
}

/* Trailing blanks, then the end of the value. */
int ef__hdr_end(hdr_cur_t *x, const char *reason)
{
    ef__hdr_lws(x);
    return x->i == x->n ? 0 : ef__hdr_fail(x, x->i, reason);
}

/*
 * Between list elements (RFC 3261 §7.3.1): COMMA = SWS "," SWS. Returns 1 when
 * another element follows, 0 at the end of the value, or an error.
 */
int ef__hdr_next(hdr_cur_t *x, const char *reason)
{
    ef__hdr_lws(x);
    if (x->i == x->n)
        return 0;
    if (!hdr_at(x, ','))
        return ef__hdr_fail(x, x->i, reason);
    x->i++;
    ef__hdr_lws(x);
    return 1;
}

bool ef__hdr_eq(ef_str_t s, const char *lit)
{
    size_t n = strlen(lit);

    return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}

/* 1*DIGIT at the cursor, at most max; leading zeros allowed (RFC 4475 §3.1.1.1). */
int ef__hdr_number(hdr_cur_t *x, uint32_t max, uint32_t *out, const char *missing,
                   const char *range)
{
    size_t start = x->i;
    uint64_t v = 0;
    bool over = false;

    for (; x->i < x->n && hdr_is(x->s[x->i], HC_DIGIT); x->i++) {
        v = v * 10 + (uint64_t)(x->s[x->i] - '0');
        if (v > max) {
            over = true;
            v = max; /* keep scanning without overflowing */
        }
    }
    if (x->i == start)
        return ef__hdr_fail(x, start, missing);
    if (over)
        return ef__hdr_fail(x, start, range);
    *out = (uint32_t)v;
    return 0;
}

const ef_sip_param_t *ef_sip_param_get(const ef_sip_params_t *ps, const char *name)
{
    size_t i;

    for (i = 0; i < ps->n; i++)
        if (ef__hdr_eq(ps->p[i].name, name))
            return &ps->p[i];
    return NULL;
}
