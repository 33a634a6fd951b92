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
    return efd_hash(s, strlen(s), true) % HOLD_BUCKETS;
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

/* ---- rate limits (seed §10.1) ------------------------------------------------
 *
 * Token buckets shared by every worker (a peer's connections may sit on
 * different workers, and a limit is a limit of the edge), behind the daemon's
 * lock: the work under it is a hash lookup and a few additions. A bucket that
 * has refilled completely says nothing a new one would not, so such buckets
 * are swept when the table grows.
 */

#define RATE_BUCKETS 4096
#define RATE_SWEEP_AT 8192
#define RATE_MAX 65536

struct bucket {
    struct bucket *next;
    double tokens, last;
    char key[]; /* "s:alice@b.example", "r:bob@a.example", "p:b.example" */
};

struct rates {
    struct bucket *b[RATE_BUCKETS];
    size_t n;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t key_hash(const char *s)
{
    return efd_hash(s, strlen(s), true) % RATE_BUCKETS;
}

static void refill(struct bucket *b, const efd_rate_t *r, double t)
{
    b->tokens += (t - b->last) * r->rate;
    if (b->tokens > r->burst)
        b->tokens = r->burst;
    b->last = t;
}

static void sweep(struct rates *rt, double t, double max_burst_time)
{
    for (size_t i = 0; i < RATE_BUCKETS; i++)
        for (struct bucket **p = &rt->b[i]; *p != NULL;) {
            if (t - (*p)->last > max_burst_time) { /* long enough to be full again */
                struct bucket *dead = *p;
                *p = dead->next;
                free(dead);
                rt->n--;
            } else {
                p = &(*p)->next;
            }
        }
}

/* The bucket of key, refilled to now; NULL when the table is full. */
static struct bucket *bucket_of(struct rates *rt, const char *key, const efd_rate_t *r, double t)
{
    size_t h = key_hash(key);
    for (struct bucket *b = rt->b[h]; b != NULL; b = b->next)
        if (strcasecmp(b->key, key) == 0) {
            refill(b, r, t);
            return b;
        }
    if (rt->n >= RATE_MAX)
        return NULL;
    size_t len = strlen(key);
    struct bucket *b = malloc(sizeof *b + len + 1);
    if (b == NULL)
        return NULL;
    memcpy(b->key, key, len + 1);
    b->tokens = r->burst;
    b->last = t;
    b->next = rt->b[h];
    rt->b[h] = b;
    rt->n++;
    return b;
}

static unsigned wait_for(const struct bucket *b, const efd_rate_t *r)
{
    double s = (1.0 - b->tokens) / r->rate;
    return s < 1.0 ? 1u : (unsigned)(s + 0.999);
}

efd_limit_t efd_policy_admit(efd_daemon_t *d, const efd_config_t *cfg, const char *peer,
                             const char *sender, const char *recipient, bool trusted,
                             unsigned *retry_after)
{
    const efd_rate_t *rs = trusted ? &cfg->rate_trusted_sender : &cfg->rate_sender;
    const efd_rate_t *rate[3] = {&cfg->rate_peer, rs, &cfg->rate_recipient};
    const char *tag[3] = {"p:", "s:", "r:"}, *name[3] = {peer, sender, recipient};
    struct bucket *b[3] = {NULL, NULL, NULL};
    char key[3][EF_URI_MAX + 4];
    efd_limit_t verdict = EFD_LIMIT_NONE;
    double t = now_s();

    pthread_mutex_lock(&d->lock);
    struct rates *rt = d->rates != NULL ? d->rates : (d->rates = calloc(1, sizeof *rt));
    if (rt != NULL && rt->n >= RATE_SWEEP_AT)
        sweep(rt, t, 600.0);
    for (int i = 0; rt != NULL && i < 3 && verdict == EFD_LIMIT_NONE; i++) {
        if (rate[i]->rate <= 0.0 || name[i] == NULL || name[i][0] == '\0')
            continue;
        snprintf(key[i], sizeof key[i], "%s%s", tag[i], name[i]);
        b[i] = bucket_of(rt, key[i], rate[i], t);
        if (b[i] != NULL && b[i]->tokens < 1.0) {
            verdict = (efd_limit_t)(i + 1);
            if (i == 0) { /* a community that goes on sends itself into debt, then out */
                b[i]->tokens -= 1.0;
                if (b[i]->tokens <= -rate[i]->burst) {
                    verdict = EFD_LIMIT_CLOSE;
                    b[i]->tokens = 0.0;
                }
            }
            *retry_after = wait_for(b[i], rate[i]);
        }
    }
    for (int i = 0; i < 3 && verdict == EFD_LIMIT_NONE; i++)
        if (b[i] != NULL)
            b[i]->tokens -= 1.0;
    pthread_mutex_unlock(&d->lock);
    return verdict;
}

static void memo_free(efd_daemon_t *d);

void efd_policy_free(efd_daemon_t *d)
{
    struct rates *rt = d->rates;
    memo_free(d);
    if (rt == NULL)
        return;
    for (size_t i = 0; i < RATE_BUCKETS; i++)
        while (rt->b[i] != NULL) {
            struct bucket *b = rt->b[i];
            rt->b[i] = b->next;
            free(b);
        }
    free(rt);
    d->rates = NULL;
}

/* ---- what peers were answered lately (seed §5.1, §5.3) ---------------------------
 *
 * A small table shared by the workers, behind the daemon's lock like the
 * token buckets: a 4xx given to a (watcher, presentity) SUBSCRIBE, the last
 * fetch of a presentity by a peer, the last NOTIFY relayed in a dialog. Each
 * entry dies at its own expiry; expired entries are swept when the table
 * grows, and a full table remembers nothing more (it polices less, it never
 * refuses more).
 */

#define MEMO_BUCKETS 4096
#define MEMO_SWEEP_AT 16384
#define MEMO_MAX 65536

struct memo_entry {
    struct memo_entry *next;
    efd_memo_t v;
    char key[];
};

struct memo {
    struct memo_entry *b[MEMO_BUCKETS];
    size_t n;
};

double efd_memo_now(void)
{
    return now_s();
}

static size_t memo_hash(const char *key)
{
    return efd_hash(key, strlen(key), true) % MEMO_BUCKETS;
}

/* The live entry of key, expired ones on its chain dropped on the way; NULL when none. */
static struct memo_entry *memo_find(struct memo *m, const char *key, double t)
{
    for (struct memo_entry **p = &m->b[memo_hash(key)]; *p != NULL;) {
        struct memo_entry *e = *p;
        if (e->v.until <= t) {
            *p = e->next;
            free(e);
            m->n--;
            continue;
        }
        if (strcasecmp(e->key, key) == 0)
            return e;
        p = &e->next;
    }
    return NULL;
}

static void memo_sweep(struct memo *m, double t)
{
    for (size_t i = 0; i < MEMO_BUCKETS; i++)
        for (struct memo_entry **p = &m->b[i]; *p != NULL;) {
            if ((*p)->v.until <= t) {
                struct memo_entry *dead = *p;
                *p = dead->next;
                free(dead);
                m->n--;
            } else {
                p = &(*p)->next;
            }
        }
}

bool efd_memo_get(efd_daemon_t *d, const char *key, efd_memo_t *out)
{
    bool found = false;
    pthread_mutex_lock(&d->lock);
    struct memo *m = d->memo;
    struct memo_entry *e = m != NULL ? memo_find(m, key, now_s()) : NULL;
    if (e != NULL) {
        *out = e->v;
        found = true;
    }
    pthread_mutex_unlock(&d->lock);
    return found;
}

void efd_memo_put(efd_daemon_t *d, const char *key, const efd_memo_t *v)
{
    double t = now_s();
    pthread_mutex_lock(&d->lock);
    struct memo *m = d->memo != NULL ? d->memo : (d->memo = calloc(1, sizeof *m));
    struct memo_entry *e = m != NULL ? memo_find(m, key, t) : NULL;
    if (e != NULL) {
        e->v = *v;
    } else if (m != NULL && v->until > t) {
        if (m->n >= MEMO_SWEEP_AT)
            memo_sweep(m, t);
        size_t len = strlen(key);
        if (m->n < MEMO_MAX && (e = malloc(sizeof *e + len + 1)) != NULL) {
            memcpy(e->key, key, len + 1);
            e->v = *v;
            e->next = m->b[memo_hash(key)];
            m->b[memo_hash(key)] = e;
            m->n++;
        }
    }
    pthread_mutex_unlock(&d->lock);
}

void efd_memo_del(efd_daemon_t *d, const char *key)
{
    pthread_mutex_lock(&d->lock);
    struct memo *m = d->memo;
    struct memo_entry *e = m != NULL ? memo_find(m, key, now_s()) : NULL;
    if (e != NULL)
        e->v.until = 0; /* dropped by the next walk of its chain */
    pthread_mutex_unlock(&d->lock);
}

static void memo_free(efd_daemon_t *d)
{
    struct memo *m = d->memo;
    if (m == NULL)
        return;
    for (size_t i = 0; i < MEMO_BUCKETS; i++)
        while (m->b[i] != NULL) {
            struct memo_entry *e = m->b[i];
            m->b[i] = e->next;
            free(e);
        }
    free(m);
    d->memo = NULL;
}
