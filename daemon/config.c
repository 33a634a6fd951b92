/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c -- enumfedd's configuration file, read with libconfig into an
 * efd_config_t. Every setting is one row of the table below: its libconfig
 * path, its type, where it goes in the struct, its default, whether SIGHUP
 * reloads it and one line of description. Loading walks the file's tree and
 * refuses any name the table does not have, then converts each row (or its
 * default), then checks what involves several settings (listeners against
 * federation.allow_tcp, peers against our domains, TLS files when TLS is
 * used). Lists of scalars and lists of groups (listen, federation.peers) are
 * rows too; the members of a group are rows of their own small tables, with
 * offsets into the element struct. The dump prints every row back in libconfig
 * syntax, so `enumfedd -t` output can be loaded again.
 *
 * Relative file names are resolved against the directory of the config file,
 * so the daemon may change directory later and a config works wherever it is.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "config.h"
#include "users.h"
#include "enumfed/common.h"

typedef enum {
    T_BOOL,
    T_UINT,
    T_DOUBLE,
    T_STRING,  /* any text */
    T_TOKEN,   /* an RFC 3261 token (a header parameter name) */
    T_PATH,    /* a file name, resolved against the config's directory */
    T_ENUM,    /* one of names[], stored as int */
    T_HOST,    /* a domain name: lowercased, final dot stripped */
    T_ADDR,    /* a numeric IPv4 or IPv6 address */
    T_ROUTE,   /* HOST[:PORT][;transport=X] into an efd_hostport_t */
    T_SERVER,  /* HOST[:PORT] or [V6]:PORT, kept as text */
    T_SERVICE, /* an Enumservice, type[:subtype] */
    T_SLIST,   /* an array of one of the scalar string types */
    T_GLIST,   /* a list of groups, each read with the member rows */
} vtype_t;

enum {
    F_REQUIRED = 1, /* no default: the setting must be given */
    F_RULE = 2,     /* the default depends on other settings; set after reading */
    F_READABLE = 4, /* T_PATH: the file must exist and be readable */
    F_EMPTY = 8,    /* T_TOKEN: "" is allowed and means none */
};

typedef struct row {
    efd_setting_info_t info;
    vtype_t type;
    size_t off, size;
    unsigned flags;
    double min, max;             /* numbers: range; lists: number of elements */
    const char *const *names;    /* T_ENUM: value i is names[i]; NULL-terminated */
    vtype_t elem;                /* T_SLIST: type of each element */
    size_t count_off;            /* lists: offset of the size_t count */
    const struct row *members;   /* T_GLIST: rows relative to one element */
    size_t n_members, elem_size; /* T_GLIST */
    ef_transport_t transport;    /* T_ROUTE: transport when the route names none */
} row_t;

typedef struct {
    efd_config_t *cfg;
    config_t *lc;
    const char *file; /* as the caller named it, for messages */
    char dir[EFD_PATH_MAX];
    char *err;
    size_t errcap;
} load_t;

static const char *const level_names[] = {"err", "warn", "notice", "info", "debug", NULL};
static const char *const harvest_names[] = {"reject", "silent", NULL};
static const char *const recording_names[] = {"off", "messages", "sessions", "all", NULL};
static const char *const auth_names[] = {"allow", "confirm", "polite-block", "block", NULL};
static const char *const digest_names[] = {"sha256,md5", "md5,sha256", "sha256", "md5", NULL};
static const char *const dnssec_names[] = {"off", "validate", "require", NULL};
static const char *const side_names[] = {"internal", "federation", NULL};
static const char *const transport_names[] = {"udp", "tcp", "tls", NULL};

/* clang-format off */
#define INFO(n, ty, d, rl, desc) .info = {(n), (ty), (d), (rl), (desc)}
#define FLD(f) .off = offsetof(efd_config_t, f), .size = sizeof(((efd_config_t *)0)->f)
#define LFLD(t, f) .off = offsetof(t, f), .size = sizeof(((t *)0)->f)
#define RATE(f, m) .off = offsetof(efd_config_t, f) + offsetof(efd_rate_t, m), .size = sizeof(double)
#define SLIST(f, n, et) FLD(f), .min = (n), .elem = (et), .count_off = offsetof(efd_config_t, n_##f)

static const row_t listen_rows[] = {
    {INFO("listen[].side", "internal|federation", NULL, false,
          "which side of the edge the socket serves"),
     .type = T_ENUM, LFLD(efd_listen_t, side), .flags = F_REQUIRED, .names = side_names},
    {INFO("listen[].transport", "udp|tcp|tls", "udp (internal), tls (federation)", false,
          "internal: udp or tcp; federation: tls, or tcp with federation.allow_tcp"),
     .type = T_ENUM, LFLD(efd_listen_t, transport), .flags = F_RULE, .names = transport_names},
    {INFO("listen[].address", "address", NULL, false, "numeric IPv4 or IPv6 address to bind"),
     .type = T_ADDR, LFLD(efd_listen_t, address), .flags = F_REQUIRED},
    {INFO("listen[].port", "integer", "5060 (udp, tcp), 5061 (tls)", false, "port, 1..65535"),
     .type = T_UINT, LFLD(efd_listen_t, port), .flags = F_RULE, .min = 1, .max = 65535},
};

static const row_t peer_rows[] = {
    {INFO("federation.peers[].domain", "domain", NULL, true,
          "the peer community's domain (seed 4.1 allowlist)"),
     .type = T_HOST, LFLD(efd_peer_t, domain), .flags = F_REQUIRED},
    {INFO("federation.peers[].route", "route", "", true,
          "static route HOST[:PORT][;transport=tls|tcp] to its edge; empty = RFC 3263 DNS"),
     .type = T_ROUTE, LFLD(efd_peer_t, route), .transport = EF_TRANSPORT_TLS},
    {INFO("federation.peers[].max_connections", "integer", "0", true,
          "outbound connection cap for this peer, 0..64; 0 = federation.max_connections"),
     .type = T_UINT, LFLD(efd_peer_t, max_connections), .min = 0, .max = 64},
    {INFO("federation.peers[].max_inbound", "integer", "0", true,
          "inbound connection cap, 0..4096; 0 = federation.max_inbound_per_peer"),
     .type = T_UINT, LFLD(efd_peer_t, max_inbound), .min = 0, .max = 4096},
    {INFO("federation.peers[].notify_interval", "float", "0.0", true,
          "seconds between NOTIFYs without a state change to this peer's watchers, as agreed "
          "with it (seed 5.1); 0 = federation.notify_refresh"),
     .type = T_DOUBLE, LFLD(efd_peer_t, notify_interval), .min = 0, .max = 1e9},
    {INFO("federation.peers[].resubscribe_min", "integer", "0", true,
          "seconds between automatic SUBSCRIBEs to one URI of this peer, and what it may send "
          "us, as agreed with it, 0..3888000 (seed 5.3.1); 0 = federation.resubscribe_min"),
     .type = T_UINT, LFLD(efd_peer_t, resubscribe_min), .min = 0, .max = 3888000},
};

static const row_t rows[] = {
    {INFO("domains", "list of domains", NULL, false,
          "our community's domains, the first is the primary (seed 4.1)"),
     .type = T_SLIST, SLIST(domains, 1, T_HOST), .max = EFD_DOMAINS_MAX},
    {INFO("workers", "integer", "1", false, "worker threads, each with its own event base, 1..64"),
     .type = T_UINT, FLD(workers), .min = 1, .max = 64},
    {INFO("pid_file", "path", "", false, "file the daemon writes its process id to; empty = none"),
     .type = T_PATH, FLD(pid_file)},
    {INFO("log.level", "err|warn|notice|info|debug", "notice", true, "least severe level logged"),
     .type = T_ENUM, FLD(log_level), .names = level_names},
    {INFO("log.syslog", "bool", "false", false, "log to syslog (daemon facility), else stderr"),
     .type = T_BOOL, FLD(log_syslog)},
    {INFO("listen", "list of groups", NULL, false,
          "listening sockets: at least one per side (seed 3, 4.2)"),
     .type = T_GLIST, FLD(listen), .min = 1, .max = EFD_LISTEN_MAX, .names = NULL, .elem = 0, .count_off = offsetof(efd_config_t, n_listen), .members = listen_rows, .n_members = sizeof listen_rows / sizeof listen_rows[0], .elem_size = sizeof(efd_listen_t)},
    {INFO("internal.next_hop", "route", "", true,
          "where requests for our domains go: HOST[:PORT][;transport=udp|tcp|tls], udp default; "
          "required unless community.store makes the edge the registrar"),
     .type = T_ROUTE, FLD(next_hop), .transport = EF_TRANSPORT_UDP},
    {INFO("internal.users", "path", "", true,
          "known users, one AoR user part a line; empty = relay every user (seed 6.2)"),
     .type = T_PATH, FLD(users_file), .flags = F_READABLE},
    {INFO("internal.answer_options", "bool", "false", true,
          "answer OPTIONS for known users at the edge instead of relaying them (seed 6.1)"),
     .type = T_BOOL, FLD(answer_options)},
    {INFO("internal.harvesting", "reject|silent", "reject", true,
          "unknown or restricted recipient: 404/403, or 2xx without delivery (seed 6.2)"),
     .type = T_ENUM, FLD(harvesting), .names = harvest_names},
    {INFO("community.store", "path", "", false,
          "SQLite store of users, bindings and offline messages; set: the daemon is the "
          "registrar of its domains (RFC 3261 10)"),
     .type = T_PATH, FLD(store)},
    {INFO("community.min_expires", "integer", "60", true,
          "shortest registration accepted, seconds; shorter: 423 (RFC 3261 10.3)"),
     .type = T_UINT, FLD(min_expires), .min = 1, .max = 86400},
    {INFO("community.max_expires", "integer", "3600", true,
          "longest registration granted, seconds (also the default)"),
     .type = T_UINT, FLD(max_expires), .min = 1, .max = 604800},
    {INFO("community.max_bindings", "integer", "10", true, "contacts one AoR may register"),
     .type = T_UINT, FLD(max_bindings), .min = 1, .max = 1000},
    {INFO("community.nonce_lifetime", "integer", "300", true,
          "seconds a digest nonce stays fresh; older: 401 stale=true (RFC 7616 3.3)"),
     .type = T_UINT, FLD(nonce_lifetime), .min = 10, .max = 86400},
    {INFO("community.offline_max", "integer", "100", true,
          "messages kept for one user without a binding; more: 480"),
     .type = T_UINT, FLD(offline_max), .min = 0, .max = 100000},
    {INFO("community.notify_min_ms", "integer", "5000", true,
          "NOTIFYs of one subscription at most this often; changes in between are merged "
          "(RFC 3856 6.10)"),
     .type = T_UINT, FLD(notify_min_ms), .min = 0, .max = 3600000},
    {INFO("community.digest", "sha256,md5|md5,sha256|sha256|md5", "sha256,md5", true,
          "the digest algorithms a 401 offers, most preferred first (RFC 8760 2.3); "
          "md5,sha256 for user agents that stop at a first challenge they cannot answer"),
     .type = T_ENUM, FLD(digest), .names = digest_names},
    {INFO("community.presence_auth", "allow|confirm|polite-block|block", "allow", true,
          "what a watcher no rule of the presentity names gets (enumfedctl presence rule); "
          "confirm: pending until the presentity decides (RFC 3857 watcherinfo)"),
     .type = T_ENUM, FLD(presence_auth), .names = auth_names},
    {INFO("community.offline_ttl", "integer", "604800", true,
          "seconds an offline message is kept before it is dropped"),
     .type = T_UINT, FLD(offline_ttl), .min = 60, .max = 31536000},
    {INFO("community.session_im", "bool", "true", true,
          "session-mode IM (MESSAGE inside an INVITE dialog, seed 6.3.2) for our users; "
          "off: such INVITEs get 488 naming page mode"),
     .type = T_BOOL, FLD(session_im)},
    {INFO("community.recording", "off|messages|sessions|all", "off", true,
          "the IM this community logs, told to participants (seed 9.1): a Warning in 2xx to "
          "MESSAGE, a=record:on (RFC 7866) in INVITE offers and answers"),
     .type = T_ENUM, FLD(recording), .names = recording_names},
    {INFO("tls.certificate", "path", "", true,
          "PEM chain of our certificate; required with a tls listener or any peer (seed 4.3)"),
     .type = T_PATH, FLD(tls_certificate), .flags = F_READABLE},
    {INFO("tls.key", "path", "", true, "PEM private key of the certificate"),
     .type = T_PATH, FLD(tls_key), .flags = F_READABLE},
    {INFO("tls.ca", "path", "", true, "PEM CAs trusted for peer certificates (mutual TLS)"),
     .type = T_PATH, FLD(tls_ca), .flags = F_READABLE},
    {INFO("tls.ciphers", "string", "", true, "TLS 1.2 cipher list; empty = OpenSSL default"),
     .type = T_STRING, FLD(tls_ciphers)},
    {INFO("tls.verify_depth", "integer", "5", true, "longest peer chain accepted, 1..16"),
     .type = T_UINT, FLD(tls_verify_depth), .min = 1, .max = 16},
    {INFO("federation.allow_tcp", "bool", "false", true,
          "accept and use plain TCP with peers; off means TLS only (seed 4.3)"),
     .type = T_BOOL, FLD(allow_tcp)},
    {INFO("federation.max_connections", "integer", "4", true,
          "outbound connections per peer, 1..64 (seed 4.2)"),
     .type = T_UINT, FLD(max_connections), .min = 1, .max = 64},
    {INFO("federation.max_inbound_per_peer", "integer", "8", true,
          "inbound connections accepted from one peer, 1..4096 (seed 4.2)"),
     .type = T_UINT, FLD(max_inbound_per_peer), .min = 1, .max = 4096},
    {INFO("federation.max_inbound_total", "integer", "256", true,
          "inbound federation connections in all, 1..65536 (seed 4.2)"),
     .type = T_UINT, FLD(max_inbound_total), .min = 1, .max = 65536},
    {INFO("federation.idle_timeout", "integer", "600", true,
          "seconds before an idle connection is closed, 1..86400 (seed 4.2)"),
     .type = T_UINT, FLD(idle_timeout), .min = 1, .max = 86400},
    {INFO("federation.notify_refresh", "integer", "600", true,
          "seconds between NOTIFYs without a state change to another community's watchers "
          "(seed 5.1); peers[].notify_interval overrides"),
     .type = T_UINT, FLD(notify_refresh), .min = 0, .max = 86400},
    {INFO("federation.hold_after_4xx", "integer", "60", true,
          "seconds requests to a target that answered 4xx are held back, 0..86400 (seed 6.2)"),
     .type = T_UINT, FLD(hold_after_4xx), .min = 0, .max = 86400},
    {INFO("federation.contact_check", "integer", "3888000", true,
          "seconds between checks (a fetch SUBSCRIBE) of each external contact of our users' "
          "lists, 1..3888000 (45 days, seed 10.2)"),
     .type = T_UINT, FLD(contact_check), .min = 1, .max = 3888000},
    {INFO("federation.resubscribe_min", "integer", "7200", true,
          "seconds between automatic SUBSCRIBEs to one URI, ours and a peer's, 7200..3888000 "
          "(seed 5.3.1); peers[].resubscribe_min overrides"),
     .type = T_UINT, FLD(resubscribe_min), .min = 7200, .max = 3888000},
    {INFO("federation.max_record_route", "integer", "2048", true,
          "bytes of Record-Route accepted from a peer, else 513 (seed 7), 1..65535"),
     .type = T_UINT, FLD(max_record_route), .min = 1, .max = 65535},
    {INFO("federation.max_message", "integer", "65535", true,
          "largest SIP message accepted in bytes, 1024..1048576"),
     .type = T_UINT, FLD(max_message), .min = 1024, .max = 1048576},
    {INFO("federation.peers", "list of groups", "()", true,
          "allowlisted peer communities (seed 4.1); none = federation closed"),
     .type = T_GLIST, FLD(peers), .min = 0, .max = EFD_PEERS_MAX, .names = NULL, .elem = 0, .count_off = offsetof(efd_config_t, n_peers), .members = peer_rows, .n_members = sizeof peer_rows / sizeof peer_rows[0], .elem_size = sizeof(efd_peer_t)},
    {INFO("enum.suffixes", "list of domains", "e164.arpa", false,
          "ENUM suffixes in priority order (RFC 6116 3.2)"),
     .type = T_SLIST, SLIST(enum_suffixes, 1, T_HOST), .max = EFD_LIST_MAX},
    {INFO("enum.server", "string", "", false,
          "HOST[:PORT] or [V6]:PORT every DNS query goes to; empty = system resolvers"),
     .type = T_SERVER, FLD(enum_server)},
    {INFO("enum.zones", "list of paths", "", false, "master files answered offline, no DNS"),
     .type = T_SLIST, SLIST(enum_zones, 0, T_PATH), .flags = F_READABLE, .max = EFD_LIST_MAX},
    {INFO("enum.trust_anchors", "list of paths", "", false, "files of DS/DNSKEY trust anchors"),
     .type = T_SLIST, SLIST(trust_anchors, 0, T_PATH), .flags = F_READABLE, .max = EFD_LIST_MAX},
    {INFO("enum.dnssec", "off|validate|require", "validate", false,
          "DNSSEC: none, bogus answers fail, or anything not secure fails"),
     .type = T_ENUM, FLD(dnssec), .names = dnssec_names},
    {INFO("enum.services", "list of strings", "im sip", true,
          "Enumservices used to route, in preference order (RFC 6116 3.4.3)"),
     .type = T_SLIST, SLIST(enum_services, 1, T_SERVICE), .max = EFD_LIST_MAX},
    {INFO("policy.trust_param", "string", "trust", true,
          "URI parameter of P-Asserted-Identity carrying the user trust level (seed 9.2)"),
     .type = T_TOKEN, FLD(trust_param)},
    {INFO("policy.assert_level", "string", "verified", true,
          "trust level asserted for our users when the internal side gives none; \"\" = none"),
     .type = T_TOKEN, FLD(assert_level), .flags = F_EMPTY},
    {INFO("policy.trusted_levels", "list of strings", "verified", true,
          "levels asserted by a peer that make its user trusted (seed 9.2, 10.1)"),
     .type = T_SLIST, SLIST(trusted_levels, 0, T_TOKEN), .max = EFD_LIST_MAX},
    {INFO("policy.rate_sender.rate", "float", "1.0", true,
          "requests per second from one untrusted sender AoR; 0 = unlimited (seed 10.1)"),
     .type = T_DOUBLE, RATE(rate_sender, rate), .min = 0, .max = 1e9},
    {INFO("policy.rate_sender.burst", "float", "10.0", true, "burst for rate_sender, >= 1"),
     .type = T_DOUBLE, RATE(rate_sender, burst), .min = 0, .max = 1e9},
    {INFO("policy.rate_recipient.rate", "float", "5.0", true,
          "requests per second to one recipient AoR; 0 = unlimited (seed 10.1)"),
     .type = T_DOUBLE, RATE(rate_recipient, rate), .min = 0, .max = 1e9},
    {INFO("policy.rate_recipient.burst", "float", "20.0", true, "burst for rate_recipient"),
     .type = T_DOUBLE, RATE(rate_recipient, burst), .min = 0, .max = 1e9},
    {INFO("policy.rate_peer.rate", "float", "100.0", true,
          "requests per second from one peer community; 0 = unlimited (seed 10.1)"),
     .type = T_DOUBLE, RATE(rate_peer, rate), .min = 0, .max = 1e9},
    {INFO("policy.rate_peer.burst", "float", "200.0", true, "burst for rate_peer"),
     .type = T_DOUBLE, RATE(rate_peer, burst), .min = 0, .max = 1e9},
    {INFO("policy.rate_trusted_sender.rate", "float", "10.0", true,
          "requests per second from one trusted sender AoR (seed 9.2, 10.1)"),
     .type = T_DOUBLE, RATE(rate_trusted_sender, rate), .min = 0, .max = 1e9},
    {INFO("policy.rate_trusted_sender.burst", "float", "50.0", true,
          "burst for rate_trusted_sender"),
     .type = T_DOUBLE, RATE(rate_trusted_sender, burst), .min = 0, .max = 1e9},
    {INFO("timers.t1_ms", "integer", "500", true, "RFC 3261 T1 in ms, 1..60000"),
     .type = T_UINT, FLD(timer_t1_ms), .min = 1, .max = 60000},
    {INFO("timers.b_ms", "integer", "32000", true,
          "transaction timeout in ms (RFC 3261 64*T1), t1_ms..3600000"),
     .type = T_UINT, FLD(timer_b_ms), .min = 1, .max = 3600000},
    {INFO("timers.message_ms", "integer", "10000", true,
          "a message begun on a stream must be complete within this (slow senders)"),
     .type = T_UINT, FLD(message_ms), .min = 1, .max = 600000},
    {INFO("timers.connect_timeout_ms", "integer", "5000", true,
          "TCP connect plus TLS handshake in ms, 1..600000"),
     .type = T_UINT, FLD(connect_timeout_ms), .min = 1, .max = 600000},
};
/* clang-format on */

#define N_ROWS (sizeof rows / sizeof rows[0])
#define N_LISTEN_ROWS (sizeof listen_rows / sizeof listen_rows[0])
#define N_PEER_ROWS (sizeof peer_rows / sizeof peer_rows[0])

/* ---- errors ------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int
fail(load_t *ld, const config_setting_t *s, const char *name, const char *fmt, ...)
{
    char msg[512];
    const char *file = ld->file;
    int line = 0;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A check involving several settings names one; point at it when it is in the file. */
    if (s == NULL && name != NULL && strchr(name, '[') == NULL && ld->lc != NULL)
        s = config_lookup(ld->lc, name);
    if (s != NULL) {
        line = config_setting_source_line(s);
        if (config_setting_source_file(s) != NULL)
            file = config_setting_source_file(s);
    }
    if (line > 0)
        snprintf(ld->err, ld->errcap, "%s:%d: %s: %s", file, line, name, msg);
    else
        snprintf(ld->err, ld->errcap, "%s: %s: %s", file, name, msg);
    return EF_ECONFIG;
}

/* ---- syntax of values ---------------------------------------------------- */

/* A domain name: labels of letters, digits and '-', not at either end of a label,
 * 1..63 bytes; not all-numeric at the top (RFC 1123 2.1, RFC 3696 2). */
static const char *norm_host(const char *in, char *out, size_t cap)
{
    size_t n = strlen(in), label = 0, i;
    bool alpha_top = false;

    if (n > 0 && in[n - 1] == '.')
        n--;
    if (n == 0)
        return "empty domain name";
    if (n > 253 || n >= cap)
        return "domain name too long";
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (label == 0 || out[i - 1] == '-')
                return "empty label or label ending in '-'";
            label = 0;
            alpha_top = false;
            out[i] = '.';
            continue;
        }
        if (!isalnum(c) && !(c == '-' && label > 0))
            return "not a valid host name (letters, digits, '-' and dots)";
        if (++label > 63)
            return "label longer than 63 bytes";
        alpha_top |= !isdigit(c);
        out[i] = (char)tolower(c);
    }
    if (out[n - 1] == '-')
        return "label ends in '-'";
    if (!alpha_top)
        return "all-numeric top-level label";
    out[n] = '\0';
    return NULL;
}

static bool is_addr(const char *s, int *family)
{
    unsigned char buf[sizeof(struct in6_addr)];

    if (inet_pton(AF_INET, s, buf) == 1)
        *family = AF_INET;
    else if (inet_pton(AF_INET6, s, buf) == 1)
        *family = AF_INET6;
    else
        return false;
    return true;
}

static const char *parse_port(const char *s, uint16_t *port)
{
    unsigned long v;

    if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
        return "port must be 1..65535";
    v = strtoul(s, NULL, 10);
    if (v < 1 || v > 65535)
        return "port must be 1..65535";
    *port = (uint16_t)v;
    return NULL;
}

/* HOST, IPV4 or [IPV6], then an optional :PORT; the host goes to out without brackets. */
static const char *parse_hostport(char *s, efd_hostport_t *out)
{
    char *port = NULL, *host = s;
    unsigned char a6[sizeof(struct in6_addr)];
    int fam;

    if (*s == '[') {
        char *end = strchr(s, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':'))
            return "expected [IPV6] or [IPV6]:PORT";
        *end = '\0';
        host = s + 1;
        if (inet_pton(AF_INET6, host, a6) != 1)
            return "not an IPv6 address inside [ ]";
        if (end[1] == ':')
            port = end + 2;
    } else if ((port = strchr(s, ':')) != NULL) {
        if (strchr(port + 1, ':') != NULL)
            return "an IPv6 address needs brackets: [V6]:PORT";
        *port++ = '\0';
    }
    if (port != NULL) {
        const char *why = parse_port(port, &out->port);
        if (why != NULL)
            return why;
    }
    if (is_addr(host, &fam)) {
        if (strlen(host) >= sizeof out->host)
            return "address too long";
        memcpy(out->host, host, strlen(host) + 1);
        return NULL;
    }
    return norm_host(host, out->host, sizeof out->host);
}

/* HOST[:PORT][;transport=udp|tcp|tls]; "" leaves the host empty. */
static const char *parse_route(const char *text, ef_transport_t def, efd_hostport_t *out)
{
    char buf[EFD_NAME_MAX + 64], *params;
    int t;

    memset(out, 0, sizeof *out);
    out->transport = def;
    if (*text == '\0')
        return NULL;
    if (strlen(text) >= sizeof buf)
        return "route too long";
    snprintf(buf, sizeof buf, "%s", text);
    if ((params = strchr(buf, ';')) != NULL) {
        *params++ = '\0';
        if (strncasecmp(params, "transport=", 10) != 0)
            return "the only parameter is ;transport=tls|tcp|udp";
        for (t = 0; transport_names[t] != NULL; t++)
            if (strcasecmp(params + 10, transport_names[t]) == 0)
                break;
        if (transport_names[t] == NULL)
            return "transport must be tls, tcp or udp";
        out->transport = (ef_transport_t)t;
    }
    return parse_hostport(buf, out);
}

/* RFC 3261 token, what a header parameter name is made of. */
static const char *check_token(const char *s)
{
    if (*s == '\0')
        return "must not be empty";
    for (; *s != '\0'; s++)
        if (!isalnum((unsigned char)*s) && strchr("-.!%*_+`'~", *s) == NULL)
            return "not a token (RFC 3261 25.1)";
    return NULL;
}

/* An Enumservice: type[:subtype], each 1..32 of letters, digits, '-' (RFC 6117 2.2). */
static const char *check_service(const char *s)
{
    size_t part = 0;

    for (; *s != '\0'; s++) {
        if (*s == ':' && part > 0) {
            part = 0;
            continue;
        }
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-'))
            return "not an Enumservice (lowercase type[:subtype])";
        if (++part > 32)
            return "Enumservice part longer than 32";
    }
    return part == 0 ? "empty Enumservice or subtype" : NULL;
}

/* ---- files ------------------------------------------------------------- */

static const char *resolve_path(const load_t *ld, const char *in, char *out, size_t cap)
{
    int n;

    if (in[0] == '\0' || in[0] == '/')
        n = snprintf(out, cap, "%s", in);
    else
        n = snprintf(out, cap, "%s/%s", ld->dir, in);
    return n < 0 || (size_t)n >= cap ? "file name too long" : NULL;
}

static const char *check_readable(const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return strerror(errno);
    if (!S_ISREG(st.st_mode))
        return "not a regular file";
    return NULL;
}

/* ---- one value ----------------------------------------------------------- */

/* The text of a string-valued setting, or of its default when s is NULL. */
static int text_of(load_t *ld, const row_t *r, const config_setting_t *s, const char *name,
                   const char **out)
{
    if (s == NULL) {
        *out = r->info.def != NULL ? r->info.def : "";
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return fail(ld, s, name, "must be a string (\"...\")");
    *out = config_setting_get_string(s);
    return 0;
}

static int set_number(load_t *ld, const row_t *r, void *dst, const config_setting_t *s,
                      const char *name)
{
    double v;
    int ty = s != NULL ? config_setting_type(s) : CONFIG_TYPE_NONE;

    if (s == NULL)
        v = strtod(r->info.def != NULL ? r->info.def : "0", NULL);
    else if (ty == CONFIG_TYPE_INT || ty == CONFIG_TYPE_INT64)
        v = (double)config_setting_get_int64(s);
    else if (ty == CONFIG_TYPE_FLOAT && r->type == T_DOUBLE)
        v = config_setting_get_float(s);
    else
        return fail(ld, s, name, r->type == T_UINT ? "must be an integer" : "must be a number");
    if (!isfinite(v) || v < r->min || v > r->max)
        return fail(ld, s, name, "must be %.15g..%.15g", r->min, r->max);
    if (r->type == T_DOUBLE)
        *(double *)dst = v;
    else if (r->size == sizeof(uint16_t))
        *(uint16_t *)dst = (uint16_t)v;
    else
        *(unsigned *)dst = (unsigned)v;
    return 0;
}

static int set_bool(load_t *ld, const row_t *r, void *dst, const config_setting_t *s,
                    const char *name)
{
    if (s == NULL) {
        *(bool *)dst = r->info.def != NULL && strcmp(r->info.def, "true") == 0;
        return 0;
    }
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return fail(ld, s, name, "must be true or false");
    *(bool *)dst = config_setting_get_bool(s) != 0;
    return 0;
}

static int set_enum(load_t *ld, const row_t *r, void *dst, const config_setting_t *s,
                    const char *name)
{
    const char *text = "";
    int i, rc = text_of(ld, r, s, name, &text);

    if (rc < 0)
        return rc;
    for (i = 0; r->names[i] != NULL; i++) {
        if (strcmp(text, r->names[i]) == 0) {
            *(int *)dst = i;
            return 0;
        }
    }
    return fail(ld, s, name, "must be %s, not \"%s\"", r->info.type, text);
}

/* Every type held as text: check it, normalise it, store it. */
static int set_text(load_t *ld, const row_t *r, vtype_t type, void *dst, size_t cap,
                    const config_setting_t *s, const char *name)
{
    const char *text = "", *why = NULL;
    efd_hostport_t hp;
    int fam, rc = text_of(ld, r, s, name, &text);

    if (rc < 0)
        return rc;
    if (type == T_HOST)
        why = norm_host(text, dst, cap);
    else if (type == T_ROUTE)
        why = parse_route(text, r->transport, dst);
    else if (type == T_PATH)
        why = resolve_path(ld, text, dst, cap);
    else if (strlen(text) >= cap)
        why = "too long";
    else if (type == T_ADDR && !is_addr(text, &fam))
        why = "must be a numeric IPv4 or IPv6 address";
    else if (type == T_TOKEN)
        why = *text == '\0' && (r->flags & F_EMPTY) ? NULL : check_token(text);
    else if (type == T_SERVICE)
        why = check_service(text);
    else if (type == T_SERVER && strchr(text, ';') != NULL)
        why = "expected HOST[:PORT] or [V6]:PORT";
    else if (type == T_SERVER)
        why = parse_route(text, EF_TRANSPORT_UDP, &hp);
    if (why == NULL && type == T_PATH && (r->flags & F_READABLE) && *(char *)dst != '\0')
        if ((why = check_readable(dst)) != NULL)
            return fail(ld, s, name, "%s: %s", (char *)dst, why);
    if (why != NULL)
        return fail(ld, s, name, "%s: \"%s\"", why, text);
    if (type != T_HOST && type != T_ROUTE && type != T_PATH)
        snprintf(dst, cap, "%s", text);
    return 0;
}

static int set_value(load_t *ld, const row_t *r, void *base, const config_setting_t *s,
                     const char *name)
{
    void *dst = (char *)base + r->off;

    if (s == NULL && (r->flags & F_REQUIRED))
        return fail(ld, NULL, name, "missing (required)");
    switch (r->type) {
    case T_BOOL:
        return set_bool(ld, r, dst, s, name);
    case T_UINT:
    case T_DOUBLE:
        return s == NULL && (r->flags & F_RULE) ? 0 : set_number(ld, r, dst, s, name);
    case T_ENUM:
        return s == NULL && (r->flags & F_RULE) ? 0 : set_enum(ld, r, dst, s, name);
    default:
        return set_text(ld, r, r->type, dst, r->size, s, name);
    }
}

/* ---- lists --------------------------------------------------------------- */

static size_t *count_of(const row_t *r, const efd_config_t *cfg)
{
    return (size_t *)((char *)cfg + r->count_off);
}

/* An array of strings; its default is the row's default split at spaces. */
static int read_slist(load_t *ld, const row_t *r, const config_setting_t *s)
{
    size_t n = 0, i, j, esz = r->size / (size_t)r->max;
    char *arr = (char *)ld->cfg + r->off, name[128];
    const char *def = r->info.def != NULL ? r->info.def : "";
    row_t er = *r;
    int rc;

    er.type = r->elem;
    if (s != NULL && !config_setting_is_array(s) && !config_setting_is_list(s))
        return fail(ld, s, r->info.name, "must be a list [ \"...\", ... ]");
    n = s != NULL ? (size_t)config_setting_length(s) : 0;
    for (i = 0; s == NULL && def[0] != '\0'; i++, n++) {
        size_t w = strcspn(def, " ");
        snprintf(arr + i * esz, esz, "%.*s", (int)w, def);
        def += w + (def[w] == ' ');
    }
    if (n < (size_t)r->min || n > (size_t)r->max)
        return fail(ld, s, r->info.name, "must have %g..%g entries", r->min, r->max);
    for (i = 0; s != NULL && i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        snprintf(name, sizeof name, "%s[%zu]", r->info.name, i);
        if ((rc = set_text(ld, &er, r->elem, arr + i * esz, esz, e, name)) < 0)
            return rc;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            if (strcmp(arr + i * esz, arr + j * esz) == 0)
                return fail(ld, s, r->info.name, "\"%s\" is listed twice", arr + i * esz);
    *count_of(r, ld->cfg) = n;
    return 0;
}

static const row_t *member_row(const row_t *r, const char *key)
{
    for (size_t i = 0; i < r->n_members; i++) {
        const char *k = strrchr(r->members[i].info.name, '.') + 1;
        if (strcmp(k, key) == 0)
            return &r->members[i];
    }
    return NULL;
}

/* One group of a list of groups: every member known, each row read or defaulted. */
static int read_group(load_t *ld, const row_t *r, const config_setting_t *g, size_t idx, void *elem)
{
    char name[160];
    int i, n, rc;

    if (!config_setting_is_group(g)) {
        snprintf(name, sizeof name, "%s[%zu]", r->info.name, idx);
        return fail(ld, g, name, "must be a group { ... }");
    }
    n = config_setting_length(g);
    for (i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        if (member_row(r, config_setting_name(m)) == NULL) {
            snprintf(name, sizeof name, "%s[%zu].%s", r->info.name, idx, config_setting_name(m));
            return fail(ld, m, name, "unknown setting");
        }
    }
    for (size_t k = 0; k < r->n_members; k++) {
        const row_t *mr = &r->members[k];
        const char *key = strrchr(mr->info.name, '.') + 1;
        snprintf(name, sizeof name, "%s[%zu].%s", r->info.name, idx, key);
        if ((rc = set_value(ld, mr, elem, config_setting_get_member(g, key), name)) < 0)
            return rc;
    }
    return 0;
}

/* Defaults that depend on the side: udp inside, tls outside; 5060, or 5061 for tls. */
static void listen_rules(efd_listen_t *l, const config_setting_t *g)
{
    if (config_setting_get_member(g, "transport") == NULL)
        l->transport = l->side == EFD_SIDE_INTERNAL ? EF_TRANSPORT_UDP : EF_TRANSPORT_TLS;
    if (config_setting_get_member(g, "port") == NULL)
        l->port = l->transport == EF_TRANSPORT_TLS ? 5061 : 5060;
}

static int read_glist(load_t *ld, const row_t *r, const config_setting_t *s)
{
    size_t n, i;
    char *arr = (char *)ld->cfg + r->off;
    int rc;

    if (s != NULL && !config_setting_is_list(s))
        return fail(ld, s, r->info.name, "must be a list of groups ( { ... }, ... )");
    n = s != NULL ? (size_t)config_setting_length(s) : 0;
    if (n < (size_t)r->min || n > (size_t)r->max)
        return fail(ld, s, r->info.name, "must have %g..%g entries", r->min, r->max);
    for (i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
        void *elem = arr + i * r->elem_size;
        if ((rc = read_group(ld, r, g, i, elem)) < 0)
            return rc;
        if (r->members == listen_rows)
            listen_rules(elem, g);
    }
    *count_of(r, ld->cfg) = n;
    return 0;
}

/* ---- the whole file -------------------------------------------------------- */

static const row_t *find_row(const char *path)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (strcmp(rows[i].info.name, path) == 0)
            return &rows[i];
    return NULL;
}

static bool is_group_path(const char *path)
{
    size_t n = strlen(path);

    for (size_t i = 0; i < N_ROWS; i++)
        if (strncmp(rows[i].info.name, path, n) == 0 && rows[i].info.name[n] == '.')
            return true;
    return false;
}

/* Refuses, by name, any setting that is not a row or a group holding rows. */
static int check_names(load_t *ld, const config_setting_t *grp, const char *prefix)
{
    char path[256];
    int i, n = config_setting_length(grp), rc;

    for (i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(grp, (unsigned)i);
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", config_setting_name(s));
        if (find_row(path) != NULL)
            continue;
        if (!is_group_path(path))
            return fail(ld, s, path, "unknown setting");
        if (!config_setting_is_group(s))
            return fail(ld, s, path, "must be a group { ... }");
        if ((rc = check_names(ld, s, path)) < 0)
            return rc;
    }
    return 0;
}

static int read_rows(load_t *ld)
{
    int rc;

    for (size_t i = 0; i < N_ROWS; i++) {
        const row_t *r = &rows[i];
        const config_setting_t *s = config_lookup(ld->lc, r->info.name);
        if (r->type == T_SLIST)
            rc = read_slist(ld, r, s);
        else if (r->type == T_GLIST)
            rc = read_glist(ld, r, s);
        else
            rc = set_value(ld, r, ld->cfg, s, r->info.name);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const config_setting_t *elem_setting(load_t *ld, const char *list, size_t i)
{
    const config_setting_t *s = config_lookup(ld->lc, list);

    return s != NULL ? config_setting_get_elem(s, (unsigned)i) : NULL;
}

static int check_listen(load_t *ld)
{
    const efd_config_t *c = ld->cfg;
    bool side[2] = {false, false};
    char name[64];

    for (size_t i = 0; i < c->n_listen; i++) {
        const efd_listen_t *l = &c->listen[i];
        const config_setting_t *s = elem_setting(ld, "listen", i);
        snprintf(name, sizeof name, "listen[%zu].transport", i);
        side[l->side] = true;
        if (l->side == EFD_SIDE_INTERNAL && l->transport == EF_TRANSPORT_TLS)
            return fail(ld, s, name, "the internal side takes udp or tcp");
        if (l->side == EFD_SIDE_FEDERATION && l->transport == EF_TRANSPORT_UDP)
            return fail(ld, s, name, "the federation side takes tls (seed 4.2, 4.3)");
        if (l->side == EFD_SIDE_FEDERATION && l->transport == EF_TRANSPORT_TCP && !c->allow_tcp)
            return fail(ld, s, name, "tcp on the federation side needs federation.allow_tcp");
        for (size_t j = 0; j < i; j++) {
            const efd_listen_t *o = &c->listen[j];
            if (o->port == l->port && strcmp(o->address, l->address) == 0 &&
                (o->transport == EF_TRANSPORT_UDP) == (l->transport == EF_TRANSPORT_UDP))
                return fail(ld, s, name, "%s port %u is already listened on by listen[%zu]",
                            l->address, l->port, j);
        }
    }
    if (!side[EFD_SIDE_INTERNAL] || !side[EFD_SIDE_FEDERATION])
        return fail(ld, NULL, "listen", "needs at least one internal and one federation entry");
    return 0;
}

static int check_peers(load_t *ld)
{
    const efd_config_t *c = ld->cfg;
    char name[64];

    for (size_t i = 0; i < c->n_peers; i++) {
        const efd_peer_t *p = &c->peers[i];
        const config_setting_t *s = elem_setting(ld, "federation.peers", i);
        snprintf(name, sizeof name, "federation.peers[%zu]", i);
        if (efd_config_is_local(c, p->domain, strlen(p->domain)))
            return fail(ld, s, name, "%s is one of our own domains", p->domain);
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->peers[j].domain, p->domain) == 0)
                return fail(ld, s, name, "%s is listed twice", p->domain);
        if (p->route.transport == EF_TRANSPORT_UDP)
            return fail(ld, s, name, "route: peers are reached over tls (seed 4.2)");
        if (p->route.transport == EF_TRANSPORT_TCP && !c->allow_tcp)
            return fail(ld, s, name, "route: tcp needs federation.allow_tcp");
    }
    return 0;
}

static int check_tls(load_t *ld)
{
    const efd_config_t *c = ld->cfg;
    bool need = c->n_peers > 0;

    for (size_t i = 0; i < c->n_listen; i++)
        need |= c->listen[i].transport == EF_TRANSPORT_TLS;
    if (!need)
        return 0;
    if (c->tls_certificate[0] == '\0')
        return fail(ld, NULL, "tls.certificate", "required with a tls listener or any peer");
    if (c->tls_key[0] == '\0')
        return fail(ld, NULL, "tls.key", "required with a tls listener or any peer");
    if (c->tls_ca[0] == '\0')
        return fail(ld, NULL, "tls.ca", "required to verify peers (mutual TLS, seed 4.3)");
    return 0;
}

static int check_rates(load_t *ld)
{
    static const char *const names[] = {"policy.rate_sender.burst", "policy.rate_recipient.burst",
                                        "policy.rate_peer.burst",
                                        "policy.rate_trusted_sender.burst"};
    const efd_rate_t *r[] = {&ld->cfg->rate_sender, &ld->cfg->rate_recipient, &ld->cfg->rate_peer,
                             &ld->cfg->rate_trusted_sender};

    for (size_t i = 0; i < 4; i++)
        if (r[i]->rate > 0 && r[i]->burst < 1)
            return fail(ld, NULL, names[i], "must be at least 1 when the rate is not 0");
    return 0;
}

static int check_all(load_t *ld)
{
    const efd_config_t *c = ld->cfg;
    int rc;

    if ((rc = check_listen(ld)) < 0 || (rc = check_peers(ld)) < 0 || (rc = check_tls(ld)) < 0 ||
        (rc = check_rates(ld)) < 0)
        return rc;
    if (c->next_hop.host[0] == '\0' && c->store[0] == '\0')
        return fail(ld, NULL, "internal.next_hop", "must name a host (or set community.store)");
    if (c->min_expires > c->max_expires)
        return fail(ld, NULL, "community.min_expires", "must not exceed community.max_expires");
    if (c->store[0] != '\0' && c->workers > 1) /* presence.c keeps its state in one worker */
        return fail(ld, NULL, "workers", "must be 1 with community.store (the presence agent)");
    if (c->timer_b_ms < c->timer_t1_ms)
        return fail(ld, NULL, "timers.b_ms", "must not be less than timers.t1_ms");
    if (c->max_inbound_per_peer > c->max_inbound_total)
        return fail(ld, NULL, "federation.max_inbound_per_peer",
                    "must not exceed federation.max_inbound_total");
    if (c->max_record_route > c->max_message)
        return fail(ld, NULL, "federation.max_record_route",
                    "must not exceed federation.max_message");
    return 0;
}

/* The file's directory, absolute, and the file's own absolute name. */
static int locate_file(load_t *ld, const char *path)
{
    char buf[EFD_PATH_MAX], *slash;

    if (realpath(path, buf) == NULL) {
        snprintf(ld->err, ld->errcap, "%s: %s", path, strerror(errno));
        return EF_ECONFIG;
    }
    snprintf(ld->cfg->path, sizeof ld->cfg->path, "%s", buf);
    slash = strrchr(buf, '/');
    if (slash == buf)
        slash++; /* a file in "/" */
    *slash = '\0';
    snprintf(ld->dir, sizeof ld->dir, "%s", buf);
    return 0;
}

static int parse_file(load_t *ld, const char *path)
{
    FILE *f = fopen(path, "r");
    int ok;

    if (f == NULL) {
        snprintf(ld->err, ld->errcap, "%s: %s", path, strerror(errno));
        return EF_ECONFIG;
    }
    config_set_include_dir(ld->lc, ld->dir);
    ok = config_read(ld->lc, f);
    fclose(f);
    if (!ok) {
        const char *file = config_error_file(ld->lc);
        snprintf(ld->err, ld->errcap, "%s:%d: %s", file != NULL ? file : path,
                 config_error_line(ld->lc), config_error_text(ld->lc));
        return EF_ECONFIG;
    }
    return 0;
}

int efd_config_load(const char *path, efd_config_t **out, char *err, size_t errcap)
{
    char dummy[1];
    config_t lc;
    load_t ld = {.file = path, .err = errcap ? err : dummy, .errcap = errcap ? errcap : 1};
    int rc;

    *out = NULL;
    ld.err[0] = '\0';
    if ((ld.cfg = calloc(1, sizeof *ld.cfg)) == NULL)
        return EF_ENOMEM;
    config_init(&lc);
    ld.lc = &lc;
    if ((rc = locate_file(&ld, path)) == 0 && (rc = parse_file(&ld, path)) == 0) {
        rc = check_names(&ld, config_root_setting(&lc), "");
        if (rc == 0)
            rc = read_rows(&ld);
        if (rc == 0)
            rc = check_all(&ld);
    }
    config_destroy(&lc);
    /* the users file is read with the config, so -t checks it and SIGHUP reloads it */
    if (rc == 0 && ld.cfg->users_file[0] != '\0')
        rc = efd_users_load(ld.cfg->users_file, &ld.cfg->users, ld.err, ld.errcap);
    if (rc < 0) {
        efd_config_free(ld.cfg);
        return rc;
    }
    *out = ld.cfg;
    return 0;
}

void efd_config_free(efd_config_t *cfg)
{
    if (cfg != NULL)
        efd_users_free(cfg->users);
    free(cfg);
}

/* ---- queries --------------------------------------------------------------- */

static bool same_domain(const char *ours, const char *domain, size_t len)
{
    if (len > 0 && domain[len - 1] == '.')
        len--;
    return strlen(ours) == len && strncasecmp(ours, domain, len) == 0;
}

bool efd_config_is_local(const efd_config_t *cfg, const char *domain, size_t len)
{
    for (size_t i = 0; i < cfg->n_domains; i++)
        if (same_domain(cfg->domains[i], domain, len))
            return true;
    return false;
}

const efd_peer_t *efd_config_peer(const efd_config_t *cfg, const char *domain, size_t len)
{
    for (size_t i = 0; i < cfg->n_peers; i++)
        if (same_domain(cfg->peers[i].domain, domain, len))
            return &cfg->peers[i];
    return NULL;
}

const efd_setting_info_t *efd_config_setting(size_t i)
{
    for (size_t k = 0; k < N_ROWS; k++) {
        const row_t *r = &rows[k];
        if (i == 0)
            return &r->info;
        i--;
        if (r->type == T_GLIST) {
            if (i < r->n_members)
                return &r->members[i].info;
            i -= r->n_members;
        }
    }
    return NULL;
}

/* ---- dump ------------------------------------------------------------------ */

static void dump_string(const char *s, FILE *out)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void dump_route(const efd_hostport_t *hp, FILE *out)
{
    char buf[EFD_NAME_MAX + 64];
    int n = 0;

    if (hp->host[0] == '\0') {
        dump_string("", out);
        return;
    }
    n += snprintf(buf, sizeof buf, strchr(hp->host, ':') ? "[%s]" : "%s", hp->host);
    if (hp->port != 0)
        n += snprintf(buf + n, sizeof buf - (size_t)n, ":%u", hp->port);
    snprintf(buf + n, sizeof buf - (size_t)n, ";transport=%s", ef_transport_name(hp->transport));
    dump_string(buf, out);
}

static void dump_double(double v, FILE *out)
{
    char buf[64];

    snprintf(buf, sizeof buf, "%.17g", v);
    /* libconfig reads "1" as an integer; a float needs a point or an exponent. */
    fprintf(out, "%s%s", buf, strpbrk(buf, ".e") != NULL ? "" : ".0");
}

static void dump_scalar(const row_t *r, const void *base, FILE *out)
{
    const char *p = (const char *)base + r->off;

    switch (r->type) {
    case T_BOOL:
        fputs(*(const bool *)p ? "true" : "false", out);
        break;
    case T_UINT:
        fprintf(out, "%u",
                r->size == sizeof(uint16_t) ? *(const uint16_t *)p : *(const unsigned *)p);
        break;
    case T_DOUBLE:
        dump_double(*(const double *)p, out);
        break;
    case T_ENUM:
        dump_string(r->names[*(const int *)p], out);
        break;
    case T_ROUTE:
        dump_route((const efd_hostport_t *)p, out);
        break;
    default:
        dump_string(p, out);
        break;
    }
}

static void dump_list(const row_t *r, const efd_config_t *cfg, const char *indent, FILE *out)
{
    size_t n = *count_of(r, cfg), i, k;
    const char *arr = (const char *)cfg + r->off;

    if (r->type == T_SLIST) {
        fputs("[", out);
        for (i = 0; i < n; i++) {
            fputs(i ? ", " : " ", out);
            dump_string(arr + i * (r->size / (size_t)r->max), out);
        }
        fputs(n ? " ]" : "]", out);
        return;
    }
    fputs("(", out);
    for (i = 0; i < n; i++) {
        fprintf(out, "%s\n%s  {", i ? "," : "", indent);
        for (k = 0; k < r->n_members; k++) {
            fprintf(out, " %s = ", strrchr(r->members[k].info.name, '.') + 1);
            dump_scalar(&r->members[k], arr + i * r->elem_size, out);
            fputc(';', out);
        }
        fputs(" }", out);
    }
    fprintf(out, "%s%s)", n ? "\n" : "", n ? indent : "");
}

static void dump_row(const row_t *r, const efd_config_t *cfg, const char *indent, FILE *out)
{
    if (r->type == T_SLIST || r->type == T_GLIST)
        dump_list(r, cfg, indent, out);
    else
        dump_scalar(r, cfg, out);
}

/* Length of the group part of a row's name ("federation" of "federation.peers"). */
static size_t group_len(const char *name)
{
    const char *dot = strrchr(name, '.');

    return dot != NULL ? (size_t)(dot - name) : 0;
}

/* Closes and opens groups so the next row's group is open; rows of a group are adjacent. */
static size_t move_group(const char *from, size_t flen, const char *to, size_t tlen, FILE *out)
{
    size_t a = 0, b = 0, common = 0, depth = 0, i;

    for (i = 0; i < flen; i++)
        depth += i == 0 || from[i] == '.';
    while (a < flen && b < tlen) {
        size_t wa = strcspn(from + a, "."), wb = strcspn(to + b, ".");
        wa = wa < flen - a ? wa : flen - a;
        wb = wb < tlen - b ? wb : tlen - b;
        if (wa != wb || memcmp(from + a, to + b, wa) != 0)
            break;
        common++;
        a += wa + 1;
        b += wb + 1;
    }
    for (; depth > common; depth--)
        fprintf(out, "%*s};\n", 2 * (int)(depth - 1), "");
    while (b < tlen) {
        size_t w = strcspn(to + b, ".");
        w = w < tlen - b ? w : tlen - b;
        fprintf(out, "%*s%.*s = {\n", 2 * (int)depth++, "", (int)w, to + b);
        b += w + 1;
    }
    return depth;
}

void efd_config_dump(const efd_config_t *cfg, FILE *out)
{
    static const char spaces[] = "                ";
    const char *prev = "";
    size_t plen = 0;
    size_t depth = 0;

    fprintf(out, "# enumfedd configuration (every setting, defaults included)\n");
    for (size_t i = 0; i < N_ROWS; i++) {
        const row_t *r = &rows[i];
        size_t glen = group_len(r->info.name);
        depth = move_group(prev, plen, r->info.name, glen, out);
        prev = r->info.name;
        plen = glen;
        fprintf(out, "%*s%s = ", 2 * (int)depth, "", r->info.name + glen + (glen > 0));
        dump_row(r, cfg, spaces + sizeof spaces - 1 - 2 * depth, out);
        fputs(";\n", out);
    }
    move_group(prev, plen, "", 0, out);
}

/* ---- reload ---------------------------------------------------------------- */

static char *row_text(const row_t *r, const efd_config_t *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    dump_row(r, cfg, "", f);
    fclose(f);
    return buf;
}

int efd_config_reload_check(const efd_config_t *cur, const efd_config_t *next, char *name,
                            size_t cap)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        const row_t *r = &rows[i];
        char *a, *b;
        bool same;
        if (r->info.reloadable)
            continue;
        a = row_text(r, cur);
        b = row_text(r, next);
        same = a != NULL && b != NULL && strcmp(a, b) == 0;
        free(a);
        free(b);
        if (!same) {
            if (cap > 0)
                snprintf(name, cap, "%s", r->info.name);
            return EF_ECONFIG;
        }
    }
    return 0;
}
