/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_locate.c -- RFC 3861 (im:, pres:) and RFC 3263 (sip:, sips:) server
 * location on the offline zone tests/data/unit/example.zone.
 */
#include <stdlib.h>

#include "enumfed/locate.h"
#include "tap.h"

static ef_locate_answer_t *loc(ef_resolver_t *res, const char *uri)
{
    ef_locate_opts_t opts = {.seed = 7};
    ef_locate_answer_t *ans = NULL;

    if (ef_locate_sync(res, uri, strlen(uri), &opts, &ans, NULL) != 0)
        return NULL;
    return ans;
}

static void check_target(const ef_locate_answer_t *a, size_t i, const char *transport,
                         const char *host, unsigned port, const char *addr)
{
    if (a == NULL || i >= a->n_targets) {
        CHECK(a != NULL && i < a->n_targets);
        return;
    }
    CHECK_STR(ef_transport_name(a->targets[i].transport), transport);
    CHECK_STR(a->targets[i].host, host);
    CHECK_INT(a->targets[i].port, port);
    CHECK_STR(a->targets[i].address, addr);
}

static void test_im_pres(ef_resolver_t *res)
{
    ef_locate_answer_t *a = loc(res, "im:alice@example.com");

    /* transports in our preference order, then RFC 2782 priority within each */
    CHECK_INT(a->status, 0);
    CHECK_INT(a->n_targets, 5);
    check_target(a, 0, "tls", "edge.example.com.", 5061, "192.0.2.10");
    check_target(a, 1, "tls", "edge.example.com.", 5061, "2001:db8::10");
    check_target(a, 2, "tcp", "edge.example.com.", 5060, "192.0.2.10");
    check_target(a, 4, "tcp", "backup.example.com.", 5060, "192.0.2.20");
    CHECK_INT(a->targets[4].priority, 20);
    ef_locate_answer_free(a);
    a = loc(res, "pres:alice@example.com"); /* RFC 3861 §3: _pres._sip.DOMAIN */
    CHECK_INT(a->n_targets, 2);
    check_target(a, 0, "tcp", "edge.example.com.", 5070, "192.0.2.10");
    ef_locate_answer_free(a);
    a = loc(res, "im:bob@plain.example.com"); /* RFC 3861 §4: no SRV, implicit one */
    CHECK_INT(a->n_targets, 1);
    check_target(a, 0, "tcp", "plain.example.com.", 5060, "192.0.2.30");
    ef_locate_answer_free(a);
}

static void test_sip(ef_resolver_t *res)
{
    ef_locate_answer_t *a = loc(res, "sip:alice@example.com");

    /* RFC 3263 §4.1: NAPTR order picks TCP (order 10) before UDP (order 20) */
    CHECK_INT(a->n_targets, 4);
    check_target(a, 0, "tcp", "edge.example.com.", 5080, "192.0.2.10");
    check_target(a, 2, "udp", "edge.example.com.", 5090, "192.0.2.10");
    ef_locate_answer_free(a);
    a = loc(res, "sip:alice@example.com;transport=udp"); /* §4.1: transport known: SRV only */
    check_target(a, 0, "udp", "edge.example.com.", 5090, "192.0.2.10");
    ef_locate_answer_free(a);
    a = loc(res, "sip:alice@edge.example.com:5099"); /* §4.2: explicit port: A/AAAA only */
    CHECK_INT(a->n_targets, 2);
    check_target(a, 0, "udp", "edge.example.com.", 5099, "192.0.2.10");
    ef_locate_answer_free(a);
    a = loc(res, "sips:alice@[2001:db8::1]:5071");
    check_target(a, 0, "tls", "2001:db8::1", 5071, "2001:db8::1");
    ef_locate_answer_free(a);
    a = loc(res, "sip:192.0.2.99");
    check_target(a, 0, "udp", "192.0.2.99", 5060, "192.0.2.99");
    ef_locate_answer_free(a);
    a = loc(res, "sip:alice@plain.example.com"); /* no NAPTR, no SRV: UDP 5060 */
    check_target(a, 0, "udp", "plain.example.com.", 5060, "192.0.2.30");
    ef_locate_answer_free(a);
}

static void test_errors(ef_resolver_t *res)
{
    ef_locate_answer_t *a = loc(res, "sip:alice@elsewhere.example.net");
    ef_perr_t perr = {0, NULL};

    CHECK(a != NULL && a->status != 0 && a->n_targets == 0);
    ef_locate_answer_free(a);
    a = loc(res, "im:bob@missing.example.com");
    CHECK_INT(a->status, EF_ENXDOMAIN);
    ef_locate_answer_free(a);
    CHECK(!ef_locate_supported("mailto:a@b", 10));
    CHECK_INT(ef_locate_sync(res, "mailto:a@b", 10, NULL, &a, NULL), EF_EINVAL);
    CHECK_INT(ef_locate_sync(res, "im:nodomain", 11, NULL, &a, &perr), EF_ESYNTAX);
    CHECK(perr.reason != NULL);
    CHECK_INT(ef_locate_sync(res, "sip:a@host:99999", 16, NULL, &a, NULL), EF_ESYNTAX);
    CHECK_INT(ef_locate_sync(res, "sip:a@host;transport=sctp", 25, NULL, &a, NULL), EF_ESYNTAX);
}

int main(void)
{
    const char *dir = getenv("EF_TEST_DATA");
    char zone[512];
    const char *zones[] = {zone};
    ef_resolver_config_t cfg = {.zones = zones, .n_zones = 1};
    ef_resolver_t *res = NULL;

    snprintf(zone, sizeof(zone), "%s/unit/example.zone", dir != NULL ? dir : "tests/data");
    CHECK_INT(ef_resolver_new(NULL, &cfg, &res, NULL, 0), 0);
    if (res == NULL)
        TAP_DONE();
    test_im_pres(res);
    test_sip(res);
    test_errors(res);
    ef_resolver_free(res);
    TAP_DONE();
}
