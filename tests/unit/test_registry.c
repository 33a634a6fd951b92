/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_registry.c -- the Enumservice registry (lib/enum/registry.c): import of
 * the IANA registry copy, re-import as no change (RFC 6117 §11.4), an update
 * with supplementary documents (§5.3), refused files leaving the database as
 * it was, list/show content and the XML round trip. EF_TEST_DATA points at
 * tests/data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enumfed/registry.h"
#include "tap.h"

#define CAP 1024

static char dir[64], dbpath[128], iana[512];
static ef_tpl_finding_t findings[CAP];

/* The output of fn into a malloc'd string. */
static char *capture(ef_reg_t *reg, int what, const char *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    if (what == 0)
        ef_reg_export(reg, EF_REG_XML, f);
    else if (what == 1)
        ef_reg_list(reg, f);
    else
        ef_reg_show(reg, arg, f);
    fclose(f);
    return buf;
}

static int import(ef_reg_t *reg, const char *path, ef_reg_stats_t *st)
{
    size_t n = 0;

    return ef_reg_import_file(reg, path, st, findings, CAP, &n, NULL, 0);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

static int count_records(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = 0;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        for (char *p = line; (p = strstr(p, "<record")) != NULL; p++)
            n += p[7] == '>' || p[7] == ' ';
    fclose(f);
    return n;
}

static const char changed[] =
    "<?xml version=\"1.0\"?>\n<record updated=\"2026-01-01\">\n"
    "<class>Application-Based, Common</class><type>EMAIL</type><subtype>mailto</subtype>\n"
    "<urischeme>mailto</urischeme><functionalspec><paragraph>Send email.</paragraph>"
    "</functionalspec><security>See <xref type=\"rfc\" data=\"rfc4355\"/>.</security>\n"
    "<usage>DEPRECATED</usage><registrationdocs><xref type=\"rfc\" data=\"rfc9999\"/>"
    "</registrationdocs><requesters><xref type=\"person\" data=\"Lawrence_Conroy\"/>"
    "</requesters></record>\n";

static void test_import(ef_reg_t *reg)
{
    ef_reg_stats_t st;
    char *list, *show;

    CHECK_INT(import(reg, iana, &st), 0);
    CHECK_INT(st.records, count_records(iana));
    CHECK_INT(st.added, count_records(iana));
    list = capture(reg, 1, NULL);
    CHECK(list != NULL &&
          strstr(list, "email:mailto  Application-Based, Common  COMMON  mailto\n"));
    CHECK(list != NULL && strstr(list, "\nsip  Protocol-Based  COMMON  sip,sips\n"));
    free(list);
    show = capture(reg, 2, "SIP");
    CHECK(show != NULL && strstr(show, "URI Scheme(s):       sip, sips\n"));
    CHECK(show != NULL && strstr(show, "rfc:rfc3764, rfc:rfc6118"));
    free(show);
    show = capture(reg, 2, "Email:MAILTO");
    CHECK(show != NULL && strstr(show, "Enumservice:         email:mailto\n"));
    free(show);
    CHECK_INT(ef_reg_show(reg, "nosuch:thing", stdout), EF_ENODATA);
    CHECK_INT(import(reg, iana, &st), 0);
    CHECK_INT(st.added, 0);
    CHECK_INT(st.unchanged, count_records(iana));
}

static void test_update(ef_reg_t *reg)
{
    char path[192], *show, *before, *after;
    ef_reg_stats_t st;

    snprintf(path, sizeof path, "%s/changed.xml", dir);
    write_file(path, changed);
    CHECK_INT(import(reg, path, &st), 0);
    CHECK_INT(st.updated, 1);
    show = capture(reg, 2, "email:mailto");
    CHECK(show != NULL && strstr(show, "Usage:               DEPRECATED\n"));
    CHECK(show != NULL && strstr(show, "rfc:rfc4355, rfc:rfc6118, rfc:rfc9999 (supplementary)\n"));
    free(show);
    before = capture(reg, 0, NULL);
    CHECK_INT(import(reg, path, &st), 0);
    CHECK_INT(st.unchanged, 1);
    after = capture(reg, 0, NULL);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    free(before);
    free(after);
}

static void test_refused(ef_reg_t *reg, const char *name)
{
    char path[512], *before, *after;
    ef_reg_stats_t st;

    snprintf(path, sizeof path, "%s/templates/%s", getenv("EF_TEST_DATA"), name);
    before = capture(reg, 0, NULL);
    CHECK(import(reg, path, &st) != 0);
    after = capture(reg, 0, NULL);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    free(before);
    free(after);
}

static void test_round_trip(ef_reg_t *reg)
{
    char p1[192], p2[192], *e1, *e2 = NULL;
    ef_reg_t *reg2 = NULL;
    ef_reg_stats_t st;

    snprintf(p1, sizeof p1, "%s/export.xml", dir);
    snprintf(p2, sizeof p2, "%s/two.db", dir);
    e1 = capture(reg, 0, NULL);
    write_file(p1, e1 != NULL ? e1 : "");
    CHECK_INT(ef_reg_open(p2, &reg2, NULL, 0), 0);
    if (reg2 != NULL) {
        CHECK_INT(import(reg2, p1, &st), 0);
        e2 = capture(reg2, 0, NULL);
    }
    CHECK(e1 != NULL && e2 != NULL && strcmp(e1, e2) == 0);
    ef_reg_close(reg2);
    free(e1);
    free(e2);
    unlink(p1);
    unlink(p2);
}

int main(void)
{
    const char *data = getenv("EF_TEST_DATA");
    ef_reg_t *reg = NULL;
    char path[192];

    snprintf(dir, sizeof dir, "/tmp/test_registry.XXXXXX");
    if (data == NULL || mkdtemp(dir) == NULL) {
        printf("Bail out! EF_TEST_DATA unset or no temp dir\n");
        return 1;
    }
    snprintf(iana, sizeof iana, "%s/templates/iana-enum-services.xml", data);
    snprintf(dbpath, sizeof dbpath, "%s/reg.db", dir);
    CHECK_INT(ef_reg_open(dbpath, &reg, NULL, 0), 0);
    if (reg != NULL) {
        test_import(reg);
        test_update(reg);
        test_refused(reg, "attack-xxe.xml");
        test_refused(reg, "bad-E100-syntax.xml");
        test_refused(reg, "attack-billion-laughs.xml");
        test_refused(reg, "bad-E121-type.xml");
        test_round_trip(reg);
    }
    ef_reg_close(reg);
    unlink(dbpath);
    snprintf(path, sizeof path, "%s/changed.xml", dir);
    unlink(path);
    rmdir(dir);
    TAP_DONE();
}
