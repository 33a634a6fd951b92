/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_uri.c -- unit tests for lib/uri/: the example URIs of RFC 3261
 * §19.1.3 and both comparison lists of §19.1.4, the examples of RFC 3966,
 * RFC 3861 and draft-brandner-enum-uri, the URIs of the RFC 4475 torture
 * messages, IPv6 references, every refusal with its reason and offset, the
 * length, parameter and header limits, %-decoding and parameter lookup. Each
 * input is parsed flush against a PROT_NONE page to prove there is no
 * over-read.
 */
#include <stdlib.h>

#include "enumfed/uri.h"
#include "guard.h"
#include "tap.h"

typedef int (*parse_fn)(const char *, size_t, ef_uri_t *, ef_perr_t *);

/* Parse n bytes of s, placed in guard slot `slot`. */
static int parse_in(int slot, parse_fn fn, const char *s, size_t n, ef_uri_t *u, ef_perr_t *err)
{
    memset(err, 0, sizeof *err);
    return fn(guarded_in(slot, s, n), n, u, err);
}

static int parse(const char *s, ef_uri_t *u, ef_perr_t *err)
{
    return parse_in(0, ef_uri_parse, s, strlen(s), u, err);
}

/* After a group of checks on one input: name the input when one of them failed. */
static void show_input(int failed_before, const char *in)
{
    if (tap_failed != failed_before)
        printf("#   input: \"%s\"\n", in);
}

/* A slice equals want, or is absent (ptr NULL) when want is NULL. */
#define CHECK_SLICE(s, want)                                                                       \
    do {                                                                                           \
        if ((want) == NULL)                                                                        \
            CHECK((s).ptr == NULL && (s).len == 0);                                                \
        else                                                                                       \
            CHECK_STRN((s).ptr, (s).len, (want));                                                  \
    } while (0)

/* A URI that parses, with its user, password, host and port. */
static void ok_uri(const char *in, ef_uri_scheme_t scheme, const char *user, const char *password,
                   const char *host, ef_host_kind_t kind, int port, ef_uri_t *u)
{
    int failed = tap_failed;
    ef_perr_t err;

    CHECK_INT(parse(in, u, &err), 0);
    CHECK_INT(u->scheme, scheme);
    CHECK_SLICE(u->user, user);
    CHECK_SLICE(u->password, password);
    CHECK_SLICE(u->host, host);
    CHECK_INT(u->host_kind, kind);
    CHECK_INT(u->port, port);
    show_input(failed, in);
}

static void ok_sip(const char *in, const char *user, const char *host, ef_host_kind_t kind,
                   int port)
{
    ef_uri_t u;

    ok_uri(in, EF_URI_SIP, user, NULL, host, kind, port, &u);
}

/* Parameter i of u is name[=value] (value NULL: no '='). */
static void check_param(const ef_uri_param_t *list, size_t i, const char *name, const char *value)
{
    CHECK_STRN(list[i].name.ptr, list[i].name.len, name);
    CHECK_SLICE(list[i].value, value);
}

static void bad_fn(parse_fn fn, const char *in, int code, size_t offset, const char *reason)
{
    int failed = tap_failed;
    ef_uri_t u;
    ef_perr_t err;

    CHECK_INT(parse_in(0, fn, in, strlen(in), &u, &err), code);
    CHECK_INT(err.offset, offset);
    CHECK_STR(err.reason, reason);
    show_input(failed, in);
}

static void bad(const char *in, int code, size_t offset, const char *reason)
{
    bad_fn(ef_uri_parse, in, code, offset, reason);
}

static void syntax(const char *in, size_t offset, const char *reason)
{
    bad(in, EF_ESYNTAX, offset, reason);
}

/* ef_uri_sip_equal() of two URIs, both ways round. */
static void sip_equal(const char *a, const char *b, bool want)
{
    int failed = tap_failed;
    ef_uri_t ua, ub;
    ef_perr_t err;

    CHECK_INT(parse_in(0, ef_uri_parse, a, strlen(a), &ua, &err), 0);
    CHECK_INT(parse_in(1, ef_uri_parse, b, strlen(b), &ub, &err), 0);
    CHECK_INT(ef_uri_sip_equal(&ua, &ub), want);
    CHECK_INT(ef_uri_sip_equal(&ub, &ua), want);
    CHECK(ef_uri_sip_equal(&ua, &ua));
    if (tap_failed != failed)
        printf("#   inputs: \"%s\" and \"%s\"\n", a, b);
}

static void test_rfc3261_examples(void)
{
    ef_uri_t u;

    /* RFC 3261 §19.1.3 */
    ok_uri("sip:alice@atlanta.com", EF_URI_SIP, "alice", NULL, "atlanta.com", EF_HOST_DOMAIN, -1,
           &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "sip");
    CHECK_INT(u.n_params, 0);
    CHECK_INT(u.n_headers, 0);
    CHECK(!u.global_number);
    CHECK(u.opaque.ptr == NULL);

    ok_uri("sip:alice:secretword@atlanta.com;transport=tcp", EF_URI_SIP, "alice", "secretword",
           "atlanta.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 1);
    check_param(u.params, 0, "transport", "tcp");

    ok_uri("sips:alice@atlanta.com?subject=project%20x&priority=urgent", EF_URI_SIPS, "alice", NULL,
           "atlanta.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "sips");
    CHECK_INT(u.n_params, 0);
    CHECK_INT(u.n_headers, 2);
    check_param(u.headers, 0, "subject", "project%20x");
    check_param(u.headers, 1, "priority", "urgent");

    ok_uri("sip:+1-212-555-1212:1234@gateway.com;user=phone", EF_URI_SIP, "+1-212-555-1212", "1234",
           "gateway.com", EF_HOST_DOMAIN, -1, &u);
    check_param(u.params, 0, "user", "phone");

    ok_uri("sips:1212@gateway.com", EF_URI_SIPS, "1212", NULL, "gateway.com", EF_HOST_DOMAIN, -1,
           &u);
    ok_sip("sip:alice@192.0.2.4", "alice", "192.0.2.4", EF_HOST_IPV4, -1);

    ok_uri("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", EF_URI_SIP, NULL, NULL,
           "atlanta.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 1);
    check_param(u.params, 0, "method", "REGISTER");
    CHECK_INT(u.n_headers, 1);
    check_param(u.headers, 0, "to", "alice%40atlanta.com");

    /* "The last sample URI above has a user field value of alice;day=tuesday" */
    ok_uri("sip:alice;day=tuesday@atlanta.com", EF_URI_SIP, "alice;day=tuesday", NULL,
           "atlanta.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 0);

    /* §19.1.1 */
    ok_uri("sip:alice@atlanta.com;maddr=239.255.255.1;ttl=15", EF_URI_SIP, "alice", NULL,
           "atlanta.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 2);
    check_param(u.params, 0, "maddr", "239.255.255.1");
    check_param(u.params, 1, "ttl", "15");
}

static void test_rfc3261_comparison(void)
{
    /* RFC 3261 §19.1.4: "The URIs within each of the following sets are equivalent" */
    sip_equal("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp", true);
    sip_equal("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5", true);
    sip_equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=on", true);
    sip_equal("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on", true);
    sip_equal("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
              "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com", true);
    sip_equal("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
              "sip:alice@atlanta.com?priority=urgent&subject=project%20x", true);

    /* "The URIs within each of the following sets are not equivalent" */
    sip_equal("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP", false);
    sip_equal("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060", false);
    sip_equal("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp", false);
    sip_equal("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp", false);
    sip_equal("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting", false);
    sip_equal("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4", false);

    /* "Note that equality is not transitive" */
    sip_equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=on", true);
    sip_equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=off", true);
    sip_equal("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off", false);
}

static void test_comparison_rules(void)
{
    ef_uri_t a, b;
    ef_perr_t err;

    sip_equal("sip:alice@atlanta.com", "sips:alice@atlanta.com", false);
    sip_equal("sip:alice@atlanta.com", "sip:atlanta.com", false);
    sip_equal("sip:alice@atlanta.com", "sip:alice:@atlanta.com", false);
    sip_equal("sip:alice:pw@atlanta.com", "sip:alice:PW@atlanta.com", false);
    sip_equal("sip:alice:p%77@atlanta.com", "sip:alice:pw@atlanta.com", true);
    /* an escaped reserved character is not the character itself */
    sip_equal("sip:a%3Bb@atlanta.com", "sip:a;b@atlanta.com", false);
    sip_equal("sip:a%3bb@atlanta.com", "sip:a%3Bb@atlanta.com", true);
    sip_equal("sip:%75se%72@example.com", "sip:user@example.com", true); /* RFC 4475 esc01 */
    sip_equal("sip:%00@host5.example.com", "sip:%00%00@host5.example.com", false);
    sip_equal("sip:alice@atlanta.com.", "sip:alice@atlanta.com", false);
    sip_equal("sip:alice@atlanta.com:5060", "sip:alice@atlanta.com:05060", true);
    sip_equal("sip:alice@atlanta.com:5060", "sip:alice@atlanta.com:5061", false);
    /* the parameters that must be in both */
    sip_equal("sip:alice@atlanta.com;user=phone", "sip:alice@atlanta.com", false);
    sip_equal("sip:alice@atlanta.com;ttl=1", "sip:alice@atlanta.com", false);
    sip_equal("sip:alice@atlanta.com;method=INVITE", "sip:alice@atlanta.com", false);
    sip_equal("sip:alice@atlanta.com;maddr=239.255.255.1", "sip:alice@atlanta.com", false);
    sip_equal("sip:alice@atlanta.com;lr", "sip:alice@atlanta.com", true);
    sip_equal("sip:alice@atlanta.com;lr", "sip:alice@atlanta.com;lr=on", false);
    sip_equal("sip:alice@atlanta.com;%6Cr", "sip:alice@atlanta.com;LR", true);
    sip_equal("sip:alice@atlanta.com;maddr=ss1.example.com",
              "sip:alice@atlanta.com;MADDR=SS1.example.COM", true);
    /* headers: a multiset; names ignore case, values do not */
    sip_equal("sip:x.com?a=1&a=1", "sip:x.com?a=1&a=2", false);
    sip_equal("sip:x.com?a=1&b=2&a=1", "sip:x.com?A=1&a=1&b=2", true);
    sip_equal("sip:x.com?subject=Hi", "sip:x.com?subject=hi", false);
    sip_equal("sip:x.com?subject=", "sip:x.com?subject=%48i", false);
    /* IPv6 references are compared as addresses */
    sip_equal("sip:[2001:db8::1]", "sip:[2001:DB8:0:0::1]", true);
    sip_equal("sip:[::ffff:192.0.2.1]", "sip:[::FFFF:c000:201]", true);
    sip_equal("sip:[2001:db8::1]", "sip:[2001:db8::2]", false);
    sip_equal("sip:[::ffff:192.0.2.1]", "sip:192.0.2.1", false);

    /* only sip: and sips: URIs are ever equivalent */
    CHECK_INT(parse_in(0, ef_uri_parse, "tel:+1", 6, &a, &err), 0);
    CHECK(!ef_uri_sip_equal(&a, &a));
    CHECK(!ef_uri_sip_equal(NULL, &a));
    CHECK(!ef_uri_sip_equal(&a, NULL));
    CHECK_INT(parse_in(1, ef_uri_parse, "sip:x.com", 9, &b, &err), 0);
    CHECK(!ef_uri_sip_equal(&a, &b));
    CHECK(!ef_uri_sip_equal(&b, &a));
}

static void test_rfc4475_valid(void)
{
    ef_uri_t u;

    /* §3.1.1.1 wsinv */
    ok_uri("sip:vivekg@chair-dnrc.example.com;unknownparam", EF_URI_SIP, "vivekg", NULL,
           "chair-dnrc.example.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 1);
    check_param(u.params, 0, "unknownparam", NULL);
    ok_uri("sip:services.example.com;lr;unknownwith=value;unknown-no-value", EF_URI_SIP, NULL, NULL,
           "services.example.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 3);
    check_param(u.params, 0, "lr", NULL);
    check_param(u.params, 1, "unknownwith", "value");
    check_param(u.params, 2, "unknown-no-value", NULL);

    /* §3.1.1.2 intmeth: every unusual but legal character of user and password */
    ok_uri("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
           "(doesn't-it)@example.com",
           EF_URI_SIP, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
           "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", "example.com", EF_HOST_DOMAIN, -1, &u);
    ok_sip("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com",
           "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", "example.com", EF_HOST_DOMAIN, -1);
}

static void test_rfc4475_escapes(void)
{
    const ef_uri_param_t *p;
    char out[64];
    ef_uri_t u;

    /* §3.1.1.3 esc01 */
    ok_sip("sip:sips%3Auser%40example.com@example.net", "sips%3Auser%40example.com", "example.net",
           EF_HOST_DOMAIN, -1);
    ok_sip("sip:%75se%72@example.com", "%75se%72", "example.com", EF_HOST_DOMAIN, -1);
    ok_uri("sip:I%20have%20spaces@example.net", EF_URI_SIP, "I%20have%20spaces", NULL,
           "example.net", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(ef_uri_unescape(u.user, out, sizeof out), 13);
    CHECK_STRN(out, 13, "I have spaces");
    ok_uri("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31", EF_URI_SIP, "cal%6Cer",
           NULL, "host5.example.net", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 2);
    CHECK(ef_uri_param(&u, "lr") == &u.params[0]);
    p = ef_uri_param(&u, "name");
    CHECK(p == &u.params[1]);
    /* "name" has the value "value%41", not "valueA": unescaping is never recursive */
    if (p != NULL) {
        CHECK_INT(ef_uri_unescape(p->value, out, sizeof out), 8);
        CHECK_STRN(out, 8, "value%41");
    }

    /* §3.1.1.4 escnull: the user holds a NUL, which must not shorten it */
    ok_uri("sip:null-%00-null@example.com", EF_URI_SIP, "null-%00-null", NULL, "example.com",
           EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(ef_uri_unescape(u.user, out, sizeof out), 11);
    CHECK(memcmp(out, "null-\0-null", 11) == 0);
    ok_sip("sip:%00@host5.example.com", "%00", "host5.example.com", EF_HOST_DOMAIN, -1);
    ok_sip("sip:%00%00@host5.example.com", "%00%00", "host5.example.com", EF_HOST_DOMAIN, -1);

    /* §3.1.1.5 esc02: the URIs are plain */
    ok_sip("sip:registrar.example.com", NULL, "registrar.example.com", EF_HOST_DOMAIN, -1);
}

static void test_rfc4475_others(void)
{
    char out[64], longreq[1024];
    ef_uri_t u;

    /* §3.1.1.7 longreq */
    snprintf(longreq, sizeof longreq, "sip:user@example.com:6000;unknownparam1=very%s%s%s%s%s",
             "longlonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglong",
             "value;longparam",
             "namenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamenamename"
             "namenamenamenamenamename",
             "=shortvalue;very",
             "longlonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglonglong"
             "longlonglonglonglonglongParameterNameWithNoValue");
    ok_uri(longreq, EF_URI_SIP, "user", NULL, "example.com", EF_HOST_DOMAIN, 6000, &u);
    CHECK_INT(u.n_params, 3);
    CHECK(u.params[2].value.ptr == NULL);

    /* §3.1.1.9 semiuri: the user part is "user;par=u@example.net" */
    ok_uri("sip:user;par=u%40example.net@example.com", EF_URI_SIP, "user;par=u%40example.net", NULL,
           "example.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_params, 0);
    CHECK_INT(ef_uri_unescape(u.user, out, sizeof out), 22);
    CHECK_STRN(out, 22, "user;par=u@example.net");

    /* §3.3.13 cparam02, §3.4.1 inv2543 */
    ok_uri("sip:+19725552222@gw1.example.net;unknownparam", EF_URI_SIP, "+19725552222", NULL,
           "gw1.example.net", EF_HOST_DOMAIN, -1, &u);
    check_param(u.params, 0, "unknownparam", NULL);
    ok_uri("sip:+13035551111@ift.client.example.net;user=phone", EF_URI_SIP, "+13035551111", NULL,
           "ift.client.example.net", EF_HOST_DOMAIN, -1, &u);
    CHECK(ef_uri_param(&u, "USER") == &u.params[0]);
    ok_uri("sip:UserB@example.com;maddr=ss1.example.com", EF_URI_SIP, "UserB", NULL, "example.com",
           EF_HOST_DOMAIN, -1, &u);
    check_param(u.params, 0, "maddr", "ss1.example.com");

    /*
     * §3.1.2.11 escruri, §3.1.2.13 regbadct, §3.3.14 regescrt: an escaped Route
     * header is a valid URI; whether it may appear (not in a Request-URI, only
     * within <> in Contact) is a matter for the message parser, not for us.
     */
    ok_uri("sip:user@example.com?Route=%3Csip:example.com%3E", EF_URI_SIP, "user", NULL,
           "example.com", EF_HOST_DOMAIN, -1, &u);
    check_param(u.headers, 0, "Route", "%3Csip:example.com%3E");

    /* §3.3.2 unkscm, §3.3.3 novelsc, §3.3.4 unksm2 */
    ok_uri("nobodyKnowsThisScheme:totallyopaquecontent", EF_URI_OTHER, NULL, NULL, NULL,
           EF_HOST_NONE, -1, &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "nobodyKnowsThisScheme");
    CHECK_STRN(u.opaque.ptr, u.opaque.len, "totallyopaquecontent");
    ok_uri("soap.beep://192.0.2.103:3002", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "soap.beep");
    CHECK_STRN(u.opaque.ptr, u.opaque.len, "//192.0.2.103:3002");
    ok_uri("isbn:2983792873", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    ok_uri("http://www.example.com", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    ok_uri("name:John_Smith", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
}

static void test_rfc4475_invalid(void)
{
    /* §3.1.2: the Request-URIs and addr-specs of invalid messages */
    syntax("<sip:user@example.com>", 0, "scheme must start with a letter");        /* §3.1.2.7 */
    syntax("sip:user@example.com; lr", 21, "invalid character in parameter name"); /* §3.1.2.8 */
    syntax(" sip:t.watson@example.org ", 0, "scheme must start with a letter");    /* §3.1.2.14 */
    syntax("sip:t.watson@example.org ", 24, "invalid character in host");
    syntax("sip:user@example.com ", 20, "invalid character in host"); /* §3.1.2.10 */
    syntax("si p:user@example.com", 2, "invalid character in scheme");
    syntax("sip :user@example.com", 3, "invalid character in scheme");
    syntax("sip:Watson, Thomas@example.org", 11, "invalid character in user");
}

static void test_ipv6(void)
{
    ef_uri_t u;

    ok_sip("sip:user@[::1]:5060", "user", "[::1]", EF_HOST_IPV6, 5060);
    ok_sip("sip:[2001:db8::1]", NULL, "[2001:db8::1]", EF_HOST_IPV6, -1);
    ok_sip("sip:[::ffff:192.0.2.1]", NULL, "[::ffff:192.0.2.1]", EF_HOST_IPV6, -1);
    ok_sip("sip:alice@[2001:db8::10:5070]", "alice", "[2001:db8::10:5070]", EF_HOST_IPV6, -1);
    ok_sip("sip:alice@[2001:db8::10]:5070", "alice", "[2001:db8::10]", EF_HOST_IPV6, 5070);
    ok_sip("sip:[2001:0db8:0000:0000:0000:0000:0000:0001]", NULL,
           "[2001:0db8:0000:0000:0000:0000:0000:0001]", EF_HOST_IPV6, -1);
    ok_sip("sip:[0000:0000:0000:0000:0000:ffff:255.255.255.255]", NULL,
           "[0000:0000:0000:0000:0000:ffff:255.255.255.255]", EF_HOST_IPV6, -1);
    ok_uri("sips:[2001:DB8::1];transport=tcp?h=v", EF_URI_SIPS, NULL, NULL, "[2001:DB8::1]",
           EF_HOST_IPV6, -1, &u);
    CHECK_INT(u.n_params, 1);
    CHECK_INT(u.n_headers, 1);
    ok_sip("sip:[::]", NULL, "[::]", EF_HOST_IPV6, -1);

    syntax("sip:user@[::1", 13, "unterminated IPv6 reference");
    syntax("sip:[2001:db8::10:5070", 22, "unterminated IPv6 reference");
    syntax("sip:[", 5, "unterminated IPv6 reference");
    syntax("sip:[::1;lr]", 8, "invalid character in IPv6 reference");
    syntax("sip:[::g]", 7, "invalid character in IPv6 reference");
    syntax("sip:[::1%eth0]", 8, "invalid character in IPv6 reference");
    syntax("sip:[]", 5, "invalid IPv6 address");
    syntax("sip:[:::1]", 5, "invalid IPv6 address");
    syntax("sip:[1::2::3]", 5, "invalid IPv6 address");
    syntax("sip:[1:2:3:4:5:6:7:8:9]", 5, "invalid IPv6 address");
    syntax("sip:[12345::1]", 5, "invalid IPv6 address");
    syntax("sip:[::ffff:192.0.2.256]", 5, "invalid IPv6 address");
    syntax("sip:[192.0.2.1]", 5, "invalid IPv6 address");
    syntax("sip:[0000:0000:0000:0000:0000:ffff:255.255.255.2550]", 5, "invalid IPv6 address");
    syntax("sip:[::1]x", 9, "invalid character in host");
    syntax("sip:[::1]:", 10, "empty port");
    syntax("sip:2001:db8::1", 4, "invalid IPv4 address");
}

static void test_sip_forms(void)
{
    ef_uri_t u;
    char out[8];

    ok_uri("SIP:alice@atlanta.com", EF_URI_SIP, "alice", NULL, "atlanta.com", EF_HOST_DOMAIN, -1,
           &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "SIP");
    ok_uri("sIpS:x.com", EF_URI_SIPS, NULL, NULL, "x.com", EF_HOST_DOMAIN, -1, &u);
    ok_sip("sip:alice@atlanta.com.", "alice", "atlanta.com.", EF_HOST_DOMAIN, -1);
    ok_sip("sip:a", NULL, "a", EF_HOST_DOMAIN, -1);
    ok_sip("sip:a-1.b--2.c3", NULL, "a-1.b--2.c3", EF_HOST_DOMAIN, -1);
    ok_sip("sip:123.example.com", NULL, "123.example.com", EF_HOST_DOMAIN, -1);
    ok_sip("sip:x.com:0", NULL, "x.com", EF_HOST_DOMAIN, 0);
    ok_sip("sip:x.com:65535", NULL, "x.com", EF_HOST_DOMAIN, 65535);
    ok_sip("sip:x.com:05060;lr", NULL, "x.com", EF_HOST_DOMAIN, 5060);
    ok_sip("sip:0.0.0.0", NULL, "0.0.0.0", EF_HOST_IPV4, -1);
    ok_sip("sip:255.255.255.255:1", NULL, "255.255.255.255", EF_HOST_IPV4, 1);
    ok_uri("sip:alice:@x.com", EF_URI_SIP, "alice", "", "x.com", EF_HOST_DOMAIN, -1, &u);
    CHECK(u.password.ptr != NULL);
    ok_uri("sip:x.com;a=[::1]:5;b=$&+/", EF_URI_SIP, NULL, NULL, "x.com", EF_HOST_DOMAIN, -1, &u);
    check_param(u.params, 0, "a", "[::1]:5");
    check_param(u.params, 1, "b", "$&+/");
    ok_uri("sip:x.com?h=&i=[]/?:+$%41", EF_URI_SIP, NULL, NULL, "x.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_headers, 2);
    check_param(u.headers, 0, "h", "");
    check_param(u.headers, 1, "i", "[]/?:+$%41");
    /* the first '@' ends the userinfo, so a '@' in the headers is the userinfo's */
    ok_sip("sip:host?x=a@b.com", "host?x=a", "b.com", EF_HOST_DOMAIN, -1);
    ok_uri("sip:%40@x.com", EF_URI_SIP, "%40", NULL, "x.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(ef_uri_unescape(u.user, out, sizeof out), 1);
    CHECK_INT(out[0], '@');

    /* the scheme-specific parser gives the same answer */
    CHECK_INT(parse_in(0, ef_uri_parse_sip, "sips:a@b.c;x", 12, &u, &(ef_perr_t){0, NULL}), 0);
    CHECK_INT(u.scheme, EF_URI_SIPS);
    CHECK_SLICE(u.user, "a");
}

static void test_sip_userinfo_errors(void)
{
    syntax("sip:", 4, "empty host");
    syntax("sip:alice@", 10, "empty host");
    syntax("sip:alice@;lr", 10, "empty host");
    syntax("sip:@example.com", 4, "empty user");
    syntax("sip::pw@example.com", 4, "empty user");
    syntax("sip:al ice@x.com", 6, "invalid character in user");
    syntax("sip:al#ice@x.com", 6, "invalid character in user");
    syntax("sip:[al]@x.com", 4, "invalid character in user");
    syntax("sip:al%4@x.com", 6, "bad %-escape");
    syntax("sip:al%g1@x.com", 6, "bad %-escape");
    syntax("sip:alice:pa:ss@x.com", 12, "invalid character in password");
    syntax("sip:alice:pa;ss@x.com", 12, "invalid character in password");
    syntax("sip:alice:p%z@x.com", 11, "bad %-escape");
    syntax("sip:alice@x.com:", 16, "empty port");
    syntax("sip:alice@x.com:;lr", 16, "empty port");
    syntax("sip:alice@x.com:65536", 16, "port out of range");
    syntax("sip:alice@x.com:99999999999999999999999", 16, "port out of range");
    syntax("sip:alice@x.com:50a", 18, "invalid character in port");
    syntax("sip:alice@x.com:-1", 16, "invalid character in port");
    syntax("sip:alice@x.com:5060:5060", 20, "invalid character in port");
}

static void test_sip_host_errors(void)
{
    char label[128];

    syntax("sip:alice@x_y.com", 11, "invalid character in host");
    syntax("sip:alice@%61.com", 10, "invalid character in host"); /* RFC 3261 §19.1.2 */
    syntax("sip:alice@x.com@y.com", 15, "invalid character in host");
    syntax("sip:alice@x..com", 12, "empty label in host");
    syntax("sip:alice@.x.com", 10, "empty label in host");
    syntax("sip:alice@.", 10, "empty label in host");
    syntax("sip:alice@x.com..", 16, "empty label in host");
    syntax("sip:alice@-x.com", 10, "host label starts with '-'");
    syntax("sip:alice@x-.com", 11, "host label ends with '-'");
    syntax("sip:alice@x.com-", 15, "host label ends with '-'");
    syntax("sip:alice@example.123", 18, "top label must start with a letter");
    syntax("sip:alice@example.1com", 18, "top label must start with a letter");
    syntax("sip:alice@1.2.3", 10, "invalid IPv4 address");
    syntax("sip:alice@256.1.1.1", 10, "invalid IPv4 address");
    syntax("sip:alice@1.2.3.4.5", 10, "invalid IPv4 address");
    syntax("sip:alice@0001.2.3.4", 10, "invalid IPv4 address");
    static const char a64[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    snprintf(label, sizeof label, "sip:x.%.64s.com", a64);
    syntax(label, 6, "host label longer than 63 characters");
    snprintf(label, sizeof label, "sip:x.%.63s.com", a64);
    ok_sip(label, NULL, label + 4, EF_HOST_DOMAIN, -1);
}

static void test_sip_list_errors(void)
{
    syntax("sip:x.com;", 10, "empty parameter name");
    syntax("sip:x.com;;lr", 10, "empty parameter name");
    syntax("sip:x.com;=1", 10, "empty parameter name");
    syntax("sip:x.com;a=", 12, "empty parameter value");
    syntax("sip:x.com;a=;b", 12, "empty parameter value");
    syntax("sip:x.com;a=b=c", 13, "invalid character in parameter value");
    syntax("sip:x.com;a=b c", 13, "invalid character in parameter value");
    syntax("sip:x.com;a b", 11, "invalid character in parameter name");
    syntax("sip:x.com;a,b", 11, "invalid character in parameter name");
    syntax("sip:x.com;a=%", 12, "bad %-escape");
    syntax("sip:x.com;%1=a", 10, "bad %-escape");
    syntax("sip:x.com;lr;LR", 13, "duplicate parameter");
    syntax("sip:x.com;%6Cr;lr", 15, "duplicate parameter");
    syntax("sip:x.com;transport=tcp;transport=udp", 24, "duplicate parameter");
    syntax("sip:x.com?", 10, "empty header name");
    syntax("sip:x.com?=v", 10, "empty header name");
    syntax("sip:x.com?a", 11, "missing '=' in header");
    syntax("sip:x.com?a&b=c", 11, "missing '=' in header");
    syntax("sip:x.com?a=b&", 14, "empty header name");
    syntax("sip:x.com?a=b c", 13, "invalid character in header value");
    syntax("sip:x.com?a=b;c", 13, "invalid character in header value");
    syntax("sip:x.com?a b=c", 11, "invalid character in header name");
    syntax("sip:x.com?a=%", 12, "bad %-escape");
    syntax("sip:x.com?a=b;lr", 13, "invalid character in header value");

    bad_fn(ef_uri_parse_sip, "tel:+1", EF_ESYNTAX, 0, "not a sip: or sips: URI");
    bad_fn(ef_uri_parse_sip, "sipx:a@b.c", EF_ESYNTAX, 0, "not a sip: or sips: URI");
    bad_fn(ef_uri_parse_sip, "", EF_ESYNTAX, 0, "empty URI");
}

static void ok_tel(const char *in, const char *number, bool global, size_t n_params)
{
    int failed = tap_failed;
    ef_uri_t u;
    ef_perr_t err;

    CHECK_INT(parse(in, &u, &err), 0);
    CHECK_INT(u.scheme, EF_URI_TEL);
    CHECK_SLICE(u.user, number);
    CHECK_INT(u.global_number, global);
    CHECK_INT(u.n_params, n_params);
    CHECK(u.host.ptr == NULL && u.host_kind == EF_HOST_NONE && u.port == -1);
    CHECK_INT(parse_in(0, ef_uri_parse_tel, in, strlen(in), &u, &err), 0);
    show_input(failed, in);
}

static void test_tel(void)
{
    ef_uri_t u;
    ef_perr_t err;

    /* RFC 3966 §6, §7 */
    ok_tel("tel:+1-201-555-0123", "+1-201-555-0123", true, 0);
    ok_tel("tel:7042;phone-context=example.com", "7042", false, 1);
    ok_tel("tel:863-1234;phone-context=+1-914-555", "863-1234", false, 1);
    ok_tel("tel:1234;phone-context=munich.example.com", "1234", false, 1);
    ok_tel("tel:+1-212-555-0101", "+1-212-555-0101", true, 0);
    ok_tel("tel:+1-900-555-0191", "+1-900-555-0191", true, 0);
    /* forms */
    ok_tel("TEL:+1", "+1", true, 0);
    ok_tel("tel:+(1).2-3", "+(1).2-3", true, 0);
    ok_tel("tel:*21#;phone-context=+1", "*21#", false, 1);
    ok_tel("tel:ABCdef-0;phone-context=pbx.example.com.", "ABCdef-0", false, 1);
    ok_tel("tel:+1;foo", "+1", true, 1);
    ok_tel("tel:+1;ext=12-3;isub=a%20/?:@&=+$,b", "+1", true, 2);
    ok_tel("tel:5;a=1;phone-context=+49-6151-16;b=[x]:&+$", "5", false, 3);

    CHECK_INT(parse("tel:+1-201-555-0123;ext=1234;isub=abc;foo=bar", &u, &err), 0);
    CHECK_INT(u.n_params, 3);
    check_param(u.params, 0, "ext", "1234");
    check_param(u.params, 1, "isub", "abc");
    check_param(u.params, 2, "foo", "bar");
    CHECK(ef_uri_param(&u, "EXT") == &u.params[0]);
    CHECK(ef_uri_param(&u, "phone-context") == NULL);
}

static void test_tel_errors(void)
{
    syntax("tel:7042", 4, "local number without phone-context");
    syntax("tel:7042;foo=bar", 4, "local number without phone-context");
    syntax("tel:+1;phone-context=example.com", 7, "phone-context with a global number");
    syntax("tel:", 4, "empty number");
    syntax("tel:;phone-context=+1", 4, "empty number");
    syntax("tel:+", 5, "global number without digits");
    syntax("tel:+-.;x", 7, "global number without digits");
    syntax("tel:--;phone-context=+1", 6, "local number without digits");
    syntax("tel:+1 212", 6, "invalid character in number");
    syntax("tel:+12a", 7, "invalid character in number");
    syntax("tel:+1+2", 6, "invalid character in number");
    syntax("tel:12g;phone-context=+1", 6, "invalid character in number");
    syntax("tel:12%33;phone-context=+1", 6, "invalid character in number");
    syntax("tel:+1?x=y", 6, "invalid character in number");
    syntax("tel:+1;ext=abc", 11, "invalid character in parameter value");
    syntax("tel:+1;ext=-", 11, "extension without digits");
    syntax("tel:+1;ext=", 11, "empty parameter value");
    syntax("tel:+1;ext", 10, "parameter needs a value");
    syntax("tel:+1;isub", 11, "parameter needs a value");
    syntax("tel:+1;isub=a b", 13, "invalid character in parameter value");
    syntax("tel:+1;isub=%", 12, "bad %-escape");
    syntax("tel:1;phone-context", 19, "parameter needs a value");
    syntax("tel:1;phone-context=+", 21, "phone-context without digits");
    syntax("tel:1;phone-context=+1x", 22, "invalid character in parameter value");
    syntax("tel:1;phone-context=ex_ample.com", 22, "invalid character in parameter value");
    syntax("tel:1;phone-context=-ex.com", 20, "host label starts with '-'");
    syntax("tel:1;phone-context=example.1", 28, "top label must start with a letter");
    syntax("tel:1;phone-context=a..b", 22, "empty label in host");
    syntax("tel:1;phone-context=+1;phone-context=+2", 23, "duplicate parameter");
    syntax("tel:+1;foo=", 11, "empty parameter value");
    syntax("tel:+1;foo=a=b", 12, "invalid character in parameter value");
    syntax("tel:+1;foo=a%4", 12, "bad %-escape");
    syntax("tel:+1;;a", 7, "empty parameter name");
    syntax("tel:+1;", 7, "empty parameter name");
    syntax("tel:+1;=a", 7, "empty parameter name");
    syntax("tel:+1;a;A", 9, "duplicate parameter");
    syntax("tel:+1;a%41=b", 8, "invalid character in parameter name");
    syntax("tel:+1;a_b", 8, "invalid character in parameter name");
    bad_fn(ef_uri_parse_tel, "sip:+1@x.com", EF_ESYNTAX, 0, "not a tel: URI");
    bad_fn(ef_uri_parse_tel, "enum:+1", EF_ESYNTAX, 0, "not a tel: URI");
}

static void test_enum(void)
{
    ef_uri_t u;
    ef_perr_t err;

    /* draft-brandner-enum-uri §3.2.2 */
    CHECK_INT(parse("enum:+4311234567890", &u, &err), 0);
    CHECK_INT(u.scheme, EF_URI_ENUM);
    CHECK_SLICE(u.user, "+4311234567890");
    CHECK(u.global_number);
    CHECK_INT(u.n_params, 0);
    CHECK_INT(parse("enum:+432221234567890;x=y", &u, &err), 0);
    CHECK_SLICE(u.user, "+432221234567890");
    check_param(u.params, 0, "x", "y");
    /* parameters are meaningless (§3.1) and only checked for form */
    CHECK_INT(parse("ENUM:+44-1632-960083;phone-context=anything;isub=;x", &u, &err), EF_ESYNTAX);
    CHECK_INT(err.offset, 49);
    CHECK_INT(parse("ENUM:+44-1632-960083;phone-context=anything;isub;x", &u, &err), 0);
    CHECK_INT(u.n_params, 3);
    CHECK_INT(parse_in(0, ef_uri_parse_enum, "enum:+1", 7, &u, &err), 0);

    syntax("enum:1234", 5, "enum: needs a global number starting with '+'");
    syntax("enum:*21#", 5, "enum: needs a global number starting with '+'");
    syntax("enum:", 5, "empty number");
    syntax("enum:;x=y", 5, "empty number");
    syntax("enum:+", 6, "global number without digits");
    syntax("enum:+44:1", 8, "invalid character in number");
    syntax("enum:+44;a;a", 11, "duplicate parameter");
    syntax("enum:+44;a=%", 11, "bad %-escape");
    bad_fn(ef_uri_parse_enum, "tel:+1", EF_ESYNTAX, 0, "not an enum: URI");
}

static void test_im_pres(void)
{
    ef_uri_t u;

    /* RFC 3861 §3, RFC 3856 §5, RFC 3953 §4 */
    ok_uri("im:fred@example.com", EF_URI_IM, "fred", NULL, "example.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "im");
    ok_uri("pres:user@example.com", EF_URI_PRES, "user", NULL, "example.com", EF_HOST_DOMAIN, -1,
           &u);
    ok_uri("pres:jon.peterson@example.net", EF_URI_PRES, "jon.peterson", NULL, "example.net",
           EF_HOST_DOMAIN, -1, &u);
    ok_uri("IM:Fred@Example.COM", EF_URI_IM, "Fred", NULL, "Example.COM", EF_HOST_DOMAIN, -1, &u);
    /* [ to ] is optional */
    ok_uri("im:", EF_URI_IM, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    CHECK_INT(u.n_headers, 0);
    ok_uri("im:?subject=hi", EF_URI_IM, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    CHECK_INT(u.n_headers, 1);
    check_param(u.headers, 0, "subject", "hi");
    ok_uri("im:a.b.c@example.com?subject=hello%20world&body=x;y/z:@+$,", EF_URI_IM, "a.b.c", NULL,
           "example.com", EF_HOST_DOMAIN, -1, &u);
    CHECK_INT(u.n_headers, 2);
    check_param(u.headers, 1, "body", "x;y/z:@+$,");
    ok_uri("im:fred+tag!#$&'*/=^_`{|}~-@example.com", EF_URI_IM, "fred+tag!#$&'*/=^_`{|}~-", NULL,
           "example.com", EF_HOST_DOMAIN, -1, &u);
    ok_uri("im:fr%3Fed@example.com", EF_URI_IM, "fr%3Fed", NULL, "example.com", EF_HOST_DOMAIN, -1,
           &u);
    /* quoted-string local parts are kept with their quotes */
    ok_uri("im:\"john\\\"doe\"@example.com", EF_URI_IM, "\"john\\\"doe\"", NULL, "example.com",
           EF_HOST_DOMAIN, -1, &u);
    ok_uri("im:\"a@b\"@example.com", EF_URI_IM, "\"a@b\"", NULL, "example.com", EF_HOST_DOMAIN, -1,
           &u);
    ok_uri("im:\"john%20doe\"@example.com", EF_URI_IM, "\"john%20doe\"", NULL, "example.com",
           EF_HOST_DOMAIN, -1, &u);
    ok_uri("im:\"\"@example.com", EF_URI_IM, "\"\"", NULL, "example.com", EF_HOST_DOMAIN, -1, &u);
    /* domain-literals */
    ok_uri("im:fred@[192.0.2.1]", EF_URI_IM, "fred", NULL, "192.0.2.1", EF_HOST_IPV4, -1, &u);
    ok_uri("im:fred@[2001:db8::1]?a=b", EF_URI_IM, "fred", NULL, "[2001:db8::1]", EF_HOST_IPV6, -1,
           &u);
    ok_uri("pres:fred@192.0.2.1", EF_URI_PRES, "fred", NULL, "192.0.2.1", EF_HOST_IPV4, -1, &u);
    CHECK_INT(parse_in(0, ef_uri_parse_im, "pres:a@b.c", 10, &u, &(ef_perr_t){0, NULL}), 0);
}

static void test_im_errors(void)
{
    syntax("im:fred", 7, "missing '@' in mailbox");
    syntax("im:fred?subject=x", 7, "missing '@' in mailbox");
    syntax("im:\"fred\"", 9, "missing '@' in mailbox");
    syntax("im:@example.com", 3, "empty local part");
    syntax("im:.fred@x.com", 3, "misplaced '.' in local part");
    syntax("im:fred.@x.com", 7, "misplaced '.' in local part");
    syntax("im:fr..ed@x.com", 5, "misplaced '.' in local part");
    syntax("im:fred.", 7, "misplaced '.' in local part");
    syntax("im:fr ed@x.com", 5, "invalid character in local part");
    syntax("im:fr(ed)@x.com", 5, "invalid character in local part");
    syntax("im:fr%4@x.com", 5, "bad %-escape");
    syntax("im:\"fred@x.com", 14, "unterminated quoted string");
    syntax("im:\"fr ed\"@x.com", 6, "invalid character in quoted local part");
    syntax("im:\"fr?ed\"@x.com", 6, "invalid character in quoted local part");
    syntax("im:\"fr\\", 7, "invalid quoted pair");
    syntax("im:\"fr\\ \"@x.com", 7, "invalid quoted pair");
    syntax("im:fred@", 8, "empty host");
    syntax("im:fred@?a=b", 8, "empty host");
    syntax("im:fred@x.com:5060", 13, "invalid character in host");
    syntax("im:fred@x.com;lr", 13, "invalid character in host");
    syntax("im:fred@x..com", 10, "empty label in host");
    syntax("im:fred@[192.0.2.1", 18, "unterminated IPv6 reference");
    syntax("im:fred@[192.0.2.1]x", 19, "invalid character in host");
    syntax("im:fred@[example.com]", 10, "invalid character in IPv6 reference");
    syntax("im:fred@[1.2.3.256]", 9, "invalid IPv6 address");
    syntax("im:fred@x.com?subject", 21, "missing '=' in header");
    syntax("im:fred@x.com?=x", 14, "empty header name");
    syntax("im:fred@x.com?a=b=c", 17, "invalid character in header value");
    syntax("im:fred@x.com?a=b?c", 17, "invalid character in header value");
    syntax("im:?", 4, "empty header name");
    bad_fn(ef_uri_parse_im, "sip:fred@x.com", EF_ESYNTAX, 0, "not an im: or pres: URI");
}

static void test_other(void)
{
    ef_uri_t u;

    ok_uri("mailto:user@example.com?subject=a%20b", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE,
           -1, &u);
    CHECK_STRN(u.scheme_name.ptr, u.scheme_name.len, "mailto");
    CHECK_STRN(u.opaque.ptr, u.opaque.len, "user@example.com?subject=a%20b");
    CHECK_INT(u.n_params, 0);
    ok_uri("urn:ietf:rfc:3261", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    ok_uri("h323:user@h323.example.com;x=[::1]~!$&'()*+,=", EF_URI_OTHER, NULL, NULL, NULL,
           EF_HOST_NONE, -1, &u);
    ok_uri("sipx:a", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);
    ok_uri("x-.+9:a", EF_URI_OTHER, NULL, NULL, NULL, EF_HOST_NONE, -1, &u);

    syntax("", 0, "empty URI");
    syntax("sip", 3, "missing ':' after scheme");
    syntax("alice", 5, "missing ':' after scheme");
    syntax("alice@example.com", 5, "invalid character in scheme");
    syntax("s_p:x", 1, "invalid character in scheme");
    syntax("1x:abc", 0, "scheme must start with a letter");
    syntax(":abc", 0, "scheme must start with a letter");
    syntax("x:", 2, "empty URI after scheme");
    syntax("x:a b", 3, "invalid character in URI");
    syntax("x:a#frag", 3, "invalid character in URI");
    syntax("x:a<b>", 3, "invalid character in URI");
    syntax("x:a\"b", 3, "invalid character in URI");
    syntax("x:a\x7f", 3, "invalid character in URI");
    syntax("x:a\xc3\xa9", 3, "invalid character in URI");
    syntax("x:%zz", 2, "bad %-escape");
    syntax("x:ab%4", 4, "bad %-escape");
}

/* "sip:x.com" then n times ";pN" */
static size_t build_params(char *buf, size_t cap, int n, char sep0, char sep)
{
    size_t len = (size_t)snprintf(buf, cap, "sip:x.com");

    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, sep == '&' ? "%cp%d=" : "%cp%d",
                                i == 0 ? sep0 : sep, i);
    return len;
}

static void test_limits_length(void)
{
    static char big[EF_URI_MAX + 2];
    ef_uri_t u;
    ef_perr_t err;

    /* 4096 bytes are accepted, 4097 refused before a byte is read */
    memcpy(big, "sip:x.com;p=", 12);
    memset(big + 12, 'a', EF_URI_MAX - 12);
    CHECK_INT(parse_in(0, ef_uri_parse, big, EF_URI_MAX, &u, &err), 0);
    CHECK_INT(u.params[0].value.len, EF_URI_MAX - 12);
    big[EF_URI_MAX] = 'a';
    /* longer than the guard page: the parser must refuse it on its length alone */
    memset(&err, 0, sizeof err);
    CHECK_INT(ef_uri_parse(big, EF_URI_MAX + 1, &u, &err), EF_E2BIG);
    CHECK_INT(err.offset, EF_URI_MAX);
    CHECK_STR(err.reason, "URI longer than 4096 bytes");
    CHECK_INT(ef_uri_parse_sip(big, EF_URI_MAX + 1, &u, NULL), EF_E2BIG);
    CHECK_INT(ef_uri_parse_tel(big, EF_URI_MAX + 1, &u, NULL), EF_E2BIG);
    CHECK_INT(ef_uri_parse_im(big, EF_URI_MAX + 1, &u, NULL), EF_E2BIG);
    CHECK_INT(ef_uri_parse_enum(big, EF_URI_MAX + 1, &u, NULL), EF_E2BIG);
    memcpy(big, "zz:", 3);
    CHECK_INT(parse_in(0, ef_uri_parse, big, EF_URI_MAX, &u, &err), 0);
    CHECK_INT(u.opaque.len, EF_URI_MAX - 3);
}

static void test_limits_lists(void)
{
    char buf[512];
    ef_uri_t u;
    ef_perr_t err;
    size_t n;

    /* 32 parameters are kept, a 33rd is refused */
    n = build_params(buf, sizeof buf, 32, ';', ';');
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), 0);
    CHECK_INT(u.n_params, 32);
    check_param(u.params, 31, "p31", NULL);
    n = build_params(buf, sizeof buf, 33, ';', ';');
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), EF_E2BIG);
    CHECK_INT(err.offset, n - 4);
    CHECK_STR(err.reason, "more than 32 parameters");

    /* and 32 headers, not 33 */
    n = build_params(buf, sizeof buf, 32, '?', '&');
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), 0);
    CHECK_INT(u.n_headers, 32);
    check_param(u.headers, 31, "p31", "");
    n = build_params(buf, sizeof buf, 33, '?', '&');
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), EF_E2BIG);
    CHECK_INT(err.offset, n - 5);
    CHECK_STR(err.reason, "more than 32 headers");

    /* the same limits for tel:, im: and enum: */
    n = build_params(buf, sizeof buf, 33, ';', ';');
    memcpy(buf, "tel:+1...", 9);
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), EF_E2BIG);
    CHECK_INT(err.offset, n - 4);
    memcpy(buf, "enum:+1..", 9);
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), EF_E2BIG);
    n = build_params(buf, sizeof buf, 32, ';', ';');
    memcpy(buf, "enum:+1..", 9);
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), 0);
    n = build_params(buf, sizeof buf, 33, '?', '&');
    memcpy(buf, "im:a@x.co", 9);
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), EF_E2BIG);
    CHECK_STR(err.reason, "more than 32 headers");
    n = build_params(buf, sizeof buf, 32, '?', '&');
    memcpy(buf, "im:a@x.co", 9);
    CHECK_INT(parse_in(0, ef_uri_parse, buf, n, &u, &err), 0);
    CHECK_INT(u.n_headers, 32);
}

static void test_arguments(void)
{
    const char *user;
    ef_uri_t u;
    ef_perr_t err;
    parse_fn fns[] = {ef_uri_parse, ef_uri_parse_sip, ef_uri_parse_tel, ef_uri_parse_im,
                      ef_uri_parse_enum};

    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        CHECK_INT(fns[i](NULL, 3, &u, &err), EF_EINVAL);
        CHECK_STR(err.reason, "invalid argument");
        CHECK_INT(fns[i]("sip:a", 5, NULL, &err), EF_EINVAL);
        CHECK_INT(fns[i](NULL, 0, &u, &err), EF_ESYNTAX);
        CHECK_STR(err.reason, "empty URI");
        CHECK_INT(fns[i]("x", 1, &u, NULL), EF_ESYNTAX); /* err may be NULL */
    }
    /* the length is honoured: bytes after len are not read */
    CHECK_INT(ef_uri_parse("sip:alice@x.comXYZ", 15, &u, &err), 0);
    CHECK_SLICE(u.host, "x.com");
    /* a NUL is just a byte, and never a valid one */
    CHECK_INT(parse_in(0, ef_uri_parse, "sip:a\0b@x.com", 13, &u, &err), EF_ESYNTAX);
    CHECK_INT(err.offset, 5);
    CHECK_STR(err.reason, "invalid character in user");
    CHECK_INT(parse_in(0, ef_uri_parse, "sip:x.com;a\0", 12, &u, &err), EF_ESYNTAX);
    CHECK_INT(err.offset, 11);
    CHECK_INT(parse_in(0, ef_uri_parse, "sip:x.com\0", 10, &u, &err), EF_ESYNTAX);
    CHECK_STR(err.reason, "invalid character in host");
    CHECK_INT(parse_in(0, ef_uri_parse, "tel:+1;a=\0", 10, &u, &err), EF_ESYNTAX);
    CHECK_INT(parse_in(0, ef_uri_parse, "im:a@b.c?a=\0", 12, &u, &err), EF_ESYNTAX);
    CHECK_INT(parse_in(0, ef_uri_parse, "x:\0", 3, &u, &err), EF_ESYNTAX);
    /* out is left alone on error */
    CHECK_INT(parse("sip:alice@x.com", &u, &err), 0);
    user = u.user.ptr;
    CHECK_INT(parse("sip:bob@", &u, &err), EF_ESYNTAX);
    CHECK(u.user.ptr == user && u.user.len == 5 && u.host.len == 5);
    CHECK_INT(parse("tel:1", &u, &err), EF_ESYNTAX);
    CHECK_INT(u.scheme, EF_URI_SIP);
}

static void test_unescape(void)
{
    char out[16];
    ef_str_t in = {"%41%42c%7e%7E", 13};

    CHECK_INT(ef_uri_unescape(in, out, sizeof out), 5);
    CHECK_STRN(out, 5, "ABc~~");
    CHECK_INT(ef_uri_unescape(in, out, 5), 5);
    memset(out, '#', sizeof out);
    CHECK_INT(ef_uri_unescape(in, out, 4), EF_E2BIG);
    CHECK_INT(out[0], '#'); /* nothing written */
    CHECK_INT(ef_uri_unescape((ef_str_t){"%00", 3}, out, 1), 1);
    CHECK_INT(out[0], 0);
    CHECK_INT(ef_uri_unescape((ef_str_t){"%4", 2}, out, sizeof out), EF_ESYNTAX);
    CHECK_INT(ef_uri_unescape((ef_str_t){"%", 1}, out, sizeof out), EF_ESYNTAX);
    CHECK_INT(ef_uri_unescape((ef_str_t){"a%g0", 4}, out, sizeof out), EF_ESYNTAX);
    CHECK_INT(ef_uri_unescape((ef_str_t){"%0g", 3}, out, sizeof out), EF_ESYNTAX);
    CHECK_INT(ef_uri_unescape((ef_str_t){"%25%34%31", 9}, out, sizeof out), 3);
    CHECK_STRN(out, 3, "%41");
    CHECK_INT(ef_uri_unescape((ef_str_t){"a+b", 3}, out, sizeof out), 3);
    CHECK_STRN(out, 3, "a+b");
    CHECK_INT(ef_uri_unescape(EF_STR_NULL, NULL, 0), 0);
    CHECK_INT(ef_uri_unescape((ef_str_t){"", 0}, out, 0), 0);
    CHECK_INT(ef_uri_unescape((ef_str_t){NULL, 1}, out, sizeof out), EF_EINVAL);
    CHECK_INT(ef_uri_unescape((ef_str_t){"a", 1}, NULL, 4), EF_EINVAL);
    CHECK_INT(ef_uri_unescape((ef_str_t){"a", 1}, NULL, 0), EF_E2BIG);
}

static void test_param_lookup(void)
{
    ef_uri_t u;
    ef_perr_t err;

    CHECK_INT(parse("sip:x.com;Transport=TCP;lr;m%61ddr=1.2.3.4;x=%41", &u, &err), 0);
    CHECK(ef_uri_param(&u, "transport") == &u.params[0]);
    CHECK(ef_uri_param(&u, "TRANSPORT") == &u.params[0]);
    CHECK(ef_uri_param(&u, "lr") == &u.params[1]);
    CHECK(ef_uri_param(&u, "maddr") == &u.params[2]);
    CHECK(ef_uri_param(&u, "x") == &u.params[3]);
    CHECK(ef_uri_param(&u, "ttl") == NULL);
    CHECK(ef_uri_param(&u, "") == NULL);
    CHECK(ef_uri_param(&u, "l") == NULL);
    CHECK(ef_uri_param(&u, "lrx") == NULL);
    CHECK(ef_uri_param(NULL, "lr") == NULL);
    CHECK(ef_uri_param(&u, NULL) == NULL);
    CHECK(ef_uri_param(&u, "subject") == NULL); /* headers are not parameters */
}

int main(void)
{
    test_rfc3261_examples();
    test_rfc3261_comparison();
    test_comparison_rules();
    test_rfc4475_valid();
    test_rfc4475_escapes();
    test_rfc4475_others();
    test_rfc4475_invalid();
    test_ipv6();
    test_sip_forms();
    test_sip_userinfo_errors();
    test_sip_host_errors();
    test_sip_list_errors();
    test_tel();
    test_tel_errors();
    test_enum();
    test_im_pres();
    test_im_errors();
    test_other();
    test_limits_length();
    test_limits_lists();
    test_arguments();
    test_unescape();
    test_param_lookup();
    TAP_DONE();
}
