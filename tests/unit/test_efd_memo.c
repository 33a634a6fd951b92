/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_efd_memo.c -- the table in which enumfedd remembers what it answered
 * peers lately (policy.c): keys without case, a value replaced in place, an
 * entry forgotten when asked or when its time is over, and never kept when it
 * is over already; many entries at once, all freed with the daemon.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proxy.h"
#include "tap.h"

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void)
{
    efd_daemon_t d;
    efd_memo_t m = {0}, got;
    char key[64];

    memset(&d, 0, sizeof d);
    pthread_mutex_init(&d.lock, NULL);

    CHECK(!efd_memo_get(&d, "r:bob@b.example|zoe@a.example", &got)); /* no table yet */
    double now = efd_memo_now();
    m = (efd_memo_t){.status = 404, .at = now, .until = now + 60};
    efd_memo_put(&d, "r:bob@b.example|zoe@a.example", &m);
    CHECK(efd_memo_get(&d, "R:BOB@B.EXAMPLE|zoe@a.example", &got));
    CHECK_INT(got.status, 404);
    m.status = 403;
    efd_memo_put(&d, "r:bob@b.example|zoe@a.example", &m);
    CHECK(efd_memo_get(&d, "r:bob@b.example|zoe@a.example", &got));
    CHECK_INT(got.status, 403);
    efd_memo_del(&d, "r:bob@b.example|zoe@a.example");
    CHECK(!efd_memo_get(&d, "r:bob@b.example|zoe@a.example", &got));

    /* an entry whose time is over is not kept; one that runs out is forgotten */
    m = (efd_memo_t){.hash = 7, .at = now, .until = now - 1};
    efd_memo_put(&d, "n:call|tag", &m);
    CHECK(!efd_memo_get(&d, "n:call|tag", &got));
    m.until = efd_memo_now() + 0.05;
    efd_memo_put(&d, "n:call|tag", &m);
    CHECK(efd_memo_get(&d, "n:call|tag", &got));
    CHECK(got.hash == 7);
    nap_ms(80);
    CHECK(!efd_memo_get(&d, "n:call|tag", &got));

    /* many entries side by side, each found with its own value */
    int wrong = 0;
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "f:b.example|u%d@a.example", i);
        m = (efd_memo_t){.status = i, .at = now, .until = efd_memo_now() + 60};
        efd_memo_put(&d, key, &m);
    }
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "f:b.example|u%d@a.example", i);
        wrong += !efd_memo_get(&d, key, &got) || got.status != i;
    }
    CHECK_INT(wrong, 0);

    efd_policy_free(&d); /* the sanitizer's leak check sees the rest */
    CHECK(d.memo == NULL);
    pthread_mutex_destroy(&d.lock);
    TAP_DONE();
}
