/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_enumsvc_rules.c -- unit tests for enumsvc_rules.c: Enumservice names
 * against RFC 6116 §3.4.3 (ABNF, 1..32 characters), §3.4.3.1 ("X-" and "P-"
 * facets), RFC 6117 §3.2 (dash rules, "e2u" prefix, lowercase), §5.2.3 (one
 * Subtype) and §11.8 (the example names "foo", "bar", "sbar"). Each case lists
 * the codes and offsets expected, in order. Inputs are placed flush against a
 * PROT_NONE page to prove there is no over-read.
 */
#include <stdio.h>

#include "enumfed/enumsvc.h"
#include "guard.h"
#include "tap.h"

static ef_enumsvc_problem_t probs[EF_ENUMSVC_PROBLEMS_MAX];

static int check(const char *s, bool allow_examples)
{
    size_t n = strlen(s);

    memset(probs, 0xA5, sizeof probs);
    return ef_enumsvc_check_name(guarded(s, n), n, allow_examples, probs, EF_ENUMSVC_PROBLEMS_MAX);
}

/*
 * `want` is "CODE@OFFSET CODE@OFFSET ..." in order, "" for a clean name;
 * `valid`: whether ef_enumsvc_problems_ok() holds.
 */
static void expect(const char *name, bool allow_examples, const char *want, bool valid)
{
    char got[512] = "";
    size_t o = 0;
    int rc = check(name, allow_examples);

    printf("# %s%s\n", name, allow_examples ? " (examples allowed)" : "");
    CHECK(rc >= 0);
    for (int i = 0; i < rc && o < sizeof got; i++)
        o += (size_t)snprintf(got + o, sizeof got - o, "%s%s@%zu", i ? " " : "", probs[i].code,
                              probs[i].offset);
    CHECK_STR(got, want);
    CHECK_INT(ef_enumsvc_problems_ok(probs, rc < 0 ? 0 : (size_t)rc), valid);
}

#define OK(name) expect(name, false, "", true)
#define BAD(name, want) expect(name, false, want, false)

static void test_valid(void)
{
    /* RFC 6117 §5.2 / Appendix A examples and common registered names */
    OK("email:mailto");
    OK("voicemsg:sip");
    OK("sip");
    OK("voice:tel");
    OK("im");
    OK("h323");
    OK("web:https");
    OK("a");
    OK("a1-b2");
    OK("x");    /* one character, no facet */
    OK("e2");   /* not "e2u" */
    OK("ee2u"); /* "e2u" inside, not at the start */
    OK("sip:e2");
    OK("foobar"); /* only the exact example names are reserved */
    OK("sbars");
    OK("xfoo");
}

static void test_length(void)
{
    char b[80];

    /* 32 characters: the most RFC 6116 §3.4.3 allows */
    memset(b, 'a', 32);
    b[32] = '\0';
    OK(b);
    /* 33: E002 at the 33rd character */
    memset(b, 'a', 33);
    b[33] = '\0';
    BAD(b, "E002@32");
    /* 32:32 and 32:33 */
    memset(b, 'a', 65);
    b[32] = ':';
    b[65] = '\0';
    OK(b);
    memset(b, 'a', 66);
    b[32] = ':';
    b[66] = '\0';
    BAD(b, "E002@65");
    /* 1 character Subtype */
    OK("a:b");
}

static void test_chars(void)
{
    BAD("sip.tel", "E003@3");
    BAD("voice:te_l", "E003@8");
    BAD("voice tel", "E003@5");
    BAD("s+ip", "E003@1");
    BAD("sip\xc3\xa9", "E003@3");
    BAD("a.b.c", "E003@1"); /* the first bad character only */
    /* E003 does not hide other rules */
    BAD("-a.", "E003@2 E004@0");
}

static void test_dashes(void)
{
    BAD("-sip", "E004@0");
    BAD("sip-", "E005@3");
    BAD("a-sip", "E006@1");
    BAD("voice:t-el", "E006@7"); /* subtypes have no facets */
    BAD("voice:-tel", "E004@6");
    BAD("voice:tel-", "E005@9");
    BAD("voice:x-tel", "E006@7");
    BAD("-", "E004@0"); /* first and last are one character: reported once */
    BAD("--", "E004@0 E005@1 E006@1");
    BAD("a--", "E005@2 E006@1");
    OK("ab--cd"); /* "--" inside is allowed */
}

static void test_facets(void)
{
    /* RFC 6116 §3.4.3.1: '-' second marks a facet; X- and P- are named */
    BAD("X-foo", "E007@1 W001@0");
    BAD("x-foo", "E007@1");
    BAD("x-sip:tel", "E007@1");
    BAD("P-sip", "E008@1 W001@0");
    BAD("p-sip", "E008@1");
    BAD("q-sip", "E006@1");
    BAD("x-", "E005@1 E007@1");
    CHECK_INT(check("x-sip", false), 1);
    CHECK_STR(probs[0].id, "facet-x");
    CHECK_STR(probs[0].section, "RFC 6116 §3.4.3.1");
    CHECK(strstr(probs[0].message, "experimental") != NULL);
    CHECK_INT(check("p-sip", false), 1);
    CHECK_STR(probs[0].id, "facet-p");
    CHECK(strstr(probs[0].message, "private") != NULL);
}

static void test_e2u(void)
{
    /* RFC 6117 §3.2 "MUST NOT start with the string e2u", §11.8 "set to, nor start with" */
    BAD("e2u", "E009@0");
    BAD("E2U", "E009@0 W001@0");
    BAD("e2U", "E009@0 W001@2");
    BAD("E2u", "E009@0 W001@0");
    BAD("e2usip", "E009@0");
    BAD("e2u-sip", "E009@0");
    BAD("sip:e2u", "E009@4");
    BAD("sip:E2Utel", "E009@4 W001@4");
    CHECK_INT(check("e2u", false), 1);
    CHECK_STR(probs[0].section, "RFC 6117 §3.2, §11.8");
    CHECK_STR(probs[0].id, "e2u-prefix");
}

static void test_examples(void)
{
    /* RFC 6117 §11.8: "foo", "bar", "sbar" unless the experts confirm an exception */
    BAD("foo", "E010@0");
    BAD("bar", "E010@0");
    BAD("sbar", "E010@0");
    BAD("FOO", "E010@0 W001@0");
    BAD("foo:bar", "E010@0 E010@4");
    BAD("sip:sbar", "E010@4");
    expect("foo", true, "", true);
    expect("foo:bar", true, "", true);
    expect("Sbar", true, "W001@0", true);
    CHECK_INT(check("bar", false), 1);
    CHECK_STR(probs[0].section, "RFC 6117 §11.8");
}

static void test_uppercase(void)
{
    /* RFC 6117 §3.2: case-insensitive, SHOULD be lowercase: a warning */
    expect("SIP", false, "W001@0", true);
    expect("voice:TEL", false, "W001@6", true);
    expect("Voice:Tel", false, "W001@0 W001@6", true);
    expect("sIp", false, "W001@1", true);
    CHECK_INT(check("Sip", false), 1);
    CHECK(probs[0].warning);
    CHECK_STR(probs[0].code, "W001");
    CHECK_STR(probs[0].section, "RFC 6117 §3.2");
}

static void test_colons(void)
{
    BAD("", "E001@0");
    BAD(":", "E001@0 E001@1");
    BAD("voice:", "E001@6");
    BAD(":tel", "E001@0");
    BAD("a:b:c", "E011@3");
    BAD("a::c", "E001@2 E011@2");
    BAD("a:b:c:d", "E011@3");
    BAD("voice:tel:", "E011@9 E001@10");
    CHECK_INT(check("a:b:c", false), 1);
    CHECK_STR(probs[0].section, "RFC 6117 §5.2.3");
}

static void test_api(void)
{
    ef_enumsvc_problem_t one[1];

    CHECK_INT(ef_enumsvc_check_name(NULL, 0, false, NULL, 0), EF_E2BIG); /* "" is empty: E001 */
    CHECK_INT(ef_enumsvc_check_name(NULL, 1, false, one, 1), EF_EINVAL);
    CHECK_INT(ef_enumsvc_check_name("sip", 3, false, NULL, 1), EF_EINVAL);
    CHECK_INT(ef_enumsvc_check_name("sip", 3, false, NULL, 0), 0);
    /* more problems than room: E2BIG, the first ones kept */
    CHECK_INT(ef_enumsvc_check_name("--", 2, false, one, 1), EF_E2BIG);
    CHECK_STR(one[0].code, "E004");
    CHECK_INT(ef_enumsvc_check_name("-", 1, false, one, 1), 1);
    /* the length bounds the input: "sip" of "sip-" */
    CHECK_INT(ef_enumsvc_check_name("sip-", 3, false, one, 1), 0);
    /* many colons overflow the recommended room */
    CHECK_INT(check(":::::::::::::::::::::::::::::::::", false), EF_E2BIG);
    CHECK(ef_enumsvc_problems_ok(NULL, 0));
    CHECK(!ef_enumsvc_problems_ok(NULL, 1));
    /* the worst single token: every per-token rule at once, within the documented room */
    BAD("--Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.-", "E002@32 E003@33 E004@0 E005@34 E006@1 W001@2");
}

int main(void)
{
    test_valid();
    test_length();
    test_chars();
    test_dashes();
    test_facets();
    test_e2u();
    test_examples();
    test_uppercase();
    test_colons();
    test_api();
    TAP_DONE();
}
