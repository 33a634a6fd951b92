/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h -- enumfedd's configuration: one libconfig file read into a plain
 * struct. Every setting is a row of one table (name, type, where it goes, its
 * default, whether SIGHUP reloads it), so `enumfedd -t` checks exactly what the
 * daemon reads, unknown settings are refused by name, and the sample config
 * and enumfedd.conf(5) can be checked against the table.
 *
 * Daemon internals use the efd_ prefix; the library's public API is ef_.
 */
#ifndef ENUMFEDD_CONFIG_H
#define ENUMFEDD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "enumfed/locate.h"
#include "enumfed/resolve.h"

#define EFD_NAME_MAX 256   /* a domain name or host */
#define EFD_PATH_MAX 1024  /* a file name */
#define EFD_LISTEN_MAX 16  /* listen entries */
#define EFD_PEERS_MAX 256  /* federation peers on the allowlist */
#define EFD_DOMAINS_MAX 16 /* domains of our own community */
#define EFD_LIST_MAX 8     /* suffixes, zones, trust anchors, services */

/** Which side of the edge a listener or a connection is on. */
typedef enum {
    EFD_SIDE_INTERNAL,   /**< the community's own users and servers */
    EFD_SIDE_FEDERATION, /**< other communities' edges */
} efd_side_t;

/** Log levels, most severe first. */
typedef enum { EFD_LOG_ERR, EFD_LOG_WARN, EFD_LOG_NOTICE, EFD_LOG_INFO, EFD_LOG_DEBUG } efd_level_t;

/** What to answer for an unknown or restricted recipient (seed §6.2, §5.3). */
typedef enum {
    EFD_HARVEST_REJECT, /**< 404 / 403 */
    EFD_HARVEST_SILENT, /**< 2xx with no delivery, against address harvesting */
} efd_harvest_t;

/** What the community logs and tells participants about (seed §9.1). */
typedef enum {
    EFD_RECORD_OFF,      /**< nothing */
    EFD_RECORD_MESSAGES, /**< page-mode MESSAGEs */
    EFD_RECORD_SESSIONS, /**< INVITE sessions */
    EFD_RECORD_ALL,      /**< both */
} efd_recording_t;

/** One listening socket: listen = ( { side; transport; address; port; } ... ). */
typedef struct {
    efd_side_t side;
    ef_transport_t transport; /**< internal: udp or tcp; federation: tls (tcp if allow_tcp) */
    char address[64];         /**< numeric IPv4 or IPv6 */
    uint16_t port;
} efd_listen_t;

/** A transport + host + port; host empty = not set. */
typedef struct {
    ef_transport_t transport;
    char host[EFD_NAME_MAX]; /**< numeric address or a name */
    uint16_t port;           /**< 0 = the transport's default (5060 / 5061) */
} efd_hostport_t;

/** One allowlisted peer community: federation.peers = ( { domain; route; ... } ). */
typedef struct {
    char domain[EFD_NAME_MAX]; /**< lowercase, no final dot */
    efd_hostport_t route;      /**< static route; host empty = discover by DNS (RFC 3263) */
    unsigned max_connections;  /**< outbound pool cap; 0 = federation.max_connections */
    unsigned max_inbound;      /**< inbound cap; 0 = federation.max_inbound_per_peer */
    double notify_interval;    /**< NOTIFY refresh interval agreed with it; 0 = default */
    unsigned resubscribe_min;  /**< SUBSCRIBE interval per URI agreed with it; 0 = default */
} efd_peer_t;

/** Token bucket: rate per second and burst; rate 0 = unlimited. */
typedef struct {
    double rate;
    double burst;
} efd_rate_t;

typedef struct efd_config {
    char path[EFD_PATH_MAX]; /**< the file it was read from */

    /* community */
    char domains[EFD_DOMAINS_MAX][EFD_NAME_MAX]; /**< domains = [ ... ]; first is primary */
    size_t n_domains;
    efd_hostport_t next_hop;       /**< internal.next_hop: where requests for our domains go */
    char users_file[EFD_PATH_MAX]; /**< internal.users: known users, one AoR user per line;
                                        empty = every user is relayed to next_hop */
    struct efd_users *users;       /**< the users file, read with the config, or NULL */
    bool answer_options;           /**< internal.answer_options: OPTIONS answered for users */
    efd_harvest_t harvesting;      /**< internal.harvesting: "reject" | "silent" */

    /* community role (registrar, offline messages): on when store is set */
    char store[EFD_PATH_MAX];
    unsigned min_expires, max_expires, max_bindings, nonce_lifetime;
    unsigned offline_max, offline_ttl;
    bool session_im;           /**< community.session_im: MESSAGE inside INVITE (seed §6.3.2) */
    efd_recording_t recording; /**< community.recording: what is logged (seed §9.1) */
    unsigned notify_min_ms;    /**< community.notify_min_ms (RFC 3856 §6.10) */
    unsigned presence_auth;    /**< community.presence_auth: allow, confirm, polite-block, block */
    unsigned digest;           /**< community.digest: 0 sha256,md5; 1 md5,sha256; 2 sha256; 3 md5 */
    unsigned notify_refresh;   /**< federation.notify_refresh, seconds (seed §5.1) */

    /* process */
    unsigned workers;      /**< worker threads, each with its own event base; default 1 */
    efd_level_t log_level; /**< log.level */
    bool log_syslog;       /**< log.syslog */
    char pid_file[EFD_PATH_MAX];

    /* listeners */
    efd_listen_t listen[EFD_LISTEN_MAX];
    size_t n_listen;

    /* TLS (reloadable) */
    char tls_certificate[EFD_PATH_MAX]; /**< PEM chain of our certificate */
    char tls_key[EFD_PATH_MAX];
    char tls_ca[EFD_PATH_MAX]; /**< PEM file of CAs trusted for peers */
    char tls_ciphers[256];     /**< TLS 1.2 cipher list; empty = OpenSSL default */
    unsigned tls_verify_depth;

    /* federation (reloadable) */
    efd_peer_t peers[EFD_PEERS_MAX];
    size_t n_peers;
    bool allow_tcp;                /**< federation.allow_tcp: plain TCP peers accepted; off */
    unsigned max_connections;      /**< outbound connections per peer; default 4 */
    unsigned max_inbound_per_peer; /**< default 8 */
    unsigned max_inbound_total;    /**< federation side, all peers; default 256 */
    unsigned idle_timeout;         /**< seconds; default 600 */
    unsigned hold_after_4xx;       /**< seconds re-sends to a target are held back; default 60 */
    unsigned contact_check;        /**< seconds between checks of an external contact; 45 days */
    unsigned resubscribe_min;      /**< seconds between automatic SUBSCRIBEs to one URI; 7200 */
    unsigned max_record_route;     /**< bytes of Record-Route in a peer's request; default 2048 */
    unsigned max_message;          /**< bytes; default 65535 */

    /* ENUM */
    char enum_suffixes[EFD_LIST_MAX][EFD_NAME_MAX];
    size_t n_enum_suffixes;
    char enum_server[EFD_NAME_MAX]; /**< HOST[:PORT]; empty = system resolvers */
    char enum_zones[EFD_LIST_MAX][EFD_PATH_MAX];
    size_t n_enum_zones;
    char trust_anchors[EFD_LIST_MAX][EFD_PATH_MAX];
    size_t n_trust_anchors;
    ef_dnssec_mode_t dnssec;
    char enum_services[EFD_LIST_MAX][64]; /**< preference order; default im, sip */
    size_t n_enum_services;

    /* trust and spam policy (seed §9.2, §10.1) */
    char trust_param[64];  /**< the P-Asserted-Identity URI parameter naming the level */
    char assert_level[64]; /**< level we assert for our users; "" = none (seed 9.2 MAY) */
    char trusted_levels[EFD_LIST_MAX][64]; /**< peers' levels we treat as trusted */
    size_t n_trusted_levels;
    efd_rate_t rate_sender;         /**< per sender AoR, for untrusted senders */
    efd_rate_t rate_recipient;      /**< per recipient AoR */
    efd_rate_t rate_peer;           /**< per peer community */
    efd_rate_t rate_trusted_sender; /**< per sender AoR, trusted senders */

    /* timers (configurable so tests need not wait) */
    unsigned timer_t1_ms;        /**< RFC 3261 T1; default 500 */
    unsigned timer_b_ms;         /**< transaction timeout (64*T1); default 32000 */
    unsigned connect_timeout_ms; /**< TCP + TLS handshake; default 5000 */
    unsigned message_ms;         /**< a stream message must arrive within; default 10000 */
} efd_config_t;

/**
 * Read and check a config file.
 * @param path the file
 * @param out  on success a new config; the caller frees it with efd_config_free
 * @param err  on failure "FILE:LINE: reason"
 * @return 0; EF_ECONFIG (err says why); EF_ENOMEM
 */
int efd_config_load(const char *path, efd_config_t **out, char *err, size_t errcap);

/** Free a config from efd_config_load; NULL is fine. */
void efd_config_free(efd_config_t *cfg);

/** Is domain (any case, optional final dot) one of ours? */
bool efd_config_is_local(const efd_config_t *cfg, const char *domain, size_t len);

/** The allowlisted peer for domain (any case, optional final dot), or NULL. */
const efd_peer_t *efd_config_peer(const efd_config_t *cfg, const char *domain, size_t len);

/** Print the effective configuration (every setting, defaults included) in libconfig syntax. */
void efd_config_dump(const efd_config_t *cfg, FILE *out);

/** One row of the settings table, as documentation sees it. Static data. */
typedef struct {
    const char *name;        /**< libconfig path, "federation.max_connections"; members of a
                                  list of groups are "listen[].port", "federation.peers[].route" */
    const char *type;        /**< "bool", "integer", "float", "string", "path", "list", ... */
    const char *def;         /**< default as text; NULL = required */
    bool reloadable;         /**< SIGHUP applies a change */
    const char *description; /**< one line */
} efd_setting_info_t;

/** The i-th setting of the table (0, 1, ...), or NULL past the end. Static data. */
const efd_setting_info_t *efd_config_setting(size_t i);

/**
 * Can `next` replace `cur` on SIGHUP? Compares every setting whose row is not
 * reloadable.
 * @param name on EF_ECONFIG, the first such setting that differs
 * @return 0 when only reloadable settings differ; EF_ECONFIG
 */
int efd_config_reload_check(const efd_config_t *cur, const efd_config_t *next, char *name,
                            size_t cap);

#endif
