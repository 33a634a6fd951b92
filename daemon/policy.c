/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c -- the originating side's restraint after a refusal (seed §6.2:
 * after a 4xx from a foreign community, a client SHOULD refrain from sending
 * again automatically to the same target): for hold_after_4xx seconds a new
 * request to that target is answered here, with the status the peer gave and
 * a Retry-After, instead of being sent across the link again.
 *
 * Entries live in a small hash table per worker, are dropped lazily when found
 * expired, and are capped in number (a full table holds nothing more back).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proxy.h"

#define HOLD_BUCKETS 256
#define HOLD_MAX 4096

struct hold {
    struct hold *next;
    time_t until;
    int status;
    char target[];
};

/* The table hangs off w->holds: an array of HOLD_BUCKETS chains, made on first use. */
static struct hold **table(efd_worker_t *w)
{
    if (w->holds == NULL)
        w->holds = calloc(HOLD_BUCKETS, sizeof(struct hold *));
    return (struct hold **)w->holds;
}

static size_t bucket(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    return h % HOLD_BUCKETS;
}

static time_t now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

int efd_hold_check(efd_worker_t *w, const char *target, unsigned *remaining)
{
    struct hold **t = table(w);
    if (t == NULL || target[0] == '\0')
        return 0;
    time_t n = now();
    for (struct hold **p = &t[bucket(target)]; *p != NULL;) {
        struct hold *h = *p;
        if (h->until <= n) {
            *p = h->next;
            free(h);
            w->n_holds--;
            continue;
        }
        if (strcasecmp(h->target, target) == 0) {
            *remaining = (unsigned)(h->until - n);
            return h->status;
        }
        p = &h->next;
    }
    return 0;
}

void efd_hold_add(efd_worker_t *w, const char *target, int status, unsigned seconds)
{
    struct hold **t = table(w);
    unsigned left;
    if (t == NULL || seconds == 0 || w->n_holds >= HOLD_MAX ||
        efd_hold_check(w, target, &left) != 0)
        return;
    size_t len = strlen(target);
    struct hold *h = malloc(sizeof *h + len + 1);
    if (h == NULL)
        return;
    memcpy(h->target, target, len + 1);
    h->until = now() + (time_t)seconds;
    h->status = status;
    h->next = t[bucket(target)];
    t[bucket(target)] = h;
    w->n_holds++;
}

void efd_hold_free(efd_worker_t *w)
{
    struct hold **t = (struct hold **)w->holds;
    if (t == NULL)
        return;
    for (size_t i = 0; i < HOLD_BUCKETS; i++)
        while (t[i] != NULL) {
            struct hold *h = t[i];
            t[i] = h->next;
            free(h);
        }
    free(t);
    w->holds = NULL;
    w->n_holds = 0;
}
