/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store_fixture.h -- what the store tests share: a temporary directory with
 * the store file in it (path), opened with a failed check and an exit when
 * it cannot be, and removed at the end. Include after tap.h.
 */
#ifndef EF_TESTS_STORE_FIXTURE_H
#define EF_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "store.h"

static char dir[200], path[260];
static char err[512];

/* Make the directory ($TMPDIR or /tmp) named after the test; path is its store.db. */
static int fixture_begin(const char *name)
{
    snprintf(dir, sizeof dir, "%s/%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof path, "%s/store.db", dir);
    return 0;
}

static void fixture_end(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
}

/* The store at path: a check that it opened, and an exit when it did not. */
static efd_store_t *open_store(void)
{
    efd_store_t *st = NULL;
    err[0] = '\0';
    int rc = efd_store_open(path, &st, err, sizeof err);
    CHECK_INT(rc, 0);
    if (rc != 0) {
        printf("# %s\n", err);
        exit(1);
    }
    return st;
}

#endif
