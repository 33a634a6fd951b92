/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c -- enumfedd: the federation edge of an IM and presence community.
 *
 *   enumfedd [-c FILE] [-l LEVEL]   run (in the foreground; a service manager
 *                                   supervises it)
 *   enumfedd -t [-c FILE]           check the config and the certificates, exit
 *
 * The main thread owns the signals: SIGTERM/SIGINT drain and stop the
 * workers, SIGHUP reloads the allowlist, peers, limits and certificates
 * without touching live connections, SIGUSR1 logs the counters.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "log.h"
#include "proxy.h"
#include "worker.h"

#define DEFAULT_CONFIG "/etc/enumfedd/enumfedd.conf"
#define RETIRED_MAX 64 /* configs replaced by SIGHUP, kept until exit */

struct app {
    efd_daemon_t d;
    struct event_base *base;
    efd_config_t *retired[RETIRED_MAX];
    size_t n_retired;
};

static int load_tls(const efd_config_t *cfg, efd_tls_t **out, char *err, size_t errcap)
{
    efd_tls_config_t tc = {cfg->tls_certificate, cfg->tls_key, cfg->tls_ca, cfg->tls_ciphers,
                           cfg->tls_verify_depth};
    *out = NULL;
    if (cfg->tls_certificate[0] == '\0')
        return 0;
    return efd_tls_new(&tc, out, err, errcap);
}

static void log_stats(struct app *a)
{
    efd_stats_t s = {0};
    for (unsigned i = 0; i < a->d.n_workers; i++)
        if (a->d.workers[i] != NULL)
            efd_worker_stats(a->d.workers[i], &s);
    EFD_NOTICE("counters: requests in %llu out %llu, responses in %llu out %llu, local "
               "2xx %llu 4xx %llu 5xx %llu, parse errors %llu, connections refused %llu, "
               "tls failures %llu, enum queries %llu, rate-limited peer %llu sender %llu "
               "recipient %llu, connections dropped for rate %llu, contact checks %llu, "
               "contacts learned %llu invalid %llu, peers' early NOTIFYs absorbed %llu, "
               "SUBSCRIBEs refused from memory %llu, fetches refused %llu, "
               "authentication failures %llu",
               (unsigned long long)s.rx_requests, (unsigned long long)s.tx_requests,
               (unsigned long long)s.rx_responses, (unsigned long long)s.tx_responses,
               (unsigned long long)s.local_responses[2], (unsigned long long)s.local_responses[4],
               (unsigned long long)s.local_responses[5], (unsigned long long)s.parse_errors,
               (unsigned long long)s.conns_refused, (unsigned long long)s.tls_failures,
               (unsigned long long)s.enum_queries, (unsigned long long)s.limited[1],
               (unsigned long long)s.limited[2], (unsigned long long)s.limited[3],
               (unsigned long long)s.limit_closes, (unsigned long long)s.contact_checks,
               (unsigned long long)s.contacts_learned, (unsigned long long)s.contacts_invalid,
               (unsigned long long)s.early_notifies, (unsigned long long)s.repeat_refusals,
               (unsigned long long)s.fetches_refused, (unsigned long long)s.auth_failures);
}

/* SIGHUP: what may change without a restart changes; listeners and workers stay. */
static void reload(struct app *a)
{
    char err[512];
    efd_config_t *cfg;
    efd_tls_t *tls;

    if (efd_config_load(a->d.cfg->path, &cfg, err, sizeof err) != 0) {
        EFD_ERR("reload refused, the running config stays: %s", err);
        return;
    }
    if (load_tls(cfg, &tls, err, sizeof err) != 0 || a->n_retired == RETIRED_MAX) {
        EFD_ERR("reload refused, the running config stays: %s",
                a->n_retired == RETIRED_MAX ? "too many reloads" : err);
        efd_config_free(cfg);
        return;
    }
    char what[128];
    if (efd_config_reload_check(a->d.cfg, cfg, what, sizeof what) != 0) {
        EFD_ERR("reload refused, the running config stays: %s changes only with a restart", what);
        efd_tls_unref(tls);
        efd_config_free(cfg);
        return;
    }
    efd_log_level(cfg->log_level);
    for (unsigned i = 0; i < a->d.n_workers; i++)
        efd_worker_reload(a->d.workers[i], cfg, tls);
    a->retired[a->n_retired++] = a->d.cfg;
    efd_tls_unref(a->d.tls);
    a->d.cfg = cfg;
    a->d.tls = tls;
    EFD_NOTICE("reloaded %s: %zu peers", cfg->path, cfg->n_peers);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct app *a = arg;
    (void)what;
    if (sig == SIGHUP) {
        reload(a);
    } else if (sig == SIGUSR1) {
        log_stats(a);
    } else {
        EFD_NOTICE("signal %d: draining", (int)sig);
        atomic_store(&a->d.draining, true);
        for (unsigned i = 0; i < a->d.n_workers; i++)
            efd_worker_stop(a->d.workers[i]);
        event_base_loopexit(a->base, NULL);
    }
}

static int start(struct app *a, char *err, size_t errcap)
{
    a->d.n_workers = a->d.cfg->workers ? a->d.cfg->workers : 1;
    a->d.workers = calloc(a->d.n_workers, sizeof *a->d.workers);
    if (a->d.workers == NULL)
        return EF_ENOMEM;
    for (unsigned i = 0; i < a->d.n_workers; i++) {
        int rc = efd_worker_new(&a->d, i, &a->d.workers[i], err, errcap);
        if (rc != 0)
            return rc;
    }
    for (unsigned i = 0; i < a->d.n_workers; i++)
        if (efd_worker_start(a->d.workers[i]) != 0)
            return EF_ENOMEM;
    return 0;
}

static void stop(struct app *a)
{
    for (unsigned i = 0; i < a->d.n_workers; i++)
        if (a->d.workers[i] != NULL && a->d.workers[i]->thread != 0)
            efd_worker_join(a->d.workers[i]);
    log_stats(a);
    for (unsigned i = 0; i < a->d.n_workers; i++)
        efd_worker_free(a->d.workers[i]);
    free(a->d.workers);
    efd_tls_unref(a->d.tls);
    efd_policy_free(&a->d);
    efd_config_free(a->d.cfg);
    for (size_t i = 0; i < a->n_retired; i++)
        efd_config_free(a->retired[i]);
}

static int usage(FILE *f, int rc)
{
    fprintf(f, "usage: enumfedd [-t] [-c FILE] [-l err|warn|notice|info|debug]\n"
               "  -c FILE   configuration (default " DEFAULT_CONFIG ")\n"
               "  -t        check the configuration and the certificates, then exit\n"
               "  -l LEVEL  log level, overriding log.level\n");
    return rc;
}

static int parse_level(const char *s, efd_level_t *out)
{
    static const char *const names[] = {"err", "warn", "notice", "info", "debug"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (efd_level_t)i;
            return 0;
        }
    return -1;
}

static int run(struct app *a)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    struct event *ev[4];
    char err[512] = "";

    signal(SIGPIPE, SIG_IGN);
    a->base = event_base_new();
    for (int i = 0; i < 4; i++) {
        ev[i] = evsignal_new(a->base, sigs[i], signal_cb, a);
        evsignal_add(ev[i], NULL);
    }
    int rc = start(a, err, sizeof err);
    if (rc != 0) {
        EFD_ERR("cannot start: %s", err[0] ? err : ef_strerror(rc));
        atomic_store(&a->d.draining, true);
        for (unsigned i = 0; i < a->d.n_workers; i++)
            if (a->d.workers[i] != NULL && a->d.workers[i]->thread != 0)
                efd_worker_stop(a->d.workers[i]);
    } else {
        EFD_NOTICE("enumfedd %s: %s, %u worker%s, %zu peers", a->d.cfg->domains[0], a->d.cfg->path,
                   a->d.n_workers, a->d.n_workers == 1 ? "" : "s", a->d.cfg->n_peers);
        event_base_dispatch(a->base);
    }
    stop(a);
    for (int i = 0; i < 4; i++)
        event_free(ev[i]);
    event_base_free(a->base);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *path = DEFAULT_CONFIG;
    bool check = false, level_set = false;
    efd_level_t level = EFD_LOG_NOTICE;
    struct app a = {0};
    char err[1024];
    int c;

    while ((c = getopt(argc, argv, "c:tl:h")) != -1) {
        if (c == 'c')
            path = optarg;
        else if (c == 't')
            check = true;
        else if (c == 'l' && parse_level(optarg, &level) == 0)
            level_set = true;
        else
            return usage(c == 'h' ? stdout : stderr, c == 'h' ? 0 : 2);
    }
    if (optind != argc)
        return usage(stderr, 2);
    if (efd_config_load(path, &a.d.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "enumfedd: %s\n", err);
        return 1;
    }
    if (load_tls(a.d.cfg, &a.d.tls, err, sizeof err) != 0) {
        fprintf(stderr, "enumfedd: %s\n", err);
        efd_config_free(a.d.cfg);
        return 1;
    }
    if (check) {
        printf("enumfedd: %s: ok (%zu listeners, %zu peers)\n", path, a.d.cfg->n_listen,
               a.d.cfg->n_peers);
        efd_tls_unref(a.d.tls);
        efd_config_free(a.d.cfg);
        return 0;
    }
    efd_log_open(level_set ? level : a.d.cfg->log_level, a.d.cfg->log_syslog);
    evthread_use_pthreads();
    if (RAND_bytes(a.d.nonce_key, sizeof a.d.nonce_key) != 1) { /* digest nonces (registrar.c) */
        EFD_ERR("no random bytes for the nonce key");
        efd_tls_unref(a.d.tls);
        efd_config_free(a.d.cfg);
        return 1;
    }
    pthread_mutex_init(&a.d.lock, NULL);
    int rc = run(&a);
    pthread_mutex_destroy(&a.d.lock);
    return rc;
}
