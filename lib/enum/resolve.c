/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolve.c -- the ENUM DDDS client (RFC 6116 §3 and §5.2, RFC 3402 §3.3,
 * RFC 3403 §4): one chain per suffix, all started at once; each chain walks a
 * stack of frames, one per domain it is reading NAPTRs from. A non-terminal
 * rule pushes the domain in its replacement; an enum: result pushes the ENUM
 * domain of the number it names (draft-brandner §3.2). A frame that needs an
 * RRset the cache does not hold suspends the chain until libunbound answers, so
 * a fully cached query runs straight through without touching the event loop.
 */
#include <ctype.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enum/dns.h"
#include "enumfed/ddds.h"
#include "enumfed/naptr.h"
#include "util/arena.h"

#define RULE_CACHE_SIZE 1024
#define DEPTH_LIMIT 16 /* the most max_depth may be configured to */

struct ef_resolver {
    struct event_base *base;
    bool own_base;
    ef__dns_t *dns;
    ef_ddds_cache_t *rules;
    char *suffixes[EF_RESOLVE_MAX_SUFFIXES];
    size_t n_suffixes;
    ef_dnssec_mode_t dnssec;
    bool private_network;
    unsigned max_depth, max_queries;
    struct ef_enum_query *queries; /* pending, for ef_resolver_free */
};

/* One domain whose NAPTR RRset is being worked through (RFC 3402 §3.3 steps 2-5). */
struct frame {
    const char *domain; /* its entry in the chain's visited set */
    ef_e164_t aus; /* the string rules apply to: never a key of an earlier rule (RFC 3403 §4.1) */
    ef_sec_t sec;  /* weakest DNSSEC status on the way here */
    ef__rrset_t *rr; /* NULL until loaded */
    ef_naptr_t *recs;
    size_t n, i;
    bool matched; /* a record of matched_order produced a result */
    uint16_t matched_order;
    uint16_t child_order; /* ORDER of the record whose referral is the frame above */
    size_t child_results; /* result count when that referral was pushed */
};

struct chain {
    struct ef_enum_query *q;
    const char *suffix;
    struct frame *frames; /* max_depth + 1, from the query's arena */
    unsigned depth;       /* frames in use */
    ef__dns_req_t *req;
    bool done;
    int status;          /* a DNS error of the first domain, or 0 */
    ef_sec_t err_sec;    /* DNSSEC status of the first domain's answer, for errors */
    const char *err_why; /* what libunbound said of that error, or NULL */
    int sub_err;         /* the worst DNS error met behind a referral */
    bool loop;
    unsigned queries, bad_records;
    char **visited; /* domains and numbers entered, lowercase */
    size_t n_visited;
    ef_enum_result_t *results;
    size_t n_results;
};

struct ef_enum_query {
    ef_resolver_t *res;
    struct ef_arena *arena;
    ef_e164_t number;
    ef_enum_opts_t opts;
    ef_enum_cb cb;
    void *arg;
    size_t n_chains;
    bool starting, complete, delivered;
    ef_enum_answer_t *answer;
    struct event *deferred;
    struct ef_enum_query *prev, *next;
    struct chain chains[]; /* one per suffix */
};

static void chain_run(struct chain *c);

const char *ef_sec_name(ef_sec_t sec)
{
    return sec == EF_SEC_SECURE ? "secure" : sec == EF_SEC_BOGUS ? "bogus" : "insecure";
}

static ef_sec_t sec_min(ef_sec_t a, ef_sec_t b)
{
    if (a == EF_SEC_BOGUS || b == EF_SEC_BOGUS)
        return EF_SEC_BOGUS;
    return a == EF_SEC_SECURE && b == EF_SEC_SECURE ? EF_SEC_SECURE : EF_SEC_INSECURE;
}

/* --- trace ------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
trace(struct chain *c, const char *fmt, ...)
{
    const ef_enum_opts_t *o = &c->q->opts;
    char line[1400];
    int off = 0;
    va_list ap;

    if (o->trace == NULL)
        return;
    if (c->q->n_chains > 1)
        off = snprintf(line, sizeof(line), "[%s] ", c->suffix);
    va_start(ap, fmt);
    vsnprintf(line + off, sizeof(line) - (size_t)off, fmt, ap);
    va_end(ap);
    o->trace(o->trace_arg, c->depth > 0 ? c->depth - 1 : 0, line);
}

/* --- the visited set ------------------------------------------------------- */

static bool visited(struct chain *c, const char *key)
{
    size_t i;

    for (i = 0; i < c->n_visited; i++)
        if (strcasecmp(c->visited[i], key) == 0)
            return true;
    return false;
}

static int visit(struct chain *c, const char *key)
{
    char **grown;

    if (c->n_visited % 8 == 0) {
        grown = ef__arena_alloc(c->q->arena, (c->n_visited + 8) * sizeof(*grown));
        if (grown == NULL)
            return EF_ENOMEM;
        if (c->n_visited > 0)
            memcpy(grown, c->visited, c->n_visited * sizeof(*grown));
        c->visited = grown;
    }
    c->visited[c->n_visited] = ef__arena_strndup(c->q->arena, key, strlen(key));
    if (c->visited[c->n_visited] == NULL)
        return EF_ENOMEM;
    c->n_visited++;
    return 0;
}

/* --- frames ---------------------------------------------------------------- */

static void frame_release(struct frame *f)
{
    f->recs = NULL; /* arena memory */
    ef__rrset_unref(f->rr);
    f->rr = NULL;
}

/* Enter a domain: checks the bounds every chain has (depth, queries, visited). */
static int chain_push(struct chain *c, const char *domain, const ef_e164_t *aus, ef_sec_t sec,
                      uint16_t order)
{
    struct ef_resolver *res = c->q->res;
    struct frame *f;

    if (c->depth > res->max_depth) {
        c->loop = true;
        trace(c, "not entering %s: chain longer than %u referrals (RFC 6116 §5.2.1)", domain,
              res->max_depth);
        return EF_ELOOP;
    }
    if (c->queries >= res->max_queries) {
        c->loop = true;
        trace(c, "not entering %s: query limit of %u reached", domain, res->max_queries);
        return EF_ELOOP;
    }
    if (visited(c, domain)) {
        c->loop = true;
        trace(c, "not entering %s: already visited, referral loop discarded (RFC 6116 §5.2.1)",
              domain);
        return EF_ELOOP;
    }
    if (visit(c, domain) < 0)
        return EF_ENOMEM;
    if (c->depth > 0) {
        c->frames[c->depth - 1].child_order = order;
        c->frames[c->depth - 1].child_results = c->n_results;
    }
    f = &c->frames[c->depth++];
    memset(f, 0, sizeof(*f));
    f->domain = c->visited[c->n_visited - 1];
    f->aus = *aus;
    f->sec = sec;
    return 0;
}

/* Leave the top frame; a referral that produced results is a match in the frame below. */
static void chain_pop(struct chain *c)
{
    struct frame *f = &c->frames[--c->depth], *parent;

    frame_release(f);
    if (c->depth == 0)
        return;
    parent = &c->frames[c->depth - 1];
    if (c->n_results > parent->child_results && !parent->matched) {
        parent->matched = true;
        parent->matched_order = parent->child_order;
    }
}

/* DNS errors behind a referral: the worst one is what the user hears of, if nothing else. */
static int err_rank(int err)
{
    switch (err) {
    case EF_EBOGUS:
        return 6;
    case EF_EINSECURE:
        return 5;
    case EF_ESERVFAIL:
        return 4;
    case EF_ETIMEOUT:
        return 3;
    case EF_ENXDOMAIN:
        return 2;
    case EF_ENONAPTR:
        return 1;
    default:
        return 0;
    }
}

static int rr_status(const struct chain *c, const ef__rrset_t *rr)
{
    int st = rr->status == EF_ENODATA ? EF_ENONAPTR : rr->status;
    bool answered = st == 0 || st == EF_ENONAPTR || st == EF_ENXDOMAIN;

    /* --dnssec require: an answer, positive or negative, must be proven */
    if (answered && c->q->res->dnssec == EF_DNSSEC_REQUIRE && rr->sec != EF_SEC_SECURE)
        return EF_EINSECURE;
    return st;
}

/* Decode and sort the RRset of the top frame (RFC 6116 §5.2: ORDER major, PREFERENCE minor). */
static int frame_load(struct chain *c, struct frame *f, ef__rrset_t *rr)
{
    ef_perr_t perr;
    size_t i;

    f->rr = rr;
    f->sec = sec_min(f->sec, rr->sec);
    f->recs = ef__arena_alloc(c->q->arena, (rr->n ? rr->n : 1) * sizeof(*f->recs));
    if (f->recs == NULL)
        return EF_ENOMEM;
    for (i = 0; i < rr->n; i++) {
        if (ef_naptr_decode(rr->rdata[i], rr->rdlen[i], &f->recs[f->n], &perr) < 0) {
            c->bad_records++;
            trace(c, "record %zu skipped, malformed rdata at byte %zu: %s", i + 1, perr.offset,
                  perr.reason);
            continue;
        }
        f->recs[f->n].index = i;
        f->n++;
    }
    ef_naptr_sort(f->recs, f->n);
    trace(c, "%s: %zu NAPTR record%s (%s%s)", f->domain, rr->n, rr->n == 1 ? "" : "s",
          ef_sec_name(rr->sec), rr->from_cache ? ", cached" : "");
    return 0;
}

/* The answer for the top frame is here: load it, or unwind on a DNS error. */
static void chain_answer(struct chain *c, ef__rrset_t *rr)
{
    struct frame *f = &c->frames[c->depth - 1];
    int st = rr_status(c, rr);

    c->queries++;
    if (c->depth == 1)
        c->err_sec = rr->sec;
    if (st != 0) {
        trace(c, "%s: %s%s%s", f->domain, ef_err_name(st), rr->why ? ": " : "",
              rr->why ? rr->why : "");
        if (c->depth == 1) {
            c->status = st;
            if (rr->why != NULL)
                c->err_why = ef__arena_strndup(c->q->arena, rr->why, strlen(rr->why));
        } else if (err_rank(st) > err_rank(c->sub_err)) {
            c->sub_err = st; /* RFC 6116 §5.2.1: go on with the next record of the referrer */
        }
        ef__rrset_unref(rr);
        chain_pop(c);
        return;
    }
    if (frame_load(c, f, rr) < 0) {
        c->status = EF_ENOMEM;
        while (c->depth > 0)
            chain_pop(c);
    }
}

static void fetch_cb(void *arg, ef__rrset_t *rr)
{
    struct chain *c = arg;

    c->req = NULL;
    chain_answer(c, rr);
    chain_run(c);
}

/* --- records --------------------------------------------------------------- */

static void bad_record(struct chain *c, const ef_naptr_t *rec, const char *why, size_t off)
{
    c->bad_records++;
    trace(c, "record %u %u skipped, malformed: %s (at byte %zu)", rec->order, rec->preference, why,
          off);
}

/* RFC 6116 §5.2.1: follow the replacement of a non-terminal rule. */
static void nonterminal(struct chain *c, struct frame *f, const ef_naptr_t *rec)
{
    char target[EF_DNAME_TEXT_MAX];
    size_t k;

    if (ef_naptr_replacement_is_root(rec)) {
        bad_record(c, rec, "non-terminal rule without replacement (RFC 6116 §5.2.1)", 0);
        return;
    }
    if (rec->regexp.len > 0)
        trace(c, "regexp of non-terminal rule %u %u ignored (RFC 6116 §5.2.1)", rec->order,
              rec->preference);
    if (ef_naptr_replacement_text(rec, target, sizeof(target)) < 0) {
        bad_record(c, rec, "replacement is not a valid domain name", 0);
        return;
    }
    for (k = 0; target[k] != '\0'; k++)
        target[k] = (char)tolower((unsigned char)target[k]);
    trace(c, "record %u %u is non-terminal: next key %s", rec->order, rec->preference, target);
    chain_push(c, target, &f->aus, f->sec, rec->order);
}

/* Keep the Enumservices of a rule that the client asked for, left to right (RFC 6116 §3.4.3.2). */
static size_t select_services(struct chain *c, const ef_svcfield_t *sf, const ef_enumsvc_t **keep)
{
    const ef_enum_opts_t *o = &c->q->opts;
    size_t i, j, n = 0;

    for (i = 0; i < sf->n; i++) {
        const ef_enumsvc_t *s = &sf->svc[i];
        bool wanted = o->n_services == 0;

        if (ef_enumsvc_is_private(s) && !c->q->res->private_network) {
            /* RFC 6116 §3.4.3.1: MUST discard unless on that private network */
            trace(c, "Enumservice %.*s discarded: P- services belong to private networks",
                  (int)s->type.len, s->type.ptr);
            continue;
        }
        for (j = 0; j < o->n_services && !wanted; j++)
            wanted = ef_enumsvc_match(s, &o->services[j]);
        if (wanted)
            keep[n++] = s;
    }
    return n;
}

/* An absolute URI (RFC 6116 §3.3, RFC 3986 absolute-URI): scheme ":" and something. */
static bool absolute_uri(const char *uri, size_t len)
{
    size_t i = 0;

    if (len == 0 || !isalpha((unsigned char)uri[0]))
        return false;
    while (i < len && (isalnum((unsigned char)uri[i]) || strchr("+-.", uri[i]) != NULL))
        i++;
    if (i == len || uri[i] != ':' || i + 1 == len)
        return false;
    for (; i < len; i++)
        if ((unsigned char)uri[i] <= ' ' || uri[i] == 0x7f)
            return false;
    return true;
}

static int add_result(struct chain *c, const struct frame *f, const ef_naptr_t *rec,
                      const ef_enumsvc_t **svcs, size_t n_svcs, const char *uri, size_t len)
{
    struct ef_arena *a = c->q->arena;
    ef_enum_result_t *r;
    size_t i;

    if (c->n_results >= EF_RESOLVE_MAX_RESULTS)
        return EF_E2BIG;
    if (c->n_results % 16 == 0) {
        ef_enum_result_t *grown = ef__arena_alloc(a, (c->n_results + 16) * sizeof(*grown));
        if (grown == NULL)
            return EF_ENOMEM;
        if (c->n_results > 0)
            memcpy(grown, c->results, c->n_results * sizeof(*grown));
        c->results = grown;
    }
    r = &c->results[c->n_results];
    r->order = rec->order;
    r->preference = rec->preference;
    r->uri = ef__arena_strndup(a, uri, len);
    r->domain = ef__arena_strndup(a, f->domain, strlen(f->domain));
    r->dnssec = f->sec;
    r->depth = c->depth - 1;
    r->n_services = n_svcs;
    r->services = ef__arena_alloc(a, (n_svcs ? n_svcs : 1) * sizeof(*r->services));
    if (r->uri == NULL || r->domain == NULL || r->services == NULL)
        return EF_ENOMEM;
    for (i = 0; i < n_svcs; i++) {
        char buf[2 * EF_ENUMSVC_TOKEN_MAX + 2 + 256];
        int n = ef_enumsvc_format(svcs[i], buf, sizeof(buf));
        r->services[i] = ef__arena_strndup(a, buf, n > 0 ? (size_t)n : 0);
        if (r->services[i] == NULL)
            return EF_ENOMEM;
    }
    c->n_results++;
    return 0;
}

/* draft-brandner §3.2: an enum: result MUST be re-submitted to ENUM. */
static void redirect(struct chain *c, struct frame *f, const ef_naptr_t *rec, const char *uri,
                     size_t len)
{
    char domain[EF_DNAME_TEXT_MAX];
    ef_e164_t num;
    ef_perr_t perr;

    if (ef_e164_parse(uri, len, &num, &perr) < 0) {
        bad_record(c, rec, perr.reason, perr.offset);
        return;
    }
    if (ef_e164_domain(&num, c->suffix, domain, sizeof(domain)) < 0) {
        bad_record(c, rec, "enum: number gives no domain under the suffix", 0);
        return;
    }
    trace(c, "record %u %u gives %s: re-submitting %s to ENUM (draft-brandner §3.2)", rec->order,
          rec->preference, uri, num.aus);
    chain_push(c, domain, &num, f->sec, rec->order);
}

/* The checks of a terminal rule before its regexp runs; a reason when it is malformed. */
static const char *terminal_malformed(const ef_naptr_t *rec)
{
    if (!ef_naptr_replacement_is_root(rec) && rec->regexp.len > 0)
        return "both regexp and replacement (RFC 3403 §4.1)";
    if (rec->regexp.len == 0)
        return "terminal rule without regexp";
    return NULL;
}

/* RFC 6116 §3.4.2: a terminal "u" rule: services, then the regexp on the AUS. */
static void terminal(struct chain *c, struct frame *f, const ef_naptr_t *rec)
{
    const ef_enumsvc_t *keep[EF_ENUMSVC_MAX];
    char uri[EF_DDDS_OUT_MAX + 1];
    const char *why;
    ef_svcfield_t sf;
    ef_perr_t perr = {0, NULL};
    size_t n_keep;
    int rc = ef_svcfield_parse(rec->services.ptr, rec->services.len, &sf, &perr);

    if (rc == EF_ENOTE2U) {
        /* RFC 6116 §5.2: other DDDS applications are tolerated, not used */
        trace(c, "record %u %u skipped: service \"%.*s\" is not an ENUM rule", rec->order,
              rec->preference, (int)rec->services.len, rec->services.ptr);
        return;
    }
    why = rc < 0 ? perr.reason : terminal_malformed(rec);
    if (why != NULL) {
        bad_record(c, rec, why, rc < 0 ? perr.offset : 0);
        return;
    }
    n_keep = select_services(c, &sf, keep);
    if (n_keep == 0) {
        trace(c, "record %u %u skipped: \"%.*s\" is not a requested Enumservice", rec->order,
              rec->preference, (int)rec->services.len, rec->services.ptr);
        return;
    }
    rc = ef_ddds_apply(c->q->res->rules, rec->regexp.ptr, rec->regexp.len, f->aus.aus, f->aus.len,
                       uri, sizeof(uri), &perr);
    if (rc == EF_ENOMATCH) {
        trace(c, "record %u %u skipped: regexp \"%.*s\" does not match %s", rec->order,
              rec->preference, (int)rec->regexp.len, rec->regexp.ptr, f->aus.aus);
        return;
    }
    if (rc >= 0 && !absolute_uri(uri, (size_t)rc))
        perr.reason = "the rule's output is not an absolute URI (RFC 6116 §3.3)", rc = EF_ESYNTAX;
    if (rc < 0) {
        bad_record(c, rec, perr.reason ? perr.reason : ef_strerror(rc), perr.offset);
        return;
    }
    trace(c, "record %u %u \"%.*s\": regexp \"%.*s\" on %s gives %s", rec->order, rec->preference,
          (int)rec->services.len, rec->services.ptr, (int)rec->regexp.len, rec->regexp.ptr,
          f->aus.aus, uri);
    if (rc > 5 && strncasecmp(uri, "enum:", 5) == 0) {
        redirect(c, f, rec, uri, (size_t)rc);
        return;
    }
    if (add_result(c, f, rec, keep, n_keep, uri, (size_t)rc) < 0) {
        trace(c, "result dropped: more than %d results", EF_RESOLVE_MAX_RESULTS);
        return;
    }
    f->matched = true;
    f->matched_order = rec->order;
}

/* One step of RFC 3402 §3.3 step 3-5 on the next record of the top frame. */
static void frame_step(struct chain *c, struct frame *f)
{
    const ef_naptr_t *rec = &f->recs[f->i++];

    /* RFC 3403 §4.1: once a match is found, records of another ORDER MUST NOT be considered */
    if (f->matched && rec->order != f->matched_order && !c->q->opts.all) {
        trace(c, "ORDER %u matched: records of ORDER %u and above not considered", f->matched_order,
              rec->order);
        f->i = f->n;
        return;
    }
    switch (ef_naptr_kind(rec)) {
    case EF_NAPTR_TERMINAL:
        terminal(c, f, rec);
        break;
    case EF_NAPTR_NONTERMINAL:
        nonterminal(c, f, rec);
        break;
    default:
        /* RFC 6116 §3.4.2: unknown flag -> MUST ignore the record */
        trace(c, "record %u %u skipped: unknown flags \"%.*s\"", rec->order, rec->preference,
              (int)rec->flags.len, rec->flags.ptr);
        break;
    }
}

/* --- chains and the query ------------------------------------------------ */

static void query_chain_done(struct ef_enum_query *q);

static void chain_finish(struct chain *c)
{
    c->done = true;
    if (c->status == 0 && c->n_results == 0) {
        if (c->loop)
            c->status = EF_ELOOP;
        else if (c->sub_err != 0)
            c->status = c->sub_err;
        else if (c->bad_records > 0)
            c->status = EF_EBADRECORD;
        else
            c->status = EF_ENOMATCH;
    }
    trace(c, "%s: %s, %zu result%s, %u quer%s, %u bad record%s", c->suffix, ef_err_name(c->status),
          c->n_results, c->n_results == 1 ? "" : "s", c->queries, c->queries == 1 ? "y" : "ies",
          c->bad_records, c->bad_records == 1 ? "" : "s");
    query_chain_done(c->q);
}

/* Work until the chain ends or waits for DNS. */
static void chain_run(struct chain *c)
{
    while (c->depth > 0) {
        struct frame *f = &c->frames[c->depth - 1];

        if (f->rr == NULL) {
            ef__rrset_t *rr = ef__dns_cached(c->q->res->dns, f->domain, EF_DNS_TYPE_NAPTR);

            if (rr != NULL) {
                rr->from_cache = true;
                chain_answer(c, rr);
                continue;
            }
            trace(c, "query %s NAPTR", f->domain);
            if (ef__dns_fetch(c->q->res->dns, f->domain, EF_DNS_TYPE_NAPTR, fetch_cb, c, &c->req) ==
                0)
                return;
            c->status = EF_ENOMEM;
            while (c->depth > 0)
                chain_pop(c);
            break;
        }
        if (f->i < f->n)
            frame_step(c, f);
        else
            chain_pop(c);
    }
    chain_finish(c);
}

static void query_unlink(struct ef_enum_query *q)
{
    if (q->prev != NULL)
        q->prev->next = q->next;
    else if (q->res->queries == q)
        q->res->queries = q->next;
    if (q->next != NULL)
        q->next->prev = q->prev;
    q->prev = q->next = NULL;
}

static void query_free(struct ef_enum_query *q)
{
    size_t i;

    for (i = 0; i < q->n_chains; i++) {
        struct chain *c = &q->chains[i];
        if (c->req != NULL)
            ef__dns_cancel(c->req);
        while (c->depth > 0)
            frame_release(&c->frames[--c->depth]);
    }
    if (q->deferred != NULL)
        event_free(q->deferred);
    query_unlink(q);
    if (q->answer != NULL)
        ef_enum_answer_free(q->answer);
    else
        ef__arena_free(q->arena);
    free(q);
}

/* The answer takes the first suffix, in configured order, that produced results. */
static void query_build_answer(struct ef_enum_query *q, const struct chain *use)
{
    ef_enum_answer_t *ans = ef__arena_alloc(q->arena, sizeof(*ans));
    size_t i;

    if (ans == NULL)
        return;
    memset(ans, 0, sizeof(*ans));
    ans->status = use->status;
    ans->detail = use->status != 0 ? use->err_why : NULL;
    ans->number = q->number;
    ans->suffix = use->suffix;
    ans->results = use->results;
    ans->n_results = use->status == 0 ? use->n_results : 0;
    ans->dnssec = EF_SEC_SECURE;
    for (i = 0; i < ans->n_results; i++)
        ans->dnssec = sec_min(ans->dnssec, ans->results[i].dnssec);
    if (ans->n_results == 0) /* a secure NXDOMAIN is as much an answer as a secure NAPTR */
        ans->dnssec = use->status == EF_EBOGUS ? EF_SEC_BOGUS : use->err_sec;
    for (i = 0; i < q->n_chains; i++) {
        ans->queries += q->chains[i].queries;
        ans->bad_records += q->chains[i].bad_records;
    }
    ans->arena = q->arena;
    q->answer = ans;
}

static void deliver(struct ef_enum_query *q)
{
    ef_enum_answer_t *ans = q->answer;

    q->answer = NULL;
    q->arena = NULL; /* now owned by the answer */
    q->delivered = true;
    q->cb(q->arg, ans);
    query_free(q);
}

static void deferred_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    deliver(arg);
}

static void query_chain_done(struct ef_enum_query *q)
{
    const struct chain *use = NULL;
    size_t i;

    if (q->complete)
        return;
    for (i = 0; i < q->n_chains && use == NULL; i++) {
        if (!q->chains[i].done)
            return; /* an earlier suffix may still answer */
        if (q->chains[i].status == 0)
            use = &q->chains[i];
    }
    q->complete = true;
    query_build_answer(q, use != NULL ? use : &q->chains[0]);
    for (i = 0; i < q->n_chains; i++)
        if (q->chains[i].req != NULL) { /* later suffixes are no longer needed */
            ef__dns_cancel(q->chains[i].req);
            q->chains[i].req = NULL;
        }
    if (!q->starting)
        deliver(q);
}

static int opts_copy(struct ef_enum_query *q, const ef_enum_opts_t *opts)
{
    ef_enumsvc_t *svcs;
    size_t i;

    if (opts != NULL)
        q->opts = *opts;
    if (q->opts.n_services == 0)
        return 0;
    svcs = ef__arena_alloc(q->arena, q->opts.n_services * sizeof(*svcs));
    if (svcs == NULL)
        return EF_ENOMEM;
    for (i = 0; i < q->opts.n_services; i++) {
        const ef_enumsvc_t *s = &opts->services[i];
        svcs[i].type.ptr = ef__arena_strndup(q->arena, s->type.ptr, s->type.len);
        svcs[i].type.len = s->type.len;
        svcs[i].subtype.ptr =
            ef__arena_strndup(q->arena, s->subtype.ptr ? s->subtype.ptr : "", s->subtype.len);
        svcs[i].subtype.len = s->subtype.len;
        if (svcs[i].type.ptr == NULL || svcs[i].subtype.ptr == NULL)
            return EF_ENOMEM;
    }
    q->opts.services = svcs;
    return 0;
}

/* Parse, set up one chain per suffix, and run them as far as the cache allows. */
static int query_start(ef_resolver_t *res, const char *input, size_t len,
                       const ef_enum_opts_t *opts, ef_enum_cb cb, void *arg,
                       struct ef_enum_query **out, ef_perr_t *perr)
{
    struct ef_enum_query *q;
    char domain[EF_DNAME_TEXT_MAX];
    ef_e164_t num;
    size_t i;
    int rc = ef_e164_parse(input, len, &num, perr);

    if (rc < 0)
        return rc;
    q = calloc(1, sizeof(*q) + res->n_suffixes * sizeof(q->chains[0]));
    if (q == NULL || (q->arena = ef__arena_new()) == NULL || opts_copy(q, opts) < 0) {
        if (q != NULL)
            ef__arena_free(q->arena);
        free(q);
        return EF_ENOMEM;
    }
    q->res = res;
    q->number = num;
    q->cb = cb;
    q->arg = arg;
    q->starting = true;
    q->next = res->queries;
    if (res->queries != NULL)
        res->queries->prev = q;
    res->queries = q;
    q->n_chains = res->n_suffixes;
    for (i = 0; i < q->n_chains; i++) {
        q->chains[i].q = q;
        q->chains[i].suffix = res->suffixes[i];
        q->chains[i].frames =
            ef__arena_alloc(q->arena, (res->max_depth + 1) * sizeof(q->chains[i].frames[0]));
        if (q->chains[i].frames == NULL) {
            q->n_chains = i; /* query_free releases what exists */
            query_free(q);
            return EF_ENOMEM;
        }
    }
    for (i = 0; i < q->n_chains; i++) {
        struct chain *c = &q->chains[i];

        if (ef_e164_domain(&num, c->suffix, domain, sizeof(domain)) < 0) {
            c->status = EF_E2BIG;
            chain_finish(c);
            continue;
        }
        trace(c, "%s: AUS %s, first key %s", input, num.aus, domain);
        if (chain_push(c, domain, &num, EF_SEC_SECURE, 0) < 0)
            c->status = EF_ENOMEM, chain_finish(c);
        else
            chain_run(c);
    }
    q->starting = false;
    *out = q;
    return 0;
}

int ef_enum_query(ef_resolver_t *res, const char *input, size_t len, const ef_enum_opts_t *opts,
                  ef_enum_cb cb, void *arg, ef_enum_query_t **handle, ef_perr_t *perr)
{
    struct ef_enum_query *q;
    int rc = query_start(res, input, len, opts, cb, arg, &q, perr);

    if (rc < 0)
        return rc;
    if (q->complete) {
        /* Answered from the cache: the callback still runs from the event base. */
        struct timeval now = {0, 0};
        q->deferred = evtimer_new(res->base, deferred_cb, q);
        if (q->deferred == NULL || evtimer_add(q->deferred, &now) != 0) {
            q->cb = NULL;
            query_free(q);
            return EF_ENOMEM;
        }
    }
    if (handle != NULL)
        *handle = q;
    return 0;
}

void ef_enum_cancel(ef_enum_query_t *q)
{
    if (q != NULL && !q->delivered)
        query_free(q);
}

struct sync_wait {
    bool done;
    ef_enum_answer_t *ans;
};

static void sync_cb(void *arg, ef_enum_answer_t *ans)
{
    struct sync_wait *w = arg;

    w->done = true;
    w->ans = ans;
}

int ef_enum_query_sync(ef_resolver_t *res, const char *input, size_t len,
                       const ef_enum_opts_t *opts, ef_enum_answer_t **out, ef_perr_t *perr)
{
    struct ef_enum_query *q;
    struct sync_wait w = {false, NULL};
    int rc;

    if (!res->own_base)
        return EF_EINVAL;
    rc = query_start(res, input, len, opts, sync_cb, &w, &q, perr);
    if (rc < 0)
        return rc;
    if (q->complete)
        deliver(q); /* fully cached: no event loop at all */
    /* Every pending lookup has a timer, so the loop always has work until w.done. */
    while (!w.done && event_base_loop(res->base, EVLOOP_ONCE) == 0)
        ;
    if (!w.done)
        ef_enum_cancel(q);
    if (w.ans == NULL)
        return EF_ENOMEM;
    *out = w.ans;
    return 0;
}

void ef_enum_answer_free(ef_enum_answer_t *ans)
{
    if (ans != NULL)
        ef__arena_free(ans->arena); /* the answer itself lives in its arena */
}

/* --- the resolver ----------------------------------------------------------- */

static int copy_suffixes(ef_resolver_t *res, const ef_resolver_config_t *cfg, char *errbuf,
                         size_t errcap)
{
    static const char *const dflt[] = {"e164.arpa."};
    const char *const *sfx = cfg->n_suffixes ? cfg->suffixes : dflt;
    size_t n = cfg->n_suffixes ? cfg->n_suffixes : 1, i;
    ef_e164_t probe = {"+1", 2};
    char name[EF_DNAME_TEXT_MAX];

    if (n > EF_RESOLVE_MAX_SUFFIXES) {
        snprintf(errbuf, errcap, "at most %d suffixes", EF_RESOLVE_MAX_SUFFIXES);
        return EF_ECONFIG;
    }
    for (i = 0; i < n; i++) {
        if (ef_e164_domain(&probe, sfx[i], name, sizeof(name)) < 0) {
            snprintf(errbuf, errcap, "suffix \"%s\" is not a domain name", sfx[i]);
            return EF_ECONFIG;
        }
        res->suffixes[i] = strdup(name + 2); /* drop "1." */
        if (res->suffixes[i] == NULL)
            return EF_ENOMEM;
        res->n_suffixes = i + 1;
    }
    return 0;
}

int ef_resolver_new(struct event_base *base, const ef_resolver_config_t *cfg, ef_resolver_t **out,
                    char *errbuf, size_t errcap)
{
    ef_resolver_t *res = calloc(1, sizeof(*res));
    char scratch[1];
    int rc = EF_ENOMEM;

    if (errbuf == NULL || errcap == 0)
        errbuf = scratch, errcap = sizeof(scratch);
    errbuf[0] = '\0';
    if (res == NULL)
        return EF_ENOMEM;
    res->own_base = base == NULL;
    res->base = base != NULL ? base : event_base_new();
    res->dnssec = cfg->dnssec;
    res->private_network = cfg->private_network;
    res->max_depth = cfg->max_depth ? cfg->max_depth : EF_RESOLVE_MAX_DEPTH;
    res->max_queries = cfg->max_queries ? cfg->max_queries : EF_RESOLVE_MAX_QUERIES;
    if (res->max_depth > DEPTH_LIMIT) {
        snprintf(errbuf, errcap, "max depth above %d", DEPTH_LIMIT);
        rc = EF_ECONFIG;
        goto fail;
    }
    if (res->base == NULL || (res->rules = ef_ddds_cache_new(RULE_CACHE_SIZE)) == NULL)
        goto fail;
    if ((rc = copy_suffixes(res, cfg, errbuf, errcap)) < 0 ||
        (rc = ef__dns_new(res->base, cfg, &res->dns, errbuf, errcap)) < 0)
        goto fail;
    *out = res;
    return 0;
fail:
    ef_resolver_free(res);
    return rc;
}

void ef_resolver_free(ef_resolver_t *res)
{
    size_t i;

    if (res == NULL)
        return;
    while (res->queries != NULL)
        query_free(res->queries);
    ef__dns_free(res->dns);
    ef_ddds_cache_free(res->rules);
    for (i = 0; i < res->n_suffixes; i++)
        free(res->suffixes[i]);
    if (res->own_base && res->base != NULL)
        event_base_free(res->base);
    free(res);
}

ef__dns_t *ef__resolver_dns(ef_resolver_t *res)
{
    return res->dns;
}

ef_dnssec_mode_t ef__resolver_dnssec(ef_resolver_t *res)
{
    return res->dnssec;
}

struct event_base *ef__resolver_base(ef_resolver_t *res)
{
    return res->base;
}
