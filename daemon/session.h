/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h -- IM modes and capabilities at the edge (seed §6.1-§6.3.2, §9.1):
 * session-mode IM (MESSAGE inside an INVITE dialog whose SDP offers
 * "m=message ... sip"), OPTIONS answered on a user's behalf, INFO outside a
 * dialog, and the notice that the community logs IM (community.recording).
 */
#ifndef ENUMFEDD_SESSION_H
#define ENUMFEDD_SESSION_H

#include "enumfed/sip_hdr.h"
#include "proxy.h"
#include "store.h"

/* Methods a contact takes (RFC 3840 §9 "methods" feature tag), one bit each. */
#define EFD_METHOD_INVITE 0x001u
#define EFD_METHOD_ACK 0x002u
#define EFD_METHOD_CANCEL 0x004u
#define EFD_METHOD_BYE 0x008u
#define EFD_METHOD_OPTIONS 0x010u
#define EFD_METHOD_MESSAGE 0x020u
#define EFD_METHOD_INFO 0x040u
#define EFD_METHOD_SUBSCRIBE 0x080u
#define EFD_METHOD_NOTIFY 0x100u
#define EFD_METHOD_OTHER 0x200u /**< any method not listed above */
#define EFD_METHOD_ALL 0x3ffu   /**< no methods parameter: nothing is excluded */

/**
 * The methods of a Contact's "methods" parameter value, quoted or not
 * ("\"INVITE,BYE,MESSAGE\"", RFC 3840 §9: a tag-value-list of method
 * tokens, compared with case).
 * @return 0 with *mask set; EF_ESYNTAX (empty, unbalanced quotes, a value
 *         that is not a token)
 */
int efd_session_methods(ef_str_t value, unsigned *mask);

/**
 * Remember what a registered contact takes (process-wide, every worker sees
 * it): params are the Contact header parameters of the REGISTER, NULL when
 * the binding goes. A contact without a methods parameter takes everything.
 * Kept in memory at most until `expires`; after a restart a contact counts
 * as taking everything until it registers again.
 */
void efd_session_note_contact(const char *aor, const char *contact, const ef_sip_params_t *params,
                              int64_t expires);

/** The methods a registered contact takes at `now` (EFD_METHOD_ALL when unknown). */
unsigned efd_session_contact_methods(const char *aor, const char *contact, int64_t now);

/** The bit of a method name (EFD_METHOD_OTHER for one not listed). */
unsigned efd_session_method_bit(const char *method);

/**
 * The binding a request with this method goes to: the highest q (RFC 3261
 * §16.6) among the contacts that do not exclude the method with their
 * methods parameter (RFC 3840 §9); the highest q of all when every one does.
 * The first of equals wins. n must be at least 1.
 */
size_t efd_session_pick(const char *aor, const efd_store_binding_t *b, size_t n,
                        const char *method);

/** Forget every remembered contact (shutdown, tests). */
void efd_session_reset(void);

/**
 * A request for aor, a known user of ours (the edge is the registrar),
 * looked at before it is relayed: an OPTIONS outside a dialog is answered
 * for the user, an INFO outside a dialog gets 481, an INVITE offering
 * session-mode IM that cannot be had gets 488 (or 400 without a usable SDP
 * offer).
 * @return true when the request was answered here
 */
bool efd_session_request(efd_txn_t *t, const char *aor);

/**
 * 200 to an OPTIONS for one of our users, on the user's behalf (seed §6.1,
 * §6.2, §6.3.2): Allow, Accept, and with session-mode IM an SDP capability
 * description (RFC 3264 §9) whose m=message line names the user's sip: URI
 * (the relayed target, else the Request-URI).
 * @param methods what the user's contacts take (EFD_METHOD_ALL when unknown)
 */
void efd_session_options(efd_txn_t *t, unsigned methods);

/**
 * The recording notice (seed §9.1) of a request about to be relayed: an
 * INVITE whose SDP offers m=message gets "a=record:on" (RFC 7866 §6.1) in
 * that section when community.recording covers sessions; t->req is replaced.
 */
void efd_session_offer(efd_txn_t *t);

/**
 * The recording notice of a response about to be relayed back (out holds
 * it, with our Via gone): the SDP of a 2xx to INVITE gets a=record:on, a
 * 2xx to a MESSAGE outside a dialog gets the Warning of efd_session_notice.
 */
void efd_session_response(efd_txn_t *t, int status, ef_buf_t *out);

/**
 * The Warning header line ("Warning: 399 host \"...\"\r\n") that a 2xx to a
 * MESSAGE outside a dialog carries when community.recording covers messages,
 * written into out (NUL-terminated).
 * @return the bytes written, 0 when no notice is due (or cap is too small)
 */
size_t efd_session_notice(const efd_txn_t *t, int status, char *out, size_t cap);

#endif
