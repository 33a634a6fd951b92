/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_resolve.c -- the ENUM client end to end on offline zone files
 * (the files in tests/data/unit/) loaded into libunbound: every DDDS rule of RFC 6116
 * §5.2, RFC 3402 §3.3 and RFC 3403 §4.1, enum: re-submission, the error kinds,
 * several suffixes, the async API on a caller's event base, and the cache.
 */
#include <event2/event.h>
#include <stdlib.h>

#include "enumfed/resolve.h"
#include "tap.h"

static char zone_e164[512], zone_alt[512], zone_example[512];

static ef_resolver_t *make(const char *const *suffixes, size_t n_suffixes, ef_dnssec_mode_t mode,
                           bool private_network)
{
    const char *zones[] = {zone_e164, zone_alt, zone_example};
    ef_resolver_config_t cfg = {.suffixes = suffixes,
                                .n_suffixes = n_suffixes,
                                .zones = zones,
                                .n_zones = 3,
                                .dnssec = mode,
                                .private_network = private_network};
    char err[256] = "";
    ef_resolver_t *res = NULL;
    int rc = ef_resolver_new(NULL, &cfg, &res, err, sizeof(err));

    if (rc != 0)
        printf("# resolver: %s (%s)\n", ef_strerror(rc), err);
    return res;
}

/* Query and return the answer; `want` is a comma-less service filter like "sms" or NULL. */
static ef_enum_answer_t *query(ef_resolver_t *res, const char *number, const char *want, bool all)
{
    ef_enumsvc_t svc;
    ef_enum_opts_t opts = {.all = all};
    ef_enum_answer_t *ans = NULL;

    if (want != NULL) {
        ef_enumsvc_parse(want, strlen(want), &svc, NULL);
        opts.services = &svc;
        opts.n_services = 1;
    }
    if (ef_enum_query_sync(res, number, strlen(number), &opts, &ans, NULL) != 0)
        return NULL;
    return ans;
}

static void test_rfc6116_example(ef_resolver_t *res)
{
    ef_enum_answer_t *a = query(res, "+44 1632 960083", NULL, false);

    CHECK(a != NULL);
    CHECK_INT(a->status, 0);
    CHECK_STR(a->number.aus, "+441632960083");
    CHECK_INT(a->n_results, 3);
    CHECK_INT(a->results[0].preference, 50);
    CHECK_STR(a->results[0].uri, "sip:+441632960083@example.com");
    CHECK_STR(a->results[0].services[0], "sip");
    CHECK_STR(a->results[0].domain, "3.8.0.0.6.9.2.3.6.1.4.4.e164.arpa.");
    CHECK_STR(a->results[1].uri, "h323:operator@example.com");
    CHECK_STR(a->results[2].uri, "mailto:info@example.com");
    CHECK_STR(a->results[2].services[0], "email:mailto");
    CHECK_INT(a->results[2].dnssec, EF_SEC_INSECURE);
    CHECK_INT(a->dnssec, EF_SEC_INSECURE);
    ef_enum_answer_free(a);
}

static void test_order_rule(ef_resolver_t *res)
{
    ef_enum_answer_t *a = query(res, "tel:+44-1632-960001;foo=bar", NULL, false);

    /* RFC 3403 §4.1: ORDER 10 matched, ORDER 20 and 30 not considered */
    CHECK_INT(a->n_results, 2);
    CHECK_STR(a->results[0].uri, "sip:first@example.com");
    CHECK_STR(a->results[1].uri, "im:first@example.com");
    ef_enum_answer_free(a);
    a = query(res, "+441632960001", NULL, true); /* --all: RFC 6116 §5.2 MAY present all */
    CHECK_INT(a->n_results, 4);
    CHECK_STR(a->results[2].uri, "sip:second@example.com");
    CHECK_INT(a->results[3].order, 30);
    ef_enum_answer_free(a);
    /* RFC 6116 §5.2: a worse ORDER is considered when nothing better matched */
    a = query(res, "+441632960001", "pres", false);
    CHECK_INT(a->n_results, 1);
    CHECK_STR(a->results[0].uri, "pres:third@example.com");
    ef_enum_answer_free(a);
}

static void test_services(ef_resolver_t *res, ef_resolver_t *priv)
{
    ef_enum_answer_t *a = query(res, "+441632960002", NULL, false);

    CHECK_INT(a->n_results, 3); /* SIP+D2U, P-corp and flag "x" are not results */
    CHECK_INT(a->results[0].n_services, 2);
    CHECK_STR(a->results[0].services[0], "voice:tel");
    CHECK_STR(a->results[0].services[1], "sms:tel");
    CHECK_STR(a->results[0].uri, "tel:+441632960002");
    CHECK_STR(a->results[1].uri, "sip:upper@example.com");   /* "U" and "e2u+SIP" */
    CHECK_STR(a->results[2].uri, "im:obsolete@example.com"); /* RFC 2916 "im+E2U" */
    CHECK_INT(a->bad_records, 0);
    ef_enum_answer_free(a);
    a = query(res, "+441632960002", "SMS", false);
    CHECK_INT(a->n_results, 1);
    CHECK_INT(a->results[0].n_services, 1);
    CHECK_STR(a->results[0].services[0], "sms:tel");
    ef_enum_answer_free(a);
    a = query(res, "+441632960002", "voice:fax", false);
    CHECK_INT(a->status, EF_ENOMATCH);
    ef_enum_answer_free(a);
    a = query(priv, "+441632960002", "p-corp", false);
    CHECK_INT(a->n_results, 1);
    CHECK_STR(a->results[0].uri, "sip:private@corp.example");
    ef_enum_answer_free(a);
}

static void test_regexp_forms(ef_resolver_t *res)
{
    ef_enum_answer_t *a = query(res, "+441632960003", NULL, false);

    CHECK_INT(a->status, 0);
    CHECK_INT(a->n_results, 3);
    CHECK_STR(a->results[0].uri, "sip:960003.1632.44@slash.example");
    CHECK_STR(a->results[1].uri, "im:a#b@hash.example");
    CHECK_STR(a->results[2].uri, "pres:1632960003@icase.example");
    CHECK_INT(a->bad_records, 3); /* regexp+replacement, \0, flag "q" */
    ef_enum_answer_free(a);
    a = query(res, "+441632960004", NULL, false);
    CHECK_INT(a->status, EF_EBADRECORD);
    CHECK_INT(a->bad_records, 2);
    CHECK_INT(a->n_results, 0);
    ef_enum_answer_free(a);
}

static void test_nonterminal(ef_resolver_t *res)
{
    ef_enum_answer_t *a = query(res, "+441632960005", NULL, false);

    CHECK_INT(a->status, 0);
    CHECK_INT(a->n_results, 1);
    CHECK_STR(a->results[0].uri, "sip:+441632960005@chain.example"); /* AUS, not the key */
    CHECK_STR(a->results[0].domain, "7.0.0.0.6.9.2.3.6.1.4.4.e164.arpa.");
    CHECK_INT(a->results[0].depth, 2);
    CHECK_INT(a->queries, 4); /* 5, missing (nxdomain, skipped), 6, 7 */
    ef_enum_answer_free(a);
    a = query(res, "+441632960008", NULL, false);
    CHECK_INT(a->status, EF_ELOOP);
    ef_enum_answer_free(a);
}

static void test_enum_uri(ef_resolver_t *res)
{
    ef_enum_answer_t *a = query(res, "enum:+432221234567890;x=y", "esx", false);

    /* draft-brandner §3.2.2 */
    CHECK_INT(a->status, 0);
    CHECK_INT(a->n_results, 1);
    CHECK_STR(a->results[0].uri, "sip:+4311234567890@vienna.example");
    CHECK_STR(a->results[0].domain, "0.9.8.7.6.5.4.3.2.1.1.3.4.e164.arpa.");
    CHECK_INT(a->results[0].depth, 1);
    ef_enum_answer_free(a);
    a = query(res, "+441632960010", NULL, false);
    CHECK_INT(a->status, EF_ELOOP);
    ef_enum_answer_free(a);
    a = query(res, "+441632960012", NULL, false); /* tel: returned, not re-submitted */
    CHECK_INT(a->n_results, 1);
    CHECK_STR(a->results[0].uri, "tel:+441632960083");
    CHECK_INT(a->queries, 1);
    ef_enum_answer_free(a);
}

static void test_error_kinds(ef_resolver_t *res)
{
    ef_enum_answer_t *a = query(res, "+441632960013", NULL, false);
    ef_enum_answer_t *b = query(res, "+99912345", NULL, false);
    ef_enum_answer_t *c = query(res, "+441632960083", "im", false);
    ef_enum_answer_t *d = NULL;
    ef_perr_t perr = {0, NULL};

    CHECK_INT(a->status, EF_ENONAPTR);
    CHECK_INT(b->status, EF_ENXDOMAIN);
    CHECK_INT(c->status, EF_ENOMATCH);
    CHECK_STR(ef_err_name(c->status), "no-match");
    CHECK_INT(ef_enum_query_sync(res, "441632960083", 12, NULL, &d, &perr), EF_ESYNTAX);
    CHECK(d == NULL);
    CHECK(perr.reason != NULL);
    ef_enum_answer_free(a);
    ef_enum_answer_free(b);
    ef_enum_answer_free(c);
}

static void test_suffixes(void)
{
    const char *alt_first[] = {"e164.example", "e164.arpa"};
    const char *arpa_first[] = {"e164.arpa.", "e164.example."};
    ef_resolver_t *r1 = make(alt_first, 2, EF_DNSSEC_VALIDATE, false);
    ef_resolver_t *r2 = make(arpa_first, 2, EF_DNSSEC_VALIDATE, false);
    ef_enum_answer_t *a = query(r1, "+441632960083", NULL, false);
    ef_enum_answer_t *b = query(r2, "+441632960099", NULL, false);
    ef_enum_answer_t *c = query(r2, "+441632960098", NULL, false);

    CHECK_STR(a->suffix, "e164.example.");
    CHECK_STR(a->results[0].uri, "sip:alt@example.com");
    CHECK_STR(b->suffix, "e164.example."); /* e164.arpa. answered nxdomain */
    CHECK_STR(b->results[0].uri, "sip:altonly@example.com");
    CHECK_INT(c->status, EF_ENXDOMAIN);
    CHECK_STR(c->suffix, "e164.arpa.");
    ef_enum_answer_free(a);
    ef_enum_answer_free(b);
    ef_enum_answer_free(c);
    ef_resolver_free(r1);
    ef_resolver_free(r2);
}

static void test_require_dnssec(void)
{
    ef_resolver_t *res = make(NULL, 0, EF_DNSSEC_REQUIRE, false);
    ef_enum_answer_t *a = query(res, "+441632960083", NULL, false);

    CHECK_INT(a->status, EF_EINSECURE); /* unsigned zone, no anchor */
    CHECK_INT(a->n_results, 0);
    ef_enum_answer_free(a);
    ef_resolver_free(res);
}

struct async_state {
    int calls;
    ef_enum_answer_t *ans;
};

static void async_cb(void *arg, ef_enum_answer_t *ans)
{
    struct async_state *st = arg;

    st->calls++;
    ef_enum_answer_free(st->ans);
    st->ans = ans;
}

static void test_async(void)
{
    const char *zones[] = {zone_e164};
    ef_resolver_config_t cfg = {.zones = zones, .n_zones = 1};
    struct event_base *base = event_base_new();
    ef_resolver_t *res = NULL;
    struct async_state st = {0, NULL}, cancelled = {0, NULL};
    ef_enum_query_t *q = NULL;

    CHECK_INT(ef_resolver_new(base, &cfg, &res, NULL, 0), 0);
    CHECK_INT(ef_enum_query(res, "+441632960083", 13, NULL, async_cb, &st, NULL, NULL), 0);
    CHECK_INT(ef_enum_query(res, "+441632960005", 13, NULL, async_cb, &cancelled, &q, NULL), 0);
    ef_enum_cancel(q);
    CHECK_INT(st.calls, 0);
    /* The resolver keeps a persistent event on libunbound's fd: loop until answered. */
    while (st.calls < 1 && event_base_loop(base, EVLOOP_ONCE) == 0)
        ;
    CHECK_INT(st.calls, 1);
    CHECK_INT(cancelled.calls, 0);
    CHECK_INT(st.ans->n_results, 3);
    /* Now cached: still never called from inside ef_enum_query. */
    CHECK_INT(ef_enum_query(res, "+441632960083", 13, NULL, async_cb, &st, NULL, NULL), 0);
    CHECK_INT(st.calls, 1);
    CHECK_INT(event_base_loop(base, EVLOOP_NONBLOCK), 0);
    CHECK_INT(st.calls, 2);
    CHECK_INT(st.ans->n_results, 3);
    /* Sync calls need a resolver that owns its base. */
    CHECK_INT(ef_enum_query_sync(res, "+441632960083", 13, NULL, &st.ans, NULL), EF_EINVAL);
    /* A query still pending when the resolver goes is cancelled, not called. */
    CHECK_INT(ef_enum_query(res, "+441632960002", 13, NULL, async_cb, &cancelled, NULL, NULL), 0);
    ef_resolver_free(res);
    CHECK_INT(cancelled.calls, 0);
    ef_enum_answer_free(st.ans);
    event_base_free(base);
}

static void trace_count(void *arg, unsigned depth, const char *line)
{
    (void)depth;
    if (strstr(line, "non-terminal") != NULL)
        (*(int *)arg)++;
}

static void test_trace_and_config(ef_resolver_t *res)
{
    int hits = 0;
    ef_enum_opts_t opts = {.trace = trace_count, .trace_arg = &hits};
    ef_enum_answer_t *a = NULL;
    const char *bad_suffix[] = {"a..b"};
    const char *no_zone[] = {"/nonexistent/zone"};
    ef_resolver_config_t cfg = {.suffixes = bad_suffix, .n_suffixes = 1};
    ef_resolver_t *r = NULL;
    char err[256] = "";

    CHECK_INT(ef_enum_query_sync(res, "+441632960005", 13, &opts, &a, NULL), 0);
    CHECK_INT(hits, 3); /* 5 -> missing, 5 -> 6, 6 -> 7 */
    ef_enum_answer_free(a);
    CHECK_INT(ef_resolver_new(NULL, &cfg, &r, err, sizeof(err)), EF_ECONFIG);
    CHECK(strstr(err, "a..b") != NULL);
    cfg.n_suffixes = 0;
    cfg.zones = no_zone;
    cfg.n_zones = 1;
    CHECK_INT(ef_resolver_new(NULL, &cfg, &r, err, sizeof(err)), EF_ECONFIG);
    CHECK(strstr(err, "/nonexistent/zone") != NULL);
    cfg.n_zones = 0;
    cfg.server = "not a server:99999";
    CHECK_INT(ef_resolver_new(NULL, &cfg, &r, err, sizeof(err)), EF_ECONFIG);
}

int main(void)
{
    const char *dir = getenv("EF_TEST_DATA");
    ef_resolver_t *res, *priv;

    dir = dir != NULL ? dir : "tests/data";
    snprintf(zone_e164, sizeof(zone_e164), "%s/unit/e164.zone", dir);
    snprintf(zone_alt, sizeof(zone_alt), "%s/unit/alt.zone", dir);
    snprintf(zone_example, sizeof(zone_example), "%s/unit/example.zone", dir);
    res = make(NULL, 0, EF_DNSSEC_VALIDATE, false);
    priv = make(NULL, 0, EF_DNSSEC_OFF, true);
    CHECK(res != NULL && priv != NULL);
    if (res == NULL || priv == NULL)
        TAP_DONE();
    test_rfc6116_example(res);
    test_order_rule(res);
    test_services(res, priv);
    test_regexp_forms(res);
    test_nonterminal(res);
    test_enum_uri(res);
    test_error_kinds(res);
    test_suffixes();
    test_require_dnssec();
    test_async();
    test_trace_and_config(res);
    ef_resolver_free(res);
    ef_resolver_free(priv);
    TAP_DONE();
}
