/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rdata.h -- building DNS rdata by hand for the tests: character-strings
 * (RFC 1035 §3.3) and uncompressed domain names (RFC 1035 §3.1).
 */
#ifndef EF_TESTS_RDATA_H
#define EF_TESTS_RDATA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A <character-string>: a length byte, then the bytes. */
static inline void put_string(uint8_t *buf, size_t *n, const char *s)
{
    size_t l = strlen(s);

    buf[(*n)++] = (uint8_t)l;
    memcpy(buf + *n, s, l);
    *n += l;
}

/* "a.b.c." or "." as an uncompressed wire name (no escapes). */
static inline void put_name(uint8_t *buf, size_t *n, const char *name)
{
    while (*name != '\0' && strcmp(name, ".") != 0) {
        size_t l = strcspn(name, ".");
        buf[(*n)++] = (uint8_t)l;
        memcpy(buf + *n, name, l);
        *n += l;
        name += l;
        if (*name == '.')
            name++;
    }
    buf[(*n)++] = 0;
}

#endif
