/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * digest.h -- the server side of HTTP Digest authentication (RFC 7616) as SIP
 * uses it (RFC 3261 §22.4): HA1 of a password, stateless nonces, the
 * WWW-Authenticate / Proxy-Authenticate challenge values, and the check of
 * Authorization / Proxy-Authorization credentials parsed by ef_sip_parse_auth
 * (sip_hdr.h).
 *
 * Algorithms: SHA-256 and MD5, qop "auth" only; the "-sess" variants,
 * SHA-512-256, qop "auth-int" and userhash are not supported (a credential
 * using them is EF_DIGEST_UNSUPPORTED).
 *
 * Nonces are stateless: base64url(time || salt || HMAC-SHA256(key, time ||
 * salt || realm)), so any worker holding the key can check them without a
 * table. The library keeps no state, so it does not detect a replayed nonce
 * count by itself: ef_digest_verify gives the caller the nc it checked, and a
 * caller that wants replay protection keeps the highest nc per nonce for the
 * nonce lifetime (RFC 7616 §3.4 nc, §5.5). Without it, a captured request can
 * be replayed until its nonce goes stale, so keep lifetimes short.
 */
#ifndef ENUMFED_DIGEST_H
#define ENUMFED_DIGEST_H

#include "enumfed/common.h"
#include "enumfed/sip_hdr.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Digest algorithms, in the order a server prefers them (RFC 7616 §3.7). */
typedef enum {
    EF_DIGEST_SHA256 = 0, /**< "SHA-256", mandatory to implement */
    EF_DIGEST_MD5 = 1,    /**< "MD5", for backward compatibility */
} ef_digest_alg_t;

#define EF_DIGEST_ALGS 2

/** Room for the lowercase hex of any supported hash, with its NUL. */
#define EF_DIGEST_HEX_MAX 65
/** Length of a nonce from ef_digest_nonce (64 base64url characters), without NUL. */
#define EF_DIGEST_NONCE_LEN 64
/** The shortest nonce key accepted (bytes). */
#define EF_DIGEST_KEY_MIN 16
/** Room ef_digest_creds_t keeps for parameter values that held quoted-pairs. */
#define EF_DIGEST_UNQ_MAX 1024

/** The algorithm token: "SHA-256" or "MD5". Static string. */
const char *ef_digest_alg_name(ef_digest_alg_t alg);

/** Hex digits of an algorithm's hash: 64 or 32. */
size_t ef_digest_hex_len(ef_digest_alg_t alg);

/**
 * HA1 = H(username ":" realm ":" password) as lowercase hex (RFC 7616 §3.4.2,
 * the non-"-sess" form), which is what a server stores instead of the password.
 * @param out receives ef_digest_hex_len(alg) hex digits and a NUL
 * @return 0; EF_EINVAL (bad alg, cap too small); EF_ENOMEM (libcrypto failed)
 */
int ef_digest_ha1(ef_digest_alg_t alg, ef_str_t user, ef_str_t realm, ef_str_t password, char *out,
                  size_t cap);

/**
 * A new nonce for realm, stamped with now: EF_DIGEST_NONCE_LEN base64url
 * characters and a NUL into out. Each call draws a fresh 8-byte salt, so two
 * nonces are never equal even within one second.
 * @param key the server secret, at least EF_DIGEST_KEY_MIN bytes, shared by
 *        every process that checks the nonces
 * @param now seconds since the epoch (the caller's clock)
 * @return 0; EF_EINVAL (short key, cap < EF_DIGEST_NONCE_LEN + 1, now < 0);
 *         EF_ENOMEM (libcrypto failed)
 */
int ef_digest_nonce(const unsigned char *key, size_t keylen, ef_str_t realm, int64_t now, char *out,
                    size_t cap);

/** What a nonce check found. */
typedef enum {
    EF_DIGEST_NONCE_FRESH = 0, /**< ours, for this realm, issued at most lifetime seconds ago */
    EF_DIGEST_NONCE_STALE,     /**< ours and for this realm, but older than lifetime */
    EF_DIGEST_NONCE_INVALID,   /**< not ours, another realm, malformed, or from the future */
} ef_digest_nonce_t;

/**
 * Check a nonce made by ef_digest_nonce with the same key and realm. The MAC
 * is compared in constant time.
 * @param nonce the nonce without quotes
 * @param lifetime seconds a nonce stays fresh
 */
ef_digest_nonce_t ef_digest_nonce_check(const unsigned char *key, size_t keylen, ef_str_t realm,
                                        ef_str_t nonce, int64_t now, int64_t lifetime);

/** What a challenge says besides its algorithm. */
typedef struct {
    ef_str_t realm;  /**< for SIP, the domain (RFC 3261 §22.1) */
    ef_str_t nonce;  /**< from ef_digest_nonce */
    ef_str_t opaque; /**< ptr NULL: no opaque parameter */
    bool stale;      /**< add stale=true (the last request had a stale nonce) */
} ef_digest_challenge_t;

/**
 * The challenges, as header values for WWW-Authenticate (401) or
 * Proxy-Authenticate (407): one per algorithm, SHA-256 first and MD5 second
 * (RFC 7616 §3.7), each
 * `Digest realm="R", nonce="N", opaque="O", algorithm=A, qop="auth"[, stale=true]`.
 * The values are written one after another into buf and returned as slices.
 * @param vals receives EF_DIGEST_ALGS slices into buf, vals[i] for ef_digest_alg_t i
 * @return EF_DIGEST_ALGS; EF_E2BIG (buf too small); EF_EINVAL (realm, nonce
 *         or opaque empty or holding a '"', '\\' or a control character: they
 *         go into quoted-strings, RFC 7616 §3.3)
 */
int ef_digest_challenges(const ef_digest_challenge_t *c, char *buf, size_t cap,
                         ef_str_t vals[EF_DIGEST_ALGS]);

/**
 * Credentials taken from an Authorization / Proxy-Authorization value. Slices
 * are unquoted; they point into the parsed header, or, for a value that held
 * quoted-pairs, into unq (so do not copy this structure: pass a pointer).
 */
typedef struct {
    ef_digest_alg_t alg; /**< MD5 when the algorithm parameter is absent (RFC 7616 §3.3) */
    ef_str_t username;
    ef_str_t realm;
    ef_str_t nonce;
    ef_str_t uri;
    ef_str_t response;
    ef_str_t cnonce;
    ef_str_t opaque; /**< ptr NULL when absent */
    ef_str_t qop;
    ef_str_t nc;       /**< as written: 8 hex digits */
    uint32_t nc_value; /**< nc as a number, for a caller's replay check */
    char unq[EF_DIGEST_UNQ_MAX];
    size_t unq_len;
} ef_digest_creds_t;

/**
 * Verdicts on credentials. EF_DIGEST_OK is 0; every other verdict is positive,
 * so a caller can test `!= EF_DIGEST_OK`; errors of the caller are negative.
 */
typedef enum {
    EF_DIGEST_OK = 0,
    EF_DIGEST_STALE,        /**< right response, stale nonce: 401/407 with stale=true */
    EF_DIGEST_BAD_NONCE,    /**< not a nonce of ours: 401/407 with a new nonce */
    EF_DIGEST_BAD_RESPONSE, /**< wrong response (password): 401/407 or 403 */
    EF_DIGEST_WRONG_REALM,  /**< credentials for another realm: 401/407 */
    EF_DIGEST_WRONG_URI,    /**< uri differs from the Request-URI: 400 (RFC 7616 §3.4.6) */
    EF_DIGEST_MALFORMED,    /**< not Digest, a parameter missing, repeated or bad: 400 */
    EF_DIGEST_UNSUPPORTED,  /**< another algorithm, -sess, auth-int, userhash: 401/407 */
} ef_digest_result_t;

/** A short name of a verdict ("ok", "stale", ...). Static string. */
const char *ef_digest_result_name(int result);

/**
 * Take the Digest credentials out of a parsed header (ef_sip_parse_auth):
 * unquote, check that username, realm, nonce, uri, response, qop=auth, nc
 * (8 hex digits) and cnonce are each present once (RFC 7616 §3.4), and read
 * the algorithm. After this, the caller looks up the user's HA1 for cr->alg.
 * @return EF_DIGEST_OK, EF_DIGEST_MALFORMED or EF_DIGEST_UNSUPPORTED
 */
int ef_digest_creds(const ef_sip_auth_t *auth, ef_digest_creds_t *cr);

/**
 * The request-digest (RFC 7616 §3.4.1, qop "auth"):
 * KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" H(method ":" uri)) in lowercase
 * hex, what a client sends as response and what ef_digest_verify expects.
 * @param ha1 the hex HA1 for alg
 * @param out receives ef_digest_hex_len(alg) hex digits and a NUL
 * @return 0; EF_EINVAL (bad alg, cap too small); EF_ENOMEM (libcrypto failed)
 */
int ef_digest_response(ef_digest_alg_t alg, ef_str_t ha1, ef_str_t nonce, ef_str_t nc,
                       ef_str_t cnonce, ef_str_t qop, ef_str_t method, ef_str_t uri, char *out,
                       size_t cap);

/** What the server knows when it checks credentials. */
typedef struct {
    ef_str_t method;          /**< the request method (A2 = method ":" uri, RFC 7616 §3.4.3) */
    ef_str_t uri;             /**< the Request-URI; ptr NULL skips the uri check */
    ef_str_t realm;           /**< the realm challenged for */
    ef_str_t opaque;          /**< the opaque challenged with; ptr NULL skips the check */
    const unsigned char *key; /**< the nonce key of ef_digest_nonce */
    size_t keylen;
    int64_t now;      /**< seconds since the epoch */
    int64_t lifetime; /**< seconds a nonce stays fresh */
} ef_digest_server_t;

/**
 * Check credentials against the stored HA1 of the user for cr->alg.
 * Order: realm, uri, opaque, nonce MAC, response, nonce age; the response is
 * compared in constant time (CRYPTO_memcmp). A stale nonce is reported only
 * when the response is right for it, since stale=true tells the client its
 * password was good (RFC 7616 §3.3 stale).
 * @param ha1 ef_digest_hex_len(cr->alg) hex digits (from ef_digest_ha1)
 * @return an ef_digest_result_t; EF_EINVAL when ha1 has the wrong length
 */
int ef_digest_verify(const ef_digest_creds_t *cr, const ef_digest_server_t *srv, ef_str_t ha1);

#ifdef __cplusplus
}
#endif

#endif
