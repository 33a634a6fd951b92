/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_lint.c -- unit tests for lint.c: crafted NAPTR rdata for each check
 * (the Enumservice -> URI scheme table, the '+' and anchor rules, the AUS
 * built from the owner name, non-terminal loops and zone boundaries), and the
 * test zones of tests/data/lint/ (clean.zone: no finding; mistakes.zone: the
 * exact codes of each owner), found through EF_TEST_DATA; and the registry
 * checks against a database imported from the IANA registry copy, then
 * updated with sip DEPRECATED and a Type-only "web" OBSOLETE.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include "enumfed/lint.h"
#include "rdata.h"
#include "tap.h"

#define APEX "0.6.9.2.3.6.1.4.4.e164.arpa."
#define CODES_MAX 512

static ef_reg_t *registry; /* given to every zone lint() builds; NULL: none */

typedef struct {
    const char *owner;
    uint16_t order, pref;
    const char *flags, *services, *regexp, *replacement;
} rec_t;

static size_t build(const rec_t *r, uint8_t *buf)
{
    size_t n = 0;

    buf[n++] = (uint8_t)(r->order >> 8);
    buf[n++] = (uint8_t)r->order;
    buf[n++] = (uint8_t)(r->pref >> 8);
    buf[n++] = (uint8_t)r->pref;
    put_string(buf, &n, r->flags);
    put_string(buf, &n, r->services);
    put_string(buf, &n, r->regexp);
    put_name(buf, &n, r->replacement);
    return n;
}

/* The codes of every finding, space-separated, into out. */
static void codes_of(const ef_lint_finding_t *f, size_t n, const char *owner, char *out)
{
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (owner != NULL && strcmp(f[i].owner, owner) != 0)
            continue;
        if (out[0] != '\0')
            strcat(out, " ");
        strcat(out, f[i].code);
    }
}

/* Lint the records as one zone under `apex`; the codes of all findings. */
static const char *lint(const char *apex, const rec_t *recs, size_t n)
{
    static char out[CODES_MAX];
    const ef_lint_finding_t *f;
    ef_lint_zone_t *z = ef_lint_zone_new(apex);
    uint8_t buf[1024];
    size_t nf = 0;

    for (size_t i = 0; i < n; i++)
        CHECK_INT(ef_lint_zone_add(z, recs[i].owner, buf, build(&recs[i], buf), NULL), 0);
    ef_lint_zone_set_registry(z, registry);
    CHECK_INT(ef_lint_zone_check(z, &f, &nf), 0);
    codes_of(f, nf, NULL, out);
    ef_lint_zone_free(z);
    return out;
}

#define LINT1(owner, flags, svc, re, repl)                                                         \
    lint(APEX, (rec_t[]){{owner, 100, 10, flags, svc, re, repl}}, 1)

static void test_scheme_table(void)
{
    const char *o = "1.0.0." APEX;

    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!sips:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!tel:+441632960001!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+im", "!^.*$!im:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+pres", "!^.*$!pres:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+pres", "!^.*$!im:a@example.com!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+voice:tel", "!^(.*)$!tel:\\1!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+fax:tel", "!^.*$!sip:a@example.com!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+sms:tel", "!^.*$!mailto:a@example.com!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+email:mailto", "!^.*$!mailto:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+web:http", "!^.*$!https://example.com/!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+web:https", "!^.*$!https://example.com/!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+voice:tel+sms:tel", "!^.*$!sip:a@example.com!", "."),
              "uri-scheme");
    /* not in the table, or a redirection: no scheme check */
    CHECK_STR(LINT1(o, "u", "E2U+h323", "!^.*$!sip:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+im", "!^.*$!enum:+441632960002!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+IM", "!^.*$!sip:a@example.com!", "."),
              "enumservice-case uri-scheme");
}

/* The AUS is the owner's number: a rule matching only another number yields nothing. */
static void test_sample_aus(void)
{
    const char *re = "!^\\+441632960099$!sip:a@example.com!";

    CHECK_STR(LINT1("9.9.0." APEX, "u", "E2U+im", re, "."), "uri-scheme");
    CHECK_STR(LINT1("1.9.0." APEX, "u", "E2U+im", re, "."), "");
    /* apex above the digits: the number still comes from every digit label */
    CHECK_STR(lint("e164.arpa.", (rec_t[]){{"9.9.0." APEX, 100, 10, "u", "E2U+im", re, "."}}, 1),
              "uri-scheme");
    /* not all-digit labels: the sample number +441632960083 */
    CHECK_STR(LINT1("_x." APEX, "u", "E2U+im", re, "."), "");
    CHECK_STR(LINT1("_x." APEX, "u", "E2U+im", "!^\\+441632960083$!sip:a@example.com!", "."),
              "uri-scheme");
}

static void test_regexp(void)
{
    const char *o = "1.0.0." APEX;

    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^\\+44([0-9]+)$!sip:\\1@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^[+]44(.*)$!sip:\\1@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^[^+](.*)$!sip:\\1@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^(+44)(.*)$!sip:\\2@example.com!", "."),
              "regexp-syntax regexp-unescaped-plus");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!sip:a@example.com!I", "."), "regexp-case-flag");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "#^.*$#sip:a@example.com#i", "."),
              "regexp-delimiter regexp-case-flag");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!.*!sip:a@example.com!", "."), "regexp-unanchored");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!sip:a@example.com", "."), "regexp-syntax");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!sip:a\x7f@example.com!", "."),
              "non-ascii uri-syntax");
}

static void test_services(void)
{
    const char *o = "1.0.0." APEX, *re = "!^.*$!sip:a@example.com!";

    CHECK_STR(LINT1(o, "u", "E2U", re, "."), "services-syntax");
    CHECK_STR(LINT1(o, "u", "", re, "."), "not-enum");
    CHECK_STR(LINT1(o, "u", "sip+E2U", re, "."), "obsolete-syntax");
    CHECK_STR(LINT1(o, "u", "E2U+P-sip", re, "."), "private-enumservice enumservice-case");
    CHECK_STR(LINT1(o, "u", "E2U+x-sip", re, "."), "experimental-enumservice");
    CHECK_STR(LINT1(o, "u", "E2U+e2ux", re, "."), "enumservice-name");
    CHECK_STR(LINT1(o, "u", "E2U+-a", re, "."), "enumservice-name");
    CHECK_STR(LINT1(o, "u", "E2U+a-b", re, "."), "enumservice-name");
    CHECK_STR(LINT1(o, "u", "E2U+voice:-tel", re, "."), "enumservice-name");
    CHECK_STR(LINT1(o, "u", "E2U+ab-c:dd:ef-g", re, "."), "");
    CHECK_STR(LINT1(o, "a", "E2U+sip", "", "_sip._udp.example.com."), "unknown-flags");
    CHECK_STR(LINT1(o, "u", "E2U+sip", re, "x.example.com."), "terminal-regexp-and-replacement");
}

static void test_fields(void)
{
    const char *o = "1.0.0." APEX, *re = "!^.*$!sip:a@example.com!";

    CHECK_STR(lint(APEX, (rec_t[]){{o, 10, 10, "u", "E2U+sip", re, "."}}, 1), "order-not-100");
    CHECK_STR(lint(APEX,
                   (rec_t[]){{o, 100, 10, "u", "E2U+sip", re, "."},
                             {"2.0.0." APEX, 100, 10, "u", "E2U+sip", re, "."},
                             {"1.0.0.0.6.9.2.3.6.1.4.4.E164.ARPA", 100, 10, "u", "E2U+im",
                              "!^.*$!im:a@example.com!", "."}},
                   3),
              "same-order-pref");
}

static void test_nonterminal(void)
{
    const char *a = "1.0.0." APEX, *b = "2.0.0." APEX, *c = "3.0.0." APEX;

    CHECK_STR(lint(APEX, (rec_t[]){{a, 100, 10, "", "", "", a}}, 1), "nonterminal-loop");
    CHECK_STR(lint(APEX,
                   (rec_t[]){{a, 100, 10, "", "", "", b},
                             {b, 100, 10, "", "", "", c},
                             {c, 100, 10, "", "", "", a}},
                   3),
              "nonterminal-loop nonterminal-loop nonterminal-loop");
    /* a chain that ends in a terminal rule is no loop */
    CHECK_STR(lint(APEX,
                   (rec_t[]){{a, 100, 10, "", "", "", b},
                             {b, 100, 10, "", "", "", c},
                             {c, 100, 10, "u", "E2U+sip", "!^.*$!sip:a@example.com!", "."}},
                   3),
              "");
    /* b -> c -> b loops; a only leads into it */
    CHECK_STR(lint(APEX,
                   (rec_t[]){{a, 100, 10, "", "", "", b},
                             {b, 100, 10, "", "", "", c},
                             {c, 100, 10, "", "", "", b}},
                   3),
              "nonterminal-loop nonterminal-loop");
    CHECK_STR(LINT1(a, "", "", "", "."), "nonterminal-no-target");
    CHECK_STR(LINT1(a, "", "", "", "x.e164.arpa."), "nonterminal-leaves-zone");
    CHECK_STR(LINT1(a, "", "", "", "evil" APEX), "nonterminal-leaves-zone");
    CHECK_STR(LINT1(a, "", "E2U+sip", "!^.*$!sip:a@example.com!", b),
              "nonterminal-regexp nonterminal-services");
    CHECK_STR(lint(".", (rec_t[]){{a, 100, 10, "", "", "", "example.com."}}, 1), "");
}

static void test_api(void)
{
    uint8_t buf[64];
    rec_t r = {"1.0.0." APEX, 100, 10, "u", "E2U+sip", "!^.*$!sip:a@example.com!", "."};
    size_t n = build(&r, buf);
    ef_lint_zone_t *z = ef_lint_zone_new("Example.COM");
    ef_perr_t perr = {0};

    CHECK_STR(ef_lint_zone_apex(z), "example.com.");
    CHECK_INT(ef_lint_zone_add(z, "a.example.com", buf, n - 1, &perr), EF_ESYNTAX);
    CHECK(perr.reason != NULL);
    CHECK_INT(ef_lint_zone_add(z, "a.example.com", buf, n, NULL), 0);
    CHECK_INT(ef_lint_zone_records(z), 1);
    CHECK_STR(ef_lint_severity_name(EF_LINT_ERROR), "error");
    CHECK_STR(ef_lint_severity_name(EF_LINT_WARNING), "warning");
    ef_lint_zone_free(z);
    ef_lint_zone_free(NULL);
}

/* The expected codes of each owner of mistakes.zone (relative to its apex). */
static const struct {
    const char *owner, *codes;
} mistakes[] = {
    {"1.0.0", "services-syntax"},
    {"2.0.0", "not-enum"},
    {"3.0.0", "obsolete-syntax"},
    {"4.0.0", "private-enumservice"},
    {"5.0.0", "experimental-enumservice"},
    {"6.0.0", "enumservice-case"},
    {"7.0.0", "enumservice-name"},
    {"8.0.0", "uri-scheme"},
    {"9.0.0", "uri-syntax"},
    {"0.1.0", "regexp-syntax"},
    {"1.1.0", "regexp-unanchored"},
    {"2.1.0", "regexp-case-flag"},
    {"3.1.0", "regexp-syntax regexp-unescaped-plus"},
    {"4.1.0", "regexp-delimiter"},
    {"5.1.0", "terminal-regexp-and-replacement"},
    {"6.1.0", "nonterminal-no-target"},
    {"7.1.0", "nonterminal-regexp"},
    {"8.1.0", "nonterminal-services"},
    {"9.1.0", "nonterminal-leaves-zone"},
    {"0.2.0", "nonterminal-loop"},
    {"1.2.0", "nonterminal-loop"},
    {"2.2.0", "unknown-flags"},
    {"3.2.0", "same-order-pref"},
    {"4.2.0", "order-not-100"},
    {"5.2.0", "non-ascii uri-syntax"},
};

static void test_zones(const char *dir)
{
    char path[512], owner[256], codes[CODES_MAX];
    ef_lint_zone_t *z = NULL;
    const ef_lint_finding_t *f;
    size_t n = 0, errors = 0;
    char errbuf[256];

    snprintf(path, sizeof(path), "%s/lint/clean.zone", dir);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), 0);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(ef_lint_zone_records(z), 12);
    ef_lint_zone_free(z);

    snprintf(path, sizeof(path), "%s/lint/mistakes.zone", dir);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), 0);
    CHECK_STR(ef_lint_zone_apex(z), APEX);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    CHECK_INT(n, 27);
    for (size_t i = 0; i < sizeof(mistakes) / sizeof(mistakes[0]); i++) {
        snprintf(owner, sizeof(owner), "%s.%s", mistakes[i].owner, APEX);
        codes_of(f, n, owner, codes);
        CHECK_STR(codes, mistakes[i].codes);
    }
    for (size_t i = 0; i < n; i++)
        errors += f[i].severity == EF_LINT_ERROR;
    CHECK_INT(errors, 10);
    ef_lint_zone_free(z);
}

/* The first finding of one record checked against `registry`, copied to *out. */
static void first_finding(const rec_t *r, ef_lint_finding_t *out, char *detail, size_t cap)
{
    const ef_lint_finding_t *f;
    ef_lint_zone_t *z = ef_lint_zone_new(APEX);
    uint8_t buf[1024];
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    detail[0] = '\0';
    CHECK_INT(ef_lint_zone_add(z, r->owner, buf, build(r, buf), NULL), 0);
    ef_lint_zone_set_registry(z, registry);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    if (n > 0) {
        *out = f[0];
        snprintf(detail, cap, "%s", f[0].detail != NULL ? f[0].detail : "(null)");
    }
    ef_lint_zone_free(z); /* out's strings are static; the detail was copied */
}

/* Against the IANA registry: unknown, wrong scheme, private, case; the built-in table without. */
static void test_registry_iana(void)
{
    const char *o = "1.0.0." APEX;
    rec_t im_sip = {o, 100, 10, "u", "E2U+im", "!^.*$!sip:a@example.com!", "."};
    ef_lint_finding_t f;
    char detail[256];

    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!sips:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+esx", "!^.*$!sip:a@example.com!", "."),
              "enumservice-unregistered");
    CHECK_STR(LINT1(o, "u", "E2U+voice", "!^.*$!tel:+441632960001!", "."),
              "enumservice-unregistered");
    CHECK_STR(LINT1(o, "u", "E2U+voice:tel", "!^.*$!tel:+441632960001!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+h323", "!^.*$!h323:a@example.com!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+h323", "!^.*$!sip:a@example.com!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+vcard", "!^.*$!HTTPS://example.com/a.vcf!", "."), "");
    CHECK_STR(LINT1(o, "u", "E2U+vcard", "!^.*$!ftp://example.com/a.vcf!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+SIP", "!^.*$!sip:a@example.com!", "."), "enumservice-case");
    CHECK_STR(LINT1(o, "u", "E2U+p-corp", "!^.*$!sip:a@corp.example!", "."), "private-enumservice");
    CHECK_STR(LINT1(o, "u", "E2U+x-trial", "!^.*$!sip:a@example.com!", "."),
              "experimental-enumservice");
    CHECK_STR(LINT1(o, "u", "E2U+esx+im", "!^.*$!im:a@example.com!", "."),
              "enumservice-unregistered");
    CHECK_STR(LINT1(o, "u", "E2U+sip+voice:tel", "!^.*$!sip:a@example.com!", "."), "uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+esx", "!^.*$!enum:+441632960002!", "."),
              "enumservice-unregistered");

    first_finding(&im_sip, &f, detail, sizeof(detail));
    CHECK_STR(f.code, "uri-scheme");
    CHECK_INT(f.severity, EF_LINT_ERROR);
    CHECK_STR(detail, "im registers im");
    CHECK_STR(f.rfc, "RFC 6117 §5.2.4");
    im_sip.services = "E2U+esx";
    first_finding(&im_sip, &f, detail, sizeof(detail));
    CHECK_STR(f.code, "enumservice-unregistered");
    CHECK_INT(f.severity, EF_LINT_WARNING);
    CHECK_STR(detail, "esx");
}

/* With sip DEPRECATED and "web" OBSOLETE. */
static void test_registry_usage(void)
{
    const char *o = "1.0.0." APEX;
    rec_t web = {o, 100, 10, "u", "E2U+web", "!^.*$!http://www.example.com/!", "."};
    ef_lint_finding_t f;
    char detail[256];

    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!sip:a@example.com!", "."), "enumservice-deprecated");
    CHECK_STR(LINT1(o, "u", "E2U+sip", "!^.*$!tel:+441632960001!", "."),
              "enumservice-deprecated uri-scheme");
    CHECK_STR(LINT1(o, "u", "E2U+web:http", "!^.*$!http://www.example.com/!", "."), "");
    first_finding(&web, &f, detail, sizeof(detail));
    CHECK_STR(f.code, "enumservice-obsolete");
    CHECK_STR(detail, "web");
    CHECK_STR(f.rfc, "RFC 6117 §5.2.7");
}

/* Without a registry the built-in table still decides (RFC 5028 §2 for im). */
static void test_registry_none(void)
{
    rec_t im_sip = {"1.0.0." APEX, 100, 10, "u", "E2U+im", "!^.*$!sip:a@example.com!", "."};
    ef_lint_finding_t f;
    char detail[256];

    first_finding(&im_sip, &f, detail, sizeof(detail));
    CHECK_STR(f.code, "uri-scheme");
    CHECK_STR(detail, "im");
    CHECK_STR(f.rfc, "RFC 5028 §2");
    CHECK_STR(LINT1("1.0.0." APEX, "u", "E2U+esx", "!^.*$!sip:a@example.com!", "."), "");
    CHECK_STR(LINT1("1.0.0." APEX, "u", "E2U+h323", "!^.*$!sip:a@example.com!", "."), "");
}

/* clean.zone: clean against the IANA copy; its three sip records once sip is DEPRECATED. */
static void test_registry_clean(const char *dir, const char *expected)
{
    char path[512], codes[CODES_MAX], errbuf[256];
    const ef_lint_finding_t *f;
    ef_lint_zone_t *z = NULL;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/lint/clean.zone", dir);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), 0);
    ef_lint_zone_set_registry(z, registry);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    codes_of(f, n, NULL, codes);
    CHECK_STR(codes, expected);
    ef_lint_zone_free(z);
}

/* registry.zone: the codes of each owner, with the registry and without. */
static void test_registry_zones(const char *dir)
{
    static const struct {
        const char *owner, *codes;
    } want[] = {
        {"1.1.0", ""},
        {"2.1.0", "enumservice-deprecated"},
        {"3.1.0", "enumservice-unregistered enumservice-unregistered"},
        {"4.1.0", "uri-scheme uri-scheme"},
        {"5.1.0", "enumservice-obsolete"},
        {"6.1.0", "private-enumservice"},
    };
    char path[512], owner[256], codes[CODES_MAX], errbuf[256];
    const ef_lint_finding_t *f;
    ef_lint_zone_t *z = NULL;
    size_t n = 0;

    snprintf(path, sizeof(path), "%s/lint/registry.zone", dir);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), 0);
    ef_lint_zone_set_registry(z, registry);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    CHECK_INT(n, 7);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        snprintf(owner, sizeof(owner), "%s.%s", want[i].owner, APEX);
        codes_of(f, n, owner, codes);
        CHECK_STR(codes, want[i].codes);
    }
    ef_lint_zone_set_registry(z, NULL); /* checked again, without */
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    codes_of(f, n, NULL, codes);
    CHECK_STR(codes, "private-enumservice");
    ef_lint_zone_free(z);
}

/* A registry whose table of Enumservices is gone: the lookup error is the check's result. */
static void test_registry_error(const char *db)
{
    ef_lint_zone_t *z = ef_lint_zone_new(APEX);
    rec_t r = {"1.0.0." APEX, 100, 10, "u", "E2U+sip", "!^.*$!sip:a@example.com!", "."};
    const ef_lint_finding_t *f;
    uint8_t buf[256];
    ef_reg_t *reg = NULL;
    sqlite3 *raw = NULL;
    size_t n = 0;

    CHECK_INT(ef_reg_open(db, &reg, NULL, 0), 0);
    ef_reg_close(reg);
    CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
    CHECK_INT(sqlite3_exec(raw, "ALTER TABLE enumservices RENAME TO gone", NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(raw);
    reg = NULL;
    CHECK_INT(ef_reg_open_readonly(db, &reg, NULL, 0), 0);
    CHECK_INT(ef_lint_zone_add(z, r.owner, buf, build(&r, buf), NULL), 0);
    ef_lint_zone_set_registry(z, reg);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), EF_ECONFIG);
    ef_lint_zone_set_registry(z, NULL);
    CHECK_INT(ef_lint_zone_check(z, &f, &n), 0);
    CHECK_INT(n, 0);
    ef_lint_zone_free(z);
    ef_reg_close(reg);
}

/* A database in a temporary directory from the IANA copy, and the updates. */
static void test_registry(const char *data)
{
    static const char *const files[] = {"iana-enum-services.xml", "warn-legacy.xml",
                                        "warn-other-obsolete.xml"};
    char tmp[] = "/tmp/test_lint_reg.XXXXXX", db[64], bad[64], path[512];
    ef_tpl_finding_t tf[64];
    ef_reg_stats_t st;
    ef_reg_t *w = NULL;
    size_t nf;

    if (mkdtemp(tmp) == NULL) {
        CHECK(!"mkdtemp");
        return;
    }
    snprintf(db, sizeof(db), "%s/reg.db", tmp);
    snprintf(bad, sizeof(bad), "%s/bad.db", tmp);
    test_registry_none();
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/templates/%s", data, files[i]);
        CHECK_INT(ef_reg_open(db, &w, NULL, 0), 0);
        CHECK_INT(ef_reg_import_file(w, path, &st, tf, 64, &nf, NULL, 0), 0);
        ef_reg_close(w);
        registry = NULL;
        CHECK_INT(ef_reg_open_readonly(db, &registry, NULL, 0), 0);
        if (i == 0) {
            test_registry_iana();
            test_registry_clean(data, "");
        } else if (i == 2) {
            test_registry_usage();
            test_registry_zones(data);
            test_registry_clean(data, "enumservice-deprecated enumservice-deprecated "
                                      "enumservice-deprecated");
        }
        ef_reg_close(registry);
    }
    registry = NULL;
    test_registry_error(bad);
    unlink(db);
    unlink(bad);
    rmdir(tmp);
}

static void test_load_errors(void)
{
    char path[] = "/tmp/test_lint_XXXXXX", errbuf[256];
    ef_lint_zone_t *z = NULL;
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    fputs("$TTL 60\n1.0 NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:a@example.com!\" .\n", f);
    fclose(f);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), EF_ECONFIG);
    CHECK(strstr(errbuf, "no SOA") != NULL);
    CHECK_INT(ef_lint_zone_load(path, "4.4.e164.arpa", &z, errbuf, sizeof(errbuf)), 0);
    CHECK_STR(ef_lint_zone_apex(z), "4.4.e164.arpa.");
    CHECK_INT(ef_lint_zone_records(z), 1);
    ef_lint_zone_free(z);

    f = fopen(path, "w");
    fputs("$ORIGIN x.\n@ SOA a. b. 1 2 3 4 5\n\nfoo NAPTR 100 bad\n", f);
    fclose(f);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), EF_ESYNTAX);
    CHECK(strstr(errbuf, "line 4: ") != NULL);
    unlink(path);
    CHECK_INT(ef_lint_zone_load(path, NULL, &z, errbuf, sizeof(errbuf)), EF_ECONFIG);
}

int main(void)
{
    const char *dir = getenv("EF_TEST_DATA");

    test_scheme_table();
    test_sample_aus();
    test_regexp();
    test_services();
    test_fields();
    test_nonterminal();
    test_api();
    test_zones(dir != NULL ? dir : "tests/data");
    test_load_errors();
    test_registry(dir != NULL ? dir : "tests/data");
    TAP_DONE();
}
