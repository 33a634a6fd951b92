/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_efd_users.c -- the users file of enumfedd (internal.users): syntax,
 * restricted users, lookups by exact user part, and refusals with a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enumfed/common.h"
#include "tap.h"
#include "users.h"

static char path[64];
static char err[512];

static int load(const char *text, efd_users_t **u)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        abort();
    fputs(text, f);
    fclose(f);
    err[0] = '\0';
    *u = NULL;
    return efd_users_load(path, u, err, sizeof err);
}

static void test_lookup(void)
{
    efd_users_t *u;
    CHECK_INT(load("# users of a.example\n"
                   "alice\n"
                   "  bob   # with a comment\n"
                   "\n"
                   "!carol\n"
                   "+441632960100\n"
                   "al\n",
                   &u),
              0);
    if (u == NULL)
        return;
    CHECK_INT(efd_users_count(u), 5);
    CHECK_INT(efd_users_find(u, "alice", 5), EFD_USER_KNOWN);
    CHECK_INT(efd_users_find(u, "bob", 3), EFD_USER_KNOWN);
    CHECK_INT(efd_users_find(u, "carol", 5), EFD_USER_RESTRICTED);
    CHECK_INT(efd_users_find(u, "+441632960100", 13), EFD_USER_KNOWN);
    CHECK_INT(efd_users_find(u, "al", 2), EFD_USER_KNOWN);
    /* exact user parts: no prefixes, no case folding (RFC 3261 19.1.4) */
    CHECK_INT(efd_users_find(u, "alic", 4), EFD_USER_UNKNOWN);
    CHECK_INT(efd_users_find(u, "alicex", 6), EFD_USER_UNKNOWN);
    CHECK_INT(efd_users_find(u, "Alice", 5), EFD_USER_UNKNOWN);
    CHECK_INT(efd_users_find(u, "alice@a.example", 5), EFD_USER_KNOWN); /* len bounds it */
    CHECK_INT(efd_users_find(u, "dave", 4), EFD_USER_UNKNOWN);
    CHECK_INT(efd_users_find(u, "", 0), EFD_USER_UNKNOWN);
    efd_users_free(u);
    CHECK_INT(load("", &u), 0);
    CHECK(u != NULL && efd_users_count(u) == 0);
    if (u != NULL)
        CHECK_INT(efd_users_find(u, "alice", 5), EFD_USER_UNKNOWN);
    efd_users_free(u);
}

static void test_bad(void)
{
    static const struct {
        const char *text, *expect;
    } cases[] = {
        {"alice bob\n", ":1: one user per line"}, {"alice\nal ice\n", ":2: one user per line"},
        {"a<b\n", ":1: not a SIP user part"},     {"!\n", ":1: not a SIP user part"},
        {"al\"ice\n", ":1: not a SIP user part"},
    };
    efd_users_t *u;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_INT(load(cases[i].text, &u), EF_ECONFIG);
        CHECK(u == NULL);
        CHECK(strstr(err, cases[i].expect) != NULL);
        if (strstr(err, cases[i].expect) == NULL)
            printf("# %s\n", err);
    }
    char big[600];
    memset(big, 'a', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    CHECK_INT(load(big, &u), EF_ECONFIG);
    CHECK(strstr(err, ":1: line too long") != NULL);
    CHECK_INT(efd_users_load("/nonexistent/users", &u, err, sizeof err), EF_ECONFIG);
    CHECK(strstr(err, "No such file") != NULL);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/ef_users_%ld", (long)getpid());
    test_lookup();
    test_bad();
    unlink(path);
    TAP_DONE();
}
