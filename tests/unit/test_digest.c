/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_digest.c -- Digest authentication, server side (RFC 7616, RFC 3261
 * §22.4): the RFC 7616 §3.9.1 example values, SIP credentials checked end to
 * end, stale, forged and foreign nonces, tampered responses, malformed and
 * unsupported credentials, the challenge values, and that secrets are
 * compared with CRYPTO_memcmp.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "enumfed/digest.h"
#include "enumfed/sip_hdr.h"
#include "tap.h"

#define S(lit) ((ef_str_t){(lit), sizeof(lit) - 1})

static ef_str_t str(const char *s)
{
    return (ef_str_t){s, strlen(s)};
}

/*
 * The library's references to CRYPTO_memcmp bind to this definition, linked
 * into the test program ahead of libcrypto: it counts the calls and compares
 * without an early exit, as the original does.
 */
static int memcmp_calls;

int CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
    const unsigned char *x = a, *y = b;
    unsigned char d = 0;

    memcmp_calls++;
    for (size_t i = 0; i < len; i++)
        d |= x[i] ^ y[i];
    return d != 0;
}

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
static const unsigned char key2[32] = "fedcba9876543210fedcba9876543210";

/* --- RFC 7616 §3.9.1 ----------------------------------------------------------- */

#define RFC_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC_REALM "http-auth@example.org"
#define RFC_MD5 "8ca523f5e9506fed4657c9700eebdbec"
#define RFC_SHA256 "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"

static void test_rfc7616_example(void)
{
    char ha1[EF_DIGEST_HEX_MAX], resp[EF_DIGEST_HEX_MAX];
    ef_digest_alg_t algs[2] = {EF_DIGEST_MD5, EF_DIGEST_SHA256};
    const char *want[2] = {RFC_MD5, RFC_SHA256};

    for (int i = 0; i < 2; i++) {
        CHECK_INT(
            ef_digest_ha1(algs[i], S("Mufasa"), S(RFC_REALM), S("Circle of Life"), ha1, sizeof ha1),
            0);
        CHECK_INT(strlen(ha1), ef_digest_hex_len(algs[i]));
        CHECK_INT(ef_digest_response(algs[i], str(ha1), S(RFC_NONCE), S("00000001"), S(RFC_CNONCE),
                                     S("auth"), S("GET"), S("/dir/index.html"), resp, sizeof resp),
                  0);
        CHECK_STR(resp, want[i]);
    }
    /* a known HA1 (RFC 2617's Mufasa example uses another realm; this is ours) */
    CHECK_INT(ef_digest_ha1(EF_DIGEST_MD5, S("Mufasa"), S("testrealm@host.com"),
                            S("Circle Of Life"), ha1, sizeof ha1),
              0);
    CHECK_STR(ha1, "939e7578ed9e3c518a452acee763bce9");
    CHECK_INT(ef_digest_ha1(EF_DIGEST_SHA256, S("a"), S("b"), S("c"), ha1, 64), EF_EINVAL);
    CHECK_INT(ef_digest_ha1((ef_digest_alg_t)7, S("a"), S("b"), S("c"), ha1, sizeof ha1),
              EF_EINVAL);
}

/* The RFC's own header parses; its nonce is not one of ours, so it is refused as such. */
static void test_rfc7616_header(void)
{
    static const char hdr[] = "Digest username=\"Mufasa\",\r\n realm=\"" RFC_REALM "\",\r\n"
                              " uri=\"/dir/index.html\",\r\n algorithm=SHA-256,\r\n"
                              " nonce=\"" RFC_NONCE "\",\r\n nc=00000001,\r\n"
                              " cnonce=\"" RFC_CNONCE "\",\r\n qop=auth,\r\n"
                              " response=\"" RFC_SHA256 "\",\r\n"
                              " opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
    ef_sip_auth_t a;
    ef_digest_creds_t cr;
    char ha1[EF_DIGEST_HEX_MAX];

    CHECK_INT(ef_sip_parse_auth(hdr, sizeof hdr - 1, &a, NULL), 0);
    CHECK_INT(ef_digest_creds(&a, &cr), EF_DIGEST_OK);
    CHECK_INT(cr.alg, EF_DIGEST_SHA256);
    CHECK_STRN(cr.username.ptr, cr.username.len, "Mufasa");
    CHECK_STRN(cr.realm.ptr, cr.realm.len, RFC_REALM);
    CHECK_STRN(cr.nonce.ptr, cr.nonce.len, RFC_NONCE);
    CHECK_STRN(cr.uri.ptr, cr.uri.len, "/dir/index.html");
    CHECK_STRN(cr.cnonce.ptr, cr.cnonce.len, RFC_CNONCE);
    CHECK_STRN(cr.response.ptr, cr.response.len, RFC_SHA256);
    CHECK_STRN(cr.opaque.ptr, cr.opaque.len, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
    CHECK_INT(cr.nc_value, 1);
    ef_digest_ha1(EF_DIGEST_SHA256, S("Mufasa"), S(RFC_REALM), S("Circle of Life"), ha1,
                  sizeof ha1);
    ef_digest_server_t srv = {S("GET"), S("/dir/index.html"), S(RFC_REALM), EF_STR_NULL,
                              key,      sizeof key,           1000,         30};
    CHECK_INT(ef_digest_verify(&cr, &srv, str(ha1)), EF_DIGEST_BAD_NONCE);
}

/* --- SIP credentials, end to end ---------------------------------------------- */

#define REALM "a.example"
#define URI "sip:a.example"
#define T0 1800000000

typedef struct {
    char nonce[EF_DIGEST_NONCE_LEN + 1];
    char ha1[EF_DIGEST_ALGS][EF_DIGEST_HEX_MAX];
    char hdr[2048];
} sip_t;

static void sip_setup(sip_t *s, int64_t now)
{
    CHECK_INT(ef_digest_nonce(key, sizeof key, S(REALM), now, s->nonce, sizeof s->nonce), 0);
    for (int a = 0; a < EF_DIGEST_ALGS; a++)
        ef_digest_ha1((ef_digest_alg_t)a, S("alice"), S(REALM), S("s3cret pw"), s->ha1[a],
                      sizeof s->ha1[a]);
}

/* An Authorization value as a UA would send it for alg and password pw. */
static const char *sip_auth(sip_t *s, ef_digest_alg_t alg, const char *pw, const char *extra)
{
    char ha1[EF_DIGEST_HEX_MAX], resp[EF_DIGEST_HEX_MAX];

    ef_digest_ha1(alg, S("alice"), S(REALM), str(pw), ha1, sizeof ha1);
    ef_digest_response(alg, str(ha1), str(s->nonce), S("0000000a"), S("xyz"), S("auth"),
                       S("REGISTER"), S(URI), resp, sizeof resp);
    snprintf(s->hdr, sizeof s->hdr,
             "Digest username=\"alice\", realm=\"" REALM "\", nonce=\"%s\", uri=\"" URI "\", "
             "response=\"%s\", algorithm=%s, cnonce=\"xyz\", qop=auth, nc=0000000a%s",
             s->nonce, resp, ef_digest_alg_name(alg), extra);
    return s->hdr;
}

/* Parse value, take the credentials, check them at now; the verdict. */
static int sip_check(sip_t *s, const char *value, int64_t now)
{
    ef_sip_auth_t a;
    ef_digest_creds_t cr;
    int rc;

    if (ef_sip_parse_auth(value, strlen(value), &a, NULL) != 0)
        return -1;
    if ((rc = ef_digest_creds(&a, &cr)) != EF_DIGEST_OK)
        return rc;
    ef_digest_server_t srv = {S("REGISTER"), S(URI),     S(REALM), EF_STR_NULL,
                              key,           sizeof key, now,      300};
    return ef_digest_verify(&cr, &srv, str(s->ha1[cr.alg]));
}

static void test_sip_ok(void)
{
    sip_t s;
    sip_setup(&s, T0);
    for (int a = 0; a < EF_DIGEST_ALGS; a++) {
        CHECK_INT(sip_check(&s, sip_auth(&s, (ef_digest_alg_t)a, "s3cret pw", ""), T0),
                  EF_DIGEST_OK);
        CHECK_INT(sip_check(&s, sip_auth(&s, (ef_digest_alg_t)a, "s3cret pw", ""), T0 + 300),
                  EF_DIGEST_OK);
        CHECK_INT(sip_check(&s, sip_auth(&s, (ef_digest_alg_t)a, "wrong", ""), T0),
                  EF_DIGEST_BAD_RESPONSE);
    }
    /* no algorithm parameter: MD5 (RFC 7616 §3.3) */
    char *p = strstr(sip_auth(&s, EF_DIGEST_MD5, "s3cret pw", ""), ", algorithm=MD5");
    memmove(p, p + 15, strlen(p + 15) + 1);
    CHECK_INT(sip_check(&s, s.hdr, T0), EF_DIGEST_OK);
    /* the response in upper case still matches; nc is handed to the caller */
    sip_auth(&s, EF_DIGEST_SHA256, "s3cret pw", "");
    for (p = strstr(s.hdr, "response=\"") + 10; *p != '"'; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    CHECK_INT(sip_check(&s, s.hdr, T0), EF_DIGEST_OK);
}

static void test_stale(void)
{
    sip_t s;
    sip_setup(&s, T0);
    CHECK_INT(sip_check(&s, sip_auth(&s, EF_DIGEST_SHA256, "s3cret pw", ""), T0 + 301),
              EF_DIGEST_STALE);
    CHECK_INT(sip_check(&s, sip_auth(&s, EF_DIGEST_MD5, "s3cret pw", ""), T0 + 86400),
              EF_DIGEST_STALE);
    /* stale=true only for a right password (RFC 7616 §3.3) */
    CHECK_INT(sip_check(&s, sip_auth(&s, EF_DIGEST_SHA256, "wrong", ""), T0 + 301),
              EF_DIGEST_BAD_RESPONSE);
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), str(s.nonce), T0, 0),
              EF_DIGEST_NONCE_FRESH);
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), str(s.nonce), T0 + 1, 0),
              EF_DIGEST_NONCE_STALE);
}

static void test_bad_nonce(void)
{
    sip_t s;
    char n2[EF_DIGEST_NONCE_LEN + 1], t[EF_DIGEST_NONCE_LEN + 1];

    sip_setup(&s, T0);
    CHECK_INT(strlen(s.nonce), EF_DIGEST_NONCE_LEN);
    CHECK_INT(strspn(s.nonce, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              EF_DIGEST_NONCE_LEN);
    CHECK_INT(ef_digest_nonce(key, sizeof key, S(REALM), T0, n2, sizeof n2), 0);
    CHECK(strcmp(s.nonce, n2) != 0); /* salted: unique within one second */
    /* from the future, for another realm, under another key */
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), str(s.nonce), T0 - 1, 300),
              EF_DIGEST_NONCE_INVALID);
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S("b.example"), str(s.nonce), T0, 300),
              EF_DIGEST_NONCE_INVALID);
    CHECK_INT(ef_digest_nonce_check(key2, sizeof key2, S(REALM), str(s.nonce), T0, 300),
              EF_DIGEST_NONCE_INVALID);
    /* every single-character change of the nonce (timestamp, salt, MAC) is caught */
    int caught = 0;
    for (size_t i = 0; i < EF_DIGEST_NONCE_LEN; i++) {
        memcpy(t, s.nonce, sizeof t);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        caught += ef_digest_nonce_check(key, sizeof key, S(REALM), str(t), T0 + 10, 1 << 30) ==
                  EF_DIGEST_NONCE_INVALID;
    }
    CHECK_INT(caught, EF_DIGEST_NONCE_LEN);
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), (ef_str_t){s.nonce, 63}, T0, 300),
              EF_DIGEST_NONCE_INVALID);
    memcpy(t, s.nonce, sizeof t);
    t[5] = '+';
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), str(t), T0, 300),
              EF_DIGEST_NONCE_INVALID);
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), S(""), T0, 300),
              EF_DIGEST_NONCE_INVALID);
    /* a forged nonce in credentials: a new challenge, not stale */
    sip_auth(&s, EF_DIGEST_SHA256, "s3cret pw", "");
    strstr(s.hdr, "nonce=\"")[9] ^= 1;
    CHECK_INT(sip_check(&s, s.hdr, T0), EF_DIGEST_BAD_NONCE);
    /* short keys, small buffers, negative time */
    CHECK_INT(ef_digest_nonce(key, 15, S(REALM), T0, n2, sizeof n2), EF_EINVAL);
    CHECK_INT(ef_digest_nonce(key, sizeof key, S(REALM), T0, n2, 64), EF_EINVAL);
    CHECK_INT(ef_digest_nonce(key, sizeof key, S(REALM), -1, n2, sizeof n2), EF_EINVAL);
    CHECK_INT(ef_digest_nonce_check(key, 15, S(REALM), str(s.nonce), T0, 300),
              EF_DIGEST_NONCE_INVALID);
}

static void test_tampered(void)
{
    sip_t s;
    sip_setup(&s, T0);
    for (int a = 0; a < EF_DIGEST_ALGS; a++) {
        size_t hex = ef_digest_hex_len((ef_digest_alg_t)a);
        int caught = 0;
        for (size_t i = 0; i < hex; i++) {
            sip_auth(&s, (ef_digest_alg_t)a, "s3cret pw", "");
            char *r = strstr(s.hdr, "response=\"") + 10;
            r[i] = r[i] == '0' ? '1' : '0';
            caught += sip_check(&s, s.hdr, T0) == EF_DIGEST_BAD_RESPONSE;
        }
        CHECK_INT(caught, (long long)hex);
    }
    /* a response of the other algorithm's length, or not hex */
    sip_auth(&s, EF_DIGEST_SHA256, "s3cret pw", "");
    char *r = strstr(s.hdr, "response=\"") + 10;
    memmove(r + 32, r + 64, strlen(r + 64) + 1);
    CHECK_INT(sip_check(&s, s.hdr, T0), EF_DIGEST_BAD_RESPONSE);
    sip_auth(&s, EF_DIGEST_MD5, "s3cret pw", "");
    strstr(s.hdr, "response=\"")[12] = 'g';
    CHECK_INT(sip_check(&s, s.hdr, T0), EF_DIGEST_BAD_RESPONSE);
    /* the method and uri are in the digest: another method does not pass */
    ef_sip_auth_t a;
    ef_digest_creds_t cr;
    sip_auth(&s, EF_DIGEST_SHA256, "s3cret pw", "");
    ef_sip_parse_auth(s.hdr, strlen(s.hdr), &a, NULL);
    CHECK_INT(ef_digest_creds(&a, &cr), EF_DIGEST_OK);
    ef_digest_server_t srv = {S("INVITE"), EF_STR_NULL, S(REALM), EF_STR_NULL,
                              key,         sizeof key,  T0,       300};
    CHECK_INT(ef_digest_verify(&cr, &srv, str(s.ha1[EF_DIGEST_SHA256])), EF_DIGEST_BAD_RESPONSE);
    srv.method = S("REGISTER");
    CHECK_INT(ef_digest_verify(&cr, &srv, str(s.ha1[EF_DIGEST_SHA256])), EF_DIGEST_OK);
    CHECK_INT(ef_digest_verify(&cr, &srv, str(s.ha1[EF_DIGEST_MD5])), EF_EINVAL);
    srv.uri = S("sip:b.example");
    CHECK_INT(ef_digest_verify(&cr, &srv, str(s.ha1[EF_DIGEST_SHA256])), EF_DIGEST_WRONG_URI);
    srv.uri = EF_STR_NULL;
    srv.realm = S("b.example");
    CHECK_INT(ef_digest_verify(&cr, &srv, str(s.ha1[EF_DIGEST_SHA256])), EF_DIGEST_WRONG_REALM);
    srv.realm = S(REALM);
    srv.opaque = S("op1");
    CHECK_INT(ef_digest_verify(&cr, &srv, str(s.ha1[EF_DIGEST_SHA256])), EF_DIGEST_MALFORMED);
}

/* The secret-derived comparisons go through CRYPTO_memcmp. */
static void test_constant_time(void)
{
    sip_t s;
    sip_setup(&s, T0);
    memcmp_calls = 0;
    CHECK_INT(ef_digest_nonce_check(key, sizeof key, S(REALM), str(s.nonce), T0, 300),
              EF_DIGEST_NONCE_FRESH);
    CHECK_INT(memcmp_calls, 1); /* the nonce MAC */
    memcmp_calls = 0;
    CHECK_INT(sip_check(&s, sip_auth(&s, EF_DIGEST_SHA256, "wrong", ""), T0),
              EF_DIGEST_BAD_RESPONSE);
    CHECK_INT(memcmp_calls, 2); /* the nonce MAC and the response */
    memcmp_calls = 0;
    CHECK_INT(sip_check(&s, sip_auth(&s, EF_DIGEST_MD5, "s3cret pw", ""), T0), EF_DIGEST_OK);
    CHECK_INT(memcmp_calls, 2);
}

static void test_malformed(void)
{
    static const struct {
        const char *v;
        int want;
    } cases[] = {
        {"Basic realm=\"a.example\"", EF_DIGEST_MALFORMED},
        {"Digest realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", response=\"r\", qop=auth, "
         "nc=00000001, cnonce=\"c\"",
         EF_DIGEST_MALFORMED}, /* no username */
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", nc=00000001, cnonce=\"c\"",
         EF_DIGEST_MALFORMED}, /* no qop: the RFC 2069 form is refused */
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, cnonce=\"c\"",
         EF_DIGEST_MALFORMED}, /* no nc */
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=00000001",
         EF_DIGEST_MALFORMED}, /* no cnonce */
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=0001, cnonce=\"c\"",
         EF_DIGEST_MALFORMED}, /* nc of 4 digits */
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=0000000x, cnonce=\"c\"",
         EF_DIGEST_MALFORMED},
        {"Digest username=\"u\", realm=\"a.example\", realm=\"b.example\", nonce=\"n\", "
         "uri=\"sip:a\", response=\"r\", qop=auth, nc=00000001, cnonce=\"c\"",
         EF_DIGEST_MALFORMED}, /* repeated */
        {"Digest username=\"\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=00000001, cnonce=\"c\"",
         EF_DIGEST_MALFORMED}, /* empty */
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=bogus, nc=00000001, cnonce=\"c\"",
         EF_DIGEST_MALFORMED},
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth-int, nc=00000001, cnonce=\"c\"",
         EF_DIGEST_UNSUPPORTED},
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=00000001, cnonce=\"c\", algorithm=MD5-sess",
         EF_DIGEST_UNSUPPORTED},
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=00000001, cnonce=\"c\", algorithm=SHA-512-256",
         EF_DIGEST_UNSUPPORTED},
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=auth, nc=00000001, cnonce=\"c\", userhash=true",
         EF_DIGEST_UNSUPPORTED},
        {"Digest username=\"u\", realm=\"a.example\", nonce=\"n\", uri=\"sip:a\", "
         "response=\"r\", qop=\"auth\", nc=00000001, cnonce=\"c\", algorithm=sha-256, "
         "userhash=false",
         EF_DIGEST_OK}, /* a quoted qop and any case of the algorithm are tolerated */
    };
    ef_sip_auth_t a;
    ef_digest_creds_t cr;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ef_sip_parse_auth(cases[i].v, strlen(cases[i].v), &a, NULL);
        CHECK_INT(rc, 0);
        CHECK_INT(ef_digest_creds(&a, &cr), cases[i].want);
    }
    CHECK_INT(ef_digest_creds(NULL, &cr), EF_DIGEST_MALFORMED);
    CHECK_STR(ef_digest_result_name(EF_DIGEST_STALE), "stale");
    CHECK_STR(ef_digest_result_name(EF_DIGEST_UNSUPPORTED), "unsupported");
    CHECK_STR(ef_digest_result_name(EF_EINVAL), "error");
}

/* unq(): quotes and quoting backslashes go (RFC 7616 §3.3, RFC 3261 §25.1 quoted-pair). */
static void test_unquote(void)
{
    static const char v[] = "Digest username=\"al\\\"ice\\\\\", realm=\"a.example\", "
                            "nonce=\"n\", uri=\"sip:a\", response=\"r\", qop=auth, "
                            "nc=FFFFFFFF, cnonce=\"c\\d\"";
    ef_sip_auth_t a;
    ef_digest_creds_t cr;

    CHECK_INT(ef_sip_parse_auth(v, sizeof v - 1, &a, NULL), 0);
    CHECK_INT(ef_digest_creds(&a, &cr), EF_DIGEST_OK);
    CHECK_STRN(cr.username.ptr, cr.username.len, "al\"ice\\");
    CHECK_STRN(cr.cnonce.ptr, cr.cnonce.len, "cd");
    CHECK_STRN(cr.realm.ptr, cr.realm.len, "a.example");
    CHECK(cr.realm.ptr > v && cr.realm.ptr < v + sizeof v); /* no copy without escapes */
    CHECK_INT(cr.nc_value, 0xffffffffu);
    CHECK(cr.opaque.ptr == NULL);
}

static void test_challenges(void)
{
    char buf[512], nonce[EF_DIGEST_NONCE_LEN + 1];
    ef_str_t v[EF_DIGEST_ALGS];
    ef_sip_auth_t a;

    ef_digest_challenge_t c = {S(REALM), S("abc"), S("op"), false};
    CHECK_INT(ef_digest_challenges(&c, buf, sizeof buf, v), EF_DIGEST_ALGS);
    CHECK_STRN(v[0].ptr, v[0].len,
               "Digest realm=\"a.example\", nonce=\"abc\", opaque=\"op\", algorithm=SHA-256, "
               "qop=\"auth\"");
    CHECK_STRN(v[1].ptr, v[1].len,
               "Digest realm=\"a.example\", nonce=\"abc\", opaque=\"op\", algorithm=MD5, "
               "qop=\"auth\"");
    c.stale = true;
    c.opaque = EF_STR_NULL;
    CHECK_INT(ef_digest_challenges(&c, buf, sizeof buf, v), EF_DIGEST_ALGS);
    CHECK_STRN(v[0].ptr, v[0].len,
               "Digest realm=\"a.example\", nonce=\"abc\", algorithm=SHA-256, qop=\"auth\", "
               "stale=true");
    /* what we write, our parser reads */
    ef_digest_nonce(key, sizeof key, S(REALM), T0, nonce, sizeof nonce);
    c.nonce = str(nonce);
    CHECK_INT(ef_digest_challenges(&c, buf, sizeof buf, v), EF_DIGEST_ALGS);
    for (int i = 0; i < EF_DIGEST_ALGS; i++) {
        CHECK_INT(ef_sip_parse_auth(v[i].ptr, v[i].len, &a, NULL), 0);
        const ef_sip_param_t *p = ef_sip_param_get(&a.params, "algorithm");
        CHECK(p != NULL);
        if (p != NULL)
            CHECK_STRN(p->value.ptr, p->value.len, ef_digest_alg_name((ef_digest_alg_t)i));
    }
    CHECK_INT(ef_digest_challenges(&c, buf, 100, v), EF_E2BIG);
    c.realm = S("a\"b");
    CHECK_INT(ef_digest_challenges(&c, buf, sizeof buf, v), EF_EINVAL);
    c.realm = S("");
    CHECK_INT(ef_digest_challenges(&c, buf, sizeof buf, v), EF_EINVAL);
    c.realm = S(REALM);
    c.opaque = S("a\r\nb");
    CHECK_INT(ef_digest_challenges(&c, buf, sizeof buf, v), EF_EINVAL);
}

int main(void)
{
    test_rfc7616_example();
    test_rfc7616_header();
    test_sip_ok();
    test_stale();
    test_bad_nonce();
    test_tampered();
    test_constant_time();
    test_malformed();
    test_unquote();
    test_challenges();
    TAP_DONE();
}
