/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arena.c -- a region allocator in blocks of 4 KiB (larger requests get a block
 * of their own). Nothing is freed before the whole arena.
 */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"

#define ARENA_BLOCK 4096
#define ARENA_FIRST 1024 /* inside the arena's own allocation: most queries need no more */

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

struct ef_arena {
    struct arena_block *head;
    struct arena_block *first; /* lives in the same allocation as the arena */
};

struct ef_arena *ef__arena_new(void)
{
    const size_t align = alignof(max_align_t);
    size_t off = (sizeof(struct ef_arena) + align - 1) & ~(align - 1);
    struct ef_arena *a = malloc(off + sizeof(struct arena_block) + ARENA_FIRST);

    if (a == NULL)
        return NULL;
    a->first = (struct arena_block *)(void *)((char *)a + off);
    a->first->next = NULL;
    a->first->used = 0;
    a->first->size = ARENA_FIRST;
    a->head = a->first;
    return a;
}

void ef__arena_free(struct ef_arena *a)
{
    struct arena_block *b, *next;

    if (a == NULL)
        return;
    for (b = a->head; b != NULL; b = next) {
        next = b->next;
        if (b != a->first)
            free(b);
    }
    free(a);
}

void *ef__arena_alloc(struct ef_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    struct arena_block *b = a->head;
    size_t need = (size + align - 1) & ~(align - 1);

    if (need < size)
        return NULL;
    if (b == NULL || b->size - b->used < need) {
        size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK;

        b = malloc(sizeof(*b) + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->size = cap;
        /* A large private block goes behind the current one so its free space stays usable. */
        if (need > ARENA_BLOCK && a->head != NULL) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    b->used += need;
    return b->data + b->used - need;
}

char *ef__arena_strndup(struct ef_arena *a, const char *s, size_t len)
{
    char *p = ef__arena_alloc(a, len + 1);

    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
