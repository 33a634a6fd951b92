/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumq -- what does this number map to, and why. Resolves an E.164 number
 * (or a tel:/enum: URI) through ENUM with libenumfed and prints the URIs in
 * result order, optionally where each one is served (--resolve), how the
 * DDDS reached them (--trace) and everything as JSON (--json).
 *
 * Exit codes (a contract): 0 results; 1 no result; 2 usage or bad input;
 * 3 DNS failure; 4 DNSSEC failure.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/locate.h"
#include "enumfed/resolve.h"
#include "json.h"

#define MAX_LIST 16

enum { EXIT_RESULTS = 0, EXIT_NONE = 1, EXIT_USAGE = 2, EXIT_DNS = 3, EXIT_DNSSEC = 4 };

struct options {
    const char *suffixes[MAX_LIST], *zones[MAX_LIST], *anchors[MAX_LIST];
    size_t n_suffixes, n_zones, n_anchors;
    ef_enumsvc_t services[MAX_LIST];
    size_t n_services;
    const char *server;
    ef_dnssec_mode_t dnssec;
    unsigned timeout_ms;
    bool resolve, trace, all, json, private_network;
    const char *number;
};

static void usage(FILE *out)
{
    fputs(
        "usage: enumq [options] NUMBER|tel:NUMBER|enum:NUMBER\n"
        "  -s, --service T[:S]     only these Enumservices (repeatable): im, sip, voice:tel\n"
        "  -S, --suffix DOMAIN     ENUM suffix (repeatable, in priority order; default e164.arpa)\n"
        "      --server HOST[:PORT] send every DNS query to this server\n"
        "  -z, --zone FILE         answer from this master zone file, offline (repeatable)\n"
        "      --dnssec MODE       off | validate (default) | require\n"
        "      --trust-anchor FILE DS or DNSKEY records to validate with (repeatable)\n"
        "  -r, --resolve           locate the servers of sip:, sips:, im: and pres: results\n"
        "  -t, --trace             explain every step on stderr\n"
        "  -a, --all               every usable record of every ORDER, not only the first\n"
        "  -j, --json              print one JSON object\n"
        "      --timeout MS        per DNS query (default 5000)\n"
        "      --private           accept P- Enumservices (private-network ENUM)\n"
        "  -h, --help              this text\n"
        "  -V, --version           the version\n"
        "exit: 0 results, 1 no result, 2 usage, 3 DNS failure, 4 DNSSEC failure\n",
        out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("enumq: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see enumq --help)\n", stderr);
    return EXIT_USAGE;
}

static int add_to(const char **list, size_t *n, const char *value, const char *what)
{
    if (*n >= MAX_LIST)
        return usage_error("too many %s options", what);
    list[(*n)++] = value;
    return 0;
}

static int add_service(struct options *o, const char *arg)
{
    ef_perr_t perr = {0, NULL};

    if (o->n_services >= MAX_LIST)
        return usage_error("too many %s options", "--service");
    if (ef_enumsvc_parse(arg, strlen(arg), &o->services[o->n_services], &perr) < 0) {
        fprintf(stderr, "enumq: invalid --service \"%s\": %s at position %zu\n", arg,
                perr.reason ? perr.reason : "malformed", perr.offset + 1);
        return EXIT_USAGE;
    }
    o->n_services++;
    return 0;
}

static int parse_dnssec(struct options *o, const char *arg)
{
    if (strcmp(arg, "off") == 0)
        o->dnssec = EF_DNSSEC_OFF;
    else if (strcmp(arg, "validate") == 0)
        o->dnssec = EF_DNSSEC_VALIDATE;
    else if (strcmp(arg, "require") == 0)
        o->dnssec = EF_DNSSEC_REQUIRE;
    else
        return usage_error("--dnssec takes off, validate or require, not \"%s\"", arg);
    return 0;
}

static int parse_timeout(struct options *o, const char *arg)
{
    char *end;
    long ms = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || ms < 1 || ms > 600000)
        return usage_error("--timeout takes milliseconds from 1 to 600000, not \"%s\"", arg);
    o->timeout_ms = (unsigned)ms;
    return 0;
}

enum { OPT_SERVER = 256, OPT_DNSSEC, OPT_TA, OPT_TIMEOUT, OPT_PRIVATE };

static int parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {{"service", required_argument, NULL, 's'},
                                             {"suffix", required_argument, NULL, 'S'},
                                             {"server", required_argument, NULL, OPT_SERVER},
                                             {"zone", required_argument, NULL, 'z'},
                                             {"dnssec", required_argument, NULL, OPT_DNSSEC},
                                             {"trust-anchor", required_argument, NULL, OPT_TA},
                                             {"timeout", required_argument, NULL, OPT_TIMEOUT},
                                             {"private", no_argument, NULL, OPT_PRIVATE},
                                             {"resolve", no_argument, NULL, 'r'},
                                             {"trace", no_argument, NULL, 't'},
                                             {"all", no_argument, NULL, 'a'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {NULL, 0, NULL, 0}};
    int c, rc = 0;

    o->dnssec = EF_DNSSEC_VALIDATE;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, ":s:S:z:rtajhV", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            rc = add_service(o, optarg);
            break;
        case 'S':
            rc = add_to(o->suffixes, &o->n_suffixes, optarg, "--suffix");
            break;
        case 'z':
            rc = add_to(o->zones, &o->n_zones, optarg, "--zone");
            break;
        case OPT_TA:
            rc = add_to(o->anchors, &o->n_anchors, optarg, "--trust-anchor");
            break;
        case OPT_SERVER:
            o->server = optarg;
            break;
        case OPT_DNSSEC:
            rc = parse_dnssec(o, optarg);
            break;
        case OPT_TIMEOUT:
            rc = parse_timeout(o, optarg);
            break;
        case OPT_PRIVATE:
            o->private_network = true;
            break;
        case 'r':
            o->resolve = true;
            break;
        case 't':
            o->trace = true;
            break;
        case 'a':
            o->all = true;
            break;
        case 'j':
            o->json = true;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_RESULTS);
        case 'V':
            printf("enumq %s\n", EF_VERSION);
            exit(EXIT_RESULTS);
        case ':':
            return usage_error("option %s needs an argument", argv[optind - 1]);
        default:
            return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    if (rc != 0)
        return rc;
    if (optind != argc - 1)
        return usage_error("%s",
                           optind >= argc ? "expected one NUMBER" : "expected exactly one NUMBER");
    o->number = argv[optind];
    return 0;
}

static int exit_code(int status)
{
    switch (status) {
    case 0:
        return EXIT_RESULTS;
    case EF_ESERVFAIL:
    case EF_ETIMEOUT:
        return EXIT_DNS;
    case EF_EBOGUS:
    case EF_EINSECURE:
        return EXIT_DNSSEC;
    default:
        return EXIT_NONE;
    }
}

static void trace_line(void *arg, unsigned depth, const char *line)
{
    (void)arg;
    fprintf(stderr, ";; %*s%s\n", (int)(2 * depth), "", line);
}

/* --- output --------------------------------------------------------------- */

static void print_services(const ef_enum_result_t *r)
{
    size_t i;

    for (i = 0; i < r->n_services; i++)
        printf("%s%s", i ? "+" : "", r->services[i]);
}

static ef_locate_answer_t *locate(ef_resolver_t *res, const struct options *o, const char *uri)
{
    ef_locate_opts_t lo = {.trace = o->trace ? trace_line : NULL};
    ef_locate_answer_t *la = NULL;

    if (!o->resolve || !ef_locate_supported(uri, strlen(uri)))
        return NULL;
    if (o->trace)
        trace_line(NULL, 0, uri);
    if (ef_locate_sync(res, uri, strlen(uri), &lo, &la, NULL) < 0)
        return NULL;
    return la;
}

static void print_text(ef_resolver_t *res, const struct options *o, const ef_enum_answer_t *ans)
{
    size_t i, k;

    for (i = 0; i < ans->n_results; i++) {
        const ef_enum_result_t *r = &ans->results[i];
        ef_locate_answer_t *la = locate(res, o, r->uri);

        printf("%u %u ", r->order, r->preference);
        print_services(r);
        printf(" %s\n", r->uri);
        for (k = 0; la != NULL && k < la->n_targets; k++)
            printf("  -> %s %s %u %s\n", ef_transport_name(la->targets[k].transport),
                   la->targets[k].host, la->targets[k].port, la->targets[k].address);
        if (la != NULL && la->status != 0)
            printf("  -> none: %s: %s\n", ef_err_name(la->status), ef_strerror(la->status));
        ef_locate_answer_free(la);
    }
}

static void json_targets(json_t *j, const ef_locate_answer_t *la)
{
    size_t k;

    json_string(j, "locate_status", ef_err_name(la->status));
    json_begin_array(j, "targets");
    for (k = 0; k < la->n_targets; k++) {
        const ef_target_t *t = &la->targets[k];
        json_begin_object(j, NULL);
        json_string(j, "transport", ef_transport_name(t->transport));
        json_string(j, "host", t->host);
        json_uint(j, "port", t->port);
        json_string(j, "address", t->address);
        json_uint(j, "priority", t->priority);
        json_uint(j, "weight", t->weight);
        json_string(j, "dnssec", ef_sec_name(t->dnssec));
        json_end_object(j);
    }
    json_end_array(j);
}

static void json_result(json_t *j, ef_resolver_t *res, const struct options *o,
                        const ef_enum_result_t *r)
{
    ef_locate_answer_t *la = locate(res, o, r->uri);
    size_t k;

    json_begin_object(j, NULL);
    json_uint(j, "order", r->order);
    json_uint(j, "preference", r->preference);
    json_begin_array(j, "services");
    for (k = 0; k < r->n_services; k++)
        json_string(j, NULL, r->services[k]);
    json_end_array(j);
    json_string(j, "uri", r->uri);
    json_string(j, "dnssec", ef_sec_name(r->dnssec));
    json_string(j, "domain", r->domain);
    json_uint(j, "depth", r->depth);
    if (la != NULL)
        json_targets(j, la);
    ef_locate_answer_free(la);
    json_end_object(j);
}

static void print_json(ef_resolver_t *res, const struct options *o, const ef_enum_answer_t *ans)
{
    json_t j;
    size_t i;

    json_init(&j, stdout);
    json_begin_object(&j, NULL);
    json_string(&j, "number", o->number);
    json_string(&j, "aus", ans->number.aus);
    json_string(&j, "status", ef_err_name(ans->status));
    if (ans->status != 0)
        json_string(&j, "error", ef_strerror(ans->status));
    if (ans->detail != NULL)
        json_string(&j, "detail", ans->detail);
    json_string(&j, "suffix", ans->suffix);
    json_string(&j, "dnssec", ef_sec_name(ans->dnssec));
    json_uint(&j, "queries", ans->queries);
    json_uint(&j, "bad_records", ans->bad_records);
    json_begin_array(&j, "results");
    for (i = 0; i < ans->n_results; i++)
        json_result(&j, res, o, &ans->results[i]);
    json_end_array(&j);
    json_end_object(&j);
}

/* --- main ------------------------------------------------------------------ */

static int make_resolver(const struct options *o, ef_resolver_t **res)
{
    ef_resolver_config_t cfg = {
        .suffixes = o->suffixes,
        .n_suffixes = o->n_suffixes,
        .server = o->server,
        .zones = o->zones,
        .n_zones = o->n_zones,
        .trust_anchors = o->anchors,
        .n_trust_anchors = o->n_anchors,
        .dnssec = o->dnssec,
        .private_network = o->private_network,
        .timeout_ms = o->timeout_ms,
    };
    char err[512] = "";
    int rc = ef_resolver_new(NULL, &cfg, res, err, sizeof(err));

    if (rc < 0) {
        fprintf(stderr, "enumq: %s\n", err[0] ? err : ef_strerror(rc));
        return EXIT_USAGE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    ef_resolver_t *res = NULL;
    ef_enum_answer_t *ans = NULL;
    ef_enum_opts_t qo;
    ef_perr_t perr = {0, NULL};
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = parse_options(argc, argv, &o)) != 0)
        return rc;
    if ((rc = make_resolver(&o, &res)) != 0)
        return rc;
    memset(&qo, 0, sizeof(qo));
    qo.services = o.services;
    qo.n_services = o.n_services;
    qo.all = o.all;
    qo.trace = o.trace ? trace_line : NULL;
    rc = ef_enum_query_sync(res, o.number, strlen(o.number), &qo, &ans, &perr);
    if (rc < 0) {
        fprintf(stderr, "enumq: invalid number \"%s\": %s at position %zu\n", o.number,
                perr.reason ? perr.reason : ef_strerror(rc), perr.offset + 1);
        ef_resolver_free(res);
        return EXIT_USAGE;
    }
    if (o.json)
        print_json(res, &o, ans);
    else if (ans->status == 0)
        print_text(res, &o, ans);
    if (ans->status != 0)
        fprintf(stderr, "enumq: %s: %s: %s%s%s\n", o.number, ef_err_name(ans->status),
                ef_strerror(ans->status), ans->detail ? ": " : "", ans->detail ? ans->detail : "");
    rc = exit_code(ans->status);
    ef_enum_answer_free(ans);
    ef_resolver_free(res);
    return rc;
}
