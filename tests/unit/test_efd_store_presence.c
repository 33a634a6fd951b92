/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_efd_store_presence.c -- the presence part of enumfedd's store:
 * publications and subscriptions written in a batch and committed by
 * efd_store_flush, still there after close and reopen, expired ones dropped
 * on load; and the watcher authorization rules (AoR, then domain, then "*").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "enumfed/common.h"
#include "store.h"
#include "tap.h"
#include "store_fixture.h"

#define T0 1800000000LL

/* Rows of a table counted through a connection of its own, as another process sees them. */
static int side_count(const char *table)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    char sql[128];
    int n = -1;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db, sql, -1, &s, NULL) == 0) {
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int(s, 0);
        sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return n;
}

struct seen {
    int n;
    char etag[64], body[256], aor[64];
    int64_t expires;
    char call_id[64], routes[128], peer[64], event[32];
    uint32_t cseq;
    int transport;
    bool routes_null;
};

static int pub_cb(void *arg, const efd_store_pub_t *p)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->etag, sizeof s->etag, "%s", p->etag);
    snprintf(s->aor, sizeof s->aor, "%s", p->aor);
    snprintf(s->body, sizeof s->body, "%.*s", (int)p->body_len, (const char *)p->body);
    s->expires = p->expires;
    return 0;
}

static int sub_cb(void *arg, const efd_store_sub_t *b)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->call_id, sizeof s->call_id, "%s", b->call_id);
    s->routes_null = b->routes == NULL;
    snprintf(s->routes, sizeof s->routes, "%s", b->routes ? b->routes : "");
    snprintf(s->peer, sizeof s->peer, "%s", b->peer);
    snprintf(s->event, sizeof s->event, "%s", b->event);
    s->cseq = b->cseq;
    s->transport = b->transport;
    s->expires = b->expires;
    return 0;
}

static int stop_cb(void *arg, const efd_store_pub_t *p)
{
    (void)arg;
    (void)p;
    return EF_ECONFIG;
}

static void test_publications(efd_store_t *st)
{
    const char *doc = "<presence entity='pres:bob@b.example'/>";
    efd_store_pub_t p = {"e1", "bob@b.example", (const unsigned char *)doc, strlen(doc), T0 + 60};
    CHECK_INT(efd_store_pub_put(st, NULL, &p), 0);
    CHECK(efd_store_pending(st));
    CHECK_INT(side_count("publications"), 0); /* not committed yet */
    CHECK_INT(efd_store_flush(st), 0);
    CHECK(!efd_store_pending(st));
    CHECK_INT(side_count("publications"), 1);
    CHECK_INT(efd_store_flush(st), 0); /* nothing open: fine */

    /* a refresh without a body moves the document to the new tag */
    efd_store_pub_t r = {"e2", "bob@b.example", NULL, 0, T0 + 120};
    CHECK_INT(efd_store_pub_put(st, "e1", &r), 0);
    CHECK_INT(efd_store_pub_put(st, "nope", &r), -ENOENT);
    struct seen s = {0};
    CHECK_INT(efd_store_pub_load(st, T0, pub_cb, &s), 1);
    CHECK_INT(s.n, 1);
    CHECK_STRN(s.etag, strlen(s.etag), "e2");
    CHECK_STRN(s.body, strlen(s.body), doc);
    CHECK_INT(s.expires, T0 + 120);

    /* a modify replaces the document */
    const char *doc2 = "<presence entity='pres:bob@b.example'><tuple id='x'/></presence>";
    efd_store_pub_t m = {"e3", "bob@b.example", (const unsigned char *)doc2, strlen(doc2), T0 + 90};
    CHECK_INT(efd_store_pub_put(st, "e2", &m), 0);
    memset(&s, 0, sizeof s);
    CHECK_INT(efd_store_pub_load(st, T0, pub_cb, &s), 1);
    CHECK_STRN(s.etag, strlen(s.etag), "e3");
    CHECK_STRN(s.body, strlen(s.body), doc2);

    /* bad arguments */
    efd_store_pub_t bad = {"e9", "bob@b.example", NULL, 0, T0};
    CHECK_INT(efd_store_pub_put(st, NULL, &bad), EF_EINVAL);
    bad.body = (const unsigned char *)doc;
    bad.body_len = EFD_STORE_MSG_MAX + 1;
    CHECK_INT(efd_store_pub_put(st, NULL, &bad), EF_EINVAL);

    /* a callback's error stops the load and is returned */
    CHECK_INT(efd_store_pub_load(st, T0, stop_cb, NULL), EF_ECONFIG);

    /* expired at load: deleted */
    memset(&s, 0, sizeof s);
    CHECK_INT(efd_store_pub_load(st, T0 + 90, pub_cb, &s), 0);
    CHECK_INT(s.n, 0);
    CHECK_INT(side_count("publications"), 0);
    CHECK_INT(efd_store_pub_del(st, "e3"), -ENOENT);
}

static efd_store_sub_t sub(const char *call_id, const char *tag, int64_t expires)
{
    return (efd_store_sub_t){.call_id = call_id,
                             .our_tag = tag,
                             .aor = "bob@b.example",
                             .event = "presence",
                             .their_tag = "w1",
                             .watcher = "sip:alice@a.example",
                             .target = "sip:alice@127.0.0.1:5070",
                             .routes = NULL,
                             .cseq = 7,
                             .expires = expires,
                             .side = 1,
                             .transport = 2,
                             .address = "127.0.0.1:5061",
                             .peer = "a.example"};
}

static efd_store_t *test_subscriptions(efd_store_t *st)
{
    efd_store_sub_t a = sub("c1", "t1", T0 + 3600), b = sub("c2", "t2", T0 + 10);
    a.routes = "<sip:127.0.0.1:5061;transport=tls;lr>";
    a.event = "presence.winfo";
    CHECK_INT(efd_store_sub_put(st, &a), 0);
    CHECK_INT(efd_store_sub_put(st, &b), 0);
    a.cseq = 9; /* written again: replaced, not doubled */
    CHECK_INT(efd_store_sub_put(st, &a), 0);
    efd_store_sub_t bad = sub("c3", NULL, T0);
    CHECK_INT(efd_store_sub_put(st, &bad), EF_EINVAL);

    /* a user's change commits the batch before its own transaction */
    CHECK(efd_store_pending(st));
    CHECK_INT(efd_store_rule_set(st, "bob@b.example", "*", EFD_RULE_CONFIRM, T0), 0);
    CHECK(!efd_store_pending(st));
    CHECK_INT(side_count("subscriptions"), 2);

    /* close without flush: close commits */
    CHECK_INT(efd_store_sub_del(st, "c2", "t2"), 0);
    CHECK_INT(efd_store_sub_del(st, "c2", "t2"), -ENOENT);
    efd_store_close(st);
    st = open_store();
    struct seen s = {0};
    CHECK_INT(efd_store_sub_load(st, T0, sub_cb, &s), 1);
    CHECK_STRN(s.call_id, strlen(s.call_id), "c1");
    CHECK_STRN(s.routes, strlen(s.routes), "<sip:127.0.0.1:5061;transport=tls;lr>");
    CHECK_STRN(s.peer, strlen(s.peer), "a.example");
    CHECK_STRN(s.event, strlen(s.event), "presence.winfo");
    CHECK_INT(s.cseq, 9);
    CHECK_INT(s.transport, 2);

    b = sub("c4", "t4", T0 + 5);
    CHECK_INT(efd_store_sub_put(st, &b), 0);
    memset(&s, 0, sizeof s);
    CHECK_INT(efd_store_sub_load(st, T0, sub_cb, &s), 2);
    CHECK(s.routes_null); /* c4 is the last row: no route set */
    memset(&s, 0, sizeof s);
    CHECK_INT(efd_store_sub_load(st, T0 + 3600, sub_cb, &s), 0); /* all expired */
    CHECK_INT(side_count("subscriptions"), 0);
    return st;
}

static int changed_cb(void *arg, const char *aor)
{
    char *out = arg;
    strncat(out, aor, 200 - strlen(out) - 2);
    strcat(out, " ");
    return 0;
}

static void test_rules(efd_store_t *st)
{
    efd_rule_t r;
    char m[128], key[128];

    CHECK_INT(efd_store_watcher_key("sip:Alice@A.Example;transport=tls", key, sizeof key), 0);
    CHECK_STRN(key, strlen(key), "Alice@a.example");
    CHECK_INT(efd_store_watcher_key("pres:carol@C.example", key, sizeof key), 0);
    CHECK_STRN(key, strlen(key), "carol@c.example");
    CHECK_INT(efd_store_watcher_key("A.EXAMPLE", key, sizeof key), 0);
    CHECK_STRN(key, strlen(key), "a.example");
    CHECK_INT(efd_store_watcher_key("*", key, sizeof key), 0);
    CHECK_INT(efd_store_watcher_key("", key, sizeof key), EF_EINVAL);
    CHECK_INT(efd_store_watcher_key("sip:bob@", key, sizeof key), EF_EINVAL);
    CHECK_INT(efd_store_watcher_key("sip:b ob@x", key, sizeof key), EF_EINVAL);

    /* "*" was set to confirm above */
    CHECK_INT(efd_store_rule_find(st, "bob@b.example", "sip:alice@a.example", &r, m, sizeof m), 0);
    CHECK_INT(r, EFD_RULE_CONFIRM);
    CHECK_STRN(m, strlen(m), "*");
    CHECK_INT(efd_store_rule_set(st, "bob@B.example", "a.example", EFD_RULE_POLITE_BLOCK, T0 + 1),
              0);
    CHECK_INT(efd_store_rule_find(st, "bob@b.example", "sip:alice@a.example", &r, m, sizeof m), 0);
    CHECK_INT(r, EFD_RULE_POLITE_BLOCK);
    CHECK_STRN(m, strlen(m), "a.example");
    CHECK_INT(
        efd_store_rule_set(st, "bob@b.example", "sip:alice@A.example", EFD_RULE_ALLOW, T0 + 2), 0);
    CHECK_INT(efd_store_rule_find(st, "bob@b.example", "sip:alice@a.example;x=y", &r, NULL, 0), 0);
    CHECK_INT(r, EFD_RULE_ALLOW);
    CHECK_INT(efd_store_rule_find(st, "bob@b.example", "sip:eve@c.example", &r, NULL, 0), 0);
    CHECK_INT(r, EFD_RULE_CONFIRM);
    CHECK_INT(efd_store_rule_find(st, "carol@b.example", "sip:eve@c.example", &r, NULL, 0), 0);
    CHECK_INT(r, EFD_RULE_NONE);
    CHECK_INT(efd_store_rule_set(st, "bob@b.example", "sip:x@y", EFD_RULE_NONE, T0), EF_EINVAL);
    CHECK_INT(efd_store_rule_set(st, "nobody", "sip:x@y", EFD_RULE_ALLOW, T0), EF_EINVAL);

    /* a decision replaces what was there */
    CHECK_INT(efd_store_rule_set(st, "bob@b.example", "alice@a.example", EFD_RULE_BLOCK, T0 + 3),
              0);
    efd_store_rule_row_t *rows;
    size_t n;
    CHECK_INT(efd_store_rule_list(st, "bob@b.example", &rows, &n), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STRN(rows[0].watcher, strlen(rows[0].watcher), "*");
        CHECK_STRN(rows[1].watcher, strlen(rows[1].watcher), "a.example");
        CHECK_STRN(rows[2].watcher, strlen(rows[2].watcher), "alice@a.example");
        CHECK_INT(rows[2].action, EFD_RULE_BLOCK);
        CHECK_INT(rows[2].updated, T0 + 3);
    }
    efd_store_rules_free(rows, n);

    char changed[200] = "";
    CHECK_INT(efd_store_rule_set(st, "carol@b.example", "*", EFD_RULE_ALLOW, T0 + 10), 0);
    CHECK_INT(efd_store_rule_changed(st, T0 + 3, changed_cb, changed), 2);
    CHECK(strstr(changed, "bob@b.example ") != NULL && strstr(changed, "carol@b.example ") != NULL);
    changed[0] = '\0';
    CHECK_INT(efd_store_rule_changed(st, T0 + 4, changed_cb, changed), 1);
    CHECK_STRN(changed, strlen(changed), "carol@b.example ");

    CHECK_INT(efd_store_rule_del(st, "bob@b.example", "sip:alice@a.example"), 0);
    CHECK_INT(efd_store_rule_del(st, "bob@b.example", "sip:alice@a.example"), -ENOENT);
    CHECK_INT(efd_store_rule_list(st, NULL, &rows, &n), 0);
    CHECK_INT(n, 3);
    efd_store_rules_free(rows, n);

    efd_rule_t p;
    CHECK_INT(efd_rule_parse("polite-block", &p), 0);
    CHECK_INT(p, EFD_RULE_POLITE_BLOCK);
    CHECK_INT(efd_rule_parse("none", &p), EF_EINVAL);
    CHECK_INT(efd_rule_parse("Allow", &p), EF_EINVAL);
    CHECK_STRN(efd_rule_name(EFD_RULE_WAITING), 7, "waiting");
}

int main(void)
{
    if (fixture_begin("efd_pstore") != 0)
        return 1;

    efd_store_t *st = open_store();
    test_publications(st);
    st = test_subscriptions(st);
    test_rules(st);
    efd_store_close(st);

    fixture_end();
    TAP_DONE();
}
