/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proxy.h -- what proxy.c and route.c share: the transaction of one relayed
 * request and the steps that move it along.
 */
#ifndef ENUMFEDD_PROXY_H
#define ENUMFEDD_PROXY_H

#include "edge.h"
#include "enumfed/locate.h"
#include "enumfed/sip_build.h"
#include "enumfed/uri.h"

#define EFD_BRANCH_MAGIC "z9hG4bK" /* RFC 3261 §8.1.1.7 */
#define EFD_BRANCH_PREFIX "z9hG4bKefd"

struct efd_txn {
    efd_worker_t *w;
    char branch[64]; /* ours, on the relayed request: client-side key */
    char skey[160];  /* the sender's branch + sent-by + method: server-side key */
    char method[24];
    efd_addr_t from; /* where the request came from; responses go back there */
    efd_addr_t to;   /* where it was relayed */
    char *req;       /* the request as received: answered locally from it */
    size_t req_len;
    char *out; /* the request as relayed: UDP retransmissions */
    size_t out_len;
    char *resp; /* the final response sent back: absorbs retransmissions */
    size_t resp_len;
    int status;              /* highest response so far; >= 200 is final */
    bool originating;        /* internal -> federation: a 4xx holds the target back */
    char *target;            /* the Request-URI relayed when set (efd_txn_target) */
    char *hold_key;          /* "sender target" when a 4xx would hold re-sends back */
    char *learn;             /* "owner uri": a user's SUBSCRIBE whose outcome judges a contact */
    char *refusal_key;       /* a peer's SUBSCRIBE whose 4xx is remembered (contacts.c) */
    unsigned retry_after;    /* Retry-After of the final response, 0 when none */
    char peer[EFD_NAME_MAX]; /* federation: the peer community */
    unsigned retrans_ms;
    size_t pop_routes;
    bool pai_strip; /* remove P-Asserted-Identity (not asserted by who sent it) */
    char *pai_add;
    /* a P-Asserted-Identity value to add toward peers, or NULL */ /* Route values at the top
                                                                      that name us (RFC 3261
                                                                      §16.4) */
    struct event *timer_e; /* UDP retransmission (RFC 3261 §17.1.2.2 Timer E) */
    struct event *timer_f; /* transaction timeout (Timer F), then linger (Timer K/J) */
    void (*done_cb)(efd_txn_t *t, int status); /* local requests: told the final status */
    int64_t store_id;                          /* local requests: the stored message sent */
    ef_enum_query_t *enum_q;
    ef_locate_t *loc;
    efd_txn_t *next, *snext;
};

/**
 * A request of our own (an offline message delivered, a NOTIFY): a
 * transaction without a sender, whose final status goes to done (which may be
 * NULL). req is the whole request, taken over, with a Via whose branch is
 * t->branch: build it with efd_txn_local first, then send with
 * efd_txn_local_send.
 */
efd_txn_t *efd_txn_local(efd_worker_t *w, const char *method, void (*done)(efd_txn_t *, int));
void efd_txn_local_send(efd_txn_t *t, const efd_addr_t *to, char *req, size_t len);

/** Answer the transaction's request locally (final: the transaction ends). */
void efd_txn_reply(efd_txn_t *t, int status, const char *warning, const char *extra);

/** The same with a chosen To tag (a dialog the edge is a party of). */
void efd_txn_reply_tag(efd_txn_t *t, int status, const char *to_tag, const char *warning,
                       const char *extra);

/** A local 200-class (or any) answer with a body of type ctype (session.c: SDP). */
void efd_txn_reply_body(efd_txn_t *t, int status, const char *extra, const char *ctype,
                        const char *body, size_t len);

/** Set t->target to len bytes of uri (a malloc'd copy). @return 0; EF_ENOMEM */
int efd_txn_target(efd_txn_t *t, const char *uri, size_t len);

/** Relay the transaction's request to `to` with Request-URI new_uri (NULL: unchanged). */
void efd_txn_relay(efd_txn_t *t, const efd_addr_t *to, const char *new_uri);

/* route.c: decide where the request goes, possibly asynchronously (ENUM, DNS). */
void efd_route(efd_txn_t *t, const ef_sip_msg_t *msg);

/** Edits removing the first n Route values. @return 0, EF_ESYNTAX, EF_E2BIG */
int efd_route_pop(ef_sip_edits_t *ed, const ef_sip_msg_t *msg, size_t n);

/* policy.c: hold-back after a 4xx from a foreign community (seed §6.2), keyed
 * by sender and target: it is the sender's re-sends that are held back. */
int efd_hold_check(efd_worker_t *w, const char *key, unsigned *remaining);
void efd_hold_add(efd_worker_t *w, const char *key, int status, unsigned seconds);
void efd_hold_free(efd_worker_t *w);

/* policy.c: the rate limits of seed §10.1, one bucket per peer, sender, recipient. */
typedef enum {
    EFD_LIMIT_NONE,      /**< admitted (one token taken from each bucket) */
    EFD_LIMIT_PEER,      /**< the peer community is over its rate */
    EFD_LIMIT_SENDER,    /**< the sender is over its rate (trusted or not) */
    EFD_LIMIT_RECIPIENT, /**< the recipient gets more than its rate */
    EFD_LIMIT_CLOSE,     /**< the peer went on a whole burst past its limit: drop it */
} efd_limit_t;

/** Take a token for one request, or say which limit refuses it and when to retry. */
efd_limit_t efd_policy_admit(efd_daemon_t *d, const efd_config_t *cfg, const char *peer,
                             const char *sender, const char *recipient, bool trusted,
                             unsigned *retry_after);
void efd_policy_free(efd_daemon_t *d);

/* policy.c: what peers were answered lately, by key, shared by the workers
 * (seed §5.1, §5.3: contacts.c keeps the keys). */
typedef struct {
    int status;    /**< a remembered final status, 0 = none */
    uint64_t hash; /**< of a message body */
    double at;     /**< when it was put (efd_memo_now) */
    double until;  /**< when it is forgotten (efd_memo_now) */
} efd_memo_t;

/** Monotonic seconds, the clock of efd_memo_t. */
double efd_memo_now(void);

/** The live entry of key into *out. @return whether there is one */
bool efd_memo_get(efd_daemon_t *d, const char *key, efd_memo_t *out);

/** Set key to *v (replacing a live entry); the table full: nothing is kept. */
void efd_memo_put(efd_daemon_t *d, const char *key, const efd_memo_t *v);

/** Forget key. */
void efd_memo_del(efd_daemon_t *d, const char *key);

/** Our sent-by (host:port) for a side and transport, for Via and Record-Route. */
const char *efd_local_hostport(const efd_worker_t *w, efd_side_t side, ef_transport_t t, char *buf,
                               size_t cap);

/** Is host:port one of our listening addresses? */
bool efd_is_me(const efd_worker_t *w, ef_str_t host, int port);

#endif
