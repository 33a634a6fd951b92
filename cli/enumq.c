/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enumq -- what does this number map to, and why. Resolves an E.164 number
 * (or a tel:/enum: URI) through ENUM with libenumfed and prints the URIs in
 * result order, optionally where each one is served (--resolve), how the
 * DDDS reached them (--trace), what an Enumservice registry says of each
 * Enumservice (--registry, RFC 6117 §11) and everything as JSON (--json).
 *
 * Exit codes (a contract): 0 results; 1 no result; 2 usage or bad input;
 * 3 DNS failure; 4 DNSSEC failure.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "enumfed/locate.h"
#include "enumfed/registry.h"
#include "enumfed/resolve.h"
#include "json.h"

#define MAX_LIST 16
#define WARN_MAX 16 /* registry warnings kept per result; more are counted */
#define WARN_LEN 256

enum { EXIT_RESULTS = 0, EXIT_NONE = 1, EXIT_USAGE = 2, EXIT_DNS = 3, EXIT_DNSSEC = 4 };

struct options {
    const char *suffixes[MAX_LIST], *zones[MAX_LIST], *anchors[MAX_LIST];
    size_t n_suffixes, n_zones, n_anchors;
    ef_enumsvc_t services[MAX_LIST];
    size_t n_services;
    const char *server;
    const char *registry; /* NULL or "": none */
    ef_reg_t *reg;
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
        "      --registry FILE     label results from this Enumservice registry database\n"
        "                          (default $ENUMFED_REGISTRY; \"\" for none)\n"
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

enum { OPT_SERVER = 256, OPT_DNSSEC, OPT_TA, OPT_TIMEOUT, OPT_PRIVATE, OPT_REGISTRY };

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
                                             {"registry", required_argument, NULL, OPT_REGISTRY},
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
        case OPT_REGISTRY:
            o->registry = optarg;
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

/* --- registry labels (RFC 6117 §11) --------------------------------------- */

enum reg_label { LABEL_REGISTERED, LABEL_UNREGISTERED, LABEL_PRIVATE, LABEL_ERROR };

/* What the registry says of svc ("type" or "type:subtype", lowercase). */
static enum reg_label reg_label(ef_reg_t *reg, const char *svc, ef_reg_entry_t *e, int *err)
{
    char type[2 * EF_REG_TOKEN_LEN];
    const char *colon = strchr(svc, ':');
    size_t tlen = colon != NULL ? (size_t)(colon - svc) : strlen(svc);

    *err = 0;
    memset(e, 0, sizeof(*e));
    /* P- and X- facets are private or experimental, never registered (RFC 6116 §3.4.3.1) */
    if ((svc[0] == 'p' || svc[0] == 'x') && svc[1] == '-')
        return LABEL_PRIVATE;
    if (tlen >= sizeof(type))
        return LABEL_UNREGISTERED;
    memcpy(type, svc, tlen);
    type[tlen] = '\0';
    *err = ef_reg_lookup(reg, type, colon != NULL ? colon + 1 : NULL, e);
    if (*err == EF_ENODATA)
        return LABEL_UNREGISTERED;
    return *err == 0 ? LABEL_REGISTERED : LABEL_ERROR;
}

typedef struct {
    char text[WARN_MAX][WARN_LEN];
    size_t n, dropped;
} warnings_t;

static void warn_add(warnings_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn_add(warnings_t *w, const char *fmt, ...)
{
    va_list ap;

    if (w->n == WARN_MAX) {
        w->dropped++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(w->text[w->n++], WARN_LEN, fmt, ap);
    va_end(ap);
}

/* "a, b, c" of the registered schemes into out. */
static void join_schemes(const ef_reg_entry_t *e, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = '\0';
    for (size_t i = 0; i < e->n_schemes && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i > 0 ? ", " : "", e->schemes[i]);
}

/* One Enumservice of a result against the registry: unknown, not active, wrong scheme. */
static void warn_service(ef_reg_t *reg, const char *svc, const char *uri, warnings_t *w)
{
    size_t slen = strcspn(uri, ":");
    char schemes[WARN_LEN / 2];
    ef_reg_entry_t e;
    int err;

    switch (reg_label(reg, svc, &e, &err)) {
    case LABEL_PRIVATE:
        return;
    case LABEL_UNREGISTERED:
        warn_add(w, "Enumservice %s is not registered", svc);
        return;
    case LABEL_ERROR:
        warn_add(w, "Enumservice %s: registry lookup failed: %s", svc, ef_strerror(err));
        return;
    case LABEL_REGISTERED:
        break;
    }
    if (e.usage != EF_REG_ACTIVE)
        warn_add(w, "Enumservice %s is %s in the registry", svc, e.usage_text);
    /* an enum: URI is a redirection, open to every Enumservice (draft-brandner-enum-uri) */
    if (uri[slen] == ':' && !(slen == 4 && strncasecmp(uri, "enum", 4) == 0) && !e.truncated &&
        !ef_reg_entry_has_scheme(&e, uri, slen)) {
        join_schemes(&e, schemes, sizeof(schemes));
        warn_add(w, "URI scheme %.*s is not registered for Enumservice %s (%s)", (int)slen, uri,
                 svc, schemes);
    }
}

/* The registry's warnings on a result, also printed on stderr. */
static void result_warnings(const struct options *o, const ef_enum_result_t *r, warnings_t *w)
{
    w->n = w->dropped = 0;
    for (size_t i = 0; o->reg != NULL && i < r->n_services; i++)
        warn_service(o->reg, r->services[i], r->uri, w);
    for (size_t i = 0; i < w->n; i++)
        fprintf(stderr, "enumq: warning: %s: %s\n", r->uri, w->text[i]);
    if (w->dropped > 0)
        fprintf(stderr, "enumq: warning: %s: %zu more warnings\n", r->uri, w->dropped);
}

/* "  = NAME: CLASS (USAGE)" for each Enumservice of a result. */
static void label_text(const struct options *o, const ef_enum_result_t *r)
{
    ef_reg_entry_t e;
    int err;

    for (size_t i = 0; o->reg != NULL && i < r->n_services; i++) {
        switch (reg_label(o->reg, r->services[i], &e, &err)) {
        case LABEL_REGISTERED:
            printf("  = %s: %s (%s)\n", r->services[i], e.klass, e.usage_text);
            break;
        case LABEL_PRIVATE:
            printf("  = %s: private\n", r->services[i]);
            break;
        case LABEL_UNREGISTERED:
            printf("  = %s: not registered\n", r->services[i]);
            break;
        case LABEL_ERROR:
            printf("  = %s: registry error: %s\n", r->services[i], ef_strerror(err));
            break;
        }
    }
}

/* One object per Enumservice of a result, in the order of "services". */
static void label_json(json_t *j, const struct options *o, const ef_enum_result_t *r)
{
    ef_reg_entry_t e;
    int err;

    json_begin_array(j, "registry");
    for (size_t i = 0; i < r->n_services; i++) {
        enum reg_label l = reg_label(o->reg, r->services[i], &e, &err);
        json_begin_object(j, NULL);
        json_string(j, "name", r->services[i]);
        json_bool(j, "registered", l == LABEL_REGISTERED);
        json_bool(j, "private", l == LABEL_PRIVATE);
        if (l == LABEL_REGISTERED) {
            json_string(j, "class", e.klass);
            json_string(j, "usage", e.usage_text);
            json_string(j, "status", ef_reg_usage_name(e.usage));
            json_begin_array(j, "schemes");
            for (size_t k = 0; k < e.n_schemes; k++)
                json_string(j, NULL, e.schemes[k]);
            json_end_array(j);
        }
        json_end_object(j);
    }
    json_end_array(j);
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
        warnings_t w;

        printf("%u %u ", r->order, r->preference);
        print_services(r);
        printf(" %s\n", r->uri);
        label_text(o, r);
        result_warnings(o, r, &w);
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
    if (o->reg != NULL) {
        warnings_t *w = malloc(sizeof(*w));
        label_json(j, o, r);
        json_begin_array(j, "warnings");
        if (w != NULL) {
            result_warnings(o, r, w);
            for (k = 0; k < w->n; k++)
                json_string(j, NULL, w->text[k]);
        }
        json_end_array(j);
        free(w);
    }
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

/* The registry of --registry / $ENUMFED_REGISTRY, read-only; none when unset or "". */
static int open_registry(struct options *o)
{
    char err[512] = "";

    if (o->registry == NULL || o->registry[0] == '\0')
        return 0;
    if (ef_reg_open_readonly(o->registry, &o->reg, err, sizeof(err)) != 0) {
        fprintf(stderr, "enumq: registry %s\n", err[0] ? err : o->registry);
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
    o.registry = getenv("ENUMFED_REGISTRY");
    if ((rc = parse_options(argc, argv, &o)) != 0)
        return rc;
    if ((rc = open_registry(&o)) != 0)
        return rc;
    if ((rc = make_resolver(&o, &res)) != 0) {
        ef_reg_close(o.reg);
        return rc;
    }
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
        ef_reg_close(o.reg);
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
    ef_reg_close(o.reg);
    return rc;
}
