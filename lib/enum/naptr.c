/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * naptr.c -- NAPTR resource records (RFC 3403 §4.1) as an ENUM client needs
 * them: decoding one rdata from DNS wire format with every length checked,
 * the replacement name as presentation text (RFC 1035 §5.1), the ORDER /
 * PREFERENCE sort of RFC 6116 §5.2 and the classification of the Flags field
 * (RFC 6116 §3.4.2).
 *
 * Rdata comes from the network: nothing here reads past the given length,
 * writes into it or allocates. Decoded fields are slices into the rdata.
 */
#include <string.h>

#include "enumfed/naptr.h"

/* RFC 1035 §3.1: a name is at most 255 octets on the wire, a label 63. */
#define WIRE_NAME_MAX 255
#define LABEL_TYPE_MASK 0xC0
#define LABEL_POINTER 0xC0

static int fail(ef_perr_t *err, size_t offset, const char *reason)
{
    if (err != NULL) {
        err->offset = offset;
        err->reason = reason;
    }
    return EF_ESYNTAX;
}

/* A <character-string> (RFC 1035 §3.3) at rdata[*p]: a length byte, then data. */
static int take_string(const uint8_t *rdata, size_t len, size_t *p, ef_str_t *out,
                       const char *truncated, ef_perr_t *err)
{
    size_t n;

    if (*p >= len)
        return fail(err, *p, truncated);
    n = rdata[*p];
    if (n > len - *p - 1)
        return fail(err, *p, truncated);
    out->ptr = (const char *)rdata + *p + 1;
    out->len = n;
    *p += 1 + n;
    return 0;
}

/*
 * The REPLACEMENT <domain-name> at rdata[*p]. RFC 3403 §4.1: "Name compression
 * is not to be used for this field", so a pointer is an error, as are the
 * reserved label types 01 and 10 (RFC 6891 §5 retired the extended ones).
 */
static int take_name(const uint8_t *rdata, size_t len, size_t *p, ef_str_t *out, ef_perr_t *err)
{
    size_t start = *p, q = *p;

    for (;;) {
        unsigned b;

        if (q >= len)
            return fail(err, q, "truncated in REPLACEMENT");
        b = rdata[q];
        if ((b & LABEL_TYPE_MASK) == LABEL_POINTER)
            return fail(err, q, "REPLACEMENT uses name compression");
        if ((b & LABEL_TYPE_MASK) != 0)
            return fail(err, q, "REPLACEMENT uses a reserved label type");
        if (q - start + 1 + b > WIRE_NAME_MAX)
            return fail(err, q, "REPLACEMENT is longer than 255 octets");
        if (b == 0)
            break;
        if (b > len - q - 1)
            return fail(err, q, "truncated in REPLACEMENT");
        q += 1 + b;
    }
    out->ptr = (const char *)rdata + start;
    out->len = q + 1 - start;
    *p = q + 1;
    return 0;
}

int ef_naptr_decode(const uint8_t *rdata, size_t len, ef_naptr_t *out, ef_perr_t *err)
{
    ef_naptr_t rr;
    size_t p = 4;
    int rc;

    if (out == NULL || (rdata == NULL && len != 0)) {
        if (err != NULL)
            *err = (ef_perr_t){0, "invalid argument"};
        return EF_EINVAL;
    }
    memset(&rr, 0, sizeof rr);
    if (len < 2)
        return fail(err, 0, "truncated in ORDER");
    if (len < 4)
        return fail(err, 2, "truncated in PREFERENCE");
    rr.order = (uint16_t)(rdata[0] << 8 | rdata[1]);
    rr.preference = (uint16_t)(rdata[2] << 8 | rdata[3]);

    rc = take_string(rdata, len, &p, &rr.flags, "truncated in FLAGS", err);
    if (rc == 0)
        rc = take_string(rdata, len, &p, &rr.services, "truncated in SERVICES", err);
    if (rc == 0)
        rc = take_string(rdata, len, &p, &rr.regexp, "truncated in REGEXP", err);
    if (rc == 0)
        rc = take_name(rdata, len, &p, &rr.replacement, err);
    if (rc == 0 && p != len)
        rc = fail(err, p, "trailing bytes after REPLACEMENT");
    if (rc == 0)
        *out = rr;
    return rc;
}

bool ef_naptr_replacement_is_root(const ef_naptr_t *rr)
{
    /* An unset replacement (len 0) means "no replacement" as well. */
    return rr != NULL && (rr->replacement.len == 0 ||
                          (rr->replacement.len == 1 && rr->replacement.ptr[0] == '\0'));
}

/*
 * The presentation form of one label byte (RFC 1035 §5.1): "\X" for the
 * characters that are special in master files, "\DDD" for bytes that are not
 * printable ASCII (and for space), the byte itself otherwise.
 */
static size_t escape_byte(uint8_t c, char *tmp)
{
    if (c <= 0x20 || c >= 0x7F) {
        tmp[0] = '\\';
        tmp[1] = (char)('0' + c / 100);
        tmp[2] = (char)('0' + c / 10 % 10);
        tmp[3] = (char)('0' + c % 10);
        return 4;
    }
    if (strchr(".\\\"();", c) != NULL) {
        tmp[0] = '\\';
        tmp[1] = (char)c;
        return 2;
    }
    tmp[0] = (char)c;
    return 1;
}

/* Append n bytes to out[*o]; false (and nothing written) when that leaves no room for a NUL. */
static bool put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (n >= cap - *o)
        return false;
    memcpy(out + *o, s, n);
    *o += n;
    return true;
}

int ef_naptr_replacement_text(const ef_naptr_t *rr, char *out, size_t cap)
{
    const uint8_t *name;
    size_t n, p = 0, o = 0;
    char tmp[4];

    if (rr == NULL || out == NULL || cap == 0)
        return rr == NULL ? EF_EINVAL : EF_E2BIG;
    name = (const uint8_t *)rr->replacement.ptr;
    n = rr->replacement.len;
    if (ef_naptr_replacement_is_root(rr)) {
        if (!put(out, cap, &o, ".", 1))
            return EF_E2BIG;
        out[o] = '\0';
        return (int)o;
    }
    /* The slice may not come from ef_naptr_decode(): check it again. */
    if (n > WIRE_NAME_MAX)
        return EF_EINVAL;
    while (p < n && name[p] != 0) {
        size_t l = name[p];
        if (l > 63 || l > n - p - 1)
            return EF_EINVAL;
        for (size_t i = 1; i <= l; i++)
            if (!put(out, cap, &o, tmp, escape_byte(name[p + i], tmp)))
                return EF_E2BIG;
        if (!put(out, cap, &o, ".", 1))
            return EF_E2BIG;
        p += 1 + l;
    }
    if (p + 1 != n)
        return EF_EINVAL;
    out[o] = '\0';
    return (int)o;
}

/* Sort key: ORDER major, PREFERENCE minor, then the position in the RRset. */
static bool naptr_before(const ef_naptr_t *a, const ef_naptr_t *b)
{
    if (a->order != b->order)
        return a->order < b->order;
    if (a->preference != b->preference)
        return a->preference < b->preference;
    return a->index < b->index;
}

/*
 * RFC 6116 §5.2: clients MUST sort by ORDER then PREFERENCE, and SHOULD process
 * equal records in the sequence of the DNS response. An insertion sort is
 * stable and fine for the few hundred records an RRset can hold.
 */
void ef_naptr_sort(ef_naptr_t *recs, size_t n)
{
    if (recs == NULL)
        return;
    for (size_t i = 1; i < n; i++) {
        ef_naptr_t cur = recs[i];
        size_t j = i;
        while (j > 0 && naptr_before(&cur, &recs[j - 1])) {
            recs[j] = recs[j - 1];
            j--;
        }
        recs[j] = cur;
    }
}

/*
 * RFC 6116 §3.4.2: "U" (any case, RFC 3403 §4.1) is the only ENUM flag and is
 * terminal; an empty field is non-terminal; a client MUST ignore a record with
 * an unknown flag, so anything else, "U" with other flags included, is UNKNOWN.
 */
enum ef_naptr_kind ef_naptr_kind(const ef_naptr_t *rr)
{
    if (rr == NULL)
        return EF_NAPTR_UNKNOWN;
    if (rr->flags.len == 0)
        return EF_NAPTR_NONTERMINAL;
    if (rr->flags.len == 1 && (rr->flags.ptr[0] == 'u' || rr->flags.ptr[0] == 'U'))
        return EF_NAPTR_TERMINAL;
    return EF_NAPTR_UNKNOWN;
}
