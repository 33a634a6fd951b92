/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * users.h -- the users an edge admits requests from peers for
 * (internal.users): one user part of an AoR per line, "#" comments; a line
 * "!carol" names a user who exists but whom other communities may not reach
 * (restricted: 403, seed 6.2). Read whole at load and on SIGHUP; looked up
 * case-sensitively, as RFC 3261 §19.1.4 compares user parts.
 */
#ifndef ENUMFEDD_USERS_H
#define ENUMFEDD_USERS_H

#include <stdbool.h>
#include <stddef.h>

#define EFD_USERS_MAX 1000000 /* lines */
#define EFD_USER_LEN 256      /* bytes of one user part */

typedef struct efd_users efd_users_t;

typedef enum { EFD_USER_UNKNOWN, EFD_USER_KNOWN, EFD_USER_RESTRICTED } efd_user_t;

/**
 * Read a users file.
 * @param out a new set, freed with efd_users_free
 * @param err "FILE:LINE: reason" on failure
 * @return 0; EF_ECONFIG (a bad line, too many users, unreadable); EF_ENOMEM
 */
int efd_users_load(const char *path, efd_users_t **out, char *err, size_t errcap);

/** Is user (len bytes, not NUL-terminated) known, restricted, or unknown? */
efd_user_t efd_users_find(const efd_users_t *u, const char *user, size_t len);

/** How many users the set holds. */
size_t efd_users_count(const efd_users_t *u);

/** Free a set; NULL is fine. */
void efd_users_free(efd_users_t *u);

#endif
