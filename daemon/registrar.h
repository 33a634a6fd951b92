/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * registrar.h -- enumfedd as the registrar and message store of its own
 * community (community.store): REGISTER with digest authentication, requests
 * for local users routed to their contacts, MESSAGEs for users without a
 * contact kept and delivered when they register.
 */
#ifndef ENUMFEDD_REGISTRAR_H
#define ENUMFEDD_REGISTRAR_H

#include "proxy.h"

/** Open this worker's connection to the store, when community.store is set. */
int efd_registrar_open(efd_worker_t *w, char *err, size_t errcap);

/** Close it; NULL-safe. */
void efd_registrar_close(efd_worker_t *w);

/** A REGISTER (RFC 3261 §10.3): answered here, whatever happens. */
void efd_registrar_register(efd_txn_t *t, const ef_sip_msg_t *msg);

/**
 * A request for user@domain of ours when the edge is the registrar: relayed
 * to the user's contact, kept (MESSAGE, 202), or answered (404, 480).
 */
void efd_registrar_route(efd_txn_t *t, ef_str_t user, ef_str_t domain);

#endif
