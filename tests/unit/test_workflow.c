/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_workflow.c -- the review workflow (lib/enum/workflow.c) and the escrow
 * copies of the registry: every legal transition of RFC 6117 §6 and illegal
 * ones refused, the comment window (§6.3), the checklist (§7.2) on the
 * Appendix A example, the escrow hash round trip and a damaged copy refused
 * (§11.3), the upgrade of a version 1 database, and a step that fails part
 * way leaving the database as it was. EF_TEST_DATA points at tests/data.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enumfed/workflow.h"
#include "tap.h"

#define CAP 256

static char dir[64], tpl_a1[512], tpl_xmpp[512], iana[512];
static ef_tpl_finding_t findings[CAP];
static ef_wf_item_t items[CAP];

static ef_wf_actor_t who(const char *by, const char *at, const char *note)
{
    return (ef_wf_actor_t){by, at, note};
}

static ef_wf_state_t state(ef_reg_t *reg, int64_t id)
{
    ef_wf_review_t r;

    return ef_wf_get(reg, id, &r) == 0 ? r.state : EF_WF_STATE_COUNT;
}

static int64_t submit(ef_reg_t *reg, const char *path, const char *at)
{
    ef_wf_actor_t w = who("alice", at, NULL);
    int64_t id = 0;
    size_t n = 0;

    return ef_wf_submit(reg, path, &w, &id, findings, CAP, &n, NULL, 0) == 0 ? id : -1;
}

static int sql(const char *db, const char *text)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open(db, &h) == SQLITE_OK ? sqlite3_exec(h, text, NULL, NULL, NULL) : -1;

    sqlite3_close(h);
    return rc;
}

static void test_path(ef_reg_t *reg)
{
    ef_wf_actor_t a = who("alice", "2026-01-06", NULL), b = who("bob", "2026-01-21", NULL);
    int64_t id = submit(reg, tpl_a1, "2026-01-05");
    bool long_window = true;
    ef_wf_event_t ev[32];
    size_t n = 0;
    char err[256] = "";

    CHECK(id > 0);
    CHECK_INT(state(reg, id), EF_WF_WRITTEN);
    CHECK_INT(ef_wf_iana(reg, id, &a, err, sizeof err), EF_EINVAL);
    CHECK(strstr(err, "illegal transition") != NULL);
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_APPROVE, &a, NULL, 0), EF_EINVAL);
    CHECK_INT(ef_wf_comments(reg, id, "2026-01-06", "2026-01-19", &a, NULL, NULL, 0), EF_EINVAL);
    CHECK_INT(ef_wf_comments(reg, id, "2026-01-06", "2026-01-20", &a, &long_window, NULL, 0), 0);
    CHECK(!long_window);
    CHECK_INT(state(reg, id), EF_WF_COMMENTS);
    CHECK_INT(ef_wf_comments(reg, id, "2026-01-06", "2026-02-04", &a, &long_window, NULL, 0), 0);
    CHECK(long_window);
    CHECK_INT(ef_wf_comments(reg, id, "2026-01-06", "2026-01-20", &a, &long_window, NULL, 0), 0);
    a.at = "2026-01-19";
    CHECK_INT(ef_wf_iana(reg, id, &a, NULL, 0), EF_EINVAL); /* window not over */
    a.at = "2026-01-20";
    CHECK_INT(ef_wf_iana(reg, id, &a, NULL, 0), 0);
    CHECK_INT(state(reg, id), EF_WF_IANA);
    CHECK_INT(ef_wf_expert_start(reg, id, &b, NULL, 0), 0);
    CHECK_INT(state(reg, id), EF_WF_EXPERT);
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_REQUIRE_CHANGES, &b, NULL, 0), EF_EINVAL); /* no note */
    b.note = "drop the subtype";
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_REQUIRE_CHANGES, &b, NULL, 0), 0);
    CHECK_INT(state(reg, id), EF_WF_CHANGES);
    CHECK_INT(ef_wf_publish(reg, id, NULL, &b, NULL, 0), EF_EINVAL);
    CHECK_INT(ef_wf_revise(reg, id, tpl_xmpp, &a, findings, CAP, &n, NULL, 0), EF_EINVAL);
    a.at = "2026-01-22";
    CHECK_INT(ef_wf_revise(reg, id, tpl_a1, &a, findings, CAP, &n, NULL, 0), 0);
    CHECK_INT(state(reg, id), EF_WF_EXPERT);
    b.note = NULL;
    b.at = "2026-01-23";
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_APPROVE, &b, NULL, 0), 0);
    CHECK_INT(ef_wf_register(reg, id, NULL, &b, NULL, NULL, 0), EF_EINVAL);
    b.at = "2026-01-01";
    CHECK_INT(ef_wf_publish(reg, id, NULL, &b, NULL, 0), EF_EINVAL); /* time goes back */
    b.at = "2026-01-24";
    CHECK_INT(ef_wf_publish(reg, id, NULL, &b, NULL, 0), 0);
    CHECK_INT(ef_wf_register(reg, id, NULL, &b, NULL, NULL, 0), 0);
    CHECK_INT(state(reg, id), EF_WF_REGISTERED);
    CHECK_INT(ef_wf_history(reg, id, ev, 32, &n), 0);
    CHECK_INT(n, 11);
    CHECK_STR(ev[0].to, "written");
    CHECK_STR(ev[6].note, "drop the subtype");
    CHECK_STR(ev[10].at, "2026-01-24T00:00:00Z");
    CHECK_INT(ef_wf_get(reg, 999, &(ef_wf_review_t){0}), EF_ENODATA);
}

static void test_reject(ef_reg_t *reg)
{
    ef_wf_actor_t a = who("carol", "2026-02-01", NULL), r = who("bob", "2026-02-20", "dup");
    int64_t id = submit(reg, tpl_xmpp, "2026-02-01");

    CHECK_INT(ef_wf_comments(reg, id, "2026-02-01", "2026-02-15", &a, NULL, NULL, 0), 0);
    a.at = "2026-02-16";
    CHECK_INT(ef_wf_iana(reg, id, &a, NULL, 0), 0);
    CHECK_INT(ef_wf_expert_start(reg, id, &a, NULL, 0), 0);
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_REJECT, &r, NULL, 0), 0);
    CHECK_INT(state(reg, id), EF_WF_REJECTED);
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_APPROVE, &r, NULL, 0), EF_EINVAL);
    CHECK_INT(ef_wf_expert_start(reg, id, &r, NULL, 0), EF_EINVAL);
}

static bool has_item(size_t n, const char *code, ef_wf_verdict_t v, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].code, code) == 0 && items[i].verdict == v &&
            strstr(items[i].text, text) != NULL)
            return true;
    return false;
}

static void test_checklist(ef_reg_t *reg)
{
    int64_t id = submit(reg, tpl_a1, "2026-03-01");
    size_t n = 0;

    CHECK_INT(ef_wf_checklist(reg, id, items, CAP, &n), 0);
    CHECK(has_item(n, "clash", EF_WF_WARN, "email:mailto is already registered"));
    CHECK(has_item(n, "template", EF_WF_WARN, "W150"));
    CHECK(has_item(n, "similar", EF_WF_INFO, "sms:mailto: the same URI Scheme mailto"));
    CHECK(has_item(n, "loop", EF_WF_PASS, "no tel"));
    CHECK(has_item(n, "sections", EF_WF_OPEN, "§5.3"));
    CHECK(has_item(n, "escrow", EF_WF_PASS, "RFC"));
    CHECK_INT(ef_wf_checklist(reg, id, items, 3, &n), EF_E2BIG);
    CHECK_INT(n, 3);
    CHECK_INT(ef_wf_edit_distance("email", "Emial"), 2);
    CHECK_INT(ef_wf_edit_distance("sip", "sips"), 1);
    CHECK_INT(ef_wf_edit_distance("", "abc"), 3);
}

static const char nonrfc[] =
    "<?xml version=\"1.0\"?>\n<record><class>Protocol-Based</class><type>fooproto</type>"
    "<urischeme>tel</urischeme><functionalspec><paragraph>Calls.</paragraph></functionalspec>"
    "<security>None known.</security><usage>COMMON</usage><registrationdocs>"
    "<xref type=\"uri\" data=\"http://example.com/spec\"/></registrationdocs><requesters>"
    "<xref type=\"person\" data=\"Jo\"/></requesters></record>\n";

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f != NULL) {
        fwrite(text, 1, len, f);
        fclose(f);
    }
}

static void test_escrow(ef_reg_t *reg, const char *db)
{
    char tpl[128], spec[128], *data = NULL, sha[65];
    ef_wf_actor_t a = who("erin", "2026-04-01", NULL);
    ef_reg_stats_t st;
    size_t len = 0, n = 0;
    int64_t id;

    snprintf(tpl, sizeof tpl, "%s/nonrfc.xml", dir);
    snprintf(spec, sizeof spec, "%s/spec.txt", dir);
    write_file(tpl, nonrfc, sizeof nonrfc - 1);
    write_file(spec, "abc", 3);
    id = submit(reg, tpl, "2026-04-01");
    CHECK_INT(ef_wf_checklist(reg, id, items, CAP, &n), 0);
    CHECK(has_item(n, "loop", EF_WF_WARN, "tel"));
    CHECK_INT(ef_wf_comments(reg, id, "2026-04-01", "2026-04-15", &a, NULL, NULL, 0), 0);
    a.at = "2026-04-15";
    CHECK_INT(ef_wf_iana(reg, id, &a, NULL, 0), 0);
    CHECK_INT(ef_wf_expert_start(reg, id, &a, NULL, 0), 0);
    CHECK_INT(ef_wf_decide(reg, id, EF_WF_APPROVE, &a, NULL, 0), 0);
    CHECK_INT(ef_wf_publish(reg, id, NULL, &a, NULL, 0), 0);
    CHECK_INT(ef_wf_register(reg, id, NULL, &a, NULL, NULL, 0), EF_EINVAL); /* §11.3 */
    CHECK_INT(ef_reg_escrow_get(reg, "fooproto", &data, &len, sha, NULL, 0), EF_ENODATA);
    /* A failing last write (the history) rolls back the registration too. */
    CHECK_INT(sql(db, "CREATE TRIGGER t BEFORE INSERT ON review_history BEGIN"
                      " SELECT RAISE(ABORT, 'disk full'); END;"),
              0);
    CHECK_INT(ef_wf_register(reg, id, spec, &a, &st, NULL, 0), EF_ECONFIG);
    CHECK_INT(state(reg, id), EF_WF_PUBLISHED);
    CHECK_INT(ef_reg_show(reg, "fooproto", stdout), EF_ENODATA);
    CHECK_INT(sql(db, "DROP TRIGGER t"), 0);
    CHECK_INT(ef_wf_register(reg, id, spec, &a, &st, NULL, 0), 0);
    CHECK_INT(st.added, 1);
    CHECK_INT(ef_reg_escrow_get(reg, "FOOPROTO", &data, &len, sha, NULL, 0), 0);
    CHECK(len == 3 && data != NULL && memcmp(data, "abc", 3) == 0);
    CHECK_STR(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    free(data);
    CHECK_INT(sql(db, "UPDATE escrow SET data = CAST('abd' AS BLOB)"), 0);
    CHECK_INT(ef_reg_escrow_get(reg, "fooproto", &data, &len, sha, NULL, 0), EF_EBADRECORD);
    CHECK(data == NULL);
    /* import --escrow for an RFC-only template is refused, nothing stored */
    CHECK_INT(sql(db, "UPDATE enumservices SET usage = 'LIMITED USE' WHERE type = 'xmpp'"), 0);
    CHECK_INT(ef_reg_import_escrow(reg, tpl_xmpp, spec, &st, findings, CAP, &n, NULL, 0),
              EF_EINVAL);
    {
        char *buf = NULL;
        size_t blen = 0;
        FILE *f = open_memstream(&buf, &blen);
        if (f != NULL) {
            ef_reg_show(reg, "xmpp", f);
            fclose(f);
        }
        CHECK(buf != NULL && strstr(buf, "Usage:               LIMITED USE\n") != NULL);
        free(buf);
    }
    unlink(tpl);
    unlink(spec);
}

/* A version 1 database (the schema before escrow and reviews) opens and is upgraded. */
static void test_upgrade(void)
{
    char path[128], tmp[160];
    ef_reg_t *reg = NULL;
    ef_reg_stats_t st;
    size_t n = 0;

    snprintf(path, sizeof path, "%s/v1.db", dir);
    CHECK_INT(sql(path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                        "INSERT INTO meta VALUES('schema_version', '1');"),
              0);
    CHECK_INT(ef_reg_open(path, &reg, NULL, 0), 0);
    CHECK_INT(ef_reg_import_file(reg, iana, &st, findings, CAP, &n, NULL, 0), 0);
    CHECK(submit(reg, tpl_a1, "2026-01-01") > 0);
    ef_reg_close(reg);
    reg = NULL;
    CHECK_INT(sql(path, "SELECT 1 FROM meta WHERE value = '2' AND key = 'schema_version' AND"
                        " EXISTS(SELECT 1 FROM escrow WHERE 0 = 1) IS NOT NULL;"),
              0);
    CHECK_INT(sql(path, "UPDATE meta SET value = '3' WHERE key = 'schema_version'"), 0);
    CHECK_INT(ef_reg_open(path, &reg, NULL, 0), EF_ECONFIG);
    CHECK(reg == NULL);
    snprintf(tmp, sizeof tmp, "%s", path);
    unlink(tmp);
}

int main(void)
{
    const char *data = getenv("EF_TEST_DATA");
    char dbpath[128];
    ef_reg_t *reg = NULL;
    size_t n = 0;

    snprintf(dir, sizeof dir, "/tmp/test_workflow.XXXXXX");
    if (data == NULL || mkdtemp(dir) == NULL) {
        printf("Bail out! EF_TEST_DATA unset or no temp dir\n");
        return 1;
    }
    snprintf(tpl_a1, sizeof tpl_a1, "%s/templates/warn-appendix-a1.xml", data);
    snprintf(tpl_xmpp, sizeof tpl_xmpp, "%s/templates/valid-xmpp.xml", data);
    snprintf(iana, sizeof iana, "%s/templates/iana-enum-services.xml", data);
    snprintf(dbpath, sizeof dbpath, "%s/reg.db", dir);
    CHECK_INT(ef_reg_open(dbpath, &reg, NULL, 0), 0);
    if (reg != NULL) {
        CHECK_INT(ef_reg_import_file(reg, iana, NULL, findings, CAP, &n, NULL, 0), 0);
        test_path(reg);
        test_reject(reg);
        test_checklist(reg);
        test_escrow(reg, dbpath);
    }
    ef_reg_close(reg);
    test_upgrade();
    unlink(dbpath);
    rmdir(dir);
    TAP_DONE();
}
