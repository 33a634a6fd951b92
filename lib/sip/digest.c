/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * digest.c -- the server side of Digest authentication (RFC 7616, RFC 3261
 * §22.4): HA1, stateless HMAC nonces, challenge values and the check of
 * credentials. Hashing and MACs come from libcrypto; every comparison of a
 * secret-derived value goes through CRYPTO_memcmp.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "enumfed/digest.h"

#define MD_MAX 32                                     /* bytes of the longest supported hash */
#define NONCE_TS 8                                    /* big-endian seconds */
#define NONCE_SALT 8                                  /* random, so nonces are unique */
#define NONCE_MAC 32                                  /* HMAC-SHA256 */
#define NONCE_RAW (NONCE_TS + NONCE_SALT + NONCE_MAC) /* 48 bytes: 64 base64 chars */

static const char hexdig[] = "0123456789abcdef";

const char *ef_digest_alg_name(ef_digest_alg_t alg)
{
    return alg == EF_DIGEST_SHA256 ? "SHA-256" : alg == EF_DIGEST_MD5 ? "MD5" : "?";
}

size_t ef_digest_hex_len(ef_digest_alg_t alg)
{
    return alg == EF_DIGEST_SHA256 ? 64 : alg == EF_DIGEST_MD5 ? 32 : 0;
}

static const EVP_MD *alg_md(ef_digest_alg_t alg)
{
    return alg == EF_DIGEST_SHA256 ? EVP_sha256() : alg == EF_DIGEST_MD5 ? EVP_md5() : NULL;
}

static bool str_eq(ef_str_t a, ef_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool str_ieq(ef_str_t a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && a.ptr != NULL && strncasecmp(a.ptr, b, n) == 0;
}

/* H(p[0] ":" p[1] ":" ... ) into md; *len is the hash length. */
static int hash_parts(ef_digest_alg_t alg, const ef_str_t *p, size_t n, unsigned char *md,
                      unsigned *len)
{
    const EVP_MD *type = alg_md(alg);
    EVP_MD_CTX *ctx;
    int ok;

    if (type == NULL)
        return EF_EINVAL;
    if ((ctx = EVP_MD_CTX_new()) == NULL)
        return EF_ENOMEM;
    ok = EVP_DigestInit_ex(ctx, type, NULL);
    for (size_t i = 0; ok && i < n; i++)
        ok = (i == 0 || EVP_DigestUpdate(ctx, ":", 1)) &&
             (p[i].len == 0 || EVP_DigestUpdate(ctx, p[i].ptr, p[i].len));
    ok = ok && EVP_DigestFinal_ex(ctx, md, len);
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : EF_ENOMEM;
}

static int hash_hex(ef_digest_alg_t alg, const ef_str_t *p, size_t n, char *out, size_t cap)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    int rc;

    if (cap < ef_digest_hex_len(alg) + 1)
        return EF_EINVAL;
    if ((rc = hash_parts(alg, p, n, md, &len)) < 0)
        return rc;
    for (unsigned i = 0; i < len; i++) {
        out[2 * i] = hexdig[md[i] >> 4];
        out[2 * i + 1] = hexdig[md[i] & 15];
    }
    out[2 * len] = '\0';
    return 0;
}

int ef_digest_ha1(ef_digest_alg_t alg, ef_str_t user, ef_str_t realm, ef_str_t password, char *out,
                  size_t cap)
{
    const ef_str_t p[3] = {user, realm, password};
    return hash_hex(alg, p, 3, out, cap);
}

int ef_digest_response(ef_digest_alg_t alg, ef_str_t ha1, ef_str_t nonce, ef_str_t nc,
                       ef_str_t cnonce, ef_str_t qop, ef_str_t method, ef_str_t uri, char *out,
                       size_t cap)
{
    char ha2[EF_DIGEST_HEX_MAX];
    const ef_str_t a2[2] = {method, uri};
    int rc;

    if ((rc = hash_hex(alg, a2, 2, ha2, sizeof ha2)) < 0)
        return rc;
    const ef_str_t kd[6] = {ha1, nonce, nc, cnonce, qop, {ha2, strlen(ha2)}};
    return hash_hex(alg, kd, 6, out, cap);
}

/* --- nonces ---------------------------------------------------------------- */

static int nonce_mac(const unsigned char *key, size_t keylen, const unsigned char *head,
                     ef_str_t realm, unsigned char mac[NONCE_MAC])
{
    unsigned char msg[NONCE_TS + NONCE_SALT + 256];
    unsigned len = 0;

    /* a long realm is hashed first, so the MAC input stays bounded */
    memcpy(msg, head, NONCE_TS + NONCE_SALT);
    size_t n = NONCE_TS + NONCE_SALT;
    if (realm.len <= 256) {
        if (realm.len > 0)
            memcpy(msg + n, realm.ptr, realm.len);
        n += realm.len;
    } else if (EVP_Digest(realm.ptr, realm.len, msg + n, &len, EVP_sha256(), NULL) == 1) {
        n += len;
    } else {
        return EF_ENOMEM;
    }
    if (HMAC(EVP_sha256(), key, (int)keylen, msg, n, mac, &len) == NULL || len != NONCE_MAC)
        return EF_ENOMEM;
    return 0;
}

int ef_digest_nonce(const unsigned char *key, size_t keylen, ef_str_t realm, int64_t now, char *out,
                    size_t cap)
{
    unsigned char raw[NONCE_RAW];
    int rc;

    if (key == NULL || keylen < EF_DIGEST_KEY_MIN || keylen > 1024 || now < 0 ||
        cap < EF_DIGEST_NONCE_LEN + 1)
        return EF_EINVAL;
    for (int i = 0; i < NONCE_TS; i++)
        raw[i] = (unsigned char)((uint64_t)now >> (56 - 8 * i));
    if (RAND_bytes(raw + NONCE_TS, NONCE_SALT) != 1)
        return EF_ENOMEM;
    if ((rc = nonce_mac(key, keylen, raw, realm, raw + NONCE_TS + NONCE_SALT)) < 0)
        return rc;
    /* 48 bytes give 64 base64 characters and no padding; then the URL alphabet */
    EVP_EncodeBlock((unsigned char *)out, raw, NONCE_RAW);
    for (int i = 0; i < EF_DIGEST_NONCE_LEN; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    out[EF_DIGEST_NONCE_LEN] = '\0';
    return 0;
}

/* base64url of exactly NONCE_RAW bytes back to bytes; false when it is not one. */
static bool nonce_decode(ef_str_t nonce, unsigned char raw[NONCE_RAW])
{
    unsigned char b64[EF_DIGEST_NONCE_LEN + 1];
    unsigned char tmp[NONCE_RAW + 3];

    if (nonce.len != EF_DIGEST_NONCE_LEN)
        return false;
    for (size_t i = 0; i < nonce.len; i++) {
        char c = nonce.ptr[i];
        if (c == '-' || c == '_')
            b64[i] = c == '-' ? '+' : '/';
        else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            b64[i] = (unsigned char)c;
        else
            return false;
    }
    b64[EF_DIGEST_NONCE_LEN] = '\0';
    if (EVP_DecodeBlock(tmp, b64, EF_DIGEST_NONCE_LEN) != NONCE_RAW)
        return false;
    memcpy(raw, tmp, NONCE_RAW);
    return true;
}

ef_digest_nonce_t ef_digest_nonce_check(const unsigned char *key, size_t keylen, ef_str_t realm,
                                        ef_str_t nonce, int64_t now, int64_t lifetime)
{
    unsigned char raw[NONCE_RAW], mac[NONCE_MAC];
    uint64_t ts = 0;

    if (key == NULL || keylen < EF_DIGEST_KEY_MIN || keylen > 1024 || nonce.ptr == NULL ||
        !nonce_decode(nonce, raw) || nonce_mac(key, keylen, raw, realm, mac) < 0 ||
        CRYPTO_memcmp(mac, raw + NONCE_TS + NONCE_SALT, NONCE_MAC) != 0)
        return EF_DIGEST_NONCE_INVALID;
    for (int i = 0; i < NONCE_TS; i++)
        ts = ts << 8 | raw[i];
    /* our own clock made it: one from the future was not made by us */
    if (ts > (uint64_t)INT64_MAX || (int64_t)ts > now)
        return EF_DIGEST_NONCE_INVALID;
    return now - (int64_t)ts > lifetime ? EF_DIGEST_NONCE_STALE : EF_DIGEST_NONCE_FRESH;
}

/* --- challenges -------------------------------------------------------------- */

/* An appender with a sticky overflow bit, checked once at the end. */
typedef struct {
    char *buf;
    size_t cap, len;
    bool over;
} out_t;

static void put(out_t *o, const char *s, size_t n)
{
    if (o->over || o->cap - o->len < n) {
        o->over = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void puts_(out_t *o, const char *s)
{
    put(o, s, strlen(s));
}

/* name="value"; the value was checked to need no escaping. */
static void put_quoted(out_t *o, const char *name, ef_str_t v)
{
    puts_(o, name);
    put(o, "=\"", 2);
    put(o, v.ptr, v.len);
    put(o, "\"", 1);
}

/* RFC 7616 §3.3: realm, nonce and opaque are quoted-strings; we write them unescaped. */
static bool qs_plain(ef_str_t v)
{
    if (v.ptr == NULL || v.len == 0)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.ptr[i];
        if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

int ef_digest_challenges(const ef_digest_challenge_t *c, char *buf, size_t cap,
                         ef_str_t vals[EF_DIGEST_ALGS])
{
    out_t o = {buf, cap, 0, false};

    if (!qs_plain(c->realm) || !qs_plain(c->nonce) ||
        (c->opaque.ptr != NULL && !qs_plain(c->opaque)))
        return EF_EINVAL;
    for (int a = 0; a < EF_DIGEST_ALGS; a++) {
        size_t start = o.len;
        put_quoted(&o, "Digest realm", c->realm);
        put_quoted(&o, ", nonce", c->nonce);
        if (c->opaque.ptr != NULL)
            put_quoted(&o, ", opaque", c->opaque);
        /* algorithm and stale are tokens, never quoted (RFC 7616 §3.3) */
        puts_(&o, ", algorithm=");
        puts_(&o, ef_digest_alg_name((ef_digest_alg_t)a));
        puts_(&o, ", qop=\"auth\"");
        if (c->stale)
            puts_(&o, ", stale=true");
        vals[a] = (ef_str_t){buf + start, o.len - start};
    }
    if (o.over)
        return EF_E2BIG;
    return EF_DIGEST_ALGS;
}

/* --- credentials ------------------------------------------------------------- */

const char *ef_digest_result_name(int result)
{
    static const char *const names[] = {"ok",          "stale",     "bad-nonce", "bad-response",
                                        "wrong-realm", "wrong-uri", "malformed", "unsupported"};
    if (result < 0 || (size_t)result >= sizeof names / sizeof names[0])
        return "error";
    return names[result];
}

/*
 * unq(v) (RFC 7616 §3.3): a quoted-string loses its quotes and its quoting
 * backslashes; a token is taken as it is. Only a value with quoted-pairs is
 * copied, into cr->unq. False when cr->unq is full.
 */
static bool unquote(ef_digest_creds_t *cr, ef_str_t v, ef_str_t *out)
{
    if (v.len < 2 || v.ptr[0] != '"' || v.ptr[v.len - 1] != '"') {
        *out = v;
        return true;
    }
    v.ptr++;
    v.len -= 2;
    if (memchr(v.ptr, '\\', v.len) == NULL) {
        *out = v;
        return true;
    }
    char *dst = cr->unq + cr->unq_len;
    size_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        if (v.ptr[i] == '\\' && i + 1 < v.len)
            i++;
        if (cr->unq_len + n >= sizeof cr->unq)
            return false;
        dst[n++] = v.ptr[i];
    }
    cr->unq_len += n;
    *out = (ef_str_t){dst, n};
    return true;
}

/* The one value of a parameter: 1 found, 0 absent, -1 repeated or unquotable. */
static int param1(ef_digest_creds_t *cr, const ef_sip_auth_t *a, const char *name, ef_str_t *out)
{
    const ef_sip_param_t *p = NULL;

    *out = EF_STR_NULL;
    for (size_t i = 0; i < a->params.n; i++)
        if (str_ieq(a->params.p[i].name, name)) {
            if (p != NULL)
                return -1;
            p = &a->params.p[i];
        }
    if (p == NULL)
        return 0;
    if (p->value.ptr == NULL)
        return -1;
    return unquote(cr, p->value, out) ? 1 : -1;
}

/* nc-value = 8LHEX (RFC 7616 §3.4); upper case is tolerated. */
static bool parse_nc(ef_str_t s, uint32_t *out)
{
    uint32_t v = 0;

    if (s.len != 8)
        return false;
    for (size_t i = 0; i < 8; i++) {
        char c = s.ptr[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return true;
}

/* algorithm, userhash and qop: what we cannot do is unsupported, what is not sense is malformed. */
static int creds_options(ef_digest_creds_t *cr, const ef_sip_auth_t *a)
{
    ef_str_t alg, uh;
    int r;

    if ((r = param1(cr, a, "algorithm", &alg)) < 0)
        return EF_DIGEST_MALFORMED;
    if (r == 0 || str_ieq(alg, "MD5")) /* absent means MD5 (RFC 7616 §3.3 algorithm) */
        cr->alg = EF_DIGEST_MD5;
    else if (str_ieq(alg, "SHA-256"))
        cr->alg = EF_DIGEST_SHA256;
    else
        return EF_DIGEST_UNSUPPORTED;
    if ((r = param1(cr, a, "userhash", &uh)) < 0)
        return EF_DIGEST_MALFORMED;
    if (r > 0 && str_ieq(uh, "true"))
        return EF_DIGEST_UNSUPPORTED; /* never offered in our challenges */
    /* qop MUST be one the server offered, and we offer only "auth" (RFC 7616 §3.4 qop) */
    if (param1(cr, a, "qop", &cr->qop) <= 0)
        return EF_DIGEST_MALFORMED;
    if (str_ieq(cr->qop, "auth-int"))
        return EF_DIGEST_UNSUPPORTED;
    return str_ieq(cr->qop, "auth") ? EF_DIGEST_OK : EF_DIGEST_MALFORMED;
}

int ef_digest_creds(const ef_sip_auth_t *auth, ef_digest_creds_t *cr)
{
    memset(cr, 0, sizeof *cr);
    if (auth == NULL || !str_ieq(auth->scheme, "Digest"))
        return EF_DIGEST_MALFORMED;
    /* with qop, cnonce and nc MUST be present (RFC 7616 §3.4 cnonce, nc) */
    struct {
        const char *name;
        ef_str_t *dst;
    } req[] = {{"username", &cr->username},
               {"realm", &cr->realm},
               {"nonce", &cr->nonce},
               {"uri", &cr->uri},
               {"response", &cr->response},
               {"cnonce", &cr->cnonce},
               {"nc", &cr->nc}};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (param1(cr, auth, req[i].name, req[i].dst) <= 0 || req[i].dst->len == 0)
            return EF_DIGEST_MALFORMED;
    if (param1(cr, auth, "opaque", &cr->opaque) < 0 || !parse_nc(cr->nc, &cr->nc_value))
        return EF_DIGEST_MALFORMED;
    return creds_options(cr, auth);
}

/* Lowercase or uppercase hex of exactly n bytes into out. */
static bool unhex(ef_str_t s, unsigned char *out, size_t n)
{
    if (s.len != 2 * n)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        out[i / 2] = (unsigned char)(i % 2 ? out[i / 2] << 4 | d : d);
    }
    return true;
}

int ef_digest_verify(const ef_digest_creds_t *cr, const ef_digest_server_t *srv, ef_str_t ha1)
{
    unsigned char want[MD_MAX], got[MD_MAX];
    char hex[EF_DIGEST_HEX_MAX];
    size_t mdlen = ef_digest_hex_len(cr->alg) / 2;
    ef_digest_nonce_t ns;

    if (mdlen == 0 || !unhex(ha1, want, mdlen))
        return EF_EINVAL;
    if (!str_eq(cr->realm, srv->realm))
        return EF_DIGEST_WRONG_REALM;
    /* the uri MUST agree with the request-target (RFC 7616 §3.4.6) */
    if (srv->uri.ptr != NULL && !str_eq(cr->uri, srv->uri))
        return EF_DIGEST_WRONG_URI;
    /* the client MUST return opaque unchanged (RFC 7616 §3.3 opaque) */
    if (srv->opaque.ptr != NULL && (cr->opaque.ptr == NULL || !str_eq(cr->opaque, srv->opaque)))
        return EF_DIGEST_MALFORMED;
    ns = ef_digest_nonce_check(srv->key, srv->keylen, srv->realm, cr->nonce, srv->now,
                               srv->lifetime);
    if (ns == EF_DIGEST_NONCE_INVALID)
        return EF_DIGEST_BAD_NONCE;
    if (ef_digest_response(cr->alg, ha1, cr->nonce, cr->nc, cr->cnonce, cr->qop, srv->method,
                           cr->uri, hex, sizeof hex) < 0 ||
        !unhex((ef_str_t){hex, 2 * mdlen}, want, mdlen))
        return EF_ENOMEM;
    if (!unhex(cr->response, got, mdlen) || CRYPTO_memcmp(want, got, mdlen) != 0)
        return EF_DIGEST_BAD_RESPONSE;
    /* stale=true only with a valid digest for the old nonce (RFC 7616 §3.3 stale) */
    return ns == EF_DIGEST_NONCE_STALE ? EF_DIGEST_STALE : EF_DIGEST_OK;
}
