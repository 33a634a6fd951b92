/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * presence.h -- the presence agent of the community role (presence.c):
 * PUBLISH and SUBSCRIBE for presentities of our own domains.
 */
#ifndef ENUMFEDD_PRESENCE_H
#define ENUMFEDD_PRESENCE_H

#include "proxy.h"

/** Make this worker's presence state when community.store is set. @return 0; EF_ENOMEM */
int efd_presence_open(efd_worker_t *w);

/** Free it, subscriptions and publications included; NULL-safe. */
void efd_presence_close(efd_worker_t *w);

/** A PUBLISH for aor ("user@domain", ours): answered here (RFC 3903 §6). */
void efd_presence_publish(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor);

/** A SUBSCRIBE for aor: answered here, then NOTIFYs (RFC 6665, RFC 3856). */
void efd_presence_subscribe(efd_txn_t *t, const ef_sip_msg_t *msg, const char *aor);

/** Tell the watchers of users removed or disabled in the store, and forget them. */
void efd_presence_check_users(efd_worker_t *w);

#endif
