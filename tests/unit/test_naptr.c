/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_naptr.c -- unit tests for naptr.c: the NAPTRs of RFC 6116 §4 and a
 * non-terminal one built as wire-format rdata, every truncation of a valid
 * record (each one placed flush against a PROT_NONE page, so an over-read
 * crashes), name compression, reserved label types, oversized names, trailing
 * bytes, the presentation form of odd labels, the ORDER/PREFERENCE sort and
 * the Flags classification.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "enumfed/e164.h"
#include "enumfed/naptr.h"
#include "guard.h"
#include "rdata.h"
#include "tap.h"

static size_t build(uint8_t *buf, unsigned order, unsigned pref, const char *flags,
                    const char *services, const char *regexp, const char *replacement)
{
    size_t n = 0;

    buf[n++] = (uint8_t)(order >> 8);
    buf[n++] = (uint8_t)order;
    buf[n++] = (uint8_t)(pref >> 8);
    buf[n++] = (uint8_t)pref;
    put_string(buf, &n, flags);
    put_string(buf, &n, services);
    put_string(buf, &n, regexp);
    put_name(buf, &n, replacement);
    return n;
}

static int decode(const uint8_t *rdata, size_t len, ef_naptr_t *rr, ef_perr_t *err)
{
    memset(err, 0, sizeof *err);
    return ef_naptr_decode(guarded(rdata, len), len, rr, err);
}

static void bad(const uint8_t *rdata, size_t len, size_t offset, const char *reason)
{
    ef_naptr_t rr;
    ef_perr_t err;

    CHECK_INT(decode(rdata, len, &rr, &err), EF_ESYNTAX);
    CHECK_INT(err.offset, offset);
    CHECK_STR(err.reason, reason);
}

static void text_is(const ef_naptr_t *rr, const char *want)
{
    char out[EF_DNAME_TEXT_MAX];

    CHECK_INT(ef_naptr_replacement_text(rr, out, sizeof out), strlen(want));
    CHECK_STR(out, want);
}

/* RFC 6116 §4 (one backslash each on the wire). */
static void test_rfc6116_example(void)
{
    static const char *const services[] = {"E2U+sip", "E2U+h323", "E2U+email:mailto"};
    static const char *const regexps[] = {"!^(\\+441632960083)$!sip:\\1@example.com!",
                                          "!^\\+441632960083$!h323:operator@example.com!",
                                          "!^.*$!mailto:info@example.com!"};
    uint8_t buf[512];
    ef_naptr_t rr;
    ef_perr_t err;

    for (unsigned i = 0; i < 3; i++) {
        size_t n = build(buf, 100, 50 + i, "u", services[i], regexps[i], ".");
        CHECK_INT(decode(buf, n, &rr, &err), 0);
        CHECK_INT(rr.order, 100);
        CHECK_INT(rr.preference, 50 + i);
        CHECK_STRN(rr.flags.ptr, rr.flags.len, "u");
        CHECK_STRN(rr.services.ptr, rr.services.len, services[i]);
        CHECK_STRN(rr.regexp.ptr, rr.regexp.len, regexps[i]);
        CHECK_INT(rr.replacement.len, 1);
        CHECK_INT(rr.index, 0);
        CHECK(ef_naptr_replacement_is_root(&rr));
        CHECK_INT(ef_naptr_kind(&rr), EF_NAPTR_TERMINAL);
        text_is(&rr, ".");
    }
    /* the slices point into the rdata given */
    {
        size_t n = build(buf, 100, 50, "u", "E2U+sip", regexps[0], ".");
        CHECK_INT(ef_naptr_decode(buf, n, &rr, &err), 0);
        CHECK(rr.flags.ptr == (const char *)buf + 5);
        CHECK(rr.services.ptr == (const char *)buf + 7);
        CHECK(rr.replacement.ptr == (const char *)buf + n - 1);
    }
}

static void test_nonterminal(void)
{
    uint8_t buf[512];
    ef_naptr_t rr;
    ef_perr_t err;
    size_t n;

    n = build(buf, 65535, 0, "", "", "", "_sip._udp.example.com.");
    CHECK_INT(decode(buf, n, &rr, &err), 0);
    CHECK_INT(rr.order, 65535);
    CHECK_INT(rr.preference, 0);
    CHECK_INT(rr.flags.len, 0);
    CHECK_INT(rr.services.len, 0);
    CHECK_INT(rr.regexp.len, 0);
    CHECK_INT(rr.replacement.len, 23);
    CHECK(!ef_naptr_replacement_is_root(&rr));
    CHECK_INT(ef_naptr_kind(&rr), EF_NAPTR_NONTERMINAL);
    text_is(&rr, "_sip._udp.example.com.");

    n = build(buf, 10, 10, "", "", "", "4.4.e164.arpa");
    CHECK_INT(decode(buf, n, &rr, &err), 0);
    text_is(&rr, "4.4.e164.arpa.");
}

/* Every proper prefix of a valid record is truncated, and says where. */
static void test_truncation(void)
{
    uint8_t buf[512];
    ef_naptr_t rr;
    ef_perr_t err;
    size_t n = build(buf, 100, 10, "u", "E2U+sip", "!^.*$!sip:a@example.com!", "sip.example.com.");
    size_t fails = 0;

    CHECK_INT(decode(buf, n, &rr, &err), 0);
    for (size_t len = 0; len < n; len++) {
        int rc = decode(buf, len, &rr, &err);
        if (rc != EF_ESYNTAX || err.reason == NULL || strncmp(err.reason, "truncated in ", 13) ||
            err.offset > len) {
            printf("# prefix %zu: rc %d reason %s\n", len, rc, err.reason ? err.reason : "-");
            fails++;
        }
    }
    CHECK_INT(fails, 0);
    bad(buf, 0, 0, "truncated in ORDER");
    bad(buf, 1, 0, "truncated in ORDER");
    bad(buf, 3, 2, "truncated in PREFERENCE");
    bad(buf, 4, 4, "truncated in FLAGS");
    bad(buf, 5, 4, "truncated in FLAGS");
    bad(buf, 6, 6, "truncated in SERVICES");
    bad(buf, 13, 6, "truncated in SERVICES");
    bad(buf, 14, 14, "truncated in REGEXP");
    bad(buf, 38, 14, "truncated in REGEXP");
    bad(buf, 39, 39, "truncated in REPLACEMENT");
    bad(buf, 42, 39, "truncated in REPLACEMENT");
    bad(buf, 43, 43, "truncated in REPLACEMENT");
    bad(buf, n - 1, n - 1, "truncated in REPLACEMENT");
    CHECK_INT(ef_naptr_decode(NULL, 0, &rr, &err), EF_ESYNTAX);
    CHECK_INT(ef_naptr_decode(buf, n, NULL, &err), EF_EINVAL);
}

/* At buf[at]: labels of 63, 63, 63 and `last` octets, then the root; returns the end. */
static size_t put_long_name(uint8_t *buf, size_t at, size_t last)
{
    for (int i = 0; i < 4; i++) {
        size_t l = i < 3 ? 63 : last;
        buf[at++] = (uint8_t)l;
        memset(buf + at, 'a' + i, l);
        at += l;
    }
    buf[at++] = 0;
    return at;
}

static void test_malformed_names(void)
{
    uint8_t buf[600];
    size_t n = build(buf, 1, 1, "", "", "", "");
    size_t base = n - 1; /* where REPLACEMENT starts */
    ef_naptr_t rr;
    ef_perr_t err;

    /* a compression pointer, alone or after a label (RFC 3403 §4.1) */
    buf[base] = 0xC0;
    buf[base + 1] = 0x0C;
    bad(buf, base + 2, base, "REPLACEMENT uses name compression");
    memcpy(buf + base, "\3com\xC0\x0C", 6);
    bad(buf, base + 6, base + 4, "REPLACEMENT uses name compression");
    /* reserved label types 01 and 10; 64 = 0x40 is no label length */
    buf[base] = 0x40;
    bad(buf, base + 1, base, "REPLACEMENT uses a reserved label type");
    buf[base] = 0x80;
    bad(buf, base + 1, base, "REPLACEMENT uses a reserved label type");
    /* trailing bytes */
    buf[base] = 0;
    buf[base + 1] = 0;
    bad(buf, base + 2, base + 1, "trailing bytes after REPLACEMENT");
    n = build(buf, 1, 1, "u", "E2U+sip", "!^.*$!sip:a@b!", "example.com");
    buf[n] = 'x';
    bad(buf, n + 1, n, "trailing bytes after REPLACEMENT");

    /* 255 octets is the longest name: 3 labels of 63, one of 61 and the root */
    CHECK_INT(build(buf, 1, 1, "", "", "", ""), base + 1);
    n = put_long_name(buf, base, 61);
    CHECK_INT(n - base, 255);
    CHECK_INT(decode(buf, n, &rr, &err), 0);
    CHECK_INT(rr.replacement.len, 255);
    n = put_long_name(buf, base, 62);
    bad(buf, n, n - 1, "REPLACEMENT is longer than 255 octets");
    /* a label longer than 63 is a length byte with a reserved label type */
    buf[base] = 64;
    memset(buf + base + 1, 'a', 64);
    buf[base + 65] = 0;
    bad(buf, base + 66, base, "REPLACEMENT uses a reserved label type");
}

static void test_text_escapes(void)
{
    ef_naptr_t rr;
    ef_perr_t err;
    char out[EF_DNAME_TEXT_MAX];
    static const uint8_t odd[] = {0, 1, 0,   1,   0,   0, 0,    3,   'a', '.', 'b', 1,   '\\', 1,
                                  1, 3, ' ', '(', ';', 2, 0xFF, '"', 3,   'A', '-', '_', 0};
    uint8_t buf[600];
    size_t n;

    CHECK_INT(decode(odd, sizeof odd, &rr, &err), 0);
    text_is(&rr, "a\\.b.\\\\.\\001.\\032\\(\\;.\\255\\\".A-_.");
    /* the capacity: text and NUL */
    CHECK_INT(ef_naptr_replacement_text(&rr, out, 34), 33);
    CHECK_INT(ef_naptr_replacement_text(&rr, out, 33), EF_E2BIG);
    CHECK_INT(ef_naptr_replacement_text(&rr, out, 0), EF_E2BIG);

    /* the worst case fits in EF_DNAME_TEXT_MAX: 250 bytes that all need \DDD */
    n = build(buf, 1, 1, "", "", "", "");
    n--;
    for (int i = 0; i < 4; i++) {
        size_t l = i < 3 ? 63 : 61;
        buf[n++] = (uint8_t)l;
        memset(buf + n, 0x7F, l);
        n += l;
    }
    buf[n++] = 0;
    CHECK_INT(decode(buf, n, &rr, &err), 0);
    CHECK_INT(ef_naptr_replacement_text(&rr, out, sizeof out), 250 * 4 + 4);

    /* a root replacement needs 2 bytes */
    n = build(buf, 1, 1, "u", "E2U+sip", "!^.*$!sip:a@b!", ".");
    CHECK_INT(decode(buf, n, &rr, &err), 0);
    CHECK_INT(ef_naptr_replacement_text(&rr, out, 2), 1);
    CHECK_INT(ef_naptr_replacement_text(&rr, out, 1), EF_E2BIG);

    /* a hand-made record with a broken name is refused, not over-read */
    memset(&rr, 0, sizeof rr);
    rr.replacement = (ef_str_t){"\5ab", 3};
    CHECK_INT(ef_naptr_replacement_text(&rr, out, sizeof out), EF_EINVAL);
    rr.replacement = (ef_str_t){"\1a", 2};
    CHECK_INT(ef_naptr_replacement_text(&rr, out, sizeof out), EF_EINVAL);
    rr.replacement = (ef_str_t){"\1a\0\0", 4};
    CHECK_INT(ef_naptr_replacement_text(&rr, out, sizeof out), EF_EINVAL);
    rr.replacement = EF_STR_NULL;
    CHECK(ef_naptr_replacement_is_root(&rr));
    text_is(&rr, ".");
}

static ef_naptr_t rec(uint16_t order, uint16_t pref, size_t index)
{
    ef_naptr_t rr;

    memset(&rr, 0, sizeof rr);
    rr.order = order;
    rr.preference = pref;
    rr.index = index;
    return rr;
}

static void test_sort(void)
{
    ef_naptr_t r[8];
    ef_naptr_t big[300];
    size_t bad_order = 0;

    /* ORDER major, PREFERENCE minor */
    r[0] = rec(10, 100, 0);
    r[1] = rec(20, 1, 1);
    r[2] = rec(10, 50, 2);
    ef_naptr_sort(r, 3);
    CHECK_INT(r[0].index, 2);
    CHECK_INT(r[1].index, 0);
    CHECK_INT(r[2].index, 1);

    /* equal keys keep the order of the DNS response (RFC 6116 §5.2) */
    for (size_t i = 0; i < 6; i++)
        r[i] = rec(100, i % 2 ? 10 : 20, i);
    ef_naptr_sort(r, 6);
    for (size_t i = 0; i < 6; i++)
        CHECK_INT(r[i].index, i < 3 ? 2 * i + 1 : 2 * (i - 3));

    /* ... even when all indexes are 0: the sort itself is stable */
    r[0] = rec(5, 5, 0);
    r[0].services = (ef_str_t){"first", 5};
    r[1] = rec(1, 1, 0);
    r[2] = rec(5, 5, 0);
    r[2].services = (ef_str_t){"second", 6};
    ef_naptr_sort(r, 3);
    CHECK_INT(r[0].order, 1);
    CHECK_STRN(r[1].services.ptr, r[1].services.len, "first");
    CHECK_STRN(r[2].services.ptr, r[2].services.len, "second");

    /* ... and a larger set, reversed */
    for (size_t i = 0; i < 300; i++)
        big[i] = rec((uint16_t)(3 - i / 100), (uint16_t)(i % 7), i);
    ef_naptr_sort(big, 300);
    for (size_t i = 1; i < 300; i++) {
        const ef_naptr_t *a = &big[i - 1], *b = &big[i];
        if (a->order > b->order || (a->order == b->order && a->preference > b->preference) ||
            (a->order == b->order && a->preference == b->preference && a->index > b->index))
            bad_order++;
    }
    CHECK_INT(bad_order, 0);
    ef_naptr_sort(NULL, 0);
    ef_naptr_sort(r, 0);
    ef_naptr_sort(r, 1);
    CHECK_INT(r[0].order, 1);
}

static void test_kind(void)
{
    static const struct {
        const char *flags;
        enum ef_naptr_kind kind;
    } cases[] = {
        {"u", EF_NAPTR_TERMINAL}, {"U", EF_NAPTR_TERMINAL}, {"", EF_NAPTR_NONTERMINAL},
        {"s", EF_NAPTR_UNKNOWN},  {"us", EF_NAPTR_UNKNOWN}, {"a", EF_NAPTR_UNKNOWN},
        {"p", EF_NAPTR_UNKNOWN},  {"uu", EF_NAPTR_UNKNOWN}, {" u", EF_NAPTR_UNKNOWN},
    };
    uint8_t buf[64];
    ef_naptr_t rr;
    ef_perr_t err;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = build(buf, 1, 1, cases[i].flags, "E2U+sip", "", ".");
        CHECK_INT(decode(buf, n, &rr, &err), 0);
        CHECK_INT(ef_naptr_kind(&rr), cases[i].kind);
    }
    CHECK_INT(ef_naptr_kind(NULL), EF_NAPTR_UNKNOWN);
}

int main(void)
{
    test_rfc6116_example();
    test_nonterminal();
    test_truncation();
    test_malformed_names();
    test_text_escapes();
    test_sort();
    test_kind();
    TAP_DONE();
}
