/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * uri.c -- the front of the URI parsers: the character classes they share,
 * the scheme (RFC 3986 §3.1) and the dispatch on it, absolute URIs of other
 * schemes kept opaque (RFC 3986 §4.3), the parameter and header lists, the
 * comparison of escaped slices (RFC 3261 §19.1.4), parameter lookup and
 * %-decoding (RFC 3986 §2.1). The sip:, tel:/enum: and im:/pres: grammars
 * are in sip.c, tel.c and im.c, hosts in host.c.
 *
 * Inputs are byte slices that need not be NUL-terminated; nothing here reads
 * past the given length, writes into the input or allocates.
 */
#include <limits.h>
#include <string.h>

#include "uri_int.h"

_Static_assert(EF_URI_MAX == 4096 && EF_URI_PARAMS_MAX == 32, "update the reason strings");

/* Membership tests, constant expressions so that the class table is built at compile time. */
#define IN_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IN_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IN_HEX(c) (IN_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define IN2(c, a, b) ((c) == (a) || (c) == (b))
#define IN4(c, a, b, d, e) (IN2(c, a, b) || IN2(c, d, e))
#define IN_MARK(c) (IN4(c, '-', '_', '.', '!') || IN4(c, '~', '*', '\'', '(') || (c) == ')')
#define IN_PASS(c) (IN4(c, '&', '=', '+', '$') || (c) == ',')
#define IN_USER(c) (IN_PASS(c) || IN4(c, ';', '?', '/', '/'))
#define IN_PARAM(c) (IN4(c, '[', ']', '/', ':') || IN4(c, '&', '+', '$', '$'))
#define IN_HNV(c) (IN4(c, '[', ']', '/', '?') || IN4(c, ':', '+', '$', '$'))
#define IN_IMHDR(c) (IN4(c, ';', '/', ':', '@') || IN4(c, '+', '$', ',', ','))
#define IN_RESERVED(c) (IN_IMHDR(c) || IN4(c, '?', '&', '=', '='))
#define IN_ATEXT(c)                                                                                \
    (IN_ALPHA(c) || IN_DIGIT(c) || IN4(c, '!', '#', '$', '&') || IN4(c, '\'', '*', '+', '-') ||    \
     IN4(c, '/', '=', '^', '_') || IN4(c, '`', '{', '|', '}') || (c) == '~')
#define IN_QTEXT(c)                                                                                \
    ((c) == 33 || ((c) >= 35 && (c) <= 91 && !IN2(c, '%', '?')) || ((c) >= 93 && (c) <= 126))
#define IN_URI3986(c)                                                                              \
    (IN_ALPHA(c) || IN_DIGIT(c) || IN_MARK(c) || IN_RESERVED(c) || IN2(c, '[', ']'))
#define IN_VISUAL(c) (IN4(c, '-', '.', '(', ')'))

#define CLS(c)                                                                                     \
    ((IN_ALPHA(c) ? CC_ALPHA : 0) | (IN_DIGIT(c) ? CC_DIGIT : 0) | (IN_HEX(c) ? CC_HEX : 0) |      \
     (IN_MARK(c) ? CC_MARK : 0) | (IN_USER(c) ? CC_USER : 0) | (IN_PASS(c) ? CC_PASS : 0) |        \
     (IN_PARAM(c) ? CC_PARAM : 0) | (IN_HNV(c) ? CC_HNV : 0) |                                     \
     (IN_RESERVED(c) ? CC_RESERVED : 0) | (IN_ATEXT(c) ? CC_ATEXT : 0) |                           \
     (IN_QTEXT(c) ? CC_QTEXT : 0) | (IN_URI3986(c) ? CC_URI3986 : 0) |                             \
     (IN_VISUAL(c) ? CC_VISUAL : 0) | (IN_IMHDR(c) ? CC_IMHDR : 0))
#define R4(b) CLS(b), CLS((b) + 1), CLS((b) + 2), CLS((b) + 3)
#define R16(b) R4(b), R4((b) + 4), R4((b) + 8), R4((b) + 12)
#define R64(b) R16(b), R16((b) + 16), R16((b) + 32), R16((b) + 48)

/* The classes of every byte; controls, space and bytes over 0x7E are in none. */
const uint16_t ef_uri__cc[256] = {R64(0), R64(64), R64(128), R64(192)};

int ef_uri__fail(ef_perr_t *err, size_t offset, const char *reason, int code)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}

bool ef_uri__delim(unsigned char c, const char *delims)
{
    return c != '\0' && strchr(delims, c) != NULL;
}

static unsigned hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return (unsigned)((c | 0x20) - 'a' + 10);
}

/* True when s[i] starts a complete %HH escape (i < n). */
static bool escape_at(const char *s, size_t i, size_t n)
{
    return s[i] == '%' && n - i >= 3 && ef_uri__is((unsigned char)s[i + 1], CC_HEX) &&
           ef_uri__is((unsigned char)s[i + 2], CC_HEX);
}

int ef_uri__span(const char *buf, size_t p, size_t end, unsigned cls, size_t *stop, ef_perr_t *err)
{
    while (p < end) {
        unsigned char c = (unsigned char)buf[p];
        if (c == '%') {
            /* RFC 3261 §25.1: escaped = "%" HEXDIG HEXDIG */
            if (!escape_at(buf, p, end))
                return ef_uri__fail(err, p, "bad %-escape", EF_ESYNTAX);
            p += 3;
        } else if (ef_uri__is(c, cls)) {
            p++;
        } else {
            break;
        }
    }
    *stop = p;
    return 0;
}

static const struct {
    const char *name;
    ef_uri_scheme_t kind;
} known_schemes[] = {
    {"sip", EF_URI_SIP}, {"sips", EF_URI_SIPS}, {"tel", EF_URI_TEL},
    {"im", EF_URI_IM},   {"pres", EF_URI_PRES}, {"enum", EF_URI_ENUM},
};

int ef_uri__scheme(const char *buf, size_t len, ef_uri_scheme_t *kind, size_t *after,
                   ef_perr_t *err)
{
    size_t p = 1;

    if (len == 0)
        return ef_uri__fail(err, 0, "empty URI", EF_ESYNTAX);
    /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
    if (!ef_uri__is((unsigned char)buf[0], CC_ALPHA))
        return ef_uri__fail(err, 0, "scheme must start with a letter", EF_ESYNTAX);
    while (p < len && (ef_uri__is((unsigned char)buf[p], CC_ALNUM) ||
                       ef_uri__delim((unsigned char)buf[p], "+-.")))
        p++;
    if (p == len)
        return ef_uri__fail(err, p, "missing ':' after scheme", EF_ESYNTAX);
    if (buf[p] != ':')
        return ef_uri__fail(err, p, "invalid character in scheme", EF_ESYNTAX);
    /* RFC 3986 §3.1: schemes are case-insensitive. */
    *kind = EF_URI_OTHER;
    for (size_t i = 0; i < sizeof known_schemes / sizeof known_schemes[0]; i++)
        if (ef_uri__equal_lit((ef_str_t){buf, p}, known_schemes[i].name))
            *kind = known_schemes[i].kind;
    *after = p + 1;
    return 0;
}

static int check_args(const char *buf, size_t len, const ef_uri_t *out, ef_perr_t *err)
{
    if (out == NULL || (buf == NULL && len != 0))
        return ef_uri__fail(err, 0, "invalid argument", EF_EINVAL);
    if (len > EF_URI_MAX)
        return ef_uri__fail(err, EF_URI_MAX, "URI longer than 4096 bytes", EF_E2BIG);
    return 0;
}

int ef_uri__begin(const char *buf, size_t len, const ef_uri_t *out, ef_uri_t *u, ef_uri_scheme_t a,
                  ef_uri_scheme_t b, const char *wrong, size_t *after, ef_perr_t *err)
{
    int rc = check_args(buf, len, out, err);

    if (rc != 0)
        return rc;
    memset(u, 0, sizeof *u);
    u->port = -1;
    u->host_kind = EF_HOST_NONE;
    rc = ef_uri__scheme(buf, len, &u->scheme, after, err);
    if (rc != 0)
        return rc;
    if (u->scheme != a && u->scheme != b)
        return ef_uri__fail(err, 0, wrong, EF_ESYNTAX);
    u->scheme_name = (ef_str_t){buf, *after - 1};
    return 0;
}

int ef_uri__add_param(ef_uri_t *u, const char *buf, ef_str_t name, ef_str_t value, ef_perr_t *err)
{
    size_t at = (size_t)(name.ptr - buf);

    /* RFC 3261 §19.1.1, RFC 3966 §3: a parameter name MUST NOT appear more than once. */
    for (size_t i = 0; i < u->n_params; i++)
        if (ef_uri__equal(u->params[i].name, name, true))
            return ef_uri__fail(err, at, "duplicate parameter", EF_ESYNTAX);
    if (u->n_params == EF_URI_PARAMS_MAX)
        return ef_uri__fail(err, at - 1, "more than 32 parameters", EF_E2BIG);
    u->params[u->n_params++] = (ef_uri_param_t){name, value};
    return 0;
}

int ef_uri__headers(const char *buf, size_t p, size_t end, unsigned cls, ef_uri_t *u,
                    ef_perr_t *err)
{
    do {
        size_t name = ++p, value, q; /* skip '?' or '&' */
        int rc = ef_uri__span(buf, name, end, cls, &q, err);

        if (rc != 0)
            return rc;
        if (q < end && buf[q] != '=' && buf[q] != '&')
            return ef_uri__fail(err, q, "invalid character in header name", EF_ESYNTAX);
        if (q == name)
            return ef_uri__fail(err, q, "empty header name", EF_ESYNTAX);
        if (q == end || buf[q] != '=')
            return ef_uri__fail(err, q, "missing '=' in header", EF_ESYNTAX);
        value = q + 1;
        rc = ef_uri__span(buf, value, end, cls, &q, err);
        if (rc != 0)
            return rc;
        if (q < end && buf[q] != '&')
            return ef_uri__fail(err, q, "invalid character in header value", EF_ESYNTAX);
        if (u->n_headers == EF_URI_PARAMS_MAX)
            return ef_uri__fail(err, name - 1, "more than 32 headers", EF_E2BIG);
        u->headers[u->n_headers++] =
            (ef_uri_param_t){{buf + name, value - 1 - name}, {buf + value, q - value}};
        p = q;
    } while (p < end);
    return 0;
}

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 'a' - 'A') : c;
}

/*
 * The next character of an escaped slice: the byte, or 0x100 | byte for an
 * escape of a reserved character, which RFC 3261 §19.1.4 keeps apart from the
 * character itself ("Characters other than those in the reserved set ... are
 * equivalent to their %HH encoding").
 */
static unsigned next_unit(ef_str_t s, size_t *i, bool nocase)
{
    unsigned c = (unsigned char)s.ptr[*i];

    if (escape_at(s.ptr, *i, s.len)) {
        c = hex_value((unsigned char)s.ptr[*i + 1]) << 4 | hex_value((unsigned char)s.ptr[*i + 2]);
        *i += 3;
        if (ef_uri__is((unsigned char)c, CC_RESERVED))
            return 0x100 | c;
    } else {
        (*i)++;
    }
    return nocase ? fold((unsigned char)c) : c;
}

bool ef_uri__equal(ef_str_t a, ef_str_t b, bool nocase)
{
    size_t i = 0, j = 0;

    while (i < a.len && j < b.len) {
        unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[j];
        if (x != '%' && y != '%') {
            /* the common case, and the one that bounds duplicate checks: no escapes */
            if (x != y && (!nocase || fold(x) != fold(y)))
                return false;
            i++;
            j++;
        } else if (next_unit(a, &i, nocase) != next_unit(b, &j, nocase)) {
            return false;
        }
    }
    return i == a.len && j == b.len;
}

bool ef_uri__equal_lit(ef_str_t a, const char *lit)
{
    return ef_uri__equal(a, (ef_str_t){lit, strlen(lit)}, true);
}

/*
 * Any other scheme: RFC 3986 §4.3 absolute-URI, checked only for its
 * characters (unreserved, reserved but '#', which starts a fragment, and
 * %-escapes) and kept opaque.
 */
static int parse_other(const char *buf, size_t len, size_t p, ef_uri_t *u, ef_perr_t *err)
{
    size_t q;
    int rc;

    if (p == len)
        return ef_uri__fail(err, p, "empty URI after scheme", EF_ESYNTAX);
    rc = ef_uri__span(buf, p, len, CC_URI3986, &q, err);
    if (rc != 0)
        return rc;
    if (q < len)
        return ef_uri__fail(err, q, "invalid character in URI", EF_ESYNTAX);
    u->opaque = (ef_str_t){buf + p, len - p};
    return 0;
}

int ef_uri_parse(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err)
{
    ef_uri_scheme_t kind;
    ef_uri_t u;
    size_t p;
    int rc = check_args(buf, len, out, err);

    if (rc == 0)
        rc = ef_uri__scheme(buf, len, &kind, &p, err);
    if (rc != 0)
        return rc;
    switch (kind) {
    case EF_URI_SIP:
    case EF_URI_SIPS:
        return ef_uri_parse_sip(buf, len, out, err);
    case EF_URI_TEL:
        return ef_uri_parse_tel(buf, len, out, err);
    case EF_URI_IM:
    case EF_URI_PRES:
        return ef_uri_parse_im(buf, len, out, err);
    case EF_URI_ENUM:
        return ef_uri_parse_enum(buf, len, out, err);
    case EF_URI_OTHER:
        break;
    }
    rc = ef_uri__begin(buf, len, out, &u, EF_URI_OTHER, EF_URI_OTHER, "unknown scheme", &p, err);
    if (rc == 0)
        rc = parse_other(buf, len, p, &u, err);
    if (rc == 0)
        *out = u;
    return rc;
}

const ef_uri_param_t *ef_uri_param(const ef_uri_t *uri, const char *name)
{
    if (uri == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < uri->n_params && i < EF_URI_PARAMS_MAX; i++)
        if (ef_uri__equal_lit(uri->params[i].name, name))
            return &uri->params[i];
    return NULL;
}

int ef_uri_unescape(ef_str_t in, char *out, size_t cap)
{
    size_t i, n = 0;

    if (in.ptr == NULL && in.len != 0)
        return EF_EINVAL;
    if (in.len > INT_MAX)
        return EF_E2BIG;
    /* First check the whole slice, so that nothing is written on error. */
    for (i = 0; i < in.len; n++) {
        if (in.ptr[i] == '%' && !escape_at(in.ptr, i, in.len))
            return EF_ESYNTAX;
        i += in.ptr[i] == '%' ? 3 : 1;
    }
    if (n > cap)
        return EF_E2BIG;
    if (out == NULL && n != 0)
        return EF_EINVAL;
    for (i = 0, n = 0; i < in.len; n++) {
        if (in.ptr[i] == '%') {
            out[n] = (char)(hex_value((unsigned char)in.ptr[i + 1]) << 4 |
                            hex_value((unsigned char)in.ptr[i + 2]));
            i += 3;
        } else {
            out[n] = in.ptr[i++];
        }
    }
    return (int)n;
}
