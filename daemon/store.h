/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.h -- the persistent state of enumfedd in one SQLite file: users (HA1s
 * only, never passwords), registrar bindings (RFC 3261 §10), tombstones of
 * removed AoRs (not reassigned for at least 90 days,
 * draft-levin-simple-interdomain-reqs §10.2) and offline messages awaiting
 * delivery.
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

/* --- external contacts (contacts.c) ------------------------------------------------- */

#endif
