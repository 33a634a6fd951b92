/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.h -- enumfedd's mutual TLS with OpenSSL (RFC 5922, seed §4.3): one
 * server context that requires and verifies a client certificate, one client
 * context that presents ours and verifies the peer's, and the identity rules
 * of RFC 5922 §7.1: a certificate names SIP domains through subjectAltName
 * URIs (sip:domain) or, when it has none, dNSNames; the Subject CN is used
 * only when there is no subjectAltName at all. TLS 1.2 is the minimum;
 * sessions resume (server-side cache and tickets, client-side per peer).
 *
 * A set of contexts is reference counted so SIGHUP can load new certificates
 * while live connections keep the contexts they were made with.
 */
#ifndef ENUMFEDD_TLS_H
#define ENUMFEDD_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#define EFD_TLS_IDS_MAX 16 /* SIP domain identities taken from one certificate */
#define EFD_TLS_ID_LEN 256 /* one identity, NUL-terminated, lowercase */
#define EFD_TLS_FP_LEN 65  /* SHA-256 fingerprint in hex + NUL */

typedef struct {
    const char *certificate; /**< PEM chain, ours */
    const char *key;         /**< PEM private key */
    const char *ca;          /**< PEM CAs trusted for peers */
    const char *ciphers;     /**< TLS 1.2 cipher list; NULL or "" = OpenSSL default */
    unsigned verify_depth;   /**< 0 = default (5) */
} efd_tls_config_t;

/** The contexts made from one efd_tls_config_t. */
typedef struct efd_tls efd_tls_t;

/**
 * Load certificate, key and CAs and make both contexts.
 * @param out a new set with one reference; released with efd_tls_unref
 * @return 0; EF_ECONFIG with err saying which file and why (OpenSSL's reason)
 */
int efd_tls_new(const efd_tls_config_t *cfg, efd_tls_t **out, char *err, size_t errcap);

/** Take / drop a reference; the last drop frees the contexts. NULL is fine. */
efd_tls_t *efd_tls_ref(efd_tls_t *tls);
void efd_tls_unref(efd_tls_t *tls);

/** A new server-side SSL (client certificate required), owned by the caller. */
SSL *efd_tls_accept_ssl(efd_tls_t *tls);

/**
 * A new client-side SSL for a connection to the edge of domain: SNI is set to
 * domain, and the handshake fails unless the server's certificate chains to
 * our CAs and names domain (RFC 5922 §7.3). A session saved for domain with
 * efd_tls_save_session is offered for resumption. Owned by the caller.
 */
SSL *efd_tls_connect_ssl(efd_tls_t *tls, const char *domain);

/**
 * After a client handshake: keep its session for the next connection to domain.
 * Ignored unless ssl came from efd_tls_connect_ssl(tls, domain) and its server
 * was verified. A TLS 1.3 session arrives after the handshake and is kept when
 * the client reads it. The session stays resumable only if the connection
 * ends with SSL_shutdown (OpenSSL forgets sessions of connections dropped
 * without close_notify), and a TLS 1.3 session resumes once: save after every
 * handshake.
 */
void efd_tls_save_session(efd_tls_t *tls, const char *domain, SSL *ssl);

/**
 * The SIP domain identities of the peer's certificate (RFC 5922 §7.1),
 * lowercase; wildcard dNSNames are not identities (§7.2) and are skipped.
 * @return the number written (0: none, or no certificate)
 */
size_t efd_tls_peer_ids(SSL *ssl, char ids[][EFD_TLS_ID_LEN], size_t cap);

/** Does one of ids equal domain (case-insensitive, final dot ignored; RFC 5922 §7.2)? */
bool efd_tls_ids_match(char ids[][EFD_TLS_ID_LEN], size_t n, const char *domain, size_t len);

/** The SHA-256 fingerprint of the peer's certificate in lowercase hex; false if none. */
bool efd_tls_peer_fingerprint(SSL *ssl, char out[EFD_TLS_FP_LEN]);

/** The verification failure of the last handshake on ssl as text, for logs. */
const char *efd_tls_verify_error(SSL *ssl);

#endif
