/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_e164.c -- unit tests for e164.c: numbers as users type them, tel: and
 * enum: URIs, the examples of RFC 6116 §3.1, §3.2 and §4 and of
 * draft-brandner-enum-uri, every refusal with its reason and offset, the
 * 15-digit limit, and the ENUM domain under various suffixes. Each input is
 * also parsed flush against a PROT_NONE page to prove there is no over-read.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "enumfed/e164.h"
#include "guard.h"
#include "tap.h"

static int parse(const char *s, ef_e164_t *num, ef_perr_t *err)
{
    size_t n = strlen(s);

    memset(err, 0, sizeof *err);
    return ef_e164_parse(guarded(s, n), n, num, err);
}

static void ok(const char *in, const char *aus)
{
    ef_e164_t num;
    ef_perr_t err;

    CHECK_INT(parse(in, &num, &err), 0);
    CHECK_STR(num.aus, aus);
    CHECK_INT(num.len, strlen(aus));
}

static void bad(const char *in, int code, size_t offset, const char *reason)
{
    ef_e164_t num;
    ef_perr_t err;

    CHECK_INT(parse(in, &num, &err), code);
    CHECK_INT(err.offset, offset);
    CHECK_STR(err.reason, reason);
}

static const char *local = "local number: ENUM needs a global number starting with '+'";

static void test_parse_examples(void)
{
    ok("+44-116-496-0348", "+441164960348");         /* RFC 6116 §3.1 */
    ok("+44-20-7946-0148", "+442079460148");         /* RFC 6116 §3.2 */
    ok("+441632960083", "+441632960083");            /* RFC 6116 §4 */
    ok("enum:+4311234567890;x=y", "+4311234567890"); /* draft-brandner §3.2.2, §3.1 */
    ok("enum:+432221234567890", "+432221234567890");
}

static void test_parse_forms(void)
{
    ok("+44 1632 960083", "+441632960083");
    ok("+44-1632-960083", "+441632960083");
    ok("+44 (1632) 960.083", "+441632960083");
    ok("  +44 1632 960083 \t\n", "+441632960083");
    ok("+-44--(0)--", "+440");
    ok("tel:+44-1632-960083", "+441632960083");
    ok("tel:+44-1632-960083;foo=bar", "+441632960083");
    ok("TEL:+44.1632.960083;ext=12;isub=x", "+441632960083");
    ok("Tel:+1-201-555-0123;foo", "+12015550123");
    ok("enum:+441632960083;x=y", "+441632960083");
    ok("ENUM:+441632960083", "+441632960083");
    ok("eNuM:+4-4;a=b;c", "+44");
    ok("tel:+44;phone=1", "+44"); /* only "phone-context" makes a number local */
    ok("+1", "+1");
}

static void test_parse_errors(void)
{
    bad("", EF_ESYNTAX, 0, "empty input");
    bad("   \t ", EF_ESYNTAX, 0, "empty input");
    bad("01632 960083", EF_ESYNTAX, 0, local);
    bad("(01632) 960083", EF_ESYNTAX, 0, local);
    bad("  1632", EF_ESYNTAX, 2, local);
    bad("tel:1632960083;phone-context=+44", EF_ESYNTAX, 4, local);
    bad("tel:+441632960083;phone-context=example.com", EF_ESYNTAX, 18, local);
    bad("tel:+441632960083;a=b;Phone-Context=+44", EF_ESYNTAX, 22, local);
    bad("tel:*21#", EF_ESYNTAX, 4, local);
    bad("+44 1632 96008x", EF_ESYNTAX, 14, "unexpected character");
    bad("+44_1632", EF_ESYNTAX, 3, "unexpected character");
    bad("+44\x80", EF_ESYNTAX, 3, "unexpected character");
    bad("+44;ext=1", EF_ESYNTAX, 3, "unexpected character"); /* no parameters without a URI */
    bad("tel:+44 1632 960083", EF_ESYNTAX, 7, "unexpected character");
    bad("tel: +441632960083", EF_ESYNTAX, 4, "unexpected character");
    bad("enum:+44:1", EF_ESYNTAX, 8, "unexpected character");
    bad("x", EF_ESYNTAX, 0, "unexpected character");
    bad("+", EF_ESYNTAX, 1, "no digits");
    bad("+ - ( ) .", EF_ESYNTAX, 9, "no digits");
    bad("tel:", EF_ESYNTAX, 4, "no digits");
    bad("tel:+;x=1", EF_ESYNTAX, 5, "no digits");
    bad("enum:;x=1", EF_ESYNTAX, 5, "no digits");
    bad("++44", EF_ESYNTAX, 1, "'+' is only allowed at the start of the number");
    bad("+44+1632", EF_ESYNTAX, 3, "'+' is only allowed at the start of the number");
    bad("sip:+441632960083@example.com", EF_ESYNTAX, 0,
        "unknown URI scheme (expected tel: or enum:)");
    bad("  mailto:x", EF_ESYNTAX, 2, "unknown URI scheme (expected tel: or enum:)");
    bad("tel:+44;", EF_ESYNTAX, 8, "empty URI parameter name");
    bad("tel:+44;;a=b", EF_ESYNTAX, 8, "empty URI parameter name");
    bad("enum:+44;=b", EF_ESYNTAX, 9, "empty URI parameter name");
    bad("tel:+44;a b=c", EF_ESYNTAX, 9, "unexpected character in URI parameter name");
}

static void test_parse_limits(void)
{
    ef_e164_t num;
    ef_perr_t err;

    ok("+123456789012345", "+123456789012345");
    ok("+1 234 567 890 123 45", "+123456789012345");
    bad("+1234567890123456", EF_E2BIG, 16, "more than 15 digits (E.164 limit)");
    bad("tel:+1-234-567-890-123-456", EF_E2BIG, 25, "more than 15 digits (E.164 limit)");

    /* arguments */
    CHECK_INT(ef_e164_parse(NULL, 0, &num, NULL), EF_ESYNTAX);
    CHECK_INT(ef_e164_parse(NULL, 3, &num, NULL), EF_EINVAL);
    CHECK_INT(ef_e164_parse("+1", 2, NULL, NULL), EF_EINVAL);
    /* the length is honoured: a NUL is just a byte, bytes after len are not read */
    CHECK_INT(ef_e164_parse("+441632960083xyz", 13, &num, NULL), 0);
    CHECK_STR(num.aus, "+441632960083");
    CHECK_INT(ef_e164_parse("+44\0"
                            "1",
                            5, &num, &err),
              EF_ESYNTAX);
    CHECK_INT(err.offset, 3);
    /* out is left alone on error */
    memcpy(num.aus, "+1", 3);
    num.len = 2;
    CHECK_INT(ef_e164_parse("+44x", 4, &num, NULL), EF_ESYNTAX);
    CHECK_STR(num.aus, "+1");
}

static void domain_ok(const char *in, const char *suffix, const char *want)
{
    ef_e164_t num;
    ef_perr_t err;
    char out[EF_DNAME_TEXT_MAX];

    CHECK_INT(parse(in, &num, &err), 0);
    CHECK_INT(ef_e164_domain(&num, suffix, out, sizeof out), strlen(want));
    CHECK_STR(out, want);
}

static void test_domain(void)
{
    domain_ok("+44-20-7946-0148", "e164.arpa", "8.4.1.0.6.4.9.7.0.2.4.4.e164.arpa."); /* §3.2 */
    domain_ok("+441632960083", "e164.arpa", "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.");    /* §4 */
    domain_ok("+441632960083", "e164.arpa.", "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.");
    domain_ok("+441632960083", "", "3.8.0.0.6.9.2.3.6.1.4.4.");
    domain_ok("+441632960083", ".", "3.8.0.0.6.9.2.3.6.1.4.4.");
    domain_ok("+4311234567890", "e164.example.net", "0.9.8.7.6.5.4.3.2.1.1.3.4.e164.example.net.");
    domain_ok("+1", "arpa", "1.arpa.");
    domain_ok("+1", "a\\.b", "1.a\\.b.");   /* an escaped dot is inside a label */
    domain_ok("+1", "a\\..", "1.a\\..");    /* ... and is not the final dot */
    domain_ok("+1", "a\\\\.", "1.a\\\\.");  /* an escaped backslash before the final dot */
    domain_ok("+1", "\\097b", "1.\\097b."); /* \DDD */
}

static void test_domain_errors(void)
{
    ef_e164_t num;
    char out[EF_DNAME_TEXT_MAX], suffix[300];

    CHECK_INT(ef_e164_parse("+441632960083", 13, &num, NULL), 0);
    CHECK_INT(ef_e164_domain(&num, "a..b", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, ".e164.arpa", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, "e164.arpa..", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, "..", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, "a\\", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, "a\\25", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, "a\\256", out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(&num, NULL, out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_e164_domain(NULL, "e164.arpa", out, sizeof out), EF_EINVAL);

    /* a label of 63 octets is fine, 64 is not */
    memset(suffix, 'a', 63);
    suffix[63] = '\0';
    CHECK_INT(ef_e164_domain(&num, suffix, out, sizeof out), 24 + 63 + 1);
    memset(suffix, 'a', 64);
    suffix[64] = '\0';
    CHECK_INT(ef_e164_domain(&num, suffix, out, sizeof out), EF_EINVAL);

    /* the capacity: the name and its NUL */
    CHECK_INT(ef_e164_domain(&num, "e164.arpa", out, 35), 34);
    CHECK_INT(ef_e164_domain(&num, "e164.arpa", out, 34), EF_E2BIG);
    CHECK_INT(ef_e164_domain(&num, "e164.arpa", NULL, 0), EF_E2BIG);
    CHECK_INT(ef_e164_domain(&num, "", out, 25), 24);
    CHECK_INT(ef_e164_domain(&num, "", out, 24), EF_E2BIG);

    /* not a parsed number */
    num.len = 1;
    CHECK_INT(ef_e164_domain(&num, "e164.arpa", out, sizeof out), EF_EINVAL);
    memcpy(num.aus, "+12a", 5);
    num.len = 4;
    CHECK_INT(ef_e164_domain(&num, "e164.arpa", out, sizeof out), EF_EINVAL);
}

/* 255 octets on the wire = 253 presentation characters without the final dot. */
static void test_domain_name_limit(void)
{
    ef_e164_t num;
    char out[EF_DNAME_TEXT_MAX], suffix[300];
    size_t n = 0;

    CHECK_INT(ef_e164_parse("+123456789012345", 16, &num, NULL), 0);
    /* 30 characters of digits; the suffix gets 223: labels of 63, 63, 63 and 31 */
    for (int i = 0; i < 4; i++) {
        size_t l = i < 3 ? 63 : 31;
        memset(suffix + n, 'a' + i, l);
        n += l;
        suffix[n++] = '.';
    }
    suffix[n - 1] = '\0';
    CHECK_INT(strlen(suffix), 223);
    CHECK_INT(ef_e164_domain(&num, suffix, out, sizeof out), 254);
    CHECK_INT(strlen(out), 254);
    CHECK(out[253] == '.');
    suffix[n - 1] = 'd';
    suffix[n] = '\0';
    CHECK_INT(ef_e164_domain(&num, suffix, out, sizeof out), EF_E2BIG);
    /* escapes count as one octet: the same suffix with \097 for one 'a' still fits */
    memmove(suffix + 4, suffix + 1, strlen(suffix + 1) + 1);
    memcpy(suffix, "\\097", 4);
    suffix[strlen(suffix) - 1] = '\0';
    CHECK_INT(ef_e164_domain(&num, suffix, out, sizeof out), 257);
}

int main(void)
{
    test_parse_examples();
    test_parse_forms();
    test_parse_errors();
    test_parse_limits();
    test_domain();
    test_domain_errors();
    test_domain_name_limit();
    TAP_DONE();
}
