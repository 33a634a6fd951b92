/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ddds.c -- unit tests for ddds.c: the examples of RFC 6116 §4, RFC 3402
 * §3.2 and draft-brandner-enum-uri, other delimiters, escaped delimiters in the
 * ERE and the replacement, the "i" flag, every refusal with its reason and
 * offset, output limits, and the rule cache (hits, LRU eviction, negative
 * entries). Most expressions and inputs are placed flush against a PROT_NONE
 * page to prove there is no over-read; every case runs with and without a cache.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "enumfed/ddds.h"
#include "guard.h"
#include "tap.h"

static char out[EF_DDDS_OUT_MAX + 64];
static ef_perr_t perr;

/*
 * Apply expr to in, the expression flush against the guard page, once without
 * a cache and twice with a fresh one (miss, then hit); all three must agree.
 * Returns the code; out and perr hold the result.
 */
static int apply(const char *expr, const char *in)
{
    size_t n = strlen(expr), in_len = strlen(in);
    ef_ddds_cache_t *cache = ef_ddds_cache_new(4);
    char out2[sizeof out];
    ef_perr_t perr2 = {0, NULL};
    int rc, rc2, pass;

    if (cache == NULL)
        abort();
    memset(&perr, 0, sizeof perr);
    in = guarded_in(1, in, in_len);
    rc = ef_ddds_apply(NULL, guarded(expr, n), n, in, in_len, out, sizeof out, &perr);
    for (pass = 0; pass < 2; pass++) {
        memset(&perr2, 0, sizeof perr2);
        rc2 = ef_ddds_apply(cache, guarded(expr, n), n, in, in_len, out2, sizeof out2, &perr2);
        if (rc2 != rc || (rc >= 0 && strcmp(out, out2) != 0) || perr2.offset != perr.offset ||
            perr2.reason != perr.reason) {
            printf("# cache disagrees on %s: %d vs %d\n", expr, rc2, rc);
            rc = -1;
        }
    }
    ef_ddds_cache_free(cache);
    return rc;
}

#define CHECK_APPLY(expr, in, want)                                                                \
    do {                                                                                           \
        int r_ = apply(expr, in);                                                                  \
        CHECK_INT(r_, strlen(want));                                                               \
        CHECK_STR(r_ >= 0 ? out : NULL, want);                                                     \
    } while (0)

#define CHECK_FAIL(expr, in, code, off, why)                                                       \
    do {                                                                                           \
        CHECK_INT(apply(expr, in), code);                                                          \
        CHECK_INT(perr.offset, off);                                                               \
        CHECK_STR(perr.reason, why);                                                               \
    } while (0)

static void test_rfc6116_examples(void)
{
    /* RFC 6116 §4 */
    CHECK_APPLY("!^(\\+441632960083)$!sip:\\1@example.com!", "+441632960083",
                "sip:+441632960083@example.com");
    CHECK_APPLY("!^\\+441632960083$!h323:operator@example.com!", "+441632960083",
                "h323:operator@example.com");
    CHECK_APPLY("!^.*$!mailto:info@example.com!", "+441632960083", "mailto:info@example.com");
    CHECK_APPLY("!^\\+441632960083$!sip:info@example.com!", "+441632960083",
                "sip:info@example.com");
    CHECK_INT(apply("!^\\+441632960083$!sip:info@example.com!", "+441632960084"), EF_ENOMATCH);
}

static void test_brandner_examples(void)
{
    /* draft-brandner-enum-uri: the AUS starts with '+', so ^43222 does not match. */
    CHECK_INT(apply("!^43222(.*)$!enum:+431\\1!", "+432221234567890"), EF_ENOMATCH);
    CHECK_APPLY("!^\\+43222(.*)$!enum:+431\\1!", "+432221234567890", "enum:+4311234567890");
}

static void test_rfc3402_backrefs(void)
{
    /* RFC 3402 §3.2: the ERE (A(B(C)DE)(F)G) */
    CHECK_APPLY("!(A(B(C)DE)(F)G)!\\1|\\2|\\3|\\4!", "ABCDEFG", "ABCDEFG|BCDE|C|F");
    CHECK_FAIL("!(A(B(C)DE)(F)G)!\\5!", "ABCDEFG", EF_ESYNTAX, 17,
               "\\5 refers to no subexpression");
    CHECK_FAIL("!(A(B(C)DE)(F)G)!\\1\\9!", "ABCDEFG", EF_ESYNTAX, 19,
               "\\9 refers to no subexpression");
    CHECK_FAIL("!^.*$!\\1!", "+1", EF_ESYNTAX, 6, "\\1 refers to no subexpression");
    /* RFC 6116 §5.2: many back-references */
    CHECK_APPLY("!^\\+(.)(.)(.)(.)(.)(.)(.)(.)(.).*$!\\9\\8\\7\\6\\5\\4\\3\\2\\1\\1\\1\\1!",
                "+1234567890123", "987654321111");
    /* a group that does not take part expands to nothing */
    CHECK_APPLY("!^\\+(1)?(2)?(3)$!<\\1|\\2|\\3>!", "+13", "<1||3>");
    CHECK_APPLY("!^\\+(a|(b))$!x\\2y!", "+a", "xy");
    /* sed semantics: text around the match is kept */
    CHECK_APPLY("!44!XX!", "+441632", "+XX1632");
    CHECK_APPLY("!4+!\\\\!", "+441632", "+\\1632");
}

static void test_delimiters(void)
{
    CHECK_APPLY("/^\\+(.*)$/sip:\\1@example.com/", "+4412", "sip:4412@example.com");
    CHECK_APPLY("#^(\\+.*)$#sip:\\1@example.com#", "+4412", "sip:+4412@example.com");
    CHECK_APPLY("@^\\+(.*)$@sip:\\1\\@example.com@", "+4412", "sip:4412@example.com");
    CHECK_APPLY("|^\\+(.*)$|sip:\\1@example.com|", "+4412", "sip:4412@example.com");
    CHECK_APPLY(" ^\\+(.*)$ sip:\\1\\ x ", "+4412", "sip:4412 x");
    /* an escaped delimiter in the replacement */
    CHECK_APPLY("!^.*$!sip:a\\!b@x!", "+1", "sip:a!b@x");
    CHECK_APPLY("/^.*$/http:\\/\\/example.com\\/a/", "+1", "http://example.com/a");
    /* an escaped delimiter in the ERE, not special in an ERE: a plain literal */
    CHECK_APPLY("!^a\\!b$!ok!", "a!b", "ok");
    CHECK_APPLY("/^a\\/b$/ok/", "a/b", "ok");
    /* an escaped delimiter that is special in an ERE stays a literal */
    CHECK_APPLY("|^a\\|b$|ok|", "a|b", "ok");
    CHECK_INT(apply("|^a\\|b$|ok|", "a"), EF_ENOMATCH);
    CHECK_APPLY(".^a\\.b$.ok.", "a.b", "ok");
    CHECK_INT(apply(".^a\\.b$.ok.", "axb"), EF_ENOMATCH);
    CHECK_APPLY("$^a\\$b\\$$ok\\$$", "a$b$", "ok$");
    CHECK_APPLY("(^\\+1\\(2\\)3$(sip:\\((", "+1(2)3", "sip:(");
    /* other escapes in the ERE go to regcomp unchanged */
    CHECK_APPLY("!^\\+\\.\\*$!ok!", "+.*", "ok");
    /* other escapes in the replacement are kept as they are */
    CHECK_APPLY("!^.*$!a\\nb\\\\c!", "x", "a\\nb\\c");
    /* a delimiter above 0x7F */
    CHECK_APPLY("\xA7^\\+(.*)$\xA7sip:\\1\xA7", "+99", "sip:99");
}

static void test_flags(void)
{
    CHECK_APPLY("!^\\+44ABC$!x!i", "+44abc", "x");
    CHECK_APPLY("!^\\+44ABC$!x!I", "+44abc", "x");
    CHECK_INT(apply("!^\\+44ABC$!x!", "+44abc"), EF_ENOMATCH);
    /* back-references keep the input's case (the RFC's MAY lower-case is not taken) */
    CHECK_APPLY("!^\\+44(.*)$!SIP:\\1@X!i", "+44AbC", "SIP:AbC@X");
    CHECK_FAIL("!^.*$!x!x", "+1", EF_ESYNTAX, 8, "unknown regexp flag");
    CHECK_FAIL("!^.*$!x!ig", "+1", EF_ESYNTAX, 9, "unknown regexp flag");
    CHECK_FAIL("!^.*$!x! ", "+1", EF_ESYNTAX, 8, "unknown regexp flag");
}

/* A long list of numbers, as a NAPTR could hold one, is not "too complex". */
static void test_long_ere(void)
{
    char expr[256] = "!^\\+(";
    size_t n = strlen(expr);

    while (n < 240) {
        memcpy(expr + n, "4930123456|", 11);
        n += 11;
    }
    memcpy(expr + n - 1, ")$!x!", 6);
    CHECK_INT(strlen(expr), 251);
    CHECK_APPLY(expr, "+4930123456", "x");
}

static void test_syntax_errors(void)
{
    CHECK_FAIL("", "+1", EF_ESYNTAX, 0, "empty substitution expression");
    CHECK_FAIL("!", "+1", EF_ESYNTAX, 1, "expected 3 unescaped delimiters, found 1");
    CHECK_FAIL("!^.*$!x", "+1", EF_ESYNTAX, 7, "expected 3 unescaped delimiters, found 2");
    CHECK_FAIL("!^.*$!x\\!", "+1", EF_ESYNTAX, 9, "expected 3 unescaped delimiters, found 2");
    CHECK_FAIL("!^.*$!x!y!", "+1", EF_ESYNTAX, 9, "expected 3 unescaped delimiters, found 4");
    CHECK_FAIL("!^.*$!x!i!", "+1", EF_ESYNTAX, 9, "expected 3 unescaped delimiters, found 4");
    CHECK_FAIL("!a!b!c!d!e!", "+1", EF_ESYNTAX, 6, "expected 3 unescaped delimiters, found 6");
    CHECK_FAIL("!a!b!c!d!e!f!g!h!i!j!k!", "+1", EF_ESYNTAX, 6,
               "expected 3 unescaped delimiters, found 10 or more");
    /* the delimiter: RFC 3402 §3.2 forbids digits and flag characters */
    CHECK_FAIL("1^.*1x1", "+1", EF_ESYNTAX, 0, "invalid delimiter");
    CHECK_FAIL("0^.*0x0", "+1", EF_ESYNTAX, 0, "invalid delimiter");
    CHECK_FAIL("i^.*ixi", "+1", EF_ESYNTAX, 0, "invalid delimiter");
    CHECK_FAIL("\\^.*\\x\\", "+1", EF_ESYNTAX, 0, "invalid delimiter");
    CHECK_FAIL("!^.*$!\\0!", "+1", EF_ESYNTAX, 6, "\\0 is not a valid back-reference");
}

/* EREs that regcomp refuses, and those we refuse before regcomp sees them. */
static void test_ere_limits(void)
{
    CHECK_FAIL("!(!x!", "+1", EF_ESYNTAX, 1, "invalid ERE");
    CHECK_FAIL("!a{2,1}!x!", "+1", EF_ESYNTAX, 1, "invalid ERE");
    CHECK_FAIL("!!x!", "+1", EF_ESYNTAX, 1, "empty ERE");
    CHECK_FAIL("!(a)\\1!x!", "aa", EF_ESYNTAX, 4, "back-reference in the ERE");
    CHECK_FAIL("!a{256}!x!", "a", EF_ESYNTAX, 2, "repetition bound above 255");
    CHECK_FAIL("!(a{1,255}){1,255}!x!", "a", EF_ESYNTAX, 11, "ERE too complex");
    CHECK_FAIL("!(((a{60})+)+)+!x!", "a", EF_ESYNTAX, 14, "ERE too complex");
    CHECK_INT(apply("!((a{60})+)+!x!", "a"), EF_ENOMATCH);
    CHECK_FAIL("!a{1,255}bc!x!", "a", EF_ESYNTAX, 10, "ERE too complex");
    CHECK_APPLY("!a{1,255}!x!", "+aaa", "+x");
    CHECK_APPLY("!^\\+(.{0,64})(.{0,64})$!\\2!", "+12", "");
    CHECK_APPLY("![{]{3}!x!", "{{{", "x");
    /* POSIX leaves a repetition of a repetition undefined */
    CHECK_FAIL("!^.*+!x!", "+1", EF_ESYNTAX, 4, "repetition of a repetition");
    CHECK_FAIL("!^a{2}{3}!x!", "+1", EF_ESYNTAX, 6, "repetition of a repetition");
    /* glibc's regcomp is exponential on repetitions of what can match "" */
    CHECK_FAIL("!^(a*)+$!x!", "+1", EF_ESYNTAX, 6,
               "repetition of an expression that can match the empty string");
    CHECK_FAIL("!(a|)+!x!", "+1", EF_ESYNTAX, 5,
               "repetition of an expression that can match the empty string");
    CHECK_FAIL("!(b|^)+!x!", "+1", EF_ESYNTAX, 6,
               "repetition of an expression that can match the empty string");
    CHECK_FAIL("!(a?b*\\<){2,}!x!", "+1", EF_ESYNTAX, 9,
               "repetition of an expression that can match the empty string");
    CHECK_FAIL("!^(a*b?)*$!x!", "+1", EF_ESYNTAX, 8,
               "repetition of an expression that can match the empty string");
    CHECK_FAIL("!^(a?){0,3}$!x!", "+1", EF_ESYNTAX, 6,
               "repetition of an expression that can match the empty string");
    CHECK_FAIL("!^(a(b|c?)?)*$!x!", "+1", EF_ESYNTAX, 10,
               "repetition of an expression that can match the empty string");
    CHECK_APPLY("!^(a*b)+$!x!", "aab", "x");
    CHECK_APPLY("!^(a|b?c)+$!x!", "acbc", "x");
    CHECK_APPLY("!^(a(b|c?))*$!x!", "aab", "x");
    CHECK_APPLY("!^(a|b)*c?$!x!", "abba", "x");
    /* at most 4 anchors */
    CHECK_APPLY("!^a$|^b$!x!", "b", "x");
    CHECK_FAIL("!^a$|^b$|^c$!x!", "c", EF_ESYNTAX, 9, "more than 4 anchors in the ERE");
    CHECK_FAIL("!\\<a\\>|\\bb\\B|\\`!x!", "c", EF_ESYNTAX, 13, "more than 4 anchors in the ERE");
    /* at most 16 levels of ( ) */
    CHECK_APPLY("!((((((((((((((((a))))))))))))))))!x!", "a", "x");
    CHECK_FAIL("!(((((((((((((((((a)))))))))))))))))!x!", "a", EF_ESYNTAX, 17,
               "ERE nested too deeply");
    test_long_ere();
}

/* Expressions with a NUL byte, which strlen-based apply() cannot pass. */
static void test_nul_bytes(void)
{
    static const char expr[] = "!^a\0$!x!";
    char o[16];
    ef_perr_t e = {0, NULL};

    CHECK_INT(ef_ddds_apply(NULL, guarded(expr, 8), 8, "a", 1, o, sizeof o, &e), EF_ESYNTAX);
    CHECK_INT(e.offset, 3);
    CHECK_STR(e.reason, "NUL byte in the substitution expression");
    CHECK_INT(ef_ddds_apply(NULL, "\0a\0b\0", 6, "a", 1, o, sizeof o, &e), EF_ESYNTAX);
    CHECK_STR(e.reason, "invalid delimiter");
    CHECK_INT(ef_ddds_apply(NULL, "!a!b!", 5, "a\0b", 3, o, sizeof o, &e), EF_EINVAL);
}

static void test_limits(void)
{
    char big[1100], o[8];
    ef_perr_t e = {0, NULL};
    size_t i;

    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!1234567!", 14, "+1", 2, o, sizeof o, &e), 7);
    CHECK_STR(o, "1234567");
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!12345678!", 15, "+1", 2, o, sizeof o, &e), EF_E2BIG);
    CHECK_STR(e.reason, "result too long");
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!!", 7, "+1", 2, o, 1, &e), 0);
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!!", 7, "+1", 2, NULL, 0, &e), EF_E2BIG);
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!x!", 8, "+1", 2, o, 1, &e), EF_E2BIG);
    CHECK_INT(ef_ddds_apply(NULL, NULL, 3, "+1", 2, o, sizeof o, &e), EF_EINVAL);
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!x!", 8, NULL, 2, o, sizeof o, &e), EF_EINVAL);
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!x!", 8, NULL, 0, o, sizeof o, &e), 1);
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!x!", 8, "+1", 2, NULL, 8, &e), EF_EINVAL);
    /* the input: at most 255 bytes */
    memset(big, '1', sizeof big);
    big[0] = '+';
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!x!", 8, big, 255, o, sizeof o, &e), 1);
    CHECK_INT(ef_ddds_apply(NULL, "!^.*$!x!", 8, big, 256, o, sizeof o, &e), EF_E2BIG);
    CHECK_STR(e.reason, "input longer than 255 bytes");
    /* the expression: at most 1024 bytes */
    memcpy(big, "!^.*$!", 6);
    memset(big + 6, 'y', sizeof big - 6);
    big[1023] = '!';
    CHECK_INT(ef_ddds_apply(NULL, guarded(big, 1024), 1024, "+1", 2, out, sizeof out, &e), 1017);
    big[1024] = '!';
    CHECK_INT(ef_ddds_apply(NULL, guarded(big, 1025), 1025, "+1", 2, out, sizeof out, &e),
              EF_E2BIG);
    CHECK_INT(e.offset, 1024);
    /* the output: at most EF_DDDS_OUT_MAX bytes, whatever cap says */
    memcpy(big, "!^(.*)$!", 8);
    for (i = 8; i < 8 + 2 * 256; i += 2)
        memcpy(big + i, "\\1", 2);
    big[i] = '!';
    CHECK_INT(ef_ddds_apply(NULL, guarded(big, i + 1), i + 1, "+1234567", 8, out, sizeof out, &e),
              EF_DDDS_OUT_MAX);
    CHECK_INT(
        ef_ddds_apply(NULL, guarded(big, i + 1), i + 1, "+1234567", 8, out, EF_DDDS_OUT_MAX, &e),
        EF_E2BIG);
    memcpy(big + i, "x!", 2);
    CHECK_INT(ef_ddds_apply(NULL, guarded(big, i + 2), i + 2, "+1234567", 8, out, sizeof out, &e),
              EF_E2BIG);
    CHECK_INT(e.offset, 0);
    CHECK_STR(e.reason, "result too long");
}

struct rule_case {
    const char *expr, *in, *want;
    int rc;
};

static const struct rule_case rule_cases[] = {
    {"!^\\+441632960083$!sip:info@example.com!", "+441632960083", "sip:info@example.com", 20},
    {"!^(\\+441632960083)$!sip:\\1@example.com!", "+441632960083", "sip:+441632960083@example.com",
     29},
    {"!^.*$!mailto:info@example.com!", "+1", "mailto:info@example.com", 23},
    {"/^\\+43222(.*)$/enum:+431\\1/", "+432221234567890", "enum:+4311234567890", 19},
    {"!^\\+44ABC$!x!i", "+44abc", "x", 1},
    {"!^.*$!\\0!", "+1", NULL, EF_ESYNTAX},
    {"!^43222(.*)$!enum:+431\\1!", "+432221234567890", NULL, EF_ENOMATCH},
};

#define NCASES (sizeof rule_cases / sizeof rule_cases[0])

/* Run every rule case through the cache `rounds` times, in a shifting order. */
static int run_cases(ef_ddds_cache_t *cache, int rounds)
{
    int bad = 0, r;
    size_t i;

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < NCASES; i++) {
            const struct rule_case *c = &rule_cases[(i * (size_t)(r + 1) + (size_t)r) % NCASES];
            size_t n = strlen(c->expr);
            ef_perr_t e = {0, NULL};
            int rc = ef_ddds_apply(cache, guarded(c->expr, n), n, c->in, strlen(c->in), out,
                                   sizeof out, &e);

            if (rc != c->rc || (rc >= 0 && strcmp(out, c->want) != 0) ||
                (rc == EF_ESYNTAX && strcmp(e.reason, "\\0 is not a valid back-reference") != 0))
                bad++;
        }
    }
    return bad;
}

static void test_cache(void)
{
    ef_ddds_cache_t *cache;
    size_t cap;

    /* capacities below, at and above the number of rules: eviction stays correct */
    for (cap = 0; cap <= 9; cap++) {
        cache = ef_ddds_cache_new(cap);
        CHECK(cache != NULL);
        CHECK_INT(run_cases(cache, 6), 0);
        ef_ddds_cache_free(cache);
    }
    cache = ef_ddds_cache_new(2);
    CHECK_INT(run_cases(cache, 50), 0);
    ef_ddds_cache_free(cache);
    cache = ef_ddds_cache_new((size_t)1 << 40); /* huge capacity: buckets are capped */
    CHECK(cache != NULL);
    CHECK_INT(run_cases(cache, 3), 0);
    ef_ddds_cache_free(cache);
    ef_ddds_cache_free(NULL);
}

/* A cached syntax error answers like the first time, reason and offset included. */
static void test_cache_negative(void)
{
    ef_ddds_cache_t *cache = ef_ddds_cache_new(2);
    ef_perr_t e1 = {0, NULL}, e2 = {0, NULL};
    int rc1, rc2;

    rc1 = ef_ddds_apply(cache, "!^.*$!x!q", 9, "+1", 2, out, sizeof out, &e1);
    rc2 = ef_ddds_apply(cache, "!^.*$!x!q", 9, "+1", 2, out, sizeof out, &e2);
    CHECK_INT(rc1, EF_ESYNTAX);
    CHECK_INT(rc2, EF_ESYNTAX);
    CHECK_INT(e2.offset, 8);
    CHECK(e1.reason == e2.reason);
    CHECK_STR(e2.reason, "unknown regexp flag");
    rc2 = ef_ddds_apply(cache, "!(a)!\\2!", 8, "a", 1, out, sizeof out, &e2);
    rc2 = ef_ddds_apply(cache, "!(a)!\\2!", 8, "a", 1, out, sizeof out, &e2);
    CHECK_INT(rc2, EF_ESYNTAX);
    CHECK_INT(e2.offset, 5);
    CHECK_STR(e2.reason, "\\2 refers to no subexpression");
    /* a prefix of a cached rule is another rule */
    CHECK_INT(ef_ddds_apply(cache, "!(a)!\\2!", 7, "a", 1, out, sizeof out, &e2), EF_ESYNTAX);
    CHECK_STR(e2.reason, "expected 3 unescaped delimiters, found 2");
    ef_ddds_cache_free(cache);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Not a check: prints what a cache hit and a compile cost, for the record. */
static void report_speed(void)
{
    static const char rule[] = "!^\\+441632960083$!sip:info@example.com!";
    ef_ddds_cache_t *cache = ef_ddds_cache_new(64);
    int i, n = 100000, rc = 0;
    double t0, t1, t2;

    t0 = now();
    for (i = 0; i < n; i++)
        rc |= ef_ddds_apply(cache, rule, sizeof rule - 1, "+441632960083", 13, out, 64, NULL);
    t1 = now();
    for (i = 0; i < n / 10; i++)
        rc |= ef_ddds_apply(NULL, rule, sizeof rule - 1, "+441632960083", 13, out, 64, NULL);
    t2 = now();
    CHECK_INT(rc, 20);
    printf("# cached apply %.0f ns, uncached %.0f ns\n", (t1 - t0) / n * 1e9,
           (t2 - t1) / (n / 10) * 1e9);
    ef_ddds_cache_free(cache);
}

int main(void)
{
    test_rfc6116_examples();
    test_brandner_examples();
    test_rfc3402_backrefs();
    test_delimiters();
    test_flags();
    test_syntax_errors();
    test_ere_limits();
    test_nul_bytes();
    test_limits();
    test_cache();
    test_cache_negative();
    report_speed();
    TAP_DONE();
}
