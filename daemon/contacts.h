/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * contacts.h -- the inter-domain presence rules of enumfedd (contacts.c):
 * the external contacts of our users' lists checked by a fetch SUBSCRIBE at
 * least every federation.contact_check (draft-levin-simple-interdomain-reqs
 * §10.2), never again automatically after a 4xx (§5.1), not more often than
 * federation.resubscribe_min per URI (§5.3.1); and the same limits policed on
 * what peers send us: early unchanged NOTIFYs (§5.3.2), SUBSCRIBEs repeated
 * after our 4xx, fetches of one presentity too often.
 */
#ifndef ENUMFEDD_CONTACTS_H
#define ENUMFEDD_CONTACTS_H

#include "proxy.h"

/** Start the periodic checks on worker 0 when community.store is set. @return 0; EF_ENOMEM */
int efd_contacts_open(efd_worker_t *w);

/** The settings changed (SIGHUP): waits they decided are decided again. */
void efd_contacts_reload(efd_worker_t *w);

/** Stop them; NULL-safe, and a no-op on a worker without them. */
void efd_contacts_close(efd_worker_t *w);

/**
 * A request from a peer, admitted (route.c): the NOTIFY of one of our fetch
 * dialogs, an early unchanged NOTIFY, a SUBSCRIBE repeated after our 4xx or a
 * fetch too soon is answered here.
 * @return true when t was answered (nothing more to do)
 */
bool efd_contacts_peer_request(efd_txn_t *t, const ef_sip_msg_t *msg);

/** A request of our own side inside a dialog (route.c): a SUBSCRIBE refresh
 *  lets the NOTIFY it brings through. */
void efd_contacts_internal_request(efd_txn_t *t, const ef_sip_msg_t *msg);

/** An initial SUBSCRIBE of one of our users to a peer (route.c): its final
 *  response will judge the contact (t->learn). */
void efd_contacts_note(efd_txn_t *t);

/** The final response to a t->learn SUBSCRIBE (proxy.c): 2xx adds or
 *  confirms the contact, 4xx marks it invalid. */
void efd_contacts_outcome(efd_txn_t *t, int status);

/** A 4xx sent back to a peer's SUBSCRIBE with t->refusal_key (proxy.c): remembered. */
void efd_contacts_refused(efd_txn_t *t, int status);

#endif
