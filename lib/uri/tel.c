/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tel.c -- tel: URIs (RFC 3966 §3) and enum: URIs (draft-brandner-enum-uri
 * §2), whose syntax is the global-number form of tel: alone:
 *
 *   telephone-uri = "tel:" ( global-number / local-number )
 *   global-number = global-number-digits *par
 *   local-number  = local-number-digits *par context *par
 *
 * The number is kept as written, visual separators and all. The parameters
 * of tel: are checked by name: isub, ext and phone-context have values of
 * their own; any other is pname [ "=" pvalue ]. An enum: URI's parameters
 * SHOULD be ignored (draft §3.1), so they are only checked as generic ones,
 * and an isub, which the draft's global-number-part leaves out, is kept like
 * any other. Neither scheme has headers.
 */
#include <string.h>

#include "uri_int.h"

#define PARAMCHAR (CC_PARAM | CC_UNRESERVED)

/*
 * global-number-digits = "+" *phonedigit DIGIT *phonedigit
 * local-number-digits  = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
 * at buf[p], up to the first ';' or the end.
 */
static int number(const char *buf, size_t p, size_t end, ef_uri_t *u, size_t *stop, ef_perr_t *err)
{
    bool global = p < end && buf[p] == '+';
    size_t q = global ? p + 1 : p, digits = 0;

    for (; q < end; q++) {
        unsigned char c = (unsigned char)buf[q];
        if (global ? ef_uri__is(c, CC_DIGIT) : (ef_uri__is(c, CC_HEX) || c == '*' || c == '#'))
            digits++;
        else if (!ef_uri__is(c, CC_VISUAL))
            break;
    }
    if (q < end && buf[q] != ';')
        return ef_uri__fail(err, q, "invalid character in number", EF_ESYNTAX);
    if (q == p)
        return ef_uri__fail(err, q, "empty number", EF_ESYNTAX);
    if (digits == 0)
        return ef_uri__fail(err, q,
                            global ? "global number without digits" : "local number without digits",
                            EF_ESYNTAX);
    u->user = (ef_str_t){buf + p, q - p};
    u->global_number = global;
    *stop = q;
    return 0;
}

/* phonedigits with at least one DIGIT (ext = 1*phonedigit, global-number-digits after '+'). */
static int phone_digits(const char *buf, size_t p, size_t end, const char *none, ef_perr_t *err)
{
    size_t digits = 0;

    for (size_t q = p; q < end; q++) {
        if (ef_uri__is((unsigned char)buf[q], CC_DIGIT))
            digits++;
        else if (!ef_uri__is((unsigned char)buf[q], CC_VISUAL))
            return ef_uri__fail(err, q, "invalid character in parameter value", EF_ESYNTAX);
    }
    return digits > 0 ? 0 : ef_uri__fail(err, p, none, EF_ESYNTAX);
}

/* descriptor = domainname / global-number-digits */
static int descriptor(const char *buf, size_t p, size_t end, ef_perr_t *err)
{
    if (buf[p] == '+')
        return phone_digits(buf, p + 1, end, "phone-context without digits", err);
    for (size_t q = p; q < end; q++)
        if (!ef_uri__is((unsigned char)buf[q], CC_ALNUM) && buf[q] != '-' && buf[q] != '.')
            return ef_uri__fail(err, q, "invalid character in parameter value", EF_ESYNTAX);
    return ef_uri__hostname(buf, p, end - p, err);
}

/* The value of parameter name, buf[p, end) up to the next ';' (none of the values may hold one). */
static int value(const char *buf, size_t p, size_t end, ef_str_t name, bool tel, ef_perr_t *err)
{
    size_t q;
    int rc;

    if (p == end)
        return ef_uri__fail(err, p, "empty parameter value", EF_ESYNTAX);
    if (tel && ef_uri__equal_lit(name, "isub")) {
        /* isdn-subaddress = ";isub=" 1*uric */
        rc = ef_uri__span(buf, p, end, CC_RESERVED | CC_UNRESERVED, &q, err);
    } else if (tel && ef_uri__equal_lit(name, "ext")) {
        return phone_digits(buf, p, end, "extension without digits", err);
    } else if (tel && ef_uri__equal_lit(name, "phone-context")) {
        return descriptor(buf, p, end, err);
    } else {
        /* pvalue = 1*paramchar */
        rc = ef_uri__span(buf, p, end, PARAMCHAR, &q, err);
    }
    if (rc == 0 && q < end)
        rc = ef_uri__fail(err, q, "invalid character in parameter value", EF_ESYNTAX);
    return rc;
}

/* *par at buf[p] (at a ';' or the end); *context is the offset of phone-context's name, or 0. */
static int params(const char *buf, size_t p, size_t end, ef_uri_t *u, bool tel, size_t *context,
                  ef_perr_t *err)
{
    while (p < end) {
        size_t name = p + 1, q = name;
        ef_str_t key, val = EF_STR_NULL;
        int rc;

        /* pname = 1*( alphanum / "-" ) */
        while (q < end && (ef_uri__is((unsigned char)buf[q], CC_ALNUM) || buf[q] == '-'))
            q++;
        if (q < end && buf[q] != '=' && buf[q] != ';')
            return ef_uri__fail(err, q, "invalid character in parameter name", EF_ESYNTAX);
        if (q == name)
            return ef_uri__fail(err, q, "empty parameter name", EF_ESYNTAX);
        key = (ef_str_t){buf + name, q - name};
        if (q < end && buf[q] == '=') {
            const char *semi = memchr(buf + q + 1, ';', end - q - 1);
            size_t stop = semi != NULL ? (size_t)(semi - buf) : end;
            rc = value(buf, q + 1, stop, key, tel, err);
            if (rc != 0)
                return rc;
            val = (ef_str_t){buf + q + 1, stop - q - 1};
            q = stop;
        } else if (tel && (ef_uri__equal_lit(key, "isub") || ef_uri__equal_lit(key, "ext") ||
                           ef_uri__equal_lit(key, "phone-context"))) {
            return ef_uri__fail(err, q, "parameter needs a value", EF_ESYNTAX);
        }
        rc = ef_uri__add_param(u, buf, key, val, err);
        if (rc != 0)
            return rc;
        if (tel && ef_uri__equal_lit(key, "phone-context"))
            *context = name;
        p = q;
    }
    return 0;
}

int ef_uri_parse_tel(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err)
{
    ef_uri_t u;
    size_t p, start, context = 0;
    int rc = ef_uri__begin(buf, len, out, &u, EF_URI_TEL, EF_URI_TEL, "not a tel: URI", &p, err);

    if (rc != 0)
        return rc;
    start = p;
    rc = number(buf, start, len, &u, &p, err);
    if (rc == 0)
        rc = params(buf, p, len, &u, true, &context, err);
    if (rc != 0)
        return rc;
    /* RFC 3966 §5.1.5: "Local numbers MUST have a 'phone-context' parameter". */
    if (!u.global_number && context == 0)
        return ef_uri__fail(err, start, "local number without phone-context", EF_ESYNTAX);
    /* RFC 3966 §3: the context production belongs to local-number only. */
    if (u.global_number && context != 0)
        return ef_uri__fail(err, context, "phone-context with a global number", EF_ESYNTAX);
    *out = u;
    return 0;
}

int ef_uri_parse_enum(const char *buf, size_t len, ef_uri_t *out, ef_perr_t *err)
{
    ef_uri_t u;
    size_t p, context = 0;
    int rc =
        ef_uri__begin(buf, len, out, &u, EF_URI_ENUM, EF_URI_ENUM, "not an enum: URI", &p, err);

    if (rc != 0)
        return rc;
    /* draft-brandner-enum-uri §2: "the local-number form is excluded" */
    if (p < len && buf[p] != '+' && buf[p] != ';')
        return ef_uri__fail(err, p, "enum: needs a global number starting with '+'", EF_ESYNTAX);
    rc = number(buf, p, len, &u, &p, err);
    if (rc == 0)
        rc = params(buf, p, len, &u, false, &context, err);
    if (rc == 0)
        *out = u;
    return rc;
}
