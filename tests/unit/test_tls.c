/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tls.c -- enumfedd's mutual TLS (daemon/tls.c): certificates are made at
 * test time by scripts/mkcerts.sh (found from EF_TEST_DATA=<src>/tests/data),
 * then real handshakes run in memory between efd_tls_accept_ssl and
 * efd_tls_connect_ssl over a BIO pair. Covered: the good mutual handshake;
 * refusals (no client certificate, unknown CA either way, expired either way,
 * a server certificate not naming the domain, wildcards, TLS 1.1); the
 * identities of RFC 5922 §7.1 (sip URI first, dNSName, CN only without SAN);
 * the comparison of §7.2; fingerprints; session resumption under TLS 1.3 and
 * 1.2; configuration errors; sets shared by threads and outliving their owner.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "enumfed/common.h"
#include "tap.h"
#include "tls.h"

static char dir[64];

typedef struct {
    bool client_ok; /* client handshake completed */
    bool server_ok; /* server handshake completed */
    bool read_ok;   /* the client's first read after it met no alert */
    int server_why; /* OpenSSL reason code of the server's failure */
} hs_t;

static void path(char *out, size_t cap, const char *name, const char *ext)
{
    snprintf(out, cap, "%s/%s.%s", dir, name, ext);
}

/* Run scripts/mkcerts.sh OPTS DIR DOMAINS (shell words); its exit status. */
static int mkcerts(const char *opts, const char *domains)
{
    const char *data = getenv("EF_TEST_DATA");
    char cmd[1024];

    snprintf(cmd, sizeof cmd, "sh '%s/../../scripts/mkcerts.sh' %s '%s' %s >&2",
             data != NULL ? data : "tests/data", opts, dir, domains);
    return system(cmd);
}

/* A set presenting certificate name (from ca "ca" unless the files say otherwise). */
static efd_tls_t *set_for(const char *name)
{
    char crt[128], key[128], ca[128], err[512] = "";
    efd_tls_config_t cfg = {crt, key, ca, NULL, 0};
    efd_tls_t *tls = NULL;

    path(crt, sizeof crt, name, "crt");
    path(key, sizeof key, name, "key");
    path(ca, sizeof ca, "ca", "pem");
    if (efd_tls_new(&cfg, &tls, err, sizeof err) != 0)
        printf("# efd_tls_new(%s): %s\n", name, err);
    return tls;
}

/* One handshake step; false once the side has failed. */
static bool step(SSL *ssl, bool *done, bool *failed, int *why)
{
    int r, e;

    if (*done || *failed)
        return false;
    r = SSL_do_handshake(ssl);
    if (r == 1) {
        *done = true;
        return true;
    }
    e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return false;
    *failed = true;
    if (why != NULL)
        *why = ERR_GET_REASON(ERR_peek_last_error());
    ERR_clear_error();
    return true;
}

/* Pump both ends over a BIO pair until each has finished or failed; then let
 * the client read once when asked. */
static hs_t pump(SSL *client, SSL *server, bool read)
{
    hs_t hs = {false, false, false, 0};
    bool cfail = false, sfail = false;
    BIO *bc = NULL, *bs = NULL;
    char buf[64];

    if (client == NULL || server == NULL || BIO_new_bio_pair(&bc, 0, &bs, 0) != 1)
        return hs;
    SSL_set_bio(client, bc, bc);
    SSL_set_bio(server, bs, bs);
    for (int i = 0; i < 50; i++) {
        bool moved = step(client, &hs.client_ok, &cfail, NULL);

        moved |= step(server, &hs.server_ok, &sfail, &hs.server_why);
        if ((hs.client_ok || cfail) && (hs.server_ok || sfail))
            break;
        (void)moved;
    }
    /* TLS 1.3: tickets, or the server's alert about our certificate, come now. */
    if (hs.client_ok && read) {
        int r = SSL_read(client, buf, sizeof buf);

        hs.read_ok = r < 0 && SSL_get_error(client, r) == SSL_ERROR_WANT_READ;
    }
    ERR_clear_error();
    return hs;
}

static hs_t handshake(SSL *client, SSL *server)
{
    return pump(client, server, true);
}

/* Handshake a client of set c to domain with a server of set s; frees both. */
static hs_t connect_pair(efd_tls_t *c, const char *domain, efd_tls_t *s, SSL **cout, SSL **sout)
{
    SSL *client = efd_tls_connect_ssl(c, domain), *server = efd_tls_accept_ssl(s);
    hs_t hs = handshake(client, server);

    if (cout != NULL)
        *cout = client;
    else
        SSL_free(client);
    if (sout != NULL)
        *sout = server;
    else
        SSL_free(server);
    return hs;
}

static bool refused_by_client(efd_tls_t *c, const char *domain, efd_tls_t *s, const char *why)
{
    SSL *client = NULL;
    hs_t hs = connect_pair(c, domain, s, &client, NULL);
    const char *got = efd_tls_verify_error(client);
    bool ok = !hs.client_ok && !hs.server_ok && strstr(got, why) != NULL;

    if (!ok)
        printf("# %s: client %d server %d, \"%s\"\n", domain, hs.client_ok, hs.server_ok, got);
    SSL_free(client);
    return ok;
}

static bool refused_by_server(efd_tls_t *c, const char *domain, efd_tls_t *s, const char *why)
{
    SSL *server = NULL;
    hs_t hs = connect_pair(c, domain, s, NULL, &server);
    const char *got = efd_tls_verify_error(server);
    bool ok = !hs.server_ok && !hs.read_ok && strstr(got, why) != NULL;

    if (!ok)
        printf("# %s: server %d read %d, \"%s\"\n", domain, hs.server_ok, hs.read_ok, got);
    SSL_free(server);
    return ok;
}

static void test_good(efd_tls_t *alpha, efd_tls_t *beta)
{
    char ids[EFD_TLS_IDS_MAX][EFD_TLS_ID_LEN], buf[16];
    SSL *client = NULL, *server = NULL;
    hs_t hs = connect_pair(alpha, "beta.example", beta, &client, &server);

    CHECK(hs.client_ok);
    CHECK(hs.server_ok);
    CHECK(hs.read_ok);
    CHECK(SSL_version(client) >= TLS1_2_VERSION);
    CHECK_INT(SSL_get_min_proto_version(client), TLS1_2_VERSION);
    CHECK_INT(SSL_get_min_proto_version(server), TLS1_2_VERSION);
    CHECK_STR(SSL_get_servername(server, TLSEXT_NAMETYPE_host_name), "beta.example");
    CHECK_STR(efd_tls_verify_error(client), "ok");
    CHECK_STR(efd_tls_verify_error(server), "ok");
    CHECK_INT(efd_tls_peer_ids(server, ids, EFD_TLS_IDS_MAX), 1);
    CHECK_STR(ids[0], "alpha.example");
    CHECK_INT(efd_tls_peer_ids(client, ids, EFD_TLS_IDS_MAX), 1);
    CHECK_STR(ids[0], "beta.example");
    CHECK_INT(SSL_write(client, "OPTIONS", 7), 7);
    CHECK_INT(SSL_read(server, buf, sizeof buf), 7);
    CHECK(memcmp(buf, "OPTIONS", 7) == 0);
    SSL_free(client);
    SSL_free(server);

    /* RFC 5922 §7.2: case and a final dot do not matter; SNI goes without the dot. */
    hs = connect_pair(alpha, "BETA.Example.", beta, &client, &server);
    CHECK(hs.client_ok && hs.server_ok);
    CHECK_STR(SSL_get_servername(server, TLSEXT_NAMETYPE_host_name), "beta.example");
    SSL_free(client);
    SSL_free(server);
}

/* A client that presents no certificate, or offers only TLS 1.1. */
static void test_bare_client(efd_tls_t *beta)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *server = efd_tls_accept_ssl(beta), *client = SSL_new(ctx);
    hs_t hs;

    SSL_set_connect_state(client);
    hs = handshake(client, server);
    CHECK(!hs.server_ok);
    CHECK(!hs.read_ok);
    CHECK_INT(hs.server_why, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
    CHECK_STR(efd_tls_verify_error(server), "no certificate");
    CHECK_INT(efd_tls_peer_ids(server, NULL, 0), 0);
    SSL_free(client);
    SSL_free(server);

    SSL_CTX_set_security_level(ctx, 0); /* let the client really offer TLS 1.1 */
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
    server = efd_tls_accept_ssl(beta);
    client = SSL_new(ctx);
    SSL_set_connect_state(client);
    hs = handshake(client, server);
    CHECK(!hs.server_ok);
    CHECK_INT(hs.server_why, SSL_R_UNSUPPORTED_PROTOCOL);
    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(ctx);
}

static void test_refused(efd_tls_t *alpha, efd_tls_t *beta)
{
    efd_tls_t *rogue = set_for("rogue.example"), *old = set_for("old.example");
    efd_tls_t *dns = set_for("dns.example"), *uri = set_for("uri.example");
    efd_tls_t *dnsfall = set_for("dnsfall.example");

    CHECK(rogue != NULL && old != NULL && dns != NULL && uri != NULL && dnsfall != NULL);
    CHECK(refused_by_client(alpha, "rogue.example", rogue, "unable to get local issuer"));
    CHECK(refused_by_server(rogue, "beta.example", beta, "unable to get local issuer"));
    CHECK(refused_by_client(alpha, "old.example", old, "expired"));
    CHECK(refused_by_server(old, "beta.example", beta, "expired"));
    /* RFC 5922 §7.3: the certificate must name the domain we looked up. */
    CHECK(refused_by_client(alpha, "gamma.example", beta, "does not name"));
    CHECK(refused_by_client(alpha, "example", beta, "does not name"));
    CHECK(refused_by_client(alpha, "eta.example", beta, "does not name"));
    /* §7.2: "*.wild.example" matches nothing but itself. */
    CHECK(refused_by_client(alpha, "x.wild.example", dns, "does not name"));
    CHECK(refused_by_client(alpha, "*.wild.example", dns, "does not name"));
    CHECK(connect_pair(alpha, "dns.example", dns, NULL, NULL).client_ok);
    /* §7.1: with a sip URI present, dNSNames are not identities. */
    CHECK(refused_by_client(alpha, "dnsonly.example", uri, "does not name"));
    CHECK(connect_pair(alpha, "other.example", uri, NULL, NULL).client_ok);
    CHECK(refused_by_client(alpha, "users.example", uri, "does not name"));
    /* §7.1 item 2: no CN when there is a subjectAltName */
    CHECK(refused_by_client(alpha, "legacy.example", dnsfall, "does not name"));
    CHECK(connect_pair(alpha, "dnsfall.example", dnsfall, NULL, NULL).client_ok);
    efd_tls_unref(rogue);
    efd_tls_unref(old);
    efd_tls_unref(dns);
    efd_tls_unref(uri);
    efd_tls_unref(dnsfall);
}

/* The identities the server finds in the certificate of client set name. */
static size_t server_ids(const char *name, efd_tls_t *beta, char ids[][EFD_TLS_ID_LEN], size_t cap)
{
    efd_tls_t *c = set_for(name);
    SSL *server = NULL;
    size_t n = 0;

    if (c != NULL && connect_pair(c, "beta.example", beta, NULL, &server).server_ok)
        n = efd_tls_peer_ids(server, ids, cap);
    SSL_free(server);
    efd_tls_unref(c);
    return n;
}

static void test_ids(efd_tls_t *beta)
{
    char ids[EFD_TLS_IDS_MAX][EFD_TLS_ID_LEN];

    /* URI:sip:uri.example, DNS:uri.example, DNS:dnsonly.example,
     * URI:sip:alice@users.example, URI:https://web.example,
     * URI:SIP:Other.Example:5061;transport=tls, URI:sip:URI.example. */
    CHECK_INT(server_ids("uri.example", beta, ids, EFD_TLS_IDS_MAX), 2);
    CHECK_STR(ids[0], "uri.example");
    CHECK_STR(ids[1], "other.example");
    CHECK_INT(server_ids("uri.example", beta, ids, 1), 1);
    CHECK_STR(ids[0], "uri.example");
    /* DNS:dns.example, DNS:*.wild.example */
    CHECK_INT(server_ids("dns.example", beta, ids, EFD_TLS_IDS_MAX), 1);
    CHECK_STR(ids[0], "dns.example");
    /* DNS:dnsfall.example, URI:sip:bob@users.example, URI:sips:secure.example;
     * CN=legacy.example is not looked at: there is a subjectAltName */
    CHECK_INT(server_ids("dnsfall.example", beta, ids, EFD_TLS_IDS_MAX), 1);
    CHECK_STR(ids[0], "dnsfall.example");
    /* no subjectAltName: CN=cn.example */
    CHECK_INT(server_ids("cn.example", beta, ids, EFD_TLS_IDS_MAX), 1);
    CHECK_STR(ids[0], "cn.example");
    /* DNS:*.star.example, DNS:.star.example: no identity (and the CN is not looked at) */
    CHECK_INT(server_ids("*.star.example", beta, ids, EFD_TLS_IDS_MAX), 0);
}

static void test_ids_match(void)
{
    char ids[3][EFD_TLS_ID_LEN] = {"alpha.example", "beta.example.", "*.gamma.example"};

    CHECK(efd_tls_ids_match(ids, 3, "alpha.example", 13));
    CHECK(efd_tls_ids_match(ids, 3, "ALPHA.Example.", 14));
    CHECK(efd_tls_ids_match(ids, 3, "beta.example", 12));
    CHECK(efd_tls_ids_match(ids, 3, "Beta.Example.", 13));
    CHECK(efd_tls_ids_match(ids, 3, "beta.example;transport=tls", 12));
    CHECK(!efd_tls_ids_match(ids, 1, "beta.example", 12));
    CHECK(!efd_tls_ids_match(ids, 3, "example", 7));
    CHECK(!efd_tls_ids_match(ids, 3, "lpha.example", 12));
    CHECK(!efd_tls_ids_match(ids, 3, "x.alpha.example", 15));
    CHECK(!efd_tls_ids_match(ids, 3, "x.gamma.example", 15));
    CHECK(!efd_tls_ids_match(ids, 3, "alpha.example.com", 17));
    CHECK(!efd_tls_ids_match(ids, 3, ".", 1));
    CHECK(!efd_tls_ids_match(ids, 3, "", 0));
    CHECK(!efd_tls_ids_match(ids, 0, "alpha.example", 13));
}

/* The SHA-256 of the DER of a PEM file, in lowercase hex. */
static void file_fingerprint(const char *name, char out[EFD_TLS_FP_LEN])
{
    char file[128];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    FILE *f;
    X509 *x;

    out[0] = '\0';
    path(file, sizeof file, name, "crt");
    if ((f = fopen(file, "r")) == NULL)
        return;
    x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (x != NULL && X509_digest(x, EVP_sha256(), md, &len) == 1)
        for (unsigned i = 0; i < len; i++)
            snprintf(out + 2 * i, 3, "%02x", md[i]);
    X509_free(x);
}

static bool server_fp(efd_tls_t *c, efd_tls_t *beta, char fp[EFD_TLS_FP_LEN])
{
    SSL *server = NULL;
    bool ok = connect_pair(c, "beta.example", beta, NULL, &server).server_ok &&
              efd_tls_peer_fingerprint(server, fp);

    SSL_free(server);
    return ok;
}

static void test_fingerprint(efd_tls_t *alpha, efd_tls_t *beta)
{
    char fp1[EFD_TLS_FP_LEN], fp2[EFD_TLS_FP_LEN], fp3[EFD_TLS_FP_LEN], want[EFD_TLS_FP_LEN];
    efd_tls_t *other = set_for("uri.example");

    CHECK(server_fp(alpha, beta, fp1));
    CHECK(server_fp(alpha, beta, fp2));
    CHECK(server_fp(other, beta, fp3));
    CHECK_INT(strlen(fp1), 64);
    CHECK_STR(fp1, fp2);
    CHECK(strcmp(fp1, fp3) != 0);
    file_fingerprint("alpha.example", want);
    CHECK_STR(fp1, want);
    CHECK(!efd_tls_peer_fingerprint(NULL, fp1));
    efd_tls_unref(other);
}

/* Connect alpha to beta; save the session as save_as and close cleanly when asked;
 * whether the session was a resumed one (negative: the connection failed). */
static int resumed(efd_tls_t *alpha, efd_tls_t *beta, const char *domain, long max,
                   const char *save_as, bool close)
{
    char ids[EFD_TLS_IDS_MAX][EFD_TLS_ID_LEN], buf[8];
    SSL *client = efd_tls_connect_ssl(alpha, domain), *server = efd_tls_accept_ssl(beta);
    hs_t hs;
    int reused = -1;

    if (client != NULL && max != 0)
        SSL_set_max_proto_version(client, max);
    hs = pump(client, server, false); /* save before any ticket is read */
    if (hs.client_ok && hs.server_ok) {
        reused = SSL_session_reused(client);
        if (save_as != NULL)
            efd_tls_save_session(alpha, save_as, client);
        /* a TLS 1.3 ticket sent after a resumption is read now */
        SSL_write(server, "x", 1);
        if (SSL_read(client, buf, sizeof buf) != 1 || SSL_session_reused(server) != reused ||
            efd_tls_peer_ids(server, ids, EFD_TLS_IDS_MAX) != 1 || strcmp(ids[0], "alpha.example"))
            reused = -2;
        if (close) { /* close_notify both ways; OpenSSL drops sessions of dropped connections */
            SSL_shutdown(client);
            SSL_shutdown(server);
            SSL_shutdown(client);
        }
    }
    SSL_free(client);
    SSL_free(server);
    return reused;
}

static void test_resumption(efd_tls_t *beta)
{
    efd_tls_t *alpha = set_for("alpha.example"), *alpha12 = set_for("alpha.example");
    const char *b = "beta.example";
    SSL *ssl;

    CHECK_INT(resumed(alpha, beta, b, 0, NULL, true), 0);
    CHECK_INT(resumed(alpha, beta, b, 0, NULL, true), 0); /* nothing was saved */
    CHECK_INT(resumed(alpha, beta, b, 0, b, false), 0);   /* saved, then dropped */
    /* a session is kept only for the domain it was verified for */
    CHECK_INT(resumed(alpha, beta, b, 0, "gamma.example", true), 0);
    ssl = efd_tls_connect_ssl(alpha, "gamma.example");
    CHECK(ssl != NULL && SSL_get0_session(ssl) == NULL);
    SSL_free(ssl);
    ssl = efd_tls_connect_ssl(alpha, b);
    CHECK(ssl != NULL && SSL_get0_session(ssl) == NULL);
    SSL_free(ssl);
    CHECK_INT(resumed(alpha, beta, b, 0, b, true), 0);
    CHECK_INT(resumed(alpha, beta, b, 0, b, true), 1);
    CHECK_INT(resumed(alpha, beta, "Beta.Example.", 0, "BETA.example", true), 1);
    /* offering a session does not use it up */
    ssl = efd_tls_connect_ssl(alpha, b);
    CHECK(ssl != NULL && SSL_get0_session(ssl) != NULL);
    SSL_free(ssl);
    CHECK_INT(resumed(alpha, beta, b, 0, NULL, true), 1); /* resumed, not saved */
    /* a TLS 1.3 session resumes once: the next connection needs a new one saved */
    ssl = efd_tls_connect_ssl(alpha, b);
    CHECK(ssl != NULL && SSL_get0_session(ssl) == NULL);
    SSL_free(ssl);
    CHECK_INT(resumed(alpha, beta, b, 0, b, true), 0);
    CHECK_INT(resumed(alpha, beta, b, 0, b, true), 1);

    /* TLS 1.2: resumable as soon as the handshake ends, and offered again */
    CHECK_INT(resumed(alpha12, beta, b, TLS1_2_VERSION, b, true), 0);
    CHECK_INT(resumed(alpha12, beta, b, TLS1_2_VERSION, NULL, true), 1);
    CHECK_INT(resumed(alpha12, beta, b, TLS1_2_VERSION, b, true), 1);
    efd_tls_unref(alpha);
    efd_tls_unref(alpha12);
}

static int check_new(const char *crt, const char *key, const char *ca, const char *ciphers,
                     char *err, size_t cap)
{
    char c[128], k[128], a[128];
    efd_tls_config_t cfg = {c, k, a, ciphers, 0};
    efd_tls_t *tls = (efd_tls_t *)&cfg; /* must come back NULL on error */
    int rc;

    snprintf(c, sizeof c, "%s/%s", dir, crt);
    snprintf(k, sizeof k, "%s/%s", dir, key);
    snprintf(a, sizeof a, "%s/%s", dir, ca);
    err[0] = '\0';
    rc = efd_tls_new(&cfg, &tls, err, cap);
    if (rc == 0)
        efd_tls_unref(tls);
    else if (tls != NULL)
        rc = 1;
    printf("# %s\n", err);
    return rc;
}

static void test_config(void)
{
    char err[512], bad[128], cmd[256];
    efd_tls_config_t empty = {"", NULL, NULL, NULL, 0};
    efd_tls_t *tls = NULL;
    FILE *f;

    /* a key of another type than the certificate's */
    snprintf(cmd, sizeof cmd, "openssl genpkey -algorithm ed25519 -out '%s/ed.key'", dir);
    CHECK_INT(system(cmd), 0);
    path(bad, sizeof bad, "bad", "pem");
    if ((f = fopen(bad, "w")) != NULL) {
        fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", f);
        fclose(f);
    }
    CHECK_INT(check_new("alpha.example.crt", "alpha.example.key", "ca.pem", NULL, err, sizeof err),
              0);
    CHECK_INT(check_new("missing.crt", "alpha.example.key", "ca.pem", NULL, err, sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "missing.crt: ") != NULL && strstr(err, "No such file") != NULL);
    CHECK_INT(check_new("alpha.example.crt", "beta.example.key", "ca.pem", NULL, err, sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "beta.example.key: ") != NULL && strstr(err, "mismatch") != NULL);
    CHECK_INT(check_new("alpha.example.crt", "ed.key", "ca.pem", NULL, err, sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "ed.key: error:") != NULL);
    CHECK_INT(check_new("bad.pem", "alpha.example.key", "ca.pem", NULL, err, sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "bad.pem: error:") != NULL);
    CHECK_INT(check_new("alpha.example.crt", "bad.pem", "ca.pem", NULL, err, sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "tls key") != NULL && strstr(err, "bad.pem: error:") != NULL);
    CHECK_INT(check_new("alpha.example.crt", "alpha.example.key", "bad.pem", NULL, err, sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "tls ca") != NULL && strstr(err, "bad.pem: error:") != NULL);
    CHECK_INT(check_new("alpha.example.crt", "alpha.example.key", "nope.pem", NULL, err, 4),
              EF_ECONFIG);
    CHECK_INT(strlen(err), 3);
    CHECK_INT(check_new("alpha.example.crt", "alpha.example.key", "ca.pem", "NO-SUCH-CIPHER", err,
                        sizeof err),
              EF_ECONFIG);
    CHECK(strstr(err, "NO-SUCH-CIPHER") != NULL);
    CHECK_INT(efd_tls_new(&empty, &tls, err, sizeof err), EF_ECONFIG);
    CHECK(tls == NULL && strstr(err, "certificate") != NULL);
    CHECK_INT(efd_tls_new(NULL, &tls, err, sizeof err), EF_EINVAL);
}

typedef struct {
    efd_tls_t *alpha, *beta;
    int resumed; /* handshakes that resumed a session */
} worker_t;

/* Connections from a shared set: some handshake, save and resume; all take
 * and drop references. */
static void *worker(void *arg)
{
    worker_t *w = arg;

    for (int i = 0; i < 200; i++) {
        efd_tls_t *mine = efd_tls_ref(w->alpha);
        const char *domain = i % 2 ? "beta.example" : "alpha.example";
        SSL *ssl = efd_tls_connect_ssl(mine, domain), *server;

        efd_tls_unref(mine);
        if (ssl == NULL)
            return NULL;
        if (i % 10 == 1 && (server = efd_tls_accept_ssl(w->beta)) != NULL) {
            if (!handshake(ssl, server).server_ok)
                w->resumed = -1000;
            efd_tls_save_session(w->alpha, domain, ssl);
            w->resumed += SSL_session_reused(ssl);
            SSL_shutdown(ssl);
            SSL_shutdown(server);
            SSL_free(server);
        }
        SSL_free(ssl);
    }
    return arg;
}

/* Threads share a set; a client SSL keeps its set alive after the owner's unref. */
static void test_threads(efd_tls_t *beta)
{
    efd_tls_t *alpha = set_for("alpha.example");
    worker_t w[4];
    pthread_t t[4];
    void *rv;
    int ok = 0, resumed = 0, r;
    char buf[8];
    SSL *client, *server;
    hs_t hs;

    for (int i = 0; i < 4; i++) {
        w[i] = (worker_t){alpha, beta, 0};
        if (pthread_create(&t[i], NULL, worker, &w[i]) != 0)
            t[i] = 0;
    }
    for (int i = 0; i < 4; i++)
        if (t[i] != 0 && pthread_join(t[i], &rv) == 0 && rv == &w[i]) {
            ok++;
            resumed += w[i].resumed;
        }
    CHECK_INT(ok, 4);
    /* 80 handshakes to beta.example, each saving its session for the next */
    printf("# %d of 80 resumed\n", resumed);
    CHECK(resumed > 0 && resumed < 80);

    /* The owner drops the set (a reload) while a connection that asked to
     * keep its session has yet to read the TLS 1.3 ticket. */
    client = efd_tls_connect_ssl(alpha, "beta.example");
    server = efd_tls_accept_ssl(beta);
    hs = pump(client, server, false);
    CHECK(hs.client_ok && hs.server_ok);
    efd_tls_save_session(alpha, "beta.example", client);
    efd_tls_unref(alpha);
    r = SSL_read(client, buf, sizeof buf);
    CHECK_INT(SSL_get_error(client, r), SSL_ERROR_WANT_READ);
    SSL_free(client); /* frees the set; ASan would see any use after it */
    SSL_free(server);
}

int main(void)
{
    efd_tls_t *alpha, *beta;

    snprintf(dir, sizeof dir, "/tmp/ef_tls_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    CHECK_INT(mkcerts("", "alpha.example beta.example"), 0);
    CHECK_INT(mkcerts("--expired", "old.example"), 0);
    CHECK_INT(mkcerts("--ca rogue", "rogue.example"), 0);
    CHECK_INT(mkcerts("--cn-only", "cn.example"), 0);
    CHECK_INT(mkcerts("--san-only-dns --dns '*.wild.example'", "dns.example"), 0);
    CHECK_INT(mkcerts("--san-only-dns --dns .star.example", "'*.star.example'"), 0);
    CHECK_INT(mkcerts("--san-only-dns --uri sip:bob@users.example --uri sips:secure.example "
                      "--cn legacy.example",
                      "dnsfall.example"),
              0);
    CHECK_INT(mkcerts("--dns dnsonly.example --uri sip:alice@users.example --uri "
                      "https://web.example --uri 'SIP:Other.Example:5061;transport=tls' --uri "
                      "sip:URI.example.",
                      "uri.example"),
              0);
    CHECK(mkcerts("--cn-only --dns x.example", "never.example") != 0);

    alpha = set_for("alpha.example");
    beta = set_for("beta.example");
    CHECK(alpha != NULL && beta != NULL);
    if (alpha != NULL && beta != NULL) {
        test_good(alpha, beta);
        test_bare_client(beta);
        test_refused(alpha, beta);
        test_ids(beta);
        test_fingerprint(alpha, beta);
        test_resumption(beta);
        test_config();
        test_threads(beta);
    }
    test_ids_match();
    efd_tls_unref(alpha);
    efd_tls_unref(beta);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    TAP_DONE();
}
