/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_template.c -- RFC 6117 §5.2 / §11.2 registration template checks
 * (lib/enum/template.c) on the files in $EF_TEST_DATA/templates and on
 * documents in memory.
 */
#include <errno.h>
#include <stdlib.h>

#include "enumfed/template.h"
#include "tap.h"

#define CAP 256

static ef_tpl_finding_t f[CAP];
static size_t n;
static char errbuf[256];
static const char *data_dir;

static int check(const char *name)
{
    char path[1024];

    snprintf(path, sizeof path, "%s/templates/%s", data_dir, name);
    return ef_tpl_check_file(path, f, CAP, &n, errbuf, sizeof errbuf);
}

static size_t count(const char *code)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += strcmp(f[i].code, code) == 0;
    return k;
}

static size_t errors(void)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += !f[i].warning;
    return k;
}

/* A file that breaks one rule gives exactly that one error. */
static void only(const char *name, const char *code, int want_rc)
{
    CHECK_INT(check(name), want_rc);
    CHECK_INT(n, 1);
    CHECK_STR(n > 0 ? f[0].code : "", code);
    CHECK(n > 0 && !f[0].warning && f[0].section != NULL && f[0].message[0] != '\0');
}

static void test_valid(void)
{
    CHECK_INT(check("valid-xmpp.xml"), 0);
    CHECK_INT(n, 0);
    CHECK_INT(check("valid-record-only.xml"), 0);
    CHECK_INT(n, 0);
    CHECK_INT(check("valid-email-subtypes.xml"), 0);
    CHECK_INT(n, 0);
}

static void test_warnings(void)
{
    CHECK_INT(check("warn-appendix-a1.xml"), 0);
    CHECK_INT(errors(), 0);
    CHECK_INT(count("W150"), 1);
    CHECK_INT(count("W151"), 1);
    CHECK(ef_tpl_findings_ok(f, n));
    CHECK_INT(check("warn-other-obsolete.xml"), 0);
    CHECK_INT(errors(), 0);
    CHECK_INT(count("W120"), 1);
    CHECK_INT(count("W125"), 1);
    CHECK_INT(check("warn-legacy.xml"), 0);
    CHECK_INT(errors(), 0);
    CHECK_INT(count("W123"), 1);
    CHECK_INT(count("W126"), 1);
}

static void test_invalid(void)
{
    static const struct {
        const char *file, *code;
    } cases[] = {
        {"bad-E104-empty.xml", "E104"},       {"bad-E110-missing-urischeme.xml", "E110"},
        {"bad-E111-class-twice.xml", "E111"}, {"bad-E112-empty-security.xml", "E112"},
        {"bad-E120-class.xml", "E120"},       {"bad-E121-type.xml", "E121"},
        {"bad-E122-subtype.xml", "E122"},     {"bad-E123-colon.xml", "E123"},
        {"bad-E124-scheme.xml", "E124"},      {"bad-E125-usage.xml", "E125"},
        {"bad-E130-duplicate.xml", "E130"},   {"bad-E131-requester.xml", "E131"},
        {"bad-E132-no-name.xml", "E132"},     {"bad-E140-date.xml", "E140"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        only(cases[i].file, cases[i].code, 0);
    CHECK_INT(check("bad-E110-missing-urischeme.xml"), 0);
    CHECK_STR(f[0].section, "RFC 6117 §5.2.4");
    CHECK_INT(f[0].line, 4);
}

static void test_xml_errors(void)
{
    only("bad-E100-syntax.xml", "E100", EF_ESYNTAX);
    CHECK_INT(f[0].line, 5);
    CHECK(strstr(errbuf, "line 5, column") != NULL);
    only("attack-not-xml.xml", "E100", EF_ESYNTAX);
    CHECK_INT(f[0].line, 1);
}

static void test_attacks(void)
{
    only("attack-xxe.xml", "E101", EF_EINVAL);
    only("attack-billion-laughs.xml", "E101", EF_EINVAL);
    only("attack-deep.xml", "E103", EF_EINVAL);
}

static void test_iana(void)
{
    CHECK_INT(check("iana-enum-services.xml"), 0);
    CHECK_INT(errors(), 0);
    CHECK_INT(count("W123"), 2);
    CHECK(count("W140") > 0);
}

static void test_memory(void)
{
    static const char people[] = "<people><person id=\"a\"><name>A</name>"
                                 "<updated>2010-13-01</updated></person></people>";
    static const char other_ns[] = "<x:record xmlns:x=\"urn:other\"/>";
    char *big;

    CHECK_INT(ef_tpl_check_memory(people, strlen(people), "m", f, CAP, &n, NULL, 0), 0);
    CHECK_INT(n, 1);
    CHECK_STR(f[0].code, "E140");
    CHECK_INT(ef_tpl_check_memory(other_ns, strlen(other_ns), NULL, f, CAP, &n, NULL, 0), 0);
    CHECK_INT(n, 1);
    CHECK_STR(f[0].code, "E104");
    /* too many findings for the room given */
    CHECK_INT(ef_tpl_check_memory("<record/>", 9, NULL, f, 2, &n, NULL, 0), EF_E2BIG);
    CHECK_INT(n, 2);
    CHECK_INT(ef_tpl_check_memory(NULL, 1, NULL, f, CAP, &n, NULL, 0), EF_EINVAL);
    big = malloc(EF_TPL_SIZE_MAX + 1);
    if (big != NULL) {
        memset(big, ' ', EF_TPL_SIZE_MAX + 1);
        CHECK_INT(ef_tpl_check_memory(big, EF_TPL_SIZE_MAX + 1, NULL, f, CAP, &n, NULL, 0),
                  EF_EINVAL);
        CHECK_STR(n > 0 ? f[0].code : "", "E102");
        free(big);
    }
    CHECK_INT(check("no-such-file.xml"), -ENOENT);
    CHECK_INT(n, 0);
}

int main(void)
{
    data_dir = getenv("EF_TEST_DATA");
    if (data_dir == NULL)
        data_dir = "tests/data";
    test_valid();
    test_warnings();
    test_invalid();
    test_xml_errors();
    test_attacks();
    test_iana();
    test_memory();
    TAP_DONE();
}
