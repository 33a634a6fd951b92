/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pidf.h -- presence documents: PIDF (RFC 3863, application/pidf+xml) with the
 * RPID activities and mood (RFC 4480) and the CIPID display-name, icon, card
 * and homepage (RFC 4482) that federated communities exchange, decoded into a
 * model and encoded back; several published documents of one presentity
 * composed into one (RFC 3903 publications, one per device); the "closed"
 * document that answers for a presentity that must not be disclosed; and the
 * watcher information document (application/watcherinfo+xml, RFC 3857/3858).
 *
 * Whatever the model does not know -- an element of any namespace, or a known
 * element used in a way the model cannot represent -- is kept as serialized
 * XML (the element's subtree, with the namespace declarations it uses) and
 * written back unchanged by the encoder: an edge gracefully ignores unknown
 * extensions and passes them on (RFC 3863 §4.2.3; draft-levin-simple-
 * interdomain-reqs §5.2). Attributes the model does
 * not know on known elements, comments and processing instructions are dropped.
 */
#ifndef ENUMFED_PIDF_H
#define ENUMFED_PIDF_H

#include "enumfed/common.h"
#include "enumfed/sip_build.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits, checked while the document is read; exceeding one gives EF_E2BIG. */
#define EF_PIDF_MAX_BYTES (64 * 1024) /**< document size */
#define EF_PIDF_MAX_DEPTH 32          /**< element nesting, the root is depth 1 */
#define EF_PIDF_MAX_TUPLES 64         /**< <tuple> elements */
#define EF_PIDF_MAX_NOTES 16          /**< notes in one element (presence, tuple, person, ...) */
#define EF_PIDF_MAX_UNKNOWN 64        /**< elements kept as XML, whole document */
#define EF_PIDF_MAX_TOKENS 32         /**< activity or mood values in one element */

#define EF_PIDF_NS "urn:ietf:params:xml:ns:pidf"
#define EF_PIDF_NS_DM "urn:ietf:params:xml:ns:pidf:data-model"
#define EF_PIDF_NS_RPID "urn:ietf:params:xml:ns:pidf:rpid"
#define EF_PIDF_NS_CIPID "urn:ietf:params:xml:ns:pidf:cipid"
#define EF_WINFO_NS "urn:ietf:params:xml:ns:watcherinfo"

/** <basic> (RFC 3863 §4.1.4); NONE when a tuple's status has no <basic>. */
typedef enum { EF_PIDF_BASIC_NONE = 0, EF_PIDF_BASIC_OPEN, EF_PIDF_BASIC_CLOSED } ef_pidf_basic_t;

/** A note: text as written (not trimmed) and its xml:lang, empty when absent. */
typedef struct {
    ef_str_t text;
    ef_str_t lang;
} ef_pidf_note_t;

/**
 * One value of <activities> or <mood> (RFC 4480 §3.2, §3.5): the local name of
 * the empty element in the RPID namespace ("away", "on-the-phone", "angry",
 * "unknown", ...) and, for "other", its text.
 */
typedef struct {
    ef_str_t name;
    ef_str_t text, lang; /**< of <other> only */
} ef_rpid_token_t;

/** <activities> or <mood>. present is false when the element is absent. */
typedef struct {
    bool present;
    ef_str_t id, from, until; /**< attributes, empty when absent */
    ef_rpid_token_t *tokens;
    size_t n_tokens;
    ef_pidf_note_t *notes; /**< <rpid:note> */
    size_t n_notes;
    ef_str_t *ext; /**< values in other namespaces (the schema's ##other), serialized */
    size_t n_ext;
} ef_rpid_set_t;

/** The RPID and CIPID elements of a person or a tuple. Empty strings are absent. */
typedef struct {
    ef_rpid_set_t activities;      /**< RFC 4480 §3.2 */
    ef_rpid_set_t mood;            /**< RFC 4480 §3.5 */
    ef_pidf_note_t display_name;   /**< RFC 4482 §3.2 */
    ef_str_t icon, card, homepage; /**< RFC 4482 §3.3, §3.1, §3.4: URIs */
} ef_pidf_rich_t;

/** A <tuple> (RFC 3863 §4.1.2). */
typedef struct {
    ef_str_t id;
    ef_pidf_basic_t basic;
    ef_str_t *status_ext; /**< unknown children of <status> (e.g. <im:im>), serialized */
    size_t n_status_ext;
    ef_pidf_rich_t rich;
    ef_str_t *ext; /**< unknown children of <tuple>, serialized */
    size_t n_ext;
    ef_str_t contact;  /**< trimmed; empty when absent */
    ef_str_t priority; /**< the qvalue as written ("0.8"), empty when absent */
    ef_pidf_note_t *notes;
    size_t n_notes;
    ef_str_t timestamp; /**< as written (RFC 3339), empty when absent */
} ef_pidf_tuple_t;

/** The first <dm:person> (RFC 4479 data model, carrying RPID and CIPID). */
typedef struct {
    bool present;
    ef_str_t id;
    ef_pidf_rich_t rich;
    ef_str_t *ext; /**< unknown children, serialized */
    size_t n_ext;
    ef_pidf_note_t *notes; /**< <dm:note> */
    size_t n_notes;
    ef_str_t timestamp; /**< <dm:timestamp> */
} ef_pidf_person_t;

struct ef_arena;

/**
 * A presence document. Decoded, composed and closed documents own all their
 * memory (free with ef_pidf_free); a caller that builds one for ef_pidf_encode
 * fills the fields with its own memory and leaves `arena` NULL.
 */
typedef struct ef_pidf {
    ef_str_t entity; /**< the presentity, "pres:..." or "sip:..." */
    ef_pidf_tuple_t *tuples;
    size_t n_tuples;
    ef_pidf_note_t *notes;
    size_t n_notes;
    ef_pidf_person_t person;
    ef_str_t *ext; /**< unknown children of <presence>, including further persons and devices */
    size_t n_ext;
    struct ef_arena *arena; /**< owner of the memory above, or NULL */
} ef_pidf_t;

/** The RFC 4480 §3.2 activity values, and NONE for anything else. */
#define EF_RPID_ACTIVITY_MAP(XX)                                                                   \
    XX(APPOINTMENT, "appointment")                                                                 \
    XX(AWAY, "away")                                                                               \
    XX(BREAKFAST, "breakfast")                                                                     \
    XX(BUSY, "busy")                                                                               \
    XX(DINNER, "dinner")                                                                           \
    XX(HOLIDAY, "holiday")                                                                         \
    XX(IN_TRANSIT, "in-transit")                                                                   \
    XX(LOOKING_FOR_WORK, "looking-for-work")                                                       \
    XX(MEAL, "meal")                                                                               \
    XX(MEETING, "meeting")                                                                         \
    XX(ON_THE_PHONE, "on-the-phone")                                                               \
    XX(PERFORMANCE, "performance")                                                                 \
    XX(PERMANENT_ABSENCE, "permanent-absence")                                                     \
    XX(PLAYING, "playing")                                                                         \
    XX(PRESENTATION, "presentation")                                                               \
    XX(SHOPPING, "shopping")                                                                       \
    XX(SLEEPING, "sleeping")                                                                       \
    XX(SPECTATOR, "spectator")                                                                     \
    XX(STEERING, "steering")                                                                       \
    XX(TRAVEL, "travel")                                                                           \
    XX(TV, "tv")                                                                                   \
    XX(VACATION, "vacation")                                                                       \
    XX(WORKING, "working")                                                                         \
    XX(WORSHIP, "worship")                                                                         \
    XX(UNKNOWN, "unknown")                                                                         \
    XX(OTHER, "other")

typedef enum {
    EF_RPID_ACT_NONE = 0,
#define EF__RPID_ACT_ENUM(code, name) EF_RPID_ACT_##code,
    EF_RPID_ACTIVITY_MAP(EF__RPID_ACT_ENUM)
#undef EF__RPID_ACT_ENUM
} ef_rpid_activity_t;

/** The activity a token name stands for; EF_RPID_ACT_NONE when it is not one of RFC 4480 §3.2. */
ef_rpid_activity_t ef_rpid_activity(ef_str_t name);

/** The token name of an activity ("on-the-phone"); "" for NONE or out of range. Static string. */
const char *ef_rpid_activity_name(ef_rpid_activity_t a);

/**
 * Decode a PIDF document.
 *
 * The input is read with entity loading, DTD loading and network access off; a
 * DOCTYPE (with or without entity declarations) is refused before anything is
 * expanded or fetched.
 *
 * @param buf,len  the document (application/pidf+xml); not modified, not kept
 * @param out      receives the model; free with ef_pidf_free
 * @param errbuf,errcap  optional; on error receives "line L column C: reason"
 * @return 0; EF_E2BIG (an EF_PIDF_MAX_* limit); EF_ESYNTAX (not well-formed,
 *         DOCTYPE or entity declaration, root not {EF_PIDF_NS}presence, a
 *         required attribute missing, a bad <basic> or priority, a singular
 *         element repeated); EF_EINVAL (NULL arguments); EF_ENOMEM
 */
int ef_pidf_decode(const char *buf, size_t len, ef_pidf_t **out, char *errbuf, size_t errcap);

/** Free a decoded, composed or closed document and everything it owns. NULL is allowed. */
void ef_pidf_free(ef_pidf_t *p);

/**
 * Encode a model as a PIDF document (UTF-8, with the XML declaration). The
 * root declares the PIDF namespace as default and the prefixes dm, rpid and
 * cipid, always, so that every document has the same shape; known elements
 * follow the schema order, unknown ones are written back as they were kept.
 *
 * @param p    the model; strings must be UTF-8 without control characters
 * @param out  the document is appended to it (ef_buf_init first)
 * @return 0; EF_EINVAL (empty entity or tuple id, a bad enum, a string that is
 *         not UTF-8 or holds a control character, an ext entry that is not one
 *         well-formed element); EF_E2BIG (out->max reached); EF_ENOMEM
 */
int ef_pidf_encode(const ef_pidf_t *p, ef_buf_t *out);

/**
 * Compose the documents published for one presentity (RFC 3903: one per
 * device or publication, oldest first) into the one document its watchers get.
 * Every tuple is kept; its id is replaced by a stable one derived from `key`,
 * the entity, the original id and how often that id was used by the tuples
 * before it, so ids are unique, stay the same across NOTIFYs, do not reveal
 * the ids devices chose, and look like the id of a closed document. The
 * person is merged: activities, mood, notes and timestamp come from the person
 * with the most recent <dm:timestamp> (a later document wins a tie, one
 * without timestamp loses); display-name, icon, card and homepage from that
 * person or else from the first one that has them. Unknown elements of the
 * documents and persons are kept, each distinct one once; the documents' notes
 * too, up to EF_PIDF_MAX_NOTES. (Unknown elements are not capped: a result
 * may hold more than EF_PIDF_MAX_UNKNOWN when its inputs together do.)
 *
 * @param docs,n  the documents, 1 <= n <= EF_PIDF_MAX_TUPLES, all with the same entity
 * @param key,keylen  a secret of the edge (at least 16 bytes), the same as for ef_pidf_closed
 * @param out     receives the composed model (independent of docs); ef_pidf_free
 * @return 0; EF_EINVAL (n out of range, entities differ, more than
 *         EF_PIDF_MAX_TUPLES tuples in all, short key); EF_ENOMEM
 */
int ef_pidf_compose(const ef_pidf_t *const *docs, size_t n, const void *key, size_t keylen,
                    ef_pidf_t **out);

/**
 * The document sent for a presentity whose presence is not disclosed, or that
 * does not exist (anti-harvesting: draft-levin-simple-interdomain-reqs §5.1): one
 * tuple with basic "closed" and nothing else. Encoded, it has the root,
 * namespaces and tuple shape of every other document; its tuple id is derived
 * from `key` and the entity, so it looks random and stays the same across
 * NOTIFYs.
 *
 * @param entity   the presentity URI as the watcher asked for it
 * @param key,keylen  a secret of the edge (at least 16 bytes)
 * @param out      receives the model; free with ef_pidf_free
 * @return 0; EF_EINVAL (empty entity, short key); EF_ENOMEM
 */
int ef_pidf_closed(ef_str_t entity, const void *key, size_t keylen, ef_pidf_t **out);

/** Watcher status (RFC 3858 §4.1). */
typedef enum {
    EF_WINFO_PENDING = 0,
    EF_WINFO_ACTIVE,
    EF_WINFO_WAITING,
    EF_WINFO_TERMINATED
} ef_winfo_status_t;

/** The event that moved the watcher into its status (RFC 3858 §4.1). */
typedef enum {
    EF_WINFO_EV_SUBSCRIBE = 0,
    EF_WINFO_EV_APPROVED,
    EF_WINFO_EV_DEACTIVATED,
    EF_WINFO_EV_PROBATION,
    EF_WINFO_EV_REJECTED,
    EF_WINFO_EV_TIMEOUT,
    EF_WINFO_EV_GIVEUP,
    EF_WINFO_EV_NORESOURCE
} ef_winfo_event_t;

/** One <watcher>. */
typedef struct {
    ef_str_t id;  /**< stable per subscription, required */
    ef_str_t uri; /**< the watcher's URI, required */
    ef_winfo_status_t status;
    ef_winfo_event_t event;
    ef_str_t display_name; /**< optional */
} ef_winfo_watcher_t;

/** A watcherinfo document for one resource and one package. */
typedef struct {
    unsigned long version; /**< per subscription, +1 for each NOTIFY (RFC 3858 §4.3) */
    bool full;             /**< state="full", else "partial" */
    ef_str_t resource;     /**< the watched resource's URI, required */
    ef_str_t package;      /**< the watched event package; empty means "presence" */
    const ef_winfo_watcher_t *watchers;
    size_t n_watchers;
} ef_winfo_t;

/**
 * Encode an application/watcherinfo+xml document.
 *
 * @param w    the document; strings must be UTF-8 without control characters
 * @param out  the document is appended to it
 * @return 0; EF_EINVAL (empty resource, watcher id or uri, a bad enum or
 *         string); EF_E2BIG (out->max reached); EF_ENOMEM
 */
int ef_winfo_encode(const ef_winfo_t *w, ef_buf_t *out);

#ifdef __cplusplus
}
#endif

#endif
