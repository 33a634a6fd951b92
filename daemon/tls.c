/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls.c -- enumfedd's mutual TLS between federation edges (seed §4.3) on
 * OpenSSL 3. A set holds two SSL_CTXs made from one configuration: the server
 * side requires a client certificate chaining to the configured CAs; the
 * client side presents ours, and its verify callback refuses a server whose
 * certificate does not name the SIP domain we are connecting to, using the
 * identity rules of RFC 5922 §7.1/§7.2 rather than OpenSSL's host check,
 * which knows nothing of sip: URIs and has other ideas about wildcards.
 *
 * Sessions resume both ways: the server keeps a session cache and issues
 * tickets; the client keeps one session per peer domain in a small table of
 * the set, filled when the caller asks for it (efd_tls_save_session) and
 * refreshed when TLS 1.3 tickets arrive after the handshake.
 *
 * A set is shared by the worker threads: its reference count is atomic, the
 * session table has a mutex, and every client SSL holds a reference to the set
 * it came from, so a set dropped on reload lives until its last connection.
 */
#include "tls.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "enumfed/common.h"
#include "enumfed/uri.h"

#define TLS_VERIFY_DEPTH 5   /* default chain depth below the trusted CA */
#define TLS_SESSIONS 256     /* client sessions kept per set, one per peer domain */
#define TLS_DNS_NAME_MAX 253 /* RFC 1035 §2.3.4, without the final dot */

/* Binds server sessions to this application; see server_setup. */
static const unsigned char sid_ctx[] = "enumfedd";

typedef struct {
    char domain[EFD_TLS_ID_LEN]; /* "" = free */
    SSL_SESSION *session;
    uint64_t used; /* for evicting the least recently used */
} tls_slot_t;

struct efd_tls {
    atomic_uint refs;
    SSL_CTX *server;
    SSL_CTX *client;
    pthread_mutex_t lock; /* guards clock and slots */
    uint64_t clock;
    tls_slot_t slots[TLS_SESSIONS];
};

/* What a client SSL knows about its connection, kept in its ex_data. */
typedef struct {
    efd_tls_t *tls;              /* a reference, dropped when the SSL is freed */
    bool save;                   /* efd_tls_save_session was called */
    char domain[EFD_TLS_ID_LEN]; /* the peer domain, normalised */
} tls_peer_t;

static pthread_once_t peer_idx_once = PTHREAD_ONCE_INIT;
static int peer_idx = -1;

/* Called with each identity found in a certificate; true stops the walk. */
typedef bool (*tls_id_cb)(const char *id, void *arg);

/* ---- identities (RFC 5922 §7.1, §7.2) ------------------------------------ */

/*
 * Lowercase src into out without one final dot: RFC 5922 §7.2 compares SIP
 * domains as DNS names, case-insensitively (RFC 4343), and "example.com." is
 * "example.com". False when empty or too long.
 */
static bool normalize(const char *src, size_t len, char out[EFD_TLS_ID_LEN])
{
    if (len > 0 && src[len - 1] == '.')
        len--;
    if (len == 0 || len >= EFD_TLS_ID_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];

        if (c <= ' ' || c >= 0x7f)
            return false;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    out[len] = '\0';
    return true;
}

/*
 * Is s[0..len) a plain DNS name (letters, digits, '-', '_', non-empty labels)?
 * Wildcards ("*.example.com") and the leading-dot form (".example.com") are
 * not: RFC 5922 §7.2 lets them match nothing but themselves, and no SIP domain
 * is spelled that way, so they are not identities at all.
 */
static bool is_dns_name(const char *s, size_t len)
{
    size_t label = 0;

    if (len > 0 && s[len - 1] == '.')
        len--;
    if (len == 0 || len > TLS_DNS_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_') {
            label++;
        } else {
            return false;
        }
    }
    return label > 0;
}

/* Normalise id[0..len) and hand it to cb; false when it is not usable. */
static bool visit(const char *id, size_t len, tls_id_cb cb, void *arg, bool *stop)
{
    char norm[EFD_TLS_ID_LEN];

    if (!normalize(id, len, norm))
        return false;
    *stop = cb(norm, arg);
    return true;
}

/*
 * A subjectAltName URI is a SIP domain identity only when its scheme is "sip"
 * (not even "sips") and it has no userpart; the identity is its host part,
 * without port or parameters (RFC 5922 §7.1 item 1, §7.2).
 */
static bool uri_id(const GENERAL_NAME *gn, tls_id_cb cb, void *arg, bool *stop)
{
    const ASN1_IA5STRING *s = gn->d.uniformResourceIdentifier;
    const char *p = (const char *)ASN1_STRING_get0_data(s);
    int len = ASN1_STRING_length(s);
    ef_uri_t uri;

    if (p == NULL || len <= 0 || memchr(p, '\0', (size_t)len) != NULL)
        return false;
    if (ef_uri_parse(p, (size_t)len, &uri, NULL) != 0 || uri.scheme != EF_URI_SIP ||
        uri.user.ptr != NULL || uri.host.len == 0)
        return false;
    return visit(uri.host.ptr, uri.host.len, cb, arg, stop);
}

static bool dns_id(const GENERAL_NAME *gn, tls_id_cb cb, void *arg, bool *stop)
{
    const ASN1_IA5STRING *s = gn->d.dNSName;
    const char *p = (const char *)ASN1_STRING_get0_data(s);
    int len = ASN1_STRING_length(s);

    if (p == NULL || len <= 0 || !is_dns_name(p, (size_t)len))
        return false;
    return visit(p, (size_t)len, cb, arg, stop);
}

/* Visit the names of one type; the number accepted as identities. */
static size_t san_ids(const GENERAL_NAMES *names, int type, tls_id_cb cb, void *arg, bool *stop)
{
    size_t n = 0;

    for (int i = 0; i < sk_GENERAL_NAME_num(names) && !*stop; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type != type)
            continue;
        if (type == GEN_URI ? uri_id(gn, cb, arg, stop) : dns_id(gn, cb, arg, stop))
            n++;
    }
    return n;
}

/* RFC 5922 §7.1 item 2: a CN holding a valid DNS name, for old certificates. */
static void cn_ids(X509 *cert, tls_id_cb cb, void *arg)
{
    const X509_NAME *name = X509_get_subject_name(cert);
    bool stop = false;

    for (int i = -1; !stop && (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0;) {
        const ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
        unsigned char *utf8 = NULL;
        int len = ASN1_STRING_to_UTF8(&utf8, d);

        if (len > 0 && is_dns_name((const char *)utf8, (size_t)len))
            visit((const char *)utf8, (size_t)len, cb, arg, &stop);
        OPENSSL_free(utf8);
    }
}

/*
 * The SIP domain identities of cert in the order of RFC 5922 §7.1: sip URIs in
 * subjectAltName; dNSNames only if no sip URI qualified; the CN only if the
 * certificate has no subjectAltName at all (a malformed one counts as present,
 * so it cannot turn the CN back on).
 */
static void cert_ids(X509 *cert, tls_id_cb cb, void *arg)
{
    int crit = -1;
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, &crit, NULL);
    bool stop = false;

    if (names == NULL) {
        if (crit == -1)
            cn_ids(cert, cb, arg);
        return;
    }
    if (san_ids(names, GEN_URI, cb, arg, &stop) == 0 && !stop)
        san_ids(names, GEN_DNS, cb, arg, &stop);
    GENERAL_NAMES_free(names);
}

typedef struct {
    char (*ids)[EFD_TLS_ID_LEN];
    size_t n, cap;
} tls_collect_t;

/* Append id unless it is already there; stop when the array is full. */
static bool collect_cb(const char *id, void *arg)
{
    tls_collect_t *c = arg;

    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->ids[i], id) == 0)
            return false;
    memcpy(c->ids[c->n++], id, strlen(id) + 1);
    return c->n == c->cap;
}

typedef struct {
    const char *domain; /* normalised */
    bool found;
} tls_match_t;

static bool match_cb(const char *id, void *arg)
{
    tls_match_t *m = arg;

    m->found = strcmp(id, m->domain) == 0;
    return m->found;
}

/* ---- per-SSL data -------------------------------------------------------- */

static void peer_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    tls_peer_t *peer = ptr;

    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    if (peer != NULL) {
        efd_tls_unref(peer->tls);
        free(peer);
    }
}

/* SSL_dup would share the pointer and free it twice: the copy gets no peer,
 * and the verify callback refuses an SSL without one. */
static int peer_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx,
                    long argl, void *argp)
{
    (void)to, (void)from, (void)idx, (void)argl, (void)argp;
    *from_d = NULL;
    return 1;
}

static void peer_idx_init(void)
{
    peer_idx = SSL_get_ex_new_index(0, NULL, NULL, peer_dup, peer_free);
}

static tls_peer_t *peer_of(const SSL *ssl)
{
    return peer_idx < 0 ? NULL : SSL_get_ex_data(ssl, peer_idx);
}

/*
 * RFC 5922 §7.3: the client MUST compare the domain it looked up with the
 * identities of the server certificate and MUST close the connection when
 * none matches. Done when OpenSSL has accepted the chain, at the leaf, so a
 * mismatch fails the handshake like any other verification error.
 */
static int client_verify_cb(int ok, X509_STORE_CTX *xs)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    const tls_peer_t *peer;
    tls_match_t m = {NULL, false};

    if (!ok || X509_STORE_CTX_get_error_depth(xs) != 0)
        return ok;
    peer = ssl != NULL ? peer_of(ssl) : NULL;
    if (peer == NULL) {
        X509_STORE_CTX_set_error(xs, X509_V_ERR_APPLICATION_VERIFICATION);
        return 0;
    }
    m.domain = peer->domain;
    cert_ids(X509_STORE_CTX_get_current_cert(xs), match_cb, &m);
    if (!m.found) {
        X509_STORE_CTX_set_error(xs, X509_V_ERR_HOSTNAME_MISMATCH);
        return 0;
    }
    return 1;
}

/* ---- client session table ------------------------------------------------ */

static void session_put(efd_tls_t *tls, const char *domain, SSL_SESSION *session)
{
    tls_slot_t *slot = NULL;

    pthread_mutex_lock(&tls->lock);
    for (size_t i = 0; i < TLS_SESSIONS; i++) {
        tls_slot_t *s = &tls->slots[i];

        if (strcmp(s->domain, domain) == 0) {
            slot = s;
            break;
        }
        if (slot == NULL || (slot->domain[0] != '\0' && s->used < slot->used))
            slot = s; /* a free slot, else the least recently used */
    }
    SSL_SESSION_free(slot->session);
    SSL_SESSION_up_ref(session);
    slot->session = session;
    memcpy(slot->domain, domain, strlen(domain) + 1);
    slot->used = ++tls->clock;
    pthread_mutex_unlock(&tls->lock);
}

static bool session_expired(const SSL_SESSION *s)
{
    return !SSL_SESSION_is_resumable(s) ||
           (time_t)SSL_SESSION_get_time(s) + (time_t)SSL_SESSION_get_timeout(s) <= time(NULL);
}

/*
 * The session saved for domain, with a reference for the caller; NULL if none.
 * It stays in the table: offering it does not use it up (the connection may
 * never reach the handshake). OpenSSL resumes a TLS 1.3 session only once, so
 * the next connection relies on the session its predecessor saved; a used one
 * is no longer resumable and is dropped here.
 */
static SSL_SESSION *session_get(efd_tls_t *tls, const char *domain)
{
    SSL_SESSION *session = NULL;

    pthread_mutex_lock(&tls->lock);
    for (size_t i = 0; i < TLS_SESSIONS; i++) {
        tls_slot_t *s = &tls->slots[i];

        if (strcmp(s->domain, domain) != 0)
            continue;
        if (session_expired(s->session)) {
            SSL_SESSION_free(s->session);
            memset(s, 0, sizeof *s);
        } else {
            session = s->session;
            SSL_SESSION_up_ref(session);
            s->used = ++tls->clock;
        }
        break;
    }
    pthread_mutex_unlock(&tls->lock);
    return session;
}

/*
 * A TLS 1.3 server sends its tickets after the handshake, so the session the
 * caller saved at the end of the handshake is not yet resumable; the ticket
 * arrives here during a later read and replaces it. Only for connections the
 * caller chose to keep, and only when the server was verified.
 */
static int new_session_cb(SSL *ssl, SSL_SESSION *session)
{
    const tls_peer_t *peer = peer_of(ssl);

    if (peer != NULL && peer->save && SSL_get_verify_result(ssl) == X509_V_OK &&
        SSL_SESSION_is_resumable(session))
        session_put(peer->tls, peer->domain, session);
    return 0; /* we took our own reference */
}

/* ---- contexts ------------------------------------------------------------ */

/* Format "what path: OpenSSL's reason" into err and empty the error queue. */
static int fail(char *err, size_t errcap, const char *what, const char *path, int rc)
{
    unsigned long e = ERR_get_error();
    char reason[256] = "unknown error";

    if (e != 0)
        ERR_error_string_n(e, reason, sizeof reason);
    if (err != NULL && errcap > 0)
        snprintf(err, errcap, "%s%s%s: %s", what, path != NULL ? " " : "", path ? path : "",
                 reason);
    ERR_clear_error();
    return rc;
}

/* A key with a passphrase must not make the daemon prompt on a terminal. */
static int no_passphrase_cb(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

/* Our certificate chain and key, and the CAs we trust for peers. */
static int load_files(SSL_CTX *ctx, const efd_tls_config_t *cfg, char *err, size_t errcap)
{
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase_cb);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->certificate) != 1)
        return fail(err, errcap, "tls certificate", cfg->certificate, EF_ECONFIG);
    if (SSL_CTX_use_PrivateKey_file(ctx, cfg->key, SSL_FILETYPE_PEM) != 1)
        return fail(err, errcap, "tls key", cfg->key, EF_ECONFIG);
    /* A key of another type than the certificate loads without complaint. */
    if (SSL_CTX_check_private_key(ctx) != 1)
        return fail(err, errcap, "tls key", cfg->key, EF_ECONFIG);
    if (SSL_CTX_load_verify_file(ctx, cfg->ca) != 1)
        return fail(err, errcap, "tls ca", cfg->ca, EF_ECONFIG);
    return 0;
}

/* A context with the settings both sides share. */
static int ctx_new(SSL_CTX **out, const SSL_METHOD *method, const efd_tls_config_t *cfg, char *err,
                   size_t errcap)
{
    SSL_CTX *ctx = SSL_CTX_new(method);

    if (ctx == NULL)
        return fail(err, errcap, "tls context", NULL, EF_ENOMEM);
    *out = ctx;
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
        return fail(err, errcap, "tls min_proto_version", NULL, EF_ECONFIG);
    if (cfg->ciphers != NULL && cfg->ciphers[0] != '\0' &&
        SSL_CTX_set_cipher_list(ctx, cfg->ciphers) != 1)
        return fail(err, errcap, "tls ciphers", cfg->ciphers, EF_ECONFIG);
    /* Renegotiation buys an edge nothing and costs it a handshake per request. */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
    /* Non-blocking writes are retried from wherever the buffer has moved to. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_verify_depth(ctx,
                             cfg->verify_depth != 0 ? (int)cfg->verify_depth : TLS_VERIFY_DEPTH);
    return load_files(ctx, cfg, err, errcap);
}

static int server_setup(SSL_CTX *ctx, const efd_tls_config_t *cfg, char *err, size_t errcap)
{
    STACK_OF(X509_NAME) *cas = SSL_load_client_CA_file(cfg->ca);

    /* Seed §4.3: edges authenticate each other; RFC 5922 §7.4 leaves refusing
     * a client without a certificate to local policy, and ours is to refuse. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    if (cas == NULL)
        return fail(err, errcap, "tls ca", cfg->ca, EF_ECONFIG);
    SSL_CTX_set_client_CA_list(ctx, cas); /* tells clients which certificate to send */
    /* Without a session id context OpenSSL refuses to resume sessions that
     * carry a verified client certificate. */
    if (SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1) != 1)
        return fail(err, errcap, "tls session id context", NULL, EF_ENOMEM);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
    /* The client keeps one session per peer; a second ticket would be wasted. */
    SSL_CTX_set_num_tickets(ctx, 1);
    return 0;
}

static void client_setup(SSL_CTX *ctx)
{
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, client_verify_cb);
    /* Sessions live in the set's table, keyed by domain, not in OpenSSL's
     * cache, which keys them by server address. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
}

static int check_config(const efd_tls_config_t *cfg, char *err, size_t errcap)
{
    const char *missing = NULL;

    if (cfg->certificate == NULL || cfg->certificate[0] == '\0')
        missing = "certificate";
    else if (cfg->key == NULL || cfg->key[0] == '\0')
        missing = "key";
    else if (cfg->ca == NULL || cfg->ca[0] == '\0')
        missing = "ca";
    if (missing == NULL)
        return 0;
    if (err != NULL && errcap > 0)
        snprintf(err, errcap, "tls %s: not set (mutual TLS needs certificate, key and ca)",
                 missing);
    return EF_ECONFIG;
}

static void tls_free(efd_tls_t *tls)
{
    for (size_t i = 0; i < TLS_SESSIONS; i++)
        SSL_SESSION_free(tls->slots[i].session);
    SSL_CTX_free(tls->server);
    SSL_CTX_free(tls->client);
    pthread_mutex_destroy(&tls->lock);
    free(tls);
}

int efd_tls_new(const efd_tls_config_t *cfg, efd_tls_t **out, char *err, size_t errcap)
{
    efd_tls_t *tls;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (cfg == NULL || out == NULL)
        return EF_EINVAL;
    if ((rc = check_config(cfg, err, errcap)) != 0)
        return rc;
    if (pthread_once(&peer_idx_once, peer_idx_init) != 0 || peer_idx < 0)
        return fail(err, errcap, "tls ex_data index", NULL, EF_ENOMEM);
    if ((tls = calloc(1, sizeof *tls)) == NULL)
        return fail(err, errcap, "tls", NULL, EF_ENOMEM);
    if (pthread_mutex_init(&tls->lock, NULL) != 0) {
        free(tls);
        return fail(err, errcap, "tls mutex", NULL, EF_ENOMEM);
    }
    atomic_init(&tls->refs, 1);
    ERR_clear_error(); /* so the reason reported is ours, not a stale one */
    if ((rc = ctx_new(&tls->server, TLS_server_method(), cfg, err, errcap)) != 0 ||
        (rc = server_setup(tls->server, cfg, err, errcap)) != 0 ||
        (rc = ctx_new(&tls->client, TLS_client_method(), cfg, err, errcap)) != 0)
        goto fail;
    client_setup(tls->client);
    *out = tls;
    return 0;
fail:
    tls_free(tls);
    return rc;
}

efd_tls_t *efd_tls_ref(efd_tls_t *tls)
{
    if (tls != NULL)
        atomic_fetch_add(&tls->refs, 1);
    return tls;
}

void efd_tls_unref(efd_tls_t *tls)
{
    if (tls != NULL && atomic_fetch_sub(&tls->refs, 1) == 1)
        tls_free(tls);
}

/* ---- connections --------------------------------------------------------- */

SSL *efd_tls_accept_ssl(efd_tls_t *tls)
{
    SSL *ssl = tls != NULL ? SSL_new(tls->server) : NULL;

    if (ssl != NULL)
        SSL_set_accept_state(ssl);
    return ssl;
}

/* SNI carries host names only (RFC 6066 §3), never address literals. */
static bool is_address(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];

    return host[0] == '[' || inet_pton(AF_INET, host, buf) == 1 ||
           inet_pton(AF_INET6, host, buf) == 1;
}

SSL *efd_tls_connect_ssl(efd_tls_t *tls, const char *domain)
{
    tls_peer_t *peer;
    SSL_SESSION *session;
    SSL *ssl;

    if (tls == NULL || domain == NULL || peer_idx < 0 || (peer = calloc(1, sizeof *peer)) == NULL)
        return NULL;
    if (!normalize(domain, strlen(domain), peer->domain) || (ssl = SSL_new(tls->client)) == NULL) {
        free(peer);
        return NULL;
    }
    peer->tls = efd_tls_ref(tls);
    if (SSL_set_ex_data(ssl, peer_idx, peer) != 1) {
        peer_free(NULL, peer, NULL, peer_idx, 0, NULL);
        SSL_free(ssl);
        return NULL;
    }
    /* RFC 5922 §7.8: SNI asks for the certificate of the domain we want. */
    if (!is_address(peer->domain) && SSL_set_tlsext_host_name(ssl, peer->domain) != 1) {
        SSL_free(ssl);
        return NULL;
    }
    if ((session = session_get(tls, peer->domain)) != NULL) {
        SSL_set_session(ssl, session); /* takes its own reference */
        SSL_SESSION_free(session);
    }
    SSL_set_connect_state(ssl);
    return ssl;
}

void efd_tls_save_session(efd_tls_t *tls, const char *domain, SSL *ssl)
{
    tls_peer_t *peer = ssl != NULL ? peer_of(ssl) : NULL;
    char norm[EFD_TLS_ID_LEN];
    SSL_SESSION *session;

    /* A session authenticates the domain it was verified for, no other. */
    if (peer == NULL || peer->tls != tls || domain == NULL ||
        !normalize(domain, strlen(domain), norm) || strcmp(norm, peer->domain) != 0 ||
        !SSL_is_init_finished(ssl) || SSL_get_verify_result(ssl) != X509_V_OK)
        return;
    peer->save = true;
    if ((session = SSL_get1_session(ssl)) == NULL)
        return;
    if (SSL_SESSION_is_resumable(session))
        session_put(tls, peer->domain, session);
    SSL_SESSION_free(session);
}

/* ---- peer identity ------------------------------------------------------- */

size_t efd_tls_peer_ids(SSL *ssl, char ids[][EFD_TLS_ID_LEN], size_t cap)
{
    X509 *cert = ssl != NULL ? SSL_get0_peer_certificate(ssl) : NULL;
    tls_collect_t c = {ids, 0, cap};

    /* RFC 5922 §7.1: identities come only from a certificate found valid. */
    if (cert == NULL || cap == 0 || SSL_get_verify_result(ssl) != X509_V_OK)
        return 0;
    cert_ids(cert, collect_cb, &c);
    return c.n;
}

bool efd_tls_ids_match(char ids[][EFD_TLS_ID_LEN], size_t n, const char *domain, size_t len)
{
    char want[EFD_TLS_ID_LEN], have[EFD_TLS_ID_LEN];

    if (domain == NULL || !normalize(domain, len, want))
        return false;
    /* RFC 5922 §7.2: whole names only, no suffixes, no wildcards. */
    for (size_t i = 0; i < n; i++)
        if (normalize(ids[i], strnlen(ids[i], EFD_TLS_ID_LEN - 1), have) && strcmp(have, want) == 0)
            return true;
    return false;
}

bool efd_tls_peer_fingerprint(SSL *ssl, char out[EFD_TLS_FP_LEN])
{
    static const char hex[] = "0123456789abcdef";
    X509 *cert = ssl != NULL ? SSL_get0_peer_certificate(ssl) : NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;

    if (cert == NULL || X509_digest(cert, EVP_sha256(), md, &len) != 1 ||
        len * 2 + 1 != EFD_TLS_FP_LEN)
        return false;
    for (unsigned i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0xf];
    }
    out[2 * len] = '\0';
    return true;
}

const char *efd_tls_verify_error(SSL *ssl)
{
    long rc;

    if (ssl == NULL)
        return "no connection";
    rc = SSL_get_verify_result(ssl);
    if (rc == X509_V_ERR_HOSTNAME_MISMATCH)
        return "certificate does not name the peer's SIP domain";
    if (rc != X509_V_OK)
        return X509_verify_cert_error_string(rc);
    if (SSL_get0_peer_certificate(ssl) == NULL)
        return "no certificate";
    return "ok";
}
