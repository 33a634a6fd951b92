/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * guard.h -- parser inputs placed flush against an unreadable page, so that
 * reading one byte past the input faults at once (the picohttpparser test
 * technique). Two slots, for functions that take two buffers.
 */
#ifndef EF_TESTS_GUARD_H
#define EF_TESTS_GUARD_H

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Copy n bytes of s so that the last one is the last readable byte before a PROT_NONE page. */
static inline const void *guarded_in(int slot, const void *s, size_t n)
{
    static char *pages[2];
    static size_t page_size;
    char **page = &pages[slot & 1];

    if (*page == NULL) {
        page_size = (size_t)sysconf(_SC_PAGESIZE);
        *page =
            mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (*page == MAP_FAILED || mprotect(*page + page_size, page_size, PROT_NONE))
            abort();
    }
    if (n > page_size)
        abort();
    if (n > 0)
        memcpy(*page + page_size - n, s, n);
    return *page + page_size - n;
}

static inline const void *guarded(const void *s, size_t n)
{
    return guarded_in(0, s, n);
}

#endif
