/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * worker.h -- starting, reloading, stopping and reading the counters of the
 * worker threads (worker.c). Everything here is called from the main thread.
 */
#ifndef ENUMFEDD_WORKER_H
#define ENUMFEDD_WORKER_H

#include "edge.h"

/**
 * Make worker id: its event base, resolver and listening sockets (SO_REUSEPORT).
 * *out is set even on failure, for efd_worker_free.
 * @return 0; EF_ECONFIG (a socket could not be bound, err says which); EF_ENOMEM
 */
int efd_worker_new(efd_daemon_t *d, unsigned id, efd_worker_t **out, char *err, size_t errcap);

/** Run the worker's loop on a thread of its own. */
int efd_worker_start(efd_worker_t *w);

/** Hand the worker a new config and TLS contexts (SIGHUP); it takes a TLS reference. */
void efd_worker_reload(efd_worker_t *w, const efd_config_t *cfg, efd_tls_t *tls);

/** Ask the worker to drain and stop (SIGTERM). */
void efd_worker_stop(efd_worker_t *w);

/** Wait for its thread to end. */
void efd_worker_join(efd_worker_t *w);

/** Free everything it holds; NULL is fine. */
void efd_worker_free(efd_worker_t *w);

/** Add its counters to sum (read after join, or racy but harmless for a report). */
void efd_worker_stats(const efd_worker_t *w, efd_stats_t *sum);

#endif
