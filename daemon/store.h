/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.h -- the persistent state of enumfedd in one SQLite file: users (HA1s
 * only, never passwords), registrar bindings (RFC 3261 §10), tombstones of
 * removed AoRs (not reassigned for at least 90 days,
 * draft-levin-simple-interdomain-reqs §10.2), offline messages awaiting
 * delivery, the presence agent's publications and subscriptions, the
 * presentities' rules on their watchers, and the external contacts of our
 * users' lists.
 *
 * The file runs in WAL mode so enumfedctl can work beside a running daemon;
 * every change is one transaction, so a failure leaves nothing half done.
 * Time is never read here: every call that depends on it takes `now`
 * (seconds since the epoch), which lets tests move the clock.
 *
 * An AoR is "user@domain" without a scheme; the domain is compared without
 * case and the user part with case (RFC 3261 §19.1.4).
 *
 * Errors: 0 or a count on success; EF_EINVAL (bad argument), EF_ENOMEM,
 * EF_E2BIG (a cap), -ENOENT (no such user / binding / message), -EEXIST (user
 * exists), -EACCES (AoR under tombstone, or user disabled), -EALREADY (a
 * binding refresh out of order), -EIO (any other SQLite failure; the text is
 * in efd_store_errmsg).
 */
#ifndef ENUMFEDD_STORE_H
#define ENUMFEDD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EFD_STORE_SCHEMA 3         /* the schema version this code writes */
#define EFD_STORE_HOLD_MIN_DAYS 90 /* tombstone floor (§10.2 above) */
#define EFD_STORE_NAME_MAX 256     /* bytes of a user part or a domain, with NUL */
#define EFD_STORE_MSG_MAX 65536    /* bytes of one offline message body */

typedef struct efd_store efd_store_t;

/**
 * Open (creating when absent) a store and bring its schema to
 * EFD_STORE_SCHEMA in place, one transaction per version step.
 * @param out a new handle, closed with efd_store_close
 * @param err why it failed
 * @return 0; EF_ECONFIG (a schema newer than this code); -EIO (not a
 *         database, unwritable, locked for longer than the busy timeout); EF_ENOMEM
 */
int efd_store_open(const char *path, efd_store_t **out, char *err, size_t errcap);

/** Close a store; NULL is fine. */
void efd_store_close(efd_store_t *st);

/** The message of the last SQLite failure on this handle. Owned by the handle. */
const char *efd_store_errmsg(const efd_store_t *st);

/** The schema version of the open file (EFD_STORE_SCHEMA after open). */
int efd_store_version(efd_store_t *st);

/* --- users ---------------------------------------------------------------------- */

typedef struct {
    char user[EFD_STORE_NAME_MAX];
    char domain[EFD_STORE_NAME_MAX];
    char ha1_md5[33];
    char ha1_sha256[65];
    bool disabled;
    int64_t created;
} efd_store_user_t;

/**
 * Add a user with its HA1s (ef_digest_ha1, realm = domain).
 * An AoR removed less than max(hold_days, 90) days before now cannot be
 * added again (draft-levin-simple-interdomain-reqs §10.2); once the hold is
 * over, the tombstone goes.
 * @return 0; -EEXIST; -EACCES (tombstone; *until, when non-NULL, says when
 *         the AoR is free); EF_EINVAL (empty names, HA1s not 32/64 hex digits)
 */
int efd_store_user_add(efd_store_t *st, const char *user, const char *domain, const char *ha1_md5,
                       const char *ha1_sha256, int64_t now, int hold_days, int64_t *until);

/** Disable (or enable) a user: it stays, but cannot register. @return 0; -ENOENT */
int efd_store_user_set_disabled(efd_store_t *st, const char *user, const char *domain,
                                bool disabled);

/** What a removal took with it. */
typedef struct {
    unsigned bindings;
    unsigned messages;
    int64_t removed_at;
} efd_store_removed_t;

/**
 * Remove a user: delete it, its bindings and its offline messages, and
 * tombstone its AoR at now -- all in one transaction.
 * @param out what was removed (may be NULL)
 * @return 0; -ENOENT
 */
int efd_store_user_remove(efd_store_t *st, const char *user, const char *domain, int64_t now,
                          efd_store_removed_t *out);

/** A user by name. @return 0; -ENOENT */
int efd_store_user_get(efd_store_t *st, const char *user, const char *domain,
                       efd_store_user_t *out);

/**
 * Every user, ordered by domain then user.
 * @param out a new array of *n users (NULL when none), freed with free()
 */
int efd_store_user_list(efd_store_t *st, efd_store_user_t **out, size_t *n);

/* --- tombstones ----------------------------------------------------------------- */

typedef struct {
    char aor[2 * EFD_STORE_NAME_MAX];
    int64_t removed_at;
} efd_store_tomb_t;

/**
 * Is aor held by a tombstone at now? hold_days below 90 counts as 90.
 * @param until when held, the first second the AoR is free (may be NULL)
 * @return 1 held, 0 free, or an error
 */
int efd_store_tomb_check(efd_store_t *st, const char *aor, int64_t now, int hold_days,
                         int64_t *until);

/** Every tombstone, oldest first. @param out a new array, freed with free() */
int efd_store_tomb_list(efd_store_t *st, efd_store_tomb_t **out, size_t *n);

/* --- bindings (RFC 3261 §10.3) ---------------------------------------------------- */

typedef struct {
    char *aor;
    char *contact;   /**< the Contact URI */
    int64_t expires; /**< absolute, seconds since the epoch */
    int q;           /**< q-value times 1000 (0..1000); -1 when absent */
    char *call_id;
    uint32_t cseq;
    char *instance; /**< +sip.instance (RFC 5626), NULL when absent */
    char *received; /**< where the REGISTER came from, NULL when unknown */
    char *path;     /**< Path header values (RFC 3327), NULL when absent */
} efd_store_binding_t;

/**
 * Add or refresh the binding of b->contact to b->aor (contacts compared as
 * strings). A refresh with the same Call-ID and a CSeq not higher than the
 * stored one is refused (RFC 3261 §10.3 step 7). Bindings of the AoR expired
 * at now are dropped first, so they do not count towards max.
 * @return 0; -ENOENT (no such user); -EACCES (user disabled); -EALREADY (out
 *         of order); EF_E2BIG (the AoR already has max bindings); EF_EINVAL
 */
int efd_store_binding_upsert(efd_store_t *st, const efd_store_binding_t *b, int64_t now,
                             size_t max);

/** Remove one binding. @return 0; -ENOENT */
int efd_store_binding_remove(efd_store_t *st, const char *aor, const char *contact);

/** Remove every binding of aor (Contact: *). @return the number removed */
int efd_store_binding_remove_all(efd_store_t *st, const char *aor);

/**
 * The bindings of aor that have not expired at now, by q (highest first) then
 * contact.
 * @param out a new array of *n bindings, freed with efd_store_bindings_free
 */
int efd_store_binding_list(efd_store_t *st, const char *aor, int64_t now, efd_store_binding_t **out,
                           size_t *n);

/** Delete every binding expired at now. @return the number deleted */
int efd_store_binding_expire(efd_store_t *st, int64_t now);

void efd_store_bindings_free(efd_store_binding_t *b, size_t n);

/* --- offline messages -------------------------------------------------------------- */

typedef struct {
    int64_t id;
    char *aor; /**< recipient */
    char *sender;
    char *content_type;
    unsigned char *body;
    size_t body_len;
    int64_t received_at;
    int64_t expires_at;
} efd_store_msg_t;

/**
 * Keep a message for an AoR while it has no binding. At most cap pending
 * messages (not expired at m->received_at) per AoR. m->id is ignored.
 * @param id the new message's id (may be NULL)
 * @return 0; -ENOENT (no such user); EF_E2BIG (cap reached, or a body over
 *         EFD_STORE_MSG_MAX); EF_EINVAL
 */
int efd_store_msg_put(efd_store_t *st, const efd_store_msg_t *m, size_t cap, int64_t *id);

/**
 * The pending messages of aor at now, oldest first. Delivery lists, sends,
 * then calls efd_store_msg_done for each delivered id: a crash in between
 * delivers twice rather than never.
 * @param out a new array of *n messages, freed with efd_store_msgs_free
 */
int efd_store_msg_list(efd_store_t *st, const char *aor, int64_t now, efd_store_msg_t **out,
                       size_t *n);

/** A message was delivered: forget it. @return 0; -ENOENT */
int efd_store_msg_done(efd_store_t *st, int64_t id);

/** Delete every message expired at now. @return the number deleted */
int efd_store_msg_expire(efd_store_t *st, int64_t now);

void efd_store_msgs_free(efd_store_msg_t *m, size_t n);

/* --- presence (presence.c) ---------------------------------------------------------- */

/*
 * Publications and subscriptions are written at the rate they arrive: those
 * writes join one open transaction that efd_store_flush commits (the daemon
 * does so a few milliseconds later, and at shutdown). Any other change, and
 * efd_store_close, commits the batch first.
 */

/** Commit the batch of presence writes, if one is open. @return 0; -EIO */
int efd_store_flush(efd_store_t *st);

/** Is a batch of presence writes waiting for efd_store_flush? */
bool efd_store_pending(const efd_store_t *st);

/** One publication (RFC 3903): the document as published, under its entity tag. */
typedef struct {
    const char *etag;
    const char *aor;
    const unsigned char *body; /**< the PIDF as received */
    size_t body_len;           /**< at most EFD_STORE_MSG_MAX */
    int64_t expires;           /**< absolute */
} efd_store_pub_t;

/**
 * Keep a publication. With old_etag, the publication it names is replaced;
 * with old_etag and no body (a refresh), the stored document moves to the new
 * entity tag and expiry. @return 0; -ENOENT (refresh of an unknown tag); EF_EINVAL
 */
int efd_store_pub_put(efd_store_t *st, const char *old_etag, const efd_store_pub_t *p);

/** Forget a publication. @return 0; -ENOENT */
int efd_store_pub_del(efd_store_t *st, const char *etag);

/**
 * Delete the publications expired at now, then hand every other one to cb
 * (its strings live until cb returns; a negative return stops and is returned).
 * @return the number handed over, or an error
 */
int efd_store_pub_load(efd_store_t *st, int64_t now, int (*cb)(void *, const efd_store_pub_t *),
                       void *arg);

/** One subscription of which we are the notifier (RFC 6665): its dialog and where NOTIFYs go. */
typedef struct {
    const char *call_id, *our_tag; /**< the key */
    const char *aor;               /**< the presentity, or the watched user for winfo */
    const char *event;             /**< "presence" or "presence.winfo" */
    const char *their_tag, *watcher, *target;
    const char *routes; /**< the route set, NULL when empty */
    uint32_t cseq;      /**< our last NOTIFY's CSeq when written */
    int64_t expires;    /**< absolute */
    int side, transport;
    const char *address; /**< "ip:port" of the watcher or of its community's edge */
    const char *peer;    /**< the watcher's community, "" for our own users */
} efd_store_sub_t;

/** Keep (insert or replace) a subscription. @return 0; EF_EINVAL */
int efd_store_sub_put(efd_store_t *st, const efd_store_sub_t *s);

/** Forget a subscription. @return 0; -ENOENT */
int efd_store_sub_del(efd_store_t *st, const char *call_id, const char *our_tag);

/** As efd_store_pub_load, for subscriptions. */
int efd_store_sub_load(efd_store_t *st, int64_t now, int (*cb)(void *, const efd_store_sub_t *),
                       void *arg);

/*
 * Watcher authorization (draft-levin-simple-interdomain-reqs §9.3; the
 * actions of RFC 5025 §3.2.1): per presentity, a rule for a watcher AoR, a
 * watcher domain, or "*"; the most specific one applies. "waiting" is not a
 * decision: it records a watcher who asked while nothing allowed it
 * (RFC 3857 §5.2), for the presentity to decide on.
 */
typedef enum {
    EFD_RULE_NONE = 0,
    EFD_RULE_ALLOW,
    EFD_RULE_BLOCK,
    EFD_RULE_POLITE_BLOCK,
    EFD_RULE_CONFIRM,
    EFD_RULE_WAITING
} efd_rule_t;

const char *efd_rule_name(efd_rule_t r);

/** "allow", "block", "polite-block", "confirm" or "waiting". @return 0; EF_EINVAL */
int efd_rule_parse(const char *text, efd_rule_t *out);

/**
 * A watcher as a rule key: "*", a domain, or "user@domain" (domain in lower
 * case, scheme and URI parameters dropped). @return 0; EF_EINVAL
 */
int efd_store_watcher_key(const char *in, char *out, size_t cap);

/** Set the rule of aor for watcher (key as above), stamped now. @return 0; EF_EINVAL */
int efd_store_rule_set(efd_store_t *st, const char *aor, const char *watcher, efd_rule_t r,
                       int64_t now);

/** Delete it. @return 0; -ENOENT; EF_EINVAL */
int efd_store_rule_del(efd_store_t *st, const char *aor, const char *watcher);

/**
 * The rule of aor for a watcher URI: the watcher's AoR, else its domain, else
 * "*"; EFD_RULE_NONE when none. matched (may be NULL) gets the key that
 * matched. @return 0; EF_EINVAL; -EIO
 */
int efd_store_rule_find(efd_store_t *st, const char *aor, const char *watcher, efd_rule_t *out,
                        char *matched, size_t cap);

typedef struct {
    char *aor, *watcher;
    efd_rule_t action;
    int64_t updated;
} efd_store_rule_row_t;

/** The rules of aor (NULL: of everyone). @param out freed with efd_store_rules_free */
int efd_store_rule_list(efd_store_t *st, const char *aor, efd_store_rule_row_t **out, size_t *n);
void efd_store_rules_free(efd_store_rule_row_t *r, size_t n);

/**
 * Hand cb each AoR removed at or after since, and each disabled user's: the
 * presentities whose watchers must be told. @return how many
 */
int efd_store_gone_since(efd_store_t *st, int64_t since, int (*cb)(void *, const char *aor),
                         void *arg);

/** Hand cb each presentity whose rules changed at or after since. @return how many */
int efd_store_rule_changed(efd_store_t *st, int64_t since, int (*cb)(void *, const char *aor),
                           void *arg);

/* --- external contacts (contacts.c) ------------------------------------------------- */

/*
 * The external contacts of our users' lists (draft-levin-simple-interdomain-
 * reqs §10.2: re-SUBSCRIBE to each at least every 45 days), learned from a
 * user's SUBSCRIBE that succeeded or added with enumfedctl. A URI is kept as
 * "sip:user@domain", domain in lower case (efd_store_contact_norm).
 */

#define EFD_STORE_URI_MAX (2 * EFD_STORE_NAME_MAX + 8) /* "sip:" user "@" domain, NUL */
#define EFD_STORE_CONTACTS_MAX 2000                    /* external contacts of one owner */
#define EFD_STORE_CALL_ID_MAX 128

/** What the last check of a contact said. */
typedef enum {
    EFD_CONTACT_UNCHECKED = 0, /**< never checked, or re-armed: due now */
    EFD_CONTACT_VALID = 1,     /**< a 2xx (or the owner's own SUBSCRIBE succeeded) */
    EFD_CONTACT_INVALID = 2,   /**< a 4xx, or NOTIFY terminated noresource / rejected /
                                    deactivated: never checked again automatically (seed §5.1) */
    EFD_CONTACT_FAILED = 3,    /**< no answer, 5xx, 6xx: tried again at retry_at */
} efd_contact_status_t;

typedef struct {
    char owner[2 * EFD_STORE_NAME_MAX]; /**< our user, "user@domain" */
    char uri[EFD_STORE_URI_MAX];        /**< the contact, "sip:user@domain" */
    int64_t added;
    int64_t checked;  /**< when a check last concluded valid or invalid; 0 = never */
    int64_t sent;     /**< when an automatic SUBSCRIBE last went for this row; 0 = never */
    int64_t retry_at; /**< not before this (a failure, or the two-hour rule); 0 = any time */
    efd_contact_status_t status;
    char reason[128];                    /**< what the last outcome was, for people */
    char call_id[EFD_STORE_CALL_ID_MAX]; /**< of the last automatic SUBSCRIBE */
} efd_store_contact_t;

/**
 * A contact URI in the stored form: sip:, sips:, pres: or im: (or none) then
 * user@domain; the domain lowered; no parameters, headers or port.
 * @return 0; EF_EINVAL (not such a URI; out gets nothing)
 */
int efd_store_contact_norm(const char *in, char *out, size_t cap);

/**
 * Add a contact to owner's list. learned = false (enumfedctl): a new row, due
 * for a check now; an existing one is left as it is. learned = true (the
 * owner's own SUBSCRIBE got a 2xx): added or marked valid, checked at now, an
 * invalid mark lifted.
 * @return 1 added, 0 already there; -ENOENT (owner is not a user); EF_E2BIG
 *         (EFD_STORE_CONTACTS_MAX); EF_EINVAL (bad owner or URI)
 */
int efd_store_contact_add(efd_store_t *st, const char *owner, const char *uri, int64_t now,
                          bool learned);

/** Remove a contact from owner's list. @return 0; -ENOENT; EF_EINVAL */
int efd_store_contact_remove(efd_store_t *st, const char *owner, const char *uri);

/**
 * The contacts of owner (NULL: of every owner), by owner then URI.
 * @param out a new array of *n contacts (NULL when none), freed with free()
 */
int efd_store_contact_list(efd_store_t *st, const char *owner, efd_store_contact_t **out,
                           size_t *n);

/**
 * Make a contact (uri NULL: every contact of owner) due for a check again,
 * an invalid mark included (the user's intervention seed §5.1 asks for).
 * @return the number re-armed; EF_EINVAL
 */
int efd_store_contact_recheck(efd_store_t *st, const char *owner, const char *uri);

/**
 * Contacts due for a check: not invalid, not checked since now - interval,
 * retry_at passed; least recently checked first, at most max.
 * @param out a new array of *n contacts, freed with free()
 */
int efd_store_contact_due(efd_store_t *st, int64_t now, int64_t interval, size_t max,
                          efd_store_contact_t **out, size_t *n);

/**
 * When an automatic SUBSCRIBE last went to uri, whoever the owner (the
 * two-hour rule of seed §5.3.1 is per URI). @return seconds since the epoch;
 * 0 never; an error
 */
int64_t efd_store_contact_last_sent(efd_store_t *st, const char *uri);

/** An automatic SUBSCRIBE with call_id went for (owner, uri) at now. @return 0; -ENOENT */
int efd_store_contact_sent(efd_store_t *st, const char *owner, const char *uri, const char *call_id,
                           int64_t now);

/** Not before until (why says why). @return 0; -ENOENT */
int efd_store_contact_defer(efd_store_t *st, const char *owner, const char *uri, int64_t until,
                            const char *why);

/**
 * Forget the waits that settings decided (the two-hour rule, a domain that
 * was no peer) of contacts not failed, so that changed settings apply: the
 * rules are applied again at the next check.
 * @return the number of contacts changed
 */
int efd_store_contact_undefer(efd_store_t *st);

/**
 * The outcome of the automatic SUBSCRIBE call_id. VALID never overrides an
 * INVALID the same check found (a NOTIFY may come before the 2xx); FAILED
 * (retry_at says when to try again) never overrides either outcome.
 * @return the rows changed (0: not ours, or already judged); EF_EINVAL
 */
int efd_store_contact_result(efd_store_t *st, const char *call_id, efd_contact_status_t status,
                             const char *why, int64_t now, int64_t retry_at);

/**
 * The owner's own SUBSCRIBE to uri got a 4xx: an existing contact is marked
 * invalid (nothing is added). @return 1 marked, 0 no such contact; EF_EINVAL
 */
int efd_store_contact_invalidate(efd_store_t *st, const char *owner, const char *uri,
                                 const char *why, int64_t now);

#endif
