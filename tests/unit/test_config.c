/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_config.c -- enumfedd's config file (daemon/config.c): the shipped
 * sample and the two demo configs load; every setting of the table is in the
 * sample and in enumfedd.conf(5); defaults are the documented ones; a table of
 * broken configs, each refused with the setting named; the dump loads again to
 * the same configuration; relative file names follow the config file; SIGHUP
 * refuses changes to settings that need a restart. EF_TEST_DATA points at
 * tests/data (the examples and docs are found beside it).
 */
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "enumfed/common.h"
#include "tap.h"

static char tmp[PATH_MAX], src[PATH_MAX], err[1024];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

/* A whole file into a malloc'd string, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;

    if (f == NULL)
        return NULL;
    do {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = n + 8192);
            if (nb == NULL)
                break;
            buf = nb;
        }
        got = fread(buf + n, 1, 4096, f);
        n += got;
    } while (got > 0);
    fclose(f);
    if (buf != NULL)
        buf[n] = '\0';
    return buf;
}

static void copy_in(const char *rel, const char *name)
{
    char from[PATH_MAX + 64], to[PATH_MAX + 64];
    char *text;

    snprintf(from, sizeof from, "%s/%s", src, rel);
    snprintf(to, sizeof to, "%s/%s", tmp, name);
    text = slurp(from);
    write_file(to, text != NULL ? text : "");
    free(text);
}

static void setup(void)
{
    static const char *const files[] = {"a.example.crt", "a.example.key", "b.example.crt",
                                        "b.example.key", "ca.pem",        "edge.pem",
                                        "edge.key",      "a.pem",         "a.key"};
    const char *data = getenv("EF_TEST_DATA");
    char path[PATH_MAX + 64];

    snprintf(src, sizeof src, "%s/../..", data != NULL ? data : "tests/data");
    snprintf(tmp, sizeof tmp, "/tmp/ef_config_XXXXXX");
    if (mkdtemp(tmp) == NULL)
        abort();
    snprintf(path, sizeof path, "%s/certs", tmp);
    mkdir(path, 0700);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/certs/%s", tmp, files[i]);
        write_file(path, "not parsed here\n");
    }
    copy_in("examples/enumfedd.conf", "enumfedd.conf");
    copy_in("examples/a.example.conf", "a.example.conf");
    copy_in("examples/b.example.conf", "b.example.conf");
    copy_in("examples/e164.zone", "e164.zone");
    snprintf(path, sizeof path, "%s/demo", tmp);
    mkdir(path, 0700);
    copy_in("examples/demo/e164.zone", "demo/e164.zone");
    copy_in("examples/demo/a.example.zone", "demo/a.example.zone");
    copy_in("examples/demo/b.example.zone", "demo/b.example.zone");
}

static int load(const char *name, efd_config_t **cfg)
{
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/%s", tmp, name);
    err[0] = '\0';
    return efd_config_load(path, cfg, err, sizeof err);
}

static char *dump_text(const efd_config_t *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    efd_config_dump(cfg, f);
    fclose(f);
    return buf;
}

static void test_demo(void)
{
    efd_config_t *a = NULL, *b = NULL;
    const efd_peer_t *p;

    CHECK_INT(load("a.example.conf", &a), 0);
    CHECK_INT(load("b.example.conf", &b), 0);
    if (a == NULL || b == NULL)
        goto done;
    CHECK_INT(a->n_domains, 1);
    CHECK_STR(a->domains[0], "a.example");
    CHECK_INT(a->n_listen, 2);
    CHECK_INT(a->listen[0].side, EFD_SIDE_INTERNAL);
    CHECK_INT(a->listen[0].transport, EF_TRANSPORT_UDP);
    CHECK_STR(a->listen[0].address, "127.0.0.1");
    CHECK_INT(a->listen[0].port, 5070);
    CHECK_INT(a->listen[1].side, EFD_SIDE_FEDERATION);
    CHECK_INT(a->listen[1].transport, EF_TRANSPORT_TLS);
    CHECK_INT(a->listen[1].port, 5061);
    CHECK_STR(a->next_hop.host, "127.0.0.1");
    CHECK_INT(a->next_hop.port, 5080);
    CHECK_INT(a->next_hop.transport, EF_TRANSPORT_UDP);
    CHECK_STR(b->listen[1].address, "127.0.0.2");
    CHECK_STR(b->next_hop.host, ""); /* B is its community's registrar: no next hop */
    CHECK(strstr(b->store, "/b-store.db") != NULL && b->store[0] == '/');
    p = efd_config_peer(a, "B.EXAMPLE.", 10);
    CHECK(p != NULL);
    if (p != NULL) /* A finds B's edge in DNS: no static route */
        CHECK_STR(p->route.host, "");
    p = efd_config_peer(b, "a.example", 9);
    CHECK(p != NULL);
    if (p != NULL) { /* B has a static route to A */
        CHECK_STR(p->route.host, "127.0.0.1");
        CHECK_INT(p->route.port, 5061);
        CHECK_INT(p->route.transport, EF_TRANSPORT_TLS);
    }
    CHECK(efd_config_peer(a, "a.example", 9) == NULL);
    CHECK(efd_config_is_local(a, "A.Example.", 10));
    CHECK(efd_config_is_local(a, "a.example.org", 9)); /* len limits the compare */
    CHECK(!efd_config_is_local(a, "a.example.org", 13));
    CHECK(!efd_config_is_local(a, "b.example", 9));
    CHECK(!efd_config_is_local(a, "a.exampl", 8));
    CHECK_INT(a->n_enum_zones, 3);
    CHECK(strstr(a->enum_zones[0], "/demo/e164.zone") != NULL && a->enum_zones[0][0] == '/');
    CHECK(strstr(a->tls_certificate, "/certs/a.example.crt") != NULL);
    CHECK(strstr(b->tls_key, "/certs/b.example.key") != NULL);
done:
    efd_config_free(a);
    efd_config_free(b);
}

/* The sample sets every setting of the table, and enumfedd.conf(5) names each. */
static void test_sample_complete(void)
{
    char path[PATH_MAX + 64];
    char *man;
    config_t lc;
    const config_setting_t *l0 = NULL, *p0 = NULL;
    const efd_setting_info_t *info;
    int missing_sample = 0, missing_man = 0, n = 0;

    snprintf(path, sizeof path, "%s/docs/enumfedd.conf.5", src);
    man = slurp(path);
    CHECK(man != NULL);
    config_init(&lc);
    snprintf(path, sizeof path, "%s/enumfedd.conf", tmp);
    CHECK(config_read_file(&lc, path) == CONFIG_TRUE);
    if (config_lookup(&lc, "listen") != NULL)
        l0 = config_setting_get_elem(config_lookup(&lc, "listen"), 0);
    if (config_lookup(&lc, "federation.peers") != NULL)
        p0 = config_setting_get_elem(config_lookup(&lc, "federation.peers"), 0);
    for (size_t i = 0; (info = efd_config_setting(i)) != NULL; i++, n++) {
        const char *br = strstr(info->name, "[].");
        bool in;
        const config_setting_t *g = strncmp(info->name, "listen", 6) == 0 ? l0 : p0;
        if (br != NULL)
            in = g != NULL && config_setting_get_member(g, br + 3) != NULL;
        else
            in = config_lookup(&lc, info->name) != NULL;
        if (!in && ++missing_sample)
            printf("# not in the sample: %s\n", info->name);
        if ((man == NULL || strstr(man, info->name) == NULL) && ++missing_man)
            printf("# not in enumfedd.conf.5: %s\n", info->name);
    }
    CHECK(n > 40);
    CHECK_INT(missing_sample, 0);
    CHECK_INT(missing_man, 0);
    config_destroy(&lc);
    free(man);
}

static void test_sample(void)
{
    efd_config_t *c = NULL;

    CHECK_INT(load("enumfedd.conf", &c), 0);
    if (err[0] != '\0')
        printf("# %s\n", err);
    if (c == NULL)
        return;
    CHECK(c->n_domains >= 1);
    CHECK(c->n_peers >= 1);
    CHECK_INT(c->n_enum_suffixes, 1);
    CHECK_STR(c->enum_suffixes[0], "e164.arpa");
    efd_config_free(c);
}

#define MIN_CONF                                                                                   \
    "domains = [ \"a.example\" ];\n"                                                               \
    "listen = ( { side = \"internal\"; address = \"127.0.0.1\"; },\n"                              \
    "           { side = \"federation\"; address = \"::1\"; } );\n"                                \
    "internal = { next_hop = \"ua.a.example\"; };\n"                                               \
    "tls = { certificate = \"certs/a.pem\"; key = \"certs/a.key\"; ca = \"certs/ca.pem\"; };\n"

static void test_defaults(void)
{
    efd_config_t *c = NULL;
    char path[PATH_MAX + 64];

    snprintf(path, sizeof path, "%s/min.conf", tmp);
    write_file(path, MIN_CONF);
    CHECK_INT(load("min.conf", &c), 0);
    if (c == NULL)
        return;
    CHECK_INT(c->workers, 1);
    CHECK_INT(c->log_level, EFD_LOG_NOTICE);
    CHECK(!c->log_syslog);
    CHECK_STR(c->pid_file, "");
    CHECK_INT(c->listen[0].transport, EF_TRANSPORT_UDP);
    CHECK_INT(c->listen[0].port, 5060);
    CHECK_INT(c->listen[1].transport, EF_TRANSPORT_TLS);
    CHECK_INT(c->listen[1].port, 5061);
    CHECK_STR(c->next_hop.host, "ua.a.example");
    CHECK_INT(c->next_hop.port, 0);
    CHECK_INT(c->next_hop.transport, EF_TRANSPORT_UDP);
    CHECK_STR(c->users_file, "");
    CHECK(!c->answer_options);
    CHECK_INT(c->harvesting, EFD_HARVEST_REJECT);
    CHECK_INT(c->tls_verify_depth, 5);
    CHECK(!c->allow_tcp);
    CHECK_INT(c->max_connections, 4);
    CHECK_INT(c->max_inbound_per_peer, 8);
    CHECK_INT(c->max_inbound_total, 256);
    CHECK_INT(c->idle_timeout, 600);
    CHECK_INT(c->hold_after_4xx, 60);
    CHECK_INT(c->max_record_route, 2048);
    CHECK_INT(c->max_message, 65535);
    CHECK_INT(c->n_peers, 0);
    CHECK_INT(c->n_enum_suffixes, 1);
    CHECK_STR(c->enum_suffixes[0], "e164.arpa");
    CHECK_INT(c->n_enum_services, 2);
    CHECK_STR(c->enum_services[0], "im");
    CHECK_STR(c->enum_services[1], "sip");
    CHECK_INT(c->n_enum_zones, 0);
    CHECK_INT(c->dnssec, EF_DNSSEC_VALIDATE);
    CHECK_STR(c->trust_param, "trust");
    CHECK_STR(c->assert_level, "verified");
    CHECK_INT(c->n_trusted_levels, 1);
    CHECK(c->rate_sender.rate == 1.0 && c->rate_sender.burst == 10.0);
    CHECK(c->rate_recipient.rate == 5.0 && c->rate_recipient.burst == 20.0);
    CHECK(c->rate_peer.rate == 100.0 && c->rate_peer.burst == 200.0);
    CHECK(c->rate_trusted_sender.rate == 10.0 && c->rate_trusted_sender.burst == 50.0);
    CHECK_INT(c->timer_t1_ms, 500);
    CHECK_INT(c->timer_b_ms, 32000);
    CHECK_INT(c->connect_timeout_ms, 5000);
    efd_config_free(c);
}

/* A broken config: each NULL part is the valid default part, "" leaves it out. */
typedef struct {
    const char *domains, *listen, *internal, *tls, *fed, *extra;
    const char *expect; /* NULL: the config is valid */
} bad_t;

#define DOM_OK "domains = [ \"a.example\" ];\n"
#define LIS_OK                                                                                     \
    "listen = ( { side = \"internal\"; address = \"127.0.0.1\"; port = 5070; },\n"                 \
    "           { side = \"federation\"; address = \"127.0.0.1\"; } );\n"
#define INT_OK "internal = { next_hop = \"127.0.0.1:5080\"; };\n"
#define TLS_OK                                                                                     \
    "tls = { certificate = \"certs/a.pem\"; key = \"certs/a.key\"; ca = \"certs/ca.pem\"; };\n"
#define FED_OK                                                                                     \
    "federation = { peers = ( { domain = \"b.example\"; route = \"127.0.0.2:5061\"; } ); };\n"
#define LISTEN(fed) "listen = ( { side = \"internal\"; address = \"127.0.0.1\"; }, " fed " );\n"
#define PEER(x) "federation = { peers = ( { domain = \"b.example\"; " x " } ); };\n"
#define ROUTE(r) PEER("route = \"" r "\";")

static const bad_t bad[] = {
    {.expect = NULL},
    {.extra = "foo = 1;\n", .expect = ":7: foo: unknown setting"},
    {.fed = "federation = { max_conections = 4; };\n",
     .expect = "federation.max_conections: unknown setting"},
    {.extra = "log = { level = \"info\"; colour = true; };\n",
     .expect = "log.colour: unknown setting"},
    {.listen = LISTEN("{ side = \"federation\"; address = \"::1\"; prot = 5061; }"),
     .expect = "listen[1].prot: unknown setting"},
    {.fed = PEER("route = \"\"; weight = 1;"), .expect = "federation.peers[0].weight: unknown"},
    {.extra = "log = 5;\n", .expect = "log: must be a group"},
    {.extra = "federation2 = { };\n", .expect = "federation2: unknown setting"},
    {.listen = LISTEN("{ side = \"federation\"; address = \"::1\"; port = 0; }"),
     .expect = "listen[1].port: must be 1..65535"},
    {.listen = LISTEN("{ side = \"federation\"; address = \"::1\"; port = 70000; }"),
     .expect = "listen[1].port: must be 1..65535"},
    {.fed = "federation = {\n  max_connections = 65;\n};\n",
     .expect = "x.conf:7: federation.max_connections: must be 1..64"},
    {.fed = "federation = { max_connections = 0; };\n",
     .expect = "federation.max_connections: must be 1..64"},
    {.fed = "federation = { peers = ( { domain = \"b.example\"; }, { domain = \"B.Example.\"; } "
            "); };\n",
     .expect = "federation.peers[1]: b.example is listed twice"},
    {.fed = PEER("") "",
     .domains = "domains = [ \"a.example\", \"b.example\" ];\n",
     .expect = "federation.peers[0]: b.example is one of our own domains"},
    {.fed = "federation = { peers = ( { domain = \"A.EXAMPLE.\"; } ); };\n",
     .expect = "a.example is one of our own domains"},
    {.listen = "listen = ( { side = \"internal\"; transport = \"tls\"; address = \"127.0.0.1\"; },"
               " { side = \"federation\"; address = \"::1\"; } );\n",
     .expect = "listen[0].transport: the internal side takes udp or tcp"},
    {.listen = LISTEN("{ side = \"federation\"; transport = \"udp\"; address = \"::1\"; }"),
     .expect = "listen[1].transport: the federation side takes tls"},
    {.listen = LISTEN("{ side = \"federation\"; transport = \"tcp\"; address = \"::1\"; }"),
     .expect = "needs federation.allow_tcp"},
    {.listen = LISTEN("{ side = \"federation\"; transport = \"tcp\"; address = \"::1\"; }"),
     .fed = "federation = { allow_tcp = true; };\n",
     .expect = NULL},
    {.listen = LISTEN("{ side = \"federation\"; transport = \"sctp\"; address = \"::1\"; }"),
     .expect = "listen[1].transport: must be udp|tcp|tls, not \"sctp\""},
    {.listen = LISTEN("{ side = \"outside\"; address = \"::1\"; }"),
     .expect = "listen[1].side: must be internal|federation"},
    {.listen = LISTEN("{ side = \"federation\"; address = \"localhost\"; }"),
     .expect = "listen[1].address: must be a numeric IPv4 or IPv6 address"},
    {.listen = LISTEN("{ side = \"federation\"; }"), .expect = "listen[1].address: missing"},
    {.listen = "listen = ( { side = \"internal\"; address = \"127.0.0.1\"; } );\n",
     .expect = "listen: needs at least one internal and one federation entry"},
    {.listen = LISTEN("{ side = \"federation\"; address = \"127.0.0.1\"; port = 5061; }, "
                      "{ side = \"federation\"; address = \"127.0.0.1\"; port = 5061; }"),
     .expect = "listen[2].transport: 127.0.0.1 port 5061 is already listened on by listen[1]"},
    {.listen = "listen = [ 1, 2 ];\n", .expect = "listen: must be a list of groups"},
    {.listen = "listen = ( 1 );\n", .expect = "listen[0]: must be a group"},
    {.tls = "", .expect = "tls.certificate: required with a tls listener or any peer"},
    {.tls = "tls = { certificate = \"certs/a.pem\"; key = \"certs/a.key\"; };\n",
     .expect = "tls.ca: required"},
    {.tls = "tls = { certificate = \"certs/none.pem\"; key = \"certs/a.key\"; ca = \"c\"; };\n",
     .expect = "/certs/none.pem: No such file or directory"},
    {.tls = "tls = { certificate = \"certs\"; key = \"certs/a.key\"; ca = \"certs/ca.pem\"; };\n",
     .expect = "tls.certificate: ",
     .extra = "# a directory is not a regular file\n"},
    {.tls = "tls = { certificate = \"certs\"; key = \"certs/a.key\"; ca = \"certs/ca.pem\"; };\n",
     .expect = "/certs: not a regular file"},
    {.tls = "tls = { verify_depth = 0; };\n", .expect = "tls.verify_depth: must be 1..16"},
    {.fed = ROUTE("127.0.0.2:99999"), .expect = "federation.peers[0].route: port must be 1..65535"},
    {.fed = ROUTE("127.0.0.2:"), .expect = "port must be 1..65535"},
    {.fed = ROUTE("::1:5061"), .expect = "needs brackets"},
    {.fed = ROUTE("[::1]:5061;transport=sctp"), .expect = "transport must be tls, tcp or udp"},
    {.fed = ROUTE("[::1]:5061;lr"), .expect = "the only parameter is ;transport="},
    {.fed = ROUTE("[::g]:5061"), .expect = "not an IPv6 address"},
    {.fed = ROUTE("edge_b.example"), .expect = "not a valid host name"},
    {.fed = ROUTE("edge..b.example"), .expect = "empty label"},
    {.fed = ROUTE("[::1]:5061;transport=TLS"), .expect = NULL},
    {.fed = ROUTE("Edge.B.Example.:5061"), .expect = NULL},
    {.fed = ROUTE("127.0.0.2;transport=udp"), .expect = "route: peers are reached over tls"},
    {.fed = ROUTE("127.0.0.2;transport=tcp"), .expect = "route: tcp needs federation.allow_tcp"},
    {.fed = PEER("max_connections = 65;"), .expect = "federation.peers[0].max_connections"},
    {.fed = PEER("notify_interval = -1.0;"), .expect = "notify_interval: must be 0.."},
    {.fed = "federation = { peers = ( { domain = \"192.0.2.1\"; } ); };\n",
     .expect = "all-numeric top-level label"},
    {.fed = "federation = { peers = ( { route = \"127.0.0.2\"; } ); };\n",
     .expect = "federation.peers[0].domain: missing"},
    {.internal = "internal = { next_hop = \"127.0.0.1:5080;transport=ws\"; };\n",
     .expect = "internal.next_hop: transport must be"},
    {.internal = "", .expect = "internal.next_hop: must name a host"},
    {.internal = "internal = { next_hop = \"\"; };\n", .expect = "internal.next_hop: must name"},
    {.internal = "internal = { next_hop = \"127.0.0.1\"; harvesting = \"drop\"; };\n",
     .expect = "internal.harvesting: must be reject|silent"},
    {.internal = "internal = { next_hop = \"127.0.0.1\"; users = \"users.txt\"; };\n",
     .expect = "internal.users: "},
    {.internal = "internal = { next_hop = \"127.0.0.1\"; answer_options = 1; };\n",
     .expect = "internal.answer_options: must be true or false"},
    {.extra = "log = { level = \"verbose\"; };\n",
     .expect = "log.level: must be err|warn|notice|info|debug, not \"verbose\""},
    {.extra = "enum = { dnssec = \"maybe\"; };\n", .expect = "enum.dnssec: must be off|validate"},
    {.extra = "enum = { services = [ \"E2U+sip\" ]; };\n", .expect = "not an Enumservice"},
    {.extra = "enum = { services = [ \"sip\", \"sip\" ]; };\n", .expect = "listed twice"},
    {.extra = "enum = { services = [ ]; };\n", .expect = "enum.services: must have 1..8"},
    {.extra = "enum = { suffixes = [ \"e164.arpa\", \"E164.ARPA.\" ]; };\n",
     .expect = "enum.suffixes: \"e164.arpa\" is listed twice"},
    {.extra = "enum = { zones = [ \"nothere.zone\" ]; };\n", .expect = "enum.zones[0]: /"},
    {.extra = "enum = { server = \"::1\"; };\n", .expect = "enum.server: an IPv6 address needs"},
    {.extra = "enum = { server = \"[::1]:53\"; };\n", .expect = NULL},
    {.extra = "enum = { suffixes = 1; };\n", .expect = "enum.suffixes: must be a list"},
    {.domains = "domains = [ ];\n", .expect = "domains: must have 1..16 entries"},
    {.domains = "", .expect = "domains: must have 1..16 entries"},
    {.domains = "domains = [ \"a..example\" ];\n", .expect = "domains[0]: empty label"},
    {.domains = "domains = [ \"-a.example\" ];\n", .expect = "not a valid host name"},
    {.domains = "domains = [ \"a.example\", \"A.EXAMPLE.\" ];\n",
     .expect = "domains: \"a.example\" is listed twice"},
    {.domains = "domains = ( \"a.example\", 5 );\n", .expect = "domains[1]: must be a string"},
    {.domains = "domains = [ \"a.example\", 5 ];\n", .expect = ":1: mismatched element type"},
    {.extra = "workers = 0;\n", .expect = "workers: must be 1..64"},
    {.extra = "workers = 65;\n", .expect = "workers: must be 1..64"},
    {.extra = "workers = \"2\";\n", .expect = "workers: must be an integer"},
    {.extra = "workers = 2.0;\n", .expect = "workers: must be an integer"},
    {.extra = "policy = { rate_sender = { rate = -1.0; }; };\n",
     .expect = "policy.rate_sender.rate: must be 0.."},
    {.extra = "policy = { rate_peer = { rate = 1; burst = 0.5; }; };\n",
     .expect = "policy.rate_peer.burst: must be at least 1"},
    {.extra = "policy = { rate_peer = { rate = 0; burst = 0.0; }; };\n", .expect = NULL},
    {.extra = "policy = { trust_param = \"a b\"; };\n", .expect = "policy.trust_param: not"},
    {.extra = "policy = { trusted_levels = [ \"\" ]; };\n", .expect = "policy.trusted_levels"},
    {.extra = "timers = { t1_ms = 500; b_ms = 400; };\n",
     .expect = "timers.b_ms: must not be less than timers.t1_ms"},
    {.extra = "timers = { t1_ms = 0; };\n", .expect = "timers.t1_ms: must be 1..60000"},
    {.extra = "federation = { max_inbound_per_peer = 300; };\n",
     .fed = "",
     .expect = "must not exceed federation.max_inbound_total"},
    {.extra = "log = { };\nworkers = = 2;\n", .expect = "x.conf:8: syntax error"},
    {.extra = "workers = 2;\ncommunity = { store = \"s.db\"; };\n",
     .expect = "workers: must be 1 with community.store"},
};

static const char *part(const char *p, const char *def)
{
    return p != NULL ? p : def;
}

static void test_bad(void)
{
    char path[PATH_MAX + 64], text[4096];

    snprintf(path, sizeof path, "%s/x.conf", tmp);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const bad_t *b = &bad[i];
        efd_config_t *c = NULL;
        int rc;
        snprintf(text, sizeof text, "%s%s%s%s%s%s", part(b->domains, DOM_OK),
                 part(b->listen, LIS_OK), part(b->internal, INT_OK), part(b->tls, TLS_OK),
                 part(b->fed, FED_OK), part(b->extra, ""));
        write_file(path, text);
        rc = load("x.conf", &c);
        if (b->expect == NULL) {
            CHECK_INT(rc, 0);
            if (rc != 0)
                printf("# case %zu: %s\n", i, err);
        } else {
            CHECK_INT(rc, EF_ECONFIG);
            CHECK(c == NULL);
            CHECK(strstr(err, b->expect) != NULL);
            if (strstr(err, b->expect) == NULL)
                printf("# case %zu: got \"%s\", expected \"%s\"\n", i, err, b->expect);
        }
        efd_config_free(c);
    }
}

/* Dump, load the dump, dump again: same text, and the same values. */
static void roundtrip(const char *name)
{
    efd_config_t *c = NULL, *d = NULL;
    char path[PATH_MAX + 64], *t1 = NULL, *t2 = NULL;

    CHECK_INT(load(name, &c), 0);
    if (c == NULL)
        return;
    t1 = dump_text(c);
    snprintf(path, sizeof path, "%s/dump.conf", tmp);
    write_file(path, t1 != NULL ? t1 : "");
    CHECK_INT(load("dump.conf", &d), 0);
    if (d == NULL) {
        printf("# %s\n", err);
        goto done;
    }
    t2 = dump_text(d);
    CHECK(t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0);
    CHECK_INT(efd_config_reload_check(c, d, path, sizeof path), 0);
    CHECK_INT(d->n_peers, c->n_peers);
    CHECK_INT(d->n_listen, c->n_listen);
    CHECK(memcmp(d->listen, c->listen, sizeof c->listen[0] * c->n_listen) == 0);
    CHECK(d->rate_sender.rate == c->rate_sender.rate);
    CHECK(d->rate_trusted_sender.burst == c->rate_trusted_sender.burst);
    CHECK_STR(d->tls_certificate, c->tls_certificate);
    CHECK_INT(d->next_hop.port, c->next_hop.port);
    CHECK_STR(d->next_hop.host, c->next_hop.host);
done:
    free(t1);
    free(t2);
    efd_config_free(c);
    efd_config_free(d);
}

static void test_roundtrip(void)
{
    char path[PATH_MAX + 64];

    roundtrip("enumfedd.conf");
    roundtrip("a.example.conf");
    roundtrip("b.example.conf");
    snprintf(path, sizeof path, "%s/odd.conf", tmp);
    write_file(path, DOM_OK LIS_OK
               "internal = { next_hop = \"[2001:db8::1]:5080;transport=tcp\"; };\n"
               "federation = { peers = ( { domain = \"b.example\"; route = \"[::1]\"; "
               "notify_interval = 0.1; }, { domain = \"c.example\"; } ); };\n"
               "tls = { certificate = \"certs/a.pem\"; key = \"certs/a.key\"; ca = "
               "\"certs/ca.pem\"; ciphers = \"HIGH:!a\\\"q\\\\\"; };\n"
               "policy = { rate_sender = { rate = 0.3; burst = 1e3; }; };\n");
    roundtrip("odd.conf");
}

static void test_relative(void)
{
    char path[PATH_MAX + 64], real[PATH_MAX], cwd[PATH_MAX], want[PATH_MAX + 64];
    efd_config_t *c = NULL;

    snprintf(path, sizeof path, "%s/sub", tmp);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sub/certs", tmp);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/sub/certs/c.pem", tmp);
    write_file(path, "x\n");
    snprintf(path, sizeof path, "%s/sub/r.conf", tmp);
    write_file(path, DOM_OK LIS_OK INT_OK FED_OK
               "tls = { certificate = \"certs/c.pem\"; key = \"../certs/a.key\";\n"
               "        ca = \"/dev/null/x\"; };\n");
    CHECK_INT(load("sub/r.conf", &c), EF_ECONFIG);
    CHECK(strstr(err, "tls.ca: /dev/null/x:") != NULL); /* absolute names stay as they are */
    write_file(path, DOM_OK LIS_OK INT_OK FED_OK
               "tls = { certificate = \"certs/c.pem\"; key = \"../certs/a.key\";\n"
               "        ca = \"certs/c.pem\"; };\n");
    CHECK(realpath(tmp, real) != NULL);
    /* Loaded by a relative name from elsewhere: names follow the file, not the cwd. */
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_INT(chdir(real), 0);
    err[0] = '\0';
    CHECK_INT(efd_config_load("sub/r.conf", &c, err, sizeof err), 0);
    CHECK_INT(chdir("/"), 0);
    if (c != NULL) {
        snprintf(want, sizeof want, "%s/sub/certs/c.pem", real);
        CHECK_STR(c->tls_certificate, want);
        snprintf(want, sizeof want, "%s/sub/../certs/a.key", real);
        CHECK_STR(c->tls_key, want);
        snprintf(want, sizeof want, "%s/sub/r.conf", real);
        CHECK_STR(c->path, want);
        efd_config_free(c);
    }
    CHECK_INT(chdir(cwd), 0);
}

static void test_reload_check(void)
{
    efd_config_t *a = NULL, *b = NULL;
    char name[64] = "";

    CHECK_INT(load("a.example.conf", &a), 0);
    CHECK_INT(load("a.example.conf", &b), 0);
    if (a == NULL || b == NULL)
        goto done;
    b->log_level = EFD_LOG_DEBUG;
    b->max_connections = 9;
    b->n_peers = 0;
    CHECK_INT(efd_config_reload_check(a, b, name, sizeof name), 0);
    b->listen[0].port = 5071;
    CHECK_INT(efd_config_reload_check(a, b, name, sizeof name), EF_ECONFIG);
    CHECK_STR(name, "listen");
    b->listen[0].port = a->listen[0].port;
    b->workers = 2;
    CHECK_INT(efd_config_reload_check(a, b, name, sizeof name), EF_ECONFIG);
    CHECK_STR(name, "workers");
done:
    efd_config_free(a);
    efd_config_free(b);
}

static void test_misc(void)
{
    efd_config_t *c = (efd_config_t *)1;
    char path[PATH_MAX + 64];

    CHECK_INT(efd_config_load("/nonexistent/enumfedd.conf", &c, err, sizeof err), EF_ECONFIG);
    CHECK(c == NULL);
    CHECK(strstr(err, "/nonexistent/enumfedd.conf: No such file") != NULL);
    snprintf(path, sizeof path, "%s/inc.conf", tmp);
    write_file(path, "@include \"min.conf\"\nworkers = 3;\n");
    CHECK_INT(load("inc.conf", &c), 0);
    CHECK(c != NULL && c->workers == 3);
    efd_config_free(c);
    efd_config_free(NULL);
    CHECK(efd_config_setting(0) != NULL);
    CHECK(efd_config_setting(100000) == NULL);
}

int main(void)
{
    char cmd[PATH_MAX + 16];

    setup();
    test_sample();
    test_sample_complete();
    test_demo();
    test_defaults();
    test_bad();
    test_roundtrip();
    test_relative();
    test_reload_check();
    test_misc();
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmp);
    TAP_DONE();
}
