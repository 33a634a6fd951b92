/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * edge.h -- the inside of enumfedd: workers, connections and transactions.
 *
 * One worker is one thread with one libevent base, one ENUM resolver on that
 * base, its own listening sockets (SO_REUSEPORT), its own connections and its
 * own transactions: nothing is shared between workers but the configuration
 * and the TLS contexts, which are swapped whole on SIGHUP. A response that the
 * kernel delivers to another worker's UDP socket is handed to the worker named
 * in its Via branch through that worker's mailbox.
 *
 * Layers: conn.c moves bytes (UDP, TCP, TLS behind one set of operations) and
 * frames SIP messages; proxy.c decides where a request goes and keeps the
 * transaction state that a stateful proxy needs (RFC 3261 §16, §17); policy.c
 * holds the allowlist, identity and hold-back rules of the inter-domain
 * profile.
 */
#ifndef ENUMFEDD_EDGE_H
#define ENUMFEDD_EDGE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "config.h"
#include "enumfed/resolve.h"
#include "enumfed/sip.h"
#include "tls.h"

#define EFD_CONN_BUCKETS 1024
#define EFD_TXN_BUCKETS 65536 /* a few seconds of lingering UDP transactions at 10k/s */
#define EFD_UDP_MAX 65535

typedef struct efd_worker efd_worker_t;
typedef struct efd_conn efd_conn_t;
typedef struct efd_txn efd_txn_t;

/** Process-wide state shared by the workers. */
typedef struct efd_daemon {
    efd_config_t *cfg; /**< current config; replaced under lock on reload */
    efd_tls_t *tls;    /**< current TLS contexts, NULL when no TLS is configured */
    pthread_mutex_t lock;
    efd_worker_t **workers;
    unsigned n_workers;
    atomic_bool draining;
    void *rates;                 /**< the token buckets of policy.c, under lock */
    void *memo;                  /**< what peers were answered lately (policy.c), under lock */
    unsigned char nonce_key[32]; /**< digest nonces (registrar.c); new at each start */
} efd_daemon_t;

/** Where a message came from, or where a message goes. */
typedef struct {
    efd_side_t side;
    ef_transport_t transport;
    uint64_t conn_id; /**< stream transports: the connection; 0 for UDP */
    int udp_fd;       /**< UDP: the socket it came in on / goes out of */
    struct sockaddr_storage addr;
    socklen_t addrlen;
} efd_addr_t;

/** Counters of one worker, summed for the log at exit and on SIGUSR1. */
typedef struct {
    uint64_t rx_requests, rx_responses, tx_requests, tx_responses;
    uint64_t local_responses[7]; /**< by class 1xx..6xx, index 1..6 */
    uint64_t parse_errors, conns_refused, tls_failures, enum_queries;
    uint64_t limited[4];   /**< refused by a rate limit: -, peer, sender, recipient */
    uint64_t limit_closes; /**< peer connections closed for going on over the limit */
    /* inter-domain presence rules (contacts.c, seed §5.1, §5.3, §10.2) */
    uint64_t contact_checks;   /**< automatic fetch SUBSCRIBEs sent */
    uint64_t contacts_learned; /**< contacts added by a user's SUBSCRIBE that succeeded */
    uint64_t contacts_invalid; /**< contacts found invalid (4xx, NOTIFY terminated) */
    uint64_t early_notifies;   /**< peers' unchanged NOTIFYs before the refresh interval */
    uint64_t repeat_refusals;  /**< peers' SUBSCRIBEs answered with a remembered 4xx */
    uint64_t fetches_refused;  /**< peers' fetches of one presentity too often */
    uint64_t auth_failures;    /**< REGISTERs refused for their credentials (403) */
} efd_stats_t;

struct efd_worker {
    unsigned id;
    efd_daemon_t *d;
    pthread_t thread;
    struct event_base *base;
    ef_resolver_t *res;
    const efd_config_t *cfg;    /**< the config this worker uses now */
    efd_tls_t *tls;             /**< a reference to the TLS contexts it uses now */
    int udp_fd[EFD_LISTEN_MAX]; /**< per listen entry, -1 when not UDP */
    struct event *udp_ev[EFD_LISTEN_MAX];
    struct evconnlistener *listener[EFD_LISTEN_MAX];
    int udp_out[2]; /**< unbound UDP sockets to send from when no listener fits: v4, v6 */
    efd_conn_t *conns[EFD_CONN_BUCKETS]; /**< by id */
    efd_conn_t *conn_list;               /**< all of them, for scans by peer */
    unsigned n_conns, n_fed_inbound;
    efd_txn_t *txns[EFD_TXN_BUCKETS];  /**< by our branch (client side) */
    efd_txn_t *stxns[EFD_TXN_BUCKETS]; /**< by the sender's branch (server side) */
    unsigned n_txns;
    uint64_t next_id; /**< connection and branch counter */
    void *holds;      /**< targets held back after a 4xx (policy.c) */
    unsigned n_holds;
    /* mailbox: messages handed over by other workers, and reload / stop orders */
    pthread_mutex_t mb_lock;
    struct mail *mb_head, *mb_tail;
    struct event *mb_ev;
    struct event *drain_ev;        /**< SIGTERM: polls until no transaction is open */
    struct efd_store *store;       /**< community.store, this worker's connection, or NULL */
    struct efd_presence *presence; /**< presence.c's state, with the store */
    struct efd_contacts *contacts; /**< contacts.c's checks, worker 0 with the store */
    unsigned drain_ticks;
    efd_stats_t stats;
    char udp_buf[EFD_UDP_MAX + 1];
};

/* ---- conn.c ---------------------------------------------------------- */

/** Open the listeners of cfg on w (SO_REUSEPORT, so every worker has its own). */
int efd_listen_open(efd_worker_t *w, char *err, size_t errcap);

/** Close the stream listeners (drain: no new connections). */
void efd_listen_close(efd_worker_t *w);

/** Close the UDP sockets (last step of shutdown). */
void efd_udp_close(efd_worker_t *w);

/** A numeric host (IPv6 with or without brackets) and port as a sockaddr. */
int efd_sockaddr(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *len);

/** Send a message to an address; over a stream connection when addr names a live one. */
int efd_send(efd_worker_t *w, const efd_addr_t *to, const char *buf, size_t len);

/**
 * A connection to the edge of a peer community: a live one of the pool
 * (opened by either side, seed §4.2), or a new one when the pool is below its
 * cap. host/port/transport say where to connect when a new one is needed.
 * @return the connection id; 0 when none can be had
 */
uint64_t efd_peer_conn(efd_worker_t *w, const char *domain, const char *host, uint16_t port,
                       ef_transport_t transport);

/** A TCP connection to the internal next hop: the live one, or a new one; 0 if none. */
uint64_t efd_next_hop_conn(efd_worker_t *w, const char *host, uint16_t port);

/** Is there a live connection of this peer community? Its id, or 0. */
uint64_t efd_peer_live(efd_worker_t *w, const char *domain);

/** The TLS identities (or outbound target domain) of a connection; NULL when gone. */
efd_conn_t *efd_conn_get(efd_worker_t *w, uint64_t id);
const char *efd_conn_domain(const efd_conn_t *c);
bool efd_conn_authorises(const efd_conn_t *c, const char *domain, size_t len);
const char *efd_conn_peer_text(const efd_conn_t *c);

/** Close connection id (a policy decision); the proxy hears of it as a lost connection. */
void efd_conn_drop(efd_worker_t *w, uint64_t id, const char *why);

/** Close every connection (shutdown). */
void efd_conns_close_all(efd_worker_t *w);

/** Format an address as "ip:port" ("[v6]:port"). */
void efd_addr_text(const struct sockaddr_storage *a, char *out, size_t cap);

/* ---- proxy.c --------------------------------------------------------- */

/** FNV-1a of n bytes; with fold, ASCII letters count as lowercase (keys compared without case). */
uint64_t efd_hash(const char *p, size_t n, bool fold);

/** A complete SIP message arrived from `from`. */
void efd_proxy_input(efd_worker_t *w, const efd_addr_t *from, const char *buf, size_t len);

/** Connection id went away: answer what was waiting on it (503), forget it. */
void efd_proxy_conn_lost(efd_worker_t *w, uint64_t conn_id, const char *why);

/**
 * Relayed transactions without a final response yet (drain waits for 0). Our
 * own requests (NOTIFYs, stored messages) do not count: their state is in the
 * store, and nobody waits for their answer.
 */
unsigned efd_proxy_pending(const efd_worker_t *w);

/** Free every transaction (shutdown). */
void efd_proxy_close(efd_worker_t *w);

/* ---- worker.c -------------------------------------------------------- */

/** Hand a received message to worker `to` (its Via branch names it). */
void efd_worker_forward(efd_worker_t *to, const efd_addr_t *from, const char *buf, size_t len);

#endif
