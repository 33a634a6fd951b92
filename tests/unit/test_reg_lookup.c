/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_reg_lookup.c -- the registry's lookup for its consumers
 * (lib/enum/registry.c): ef_reg_open_readonly, ef_reg_lookup and
 * ef_reg_entry_has_scheme on a database imported from the IANA registry copy
 * (tests/data/templates/iana-enum-services.xml), then updated with sip
 * DEPRECATED (warn-legacy.xml) and a Type-only "web" OBSOLETE
 * (warn-other-obsolete.xml). EF_TEST_DATA points at tests/data.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enumfed/registry.h"
#include "tap.h"

#define CAP 1024

static char dir[64], dbpath[128];
static const char *data;
static ef_tpl_finding_t findings[CAP];

static int import(const char *name)
{
    char path[512];
    ef_reg_stats_t st = {0};
    ef_reg_t *reg = NULL;
    size_t n = 0;
    int rc;

    snprintf(path, sizeof path, "%s/templates/%s", data, name);
    rc = ef_reg_open(dbpath, &reg, NULL, 0);
    if (rc == 0)
        rc = ef_reg_import_file(reg, path, &st, findings, CAP, &n, NULL, 0);
    ef_reg_close(reg);
    return rc;
}

/* The real IANA data: class, usage and schemes as registered. */
static void test_iana(ef_reg_t *reg)
{
    ef_reg_entry_t e;

    CHECK_INT(ef_reg_lookup(reg, "sip", NULL, &e), 0);
    CHECK_STR(e.type, "sip");
    CHECK_STR(e.subtype, "");
    CHECK_STR(e.klass, "Protocol-Based");
    CHECK_STR(e.usage_text, "COMMON");
    CHECK_INT(e.usage, EF_REG_ACTIVE);
    CHECK_INT(e.n_schemes, 2);
    CHECK_STR(e.schemes[0], "sip");
    CHECK_STR(e.schemes[1], "sips");
    CHECK(!e.truncated);

    CHECK_INT(ef_reg_lookup(reg, "Voice", "TEL", &e), 0); /* case-insensitive */
    CHECK_STR(e.type, "voice");
    CHECK_STR(e.subtype, "tel");
    CHECK_STR(e.klass, "Application-Based, Common");
    CHECK_INT(e.n_schemes, 1);
    CHECK_STR(e.schemes[0], "tel");

    CHECK_INT(ef_reg_lookup(reg, "vcard", "", &e), 0); /* "" is no Subtype */
    CHECK_STR(e.klass, "Data Type-Based");
    CHECK_INT(e.n_schemes, 2);
    CHECK_STR(e.schemes[1], "https");

    CHECK_INT(ef_reg_lookup(reg, "pstn", "sip", &e), 0);
    CHECK_STR(e.klass, "Application-Based, Common");
    CHECK_STR(e.schemes[0], "sip");
}

/* Not registered: unknown Types, a Type only registered with Subtypes, and the reverse. */
static void test_unknown(ef_reg_t *reg)
{
    ef_reg_entry_t e;

    CHECK_INT(ef_reg_lookup(reg, "esx", NULL, &e), EF_ENODATA);
    CHECK_STR(e.type, "");
    CHECK_INT(e.n_schemes, 0);
    CHECK_INT(ef_reg_lookup(reg, "voice", NULL, &e), EF_ENODATA);
    CHECK_INT(ef_reg_lookup(reg, "voice", "", &e), EF_ENODATA);
    CHECK_INT(ef_reg_lookup(reg, "voice", "sip", &e), EF_ENODATA);
    CHECK_INT(ef_reg_lookup(reg, "sip", "tel", &e), EF_ENODATA);
    CHECK_INT(ef_reg_lookup(reg, "web", NULL, &e), EF_ENODATA);
    CHECK_INT(ef_reg_lookup(reg, "p-corp", NULL, &e), EF_ENODATA);

    CHECK_INT(ef_reg_lookup(NULL, "sip", NULL, &e), EF_EINVAL);
    CHECK_INT(ef_reg_lookup(reg, NULL, NULL, &e), EF_EINVAL);
    CHECK_INT(ef_reg_lookup(reg, "", NULL, &e), EF_EINVAL);
    CHECK_INT(ef_reg_lookup(reg, "sip", NULL, NULL), EF_EINVAL);
}

static void test_has_scheme(ef_reg_t *reg)
{
    ef_reg_entry_t e;

    CHECK_INT(ef_reg_lookup(reg, "sip", NULL, &e), 0);
    CHECK(ef_reg_entry_has_scheme(&e, "sip", 3));
    CHECK(ef_reg_entry_has_scheme(&e, "SIPS", 4));
    CHECK(ef_reg_entry_has_scheme(&e, "sip:alice@example.com", 3));
    CHECK(!ef_reg_entry_has_scheme(&e, "si", 2));
    CHECK(!ef_reg_entry_has_scheme(&e, "sipx", 4));
    CHECK(!ef_reg_entry_has_scheme(&e, "tel", 3));
    CHECK(!ef_reg_entry_has_scheme(NULL, "sip", 3));
    CHECK_STR(ef_reg_usage_name(EF_REG_ACTIVE), "active");
    CHECK_STR(ef_reg_usage_name(EF_REG_DEPRECATED), "deprecated");
    CHECK_STR(ef_reg_usage_name(EF_REG_OBSOLETE), "obsolete");
}

/* After the updates: sip DEPRECATED (§5.3 update), a new Type-only "web" OBSOLETE. */
static void test_usage(ef_reg_t *reg)
{
    ef_reg_entry_t e;

    CHECK_INT(ef_reg_lookup(reg, "SIP", NULL, &e), 0);
    CHECK_INT(e.usage, EF_REG_DEPRECATED);
    CHECK_STR(e.usage_text, "DEPRECATED");
    CHECK_STR(e.klass, "Protocol-Based");
    CHECK_INT(e.n_schemes, 2);
    CHECK_INT(ef_reg_lookup(reg, "web", NULL, &e), 0);
    CHECK_INT(e.usage, EF_REG_OBSOLETE);
    CHECK_STR(e.klass, "Other");
    CHECK_STR(e.schemes[0], "http");
    CHECK_INT(ef_reg_lookup(reg, "web", "http", &e), 0); /* the Subtypes keep their own */
    CHECK_INT(e.usage, EF_REG_ACTIVE);
    CHECK_INT(ef_reg_lookup(reg, "im", NULL, &e), 0);
    CHECK_INT(e.usage, EF_REG_ACTIVE);
}

/* Read-only: nothing created, nothing written, other files and schemas refused. */
static void test_open_readonly(void)
{
    char path[192], xml[512], err[256] = "";
    ef_reg_t *reg = (ef_reg_t *)1;
    sqlite3 *db;

    snprintf(path, sizeof path, "%s/missing.db", dir);
    CHECK_INT(ef_reg_open_readonly(path, &reg, err, sizeof err), EF_ECONFIG);
    CHECK(reg == NULL);
    CHECK(strstr(err, "missing.db") != NULL);
    CHECK(access(path, F_OK) != 0);
    snprintf(xml, sizeof xml, "%s/templates/iana-enum-services.xml", data);
    err[0] = '\0';
    CHECK_INT(ef_reg_open_readonly(xml, &reg, err, sizeof err), EF_ECONFIG);
    CHECK(strstr(err, "not a registry database") != NULL);
    CHECK_INT(ef_reg_open_readonly(NULL, &reg, NULL, 0), EF_EINVAL);

    CHECK_INT(ef_reg_open_readonly(dbpath, &reg, NULL, 0), 0);
    if (reg != NULL) {
        ef_reg_stats_t st = {0};
        size_t n = 0;
        CHECK(ef_reg_import_file(reg, xml, &st, findings, CAP, &n, NULL, 0) != 0);
        ef_reg_close(reg);
    }

    snprintf(path, sizeof path, "%s/other.db", dir);
    CHECK_INT(ef_reg_open(path, &reg, NULL, 0), 0);
    ef_reg_close(reg);
    if (sqlite3_open(path, &db) == SQLITE_OK)
        sqlite3_exec(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'", NULL, NULL,
                     NULL);
    sqlite3_close(db);
    err[0] = '\0';
    CHECK_INT(ef_reg_open_readonly(path, &reg, err, sizeof err), EF_ECONFIG);
    CHECK(strstr(err, "schema version 99") != NULL);
    if (sqlite3_open(path, &db) == SQLITE_OK) /* an earlier version is read as it is */
        sqlite3_exec(db, "UPDATE meta SET value = '1' WHERE key = 'schema_version'", NULL, NULL,
                     NULL);
    sqlite3_close(db);
    reg = NULL;
    CHECK_INT(ef_reg_open_readonly(path, &reg, NULL, 0), 0);
    ef_reg_close(reg);
    unlink(path);
}

int main(void)
{
    ef_reg_t *reg = NULL;

    data = getenv("EF_TEST_DATA");
    snprintf(dir, sizeof dir, "/tmp/test_reg_lookup.XXXXXX");
    if (data == NULL || mkdtemp(dir) == NULL) {
        printf("Bail out! EF_TEST_DATA unset or no temp dir\n");
        return 1;
    }
    snprintf(dbpath, sizeof dbpath, "%s/reg.db", dir);
    CHECK_INT(import("iana-enum-services.xml"), 0);
    CHECK_INT(ef_reg_open_readonly(dbpath, &reg, NULL, 0), 0);
    if (reg != NULL) {
        test_iana(reg);
        test_unknown(reg);
        test_has_scheme(reg);
        ef_reg_close(reg);
    }
    test_open_readonly();
    CHECK_INT(import("warn-legacy.xml"), 0);
    CHECK_INT(import("warn-other-obsolete.xml"), 0);
    reg = NULL;
    CHECK_INT(ef_reg_open_readonly(dbpath, &reg, NULL, 0), 0);
    if (reg != NULL)
        test_usage(reg);
    ef_reg_close(reg);
    unlink(dbpath);
    rmdir(dir);
    TAP_DONE();
}
