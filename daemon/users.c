/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * users.c -- the users file of internal.users, as a sorted array searched by
 * bisection: loaded once, read by every worker, never changed in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumfed/common.h"
#include "users.h"

struct efd_users {
    char **name; /* sorted; a leading '!' marks a restricted user */
    size_t n, cap;
};

static int cmp_name(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    return strcmp(x + (*x == '!'), y + (*y == '!'));
}

/* RFC 3261 §25.1 user: unreserved, escaped and user-unreserved characters. */
static bool user_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr("-_.!~*'()&=+$,;?/%", s[i]) == NULL &&
            !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9')))
            return false;
    return n > 0 && n < EFD_USER_LEN;
}

static int add(efd_users_t *u, const char *s, size_t n)
{
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 64;
        char **p = realloc(u->name, cap * sizeof *p);
        if (p == NULL)
            return EF_ENOMEM;
        u->name = p;
        u->cap = cap;
    }
    if ((u->name[u->n] = strndup(s, n)) == NULL)
        return EF_ENOMEM;
    u->n++;
    return 0;
}

/* One line: blanks and a "#" comment around an optional "!" and a user part. */
static const char *line(efd_users_t *u, char *s, int *rc)
{
    char *hash = strchr(s, '#');
    if (hash != NULL)
        *hash = '\0';
    s += strspn(s, " \t");
    size_t n = strcspn(s, " \t\r\n");
    if (n == 0)
        return NULL;
    if (s[n + strspn(s + n, " \t\r\n")] != '\0')
        return "one user per line";
    if (!user_ok(s + (*s == '!'), n - (*s == '!')))
        return "not a SIP user part (RFC 3261 25.1)";
    if (u->n >= EFD_USERS_MAX)
        return "too many users";
    *rc = add(u, s, n);
    return NULL;
}

int efd_users_load(const char *path, efd_users_t **out, char *err, size_t errcap)
{
    FILE *f = fopen(path, "r");
    char buf[EFD_USER_LEN + 256];
    unsigned no = 0;
    int rc = 0;

    if (f == NULL) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return EF_ECONFIG;
    }
    efd_users_t *u = calloc(1, sizeof *u);
    while (u != NULL && rc == 0 && fgets(buf, sizeof buf, f) != NULL) {
        no++;
        const char *why =
            strchr(buf, '\n') == NULL && !feof(f) ? "line too long" : line(u, buf, &rc);
        if (why != NULL) {
            snprintf(err, errcap, "%s:%u: %s", path, no, why);
            rc = EF_ECONFIG;
        }
    }
    fclose(f);
    if (u == NULL || rc != 0) {
        efd_users_free(u);
        return u == NULL ? EF_ENOMEM : rc;
    }
    if (u->n > 0)
        qsort(u->name, u->n, sizeof *u->name, cmp_name);
    *out = u;
    return 0;
}

efd_user_t efd_users_find(const efd_users_t *u, const char *user, size_t len)
{
    size_t lo = 0, hi = u->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *s = u->name[mid] + (u->name[mid][0] == '!');
        int c = strncmp(s, user, len);
        if (c == 0 && s[len] != '\0')
            c = 1;
        if (c == 0)
            return u->name[mid][0] == '!' ? EFD_USER_RESTRICTED : EFD_USER_KNOWN;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return EFD_USER_UNKNOWN;
}

size_t efd_users_count(const efd_users_t *u)
{
    return u != NULL ? u->n : 0;
}

void efd_users_free(efd_users_t *u)
{
    if (u == NULL)
        return;
    for (size_t i = 0; i < u->n; i++)
        free(u->name[i]);
    free(u->name);
    free(u);
}
