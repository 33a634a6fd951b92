/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * e164.c -- from what a user or a NAPTR gives us to the ENUM key. A number
 * arrives as user input ("+44 (1632) 960.083"), as a tel: URI holding an
 * RFC 3966 global number, or as an enum: URI (draft-brandner-enum-uri); it
 * becomes the Application Unique String of RFC 6116 §3.1 ('+' and the digits)
 * and then, under a suffix such as e164.arpa, the domain name of the First
 * Well Known Rule (RFC 6116 §3.2).
 *
 * Inputs are byte slices that need not be NUL-terminated; nothing here reads
 * past the given length, writes into the input or allocates.
 */
#include <string.h>

#include "enumfed/e164.h"

/* The longest domain name: 255 octets on the wire (RFC 1035 §3.1). */
#define WIRE_NAME_MAX 255
#define WIRE_LABEL_MAX 63

enum num_mode { MODE_BARE, MODE_TEL, MODE_ENUM };

static int fail(ef_perr_t *err, size_t offset, const char *reason, int code)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
    }
    return code;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static bool is_space(unsigned char c)
{
    return is_blank(c) || c == '\r' || c == '\n';
}

/* RFC 3966 §3: visual-separator = "-" / "." / "(" / ")" */
static bool is_visual_separator(unsigned char c)
{
    return c == '-' || c == '.' || c == '(' || c == ')';
}

/* Characters that start an RFC 3966 local-number-digits string. */
static bool is_local_start(unsigned char c)
{
    return is_digit(c) || is_visual_separator(c) || c == '*' || c == '#';
}

static unsigned char to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool equal_nocase(const char *a, size_t alen, const char *lit)
{
    size_t n = strlen(lit);

    if (alen != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (to_lower((unsigned char)a[i]) != (unsigned char)lit[i])
            return false;
    return true;
}

/*
 * Length of an RFC 3986 scheme name followed by ':' at buf[start], i.e. the
 * offset of the ':' relative to start, or 0 when there is none.
 */
static size_t scheme_length(const char *buf, size_t start, size_t end)
{
    size_t i = start;

    if (i >= end || !is_alpha((unsigned char)buf[i]))
        return 0;
    for (i++; i < end; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == ':')
            return i - start;
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/*
 * The parameters of a tel: or enum: URI, from the first ';' to the end. We are
 * liberal: values are not checked, but every parameter needs a name made of
 * RFC 3966 pname characters (alphanum / "-"). A tel: URI with phone-context
 * holds a local number, which ENUM cannot use (RFC 6116 §3.7, RFC 3966 §5.1.5).
 */
static int check_params(const char *buf, size_t p, size_t end, enum num_mode mode, ef_perr_t *err)
{
    while (p < end) {
        size_t name = ++p; /* skip ';' */
        while (p < end && (is_alpha((unsigned char)buf[p]) || is_digit((unsigned char)buf[p]) ||
                           buf[p] == '-'))
            p++;
        if (p == name)
            return fail(err, p, "empty URI parameter name", EF_ESYNTAX);
        if (p < end && buf[p] != '=' && buf[p] != ';')
            return fail(err, p, "unexpected character in URI parameter name", EF_ESYNTAX);
        if (mode == MODE_TEL && equal_nocase(buf + name, p - name, "phone-context"))
            return fail(err, name, "local number: ENUM needs a global number starting with '+'",
                        EF_ESYNTAX);
        while (p < end && buf[p] != ';')
            p++;
    }
    return 0;
}

/* The first byte of the number is not '+': say why as precisely as we can. */
static int refuse_start(const char *buf, size_t p, size_t end, ef_perr_t *err)
{
    if (p >= end || buf[p] == ';')
        return fail(err, p, "no digits", EF_ESYNTAX);
    /* RFC 6116 §3.7: the AUS of an ENUM query MUST begin with '+'. */
    if (is_local_start((unsigned char)buf[p]))
        return fail(err, p, "local number: ENUM needs a global number starting with '+'",
                    EF_ESYNTAX);
    return fail(err, p, "unexpected character", EF_ESYNTAX);
}

/*
 * The number itself, "+" then digits and separators, at buf[p] up to the end
 * (or, in a URI, the first ';'). On success *stop is where it ended.
 */
static int parse_digits(const char *buf, size_t p, size_t end, enum num_mode mode, ef_e164_t *num,
                        size_t *stop, ef_perr_t *err)
{
    size_t ndigits = 0;

    if (p >= end || buf[p] != '+')
        return refuse_start(buf, p, end, err);
    num->aus[0] = '+';
    for (p++; p < end; p++) {
        unsigned char c = (unsigned char)buf[p];
        if (is_digit(c)) {
            if (ndigits == EF_E164_MAX_DIGITS)
                return fail(err, p, "more than 15 digits (E.164 limit)", EF_E2BIG);
            num->aus[1 + ndigits++] = (char)c;
        } else if (c == ';' && mode != MODE_BARE) {
            break;
        } else if (c == '+') {
            return fail(err, p, "'+' is only allowed at the start of the number", EF_ESYNTAX);
        } else if (!is_visual_separator(c) && !(mode == MODE_BARE && is_blank(c))) {
            return fail(err, p, "unexpected character", EF_ESYNTAX);
        }
    }
    if (ndigits == 0)
        return fail(err, p, "no digits", EF_ESYNTAX);
    num->aus[1 + ndigits] = '\0';
    num->len = 1 + ndigits;
    *stop = p;
    return 0;
}

int ef_e164_parse(const char *buf, size_t len, ef_e164_t *out, ef_perr_t *err)
{
    size_t start = 0, end = len, slen, stop;
    enum num_mode mode = MODE_BARE;
    ef_e164_t num;
    int rc;

    if (out == NULL || (buf == NULL && len != 0))
        return fail(err, 0, "invalid argument", EF_EINVAL);
    while (start < end && is_space((unsigned char)buf[start]))
        start++;
    while (end > start && is_space((unsigned char)buf[end - 1]))
        end--;
    if (start == end)
        return fail(err, 0, "empty input", EF_ESYNTAX);

    slen = scheme_length(buf, start, end);
    if (slen > 0) {
        if (equal_nocase(buf + start, slen, "tel"))
            mode = MODE_TEL;
        else if (equal_nocase(buf + start, slen, "enum"))
            mode = MODE_ENUM;
        else
            return fail(err, start, "unknown URI scheme (expected tel: or enum:)", EF_ESYNTAX);
        start += slen + 1;
    }

    rc = parse_digits(buf, start, end, mode, &num, &stop, err);
    if (rc == 0 && mode != MODE_BARE)
        rc = check_params(buf, stop, end, mode, err);
    if (rc == 0)
        *out = num;
    return rc;
}

/* A number as ef_e164_parse() makes it: '+' and 1..15 ASCII digits. */
static size_t aus_digits(const ef_e164_t *num)
{
    if (num->len < 2 || num->len > EF_E164_MAX_DIGITS + 1 || num->aus[0] != '+')
        return 0;
    for (size_t i = 1; i < num->len; i++)
        if (!is_digit((unsigned char)num->aus[i]))
            return 0;
    return num->len - 1;
}

/*
 * Advance *i past the one-octet label character at s[*i]: a plain byte or an
 * RFC 1035 §5.1 escape ("\X", "\DDD" with DDD <= 255). False for a malformed
 * escape.
 */
static bool skip_text_char(const char *s, size_t n, size_t *i)
{
    if (s[*i] != '\\') {
        (*i)++;
        return true;
    }
    if (*i + 1 >= n)
        return false;
    if (!is_digit((unsigned char)s[*i + 1])) {
        *i += 2;
        return true;
    }
    if (*i + 3 >= n)
        return false;
    if (!is_digit((unsigned char)s[*i + 2]) || !is_digit((unsigned char)s[*i + 3]))
        return false;
    if ((s[*i + 1] - '0') * 100 + (s[*i + 2] - '0') * 10 + (s[*i + 3] - '0') > 255)
        return false;
    *i += 4;
    return true;
}

/*
 * Check a suffix in presentation form (its final dot already removed) and
 * return its wire length without the root label, or -1 for an empty label, a
 * label over 63 octets or a bad escape.
 */
static long suffix_wire_length(const char *s, size_t n)
{
    size_t i = 0, wire = 0, label = 0;

    while (i < n) {
        if (s[i] == '.') {
            if (label == 0)
                return -1; /* "a..b" or ".a": an empty label */
            wire += label + 1;
            label = 0;
            i++;
            continue;
        }
        if (!skip_text_char(s, n, &i) || ++label > WIRE_LABEL_MAX)
            return -1;
    }
    if (n > 0 && label == 0)
        return -1;
    return (long)(wire + label + (n > 0 ? 1 : 0));
}

/* Length of the suffix without one final (unescaped) dot; "." becomes "". */
static size_t suffix_trim(const char *s)
{
    size_t n = strlen(s), bs = 0;

    if (n == 0 || s[n - 1] != '.')
        return n;
    while (bs < n - 1 && s[n - 2 - bs] == '\\')
        bs++;
    return (bs % 2 == 0) ? n - 1 : n;
}

int ef_e164_domain(const ef_e164_t *num, const char *suffix, char *out, size_t cap)
{
    size_t digits, slen, total, o = 0;
    long swire;

    if (num == NULL || suffix == NULL || (out == NULL && cap != 0))
        return EF_EINVAL;
    digits = aus_digits(num);
    if (digits == 0)
        return EF_EINVAL;
    slen = suffix_trim(suffix);
    swire = suffix_wire_length(suffix, slen);
    if (swire < 0)
        return EF_EINVAL;
    /* RFC 1035 §3.1: at most 255 octets, counting the root label. */
    if (2 * digits + (size_t)swire + 1 > WIRE_NAME_MAX)
        return EF_E2BIG;
    total = 2 * digits + slen + (slen > 0 ? 1 : 0);
    if (total + 1 > cap)
        return EF_E2BIG;

    /* RFC 6116 §3.2: digits reversed, dot-separated, then the suffix. */
    for (size_t i = digits; i >= 1; i--) {
        out[o++] = num->aus[i];
        out[o++] = '.';
    }
    memcpy(out + o, suffix, slen);
    o += slen;
    if (slen > 0)
        out[o++] = '.';
    out[o] = '\0';
    return (int)o;
}
