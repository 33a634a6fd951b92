/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_enum.c -- how fast the ENUM client answers from its cache and how fast
 * it applies DDDS rules, beside libunbound's own cached lookup (ub_resolve of
 * the same NAPTR RRset, no DDDS) measured in the same run. Prints figures and
 * ratios; it is not a test and never fails on speed.
 *
 * usage: bench_enum ZONEFILE [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unbound.h>
#include <unistd.h>

#include "enumfed/ddds.h"
#include "enumfed/resolve.h"

#define BATCH 1000
#define MAX_ROUNDS 100000 /* bounded in count as well as in time */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run fn in batches until `seconds` pass; returns operations per second. */
static double rate(double seconds, int (*fn)(void *, unsigned), void *arg)
{
    double start = now_s(), elapsed = 0;
    unsigned long ops = 0;
    unsigned round;

    for (round = 0; round < MAX_ROUNDS && elapsed < seconds; round++) {
        unsigned i;
        for (i = 0; i < BATCH; i++)
            if (fn(arg, i) != 0)
                return -1;
        ops += BATCH;
        elapsed = now_s() - start;
    }
    return (double)ops / elapsed;
}

static const char *const numbers[] = {"+441632960083", "+441632960001", "+441632960002",
                                      "+441632960003", "+441632960005", "+432221234567890"};
#define N_NUMBERS (sizeof(numbers) / sizeof(numbers[0]))

static int enum_lookup(void *arg, unsigned i)
{
    ef_enum_answer_t *ans = NULL;
    const char *n = numbers[i % N_NUMBERS];

    if (ef_enum_query_sync(arg, n, strlen(n), NULL, &ans, NULL) != 0 || ans->n_results == 0)
        return -1;
    ef_enum_answer_free(ans);
    return 0;
}

static const char *const rules[] = {
    "!^(\\+441632960083)$!sip:\\1@example.com!",
    "!^.*$!mailto:info@example.com!",
    "!^\\+43222(.*)$!enum:+431\\1!",
    "/^\\+(44)(1632)(.*)$/sip:\\3.\\2.\\1@slash.example/",
};
#define N_RULES (sizeof(rules) / sizeof(rules[0]))

static int ddds_apply(void *arg, unsigned i)
{
    static const char *const inputs[] = {"+441632960083", "+441632960083", "+432221234567890",
                                         "+441632960003"};
    char out[256];
    const char *r = rules[i % N_RULES], *in = inputs[i % N_RULES];

    return ef_ddds_apply(arg, r, strlen(r), in, strlen(in), out, sizeof(out), NULL) > 0 ? 0 : -1;
}

/* A different number every call: the rule cache's memo of the last input never hits. */
static int ddds_apply_distinct(void *arg, unsigned i)
{
    static unsigned serial;
    char in[32], out[256];
    const char *r = rules[i % N_RULES];
    int n = snprintf(in, sizeof(in), "+4416329%05u", serial++ % 100000u);

    int rc = ef_ddds_apply(arg, r, strlen(r), in, (size_t)n, out, sizeof(out), NULL);

    return rc >= 0 || rc == EF_ENOMATCH ? 0 : -1; /* not matching is an application too */
}

static const char *const domains[] = {
    "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.", "1.0.0.0.6.9.2.3.6.1.4.4.e164.arpa.",
    "2.0.0.0.6.9.2.3.6.1.4.4.e164.arpa.", "3.0.0.0.6.9.2.3.6.1.4.4.e164.arpa.",
    "5.0.0.0.6.9.2.3.6.1.4.4.e164.arpa.", "0.9.8.7.6.5.4.3.2.1.2.2.2.3.4.e164.arpa."};

static int ub_lookup(void *arg, unsigned i)
{
    struct ub_result *res = NULL;

    if (ub_resolve(arg, domains[i % N_NUMBERS], 35, 1, &res) != 0 || !res->havedata) {
        ub_resolve_free(res);
        return -1;
    }
    ub_resolve_free(res);
    return 0;
}

static struct ub_ctx *ub_peer(const char *zone)
{
    struct ub_ctx *ub = ub_ctx_create();
    char cfg[] = "/tmp/enumfed-bench-XXXXXX";
    int fd = mkstemp(cfg);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    char *abs = realpath(zone, NULL);

    if (ub == NULL || f == NULL || abs == NULL)
        return NULL;
    fprintf(f,
            "server:\n  module-config: \"iterator\"\nauth-zone:\n  name: \"e164.arpa.\"\n"
            "  zonefile: \"%s\"\n  for-upstream: yes\n  fallback-enabled: no\n",
            abs);
    fclose(f);
    free(abs);
    if (ub_ctx_config(ub, cfg) != 0) {
        unlink(cfg);
        ub_ctx_delete(ub);
        return NULL;
    }
    unlink(cfg);
    return ub;
}

int main(int argc, char **argv)
{
    double seconds = argc > 2 ? atof(argv[2]) : 3.0, ours, ddds, ddds_distinct, ddds_cold, peer;
    const char *zone = argc > 1 ? argv[1] : "tests/data/unit/e164.zone";
    const char *zones[] = {zone};
    ef_resolver_config_t cfg = {.zones = zones, .n_zones = 1, .dnssec = EF_DNSSEC_OFF};
    ef_resolver_t *res = NULL;
    ef_ddds_cache_t *cache = ef_ddds_cache_new(64);
    struct ub_ctx *ub = ub_peer(zone);
    char err[256] = "";
    unsigned i;

    if (seconds <= 0 || seconds > 60)
        seconds = 3.0;
    if (ef_resolver_new(NULL, &cfg, &res, err, sizeof(err)) != 0 || cache == NULL || ub == NULL) {
        fprintf(stderr, "bench_enum: setup failed: %s\n", err);
        return 1;
    }
    for (i = 0; i < N_NUMBERS; i++) /* warm both caches */
        if (enum_lookup(res, i) != 0 || ub_lookup(ub, i) != 0) {
            fprintf(stderr, "bench_enum: %s does not resolve in %s\n", numbers[i], zone);
            return 1;
        }
    printf("cores online: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    ours = rate(seconds, enum_lookup, res);
    peer = rate(seconds, ub_lookup, ub);
    ddds = rate(seconds, ddds_apply, cache);
    ddds_distinct = rate(seconds, ddds_apply_distinct, cache);
    ddds_cold = rate(seconds, ddds_apply, NULL);
    printf("enumfed cached ENUM lookups (full DDDS, 1 thread): %12.0f /s\n", ours);
    printf("libunbound cached NAPTR ub_resolve (no DDDS):     %12.0f /s\n", peer);
    printf("ratio enumfed / libunbound:                        %12.2f\n", ours / peer);
    printf("DDDS rule applications, same numbers (memo hits):  %12.0f /s\n", ddds);
    printf("DDDS rule applications, new number each (regexec): %12.0f /s\n", ddds_distinct);
    printf("DDDS rule applications, compiled every time:       %12.0f /s\n", ddds_cold);
    printf("ratio compiled-rule cache / compile every time:    %12.2f\n",
           ddds_distinct / ddds_cold);
    ef_resolver_free(res);
    ef_ddds_cache_free(cache);
    ub_ctx_delete(ub);
    return 0;
}
