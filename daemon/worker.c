/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * worker.c -- one worker thread: its event base, its resolver, its sockets,
 * and the mailbox through which the main thread (reload, stop) and the other
 * workers (a response for a transaction of this worker) reach it. The mailbox
 * is a locked list and an event made active from the sender's thread
 * (libevent with pthreads enabled), so a worker never blocks on another.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/thread.h>

#include "contacts.h"
#include "log.h"
#include "proxy.h"
#include "presence.h"
#include "registrar.h"
#include "worker.h"

enum mail_kind { MAIL_MESSAGE, MAIL_RELOAD, MAIL_STOP };

struct mail {
    struct mail *next;
    enum mail_kind kind;
    efd_addr_t from;
    const efd_config_t *cfg;
    efd_tls_t *tls;
    size_t len;
    char buf[];
};

static void post(efd_worker_t *w, struct mail *m)
{
    m->next = NULL;
    pthread_mutex_lock(&w->mb_lock);
    if (w->mb_tail != NULL)
        w->mb_tail->next = m;
    else
        w->mb_head = m;
    w->mb_tail = m;
    pthread_mutex_unlock(&w->mb_lock);
    event_active(w->mb_ev, EV_READ, 0);
}

void efd_worker_forward(efd_worker_t *to, const efd_addr_t *from, const char *buf, size_t len)
{
    struct mail *m = malloc(sizeof *m + len);
    if (m == NULL)
        return;
    m->kind = MAIL_MESSAGE;
    m->from = *from;
    m->from.conn_id = 0; /* only UDP responses cross workers */
    m->len = len;
    memcpy(m->buf, buf, len);
    post(to, m);
}

void efd_worker_reload(efd_worker_t *w, const efd_config_t *cfg, efd_tls_t *tls)
{
    struct mail *m = calloc(1, sizeof *m);
    if (m == NULL)
        return;
    m->kind = MAIL_RELOAD;
    m->cfg = cfg;
    m->tls = efd_tls_ref(tls);
    post(w, m);
}

void efd_worker_stop(efd_worker_t *w)
{
    struct mail *m = calloc(1, sizeof *m);
    if (m == NULL)
        return;
    m->kind = MAIL_STOP;
    post(w, m);
}

/* ---- draining (SIGTERM): no new work, wait for open transactions ---------- */

static void drain_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_worker_t *w = arg;
    (void)fd;
    (void)what;
    w->drain_ticks++;
    unsigned limit = (w->cfg->timer_b_ms + 1000) / 100;
    if (efd_proxy_pending(w) > 0 && w->drain_ticks < limit)
        return;
    event_del(w->drain_ev);
    event_base_loopexit(w->base, NULL);
}

static void start_drain(efd_worker_t *w)
{
    struct timeval tick = {0, 100 * 1000};
    efd_listen_close(w);
    w->drain_ev = event_new(w->base, -1, EV_PERSIST, drain_cb, w);
    event_add(w->drain_ev, &tick);
}

static void mailbox_cb(evutil_socket_t fd, short what, void *arg)
{
    efd_worker_t *w = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&w->mb_lock);
    struct mail *m = w->mb_head;
    w->mb_head = w->mb_tail = NULL;
    pthread_mutex_unlock(&w->mb_lock);
    while (m != NULL) {
        struct mail *next = m->next;
        if (m->kind == MAIL_MESSAGE) {
            efd_proxy_input(w, &m->from, m->buf, m->len);
        } else if (m->kind == MAIL_RELOAD) {
            efd_tls_unref(w->tls);
            w->tls = m->tls;
            w->cfg = m->cfg;
            efd_presence_check_users(w); /* users removed with enumfedctl */
            efd_contacts_reload(w);
        } else if (w->drain_ev == NULL) {
            start_drain(w);
        }
        free(m);
        m = next;
    }
}

/* ---- life cycle ------------------------------------------------------------ */

static int resolver(efd_worker_t *w, char *err, size_t errcap)
{
    const efd_config_t *cfg = w->cfg;
    const char *suffixes[EFD_LIST_MAX], *zones[EFD_LIST_MAX], *anchors[EFD_LIST_MAX];
    ef_resolver_config_t rc = {
        .suffixes = suffixes, .zones = zones, .trust_anchors = anchors, .dnssec = cfg->dnssec};

    for (size_t i = 0; i < cfg->n_enum_suffixes; i++)
        suffixes[rc.n_suffixes++] = cfg->enum_suffixes[i];
    for (size_t i = 0; i < cfg->n_enum_zones; i++)
        zones[rc.n_zones++] = cfg->enum_zones[i];
    for (size_t i = 0; i < cfg->n_trust_anchors; i++)
        anchors[rc.n_trust_anchors++] = cfg->trust_anchors[i];
    rc.server = cfg->enum_server[0] ? cfg->enum_server : NULL;
    return ef_resolver_new(w->base, &rc, &w->res, err, errcap);
}

int efd_worker_new(efd_daemon_t *d, unsigned id, efd_worker_t **out, char *err, size_t errcap)
{
    efd_worker_t *w = calloc(1, sizeof *w);
    if (w == NULL)
        return EF_ENOMEM;
    w->id = id;
    w->d = d;
    w->cfg = d->cfg;
    w->tls = efd_tls_ref(d->tls);
    w->udp_out[0] = w->udp_out[1] = -1;
    pthread_mutex_init(&w->mb_lock, NULL);
    *out = w;
    if ((w->base = event_base_new()) == NULL)
        return EF_ENOMEM;
    w->mb_ev = event_new(w->base, -1, EV_READ, mailbox_cb, w);
    int rc = resolver(w, err, errcap);
    if (rc == 0)
        rc = efd_registrar_open(w, err, errcap);
    if (rc == 0)
        rc = efd_contacts_open(w);
    if (rc == 0)
        rc = efd_listen_open(w, err, errcap);
    if (rc == 0) /* after the sockets: the subscriptions read back send from them */
        rc = efd_presence_open(w);
    return rc;
}

static void *run(void *arg)
{
    efd_worker_t *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

int efd_worker_start(efd_worker_t *w)
{
    return pthread_create(&w->thread, NULL, run, w) == 0 ? 0 : EF_ENOMEM;
}

void efd_worker_join(efd_worker_t *w)
{
    pthread_join(w->thread, NULL);
}

void efd_worker_free(efd_worker_t *w)
{
    if (w == NULL)
        return;
    if (w->base != NULL) {
        efd_listen_close(w);
        efd_conns_close_all(w);
        efd_proxy_close(w);
        efd_udp_close(w);
        ef_resolver_free(w->res);
        efd_contacts_close(w);
        efd_presence_close(w);
        efd_registrar_close(w);
        if (w->mb_ev != NULL)
            event_free(w->mb_ev);
        if (w->drain_ev != NULL)
            event_free(w->drain_ev);
        event_base_free(w->base);
    }
    for (struct mail *m = w->mb_head, *next; m != NULL; m = next) {
        next = m->next;
        if (m->kind == MAIL_RELOAD)
            efd_tls_unref(m->tls);
        free(m);
    }
    efd_tls_unref(w->tls);
    pthread_mutex_destroy(&w->mb_lock);
    free(w);
}

void efd_worker_stats(const efd_worker_t *w, efd_stats_t *sum)
{
    const uint64_t *a = (const uint64_t *)&w->stats;
    uint64_t *s = (uint64_t *)sum;
    for (size_t i = 0; i < sizeof *sum / sizeof(uint64_t); i++)
        s[i] += a[i];
}
