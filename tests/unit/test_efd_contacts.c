/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_efd_contacts.c -- the external contacts of enumfedd's store, under a
 * simulated clock: the stored URI form, adding by hand and by a user's own
 * SUBSCRIBE, the per-owner cap, the due list (45 days, retry_at, never an
 * invalid one), the per-URI time of the last automatic SUBSCRIBE (whoever
 * the owner), outcomes tied to a check's Call-ID (a 2xx never undoes the
 * invalid mark a NOTIFY set, a failure never undoes either), re-arming, and
 * all of it across close and reopen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enumfed/common.h"
#include "store.h"
#include "tap.h"
#include "store_fixture.h"

#define T0 1800000000LL
#define DAY 86400LL
#define CHECK_EVERY (45 * DAY)
#define MD5 "0123456789abcdef0123456789abcdef"
#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The one contact (owner, uri), or a zeroed one with status -1 when absent. */
static efd_store_contact_t get(efd_store_t *st, const char *owner, const char *uri)
{
    efd_store_contact_t *l = NULL, found = {.status = (efd_contact_status_t)-1};
    size_t n = 0;
    efd_store_contact_list(st, owner, &l, &n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(l[i].uri, uri) == 0)
            found = l[i];
    free(l);
    return found;
}

static size_t due_count(efd_store_t *st, int64_t now)
{
    efd_store_contact_t *l = NULL;
    size_t n = 0;
    CHECK_INT(efd_store_contact_due(st, now, CHECK_EVERY, 100, &l, &n), 0);
    free(l);
    return n;
}

static void test_norm(void)
{
    char out[EFD_STORE_URI_MAX];
    CHECK_INT(efd_store_contact_norm("sip:bob@B.Example", out, sizeof out), 0);
    CHECK_STR(out, "sip:bob@b.example");
    CHECK_INT(efd_store_contact_norm("pres:Bob@b.example", out, sizeof out), 0);
    CHECK_STR(out, "sip:Bob@b.example"); /* the user part keeps its case */
    CHECK_INT(efd_store_contact_norm("IM:bob@b.example", out, sizeof out), 0);
    CHECK_STR(out, "sip:bob@b.example");
    CHECK_INT(efd_store_contact_norm("bob@b.example", out, sizeof out), 0);
    CHECK_STR(out, "sip:bob@b.example");
    CHECK_INT(efd_store_contact_norm("sip:bob@b.example;transport=tls", out, sizeof out),
              EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("sip:bob@b.example:5061", out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("sip:b.example", out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("sip:@b.example", out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("tel:+441632960100", out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("sip:a@b@c.example", out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("<sip:bob@b.example>", out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm(NULL, out, sizeof out), EF_EINVAL);
    CHECK_INT(efd_store_contact_norm("sip:bob@b.example", out, 10), EF_EINVAL);
}

static void test_add(efd_store_t *st)
{
    CHECK_INT(efd_store_user_add(st, "alice", "a.example", MD5, SHA, T0, 90, NULL), 0);
    CHECK_INT(efd_store_user_add(st, "carol", "a.example", MD5, SHA, T0, 90, NULL), 0);

    /* by hand: new, due at once */
    CHECK_INT(efd_store_contact_add(st, "alice@a.example", "sip:bob@b.example", T0, false), 1);
    CHECK_INT(efd_store_contact_add(st, "alice@A.EXAMPLE", "pres:bob@B.example", T0 + 5, false), 0);
    efd_store_contact_t c = get(st, "alice@a.example", "sip:bob@b.example");
    CHECK_INT(c.status, EFD_CONTACT_UNCHECKED);
    CHECK_INT(c.added, T0);
    CHECK_INT(c.checked, 0);
    CHECK_STR(c.owner, "alice@a.example");
    /* not a user; not a URI */
    CHECK_INT(efd_store_contact_add(st, "nobody@a.example", "sip:bob@b.example", T0, false),
              -ENOENT);
    CHECK_INT(efd_store_contact_add(st, "alice@a.example", "sip:b.example", T0, false), EF_EINVAL);
    CHECK_INT(efd_store_contact_add(st, "alice", "sip:bob@b.example", T0, false), EF_EINVAL);

    /* by the user's own SUBSCRIBE: valid and checked now */
    CHECK_INT(efd_store_contact_add(st, "alice@a.example", "sip:dave@c.example", T0 + 10, true), 1);
    c = get(st, "alice@a.example", "sip:dave@c.example");
    CHECK_INT(c.status, EFD_CONTACT_VALID);
    CHECK_INT(c.checked, T0 + 10);
    CHECK_INT(efd_store_contact_add(st, "alice@a.example", "sip:dave@c.example", T0 + 20, true), 0);
    CHECK_INT(get(st, "alice@a.example", "sip:dave@c.example").checked, T0 + 20);

    /* lists: one owner, or all of them by owner then URI */
    efd_store_contact_t *l = NULL;
    size_t n = 0;
    CHECK_INT(efd_store_contact_add(st, "carol@a.example", "sip:bob@b.example", T0, false), 1);
    CHECK_INT(efd_store_contact_list(st, "alice@a.example", &l, &n), 0);
    CHECK_INT(n, 2);
    free(l);
    CHECK_INT(efd_store_contact_list(st, NULL, &l, &n), 0);
    CHECK_INT(n, 3);
    CHECK(n == 3 && strcmp(l[2].owner, "carol@a.example") == 0);
    CHECK(n == 3 && strcmp(l[0].uri, "sip:bob@b.example") == 0);
    free(l);

    CHECK_INT(efd_store_contact_remove(st, "carol@a.example", "bob@b.example"), 0);
    CHECK_INT(efd_store_contact_remove(st, "carol@a.example", "bob@b.example"), -ENOENT);
    CHECK_INT(efd_store_contact_add(st, "carol@a.example", "sip:bob@b.example", T0, false), 1);
}

static void test_cap(efd_store_t *st)
{
    char uri[64];
    int rc = 0;
    CHECK_INT(efd_store_user_add(st, "many", "a.example", MD5, SHA, T0, 90, NULL), 0);
    for (int i = 0; i < EFD_STORE_CONTACTS_MAX && rc >= 0; i++) {
        snprintf(uri, sizeof uri, "sip:u%d@b.example", i);
        rc = efd_store_contact_add(st, "many@a.example", uri, T0, false);
    }
    CHECK_INT(rc, 1);
    CHECK_INT(efd_store_contact_add(st, "many@a.example", "sip:one-more@b.example", T0, false),
              EF_E2BIG);
    /* at the cap, what is there can still be confirmed */
    CHECK_INT(efd_store_contact_add(st, "many@a.example", "sip:u7@b.example", T0 + 1, true), 0);
    CHECK_INT(efd_store_contact_recheck(st, "many@a.example", NULL), EFD_STORE_CONTACTS_MAX);
    for (int i = 0; i < EFD_STORE_CONTACTS_MAX; i++) {
        snprintf(uri, sizeof uri, "sip:u%d@b.example", i);
        efd_store_contact_remove(st, "many@a.example", uri);
    }
    efd_store_contact_t *l = NULL;
    size_t n = 1;
    CHECK_INT(efd_store_contact_list(st, "many@a.example", &l, &n), 0);
    CHECK_INT(n, 0);
    free(l);
}

static void test_due_and_results(efd_store_t *st)
{
    /* bob (by hand) is due for alice and carol; dave was just confirmed */
    CHECK_INT(due_count(st, T0 + 30), 2);

    /* the two-hour rule is per URI, whoever the owner */
    CHECK_INT(efd_store_contact_last_sent(st, "sip:bob@b.example"), 0);
    CHECK_INT(efd_store_contact_sent(st, "alice@a.example", "sip:bob@b.example", "cid-1", T0 + 30),
              0);
    CHECK_INT(efd_store_contact_last_sent(st, "bob@b.example"), T0 + 30);
    CHECK_INT(efd_store_contact_sent(st, "nobody@a.example", "sip:bob@b.example", "x", T0),
              -ENOENT);
    CHECK_INT(efd_store_contact_defer(st, "carol@a.example", "sip:bob@b.example", T0 + 30 + 7200,
                                      "two hours"),
              0);
    CHECK_INT(due_count(st, T0 + 31), 1); /* alice's, still unjudged */
    CHECK_INT(due_count(st, T0 + 30 + 7200), 2);
    CHECK_STR(get(st, "carol@a.example", "sip:bob@b.example").reason, "two hours");

    /* a 2xx: valid, and not due again before 45 days */
    CHECK_INT(efd_store_contact_result(st, "cid-1", EFD_CONTACT_VALID, "200", T0 + 31, 0), 1);
    efd_store_contact_t c = get(st, "alice@a.example", "sip:bob@b.example");
    CHECK_INT(c.status, EFD_CONTACT_VALID);
    CHECK_INT(c.checked, T0 + 31);
    CHECK_STR(c.call_id, "cid-1");
    CHECK_INT(due_count(st, T0 + 31 + 7200), 1); /* carol's only */
    CHECK_INT(due_count(st, T0 + 31 + CHECK_EVERY), 3);
    /* a failure after the outcome changes nothing */
    CHECK_INT(efd_store_contact_result(st, "cid-1", EFD_CONTACT_FAILED, "408", T0 + 40, T0 + 9000),
              0);
    CHECK_INT(get(st, "alice@a.example", "sip:bob@b.example").status, EFD_CONTACT_VALID);
    CHECK_INT(efd_store_contact_result(st, "no-such-id", EFD_CONTACT_VALID, "", T0, 0), 0);
    CHECK_INT(efd_store_contact_result(st, "", EFD_CONTACT_VALID, "", T0, 0), EF_EINVAL);
    CHECK_INT(efd_store_contact_result(st, "cid-1", EFD_CONTACT_UNCHECKED, "", T0, 0), EF_EINVAL);

    /* carol's check: the NOTIFY says noresource before the 2xx arrives */
    int64_t t1 = T0 + 31 + 7200;
    CHECK_INT(efd_store_contact_sent(st, "carol@a.example", "sip:bob@b.example", "cid-2", t1), 0);
    CHECK_INT(efd_store_contact_result(st, "cid-2", EFD_CONTACT_INVALID,
                                       "NOTIFY terminated;reason=noresource", t1, 0),
              1);
    CHECK_INT(efd_store_contact_result(st, "cid-2", EFD_CONTACT_VALID, "200", t1, 0), 0);
    c = get(st, "carol@a.example", "sip:bob@b.example");
    CHECK_INT(c.status, EFD_CONTACT_INVALID);
    CHECK_STR(c.reason, "NOTIFY terminated;reason=noresource");
    /* an invalid contact is never due again (seed 5.1), however long it waits */
    CHECK_INT(due_count(st, t1 + 10 * CHECK_EVERY), 2);

    /* a failure: tried again at retry_at, not before */
    CHECK_INT(efd_store_contact_add(st, "carol@a.example", "sip:erin@c.example", T0, false), 1);
    CHECK_INT(efd_store_contact_sent(st, "carol@a.example", "sip:erin@c.example", "cid-3", t1), 0);
    CHECK_INT(efd_store_contact_result(st, "cid-3", EFD_CONTACT_FAILED, "503", t1, t1 + 7200), 1);
    c = get(st, "carol@a.example", "sip:erin@c.example");
    CHECK_INT(c.status, EFD_CONTACT_FAILED);
    CHECK_INT(c.retry_at, t1 + 7200);
    CHECK_INT(due_count(st, t1 + 1), 0);
    CHECK_INT(due_count(st, t1 + 7200), 1);

    /* a 4xx to the user's own SUBSCRIBE marks an existing contact, adds none */
    CHECK_INT(efd_store_contact_invalidate(st, "alice@a.example", "sip:dave@c.example", "404", t1),
              1);
    CHECK_INT(efd_store_contact_invalidate(st, "alice@a.example", "sip:zed@c.example", "404", t1),
              0);
    CHECK_INT((int)get(st, "alice@a.example", "sip:zed@c.example").status, -1);
    CHECK_INT(get(st, "alice@a.example", "sip:dave@c.example").status, EFD_CONTACT_INVALID);
    /* ... and the user's next SUBSCRIBE that succeeds lifts the mark */
    CHECK_INT(efd_store_contact_add(st, "alice@a.example", "sip:dave@c.example", t1 + 1, true), 0);
    CHECK_INT(get(st, "alice@a.example", "sip:dave@c.example").status, EFD_CONTACT_VALID);
}

/* Re-arming by hand, then everything again after close and reopen. */
static efd_store_t *test_recheck_restart(efd_store_t *st)
{
    int64_t t1 = T0 + 31 + 7200;
    CHECK_INT(efd_store_contact_recheck(st, "carol@a.example", "sip:bob@b.example"), 1);
    efd_store_contact_t c = get(st, "carol@a.example", "sip:bob@b.example");
    CHECK_INT(c.status, EFD_CONTACT_UNCHECKED);
    CHECK_INT(c.checked, 0);
    CHECK_INT(c.sent, t1); /* the two-hour rule still knows the last SUBSCRIBE */
    CHECK_INT(efd_store_contact_recheck(st, "carol@a.example", "sip:nobody@b.example"), 0);
    CHECK_INT(efd_store_contact_recheck(st, "bad", NULL), EF_EINVAL);

    efd_store_close(st);
    st = open_store();
    c = get(st, "carol@a.example", "sip:erin@c.example");
    CHECK_INT(c.status, EFD_CONTACT_FAILED);
    CHECK_INT(c.retry_at, t1 + 7200);
    CHECK_STR(c.reason, "503");
    CHECK_STR(c.call_id, "cid-3");
    CHECK_INT(efd_store_contact_last_sent(st, "sip:bob@b.example"), t1);
    CHECK_INT(get(st, "alice@a.example", "sip:bob@b.example").status, EFD_CONTACT_VALID);
    CHECK_INT(due_count(st, t1 + 1), 1); /* carol's bob, re-armed */
    return st;
}

int main(void)
{
    if (fixture_begin("efd_contacts") != 0)
        return 1;

    test_norm();
    efd_store_t *st = open_store();
    test_add(st);
    test_cap(st);
    test_due_and_results(st);
    st = test_recheck_restart(st);
    efd_store_close(st);

    fixture_end();
    TAP_DONE();
}
