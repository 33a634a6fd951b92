/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip_build.h -- writing SIP messages: a growable buffer with a sticky error
 * bit, responses built from a request (RFC 3261 §8.2.6.2), and the edits a
 * proxy makes to a message it forwards (RFC 3261 §16.6: Request-URI, Via,
 * Record-Route, Max-Forwards), applied while copying the original bytes, so
 * that nothing is re-parsed and unknown headers pass through byte-exact.
 */
#ifndef ENUMFED_SIP_BUILD_H
#define ENUMFED_SIP_BUILD_H

#include "enumfed/sip.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * An output buffer. Appends never fail visibly: the first failure (memory, or
 * the size limit) sets `failed`, later appends do nothing, and the caller
 * checks once at the end.
 */
typedef struct {
    char *data;
    size_t len, cap;
    size_t max; /**< the most it may hold */
    bool failed;
} ef_buf_t;

/** An empty buffer that may grow to `max` bytes. Release with ef_buf_close. */
void ef_buf_init(ef_buf_t *b, size_t max);
/** Free the memory (data becomes NULL). */
void ef_buf_close(ef_buf_t *b);
void ef_buf_append(ef_buf_t *b, const char *p, size_t n);
void ef_buf_str(ef_buf_t *b, ef_str_t s);
void ef_buf_cstr(ef_buf_t *b, const char *s);
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void ef_buf_printf(ef_buf_t *b, const char *fmt, ...);

/**
 * A response to `req` (RFC 3261 §8.2.6.2): status line, every Via field in
 * order, From, To (with `to_tag` added when To has no tag and to_tag is not
 * NULL), Call-ID and CSeq copied byte-exact, then `extra` (complete header
 * lines with CRLF, or NULL), and Content-Length: 0. 100 Trying never gets a
 * To tag (RFC 3261 §8.2.6.1 is about 100 not creating one).
 *
 * @param reason  the Reason-Phrase, or NULL for the standard one
 * @return 0, EF_EINVAL (req is a response or lacks Via/From/To/Call-ID/CSeq),
 *         EF_ENOMEM (out->failed)
 */
int ef_sip_build_response(const ef_sip_msg_t *req, int status, const char *reason,
                          const char *to_tag, const char *extra, ef_buf_t *out);

/** The standard Reason-Phrase of a status code (RFC 3261 §21), "" when unknown. */
const char *ef_sip_reason_phrase(int status);

/** Edits to a parsed message, applied by ef_sip_edit_write. Zero-initialise. */
#define EF_SIP_EDITS_MAX 16

typedef struct {
    ef_str_t new_uri; /**< ptr != NULL: the Request-URI becomes this */
    size_t n;
    struct ef_sip_edit {
        enum { EF_EDIT_INSERT, EF_EDIT_REPLACE_VALUE, EF_EDIT_REMOVE } op;
        size_t index;     /**< header index: insert before it (n_headers = at the end),
                               replace its value, or remove it */
        const char *name; /**< INSERT: the header name */
        ef_str_t value;   /**< INSERT / REPLACE_VALUE: the new value, without CRLF */
    } e[EF_SIP_EDITS_MAX];
} ef_sip_edits_t;

/** Add an edit. @return 0 or EF_E2BIG (more than EF_SIP_EDITS_MAX) */
int ef_sip_edit_insert(ef_sip_edits_t *ed, size_t index, const char *name, ef_str_t value);
int ef_sip_edit_replace(ef_sip_edits_t *ed, size_t index, ef_str_t value);
int ef_sip_edit_remove(ef_sip_edits_t *ed, size_t index);

/**
 * Proxy edits (RFC 3261 §16.6): push a Via above the first one, add a
 * Record-Route above the first one (or after the Vias when there is none),
 * and decrement Max-Forwards (inserting "Max-Forwards: 70" when absent,
 * step 3). `mf_buf` (4 bytes) holds the new Max-Forwards text.
 * @return 0, EF_EINVAL (Max-Forwards is 0 or not a number: the caller answers 483),
 *         EF_E2BIG
 */
int ef_sip_edit_proxy(ef_sip_edits_t *ed, const ef_sip_msg_t *msg, ef_str_t via,
                      ef_str_t record_route, char mf_buf[4]);

/**
 * Remove the topmost Via value (a proxy forwarding a response, RFC 3261
 * §16.7 step 3): the whole first Via field when it holds one value, else the
 * first of its comma-separated values.
 * @return 0, EF_EINVAL (no Via), EF_E2BIG
 */
int ef_sip_edit_pop_via(ef_sip_edits_t *ed, const ef_sip_msg_t *msg);

/**
 * Write `msg` with the edits applied: bytes outside edited places are copied
 * as they are (unknown headers, folding, compact names), the body too.
 * @return 0 or EF_ENOMEM (out->failed)
 */
int ef_sip_edit_write(const ef_sip_msg_t *msg, const char *buf, const ef_sip_edits_t *ed,
                      ef_buf_t *out);

#ifdef __cplusplus
}
#endif

#endif
