/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arena.h -- a region allocator: many small allocations, one free. Used for
 * everything that lives exactly as long as one query or one answer.
 */
#ifndef EF_UTIL_ARENA_H
#define EF_UTIL_ARENA_H

#include <stddef.h>

struct ef_arena;

/** A new arena. @return NULL on ENOMEM; free with ef__arena_free. */
struct ef_arena *ef__arena_new(void);

/** Free the arena and everything allocated from it. NULL is allowed. */
void ef__arena_free(struct ef_arena *a);

/** size bytes, aligned for any type. Owned by the arena. @return NULL on ENOMEM. */
void *ef__arena_alloc(struct ef_arena *a, size_t size);

/** A NUL-terminated copy of len bytes of s. Owned by the arena. @return NULL on ENOMEM. */
char *ef__arena_strndup(struct ef_arena *a, const char *s, size_t len);

#endif
