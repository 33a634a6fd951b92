/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_efd_store.c -- enumfedd's SQLite store: users, bindings, tombstones
 * (the 90-day floor of draft-levin-simple-interdomain-reqs §10.2, under a
 * simulated clock), offline messages and their caps, nothing lost over close
 * and reopen, no partial state after a failure inside a transaction, and the
 * in-place upgrade of an older schema.
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
#define DAY 86400LL
#define MD5 "0123456789abcdef0123456789abcdef"
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* Run SQL on the file through a connection of its own, as another process would. */
static int side_sql(const char *sql)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static efd_store_binding_t binding(const char *aor, const char *contact, int64_t expires, int q,
                                   const char *callid, uint32_t cseq)
{
    return (efd_store_binding_t){
        (char *)aor, (char *)contact, expires, q, (char *)callid, cseq, NULL, NULL, NULL};
}

static efd_store_msg_t message(const char *aor, const char *text, int64_t at, int64_t ttl)
{
    return (efd_store_msg_t){
        0,  (char *)aor, "sip:bob@b.example", "text/plain", (unsigned char *)text, strlen(text),
        at, at + ttl};
}

static void test_open(void)
{
    efd_store_t *st = open_store();
    CHECK_INT(efd_store_version(st), EFD_STORE_SCHEMA);
    efd_store_close(st);

    sqlite3 *db;
    sqlite3_stmt *s;
    sqlite3_open(path, &db);
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
    CHECK_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK_STR((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);

    /* not a database; a directory that does not exist */
    char bad[260];
    snprintf(bad, sizeof bad, "%s/junk.db", dir);
    FILE *f = fopen(bad, "w");
    fputs("this is not an SQLite database, not even close to one.............\n", f);
    fclose(f);
    efd_store_t *x = NULL;
    CHECK_INT(efd_store_open(bad, &x, err, sizeof err), -EIO);
    CHECK(x == NULL && strstr(err, "junk.db") != NULL);
    snprintf(bad, sizeof bad, "%s/no/such/dir.db", dir);
    CHECK_INT(efd_store_open(bad, &x, err, sizeof err), -EIO);
    CHECK(x == NULL);
}

static void test_users(efd_store_t *st)
{
    efd_store_user_t u;
    int64_t until = 0;

    CHECK_INT(efd_store_user_add(st, "alice", "A.Example", MD5, SHA, T0, 90, &until), 0);
    CHECK_INT(efd_store_user_add(st, "bob", "a.example", MD5, SHA, T0 + 1, 90, NULL), 0);
    CHECK_INT(efd_store_user_add(st, "carol", "b.example", MD5, SHA, T0 + 2, 90, NULL), 0);
    /* the domain without case, the user part with it (RFC 3261 §19.1.4) */
    CHECK_INT(efd_store_user_add(st, "alice", "a.example", MD5, SHA, T0, 90, NULL), -EEXIST);
    CHECK_INT(efd_store_user_get(st, "alice", "a.EXAMPLE", &u), 0);
    CHECK_STR(u.user, "alice");
    CHECK_STR(u.domain, "a.example");
    CHECK_STR(u.ha1_md5, MD5);
    CHECK_STR(u.ha1_sha256, SHA);
    CHECK(!u.disabled);
    CHECK_INT(u.created, T0);
    CHECK_INT(efd_store_user_get(st, "Alice", "a.example", &u), -ENOENT);
    /* refused arguments */
    CHECK_INT(efd_store_user_add(st, "dave", "a.example", "0123", SHA, T0, 90, NULL), EF_EINVAL);
    CHECK_INT(efd_store_user_add(st, "dave", "a.example", MD5, MD5, T0, 90, NULL), EF_EINVAL);
    CHECK_INT(efd_store_user_add(st, "dave", "a.example", "0123456789ABCDEF0123456789ABCDEF", SHA,
                                 T0, 90, NULL),
              EF_EINVAL);
    CHECK_INT(efd_store_user_add(st, "", "a.example", MD5, SHA, T0, 90, NULL), EF_EINVAL);
    CHECK_INT(efd_store_user_add(st, "dave", "", MD5, SHA, T0, 90, NULL), EF_EINVAL);
    CHECK_INT(efd_store_user_add(st, "d@ve", "a.example", MD5, SHA, T0, 90, NULL), EF_EINVAL);
    /* disable, enable */
    CHECK_INT(efd_store_user_set_disabled(st, "bob", "a.example", true), 0);
    CHECK_INT(efd_store_user_get(st, "bob", "a.example", &u), 0);
    CHECK(u.disabled);
    CHECK_INT(efd_store_user_set_disabled(st, "bob", "a.example", false), 0);
    CHECK_INT(efd_store_user_get(st, "bob", "a.example", &u), 0);
    CHECK(!u.disabled);
    CHECK_INT(efd_store_user_set_disabled(st, "nobody", "a.example", true), -ENOENT);

    efd_store_user_t *v;
    size_t n;
    CHECK_INT(efd_store_user_list(st, &v, &n), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(v[0].user, "alice");
        CHECK_STR(v[1].user, "bob");
        CHECK_STR(v[2].user, "carol");
        CHECK_STR(v[2].domain, "b.example");
    }
    free(v);
}

static void test_bindings(efd_store_t *st)
{
    efd_store_binding_t b, *v;
    size_t n;

    b = binding("alice@a.example", "sip:alice@192.0.2.1:5060", T0 + 3600, 500, "c1", 1);
    b.instance = "<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";
    b.received = "192.0.2.1:40000";
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), 0);
    b = binding("alice@A.EXAMPLE", "sip:alice@192.0.2.2", T0 + 60, 1000, "c2", 7);
    b.path = "<sip:edge.a.example;lr>";
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), 0);
    CHECK_INT(efd_store_binding_list(st, "alice@a.example", T0, &v, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(v[0].contact, "sip:alice@192.0.2.2"); /* highest q first */
        CHECK_STR(v[0].path, "<sip:edge.a.example;lr>");
        CHECK(v[0].instance == NULL && v[0].received == NULL);
        CHECK_STR(v[1].contact, "sip:alice@192.0.2.1:5060");
        CHECK_INT(v[1].expires, T0 + 3600);
        CHECK_INT(v[1].q, 500);
        CHECK_STR(v[1].call_id, "c1");
        CHECK_INT(v[1].cseq, 1);
        CHECK_STR(v[1].received, "192.0.2.1:40000");
        CHECK_STR(v[1].aor, "alice@a.example");
    }
    efd_store_bindings_free(v, n);
    /* an expired binding is not listed (time is ours to move) */
    CHECK_INT(efd_store_binding_list(st, "alice@a.example", T0 + 60, &v, &n), 0);
    CHECK_INT(n, 1);
    efd_store_bindings_free(v, n);
}

static void test_binding_rules(efd_store_t *st)
{
    efd_store_binding_t b, *v;
    size_t n;

    /* RFC 3261 §10.3 step 7: same Call-ID, CSeq not higher: refused */
    b = binding("alice@a.example", "sip:alice@192.0.2.1:5060", T0 + 7200, 500, "c1", 1);
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), -EALREADY);
    b.cseq = 2;
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), 0);
    b.call_id = "c9";
    b.cseq = 1; /* another Call-ID: a new registration, any CSeq */
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), 0);
    /* the cap: a third contact fits, a fourth does not; expired ones do not count */
    b = binding("alice@a.example", "sip:alice@192.0.2.3", T0 + 3600, -1, "c3", 1);
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), 0);
    b.contact = "sip:alice@192.0.2.4";
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), EF_E2BIG);
    CHECK_INT(efd_store_binding_upsert(st, &b, T0 + 60, 3), 0); /* 192.0.2.2 expired */
    /* users that cannot register */
    b = binding("nobody@a.example", "sip:x@192.0.2.9", T0 + 60, -1, "c", 1);
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), -ENOENT);
    efd_store_user_set_disabled(st, "bob", "a.example", true);
    b.aor = "bob@a.example";
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), -EACCES);
    efd_store_user_set_disabled(st, "bob", "a.example", false);
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), 0);
    b.aor = "no-at-sign";
    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 3), EF_EINVAL);
    /* removal */
    CHECK_INT(efd_store_binding_remove(st, "alice@a.example", "sip:alice@192.0.2.4"), 0);
    CHECK_INT(efd_store_binding_remove(st, "alice@a.example", "sip:alice@192.0.2.4"), -ENOENT);
    CHECK_INT(efd_store_binding_remove_all(st, "bob@a.example"), 1);
    CHECK_INT(efd_store_binding_list(st, "bob@a.example", T0, &v, &n), 0);
    CHECK_INT(n, 0);
    CHECK(v == NULL);
    /* alice: 192.0.2.1 (until T0 + 7200) and 192.0.2.3 (T0 + 3600) */
    CHECK_INT(efd_store_binding_expire(st, T0 + 3600), 1);
    CHECK_INT(efd_store_binding_list(st, "alice@a.example", T0, &v, &n), 0);
    CHECK_INT(n, 1);
    efd_store_bindings_free(v, n);
}

static void test_messages(efd_store_t *st)
{
    efd_store_msg_t m, *v;
    size_t n;
    int64_t id1 = 0, id2 = 0;
    static const unsigned char bin[5] = {'a', 0, 'b', 0xff, 0};

    m = message("carol@b.example", "hello", T0, DAY);
    CHECK_INT(efd_store_msg_put(st, &m, 3, &id1), 0);
    m = message("carol@b.example", "", T0 + 1, DAY);
    m.body = (unsigned char *)bin;
    m.body_len = sizeof bin;
    m.content_type = "application/octet-stream";
    CHECK_INT(efd_store_msg_put(st, &m, 3, &id2), 0);
    CHECK(id2 > id1);
    m = message("carol@b.example", "", T0 + 2, 10);
    CHECK_INT(efd_store_msg_put(st, &m, 3, NULL), 0); /* empty body, short life */
    /* the per-user cap */
    m = message("carol@b.example", "one too many", T0 + 3, DAY);
    CHECK_INT(efd_store_msg_put(st, &m, 3, NULL), EF_E2BIG);
    m.received_at = T0 + 12; /* the short-lived one has expired: room again */
    CHECK_INT(efd_store_msg_put(st, &m, 3, NULL), 0);
    m = message("nobody@b.example", "x", T0, DAY);
    CHECK_INT(efd_store_msg_put(st, &m, 3, NULL), -ENOENT);
    char *big = calloc(1, EFD_STORE_MSG_MAX + 2);
    memset(big, 'x', EFD_STORE_MSG_MAX + 1);
    m = message("carol@b.example", big, T0, DAY);
    CHECK_INT(efd_store_msg_put(st, &m, 100, NULL), EF_E2BIG);
    free(big);

    CHECK_INT(efd_store_msg_list(st, "carol@B.example", T0 + 20, &v, &n), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(v[0].id, id1);
        CHECK_STRN((char *)v[0].body, v[0].body_len, "hello");
        CHECK_STR(v[0].sender, "sip:bob@b.example");
        CHECK_STR(v[0].content_type, "text/plain");
        CHECK_INT(v[0].received_at, T0);
        CHECK_INT(v[0].expires_at, T0 + DAY);
        CHECK_INT(v[1].body_len, sizeof bin);
        CHECK(memcmp(v[1].body, bin, sizeof bin) == 0);
        CHECK_STRN((char *)v[2].body, v[2].body_len, "one too many");
    }
    /* delivered: the first; a crash before done keeps the rest */
    CHECK_INT(efd_store_msg_done(st, id1), 0);
    CHECK_INT(efd_store_msg_done(st, id1), -ENOENT);
    efd_store_msgs_free(v, n);
    CHECK_INT(efd_store_msg_list(st, "carol@b.example", T0 + 20, &v, &n), 0);
    CHECK_INT(n, 2);
    efd_store_msgs_free(v, n);
    CHECK_INT(efd_store_msg_list(st, "carol@b.example", T0 + DAY + 1, &v, &n), 0);
    CHECK_INT(n, 1); /* received at T0 + 12 */
    efd_store_msgs_free(v, n);
    CHECK_INT(efd_store_msg_expire(st, T0 + DAY + 1), 2); /* the binary and the empty one */
}

/* After close and reopen every user, binding, message and tombstone is there. */
static efd_store_t *test_restart(efd_store_t *st)
{
    efd_store_binding_t *b;
    efd_store_msg_t *m;
    efd_store_user_t u;
    size_t n;

    efd_store_close(st);
    st = open_store();
    CHECK_INT(efd_store_user_get(st, "carol", "b.example", &u), 0);
    CHECK_INT(efd_store_binding_list(st, "alice@a.example", T0, &b, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(b[0].contact, "sip:alice@192.0.2.1:5060");
    efd_store_bindings_free(b, n);
    CHECK_INT(efd_store_msg_list(st, "carol@b.example", T0 + 20, &m, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STRN((char *)m[0].body, m[0].body_len, "one too many");
    efd_store_msgs_free(m, n);
    return st;
}

/* Not reassigned for at least 90 days, whatever the caller asks
   (draft-levin-simple-interdomain-reqs §10.2). */
static void test_tombstones(efd_store_t *st)
{
    efd_store_removed_t r = {9, 9, 9};
    efd_store_tomb_t *t;
    int64_t until = 0, rm = T0 + 100;
    size_t n;

    CHECK_INT(efd_store_user_remove(st, "carol", "B.example", rm, &r), 0);
    CHECK_INT(r.bindings, 0);
    CHECK_INT(r.messages, 1);
    CHECK_INT(r.removed_at, rm);
    CHECK_INT(efd_store_user_remove(st, "carol", "b.example", rm, &r), -ENOENT);
    efd_store_msg_t *m;
    CHECK_INT(efd_store_msg_list(st, "carol@b.example", T0, &m, &n), 0);
    CHECK_INT(n, 0);
    /* held: the same second, one day before the floor, with a hold asked below the floor */
    CHECK_INT(efd_store_user_add(st, "carol", "b.example", MD5, SHA, rm, 90, &until), -EACCES);
    CHECK_INT(until, rm + 90 * DAY);
    CHECK_INT(efd_store_user_add(st, "carol", "b.example", MD5, SHA, rm + 89 * DAY, 0, &until),
              -EACCES);
    CHECK_INT(until, rm + 90 * DAY);
    CHECK_INT(efd_store_user_add(st, "carol", "b.example", MD5, SHA, rm + 90 * DAY - 1, 30, NULL),
              -EACCES);
    CHECK_INT(efd_store_tomb_check(st, "carol@b.example", rm + 90 * DAY - 1, -5, &until), 1);
    CHECK_INT(efd_store_tomb_check(st, "carol@b.example", rm + 90 * DAY, 1, &until), 0);
    /* a longer hold asked by the caller is kept */
    CHECK_INT(efd_store_tomb_check(st, "carol@b.example", rm + 100 * DAY, 120, &until), 1);
    CHECK_INT(until, rm + 120 * DAY);
    CHECK_INT(efd_store_user_add(st, "carol", "b.example", MD5, SHA, rm + 100 * DAY, 120, NULL),
              -EACCES);
    CHECK_INT(efd_store_tomb_check(st, "dave@b.example", rm, 90, NULL), 0);
    CHECK_INT(efd_store_tomb_list(st, &t, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(t[0].aor, "carol@b.example");
        CHECK_INT(t[0].removed_at, rm);
    }
    free(t);
    /* the tombstone survives a restart and then holds on the 90th day, frees after it */
    efd_store_close(st);
    st = open_store();
    CHECK_INT(efd_store_tomb_check(st, "carol@b.example", rm + 90 * DAY - 1, 90, NULL), 1);
    CHECK_INT(efd_store_user_add(st, "carol", "b.example", MD5, SHA, rm + 90 * DAY, 90, NULL), 0);
    CHECK_INT(efd_store_tomb_check(st, "carol@b.example", rm + 90 * DAY, 90, NULL), 0);
    CHECK_INT(efd_store_tomb_list(st, &t, &n), 0);
    CHECK_INT(n, 0);
    free(t);
    efd_store_close(st);
}

/* A statement failing inside a transaction rolls back the statements before it. */
static void test_atomic(void)
{
    efd_store_t *st = open_store();
    efd_store_binding_t b = binding("alice@a.example", "sip:alice@192.0.2.7", T0 + 60, 1, "x", 1);
    efd_store_msg_t m = message("alice@a.example", "kept", T0, DAY), *mv;
    efd_store_binding_t *bv;
    efd_store_user_t u;
    efd_store_removed_t r;
    size_t nb, nm, nt;
    efd_store_tomb_t *t;

    CHECK_INT(efd_store_binding_upsert(st, &b, T0, 10), 0);
    CHECK_INT(efd_store_msg_put(st, &m, 10, NULL), 0);
    /* the last step of a removal (the tombstone) fails, as a full disk would make it */
    CHECK_INT(side_sql("CREATE TRIGGER fail_tomb BEFORE INSERT ON tombstones"
                       " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
              SQLITE_OK);
    CHECK_INT(efd_store_user_remove(st, "alice", "a.example", T0 + 10, &r), -EIO);
    CHECK(strstr(efd_store_errmsg(st), "injected failure") != NULL);
    CHECK_INT(efd_store_user_get(st, "alice", "a.example", &u), 0);
    CHECK_INT(efd_store_binding_list(st, "alice@a.example", T0, &bv, &nb), 0);
    CHECK_INT(nb, 2);
    efd_store_bindings_free(bv, nb);
    CHECK_INT(efd_store_msg_list(st, "alice@a.example", T0, &mv, &nm), 0);
    CHECK_INT(nm, 1);
    efd_store_msgs_free(mv, nm);
    CHECK_INT(efd_store_tomb_check(st, "alice@a.example", T0 + 10, 90, NULL), 0);
    /* an add after an expired hold: the insert fails, the old tombstone stays */
    CHECK_INT(side_sql("DROP TRIGGER fail_tomb;"
                       "INSERT INTO tombstones VALUES ('erin@a.example', 1000);"
                       "CREATE TRIGGER fail_user BEFORE INSERT ON users"
                       " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"),
              SQLITE_OK);
    CHECK_INT(efd_store_user_add(st, "erin", "a.example", MD5, SHA, T0, 90, NULL), -EIO);
    CHECK_INT(efd_store_tomb_list(st, &t, &nt), 0);
    CHECK_INT(nt, 1);
    free(t);
    /* the store works on once the fault is gone */
    CHECK_INT(side_sql("DROP TRIGGER fail_user"), SQLITE_OK);
    CHECK_INT(efd_store_user_add(st, "erin", "a.example", MD5, SHA, T0, 90, NULL), 0);
    CHECK_INT(efd_store_user_remove(st, "alice", "a.example", T0 + 10, &r), 0);
    CHECK_INT(r.bindings, 2);
    CHECK_INT(r.messages, 1);
    efd_store_close(st);
}

/* Two handles on one file, as enumfedctl beside enumfedd. */
static void test_two_handles(void)
{
    efd_store_t *a = open_store(), *b = open_store();
    efd_store_user_t u;

    CHECK_INT(efd_store_user_add(a, "frank", "a.example", MD5, SHA, T0, 90, NULL), 0);
    CHECK_INT(efd_store_user_get(b, "frank", "a.example", &u), 0);
    CHECK_INT(efd_store_user_set_disabled(b, "frank", "a.example", true), 0);
    CHECK_INT(efd_store_user_get(a, "frank", "a.example", &u), 0);
    CHECK(u.disabled);
    efd_store_close(a);
    efd_store_close(b);
}

/* A file of schema 1 (no messages table) is upgraded in place; a newer one is refused. */
static void test_upgrade(void)
{
    efd_store_t *st = NULL;
    efd_store_user_t u;
    int64_t id = 0;

    snprintf(path, sizeof path, "%s/v1.db", dir);
    CHECK_INT(side_sql("CREATE TABLE users (user TEXT NOT NULL, domain TEXT NOT NULL,"
                       " ha1_md5 TEXT NOT NULL, ha1_sha256 TEXT NOT NULL,"
                       " disabled INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
                       " PRIMARY KEY (user, domain));"
                       "CREATE TABLE bindings (aor TEXT NOT NULL, contact TEXT NOT NULL,"
                       " expires INTEGER NOT NULL, q INTEGER NOT NULL, call_id TEXT NOT NULL,"
                       " cseq INTEGER NOT NULL, instance TEXT, received TEXT, path TEXT,"
                       " PRIMARY KEY (aor, contact));"
                       "CREATE INDEX bindings_expires ON bindings (expires);"
                       "CREATE TABLE tombstones (aor TEXT PRIMARY KEY,"
                       " removed_at INTEGER NOT NULL);"
                       "INSERT INTO users VALUES ('old', 'a.example', '" MD5 "', '" SHA "', 0, 5);"
                       "PRAGMA user_version = 1"),
              SQLITE_OK);
    st = open_store();
    CHECK_INT(efd_store_version(st), EFD_STORE_SCHEMA);
    CHECK_INT(efd_store_user_get(st, "old", "a.example", &u), 0);
    CHECK_INT(u.created, 5);
    efd_store_msg_t m = message("old@a.example", "after the upgrade", T0, DAY);
    CHECK_INT(efd_store_msg_put(st, &m, 10, &id), 0);
    efd_store_close(st);
    st = open_store(); /* a second open finds nothing to do */
    CHECK_INT(efd_store_version(st), EFD_STORE_SCHEMA);
    efd_store_close(st);

    CHECK_INT(side_sql("PRAGMA user_version = 99"), SQLITE_OK);
    CHECK_INT(efd_store_open(path, &st, err, sizeof err), EF_ECONFIG);
    CHECK(st == NULL && strstr(err, "newer") != NULL);
}

int main(void)
{
    if (fixture_begin("efd_store") != 0)
        return 1;

    test_open();
    efd_store_t *st = open_store();
    test_users(st);
    test_bindings(st);
    test_binding_rules(st);
    test_messages(st);
    st = test_restart(st);
    test_tombstones(st);
    test_atomic();
    test_two_handles();
    test_upgrade();

    fixture_end();
    TAP_DONE();
}
